/*
 * manifest.c — the submission manifest as JSON. See manifest.h.
 *
 * The JSON is written twice: once to measure it, once into locked memory,
 * so the message and file names never sit in ordinary heap.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "postern/manifest.h"

struct out {
	char *p;      /* NULL while measuring */
	size_t len;
};

static void
put(struct out *o, const char *s, size_t n)
{
	if (o->p != NULL)
		memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void
puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t
utf8_len(const uint8_t *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* No overlong forms, surrogates or code points past U+10FFFF. */
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return len;
}

static void
put_string(struct out *o, const char *str, size_t n)
{
	const uint8_t *s = (const uint8_t *)str;
	char esc[8];
	size_t i = 0, k;

	put(o, "\"", 1);
	while (i < n) {
		if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			put(o, esc, 2);
			i++;
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
			put(o, esc, 6);
			i++;
		} else if ((k = utf8_len(s + i, n - i)) == 0) {
			put(o, "\xef\xbf\xbd", 3); /* U+FFFD */
			i++;
		} else {
			put(o, (const char *)s + i, k);
			i += k;
		}
	}
	put(o, "\"", 1);
	sodium_memzero(esc, sizeof(esc));
}

static void
put_field(struct out *o, const char *name, const char *value, int comma)
{
	if (comma)
		put(o, ",", 1);
	put_string(o, name, strlen(name));
	put(o, ":", 1);
	if (value == NULL)
		puts_(o, "null");
	else
		put_string(o, value, strlen(value));
}

static void
put_number(struct out *o, const char *name, uint64_t v)
{
	char num[32];

	snprintf(num, sizeof(num), ",\"%s\":%" PRIu64, name, v);
	puts_(o, num);
}

static const char *
status_name(const struct manifest_file *f)
{
	if (f->strip == NULL)
		return f->cleaned ? "cleaned" : "not cleaned";
	return f->strip->status == STRIP_CLEANED ? "cleaned" :
	    f->strip->status == STRIP_NOT_SUPPORTED ? "not supported" :
	    "not cleaned";
}

/* status, removed, warnings, reason: what the stripper said. */
static void
write_strip(struct out *o, const struct manifest_file *f)
{
	const struct strip_outcome *s = f->strip;
	char num[32];
	size_t i;

	put_field(o, "status", status_name(f), 1);
	puts_(o, ",\"removed\":[");
	for (i = 0; s != NULL && i < s->nremoved && i < STRIP_OUT_REMOVED_MAX;
	    i++) {
		put(o, i ? ",{" : "{", i ? 2 : 1);
		put_field(o, "field", s->removed[i], 0);
		snprintf(num, sizeof(num), ",\"count\":%u}", s->count[i]);
		puts_(o, num);
	}
	puts_(o, "],\"warnings\":[");
	for (i = 0; s != NULL && i < s->nwarn && i < STRIP_OUT_WARN_MAX; i++) {
		if (i)
			put(o, ",", 1);
		put_string(o, s->warn[i], strlen(s->warn[i]));
	}
	put(o, "]", 1);
	if (strcmp(status_name(f), "cleaned") != 0)
		put_field(o, "reason", s != NULL && s->reason[0] ? s->reason :
		    "unknown", 1);
}

static void
write_manifest(struct out *o, const struct manifest *m)
{
	char when[32];
	time_t t = (time_t)m->hour;
	struct tm tm;
	size_t i;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:00:00Z", &tm);
	put(o, "{", 1);
	put_field(o, "format", MANIFEST_FORMAT, 0);
	put_field(o, "submission", m->submission, 1);
	put_field(o, "received_hour", when, 1);
	puts_(o, ",\"message\":");
	put_string(o, m->message ? m->message : "", m->message_len);
	puts_(o, ",\"files\":[");
	for (i = 0; i < m->nfiles; i++) {
		const struct manifest_file *f = &m->files[i];
		put(o, i ? ",{" : "{", i ? 2 : 1);
		put_field(o, "item", f->item, 0);
		put_field(o, "name", f->name, 1);
		put_number(o, "size", f->size);
		put_field(o, "type", f->type, 1);
		put_field(o, "claimed_type", f->claimed_type, 1);
		write_strip(o, f);
		if (f->original_item != NULL)
			put_field(o, "original_item", f->original_item, 1);
		puts_(o, f->cleaned ? ",\"cleaned\":true" : ",\"cleaned\":false");
		put_field(o, "report", f->report, 1);
		put(o, "}", 1);
	}
	puts_(o, "]}\n");
}

char *
manifest_json(const struct manifest *m, size_t *len)
{
	struct out o = { NULL, 0 };

	write_manifest(&o, m);
	if ((o.p = sodium_malloc(o.len + 1)) == NULL)
		return NULL;
	*len = o.len;
	o.len = 0;
	write_manifest(&o, m);
	o.p[o.len] = '\0';
	return o.p;
}
