/*
 * keyfile.c — age identity and recipients files. See keyfile.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/keyfile.h"

/* Read the whole file into locked memory, NUL-terminated. */
static char *
slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	int fd, stdin_ = strcmp(path, "-") == 0;
	char *buf;
	size_t len = 0;
	ssize_t n = 0;

	if ((buf = sodium_malloc(KEYFILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	fd = stdin_ ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		sodium_free(buf);
		return NULL;
	}
	for (;;) {
		n = read(fd, buf + len, KEYFILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > KEYFILE_MAX)
			break;
	}
	if (n < 0)
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
	else if (len > KEYFILE_MAX)
		snprintf(err, errlen, "%s: too large for a key file (over %d "
		    "bytes)", path, KEYFILE_MAX);
	if (!stdin_)
		close(fd);
	if (n < 0 || len > KEYFILE_MAX) {
		sodium_free(buf);
		return NULL;
	}
	buf[len] = '\0';
	*lenp = len;
	return buf;
}

/*
 * Call fn on each key line of the file (comments and blank lines
 * skipped, LF or CRLF). fn returns an age error for a bad line.
 */
typedef enum age_err (*line_fn)(void *list, const char *line);

static int
each_line(const char *path, void *list, line_fn fn, const char *what,
    size_t *added, char *err, size_t errlen)
{
	char *buf, *line, *next;
	size_t len, lineno = 0;
	enum age_err e;
	int rc = -1;

	*added = 0;
	if ((buf = slurp(path, &len, err, errlen)) == NULL)
		return -1;
	if (memchr(buf, '\0', len) != NULL) {
		snprintf(err, errlen, "%s: not a text file", path);
		goto out;
	}
	for (line = buf; line != NULL && *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (*added == KEYFILE_KEYS_MAX) {
			snprintf(err, errlen, "%s: more than %d keys", path,
			    KEYFILE_KEYS_MAX);
			goto out;
		}
		if ((e = fn(list, line)) != AGE_OK) {
			snprintf(err, errlen, "%s, line %zu: %s", path, lineno,
			    age_strerror(e));
			goto out;
		}
		(*added)++;
	}
	if (*added == 0) {
		snprintf(err, errlen, "%s: no %s found", path, what);
		goto out;
	}
	rc = 0;
out:
	sodium_free(buf); /* wipes the file's bytes */
	return rc;
}

int
keyfile_add_identity(struct keyfile_identities *l, struct age_identity *id)
{
	struct age_identity **v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	l->v[l->n++] = id;
	return 0;
}

int
keyfile_add_recipient(struct keyfile_recipients *l, struct age_recipient *r)
{
	struct age_recipient **v;

	if ((v = reallocarray(l->v, l->n + 1, sizeof(*v))) == NULL)
		return -1;
	l->v = v;
	l->v[l->n++] = r;
	return 0;
}

static enum age_err
identity_line(void *list, const char *line)
{
	struct age_identity *id;
	enum age_err e;

	if ((e = age_identity_parse(&id, line)) != AGE_OK)
		return e;
	if (keyfile_add_identity(list, id) != 0) {
		age_identity_free(id);
		return AGE_ERR_NOMEM;
	}
	return AGE_OK;
}

static enum age_err
recipient_line(void *list, const char *line)
{
	struct age_recipient *r;
	enum age_err e;

	if ((e = age_recipient_parse(&r, line)) != AGE_OK)
		return e;
	if (keyfile_add_recipient(list, r) != 0) {
		age_recipient_free(r);
		return AGE_ERR_NOMEM;
	}
	return AGE_OK;
}

int
keyfile_read_identities(struct keyfile_identities *l, const char *path,
    char *err, size_t errlen)
{
	size_t before = l->n, added;

	if (each_line(path, l, identity_line, "identity (AGE-SECRET-KEY-1...)",
	    &added, err, errlen) == 0)
		return 0;
	while (l->n > before)
		age_identity_free(l->v[--l->n]);
	return -1;
}

int
keyfile_read_recipients(struct keyfile_recipients *l, const char *path,
    char *err, size_t errlen)
{
	size_t before = l->n, added;

	if (each_line(path, l, recipient_line, "recipient (age1...)", &added,
	    err, errlen) == 0)
		return 0;
	while (l->n > before)
		age_recipient_free(l->v[--l->n]);
	return -1;
}

void
keyfile_identities_clear(struct keyfile_identities *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		age_identity_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

void
keyfile_recipients_clear(struct keyfile_recipients *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		age_recipient_free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
