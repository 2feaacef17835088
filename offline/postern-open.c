/*
 * postern-open — the journalists' offline tool, for the air-gapped
 * machine. It links libsodium and jansson, nothing else.
 *
 *   postern-open keygen [-o FILE] [--passphrase-fd N] [--unprotected]
 *   postern-open encrypt -r RECIPIENT [-r ...] [-R FILE] [-o OUT] [IN]
 *   postern-open decrypt -i IDENTITY_FILE [-i ...] [--passphrase-fd N]
 *                        [-o OUT] [IN]
 *   postern-open trust SERVERKEY [--trust-file FILE] [--replace]
 *   postern-open import BUNDLE -i IDENTITY_FILE [-i ...] -o OUTDIR
 *                       [--trust-file FILE] [--passphrase-fd N]
 *
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage.
 * Output files are created new (never overwritten), mode 0600, written
 * beside their final name and renamed into place only when complete.
 * Passphrases come from the terminal or a file descriptor, never from
 * argv or the environment.
 *
 * This file: main, the dispatch, encrypt and decrypt.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/keyfile.h"
#include "postern-open.h"

static const char *progname = "postern-open";

int
open_usage(void)
{
	fprintf(stderr,
	    "usage: %s keygen [-o FILE] [--passphrase-fd N] [--unprotected]\n"
	    "       %s encrypt -r RECIPIENT [-r ...] [-R FILE] [-o OUT] [IN]\n"
	    "       %s decrypt -i IDENTITY_FILE [-i ...] [--passphrase-fd N] "
	    "[-o OUT] [IN]\n"
	    "       %s trust SERVERKEY [--trust-file FILE] [--replace]\n"
	    "       %s import BUNDLE -i IDENTITY_FILE [-i ...] -o OUTDIR "
	    "[--trust-file FILE] [--passphrase-fd N]\n",
	    progname, progname, progname, progname, progname);
	return OPEN_EXIT_USAGE;
}

void
open_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
open_parse_fd(const char *s, int *fd, char *err, size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v > INT_MAX) {
		snprintf(err, errlen, "--passphrase-fd \"%s\": not a file "
		    "descriptor number", s);
		return -1;
	}
	if (fcntl((int)v, F_GETFD) < 0) {
		snprintf(err, errlen, "--passphrase-fd %ld: that descriptor is "
		    "not open", v);
		return -1;
	}
	*fd = (int)v;
	return 0;
}

int
open_getopt(int argc, char **argv, const char *opts,
    const struct option *longopts, char **pos, size_t npos, size_t *n)
{
	int ch;

	for (;;) {
		if ((ch = getopt_long(argc, argv, opts, longopts, NULL)) != -1)
			return ch;
		if (optind >= argc)
			return -1;
		if (*n == npos)
			return '?';
		pos[(*n)++] = argv[optind++];
	}
}

static void
on_signal(int sig)
{
	output_signal_cleanup();
	/* An import being written cleans up its folder, then re-raises. */
	if (unpack_interrupt(sig))
		return;
	signal(sig, SIG_DFL);
	raise(sig);
}

static int
input_open(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		open_fail("%s: %s", path, strerror(errno));
	return fd;
}

static int
cmd_encrypt(int argc, char **argv)
{
	static const struct option lo[] = { { NULL, 0, NULL, 0 } };
	struct keyfile_recipients rl = { NULL, 0 };
	struct age_recipient *r;
	struct output o;
	const char *out = NULL;
	char err[KEYFILE_ERRLEN], *pos[1] = { NULL };
	enum age_err e;
	size_t npos = 0;
	int ch, in = -1, rc = 1;

	while ((ch = open_getopt(argc, argv, "+r:R:o:", lo, pos, 1,
	    &npos)) != -1) {
		switch (ch) {
		case 'r':
			if ((e = age_recipient_parse(&r, optarg)) != AGE_OK) {
				open_fail("recipient \"%s\": %s", optarg,
				    age_strerror(e));
				goto out;
			}
			if (keyfile_add_recipient(&rl, r) != 0) {
				age_recipient_free(r);
				open_fail("out of memory");
				goto out;
			}
			break;
		case 'R':
			if (keyfile_read_recipients(&rl, optarg, err,
			    sizeof(err)) != 0) {
				open_fail("%s", err);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		default:
			rc = open_usage();
			goto out;
		}
	}
	if (rl.n == 0) {
		rc = open_usage();
		goto out;
	}
	if (out == NULL && isatty(STDOUT_FILENO)) {
		open_fail("refusing to write binary output to a terminal; use -o");
		goto out;
	}
	if ((in = input_open(pos[0])) < 0 || output_open(&o, out, 0) != 0)
		goto out;
	e = age_encrypt_fd(in, rl.v, rl.n, age_sink_fd, &o.fd);
	if (e != AGE_OK) {
		open_fail("%s", e == AGE_ERR_SINK ? strerror(errno) :
		    age_strerror(e));
		output_abort(&o);
		goto out;
	}
	if (output_commit(&o) == 0)
		rc = 0;
out:
	if (in > STDIN_FILENO)
		close(in);
	keyfile_recipients_clear(&rl);
	return rc;
}

/* Options shared by decrypt: -i files are loaded once all are parsed, so
 * --passphrase-fd may come anywhere. */
static int
cmd_decrypt(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	struct keyfile_identities il = { NULL, 0 };
	struct output o;
	const char *out = NULL, *inname, **ipaths = NULL;
	char err[OPEN_ERRLEN], *pos[1] = { NULL };
	enum age_err e;
	size_t npos = 0, ni = 0, i;
	int ch, in = -1, passfd = -1, rc = 1;

	if ((ipaths = calloc((size_t)argc, sizeof(*ipaths))) == NULL) {
		open_fail("out of memory");
		return 1;
	}
	while ((ch = open_getopt(argc, argv, "+i:o:", lo, pos, 1,
	    &npos)) != -1) {
		switch (ch) {
		case 'i':
			ipaths[ni++] = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'P':
			if (open_parse_fd(optarg, &passfd, err,
			    sizeof(err)) != 0) {
				open_fail("%s", err);
				rc = OPEN_EXIT_USAGE;
				goto out;
			}
			break;
		default:
			rc = open_usage();
			goto out;
		}
	}
	if (ni == 0) {
		rc = open_usage();
		goto out;
	}
	for (i = 0; i < ni; i++)
		if (identity_load(&il, ipaths[i], passfd, err,
		    sizeof(err)) != 0) {
			open_fail("%s", err);
			goto out;
		}
	inname = pos[0] ? pos[0] : "standard input";
	if ((in = input_open(pos[0])) < 0 || output_open(&o, out, 0) != 0)
		goto out;
	e = age_decrypt_fd(in, il.v, il.n, age_sink_fd, &o.fd);
	if (e != AGE_OK) {
		if (e == AGE_ERR_SINK)
			open_fail("%s: %s", out ? out : "standard output",
			    strerror(errno));
		else
			open_fail("%s: %s", inname, age_strerror(e));
		output_abort(&o);
		goto out;
	}
	if (output_commit(&o) == 0)
		rc = 0;
out:
	if (in > STDIN_FILENO)
		close(in);
	keyfile_identities_clear(&il);
	free(ipaths);
	return rc;
}

int
main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "keygen", keygen_main },
		{ "encrypt", cmd_encrypt },
		{ "decrypt", cmd_decrypt },
		{ "trust", trust_main },
		{ "import", import_main },
	};
	struct rlimit no_core = { 0, 0 };
	struct sigaction sa;
	size_t i;

	if (sodium_init() < 0) {
		open_fail("libsodium failed to initialise");
		return 1;
	}
	/* Keys and plaintext must never land in a core dump. */
	setrlimit(RLIMIT_CORE, &no_core);
	umask(077);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	if (argc < 2)
		return open_usage();
	argc--;
	argv++;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[0], cmds[i].name) == 0)
			return cmds[i].fn(argc, argv);
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)
		return open_usage();
	open_fail("unknown command \"%s\"", argv[0]);
	return open_usage();
}
