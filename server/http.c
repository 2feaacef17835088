/*
 * http.c — requests and responses: routing, the source pages, the upload
 * request's life, and the headers every response carries.
 *
 * Nothing here logs or stores the client's address, User-Agent, or the
 * exact time of a request.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>
#include <time.h>

#include <sodium.h>

#include "posternd.h"

#define POST_BUFFER (16 * 1024)   /* the post processor's buffer */
#define PAGE_VARS_MAX 16
#define HEADERS_MAX (16 * 1024)  /* our cap on a request's headers: 431 */
#define NEWSROOM "the newsroom"

enum route { R_INDEX, R_CSS, R_FAVICON, R_SUBMIT, R_NOT_FOUND, R_METHOD };

struct request {
	enum route route;
	const char *allow;          /* for 405 */
	unsigned early;             /* 400 or 431 before any route, or 0 */
	int answered;               /* a response is queued */
	struct submission *sub;     /* R_SUBMIT */
	uint64_t discarded;         /* body bytes dropped after an error */
};

static const struct {
	unsigned status;
	const char *title;
	const char *message;
} errors[] = {
	[IE_NONE] = { 500, "Something went wrong", "" },
	[IE_MALFORMED] = { 400, "The upload was damaged",
	    "The form data did not arrive complete. Nothing was kept. "
	    "Please go back and try again." },
	[IE_EMPTY] = { 400, "Nothing to send",
	    "Please write a message or choose at least one file." },
	[IE_TOKEN] = { 403, "The form has expired",
	    "For your safety the form is only valid for a limited time. "
	    "Nothing was kept. Please go back, reload the page and send "
	    "again." },
	[IE_FILE_TOO_LARGE] = { 413, "A file is too large",
	    "One of the files is larger than this server accepts. Nothing "
	    "was kept. You can split the file, or send it in parts." },
	[IE_TOO_MANY_FILES] = { 413, "Too many files",
	    "This server accepts a limited number of files at once. Nothing "
	    "was kept. Please send the files in several submissions, or put "
	    "them in one archive." },
	[IE_TOO_LARGE] = { 413, "The upload is too large",
	    "Together the files are larger than this server accepts at once. "
	    "Nothing was kept. Please send them in several submissions." },
	[IE_MESSAGE_TOO_LARGE] = { 413, "The message is too long",
	    "Nothing was kept. Please shorten the message, or put the text "
	    "in a file." },
	[IE_BUSY] = { 503, "The server is busy",
	    "Too many uploads are in progress. Nothing was kept. Please try "
	    "again in a few minutes." },
	[IE_DISK] = { 507, "The server is out of space",
	    "The server cannot store your submission right now. Nothing was "
	    "kept. Please try again later." },
	[IE_INTERNAL] = { 500, "Something went wrong",
	    "The server could not store your submission. Nothing was kept. "
	    "Please try again later." },
	/* page_uncleanable names the file; this is its fallback. */
	[IE_UNCLEANABLE] = { 415, "A file could not be cleaned",
	    "One of your files could not be cleaned of identifying data, and "
	    "this server does not accept such files. Nothing was kept." },
};

/* Headers on every response. */
static void
add_headers(struct MHD_Response *r, const char *ctype)
{
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Content-Security-Policy",
	    "default-src 'none'; style-src 'self'; img-src 'self'; "
	    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Cross-Origin-Resource-Policy",
	    "same-origin");
}

/* Pages may hold file names: wipe them when libmicrohttpd is done. */
static void
wipe_free(void *p)
{
	if (p != NULL) {
		sodium_memzero(p, strlen(p));
		free(p);
	}
}

static enum MHD_Result
respond(struct MHD_Connection *c, unsigned status, const char *ctype, char *body,
    size_t len, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (body == NULL) {
		status = 500;
		ctype = "text/plain; charset=utf-8";
		body = strdup("Internal error\n");
		len = body ? strlen(body) : 0;
	}
	r = MHD_create_response_from_buffer_with_free_callback(len, body,
	    wipe_free);
	if (r == NULL) {
		wipe_free(body);
		return MHD_NO;
	}
	add_headers(r, ctype);
	if (allow != NULL)
		MHD_add_response_header(r, "Allow", allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* Each language's name in itself, for the language chooser. */
static const char *
lang_name(const char *code)
{
	static const struct {
		const char *code, *name;
	} names[] = {
		{ "ar", "\u0627\u0644\u0639\u0631\u0628\u064a\u0629" },
		{ "de", "Deutsch" }, { "en", "English" },
		{ "es", "Espa\u00f1ol" }, { "fr", "Fran\u00e7ais" },
		{ "it", "Italiano" }, { "pt", "Portugu\u00eas" },
		{ "ru", "\u0420\u0443\u0441\u0441\u043a\u0438\u0439" },
		{ "tr", "T\u00fcrk\u00e7e" }, { "uk",
		    "\u0423\u043a\u0440\u0430\u0457\u043d\u0441\u044c\u043a\u0430" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i].code, code) == 0)
			return names[i].name;
	return code;
}

/* The language links for the layout: one list item per language. */
static char *
lang_links(const struct server *srv, const char *current)
{
	const char *codes[TEMPLATE_LANGS_MAX];
	size_t n = template_langs(srv->tpl, codes, TEMPLATE_LANGS_MAX), i, len;
	char *out, *p;
	int w;

	len = 1 + n * 160;
	if ((out = malloc(len)) == NULL)
		return NULL;
	p = out;
	*p = '\0';
	for (i = 0; i < n; i++) {
		/* Codes are checked at load time: [a-z-A-Z] only. */
		if (strcmp(codes[i], current) == 0)
			w = snprintf(p, len - (size_t)(p - out),
			    "<li><span aria-current=\"true\" lang=\"%s\">%s"
			    "</span></li>", codes[i], lang_name(codes[i]));
		else
			w = snprintf(p, len - (size_t)(p - out),
			    "<li><a href=\"./?lang=%s\" hreflang=\"%s\" "
			    "lang=\"%s\">%s</a></li>", codes[i], codes[i],
			    codes[i], lang_name(codes[i]));
		if (w < 0 || (size_t)w >= len - (size_t)(p - out))
			break;
		p += w;
	}
	return out;
}

/* Render page name into the layout. */
static char *
render(const struct server *srv, const char *lang, const char *name,
    const char *title, const struct template_var *vars, size_t nvars,
    size_t *len)
{
	struct template_var lv[4], all[PAGE_VARS_MAX];
	char *body, *links, *page = NULL;
	size_t blen;

	/* Every page may use the language and the newsroom's name. */
	if (nvars > PAGE_VARS_MAX - 2)
		return NULL;
	memcpy(all, vars, nvars * sizeof(*vars));
	all[nvars++] = (struct template_var){ "lang", lang, 0 };
	all[nvars++] = (struct template_var){ "newsroom", NEWSROOM, 0 };
	if ((body = template_render(srv->tpl, lang, name, all, nvars,
	    &blen)) == NULL) {
		log_msg("cannot render page %s/%s", lang, name);
		return NULL;
	}
	if ((links = lang_links(srv, lang)) != NULL) {
		lv[0] = (struct template_var){ "title", title, 0 };
		lv[1] = (struct template_var){ "lang", lang, 0 };
		lv[2] = (struct template_var){ "lang_links", links, 1 };
		lv[3] = (struct template_var){ "body", body, 1 };
		page = template_render(srv->tpl, lang, "layout", lv, 4, len);
		free(links);
	}
	sodium_memzero(body, blen);
	free(body);
	return page;
}

static void
human_size(char *buf, size_t len, uint64_t n)
{
	if (n >= (1ULL << 30) && n % (1ULL << 30) == 0)
		snprintf(buf, len, "%" PRIu64 " GB", n >> 30);
	else if (n >= (1ULL << 20))
		snprintf(buf, len, "%" PRIu64 " MB", n >> 20);
	else if (n >= 1024)
		snprintf(buf, len, "%" PRIu64 " KB", n >> 10);
	else
		snprintf(buf, len, "%" PRIu64 " bytes", n);
}

static enum MHD_Result
page_error(struct MHD_Connection *c, const struct server *srv,
    const char *lang, enum intake_err e)
{
	char status[8], *page;
	size_t len = 0;
	struct template_var v[3];

	snprintf(status, sizeof(status), "%u", errors[e].status);
	v[0] = (struct template_var){ "status", status, 0 };
	v[1] = (struct template_var){ "title", errors[e].title, 0 };
	v[2] = (struct template_var){ "message", errors[e].message, 0 };
	page = render(srv, lang, "error", errors[e].title, v, 3, &len);
	return respond(c, errors[e].status, "text/html; charset=utf-8", page, len,
	    NULL);
}

static enum MHD_Result
page_simple_error(struct MHD_Connection *c, const struct server *srv,
    const char *lang, unsigned status, const char *title, const char *msg,
    const char *allow)
{
	char st[8], *page;
	size_t len = 0;
	struct template_var v[3];

	snprintf(st, sizeof(st), "%u", status);
	v[0] = (struct template_var){ "status", st, 0 };
	v[1] = (struct template_var){ "title", title, 0 };
	v[2] = (struct template_var){ "message", msg, 0 };
	page = render(srv, lang, "error", title, v, 3, &len);
	return respond(c, status, "text/html; charset=utf-8", page, len, allow);
}

#define UNCLEANABLE_STORED "Other kinds of files, and files that cannot " \
	"be read properly, are stored as you send them, with their hidden " \
	"information. They are marked so that the journalists know. Your " \
	"receipt says, file by file, whether the hidden information was " \
	"removed. If you can, remove it yourself from such a file before you " \
	"send, for example by printing it to a new PDF or taking a screenshot."
#define UNCLEANABLE_REFUSED "Other kinds of files, and files that cannot " \
	"be read properly, are not accepted: if you send one, nothing is " \
	"kept and the page tells you which file it was. Remove the hidden " \
	"information from such a file yourself, for example by printing it " \
	"to a new PDF or taking a screenshot, and send that instead."
#define ORIGINALS_KEPT "<li>This newsroom also keeps, locked in the same " \
	"way, an untouched copy of every file with its hidden information, " \
	"in case it has to show that a document is genuine. If that copy " \
	"could identify you, remove the hidden information yourself before " \
	"you send.</li>\n"

static enum MHD_Result
page_index(struct MHD_Connection *c, const struct server *srv,
    const char *lang)
{
	char token[CSRF_TOKEN_LEN + 1], maxfile[32], maxfiles[16], maxall[32];
	char *page;
	size_t len = 0;
	struct template_var v[6];

	csrf_make(srv->csrf, time(NULL), token);
	human_size(maxfile, sizeof(maxfile), srv->cfg->max_file_size);
	human_size(maxall, sizeof(maxall), srv->cfg->max_submission_size);
	snprintf(maxfiles, sizeof(maxfiles), "%u", srv->cfg->max_files);
	v[0] = (struct template_var){ "token", token, 0 };
	v[1] = (struct template_var){ "max_file_size", maxfile, 0 };
	v[2] = (struct template_var){ "max_files", maxfiles, 0 };
	v[3] = (struct template_var){ "max_submission_size", maxall, 0 };
	/* What the config does with files it cannot clean, and whether it
	 * keeps originals: a source must know before sending. */
	v[4] = (struct template_var){ "uncleanable_note",
	    srv->cfg->uncleanable == CONFIG_UNCLEANABLE_REFUSE ?
	    UNCLEANABLE_REFUSED : UNCLEANABLE_STORED, 0 };
	v[5] = (struct template_var){ "originals_note",
	    srv->cfg->keep_original ? ORIGINALS_KEPT : "", 1 };
	page = render(srv, lang, "index", "Send documents securely", v, 6,
	    &len);
	return respond(c, 200, "text/html; charset=utf-8", page, len, NULL);
}

/* Some part of a cleaned file was kept as it was (an attachment of a
 * type Postern cannot clean, a damaged image inside a PDF). */
static int
partly(const struct upload *u)
{
	return u->strip != NULL && u->strip->nkept > 0;
}

static const char *
file_status(const struct upload *u)
{
	if (!u->cleaned)
		return "NOT cleaned: stored as uploaded, with its metadata";
	if (partly(u))
		return "metadata removed, except from parts that could not be "
		    "checked (the journalists are told which)";
	return "metadata removed";
}

/* The receipt: one list item per file, every value escaped. */
static char *
file_rows(const struct submission *s)
{
	size_t i, cap = 1, used = 0;
	char *out, size[32];

	for (i = 0; i < s->nfiles; i++)
		cap += 6 * strlen(s->files[i]->name) + 256;
	cap += 32;
	if ((out = malloc(cap)) == NULL)
		return NULL;
	if (s->nfiles == 0)
		snprintf(out, cap, "<li>No files</li>\n");
	else
		out[0] = '\0';
	for (i = 0; i < s->nfiles; i++) {
		const struct upload *u = s->files[i];
		char *name = template_escape(u->name);
		int w;
		if (name == NULL) {
			wipe_free(out);
			return NULL;
		}
		human_size(size, sizeof(size), u->size);
		w = snprintf(out + used, cap - used,
		    "<li><span class=\"file-name\">%s</span> "
		    "<span class=\"file-size\">%s</span> "
		    "<span class=\"file-status %s\">%s</span></li>\n", name,
		    size, u->cleaned && !partly(u) ? "ok" : "warn",
		    file_status(u));
		wipe_free(name);
		if (w < 0 || (size_t)w >= cap - used)
			break;
		used += (size_t)w;
	}
	return out;
}

static enum MHD_Result
page_receipt(struct MHD_Connection *c, const struct submission *s)
{
	char *rows, *page = NULL, count[16];
	size_t len = 0;
	struct template_var v[3];

	snprintf(count, sizeof(count), "%zu", s->nfiles);
	if ((rows = file_rows(s)) != NULL) {
		v[0] = (struct template_var){ "file_rows", rows, 1 };
		v[1] = (struct template_var){ "message_status",
		    s->message_len > 0 ? "Your message was received." :
		    "You did not write a message.", 0 };
		v[2] = (struct template_var){ "file_count", count, 0 };
		page = render(s->srv, s->lang, "receipt",
		    "Your submission was received", v, 3, &len);
		wipe_free(rows);
	}
	return respond(c, 200, "text/html; charset=utf-8", page, len, NULL);
}

static const char *
choose_lang(struct MHD_Connection *c, const struct server *srv)
{
	const char *l = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "lang");

	if (l != NULL && template_has_lang(srv->tpl, l))
		return l;
	return srv->cfg->default_lang;
}

static enum route
route(const char *url, const char *method, const char **allow)
{
	int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
	int post = strcmp(method, "POST") == 0;

	if (strcmp(url, "/") == 0 || strcmp(url, "/index.html") == 0) {
		*allow = "GET, HEAD";
		return get ? R_INDEX : R_METHOD;
	}
	if (strcmp(url, "/style.css") == 0) {
		*allow = "GET, HEAD";
		return get ? R_CSS : R_METHOD;
	}
	/* Browsers ask for it on every page: an empty answer, not a 404. */
	if (strcmp(url, "/favicon.ico") == 0) {
		*allow = "GET, HEAD";
		return get ? R_FAVICON : R_METHOD;
	}
	if (strcmp(url, "/submit") == 0) {
		*allow = "POST";
		return post ? R_SUBMIT : R_METHOD;
	}
	return R_NOT_FOUND;
}

/* The first call of an upload: the headers are in, the body is not. */
static enum intake_err
upload_begin(struct MHD_Connection *c, struct server *srv, struct request *rq,
    const char *lang)
{
	const char *cl, *ct;
	struct statvfs vfs;
	uint64_t length = 0;
	struct submission *s;

	if ((s = rq->sub = submission_new(srv, lang)) == NULL)
		return IE_INTERNAL;
	if (atomic_fetch_add(&srv->uploads, 1) >= srv->cfg->max_uploads) {
		atomic_fetch_sub(&srv->uploads, 1);
		return IE_BUSY;
	}
	s->holds_slot = 1;
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (cl != NULL)
		length = strtoull(cl, NULL, 10);
	if (length > srv->cfg->max_submission_size)
		return IE_TOO_LARGE;
	if (statvfs(srv->cfg->state_dir, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize <
	    srv->cfg->min_free_disk + length)
		return IE_DISK;
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ct == NULL || strncasecmp(ct, "multipart/form-data", 19) != 0)
		return IE_MALFORMED; /* the form sends nothing else */
	s->pp = MHD_create_post_processor(c, POST_BUFFER, intake_iterate, s);
	if (s->pp == NULL)
		return IE_MALFORMED;
	return IE_NONE;
}

/*
 * After an error the body is read and dropped, up to twice the largest
 * request we accept, so that a browser gets to show the error page (a
 * browser still sending when the server answers and closes shows a reset
 * connection instead). A client that announced its body with "Expect:
 * 100-continue", or whose declared length is past that bound, gets its
 * answer at once, before any body is sent.
 */
static uint64_t
discard_bound(const struct server *srv)
{
	return 2 * srv->cfg->max_submission_size;
}

static int
answer_now(struct MHD_Connection *c, const struct server *srv)
{
	const char *expect, *cl, *te;

	expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_EXPECT);
	cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	te = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (expect != NULL && strcasecmp(expect, "100-continue") == 0)
		return 1;
	if (cl != NULL)
		return strtoull(cl, NULL, 10) > discard_bound(srv);
	return te == NULL; /* no body at all */
}

/* uncleanable = refuse: the page names the file the source chose, in
 * plain text (the template escapes it). */
static enum MHD_Result
page_uncleanable(struct MHD_Connection *c, const struct submission *s)
{
	const struct upload *u = s->refused;
	size_t len = strlen(u->name) + 256;
	enum MHD_Result ret;
	char *msg;

	if ((msg = malloc(len)) == NULL)
		return page_error(c, s->srv, s->lang, IE_UNCLEANABLE);
	snprintf(msg, len, "The file \"%s\" could not be cleaned of "
	    "identifying data, and this server does not accept such files. "
	    "Nothing was kept: no file and no message. You can send it "
	    "again without that file, or in another format.", u->name);
	ret = page_simple_error(c, s->srv, s->lang, 415,
	    errors[IE_UNCLEANABLE].title, msg, NULL);
	wipe_free(msg);
	return ret;
}

static enum MHD_Result
upload_end(struct MHD_Connection *c, struct server *srv, struct submission *s)
{
	int ok;

	if (intake_end(s) != 0)
		return page_error(c, srv, s->lang, s->err);
	sem_wait(&srv->workers);
	ok = pipeline_run(s) == 0;
	sem_post(&srv->workers);
	if (!ok && s->err == IE_UNCLEANABLE && s->refused != NULL)
		return page_uncleanable(c, s);
	if (!ok) {
		s->err = IE_INTERNAL;
		return page_error(c, srv, s->lang, IE_INTERNAL);
	}
	return page_receipt(c, s);
}

/* The answer for a request whose body (if any) has been read. */
static enum MHD_Result
answer(struct MHD_Connection *c, struct server *srv, struct request *rq,
    const char *lang)
{
	const char *css;
	size_t len;

	rq->answered = 1;
	if (rq->early != 0)
		return page_simple_error(c, srv, lang, rq->early,
		    rq->early == 431 ? "Request too large" : "Bad request",
		    rq->early == 431 ? "The request's headers are too large." :
		    "The request was not understood.", NULL);
	switch (rq->route) {
	case R_SUBMIT:
		if (rq->sub == NULL)
			return page_error(c, srv, lang, IE_INTERNAL);
		if (rq->sub->err != IE_NONE)
			return page_error(c, srv, rq->sub->lang, rq->sub->err);
		return upload_end(c, srv, rq->sub);
	case R_INDEX:
		return page_index(c, srv, lang);
	case R_CSS:
		css = template_css(srv->tpl, &len);
		return respond(c, 200, "text/css; charset=utf-8", strndup(css, len),
		    len, NULL);
	case R_FAVICON:
		return respond(c, 204, "image/x-icon", strdup(""), 0, NULL);
	case R_METHOD:
		return page_simple_error(c, srv, lang, 405,
		    "Method not allowed", "This address does not accept that "
		    "kind of request.", rq->allow);
	case R_NOT_FOUND:
		return page_simple_error(c, srv, lang, 404, "Page not found",
		    "There is no page at this address. The form is on the "
		    "first page.", NULL);
	}
	return MHD_NO;
}

static enum MHD_Result
count_header(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	size_t *total = cls;

	(void)kind;
	*total += strlen(key) + (value ? strlen(value) : 0) + 4;
	return MHD_YES;
}

/* The first call: the headers are in, the body (if any) is not. */
static enum MHD_Result
request_begin(struct MHD_Connection *c, struct server *srv, struct request *rq,
    const char *url, const char *method, const char *version)
{
	const char *lang = choose_lang(c, srv);
	size_t headers = 0;
	enum intake_err e;
	int failed;

	rq->route = route(url, method, &rq->allow);
	MHD_get_connection_values(c, MHD_HEADER_KIND, count_header, &headers);
	if (headers > HEADERS_MAX)
		rq->early = 431;
	else if (strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST) == NULL)
		rq->early = 400;
	else if (rq->route == R_SUBMIT &&
	    (e = upload_begin(c, srv, rq, lang)) != IE_NONE && rq->sub != NULL)
		rq->sub->err = e;
	/* Anything but an upload under way can be answered now. */
	failed = rq->early != 0 || rq->route != R_SUBMIT || rq->sub == NULL ||
	    rq->sub->err != IE_NONE;
	if (failed && answer_now(c, srv))
		return answer(c, srv, rq, lang);
	return MHD_YES;
}

enum MHD_Result
http_handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *data, size_t *size,
    void **con_cls)
{
	struct server *srv = cls;
	struct request *rq = *con_cls;
	struct submission *s;

	if (rq == NULL) {
		if ((rq = calloc(1, sizeof(*rq))) == NULL)
			return MHD_NO;
		*con_cls = rq;
		return request_begin(c, srv, rq, url, method, version);
	}
	if (rq->answered) {
		*size = 0;
		return MHD_YES;
	}
	if (*size > 0) {
		s = rq->sub;
		if (rq->early == 0 && s != NULL && s->err == IE_NONE)
			intake_body(s, data, *size);
		else if ((rq->discarded += *size) > discard_bound(srv))
			return MHD_NO; /* past the bound: close */
		*size = 0;
		return MHD_YES;
	}
	return answer(c, srv, rq, choose_lang(c, srv));
}

void
http_completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (rq == NULL)
		return;
	/* A client that went away mid-upload: its temp files close here,
	 * and with them every trace of it. */
	submission_free(rq->sub);
	free(rq);
	*con_cls = NULL;
}
