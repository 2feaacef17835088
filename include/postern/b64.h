/*
 * b64.h — strict base64 decoding over libsodium.
 *
 * libsodium 1.0.18's sodium_base642bin() decodes every byte from 0x80 to
 * 0xFF as if it were the alphabet's last character, so on its own it lets
 * a changed byte through. Every base64 this project parses from outside
 * (age headers, armor, signatures, form tokens) goes through here: the
 * alphabet is checked first, then libsodium decodes (which also refuses
 * non-canonical trailing bits and misplaced padding).
 */
#ifndef POSTERN_B64_H
#define POSTERN_B64_H

#include <stddef.h>
#include <stdint.h>

/* variant: a sodium_base64_VARIANT_* constant. Returns 0, or -1 if in
 * holds a byte outside the variant's alphabet (and '=' where the variant
 * pads), is not canonical, or does not fit in outmax bytes. */
int b64_decode(uint8_t *out, size_t outmax, const char *in, size_t inlen,
    size_t *outlen, int variant);

#endif
