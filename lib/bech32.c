/*
 * bech32.c — BIP-173 Bech32, without the 90-character limit (age keys
 * need more). See bech32.h.
 */
#include <string.h>

#include "postern/bech32.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, uint8_t v)
{
	static const uint32_t gen[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
	};
	uint32_t b = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (i = 0; i < 5; i++)
		if ((b >> i) & 1)
			chk ^= gen[i];
	return chk;
}

/* The checksum state after the expanded hrp (lowercase). */
static uint32_t
polymod_hrp(const char *hrp, size_t hrplen)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < hrplen; i++)
		chk = polymod_step(chk, (uint8_t)hrp[i] >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < hrplen; i++)
		chk = polymod_step(chk, (uint8_t)hrp[i] & 0x1f);
	return chk;
}

static int
lower(int c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static int
upper(int c)
{
	return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c;
}

int
bech32_encode(char *out, size_t outlen, const char *hrp,
    const uint8_t *data, size_t datalen, int up)
{
	size_t hrplen = strlen(hrp), ngroups, need, i, o = 0;
	uint32_t chk, acc = 0;
	int bits = 0;

	if (hrplen < 1 || hrplen > BECH32_HRP_MAX)
		return -1;
	for (i = 0; i < hrplen; i++)
		if (hrp[i] < 33 || hrp[i] > 126 || (hrp[i] >= 'A' && hrp[i] <= 'Z'))
			return -1;
	if (datalen > BECH32_STRING_MAX)
		return -1;
	ngroups = (datalen * 8 + 4) / 5;
	need = hrplen + 1 + ngroups + 6 + 1;
	if (need > outlen)
		return -1;

	chk = polymod_hrp(hrp, hrplen);
	for (i = 0; i < hrplen; i++)
		out[o++] = up ? (char)upper(hrp[i]) : hrp[i];
	out[o++] = '1';
	for (i = 0; i < datalen; i++) {
		acc = (acc << 8) | data[i];
		bits += 8;
		while (bits >= 5) {
			uint8_t v = (acc >> (bits - 5)) & 0x1f;
			bits -= 5;
			chk = polymod_step(chk, v);
			out[o++] = charset[v];
		}
	}
	if (bits > 0) {
		uint8_t v = (acc << (5 - bits)) & 0x1f;
		chk = polymod_step(chk, v);
		out[o++] = charset[v];
	}
	for (i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < 6; i++)
		out[o++] = charset[(chk >> (5 * (5 - i))) & 0x1f];
	if (up)
		for (i = hrplen; i < o; i++)
			out[i] = (char)upper(out[i]);
	out[o] = '\0';
	acc = 0;
	return (int)o;
}

static int
charset_value(int c)
{
	const char *p;

	if (c == '\0')
		return -1;
	p = strchr(charset, lower(c));
	return p ? (int)(p - charset) : -1;
}

int
bech32_decode(const char *s, char *hrp, size_t hrplen,
    uint8_t *data, size_t datalen, size_t *outlen)
{
	size_t len, sep, i, o = 0;
	int has_lower = 0, has_upper = 0, bits = 0;
	uint32_t chk, acc = 0;

	*outlen = 0;
	len = strnlen(s, BECH32_STRING_MAX + 1);
	if (len > BECH32_STRING_MAX)
		return BECH32_ESYNTAX;
	for (i = 0; i < len; i++) {
		if (s[i] < 33 || s[i] > 126)
			return BECH32_ESYNTAX;
		if (s[i] >= 'a' && s[i] <= 'z')
			has_lower = 1;
		if (s[i] >= 'A' && s[i] <= 'Z')
			has_upper = 1;
	}
	if (has_lower && has_upper)
		return BECH32_ESYNTAX;
	sep = len;
	for (i = len; i > 0; i--)
		if (s[i - 1] == '1') {
			sep = i - 1;
			break;
		}
	if (sep == len || sep < 1 || sep > BECH32_HRP_MAX || len - sep - 1 < 6)
		return BECH32_ESYNTAX;
	if (sep + 1 > hrplen)
		return BECH32_ESPACE;
	for (i = 0; i < sep; i++)
		hrp[i] = (char)lower(s[i]);
	hrp[sep] = '\0';

	chk = polymod_hrp(hrp, sep);
	for (i = sep + 1; i < len; i++) {
		int v = charset_value(s[i]);
		if (v < 0)
			return BECH32_ESYNTAX;
		chk = polymod_step(chk, (uint8_t)v);
	}
	if (chk != 1)
		return BECH32_ECHECKSUM;

	/* Regroup the data part, less the 6 checksum characters, as bytes. */
	for (i = sep + 1; i < len - 6; i++) {
		acc = ((acc << 5) | (uint32_t)charset_value(s[i])) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			if (o == datalen) {
				acc = 0;
				return BECH32_ESPACE;
			}
			data[o++] = (uint8_t)(acc >> (bits - 8));
			bits -= 8;
		}
	}
	if (bits > 4 || (acc & ((1u << bits) - 1)) != 0) {
		acc = 0;
		return BECH32_EPADDING;
	}
	acc = 0;
	*outlen = o;
	return 0;
}
