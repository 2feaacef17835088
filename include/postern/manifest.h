/*
 * manifest.h — the manifest of a submission: the source's message and,
 * for each file, its original name, size, detected type and cleaning
 * report. It is JSON (docs/manifest.md documents every field) and is only
 * ever stored encrypted, as an age file like the documents.
 */
#ifndef POSTERN_MANIFEST_H
#define POSTERN_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "postern/strip.h"

#define MANIFEST_FORMAT "postern-manifest/1"

struct manifest_file {
	const char *item;          /* spool id of the encrypted file */
	const char *name;          /* the name the source's browser sent */
	uint64_t size;             /* plaintext bytes as uploaded */
	const char *type;          /* MIME type detected from the bytes */
	const char *claimed_type;  /* the browser's Content-Type, or NULL */
	int cleaned;               /* 1 if metadata was stripped */
	const char *report;        /* what was stripped, or why not (one
	                              line: strip_outcome_text) */
	const struct strip_outcome *strip; /* the stripper's outcome: status,
	                              removed fields, warnings, reason;
	                              NULL: only cleaned and report are
	                              known (status follows cleaned) */
	const char *original_item; /* keep_original: the spool id of the
	                              original as uploaded; else NULL */
};

struct manifest {
	const char *submission;    /* submission id */
	int64_t hour;              /* arrival, rounded down to the hour */
	const char *message;       /* the source's message (any bytes) */
	size_t message_len;
	const struct manifest_file *files;
	size_t nfiles;
};

/*
 * The manifest as JSON in sodium_malloc memory (the caller sodium_frees
 * it, which wipes it), length in *len. Strings that are not valid UTF-8
 * have each bad byte replaced by U+FFFD. NULL when out of memory.
 */
char *manifest_json(const struct manifest *, size_t *len);

#endif
