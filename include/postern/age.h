/*
 * age.h — the age v1 file format (age-encryption.org/v1), with X25519
 * and scrypt recipients, over libsodium.
 *
 * Two verbs, as in age itself: encrypt(dst, recipients) and
 * decrypt(src, identities). Both stream: the caller pushes bytes in
 * pieces of any size and the module pushes its output to a sink
 * callback, holding at most one 64 KiB chunk (plus, when decrypting, the
 * header, capped at AGE_HEADER_MAX). Memory does not grow with the file.
 *
 * Decryption releases a chunk's plaintext to the sink only after that
 * chunk authenticated. A file that fails part-way has still released the
 * chunks before the failure; a caller that must not keep partial output
 * (a file on disk) discards it on error.
 *
 * Secrets (identities, passphrases, file keys, payload keys, plaintext
 * buffers) live in sodium_malloc() memory and are wiped before release.
 *
 * The format is specified in ../shared/reference/age/age-spec.md.
 */
#ifndef POSTERN_AGE_H
#define POSTERN_AGE_H

#include <stddef.h>
#include <stdint.h>

/* Sizes this module defines. */
#define AGE_CHUNK_SIZE 65536           /* plaintext bytes per STREAM chunk */
#define AGE_TAG_SIZE 16                /* Poly1305 tag per chunk */
#define AGE_FILE_KEY_SIZE 16
#define AGE_HEADER_MAX (256 * 1024)    /* cap on a header we will parse */
#define AGE_STANZAS_MAX 1024           /* cap on stanzas in one header */
#define AGE_RECIPIENT_STRLEN 62        /* "age1" + 52 + 6, no NUL */
#define AGE_IDENTITY_STRLEN 74         /* "AGE-SECRET-KEY-1" + 52 + 6 */
#define AGE_KEYID_STRLEN 16            /* hex digits of a key id */
#define AGE_SCRYPT_LOGN_DEFAULT 18     /* what age writes: 256 MiB */
#define AGE_SCRYPT_LOGN_MIN 10         /* floor when encrypting: 1 MiB */
#define AGE_SCRYPT_LOGN_MAX 22         /* ceiling when decrypting: 4 GiB */
#define AGE_PASSPHRASE_MAX 1024

/*
 * Every failure has a code. age_strerror() gives a sentence a person can
 * act on; age_err_class() groups codes as the age test kit does.
 */
enum age_err {
	AGE_OK = 0,
	/* the system */
	AGE_ERR_NOMEM,            /* out of (locked) memory */
	AGE_ERR_SINK,             /* the output callback failed */
	AGE_ERR_USAGE,            /* API misuse: bad arguments or state */
	AGE_ERR_SOURCE,           /* reading the input failed */
	/* keys */
	AGE_ERR_KEY_SYNTAX,       /* not a well-formed age key string */
	AGE_ERR_KEY_CHECKSUM,     /* Bech32 checksum does not match */
	AGE_ERR_KEY_TYPE,         /* a key of a type we do not support */
	AGE_ERR_PASSPHRASE_EMPTY, /* empty or over-long passphrase */
	AGE_ERR_SCRYPT_NOT_ALONE, /* scrypt recipient mixed with others */
	/* armor */
	AGE_ERR_ARMOR_BEGIN,      /* no valid BEGIN line */
	AGE_ERR_ARMOR_LINE,       /* bad line: length, whitespace, header */
	AGE_ERR_ARMOR_BASE64,     /* invalid or non-canonical base64 */
	AGE_ERR_ARMOR_END,        /* missing END line or data after it */
	/* header */
	AGE_ERR_NOT_AGE,          /* does not start like an age file */
	AGE_ERR_VERSION,          /* an age version we do not know */
	AGE_ERR_HEADER_SYNTAX,    /* header grammar broken */
	AGE_ERR_HEADER_TOO_LONG,  /* header over AGE_HEADER_MAX or stanzas */
	AGE_ERR_HEADER_TRUNCATED, /* file ends inside the header */
	AGE_ERR_STANZA,           /* an X25519 or scrypt stanza is malformed */
	AGE_ERR_SCRYPT_MIXED,     /* scrypt stanza alongside another stanza */
	AGE_ERR_SCRYPT_WORK,      /* scrypt work factor over the ceiling */
	AGE_ERR_X25519_WEAK,      /* low-order share: all-zero secret */
	AGE_ERR_NONCE,            /* payload nonce missing or short */
	/* keys vs. header */
	AGE_ERR_NO_MATCH,         /* no identity opened any stanza */
	AGE_ERR_PASSPHRASE,       /* scrypt stanza, wrong passphrase */
	AGE_ERR_NO_PASSPHRASE,    /* scrypt file, no passphrase given */
	AGE_ERR_HEADER_MAC,       /* header MAC does not verify */
	/* payload */
	AGE_ERR_PAYLOAD_AUTH,     /* a chunk failed authentication */
	AGE_ERR_TRUNCATED,        /* the file ends before the final chunk */
	AGE_ERR_TRAILING,         /* data after the final chunk */
	AGE_ERR_EMPTY_CHUNK,      /* empty final chunk after others */
	AGE_ERR__COUNT
};

/* The failure classes of the age test kit (testkit/README.md). */
enum age_err_class {
	AGE_CLASS_OK,
	AGE_CLASS_SYSTEM,  /* memory, sink, usage, keys given by the caller */
	AGE_CLASS_ARMOR,
	AGE_CLASS_HEADER,
	AGE_CLASS_NO_MATCH,
	AGE_CLASS_HMAC,
	AGE_CLASS_PAYLOAD
};

const char *age_strerror(enum age_err);
enum age_err_class age_err_class(enum age_err);

/*
 * Output sink: called with each piece of output, in order. Return 0 to go
 * on, -1 to stop (the operation then fails with AGE_ERR_SINK). Plaintext
 * handed to a decryption sink is wiped after the call returns.
 */
typedef int (*age_sink_fn)(void *arg, const uint8_t *buf, size_t len);

/*
 * Recipients: whom a file is encrypted to. An X25519 recipient is public;
 * an scrypt recipient holds a passphrase and lives in locked memory.
 */
struct age_recipient;

/* Parse "age1…" (lowercase Bech32). NULL *out on failure. */
enum age_err age_recipient_parse(struct age_recipient **out, const char *s);
/* A passphrase recipient, with work factor 2^logn (AGE_SCRYPT_LOGN_MIN..
 * AGE_SCRYPT_LOGN_MAX, else AGE_ERR_USAGE). The passphrase
 * is copied into locked memory; the caller wipes its own copy. */
enum age_err age_recipient_passphrase(struct age_recipient **out,
    const char *pass, size_t len, int logn);
/* Writes the "age1…" string and a NUL into buf (AGE_RECIPIENT_STRLEN + 1
 * bytes); -1 for a passphrase recipient or a short buffer. */
int age_recipient_format(const struct age_recipient *, char *buf, size_t len);
/* The key id: the first 8 bytes of SHA-256 of the "age1…" string, in
 * lowercase hex, and a NUL (AGE_KEYID_STRLEN + 1 bytes). The one way all
 * Postern tools show a key. -1 for a passphrase recipient. */
int age_recipient_keyid(const struct age_recipient *, char *buf, size_t len);
/* The same key id for any public key string (the server's signing key
 * too): the first 8 bytes of SHA-256 of key, in hex, and a NUL. */
int age_keyid(const char *key, char *buf, size_t len);
/* 1 if both are the same X25519 key. */
int age_recipient_equal(const struct age_recipient *,
    const struct age_recipient *);
void age_recipient_free(struct age_recipient *);

/*
 * Identities: what opens a file. An X25519 secret key, or a passphrase
 * for scrypt stanzas. Both in locked memory, wiped by age_identity_free.
 */
struct age_identity;

/* A fresh X25519 identity from the system CSPRNG. */
enum age_err age_identity_generate(struct age_identity **out);
/* Parse "AGE-SECRET-KEY-1…" (uppercase Bech32; lowercase is accepted
 * too). The caller wipes its copy of s. */
enum age_err age_identity_parse(struct age_identity **out, const char *s);
/* A passphrase identity (copied into locked memory). */
enum age_err age_identity_passphrase(struct age_identity **out,
    const char *pass, size_t len);
/* Writes "AGE-SECRET-KEY-1…" and a NUL (AGE_IDENTITY_STRLEN + 1 bytes)
 * into buf, which the caller should hold in locked memory and wipe.
 * -1 for a passphrase identity or a short buffer. */
int age_identity_format(const struct age_identity *, char *buf, size_t len);
/* The recipient of an X25519 identity; NULL for a passphrase. */
struct age_recipient *age_identity_recipient(const struct age_identity *);
void age_identity_free(struct age_identity *);

/*
 * Streaming encryption.
 *
 * age_encrypt_new: the header (one stanza per recipient, header MAC) and
 * the payload nonce go to the sink at once. A passphrase recipient must be
 * the only one (AGE_ERR_SCRYPT_NOT_ALONE). The recipients may be freed
 * after this call.
 * age_encrypt_update: any number of bytes, any number of times.
 * age_encrypt_final: writes the last chunk; the file is complete only when
 * this returns AGE_OK. Nothing more may be written.
 * age_encrypt_free: wipes and frees; safe on NULL and after failures.
 * After any error the encryptor refuses further input.
 */
struct age_encryptor;

enum age_err age_encrypt_new(struct age_encryptor **out,
    struct age_recipient *const *rcpts, size_t nrcpts,
    age_sink_fn sink, void *arg);
enum age_err age_encrypt_update(struct age_encryptor *,
    const void *buf, size_t len);
enum age_err age_encrypt_final(struct age_encryptor *);
void age_encrypt_free(struct age_encryptor *);

/*
 * Streaming decryption, binary or ASCII-armored (detected from the first
 * bytes that are not whitespace).
 *
 * Identities are tried in turn against each stanza; a file whose header
 * holds an scrypt stanza needs a passphrase identity. The identities must
 * outlive the decryptor. age_decrypt_final reports a file that ended too
 * early; only AGE_OK from it means the whole file was authentic. After any
 * error the decryptor refuses further input and keeps returning that error.
 */
struct age_decryptor;

enum age_err age_decrypt_new(struct age_decryptor **out,
    struct age_identity *const *ids, size_t nids,
    age_sink_fn sink, void *arg);
enum age_err age_decrypt_update(struct age_decryptor *,
    const void *buf, size_t len);
enum age_err age_decrypt_final(struct age_decryptor *);
/* 1 once the header has been authenticated (the MAC checked), else 0. */
int age_decrypt_header_ok(const struct age_decryptor *);
void age_decrypt_free(struct age_decryptor *);

/* Convenience over file descriptors: read `in` to EOF and stream it. */
enum age_err age_encrypt_fd(int in, struct age_recipient *const *rcpts,
    size_t nrcpts, age_sink_fn sink, void *arg);
enum age_err age_decrypt_fd(int in, struct age_identity *const *ids,
    size_t nids, age_sink_fn sink, void *arg);

/* Sink that writes to the file descriptor pointed to by arg (an int *). */
int age_sink_fd(void *arg, const uint8_t *buf, size_t len);

#endif
