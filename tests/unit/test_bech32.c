/*
 * test_bech32.c — the Bech32 module against BIP-173, and age's key strings
 * (which are Bech32) against the example in the age spec.
 *
 * bech32_decode converts the 5-bit data to 8-bit bytes, so every valid
 * BIP-173 string is checked with the bytes it converts to. All of the
 * BIP-173 valid strings happen to convert cleanly; strings whose checksum
 * is valid but whose 5-to-8-bit padding is not were made with the BIP-173
 * reference code (segwit_addr.py bech32_encode) and must give
 * BECH32_EPADDING.
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

#include "postern/age.h"
#include "postern/bech32.h"

#define DATA_MAX 1024
#define ROUNDTRIP_MAX 64
#define CHARSET "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

/* The age spec's example key pair. */
#define SPEC_IDENTITY \
	"AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPQ4EGAEX"
#define SPEC_RECIPIENT \
	"age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj"

struct valid {
	const char *s;
	const char *hrp;  /* lowercased */
	const char *hex;  /* the data as 8-bit bytes */
};

/* BIP-173 "Test vectors: valid Bech32". */
static const struct valid bip173_valid[] = {
	{ "A12UEL5L", "a", "" },
	{ "a12uel5l", "a", "" },
	{ "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexc"
	  "ludedcharactersbio1tt5tgs",
	  "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexc"
	  "ludedcharactersbio", "" },
	/* the whole charset in order: 32 groups, 160 bits, no padding */
	{ "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", "abcdef",
	  "00443214c74254b635cf84653a56d7c675be77df" },
	/* 82 zero groups: 410 bits, 51 bytes and 2 zero padding bits */
	{ "11qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	  "qqqqqqqqqqqqqqqqqqqc8247j", "1",
	  "0000000000000000000000000000000000000000000000000000000000000000"
	  "00000000000000000000000000000000000000" },
	{ "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
	  "split", "c5f38b70305f519bf66d85fb6cf03058f3dde463ecd7918f2dc743918f2d" },
	{ "?1ezyfcl", "?", "" },
	/* made with the BIP-173 reference code: padding that is valid */
	{ "a1qqqd87cq", "a", "00" },     /* 10 bits: 2 zero padding bits */
	{ "a1lllstr745n", "a", "ffff" }, /* 20 bits: 4 zero padding bits */
};

struct invalid {
	const char *what;
	const char *s;
	int code;
};

static const struct invalid bip173_invalid[] = {
	/* BIP-173 "Test vectors: invalid Bech32" */
	{ "HRP character 0x20", "\x20" "1nwldj5", BECH32_ESYNTAX },
	{ "HRP character 0x7F", "\x7f" "1axkwrx", BECH32_ESYNTAX },
	{ "HRP character 0x80", "\x80" "1eym55h", BECH32_ESYNTAX },
	{ "HRP of 84 characters", "an84characterslonghumanreadablepartthatco"
	  "ntainsthenumber1andtheexcludedcharactersbio1569pvx",
	  BECH32_ESYNTAX },
	{ "no separator", "pzry9x0s0muk", BECH32_ESYNTAX },
	{ "empty HRP", "1pzry9x0s0muk", BECH32_ESYNTAX },
	{ "invalid data character", "x1b4n0q5v", BECH32_ESYNTAX },
	{ "too short checksum", "li1dgmt3", BECH32_ESYNTAX },
	{ "invalid character in checksum", "de1lg7wt\xff", BECH32_ESYNTAX },
	{ "checksum over uppercase HRP", "A1G7SGD8", BECH32_ECHECKSUM },
	{ "empty HRP, short", "10a06t8", BECH32_ESYNTAX },
	{ "empty HRP, one group", "1qzzfhee", BECH32_ESYNTAX },
	{ "mixed case", "A12uEl5l", BECH32_ESYNTAX },
	/* ours: checksums valid, 5-to-8-bit conversion is not */
	{ "5 padding bits", "a1q3g6mn3", BECH32_EPADDING },
	{ "7 padding bits", "a1qqqd87cpp", BECH32_EPADDING },
	{ "non-zero padding (2 bits)", "a1qpamnt9j", BECH32_EPADDING },
	{ "non-zero padding (4 bits)", "a1lll3k42qfp", BECH32_EPADDING },
	/* ours: a valid string with one character changed */
	{ "flipped checksum character", "a12uel5m", BECH32_ECHECKSUM },
	{ "empty string", "", BECH32_ESYNTAX },
	{ "only a separator", "1", BECH32_ESYNTAX },
	{ "space inside", "a12uel 5l", BECH32_ESYNTAX },
};

static const char *
code_name(int code)
{
	switch (code) {
	case 0:
		return "0 (ok)";
	case BECH32_ESYNTAX:
		return "BECH32_ESYNTAX";
	case BECH32_ECHECKSUM:
		return "BECH32_ECHECKSUM";
	case BECH32_EPADDING:
		return "BECH32_EPADDING";
	case BECH32_ESPACE:
		return "BECH32_ESPACE";
	}
	return "an unknown code";
}

static void
test_bip173_valid(void **state)
{
	uint8_t data[DATA_MAX], want[DATA_MAX];
	char hrp[BECH32_HRP_MAX + 1];
	size_t i, outlen, wantlen;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bip173_valid) / sizeof(bip173_valid[0]); i++) {
		const struct valid *v = &bip173_valid[i];

		assert_int_equal(sodium_hex2bin(want, sizeof(want), v->hex,
		    strlen(v->hex), NULL, &wantlen, NULL), 0);
		memset(hrp, 'X', sizeof(hrp));
		outlen = 12345;
		rc = bech32_decode(v->s, hrp, sizeof(hrp), data, sizeof(data),
		    &outlen);
		if (rc != 0)
			fail_msg("bech32_decode(\"%s\"): expected 0, got %d %s",
			    v->s, rc, code_name(rc));
		if (strcmp(hrp, v->hrp) != 0)
			fail_msg("bech32_decode(\"%s\"): expected HRP \"%s\", "
			    "got \"%.*s\"", v->s, v->hrp, (int)sizeof(hrp),
			    hrp);
		if (outlen != wantlen)
			fail_msg("bech32_decode(\"%s\"): expected %zu bytes, "
			    "got %zu", v->s, wantlen, outlen);
		assert_memory_equal(data, want, wantlen);
	}
}

static void
test_bip173_invalid(void **state)
{
	uint8_t data[DATA_MAX];
	char hrp[BECH32_HRP_MAX + 16];
	size_t i, outlen;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bip173_invalid) / sizeof(bip173_invalid[0]);
	    i++) {
		const struct invalid *v = &bip173_invalid[i];

		rc = bech32_decode(v->s, hrp, sizeof(hrp), data, sizeof(data),
		    &outlen);
		if (rc != v->code)
			fail_msg("bech32_decode(%s: \"%s\"): expected %s, got "
			    "%d %s", v->what, v->s, code_name(v->code), rc,
			    code_name(rc));
	}
}

/* Output buffers one byte too small are refused with BECH32_ESPACE. */
static void
test_decode_space(void **state)
{
	uint8_t data[DATA_MAX];
	char hrp[BECH32_HRP_MAX + 1];
	size_t outlen;
	int rc;

	(void)state;
	/* "split" + NUL needs 6 bytes, the data 30 */
	rc = bech32_decode(bip173_valid[5].s, hrp, 6, data, 30, &outlen);
	assert_int_equal(rc, 0);
	assert_int_equal(outlen, 30);
	rc = bech32_decode(bip173_valid[5].s, hrp, 5, data, 30, &outlen);
	if (rc != BECH32_ESPACE)
		fail_msg("HRP buffer of 5 for \"split\": expected "
		    "BECH32_ESPACE, got %d %s", rc, code_name(rc));
	rc = bech32_decode(bip173_valid[5].s, hrp, 6, data, 29, &outlen);
	if (rc != BECH32_ESPACE)
		fail_msg("data buffer of 29 for 30 bytes: expected "
		    "BECH32_ESPACE, got %d %s", rc, code_name(rc));
}

static int
all_in(const char *s, const char *set)
{
	return s[strspn(s, set)] == '\0';
}

/* Encode random data of every length 0..64, decode it back. */
static void
test_roundtrip(void **state)
{
	static const char *const hrps[] = { "age", "age-secret-key-", "a" };
	uint8_t data[ROUNDTRIP_MAX], back[ROUNDTRIP_MAX + 1];
	char s[256], t[256], hrp[BECH32_HRP_MAX + 1];
	size_t n, h, want, outlen, pos;
	int upper, len, rc;
	char *c, lc;

	(void)state;
	for (h = 0; h < sizeof(hrps) / sizeof(hrps[0]); h++)
	for (n = 0; n <= ROUNDTRIP_MAX; n++)
	for (upper = 0; upper <= 1; upper++) {
		randombytes_buf(data, n);
		len = bech32_encode(s, sizeof(s), hrps[h], data, n, upper);
		want = strlen(hrps[h]) + 1 + (n * 8 + 4) / 5 + 6;
		if (len < 0 || (size_t)len != want || strlen(s) != want)
			fail_msg("bech32_encode(%s, %zu bytes, upper %d): "
			    "expected length %zu, got %d (\"%s\")", hrps[h],
			    n, upper, want, len, len < 0 ? "" : s);
		if (!all_in(s, upper ? "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
		    : "abcdefghijklmnopqrstuvwxyz0123456789-"))
			fail_msg("bech32_encode(upper %d) gave \"%s\"",
			    upper, s);

		memset(back, 0xa5, sizeof(back));
		rc = bech32_decode(s, hrp, sizeof(hrp), back, sizeof(back),
		    &outlen);
		if (rc != 0)
			fail_msg("bech32_decode(\"%s\"): expected 0, got %d %s",
			    s, rc, code_name(rc));
		assert_string_equal(hrp, hrps[h]);
		assert_int_equal(outlen, n);
		assert_memory_equal(back, data, n);

		/* Exactly-sized output works; one byte less does not. */
		assert_int_equal(bech32_encode(t, want + 1, hrps[h], data, n,
		    upper), (int)want);
		assert_string_equal(t, s);
		assert_int_equal(bech32_encode(t, want, hrps[h], data, n,
		    upper), -1);

		/* Any one substituted data or checksum character is caught. */
		pos = strlen(hrps[h]) + 1 + randombytes_uniform(
		    (uint32_t)(want - strlen(hrps[h]) - 1));
		memcpy(t, s, want + 1);
		lc = s[pos];
		if (lc >= 'A' && lc <= 'Z')
			lc = (char)(lc - 'A' + 'a');
		assert_non_null(c = strchr(CHARSET, lc));
		t[pos] = CHARSET[(c - CHARSET + 1 + randombytes_uniform(31)) %
		    32];
		if (upper && t[pos] >= 'a' && t[pos] <= 'z')
			t[pos] = (char)(t[pos] - 'a' + 'A');
		rc = bech32_decode(t, hrp, sizeof(hrp), back, sizeof(back),
		    &outlen);
		if (rc != BECH32_ECHECKSUM)
			fail_msg("bech32_decode(\"%s\", \"%s\" with position "
			    "%zu changed): expected BECH32_ECHECKSUM, got %d %s",
			    t, s, pos, rc, code_name(rc));
	}
}

/* age removes BIP-173's 90-character limit: long strings decode. */
static void
test_long(void **state)
{
	uint8_t data[650], back[DATA_MAX];
	char s[2048], hrp[BECH32_HRP_MAX + 1];
	size_t outlen;
	int len, rc;

	(void)state;
	randombytes_buf(data, sizeof(data));
	len = bech32_encode(s, sizeof(s), "age", data, 500, 0);
	assert_int_equal(len, 3 + 1 + 800 + 6);
	rc = bech32_decode(s, hrp, sizeof(hrp), back, sizeof(back), &outlen);
	if (rc != 0)
		fail_msg("bech32_decode of a %d-character string: expected 0, "
		    "got %d %s", len, rc, code_name(rc));
	assert_int_equal(outlen, 500);
	assert_memory_equal(back, data, 500);

	/* Past BECH32_STRING_MAX the decoder refuses to look. */
	len = bech32_encode(s, sizeof(s), "age", data, 650, 0);
	if (len > BECH32_STRING_MAX) {
		rc = bech32_decode(s, hrp, sizeof(hrp), back, sizeof(back),
		    &outlen);
		if (rc != BECH32_ESYNTAX)
			fail_msg("bech32_decode of %d characters (cap %d): "
			    "expected BECH32_ESYNTAX, got %d %s", len,
			    BECH32_STRING_MAX, rc, code_name(rc));
	} else if (len != -1) {
		fail_msg("bech32_encode of 650 bytes: expected %d characters "
		    "or -1, got %d", 3 + 1 + 1040 + 6, len);
	}
}

static void
test_encode_invalid_hrp(void **state)
{
	uint8_t data[4] = { 1, 2, 3, 4 };
	char s[128];

	(void)state;
	assert_int_equal(bech32_encode(s, sizeof(s), "AGE", data, 4, 0), -1);
	assert_int_equal(bech32_encode(s, sizeof(s), "a e", data, 4, 0), -1);
	assert_int_equal(bech32_encode(s, sizeof(s), "", data, 4, 0), -1);
	assert_int_equal(bech32_encode(s, sizeof(s), "a\x7f", data, 4, 0), -1);
}

static void
test_spec_example(void **state)
{
	struct age_identity *id = NULL, *id2 = NULL;
	struct age_recipient *r = NULL, *r2 = NULL;
	char buf[AGE_IDENTITY_STRLEN + 1];
	enum age_err rc;

	(void)state;
	rc = age_identity_parse(&id, SPEC_IDENTITY);
	if (rc != AGE_OK)
		fail_msg("age_identity_parse(spec example): expected AGE_OK, "
		    "got %d %s", rc, age_strerror(rc));
	assert_non_null(r = age_identity_recipient(id));
	assert_int_equal(age_recipient_format(r, buf, sizeof(buf)), 0);
	assert_string_equal(buf, SPEC_RECIPIENT);
	/* exactly the documented size is enough, one less is not */
	assert_int_equal(age_recipient_format(r, buf,
	    AGE_RECIPIENT_STRLEN + 1), 0);
	assert_string_equal(buf, SPEC_RECIPIENT);
	assert_int_equal(age_recipient_format(r, buf, AGE_RECIPIENT_STRLEN),
	    -1);

	rc = age_recipient_parse(&r2, SPEC_RECIPIENT);
	if (rc != AGE_OK)
		fail_msg("age_recipient_parse(spec example): expected AGE_OK, "
		    "got %d %s", rc, age_strerror(rc));
	assert_int_equal(age_recipient_equal(r, r2), 1);

	/* The identity prints back as it was given. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(age_identity_format(id, buf, sizeof(buf)), 0);
	assert_string_equal(buf, SPEC_IDENTITY);
	assert_int_equal(age_identity_format(id, buf, AGE_IDENTITY_STRLEN),
	    -1);

	/* Lowercase identities are accepted and print uppercase. */
	rc = age_identity_parse(&id2,
	    "age-secret-key-1gfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpyysjzgfpyysjz"
	    "gfpq4egaex");
	if (rc != AGE_OK)
		fail_msg("age_identity_parse(lowercase spec example): expected "
		    "AGE_OK, got %d %s", rc, age_strerror(rc));
	assert_int_equal(age_identity_format(id2, buf, sizeof(buf)), 0);
	assert_string_equal(buf, SPEC_IDENTITY);

	sodium_memzero(buf, sizeof(buf));
	age_identity_free(id2);
	age_recipient_free(r2);
	age_recipient_free(r);
	age_identity_free(id);
}

static void
test_identity_format_roundtrip(void **state)
{
	struct age_identity *id = NULL, *id2 = NULL;
	struct age_recipient *r = NULL, *r2 = NULL;
	char buf[AGE_IDENTITY_STRLEN + 1], buf2[AGE_IDENTITY_STRLEN + 1];
	int i;

	(void)state;
	for (i = 0; i < 16; i++) {
		assert_int_equal(age_identity_generate(&id), AGE_OK);
		assert_int_equal(age_identity_format(id, buf, sizeof(buf)), 0);
		assert_int_equal(strlen(buf), AGE_IDENTITY_STRLEN);
		assert_memory_equal(buf, "AGE-SECRET-KEY-1", 16);
		assert_true(all_in(buf + 16, "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L"));
		assert_int_equal(age_identity_parse(&id2, buf), AGE_OK);
		assert_int_equal(age_identity_format(id2, buf2, sizeof(buf2)),
		    0);
		assert_string_equal(buf, buf2);
		assert_non_null(r = age_identity_recipient(id));
		assert_non_null(r2 = age_identity_recipient(id2));
		assert_int_equal(age_recipient_equal(r, r2), 1);
		age_recipient_free(r2);
		age_recipient_free(r);
		age_identity_free(id2);
		age_identity_free(id);
	}
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(buf2, sizeof(buf2));
}

static void
expect_refused(const char *what, const char *s, int recipient,
    enum age_err want)
{
	struct age_identity *id = NULL;
	struct age_recipient *r = NULL;
	enum age_err rc;

	if (recipient)
		rc = age_recipient_parse(&r, s);
	else
		rc = age_identity_parse(&id, s);
	if (rc == AGE_OK || (want != AGE_OK && rc != want)) {
		age_recipient_free(r);
		age_identity_free(id);
		fail_msg("%s(%s: \"%s\"): expected %s, got %d %s",
		    recipient ? "age_recipient_parse" : "age_identity_parse",
		    what, s, want == AGE_OK ? "a refusal" : age_strerror(want),
		    rc, age_strerror(rc));
	}
	if (r != NULL || id != NULL)
		fail_msg("%s: a refused key left a non-NULL *out", what);
}

static void
test_bad_keys(void **state)
{
	(void)state;
	/* one checksum character changed ('X' to 'Y', 'j' to 'k') */
	expect_refused("flipped checksum",
	    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZ"
	    "GFPQ4EGAEY", 0, AGE_ERR_KEY_CHECKSUM);
	expect_refused("flipped checksum",
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwk",
	    1, AGE_ERR_KEY_CHECKSUM);
	/* one data character changed ('z' to 'y') */
	expect_refused("flipped data",
	    "age1yvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwj",
	    1, AGE_ERR_KEY_CHECKSUM);
	/* mixed case */
	expect_refused("mixed case",
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0UES2S82hzrye869xeexvn73equnujwj",
	    1, AGE_ERR_KEY_SYNTAX);
	expect_refused("mixed case",
	    "age1zvkyg2lqzraa2lnjvqej32nkuu0ues2s82hzrye869xeexvn73equnujwJ",
	    1, AGE_ERR_KEY_SYNTAX);
	expect_refused("mixed case",
	    "AGE-SECRET-KEY-1GFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZGFPYYSJZ"
	    "GFPQ4EGAEx", 0, AGE_ERR_KEY_SYNTAX);
	/* stray bytes */
	expect_refused("trailing newline", SPEC_RECIPIENT "\n", 1, AGE_OK);
	expect_refused("leading space", " " SPEC_RECIPIENT, 1, AGE_OK);
	expect_refused("trailing newline", SPEC_IDENTITY "\n", 0, AGE_OK);
	expect_refused("empty", "", 1, AGE_OK);
	expect_refused("empty", "", 0, AGE_OK);
	/* a key of the other kind */
	expect_refused("an identity", SPEC_IDENTITY, 1, AGE_OK);
	expect_refused("a recipient", SPEC_RECIPIENT, 0, AGE_OK);
	/* valid Bech32, wrong sizes or HRPs (BIP-173 reference code) */
	expect_refused("31-byte key",
	    "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqar9jk6", 1,
	    AGE_OK);
	expect_refused("33-byte key",
	    "age1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqzhlqeg",
	    1, AGE_OK);
	expect_refused("HRP agf",
	    "agf1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0s43wcss", 1,
	    AGE_OK);
	expect_refused("recipient HRP for an identity",
	    "AGE1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSNZS23V9CCRYDPK8QARC0SAVHH7M", 0,
	    AGE_OK);
	/* a post-quantum identity HRP: a type we do not support */
	expect_refused("post-quantum HRP",
	    "AGE-SECRET-KEY-PQ-1QQQSYQCYQ5RQWZQFPG9SCRGWPUGPZYSNZS23V9CCRYDPK8Q"
	    "ARC0S5DYVQQ", 0, AGE_ERR_KEY_TYPE);
}

static void
test_keyid(void **state)
{
	struct age_recipient *r = NULL;
	uint8_t digest[crypto_hash_sha256_BYTES];
	char want[AGE_KEYID_STRLEN + 1], buf[AGE_KEYID_STRLEN + 8];
	enum age_err rc;

	(void)state;
	rc = age_recipient_parse(&r, SPEC_RECIPIENT);
	if (rc != AGE_OK)
		fail_msg("age_recipient_parse(spec example): %d %s", rc,
		    age_strerror(rc));
	crypto_hash_sha256(digest, (const uint8_t *)SPEC_RECIPIENT,
	    strlen(SPEC_RECIPIENT));
	sodium_bin2hex(want, sizeof(want), digest, AGE_KEYID_STRLEN / 2);

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(age_recipient_keyid(r, buf, sizeof(buf)), 0);
	assert_int_equal(strlen(buf), AGE_KEYID_STRLEN);
	assert_true(all_in(buf, "0123456789abcdef"));
	assert_string_equal(buf, want);
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(age_recipient_keyid(r, buf, AGE_KEYID_STRLEN + 1), 0);
	assert_string_equal(buf, want);
	assert_int_equal(age_recipient_keyid(r, buf, AGE_KEYID_STRLEN), -1);
	age_recipient_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bip173_valid),
		cmocka_unit_test(test_bip173_invalid),
		cmocka_unit_test(test_decode_space),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_long),
		cmocka_unit_test(test_encode_invalid_hrp),
		cmocka_unit_test(test_spec_example),
		cmocka_unit_test(test_identity_format_roundtrip),
		cmocka_unit_test(test_bad_keys),
		cmocka_unit_test(test_keyid),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "test_bech32: sodium_init failed\n");
		return 1;
	}
	return cmocka_run_group_tests_name("bech32", tests, NULL, NULL);
}
