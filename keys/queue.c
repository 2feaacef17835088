/*
 * queue.c — postern-admin queue status | export | ack | purge.
 *
 * A submission goes pending -> exported (in one or more bundles) ->
 * acknowledged (a receipt from the air-gapped machine names it) -> purged.
 * Exports and receipts are described in docs/bundle.md, the database and
 * the spool in docs/store.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "postern/bundle.h"

#include "admin.h"

#define DAYS_MAX 36500 /* a century: beyond it, a typo */

/* "12.3 MiB": for people; exact byte counts are printed beside it. */
static const char *
human(uint64_t n, char *buf, size_t len)
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB",
		"TiB", "PiB" };
	double v = (double)n;
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0])) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%" PRIu64 " bytes", n);
	else
		snprintf(buf, len, "%.1f %s", v, unit[u]);
	return buf;
}

static void
iso_hour(int64_t hour, char *buf, size_t len)
{
	time_t t = (time_t)hour;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* queue status */

static void
print_state(const char *name, const struct store_state_stats *st)
{
	char h[32];

	printf("%-13s %lld submission%s, %lld item%s, %lld bytes (%s)\n", name,
	    (long long)st->submissions, st->submissions == 1 ? "" : "s",
	    (long long)st->items, st->items == 1 ? "" : "s",
	    (long long)st->bytes, human((uint64_t)st->bytes, h, sizeof(h)));
}

int
queue_status(struct admin *a, int argc, char **argv)
{
	struct store_stats st;
	struct store *s = NULL;
	struct statvfs vfs;
	char when[32], h[32], m[32];
	uint64_t avail;

	if (getopt(argc, argv, "") != -1 || argc != optind)
		admin_usage();
	if (admin_load(a) != 0 || admin_store_open(a, &s) != 0)
		return 1;
	memset(&st, 0, sizeof(st));
	if (s != NULL && store_stats(s, &st) != 0) {
		admin_fail("%s: cannot read the queue", a->db);
		store_close(s);
		return 1;
	}
	store_close(s);
	if (statvfs(a->cfg.state_dir, &vfs) != 0) {
		admin_fail("%s: %s", a->cfg.state_dir, strerror(errno));
		return 1;
	}
	print_state("pending:", &st.pending);
	print_state("exported:", &st.exported);
	print_state("acknowledged:", &st.acknowledged);
	if (st.pending.submissions > 0) {
		iso_hour(st.pending.oldest_hour, when, sizeof(when));
		printf("oldest pending: %s (the hour it arrived, UTC)\n", when);
	} else
		printf("oldest pending: none\n");
	avail = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	printf("free disk: %" PRIu64 " bytes (%s) in %s\n", avail,
	    human(avail, h, sizeof(h)), a->cfg.state_dir);
	if (a->cfg.min_free_disk > 0 && avail < a->cfg.min_free_disk)
		admin_warn("free disk is below min_free_disk (%s): posternd "
		    "refuses uploads; export and purge", human(
		    a->cfg.min_free_disk, m, sizeof(m)));
	return 0;
}

/* queue export */

struct rows {
	struct store_row *v;
	size_t n, cap;
};

static int
collect(void *arg, const struct store_row *r)
{
	struct rows *rs = arg;
	struct store_row *v;

	if (rs->n == rs->cap) {
		size_t cap = rs->cap ? rs->cap * 2 : 256;
		if ((v = reallocarray(rs->v, cap, sizeof(*v))) == NULL)
			return -1;
		rs->v = v;
		rs->cap = cap;
	}
	rs->v[rs->n] = *r;
	rs->v[rs->n++].state = NULL; /* valid only during the call */
	return 0;
}

/* The distinct submissions of rows (which come grouped by submission). */
static const char **
submissions_of(const struct rows *rs, size_t *n)
{
	const char **v;
	size_t i;

	*n = 0;
	if ((v = calloc(rs->n, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < rs->n; i++)
		if (*n == 0 || strcmp(v[*n - 1], rs->v[i].submission) != 0)
			v[(*n)++] = rs->v[i].submission;
	return v;
}

/* At most BUNDLE_ITEMS_MAX items, cut where a submission ends; the rest
 * waits for the next export. */
static size_t
fit_bundle(struct rows *rs)
{
	size_t n = rs->n;

	if (n <= BUNDLE_ITEMS_MAX)
		return 0;
	n = BUNDLE_ITEMS_MAX;
	while (n > 0 && strcmp(rs->v[n - 1].submission,
	    rs->v[n].submission) == 0)
		n--;
	rs->n = n;
	return 1;
}

static int
spool_path(const struct admin *a, const char *item, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/%s.age", a->spool, item);

	if (n < 0 || (size_t)n >= len) {
		admin_fail("%s: path too long", a->spool);
		return -1;
	}
	return 0;
}

/* Copy every row into the bundle; the writer is left to the caller. */
static int
fill_bundle(const struct admin *a, struct bundle_writer *w,
    const struct rows *rs)
{
	char path[PATH_MAX], err[BUNDLE_ERRLEN];
	struct bundle_item it;
	struct stat sb;
	size_t i;

	for (i = 0; i < rs->n; i++) {
		const struct store_row *r = &rs->v[i];
		if (admin_interrupted()) {
			admin_fail("interrupted; nothing exported");
			return -1;
		}
		if (spool_path(a, r->item, path, sizeof(path)) != 0)
			return -1;
		if (stat(path, &sb) == 0 && sb.st_size != r->size) {
			admin_fail("%s: %lld bytes, but the database says %lld: "
			    "damaged? nothing exported", path,
			    (long long)sb.st_size, (long long)r->size);
			return -1;
		}
		memset(&it, 0, sizeof(it));
		memcpy(it.id, r->item, sizeof(it.id));
		memcpy(it.submission, r->submission, sizeof(it.submission));
		it.kind = r->manifest ? BUNDLE_MANIFEST : BUNDLE_FILE;
		it.hour = r->hour;
		if (bundle_add(w, path, &it, err, sizeof(err)) != 0) {
			admin_fail("%s; nothing exported", err);
			return -1;
		}
	}
	return 0;
}

/* Take a finished bundle away again (its export could not be recorded).
 * dir came from bundle_finish, so every path below fits. */
static void
remove_bundle(const char *dir, const struct rows *rs)
{
	char path[PATH_MAX + 128];
	size_t i;

	if (strlen(dir) > PATH_MAX)
		return;
	for (i = 0; i < rs->n; i++) {
		snprintf(path, sizeof(path), "%s/items/%s.age", dir,
		    rs->v[i].item);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/index", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.sig", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/items", dir);
	rmdir(path);
	rmdir(dir);
}

static int
write_bundle(struct admin *a, struct store *s, const struct sigkey *key,
    const char *dir, const struct rows *rs)
{
	struct bundle_writer *w;
	uint8_t pk[SIGKEY_PUBLIC_BYTES];
	char bid[BUNDLE_ID_LEN + 1], out[PATH_MAX], err[BUNDLE_ERRLEN];
	const char **subs;
	size_t nsubs, i;
	uint64_t bytes = 0;
	int rc = -1;

	if ((subs = submissions_of(rs, &nsubs)) == NULL) {
		admin_fail("out of memory");
		return -1;
	}
	sigkey_public(key, pk);
	if ((w = bundle_create(dir, pk, err, sizeof(err))) == NULL) {
		admin_fail("%s", err);
		goto out;
	}
	memcpy(bid, bundle_writer_id(w), sizeof(bid));
	if (fill_bundle(a, w, rs) != 0) {
		bundle_abort(w);
		goto out;
	}
	if (admin_interrupted()) {
		admin_fail("interrupted; nothing exported");
		bundle_abort(w);
		goto out;
	}
	/* bundle_finish frees the writer, and on failure removes the .part. */
	if (bundle_finish(w, key, out, sizeof(out), err, sizeof(err)) != 0) {
		admin_fail("%s; nothing exported", err);
		goto out;
	}
	if (store_mark_exported(s, bid, subs, nsubs) != 0) {
		remove_bundle(out, rs);
		admin_fail("%s: cannot record the export; the bundle was "
		    "removed and nothing is marked exported", a->db);
		goto out;
	}
	for (i = 0; i < rs->n; i++)
		bytes += (uint64_t)rs->v[i].size;
	printf("%s\n", out);
	printf("bundle %s: %zu submission%s, %zu item%s, %" PRIu64 " bytes\n",
	    bid, nsubs, nsubs == 1 ? "" : "s", rs->n, rs->n == 1 ? "" : "s",
	    bytes);
	rc = 0;
out:
	free(subs);
	return rc;
}

int
queue_export(struct admin *a, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	struct rows rs = { NULL, 0, 0 };
	struct sigkey *key = NULL;
	struct store *s = NULL;
	struct stat sb;
	const char *dir;
	int ch, all = 0, rc = 1, more;

	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'a')
			all = 1;
		else
			admin_usage();
	}
	if (argc - optind != 1)
		admin_usage();
	dir = argv[optind];
	if (admin_load(a) != 0 || (key = serverkey_load(a)) == NULL)
		goto out;
	if (stat(dir, &sb) != 0) {
		admin_fail("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (!S_ISDIR(sb.st_mode)) {
		admin_fail("%s: not a directory", dir);
		goto out;
	}
	if (admin_store_open(a, &s) != 0)
		goto out;
	if (s != NULL && store_walk_export(s, all, collect, &rs) != 0) {
		admin_fail("%s: cannot list the queue", a->db);
		goto out;
	}
	if (rs.n == 0) {
		printf("nothing to export: no %ssubmission is stored\n",
		    all ? "" : "pending ");
		rc = 0;
		goto out;
	}
	more = (int)fit_bundle(&rs);
	if (write_bundle(a, s, key, dir, &rs) != 0)
		goto out;
	if (more)
		printf("more submissions wait: a bundle holds at most %d items; "
		    "export again\n", BUNDLE_ITEMS_MAX);
	rc = 0;
out:
	free(rs.v);
	store_close(s);
	sigkey_free(key);
	return rc;
}

/* queue ack */

static int
cmp_id(const void *x, const void *y)
{
	return strcmp(x, y);
}

struct ack_state {
	char (*subs)[BUNDLE_ID_LEN + 1];
	size_t n;
	unsigned char *already; /* per listed submission */
};

/* Which listed submissions were acknowledged before this receipt. */
static int
note_acknowledged(void *arg, const struct store_row *r)
{
	struct ack_state *st = arg;
	char (*hit)[BUNDLE_ID_LEN + 1];
	size_t i;

	if (strcmp(r->state, "acknowledged") != 0)
		return 0;
	hit = bsearch(r->submission, st->subs, st->n, sizeof(*st->subs),
	    cmp_id);
	if (hit == NULL)
		return 0;
	/* Duplicates in the receipt sit next to each other. */
	for (i = (size_t)(hit - st->subs); i > 0 &&
	    strcmp(st->subs[i - 1], r->submission) == 0; i--)
		;
	for (; i < st->n && strcmp(st->subs[i], r->submission) == 0; i++)
		st->already[i] = 1;
	return 0;
}

int
queue_ack(struct admin *a, int argc, char **argv)
{
	struct ack_state st = { NULL, 0, NULL };
	struct store *s = NULL;
	char bid[BUNDLE_ID_LEN + 1], err[BUNDLE_ERRLEN];
	size_t acked = 0, already = 0, ignored, i;
	int rc = 1;

	if (getopt(argc, argv, "") != -1 || argc - optind != 1)
		admin_usage();
	if (admin_load(a) != 0)
		return 1;
	if (receipt_read(argv[optind], bid, &st.subs, &st.n, err,
	    sizeof(err)) != 0) {
		admin_fail("%s", err);
		return 1;
	}
	if (admin_store_open(a, &s) != 0)
		goto out;
	if ((st.already = calloc(st.n + 1, 1)) == NULL) {
		admin_fail("out of memory");
		goto out;
	}
	qsort(st.subs, st.n, sizeof(*st.subs), cmp_id);
	if (s != NULL && (store_walk_export(s, 1, note_acknowledged, &st) != 0 ||
	    store_acknowledge(s, bid, (const char (*)[STORE_ID_LEN + 1])st.subs,
	    st.n, &acked) != 0)) {
		admin_fail("%s: cannot record the receipt; nothing changed",
		    a->db);
		goto out;
	}
	for (i = 0; i < st.n; i++)
		already += st.already[i];
	ignored = st.n - acked - already;
	printf("bundle %s: %zu submission%s acknowledged", bid, acked,
	    acked == 1 ? "" : "s");
	if (already > 0)
		printf(", %zu already acknowledged", already);
	printf(", %zu ignored (not exported in that bundle)\n", ignored);
	rc = 0;
out:
	free(st.already);
	receipt_free(st.subs);
	store_close(s);
	return rc;
}

/* queue purge */

struct purge_ctx {
	const struct admin *a;
	size_t deleted, missing;
	int err; /* the first errno that was not ENOENT */
};

static int
unlink_item(void *arg, const struct store_row *r)
{
	struct purge_ctx *c = arg;
	char path[PATH_MAX];

	if (snprintf(path, sizeof(path), "%s/%s.age", c->a->spool, r->item) >=
	    (int)sizeof(path)) {
		c->err = c->err ? c->err : ENAMETOOLONG;
		return -1;
	}
	if (unlink(path) == 0) {
		c->deleted++;
		return 0;
	}
	if (errno == ENOENT) {
		c->missing++;
		return 0;
	}
	c->err = c->err ? c->err : errno;
	return -1;
}

/* The purge cutoff for "arrived more than DAYS days ago". A submission
 * is known only by its hour H (rounded down), so it qualifies only when
 * its whole hour lies before now - DAYS days: H + 3600 <= now - DAYS d.
 * DAYS 0 means every acknowledged submission, whatever its hour. */
static int64_t
purge_cutoff(long long days)
{
	int64_t t;

	if (days == 0)
		return INT64_MAX;
	t = (int64_t)time(NULL) - (int64_t)days * 86400;
	return t / 3600 * 3600;
}

static int
parse_purge(int argc, char **argv, long long *days, int *force)
{
	static const struct option opts[] = {
		{ "older-than", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	*days = 0;
	*force = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch == 'f')
			*force = 1;
		else if (ch == 'o' && admin_parse_count(optarg, DAYS_MAX,
		    days) == 0)
			continue;
		else if (ch == 'o') {
			admin_fail("--older-than: \"%.20s\" is not a number of "
			    "days (0 to %d)", optarg, DAYS_MAX);
			exit(2);
		} else
			admin_usage();
	}
	if (argc != optind)
		admin_usage();
	return 0;
}

int
queue_purge(struct admin *a, int argc, char **argv)
{
	struct purge_ctx c = { a, 0, 0, 0 };
	struct store *s = NULL;
	long long days;
	int64_t cutoff, kept = 0;
	size_t purged = 0;
	int force, fd, rc = 1, prc = 0;

	parse_purge(argc, argv, &days, &force);
	if (admin_load(a) != 0 || admin_store_open(a, &s) != 0)
		return 1;
	cutoff = purge_cutoff(days);
	if (s != NULL) {
		if (!force &&
		    (kept = store_count_unacknowledged_before(s, cutoff)) < 0) {
			admin_fail("%s: cannot read the queue", a->db);
			goto out;
		}
		prc = store_purge(s, cutoff, force, unlink_item, &c, &purged);
		if (prc != 0 && purged == 0 && c.deleted + c.missing == 0 &&
		    c.err == 0) {
			admin_fail("%s: cannot purge; nothing deleted", a->db);
			goto out;
		}
		if ((fd = open(a->spool, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			fsync(fd);
			close(fd);
		}
	}
	printf("purged %zu submission%s; deleted %zu spool file%s\n", purged,
	    purged == 1 ? "" : "s", c.deleted, c.deleted == 1 ? "" : "s");
	if (c.missing > 0)
		printf("%zu spool file%s already missing\n", c.missing,
		    c.missing == 1 ? " was" : "s were");
	if (kept > 0 && days > 0)
		admin_warn("%lld unacknowledged submission%s older than %lld "
		    "day%s %s kept; --force deletes %s too", (long long)kept,
		    kept == 1 ? "" : "s", days, days == 1 ? "" : "s",
		    kept == 1 ? "was" : "were", kept == 1 ? "it" : "them");
	else if (kept > 0)
		admin_warn("%lld unacknowledged submission%s %s kept; --force "
		    "deletes %s too", (long long)kept, kept == 1 ? "" : "s",
		    kept == 1 ? "was" : "were", kept == 1 ? "it" : "them");
	if (c.err != 0) {
		admin_fail("%s: some spool files could not be deleted (%s); "
		    "posternd removes them at its next start", a->spool,
		    strerror(c.err));
		goto out;
	}
	rc = 0;
out:
	store_close(s);
	return rc;
}
