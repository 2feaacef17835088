/*
 * postern-open — the journalists' offline tool, for the air-gapped
 * machine. It links libsodium and nothing else.
 *
 *   postern-open keygen [-o FILE]
 *   postern-open encrypt -r RECIPIENT [-r ...] [-R FILE] [-o OUT] [IN]
 *   postern-open decrypt -i IDENTITY_FILE [-i ...] [-o OUT] [IN]
 *
 * Exit status: 0 success, 1 failure (one line on stderr), 2 usage.
 * Output files are created new (never overwritten), mode 0600, written
 * beside their final name and renamed into place only when complete.
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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/keyfile.h"

#define EXIT_USAGE 2

static const char *progname = "postern-open";

/* The temporary output file, unlinked if a signal ends the program. */
static char tmp_path[PATH_MAX];

static void
usage(void)
{
	fprintf(stderr,
	    "usage: %s keygen [-o FILE]\n"
	    "       %s encrypt -r RECIPIENT [-r ...] [-R FILE] [-o OUT] [IN]\n"
	    "       %s decrypt -i IDENTITY_FILE [-i ...] [-o OUT] [IN]\n",
	    progname, progname, progname);
	exit(EXIT_USAGE);
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
on_signal(int sig)
{
	if (tmp_path[0] != '\0')
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Output: a new file beside the final name, linked into place on commit.
 * link() never replaces an existing file, so a race cannot overwrite one.
 */
struct output {
	const char *path; /* NULL: standard output */
	int fd;
};

static int
output_open(struct output *o, const char *path)
{
	struct stat sb;
	const char *slash;
	int n;

	o->path = (path == NULL || strcmp(path, "-") == 0) ? NULL : path;
	o->fd = STDOUT_FILENO;
	if (o->path == NULL)
		return 0;
	if (lstat(path, &sb) == 0) {
		fail("%s: already exists; not overwriting it", path);
		return -1;
	}
	slash = strrchr(path, '/');
	if (slash == NULL)
		n = snprintf(tmp_path, sizeof(tmp_path), ".%s.XXXXXX", path);
	else
		n = snprintf(tmp_path, sizeof(tmp_path), "%.*s/.%s.XXXXXX",
		    (int)(slash - path), path, slash + 1);
	if (n < 0 || (size_t)n >= sizeof(tmp_path)) {
		fail("%s: path too long", path);
		tmp_path[0] = '\0';
		return -1;
	}
	if ((o->fd = mkostemp(tmp_path, O_CLOEXEC)) < 0) {
		fail("%s: %s", path, strerror(errno));
		tmp_path[0] = '\0';
		return -1;
	}
	return 0;
}

static int
output_commit(struct output *o)
{
	int rc = -1;

	if (o->path == NULL)
		return 0;
	if (fsync(o->fd) != 0)
		fail("%s: %s", o->path, strerror(errno));
	else if (link(tmp_path, o->path) != 0)
		fail("%s: %s", o->path, errno == EEXIST ?
		    "already exists; not overwriting it" : strerror(errno));
	else
		rc = 0;
	close(o->fd);
	unlink(tmp_path);
	tmp_path[0] = '\0';
	return rc;
}

static void
output_abort(struct output *o)
{
	if (o->path == NULL)
		return;
	close(o->fd);
	unlink(tmp_path);
	tmp_path[0] = '\0';
}

static int
input_open(const char *path)
{
	int fd;

	if (path == NULL || strcmp(path, "-") == 0)
		return STDIN_FILENO;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		fail("%s: %s", path, strerror(errno));
	return fd;
}

static int
cmd_keygen(int argc, char **argv)
{
	struct age_identity *id = NULL;
	struct age_recipient *r = NULL;
	char rs[AGE_RECIPIENT_STRLEN + 1], when[32], *text = NULL;
	size_t textlen = 512;
	const char *out = NULL;
	time_t now = time(NULL);
	struct tm tm;
	int fd = -1, ch, n, rc = 1;

	while ((ch = getopt(argc, argv, "o:")) != -1) {
		if (ch == 'o')
			out = optarg;
		else
			usage();
	}
	if (optind != argc)
		usage();

	if (age_identity_generate(&id) != AGE_OK ||
	    (r = age_identity_recipient(id)) == NULL ||
	    age_recipient_format(r, rs, sizeof(rs)) != 0 ||
	    (text = sodium_malloc(textlen)) == NULL) {
		fail("could not generate a key: out of memory");
		goto out;
	}
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(text, textlen, "# created: %s\n# public key: %s\n",
	    when, rs);
	if (n < 0 || age_identity_format(id, text + n, textlen - (size_t)n -
	    1) != 0) {
		fail("could not format the key");
		goto out;
	}
	strcat(text, "\n");

	if (out == NULL)
		fd = STDOUT_FILENO;
	else if ((fd = open(out, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) < 0) {
		fail("%s: %s", out, errno == EEXIST ?
		    "already exists; not overwriting it" : strerror(errno));
		goto out;
	}
	if (age_sink_fd(&fd, (const uint8_t *)text, strlen(text)) != 0 ||
	    (out != NULL && fsync(fd) != 0)) {
		fail("%s: %s", out ? out : "standard output", strerror(errno));
		if (out != NULL)
			unlink(out);
		goto out;
	}
	fprintf(stderr, "Public key: %s\n", rs);
	rc = 0;
out:
	if (out != NULL && fd >= 0)
		close(fd);
	if (text != NULL)
		sodium_free(text);
	age_recipient_free(r);
	age_identity_free(id);
	return rc;
}

static int
cmd_encrypt(int argc, char **argv)
{
	struct keyfile_recipients rl = { NULL, 0 };
	struct age_recipient *r;
	struct output o;
	const char *out = NULL;
	char err[KEYFILE_ERRLEN];
	enum age_err e;
	int ch, in = -1, rc = 1;

	while ((ch = getopt(argc, argv, "r:R:o:")) != -1) {
		switch (ch) {
		case 'r':
			if ((e = age_recipient_parse(&r, optarg)) != AGE_OK) {
				fail("recipient \"%s\": %s", optarg,
				    age_strerror(e));
				goto out;
			}
			if (keyfile_add_recipient(&rl, r) != 0) {
				age_recipient_free(r);
				fail("out of memory");
				goto out;
			}
			break;
		case 'R':
			if (keyfile_read_recipients(&rl, optarg, err,
			    sizeof(err)) != 0) {
				fail("%s", err);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > 1 || rl.n == 0) {
		keyfile_recipients_clear(&rl);
		usage();
	}
	if (out == NULL && isatty(STDOUT_FILENO)) {
		fail("refusing to write binary output to a terminal; use -o");
		goto out;
	}
	if ((in = input_open(argv[optind])) < 0 || output_open(&o, out) != 0)
		goto out;
	e = age_encrypt_fd(in, rl.v, rl.n, age_sink_fd, &o.fd);
	if (e != AGE_OK) {
		fail("%s", e == AGE_ERR_SINK ? strerror(errno) :
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

static int
cmd_decrypt(int argc, char **argv)
{
	struct keyfile_identities il = { NULL, 0 };
	struct output o;
	const char *out = NULL, *inname;
	char err[KEYFILE_ERRLEN];
	enum age_err e;
	int ch, in = -1, rc = 1;

	while ((ch = getopt(argc, argv, "i:o:")) != -1) {
		switch (ch) {
		case 'i':
			if (keyfile_read_identities(&il, optarg, err,
			    sizeof(err)) != 0) {
				fail("%s", err);
				goto out;
			}
			break;
		case 'o':
			out = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind > 1 || il.n == 0) {
		keyfile_identities_clear(&il);
		usage();
	}
	inname = argv[optind] ? argv[optind] : "standard input";
	if ((in = input_open(argv[optind])) < 0 || output_open(&o, out) != 0)
		goto out;
	e = age_decrypt_fd(in, il.v, il.n, age_sink_fd, &o.fd);
	if (e != AGE_OK) {
		if (e == AGE_ERR_SINK)
			fail("%s: %s", out ? out : "standard output",
			    strerror(errno));
		else
			fail("%s: %s", inname, age_strerror(e));
		output_abort(&o);
		goto out;
	}
	if (output_commit(&o) == 0)
		rc = 0;
out:
	if (in > STDIN_FILENO)
		close(in);
	keyfile_identities_clear(&il);
	return rc;
}

int
main(int argc, char **argv)
{
	struct sigaction sa;

	if (sodium_init() < 0) {
		fail("libsodium failed to initialise");
		return 1;
	}
	umask(077);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);

	if (argc < 2)
		usage();
	argc--;
	argv++;
	if (strcmp(argv[0], "keygen") == 0)
		return cmd_keygen(argc, argv);
	if (strcmp(argv[0], "encrypt") == 0)
		return cmd_encrypt(argc, argv);
	if (strcmp(argv[0], "decrypt") == 0)
		return cmd_decrypt(argc, argv);
	if (strcmp(argv[0], "-h") == 0 || strcmp(argv[0], "--help") == 0)
		usage();
	fail("unknown command \"%s\"", argv[0]);
	usage();
	return EXIT_USAGE;
}
