/*
 * bundle.c — signed bundles and import receipts. See bundle.h and
 * docs/bundle.md.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/b64.h"
#include "postern/age.h"
#include "postern/bundle.h"

#define COPY_BUF (256 * 1024)
#define RECEIPT_MAX (8 * 1024 * 1024)

static const char *const kinds[] = { "file", "manifest" };

/* Helpers */

static int
is_hex_id(const char *s, size_t len)
{
	size_t i;

	if (len != BUNDLE_ID_LEN)
		return 0;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

static int
fsync_path(const char *path, int dir)
{
	int fd, rc;

	fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
write_file(const char *path, const void *buf, size_t len)
{
	int fd, rc;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return -1;
	rc = age_sink_fd(&fd, buf, len) == 0 && fsync(fd) == 0 ? 0 : -1;
	close(fd);
	if (rc != 0)
		unlink(path);
	return rc;
}

/* Read a whole small file (at most max bytes) into a malloc'd buffer. */
static char *
read_small(const char *path, size_t max, size_t *len)
{
	struct stat sb;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return NULL;
	if (fstat(fd, &sb) != 0) {
		close(fd);
		return NULL;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > max ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		errno = S_ISREG(sb.st_mode) ? EFBIG : EINVAL;
		close(fd);
		return NULL;
	}
	while (got < (size_t)sb.st_size) {
		if ((n = read(fd, buf + got, (size_t)sb.st_size - got)) < 0 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (got != (size_t)sb.st_size) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[got] = '\0';
	*len = got;
	return buf;
}

/* Writing */

struct bundle_writer {
	char parent[PATH_MAX];
	char name[64];
	char part[PATH_MAX];
	char server[SIGKEY_PUBLIC_STRLEN + 1];
	char id[BUNDLE_ID_LEN + 1];
	struct bundle_item *items;
	size_t n, cap;
};

struct bundle_writer *
bundle_create(const char *parent, const uint8_t server_pk[SIGKEY_PUBLIC_BYTES],
    char *err, size_t errlen)
{
	struct bundle_writer *w;
	char items[PATH_MAX + 8];
	uint8_t rnd[BUNDLE_ID_LEN / 2];
	time_t now = time(NULL);
	struct tm tm;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(w->id, sizeof(w->id), rnd, sizeof(rnd));
	sigkey_format_public(server_pk, w->server, sizeof(w->server));
	gmtime_r(&now, &tm);
	snprintf(w->name, sizeof(w->name), "postern-%04d%02d%02d-%.8s",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, w->id);
	if (snprintf(w->parent, sizeof(w->parent), "%s", parent) >=
	    (int)sizeof(w->parent) || snprintf(w->part, sizeof(w->part),
	    "%s/%s.part", parent, w->name) >= (int)sizeof(w->part)) {
		snprintf(err, errlen, "%s: path too long", parent);
		free(w);
		return NULL;
	}
	snprintf(items, sizeof(items), "%s/items", w->part);
	if (mkdir(w->part, 0700) != 0 || mkdir(items, 0700) != 0) {
		snprintf(err, errlen, "%s: %s", w->part, strerror(errno));
		rmdir(w->part);
		free(w);
		return NULL;
	}
	return w;
}

const char *
bundle_writer_id(const struct bundle_writer *w)
{
	return w->id;
}

/* Copy src to dst (new, 0600), hashing; fsync dst. */
static int
copy_hash(const char *src, const char *dst, uint8_t sha[32], uint64_t *size)
{
	crypto_hash_sha256_state st;
	uint8_t *buf;
	ssize_t n;
	int in, out = -1, rc = -1;

	*size = 0;
	if ((buf = malloc(COPY_BUF)) == NULL)
		return -1;
	if ((in = open(src, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		goto out;
	out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (out < 0)
		goto out;
	crypto_hash_sha256_init(&st);
	for (;;) {
		if ((n = read(in, buf, COPY_BUF)) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&st, buf, (size_t)n);
		if (age_sink_fd(&out, buf, (size_t)n) != 0)
			goto out;
		*size += (uint64_t)n;
	}
	crypto_hash_sha256_final(&st, sha);
	if (fsync(out) == 0)
		rc = 0;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(buf);
	return rc;
}

int
bundle_add(struct bundle_writer *w, const char *path,
    const struct bundle_item *item, char *err, size_t errlen)
{
	char dst[PATH_MAX + 64];
	struct bundle_item *v, it = *item;

	if (!is_hex_id(it.id, strlen(it.id)) ||
	    !is_hex_id(it.submission, strlen(it.submission)) ||
	    w->n == BUNDLE_ITEMS_MAX) {
		snprintf(err, errlen, "bundle: bad item or too many items");
		return -1;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		if ((v = reallocarray(w->items, cap, sizeof(*v))) == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		w->items = v;
		w->cap = cap;
	}
	snprintf(dst, sizeof(dst), "%s/items/%s.age", w->part, it.id);
	if (copy_hash(path, dst, it.sha256, &it.size) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(dst);
		return -1;
	}
	w->items[w->n++] = it;
	return 0;
}

/* The index text (malloc'd). */
static char *
index_text(const struct bundle_writer *w, size_t *len)
{
	size_t cap = 256 + w->n * 192, used;
	char *t, hex[65];
	size_t i;
	int n;

	if ((t = malloc(cap)) == NULL)
		return NULL;
	n = snprintf(t, cap, "%s\nbundle %s\nserver %s\ncreated %" PRId64 "\n",
	    BUNDLE_FORMAT, w->id, w->server, (int64_t)time(NULL) / 3600 * 3600);
	used = (size_t)n;
	for (i = 0; i < w->n; i++) {
		const struct bundle_item *it = &w->items[i];
		sodium_bin2hex(hex, sizeof(hex), it->sha256, 32);
		n = snprintf(t + used, cap - used, "item %s %s %s %" PRId64
		    " %" PRIu64 " %s\n", it->id, it->submission, kinds[it->kind],
		    it->hour, it->size, hex);
		used += (size_t)n;
	}
	n = snprintf(t + used, cap - used, "count %zu\n", w->n);
	used += (size_t)n;
	*len = used;
	return t;
}

int
bundle_finish(struct bundle_writer *w, const struct sigkey *key, char *out,
    size_t outlen, char *err, size_t errlen)
{
	char path[PATH_MAX + 16], final[PATH_MAX];
	char sigline[sizeof(BUNDLE_SIG_FORMAT) + 100];
	uint8_t sig[SIGKEY_SIG_BYTES];
	char *index;
	size_t len;
	int rc = -1;

	if ((index = index_text(w, &len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		bundle_abort(w);
		return -1;
	}
	sigkey_sign(key, BUNDLE_SIG_CONTEXT, (const uint8_t *)index, len, sig);
	snprintf(sigline, sizeof(sigline), "%s ", BUNDLE_SIG_FORMAT);
	sodium_bin2base64(sigline + strlen(sigline), sizeof(sigline) -
	    strlen(sigline), sig, sizeof(sig), sodium_base64_VARIANT_ORIGINAL);
	strcat(sigline, "\n");
	snprintf(path, sizeof(path), "%s/index", w->part);
	if (write_file(path, index, len) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/index.sig", w->part);
	if (write_file(path, sigline, strlen(sigline)) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s/items", w->part);
	if (fsync_path(path, 1) != 0 || fsync_path(w->part, 1) != 0)
		goto fail;
	/* Fits: bundle_create checked the longer "<name>.part". */
	snprintf(final, sizeof(final), "%.*s", (int)(strlen(w->part) - 5),
	    w->part);
	if (rename(w->part, final) != 0)
		goto fail;
	/* In place now: a failure from here on removes it from there. */
	memcpy(w->part, final, sizeof(final));
	snprintf(path, sizeof(path), "%.*s", PATH_MAX - 1, w->parent);
	if (fsync_path(w->parent, 1) != 0)
		goto fail;
	snprintf(out, outlen, "%s", final);
	rc = 0;
	free(index);
	free(w->items);
	free(w);
	return rc;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	free(index);
	bundle_abort(w);
	return -1;
}

void
bundle_abort(struct bundle_writer *w)
{
	char path[PATH_MAX + 64];
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		snprintf(path, sizeof(path), "%s/items/%s.age", w->part,
		    w->items[i].id);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/index", w->part);
	unlink(path);
	snprintf(path, sizeof(path), "%s/index.sig", w->part);
	unlink(path);
	snprintf(path, sizeof(path), "%s/items", w->part);
	rmdir(path);
	rmdir(w->part);
	free(w->items);
	free(w);
}

/* Reading */

/* Parse one "item" line's fields (after "item "). */
/* A <unix-hour>: 1 to 19 digits, within int64, a multiple of 3600. */
static int
parse_hour(const char *s, int64_t *out)
{
	size_t n = strlen(s);
	char *end;
	long long v;

	if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v % 3600 != 0)
		return -1;
	*out = v;
	return 0;
}

/* A <size>: 1 to 20 digits, within uint64. */
static int
parse_size(const char *s, uint64_t *out)
{
	size_t n = strlen(s);
	char *end;
	unsigned long long v;

	if (n == 0 || n > 20 || strspn(s, "0123456789") != n)
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
cmp_sub(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* docs/bundle.md: items are grouped by submission, each group starts with
 * its one manifest, and no submission appears in two groups. */
static int
check_groups(const struct bundle *b)
{
	const char **starts;
	size_t i, n = 0;
	int rc = -1;

	if (b->nitems == 0)
		return 0;
	if ((starts = calloc(b->nitems, sizeof(*starts))) == NULL)
		return -1;
	for (i = 0; i < b->nitems; i++) {
		const struct bundle_item *it = &b->items[i];
		int first = i == 0 ||
		    strcmp(it->submission, b->items[i - 1].submission) != 0;
		if (first != (it->kind == BUNDLE_MANIFEST))
			goto out;
		if (first)
			starts[n++] = it->submission;
	}
	qsort(starts, n, sizeof(*starts), cmp_sub);
	for (i = 1; i < n; i++)
		if (strcmp(starts[i - 1], starts[i]) == 0)
			goto out;
	rc = 0;
out:
	free(starts);
	return rc;
}

static int
parse_item(char *s, struct bundle_item *it)
{
	char *f[6];
	size_t i;

	for (i = 0; i < 6; i++) {
		f[i] = s;
		if ((s = strchr(s, ' ')) != NULL)
			*s++ = '\0';
		if ((s == NULL) != (i == 5) || *f[i] == '\0')
			return -1;
	}
	if (!is_hex_id(f[0], strlen(f[0])) || !is_hex_id(f[1], strlen(f[1])))
		return -1;
	memcpy(it->id, f[0], BUNDLE_ID_LEN + 1);
	memcpy(it->submission, f[1], BUNDLE_ID_LEN + 1);
	if (strcmp(f[2], "file") == 0)
		it->kind = BUNDLE_FILE;
	else if (strcmp(f[2], "manifest") == 0)
		it->kind = BUNDLE_MANIFEST;
	else
		return -1;
	if (parse_hour(f[3], &it->hour) != 0 ||
	    parse_size(f[4], &it->size) != 0)
		return -1;
	if (strlen(f[5]) != 64 || sodium_hex2bin(it->sha256, 32, f[5], 64,
	    NULL, NULL, NULL) != 0)
		return -1;
	return 0;
}

static int
parse_index(struct bundle *b, char *text, char *err, size_t errlen)
{
	char *line, *next, *end;
	size_t lineno = 0, cap = 0, count;
	struct bundle_item *v;

	for (line = text; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) == NULL)
			goto bad;
		*next++ = '\0';
		if (lineno == 1) {
			if (strcmp(line, BUNDLE_FORMAT) != 0)
				goto bad;
		} else if (lineno == 2) {
			if (strncmp(line, "bundle ", 7) != 0 ||
			    !is_hex_id(line + 7, strlen(line + 7)))
				goto bad;
			memcpy(b->id, line + 7, BUNDLE_ID_LEN + 1);
		} else if (lineno == 3) {
			if (strncmp(line, "server ", 7) != 0 ||
			    strlen(line + 7) != SIGKEY_PUBLIC_STRLEN)
				goto bad;
			memcpy(b->server, line + 7, SIGKEY_PUBLIC_STRLEN + 1);
		} else if (lineno == 4) {
			if (strncmp(line, "created ", 8) != 0 ||
			    parse_hour(line + 8, &b->created) != 0)
				goto bad;
		} else if (strncmp(line, "item ", 5) == 0) {
			if (b->nitems == BUNDLE_ITEMS_MAX)
				goto bad;
			if (b->nitems == cap) {
				cap = cap ? cap * 2 : 64;
				if ((v = reallocarray(b->items, cap,
				    sizeof(*v))) == NULL)
					goto bad;
				b->items = v;
			}
			if (parse_item(line + 5, &b->items[b->nitems]) != 0)
				goto bad;
			b->nitems++;
		} else if (strncmp(line, "count ", 6) == 0 && *next == '\0') {
			if (strspn(line + 6, "0123456789") != strlen(line + 6) ||
			    strlen(line + 6) > 9)
				goto bad;
			count = strtoul(line + 6, &end, 10);
			if (count != b->nitems || check_groups(b) != 0)
				goto bad;
			return 0;
		} else
			goto bad;
	}
bad:
	snprintf(err, errlen, "%s: the bundle index is malformed (line %zu)",
	    b->dir, lineno);
	return -1;
}

static int
hash_file(const char *path, uint8_t sha[32], uint64_t *size)
{
	crypto_hash_sha256_state st;
	struct stat sb;
	uint8_t *buf;
	ssize_t n;
	int fd, rc = -1;

	*size = 0;
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (buf = malloc(COPY_BUF)) == NULL) {
		close(fd);
		return -1;
	}
	crypto_hash_sha256_init(&st);
	for (;;) {
		if ((n = read(fd, buf, COPY_BUF)) < 0) {
			if (errno == EINTR)
				continue;
			goto out;
		}
		if (n == 0)
			break;
		crypto_hash_sha256_update(&st, buf, (size_t)n);
		*size += (uint64_t)n;
	}
	crypto_hash_sha256_final(&st, sha);
	rc = 0;
out:
	free(buf);
	close(fd);
	return rc;
}

/* items/ must hold exactly the listed files, each as listed. */
static int
check_items(const struct bundle *b, char *err, size_t errlen)
{
	char dir[PATH_MAX + 8], path[PATH_MAX + 64];
	struct dirent *de;
	uint8_t sha[32];
	uint64_t size;
	size_t i, n, seen = 0;
	DIR *d;

	for (i = 0; i < b->nitems; i++)
		for (n = i + 1; n < b->nitems; n++)
			if (strcmp(b->items[i].id, b->items[n].id) == 0) {
				snprintf(err, errlen, "%s: item %s is listed "
				    "twice", b->dir, b->items[i].id);
				return -1;
			}
	snprintf(dir, sizeof(dir), "%s/items", b->dir);
	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		n = strlen(de->d_name);
		for (i = 0; i < b->nitems; i++)
			if (n == BUNDLE_ID_LEN + 4 && strncmp(de->d_name,
			    b->items[i].id, BUNDLE_ID_LEN) == 0 &&
			    strcmp(de->d_name + BUNDLE_ID_LEN, ".age") == 0)
				break;
		if (i == b->nitems) {
			snprintf(err, errlen, "%s: items/%.64s is not in the "
			    "signed index (a foreign file)", b->dir, de->d_name);
			closedir(d);
			return -1;
		}
		seen++;
	}
	closedir(d);
	for (i = 0; i < b->nitems; i++) {
		bundle_item_path(b, &b->items[i], path, sizeof(path));
		if (hash_file(path, sha, &size) != 0) {
			snprintf(err, errlen, "%s: items/%s.age is missing or "
			    "unreadable", b->dir, b->items[i].id);
			return -1;
		}
		if (size != b->items[i].size ||
		    sodium_memcmp(sha, b->items[i].sha256, 32) != 0) {
			snprintf(err, errlen, "%s: items/%s.age does not match "
			    "the signed index (altered or damaged)", b->dir,
			    b->items[i].id);
			return -1;
		}
	}
	if (seen != b->nitems) {
		snprintf(err, errlen, "%s: items/ does not match the index",
		    b->dir);
		return -1;
	}
	return 0;
}

static int
check_signature(const struct bundle *b, const char *index, size_t len,
    const uint8_t pk[SIGKEY_PUBLIC_BYTES], char *err, size_t errlen)
{
	char path[PATH_MAX + 16], *sig;
	const char *p;
	uint8_t raw[SIGKEY_SIG_BYTES];
	size_t slen, rawlen, pre = strlen(BUNDLE_SIG_FORMAT) + 1;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/index.sig", b->dir);
	if ((sig = read_small(path, 1024, &slen)) == NULL) {
		snprintf(err, errlen, "%s: the bundle is not signed (no "
		    "index.sig): refused", b->dir);
		return -1;
	}
	p = sig + pre;
	if (slen < pre + 1 || strncmp(sig, BUNDLE_SIG_FORMAT " ", pre) != 0 ||
	    sig[slen - 1] != '\n' || b64_decode(raw, sizeof(raw), p,
	    slen - pre - 1, &rawlen, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    rawlen != sizeof(raw))
		snprintf(err, errlen, "%s: index.sig is malformed: refused",
		    b->dir);
	else if (sigkey_verify(pk, BUNDLE_SIG_CONTEXT, (const uint8_t *)index,
	    len, raw) != 0)
		snprintf(err, errlen, "%s: the signature does not verify with "
		    "the pinned server key (signed by another key, or the "
		    "index was altered): refused", b->dir);
	else
		rc = 0;
	free(sig);
	return rc;
}

struct bundle *
bundle_open(const char *dir, const uint8_t pinned_pk[SIGKEY_PUBLIC_BYTES],
    char *err, size_t errlen)
{
	struct bundle *b;
	char path[PATH_MAX + 16], pinned[SIGKEY_PUBLIC_STRLEN + 1], *index;
	size_t len;

	if ((b = calloc(1, sizeof(*b))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (snprintf(b->dir, sizeof(b->dir), "%s", dir) >= (int)sizeof(b->dir)) {
		snprintf(err, errlen, "bundle path too long");
		free(b);
		return NULL;
	}
	snprintf(path, sizeof(path), "%s/index", dir);
	if ((index = read_small(path, BUNDLE_INDEX_MAX, &len)) == NULL) {
		snprintf(err, errlen, "%s: not a Postern bundle (no readable "
		    "index): %s", dir, strerror(errno));
		free(b);
		return NULL;
	}
	sigkey_format_public(pinned_pk, pinned, sizeof(pinned));
	if (check_signature(b, index, len, pinned_pk, err, errlen) != 0 ||
	    parse_index(b, index, err, errlen) != 0)
		goto fail;
	if (strcmp(b->server, pinned) != 0) {
		snprintf(err, errlen, "%s: the index names another server key",
		    dir);
		goto fail;
	}
	if (check_items(b, err, errlen) != 0)
		goto fail;
	free(index);
	return b;
fail:
	free(index);
	bundle_free(b);
	return NULL;
}

void
bundle_free(struct bundle *b)
{
	if (b == NULL)
		return;
	free(b->items);
	free(b);
}

int
bundle_item_path(const struct bundle *b, const struct bundle_item *it,
    char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/items/%s.age", b->dir, it->id);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* Receipts */

int
receipt_write(const char *path, const char *bundle_id,
    const char *const *subs, size_t n, char *err, size_t errlen)
{
	size_t cap = 64 + n * (BUNDLE_ID_LEN + 16), used, i;
	char *t;
	int rc;

	if (!is_hex_id(bundle_id, strlen(bundle_id)) ||
	    (t = malloc(cap)) == NULL) {
		snprintf(err, errlen, "%s: cannot write the receipt", path);
		return -1;
	}
	used = (size_t)snprintf(t, cap, "%s\nbundle %s\n", RECEIPT_FORMAT,
	    bundle_id);
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(t + used, cap - used, "imported %s\n",
		    subs[i]);
	used += (size_t)snprintf(t + used, cap - used, "count %zu\n", n);
	if ((rc = write_file(path, t, used)) != 0)
		snprintf(err, errlen, "%s: %s", path, errno == EEXIST ?
		    "already exists; not overwriting it" : strerror(errno));
	free(t);
	return rc;
}

int
receipt_read(const char *path, char *bundle_id,
    char (**subs)[BUNDLE_ID_LEN + 1], size_t *np, char *err, size_t errlen)
{
	char *t, *line, *next;
	char (*v)[BUNDLE_ID_LEN + 1] = NULL;
	size_t len, n = 0, lineno = 0;

	*subs = NULL;
	*np = 0;
	if ((t = read_small(path, RECEIPT_MAX, &len)) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((v = calloc(len / (BUNDLE_ID_LEN + 10) + 1, sizeof(*v))) == NULL)
		goto bad;
	for (line = t; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) == NULL)
			goto bad;
		*next++ = '\0';
		if (lineno == 1 && strcmp(line, RECEIPT_FORMAT) == 0)
			continue;
		if (lineno == 2 && strncmp(line, "bundle ", 7) == 0 &&
		    is_hex_id(line + 7, strlen(line + 7))) {
			memcpy(bundle_id, line + 7, BUNDLE_ID_LEN + 1);
			continue;
		}
		if (lineno > 2 && strncmp(line, "imported ", 9) == 0 &&
		    is_hex_id(line + 9, strlen(line + 9))) {
			memcpy(v[n++], line + 9, BUNDLE_ID_LEN + 1);
			continue;
		}
		if (lineno > 2 && strncmp(line, "count ", 6) == 0 &&
		    *next == '\0' && strspn(line + 6, "0123456789") ==
		    strlen(line + 6) && strtoul(line + 6, NULL, 10) == n) {
			free(t);
			*subs = v;
			*np = n;
			return 0;
		}
		goto bad;
	}
bad:
	snprintf(err, errlen, "%s: not a valid Postern import receipt (line "
	    "%zu)", path, lineno);
	free(v);
	free(t);
	return -1;
}

void
receipt_free(char (*subs)[BUNDLE_ID_LEN + 1])
{
	free(subs);
}
