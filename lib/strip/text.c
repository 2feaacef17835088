/*
 * text.c — plain text and CSV carry no metadata fields: passed through.
 */
#include "postern/stripfmt.h"

int
strip_text(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	if (sbuf_put(out, in, len) != 0)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	return STRIP_OK;
}
