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
    "  submission TEXT NOT NULL REFERENCES submissions(id)"
    "    ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('file', 'manifest')),"
    "  size INTEGER NOT NULL"
    ");"
    "CREATE TABLE IF NOT EXISTS item_keys ("
    "  item TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,"
    "  keyid TEXT NOT NULL,"
    "  PRIMARY KEY (item, keyid)"
    ");"
    "CREATE TABLE IF NOT EXISTS exports ("
    "  submission TEXT NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,"
    "  bundle TEXT NOT NULL,"
    "  PRIMARY KEY (submission, bundle)"
    ");"
    "CREATE INDEX IF NOT EXISTS items_submission ON items(submission);"
    "CREATE INDEX IF NOT EXISTS item_keys_keyid ON item_keys(keyid);";

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

/*
 * One transaction: tx_begin takes the lock and begins (-1, unlocked, if it
 * cannot); tx_end commits if ok, else rolls back, and unlocks. 0 only
 * when the commit succeeded.
 */
static int
tx_begin(struct store *s)
{
	pthread_mutex_lock(&s->mu);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
	    SQLITE_OK)
		return 0;
	pthread_mutex_unlock(&s->mu);
	return -1;
}

static int
tx_end(struct store *s, int ok)
{
	int rc = -1;

	if (ok && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK)
		rc = 0;
	else
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
store_add_submission(struct store *s, const char *id, int64_t hour,
    const struct store_item *items, size_t nitems,
    const char *const *keyids, size_t nkeys)
{
	size_t i, k;
	int ok;

	if (tx_begin(s) != 0)
		return -1;
	ok = exec1(s->db, "INSERT INTO submissions (id, hour) VALUES (?, ?)",
	    "ti", id, hour) == 0;
	for (i = 0; ok && i < nitems; i++) {
		ok = exec1(s->db, "INSERT INTO items (id, submission, kind, size)"
		    " VALUES (?, ?, ?, ?)", "ttti", items[i].id, id,
		    items[i].kind, (int64_t)items[i].size) == 0;
		for (k = 0; ok && k < nkeys; k++)
			ok = exec1(s->db, "INSERT OR IGNORE INTO item_keys "
			    "(item, keyid) VALUES (?, ?)", "tt", items[i].id,
			    keyids[k]) == 0;
	}
	return tx_end(s, ok);
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

int64_t
store_count_items_for_key(struct store *s, const char *keyid)
{
	return count(s, "SELECT count(*) FROM item_keys WHERE keyid = ?", keyid);
}

static int
state_stats(sqlite3 *db, const char *state, struct store_state_stats *st)
{
	sqlite3_stmt *q;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (sqlite3_prepare_v2(db, "SELECT count(DISTINCT s.id), count(i.id), "
	    "coalesce(sum(i.size), 0), coalesce(min(s.hour), 0) "
	    "FROM submissions s JOIN items i ON i.submission = s.id "
	    "WHERE s.state = ?", -1, &q, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(q, 1, state, -1, SQLITE_STATIC);
	if (sqlite3_step(q) == SQLITE_ROW) {
		st->submissions = sqlite3_column_int64(q, 0);
		st->items = sqlite3_column_int64(q, 1);
		st->bytes = sqlite3_column_int64(q, 2);
		st->oldest_hour = sqlite3_column_int64(q, 3);
		rc = 0;
	}
	sqlite3_finalize(q);
	return rc;
}

int
store_stats(struct store *s, struct store_stats *out)
{
	int rc;

	pthread_mutex_lock(&s->mu);
	rc = state_stats(s->db, "pending", &out->pending) |
	    state_stats(s->db, "exported", &out->exported) |
	    state_stats(s->db, "acknowledged", &out->acknowledged);
	pthread_mutex_unlock(&s->mu);
	return rc == 0 ? 0 : -1;
}

static void
row_from(sqlite3_stmt *q, struct store_row *r)
{
	snprintf(r->item, sizeof(r->item), "%s",
	    (const char *)sqlite3_column_text(q, 0));
	snprintf(r->submission, sizeof(r->submission), "%s",
	    (const char *)sqlite3_column_text(q, 1));
	r->manifest = strcmp((const char *)sqlite3_column_text(q, 2),
	    "manifest") == 0;
	r->hour = sqlite3_column_int64(q, 3);
	r->size = sqlite3_column_int64(q, 4);
	r->state = (const char *)sqlite3_column_text(q, 5);
}

static const char row_columns[] = "SELECT i.id, i.submission, i.kind, "
    "s.hour, i.size, s.state FROM items i JOIN submissions s "
    "ON s.id = i.submission ";

int
store_walk_export(struct store *s, int all,
    int (*fn)(void *, const struct store_row *), void *arg)
{
	char sql[512];
	sqlite3_stmt *q;
	struct store_row r;
	int rc = -1, step;

	snprintf(sql, sizeof(sql), "%s%s ORDER BY s.hour, s.id, "
	    "i.kind = 'file', i.id", row_columns,
	    all ? "" : "WHERE s.state = 'pending'");
	pthread_mutex_lock(&s->mu);
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		row_from(q, &r);
		if (fn(arg, &r) != 0)
			break;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(q);
out:
	pthread_mutex_unlock(&s->mu);
	return rc;
}

int
store_mark_exported(struct store *s, const char *bundle,
    const char *const *subs, size_t n)
{
	size_t i;
	int ok = 1;

	if (tx_begin(s) != 0)
		return -1;
	for (i = 0; ok && i < n; i++)
		ok = exec1(s->db, "INSERT OR IGNORE INTO exports (submission, "
		    "bundle) VALUES (?, ?)", "tt", subs[i], bundle) == 0 &&
		    exec1(s->db, "UPDATE submissions SET state = 'exported' "
		    "WHERE id = ? AND state = 'pending'", "t", subs[i]) == 0;
	return tx_end(s, ok);
}

int
store_acknowledge(struct store *s, const char *bundle,
    const char (*subs)[STORE_ID_LEN + 1], size_t n, size_t *acked)
{
	size_t i, count = 0;
	int ok = 1;

	*acked = 0;
	if (tx_begin(s) != 0)
		return -1;
	for (i = 0; ok && i < n; i++) {
		ok = exec1(s->db, "UPDATE submissions SET state = 'acknowledged' "
		    "WHERE id = ? AND state != 'acknowledged' AND EXISTS "
		    "(SELECT 1 FROM exports e WHERE e.submission = ? AND "
		    "e.bundle = ?)", "ttt", subs[i], subs[i], bundle) == 0;
		count += (size_t)sqlite3_changes(s->db);
	}
	if (tx_end(s, ok) != 0)
		return -1;
	*acked = count;
	return 0;
}

int64_t
store_count_unacknowledged_before(struct store *s, int64_t cutoff)
{
	char num[32];

	snprintf(num, sizeof(num), "%lld", (long long)cutoff);
	return count(s, "SELECT count(*) FROM submissions WHERE "
	    "state != 'acknowledged' AND hour < CAST(? AS INTEGER)", num);
}

int
store_purge(struct store *s, int64_t cutoff, int force,
    int (*fn)(void *, const struct store_row *), void *arg, size_t *purged)
{
	char sql[512];
	sqlite3_stmt *q = NULL;
	struct store_row *rows = NULL, *v;
	size_t n = 0, cap = 0, i;
	int rc = -1, step;

	*purged = 0;
	snprintf(sql, sizeof(sql), "%sWHERE s.hour < ?%s", row_columns,
	    force ? "" : " AND s.state = 'acknowledged'");
	pthread_mutex_lock(&s->mu);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK)
		goto out;
	if (sqlite3_prepare_v2(s->db, sql, -1, &q, NULL) != SQLITE_OK)
		goto rollback;
	sqlite3_bind_int64(q, 1, cutoff);
	while ((step = sqlite3_step(q)) == SQLITE_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((v = reallocarray(rows, cap, sizeof(*v))) == NULL)
				goto rollback;
			rows = v;
		}
		row_from(q, &rows[n]);
		rows[n++].state = NULL; /* not valid past the statement */
	}
	sqlite3_finalize(q);
	q = NULL;
	if (step != SQLITE_DONE)
		goto rollback;
	snprintf(sql, sizeof(sql), "DELETE FROM submissions WHERE hour < ?%s",
	    force ? "" : " AND state = 'acknowledged'");
	if (exec1(s->db, sql, "i", cutoff) != 0)
		goto rollback;
	*purged = (size_t)sqlite3_changes(s->db);
	if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto rollback;
	pthread_mutex_unlock(&s->mu);
	/* Committed: now the files. */
	rc = 0;
	for (i = 0; i < n; i++)
		if (fn(arg, &rows[i]) != 0)
			rc = -1;
	free(rows);
	return rc;
rollback:
	if (q != NULL)
		sqlite3_finalize(q);
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	*purged = 0;
out:
	pthread_mutex_unlock(&s->mu);
	free(rows);
	return rc;
}
