/*
 * test_template.c — the template module, on a synthetic set built in a
 * temporary directory and on the real templates/ (run from the repository
 * root, as tests/run does).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
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

#include "postern/template.h"

#define REAL_DIR "templates"
#define ERRLEN 512
#define PAGE_BUDGET (12 * 1024) /* layout + page, for a slow circuit */
#define CSS_BUDGET (8 * 1024)
#define REAL_VARS_MAX 8 /* variables of one real page */

struct fixture {
	char dir[64];
	char err[ERRLEN];
};

/* One file of a synthetic set: path under the set's directory, contents. */
struct file {
	const char *path;
	const char *text;
};

static const struct file base[] = {
	{ "style.css", "body { color: #000; }\n" },
	{ "en/layout.html",
	    "<html lang=\"{{lang}}\"><title>{{title}}</title>\n"
	    "{{body}}</html>\n" },
	{ "en/page.html", "<p>{{a}}</p>\n<ul>{{b}}</ul>\n" },
	{ "en/notes.txt", "not a page: {{ ignored\n" },
	{ "fr/layout.html",
	    "<html lang=\"{{lang}}\"><title>{{title}}</title>{{body}}</html>" },
	{ "fr/page.html", "<p>{{b}}{{a}}{{a}}</p>" },
	{ "EN/page.html", "not a language directory" },
	{ "english/page.html", "not a language directory" },
	{ "README", "not a language directory" },
};
#define NBASE (sizeof(base) / sizeof(base[0]))

static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_template.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	nftw(f->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(f);
	return 0;
}

/* Write text to dir/path, making the one directory level path may have. */
static void
put(const char *dir, const char *path, const char *text, size_t len)
{
	char full[PATH_MAX], *slash;
	FILE *fp;

	snprintf(full, sizeof(full), "%s/%s", dir, path);
	if ((slash = strrchr(full, '/')) != NULL &&
	    slash > full + strlen(dir)) {
		*slash = '\0';
		if (mkdir(full, 0700) == -1 && errno != EEXIST)
			fail_msg("mkdir %s: %s", full, strerror(errno));
		*slash = '/';
	}
	if ((fp = fopen(full, "w")) == NULL)
		fail_msg("fopen %s: %s", full, strerror(errno));
	if (fwrite(text, 1, len, fp) != len || fclose(fp) != 0)
		fail_msg("write %s failed", full);
}

/* The base set, with over (path, text) replacing or adding one file. */
static struct template_set *
load_with(struct fixture *f, const char *path, const char *text)
{
	size_t i;

	for (i = 0; i < NBASE; i++)
		if (path == NULL || strcmp(base[i].path, path) != 0)
			put(f->dir, base[i].path, base[i].text,
			    strlen(base[i].text));
	if (path != NULL)
		put(f->dir, path, text, strlen(text));
	f->err[0] = '\0';
	return template_load(f->dir, f->err, sizeof(f->err));
}

static struct template_set *
load_base(struct fixture *f)
{
	struct template_set *t = load_with(f, NULL, NULL);

	if (t == NULL)
		fail_msg("loading the synthetic set: %s", f->err);
	return t;
}

/* Remove dir/path if it is not one of the base files. */
static void
unlink_base_extra(struct fixture *f, const char *path)
{
	char full[PATH_MAX];
	size_t i;

	if (path == NULL)
		return;
	for (i = 0; i < NBASE; i++)
		if (strcmp(base[i].path, path) == 0)
			return;
	snprintf(full, sizeof(full), "%s/%s", f->dir, path);
	if (unlink(full) == -1)
		fail_msg("unlink %s: %s", full, strerror(errno));
}

/* A load that must fail, with an error naming want. */
static void
load_fails(struct fixture *f, const char *path, const char *text,
    const char *want)
{
	struct template_set *t = load_with(f, path, text);

	if (t != NULL) {
		template_free(t);
		fail_msg("%s: expected a load error, got none", want);
	}
	if (strstr(f->err, want) == NULL)
		fail_msg("expected a load error naming \"%s\", got \"%s\"",
		    want, f->err);
	unlink_base_extra(f, path);
}

static void
must_contain(const char *what, const char *hay, const char *needle)
{
	if (strstr(hay, needle) == NULL)
		fail_msg("%s: expected to contain \"%s\", got:\n%s", what,
		    needle, hay);
}

static void
test_escape_each(void **state)
{
	static const char *cases[][2] = {
		{ "&", "&amp;" },
		{ "<", "&lt;" },
		{ ">", "&gt;" },
		{ "\"", "&quot;" },
		{ "'", "&#39;" },
		{ "a<b>&\"c'd", "a&lt;b&gt;&amp;&quot;c&#39;d" },
		{ "plain text, été 日本", "plain text, été 日本" },
		{ "", "" },
		{ "tab\tlf\ncr\r", "tab\tlf\ncr\r" },
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = template_escape(cases[i][0]);
		assert_non_null(s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

/* Invalid UTF-8 and control characters become U+FFFD. */
static void
test_escape_repairs_utf8(void **state)
{
	static const char *cases[][2] = {
		{ "a\xff" "b", "a\xef\xbf\xbd" "b" },
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd" }, /* overlong */
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xe2\x82", "\xef\xbf\xbd\xef\xbf\xbd" },	/* cut short */
		{ "\x1b[31m", "\xef\xbf\xbd[31m" },
		{ "\x7f", "\xef\xbf\xbd" },
		{ "\xc2\x85", "\xef\xbf\xbd" },		/* C1 NEL */
		{ "\xf0\x9f\x93\x84", "\xf0\x9f\x93\x84" },	/* U+1F4C4 */
	};
	size_t i;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		s = template_escape(cases[i][0]);
		assert_non_null(s);
		assert_string_equal(s, cases[i][1]);
		free(s);
	}
}

static void
test_render_escapes(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var v[] = {
		{ "a", "<b>&\"'", 0 },
		{ "b", "x", 0 },
	};
	size_t len;
	char *s;

	s = template_render(t, "en", "page", v, 2, &len);
	assert_non_null(s);
	assert_string_equal(s,
	    "<p>&lt;b&gt;&amp;&quot;&#39;</p>\n<ul>x</ul>\n");
	assert_int_equal(len, strlen(s));
	free(s);
	template_free(t);
}

static void
test_safe_verbatim(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var v[] = {
		{ "b", "<li class=\"x\">a &amp; b</li>", 1 },
		{ "a", "<i>", 0 },
	};
	size_t len;
	char *s;

	s = template_render(t, "en", "page", v, 2, &len);
	assert_non_null(s);
	assert_string_equal(s,
	    "<p>&lt;i&gt;</p>\n<ul><li class=\"x\">a &amp; b</li></ul>\n");
	free(s);
	/* The French page uses a twice and b once, in another order. */
	s = template_render(t, "fr", "page", v, 2, &len);
	assert_non_null(s);
	assert_string_equal(s,
	    "<p><li class=\"x\">a &amp; b</li>&lt;i&gt;&lt;i&gt;</p>");
	free(s);
	template_free(t);
}

static void
test_missing_var(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var only_a[] = { { "a", "x", 0 } };
	struct template_var null_b[] = { { "a", "x", 0 }, { "b", NULL, 0 } };
	struct template_var prefix[] = { { "a", "x", 0 }, { "bb", "y", 0 } };
	size_t len;

	errno = 0;
	assert_null(template_render(t, "en", "page", only_a, 1, &len));
	assert_int_equal(errno, EINVAL);
	assert_null(template_render(t, "en", "page", null_b, 2, &len));
	assert_null(template_render(t, "en", "page", prefix, 2, &len));
	assert_null(template_render(t, "en", "page", NULL, 0, &len));
	template_free(t);
}

static void
test_unused_var(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var v[] = {
		{ "unused", "z", 0 }, { "a", "1", 0 }, { "b", "2", 1 },
	};
	size_t len;
	char *s;

	s = template_render(t, "en", "page", v, 3, &len);
	assert_non_null(s);
	assert_string_equal(s, "<p>1</p>\n<ul>2</ul>\n");
	free(s);
	template_free(t);
}

static void
test_layout(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var pv[] = {
		{ "a", "A&", 0 }, { "b", "<li>B</li>", 1 },
	};
	struct template_var lv[4] = {
		{ "lang", "en", 0 }, { "title", "T<", 0 }, { "body", NULL, 1 },
	};
	size_t len;
	char *body, *s;

	body = template_render(t, "en", "page", pv, 2, &len);
	assert_non_null(body);
	lv[2].value = body;
	s = template_render(t, "en", "layout", lv, 3, &len);
	assert_non_null(s);
	assert_string_equal(s, "<html lang=\"en\"><title>T&lt;</title>\n"
	    "<p>A&amp;</p>\n<ul><li>B</li></ul>\n</html>\n");
	free(s);
	free(body);

	/* Values are never parsed again: a {{tag}} in one stays as it is. */
	pv[0].value = "{{title}}";
	pv[1].value = "{{body}}";
	body = template_render(t, "en", "page", pv, 2, &len);
	assert_non_null(body);
	lv[2].value = body;
	s = template_render(t, "en", "layout", lv, 3, &len);
	assert_non_null(s);
	assert_string_equal(s, "<html lang=\"en\"><title>T&lt;</title>\n"
	    "<p>{{title}}</p>\n<ul>{{body}}</ul>\n</html>\n");
	free(s);
	free(body);
	template_free(t);
}

static void
test_unknown_page_lang(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var v[] = { { "a", "1", 0 }, { "b", "2", 0 } };
	size_t len;

	errno = 0;
	assert_null(template_render(t, "en", "nope", v, 2, &len));
	assert_int_equal(errno, ENOENT);
	assert_null(template_render(t, "de", "page", v, 2, &len));
	assert_null(template_render(t, "EN", "page", v, 2, &len));
	assert_null(template_render(t, "", "page", v, 2, &len));
	assert_null(template_render(t, "en", "", v, 2, &len));
	assert_null(template_render(t, "en", "page.html", v, 2, &len));
	assert_null(template_render(t, "en", "notes", v, 2, &len));
	assert_int_equal(template_has_lang(t, "en"), 1);
	assert_int_equal(template_has_lang(t, "fr"), 1);
	assert_int_equal(template_has_lang(t, "de"), 0);
	assert_int_equal(template_has_lang(t, "EN"), 0);
	assert_int_equal(template_has_lang(t, "english"), 0);
	template_free(t);
}

static void
test_langs_and_css(void **state)
{
	struct template_set *t = load_base(*state);
	const char *codes[4] = { NULL };
	const char *css;
	size_t len;

	assert_int_equal(template_langs(t, codes, 4), 2);
	assert_string_equal(codes[0], "en");
	assert_string_equal(codes[1], "fr");
	assert_null(codes[2]);
	codes[0] = codes[1] = NULL;
	assert_int_equal(template_langs(t, codes, 1), 2);
	assert_string_equal(codes[0], "en");
	assert_null(codes[1]);
	css = template_css(t, &len);
	assert_string_equal(css, "body { color: #000; }\n");
	assert_int_equal(len, strlen(css));
	template_free(t);
}

static void
test_malformed_tags(void **state)
{
	static const char *bad[] = {
		"{{ Name }}", "{{x", "{{a-b}}", "{{Name}}", "{{}}", "x}}",
		"{{{a}}}", "{{a}", "{{a }}", "{x}}", "{{\n}}", "{{a\n}}",
		"{{\xc3\xa9}}", NULL,
	};
	struct fixture *f = *state;
	char text[256], name[TEMPLATE_NAME_MAX + 2];
	struct template_set *t;
	size_t i;

	/* The last case: a name one byte over the cap. */
	memset(name, 'a', TEMPLATE_NAME_MAX + 1);
	name[TEMPLATE_NAME_MAX + 1] = '\0';
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "<p>{{a}}{{b}}</p>\nline %s%s%s "
		    "two\n", bad[i] != NULL ? bad[i] : "{{",
		    bad[i] != NULL ? "" : name, bad[i] != NULL ? "" : "}}");
		load_fails(f, "en/page.html", text, "en/page.html, line 2");
	}
	/* A name of exactly TEMPLATE_NAME_MAX bytes is fine. */
	name[TEMPLATE_NAME_MAX] = '\0';
	snprintf(text, sizeof(text), "{{a}}{{b}}{{%s}}", name);
	t = load_with(f, "en/page.html", text);
	put(f->dir, "fr/page.html", text, strlen(text));
	template_free(t);
	if ((t = template_load(f->dir, f->err, sizeof(f->err))) == NULL)
		fail_msg("a name of TEMPLATE_NAME_MAX bytes: %s", f->err);
	template_free(t);
}

static void
test_load_errors(void **state)
{
	struct fixture *f = *state;
	char *big;

	load_fails(f, "fr/page.html", "<p>{{a}}</p>", "fr/page.html");
	load_fails(f, "fr/page.html", "{{a}}{{b}}{{c}}", "{{c}}");
	load_fails(f, "fr/extra.html", "x", "fr/extra.html");
	load_fails(f, "en/extra.html", "x", "fr: no extra.html");
	load_fails(f, "en/Page.html", "x", "en/Page.html");
	load_fails(f, "en/page.html", "{{a}}{{b}}\n\xff", "line 2");
	load_fails(f, "style.css", "a { }\n\xc0\xaf", "style.css");
	put(f->dir, "en/nul.html", "a\0b", 3);
	load_fails(f, NULL, NULL, "en/nul.html, line 1: a NUL byte");
	unlink_base_extra(f, "en/nul.html");

	if ((big = malloc(TEMPLATE_MAX + 2)) == NULL)
		fail_msg("out of memory");
	memset(big, 'x', TEMPLATE_MAX + 1);
	big[TEMPLATE_MAX + 1] = '\0';
	load_fails(f, "en/big.html", big, "en/big.html: larger than");
	memset(big, 'x', TEMPLATE_MAX);
	big[TEMPLATE_MAX] = '\0';
	put(f->dir, "fr/big.html", big, TEMPLATE_MAX);
	{
		struct template_set *t = load_with(f, "en/big.html", big);

		if (t == NULL)
			fail_msg("a file of exactly TEMPLATE_MAX bytes: %s",
			    f->err);
		template_free(t);
	}
	unlink_base_extra(f, "en/big.html");
	unlink_base_extra(f, "fr/big.html");
	free(big);
}

static void
test_load_caps(void **state)
{
	struct fixture *f = *state;
	char path[64], want[64];
	size_t i;

	/* en has page.html and layout.html: this makes one page too many. */
	for (i = 0; i < TEMPLATE_PAGES_MAX - 1; i++) {
		snprintf(path, sizeof(path), "en/p%zu.html", i);
		put(f->dir, path, "x", 1);
	}
	snprintf(want, sizeof(want), "/en: more than %d pages",
	    TEMPLATE_PAGES_MAX);
	load_fails(f, NULL, NULL, want);
	for (i = 0; i < TEMPLATE_PAGES_MAX - 1; i++) {
		snprintf(path, sizeof(path), "en/p%zu.html", i);
		unlink_base_extra(f, path);
	}
	/* en and fr: this makes one language too many. */
	for (i = 0; i < TEMPLATE_LANGS_MAX - 1; i++) {
		snprintf(path, sizeof(path), "%c%c/layout.html",
		    (int)('a' + i / 26), (int)('a' + i % 26));
		put(f->dir, path, "{{lang}}{{title}}{{body}}", 25);
	}
	snprintf(want, sizeof(want), ": more than %d languages",
	    TEMPLATE_LANGS_MAX);
	load_fails(f, NULL, NULL, want);
}

static void
test_load_missing(void **state)
{
	struct fixture *f = *state;
	char err[ERRLEN], path[PATH_MAX];
	struct template_set *t;

	assert_null(template_load("/nonexistent/postern", err, sizeof(err)));
	must_contain("load error", err, "/nonexistent/postern");

	/* A directory with no style.css. */
	assert_null(template_load(f->dir, err, sizeof(err)));
	must_contain("load error", err, "style.css");

	/* style.css but no language. */
	put(f->dir, "style.css", "", 0);
	put(f->dir, "EN/page.html", "x", 1);
	assert_null(template_load(f->dir, err, sizeof(err)));
	must_contain("load error", err, "no language directory");

	/* A language directory with no page. */
	snprintf(path, sizeof(path), "%s/de", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_null(template_load(f->dir, err, sizeof(err)));
	must_contain("load error", err, "/de: no pages");

	put(f->dir, "de/page.html", "{{x}}", 5);
	t = template_load(f->dir, err, sizeof(err));
	if (t == NULL)
		fail_msg("one language with one page: %s", err);
	assert_int_equal(template_has_lang(t, "de"), 1);
	template_free(t);
	template_free(NULL);
}

static void
test_output_cap(void **state)
{
	struct template_set *t = load_base(*state);
	struct template_var v[] = { { "a", NULL, 0 }, { "b", "", 1 } };
	size_t len, n;
	char *big, *s;

	if ((big = malloc(TEMPLATE_OUT_MAX + 1)) == NULL)
		fail_msg("out of memory");
	/* Fits: the page's own text is 18 bytes. */
	n = TEMPLATE_OUT_MAX - 18;
	memset(big, 'x', n);
	big[n] = '\0';
	v[0].value = big;
	s = template_render(t, "en", "page", v, 2, &len);
	assert_non_null(s);
	assert_int_equal(len, TEMPLATE_OUT_MAX);
	free(s);
	/* One more byte does not. */
	memset(big, 'x', n + 1);
	big[n + 1] = '\0';
	errno = 0;
	assert_null(template_render(t, "en", "page", v, 2, &len));
	assert_int_equal(errno, EFBIG);
	/* Nor does a short value that grows when escaped. */
	n = TEMPLATE_OUT_MAX / 5 + 1;
	memset(big, '&', n);
	big[n] = '\0';
	assert_null(template_render(t, "en", "page", v, 2, &len));
	assert_null(template_escape(big));
	/* Nor a safe value. */
	memset(big, 'x', TEMPLATE_OUT_MAX);
	big[TEMPLATE_OUT_MAX] = '\0';
	v[0].value = "";
	v[1].value = big;
	assert_null(template_render(t, "en", "page", v, 2, &len));
	free(big);
	template_free(t);
}

/*
 * The real templates: each page and the variables the server must give
 * (safe ones marked). Keep in step with template.h and the server.
 */
#define LANG_LINKS \
	"<li><span aria-current=\"true\" lang=\"en\">English</span></li>" \
	"<li><a href=\"./?lang=fr\" hreflang=\"fr\" lang=\"fr\">" \
	"Fran\xc3\xa7" "ais</a></li>"
#define FILE_ROWS \
	"<li><span class=\"file-name\">r&amp;d.pdf</span> " \
	"<span class=\"file-size\">2.1 MB</span> " \
	"<span class=\"file-status ok\">hidden data removed</span></li>"

struct real_page {
	const char *name;
	const char *title;
	struct template_var vars[REAL_VARS_MAX];
	size_t nvars;
};

static const struct real_page real_pages[] = {
	{ "index", "Send documents", {
	    { "lang", NULL, 0 },
	    { "newsroom", "The Example <Times> & \"Post\"", 0 },
	    { "token", "k8Jx-3_abc'", 0 },
	    { "max_file_size", "500 MB", 0 },
	    { "max_files", "20", 0 },
	    { "max_submission_size", "2 GB", 0 },
	    { "uncleanable_note", "Other files are <stored> as sent.", 0 },
	    { "originals_note", "<li>Originals are kept.</li>\n", 1 },
	}, 8 },
	{ "receipt", "Received", {
	    { "newsroom", "The Example Times", 0 },
	    { "file_rows", FILE_ROWS, 1 },
	    { "message_status", "Your message was received.", 0 },
	}, 3 },
	{ "error", "Too large", {
	    { "lang", NULL, 0 },
	    { "status", "413", 0 },
	    { "title", "Too large", 0 },
	    { "message", "The files were larger than <500 MB>.", 0 },
	}, 4 },
};
#define NREAL (sizeof(real_pages) / sizeof(real_pages[0]))

static struct template_set *
load_real(void)
{
	char err[ERRLEN];
	struct template_set *t;

	if ((t = template_load(REAL_DIR, err, sizeof(err))) == NULL)
		fail_msg("loading the real templates (cwd must be the "
		    "repository root): %s", err);
	return t;
}

/* Render page p in lang, and the layout around it. */
static char *
render_real(const struct template_set *t, const char *lang,
    const struct real_page *p, size_t *len)
{
	struct template_var v[REAL_VARS_MAX], lv[4] = {
		{ "lang", lang, 0 }, { "title", p->title, 0 },
		{ "lang_links", LANG_LINKS, 1 }, { "body", NULL, 1 },
	};
	char *body, *html;
	size_t i, blen;

	for (i = 0; i < p->nvars; i++) {
		v[i] = p->vars[i];
		if (strcmp(v[i].name, "lang") == 0)
			v[i].value = lang;
	}
	if ((body = template_render(t, lang, p->name, v, p->nvars,
	    &blen)) == NULL)
		fail_msg("%s/%s.html did not render with its variables (errno "
		    "%d)", lang, p->name, errno);
	lv[3].value = body;
	html = template_render(t, lang, "layout", lv, 4, len);
	if (html == NULL)
		fail_msg("%s/layout.html did not render around %s (errno %d)",
		    lang, p->name, errno);
	free(body);
	return html;
}

/* A copy of s in lower case, for case-blind searches. */
static char *
lower(const char *s)
{
	char *l = strdup(s), *p;

	if (l == NULL)
		fail_msg("out of memory");
	for (p = l; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

/* Every src=, href= and action= value is relative: no "//", no scheme. */
static void
check_links(const char *what, const char *html)
{
	static const char *attrs[] = { "src=", "href=", "action=" };
	const char *p, *end;
	char quote;
	size_t i;

	for (i = 0; i < 3; i++) {
		for (p = html; (p = strstr(p, attrs[i])) != NULL; p = end) {
			p += strlen(attrs[i]);
			quote = *p;
			if (quote != '"' && quote != '\'')
				fail_msg("%s: unquoted %s at \"%.40s\"", what,
				    attrs[i], p);
			p++;
			if ((end = strchr(p, quote)) == NULL)
				fail_msg("%s: unterminated %s", what,
				    attrs[i]);
			if (memmem(p, (size_t)(end - p), "//", 2) != NULL ||
			    memchr(p, ':', (size_t)(end - p)) != NULL)
				fail_msg("%s: %s\"%.*s\" is not a relative "
				    "link", what, attrs[i], (int)(end - p), p);
		}
	}
}

static void
check_page(const char *what, const char *html, size_t len)
{
	static const char *banned[] = {
		"<script", "style=", "<style", "http://", "https://",
		"javascript:", "@import", "<iframe", "<object", "<embed",
		"{{", "}}",
	};
	char *l = lower(html);
	size_t i;

	for (i = 0; i < sizeof(banned) / sizeof(banned[0]); i++)
		if (strstr(l, banned[i]) != NULL)
			fail_msg("%s: must not contain \"%s\", got:\n%s", what,
			    banned[i], html);
	check_links(what, l);
	if (len > PAGE_BUDGET)
		fail_msg("%s: %zu bytes, over the budget of %d", what, len,
		    PAGE_BUDGET);
	must_contain(what, html, "<!DOCTYPE html>");
	must_contain(what, html, "<meta charset=\"utf-8\">");
	must_contain(what, html, "<meta name=\"viewport\"");
	must_contain(what, html,
	    "<link rel=\"stylesheet\" href=\"style.css\">");
	must_contain(what, html, LANG_LINKS);
	free(l);
}

static void
test_real_pages(void **state)
{
	struct template_set *t = load_real();
	const char *codes[TEMPLATE_LANGS_MAX];
	char what[64], want[32];
	size_t n, i, j, len;
	char *html;

	(void)state;
	n = template_langs(t, codes, TEMPLATE_LANGS_MAX);
	assert_true(n >= 1);
	assert_int_equal(template_has_lang(t, "en"), 1);
	for (i = 0; i < n; i++) {
		for (j = 0; j < NREAL; j++) {
			snprintf(what, sizeof(what), "%s/%s.html", codes[i],
			    real_pages[j].name);
			html = render_real(t, codes[i], &real_pages[j], &len);
			check_page(what, html, len);
			snprintf(want, sizeof(want), "<html lang=\"%s\"",
			    codes[i]);
			must_contain(what, html, want);
			free(html);
		}
	}
	template_free(t);
}

/* The table above is exact: each page fails without any one variable. */
static void
test_real_vars_exact(void **state)
{
	struct template_set *t = load_real();
	struct template_var v[REAL_VARS_MAX];
	const struct real_page *p;
	size_t i, j, k, n, len;
	char *s;

	(void)state;
	for (i = 0; i < NREAL; i++) {
		p = &real_pages[i];
		for (j = 0; j < p->nvars; j++) {
			for (k = n = 0; k < p->nvars; k++) {
				if (k == j)
					continue;
				v[n] = p->vars[k];
				if (strcmp(v[n].name, "lang") == 0)
					v[n].value = "en";
				n++;
			}
			if ((s = template_render(t, "en", p->name, v, n,
			    &len)) != NULL) {
				free(s);
				fail_msg("en/%s.html rendered without "
				    "{{%s}}: the page should use it or the "
				    "table should drop it", p->name,
				    p->vars[j].name);
			}
		}
	}
	template_free(t);
}

static void
test_real_index_form(void **state)
{
	struct template_set *t = load_real();
	const char *what = "en/index.html";
	size_t len;
	char *html;

	(void)state;
	html = render_real(t, "en", &real_pages[0], &len);
	/* The language rides in the query: the receipt and error pages are
	 * chosen before the body is read. */
	must_contain(what, html, "<form method=\"post\" "
	    "action=\"submit?lang=en\" enctype=\"multipart/form-data\"");
	must_contain(what, html,
	    "<input type=\"hidden\" name=\"token\" value=\"k8Jx-3_abc&#39;\">");
	must_contain(what, html,
	    "<input type=\"hidden\" name=\"lang\" value=\"en\">");
	must_contain(what, html, "<label for=\"message\">");
	must_contain(what, html, "<textarea id=\"message\" name=\"message\"");
	must_contain(what, html, "<label for=\"files\">");
	must_contain(what, html,
	    "<input type=\"file\" id=\"files\" name=\"files\" multiple");
	must_contain(what, html, "<button type=\"submit\">");
	must_contain(what, html, "500 MB");
	must_contain(what, html, "20");
	must_contain(what, html, "2 GB");
	must_contain(what, html,
	    "The Example &lt;Times&gt; &amp; &quot;Post&quot;");
	must_contain(what, html, "Tor Browser");
	must_contain(what, html, "Safest");
	/* The token comes first, so the server can check it before files. */
	assert_true(strstr(html, "name=\"token\"") <
	    strstr(html, "name=\"message\""));
	free(html);
	template_free(t);
}

static void
test_real_receipt_error(void **state)
{
	struct template_set *t = load_real();
	size_t len;
	char *html;

	(void)state;
	html = render_real(t, "en", &real_pages[1], &len);
	must_contain("en/receipt.html", html, FILE_ROWS);
	must_contain("en/receipt.html", html, "Your message was received.");
	must_contain("en/receipt.html", html, "Close Tor Browser");
	free(html);
	html = render_real(t, "en", &real_pages[2], &len);
	must_contain("en/error.html", html, "<h1>Too large</h1>");
	must_contain("en/error.html", html, "413");
	must_contain("en/error.html", html, "&lt;500 MB&gt;");
	must_contain("en/error.html", html, "<a href=\"./?lang=en\">");
	free(html);
	template_free(t);
}

static void
test_real_css(void **state)
{
	struct template_set *t = load_real();
	const char *css, *p;
	size_t len;
	char *l;

	(void)state;
	css = template_css(t, &len);
	assert_true(len > 0);
	if (len > CSS_BUDGET)
		fail_msg("style.css: %zu bytes, over the budget of %d", len,
		    CSS_BUDGET);
	l = lower(css);
	if (strstr(l, "@import") != NULL)
		fail_msg("style.css must not use @import");
	if (strstr(l, "@font-face") != NULL)
		fail_msg("style.css must not load fonts");
	for (p = l; (p = strstr(p, "url(")) != NULL; p++)
		if (strncmp(p, "url(\"data:", 10) != 0 &&
		    (memchr(p, ':', strcspn(p, ")")) != NULL ||
		    memmem(p, strcspn(p, ")"), "//", 2) != NULL))
			fail_msg("style.css: an external url(): %.60s", p);
	if (strstr(l, "expression(") != NULL || strstr(l, "behavior:") != NULL)
		fail_msg("style.css: script in CSS");
	free(l);
	template_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_each),
		cmocka_unit_test(test_escape_repairs_utf8),
		cmocka_unit_test_setup_teardown(test_render_escapes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_safe_verbatim, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_var, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unused_var, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_layout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_page_lang, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_langs_and_css, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_malformed_tags, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_errors, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_caps, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_load_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_output_cap, setup,
		    teardown),
		cmocka_unit_test(test_real_pages),
		cmocka_unit_test(test_real_vars_exact),
		cmocka_unit_test(test_real_index_form),
		cmocka_unit_test(test_real_receipt_error),
		cmocka_unit_test(test_real_css),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
