/*
 * xmlfilter.c — rewrite an XML document through expat under a set of
 * rules (include/postern/xmlfilter.h).
 *
 * expat runs namespace-aware with triplets, so every name arrives as
 * "uri SEP local SEP prefix" and the output can keep the prefix the
 * document used. Namespace declarations are written on the element that
 * made them; one the rules drop is written again, locally, on any kept
 * element or attribute that still uses it, so the output stays
 * well-formed whatever the rules say.
 *
 * Hostile input: no DTD internal subset, no entity declaration, no
 * undefined entity (it would silently drop text), no external entity
 * loading, a cap on depth and on the length of a namespace name (expat
 * copies it into every name of its scope). The hash salt is set by us so
 * expat never opens /dev/urandom inside the sandbox.
 */
#include <expat.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "postern/xmlfilter.h"

#define SEP '\001'	  /* cannot occur in XML 1.0 text */
#define NS_URI_MAX 4096	  /* bytes in one namespace name */
#define NS_SCOPE_MAX 4096 /* namespace declarations in scope */
#define CHUNK (1 << 20)	  /* bytes handed to expat at a time */

/* One name split out of an expat triplet; the strings live in buf. */
struct qname {
	const char *ns;
	const char *local;
	const char *prefix; /* NULL: unprefixed */
};

/* A namespace declaration in scope. */
struct nsdecl {
	char *prefix; /* "" for the default namespace */
	char *uri;
	int depth;   /* of the element that declared it */
	int dropped; /* not written where it was declared */
};

struct xmlf {
	XML_Parser p;
	struct strip_ctx *ctx;
	const struct xmlf_rules *r;
	struct sbuf *out;
	int depth;	/* elements open, kept or not */
	int skip;	/* depth of the dropped element we are in; 0 */
	int open_tag;	/* a start tag still needs its '>' */
	int decl_done;	/* the XML declaration is written */
	int standalone; /* -1 absent, 0 no, 1 yes */
	int in_run;	/* inside a run of character data */
	enum xmlf_action run_act;
	const char *run_repl;
	const char *fail; /* why we stopped the parser */
	struct nsdecl scope[NS_SCOPE_MAX];
	size_t nscope;
	/* Names of the open kept elements, as split_name left them. */
	struct sbuf names;
	size_t name_off[XMLF_DEPTH_MAX + 2];
	int name_parts[XMLF_DEPTH_MAX + 2]; /* 1 local, 2 +ns, 3 +prefix */
	struct sbuf tmp;		    /* scratch for one attribute name */
};

static unsigned long prep_salt;

void
strip_xml_prep(void)
{
	unsigned long s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = 0;
	prep_salt = s;
}

/* Non-zero: zero would tell expat to find its own salt (/dev/urandom). */
static unsigned long
hash_salt(void)
{
	unsigned long s = 0;

	if (getrandom(&s, sizeof(s), GRND_NONBLOCK) != sizeof(s))
		s = prep_salt;
	return s != 0 ? s : 0x9e3779b97f4a7c15UL;
}

static void
stop(struct xmlf *x, const char *why)
{
	if (x->fail == NULL)
		x->fail = why;
	XML_StopParser(x->p, XML_FALSE);
}

/* Copy an expat name into b (NUL-separated) and point q into it. */
static int
split_name(struct sbuf *b, const char *name, struct qname *q)
{
	size_t start = b->len, n = strlen(name);
	char *s, *a, *c;

	if (sbuf_put(b, name, n + 1) != 0)
		return -1;
	s = (char *)b->p + start;
	q->ns = "";
	q->prefix = NULL;
	q->local = s;
	if ((a = strchr(s, SEP)) == NULL)
		return 0;
	*a++ = '\0';
	q->ns = s;
	q->local = a;
	if ((c = strchr(a, SEP)) != NULL) {
		*c++ = '\0';
		q->prefix = c;
	}
	return 0;
}

/* The name of the open kept element at depth, split again from our copy
 * (the buffer may have moved since). */
static void
elem_name(const struct xmlf *x, int depth, struct qname *q)
{
	const char *s = (const char *)x->names.p + x->name_off[depth];

	/* split_name wrote "ns\0local[\0prefix]\0" or "local\0". */
	q->ns = "";
	q->local = s;
	q->prefix = NULL;
	if (x->name_parts[depth] >= 2) {
		q->ns = s;
		q->local = s + strlen(s) + 1;
	}
	if (x->name_parts[depth] == 3)
		q->prefix = q->local + strlen(q->local) + 1;
}

static void
put_str(struct xmlf *x, const char *s)
{
	sbuf_put(x->out, s, strlen(s));
}

/* Escape text (attr == 0) or an attribute value (attr != 0). */
static void
put_escaped(struct xmlf *x, const char *s, size_t n, int attr)
{
	size_t i, run = 0;
	const char *rep;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '\r':
			rep = "&#13;";
			break;
		case '"':
			rep = attr ? "&quot;" : NULL;
			break;
		case '\n':
			rep = attr ? "&#10;" : NULL;
			break;
		case '\t':
			rep = attr ? "&#9;" : NULL;
			break;
		default:
			rep = NULL;
			break;
		}
		if (rep == NULL)
			continue;
		sbuf_put(x->out, s + run, i - run);
		put_str(x, rep);
		run = i + 1;
	}
	sbuf_put(x->out, s + run, n - run);
}

static void
put_qname(struct xmlf *x, const char *prefix, const char *local)
{
	if (prefix != NULL && *prefix != '\0') {
		put_str(x, prefix);
		sbuf_putc(x->out, ':');
	}
	put_str(x, local);
}

static void
put_nsdecl(struct xmlf *x, const char *prefix, const char *uri)
{
	put_str(x, *prefix ? " xmlns:" : " xmlns");
	put_str(x, prefix);
	put_str(x, "=\"");
	put_escaped(x, uri, strlen(uri), 1);
	sbuf_putc(x->out, '"');
}

static void
ensure_decl(struct xmlf *x)
{
	if (x->decl_done)
		return;
	x->decl_done = 1;
	put_str(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"");
	if (x->standalone >= 0)
		put_str(x,
		    x->standalone ? " standalone=\"yes\""
				  : " standalone=\"no\"");
	put_str(x, "?>\n");
}

/* Before any content: finish a pending start tag, end a text run. */
static void
before_content(struct xmlf *x, int text)
{
	ensure_decl(x);
	if (x->open_tag) {
		sbuf_putc(x->out, '>');
		x->open_tag = 0;
	}
	if (!text)
		x->in_run = 0;
}

static int
push_scope(
    struct xmlf *x, const char *prefix, const char *uri, int depth, int dropped)
{
	struct nsdecl *d;

	if (x->nscope >= NS_SCOPE_MAX)
		return -1;
	d = &x->scope[x->nscope];
	d->prefix = strdup(prefix);
	d->uri = strdup(uri);
	if (d->prefix == NULL || d->uri == NULL) {
		free(d->prefix);
		free(d->uri);
		return -1;
	}
	d->depth = depth;
	d->dropped = dropped;
	x->nscope++;
	return 0;
}

static void
pop_scope(struct xmlf *x, int depth)
{
	while (x->nscope > 0 && x->scope[x->nscope - 1].depth >= depth) {
		x->nscope--;
		free(x->scope[x->nscope].prefix);
		free(x->scope[x->nscope].uri);
	}
}

/* A kept name uses prefix for ns: if the declaration in scope was
 * dropped, declare it again here. */
static void
ensure_bound(struct xmlf *x, const char *prefix, const char *ns)
{
	size_t i;

	if (prefix == NULL)
		prefix = "";
	if (*ns == '\0' || strcmp(prefix, "xml") == 0)
		return;
	for (i = x->nscope; i-- > 0;) {
		if (strcmp(x->scope[i].prefix, prefix) != 0)
			continue;
		if (!x->scope[i].dropped)
			return;
		break;
	}
	if (push_scope(x, prefix, ns, x->depth, 0) != 0) {
		stop(x, "too many XML namespace declarations");
		return;
	}
	put_nsdecl(x, prefix, ns);
}

static void XMLCALL
on_nsdecl(void *arg, const XML_Char *prefix, const XML_Char *uri)
{
	struct xmlf *x = arg;
	int drop = 0;

	if (prefix == NULL)
		prefix = "";
	if (uri == NULL)
		uri = ""; /* xmlns="": an undeclaration, always kept */
	if (strlen(uri) > NS_URI_MAX) {
		stop(x, "XML namespace name too long");
		return;
	}
	if (x->skip == 0 && *uri != '\0' && x->r->drop_nsdecl != NULL)
		drop = x->r->drop_nsdecl(x->r->arg, prefix, uri) != 0;
	if (push_scope(x, prefix, uri, x->depth + 1, drop) != 0)
		stop(x, "too many XML namespace declarations");
}

/* Write the kept attributes of a start tag. */
static void
put_attrs(struct xmlf *x, const struct qname *el, const char **attrs)
{
	const char *repl, *val;
	struct qname a;
	enum xmlf_action act;
	size_t i;

	for (i = 0; attrs[i] != NULL && attrs[i + 1] != NULL; i += 2) {
		x->tmp.len = 0;
		if (split_name(&x->tmp, attrs[i], &a) != 0) {
			stop(x, "out of memory");
			return;
		}
		val = attrs[i + 1];
		repl = NULL;
		act = XMLF_KEEP;
		if (x->r->attribute != NULL)
			act = x->r->attribute(x->r->arg, el->ns, el->local,
			    a.ns, a.local, val, &repl);
		if (act == XMLF_DROP)
			continue;
		if (act == XMLF_REPLACE)
			val = repl != NULL ? repl : "";
		if (a.prefix != NULL)
			ensure_bound(x, a.prefix, a.ns);
		sbuf_putc(x->out, ' ');
		put_qname(x, a.prefix, a.local);
		put_str(x, "=\"");
		put_escaped(x, val, strlen(val), 1);
		sbuf_putc(x->out, '"');
	}
}

static void XMLCALL
on_start(void *arg, const XML_Char *name, const XML_Char **attrs)
{
	struct xmlf *x = arg;
	struct qname q;
	size_t i;

	if (++x->depth > XMLF_DEPTH_MAX) {
		stop(x, "XML nested too deep");
		return;
	}
	if (x->skip != 0)
		return;
	ensure_decl(x);
	x->in_run = 0;
	x->name_off[x->depth] = x->names.len;
	if (split_name(&x->names, name, &q) != 0) {
		stop(x, "out of memory");
		return;
	}
	x->name_parts[x->depth] = *q.ns == '\0' ? 1 : q.prefix == NULL ? 2 : 3;
	if (x->r->element != NULL &&
	    x->r->element(x->r->arg, q.ns, q.local, attrs) == XMLF_DROP) {
		x->skip = x->depth;
		return;
	}
	before_content(x, 0);
	sbuf_putc(x->out, '<');
	put_qname(x, q.prefix, q.local);
	for (i = 0; i < x->nscope; i++)
		if (x->scope[i].depth == x->depth && !x->scope[i].dropped)
			put_nsdecl(x, x->scope[i].prefix, x->scope[i].uri);
	ensure_bound(x, q.prefix, q.ns);
	put_attrs(x, &q, attrs);
	x->open_tag = 1;
}

static void XMLCALL
on_end(void *arg, const XML_Char *name)
{
	struct xmlf *x = arg;
	struct qname q;

	(void)name; /* expat checked it matches the start tag */
	if (x->skip == 0) {
		elem_name(x, x->depth, &q);
		if (x->open_tag) {
			put_str(x, "/>");
			x->open_tag = 0;
		} else {
			put_str(x, "</");
			put_qname(x, q.prefix, q.local);
			sbuf_putc(x->out, '>');
		}
		x->names.len = x->name_off[x->depth];
	} else if (x->skip == x->depth) {
		x->skip = 0;
		x->names.len = x->name_off[x->depth];
	}
	x->in_run = 0;
	pop_scope(x, x->depth);
	x->depth--;
}

static void XMLCALL
on_text(void *arg, const XML_Char *s, int len)
{
	struct xmlf *x = arg;
	struct qname q;

	if (x->skip != 0 || len <= 0)
		return;
	before_content(x, 1);
	if (!x->in_run) {
		x->in_run = 1;
		x->run_act = XMLF_KEEP;
		x->run_repl = NULL;
		elem_name(x, x->depth, &q);
		if (x->r->text != NULL)
			x->run_act =
			    x->r->text(x->r->arg, q.ns, q.local, &x->run_repl);
		if (x->run_act == XMLF_REPLACE && x->run_repl != NULL)
			put_escaped(x, x->run_repl, strlen(x->run_repl), 0);
	}
	if (x->run_act == XMLF_KEEP)
		put_escaped(x, s, (size_t)len, 0);
}

static void XMLCALL
on_comment(void *arg, const XML_Char *data)
{
	struct xmlf *x = arg;

	if (x->skip != 0)
		return;
	before_content(x, 0);
	if (!x->r->keep_comments)
		return;
	/* expat refused "--" inside a comment already. */
	put_str(x, "<!--");
	put_str(x, data);
	put_str(x, "-->");
}

static void XMLCALL
on_pi(void *arg, const XML_Char *target, const XML_Char *data)
{
	struct xmlf *x = arg;

	if (x->skip != 0)
		return;
	before_content(x, 0);
	if (!x->r->keep_pis)
		return;
	put_str(x, "<?");
	put_str(x, target);
	if (data != NULL && *data != '\0') {
		sbuf_putc(x->out, ' ');
		put_str(x, data);
	}
	put_str(x, "?>");
}

static void XMLCALL
on_xmldecl(void *arg, const XML_Char *version, const XML_Char *encoding,
    int standalone)
{
	struct xmlf *x = arg;

	(void)version;
	(void)encoding;
	x->standalone = standalone;
}

static void XMLCALL
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int has_internal_subset)
{
	struct xmlf *x = arg;

	(void)name;
	(void)sysid;
	(void)pubid;
	/* Without an internal subset a DOCTYPE only names an external DTD
	 * we never load: it is dropped. */
	if (has_internal_subset)
		stop(x, "XML DTD internal subset refused");
}

static void XMLCALL
on_entity(void *arg, const XML_Char *name, int is_param, const XML_Char *value,
    int value_len, const XML_Char *base, const XML_Char *sysid,
    const XML_Char *pubid, const XML_Char *notation)
{
	(void)name;
	(void)is_param;
	(void)value;
	(void)value_len;
	(void)base;
	(void)sysid;
	(void)pubid;
	(void)notation;
	stop(arg, "XML entity declaration refused");
}

static void XMLCALL
on_skipped(void *arg, const XML_Char *name, int is_param)
{
	(void)name;
	(void)is_param;
	stop(arg, "XML undefined entity");
}

static int XMLCALL
on_extent(XML_Parser p, const XML_Char *context, const XML_Char *base,
    const XML_Char *sysid, const XML_Char *pubid)
{
	(void)p;
	(void)context;
	(void)base;
	(void)sysid;
	(void)pubid;
	return XML_STATUS_ERROR;
}

static int
setup(struct xmlf *x)
{
	XML_Parser p;

	if ((p = XML_ParserCreateNS(NULL, SEP)) == NULL)
		return -1;
	x->p = p;
	if (!XML_SetHashSalt(p, hash_salt()) ||
	    XML_SetParamEntityParsing(p, XML_PARAM_ENTITY_PARSING_NEVER) == 0)
		return -1;
	XML_SetReturnNSTriplet(p, 1);
	XML_SetUserData(p, x);
	XML_SetElementHandler(p, on_start, on_end);
	XML_SetCharacterDataHandler(p, on_text);
	XML_SetCommentHandler(p, on_comment);
	XML_SetProcessingInstructionHandler(p, on_pi);
	XML_SetXmlDeclHandler(p, on_xmldecl);
	XML_SetStartDoctypeDeclHandler(p, on_doctype);
	XML_SetEntityDeclHandler(p, on_entity);
	XML_SetSkippedEntityHandler(p, on_skipped);
	XML_SetExternalEntityRefHandler(p, on_extent);
	XML_SetStartNamespaceDeclHandler(p, on_nsdecl);
	return 0;
}

/* Feed the document to expat in chunks (XML_Parse takes an int). */
static int
parse(struct xmlf *x, const uint8_t *in, size_t len)
{
	size_t n;
	int last;

	do {
		n = len > CHUNK ? CHUNK : len;
		last = n == len;
		if (XML_Parse(x->p, (const char *)in, (int)n, last) !=
		    XML_STATUS_OK)
			return -1;
		in += n;
		len -= n;
	} while (!last);
	return 0;
}

int
xmlf_rewrite(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    const struct xmlf_rules *rules, struct sbuf *out)
{
	struct xmlf *x;
	size_t cap = ctx->out_max ? ctx->out_max : SIZE_MAX / 2;
	int rc = STRIP_FAIL;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	x->ctx = ctx;
	x->r = rules;
	x->out = out;
	x->standalone = -1;
	sbuf_init(&x->names, cap);
	sbuf_init(&x->tmp, cap);
	if (setup(x) != 0) {
		strip_fail(ctx, STRIP_FAIL, "XML parser set-up failed");
		goto done;
	}
	if (parse(x, in, len) != 0) {
		strip_fail(ctx, STRIP_FAIL,
		    x->fail != NULL ? x->fail : "XML is not well-formed");
		goto done;
	}
	ensure_decl(x);
	if (out->err || x->names.err || x->tmp.err) {
		strip_fail(ctx, STRIP_FAIL, "XML output too large");
		goto done;
	}
	rc = STRIP_OK;
done:
	if (x->p != NULL)
		XML_ParserFree(x->p);
	pop_scope(x, INT_MIN);
	sbuf_free(&x->names);
	sbuf_free(&x->tmp);
	free(x);
	return rc;
}

const char *
xmlf_attr(const char **attrs, const char *ns, const char *local)
{
	size_t i, nl, ll;
	const char *n;

	if (attrs == NULL || ns == NULL || local == NULL)
		return NULL;
	nl = strlen(ns);
	ll = strlen(local);
	for (i = 0; attrs[i] != NULL && attrs[i + 1] != NULL; i += 2) {
		n = attrs[i];
		if (nl == 0) {
			if (strcmp(n, local) == 0)
				return attrs[i + 1];
			continue;
		}
		if (strncmp(n, ns, nl) == 0 && n[nl] == SEP &&
		    strncmp(n + nl + 1, local, ll) == 0 &&
		    (n[nl + 1 + ll] == '\0' || n[nl + 1 + ll] == SEP))
			return attrs[i + 1];
	}
	return NULL;
}
