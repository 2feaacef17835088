/*
 * armor.c — strict streaming decoder for age's PEM armor. See armor.h.
 *
 * The input is cut into lines; each line is judged alone, so memory stays
 * at one line whatever the file size.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "postern/b64.h"
#include "postern/armor.h"

#define LINE_MAX_BYTES (ARMOR_COLUMNS + 1) /* 64 columns and a CR */

enum state {
	S_LEADING, /* blank space before BEGIN */
	S_BODY,    /* base64 lines */
	S_TRAILING /* after END: blank space only */
};

struct armor_decoder {
	armor_sink_fn sink;
	void *arg;
	enum state state;
	enum armor_err err;
	size_t blank;     /* blank bytes seen before BEGIN or after END */
	int line_blank;   /* the current leading line holds only blank */
	int line_space;   /* ... and it began with blank */
	int must_end;     /* a short or padded line was seen */
	size_t len;       /* bytes in line */
	char line[LINE_MAX_BYTES];
};

static int
is_blank(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

struct armor_decoder *
armor_decoder_new(armor_sink_fn sink, void *arg)
{
	struct armor_decoder *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->sink = sink;
	d->arg = arg;
	d->state = S_LEADING;
	d->line_blank = 1;
	return d;
}

void
armor_decoder_free(struct armor_decoder *d)
{
	if (d == NULL)
		return;
	sodium_memzero(d, sizeof(*d));
	free(d);
}

/* The line in d->line, without its LF and one trailing CR. */
static size_t
line_len(const struct armor_decoder *d)
{
	if (d->len > 0 && d->line[d->len - 1] == '\r')
		return d->len - 1;
	return d->len;
}

static int
line_is(const struct armor_decoder *d, const char *s)
{
	size_t n = line_len(d);

	return n == strlen(s) && memcmp(d->line, s, n) == 0;
}

static enum armor_err
body_line(struct armor_decoder *d)
{
	uint8_t bin[ARMOR_COLUMNS / 4 * 3];
	size_t n = line_len(d), binlen;
	int rc;

	if (line_is(d, ARMOR_END)) {
		d->state = S_TRAILING;
		d->blank = 0;
		return ARMOR_OK;
	}
	if (n == 0 || d->must_end)
		return ARMOR_ELINE;
	if (n % 4 != 0)
		return ARMOR_EBASE64;
	if (b64_decode(bin, sizeof(bin), d->line, n, &binlen,
	    sodium_base64_VARIANT_ORIGINAL) != 0)
		return ARMOR_EBASE64;
	if (n < ARMOR_COLUMNS || d->line[n - 1] == '=')
		d->must_end = 1;
	rc = d->sink(d->arg, bin, binlen);
	sodium_memzero(bin, sizeof(bin));
	return rc == 0 ? ARMOR_OK : ARMOR_ESINK;
}

static enum armor_err
leading_byte(struct armor_decoder *d, uint8_t c)
{
	if (c == '\n') {
		if (d->line_blank) {
			if (++d->blank > ARMOR_LEADING_MAX)
				return ARMOR_EBEGIN;
		} else if (line_is(d, ARMOR_BEGIN))
			d->state = S_BODY;
		else
			return ARMOR_EBEGIN;
		d->len = 0;
		d->line_blank = 1;
		d->line_space = 0;
		return ARMOR_OK;
	}
	if (d->line_blank && is_blank(c)) {
		if (++d->blank > ARMOR_LEADING_MAX)
			return ARMOR_EBEGIN;
		d->line_space = 1;
		return ARMOR_OK;
	}
	if (d->line_blank) {
		if (d->line_space) /* space before BEGIN on its line */
			return ARMOR_EBEGIN;
		d->line_blank = 0;
	}
	if (d->len == sizeof(d->line))
		return ARMOR_EBEGIN;
	d->line[d->len++] = (char)c;
	return ARMOR_OK;
}

static enum armor_err
decode_byte(struct armor_decoder *d, uint8_t c)
{
	enum armor_err e;

	switch (d->state) {
	case S_LEADING:
		return leading_byte(d, c);
	case S_BODY:
		if (c == '\n') {
			e = body_line(d);
			d->len = 0;
			return e;
		}
		/* An over-long line; END is shorter than 64 columns. */
		if (d->len == sizeof(d->line))
			return ARMOR_ELINE;
		d->line[d->len++] = (char)c;
		return ARMOR_OK;
	case S_TRAILING:
		if (!is_blank(c) || ++d->blank > ARMOR_LEADING_MAX)
			return ARMOR_EEND;
		return ARMOR_OK;
	}
	return ARMOR_EEND;
}

enum armor_err
armor_decode_update(struct armor_decoder *d, const uint8_t *buf, size_t len)
{
	size_t i;

	if (d->err != ARMOR_OK)
		return d->err;
	for (i = 0; i < len; i++)
		if ((d->err = decode_byte(d, buf[i])) != ARMOR_OK)
			break;
	return d->err;
}

enum armor_err
armor_decode_final(struct armor_decoder *d)
{
	if (d->err != ARMOR_OK)
		return d->err;
	switch (d->state) {
	case S_LEADING:
		d->err = ARMOR_EBEGIN;
		break;
	case S_BODY:
		/* The END line may lack its LF. */
		if (d->len > 0 && line_is(d, ARMOR_END))
			d->state = S_TRAILING;
		else
			d->err = ARMOR_EEND;
		break;
	case S_TRAILING:
		break;
	}
	return d->err;
}
