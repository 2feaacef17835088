/*
 * identity.c — identity files, plain or passphrase-protected.
 *
 * A plain file is what age-keygen writes: AGE-SECRET-KEY-1… lines, '#'
 * comments and blank lines, LF or CRLF. A protected file is such a file
 * encrypted with a passphrase as an age scrypt file, binary or armored
 * (what `postern-open keygen` and `age -p` write); it is recognised by its
 * first bytes. Every byte of the file and of its plaintext stays in
 * locked memory and is wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/armor.h"
#include "postern/keyfile.h"
#include "postern/passphrase.h"
#include "postern-open.h"

#define AGE_MAGIC "age-encryption.org/"
#define SCRYPT_LINE "age-encryption.org/v1\n-> scrypt "
#define PROMPT_MAX 1200

/* A growing buffer in locked memory, capped at cap bytes (plus a NUL). */
struct lbuf {
	char *p;
	size_t len, cap;
};

/* Read the whole file (at most max bytes) into locked memory. */
static int
slurp(const char *path, size_t max, struct lbuf *b, char *err, size_t errlen)
{
	int fd, is_stdin = strcmp(path, "-") == 0;
	ssize_t n = 0;

	b->len = 0;
	b->cap = max;
	if ((b->p = sodium_malloc(max + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	while (b->len <= max) {
		n = read(fd, b->p + b->len, max + 1 - b->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b->len += (size_t)n;
	}
	if (n < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (b->len > max)
		snprintf(err, errlen, "%s: too large for an identity file (over "
		    "%zu bytes)", path, max);
	if (!is_stdin)
		close(fd);
	if (n < 0 || b->len > max)
		goto fail;
	b->p[b->len] = '\0';
	return 0;
fail:
	sodium_free(b->p);
	b->p = NULL;
	return -1;
}

/* Parse the key lines of text; on failure the list is as it was. */
static int
parse_text(struct keyfile_identities *l, char *text, size_t len,
    const char *name, char *err, size_t errlen)
{
	struct age_identity *id;
	size_t before = l->n, lineno = 0;
	char *line, *next;
	enum age_err e;

	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: not a text file", name);
		return -1;
	}
	for (line = text; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (l->n - before == KEYFILE_KEYS_MAX) {
			snprintf(err, errlen, "%s: more than %d keys", name,
			    KEYFILE_KEYS_MAX);
			goto fail;
		}
		if ((e = age_identity_parse(&id, line)) != AGE_OK) {
			snprintf(err, errlen, "%s, line %zu: %s", name, lineno,
			    age_strerror(e));
			goto fail;
		}
		if (keyfile_add_identity(l, id) != 0) {
			age_identity_free(id);
			snprintf(err, errlen, "%s: out of memory", name);
			goto fail;
		}
	}
	if (l->n == before) {
		snprintf(err, errlen, "%s: no identity (AGE-SECRET-KEY-1...) "
		    "found", name);
		return -1;
	}
	return 0;
fail:
	while (l->n > before)
		age_identity_free(l->v[--l->n]);
	return -1;
}

/* Armored: the start of the decoded bytes. */
struct head {
	char p[64];
	size_t len;
};

static int
head_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct head *h = arg;
	size_t n = sizeof(h->p) - h->len;

	if (n > len)
		n = len;
	memcpy(h->p + h->len, buf, n);
	h->len += n;
	return 0;
}

static const char *
skip_space(const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++;
	return s;
}

/* 1 for an age file (binary or armored), 0 for anything else. */
static int
is_age(const struct lbuf *b)
{
	const char *s = skip_space(b->p, b->len);

	return strncmp(b->p, AGE_MAGIC, strlen(AGE_MAGIC)) == 0 ||
	    strncmp(s, ARMOR_BEGIN, strlen(ARMOR_BEGIN)) == 0;
}

/* 1 if the age file's only stanza is an scrypt one: a passphrase opens
 * it. Checked before asking for a passphrase that could not help. */
static int
is_scrypt(const struct lbuf *b)
{
	struct armor_decoder *a;
	struct head h = { { 0 }, 0 };
	const char *s = b->p;
	size_t len = b->len;

	if (strncmp(b->p, AGE_MAGIC, strlen(AGE_MAGIC)) != 0) {
		if ((a = armor_decoder_new(head_sink, &h)) == NULL)
			return 0;
		armor_decode_update(a, (const uint8_t *)b->p, b->len);
		armor_decoder_free(a);
		s = h.p;
		len = h.len;
	}
	return len > strlen(SCRYPT_LINE) &&
	    memcmp(s, SCRYPT_LINE, strlen(SCRYPT_LINE)) == 0;
}

static int
plain_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct lbuf *b = arg;

	if (len > b->cap - b->len)
		return -1;
	memcpy(b->p + b->len, buf, len);
	b->len += len;
	return 0;
}

/* Decrypt the protected file in f into plain (locked memory). */
static int
unprotect(const struct lbuf *f, struct lbuf *plain, const char *path,
    int passfd, char *err, size_t errlen)
{
	struct age_identity *pid = NULL;
	struct age_decryptor *d = NULL;
	char prompt[PROMPT_MAX], why[PASSPHRASE_ERRLEN], *pass = NULL;
	enum age_err e;
	int rc = -1;

	plain->len = 0;
	plain->cap = KEYFILE_MAX;
	if ((plain->p = sodium_malloc(KEYFILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	snprintf(prompt, sizeof(prompt), "Enter passphrase for identity file "
	    "\"%s\": ", path);
	if ((pass = passphrase_read(prompt, passfd, 0, why,
	    sizeof(why))) == NULL) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	if ((e = age_identity_passphrase(&pid, pass, strlen(pass))) != AGE_OK ||
	    (e = age_decrypt_new(&d, &pid, 1, plain_sink, plain)) != AGE_OK ||
	    (e = age_decrypt_update(d, f->p, f->len)) != AGE_OK ||
	    (e = age_decrypt_final(d)) != AGE_OK) {
		if (e == AGE_ERR_PASSPHRASE)
			snprintf(err, errlen, "incorrect passphrase for %s",
			    path);
		else if (e == AGE_ERR_SINK)
			snprintf(err, errlen, "%s: too large for an identity "
			    "file (over %d bytes decrypted)", path, KEYFILE_MAX);
		else
			snprintf(err, errlen, "%s: %s", path, age_strerror(e));
		goto out;
	}
	plain->p[plain->len] = '\0';
	rc = 0;
out:
	age_decrypt_free(d);
	age_identity_free(pid);
	if (pass != NULL)
		sodium_free(pass);
	if (rc != 0) {
		sodium_free(plain->p);
		plain->p = NULL;
	}
	return rc;
}

int
identity_load(struct keyfile_identities *l, const char *path, int passfd,
    char *err, size_t errlen)
{
	struct lbuf f = { NULL, 0, 0 }, plain = { NULL, 0, 0 };
	char name[PROMPT_MAX];
	int rc = -1;

	if (slurp(path, IDENTITY_FILE_MAX, &f, err, errlen) != 0)
		return -1;
	if (!is_age(&f)) {
		if (f.len > KEYFILE_MAX)
			snprintf(err, errlen, "%s: too large for a key file "
			    "(over %d bytes)", path, KEYFILE_MAX);
		else
			rc = parse_text(l, f.p, f.len, path, err, errlen);
		goto out;
	}
	if (!is_scrypt(&f)) {
		snprintf(err, errlen, "%s: an age file that is not protected by "
		    "a passphrase: not an identity file", path);
		goto out;
	}
	if (unprotect(&f, &plain, path, passfd, err, errlen) != 0)
		goto out;
	snprintf(name, sizeof(name), "%s (decrypted)", path);
	rc = parse_text(l, plain.p, plain.len, name, err, errlen);
out:
	if (plain.p != NULL)
		sodium_free(plain.p);
	sodium_free(f.p);
	return rc;
}
