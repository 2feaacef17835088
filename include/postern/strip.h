/*
 * strip.h — clean one document in the sandbox: the parent's side.
 *
 * A strip job forks a sandboxed child (include/postern/sandbox.h) that
 * reads the whole document, decides its type from the bytes with libmagic
 * (the cookie the caller loaded before, inherited at fork), runs the
 * format's module (include/postern/stripfmt.h) and writes the cleaned
 * document and a line-based report. The parent validates that report (it
 * comes from the process that parsed hostile bytes) into a strip_outcome.
 *
 * Only STRIP_CLEANED means the bytes handed to the sink are the cleaned
 * document. For anything else the caller discards them and either stores
 * the original marked NOT CLEANED, or refuses it.
 */
#ifndef POSTERN_STRIP_H
#define POSTERN_STRIP_H

#include <stddef.h>
#include <stdint.h>

#define STRIP_TYPE_MAX 127	/* a MIME type */
#define STRIP_FIELD_MAX 63	/* a removed field's name, a format name */
#define STRIP_REASON_MAX 255	/* why not cleaned, a warning */
#define STRIP_OUT_REMOVED_MAX 64
#define STRIP_OUT_WARN_MAX 16
#define STRIP_OUT_KEPT_MAX 8

enum strip_status {
	STRIP_CLEANED,		/* the sink got the cleaned document */
	STRIP_NOT_SUPPORTED,	/* no cleaner for this type */
	STRIP_NOT_CLEANED	/* the cleaner failed, or the child died,
				   ran out of time or memory */
};

struct strip_outcome {
	enum strip_status status;
	char type[STRIP_TYPE_MAX + 1];	 /* detected MIME type, "" if the
					    child died before saying */
	char format[STRIP_FIELD_MAX + 1]; /* "jpeg", ..., "" if none */
	char reason[STRIP_REASON_MAX + 1]; /* for the two failures */
	char removed[STRIP_OUT_REMOVED_MAX][STRIP_FIELD_MAX + 1];
	unsigned count[STRIP_OUT_REMOVED_MAX];
	size_t nremoved;
	char warn[STRIP_OUT_WARN_MAX][STRIP_REASON_MAX + 1];
	size_t nwarn;
	/* Parts of a cleaned document left as they were (they may still
	 * hold metadata); each is also listed among the warnings. */
	char kept[STRIP_OUT_KEPT_MAX][STRIP_REASON_MAX + 1];
	size_t nkept;
	uint64_t out_bytes;		/* bytes handed to the sink */
};

/* Receives the cleaned document as it comes; non-zero stops the job. */
typedef int (*strip_sink_fn)(void *arg, const uint8_t *buf, size_t len);

struct strip_job;

/*
 * Fork the sandbox for a document of size bytes (the limits follow from
 * it: memory, CPU seconds, output cap). magic is a magic_t the caller
 * loaded (magic_open + magic_load) before; it is used only in the child.
 * NULL with errno on failure. The caller must end each job with
 * strip_finish or strip_abort, and must not reap children it did not
 * start (see sandbox.h).
 */
struct strip_job *strip_start(void *magic, uint64_t size, strip_sink_fn sink,
    void *sink_arg);
/* The longest a job for a document of size bytes may take, in seconds:
 * the sandbox's wall-clock watchdog (SANDBOX_WALL_FACTOR times its CPU
 * limit). Callers waiting on a job add their own margin. */
unsigned strip_wall_seconds(uint64_t size);

/* Feed the document; 0, or -1 when the child stopped taking it (then call
 * strip_finish for the outcome). */
int strip_feed(struct strip_job *, const uint8_t *buf, size_t len);
/* Wait for the child, fill *out, free the job. 0 when out->status is
 * STRIP_CLEANED, -1 otherwise (out says why). */
int strip_finish(struct strip_job *, struct strip_outcome *out);
void strip_abort(struct strip_job *);

/*
 * Compare what the client said (a file name's extension, a Content-Type;
 * either may be NULL) with the type found in the bytes, and add a warning
 * to out for each that disagrees. Only the type found is ever used.
 */
void strip_note_claims(struct strip_outcome *out, const char *name,
    const char *claimed_type);

/* One line for a person: "cleaned: removed EXIF (2), XMP" or
 * "NOT CLEANED: <reason>". -1 if it does not fit. */
int strip_outcome_text(const struct strip_outcome *, char *buf, size_t len);
/* The report as JSON (postern-clean --report): type, format, status,
 * removed (names and counts), warnings. malloc'd; NULL when out of
 * memory. */
char *strip_outcome_json(const struct strip_outcome *);

#endif
