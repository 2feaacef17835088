/*
 * strip.c — the stripper: which module cleans which type, the sandboxed
 * child that runs it, and the parent's reading of what the child said.
 *
 * The child reads the whole document into memory (its size is announced
 * and capped), asks libmagic for the type, runs the module, and only when
 * the module succeeded writes the cleaned document. Its report is a few
 * lines of printable ASCII:
 *
 *     type <mime>
 *     format <name>
 *     removed <count> <field>
 *     warn <text>
 *     status cleaned|unsupported|failed
 *     reason <text>
 *
 * The parent believes none of it beyond what the sandbox's own outcome
 * confirms: "cleaned" counts only when the child exited 0 within every
 * limit, and each line is checked for length, characters and keyword.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <magic.h>

#include "postern/sandbox.h"
#include "postern/strip.h"
#include "postern/stripfmt.h"

/* Limits for a document of n bytes. Memory covers the input, the output
 * and a container's inflated members; CPU allows a slow parser 4 MiB/s. */
#define MEM_BASE (256ULL << 20)
#define EXPAND_BASE (64ULL << 20)
#define CPU_BASE 10
#define CPU_BYTES_PER_S (4ULL << 20)
#define CPU_MAX 600
#define MEMBERS_MAX 20000

typedef int (*module_fn)(struct strip_ctx *, const uint8_t *, size_t,
    struct sbuf *);

static const struct {
	const char *name;
	module_fn fn;
} modules[SF_COUNT] = {
	[SF_UNKNOWN] = { "", NULL },
	[SF_TEXT] = { "text", strip_text },
	[SF_JPEG] = { "jpeg", strip_jpeg },
	[SF_PNG] = { "png", strip_png },
	[SF_GIF] = { "gif", strip_gif },
	[SF_WEBP] = { "webp", strip_webp },
	[SF_TIFF] = { "tiff", strip_tiff },
	[SF_HEIF] = { "heif", strip_heif },
	[SF_SVG] = { "svg", strip_svg },
	[SF_PDF] = { "pdf", strip_pdf },
	[SF_OOXML] = { "ooxml", strip_ooxml },
	[SF_ODF] = { "odf", strip_odf },
	[SF_MP3] = { "mp3", strip_mp3 },
	[SF_FLAC] = { "flac", strip_flac },
	[SF_MP4] = { "mp4", strip_mp4 },
	[SF_ZIP] = { "zip", strip_zip },
};

/* MIME types as libmagic 5.44 names them; a trailing '*' is a prefix. */
static const struct {
	const char *mime;
	enum strip_format fmt;
} mimes[] = {
	{ "text/plain", SF_TEXT },
	{ "text/csv", SF_TEXT },
	{ "application/csv", SF_TEXT },
	{ "image/jpeg", SF_JPEG },
	{ "image/png", SF_PNG },
	{ "image/gif", SF_GIF },
	{ "image/webp", SF_WEBP },
	{ "image/tiff", SF_TIFF },
	{ "image/heic", SF_HEIF },
	{ "image/heif", SF_HEIF },
	{ "image/avif", SF_HEIF },
	{ "image/svg+xml", SF_SVG },
	{ "image/svg", SF_SVG },
	{ "application/pdf", SF_PDF },
	{ "application/vnd.openxmlformats-officedocument.*", SF_OOXML },
	{ "application/vnd.oasis.opendocument.*", SF_ODF },
	{ "audio/mpeg", SF_MP3 },
	{ "audio/flac", SF_FLAC },
	{ "audio/x-flac", SF_FLAC },
	{ "video/mp4", SF_MP4 },
	{ "video/quicktime", SF_MP4 },
	{ "video/3gpp", SF_MP4 },
	{ "audio/mp4", SF_MP4 },
	{ "audio/x-m4a", SF_MP4 },
	{ "video/x-m4v", SF_MP4 },
	{ "application/zip", SF_ZIP },
};

const char *
strip_format_name(enum strip_format f)
{
	return f > SF_UNKNOWN && f < SF_COUNT ? modules[f].name : "";
}

enum strip_format
strip_format_of_mime(const char *mime)
{
	size_t i, n;

	for (i = 0; i < sizeof(mimes) / sizeof(mimes[0]); i++) {
		n = strlen(mimes[i].mime);
		if (mimes[i].mime[n - 1] == '*' ?
		    strncmp(mime, mimes[i].mime, n - 1) == 0 :
		    strcmp(mime, mimes[i].mime) == 0)
			return mimes[i].fmt;
	}
	return SF_UNKNOWN;
}

static int
has(const uint8_t *in, size_t len, size_t off, const char *sig)
{
	size_t n = strlen(sig);

	return len >= off + n && memcmp(in + off, sig, n) == 0;
}

/* Signatures for when no libmagic cookie is at hand (unit tests, fuzz
 * targets). Deliberately narrow: a miss is "not supported". */
static const char *
sniff(const uint8_t *in, size_t len)
{
	if (has(in, len, 0, "\xff\xd8\xff"))
		return "image/jpeg";
	if (has(in, len, 0, "\x89PNG\r\n\x1a\n"))
		return "image/png";
	if (has(in, len, 0, "GIF87a") || has(in, len, 0, "GIF89a"))
		return "image/gif";
	if (has(in, len, 0, "RIFF") && has(in, len, 8, "WEBP"))
		return "image/webp";
	if (has(in, len, 0, "II*\0") || has(in, len, 0, "MM\0*"))
		return "image/tiff";
	if (has(in, len, 4, "ftypheic") || has(in, len, 4, "ftypheix") ||
	    has(in, len, 4, "ftypmif1") || has(in, len, 4, "ftypavif"))
		return "image/heic";
	if (has(in, len, 4, "ftyp") || has(in, len, 4, "moov") ||
	    has(in, len, 4, "mdat") || has(in, len, 4, "wide"))
		return "video/mp4";
	if (has(in, len, 0, "%PDF-"))
		return "application/pdf";
	if (has(in, len, 0, "PK\3\4"))
		return "application/zip";
	if (has(in, len, 0, "fLaC"))
		return "audio/flac";
	/* ID3v2, or an MPEG audio frame sync with a valid layer. */
	if (has(in, len, 0, "ID3") || (len >= 2 && in[0] == 0xff &&
	    (in[1] & 0xe0) == 0xe0 && (in[1] & 0x06) != 0))
		return "audio/mpeg";
	return "application/octet-stream";
}

enum strip_format
strip_detect(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    char *mime, size_t mime_len)
{
	const char *m = NULL;

	if (ctx->magic != NULL)
		m = magic_buffer(ctx->magic, in, len);
	/* libmagic gives up on some files a module reads (an MP3 whose
	 * ID3v2.4 tag has a footer): then the narrow signatures decide. */
	if (m == NULL || strcmp(m, "application/octet-stream") == 0)
		m = sniff(in, len);
	if (mime_len == 0 || strlen(m) >= mime_len) {
		if (mime_len > 0)
			mime[0] = '\0';
		return SF_UNKNOWN;
	}
	memcpy(mime, m, strlen(m) + 1);
	return strip_format_of_mime(mime);
}

int
strip_document(struct strip_ctx *ctx, enum strip_format f, const uint8_t *in,
    size_t len, struct sbuf *out)
{
	int rc;

	if (f <= SF_UNKNOWN || f >= SF_COUNT || modules[f].fn == NULL)
		return strip_fail(ctx, STRIP_UNSUPPORTED,
		    "no cleaner for this type");
	if (ctx->depth > STRIP_DEPTH_MAX)
		return strip_fail(ctx, STRIP_FAIL, "containers nested too deep");
	ctx->depth++;
	rc = modules[f].fn(ctx, in, len, out);
	ctx->depth--;
	if (rc == STRIP_OK && out->err)
		rc = strip_fail(ctx, STRIP_FAIL, "output too large");
	if (rc != STRIP_OK && ctx->rep.fail == NULL)
		ctx->rep.fail = "the cleaner failed";
	return rc;
}

/* ---- the child ---------------------------------------------------- */

struct child_arg {
	void *magic;
	uint64_t size;		/* bytes announced */
	uint64_t out_max;
	uint64_t expand;
};

/* write() all of it; the only output calls the filter allows. */
static int
put(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static void
rep_line(int rep, const char *key, const char *val)
{
	char line[STRIP_REASON_MAX + 32];
	int n = snprintf(line, sizeof(line), "%s %s\n", key, val);

	if (n > 0 && (size_t)n < sizeof(line))
		put(rep, line, (size_t)n);
}

/* The whole document, at most the size announced: one byte more fails. */
static int
read_all(int in, struct sbuf *b)
{
	uint8_t extra;
	size_t room;
	ssize_t r;

	for (;;) {
		room = b->max - b->len;
		if (room > 65536)
			room = 65536;
		if (room > 0 && sbuf_reserve(b, room) != 0)
			return -1;
		r = room > 0 ? read(in, b->p + b->len, room) :
		    read(in, &extra, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if (room == 0) {
			b->err = 1;
			return -1;
		}
		b->len += (size_t)r;
	}
}

static void
report(int rep, const struct strip_ctx *ctx, int rc)
{
	const struct strip_report *r = &ctx->rep;
	char v[STRIP_FIELD_MAX + 16];
	size_t i;

	for (i = 0; i < r->nremoved; i++) {
		snprintf(v, sizeof(v), "%u %s", r->count[i], r->removed[i]);
		rep_line(rep, "removed", v);
	}
	for (i = 0; i < r->nwarn; i++)
		rep_line(rep, "warn", r->warn[i]);
	for (i = 0; i < r->nkept; i++)
		rep_line(rep, "kept", r->kept[i]);
	if (r->dropped) {
		snprintf(v, sizeof(v), "%u", r->dropped);
		rep_line(rep, "dropped", v);
	}
	rep_line(rep, "status", rc == STRIP_OK ? "cleaned" :
	    rc == STRIP_UNSUPPORTED ? "unsupported" : "failed");
	if (rc != STRIP_OK)
		rep_line(rep, "reason", r->fail ? r->fail : "unknown");
}

static int
child_main(int in, int out, int rep, void *argp)
{
	const struct child_arg *a = argp;
	struct strip_ctx ctx;
	struct sbuf doc, clean;
	enum strip_format f;
	char mime[STRIP_TYPE_MAX + 1];
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.magic = a->magic;
	ctx.out_max = a->out_max;
	ctx.expand_budget = a->expand;
	ctx.members_budget = MEMBERS_MAX;
	sbuf_init(&doc, a->size);
	sbuf_init(&clean, a->out_max);
	if (read_all(in, &doc) != 0) {
		rep_line(rep, "status", "failed");
		rep_line(rep, "reason", doc.err ? "the document is larger "
		    "than announced" : "reading the document failed");
		return 1;
	}
	f = strip_detect(&ctx, doc.p, doc.len, mime, sizeof(mime));
	rep_line(rep, "type", mime);
	if (f != SF_UNKNOWN)
		rep_line(rep, "format", strip_format_name(f));
	rc = strip_document(&ctx, f, doc.p, doc.len, &clean);
	report(rep, &ctx, rc);
	if (rc == STRIP_OK && put(out, clean.p, clean.len) != 0)
		return 1;
	return rc == STRIP_OK ? 0 : 1;
}

static void
child_prep(void *arg)
{
	(void)arg;
	tzset();
	strip_pdf_prep();
	strip_xml_prep();
}

/* ---- the parent --------------------------------------------------- */

struct strip_job {
	struct sandbox *sb;
	struct child_arg arg;
};

static unsigned
cpu_seconds(uint64_t size)
{
	uint64_t cpu = CPU_BASE + size / CPU_BYTES_PER_S;

	return (unsigned)(cpu > CPU_MAX ? CPU_MAX : cpu);
}

unsigned
strip_wall_seconds(uint64_t size)
{
	return SANDBOX_WALL_FACTOR * cpu_seconds(size);
}

struct strip_job *
strip_start(void *magic, uint64_t size, strip_sink_fn sink, void *sink_arg)
{
	struct sandbox_limits lim;
	struct strip_job *j;

	if (size > (1ULL << 40)) {
		errno = EFBIG;
		return NULL;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL)
		return NULL;
	j->arg.magic = magic;
	j->arg.size = size;
	j->arg.out_max = 2 * size + (1 << 20);
	j->arg.expand = EXPAND_BASE + 4 * size;
	lim.cpu_seconds = cpu_seconds(size);
	lim.mem_bytes = MEM_BASE + 3 * size + j->arg.expand;
	lim.out_max = j->arg.out_max;
	j->sb = sandbox_start(&lim, child_prep, child_main, &j->arg, sink,
	    sink_arg);
	if (j->sb == NULL) {
		free(j);
		return NULL;
	}
	return j;
}

int
strip_feed(struct strip_job *j, const uint8_t *buf, size_t len)
{
	return sandbox_feed(j->sb, buf, len);
}

void
strip_abort(struct strip_job *j)
{
	if (j == NULL)
		return;
	sandbox_abort(j->sb);
	free(j);
}

/* Copy a report value if every byte is printable ASCII and it fits. */
static int
take(char *dst, size_t cap, const char *v)
{
	size_t i, n = strlen(v);

	if (n == 0 || n >= cap)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i] < 0x20 || v[i] > 0x7e)
			return -1;
	memcpy(dst, v, n + 1);
	return 0;
}

static int
parse_line(struct strip_outcome *o, char *line, int *status)
{
	char *v = strchr(line, ' '), *end;
	unsigned long c;

	if (v == NULL)
		return -1;
	*v++ = '\0';
	if (strcmp(line, "type") == 0)
		return take(o->type, sizeof(o->type), v);
	if (strcmp(line, "format") == 0)
		return take(o->format, sizeof(o->format), v);
	if (strcmp(line, "reason") == 0)
		return take(o->reason, sizeof(o->reason), v);
	if (strcmp(line, "kept") == 0) {
		if (o->nkept == STRIP_OUT_KEPT_MAX)
			return 0;
		return take(o->kept[o->nkept++], sizeof(o->kept[0]), v);
	}
	if (strcmp(line, "warn") == 0) {
		if (o->nwarn == STRIP_OUT_WARN_MAX)
			return 0;
		return take(o->warn[o->nwarn++], sizeof(o->warn[0]), v);
	}
	if (strcmp(line, "removed") == 0) {
		errno = 0;
		c = strtoul(v, &end, 10);
		if (errno || end == v || *end != ' ' || c == 0 ||
		    c > 1000000000UL || o->nremoved == STRIP_OUT_REMOVED_MAX)
			return -1;
		o->count[o->nremoved] = (unsigned)c;
		return take(o->removed[o->nremoved++], sizeof(o->removed[0]),
		    end + 1);
	}
	if (strcmp(line, "status") == 0) {
		*status = strcmp(v, "cleaned") == 0 ? 0 :
		    strcmp(v, "unsupported") == 0 ? 1 :
		    strcmp(v, "failed") == 0 ? 2 : -1;
		return *status < 0 ? -1 : 0;
	}
	return strcmp(line, "dropped") == 0 ? 0 : -1;
}

/* -1 when the report is malformed: then nothing in it is used. */
static int
parse_report(struct strip_outcome *o, const struct sandbox_result *r,
    int *status)
{
	char buf[SANDBOX_REPORT_MAX + 1], *line, *save = NULL;

	if (memchr(r->report, '\0', r->report_len) != NULL)
		return -1;
	if (r->report_len > 0 && r->report[r->report_len - 1] != '\n')
		return -1;
	memcpy(buf, r->report, r->report_len);
	buf[r->report_len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if (parse_line(o, line, status) != 0)
			return -1;
	return 0;
}

static void
reason(struct strip_outcome *o, const char *prefix, const char *what)
{
	snprintf(o->reason, sizeof(o->reason), "%s%s", prefix, what);
}

/* Each part kept as it was is a warning too, so every reader of the
 * warnings (the manifest, REPORT.txt) sees it. */
static void
fold_kept(struct strip_outcome *o)
{
	size_t i;

	for (i = 0; i < o->nkept && o->nwarn < STRIP_OUT_WARN_MAX; i++)
		snprintf(o->warn[o->nwarn++], sizeof(o->warn[0]),
		    "not cleaned, kept as it was: %s", o->kept[i]);
}

int
strip_finish(struct strip_job *j, struct strip_outcome *o)
{
	struct sandbox_result *r;
	int status = -1, parsed;

	memset(o, 0, sizeof(*o));
	o->status = STRIP_NOT_CLEANED;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		strip_abort(j);
		reason(o, "", "out of memory");
		return -1;
	}
	sandbox_finish(j->sb, r);
	free(j);
	o->out_bytes = r->out_bytes;
	parsed = parse_report(o, r, &status);
	if (parsed != 0) {
		struct strip_outcome blank = { .status = STRIP_NOT_CLEANED };
		*o = blank;
		o->out_bytes = r->out_bytes;
	}
	if (r->outcome == SANDBOX_OK && parsed == 0 && status == 0)
		o->status = STRIP_CLEANED;
	else if (r->outcome == SANDBOX_EXIT && r->code == 1 && parsed == 0 &&
	    status == 1)
		o->status = STRIP_NOT_SUPPORTED;
	else if (r->outcome == SANDBOX_OK || (r->outcome == SANDBOX_EXIT &&
	    r->code == 1)) {
		if (parsed != 0 || o->reason[0] == '\0')
			reason(o, "", "the cleaner's report was malformed");
	} else
		reason(o, "", sandbox_strerror(r->outcome));
	fold_kept(o);
	if (o->status != STRIP_CLEANED && o->reason[0] == '\0')
		reason(o, "", "the cleaner failed");
	free(r);
	return o->status == STRIP_CLEANED ? 0 : -1;
}

/* ---- what the client claimed ----------------------------------------- */

static const struct {
	const char *ext;
	enum strip_format fmt;
} exts[] = {
	{ "txt", SF_TEXT }, { "csv", SF_TEXT }, { "jpg", SF_JPEG },
	{ "jpeg", SF_JPEG }, { "png", SF_PNG }, { "gif", SF_GIF },
	{ "webp", SF_WEBP }, { "tif", SF_TIFF }, { "tiff", SF_TIFF },
	{ "heic", SF_HEIF }, { "heif", SF_HEIF }, { "avif", SF_HEIF },
	{ "svg", SF_SVG }, { "pdf", SF_PDF }, { "docx", SF_OOXML },
	{ "xlsx", SF_OOXML }, { "pptx", SF_OOXML }, { "odt", SF_ODF },
	{ "ods", SF_ODF }, { "odp", SF_ODF }, { "mp3", SF_MP3 },
	{ "flac", SF_FLAC }, { "mp4", SF_MP4 }, { "mov", SF_MP4 },
	{ "m4a", SF_MP4 }, { "zip", SF_ZIP },
};

static void
warn_out(struct strip_outcome *o, const char *w)
{
	if (o->nwarn < STRIP_OUT_WARN_MAX)
		snprintf(o->warn[o->nwarn++], sizeof(o->warn[0]), "%s", w);
}

void
strip_note_claims(struct strip_outcome *o, const char *name,
    const char *claimed)
{
	enum strip_format found = strip_format_of_mime(o->type);
	const char *dot = name ? strrchr(name, '.') : NULL;
	size_t i;

	if (o->type[0] == '\0')
		return;
	for (i = 0; dot != NULL && i < sizeof(exts) / sizeof(exts[0]); i++)
		if (strcasecmp(dot + 1, exts[i].ext) == 0) {
			if (exts[i].fmt != found)
				warn_out(o, "the file name's extension does "
				    "not match the content's type");
			break;
		}
	if (claimed != NULL && claimed[0] != '\0' &&
	    strcasecmp(claimed, "application/octet-stream") != 0 &&
	    strcasecmp(claimed, o->type) != 0 &&
	    strip_format_of_mime(claimed) != found)
		warn_out(o, "the browser's Content-Type does not match the "
		    "content's type");
}

/* ---- presenting an outcome ------------------------------------------ */

int
strip_outcome_text(const struct strip_outcome *o, char *buf, size_t len)
{
	size_t i, at;
	int n;

	if (o->status != STRIP_CLEANED) {
		n = snprintf(buf, len, "NOT CLEANED: %s", o->reason);
		return n < 0 || (size_t)n >= len ? -1 : 0;
	}
	n = snprintf(buf, len, o->nremoved ? "cleaned: removed " :
	    "cleaned: nothing to remove");
	if (n < 0 || (size_t)n >= len)
		return -1;
	for (at = (size_t)n, i = 0; i < o->nremoved; i++) {
		n = o->count[i] > 1 ?
		    snprintf(buf + at, len - at, "%s%s (%u)", i ? ", " : "",
		    o->removed[i], o->count[i]) :
		    snprintf(buf + at, len - at, "%s%s", i ? ", " : "",
		    o->removed[i]);
		if (n < 0 || (size_t)n >= len - at)
			return -1;
		at += (size_t)n;
	}
	for (i = 0; i < o->nwarn; i++) {
		n = snprintf(buf + at, len - at, "%s%s", i ? "; " :
		    "; warnings: ", o->warn[i]);
		if (n < 0 || (size_t)n >= len - at)
			return -1;
		at += (size_t)n;
	}
	return 0;
}

static const char *
status_name(enum strip_status s)
{
	return s == STRIP_CLEANED ? "cleaned" :
	    s == STRIP_NOT_SUPPORTED ? "not supported" : "not cleaned";
}

char *
strip_outcome_json(const struct strip_outcome *o)
{
	json_t *root, *removed, *warn, *kept;
	char *s = NULL;
	size_t i;

	root = json_object();
	removed = json_array();
	warn = json_array();
	kept = json_array();
	if (root == NULL || removed == NULL || warn == NULL || kept == NULL)
		goto out;
	for (i = 0; i < o->nkept; i++)
		json_array_append_new(kept, json_string(o->kept[i]));
	for (i = 0; i < o->nremoved; i++)
		json_array_append_new(removed, json_pack("{s:s,s:I}", "field",
		    o->removed[i], "count", (json_int_t)o->count[i]));
	for (i = 0; i < o->nwarn; i++)
		json_array_append_new(warn, json_string(o->warn[i]));
	json_object_set_new(root, "type", json_string(o->type[0] ? o->type :
	    "unknown"));
	json_object_set_new(root, "format", o->format[0] ?
	    json_string(o->format) : json_null());
	json_object_set_new(root, "status", json_string(status_name(o->status)));
	if (o->status != STRIP_CLEANED)
		json_object_set_new(root, "reason", json_string(o->reason));
	json_object_set(root, "removed", removed);
	json_object_set(root, "warnings", warn);
	json_object_set(root, "kept", kept);
	s = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
out:
	json_decref(removed);
	json_decref(warn);
	json_decref(kept);
	json_decref(root);
	return s;
}
