/*
 * b64.c — strict base64 decoding. See b64.h.
 */
#include <string.h>

#include <sodium.h>

#include "postern/b64.h"

static int
in_alphabet(unsigned char c, int urlsafe, int padded)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	if (urlsafe)
		return c == '-' || c == '_' || (padded && c == '=');
	return c == '+' || c == '/' || (padded && c == '=');
}

int
b64_decode(uint8_t *out, size_t outmax, const char *in, size_t inlen,
    size_t *outlen, int variant)
{
	int urlsafe = variant == sodium_base64_VARIANT_URLSAFE ||
	    variant == sodium_base64_VARIANT_URLSAFE_NO_PADDING;
	int padded = variant == sodium_base64_VARIANT_ORIGINAL ||
	    variant == sodium_base64_VARIANT_URLSAFE;
	size_t i;

	for (i = 0; i < inlen; i++)
		if (!in_alphabet((unsigned char)in[i], urlsafe, padded))
			return -1;
	return sodium_base642bin(out, outmax, in, inlen, NULL, outlen, NULL,
	    variant) == 0 ? 0 : -1;
}
