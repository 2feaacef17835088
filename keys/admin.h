/*
 * admin.h — what the parts of postern-admin share: the loaded config and
 * the paths under the state directory, error reporting, and the
 * interrupt flag.
 *
 *   postern-admin.c   main: global options, dispatch, config, helpers
 *   keys.c            keys add | list | retire (the recipients file)
 *   serverkey.c       server-key init | show (STATE/server.key)
 *   queue.c           queue status | export | ack | purge
 *
 * Each command is int fn(struct admin *, int argc, char **argv) with
 * argv[0] the verb: it parses its own options (usage() exits 2), then
 * calls admin_load() and returns 0 on success or 1 after one admin_fail().
 */
#ifndef POSTERN_ADMIN_H
#define POSTERN_ADMIN_H

#include <limits.h>

#include "postern/config.h"
#include "postern/sigkey.h"
#include "postern/store.h"

#define ADMIN_DEFAULT_CONFIG "/etc/postern/posternd.conf"

struct admin {
	const char *config_path;
	struct config cfg;
	char db[PATH_MAX];        /* STATE/postern.db */
	char spool[PATH_MAX];     /* STATE/spool */
	char server_key[PATH_MAX]; /* STATE/server.key */
};

/* Print the usage lines and exit 2. */
_Noreturn void admin_usage(void);

/* "postern-admin: " and the message, one line on stderr. */
void admin_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* "postern-admin: warning: " and the message, one line on stderr. */
void admin_warn(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* Read the config and work out the paths. 0, or -1 after admin_fail. */
int admin_load(struct admin *);

/*
 * Open the database for a command. If it does not exist yet (posternd
 * never ran) *out is NULL and 0 is returned: there is nothing stored, and
 * the admin does not create the file under posternd's feet. -1 after
 * admin_fail.
 */
int admin_store_open(struct admin *, struct store **out);

/* 1 once SIGINT, SIGTERM or SIGHUP arrived: long work stops and undoes
 * what it did. */
int admin_interrupted(void);

/* Parse a decimal count in 0..max; 0 or -1. */
int admin_parse_count(const char *s, long long max, long long *out);

/* keys.c */
int keys_add(struct admin *, int argc, char **argv);
int keys_list(struct admin *, int argc, char **argv);
int keys_retire(struct admin *, int argc, char **argv);

/* serverkey.c */
int serverkey_init(struct admin *, int argc, char **argv);
int serverkey_show(struct admin *, int argc, char **argv);
/* The signing key for an export; NULL after admin_fail (none: "run
 * postern-admin server-key init"). Free with sigkey_free. */
struct sigkey *serverkey_load(struct admin *);

/* queue.c */
int queue_status(struct admin *, int argc, char **argv);
int queue_export(struct admin *, int argc, char **argv);
int queue_ack(struct admin *, int argc, char **argv);
int queue_purge(struct admin *, int argc, char **argv);

#endif
