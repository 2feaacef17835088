#!/usr/bin/env bash
# gen-svg-ooxml.sh DIR — SVG and OOXML (docx, xlsx, pptx) samples, crafted
# with python3, with an MKM marker in every identifying field and an MKB
# marker in the content (see README.md).
#
# gen-svg-ooxml.sh --check-opc FILE — exit non-zero unless every internal
# relationship target of the OOXML package FILE exists and every
# content-type Override names a part that exists (Word refuses a package
# whose relationships dangle).
set -eu

here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--check-opc" ]; then
	exec python3 - "$2" <<'EOF'
import posixpath, sys, urllib.parse, zipfile
import xml.etree.ElementTree as ET

RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
z = zipfile.ZipFile(sys.argv[1])
names = {n.lower() for n in z.namelist()}
bad = []
for n in z.namelist():
    if not n.endswith(".rels"):
        continue
    d, f = posixpath.split(n)
    src_dir = posixpath.dirname(d)          # "word/_rels" -> "word"
    for r in ET.fromstring(z.read(n)).iter(RELS + "Relationship"):
        if r.get("TargetMode") == "External":
            continue
        t = urllib.parse.unquote(r.get("Target"))
        p = t[1:] if t.startswith("/") else posixpath.join(src_dir, t)
        p = posixpath.normpath(p)
        if p.lower() not in names:
            bad.append("%s: relationship %s -> missing %s" %
                       (n, r.get("Id"), p))
if "[Content_Types].xml" in z.namelist():
    for o in ET.fromstring(z.read("[Content_Types].xml")).iter(
            CT + "Override"):
        p = urllib.parse.unquote(o.get("PartName")).lstrip("/")
        if p.lower() not in names:
            bad.append("override for missing part " + p)
else:
    bad.append("no [Content_Types].xml")
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
EOF
fi

out=${1:?usage: gen-svg-ooxml.sh DIR}
[ -d "$out" ] || { echo "gen-svg-ooxml: $out is not a directory" >&2; exit 1; }
command -v exiftool >/dev/null || { echo "gen-svg-ooxml: exiftool missing" >&2; exit 1; }
[ -x /usr/bin/convert ] || { echo "gen-svg-ooxml: /usr/bin/convert missing" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A JPEG with an EXIF marker for word/media, a PNG with a text chunk for
# the SVG's embedded image.
/usr/bin/convert -size 16x16 xc:red "$tmp/img.jpg"
exiftool -q -overwrite_original -Artist=MKMdocxMediaExifArtist \
	-ImageDescription=MKMdocxMediaExifDesc "$tmp/img.jpg"
/usr/bin/convert -size 8x8 xc:blue -set comment MKMsvgEmbeddedPngComment \
	"$tmp/img.png"

python3 - "$out" "$tmp/img.jpg" "$tmp/img.png" <<'EOF'
import base64, os, sys, zipfile

out, jpg, png = sys.argv[1], sys.argv[2], sys.argv[3]

def sample(name, data, meta, body):
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        f.write(data)
    with open(path + ".meta", "w") as f:
        f.write("".join(m + "\n" for m in meta))
    with open(path + ".body", "w") as f:
        f.write("text " + body + "\n")

# ---- SVG ------------------------------------------------------------------
SVG_META = ["MKMsvgComment", "MKMsvgPI", "MKMsvgTitle", "MKMsvgDesc",
            "MKMsvgRdfCreator", "MKMsvgRdfTitle", "MKMsvgRdfRights",
            "MKMsvgDocname", "MKMsvgExportPath", "MKMsvgInkVersion",
            "MKMsvgNamedviewLayer", "MKMsvgHrefPath", "MKMsvgAbsref",
            "MKMsvgLabel", "MKMsvgDocbase"]
svg = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) MKMsvgComment -->
<?MKMsvgPI some processing instruction?>
<svg
   xmlns:dc="http://purl.org/dc/elements/1.1/"
   xmlns:cc="http://creativecommons.org/ns#"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
   xmlns:svg="http://www.w3.org/2000/svg"
   xmlns="http://www.w3.org/2000/svg"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   width="210mm" height="297mm" viewBox="0 0 210 297" version="1.1"
   id="svg8"
   inkscape:version="1.0.2 (MKMsvgInkVersion)"
   sodipodi:docname="MKMsvgDocname.svg"
   sodipodi:docbase="/home/MKMsvgDocbase/Drawings"
   inkscape:export-filename="/home/MKMsvgExportPath/drawing.png"
   inkscape:export-xdpi="96" inkscape:export-ydpi="96">
  <title id="title1">MKMsvgTitle</title>
  <desc id="desc1">MKMsvgDesc</desc>
  <sodipodi:namedview id="base" pagecolor="#ffffff"
     inkscape:current-layer="MKMsvgNamedviewLayer" inkscape:zoom="0.35">
    <inkscape:grid type="xygrid" id="grid1"/>
  </sodipodi:namedview>
  <metadata id="metadata5">
    <rdf:RDF>
      <cc:Work rdf:about="">
        <dc:format>image/svg+xml</dc:format>
        <dc:title>MKMsvgRdfTitle</dc:title>
        <dc:creator><cc:Agent><dc:title>MKMsvgRdfCreator</dc:title></cc:Agent></dc:creator>
        <dc:rights><cc:Agent><dc:title>MKMsvgRdfRights</dc:title></cc:Agent></dc:rights>
      </cc:Work>
    </rdf:RDF>
  </metadata>
  <g inkscape:label="MKMsvgLabel" inkscape:groupmode="layer" id="layer1">
    <rect x="10" y="10" width="50" height="30" style="fill:#ff0000"/>
    <text x="20" y="60" style="font-size:10px;font-family:sans-serif"
       xml:space="preserve"><tspan sodipodi:role="line" x="20" y="60"
       id="tspan1">MKBsvgBodyText &amp; more</tspan></text>
    <image xlink:href="file:///home/MKMsvgHrefPath/photo.png"
       sodipodi:absref="/home/MKMsvgAbsref/photo.png"
       x="0" y="100" width="20" height="20"/>
  </g>
</svg>
"""
sample("inkscape.svg", svg.encode(), SVG_META, "MKBsvgBodyText")

b64 = base64.b64encode(open(png, "rb").read()).decode()
svg2 = """<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
 width="100" height="100">
<text x="1" y="20">MKBsvgEmbedText</text>
<image x="0" y="30" width="8" height="8"
 xlink:href="data:image/png;base64,%s"/>
<image x="10" y="30" width="8" height="8" href="C:\\Users\\MKMsvgDrivePath\\a.png"/>
</svg>
""" % b64
# The PNG's comment marker hides in base64, where no view finds it:
# tests/unit/test_strip_svg_ooxml.c checks that one.
sample("embedded.svg", svg2.encode(), ["MKMsvgDrivePath"], "MKBsvgEmbedText")

# ---- OOXML helpers --------------------------------------------------------
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_R = "http://schemas.openxmlformats.org/package/2006/relationships"
T_OD = R_NS + "/officeDocument"

def rels(items):
    s = DECL + '<Relationships xmlns="%s">' % PKG_R
    for i, (typ, target, *ext) in enumerate(items, 1):
        mode = ' TargetMode="External"' if ext else ""
        if typ.startswith("/"):
            typ = R_NS + typ
        s += '<Relationship Id="rId%d" Type="%s" Target="%s"%s/>' % (
            i, typ, target, mode)
    return s + "</Relationships>"

def content_types(overrides, defaults=()):
    s = DECL + ('<Types xmlns="http://schemas.openxmlformats.org/package/'
                '2006/content-types">'
                '<Default Extension="rels" ContentType="application/'
                'vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Default Extension="jpeg" ContentType="image/jpeg"/>'
                '<Default Extension="jpg" ContentType="image/jpeg"/>'
                '<Default Extension="bin" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.'
                'printerSettings"/>')
    for part, ct in overrides:
        s += '<Override PartName="/%s" ContentType="%s"/>' % (part, ct)
    return s + "</Types>"

def core(p):
    return DECL + (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/'
        'package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:title>MKM%sCoreTitle</dc:title>'
        '<dc:subject>MKM%sCoreSubject</dc:subject>'
        '<dc:creator>MKM%sCoreCreator</dc:creator>'
        '<cp:keywords>MKM%sCoreKeywords</cp:keywords>'
        '<dc:description>MKM%sCoreDescription</dc:description>'
        '<cp:lastModifiedBy>MKM%sCoreLastModifiedBy</cp:lastModifiedBy>'
        '<cp:revision>3</cp:revision>'
        '<cp:category>MKM%sCoreCategory</cp:category>'
        '<cp:contentStatus>MKM%sCoreStatus</cp:contentStatus>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2021-03-04T05:06:07Z'
        '</dcterms:created></cp:coreProperties>') % ((p,) * 8)

CORE_M = ["CoreTitle", "CoreSubject", "CoreCreator", "CoreKeywords",
          "CoreDescription", "CoreLastModifiedBy", "CoreCategory",
          "CoreStatus"]

def app(p):
    return DECL + (
        '<Properties xmlns="http://schemas.openxmlformats.org/'
        'officeDocument/2006/extended-properties" xmlns:vt="http://'
        'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<Template>MKM%sAppTemplate.dotm</Template>'
        '<Application>Microsoft Office</Application>'
        '<Manager>MKM%sAppManager</Manager>'
        '<Company>MKM%sAppCompany</Company>'
        '<HyperlinkBase>MKM%sAppHyperlinkBase</HyperlinkBase>'
        '</Properties>') % ((p,) * 4)

APP_M = ["AppTemplate", "AppManager", "AppCompany", "AppHyperlinkBase"]

def custom(p):
    return DECL + (
        '<Properties xmlns="http://schemas.openxmlformats.org/'
        'officeDocument/2006/custom-properties" xmlns:vt="http://'
        'schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" '
        'name="MKM%sCustomName"><vt:lpwstr>MKM%sCustomValue</vt:lpwstr>'
        '</property></Properties>') % (p, p)

CT_CORE = ("docProps/core.xml", "application/vnd.openxmlformats-package."
           "core-properties+xml")
CT_APP = ("docProps/app.xml", "application/vnd.openxmlformats-"
          "officedocument.extended-properties+xml")
CT_CUSTOM = ("docProps/custom.xml", "application/vnd.openxmlformats-"
             "officedocument.custom-properties+xml")
PKG_RELS_META = [
    (PKG_R + "/metadata/core-properties", "docProps/core.xml"),
    ("/extended-properties", "docProps/app.xml"),
    ("/custom-properties", "docProps/custom.xml"),
    (PKG_R + "/metadata/thumbnail", "docProps/thumbnail.jpeg"),
]

def write_zip(name, parts, meta, body):
    path = os.path.join(out, name)
    # Office's order: content types, package rels, the main part, and
    # docProps last (libmagic looks for word/, xl/, ppt/ near the start).
    parts = parts[:2] + [p for p in parts[2:] if not p[0].startswith(
        "docProps/")] + [p for p in parts[2:] if p[0].startswith("docProps/")]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts:
            if isinstance(data, str):
                data = data.encode()
            zi = zipfile.ZipInfo(n, date_time=(2021, 3, 4, 5, 6, 8))
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
        z.comment = b""
    with open(path + ".meta", "w") as f:
        f.write("".join(m + "\n" for m in meta))
    with open(path + ".body", "w") as f:
        f.write("text " + body + "\n")

THUMB = b"\xff\xd8\xff\xe0 not really a jpeg, MKM%sThumbnail \xff\xd9"

# ---- docx -----------------------------------------------------------------
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
WNS = ('xmlns:w="%s" xmlns:r="%s" '
       'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
       'xmlns:w14="http://schemas.microsoft.com/office/word/2010/wordml" '
       'xmlns:w15="http://schemas.microsoft.com/office/word/2012/wordml" '
       'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/'
       'wordprocessingDrawing" '
       'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
       'xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture" '
       'mc:Ignorable="w14 w15"') % (W, R_NS)
WML = "application/vnd.openxmlformats-officedocument.wordprocessingml."
document = DECL + ('<w:document %s><w:body>'
    '<w:p w:rsidR="00A1B2C3" w:rsidRDefault="00D4E5F6" w:rsidP="00112233">'
    '<w:pPr><w:pPrChange w:id="9" w:author="MKMdocxPprChangeAuthor" '
    'w:date="2021-03-04T05:06:07Z"><w:pPr/></w:pPrChange></w:pPr>'
    '<w:r w:rsidRPr="00445566"><w:rPr><w:b/><w:rPrChange w:id="8" '
    'w:author="MKMdocxRprChangeAuthor" w:date="2021-03-04T05:06:07Z">'
    '<w:rPr/></w:rPrChange></w:rPr>'
    '<w:t xml:space="preserve">MKBdocxBodyText </w:t></w:r>'
    '<w:ins w:id="1" w:author="MKMdocxInsAuthor" w:date="2021-03-04T05:06:07Z">'
    '<w:r><w:t>inserted</w:t></w:r></w:ins>'
    '<w:del w:id="2" w:author="MKMdocxDelAuthor" w:date="2021-03-04T05:06:07Z">'
    '<w:r><w:delText>deleted</w:delText></w:r></w:del>'
    '<w:commentRangeStart w:id="0"/><w:r><w:t>commented</w:t></w:r>'
    '<w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r>'
    '<w:r><w:drawing><wp:inline><wp:extent cx="152400" cy="152400"/>'
    '<wp:docPr id="1" name="Picture 1"/><a:graphic><a:graphicData '
    'uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic><pic:nvPicPr><pic:cNvPr id="1" name="img.jpg"/><pic:cNvPicPr/>'
    '</pic:nvPicPr><pic:blipFill><a:blip r:embed="rId3"/></pic:blipFill>'
    '<pic:spPr/></pic:pic></a:graphicData></a:graphic></wp:inline>'
    '</w:drawing></w:r></w:p>'
    '<w:sectPr w:rsidR="00A1B2C3" w:rsidSect="00778899"><w:pgSz w:w="11906" '
    'w:h="16838"/></w:sectPr></w:body></w:document>') % WNS
comments = DECL + ('<w:comments %s><w:comment w:id="0" '
    'w:author="MKMdocxCommentAuthor" w:date="2021-03-04T05:06:07Z" '
    'w:initials="MKMdocxCommentInitials"><w:p w14:paraId="1A2B3C4D" '
    'w:rsidR="00A1B2C3"><w:r><w:t>a comment</w:t></w:r></w:p></w:comment>'
    '</w:comments>') % WNS
settings = DECL + ('<w:settings %s><w:zoom w:percent="100"/>'
    '<w:attachedTemplate r:id="rId1"/>'
    '<w:rsids><w:rsidRoot w:val="00A1B2C3"/><w:rsid w:val="00A1B2C3"/>'
    '<w:rsid w:val="00D4E5F6"/></w:rsids>'
    '<w14:docId w14:val="MKMdocxW14DocId"/>'
    '<w15:docId w15:val="{MKMdocxW15DocId}"/></w:settings>') % WNS
people = DECL + ('<w15:people %s><w15:person w15:author="MKMdocxPeopleAuthor">'
    '<w15:presenceInfo w15:providerId="AD" w15:userId="MKMdocxPeopleUserId"/>'
    '</w15:person></w15:people>') % WNS
docx_parts = [
    ("[Content_Types].xml", content_types([
        ("word/document.xml", WML + "document.main+xml"),
        ("word/comments.xml", WML + "comments+xml"),
        ("word/settings.xml", WML + "settings+xml"),
        ("word/people.xml", WML + "people+xml"),
        ("customXml/itemProps1.xml", "application/vnd.openxmlformats-"
         "officedocument.customXmlProperties+xml"),
        CT_CORE, CT_APP, CT_CUSTOM])),
    ("_rels/.rels", rels([("/officeDocument", "word/document.xml")] +
                         PKG_RELS_META)),
    ("docProps/core.xml", core("docx")),
    ("docProps/app.xml", app("docx")),
    ("docProps/custom.xml", custom("docx")),
    ("docProps/thumbnail.jpeg", THUMB % b"docx"),
    ("word/document.xml", document),
    ("word/_rels/document.xml.rels", rels([
        ("/comments", "comments.xml"),
        ("/settings", "settings.xml"),
        ("/image", "media/image1.jpg"),
        ("http://schemas.microsoft.com/office/2011/relationships/people",
         "people.xml"),
        ("/customXml", "../customXml/item1.xml")])),
    ("word/comments.xml", comments),
    ("word/settings.xml", settings),
    ("word/_rels/settings.xml.rels", rels([
        ("/attachedTemplate", "file:///C:/Users/MKMdocxTemplateUser/AppData/"
         "Roaming/Microsoft/Templates/Normal.dotm", "ext")])),
    ("word/people.xml", people),
    ("word/media/image1.jpg", open(jpg, "rb").read()),
    ("customXml/item1.xml", DECL + "<root><owner>MKMdocxCustomXmlItem"
     "</owner></root>"),
    ("customXml/itemProps1.xml", DECL + '<ds:datastoreItem ds:itemID='
     '"{MKMdocxCustomXmlProps}" xmlns:ds="http://schemas.openxmlformats.org/'
     'officeDocument/2006/customXml"/>'),
    ("customXml/_rels/item1.xml.rels", rels([
        ("/customXmlProps", "itemProps1.xml")])),
]
docx_meta = (["MKMdocx" + m for m in CORE_M + APP_M] +
    ["MKMdocxCustomName", "MKMdocxCustomValue", "MKMdocxThumbnail",
     "MKMdocxPprChangeAuthor", "MKMdocxRprChangeAuthor", "MKMdocxInsAuthor",
     "MKMdocxDelAuthor", "MKMdocxCommentAuthor", "MKMdocxCommentInitials",
     "MKMdocxW14DocId", "MKMdocxW15DocId", "MKMdocxPeopleAuthor",
     "MKMdocxPeopleUserId", "MKMdocxTemplateUser", "MKMdocxCustomXmlItem",
     "MKMdocxCustomXmlProps", "MKMdocxMediaExifArtist",
     "MKMdocxMediaExifDesc"])
write_zip("tracked.docx", docx_parts, docx_meta, "MKBdocxBodyText")

# ---- xlsx -----------------------------------------------------------------
S = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
TC = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
workbook = DECL + ('<workbook xmlns="%s" xmlns:r="%s" '
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:x15="http://schemas.microsoft.com/office/spreadsheetml/2010/11/main" '
    'xmlns:xr="http://schemas.microsoft.com/office/spreadsheetml/2014/revision" '
    'mc:Ignorable="x15 xr">'
    '<fileVersion appName="xl" lastEdited="7" lowestEdited="7" '
    'rupBuild="22228"/>'
    '<fileSharing userName="MKMxlsxFileSharingUser"/>'
    '<workbookPr defaultThemeVersion="166925"/>'
    '<mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/'
    'markup-compatibility/2006"><mc:Choice Requires="x15">'
    '<x15ac:absPath url="C:\\Users\\MKMxlsxAbsPath\\Documents\\" '
    'xmlns:x15ac="http://schemas.microsoft.com/office/spreadsheetml/2010/'
    '11/ac"/></mc:Choice></mc:AlternateContent>'
    '<xr:revisionPtr revIDLastSave="0" documentId="8_{MKMxlsxDocumentId}" '
    'xr6:coauthVersionLast="47" xmlns:xr6="http://schemas.microsoft.com/'
    'office/spreadsheetml/2016/revision6"/>'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets>'
    '</workbook>') % (S, R_NS)
sheet = DECL + ('<worksheet xmlns="%s" xmlns:r="%s"><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>MKBxlsxBodyText</t></is></c>'
    '</row></sheetData><pageSetup paperSize="9" orientation="portrait" '
    'r:id="rId1"/></worksheet>') % (S, R_NS)
xcomments = DECL + ('<comments xmlns="%s"><authors>'
    '<author>MKMxlsxCommentAuthor</author><author>tc={00000000-0000-0000-'
    '0000-000000000001}</author></authors><commentList>'
    '<comment ref="A1" authorId="0"><text><r><t>a note</t></r></text>'
    '</comment></commentList></comments>') % S
persons = DECL + ('<personList xmlns="%s" xmlns:x="%s">'
    '<person displayName="MKMxlsxPersonName" '
    'id="{11111111-2222-3333-4444-555555555555}" '
    'userId="MKMxlsxPersonUserId" providerId="MKMxlsxPersonProvider"/>'
    '</personList>') % (TC, S)
threaded = DECL + ('<ThreadedComments xmlns="%s" xmlns:x="%s">'
    '<threadedComment ref="A1" dT="2021-03-04T05:06:07.00" '
    'personId="{11111111-2222-3333-4444-555555555555}" '
    'id="{00000000-0000-0000-0000-000000000001}"><text>a thread</text>'
    '</threadedComment></ThreadedComments>') % (TC, S)
xlsx_parts = [
    ("[Content_Types].xml", content_types([
        ("xl/workbook.xml", SML + "sheet.main+xml"),
        ("xl/worksheets/sheet1.xml", SML + "worksheet+xml"),
        ("xl/comments1.xml", SML + "comments+xml"),
        ("xl/persons/person.xml", "application/vnd.ms-excel.person+xml"),
        ("xl/threadedComments/threadedComment1.xml",
         "application/vnd.ms-excel.threadedcomments+xml"),
        CT_CORE, CT_APP])),
    ("_rels/.rels", rels([("/officeDocument", "xl/workbook.xml")] +
                         PKG_RELS_META[:2])),
    ("docProps/core.xml", core("xlsx")),
    ("docProps/app.xml", app("xlsx")),
    ("xl/workbook.xml", workbook),
    ("xl/_rels/workbook.xml.rels", rels([
        ("/worksheet", "worksheets/sheet1.xml"),
        ("http://schemas.microsoft.com/office/2017/10/relationships/person",
         "persons/person.xml")])),
    ("xl/worksheets/sheet1.xml", sheet),
    ("xl/worksheets/_rels/sheet1.xml.rels", rels([
        ("/printerSettings", "../printerSettings/printerSettings1.bin"),
        ("/comments", "/xl/comments1.xml"),
        ("http://schemas.microsoft.com/office/2017/10/relationships/"
         "threadedComment", "../threadedComments/threadedComment1.xml")])),
    ("xl/printerSettings/printerSettings1.bin",
     b"\x00\x01MKMxlsxPrinterSettings\x00" + b"\x00" * 64),
    ("xl/comments1.xml", xcomments),
    ("xl/persons/person.xml", persons),
    ("xl/threadedComments/threadedComment1.xml", threaded),
]
xlsx_meta = (["MKMxlsx" + m for m in CORE_M + APP_M] +
    ["MKMxlsxFileSharingUser", "MKMxlsxAbsPath", "MKMxlsxDocumentId",
     "MKMxlsxCommentAuthor", "MKMxlsxPersonName", "MKMxlsxPersonUserId",
     "MKMxlsxPersonProvider", "MKMxlsxPrinterSettings"])
write_zip("comments.xlsx", xlsx_parts, xlsx_meta, "MKBxlsxBodyText")

# ---- pptx -----------------------------------------------------------------
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
PML = "application/vnd.openxmlformats-officedocument.presentationml."
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
pres = DECL + ('<p:presentation xmlns:p="%s" xmlns:r="%s" xmlns:a="%s">'
    '<p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst>'
    '<p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" '
    'cy="9144000"/></p:presentation>') % (P, R_NS, A)
slide = DECL + ('<p:sld xmlns:p="%s" xmlns:r="%s" xmlns:a="%s"><p:cSld>'
    '<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/>'
    '<p:nvPr/></p:nvGrpSpPr><p:grpSpPr/><p:sp><p:nvSpPr><p:cNvPr id="2" '
    'name="Title 1"/><p:cNvSpPr/><p:nvPr/></p:nvSpPr><p:spPr/><p:txBody>'
    '<a:bodyPr/><a:p><a:r><a:t>MKBpptxBodyText</a:t></a:r></a:p>'
    '</p:txBody></p:sp></p:spTree></p:cSld></p:sld>') % (P, R_NS, A)
cmauthors = DECL + ('<p:cmAuthorLst xmlns:p="%s"><p:cmAuthor id="0" '
    'name="MKMpptxCmAuthorName" initials="MKMpptxCmAuthorInitials" '
    'lastIdx="1" clrIdx="0"/></p:cmAuthorLst>') % P
pcomments = DECL + ('<p:cmLst xmlns:p="%s"><p:cm authorId="0" '
    'dt="2021-03-04T05:06:07.000" idx="1"><p:pos x="10" y="10"/>'
    '<p:text>a remark</p:text></p:cm></p:cmLst>') % P
pptx_parts = [
    ("[Content_Types].xml", content_types([
        ("ppt/presentation.xml", PML + "presentation.main+xml"),
        ("ppt/slides/slide1.xml", PML + "slide+xml"),
        ("ppt/commentAuthors.xml", PML + "commentAuthors+xml"),
        ("ppt/comments/comment1.xml", PML + "comments+xml"),
        CT_CORE, CT_APP, CT_CUSTOM])),
    ("_rels/.rels", rels([("/officeDocument", "ppt/presentation.xml")] +
                         PKG_RELS_META)),
    ("docProps/core.xml", core("pptx")),
    ("docProps/app.xml", app("pptx")),
    ("docProps/custom.xml", custom("pptx")),
    ("docProps/thumbnail.jpeg", THUMB % b"pptx"),
    ("ppt/presentation.xml", pres),
    ("ppt/_rels/presentation.xml.rels", rels([
        ("/slide", "slides/slide1.xml"),
        ("/commentAuthors", "commentAuthors.xml"),
        ("/printerSettings", "printerSettings/printerSettings1.bin")])),
    ("ppt/slides/slide1.xml", slide),
    ("ppt/slides/_rels/slide1.xml.rels", rels([
        ("/comments", "../comments/comment1.xml")])),
    ("ppt/commentAuthors.xml", cmauthors),
    ("ppt/comments/comment1.xml", pcomments),
    ("ppt/printerSettings/printerSettings1.bin",
     b"\x00\x01MKMpptxPrinterSettings\x00" + b"\x00" * 64),
]
pptx_meta = (["MKMpptx" + m for m in CORE_M + APP_M] +
    ["MKMpptxCustomName", "MKMpptxCustomValue", "MKMpptxThumbnail",
     "MKMpptxCmAuthorName", "MKMpptxCmAuthorInitials",
     "MKMpptxPrinterSettings"])
write_zip("remarks.pptx", pptx_parts, pptx_meta, "MKBpptxBodyText")
EOF
