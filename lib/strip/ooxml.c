/*
 * ooxml.c — Office Open XML (docx, xlsx, pptx): a zip of XML parts tied
 * together by relationships (the .rels parts under _rels/) and declared in
 * [Content_Types].xml.
 *
 * Removed parts: document properties (docProps/core, app, custom), the
 * thumbnail, customXml/, word/people.xml, printer settings, found by name
 * and by the relationship types that point at them. Every relationship
 * whose target is a removed part goes, with the r:id attributes in its
 * source part that used it, and every content-type Override naming one.
 *
 * In the XML parts that stay: rsid attributes and w:rsids, the document
 * IDs (w14/w15:docId, xr:revisionPtr), the authors of comments and
 * tracked changes (emptied: the schemas require them), their dates and
 * initials, Excel's comment authors, persons (emptied, so threaded
 * comments still find them), revision user names, the workbook's
 * absolute path and build number, PowerPoint comment authors; external
 * relationships to local files (templates, links) get an empty target.
 *
 * Media and embedded documents are cleaned by their own modules; a type
 * no module cleans is kept with a warning; a failure fails the document.
 * Entries nothing touched are copied without recompressing, after their
 * checksum was verified.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postern/stripfmt.h"
#include "postern/xmlfilter.h"
#include "postern/zipfile.h"

#define NS_W "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#define NS_W14 "http://schemas.microsoft.com/office/word/2010/wordml"
#define NS_W15 "http://schemas.microsoft.com/office/word/2012/wordml"
#define NS_R \
	"http://schemas.openxmlformats.org/officeDocument/2006/" \
	"relationships"
#define NS_S "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_AC "http://schemas.microsoft.com/office/spreadsheetml/2010/11/ac"
#define NS_XR \
	"http://schemas.microsoft.com/office/spreadsheetml/2014/" \
	"revision"
#define NS_TC \
	"http://schemas.microsoft.com/office/spreadsheetml/2018/" \
	"threadedcomments"
#define NS_P "http://schemas.openxmlformats.org/presentationml/2006/main"
#define NS_P188 "http://schemas.microsoft.com/office/powerpoint/2018/8/main"

#define CT_NAME "[Content_Types].xml"
#define MIME_MAX 128
#define PATH_MAX_OX (2 * ZIP_NAME_MAX)
#define DROPPED_MAX 100000 /* relationships dropped in one package */

/* A relationship that was dropped: attributes in its source part that
 * name its Id go too. */
struct dropped {
	long src; /* entry index of the source part, or -1 */
	char *id;
};

struct byname {
	const char *name;
	long idx;
};

struct ox {
	struct strip_ctx *ctx;
	struct zip_reader *z;
	size_t n;
	size_t work_max;       /* cap for a part's buffers */
	const char **removed;  /* per entry: report name, or NULL */
	struct sbuf *rels;     /* per entry: a rewritten .rels, or p NULL */
	struct byname *sorted; /* by name, without regard to case */
	struct dropped *drop;
	size_t ndrop;
	/* The part being rewritten. */
	long cur;		/* its entry index */
	char base[PATH_MAX_OX]; /* the directory its targets start from */
	unsigned hits;		/* rules that changed something */
	int ext_local;		/* this Relationship's target is local */
	int fail;
};

/* ---- part names ----------------------------------------------------- */

static int
prefix_ci(const char *s, const char *p)
{
	return strncasecmp(s, p, strlen(p)) == 0;
}

/* A part removed by its name alone; the report name, or NULL. */
static const char *
removed_by_name(const char *n)
{
	const char *s;

	if (strcasecmp(n, "docProps/core.xml") == 0)
		return "OOXML core properties";
	if (strcasecmp(n, "docProps/app.xml") == 0)
		return "OOXML app properties";
	if (strcasecmp(n, "docProps/custom.xml") == 0)
		return "OOXML custom properties";
	if (prefix_ci(n, "docProps/thumbnail."))
		return "OOXML thumbnail";
	if (prefix_ci(n, "customXml/"))
		return "OOXML customXml";
	if (strcasecmp(n, "word/people.xml") == 0)
		return "OOXML people";
	for (s = n; (s = strchr(s, '/')) != NULL; s++)
		if (prefix_ci(s, "/printerSettings/"))
			return "OOXML printer settings";
	if (prefix_ci(n, "printerSettings/"))
		return "OOXML printer settings";
	return NULL;
}

/* A part removed because a relationship of this type points at it. */
static const char *
removed_by_type(const char *type)
{
	static const struct {
		const char *suffix, *what;
	} t[] = {
		{ "/metadata/core-properties", "OOXML core properties" },
		{ "/extended-properties", "OOXML app properties" },
		{ "/custom-properties", "OOXML custom properties" },
		{ "/metadata/thumbnail", "OOXML thumbnail" },
		{ "/customXml", "OOXML customXml" },
		{ "/people", "OOXML people" },
		{ "/printerSettings", "OOXML printer settings" },
	};
	size_t i, n = strlen(type), k;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		k = strlen(t[i].suffix);
		if (n >= k && strcmp(type + n - k, t[i].suffix) == 0)
			return t[i].what;
	}
	return NULL;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct byname *x = a, *y = b;

	return strcasecmp(x->name, y->name);
}

/* The entry holding part name n (no leading '/'), or -1. Part names
 * compare without regard to ASCII case (OPC). */
static long
find_part(const struct ox *o, const char *n)
{
	size_t lo = 0, hi = o->n, mid;
	long i;
	int c;

	if ((i = zip_find(o->z, n)) >= 0)
		return i;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = strcasecmp(n, o->sorted[mid].name)) == 0)
			return o->sorted[mid].idx;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Resolve a relationship target against base (a directory ending in '/'
 * or ""), decoding %XX and folding "." and ".." segments, into out
 * without a leading '/'. -1 when it leaves the package or is too long. */
static int
resolve(const char *base, const char *target, char *out, size_t outlen)
{
	char tmp[PATH_MAX_OX];
	size_t n = 0, i, seg;
	const char *s;
	int h, l;

	if (*target == '/')
		target++;
	else {
		if (strlen(base) >= sizeof(tmp))
			return -1;
		n = strlen(base);
		memcpy(tmp, base, n);
	}
	for (s = target; *s != '\0' && *s != '#'; s++) {
		if (n + 1 >= sizeof(tmp))
			return -1;
		if (*s == '%' && (h = hexval(s[1])) >= 0 &&
		    (l = hexval(s[2])) >= 0) {
			tmp[n++] = (char)(h << 4 | l);
			s += 2;
		} else
			tmp[n++] = *s == '\\' ? '/' : *s;
	}
	tmp[n] = '\0';
	/* Fold the segments into out. */
	for (i = 0, n = 0; tmp[i] != '\0'; i += seg + (tmp[i + seg] == '/')) {
		seg = strcspn(tmp + i, "/");
		if (seg == 0 || (seg == 1 && tmp[i] == '.'))
			continue;
		if (seg == 2 && tmp[i] == '.' && tmp[i + 1] == '.') {
			if (n == 0)
				return -1;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before it */
			continue;
		}
		if (n + seg + 2 > outlen)
			return -1;
		if (n > 0)
			out[n++] = '/';
		memcpy(out + n, tmp + i, seg);
		n += seg;
	}
	if (n == 0)
		return -1;
	out[n] = '\0';
	return 0;
}

/* For "dir/_rels/name.rels": the source part "dir/name" and its
 * directory "dir/"; for "_rels/.rels" the package: "" and "". 0 when the
 * name is not a relationships part. */
static int
rels_source(const char *name, char *src, char *dir, size_t len)
{
	const char *r = NULL, *s;
	size_t nl = strlen(name), dl;

	if (nl < 11 || strcasecmp(name + nl - 5, ".rels") != 0)
		return 0;
	for (s = name; (s = strstr(s, "_rels/")) != NULL; s++)
		if (s == name || s[-1] == '/')
			r = s;
	if (r == NULL || strchr(r + 6, '/') != NULL)
		return 0;
	dl = (size_t)(r - name);
	if (dl + nl >= len)
		return 0;
	memcpy(dir, name, dl);
	dir[dl] = '\0';
	memcpy(src, name, dl);
	memcpy(src + dl, r + 6, nl - dl - 6 - 5);
	src[nl - 11] = '\0';
	return 1;
}

static void
mark_removed(struct ox *o, long i, const char *what)
{
	if (i >= 0 && o->removed[i] == NULL)
		o->removed[i] = what;
}

/* A target on the author's disk: file: URI, drive or UNC path, or an
 * absolute path. */
static int
local_path(const char *v)
{
	while (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r')
		v++;
	if (strncasecmp(v, "file:", 5) == 0 || v[0] == '/' || v[0] == '\\')
		return 1;
	return ((v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')) &&
	    v[1] == ':' && (v[2] == '/' || v[2] == '\\');
}

/* ---- relationships ---------------------------------------------------- */

#define NS_PKG_RELS \
	"http://schemas.openxmlformats.org/package/2006/" \
	"relationships"

static int
is_relationship(const char *ns, const char *local)
{
	return strcmp(ns, NS_PKG_RELS) == 0 &&
	    strcmp(local, "Relationship") == 0;
}

static int
is_external(const char **attrs)
{
	const char *m = xmlf_attr(attrs, "", "TargetMode");

	return m != NULL && strcmp(m, "External") == 0;
}

/* The entry an internal relationship points at, or -1. */
static long
rel_target(struct ox *o, const char **attrs)
{
	const char *t = xmlf_attr(attrs, "", "Target");
	char path[PATH_MAX_OX];

	if (t == NULL || is_external(attrs) ||
	    resolve(o->base, t, path, sizeof(path)) != 0)
		return -1;
	return find_part(o, path);
}

/* First pass: parts removed because of the type of a relationship. */
static enum xmlf_action
collect_element(
    void *arg, const char *ns, const char *local, const char **attrs)
{
	struct ox *o = arg;
	const char *type, *what;

	if (!is_relationship(ns, local))
		return XMLF_KEEP;
	type = xmlf_attr(attrs, "", "Type");
	if (type != NULL && (what = removed_by_type(type)) != NULL)
		mark_removed(o, rel_target(o, attrs), what);
	return XMLF_KEEP;
}

static int
add_dropped(struct ox *o, const char *id)
{
	struct dropped *d;
	size_t cap;

	if (o->ndrop >= DROPPED_MAX)
		return -1;
	if ((o->ndrop & (o->ndrop - 1)) == 0) {
		cap = o->ndrop ? o->ndrop * 2 : 1;
		if ((d = realloc(o->drop, cap * sizeof(*d))) == NULL)
			return -1;
		o->drop = d;
	}
	if ((o->drop[o->ndrop].id = strdup(id)) == NULL)
		return -1;
	o->drop[o->ndrop++].src = o->cur;
	return 0;
}

static enum xmlf_action
rels_element(void *arg, const char *ns, const char *local, const char **attrs)
{
	struct ox *o = arg;
	const char *id, *t;
	long i;

	o->ext_local = 0;
	if (!is_relationship(ns, local))
		return XMLF_KEEP;
	if (is_external(attrs)) {
		t = xmlf_attr(attrs, "", "Target");
		o->ext_local = t != NULL && local_path(t);
		return XMLF_KEEP;
	}
	if ((i = rel_target(o, attrs)) < 0 || o->removed[i] == NULL)
		return XMLF_KEEP;
	if ((id = xmlf_attr(attrs, "", "Id")) != NULL &&
	    add_dropped(o, id) != 0)
		o->fail = 1;
	o->hits++;
	return XMLF_DROP;
}

static enum xmlf_action
rels_attribute(void *arg, const char *elem_ns, const char *elem_local,
    const char *ns, const char *local, const char *value, const char **repl)
{
	struct ox *o = arg;

	(void)value;
	if (!o->ext_local || !is_relationship(elem_ns, elem_local) ||
	    *ns != '\0' || strcmp(local, "Target") != 0)
		return XMLF_KEEP;
	strip_removed(o->ctx, "OOXML absolute path");
	o->hits++;
	*repl = "";
	return XMLF_REPLACE;
}

/* [Content_Types].xml: Overrides of removed parts go. */
static enum xmlf_action
types_element(void *arg, const char *ns, const char *local, const char **attrs)
{
	struct ox *o = arg;
	const char *pn;
	char path[PATH_MAX_OX];
	long i;

	(void)ns;
	if (strcmp(local, "Override") != 0 ||
	    (pn = xmlf_attr(attrs, "", "PartName")) == NULL ||
	    resolve("", pn, path, sizeof(path)) != 0)
		return XMLF_KEEP;
	if ((i = find_part(o, path)) < 0 || o->removed[i] == NULL)
		return XMLF_KEEP;
	o->hits++;
	return XMLF_DROP;
}

/* ---- the XML parts ---------------------------------------------------- */

static enum xmlf_action
part_element(void *arg, const char *ns, const char *local, const char **attrs)
{
	struct ox *o = arg;
	const char *what = NULL;

	(void)attrs;
	if (strcmp(ns, NS_W) == 0 && strcmp(local, "rsids") == 0)
		what = "OOXML rsid";
	else if (strcmp(ns, NS_AC) == 0 && strcmp(local, "absPath") == 0)
		what = "OOXML absolute path";
	else if ((strcmp(ns, NS_XR) == 0 &&
		     strcmp(local, "revisionPtr") == 0) ||
	    ((strcmp(ns, NS_W14) == 0 || strcmp(ns, NS_W15) == 0) &&
		strcmp(local, "docId") == 0))
		what = "OOXML document ID";
	if (what == NULL)
		return XMLF_KEEP;
	strip_removed(o->ctx, what);
	o->hits++;
	return XMLF_DROP;
}

/* An r:id naming a relationship that was dropped from this part's rels. */
static int
names_dropped(const struct ox *o, const char *ns, const char *value)
{
	size_t i;

	if (strcmp(ns, NS_R) != 0)
		return 0;
	for (i = 0; i < o->ndrop; i++)
		if (o->drop[i].src == o->cur &&
		    strcmp(o->drop[i].id, value) == 0)
			return 1;
	return 0;
}

/* Word: rsids, authors, dates and initials of comments and changes. */
static enum xmlf_action
word_attribute(const char *elem_local, const char *local, const char **what)
{
	int comment = strcmp(elem_local, "comment") == 0;

	if (strncmp(local, "rsid", 4) == 0) {
		*what = "OOXML rsid";
		return XMLF_DROP;
	}
	*what =
	    comment ? "OOXML comment authors" : "OOXML tracked-change authors";
	if (strcmp(local, "author") == 0)
		return XMLF_REPLACE;
	if (strcmp(local, "date") == 0 || strcmp(local, "initials") == 0)
		return XMLF_DROP;
	*what = NULL;
	return XMLF_KEEP;
}

/* Excel and PowerPoint: names and ids of people, build numbers. */
static enum xmlf_action
other_attribute(
    const char *ens, const char *el, const char *local, const char **what)
{
	*what = "OOXML comment authors";
	if (strcmp(ens, NS_S) == 0 || strcmp(ens, NS_XR) == 0) {
		*what = "OOXML tracked-change authors";
		if (strcmp(local, "userName") == 0 ||
		    (strcmp(el, "userInfo") == 0 && strcmp(local, "name") == 0))
			return XMLF_REPLACE;
		*what = "OOXML application build";
		if (strcmp(el, "fileVersion") == 0 &&
		    strcmp(local, "rupBuild") == 0)
			return XMLF_DROP;
	} else if (strcmp(ens, NS_TC) == 0) {
		*what = "OOXML people";
		if (strcmp(el, "person") == 0 &&
		    strcmp(local, "displayName") == 0)
			return XMLF_REPLACE;
		if (strcmp(el, "person") == 0 &&
		    (strcmp(local, "userId") == 0 ||
			strcmp(local, "providerId") == 0))
			return XMLF_DROP;
		*what = "OOXML comment authors";
		if (strcmp(local, "dT") == 0)
			return XMLF_DROP;
	} else if (strcmp(ens, NS_P) == 0) {
		if (strcmp(el, "cmAuthor") == 0 &&
		    (strcmp(local, "name") == 0 ||
			strcmp(local, "initials") == 0))
			return XMLF_REPLACE;
		if (strcmp(el, "cm") == 0 && strcmp(local, "dt") == 0)
			return XMLF_DROP;
	} else if (strcmp(ens, NS_P188) == 0 && strcmp(el, "author") == 0) {
		if (strcmp(local, "name") == 0 ||
		    strcmp(local, "initials") == 0 ||
		    strcmp(local, "userId") == 0 ||
		    strcmp(local, "providerId") == 0)
			return XMLF_REPLACE;
	}
	*what = NULL;
	return XMLF_KEEP;
}

static enum xmlf_action
part_attribute(void *arg, const char *elem_ns, const char *elem_local,
    const char *ns, const char *local, const char *value, const char **repl)
{
	struct ox *o = arg;
	const char *what = NULL;
	enum xmlf_action a = XMLF_KEEP;

	if (names_dropped(o, ns, value)) {
		o->hits++;
		return XMLF_DROP;
	}
	if (strcmp(ns, NS_W) == 0)
		a = word_attribute(elem_local, local, &what);
	else if (*ns == '\0')
		a = other_attribute(elem_ns, elem_local, local, &what);
	if (a == XMLF_KEEP && strcmp(local, "dateUtc") == 0) {
		/* w16cex, w16du: when a comment or change was made */
		what = "OOXML tracked-change authors";
		a = XMLF_DROP;
	}
	if (a == XMLF_KEEP)
		return XMLF_KEEP;
	strip_removed(o->ctx, what);
	o->hits++;
	*repl = "";
	return a;
}

/* Excel comments: <authors><author>name</author>. */
static enum xmlf_action
part_text(
    void *arg, const char *elem_ns, const char *elem_local, const char **repl)
{
	struct ox *o = arg;

	if (strcmp(elem_ns, NS_S) != 0 || strcmp(elem_local, "author") != 0)
		return XMLF_KEEP;
	strip_removed(o->ctx, "OOXML comment authors");
	o->hits++;
	*repl = "";
	return XMLF_REPLACE;
}

/* ---- the package ------------------------------------------------------ */

static const struct xmlf_rules collect_rules = {
	.element = collect_element,
};
static const struct xmlf_rules rels_rules = {
	.element = rels_element,
	.attribute = rels_attribute,
};
static const struct xmlf_rules types_rules = {
	.element = types_element,
};
static const struct xmlf_rules part_rules = {
	.element = part_element,
	.attribute = part_attribute,
	.text = part_text,
};

static int
ends_ci(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Media and embedded documents: cleaned by the module for their type. */
static int
is_media(const char *n)
{
	const char *s;

	for (s = n; (s = strchr(s, '/')) != NULL; s++)
		if (prefix_ci(s, "/media/") || prefix_ci(s, "/embeddings/"))
			return 1;
	return prefix_ci(n, "media/") || prefix_ci(n, "embeddings/");
}

/* Nothing but elements, attributes and text besides the declaration:
 * when no rule fired either, the original bytes are the clean ones. */
static int
plain_xml(const uint8_t *p, size_t len)
{
	const uint8_t *q;

	if (memmem(p, len, "<!", 2) != NULL)
		return 0;
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0) {
		p += 3;
		len -= 3;
	}
	if ((q = memmem(p, len, "<?", 2)) == NULL)
		return 1;
	if (q != p || len < 6 || memcmp(p, "<?xml", 5) != 0)
		return 0;
	return memmem(p + 2, len - 2, "<?", 2) == NULL;
}

/* Rewrite part i (its bytes in, the rules r) into out. */
static int
rewrite(struct ox *o, long i, const struct xmlf_rules *r, const struct sbuf *in,
    struct sbuf *out)
{
	struct xmlf_rules rr = *r;

	rr.arg = o;
	o->cur = i;
	o->hits = 0;
	o->ext_local = 0;
	if (xmlf_rewrite(o->ctx, in->p, in->len, &rr, out) != STRIP_OK)
		return STRIP_FAIL;
	if (o->fail)
		return strip_fail(o->ctx, STRIP_FAIL,
		    "OOXML: too many "
		    "relationships");
	return STRIP_OK;
}

/* A relationships part: set o->base and o->cur's source; 0 if i is not
 * one or its source part was removed. */
static int
rels_setup(struct ox *o, size_t i, long *src)
{
	const struct zip_entry *e = zip_entry_at(o->z, i);
	char name[PATH_MAX_OX];

	if (e->is_dir || o->removed[i] != NULL ||
	    !rels_source(e->name, name, o->base, sizeof(name)))
		return 0;
	*src = -1;
	if (*name != '\0' && (*src = find_part(o, name)) >= 0 &&
	    o->removed[*src] != NULL) {
		mark_removed(o, (long)i, o->removed[*src]);
		return 0;
	}
	return 1;
}

/* Read relationship part i and run rules r on it; output into out. */
static int
rels_pass(struct ox *o, size_t i, const struct xmlf_rules *r, struct sbuf *out)
{
	struct sbuf in;
	long src;
	int rc = STRIP_OK;

	if (!rels_setup(o, i, &src))
		return STRIP_OK;
	sbuf_init(&in, o->work_max);
	if ((rc = zip_read_entry(o->ctx, zip_entry_at(o->z, i), &in)) ==
	    STRIP_OK)
		rc = rewrite(o, src, r, &in, out);
	sbuf_free(&in);
	return rc;
}

/* Media: cleaned by their module; a type none cleans is kept. */
static int
write_media(struct ox *o, const struct zip_entry *e, const struct sbuf *in,
    struct zip_writer *w)
{
	struct sbuf c;
	char mime[MIME_MAX];
	enum strip_format f;
	int rc;

	f = strip_detect(o->ctx, in->p, in->len, mime, sizeof(mime));
	if (f == SF_UNKNOWN || f == SF_TEXT) {
		strip_kept(o->ctx, "OOXML media of a type not cleaned");
		return zip_add_raw(w, e);
	}
	sbuf_init(&c, o->work_max);
	rc = strip_document(o->ctx, f, in->p, in->len, &c);
	if (rc == STRIP_UNSUPPORTED) {
		strip_kept(o->ctx, "OOXML media of a type not cleaned");
		rc = zip_add_raw(w, e);
	} else if (rc == STRIP_OK)
		rc = zip_add(w, e->name, c.p, c.len, 1);
	else
		o->ctx->rep.fail = "an OOXML media part could not be cleaned";
	sbuf_free(&c);
	return rc;
}

/* An XML part: the content types, or any other. */
static int
write_xml(struct ox *o, size_t i, const struct sbuf *in, struct zip_writer *w)
{
	const struct zip_entry *e = zip_entry_at(o->z, i);
	const struct xmlf_rules *r = &part_rules;
	struct sbuf c;
	int rc;

	if (strcmp(e->name, CT_NAME) == 0)
		r = &types_rules;
	*o->base = '\0';
	sbuf_init(&c, o->work_max);
	rc = rewrite(o, (long)i, r, in, &c);
	if (rc == STRIP_OK) {
		if (o->hits == 0 && plain_xml(in->p, in->len))
			rc = zip_add_raw(w, e);
		else
			rc = zip_add(w, e->name, c.p, c.len, 1);
	}
	sbuf_free(&c);
	return rc;
}

static int
write_entry(struct ox *o, size_t i, struct zip_writer *w)
{
	const struct zip_entry *e = zip_entry_at(o->z, i);
	struct sbuf in;
	int rc;

	sbuf_init(&in, o->work_max);
	if (o->removed[i] != NULL) {
		if (!e->is_dir)
			strip_removed(o->ctx, o->removed[i]);
		rc = STRIP_OK;
		goto out;
	}
	if (e->is_dir || o->rels[i].p != NULL) {
		rc = e->is_dir
		    ? zip_add(w, e->name, NULL, 0, 0)
		    : zip_add(w, e->name, o->rels[i].p, o->rels[i].len, 1);
		goto out;
	}
	/* Read even what is copied as it is: its checksum is verified. */
	if ((rc = zip_read_entry(o->ctx, e, &in)) != STRIP_OK)
		goto out;
	if (ends_ci(e->name, ".xml") || ends_ci(e->name, ".rels"))
		rc = write_xml(o, i, &in, w);
	else if (is_media(e->name) && in.len > 0)
		rc = write_media(o, e, &in, w);
	else
		rc = zip_add_raw(w, e);
out:
	sbuf_free(&in);
	if (rc != STRIP_OK)
		return strip_fail(o->ctx, STRIP_FAIL,
		    "OOXML: a part could "
		    "not be read, cleaned or written");
	return STRIP_OK;
}

static int
ox_open(struct ox *o, struct strip_ctx *ctx, const uint8_t *in, size_t len)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	o->ctx = ctx;
	/* A part inflates up to the expansion budget, more than the output
	 * cap when it compresses well; the output itself stays capped. */
	o->work_max = strip_work_max(ctx);
	if (zip_open(ctx, in, len, &o->z) != STRIP_OK)
		return STRIP_FAIL;
	o->n = zip_count(o->z);
	o->removed = calloc(o->n + 1, sizeof(*o->removed));
	o->rels = calloc(o->n + 1, sizeof(*o->rels));
	o->sorted = calloc(o->n + 1, sizeof(*o->sorted));
	if (o->removed == NULL || o->rels == NULL || o->sorted == NULL)
		return strip_fail(ctx, STRIP_FAIL, "out of memory");
	for (i = 0; i < o->n; i++) {
		o->sorted[i].name = zip_entry_at(o->z, i)->name;
		o->sorted[i].idx = (long)i;
		o->removed[i] = removed_by_name(o->sorted[i].name);
		sbuf_init(&o->rels[i], o->work_max);
	}
	qsort(o->sorted, o->n, sizeof(*o->sorted), cmp_entry);
	return STRIP_OK;
}

static void
ox_close(struct ox *o)
{
	size_t i;

	for (i = 0; o->rels != NULL && i < o->n; i++)
		sbuf_free(&o->rels[i]);
	for (i = 0; i < o->ndrop; i++)
		free(o->drop[i].id);
	free(o->drop);
	free(o->rels);
	free(o->sorted);
	free(o->removed);
	zip_close(o->z);
}

/* Which parts go, then the relationships that pointed at them. */
static int
plan(struct ox *o)
{
	struct sbuf scratch;
	size_t i;
	int rc = STRIP_OK;

	sbuf_init(&scratch, o->work_max);
	for (i = 0; i < o->n && rc == STRIP_OK; i++) {
		scratch.len = 0;
		rc = rels_pass(o, i, &collect_rules, &scratch);
	}
	sbuf_free(&scratch);
	for (i = 0; i < o->n && rc == STRIP_OK; i++)
		rc = rels_pass(o, i, &rels_rules, &o->rels[i]);
	return rc;
}

int
strip_ooxml(
    struct strip_ctx *ctx, const uint8_t *in, size_t len, struct sbuf *out)
{
	struct zip_writer w;
	struct ox o;
	size_t i;
	int rc;

	zip_writer_init(&w, out, ctx->out_max);
	if ((rc = ox_open(&o, ctx, in, len)) == STRIP_OK)
		rc = plan(&o);
	for (i = 0; i < o.n && rc == STRIP_OK; i++)
		rc = write_entry(&o, i, &w);
	if (rc == STRIP_OK && zip_writer_finish(&w) != STRIP_OK)
		rc = strip_fail(ctx, STRIP_FAIL,
		    "OOXML: the package could "
		    "not be written");
	if (rc != STRIP_OK)
		rc = strip_fail(ctx, STRIP_FAIL, "OOXML: not cleaned");
	ox_close(&o);
	zip_writer_free(&w);
	return rc;
}
