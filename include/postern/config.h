/*
 * config.h — posternd's configuration file.
 *
 * One "key = value" a line. Blank lines and lines whose first non-blank
 * character is '#' are ignored; blanks around '=' and at either end of a
 * line are trimmed; LF or CRLF. There is no quoting and no trailing
 * comment: a value runs to the end of its line, so "max_files = 20 # x"
 * is refused as garbage rather than half-read.
 *
 * The file is capped at CONFIG_FILE_MAX bytes and each line at
 * CONFIG_LINE_MAX bytes (the line ending not counted). An unknown key, a
 * key given twice, a value out of range, or a missing required key
 * (listen, state_dir, recipients_file) is an error: a daemon that guards
 * sources' documents should not start on a config it half understood.
 *
 * Value syntax:
 *   sizes     decimal bytes, or with a K, M or G suffix (binary: 1K is
 *             1024 bytes; k, m, g also accepted); no sign, no blanks
 *             inside; at most CONFIG_SIZE_MAX; 0 is refused for every
 *             max_* size
 *   integers  decimal, within the bounds named below
 *   booleans  "yes" or "no"
 *   uncleanable  "store" or "refuse"
 *   paths     a relative path is taken relative to the directory that
 *             holds the config file, not to the daemon's working
 *             directory; after config_load() every path in the struct is
 *             absolute (defaults included), so the daemon may chdir
 *   listen    "unix:PATH", "A.B.C.D:PORT" or "[IPv6]:PORT"; numeric
 *             addresses only (no name is ever resolved). Anything but a
 *             Unix socket or loopback (127.0.0.0/8, ::1) is refused unless
 *             "allow_nonlocal = yes" appears anywhere in the file.
 *
 * deploy/posternd.conf.sample documents every key and its default.
 */
#ifndef POSTERN_CONFIG_H
#define POSTERN_CONFIG_H

#include <stddef.h>
#include <stdint.h>

/* Caps on the file, and the sizes of the struct's fields. */
#define CONFIG_LINE_MAX 1024	    /* bytes a line, its ending not counted */
#define CONFIG_FILE_MAX (64 * 1024) /* bytes in the whole file */
#define CONFIG_PATH_MAX 4096	    /* PATH_MAX on Linux, NUL included */
#define CONFIG_SUN_PATH_MAX 108	    /* sizeof(sun_path) on Linux */
#define CONFIG_ERRLEN 512	    /* enough for any message, path cut */

/*
 * Ceiling on every size key: 1 PiB, far above any real upload or disk,
 * and low enough that a caller can add two sizes or double one without
 * wrapping 64 bits.
 */
#define CONFIG_SIZE_MAX ((uint64_t)1 << 50)

/* Upper bounds of the integer keys; each also has a floor of 1. */
#define CONFIG_MAX_FILES_MAX 1000
#define CONFIG_MAX_UPLOADS_MAX 10000
#define CONFIG_MAX_WORKERS_MAX 256

/* What posternd does with a file the stripper cannot clean. */
enum config_uncleanable {
	CONFIG_UNCLEANABLE_STORE,  /* keep it as uploaded, marked NOT CLEANED */
	CONFIG_UNCLEANABLE_REFUSE  /* refuse the whole submission (415) */
};

/* Read-only once loaded: the daemon's one configuration. */
struct config {
	/*
	 * listen: "unix:/path/to/sock" or "127.0.0.1:8080" / "[::1]:8080".
	 * For a Unix socket listen_unix is 1, listen_path is absolute and
	 * fits sun_path with its NUL, listen_host is "" and listen_port 0.
	 * Otherwise listen_host is the numeric address as written, without
	 * brackets, and listen_port is 1..65535.
	 */
	int listen_unix;
	char listen_path[CONFIG_SUN_PATH_MAX];
	char listen_host[64];
	int listen_port;
	/* "allow_nonlocal = yes": listen may be a non-loopback address. */
	int allow_nonlocal;
	/* Paths, absolute after config_load(); the first two required. */
	char state_dir[CONFIG_PATH_MAX];
	char recipients_file[CONFIG_PATH_MAX];
	char templates_dir[CONFIG_PATH_MAX]; /* default "templates" */
	/* Sizes in bytes; none of the max_* is 0. */
	uint64_t max_file_size;	      /* default 500 MiB */
	uint64_t max_submission_size; /* whole request body; default 1 GiB */
	uint64_t max_message_size;    /* default 64 KiB */
	/* Counts, each at least 1. */
	unsigned max_files;   /* per submission; default 20; at most 1000 */
	unsigned max_uploads; /* concurrent uploads; default 64; <= 10000 */
	unsigned max_workers; /* concurrent strip+encrypt; default 2; <= 256 */
	/* Free space to keep in state_dir; default 1 GiB; 0: no check. */
	uint64_t min_free_disk;
	/* Default "en"; [a-z]{2,3}(-[A-Z]{2})?, e.g. en, ast, pt-BR. */
	char default_lang[16];
	/*
	 * A file whose type has no cleaner, or that the cleaner failed on:
	 * "uncleanable = store" (the default) or "refuse".
	 */
	enum config_uncleanable uncleanable;
	/* "keep_original = yes": beside every cleaned file, the original as
	 * uploaded is sealed too, as its own item. Default no. */
	int keep_original;
};

/*
 * Fill the struct with the defaults above. listen, state_dir and
 * recipients_file are left empty (they have no default); templates_dir
 * is the relative "templates" until config_load() resolves it.
 */
void config_defaults(struct config *);

/*
 * Read the file at path over the defaults: config_load() calls
 * config_defaults() itself, so a caller cannot forget to and start with
 * uninitialised caps. On success returns 0. On error returns -1, leaves
 * the struct as it was, and writes one sentence into err (if err is not
 * NULL): "FILE:LINE: what is wrong", or "FILE: what is wrong" for
 * problems of the whole file (unreadable, too large, a required key
 * missing). No memory is kept; nothing in the file is secret.
 */
int config_load(struct config *, const char *path, char *err, size_t errlen);

#endif
