/*
 * test_csrf.c — stateless form tokens: a token is CSRF_TOKEN_LEN
 * characters of URL-safe base64; it checks until, and not at, its expiry;
 * only the instance (secret) that made it accepts it; any change to it,
 * any other length and any garbage is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <sodium.h>

#include "postern/csrf.h"

#define LIFETIME ((time_t)3600)
#define NOW ((time_t)1795878123)

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
group_setup(void **state)
{
	(void)state;
	if (sodium_init() < 0) {
		fprintf(stderr, "test_csrf: sodium_init failed\n");
		return -1;
	}
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static struct csrf *
new_at(const char *file, int line, time_t lifetime)
{
	struct csrf *c = csrf_new(lifetime);

	if (c == NULL) {
		print_error(
		    "csrf_new(%lld)\nexpected: an instance\ngot: NULL\n",
		    (long long)lifetime);
		_fail(file, line);
	}
	return c;
}
#define new_csrf(lifetime) new_at(__FILE__, __LINE__, lifetime)

/* csrf_check(c, now, token, len) must return want (0 or -1). */
static void
check_at(const char *file, int line, const struct csrf *c, time_t now,
    const char *token, size_t len, int want, const char *why)
{
	int got = csrf_check(c, now, token, len);
	size_t i;

	if (got != want) {
		print_error("csrf_check (%s) at now = %lld, token \"", why,
		    (long long)now);
		for (i = 0; i < len; i++) {
			unsigned char ch = (unsigned char)token[i];
			if (ch >= 0x20 && ch < 0x7f)
				print_error("%c", ch);
			else
				print_error("\\x%02x", ch);
		}
		print_error(
		    "\" (%zu bytes)\nexpected: %d\ngot: %d\n", len, want, got);
		_fail(file, line);
	}
}
#define accepts(c, now, tok, why)                                              \
	check_at(__FILE__, __LINE__, c, now, tok, strlen(tok), 0, why)
#define refuses_n(c, now, tok, len, why)                                       \
	check_at(__FILE__, __LINE__, c, now, tok, len, -1, why)
#define refuses(c, now, tok, why) refuses_n(c, now, tok, strlen(tok), why)

/* ---- tests ------------------------------------------------------------ */

static void
test_format(void **state)
{
	char tok[CSRF_TOKEN_LEN + 8];
	struct csrf *c;
	time_t t;

	(void)state;
	c = new_csrf(LIFETIME);
	for (t = NOW; t < NOW + 50; t++) {
		/* guard bytes after the NUL must stay */
		memset(tok, '#', sizeof(tok));
		csrf_make(c, t, tok);
		if (strlen(tok) != CSRF_TOKEN_LEN ||
		    strspn(tok, b64url) != CSRF_TOKEN_LEN ||
		    tok[CSRF_TOKEN_LEN + 1] != '#') {
			print_error("csrf_make at %lld\nexpected: %d URL-safe "
				    "base64 characters, a NUL, nothing more\n"
				    "got: \"%.*s\"\n",
			    (long long)t, CSRF_TOKEN_LEN, CSRF_TOKEN_LEN + 1,
			    tok);
			csrf_free(c);
			fail();
		}
	}
	csrf_free(c);
}

static void
test_lifetime(void **state)
{
	char tok[CSRF_TOKEN_LEN + 1];
	struct csrf *c;

	(void)state;
	c = new_csrf(LIFETIME);
	csrf_make(c, NOW, tok);
	accepts(c, NOW, tok, "made now");
	accepts(c, NOW + 1, tok, "a second later");
	accepts(c, NOW + LIFETIME - 1, tok, "the last second of its life");
	refuses(c, NOW + LIFETIME, tok, "exactly at its expiry");
	refuses(c, NOW + LIFETIME + 1, tok, "a second after its expiry");
	refuses(c, NOW + 100 * LIFETIME, tok, "long after");

	/* a token made earlier lives from when it was made */
	csrf_make(c, NOW - LIFETIME + 10, tok);
	accepts(c, NOW, tok, "made lifetime - 10 s ago");
	csrf_make(c, NOW - LIFETIME, tok);
	refuses(c, NOW, tok, "made exactly lifetime ago");
	csrf_free(c);

	/* another lifetime */
	c = new_csrf(60);
	csrf_make(c, NOW, tok);
	accepts(c, NOW + 59, tok, "lifetime 60, 59 s later");
	refuses(c, NOW + 60, tok, "lifetime 60, 60 s later");
	refuses(c, NOW + 61, tok, "lifetime 60, 61 s later");
	csrf_free(c);

	/* lifetime 0: expired when made */
	c = new_csrf(0);
	csrf_make(c, NOW, tok);
	refuses(c, NOW, tok, "lifetime 0");
	csrf_free(c);
}

/* Stateless: the same instance makes the same token for the same second
 * (nothing about the visitor goes in); other seconds give others. */
static void
test_stateless(void **state)
{
	char a[CSRF_TOKEN_LEN + 1], b[CSRF_TOKEN_LEN + 1];
	struct csrf *c;

	(void)state;
	c = new_csrf(LIFETIME);
	csrf_make(c, NOW, a);
	csrf_make(c, NOW, b);
	assert_string_equal(a, b);
	csrf_make(c, NOW + 1, b);
	if (strcmp(a, b) == 0) {
		print_error("tokens for %lld and %lld\nexpected: different\n"
			    "got: \"%s\" twice\n",
		    (long long)NOW, (long long)NOW + 1, a);
		csrf_free(c);
		fail();
	}
	/* both check */
	accepts(c, NOW, a, "made at NOW");
	accepts(c, NOW, b, "made at NOW + 1");
	csrf_free(c);
}

static void
test_other_secret(void **state)
{
	char ta[CSRF_TOKEN_LEN + 1], tb[CSRF_TOKEN_LEN + 1];
	struct csrf *a, *b;

	(void)state;
	a = new_csrf(LIFETIME);
	b = new_csrf(LIFETIME);
	csrf_make(a, NOW, ta);
	csrf_make(b, NOW, tb);
	if (strcmp(ta, tb) == 0) {
		print_error("two instances, same time\nexpected: different "
			    "tokens\ngot: \"%s\" twice\n",
		    ta);
		fail();
	}
	accepts(a, NOW, ta, "a's own");
	accepts(b, NOW, tb, "b's own");
	refuses(a, NOW, tb, "b's token checked by a");
	refuses(b, NOW, ta, "a's token checked by b");
	csrf_free(a);
	csrf_free(b);
}

/*
 * A token made by c with a '_' in it, made at NOW or a little after (a
 * third of tokens have one). '_' is the character libsodium 1.0.18's
 * base64 decoder confuses with every byte from 0x80 up, so the tests
 * below need one to be sure to see that.
 */
static time_t
make_with_underscore(const struct csrf *c, char tok[CSRF_TOKEN_LEN + 1])
{
	time_t t;

	for (t = NOW; t < NOW + 1000; t++) {
		csrf_make(c, t, tok);
		if (strchr(tok, '_') != NULL)
			return t;
	}
	fail_msg("no token with '_' in 1000 tries");
	return 0;
}

/* Bytes past ASCII are not base64: in place of '_' they are refused. */
static void
test_high_bytes_refused(void **state)
{
	static const unsigned char high[] = {0x80, 0xbf, 0xc3, 0xdf, 0xff};
	char tok[CSRF_TOKEN_LEN + 1], bad[CSRF_TOKEN_LEN + 1], why[64];
	struct csrf *c;
	size_t i, at;
	time_t t;

	(void)state;
	c = new_csrf(LIFETIME);
	t = make_with_underscore(c, tok);
	accepts(c, t, tok, "unchanged");
	at = (size_t)(strchr(tok, '_') - tok);
	for (i = 0; i < sizeof(high); i++) {
		memcpy(bad, tok, sizeof(bad));
		bad[at] = (char)high[i];
		snprintf(why, sizeof(why), "'_' at %zu replaced by 0x%02x", at,
		    high[i]);
		refuses_n(c, t, bad, CSRF_TOKEN_LEN, why);
	}
	csrf_free(c);
}

/* Any one character changed, to anything, and the token is refused. */
static void
test_every_change_fails(void **state)
{
	static const char others[] = "=+/. ~!\"\\\t\n\x7f\x80\xff";
	char tok[CSRF_TOKEN_LEN + 1], bad[CSRF_TOKEN_LEN + 1];
	char repl[sizeof(b64url) + sizeof(others) + 1];
	struct csrf *c;
	size_t i, k, nrepl, tried = 0, accepted = 0;
	time_t now;

	(void)state;
	/* every URL-safe base64 character, other characters, and NUL */
	nrepl = strlen(b64url) + strlen(others) + 1;
	memcpy(repl, b64url, strlen(b64url));
	memcpy(repl + strlen(b64url), others, strlen(others));
	repl[nrepl - 1] = '\0';

	c = new_csrf(LIFETIME);
	now = make_with_underscore(c, tok);
	accepts(c, now, tok, "unchanged");
	for (i = 0; i < CSRF_TOKEN_LEN; i++)
		for (k = 0; k < nrepl; k++) {
			if (repl[k] == tok[i])
				continue;
			memcpy(bad, tok, sizeof(bad));
			bad[i] = repl[k];
			tried++;
			if (csrf_check(c, now, bad, CSRF_TOKEN_LEN) == -1)
				continue;
			if (++accepted <= 5)
				print_error("token \"%s\", character %zu "
					    "changed from 0x%02x to 0x%02x\n"
					    "expected: -1\ngot: 0\n",
				    tok, i, (unsigned char)tok[i],
				    (unsigned char)repl[k]);
		}
	/* 63 other base64 characters + the others + NUL, at each place */
	assert_int_equal(tried, CSRF_TOKEN_LEN * (nrepl - 1));
	if (accepted) {
		print_error("single-character changes accepted: %zu of %zu\n",
		    accepted, tried);
		csrf_free(c);
		fail();
	}
	csrf_free(c);
}

/* A forged expiry: the first 8 bytes are the expiry, the MAC is kept. */
static void
test_forged_expiry(void **state)
{
	char tok[CSRF_TOKEN_LEN + 1], forged[CSRF_TOKEN_LEN + 1];
	uint8_t raw[24];
	size_t n;
	struct csrf *c;

	(void)state;
	c = new_csrf(LIFETIME);
	csrf_make(c, NOW, tok);
	assert_int_equal(
	    sodium_base642bin(raw, sizeof(raw), tok, CSRF_TOKEN_LEN, NULL, &n,
		NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
	    0);
	assert_int_equal(n, sizeof(raw));
	raw[5] ^= 0x01; /* expiry moved by 65536 s */
	sodium_bin2base64(forged, sizeof(forged), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	refuses(c, NOW, forged, "expiry changed, MAC kept");
	refuses(c, NOW + LIFETIME + 10, forged, "expiry extended, MAC kept");
	csrf_free(c);
}

static void
test_wrong_lengths(void **state)
{
	char tok[CSRF_TOKEN_LEN + 1], longer[CSRF_TOKEN_LEN + 8];
	struct csrf *c;

	(void)state;
	c = new_csrf(LIFETIME);
	csrf_make(c, NOW, tok);
	refuses_n(c, NOW, "", 0, "empty");
	refuses_n(c, NOW, tok, 0, "a good token with len 0");
	refuses_n(c, NOW, tok, 1, "its first character");
	refuses_n(c, NOW, tok, CSRF_TOKEN_LEN - 1, "its first 31");
	refuses_n(c, NOW, tok + 1, CSRF_TOKEN_LEN - 1, "its last 31");
	snprintf(longer, sizeof(longer), "%sA", tok);
	refuses_n(c, NOW, longer, CSRF_TOKEN_LEN + 1, "33: one more");
	snprintf(longer, sizeof(longer), "%s=", tok);
	refuses_n(c, NOW, longer, CSRF_TOKEN_LEN + 1, "33: padding");
	snprintf(longer, sizeof(longer), "%s\n", tok);
	refuses_n(c, NOW, longer, CSRF_TOKEN_LEN + 1, "33: a newline");
	snprintf(longer, sizeof(longer), "A%s", tok);
	refuses_n(c, NOW, longer, CSRF_TOKEN_LEN + 1, "33: one before");
	memcpy(longer, tok, CSRF_TOKEN_LEN);
	memcpy(longer + CSRF_TOKEN_LEN, tok, sizeof(longer) - CSRF_TOKEN_LEN);
	refuses_n(c, NOW, longer, sizeof(longer), "itself and 8 more of it");
	/* and the token itself, at its length, still checks */
	accepts(c, NOW, tok, "the good token after all that");
	csrf_free(c);
}

static void
test_garbage(void **state)
{
	static const char *const junk[] = {
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* decodes: expiry 0 */
	    "________________________________", /* decodes: all 0xff */
	    "--------------------------------",
	    "////////////////////////////////", /* standard base64 */
	    "++++++++++++++++++++++++++++++++",
	    "================================",
	    "                                ",
	    "abcdefghijklmnopqrstuvwxyz012345",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
	    "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1"
	    "\xf0\xef\xee\xed\xec\xeb\xea\xe9\xe8\xe7\xe6\xe5\xe4\xe3\xe2"
	    "\xe1\xe0",
	    "<script>alert(1)</script>AAAAAAA",
	};
	char zeros[CSRF_TOKEN_LEN] = {0};
	struct csrf *c;
	size_t i;

	(void)state;
	c = new_csrf(LIFETIME);
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		assert_int_equal(strlen(junk[i]), CSRF_TOKEN_LEN);
		refuses(c, NOW, junk[i], "garbage of the right length");
		refuses(c, 0, junk[i], "garbage, at time 0");
	}
	refuses_n(c, NOW, zeros, sizeof(zeros), "32 NUL bytes");
	csrf_free(c);
}

static void
test_free_null(void **state)
{
	(void)state;
	csrf_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format),
	    cmocka_unit_test(test_lifetime),
	    cmocka_unit_test(test_stateless),
	    cmocka_unit_test(test_other_secret),
	    cmocka_unit_test(test_high_bytes_refused),
	    cmocka_unit_test(test_every_change_fails),
	    cmocka_unit_test(test_forged_expiry),
	    cmocka_unit_test(test_wrong_lengths),
	    cmocka_unit_test(test_garbage),
	    cmocka_unit_test(test_free_null),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
