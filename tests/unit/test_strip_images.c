/*
 * test_strip_images.c — the JPEG, PNG, GIF and WebP strippers on small
 * documents built here: every metadata field goes, the picture and its
 * orientation stay, damaged input fails cleanly, and the output strips
 * again to itself (it re-parses, and nothing was left to remove).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "postern/stripfmt.h"

typedef int (*strip_fn)(struct strip_ctx *, const uint8_t *, size_t,
    struct sbuf *);

#define OUT_MAX		(1 << 20)

/* An 8x8 grey baseline JPEG from libjpeg (JFIF, DQT, SOF0, DHT, SOS). */
static const uint8_t tiny_jpeg[] = {
	0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00,
	0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xdb,
	0x00, 0x43, 0x00, 0x10, 0x0b, 0x0c, 0x0e, 0x0c, 0x0a, 0x10, 0x0e,
	0x0d, 0x0e, 0x12, 0x11, 0x10, 0x13, 0x18, 0x28, 0x1a, 0x18, 0x16,
	0x16, 0x18, 0x31, 0x23, 0x25, 0x1d, 0x28, 0x3a, 0x33, 0x3d, 0x3c,
	0x39, 0x33, 0x38, 0x37, 0x40, 0x48, 0x5c, 0x4e, 0x40, 0x44, 0x57,
	0x45, 0x37, 0x38, 0x50, 0x6d, 0x51, 0x57, 0x5f, 0x62, 0x67, 0x68,
	0x67, 0x3e, 0x4d, 0x71, 0x79, 0x70, 0x64, 0x78, 0x5c, 0x65, 0x67,
	0x63, 0xff, 0xc0, 0x00, 0x0b, 0x08, 0x00, 0x08, 0x00, 0x08, 0x01,
	0x01, 0x11, 0x00, 0xff, 0xc4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x01, 0xff, 0xc4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0xff, 0xda, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00,
	0x3f, 0x00, 0x1f, 0xff, 0xd9,
};

/* Where the tiny JPEG's JFIF segment ends and its DQT begins. */
#define TINY_AFTER_JFIF	20

struct doc {
	uint8_t *p;
	size_t len;
};

static void
add(struct doc *d, const void *p, size_t n)
{
	d->p = realloc(d->p, d->len + n);
	assert_non_null(d->p);
	memcpy(d->p + d->len, p, n);
	d->len += n;
}

static void
add_be16(struct doc *d, uint16_t v)
{
	uint8_t x[2];

	wr_be16(x, v);
	add(d, x, 2);
}

static void
add_be32(struct doc *d, uint32_t v)
{
	uint8_t x[4];

	wr_be32(x, v);
	add(d, x, 4);
}

static void
add_le32(struct doc *d, uint32_t v)
{
	uint8_t x[4];

	wr_le32(x, v);
	add(d, x, 4);
}

/* Run a stripper; the report is in *ctx, the output in *out. */
static int
run(strip_fn fn, struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = OUT_MAX;
	sbuf_init(out, OUT_MAX);
	return fn(ctx, in, len, out);
}

static int
removed(const struct strip_ctx *ctx, const char *what)
{
	size_t i;

	for (i = 0; i < ctx->rep.nremoved; i++)
		if (strcmp(ctx->rep.removed[i], what) == 0)
			return 1;
	return 0;
}

static void
assert_removed(const struct strip_ctx *ctx, const char *what)
{
	if (!removed(ctx, what))
		fail_msg("expected \"%s\" in the removed list", what);
}

static int
has(const struct sbuf *b, const char *s)
{
	return memmem(b->p, b->len, s, strlen(s)) != NULL;
}

/* No marker left; the output strips again to the same bytes. */
static void
assert_clean_fixpoint(strip_fn fn, const struct sbuf *out)
{
	struct strip_ctx c2;
	struct sbuf o2;

	if (has(out, "MKM"))
		fail_msg("a metadata marker is left in the output");
	assert_int_equal(run(fn, &c2, out->p, out->len, &o2), STRIP_OK);
	assert_int_equal(o2.len, out->len);
	assert_memory_equal(o2.p, out->p, out->len);
	assert_int_equal(c2.rep.nwarn, 0);
	sbuf_free(&o2);
}

/* Every prefix, and the whole with one byte changed at each offset (a
 * few values), must give OK or a refusal: never a crash (ASan runs). */
static void
assert_robust(strip_fn fn, const uint8_t *in, size_t len)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x7f, 0xff, 0x80 };
	struct strip_ctx ctx;
	struct sbuf out;
	uint8_t *m;
	size_t i, v;
	int rc;

	for (i = 0; i < len; i++) {
		rc = run(fn, &ctx, in, i, &out);
		assert_true(rc == STRIP_OK || rc == STRIP_FAIL ||
		    rc == STRIP_UNSUPPORTED);
		assert_true(rc == STRIP_OK || ctx.rep.fail != NULL);
		sbuf_free(&out);
	}
	m = malloc(len);
	assert_non_null(m);
	for (i = 0; i < len; i++)
		for (v = 0; v < sizeof(vals); v++) {
			memcpy(m, in, len);
			m[i] = vals[v];
			rc = run(fn, &ctx, m, len, &out);
			assert_true(rc == STRIP_OK || ctx.rep.fail != NULL);
			sbuf_free(&out);
		}
	free(m);
}

/* ---- JPEG -------------------------------------------------------------- */

static void
jpeg_seg(struct doc *d, uint8_t m, const void *p, size_t n)
{
	add_be16(d, (uint16_t)(0xff00 | m));
	add_be16(d, (uint16_t)(n + 2));
	add(d, p, n);
}

/* An Exif APP1: IFD0 with Artist (a marker) and Orientation, an IFD1. */
static void
jpeg_exif(struct doc *d, int le, uint16_t orient)
{
	uint8_t t[80];
	size_t n = 0;
	void (*w16)(uint8_t *, uint16_t) = le ? wr_le16 : wr_be16;
	void (*w32)(uint8_t *, uint32_t) = le ? wr_le32 : wr_be32;

	memset(t, 0, sizeof(t));
	memcpy(t, "Exif\0\0", 6);
	memcpy(t + 6, le ? "II*\0" : "MM\0*", 4);
	w32(t + 10, 8);
	w16(t + 14, 2);			/* IFD0 at TIFF offset 8 */
	w16(t + 16, 0x013b);		/* Artist, ASCII, 10, at 38 */
	w16(t + 18, 2);
	w32(t + 20, 10);
	w32(t + 24, 38);
	w16(t + 28, 0x0112);		/* Orientation, SHORT, 1 */
	w16(t + 30, 3);
	w32(t + 32, 1);
	w16(t + 36, orient);
	w32(t + 40, 48);		/* next IFD: a thumbnail's */
	memcpy(t + 44, "MKMartist", 10);
	n = 6 + 48 + 6;			/* IFD1: no entries, no next */
	jpeg_seg(d, 0xe1, t, n);
}

/* SOI, JFIF with a thumbnail, the metadata segments, the tiny image. */
static struct doc
jpeg_full(int le, uint16_t orient)
{
	static const uint8_t jfif[] = { 'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1,
		0, 1, 1, 1, 'M', 'K', 'M' };
	struct doc d = { NULL, 0 };

	add(&d, "\xff\xd8", 2);
	jpeg_seg(&d, 0xe0, jfif, sizeof(jfif));
	jpeg_exif(&d, le, orient);
	jpeg_seg(&d, 0xe1, "http://ns.adobe.com/xap/1.0/\0<x>MKMxmp</x>", 42);
	jpeg_seg(&d, 0xed, "Photoshop 3.0\0" "8BIM\x04\x04MKMiptc", 27);
	jpeg_seg(&d, 0xe2, "ICC_PROFILE\0\x01\x01profile", 21);
	jpeg_seg(&d, 0xe2, "MPF\0MKMmpf", 10);
	jpeg_seg(&d, 0xe2, "FPXR\0MKMfpxr", 12);
	jpeg_seg(&d, 0xe0, "JFXX\0\x10MKMthumb", 14);
	jpeg_seg(&d, 0xe3, "MKMapp3", 7);
	jpeg_seg(&d, 0xee, "Adobe\0\x64\0\0\0\0\x01", 12);
	jpeg_seg(&d, 0xfe, "MKMcomment", 10);
	add(&d, tiny_jpeg + TINY_AFTER_JFIF, sizeof(tiny_jpeg) -
	    TINY_AFTER_JFIF);
	add(&d, "MKMtrailer", 10);
	return d;
}

static void
test_jpeg_removes_every_field(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = jpeg_full(0, 1);

	(void)state;
	assert_int_equal(run(strip_jpeg, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_removed(&ctx, "JPEG Exif");
	assert_removed(&ctx, "JPEG XMP");
	assert_removed(&ctx, "JPEG Photoshop/IPTC");
	assert_removed(&ctx, "JPEG comment");
	assert_removed(&ctx, "JPEG thumbnail");
	assert_removed(&ctx, "JPEG MPF");
	assert_removed(&ctx, "JPEG FlashPix");
	assert_removed(&ctx, "JPEG APPn segment");
	assert_int_equal(ctx.rep.nwarn, 1);	/* the trailer */
	assert_true(has(&out, "ICC_PROFILE"));
	assert_true(has(&out, "Adobe"));
	assert_false(has(&out, "Exif"));	/* orientation 1: none */
	/* JFIF kept, thumbnail gone; then the image exactly. */
	assert_int_equal(out.len, 2 + 18 + 2 + 2 + 21 + 2 + 14 +
	    sizeof(tiny_jpeg) - TINY_AFTER_JFIF);
	assert_memory_equal(out.p, tiny_jpeg, TINY_AFTER_JFIF);
	assert_memory_equal(out.p + out.len - (sizeof(tiny_jpeg) -
	    TINY_AFTER_JFIF), tiny_jpeg + TINY_AFTER_JFIF,
	    sizeof(tiny_jpeg) - TINY_AFTER_JFIF);
	assert_clean_fixpoint(strip_jpeg, &out);
	sbuf_free(&out);
	free(d.p);
}

/* The orientation survives alone, from either byte order. */
static void
test_jpeg_keeps_orientation(void **state)
{
	static const uint8_t want[] = { 0xff, 0xe1, 0x00, 0x22, 'E', 'x',
		'i', 'f', 0, 0, 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01,
		0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0 };
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;
	int le;

	(void)state;
	for (le = 0; le < 2; le++) {
		d = jpeg_full(le, 6);
		assert_int_equal(run(strip_jpeg, &ctx, d.p, d.len, &out),
		    STRIP_OK);
		/* Right after SOI and JFIF. */
		assert_memory_equal(out.p + TINY_AFTER_JFIF, want,
		    sizeof(want));
		assert_false(has(&out, "MKM"));
		assert_clean_fixpoint(strip_jpeg, &out);
		sbuf_free(&out);
		free(d.p);
	}
	/* 9 is not an orientation: no Exif written. */
	d = jpeg_full(1, 9);
	assert_int_equal(run(strip_jpeg, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_false(has(&out, "Exif"));
	sbuf_free(&out);
	free(d.p);
}

/* Exif with offsets and counts that point anywhere: no orientation, no
 * crash, the segment still goes. */
static void
test_jpeg_hostile_exif(void **state)
{
	static const uint8_t bad[][24] = {
		"Exif\0\0MM\0*\xff\xff\xff\xff",
		"Exif\0\0II*\0\x08\0\0\0\xff\xff",
		"Exif\0\0MM\0*\0\0\0\x08\0\x01\x01\x12",
		"Exif\0\0XX\0*\0\0\0\x08",
	};
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		d.p = NULL;
		d.len = 0;
		add(&d, "\xff\xd8", 2);
		jpeg_seg(&d, 0xe1, bad[i], sizeof(bad[i]));
		add(&d, tiny_jpeg + 2, sizeof(tiny_jpeg) - 2);
		assert_int_equal(run(strip_jpeg, &ctx, d.p, d.len, &out),
		    STRIP_OK);
		assert_removed(&ctx, "JPEG Exif");
		assert_false(has(&out, "Exif"));
		sbuf_free(&out);
		free(d.p);
	}
}

/* Two scans with stuffing and restarts: copied exactly, nothing lost. */
static void
test_jpeg_progressive_scans(void **state)
{
	static const uint8_t scan[] = { 0x12, 0xff, 0x00, 0x34, 0xff, 0xd0,
		0x56, 0xff, 0x00 };
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { NULL, 0 };

	(void)state;
	add(&d, "\xff\xd8", 2);
	jpeg_seg(&d, 0xdb, "\0abcdefgh", 9);
	jpeg_seg(&d, 0xdd, "\0\x02", 2);
	jpeg_seg(&d, 0xc2, "\x08\0\x08\0\x08\x01\x01\x11\0", 9);
	jpeg_seg(&d, 0xc4, "\0xyz", 4);
	jpeg_seg(&d, 0xda, "\x01\x01\0\0\0\0", 6);
	add(&d, scan, sizeof(scan));
	jpeg_seg(&d, 0xc4, "\x10xyz", 4);
	jpeg_seg(&d, 0xda, "\x01\x01\0\x01\x3f\0", 6);
	add(&d, scan, sizeof(scan));
	add(&d, "\xff\xff\xd9", 3);	/* a fill byte before EOI */
	assert_int_equal(run(strip_jpeg, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_int_equal(ctx.rep.nremoved, 0);
	assert_int_equal(out.len, d.len - 1);
	assert_memory_equal(out.p, d.p, d.len - 3);
	assert_clean_fixpoint(strip_jpeg, &out);
	sbuf_free(&out);
	free(d.p);
}

static void
test_jpeg_damaged(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = jpeg_full(0, 6);
	uint8_t *m;

	(void)state;
	/* A segment length that runs past the end. */
	m = malloc(d.len);
	assert_non_null(m);
	memcpy(m, d.p, d.len);
	wr_be16(m + 4, 0xfff0);
	assert_int_equal(run(strip_jpeg, &ctx, m, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* A length below 2. */
	wr_be16(m + 4, 1);
	assert_int_equal(run(strip_jpeg, &ctx, m, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* No SOI. */
	assert_int_equal(run(strip_jpeg, &ctx, d.p + 2, d.len - 2, &out),
	    STRIP_FAIL);
	sbuf_free(&out);
	/* Cut in the metadata, before any image data. */
	assert_int_equal(run(strip_jpeg, &ctx, d.p, 60, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* Cut in the scan: kept, closed, warned. */
	assert_int_equal(run(strip_jpeg, &ctx, tiny_jpeg,
	    sizeof(tiny_jpeg) - 2, &out), STRIP_OK);
	assert_int_equal(ctx.rep.nwarn, 1);
	assert_memory_equal(out.p + out.len - 2, "\xff\xd9", 2);
	sbuf_free(&out);
	free(m);
	assert_robust(strip_jpeg, d.p, d.len);
	free(d.p);
}

/* Padding some writers leave after a segment is skipped, with a warning;
 * a cut after the first scan keeps that scan. */
static void
test_jpeg_lenient(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { NULL, 0 };

	(void)state;
	add(&d, tiny_jpeg, TINY_AFTER_JFIF);
	jpeg_seg(&d, 0xe1, "Exif\0\0MM\0*\0\0\0\x08\0\0", 16);
	add(&d, "\0\0\0\0", 4);
	add(&d, tiny_jpeg + TINY_AFTER_JFIF, sizeof(tiny_jpeg) -
	    TINY_AFTER_JFIF - 2);
	add(&d, "\xff\xc4\x00\x40\x00", 5);	/* a DHT cut short */
	assert_int_equal(run(strip_jpeg, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_int_equal(ctx.rep.nwarn, 2);
	assert_int_equal(out.len, sizeof(tiny_jpeg));
	assert_memory_equal(out.p, tiny_jpeg, sizeof(tiny_jpeg));
	sbuf_free(&out);
	free(d.p);
}

/* ---- PNG --------------------------------------------------------------- */

static void
png_chunk(struct doc *d, const char *type, const void *p, size_t n)
{
	size_t at;

	add_be32(d, (uint32_t)n);
	at = d->len;
	add(d, type, 4);
	add(d, p, n);
	add_be32(d, (uint32_t)crc32(0, d->p + at, (uInt)(n + 4)));
}

/* A 1x1 grey PNG with every kind of metadata chunk. */
static struct doc
png_full(int meta)
{
	static const uint8_t ihdr[] = { 0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0,
		0 };
	static const uint8_t raw[] = { 0, 0x80 };
	uint8_t z[64];
	uLongf zn = sizeof(z);
	struct doc d = { NULL, 0 };

	assert_int_equal(compress(z, &zn, raw, sizeof(raw)), Z_OK);
	add(&d, "\x89PNG\r\n\x1a\n", 8);
	png_chunk(&d, "IHDR", ihdr, sizeof(ihdr));
	if (meta) {
		png_chunk(&d, "iCCP", "MKMname\0\0xprofile", 17);
		png_chunk(&d, "tEXt", "Author\0MKMauthor", 16);
		png_chunk(&d, "zTXt", "Comment\0\0MKMz", 13);
		png_chunk(&d, "iTXt", "Title\0\0\0en\0MKMk\0MKMt", 20);
		png_chunk(&d, "eXIf", "MM\0*MKMexif", 11);
		png_chunk(&d, "tIME", "\x07\xe5\x01\x02\x03\x04\x05", 7);
		png_chunk(&d, "prVt", "MKMprivate", 10);
	}
	png_chunk(&d, "gAMA", "\0\0\xb1\x8f", 4);
	png_chunk(&d, "IDAT", z, zn);
	png_chunk(&d, "IEND", "", 0);
	if (meta)
		add(&d, "MKMtrailer", 10);
	return d;
}

static void
test_png_removes_every_field(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = png_full(1), plain = png_full(0);
	size_t iccp = 12 + 11 + 1 + 1 + 8;	/* name, NUL, method, data */

	(void)state;
	assert_int_equal(run(strip_png, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_removed(&ctx, "PNG tEXt");
	assert_removed(&ctx, "PNG zTXt");
	assert_removed(&ctx, "PNG iTXt");
	assert_removed(&ctx, "PNG eXIf");
	assert_removed(&ctx, "PNG tIME");
	assert_removed(&ctx, "PNG private chunk");
	assert_removed(&ctx, "PNG iCCP profile name");
	assert_int_equal(ctx.rep.nwarn, 1);
	/* The plain PNG with an iCCP named by us after IHDR. */
	assert_int_equal(out.len, plain.len + iccp);
	assert_memory_equal(out.p, plain.p, 33);
	assert_memory_equal(out.p + 37, "iCCPICC Profile\0\0xprofile", 25);
	assert_memory_equal(out.p + 33 + iccp, plain.p + 33, plain.len - 33);
	assert_clean_fixpoint(strip_png, &out);
	sbuf_free(&out);
	free(d.p);
	free(plain.p);
}

static void
test_png_refuses(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = png_full(0), c = { NULL, 0 };
	uint8_t *m;

	(void)state;
	/* An unknown critical chunk. */
	add(&c, d.p, 33);
	png_chunk(&c, "ABCD", "x", 1);
	add(&c, d.p + 33, d.len - 33);
	assert_int_equal(run(strip_png, &ctx, c.p, c.len, &out),
	    STRIP_UNSUPPORTED);
	sbuf_free(&out);
	/* IHDR not first. */
	memcpy(c.p + 12, "IDAT", 4);
	assert_int_equal(run(strip_png, &ctx, c.p, c.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* A length past the end, a length with the top bit set. */
	m = malloc(d.len);
	assert_non_null(m);
	memcpy(m, d.p, d.len);
	wr_be32(m + 33, 1000);
	assert_int_equal(run(strip_png, &ctx, m, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	wr_be32(m + 33, 0x80000004);
	assert_int_equal(run(strip_png, &ctx, m, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* No IEND. */
	assert_int_equal(run(strip_png, &ctx, d.p, d.len - 12, &out),
	    STRIP_FAIL);
	sbuf_free(&out);
	free(m);
	free(c.p);
	free(d.p);
	d = png_full(1);
	assert_robust(strip_png, d.p, d.len);
	free(d.p);
}

/* ---- GIF --------------------------------------------------------------- */

static struct doc
gif_full(void)
{
	static const uint8_t head[] = { 'G', 'I', 'F', '8', '9', 'a', 1, 0,
		1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255 };
	static const uint8_t gce[] = { 0x21, 0xf9, 4, 0, 10, 0, 0, 0 };
	static const uint8_t img[] = { 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2,
		2, 0x44, 0x01, 0 };
	struct doc d = { NULL, 0 };

	add(&d, head, sizeof(head));
	add(&d, "\x21\xfe\x0aMKMcomment\0", 14);
	add(&d, "\x21\xff\x0bXMP DataXMP\x06MKMxmp\0", 22);
	add(&d, "\x21\xff\x0bMKMappl1234\x03MKM\0", 19);
	add(&d, "\x21\xff\x0bNETSCAPE2.0\x03\x01\x05\x00"
	    "\x07\x09MKMnet\0", 27);
	add(&d, "\x21\x77\x03MKM\0", 7);
	add(&d, "\x21\x01\x0c" "000000000000\x03txt\0", 20);
	add(&d, gce, sizeof(gce));
	add(&d, img, sizeof(img));
	add(&d, "\x3bMKMtrailer", 11);
	return d;
}

static void
test_gif_removes_every_field(void **state)
{
	static const uint8_t loop[] = { 0x21, 0xff, 0x0b, 'N', 'E', 'T', 'S',
		'C', 'A', 'P', 'E', '2', '.', '0', 3, 1, 5, 0, 0 };
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = gif_full();

	(void)state;
	assert_int_equal(run(strip_gif, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_removed(&ctx, "GIF comment");
	assert_removed(&ctx, "GIF XMP");
	assert_removed(&ctx, "GIF application extension");
	assert_removed(&ctx, "GIF unknown extension");
	assert_int_equal(ctx.rep.nwarn, 1);
	/* Header, loop count alone, plain text, GCE, image, trailer. */
	assert_int_equal(out.len, 19 + sizeof(loop) + 20 + 8 + 15 + 1);
	assert_memory_equal(out.p, d.p, 19);
	assert_memory_equal(out.p + 19, loop, sizeof(loop));
	assert_memory_equal(out.p + out.len - 24, d.p + d.len - 34, 23);
	assert_int_equal(out.p[out.len - 1], 0x3b);
	assert_clean_fixpoint(strip_gif, &out);
	sbuf_free(&out);
	free(d.p);
}

static void
test_gif_refuses(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = gif_full();

	(void)state;
	/* A sub-block longer than what is left. */
	d.p[21] = 0xff;
	assert_int_equal(run(strip_gif, &ctx, d.p, 40, &out), STRIP_FAIL);
	sbuf_free(&out);
	d.p[21] = 0x0a;
	/* A block that is neither image, extension nor trailer. */
	d.p[19] = 0x42;
	assert_int_equal(run(strip_gif, &ctx, d.p, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	d.p[19] = 0x21;
	/* No image at all. */
	assert_int_equal(run(strip_gif, &ctx, d.p, 19 + 14, &out),
	    STRIP_FAIL);
	sbuf_free(&out);
	/* No trailer: one is added. */
	assert_int_equal(run(strip_gif, &ctx, d.p, d.len - 11, &out),
	    STRIP_OK);
	assert_int_equal(ctx.rep.nwarn, 1);
	assert_int_equal(out.p[out.len - 1], 0x3b);
	sbuf_free(&out);
	/* Cut inside the image data. */
	assert_int_equal(run(strip_gif, &ctx, d.p, d.len - 13, &out),
	    STRIP_FAIL);
	sbuf_free(&out);
	assert_robust(strip_gif, d.p, d.len);
	free(d.p);
}

/* ---- WebP -------------------------------------------------------------- */

static void
webp_chunk(struct doc *d, const char *fourcc, const void *p, size_t n)
{
	add(d, fourcc, 4);
	add_le32(d, (uint32_t)n);
	add(d, p, n);
	if (n & 1)
		add(d, "", 1);
}

static struct doc
webp_full(void)
{
	struct doc d = { NULL, 0 }, f = { NULL, 0 };

	add(&d, "RIFF\0\0\0\0WEBP", 12);
	/* ICC, alpha, EXIF, XMP, animation. */
	webp_chunk(&d, "VP8X", "\x3e\0\0\0\0\0\0\0\0\0", 10);
	webp_chunk(&d, "ICCP", "profile", 7);
	webp_chunk(&d, "ANIM", "\0\0\0\0\0\0", 6);
	add(&f, "0123456789abcdef", 16);
	webp_chunk(&f, "VP8L", "\x2f\0\0\0\0", 5);
	webp_chunk(&f, "MKMf", "MKMinframe", 10);
	webp_chunk(&d, "ANMF", f.p, f.len);
	webp_chunk(&d, "EXIF", "MM\0*MKMexif", 11);
	webp_chunk(&d, "XMP ", "<x>MKMxmp</x>", 13);
	webp_chunk(&d, "MKMu", "MKMunknown", 10);
	wr_le32(d.p + 4, (uint32_t)(d.len - 8));
	add(&d, "MKMtrailer", 10);
	free(f.p);
	return d;
}

static void
test_webp_removes_every_field(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = webp_full();
	size_t kept = 12 + 18 + 16 + 14 + 8 + 16 + 14;

	(void)state;
	assert_int_equal(run(strip_webp, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_removed(&ctx, "WebP EXIF");
	assert_removed(&ctx, "WebP XMP");
	assert_removed(&ctx, "WebP unknown chunk");
	assert_int_equal(ctx.rep.nwarn, 1);
	assert_int_equal(out.len, kept);
	assert_int_equal(rd_le32(out.p + 4), kept - 8);
	assert_int_equal(out.p[20], 0x32);	/* EXIF and XMP flags off */
	assert_memory_equal(out.p + 12 + 18, d.p + 12 + 18, 16 + 14);
	assert_memory_equal(out.p + 60, "ANMF", 4);
	assert_int_equal(rd_le32(out.p + 64), 16 + 14);
	assert_clean_fixpoint(strip_webp, &out);
	sbuf_free(&out);
	free(d.p);
}

static void
test_webp_refuses(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = webp_full();
	size_t riff = d.len - 10;

	(void)state;
	/* RIFF size past the end. */
	wr_le32(d.p + 4, (uint32_t)d.len);
	assert_int_equal(run(strip_webp, &ctx, d.p, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	wr_le32(d.p + 4, (uint32_t)(riff - 8));
	/* A chunk size past the RIFF. */
	wr_le32(d.p + 16, 0x7ffffff0);
	assert_int_equal(run(strip_webp, &ctx, d.p, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	wr_le32(d.p + 16, 10);
	/* A short VP8X. */
	wr_le32(d.p + 16, 2);
	assert_int_equal(run(strip_webp, &ctx, d.p, d.len, &out), STRIP_FAIL);
	sbuf_free(&out);
	wr_le32(d.p + 16, 10);
	assert_robust(strip_webp, d.p, d.len);
	free(d.p);
}

/* A simple lossless WebP whose odd last chunk lacks its pad byte. */
static void
test_webp_unpadded(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { NULL, 0 };

	(void)state;
	add(&d, "RIFF\0\0\0\0WEBP", 12);
	webp_chunk(&d, "VP8L", "\x2f\0\0\0\0", 5);
	d.len--;
	wr_le32(d.p + 4, (uint32_t)(d.len - 8));
	assert_int_equal(run(strip_webp, &ctx, d.p, d.len, &out), STRIP_OK);
	assert_int_equal(out.len, d.len + 1);
	assert_int_equal(rd_le32(out.p + 4), out.len - 8);
	assert_memory_equal(out.p + 8, d.p + 8, d.len - 8);
	assert_clean_fixpoint(strip_webp, &out);
	sbuf_free(&out);
	free(d.p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jpeg_removes_every_field),
		cmocka_unit_test(test_jpeg_keeps_orientation),
		cmocka_unit_test(test_jpeg_hostile_exif),
		cmocka_unit_test(test_jpeg_progressive_scans),
		cmocka_unit_test(test_jpeg_damaged),
		cmocka_unit_test(test_jpeg_lenient),
		cmocka_unit_test(test_png_removes_every_field),
		cmocka_unit_test(test_png_refuses),
		cmocka_unit_test(test_gif_removes_every_field),
		cmocka_unit_test(test_gif_refuses),
		cmocka_unit_test(test_webp_removes_every_field),
		cmocka_unit_test(test_webp_refuses),
		cmocka_unit_test(test_webp_unpadded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
