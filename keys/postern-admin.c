/*
 * postern-admin — the admin's tool on the intake server: journalist keys,
 * the server's signing key, and the queue. It never holds a key that
 * decrypts a submission.
 *
 *   postern-admin [-c CONFIG] keys add FILE|age1... [-y]
 *   postern-admin [-c CONFIG] keys list
 *   postern-admin [-c CONFIG] keys retire KEYID
 *   postern-admin [-c CONFIG] server-key init | show
 *   postern-admin [-c CONFIG] queue status
 *   postern-admin [-c CONFIG] queue export DIR [--all]
 *   postern-admin [-c CONFIG] queue ack RECEIPT
 *   postern-admin [-c CONFIG] queue purge [--older-than DAYS] [--force]
 *
 * CONFIG is posternd's own file (default /etc/postern/posternd.conf).
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "admin.h"

#define EXIT_USAGE 2

static const char *progname = "postern-admin";

/* Set by the signal handler; read between steps of long work. */
static volatile sig_atomic_t interrupted;

static const struct command {
	const char *group, *verb;
	int (*fn)(struct admin *, int, char **);
} commands[] = {
	{ "keys", "add", keys_add },
	{ "keys", "list", keys_list },
	{ "keys", "retire", keys_retire },
	{ "server-key", "init", serverkey_init },
	{ "server-key", "show", serverkey_show },
	{ "queue", "status", queue_status },
	{ "queue", "export", queue_export },
	{ "queue", "ack", queue_ack },
	{ "queue", "purge", queue_purge },
};

_Noreturn void
admin_usage(void)
{
	static const char *const lines[] = {
		"keys add FILE|age1... [-y]",
		"keys list",
		"keys retire KEYID",
		"server-key init",
		"server-key show",
		"queue status",
		"queue export DIR [--all]",
		"queue ack RECEIPT",
		"queue purge [--older-than DAYS] [--force]",
	};
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		fprintf(stderr, "%s %s [-c CONFIG] %s\n", i == 0 ? "usage:" :
		    "      ", progname, lines[i]);
	exit(EXIT_USAGE);
}

static void
vmsg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", progname, prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
admin_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void
admin_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

int
admin_interrupted(void)
{
	return interrupted != 0;
}

int
admin_parse_count(const char *s, long long max, long long *out)
{
	long long v = 0;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s))
		return -1;
	for (; *s != '\0'; s++) {
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static int
path_in_state(const struct admin *a, char *buf, size_t len, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", a->cfg.state_dir, name);

	if (n < 0 || (size_t)n >= len) {
		admin_fail("%s: path too long", a->cfg.state_dir);
		return -1;
	}
	return 0;
}

int
admin_load(struct admin *a)
{
	char err[CONFIG_ERRLEN];

	if (config_load(&a->cfg, a->config_path, err, sizeof(err)) != 0) {
		admin_fail("%s", err);
		return -1;
	}
	if (path_in_state(a, a->db, sizeof(a->db), "postern.db") != 0 ||
	    path_in_state(a, a->spool, sizeof(a->spool), "spool") != 0 ||
	    path_in_state(a, a->server_key, sizeof(a->server_key),
	    "server.key") != 0)
		return -1;
	return 0;
}

int
admin_store_open(struct admin *a, struct store **out)
{
	char err[STORE_ERRLEN];
	struct stat sb;

	*out = NULL;
	if (lstat(a->db, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		admin_fail("%s: %s", a->db, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		admin_fail("%s: not a regular file", a->db);
		return -1;
	}
	if (store_open(out, a->db, err, sizeof(err)) != 0) {
		admin_fail("%s", err);
		return -1;
	}
	return 0;
}

static void
on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

/* No core dumps (the server key passes through memory); signals only
 * set a flag, so a command can undo its half-done work and say so. */
static void
harden(void)
{
	struct rlimit rl = { 0, 0 };
	struct sigaction sa;

	setrlimit(RLIMIT_CORE, &rl);
	umask(077);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
main(int argc, char **argv)
{
	struct admin a;
	char name[64];
	size_t i;
	int ch, known = 0;

	memset(&a, 0, sizeof(a));
	a.config_path = ADMIN_DEFAULT_CONFIG;
	/* '+': stop at the first word, which belongs to the subcommand. */
	while ((ch = getopt(argc, argv, "+c:h")) != -1) {
		if (ch == 'c')
			a.config_path = optarg;
		else
			admin_usage();
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		admin_usage();
	if (sodium_init() < 0) {
		admin_fail("libsodium failed to initialise");
		return 1;
	}
	harden();
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[0], commands[i].group) != 0)
			continue;
		known = 1;
		if (strcmp(argv[1], commands[i].verb) == 0) {
			/* getopt's own messages then name the command. */
			snprintf(name, sizeof(name), "%s %s %s", progname,
			    commands[i].group, commands[i].verb);
			argv[1] = name;
			optind = 0; /* GNU getopt: start afresh, permute */
			return commands[i].fn(&a, argc - 1, argv + 1);
		}
	}
	if (known)
		admin_fail("unknown command \"%s %s\"", argv[0], argv[1]);
	else
		admin_fail("unknown command \"%s\"", argv[0]);
	admin_usage();
}
