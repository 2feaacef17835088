/*
 * unpack.c — one submission of a verified bundle into one folder:
 *
 *   OUTDIR/YYYY-MM-DD-xxxxxxxx/     the hour it arrived (UTC), the first 8
 *     <file>…                       hex digits of the submission id
 *     <stem>.ORIGINAL-NOT-CLEANED.<ext>
 *                                   with the server's keep_original: the
 *                                   original of a cleaned file, as uploaded
 *     message.txt                   the source's message, byte for byte
 *     REPORT.txt                    what each file is, whether it was
 *                                   cleaned (what was removed, or why
 *                                   not), warnings, which keys opened it
 *
 * The manifest (docs/manifest.md) is decrypted into locked memory and
 * parsed strictly; its list of files must be exactly the bundle's file
 * items of that submission. The folder is built as a hidden temporary
 * folder inside OUTDIR (mode 0700) and renamed into place, without
 * replacing anything, only once every file is written and fsync'ed. On
 * any failure the temporary folder is removed: nothing half-written.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "postern/age.h"
#include "postern/bundle.h"
#include "postern-open.h"

#define MANIFEST_MAX (16 * 1024 * 1024) /* decrypted manifest, bytes */
#define MANIFEST_FORMAT "postern-manifest/1"
#define TMP_PREFIX ".postern-import-"
#define MESSAGE_NAME "message.txt"
#define REPORT_NAME "REPORT.txt"
#define KEYIDS_MAX 512 /* "k1, k2, …" shown for one item */
#define WHYLEN 512
#define PROBE_READ 4096
/* Marks the original of a cleaned file (keep_original) in its name. */
#define ORIGINAL_MARK ".ORIGINAL-NOT-CLEANED"
#define EXT_KEPT 16 /* bytes of an extension kept after the mark */
#define ORIGINAL_STEM_MAX (SAFENAME_MAX - sizeof(ORIGINAL_MARK) - EXT_KEPT - 24)

static volatile sig_atomic_t armed, caught;

void
unpack_arm(int on)
{
	armed = on;
}

int
unpack_interrupt(int sig)
{
	if (!armed)
		return 0;
	caught = sig;
	return 1;
}

int
unpack_interrupted(void)
{
	return caught;
}

/* One file of the submission, as the manifest describes it. The strings
 * point into the parsed manifest. */
struct file {
	const char *item, *name, *type, *claimed, *report;
	size_t namelen, typelen, claimedlen, reportlen;
	json_int_t size;   /* as uploaded */
	int cleaned;
	/* The stripper's outcome; status NULL in a manifest written before
	 * it had one (then only cleaned and report are shown). */
	const char *status, *reason;
	size_t reasonlen;
	json_t *removed, *warnings; /* arrays, checked */
	const struct bundle_item *bi;
	char *safe;        /* its name in the folder (malloc'd) */
	uint64_t saved;    /* bytes written */
	char keyids[KEYIDS_MAX];
	/* keep_original: the original as uploaded, its own item */
	const struct bundle_item *obi;
	char *osafe;
	uint64_t osaved;
	char okeyids[KEYIDS_MAX];
};

/* One submission on its way into its folder. */
struct sub {
	const struct unpack_ctx *ctx;
	const char *id;
	const struct bundle_item *manifest;
	size_t nfileitems;  /* file items of this submission in the bundle */
	json_t *root;
	const char *received, *message;
	size_t msglen;
	struct file *files;
	size_t nfiles, notcleaned, noriginals;
	char keyids[KEYIDS_MAX]; /* what opened the manifest */
	char name[UNPACK_NAME_MAX];
	char tmp[sizeof(TMP_PREFIX) + 16];
	int tmpfd;
	struct safename_set names;
	char why[WHYLEN];
};

/* jansson's memory is wiped when freed: the manifest holds the message
 * and file names. Each block carries its size in front. */
static void *
wipe_malloc(size_t n)
{
	size_t *p;

	if (n > SIZE_MAX - 16 || (p = malloc(n + 16)) == NULL)
		return NULL;
	p[0] = n;
	return (char *)p + 16;
}

static void
wipe_free(void *q)
{
	size_t *p;

	if (q == NULL)
		return;
	p = (size_t *)(void *)((char *)q - 16);
	sodium_memzero(q, p[0]);
	free(p);
}

/* Decrypting items */

static int
discard_sink(void *arg, const uint8_t *buf, size_t len)
{
	(void)arg;
	(void)buf;
	(void)len;
	return 0;
}

/* 1 if id opens the item's header, 0 if not, -1 (with e) if the file is
 * broken. Only the header is read. */
static int
probe(const char *path, struct age_identity *id, enum age_err *e)
{
	struct age_decryptor *d = NULL;
	uint8_t buf[PROBE_READ];
	ssize_t n;
	int fd, rc = -1;

	*e = AGE_ERR_SOURCE;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if ((*e = age_decrypt_new(&d, &id, 1, discard_sink, NULL)) != AGE_OK)
		goto out;
	while (!age_decrypt_header_ok(d)) {
		if ((n = read(fd, buf, sizeof(buf))) < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			*e = n < 0 ? AGE_ERR_SOURCE : age_decrypt_final(d);
			break;
		}
		if ((*e = age_decrypt_update(d, buf, (size_t)n)) != AGE_OK)
			break;
	}
	if (age_decrypt_header_ok(d))
		rc = 1;
	else if (*e == AGE_ERR_NO_MATCH)
		rc = 0;
out:
	age_decrypt_free(d);
	close(fd);
	return rc;
}

/*
 * Decrypt the item's file to sink, hashing the very bytes decrypted: the
 * bundle was verified before, but a removable medium can change what it
 * returns between two reads. 0, or -1 with s->why.
 */
static int
decrypt_checked(struct sub *s, const struct bundle_item *it, int fd,
    struct age_identity **ids, size_t nids, age_sink_fn sink, void *arg)
{
	crypto_hash_sha256_state st;
	struct age_decryptor *d = NULL;
	uint8_t *buf, sha[32];
	uint64_t size = 0;
	enum age_err e = AGE_ERR_NOMEM;
	ssize_t n;

	crypto_hash_sha256_init(&st);
	if ((buf = malloc(AGE_CHUNK_SIZE)) == NULL ||
	    (e = age_decrypt_new(&d, ids, nids, sink, arg)) != AGE_OK)
		goto out;
	for (;;) {
		if ((n = read(fd, buf, AGE_CHUNK_SIZE)) < 0 && errno == EINTR)
			continue;
		if (n < 0)
			e = AGE_ERR_SOURCE;
		if (n <= 0)
			break;
		crypto_hash_sha256_update(&st, buf, (size_t)n);
		size += (uint64_t)n;
		if ((e = age_decrypt_update(d, buf, (size_t)n)) != AGE_OK)
			break;
	}
	if (n == 0)
		e = age_decrypt_final(d);
out:
	crypto_hash_sha256_final(&st, sha);
	age_decrypt_free(d);
	free(buf);
	if (e != AGE_OK)
		snprintf(s->why, WHYLEN, "item %s: %s", it->id, caught ?
		    "interrupted" : e == AGE_ERR_SINK || e == AGE_ERR_SOURCE ?
		    strerror(errno) : age_strerror(e));
	else if (size != it->size || sodium_memcmp(sha, it->sha256,
	    sizeof(sha)) != 0)
		snprintf(s->why, WHYLEN, "item %s changed after the bundle was "
		    "verified (the medium is failing, or was tampered with)",
		    it->id);
	else
		return 0;
	return -1;
}

/*
 * Decrypt an item to sink with the identities that open it, and list
 * their key ids in keyids. -1 with s->why on failure.
 */
static int
open_item(struct sub *s, const struct bundle_item *it, age_sink_fn sink,
    void *arg, char *keyids)
{
	const struct unpack_ctx *c = s->ctx;
	struct age_identity **use;
	char path[PATH_MAX];
	enum age_err e = AGE_ERR_NO_MATCH;
	size_t i, n = 0;
	int fd, r, rc = -1;

	keyids[0] = '\0';
	if (bundle_item_path(c->b, it, path, sizeof(path)) != 0) {
		snprintf(s->why, WHYLEN, "item %s: path too long", it->id);
		return -1;
	}
	if ((use = calloc(c->nids, sizeof(*use))) == NULL) {
		snprintf(s->why, WHYLEN, "item %s: out of memory", it->id);
		return -1;
	}
	for (i = 0; i < c->nids; i++) {
		if ((r = probe(path, c->ids[i], &e)) < 0)
			break;
		if (r == 0)
			continue;
		use[n++] = c->ids[i];
		snprintf(keyids + strlen(keyids), KEYIDS_MAX - strlen(keyids),
		    "%s%s", n > 1 ? ", " : "", c->keyids[i]);
	}
	if (i == c->nids && n == 0)
		snprintf(s->why, WHYLEN, "item %s is not encrypted to any of "
		    "your keys", it->id);
	else if (i < c->nids)
		snprintf(s->why, WHYLEN, "item %s: %s", it->id, age_strerror(e));
	else if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		snprintf(s->why, WHYLEN, "item %s: %s", it->id, strerror(errno));
	else {
		rc = decrypt_checked(s, it, fd, use, n, sink, arg);
		close(fd);
	}
	free(use);
	return rc;
}

/* The manifest */

struct lbuf {
	uint8_t *p;
	size_t len, cap;
};

/* Collect plaintext in locked memory, growing up to MANIFEST_MAX. */
static int
lbuf_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct lbuf *b = arg;
	uint8_t *p;
	size_t cap;

	if (caught || len > MANIFEST_MAX - b->len) {
		errno = caught ? EINTR : EFBIG;
		return -1;
	}
	if (b->len + len > b->cap) {
		for (cap = b->cap ? b->cap : 65536; cap < b->len + len;)
			cap *= 2;
		if (cap > MANIFEST_MAX)
			cap = MANIFEST_MAX;
		if ((p = sodium_malloc(cap)) == NULL)
			return -1;
		if (b->p != NULL) {
			memcpy(p, b->p, b->len);
			sodium_free(b->p);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, buf, len);
	b->len += len;
	return 0;
}

static int
is_hex_id(const char *s)
{
	return strlen(s) == BUNDLE_ID_LEN &&
	    strspn(s, "0123456789abcdef") == BUNDLE_ID_LEN;
}

/* "YYYY-MM-DDTHH:00:00Z", a plausible date. */
static int
valid_hour(const char *s)
{
	static const char digits[] = { 0, 1, 2, 3, 5, 6, 8, 9, 11, 12 };
	int mon, day, hour;
	size_t i;

	if (strlen(s) != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    strcmp(s + 13, ":00:00Z") != 0)
		return 0;
	for (i = 0; i < sizeof(digits); i++)
		if (s[(int)digits[i]] < '0' || s[(int)digits[i]] > '9')
			return 0;
	mon = (s[5] - '0') * 10 + s[6] - '0';
	day = (s[8] - '0') * 10 + s[9] - '0';
	hour = (s[11] - '0') * 10 + s[12] - '0';
	return mon >= 1 && mon <= 12 && day >= 1 && day <= 31 && hour <= 23;
}

/* A string member: its value and length, or NULL. */
static const char *
str_member(json_t *o, const char *key, size_t *len)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

/* The bundle's item id, if it is a file of this submission; else NULL
 * with s->why. */
static const struct bundle_item *
file_item(struct sub *s, const char *id)
{
	const struct bundle *b = s->ctx->b;
	size_t i;

	for (i = 0; i < b->nitems; i++)
		if (strcmp(b->items[i].id, id) == 0)
			break;
	if (i == b->nitems || b->items[i].kind != BUNDLE_FILE ||
	    strcmp(b->items[i].submission, s->id) != 0) {
		snprintf(s->why, WHYLEN, "the manifest lists item %s, which is "
		    "not a file of this submission in the bundle", id);
		return NULL;
	}
	return &b->items[i];
}

/* "removed": [{"field": string, "count": integer >= 1}, ...] */
static int
valid_removed(json_t *a)
{
	json_t *e, *c;
	size_t i;

	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, e) {
		c = json_object_get(e, "count");
		if (!json_is_object(e) ||
		    !json_is_string(json_object_get(e, "field")) ||
		    !json_is_integer(c) || json_integer_value(c) < 1)
			return 0;
	}
	return 1;
}

static int
valid_strings(json_t *a)
{
	json_t *e;
	size_t i;

	if (!json_is_array(a))
		return 0;
	json_array_foreach(a, i, e)
		if (!json_is_string(e))
			return 0;
	return 1;
}

/* The stripper's fields: status, removed, warnings, reason and, with
 * keep_original, original_item. Absent status: an older manifest. */
static int
parse_strip(struct sub *s, json_t *o, struct file *f)
{
	json_t *orig = json_object_get(o, "original_item");

	if (json_object_get(o, "status") == NULL)
		return orig == NULL ? 0 : -1;
	f->status = str_member(o, "status", NULL);
	f->removed = json_object_get(o, "removed");
	f->warnings = json_object_get(o, "warnings");
	if (f->status == NULL || (strcmp(f->status, "cleaned") != 0 &&
	    strcmp(f->status, "not supported") != 0 &&
	    strcmp(f->status, "not cleaned") != 0) ||
	    (strcmp(f->status, "cleaned") == 0) != f->cleaned ||
	    !valid_removed(f->removed) || !valid_strings(f->warnings))
		return -1;
	f->reason = str_member(o, "reason", &f->reasonlen);
	if (!f->cleaned && f->reason == NULL)
		return -1;
	if (orig == NULL)
		return 0;
	if (!json_is_string(orig) || !is_hex_id(json_string_value(orig)))
		return -1;
	if ((f->obi = file_item(s, json_string_value(orig))) == NULL)
		return -2;
	s->noriginals++;
	return 0;
}

/* One entry of "files", checked against the bundle. */
static int
parse_file(struct sub *s, json_t *o, struct file *f)
{
	json_t *size = json_object_get(o, "size"), *cl, *cleaned;
	int r;

	cl = json_object_get(o, "claimed_type");
	cleaned = json_object_get(o, "cleaned");
	if (!json_is_object(o) ||
	    (f->item = str_member(o, "item", NULL)) == NULL ||
	    (f->name = str_member(o, "name", &f->namelen)) == NULL ||
	    (f->type = str_member(o, "type", &f->typelen)) == NULL ||
	    (f->report = str_member(o, "report", &f->reportlen)) == NULL ||
	    !json_is_integer(size) || json_integer_value(size) < 0 ||
	    !(json_is_null(cl) || json_is_string(cl)) ||
	    !json_is_boolean(cleaned) || !is_hex_id(f->item)) {
		snprintf(s->why, WHYLEN, "the manifest has a malformed file "
		    "entry");
		return -1;
	}
	f->size = json_integer_value(size);
	f->cleaned = json_is_true(cleaned);
	f->claimed = json_is_string(cl) ? json_string_value(cl) : NULL;
	f->claimedlen = json_is_string(cl) ? json_string_length(cl) : 0;
	if ((f->bi = file_item(s, f->item)) == NULL)
		return -1;
	if ((r = parse_strip(s, o, f)) == -1)
		snprintf(s->why, WHYLEN, "the manifest has a malformed file "
		    "entry (its cleaning outcome)");
	return r == 0 ? 0 : -1;
}

/* No bundle item is named twice, as a file or as an original. */
static int
named_twice(struct sub *s, size_t i)
{
	const struct file *f = &s->files[i], *g;
	size_t j;

	if (f->obi != NULL && f->obi == f->bi)
		goto twice;
	for (j = 0; j < i; j++) {
		g = &s->files[j];
		if (g->bi == f->bi || g->obi == f->bi || (f->obi != NULL &&
		    (g->bi == f->obi || g->obi == f->obi)))
			goto twice;
	}
	return 0;
twice:
	snprintf(s->why, WHYLEN, "the manifest lists item %s twice", f->item);
	return 1;
}

/* The manifest's fields; its files are exactly the bundle's. */
static int
parse_fields(struct sub *s)
{
	const char *fmt, *sid;
	json_t *files;
	size_t i;

	files = json_object_get(s->root, "files");
	if ((fmt = str_member(s->root, "format", NULL)) == NULL ||
	    strcmp(fmt, MANIFEST_FORMAT) != 0) {
		snprintf(s->why, WHYLEN, "not a %s manifest", MANIFEST_FORMAT);
		return -1;
	}
	if ((sid = str_member(s->root, "submission", NULL)) == NULL ||
	    strcmp(sid, s->id) != 0) {
		snprintf(s->why, WHYLEN, "the manifest names another "
		    "submission than the bundle index");
		return -1;
	}
	if ((s->received = str_member(s->root, "received_hour", NULL)) ==
	    NULL || !valid_hour(s->received) ||
	    (s->message = str_member(s->root, "message", &s->msglen)) == NULL ||
	    !json_is_array(files)) {
		snprintf(s->why, WHYLEN, "the manifest is malformed "
		    "(received_hour, message or files)");
		return -1;
	}
	s->nfiles = json_array_size(files);
	if (s->nfiles > s->nfileitems) {
		snprintf(s->why, WHYLEN, "the manifest lists %zu files, the "
		    "bundle holds %zu for this submission", s->nfiles,
		    s->nfileitems);
		return -1;
	}
	if (s->nfiles > 0 && (s->files = calloc(s->nfiles,
	    sizeof(*s->files))) == NULL) {
		snprintf(s->why, WHYLEN, "out of memory");
		return -1;
	}
	for (i = 0; i < s->nfiles; i++) {
		if (parse_file(s, json_array_get(files, i), &s->files[i]) != 0 ||
		    named_twice(s, i))
			return -1;
		s->notcleaned += !s->files[i].cleaned;
	}
	if (s->nfiles + s->noriginals != s->nfileitems) {
		snprintf(s->why, WHYLEN, "the manifest lists %zu files%s, the "
		    "bundle holds %zu for this submission", s->nfiles +
		    s->noriginals, s->noriginals ? " with their originals" : "",
		    s->nfileitems);
		return -1;
	}
	return 0;
}

static int
read_manifest(struct sub *s)
{
	struct lbuf b = { NULL, 0, 0 };
	json_error_t je;
	int rc = -1;

	if (open_item(s, s->manifest, lbuf_sink, &b, s->keyids) != 0)
		goto out;
	json_set_alloc_funcs(wipe_malloc, wipe_free);
	s->root = json_loadb((const char *)b.p, b.len, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, &je);
	if (s->root == NULL) {
		/* je.text may quote the source's text: leave it out. */
		snprintf(s->why, WHYLEN, "the manifest is not valid JSON (line "
		    "%d, column %d)", je.line, je.column);
		goto out;
	}
	if (!json_is_object(s->root)) {
		snprintf(s->why, WHYLEN, "the manifest is not a JSON object");
		goto out;
	}
	rc = parse_fields(s);
out:
	if (b.p != NULL)
		sodium_free(b.p);
	return rc;
}

/* The folder */

/* Remove a temporary folder and the regular files in it. */
static void
remove_tmp(int outfd, const char *name)
{
	struct dirent *de;
	DIR *d;
	int fd;

	fd = openat(outfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd >= 0 && (d = fdopendir(fd)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	} else if (fd >= 0)
		close(fd);
	unlinkat(outfd, name, AT_REMOVEDIR);
}

void
unpack_remove_leftovers(int outfd)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if ((fd = dup(outfd)) < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
			remove_tmp(outfd, de->d_name);
	closedir(d);
}

static int
make_tmp(struct sub *s)
{
	uint8_t rnd[8];
	char hex[17];
	int i;

	for (i = 0; i < 100; i++) {
		randombytes_buf(rnd, sizeof(rnd));
		sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
		snprintf(s->tmp, sizeof(s->tmp), "%s%s", TMP_PREFIX, hex);
		if (mkdirat(s->ctx->outfd, s->tmp, 0700) == 0)
			break;
		if (errno != EEXIST)
			goto fail;
	}
	s->tmpfd = openat(s->ctx->outfd, s->tmp, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (i < 100 && s->tmpfd >= 0)
		return 0;
fail:
	snprintf(s->why, WHYLEN, "%s: cannot make a temporary folder: %s",
	    s->ctx->outdir, strerror(errno));
	s->tmp[0] = '\0';
	return -1;
}

struct fsink {
	int fd;
	uint64_t n;
};

static int
file_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct fsink *f = arg;

	if (caught) {
		errno = EINTR;
		return -1;
	}
	if (age_sink_fd(&f->fd, buf, len) != 0)
		return -1;
	f->n += len;
	return 0;
}

/* Create name in the temporary folder, new, 0600. */
static int
create(struct sub *s, const char *name)
{
	int fd = openat(s->tmpfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		snprintf(s->why, WHYLEN, "%s: %s", name, strerror(errno));
	return fd;
}

static int
write_item(struct sub *s, const struct bundle_item *bi, const char *name,
    uint64_t *saved, char *keyids)
{
	struct fsink sk = { -1, 0 };
	int rc = -1;

	if ((sk.fd = create(s, name)) < 0)
		return -1;
	if (open_item(s, bi, file_sink, &sk, keyids) == 0) {
		if (fsync(sk.fd) == 0)
			rc = 0;
		else
			snprintf(s->why, WHYLEN, "%s: %s", name,
			    strerror(errno));
	}
	*saved = sk.n;
	close(sk.fd);
	return rc;
}

static int
write_file(struct sub *s, struct file *f)
{
	if (write_item(s, f->bi, f->safe, &f->saved, f->keyids) != 0)
		return -1;
	if (f->obi == NULL)
		return 0;
	return write_item(s, f->obi, f->osafe, &f->osaved, f->okeyids);
}

static int
write_message(struct sub *s)
{
	int fd, rc = -1;

	if ((fd = create(s, MESSAGE_NAME)) < 0)
		return -1;
	if (age_sink_fd(&fd, (const uint8_t *)s->message, s->msglen) == 0 &&
	    fsync(fd) == 0)
		rc = 0;
	else
		snprintf(s->why, WHYLEN, "%s: %s", MESSAGE_NAME,
		    strerror(errno));
	close(fd);
	return rc;
}

/* An untrusted string, escaped, to f. */
static void
put_escaped(FILE *f, const char *s, size_t len, int quote)
{
	char *e = safename_escape(s, len, quote);

	fputs(e != NULL ? e : "(out of memory)", f);
	free(e);
}

/* "Result:" (what was removed, or why it was not cleaned) and
 * "Warnings:", from the manifest's structured outcome. */
static void
report_outcome(FILE *f, const struct file *x)
{
	json_t *e, *field;
	size_t i;

	if (!x->cleaned) {
		fputs("  Result:         NOT CLEANED: ", f);
		put_escaped(f, x->reason, x->reasonlen, 0);
		fputs(" (stored as uploaded)\n", f);
	} else if (json_array_size(x->removed) == 0)
		fputs("  Result:         cleaned: nothing to remove\n", f);
	else {
		fputs("  Result:         cleaned: removed ", f);
		json_array_foreach(x->removed, i, e) {
			field = json_object_get(e, "field");
			fputs(i ? ", " : "", f);
			put_escaped(f, json_string_value(field),
			    json_string_length(field), 0);
			if (json_integer_value(json_object_get(e, "count")) > 1)
				fprintf(f, " (%jd)", (intmax_t)json_integer_value(
				    json_object_get(e, "count")));
		}
		fputc('\n', f);
	}
	if (json_array_size(x->warnings) == 0)
		fputs("  Warnings:       none\n", f);
	json_array_foreach(x->warnings, i, e) {
		fputs(i ? "                  " : "  Warnings:       ", f);
		put_escaped(f, json_string_value(e), json_string_length(e), 0);
		fputc('\n', f);
	}
}

static void
report_file(FILE *f, const struct sub *s, size_t i)
{
	const struct file *x = &s->files[i];

	fprintf(f, "\nFile %zu of %zu: %s\n", i + 1, s->nfiles, x->safe);
	fprintf(f, "  Saved as:       %s\n  Original name:  ", x->safe);
	put_escaped(f, x->name, x->namelen, 1);
	fputs("\n  Detected type:  ", f);
	put_escaped(f, x->type, x->typelen, 0);
	fputs(" (from its bytes, on the server)\n  Claimed type:   ", f);
	if (x->claimed != NULL)
		put_escaped(f, x->claimed, x->claimedlen, 0);
	else
		fputs("(none sent)", f);
	fprintf(f, " (what the source's browser said)\n"
	    "  Size:           %" PRIu64 " bytes saved; %jd bytes as "
	    "uploaded\n", x->saved, (intmax_t)x->size);
	fprintf(f, "  Cleaned:        %s\n", x->cleaned ? "yes" :
	    "NO -- WARNING: its metadata was NOT removed");
	if (x->status == NULL) {
		fputs("  Report:         ", f);
		put_escaped(f, x->report, x->reportlen, 0);
		fputc('\n', f);
	} else
		report_outcome(f, x);
	if (x->obi != NULL)
		fprintf(f, "  Original:       %s -- the file as uploaded, NOT "
		    "CLEANED: it still\n                  holds its metadata "
		    "(%" PRIu64 " bytes; opened with %s %s)\n", x->osafe,
		    x->osaved, strchr(x->okeyids, ',') ? "key ids" : "key id",
		    x->okeyids);
	fprintf(f, "  Opened with:    %s %s\n", strchr(x->keyids, ',') ?
	    "key ids" : "key id", x->keyids);
}

static void
report_text(FILE *f, const struct sub *s)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;
	size_t i;

	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(f, "Postern submission report\n=========================\n\n"
	    "Submission:     %s\nReceived:       %s (the hour it arrived, "
	    "UTC)\nBundle:         %s\nImported:       %s\n"
	    "Manifest:       opened with %s %s\n"
	    "Message:        %s (%zu bytes)\nFiles:          %zu\n",
	    s->id, s->received, s->ctx->b->id, now, strchr(s->keyids, ',') ?
	    "key ids" : "key id", s->keyids, MESSAGE_NAME,
	    s->msglen, s->nfiles);
	if (s->notcleaned > 0)
		fprintf(f, "\nWARNING: %zu of %zu files %s NOT CLEANED (marked "
		    "below). Such a file\nstill holds its metadata (author "
		    "names, GPS positions, device serial\nnumbers, software, "
		    "edit history) as the source's device wrote it, and\nmay "
		    "identify the source. Handle it accordingly; never publish "
		    "or\nforward it as it is.\n", s->notcleaned, s->nfiles,
		    s->notcleaned == 1 ? "was" : "were");
	if (s->noriginals > 0)
		fprintf(f, "\nNOTE: the server keeps originals (keep_original). "
		    "Besides the cleaned\nfile, %zu %s saved as uploaded, "
		    "NOT CLEANED, under a name marked\n%s (\"Original:\" "
		    "below). Such a file still holds its\nmetadata and may "
		    "identify the source: it is evidence, never for\n"
		    "publication. The file under the plain name is the cleaned "
		    "one.\n", s->noriginals, s->noriginals == 1 ? "original is" :
		    "originals are", ORIGINAL_MARK + 1);
	for (i = 0; i < s->nfiles; i++)
		report_file(f, s, i);
	fputs("\nFile names are the source's, made safe: control and "
	    "bidirectional\ncharacters replaced with '_', any folder part "
	    "removed, duplicates\nnumbered. Original names above show such "
	    "characters as \\uXXXX.\n", f);
}

static int
write_report(struct sub *s)
{
	FILE *f;
	int fd, rc = -1;

	if ((fd = create(s, REPORT_NAME)) < 0)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		snprintf(s->why, WHYLEN, "%s: %s", REPORT_NAME, strerror(errno));
		close(fd);
		return -1;
	}
	report_text(f, s);
	if (fflush(f) == 0 && !ferror(f) && fsync(fd) == 0)
		rc = 0;
	else
		snprintf(s->why, WHYLEN, "%s: %s", REPORT_NAME, strerror(errno));
	if (fclose(f) != 0 && rc == 0) {
		snprintf(s->why, WHYLEN, "%s: %s", REPORT_NAME, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Whether OUTDIR/name already holds this submission: its REPORT.txt names
 * it. 1 yes, 0 something else is there, -1 nothing is. */
static int
already_there(const struct sub *s)
{
	char path[UNPACK_NAME_MAX + sizeof(REPORT_NAME) + 1], buf[1024];
	const char *p;
	struct stat sb;
	ssize_t n;
	int fd;

	if (fstatat(s->ctx->outfd, s->name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT ? -1 : 0;
	snprintf(path, sizeof(path), "%s/%s", s->name, REPORT_NAME);
	if (!S_ISDIR(sb.st_mode) || (fd = openat(s->ctx->outfd, path,
	    O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	if ((p = strstr(buf, "\nSubmission:")) == NULL)
		return 0;
	p += strlen("\nSubmission:");
	p += strspn(p, " ");
	return strncmp(p, s->id, BUNDLE_ID_LEN) == 0 &&
	    p[BUNDLE_ID_LEN] == '\n';
}

/*
 * The name of a cleaned file's original: its safe name with the mark
 * before a short extension, "photo.jpg" -> "photo.ORIGINAL-NOT-CLEANED.jpg".
 * The stem is cut first, so neither the mark nor a " (2)" safename_make
 * may add is ever cut off.
 */
static char *
original_name(struct safename_set *set, const char *safe)
{
	char buf[SAFENAME_MAX + 1];
	const char *dot = strrchr(safe, '.');
	size_t n = strlen(safe), ext = 0, stem;

	if (dot != NULL && dot != safe && (size_t)(safe + n - dot) <= EXT_KEPT)
		ext = (size_t)(safe + n - dot);
	stem = n - ext;
	if (stem > ORIGINAL_STEM_MAX) {
		stem = ORIGINAL_STEM_MAX;
		while (stem > 0 && ((unsigned char)safe[stem] & 0xc0) == 0x80)
			stem--;
	}
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)stem, safe, ORIGINAL_MARK,
	    safe + n - ext);
	return safename_make(set, buf, strlen(buf));
}

/* Safe names for every file; message.txt and REPORT.txt are ours. */
static int
name_files(struct sub *s)
{
	size_t i;

	if (safename_reserve(&s->names, MESSAGE_NAME) != 0 ||
	    safename_reserve(&s->names, REPORT_NAME) != 0)
		goto nomem;
	for (i = 0; i < s->nfiles; i++)
		if ((s->files[i].safe = safename_make(&s->names,
		    s->files[i].name, s->files[i].namelen)) == NULL)
			goto nomem;
	for (i = 0; i < s->nfiles; i++)
		if (s->files[i].obi != NULL && (s->files[i].osafe =
		    original_name(&s->names, s->files[i].safe)) == NULL)
			goto nomem;
	return 0;
nomem:
	snprintf(s->why, WHYLEN, "out of memory");
	return -1;
}

/* Rename, never replacing what is at to (a rename(2) of a folder would
 * replace an empty one). File systems without RENAME_NOREPLACE get a
 * check first, which a race could defeat only by an empty folder. */
static int
rename_new(int dirfd, const char *from, const char *to)
{
	struct stat sb;

	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (fstatat(dirfd, to, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(dirfd, from, dirfd, to);
}

/* Write everything into the temporary folder, then rename it into place
 * without replacing anything. */
static int
build(struct sub *s)
{
	const struct unpack_ctx *c = s->ctx;
	size_t i;

	if (name_files(s) != 0 || make_tmp(s) != 0)
		return -1;
	for (i = 0; i < s->nfiles; i++)
		if (write_file(s, &s->files[i]) != 0)
			return -1;
	if (write_message(s) != 0 || write_report(s) != 0)
		return -1;
	if (fsync(s->tmpfd) != 0 || rename_new(c->outfd, s->tmp, s->name) != 0) {
		snprintf(s->why, WHYLEN, "%s/%s: %s", c->outdir, s->name,
		    strerror(errno));
		return -1;
	}
	s->tmp[0] = '\0';
	if (fsync(c->outfd) != 0) {
		snprintf(s->why, WHYLEN, "%s: %s", c->outdir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Find the manifest and count the file items. */
static int
collect(struct sub *s, const size_t *idx, size_t n)
{
	size_t i, nman = 0;

	for (i = 0; i < n; i++) {
		if (s->ctx->b->items[idx[i]].kind == BUNDLE_MANIFEST) {
			s->manifest = &s->ctx->b->items[idx[i]];
			nman++;
		} else
			s->nfileitems++;
	}
	if (nman != 1) {
		snprintf(s->why, WHYLEN, "the bundle holds %zu manifests for it, "
		    "not one", nman);
		return -1;
	}
	return 0;
}

static void
sub_free(struct sub *s)
{
	size_t i;

	if (s->tmpfd >= 0)
		close(s->tmpfd);
	if (s->tmp[0] != '\0')
		remove_tmp(s->ctx->outfd, s->tmp);
	for (i = 0; i < s->nfiles && s->files != NULL; i++) {
		free(s->files[i].safe);
		free(s->files[i].osafe);
	}
	free(s->files);
	safename_clear(&s->names);
	json_decref(s->root);
}

enum unpack_result
unpack_submission(const struct unpack_ctx *c, const char *submission,
    const size_t *idx, size_t n, char *name)
{
	struct sub s;
	enum unpack_result rc = UNPACK_FAILED;
	int there;

	memset(&s, 0, sizeof(s));
	s.ctx = c;
	s.id = submission;
	s.tmpfd = -1;
	if (collect(&s, idx, n) != 0 || read_manifest(&s) != 0)
		goto out;
	snprintf(s.name, sizeof(s.name), "%.10s-%.8s", s.received, s.id);
	snprintf(name, UNPACK_NAME_MAX, "%s", s.name);
	if ((there = already_there(&s)) == 1) {
		rc = UNPACK_ALREADY;
		goto out;
	}
	if (there == 0) {
		snprintf(s.why, WHYLEN, "%s/%s already exists and is not this "
		    "submission's folder: move it away and import again",
		    c->outdir, s.name);
		goto out;
	}
	if (build(&s) == 0)
		rc = UNPACK_DONE;
out:
	if (rc == UNPACK_FAILED)
		open_fail("submission %s: %s", submission, s.why);
	sub_free(&s);
	return rc;
}
