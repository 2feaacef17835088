/*
 * keyfile.h — age's text formats for key files, as age-keygen writes
 * them: one key a line, '#' comments and blank lines ignored, LF or CRLF.
 *
 * An identity file holds AGE-SECRET-KEY-1… lines; a recipients file holds
 * age1… lines. Files are capped at KEYFILE_MAX bytes and KEYFILE_KEYS_MAX
 * keys. The file's bytes are read into locked memory and wiped.
 */
#ifndef POSTERN_KEYFILE_H
#define POSTERN_KEYFILE_H

#include <stddef.h>

#include "postern/age.h"

#define KEYFILE_MAX (64 * 1024)
#define KEYFILE_KEYS_MAX 256
#define KEYFILE_ERRLEN 256

/* A list of keys read from files or given on the command line. */
struct keyfile_identities {
	struct age_identity **v;
	size_t n;
};
struct keyfile_recipients {
	struct age_recipient **v;
	size_t n;
};

/*
 * Append the keys of the file at path ("-" is standard input). On failure
 * returns -1 with one sentence in err naming the file and line, and the
 * list is as it was before the call.
 */
int keyfile_read_identities(struct keyfile_identities *, const char *path,
    char *err, size_t errlen);
int keyfile_read_recipients(struct keyfile_recipients *, const char *path,
    char *err, size_t errlen);

/* Append one key already parsed (ownership passes to the list). */
int keyfile_add_identity(struct keyfile_identities *, struct age_identity *);
int keyfile_add_recipient(struct keyfile_recipients *, struct age_recipient *);

/* Free every key and the list's storage; the struct is left empty. */
void keyfile_identities_clear(struct keyfile_identities *);
void keyfile_recipients_clear(struct keyfile_recipients *);

#endif
