/*
 * sigkey.c — the server's Ed25519 signing key. See sigkey.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/bech32.h"
#include "postern/sigkey.h"

static const char hrp_public[] = "postern-server";
static const char hrp_secret[] = "postern-server-secret-key-";

#define SEED_BYTES crypto_sign_SEEDBYTES
#define FILE_MAX 1024

struct sigkey {
	uint8_t seed[SEED_BYTES];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	uint8_t pk[crypto_sign_PUBLICKEYBYTES];
};

static struct sigkey *
from_seed(const uint8_t *seed)
{
	struct sigkey *k;

	if ((k = sodium_malloc(sizeof(*k))) == NULL)
		return NULL;
	memcpy(k->seed, seed, SEED_BYTES);
	crypto_sign_seed_keypair(k->pk, k->sk, k->seed);
	return k;
}

struct sigkey *
sigkey_generate(void)
{
	uint8_t seed[SEED_BYTES];
	struct sigkey *k;

	randombytes_buf(seed, sizeof(seed));
	k = from_seed(seed);
	sodium_memzero(seed, sizeof(seed));
	return k;
}

void
sigkey_free(struct sigkey *k)
{
	if (k != NULL)
		sodium_free(k);
}

void
sigkey_public(const struct sigkey *k, uint8_t pk[SIGKEY_PUBLIC_BYTES])
{
	memcpy(pk, k->pk, SIGKEY_PUBLIC_BYTES);
}

int
sigkey_format_public(const uint8_t pk[SIGKEY_PUBLIC_BYTES], char *buf,
    size_t len)
{
	return bech32_encode(buf, len, hrp_public, pk, SIGKEY_PUBLIC_BYTES,
	    0) == SIGKEY_PUBLIC_STRLEN ? 0 : -1;
}

static int
decode32(const char *s, const char *want, uint8_t out[32])
{
	char hrp[BECH32_HRP_MAX + 1];
	uint8_t data[64];
	size_t n;
	int rc = -1;

	if (bech32_decode(s, hrp, sizeof(hrp), data, sizeof(data), &n) == 0 &&
	    strcmp(hrp, want) == 0 && n == 32) {
		memcpy(out, data, 32);
		rc = 0;
	}
	sodium_memzero(data, sizeof(data));
	return rc;
}

int
sigkey_parse_public(uint8_t pk[SIGKEY_PUBLIC_BYTES], const char *s)
{
	return decode32(s, hrp_public, pk);
}

/* Ed25519 over context, a NUL, then msg (one allocation, wiped). */
static uint8_t *
framed(const char *context, const uint8_t *msg, size_t len, size_t *flen)
{
	size_t clen = strlen(context) + 1;
	uint8_t *f;

	if (len > SIZE_MAX - clen || (f = malloc(clen + len)) == NULL)
		return NULL;
	memcpy(f, context, clen);
	memcpy(f + clen, msg, len);
	*flen = clen + len;
	return f;
}

void
sigkey_sign(const struct sigkey *k, const char *context, const uint8_t *msg,
    size_t len, uint8_t sig[SIGKEY_SIG_BYTES])
{
	size_t flen;
	uint8_t *f = framed(context, msg, len, &flen);

	if (f == NULL) {
		/* A signature that verifies nothing, rather than none. */
		memset(sig, 0, SIGKEY_SIG_BYTES);
		return;
	}
	crypto_sign_detached(sig, NULL, f, flen, k->sk);
	free(f);
}

int
sigkey_verify(const uint8_t pk[SIGKEY_PUBLIC_BYTES], const char *context,
    const uint8_t *msg, size_t len, const uint8_t sig[SIGKEY_SIG_BYTES])
{
	size_t flen;
	uint8_t *f = framed(context, msg, len, &flen);
	int rc;

	if (f == NULL)
		return -1;
	rc = crypto_sign_verify_detached(sig, f, flen, pk);
	free(f);
	return rc == 0 ? 0 : -1;
}

int
sigkey_write_file(const char *path, const struct sigkey *k, char *err,
    size_t errlen)
{
	char pub[SIGKEY_PUBLIC_STRLEN + 1], *text;
	size_t tlen = FILE_MAX;
	int fd, n, rc = -1;

	if ((text = sodium_malloc(tlen)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	sigkey_format_public(k->pk, pub, sizeof(pub));
	n = snprintf(text, tlen, "# postern server signing key (Ed25519)\n"
	    "# public key: %s\n", pub);
	if (n < 0 || bech32_encode(text + n, tlen - (size_t)n - 2, hrp_secret,
	    k->seed, SEED_BYTES, 1) != SIGKEY_SECRET_STRLEN) {
		snprintf(err, errlen, "%s: cannot format the key", path);
		goto out;
	}
	strcat(text, "\n");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, errno == EEXIST ?
		    "already exists; not overwriting it" : strerror(errno));
		goto out;
	}
	if (age_sink_fd(&fd, (const uint8_t *)text, strlen(text)) != 0 ||
	    fsync(fd) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(path);
		goto out;
	}
	close(fd);
	rc = 0;
out:
	sodium_free(text);
	return rc;
}

struct sigkey *
sigkey_read_file(const char *path, char *err, size_t errlen)
{
	struct sigkey *k = NULL;
	struct stat sb;
	uint8_t seed[SEED_BYTES];
	char *text, *line, *next;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (sb.st_mode & 077) != 0) {
		snprintf(err, errlen, "%s: must be a regular file readable by "
		    "its owner only (mode 0600)", path);
		close(fd);
		return NULL;
	}
	if ((text = sodium_malloc(FILE_MAX + 1)) == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	n = read(fd, text, FILE_MAX);
	close(fd);
	if (n < 0 || n == FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) :
		    "too large for a key file");
		goto out;
	}
	text[n] = '\0';
	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line == '#' || *line == '\0')
			continue;
		if (decode32(line, hrp_secret, seed) == 0)
			k = from_seed(seed);
		break;
	}
	sodium_memzero(seed, sizeof(seed));
	if (k == NULL)
		snprintf(err, errlen, "%s: no valid POSTERN-SERVER-SECRET-KEY-1 "
		    "line", path);
out:
	sodium_free(text);
	return k;
}
