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

/* How many stored items were encrypted to the key with this key id. */
int64_t store_count_items_for_key(struct store *, const char *keyid);

/* Queue figures for postern-admin queue status. */
struct store_state_stats {
	int64_t submissions;
	int64_t items;
	int64_t bytes;            /* ciphertext */
	int64_t oldest_hour;      /* 0 if none */
};
struct store_stats {
	struct store_state_stats pending, exported, acknowledged;
};
int store_stats(struct store *, struct store_stats *);

/* One item, as listed for export or purge. */
struct store_row {
	char item[STORE_ID_LEN + 1];
	char submission[STORE_ID_LEN + 1];
	int manifest;             /* 1: the manifest, 0: a file */
	int64_t hour;
	int64_t size;
	const char *state;        /* "pending", "exported", "acknowledged" */
};

/*
 * Call fn for every item of the submissions to export: those pending, or
 * with all set, every stored submission. Ordered by submission, manifest
 * first. fn returning non-zero stops the walk (and store_walk returns -1).
 */
int store_walk_export(struct store *, int all,
    int (*fn)(void *arg, const struct store_row *), void *arg);

/* Record that these submissions went out in bundle (their state becomes
 * 'exported' unless already acknowledged). One transaction. */
int store_mark_exported(struct store *, const char *bundle,
    const char *const *subs, size_t n);

/* Acknowledge the submissions of a receipt: only those that really were
 * in that bundle change. *acked gets how many did. */
int store_acknowledge(struct store *, const char *bundle,
    const char (*subs)[STORE_ID_LEN + 1], size_t n, size_t *acked);

/*
 * Purge submissions that arrived before cutoff_hour (Unix seconds): the
 * acknowledged ones, or with force every one. The rows go first, in one
 * transaction; then fn is called with each removed item so the caller
 * deletes its spool file (a file whose row is gone is an orphan, which
 * posternd also removes at start-up). *purged gets the submission count.
 */
int store_purge(struct store *, int64_t cutoff_hour, int force,
    int (*fn)(void *arg, const struct store_row *), void *arg,
    size_t *purged);

/* Unacknowledged submissions a purge would leave (for the warning that
 * --force is needed). */
int64_t store_count_unacknowledged_before(struct store *, int64_t cutoff_hour);

#endif
