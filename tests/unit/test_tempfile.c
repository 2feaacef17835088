/*
 * test_tempfile.c — encrypted anonymous temp files: what is written reads
 * back byte for byte whatever the sizes of the writes; tempfile_head gives
 * the first bytes; the directory stays empty; the bytes on disk are never
 * the plaintext, and tampering with them is caught; misuse fails with
 * the errors tempfile.h promises.
 *
 * Temp files are made in a mkdtemp directory, removed at the end. The
 * file's bytes are read through /proc/self/fd/N, where N is the one
 * descriptor whose link points into that directory.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "postern/tempfile.h"

#define MIB (1024 * 1024)
#define BIG (5 * MIB)

/* Repeated through the plaintext of the on-disk tests: if it is ever
 * found in the file, plaintext reached the disk. */
#define MARKER "POSTERN-PLAINTEXT-MARKER-5c1e"

static char tmpdir[64];
static uint8_t *pattern; /* BIG bytes of seeded random data */

static int
group_setup(void **state)
{
	static const uint8_t seed[randombytes_SEEDBYTES] = {'t', 'f'};

	(void)state;
	if (sodium_init() < 0) {
		fprintf(stderr, "test_tempfile: sodium_init failed\n");
		return -1;
	}
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_tempfile.XXXXXX");
	if (mkdtemp(tmpdir) == NULL) {
		fprintf(
		    stderr, "test_tempfile: mkdtemp: %s\n", strerror(errno));
		return -1;
	}
	if ((pattern = malloc(BIG)) == NULL)
		return -1;
	randombytes_buf_deterministic(pattern, BIG, seed);
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(pattern);
	return rmdir(tmpdir);
}

/* ---- helpers ---------------------------------------------------------- */

/* Collects what tempfile_read hands over. */
struct sink {
	uint8_t *buf;
	size_t cap;
	size_t len;
	size_t calls;
	size_t maxcall; /* the largest len fn was given */
	size_t stop_at; /* return 1 on this call (1-based); 0: never */
	int overflow;
};

static int
collect(void *arg, const uint8_t *buf, size_t len)
{
	struct sink *s = arg;

	s->calls++;
	if (len > s->maxcall)
		s->maxcall = len;
	if (len > s->cap - s->len) {
		s->overflow = 1;
		return 1;
	}
	memcpy(s->buf + s->len, buf, len);
	s->len += len;
	return s->stop_at != 0 && s->calls == s->stop_at;
}

static struct tempfile *
new_at(const char *file, int line)
{
	struct tempfile *t = tempfile_new(tmpdir);

	if (t == NULL) {
		print_error("tempfile_new(\"%s\")\nexpected: a tempfile\n"
			    "got: NULL (%s)\n",
		    tmpdir, strerror(errno));
		_fail(file, line);
	}
	return t;
}
#define new_tempfile() new_at(__FILE__, __LINE__)

/* Write data[0..len) in pieces of the sizes in steps (cycled; 0 ends the
 * list), checking tempfile_size after each write. */
static void
write_pieces_at(const char *file, int line, struct tempfile *t,
    const uint8_t *data, size_t len, const size_t *steps)
{
	size_t off = 0, k = 0, n;

	while (off < len) {
		if (steps[k] == 0)
			k = 0;
		n = steps[k++];
		if (n > len - off)
			n = len - off;
		if (tempfile_write(t, data + off, n) != 0) {
			print_error("tempfile_write(%zu bytes at %zu)\n"
				    "expected: 0\ngot: -1 (%s)\n",
			    n, off, strerror(errno));
			_fail(file, line);
		}
		off += n;
		if (tempfile_size(t) != off) {
			print_error("tempfile_size after %zu bytes\n"
				    "expected: %zu\ngot: %llu\n",
			    off, off, (unsigned long long)tempfile_size(t));
			_fail(file, line);
		}
	}
}
#define write_pieces(t, data, len, steps)                                      \
	write_pieces_at(__FILE__, __LINE__, t, data, len, steps)

/* Read the whole file back; it must be data[0..len). */
static void
reads_back_at(const char *file, int line, struct tempfile *t,
    const uint8_t *data, size_t len, const char *what)
{
	struct sink s = {0};
	size_t i;
	int rc;

	s.cap = len + 1;
	assert_non_null(s.buf = malloc(s.cap));
	rc = tempfile_read(t, collect, &s);
	if (rc != 0 || s.overflow || s.len != len) {
		print_error("%s: tempfile_read\nexpected: 0 and %zu bytes\n"
			    "got: %d and %zu%s bytes (%s)\n",
		    what, len, rc, s.len, s.overflow ? "+" : "",
		    rc ? strerror(errno) : "no error");
		free(s.buf);
		_fail(file, line);
	}
	if (s.maxcall > TEMPFILE_CHUNK) {
		print_error("%s: fn given at most TEMPFILE_CHUNK (%d) bytes\n"
			    "expected: <= %d\ngot: %zu\n",
		    what, TEMPFILE_CHUNK, TEMPFILE_CHUNK, s.maxcall);
		free(s.buf);
		_fail(file, line);
	}
	for (i = 0; i < len; i++)
		if (s.buf[i] != data[i]) {
			print_error("%s: byte %zu of %zu\nexpected: 0x%02x\n"
				    "got: 0x%02x\n",
			    what, i, len, data[i], s.buf[i]);
			free(s.buf);
			_fail(file, line);
		}
	free(s.buf);
}
#define reads_back(t, data, len, what)                                         \
	reads_back_at(__FILE__, __LINE__, t, data, len, what)

/*
 * The descriptors open on anonymous files in tmpdir: their /proc/self/fd
 * links read "TMPDIR/#INODE (deleted)". Up to max are stored in fds.
 */
static int
anon_fds(int *fds, int max)
{
	char target[PATH_MAX];
	size_t plen = strlen(tmpdir);
	struct dirent *e;
	DIR *d;
	ssize_t n;
	int found = 0;

	assert_non_null(d = opendir("/proc/self/fd"));
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		n = readlinkat(dirfd(d), e->d_name, target, sizeof(target) - 1);
		if (n < 0)
			continue;
		target[n] = '\0';
		/* (an opendir of tmpdir itself reads "TMPDIR", no slash) */
		if (strncmp(target, tmpdir, plen) != 0 || target[plen] != '/')
			continue;
		if (strstr(target, "(deleted)") == NULL &&
		    strchr(target + plen, '#') == NULL)
			continue;
		if (found < max)
			fds[found] = atoi(e->d_name);
		found++;
	}
	closedir(d);
	return found;
}

/*
 * A new temp file, and in *fd the descriptor it holds: the one anonymous
 * file in tmpdir that was not open before (a failed test may leave
 * others open).
 */
static struct tempfile *
new_with_fd_at(const char *file, int line, int *fd)
{
	int before[64], after[64], nb, na, i, j, found = 0;
	struct tempfile *t;

	nb = anon_fds(before, 64);
	t = new_at(file, line);
	na = anon_fds(after, 64);
	assert_true(nb < 64 && na < 64);
	for (i = 0; i < na; i++) {
		for (j = 0; j < nb && before[j] != after[i]; j++)
			;
		if (j == nb) {
			*fd = after[i];
			found++;
		}
	}
	if (found != 1) {
		print_error("new descriptors on an anonymous file in %s\n"
			    "expected: 1\ngot: %d\n",
		    tmpdir, found);
		tempfile_free(t);
		_fail(file, line);
	}
	return t;
}
#define new_with_fd(fd) new_with_fd_at(__FILE__, __LINE__, fd)

/* The bytes of the temp file open on fd, through a fresh open of
 * /proc/self/fd/N (the module's file offset is not touched). */
static uint8_t *
disk_bytes(int tfd, size_t *len)
{
	char path[64];
	struct stat st;
	uint8_t *buf;
	ssize_t r;
	size_t got = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", tfd);
	assert_true((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_non_null(buf = malloc((size_t)st.st_size + 1));
	while ((r = read(fd, buf + got, (size_t)st.st_size + 1 - got)) > 0)
		got += (size_t)r;
	assert_true(r >= 0);
	assert_int_equal(got, (size_t)st.st_size);
	close(fd);
	*len = got;
	return buf;
}

/* Open the temp file for writing through /proc (to tamper with it). */
static int
open_disk_rw(int tfd)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", tfd);
	assert_true((fd = open(path, O_RDWR | O_CLOEXEC)) >= 0);
	return fd;
}

/* Names in tmpdir other than . and .. */
static int
dir_entries(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir(tmpdir));
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 &&
		    strcmp(e->d_name, "..") != 0) {
			print_message(
			    "unexpected entry in %s: %s\n", tmpdir, e->d_name);
			n++;
		}
	closedir(d);
	return n;
}

/* ---- round trips ------------------------------------------------------ */

static void
test_round_trips(void **state)
{
	static const size_t sizes[] = {
	    0, 1, 16383, 16384, 16385, 32768, 65535, 65536, 65537, BIG};
	static const size_t one[] = {1, 0}, prime[] = {7919, 0},
			    k64[] = {65536, 0}, whole[] = {BIG, 0},
			    mixed[] = {1, 7919, 65536, 3, 16384, 16385, 0};
	static const struct {
		const char *name;
		const size_t *steps;
	} plans[] = {
	    {"1", one},
	    {"7919", prime},
	    {"65536", k64},
	    {"whole", whole},
	    {"mixed", mixed},
	};
	char what[64];
	struct tempfile *t;
	size_t i, p;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (p = 0; p < sizeof(plans) / sizeof(plans[0]); p++) {
			snprintf(what, sizeof(what),
			    "%zu bytes in pieces of %s", sizes[i],
			    plans[p].name);
			t = new_tempfile();
			write_pieces(t, pattern, sizes[i], plans[p].steps);
			assert_int_equal(tempfile_finish(t), 0);
			assert_int_equal(tempfile_size(t), sizes[i]);
			reads_back(t, pattern, sizes[i], what);
			/* reading is repeatable */
			reads_back(t, pattern, sizes[i], what);
			tempfile_free(t);
		}
}

/* Zero-length writes change nothing, wherever they come. */
static void
test_empty_writes(void **state)
{
	struct tempfile *t;

	(void)state;
	t = new_tempfile();
	assert_int_equal(tempfile_write(t, pattern, 0), 0);
	assert_int_equal(tempfile_write(t, pattern, 100), 0);
	assert_int_equal(tempfile_write(t, pattern + 100, 0), 0);
	assert_int_equal(tempfile_size(t), 100);
	assert_int_equal(tempfile_finish(t), 0);
	reads_back(t, pattern, 100, "100 bytes with empty writes");
	tempfile_free(t);
}

/* ---- tempfile_head ---------------------------------------------------- */

/*
 * tempfile_head with cap on a file of size bytes: 0, min(cap, size) bytes,
 * the first ones, nothing past cap. Returns 0, or 1 after printing what
 * went wrong (so one run shows every size and cap that fails).
 */
static int
head_wrong(struct tempfile *t, size_t size, size_t cap)
{
	size_t want = cap < size ? cap : size, got = (size_t)-1;
	uint8_t *buf;
	int rc, bad = 0;

	/* one guard byte past cap: nothing may be written there */
	assert_non_null(buf = malloc(cap + 1));
	memset(buf, 0xa5, cap + 1);
	rc = tempfile_head(t, buf, cap, &got);
	if (rc != 0 || got != want) {
		print_error("tempfile_head, file of %zu bytes, cap %zu\n"
			    "expected: 0, %zu bytes\ngot: %d, %zu bytes\n",
		    size, cap, want, rc, got);
		bad = 1;
	} else if (memcmp(buf, pattern, want) != 0 || buf[cap] != 0xa5) {
		print_error("tempfile_head, file of %zu bytes, cap %zu\n"
			    "expected: the first %zu bytes, guard intact\n"
			    "got: %s\n",
		    size, cap, want,
		    buf[cap] != 0xa5 ? "a byte written past cap"
				     : "different bytes");
		bad = 1;
	}
	free(buf);
	return bad;
}

static void
test_head(void **state)
{
	static const size_t sizes[] = {0, 1, 100, 16384, 65537, 200000};
	static const size_t caps[] = {0, 1, 99, 100, 101, 16383, 16384, 16385,
	    65536, 65537, 70000, 200000};
	static const size_t whole[] = {200000, 0};
	struct tempfile *t;
	size_t i, c;
	int bad = 0, n = 0;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		t = new_tempfile();
		write_pieces(t, pattern, sizes[i], whole);
		assert_int_equal(tempfile_finish(t), 0);
		for (c = 0; c < sizeof(caps) / sizeof(caps[0]); c++, n++)
			bad += head_wrong(t, sizes[i], caps[c]);
		/* head does not spoil a later full read */
		reads_back(t, pattern, sizes[i], "read after head");
		tempfile_free(t);
	}
	if (bad) {
		print_error(
		    "tempfile_head: %d of %d size/cap pairs wrong\n", bad, n);
		fail();
	}
}

/* ---- what is on disk -------------------------------------------------- */

static void
test_directory_stays_empty(void **state)
{
	struct tempfile *t, *u;

	(void)state;
	assert_int_equal(dir_entries(), 0);
	t = new_tempfile();
	assert_int_equal(dir_entries(), 0);
	assert_int_equal(tempfile_write(t, pattern, 100000), 0);
	assert_int_equal(dir_entries(), 0);
	u = new_tempfile();
	assert_int_equal(tempfile_write(u, pattern, 10), 0);
	assert_int_equal(tempfile_finish(t), 0);
	assert_int_equal(tempfile_finish(u), 0);
	assert_int_equal(dir_entries(), 0);
	reads_back(t, pattern, 100000, "100000 bytes");
	assert_int_equal(dir_entries(), 0);
	tempfile_free(u);
	tempfile_free(t);
	assert_int_equal(dir_entries(), 0);
}

/* The plaintext: MARKER over and over, 3 chunks and a bit. */
static uint8_t *
marked_plaintext(size_t len)
{
	uint8_t *p;
	size_t i, m = strlen(MARKER);

	assert_non_null(p = malloc(len));
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)MARKER[i % m];
	return p;
}

static void
no_marker_at(
    const char *file, int line, int fd, size_t minsize, const char *when)
{
	uint8_t *disk;
	size_t len;
	const void *hit;

	disk = disk_bytes(fd, &len);
	/* The check is only real if the ciphertext is there to look at. */
	if (len < minsize) {
		print_error("%s: bytes on disk\nexpected: >= %zu\ngot: %zu\n",
		    when, minsize, len);
		free(disk);
		_fail(file, line);
	}
	hit = memmem(disk, len, MARKER, strlen(MARKER));
	if (hit != NULL) {
		print_error(
		    "%s: plaintext on disk\nexpected: no \"%s\" in "
		    "the %zu bytes of the file\ngot: it at offset %td\n",
		    when, MARKER, len, (const uint8_t *)hit - disk);
		free(disk);
		_fail(file, line);
	}
	free(disk);
}
#define no_marker(fd, minsize, when)                                           \
	no_marker_at(__FILE__, __LINE__, fd, minsize, when)

static void
test_no_plaintext_on_disk(void **state)
{
	const size_t len = 3 * TEMPFILE_CHUNK + 1000;
	const size_t hdr = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
	const size_t tag = crypto_secretstream_xchacha20poly1305_ABYTES;
	uint8_t *plain = marked_plaintext(len);
	struct tempfile *t;
	int fd;

	(void)state;
	t = new_with_fd(&fd);
	/* 3 full chunks are on disk; the 4th may still be in memory */
	assert_int_equal(tempfile_write(t, plain, len), 0);
	no_marker(fd, hdr + 3 * (TEMPFILE_CHUNK + tag), "before finish");
	assert_int_equal(tempfile_finish(t), 0);
	no_marker(fd, hdr + len + 4 * tag, "after finish");
	reads_back(t, plain, len, "the marked plaintext");
	no_marker(fd, hdr + len + 4 * tag, "after a read");
	tempfile_free(t);

	/* Two files of the same plaintext: different keys, different bytes. */
	{
		struct tempfile *a, *b;
		uint8_t *da, *db;
		size_t la, lb;
		int fa, fb;

		a = new_with_fd(&fa);
		assert_int_equal(tempfile_write(a, plain, 1000), 0);
		assert_int_equal(tempfile_finish(a), 0);
		da = disk_bytes(fa, &la);
		tempfile_free(a);
		b = new_with_fd(&fb);
		assert_int_equal(tempfile_write(b, plain, 1000), 0);
		assert_int_equal(tempfile_finish(b), 0);
		db = disk_bytes(fb, &lb);
		tempfile_free(b);
		assert_int_equal(la, lb);
		assert_true(la > 1000);
		if (memcmp(da + hdr, db + hdr, la - hdr) == 0) {
			print_error("two temp files of the same plaintext\n"
				    "expected: different ciphertext\n"
				    "got: the same %zu bytes\n",
			    la - hdr);
			fail();
		}
		free(da);
		free(db);
	}
	free(plain);
}

/* A file changed on disk fails to read with EBADMSG. */
static void
tampered_at(const char *file, int line, const char *how, off_t at,
    off_t truncate_to, int append)
{
	const size_t len = 2 * TEMPFILE_CHUNK + 500;
	struct sink s = {0};
	struct tempfile *t;
	uint8_t b;
	int tfd, fd, rc, err;

	t = new_with_fd(&tfd);
	assert_int_equal(tempfile_write(t, pattern, len), 0);
	assert_int_equal(tempfile_finish(t), 0);
	fd = open_disk_rw(tfd);
	if (at >= 0) {
		assert_int_equal(pread(fd, &b, 1, at), 1);
		b ^= 0x01;
		assert_int_equal(pwrite(fd, &b, 1, at), 1);
	}
	if (truncate_to >= 0)
		assert_int_equal(ftruncate(fd, truncate_to), 0);
	if (append) {
		struct stat st;
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal(pwrite(fd, "x", 1, st.st_size), 1);
	}
	close(fd);
	s.cap = len + 1;
	assert_non_null(s.buf = malloc(s.cap));
	errno = 0;
	rc = tempfile_read(t, collect, &s);
	err = errno;
	free(s.buf);
	tempfile_free(t);
	if (rc != -1 || err != EBADMSG) {
		print_error("tempfile_read of a file with %s\n"
			    "expected: -1 (EBADMSG)\ngot: %d (%s)\n",
		    how, rc, strerror(err));
		_fail(file, line);
	}
}
#define tampered(how, at, trunc, append)                                       \
	tampered_at(__FILE__, __LINE__, how, at, trunc, append)

static void
test_tampering_detected(void **state)
{
	const off_t hdr = crypto_secretstream_xchacha20poly1305_HEADERBYTES;
	const off_t c1 =
	    hdr + TEMPFILE_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES;

	(void)state;
	tampered("a flipped header bit", 3, -1, 0);
	tampered("a flipped bit in chunk 1", hdr + 100, -1, 0);
	tampered("a flipped bit in chunk 2", c1 + 5, -1, 0);
	tampered("its last chunk cut off", -1, 2 * c1 - hdr, 0);
	tampered("its last byte cut off", -1,
	    2 * c1 - hdr + 500 + crypto_secretstream_xchacha20poly1305_ABYTES -
		1,
	    0);
	tampered("only its header", -1, hdr, 0);
	tampered("nothing in it", -1, 0, 0);
	tampered("a byte after the final chunk", -1, -1, 1);
}

/* ---- misuse ----------------------------------------------------------- */

static void
test_write_after_finish(void **state)
{
	struct tempfile *t;

	(void)state;
	t = new_tempfile();
	assert_int_equal(tempfile_write(t, "abc", 3), 0);
	assert_int_equal(tempfile_finish(t), 0);
	errno = 0;
	assert_int_equal(tempfile_write(t, "d", 1), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(tempfile_write(t, "", 0), -1);
	assert_int_equal(errno, EINVAL);
	/* finishing twice is refused too */
	errno = 0;
	assert_int_equal(tempfile_finish(t), -1);
	assert_int_equal(errno, EINVAL);
	/* and the file is unchanged */
	assert_int_equal(tempfile_size(t), 3);
	reads_back(t, (const uint8_t *)"abc", 3, "abc after refused writes");
	tempfile_free(t);
}

static void
test_read_before_finish(void **state)
{
	struct sink s = {0};
	struct tempfile *t;
	uint8_t head[16];
	size_t n = 99;

	(void)state;
	t = new_tempfile();
	assert_int_equal(tempfile_write(t, pattern, 40000), 0);
	s.cap = 40001;
	assert_non_null(s.buf = malloc(s.cap));
	errno = 0;
	assert_int_equal(tempfile_read(t, collect, &s), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(s.calls, 0);
	errno = 0;
	assert_int_equal(tempfile_head(t, head, sizeof(head), &n), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(n, 0);
	/* the refused reads did not disturb the file */
	assert_int_equal(tempfile_write(t, pattern + 40000, 1000), 0);
	assert_int_equal(tempfile_finish(t), 0);
	free(s.buf);
	reads_back(t, pattern, 41000, "41000 bytes after refused reads");
	tempfile_free(t);
}

static void
test_callback_stops(void **state)
{
	const size_t len = 3 * TEMPFILE_CHUNK + 10; /* 4 chunks */
	struct sink s;
	struct tempfile *t;
	size_t stop;

	(void)state;
	t = new_tempfile();
	assert_int_equal(tempfile_write(t, pattern, len), 0);
	assert_int_equal(tempfile_finish(t), 0);
	for (stop = 1; stop <= 4; stop++) {
		memset(&s, 0, sizeof(s));
		s.cap = len;
		s.stop_at = stop;
		assert_non_null(s.buf = malloc(s.cap));
		if (tempfile_read(t, collect, &s) != -1 || s.calls != stop) {
			print_error("fn returns 1 on call %zu\nexpected: -1 "
				    "after %zu calls\ngot: %zu calls\n",
			    stop, stop, s.calls);
			free(s.buf);
			fail();
		}
		assert_memory_equal(s.buf, pattern, s.len);
		free(s.buf);
	}
	/* and a stopped read does not spoil the next */
	reads_back(t, pattern, len, "read after a stopped read");
	tempfile_free(t);
}

static void
test_free_null(void **state)
{
	(void)state;
	tempfile_free(NULL);
}

static void
test_new_fails(void **state)
{
	char path[128];
	struct tempfile *t;
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/missing", tmpdir);
	errno = 0;
	t = tempfile_new(path);
	if (t != NULL || errno != ENOENT) {
		print_error("tempfile_new(\"%s\")\nexpected: NULL (ENOENT)\n"
			    "got: %p (%s)\n",
		    path, (void *)t, strerror(errno));
		tempfile_free(t);
		fail();
	}
	/* a regular file is not a directory */
	snprintf(path, sizeof(path), "%s/plain", tmpdir);
	assert_true((fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0600)) >= 0);
	close(fd);
	errno = 0;
	t = tempfile_new(path);
	unlink(path);
	if (t != NULL || errno == 0) {
		print_error("tempfile_new(\"%s\") on a regular file\n"
			    "expected: NULL with errno set\ngot: %p (%s)\n",
		    path, (void *)t, strerror(errno));
		tempfile_free(t);
		fail();
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_round_trips),
	    cmocka_unit_test(test_empty_writes),
	    cmocka_unit_test(test_head),
	    cmocka_unit_test(test_directory_stays_empty),
	    cmocka_unit_test(test_no_plaintext_on_disk),
	    cmocka_unit_test(test_tampering_detected),
	    cmocka_unit_test(test_write_after_finish),
	    cmocka_unit_test(test_read_before_finish),
	    cmocka_unit_test(test_callback_stops),
	    cmocka_unit_test(test_free_null),
	    cmocka_unit_test(test_new_fails),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
