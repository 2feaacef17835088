/*
 * test_zipfile.c — the zip reader refuses what it cannot verify, and the
 * writer's archives read back byte for byte with nothing identifying.
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

static const char text[] = "Some text that compresses, compresses, "
    "compresses, compresses well enough to be deflated.";

static void
ctx_init(struct strip_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = MAXB;
	ctx->expand_budget = MAXB;
	ctx->members_budget = 100;
}

/* An archive of two files and a directory. */
static void
build(struct sbuf *out)
{
	struct zip_writer w;

	sbuf_init(out, MAXB);
	zip_writer_init(&w, out, MAXB);
	assert_int_equal(zip_add(&w, "a.txt", (const uint8_t *)text,
	    sizeof(text) - 1, 1), STRIP_OK);
	assert_int_equal(zip_add(&w, "dir/", NULL, 0, 0), STRIP_OK);
	assert_int_equal(zip_add(&w, "dir/b.bin", (const uint8_t *)"xyz", 3,
	    0), STRIP_OK);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
}

static int
open_rc(const struct sbuf *b, struct strip_ctx *ctx)
{
	struct zip_reader *z = NULL;
	int rc;

	rc = zip_open(ctx, b->p, b->len, &z);
	zip_close(z);
	return rc;
}

static void
test_round_trip(void **state)
{
	struct strip_ctx ctx;
	struct zip_reader *z;
	const struct zip_entry *e;
	struct sbuf b, m;

	(void)state;
	ctx_init(&ctx);
	build(&b);
	assert_int_equal(zip_open(&ctx, b.p, b.len, &z), STRIP_OK);
	assert_int_equal(zip_count(z), 3);
	assert_int_equal(zip_had_comment(z), 0);
	assert_int_equal(zip_had_extra(z), 0);
	assert_int_equal(ctx.members_budget, 97);
	assert_int_equal(zip_find(z, "dir/b.bin"), 2);
	assert_int_equal(zip_find(z, "a.txt"), 0);
	assert_int_equal(zip_find(z, "nope"), -1);
	e = zip_entry_at(z, 0);
	assert_int_equal(e->method, 8);
	assert_true(e->csize < e->usize);
	assert_int_equal(zip_entry_at(z, 1)->is_dir, 1);
	assert_int_equal(zip_entry_at(z, 2)->method, 0);
	sbuf_init(&m, MAXB);
	assert_int_equal(zip_read_entry(&ctx, e, &m), STRIP_OK);
	assert_int_equal(m.len, sizeof(text) - 1);
	assert_memory_equal(m.p, text, m.len);
	assert_int_equal(ctx.expand_budget, MAXB - m.len);
	sbuf_free(&m);
	assert_int_equal(zip_read_entry(&ctx, zip_entry_at(z, 2), &m),
	    STRIP_OK);
	assert_memory_equal(m.p, "xyz", 3);
	sbuf_free(&m);
	zip_close(z);
	sbuf_free(&b);
}

/* Fixed time and date, made-by MS-DOS, no extra, no attributes. */
static void
test_writer_fields(void **state)
{
	struct sbuf b;
	const uint8_t *c;
	size_t cd;

	(void)state;
	build(&b);
	assert_int_equal(rd_le16(b.p + 10), 0);		/* time */
	assert_int_equal(rd_le16(b.p + 12), 0x21);	/* 1980-01-01 */
	assert_int_equal(rd_le16(b.p + 28), 0);		/* extra */
	cd = rd_le32(b.p + b.len - 6);
	c = b.p + cd;
	assert_int_equal(rd_le32(c), 0x02014b50);
	assert_int_equal(rd_le16(c + 4), 20);
	assert_int_equal(rd_le16(c + 30), 0);
	assert_int_equal(rd_le16(c + 32), 0);
	assert_int_equal(rd_le32(c + 38), 0);
	assert_int_equal(rd_le16(b.p + b.len - 2), 0);	/* comment */
	sbuf_free(&b);
}

static void
test_raw_copy(void **state)
{
	struct strip_ctx ctx;
	struct zip_reader *z;
	struct zip_writer w;
	struct sbuf b, o;
	size_t i;

	(void)state;
	ctx_init(&ctx);
	build(&b);
	assert_int_equal(zip_open(&ctx, b.p, b.len, &z), STRIP_OK);
	sbuf_init(&o, MAXB);
	zip_writer_init(&w, &o, MAXB);
	for (i = 0; i < zip_count(z); i++)
		assert_int_equal(zip_add_raw(&w, zip_entry_at(z, i)),
		    STRIP_OK);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
	/* Same headers, same bytes: the copy is the original. */
	assert_int_equal(o.len, b.len);
	assert_memory_equal(o.p, b.p, b.len);
	zip_close(z);
	sbuf_free(&o);
	sbuf_free(&b);
}

static void
test_refuses_encrypted(void **state)
{
	struct strip_ctx ctx;
	struct sbuf b;
	size_t cd;

	(void)state;
	ctx_init(&ctx);
	build(&b);
	cd = rd_le32(b.p + b.len - 6);
	b.p[6] |= 1;
	b.p[cd + 8] |= 1;
	assert_int_equal(open_rc(&b, &ctx), STRIP_UNSUPPORTED);
	sbuf_free(&b);
}

static void
add_named(const char *n1, const char *n2, struct sbuf *b)
{
	struct zip_writer w;

	sbuf_init(b, MAXB);
	zip_writer_init(&w, b, MAXB);
	assert_int_equal(zip_add(&w, n1, (const uint8_t *)"1", 1, 0),
	    STRIP_OK);
	if (n2 != NULL)
		assert_int_equal(zip_add(&w, n2, (const uint8_t *)"2", 1, 0),
		    STRIP_OK);
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
}

static void
test_refuses_names(void **state)
{
	static const char *bad[] = { "../x", "a/../../x", "/etc/passwd",
	    "\\x", "C:x", "a\\..\\x", ".." };
	struct strip_ctx ctx;
	struct sbuf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ctx_init(&ctx);
		add_named(bad[i], NULL, &b);
		assert_int_equal(open_rc(&b, &ctx), STRIP_FAIL);
		sbuf_free(&b);
	}
	ctx_init(&ctx);
	add_named("a..b/..c/x..", NULL, &b);
	assert_int_equal(open_rc(&b, &ctx), STRIP_OK);
	sbuf_free(&b);
	/* A NUL inside the name: patch it into both headers. */
	ctx_init(&ctx);
	add_named("abc", NULL, &b);
	b.p[31] = 0;
	b.p[rd_le32(b.p + b.len - 6) + 47] = 0;
	assert_int_equal(open_rc(&b, &ctx), STRIP_FAIL);
	sbuf_free(&b);
	ctx_init(&ctx);
	add_named("same", "same", &b);
	assert_int_equal(open_rc(&b, &ctx), STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "zip entry names repeat");
	sbuf_free(&b);
}

/* Entry "b"'s local header sits inside entry "a"'s stored data. */
static void
test_refuses_overlap(void **state)
{
	struct strip_ctx ctx;
	struct zip_writer w;
	struct sbuf inner, b;
	size_t cd;

	(void)state;
	add_named("b", NULL, &inner);
	cd = rd_le32(inner.p + inner.len - 6);
	sbuf_init(&b, MAXB);
	zip_writer_init(&w, &b, MAXB);
	assert_int_equal(zip_add(&w, "a", inner.p, cd, 0), STRIP_OK);
	wr_le32(inner.p + cd + 42, 31);
	sbuf_put(&w.cdir, inner.p + cd, 46 + 1);
	w.count++;
	assert_int_equal(zip_writer_finish(&w), STRIP_OK);
	zip_writer_free(&w);
	ctx_init(&ctx);
	assert_int_equal(open_rc(&b, &ctx), STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "zip entries overlap");
	sbuf_free(&b);
	sbuf_free(&inner);
}

static void
test_refuses_damage(void **state)
{
	struct strip_ctx ctx;
	struct sbuf b;
	size_t i;

	(void)state;
	build(&b);
	/* Every truncation fails cleanly. */
	for (i = 0; i < b.len; i++) {
		ctx_init(&ctx);
		assert_int_not_equal(zip_open(&ctx, b.p, i,
		    &(struct zip_reader *){ NULL }), STRIP_OK);
	}
	/* Local header disagreeing with the central one. */
	ctx_init(&ctx);
	b.p[14] ^= 1;
	assert_int_equal(open_rc(&b, &ctx), STRIP_FAIL);
	b.p[14] ^= 1;
	/* Members budget. */
	ctx_init(&ctx);
	ctx.members_budget = 2;
	assert_int_equal(open_rc(&b, &ctx), STRIP_FAIL);
	sbuf_free(&b);
}

static void
test_read_checks(void **state)
{
	struct strip_ctx ctx;
	struct zip_reader *z;
	struct zip_entry e;
	struct sbuf b, m;

	(void)state;
	ctx_init(&ctx);
	build(&b);
	assert_int_equal(zip_open(&ctx, b.p, b.len, &z), STRIP_OK);
	sbuf_init(&m, MAXB);
	e = *zip_entry_at(z, 0);
	e.crc ^= 1;
	assert_int_equal(zip_read_entry(&ctx, &e, &m), STRIP_FAIL);
	assert_int_equal(m.len, 0);
	e = *zip_entry_at(z, 0);
	e.usize -= 1;
	assert_int_equal(zip_read_entry(&ctx, &e, &m), STRIP_FAIL);
	e = *zip_entry_at(z, 0);
	e.usize += 1;
	assert_int_equal(zip_read_entry(&ctx, &e, &m), STRIP_FAIL);
	e = *zip_entry_at(z, 0);
	e.csize -= 2;
	assert_int_equal(zip_read_entry(&ctx, &e, &m), STRIP_FAIL);
	e = *zip_entry_at(z, 0);
	e.method = 12;
	assert_int_equal(zip_read_entry(&ctx, &e, &m), STRIP_UNSUPPORTED);
	ctx.expand_budget = 10;
	assert_int_equal(zip_read_entry(&ctx, zip_entry_at(z, 0), &m),
	    STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "zip member checksum wrong");
	ctx_init(&ctx);
	ctx.expand_budget = 10;
	assert_int_equal(zip_read_entry(&ctx, zip_entry_at(z, 0), &m),
	    STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "zip members expand too much");
	assert_int_equal(ctx.expand_budget, 10);
	sbuf_free(&m);
	zip_close(z);
	sbuf_free(&b);
}

/* A comment and extra fields are noticed. */
static void
test_notices_comment_extra(void **state)
{
	static const uint8_t arc[] = {
		/* local "x", extra 4 bytes, stored "hi" */
		0x50, 0x4b, 3, 4, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xac, 0x2a, 0x93, 0xd8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 4, 0,
		'x', 0xfe, 0xca, 0, 0, 'h', 'i',
		/* central */
		0x50, 0x4b, 1, 2, 20, 3, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0xac, 0x2a, 0x93, 0xd8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 'x',
		/* end, comment "MKM" */
		0x50, 0x4b, 5, 6, 0, 0, 0, 0, 1, 0, 1, 0, 47, 0, 0, 0,
		37, 0, 0, 0, 3, 0, 'M', 'K', 'M',
	};
	struct strip_ctx ctx;
	struct zip_reader *z;
	struct sbuf m;

	(void)state;
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, arc, sizeof(arc), &z), STRIP_OK);
	assert_int_equal(zip_had_comment(z), 1);
	assert_int_equal(zip_had_extra(z), 1);
	sbuf_init(&m, MAXB);
	assert_int_equal(zip_read_entry(&ctx, zip_entry_at(z, 0), &m),
	    STRIP_OK);
	assert_memory_equal(m.p, "hi", 2);
	sbuf_free(&m);
	zip_close(z);
}

/* Info-ZIP's "zip - <file": zip64 end records and local sizes in the
 * zip64 extra field. */
static const uint8_t zip64_stream[] = {
	0x50, 0x4b, 0x03, 0x04, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x39, 0x3c,
	0x82, 0x5d, 0xaf, 0xcf, 0x54, 0xf3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0x01, 0x00, 0x14, 0x00, 0x2d, 0x01, 0x00, 0x10, 0x00, 0x0a,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x68, 0x65, 0x6c, 0x6c, 0x6f, 0x20, 0x4d, 0x4b, 0x42,
	0x0a, 0x50, 0x4b, 0x01, 0x02, 0x1e, 0x03, 0x2d, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x39, 0x3c, 0x82, 0x5d, 0xaf, 0xcf, 0x54, 0xf3, 0x0a, 0x00, 0x00,
	0x00, 0x0a, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x01, 0x00, 0x00, 0x00, 0x80, 0x11, 0x00, 0x00, 0x00, 0x00, 0x2d,
	0x50, 0x4b, 0x06, 0x06, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x1e, 0x03, 0x2d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x3d, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x4b, 0x06, 0x07,
	0x00, 0x00, 0x00, 0x00, 0x6c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x50, 0x4b, 0x05, 0x06, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x00, 0x01, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x3d, 0x00, 0x00, 0x00,
	0x00, 0x00,
};

static void
test_zip64(void **state)
{
	struct strip_ctx ctx;
	struct zip_reader *z;
	struct sbuf m;
	uint8_t bad[sizeof(zip64_stream)];

	(void)state;
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, zip64_stream, sizeof(zip64_stream),
	    &z), STRIP_OK);
	assert_int_equal(zip_count(z), 1);
	assert_string_equal(zip_entry_at(z, 0)->name, "-");
	assert_int_equal(zip_had_extra(z), 1);
	sbuf_init(&m, MAXB);
	assert_int_equal(zip_read_entry(&ctx, zip_entry_at(z, 0), &m),
	    STRIP_OK);
	assert_int_equal(m.len, 10);
	assert_memory_equal(m.p, "hello MKB\n", 10);
	sbuf_free(&m);
	zip_close(z);
	/* The local zip64 field renamed: its sizes are unknown. */
	memcpy(bad, zip64_stream, sizeof(bad));
	bad[31] = 0x02;
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, bad, sizeof(bad), &z), STRIP_FAIL);
	/* The zip64 end record pointing elsewhere. */
	memcpy(bad, zip64_stream, sizeof(bad));
	bad[sizeof(bad) - 22 - 12] ^= 4;
	ctx_init(&ctx);
	assert_int_equal(zip_open(&ctx, bad, sizeof(bad), &z), STRIP_FAIL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_writer_fields),
		cmocka_unit_test(test_raw_copy),
		cmocka_unit_test(test_refuses_encrypted),
		cmocka_unit_test(test_refuses_names),
		cmocka_unit_test(test_refuses_overlap),
		cmocka_unit_test(test_refuses_damage),
		cmocka_unit_test(test_read_checks),
		cmocka_unit_test(test_notices_comment_extra),
		cmocka_unit_test(test_zip64),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
