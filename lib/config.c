/*
 * config.c — posternd's configuration file. See config.h.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postern/config.h"

/* How much of an untrusted value an error message quotes. */
#define QUOTE_MAX 64
/* How much of the file's path an error message shows. */
#define PATH_SHOWN_MAX 200

enum kind { K_LISTEN, K_BOOL, K_PATH, K_SIZE, K_UINT, K_LANG, K_UNCLEANABLE };

/*
 * Every key the file may hold. off/len locate the field; min/max bound
 * sizes and integers. A new key is one row here, one field in config.h
 * and one paragraph in deploy/posternd.conf.sample.
 */
static const struct key {
	const char *name;
	enum kind kind;
	size_t off;
	size_t len;
	uint64_t min, max;
	int required;
} keys[] = {
#define F(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)
    {"listen", K_LISTEN, 0, 0, 0, 0, 1},
    {"allow_nonlocal", K_BOOL, F(allow_nonlocal), 0, 1, 0},
    {"state_dir", K_PATH, F(state_dir), 0, 0, 1},
    {"recipients_file", K_PATH, F(recipients_file), 0, 0, 1},
    {"templates_dir", K_PATH, F(templates_dir), 0, 0, 0},
    {"max_file_size", K_SIZE, F(max_file_size), 1, CONFIG_SIZE_MAX, 0},
    {"max_submission_size", K_SIZE, F(max_submission_size), 1, CONFIG_SIZE_MAX,
	0},
    {"max_message_size", K_SIZE, F(max_message_size), 1, CONFIG_SIZE_MAX, 0},
    {"max_files", K_UINT, F(max_files), 1, CONFIG_MAX_FILES_MAX, 0},
    {"max_uploads", K_UINT, F(max_uploads), 1, CONFIG_MAX_UPLOADS_MAX, 0},
    {"max_workers", K_UINT, F(max_workers), 1, CONFIG_MAX_WORKERS_MAX, 0},
    /* 0 is a meaningful floor: no free-space check. */
    {"min_free_disk", K_SIZE, F(min_free_disk), 0, CONFIG_SIZE_MAX, 0},
    {"default_lang", K_LANG, F(default_lang), 0, 0, 0},
    {"uncleanable", K_UNCLEANABLE, F(uncleanable), 0, 0, 0},
    {"keep_original", K_BOOL, F(keep_original), 0, 1, 0},
#undef F
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* Everything one load needs, in one allocation so the stack stays small. */
struct parse {
	struct config cf; /* built here, copied out on success */
	const char *path;
	char base[CONFIG_PATH_MAX]; /* absolute directory of the file */
	char tmp[CONFIG_PATH_MAX];  /* scratch for a resolved path */
	size_t seen[NKEYS];	    /* line each key was set on, or 0 */
	size_t lineno;
	int listen_local; /* Unix socket or loopback address */
	char *err;
	size_t errlen;
};

/* The struct field a key sets. */
static void *
field(struct parse *p, const struct key *k)
{
	return (char *)&p->cf + k->off;
}

/* The line a key was set on, or 0; by name so no index is hard-coded. */
static size_t
seen(const struct parse *p, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strcmp(keys[i].name, name) == 0)
			return p->seen[i];
	return 0;
}

void
config_defaults(struct config *cf)
{
	memset(cf, 0, sizeof(*cf));
	/* Sizes this file defines; the strings fit. */
	memcpy(cf->templates_dir, "templates", sizeof("templates"));
	cf->max_file_size = (uint64_t)500 << 20;
	cf->max_submission_size = (uint64_t)1 << 30;
	cf->max_message_size = (uint64_t)64 << 10;
	cf->max_files = 20;
	cf->max_uploads = 64;
	cf->max_workers = 2;
	cf->min_free_disk = (uint64_t)1 << 30;
	memcpy(cf->default_lang, "en", sizeof("en"));
	cf->uncleanable = CONFIG_UNCLEANABLE_STORE;
	cf->keep_original = 0;
}

/*
 * "FILE: msg", or "FILE:LINE: msg" once parsing has reached a line. A
 * path too long to leave room for the message is cut to "..." and its
 * tail, so the line number and the reason always fit in CONFIG_ERRLEN.
 */
static void __attribute__((format(printf, 2, 3)))
fail(struct parse *p, const char *fmt, ...)
{
	char msg[CONFIG_ERRLEN];
	const char *shown = p->path, *dots = "";
	size_t plen = strlen(p->path);
	va_list ap;

	if (p->err == NULL || p->errlen == 0)
		return;
	if (plen > PATH_SHOWN_MAX) {
		shown = p->path + plen - (PATH_SHOWN_MAX - 3);
		dots = "...";
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->lineno > 0)
		snprintf(p->err, p->errlen, "%s%s:%zu: %s", dots, shown,
		    p->lineno, msg);
	else
		snprintf(p->err, p->errlen, "%s%s: %s", dots, shown, msg);
}

/*
 * Copy an untrusted value for an error message: cut to QUOTE_MAX bytes
 * and every byte outside printable ASCII shown as '?', so a stray byte
 * cannot drive the admin's terminal.
 */
static const char *
quote(char *dst, size_t dstlen, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < dstlen && i < QUOTE_MAX; i++)
		dst[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[i] = '\0';
	if (s[i] != '\0' && i >= 3)
		memcpy(dst + i - 3, "...", 3);
	return dst;
}

/* Read the whole file, NUL-terminated, into a fresh malloc'd buffer. */
static char *
slurp(struct parse *p, size_t *lenp)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO put in the config's place must not hang us. */
	if ((fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0) {
		fail(p, "%s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0) {
		fail(p, "%s", strerror(errno));
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		fail(p, "not a regular file");
		goto err;
	}
	/* Whoever can write it can name the recipients sources encrypt to. */
	if (st.st_mode & S_IWOTH) {
		fail(p, "writable by every user; run chmod o-w on it");
		goto err;
	}
	if ((buf = malloc(CONFIG_FILE_MAX + 1)) == NULL) {
		fail(p, "out of memory");
		goto err;
	}
	while (len <= CONFIG_FILE_MAX) {
		n = read(fd, buf + len, CONFIG_FILE_MAX + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fail(p, "%s", strerror(errno));
			goto err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONFIG_FILE_MAX) {
		fail(p, "larger than %d bytes; not a config file",
		    CONFIG_FILE_MAX);
		goto err;
	}
	close(fd);
	buf[len] = '\0';
	*lenp = len;
	return buf;
err:
	free(buf);
	close(fd);
	return NULL;
}

/* The absolute directory holding the config file, for relative paths. */
static int
find_base(struct parse *p)
{
	const char *slash = strrchr(p->path, '/');
	char cwd[CONFIG_PATH_MAX];
	size_t dirlen;
	int n;

	if (slash == p->path) {
		memcpy(p->base, "/", sizeof("/"));
		return 0;
	}
	dirlen = slash == NULL ? 0 : (size_t)(slash - p->path);
	if (p->path[0] == '/')
		n = snprintf(
		    p->base, sizeof(p->base), "%.*s", (int)dirlen, p->path);
	else {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			fail(p, "cannot find the working directory: %s",
			    strerror(errno));
			return -1;
		}
		n = snprintf(p->base, sizeof(p->base), "%s%s%.*s", cwd,
		    dirlen > 0 && strcmp(cwd, "/") != 0 ? "/" : "", (int)dirlen,
		    p->path);
	}
	if (n < 0 || (size_t)n >= sizeof(p->base)) {
		fail(p, "the directory holding the file has too long a path");
		return -1;
	}
	return 0;
}

/* Resolve v against the file's directory into dst; -1 if it won't fit. */
static int
resolve(const struct parse *p, const char *v, char *dst, size_t dstlen)
{
	size_t blen = strlen(p->base);
	int n;

	if (v[0] == '/')
		n = snprintf(dst, dstlen, "%s", v);
	else
		n = snprintf(dst, dstlen, "%s%s%s", p->base,
		    blen > 0 && p->base[blen - 1] == '/' ? "" : "/", v);
	return n < 0 || (size_t)n >= dstlen ? -1 : 0;
}

/*
 * Digits only, into *out, at most max. Returns -1 for anything that is
 * not a run of decimal digits, -2 for a number over max (overflow
 * included: the loop stops before it could wrap).
 */
static int
parse_digits(const char **sp, uint64_t max, uint64_t *out)
{
	const char *s = *sp;
	uint64_t v = 0, d;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (uint64_t)(*s - '0');
		if (v > (max - d) / 10)
			return -2;
		v = v * 10 + d;
	}
	*sp = s;
	*out = v;
	return 0;
}

static int
set_size(struct parse *p, const struct key *k, const char *v)
{
	char q[QUOTE_MAX + 1];
	const char *s = v;
	uint64_t n, mult = 1;
	int rc;

	if ((rc = parse_digits(&s, UINT64_MAX, &n)) == 0) {
		switch (*s) {
		case 'K':
		case 'k':
			mult = (uint64_t)1 << 10;
			s++;
			break;
		case 'M':
		case 'm':
			mult = (uint64_t)1 << 20;
			s++;
			break;
		case 'G':
		case 'g':
			mult = (uint64_t)1 << 30;
			s++;
			break;
		}
		if (*s != '\0')
			rc = -1;
		else if (n > k->max / mult)
			rc = -2;
	}
	if (rc == -1) {
		fail(p,
		    "%s: \"%s\" is not a size (a byte count, or a number "
		    "with K, M or G)",
		    k->name, quote(q, sizeof(q), v));
		return -1;
	}
	if (rc == -2) {
		fail(p, "%s: \"%s\" is too large (at most %lluG)", k->name,
		    quote(q, sizeof(q), v), (unsigned long long)(k->max >> 30));
		return -1;
	}
	if (n * mult < k->min) {
		fail(p, "%s must not be 0", k->name);
		return -1;
	}
	*(uint64_t *)field(p, k) = n * mult;
	return 0;
}

static int
set_uint(struct parse *p, const struct key *k, const char *v)
{
	const char *s = v;
	uint64_t n;

	if (parse_digits(&s, k->max, &n) != 0 || *s != '\0' || n < k->min) {
		fail(p, "%s must be a whole number from %llu to %llu", k->name,
		    (unsigned long long)k->min, (unsigned long long)k->max);
		return -1;
	}
	*(unsigned *)field(p, k) = (unsigned)n;
	return 0;
}

static int
set_bool(struct parse *p, const struct key *k, const char *v)
{
	int b;

	if (strcmp(v, "yes") == 0)
		b = 1;
	else if (strcmp(v, "no") == 0)
		b = 0;
	else {
		fail(p, "%s must be yes or no", k->name);
		return -1;
	}
	*(int *)field(p, k) = b;
	return 0;
}

static int
set_path(struct parse *p, const struct key *k, const char *v)
{
	if (resolve(p, v, field(p, k), k->len) != 0) {
		fail(p,
		    "%s: the path is too long (over %zu bytes once "
		    "resolved)",
		    k->name, k->len - 1);
		return -1;
	}
	return 0;
}

/* [a-z]{2,3}(-[A-Z]{2})?: the tags the templates' folders are named by. */
static int
set_lang(struct parse *p, const struct key *k, const char *v)
{
	char q[QUOTE_MAX + 1];
	size_t i = 0, j;

	while (v[i] >= 'a' && v[i] <= 'z')
		i++;
	j = i;
	if (v[i] == '-')
		for (j = i + 1; v[j] >= 'A' && v[j] <= 'Z'; j++)
			;
	if (i < 2 || i > 3 || v[j] != '\0' || (j != i && j != i + 3) ||
	    j >= k->len) {
		fail(p,
		    "%s: \"%s\" is not a language tag such as en, ast or "
		    "pt-BR",
		    k->name, quote(q, sizeof(q), v));
		return -1;
	}
	memcpy(field(p, k), v, j + 1);
	return 0;
}

static int
set_uncleanable(struct parse *p, const struct key *k, const char *v)
{
	char q[QUOTE_MAX + 1];
	enum config_uncleanable u;

	if (strcmp(v, "store") == 0)
		u = CONFIG_UNCLEANABLE_STORE;
	else if (strcmp(v, "refuse") == 0)
		u = CONFIG_UNCLEANABLE_REFUSE;
	else {
		fail(p,
		    "%s: \"%s\" is not a choice: store (keep such a file as "
		    "uploaded, marked NOT CLEANED) or refuse (refuse the "
		    "submission)",
		    k->name, quote(q, sizeof(q), v));
		return -1;
	}
	*(enum config_uncleanable *)field(p, k) = u;
	return 0;
}

static int
listen_unix(struct parse *p, const char *v)
{
	if (*v == '\0') {
		fail(p, "listen: unix: needs a socket path");
		return -1;
	}
	if (resolve(p, v, p->cf.listen_path, sizeof(p->cf.listen_path)) != 0) {
		fail(p,
		    "listen: the socket path is too long: a Unix socket "
		    "path must be under %zu bytes once resolved",
		    sizeof(p->cf.listen_path));
		return -1;
	}
	p->cf.listen_unix = 1;
	p->cf.listen_host[0] = '\0';
	p->cf.listen_port = 0;
	p->listen_local = 1;
	return 0;
}

/* "A.B.C.D:PORT" or "[IPv6]:PORT", numeric only: no name is resolved. */
static int
listen_inet(struct parse *p, const char *v)
{
	char q[QUOTE_MAX + 1], host[sizeof(p->cf.listen_host)] = "";
	const char *hs = v, *he, *port;
	struct in6_addr a6;
	struct in_addr a4;
	uint64_t n;
	int v6 = v[0] == '[';

	if (v6) {
		hs = v + 1;
		if ((he = strchr(hs, ']')) == NULL || he[1] != ':')
			goto syntax;
		port = he + 2;
	} else {
		if ((he = strrchr(v, ':')) == NULL)
			goto syntax;
		if (memchr(v, ':', (size_t)(he - v)) != NULL) {
			fail(p,
			    "listen: put an IPv6 address in brackets, "
			    "as in [::1]:8080");
			return -1;
		}
		port = he + 1;
	}
	if (he == hs || (size_t)(he - hs) >= sizeof(host) ||
	    snprintf(host, sizeof(host), "%.*s", (int)(he - hs), hs) < 0 ||
	    (v6 ? inet_pton(AF_INET6, host, &a6)
		: inet_pton(AF_INET, host, &a4)) != 1) {
		fail(p,
		    "listen: \"%s\" is not a numeric %s address (names "
		    "are not resolved)",
		    quote(q, sizeof(q), v), v6 ? "IPv6" : "IPv4");
		return -1;
	}
	if (parse_digits(&port, 65535, &n) != 0 || *port != '\0' || n == 0) {
		fail(p, "listen: the port must be a number from 1 to 65535");
		return -1;
	}
	p->cf.listen_unix = 0;
	p->cf.listen_path[0] = '\0';
	memcpy(p->cf.listen_host, host, sizeof(host));
	p->cf.listen_port = (int)n;
	p->listen_local =
	    v6 ? IN6_IS_ADDR_LOOPBACK(&a6) : (ntohl(a4.s_addr) >> 24) == 127;
	return 0;
syntax:
	fail(p,
	    "listen: expected unix:PATH, ADDRESS:PORT or [IPv6]:PORT, "
	    "not \"%s\"",
	    quote(q, sizeof(q), v));
	return -1;
}

static int
set_listen(struct parse *p, const char *v)
{
	if (strncmp(v, "unix:", 5) == 0)
		return listen_unix(p, v + 5);
	return listen_inet(p, v);
}

static char *
trim(char *s, char *e)
{
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		e--;
	*e = '\0';
	return s;
}

static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

/* One line, its ending already cut off and NUL-terminated at end. */
static int
parse_line(struct parse *p, char *line, char *end)
{
	char q[QUOTE_MAX + 1], *eq, *k, *v;
	size_t i;

	/* The line ending is not counted, CR of a CRLF included. */
	if ((size_t)(end - line) - (end > line && end[-1] == '\r') >
	    CONFIG_LINE_MAX) {
		fail(p, "line longer than %d bytes", CONFIG_LINE_MAX);
		return -1;
	}
	line = trim(line, end);
	if (*line == '\0' || *line == '#')
		return 0;
	if ((eq = strchr(line, '=')) == NULL || eq == line) {
		fail(p, "expected \"key = value\"");
		return -1;
	}
	v = trim(eq + 1, line + strlen(line));
	k = trim(line, eq);
	/* Blanks around '=' are gone; a tab or CR left is inside a word. */
	if (has_control(k) || has_control(v)) {
		fail(p, "control character in line");
		return -1;
	}
	for (i = 0; i < NKEYS && strcmp(keys[i].name, k) != 0; i++)
		;
	if (i == NKEYS) {
		fail(p, "unknown key \"%s\"", quote(q, sizeof(q), k));
		return -1;
	}
	if (p->seen[i] != 0) {
		fail(p, "%s given twice (first on line %zu)", k, p->seen[i]);
		return -1;
	}
	p->seen[i] = p->lineno;
	if (*v == '\0') {
		fail(p, "%s has no value", k);
		return -1;
	}
	switch (keys[i].kind) {
	case K_LISTEN:
		return set_listen(p, v);
	case K_BOOL:
		return set_bool(p, &keys[i], v);
	case K_PATH:
		return set_path(p, &keys[i], v);
	case K_SIZE:
		return set_size(p, &keys[i], v);
	case K_UINT:
		return set_uint(p, &keys[i], v);
	case K_LANG:
		return set_lang(p, &keys[i], v);
	case K_UNCLEANABLE:
		return set_uncleanable(p, &keys[i], v);
	}
	return -1;
}

static int
parse_lines(struct parse *p, char *buf, size_t len)
{
	char *line, *nl, *end = buf + len;

	for (line = buf; line < end; line = nl + 1) {
		p->lineno++;
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		if (memchr(line, '\0', (size_t)(nl - line)) != NULL) {
			fail(p, "NUL byte; not a text file");
			return -1;
		}
		*nl = '\0';
		if (parse_line(p, line, nl) != 0)
			return -1;
	}
	return 0;
}

/* What can only be judged once every line is read. */
static int
check_whole(struct parse *p)
{
	char missing[128];
	size_t i, off = 0, nmissing = 0;
	int n;

	p->lineno = 0;
	for (i = 0; i < NKEYS; i++) {
		if (!keys[i].required || p->seen[i] != 0)
			continue;
		/* The names are ours and short: the buffer holds them all. */
		n = snprintf(missing + off, sizeof(missing) - off, "%s%s",
		    nmissing++ > 0 ? ", " : "", keys[i].name);
		if (n > 0 && (size_t)n < sizeof(missing) - off)
			off += (size_t)n;
	}
	if (nmissing > 0) {
		fail(p, "required key%s missing: %s", nmissing > 1 ? "s" : "",
		    missing);
		return -1;
	}
	if (!p->listen_local && !p->cf.allow_nonlocal) {
		p->lineno = seen(p, "listen");
		fail(p,
		    "posternd listens only on loopback or a Unix socket: "
		    "tor reaches it there; set allow_nonlocal = yes to "
		    "override");
		return -1;
	}
	/* Only the default can still be relative: resolve it the same way. */
	if (seen(p, "templates_dir") == 0) {
		if (resolve(p, p->cf.templates_dir, p->tmp, sizeof(p->tmp)) !=
		    0) {
			fail(p,
			    "templates_dir: the default path is too long "
			    "once resolved");
			return -1;
		}
		memcpy(p->cf.templates_dir, p->tmp, sizeof(p->tmp));
	}
	return 0;
}

int
config_load(struct config *cf, const char *path, char *err, size_t errlen)
{
	struct parse *p;
	char *buf = NULL;
	size_t len;
	int rc = -1;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	p->path = path;
	p->err = err;
	p->errlen = errlen;
	config_defaults(&p->cf);
	if (find_base(p) != 0)
		goto err;
	if ((buf = slurp(p, &len)) == NULL)
		goto err;
	if (parse_lines(p, buf, len) != 0)
		goto err;
	if (check_whole(p) != 0)
		goto err;
	*cf = p->cf;
	rc = 0;
err:
	free(buf);
	free(p);
	return rc;
}
