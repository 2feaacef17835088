/*
 * heif.c — HEIC/HEIF/AVIF (ISOBMFF) as phones and encoders produce them.
 *
 * The image and its metadata are items of the top-level `meta` box: `iinf`
 * names each item's type, `iloc` says where its bytes are (in the file,
 * usually inside `mdat`, or inside `meta`'s own `idat`). Nothing is moved:
 * the bytes of every Exif item and every XMP item (a `mime` item of type
 * application/rdf+xml) are overwritten with zeros, and the item itself is
 * made inert — its infe gets an unregistered item type, the hidden flag,
 * and a zeroed name — so readers do not find a broken Exif block. Sizes
 * and offsets stay as they were. In image sequences the creation and
 * modification times of `mvhd`, `tkhd` and `mdhd` are zeroed, and `udta`
 * and `meta` boxes under `moov` become zeroed `free` boxes. Top-level
 * `uuid` boxes (XMP as MP4 writers store it, vendor blobs) likewise.
 *
 * Whatever cannot be mapped safely fails the document: an Exif/XMP extent
 * outside `mdat`/`idat`, shared with another item, taken from another item
 * (construction method 2) or from another file.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postern/stripfmt.h"

#define HEIF_TOP_MAX 4096   /* top-level boxes */
#define HEIF_CHILD_MAX 4096 /* children of one box */
#define HEIF_DEPTH_MAX 4    /* moov/trak/mdia nesting followed */
#define HEIF_MDAT_MAX 16    /* top-level mdat boxes */
#define HEIF_TARGET_MAX 64  /* Exif and XMP items */
#define HEIF_EXT_MAX 65536  /* iloc extents in all */

/* Item type given to emptied items: not registered, so readers skip it. */
static const uint8_t heif_inert[4] = { 'z', 'e', 'r', 'o' };

#define FOURCC(a, b, c, d) \
	((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | \
	    (uint32_t)(d))

struct heif_box {
	size_t off;  /* of the header */
	size_t body; /* of the payload */
	size_t end;  /* one past the box */
	uint32_t type;
};

struct heif_target {
	uint32_t item;
	const char *what; /* "HEIF Exif" or "HEIF XMP" */
	size_t infe;	  /* offset of its infe box */
};

struct heif_ext {
	uint32_t item;
	uint16_t method;
	uint16_t dref;
	uint64_t off; /* absolute once resolved */
	uint64_t len;
};

struct heif {
	uint8_t *p; /* the output, a copy of the input */
	size_t len;
	struct heif_box meta, iinf, iloc, idat, iref;
	int has_meta, has_iinf, has_iloc, has_idat, has_iref;
	struct heif_box mdat[HEIF_MDAT_MAX];
	size_t nmdat;
	struct heif_target tgt[HEIF_TARGET_MAX];
	size_t ntgt;
	struct heif_ext *ext;
	size_t next;
};

/* A bounded big-endian reader: a read past end sets err and yields 0. */
struct heif_rd {
	const uint8_t *p;
	size_t pos;
	size_t end;
	int err;
};

static uint64_t
rd_n(struct heif_rd *r, unsigned n)
{
	uint64_t v = 0;
	unsigned i;

	if (r->err || r->end - r->pos < n) {
		r->err = 1;
		return 0;
	}
	for (i = 0; i < n; i++)
		v = v << 8 | r->p[r->pos + i];
	r->pos += n;
	return v;
}

/* The box at off, which must end by end. */
static int
heif_box_at(const uint8_t *p, size_t off, size_t end, struct heif_box *b)
{
	uint64_t size;
	size_t hdr = 8;

	if (end - off < 8)
		return -1;
	size = rd_be32(p + off);
	b->type = rd_be32(p + off + 4);
	if (size == 1) {
		if (end - off < 16)
			return -1;
		size = rd_be64(p + off + 8);
		hdr = 16;
	} else if (size == 0)
		size = end - off;
	if (size < hdr || size > end - off)
		return -1;
	b->off = off;
	b->body = off + hdr;
	b->end = off + (size_t)size;
	return 0;
}

/* Overwrite a box's payload with zeros and call it `free`. */
static void
heif_free_box(struct heif *h, const struct heif_box *b)
{
	memset(h->p + b->body, 0, b->end - b->body);
	memcpy(h->p + b->off + 4, "free", 4);
}

/* Zero the creation and modification times of a mvhd, tkhd or mdhd. */
static int
heif_zero_times(struct strip_ctx *ctx, struct heif *h, const struct heif_box *b)
{
	size_t n;

	if (b->end - b->body < 4)
		return strip_fail(ctx, STRIP_FAIL, "HEIF header box too short");
	n = h->p[b->body] == 1 ? 16 : 8;
	if (b->end - b->body - 4 < n)
		return strip_fail(ctx, STRIP_FAIL, "HEIF header box too short");
	memset(h->p + b->body + 4, 0, n);
	return STRIP_OK;
}

/* Walk a moov (or trak, mdia) box: zero its times, empty its metadata. */
static int
heif_moov(
    struct strip_ctx *ctx, struct heif *h, const struct heif_box *b, int depth)
{
	struct heif_box c;
	size_t off, n = 0;
	int rc;

	if (depth > HEIF_DEPTH_MAX)
		return strip_fail(ctx, STRIP_FAIL, "HEIF boxes nest too deep");
	for (off = b->body; off < b->end; off = c.end) {
		if (++n > HEIF_CHILD_MAX ||
		    heif_box_at(h->p, off, b->end, &c) != 0)
			return strip_fail(ctx, STRIP_FAIL, "HEIF box damaged");
		rc = STRIP_OK;
		switch (c.type) {
		case FOURCC('m', 'v', 'h', 'd'):
		case FOURCC('t', 'k', 'h', 'd'):
		case FOURCC('m', 'd', 'h', 'd'):
			rc = heif_zero_times(ctx, h, &c);
			strip_removed(ctx, "HEIF sequence times");
			break;
		case FOURCC('u', 'd', 't', 'a'):
		case FOURCC('m', 'e', 't', 'a'):
			heif_free_box(h, &c);
			strip_removed(ctx, "HEIF sequence metadata");
			break;
		case FOURCC('t', 'r', 'a', 'k'):
		case FOURCC('m', 'd', 'i', 'a'):
			rc = heif_moov(ctx, h, &c, depth + 1);
			break;
		}
		if (rc != STRIP_OK)
			return rc;
	}
	return STRIP_OK;
}

/* One top-level box: remember meta and mdat, clean moov and uuid. */
static int
heif_top_box(struct strip_ctx *ctx, struct heif *h, const struct heif_box *b)
{
	switch (b->type) {
	case FOURCC('m', 'e', 't', 'a'):
		if (h->has_meta++)
			return strip_fail(
			    ctx, STRIP_FAIL, "HEIF with two meta boxes");
		h->meta = *b;
		break;
	case FOURCC('m', 'd', 'a', 't'):
		if (h->nmdat == HEIF_MDAT_MAX)
			return strip_fail(
			    ctx, STRIP_FAIL, "HEIF with too many mdat boxes");
		h->mdat[h->nmdat++] = *b;
		break;
	case FOURCC('m', 'o', 'o', 'v'):
		return heif_moov(ctx, h, b, 0);
	case FOURCC('u', 'u', 'i', 'd'):
		heif_free_box(h, b);
		strip_removed(ctx, "HEIF uuid box");
		break;
	}
	return STRIP_OK;
}

static int
heif_top(struct strip_ctx *ctx, struct heif *h)
{
	struct heif_box b;
	size_t off, n = 0;
	int rc;

	for (off = 0; off < h->len; off = b.end) {
		if (++n > HEIF_TOP_MAX ||
		    heif_box_at(h->p, off, h->len, &b) != 0)
			return strip_fail(ctx, STRIP_FAIL, "HEIF box damaged");
		if ((rc = heif_top_box(ctx, h, &b)) != STRIP_OK)
			return rc;
	}
	if (!h->has_meta)
		return strip_fail(ctx, STRIP_FAIL, "HEIF without a meta box");
	return STRIP_OK;
}

/* Find iinf, iloc and idat in meta (a FullBox). */
static int
heif_meta(struct strip_ctx *ctx, struct heif *h)
{
	struct heif_box c, *slot;
	size_t off, n = 0;
	int *has;

	if (h->meta.end - h->meta.body < 4)
		return strip_fail(ctx, STRIP_FAIL, "HEIF meta box damaged");
	for (off = h->meta.body + 4; off < h->meta.end; off = c.end) {
		if (++n > HEIF_CHILD_MAX ||
		    heif_box_at(h->p, off, h->meta.end, &c) != 0)
			return strip_fail(ctx, STRIP_FAIL, "HEIF box damaged");
		if (c.type == FOURCC('i', 'i', 'n', 'f')) {
			slot = &h->iinf;
			has = &h->has_iinf;
		} else if (c.type == FOURCC('i', 'l', 'o', 'c')) {
			slot = &h->iloc;
			has = &h->has_iloc;
		} else if (c.type == FOURCC('i', 'd', 'a', 't')) {
			slot = &h->idat;
			has = &h->has_idat;
		} else if (c.type == FOURCC('i', 'r', 'e', 'f')) {
			slot = &h->iref;
			has = &h->has_iref;
		} else
			continue;
		if ((*has)++)
			return strip_fail(ctx, STRIP_FAIL,
			    "HEIF meta box with a repeated child");
		*slot = c;
	}
	return STRIP_OK;
}

/* Skip a NUL-terminated string; 0 past its NUL, or -1 when unterminated. */
static int
heif_skip_str(struct heif_rd *r)
{
	const uint8_t *nul;

	if (r->err || (nul = memchr(r->p + r->pos, 0, r->end - r->pos)) == NULL)
		return -1;
	r->pos = (size_t)(nul - r->p) + 1;
	return 0;
}

/* Whether the string at r is an XMP content type. */
static int
heif_is_xmp_type(const struct heif_rd *r)
{
	static const char *const xmp[] = { "application/rdf+xml",
		"application/xmp+xml" };
	size_t i, n, left = r->end - r->pos;
	uint8_t next;

	for (i = 0; i < sizeof(xmp) / sizeof(xmp[0]); i++) {
		n = strlen(xmp[i]);
		if (left < n ||
		    strncasecmp((const char *)r->p + r->pos, xmp[i], n) != 0)
			continue;
		next = left > n ? r->p[r->pos + n] : 0;
		if (next == 0 || next == ';' || next == ' ')
			return 1;
	}
	return 0;
}

static int
heif_add_target(struct strip_ctx *ctx, struct heif *h, uint32_t item,
    const char *what, size_t infe)
{
	if (h->ntgt == HEIF_TARGET_MAX)
		return strip_fail(
		    ctx, STRIP_FAIL, "HEIF with too many metadata items");
	h->tgt[h->ntgt].item = item;
	h->tgt[h->ntgt].what = what;
	h->tgt[h->ntgt].infe = infe;
	h->ntgt++;
	return STRIP_OK;
}

/* One infe: note it when it is an Exif or XMP item. */
static int
heif_infe(struct strip_ctx *ctx, struct heif *h, const struct heif_box *b)
{
	struct heif_rd r = { h->p, b->body, b->end, 0 };
	uint32_t item, type = FOURCC('m', 'i', 'm', 'e');
	unsigned v;

	v = (unsigned)rd_n(&r, 1);
	rd_n(&r, 3);
	if (v > 3)
		return strip_fail(ctx, STRIP_FAIL, "HEIF item info version");
	item = (uint32_t)rd_n(&r, v == 3 ? 4 : 2);
	rd_n(&r, 2);
	if (v >= 2)
		type = (uint32_t)rd_n(&r, 4);
	if (r.err)
		return strip_fail(ctx, STRIP_FAIL, "HEIF item info damaged");
	if (type == FOURCC('E', 'x', 'i', 'f'))
		return heif_add_target(ctx, h, item, "HEIF Exif", b->off);
	if (type != FOURCC('m', 'i', 'm', 'e'))
		return STRIP_OK;
	/* item_name, then content_type */
	if (heif_skip_str(&r) != 0)
		return strip_fail(ctx, STRIP_FAIL, "HEIF item info damaged");
	if (heif_is_xmp_type(&r))
		return heif_add_target(ctx, h, item, "HEIF XMP", b->off);
	return STRIP_OK;
}

static int
heif_iinf(struct strip_ctx *ctx, struct heif *h)
{
	struct heif_box c;
	size_t off, n = 0;
	int rc;

	if (!h->has_iinf)
		return STRIP_OK;
	if (h->iinf.end - h->iinf.body < 6)
		return strip_fail(ctx, STRIP_FAIL, "HEIF item info damaged");
	off = h->iinf.body + (h->p[h->iinf.body] == 0 ? 6 : 8);
	for (; off < h->iinf.end; off = c.end) {
		if (++n > HEIF_CHILD_MAX ||
		    heif_box_at(h->p, off, h->iinf.end, &c) != 0)
			return strip_fail(ctx, STRIP_FAIL, "HEIF box damaged");
		if (c.type == FOURCC('i', 'n', 'f', 'e') &&
		    (rc = heif_infe(ctx, h, &c)) != STRIP_OK)
			return rc;
	}
	return STRIP_OK;
}

static int
heif_size_ok(unsigned n)
{
	return n == 0 || n == 4 || n == 8;
}

static int
heif_add_ext(struct heif *h, const struct heif_ext *e)
{
	struct heif_ext *np;
	size_t ncap;

	if (h->next == HEIF_EXT_MAX)
		return -1;
	if ((h->next & (h->next - 1)) == 0) {
		/* grow at powers of two */
		ncap = h->next ? h->next * 2 : 16;
		if ((np = realloc(h->ext, ncap * sizeof(*np))) == NULL)
			return -1;
		h->ext = np;
	}
	h->ext[h->next++] = *e;
	return 0;
}

/* One iloc item: its extents, with base_offset already added. */
static int
heif_iloc_item(
    struct heif *h, struct heif_rd *r, unsigned v, const unsigned sz[4])
{
	struct heif_ext e;
	uint64_t base, off;
	unsigned n, i;

	e.item = (uint32_t)rd_n(r, v < 2 ? 2 : 4);
	e.method = v >= 1 ? (uint16_t)(rd_n(r, 2) & 0xf) : 0;
	e.dref = (uint16_t)rd_n(r, 2);
	base = rd_n(r, sz[2]);
	n = (unsigned)rd_n(r, 2);
	for (i = 0; i < n && !r->err; i++) {
		rd_n(r, sz[3]);
		off = rd_n(r, sz[0]);
		e.len = rd_n(r, sz[1]);
		if (off > UINT64_MAX - base)
			return -1;
		e.off = base + off;
		if (!r->err && heif_add_ext(h, &e) != 0)
			return -1;
	}
	return r->err ? -1 : 0;
}

/* Read every extent of the iloc box into h->ext. */
static int
heif_iloc(struct strip_ctx *ctx, struct heif *h)
{
	struct heif_rd r = { h->p, h->iloc.body, h->iloc.end, 0 };
	unsigned v, sz[4], b;
	uint32_t i, n;

	v = (unsigned)rd_n(&r, 1);
	rd_n(&r, 3);
	if (v > 2)
		return strip_fail(
		    ctx, STRIP_FAIL, "HEIF item location version");
	b = (unsigned)rd_n(&r, 1);
	sz[0] = b >> 4;	 /* offset_size */
	sz[1] = b & 0xf; /* length_size */
	b = (unsigned)rd_n(&r, 1);
	sz[2] = b >> 4;		      /* base_offset_size */
	sz[3] = v >= 1 ? b & 0xf : 0; /* index_size */
	n = (uint32_t)rd_n(&r, v < 2 ? 2 : 4);
	if (r.err || !heif_size_ok(sz[0]) || !heif_size_ok(sz[1]) ||
	    !heif_size_ok(sz[2]) || !heif_size_ok(sz[3]))
		return strip_fail(
		    ctx, STRIP_FAIL, "HEIF item location damaged");
	for (i = 0; i < n; i++)
		if (heif_iloc_item(h, &r, v, sz) != 0)
			return strip_fail(ctx, STRIP_FAIL,
			    "HEIF item location damaged or too large");
	return STRIP_OK;
}

/* Turn an extent into absolute file offsets; -1 when it lies outside the
 * file or its idat, or is not in this file at all. */
static int
heif_resolve(const struct heif *h, struct heif_ext *e)
{
	uint64_t start, limit;

	if (e->dref != 0)
		return -1;
	if (e->method == 0) {
		start = e->off;
		limit = h->len;
	} else if (e->method == 1 && h->has_idat) {
		if (e->off > h->idat.end - h->idat.body)
			return -1;
		start = h->idat.body + e->off;
		limit = h->idat.end;
	} else
		return -1;
	if (start > limit)
		return -1;
	if (e->len == 0) /* to the end of the data */
		e->len = limit - start;
	if (e->len > limit - start)
		return -1;
	e->off = start;
	e->method = 0;
	return 0;
}

static const struct heif_target *
heif_target_of(const struct heif *h, uint32_t item)
{
	size_t i;

	for (i = 0; i < h->ntgt; i++)
		if (h->tgt[i].item == item)
			return &h->tgt[i];
	return NULL;
}

/* Whether a resolved extent lies inside one mdat's payload or idat's. */
static int
heif_in_data(const struct heif *h, const struct heif_ext *e)
{
	size_t i;

	if (h->has_idat && e->off >= h->idat.body &&
	    e->off + e->len <= h->idat.end)
		return 1;
	for (i = 0; i < h->nmdat; i++)
		if (e->off >= h->mdat[i].body &&
		    e->off + e->len <= h->mdat[i].end)
			return 1;
	return 0;
}

static int
heif_overlap(const struct heif_ext *a, const struct heif_ext *b)
{
	return a->len > 0 && b->len > 0 && a->off < b->off + b->len &&
	    b->off < a->off + a->len;
}

#define HEIF_TARGET_EXT_MAX 1024 /* extents of the Exif/XMP items */

/* Resolve every extent; those of the metadata items must resolve. */
static int
heif_resolve_all(struct strip_ctx *ctx, struct heif *h, size_t *ntext)
{
	size_t i;

	*ntext = 0;
	for (i = 0; i < h->next; i++) {
		if (heif_target_of(h, h->ext[i].item) == NULL) {
			if (heif_resolve(h, &h->ext[i]) != 0)
				h->ext[i].len = 0; /* not ours to map */
			continue;
		}
		if (h->ext[i].method == 2)
			return strip_fail(ctx, STRIP_FAIL,
			    "HEIF metadata item built from another item");
		if (heif_resolve(h, &h->ext[i]) != 0 ||
		    !heif_in_data(h, &h->ext[i]))
			return strip_fail(ctx, STRIP_FAIL,
			    "HEIF metadata item outside the file's data");
		if (++*ntext > HEIF_TARGET_EXT_MAX)
			return strip_fail(ctx, STRIP_FAIL,
			    "HEIF metadata item in too many pieces");
	}
	return STRIP_OK;
}

/* Check that no other item shares a byte with a metadata item, then zero
 * the metadata items' bytes. */
static int
heif_zero_items(struct strip_ctx *ctx, struct heif *h)
{
	size_t i, j, ntext;
	int rc;

	if ((rc = heif_resolve_all(ctx, h, &ntext)) != STRIP_OK)
		return rc;
	for (i = 0; i < h->next; i++) {
		if (heif_target_of(h, h->ext[i].item) == NULL)
			continue;
		for (j = 0; j < h->next; j++)
			if (heif_target_of(h, h->ext[j].item) == NULL &&
			    heif_overlap(&h->ext[i], &h->ext[j]))
				return strip_fail(ctx, STRIP_FAIL,
				    "HEIF metadata item shares bytes with "
				    "another item");
	}
	for (i = 0; i < h->next; i++)
		if (heif_target_of(h, h->ext[i].item) != NULL)
			memset(h->p + h->ext[i].off, 0, h->ext[i].len);
	return STRIP_OK;
}

/* Make an emptied item's infe inert: hidden, of an unregistered type,
 * with its name (and for XMP its content type) zeroed. */
static void
heif_inert_infe(struct heif *h, const struct heif_target *t)
{
	struct heif_box b;
	size_t rest;
	unsigned v;

	/* Read once already, so it parses. */
	(void)heif_box_at(h->p, t->infe, h->iinf.end, &b);
	v = h->p[b.body];
	h->p[b.body + 3] |= 1;
	rest = b.body + 4 + (v == 3 ? 4 : 2) + 2;
	if (v >= 2) {
		memcpy(h->p + rest, heif_inert, 4);
		rest += 4;
	}
	memset(h->p + rest, 0, b.end - rest);
}

/* Unlink the emptied items from the image they described: their `cdsc`
 * references get an unregistered type, so readers no longer list them as
 * the image's metadata. */
static int
heif_iref(struct strip_ctx *ctx, struct heif *h)
{
	struct heif_box c;
	size_t off, idlen, n = 0;

	if (!h->has_iref)
		return STRIP_OK;
	if (h->iref.end - h->iref.body < 4)
		return strip_fail(
		    ctx, STRIP_FAIL, "HEIF item reference damaged");
	idlen = h->p[h->iref.body] == 0 ? 2 : 4;
	for (off = h->iref.body + 4; off < h->iref.end; off = c.end) {
		if (++n > HEIF_CHILD_MAX ||
		    heif_box_at(h->p, off, h->iref.end, &c) != 0 ||
		    c.end - c.body < idlen)
			return strip_fail(ctx, STRIP_FAIL, "HEIF box damaged");
		if (c.type == FOURCC('c', 'd', 's', 'c') &&
		    heif_target_of(h,
			idlen == 2 ? rd_be16(h->p + c.body)
				   : rd_be32(h->p + c.body)) != NULL)
			memcpy(h->p + c.off + 4, heif_inert, 4);
	}
	return STRIP_OK;
}

int
strip_heif(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	struct heif h;
	size_t i;
	int rc;

	memset(&h, 0, sizeof(h));
	if (sbuf_put(out, in, len) != 0)
		return strip_fail(ctx, STRIP_FAIL, "HEIF output too large");
	h.p = out->p;
	h.len = out->len;
	if ((rc = heif_top(ctx, &h)) != STRIP_OK ||
	    (rc = heif_meta(ctx, &h)) != STRIP_OK ||
	    (rc = heif_iinf(ctx, &h)) != STRIP_OK)
		goto out;
	if (h.ntgt > 0 && h.has_iloc &&
	    ((rc = heif_iloc(ctx, &h)) != STRIP_OK ||
		(rc = heif_zero_items(ctx, &h)) != STRIP_OK))
		goto out;
	if ((rc = heif_iref(ctx, &h)) != STRIP_OK)
		goto out;
	for (i = 0; i < h.ntgt; i++) {
		heif_inert_infe(&h, &h.tgt[i]);
		strip_removed(ctx, h.tgt[i].what);
	}
	rc = STRIP_OK;
out:
	free(h.ext);
	return rc;
}
