/*
 * zip.c — ZIP archives: every member is cleaned by the module for its
 * type, found from its bytes (never its name), and the archive is written
 * anew without comment, extra fields or entry times.
 *
 * Office documents are zip archives too: one holding "[Content_Types].xml"
 * goes to the OOXML module, one whose "mimetype" member names an
 * OpenDocument type to the ODF module, whatever libmagic called it.
 *
 * Members of types no module cleans are copied as they are (their
 * compressed bytes, after their checksum was verified), with a warning.
 * A member whose cleaner fails fails the archive: a half-cleaned archive
 * would look cleaned. Bounds: nesting (strip_document), members
 * (ctx->members_budget) and inflated bytes (ctx->expand_budget).
 */
#include <string.h>
#include <strings.h>

#include "postern/stripfmt.h"
#include "postern/zipfile.h"

#define ODF_MIME "application/vnd.oasis.opendocument."
#define MIME_MAX 128

/* Which office format, if any, this archive is. */
static enum strip_format
office_kind(struct strip_ctx *ctx, const struct zip_reader *z)
{
	const struct zip_entry *e;
	struct sbuf m;
	long i;
	enum strip_format f = SF_ZIP;

	if (zip_find(z, "[Content_Types].xml") >= 0)
		return SF_OOXML;
	if ((i = zip_find(z, "mimetype")) < 0)
		return SF_ZIP;
	e = zip_entry_at(z, (size_t)i);
	if (e->usize > MIME_MAX)
		return SF_ZIP;
	sbuf_init(&m, MIME_MAX);
	if (zip_read_entry(ctx, e, &m) == STRIP_OK &&
	    m.len >= sizeof(ODF_MIME) - 1 &&
	    memcmp(m.p, ODF_MIME, sizeof(ODF_MIME) - 1) == 0)
		f = SF_ODF;
	sbuf_free(&m);
	return f;
}

/* Files the desktop adds to what the source zipped: pure metadata, and
 * telling (download URLs and quarantine records in AppleDouble files,
 * names of deleted files in .DS_Store, thumbnails of other pictures in
 * Thumbs.db). NULL: a member like any other. */
static const char *
desktop_litter(const char *name)
{
	const char *base = strrchr(name, '/');

	base = base != NULL ? base + 1 : name;
	if (strncmp(name, "__MACOSX/", 9) == 0 ||
	    strcmp(name, "__MACOSX") == 0 || strcmp(base, ".DS_Store") == 0)
		return "ZIP macOS metadata files";
	if (strcasecmp(base, "Thumbs.db") == 0 ||
	    strcasecmp(base, "ehthumbs.db") == 0)
		return "ZIP Windows thumbnail caches";
	return NULL;
}

/* Clean one member into w. */
static int
clean_member(struct strip_ctx *ctx, const struct zip_entry *e,
    struct zip_writer *w)
{
	struct sbuf m, c;
	enum strip_format f;
	char mime[MIME_MAX];
	const char *litter;
	int rc = STRIP_FAIL;

	if ((litter = desktop_litter(e->name)) != NULL) {
		strip_removed(ctx, litter);
		return STRIP_OK;
	}
	sbuf_init(&m, strip_work_max(ctx));
	sbuf_init(&c, strip_work_max(ctx));
	if (e->is_dir) {
		rc = zip_add(w, e->name, NULL, 0, 0);
		goto out;
	}
	if ((rc = zip_read_entry(ctx, e, &m)) != STRIP_OK)
		goto out;
	if (m.len == 0) {
		rc = zip_add(w, e->name, NULL, 0, 0);
		goto out;
	}
	f = strip_detect(ctx, m.p, m.len, mime, sizeof(mime));
	if (f == SF_UNKNOWN) {
		strip_kept(ctx, "archive members of types not cleaned");
		rc = zip_add_raw(w, e);
		goto out;
	}
	if (strip_document(ctx, f, m.p, m.len, &c) != STRIP_OK) {
		/* The member's reason would read as the archive's. */
		ctx->rep.fail = "a member could not be cleaned";
		rc = STRIP_FAIL;
		goto out;
	}
	rc = zip_add(w, e->name, c.p, c.len, 1);
out:
	if (rc != STRIP_OK)
		strip_fail(ctx, STRIP_FAIL, "the archive could not be "
		    "rewritten");
	sbuf_free(&c);
	sbuf_free(&m);
	return rc == STRIP_OK || rc == STRIP_UNSUPPORTED ? rc : STRIP_FAIL;
}

static int
clean_archive(struct strip_ctx *ctx, const struct zip_reader *z,
    struct sbuf *out)
{
	struct zip_writer w;
	size_t i;
	int rc = STRIP_OK;

	zip_writer_init(&w, out, ctx->out_max);
	for (i = 0; i < zip_count(z) && rc == STRIP_OK; i++)
		rc = clean_member(ctx, zip_entry_at(z, i), &w);
	if (rc == STRIP_OK && zip_writer_finish(&w) != STRIP_OK)
		rc = strip_fail(ctx, STRIP_FAIL, "the archive could not be "
		    "rewritten");
	zip_writer_free(&w);
	if (rc != STRIP_OK)
		return rc;
	if (zip_had_comment(z))
		strip_removed(ctx, "ZIP comment");
	if (zip_had_extra(z))
		strip_removed(ctx, "ZIP extra fields");
	if (zip_count(z) > 0)
		strip_removed(ctx, "ZIP entry times");
	return STRIP_OK;
}

int
strip_zip(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	struct zip_reader *z;
	unsigned members = ctx->members_budget;
	uint64_t expand = ctx->expand_budget;
	enum strip_format kind;
	int rc;

	if ((rc = zip_open(ctx, in, len, &z)) != STRIP_OK)
		return rc;
	kind = office_kind(ctx, z);
	if (kind != SF_ZIP) {
		/* The office module opens the archive again: charge once. */
		zip_close(z);
		ctx->members_budget = members;
		ctx->expand_budget = expand;
		return kind == SF_OOXML ? strip_ooxml(ctx, in, len, out) :
		    strip_odf(ctx, in, len, out);
	}
	rc = clean_archive(ctx, z, out);
	zip_close(z);
	return rc;
}
