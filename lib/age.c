/*
 * age.c — the age v1 file format with X25519 and scrypt recipients.
 * See age.h for the interface and ../shared/reference/age/ for the
 * format. The order of checks when decrypting follows the age test kit:
 * parse the whole header strictly, refuse scrypt mixed with other
 * stanzas, validate every stanza of a type we know, unwrap, check the
 * MAC, read the nonce, then STREAM.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/b64.h"
#include "postern/age.h"
#include "postern/armor.h"
#include "postern/bech32.h"

#define KEY_SIZE 32
#define NONCE_SIZE 16
#define CT_CHUNK (AGE_CHUNK_SIZE + AGE_TAG_SIZE)
#define MAC_B64_LEN 43
#define BATCH_CHUNKS 32                 /* chunks encrypted per batch */
#define STANZA_ARGS_MAX 8               /* arguments kept per stanza */

static const char version_line[] = "age-encryption.org/v1\n";
static const char version_prefix[] = "age-encryption.org/";
static const char x25519_info[] = "age-encryption.org/v1/X25519";
static const char scrypt_label[] = "age-encryption.org/v1/scrypt";
static const char hrp_recipient[] = "age";
static const char hrp_identity[] = "age-secret-key-";

enum key_type { KEY_X25519, KEY_SCRYPT };

/* Both key types are allocated whole with sodium_malloc. */
struct age_recipient {
	enum key_type type;
	uint8_t pk[KEY_SIZE];
	int logn;
	size_t passlen;
	char pass[AGE_PASSPHRASE_MAX];
};

struct age_identity {
	enum key_type type;
	uint8_t sk[KEY_SIZE];
	uint8_t pk[KEY_SIZE];
	size_t passlen;
	char pass[AGE_PASSPHRASE_MAX];
};

/* Errors */

static const char *const messages[AGE_ERR__COUNT] = {
	[AGE_OK] = "success",
	[AGE_ERR_NOMEM] = "out of memory",
	[AGE_ERR_SINK] = "writing the output failed",
	[AGE_ERR_USAGE] = "internal error: the age module was misused",
	[AGE_ERR_SOURCE] = "reading the input failed",
	[AGE_ERR_KEY_SYNTAX] = "not a valid age key (expected age1... or "
	    "AGE-SECRET-KEY-1...)",
	[AGE_ERR_KEY_CHECKSUM] = "the key's checksum does not match: "
	    "a character was changed or mistyped",
	[AGE_ERR_KEY_TYPE] = "unsupported key type (only X25519 age keys "
	    "are supported)",
	[AGE_ERR_PASSPHRASE_EMPTY] = "the passphrase is empty or too long",
	[AGE_ERR_SCRYPT_NOT_ALONE] = "a passphrase cannot be combined with "
	    "other recipients",
	[AGE_ERR_ARMOR_BEGIN] = "not an age file: it starts with neither an "
	    "age header nor an armor BEGIN line",
	[AGE_ERR_ARMOR_LINE] = "damaged armored file: a line has the wrong "
	    "length or stray characters",
	[AGE_ERR_ARMOR_BASE64] = "damaged armored file: invalid base64",
	[AGE_ERR_ARMOR_END] = "damaged armored file: the END line is "
	    "missing or followed by data",
	[AGE_ERR_NOT_AGE] = "not an age file: the header does not start "
	    "with age-encryption.org/",
	[AGE_ERR_VERSION] = "unsupported age version (only v1 is known)",
	[AGE_ERR_HEADER_SYNTAX] = "damaged age header: malformed line",
	[AGE_ERR_HEADER_TOO_LONG] = "age header too long",
	[AGE_ERR_HEADER_TRUNCATED] = "the file ends inside the age header "
	    "(empty or truncated file)",
	[AGE_ERR_STANZA] = "damaged age header: malformed X25519 or scrypt "
	    "recipient stanza",
	[AGE_ERR_SCRYPT_MIXED] = "damaged age header: a passphrase stanza "
	    "must be the only one",
	[AGE_ERR_SCRYPT_WORK] = "the passphrase work factor is too large "
	    "(refused to avoid exhausting memory)",
	[AGE_ERR_X25519_WEAK] = "invalid X25519 key share (low-order point)",
	[AGE_ERR_NONCE] = "the file is truncated: payload nonce missing",
	[AGE_ERR_NO_MATCH] = "no identity matches: the file was not "
	    "encrypted to any of the given keys",
	[AGE_ERR_PASSPHRASE] = "incorrect passphrase",
	[AGE_ERR_NO_PASSPHRASE] = "the file is passphrase-encrypted, and "
	    "no passphrase was given",
	[AGE_ERR_HEADER_MAC] = "the header was tampered with "
	    "(MAC does not verify)",
	[AGE_ERR_PAYLOAD_AUTH] = "the file was tampered with or damaged: "
	    "a chunk failed authentication",
	[AGE_ERR_TRUNCATED] = "the file is truncated: it ends before its "
	    "final chunk",
	[AGE_ERR_TRAILING] = "the file has data after its final chunk",
	[AGE_ERR_EMPTY_CHUNK] = "damaged file: an empty final chunk",
};

const char *
age_strerror(enum age_err e)
{
	if ((unsigned)e >= AGE_ERR__COUNT || messages[e] == NULL)
		return "unknown age error";
	return messages[e];
}

enum age_err_class
age_err_class(enum age_err e)
{
	switch (e) {
	case AGE_OK:
		return AGE_CLASS_OK;
	case AGE_ERR_ARMOR_BEGIN:
	case AGE_ERR_ARMOR_LINE:
	case AGE_ERR_ARMOR_BASE64:
	case AGE_ERR_ARMOR_END:
		return AGE_CLASS_ARMOR;
	case AGE_ERR_NOT_AGE:
	case AGE_ERR_VERSION:
	case AGE_ERR_HEADER_SYNTAX:
	case AGE_ERR_HEADER_TOO_LONG:
	case AGE_ERR_HEADER_TRUNCATED:
	case AGE_ERR_STANZA:
	case AGE_ERR_SCRYPT_MIXED:
	case AGE_ERR_SCRYPT_WORK:
	case AGE_ERR_X25519_WEAK:
	case AGE_ERR_NONCE:
		return AGE_CLASS_HEADER;
	case AGE_ERR_NO_MATCH:
	case AGE_ERR_PASSPHRASE:
	case AGE_ERR_NO_PASSPHRASE:
		return AGE_CLASS_NO_MATCH;
	case AGE_ERR_HEADER_MAC:
		return AGE_CLASS_HMAC;
	case AGE_ERR_PAYLOAD_AUTH:
	case AGE_ERR_TRUNCATED:
	case AGE_ERR_TRAILING:
	case AGE_ERR_EMPTY_CHUNK:
		return AGE_CLASS_PAYLOAD;
	default:
		return AGE_CLASS_SYSTEM;
	}
}

/* Primitives: HMAC-SHA-256 with any key length, HKDF-SHA-256. */

static void
hmac(uint8_t out[32], const uint8_t *key, size_t keylen,
    const uint8_t *msg, size_t msglen, const uint8_t *msg2, size_t msg2len)
{
	crypto_auth_hmacsha256_state st;
	static const uint8_t nokey[1];

	crypto_auth_hmacsha256_init(&st, keylen ? key : nokey, keylen);
	crypto_auth_hmacsha256_update(&st, msg, msglen);
	if (msg2len)
		crypto_auth_hmacsha256_update(&st, msg2, msg2len);
	crypto_auth_hmacsha256_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

/* HKDF-SHA-256 with a 32-byte output: one Expand block. */
static void
hkdf(uint8_t out[KEY_SIZE], const uint8_t *ikm, size_t ikmlen,
    const uint8_t *salt, size_t saltlen, const char *info)
{
	uint8_t prk[32];
	static const uint8_t one = 1;

	hmac(prk, salt, saltlen, ikm, ikmlen, NULL, 0);
	hmac(out, prk, sizeof(prk), (const uint8_t *)info, strlen(info),
	    &one, 1);
	sodium_memzero(prk, sizeof(prk));
}

static const uint8_t zero_nonce[crypto_aead_chacha20poly1305_ietf_NPUBBYTES];

/* Wrap or unwrap the 16-byte file key with ChaCha20-Poly1305, zero nonce. */
static void
wrap_key(uint8_t body[32], const uint8_t fk[AGE_FILE_KEY_SIZE],
    const uint8_t key[KEY_SIZE])
{
	crypto_aead_chacha20poly1305_ietf_encrypt(body, NULL, fk,
	    AGE_FILE_KEY_SIZE, NULL, 0, NULL, zero_nonce, key);
}

static int
unwrap_key(uint8_t fk[AGE_FILE_KEY_SIZE], const uint8_t body[32],
    const uint8_t key[KEY_SIZE])
{
	return crypto_aead_chacha20poly1305_ietf_decrypt(fk, NULL, NULL, body,
	    32, NULL, 0, zero_nonce, key);
}

static int
scrypt_key(uint8_t out[KEY_SIZE], const char *pass, size_t passlen,
    const uint8_t salt[16], int logn)
{
	uint8_t s[sizeof(scrypt_label) - 1 + 16];

	memcpy(s, scrypt_label, sizeof(scrypt_label) - 1);
	memcpy(s + sizeof(scrypt_label) - 1, salt, 16);
	return crypto_pwhash_scryptsalsa208sha256_ll((const uint8_t *)pass,
	    passlen, s, sizeof(s), (uint64_t)1 << logn, 8, 1, out, KEY_SIZE);
}

/* Keys */

static enum age_err
decode_key(const char *s, const char *want_hrp, uint8_t key[KEY_SIZE])
{
	char hrp[BECH32_HRP_MAX + 1];
	uint8_t data[64];
	size_t n;
	enum age_err e = AGE_OK;

	switch (bech32_decode(s, hrp, sizeof(hrp), data, sizeof(data), &n)) {
	case 0:
		break;
	case BECH32_ECHECKSUM:
		return AGE_ERR_KEY_CHECKSUM;
	case BECH32_ESPACE:
		return AGE_ERR_KEY_TYPE;
	default:
		return AGE_ERR_KEY_SYNTAX;
	}
	if (strcmp(hrp, want_hrp) != 0)
		e = strncmp(hrp, want_hrp, strlen(want_hrp)) == 0 ?
		    AGE_ERR_KEY_TYPE : AGE_ERR_KEY_SYNTAX;
	else if (n != KEY_SIZE)
		e = AGE_ERR_KEY_SYNTAX;
	else
		memcpy(key, data, KEY_SIZE);
	sodium_memzero(data, sizeof(data));
	return e;
}

static void *
secure_new(size_t size)
{
	void *p = sodium_malloc(size);

	if (p != NULL)
		sodium_memzero(p, size);
	return p;
}

enum age_err
age_recipient_parse(struct age_recipient **out, const char *s)
{
	struct age_recipient *r;
	enum age_err e;

	*out = NULL;
	if ((r = secure_new(sizeof(*r))) == NULL)
		return AGE_ERR_NOMEM;
	r->type = KEY_X25519;
	if ((e = decode_key(s, hrp_recipient, r->pk)) != AGE_OK) {
		sodium_free(r);
		return e;
	}
	*out = r;
	return AGE_OK;
}

enum age_err
age_recipient_passphrase(struct age_recipient **out, const char *pass,
    size_t len, int logn)
{
	struct age_recipient *r;

	*out = NULL;
	if (len == 0 || len > AGE_PASSPHRASE_MAX)
		return AGE_ERR_PASSPHRASE_EMPTY;
	if (logn < AGE_SCRYPT_LOGN_MIN || logn > AGE_SCRYPT_LOGN_MAX)
		return AGE_ERR_USAGE;
	if ((r = secure_new(sizeof(*r))) == NULL)
		return AGE_ERR_NOMEM;
	r->type = KEY_SCRYPT;
	r->logn = logn;
	r->passlen = len;
	memcpy(r->pass, pass, len);
	*out = r;
	return AGE_OK;
}

int
age_recipient_format(const struct age_recipient *r, char *buf, size_t len)
{
	if (r->type != KEY_X25519 || len < AGE_RECIPIENT_STRLEN + 1)
		return -1;
	return bech32_encode(buf, len, hrp_recipient, r->pk, KEY_SIZE, 0) ==
	    AGE_RECIPIENT_STRLEN ? 0 : -1;
}

int
age_keyid(const char *key, char *buf, size_t len)
{
	uint8_t h[crypto_hash_sha256_BYTES];

	if (len < AGE_KEYID_STRLEN + 1)
		return -1;
	crypto_hash_sha256(h, (const uint8_t *)key, strlen(key));
	sodium_bin2hex(buf, len, h, AGE_KEYID_STRLEN / 2);
	return 0;
}

int
age_recipient_keyid(const struct age_recipient *r, char *buf, size_t len)
{
	char s[AGE_RECIPIENT_STRLEN + 1];

	if (age_recipient_format(r, s, sizeof(s)) != 0)
		return -1;
	return age_keyid(s, buf, len);
}

int
age_recipient_equal(const struct age_recipient *a,
    const struct age_recipient *b)
{
	return a->type == KEY_X25519 && b->type == KEY_X25519 &&
	    sodium_memcmp(a->pk, b->pk, KEY_SIZE) == 0;
}

void
age_recipient_free(struct age_recipient *r)
{
	if (r != NULL)
		sodium_free(r); /* sodium_free wipes */
}

static enum age_err
identity_from_secret(struct age_identity **out, struct age_identity *id)
{
	id->type = KEY_X25519;
	if (crypto_scalarmult_base(id->pk, id->sk) != 0) {
		sodium_free(id);
		return AGE_ERR_KEY_SYNTAX;
	}
	*out = id;
	return AGE_OK;
}

enum age_err
age_identity_generate(struct age_identity **out)
{
	struct age_identity *id;

	*out = NULL;
	if ((id = secure_new(sizeof(*id))) == NULL)
		return AGE_ERR_NOMEM;
	randombytes_buf(id->sk, KEY_SIZE);
	return identity_from_secret(out, id);
}

enum age_err
age_identity_parse(struct age_identity **out, const char *s)
{
	struct age_identity *id;
	enum age_err e;

	*out = NULL;
	if ((id = secure_new(sizeof(*id))) == NULL)
		return AGE_ERR_NOMEM;
	if ((e = decode_key(s, hrp_identity, id->sk)) != AGE_OK) {
		sodium_free(id);
		return e;
	}
	return identity_from_secret(out, id);
}

enum age_err
age_identity_passphrase(struct age_identity **out, const char *pass,
    size_t len)
{
	struct age_identity *id;

	*out = NULL;
	if (len == 0 || len > AGE_PASSPHRASE_MAX)
		return AGE_ERR_PASSPHRASE_EMPTY;
	if ((id = secure_new(sizeof(*id))) == NULL)
		return AGE_ERR_NOMEM;
	id->type = KEY_SCRYPT;
	id->passlen = len;
	memcpy(id->pass, pass, len);
	*out = id;
	return AGE_OK;
}

int
age_identity_format(const struct age_identity *id, char *buf, size_t len)
{
	if (id->type != KEY_X25519 || len < AGE_IDENTITY_STRLEN + 1)
		return -1;
	return bech32_encode(buf, len, hrp_identity, id->sk, KEY_SIZE, 1) ==
	    AGE_IDENTITY_STRLEN ? 0 : -1;
}

struct age_recipient *
age_identity_recipient(const struct age_identity *id)
{
	struct age_recipient *r;

	if (id->type != KEY_X25519 || (r = secure_new(sizeof(*r))) == NULL)
		return NULL;
	r->type = KEY_X25519;
	memcpy(r->pk, id->pk, KEY_SIZE);
	return r;
}

void
age_identity_free(struct age_identity *id)
{
	if (id != NULL)
		sodium_free(id);
}

/* A growable byte buffer for the header (which is public). */
struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n > AGE_HEADER_MAX || b->len > AGE_HEADER_MAX - n)
		return -1;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 512;
		uint8_t *q;

		while (cap < b->len + n)
			cap *= 2;
		if ((q = realloc(b->p, cap)) == NULL)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int
buf_str(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

static int
buf_b64(struct buf *b, const uint8_t *bin, size_t n)
{
	char s[sodium_base64_ENCODED_LEN(64,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING)];

	if (n > 64)
		return -1;
	sodium_bin2base64(s, sizeof(s), bin, n,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	return buf_str(b, s);
}

/* Encryption */

struct age_encryptor {
	age_sink_fn sink;
	void *arg;
	enum age_err err;
	int done;
	uint64_t counter;
	size_t len;                 /* plaintext bytes in plain */
	uint8_t key[KEY_SIZE];      /* payload key */
	uint8_t plain[AGE_CHUNK_SIZE];
	uint8_t out[CT_CHUNK];      /* ciphertext: public, but kept here */
};

static enum age_err
stanza_x25519(struct buf *h, const struct age_recipient *r,
    const uint8_t fk[AGE_FILE_KEY_SIZE])
{
	uint8_t eph[KEY_SIZE], share[KEY_SIZE], ss[KEY_SIZE], salt[64];
	uint8_t wk[KEY_SIZE], body[32];
	enum age_err e = AGE_ERR_NOMEM;

	randombytes_buf(eph, sizeof(eph));
	crypto_scalarmult_base(share, eph);
	if (crypto_scalarmult(ss, eph, r->pk) != 0) {
		e = AGE_ERR_X25519_WEAK;
		goto out;
	}
	memcpy(salt, share, KEY_SIZE);
	memcpy(salt + KEY_SIZE, r->pk, KEY_SIZE);
	hkdf(wk, ss, sizeof(ss), salt, sizeof(salt), x25519_info);
	wrap_key(body, fk, wk);
	if (buf_str(h, "-> X25519 ") == 0 && buf_b64(h, share, KEY_SIZE) == 0 &&
	    buf_str(h, "\n") == 0 && buf_b64(h, body, sizeof(body)) == 0 &&
	    buf_str(h, "\n") == 0)
		e = AGE_OK;
out:
	sodium_memzero(eph, sizeof(eph));
	sodium_memzero(ss, sizeof(ss));
	sodium_memzero(wk, sizeof(wk));
	return e;
}

static enum age_err
stanza_scrypt(struct buf *h, const struct age_recipient *r,
    const uint8_t fk[AGE_FILE_KEY_SIZE])
{
	uint8_t salt[16], wk[KEY_SIZE], body[32];
	char logn[8];
	enum age_err e = AGE_ERR_NOMEM;

	randombytes_buf(salt, sizeof(salt));
	if (scrypt_key(wk, r->pass, r->passlen, salt, r->logn) != 0)
		goto out;
	wrap_key(body, fk, wk);
	snprintf(logn, sizeof(logn), " %d\n", r->logn);
	if (buf_str(h, "-> scrypt ") == 0 && buf_b64(h, salt, 16) == 0 &&
	    buf_str(h, logn) == 0 && buf_b64(h, body, sizeof(body)) == 0 &&
	    buf_str(h, "\n") == 0)
		e = AGE_OK;
out:
	sodium_memzero(wk, sizeof(wk));
	return e;
}

/* Build the header for fk, with its MAC, into h. */
static enum age_err
header_write(struct buf *h, struct age_recipient *const *rcpts, size_t n,
    const uint8_t fk[AGE_FILE_KEY_SIZE])
{
	uint8_t mackey[KEY_SIZE], mac[32];
	enum age_err e;
	size_t i;

	if (buf_str(h, version_line) != 0)
		return AGE_ERR_NOMEM;
	for (i = 0; i < n; i++) {
		if (rcpts[i]->type == KEY_SCRYPT)
			e = stanza_scrypt(h, rcpts[i], fk);
		else
			e = stanza_x25519(h, rcpts[i], fk);
		if (e != AGE_OK)
			return e;
	}
	if (buf_str(h, "---") != 0)
		return AGE_ERR_NOMEM;
	hkdf(mackey, fk, AGE_FILE_KEY_SIZE, NULL, 0, "header");
	hmac(mac, mackey, sizeof(mackey), h->p, h->len, NULL, 0);
	sodium_memzero(mackey, sizeof(mackey));
	if (buf_str(h, " ") != 0 || buf_b64(h, mac, sizeof(mac)) != 0 ||
	    buf_str(h, "\n") != 0)
		return AGE_ERR_NOMEM;
	return AGE_OK;
}

static void
chunk_nonce(uint8_t nonce[12], uint64_t counter, int last)
{
	int i;

	memset(nonce, 0, 12);
	for (i = 0; i < 8; i++)
		nonce[10 - i] = (uint8_t)(counter >> (8 * i));
	nonce[11] = last ? 1 : 0;
}

enum age_err
age_encrypt_new(struct age_encryptor **out, struct age_recipient *const *rcpts,
    size_t nrcpts, age_sink_fn sink, void *arg)
{
	struct age_encryptor *enc = NULL;
	struct buf h = { NULL, 0, 0 };
	uint8_t fk[AGE_FILE_KEY_SIZE], nonce[NONCE_SIZE];
	enum age_err e;
	size_t i;

	*out = NULL;
	if (nrcpts == 0 || nrcpts > AGE_STANZAS_MAX || sink == NULL)
		return AGE_ERR_USAGE;
	for (i = 0; i < nrcpts; i++)
		if (rcpts[i]->type == KEY_SCRYPT && nrcpts > 1)
			return AGE_ERR_SCRYPT_NOT_ALONE;
	if ((enc = secure_new(sizeof(*enc))) == NULL)
		return AGE_ERR_NOMEM;
	enc->sink = sink;
	enc->arg = arg;

	randombytes_buf(fk, sizeof(fk));
	if ((e = header_write(&h, rcpts, nrcpts, fk)) != AGE_OK)
		goto err;
	randombytes_buf(nonce, sizeof(nonce));
	hkdf(enc->key, fk, sizeof(fk), nonce, sizeof(nonce), "payload");
	e = AGE_ERR_SINK;
	if (sink(arg, h.p, h.len) != 0 || sink(arg, nonce, sizeof(nonce)) != 0)
		goto err;
	sodium_memzero(fk, sizeof(fk));
	free(h.p);
	*out = enc;
	return AGE_OK;
err:
	sodium_memzero(fk, sizeof(fk));
	free(h.p);
	sodium_free(enc);
	return e;
}

static enum age_err
encrypt_chunk(struct age_encryptor *enc, int last)
{
	uint8_t nonce[12];

	if (enc->counter == UINT64_MAX)
		return AGE_ERR_USAGE;
	chunk_nonce(nonce, enc->counter, last);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(enc->out,
	    enc->out + enc->len, NULL, enc->plain, enc->len, NULL, 0, NULL,
	    nonce, enc->key);
	sodium_memzero(enc->plain, enc->len);
	if (enc->sink(enc->arg, enc->out, enc->len + AGE_TAG_SIZE) != 0)
		return AGE_ERR_SINK;
	enc->counter++;
	enc->len = 0;
	return AGE_OK;
}

enum age_err
age_encrypt_update(struct age_encryptor *enc, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;

	if (enc->err != AGE_OK)
		return enc->err;
	if (enc->done)
		return enc->err = AGE_ERR_USAGE;
	while (len > 0) {
		/* A full chunk is written only once more data follows it:
		 * until then it may still be the final one. */
		if (enc->len == AGE_CHUNK_SIZE &&
		    (enc->err = encrypt_chunk(enc, 0)) != AGE_OK)
			return enc->err;
		n = AGE_CHUNK_SIZE - enc->len;
		if (n > len)
			n = len;
		memcpy(enc->plain + enc->len, p, n);
		enc->len += n;
		p += n;
		len -= n;
	}
	return AGE_OK;
}

enum age_err
age_encrypt_final(struct age_encryptor *enc)
{
	if (enc->err != AGE_OK)
		return enc->err;
	if (enc->done)
		return enc->err = AGE_ERR_USAGE;
	enc->done = 1;
	return enc->err = encrypt_chunk(enc, 1);
}

void
age_encrypt_free(struct age_encryptor *enc)
{
	if (enc != NULL)
		sodium_free(enc);
}

/* Decryption: header parsing */

struct stanza {
	char *args[STANZA_ARGS_MAX]; /* type and arguments */
	int nargs;
	uint8_t *body;
	size_t bodylen;
};

struct header {
	struct stanza *s;
	size_t n;
	size_t maclen;          /* bytes covered by the MAC */
	uint8_t mac[32];
	char *text;             /* NUL-separated copy of the argument lines */
};

static void
header_clear(struct header *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->s[i].body);
	free(h->s);
	free(h->text);
	memset(h, 0, sizeof(*h));
}

static int
is_b64char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Canonical unpadded base64 of exactly want bytes. */
static int
b64_exact(uint8_t *out, size_t want, const char *s, size_t slen)
{
	size_t n;

	if (slen != sodium_base64_ENCODED_LEN(want,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) - 1)
		return -1;
	if (b64_decode(out, want, s, slen, &n,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 || n != want)
		return -1;
	return 0;
}

/* Split "-> a b c" (at p, len bytes, no LF) into the stanza's args. The
 * arguments are copied, NUL-terminated, into text. */
static enum age_err
parse_args(struct stanza *st, char *text, const uint8_t *p, size_t len)
{
	size_t i, start;

	if (len < 4 || memcmp(p, "-> ", 3) != 0)
		return AGE_ERR_HEADER_SYNTAX;
	memcpy(text, p, len);
	text[len] = '\0';
	st->nargs = 0;
	for (start = i = 3; i <= len; i++) {
		if (i < len && text[i] != ' ') {
			if (text[i] < 0x21 || text[i] > 0x7e)
				return AGE_ERR_HEADER_SYNTAX;
			continue;
		}
		if (i == start) /* empty argument: doubled or edge space */
			return AGE_ERR_HEADER_SYNTAX;
		text[i] = '\0';
		if (st->nargs < (int)(sizeof(st->args) / sizeof(st->args[0])))
			st->args[st->nargs] = text + start;
		st->nargs++;
		start = i + 1;
	}
	return AGE_OK;
}

/* Read the body lines from *pos; the last is shorter than 64 columns. */
static enum age_err
parse_body(struct stanza *st, const uint8_t *h, size_t hlen, size_t *pos)
{
	size_t p = *pos, start = p, linelen, enclen = 0, n;
	char *enc;

	for (;;) {
		for (linelen = 0; p + linelen < hlen && h[p + linelen] != '\n';
		    linelen++)
			if (!is_b64char(h[p + linelen]))
				return AGE_ERR_HEADER_SYNTAX;
		if (p + linelen == hlen || linelen > 64)
			return AGE_ERR_HEADER_SYNTAX;
		p += linelen + 1;
		if (linelen < 64)
			break;
	}
	if ((enc = malloc(p - start + 1)) == NULL)
		return AGE_ERR_NOMEM;
	for (n = start; n < p; n++)
		if (h[n] != '\n')
			enc[enclen++] = (char)h[n];
	st->body = malloc(enclen / 4 * 3 + 3);
	if (st->body == NULL) {
		free(enc);
		return AGE_ERR_NOMEM;
	}
	if (b64_decode(st->body, enclen / 4 * 3 + 3, enc, enclen,
	    &st->bodylen, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0) {
		free(enc);
		return AGE_ERR_HEADER_SYNTAX;
	}
	free(enc);
	*pos = p;
	return AGE_OK;
}

/* Parse a complete header (h[0..hlen) ends with the MAC line's LF). */
static enum age_err
header_parse(struct header *hd, const uint8_t *h, size_t hlen)
{
	size_t pos = sizeof(version_line) - 1, eol, cap = 0;
	struct stanza *st;
	enum age_err e;

	memset(hd, 0, sizeof(*hd));
	if (hlen < pos || memcmp(h, version_line, pos) != 0)
		return AGE_ERR_VERSION;
	if ((hd->text = malloc(hlen + 1)) == NULL)
		return AGE_ERR_NOMEM;
	while (pos < hlen && h[pos] == '-' && pos + 1 < hlen &&
	    h[pos + 1] == '>') {
		if (hd->n == AGE_STANZAS_MAX)
			return AGE_ERR_HEADER_TOO_LONG;
		if (hd->n == cap) {
			struct stanza *ns;
			cap = cap ? cap * 2 : 4;
			if ((ns = reallocarray(hd->s, cap, sizeof(*ns))) == NULL)
				return AGE_ERR_NOMEM;
			hd->s = ns;
		}
		st = &hd->s[hd->n];
		memset(st, 0, sizeof(*st));
		hd->n++;
		for (eol = pos; eol < hlen && h[eol] != '\n'; eol++)
			;
		if (eol == hlen)
			return AGE_ERR_HEADER_SYNTAX;
		if ((e = parse_args(st, hd->text + pos, h + pos, eol - pos)) !=
		    AGE_OK)
			return e;
		pos = eol + 1;
		if ((e = parse_body(st, h, hlen, &pos)) != AGE_OK)
			return e;
	}
	if (hd->n == 0)
		return AGE_ERR_HEADER_SYNTAX;
	/* The MAC line: "--- " and 43 base64 characters, then LF, then end. */
	if (hlen - pos != 4 + MAC_B64_LEN + 1 || memcmp(h + pos, "--- ", 4) ||
	    h[hlen - 1] != '\n' || b64_exact(hd->mac, sizeof(hd->mac),
	    (const char *)h + pos + 4, MAC_B64_LEN) != 0)
		return AGE_ERR_HEADER_SYNTAX;
	hd->maclen = pos + 3;
	return AGE_OK;
}

/* Decryption: unwrapping the file key */

static int
is_type(const struct stanza *st, const char *type)
{
	return strcmp(st->args[0], type) == 0;
}

/* Validate the stanzas of the types we know, before any key is tried. */
static enum age_err
header_validate(const struct header *hd)
{
	uint8_t tmp[32];
	const struct stanza *st;
	size_t i, len;

	for (i = 0; i < hd->n; i++) {
		st = &hd->s[i];
		if (is_type(st, "scrypt") && hd->n > 1)
			return AGE_ERR_SCRYPT_MIXED;
	}
	for (i = 0; i < hd->n; i++) {
		st = &hd->s[i];
		if (is_type(st, "X25519")) {
			if (st->nargs != 2 || st->bodylen != 32 ||
			    b64_exact(tmp, KEY_SIZE, st->args[1],
			    strlen(st->args[1])) != 0)
				return AGE_ERR_STANZA;
		} else if (is_type(st, "scrypt")) {
			if (st->nargs != 3 || st->bodylen != 32 ||
			    b64_exact(tmp, 16, st->args[1],
			    strlen(st->args[1])) != 0)
				return AGE_ERR_STANZA;
			len = strlen(st->args[2]);
			if (strspn(st->args[2], "0123456789") != len ||
			    st->args[2][0] == '0')
				return AGE_ERR_STANZA;
			if (len > 2 || atoi(st->args[2]) > AGE_SCRYPT_LOGN_MAX)
				return AGE_ERR_SCRYPT_WORK;
		}
	}
	return AGE_OK;
}

/* 1 if unwrapped, 0 if not for this identity, or an error below 0. */
static int
unwrap_x25519(const struct stanza *st, const struct age_identity *id,
    uint8_t fk[AGE_FILE_KEY_SIZE])
{
	uint8_t share[KEY_SIZE], ss[KEY_SIZE], salt[64], wk[KEY_SIZE];
	int rc;

	b64_exact(share, KEY_SIZE, st->args[1], strlen(st->args[1]));
	if (crypto_scalarmult(ss, id->sk, share) != 0)
		return -1;
	memcpy(salt, share, KEY_SIZE);
	memcpy(salt + KEY_SIZE, id->pk, KEY_SIZE);
	hkdf(wk, ss, sizeof(ss), salt, sizeof(salt), x25519_info);
	rc = unwrap_key(fk, st->body, wk) == 0;
	sodium_memzero(ss, sizeof(ss));
	sodium_memzero(wk, sizeof(wk));
	return rc;
}

static int
unwrap_scrypt(const struct stanza *st, const struct age_identity *id,
    uint8_t fk[AGE_FILE_KEY_SIZE])
{
	uint8_t salt[16], wk[KEY_SIZE];
	int rc;

	b64_exact(salt, sizeof(salt), st->args[1], strlen(st->args[1]));
	if (scrypt_key(wk, id->pass, id->passlen, salt,
	    atoi(st->args[2])) != 0)
		return -1;
	rc = unwrap_key(fk, st->body, wk) == 0;
	sodium_memzero(wk, sizeof(wk));
	return rc;
}

static enum age_err
header_unwrap(const struct header *hd, struct age_identity *const *ids,
    size_t nids, uint8_t fk[AGE_FILE_KEY_SIZE])
{
	int scrypt = 0, have_pass = 0, rc;
	size_t i, j;

	for (i = 0; i < hd->n; i++) {
		const struct stanza *st = &hd->s[i];
		if (is_type(st, "scrypt"))
			scrypt = 1;
		for (j = 0; j < nids; j++) {
			if (ids[j]->type == KEY_SCRYPT)
				have_pass = 1;
			if (is_type(st, "X25519") && ids[j]->type == KEY_X25519) {
				if ((rc = unwrap_x25519(st, ids[j], fk)) < 0)
					return AGE_ERR_X25519_WEAK;
			} else if (is_type(st, "scrypt") &&
			    ids[j]->type == KEY_SCRYPT) {
				if ((rc = unwrap_scrypt(st, ids[j], fk)) < 0)
					return AGE_ERR_NOMEM;
			} else
				continue;
			if (rc == 1)
				return AGE_OK;
		}
	}
	if (scrypt)
		return have_pass ? AGE_ERR_PASSPHRASE : AGE_ERR_NO_PASSPHRASE;
	return AGE_ERR_NO_MATCH;
}

/* Decryption: the stream */

enum dstate { D_START, D_HEADER, D_NONCE, D_PAYLOAD, D_DONE };

struct age_decryptor {
	age_sink_fn sink;
	void *arg;
	struct age_identity **ids;
	size_t nids;
	enum age_err err;
	enum dstate state;
	struct armor_decoder *armor;
	struct buf hdr;
	size_t scan;                 /* header bytes already scanned */
	size_t line;                 /* offset of the current header line */
	int header_ok;
	size_t noncelen;
	uint8_t nonce[NONCE_SIZE];
	uint64_t counter;
	size_t len;                  /* ciphertext bytes in ct */
	uint8_t key[KEY_SIZE];
	uint8_t plain[AGE_CHUNK_SIZE];
	uint8_t ct[CT_CHUNK];
};

enum age_err
age_decrypt_new(struct age_decryptor **out, struct age_identity *const *ids,
    size_t nids, age_sink_fn sink, void *arg)
{
	struct age_decryptor *d;

	*out = NULL;
	if (sink == NULL || (nids > 0 && ids == NULL))
		return AGE_ERR_USAGE;
	if ((d = secure_new(sizeof(*d))) == NULL)
		return AGE_ERR_NOMEM;
	if (nids > 0 && (d->ids = calloc(nids, sizeof(*d->ids))) == NULL) {
		sodium_free(d);
		return AGE_ERR_NOMEM;
	}
	if (nids > 0)
		memcpy(d->ids, ids, nids * sizeof(*ids));
	d->nids = nids;
	d->sink = sink;
	d->arg = arg;
	d->state = D_START;
	*out = d;
	return AGE_OK;
}

void
age_decrypt_free(struct age_decryptor *d)
{
	if (d == NULL)
		return;
	armor_decoder_free(d->armor);
	free(d->hdr.p);
	free(d->ids);
	sodium_free(d);
}

int
age_decrypt_header_ok(const struct age_decryptor *d)
{
	return d->header_ok;
}

/* The header is complete in d->hdr: parse, unwrap, check the MAC. */
static enum age_err
header_done(struct age_decryptor *d)
{
	struct header hd;
	uint8_t fk[AGE_FILE_KEY_SIZE], mackey[KEY_SIZE], mac[32];
	enum age_err e;

	if ((e = header_parse(&hd, d->hdr.p, d->hdr.len)) != AGE_OK ||
	    (e = header_validate(&hd)) != AGE_OK ||
	    (e = header_unwrap(&hd, d->ids, d->nids, fk)) != AGE_OK)
		goto out;
	hkdf(mackey, fk, sizeof(fk), NULL, 0, "header");
	hmac(mac, mackey, sizeof(mackey), d->hdr.p, hd.maclen, NULL, 0);
	if (crypto_verify_32(mac, hd.mac) != 0) {
		e = AGE_ERR_HEADER_MAC;
		goto out;
	}
	/* The payload key needs the nonce: keep the file key until then. */
	memcpy(d->key, fk, sizeof(fk));
	d->header_ok = 1;
	d->state = D_NONCE;
out:
	sodium_memzero(fk, sizeof(fk));
	sodium_memzero(mackey, sizeof(mackey));
	header_clear(&hd);
	return e;
}

/* Take header bytes from p; *used says how many were part of it. */
static enum age_err
header_feed(struct age_decryptor *d, const uint8_t *p, size_t len,
    size_t *used)
{
	size_t i, pre = sizeof(version_prefix) - 1;

	for (i = 0; i < len; i++) {
		if (buf_add(&d->hdr, p + i, 1) != 0)
			return d->hdr.len >= AGE_HEADER_MAX ?
			    AGE_ERR_HEADER_TOO_LONG : AGE_ERR_NOMEM;
		/* Refuse early what is not an age file at all. */
		if (d->hdr.len <= pre &&
		    p[i] != (uint8_t)version_prefix[d->hdr.len - 1])
			return AGE_ERR_NOT_AGE;
		if (p[i] != '\n')
			continue;
		if (d->line == 0 && (d->hdr.len != sizeof(version_line) - 1 ||
		    memcmp(d->hdr.p, version_line, d->hdr.len) != 0))
			return AGE_ERR_VERSION;
		if (d->hdr.len - d->line >= 3 &&
		    memcmp(d->hdr.p + d->line, "---", 3) == 0) {
			*used = i + 1;
			return header_done(d);
		}
		d->line = d->hdr.len;
	}
	*used = len;
	return AGE_OK;
}

static enum age_err
release(struct age_decryptor *d, size_t n)
{
	int rc;

	if (n == 0) /* an empty payload: nothing to hand over */
		return AGE_OK;
	rc = d->sink(d->arg, d->plain, n);

	sodium_memzero(d->plain, n);
	return rc == 0 ? AGE_OK : AGE_ERR_SINK;
}

static int
open_chunk(struct age_decryptor *d, int last)
{
	uint8_t nonce[12];

	chunk_nonce(nonce, d->counter, last);
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(d->plain,
	    NULL, d->ct, d->len - AGE_TAG_SIZE, d->ct + d->len - AGE_TAG_SIZE,
	    NULL, 0, nonce, d->key);
}

/* A full chunk with more data after it. */
static enum age_err
chunk_middle(struct age_decryptor *d)
{
	enum age_err e;

	if (open_chunk(d, 0) == 0) {
		e = release(d, AGE_CHUNK_SIZE);
		d->counter++;
		d->len = 0;
		return e;
	}
	/* A full final chunk followed by more data. */
	if (open_chunk(d, 1) == 0) {
		if ((e = release(d, AGE_CHUNK_SIZE)) != AGE_OK)
			return e;
		return AGE_ERR_TRAILING;
	}
	return AGE_ERR_PAYLOAD_AUTH;
}

/* What is left at the end of the input must be the final chunk. */
static enum age_err
chunk_last(struct age_decryptor *d)
{
	if (d->len < AGE_TAG_SIZE)
		return AGE_ERR_TRUNCATED;
	if (d->len == AGE_TAG_SIZE && d->counter > 0)
		return AGE_ERR_EMPTY_CHUNK;
	if (open_chunk(d, 1) != 0) {
		/* A full chunk that is not final: authentic, so released like
		 * any other, but the file was cut after it. */
		if (d->len == CT_CHUNK && open_chunk(d, 0) == 0) {
			enum age_err e = release(d, AGE_CHUNK_SIZE);
			return e != AGE_OK ? e : AGE_ERR_TRUNCATED;
		}
		return AGE_ERR_PAYLOAD_AUTH;
	}
	d->state = D_DONE;
	return release(d, d->len - AGE_TAG_SIZE);
}

static enum age_err
payload_feed(struct age_decryptor *d, const uint8_t *p, size_t len)
{
	size_t n;
	enum age_err e;

	while (len > 0) {
		if (d->len == CT_CHUNK && (e = chunk_middle(d)) != AGE_OK)
			return e;
		n = CT_CHUNK - d->len;
		if (n > len)
			n = len;
		memcpy(d->ct + d->len, p, n);
		d->len += n;
		p += n;
		len -= n;
	}
	return AGE_OK;
}

/* The binary age stream, after any armor. */
static enum age_err
binary_feed(struct age_decryptor *d, const uint8_t *p, size_t len)
{
	size_t n = 0;
	enum age_err e;

	while (len > 0) {
		switch (d->state) {
		case D_START:
		case D_HEADER:
			d->state = D_HEADER;
			if ((e = header_feed(d, p, len, &n)) != AGE_OK)
				return e;
			break;
		case D_NONCE:
			n = NONCE_SIZE - d->noncelen;
			if (n > len)
				n = len;
			memcpy(d->nonce + d->noncelen, p, n);
			d->noncelen += n;
			if (d->noncelen == NONCE_SIZE) {
				uint8_t fk[AGE_FILE_KEY_SIZE];
				memcpy(fk, d->key, sizeof(fk));
				hkdf(d->key, fk, sizeof(fk), d->nonce,
				    NONCE_SIZE, "payload");
				sodium_memzero(fk, sizeof(fk));
				d->state = D_PAYLOAD;
			}
			break;
		case D_PAYLOAD:
			return payload_feed(d, p, len);
		case D_DONE:
			return AGE_ERR_USAGE;
		}
		p += n;
		len -= n;
	}
	return AGE_OK;
}

static int
armor_sink(void *arg, const uint8_t *buf, size_t len)
{
	struct age_decryptor *d = arg;

	d->err = binary_feed(d, buf, len);
	return d->err == AGE_OK ? 0 : -1;
}

static enum age_err
armor_error(struct age_decryptor *d, enum armor_err ae)
{
	switch (ae) {
	case ARMOR_OK:
		return AGE_OK;
	case ARMOR_EBEGIN:
		return AGE_ERR_ARMOR_BEGIN;
	case ARMOR_ELINE:
		return AGE_ERR_ARMOR_LINE;
	case ARMOR_EBASE64:
		return AGE_ERR_ARMOR_BASE64;
	case ARMOR_EEND:
		return AGE_ERR_ARMOR_END;
	case ARMOR_ESINK:
		break;
	}
	return d->err != AGE_OK ? d->err : AGE_ERR_SINK;
}

enum age_err
age_decrypt_update(struct age_decryptor *d, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	if (d->err != AGE_OK)
		return d->err;
	if (len == 0)
		return AGE_OK;
	if (d->state == D_DONE)
		return d->err = AGE_ERR_USAGE;
	/* A binary age file starts with 'a'; anything else must be armor. */
	if (d->state == D_START && d->armor == NULL && p[0] != 'a') {
		if ((d->armor = armor_decoder_new(armor_sink, d)) == NULL)
			return d->err = AGE_ERR_NOMEM;
	}
	if (d->armor != NULL)
		return d->err = armor_error(d, armor_decode_update(d->armor,
		    p, len));
	return d->err = binary_feed(d, p, len);
}

static enum age_err
binary_final(struct age_decryptor *d)
{
	switch (d->state) {
	case D_START:
	case D_HEADER:
		return AGE_ERR_HEADER_TRUNCATED;
	case D_NONCE:
		return AGE_ERR_NONCE;
	case D_PAYLOAD:
		return chunk_last(d);
	case D_DONE:
		break;
	}
	return AGE_ERR_USAGE;
}

enum age_err
age_decrypt_final(struct age_decryptor *d)
{
	enum armor_err ae;

	if (d->err != AGE_OK)
		return d->err;
	if (d->armor != NULL && (ae = armor_decode_final(d->armor)) != ARMOR_OK)
		return d->err = armor_error(d, ae);
	/* On success the state is D_DONE: a second call is misuse. */
	return d->err = binary_final(d);
}

/* File descriptor helpers */

int
age_sink_fd(void *arg, const uint8_t *buf, size_t len)
{
	int fd = *(int *)arg;
	ssize_t n;

	while (len > 0) {
		if ((n = write(fd, buf, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

#define FD_BUF (BATCH_CHUNKS * AGE_CHUNK_SIZE)

/*
 * age_encrypt_fd runs an ordered pipeline on two threads: each in turn
 * takes the next batch of BATCH_CHUNKS chunks from the input, encrypts it
 * (in parallel with the other thread: chunks are independent, each with
 * its own nonce), and waits for its turn to write it. One core running
 * libsodium cannot keep up with age's assembly on the same machine; two
 * can. Reading one byte past each batch tells whether it holds the final
 * chunk; that byte is carried to the next batch.
 */
struct fd_pipe {
	struct age_encryptor *enc;      /* payload key and sink */
	int in;
	pthread_mutex_t read_mu;        /* next_read, carry, eof */
	uint64_t next_read;
	int eof;
	int have_carry;
	uint8_t carry;
	pthread_mutex_t write_mu;       /* next_write, err */
	pthread_cond_t write_cv;
	uint64_t next_write;
	enum age_err err;
};

struct fd_worker {
	struct fd_pipe *p;
	uint8_t *plain;                 /* FD_BUF + 1 bytes, locked */
	uint8_t *ct;                    /* BATCH_CHUNKS ciphertext chunks */
};

static void
pipe_fail(struct fd_pipe *p, enum age_err e)
{
	pthread_mutex_lock(&p->write_mu);
	if (p->err == AGE_OK)
		p->err = e;
	pthread_cond_broadcast(&p->write_cv);
	pthread_mutex_unlock(&p->write_mu);
}

/* Take the next batch: 1 with *len bytes, 0 at the end, -1 on error. */
static int
pipe_read(struct fd_worker *w, uint64_t *k, size_t *len, int *last)
{
	struct fd_pipe *p = w->p;
	size_t got = 0;
	ssize_t n;
	int rc = 1;

	pthread_mutex_lock(&p->read_mu);
	if (p->eof) {
		pthread_mutex_unlock(&p->read_mu);
		return 0;
	}
	*k = p->next_read++;
	if (p->have_carry)
		w->plain[got++] = p->carry;
	while (got < FD_BUF + 1) {
		if ((n = read(p->in, w->plain + got, FD_BUF + 1 - got)) < 0) {
			if (errno == EINTR)
				continue;
			p->eof = 1;
			rc = -1;
			break;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	*last = got <= FD_BUF;
	if ((p->have_carry = !*last)) {
		p->carry = w->plain[FD_BUF];
		got = FD_BUF;
	} else
		p->eof = 1;
	*len = got;
	pthread_mutex_unlock(&p->read_mu);
	return rc;
}

static size_t
pipe_encrypt(struct fd_worker *w, uint64_t k, size_t len, int last)
{
	const uint8_t *key = w->p->enc->key;
	size_t i, off, n, out = 0;
	uint8_t nonce[12];

	for (i = 0, off = 0; off < len || (i == 0 && last); i++) {
		n = len - off < AGE_CHUNK_SIZE ? len - off : AGE_CHUNK_SIZE;
		chunk_nonce(nonce, k * BATCH_CHUNKS + i, last && off + n == len);
		crypto_aead_chacha20poly1305_ietf_encrypt_detached(w->ct + out,
		    w->ct + out + n, NULL, w->plain + off, n, NULL, 0, NULL,
		    nonce, key);
		out += n + AGE_TAG_SIZE;
		off += n;
	}
	sodium_memzero(w->plain, len);
	return out;
}

static void *
pipe_run(void *arg)
{
	struct fd_worker *w = arg;
	struct fd_pipe *p = w->p;
	size_t len, out;
	uint64_t k;
	int last, rc;

	while ((rc = pipe_read(w, &k, &len, &last)) == 1) {
		out = pipe_encrypt(w, k, len, last);
		pthread_mutex_lock(&p->write_mu);
		while (p->next_write != k && p->err == AGE_OK)
			pthread_cond_wait(&p->write_cv, &p->write_mu);
		if (p->err == AGE_OK &&
		    p->enc->sink(p->enc->arg, w->ct, out) != 0)
			p->err = AGE_ERR_SINK;
		p->next_write++;
		pthread_cond_broadcast(&p->write_cv);
		rc = p->err == AGE_OK;
		pthread_mutex_unlock(&p->write_mu);
		if (!rc)
			break;
	}
	if (rc < 0)
		pipe_fail(p, AGE_ERR_SOURCE);
	return NULL;
}

static int
worker_init(struct fd_worker *w, struct fd_pipe *p)
{
	w->p = p;
	w->plain = sodium_malloc(FD_BUF + 1);
	w->ct = malloc(BATCH_CHUNKS * CT_CHUNK);
	return w->plain != NULL && w->ct != NULL ? 0 : -1;
}

static void
worker_clear(struct fd_worker *w)
{
	if (w->plain != NULL)
		sodium_free(w->plain);
	free(w->ct);
}

enum age_err
age_encrypt_fd(int in, struct age_recipient *const *rcpts, size_t nrcpts,
    age_sink_fn sink, void *arg)
{
	struct fd_pipe p;
	struct fd_worker w[2];
	pthread_t t;
	int threaded;
	enum age_err e;

	memset(&p, 0, sizeof(p));
	memset(w, 0, sizeof(w));
	if ((e = age_encrypt_new(&p.enc, rcpts, nrcpts, sink, arg)) != AGE_OK)
		return e;
	p.in = in;
	pthread_mutex_init(&p.read_mu, NULL);
	pthread_mutex_init(&p.write_mu, NULL);
	pthread_cond_init(&p.write_cv, NULL);
	if (worker_init(&w[0], &p) != 0 || worker_init(&w[1], &p) != 0) {
		e = AGE_ERR_NOMEM;
		goto out;
	}
	threaded = pthread_create(&t, NULL, pipe_run, &w[1]) == 0;
	pipe_run(&w[0]);
	if (threaded)
		pthread_join(t, NULL);
	e = p.err;
	p.enc->done = 1;
out:
	worker_clear(&w[0]);
	worker_clear(&w[1]);
	pthread_cond_destroy(&p.write_cv);
	pthread_mutex_destroy(&p.write_mu);
	pthread_mutex_destroy(&p.read_mu);
	age_encrypt_free(p.enc);
	return e;
}

enum age_err
age_decrypt_fd(int in, struct age_identity *const *ids, size_t nids,
    age_sink_fn sink, void *arg)
{
	struct age_decryptor *d = NULL;
	uint8_t *buf;
	ssize_t n;
	enum age_err e;

	if ((buf = malloc(FD_BUF)) == NULL)
		return AGE_ERR_NOMEM;
	if ((e = age_decrypt_new(&d, ids, nids, sink, arg)) != AGE_OK)
		goto out;
	for (;;) {
		if ((n = read(in, buf, FD_BUF)) < 0) {
			if (errno == EINTR)
				continue;
			e = AGE_ERR_SOURCE;
			goto out;
		}
		if (n == 0)
			break;
		if ((e = age_decrypt_update(d, buf, (size_t)n)) != AGE_OK)
			goto out;
	}
	e = age_decrypt_final(d);
out:
	age_decrypt_free(d);
	free(buf);
	return e;
}
