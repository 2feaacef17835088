/*
 * sigkey.h — the intake server's Ed25519 signing key, which signs the
 * bundles journalists carry to the air-gapped machine.
 *
 * Strings use Bech32 like age keys, so a mistyped character is caught:
 *   public  postern-server1…                  (lowercase, 73 characters)
 *   secret  POSTERN-SERVER-SECRET-KEY-1…      (the 32-byte seed, uppercase)
 * The key id is age_keyid() of the public string, as for age recipients.
 * The secret lives in sodium_malloc memory and is wiped on free.
 */
#ifndef POSTERN_SIGKEY_H
#define POSTERN_SIGKEY_H

#include <stddef.h>
#include <stdint.h>

#define SIGKEY_PUBLIC_BYTES 32
#define SIGKEY_SIG_BYTES 64
#define SIGKEY_PUBLIC_STRLEN 73        /* "postern-server1" + 52 + 6 */
#define SIGKEY_SECRET_STRLEN 85        /* "POSTERN-SERVER-SECRET-KEY-1" + 58 */
#define SIGKEY_ERRLEN 256

struct sigkey;

struct sigkey *sigkey_generate(void);
void sigkey_free(struct sigkey *);

/* The public half. */
void sigkey_public(const struct sigkey *, uint8_t pk[SIGKEY_PUBLIC_BYTES]);

/* "postern-server1…" and a NUL into buf (SIGKEY_PUBLIC_STRLEN + 1). */
int sigkey_format_public(const uint8_t pk[SIGKEY_PUBLIC_BYTES], char *buf,
    size_t len);
/* Parse a public key string; -1 if malformed or its checksum fails. */
int sigkey_parse_public(uint8_t pk[SIGKEY_PUBLIC_BYTES], const char *s);

/* Sign msg for context (a short label, part of what is signed, so a
 * signature made for one purpose never verifies for another). */
void sigkey_sign(const struct sigkey *, const char *context,
    const uint8_t *msg, size_t len, uint8_t sig[SIGKEY_SIG_BYTES]);
/* 0 if sig is pk's signature of msg for context. */
int sigkey_verify(const uint8_t pk[SIGKEY_PUBLIC_BYTES], const char *context,
    const uint8_t *msg, size_t len, const uint8_t sig[SIGKEY_SIG_BYTES]);

/*
 * The key file: a comment line with the public key, then the secret line.
 * sigkey_write_file creates path new (O_EXCL, O_NOFOLLOW, mode 0600) and
 * never overwrites; sigkey_read_file refuses a file others can read.
 * On failure both return -1 with one sentence in err.
 */
int sigkey_write_file(const char *path, const struct sigkey *, char *err,
    size_t errlen);
struct sigkey *sigkey_read_file(const char *path, char *err, size_t errlen);

#endif
