/*
 * test_manifest.c — the submission manifest as docs/manifest.md specifies
 * it: exact output for a fixed input; strict JSON (RFC 8259, checked by a
 * small validator below) whatever bytes the source sent; escaping of '"',
 * '\', 0x00–0x1F and 0x7F as \u00xx and nothing else; each byte of an
 * invalid UTF-8 sequence replaced by U+FFFD, valid UTF-8 passed unchanged;
 * the hour as YYYY-MM-DDTHH:00:00Z; null for a missing claimed type.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "postern/manifest.h"

#define SUB "241975ed55c82257d04a6c4ad981c3be"
#define ITEM1 "6a1e0c5f3b9d4e2a8c7b1f0e9d8c7b6a"
#define ITEM2 "0f1e2d3c4b5a69788796a5b4c3d2e1f0"
#define ITEM3 "aaaabbbbccccddddeeeeffff00001111"
#define HOUR ((int64_t)1795878000) /* 2026-11-28T15:00:00Z */
#define FFFD "\xef\xbf\xbd"
/* The stripper's fields when no outcome is given (strip NULL). */
#define NOT_CLEANED_NULL                                                       \
	"\"status\":\"not cleaned\",\"removed\":[],\"warnings\":[],"           \
	"\"reason\":\"unknown\","
#define CLEANED_NULL "\"status\":\"cleaned\",\"removed\":[],\"warnings\":[],"

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) {
		fprintf(stderr, "test_manifest: sodium_init failed\n");
		return -1;
	}
	return 0;
}

/* ---- a strict JSON validator (RFC 8259) -------------------------------- */

struct parser {
	const uint8_t *p, *end;
	int depth;
};

static int json_value(struct parser *);

static void
json_ws(struct parser *j)
{
	while (j->p < j->end &&
	    (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

/* Length of the valid UTF-8 sequence at s, or 0 (written independently
 * of lib/manifest.c, from RFC 3629's table). */
static size_t
utf8_ok(const uint8_t *s, size_t n)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		uint8_t lo = s[0] == 0xe0 ? 0xa0 : 0x80;
		uint8_t hi = s[0] == 0xed ? 0x9f : 0xbf;
		return n >= 3 && s[1] >= lo && s[1] <= hi &&
			(s[2] & 0xc0) == 0x80
		    ? 3
		    : 0;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		uint8_t lo = s[0] == 0xf0 ? 0x90 : 0x80;
		uint8_t hi = s[0] == 0xf4 ? 0x8f : 0xbf;
		return n >= 4 && s[1] >= lo && s[1] <= hi &&
			(s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80
		    ? 4
		    : 0;
	}
	return 0;
}

static int
json_string(struct parser *j)
{
	size_t k;
	int i;

	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return -1;
		if (*j->p == '\\') {
			if (++j->p >= j->end)
				return -1;
			if (*j->p == 'u') {
				for (i = 1; i <= 4; i++)
					if (j->p + i >= j->end ||
					    strchr("0123456789abcdefABCDEF",
						j->p[i]) == NULL ||
					    j->p[i] == '\0')
						return -1;
				j->p += 5;
			} else if (strchr("\"\\/bfnrt", *j->p) != NULL &&
			    *j->p != '\0') {
				j->p++;
			} else
				return -1;
			continue;
		}
		if ((k = utf8_ok(j->p, (size_t)(j->end - j->p))) == 0)
			return -1;
		j->p += k;
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	return 0;
}

static int
json_digits(struct parser *j)
{
	const uint8_t *start = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start ? 0 : -1;
}

static int
json_number(struct parser *j)
{
	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (json_digits(j) != 0)
		return -1;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (json_digits(j) != 0)
			return -1;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (json_digits(j) != 0)
			return -1;
	}
	return 0;
}

static int
json_word(struct parser *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

/* An object ('{', ':' pairs) or array ('['), after the opening byte. */
static int
json_container(struct parser *j, int object)
{
	uint8_t close = object ? '}' : ']';

	if (++j->depth > 64)
		return -1;
	j->p++;
	json_ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (json_string(j) != 0)
				return -1;
			json_ws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if (json_value(j) != 0)
			return -1;
		json_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		if (*j->p++ != ',')
			return -1;
	}
}

static int
json_value(struct parser *j)
{
	json_ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
		return json_container(j, 1);
	case '[':
		return json_container(j, 0);
	case '"':
		return json_string(j);
	case 't':
		return json_word(j, "true");
	case 'f':
		return json_word(j, "false");
	case 'n':
		return json_word(j, "null");
	default:
		return json_number(j);
	}
}

/* 0 if s[0..n) is one JSON object and whitespace, else the offset of the
 * error plus 1. */
static size_t
json_check(const char *s, size_t n)
{
	struct parser j = {(const uint8_t *)s, (const uint8_t *)s + n, 0};

	json_ws(&j);
	if (j.p >= j.end || *j.p != '{' || json_value(&j) != 0)
		return (size_t)(j.p - (const uint8_t *)s) + 1;
	json_ws(&j);
	if (j.p != j.end)
		return (size_t)(j.p - (const uint8_t *)s) + 1;
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

/* Print bytes with non-printing ones as \xNN, for failure messages. */
static void
print_bytes(const char *label, const char *s, size_t n)
{
	size_t i;

	print_error("%s: \"", label);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f)
			print_error("%c", c);
		else
			print_error("\\x%02x", c);
	}
	print_error("\" (%zu bytes)\n", n);
}

/* manifest_json(m) must be valid JSON, *len its length (no NUL inside,
 * ending "}\n"). The caller sodium_frees the result. */
static char *
json_at(const char *file, int line, const struct manifest *m, size_t *len)
{
	char *js;
	size_t bad;

	*len = (size_t)-1;
	js = manifest_json(m, len);
	if (js == NULL) {
		print_error("manifest_json\nexpected: JSON\ngot: NULL\n");
		_fail(file, line);
	}
	if (strlen(js) != *len) {
		print_error("manifest_json\nexpected: *len %zu (strlen)\n"
			    "got: %zu\n",
		    strlen(js), *len);
		sodium_free(js);
		_fail(file, line);
	}
	if (*len < 2 || strcmp(js + *len - 2, "}\n") != 0) {
		print_bytes("expected: one object then LF\ngot", js, *len);
		sodium_free(js);
		_fail(file, line);
	}
	if ((bad = json_check(js, *len)) != 0) {
		size_t from = bad - 1 > 60 ? bad - 1 - 60 : 0;
		size_t n = *len - from < 120 ? *len - from : 120;

		print_error("expected: strict JSON\ngot: an error at byte "
			    "%zu of %zu\n",
		    bad - 1, *len);
		print_bytes("bytes from 60 before it", js + from, n);
		sodium_free(js);
		_fail(file, line);
	}
	return js;
}
#define json_of(m, len) json_at(__FILE__, __LINE__, m, len)

static void
json_is_at(
    const char *file, int line, const struct manifest *m, const char *want)
{
	size_t len, wlen = strlen(want);
	char *js = json_at(file, line, m, &len);

	if (len != wlen || memcmp(js, want, len) != 0) {
		print_bytes("expected", want, wlen);
		print_bytes("got", js, len);
		sodium_free(js);
		_fail(file, line);
	}
	sodium_free(js);
}
#define json_is(m, want) json_is_at(__FILE__, __LINE__, m, want)

/* The exact output for a manifest with no files around a message. */
#define PREFIX                                                                 \
	"{\"format\":\"postern-manifest/1\",\"submission\":\"" SUB "\","       \
	"\"received_hour\":\"2026-11-28T15:00:00Z\",\"message\":"
#define SUFFIX ",\"files\":[]}\n"

/* The message of n bytes must come out as the JSON string want (between
 * its quotes). */
static void
message_is_at(
    const char *file, int line, const char *msg, size_t n, const char *want)
{
	struct manifest m = {SUB, HOUR, msg, n, NULL, 0};
	char full[4096];
	int w;

	w = snprintf(full, sizeof(full), PREFIX "\"%s\"" SUFFIX, want);
	assert_true(w > 0 && (size_t)w < sizeof(full));
	json_is_at(file, line, &m, full);
}
#define message_is(msg, n, want) message_is_at(__FILE__, __LINE__, msg, n, want)
/* For string literals: n is the literal's length, NULs included. */
#define msg_is(lit, want) message_is(lit, sizeof(lit) - 1, want)

/* The file name name must come out as the JSON string want. */
static void
name_is_at(const char *file, int line, const char *name, const char *want)
{
	struct manifest_file f = {ITEM1, name, 1, "text/plain", NULL, 0, "r", NULL, NULL};
	struct manifest m = {SUB, HOUR, "", 0, &f, 1};
	char full[4096];
	int w;

	w = snprintf(full, sizeof(full),
	    PREFIX "\"\",\"files\":[{\"item\":\"" ITEM1 "\",\"name\":\"%s\","
		   "\"size\":1,\"type\":\"text/plain\",\"claimed_type\":null,"
		   NOT_CLEANED_NULL "\"cleaned\":false,\"report\":\"r\"}]}\n",
	    want);
	assert_true(w > 0 && (size_t)w < sizeof(full));
	json_is_at(file, line, &m, full);
}
#define name_is(name, want) name_is_at(__FILE__, __LINE__, name, want)

/* ---- the whole document ----------------------------------------------- */

static void
test_exact_output(void **state)
{
	const struct manifest_file files[2] = {
	    {ITEM1, "report.pdf", 48213, "application/pdf", "application/pdf",
		0, "NOT CLEANED: not cleaned yet; stored as uploaded", NULL, NULL},
	    {ITEM2, "photo 1.jpg", 0, "image/jpeg", NULL, 1,
		"removed EXIF (GPS, camera)", NULL, NULL},
	};
	const struct manifest m = {SUB, HOUR, "hello\nworld", 11, files, 2};

	(void)state;
	json_is(&m,
	    "{\"format\":\"postern-manifest/1\","
	    "\"submission\":\"" SUB "\","
	    "\"received_hour\":\"2026-11-28T15:00:00Z\","
	    "\"message\":\"hello\\u000aworld\","
	    "\"files\":["
	    "{\"item\":\"" ITEM1 "\",\"name\":\"report.pdf\",\"size\":48213,"
	    "\"type\":\"application/pdf\",\"claimed_type\":\"application/pdf\","
	    NOT_CLEANED_NULL "\"cleaned\":false,"
	    "\"report\":\"NOT CLEANED: not cleaned yet; stored as uploaded\"},"
	    "{\"item\":\"" ITEM2 "\",\"name\":\"photo 1.jpg\",\"size\":0,"
	    "\"type\":\"image/jpeg\",\"claimed_type\":null," CLEANED_NULL
	    "\"cleaned\":true,"
	    "\"report\":\"removed EXIF (GPS, camera)\"}"
	    "]}\n");
}

/* The stripper's outcome: status, removed fields with counts, warnings,
 * the reason when not cleaned, and the original's item. */
static void
test_strip_outcome(void **state)
{
	static struct strip_outcome cleaned, unsupported, failed;
	struct manifest_file files[3] = {
	    {ITEM1, "a.jpg", 10, "image/jpeg", "image/jpeg", 1,
		"cleaned: removed EXIF (2), XMP", &cleaned, ITEM3},
	    {ITEM2, "b.bin", 5, "application/octet-stream", NULL, 0,
		"NOT CLEANED: no cleaner for this type", &unsupported, NULL},
	    {ITEM2, "c.pdf", 7, "application/pdf", NULL, 0,
		"NOT CLEANED: the cleaner was killed", &failed, NULL},
	};
	struct manifest m = {SUB, HOUR, "", 0, files, 3};

	(void)state;
	cleaned.status = STRIP_CLEANED;
	snprintf(cleaned.removed[0], sizeof(cleaned.removed[0]), "EXIF");
	cleaned.count[0] = 2;
	snprintf(cleaned.removed[1], sizeof(cleaned.removed[1]), "XMP");
	cleaned.count[1] = 1;
	cleaned.nremoved = 2;
	snprintf(cleaned.warn[0], sizeof(cleaned.warn[0]), "say \"hi\"\\");
	cleaned.nwarn = 1;
	unsupported.status = STRIP_NOT_SUPPORTED;
	snprintf(unsupported.reason, sizeof(unsupported.reason),
	    "no cleaner for this type");
	failed.status = STRIP_NOT_CLEANED;
	failed.reason[0] = '\0'; /* no reason known: "unknown" */
	json_is(&m,
	    PREFIX "\"\",\"files\":["
		   "{\"item\":\"" ITEM1 "\",\"name\":\"a.jpg\",\"size\":10,"
		   "\"type\":\"image/jpeg\",\"claimed_type\":\"image/jpeg\","
		   "\"status\":\"cleaned\",\"removed\":[{\"field\":\"EXIF\","
		   "\"count\":2},{\"field\":\"XMP\",\"count\":1}],"
		   "\"warnings\":[\"say \\\"hi\\\"\\\\\"],"
		   "\"original_item\":\"" ITEM3 "\",\"cleaned\":true,"
		   "\"report\":\"cleaned: removed EXIF (2), XMP\"},"
		   "{\"item\":\"" ITEM2 "\",\"name\":\"b.bin\",\"size\":5,"
		   "\"type\":\"application/octet-stream\",\"claimed_type\":null,"
		   "\"status\":\"not supported\",\"removed\":[],\"warnings\":[],"
		   "\"reason\":\"no cleaner for this type\",\"cleaned\":false,"
		   "\"report\":\"NOT CLEANED: no cleaner for this type\"},"
		   "{\"item\":\"" ITEM2 "\",\"name\":\"c.pdf\",\"size\":7,"
		   "\"type\":\"application/pdf\",\"claimed_type\":null,"
		   "\"status\":\"not cleaned\",\"removed\":[],\"warnings\":[],"
		   "\"reason\":\"unknown\",\"cleaned\":false,"
		   "\"report\":\"NOT CLEANED: the cleaner was killed\"}]}\n");
}

static void
test_no_files(void **state)
{
	const struct manifest m = {SUB, HOUR, "", 0, NULL, 0};
	const struct manifest m2 = {SUB, HOUR, NULL, 0, NULL, 0};

	(void)state;
	json_is(&m, PREFIX "\"\"" SUFFIX);
	/* no message at all is the empty message */
	json_is(&m2, PREFIX "\"\"" SUFFIX);
}

static void
test_size_range(void **state)
{
	struct manifest_file f = {ITEM1, "n", UINT64_MAX, "t", "c", 1, "r", NULL, NULL};
	struct manifest m = {SUB, HOUR, "", 0, &f, 1};

	(void)state;
	json_is(&m,
	    PREFIX "\"\",\"files\":[{\"item\":\"" ITEM1 "\","
		   "\"name\":\"n\",\"size\":18446744073709551615,"
		   "\"type\":\"t\",\"claimed_type\":\"c\"," CLEANED_NULL
		   "\"cleaned\":true,\"report\":\"r\"}]}\n");
}

/* ---- escaping --------------------------------------------------------- */

static void
test_escaping(void **state)
{
	char ctl[0x21];
	char want[0x21 * 6 + 1];
	size_t i;

	(void)state;
	msg_is("say \"hi\"", "say \\\"hi\\\"");
	msg_is("a\\b", "a\\\\b");
	msg_is("\\\"", "\\\\\\\"");
	msg_is("\x7f", "\\u007f");
	msg_is("tab\there\r\n", "tab\\u0009here\\u000d\\u000a");
	/* nothing else: not '/', not '\'', not '<', not non-ASCII */
	msg_is("</script> 'x' / \xc3\xa9", "</script> 'x' / \xc3\xa9");

	/* every control byte, 0x00 to 0x1f, then DEL */
	for (i = 0; i < 0x20; i++)
		ctl[i] = (char)i;
	ctl[0x20] = 0x7f;
	for (i = 0; i < 0x21; i++)
		snprintf(want + 6 * i, 7, "\\u%04x", (unsigned)(uint8_t)ctl[i]);
	message_is(ctl, sizeof(ctl), want);

	/* file names (NUL-terminated strings) are escaped the same way */
	name_is(
	    "a\"b\\c\x01\x1f\x7f.txt", "a\\\"b\\\\c\\u0001\\u001f\\u007f.txt");
	name_is("../../etc/passwd", "../../etc/passwd");
}

static void
test_embedded_nul(void **state)
{
	(void)state;
	msg_is("a\0b", "a\\u0000b");
	msg_is("\0", "\\u0000");
	msg_is("\0\0", "\\u0000\\u0000");
	msg_is("end\0", "end\\u0000");
	/* message_len, not the NUL, ends the message */
	message_is("abcdef", 3, "abc");
	message_is("abc\0def", 7, "abc\\u0000def");
}

/* ---- UTF-8 ------------------------------------------------------------ */

static void
test_valid_utf8_unchanged(void **state)
{
	static const char *const ok[] = {
	    "\xc2\x80",		/* U+0080, first 2-byte */
	    "\xc3\xa9",		/* é */
	    "\xdf\xbf",		/* U+07FF, last 2-byte */
	    "\xe0\xa0\x80",	/* U+0800, first 3-byte */
	    "\xe2\x82\xac",	/* € */
	    "\xed\x9f\xbf",	/* U+D7FF, just below the surrogates */
	    "\xee\x80\x80",	/* U+E000, just above them */
	    "\xef\xbf\xbd",	/* U+FFFD itself */
	    "\xef\xbf\xbf",	/* U+FFFF, last 3-byte */
	    "\xf0\x90\x80\x80", /* U+10000, first 4-byte */
	    "\xf0\x9f\x98\x80", /* 😀 */
	    "\xf4\x8f\xbf\xbf", /* U+10FFFF, the last code point */
	    "\xe2\x80\xae",	/* U+202E RIGHT-TO-LEFT OVERRIDE: kept */
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 "
	    "\xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x93\x84", /* mixed */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		message_is(ok[i], strlen(ok[i]), ok[i]);
		name_is(ok[i], ok[i]);
	}
}

static void
test_invalid_utf8_replaced(void **state)
{
	static const struct {
		const char *in, *out;
	} bad[] = {
	    /* stray continuation bytes */
	    {"\x80", FFFD},
	    {"a\xbf"
	     "b",
		"a" FFFD "b"},
	    /* bytes that never start a sequence */
	    {"\xc0", FFFD},
	    {"\xc1", FFFD},
	    {"\xf5", FFFD},
	    {"\xfe\xff", FFFD FFFD},
	    /* overlong: '/' in 2, 3 and 4 bytes, NUL in 2 */
	    {"\xc0\xaf", FFFD FFFD},
	    {"\xc0\x80", FFFD FFFD},
	    {"\xe0\x80\xaf", FFFD FFFD FFFD},
	    {"\xe0\x9f\xbf", FFFD FFFD FFFD}, /* U+07FF in 3 bytes */
	    {"\xf0\x80\x80\xaf", FFFD FFFD FFFD FFFD},
	    {"\xf0\x8f\xbf\xbf", FFFD FFFD FFFD FFFD}, /* U+FFFF in 4 */
	    /* surrogates, high and low */
	    {"\xed\xa0\x80", FFFD FFFD FFFD},
	    {"\xed\xbf\xbf", FFFD FFFD FFFD},
	    {"\xed\xa0\xbd\xed\xb8\x80", FFFD FFFD FFFD FFFD FFFD FFFD},
	    /* past U+10FFFF */
	    {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD},
	    /* truncated: at the end, and before an ASCII byte */
	    {"\xe2\x82", FFFD FFFD},
	    {"\xf0\x9f\x98", FFFD FFFD FFFD},
	    {"\xe2\x82"
	     "A",
		FFFD FFFD "A"},
	    {"\xc3", FFFD},
	    {"\xc3\xa9\xc3", "\xc3\xa9" FFFD},
	    /* an invalid byte does not swallow a valid sequence after */
	    {"\xff\xc3\xa9", FFFD "\xc3\xa9"},
	    /* a bad byte before an escape */
	    {"\xe2\"", FFFD "\\\""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		message_is(bad[i].in, strlen(bad[i].in), bad[i].out);
		name_is(bad[i].in, bad[i].out);
	}
}

/* Whatever bytes arrive, in every string field, the output is strict
 * JSON. */
static void
test_random_bytes_make_json(void **state)
{
	static const uint8_t seed[randombytes_SEEDBYTES] = {'m', 'f'};
	enum { ROUNDS = 200, N = 600 };
	uint8_t buf[5][N + 1], rnd[N];
	struct manifest_file f;
	struct manifest m;
	size_t len, i, k;
	char *js;
	int r;

	(void)state;
	randombytes_buf_deterministic(rnd, sizeof(rnd), seed);
	for (r = 0; r < ROUNDS; r++) {
		/* each round: new random bytes, biased to UTF-8 lead and
		 * continuation bytes so that near-valid sequences are common */
		for (k = 0; k < 5; k++) {
			randombytes_buf(buf[k], N);
			for (i = 0; i < N; i++)
				if (rnd[(i + k + (size_t)r) % N] & 1)
					buf[k][i] = (uint8_t)(0x80 |
					    (buf[k][i] & 0x7f));
			buf[k][N] = '\0';
		}
		f = (struct manifest_file){ITEM1, (const char *)buf[1], 7,
		    (const char *)buf[2], (const char *)buf[3], 1,
		    (const char *)buf[4], NULL, NULL};
		m = (struct manifest){
		    SUB, HOUR, (const char *)buf[0], N, &f, 1};
		js = json_of(&m, &len);
		sodium_free(js);
	}
}

/* ---- fields ----------------------------------------------------------- */

static void
hour_is_at(const char *file, int line, int64_t hour, const char *want)
{
	const struct manifest m = {SUB, hour, "", 0, NULL, 0};
	char full[512];

	snprintf(full, sizeof(full),
	    "{\"format\":\"postern-manifest/1\",\"submission\":\"" SUB "\","
	    "\"received_hour\":\"%s\",\"message\":\"\"" SUFFIX,
	    want);
	json_is_at(file, line, &m, full);
}
#define hour_is(hour, want) hour_is_at(__FILE__, __LINE__, hour, want)

static void
test_received_hour(void **state)
{
	(void)state;
	hour_is(0, "1970-01-01T00:00:00Z");
	hour_is(HOUR, "2026-11-28T15:00:00Z");
	/* only the hour is ever shown: minutes and seconds are dropped */
	hour_is(HOUR + 3599, "2026-11-28T15:00:00Z");
	hour_is(HOUR - 1, "2026-11-28T14:00:00Z");
	hour_is(951865200, "2000-02-29T23:00:00Z");
	hour_is(4102444800LL, "2100-01-01T00:00:00Z");
}

static void
test_null_claimed_type(void **state)
{
	struct manifest_file f[2] = {
	    {ITEM1, "a", 1, "text/plain", NULL, 0, "x", NULL, NULL},
	    {ITEM2, "b", 2, "text/plain", "", 0, "y", NULL, NULL},
	};
	struct manifest m = {SUB, HOUR, "", 0, f, 2};

	(void)state;
	/* NULL is null; an empty claimed type is the empty string */
	json_is(&m,
	    PREFIX "\"\",\"files\":["
		   "{\"item\":\"" ITEM1 "\",\"name\":\"a\",\"size\":1,"
		   "\"type\":\"text/plain\",\"claimed_type\":null,"
		   NOT_CLEANED_NULL "\"cleaned\":false,\"report\":\"x\"},"
		   "{\"item\":\"" ITEM2 "\",\"name\":\"b\",\"size\":2,"
		   "\"type\":\"text/plain\",\"claimed_type\":\"\","
		   NOT_CLEANED_NULL "\"cleaned\":false,\"report\":\"y\"}]}\n");
}

/* The validator itself must reject what is not strict JSON, or the
 * checks above prove nothing. */
static void
test_validator(void **state)
{
	static const char *const good[] = {"{}",
	    "{\"a\":[1,-2.5e+3,true,"
	    "false,null,\"\\u00e9\\n\"]}\n",
	    "{\"\xc3\xa9\":{}}"};
	static const char *const bad[] = {"", "[]", "{", "{\"a\"}", "{\"a\":}",
	    "{\"a\":1,}", "{\"a\":01}", "{\"a\":\"\x01\"}", "{\"a\":\"\\x\"}",
	    "{\"a\":\"\\u00g0\"}", "{\"a\":\"\x80\"}",
	    "{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xc0\xaf\"}",
	    "{\"a\":\"\xf4\x90\x80\x80\"}", "{\"a\":\"\xe2\x82\"}",
	    "{\"a\":tru}", "{} {}", "{\"a\":\"x}"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_int_equal(json_check(good[i], strlen(good[i])), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (json_check(bad[i], strlen(bad[i])) == 0) {
			print_bytes(
			    "validator accepted", bad[i], strlen(bad[i]));
			fail();
		}
	/* an embedded NUL is a control character */
	assert_int_not_equal(json_check("{\"a\":\"\0\"}", 9), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_validator),
	    cmocka_unit_test(test_exact_output),
	    cmocka_unit_test(test_strip_outcome),
	    cmocka_unit_test(test_no_files),
	    cmocka_unit_test(test_size_range),
	    cmocka_unit_test(test_escaping),
	    cmocka_unit_test(test_embedded_nul),
	    cmocka_unit_test(test_valid_utf8_unchanged),
	    cmocka_unit_test(test_invalid_utf8_replaced),
	    cmocka_unit_test(test_random_bytes_make_json),
	    cmocka_unit_test(test_received_hour),
	    cmocka_unit_test(test_null_claimed_type),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
