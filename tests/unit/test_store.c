/*
 * test_store.c — the submission records: a database is created where
 * asked, in WAL mode, with exactly the schema docs/store.md documents; a
 * submission is written all or nothing; data survives a reopen; ids are
 * fresh random lowercase hex; callers on several threads are serialised.
 *
 * Databases are made in a mkdtemp directory, removed at the end. The
 * tests read the database with sqlite3 directly to see what is stored.
 */
#include <sys/stat.h>

#include <errno.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "postern/store.h"

#define HOUR ((int64_t)1795878000) /* 2026-11-28T15:00:00Z */

static char tmpdir[64];

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) {
		fprintf(stderr, "test_store: sodium_init failed\n");
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_store.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(stderr, "test_store: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- helpers ---------------------------------------------------------- */

/* A fresh database path in tmpdir (the file does not exist yet). */
static const char *
db_path(void)
{
	static char path[128];
	static unsigned n;

	snprintf(path, sizeof(path), "%s/db%u.sqlite", tmpdir, n++);
	return path;
}

static struct store *
open_at(const char *file, int line, const char *path)
{
	char err[STORE_ERRLEN] = "";
	struct store *s = NULL;

	if (store_open(&s, path, err, sizeof(err)) != 0 || s == NULL) {
		print_error("store_open(\"%s\")\nexpected: 0\ngot: -1 \"%s\"\n",
		    path, err);
		_fail(file, line);
	}
	return s;
}
#define open_store(path) open_at(__FILE__, __LINE__, path)

static void
counts_at(
    const char *file, int line, struct store *s, int64_t subs, int64_t items)
{
	int64_t gs = store_count_submissions(s), gi = store_count_items(s);

	if (gs != subs || gi != items) {
		print_error(
		    "counts (submissions, items)\nexpected: %lld, %lld\n"
		    "got: %lld, %lld\n",
		    (long long)subs, (long long)items, (long long)gs,
		    (long long)gi);
		_fail(file, line);
	}
}
#define counts(s, subs, items) counts_at(__FILE__, __LINE__, s, subs, items)

static void
has_at(const char *file, int line, struct store *s, const char *id, int want)
{
	int got = store_has_item(s, id);

	if (got != want) {
		print_error("store_has_item(\"%s\")\nexpected: %d\ngot: %d\n",
		    id, want, got);
		_fail(file, line);
	}
}
#define has(s, id, want) has_at(__FILE__, __LINE__, s, id, want)

/* One integer from a query on the database at path, through its own
 * connection. */
static int64_t
query_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t v;

	assert_int_equal(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The rows of a query, each row's columns joined by '|', rows by ';'. */
static void
query_rows(const char *path, const char *sql, char *out, size_t cap)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	size_t len = 0;
	int i, rc;

	out[0] = '\0';
	assert_int_equal(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const unsigned char *v = sqlite3_column_text(st, i);
			len += (size_t)snprintf(out + len, cap - len, "%s%s",
			    i ? "|" : (len ? ";" : ""),
			    v ? (const char *)v : "NULL");
			assert_true(len < cap);
		}
	}
	assert_int_equal(rc, SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void
rows_are_at(const char *file, int line, const char *path, const char *sql,
    const char *want)
{
	char got[4096];

	query_rows(path, sql, got, sizeof(got));
	if (strcmp(got, want) != 0) {
		print_error("%s\nexpected: %s\ngot: %s\n", sql, want, got);
		_fail(file, line);
	}
}
#define rows_are(path, sql, want)                                              \
	rows_are_at(__FILE__, __LINE__, path, sql, want)

static const char *const keys2[] = {"0123456789abcdef", "fedcba9876543210"};

/* ---- opening ---------------------------------------------------------- */

static void
test_open_creates(void **state)
{
	const char *path = db_path();
	struct store *s;
	struct stat st;

	(void)state;
	assert_int_equal(stat(path, &st), -1);
	s = open_store(path);
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
		print_error("after store_open(\"%s\")\nexpected: a file there\n"
			    "got: %s\n",
		    path, strerror(errno));
		fail();
	}
	counts(s, 0, 0);
	store_close(s);
}

static void
test_open_fails(void **state)
{
	char err[STORE_ERRLEN] = "", path[128];
	struct store *s = (struct store *)&s; /* anything but NULL */
	int rc;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing/db.sqlite", tmpdir);
	rc = store_open(&s, path, err, sizeof(err));
	if (rc != -1 || s != NULL || strstr(err, path) == NULL) {
		print_error("store_open(\"%s\") in a missing directory\n"
			    "expected: -1, NULL, an error naming the path\n"
			    "got: %d, %p, \"%s\"\n",
		    path, rc, (void *)s, err);
		store_close(s);
		fail();
	}
	/* a file that is not a database */
	{
		const char *junk = db_path();
		FILE *f;

		assert_non_null(f = fopen(junk, "w"));
		for (int i = 0; i < 200; i++)
			fputs("this is not an SQLite database\n", f);
		assert_int_equal(fclose(f), 0);
		s = (struct store *)&s;
		err[0] = '\0';
		rc = store_open(&s, junk, err, sizeof(err));
		if (rc != -1 || s != NULL || strstr(err, junk) == NULL) {
			print_error("store_open(\"%s\") on a text file\n"
				    "expected: -1, NULL, an error naming it\n"
				    "got: %d, %p, \"%s\"\n",
			    junk, rc, (void *)s, err);
			store_close(s);
			fail();
		}
	}
}

static void
test_close_null(void **state)
{
	(void)state;
	store_close(NULL);
}

static void
test_wal(void **state)
{
	const char *path = db_path();
	char got[64];
	struct store *s;

	(void)state;
	s = open_store(path);
	/* journal_mode is stored in the file: any connection sees it */
	query_rows(path, "PRAGMA journal_mode", got, sizeof(got));
	if (strcmp(got, "wal") != 0) {
		print_error(
		    "PRAGMA journal_mode\nexpected: wal\ngot: %s\n", got);
		store_close(s);
		fail();
	}
	store_close(s);
	/* and it stays so after a reopen */
	s = open_store(path);
	store_close(s);
	query_rows(path, "PRAGMA journal_mode", got, sizeof(got));
	assert_string_equal(got, "wal");
}

/* ---- ids -------------------------------------------------------------- */

static void
test_new_id(void **state)
{
	enum { N = 256 };
	static char ids[N][STORE_ID_LEN + 1];
	size_t i, j;

	(void)state;
	for (i = 0; i < N; i++) {
		memset(ids[i], 'X', sizeof(ids[i]));
		store_new_id(ids[i]);
		if (strlen(ids[i]) != STORE_ID_LEN ||
		    strspn(ids[i], "0123456789abcdef") != STORE_ID_LEN) {
			print_error("store_new_id\nexpected: %d lowercase hex "
				    "digits\ngot: \"%.*s\"\n",
			    STORE_ID_LEN, STORE_ID_LEN + 1, ids[i]);
			fail();
		}
		for (j = 0; j < i; j++)
			if (strcmp(ids[i], ids[j]) == 0) {
				print_error("store_new_id call %zu and %zu\n"
					    "expected: different ids\n"
					    "got: %s twice\n",
				    j, i, ids[i]);
				fail();
			}
	}
}

/* ---- submissions ------------------------------------------------------ */

static void
test_add_submission(void **state)
{
	const char *path = db_path();
	char sub[STORE_ID_LEN + 1], id[3][STORE_ID_LEN + 1];
	char want[1024], unknown[STORE_ID_LEN + 1];
	struct store_item items[3];
	struct store *s;
	int i;

	(void)state;
	store_new_id(sub);
	for (i = 0; i < 3; i++)
		store_new_id(id[i]);
	items[0] = (struct store_item){id[0], "file", 1000};
	items[1] = (struct store_item){id[1], "file", 0};
	items[2] = (struct store_item){id[2], "manifest", 5000000000ULL};
	s = open_store(path);
	assert_int_equal(
	    store_add_submission(s, sub, HOUR, items, 3, keys2, 2), 0);
	counts(s, 1, 3);
	for (i = 0; i < 3; i++)
		has(s, id[i], 1);
	store_new_id(unknown);
	has(s, unknown, 0);
	has(s, sub, 0); /* a submission id is not an item id */
	has(s, "", 0);
	store_close(s);

	/* What is in the file, as another reader sees it. */
	snprintf(want, sizeof(want), "%s|%lld|pending", sub, (long long)HOUR);
	rows_are(path, "SELECT id, hour, state FROM submissions", want);
	snprintf(want, sizeof(want), "%s|%s|file|1000", id[0], sub);
	rows_are(path,
	    "SELECT id, submission, kind, size FROM items WHERE "
	    "size = 1000",
	    want);
	assert_int_equal(query_int(path,
			     "SELECT size FROM items WHERE kind = "
			     "'manifest'"),
	    5000000000LL);
	assert_int_equal(query_int(path, "SELECT count(*) FROM item_keys"), 6);
	snprintf(want, sizeof(want), "%s|%s;%s|%s", id[0], keys2[0], id[0],
	    keys2[1]);
	{
		char sql[256];
		snprintf(sql, sizeof(sql),
		    "SELECT item, keyid FROM item_keys "
		    "WHERE item = '%s' ORDER BY keyid",
		    id[0]);
		rows_are(path, sql, want);
	}
}

/* Zero items or zero keys are recorded as given. */
static void
test_add_edge_counts(void **state)
{
	const char *path = db_path();
	char sub[STORE_ID_LEN + 1], sub2[STORE_ID_LEN + 1];
	char id[STORE_ID_LEN + 1];
	struct store_item item;
	struct store *s;

	(void)state;
	s = open_store(path);
	store_new_id(sub);
	assert_int_equal(
	    store_add_submission(s, sub, HOUR, NULL, 0, keys2, 2), 0);
	counts(s, 1, 0);
	store_new_id(sub2);
	store_new_id(id);
	item = (struct store_item){id, "file", 1};
	assert_int_equal(
	    store_add_submission(s, sub2, HOUR, &item, 1, NULL, 0), 0);
	counts(s, 2, 1);
	has(s, id, 1);
	store_close(s);
	assert_int_equal(query_int(path, "SELECT count(*) FROM item_keys"), 0);
}

/* A failing submission writes nothing at all, and the store goes on. */
static void
refused_at(const char *file, int line, struct store *s, const char *path,
    const char *why, const char *sub, const struct store_item *items, size_t n)
{
	int64_t subs = store_count_submissions(s);
	int64_t nitems = store_count_items(s);
	int64_t nkeys = query_int(path, "SELECT count(*) FROM item_keys");
	int rc;

	rc = store_add_submission(s, sub, HOUR, items, n, keys2, 2);
	if (rc != -1) {
		print_error("store_add_submission with %s\nexpected: -1\n"
			    "got: %d\n",
		    why, rc);
		_fail(file, line);
	}
	counts_at(file, line, s, subs, nitems);
	if (query_int(path, "SELECT count(*) FROM item_keys") != nkeys) {
		print_error("item_keys rows after a refused submission (%s)\n"
			    "expected: %lld\ngot: %lld\n",
		    why, (long long)nkeys,
		    (long long)query_int(
			path, "SELECT count(*) FROM item_keys"));
		_fail(file, line);
	}
}
#define refused(s, path, why, sub, items, n)                                   \
	refused_at(__FILE__, __LINE__, s, path, why, sub, items, n)

static void
test_all_or_nothing(void **state)
{
	const char *path = db_path();
	char sub[STORE_ID_LEN + 1], sub2[STORE_ID_LEN + 1];
	char id[3][STORE_ID_LEN + 1], fresh[2][STORE_ID_LEN + 1];
	struct store_item items[3], bad[3];
	struct store *s;
	int i;

	(void)state;
	store_new_id(sub);
	store_new_id(sub2);
	for (i = 0; i < 3; i++) {
		store_new_id(id[i]);
		items[i] = (struct store_item){id[i], "file", 10};
	}
	store_new_id(fresh[0]);
	store_new_id(fresh[1]);
	s = open_store(path);
	assert_int_equal(
	    store_add_submission(s, sub, HOUR, items, 3, keys2, 2), 0);
	counts(s, 1, 3);

	/* an item id already recorded, in the middle of new ones */
	bad[0] = (struct store_item){fresh[0], "file", 1};
	bad[1] = (struct store_item){id[1], "file", 2};
	bad[2] = (struct store_item){fresh[1], "manifest", 3};
	refused(s, path, "an item id already recorded", sub2, bad, 3);
	has(s, fresh[0], 0);
	has(s, fresh[1], 0);

	/* the same item id twice in one submission */
	bad[0] = (struct store_item){fresh[0], "file", 1};
	bad[1] = (struct store_item){fresh[1], "file", 2};
	bad[2] = (struct store_item){fresh[0], "manifest", 3};
	refused(s, path, "one item id twice", sub2, bad, 3);
	has(s, fresh[0], 0);

	/* a submission id already recorded */
	bad[0] = (struct store_item){fresh[0], "file", 1};
	refused(s, path, "a submission id already recorded", sub, bad, 1);
	has(s, fresh[0], 0);

	/* a kind the schema does not allow, last */
	bad[0] = (struct store_item){fresh[0], "file", 1};
	bad[1] = (struct store_item){fresh[1], "exe", 2};
	refused(s, path, "kind \"exe\"", sub2, bad, 2);
	has(s, fresh[0], 0);

	/* after all that, the same submission done right goes in */
	bad[1] = (struct store_item){fresh[1], "manifest", 2};
	assert_int_equal(
	    store_add_submission(s, sub2, HOUR, bad, 2, keys2, 2), 0);
	counts(s, 2, 5);
	has(s, fresh[0], 1);
	has(s, fresh[1], 1);
	store_close(s);
	assert_int_equal(query_int(path, "SELECT count(*) FROM item_keys"), 10);
}

static void
test_reopen_keeps_data(void **state)
{
	const char *path = db_path();
	char sub[2][STORE_ID_LEN + 1], id[4][STORE_ID_LEN + 1];
	struct store_item items[4];
	struct store *s;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		store_new_id(id[i]);
		items[i] = (struct store_item){
		    id[i], i ? "file" : "manifest", (uint64_t)i * 100};
	}
	store_new_id(sub[0]);
	store_new_id(sub[1]);
	s = open_store(path);
	assert_int_equal(
	    store_add_submission(s, sub[0], HOUR, items, 1, keys2, 1), 0);
	assert_int_equal(store_add_submission(
			     s, sub[1], HOUR + 3600, items + 1, 3, keys2, 2),
	    0);
	store_close(s);

	s = open_store(path);
	counts(s, 2, 4);
	for (i = 0; i < 4; i++)
		has(s, id[i], 1);
	/* the reopened store takes more */
	store_new_id(sub[0]);
	store_new_id(id[0]);
	items[0].id = id[0];
	assert_int_equal(
	    store_add_submission(s, sub[0], HOUR, items, 1, keys2, 2), 0);
	counts(s, 3, 5);
	store_close(s);

	s = open_store(path);
	counts(s, 3, 5);
	has(s, id[0], 1);
	store_close(s);
	/* 1 item x 1 key + 3 items x 2 keys + 1 item x 2 keys */
	assert_int_equal(query_int(path, "SELECT count(*) FROM item_keys"), 9);
}

/* ---- what the database may hold --------------------------------------- */

/*
 * Exactly the tables of the schema with exactly their columns: the three
 * of docs/store.md, and exports (submission id, bundle id) that
 * store_mark_exported fills; no views or triggers; and every value in
 * every row is an id, hour, size, kind, state or key id this test put
 * there.
 */
static void
test_schema_holds_no_source_data(void **state)
{
	static const char *const allowed_text[] = {
	    "file", "manifest", "pending", "exported", "acknowledged"};
	const char *path = db_path();
	char sub[STORE_ID_LEN + 1], id[2][STORE_ID_LEN + 1];
	char bundle[STORE_ID_LEN + 1];
	const char *subs[1];
	struct store_item items[2];
	struct store *s;
	sqlite3 *db;
	sqlite3_stmt *st;
	char sql[128];
	int c, k, rc, values = 0;

	(void)state;
	store_new_id(sub);
	store_new_id(id[0]);
	store_new_id(id[1]);
	store_new_id(bundle);
	subs[0] = sub;
	items[0] = (struct store_item){id[0], "file", 4242};
	items[1] = (struct store_item){id[1], "manifest", 777};
	s = open_store(path);
	assert_int_equal(
	    store_add_submission(s, sub, HOUR, items, 2, keys2, 2), 0);
	assert_int_equal(store_mark_exported(s, bundle, subs, 1), 0);
	store_close(s);

	rows_are(path,
	    "SELECT type, name FROM sqlite_master WHERE type IN "
	    "('table', 'view', 'trigger') ORDER BY name",
	    "table|exports;table|item_keys;table|items;table|submissions");
	/* indexes: those SQLite makes for the primary keys, and two named
	 * ones on columns that hold ids */
	rows_are(path,
	    "SELECT name, tbl_name FROM sqlite_master WHERE type = "
	    "'index' AND name NOT LIKE 'sqlite_autoindex_%' "
	    "ORDER BY name",
	    "item_keys_keyid|item_keys;items_submission|items");
	rows_are(path,
	    "SELECT name, type, \"notnull\" FROM "
	    "pragma_table_info('submissions') ORDER BY cid",
	    "id|TEXT|0;hour|INTEGER|1;state|TEXT|1");
	rows_are(path,
	    "SELECT name, type, \"notnull\" FROM "
	    "pragma_table_info('items') ORDER BY cid",
	    "id|TEXT|0;submission|TEXT|1;kind|TEXT|1;size|INTEGER|1");
	rows_are(path,
	    "SELECT name, type, \"notnull\" FROM "
	    "pragma_table_info('item_keys') ORDER BY cid",
	    "item|TEXT|1;keyid|TEXT|1");
	rows_are(path,
	    "SELECT name, type, \"notnull\" FROM "
	    "pragma_table_info('exports') ORDER BY cid",
	    "submission|TEXT|1;bundle|TEXT|1");

	/* Every stored value: an integer hour or size we gave, or text that
	 * is one of our ids, key ids, kinds or states. */
	assert_int_equal(
	    sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	static const char *const tables[] = {
	    "submissions", "items", "item_keys", "exports"};
	for (size_t t = 0; t < 4; t++) {
		snprintf(sql, sizeof(sql), "SELECT * FROM %s", tables[t]);
		assert_int_equal(
		    sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			for (c = 0; c < sqlite3_column_count(st); c++) {
				const char *v;
				int ok = 0;

				values++;
				if (sqlite3_column_type(st, c) ==
				    SQLITE_INTEGER) {
					int64_t n = sqlite3_column_int64(st, c);
					ok = n == HOUR || n == 4242 || n == 777;
					if (!ok)
						print_error("%s.%s = %lld\n",
						    tables[t],
						    sqlite3_column_name(st, c),
						    (long long)n);
					assert_true(ok);
					continue;
				}
				assert_int_equal(
				    sqlite3_column_type(st, c), SQLITE_TEXT);
				v = (const char *)sqlite3_column_text(st, c);
				ok = strcmp(v, sub) == 0 ||
				    strcmp(v, id[0]) == 0 ||
				    strcmp(v, id[1]) == 0 ||
				    strcmp(v, keys2[0]) == 0 ||
				    strcmp(v, keys2[1]) == 0 ||
				    strcmp(v, bundle) == 0;
				for (k = 0; k < 5; k++)
					ok |= strcmp(v, allowed_text[k]) == 0;
				if (!ok) {
					print_error(
					    "%s.%s\nexpected: an id, key "
					    "id, kind or state\ngot: "
					    "\"%s\"\n",
					    tables[t],
					    sqlite3_column_name(st, c), v);
					sqlite3_finalize(st);
					sqlite3_close(db);
					fail();
				}
			}
		assert_int_equal(rc, SQLITE_DONE);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	/* 1 submission x 3 + 2 items x 4 + 4 item_keys x 2 + 1 export x 2 */
	assert_int_equal(values, 3 + 8 + 8 + 2);
}

/* ---- threads ---------------------------------------------------------- */

enum { THREADS = 4, PER_THREAD = 50 };

struct worker {
	struct store *s;
	int failed;  /* store_add_submission calls that returned -1 */
	int missing; /* items not found right after their submission */
};

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	char sub[STORE_ID_LEN + 1], id[2][STORE_ID_LEN + 1];
	struct store_item items[2];
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		store_new_id(sub);
		store_new_id(id[0]);
		store_new_id(id[1]);
		items[0] = (struct store_item){id[0], "file", (uint64_t)i};
		items[1] = (struct store_item){id[1], "manifest", 1};
		if (store_add_submission(w->s, sub, HOUR, items, 2, keys2, 2) !=
		    0)
			w->failed++;
		else if (store_has_item(w->s, id[0]) != 1 ||
		    store_has_item(w->s, id[1]) != 1)
			w->missing++;
		/* readers interleave with the writers */
		if (store_count_submissions(w->s) < 0)
			w->failed++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	const char *path = db_path();
	struct worker w[THREADS];
	pthread_t th[THREADS];
	struct store *s;
	int i, failed = 0, missing = 0;

	(void)state;
	s = open_store(path);
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){s, 0, 0};
		assert_int_equal(
		    pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		failed += w[i].failed;
		missing += w[i].missing;
	}
	if (failed || missing) {
		print_error("%d threads x %d submissions\nexpected: every call "
			    "0, every item found\ngot: %d failed, %d missing\n",
		    THREADS, PER_THREAD, failed, missing);
		store_close(s);
		fail();
	}
	counts(s, THREADS * PER_THREAD, 2 * THREADS * PER_THREAD);
	store_close(s);
	assert_int_equal(query_int(path, "SELECT count(*) FROM submissions"),
	    THREADS * PER_THREAD);
	assert_int_equal(query_int(path, "SELECT count(*) FROM item_keys"),
	    4 * THREADS * PER_THREAD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_open_creates),
	    cmocka_unit_test(test_open_fails),
	    cmocka_unit_test(test_close_null),
	    cmocka_unit_test(test_wal),
	    cmocka_unit_test(test_new_id),
	    cmocka_unit_test(test_add_submission),
	    cmocka_unit_test(test_add_edge_counts),
	    cmocka_unit_test(test_all_or_nothing),
	    cmocka_unit_test(test_reopen_keeps_data),
	    cmocka_unit_test(test_schema_holds_no_source_data),
	    cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
