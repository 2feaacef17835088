/*
 * test_strip_odf_zip.c — the ZIP and ODF strippers: what goes, what
 * stays, what is refused, and that damaged archives fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postern/stripfmt.h"
#include "postern/zipfile.h"

#define MAXB (16u << 20)

#define NSDECL \
	" xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\"" \
	" xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\"" \
	" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"" \
	" xmlns:meta=\"urn:oasis:names:tc:opendocument:xmlns:meta:1.0\"" \
	" xmlns:config=\"urn:oasis:names:tc:opendocument:xmlns:config:1.0\""
#define MANIFEST_NS \
	"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

static const char content[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<office:document-content" NSDECL "><office:body><office:text>"
    "<text:tracked-changes><text:changed-region text:id=\"c1\">"
    "<text:insertion><office:change-info><dc:creator>MKMchange</dc:creator>"
    "<dc:date>2020-01-01T00:00:00</dc:date></office:change-info>"
    "</text:insertion></text:changed-region></text:tracked-changes>"
    "<text:p>Body MKBtext<office:annotation><dc:creator>MKMcomment"
    "</dc:creator><meta:creator-initials>MKMinit</meta:creator-initials>"
    "<text:p>note</text:p></office:annotation></text:p>"
    "<text:p><text:author-name>MKMfield</text:author-name>"
    "<text:sender-email text:fixed=\"false\">MKMmail</text:sender-email>"
    "<text:author-name text:fixed=\"true\">fixed name</text:author-name>"
    "</text:p>"
    "</office:text></office:body></office:document-content>";

static const char settings[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<office:document-settings" NSDECL "><office:settings>"
    "<config:config-item-set config:name=\"s\">"
    "<config:config-item config:name=\"PrinterName\" config:type=\"string\">"
    "MKMprinter</config:config-item>"
    "<config:config-item config:name=\"Keep\" config:type=\"string\">"
    "kept</config:config-item>"
    "</config:config-item-set></office:settings>"
    "</office:document-settings>";

static const char meta[] =
    "<?xml version=\"1.0\"?><office:document-meta" NSDECL "><office:meta>"
    "<meta:initial-creator>MKMauthor</meta:initial-creator></office:meta>"
    "</office:document-meta>";

static const char manifest_plain[] =
    "<?xml version=\"1.0\"?><manifest:manifest xmlns:manifest=\""
    MANIFEST_NS "\"><manifest:file-entry manifest:full-path=\"/\" "
    "manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
    "<manifest:file-entry manifest:full-path=\"content.xml\"/>"
    "<manifest:file-entry manifest:full-path=\"meta.xml\"/>"
    "<manifest:file-entry manifest:full-path=\"Thumbnails/t.png\"/>"
    "</manifest:manifest>";

static const char manifest_enc[] =
    "<?xml version=\"1.0\"?><manifest:manifest xmlns:manifest=\""
    MANIFEST_NS "\"><manifest:file-entry manifest:full-path=\"content.xml\">"
    "<manifest:encryption-data manifest:checksum=\"x\"/>"
    "</manifest:file-entry></manifest:manifest>";

static const char odt_mime[] = "application/vnd.oasis.opendocument.text";

static void
ctx_init(struct strip_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = MAXB;
	ctx->expand_budget = MAXB;
	ctx->members_budget = 1000;
}

static void
add(struct zip_writer *w, const char *name, const void *p, size_t n, int z)
{
	assert_int_equal(zip_add(w, name, p, n, z), STRIP_OK);
}

static void
build_odt(struct sbuf *b, const char *mime, const char *manifest)
{
	struct zip_writer w;

	sbuf_init(b, MAXB);
	zip_writer_init(&w, b, MAXB);
	if (mime != NULL)
		add(&w, "mimetype", mime, strlen(mime), 0);
	add(&w, "content.xml", content, sizeof(content) - 1, 1);
	add(&w, "meta.xml", meta, sizeof(meta) - 1, 1);
	add(&w, "settings.xml", settings, sizeof(settings) - 1, 1);
	add(&w, "Thumbnails/t.png", "MKMthumb", 8, 0);
	add(&w, "Object 1/meta.xml", meta, sizeof(meta) - 1, 1);
	add(&w, "META-INF/manifest.xml", manifest, strlen(manifest), 1);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
}

static int
has_removed(const struct strip_ctx *ctx, const char *what)
{
	size_t i;

	for (i = 0; i < ctx->rep.nremoved; i++)
		if (strcmp(ctx->rep.removed[i], what) == 0)
			return 1;
	return 0;
}

/* The member's inflated bytes, as a NUL-terminated string in m. */
static void
member(struct zip_reader *z, const char *name, struct sbuf *m)
{
	struct strip_ctx ctx;
	long i = zip_find(z, name);

	ctx_init(&ctx);
	assert_true(i >= 0);
	sbuf_init(m, MAXB);
	assert_int_equal(zip_read_entry(&ctx, zip_entry_at(z, (size_t)i), m),
	    STRIP_OK);
	sbuf_putc(m, 0);
}

/* No "MKM" left anywhere in any member; "MKB" still in content. */
static void
check_clean_odt(const struct sbuf *out)
{
	struct strip_ctx ctx;
	struct zip_reader *z;
	struct sbuf m;
	size_t i;

	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, out->p, out->len, &z), STRIP_OK);
	assert_string_equal(zip_entry_at(z, 0)->name, "mimetype");
	assert_int_equal(zip_entry_at(z, 0)->method, 0);
	assert_int_equal(zip_find(z, "meta.xml"), -1);
	assert_int_equal(zip_find(z, "Object 1/meta.xml"), -1);
	assert_int_equal(zip_find(z, "Thumbnails/t.png"), -1);
	for (i = 0; i < zip_count(z); i++) {
		member(z, zip_entry_at(z, i)->name, &m);
		assert_null(strstr((char *)m.p, "MKM"));
		sbuf_free(&m);
	}
	member(z, "content.xml", &m);
	assert_non_null(strstr((char *)m.p, "MKBtext"));
	assert_non_null(strstr((char *)m.p, "<office:change-info"));
	assert_non_null(strstr((char *)m.p, "fixed name"));
	assert_non_null(strstr((char *)m.p, "<text:author-name"));
	sbuf_free(&m);
	member(z, "settings.xml", &m);
	assert_non_null(strstr((char *)m.p, "kept"));
	sbuf_free(&m);
	member(z, "META-INF/manifest.xml", &m);
	assert_null(strstr((char *)m.p, "meta.xml"));
	assert_null(strstr((char *)m.p, "Thumbnails"));
	assert_non_null(strstr((char *)m.p, "content.xml"));
	sbuf_free(&m);
	zip_close(z);
}

static void
test_odf_cleaned(void **state)
{
	struct strip_ctx ctx;
	struct sbuf in, out;

	(void)state;
	ctx_init(&ctx);
	build_odt(&in, odt_mime, manifest_plain);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_odf(&ctx, in.p, in.len, &out), STRIP_OK);
	check_clean_odt(&out);
	assert_true(has_removed(&ctx, "ODF meta.xml"));
	assert_true(has_removed(&ctx, "ODF thumbnail"));
	assert_true(has_removed(&ctx, "ODF printer settings"));
	assert_true(has_removed(&ctx, "ODF tracked-change authors"));
	assert_true(has_removed(&ctx, "ODF comment authors"));
	assert_true(has_removed(&ctx,
	    "ODF author and document-info field values"));
	assert_true(has_removed(&ctx, "ZIP entry times"));
	sbuf_free(&out);
	sbuf_free(&in);
}

/* An ODF package that libmagic only called a zip goes to the ODF path. */
static void
test_zip_routes_odf(void **state)
{
	struct strip_ctx ctx;
	struct sbuf in, out;

	(void)state;
	ctx_init(&ctx);
	build_odt(&in, odt_mime, manifest_plain);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_zip(&ctx, in.p, in.len, &out), STRIP_OK);
	check_clean_odt(&out);
	assert_int_equal(ctx.members_budget, 1000 - 7);
	sbuf_free(&out);
	sbuf_free(&in);
}

static void
test_odf_refused(void **state)
{
	struct strip_ctx ctx;
	struct sbuf in, out;

	(void)state;
	ctx_init(&ctx);
	build_odt(&in, odt_mime, manifest_enc);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_odf(&ctx, in.p, in.len, &out),
	    STRIP_UNSUPPORTED);
	assert_string_equal(ctx.rep.fail, "encrypted ODF");
	sbuf_free(&out);
	sbuf_free(&in);
	ctx_init(&ctx);
	build_odt(&in, NULL, manifest_plain);
	assert_int_equal(strip_odf(&ctx, in.p, in.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	sbuf_free(&in);
	/* A mimetype that smuggles more than a type name. */
	ctx_init(&ctx);
	build_odt(&in, "application/vnd.oasis.opendocument.text MKMx",
	    manifest_plain);
	assert_int_equal(strip_odf(&ctx, in.p, in.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	sbuf_free(&in);
}

/* An archive of one nested zip (with a comment) and a blob. */
static void
build_nested(struct sbuf *b, int depth)
{
	struct zip_writer w;
	struct sbuf inner;
	uint8_t blob[256];

	memset(blob, 1, sizeof(blob));
	sbuf_init(b, MAXB);
	zip_writer_init(&w, b, MAXB);
	if (depth > 0) {
		build_nested(&inner, depth - 1);
		add(&w, "inner.zip", inner.p, inner.len, 0);
		sbuf_free(&inner);
	}
	add(&w, "blob.bin", blob, sizeof(blob), 1);
	add(&w, "dir/", NULL, 0, 0);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
	/* A comment: patch the end record and append. */
	wr_le16(b->p + b->len - 2, 6);
	sbuf_put(b, "MKMcom", 6);
}

static void
test_zip_nested(void **state)
{
	struct strip_ctx ctx;
	struct zip_reader *z, *zi;
	struct sbuf in, out, m;

	(void)state;
	ctx_init(&ctx);
	build_nested(&in, 2);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_zip(&ctx, in.p, in.len, &out), STRIP_OK);
	assert_true(has_removed(&ctx, "ZIP comment"));
	assert_int_equal(ctx.rep.nkept, 1);
	assert_null(memmem(out.p, out.len, "MKM", 3));
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, out.p, out.len, &z), STRIP_OK);
	assert_int_equal(zip_had_comment(z), 0);
	member(z, "inner.zip", &m);
	assert_int_equal(zip_open(&ctx, m.p, m.len - 1, &zi), STRIP_OK);
	assert_int_equal(zip_had_comment(zi), 0);
	assert_true(zip_find(zi, "inner.zip") >= 0);
	zip_close(zi);
	sbuf_free(&m);
	/* The blob was copied raw: same compressed bytes. */
	assert_int_equal(zip_entry_at(z, 1)->method, 8);
	zip_close(z);
	sbuf_free(&out);
	sbuf_free(&in);
}

static void
test_zip_bounds(void **state)
{
	struct strip_ctx ctx;
	struct sbuf in, out;

	(void)state;
	sbuf_init(&out, MAXB);
	/* Nested past STRIP_DEPTH_MAX: the inner one fails, so all does. */
	ctx_init(&ctx);
	build_nested(&in, STRIP_DEPTH_MAX + 2);
	assert_int_equal(strip_document(&ctx, SF_ZIP, in.p, in.len, &out),
	    STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "a member could not be cleaned");
	sbuf_free(&in);
	sbuf_free(&out);
	/* Members budget over the nesting. */
	ctx_init(&ctx);
	ctx.members_budget = 5;
	build_nested(&in, 2);
	assert_int_equal(strip_zip(&ctx, in.p, in.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* Expansion budget. */
	ctx_init(&ctx);
	ctx.expand_budget = 100;
	assert_int_equal(strip_zip(&ctx, in.p, in.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	sbuf_free(&in);
}

/* A member that claims to be a zip but is damaged fails the archive. */
static void
test_zip_bad_member(void **state)
{
	struct strip_ctx ctx;
	struct zip_writer w;
	struct sbuf in, out;

	(void)state;
	sbuf_init(&in, MAXB);
	zip_writer_init(&w, &in, MAXB);
	add(&w, "bad.zip", "PK\3\4 not really", 15, 1);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
	ctx_init(&ctx);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_zip(&ctx, in.p, in.len, &out), STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "a member could not be cleaned");
	sbuf_free(&out);
	sbuf_free(&in);
}

/* Desktop litter goes; a member named like it elsewhere stays. */
static void
test_zip_litter(void **state)
{
	struct strip_ctx ctx;
	struct zip_writer w;
	struct zip_reader *z;
	struct sbuf in, out;

	(void)state;
	sbuf_init(&in, MAXB);
	zip_writer_init(&w, &in, MAXB);
	add(&w, "__MACOSX/._a.jpg", "\0\5\26\7MKMx", 8, 0);
	add(&w, "d/.DS_Store", "Bud1MKMy", 8, 0);
	add(&w, "d/THUMBS.DB", "MKMz", 4, 0);
	add(&w, "d/Thumbs.db.txt", "kept", 4, 0);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
	ctx_init(&ctx);
	sbuf_init(&out, MAXB);
	assert_int_equal(strip_zip(&ctx, in.p, in.len, &out), STRIP_OK);
	assert_true(has_removed(&ctx, "ZIP macOS metadata files"));
	assert_true(has_removed(&ctx, "ZIP Windows thumbnail caches"));
	assert_null(memmem(out.p, out.len, "MKM", 3));
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, out.p, out.len, &z), STRIP_OK);
	assert_int_equal(zip_count(z), 1);
	zip_close(z);
	sbuf_free(&out);
	sbuf_free(&in);
}

/* Flipped bytes anywhere: never a crash, never a read out of bounds
 * (run under ASan in make check-asan). */
static void
test_mutations(void **state)
{
	struct strip_ctx ctx;
	struct sbuf in, out;
	uint8_t *copy;
	unsigned seed = 12345;
	size_t i, at;
	int rc;

	(void)state;
	build_odt(&in, odt_mime, manifest_plain);
	copy = malloc(in.len);
	assert_non_null(copy);
	for (i = 0; i < 3000; i++) {
		memcpy(copy, in.p, in.len);
		seed = seed * 1103515245 + 12345;
		at = (seed >> 8) % in.len;
		copy[at] ^= (uint8_t)(1 + (seed >> 24) % 255);
		ctx_init(&ctx);
		sbuf_init(&out, MAXB);
		rc = (i & 1) ? strip_odf(&ctx, copy, in.len, &out) :
		    strip_zip(&ctx, copy, in.len, &out);
		assert_true(rc == STRIP_OK || rc == STRIP_FAIL ||
		    rc == STRIP_UNSUPPORTED);
		assert_true(rc == STRIP_OK || ctx.rep.fail != NULL);
		sbuf_free(&out);
	}
	free(copy);
	sbuf_free(&in);
}

/* Valid archives of damaged XML: the XML layer, not the zip one, must
 * refuse or clean them. */
static void
test_xml_mutations(void **state)
{
	struct strip_ctx ctx;
	struct zip_writer w;
	struct sbuf in, out;
	char xml[sizeof(content)];
	unsigned seed = 777;
	size_t i, k;
	int rc;

	(void)state;
	for (i = 0; i < 1500; i++) {
		memcpy(xml, content, sizeof(content));
		for (k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245 + 12345;
			xml[(seed >> 8) % (sizeof(content) - 1)] =
			    "<>/=\"' :a\0&;"[(seed >> 20) % 12];
		}
		sbuf_init(&in, MAXB);
		zip_writer_init(&w, &in, MAXB);
		add(&w, "mimetype", odt_mime, sizeof(odt_mime) - 1, 0);
		add(&w, i % 2 ? "content.xml" : "META-INF/manifest.xml", xml,
		    sizeof(content) - 1, 1);
		assert_int_equal(zip_writer_finish(&w), STRIP_OK);
		zip_writer_free(&w);
		ctx_init(&ctx);
		sbuf_init(&out, MAXB);
		rc = strip_odf(&ctx, in.p, in.len, &out);
		assert_true(rc == STRIP_OK || ctx.rep.fail != NULL);
		if (rc == STRIP_OK)
			assert_null(memmem(out.p, out.len, "MKMc", 4));
		sbuf_free(&out);
		sbuf_free(&in);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_odf_cleaned),
		cmocka_unit_test(test_zip_routes_odf),
		cmocka_unit_test(test_odf_refused),
		cmocka_unit_test(test_zip_nested),
		cmocka_unit_test(test_zip_bounds),
		cmocka_unit_test(test_zip_bad_member),
		cmocka_unit_test(test_zip_litter),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_xml_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
