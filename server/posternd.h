/*
 * posternd.h — what the files of posternd share: the server (read-only
 * after start-up, but for its locks and counters) and the submission that
 * flows through the upload pipeline:
 *
 *   intake (intake.c)  the multipart body, streamed into encrypted temp files
 *   strip + seal       each file through the sandboxed stripper (broker.c:
 *                      the type is found from its bytes there, by libmagic),
 *                      the cleaned stream age-encrypted into the spool as it
 *                      comes; a file that cannot be cleaned is stored as
 *                      uploaded and marked, or refuses the submission
 *   seal               the manifest, age-encrypted into the spool
 *   store              renamed into place, then one SQLite commit
 *
 * Only after store returns 0 does the source see a receipt.
 */
#ifndef POSTERND_H
#define POSTERND_H

#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdint.h>

#include <sys/types.h>

#include <microhttpd.h>

#include "postern/config.h"
#include "postern/csrf.h"
#include "postern/store.h"
#include "postern/strip.h"
#include "postern/template.h"
#include "postern/tempfile.h"

#define TYPE_MAX 128          /* a detected MIME type */
#define REPORT_MAX 2048       /* a file's cleaning report, one line */
#define FILENAME_MAX_BYTES 1024 /* a file name as the browser sent it */
#define CLAIMED_TYPE_MAX 128  /* the browser's Content-Type for a part */
#define TOKEN_FIELD_MAX 64    /* the form's token field */
#define CSRF_LIFETIME (24 * 3600)

struct server {
	const struct config *cfg;
	struct template_set *tpl;
	struct store *store;
	struct csrf *csrf;
	int broker_fd;                 /* control socket to the strip
	                                * broker (broker.c), or -1 */
	pid_t broker_pid;
	pthread_mutex_t broker_mu;     /* one job request at a time */
	sem_t workers;                 /* bounds concurrent strip + seal */
	atomic_uint uploads;           /* uploads in progress */
	char tmp_dir[PATH_MAX];
	char spool_dir[PATH_MAX];
};

/* Why a submission failed; http.c maps each to a status and a page. */
enum intake_err {
	IE_NONE = 0,
	IE_MALFORMED,       /* 400 */
	IE_EMPTY,           /* 400: no message and no file */
	IE_TOKEN,           /* 403 */
	IE_FILE_TOO_LARGE,  /* 413 */
	IE_TOO_MANY_FILES,  /* 413 */
	IE_TOO_LARGE,       /* 413: the whole request */
	IE_MESSAGE_TOO_LARGE, /* 413 */
	IE_BUSY,            /* 503 */
	IE_DISK,            /* 507 */
	IE_INTERNAL,        /* 500 */
	IE_UNCLEANABLE      /* 415: a file could not be cleaned, and the
	                     * config says uncleanable = refuse */
};

/* One uploaded file. Allocated with sodium_malloc: it holds the name. */
struct upload {
	char item[STORE_ID_LEN + 1];
	char name[FILENAME_MAX_BYTES + 1];
	char claimed_type[CLAIMED_TYPE_MAX + 1];
	char type[TYPE_MAX + 1];        /* from the stripper's outcome */
	char report[REPORT_MAX + 1];    /* strip_outcome_text */
	int cleaned;                    /* the stored item is the cleaned
	                                 * document */
	struct strip_outcome *strip;    /* what the stripper said (calloc'd
	                                 * by the pipeline), or NULL */
	struct upload *original;        /* keep_original: the original as
	                                 * uploaded, its own item; else NULL */
	struct tempfile *tmp;
	uint64_t size;                  /* plaintext bytes */
	uint64_t sealed_size;           /* ciphertext bytes in the spool */
	int sealed;                     /* a spool temp file exists */
	int placed;                     /* renamed into the spool */
};

struct submission {
	struct server *srv;
	enum intake_err err;
	struct MHD_PostProcessor *pp;
	uint64_t received;              /* body bytes seen, kept or not */
	int holds_slot;                 /* counted in srv->uploads */
	int parts;                      /* the body held at least one part */
	char lang[16];
	char id[STORE_ID_LEN + 1];

	char *message;                  /* NULL, or sodium_malloc'd with
	                                 * max_message_size + 1 bytes */
	size_t message_len;
	char token[TOKEN_FIELD_MAX + 1];
	size_t token_len;

	struct upload **files;
	size_t nfiles;
	struct upload *cur;             /* the part being received */
	char cur_key[16];               /* its form field */

	struct upload manifest;         /* item, sealed and placed flags */
	const struct upload *refused;   /* IE_UNCLEANABLE: which file */
};

/* intake.c */
struct submission *submission_new(struct server *, const char *lang);
void submission_free(struct submission *);
/* Feed body bytes (the post processor is set up by the caller). */
int intake_body(struct submission *, const char *data, size_t len);
/* The body ended: check it was well-formed and the token. */
int intake_end(struct submission *);
/* For MHD_create_post_processor. */
enum MHD_Result intake_iterate(void *cls, enum MHD_ValueKind kind,
    const char *key, const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size);

/* pipeline.c: strip+seal each file → seal the manifest → store; on
 * failure nothing stays (s->err says why, when it is not IE_INTERNAL). */
int pipeline_run(struct submission *);
/* Start-up: delete spool temp files and spool files no row refers to. */
int pipeline_recover(struct server *);

/* broker.c */
/* Fork the strip broker. Call before any thread starts and before any
 * upload exists; 0, or -1 (logged). */
int broker_start(struct server *);
/* Close its control socket (it exits, its jobs with it) and reap it. */
void broker_stop(struct server *);
/*
 * Run the sandboxed stripper on u's plaintext (read from its temp file):
 * the cleaned document goes to sink as it arrives (only STRIP_CLEANED
 * means it is whole and to be kept), the outcome into *out. 0 when an
 * outcome arrived, whatever it says; -1 (logged) when the job itself
 * failed: the broker or the job process died, a deadline passed, a
 * malformed frame, or the sink failed.
 */
int broker_strip(struct server *, struct upload *u, strip_sink_fn sink,
    void *sink_arg, struct strip_outcome *out);

/* http.c */
enum MHD_Result http_handle(void *cls, struct MHD_Connection *,
    const char *url, const char *method, const char *version,
    const char *upload_data, size_t *upload_data_size, void **con_cls);
void http_completed(void *cls, struct MHD_Connection *, void **con_cls,
    enum MHD_RequestTerminationCode);

/* posternd.c */
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
