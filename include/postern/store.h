/*
 * store.h — the submission records, in SQLite (WAL mode, synchronous FULL:
 * a commit that returned is on disk).
 *
 * The database holds no source data: random ids, the hour a submission
 * arrived, ciphertext sizes, the key ids each item was encrypted to, and
 * its state. File names, messages and types live only inside the
 * encrypted manifest. The schema is in docs/store.md.
 *
 * One connection, serialised by a mutex: callers on any thread.
 */
#ifndef POSTERN_STORE_H
#define POSTERN_STORE_H

#include <stddef.h>
#include <stdint.h>

#define STORE_ID_LEN 32       /* hex digits of a random 16-byte id */
#define STORE_ERRLEN 256

struct store;

/* Open (creating if needed) the database at path. */
int store_open(struct store **, const char *path, char *err, size_t errlen);
void store_close(struct store *);

/* A random id: STORE_ID_LEN lowercase hex digits and a NUL. */
void store_new_id(char id[STORE_ID_LEN + 1]);

struct store_item {
	const char *id;       /* the spool file is <id>.age */
	const char *kind;     /* "file" or "manifest" */
	uint64_t size;        /* ciphertext bytes */
};

/*
 * Record one submission and its items, encrypted to the given key ids, in
 * one transaction. hour: the arrival time rounded down to the hour (Unix
 * seconds). 0 once committed and durable, -1 otherwise (nothing written).
 */
int store_add_submission(struct store *, const char *id, int64_t hour,
    const struct store_item *items, size_t nitems,
    const char *const *keyids, size_t nkeys);

/* 1 if an item with this id is recorded, 0 if not, -1 on error. */
int store_has_item(struct store *, const char *id);

/* Counts for tests and health checks. -1 on error. */
int64_t store_count_submissions(struct store *);
int64_t store_count_items(struct store *);

#endif
