/*
 * mp3.c — MPEG audio: the tags around the frames go, the frames stay.
 *
 * An MP3 file is a run of MPEG audio frames with tags glued to either
 * end: ID3v2 tags at the start (several may be stacked), and at the end,
 * in the usual order, an appended ID3v2 tag (found by its "3DI" footer),
 * an APEv2 tag, a Lyrics3 v1 or v2 tag, the 227-byte ID3v1 enhanced tag
 * ("TAG+") and the 128-byte ID3v1 tag ("TAG"). All of them are removed;
 * the frames between them are copied byte for byte, the Xing/LAME info
 * frame included (it describes the stream, not its owner). The frames are
 * walked by their lengths, so ID3v2, APEv2 and ID3v1 tags between them
 * (concatenated files) go too.
 *
 * What remains must start with an MPEG frame header; anything else (a
 * tag we do not know, a damaged size) is refused rather than guessed at.
 */
#include <string.h>

#include "postern/stripfmt.h"

#define ID3V2_HDR 10 /* header, and footer when present */
#define ID3V1_LEN 128
#define ID3V1_EXT_LEN 227 /* "TAG+" enhanced tag, before ID3v1 */
#define APE_FOOTER 32	  /* footer, and header when present */
#define APE_HAS_HEADER 0x80000000u
#define LYRICS3_V1_MAX 5100 /* the v1 tag's own limit, markers included */
#define LYRICS3_V2_TAIL 15  /* six-digit size + "LYRICS200" */
#define TAGS_MAX 32	    /* stacked tags at either end */

/* The syncsafe 28-bit integer of an ID3v2 header, or -1 if a byte has its
 * top bit set (then it is not a tag header at all). */
static long
syncsafe(const uint8_t *p)
{
	if ((p[0] | p[1] | p[2] | p[3]) & 0x80)
		return -1;
	return (long)p[0] << 21 | (long)p[1] << 14 | (long)p[2] << 7 | p[3];
}

/* Length of the ID3v2 tag whose header or footer starts at p (magic is
 * "ID3" or "3DI"), 0 if p holds no plausible one; avail bounds nothing
 * here, callers check the result against what they have. */
static size_t
id3v2_len(const uint8_t *p, const char *magic)
{
	long sz;

	if (memcmp(p, magic, 3) != 0 || p[3] < 2 || p[3] > 4 || p[4] == 0xff)
		return 0;
	if ((sz = syncsafe(p + 6)) < 0)
		return 0;
	/* The footer flag (v2.4) adds a 10-byte copy of the header. */
	return ID3V2_HDR + (size_t)sz +
	    (p[3] == 4 && (p[5] & 0x10) ? ID3V2_HDR : 0);
}

/* Skip the ID3v2 tags at the start of [*start, end). -1 if one runs past
 * the end. */
static int
strip_leading(
    struct strip_ctx *ctx, const uint8_t *in, size_t *start, size_t end)
{
	size_t n;
	int i;

	for (i = 0; i < TAGS_MAX; i++) {
		if (end - *start < ID3V2_HDR ||
		    (n = id3v2_len(in + *start, "ID3")) == 0)
			break;
		if (n > end - *start)
			return strip_fail(ctx, STRIP_FAIL,
			    "ID3v2 tag runs past the end of the file");
		*start += n;
		strip_removed(ctx, "ID3v2 tag");
		/* Padding some taggers leave outside the declared size. */
		while (*start < end && in[*start] == 0)
			(*start)++;
	}
	if (i == TAGS_MAX)
		return strip_fail(ctx, STRIP_FAIL, "too many ID3v2 tags");
	return 0;
}

/* Length of the APEv2 tag ending at end, 0 if none. */
static size_t
ape_len(const uint8_t *in, size_t start, size_t end)
{
	const uint8_t *f;
	uint64_t n;

	if (end - start < APE_FOOTER)
		return 0;
	f = in + end - APE_FOOTER;
	if (memcmp(f, "APETAGEX", 8) != 0)
		return 0;
	/* The size counts the items and the footer, not the header. */
	n = rd_le32(f + 12);
	if (rd_le32(f + 20) & APE_HAS_HEADER)
		n += APE_FOOTER;
	if (n < APE_FOOTER || n > end - start)
		return SIZE_MAX;
	return (size_t)n;
}

/* Length of the Lyrics3 tag (v1 or v2) ending at end, 0 if none. */
static size_t
lyrics3_len(const uint8_t *in, size_t start, size_t end)
{
	size_t avail = end - start, n, i, lim;

	if (avail >= LYRICS3_V2_TAIL + 11 &&
	    memcmp(in + end - 9, "LYRICS200", 9) == 0) {
		for (n = 0, i = end - LYRICS3_V2_TAIL; i < end - 9; i++) {
			if (in[i] < '0' || in[i] > '9')
				return SIZE_MAX;
			n = n * 10 + (in[i] - '0');
		}
		if (n < 11 || n > avail - LYRICS3_V2_TAIL ||
		    memcmp(in + end - LYRICS3_V2_TAIL - n, "LYRICSBEGIN", 11) !=
			0)
			return SIZE_MAX;
		return n + LYRICS3_V2_TAIL;
	}
	if (avail >= 20 && memcmp(in + end - 9, "LYRICSEND", 9) == 0) {
		lim = avail < LYRICS3_V1_MAX ? avail : LYRICS3_V1_MAX;
		for (n = 20; n <= lim; n++)
			if (memcmp(in + end - n, "LYRICSBEGIN", 11) == 0)
				return n;
		return SIZE_MAX;
	}
	return 0;
}

/* Length of the appended ID3v2 tag (with its "3DI" footer) ending at end,
 * 0 if none. */
static size_t
id3v2_tail_len(const uint8_t *in, size_t start, size_t end)
{
	size_t n;

	if (end - start < 2 * ID3V2_HDR ||
	    (n = id3v2_len(in + end - ID3V2_HDR, "3DI")) == 0)
		return 0;
	if (n > end - start || id3v2_len(in + end - n, "ID3") != n)
		return SIZE_MAX;
	return n;
}

/* Remove one tag from the end of [start, *end); 1 if one was removed, 0 if
 * none is there, -1 if one is there but damaged. ID3v1 is the last thing
 * in a file, so it is looked for first; the others then end where it
 * began. */
static int
strip_one_trailing(
    struct strip_ctx *ctx, const uint8_t *in, size_t start, size_t *end)
{
	size_t n;

	if (*end - start >= ID3V1_LEN &&
	    memcmp(in + *end - ID3V1_LEN, "TAG", 3) == 0) {
		*end -= ID3V1_LEN;
		if (*end - start >= ID3V1_EXT_LEN &&
		    memcmp(in + *end - ID3V1_EXT_LEN, "TAG+", 4) == 0)
			*end -= ID3V1_EXT_LEN;
		strip_removed(ctx, "ID3v1 tag");
		return 1;
	}
	if ((n = lyrics3_len(in, start, *end)) == SIZE_MAX)
		return strip_fail(ctx, STRIP_FAIL, "damaged Lyrics3 tag");
	if (n > 0) {
		*end -= n;
		strip_removed(ctx, "Lyrics3 tag");
		return 1;
	}
	if ((n = ape_len(in, start, *end)) == SIZE_MAX)
		return strip_fail(ctx, STRIP_FAIL, "damaged APEv2 tag");
	if (n > 0) {
		*end -= n;
		strip_removed(ctx, "APEv2 tag");
		return 1;
	}
	if ((n = id3v2_tail_len(in, start, *end)) == SIZE_MAX)
		return strip_fail(
		    ctx, STRIP_FAIL, "damaged appended ID3v2 tag");
	if (n > 0) {
		*end -= n;
		strip_removed(ctx, "ID3v2 tag");
		return 1;
	}
	return 0;
}

/* Whether p (4 bytes) is an MPEG audio frame header: the 11-bit sync and
 * no reserved value in version, layer, bitrate or sample rate. */
static int
is_frame_header(const uint8_t *p)
{
	return p[0] == 0xff && (p[1] & 0xe0) == 0xe0 &&
	    ((p[1] >> 3) & 3) != 1 && ((p[1] >> 1) & 3) != 0 &&
	    (p[2] >> 4) != 15 && ((p[2] >> 2) & 3) != 3;
}

/* The length of the frame whose header is at p (4 bytes, valid), 0 for
 * a free-format frame (no bitrate: its length is not in the header). */
static size_t
frame_len(const uint8_t *p)
{
	static const uint16_t kbps[5][15] = {
		{ 0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384,
		    416, 448 }, /* MPEG-1 layer I */
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
		    384 }, /* MPEG-1 layer II */
		{ 0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256,
		    320 }, /* MPEG-1 layer III */
		{ 0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224,
		    256 }, /* MPEG-2/2.5 layer I */
		{ 0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144,
		    160 }, /* MPEG-2/2.5 layer II, III */
	};
	static const uint32_t rates[3] = { 44100, 48000, 32000 };
	unsigned ver = (p[1] >> 3) & 3, layer = 4 - ((p[1] >> 1) & 3);
	unsigned pad = (p[2] >> 1) & 1, row;
	uint32_t br, sr = rates[(p[2] >> 2) & 3];

	if (ver == 3)
		row = layer - 1;
	else
		row = layer == 1 ? 3 : 4;
	br = (uint32_t)kbps[row][p[2] >> 4] * 1000;
	if (ver != 3)
		sr /= ver == 2 ? 2 : 4;
	if (layer == 1)
		return (12 * br / sr + pad) * 4;
	if (layer == 3 && ver != 3)
		return 72 * br / sr + pad;
	return 144 * br / sr + pad;
}

/* A tag in the middle of the stream (where a concatenation of files puts
 * one): its length, 0 if none is at pos. */
static size_t
mid_tag_len(const uint8_t *in, size_t pos, size_t end)
{
	size_t n, avail = end - pos;

	if (avail >= ID3V2_HDR && (n = id3v2_len(in + pos, "ID3")) != 0 &&
	    n <= avail)
		return n;
	if (avail >= APE_FOOTER && memcmp(in + pos, "APETAGEX", 8) == 0 &&
	    (rd_le32(in + pos + 20) & APE_HAS_HEADER) &&
	    (n = rd_le32(in + pos + 12)) <= avail - APE_FOOTER)
		return n + APE_FOOTER;
	if (avail >= ID3V1_LEN && memcmp(in + pos, "TAG", 3) == 0)
		return ID3V1_LEN;
	return 0;
}

/* The next frame header at or after pos that another frame header (or
 * the end) follows: where the stream resumes after junk. */
static size_t
resync(const uint8_t *in, size_t pos, size_t end)
{
	size_t n;

	for (; end - pos >= 4; pos++) {
		if (mid_tag_len(in, pos, end) != 0)
			return pos;
		if (!is_frame_header(in + pos) ||
		    (n = frame_len(in + pos)) == 0 || n > end - pos)
			continue;
		if (n == end - pos ||
		    (end - pos - n >= 4 && is_frame_header(in + pos + n)))
			return pos;
	}
	return end;
}

/* Copy the frames of [pos, end), dropping tags found between them. Junk
 * between frames is kept (with a warning): it may be audio we misread. A
 * free-format stream (no frame lengths) is copied as it is. */
static int
copy_frames(struct strip_ctx *ctx, const uint8_t *in, size_t pos, size_t end,
    struct sbuf *out)
{
	size_t n, next;

	while (pos < end) {
		if (end - pos >= 4 && is_frame_header(in + pos)) {
			if ((n = frame_len(in + pos)) == 0 || n > end - pos)
				n = end - pos;
			sbuf_put(out, in + pos, n);
		} else if ((n = mid_tag_len(in, pos, end)) != 0) {
			strip_removed(ctx,
			    in[pos] == 'A'	 ? "APEv2 tag"
				: in[pos] == 'T' ? "ID3v1 tag"
						 : "ID3v2 tag");
		} else {
			next = resync(in, pos + 1, end);
			n = next - pos;
			sbuf_put(out, in + pos, n);
			strip_kept(ctx, "MP3 data between frames");
		}
		pos += n;
	}
	return out->err ? strip_fail(ctx, STRIP_FAIL, "output too large") : 0;
}

int
strip_mp3(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	size_t start = 0, end = len;
	int i, r;

	if (strip_leading(ctx, in, &start, end) != 0)
		return STRIP_FAIL;
	for (i = 0; i < TAGS_MAX; i++) {
		if ((r = strip_one_trailing(ctx, in, start, &end)) < 0)
			return STRIP_FAIL;
		if (r == 0)
			break;
	}
	if (i == TAGS_MAX)
		return strip_fail(ctx, STRIP_FAIL, "too many tags at the end");
	if (end - start < 4 || !is_frame_header(in + start))
		return strip_fail(
		    ctx, STRIP_FAIL, "no MPEG audio frame after the tags");
	if (copy_frames(ctx, in, start, end, out) != 0)
		return STRIP_FAIL;
	return STRIP_OK;
}
