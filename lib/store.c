/*
 * store.c — submission records in SQLite. See store.h and docs/store.md.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "postern/store.h"

struct store {
	sqlite3 *db;
	pthread_mutex_t mu;
};

static const char schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "PRAGMA foreign_keys = ON;"
    "PRAGMA secure_delete = ON;"
    "CREATE TABLE IF NOT EXISTS submissions ("
    "  id TEXT PRIMARY KEY,"
    "  hour INTEGER NOT NULL,"
    "  state TEXT NOT NULL DEFAULT 'pending'"
    "    CHECK (state IN ('pending', 'exported', 'acknowledged'))"
    ");"
    "CREATE TABLE IF NOT EXISTS items ("
    "  id TEXT PRIMARY KEY,"
    "  submission TEXT NOT NULL REFERENCES submissions(id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('file', 'manifest')),"
    "  size INTEGER NOT NULL"
    ");"
    "CREATE TABLE IF NOT EXISTS item_keys ("
    "  item TEXT NOT NULL REFERENCES items(id),"
    "  keyid TEXT NOT NULL,"
    "  PRIMARY KEY (item, keyid)"
    ");";

int
store_open(struct store **out, const char *path, char *err, size_t errlen)
{
	struct store *s;
	char *msg = NULL;

	*out = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	pthread_mutex_init(&s->mu, NULL);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, s->db ?
		    sqlite3_errmsg(s->db) : "cannot open");
		goto err;
	}
	sqlite3_busy_timeout(s->db, 5000);
	if (sqlite3_exec(s->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, msg ? msg : "schema");
		sqlite3_free(msg);
		goto err;
	}
	*out = s;
	return 0;
err:
	store_close(s);
	return -1;
}

void
store_close(struct store *s)
{
	if (s == NULL)
		return;
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

void
store_new_id(char id[STORE_ID_LEN + 1])
{
	uint8_t b[STORE_ID_LEN / 2];

	randombytes_buf(b, sizeof(b));
	sodium_bin2hex(id, STORE_ID_LEN + 1, b, sizeof(b));
}

/* Run one statement with text and integer bindings given as a format:
 * 't' binds a const char *, 'i' an int64_t. */
static int
exec1(sqlite3 *db, const char *sql, const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int i, rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	va_start(ap, fmt);
	for (i = 0; fmt[i] != '\0'; i++) {
		if (fmt[i] == 't')
			sqlite3_bind_text(st, i + 1, va_arg(ap, const char *), -1,
			    SQLITE_STATIC);
		else
			sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
	}
	va_end(ap);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

int
store_add_submission(struct store *s, const char *id, int64_t hour,
    const struct store_item *items, size_t nitems,
    const char *const *keyids, size_t nkeys)
{
	size_t i, k;
	int rc = -1;

	pthread_mutex_lock(&s->mu);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto out;
	if (exec1(s->db, "INSERT INTO submissions (id, hour) VALUES (?, ?)",
	    "ti", id, hour) != 0)
		goto rollback;
	for (i = 0; i < nitems; i++) {
		if (exec1(s->db, "INSERT INTO items (id, submission, kind, size)"
		    " VALUES (?, ?, ?, ?)", "ttti", items[i].id, id,
		    items[i].kind, (int64_t)items[i].size) != 0)
			goto rollback;
		for (k = 0; k < nkeys; k++)
			if (exec1(s->db, "INSERT OR IGNORE INTO item_keys "
			    "(item, keyid) VALUES (?, ?)", "tt", items[i].id,
			    keyids[k]) != 0)
				goto rollback;
	}
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
		rc = 0;
		goto out;
	}
rollback:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
out:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

static int64_t
count(struct store *s, const char *sql, const char *arg)
{
	sqlite3_stmt *st;
	int64_t n = -1;

	pthread_mutex_lock(&s->mu);
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (arg != NULL)
			sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			n = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

int
store_has_item(struct store *s, const char *id)
{
	int64_t n = count(s, "SELECT count(*) FROM items WHERE id = ?", id);

	return n < 0 ? -1 : n > 0;
}

int64_t
store_count_submissions(struct store *s)
{
	return count(s, "SELECT count(*) FROM submissions", NULL);
}

int64_t
store_count_items(struct store *s)
{
	return count(s, "SELECT count(*) FROM items", NULL);
}
