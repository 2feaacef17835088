/*
 * postern-open.h — the modules of postern-open, the journalists' offline
 * tool. Each file exports only names with its prefix:
 *
 *   postern-open.c  open_      main, dispatch, encrypt, decrypt, helpers
 *   output.c        output_    new output files, committed only when whole
 *   keygen.c        keygen_    a new identity, passphrase-protected
 *   identity.c      identity_  identity files, plain or protected
 *   trust.c         trust_     the pinned server key
 *   import.c        import_    bundles in, folders and a receipt out
 *   unpack.c        unpack_    one submission into one folder
 *   safename.c      safename_  file names a source chose, made safe
 */
#ifndef POSTERN_OPEN_H
#define POSTERN_OPEN_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>

#include "postern/bundle.h"
#include "postern/keyfile.h"
#include "postern/sigkey.h"

#define OPEN_EXIT_USAGE 2
#define OPEN_ERRLEN 1024 /* one error sentence, with a path or two */

/* postern-open.c */

/* One line "postern-open: …" on stderr. */
void open_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the usage text; returns OPEN_EXIT_USAGE for the caller to return. */
int open_usage(void);
/* A --passphrase-fd argument: a decimal descriptor that is open. -1 with
 * one sentence in err if not. */
int open_parse_fd(const char *s, int *fd, char *err, size_t errlen);
/*
 * getopt_long, except that positional arguments may come anywhere (also
 * without GNU argument permutation): each one is appended to pos, at most
 * npos of them (one more returns '?'). Returns the option, '?' or -1.
 */
int open_getopt(int argc, char **argv, const char *opts,
    const struct option *longopts, char **pos, size_t npos, size_t *n);

/* output.c */

/*
 * An output file: written as a hidden temporary file beside its final
 * name (mode 0600) and linked into place only on commit, so a half-written
 * file never appears under the final name and an existing file is never
 * replaced. path NULL or "-" is standard output.
 */
struct output {
	const char *path; /* NULL: standard output */
	int fd;
};

/* replace: an existing file may be replaced (by output_replace) */
int output_open(struct output *, const char *path, int replace);
/* fsync, then link into place; fails if the name exists meanwhile. */
int output_commit(struct output *);
/* fsync, then rename over the final name (what --replace asks for). */
int output_replace(struct output *);
void output_abort(struct output *);
/* From a signal handler: unlink the temporary file, if any. */
void output_signal_cleanup(void);

/* keygen.c */

/* postern-open keygen [-o FILE] [--passphrase-fd N] [--unprotected]:
 * returns the exit status. */
int keygen_main(int argc, char **argv);

/* identity.c */

#define IDENTITY_FILE_MAX (4 * KEYFILE_MAX) /* a protected file, armored */

/*
 * Append the identities of the file at path ("-" is standard input) to
 * the list. A plain file is read as age-keygen writes it; a file that is
 * an age file (binary or armored) is decrypted with a passphrase, read
 * from passfd, or from the terminal if passfd < 0. The file's plaintext
 * stays in locked memory and is wiped. On failure returns -1 with one
 * sentence in err, and the list is as it was.
 */
int identity_load(struct keyfile_identities *, const char *path,
    int passfd, char *err, size_t errlen);

/* trust.c */

/* postern-open trust SERVERKEY [--trust-file FILE] [--replace]: returns
 * the exit status. */
int trust_main(int argc, char **argv);
/* The default trust file, $HOME/.config/postern/server.pub, into buf. */
int trust_default_path(char *buf, size_t len, char *err, size_t errlen);
/* Read the pinned key from a trust file. -1 with one sentence in err if
 * there is none, or the file is malformed or writable by others. */
int trust_load(const char *path, uint8_t pk[SIGKEY_PUBLIC_BYTES], char *err,
    size_t errlen);

/* import.c */

/* postern-open import BUNDLE -i IDENTITY [-i ...] -o OUTDIR
 * [--trust-file FILE] [--passphrase-fd N]: returns the exit status (or
 * re-raises the signal that interrupted it). */
int import_main(int argc, char **argv);

/* unpack.c */

/* What an import hands to each submission's unpacking. */
struct unpack_ctx {
	const struct bundle *b;
	struct age_identity *const *ids; /* the journalist's identities */
	char (*keyids)[AGE_KEYID_STRLEN + 1]; /* the key id of each */
	size_t nids;
	int outfd;          /* OUTDIR, open */
	const char *outdir; /* its name, for messages */
};

enum unpack_result {
	UNPACK_DONE,    /* imported now */
	UNPACK_ALREADY, /* its folder was already there */
	UNPACK_FAILED   /* reported on stderr; nothing left behind */
};

/*
 * Import the submission whose items are b->items[idx[0..n-1]] into a new
 * folder OUTDIR/YYYY-MM-DD-xxxxxxxx, built in a hidden temporary folder
 * and renamed into place only when complete. The folder's name goes into
 * name (UNPACK_NAME_MAX bytes).
 */
#define UNPACK_NAME_MAX 32
enum unpack_result unpack_submission(const struct unpack_ctx *,
    const char *submission, const size_t *idx, size_t n, char *name);
/* Remove the temporary folders an interrupted import left in OUTDIR. */
void unpack_remove_leftovers(int outfd);
/*
 * Interruption while folders are being written: once armed, a signal
 * handler's unpack_interrupt(sig) records the signal and returns 1, the
 * unpacking stops at the next chunk and removes its temporary folder, and
 * the import re-raises the signal. Unarmed, it returns 0.
 */
void unpack_arm(int on);
int unpack_interrupt(int sig);
int unpack_interrupted(void); /* the signal caught, or 0 */

/* safename.c */

#define SAFENAME_MAX 200 /* bytes, on a UTF-8 boundary */

/*
 * The set of names given out in one folder. safename_make turns an
 * untrusted name into one that is safe to create there and not yet taken
 * (compared without regard to ASCII case, for case-insensitive file
 * systems), and takes it. Names are malloc'd; safename_clear frees them.
 */
struct safename_set {
	char **v;
	size_t n;
};
int safename_reserve(struct safename_set *, const char *name);
char *safename_make(struct safename_set *, const char *untrusted, size_t len);
void safename_clear(struct safename_set *);
/*
 * An untrusted string as printable text for a report: control and
 * bidirectional characters as \uXXXX, invalid UTF-8 bytes as \xHH, the
 * backslash doubled; with quote, '"' escaped too. malloc'd.
 */
char *safename_escape(const char *s, size_t len, int quote);

#endif
