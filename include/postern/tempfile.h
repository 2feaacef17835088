/*
 * tempfile.h — an upload's bytes on disk, encrypted, while the upload is
 * still arriving.
 *
 * Each temp file is an anonymous file (O_TMPFILE: it has no name, and the
 * kernel frees it when it is closed or the process dies) encrypted with
 * crypto_secretstream_xchacha20poly1305 under a random key that exists only
 * in this struct's locked memory. Plaintext never reaches the disk; after a
 * crash there is nothing to read and nothing to find.
 */
#ifndef POSTERN_TEMPFILE_H
#define POSTERN_TEMPFILE_H

#include <stddef.h>
#include <stdint.h>

/* Small chunks: an upload holds one plaintext and one ciphertext chunk, and
 * hundreds of slow uploads may be open at once. */
#define TEMPFILE_CHUNK 16384

struct tempfile;

/* A new, empty temp file in dir (which must be on a filesystem that
 * supports O_TMPFILE). NULL with errno set on failure. */
struct tempfile *tempfile_new(const char *dir);

/* Append plaintext; encrypted a chunk at a time. -1 with errno on an I/O
 * error (ENOSPC: the disk is full). */
int tempfile_write(struct tempfile *, const void *buf, size_t len);

/* No more writes: seals the last chunk. */
int tempfile_finish(struct tempfile *);

/* Plaintext bytes written so far. */
uint64_t tempfile_size(const struct tempfile *);

/* After tempfile_finish: decrypt from the start and hand the plaintext,
 * at most TEMPFILE_CHUNK bytes at a time, to fn (the buffer is wiped after
 * each call). Stops when fn returns non-zero. Returns 0 when the whole
 * file was read and authenticated, -1 otherwise (EBADMSG: tampered or
 * truncated; or fn's failure). */
int tempfile_read(struct tempfile *,
    int (*fn)(void *arg, const uint8_t *buf, size_t len), void *arg);

/* Copy the first up to cap plaintext bytes into buf (the caller wipes
 * it); *len gets the count. After tempfile_finish. */
int tempfile_head(struct tempfile *, uint8_t *buf, size_t cap, size_t *len);

/* Close (the kernel frees the blocks) and wipe the key. NULL is fine. */
void tempfile_free(struct tempfile *);

#endif
