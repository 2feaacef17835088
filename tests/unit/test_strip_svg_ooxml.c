/*
 * test_strip_svg_ooxml.c — the SVG and OOXML strippers: what goes, what
 * stays, embedded images cleaned, relationships that would dangle removed
 * with the parts they named, hostile XML refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "postern/stripfmt.h"
#include "postern/zipfile.h"

#define MAXB (16u << 20)

static void
ctx_init(struct strip_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = MAXB;
	ctx->expand_budget = MAXB;
	ctx->members_budget = 1000;
}

static int
contains(const struct sbuf *b, const char *s)
{
	return memmem(b->p, b->len, s, strlen(s)) != NULL;
}

static int
reported(const struct strip_ctx *ctx, const char *what)
{
	size_t i;

	for (i = 0; i < ctx->rep.nremoved; i++)
		if (strcmp(ctx->rep.removed[i], what) == 0)
			return 1;
	return 0;
}

static int
run_svg(const char *svg, struct strip_ctx *ctx, struct sbuf *out)
{
	ctx_init(ctx);
	sbuf_init(out, MAXB);
	return strip_svg(ctx, (const uint8_t *)svg, strlen(svg), out);
}

static const char inkscape[] =
    "<?xml version='1.0' standalone='no'?>\n"
    "<!-- MKMcomment --><?MKMpi x?>\n"
    "<svg xmlns='http://www.w3.org/2000/svg' "
    "xmlns:xlink='http://www.w3.org/1999/xlink' "
    "xmlns:dc='http://purl.org/dc/elements/1.1/' "
    "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
    "xmlns:cc='http://creativecommons.org/ns#' "
    "xmlns:sodipodi='http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd' "
    "xmlns:ink='http://www.inkscape.org/namespaces/inkscape' "
    "sodipodi:docname='MKMdocname' ink:export-filename='/home/MKMu/a.png' "
    "width='10' height='10'>"
    "<title>MKMtitle</title><desc>MKMdesc</desc>"
    "<metadata><rdf:RDF><cc:Work><dc:creator>MKMcreator</dc:creator>"
    "</cc:Work></rdf:RDF></metadata>"
    "<rdf:RDF><dc:title>MKMbareRdf</dc:title></rdf:RDF>"
    "<sodipodi:namedview ink:current-layer='MKMlayer'/>"
    "<g ink:label='MKMlabel'><text x='1' y='5'><tspan "
    "sodipodi:role='line'>MKBbody &amp; &lt;more&gt;</tspan></text>"
    "<image xlink:href='file:///home/MKMfile.png'/>"
    "<image href='C:\\Users\\MKMdrive.png'/>"
    "<a xlink:href='https://example.org/keep'>link</a></g></svg>";

static void
test_svg_inkscape(void **state)
{
	static const char *gone[] = { "SVG metadata", "SVG title",
		"SVG description", "SVG comment", "SVG editor data", "SVG RDF",
		"SVG local file path" };
	struct strip_ctx ctx;
	struct sbuf out;
	size_t i;

	(void)state;
	assert_int_equal(run_svg(inkscape, &ctx, &out), STRIP_OK);
	if (contains(&out, "MKM") || contains(&out, "sodipodi") ||
	    contains(&out, "inkscape") || contains(&out, "purl.org"))
		fail_msg("left: %.*s", (int)out.len, (const char *)out.p);
	assert_true(contains(&out,
	    "<tspan>MKBbody &amp; &lt;more&gt;"
	    "</tspan>"));
	assert_true(contains(&out, "https://example.org/keep"));
	assert_true(contains(&out, "standalone=\"no\""));
	for (i = 0; i < sizeof(gone) / sizeof(gone[0]); i++)
		if (!reported(&ctx, gone[i]))
			fail_msg("not reported: %s", gone[i]);
	sbuf_free(&out);
}

static void
test_svg_refused(void **state)
{
	static const char *bad[] = {
		"<!DOCTYPE svg [<!ENTITY a 'MKM'>]><svg>&a;</svg>",
		"<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
		"<svg>&x;</svg>",
		"<svg><g></svg>",
		"not xml at all",
	};
	struct strip_ctx ctx;
	struct sbuf out;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (run_svg(bad[i], &ctx, &out) != STRIP_FAIL)
			fail_msg("accepted: %s", bad[i]);
		sbuf_free(&out);
	}
}

/* ---- an embedded PNG ------------------------------------------------- */

static void
png_chunk(struct sbuf *b, const char *type, const void *data, size_t len)
{
	uint32_t crc;

	sbuf_put_be32(b, (uint32_t)len);
	sbuf_put(b, type, 4);
	sbuf_put(b, data, len);
	crc = (uint32_t)crc32(0, (const Bytef *)type, 4);
	crc = (uint32_t)crc32(crc, data, (uInt)len);
	sbuf_put_be32(b, crc);
}

/* A 1x1 grey PNG with a tEXt chunk holding a marker. */
static void
make_png(struct sbuf *b)
{
	static const uint8_t ihdr[] = { 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0 };
	static const uint8_t raw[] = { 0, 0x80 };
	static const char text[] = "Author\0MKMpngAuthor";
	uint8_t idat[64];
	uLongf n = sizeof(idat);

	assert_int_equal(compress(idat, &n, raw, sizeof(raw)), Z_OK);
	sbuf_init(b, MAXB);
	sbuf_put(b, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(b, "IHDR", ihdr, sizeof(ihdr));
	png_chunk(b, "tEXt", text, sizeof(text) - 1);
	png_chunk(b, "IDAT", idat, n);
	png_chunk(b, "IEND", "", 0);
}

static void
b64(const uint8_t *p, size_t n, struct sbuf *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrs"
				 "tuvwxyz0123456789+/";
	uint32_t v;
	size_t i;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (i + 1 < n ? p[i + 1] << 8 : 0) |
		    (i + 2 < n ? p[i + 2] : 0);
		sbuf_putc(out, (uint8_t)al[v >> 18 & 63]);
		sbuf_putc(out, (uint8_t)al[v >> 12 & 63]);
		sbuf_putc(out, i + 1 < n ? (uint8_t)al[v >> 6 & 63] : '=');
		sbuf_putc(out, i + 2 < n ? (uint8_t)al[v & 63] : '=');
	}
}

static void
test_svg_embedded_png(void **state)
{
	struct sbuf png, svg, out, dec;
	struct strip_ctx ctx;
	const char *uri, *end;
	int c, bits = 0;
	uint32_t acc = 0;
	const char *al = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789+/";
	const char *head = "<svg xmlns='http://www.w3.org/2000/svg'>"
			   "<image href='data:image/png;base64,";

	(void)state;
	make_png(&png);
	sbuf_init(&svg, MAXB);
	sbuf_put(&svg, head, strlen(head));
	b64(png.p, png.len, &svg);
	sbuf_put(&svg, "'/></svg>", 10); /* with the NUL */
	assert_int_equal(run_svg((const char *)svg.p, &ctx, &out), STRIP_OK);
	sbuf_putc(&out, 0);
	uri = strstr((const char *)out.p, "data:image/png;base64,");
	assert_non_null(uri);
	uri += 22;
	end = strchr(uri, '"');
	assert_non_null(end);
	sbuf_init(&dec, MAXB);
	for (; uri < end && *uri != '='; uri++) {
		c = (int)(strchr(al, *uri) - al);
		acc = acc << 6 | (uint32_t)c;
		if ((bits += 6) >= 8) {
			bits -= 8;
			sbuf_putc(&dec, (uint8_t)(acc >> bits));
		}
	}
	assert_true(dec.len > 8);
	assert_memory_equal(dec.p, "\x89PNG\r\n\x1a\n", 8);
	assert_false(contains(&dec, "MKM"));
	assert_true(contains(&dec, "IDAT"));
	assert_true(reported(&ctx, "SVG embedded image metadata"));
	sbuf_free(&dec);
	sbuf_free(&out);
	sbuf_free(&svg);
	sbuf_free(&png);
}

/* ---- OOXML ------------------------------------------------------------ */

#define DECL "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
#define RELS_NS "http://schemas.openxmlformats.org/package/2006/relationships"
#define R_NS \
	"http://schemas.openxmlformats.org/officeDocument/2006/" \
	"relationships"
#define W_NS "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define REL(id, type, target) \
	"<Relationship Id='" id "' Type='" type "' Target='" target "'/>"

struct part {
	const char *name, *data;
};

static const struct part docx[] = {
	{ "[Content_Types].xml",
	    DECL "<Types xmlns='http://schemas."
		 "openxmlformats.org/package/2006/content-types'>"
		 "<Default Extension='xml' ContentType='application/xml'/>"
		 "<Override PartName='/docProps/core.xml' ContentType='c'/>"
		 "<Override PartName='/word/document.xml' ContentType='d'/>"
		 "<Override PartName='/docProps/%61pp.xml' ContentType='a'/>"
		 "</Types>" },
	{ "_rels/.rels",
	    DECL "<Relationships xmlns='" RELS_NS "'>" REL(
		"rId1", R_NS "/officeDocument", "word/document.xml") REL("rId2",
		"http://schemas.openxmlformats.org/package/2006/"
		"relationships/metadata/core-properties",
		"/DocProps/Core.xml") REL("rId3", R_NS "/extended-properties",
		"docProps/app.xml") REL("rId4", R_NS "/custom-properties",
		"props/odd-name.xml") "</Relationships>" },
	{ "word/document.xml",
	    DECL "<w:document xmlns:w='" W_NS "' "
		 "xmlns:r='" R_NS "'><w:body><w:p w:rsidR='00AA' "
				  "w:rsidRDefault='0"
		 "0BB'><w:ins w:id='1' w:author='MKMins' "
		 "w:date='2020-01-01T00:00:"
		 "00Z'><w:r><w:t>MKBbody</w:t></w:r></w:ins>"
		 "<w:x r:id='rId7' "
		 "r:embed='rId8'/></w:p></w:body></w:document>" },
	{ "word/_rels/document.xml.rels",
	    DECL "<Relationships xmlns='" RELS_NS "'>" REL("rId7",
		R_NS "/printerSettings",
		"./printerSettings/../printerSettings/p1.bin")
		REL("rId8", R_NS "/image", "media/i.bin")
		    REL("rId9", R_NS "/customXml",
			"../customXml/item1.xml") "<Relationship Id='rId10' "
						  "Type='" R_NS "/hyperlink' "
								"Target='"
						  "file:///C:/Users/MKMlink/"
						  "x.doc' "
						  "TargetMode='External'/>"
						  "</Relationships>" },
	{ "word/printerSettings/p1.bin", "MKMprinter" },
	{ "word/media/i.bin", "MKMunknown media kept" },
	{ "customXml/item1.xml", "<x>MKMcustomxml</x>" },
	{ "docProps/core.xml", "<c>MKMcore</c>" },
	{ "docProps/app.xml", "<a>MKMapp</a>" },
	{ "props/odd-name.xml", "<p>MKMcustomprops</p>" },
};

static void
build_zip(const struct part *p, size_t n, struct sbuf *out)
{
	struct zip_writer w;
	size_t i;

	sbuf_init(out, MAXB);
	zip_writer_init(&w, out, MAXB);
	for (i = 0; i < n; i++)
		assert_int_equal(
		    zip_add(&w, p[i].name, (const uint8_t *)p[i].data,
			strlen(p[i].data), 1),
		    STRIP_OK);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
}

/* Member name of the archive in z, read into out (NUL-terminated); 0 if
 * absent. */
static int
member(struct zip_reader *z, struct strip_ctx *ctx, const char *name,
    struct sbuf *out)
{
	long i = zip_find(z, name);

	sbuf_init(out, MAXB);
	if (i < 0)
		return 0;
	assert_int_equal(
	    zip_read_entry(ctx, zip_entry_at(z, (size_t)i), out), STRIP_OK);
	sbuf_putc(out, 0);
	return 1;
}

static void
test_ooxml_docx(void **state)
{
	static const char *removed[] = { "docProps/core.xml",
		"docProps/app.xml", "props/odd-name.xml", "customXml/item1.xml",
		"word/printerSettings/p1.bin" };
	struct strip_ctx ctx;
	struct sbuf in, out, m;
	struct zip_reader *z = NULL;
	size_t i;

	(void)state;
	build_zip(docx, sizeof(docx) / sizeof(docx[0]), &in);
	ctx_init(&ctx);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_ooxml(&ctx, in.p, in.len, &out), STRIP_OK);
	assert_int_equal(ctx.rep.nkept, 1);
	assert_true(reported(&ctx, "OOXML core properties"));
	assert_true(reported(&ctx, "OOXML printer settings"));
	assert_true(reported(&ctx, "OOXML absolute path"));
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, out.p, out.len, &z), STRIP_OK);
	for (i = 0; i < sizeof(removed) / sizeof(removed[0]); i++)
		if (zip_find(z, removed[i]) >= 0)
			fail_msg("part kept: %s", removed[i]);
	assert_int_equal(zip_count(z), 5);

	assert_true(member(z, &ctx, "[Content_Types].xml", &m));
	assert_false(contains(&m, "docProps"));
	assert_true(contains(&m, "/word/document.xml"));
	sbuf_free(&m);
	assert_true(member(z, &ctx, "_rels/.rels", &m));
	assert_true(contains(&m, "rId1") && !contains(&m, "rId2") &&
	    !contains(&m, "rId3") && !contains(&m, "rId4"));
	sbuf_free(&m);
	assert_true(member(z, &ctx, "word/_rels/document.xml.rels", &m));
	assert_true(!contains(&m, "rId7") && contains(&m, "rId8") &&
	    !contains(&m, "rId9") && contains(&m, "Target=\"\""));
	assert_false(contains(&m, "MKM"));
	sbuf_free(&m);
	assert_true(member(z, &ctx, "word/document.xml", &m));
	assert_false(contains(&m, "rsid"));
	assert_false(contains(&m, "MKM"));
	assert_false(contains(&m, "w:date"));
	assert_true(contains(&m, "w:author=\"\""));
	assert_true(contains(&m, "MKBbody"));
	/* The dropped relationship's r:id went; the kept one stayed. */
	assert_true(contains(&m, "<w:x r:embed=\"rId8\"/>"));
	sbuf_free(&m);
	/* Media no module cleans: kept, with a warning. */
	assert_true(member(z, &ctx, "word/media/i.bin", &m));
	sbuf_free(&m);
	zip_close(z);
	sbuf_free(&out);
	sbuf_free(&in);
}

static void
test_ooxml_refused(void **state)
{
	struct part p[] = {
		{ "[Content_Types].xml", DECL "<Types/>" },
		{ "word/document.xml",
		    "<!DOCTYPE d [<!ENTITY a 'x'>]><d>&a;"
		    "</d>" },
	};
	struct strip_ctx ctx;
	struct sbuf in, out;

	(void)state;
	build_zip(p, 2, &in);
	ctx_init(&ctx);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_ooxml(&ctx, in.p, in.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* Not a zip at all, and a truncated one. */
	ctx_init(&ctx);
	assert_int_equal(
	    strip_ooxml(&ctx, (const uint8_t *)"PK\3\4", 4, &out), STRIP_FAIL);
	sbuf_free(&out);
	ctx_init(&ctx);
	assert_int_equal(
	    strip_ooxml(&ctx, in.p, in.len - 10, &out), STRIP_FAIL);
	sbuf_free(&out);
	sbuf_free(&in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_svg_inkscape),
		cmocka_unit_test(test_svg_refused),
		cmocka_unit_test(test_svg_embedded_png),
		cmocka_unit_test(test_ooxml_docx),
		cmocka_unit_test(test_ooxml_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
