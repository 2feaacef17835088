/*
 * intake.c — the first stage: a multipart/form-data body, streamed by
 * libmicrohttpd's post processor into the submission. Each file goes into
 * an encrypted anonymous temp file as it arrives; the message and token
 * into capped buffers. Memory does not grow with the size of a file.
 *
 * After the first error the rest of the body is read and dropped (so a
 * browser sees the error page rather than a reset connection) and every
 * temp file is released at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "posternd.h"

struct submission *
submission_new(struct server *srv, const char *lang)
{
	struct submission *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	s->srv = srv;
	snprintf(s->lang, sizeof(s->lang), "%s", lang);
	store_new_id(s->id);
	store_new_id(s->manifest.item);
	return s;
}

static void
uploads_release(struct submission *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		tempfile_free(s->files[i]->tmp);
		if (s->files[i]->original != NULL)
			sodium_free(s->files[i]->original);
		free(s->files[i]->strip);
		sodium_free(s->files[i]); /* wipes the name */
	}
	free(s->files);
	s->files = NULL;
	s->nfiles = 0;
	s->cur = NULL;
}

void
submission_free(struct submission *s)
{
	if (s == NULL)
		return;
	if (s->pp != NULL)
		MHD_destroy_post_processor(s->pp);
	uploads_release(s);
	sodium_free(s->message);
	sodium_memzero(s->token, sizeof(s->token));
	if (s->holds_slot)
		atomic_fetch_sub(&s->srv->uploads, 1);
	free(s);
}

/* The first error wins; the files are dropped at once. */
static void
intake_fail(struct submission *s, enum intake_err e)
{
	if (s->err == IE_NONE)
		s->err = e;
	uploads_release(s);
}

/*
 * Browsers escape three bytes in a multipart file name, as the HTML
 * standard says: '"' as %22, LF as %0A, CR as %0D. Undo exactly those, so
 * the journalist sees the name the source saw. (A name that really held
 * "%22" comes out as '"': the standard makes the two indistinguishable.)
 */
static void
copy_name(char *out, size_t len, const char *in)
{
	size_t o = 0;

	while (*in != '\0' && o + 1 < len) {
		if (in[0] == '%' && in[1] == '2' && in[2] == '2')
			out[o++] = '"', in += 3;
		else if (in[0] == '%' && in[1] == '0' && (in[2] == 'A' ||
		    in[2] == 'a'))
			out[o++] = '\n', in += 3;
		else if (in[0] == '%' && in[1] == '0' && (in[2] == 'D' ||
		    in[2] == 'd'))
			out[o++] = '\r', in += 3;
		else
			out[o++] = *in++;
	}
	out[o] = '\0';
}

static struct upload *
upload_new(struct submission *s, const char *filename, const char *ctype)
{
	struct upload *u, **v;

	if (s->nfiles == s->srv->cfg->max_files) {
		intake_fail(s, IE_TOO_MANY_FILES);
		return NULL;
	}
	if ((v = reallocarray(s->files, s->nfiles + 1, sizeof(*v))) == NULL) {
		intake_fail(s, IE_INTERNAL);
		return NULL;
	}
	s->files = v;
	if ((u = sodium_malloc(sizeof(*u))) == NULL) {
		intake_fail(s, IE_INTERNAL);
		return NULL;
	}
	memset(u, 0, sizeof(*u));
	store_new_id(u->item);
	/* Names longer than the cap are cut; the whole name is not needed
	 * to recognise a document, and the cap bounds memory. */
	snprintf(u->name, sizeof(u->name), "%s", filename);
	snprintf(u->claimed_type, sizeof(u->claimed_type), "%s",
	    ctype ? ctype : "");
	if ((u->tmp = tempfile_new(s->srv->tmp_dir)) == NULL) {
		int e = errno;
		sodium_free(u);
		log_msg("cannot create a temp file in %s: %s", s->srv->tmp_dir,
		    strerror(e));
		intake_fail(s, e == ENOSPC || e == EDQUOT ? IE_DISK :
		    IE_INTERNAL);
		return NULL;
	}
	s->files[s->nfiles++] = u;
	return u;
}

static void
file_data(struct submission *s, const char *filename, const char *ctype,
    const char *data, uint64_t off, size_t size)
{
	struct upload *u = s->cur;
	char name[FILENAME_MAX_BYTES + 1];

	/* A browser sends an empty part with an empty name for a file input
	 * left blank; a real file always has a name. */
	if (filename[0] == '\0' && size == 0)
		return;
	copy_name(name, sizeof(name), filename);
	filename = name;
	/* A part can begin with an empty call and continue at offset 0, so
	 * a new part is one at offset 0 unless the current part is still
	 * empty and has the same name. */
	if (u == NULL || (off == 0 && (u->size > 0 ||
	    strncmp(u->name, filename, FILENAME_MAX_BYTES) != 0))) {
		u = upload_new(s, filename[0] ? filename : "unnamed", ctype);
		s->cur = u;
	}
	sodium_memzero(name, sizeof(name));
	if (u == NULL || size == 0)
		return;
	if (u->size + size > s->srv->cfg->max_file_size) {
		intake_fail(s, IE_FILE_TOO_LARGE);
		return;
	}
	if (tempfile_write(u->tmp, data, size) != 0) {
		int e = errno;
		log_msg("writing a temp file failed: %s", strerror(e));
		intake_fail(s, e == ENOSPC || e == EDQUOT ? IE_DISK :
		    IE_INTERNAL);
		return;
	}
	u->size += size;
}

static void
field_append(struct submission *s, char *buf, size_t *len, size_t cap,
    const char *data, size_t size, enum intake_err too_long)
{
	if (size > cap - *len) {
		intake_fail(s, too_long);
		return;
	}
	memcpy(buf + *len, data, size);
	*len += size;
}

enum MHD_Result
intake_iterate(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct submission *s = cls;

	(void)kind;
	(void)transfer_encoding;
	s->parts = 1;
	if (s->err != IE_NONE)
		return MHD_YES;
	if (strcmp(key, "files") == 0 && filename != NULL) {
		file_data(s, filename, content_type, data, off, size);
		return MHD_YES;
	}
	s->cur = NULL;
	if (strcmp(key, "message") == 0) {
		/* Locked memory only for sources who write a message: most
		 * of an upload's memory is per file, and uploads are many. */
		if (s->message == NULL && (s->message = sodium_malloc(
		    s->srv->cfg->max_message_size + 1)) == NULL) {
			intake_fail(s, IE_INTERNAL);
			return MHD_YES;
		}
		field_append(s, s->message, &s->message_len,
		    s->srv->cfg->max_message_size, data, size,
		    IE_MESSAGE_TOO_LARGE);
	} else if (strcmp(key, "token") == 0)
		field_append(s, s->token, &s->token_len, TOKEN_FIELD_MAX,
		    data, size, IE_TOKEN);
	/* Other fields are ignored; their bytes still count to the cap. */
	return MHD_YES;
}

int
intake_body(struct submission *s, const char *data, size_t len)
{
	s->received += len;
	if (s->err != IE_NONE)
		return -1;
	if (s->received > s->srv->cfg->max_submission_size) {
		intake_fail(s, IE_TOO_LARGE);
		return -1;
	}
	if (MHD_post_process(s->pp, data, len) != MHD_YES) {
		intake_fail(s, IE_MALFORMED);
		return -1;
	}
	return s->err == IE_NONE ? 0 : -1;
}

static int
is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r' && p[i] != '\n')
			return 0;
	return 1;
}

int
intake_end(struct submission *s)
{
	size_t i;
	int complete;

	if (s->err != IE_NONE)
		return -1;
	complete = MHD_destroy_post_processor(s->pp) == MHD_YES;
	s->pp = NULL;
	/* A body with no part at all is not a form this server made. */
	if (!complete || !s->parts) {
		intake_fail(s, IE_MALFORMED);
		return -1;
	}
	if (csrf_check(s->srv->csrf, time(NULL), s->token, s->token_len) != 0) {
		intake_fail(s, IE_TOKEN);
		return -1;
	}
	if (s->nfiles == 0 && is_blank(s->message, s->message_len)) {
		intake_fail(s, IE_EMPTY);
		return -1;
	}
	for (i = 0; i < s->nfiles; i++)
		if (tempfile_finish(s->files[i]->tmp) != 0) {
			log_msg("finishing a temp file failed: %s",
			    strerror(errno));
			intake_fail(s, errno == ENOSPC ? IE_DISK : IE_INTERNAL);
			return -1;
		}
	if (s->message != NULL)
		s->message[s->message_len] = '\0';
	return 0;
}
