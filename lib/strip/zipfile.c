/*
 * zipfile.c — a zip reader that believes only what it has checked, and a
 * writer that emits nothing a source could be traced by.
 *
 * Reading starts at the end-of-central-directory record and walks the
 * central directory; every entry's local header must agree with it, lie
 * inside the buffer, before the directory, and not overlap another. The
 * layout (APPNOTE 6.3.x):
 *
 *   local header   PK\3\4 ver flags method time date crc csize usize
 *                  nlen xlen name extra data
 *   central entry  PK\1\2 made ver flags method time date crc csize usize
 *                  nlen xlen clen disk iattr eattr offset name extra comment
 *   end record     PK\5\6 disk cddisk n_here n_total cdsize cdoff clen
 */
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "postern/zipfile.h"

/* deflate_onto grows its output this much at a time. */
#define DEFLATE_STEP 65536

#define LOC_SIG 0x04034b50U
#define CEN_SIG 0x02014b50U
#define END_SIG 0x06054b50U
#define LOC_LEN 30
#define CEN_LEN 46
#define END_LEN 22
#define LOC64_SIG 0x07064b50U	/* zip64 end locator */
#define END64_SIG 0x06064b50U	/* zip64 end record */
#define LOC64_LEN 20
#define END64_LEN 56
#define X_ZIP64 0x0001		/* extra field: 64-bit sizes, offset */
#define SAT32 0xffffffffU	/* "see the zip64 field" */
#define END_COMMENT_MAX 65535

#define FL_ENCRYPTED 0x0001U
#define FL_DESCRIPTOR 0x0008U
#define FL_STRONG 0x0040U
#define FL_UTF8 0x0800U
#define FL_MASKED 0x2000U	/* central directory encrypted */

#define DOS_DATE_1980 0x0021U	/* 1980-01-01 */
#define DOS_TIME_0 0x0000U
#define VERSION 20		/* 2.0, and "made by MS-DOS" in the high byte */

#define CHUNK 65536

struct span {
	uint64_t start, end;	/* [local header, end of data) */
};

struct zip_reader {
	struct zip_entry *ent;
	struct zip_entry **byname;	/* sorted, for duplicates and find */
	size_t n;
	int comment;
	int extra;
};

/* ---- reading ------------------------------------------------------ */

/* The end record: the last "PK\5\6" whose comment runs exactly to the
 * end of the buffer. */
static int
find_end(const uint8_t *in, size_t len, size_t *at)
{
	size_t i, lo;

	if (len < END_LEN)
		return -1;
	lo = len - END_LEN > END_COMMENT_MAX ? len - END_LEN -
	    END_COMMENT_MAX : 0;
	for (i = len - END_LEN + 1; i-- > lo;) {
		if (rd_le32(in + i) != END_SIG)
			continue;
		if (i + END_LEN + rd_le16(in + i + 20) == len) {
			*at = i;
			return 0;
		}
	}
	return -1;
}

/* Names are paths inside the archive: refuse NUL, absolute paths, drive
 * letters and ".." components, whatever the separator. */
static int
name_ok(const uint8_t *p, size_t n)
{
	size_t i, seg = 0;

	if (n == 0 || n > ZIP_NAME_MAX)
		return 0;
	if (p[0] == '/' || p[0] == '\\' || (n >= 2 && p[1] == ':'))
		return 0;
	for (i = 0; i <= n; i++) {
		if (i < n && p[i] == '\0')
			return 0;
		if (i == n || p[i] == '/' || p[i] == '\\') {
			if (i - seg == 2 && p[seg] == '.' && p[seg + 1] == '.')
				return 0;
			seg = i + 1;
		}
	}
	return 1;
}

static int
cmp_name(const void *a, const void *b)
{
	const struct zip_entry *x = *(const struct zip_entry *const *)a;
	const struct zip_entry *y = *(const struct zip_entry *const *)b;

	return strcmp(x->name, y->name);
}

static int
cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The zip64 extra field's data in x[0..xlen), or NULL (none, or the
 * extra fields do not parse). */
static const uint8_t *
zip64_field(const uint8_t *x, size_t xlen, size_t *len)
{
	size_t n;

	while (xlen >= 4) {
		n = rd_le16(x + 2);
		if (n > xlen - 4)
			return NULL;
		if (rd_le16(x) == X_ZIP64) {
			*len = n;
			return x + 4;
		}
		x += 4 + n;
		xlen -= 4 + n;
	}
	return NULL;
}

static uint64_t
rd_le64(const uint8_t *p)
{
	return (uint64_t)rd_le32(p + 4) << 32 | rd_le32(p);
}

/* Take the next 64-bit value of a zip64 field for a saturated 32-bit
 * one. -1 when the field lacks it. */
static int
take64(uint64_t *v, const uint8_t **f, size_t *flen)
{
	if (*v != SAT32)
		return 0;
	if (*f == NULL || *flen < 8)
		return -1;
	*v = rd_le64(*f);
	*f += 8;
	*flen -= 8;
	return 0;
}

/* A local header's sizes, through its zip64 field when saturated. */
static int
local_sizes(const uint8_t *l, uint64_t *usize, uint64_t *csize)
{
	const uint8_t *f;
	size_t flen = 0;

	*csize = rd_le32(l + 18);
	*usize = rd_le32(l + 22);
	f = zip64_field(l + LOC_LEN + rd_le16(l + 26), rd_le16(l + 28),
	    &flen);
	if (*usize != SAT32 && *csize != SAT32)
		return 0;
	/* In a local header the field holds both sizes, always. */
	if (f == NULL || flen < 16)
		return -1;
	*usize = rd_le64(f);
	*csize = rd_le64(f + 8);
	return 0;
}

/* The local header at off must agree with the central entry e; fills
 * e->cdata and the span the entry occupies. */
static int
check_local(struct strip_ctx *ctx, struct zip_reader *z, const uint8_t *in,
    uint64_t off, uint64_t limit, struct zip_entry *e, struct span *sp)
{
	const uint8_t *l = in + off;
	uint64_t data, usize, csize;
	uint16_t fl;

	if (off > limit || limit - off < LOC_LEN || rd_le32(l) != LOC_SIG)
		return strip_fail(ctx, STRIP_FAIL, "zip local header missing");
	data = off + LOC_LEN + rd_le16(l + 26) + rd_le16(l + 28);
	if (data > limit || limit - data < e->csize)
		return strip_fail(ctx, STRIP_FAIL, "zip entry runs past its "
		    "bounds");
	fl = rd_le16(l + 6);
	if (rd_le16(l + 26) != e->name_len ||
	    memcmp(l + LOC_LEN, e->name, e->name_len) != 0 ||
	    rd_le16(l + 8) != e->method ||
	    ((fl ^ e->flags) & (FL_ENCRYPTED | FL_DESCRIPTOR)) != 0)
		return strip_fail(ctx, STRIP_FAIL, "zip local header "
		    "disagrees with the central directory");
	if (!(fl & FL_DESCRIPTOR) && (rd_le32(l + 14) != e->crc ||
	    local_sizes(l, &usize, &csize) != 0 || csize != e->csize ||
	    usize != e->usize))
		return strip_fail(ctx, STRIP_FAIL, "zip local header "
		    "disagrees with the central directory");
	if (rd_le16(l + 28) != 0)
		z->extra = 1;
	e->cdata = in + data;
	sp->start = off;
	sp->end = data + e->csize;
	return STRIP_OK;
}

/* One central entry at *pos (inside [.., cdend)); advances *pos. */
static int
parse_central(struct strip_ctx *ctx, struct zip_reader *z, const uint8_t *in,
    size_t *pos, size_t cdend, uint64_t cdoff, struct zip_entry *e,
    struct span *sp)
{
	const uint8_t *c = in + *pos, *f;
	size_t nlen, xlen, clen, flen = 0;
	uint64_t off;

	if (cdend - *pos < CEN_LEN || rd_le32(c) != CEN_SIG)
		return strip_fail(ctx, STRIP_FAIL, "zip central directory "
		    "damaged");
	nlen = rd_le16(c + 28);
	xlen = rd_le16(c + 30);
	clen = rd_le16(c + 32);
	if (cdend - *pos - CEN_LEN < nlen + xlen + clen)
		return strip_fail(ctx, STRIP_FAIL, "zip central directory "
		    "damaged");
	e->flags = rd_le16(c + 8);
	e->method = rd_le16(c + 10);
	e->crc = rd_le32(c + 16);
	e->csize = rd_le32(c + 20);
	e->usize = rd_le32(c + 24);
	off = rd_le32(c + 42);
	if (e->flags & (FL_ENCRYPTED | FL_STRONG | FL_MASKED))
		return strip_fail(ctx, STRIP_UNSUPPORTED, "encrypted zip "
		    "entries");
	f = zip64_field(c + CEN_LEN + nlen, xlen, &flen);
	if (take64(&e->usize, &f, &flen) != 0 ||
	    take64(&e->csize, &f, &flen) != 0 || take64(&off, &f, &flen) != 0)
		return strip_fail(ctx, STRIP_FAIL, "zip64 field missing");
	if (rd_le16(c + 34) != 0 && !(rd_le16(c + 34) == 0xffff &&
	    f != NULL && flen >= 4 && rd_le32(f) == 0))
		return strip_fail(ctx, STRIP_UNSUPPORTED, "multi-disk zip "
		    "archives");
	if (!name_ok(c + CEN_LEN, nlen))
		return strip_fail(ctx, STRIP_FAIL, "zip entry name unsafe");
	if ((e->name = malloc(nlen + 1)) == NULL)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	memcpy(e->name, c + CEN_LEN, nlen);
	e->name[nlen] = '\0';
	e->name_len = nlen;
	e->is_dir = e->name[nlen - 1] == '/';
	if (xlen != 0)
		z->extra = 1;
	if (clen != 0)
		z->comment = 1;
	*pos += CEN_LEN + nlen + xlen + clen;
	return check_local(ctx, z, in, off, cdoff, e, sp);
}

/* Names unique, spans disjoint. */
static int
check_sets(struct strip_ctx *ctx, struct zip_reader *z, struct span *sp)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		z->byname[i] = &z->ent[i];
	qsort(z->byname, z->n, sizeof(*z->byname), cmp_name);
	for (i = 1; i < z->n; i++)
		if (strcmp(z->byname[i - 1]->name, z->byname[i]->name) == 0)
			return strip_fail(ctx, STRIP_FAIL, "zip entry names "
			    "repeat");
	qsort(sp, z->n, sizeof(*sp), cmp_span);
	for (i = 1; i < z->n; i++)
		if (sp[i].start < sp[i - 1].end)
			return strip_fail(ctx, STRIP_FAIL, "zip entries "
			    "overlap");
	return STRIP_OK;
}

static int
walk_central(struct strip_ctx *ctx, struct zip_reader *z, const uint8_t *in,
    size_t cdoff, size_t cdend)
{
	struct span *sp;
	size_t i, pos = cdoff;
	int rc = STRIP_FAIL;

	z->ent = calloc(z->n ? z->n : 1, sizeof(*z->ent));
	z->byname = calloc(z->n ? z->n : 1, sizeof(*z->byname));
	sp = calloc(z->n ? z->n : 1, sizeof(*sp));
	if (z->ent == NULL || z->byname == NULL || sp == NULL) {
		strip_fail(ctx, STRIP_FAIL, "out of memory");
		goto out;
	}
	for (i = 0; i < z->n; i++)
		if ((rc = parse_central(ctx, z, in, &pos, cdend, cdoff,
		    &z->ent[i], &sp[i])) != STRIP_OK)
			goto out;
	if (pos != cdend) {
		rc = strip_fail(ctx, STRIP_FAIL, "zip central directory "
		    "size wrong");
		goto out;
	}
	rc = check_sets(ctx, z, sp);
out:
	free(sp);
	return rc;
}

/* Where the central directory is, from the end records. */
struct cdir {
	uint64_t n, off, size;
	size_t end;		/* where the directory must end */
};

static int
read_end64(struct strip_ctx *ctx, const uint8_t *in, size_t end,
    struct cdir *d)
{
	const uint8_t *l = in + end - LOC64_LEN, *r;
	uint64_t at;

	if (rd_le32(l + 4) != 0 || rd_le32(l + 16) > 1)
		return strip_fail(ctx, STRIP_UNSUPPORTED, "multi-disk zip "
		    "archives");
	at = rd_le64(l + 8);
	if (at > end - LOC64_LEN || end - LOC64_LEN - at < END64_LEN ||
	    rd_le32(in + at) != END64_SIG)
		return strip_fail(ctx, STRIP_FAIL, "zip64 end record missing");
	r = in + at;
	if (rd_le32(r + 16) != 0 || rd_le32(r + 20) != 0 ||
	    rd_le64(r + 24) != rd_le64(r + 32))
		return strip_fail(ctx, STRIP_UNSUPPORTED, "multi-disk zip "
		    "archives");
	d->n = rd_le64(r + 32);
	d->size = rd_le64(r + 40);
	d->off = rd_le64(r + 48);
	d->end = (size_t)at;
	return STRIP_OK;
}

static int
read_end(struct strip_ctx *ctx, const uint8_t *in, size_t end,
    struct cdir *d)
{
	const uint8_t *e = in + end;

	d->n = rd_le16(e + 10);
	d->size = rd_le32(e + 12);
	d->off = rd_le32(e + 16);
	d->end = end;
	if (end >= LOC64_LEN && rd_le32(e - LOC64_LEN) == LOC64_SIG)
		return read_end64(ctx, in, end, d);
	if (rd_le16(e + 4) != 0 || rd_le16(e + 6) != 0 ||
	    rd_le16(e + 8) != d->n)
		return strip_fail(ctx, STRIP_UNSUPPORTED, "multi-disk zip "
		    "archives");
	if (d->n == 0xffff || d->size == SAT32 || d->off == SAT32)
		return strip_fail(ctx, STRIP_FAIL, "zip64 end record missing");
	return STRIP_OK;
}

int
zip_open(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct zip_reader **out)
{
	struct zip_reader *z;
	struct cdir d;
	size_t end;
	int rc = STRIP_FAIL;

	*out = NULL;
	if (find_end(in, len, &end) != 0)
		return strip_fail(ctx, STRIP_FAIL, "zip end record missing");
	if ((rc = read_end(ctx, in, end, &d)) != STRIP_OK)
		return rc;
	if (d.off > d.end || d.end - d.off != d.size)
		return strip_fail(ctx, STRIP_FAIL, "zip central directory "
		    "misplaced");
	if (d.n > ZIP_MEMBERS_MAX || d.n > ctx->members_budget)
		return strip_fail(ctx, STRIP_FAIL, "too many zip members");
	if ((z = calloc(1, sizeof(*z))) == NULL)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	z->n = (size_t)d.n;
	z->comment = rd_le16(in + end + 20) != 0;
	ctx->members_budget -= (unsigned)z->n;
	if ((rc = walk_central(ctx, z, in, (size_t)d.off, d.end)) !=
	    STRIP_OK) {
		zip_close(z);
		return rc;
	}
	*out = z;
	return STRIP_OK;
}

size_t
zip_count(const struct zip_reader *z)
{
	return z->n;
}

const struct zip_entry *
zip_entry_at(const struct zip_reader *z, size_t i)
{
	return i < z->n ? &z->ent[i] : NULL;
}

long
zip_find(const struct zip_reader *z, const char *name)
{
	size_t lo = 0, hi = z->n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, z->byname[mid]->name);
		if (c == 0)
			return (long)(z->byname[mid] - z->ent);
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int
zip_had_comment(const struct zip_reader *z)
{
	return z->comment;
}

int
zip_had_extra(const struct zip_reader *z)
{
	return z->extra;
}

void
zip_close(struct zip_reader *z)
{
	size_t i;

	if (z == NULL)
		return;
	if (z->ent != NULL)
		for (i = 0; i < z->n; i++)
			free(z->ent[i].name);
	free(z->ent);
	free(z->byname);
	free(z);
}

/* Inflate at most limit bytes (one more is asked for, to see whether the
 * stream goes on). */
static int
inflate_into(struct strip_ctx *ctx, const struct zip_entry *e,
    uint64_t limit, struct sbuf *out)
{
	z_stream zs;
	size_t start = out->len, room;
	uint64_t got = 0;
	int zr = Z_OK, rc = STRIP_FAIL;

	memset(&zs, 0, sizeof(zs));
	if (inflateInit2(&zs, -15) != Z_OK)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	zs.next_in = (Bytef *)(uintptr_t)e->cdata;
	while (zr != Z_STREAM_END) {
		room = limit - got + 1 > CHUNK ? CHUNK :
		    (size_t)(limit - got + 1);
		if (sbuf_reserve(out, room) != 0) {
			strip_fail(ctx, STRIP_FAIL, "zip member too large");
			goto out;
		}
		if (zs.avail_in == 0) {
			uint64_t left = e->csize - zs.total_in;

			zs.avail_in = left > CHUNK ? CHUNK : (uInt)left;
		}
		zs.next_out = out->p + out->len;
		zs.avail_out = (uInt)room;
		zr = inflate(&zs, Z_NO_FLUSH);
		out->len += room - zs.avail_out;
		got += room - zs.avail_out;
		if (got > limit) {
			strip_fail(ctx, STRIP_FAIL, got > e->usize ?
			    "zip member larger than declared" :
			    "zip members expand too much");
			goto out;
		}
		if (zr == Z_BUF_ERROR && zs.avail_in == 0 &&
		    zs.total_in == e->csize)
			zr = Z_DATA_ERROR;
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
			strip_fail(ctx, STRIP_FAIL, "zip member damaged");
			goto out;
		}
	}
	if (got != e->usize) {
		strip_fail(ctx, STRIP_FAIL, "zip member size wrong");
		goto out;
	}
	rc = STRIP_OK;
out:
	inflateEnd(&zs);
	if (rc != STRIP_OK)
		out->len = start;
	return rc;
}

int
zip_read_entry(struct strip_ctx *ctx, const struct zip_entry *e,
    struct sbuf *out)
{
	uint64_t limit;
	size_t start = out->len;
	int rc;

	limit = e->usize < ctx->expand_budget ? e->usize : ctx->expand_budget;
	if (e->method == 0) {
		if (e->csize != e->usize)
			return strip_fail(ctx, STRIP_FAIL, "zip member size "
			    "wrong");
		if (e->usize > limit)
			return strip_fail(ctx, STRIP_FAIL, "zip members "
			    "expand too much");
		if (sbuf_put(out, e->cdata, (size_t)e->csize) != 0)
			return strip_fail(ctx, STRIP_FAIL, "zip member too "
			    "large");
	} else if (e->method == 8) {
		if ((rc = inflate_into(ctx, e, limit, out)) != STRIP_OK)
			return rc;
	} else
		return strip_fail(ctx, STRIP_UNSUPPORTED, "zip compression "
		    "method not supported");
	if ((out->len > start ? crc32(0, out->p + start,
	    (uInt)(out->len - start)) : 0) != e->crc) {
		out->len = start;
		return strip_fail(ctx, STRIP_FAIL, "zip member checksum "
		    "wrong");
	}
	ctx->expand_budget -= e->usize;
	return STRIP_OK;
}

/* ---- writing ------------------------------------------------------ */

void
zip_writer_init(struct zip_writer *w, struct sbuf *out, size_t max)
{
	w->out = out;
	sbuf_init(&w->cdir, max);
	w->count = 0;
}

/* Bit 11 (names are UTF-8) only for names that are valid UTF-8 with
 * some non-ASCII byte: a legacy CP437 name keeps its reading. */
static uint16_t
utf8_flag(const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	int wide = 0, more;

	while (*p) {
		if (*p < 0x80) {
			p++;
			continue;
		}
		wide = 1;
		if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			more = 1;
		else if ((*p & 0xf0) == 0xe0)
			more = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4)
			more = 3;
		else
			return 0;
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return wide ? FL_UTF8 : 0;
}

/* The fields local and central headers share, from "version needed". */
static void
put_common(struct sbuf *b, uint16_t flags, uint16_t method, uint32_t crc,
    uint32_t csize, uint32_t usize, uint16_t nlen)
{
	sbuf_put_le16(b, VERSION);
	sbuf_put_le16(b, flags);
	sbuf_put_le16(b, method);
	sbuf_put_le16(b, DOS_TIME_0);
	sbuf_put_le16(b, DOS_DATE_1980);
	sbuf_put_le32(b, crc);
	sbuf_put_le32(b, csize);
	sbuf_put_le32(b, usize);
	sbuf_put_le16(b, nlen);
	sbuf_put_le16(b, 0);	/* no extra field */
}

static int
put_central(struct zip_writer *w, const char *name, size_t nlen,
    uint16_t flags, uint16_t method, uint32_t crc, uint64_t csize,
    uint64_t usize, size_t off)
{
	struct sbuf *c = &w->cdir;

	sbuf_put_le32(c, CEN_SIG);
	sbuf_put_le16(c, VERSION);	/* made by MS-DOS, 2.0 */
	put_common(c, flags, method, crc, (uint32_t)csize, (uint32_t)usize,
	    (uint16_t)nlen);
	sbuf_put_le16(c, 0);	/* comment */
	sbuf_put_le16(c, 0);	/* disk */
	sbuf_put_le16(c, 0);	/* internal attributes */
	sbuf_put_le32(c, 0);	/* external attributes */
	sbuf_put_le32(c, (uint32_t)off);
	sbuf_put(c, name, nlen);
	w->count++;
	return c->err || w->out->err ? STRIP_FAIL : STRIP_OK;
}

/* Headers for an entry whose sizes fit 32 bits, at a 32-bit offset. */
static int
fits(const struct zip_writer *w, size_t nlen, uint64_t csize, uint64_t usize)
{
	return nlen > 0 && nlen <= ZIP_NAME_MAX && csize < 0xffffffffU &&
	    usize < 0xffffffffU && w->out->len < 0xffffffffU &&
	    w->count < 0xffff;
}

int
zip_add_raw(struct zip_writer *w, const struct zip_entry *e)
{
	struct sbuf *o = w->out;
	size_t off = o->len;
	uint16_t flags = e->flags & FL_UTF8;

	if ((e->method != 0 && e->method != 8) ||
	    !fits(w, e->name_len, e->csize, e->usize))
		return STRIP_FAIL;
	sbuf_put_le32(o, LOC_SIG);
	put_common(o, flags, e->method, e->crc, (uint32_t)e->csize,
	    (uint32_t)e->usize, (uint16_t)e->name_len);
	sbuf_put(o, e->name, e->name_len);
	sbuf_put(o, e->cdata, (size_t)e->csize);
	return put_central(w, e->name, e->name_len, flags, e->method, e->crc,
	    e->csize, e->usize, off);
}

/* Deflate data onto out; *csize gets the compressed length. -1 when it
 * does not shrink or on error (out is left as it was). */
static int
deflate_onto(struct sbuf *o, const uint8_t *data, size_t len,
    uint64_t *csize)
{
	z_stream zs;
	size_t start = o->len;
	size_t step;
	int rc = -1, zr = Z_OK;

	memset(&zs, 0, sizeof(zs));
	if (len >= 0xffffffffU || deflateInit2(&zs, Z_DEFAULT_COMPRESSION,
	    Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	zs.next_in = (Bytef *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	/* In steps: the output grows with what deflate makes, never to the
	 * worst-case bound at once (a 20 MB part that deflates to 1 MB
	 * must fit an output capped near the input's size). */
	while (zr != Z_STREAM_END) {
		if (o->len - start >= len)
			goto out;	/* no gain: the caller stores it */
		step = o->max - o->len < DEFLATE_STEP ? o->max - o->len :
		    DEFLATE_STEP;
		if (step == 0 || sbuf_reserve(o, step) != 0) {
			o->err = 0;	/* a stored copy may still fit */
			goto out;
		}
		zs.next_out = o->p + o->len;
		zs.avail_out = (uInt)step;
		zr = deflate(&zs, Z_FINISH);
		if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR)
			goto out;
		o->len += step - zs.avail_out;
	}
	if (zs.total_out >= len)
		goto out;
	*csize = zs.total_out;
	rc = 0;
out:
	deflateEnd(&zs);
	if (rc != 0)
		o->len = start;
	return rc;
}

int
zip_add(struct zip_writer *w, const char *name, const uint8_t *data,
    size_t len, int compress)
{
	struct sbuf *o = w->out;
	size_t off = o->len, nlen = strlen(name), hdr;
	uint16_t flags = utf8_flag(name), method = 0;
	uint32_t crc;
	uint64_t csize = len;

	if (!fits(w, nlen, len, len))
		return STRIP_FAIL;
	crc = (uint32_t)crc32(0, data, (uInt)len);
	sbuf_put_le32(o, LOC_SIG);
	put_common(o, flags, 0, crc, (uint32_t)len, (uint32_t)len,
	    (uint16_t)nlen);
	sbuf_put(o, name, nlen);
	hdr = o->len;
	if (o->err)
		return STRIP_FAIL;
	if (compress && len > 0 && deflate_onto(o, data, len, &csize) == 0) {
		method = 8;
		wr_le16(o->p + off + 8, method);
		wr_le32(o->p + off + 18, (uint32_t)csize);
	} else
		sbuf_put(o, data, len);
	if (o->err || (method == 8 && o->len - hdr != csize))
		return STRIP_FAIL;
	return put_central(w, name, nlen, flags, method, crc, csize, len,
	    off);
}

int
zip_writer_finish(struct zip_writer *w)
{
	struct sbuf *o = w->out;
	size_t cdoff = o->len;

	if (cdoff >= 0xffffffffU || w->cdir.len >= 0xffffffffU ||
	    w->count > 0xfffe)
		return STRIP_FAIL;
	sbuf_put(o, w->cdir.p, w->cdir.len);
	sbuf_put_le32(o, END_SIG);
	sbuf_put_le16(o, 0);
	sbuf_put_le16(o, 0);
	sbuf_put_le16(o, (uint16_t)w->count);
	sbuf_put_le16(o, (uint16_t)w->count);
	sbuf_put_le32(o, (uint32_t)w->cdir.len);
	sbuf_put_le32(o, (uint32_t)cdoff);
	sbuf_put_le16(o, 0);
	return o->err ? STRIP_FAIL : STRIP_OK;
}

void
zip_writer_free(struct zip_writer *w)
{
	sbuf_free(&w->cdir);
}
