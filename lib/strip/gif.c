/*
 * gif.c — GIF: keep the pictures and what animates them, drop the rest.
 *
 * Kept: the header, logical screen descriptor, colour tables, image
 * descriptors with their LZW data, Graphic Control extensions (delays,
 * transparency) and Plain Text extensions (visible content), and the loop
 * count of a NETSCAPE2.0 / ANIMEXTS1.0 extension, rewritten to hold only
 * that. Dropped: Comment extensions, every other application extension
 * (XMP, ICC, editors' private data), unknown extensions, and whatever
 * follows the trailer.
 */
#include <string.h>

#include "postern/stripfmt.h"

#define GIF_IMAGE	0x2c
#define GIF_EXT		0x21
#define GIF_TRAILER	0x3b
#define EXT_PLAINTEXT	0x01
#define EXT_GCE		0xf9
#define EXT_COMMENT	0xfe
#define EXT_APP		0xff

struct gif {
	struct strip_ctx *ctx;
	const uint8_t *in;
	size_t len;
	size_t pos;
	struct sbuf *out;
	unsigned images;
};

/* Skip the data sub-blocks starting at p; *end is past the terminator. */
static int
blocks(struct gif *g, size_t p, size_t *end)
{
	while (p < g->len) {
		if (g->in[p] == 0) {
			*end = p + 1;
			return 0;
		}
		if (g->in[p] > g->len - p - 1)
			break;
		p += 1 + (size_t)g->in[p];
	}
	return strip_fail(g->ctx, STRIP_FAIL, "GIF data blocks run past the end");
}

static int
image(struct gif *g)
{
	size_t p = g->pos + 10, end = 0;
	uint8_t flags;

	if (g->len - g->pos < 11)
		return strip_fail(g->ctx, STRIP_FAIL, "GIF truncated");
	flags = g->in[g->pos + 9];
	if (flags & 0x80) {
		p += (size_t)3 << ((flags & 7) + 1);
		if (p >= g->len)
			return strip_fail(g->ctx, STRIP_FAIL, "GIF truncated");
	}
	if (g->in[p] > 12)
		return strip_fail(g->ctx, STRIP_FAIL, "GIF LZW code size bad");
	if (blocks(g, p + 1, &end) != 0)
		return STRIP_FAIL;
	sbuf_put(g->out, g->in + g->pos, end - g->pos);
	g->pos = end;
	g->images++;
	return 0;
}

/* NETSCAPE2.0 / ANIMEXTS1.0: keep the loop count sub-block only. */
static void
loop_ext(struct gif *g, size_t p, size_t end)
{
	const uint8_t *in = g->in;

	for (; p < end && in[p] != 0; p += 1 + (size_t)in[p])
		if (in[p] == 3 && in[p + 1] == 1) {
			sbuf_put(g->out, in + g->pos, 3 + 11);
			sbuf_put(g->out, in + p, 4);
			sbuf_putc(g->out, 0);
			return;
		}
}

static int
extension(struct gif *g)
{
	const uint8_t *in = g->in;
	size_t end = 0;
	uint8_t label;

	if (g->len - g->pos < 3)
		return strip_fail(g->ctx, STRIP_FAIL, "GIF truncated");
	label = in[g->pos + 1];
	if (blocks(g, g->pos + 2, &end) != 0)
		return STRIP_FAIL;
	if (label == EXT_GCE || label == EXT_PLAINTEXT)
		sbuf_put(g->out, in + g->pos, end - g->pos);
	else if (label == EXT_COMMENT)
		strip_removed(g->ctx, "GIF comment");
	else if (label != EXT_APP)
		strip_removed(g->ctx, "GIF unknown extension");
	else if (in[g->pos + 2] == 11 && end - g->pos > 14 &&
	    (memcmp(in + g->pos + 3, "NETSCAPE2.0", 11) == 0 ||
	    memcmp(in + g->pos + 3, "ANIMEXTS1.0", 11) == 0))
		loop_ext(g, g->pos + 14, end);
	else if (in[g->pos + 2] == 11 && end - g->pos > 14 &&
	    memcmp(in + g->pos + 3, "XMP DataXMP", 11) == 0)
		strip_removed(g->ctx, "GIF XMP");
	else
		strip_removed(g->ctx, "GIF application extension");
	g->pos = end;
	return 0;
}

int
strip_gif(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	struct gif g;
	int rc = 0;

	memset(&g, 0, sizeof(g));
	g.ctx = ctx;
	g.in = in;
	g.len = len;
	g.out = out;
	if (len < 13 || (memcmp(in, "GIF87a", 6) != 0 &&
	    memcmp(in, "GIF89a", 6) != 0))
		return strip_fail(ctx, STRIP_FAIL, "not a GIF (bad header)");
	g.pos = 13;
	if (in[10] & 0x80)
		g.pos += (size_t)3 << ((in[10] & 7) + 1);
	if (g.pos > len)
		return strip_fail(ctx, STRIP_FAIL, "GIF truncated");
	sbuf_put(out, in, g.pos);
	while (rc == 0 && g.pos < len && in[g.pos] != GIF_TRAILER) {
		if (in[g.pos] == GIF_IMAGE)
			rc = image(&g);
		else if (in[g.pos] == GIF_EXT)
			rc = extension(&g);
		else
			rc = strip_fail(ctx, STRIP_FAIL, "GIF block not valid");
	}
	if (rc != 0)
		return rc;
	if (g.images == 0)
		return strip_fail(ctx, STRIP_FAIL, "GIF has no image");
	if (g.pos >= len)
		strip_warn(ctx, "GIF truncated: trailer added");
	else if (g.pos + 1 < len)
		strip_warn(ctx, "data after the GIF end dropped");
	sbuf_putc(out, GIF_TRAILER);
	return out->err ? strip_fail(ctx, STRIP_FAIL, "output too large") :
	    STRIP_OK;
}
