/*
 * armor.h — the strict PEM armor of age files (RFC 7468 section 3, label
 * "AGE ENCRYPTED FILE"), as a streaming filter.
 *
 * Decoding accepts what the age spec and test kit accept: LF or CRLF line
 * endings, blank space before the BEGIN line (up to ARMOR_LEADING_MAX
 * bytes) and after the END line. Everything else is refused: headers,
 * lines longer than 64 columns, short lines before the last, space inside
 * lines, non-canonical base64, data after the END line.
 */
#ifndef POSTERN_ARMOR_H
#define POSTERN_ARMOR_H

#include <stddef.h>
#include <stdint.h>

#define ARMOR_BEGIN "-----BEGIN AGE ENCRYPTED FILE-----"
#define ARMOR_END "-----END AGE ENCRYPTED FILE-----"
#define ARMOR_COLUMNS 64
#define ARMOR_LEADING_MAX 1024

enum armor_err {
	ARMOR_OK = 0,
	ARMOR_EBEGIN,  /* no valid BEGIN line */
	ARMOR_ELINE,   /* a line of the wrong length or with stray bytes */
	ARMOR_EBASE64, /* invalid or non-canonical base64 */
	ARMOR_EEND,    /* missing END line, or data after it */
	ARMOR_ESINK    /* the sink failed */
};

typedef int (*armor_sink_fn)(void *arg, const uint8_t *buf, size_t len);

struct armor_decoder;

/* NULL when out of memory. */
struct armor_decoder *armor_decoder_new(armor_sink_fn sink, void *arg);
/* Feed armored text; decoded bytes go to the sink line by line. After an
 * error every call returns that error. */
enum armor_err armor_decode_update(struct armor_decoder *,
    const uint8_t *buf, size_t len);
/* The input has ended: checks that the END line was seen. */
enum armor_err armor_decode_final(struct armor_decoder *);
void armor_decoder_free(struct armor_decoder *);

#endif
