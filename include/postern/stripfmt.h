/*
 * stripfmt.h — the contract between the stripper's dispatcher (lib/strip.c)
 * and its format modules (lib/strip/<format>.c).
 *
 * Every format module works on a whole document in memory:
 *
 *     int strip_<format>(struct strip_ctx *ctx, const uint8_t *in,
 *         size_t len, struct sbuf *out);
 *
 * It writes the cleaned document into out and records what it removed in
 * ctx->rep. It returns STRIP_OK (out holds the cleaned document),
 * STRIP_FAIL (the input is damaged, hostile or uses a feature the module
 * cannot clean safely; strip_fail() said why) or STRIP_UNSUPPORTED (the
 * type is right but this variant is not handled; strip_fail() said which).
 * On anything but STRIP_OK the caller discards out.
 *
 * These functions run inside the sandbox (include/postern/sandbox.h): no
 * file, socket, clock, thread or stdio; memory comes from malloc. They must
 * also be safe to run outside it, on any bytes (the fuzz targets and unit
 * tests call them directly): every length read from the input is checked
 * against the bytes that remain before it is used.
 *
 * Report entries are static strings chosen by the module ("EXIF",
 * "PDF Info dictionary", "OOXML docProps/core.xml"), never bytes copied
 * from the document: a field's name in the input, a zip member's name or a
 * keyword could itself hold what the source wants gone.
 */
#ifndef POSTERN_STRIPFMT_H
#define POSTERN_STRIPFMT_H

#include <stddef.h>
#include <stdint.h>

#define STRIP_OK 0
#define STRIP_FAIL (-1)
#define STRIP_UNSUPPORTED (-2)

/* Caps on the report. Past them, entries are dropped (and counted). */
#define STRIP_REP_REMOVED_MAX 64
#define STRIP_REP_WARN_MAX 16

/* Nesting of containers (a zip in a zip, a document in a zip). */
#define STRIP_DEPTH_MAX 4

/* A growable output buffer with a hard cap. After a failed put, err is
 * set and every later put fails too, so a module can check once. */
struct sbuf {
	uint8_t *p;
	size_t len;
	size_t cap;
	size_t max;		/* never grows past this many bytes */
	int err;
};

struct strip_report {
	const char *removed[STRIP_REP_REMOVED_MAX];
	unsigned count[STRIP_REP_REMOVED_MAX]; /* times each was removed */
	size_t nremoved;
	const char *warn[STRIP_REP_WARN_MAX];
	size_t nwarn;
	const char *kept[STRIP_REP_WARN_MAX]; /* parts left as they were */
	size_t nkept;
	unsigned dropped;	/* entries past the caps */
	const char *fail;	/* why not cleaned, for STRIP_FAIL/UNSUPPORTED */
};

struct strip_ctx {
	struct strip_report rep;
	int depth;		/* 0 for the uploaded file itself */
	size_t out_max;		/* cap for any one output sbuf */
	uint64_t expand_budget;	/* bytes containers may still inflate in
				   all (zip members, compressed streams) */
	unsigned members_budget; /* archive members still allowed in all */
	void *magic;		/* a loaded libmagic cookie, or NULL */
};

/* sbuf: init with a cap; free wipes nothing (the child's memory dies with
 * it) but resets the struct. put/putc/fill return 0 or -1 (err set). */
void sbuf_init(struct sbuf *, size_t max);
int sbuf_reserve(struct sbuf *, size_t more);
int sbuf_put(struct sbuf *, const void *, size_t);
int sbuf_putc(struct sbuf *, uint8_t);
int sbuf_fill(struct sbuf *, uint8_t byte, size_t n);
int sbuf_put_be16(struct sbuf *, uint16_t);
int sbuf_put_be32(struct sbuf *, uint32_t);
int sbuf_put_le16(struct sbuf *, uint16_t);
int sbuf_put_le32(struct sbuf *, uint32_t);
void sbuf_free(struct sbuf *);

/* The cap for a container's working buffers (an inflated member, its
 * cleaned form before it is deflated again): a member that compresses well
 * inflates past the output cap, up to the expansion budget. Memory stays
 * bounded by the sandbox's address-space limit. */
size_t strip_work_max(const struct strip_ctx *);

/* Big- and little-endian reads from a buffer the caller bounds-checked. */
uint16_t rd_be16(const uint8_t *);
uint32_t rd_be32(const uint8_t *);
uint64_t rd_be64(const uint8_t *);
uint16_t rd_le16(const uint8_t *);
uint32_t rd_le32(const uint8_t *);
void wr_be16(uint8_t *, uint16_t);
void wr_be32(uint8_t *, uint32_t);
void wr_le16(uint8_t *, uint16_t);
void wr_le32(uint8_t *, uint32_t);

/* Report: what, as a static string. removed() counts repeats. */
void strip_removed(struct strip_ctx *, const char *what);
void strip_warn(struct strip_ctx *, const char *what);
/* A part the module could not clean and kept as it was (an embedded
 * file of an unsupported type, a damaged image inside a PDF): the
 * document still counts as cleaned, but says it may not be whole. */
void strip_kept(struct strip_ctx *, const char *what);
/* Record why the document was not cleaned; returns rc (STRIP_FAIL or
 * STRIP_UNSUPPORTED) so a module can `return strip_fail(ctx, STRIP_FAIL,
 * "PNG chunk runs past the end")`. The first reason wins. */
int strip_fail(struct strip_ctx *, int rc, const char *why);

/* The formats. */
enum strip_format {
	SF_UNKNOWN = 0,
	SF_TEXT,	/* text/plain, text/csv: passed through */
	SF_JPEG,
	SF_PNG,
	SF_GIF,
	SF_WEBP,
	SF_TIFF,
	SF_HEIF,
	SF_SVG,
	SF_PDF,
	SF_OOXML,
	SF_ODF,
	SF_MP3,
	SF_FLAC,
	SF_MP4,
	SF_ZIP,
	SF_COUNT
};

/* The format of a document, from its bytes: libmagic through ctx->magic
 * when set, else built-in signatures. mime receives the MIME type
 * ("application/octet-stream" when unknown; "" and SF_UNKNOWN when it
 * does not fit in mime_len). */
enum strip_format strip_detect(struct strip_ctx *, const uint8_t *in,
    size_t len, char *mime, size_t mime_len);

/* Map a MIME type to a format; SF_UNKNOWN when none cleans it. */
enum strip_format strip_format_of_mime(const char *mime);

/* The short name of a format ("jpeg", "pdf", ...). */
const char *strip_format_name(enum strip_format);

/* Clean one document of a known format (the dispatcher; containers call
 * it for their members with ctx->depth raised). */
int strip_document(struct strip_ctx *, enum strip_format, const uint8_t *in,
    size_t len, struct sbuf *out);

/* The format modules. */
int strip_text(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_jpeg(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_png(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_gif(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_webp(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_tiff(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_heif(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_svg(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_pdf(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_ooxml(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_odf(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_mp3(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_flac(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_mp4(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);
int strip_zip(struct strip_ctx *, const uint8_t *, size_t, struct sbuf *);

/* Warm-ups that need system calls the sandbox forbids; run once in the
 * child before the filter (and harmless to run outside a sandbox). */
void strip_pdf_prep(void);
void strip_xml_prep(void);

#endif
