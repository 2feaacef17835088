/*
 * trust.c — postern-open trust: pin the intake server's signing key, the
 * postern-server1… string `postern-admin server-key show` prints. Every
 * bundle is verified against the pinned key and refused whole otherwise.
 *
 * The trust file (default $HOME/.config/postern/server.pub, mode 0600,
 * its folder 0700) is text: '#' comment lines, then the one key line.
 *
 *   # Postern server key, pinned 2026-11-28T16:04:05Z
 *   # key id 1a2b3c4d5e6f7a8b
 *   postern-server1…
 *
 * A pin is never replaced without --replace; the same key again is fine.
 * A trust file that others may write is refused: whoever can change it
 * can make bundles of their own pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "postern/age.h"
#include "postern/sigkey.h"
#include "postern-open.h"

#define TRUST_FILE_MAX 4096
#define TRUST_DIR "/.config/postern"
#define TRUST_NAME "/server.pub"

int
trust_default_path(char *buf, size_t len, char *err, size_t errlen)
{
	const char *home = getenv("HOME");
	struct passwd *pw;
	int n;

	if (home == NULL || home[0] != '/') {
		if ((pw = getpwuid(getuid())) == NULL || pw->pw_dir == NULL ||
		    pw->pw_dir[0] != '/') {
			snprintf(err, errlen, "no home directory for the trust "
			    "file: use --trust-file");
			return -1;
		}
		home = pw->pw_dir;
	}
	n = snprintf(buf, len, "%s%s%s", home, TRUST_DIR, TRUST_NAME);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "%s: path too long", home);
		return -1;
	}
	return 0;
}

/* The one key line of text (NUL-terminated), or NULL. */
static char *
key_line(char *text)
{
	char *line, *next, *key = NULL;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (*line != '\0' && line[strlen(line) - 1] == '\r')
			line[strlen(line) - 1] = '\0';
		if (*line == '\0' || *line == '#')
			continue;
		if (key != NULL)
			return NULL;
		key = line;
	}
	return key;
}

int
trust_load(const char *path, uint8_t pk[SIGKEY_PUBLIC_BYTES], char *err,
    size_t errlen)
{
	char text[TRUST_FILE_MAX + 1], *key;
	struct stat sb;
	ssize_t n;
	size_t len = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		if (errno == ENOENT)
			snprintf(err, errlen, "no server key is pinned (%s does "
			    "not exist): run postern-open trust with the key "
			    "postern-admin server-key show prints", path);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    (sb.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
		snprintf(err, errlen, "%s: %s", path, !S_ISREG(sb.st_mode) ?
		    "not a regular file" : "others may write to this trust "
		    "file, so it cannot be trusted (chmod go-w)");
		close(fd);
		return -1;
	}
	while (len < sizeof(text) - 1) {
		n = read(fd, text + len, sizeof(text) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	text[len] = '\0';
	if (len == sizeof(text) - 1 || memchr(text, '\0', len) != NULL ||
	    (key = key_line(text)) == NULL || sigkey_parse_public(pk, key) != 0) {
		snprintf(err, errlen, "%s: not a Postern trust file (one "
		    "postern-server1... line)", path);
		return -1;
	}
	return 0;
}

/* mkdir -m 0700 $HOME/.config/postern, one level at a time. */
static int
make_dirs(const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	char *slash;
	size_t homelen;

	snprintf(dir, sizeof(dir), "%s", path);
	/* path is HOME TRUST_DIR TRUST_NAME: the two folders after HOME. */
	homelen = strlen(path) - strlen(TRUST_DIR TRUST_NAME);
	for (slash = dir + homelen + 1; (slash = strchr(slash, '/')) != NULL;
	    slash++) {
		*slash = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%.800s: %s", dir, strerror(errno));
			return -1;
		}
		*slash = '/';
	}
	return 0;
}

static int
write_pin(const char *path, const char *key, const char *kid, int replace)
{
	struct output o;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	FILE *f;
	int fd;

	if (output_open(&o, path, replace) != 0)
		return -1;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if ((fd = dup(o.fd)) < 0 || (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		open_fail("%s: %s", path, strerror(errno));
		output_abort(&o);
		return -1;
	}
	fprintf(f, "# Postern server key, pinned %s\n# key id %s\n%s\n", when,
	    kid, key);
	if (fclose(f) != 0) {
		open_fail("%s: %s", path, strerror(errno));
		output_abort(&o);
		return -1;
	}
	return replace ? output_replace(&o) : output_commit(&o);
}

/* What is pinned at path now: 0 nothing, 1 this key, 2 something else. */
static int
pinned_now(const char *path, const uint8_t pk[SIGKEY_PUBLIC_BYTES],
    char *old, size_t oldlen)
{
	uint8_t cur[SIGKEY_PUBLIC_BYTES];
	char err[OPEN_ERRLEN], s[SIGKEY_PUBLIC_STRLEN + 1];
	struct stat sb;

	snprintf(old, oldlen, "something that is not a server key");
	if (lstat(path, &sb) != 0)
		return 0;
	if (trust_load(path, cur, err, sizeof(err)) != 0)
		return 2;
	if (memcmp(cur, pk, sizeof(cur)) == 0)
		return 1;
	sigkey_format_public(cur, s, sizeof(s));
	snprintf(old, oldlen, "another server key (key id ");
	age_keyid(s, old + strlen(old), oldlen - strlen(old));
	strncat(old, ")", oldlen - strlen(old) - 1);
	return 2;
}

int
trust_main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "trust-file", required_argument, NULL, 'T' },
		{ "replace", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 }
	};
	uint8_t pk[SIGKEY_PUBLIC_BYTES];
	char key[SIGKEY_PUBLIC_STRLEN + 1], kid[AGE_KEYID_STRLEN + 1];
	char path[PATH_MAX], err[OPEN_ERRLEN], old[128], *pos[1] = { NULL };
	const char *file = NULL;
	size_t npos = 0;
	int ch, replace = 0, now;

	while ((ch = open_getopt(argc, argv, "+", lo, pos, 1, &npos)) != -1) {
		if (ch == 'T')
			file = optarg;
		else if (ch == 'F')
			replace = 1;
		else
			return open_usage();
	}
	if (npos != 1)
		return open_usage();
	if (sigkey_parse_public(pk, pos[0]) != 0) {
		open_fail("\"%.100s\" is not a server key (postern-server1... as "
		    "postern-admin server-key show prints it): mistyped?",
		    pos[0]);
		return 1;
	}
	sigkey_format_public(pk, key, sizeof(key));
	age_keyid(key, kid, sizeof(kid));
	if (file == NULL) {
		if (trust_default_path(path, sizeof(path), err,
		    sizeof(err)) != 0 || make_dirs(path, err, sizeof(err)) != 0) {
			open_fail("%s", err);
			return 1;
		}
	} else if (snprintf(path, sizeof(path), "%s", file) >=
	    (int)sizeof(path)) {
		open_fail("%s: path too long", file);
		return 1;
	}
	printf("Server key: %s\nKey id:     %s\n", key, kid);
	now = pinned_now(path, pk, old, sizeof(old));
	if (now == 1) {
		printf("Already trusted (%s).\n", path);
		return 0;
	}
	if (now == 2 && !replace) {
		open_fail("%s already pins %s; not replacing it without "
		    "--replace", path, old);
		return 1;
	}
	if (write_pin(path, key, kid, now == 2) != 0)
		return 1;
	printf("%s in %s. Compare the key id with the one the admin reads "
	    "out.\n", now == 2 ? "Replaced the pin" : "Pinned", path);
	return 0;
}
