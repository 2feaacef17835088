#!/bin/sh
# gen-pdf.sh DIR — PDF samples for the stripper's corpus (see README.md):
# a marker in every identifying place a PDF has (Info, XMP on the catalog
# and on objects, PieceInfo, LastModified, the document ID, annotation
# authors and dates, embedded files' dates, description, path and own
# metadata, JPEG images' EXIF, page thumbnails, signatures, article
# threads, incremental updates holding older Info), and the visible text
# "MKBpdfText" as real text (Helvetica, no picture of it).
#
# Variants of the full sample: object streams, linearized, encrypted with
# an empty user password (RC4 and AES-256), damaged (wrong xref offsets, so
# qpdf warns and recovers), incremental updates (hand-written and by
# exiftool), and one that needs a password (not supported).
#
# Tools: python3, qpdf, exiftool, ImageMagick (/usr/bin/convert).
set -eu

D=${1:?usage: gen-pdf.sh DIR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for t in python3 qpdf exiftool /usr/bin/convert; do
	command -v $t >/dev/null || { echo "gen-pdf: $t missing" >&2; exit 1; }
done

# meta NAME MARKER... : the .meta file; body NAME : the .body file.
meta() { n=$1; shift; printf '%s\n' "$@" | sed '/^$/d' >"$D/$n.meta"; }
body() { printf 'text MKBpdfText\n' >"$D/$1.body"; }

# Pictures for an image XObject and an attachment, with EXIF markers.
/usr/bin/convert -size 8x8 xc:red "$T/img.jpg"
exiftool -q -overwrite_original -Artist=MKMpdfImageExifArtist \
    -Model=MKMpdfImageExifModel "$T/img.jpg"
/usr/bin/convert -size 8x8 xc:blue "$T/att.jpg"
exiftool -q -overwrite_original -Artist=MKMpdfAttJpegArtist "$T/att.jpg"

cat >"$T/mk.py" <<'EOF'
"""Hand-written PDFs. Objects are named; '@name' in a body is a reference
to that object, numbered in order of first definition."""
import re, sys, zlib

class Pdf:
    def __init__(self):
        self.order, self.body = [], {}

    def obj(self, name, body):
        if name not in self.body:
            self.order.append(name)
        self.body[name] = body if isinstance(body, bytes) else body.encode()

    def stream(self, name, extra, data, flate=False):
        if flate:
            data = zlib.compress(data, 9)
            extra += " /Filter /FlateDecode"
        self.obj(name, b"<< %s /Length %d >>\nstream\n" % (extra.encode(),
                 len(data)) + data + b"\nendstream")

    def num(self, name):
        return self.order.index(name) + 1

    def refs(self, b):
        return re.sub(rb"@([A-Za-z0-9]+)",
                      lambda m: b"%d 0 R" % self.num(m.group(1).decode()), b)

    def write(self, path, trailer):
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offs = []
        for i, n in enumerate(self.order):
            offs.append(len(out))
            out += b"%d 0 obj\n" % (i + 1) + self.refs(self.body[n]) + \
                b"\nendobj\n"
        x = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(offs) + 1)
        for o in offs:
            out += b"%010d 00000 n \n" % o
        out += b"trailer\n<< /Size %d %s >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(offs) + 1, self.refs(trailer.encode()), x)
        with open(path, "wb") as f:
            f.write(out)
        return bytes(out)

def update(path, objs, trailer):
    """Append an incremental update: objs is {number: body}."""
    with open(path, "rb") as f:
        old = f.read()
    prev = int(re.findall(rb"startxref\s+(\d+)", old)[-1])
    out = bytearray(old)
    offs = {}
    for n, b in sorted(objs.items()):
        offs[n] = len(out)
        out += b"%d 0 obj\n" % n + b.encode() + b"\nendobj\n"
    x = len(out)
    out += b"xref\n0 1\n0000000000 65535 f \n"
    for n in sorted(offs):
        out += b"%d 1\n%010d 00000 n \n" % (n, offs[n])
    out += b"trailer\n<< %s /Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (
        trailer.encode(), prev, x)
    with open(path, "wb") as f:
        f.write(out)

def xmp(creator, tool, extra=""):
    return ("""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">
<dc:creator><rdf:Seq><rdf:li>%s</rdf:li></rdf:Seq></dc:creator>
<xmp:CreatorTool>%s</xmp:CreatorTool>%s
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""" % (creator, tool, extra)).encode()

def utf16hex(s):
    return "<FEFF" + s.encode("utf-16-be").hex().upper() + ">"

def jpeg_info(data):
    """(width, height, components) from the SOFn segment."""
    i = 2
    while i + 9 < len(data):
        m, ln = data[i + 1], int.from_bytes(data[i + 2:i + 4], "big")
        if 0xc0 <= m <= 0xcf and m not in (0xc4, 0xc8, 0xcc):
            h = int.from_bytes(data[i + 5:i + 7], "big")
            w = int.from_bytes(data[i + 7:i + 9], "big")
            return w, h, data[i + 9]
        i += 2 + ln
    raise SystemExit("gen-pdf: no SOF in a JPEG")

def simple(path, author, title, marker_text="MKBpdfText"):
    """A one-page document with an Info dictionary."""
    p = Pdf()
    p.obj("cat", "<< /Type /Catalog /Pages @pages >>")
    p.obj("pages", "<< /Type /Pages /Kids [@page] /Count 1 >>")
    p.obj("page", "<< /Type /Page /Parent @pages /MediaBox [0 0 612 792]"
          " /Resources << /Font << /F1 @font >> >> /Contents @content >>")
    p.stream("content", "", b"BT /F1 24 Tf 72 700 Td (Hello %s) Tj ET"
             % marker_text.encode())
    p.obj("font", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    p.obj("info", "<< /Author (%s) /Title (%s) >>" % (author, title))
    return p.write(path, "/Root @cat /Info @info")

def full(path, tmp):
    p = Pdf()
    p.obj("cat", "<< /Type /Catalog /Pages @pages /Metadata @catxmp"
          " /Names << /EmbeddedFiles << /Names [(notes.txt) @fs1"
          " (photo.jpg) @fs2 (inner.pdf) @fs3] >> >>"
          " /Threads [@thread] /AcroForm << /Fields [@sigfield]"
          " /SigFlags 3 >> /Perms << /DocMDP @sig >>"
          " /PieceInfo << /MKApp << /Private (MKMpdfCatalogPieceInfo)"
          " /LastModified (D:20200101000000Z) >> >>"
          " /SpiderInfo << /V 1.0 /C [<< /URL (MKMpdfSpiderUrl) >>] >>"
          " /DSS << /Certs [@dsscert] >> >>")
    p.stream("dsscert", "", b"MKMpdfDssCertificate")
    p.obj("pages", "<< /Type /Pages /Kids [@page] /Count 1 >>")
    p.obj("page", "<< /Type /Page /Parent @pages /MediaBox [0 0 612 792]"
          " /Resources << /Font << /F1 @font >> /XObject << /Im1 @img"
          " /Fm1 @form /Im2 @jpeg >> >> /Contents @content"
          " /Metadata @pagexmp /Thumb @thumb"
          " /LastModified (MKMpdfPageLastModified)"
          " /PieceInfo << /Illustrator << /LastModified (D:20200101)"
          " /Private << /Data (MKMpdfPagePieceInfo) >> >> >>"
          " /B [@bead] /Annots [@note @popup @sigfield"
          " << /Type /Annot /Subtype /FreeText /Rect [300 600 500 640]"
          " /T (MKMpdfDirectAnnotAuthor) /M (MKMpdfDirectAnnotDate)"
          " /DA (/F1 12 Tf 0 g) /Contents (a free text comment) >>"
          " << /Subtype /Link /Rect [72 100 200 120] /A << /S /GoToR"
          " /F (/C/Users/MKMpdfLinkPathUser/other.pdf) /D [0 /Fit] >> >>"
          " << /Subtype /Link /Rect [72 130 200 150] /A << /S /Launch"
          " /Win << /F (C:\\\\Users\\\\MKMpdfLaunchUser\\\\run.exe)"
          " /D (C:\\\\Users\\\\MKMpdfLaunchDir) >> >> >>] >>")
    p.stream("content", "", b"BT /F1 24 Tf 72 700 Td (Hello MKBpdfText) Tj"
             b" ET q 20 0 0 20 72 600 cm /Im1 Do Q /Fm1 Do"
             b" q 40 0 0 40 72 500 cm /Im2 Do Q", flate=True)
    p.obj("font", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica"
          " /FontDescriptor @fontdesc >>")
    p.obj("fontdesc", "<< /Type /FontDescriptor /FontName /Helvetica"
          " /Flags 32 /FontBBox [-166 -225 1000 931] /ItalicAngle 0"
          " /Ascent 718 /Descent -207 /CapHeight 718 /StemV 88"
          " /Metadata @fontxmp >>")
    p.stream("img", "/Type /XObject /Subtype /Image /Width 2 /Height 2"
             " /ColorSpace /DeviceGray /BitsPerComponent 8"
             " /Metadata @imgxmp", b"\x00\xff\xff\x00")
    p.stream("form", "/Type /XObject /Subtype /Form /BBox [0 0 100 100]"
             " /Metadata @formxmp /LastModified (MKMpdfFormLastModified)"
             " /PieceInfo << /MKApp << /Private (MKMpdfFormPieceInfo) >> >>",
             b"0 0 1 rg 300 300 50 50 re f")
    with open(tmp + "/img.jpg", "rb") as f:
        jpg = f.read()
    w, h, nc = jpeg_info(jpg)
    p.stream("jpeg", "/Type /XObject /Subtype /Image /Width %d /Height %d"
             " /ColorSpace /%s /BitsPerComponent 8 /Filter /DCTDecode"
             % (w, h, "DeviceRGB" if nc == 3 else "DeviceGray"), jpg)
    # A thumbnail whose pixels spell a marker: old pictures of the page.
    p.stream("thumb", "/Width 21 /Height 1 /ColorSpace /DeviceGray"
             " /BitsPerComponent 8", b"MKMpdfThumbnailPixels")
    p.stream("catxmp", "/Type /Metadata /Subtype /XML", xmp(
        "MKMpdfXmpCreator", "MKMpdfXmpCreatorTool",
        "\n<xmpMM:DocumentID>uuid:MKMpdfXmpDocumentId</xmpMM:DocumentID>"))
    for n in ("page", "font", "img", "form"):
        m = "MKMpdf%sXmp" % n.capitalize()
        p.stream(n + "xmp", "/Type /Metadata /Subtype /XML", xmp(m, m + "Tool"))
    p.obj("note", "<< /Type /Annot /Subtype /Text /Rect [72 650 92 670]"
          " /T (MKMpdfAnnotAuthor) /M (D:20200101MKMpdfAnnotModDate)"
          " /CreationDate (MKMpdfAnnotCreationDate) /NM (note-1)"
          " /Contents (a sticky note) /Popup @popup /P @page >>")
    p.obj("popup", "<< /Type /Annot /Subtype /Popup /Rect [100 600 300 700]"
          " /Parent @note /T (MKMpdfPopupAuthor) /M (MKMpdfPopupDate) >>")
    p.obj("sigfield", "<< /FT /Sig /T (Signature1) /Type /Annot"
          " /Subtype /Widget /Rect [0 0 0 0] /F 132 /P @page /V @sig >>")
    p.obj("sig", "<< /Type /Sig /Filter /Adobe.PPKLite"
          " /SubFilter /adbe.pkcs7.detached /Name (MKMpdfSigName)"
          " /Reason (MKMpdfSigReason) /Location (MKMpdfSigLocation)"
          " /ContactInfo (MKMpdfSigContact) /M (MKMpdfSigDate)"
          " /ByteRange [0 10 20 10] /Contents <%s>"
          " /Prop_Build << /App << /Name /MKMpdfSigApp >> >> >>"
          % b"MKMpdfSigCertificate".hex())
    p.obj("thread", "<< /Type /Thread /F @bead /I << /Title"
          " (MKMpdfThreadTitle) /Author (MKMpdfThreadAuthor) >> >>")
    p.obj("bead", "<< /Type /Bead /T @thread /N @bead /V @bead /P @page"
          " /R [72 72 540 720] >>")
    p.obj("fs1", "<< /Type /Filespec /F (notes.txt)"
          " /UF (C:\\\\Users\\\\MKMpdfEFPathUser\\\\notes.txt)"
          " /Desc (MKMpdfEFDesc) /EF << /F @ef1 /UF @ef1 >> >>")
    p.stream("ef1", "/Type /EmbeddedFile /Subtype /text#2Fplain"
             " /Params << /CreationDate (D:2020MKMpdfEFCreationDate)"
             " /ModDate (MKMpdfEFModDate) /Size 27"
             " /CheckSum (MKMpdfEFCheckSum) /Mac << /Creator"
             " (MKMpdfEFMacCreator) >> >>", b"an attached note MKBpdfAtt\n",
             flate=True)
    p.obj("fs2", "<< /Type /Filespec /F (photo.jpg) /UF (photo.jpg)"
          " /EF << /F @ef2 >> /CI << /Owner (MKMpdfEFCollectionItem) >> >>")
    with open(tmp + "/att.jpg", "rb") as f:
        p.stream("ef2", "/Type /EmbeddedFile /Subtype /image#2Fjpeg", f.read())
    p.obj("fs3", "<< /Type /Filespec /F (inner.pdf) /EF << /F @ef3 >> >>")
    inner = simple(tmp + "/inner.pdf", "MKMpdfInnerAuthor",
                   "MKMpdfInnerTitle", "MKBpdfInner")
    p.stream("ef3", "/Type /EmbeddedFile /Subtype /application#2Fpdf", inner,
             flate=True)
    p.obj("info", "<< /Author (MKMpdfInfoAuthor) /Creator (MKMpdfInfoCreator)"
          " /Producer (MKMpdfInfoProducer) /Title %s"
          " /Subject (MKMpdfInfoSubject) /Keywords (MKMpdfInfoKeywords)"
          " /Company (MKMpdfInfoCustom) /CreationDate (D:20200101000000Z)"
          " >>" % utf16hex("MKMpdfInfoTitle"))
    p.write(path, "/Root @cat /Info @info"
            " /ID [(MKMpdfDocumentId1) (MKMpdfDocumentId2)]")

def incremental(path):
    """Revision 1 holds an author; revision 2 replaces the Info object;
    revision 3 adds a page XMP stream and comments that were deleted."""
    simple(path, "MKMpdfRev1Author", "MKMpdfRev1Title")
    update(path, {6: "<< /Author (MKMpdfRev2Author) /Title (Draft) >>"},
           "/Size 7 /Root 1 0 R /Info 6 0 R")
    update(path, {6: "<< /Title (Final) >>",
                  7: "<< /Type /Annot /Subtype /Text /Rect [0 0 9 9]"
                     " /T (MKMpdfRev3Author) >>"},
           "/Size 8 /Root 1 0 R /Info 6 0 R")

def damage(src, dst):
    """Every xref offset and startxref wrong: qpdf warns and rebuilds."""
    with open(src, "rb") as f:
        d = f.read()
    d = re.sub(rb"(\d{10}) 00000 n", lambda m: b"%010d 00000 n" %
               (int(m.group(1)) + 7), d)
    d = re.sub(rb"startxref\s+\d+", b"startxref\n12345678", d)
    with open(dst, "wb") as f:
        f.write(d)

cmd, tmp = sys.argv[1], sys.argv[2]
if cmd == "full":
    full(tmp + "/full.pdf", tmp)
    damage(tmp + "/full.pdf", tmp + "/damaged.pdf")
elif cmd == "incremental":
    incremental(sys.argv[3])
EOF

python3 "$T/mk.py" full "$T"
python3 "$T/mk.py" incremental "$T" "$D/incremental-hand.pdf"

FULL="MKMpdfCatalogPieceInfo MKMpdfSpiderUrl MKMpdfPageLastModified
MKMpdfPagePieceInfo MKMpdfDirectAnnotAuthor MKMpdfDirectAnnotDate
MKMpdfFormLastModified MKMpdfFormPieceInfo MKMpdfImageExifArtist
MKMpdfImageExifModel MKMpdfThumbnailPixels MKMpdfXmpCreator
MKMpdfXmpCreatorTool MKMpdfXmpDocumentId MKMpdfPageXmp MKMpdfPageXmpTool
MKMpdfFontXmp MKMpdfFontXmpTool MKMpdfImgXmp MKMpdfImgXmpTool
MKMpdfFormXmp MKMpdfFormXmpTool MKMpdfAnnotAuthor MKMpdfAnnotModDate
MKMpdfAnnotCreationDate MKMpdfPopupAuthor MKMpdfPopupDate MKMpdfSigName
MKMpdfSigReason MKMpdfSigLocation MKMpdfSigContact MKMpdfSigDate
MKMpdfSigCertificate MKMpdfSigApp MKMpdfThreadTitle MKMpdfThreadAuthor
MKMpdfEFPathUser MKMpdfEFDesc MKMpdfEFCreationDate MKMpdfEFModDate
MKMpdfEFCheckSum MKMpdfEFMacCreator MKMpdfEFCollectionItem
MKMpdfAttJpegArtist MKMpdfInnerAuthor MKMpdfInnerTitle MKMpdfInfoAuthor
MKMpdfInfoCreator MKMpdfInfoProducer MKMpdfInfoTitle MKMpdfInfoSubject
MKMpdfInfoKeywords MKMpdfInfoCustom MKMpdfDocumentId1 MKMpdfDssCertificate
MKMpdfLinkPathUser MKMpdfLaunchUser MKMpdfLaunchDir"

# qpdf keeps the first half of /ID and makes a new second half.
cp "$T/full.pdf" "$D/full.pdf"
meta full.pdf $FULL MKMpdfDocumentId2
cp "$T/damaged.pdf" "$D/damaged.pdf"
meta damaged.pdf $FULL MKMpdfDocumentId2
qpdf --object-streams=generate "$T/full.pdf" "$D/objstm.pdf"
meta objstm.pdf $FULL
qpdf --linearize "$T/full.pdf" "$D/linearized.pdf"
meta linearized.pdf $FULL
qpdf --allow-weak-crypto --encrypt "" owner 40 -- "$T/full.pdf" \
    "$D/encrypted-rc4.pdf"
meta encrypted-rc4.pdf $FULL
qpdf --encrypt "" owner 256 -- "$T/full.pdf" "$D/encrypted-aes.pdf"
meta encrypted-aes.pdf $FULL
# A user password: not supported. Nothing of it can be seen unopened.
qpdf --encrypt user owner 256 -- "$T/full.pdf" "$D/password.pdf"
meta password.pdf
echo unsupported >"$D/password.pdf.expect"

meta incremental-hand.pdf MKMpdfRev1Author MKMpdfRev1Title \
    MKMpdfRev2Author MKMpdfRev3Author

# exiftool writes PDF metadata as an incremental update: the old Info
# stays in the file unless the whole file is rewritten.
cp "$T/full.pdf" "$D/incremental-exiftool.pdf"
exiftool -q -overwrite_original -Author=MKMpdfExifAuthor \
    -Creator=MKMpdfExifCreator -XMP-dc:Rights=MKMpdfExifXmpRights \
    "$D/incremental-exiftool.pdf"
meta incremental-exiftool.pdf $FULL MKMpdfDocumentId2 MKMpdfExifAuthor \
    MKMpdfExifCreator MKMpdfExifXmpRights

for f in full damaged objstm linearized encrypted-rc4 encrypted-aes \
    password incremental-hand incremental-exiftool; do
	body $f.pdf
done
qpdf --check "$D/full.pdf" >/dev/null
qpdf --check "$D/incremental-hand.pdf" >/dev/null
