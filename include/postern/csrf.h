/*
 * csrf.h — stateless form tokens: the expiry time and an HMAC of it under
 * a secret made at start-up, held in locked memory. A token is valid until
 * it expires or the server restarts. It proves the form came from this
 * server's page; it identifies nobody (every source gets the same kind of
 * token, and nothing is stored).
 */
#ifndef POSTERN_CSRF_H
#define POSTERN_CSRF_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CSRF_TOKEN_LEN 32   /* URL-safe base64 of 8 + 16 bytes */

struct csrf;

/* A fresh random secret; tokens live for lifetime seconds. NULL: no memory. */
struct csrf *csrf_new(time_t lifetime);
void csrf_free(struct csrf *);

/* Writes CSRF_TOKEN_LEN characters and a NUL into out. */
void csrf_make(const struct csrf *, time_t now, char out[CSRF_TOKEN_LEN + 1]);

/* 0 if token (len bytes, untrusted) is one of ours and not expired. */
int csrf_check(const struct csrf *, time_t now, const char *token, size_t len);

#endif
