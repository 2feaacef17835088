/*
 * test_strip_media.c — the MP3, FLAC and MP4/MOV strippers on documents
 * built byte by byte here: what goes, what stays, what is refused, and
 * that truncated or corrupted input is handled without a crash (run
 * under ASan in make check-asan).
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

/* A document under construction. */
struct doc {
	uint8_t b[8192];
	size_t n;
};

static void
put(struct doc *d, const void *p, size_t n)
{
	assert_true(n <= sizeof(d->b) - d->n);
	memcpy(d->b + d->n, p, n);
	d->n += n;
}

static void
puts_(struct doc *d, const char *s)
{
	put(d, s, strlen(s));
}

static void
fill(struct doc *d, uint8_t c, size_t n)
{
	assert_true(n <= sizeof(d->b) - d->n);
	memset(d->b + d->n, c, n);
	d->n += n;
}

static void
be32(struct doc *d, uint32_t v)
{
	uint8_t x[4];

	wr_be32(x, v);
	put(d, x, 4);
}

static void
le32(struct doc *d, uint32_t v)
{
	uint8_t x[4];

	wr_le32(x, v);
	put(d, x, 4);
}

/* Run fn on d; rc returned, output left in out (caller frees). */
static int
run(strip_fn fn, const struct doc *d, struct strip_ctx *ctx, struct sbuf *out)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = 1 << 20;
	sbuf_init(out, ctx->out_max);
	return fn(ctx, d->b, d->n, out);
}

static int
reported(const struct strip_ctx *ctx, const char *what)
{
	size_t i;

	for (i = 0; i < ctx->rep.nremoved; i++)
		if (strcmp(ctx->rep.removed[i], what) == 0)
			return (int)ctx->rep.count[i];
	return 0;
}

static int
contains(const uint8_t *p, size_t n, const char *s)
{
	size_t k = strlen(s), i;

	for (i = 0; i + k <= n; i++)
		if (memcmp(p + i, s, k) == 0)
			return 1;
	return 0;
}

/* Every prefix and a sweep of single-byte corruptions: any result is
 * fine, a crash or an ASan report is not. (A corrupted tag header can
 * turn a tag into something else, so leftovers are not checked here.) */
static void
torture(strip_fn fn, const struct doc *d)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc t;
	size_t i;
	int rc;

	for (i = 0; i <= d->n; i++) {
		t.n = 0;
		put(&t, d->b, i);
		rc = run(fn, &t, &ctx, &out);
		assert_true(rc == STRIP_OK || rc == STRIP_FAIL ||
		    rc == STRIP_UNSUPPORTED);
		sbuf_free(&out);
	}
	for (i = 0; i < d->n; i++) {
		t = *d;
		t.b[i] ^= (uint8_t)(0x80 | i);
		rc = run(fn, &t, &ctx, &out);
		assert_true(rc == STRIP_OK || rc == STRIP_FAIL ||
		    rc == STRIP_UNSUPPORTED);
		sbuf_free(&out);
	}
}

/* --- MP3 ------------------------------------------------------------- */

static const uint8_t frames[] = {
	0xff,
	0xfb,
	0x90,
	0x64,
	'X',
	'i',
	'n',
	'g',
	1,
	2,
	3,
	4,
	0xff,
	0xfb,
	0x90,
	0x64,
	5,
	6,
	7,
	8,
	9,
	10,
	11,
	12,
};

/* An ID3v2 tag holding one text frame with s; footer per flag. */
static void
id3v2(struct doc *d, int ver, const char *s, int footer)
{
	size_t n = 10 + 1 + strlen(s);
	uint8_t h[10] = { 'I', 'D', '3', (uint8_t)ver, 0,
		(uint8_t)(footer ? 0x10 : 0), 0, 0, (uint8_t)(n >> 7),
		(uint8_t)(n & 0x7f) };

	put(d, h, 10);
	puts_(d, "TIT2");
	be32(d, (uint32_t)(1 + strlen(s)));
	fill(d, 0, 2);
	fill(d, 3, 1);
	puts_(d, s);
	if (footer) {
		memcpy(h, "3DI", 3);
		put(d, h, 10);
	}
}

static void
ape_hf(struct doc *d, uint32_t size, uint32_t flags)
{
	puts_(d, "APETAGEX");
	le32(d, 2000);
	le32(d, size);
	le32(d, 1);
	le32(d, flags);
	fill(d, 0, 8);
}

/* An APEv2 tag with one item, with or without its header. */
static void
ape(struct doc *d, const char *val, int header)
{
	uint32_t size = 8 + 7 + (uint32_t)strlen(val) + 32;

	if (header)
		ape_hf(d, size, 0xa0000000u);
	le32(d, (uint32_t)strlen(val));
	le32(d, 0);
	puts_(d, "Artist");
	fill(d, 0, 1);
	puts_(d, val);
	ape_hf(d, size, header ? 0x80000000u : 0);
}

static void
id3v1(struct doc *d, const char *title)
{
	size_t at = d->n;

	fill(d, 0, 128);
	memcpy(d->b + at, "TAG", 3);
	memcpy(d->b + at + 3, title, strlen(title));
}

static void
mp3_full(struct doc *d)
{
	d->n = 0;
	id3v2(d, 4, "MKMlead1", 1);
	id3v2(d, 3, "MKMlead2", 0);
	fill(d, 0, 5); /* padding outside the tag */
	put(d, frames, sizeof(frames));
	id3v2(d, 4, "MKMtail", 1);
	ape(d, "MKMape", 1);
	puts_(d,
	    "LYRICSBEGININD00002"
	    "11"
	    "LYR00006MKMlyr");
	puts_(d, "000035LYRICS200");
	fill(d, 0, 227);
	memcpy(d->b + d->n - 227, "TAG+MKMplus", 11);
	id3v1(d, "MKMv1");
}

static void
test_mp3_all_tags(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;

	(void)state;
	mp3_full(&d);
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, sizeof(frames));
	assert_memory_equal(out.p, frames, sizeof(frames));
	assert_int_equal(reported(&ctx, "ID3v2 tag"), 3);
	assert_int_equal(reported(&ctx, "APEv2 tag"), 1);
	assert_int_equal(reported(&ctx, "Lyrics3 tag"), 1);
	assert_int_equal(reported(&ctx, "ID3v1 tag"), 1);
	sbuf_free(&out);
}

static void
test_mp3_lyrics3v1_ape_no_header(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 };

	(void)state;
	put(&d, frames, sizeof(frames));
	ape(&d, "MKMape", 0);
	puts_(&d, "LYRICSBEGINMKMlyricsLYRICSEND");
	id3v1(&d, "MKMv1");
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, sizeof(frames));
	assert_memory_equal(out.p, frames, sizeof(frames));
	sbuf_free(&out);
}

/* Tags between frames (concatenated files) go; junk stays. */
static void
test_mp3_mid_stream(void **state)
{
	static const uint8_t hdr[4] = { 0xff, 0xfb, 0x10, 0x00 }; /* 104 */
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 }, want = { .n = 0 };

	(void)state;
	put(&d, hdr, 4);
	fill(&d, 'a', 100);
	id3v2(&d, 3, "MKMmid", 0);
	id3v1(&d, "MKMmidv1");
	put(&d, hdr, 4);
	fill(&d, 'b', 100);
	puts_(&d, "xyz");
	put(&d, hdr, 4);
	fill(&d, 'c', 100);
	put(&want, d.b, 104);
	put(&want, d.b + d.n - 211, 211);
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, want.n);
	assert_memory_equal(out.p, want.b, want.n);
	assert_int_equal(reported(&ctx, "ID3v2 tag"), 1);
	assert_int_equal(reported(&ctx, "ID3v1 tag"), 1);
	assert_int_equal(ctx.rep.nkept, 1);
	sbuf_free(&out);
}

static void
test_mp3_refused(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 };

	(void)state;
	/* Tag size past the end. */
	id3v2(&d, 3, "MKMx", 0);
	d.b[9] = 0x7f;
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* No frame after the tag. */
	d.n = 0;
	id3v2(&d, 3, "MKMx", 0);
	puts_(&d, "not audio at all");
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* An APE footer whose size runs past the start. */
	d.n = 0;
	put(&d, frames, sizeof(frames));
	ape(&d, "MKMape", 0);
	wr_le32(d.b + d.n - 20, 100000);
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* Nothing at all. */
	d.n = 0;
	assert_int_equal(run(strip_mp3, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
}

static void
test_mp3_torture(void **state)
{
	struct doc d;

	(void)state;
	mp3_full(&d);
	torture(strip_mp3, &d);
}

/* --- FLAC ------------------------------------------------------------ */

static const uint8_t flac_frames[] = { 0xff, 0xf8, 0x69, 0x08, 0, 1, 2, 3 };

static void
flac_block(struct doc *d, unsigned type, int last, const void *p, size_t n)
{
	uint8_t h[4] = { (uint8_t)(type | (last ? 0x80 : 0)),
		(uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n };

	put(d, h, 4);
	put(d, p, n);
}

/* A CUESHEET with one track and one index; MCN and ISRC are markers. */
static size_t
cuesheet(uint8_t *c)
{
	memset(c, 0, 396 + 36 + 12);
	memcpy(c, "MKMcatalog", 10);
	c[136] = 0x80;	/* is CD */
	c[200] = 'R';	/* reserved byte, not zero */
	c[395] = 1;	/* one track */
	c[396 + 8] = 1; /* track number */
	memcpy(c + 396 + 9, "MKMisrc00001", 12);
	c[396 + 21] = 0x40; /* pre-emphasis */
	c[396 + 35] = 1;    /* one index */
	c[396 + 36 + 8] = 1;
	return 396 + 36 + 12;
}

static void
flac_full(struct doc *d, uint8_t *cue, size_t *cuelen)
{
	uint8_t si[34], st[18];

	memset(si, 0x11, sizeof(si));
	memset(st, 0x22, sizeof(st));
	*cuelen = cuesheet(cue);
	d->n = 0;
	id3v2(d, 3, "MKMflacid3", 0);
	puts_(d, "fLaC");
	flac_block(d, 0, 0, si, sizeof(si));
	flac_block(d, 4, 0, "\x0a\0\0\0MKMvendor\0\0\0\0", 18);
	flac_block(d, 3, 0, st, sizeof(st));
	flac_block(d, 6, 0, "MKMpicture", 10);
	flac_block(d, 2, 0, "MKMappdata", 10);
	flac_block(d, 1, 0, "\0\0\0\0", 4);
	flac_block(d, 9, 0, "MKMreserved", 11);
	flac_block(d, 5, 1, cue, *cuelen);
	put(d, flac_frames, sizeof(flac_frames));
	id3v1(d, "MKMflacv1");
}

static void
test_flac_blocks(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d, want = { .n = 0 };
	uint8_t cue[512], si[34], st[18];
	size_t cuelen;

	(void)state;
	flac_full(&d, cue, &cuelen);
	assert_int_equal(run(strip_flac, &d, &ctx, &out), STRIP_OK);
	memset(si, 0x11, sizeof(si));
	memset(st, 0x22, sizeof(st));
	memset(cue, 0, 128);
	memset(cue + 396 + 9, 0, 12);
	cue[200] = 0;
	puts_(&want, "fLaC");
	flac_block(&want, 0, 0, si, sizeof(si));
	flac_block(&want, 3, 0, st, sizeof(st));
	flac_block(&want, 5, 1, cue, cuelen);
	put(&want, flac_frames, sizeof(flac_frames));
	assert_int_equal(out.len, want.n);
	assert_memory_equal(out.p, want.b, want.n);
	assert_int_equal(reported(&ctx, "FLAC Vorbis comment"), 1);
	assert_int_equal(reported(&ctx, "FLAC picture"), 1);
	assert_int_equal(reported(&ctx, "FLAC application data"), 1);
	assert_int_equal(reported(&ctx, "FLAC reserved metadata block"), 1);
	assert_int_equal(reported(&ctx, "FLAC cue sheet catalog numbers"), 1);
	assert_int_equal(reported(&ctx, "ID3v2 tag"), 1);
	assert_int_equal(reported(&ctx, "ID3v1 tag"), 1);
	sbuf_free(&out);
}

/* The last-block flag moves to the last kept block. */
static void
test_flac_last_flag(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 };
	uint8_t si[34] = { 0 };

	(void)state;
	puts_(&d, "fLaC");
	flac_block(&d, 0, 0, si, sizeof(si));
	flac_block(&d, 4, 1, "MKMvorbis", 9);
	put(&d, flac_frames, sizeof(flac_frames));
	assert_int_equal(run(strip_flac, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, 4 + 4 + 34 + sizeof(flac_frames));
	assert_int_equal(out.p[4], 0x80);
	sbuf_free(&out);
}

static void
test_flac_refused(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 };
	uint8_t si[34] = { 0 }, cue[512];
	size_t cuelen;

	(void)state;
	/* STREAMINFO not first. */
	puts_(&d, "fLaC");
	flac_block(&d, 4, 0, "MKMvorbis", 9);
	flac_block(&d, 0, 1, si, sizeof(si));
	put(&d, flac_frames, sizeof(flac_frames));
	assert_int_equal(run(strip_flac, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* A block past the end. */
	d.n = 0;
	puts_(&d, "fLaC");
	flac_block(&d, 0, 0, si, sizeof(si));
	flac_block(&d, 4, 1, "MKMvorbis", 9);
	d.b[4 + 4 + 34 + 1] = 0x10;
	assert_int_equal(run(strip_flac, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* A cue sheet whose track count runs past the block. */
	flac_full(&d, cue, &cuelen);
	d.b[d.n - 128 - sizeof(flac_frames) - cuelen + 395] = 3;
	assert_int_equal(run(strip_flac, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* No frame after the metadata. */
	d.n = 0;
	puts_(&d, "fLaC");
	flac_block(&d, 0, 1, si, sizeof(si));
	puts_(&d, "MKMjunk");
	assert_int_equal(run(strip_flac, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
}

static void
test_flac_torture(void **state)
{
	uint8_t cue[512];
	size_t cuelen;
	struct doc d;

	(void)state;
	flac_full(&d, cue, &cuelen);
	torture(strip_flac, &d);
}

/* --- MP4 ------------------------------------------------------------- */

static const uint8_t xmp_uuid[16] = {
	0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8,
	0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac
};

static size_t
box_open(struct doc *d, const char *type)
{
	size_t at = d->n;

	be32(d, 0);
	puts_(d, type);
	return at;
}

static void
box_close(struct doc *d, size_t at)
{
	wr_be32(d->b + at, (uint32_t)(d->n - at));
}

static void
leafn(struct doc *d, const char *type, const char *payload, size_t n)
{
	size_t at = box_open(d, type);

	put(d, payload, n);
	box_close(d, at);
}

/* A leaf box whose payload is a string literal (NULs included). */
#define leaf(d, type, lit) leafn(d, type, lit, sizeof(lit) - 1)

/* mvhd/tkhd/mdhd with marker-like times: version 0 or 1. */
static void
header_box(struct doc *d, const char *type, int v)
{
	size_t at = box_open(d, type);

	fill(d, (uint8_t)v, 1);
	fill(d, 0, 3);
	fill(d, 0x5a, v == 1 ? 16 : 8);
	fill(d, 0x01, 20);
	box_close(d, at);
}

static void
hdlr(struct doc *d, const char *htype, const char *name)
{
	size_t at = box_open(d, "hdlr");

	fill(d, 0, 8);
	puts_(d, htype);
	puts_(d, "appl");
	fill(d, 0, 8);
	puts_(d, name);
	box_close(d, at);
}

/* ftyp, moov { mvhd udta meta trak { tkhd udta mdia { mdhd hdlr minf {
 * hdlr stbl } } } }, top-level XMP uuid, a free box, mdat. */
static void
mp4_full(struct doc *d, size_t *mdat)
{
	size_t moov, trak, mdia, minf, stbl, stsd, e, u;

	d->n = 0;
	leaf(d, "ftyp", "isom\0\0\0\0isommp41");
	moov = box_open(d, "moov");
	header_box(d, "mvhd", 0);
	leaf(d, "udta", "\0\0\0\x10\xa9xyz+52.1+004.3/MKMxyz");
	leaf(d, "meta", "\0\0\0\0MKMkeys");
	trak = box_open(d, "trak");
	header_box(d, "tkhd", 1);
	leaf(d, "udta", "MKMtrakudta");
	mdia = box_open(d, "mdia");
	header_box(d, "mdhd", 0);
	hdlr(d, "vide", "MKMhandler");
	minf = box_open(d, "minf");
	hdlr(d, "url ", "MKMdatahandler");
	stbl = box_open(d, "stbl");
	stsd = box_open(d, "stsd");
	fill(d, 0, 7);
	fill(d, 1, 1);
	e = box_open(d, "avc1");
	fill(d, 0, 12);
	puts_(d, "MKMv"); /* vendor */
	fill(d, 0, 26);
	puts_(d, "\x06MKMenc"); /* compressor name */
	fill(d, 0, 25 + 4);
	box_close(d, e);
	box_close(d, stsd);
	leaf(d, "stco", "\0\0\0\0\0\0\0\0");
	box_close(d, stbl);
	box_close(d, minf);
	box_close(d, mdia);
	box_close(d, trak);
	leaf(d, "abcd", "MKMunknownmoov");
	box_close(d, moov);
	u = box_open(d, "uuid");
	put(d, xmp_uuid, 16);
	puts_(d, "<x:xmpmeta>MKMxmp</x:xmpmeta>");
	box_close(d, u);
	leaf(d, "free", "MKMoldmeta");
	*mdat = d->n;
	leaf(d, "mdat", "sample data");
}

static void
test_mp4_boxes(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;
	size_t mdat;

	(void)state;
	mp4_full(&d, &mdat);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, d.n);
	assert_false(contains(out.p, out.len, "MKM"));
	assert_false(contains(out.p, out.len, "udta"));
	assert_false(contains(out.p, out.len, "meta"));
	assert_false(contains(out.p, out.len, "uuid"));
	assert_false(contains(out.p, out.len, "\x5a"));
	/* Sample data where it was; structure kept. */
	assert_memory_equal(out.p + mdat, d.b + mdat, d.n - mdat);
	assert_memory_equal(out.p, d.b, 24);
	assert_true(contains(out.p, out.len, "vide"));
	assert_true(contains(out.p, out.len, "stco"));
	assert_int_equal(reported(&ctx, "MP4 user data"), 2);
	assert_int_equal(reported(&ctx, "MP4 metadata"), 1);
	assert_int_equal(reported(&ctx, "MP4 XMP"), 1);
	assert_int_equal(reported(&ctx, "MP4 unknown box"), 1);
	assert_int_equal(reported(&ctx, "MP4 creation/modification times"), 3);
	assert_int_equal(reported(&ctx, "MP4 encoder names"), 1);
	assert_true(contains(out.p, out.len, "avc1"));
	sbuf_free(&out);
}

/* A movie with a video track and a timed metadata track (GPS fixes in
 * two chunks of mdat); damage selects the way its tables are broken. */
static void
mp4_gps(struct doc *d, size_t *mdat, int damage)
{
	size_t moov, trak, mdia, minf, stbl, b;

	d->n = 0;
	leaf(d, "ftyp", "isom\0\0\0\0");
	*mdat = d->n;
	leaf(d, "mdat", "AAAAMKMgps01BBBBMKMgps02CCCC");
	moov = box_open(d, "moov");
	header_box(d, "mvhd", 0);
	if (damage == 3)
		leaf(d, "mvex", "");
	trak = box_open(d, "trak");
	header_box(d, "tkhd", 0);
	mdia = box_open(d, "mdia");
	header_box(d, "mdhd", 0);
	hdlr(d, "meta", "");
	minf = box_open(d, "minf");
	stbl = box_open(d, "stbl");
	leaf(d, "stsd", "\0\0\0\0\0\0\0\1\0\0\0\x10gpmd\0\0\0\0\0\0\0\1");
	leaf(d, "stsz", "\0\0\0\0\0\0\0\0\0\0\0\2\0\0\0\x08\0\0\0\x08");
	leaf(d, "stsc", "\0\0\0\0\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\1");
	b = box_open(d, "stco");
	be32(d, 0);
	be32(d, 2);
	be32(d, (uint32_t)*mdat + 12);
	be32(d,
	    damage == 1	      ? 100000
		: damage == 2 ? (uint32_t)moov
			      : (uint32_t)*mdat + 24);
	box_close(d, b);
	box_close(d, stbl);
	box_close(d, minf);
	box_close(d, mdia);
	box_close(d, trak);
	box_close(d, moov);
}

static void
test_mp4_timed_metadata(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d;
	size_t mdat;

	(void)state;
	mp4_gps(&d, &mdat, 0);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, d.n);
	assert_false(contains(out.p, out.len, "MKM"));
	assert_false(contains(out.p, out.len, "gpmd"));
	assert_memory_equal(out.p + mdat + 8, "AAAA", 4);
	assert_memory_equal(out.p + mdat + 20, "BBBB", 4);
	assert_memory_equal(out.p + mdat + 32, "CCCC", 4);
	assert_int_equal(reported(&ctx, "MP4 timed metadata track"), 1);
	sbuf_free(&out);
	/* Chunk past the end, chunk in moov, fragments. */
	mp4_gps(&d, &mdat, 1);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	mp4_gps(&d, &mdat, 2);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	mp4_gps(&d, &mdat, 3);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_UNSUPPORTED);
	sbuf_free(&out);
}

/* A 64-bit size, and size 0 (to the end) on the last box. */
static void
test_mp4_sizes(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 };

	(void)state;
	leaf(&d, "ftyp", "qt  \0\0\0\0qt  ");
	be32(&d, 1);
	puts_(&d, "udta");
	be32(&d, 0);
	be32(&d, 16 + 8);
	puts_(&d, "MKMlarge");
	be32(&d, 0);
	puts_(&d, "mdat");
	puts_(&d, "frames");
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_OK);
	assert_int_equal(out.len, d.n);
	assert_false(contains(out.p, out.len, "MKM"));
	assert_true(contains(out.p, out.len, "frames"));
	assert_int_equal(rd_be32(out.p + 20), 1);
	assert_memory_equal(out.p + 24, "free", 4);
	sbuf_free(&out);
}

static void
test_mp4_refused(void **state)
{
	struct strip_ctx ctx;
	struct sbuf out;
	struct doc d = { .n = 0 };
	size_t moov, meta;

	(void)state;
	/* A child box past its parent. */
	leaf(&d, "ftyp", "isom\0\0\0\0");
	moov = box_open(&d, "moov");
	leaf(&d, "udta", "MKMx");
	box_close(&d, moov);
	wr_be32(d.b + moov + 8, 100);
	leaf(&d, "mdat", "x");
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
	/* HEIF image items in a top-level meta. */
	d.n = 0;
	leaf(&d, "ftyp", "isom\0\0\0\0");
	meta = box_open(&d, "meta");
	fill(&d, 0, 4);
	hdlr(&d, "pict", "");
	box_close(&d, meta);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_UNSUPPORTED);
	sbuf_free(&out);
	/* A compressed movie header. */
	d.n = 0;
	leaf(&d, "ftyp", "qt  \0\0\0\0");
	moov = box_open(&d, "moov");
	leaf(&d, "cmov", "zlib...");
	box_close(&d, moov);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_UNSUPPORTED);
	sbuf_free(&out);
	/* An unknown header version. */
	d.n = 0;
	moov = box_open(&d, "moov");
	header_box(&d, "mvhd", 7);
	box_close(&d, moov);
	assert_int_equal(run(strip_mp4, &d, &ctx, &out), STRIP_FAIL);
	sbuf_free(&out);
}

static void
test_mp4_torture(void **state)
{
	struct doc d;
	size_t mdat;

	(void)state;
	mp4_full(&d, &mdat);
	torture(strip_mp4, &d);
	mp4_gps(&d, &mdat, 0);
	torture(strip_mp4, &d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mp3_all_tags),
		cmocka_unit_test(test_mp3_lyrics3v1_ape_no_header),
		cmocka_unit_test(test_mp3_mid_stream),
		cmocka_unit_test(test_mp3_refused),
		cmocka_unit_test(test_mp3_torture),
		cmocka_unit_test(test_flac_blocks),
		cmocka_unit_test(test_flac_last_flag),
		cmocka_unit_test(test_flac_refused),
		cmocka_unit_test(test_flac_torture),
		cmocka_unit_test(test_mp4_boxes),
		cmocka_unit_test(test_mp4_sizes),
		cmocka_unit_test(test_mp4_timed_metadata),
		cmocka_unit_test(test_mp4_refused),
		cmocka_unit_test(test_mp4_torture),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
