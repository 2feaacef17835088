/*
 * template.c — the pages shown to sources. See template.h.
 *
 * Each file is parsed once, at load, into segments: runs of literal text
 * and {{name}} tags. Rendering walks the segments twice, once to size the
 * output and check every variable is given, once to fill it, so the
 * output is the only buffer that ever holds the values.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "postern/template.h"

#define PAGE_NAME_MAX 32
#define SUFFIX ".html"
#define REPLACEMENT "\xef\xbf\xbd" /* U+FFFD, 3 bytes */

struct segment {
	size_t off, len; /* into the page's text */
	int tag;	 /* 1: the text is a variable's name */
};

struct page {
	char name[PAGE_NAME_MAX + 1];
	char *text;
	size_t len;
	struct segment *seg;
	size_t nseg;
};

struct lang {
	char code[TEMPLATE_LANG_MAX + 1];
	struct page *pages;
	size_t npages;
};

struct template_set {
	struct lang *langs;
	size_t nlangs;
	char *css;
	size_t csslen;
};

/*
 * Length of the valid UTF-8 sequence at p (RFC 3629), or 0 if there is
 * none. p is NUL-terminated or has at least 4 readable bytes: a NUL is
 * never a continuation byte, so this stops there.
 */
static size_t
utf8_len(const unsigned char *p)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (p[0] == 0xe0)
		lo = 0xa0; /* overlong */
	else if (p[0] == 0xed)
		hi = 0x9f; /* surrogates */
	else if (p[0] == 0xf0)
		lo = 0x90; /* overlong */
	else if (p[0] == 0xf4)
		hi = 0x8f; /* past U+10FFFF */
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* A control character HTML calls a parse error: C0 but TAB LF CR, DEL, C1. */
static int
is_control(const unsigned char *p, size_t n)
{
	if (n == 1)
		return (p[0] < 0x20 && p[0] != '\t' && p[0] != '\n' &&
		    p[0] != '\r') || p[0] == 0x7f;
	return n == 2 && p[0] == 0xc2 && p[1] < 0xa0;
}

/*
 * Escape s into out (if not NULL) and return the escaped length, or
 * (size_t)-1 once it passes cap. Counting and writing share this code so
 * they cannot disagree.
 */
static size_t
escape(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	const char *rep;
	size_t len = 0, n, rn;

	while (*p != '\0') {
		n = utf8_len(p);
		rep = NULL;
		if (n == 0 || is_control(p, n))
			rep = REPLACEMENT;
		else if (*p == '&')
			rep = "&amp;";
		else if (*p == '<')
			rep = "&lt;";
		else if (*p == '>')
			rep = "&gt;";
		else if (*p == '"')
			rep = "&quot;";
		else if (*p == '\'')
			rep = "&#39;";
		if (n == 0)
			n = 1;
		rn = rep != NULL ? strlen(rep) : n;
		if (rn > cap - len)
			return (size_t)-1;
		if (out != NULL)
			memcpy(out + len, rep != NULL ? rep : (const char *)p,
			    rn);
		len += rn;
		p += n;
	}
	return len;
}

char *
template_escape(const char *s)
{
	size_t len;
	char *out;

	if ((len = escape(s, NULL, TEMPLATE_OUT_MAX)) == (size_t)-1) {
		errno = EFBIG;
		return NULL;
	}
	if ((out = malloc(len + 1)) == NULL)
		return NULL;
	escape(s, out, len);
	out[len] = '\0';
	return out;
}

static int
is_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

static int
is_name_char(int c)
{
	return is_lower(c) || (c >= '0' && c <= '9') || c == '_';
}

/* [a-z]{2,3}(-[A-Z]{2})? */
static int
valid_lang(const char *s)
{
	size_t n = 0;

	while (is_lower(s[n]))
		n++;
	if (n < 2 || n > 3)
		return 0;
	if (s[n] == '\0')
		return 1;
	return s[n] == '-' && s[n + 1] >= 'A' && s[n + 1] <= 'Z' &&
	    s[n + 2] >= 'A' && s[n + 2] <= 'Z' && s[n + 3] == '\0';
}

/* [a-z0-9_-]{1,PAGE_NAME_MAX} */
static int
valid_page(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > PAGE_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!is_name_char(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

/* Read a whole regular file of at most TEMPLATE_MAX bytes, NUL-terminated. */
static char *
slurp(const char *path, size_t *lenp, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		goto err;
	}
	if ((buf = malloc(TEMPLATE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto err;
	}
	/* Read one byte past the cap to see a file that grew since fstat. */
	for (;;) {
		n = read(fd, buf + len, TEMPLATE_MAX + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			goto err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > TEMPLATE_MAX) {
			snprintf(err, errlen, "%s: larger than %d bytes", path,
			    TEMPLATE_MAX);
			goto err;
		}
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

/* Check the text is UTF-8 with no NUL; report the first bad line. */
static int
check_text(const char *path, const char *text, size_t len, char *err,
    size_t errlen)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t i = 0, n, line = 1;

	while (i < len) {
		if (p[i] == '\0') {
			snprintf(err, errlen, "%s, line %zu: a NUL byte, not "
			    "text", path, line);
			return -1;
		}
		/* text[len] is NUL, so utf8_len stops at the end. */
		if ((n = utf8_len(p + i)) == 0) {
			snprintf(err, errlen, "%s, line %zu: not valid UTF-8",
			    path, line);
			return -1;
		}
		if (p[i] == '\n')
			line++;
		i += n;
	}
	return 0;
}

static int
add_segment(struct page *pg, size_t off, size_t len, int tag)
{
	struct segment *v;

	if (len == 0)
		return 0;
	v = reallocarray(pg->seg, pg->nseg + 1, sizeof(*v));
	if (v == NULL)
		return -1;
	pg->seg = v;
	pg->seg[pg->nseg].off = off;
	pg->seg[pg->nseg].len = len;
	pg->seg[pg->nseg].tag = tag;
	pg->nseg++;
	return 0;
}

/* Cut the page's text into literal runs and {{name}} tags. */
static int
parse(struct page *pg, const char *path, char *err, size_t errlen)
{
	const char *s = pg->text, *p, *q;
	size_t i = 0, lit = 0, line = 1, tags = 0;

	while (i < pg->len) {
		p = s + i;
		if (p[0] == '}' && p[1] == '}') {
			snprintf(err, errlen, "%s, line %zu: \"}}\" with no "
			    "\"{{\" before it", path, line);
			return -1;
		}
		if (p[0] != '{' || p[1] != '{') {
			if (p[0] == '\n')
				line++;
			i++;
			continue;
		}
		for (q = p + 2; is_name_char(*q); q++)
			;
		if (q == p + 2 || q - (p + 2) > TEMPLATE_NAME_MAX ||
		    q[0] != '}' || q[1] != '}') {
			snprintf(err, errlen, "%s, line %zu: a tag must be "
			    "{{name}}, name being a-z, 0-9 and _ (at most %d "
			    "bytes)", path, line, TEMPLATE_NAME_MAX);
			return -1;
		}
		if (++tags > TEMPLATE_TAGS_MAX) {
			snprintf(err, errlen, "%s: more than %d tags", path,
			    TEMPLATE_TAGS_MAX);
			return -1;
		}
		if (add_segment(pg, lit, i - lit, 0) == -1 ||
		    add_segment(pg, i + 2, (size_t)(q - (p + 2)), 1) == -1) {
			snprintf(err, errlen, "%s: out of memory", path);
			return -1;
		}
		i = (size_t)(q + 2 - s);
		lit = i;
	}
	if (add_segment(pg, lit, i - lit, 0) == -1) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	return 0;
}

static int
page_load(struct page *pg, const char *path, char *err, size_t errlen)
{
	if ((pg->text = slurp(path, &pg->len, err, errlen)) == NULL)
		return -1;
	if (check_text(path, pg->text, pg->len, err, errlen) == -1)
		return -1;
	return parse(pg, path, err, errlen);
}

static void
page_clear(struct page *pg)
{
	free(pg->text);
	free(pg->seg);
	pg->text = NULL;
	pg->seg = NULL;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
names_free(char **v, size_t n)
{
	while (n > 0)
		free(v[--n]);
	free(v);
}

/*
 * The sorted names of dir's entries that keep() accepts, at most max
 * (what they are, for the error).
 * keep returns 1 to take, 0 to skip, -1 to fail (having set err).
 */
typedef int (*keep_fn)(int dfd, const char *dir, const char *name,
    char *err, size_t errlen);

static int
list_dir(const char *dir, keep_fn keep, size_t max, const char *what,
    char ***vp, size_t *np, char *err, size_t errlen)
{
	struct dirent *de;
	char **v = NULL, **nv;
	size_t n = 0;
	DIR *d;
	int k;

	if ((d = opendir(dir)) == NULL) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	for (;;) {
		errno = 0; /* readdir returns NULL at the end and on error */
		if ((de = readdir(d)) == NULL)
			break;
		if ((k = keep(dirfd(d), dir, de->d_name, err, errlen)) == -1)
			goto err;
		if (k == 0)
			continue;
		if (n == max) {
			snprintf(err, errlen, "%s: more than %zu %s", dir, max,
			    what);
			goto err;
		}
		if ((nv = reallocarray(v, n + 1, sizeof(*v))) == NULL)
			goto nomem;
		v = nv;
		if ((v[n] = strdup(de->d_name)) == NULL)
			goto nomem;
		n++;
	}
	if (errno != 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		goto err;
	}
	closedir(d);
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	*vp = v;
	*np = n;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", dir);
err:
	names_free(v, n);
	closedir(d);
	return -1;
}

static int
keep_lang(int dfd, const char *dir, const char *name, char *err,
    size_t errlen)
{
	struct stat st;

	if (!valid_lang(name))
		return 0;
	if (fstatat(dfd, name, &st, 0) == -1) {
		snprintf(err, errlen, "%s/%s: %s", dir, name, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode);
}

static int
keep_page(int dfd, const char *dir, const char *name, char *err,
    size_t errlen)
{
	size_t n = strlen(name), sn = strlen(SUFFIX);

	(void)dfd;
	if (name[0] == '.' || n <= sn || strcmp(name + n - sn, SUFFIX) != 0)
		return 0;
	if (!valid_page(name, n - sn)) {
		snprintf(err, errlen, "%s/%s: a page's name must be a-z, 0-9, "
		    "_ and - (at most %d) before \".html\"", dir, name,
		    PAGE_NAME_MAX);
		return -1;
	}
	return 1;
}

static int
lang_load(struct lang *l, const char *dir, const char *code, char *err,
    size_t errlen)
{
	char ldir[PATH_MAX], path[PATH_MAX];
	char **names = NULL;
	size_t n = 0, i;
	int rc = -1, w;

	memcpy(l->code, code, strlen(code) + 1); /* valid_lang: short */
	w = snprintf(ldir, sizeof(ldir), "%s/%s", dir, code);
	if (w < 0 || (size_t)w >= sizeof(ldir)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if (list_dir(ldir, keep_page, TEMPLATE_PAGES_MAX, "pages", &names, &n,
	    err, errlen) == -1)
		return -1;
	if (n == 0) {
		snprintf(err, errlen, "%s: no pages (*.html)", ldir);
		goto out;
	}
	if ((l->pages = calloc(n, sizeof(*l->pages))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", ldir);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct page *pg = &l->pages[l->npages++];

		w = snprintf(path, sizeof(path), "%s/%s", ldir, names[i]);
		if (w < 0 || (size_t)w >= sizeof(path)) {
			snprintf(err, errlen, "%s: path too long", ldir);
			goto out;
		}
		/* keep_page: the name is short and ends in SUFFIX. */
		memcpy(pg->name, names[i], strlen(names[i]) - strlen(SUFFIX));
		if (page_load(pg, path, err, errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	names_free(names, n);
	return rc;
}

static void
lang_clear(struct lang *l)
{
	size_t i;

	for (i = 0; i < l->npages; i++)
		page_clear(&l->pages[i]);
	free(l->pages);
	l->pages = NULL;
	l->npages = 0;
}

static const struct page *
find_page(const struct lang *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->npages; i++)
		if (strcmp(l->pages[i].name, name) == 0)
			return &l->pages[i];
	return NULL;
}

/* The first tag of a that b does not use, or NULL. */
static const struct segment *
tag_missing(const struct page *a, const struct page *b)
{
	const struct segment *sa, *sb;
	size_t i, j;

	for (i = 0; i < a->nseg; i++) {
		sa = &a->seg[i];
		if (!sa->tag)
			continue;
		for (j = 0; j < b->nseg; j++) {
			sb = &b->seg[j];
			if (sb->tag && sb->len == sa->len &&
			    memcmp(b->text + sb->off, a->text + sa->off,
			    sa->len) == 0)
				break;
		}
		if (j == b->nseg)
			return sa;
	}
	return NULL;
}

/* Check that page p of language l and its twin in ref use the same tags. */
static int
same_tags(const char *dir, const struct lang *ref, const struct lang *l,
    const struct page *p, char *err, size_t errlen)
{
	const struct page *rp = find_page(ref, p->name);
	const struct segment *s;

	if (rp == NULL) {
		snprintf(err, errlen, "%s/%s/%s.html: %s/%s has no such page",
		    dir, l->code, p->name, dir, ref->code);
		return -1;
	}
	if ((s = tag_missing(rp, p)) != NULL) {
		snprintf(err, errlen, "%s/%s/%s.html: does not use {{%.*s}}, "
		    "which %s/%s/%s.html uses", dir, l->code, p->name,
		    (int)s->len, rp->text + s->off, dir, ref->code, p->name);
		return -1;
	}
	if ((s = tag_missing(p, rp)) != NULL) {
		snprintf(err, errlen, "%s/%s/%s.html: uses {{%.*s}}, which "
		    "%s/%s/%s.html does not", dir, l->code, p->name,
		    (int)s->len, p->text + s->off, dir, ref->code, p->name);
		return -1;
	}
	return 0;
}

/*
 * Every language has the same pages with the same tags as the reference
 * language ("en" if loaded, else the first): the server gives one set of
 * variables whatever language the source picked.
 */
static int
check_langs(const struct template_set *t, const char *dir, char *err,
    size_t errlen)
{
	const struct lang *ref = &t->langs[0], *l;
	size_t i, j;

	for (i = 0; i < t->nlangs; i++)
		if (strcmp(t->langs[i].code, "en") == 0)
			ref = &t->langs[i];
	for (i = 0; i < t->nlangs; i++) {
		l = &t->langs[i];
		if (l == ref)
			continue;
		for (j = 0; j < ref->npages; j++)
			if (find_page(l, ref->pages[j].name) == NULL) {
				snprintf(err, errlen, "%s/%s: no %s.html, "
				    "which %s/%s has", dir, l->code,
				    ref->pages[j].name, dir, ref->code);
				return -1;
			}
		for (j = 0; j < l->npages; j++)
			if (same_tags(dir, ref, l, &l->pages[j], err,
			    errlen) == -1)
				return -1;
	}
	return 0;
}

static int
css_load(struct template_set *t, const char *dir, char *err, size_t errlen)
{
	char path[PATH_MAX];
	int w;

	w = snprintf(path, sizeof(path), "%s/style.css", dir);
	if (w < 0 || (size_t)w >= sizeof(path)) {
		snprintf(err, errlen, "%s: path too long", dir);
		return -1;
	}
	if ((t->css = slurp(path, &t->csslen, err, errlen)) == NULL)
		return -1;
	return check_text(path, t->css, t->csslen, err, errlen);
}

struct template_set *
template_load(const char *dir, char *err, size_t errlen)
{
	struct template_set *t;
	char **codes = NULL;
	size_t n = 0, i;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", dir);
		return NULL;
	}
	if (css_load(t, dir, err, errlen) == -1)
		goto err;
	if (list_dir(dir, keep_lang, TEMPLATE_LANGS_MAX, "languages", &codes,
	    &n, err, errlen) == -1)
		goto err;
	if (n == 0) {
		snprintf(err, errlen, "%s: no language directory (such as "
		    "en/)", dir);
		goto err;
	}
	if ((t->langs = calloc(n, sizeof(*t->langs))) == NULL) {
		snprintf(err, errlen, "%s: out of memory", dir);
		goto err;
	}
	for (i = 0; i < n; i++)
		if (lang_load(&t->langs[t->nlangs++], dir, codes[i], err,
		    errlen) == -1)
			goto err;
	if (check_langs(t, dir, err, errlen) == -1)
		goto err;
	names_free(codes, n);
	return t;
err:
	names_free(codes, n);
	template_free(t);
	return NULL;
}

void
template_free(struct template_set *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nlangs; i++)
		lang_clear(&t->langs[i]);
	free(t->langs);
	free(t->css);
	free(t);
}

static const struct lang *
find_lang(const struct template_set *t, const char *code)
{
	size_t i;

	for (i = 0; i < t->nlangs; i++)
		if (strcmp(t->langs[i].code, code) == 0)
			return &t->langs[i];
	return NULL;
}

int
template_has_lang(const struct template_set *t, const char *lang)
{
	return find_lang(t, lang) != NULL;
}

size_t
template_langs(const struct template_set *t, const char **codes, size_t n)
{
	size_t i;

	for (i = 0; i < t->nlangs && i < n; i++)
		codes[i] = t->langs[i].code;
	return t->nlangs;
}

const char *
template_css(const struct template_set *t, size_t *len)
{
	*len = t->csslen;
	return t->css;
}

static const struct template_var *
find_var(const struct page *pg, const struct segment *s,
    const struct template_var *vars, size_t nvars)
{
	size_t i;

	for (i = 0; i < nvars; i++)
		if (strncmp(vars[i].name, pg->text + s->off, s->len) == 0 &&
		    vars[i].name[s->len] == '\0')
			return &vars[i];
	return NULL;
}

/*
 * Write the page into out (if not NULL); return its length, or (size_t)-1
 * with errno set if a variable is missing or the output passes cap.
 */
static size_t
fill(const struct page *pg, const struct template_var *vars, size_t nvars,
    char *out, size_t cap)
{
	const struct template_var *v;
	const struct segment *s;
	size_t len = 0, n, i;

	for (i = 0; i < pg->nseg; i++) {
		s = &pg->seg[i];
		if (!s->tag) {
			n = s->len;
			if (n > cap - len)
				goto big;
			if (out != NULL)
				memcpy(out + len, pg->text + s->off, n);
		} else if ((v = find_var(pg, s, vars, nvars)) == NULL ||
		    v->value == NULL) {
			errno = EINVAL;
			return (size_t)-1;
		} else if (v->safe) {
			if ((n = strnlen(v->value, cap - len + 1)) > cap - len)
				goto big;
			if (out != NULL)
				memcpy(out + len, v->value, n);
		} else if ((n = escape(v->value, out != NULL ? out + len :
		    NULL, cap - len)) == (size_t)-1)
			goto big;
		len += n;
	}
	return len;
big:
	errno = EFBIG;
	return (size_t)-1;
}

char *
template_render(const struct template_set *t, const char *lang,
    const char *name, const struct template_var *vars, size_t nvars,
    size_t *len)
{
	const struct lang *l;
	const struct page *pg;
	size_t n;
	char *out;

	if (lang == NULL || name == NULL || (l = find_lang(t, lang)) == NULL ||
	    (pg = find_page(l, name)) == NULL) {
		errno = ENOENT;
		return NULL;
	}
	if ((n = fill(pg, vars, nvars, NULL, TEMPLATE_OUT_MAX)) == (size_t)-1)
		return NULL;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	fill(pg, vars, nvars, out, n);
	out[n] = '\0';
	*len = n;
	return out;
}
