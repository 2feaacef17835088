#!/bin/sh
# gen-odf-zip.sh DIR — ODF (odt, ods, odp) and ZIP archive samples for the
# stripper's corpus (see README.md). The documents are crafted by hand
# (python3 zipfile and XML written here), not by LibreOffice, so every
# field holds the marker we chose.
#
# Tools: python3, exiftool, /usr/bin/convert (ImageMagick), zip.
set -eu

D=${1:?usage: gen-odf-zip.sh DIR}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

for t in python3 exiftool zip; do
	command -v $t >/dev/null || { echo "gen-odf-zip: $t missing" >&2; exit 1; }
done
[ -x /usr/bin/convert ] || { echo "gen-odf-zip: /usr/bin/convert missing" >&2; exit 1; }

# jpeg FILE PREFIX: a small JPEG with EXIF/XMP/IPTC markers MKM<PREFIX>...
jpeg() {
	/usr/bin/convert -size 24x16 gradient:red-blue "$1"
	exiftool -q -overwrite_original -Artist="MKM${2}Artist" \
	    -Copyright="MKM${2}Copyright" -Make="MKM${2}Make" \
	    -XMP-dc:Creator="MKM${2}XmpCreator" "$1"
}

for k in odt ods odp; do
	jpeg "$T/pic-$k.jpg" "${k}Picture"
	/usr/bin/convert -size 8x8 xc:white -set comment "MKM${k}Thumbnail" \
	    "$T/thumb-$k.png"
done
jpeg "$T/member.jpg" zipJpeg
jpeg "$T/nested.jpg" zipNestedJpeg

python3 - "$D" "$T" <<'EOF'
import os, re, struct, sys, zipfile

D, T = sys.argv[1], sys.argv[2]
WHEN = (2024, 3, 14, 15, 9, 26)
NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
      'xmlns:presentation="urn:oasis:names:tc:opendocument:xmlns:'
      'presentation:1.0" '
      'xmlns:svg="urn:oasis:names:tc:opendocument:xmlns:'
      'svg-compatible:1.0" '
      'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:'
      'xsl-fo-compatible:1.0" '
      'xmlns:xlink="http://www.w3.org/1999/xlink" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
      'xmlns:config="urn:oasis:names:tc:opendocument:xmlns:config:1.0" '
      'xmlns:officeooo="http://openoffice.org/2009/office" '
      'xmlns:loext="urn:org:documentfoundation:names:experimental:office:'
      'xmlns:loext:1.0" ')
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'
MIME = {"odt": "text", "ods": "spreadsheet", "odp": "presentation"}


def info(name, method=zipfile.ZIP_DEFLATED, extra=b""):
    zi = zipfile.ZipInfo(name, WHEN)
    zi.compress_type = method
    zi.external_attr = 0o100640 << 16
    zi.create_system = 3
    zi.extra = extra
    return zi


def ext_field(marker):
    """An unknown extra field holding a marker, and a Unix uid/gid one."""
    m = marker.encode()
    ux = struct.pack("<HHBBIBI", 0x7875, 11, 1, 4, 4242, 4, 4243)
    return ux + struct.pack("<HH", 0xcafe, len(m)) + m


def meta_xml(k):
    m = lambda f: "MKM%s%s" % (k, f)
    return (DECL + '<office:document-meta ' + NS + 'office:version="1.3">'
            '<office:meta>'
            '<meta:generator>%s</meta:generator>'
            '<dc:title>%s</dc:title><dc:subject>%s</dc:subject>'
            '<dc:description>%s</dc:description>'
            '<meta:keyword>%s</meta:keyword>'
            '<meta:initial-creator>%s</meta:initial-creator>'
            '<dc:creator>%s</dc:creator>'
            '<meta:printed-by>%s</meta:printed-by>'
            '<meta:creation-date>2024-03-14T15:09:26</meta:creation-date>'
            '<dc:date>2024-03-14T15:09:27</dc:date>'
            '<meta:template xlink:href="file:///home/%s/t.ott"/>'
            '<meta:user-defined meta:name="%s">%s</meta:user-defined>'
            '</office:meta></office:document-meta>') % (
        m("Generator"), m("Title"), m("Subject"), m("Description"),
        m("Keyword"), m("InitialCreator"), m("Creator"), m("PrintedBy"),
        m("TemplatePath"), m("UserDefinedName"), m("UserDefinedValue"))


def settings_xml(k):
    item = ('<config:config-item config:name="%s" config:type="%s">%s'
            '</config:config-item>')
    return (DECL + '<office:document-settings ' + NS + 'office:version="1.3">'
            '<office:settings>'
            '<config:config-item-set config:name="ooo:configuration-settings">'
            + item % ("PrinterName", "string", "MKM%sPrinterName" % k)
            + item % ("PrinterSetup", "base64Binary", "MKM%sPrinterSetup" % k)
            + item % ("PrinterPaperFromSetup", "boolean", "false")
            + item % ("PrintFaxName", "string", "MKM%sFaxName" % k)
            + item % ("CurrentDatabaseDataSource", "string",
                      "MKM%sDataSource" % k)
            + item % ("AddParaTableSpacing", "boolean", "true")
            + '</config:config-item-set></office:settings>'
            '</office:document-settings>')


def change_info(k, what):
    return ('<office:change-info><dc:creator>MKM%s%sAuthor</dc:creator>'
            '<dc:date>2024-03-14T15:09:28</dc:date></office:change-info>'
            % (k, what))


def annotation(k, what, tag="office:annotation"):
    return ('<%s><dc:creator>MKM%s%sAuthor</dc:creator>'
            '<dc:date>2024-03-14T15:09:29</dc:date>'
            '<meta:creator-initials>MKM%s%sInitials</meta:creator-initials>'
            '<loext:sender-initials>MKM%s%sSender</loext:sender-initials>'
            '<text:p>a remark</text:p></%s>'
            % (tag, k, what, k, what, k, what, tag))


def body_odt(k):
    return ('<office:text><text:tracked-changes>'
            '<text:changed-region text:id="ct1"><text:insertion>'
            + change_info(k, "Change") +
            '</text:insertion></text:changed-region></text:tracked-changes>'
            '<text:p text:style-name="P1">The MKB%s body text '
            '<text:change-start text:change-id="ct1"/>inserted'
            '<text:change-end text:change-id="ct1"/> and '
            % k + annotation(k, "Comment") + 'commented.</text:p>'
            '<text:p>Written by <text:author-name>MKM%sAuthorField'
            '</text:author-name> (<text:sender-email>MKM%sSenderEmail'
            '</text:sender-email>), first by <text:initial-creator>'
            'MKM%sInitialCreatorField</text:initial-creator>.</text:p>'
            % (k, k, k) +
            '<text:p><draw:frame draw:name="i1" svg:width="1cm" '
            'svg:height="1cm"><draw:image xlink:href="Pictures/pic.jpg" '
            'xlink:type="simple"/></draw:frame></text:p></office:text>')


def body_ods(k):
    return ('<office:spreadsheet><table:tracked-changes>'
            '<table:cell-content-change table:id="ct1">'
            '<table:cell-address table:column="0" table:row="0" '
            'table:table="0"/>' + change_info(k, "Change") +
            '<table:previous><table:change-track-table-cell '
            'office:value-type="string"><text:p>old</text:p>'
            '</table:change-track-table-cell></table:previous>'
            '</table:cell-content-change></table:tracked-changes>'
            '<table:table table:name="Sheet1"><table:table-row>'
            '<table:table-cell office:value-type="string">'
            + annotation(k, "Comment") +
            '<text:p>The MKB%s cell</text:p></table:table-cell>'
            '</table:table-row></table:table></office:spreadsheet>' % k)


def body_odp(k):
    return ('<office:presentation><draw:page draw:name="p1">'
            '<draw:frame svg:width="10cm" svg:height="2cm" svg:x="1cm" '
            'svg:y="1cm"><draw:text-box><text:p>The MKB%s slide</text:p>'
            '</draw:text-box></draw:frame>'
            '<draw:frame svg:width="1cm" svg:height="1cm" svg:x="1cm" '
            'svg:y="4cm"><draw:image xlink:href="Pictures/pic.jpg"/>'
            '</draw:frame>' % k + annotation(k, "Comment",
                                             "officeooo:annotation") +
            '</draw:page></office:presentation>')


def content_xml(k):
    body = {"odt": body_odt, "ods": body_ods, "odp": body_odp}[k](k)
    return (DECL + '<office:document-content ' + NS + 'office:version="1.3">'
            '<office:automatic-styles><style:style style:name="P1" '
            'style:family="paragraph"><style:text-properties '
            'officeooo:rsid="0012ab34" officeooo:paragraph-rsid="0012ab34"/>'
            '</style:style></office:automatic-styles>'
            '<office:body>' + body + '</office:body>'
            '</office:document-content>')


def styles_xml(k):
    return (DECL + '<office:document-styles ' + NS + 'office:version="1.3">'
            '<office:master-styles><style:master-page style:name="Standard">'
            '<style:header><text:p>Header ' + annotation(k, "HeaderComment")
            + '</text:p></style:header></style:master-page>'
            '</office:master-styles></office:document-styles>')


def manifest_xml(k, parts, encrypted=False):
    mt = "application/vnd.oasis.opendocument." + MIME[k]
    out = (DECL + '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
           'opendocument:xmlns:manifest:1.0" manifest:version="1.3">'
           '<manifest:file-entry manifest:full-path="/" '
           'manifest:media-type="%s"/>' % mt)
    for p, t in parts:
        enc = ""
        if encrypted and p == "content.xml":
            enc = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K"'
                   ' manifest:checksum="AAAA"><manifest:algorithm '
                   'manifest:algorithm-name="Blowfish CFB" '
                   'manifest:initialisation-vector="AAAA"/>'
                   '<manifest:key-derivation manifest:key-derivation-name='
                   '"PBKDF2" manifest:iteration-count="1024" '
                   'manifest:salt="AAAA"/></manifest:encryption-data>')
        out += ('<manifest:file-entry manifest:full-path="%s" '
                'manifest:media-type="%s">%s</manifest:file-entry>'
                % (p, t, enc))
    return out + '</manifest:manifest>'


def write_odf(k, name, encrypted=False):
    pic = open(os.path.join(T, "pic-%s.jpg" % k), "rb").read()
    thumb = open(os.path.join(T, "thumb-%s.png" % k), "rb").read()
    parts = [("content.xml", "text/xml", content_xml(k)),
             ("styles.xml", "text/xml", styles_xml(k)),
             ("meta.xml", "text/xml", meta_xml(k)),
             ("settings.xml", "text/xml", settings_xml(k)),
             ("Thumbnails/thumbnail.png", "image/png", thumb),
             ("Pictures/pic.jpg", "image/jpeg", pic)]
    if k == "odt":
        # An embedded object (a chart) has its own meta.xml.
        parts.append(("Object 1/meta.xml", "text/xml",
                      meta_xml(k).replace("MKM%s" % k, "MKM%sObj" % k)))
        parts.append(("Object 1/content.xml", "text/xml",
                      DECL + '<office:document-content ' + NS + '/>'))
    mt = "application/vnd.oasis.opendocument." + MIME[k]
    path = os.path.join(D, name)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(info("mimetype", zipfile.ZIP_STORED), mt)
        for p, t, data in parts:
            extra = ext_field("MKM%sZipExtra" % k) if p == "content.xml" \
                else b""
            z.writestr(info(p, extra=extra), data)
        z.writestr(info("META-INF/manifest.xml"),
                   manifest_xml(k, [(p, t) for p, t, _ in parts], encrypted))
        z.comment = ("MKM%sZipComment" % k).encode()
    if encrypted:
        open(path + ".meta", "w").close()
        open(path + ".expect", "w").write("unsupported\n")
        open(path + ".body", "w").write("text MKB%s\n" % k)
        return
    xml = meta_xml(k) + settings_xml(k) + content_xml(k) + styles_xml(k)
    ms = re.findall(r"MKM[A-Za-z0-9]+", xml)
    if k == "odt":
        ms += [m.replace("MKModt", "MKModtObj")
               for m in re.findall(r"MKM[A-Za-z0-9]+", meta_xml(k))]
    ms += ["MKM%sThumbnail" % k, "MKM%sZipExtra" % k, "MKM%sZipComment" % k]
    ms += ["MKM%sPicture%s" % (k, f)
           for f in ("Artist", "Copyright", "Make", "XmpCreator")]
    with open(path + ".meta", "w") as f:
        f.write("\n".join(sorted(set(ms))) + "\n")
    with open(path + ".body", "w") as f:
        f.write("text MKB%s\n" % k)


for k in ("odt", "ods", "odp"):
    write_odf(k, "sample.%s" % k)
write_odf("odt", "encrypted.odt", encrypted=True)

# A zip archive: comment, extra fields, a JPEG, a nested zip with another
# JPEG, a text member with the content marker, a member of no known type.
jpg = lambda n: open(os.path.join(T, n), "rb").read()
nested = os.path.join(T, "nested.zip")
with zipfile.ZipFile(nested, "w") as z:
    z.writestr(info("inner/photo.jpg", extra=ext_field("MKMzipNestedExtra")),
               jpg("nested.jpg"))
    z.writestr(info("inner/readme.txt"), "The MKBzipNested text.\n")
    z.comment = b"MKMzipNestedComment"
path = os.path.join(D, "archive.zip")
with zipfile.ZipFile(path, "w") as z:
    z.writestr(info("photos/"), b"")
    z.writestr(info("photos/a.jpg", zipfile.ZIP_STORED,
                    ext_field("MKMzipExtra")), jpg("member.jpg"))
    z.writestr(info("nested.zip", zipfile.ZIP_STORED), open(nested, "rb").read())
    z.writestr(info("notes.txt"), "The MKBzip text, kept.\n" * 20)
    z.writestr(info("blob.bin"), bytes(range(256)) * 4)
    z.writestr(info("empty"), b"")
    # What macOS and Windows add: AppleDouble xattrs (download URL),
    # .DS_Store, Thumbs.db.
    z.writestr(info("__MACOSX/photos/._a.jpg"), b"\x00\x05\x16\x07\x00"
               b"\x02\x00\x00Mac OS X com.apple.metadata:kMDItemWhereFroms "
               b"https://example.org/MKMzipAppleDouble")
    z.writestr(info("photos/.DS_Store"), b"\x00\x00\x00\x01Bud1"
               b"\x00\x00MKMzipDsStore")
    z.writestr(info("photos/Thumbs.db"), b"\xd0\xcf\x11\xe0MKMzipThumbsDb")
    z.comment = b"MKMzipComment"
ms = ["MKMzipComment", "MKMzipExtra", "MKMzipNestedComment",
      "MKMzipNestedExtra", "MKMzipAppleDouble", "MKMzipDsStore",
      "MKMzipThumbsDb"]
ms += ["MKM%s%s" % (p, f) for p in ("zipJpeg", "zipNestedJpeg")
       for f in ("Artist", "Copyright", "Make", "XmpCreator")]
open(path + ".meta", "w").write("\n".join(ms) + "\n")
open(path + ".body", "w").write("text MKBzip\n")
EOF

# An archive with an encrypted member: not supported.
printf 'secret\n' >"$T/s.txt"
(cd "$T" && zip -q -P pw enc.zip s.txt)
cp "$T/enc.zip" "$D/encrypted.zip"
: >"$D/encrypted.zip.meta"
printf 'unsupported\n' >"$D/encrypted.zip.expect"
printf 'text MKBnone\n' >"$D/encrypted.zip.body"
