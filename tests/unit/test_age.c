/*
 * test_age.c — the age module's own behaviour: round trips through the
 * streaming API, failures of every kind and the plaintext each releases,
 * the sizes of what it writes, and its API contracts.
 *
 * Every decryption goes through decrypt_buf(), which stores what the sink
 * received and, after any failure, checks that the decryptor refuses more
 * input and keeps returning the same error without releasing more.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "postern/age.h"

#define NONCE_SIZE 16
#define ENC_CHUNK_SIZE (AGE_CHUNK_SIZE + AGE_TAG_SIZE)
#define HEADER_INTRO "age-encryption.org/v1\n"
#define HEADER_INTRO_LEN 22
#define X25519_STANZA_LEN 98 /* "-> X25519 " + 43 + LF + 43 + LF */
#define SCRYPT10_STANZA_LEN 80 /* "-> scrypt " + 22 + " 10" LF + 43 + LF */
#define MAC_LINE_LEN 48      /* "--- " + 43 + LF */
#define PLAIN_MAX 200000
#define ARMOR_BEGIN_LINE "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END_LINE "-----END AGE ENCRYPTED FILE-----"
#define NO_ALT AGE_ERR__COUNT /* no second acceptable code */
#define CLASS_ONLY AGE_ERR__COUNT

#define X25519_HEADER_LEN(n) \
	(HEADER_INTRO_LEN + (n) * X25519_STANZA_LEN + MAC_LINE_LEN)

/* Stores what a sink received; can be told to fail from some call on. */
struct sink {
	uint8_t *buf;
	size_t len;
	size_t cap;
	size_t calls;
	size_t fail_from; /* fail call number fail_from and later; 0 never */
};

struct keys {
	struct age_identity *id[3];
	struct age_recipient *r[3];
	struct age_identity *stranger;
};

static const size_t pieces[] = { 1, 1000, AGE_CHUNK_SIZE, SIZE_MAX };

static int
sink_store(void *arg, const uint8_t *p, size_t n)
{
	struct sink *s = arg;
	uint8_t *nbuf;
	size_t ncap;

	s->calls++;
	if (s->fail_from != 0 && s->calls >= s->fail_from)
		return -1;
	if (n == 0)
		return 0;
	if (n > s->cap - s->len) {
		ncap = s->cap == 0 ? 4096 : s->cap;
		while (ncap - s->len < n)
			ncap *= 2;
		if ((nbuf = realloc(s->buf, ncap)) == NULL)
			return -1;
		s->buf = nbuf;
		s->cap = ncap;
	}
	memcpy(s->buf + s->len, p, n);
	s->len += n;
	return 0;
}

static void
sink_reset(struct sink *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

static void
keys_new(struct keys *k)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < 3; i++) {
		assert_int_equal(age_identity_generate(&k->id[i]), AGE_OK);
		assert_non_null(k->r[i] = age_identity_recipient(k->id[i]));
	}
	assert_int_equal(age_identity_generate(&k->stranger), AGE_OK);
}

static void
keys_free(struct keys *k)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		age_recipient_free(k->r[i]);
		age_identity_free(k->id[i]);
	}
	age_identity_free(k->stranger);
	memset(k, 0, sizeof(*k));
}

static uint8_t *
plain_new(void)
{
	uint8_t *p;

	assert_non_null(p = malloc(PLAIN_MAX));
	randombytes_buf(p, PLAIN_MAX);
	return p;
}

/* Encrypt n bytes of pt, fed in pieces of `piece` bytes, into out. */
static void
encrypt_buf(struct age_recipient *const *r, size_t nr, const uint8_t *pt,
    size_t n, size_t piece, struct sink *out)
{
	struct age_encryptor *enc = NULL;
	size_t off = 0, len;
	enum age_err rc;

	rc = age_encrypt_new(&enc, r, nr, sink_store, out);
	if (rc != AGE_OK)
		fail_msg("age_encrypt_new(%zu recipients): expected AGE_OK, "
		    "got %d %s", nr, rc, age_strerror(rc));
	while (off < n) {
		len = n - off < piece ? n - off : piece;
		rc = age_encrypt_update(enc, pt + off, len);
		if (rc != AGE_OK)
			fail_msg("age_encrypt_update at %zu of %zu: expected "
			    "AGE_OK, got %d %s", off, n, rc, age_strerror(rc));
		off += len;
	}
	rc = age_encrypt_final(enc);
	if (rc != AGE_OK)
		fail_msg("age_encrypt_final(%zu bytes): expected AGE_OK, got "
		    "%d %s", n, rc, age_strerror(rc));
	age_encrypt_free(enc);
}

/*
 * Decrypt n bytes of ct, fed in pieces, into out; the first error from
 * update or final is the result. After an error, check that more input
 * and final are refused with the same error and release nothing.
 */
static enum age_err
decrypt_buf(struct age_identity *const *ids, size_t nids, const uint8_t *ct,
    size_t n, size_t piece, struct sink *out, int *header_ok)
{
	struct age_decryptor *dec = NULL;
	size_t off = 0, len, calls, released;
	enum age_err rc, again;

	rc = age_decrypt_new(&dec, ids, nids, sink_store, out);
	if (rc != AGE_OK)
		fail_msg("age_decrypt_new: expected AGE_OK, got %d %s", rc,
		    age_strerror(rc));
	while (off < n && rc == AGE_OK) {
		len = n - off < piece ? n - off : piece;
		rc = age_decrypt_update(dec, ct + off, len);
		off += len;
	}
	if (rc == AGE_OK)
		rc = age_decrypt_final(dec);
	if (rc != AGE_OK) {
		calls = out->calls;
		released = out->len;
		again = age_decrypt_update(dec, ct, n < 100 ? n : 100);
		if (again != rc)
			fail_msg("update after error %d %s: expected the same "
			    "error, got %d %s", rc, age_strerror(rc), again,
			    age_strerror(again));
		again = age_decrypt_final(dec);
		if (again != rc)
			fail_msg("final after error %d %s: expected the same "
			    "error, got %d %s", rc, age_strerror(rc), again,
			    age_strerror(again));
		if (out->calls != calls || out->len != released)
			fail_msg("after error %d %s: expected no more output, "
			    "got %zu more bytes in %zu calls", rc,
			    age_strerror(rc), out->len - released,
			    out->calls - calls);
	}
	if (header_ok != NULL)
		*header_ok = age_decrypt_header_ok(dec);
	age_decrypt_free(dec);
	return rc;
}

/* The length of the header, through the LF that ends the MAC line. */
static size_t
header_len(const uint8_t *ct, size_t n)
{
	const uint8_t *mac, *nl;

	if ((mac = memmem(ct, n, "\n--- ", 5)) == NULL)
		return 0;
	if ((nl = memchr(mac + 1, '\n', n - (size_t)(mac + 1 - ct))) == NULL)
		return 0;
	return (size_t)(nl + 1 - ct);
}

/* header + nonce + n + one tag per chunk, and at least one chunk */
static size_t
expected_size(size_t hl, size_t n)
{
	size_t chunks = (n + AGE_CHUNK_SIZE - 1) / AGE_CHUNK_SIZE;

	return hl + NONCE_SIZE + n + AGE_TAG_SIZE * (chunks == 0 ? 1 : chunks);
}

static size_t
count_substr(const uint8_t *buf, size_t n, const char *s)
{
	const uint8_t *p = buf, *q;
	size_t count = 0;

	while ((q = memmem(p, n - (size_t)(p - buf), s, strlen(s))) != NULL) {
		count++;
		p = q + 1;
	}
	return count;
}

static void
check_released(const char *what, const struct sink *out, const uint8_t *pt,
    size_t want)
{
	if (out->len != want)
		fail_msg("%s: expected %zu plaintext bytes released, got %zu",
		    what, want, out->len);
	if (want > 0 && memcmp(out->buf, pt, want) != 0)
		fail_msg("%s: released %zu bytes, not the plaintext's first "
		    "%zu", what, out->len, want);
}

/*
 * Decrypt ct with each piece size in `sizes`; each run must fail with want
 * (or alt; or, if want is CLASS_ONLY, with any code of class cls) and
 * release exactly the first `released` bytes of pt.
 */
static void
expect_failure(const char *what, struct age_identity *const *ids,
    size_t nids, const uint8_t *ct, size_t n, enum age_err want,
    enum age_err alt, enum age_err_class cls, const uint8_t *pt,
    size_t released)
{
	static const size_t sizes[] = { 1, 7919, SIZE_MAX };
	struct sink out;
	enum age_err rc;
	size_t i;
	char label[256];

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		memset(&out, 0, sizeof(out));
		rc = decrypt_buf(ids, nids, ct, n, sizes[i], &out, NULL);
		snprintf(label, sizeof(label), "%s (%zu bytes, pieces of %zu)",
		    what, n, sizes[i] == SIZE_MAX ? n : sizes[i]);
		if (want == CLASS_ONLY) {
			if (age_err_class(rc) != cls)
				fail_msg("%s: expected an error of class %d, "
				    "got %d %s (class %d)", label, cls, rc,
				    age_strerror(rc), age_err_class(rc));
		} else if (rc != want && (alt == NO_ALT || rc != alt)) {
			fail_msg("%s: expected %d \"%s\"%s%s, got %d \"%s\"",
			    label, want, age_strerror(want),
			    alt == NO_ALT ? "" : " or ",
			    alt == NO_ALT ? "" : age_strerror(alt), rc,
			    age_strerror(rc));
		}
		check_released(label, &out, pt, released);
		if (released == 0 && out.calls != 0)
			fail_msg("%s: expected no sink call, got %zu", label,
			    out.calls);
		sink_reset(&out);
	}
}

/* Feeding ct whole must fail in age_decrypt_update itself, with want. */
static void
expect_update_failure(const char *what, struct age_identity *const *ids,
    size_t nids, const uint8_t *ct, size_t n, enum age_err want)
{
	struct age_decryptor *dec = NULL;
	struct sink out;
	enum age_err rc;

	memset(&out, 0, sizeof(out));
	assert_int_equal(age_decrypt_new(&dec, ids, nids, sink_store, &out),
	    AGE_OK);
	rc = age_decrypt_update(dec, ct, n);
	age_decrypt_free(dec);
	if (rc != want || out.calls != 0)
		fail_msg("%s: expected age_decrypt_update to fail with %d %s, "
		    "got %d %s (%zu sink calls)", what, want,
		    age_strerror(want), rc, age_strerror(rc), out.calls);
	sink_reset(&out);
}

static void
test_roundtrip(void **state)
{
	static const size_t sizes[] = { 0, 1, 65535, 65536, 65537,
		3 * 65536, 200000 };
	static const size_t nrs[] = { 1, 3 };
	struct keys k;
	struct sink ct, out;
	uint8_t *pt;
	size_t s, r, e, d, hl;
	int hok;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
	for (r = 0; r < sizeof(nrs) / sizeof(nrs[0]); r++)
	for (e = 0; e < sizeof(pieces) / sizeof(pieces[0]); e++) {
		memset(&ct, 0, sizeof(ct));
		encrypt_buf(k.r, nrs[r], pt, sizes[s], pieces[e], &ct);
		assert_true(ct.len > HEADER_INTRO_LEN);
		assert_memory_equal(ct.buf, HEADER_INTRO, HEADER_INTRO_LEN);
		assert_int_equal(count_substr(ct.buf, header_len(ct.buf,
		    ct.len), "\n-> X25519 "), nrs[r]);
		hl = header_len(ct.buf, ct.len);
		if (hl != X25519_HEADER_LEN(nrs[r]))
			fail_msg("%zu recipients: expected a %zu-byte header, "
			    "got %zu", nrs[r], X25519_HEADER_LEN(nrs[r]), hl);
		if (ct.len != expected_size(hl, sizes[s]))
			fail_msg("%zu bytes to %zu recipients: expected %zu "
			    "bytes of ciphertext, got %zu", sizes[s], nrs[r],
			    expected_size(hl, sizes[s]), ct.len);
		for (d = 0; d < sizeof(pieces) / sizeof(pieces[0]); d++) {
			memset(&out, 0, sizeof(out));
			rc = decrypt_buf(&k.id[(e + d) % nrs[r]], 1, ct.buf,
			    ct.len, pieces[d], &out, &hok);
			if (rc != AGE_OK)
				fail_msg("%zu bytes, %zu recipients, pieces "
				    "%zu/%zu: expected AGE_OK, got %d %s",
				    sizes[s], nrs[r], pieces[e], pieces[d], rc,
				    age_strerror(rc));
			check_released("round trip", &out, pt, sizes[s]);
			assert_int_equal(hok, 1);
			sink_reset(&out);
		}
		sink_reset(&ct);
	}
	free(pt);
	keys_free(&k);
}

/*
 * Inputs of many chunks at once, to and across the encryptor's batch
 * sizes; every multiple of the chunk size ends on a full final chunk.
 */
static void
test_roundtrip_large(void **state)
{
	static const size_t sizes[] = {
		4 * AGE_CHUNK_SIZE, 4 * AGE_CHUNK_SIZE + 1,
		5 * AGE_CHUNK_SIZE, 32 * AGE_CHUNK_SIZE,
		33 * AGE_CHUNK_SIZE, 33 * AGE_CHUNK_SIZE + 1,
		64 * AGE_CHUNK_SIZE, 70 * AGE_CHUNK_SIZE + 12345,
	};
	static const size_t enc_pieces[] = { SIZE_MAX, 5 * AGE_CHUNK_SIZE + 1,
		300000, 1000 };
	static const size_t dec_pieces[] = { SIZE_MAX, 3 * ENC_CHUNK_SIZE + 1,
		7919 };
	struct keys k;
	struct sink ct, out;
	uint8_t *pt;
	size_t s, e, d, hl, max = 70 * AGE_CHUNK_SIZE + 12345;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	assert_non_null(pt = malloc(max));
	randombytes_buf(pt, max);
	for (s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
	for (e = 0; e < sizeof(enc_pieces) / sizeof(enc_pieces[0]); e++) {
		memset(&ct, 0, sizeof(ct));
		encrypt_buf(k.r, 2, pt, sizes[s], enc_pieces[e], &ct);
		hl = header_len(ct.buf, ct.len);
		if (ct.len != expected_size(hl, sizes[s]))
			fail_msg("%zu bytes in pieces of %zu: expected %zu "
			    "bytes of ciphertext, got %zu", sizes[s],
			    enc_pieces[e], expected_size(hl, sizes[s]),
			    ct.len);
		d = (s + e) % (sizeof(dec_pieces) / sizeof(dec_pieces[0]));
		memset(&out, 0, sizeof(out));
		rc = decrypt_buf(&k.id[e % 2], 1, ct.buf, ct.len,
		    dec_pieces[d], &out, NULL);
		if (rc != AGE_OK)
			fail_msg("%zu bytes, pieces %zu/%zu: expected AGE_OK, "
			    "got %d %s", sizes[s], enc_pieces[e],
			    dec_pieces[d], rc, age_strerror(rc));
		check_released("large round trip", &out, pt, sizes[s]);
		sink_reset(&out);
		sink_reset(&ct);
	}
	free(pt);
	keys_free(&k);
}

static void
test_three_identities(void **state)
{
	struct keys k;
	struct sink ct, out;
	struct age_identity *ids[2];
	uint8_t *pt;
	size_t i;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 3, pt, 70000, SIZE_MAX, &ct);
	for (i = 0; i < 3; i++) {
		memset(&out, 0, sizeof(out));
		rc = decrypt_buf(&k.id[i], 1, ct.buf, ct.len, 4096, &out,
		    NULL);
		if (rc != AGE_OK)
			fail_msg("identity %zu of 3: expected AGE_OK, got %d "
			    "%s", i, rc, age_strerror(rc));
		check_released("identity of 3", &out, pt, 70000);
		sink_reset(&out);

		/* A stranger first in the list does not get in the way. */
		ids[0] = k.stranger;
		ids[1] = k.id[i];
		memset(&out, 0, sizeof(out));
		rc = decrypt_buf(ids, 2, ct.buf, ct.len, SIZE_MAX, &out, NULL);
		if (rc != AGE_OK)
			fail_msg("stranger, then identity %zu: expected "
			    "AGE_OK, got %d %s", i, rc, age_strerror(rc));
		check_released("stranger first", &out, pt, 70000);
		sink_reset(&out);
	}
	sink_reset(&ct);
	free(pt);
	keys_free(&k);
}

static void
test_wrong_key(void **state)
{
	struct keys k, other;
	struct sink ct;
	uint8_t *pt;
	size_t nr;
	int hok;
	struct sink out;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	keys_new(&other);
	pt = plain_new();
	for (nr = 1; nr <= 3; nr += 2) {
		memset(&ct, 0, sizeof(ct));
		encrypt_buf(k.r, nr, pt, 1000, SIZE_MAX, &ct);
		expect_failure("a stranger's key", &k.stranger, 1, ct.buf,
		    ct.len, AGE_ERR_NO_MATCH, NO_ALT, AGE_CLASS_NO_MATCH, pt,
		    0);
		expect_failure("three strangers' keys", other.id, 3, ct.buf,
		    ct.len, AGE_ERR_NO_MATCH, NO_ALT, AGE_CLASS_NO_MATCH, pt,
		    0);
		memset(&out, 0, sizeof(out));
		rc = decrypt_buf(&k.stranger, 1, ct.buf, ct.len, SIZE_MAX,
		    &out, &hok);
		assert_int_equal(rc, AGE_ERR_NO_MATCH);
		assert_int_equal(age_err_class(rc), AGE_CLASS_NO_MATCH);
		if (hok != 0)
			fail_msg("no match: expected age_decrypt_header_ok 0, "
			    "got %d", hok);
		sink_reset(&out);
		sink_reset(&ct);
	}
	free(pt);
	keys_free(&other);
	keys_free(&k);
}

static void
test_passphrase(void **state)
{
	static const char pass[] = "correct horse battery staple";
	struct age_recipient *pr = NULL, *rs[1];
	struct age_identity *pid = NULL, *wrong = NULL, *ids[2];
	struct keys k;
	struct sink ct, out;
	char buf[AGE_IDENTITY_STRLEN + 1];
	uint8_t *pt;
	size_t hl;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	rc = age_recipient_passphrase(&pr, pass, strlen(pass), 10);
	if (rc != AGE_OK)
		fail_msg("age_recipient_passphrase(logn 10): expected AGE_OK, "
		    "got %d %s", rc, age_strerror(rc));
	assert_int_equal(age_identity_passphrase(&pid, pass, strlen(pass)),
	    AGE_OK);
	assert_int_equal(age_identity_passphrase(&wrong, pass,
	    strlen(pass) - 1), AGE_OK);

	rs[0] = pr;
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(rs, 1, pt, 100000, 777, &ct);
	hl = header_len(ct.buf, ct.len);
	if (hl != HEADER_INTRO_LEN + SCRYPT10_STANZA_LEN + MAC_LINE_LEN)
		fail_msg("scrypt logn 10: expected a %d-byte header, got %zu",
		    HEADER_INTRO_LEN + SCRYPT10_STANZA_LEN + MAC_LINE_LEN, hl);
	assert_int_equal(count_substr(ct.buf, hl, "\n-> scrypt "), 1);
	assert_int_equal(count_substr(ct.buf, hl, "\n-> "), 1);
	assert_int_equal(count_substr(ct.buf, hl, " 10\n"), 1);
	assert_int_equal(ct.len, expected_size(hl, 100000));

	memset(&out, 0, sizeof(out));
	rc = decrypt_buf(&pid, 1, ct.buf, ct.len, 4096, &out, NULL);
	if (rc != AGE_OK)
		fail_msg("right passphrase: expected AGE_OK, got %d %s", rc,
		    age_strerror(rc));
	check_released("right passphrase", &out, pt, 100000);
	sink_reset(&out);

	expect_failure("wrong passphrase", &wrong, 1, ct.buf, ct.len,
	    AGE_ERR_PASSPHRASE, NO_ALT, AGE_CLASS_NO_MATCH, pt, 0);
	expect_failure("X25519 identity on an scrypt file", k.id, 1, ct.buf,
	    ct.len, AGE_ERR_NO_PASSPHRASE, NO_ALT, AGE_CLASS_NO_MATCH, pt, 0);
	assert_int_equal(age_err_class(AGE_ERR_PASSPHRASE),
	    AGE_CLASS_NO_MATCH);

	/* Identities are tried in turn: a wrong one first is fine. */
	ids[0] = wrong;
	ids[1] = pid;
	memset(&out, 0, sizeof(out));
	rc = decrypt_buf(ids, 2, ct.buf, ct.len, SIZE_MAX, &out, NULL);
	if (rc != AGE_OK)
		fail_msg("wrong then right passphrase: expected AGE_OK, got "
		    "%d %s", rc, age_strerror(rc));
	check_released("wrong then right passphrase", &out, pt, 100000);
	sink_reset(&out);
	ids[0] = k.id[0];
	memset(&out, 0, sizeof(out));
	rc = decrypt_buf(ids, 2, ct.buf, ct.len, SIZE_MAX, &out, NULL);
	if (rc != AGE_OK)
		fail_msg("X25519 identity then passphrase: expected AGE_OK, "
		    "got %d %s", rc, age_strerror(rc));
	check_released("X25519 then passphrase", &out, pt, 100000);
	sink_reset(&out);
	sink_reset(&ct);

	/* A passphrase does not open an X25519 file. */
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, 10, SIZE_MAX, &ct);
	expect_failure("passphrase on an X25519 file", &pid, 1, ct.buf,
	    ct.len, AGE_ERR_NO_MATCH, NO_ALT, AGE_CLASS_NO_MATCH, pt, 0);
	sink_reset(&ct);

	/* Passphrases have no key strings. */
	assert_int_equal(age_recipient_format(pr, buf, sizeof(buf)), -1);
	assert_int_equal(age_recipient_keyid(pr, buf, sizeof(buf)), -1);
	assert_int_equal(age_identity_format(pid, buf, sizeof(buf)), -1);
	assert_null(age_identity_recipient(pid));
	assert_int_equal(age_recipient_equal(pr, k.r[0]), 0);

	age_identity_free(wrong);
	age_identity_free(pid);
	age_recipient_free(pr);
	free(pt);
	keys_free(&k);
}

static void
test_passphrase_limits(void **state)
{
	static const int bad_logn[] = { -1, 0, 1, AGE_SCRYPT_LOGN_MIN - 1,
		AGE_SCRYPT_LOGN_MAX + 1, 64 };
	struct age_recipient *pr;
	struct age_identity *pid;
	char *big;
	size_t i;
	enum age_err rc;

	(void)state;
	for (i = 0; i < sizeof(bad_logn) / sizeof(bad_logn[0]); i++) {
		pr = NULL;
		rc = age_recipient_passphrase(&pr, "pw", 2, bad_logn[i]);
		if (rc != AGE_ERR_USAGE || pr != NULL) {
			age_recipient_free(pr);
			fail_msg("age_recipient_passphrase(logn %d): expected "
			    "%d %s, got %d %s", bad_logn[i], AGE_ERR_USAGE,
			    age_strerror(AGE_ERR_USAGE), rc, age_strerror(rc));
		}
	}
	for (i = AGE_SCRYPT_LOGN_MIN; i <= AGE_SCRYPT_LOGN_MAX; i++) {
		pr = NULL;
		rc = age_recipient_passphrase(&pr, "pw", 2, (int)i);
		if (rc != AGE_OK)
			fail_msg("age_recipient_passphrase(logn %zu): expected "
			    "AGE_OK, got %d %s", i, rc, age_strerror(rc));
		age_recipient_free(pr);
	}

	pr = NULL;
	rc = age_recipient_passphrase(&pr, "", 0, 10);
	if (rc != AGE_ERR_PASSPHRASE_EMPTY || pr != NULL)
		fail_msg("empty passphrase: expected %d %s, got %d %s",
		    AGE_ERR_PASSPHRASE_EMPTY,
		    age_strerror(AGE_ERR_PASSPHRASE_EMPTY), rc,
		    age_strerror(rc));

	pid = NULL;
	rc = age_identity_passphrase(&pid, "", 0);
	if (rc != AGE_ERR_PASSPHRASE_EMPTY || pid != NULL)
		fail_msg("empty passphrase identity: expected %d %s, got %d %s",
		    AGE_ERR_PASSPHRASE_EMPTY,
		    age_strerror(AGE_ERR_PASSPHRASE_EMPTY), rc,
		    age_strerror(rc));

	assert_non_null(big = malloc(AGE_PASSPHRASE_MAX + 1));
	memset(big, 'p', AGE_PASSPHRASE_MAX + 1);
	pr = NULL;
	rc = age_recipient_passphrase(&pr, big, AGE_PASSPHRASE_MAX + 1, 10);
	if (rc != AGE_ERR_PASSPHRASE_EMPTY || pr != NULL)
		fail_msg("passphrase of %d bytes: expected %d %s, got %d %s",
		    AGE_PASSPHRASE_MAX + 1, AGE_ERR_PASSPHRASE_EMPTY,
		    age_strerror(AGE_ERR_PASSPHRASE_EMPTY), rc,
		    age_strerror(rc));
	rc = age_recipient_passphrase(&pr, big, AGE_PASSPHRASE_MAX, 10);
	if (rc != AGE_OK)
		fail_msg("passphrase of %d bytes: expected AGE_OK, got %d %s",
		    AGE_PASSPHRASE_MAX, rc, age_strerror(rc));
	age_recipient_free(pr);
	pid = NULL;
	rc = age_identity_passphrase(&pid, big, AGE_PASSPHRASE_MAX + 1);
	if (rc != AGE_ERR_PASSPHRASE_EMPTY || pid != NULL)
		fail_msg("passphrase identity of %d bytes: expected %d %s, got "
		    "%d %s", AGE_PASSPHRASE_MAX + 1, AGE_ERR_PASSPHRASE_EMPTY,
		    age_strerror(AGE_ERR_PASSPHRASE_EMPTY), rc,
		    age_strerror(rc));
	rc = age_identity_passphrase(&pid, big, AGE_PASSPHRASE_MAX);
	if (rc != AGE_OK)
		fail_msg("passphrase identity of %d bytes: expected AGE_OK, "
		    "got %d %s", AGE_PASSPHRASE_MAX, rc, age_strerror(rc));
	age_identity_free(pid);
	free(big);
}

static void
test_scrypt_not_alone(void **state)
{
	struct age_recipient *p1 = NULL, *p2 = NULL, *rs[3];
	struct age_encryptor *enc;
	struct keys k;
	struct sink out;
	size_t i;
	enum age_err rc;
	struct {
		const char *what;
		size_t n;
	} cases[] = {
		{ "passphrase, X25519", 2 },
		{ "X25519, passphrase", 2 },
		{ "passphrase, passphrase", 2 },
		{ "X25519, passphrase, X25519", 3 },
	};

	(void)state;
	keys_new(&k);
	assert_int_equal(age_recipient_passphrase(&p1, "one", 3, 10), AGE_OK);
	assert_int_equal(age_recipient_passphrase(&p2, "two", 3, 10), AGE_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		switch (i) {
		case 0:
			rs[0] = p1;
			rs[1] = k.r[0];
			break;
		case 1:
			rs[0] = k.r[0];
			rs[1] = p1;
			break;
		case 2:
			rs[0] = p1;
			rs[1] = p2;
			break;
		default:
			rs[0] = k.r[0];
			rs[1] = p1;
			rs[2] = k.r[1];
			break;
		}
		memset(&out, 0, sizeof(out));
		enc = NULL;
		rc = age_encrypt_new(&enc, rs, cases[i].n, sink_store, &out);
		if (rc != AGE_ERR_SCRYPT_NOT_ALONE)
			fail_msg("%s: expected %d %s, got %d %s", cases[i].what,
			    AGE_ERR_SCRYPT_NOT_ALONE,
			    age_strerror(AGE_ERR_SCRYPT_NOT_ALONE), rc,
			    age_strerror(rc));
		if (enc != NULL || out.calls != 0)
			fail_msg("%s: expected no encryptor and no output, "
			    "got %p and %zu bytes", cases[i].what, (void *)enc,
			    out.len);
		sink_reset(&out);
	}

	/* No recipients at all is refused too. */
	memset(&out, 0, sizeof(out));
	enc = NULL;
	rc = age_encrypt_new(&enc, rs, 0, sink_store, &out);
	if (rc == AGE_OK || enc != NULL || out.calls != 0)
		fail_msg("no recipients: expected a refusal and no output, got "
		    "%d %s and %zu bytes", rc, age_strerror(rc), out.len);
	sink_reset(&out);

	age_recipient_free(p2);
	age_recipient_free(p1);
	keys_free(&k);
}

/* A 3-chunk file (two full chunks and 100 bytes) cut at many places. */
static void
test_truncated(void **state)
{
	struct keys k;
	struct sink ct;
	uint8_t *pt;
	size_t hl, p0, n = 2 * AGE_CHUNK_SIZE + 100;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, n, SIZE_MAX, &ct);
	hl = header_len(ct.buf, ct.len);
	assert_int_equal(hl, X25519_HEADER_LEN(1));
	p0 = hl + NONCE_SIZE;
	assert_int_equal(ct.len, p0 + 2 * ENC_CHUNK_SIZE + 100 + AGE_TAG_SIZE);

	/* inside the header */
	expect_failure("empty file", k.id, 1, ct.buf, 0, CLASS_ONLY, NO_ALT,
	    AGE_CLASS_HEADER, pt, 0);
	expect_failure("cut in the version line", k.id, 1, ct.buf, 10,
	    CLASS_ONLY, NO_ALT, AGE_CLASS_HEADER, pt, 0);
	expect_failure("cut after the version line", k.id, 1, ct.buf,
	    HEADER_INTRO_LEN, CLASS_ONLY, NO_ALT, AGE_CLASS_HEADER, pt, 0);
	expect_failure("cut in the stanza", k.id, 1, ct.buf, hl / 2,
	    CLASS_ONLY, NO_ALT, AGE_CLASS_HEADER, pt, 0);
	expect_failure("cut before the MAC line", k.id, 1, ct.buf,
	    hl - MAC_LINE_LEN, CLASS_ONLY, NO_ALT, AGE_CLASS_HEADER, pt, 0);
	expect_failure("cut in the MAC", k.id, 1, ct.buf, hl - 10, CLASS_ONLY,
	    NO_ALT, AGE_CLASS_HEADER, pt, 0);
	expect_failure("cut before the header's last LF", k.id, 1, ct.buf,
	    hl - 1, CLASS_ONLY, NO_ALT, AGE_CLASS_HEADER, pt, 0);

	/* inside the nonce */
	expect_failure("no nonce", k.id, 1, ct.buf, hl, AGE_ERR_NONCE, NO_ALT,
	    AGE_CLASS_HEADER, pt, 0);
	expect_failure("1-byte nonce", k.id, 1, ct.buf, hl + 1, AGE_ERR_NONCE,
	    NO_ALT, AGE_CLASS_HEADER, pt, 0);
	expect_failure("15-byte nonce", k.id, 1, ct.buf, hl + 15,
	    AGE_ERR_NONCE, NO_ALT, AGE_CLASS_HEADER, pt, 0);

	/* inside the payload */
	expect_failure("no chunk at all", k.id, 1, ct.buf, p0,
	    AGE_ERR_TRUNCATED, NO_ALT, AGE_CLASS_PAYLOAD, pt, 0);
	/*
	 * A cut inside a chunk leaves a short last chunk that cannot
	 * authenticate; the decryptor cannot tell it from a damaged final
	 * chunk, so either code is right.
	 */
	expect_failure("cut in chunk 0", k.id, 1, ct.buf, p0 + 1000,
	    AGE_ERR_TRUNCATED, AGE_ERR_PAYLOAD_AUTH, AGE_CLASS_PAYLOAD, pt, 0);
	expect_failure("chunk 0 one byte short", k.id, 1, ct.buf,
	    p0 + ENC_CHUNK_SIZE - 1, AGE_ERR_TRUNCATED, AGE_ERR_PAYLOAD_AUTH,
	    AGE_CLASS_PAYLOAD, pt, 0);
	expect_failure("cut after chunk 0", k.id, 1, ct.buf,
	    p0 + ENC_CHUNK_SIZE, AGE_ERR_TRUNCATED, NO_ALT, AGE_CLASS_PAYLOAD,
	    pt, AGE_CHUNK_SIZE);
	expect_failure("1 byte of chunk 1", k.id, 1, ct.buf,
	    p0 + ENC_CHUNK_SIZE + 1, AGE_ERR_TRUNCATED, AGE_ERR_PAYLOAD_AUTH,
	    AGE_CLASS_PAYLOAD, pt, AGE_CHUNK_SIZE);
	expect_failure("16 bytes of chunk 1", k.id, 1, ct.buf,
	    p0 + ENC_CHUNK_SIZE + 16, CLASS_ONLY, NO_ALT, AGE_CLASS_PAYLOAD,
	    pt, AGE_CHUNK_SIZE);
	expect_failure("cut in chunk 1", k.id, 1, ct.buf,
	    p0 + ENC_CHUNK_SIZE + 5000, AGE_ERR_TRUNCATED,
	    AGE_ERR_PAYLOAD_AUTH, AGE_CLASS_PAYLOAD, pt, AGE_CHUNK_SIZE);
	expect_failure("cut after chunk 1", k.id, 1, ct.buf,
	    p0 + 2 * ENC_CHUNK_SIZE, AGE_ERR_TRUNCATED, NO_ALT,
	    AGE_CLASS_PAYLOAD, pt, 2 * AGE_CHUNK_SIZE);
	expect_failure("last chunk one byte short", k.id, 1, ct.buf,
	    ct.len - 1, AGE_ERR_TRUNCATED, AGE_ERR_PAYLOAD_AUTH,
	    AGE_CLASS_PAYLOAD, pt, 2 * AGE_CHUNK_SIZE);

	sink_reset(&ct);
	free(pt);
	keys_free(&k);
}

/*
 * The last-chunk flag: a file that ends on a full chunk encrypted as not
 * final (a 2-chunk file without its final chunk) must fail, releasing the
 * chunk that authenticated; a full chunk that is final is fine.
 */
static void
test_last_chunk_flag(void **state)
{
	struct keys k;
	struct sink ct, out;
	uint8_t *pt;
	size_t hl;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, AGE_CHUNK_SIZE + 100, 1000, &ct);
	hl = header_len(ct.buf, ct.len);
	assert_int_equal(ct.len, hl + NONCE_SIZE + ENC_CHUNK_SIZE + 100 +
	    AGE_TAG_SIZE);
	expect_failure("full non-final chunk at EOF", k.id, 1, ct.buf,
	    hl + NONCE_SIZE + ENC_CHUNK_SIZE, AGE_ERR_TRUNCATED, NO_ALT,
	    AGE_CLASS_PAYLOAD, pt, AGE_CHUNK_SIZE);
	sink_reset(&ct);

	/* the same chunk, encrypted as final, is a whole file */
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, AGE_CHUNK_SIZE, 1000, &ct);
	hl = header_len(ct.buf, ct.len);
	assert_int_equal(ct.len, hl + NONCE_SIZE + ENC_CHUNK_SIZE);
	memset(&out, 0, sizeof(out));
	rc = decrypt_buf(k.id, 1, ct.buf, ct.len, 1000, &out, NULL);
	if (rc != AGE_OK)
		fail_msg("full final chunk: expected AGE_OK, got %d %s", rc,
		    age_strerror(rc));
	check_released("full final chunk", &out, pt, AGE_CHUNK_SIZE);
	sink_reset(&out);
	sink_reset(&ct);
	free(pt);
	keys_free(&k);
}

/* Replace the base64 character at i with another valid one. */
static void
change_b64(uint8_t *buf, size_t i)
{
	buf[i] = buf[i] == 'A' ? 'B' : 'A';
}

static void
test_flipped(void **state)
{
	struct keys k;
	struct sink ct;
	uint8_t *pt, *bad;
	size_t hl, p0, n = 2 * AGE_CHUNK_SIZE + 100;
	int hok;
	struct sink out;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, n, SIZE_MAX, &ct);
	hl = header_len(ct.buf, ct.len);
	assert_int_equal(hl, X25519_HEADER_LEN(1));
	p0 = hl + NONCE_SIZE;
	assert_non_null(bad = malloc(ct.len));
	/* "age-encryption.org/v1\n-> X25519 " then 43 characters */
	assert_memory_equal(ct.buf + HEADER_INTRO_LEN, "-> X25519 ", 10);

#define FLIPPED(what, how, want, cls, released)		\
	do {							\
		memcpy(bad, ct.buf, ct.len);			\
		how;						\
		expect_failure(what, k.id, 1, bad, ct.len, want, NO_ALT, \
		    cls, pt, released);				\
	} while (0)

	FLIPPED("version line", bad[20] = '2', CLASS_ONLY,
	    AGE_CLASS_HEADER, 0);
	FLIPPED("stanza type", bad[HEADER_INTRO_LEN + 8] = '8',
	    AGE_ERR_NO_MATCH, AGE_CLASS_NO_MATCH, 0);
	FLIPPED("stanza argument", change_b64(bad, HEADER_INTRO_LEN + 30),
	    AGE_ERR_NO_MATCH, AGE_CLASS_NO_MATCH, 0);
	FLIPPED("stanza argument, bad character",
	    bad[HEADER_INTRO_LEN + 30] = '!', CLASS_ONLY, AGE_CLASS_HEADER, 0);
	FLIPPED("stanza body", change_b64(bad, HEADER_INTRO_LEN + 54 + 20),
	    AGE_ERR_NO_MATCH, AGE_CLASS_NO_MATCH, 0);
	FLIPPED("header MAC", change_b64(bad, hl - MAC_LINE_LEN + 4 + 20),
	    AGE_ERR_HEADER_MAC, AGE_CLASS_HMAC, 0);
	FLIPPED("payload nonce", bad[hl + 7] ^= 0x01, AGE_ERR_PAYLOAD_AUTH,
	    AGE_CLASS_PAYLOAD, 0);
	FLIPPED("first chunk", bad[p0 + 100] ^= 0x01, AGE_ERR_PAYLOAD_AUTH,
	    AGE_CLASS_PAYLOAD, 0);
	FLIPPED("first chunk's tag", bad[p0 + AGE_CHUNK_SIZE + 5] ^= 0x80,
	    AGE_ERR_PAYLOAD_AUTH, AGE_CLASS_PAYLOAD, 0);
	FLIPPED("second chunk", bad[p0 + ENC_CHUNK_SIZE] ^= 0x01,
	    AGE_ERR_PAYLOAD_AUTH, AGE_CLASS_PAYLOAD, AGE_CHUNK_SIZE);
	FLIPPED("last chunk", bad[ct.len - 50] ^= 0x01,
	    AGE_ERR_PAYLOAD_AUTH, AGE_CLASS_PAYLOAD, 2 * AGE_CHUNK_SIZE);
	FLIPPED("last chunk's tag", bad[ct.len - 1] ^= 0x01,
	    AGE_ERR_PAYLOAD_AUTH, AGE_CLASS_PAYLOAD, 2 * AGE_CHUNK_SIZE);
#undef FLIPPED

	/* A bad MAC means the header was not authenticated. */
	memcpy(bad, ct.buf, ct.len);
	change_b64(bad, hl - MAC_LINE_LEN + 4 + 20);
	memset(&out, 0, sizeof(out));
	rc = decrypt_buf(k.id, 1, bad, ct.len, SIZE_MAX, &out, &hok);
	assert_int_equal(rc, AGE_ERR_HEADER_MAC);
	if (hok != 0)
		fail_msg("bad MAC: expected age_decrypt_header_ok 0, got %d",
		    hok);
	sink_reset(&out);

	/* A bad chunk comes after an authenticated header. */
	memcpy(bad, ct.buf, ct.len);
	bad[p0 + 100] ^= 0x01;
	memset(&out, 0, sizeof(out));
	rc = decrypt_buf(k.id, 1, bad, ct.len, SIZE_MAX, &out, &hok);
	assert_int_equal(rc, AGE_ERR_PAYLOAD_AUTH);
	if (hok != 1)
		fail_msg("bad chunk: expected age_decrypt_header_ok 1, got %d",
		    hok);
	sink_reset(&out);

	free(bad);
	sink_reset(&ct);
	free(pt);
	keys_free(&k);
}

/* Data after the final chunk. */
static void
test_trailing(void **state)
{
	static const struct {
		const char *what;
		size_t n;       /* plaintext bytes */
		size_t extra;   /* bytes appended */
		enum age_err want;
		size_t released;
	} cases[] = {
		/* a full final chunk is known to end where it does */
		{ "1 byte after a full final chunk", 65536, 1,
		  AGE_ERR_TRAILING, 65536 },
		{ "16 bytes after a full final chunk", 65536, 16,
		  AGE_ERR_TRAILING, 65536 },
		{ "a chunk's worth after a full final chunk", 65536,
		  ENC_CHUNK_SIZE + 17, AGE_ERR_TRAILING, 65536 },
		{ "1 byte after 3 full chunks", 3 * 65536, 1,
		  AGE_ERR_TRAILING, 3 * 65536 },
		/* a short final chunk just grows and no longer authenticates */
		{ "1 byte after a short final chunk", 100, 1,
		  AGE_ERR_PAYLOAD_AUTH, 0 },
		{ "1 byte after an empty payload", 0, 1,
		  AGE_ERR_PAYLOAD_AUTH, 0 },
		{ "1 byte after a short second chunk", 65536 + 100, 1,
		  AGE_ERR_PAYLOAD_AUTH, 65536 },
	};
	struct keys k;
	struct sink ct;
	uint8_t *pt, *buf;
	size_t i;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&ct, 0, sizeof(ct));
		encrypt_buf(k.r, 1, pt, cases[i].n, SIZE_MAX, &ct);
		assert_non_null(buf = malloc(ct.len + cases[i].extra));
		memcpy(buf, ct.buf, ct.len);
		randombytes_buf(buf + ct.len, cases[i].extra);
		expect_failure(cases[i].what, k.id, 1, buf,
		    ct.len + cases[i].extra, cases[i].want, NO_ALT,
		    AGE_CLASS_PAYLOAD, pt, cases[i].released);
		free(buf);
		sink_reset(&ct);
	}
	free(pt);
	keys_free(&k);
}

static void
test_empty_payload(void **state)
{
	struct age_encryptor *enc = NULL;
	struct keys k;
	struct sink ct, out;
	size_t hl, d;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	memset(&ct, 0, sizeof(ct));
	assert_int_equal(age_encrypt_new(&enc, k.r, 1, sink_store, &ct),
	    AGE_OK);
	assert_int_equal(age_encrypt_update(enc, "", 0), AGE_OK);
	assert_int_equal(age_encrypt_final(enc), AGE_OK);
	age_encrypt_free(enc);

	hl = header_len(ct.buf, ct.len);
	assert_int_equal(hl, X25519_HEADER_LEN(1));
	if (ct.len != hl + NONCE_SIZE + AGE_TAG_SIZE)
		fail_msg("empty payload: expected header + 16-byte nonce + "
		    "16-byte tag = %zu bytes, got %zu",
		    hl + NONCE_SIZE + AGE_TAG_SIZE, ct.len);
	/* what stock age writes for an empty file to one recipient */
	assert_int_equal(ct.len, 200);

	for (d = 0; d < sizeof(pieces) / sizeof(pieces[0]); d++) {
		memset(&out, 0, sizeof(out));
		rc = decrypt_buf(k.id, 1, ct.buf, ct.len, pieces[d], &out,
		    NULL);
		if (rc != AGE_OK)
			fail_msg("empty payload: expected AGE_OK, got %d %s",
			    rc, age_strerror(rc));
		assert_int_equal(out.len, 0);
		sink_reset(&out);
	}
	sink_reset(&ct);
	keys_free(&k);
}

static void
test_refuse_after_error(void **state)
{
	struct age_encryptor *enc = NULL;
	struct age_decryptor *dec = NULL;
	struct keys k;
	struct sink ct, out;
	uint8_t *pt;
	size_t calls, len;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();

	/* The decryptor after success: no more input. */
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, 1000, SIZE_MAX, &ct);
	memset(&out, 0, sizeof(out));
	assert_int_equal(age_decrypt_new(&dec, k.id, 1, sink_store, &out),
	    AGE_OK);
	assert_int_equal(age_decrypt_update(dec, ct.buf, ct.len), AGE_OK);
	assert_int_equal(age_decrypt_final(dec), AGE_OK);
	check_released("decrypt", &out, pt, 1000);
	calls = out.calls;
	rc = age_decrypt_update(dec, ct.buf, 10);
	if (rc == AGE_OK || out.calls != calls)
		fail_msg("update after final: expected a refusal and no "
		    "output, got %d %s and %zu more calls", rc,
		    age_strerror(rc), out.calls - calls);
	age_decrypt_free(dec);
	dec = NULL;
	sink_reset(&out);

	/* A decryption sink that fails stops the decryptor for good. */
	memset(&out, 0, sizeof(out));
	out.fail_from = 1;
	rc = decrypt_buf(k.id, 1, ct.buf, ct.len, 7, &out, NULL);
	if (rc != AGE_ERR_SINK)
		fail_msg("failing decrypt sink: expected %d %s, got %d %s",
		    AGE_ERR_SINK, age_strerror(AGE_ERR_SINK), rc,
		    age_strerror(rc));
	assert_int_equal(out.calls, 1);
	sink_reset(&out);
	sink_reset(&ct);

	/* The encryptor after final: nothing more is written. */
	memset(&ct, 0, sizeof(ct));
	assert_int_equal(age_encrypt_new(&enc, k.r, 1, sink_store, &ct),
	    AGE_OK);
	assert_int_equal(age_encrypt_update(enc, pt, 100), AGE_OK);
	assert_int_equal(age_encrypt_final(enc), AGE_OK);
	len = ct.len;
	rc = age_encrypt_final(enc);
	if (rc == AGE_OK || ct.len != len)
		fail_msg("encrypt final twice: expected a refusal and no "
		    "output, got %d %s and %zu more bytes", rc,
		    age_strerror(rc), ct.len - len);
	rc = age_encrypt_update(enc, pt, 100);
	if (rc == AGE_OK || ct.len != len)
		fail_msg("encrypt update after final: expected a refusal and "
		    "no output, got %d %s and %zu more bytes", rc,
		    age_strerror(rc), ct.len - len);
	age_encrypt_free(enc);
	enc = NULL;

	/* update after final, on a fresh encryptor */
	assert_int_equal(age_encrypt_new(&enc, k.r, 1, sink_store, &ct),
	    AGE_OK);
	assert_int_equal(age_encrypt_final(enc), AGE_OK);
	len = ct.len;
	rc = age_encrypt_update(enc, pt, 100);
	if (rc == AGE_OK || ct.len != len)
		fail_msg("encrypt update after final: expected a refusal and "
		    "no output, got %d %s and %zu more bytes", rc,
		    age_strerror(rc), ct.len - len);
	age_encrypt_free(enc);
	enc = NULL;
	sink_reset(&ct);

	/* An encryption sink that fails stops the encryptor for good. */
	memset(&ct, 0, sizeof(ct));
	assert_int_equal(age_encrypt_new(&enc, k.r, 1, sink_store, &ct),
	    AGE_OK);
	ct.fail_from = ct.calls + 1;
	rc = age_encrypt_update(enc, pt, PLAIN_MAX);
	if (rc != AGE_ERR_SINK)
		fail_msg("failing encrypt sink with %d bytes: expected %d %s, "
		    "got %d %s", PLAIN_MAX, AGE_ERR_SINK,
		    age_strerror(AGE_ERR_SINK), rc, age_strerror(rc));
	calls = ct.calls;
	rc = age_encrypt_update(enc, pt, 1);
	if (rc == AGE_OK || ct.calls != calls)
		fail_msg("encrypt update after a sink error: expected a "
		    "refusal and no sink call, got %d %s and %zu calls", rc,
		    age_strerror(rc), ct.calls - calls);
	rc = age_encrypt_final(enc);
	if (rc == AGE_OK || ct.calls != calls)
		fail_msg("encrypt final after a sink error: expected a "
		    "refusal and no sink call, got %d %s and %zu calls", rc,
		    age_strerror(rc), ct.calls - calls);
	age_encrypt_free(enc);
	enc = NULL;
	sink_reset(&ct);

	/* A sink that fails on the header fails age_encrypt_new. */
	memset(&ct, 0, sizeof(ct));
	ct.fail_from = 1;
	rc = age_encrypt_new(&enc, k.r, 1, sink_store, &ct);
	if (rc != AGE_ERR_SINK || enc != NULL)
		fail_msg("failing sink in age_encrypt_new: expected %d %s and "
		    "no encryptor, got %d %s and %p", AGE_ERR_SINK,
		    age_strerror(AGE_ERR_SINK), rc, age_strerror(rc),
		    (void *)enc);
	age_encrypt_free(enc);
	sink_reset(&ct);

	free(pt);
	keys_free(&k);
}

/* Insert text into ct at offset at; the result in *out (caller frees). */
static size_t
insert(const uint8_t *ct, size_t n, size_t at, const char *text,
    uint8_t **out)
{
	size_t tlen = strlen(text);

	assert_non_null(*out = malloc(n + tlen));
	memcpy(*out, ct, at);
	memcpy(*out + at, text, tlen);
	memcpy(*out + at + tlen, ct + at, n - at);
	return n + tlen;
}

/*
 * Stanzas added to a good file: unknown ones, however many arguments and
 * body lines, parse and are skipped (so the MAC, which did not cover them,
 * fails); a broken one fails as a header error, which the MAC must not
 * mask.
 */
static void
test_header_grammar(void **state)
{
	static const struct {
		const char *what;
		const char *text;
		int after;      /* insert after the X25519 stanza */
		enum age_err want;
		enum age_err_class cls;
	} cases[] = {
		{ "unknown stanza, 12 arguments",
		  "-> grease a b c d e f g h i j k l\n\n", 0,
		  AGE_ERR_HEADER_MAC, AGE_CLASS_HMAC },
		{ "unknown stanza, full body line then a short one",
		  "-> grease\n"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "AAAA\n", 1, AGE_ERR_HEADER_MAC, AGE_CLASS_HMAC },
		{ "X25519 stanza with an extra argument",
		  "-> X25519 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA x\n"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", 1,
		  CLASS_ONLY, AGE_CLASS_HEADER },
		{ "stanza with a doubled space",
		  "-> grease  a\n\n", 0, CLASS_ONLY, AGE_CLASS_HEADER },
		{ "body line over 64 columns",
		  "-> grease\n"
		  "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"
		  "\n", 0, CLASS_ONLY, AGE_CLASS_HEADER },
		{ "stanza without a body line", "-> grease\n", 1, CLASS_ONLY,
		  AGE_CLASS_HEADER },
	};
	struct keys k;
	struct sink ct;
	uint8_t *pt, *bad;
	size_t i, n;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, 1000, SIZE_MAX, &ct);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = insert(ct.buf, ct.len, HEADER_INTRO_LEN +
		    (cases[i].after ? X25519_STANZA_LEN : 0), cases[i].text,
		    &bad);
		expect_failure(cases[i].what, k.id, 1, bad, n, cases[i].want,
		    NO_ALT, cases[i].cls, pt, 0);
		free(bad);
	}
	sink_reset(&ct);
	free(pt);
	keys_free(&k);
}

/* Append a header of nstanzas unknown stanzas, each with bodylines full
 * 64-column body lines, and (if mac) a MAC line. */
static void
build_header(struct sink *h, size_t nstanzas, size_t bodylines, int mac)
{
	static const char full[] =
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	static const char macline[] =
	    "--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
	size_t i, j;

	assert_int_equal(sink_store(h, (const uint8_t *)HEADER_INTRO,
	    HEADER_INTRO_LEN), 0);
	for (i = 0; i < nstanzas; i++) {
		assert_int_equal(sink_store(h, (const uint8_t *)"-> unknown\n",
		    11), 0);
		for (j = 0; j < bodylines; j++)
			assert_int_equal(sink_store(h, (const uint8_t *)full,
			    sizeof(full) - 1), 0);
		assert_int_equal(sink_store(h, (const uint8_t *)"\n", 1), 0);
	}
	if (mac)
		assert_int_equal(sink_store(h, (const uint8_t *)macline,
		    sizeof(macline) - 1), 0);
	/* a nonce and an empty final chunk's worth of bytes */
	for (i = 0; i < NONCE_SIZE + AGE_TAG_SIZE; i++)
		assert_int_equal(sink_store(h, (const uint8_t *)"\0", 1), 0);
}

/* The caps on what a header may hold: AGE_HEADER_MAX, AGE_STANZAS_MAX. */
static void
test_header_caps(void **state)
{
	struct keys k;
	struct sink h;
	size_t lines = (AGE_HEADER_MAX - 1024) / 65;

	(void)state;
	keys_new(&k);

	/* at the caps: a header that parses, with nothing for us in it */
	memset(&h, 0, sizeof(h));
	build_header(&h, AGE_STANZAS_MAX, 0, 1);
	expect_failure("AGE_STANZAS_MAX unknown stanzas", k.id, 1, h.buf,
	    h.len, AGE_ERR_NO_MATCH, NO_ALT, AGE_CLASS_NO_MATCH, NULL, 0);
	sink_reset(&h);
	memset(&h, 0, sizeof(h));
	build_header(&h, 1, lines, 1);
	assert_true(h.len < AGE_HEADER_MAX);
	expect_failure("a header just under AGE_HEADER_MAX", k.id, 1, h.buf,
	    h.len, AGE_ERR_NO_MATCH, NO_ALT, AGE_CLASS_NO_MATCH, NULL, 0);
	sink_reset(&h);

	/* past them */
	memset(&h, 0, sizeof(h));
	build_header(&h, AGE_STANZAS_MAX + 1, 0, 1);
	expect_failure("AGE_STANZAS_MAX + 1 stanzas", k.id, 1, h.buf, h.len,
	    AGE_ERR_HEADER_TOO_LONG, NO_ALT, AGE_CLASS_HEADER, NULL, 0);
	sink_reset(&h);
	memset(&h, 0, sizeof(h));
	build_header(&h, 1, AGE_HEADER_MAX / 65 + 1, 1);
	expect_failure("a header over AGE_HEADER_MAX", k.id, 1, h.buf, h.len,
	    AGE_ERR_HEADER_TOO_LONG, NO_ALT, AGE_CLASS_HEADER, NULL, 0);
	sink_reset(&h);
	/* refused as it comes in, before the input ends */
	memset(&h, 0, sizeof(h));
	build_header(&h, 1, 2 * AGE_HEADER_MAX / 65, 0);
	expect_update_failure("an endless header", k.id, 1, h.buf, h.len,
	    AGE_ERR_HEADER_TOO_LONG);
	sink_reset(&h);

	keys_free(&k);
}

static void
test_free_null(void **state)
{
	(void)state;
	age_recipient_free(NULL);
	age_identity_free(NULL);
	age_encrypt_free(NULL);
	age_decrypt_free(NULL);
}

static void
test_err_classes(void **state)
{
	static const struct {
		enum age_err from, to;
		enum age_err_class cls;
	} groups[] = {
		{ AGE_OK, AGE_OK, AGE_CLASS_OK },
		{ AGE_ERR_NOMEM, AGE_ERR_SCRYPT_NOT_ALONE, AGE_CLASS_SYSTEM },
		{ AGE_ERR_ARMOR_BEGIN, AGE_ERR_ARMOR_END, AGE_CLASS_ARMOR },
		{ AGE_ERR_NOT_AGE, AGE_ERR_NONCE, AGE_CLASS_HEADER },
		{ AGE_ERR_NO_MATCH, AGE_ERR_NO_PASSPHRASE, AGE_CLASS_NO_MATCH },
		{ AGE_ERR_HEADER_MAC, AGE_ERR_HEADER_MAC, AGE_CLASS_HMAC },
		{ AGE_ERR_PAYLOAD_AUTH, AGE_ERR_EMPTY_CHUNK, AGE_CLASS_PAYLOAD },
	};
	const char *msgs[AGE_ERR__COUNT];
	size_t g;
	int e, f;

	(void)state;
	for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (e = (int)groups[g].from; e <= (int)groups[g].to; e++)
			if (age_err_class((enum age_err)e) != groups[g].cls)
				fail_msg("age_err_class(%d %s): expected %d, "
				    "got %d", e, age_strerror((enum age_err)e),
				    groups[g].cls,
				    age_err_class((enum age_err)e));
	for (e = 0; e < AGE_ERR__COUNT; e++) {
		msgs[e] = age_strerror((enum age_err)e);
		if (msgs[e] == NULL || msgs[e][0] == '\0')
			fail_msg("age_strerror(%d): expected a sentence, got "
			    "%s", e, msgs[e] == NULL ? "NULL" : "\"\"");
		for (f = 0; f < e; f++)
			if (strcmp(msgs[e], msgs[f]) == 0)
				fail_msg("age_strerror(%d) and (%d) are both "
				    "\"%s\"", f, e, msgs[e]);
	}
	assert_non_null(age_strerror(AGE_ERR__COUNT));
	assert_non_null(age_strerror((enum age_err)(AGE_ERR__COUNT + 10)));
}

static void
test_generated_keys(void **state)
{
	struct age_identity *a = NULL, *b = NULL;
	struct age_recipient *ra, *rb, *rp = NULL;
	char sa[AGE_RECIPIENT_STRLEN + 1], sb[AGE_RECIPIENT_STRLEN + 1];
	char ka[AGE_KEYID_STRLEN + 1], kp[AGE_KEYID_STRLEN + 1];

	(void)state;
	assert_int_equal(age_identity_generate(&a), AGE_OK);
	assert_int_equal(age_identity_generate(&b), AGE_OK);
	assert_non_null(ra = age_identity_recipient(a));
	assert_non_null(rb = age_identity_recipient(b));
	assert_int_equal(age_recipient_equal(ra, ra), 1);
	assert_int_equal(age_recipient_equal(ra, rb), 0);
	assert_int_equal(age_recipient_format(ra, sa, sizeof(sa)), 0);
	assert_int_equal(age_recipient_format(rb, sb, sizeof(sb)), 0);
	assert_int_equal(strlen(sa), AGE_RECIPIENT_STRLEN);
	assert_memory_equal(sa, "age1", 4);
	assert_string_not_equal(sa, sb);
	assert_int_equal(age_recipient_parse(&rp, sa), AGE_OK);
	assert_int_equal(age_recipient_equal(ra, rp), 1);
	assert_int_equal(age_recipient_keyid(ra, ka, sizeof(ka)), 0);
	assert_int_equal(age_recipient_keyid(rp, kp, sizeof(kp)), 0);
	assert_string_equal(ka, kp);
	age_recipient_free(rp);
	age_recipient_free(rb);
	age_recipient_free(ra);
	age_identity_free(b);
	age_identity_free(a);
}

static FILE *
tmpfile_with(const uint8_t *buf, size_t n)
{
	FILE *f;
	size_t off = 0;
	ssize_t w;

	assert_non_null(f = tmpfile());
	while (off < n) {
		w = write(fileno(f), buf + off, n - off);
		if (w <= 0)
			fail_msg("write to a temporary file: %s",
			    strerror(errno));
		off += (size_t)w;
	}
	assert_int_equal(lseek(fileno(f), 0, SEEK_SET), 0);
	return f;
}

/* A pipe whose other end a child process fills with buf, then closes. */
static int
pipe_source(const uint8_t *buf, size_t n, pid_t *pid)
{
	int fds[2];
	size_t off = 0;
	ssize_t w;

	assert_int_equal(pipe(fds), 0);
	assert_true((*pid = fork()) != -1);
	if (*pid == 0) {
		close(fds[0]);
		while (off < n) {
			/* odd sizes, so the reader sees short reads */
			w = write(fds[1], buf + off, n - off < 7001 ?
			    n - off : 7001);
			if (w <= 0)
				_exit(1);
			off += (size_t)w;
		}
		_exit(0);
	}
	close(fds[1]);
	return fds[0];
}

static void
pipe_done(int fd, pid_t pid)
{
	int status;

	close(fd);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Encrypt and decrypt n bytes through the file-descriptor API. */
static void
fd_roundtrip(struct keys *k, const uint8_t *pt, size_t n, int from_pipe)
{
	struct sink ct;
	FILE *in = NULL, *enc, *dec;
	uint8_t *back;
	size_t hl;
	pid_t pid = -1;
	int fd, infd;
	enum age_err rc;

	if (from_pipe)
		infd = pipe_source(pt, n, &pid);
	else
		infd = fileno(in = tmpfile_with(pt, n));
	memset(&ct, 0, sizeof(ct));
	rc = age_encrypt_fd(infd, k->r, 2, sink_store, &ct);
	if (rc != AGE_OK)
		fail_msg("age_encrypt_fd(%zu bytes%s): expected AGE_OK, got "
		    "%d %s", n, from_pipe ? ", from a pipe" : "", rc,
		    age_strerror(rc));
	if (from_pipe)
		pipe_done(infd, pid);
	else
		fclose(in);
	hl = header_len(ct.buf, ct.len);
	assert_int_equal(hl, X25519_HEADER_LEN(2));
	if (ct.len != expected_size(hl, n))
		fail_msg("age_encrypt_fd(%zu bytes): expected %zu bytes of "
		    "ciphertext, got %zu", n, expected_size(hl, n), ct.len);

	/* age_decrypt_fd reads back what age_encrypt_fd wrote. */
	if (from_pipe)
		infd = pipe_source(ct.buf, ct.len, &pid);
	else
		infd = fileno(enc = tmpfile_with(ct.buf, ct.len));
	assert_non_null(dec = tmpfile());
	fd = fileno(dec);
	rc = age_decrypt_fd(infd, &k->id[1], 1, age_sink_fd, &fd);
	if (rc != AGE_OK)
		fail_msg("age_decrypt_fd(%zu bytes%s): expected AGE_OK, got "
		    "%d %s", n, from_pipe ? ", from a pipe" : "", rc,
		    age_strerror(rc));
	if (from_pipe)
		pipe_done(infd, pid);
	else
		fclose(enc);
	assert_int_equal(lseek(fd, 0, SEEK_END), (off_t)n);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	assert_non_null(back = malloc(n + 1));
	assert_int_equal(read(fd, back, n + 1), (ssize_t)n);
	if (n > 0)
		assert_memory_equal(back, pt, n);
	fclose(dec);

	/* A truncated file through the fd API: the first chunk only. */
	if (n > AGE_CHUNK_SIZE) {
		enc = tmpfile_with(ct.buf, hl + NONCE_SIZE + ENC_CHUNK_SIZE);
		assert_non_null(dec = tmpfile());
		fd = fileno(dec);
		rc = age_decrypt_fd(fileno(enc), k->id, 1, age_sink_fd, &fd);
		if (rc != AGE_ERR_TRUNCATED)
			fail_msg("age_decrypt_fd on a truncated file: expected "
			    "%d %s, got %d %s", AGE_ERR_TRUNCATED,
			    age_strerror(AGE_ERR_TRUNCATED), rc,
			    age_strerror(rc));
		assert_int_equal(lseek(fd, 0, SEEK_END),
		    (off_t)AGE_CHUNK_SIZE);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
		assert_int_equal(read(fd, back, n), (ssize_t)AGE_CHUNK_SIZE);
		assert_memory_equal(back, pt, AGE_CHUNK_SIZE);
		fclose(dec);
		fclose(enc);
	}
	free(back);
	sink_reset(&ct);
}

#define FD_MAX (5 * 1024 * 1024)

static void
test_fd(void **state)
{
	static const size_t sizes[] = { 0, 1, AGE_CHUNK_SIZE,
		AGE_CHUNK_SIZE + 12345, 2 * 1024 * 1024 - 1, 2 * 1024 * 1024,
		2 * 1024 * 1024 + 1, 3 * 1024 * 1024 + 5, 4 * 1024 * 1024,
		FD_MAX };
	struct keys k;
	uint8_t *pt;
	size_t i;

	(void)state;
	keys_new(&k);
	assert_non_null(pt = malloc(FD_MAX));
	randombytes_buf(pt, FD_MAX);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		fd_roundtrip(&k, pt, sizes[i], 0);
		fd_roundtrip(&k, pt, sizes[i], 1);
	}
	free(pt);
	keys_free(&k);
}

/* The fd API's failures: a sink that fails, an input that cannot be read. */
static void
test_fd_errors(void **state)
{
	struct keys k;
	struct sink ct, out;
	FILE *in;
	uint8_t *pt;
	size_t calls, n = FD_MAX;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	assert_non_null(pt = malloc(n));
	randombytes_buf(pt, n);

	/* a sink failing on call 1..4 is not called again */
	for (calls = 1; calls <= 4; calls++) {
		in = tmpfile_with(pt, n);
		memset(&ct, 0, sizeof(ct));
		ct.fail_from = calls;
		rc = age_encrypt_fd(fileno(in), k.r, 1, sink_store, &ct);
		if (rc != AGE_ERR_SINK || ct.calls != calls)
			fail_msg("age_encrypt_fd with a sink failing on call "
			    "%zu: expected %d %s after %zu calls, got %d %s "
			    "after %zu", calls, AGE_ERR_SINK,
			    age_strerror(AGE_ERR_SINK), calls, rc,
			    age_strerror(rc), ct.calls);
		fclose(in);
		sink_reset(&ct);
	}

	/* input that cannot be read */
	memset(&ct, 0, sizeof(ct));
	rc = age_encrypt_fd(-1, k.r, 1, sink_store, &ct);
	if (rc != AGE_ERR_SOURCE)
		fail_msg("age_encrypt_fd(-1): expected %d %s, got %d %s",
		    AGE_ERR_SOURCE, age_strerror(AGE_ERR_SOURCE), rc,
		    age_strerror(rc));
	sink_reset(&ct);
	memset(&out, 0, sizeof(out));
	rc = age_decrypt_fd(-1, k.id, 1, sink_store, &out);
	if (rc != AGE_ERR_SOURCE || out.calls != 0)
		fail_msg("age_decrypt_fd(-1): expected %d %s and no output, "
		    "got %d %s and %zu calls", AGE_ERR_SOURCE,
		    age_strerror(AGE_ERR_SOURCE), rc, age_strerror(rc),
		    out.calls);
	sink_reset(&out);

	free(pt);
	keys_free(&k);
}

/* Wrap ct in age's armor: 64-column lines, with eol as line ending. */
static char *
armor(const uint8_t *ct, size_t n, const char *lead, const char *eol,
    size_t *outlen)
{
	size_t b64len = sodium_base64_ENCODED_LEN(n,
	    sodium_base64_VARIANT_ORIGINAL);
	char *b64, *out, *p;
	size_t i, cap;

	assert_non_null(b64 = malloc(b64len));
	sodium_bin2base64(b64, b64len, ct, n, sodium_base64_VARIANT_ORIGINAL);
	b64len = strlen(b64);
	cap = strlen(lead) + b64len + (b64len / 64 + 3) * (strlen(eol) + 1) +
	    128;
	assert_non_null(out = malloc(cap));
	p = out;
	p += sprintf(p, "%s%s%s", lead, ARMOR_BEGIN_LINE, eol);
	for (i = 0; i < b64len; i += 64) {
		memcpy(p, b64 + i, b64len - i < 64 ? b64len - i : 64);
		p += b64len - i < 64 ? b64len - i : 64;
		p += sprintf(p, "%s", eol);
	}
	p += sprintf(p, "%s%s", ARMOR_END_LINE, eol);
	*outlen = (size_t)(p - out);
	assert_true(*outlen < cap);
	free(b64);
	return out;
}

static void
test_armored(void **state)
{
	static const struct {
		const char *lead, *eol;
	} forms[] = {
		{ "", "\n" },
		{ "", "\r\n" },
		{ " \n\t\r\n", "\n" },
	};
	struct keys k;
	struct sink ct, out;
	uint8_t *pt;
	char *a;
	size_t alen, f, d, n = AGE_CHUNK_SIZE + 3000;
	enum age_err rc;

	(void)state;
	keys_new(&k);
	pt = plain_new();
	memset(&ct, 0, sizeof(ct));
	encrypt_buf(k.r, 1, pt, n, SIZE_MAX, &ct);
	for (f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		a = armor(ct.buf, ct.len, forms[f].lead, forms[f].eol, &alen);
		for (d = 0; d < sizeof(pieces) / sizeof(pieces[0]); d++) {
			memset(&out, 0, sizeof(out));
			rc = decrypt_buf(k.id, 1, (uint8_t *)a, alen,
			    pieces[d], &out, NULL);
			if (rc != AGE_OK)
				fail_msg("armored (form %zu, pieces %zu): "
				    "expected AGE_OK, got %d %s", f, pieces[d],
				    rc, age_strerror(rc));
			check_released("armored", &out, pt, n);
			sink_reset(&out);
		}
		/* a character that is not base64, in the first line */
		a[strlen(forms[f].lead) + strlen(ARMOR_BEGIN_LINE) +
		    strlen(forms[f].eol) + 10] = '*';
		expect_failure("armor with a bad character", k.id, 1,
		    (uint8_t *)a, alen, CLASS_ONLY, NO_ALT, AGE_CLASS_ARMOR,
		    pt, 0);
		free(a);
	}
	sink_reset(&ct);
	free(pt);
	keys_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_roundtrip_large),
		cmocka_unit_test(test_three_identities),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_passphrase),
		cmocka_unit_test(test_passphrase_limits),
		cmocka_unit_test(test_scrypt_not_alone),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_last_chunk_flag),
		cmocka_unit_test(test_flipped),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_empty_payload),
		cmocka_unit_test(test_refuse_after_error),
		cmocka_unit_test(test_header_grammar),
		cmocka_unit_test(test_header_caps),
		cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_err_classes),
		cmocka_unit_test(test_generated_keys),
		cmocka_unit_test(test_fd),
		cmocka_unit_test(test_fd_errors),
		cmocka_unit_test(test_armored),
	};

	if (sodium_init() < 0) {
		fprintf(stderr, "test_age: sodium_init failed\n");
		return 1;
	}
	return cmocka_run_group_tests_name("age", tests, NULL, NULL);
}
