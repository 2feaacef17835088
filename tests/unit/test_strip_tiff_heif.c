/*
 * test_strip_tiff_heif.c — the TIFF and HEIF strippers on documents built
 * byte by byte here: what goes, what stays, what is refused, and that
 * truncated or corrupted input is handled without a crash (run under ASan
 * in make check-asan).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postern/stripfmt.h"

typedef int (*strip_fn)(
    struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);

static const uint8_t pixels[4] = { 0x11, 0x22, 0x33, 0x44 };

/* A document under construction; be picks the byte order of put16/32. */
struct doc {
	uint8_t b[4096];
	size_t n;
	int be;
};

static void
put(struct doc *d, const void *p, size_t n)
{
	assert_true(n <= sizeof(d->b) - d->n);
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

static void
put16(struct doc *d, uint16_t v)
{
	uint8_t x[2];

	if (d->be)
		wr_be16(x, v);
	else
		wr_le16(x, v);
	put(d, x, 2);
}

static void
put32(struct doc *d, uint32_t v)
{
	uint8_t x[4];

	if (d->be)
		wr_be32(x, v);
	else
		wr_le32(x, v);
	put(d, x, 4);
}

static uint16_t
get16(const uint8_t *p, int be)
{
	return be ? rd_be16(p) : rd_le16(p);
}

static uint32_t
get32(const uint8_t *p, int be)
{
	return be ? rd_be32(p) : rd_le32(p);
}

static int
has_marker(const uint8_t *p, size_t n)
{
	return memmem(p, n, "MKM", 3) != NULL;
}

static int
run(strip_fn fn, const uint8_t *in, size_t len, struct sbuf *out,
    struct strip_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = 2 * len + 4096;
	sbuf_init(out, ctx->out_max);
	return fn(ctx, in, len, out);
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

/* Every prefix and many one-byte corruptions: no crash, no overread
 * (ASan), and a result that is one of the three codes. */
static void
torture(strip_fn fn, const uint8_t *in, size_t len)
{
	struct strip_ctx ctx;
	struct sbuf out;
	uint8_t *m;
	size_t i, k;
	int rc;
	static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0x80, 0xff };

	for (i = 0; i < len; i++) {
		m = malloc(i ? i : 1);
		assert_non_null(m);
		memcpy(m, in, i);
		rc = run(fn, m, i, &out, &ctx);
		assert_true(rc == STRIP_OK || rc == STRIP_FAIL ||
		    rc == STRIP_UNSUPPORTED);
		sbuf_free(&out);
		free(m);
	}
	m = malloc(len);
	assert_non_null(m);
	for (i = 0; i < len; i++)
		for (k = 0; k < sizeof(vals); k++) {
			memcpy(m, in, len);
			m[i] = vals[k];
			rc = run(fn, m, len, &out, &ctx);
			assert_true(rc == STRIP_OK || rc == STRIP_FAIL ||
			    rc == STRIP_UNSUPPORTED);
			sbuf_free(&out);
		}
	free(m);
}

/* ---- TIFF ---------------------------------------------------------- */

static void
tiff_entry(
    struct doc *d, uint16_t tag, uint16_t type, uint32_t count, uint32_t value)
{
	put16(d, tag);
	put16(d, type);
	put32(d, count);
	if (count == 1 && type == 3) {
		/* a SHORT sits in the first two bytes of the field */
		put16(d, (uint16_t)value);
		put16(d, 0);
	} else
		put32(d, value);
}

/* A 2x2 grey page (strip at 8) with an Artist, then a reduced-resolution
 * page with a description; next is what the last IFD points to. */
static void
tiff_build(struct doc *d, int be, uint32_t thumb_next)
{
	static const char artist[] = "MKMartist";
	static const char desc[] = "MKMthumbdesc";
	uint32_t ifd0, ifd1, a_off, d_off;

	memset(d, 0, sizeof(*d));
	d->be = be;
	put(d, be ? "MM" : "II", 2);
	put16(d, 42);
	put32(d, 0);	   /* patched below */
	put(d, pixels, 4); /* at 8 */
	put(d, "THMB", 4); /* at 12 */
	a_off = (uint32_t)d->n;
	put(d, artist, sizeof(artist));
	d_off = (uint32_t)d->n;
	put(d, desc, sizeof(desc));
	if (d->n % 2)
		put(d, "", 1);
	ifd0 = (uint32_t)d->n;
	ifd1 = ifd0 + 2 + 10 * 12 + 4;
	put16(d, 10);
	tiff_entry(d, 256, 3, 1, 2);
	tiff_entry(d, 257, 3, 1, 2);
	tiff_entry(d, 258, 3, 1, 8);
	tiff_entry(d, 259, 3, 1, 1);
	tiff_entry(d, 262, 3, 1, 1);
	tiff_entry(d, 273, 4, 1, 8);
	tiff_entry(d, 277, 3, 1, 1);
	tiff_entry(d, 278, 3, 1, 2);
	tiff_entry(d, 279, 4, 1, 4);
	tiff_entry(d, 315, 2, sizeof(artist), a_off);
	put32(d, ifd1);
	put16(d, 8);
	tiff_entry(d, 254, 4, 1, 1);
	tiff_entry(d, 256, 3, 1, 2);
	tiff_entry(d, 257, 3, 1, 2);
	tiff_entry(d, 258, 3, 1, 8);
	tiff_entry(d, 262, 3, 1, 1);
	tiff_entry(d, 270, 2, sizeof(desc), d_off);
	tiff_entry(d, 273, 4, 1, 12);
	tiff_entry(d, 279, 4, 1, 4);
	put32(d, thumb_next);
	if (be)
		wr_be32(d->b + 4, ifd0);
	else
		wr_le32(d->b + 4, ifd0);
}

static void
tiff_check_clean(int be)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;
	const uint8_t *ifd, *e;
	uint32_t off, so = 0, sc = 0;
	uint16_t n, i, prev = 0;

	tiff_build(&d, be, 0);
	assert_true(has_marker(d.b, d.n));
	assert_int_equal(run(strip_tiff, d.b, d.n, &out, &ctx), STRIP_OK);
	assert_null(ctx.rep.fail);
	assert_false(has_marker(out.p, out.len));
	assert_memory_equal(out.p, d.b, 4);
	off = get32(out.p + 4, be);
	assert_true(off % 2 == 0 && off + 2 <= out.len);
	ifd = out.p + off;
	n = get16(ifd, be);
	assert_int_equal(n, 9); /* the Artist is gone */
	assert_true(off + 2 + 12u * n + 4 <= out.len);
	for (i = 0; i < n; i++) {
		e = ifd + 2 + 12 * i;
		assert_true(get16(e, be) > prev); /* ascending */
		prev = get16(e, be);
		if (prev == 273)
			so = get32(e + 8, be);
		if (prev == 279)
			sc = get32(e + 8, be);
	}
	assert_int_equal(sc, 4);
	assert_true(so + 4 <= out.len);
	assert_memory_equal(out.p + so, pixels, 4);
	/* one page: the preview went, and its strip with it */
	assert_int_equal(get32(ifd + 2 + 12 * n, be), 0);
	assert_null(memmem(out.p, out.len, "THMB", 4));
	assert_true(reported(&ctx, "TIFF Artist"));
	assert_true(reported(&ctx, "TIFF thumbnail/preview page"));
	assert_true(reported(&ctx, "TIFF ImageDescription"));
	sbuf_free(&out);
}

static void
test_tiff_le(void **state)
{
	(void)state;
	tiff_check_clean(0);
}

static void
test_tiff_be(void **state)
{
	(void)state;
	tiff_check_clean(1);
}

static void
test_tiff_refused(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;
	uint32_t ifd0;

	(void)state;
	/* BigTIFF */
	tiff_build(&d, 0, 0);
	d.b[2] = 43;
	assert_int_equal(
	    run(strip_tiff, d.b, d.n, &out, &ctx), STRIP_UNSUPPORTED);
	sbuf_free(&out);
	/* a chain that loops back to the first IFD */
	tiff_build(&d, 0, 0);
	ifd0 = rd_le32(d.b + 4);
	wr_le32(d.b + d.n - 4, ifd0);
	assert_int_equal(run(strip_tiff, d.b, d.n, &out, &ctx), STRIP_FAIL);
	assert_string_equal(
	    ctx.rep.fail, "TIFF IFD chain loops or is too long");
	sbuf_free(&out);
	/* a strip past the end */
	tiff_build(&d, 0, 0);
	wr_le32(d.b + ifd0 + 2 + 5 * 12 + 8, (uint32_t)d.n - 2);
	assert_int_equal(run(strip_tiff, d.b, d.n, &out, &ctx), STRIP_FAIL);
	assert_string_equal(ctx.rep.fail, "TIFF strip runs past the end");
	sbuf_free(&out);
	/* only a preview page: nothing to keep */
	tiff_build(&d, 0, 0);
	wr_le32(d.b + 4, ifd0 + 2 + 10 * 12 + 4);
	assert_int_equal(
	    run(strip_tiff, d.b, d.n, &out, &ctx), STRIP_UNSUPPORTED);
	sbuf_free(&out);
	/* a kept tag of a type that could carry text */
	tiff_build(&d, 0, 0);
	wr_le16(d.b + ifd0 + 2 + 2, 2); /* ImageWidth as ASCII */
	assert_int_equal(run(strip_tiff, d.b, d.n, &out, &ctx), STRIP_FAIL);
	sbuf_free(&out);
	/* not a TIFF */
	assert_int_equal(
	    run(strip_tiff, (const uint8_t *)"II", 2, &out, &ctx), STRIP_FAIL);
	sbuf_free(&out);
}

static void
test_tiff_torture(void **state)
{
	struct doc d;

	(void)state;
	tiff_build(&d, 0, 0);
	torture(strip_tiff, d.b, d.n);
	tiff_build(&d, 1, 0);
	torture(strip_tiff, d.b, d.n);
}

/* ---- HEIF ---------------------------------------------------------- */

struct heif_opt {
	uint16_t exif_method; /* construction method of the Exif item */
	int exif_in_image;    /* Exif extent overlapping the image's */
	int exif_in_meta;     /* Exif extent pointing into the meta box */
	int moov;	      /* add a moov with mvhd times */
};

static const char image_bytes[] = "IMAGEDATAIMAGEDATA";
static const char exif_bytes[] = "\0\0\0\0MM\0*MKMexifArtist";
static const char xmp_bytes[] = "<x:xmpmeta>MKMxmpCreator</x:xmpmeta>";

/* Start a box; end_box patches its size. */
static size_t
begin_box(struct doc *d, const char *type)
{
	size_t at = d->n;

	put32(d, 0);
	put(d, type, 4);
	return at;
}

static void
end_box(struct doc *d, size_t at)
{
	wr_be32(d->b + at, (uint32_t)(d->n - at));
}

static void
infe(struct doc *d, uint16_t id, const char *type, const char *ctype)
{
	size_t b = begin_box(d, "infe");

	put32(d, 0x02000000); /* version 2, flags 0 */
	put16(d, id);
	put16(d, 0);
	put(d, type, 4);
	put(d, "", 1); /* item_name */
	if (ctype != NULL)
		put(d, ctype, strlen(ctype) + 1);
	end_box(d, b);
}

static void
iloc_item(
    struct doc *d, uint16_t id, uint16_t method, uint32_t off, uint32_t len)
{
	put16(d, id);
	put16(d, method);
	put16(d, 0); /* data_reference_index */
	put16(d, 1); /* extent_count */
	put32(d, off);
	put32(d, len);
}

/* The meta box; mdat is where the mdat payload will start. */
static void
heif_meta(
    struct doc *d, const struct heif_opt *o, uint32_t mdat, uint32_t meta_at)
{
	size_t m, b;
	uint32_t eoff;

	m = begin_box(d, "meta");
	put32(d, 0);
	b = begin_box(d, "iinf");
	put32(d, 0);
	put16(d, 3);
	infe(d, 1, "hvc1", NULL);
	infe(d, 2, "Exif", NULL);
	infe(d, 3, "mime", "application/rdf+xml");
	end_box(d, b);
	b = begin_box(d, "iloc");
	put32(d, 0x01000000);  /* version 1 */
	put(d, "\x44\x00", 2); /* 4-byte offsets and lengths, no base */
	put16(d, 3);
	iloc_item(d, 1, 0, mdat, sizeof(image_bytes));
	eoff = mdat + sizeof(image_bytes);
	if (o->exif_in_image)
		eoff -= 4;
	if (o->exif_in_meta)
		eoff = meta_at + 8;
	iloc_item(d, 2, o->exif_method, eoff, sizeof(exif_bytes));
	iloc_item(d, 3, 1, 0, sizeof(xmp_bytes));
	end_box(d, b);
	b = begin_box(d, "idat");
	put(d, xmp_bytes, sizeof(xmp_bytes));
	end_box(d, b);
	b = begin_box(d, "iref");
	put32(d, 0);
	put32(d, 14);
	put(d, "cdsc", 4);
	put16(d, 2);
	put16(d, 1);
	put16(d, 1);
	end_box(d, b);
	end_box(d, m);
}

static void
heif_build(struct doc *d, const struct heif_opt *o)
{
	size_t b, meta_at, mdat;

	memset(d, 0, sizeof(*d));
	d->be = 1;
	b = begin_box(d, "ftyp");
	put(d, "heic\0\0\0\0mif1heic", 16);
	end_box(d, b);
	meta_at = d->n;
	/* Lay out once to learn where mdat lands, then for real. */
	heif_meta(d, o, 0, 0);
	mdat = d->n + 8;
	d->n = meta_at;
	heif_meta(d, o, (uint32_t)mdat, (uint32_t)meta_at);
	b = begin_box(d, "mdat");
	put(d, image_bytes, sizeof(image_bytes));
	put(d, exif_bytes, sizeof(exif_bytes));
	end_box(d, b);
	if (o->moov) {
		b = begin_box(d, "moov");
		mdat = begin_box(d, "mvhd");
		put32(d, 0);
		put32(d, 0x4d4b4d31); /* "MKM1" as times */
		put32(d, 0x4d4b4d32);
		put32(d, 1000);
		end_box(d, mdat);
		mdat = begin_box(d, "udta");
		put(d, "MKMudta", 7);
		end_box(d, mdat);
		end_box(d, b);
	}
}

static void
test_heif_clean(void **state)
{
	struct heif_opt o = { 0, 0, 0, 1 };
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;

	(void)state;
	heif_build(&d, &o);
	assert_true(has_marker(d.b, d.n));
	assert_int_equal(run(strip_heif, d.b, d.n, &out, &ctx), STRIP_OK);
	assert_null(ctx.rep.fail);
	assert_int_equal(out.len, d.n);
	assert_false(has_marker(out.p, out.len));
	/* the image's bytes are where they were */
	assert_non_null(
	    memmem(out.p, out.len, image_bytes, sizeof(image_bytes)));
	/* the Exif and XMP items are inert; the image item is not */
	assert_null(memmem(out.p, out.len, "Exif", 4));
	assert_null(memmem(out.p, out.len, "mime", 4));
	assert_null(memmem(out.p, out.len, "rdf+xml", 7));
	assert_null(memmem(out.p, out.len, "cdsc", 4));
	assert_non_null(memmem(out.p, out.len, "hvc1", 4));
	assert_null(memmem(out.p, out.len, "udta", 4));
	assert_true(reported(&ctx, "HEIF Exif"));
	assert_true(reported(&ctx, "HEIF XMP"));
	assert_true(reported(&ctx, "HEIF sequence times"));
	sbuf_free(&out);
}

static void
test_heif_refused(void **state)
{
	struct heif_opt o;
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;

	(void)state;
	memset(&o, 0, sizeof(o));
	o.exif_method = 2;
	heif_build(&d, &o);
	assert_int_equal(run(strip_heif, d.b, d.n, &out, &ctx), STRIP_FAIL);
	assert_string_equal(
	    ctx.rep.fail, "HEIF metadata item built from another item");
	sbuf_free(&out);
	memset(&o, 0, sizeof(o));
	o.exif_in_image = 1;
	heif_build(&d, &o);
	assert_int_equal(run(strip_heif, d.b, d.n, &out, &ctx), STRIP_FAIL);
	assert_string_equal(
	    ctx.rep.fail, "HEIF metadata item shares bytes with another item");
	sbuf_free(&out);
	memset(&o, 0, sizeof(o));
	o.exif_in_meta = 1;
	heif_build(&d, &o);
	assert_int_equal(run(strip_heif, d.b, d.n, &out, &ctx), STRIP_FAIL);
	assert_string_equal(
	    ctx.rep.fail, "HEIF metadata item outside the file's data");
	sbuf_free(&out);
	/* a box whose size runs past the end */
	memset(&o, 0, sizeof(o));
	heif_build(&d, &o);
	wr_be32(d.b + d.n - sizeof(image_bytes) - sizeof(exif_bytes) - 8,
	    0x7fffffff);
	assert_int_equal(run(strip_heif, d.b, d.n, &out, &ctx), STRIP_FAIL);
	sbuf_free(&out);
}

static void
test_heif_torture(void **state)
{
	struct heif_opt o = { 0, 0, 0, 1 };
	struct doc d;

	(void)state;
	heif_build(&d, &o);
	torture(strip_heif, d.b, d.n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tiff_le),
		cmocka_unit_test(test_tiff_be),
		cmocka_unit_test(test_tiff_refused),
		cmocka_unit_test(test_tiff_torture),
		cmocka_unit_test(test_heif_clean),
		cmocka_unit_test(test_heif_refused),
		cmocka_unit_test(test_heif_torture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
