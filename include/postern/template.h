/*
 * template.h — the HTML pages posternd shows to sources.
 *
 * A template set is one directory, read once at start-up:
 *
 *	dir/style.css		the one stylesheet (served as "style.css")
 *	dir/<lang>/<page>.html	one file per page and language
 *
 * <lang> is [a-z]{2,3}(-[A-Z]{2})? ("en", "pt-BR"); other entries of dir
 * are ignored. <page> is [a-z0-9_-]+; files not ending in ".html" are
 * ignored. Every file is capped at TEMPLATE_MAX bytes and must be UTF-8
 * text with no NUL byte. Every language must have the same pages, and a
 * page must use the same variables in every language: a translation that
 * drops the form's {{token}}, or asks for a variable the server does not
 * give, is refused at start-up instead of breaking a source's upload.
 *
 * Syntax: only {{name}}, name being [a-z0-9_]+ of at most
 * TEMPLATE_NAME_MAX bytes. Any other "{{" or "}}" is a load-time error
 * naming the file and line. There are no conditionals, loops or includes:
 * the server builds repeated markup itself, escaping each piece with
 * template_escape, and passes it as a safe variable.
 *
 * Layout. layout.html is each language's frame (<html>, <head>, the
 * language chooser); it uses
 *	{{lang}}	the language code, for <html lang>
 *	{{title}}	the page's title
 *	{{lang_links}}	safe: the chooser's list items, built by the server
 *	{{body}}	safe: the page, rendered first
 * so showing a page is two renders, the second with body = the first:
 *
 *	body = template_render(t, lang, "index", vars, nvars, &blen);
 *	html = template_render(t, lang, "layout", lvars, 4, &hlen);
 *
 * The pages in templates/ and the variables the server must give. Safe
 * ones are markup the server built, every piece of text in it escaped with
 * template_escape (or, for body, a page from template_render); all others
 * are plain text and are escaped here:
 *
 *	layout	 lang, title, lang_links (safe), body (safe)
 *	index	 lang, newsroom, token, max_file_size, max_files,
 *		 max_submission_size
 *	receipt	 newsroom, file_rows (safe), message_status
 *	error	 lang, status, title, message
 *
 * Markup the stylesheet expects from the server (each text piece escaped):
 *   lang_links, one item per language, relative links only:
 *	<li><a href="./?lang=fr" hreflang="fr" lang="fr">Français</a></li>
 *     and for the language being shown:
 *	<li><span aria-current="true" lang="en">English</span></li>
 *   file_rows, one item per file ("warn" instead of "ok" if not cleaned):
 *	<li><span class="file-name">report.pdf</span>
 *	<span class="file-size">2.1 MB</span>
 *	<span class="file-status ok">hidden data removed</span></li>
 * index.html sends lang back in a hidden field so the receipt or error
 * page can be shown in the source's language.
 */
#ifndef POSTERN_TEMPLATE_H
#define POSTERN_TEMPLATE_H

#include <stddef.h>

#define TEMPLATE_MAX (256 * 1024)	/* cap on one template file */
#define TEMPLATE_OUT_MAX (1024 * 1024)	/* cap on one rendered page */
#define TEMPLATE_NAME_MAX 64		/* cap on a {{name}} */
#define TEMPLATE_TAGS_MAX 1024		/* cap on {{name}} tags in a file */
#define TEMPLATE_LANGS_MAX 64		/* cap on languages in a set */
#define TEMPLATE_PAGES_MAX 32		/* cap on pages in a language */
#define TEMPLATE_LANG_MAX 6		/* "pt-BR": 2-3 letters, -XX */

struct template_set;

struct template_var {
	const char *name;
	const char *value;	/* NUL-terminated UTF-8 */
	int safe;		/* 1: inserted as is (caller built it with
				 * template_escape); 0: HTML-escaped */
};

/*
 * Load dir/<lang>/<page>.html for every language directory under dir,
 * and dir/style.css, checking everything described above. NULL on error with
 * one sentence in err naming the file (and line, for a bad tag).
 */
struct template_set *template_load(const char *dir, char *err,
    size_t errlen);
/* Free the set and everything it holds. NULL does nothing. */
void template_free(struct template_set *);

/* 1 if lang is one of the loaded languages (exact match), else 0. */
int template_has_lang(const struct template_set *, const char *lang);

/*
 * The languages loaded, sorted by code, for the language chooser: fills up
 * to n codes (owned by the set, valid until template_free); returns the
 * number of languages loaded, which may be more than n.
 */
size_t template_langs(const struct template_set *, const char **codes,
    size_t n);

/* The stylesheet's bytes (NUL-terminated, owned by the set) and length. */
const char *template_css(const struct template_set *, size_t *len);

/*
 * Render page name ("index", "receipt", "error", "layout") of language
 * lang, replacing each {{name}} by the var of that name. Every name used
 * must be given (a missing variable is a bug, never a silent blank); vars
 * given but unused are fine. Values are escaped with template_escape
 * unless safe. The output is capped at TEMPLATE_OUT_MAX bytes.
 *
 * Returns a malloc'd NUL-terminated string, its length in *len; the caller
 * frees it. A receipt holds the source's file names: wipe it
 * (explicit_bzero) before free. On failure returns NULL with errno set:
 * ENOENT unknown language or page, EINVAL a variable missing, EFBIG over
 * the cap, ENOMEM.
 */
char *template_render(const struct template_set *, const char *lang,
    const char *name, const struct template_var *vars, size_t nvars,
    size_t *len);

/*
 * HTML-escape s (& < > " ' become entities) into a malloc'd string that is
 * safe in text and in quoted attribute values. The output is also valid
 * UTF-8: invalid sequences and control characters other than tab, LF and
 * CR (C0, DEL, C1) become U+FFFD. NULL if out of memory or the result
 * would pass TEMPLATE_OUT_MAX bytes. The caller frees (and wipes, if s was
 * a source's data).
 */
char *template_escape(const char *s);

#endif
