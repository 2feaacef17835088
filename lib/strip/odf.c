/*
 * odf.c — OpenDocument (odt, ods, odp and kin): a zip package whose
 * "mimetype" member names the type.
 *
 * Removed: every meta.xml (the document's and each embedded object's),
 * the thumbnail, signatures (they name the signer, and no longer verify
 * anyway), their manifest entries, printer and data-source settings,
 * authors, initials and dates of tracked changes and comments (in content
 * and styles: comments may sit in headers), LibreOffice's rsid attributes
 * (editing-session numbers that link documents), zip comment, extra
 * fields and times. Embedded pictures go through their own module.
 *
 * The package is written mimetype first, stored, as the specification
 * asks so that readers can sniff it. Encrypted packages are not
 * supported: their XML cannot be read without the password.
 */
#include <string.h>

#include "postern/stripfmt.h"
#include "postern/xmlfilter.h"
#include "postern/zipfile.h"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_META "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
#define NS_CONFIG "urn:oasis:names:tc:opendocument:xmlns:config:1.0"
#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
#define NS_OOO "http://openoffice.org/2009/office"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_LOEXT \
	"urn:org:documentfoundation:names:experimental:office:xmlns:loext:1.0"

#define ODF_MIME "application/vnd.oasis.opendocument."
#define MIME_MAX 96
#define TYPE_MAX 48		/* the part after ODF_MIME */

enum part {
	P_OTHER = 0,
	P_MIMETYPE,
	P_MANIFEST,
	P_SETTINGS,
	P_BODY,			/* content.xml, styles.xml */
	P_META,			/* dropped from here on */
	P_THUMB,
	P_SIG
};

/* What a comment or change-info the last author element belongs to. */
enum scope { S_NONE, S_CHANGE, S_ANNOT };

struct odf {
	struct strip_ctx *ctx;
	int encrypted;
	enum scope scope;
	int live_field;		/* in a field that is not text:fixed */
};

static int
basename_is(const char *name, const char *base)
{
	const char *s = strrchr(name, '/');

	return strcmp(s != NULL ? s + 1 : name, base) == 0;
}

static enum part
classify(const char *name)
{
	if (strcmp(name, "mimetype") == 0)
		return P_MIMETYPE;
	if (strcmp(name, "META-INF/manifest.xml") == 0)
		return P_MANIFEST;
	if (strncmp(name, "META-INF/", 9) == 0 && strstr(name,
	    "signatures") != NULL)
		return P_SIG;
	if (strncmp(name, "Thumbnails/", 11) == 0 ||
	    strcmp(name, "Thumbnails") == 0)
		return P_THUMB;
	if (basename_is(name, "meta.xml"))
		return P_META;
	if (basename_is(name, "settings.xml"))
		return P_SETTINGS;
	if (basename_is(name, "content.xml") || basename_is(name,
	    "styles.xml"))
		return P_BODY;
	return P_OTHER;
}

static void
report_drop(struct strip_ctx *ctx, enum part p)
{
	if (p == P_META)
		strip_removed(ctx, "ODF meta.xml");
	else if (p == P_THUMB)
		strip_removed(ctx, "ODF thumbnail");
	else if (p == P_SIG)
		strip_removed(ctx, "ODF signatures");
}

/* ---- the XML parts -------------------------------------------------- */

static enum xmlf_action
manifest_elem(void *arg, const char *ns, const char *local,
    const char **attrs)
{
	struct odf *o = arg;
	const char *path;

	if (strcmp(ns, NS_MANIFEST) != 0)
		return XMLF_KEEP;
	if (strcmp(local, "encryption-data") == 0 ||
	    strcmp(local, "keyinfo") == 0 ||
	    strcmp(local, "encrypted-key") == 0)
		o->encrypted = 1;
	if (strcmp(local, "file-entry") != 0)
		return XMLF_KEEP;
	path = xmlf_attr(attrs, NS_MANIFEST, "full-path");
	return path != NULL && classify(path) >= P_META ? XMLF_DROP :
	    XMLF_KEEP;
}

/* settings.xml items naming the author's machine and its neighbours. */
static const struct {
	const char *name;
	const char *what;
} settings[] = {
	{ "PrinterName", "ODF printer settings" },
	{ "PrinterSetup", "ODF printer settings" },
	{ "PrinterPaperFromSetup", "ODF printer settings" },
	{ "PrintFaxName", "ODF printer settings" },
	{ "CurrentDatabaseDataSource", "ODF data source names" },
	{ "CurrentDatabaseCommand", "ODF data source names" },
	{ "CurrentDatabaseCommandType", "ODF data source names" },
};

static enum xmlf_action
settings_elem(void *arg, const char *ns, const char *local,
    const char **attrs)
{
	struct odf *o = arg;
	const char *name;
	size_t i;

	if (strcmp(ns, NS_CONFIG) != 0 || strcmp(local, "config-item") != 0)
		return XMLF_KEEP;
	if ((name = xmlf_attr(attrs, NS_CONFIG, "name")) == NULL)
		return XMLF_KEEP;
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++)
		if (strcmp(name, settings[i].name) == 0) {
			strip_removed(o->ctx, settings[i].what);
			return XMLF_DROP;
		}
	return XMLF_KEEP;
}

/* Who and when, inside change-info and annotations. They appear nowhere
 * else in content or styles, so they go wherever they are; the scope only
 * names them in the report. */
static int
is_author(const char *ns, const char *local)
{
	if (strcmp(ns, NS_DC) == 0)
		return strcmp(local, "creator") == 0 ||
		    strcmp(local, "date") == 0;
	if (strcmp(ns, NS_META) == 0)
		return strcmp(local, "creator-initials") == 0;
	if (strcmp(ns, NS_LOEXT) == 0)
		return strcmp(local, "sender-initials") == 0;
	return 0;
}

/* Text fields whose stored value is the author's own data (Tools >
 * Options > User Data) or a copy of meta.xml. Unless the author fixed
 * them, the reader's office program computes them afresh on opening, so
 * the stored value shows nothing to anyone and tells who wrote it. */
static const char *const user_fields[] = {
	"author-name", "author-initials", "initial-creator", "creator",
	"printed-by", "print-date", "print-time", "creation-date",
	"creation-time", "modification-date", "modification-time",
	"editing-cycles", "editing-duration", "sender-firstname",
	"sender-lastname", "sender-initials", "sender-title",
	"sender-position", "sender-email", "sender-phone-private",
	"sender-fax", "sender-company", "sender-phone-work", "sender-street",
	"sender-city", "sender-postal-code", "sender-country",
	"sender-state-or-province", "title", "subject", "keywords",
	"description", "user-defined",
};

static int
is_user_field(const char *ns, const char *local)
{
	size_t i;

	if (strcmp(ns, NS_TEXT) != 0)
		return 0;
	for (i = 0; i < sizeof(user_fields) / sizeof(user_fields[0]); i++)
		if (strcmp(local, user_fields[i]) == 0)
			return 1;
	return 0;
}

static enum xmlf_action
body_text(void *arg, const char *elem_ns, const char *elem_local,
    const char **repl)
{
	struct odf *o = arg;

	if (!o->live_field || !is_user_field(elem_ns, elem_local))
		return XMLF_KEEP;
	strip_removed(o->ctx, "ODF author and document-info field values");
	*repl = "";
	return XMLF_REPLACE;
}

static enum xmlf_action
body_elem(void *arg, const char *ns, const char *local, const char **attrs)
{
	struct odf *o = arg;
	const char *fixed;

	if (is_user_field(ns, local)) {
		fixed = xmlf_attr(attrs, NS_TEXT, "fixed");
		o->live_field = fixed == NULL || strcmp(fixed, "true") != 0;
		return XMLF_KEEP;
	}
	if (strcmp(local, "change-info") == 0 && strcmp(ns, NS_OFFICE) == 0)
		o->scope = S_CHANGE;
	else if (strcmp(local, "annotation") == 0 &&
	    (strcmp(ns, NS_OFFICE) == 0 || strcmp(ns, NS_OOO) == 0))
		o->scope = S_ANNOT;
	if (!is_author(ns, local))
		return XMLF_KEEP;
	strip_removed(o->ctx, o->scope == S_CHANGE ?
	    "ODF tracked-change authors" : o->scope == S_ANNOT ?
	    "ODF comment authors" : "ODF authors and dates");
	return XMLF_DROP;
}

static enum xmlf_action
body_attr(void *arg, const char *elem_ns, const char *elem_local,
    const char *ns, const char *local, const char *value, const char **repl)
{
	struct odf *o = arg;

	(void)elem_ns;
	(void)elem_local;
	(void)value;
	(void)repl;
	if (strcmp(ns, NS_OOO) != 0 || (strcmp(local, "rsid") != 0 &&
	    strcmp(local, "paragraph-rsid") != 0))
		return XMLF_KEEP;
	strip_removed(o->ctx, "ODF rsid attributes");
	return XMLF_DROP;
}

/* Read an XML part and rewrite it under the rules for its kind. */
static int
rewrite_part(struct odf *o, const struct zip_entry *e, enum part p,
    struct sbuf *out)
{
	struct xmlf_rules r;
	struct sbuf m;
	int rc;

	memset(&r, 0, sizeof(r));
	r.arg = o;
	r.keep_pis = 1;
	r.keep_comments = 0;
	if (p == P_MANIFEST)
		r.element = manifest_elem;
	else if (p == P_SETTINGS)
		r.element = settings_elem;
	else {
		r.element = body_elem;
		r.attribute = body_attr;
		r.text = body_text;
	}
	o->scope = S_NONE;
	sbuf_init(&m, strip_work_max(o->ctx));
	if ((rc = zip_read_entry(o->ctx, e, &m)) == STRIP_OK)
		rc = xmlf_rewrite(o->ctx, m.p, m.len, &r, out);
	sbuf_free(&m);
	return rc;
}

/* ---- the package ---------------------------------------------------- */

/* The mimetype member: an OpenDocument type, short, plain. Its bytes are
 * written back, so they are checked to be nothing but a type name. */
static int
check_mimetype(struct strip_ctx *ctx, const struct zip_reader *z,
    struct sbuf *m)
{
	const size_t n = sizeof(ODF_MIME) - 1;
	long i;
	size_t k;

	if ((i = zip_find(z, "mimetype")) < 0 ||
	    zip_entry_at(z, (size_t)i)->usize > MIME_MAX)
		return strip_fail(ctx, STRIP_FAIL, "ODF mimetype missing");
	if (zip_read_entry(ctx, zip_entry_at(z, (size_t)i), m) != STRIP_OK)
		return STRIP_FAIL;
	if (m->len <= n || m->len > n + TYPE_MAX ||
	    memcmp(m->p, ODF_MIME, n) != 0)
		return strip_fail(ctx, STRIP_FAIL, "ODF mimetype wrong");
	for (k = n; k < m->len; k++)
		if (!((m->p[k] >= 'a' && m->p[k] <= 'z') || m->p[k] == '-'))
			return strip_fail(ctx, STRIP_FAIL, "ODF mimetype "
			    "wrong");
	if (zip_find(z, "encrypted-package") >= 0)
		return strip_fail(ctx, STRIP_UNSUPPORTED, "encrypted ODF");
	return STRIP_OK;
}

/* The manifest, rewritten before anything else: it says whether the
 * package is encrypted. */
static int
read_manifest(struct odf *o, const struct zip_reader *z, struct sbuf *man)
{
	long i = zip_find(z, "META-INF/manifest.xml");
	int rc;

	if (i < 0)
		return STRIP_OK;
	rc = rewrite_part(o, zip_entry_at(z, (size_t)i), P_MANIFEST, man);
	if (o->encrypted)
		return strip_fail(o->ctx, STRIP_UNSUPPORTED, "encrypted ODF");
	return rc;
}

static int
compressible(enum strip_format f)
{
	return f == SF_TEXT || f == SF_SVG || f == SF_TIFF || f == SF_PDF;
}

/* A member that is not one of the XML parts: a picture, a media file,
 * a macro, the layout cache. Cleaned by its type when one module knows
 * it, else copied as it is. */
static int
other_member(struct strip_ctx *ctx, const struct zip_entry *e,
    struct zip_writer *w)
{
	struct sbuf m, c;
	enum strip_format f;
	char mime[MIME_MAX];
	int rc;

	if (e->is_dir)
		return zip_add(w, e->name, NULL, 0, 0);
	sbuf_init(&m, strip_work_max(ctx));
	sbuf_init(&c, strip_work_max(ctx));
	if ((rc = zip_read_entry(ctx, e, &m)) != STRIP_OK)
		goto out;
	f = m.len == 0 ? SF_UNKNOWN : strip_detect(ctx, m.p, m.len, mime,
	    sizeof(mime));
	if (f == SF_UNKNOWN) {
		if (strncmp(e->name, "Pictures/", 9) == 0 ||
		    strncmp(e->name, "Media/", 6) == 0 ||
		    strncmp(e->name, "ObjectReplacements/", 19) == 0)
			strip_kept(ctx, "ODF images of types not cleaned");
		rc = zip_add_raw(w, e);
		goto out;
	}
	if (strip_document(ctx, f, m.p, m.len, &c) != STRIP_OK) {
		ctx->rep.fail = "an embedded file could not be cleaned";
		rc = STRIP_FAIL;
		goto out;
	}
	rc = zip_add(w, e->name, c.p, c.len, compressible(f));
out:
	sbuf_free(&c);
	sbuf_free(&m);
	return rc;
}

static int
one_member(struct odf *o, const struct zip_entry *e,
    const struct sbuf *man, struct zip_writer *w)
{
	struct sbuf x;
	enum part p = classify(e->name);
	int rc;

	if (p >= P_META) {
		report_drop(o->ctx, p);
		return STRIP_OK;
	}
	if (p == P_MIMETYPE)
		return STRIP_OK;
	if (p == P_MANIFEST)
		return zip_add(w, e->name, man->p, man->len, 1);
	if (p == P_OTHER)
		return other_member(o->ctx, e, w);
	sbuf_init(&x, strip_work_max(o->ctx));
	if ((rc = rewrite_part(o, e, p, &x)) == STRIP_OK)
		rc = zip_add(w, e->name, x.p, x.len, 1);
	sbuf_free(&x);
	return rc;
}

static int
write_package(struct odf *o, const struct zip_reader *z,
    const struct sbuf *mt, const struct sbuf *man, struct sbuf *out)
{
	struct zip_writer w;
	size_t i;
	int rc;

	zip_writer_init(&w, out, o->ctx->out_max);
	rc = zip_add(&w, "mimetype", mt->p, mt->len, 0);
	for (i = 0; i < zip_count(z) && rc == STRIP_OK; i++)
		rc = one_member(o, zip_entry_at(z, i), man, &w);
	if (rc == STRIP_OK)
		rc = zip_writer_finish(&w);
	zip_writer_free(&w);
	if (rc != STRIP_OK)
		return strip_fail(o->ctx, rc, "the ODF package could not be "
		    "rewritten");
	if (zip_had_comment(z))
		strip_removed(o->ctx, "ZIP comment");
	if (zip_had_extra(z))
		strip_removed(o->ctx, "ZIP extra fields");
	strip_removed(o->ctx, "ZIP entry times");
	return STRIP_OK;
}

int
strip_odf(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	struct zip_reader *z;
	struct sbuf mt, man;
	struct odf o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.ctx = ctx;
	if ((rc = zip_open(ctx, in, len, &z)) != STRIP_OK)
		return rc;
	sbuf_init(&mt, MIME_MAX);
	sbuf_init(&man, strip_work_max(ctx));
	if ((rc = check_mimetype(ctx, z, &mt)) != STRIP_OK)
		goto out;
	if ((rc = read_manifest(&o, z, &man)) != STRIP_OK)
		goto out;
	rc = write_package(&o, z, &mt, &man, out);
out:
	sbuf_free(&man);
	sbuf_free(&mt);
	zip_close(z);
	return rc;
}
