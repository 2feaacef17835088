/*
 * test_strip.c — the stripper's dispatcher and its parent side: MIME
 * types to formats, signatures, the capped buffer and the report,
 * outcome text and JSON, claims that disagree with the content, and whole
 * runs through the sandbox (plain text cleaned byte for byte; unknown
 * bytes not supported; more bytes than announced not cleaned).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <magic.h>
#include <sodium.h>

#include "postern/strip.h"
#include "postern/stripfmt.h"

static magic_t magic;

/* valgrind 3.19 lacks pidfd_open, which the sandbox needs: the runs
 * through it are skipped there (test_sandbox.c says more). */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

#define skip_under_valgrind() \
	do { \
		if (under_valgrind()) { \
			print_message("    skipped: the sandbox cannot run " \
				      "under valgrind\n"); \
			skip(); \
		} \
	} while (0)

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0)
		return -1;
	magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
	if (magic == NULL || magic_load(magic, NULL) != 0) {
		fprintf(stderr, "test_strip: cannot load libmagic\n");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	magic_close(magic);
	return 0;
}

static void
test_mime_map(void **state)
{
	(void)state;
	assert_int_equal(strip_format_of_mime("image/jpeg"), SF_JPEG);
	assert_int_equal(strip_format_of_mime("text/plain"), SF_TEXT);
	assert_int_equal(strip_format_of_mime("application/pdf"), SF_PDF);
	assert_int_equal(strip_format_of_mime(
	    "application/vnd.openxmlformats-officedocument.wordprocessingml."
	    "document"), SF_OOXML);
	assert_int_equal(strip_format_of_mime(
	    "application/vnd.oasis.opendocument.spreadsheet"), SF_ODF);
	assert_int_equal(strip_format_of_mime("video/quicktime"), SF_MP4);
	/* Prefixes only where the table says so; no partial matches. */
	assert_int_equal(strip_format_of_mime("image/jpegx"), SF_UNKNOWN);
	assert_int_equal(strip_format_of_mime("image/jpe"), SF_UNKNOWN);
	assert_int_equal(strip_format_of_mime("application/msword"),
	    SF_UNKNOWN);
	assert_int_equal(strip_format_of_mime("text/html"), SF_UNKNOWN);
	assert_int_equal(strip_format_of_mime(""), SF_UNKNOWN);
	assert_string_equal(strip_format_name(SF_PNG), "png");
	assert_string_equal(strip_format_name(SF_UNKNOWN), "");
	assert_string_equal(strip_format_name(SF_COUNT), "");
}

static void
test_sniff(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		enum strip_format f;
	} cases[] = {
		{ "\xff\xd8\xff\xe0", 4, SF_JPEG },
		{ "\x89PNG\r\n\x1a\n", 8, SF_PNG },
		{ "GIF89a", 6, SF_GIF },
		{ "RIFF\0\0\0\0WEBP", 12, SF_WEBP },
		{ "%PDF-1.7", 8, SF_PDF },
		{ "PK\3\4", 4, SF_ZIP },
		{ "fLaC", 4, SF_FLAC },
		{ "\0\0\0\x18" "ftypisom", 12, SF_MP4 },
		{ "\0\0\0\x18" "ftypheic", 12, SF_HEIF },
		{ "\xff\xd8", 2, SF_UNKNOWN },	/* too short */
		{ "", 0, SF_UNKNOWN },
	};
	struct strip_ctx ctx;
	char mime[64];
	size_t i;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(strip_detect(&ctx,
		    (const uint8_t *)cases[i].bytes, cases[i].len, mime,
		    sizeof(mime)), cases[i].f);
	/* With libmagic: its answer, not the signatures'. */
	ctx.magic = magic;
	assert_int_equal(strip_detect(&ctx, (const uint8_t *)"hello\n", 6,
	    mime, sizeof(mime)), SF_TEXT);
	assert_string_equal(mime, "text/plain");
	/* A MIME type that does not fit is reported as unknown. */
	assert_int_equal(strip_detect(&ctx, (const uint8_t *)"hello\n", 6,
	    mime, 5), SF_UNKNOWN);
	assert_string_equal(mime, "");
}

static void
test_sbuf_cap(void **state)
{
	struct sbuf b;

	(void)state;
	sbuf_init(&b, 10);
	assert_int_equal(sbuf_put(&b, "0123456789", 10), 0);
	assert_int_equal(sbuf_putc(&b, 'x'), -1);
	assert_true(b.err);
	/* Once failed, always failed: one check at the end is enough. */
	b.len = 0;
	assert_int_equal(sbuf_putc(&b, 'x'), -1);
	sbuf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.max, 10);
	assert_int_equal(sbuf_put_be32(&b, 0x01020304), 0);
	assert_int_equal(sbuf_put_le16(&b, 0x0506), 0);
	assert_memory_equal(b.p, "\1\2\3\4\6\5", 6);
	assert_int_equal(rd_be32(b.p), 0x01020304);
	assert_int_equal(rd_le16(b.p + 4), 0x0506);
	assert_int_equal(sbuf_fill(&b, 0, 5), -1); /* 6 + 5 > 10 */
	sbuf_free(&b);
}

static void
test_report(void **state)
{
	struct strip_ctx ctx;
	size_t i;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	strip_removed(&ctx, "A");
	strip_removed(&ctx, "B");
	strip_removed(&ctx, "A");
	assert_int_equal(ctx.rep.nremoved, 2);
	assert_int_equal(ctx.rep.count[0], 2);
	strip_warn(&ctx, "w");
	strip_warn(&ctx, "w");
	assert_int_equal(ctx.rep.nwarn, 1);
	assert_int_equal(strip_fail(&ctx, STRIP_FAIL, "first"), STRIP_FAIL);
	assert_int_equal(strip_fail(&ctx, STRIP_UNSUPPORTED, "second"),
	    STRIP_UNSUPPORTED);
	assert_string_equal(ctx.rep.fail, "first");
	/* Past the cap, entries are counted as dropped, never overflow. */
	for (i = 0; i < STRIP_REP_REMOVED_MAX + 5; i++) {
		static char names[STRIP_REP_REMOVED_MAX + 5][8];
		snprintf(names[i], sizeof(names[i]), "f%zu", i);
		strip_removed(&ctx, names[i]);
	}
	assert_int_equal(ctx.rep.nremoved, STRIP_REP_REMOVED_MAX);
	assert_int_equal(ctx.rep.dropped, 7);
}

static void
test_depth_cap(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	sbuf_init(&out, 100);
	ctx.depth = STRIP_DEPTH_MAX + 1;
	assert_int_equal(strip_document(&ctx, SF_TEXT, (const uint8_t *)"x",
	    1, &out), STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "containers nested too deep");
	memset(&ctx, 0, sizeof(ctx));
	assert_int_equal(strip_document(&ctx, SF_UNKNOWN,
	    (const uint8_t *)"x", 1, &out), STRIP_UNSUPPORTED);
	memset(&ctx, 0, sizeof(ctx));
	/* Output over its cap fails even if the module said OK. */
	assert_int_equal(strip_document(&ctx, SF_TEXT,
	    (const uint8_t *)"0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	    112, &out), STRIP_FAIL);
	sbuf_free(&out);
}

static void
test_outcome_text(void **state)
{
	struct strip_outcome o;
	char buf[256];

	(void)state;
	memset(&o, 0, sizeof(o));
	o.status = STRIP_CLEANED;
	assert_int_equal(strip_outcome_text(&o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "cleaned: nothing to remove");
	strcpy(o.removed[0], "JPEG Exif");
	o.count[0] = 1;
	strcpy(o.removed[1], "JPEG comment");
	o.count[1] = 3;
	o.nremoved = 2;
	strcpy(o.warn[0], "data after the end dropped");
	o.nwarn = 1;
	assert_int_equal(strip_outcome_text(&o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "cleaned: removed JPEG Exif, JPEG comment "
	    "(3); warnings: data after the end dropped");
	assert_int_equal(strip_outcome_text(&o, buf, 20), -1);
	o.status = STRIP_NOT_CLEANED;
	strcpy(o.reason, "the cleaner ran out of time");
	assert_int_equal(strip_outcome_text(&o, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "NOT CLEANED: the cleaner ran out of time");
}

static void
test_outcome_json(void **state)
{
	struct strip_outcome o;
	json_error_t jerr;
	json_t *j;
	char *s;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.status = STRIP_NOT_SUPPORTED;
	strcpy(o.type, "application/x-thing");
	strcpy(o.reason, "no cleaner for this type");
	s = strip_outcome_json(&o);
	assert_non_null(s);
	j = json_loads(s, 0, &jerr);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "type")),
	    "application/x-thing");
	assert_true(json_is_null(json_object_get(j, "format")));
	assert_string_equal(json_string_value(json_object_get(j, "status")),
	    "not supported");
	assert_int_equal(json_array_size(json_object_get(j, "removed")), 0);
	json_decref(j);
	free(s);

	o.status = STRIP_CLEANED;
	strcpy(o.format, "png");
	strcpy(o.removed[0], "PNG tEXt");
	o.count[0] = 4;
	o.nremoved = 1;
	s = strip_outcome_json(&o);
	j = json_loads(s, 0, &jerr);
	assert_non_null(j);
	assert_null(json_object_get(j, "reason"));
	assert_int_equal(json_integer_value(json_object_get(json_array_get(
	    json_object_get(j, "removed"), 0), "count")), 4);
	json_decref(j);
	free(s);
}

static void
test_claims(void **state)
{
	struct strip_outcome o;

	(void)state;
	memset(&o, 0, sizeof(o));
	strcpy(o.type, "image/png");
	strip_note_claims(&o, "holiday.png", "image/png");
	assert_int_equal(o.nwarn, 0);
	strip_note_claims(&o, "HOLIDAY.PNG", "application/octet-stream");
	assert_int_equal(o.nwarn, 0);
	strip_note_claims(&o, "report.pdf", NULL);
	assert_int_equal(o.nwarn, 1);
	assert_non_null(strstr(o.warn[0], "extension"));
	strip_note_claims(&o, "noext", "image/jpeg");
	assert_int_equal(o.nwarn, 2);
	assert_non_null(strstr(o.warn[1], "Content-Type"));
	/* An extension we do not know says nothing either way. */
	strip_note_claims(&o, "x.weird", NULL);
	assert_int_equal(o.nwarn, 2);
}

/* A sink that collects into a buffer. */
struct collect {
	uint8_t buf[4096];
	size_t len;
};

static int
collect(void *arg, const uint8_t *b, size_t n)
{
	struct collect *c = arg;

	if (n > sizeof(c->buf) - c->len)
		return -1;
	memcpy(c->buf + c->len, b, n);
	c->len += n;
	return 0;
}

static int
run(const char *doc, size_t len, uint64_t announce, struct collect *c,
    struct strip_outcome *o)
{
	struct strip_job *j;

	c->len = 0;
	j = strip_start(magic, announce, collect, c);
	assert_non_null(j);
	if (strip_feed(j, (const uint8_t *)doc, len) != 0) {
		/* The child may stop reading: the outcome says why. */
	}
	return strip_finish(j, o);
}

static void
test_run_text(void **state)
{
	static const char doc[] = "name,amount\nMKB1,3\n";
	struct strip_outcome o;
	struct collect c;

	(void)state;
	skip_under_valgrind();
	assert_int_equal(run(doc, sizeof(doc) - 1, sizeof(doc) - 1, &c, &o),
	    0);
	assert_int_equal(o.status, STRIP_CLEANED);
	assert_string_equal(o.format, "text");
	assert_int_equal(c.len, sizeof(doc) - 1);
	assert_memory_equal(c.buf, doc, c.len);
	assert_int_equal(o.out_bytes, c.len);
}

static void
test_run_unsupported(void **state)
{
	uint8_t doc[512];
	struct strip_outcome o;
	struct collect c;

	(void)state;
	skip_under_valgrind();
	randombytes_buf(doc, sizeof(doc));
	doc[0] = 0;
	assert_int_equal(run((const char *)doc, sizeof(doc), sizeof(doc), &c,
	    &o), -1);
	assert_int_equal(o.status, STRIP_NOT_SUPPORTED);
	assert_string_equal(o.type, "application/octet-stream");
	assert_int_equal(c.len, 0);
}

static void
test_run_over_announced(void **state)
{
	static const char doc[] = "hello there\n";
	struct strip_outcome o;
	struct collect c;

	(void)state;
	skip_under_valgrind();
	assert_int_equal(run(doc, sizeof(doc) - 1, 4, &c, &o), -1);
	assert_int_equal(o.status, STRIP_NOT_CLEANED);
	assert_non_null(strstr(o.reason, "larger than announced"));
	assert_int_equal(c.len, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mime_map),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_sbuf_cap),
		cmocka_unit_test(test_report),
		cmocka_unit_test(test_depth_cap),
		cmocka_unit_test(test_outcome_text),
		cmocka_unit_test(test_outcome_json),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_run_text),
		cmocka_unit_test(test_run_unsupported),
		cmocka_unit_test(test_run_over_announced),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
