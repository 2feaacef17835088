#!/bin/sh
# tests/corpus/gen-images.sh DIR — JPEG, PNG, GIF and WebP samples for the
# stripper's corpus (see tests/corpus/README.md): a metadata marker in
# every field exiftool, ImageMagick or a crafted chunk can carry, and
# "pixels" or "frames" as the content check.
#
# exiftool writes the standard fields; a small python3 script splices in
# what no tool writes (private APPn segments, JFIF/JFXX thumbnails, PNG
# private chunks, GIF application extensions, unknown WebP chunks, bytes
# after the end of the image), each holding a marker too.
set -eu

if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: gen-images.sh DIR" >&2
	exit 2
fi
D=$1
CONVERT=/usr/bin/convert
ICC=/usr/share/color/icc/ghostscript/srgb.icc
CMYK_ICC=/usr/share/color/icc/ghostscript/default_cmyk.icc
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for t in exiftool python3 "$CONVERT" "$ICC" "$CMYK_ICC"; do
	[ -e "$t" ] || command -v "$t" >/dev/null 2>&1 || {
		echo "gen-images.sh: $t is missing" >&2
		exit 1
	}
done

# exif_args PREFIX: exiftool arguments planting MKM<PREFIX><Field> in the
# EXIF, GPS, XMP, IPTC and Photoshop fields; the markers go to $T/markers.
exif_args() {
	p=$1
	: >"$T/markers"
	for f in EXIF:Artist EXIF:Make EXIF:Model EXIF:Software \
	    EXIF:ImageDescription EXIF:Copyright EXIF:HostComputer \
	    EXIF:DocumentName EXIF:XPAuthor EXIF:XPComment EXIF:XPSubject \
	    ExifIFD:UserComment ExifIFD:OwnerName ExifIFD:SerialNumber \
	    ExifIFD:LensModel ExifIFD:ImageUniqueID ExifIFD:LensSerialNumber \
	    GPS:GPSAreaInformation GPS:GPSProcessingMethod GPS:GPSMapDatum \
	    XMP-dc:Creator XMP-dc:Description XMP-dc:Rights XMP-dc:Title \
	    XMP-xmp:CreatorTool XMP-photoshop:City XMP-iptcCore:CreatorCity; do
		m=MKM$p$(echo "$f" | tr -dc 'A-Za-z0-9')
		echo "$m" >>"$T/markers"
		printf -- '-%s=%s\n' "$f" "$m"
	done
	printf -- '-GPS:GPSLatitude=48.8566\n-GPS:GPSLatitudeRef=N\n'
	printf -- '-GPS:GPSLongitude=2.3522\n-GPS:GPSLongitudeRef=E\n'
	printf -- '-EXIF:DateTimeOriginal=2021:02:03 04:05:06\n'
}

# iptc_args PREFIX: IPTC (JPEG's APP13) and Photoshop fields.
iptc_args() {
	p=$1
	for f in IPTC:By-line IPTC:Caption-Abstract IPTC:City IPTC:Keywords \
	    IPTC:Writer-Editor Photoshop:URL; do
		m=MKM$p$(echo "$f" | tr -dc 'A-Za-z0-9')
		echo "$m" >>"$T/markers"
		printf -- '-%s=%s\n' "$f" "$m"
	done
}

# tag FILE ARGFILE: run exiftool on FILE with the arguments in ARGFILE.
tag() {
	exiftool -q -q -m -overwrite_original -@ "$2" "$1" >/dev/null
}

# done_sample NAME BODY: write NAME.meta from $T/markers, NAME.body.
done_sample() {
	sort -u "$T/markers" >"$D/$1.meta"
	echo "$2" >"$D/$1.body"
}

# The splicer: python3 splice.py FORMAT FILE PREFIX adds crafted segments
# and chunks to FILE in place and appends their markers to $T/markers.
cat >"$T/splice.py" <<'PYEOF'
import struct, sys, zlib

fmt, path, pre, markers = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
data = open(path, "rb").read()
planted = []

def mk(field):
    # A NUL after each marker, so the bytes that follow never lengthen it.
    m = ("MKM" + pre + field).encode()
    planted.append(m.decode())
    return m + b"\0"

def seg(marker, payload):
    return bytes([0xff, marker]) + struct.pack(">H", len(payload) + 2) + payload

def jpeg(d):
    assert d[:2] == b"\xff\xd8"
    rest = d[2:]
    if rest[:2] == b"\xff\xe0":            # drop the tool's JFIF
        rest = rest[2 + struct.unpack(">H", rest[2:4])[0]:]
    thumb = (mk("JfifThumb") + b"\0" * 48)[:48]   # 4x4 RGB
    s = seg(0xe0, b"JFIF\0\x01\x02\0\0\x01\0\x01\x04\x04" + thumb)
    s += seg(0xe0, b"JFXX\0\x13" + mk("JfxxThumb"))
    s += seg(0xe2, b"FPXR\0\0" + mk("FlashPix"))
    s += seg(0xe2, b"MPF\0" + mk("Mpf"))
    s += seg(0xe3, mk("App3"))
    s += seg(0xe1, b"http://ns.adobe.com/xmp/extension/\0" + mk("ExtXmp"))
    s += seg(0xec, b"Ducky\0" + mk("Ducky"))
    s += seg(0xef, mk("App15"))
    s += seg(0xfe, mk("Comment2"))
    return b"\xff\xd8" + s + rest + mk("Trailer") + b"\0" * 8

def chunk(t, payload):
    c = t + payload
    return struct.pack(">I", len(payload)) + c + struct.pack(">I",
        zlib.crc32(c) & 0xffffffff)

def tiff_artist(m):
    # A big-endian TIFF with one IFD: Artist (ASCII) pointing past it.
    val = m + b"\0"
    ifd = struct.pack(">HHHII", 1, 0x013b, 2, len(val), 26) + b"\0\0\0\0"
    return b"MM\0*\0\0\0\x08" + ifd + val

def png(d):
    assert d[:8] == b"\x89PNG\r\n\x1a\n"
    n = struct.unpack(">I", d[8:12])[0]
    ihdr_end = 8 + 12 + n
    icc = open(sys.argv[5], "rb").read()
    s = chunk(b"iCCP", mk("IccpName") + b"\0" + zlib.compress(icc))
    # Keywords exiftool does not write, so its dump keeps each apart.
    s += chunk(b"tEXt", b"Warning\0" + mk("TextWarning")[:-1])
    s += chunk(b"tEXt", b"Disclaimer\0" + mk("TextDisclaimer")[:-1])
    s += chunk(b"zTXt", b"Collection\0\0" +
               zlib.compress(mk("Ztxt")[:-1]))
    s += chunk(b"iTXt", b"Label\0\0\0en\0" + mk("ItxtKey") +
               mk("Itxt")[:-1])
    s += chunk(b"iTXt", b"Notes\0\1\0\0\0" +
               zlib.compress(mk("ItxtZ")[:-1]))
    s += chunk(b"tIME", b"\x07\xe5\x02\x03\x04\x05\x06")
    s += chunk(b"prVt", mk("Private"))
    s += chunk(b"caBX", mk("Jumbf"))
    d = d[:ihdr_end] + s + d[ihdr_end:]
    return d + mk("Trailer")

def apng(d):
    # Two frames from one PNG: acTL, fcTL + IDAT, fcTL + fdAT.
    chunks, p = [], 8
    while p < len(d):
        n = struct.unpack(">I", d[p:p + 4])[0]
        chunks.append((d[p + 4:p + 8], d[p + 8:p + 8 + n]))
        p += 12 + n
    ihdr = [c for t, c in chunks if t == b"IHDR"][0]
    idat = b"".join(c for t, c in chunks if t == b"IDAT")
    w, h = struct.unpack(">II", ihdr[:8])
    def fctl(seq):
        return chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, w, h, 0, 0,
                                          1, 10, 0, 0))
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    out += chunk(b"acTL", struct.pack(">II", 2, 0))
    out += fctl(0) + chunk(b"IDAT", idat)
    out += fctl(1) + chunk(b"fdAT", struct.pack(">I", 2) + idat)
    return out + chunk(b"IEND", b"")

def gif(d):
    assert d[:6] in (b"GIF87a", b"GIF89a")
    flags = d[10]
    pos = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    def subblocks(b):
        out = b""
        for i in range(0, len(b), 255):
            part = b[i:i + 255]
            out += bytes([len(part)]) + part
        return out + b"\0"
    s = b"\x21\xfe" + subblocks(mk("Comment2"))
    app = mk("AppId")[:11]
    planted[-1] = app.decode()
    s += b"\x21\xff\x0b" + app + subblocks(mk("AppData"))
    s += b"\x21\xff\x0bICCRGBG1012" + subblocks(mk("Icc"))
    s += b"\x21\x42" + subblocks(mk("UnknownExt"))
    # A NETSCAPE block with the loop count and a block it does not define.
    s += (b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00" +
          bytes([len(mk("LoopExtra")) + 1, 9]) + planted[-1].encode() +
          b"\0\0")
    d = d[:pos] + s + d[pos:]
    return d + mk("Trailer")

def webp(d):
    assert d[:4] == b"RIFF" and d[8:12] == b"WEBP"
    body = d[12:]
    def ck(t, payload):
        pad = b"\0" if len(payload) & 1 else b""
        return t + struct.pack("<I", len(payload)) + payload + pad
    body += ck(b"prIV", mk("UnknownChunk"))
    body += ck(b"META", mk("Meta"))
    return b"RIFF" + struct.pack("<I", len(body) + 4) + b"WEBP" + body + \
        mk("Trailer")

data = {"jpeg": jpeg, "png": png, "apng": apng, "gif": gif,
        "webp": webp}[fmt](data)
open(path, "wb").write(data)
with open(markers, "a") as f:
    for m in planted:
        f.write(m + "\n")
PYEOF

splice() {
	python3 "$T/splice.py" "$1" "$2" "$3" "$T/markers" "$ICC"
}

# ---- JPEG ---------------------------------------------------------------
# Every field, plus the crafted segments and a trailer.
name=jpeg-allfields.jpg
"$CONVERT" -size 96x64 gradient:red-blue -quality 85 "$D/$name"
exif_args jpegAll >"$T/args"
iptc_args jpegAll >>"$T/args"
echo -Comment=MKMjpegAllComment >>"$T/args"
echo MKMjpegAllComment >>"$T/markers"
tag "$D/$name" "$T/args"
splice jpeg "$D/$name" jpegAll
done_sample $name pixels

# CMYK with an Adobe APP14 (its colour transform must stay) and an ICC
# profile (kept).
name=jpeg-cmyk-icc.jpg
"$CONVERT" -size 72x48 gradient:red-blue -colorspace CMYK \
    -profile "$CMYK_ICC" -quality 90 "$D/$name"
exif_args jpegCmyk >"$T/args"
iptc_args jpegCmyk >>"$T/args"
tag "$D/$name" "$T/args"
done_sample $name pixels

# Orientation 6 must survive, alone.
name=jpeg-orientation.jpg
"$CONVERT" -size 80x48 gradient:green-yellow -quality 85 "$D/$name"
# Little-endian Exif, as many phones write it.
echo -ExifByteOrder=II >"$T/args"
exif_args jpegOr >>"$T/args"
echo -Orientation=6 >>"$T/args"
exiftool -q -q -m -overwrite_original -n -@ "$T/args" "$D/$name" >/dev/null
done_sample $name pixels

# An Exif thumbnail (itself carrying a comment marker).
name=jpeg-thumbnail.jpg
"$CONVERT" -comment MKMjpegThumbInner -size 16x12 gradient:white-black \
    "$T/thumb.jpg"
"$CONVERT" -size 120x90 gradient:orange-purple -quality 85 "$D/$name"
exif_args jpegTh >"$T/args"
echo MKMjpegThumbInner >>"$T/markers"
tag "$D/$name" "$T/args"
exiftool -q -q -overwrite_original "-ThumbnailImage<=$T/thumb.jpg" "$D/$name"
done_sample $name pixels

# Progressive (several scans), big-endian Exif from exiftool is the
# default; this one has restart markers too.
name=jpeg-progressive.jpg
"$CONVERT" -size 128x96 gradient:cyan-magenta -interlace JPEG \
    -define jpeg:restart-interval=2 -quality 80 "$D/$name"
exif_args jpegProg >"$T/args"
iptc_args jpegProg >>"$T/args"
tag "$D/$name" "$T/args"
done_sample $name pixels

# ---- PNG ----------------------------------------------------------------
name=png-allfields.png
"$CONVERT" -size 64x48 gradient:red-blue "$D/$name"
exif_args pngAll >"$T/args"
for f in PNG:Author PNG:Comment PNG:Title PNG:Copyright PNG:Source \
    PNG:Software PNG:Description; do
	m=MKMpngAll$(echo "$f" | tr -dc 'A-Za-z0-9')
	echo "$m" >>"$T/markers"
	printf -- '-%s=%s\n' "$f" "$m" >>"$T/args"
done
tag "$D/$name" "$T/args"
splice png "$D/$name" pngAll
done_sample $name pixels

# A palette image with transparency (PLTE, tRNS kept).
name=png-palette.png
"$CONVERT" -size 40x30 gradient:black-white -colors 8 -transparent black \
    PNG8:"$D/$name"
exif_args pngPal >"$T/args"
tag "$D/$name" "$T/args"
done_sample $name pixels

# An animated PNG (acTL, fcTL, fdAT kept), crafted from a plain one.
name=png-animated.png
"$CONVERT" -size 32x24 gradient:yellow-blue "$D/$name"
: >"$T/markers"
splice apng "$D/$name" pngAnim
exif_args pngAnim >"$T/args"
tag "$D/$name" "$T/args"
splice png "$D/$name" pngAnim
done_sample $name pixels

# ---- GIF ----------------------------------------------------------------
name=gif-allfields.gif
"$CONVERT" -comment MKMgifAllComment -size 48x32 gradient:blue-yellow \
    -colors 32 "$D/$name"
: >"$T/markers"
echo MKMgifAllComment >>"$T/markers"
for f in XMP-dc:Creator XMP-dc:Description XMP-xmp:CreatorTool; do
	m=MKMgifAll$(echo "$f" | tr -dc 'A-Za-z0-9')
	echo "$m" >>"$T/markers"
	printf -- '-%s=%s\n' "$f" "$m"
done >"$T/args"
tag "$D/$name" "$T/args"
splice gif "$D/$name" gifAll
done_sample $name pixels

name=gif-animated.gif
"$CONVERT" -comment MKMgifAnimComment -delay 20 -size 32x24 xc:red \
    gradient:green-white xc:blue -loop 0 "$D/$name"
: >"$T/markers"
echo MKMgifAnimComment >>"$T/markers"
echo -XMP-dc:Creator=MKMgifAnimXmpCreator >"$T/args"
echo MKMgifAnimXmpCreator >>"$T/markers"
tag "$D/$name" "$T/args"
splice gif "$D/$name" gifAnim
done_sample $name frames

# ---- WebP ---------------------------------------------------------------
name=webp-allfields.webp
"$CONVERT" -size 64x48 gradient:red-blue -quality 80 "$D/$name"
exif_args webpAll >"$T/args"
tag "$D/$name" "$T/args"
splice webp "$D/$name" webpAll
done_sample $name pixels

name=webp-lossless-alpha.webp
"$CONVERT" -size 40x40 gradient:none-green -define webp:lossless=true \
    "$D/$name"
exif_args webpLl >"$T/args"
tag "$D/$name" "$T/args"
done_sample $name pixels

name=webp-animated.webp
"$CONVERT" -delay 20 -size 32x24 xc:red gradient:green-white xc:blue \
    -loop 0 "$D/$name"
exif_args webpAnim >"$T/args"
tag "$D/$name" "$T/args"
splice webp "$D/$name" webpAnim
done_sample $name frames
