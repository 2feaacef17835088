#!/bin/sh
# gen-media.sh DIR — MP3, FLAC and MP4/MOV/M4A samples for the stripper's
# corpus (see README.md): a marker in every tag field we know, audio/video
# content checked by decoded md5.
#
# Tools: ffmpeg, exiftool, metaflac (package flac), python3.
set -eu

D=${1:?usage: gen-media.sh DIR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

FF="ffmpeg -nostdin -hide_banner -loglevel error -y"
for t in ffmpeg exiftool metaflac python3; do
	command -v $t >/dev/null || { echo "gen-media: $t missing" >&2; exit 1; }
done

# meta NAME MARKER... : the .meta file; body NAME KIND : the .body file.
meta() { n=$1; shift; printf '%s\n' "$@" >"$D/$n.meta"; }
body() { printf '%s\n' "$2" >"$D/$1.body"; }

# Sources: a second of tone, a second of test pattern, a cover picture.
$FF -f lavfi -i "sine=frequency=440:duration=1" -ac 2 "$T/tone.wav"
$FF -f lavfi -i "testsrc=size=160x120:rate=10:duration=1" "$T/pat.mkv"
$FF -f lavfi -i "color=c=red:size=32x32" -frames:v 1 "$T/cover.png"
$FF -i "$T/cover.png" "$T/cover.jpg"

# The tag writers ffmpeg lacks: APEv2, Lyrics3 v2, appended ID3v2.4 with
# a footer, ID3v1 (with the TAG+ enhanced tag), a leading ID3v2.4 with
# footer, a FLAC APPLICATION block.
cat >"$T/tags.py" <<'EOF'
import struct, sys

def syncsafe(n):
    return bytes([(n >> 21) & 127, (n >> 14) & 127, (n >> 7) & 127, n & 127])

def id3v24(frames, footer):
    body = b''
    for fid, text in frames:
        data = b'\x03' + text.encode()
        body += fid.encode() + syncsafe(len(data)) + b'\0\0' + data
    flags = 0x10 if footer else 0
    hdr = b'ID3\x04\x00' + bytes([flags]) + syncsafe(len(body))
    return hdr + body + (b'3DI' + hdr[3:] if footer else b'')

def ape(items):
    body = b''
    for k, v in items:
        body += struct.pack('<II', len(v), 0) + k.encode() + b'\0' + v.encode()
    size = len(body) + 32
    def hf(flags):
        return b'APETAGEX' + struct.pack('<IIII', 2000, size, len(items),
                                         flags) + b'\0' * 8
    return hf(0xa0000000) + body + hf(0x80000000)

def lyrics3v2(lyr, inf):
    f = b'LYR' + b'%05d' % len(lyr) + lyr.encode()
    f += b'INF' + b'%05d' % len(inf) + inf.encode()
    t = b'LYRICSBEGIN' + f
    return t + b'%06d' % len(t) + b'LYRICS200'

def id3v1(title, artist, album, comment):
    def fx(s, n):
        return s.encode()[:n].ljust(n, b'\0')
    return (b'TAG' + fx(title, 30) + fx(artist, 30) + fx(album, 30) +
            b'2020' + fx(comment, 28) + b'\0\x01\x0c')

def tagplus(title):
    return (b'TAG+' + title.encode().ljust(60, b'\0') + b'\0' * 120 +
            b'\0' + b'\0' * 30 + b'000:00' + b'000:00')

def mp3_tail(src, dst):
    a = open(src, 'rb').read()
    if a[-128:-125] == b'TAG':
        a = a[:-128]
    lead = id3v24([('TIT2', 'MKMmp3LeadV24Title'),
                   ('TPE1', 'MKMmp3LeadV24Artist')], False)
    out = lead + a
    out += id3v24([('TXXX', 'MKMmp3TailV24Txxx')], True)
    out += ape([('Artist', 'MKMmp3ApeArtist'), ('Comment', 'MKMmp3ApeCmt')])
    out += lyrics3v2('MKMmp3Lyrics3Lyr', 'MKMmp3Lyrics3Inf')
    out += tagplus('MKMmp3TagPlusTitle')
    out += id3v1('MKMmp3V1Title', 'MKMmp3V1Artist', 'MKMmp3V1Album',
                 'MKMmp3V1Comment')
    assert len(tagplus('x')) == 227
    open(dst, 'wb').write(out)

def mp3_ape(src, dst):
    a = open(src, 'rb').read()
    v1 = b''
    if a[-128:-125] == b'TAG':
        a, v1 = a[:-128], a[-128:]
    a += ape([('Title', 'MKMmp3ApeTitle'), ('Album', 'MKMmp3ApeAlbum')])
    open(dst, 'wb').write(a + v1)

def flac_extra(src, dst):
    a = open(src, 'rb').read()
    assert a[:4] == b'fLaC'
    p, blocks = 4, []
    while True:
        h = a[p]; n = int.from_bytes(a[p + 1:p + 4], 'big')
        blocks.append((h & 0x7f, a[p + 4:p + 4 + n]))
        p += 4 + n
        if h & 0x80:
            break
    blocks.append((2, b'MKMa' + b'MKMflacAppData'))
    blocks.append((1, b'MKMflacPadding'.ljust(64, b'\0')))
    out = b'fLaC'
    for i, (t, d) in enumerate(blocks):
        last = 0x80 if i == len(blocks) - 1 else 0
        out += bytes([t | last]) + len(d).to_bytes(3, 'big') + d
    lead = id3v24([('TIT2', 'MKMflacId3Title')], False)
    open(dst, 'wb').write(lead + out + a[p:])

{'mp3_tail': mp3_tail, 'mp3_ape': mp3_ape,
 'flac_extra': flac_extra}[sys.argv[1]](*sys.argv[2:])
EOF
py() { python3 "$T/tags.py" "$@"; }

# --- MP3 -------------------------------------------------------------------
# ID3v2.3 from ffmpeg with a cover (APIC), ID3v1, then an APEv2 tag.
n=mp3-id3.mp3
$FF -i "$T/tone.wav" -i "$T/cover.jpg" -map 0:a -map 1:v -c:a libmp3lame \
    -b:a 96k -c:v copy -id3v2_version 3 -write_id3v1 1 \
    -metadata title=MKMmp3Title -metadata artist=MKMmp3Artist \
    -metadata album=MKMmp3Album -metadata comment=MKMmp3Comment \
    -metadata encoded_by=MKMmp3EncodedBy -metadata composer=MKMmp3Composer \
    -metadata publisher=MKMmp3Publisher -metadata copyright=MKMmp3Copyright \
    -metadata genre=MKMmp3Genre -metadata MKMmp3TxxxKey=MKMmp3TxxxVal \
    -metadata:s:v title=MKMmp3ApicDesc -metadata:s:v comment="Cover (front)" \
    "$T/a.mp3"
py mp3_ape "$T/a.mp3" "$D/$n"
meta $n MKMmp3Title MKMmp3Artist MKMmp3Album MKMmp3Comment MKMmp3EncodedBy \
    MKMmp3Composer MKMmp3Publisher MKMmp3Copyright MKMmp3Genre \
    MKMmp3TxxxKey MKMmp3TxxxVal MKMmp3ApicDesc MKMmp3ApeTitle MKMmp3ApeAlbum
body $n audio

# Every tag at once: a second ID3v2.4 before ffmpeg's (with a footer
# there libmagic no longer says audio/mpeg: unit tests cover that case),
# then appended ID3v2.4, APEv2, Lyrics3 v2, TAG+ and ID3v1 at the end.
n=mp3-alltags.mp3
$FF -i "$T/tone.wav" -c:a libmp3lame -b:a 160k -id3v2_version 4 \
    -metadata title=MKMmp3V24Title -metadata date=MKMmp3V24Date "$T/b.mp3"
py mp3_tail "$T/b.mp3" "$D/$n"
meta $n MKMmp3V24Title MKMmp3V24Date MKMmp3LeadV24Title \
    MKMmp3LeadV24Artist MKMmp3TailV24Txxx MKMmp3ApeArtist MKMmp3ApeCmt \
    MKMmp3Lyrics3Lyr MKMmp3Lyrics3Inf MKMmp3TagPlusTitle MKMmp3V1Title \
    MKMmp3V1Artist MKMmp3V1Album MKMmp3V1Comment
body $n audio

# --- FLAC ------------------------------------------------------------------
n=flac-tags.flac
$FF -i "$T/tone.wav" -ar 48000 -c:a flac -metadata title=MKMflacTitle \
    -metadata artist=MKMflacArtist -metadata comment=MKMflacComment \
    -metadata MKMflacCustomKey=MKMflacCustomVal "$T/c.flac"
metaflac --set-tag=ORGANIZATION=MKMflacOrganization \
    --import-picture-from="3||MKMflacPictureDesc||$T/cover.png" "$T/c.flac"
printf 'CATALOG MKMflacCatalog\nFILE "x.wav" WAVE\n  TRACK 01 AUDIO\n    ISRC MKMFL2000001\n    INDEX 01 00:00:00\n' \
    >"$T/c.cue"
metaflac --import-cuesheet-from="$T/c.cue" "$T/c.flac"
py flac_extra "$T/c.flac" "$D/$n"
meta $n MKMflacTitle MKMflacArtist MKMflacComment MKMflacCustomKey \
    MKMflacCustomVal MKMflacOrganization MKMflacPictureDesc MKMflacCatalog \
    MKMFL2000001 MKMflacAppData MKMflacPadding MKMflacId3Title
body $n audio

# --- MP4 / MOV / M4A -------------------------------------------------------
# exiftool QuickTime tags: Keys (moov/meta), UserData (udta), ItemList
# (udta/meta/ilst), XMP (uuid). GPS has no room for a marker: checked by
# its absence.
qt_tags() {
	exiftool -q -overwrite_original -api QuickTimeUTC \
	    "-Keys:GPSCoordinates=52.1 N, 4.3 E, 10" \
	    "-UserData:GPSCoordinates=52.1 N, 4.3 E, 10" \
	    -Keys:Author=MKM${1}KeysAuthor -Keys:Description=MKM${1}KeysDesc \
	    -UserData:Author=MKM${1}UdtaAuthor -UserData:Make=MKM${1}UdtaMake \
	    -ItemList:Composer=MKM${1}IlstComposer \
	    -XMP-dc:Creator=MKM${1}XmpCreator "$2"
}
qt_meta() {
	echo MKM${1}Title MKM${1}Artist MKM${1}Comment MKM${1}KeysAuthor \
	    MKM${1}KeysDesc MKM${1}UdtaAuthor MKM${1}UdtaMake \
	    MKM${1}IlstComposer MKM${1}XmpCreator | tr ' ' '\n' >"$D/$2.meta"
}
ffmeta() {
	echo -metadata title=MKM${1}Title -metadata artist=MKM${1}Artist \
	    -metadata comment=MKM${1}Comment \
	    -metadata creation_time=2020-01-01T00:00:00Z \
	    -metadata location=+52.1000+004.3000/
}

for x in mp4 mov; do
	n=video.$x
	$FF -i "$T/pat.mkv" -i "$T/tone.wav" -c:v libx264 -preset ultrafast \
	    -pix_fmt yuv420p -c:a aac -b:a 64k -shortest \
	    $(ffmeta ${x}) "$D/$n"
	qt_tags $x "$D/$n"
	qt_meta $x $n
	body $n video
done

n=audio.m4a
$FF -i "$T/tone.wav" -i "$T/cover.png" -map 0:a -map 1:v -c:a aac \
    -b:a 64k -c:v copy -disposition:v attached_pic $(ffmeta m4a) "$D/$n"
qt_tags m4a "$D/$n"
qt_meta m4a $n
body $n audio

# 3GPP: its own udta boxes (titl, auth, cprt, albm...).
n=phone.3gp
$FF -i "$T/pat.mkv" -i "$T/tone.wav" -c:v libx264 -preset ultrafast \
    -pix_fmt yuv420p -c:a aac -ar 16000 -ac 1 -b:a 24k -shortest \
    -metadata title=MKM3gpTitle -metadata author=MKM3gpAuthor \
    -metadata copyright=MKM3gpCopyright -metadata album=MKM3gpAlbum \
    -metadata comment=MKM3gpComment -f 3gp "$D/$n"
meta $n MKM3gpTitle MKM3gpAuthor MKM3gpCopyright MKM3gpAlbum MKM3gpComment
body $n video
