/*
 * passphrase.h — reading a passphrase: from the terminal with echo off, or
 * from a file descriptor for scripts. Never from argv or the environment.
 */
#ifndef POSTERN_PASSPHRASE_H
#define POSTERN_PASSPHRASE_H

#include <stddef.h>

#define PASSPHRASE_MAX 1024
#define PASSPHRASE_ERRLEN 256

/*
 * fd >= 0: read one line from fd (the newline, or CRLF, is not part of it).
 * fd < 0: open /dev/tty, print prompt, read with echo off; with confirm,
 * ask a second time and fail unless both agree.
 * Returns the passphrase, NUL-terminated, in sodium_malloc memory (free
 * with sodium_free, which wipes it), or NULL with one sentence in err
 * (no terminal, empty, longer than PASSPHRASE_MAX, mismatch).
 */
char *passphrase_read(const char *prompt, int fd, int confirm, char *err,
    size_t errlen);

#endif
