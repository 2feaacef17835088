/*
 * test_strip_pdf.c — the PDF module on hand-written documents: Info, ID,
 * XMP at document and object level, PieceInfo, annotation authors and
 * dates (a form field's name stays), embedded files (their dates and
 * description go, their content is cleaned or kept with a warning),
 * incremental updates, encryption with and without a user password,
 * damaged and non-PDF input, the output cap, nesting, determinism, and
 * silence: qpdf must never write on stdout or stderr.
 *
 * Outputs are checked in their qdf form (qpdf's C API, streams
 * uncompressed, no object streams), where a marker could not hide.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <qpdf/qpdf-c.h>
#include <sodium.h>

#include "postern/strip.h"
#include "postern/stripfmt.h"

#define OUT_MAX (8 << 20)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

struct doc {
	char *p;
	size_t len;
};

/* A PDF from object bodies 1..n, a trailer's extra entries and an xref
 * table with the right offsets. */
static struct doc
mkpdf(const char *const *objs, size_t n, const char *trailer)
{
	size_t cap = 4096, i, xref;
	size_t *off = calloc(n, sizeof(*off));
	struct doc d = { NULL, 0 };
	int w;

	for (i = 0; i < n; i++)
		cap += strlen(objs[i]) + 64;
	cap += strlen(trailer) + 40 * n;
	assert_non_null(off);
	assert_non_null(d.p = malloc(cap));
	d.len = (size_t)snprintf(d.p, cap, "%%PDF-1.7\n");
	for (i = 0; i < n; i++) {
		off[i] = d.len;
		w = snprintf(d.p + d.len, cap - d.len,
		    "%zu 0 obj\n%s\nendobj\n", i + 1, objs[i]);
		d.len += (size_t)w;
	}
	xref = d.len;
	d.len += (size_t)snprintf(d.p + d.len, cap - d.len,
	    "xref\n0 %zu\n0000000000 65535 f \n", n + 1);
	for (i = 0; i < n; i++)
		d.len += (size_t)snprintf(d.p + d.len, cap - d.len,
		    "%010zu 00000 n \n", off[i]);
	d.len += (size_t)snprintf(d.p + d.len, cap - d.len,
	    "trailer\n<< /Size %zu /Root 1 0 R %s >>\n"
	    "startxref\n%zu\n%%%%EOF\n", n + 1, trailer, xref);
	assert_true(d.len < cap);
	free(off);
	return d;
}

/* Append text after a document (an incremental update). */
static void
append(struct doc *d, const char *text)
{
	size_t n = strlen(text);

	assert_non_null(d->p = realloc(d->p, d->len + n + 1));
	memcpy(d->p + d->len, text, n + 1);
	d->len += n;
}

static const char page_objs_fmt[] =
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>";
static const char page_obj[] =
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources "
    "<< /Font << /F1 4 0 R >> >> /Contents 5 0 R >>";
static const char font_obj[] =
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
static const char content_obj[] =
    "<< /Length 39 >>\nstream\nBT /F1 24 Tf 72 700 Td (MKBtext) Tj ET\n"
    "\nendstream";

struct run {
	struct strip_ctx ctx;
	struct sbuf out;
	int rc;
	char *qdf;		/* the output, uncompressed, or NULL */
	size_t qdf_len;
};

static char *
qdf_of(const uint8_t *p, size_t len, size_t *qlen)
{
	qpdf_data q = qpdf_init();
	char *r = NULL;

	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	if (qpdf_read_memory(q, "out", (const char *)p, len, "") &
	    QPDF_ERRORS)
		goto done;
	if (qpdf_init_write_memory(q) & QPDF_ERRORS)
		goto done;
	qpdf_set_qdf_mode(q, QPDF_TRUE);
	qpdf_set_object_stream_mode(q, qpdf_o_disable);
	if (qpdf_write(q) & QPDF_ERRORS)
		goto done;
	*qlen = qpdf_get_buffer_length(q);
	assert_non_null(r = malloc(*qlen + 1));
	memcpy(r, qpdf_get_buffer(q), *qlen);
	r[*qlen] = '\0';
done:
	qpdf_cleanup(&q);
	return r;
}

static void
run_pdf(struct run *r, const void *p, size_t len, size_t out_max)
{
	memset(r, 0, sizeof(*r));
	r->ctx.out_max = out_max;
	r->ctx.expand_budget = 64 << 20;
	r->ctx.members_budget = 100;
	sbuf_init(&r->out, out_max);
	r->rc = strip_pdf(&r->ctx, p, len, &r->out);
	if (r->rc == STRIP_OK)
		r->qdf = qdf_of(r->out.p, r->out.len, &r->qdf_len);
}

static void
run_free(struct run *r)
{
	sbuf_free(&r->out);
	free(r->qdf);
}

static int
has(const struct run *r, const char *s)
{
	return r->qdf != NULL && memmem(r->qdf, r->qdf_len, s, strlen(s));
}

static unsigned
removed(const struct run *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->ctx.rep.nremoved; i++)
		if (strcmp(r->ctx.rep.removed[i], what) == 0)
			return r->ctx.rep.count[i];
	return 0;
}

static int
warned(const struct run *r, const char *what)
{
	size_t i;

	for (i = 0; i < r->ctx.rep.nwarn; i++)
		if (strcmp(r->ctx.rep.warn[i], what) == 0)
			return 1;
	for (i = 0; i < r->ctx.rep.nkept; i++)
		if (strcmp(r->ctx.rep.kept[i], what) == 0)
			return 1;
	return 0;
}

static void
assert_clean(struct run *r)
{
	if (r->rc != STRIP_OK)
		fail_msg("expected STRIP_OK, got %d (%s)", r->rc,
		    r->ctx.rep.fail ? r->ctx.rep.fail : "no reason");
	assert_non_null(r->qdf);
	if (memmem(r->qdf, r->qdf_len, "MKM", 3) != NULL)
		fail_msg("a marker is left: %.60s", (char *)memmem(r->qdf,
		    r->qdf_len, "MKM", 3));
	if (!has(r, "MKBtext"))
		fail_msg("the text MKBtext is gone");
}

static void
test_info_id_xmp(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R /Metadata 6 0 R "
		    "/MKPrivate (MKMcatalogPrivate) >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Type /Metadata /Subtype /XML /Length 30 >>\nstream\n"
		    "<x:xmpmeta>MKMxmp</x:xmpmeta>\n\nendstream",
		"<< /Author (MKMauthor) /Producer (MKMproducer) "
		    "/Custom (MKMcustom) >>",
	};
	struct doc d = mkpdf(objs, 7, "/Info 7 0 R /ID [(MKMid1) (MKMid2)] "
	    "/MKTrailer (MKMtrailer)");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(memcmp(r.out.p, "%PDF-", 5), 0);
	assert_int_equal(removed(&r, "PDF Info dictionary"), 1);
	assert_int_equal(removed(&r, "PDF document ID"), 1);
	assert_int_equal(removed(&r, "PDF XMP metadata"), 1);
	assert_int_equal(removed(&r, "PDF private catalog entries"), 1);
	assert_int_equal(removed(&r, "PDF private trailer entries"), 1);
	assert_int_equal(removed(&r, "PDF earlier revisions"), 0);
	assert_true(has(&r, "/ID"));	/* a new one */
	assert_int_equal(r.ctx.rep.nwarn, 0);
	run_free(&r);
	free(d.p);
}

static void
test_object_metadata(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt,
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
		    "/Resources << /Font << /F1 4 0 R >> /XObject << /Im 6 0 R "
		    ">> >> /Contents 5 0 R /Metadata 7 0 R /LastModified "
		    "(MKMlastmod) /PieceInfo << /App << /Private (MKMpiece) "
		    ">> >> /Thumb 8 0 R >>",
		font_obj, content_obj,
		"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 "
		    "/ColorSpace /DeviceGray /BitsPerComponent 8 "
		    "/Metadata 7 0 R /Length 1 >>\nstream\nx\nendstream",
		"<< /Type /Metadata /Subtype /XML /Length 6 >>\nstream\n"
		    "MKMobj\nendstream",
		"<< /Width 6 /Height 1 /ColorSpace /DeviceGray "
		    "/BitsPerComponent 8 /Length 6 >>\nstream\nMKMthb\n"
		    "endstream",
	};
	struct doc d = mkpdf(objs, 8, "");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF object XMP metadata"), 2);
	assert_int_equal(removed(&r, "PDF PieceInfo"), 1);
	assert_int_equal(removed(&r, "PDF LastModified dates"), 1);
	assert_int_equal(removed(&r, "PDF page thumbnails"), 1);
	assert_true(has(&r, "/Im"));	/* the image stays */
	run_free(&r);
	free(d.p);
}

static void
test_annotations(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [7 0 R] "
		    ">> >>",
		page_objs_fmt,
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
		    "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R "
		    "/Annots [6 0 R 7 0 R 8 0 R << /Subtype /FreeText /Rect "
		    "[0 0 9 9] /T (MKMdirect) /DA (/F1 9 Tf) "
		    "/Contents (MKBfree) >>] >>",
		font_obj, content_obj,
		"<< /Type /Annot /Subtype /Text /Rect [0 0 9 9] /T (MKMauthor) "
		    "/M (MKMmod) /CreationDate (MKMcreated) /NM (n1) "
		    "/Contents (MKBnote) /Popup 8 0 R >>",
		"<< /Type /Annot /Subtype /Widget /FT /Tx /Rect [0 0 9 9] "
		    "/T (FieldName) /M (MKMwidgetmod) /V (MKBvalue) >>",
		"<< /Type /Annot /Subtype /Popup /Rect [0 0 9 9] /Parent 6 0 R "
		    "/T (MKMpopup) >>",
	};
	struct doc d = mkpdf(objs, 8, "");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF annotation author"), 3);
	assert_int_equal(removed(&r, "PDF annotation dates"), 3);
	assert_true(has(&r, "(FieldName)"));
	assert_true(has(&r, "(n1)"));
	assert_true(has(&r, "MKBnote"));
	assert_true(has(&r, "MKBfree"));
	assert_true(has(&r, "MKBvalue"));
	run_free(&r);
	free(d.p);
}

static void
test_embedded_files(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
		    "<< /Names [(a.txt) 6 0 R (b.bin) << /Type /Filespec "
		    "/F (b.bin) /EF << /F 8 0 R >> >>] >> >> >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Type /Filespec /F (a.txt) /UF (C:\\\\MKMdir\\\\a.txt) "
		    "/Desc (MKMdesc) /EF << /F 7 0 R >> >>",
		"<< /Type /EmbeddedFile /Params << /ModDate (MKMmoddate) "
		    "/CheckSum (MKMsum) >> /Length 14 >>\nstream\n"
		    "plain MKBatt.\n\nendstream",
		"<< /Params << /CreationDate (MKMbin) >> /Length 8 >>\nstream\n"
		    "\x01\x02\x03\x04\x05\x06\x07\x08\nendstream",
	};
	struct doc d = mkpdf(objs, 8, "");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF embedded file dates"), 2);
	assert_int_equal(removed(&r, "PDF embedded file description"), 1);
	assert_int_equal(removed(&r, "PDF file paths"), 1);
	assert_true(has(&r, "plain MKBatt."));	/* text passes through */
	assert_true(has(&r, "(a.txt)"));
	/* Unknown bytes: no cleaner, kept as they were. */
	assert_true(warned(&r, "PDF embedded file"));
	assert_true(has(&r, "\x01\x02\x03\x04\x05\x06\x07\x08"));
	run_free(&r);
	free(d.p);
}

/* An embedded PDF is cleaned by this very module, one level down. */
static void
test_embedded_pdf(void **state)
{
	static const char *const inner_objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Author (MKMinner) >>",
	};
	struct doc in = mkpdf(inner_objs, 6, "/Info 6 0 R");
	struct doc d;
	struct run r;
	char *obj6;
	const char *objs[6] = {
		"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
		    "<< /Names [(in.pdf) << /EF << /F 6 0 R >> >>] >> >> >>",
		page_objs_fmt, page_obj, font_obj, content_obj, NULL,
	};

	(void)state;
	assert_non_null(obj6 = malloc(in.len + 128));
	snprintf(obj6, in.len + 128, "<< /Type /EmbeddedFile /Length %zu >>"
	    "\nstream\n%s\nendstream", in.len, in.p);
	objs[5] = obj6;
	d = mkpdf(objs, 6, "");
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF Info dictionary"), 1);
	assert_false(warned(&r, "PDF embedded file"));
	assert_int_equal(r.ctx.depth, 0);
	run_free(&r);
	free(d.p);
	free(obj6);
	free(in.p);
}

/* Paths into the author's disk: absolute link targets lose their
 * directories; relative ones stay, since they still work. */
/* An embedded file that inflates past the budget, or one past the
 * member budget, is kept, not read. */
static void
test_expand_budget(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
		    "<< /Names [(a.txt) << /EF << /F 6 0 R >> >>] >> >> >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Type /EmbeddedFile /Length 14 >>\nstream\n"
		    "plain MKBatt.\n\nendstream",
	};
	struct doc d = mkpdf(objs, 6, "");
	struct strip_ctx ctx;
	struct sbuf out;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out_max = OUT_MAX;
	ctx.expand_budget = 10;
	ctx.members_budget = 10;
	sbuf_init(&out, OUT_MAX);
	assert_int_equal(strip_pdf(&ctx, (const uint8_t *)d.p, d.len, &out),
	    STRIP_OK);
	assert_int_equal(ctx.rep.nkept, 1);
	assert_string_equal(ctx.rep.kept[0], "PDF embedded file");
	assert_int_equal(ctx.expand_budget, 10);
	sbuf_free(&out);

	/* No member left in the budget: kept too. */
	memset(&ctx, 0, sizeof(ctx));
	ctx.out_max = OUT_MAX;
	ctx.expand_budget = 1 << 20;
	sbuf_init(&out, OUT_MAX);
	assert_int_equal(strip_pdf(&ctx, (const uint8_t *)d.p, d.len, &out),
	    STRIP_OK);
	assert_string_equal(ctx.rep.kept[0], "PDF embedded file");
	sbuf_free(&out);
	free(d.p);
}

static void
test_paths(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R /DSS << /Certs [6 0 R] >> >>",
		page_objs_fmt,
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
		    "/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R "
		    "/Annots [<< /Subtype /Link /Rect [0 0 9 9] "
		    "/A << /S /GoToR /F (/C/Users/MKMuser/a.pdf) /D [0 /Fit] "
		    ">> >> "
		    "<< /Subtype /Link /Rect [0 0 9 9] /A << /S /GoToR "
		    "/F (sub/b.pdf) /D [0 /Fit] >> >> "
		    "<< /Subtype /Link /Rect [0 0 9 9] /A << /S /Launch /Win "
		    "<< /F (C:\\\\MKMdir\\\\c.exe) /D (D:\\\\MKMwd) >> "
		    ">> >>] >>",
		font_obj, content_obj,
		"<< /Length 6 >>\nstream\nMKMdss\nendstream",
	};
	struct doc d = mkpdf(objs, 6, "");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF file paths"), 3);
	assert_int_equal(removed(&r, "PDF digital signatures"), 1);
	assert_true(has(&r, "(a.pdf)"));
	assert_true(has(&r, "(sub/b.pdf)"));
	assert_true(has(&r, "(c.exe)"));
	run_free(&r);
	free(d.p);
}

static void
test_incremental_update(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Author (MKMold) >>",
	};
	struct doc d = mkpdf(objs, 6, "/Info 6 0 R");
	char upd[512];
	size_t at = d.len;
	struct run r;
	const char *sx;

	(void)state;
	sx = memmem(d.p, d.len, "startxref\n", 10);
	assert_non_null(sx);
	snprintf(upd, sizeof(upd), "6 0 obj\n<< /Title (MKMnew) >>\nendobj\n"
	    "xref\n0 1\n0000000000 65535 f \n6 1\n%010zu 00000 n \n"
	    "trailer\n<< /Size 7 /Root 1 0 R /Info 6 0 R /Prev %ld >>\n"
	    "startxref\n%zu\n%%%%EOF\n", at, strtol(sx + 10, NULL, 10),
	    at + 37);
	append(&d, upd);
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF earlier revisions"), 1);
	assert_int_equal(removed(&r, "PDF Info dictionary"), 1);
	run_free(&r);
	free(d.p);
}

/* A document encrypted by qpdf (AES-256), with or without a user
 * password. */
static struct doc
encrypted(const char *user)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Author (MKMenc) >>",
	};
	struct doc plain = mkpdf(objs, 6, "/Info 6 0 R"), d;
	qpdf_data q = qpdf_init();

	qpdf_set_suppress_warnings(q, QPDF_TRUE);
	assert_false(qpdf_read_memory(q, "t", plain.p, plain.len, "") &
	    QPDF_ERRORS);
	assert_false(qpdf_init_write_memory(q) & QPDF_ERRORS);
	qpdf_set_r6_encryption_parameters2(q, user, "owner", QPDF_TRUE,
	    QPDF_TRUE, QPDF_TRUE, QPDF_TRUE, QPDF_TRUE, QPDF_TRUE,
	    qpdf_r3p_full, QPDF_TRUE);
	assert_false(qpdf_write(q) & QPDF_ERRORS);
	d.len = qpdf_get_buffer_length(q);
	assert_non_null(d.p = malloc(d.len));
	memcpy(d.p, qpdf_get_buffer(q), d.len);
	qpdf_cleanup(&q);
	free(plain.p);
	assert_null(memmem(d.p, d.len, "MKBtext", 7));
	return d;
}

static void
test_encrypted(void **state)
{
	struct doc d = encrypted("");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_true(warned(&r, "encrypted PDF opened without a password, "
	    "written unencrypted"));
	assert_null(memmem(r.out.p, r.out.len, "/Encrypt", 8));
	run_free(&r);
	free(d.p);

	d = encrypted("secret");
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_int_equal(r.rc, STRIP_UNSUPPORTED);
	assert_string_equal(r.ctx.rep.fail, "encrypted PDF needs a password");
	run_free(&r);
	free(d.p);
}

static void
test_not_pdf(void **state)
{
	static const char *const inputs[] = {
		"", "%PDF-", "%PDF-1.4\n", "%PDF-1.7\n1 0 obj\n<< /Type",
		"hello, world", "%PDF-1.4\ntrailer << /Root 9 0 R >>\n%%EOF",
	};
	struct run r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		run_pdf(&r, inputs[i], strlen(inputs[i]), OUT_MAX);
		if (r.rc != STRIP_FAIL)
			fail_msg("input %zu: expected STRIP_FAIL, got %d", i,
			    r.rc);
		assert_non_null(r.ctx.rep.fail);
		assert_int_equal(r.ctx.rep.nremoved, 0);
		run_free(&r);
	}
}

/* Wrong xref offsets: qpdf warns, rebuilds the table, and we clean. */
static void
test_damaged_recovered(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
		"<< /Author (MKMdamaged) >>",
	};
	struct doc d = mkpdf(objs, 6, "/Info 6 0 R");
	struct run r;
	char *p;

	(void)state;
	while ((p = memmem(d.p, d.len, "00000 n", 7)) != NULL)
		memcpy(p - 11, "0000000003 00000 x", 18);
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_clean(&r);
	assert_int_equal(removed(&r, "PDF Info dictionary"), 1);
	run_free(&r);
	free(d.p);
}

static void
test_output_cap(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
	};
	struct doc d = mkpdf(objs, 5, "");
	struct run r;

	(void)state;
	run_pdf(&r, d.p, d.len, 64);
	assert_int_equal(r.rc, STRIP_FAIL);
	assert_string_equal(r.ctx.rep.fail, "cleaned PDF too large");
	run_free(&r);
	free(d.p);
}

/* Direct objects nested deeper than the walk goes: refused, since an
 * entry below the cap would not be looked at. */
static void
test_deep_nesting(void **state)
{
	char deep[1024], obj[1200];
	const char *objs[6] = {
		"<< /Type /Catalog /Pages 2 0 R /Extensions 6 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj, obj,
	};
	struct doc d;
	struct run r;

	(void)state;
	memset(deep, '[', 150);
	memset(deep + 150, ']', 150);
	deep[300] = '\0';
	snprintf(obj, sizeof(obj), "<< /A %s >>", deep);
	d = mkpdf(objs, 6, "");
	run_pdf(&r, d.p, d.len, OUT_MAX);
	assert_int_equal(r.rc, STRIP_FAIL);
	assert_string_equal(r.ctx.rep.fail, "PDF objects nested too deep");
	run_free(&r);
	free(d.p);
}

/* The same document under two IDs cleans to the same bytes. */
static void
test_deterministic(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj, content_obj,
	};
	struct doc a = mkpdf(objs, 5, "/ID [<0102> <0304>]");
	struct doc b = mkpdf(objs, 5, "/ID [<0506> <0708>]");
	struct run ra, rb;

	(void)state;
	run_pdf(&ra, a.p, a.len, OUT_MAX);
	run_pdf(&rb, b.p, b.len, OUT_MAX);
	assert_int_equal(ra.rc, STRIP_OK);
	assert_int_equal(rb.rc, STRIP_OK);
	assert_int_equal(ra.out.len, rb.out.len);
	assert_memory_equal(ra.out.p, rb.out.p, ra.out.len);
	run_free(&ra);
	run_free(&rb);
	free(a.p);
	free(b.p);
}

/* Nothing on stdout or stderr, even when qpdf has much to complain
 * about: in the sandbox a write there kills the child. */
static void
test_silent(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		page_objs_fmt, page_obj, font_obj,
		"<< /Length 9999 /Filter /FlateDecode >>\nstream\nnot flate"
		    "\nendstream",
		"<< /Type /EmbeddedFile /Filter /FlateDecode /Length 5 >>\n"
		    "stream\nbroke\nendstream",
	};
	struct doc d = mkpdf(objs, 6, "/Root 6 0 R /Info 77 0 R");
	char tmpl[] = "/tmp/test_strip_pdf.XXXXXX";
	int fd, save1, save2;
	struct run r;
	off_t n;

	(void)state;
	d.p[d.len - 20] = 'x';	/* a broken startxref */
	assert_true((fd = mkstemp(tmpl)) >= 0);
	unlink(tmpl);
	fflush(stdout);
	fflush(stderr);
	save1 = dup(1);
	save2 = dup(2);
	dup2(fd, 1);
	dup2(fd, 2);
	strip_pdf_prep();
	run_pdf(&r, d.p, d.len, OUT_MAX);
	fflush(stdout);
	fflush(stderr);
	dup2(save1, 1);
	dup2(save2, 2);
	close(save1);
	close(save2);
	n = lseek(fd, 0, SEEK_END);
	close(fd);
	assert_int_equal(n, 0);
	run_free(&r);
	free(d.p);
}

/* ---- in the sandbox ---------------------------------------------- */

static int
sink(void *arg, const uint8_t *buf, size_t len)
{
	struct sbuf *b = arg;

	return sbuf_put(b, buf, len);
}

/* valgrind 3.19 lacks pidfd_open, which the sandbox needs (as in
 * test_sandbox.c). */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

/* One document through the real sandbox (no libmagic: the child's
 * built-in signatures say PDF). */
static void
sandboxed(const struct doc *d, struct strip_outcome *o, struct sbuf *got)
{
	struct strip_job *j;

	sbuf_init(got, OUT_MAX);
	assert_non_null(j = strip_start(NULL, d->len, sink, got));
	assert_int_equal(strip_feed(j, (const uint8_t *)d->p, d->len), 0);
	strip_finish(j, o);
}

/* qpdf under the seccomp filter: warnings on a damaged file, decryption,
 * a refusal, and a nested document. A write on stderr or any call off
 * the allow-list would kill the child ("not cleaned"). */
static void
test_sandboxed(void **state)
{
	static const char *const objs[] = {
		"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles "
		    "<< /Names [(a.txt) << /EF << /F 6 0 R >> >>] >> >> >>",
		page_objs_fmt, page_obj, font_obj,
		"<< /Length 999 >>\nstream\nBT /F1 24 Tf 72 700 Td (MKBtext) "
		    "Tj ET\nendstream",
		"<< /Type /EmbeddedFile /Params << /ModDate (MKMdate) >> "
		    "/Filter /FlateDecode /Length 3 >>\nstream\nbad\nendstream",
	};
	struct doc docs[3];
	struct strip_outcome o;
	struct sbuf got;
	size_t i;
	char *p;

	(void)state;
	if (UNDER_ASAN) {
		print_message("    skipped: ASan's allocator needs madvise\n");
		skip();
	}
	if (under_valgrind()) {
		print_message("    skipped: the sandbox cannot run under "
		    "valgrind\n");
		skip();
	}
	docs[0] = mkpdf(objs, 6, "/Info 9 0 R");
	while ((p = memmem(docs[0].p, docs[0].len, "00000 n", 7)) != NULL)
		memcpy(p - 11, "0000000003 00000 x", 18);
	docs[1] = encrypted("");
	docs[2] = encrypted("secret");
	for (i = 0; i < 2; i++) {
		sandboxed(&docs[i], &o, &got);
		if (o.status != STRIP_CLEANED)
			fail_msg("document %zu: not cleaned: %s", i, o.reason);
		assert_int_equal(memcmp(got.p, "%PDF-", 5), 0);
		assert_null(memmem(got.p, got.len, "MKM", 3));
		assert_true(o.nwarn > 0);
		sbuf_free(&got);
	}
	sandboxed(&docs[2], &o, &got);
	assert_int_equal(o.status, STRIP_NOT_SUPPORTED);
	assert_string_equal(o.reason, "encrypted PDF needs a password");
	sbuf_free(&got);
	for (i = 0; i < 3; i++)
		free(docs[i].p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_info_id_xmp),
		cmocka_unit_test(test_object_metadata),
		cmocka_unit_test(test_annotations),
		cmocka_unit_test(test_embedded_files),
		cmocka_unit_test(test_embedded_pdf),
		cmocka_unit_test(test_expand_budget),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_incremental_update),
		cmocka_unit_test(test_encrypted),
		cmocka_unit_test(test_not_pdf),
		cmocka_unit_test(test_damaged_recovered),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_silent),
		cmocka_unit_test(test_sandboxed),
	};

	if (sodium_init() < 0)	/* the sandbox's buffers */
		return 1;
	strip_pdf_prep();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
