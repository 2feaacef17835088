/*
 * bech32.h — BIP-173 Bech32 (not Bech32m), as age uses it: no limit on
 * the length of the data part, all-lowercase or all-uppercase only, the
 * checksum always computed over the lowercase string.
 */
#ifndef POSTERN_BECH32_H
#define POSTERN_BECH32_H

#include <stddef.h>
#include <stdint.h>

#define BECH32_HRP_MAX 83      /* BIP-173 cap on the human-readable part */
#define BECH32_STRING_MAX 1024 /* our cap on any string we decode */

/*
 * Encode hrp and data (8-bit bytes) into out as a NUL-terminated string:
 * lowercase, or uppercase when upper is non-zero. hrp must be lowercase
 * printable ASCII (33..126). Returns the string length, or -1 if out is
 * too small or the input is invalid.
 */
int bech32_encode(char *out, size_t outlen, const char *hrp,
    const uint8_t *data, size_t datalen, int upper);

/*
 * Decode s. Writes the lowercased human-readable part and a NUL into hrp
 * (hrplen bytes) and the 8-bit data into data (at most datalen bytes,
 * length in *outlen). Returns 0, or one of the negative BECH32_E* codes.
 * The data buffer may hold secrets: the caller owns and wipes it.
 */
#define BECH32_ESYNTAX   (-1) /* bad character, mixed case, no '1', size */
#define BECH32_ECHECKSUM (-2) /* checksum mismatch */
#define BECH32_EPADDING  (-3) /* bad 5-to-8-bit padding */
#define BECH32_ESPACE    (-4) /* an output buffer is too small */
int bech32_decode(const char *s, char *hrp, size_t hrplen,
    uint8_t *data, size_t datalen, size_t *outlen);

#endif
