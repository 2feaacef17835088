/*
 * safename.c — file names a source chose, made safe to create on the
 * journalist's disk and to show in a report.
 *
 * A safe name is the part after the last '/' or '\', with control
 * characters (C0, DEL, C1), bidirectional controls (U+061C, U+200E,
 * U+200F, U+202A–U+202E, U+2066–U+2069), line and paragraph separators
 * (U+2028, U+2029) and each byte of invalid UTF-8 replaced with '_'; never
 * starting with '.'; "file" if nothing is left; at most SAFENAME_MAX bytes,
 * cut on a UTF-8 boundary and keeping a short extension; and unique in its
 * folder, ignoring ASCII case, by " (2)", " (3)"… before the extension.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "postern-open.h"

#define EXT_MAX 16          /* bytes of an extension kept when cutting */
#define SUFFIX_MAX 24       /* " (n)" */
#define SAFENAME_TRIES 100000

/* The code point of the valid UTF-8 sequence at s (n bytes left) and its
 * length, or 0 for an invalid sequence. */
static size_t
utf8_decode(const unsigned char *s, size_t n, unsigned long *cp)
{
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, *cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && *cp < 0x10000) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
		return 0;
	return len;
}

/* Characters that must not reach a file name or a report as they are. */
static int
is_hidden_control(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

/* Into out (at least len + 1 bytes): the basename, characters replaced. */
static size_t
clean(const char *name, size_t len, char *out)
{
	const unsigned char *s = (const unsigned char *)name;
	unsigned long cp;
	size_t i, k, start = 0, n = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '/' || s[i] == '\\')
			start = i + 1;
	for (i = start; i < len; i += k) {
		if ((k = utf8_decode(s + i, len - i, &cp)) == 0) {
			out[n++] = '_';
			k = 1;
		} else if (is_hidden_control(cp)) {
			out[n++] = '_';
		} else {
			memcpy(out + n, s + i, k);
			n += k;
		}
	}
	if (n > 0 && out[0] == '.')
		out[0] = '_';
	if (n == 0)
		n = (size_t)snprintf(out, len + 5, "file");
	out[n] = '\0';
	return n;
}

/* Longest prefix of s, at most max bytes, that ends on a UTF-8 boundary. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static int
taken(const struct safename_set *set, const char *name)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (strcasecmp(set->v[i], name) == 0)
			return 1;
	return 0;
}

int
safename_reserve(struct safename_set *set, const char *name)
{
	char **v, *copy;

	if ((copy = strdup(name)) == NULL ||
	    (v = reallocarray(set->v, set->n + 1, sizeof(*v))) == NULL) {
		free(copy);
		return -1;
	}
	set->v = v;
	set->v[set->n++] = copy;
	return 0;
}

char *
safename_make(struct safename_set *set, const char *untrusted, size_t len)
{
	char *base, *out = NULL, suffix[SUFFIX_MAX];
	const char *dot;
	size_t n, extlen = 0, stem, i;

	if ((base = malloc(len + 5)) == NULL ||
	    (out = malloc(SAFENAME_MAX + 1)) == NULL)
		goto fail;
	n = clean(untrusted, len, base);
	/* Keep a short extension ("report.pdf") when the name is cut or
	 * numbered; never one that is the whole name. */
	if ((dot = strrchr(base, '.')) != NULL && dot != base &&
	    (size_t)(base + n - dot) <= EXT_MAX)
		extlen = (size_t)(base + n - dot);
	for (i = 1; i <= SAFENAME_TRIES; i++) {
		if (i == 1)
			suffix[0] = '\0';
		else
			snprintf(suffix, sizeof(suffix), " (%zu)", i);
		stem = utf8_cut(base, n - extlen, SAFENAME_MAX - extlen -
		    strlen(suffix));
		snprintf(out, SAFENAME_MAX + 1, "%.*s%s%s", (int)stem, base,
		    suffix, base + n - extlen);
		if (!taken(set, out))
			break;
	}
	if (i > SAFENAME_TRIES || safename_reserve(set, out) != 0)
		goto fail;
	free(base);
	return out;
fail:
	free(base);
	free(out);
	return NULL;
}

void
safename_clear(struct safename_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->v[i]);
	free(set->v);
	set->v = NULL;
	set->n = 0;
}

char *
safename_escape(const char *str, size_t len, int quote)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long cp;
	size_t i, k, n = 0;
	char *out;

	/* The worst case: every byte a control character, "\u00XX". */
	if ((out = malloc(len * 6 + 3)) == NULL)
		return NULL;
	if (quote)
		out[n++] = '"';
	for (i = 0; i < len; i += k) {
		if ((k = utf8_decode(s + i, len - i, &cp)) == 0) {
			n += (size_t)sprintf(out + n, "\\x%02X", s[i]);
			k = 1;
		} else if (is_hidden_control(cp)) {
			n += (size_t)sprintf(out + n, "\\u%04lX", cp);
		} else if (cp == '\\' || (quote && cp == '"')) {
			out[n++] = '\\';
			out[n++] = (char)cp;
		} else {
			memcpy(out + n, s + i, k);
			n += k;
		}
	}
	if (quote)
		out[n++] = '"';
	out[n] = '\0';
	return out;
}
