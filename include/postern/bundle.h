/*
 * bundle.h — the signed bundle that carries the spool from the intake
 * server to the air-gapped machine, and the receipt that comes back.
 * Both formats are documented byte by byte in docs/bundle.md.
 *
 *   postern-YYYYMMDD-<8 hex>/
 *     index            what the bundle holds: one line per age file
 *     index.sig        Ed25519 signature of index by the server's key
 *     items/<id>.age   the age files, copied from the spool
 *
 * The writer builds the bundle in "<name>.part" and renames it into place
 * only once every file is written, fsync'ed and signed. The reader refuses
 * the whole bundle unless the signature verifies with the pinned key, the
 * index parses strictly, and items/ holds exactly the listed files with
 * their listed sizes and SHA-256 hashes.
 */
#ifndef POSTERN_BUNDLE_H
#define POSTERN_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "postern/sigkey.h"

#define BUNDLE_FORMAT "postern-bundle/1"
#define BUNDLE_SIG_FORMAT "postern-signature/1"
#define BUNDLE_SIG_CONTEXT "postern-bundle-index/1"
#define RECEIPT_FORMAT "postern-receipt/1"
#define BUNDLE_ID_LEN 32
#define BUNDLE_ITEMS_MAX 100000
#define BUNDLE_INDEX_MAX (16 * 1024 * 1024)
#define BUNDLE_ERRLEN 512

enum bundle_kind { BUNDLE_FILE, BUNDLE_MANIFEST };

struct bundle_item {
	char id[BUNDLE_ID_LEN + 1];
	char submission[BUNDLE_ID_LEN + 1];
	enum bundle_kind kind;
	int64_t hour;                  /* arrival, rounded to the hour */
	uint64_t size;                 /* bytes of the age file */
	uint8_t sha256[32];
};

/* Writing (postern-admin) */

struct bundle_writer;

/* Start a new bundle under parent (which must exist). */
struct bundle_writer *bundle_create(const char *parent, const uint8_t
    server_pk[SIGKEY_PUBLIC_BYTES], char *err, size_t errlen);
/* Copy the age file at path in as item (id, submission, kind, hour). */
int bundle_add(struct bundle_writer *, const char *path,
    const struct bundle_item *item, char *err, size_t errlen);
/* Write and sign the index, fsync, and move the bundle into place. Its
 * path goes into out. The writer is freed whatever happens. */
int bundle_finish(struct bundle_writer *, const struct sigkey *,
    char *out, size_t outlen, char *err, size_t errlen);
/* Remove everything the writer made, and free it. NULL is fine. */
void bundle_abort(struct bundle_writer *);
/* The bundle's id (BUNDLE_ID_LEN hex digits). */
const char *bundle_writer_id(const struct bundle_writer *);

/* Reading (postern-open) */

struct bundle {
	char dir[4096];
	char id[BUNDLE_ID_LEN + 1];
	char server[SIGKEY_PUBLIC_STRLEN + 1];
	int64_t created;
	struct bundle_item *items;
	size_t nitems;
};

/* Verify and parse the bundle at dir against the pinned key. On any
 * failure nothing is returned and err says what was wrong. */
struct bundle *bundle_open(const char *dir,
    const uint8_t pinned_pk[SIGKEY_PUBLIC_BYTES], char *err, size_t errlen);
void bundle_free(struct bundle *);
/* Path of an item's age file inside the bundle. */
int bundle_item_path(const struct bundle *, const struct bundle_item *,
    char *buf, size_t len);

/* Receipts: which submissions of which bundle were imported. */

/* Write a receipt (O_EXCL, 0600) listing the submissions. */
int receipt_write(const char *path, const char *bundle_id,
    const char *const *submissions, size_t n, char *err, size_t errlen);
/* Read a receipt: the bundle id into bundle_id (BUNDLE_ID_LEN + 1), and a
 * malloc'd array of submission ids (free with receipt_free). */
int receipt_read(const char *path, char *bundle_id, char (**subs)[
    BUNDLE_ID_LEN + 1], size_t *n, char *err, size_t errlen);
void receipt_free(char (*subs)[BUNDLE_ID_LEN + 1]);

#endif
