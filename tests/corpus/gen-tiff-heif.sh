#!/bin/sh
# gen-tiff-heif.sh DIR — TIFF and HEIC/AVIF samples for the stripper's
# corpus (see README.md): a marker in every text field of TIFF IFD0, the
# Exif and GPS IFDs, XMP and IPTC, and in a thumbnail page; for HEIC, in
# the Exif and XMP items. Pixels checked with identify.
#
# Tools: /usr/bin/convert (ImageMagick with TIFF and HEIC), exiftool,
# tiffset and tiffcp (package libtiff-tools), heif-enc (package libheif-examples).
set -eu

D=${1:?usage: gen-tiff-heif.sh DIR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

CONVERT=/usr/bin/convert
for t in $CONVERT exiftool tiffset tiffcp heif-enc; do
	command -v $t >/dev/null ||
	    { echo "gen-tiff-heif: $t missing" >&2; exit 1; }
done

meta() { n=$1; shift; printf '%s\n' "$@" >"$D/$n.meta"; }
body() { printf '%s\n' "$2" >"$D/$1.body"; }
EXIF="exiftool -q -q -overwrite_original"

# Two pictures with structure (not flat), so a pixel mix-up shows; 8-bit,
# as the AV1 encoder wants.
$CONVERT -size 96x64 gradient:navy-gold -fill white \
    -draw 'circle 48,32 60,40' -depth 8 "PNG24:$T/p1.png"
$CONVERT -size 96x64 gradient:red-cyan -fill black \
    -draw 'rectangle 10,10 40,50' -depth 8 "PNG24:$T/p2.png"
$CONVERT "$T/p1.png" -resize 24x16 "$T/small.png"

# tiffmeta FILE PREFIX: a marker in every TIFF text field exiftool writes,
# in IFD0 and in the Exif, GPS, XMP and IPTC blocks; prints the markers.
tiffmeta() {
	f=$1 p=$2
	$EXIF -Artist="${p}Artist" -Make="${p}Make" -Model="${p}Model" \
	    -Software="${p}Software" -ImageDescription="${p}Description" \
	    -DocumentName="${p}DocumentName" -Copyright="${p}Copyright" \
	    -HostComputer="${p}HostComputer" -PageName="${p}PageName" \
	    -ModifyDate='2001:02:03 04:05:06' \
	    -ExifIFD:UserComment="${p}UserComment" \
	    -ExifIFD:ImageUniqueID="${p}UniqueID" \
	    -ExifIFD:OwnerName="${p}OwnerName" \
	    -ExifIFD:SerialNumber="${p}SerialNumber" \
	    -ExifIFD:LensSerialNumber="${p}LensSerial" \
	    -GPSLatitude=51.5 -GPSLatitudeRef=N -GPSLongitude=0.12 \
	    -GPSLongitudeRef=W -GPSMapDatum="${p}GPSMapDatum" \
	    -GPSAreaInformation="${p}GPSArea" \
	    -XMP-dc:Creator="${p}XMPCreator" \
	    -XMP-dc:Description="${p}XMPDescription" \
	    -XMP-photoshop:City="${p}XMPCity" \
	    -IPTC:By-line="${p}IPTCByline" \
	    -IPTC:Caption-Abstract="${p}IPTCCaption" \
	    -IPTC:City="${p}IPTCCity" "$f"
	for m in Artist Make Model Software Description DocumentName \
	    Copyright HostComputer PageName UserComment UniqueID OwnerName \
	    SerialNumber LensSerial GPSMapDatum GPSArea XMPCreator \
	    XMPDescription XMPCity IPTCByline IPTCCaption IPTCCity; do
		echo "$p$m"
	done
}

# Little-endian, two LZW pages, every page identical after cleaning.
n=tiff-le-pages.tif
$CONVERT "$T/p1.png" "$T/p2.png" -compress lzw "$D/$n"
tiffmeta "$D/$n" MKMtiffLe >"$T/m"
meta $n $(cat "$T/m")
body $n frames

# Big-endian, tiled, deflate: the tile path and the other byte order.
n=tiff-be-tiles.tif
$CONVERT "$T/p2.png" -endian MSB -compress zip \
    -define tiff:tile-geometry=32x32 "$D/$n"
tiffmeta "$D/$n" MKMtiffBe >"$T/m"
meta $n $(cat "$T/m")
body $n pixels

# JPEG-compressed strips: JPEGTables and YCbCr tags must survive.
n=tiff-jpeg.tif
$CONVERT "$T/p1.png" -compress jpeg -quality 90 "$D/$n"
tiffmeta "$D/$n" MKMtiffJpeg >"$T/m"
meta $n $(cat "$T/m")
body $n pixels

# A bilevel scan as fax software writes it: CCITT Group 3 with 2-D coding
# (T4Options must survive), and Group 4.
n=tiff-fax-g3.tif
$CONVERT "$T/p1.png" -threshold 50% -depth 1 -compress none \
    "$T/bw.tif"
tiffcp -c g3:2d "$T/bw.tif" "$D/$n"
tiffmeta "$D/$n" MKMtiffG3 >"$T/m"
meta $n $(cat "$T/m")
body $n pixels
n=tiff-fax-g4.tif
$CONVERT "$T/p2.png" -threshold 50% -type bilevel -compress group4 \
    "$D/$n"
tiffmeta "$D/$n" MKMtiffG4 >"$T/m"
meta $n $(cat "$T/m")
body $n pixels

# A full page and a reduced-resolution preview (NewSubfileType 1), the
# preview carrying text of its own: it must go whole.
n=tiff-thumb.tif
$CONVERT "$T/p1.png" "$T/small.png" -compress none "$D/$n"
tiffset -d 1 -s 254 1 "$D/$n"
tiffset -d 1 -s 270 MKMtiffThumbDescription "$D/$n"
tiffset -d 1 -s 315 MKMtiffThumbArtist "$D/$n"
tiffmeta "$D/$n" MKMtiffTh >"$T/m"
meta $n $(cat "$T/m") MKMtiffThumbDescription MKMtiffThumbArtist
body $n pixels

# BigTIFF: not handled, must be refused, not passed through.
n=tiff-big.tif
$CONVERT "$T/p1.png" -compress lzw "TIFF64:$D/$n"
tiffset -s 315 MKMbigtiffArtist "$D/$n"
meta $n MKMbigtiffArtist
echo unsupported >"$D/$n.expect"

# heifmeta FILE PREFIX: Exif (IFD0, Exif IFD, GPS) and XMP markers.
heifmeta() {
	f=$1 p=$2
	$EXIF -Artist="${p}Artist" -Make="${p}Make" -Model="${p}Model" \
	    -Software="${p}Software" -ImageDescription="${p}Description" \
	    -Copyright="${p}Copyright" \
	    -ExifIFD:UserComment="${p}UserComment" \
	    -ExifIFD:ImageUniqueID="${p}UniqueID" \
	    -ExifIFD:OwnerName="${p}OwnerName" \
	    -ExifIFD:SerialNumber="${p}SerialNumber" \
	    -ExifIFD:DateTimeOriginal='2001:02:03 04:05:06' \
	    -GPSLatitude=51.5 -GPSLatitudeRef=N -GPSLongitude=0.12 \
	    -GPSLongitudeRef=W -GPSMapDatum="${p}GPSMapDatum" \
	    -GPSAreaInformation="${p}GPSArea" \
	    -XMP-dc:Creator="${p}XMPCreator" \
	    -XMP-dc:Description="${p}XMPDescription" \
	    -XMP-photoshop:City="${p}XMPCity" \
	    -XMP-xmp:CreatorTool="${p}XMPCreatorTool" "$f"
	for m in Artist Make Model Software Description Copyright \
	    UserComment UniqueID OwnerName SerialNumber GPSMapDatum GPSArea \
	    XMPCreator XMPDescription XMPCity XMPCreatorTool; do
		echo "$p$m"
	done
}

# HEIC as heif-enc writes it (a grid of HEVC tiles), then exiftool's Exif
# and XMP items in mdat.
n=heic-exif-xmp.heic
heif-enc -q 80 "$T/p1.png" -o "$D/$n" >/dev/null
heifmeta "$D/$n" MKMheic >"$T/m"
meta $n $(cat "$T/m")
body $n pixels

# A larger picture (HEVC tiles of a real grid) with a thumbnail item, and
# XMP compressed (a mime item with content_encoding deflate).
n=heic-grid-thumb.heic
$CONVERT "$T/p2.png" -resize 600x400! "PNG24:$T/big.png"
heif-enc -q 60 -t 64 --enable-metadata-compression "$T/big.png" \
    -o "$D/$n" >/dev/null
heifmeta "$D/$n" MKMheicGrid >"$T/m"
meta $n $(cat "$T/m")
body $n pixels

# AVIF: the same boxes around AV1.
n=avif-exif-xmp.avif
heif-enc -A -q 80 "$T/p2.png" -o "$D/$n" >/dev/null
heifmeta "$D/$n" MKMavif >"$T/m"
meta $n $(cat "$T/m")
body $n pixels
