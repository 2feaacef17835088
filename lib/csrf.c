/*
 * csrf.c — stateless HMAC form tokens. See csrf.h.
 */
#include <string.h>

#include <sodium.h>

#include "postern/b64.h"
#include "postern/csrf.h"

#define MAC_LEN 16
#define RAW_LEN (8 + MAC_LEN)

static const char label[] = "postern-csrf-v1";

struct csrf {
	uint8_t secret[crypto_auth_hmacsha256_KEYBYTES];
	time_t lifetime;
};

struct csrf *
csrf_new(time_t lifetime)
{
	struct csrf *c;

	if ((c = sodium_malloc(sizeof(*c))) == NULL)
		return NULL;
	crypto_auth_hmacsha256_keygen(c->secret);
	c->lifetime = lifetime;
	return c;
}

void
csrf_free(struct csrf *c)
{
	if (c != NULL)
		sodium_free(c);
}

static void
mac(const struct csrf *c, const uint8_t expiry[8], uint8_t out[MAC_LEN])
{
	crypto_auth_hmacsha256_state st;
	uint8_t full[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, c->secret, sizeof(c->secret));
	crypto_auth_hmacsha256_update(&st, (const uint8_t *)label,
	    sizeof(label));
	crypto_auth_hmacsha256_update(&st, expiry, 8);
	crypto_auth_hmacsha256_final(&st, full);
	memcpy(out, full, MAC_LEN);
	sodium_memzero(&st, sizeof(st));
}

void
csrf_make(const struct csrf *c, time_t now, char out[CSRF_TOKEN_LEN + 1])
{
	uint8_t raw[RAW_LEN];
	uint64_t exp = (uint64_t)now + (uint64_t)c->lifetime;
	int i;

	for (i = 0; i < 8; i++)
		raw[i] = (uint8_t)(exp >> (56 - 8 * i));
	mac(c, raw, raw + 8);
	sodium_bin2base64(out, CSRF_TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

int
csrf_check(const struct csrf *c, time_t now, const char *token, size_t len)
{
	uint8_t raw[RAW_LEN], want[MAC_LEN];
	uint64_t exp = 0;
	size_t n;
	int i;

	if (len != CSRF_TOKEN_LEN || b64_decode(raw, sizeof(raw), token, len, &n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != sizeof(raw))
		return -1;
	mac(c, raw, want);
	if (sodium_memcmp(want, raw + 8, MAC_LEN) != 0)
		return -1;
	for (i = 0; i < 8; i++)
		exp = (exp << 8) | raw[i];
	return (uint64_t)now < exp ? 0 : -1;
}
