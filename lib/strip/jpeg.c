/*
 * jpeg.c — JPEG: keep what a decoder needs, drop everything else.
 *
 * The marker segments are walked from SOI. Kept: DQT, DHT, DAC, SOFn, DRI,
 * DNL, SOS with its entropy-coded data (several scans for progressive
 * files), EOI, APP0 JFIF (rewritten without its thumbnail), APP2
 * ICC_PROFILE and APP14 Adobe (colour transform). Dropped: every other
 * APPn (Exif, XMP, Photoshop/IPTC, MPF, FlashPix, JFXX thumbnails, vendor
 * segments), COM, and whatever follows EOI (MPF second images, trailers).
 *
 * The orientation is the one Exif field that changes how the picture
 * looks: when IFD0 held Orientation 2..8, a minimal Exif segment holding
 * only that tag is written after SOI (after JFIF when there is one).
 */
#include <string.h>

#include "postern/stripfmt.h"

#define M_SOI	0xd8
#define M_EOI	0xd9
#define M_SOS	0xda
#define M_APP0	0xe0
#define M_APP1	0xe1
#define M_APP2	0xe2
#define M_APP13	0xed
#define M_APP14	0xee
#define M_COM	0xfe

/* An Exif IFD with more entries than this is not a camera's. */
#define EXIF_IFD_MAX	1024

/* Size of the minimal Exif segment, marker included. */
#define EXIF_MIN_LEN	36

struct jpeg {
	struct strip_ctx *ctx;
	const uint8_t *in;
	size_t len;
	size_t pos;
	struct sbuf *out;
	size_t base;		/* where in out this document starts */
	size_t exif_at;		/* where in out the orientation goes */
	int orient;		/* 2..8 when the Exif had one, else 0 */
	int seen_exif;
	int seen_sof;
	int seen_sos;
};

static int
id_is(const uint8_t *p, size_t n, const char *id, size_t idlen)
{
	return n >= idlen && memcmp(p, id, idlen) == 0;
}

/* Orientation from IFD0 of a TIFF structure; 0 when absent or bad. */
static int
exif_orientation(const uint8_t *t, size_t n, int *has_ifd1)
{
	uint16_t (*r16)(const uint8_t *);
	uint32_t (*r32)(const uint8_t *);
	uint32_t ifd, cnt, i, v;
	const uint8_t *e;
	int orient = 0;

	if (n < 8)
		return 0;
	if (memcmp(t, "II*\0", 4) == 0) {
		r16 = rd_le16;
		r32 = rd_le32;
	} else if (memcmp(t, "MM\0*", 4) == 0) {
		r16 = rd_be16;
		r32 = rd_be32;
	} else
		return 0;
	ifd = r32(t + 4);
	if (ifd < 8 || ifd > n - 2)
		return 0;
	cnt = r16(t + ifd);
	if (cnt > EXIF_IFD_MAX || cnt > (n - ifd - 2) / 12)
		return 0;
	for (i = 0; i < cnt; i++) {
		e = t + ifd + 2 + 12 * i;
		if (r16(e) != 0x0112 || r16(e + 2) != 3 || r32(e + 4) < 1)
			continue;
		v = r16(e + 8);
		if (v >= 2 && v <= 8)
			orient = (int)v;
		break;
	}
	/* IFD1, when present, is the thumbnail's. */
	e = t + ifd + 2 + 12 * cnt;
	if ((size_t)(e - t) <= n - 4 && r32(e) != 0)
		*has_ifd1 = 1;
	return orient;
}

/* APP1: Exif (its orientation is remembered), XMP, or something else. */
static void
app1(struct jpeg *j, const uint8_t *p, size_t n)
{
	int thumb = 0, o;

	if (id_is(p, n, "Exif\0", 5) && n >= 6) {
		strip_removed(j->ctx, "JPEG Exif");
		o = exif_orientation(p + 6, n - 6, &thumb);
		if (!j->seen_exif && o != 0)
			j->orient = o;
		j->seen_exif = 1;
		if (thumb)
			strip_removed(j->ctx, "JPEG thumbnail");
	} else if (id_is(p, n, "http://ns.adobe.com/xap/1.0/", 29) ||
	    id_is(p, n, "http://ns.adobe.com/xmp/extension/", 35))
		strip_removed(j->ctx, "JPEG XMP");
	else
		strip_removed(j->ctx, "JPEG APP1 segment");
}

/* APP0 JFIF is kept with its thumbnail cut; JFXX is only thumbnails. */
static int
app0(struct jpeg *j, const uint8_t *p, size_t n)
{
	int first;

	if (id_is(p, n, "JFIF", 5) && n >= 14) {
		if (p[12] != 0 || p[13] != 0 || n > 14)
			strip_removed(j->ctx, "JPEG thumbnail");
		first = j->out->len == j->base + 2;
		sbuf_put_be16(j->out, 0xffe0);
		sbuf_put_be16(j->out, 16);
		sbuf_put(j->out, p, 12);
		sbuf_put_be16(j->out, 0);
		/* Exif goes after a JFIF that comes first, as in cameras'. */
		if (first)
			j->exif_at = j->out->len;
		return 0;
	}
	if (id_is(p, n, "JFXX", 5))
		strip_removed(j->ctx, "JPEG thumbnail");
	else
		strip_removed(j->ctx, "JPEG APPn segment");
	return 0;
}

/* Decide about one marker segment whose payload is p[0..n). Returns 1 to
 * keep it as it is, 0 when it was dropped or written, or a STRIP_ code. */
static int
segment(struct jpeg *j, uint8_t m, const uint8_t *p, size_t n)
{
	if (m == M_APP0)
		return app0(j, p, n);
	if (m == M_APP1) {
		app1(j, p, n);
		return 0;
	}
	if (m == M_APP2) {
		if (id_is(p, n, "ICC_PROFILE", 12))
			return 1;
		strip_removed(j->ctx, id_is(p, n, "MPF", 4) ? "JPEG MPF" :
		    id_is(p, n, "FPXR", 5) ? "JPEG FlashPix" :
		    "JPEG APPn segment");
		return 0;
	}
	if (m == M_APP13) {
		strip_removed(j->ctx, id_is(p, n, "Photoshop 3.0", 14) ?
		    "JPEG Photoshop/IPTC" : "JPEG APPn segment");
		return 0;
	}
	if (m == M_APP14 && id_is(p, n, "Adobe", 5) && n >= 12) {
		/* Its colour transform is needed; anything past it is not. */
		sbuf_put_be16(j->out, 0xffee);
		sbuf_put_be16(j->out, 14);
		sbuf_put(j->out, p, 12);
		return 0;
	}
	if (m >= M_APP0 && m <= 0xef) {
		strip_removed(j->ctx, "JPEG APPn segment");
		return 0;
	}
	if (m == M_COM) {
		strip_removed(j->ctx, "JPEG comment");
		return 0;
	}
	/* SOF0-15 less JPG, DHT and DAC among them, SOS DQT DNL DRI. */
	if (m == M_SOS || (m >= 0xc0 && m <= 0xcf && m != 0xc8) || m == 0xdb ||
	    m == 0xdc || m == 0xdd) {
		if (m != 0xc4 && m != 0xcc && m <= 0xcf)
			j->seen_sof = 1;
		return 1;
	}
	if (m == 0xc8 || (m >= 0xf0 && m <= 0xfd) || m == 0xde || m == 0xdf)
		return strip_fail(j->ctx, STRIP_UNSUPPORTED,
		    "JPEG extension (JPEG-LS, hierarchical) not handled");
	return strip_fail(j->ctx, STRIP_FAIL, "JPEG marker not valid here");
}

/* Copy entropy-coded data up to the next marker that is neither byte
 * stuffing (FF 00) nor a restart (FF D0..D7). */
static int
entropy(struct jpeg *j)
{
	size_t s = j->pos, i = j->pos;
	uint8_t b;

	for (;;) {
		const uint8_t *ff = memchr(j->in + i, 0xff, j->len - i);

		if (ff == NULL || (size_t)(ff - j->in) + 1 >= j->len) {
			/* A truncated scan: keep what decodes (not half a
			 * marker), and strip_jpeg() closes it. */
			i = ff == NULL ? j->len : (size_t)(ff - j->in);
			sbuf_put(j->out, j->in + s, i - s);
			j->pos = j->len;
			return 0;
		}
		i = (size_t)(ff - j->in) + 1;
		b = j->in[i];
		if (b == 0x00 || (b >= 0xd0 && b <= 0xd7))
			continue;
		sbuf_put(j->out, j->in + s, i - 1 - s);
		j->pos = i - 1;
		return 0;
	}
}

/* The minimal Exif: big-endian TIFF, one IFD, one SHORT entry. */
static int
put_orientation(struct jpeg *j)
{
	uint8_t e[EXIF_MIN_LEN];
	struct sbuf *o = j->out;

	memset(e, 0, sizeof(e));
	wr_be16(e, 0xffe1);
	wr_be16(e + 2, EXIF_MIN_LEN - 2);
	memcpy(e + 4, "Exif\0\0MM\0*", 10);
	wr_be32(e + 14, 8);
	wr_be16(e + 18, 1);
	wr_be16(e + 20, 0x0112);
	wr_be16(e + 22, 3);
	wr_be32(e + 24, 1);
	wr_be16(e + 28, (uint16_t)j->orient);
	/* e + 30: value padding, e + 32: no next IFD. */
	if (sbuf_reserve(o, sizeof(e)) != 0)
		return -1;
	memmove(o->p + j->exif_at + sizeof(e), o->p + j->exif_at,
	    o->len - j->exif_at);
	memcpy(o->p + j->exif_at, e, sizeof(e));
	o->len += sizeof(e);
	return 0;
}

/* The input ends early. Before any scan there is no picture to save;
 * after one, what decodes is kept and closed with EOI (a partial upload
 * is still better cleaned than stored with its metadata). */
static int
truncated(struct jpeg *j, const char *why)
{
	if (!j->seen_sos)
		return strip_fail(j->ctx, STRIP_FAIL, why);
	j->pos = j->len;
	return 0;
}

/* Move to the next marker: fill bytes are skipped, and so are stray
 * bytes between segments (some writers pad after APP1), as libjpeg does. */
static int
next_marker(struct jpeg *j)
{
	const uint8_t *ff;

	if (j->in[j->pos] != 0xff) {
		strip_warn(j->ctx, "JPEG stray bytes between segments dropped");
		ff = memchr(j->in + j->pos, 0xff, j->len - j->pos);
		j->pos = ff == NULL ? j->len : (size_t)(ff - j->in);
	}
	while (j->pos < j->len && j->in[j->pos] == 0xff)
		j->pos++;
	return j->pos < j->len ? 0 : -1;
}

/* One marker at j->pos. Returns 1 at EOI, 0 to go on, or a STRIP_ code. */
static int
marker(struct jpeg *j)
{
	const uint8_t *in = j->in;
	size_t seglen;
	uint8_t m;
	int rc;

	if (next_marker(j) != 0)
		return truncated(j, "JPEG truncated");
	m = in[j->pos++];
	if (m == M_EOI)
		return 1;
	if (m >= 0xd0 && m <= 0xd7)	/* a restart outside a scan: void */
		return 0;
	if (m == M_SOI || m == 0x00 || m == 0x01)
		return strip_fail(j->ctx, STRIP_FAIL,
		    "JPEG marker not valid here");
	if (j->len - j->pos < 2)
		return truncated(j, "JPEG truncated");
	seglen = rd_be16(in + j->pos);
	if (seglen < 2)
		return strip_fail(j->ctx, STRIP_FAIL,
		    "JPEG segment length not valid");
	if (seglen > j->len - j->pos)
		return truncated(j, "JPEG segment runs past the end");
	rc = segment(j, m, in + j->pos + 2, seglen - 2);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		sbuf_put_be16(j->out, (uint16_t)(0xff00 | m));
		sbuf_put(j->out, in + j->pos, seglen);
	}
	j->pos += seglen;
	if (m == M_SOS) {
		if (!j->seen_sof)
			return strip_fail(j->ctx, STRIP_FAIL,
			    "JPEG scan before frame header");
		j->seen_sos = 1;
		return entropy(j);
	}
	return 0;
}

int
strip_jpeg(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	struct jpeg j;
	int rc;

	memset(&j, 0, sizeof(j));
	j.ctx = ctx;
	j.in = in;
	j.len = len;
	j.out = out;
	if (len < 4 || in[0] != 0xff || in[1] != M_SOI)
		return strip_fail(ctx, STRIP_FAIL, "not a JPEG (no SOI)");
	j.pos = 2;
	j.base = out->len;
	sbuf_put_be16(out, 0xffd8);
	j.exif_at = out->len;
	for (rc = 0; rc == 0 && j.pos < len;)
		rc = marker(&j);
	if (rc < 0)
		return rc;
	if (!j.seen_sos)
		return strip_fail(ctx, STRIP_FAIL, "JPEG has no image data");
	if (rc == 0)
		strip_warn(ctx, "JPEG truncated: end marker added");
	else if (j.pos < len)
		strip_warn(ctx, "data after the JPEG end dropped");
	sbuf_put_be16(out, 0xffd9);
	if (j.orient != 0 && put_orientation(&j) != 0)
		return strip_fail(ctx, STRIP_FAIL, "output too large");
	return out->err ? strip_fail(ctx, STRIP_FAIL, "output too large") :
	    STRIP_OK;
}
