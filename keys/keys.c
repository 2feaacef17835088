/*
 * keys.c — postern-admin keys add | list | retire.
 *
 * The recipients file (config recipients_file) is the one source of truth:
 * posternd reads it again for every submission, so a change here applies
 * to the next submission without a restart. Its lines:
 *
 *   age1...                          an active key (posternd encrypts to it)
 *   #retired age1... YYYY-MM-DD      a retired key (a comment to posternd)
 *   # anything else, or blank        kept as it is
 *
 * The file is rewritten whole: a new file beside it (O_EXCL, 0600 while
 * written), fsync, then given the old file's mode (less group and other
 * write) and owner, renamed over the old one, and the directory fsync'ed.
 * A reader sees the old file or the new one, never a mix. Writers take an
 * flock on the directory so two admins cannot lose each other's change.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "postern/age.h"
#include "postern/keyfile.h"

#include "admin.h"

#define RETIRED_TAG "#retired "
#define DATE_LEN 10 /* YYYY-MM-DD */
#define ANSWER_MAX 16

enum line_kind { LINE_OTHER, LINE_ACTIVE, LINE_RETIRED, LINE_GONE };

struct rline {
	enum line_kind kind;
	char *text; /* LINE_OTHER: the line as it was, without its ending */
	char key[AGE_RECIPIENT_STRLEN + 1];
	char id[AGE_KEYID_STRLEN + 1];
	char date[DATE_LEN + 1]; /* LINE_RETIRED: as written, or "" */
};

struct rfile {
	char path[PATH_MAX];  /* where to write: the symlink's target */
	char dir[PATH_MAX];
	int exists;
	struct stat sb;
	struct rline *v;
	size_t n;
	int lockfd;
};

/* A key as typed or read: its canonical string and id. */
static enum age_err
key_parse(const char *s, char key[AGE_RECIPIENT_STRLEN + 1],
    char id[AGE_KEYID_STRLEN + 1])
{
	struct age_recipient *r;
	enum age_err e;

	if ((e = age_recipient_parse(&r, s)) != AGE_OK)
		return e;
	if (age_recipient_format(r, key, AGE_RECIPIENT_STRLEN + 1) != 0 ||
	    age_recipient_keyid(r, id, AGE_KEYID_STRLEN + 1) != 0)
		e = AGE_ERR_KEY_TYPE;
	age_recipient_free(r);
	return e;
}

static int
is_secret_key(const char *s)
{
	return strncasecmp(s, "AGE-SECRET-KEY-", 15) == 0;
}

/*
 * Read a small text file ("-": standard input) into locked memory: an
 * input file handed to keys add may turn out to be an identity. Returns
 * the NUL-terminated text (sodium_free wipes it) or NULL after admin_fail.
 */
static char *
read_text(const char *path)
{
	int fd, std = strcmp(path, "-") == 0;
	size_t len = 0;
	ssize_t n = 0;
	char *buf;

	if ((buf = sodium_malloc(KEYFILE_MAX + 2)) == NULL) {
		admin_fail("out of memory");
		return NULL;
	}
	if ((fd = std ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		admin_fail("%s: %s", path, strerror(errno));
		sodium_free(buf);
		return NULL;
	}
	while (len <= KEYFILE_MAX) {
		n = read(fd, buf + len, KEYFILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR && !admin_interrupted())
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	if (!std)
		close(fd);
	if (n < 0 || len > KEYFILE_MAX || memchr(buf, '\0', len) != NULL) {
		admin_fail("%s: %s", path, n < 0 ? strerror(errno) :
		    len > KEYFILE_MAX ? "too large for a key file" :
		    "not a text file");
		sodium_free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

/* Split off the next line (LF or CRLF); NULL at the end. */
static char *
next_line(char **p)
{
	char *line = *p, *nl;
	size_t len;

	if (*line == '\0')
		return NULL;
	if ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		*p = nl + 1;
	} else
		*p = line + strlen(line);
	len = strlen(line);
	if (len > 0 && line[len - 1] == '\r')
		line[len - 1] = '\0';
	return line;
}

/* "#retired age1... [DATE]" */
static int
parse_retired(const char *line, struct rline *l)
{
	char tok[AGE_RECIPIENT_STRLEN + 2];
	const char *p = line + strlen(RETIRED_TAG), *sp;
	size_t len;

	if (strncmp(line, RETIRED_TAG, strlen(RETIRED_TAG)) != 0)
		return -1;
	sp = strchr(p, ' ');
	len = sp ? (size_t)(sp - p) : strlen(p);
	if (len >= sizeof(tok))
		return -1;
	memcpy(tok, p, len);
	tok[len] = '\0';
	if (key_parse(tok, l->key, l->id) != AGE_OK)
		return -1;
	snprintf(l->date, sizeof(l->date), "%s", sp ? sp + 1 : "");
	l->kind = LINE_RETIRED;
	return 0;
}

static int
rfile_append(struct rfile *f, const struct rline *l)
{
	struct rline *v;

	if ((v = reallocarray(f->v, f->n + 1, sizeof(*v))) == NULL) {
		admin_fail("out of memory");
		return -1;
	}
	f->v = v;
	f->v[f->n++] = *l;
	return 0;
}

static void
rfile_free(struct rfile *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->v[i].text);
	free(f->v);
	f->v = NULL;
	f->n = 0;
	if (f->lockfd >= 0)
		close(f->lockfd); /* releases the flock */
	f->lockfd = -1;
}

static int
rfile_parse(struct rfile *f, const char *name, char *text)
{
	struct rline l;
	size_t lineno = 0;
	char *line;
	enum age_err e;

	while ((line = next_line(&text)) != NULL) {
		lineno++;
		memset(&l, 0, sizeof(l));
		if (*line == '\0' || *line == '#') {
			if (parse_retired(line, &l) != 0) {
				l.kind = LINE_OTHER;
				if ((l.text = strdup(line)) == NULL) {
					admin_fail("out of memory");
					return -1;
				}
			}
		} else if ((e = key_parse(line, l.key, l.id)) == AGE_OK) {
			l.kind = LINE_ACTIVE;
		} else {
			/* posternd would refuse the file too (keyfile.c). */
			admin_fail("%s, line %zu: %s; fix the file first", name,
			    lineno, age_strerror(e));
			return -1;
		}
		if (rfile_append(f, &l) != 0) {
			free(l.text);
			return -1;
		}
	}
	return 0;
}

/*
 * Load the recipients file; a missing file is an empty list (keys add
 * creates it). With lock, first take the writers' lock (without waiting).
 */
static int
rfile_load(struct rfile *f, const char *path, int lock)
{
	char tmp[PATH_MAX], *text;
	int rc;

	memset(f, 0, sizeof(*f));
	f->lockfd = -1;
	if (snprintf(f->path, sizeof(f->path), "%s", path) >=
	    (int)sizeof(f->path)) {
		admin_fail("%s: path too long", path);
		return -1;
	}
	if (stat(path, &f->sb) == 0) {
		f->exists = 1;
		if (realpath(path, f->path) == NULL) {
			admin_fail("%s: %s", path, strerror(errno));
			return -1;
		}
	} else if (errno != ENOENT) {
		admin_fail("%s: %s", path, strerror(errno));
		return -1;
	}
	memcpy(tmp, f->path, sizeof(tmp));
	snprintf(f->dir, sizeof(f->dir), "%s", dirname(tmp));
	if (lock) {
		if ((f->lockfd = open(f->dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) < 0) {
			admin_fail("%s: %s", f->dir, strerror(errno));
			return -1;
		}
		if (flock(f->lockfd, LOCK_EX | LOCK_NB) != 0) {
			admin_fail("%s: %s", path, errno == EWOULDBLOCK ?
			    "another postern-admin is changing the keys; try "
			    "again" : strerror(errno));
			return -1;
		}
	}
	if (!f->exists)
		return 0;
	if ((text = read_text(path)) == NULL)
		return -1;
	rc = rfile_parse(f, path, text);
	sodium_free(text);
	return rc;
}

static int
write_all(int fd, const char *s)
{
	return age_sink_fd(&fd, (const uint8_t *)s, strlen(s));
}

static int
rfile_write_lines(const struct rfile *f, int fd)
{
	const struct rline *l;
	size_t i;
	int rc = 0;

	for (i = 0; i < f->n && rc == 0; i++) {
		l = &f->v[i];
		if (l->kind == LINE_OTHER)
			rc = write_all(fd, l->text);
		else if (l->kind == LINE_ACTIVE)
			rc = write_all(fd, l->key);
		else if (l->kind == LINE_RETIRED)
			rc = write_all(fd, RETIRED_TAG) || write_all(fd, l->key) ||
			    (l->date[0] != '\0' && (write_all(fd, " ") ||
			    write_all(fd, l->date)));
		else
			continue;
		if (rc == 0)
			rc = write_all(fd, "\n");
	}
	return rc;
}

static int
fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* Bytes rfile_write_lines writes. */
static size_t
rfile_size(const struct rfile *f)
{
	const struct rline *l;
	size_t i, n = 0;

	for (i = 0; i < f->n; i++) {
		l = &f->v[i];
		if (l->kind == LINE_OTHER)
			n += strlen(l->text) + 1;
		else if (l->kind == LINE_ACTIVE)
			n += strlen(l->key) + 1;
		else if (l->kind == LINE_RETIRED)
			n += strlen(RETIRED_TAG) + strlen(l->key) +
			    (l->date[0] ? 1 + strlen(l->date) : 0) + 1;
	}
	return n;
}

static size_t count_active(const struct rfile *, const char *);

/* Replace the file atomically with the lines of f. What posternd would
 * refuse to read (keyfile.h's caps) is not written. */
static int
rfile_write(const struct rfile *f)
{
	char tmp[PATH_MAX], base[PATH_MAX];
	mode_t mode = f->exists ? (f->sb.st_mode & 0644) | 0600 : 0644;
	int fd, n;

	if (count_active(f, NULL) > KEYFILE_KEYS_MAX) {
		admin_fail("%s: posternd reads at most %d keys; nothing "
		    "changed", f->path, KEYFILE_KEYS_MAX);
		return -1;
	}
	if (rfile_size(f) > KEYFILE_MAX) {
		admin_fail("%s: the file would pass %d bytes, more than "
		    "posternd reads; remove old #retired lines first; nothing "
		    "changed", f->path, KEYFILE_MAX);
		return -1;
	}

	memcpy(base, f->path, sizeof(base));
	n = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", f->dir, basename(base));
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		admin_fail("%s: path too long", f->path);
		return -1;
	}
	/* mkostemp: O_CREAT | O_EXCL, mode 0600. */
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		admin_fail("%s: cannot create a file beside it: %s", f->path,
		    strerror(errno));
		return -1;
	}
	if (rfile_write_lines(f, fd) != 0 || fchmod(fd, mode) != 0 ||
	    (f->exists && (f->sb.st_uid != geteuid() ||
	    f->sb.st_gid != getegid()) &&
	    fchown(fd, f->sb.st_uid, f->sb.st_gid) != 0) || fsync(fd) != 0) {
		admin_fail("%s: %s; the file is unchanged", f->path,
		    strerror(errno));
		goto fail;
	}
	if (admin_interrupted()) {
		admin_fail("interrupted; %s is unchanged", f->path);
		goto fail;
	}
	if (rename(tmp, f->path) != 0) {
		admin_fail("%s: %s; the file is unchanged", f->path,
		    strerror(errno));
		goto fail;
	}
	close(fd);
	if (fsync_dir(f->dir) != 0) {
		admin_fail("%s: %s", f->dir, strerror(errno));
		return -1;
	}
	return 0;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}

static struct rline *
rfile_find(struct rfile *f, const char *key, enum line_kind kind)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].kind == kind && strcmp(f->v[i].key, key) == 0)
			return &f->v[i];
	return NULL;
}

static void
today(char date[DATE_LEN + 1])
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, DATE_LEN + 1, "%Y-%m-%d", &tm);
}

/* keys add */

struct candidate {
	char key[AGE_RECIPIENT_STRLEN + 1];
	char id[AGE_KEYID_STRLEN + 1];
	int accepted;
};

struct candidates {
	struct candidate *v;
	size_t n;
};

static int
candidate_add(struct candidates *c, const char *key, const char *id)
{
	struct candidate *v;
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0) {
			admin_fail("key %s is given twice", id);
			return -1;
		}
	if (c->n == KEYFILE_KEYS_MAX) {
		admin_fail("more than %d keys at once", KEYFILE_KEYS_MAX);
		return -1;
	}
	if ((v = reallocarray(c->v, c->n + 1, sizeof(*v))) == NULL) {
		admin_fail("out of memory");
		return -1;
	}
	c->v = v;
	memset(&c->v[c->n], 0, sizeof(c->v[c->n]));
	memcpy(c->v[c->n].key, key, sizeof(c->v[c->n].key));
	memcpy(c->v[c->n].id, id, sizeof(c->v[c->n].id));
	c->n++;
	return 0;
}

static const char secret_refused[] = "a secret key (AGE-SECRET-KEY-1...) "
    "never belongs on the intake server: give its public key (age1...), "
    "as postern-open keygen printed it";

/* The age1 lines of a recipients file (or of a one-key argument). */
static int
read_candidates(struct candidates *c, const char *arg)
{
	char key[AGE_RECIPIENT_STRLEN + 1], id[AGE_KEYID_STRLEN + 1];
	char *text, *p, *line;
	size_t lineno = 0;
	enum age_err e;
	int rc = -1;

	if (is_secret_key(arg)) {
		admin_fail("%s", secret_refused);
		return -1;
	}
	if (strncmp(arg, "age1", 4) == 0 && access(arg, F_OK) != 0) {
		if ((e = key_parse(arg, key, id)) != AGE_OK) {
			admin_fail("\"%.80s\": %s", arg, age_strerror(e));
			return -1;
		}
		return candidate_add(c, key, id);
	}
	if ((text = read_text(arg)) == NULL)
		return -1;
	for (p = text; (line = next_line(&p)) != NULL;) {
		lineno++;
		if (*line == '\0' || *line == '#')
			continue;
		if (is_secret_key(line)) {
			admin_fail("%s, line %zu: %s", arg, lineno,
			    secret_refused);
			goto out;
		}
		if ((e = key_parse(line, key, id)) != AGE_OK) {
			admin_fail("%s, line %zu: %s", arg, lineno,
			    age_strerror(e));
			goto out;
		}
		if (candidate_add(c, key, id) != 0)
			goto out;
	}
	if (c->n == 0)
		admin_fail("%s: no age1... key found", arg);
	else
		rc = 0;
out:
	sodium_free(text);
	return rc;
}

/* Ask on the terminal; 1 yes, 0 no, -1 after admin_fail. */
static int
confirm(int tty, const struct candidate *k, const struct rline *retired)
{
	char q[512], answer[ANSWER_MAX];
	size_t len = 0;
	ssize_t n;
	char ch;

	if (retired != NULL)
		snprintf(q, sizeof(q), "Key %s was retired%s%s; adding it "
		    "re-activates it.\n", k->id, retired->date[0] ? " on " : "",
		    retired->date);
	else
		q[0] = '\0';
	snprintf(q + strlen(q), sizeof(q) - strlen(q), "Add key %s (%s)? "
	    "[y/N] ", k->id, k->key);
	if (write_all(tty, q) != 0) {
		admin_fail("/dev/tty: %s", strerror(errno));
		return -1;
	}
	for (;;) {
		if ((n = read(tty, &ch, 1)) < 0 && errno == EINTR &&
		    !admin_interrupted())
			continue;
		if (n < 0 || admin_interrupted()) {
			admin_fail("%s; nothing changed", n < 0 &&
			    !admin_interrupted() ? strerror(errno) :
			    "interrupted");
			return -1;
		}
		if (n == 0 || ch == '\n')
			break;
		if (len + 1 < sizeof(answer))
			answer[len++] = ch;
	}
	answer[len] = '\0';
	if (len > 0 && answer[len - 1] == '\r')
		answer[--len] = '\0';
	return strcasecmp(answer, "y") == 0 || strcasecmp(answer, "yes") == 0;
}

static int
confirm_all(struct candidates *c, struct rfile *f, int yes)
{
	size_t i, accepted = 0;
	int tty, r;

	if (yes) {
		for (i = 0; i < c->n; i++)
			c->v[i].accepted = 1;
		return 0;
	}
	if ((tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		admin_fail("no terminal to confirm the key on; check its id "
		    "and run again with -y");
		return -1;
	}
	for (i = 0; i < c->n; i++) {
		if ((r = confirm(tty, &c->v[i], rfile_find(f, c->v[i].key,
		    LINE_RETIRED))) < 0) {
			close(tty);
			return -1;
		}
		c->v[i].accepted = r;
		accepted += (size_t)r;
	}
	close(tty);
	if (accepted == 0) {
		admin_fail("no key added (not confirmed)");
		return -1;
	}
	return 0;
}

/* Make the accepted candidates active in f; report what was done. */
static int
apply_add(struct candidates *c, struct rfile *f)
{
	struct rline l, *old;
	size_t i, j;

	for (i = 0; i < c->n; i++) {
		if (!c->v[i].accepted)
			continue;
		if ((old = rfile_find(f, c->v[i].key, LINE_RETIRED)) != NULL) {
			old->kind = LINE_ACTIVE;
			/* Other "#retired" lines of that key go. */
			for (j = 0; j < f->n; j++)
				if (f->v[j].kind == LINE_RETIRED &&
				    strcmp(f->v[j].key, c->v[i].key) == 0)
					f->v[j].kind = LINE_GONE;
			continue;
		}
		memset(&l, 0, sizeof(l));
		l.kind = LINE_ACTIVE;
		memcpy(l.key, c->v[i].key, sizeof(l.key));
		memcpy(l.id, c->v[i].id, sizeof(l.id));
		if (rfile_append(f, &l) != 0)
			return -1;
	}
	return 0;
}

static size_t
count_active(const struct rfile *f, const char *except)
{
	size_t i, j, n = 0;

	for (i = 0; i < f->n; i++) {
		if (f->v[i].kind != LINE_ACTIVE || (except != NULL &&
		    strcmp(f->v[i].key, except) == 0))
			continue;
		for (j = 0; j < i; j++) /* each key once */
			if (f->v[j].kind == LINE_ACTIVE &&
			    strcmp(f->v[j].key, f->v[i].key) == 0)
				break;
		n += j == i;
	}
	return n;
}

int
keys_add(struct admin *a, int argc, char **argv)
{
	struct candidates c = { NULL, 0 };
	struct rfile f = { .lockfd = -1 };
	struct rline *retired;
	char dates[KEYFILE_KEYS_MAX][DATE_LEN + 1];
	size_t i, active;
	int ch, yes = 0, rc = 1;

	while ((ch = getopt(argc, argv, "y")) != -1) {
		if (ch == 'y')
			yes = 1;
		else
			admin_usage();
	}
	if (argc - optind != 1)
		admin_usage();
	if (admin_load(a) != 0 || read_candidates(&c, argv[optind]) != 0 ||
	    rfile_load(&f, a->cfg.recipients_file, 1) != 0)
		goto out;
	for (i = 0; i < c.n; i++) {
		if (rfile_find(&f, c.v[i].key, LINE_ACTIVE) != NULL) {
			admin_fail("key %s (%s) is already active; nothing "
			    "changed", c.v[i].id, c.v[i].key);
			goto out;
		}
		retired = rfile_find(&f, c.v[i].key, LINE_RETIRED);
		/* "" for a new key; a retired one shows its date (or "?"). */
		snprintf(dates[i], sizeof(dates[i]), "%s", retired == NULL ?
		    "" : retired->date[0] ? retired->date : "?");
	}
	if (confirm_all(&c, &f, yes) != 0 || apply_add(&c, &f) != 0 ||
	    rfile_write(&f) != 0)
		goto out;
	for (i = 0; i < c.n; i++) {
		if (!c.v[i].accepted)
			printf("skipped key %s %s\n", c.v[i].id, c.v[i].key);
		else if (dates[i][0] != '\0')
			printf("re-activated key %s %s (retired %s)\n",
			    c.v[i].id, c.v[i].key, dates[i]);
		else
			printf("added key %s %s\n", c.v[i].id, c.v[i].key);
	}
	active = count_active(&f, NULL);
	printf("%zu active key%s in %s: the next submission is encrypted to "
	    "%s\n", active, active == 1 ? "" : "s", f.path,
	    active == 1 ? "it" : "all of them");
	rc = 0;
out:
	rfile_free(&f);
	free(c.v);
	return rc;
}

/* keys list */

/* Every key id the database knows, with its item count. The store has no
 * query for this, so it is read here, read-only. */
static int
db_keyids(const char *path, int (*fn)(void *, const char *, int64_t),
    void *arg)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	int step = SQLITE_ERROR, rc = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK)
		goto out;
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, "SELECT keyid, count(*) FROM item_keys "
	    "GROUP BY keyid ORDER BY keyid", -1, &q, NULL) != SQLITE_OK)
		goto out;
	while ((step = sqlite3_step(q)) == SQLITE_ROW)
		if (fn(arg, (const char *)sqlite3_column_text(q, 0),
		    sqlite3_column_int64(q, 1)) != 0)
			break;
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc != 0)
		admin_fail("%s: cannot list the key ids: %s", path,
		    db ? sqlite3_errmsg(db) : "out of memory");
	sqlite3_finalize(q);
	sqlite3_close(db);
	return rc;
}

static int
print_unlisted(void *arg, const char *keyid, int64_t n)
{
	const struct rfile *f = arg;
	size_t i;

	for (i = 0; i < f->n; i++)
		if ((f->v[i].kind == LINE_ACTIVE ||
		    f->v[i].kind == LINE_RETIRED) &&
		    strcmp(f->v[i].id, keyid) == 0)
			return 0;
	printf("unknown  %-16.16s  %-62s  %lld item%s  (not in the recipients "
	    "file)\n", keyid, "-", (long long)n, n == 1 ? "" : "s");
	return 0;
}

int
keys_list(struct admin *a, int argc, char **argv)
{
	struct rfile f = { .lockfd = -1 };
	struct store *s = NULL;
	const struct rline *l;
	int64_t n;
	size_t i, keys = 0;
	int rc = 1;

	if (getopt(argc, argv, "") != -1 || argc != optind)
		admin_usage();
	if (admin_load(a) != 0 ||
	    rfile_load(&f, a->cfg.recipients_file, 0) != 0 ||
	    admin_store_open(a, &s) != 0)
		goto out;
	for (i = 0; i < f.n; i++) {
		l = &f.v[i];
		if (l->kind != LINE_ACTIVE && l->kind != LINE_RETIRED)
			continue;
		keys++;
		n = s ? store_count_items_for_key(s, l->id) : 0;
		if (n < 0) {
			admin_fail("%s: cannot count the items", a->db);
			goto out;
		}
		printf("%-7s  %s  %s  %lld item%s", l->kind == LINE_ACTIVE ?
		    "active" : "retired", l->id, l->key, (long long)n,
		    n == 1 ? "" : "s");
		if (l->kind == LINE_RETIRED && l->date[0] != '\0')
			printf("  (retired %s)", l->date);
		putchar('\n');
	}
	if (keys == 0)
		printf("no keys in %s (keys add adds one)\n",
		    a->cfg.recipients_file);
	if (s != NULL && db_keyids(a->db, print_unlisted, &f) != 0)
		goto out;
	rc = 0;
out:
	store_close(s);
	rfile_free(&f);
	return rc;
}

/* keys retire */

static int
parse_keyid(const char *s, char id[AGE_KEYID_STRLEN + 1])
{
	size_t i;

	if (strlen(s) != AGE_KEYID_STRLEN)
		return -1;
	for (i = 0; i < AGE_KEYID_STRLEN; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return -1;
		id[i] = (char)tolower((unsigned char)s[i]);
	}
	id[i] = '\0';
	return 0;
}

static struct rline *
find_id(struct rfile *f, const char *id, enum line_kind kind)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].kind == kind && strcmp(f->v[i].id, id) == 0)
			return &f->v[i];
	return NULL;
}

int
keys_retire(struct admin *a, int argc, char **argv)
{
	struct rfile f = { .lockfd = -1 };
	struct store *s = NULL;
	struct rline *l;
	char id[AGE_KEYID_STRLEN + 1], key[AGE_RECIPIENT_STRLEN + 1];
	char date[DATE_LEN + 1];
	int64_t n = 0;
	size_t i;
	int rc = 1;

	if (getopt(argc, argv, "") != -1 || argc - optind != 1)
		admin_usage();
	if (parse_keyid(argv[optind], id) != 0) {
		admin_fail("\"%.40s\" is not a key id (16 hex digits, as keys "
		    "list shows them)", argv[optind]);
		return 1;
	}
	if (admin_load(a) != 0 ||
	    rfile_load(&f, a->cfg.recipients_file, 1) != 0)
		goto out;
	if ((l = find_id(&f, id, LINE_ACTIVE)) == NULL) {
		if ((l = find_id(&f, id, LINE_RETIRED)) != NULL)
			admin_fail("key %s is already retired%s%s", id,
			    l->date[0] ? " since " : "", l->date);
		else
			admin_fail("no key with id %s in %s (keys list shows "
			    "them)", id, a->cfg.recipients_file);
		goto out;
	}
	memcpy(key, l->key, sizeof(key));
	if (count_active(&f, key) == 0) {
		admin_fail("key %s is the last active key: every submission "
		    "needs one; add its successor first (keys add)", id);
		goto out;
	}
	if (admin_store_open(a, &s) != 0)
		goto out;
	if (s != NULL && (n = store_count_items_for_key(s, id)) < 0) {
		admin_fail("%s: cannot count the items", a->db);
		goto out;
	}
	today(date);
	for (i = 0; i < f.n; i++) {
		if (f.v[i].kind == LINE_RETIRED && strcmp(f.v[i].key, key) == 0)
			f.v[i].kind = LINE_GONE;
		else if (f.v[i].kind == LINE_ACTIVE &&
		    strcmp(f.v[i].key, key) == 0) {
			f.v[i].kind = LINE_RETIRED;
			memcpy(f.v[i].date, date, sizeof(date));
		}
	}
	if (rfile_write(&f) != 0)
		goto out;
	printf("retired key %s %s: the next submission is not encrypted to "
	    "it\n", id, key);
	printf("%lld stored item%s remain%s encrypted to it: still readable "
	    "with the old identity\n", (long long)n, n == 1 ? "" : "s",
	    n == 1 ? "s" : "");
	rc = 0;
out:
	store_close(s);
	rfile_free(&f);
	return rc;
}
