/*
 * buf.c — the small pieces every format module shares: a capped growable
 * buffer, endian reads and writes, and the report of what was removed.
 */
#include <stdlib.h>
#include <string.h>

#include "postern/stripfmt.h"

void
sbuf_init(struct sbuf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

int
sbuf_reserve(struct sbuf *b, size_t more)
{
	size_t want, ncap;
	uint8_t *np;

	if (b->err)
		return -1;
	if (more > b->max || b->len > b->max - more) {
		b->err = 1;
		return -1;
	}
	want = b->len + more;
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < want)
		ncap = ncap > SIZE_MAX / 2 ? want : ncap * 2;
	if (ncap > b->max)
		ncap = b->max;
	if ((np = realloc(b->p, ncap)) == NULL) {
		b->err = 1;
		return -1;
	}
	b->p = np;
	b->cap = ncap;
	return 0;
}

int
sbuf_put(struct sbuf *b, const void *p, size_t n)
{
	if (sbuf_reserve(b, n) != 0)
		return -1;
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

int
sbuf_putc(struct sbuf *b, uint8_t c)
{
	return sbuf_put(b, &c, 1);
}

int
sbuf_fill(struct sbuf *b, uint8_t byte, size_t n)
{
	if (sbuf_reserve(b, n) != 0)
		return -1;
	memset(b->p + b->len, byte, n);
	b->len += n;
	return 0;
}

int
sbuf_put_be16(struct sbuf *b, uint16_t v)
{
	uint8_t x[2];

	wr_be16(x, v);
	return sbuf_put(b, x, 2);
}

int
sbuf_put_be32(struct sbuf *b, uint32_t v)
{
	uint8_t x[4];

	wr_be32(x, v);
	return sbuf_put(b, x, 4);
}

int
sbuf_put_le16(struct sbuf *b, uint16_t v)
{
	uint8_t x[2];

	wr_le16(x, v);
	return sbuf_put(b, x, 2);
}

int
sbuf_put_le32(struct sbuf *b, uint32_t v)
{
	uint8_t x[4];

	wr_le32(x, v);
	return sbuf_put(b, x, 4);
}

void
sbuf_free(struct sbuf *b)
{
	size_t max = b->max;

	free(b->p);
	sbuf_init(b, max);
}

size_t
strip_work_max(const struct strip_ctx *ctx)
{
	uint64_t m = ctx->expand_budget;

	if (m > SIZE_MAX / 4)
		m = SIZE_MAX / 4;
	return (size_t)m > ctx->out_max ? (size_t)m : ctx->out_max;
}

uint16_t
rd_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
rd_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
rd_be64(const uint8_t *p)
{
	return (uint64_t)rd_be32(p) << 32 | rd_be32(p + 4);
}

uint16_t
rd_le16(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

uint32_t
rd_le32(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

void
wr_be16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

void
wr_be32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

void
wr_le16(uint8_t *p, uint16_t v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

void
wr_le32(uint8_t *p, uint32_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

void
strip_removed(struct strip_ctx *ctx, const char *what)
{
	struct strip_report *r = &ctx->rep;
	size_t i;

	for (i = 0; i < r->nremoved; i++)
		if (strcmp(r->removed[i], what) == 0) {
			r->count[i]++;
			return;
		}
	if (r->nremoved == STRIP_REP_REMOVED_MAX) {
		r->dropped++;
		return;
	}
	r->removed[r->nremoved] = what;
	r->count[r->nremoved++] = 1;
}

void
strip_warn(struct strip_ctx *ctx, const char *what)
{
	struct strip_report *r = &ctx->rep;
	size_t i;

	for (i = 0; i < r->nwarn; i++)
		if (strcmp(r->warn[i], what) == 0)
			return;
	if (r->nwarn == STRIP_REP_WARN_MAX) {
		r->dropped++;
		return;
	}
	r->warn[r->nwarn++] = what;
}

void
strip_kept(struct strip_ctx *ctx, const char *what)
{
	struct strip_report *r = &ctx->rep;
	size_t i;

	for (i = 0; i < r->nkept; i++)
		if (strcmp(r->kept[i], what) == 0)
			return;
	if (r->nkept == STRIP_REP_WARN_MAX) {
		r->dropped++;
		return;
	}
	r->kept[r->nkept++] = what;
}

int
strip_fail(struct strip_ctx *ctx, int rc, const char *why)
{
	if (ctx->rep.fail == NULL)
		ctx->rep.fail = why;
	return rc;
}
