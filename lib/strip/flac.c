/*
 * flac.c — FLAC: the metadata blocks that describe the audio stay, the
 * ones that describe its owner go.
 *
 * A FLAC file is "fLaC", metadata blocks (a 4-byte header: last-block
 * flag, 7-bit type, 24-bit length), then audio frames. Kept: STREAMINFO
 * (first, required), SEEKTABLE and CUESHEET, whose media catalog number
 * and track ISRCs are zeroed (they name a release, and are free text a
 * tagger can fill with anything). Dropped: VORBIS_COMMENT (its vendor
 * string with it), PICTURE, APPLICATION, PADDING and reserved types. The
 * last-block flag is set on the last kept block; frames are copied byte
 * for byte. An ID3v2 tag some taggers put before "fLaC", and an ID3v1 or
 * APEv2 tag after the frames, are removed too.
 */
#include <string.h>

#include "postern/stripfmt.h"

#define ID3V2_HDR 10
#define ID3V1_LEN 128
#define APE_FOOTER 32
#define APE_HAS_HEADER 0x80000000u
#define BLOCKS_MAX 4096 /* metadata blocks in one file */
#define TAGS_MAX 8	/* stacked tags at either end */

#define T_STREAMINFO 0
#define T_PADDING 1
#define T_APPLICATION 2
#define T_SEEKTABLE 3
#define T_VORBIS 4
#define T_CUESHEET 5
#define T_PICTURE 6
#define T_INVALID 127

#define STREAMINFO_LEN 34
#define CUE_MCN_LEN 128	 /* media catalog number, ASCII */
#define CUE_HDR_LEN 396	 /* MCN, lead-in, flags, reserved, ntracks */
#define CUE_TRACK_LEN 36 /* offset, number, ISRC, flags, nindices */
#define CUE_ISRC_OFF 9
#define CUE_ISRC_LEN 12
#define CUE_INDEX_LEN 12

/* Length of an ID3v2 tag at p (10 bytes readable), 0 if none there. */
static size_t
id3v2_len(const uint8_t *p)
{
	if (memcmp(p, "ID3", 3) != 0 || p[3] < 2 || p[3] > 4 ||
	    ((p[6] | p[7] | p[8] | p[9]) & 0x80))
		return 0;
	return ID3V2_HDR +
	    ((size_t)p[6] << 21 | (size_t)p[7] << 14 | (size_t)p[8] << 7 |
		p[9]) +
	    (p[3] == 4 && (p[5] & 0x10) ? ID3V2_HDR : 0);
}

/* Skip the ID3v2 tags before "fLaC". */
static int
skip_id3v2(struct strip_ctx *ctx, const uint8_t *in, size_t len, size_t *pos)
{
	size_t n;
	int i;

	for (i = 0; i < TAGS_MAX && len - *pos >= ID3V2_HDR; i++) {
		if ((n = id3v2_len(in + *pos)) == 0)
			break;
		if (n > len - *pos)
			return strip_fail(ctx, STRIP_FAIL,
			    "ID3v2 tag runs past the end of the file");
		*pos += n;
		strip_removed(ctx, "ID3v2 tag");
	}
	return 0;
}

/* Drop an ID3v1 or APEv2 tag appended after the frames: 1 if one was
 * dropped, 0 if none, -1 if damaged. */
static int
drop_trailing(
    struct strip_ctx *ctx, const uint8_t *in, size_t start, size_t *end)
{
	const uint8_t *f;
	uint64_t n;

	if (*end - start >= ID3V1_LEN &&
	    memcmp(in + *end - ID3V1_LEN, "TAG", 3) == 0) {
		*end -= ID3V1_LEN;
		strip_removed(ctx, "ID3v1 tag");
		return 1;
	}
	if (*end - start < APE_FOOTER)
		return 0;
	f = in + *end - APE_FOOTER;
	if (memcmp(f, "APETAGEX", 8) != 0)
		return 0;
	n = rd_le32(f + 12);
	if (rd_le32(f + 20) & APE_HAS_HEADER)
		n += APE_FOOTER;
	if (n < APE_FOOTER || n > *end - start)
		return strip_fail(ctx, STRIP_FAIL, "damaged APEv2 tag");
	*end -= (size_t)n;
	strip_removed(ctx, "APEv2 tag");
	return 1;
}

/* Zero n bytes at p; 1 if any was not zero already. */
static int
zero(uint8_t *p, size_t n)
{
	int was = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		was |= p[i] != 0;
		p[i] = 0;
	}
	return was;
}

/* Zero the media catalog number, the ISRCs and the reserved bytes of the
 * CUESHEET at p (n bytes, our copy). The track and index offsets, which
 * are the cue sheet, stay. */
static int
clean_cuesheet(struct strip_ctx *ctx, uint8_t *p, size_t n)
{
	size_t pos, t, ntracks, i, nidx;
	int hit = 0;

	if (n < CUE_HDR_LEN)
		return strip_fail(ctx, STRIP_FAIL, "FLAC cue sheet too short");
	hit |= zero(p, CUE_MCN_LEN);
	p[CUE_MCN_LEN + 8] &= 0x80; /* the is-CD flag; the rest reserved */
	hit |= zero(p + CUE_MCN_LEN + 9, CUE_HDR_LEN - CUE_MCN_LEN - 10);
	ntracks = p[CUE_HDR_LEN - 1];
	pos = CUE_HDR_LEN;
	for (t = 0; t < ntracks; t++) {
		if (n - pos < CUE_TRACK_LEN)
			goto bad;
		hit |= zero(p + pos + CUE_ISRC_OFF, CUE_ISRC_LEN);
		p[pos + 21] &= 0xc0; /* type and pre-emphasis flags */
		hit |= zero(p + pos + 22, 13);
		nidx = p[pos + CUE_TRACK_LEN - 1];
		pos += CUE_TRACK_LEN;
		for (i = 0; i < nidx; i++) {
			if (n - pos < CUE_INDEX_LEN)
				goto bad;
			hit |= zero(p + pos + 9, 3);
			pos += CUE_INDEX_LEN;
		}
	}
	if (pos != n)
		goto bad;
	if (hit)
		strip_removed(ctx, "FLAC cue sheet catalog numbers");
	return 0;
bad:
	return strip_fail(ctx, STRIP_FAIL, "damaged FLAC cue sheet");
}

/* The report name of a dropped block type. */
static const char *
dropped_name(unsigned type)
{
	switch (type) {
	case T_VORBIS:
		return "FLAC Vorbis comment";
	case T_PICTURE:
		return "FLAC picture";
	case T_APPLICATION:
		return "FLAC application data";
	case T_PADDING:
		return NULL;
	default:
		return "FLAC reserved metadata block";
	}
}

/* Copy the kept metadata blocks from *pos on; *pos ends on the first
 * frame. The last kept block gets the last-block flag. */
static int
copy_blocks(struct strip_ctx *ctx, const uint8_t *in, size_t len, size_t *pos,
    struct sbuf *out)
{
	size_t n, hdr = 0, nblocks;
	unsigned type, last = 0;
	const char *name;

	for (nblocks = 0; !last; nblocks++) {
		if (nblocks == BLOCKS_MAX)
			return strip_fail(
			    ctx, STRIP_FAIL, "too many FLAC metadata blocks");
		if (len - *pos < 4)
			return strip_fail(
			    ctx, STRIP_FAIL, "FLAC metadata runs past the end");
		last = in[*pos] & 0x80;
		type = in[*pos] & 0x7f;
		n = (size_t)in[*pos + 1] << 16 | (size_t)in[*pos + 2] << 8 |
		    in[*pos + 3];
		if (n > len - *pos - 4)
			return strip_fail(ctx, STRIP_FAIL,
			    "FLAC metadata block runs past the end");
		if ((nblocks == 0) != (type == T_STREAMINFO) ||
		    type == T_INVALID ||
		    (type == T_STREAMINFO && n != STREAMINFO_LEN))
			return strip_fail(ctx, STRIP_FAIL,
			    "FLAC STREAMINFO missing or misplaced");
		if (type == T_STREAMINFO || type == T_SEEKTABLE ||
		    type == T_CUESHEET) {
			hdr = out->len;
			if (sbuf_putc(out, (uint8_t)type) != 0 ||
			    sbuf_put(out, in + *pos + 1, 3 + n) != 0)
				return strip_fail(
				    ctx, STRIP_FAIL, "output too large");
			if (type == T_CUESHEET &&
			    clean_cuesheet(ctx, out->p + hdr + 4, n) != 0)
				return STRIP_FAIL;
		} else if ((name = dropped_name(type)) != NULL)
			strip_removed(ctx, name);
		*pos += 4 + n;
	}
	out->p[hdr] |= 0x80;
	return 0;
}

int
strip_flac(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	size_t pos = 0, end = len;
	int i, r;

	if (skip_id3v2(ctx, in, len, &pos) != 0)
		return STRIP_FAIL;
	if (len - pos < 4 || memcmp(in + pos, "fLaC", 4) != 0)
		return strip_fail(ctx, STRIP_FAIL, "no FLAC signature");
	if (sbuf_put(out, "fLaC", 4) != 0)
		return strip_fail(ctx, STRIP_FAIL, "output too large");
	pos += 4;
	if (copy_blocks(ctx, in, len, &pos, out) != 0)
		return STRIP_FAIL;
	for (i = 0; i < TAGS_MAX; i++) {
		if ((r = drop_trailing(ctx, in, pos, &end)) < 0)
			return STRIP_FAIL;
		if (r == 0)
			break;
	}
	/* Frames start with the 14-bit sync code and a reserved zero bit. */
	if (end > pos &&
	    (end - pos < 2 || in[pos] != 0xff || (in[pos + 1] & 0xfe) != 0xf8))
		return strip_fail(
		    ctx, STRIP_FAIL, "no FLAC frame after the metadata");
	if (sbuf_put(out, in + pos, end - pos) != 0)
		return strip_fail(ctx, STRIP_FAIL, "output too large");
	return STRIP_OK;
}
