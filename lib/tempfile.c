/*
 * tempfile.c — encrypted anonymous temp files. See tempfile.h.
 *
 * On disk: the 24-byte secretstream header, then chunks of TEMPFILE_CHUNK
 * plaintext bytes plus 17 bytes of tag; the last chunk carries TAG_FINAL
 * (an empty final chunk for an empty or chunk-aligned file).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/tempfile.h"

#define SS_ABYTES crypto_secretstream_xchacha20poly1305_ABYTES
#define SS_HEADER crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define SS_KEY crypto_secretstream_xchacha20poly1305_KEYBYTES

/* The whole struct is in sodium_malloc memory: key, state, plaintext. */
struct tempfile {
	int fd;
	int finished;
	uint64_t size;
	size_t len;                       /* plaintext bytes in plain */
	uint8_t key[SS_KEY];
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t plain[TEMPFILE_CHUNK];
	uint8_t ct[TEMPFILE_CHUNK + SS_ABYTES];
};

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read exactly n bytes; returns the count read (less only at EOF). */
static ssize_t
read_full(int fd, uint8_t *p, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = read(fd, p + got, n - got)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

struct tempfile *
tempfile_new(const char *dir)
{
	struct tempfile *t;
	uint8_t header[SS_HEADER];
	int saved;

	if ((t = sodium_malloc(sizeof(*t))) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(t, 0, offsetof(struct tempfile, plain));
	t->fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (t->fd < 0)
		goto err;
	crypto_secretstream_xchacha20poly1305_keygen(t->key);
	crypto_secretstream_xchacha20poly1305_init_push(&t->st, header, t->key);
	if (write_all(t->fd, header, sizeof(header)) != 0)
		goto err;
	return t;
err:
	saved = errno;
	tempfile_free(t);
	errno = saved;
	return NULL;
}

static int
flush(struct tempfile *t, uint8_t tag)
{
	unsigned long long clen;

	crypto_secretstream_xchacha20poly1305_push(&t->st, t->ct, &clen,
	    t->plain, t->len, NULL, 0, tag);
	sodium_memzero(t->plain, t->len);
	t->len = 0;
	return write_all(t->fd, t->ct, (size_t)clen);
}

int
tempfile_write(struct tempfile *t, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;

	if (t->finished) {
		errno = EINVAL;
		return -1;
	}
	while (len > 0) {
		if (t->len == TEMPFILE_CHUNK && flush(t, 0) != 0)
			return -1;
		n = TEMPFILE_CHUNK - t->len;
		if (n > len)
			n = len;
		memcpy(t->plain + t->len, p, n);
		t->len += n;
		t->size += n;
		p += n;
		len -= n;
	}
	return 0;
}

int
tempfile_finish(struct tempfile *t)
{
	if (t->finished) {
		errno = EINVAL;
		return -1;
	}
	t->finished = 1;
	return flush(t, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
}

uint64_t
tempfile_size(const struct tempfile *t)
{
	return t->size;
}

/*
 * Decrypt chunk by chunk from the start. fn == NULL with a cap: copy into
 * head instead (for tempfile_head).
 */
static int
replay(struct tempfile *t, int (*fn)(void *, const uint8_t *, size_t),
    void *arg, uint8_t *head, size_t cap, size_t *headlen)
{
	crypto_secretstream_xchacha20poly1305_state st;
	uint8_t header[SS_HEADER], tag = 0;
	unsigned long long mlen;
	ssize_t n;
	int rc = -1;

	if (!t->finished || lseek(t->fd, 0, SEEK_SET) != 0) {
		errno = EINVAL;
		return -1;
	}
	if (read_full(t->fd, header, sizeof(header)) != sizeof(header) ||
	    crypto_secretstream_xchacha20poly1305_init_pull(&st, header,
	    t->key) != 0)
		goto bad;
	while (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		n = read_full(t->fd, t->ct, sizeof(t->ct));
		if (n < 0)
			goto out;
		if ((size_t)n < SS_ABYTES ||
		    crypto_secretstream_xchacha20poly1305_pull(&st, t->plain,
		    &mlen, &tag, t->ct, (unsigned long long)n, NULL, 0) != 0)
			goto bad;
		if (fn == NULL) {
			/* Head mode: fill head chunk by chunk, up to cap. */
			size_t k = cap - *headlen;
			if (k > (size_t)mlen)
				k = (size_t)mlen;
			memcpy(head + *headlen, t->plain, k);
			*headlen += k;
			sodium_memzero(t->plain, (size_t)mlen);
			if (*headlen == cap ||
			    tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
				rc = 0;
				goto out;
			}
			continue;
		}
		if (fn(arg, t->plain, (size_t)mlen) != 0) {
			sodium_memzero(t->plain, (size_t)mlen);
			goto out;
		}
		sodium_memzero(t->plain, (size_t)mlen);
	}
	/* Nothing may follow the final chunk. */
	if (read_full(t->fd, t->ct, 1) != 0)
		goto bad;
	rc = 0;
	goto out;
bad:
	errno = EBADMSG;
out:
	sodium_memzero(&st, sizeof(st));
	return rc;
}

int
tempfile_read(struct tempfile *t, int (*fn)(void *, const uint8_t *, size_t),
    void *arg)
{
	return replay(t, fn, arg, NULL, 0, NULL);
}

int
tempfile_head(struct tempfile *t, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	return replay(t, NULL, NULL, buf, cap, len);
}

void
tempfile_free(struct tempfile *t)
{
	if (t == NULL)
		return;
	if (t->fd >= 0)
		close(t->fd);
	sodium_free(t); /* wipes key, state and buffers */
}
