/*
 * pdf.cc — PDF, with libqpdf: read the document from memory, drop every
 * identifying entry, and write the whole file anew.
 *
 * Removed: the trailer's /Info dictionary and /ID (the new ID is computed
 * from the cleaned content, so nothing of the old one survives); XMP
 * /Metadata streams on the catalog and on every other object; /PieceInfo
 * and /LastModified wherever they are; entries of the catalog and trailer
 * that PDF does not define (an application's private data); the author
 * (/T) and dates (/M, /CreationDate) of annotations other than form
 * widgets, whose /T is a field name; embedded files' /Params (dates, size,
 * checksum, Mac creator), their filespec's /Desc and collection item
 * (/CI); directories in embedded files' names and in absolute link
 * targets (paths on the author's disk); page thumbnails (/Thumb: an old
 * picture of the page, which may predate a redaction); signature values
 * and the catalog's /Perms and /DSS (the signer's name, certificates,
 * place and time); article threads' info dictionaries; web capture info;
 * optional content /CreatorInfo. Embedded files are cleaned in turn by the
 * module for their type, and JPEG images (/DCTDecode) by the JPEG module;
 * either is kept as it was, with a warning, when that fails.
 *
 * The output is a full rewrite (QPDFWriter): incremental updates, their
 * older versions of objects, and unreferenced objects are gone. Streams may
 * be recompressed and packed in object streams; text stays text. A file
 * qpdf had to repair is cleaned with a warning.
 *
 * Encrypted files that open with the empty user password are written
 * unencrypted, with a warning; those that need a password are not
 * supported. qpdf must print nothing (the sandbox allows writes on the
 * output and report pipes only): its warnings are suppressed and its
 * loggers discard. No exception leaves this file.
 */
/* qpdf 11: no PointerHolder, only std::shared_ptr. */
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/Buffer.hh>
#include <qpdf/Constants.h>
#include <qpdf/Pipeline.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFExc.hh>
#include <qpdf/QPDFLogger.hh>
#include <qpdf/QPDFObjGen.hh>
#include <qpdf/QPDFObjectHandle.hh>
#include <qpdf/QPDFWriter.hh>

#include <cstring>
#include <memory>
#include <new>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

extern "C" {
#include "postern/stripfmt.h"
}

/* Direct objects nest at most this deep (qpdf's parser allows 500): a
 * deeper one fails rather than hide an entry from the walk. */
#define WALK_DEPTH_MAX 100

namespace {

/* What the walk over the objects found for the second pass. */
struct found {
	std::set<QPDFObjGen> seen;
	std::vector<QPDFObjectHandle> embedded;	/* embedded file streams */
	std::vector<QPDFObjectHandle> jpegs;	/* /DCTDecode images */
};

/* Stream data into memory, at most max bytes: past that the pipeline
 * throws, qpdf catches it and reports failure, and over is set. */
class CapSink : public Pipeline {
public:
	explicit CapSink(size_t max) : Pipeline("postern", nullptr), max_(max)
	{
	}
	void write(unsigned char const *p, size_t n) override
	{
		if (n > max_ - data.size()) {
			over = true;
			throw std::length_error("stream data over the cap");
		}
		data.append(reinterpret_cast<const char *>(p), n);
	}
	void finish() override
	{
	}
	std::string data;
	bool over = false;

private:
	size_t max_;
};

/* An sbuf freed on every way out, exceptions included. */
struct SbufGuard {
	struct sbuf b;
	explicit SbufGuard(size_t max)
	{
		sbuf_init(&b, max);
	}
	~SbufGuard()
	{
		sbuf_free(&b);
	}
};

const char *const annot_types[] = {
	"/Text", "/Link", "/FreeText", "/Line", "/Square", "/Circle",
	"/Polygon", "/PolyLine", "/Highlight", "/Underline", "/Squiggly",
	"/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup", "/FileAttachment",
	"/Sound", "/Movie", "/Screen", "/PrinterMark", "/TrapNet",
	"/Watermark", "/3D", "/Redact", "/RichMedia", "/Projection",
	"/Widget",
};

/* Who signed, where, when, with which certificate and software. */
const char *const sig_keys[] = {
	"/Name", "/M", "/Location", "/Reason", "/ContactInfo", "/Cert",
	"/Contents", "/Prop_Build", "/Prop_AuthTime", "/Prop_AuthType",
};

/* A filespec's names, and its /EF dictionary's streams, by platform. */
const char *const file_keys[] = {
	"/F", "/UF", "/DOS", "/Mac", "/Unix",
};

bool
drop(struct strip_ctx *ctx, QPDFObjectHandle &d, const char *key,
    const char *what)
{
	if (!d.hasKey(key))
		return false;
	d.removeKey(key);
	strip_removed(ctx, what);
	return true;
}

bool
is_name(QPDFObjectHandle d, const char *key, const char *name)
{
	return d.getKey(key).isNameAndEquals(name);
}

bool
is_annot(QPDFObjectHandle &d)
{
	QPDFObjectHandle st;

	if (is_name(d, "/Type", "/Annot"))
		return true;
	if (!d.hasKey("/Rect") || !(st = d.getKey("/Subtype")).isName())
		return false;
	for (const char *t : annot_types)
		if (st.getName() == t)
			return true;
	return false;
}

/* Author and dates of a comment. A widget's /T, or any field's, is the
 * form field's name, which form data refers to: it stays. */
void
clean_annot(struct strip_ctx *ctx, QPDFObjectHandle &d)
{
	if (!is_name(d, "/Subtype", "/Widget") && !d.hasKey("/FT"))
		drop(ctx, d, "/T", "PDF annotation author");
	drop(ctx, d, "/M", "PDF annotation dates");
	drop(ctx, d, "/CreationDate", "PDF annotation dates");
}

void
clean_sig(struct strip_ctx *ctx, QPDFObjectHandle &d)
{
	for (const char *k : sig_keys)
		drop(ctx, d, k, "PDF digital signatures");
	drop(ctx, d, "/ByteRange", "PDF digital signatures");
}

/* The last component of a path, '/' or '\' separated. */
std::string
base_name(std::string const &s)
{
	size_t i = s.find_last_of("/\\");

	return i == std::string::npos ? s : s.substr(i + 1);
}

/* A path on the author's machine: "/C/Users/..." (the PDF form),
 * "C:\...", "\\server\...", "file:...". */
bool
is_absolute(std::string const &s)
{
	return !s.empty() && (s[0] == '/' || s[0] == '\\' ||
	    (s.size() > 1 && s[1] == ':'));
}

/* File names in d reduced to their last component: always for an
 * embedded file (the name is all a reader needs), else only when they
 * are absolute (a relative link still works; an absolute one pointed
 * into the author's disk and cannot work elsewhere). */
void
clean_paths(struct strip_ctx *ctx, QPDFObjectHandle d, bool always)
{
	QPDFObjectHandle v;
	std::string name;

	if (!d.isDictionary())
		return;
	for (const char *k : file_keys) {
		if (!(v = d.getKey(k)).isString())
			continue;
		name = v.getUTF8Value();
		if (base_name(name) == name || !(always || is_absolute(name)))
			continue;
		d.replaceKey(k, QPDFObjectHandle::newUnicodeString(
		    base_name(name)));
		strip_removed(ctx, "PDF file paths");
	}
}

void
clean_filespec(struct strip_ctx *ctx, QPDFObjectHandle &d, struct found &f)
{
	QPDFObjectHandle ef = d.getKey("/EF"), v;

	drop(ctx, d, "/Desc", "PDF embedded file description");
	drop(ctx, d, "/CI", "PDF embedded file dates");
	clean_paths(ctx, d, ef.isDictionary());
	if (!ef.isDictionary())
		return;
	for (const char *k : file_keys) {
		v = ef.getKey(k);
		if (v.isStream() && f.seen.insert(v.getObjGen()).second)
			f.embedded.push_back(v);
	}
}

/* Actions and reference XObjects name files by a bare string too; a
 * Launch action's /Win dictionary has a file and a directory. */
void
clean_links(struct strip_ctx *ctx, QPDFObjectHandle &d)
{
	QPDFObjectHandle win;

	if (is_name(d, "/S", "/Launch") || is_name(d, "/S", "/GoToR") ||
	    is_name(d, "/S", "/GoToE") || is_name(d, "/S", "/ImportData"))
		clean_paths(ctx, d, false);
	if ((win = d.getKey("/Win")).isDictionary()) {
		clean_paths(ctx, win, false);
		if (win.getKey("/D").isString() &&
		    is_absolute(win.getKey("/D").getUTF8Value())) {
			win.removeKey("/D");
			strip_removed(ctx, "PDF file paths");
		}
	}
	if (d.getKey("/Ref").isDictionary())
		clean_paths(ctx, d.getKey("/Ref"), false);
}

bool
is_jpeg(QPDFObjectHandle &d)
{
	QPDFObjectHandle fl = d.getKey("/Filter");

	if (!is_name(d, "/Subtype", "/Image"))
		return false;
	if (fl.isArray() && fl.getArrayNItems() == 1)
		fl = fl.getArrayItem(0);
	return fl.isNameAndEquals("/DCTDecode");
}

/* Entries that identify, in one dictionary (a stream's, when s is set). */
void
clean_dict(struct strip_ctx *ctx, QPDFObjectHandle &d, QPDFObjectHandle *s,
    struct found &f)
{
	drop(ctx, d, "/Metadata", "PDF object XMP metadata");
	drop(ctx, d, "/PieceInfo", "PDF PieceInfo");
	drop(ctx, d, "/LastModified", "PDF LastModified dates");
	drop(ctx, d, "/CreatorInfo", "PDF optional content creator");
	if (is_annot(d))
		clean_annot(ctx, d);
	if (is_name(d, "/FT", "/Sig"))
		drop(ctx, d, "/V", "PDF digital signatures");
	if (is_name(d, "/Type", "/Sig") || is_name(d, "/Type", "/DocTimeStamp")
	    || d.hasKey("/ByteRange"))
		clean_sig(ctx, d);
	if (is_name(d, "/Type", "/Page"))
		drop(ctx, d, "/Thumb", "PDF page thumbnails");
	if (is_name(d, "/Type", "/Thread"))
		drop(ctx, d, "/I", "PDF thread info");
	if (is_name(d, "/Type", "/EmbeddedFile"))
		drop(ctx, d, "/Params", "PDF embedded file dates");
	if (d.hasKey("/EF") || is_name(d, "/Type", "/Filespec"))
		clean_filespec(ctx, d, f);
	clean_links(ctx, d);
	if (s == nullptr)
		return;
	/* /Params belongs to embedded file streams only: one that lost its
	 * /Type or its filespec is still one. */
	if ((is_name(d, "/Type", "/EmbeddedFile") ||
	    d.getKey("/Params").isDictionary()) &&
	    f.seen.insert(s->getObjGen()).second)
		f.embedded.push_back(*s);
	else if (is_jpeg(d))
		f.jpegs.push_back(*s);
}

/* One object and the direct objects inside it; indirect ones are walked
 * on their own turn. Returns -1 when nested too deep. */
int
walk(struct strip_ctx *ctx, QPDFObjectHandle h, struct found &f, int depth)
{
	QPDFObjectHandle d;

	if (depth > WALK_DEPTH_MAX)
		return -1;
	if (h.isArray()) {
		for (auto v : h.aitems())
			if (!v.isIndirect() && walk(ctx, v, f, depth + 1) != 0)
				return -1;
		return 0;
	}
	if (h.isStream()) {
		d = h.getDict();
		clean_dict(ctx, d, &h, f);
	} else if (h.isDictionary()) {
		d = h;
		clean_dict(ctx, d, nullptr, f);
	} else
		return 0;
	for (auto const &kv : d.ditems())
		if (!kv.second.isIndirect() &&
		    walk(ctx, kv.second, f, depth + 1) != 0)
			return -1;
	return 0;
}

/* Revisions after the first: a startxref pointing past offset 0 (a
 * linearized file's first-page trailer says 0) in each of them. */
unsigned
count_revisions(const uint8_t *in, size_t len)
{
	static const char kw[] = "startxref";
	const uint8_t *p = in, *end = in + len, *q;
	unsigned n = 0;

	while ((q = static_cast<const uint8_t *>(memmem(p,
	    static_cast<size_t>(end - p), kw, sizeof(kw) - 1))) != nullptr) {
		p = q + sizeof(kw) - 1;
		while (p < end && (*p == ' ' || *p == '\r' || *p == '\n' ||
		    *p == '\t'))
			p++;
		if (p < end && *p >= '1' && *p <= '9')
			n++;
	}
	return n;
}

/* Run another module on a stream's data; its output, or an empty string
 * when it failed (the caller keeps the stream and warns). The failure's
 * reason is the nested module's, not this document's: it is put back. */
bool
clean_nested(struct strip_ctx *ctx, enum strip_format fmt,
    std::string const &in, std::string &out)
{
	const char *fail = ctx->rep.fail;
	SbufGuard sub(ctx->out_max);
	int rc;

	rc = strip_document(ctx, fmt,
	    reinterpret_cast<const uint8_t *>(in.data()), in.size(), &sub.b);
	ctx->rep.fail = fail;
	if (rc != STRIP_OK)
		return false;
	out.assign(reinterpret_cast<const char *>(sub.b.p), sub.b.len);
	return true;
}

/* Decoded data of a stream, within the expansion budget; or, with level
 * none, its raw (decrypted) data, which expands nothing. */
bool
stream_data(struct strip_ctx *ctx, QPDFObjectHandle &s,
    qpdf_stream_decode_level_e level, std::string &data)
{
	size_t cap = ctx->out_max;
	bool tried = false, ok;

	if (ctx->expand_budget < cap)
		cap = static_cast<size_t>(ctx->expand_budget);
	CapSink sink(cap);
	ok = s.pipeStreamData(&sink, &tried, 0, level, true, false);
	/* Raw data involves no filter: nothing to try. */
	if (!ok || (level != qpdf_dl_none && !tried) || sink.over)
		return false;
	if (level != qpdf_dl_none)
		ctx->expand_budget -= sink.data.size();
	data.swap(sink.data);
	return true;
}

/* An embedded file counts as an archive member against the budget. */
void
clean_embedded(struct strip_ctx *ctx, QPDFObjectHandle &s)
{
	QPDFObjectHandle d = s.getDict();
	std::string data, clean;
	char mime[128];
	enum strip_format fmt;

	drop(ctx, d, "/Params", "PDF embedded file dates");
	if (ctx->members_budget == 0 ||
	    !stream_data(ctx, s, qpdf_dl_generalized, data))
		goto keep;
	ctx->members_budget--;
	fmt = strip_detect(ctx, reinterpret_cast<const uint8_t *>(
	    data.data()), data.size(), mime, sizeof(mime));
	if (fmt == SF_UNKNOWN || !clean_nested(ctx, fmt, data, clean))
		goto keep;
	s.replaceStreamData(clean, QPDFObjectHandle::newNull(),
	    QPDFObjectHandle::newNull());
	return;
keep:
	strip_kept(ctx, "PDF embedded file");
}

/* A JPEG image's stream is a JPEG file: EXIF, XMP and comments in it go
 * the way they go in a lone JPEG. Filter and parameters stay. */
void
clean_jpeg_image(struct strip_ctx *ctx, QPDFObjectHandle &s)
{
	std::string data, clean;

	if (!stream_data(ctx, s, qpdf_dl_none, data)) {
		strip_kept(ctx, "PDF image");
		return;
	}
	if (!clean_nested(ctx, SF_JPEG, data, clean)) {
		strip_kept(ctx, "PDF image");
		return;
	}
	if (clean != data)
		s.replaceStreamData(clean, QPDFObjectHandle(),
		    QPDFObjectHandle());
}

/* The catalog's entries in PDF 2.0; others are an application's own. */
const char *const catalog_keys[] = {
	"/Type", "/Version", "/Extensions", "/Pages", "/PageLabels",
	"/Names", "/Dests", "/ViewerPreferences", "/PageLayout", "/PageMode",
	"/Outlines", "/Threads", "/OpenAction", "/AA", "/URI", "/AcroForm",
	"/Metadata", "/StructTreeRoot", "/MarkInfo", "/Lang", "/SpiderInfo",
	"/OutputIntents", "/PieceInfo", "/OCProperties", "/Perms", "/Legal",
	"/Requirements", "/Collection", "/NeedsRendering", "/DSS", "/AF",
	"/DPartRoot",
};

/* The trailer's (and a cross-reference stream's, which is the trailer
 * then); QPDFWriter writes them anew. */
const char *const trailer_keys[] = {
	"/Size", "/Prev", "/Root", "/Encrypt", "/Info", "/ID", "/XRefStm",
	"/Type", "/W", "/Index", "/Length", "/Filter", "/DecodeParms",
};

template <size_t N> void
keep_only(struct strip_ctx *ctx, QPDFObjectHandle d,
    const char *const (&keys)[N], const char *what)
{
	bool known;

	if (!d.isDictionary())
		return;
	for (auto const &k : d.getKeys()) {
		known = false;
		for (const char *kk : keys)
			known = known || k == kk;
		if (!known) {
			d.removeKey(k);
			strip_removed(ctx, what);
		}
	}
}

/* The trailer and the catalog: document-level metadata. */
void
clean_document(struct strip_ctx *ctx, QPDF &pdf)
{
	QPDFObjectHandle tr = pdf.getTrailer(), root = pdf.getRoot(), info;

	info = tr.getKey("/Info");
	if (tr.hasKey("/Info")) {
		/* Emptied too, in case something else refers to it. */
		if (info.isDictionary() && info.isIndirect())
			for (auto const &k : info.getKeys())
				info.removeKey(k);
		tr.removeKey("/Info");
		strip_removed(ctx, "PDF Info dictionary");
	}
	drop(ctx, tr, "/ID", "PDF document ID");
	keep_only(ctx, tr, trailer_keys, "PDF private trailer entries");
	keep_only(ctx, root, catalog_keys, "PDF private catalog entries");
	drop(ctx, root, "/Metadata", "PDF XMP metadata");
	drop(ctx, root, "/SpiderInfo", "PDF web capture info");
	drop(ctx, root, "/Perms", "PDF digital signatures");
	/* Validation data for signatures: the signers' certificates. */
	drop(ctx, root, "/DSS", "PDF digital signatures");
}

void
quiet(QPDF &pdf)
{
	std::shared_ptr<QPDFLogger> log = QPDFLogger::create();

	log->setInfo(log->discard());
	log->setWarn(log->discard());
	log->setError(log->discard());
	pdf.setLogger(log);
	pdf.setSuppressWarnings(true);
}

void
quiet_default(void)
{
	std::shared_ptr<QPDFLogger> log = QPDFLogger::defaultLogger();

	log->setInfo(log->discard());
	log->setWarn(log->discard());
	log->setError(log->discard());
}

int
write_out(struct strip_ctx *ctx, QPDF &pdf, struct sbuf *out)
{
	QPDFWriter w(pdf);
	std::shared_ptr<Buffer> b;

	w.setOutputMemory();
	w.setPreserveEncryption(false);
	w.setPreserveUnreferencedObjects(false);
	w.setSuppressOriginalObjectIDs(true);
	w.setDeterministicID(true);
	w.setLinearization(false);
	w.setCompressStreams(true);
	w.setObjectStreamMode(qpdf_o_generate);
	w.write();
	b = w.getBufferSharedPointer();
	if (sbuf_put(out, b->getBuffer(), b->getSize()) != 0)
		return strip_fail(ctx, STRIP_FAIL, "cleaned PDF too large");
	return STRIP_OK;
}

int
clean(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	QPDF pdf;
	struct found f;
	int rc;

	quiet(pdf);
	pdf.processMemoryFile("document", reinterpret_cast<const char *>(in),
	    len, "");
	if (pdf.isEncrypted())
		strip_warn(ctx, "encrypted PDF opened without a password, "
		    "written unencrypted");
	if (count_revisions(in, len) > 1)
		strip_removed(ctx, "PDF earlier revisions");
	clean_document(ctx, pdf);
	for (auto &o : pdf.getAllObjects())
		if (walk(ctx, o, f, 0) != 0)
			return strip_fail(ctx, STRIP_FAIL,
			    "PDF objects nested too deep");
	if (walk(ctx, pdf.getTrailer(), f, 0) != 0)
		return strip_fail(ctx, STRIP_FAIL,
		    "PDF objects nested too deep");
	for (auto &s : f.embedded)
		clean_embedded(ctx, s);
	for (auto &s : f.jpegs)
		clean_jpeg_image(ctx, s);
	rc = write_out(ctx, pdf, out);
	/* What qpdf repaired may not be what the author saw. */
	if (rc == STRIP_OK && pdf.anyWarnings())
		strip_warn(ctx, "PDF was damaged and repaired: check the "
		    "cleaned file");
	return rc;
}

int
qpdf_error(struct strip_ctx *ctx, QPDFExc &e)
{
	switch (e.getErrorCode()) {
	case qpdf_e_password:
		return strip_fail(ctx, STRIP_UNSUPPORTED,
		    "encrypted PDF needs a password");
	case qpdf_e_unsupported:
		return strip_fail(ctx, STRIP_UNSUPPORTED,
		    "PDF uses a feature qpdf does not support");
	default:
		return strip_fail(ctx, STRIP_FAIL,
		    "PDF damaged beyond repair");
	}
}

} /* namespace */

extern "C" int
strip_pdf(struct strip_ctx *ctx, const uint8_t *in, size_t len,
    struct sbuf *out)
{
	try {
		return clean(ctx, in, len, out);
	} catch (QPDFExc &e) {
		return qpdf_error(ctx, e);
	} catch (std::bad_alloc &) {
		return strip_fail(ctx, STRIP_FAIL,
		    "PDF needs more memory than allowed");
	} catch (std::exception &) {
		return strip_fail(ctx, STRIP_FAIL, "PDF damaged beyond repair");
	} catch (...) {
		return strip_fail(ctx, STRIP_FAIL, "PDF reader failed");
	}
}

/*
 * Before the seccomp filter: the first C++ exception runs the unwinder's
 * one-time set-up, which takes a futex the filter forbids, and qpdf throws
 * (and catches) exceptions while it repairs a damaged file. Throw one
 * here, quietly. Also silence the default logger, in case some path
 * reaches it rather than the QPDF object's own.
 */
extern "C" void
strip_pdf_prep(void)
{
	static const char not_pdf[] = "not a PDF";

	try {
		quiet_default();
		QPDF bad;
		quiet(bad);
		bad.processMemoryFile("prep", not_pdf, sizeof(not_pdf) - 1);
	} catch (...) {
	}
}
