/*
 * webp.c — WebP: keep the RIFF chunks that make the picture, drop the
 * metadata chunks.
 *
 * Kept: VP8, VP8L, VP8X (with its EXIF and XMP flags cleared), ALPH, ANIM,
 * ANMF (its frame data filtered the same way) and ICCP. Dropped: EXIF, XMP
 * and every unknown chunk. The RIFF size is rewritten for what is left, and
 * chunks are padded to even length as RIFF wants. Bytes past the RIFF size
 * are dropped with a warning.
 */
#include <string.h>

#include "postern/stripfmt.h"

/* VP8X flags (first payload byte). */
#define VP8X_XMP	0x04
#define VP8X_EXIF	0x08

/* ANMF: frame position, size, duration and flags before its chunks. */
#define ANMF_HDR	16

struct riff {
	struct strip_ctx *ctx;
	struct sbuf *out;
	int frame;		/* inside an ANMF */
	int images;		/* VP8 or VP8L bitstreams kept */
};

static int
is(const uint8_t *c, const char *fourcc)
{
	return memcmp(c, fourcc, 4) == 0;
}

static int chunks(struct riff *, const uint8_t *, size_t);

/* Write a chunk header, leaving the size to patch; returns its offset. */
static size_t
open_chunk(struct sbuf *out, const uint8_t *fourcc)
{
	size_t at = out->len;

	sbuf_put(out, fourcc, 4);
	sbuf_put_le32(out, 0);
	return at;
}

static void
close_chunk(struct sbuf *out, size_t at)
{
	size_t n;

	if (out->err)
		return;
	n = out->len - at - 8;
	wr_le32(out->p + at + 4, (uint32_t)n);
	if (n & 1)
		sbuf_putc(out, 0);
}

/* One chunk with payload d[0..n): 0 when done, or a STRIP_ code. */
static int
chunk(struct riff *r, const uint8_t *c, const uint8_t *d, size_t n)
{
	size_t at;
	int rc = 0;

	if (is(c, "EXIF") || is(c, "XMP ")) {
		strip_removed(r->ctx, is(c, "EXIF") ? "WebP EXIF" : "WebP XMP");
		return 0;
	}
	if (!(is(c, "VP8 ") || is(c, "VP8L") || is(c, "ALPH") ||
	    (!r->frame && (is(c, "VP8X") || is(c, "ANIM") ||
	    is(c, "ANMF") || is(c, "ICCP"))))) {
		strip_removed(r->ctx, "WebP unknown chunk");
		return 0;
	}
	at = open_chunk(r->out, c);
	if (is(c, "VP8X")) {
		if (n < 10)
			return strip_fail(r->ctx, STRIP_FAIL,
			    "WebP VP8X chunk too short");
		sbuf_putc(r->out, (uint8_t)(d[0] & ~(VP8X_EXIF | VP8X_XMP)));
		sbuf_put(r->out, d + 1, n - 1);
	} else if (is(c, "ANMF")) {
		if (n < ANMF_HDR)
			return strip_fail(r->ctx, STRIP_FAIL,
			    "WebP ANMF chunk too short");
		sbuf_put(r->out, d, ANMF_HDR);
		r->frame = 1;
		rc = chunks(r, d + ANMF_HDR, n - ANMF_HDR);
		r->frame = 0;
	} else
		sbuf_put(r->out, d, n);
	if (is(c, "VP8 ") || is(c, "VP8L"))
		r->images++;
	close_chunk(r->out, at);
	return rc;
}

/* The chunks in p[0..n); the last one may lack its pad byte. */
static int
chunks(struct riff *r, const uint8_t *p, size_t n)
{
	size_t pos = 0, sz;
	int rc;

	while (pos < n) {
		if (n - pos < 8)
			return strip_fail(r->ctx, STRIP_FAIL,
			    "WebP chunk header truncated");
		sz = rd_le32(p + pos + 4);
		if (sz > n - pos - 8)
			return strip_fail(r->ctx, STRIP_FAIL,
			    "WebP chunk runs past the end");
		if ((rc = chunk(r, p + pos, p + pos + 8, sz)) != 0)
			return rc;
		pos += 8 + sz;
		if ((sz & 1) && pos < n)
			pos++;
	}
	return 0;
}

int
strip_webp(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	struct riff r;
	size_t sz, at;
	int rc;

	if (len < 12 + 8 || !is(in, "RIFF") || !is(in + 8, "WEBP"))
		return strip_fail(ctx, STRIP_FAIL, "not a WebP (bad header)");
	sz = rd_le32(in + 4);
	if (sz < 4 + 8 || sz > len - 8)
		return strip_fail(ctx, STRIP_FAIL, "WebP RIFF size is wrong");
	if (!is(in + 12, "VP8 ") && !is(in + 12, "VP8L") &&
	    !is(in + 12, "VP8X"))
		return strip_fail(ctx, STRIP_UNSUPPORTED,
		    "WebP first chunk not an image header");
	if (sz + 8 < len)
		strip_warn(ctx, "data after the WebP end dropped");
	memset(&r, 0, sizeof(r));
	r.ctx = ctx;
	r.out = out;
	at = out->len;
	sbuf_put(out, "RIFF", 4);
	sbuf_put_le32(out, 0);
	sbuf_put(out, "WEBP", 4);
	if ((rc = chunks(&r, in + 12, sz - 4)) != 0)
		return rc;
	if (r.images == 0)
		return strip_fail(ctx, STRIP_FAIL, "WebP has no image data");
	if (out->err)
		return strip_fail(ctx, STRIP_FAIL, "output too large");
	wr_le32(out->p + at + 4, (uint32_t)(out->len - at - 8));
	return STRIP_OK;
}
