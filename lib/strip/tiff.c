/*
 * tiff.c — classic TIFF (both byte orders), rebuilt rather than patched.
 *
 * Patching a TIFF in place leaves whatever the old IFDs pointed at (an
 * Exif IFD, XMP, a thumbnail's strips, slack between blocks) in the file.
 * So the output is written anew: a header, then for every full-resolution
 * page of the IFD chain its strips or tiles, the out-of-line values of a
 * whitelist of tags needed to render it, and a fresh IFD. Everything not
 * on the whitelist is dropped; pages flagged as reduced-resolution
 * (NewSubfileType bit 0, or the old SubfileType 2) are dropped whole.
 * BigTIFF is not handled.
 */
#include <stdlib.h>
#include <string.h>

#include "postern/stripfmt.h"

#define TIFF_HDR_LEN 8
#define TIFF_ENTRY_LEN 12
#define TIFF_IFD_MAX 4096   /* IFDs followed in the chain */
#define TIFF_ENTRY_MAX 4096 /* entries in one IFD */
#define TIFF_KEEP_MAX 64    /* whitelisted entries kept from one IFD */
#define TIFF_OFF_MAX UINT32_MAX

#define TAG_NEWSUBFILE 254
#define TAG_SUBFILE 255
#define TAG_COMPRESSION 259
#define TAG_STRIPOFF 273
#define TAG_STRIPCNT 279
#define TAG_TILEOFF 324
#define TAG_TILECNT 325

/* Types a whitelisted tag may have, as a mask of 1 << type. */
#define T_BYTE (1u << 1)
#define T_SHORT (1u << 3)
#define T_LONG (1u << 4)
#define T_RATIONAL (1u << 5)
#define T_UNDEF (1u << 7)
#define T_INT (T_BYTE | T_SHORT | T_LONG)

static const struct {
	uint16_t tag;
	uint16_t types;
} tiff_keep[] = {
	{ 254, T_INT },		      /* NewSubfileType */
	{ 256, T_INT },		      /* ImageWidth */
	{ 257, T_INT },		      /* ImageLength */
	{ 258, T_INT },		      /* BitsPerSample */
	{ 259, T_INT },		      /* Compression */
	{ 262, T_INT },		      /* PhotometricInterpretation */
	{ 266, T_INT },		      /* FillOrder */
	{ 273, T_INT },		      /* StripOffsets */
	{ 274, T_INT },		      /* Orientation */
	{ 277, T_INT },		      /* SamplesPerPixel */
	{ 278, T_INT },		      /* RowsPerStrip */
	{ 279, T_INT },		      /* StripByteCounts */
	{ 282, T_RATIONAL },	      /* XResolution */
	{ 283, T_RATIONAL },	      /* YResolution */
	{ 284, T_INT },		      /* PlanarConfiguration */
	{ 292, T_INT },		      /* T4Options (fax) */
	{ 293, T_INT },		      /* T6Options (fax) */
	{ 296, T_INT },		      /* ResolutionUnit */
	{ 297, T_INT },		      /* PageNumber */
	{ 301, T_INT },		      /* TransferFunction */
	{ 317, T_INT },		      /* Predictor */
	{ 318, T_RATIONAL },	      /* WhitePoint */
	{ 319, T_RATIONAL },	      /* PrimaryChromaticities */
	{ 320, T_INT },		      /* ColorMap */
	{ 322, T_INT },		      /* TileWidth */
	{ 323, T_INT },		      /* TileLength */
	{ 324, T_INT },		      /* TileOffsets */
	{ 325, T_INT },		      /* TileByteCounts */
	{ 332, T_INT },		      /* InkSet */
	{ 338, T_INT },		      /* ExtraSamples */
	{ 339, T_INT },		      /* SampleFormat */
	{ 347, T_UNDEF | T_BYTE },    /* JPEGTables */
	{ 529, T_RATIONAL },	      /* YCbCrCoefficients */
	{ 530, T_INT },		      /* YCbCrSubSampling */
	{ 531, T_INT },		      /* YCbCrPositioning */
	{ 532, T_RATIONAL | T_LONG }, /* ReferenceBlackWhite */
	{ 34675, T_UNDEF | T_BYTE },  /* ICC profile */
};

/* Names for the report of the dropped tags people look for. */
static const struct {
	uint16_t tag;
	const char *name;
} tiff_named[] = {
	{ 269, "TIFF DocumentName" },
	{ 270, "TIFF ImageDescription" },
	{ 271, "TIFF Make" },
	{ 272, "TIFF Model" },
	{ 305, "TIFF Software" },
	{ 306, "TIFF DateTime" },
	{ 315, "TIFF Artist" },
	{ 316, "TIFF HostComputer" },
	{ 330, "TIFF SubIFDs" },
	{ 700, "TIFF XMP" },
	{ 33432, "TIFF Copyright" },
	{ 33723, "TIFF IPTC" },
	{ 34377, "TIFF Photoshop" },
	{ 34665, "TIFF Exif IFD" },
	{ 34853, "TIFF GPS" },
};

struct tiff_in {
	const uint8_t *p;
	size_t len;
	int be; /* big-endian ("MM") */
};

/* One kept entry; its value is vlen bytes at input offset voff (or the
 * entry's own 4-byte field when vlen <= 4). */
struct tiff_ent {
	uint16_t tag;
	uint16_t type;
	uint32_t count;
	size_t voff;
	size_t vlen;
};

struct tiff_ifd {
	struct tiff_ent e[TIFF_KEEP_MAX];
	size_t n;
	uint32_t next;
	int reduced; /* a thumbnail or preview page */
};

static uint16_t
t_rd16(const struct tiff_in *t, size_t off)
{
	return t->be ? rd_be16(t->p + off) : rd_le16(t->p + off);
}

static uint32_t
t_rd32(const struct tiff_in *t, size_t off)
{
	return t->be ? rd_be32(t->p + off) : rd_le32(t->p + off);
}

static int
t_put16(const struct tiff_in *t, struct sbuf *out, uint16_t v)
{
	return t->be ? sbuf_put_be16(out, v) : sbuf_put_le16(out, v);
}

static int
t_put32(const struct tiff_in *t, struct sbuf *out, uint32_t v)
{
	return t->be ? sbuf_put_be32(out, v) : sbuf_put_le32(out, v);
}

static void
t_wr32(const struct tiff_in *t, uint8_t *p, uint32_t v)
{
	if (t->be)
		wr_be32(p, v);
	else
		wr_le32(p, v);
}

static size_t
tiff_type_size(uint16_t type)
{
	static const uint8_t sz[] = { 0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8,
		4 };

	return type < sizeof(sz) ? sz[type] : 0;
}

/* The whitelist's type mask for tag, or 0 when the tag goes. */
static unsigned
tiff_keep_types(uint16_t tag)
{
	size_t i;

	for (i = 0; i < sizeof(tiff_keep) / sizeof(tiff_keep[0]); i++)
		if (tiff_keep[i].tag == tag)
			return tiff_keep[i].types;
	return 0;
}

static void
tiff_report_drop(struct strip_ctx *ctx, uint16_t tag)
{
	size_t i;

	for (i = 0; i < sizeof(tiff_named) / sizeof(tiff_named[0]); i++)
		if (tiff_named[i].tag == tag) {
			strip_removed(ctx, tiff_named[i].name);
			return;
		}
	strip_removed(ctx, "TIFF private tag");
}

/* Pad the output to a 4-byte boundary (TIFF wants even offsets). */
static int
tiff_align(struct sbuf *out)
{
	return sbuf_fill(out, 0, (4 - out->len % 4) % 4);
}

/* Read one entry at input offset off into e, bounds-checking its value. */
static int
tiff_read_entry(struct strip_ctx *ctx, const struct tiff_in *t, size_t off,
    struct tiff_ent *e)
{
	size_t tsz;
	uint32_t voff;

	e->tag = t_rd16(t, off);
	e->type = t_rd16(t, off + 2);
	e->count = t_rd32(t, off + 4);
	if ((tsz = tiff_type_size(e->type)) == 0)
		return strip_fail(ctx, STRIP_FAIL, "TIFF tag of unknown type");
	if (e->count > SIZE_MAX / tsz || e->count * tsz > t->len)
		return strip_fail(ctx, STRIP_FAIL, "TIFF tag value too long");
	e->vlen = e->count * tsz;
	if (e->vlen <= 4) {
		e->voff = off + 8;
		return STRIP_OK;
	}
	voff = t_rd32(t, off + 8);
	if (voff > t->len || e->vlen > t->len - voff)
		return strip_fail(
		    ctx, STRIP_FAIL, "TIFF tag value runs past the end");
	e->voff = voff;
	return STRIP_OK;
}

/* Element i of an integer-typed entry's value. */
static uint32_t
tiff_ent_int(const struct tiff_in *t, const struct tiff_ent *e, uint32_t i)
{
	switch (e->type) {
	case 1:
		return t->p[e->voff + i];
	case 3:
		return t_rd16(t, e->voff + 2 * (size_t)i);
	default:
		return t_rd32(t, e->voff + 4 * (size_t)i);
	}
}

/* Keep a whitelisted entry, or note and drop any other. */
static int
tiff_sort_entry(struct strip_ctx *ctx, const struct tiff_in *t,
    struct tiff_ifd *ifd, const struct tiff_ent *e)
{
	unsigned types;
	size_t i;

	if ((types = tiff_keep_types(e->tag)) == 0) {
		tiff_report_drop(ctx, e->tag);
		return STRIP_OK;
	}
	if ((types & (1u << e->type)) == 0)
		return strip_fail(
		    ctx, STRIP_FAIL, "TIFF tag of an unexpected type");
	for (i = 0; i < ifd->n; i++)
		if (ifd->e[i].tag == e->tag)
			return strip_fail(ctx, STRIP_FAIL, "TIFF tag repeated");
	if (ifd->n == TIFF_KEEP_MAX)
		return strip_fail(ctx, STRIP_FAIL, "TIFF IFD too large");
	if (e->tag == TAG_NEWSUBFILE && e->count > 0 &&
	    (tiff_ent_int(t, e, 0) & 1))
		ifd->reduced = 1;
	/* Keep tags ascending, as readers expect. */
	for (i = ifd->n; i > 0 && ifd->e[i - 1].tag > e->tag; i--)
		ifd->e[i] = ifd->e[i - 1];
	ifd->e[i] = *e;
	ifd->n++;
	return STRIP_OK;
}

/* Parse the IFD at off: its kept entries and the next IFD's offset. The
 * report of dropped tags is made here, so a dropped page's are too. */
static int
tiff_read_ifd(struct strip_ctx *ctx, const struct tiff_in *t, uint32_t off,
    struct tiff_ifd *ifd)
{
	struct tiff_ent e;
	size_t i, n, pos;
	int rc;

	ifd->n = 0;
	ifd->reduced = 0;
	if (off < TIFF_HDR_LEN || off > t->len || t->len - off < 2)
		return strip_fail(ctx, STRIP_FAIL, "TIFF IFD past the end");
	n = t_rd16(t, off);
	if (n == 0 || n > TIFF_ENTRY_MAX)
		return strip_fail(ctx, STRIP_FAIL, "TIFF IFD entry count");
	if (t->len - off - 2 < n * TIFF_ENTRY_LEN + 4)
		return strip_fail(ctx, STRIP_FAIL, "TIFF IFD past the end");
	for (i = 0; i < n; i++) {
		pos = off + 2 + i * TIFF_ENTRY_LEN;
		if ((rc = tiff_read_entry(ctx, t, pos, &e)) != STRIP_OK)
			return rc;
		/* SubfileType decides whether the page stays, so it is read
		 * even though it is not kept. */
		if (e.tag == TAG_SUBFILE && e.count > 0 &&
		    (e.type == 3 || e.type == 4) && tiff_ent_int(t, &e, 0) == 2)
			ifd->reduced = 1;
		if ((rc = tiff_sort_entry(ctx, t, ifd, &e)) != STRIP_OK)
			return rc;
	}
	ifd->next = t_rd32(t, off + 2 + n * TIFF_ENTRY_LEN);
	return STRIP_OK;
}

static const struct tiff_ent *
tiff_find(const struct tiff_ifd *ifd, uint16_t tag)
{
	size_t i;

	for (i = 0; i < ifd->n; i++)
		if (ifd->e[i].tag == tag)
			return &ifd->e[i];
	return NULL;
}

/* Copy the strips or tiles of a page into the output; *offs receives their
 * new offsets and *cnts their lengths, both with *n elements. */
static int
tiff_copy_data(struct strip_ctx *ctx, const struct tiff_in *t,
    const struct tiff_ent *eo, const struct tiff_ent *ec, struct sbuf *out,
    uint32_t *offs, uint32_t *cnts)
{
	uint32_t i, o, c;

	for (i = 0; i < eo->count; i++) {
		o = tiff_ent_int(t, eo, i);
		c = tiff_ent_int(t, ec, i);
		if (o > t->len || c > t->len - o)
			return strip_fail(
			    ctx, STRIP_FAIL, "TIFF strip runs past the end");
		if (tiff_align(out) != 0 || out->len > TIFF_OFF_MAX - c)
			return strip_fail(
			    ctx, STRIP_FAIL, "TIFF output too large");
		offs[i] = c == 0 ? 0 : (uint32_t)out->len;
		cnts[i] = c;
		if (sbuf_put(out, t->p + o, c) != 0)
			return strip_fail(
			    ctx, STRIP_FAIL, "TIFF output too large");
	}
	return STRIP_OK;
}

/* Write an array of n LONGs out of line (when it does not fit in the
 * entry) and return in *where what the entry's value field holds. */
static int
tiff_put_longs(const struct tiff_in *t, struct sbuf *out, const uint32_t *v,
    uint32_t n, uint32_t *where)
{
	uint32_t i;

	if (n == 1) {
		*where = v[0];
		return 0;
	}
	if (tiff_align(out) != 0 || out->len > TIFF_OFF_MAX)
		return -1;
	*where = (uint32_t)out->len;
	for (i = 0; i < n; i++)
		if (t_put32(t, out, v[i]) != 0)
			return -1;
	return 0;
}

/* The value fields of a page's new IFD, filled before it is written. */
struct tiff_vals {
	uint16_t type[TIFF_KEEP_MAX];
	uint8_t field[TIFF_KEEP_MAX][4];
};

/* Write the out-of-line values of the entries other than the image data
 * pointers, and fill the value fields of all but those. */
static int
tiff_put_values(const struct tiff_in *t, const struct tiff_ifd *ifd,
    struct sbuf *out, struct tiff_vals *v)
{
	const struct tiff_ent *e;
	size_t i;

	for (i = 0; i < ifd->n; i++) {
		e = &ifd->e[i];
		v->type[i] = e->type;
		memset(v->field[i], 0, 4);
		if (e->vlen <= 4) {
			/* Only the value's own bytes: the padding could
			 * carry anything. */
			memcpy(v->field[i], t->p + e->voff, e->vlen);
			continue;
		}
		if (tiff_align(out) != 0 || out->len > TIFF_OFF_MAX)
			return -1;
		t_wr32(t, v->field[i], (uint32_t)out->len);
		if (sbuf_put(out, t->p + e->voff, e->vlen) != 0)
			return -1;
	}
	return 0;
}

/* Write the IFD itself and point the previous link at it; *link becomes
 * the position of this IFD's next-IFD field. */
static int
tiff_put_ifd(const struct tiff_in *t, const struct tiff_ifd *ifd,
    const struct tiff_vals *v, struct sbuf *out, size_t *link)
{
	size_t i;

	if (tiff_align(out) != 0 || out->len > TIFF_OFF_MAX)
		return -1;
	t_wr32(t, out->p + *link, (uint32_t)out->len);
	if (t_put16(t, out, (uint16_t)ifd->n) != 0)
		return -1;
	for (i = 0; i < ifd->n; i++) {
		if (t_put16(t, out, ifd->e[i].tag) != 0 ||
		    t_put16(t, out, v->type[i]) != 0 ||
		    t_put32(t, out, ifd->e[i].count) != 0 ||
		    sbuf_put(out, v->field[i], 4) != 0)
			return -1;
	}
	*link = out->len;
	return t_put32(t, out, 0);
}

/* Which pair of tags holds the image data: strips or tiles. */
static int
tiff_data_tags(struct strip_ctx *ctx, const struct tiff_in *t,
    const struct tiff_ifd *ifd, uint16_t *otag, uint16_t *ctag)
{
	const struct tiff_ent *eo, *ec, *comp;
	int strips, tiles;

	strips = tiff_find(ifd, TAG_STRIPOFF) != NULL ||
	    tiff_find(ifd, TAG_STRIPCNT) != NULL;
	tiles = tiff_find(ifd, TAG_TILEOFF) != NULL ||
	    tiff_find(ifd, TAG_TILECNT) != NULL;
	if (strips == tiles)
		return strip_fail(
		    ctx, STRIP_FAIL, "TIFF page without strips or tiles");
	*otag = strips ? TAG_STRIPOFF : TAG_TILEOFF;
	*ctag = strips ? TAG_STRIPCNT : TAG_TILECNT;
	eo = tiff_find(ifd, *otag);
	ec = tiff_find(ifd, *ctag);
	if (eo == NULL || ec == NULL || eo->count == 0 ||
	    eo->count != ec->count)
		return strip_fail(
		    ctx, STRIP_FAIL, "TIFF strip offsets and counts differ");
	/* Old-style JPEG keeps its stream behind tags that are dropped. */
	comp = tiff_find(ifd, TAG_COMPRESSION);
	if (comp != NULL && comp->count > 0 && tiff_ent_int(t, comp, 0) == 6)
		return strip_fail(ctx, STRIP_UNSUPPORTED,
		    "TIFF with old-style JPEG compression");
	return STRIP_OK;
}

/* Patch the image data pointers' entries with their new values. */
static int
tiff_put_data_ptrs(const struct tiff_in *t, const struct tiff_ifd *ifd,
    uint16_t otag, uint16_t ctag, const uint32_t *offs, const uint32_t *cnts,
    struct sbuf *out, struct tiff_vals *v)
{
	uint32_t w;
	size_t i;

	for (i = 0; i < ifd->n; i++) {
		if (ifd->e[i].tag != otag && ifd->e[i].tag != ctag)
			continue;
		if (tiff_put_longs(t, out, ifd->e[i].tag == otag ? offs : cnts,
			ifd->e[i].count, &w) != 0)
			return -1;
		v->type[i] = 4;
		t_wr32(t, v->field[i], w);
	}
	return 0;
}

/* Write one kept page: its image data, its values, its IFD. */
static int
tiff_write_page(struct strip_ctx *ctx, const struct tiff_in *t,
    const struct tiff_ifd *ifd, struct sbuf *out, size_t *link)
{
	struct tiff_vals *v = NULL;
	uint32_t *offs = NULL, *cnts = NULL;
	uint16_t otag = 0, ctag = 0;
	uint32_t n;
	int rc;

	if ((rc = tiff_data_tags(ctx, t, ifd, &otag, &ctag)) != STRIP_OK)
		return rc;
	n = tiff_find(ifd, otag)->count;
	if ((offs = calloc(n, sizeof(*offs))) == NULL ||
	    (cnts = calloc(n, sizeof(*cnts))) == NULL ||
	    (v = malloc(sizeof(*v))) == NULL) {
		rc = strip_fail(ctx, STRIP_FAIL, "out of memory");
		goto out;
	}
	if ((rc = tiff_copy_data(ctx, t, tiff_find(ifd, otag),
		 tiff_find(ifd, ctag), out, offs, cnts)) != STRIP_OK)
		goto out;
	if (tiff_put_values(t, ifd, out, v) != 0 ||
	    tiff_put_data_ptrs(t, ifd, otag, ctag, offs, cnts, out, v) != 0 ||
	    tiff_put_ifd(t, ifd, v, out, link) != 0) {
		rc = strip_fail(ctx, STRIP_FAIL, "TIFF output too large");
		goto out;
	}
	rc = STRIP_OK;
out:
	free(v);
	free(cnts);
	free(offs);
	return rc;
}

/* Read the header; rc is STRIP_OK with *first set, or why not. */
static int
tiff_read_header(struct strip_ctx *ctx, struct tiff_in *t, uint32_t *first)
{
	uint16_t magic;

	if (t->len < TIFF_HDR_LEN)
		return strip_fail(ctx, STRIP_FAIL, "TIFF too short");
	if (memcmp(t->p, "II", 2) == 0)
		t->be = 0;
	else if (memcmp(t->p, "MM", 2) == 0)
		t->be = 1;
	else
		return strip_fail(ctx, STRIP_FAIL, "TIFF byte order unknown");
	magic = t_rd16(t, 2);
	if (magic == 43)
		return strip_fail(ctx, STRIP_UNSUPPORTED, "BigTIFF");
	if (magic != 42)
		return strip_fail(ctx, STRIP_FAIL, "not a TIFF");
	*first = t_rd32(t, 4);
	return STRIP_OK;
}

static int
tiff_seen(uint32_t *seen, size_t nseen, uint32_t off)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i] == off)
			return 1;
	return 0;
}

/* Follow the IFD chain, writing every full-resolution page. */
static int
tiff_walk(struct strip_ctx *ctx, const struct tiff_in *t, uint32_t off,
    struct sbuf *out, uint32_t *seen)
{
	struct tiff_ifd *ifd;
	size_t nseen = 0, kept = 0, link = 4;
	int rc = STRIP_FAIL;

	if ((ifd = malloc(sizeof(*ifd))) == NULL)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	while (off != 0) {
		if (nseen == TIFF_IFD_MAX || tiff_seen(seen, nseen, off)) {
			rc = strip_fail(ctx, STRIP_FAIL,
			    "TIFF IFD chain loops or is too long");
			goto out;
		}
		seen[nseen++] = off;
		if ((rc = tiff_read_ifd(ctx, t, off, ifd)) != STRIP_OK)
			goto out;
		if (ifd->reduced)
			strip_removed(ctx, "TIFF thumbnail/preview page");
		else if ((rc = tiff_write_page(ctx, t, ifd, out, &link)) !=
		    STRIP_OK)
			goto out;
		else
			kept++;
		off = ifd->next;
	}
	rc = kept > 0 ? STRIP_OK
		      : strip_fail(ctx, STRIP_UNSUPPORTED,
			    "TIFF without a full-resolution page (DNG?)");
out:
	free(ifd);
	return rc;
}

int
strip_tiff(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	struct tiff_in t = { in, len, 0 };
	uint32_t first = 0, *seen;
	int rc;

	if ((rc = tiff_read_header(ctx, &t, &first)) != STRIP_OK)
		return rc;
	if ((seen = calloc(TIFF_IFD_MAX, sizeof(*seen))) == NULL)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	if (sbuf_put(out, in, 4) != 0 || t_put32(&t, out, 0) != 0)
		rc = strip_fail(ctx, STRIP_FAIL, "TIFF output too large");
	else
		rc = tiff_walk(ctx, &t, first, out, seen);
	free(seen);
	return rc;
}
