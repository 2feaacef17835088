/*
 * svg.c — SVG: the document is rewritten through the XML filter
 * (xmlfilter.c) without <metadata>, <title>, <desc>, RDF, comments,
 * processing instructions, and everything editors leave behind in their
 * own namespaces (Inkscape and Sodipodi document names and export paths,
 * Illustrator's private data, Sketch, Serif). Text stays text.
 *
 * Links to the author's disk (file: URIs, absolute and drive paths) are
 * emptied. Raster images embedded as base64 data: URIs are decoded,
 * cleaned by their own module and encoded again; an image no module
 * cleans is kept with a warning, one whose cleaner fails fails the SVG
 * (a half-cleaned file would look cleaned).
 */
#include <string.h>

#include "postern/stripfmt.h"
#include "postern/xmlfilter.h"

#define SVG_NS "http://www.w3.org/2000/svg"
#define XLINK_NS "http://www.w3.org/1999/xlink"
#define MIME_MAX 128

enum ns_kind {
	NS_OTHER = 0,
	NS_RDF,	  /* RDF, Dublin Core, Creative Commons */
	NS_EDITOR /* Inkscape, Sodipodi, Adobe, Sketch, Serif */
};

static const struct {
	const char *uri;
	int prefix; /* match as a prefix of the URI */
	enum ns_kind kind;
} namespaces[] = {
	{ "http://www.w3.org/1999/02/22-rdf-syntax-ns#", 0, NS_RDF },
	{ "http://purl.org/dc/", 1, NS_RDF },
	{ "http://creativecommons.org/ns#", 0, NS_RDF },
	{ "http://web.resource.org/cc/", 0, NS_RDF },
	{ "adobe:ns:meta/", 0, NS_RDF },
	{ "http://ns.adobe.com/", 1, NS_EDITOR },
	{ "http://www.inkscape.org/namespaces/inkscape", 0, NS_EDITOR },
	{ "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd", 0, NS_EDITOR },
	{ "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd", 0, NS_EDITOR },
	{ "http://www.bohemiancoding.com/sketch/ns", 0, NS_EDITOR },
	{ "http://www.serif.com/", 0, NS_EDITOR },
};

struct svg {
	struct strip_ctx *ctx;
	struct sbuf img; /* a cleaned data: URI, the current repl */
	int failed;
};

static enum ns_kind
ns_kind(const char *uri)
{
	size_t i, n;

	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		n = strlen(namespaces[i].uri);
		if (namespaces[i].prefix
			? strncmp(uri, namespaces[i].uri, n) == 0
			: strcmp(uri, namespaces[i].uri) == 0)
			return namespaces[i].kind;
	}
	return NS_OTHER;
}

static enum xmlf_action
svg_element(void *arg, const char *ns, const char *local, const char **attrs)
{
	struct svg *s = arg;
	const char *what = NULL;

	(void)attrs;
	switch (ns_kind(ns)) {
	case NS_RDF:
		what = "SVG RDF";
		break;
	case NS_EDITOR:
		what = "SVG editor data";
		break;
	case NS_OTHER:
		if (strcmp(ns, SVG_NS) != 0)
			break;
		if (strcmp(local, "metadata") == 0)
			what = "SVG metadata";
		else if (strcmp(local, "title") == 0)
			what = "SVG title";
		else if (strcmp(local, "desc") == 0)
			what = "SVG description";
		break;
	}
	if (what == NULL)
		return XMLF_KEEP;
	strip_removed(s->ctx, what);
	return XMLF_DROP;
}

/* A link into the author's file system: file: URI, absolute path, drive
 * letter path, UNC path. */
static int
local_path(const char *v)
{
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	if (strncasecmp(v, "file:", 5) == 0)
		return 1;
	if (v[0] == '/' || v[0] == '\\' || v[0] == '~')
		return 1;
	return ((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')) &&
	    v[1] == ':' && (v[2] == '/' || v[2] == '\\');
}

static int
b64_val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode base64, skipping white space and stopping at padding. */
static int
b64_decode(const char *s, struct sbuf *out)
{
	uint32_t acc = 0;
	int bits = 0, v;

	for (; *s != '\0' && *s != '='; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			continue;
		if ((v = b64_val((unsigned char)*s)) < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			sbuf_putc(out, (uint8_t)(acc >> bits));
		}
	}
	return out->err ? -1 : 0;
}

static void
b64_encode(const uint8_t *p, size_t n, struct sbuf *out)
{
	static const char al[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "abcdefghijklmnopqrstuvwxyz0123456789+/";
	char q[4];
	uint32_t v;
	size_t i;

	for (i = 0; i < n; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = al[v >> 18 & 63];
		q[1] = al[v >> 12 & 63];
		q[2] = i + 1 < n ? al[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? al[v & 63] : '=';
		sbuf_put(out, q, 4);
	}
}

/* Clean a base64 data: URI into s->img, NUL-terminated. 1: replaced,
 * 0: keep the value as it is (not base64, or no module for it). */
static int
clean_data_uri(struct svg *s, const char *v)
{
	const char *comma = strchr(v, ',');
	struct sbuf raw, clean;
	char mime[MIME_MAX];
	enum strip_format f;
	int rc, done = 0;

	if (comma == NULL || comma - v < 7 ||
	    strncasecmp(comma - 7, ";base64", 7) != 0) {
		strip_kept(s->ctx, "SVG embedded data not in base64");
		return 0;
	}
	sbuf_init(&raw, s->ctx->out_max);
	sbuf_init(&clean, s->ctx->out_max);
	if (b64_decode(comma + 1, &raw) != 0) {
		s->failed = 1;
		strip_fail(s->ctx, STRIP_FAIL, "SVG embedded data: bad base64");
		goto out;
	}
	f = strip_detect(s->ctx, raw.p, raw.len, mime, sizeof(mime));
	rc = strip_document(s->ctx, f, raw.p, raw.len, &clean);
	if (rc == STRIP_UNSUPPORTED) {
		strip_kept(s->ctx, "SVG embedded data of a type not cleaned");
		goto out;
	}
	if (rc != STRIP_OK) {
		s->failed = 1;
		goto out;
	}
	s->img.len = 0;
	sbuf_put(&s->img, v, (size_t)(comma + 1 - v));
	b64_encode(clean.p, clean.len, &s->img);
	sbuf_putc(&s->img, '\0');
	if (s->img.err) {
		s->failed = 1;
		strip_fail(s->ctx, STRIP_FAIL, "SVG embedded data too large");
		goto out;
	}
	strip_removed(s->ctx, "SVG embedded image metadata");
	done = 1;
out:
	sbuf_free(&raw);
	sbuf_free(&clean);
	return done;
}

static int
is_href(const char *ns, const char *local)
{
	return strcmp(local, "href") == 0 &&
	    (*ns == '\0' || strcmp(ns, XLINK_NS) == 0);
}

static enum xmlf_action
svg_attribute(void *arg, const char *elem_ns, const char *elem_local,
    const char *ns, const char *local, const char *value, const char **repl)
{
	struct svg *s = arg;

	(void)elem_ns;
	(void)elem_local;
	switch (ns_kind(ns)) {
	case NS_RDF:
		strip_removed(s->ctx, "SVG RDF");
		return XMLF_DROP;
	case NS_EDITOR:
		strip_removed(s->ctx, "SVG editor data");
		return XMLF_DROP;
	case NS_OTHER:
		break;
	}
	if (!is_href(ns, local))
		return XMLF_KEEP;
	if (local_path(value)) {
		strip_removed(s->ctx, "SVG local file path");
		*repl = "";
		return XMLF_REPLACE;
	}
	if (strncasecmp(value, "data:", 5) == 0 && clean_data_uri(s, value)) {
		*repl = (const char *)s->img.p;
		return XMLF_REPLACE;
	}
	return XMLF_KEEP;
}

static int
svg_nsdecl(void *arg, const char *prefix, const char *uri)
{
	(void)arg;
	(void)prefix;
	return ns_kind(uri) != NS_OTHER;
}

/* The filter does not report what it drops between elements: find
 * comments and processing instructions (the XML declaration aside) in
 * the bytes, for the report only. */
static void
report_markup(struct strip_ctx *ctx, const uint8_t *in, size_t len)
{
	const uint8_t *p = in, *end = in + len;

	if (memmem(in, len, "<!--", 4) != NULL)
		strip_removed(ctx, "SVG comment");
	while ((p = memmem(p, (size_t)(end - p), "<?", 2)) != NULL) {
		if (end - p < 6 || memcmp(p, "<?xml", 5) != 0 ||
		    (p[5] != ' ' && p[5] != '\t' && p[5] != '\r' &&
			p[5] != '\n')) {
			strip_removed(ctx, "SVG processing instruction");
			break;
		}
		p += 2;
	}
}

int
strip_svg(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	struct xmlf_rules r;
	struct svg s;
	int rc;

	memset(&r, 0, sizeof(r));
	memset(&s, 0, sizeof(s));
	s.ctx = ctx;
	sbuf_init(&s.img, ctx->out_max);
	r.element = svg_element;
	r.attribute = svg_attribute;
	r.drop_nsdecl = svg_nsdecl;
	r.arg = &s;
	rc = xmlf_rewrite(ctx, in, len, &r, out);
	if (rc == STRIP_OK && s.failed)
		rc = strip_fail(ctx, STRIP_FAIL,
		    "an embedded image could "
		    "not be cleaned");
	if (rc == STRIP_OK)
		report_markup(ctx, in, len);
	sbuf_free(&s.img);
	return rc;
}
