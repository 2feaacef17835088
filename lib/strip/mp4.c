/*
 * mp4.c — ISO base media files (MP4, M4A, 3GP) and QuickTime movies: the
 * boxes that hold metadata are overwritten in place, nothing moves.
 *
 * Sample data is found through absolute file offsets (stco/co64, iloc,
 * tfhd), so the file keeps its exact length and layout: a box that goes
 * has its type changed to 'free' and every payload byte zeroed, its size
 * unchanged. Gone that way: udta, meta and uuid boxes at the top level
 * and in moov and its tracks (user data, iTunes and QuickTime Keys
 * metadata, GPS in ©xyz or com.apple.quicktime.location.ISO6709, XMP,
 * vendor boxes such as camera thumbnails), and any box we do not know at
 * the top level, in moov or in a track. Timed metadata tracks (handler
 * 'meta' or 'camm': GoPro GPMF, DJI, Sony rtmd, Apple mebx, Google camm
 * logs, which hold GPS fixes) go too, their samples zeroed in mdat.
 * Zeroed in place: creation and modification times in mvhd, tkhd and
 * mdhd, handler names and the vendor and compressor names of sample
 * descriptions (they name the writing software or device: "Core Media
 * Video", "Lavc libx264"), and the payload of existing free/skip/wide
 * boxes (editors leave old metadata there).
 *
 * Refused: a box that runs past its parent, a compressed movie header
 * (cmov), a reference movie (rmra), a top-level meta describing image
 * items (that is HEIF, cleaned by heif.c), a timed metadata track in a
 * fragmented file or whose sample tables do not fit the file.
 */
#include <string.h>

#include "postern/stripfmt.h"

#define BOXES_MAX (1u << 20) /* boxes visited in one file */
#define UUID_LEN 16

enum level { L_TOP, L_MOOV, L_TRAK, L_MDIA, L_MINF, L_STBL };

enum act {
	A_KEEP,	 /* copied as is */
	A_FREE,	 /* becomes a zeroed 'free' box */
	A_ZERO,	 /* free space: payload zeroed */
	A_TIMES, /* mvhd/tkhd/mdhd: times zeroed */
	A_HDLR,	 /* handler name zeroed */
	A_DOWN,	 /* a container we walk into */
	A_MOOV,	 /* the movie box: walked into */
	A_TRAK,	 /* a track: walked into, or freed if timed metadata */
	A_STSD,	 /* sample descriptions: encoder names zeroed */
	A_META,	 /* top-level meta: freed unless HEIF */
	A_UUID,	 /* freed, reported as XMP or vendor data */
	A_REFUSE /* a feature we cannot clean in place */
};

struct box {
	size_t off;  /* header start */
	size_t hlen; /* 8, or 16 with a 64-bit size */
	size_t len;  /* the whole box */
	uint32_t type;
};

struct rule {
	enum level lv;
	char type[5];
	enum act act;
	const char *name; /* report name, or refusal reason */
};

#define T(a) \
	((uint32_t)(a)[0] << 24 | (uint32_t)(a)[1] << 16 | \
	    (uint32_t)(a)[2] << 8 | (uint32_t)(a)[3])

static const struct rule rules[] = {
	{ L_TOP, "moov", A_MOOV, NULL },
	{ L_TOP, "meta", A_META, "MP4 metadata" },
	{ L_TOP, "udta", A_FREE, "MP4 user data" },
	{ L_TOP, "ftyp", A_KEEP, NULL },
	{ L_TOP, "mdat", A_KEEP, NULL },
	{ L_TOP, "moof", A_KEEP, NULL },
	{ L_TOP, "mfra", A_KEEP, NULL },
	{ L_TOP, "styp", A_KEEP, NULL },
	{ L_TOP, "sidx", A_KEEP, NULL },
	{ L_TOP, "ssix", A_KEEP, NULL },
	{ L_TOP, "prft", A_KEEP, NULL },
	{ L_TOP, "emsg", A_KEEP, NULL },
	{ L_TOP, "pdin", A_KEEP, NULL },
	{ L_TOP, "cmov", A_REFUSE, "compressed QuickTime movie header" },
	{ L_MOOV, "mvhd", A_TIMES, NULL },
	{ L_MOOV, "trak", A_TRAK, NULL },
	{ L_MOOV, "meta", A_FREE, "MP4 metadata" },
	{ L_MOOV, "udta", A_FREE, "MP4 user data" },
	{ L_MOOV, "mvex", A_KEEP, NULL },
	{ L_MOOV, "iods", A_KEEP, NULL },
	{ L_MOOV, "pssh", A_KEEP, NULL },
	{ L_MOOV, "meco", A_KEEP, NULL },
	{ L_MOOV, "ctab", A_KEEP, NULL },
	{ L_MOOV, "clip", A_KEEP, NULL },
	{ L_MOOV, "cmov", A_REFUSE, "compressed QuickTime movie header" },
	{ L_MOOV, "rmra", A_REFUSE, "QuickTime reference movie" },
	{ L_TRAK, "tkhd", A_TIMES, NULL },
	{ L_TRAK, "mdia", A_DOWN, NULL },
	{ L_TRAK, "meta", A_FREE, "MP4 metadata" },
	{ L_TRAK, "udta", A_FREE, "MP4 user data" },
	{ L_TRAK, "tref", A_KEEP, NULL },
	{ L_TRAK, "trgr", A_KEEP, NULL },
	{ L_TRAK, "edts", A_KEEP, NULL },
	{ L_TRAK, "meco", A_KEEP, NULL },
	{ L_TRAK, "load", A_KEEP, NULL },
	{ L_TRAK, "imap", A_KEEP, NULL },
	{ L_TRAK, "matt", A_KEEP, NULL },
	{ L_TRAK, "clip", A_KEEP, NULL },
	{ L_TRAK, "tapt", A_KEEP, NULL },
	{ L_TRAK, "txas", A_KEEP, NULL },
	{ L_MDIA, "mdhd", A_TIMES, NULL },
	{ L_MDIA, "hdlr", A_HDLR, NULL },
	{ L_MDIA, "minf", A_DOWN, NULL },
	{ L_MDIA, "meta", A_FREE, "MP4 metadata" },
	{ L_MDIA, "udta", A_FREE, "MP4 user data" },
	{ L_MINF, "hdlr", A_HDLR, NULL },
	{ L_MINF, "stbl", A_DOWN, NULL },
	{ L_STBL, "stsd", A_STSD, NULL },
};

/* The Adobe XMP box's usertype. */
static const uint8_t xmp_uuid[UUID_LEN] = {
	0xbe, 0x7a, 0xcf, 0xcb, 0x97, 0xa9, 0x42, 0xe8,
	0x9c, 0x71, 0x99, 0x94, 0x91, 0xe3, 0xaf, 0xac
};

/* The state of one file's walk. */
struct walker {
	struct strip_ctx *ctx;
	uint8_t *p; /* our copy of the file, cleaned in place */
	size_t len;
	unsigned count;	  /* boxes visited */
	struct box moov;  /* the movie box being walked */
	uint32_t handler; /* the current track's handler type */
};

static int walk(struct walker *, size_t, size_t, enum level);

/* What to do with a box of this type at this level: the rule table, then
 * the defaults (uuid and free space everywhere; boxes we do not know go
 * at the top, in moov and in tracks, and stay deeper down, where they
 * describe samples). */
static const struct rule *
rule_of(enum level lv, uint32_t type)
{
	static const struct rule uuid = { L_TOP, "uuid", A_UUID, NULL };
	static const struct rule space = { L_TOP, "free", A_ZERO, NULL };
	static const struct rule unknown = { L_TOP, "", A_FREE,
		"MP4 unknown box" };
	static const struct rule keep = { L_TOP, "", A_KEEP, NULL };
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if (rules[i].lv == lv && T(rules[i].type) == type)
			return &rules[i];
	if (type == T("uuid") && lv <= L_TRAK)
		return &uuid;
	if (type == T("free") || type == T("skip") || type == T("wide"))
		return &space;
	return lv <= L_TRAK ? &unknown : &keep;
}

/* Read the box header at pos within [pos, end): 0, or -1 if it does not
 * fit (the walk reports that; lookups ahead of it just find nothing). */
static int
box_at(const uint8_t *p, size_t pos, size_t end, struct box *b)
{
	uint64_t size;

	b->off = pos;
	b->hlen = 8;
	b->len = 0;
	if (end - pos < 8)
		return -1;
	size = rd_be32(p + pos);
	b->type = rd_be32(p + pos + 4);
	if (size == 1) {
		if (end - pos < 16)
			return -1;
		size = rd_be64(p + pos + 8);
		b->hlen = 16;
	} else if (size == 0)
		size = end - pos; /* to the end of its parent */
	if (size < b->hlen || size > end - pos)
		return -1;
	b->len = (size_t)size;
	return 0;
}

/* Zero n bytes at q; 1 if any was not zero already. */
static int
zero(uint8_t *q, size_t n)
{
	int was = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		was |= q[i] != 0;
		q[i] = 0;
	}
	return was;
}

/* Turn the box into free space: type 'free', payload zeroed, size and
 * header form (32- or 64-bit size) unchanged. */
static void
free_box(uint8_t *p, const struct box *b)
{
	wr_be32(p + b->off + 4, T("free"));
	zero(p + b->off + b->hlen, b->len - b->hlen);
}

/* mvhd, tkhd, mdhd: version and flags, then creation and modification
 * times, 32-bit (version 0) or 64-bit (version 1). */
static int
zero_times(struct strip_ctx *ctx, uint8_t *p, const struct box *b)
{
	uint8_t *q = p + b->off + b->hlen;
	size_t n = b->len - b->hlen, tlen;

	if (n < 4 || q[0] > 1)
		return strip_fail(
		    ctx, STRIP_FAIL, "unknown MP4 header version");
	tlen = q[0] == 1 ? 16 : 8;
	if (n < 4 + tlen)
		return strip_fail(ctx, STRIP_FAIL, "MP4 header box too short");
	if (zero(q + 4, tlen))
		strip_removed(ctx, "MP4 creation/modification times");
	return 0;
}

/* hdlr: version/flags, pre_defined (QuickTime: component type), handler
 * type, 12 reserved bytes (QuickTime: manufacturer, flags, flags mask),
 * then the name (C string in ISO files, Pascal string in QuickTime),
 * all zeroed: both forms then read as empty. */
static void
zero_hdlr_name(struct strip_ctx *ctx, uint8_t *p, const struct box *b)
{
	uint8_t *q = p + b->off + b->hlen;
	size_t n = b->len - b->hlen;

	if (n > 24 && zero(q + 24, n - 24))
		strip_removed(ctx, "MP4 handler names");
	if (n >= 24)
		zero(q + 12, 12); /* QuickTime: manufacturer, flags, mask */
}

/* The first child of parent (its children start skip bytes into the
 * payload) with this type; 0 if there is none. */
static int
find_child(const uint8_t *p, const struct box *parent, size_t skip,
    uint32_t type, struct box *b)
{
	size_t pos = parent->off + parent->hlen + skip;
	size_t end = parent->off + parent->len;
	unsigned n;

	for (n = 0; pos < end && n < BOXES_MAX; n++) {
		if (box_at(p, pos, end, b) != 0)
			return 0;
		if (b->type == type)
			return 1;
		pos += b->len;
	}
	return 0;
}

/* Whether a top-level meta box declares image items (handler 'pict'):
 * then the file is HEIF and freeing it would lose the picture. ISO meta
 * is a full box (4 bytes of version and flags before its children);
 * QuickTime's is not. */
static int
meta_is_image(const uint8_t *p, const struct box *b)
{
	struct box h;
	size_t skip;

	for (skip = 0; skip <= 4; skip += 4)
		if (find_child(p, b, skip, T("hdlr"), &h) &&
		    h.len - h.hlen >= 12 &&
		    rd_be32(p + h.off + h.hlen + 8) == T("pict"))
			return 1;
	return 0;
}

/* The handler type of a track (mdia/hdlr), 0 if it has none. */
static uint32_t
track_handler(const uint8_t *p, const struct box *trak)
{
	struct box mdia, h;

	if (!find_child(p, trak, 0, T("mdia"), &mdia) ||
	    !find_child(p, &mdia, 0, T("hdlr"), &h) || h.len - h.hlen < 12)
		return 0;
	return rd_be32(p + h.off + h.hlen + 8);
}

/* A sample table of a full box: count at hdr - 4, entries of esize bytes
 * after hdr. */
struct table {
	const uint8_t *q;
	uint32_t n;
};

static int
table(const uint8_t *p, const struct box *b, size_t hdr, size_t esize,
    struct table *t)
{
	const uint8_t *q = p + b->off + b->hlen;
	size_t n = b->len - b->hlen;

	if (n < hdr)
		return -1;
	t->n = rd_be32(q + hdr - 4);
	t->q = q + hdr;
	return t->n > (n - hdr) / esize ? -1 : 0;
}

/* The sample tables of a track: sizes (stsz), samples per chunk (stsc),
 * chunk offsets (stco or co64). */
struct samples {
	struct table sz, sc, co;
	uint32_t fixed; /* stsz: one size for all, or 0 */
	uint32_t nsamples;
	int wide; /* co64 */
};

static int
sample_tables(const uint8_t *p, const struct box *trak, struct samples *s)
{
	struct box mdia, minf, stbl, b;

	memset(s, 0, sizeof(*s));
	if (!find_child(p, trak, 0, T("mdia"), &mdia) ||
	    !find_child(p, &mdia, 0, T("minf"), &minf) ||
	    !find_child(p, &minf, 0, T("stbl"), &stbl) ||
	    !find_child(p, &stbl, 0, T("stsz"), &b) || b.len - b.hlen < 12)
		return -1;
	s->fixed = rd_be32(p + b.off + b.hlen + 4);
	s->nsamples = rd_be32(p + b.off + b.hlen + 8);
	if (s->fixed == 0 && table(p, &b, 12, 4, &s->sz) != 0)
		return -1;
	if (!find_child(p, &stbl, 0, T("stsc"), &b) ||
	    table(p, &b, 8, 12, &s->sc) != 0 || s->sc.n == 0)
		return -1;
	s->wide = find_child(p, &stbl, 0, T("co64"), &b);
	if (!s->wide && !find_child(p, &stbl, 0, T("stco"), &b))
		return -1;
	return table(p, &b, 8, s->wide ? 8 : 4, &s->co);
}

/* Zero the bytes of one chunk: per samples from sample *next on. The
 * range must lie in the file and outside the movie box being walked. */
static int
zero_chunk(struct walker *w, const struct samples *s, uint64_t off,
    uint32_t per, uint32_t *next)
{
	const struct box *m = &w->moov;
	uint64_t bytes = 0;
	uint32_t i;

	if (per > s->nsamples - *next)
		per = s->nsamples - *next;
	if (s->fixed != 0)
		bytes = (uint64_t)per * s->fixed;
	else
		for (i = 0; i < per; i++)
			bytes += rd_be32(s->sz.q + 4 * (size_t)(*next + i));
	*next += per;
	if (bytes == 0)
		return 0;
	if (off > w->len || bytes > w->len - off ||
	    (off < m->off + m->len && off + bytes > m->off))
		return -1;
	zero(w->p + off, (size_t)bytes);
	return 0;
}

/* Zero every sample of a track in the file (mdat), chunk by chunk. */
static int
zero_samples(struct walker *w, const struct box *trak)
{
	struct samples s;
	uint32_t c, e = 0, next = 0, per;
	uint64_t off;

	if (sample_tables(w->p, trak, &s) != 0)
		goto bad;
	for (c = 0; c < s.co.n && next < s.nsamples; c++) {
		/* stsc runs: first chunk (1-based), samples per chunk. */
		while (e + 1 < s.sc.n &&
		    rd_be32(s.sc.q + 12 * (size_t)(e + 1)) <= c + 1)
			e++;
		per = rd_be32(s.sc.q + 12 * (size_t)e + 4);
		off = s.wide ? rd_be64(s.co.q + 8 * (size_t)c)
			     : rd_be32(s.co.q + 4 * (size_t)c);
		if (zero_chunk(w, &s, off, per, &next) != 0)
			goto bad;
	}
	return 0;
bad:
	return strip_fail(w->ctx, STRIP_FAIL,
	    "MP4 timed metadata track with damaged sample tables");
}

/* A track: timed metadata (GPS and sensor logs from action cameras and
 * drones, Apple's mebx, Google's camm) goes with its samples; any other
 * track is walked into. Samples in movie fragments could not be found
 * this way: such a file is refused. */
static int
visit_trak(struct walker *w, const struct box *b)
{
	uint32_t h = track_handler(w->p, b);
	struct box mvex;

	if (h != T("meta") && h != T("camm")) {
		w->handler = h;
		return walk(w, b->off + b->hlen, b->off + b->len, L_TRAK);
	}
	if (find_child(w->p, &w->moov, 0, T("mvex"), &mvex))
		return strip_fail(w->ctx, STRIP_UNSUPPORTED,
		    "timed metadata track in a fragmented MP4");
	if (zero_samples(w, b) != 0)
		return STRIP_FAIL;
	free_box(w->p, b);
	strip_removed(w->ctx, "MP4 timed metadata track");
	return 0;
}

/* Sample descriptions: the vendor code of each entry and the compressor
 * name of video entries name the encoder ("Lavc libx264", a camera's
 * firmware). Entries: size, format, 6 reserved, data reference index,
 * then version, revision, vendor (bytes 16-24); video entries carry the
 * 32-byte compressor name at byte 50. */
static void
visit_stsd(struct walker *w, const struct box *b)
{
	struct box e;
	size_t pos = b->off + b->hlen + 8, end = b->off + b->len;
	int hit = 0;
	unsigned n;

	if (b->len - b->hlen < 8 ||
	    (w->handler != T("vide") && w->handler != T("soun")))
		return;
	for (n = 0; pos < end && n < BOXES_MAX; n++) {
		if (box_at(w->p, pos, end, &e) != 0 || e.hlen != 8)
			break;
		if (e.len >= 24)
			hit |= zero(w->p + e.off + 20, 4);
		if (w->handler == T("vide") && e.len >= 82)
			hit |= zero(w->p + e.off + 50, 32);
		pos += e.len;
	}
	if (hit)
		strip_removed(w->ctx, "MP4 encoder names");
}

/* Free a box and report it, under its rule's name or, for a uuid box,
 * as XMP or vendor data. */
static void
remove_box(struct walker *w, const struct box *b, const struct rule *r)
{
	const char *name = r->name;

	if (r->act == A_UUID)
		name = b->len - b->hlen >= UUID_LEN &&
			memcmp(w->p + b->off + b->hlen, xmp_uuid, UUID_LEN) == 0
		    ? "MP4 XMP"
		    : "MP4 vendor uuid box";
	free_box(w->p, b);
	strip_removed(w->ctx, name);
}

static int
visit(struct walker *w, const struct box *b, enum level lv)
{
	const struct rule *r = rule_of(lv, b->type);
	size_t in = b->off + b->hlen, end = b->off + b->len;

	switch (r->act) {
	case A_KEEP:
		return 0;
	case A_REFUSE:
		return strip_fail(w->ctx, STRIP_UNSUPPORTED, r->name);
	case A_DOWN:
		return walk(w, in, end, lv + 1);
	case A_MOOV:
		w->moov = *b;
		return walk(w, in, end, L_MOOV);
	case A_TRAK:
		return visit_trak(w, b);
	case A_STSD:
		visit_stsd(w, b);
		return 0;
	case A_TIMES:
		return zero_times(w->ctx, w->p, b);
	case A_HDLR:
		zero_hdlr_name(w->ctx, w->p, b);
		return 0;
	case A_ZERO:
		zero(w->p + in, b->len - b->hlen);
		return 0;
	case A_META:
		if (meta_is_image(w->p, b))
			return strip_fail(w->ctx, STRIP_UNSUPPORTED,
			    "HEIF image items in an MP4 file");
		break;
	case A_UUID:
	case A_FREE:
		break;
	}
	remove_box(w, b, r);
	return 0;
}

/* Visit every box in [pos, end) at level lv. Recursion is bounded by the
 * levels: only moov, trak, mdia, minf and stbl are walked into. */
static int
walk(struct walker *w, size_t pos, size_t end, enum level lv)
{
	struct box b;
	int rc;

	while (pos < end) {
		if (end - pos < 8 && lv == L_TOP) {
			/* Trailing bytes too short for a box. */
			if (zero(w->p + pos, end - pos))
				strip_warn(w->ctx, "MP4 trailing bytes zeroed");
			break;
		}
		if (++w->count > BOXES_MAX)
			return strip_fail(
			    w->ctx, STRIP_FAIL, "too many MP4 boxes");
		if (box_at(w->p, pos, end, &b) != 0)
			return strip_fail(
			    w->ctx, STRIP_FAIL, "MP4 box runs past its parent");
		if ((rc = visit(w, &b, lv)) != 0)
			return rc;
		pos += b.len;
	}
	return 0;
}

int
strip_mp4(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	struct walker w;
	int rc;

	if (len < 8)
		return strip_fail(ctx, STRIP_FAIL, "not an MP4 file");
	if (sbuf_put(out, in, len) != 0)
		return strip_fail(ctx, STRIP_FAIL, "output too large");
	memset(&w, 0, sizeof(w));
	w.ctx = ctx;
	w.p = out->p;
	w.len = len;
	if ((rc = walk(&w, 0, len, L_TOP)) != 0)
		return rc;
	return STRIP_OK;
}
