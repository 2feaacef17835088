/*
 * gif.c — not written yet: every gif document is reported as not supported.
 */
#include "postern/stripfmt.h"

int
strip_gif(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	(void)in;
	(void)len;
	(void)out;
	return strip_fail(ctx, STRIP_UNSUPPORTED, "no cleaner for gif yet");
}
