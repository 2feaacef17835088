/*
 * png.c — PNG (and APNG): keep the chunks a viewer needs to draw the
 * picture, drop the rest.
 *
 * Kept: IHDR PLTE IDAT IEND, the colour and transparency chunks (tRNS gAMA
 * cHRM sRGB iCCP sBIT bKGD hIST), pHYs, and the animation chunks (acTL
 * fcTL fdAT). Dropped: the text chunks (tEXt zTXt iTXt), eXIf, tIME and
 * every other ancillary chunk, since a private chunk can hold anything.
 * The iCCP profile name is free text, so it is rewritten. A critical chunk
 * this module does not know is refused: the picture may depend on it.
 * Lengths are checked strictly; CRCs are copied, not verified.
 */
#include <string.h>

#include <zlib.h>

#include "postern/stripfmt.h"

/* PNG caps a chunk's length at 2^31 - 1. */
#define PNG_CHUNK_MAX	0x7fffffffUL

/* The name every kept iCCP profile gets. */
#define ICCP_NAME	"ICC Profile"

static const uint8_t png_sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a,
	'\n' };

static const char *const png_keep[] = {
	"IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB",
	"sBIT", "bKGD", "pHYs", "hIST", "acTL", "fcTL", "fdAT",
};

static const struct {
	const char *type;
	const char *name;
} png_drop[] = {
	{ "tEXt", "PNG tEXt" },
	{ "zTXt", "PNG zTXt" },
	{ "iTXt", "PNG iTXt" },
	{ "eXIf", "PNG eXIf" },
	{ "tIME", "PNG tIME" },
};

static int
type_ok(const uint8_t *t)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (!((t[i] >= 'A' && t[i] <= 'Z') ||
		    (t[i] >= 'a' && t[i] <= 'z')))
			return 0;
	return 1;
}

/* iCCP is name, NUL, method, compressed profile: write it with our name. */
static int
put_iccp(struct strip_ctx *ctx, const uint8_t *d, size_t n, struct sbuf *out)
{
	const uint8_t *nul;
	size_t rest, start;
	uLong crc;

	nul = memchr(d, 0, n < 80 ? n : 80);
	if (nul == NULL || nul == d || n - (size_t)(nul - d) < 2)
		return strip_fail(ctx, STRIP_FAIL, "PNG iCCP chunk malformed");
	if ((size_t)(nul - d) != sizeof(ICCP_NAME) - 1 ||
	    memcmp(d, ICCP_NAME, sizeof(ICCP_NAME) - 1) != 0)
		strip_removed(ctx, "PNG iCCP profile name");
	rest = n - (size_t)(nul - d);	/* NUL, method, profile */
	sbuf_put_be32(out, (uint32_t)(sizeof(ICCP_NAME) - 1 + rest));
	start = out->len;
	sbuf_put(out, "iCCP" ICCP_NAME, 4 + sizeof(ICCP_NAME) - 1);
	sbuf_put(out, nul, rest);
	if (out->err)
		return strip_fail(ctx, STRIP_FAIL, "output too large");
	crc = crc32(0L, out->p + start, (uInt)(out->len - start));
	sbuf_put_be32(out, (uint32_t)crc);
	return STRIP_OK;
}

/* One chunk: 1 to copy it, 0 when dropped or written, or a STRIP_ code. */
static int
chunk(struct strip_ctx *ctx, const uint8_t *c, size_t n, struct sbuf *out)
{
	size_t i;

	for (i = 0; i < sizeof(png_keep) / sizeof(png_keep[0]); i++)
		if (memcmp(c + 4, png_keep[i], 4) == 0)
			return 1;
	if (memcmp(c + 4, "iCCP", 4) == 0)
		return put_iccp(ctx, c + 8, n, out);
	for (i = 0; i < sizeof(png_drop) / sizeof(png_drop[0]); i++)
		if (memcmp(c + 4, png_drop[i].type, 4) == 0) {
			strip_removed(ctx, png_drop[i].name);
			return 0;
		}
	if ((c[4] & 0x20) == 0)
		return strip_fail(ctx, STRIP_UNSUPPORTED,
		    "PNG critical chunk not known");
	strip_removed(ctx, "PNG private chunk");
	return 0;
}

/* The chunk header at in + pos: a length within the input, a valid type,
 * IHDR first and nowhere else. *n receives the data length. */
static int
chunk_head(struct strip_ctx *ctx, const uint8_t *in, size_t len, size_t pos,
    int first, size_t *n)
{
	int ihdr;

	if (len - pos < 12)
		return strip_fail(ctx, STRIP_FAIL, "PNG truncated (no IEND)");
	*n = rd_be32(in + pos);
	if (*n > PNG_CHUNK_MAX || *n > len - pos - 12)
		return strip_fail(ctx, STRIP_FAIL,
		    "PNG chunk runs past the end");
	if (!type_ok(in + pos + 4))
		return strip_fail(ctx, STRIP_FAIL, "PNG chunk type not valid");
	ihdr = memcmp(in + pos + 4, "IHDR", 4) == 0;
	if (ihdr != first || (ihdr && *n != 13))
		return strip_fail(ctx, STRIP_FAIL,
		    "PNG does not start with one IHDR");
	return 0;
}

int
strip_png(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	size_t pos = sizeof(png_sig), n = 0;
	int rc, idat = 0, iend = 0;

	if (len < sizeof(png_sig) || memcmp(in, png_sig, sizeof(png_sig)) != 0)
		return strip_fail(ctx, STRIP_FAIL, "not a PNG (bad signature)");
	sbuf_put(out, png_sig, sizeof(png_sig));
	while (!iend) {
		if (chunk_head(ctx, in, len, pos, pos == sizeof(png_sig),
		    &n) != 0)
			return STRIP_FAIL;
		idat |= memcmp(in + pos + 4, "IDAT", 4) == 0;
		iend = memcmp(in + pos + 4, "IEND", 4) == 0;
		if ((rc = chunk(ctx, in + pos, n, out)) < 0)
			return rc;
		if (rc == 1)
			sbuf_put(out, in + pos, n + 12);
		pos += n + 12;
	}
	if (!idat)
		return strip_fail(ctx, STRIP_FAIL, "PNG has no image data");
	if (pos < len)
		strip_warn(ctx, "data after the PNG end dropped");
	return out->err ? strip_fail(ctx, STRIP_FAIL, "output too large") :
	    STRIP_OK;
}
