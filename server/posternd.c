/*
 * posternd — the source-facing intake server. See posternd.h for the
 * pipeline and README.md for its use.
 *
 *   posternd -c CONFIG [--check]
 *
 * Start-up: read the config, check there is at least one recipient,
 * prepare the state directory (tmp/, spool/, postern.db), delete what an
 * earlier run left unfinished, load templates, fork the strip broker
 * (broker.c: it loads libmagic's database and starts the sandboxed
 * stripper for each document) while this process has no other thread and
 * holds no upload, then serve until SIGINT or SIGTERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/keyfile.h"
#include "posternd.h"

/* Per connection: headers and read buffer. posternd answers headers over
 * HEADERS_MAX (http.c) with its own 431 page; past this pool, libmicrohttpd
 * answers with its own bare page. */
#define CONNECTION_MEMORY (48 * 1024)
#define CONNECTION_TIMEOUT 600         /* idle seconds (slow tor circuits) */
#define THREAD_STACK (1024 * 1024)
#define EXTRA_CONNECTIONS 32           /* page loads beside the uploads */

void
log_msg(const char *fmt, ...)
{
	va_list ap;

	fputs("posternd: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void
usage(void)
{
	fprintf(stderr, "usage: posternd -c CONFIG [--check]\n");
	exit(2);
}

/* No core dumps and no ptrace by other users' processes: memory may hold
 * plaintext while an upload is processed. */
static void
harden_process(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	umask(077);
	signal(SIGPIPE, SIG_IGN);
}

static int
count_recipients(const struct config *cfg, char *err, size_t errlen)
{
	struct keyfile_recipients rl = { NULL, 0 };
	int n;

	if (keyfile_read_recipients(&rl, cfg->recipients_file, err, errlen) != 0)
		return -1;
	n = (int)rl.n;
	keyfile_recipients_clear(&rl);
	return n;
}

static int
make_dir(const char *path)
{
	struct stat sb;

	if (mkdir(path, 0700) != 0 && errno != EEXIST)
		return -1;
	if (lstat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static int
prepare_state(struct server *srv, const struct config *cfg)
{
	char db[PATH_MAX], err[STORE_ERRLEN];

	if (snprintf(srv->tmp_dir, sizeof(srv->tmp_dir), "%s/tmp",
	    cfg->state_dir) >= (int)sizeof(srv->tmp_dir) ||
	    snprintf(srv->spool_dir, sizeof(srv->spool_dir), "%s/spool",
	    cfg->state_dir) >= (int)sizeof(srv->spool_dir) ||
	    snprintf(db, sizeof(db), "%s/postern.db", cfg->state_dir) >=
	    (int)sizeof(db)) {
		log_msg("%s: path too long", cfg->state_dir);
		return -1;
	}
	if (make_dir(cfg->state_dir) != 0 || make_dir(srv->tmp_dir) != 0 ||
	    make_dir(srv->spool_dir) != 0) {
		log_msg("%s: %s", cfg->state_dir, strerror(errno));
		return -1;
	}
	if (store_open(&srv->store, db, err, sizeof(err)) != 0) {
		log_msg("%s", err);
		return -1;
	}
	return pipeline_recover(srv);
}

/* A Unix socket for tor's HiddenServicePort, replacing a stale one. */
static int
listen_unix(const char *path)
{
	struct sockaddr_un sun;
	struct stat sb;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return -1;
	memcpy(sun.sun_path, path, strlen(path));
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			errno = EEXIST;
			return -1;
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return -1;
	/* The socket is for tor (same user or group): 0660. */
	umask(007);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0 ||
	    listen(fd, 128) != 0) {
		umask(077);
		close(fd);
		return -1;
	}
	umask(077);
	return fd;
}

static struct MHD_Daemon *
start_http(struct server *srv, const struct config *cfg)
{
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION |
	    MHD_USE_INTERNAL_POLLING_THREAD;
	unsigned limit = cfg->max_uploads + EXTRA_CONNECTIONS;
	int fd = -1;
	const struct sockaddr *sa;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (cfg->listen_unix) {
		if ((fd = listen_unix(cfg->listen_path)) < 0) {
			log_msg("%s: %s", cfg->listen_path, strerror(errno));
			return NULL;
		}
		sa = NULL;
	} else if (inet_pton(AF_INET, cfg->listen_host, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		sin.sin_port = htons((uint16_t)cfg->listen_port);
		sa = (const struct sockaddr *)&sin;
	} else if (inet_pton(AF_INET6, cfg->listen_host, &sin6.sin6_addr) ==
	    1) {
		sin6.sin6_family = AF_INET6;
		sin6.sin6_port = htons((uint16_t)cfg->listen_port);
		sa = (const struct sockaddr *)&sin6;
		flags |= MHD_USE_IPv6;
	} else {
		log_msg("listen: %s is not a numeric address", cfg->listen_host);
		return NULL;
	}
	if (fd >= 0)
		return MHD_start_daemon(flags, 0, NULL, NULL, http_handle, srv,
		    MHD_OPTION_LISTEN_SOCKET, fd,
		    MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
		    MHD_OPTION_CONNECTION_LIMIT, limit,
		    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
		    MHD_OPTION_END);
	return MHD_start_daemon(flags, (uint16_t)cfg->listen_port, NULL, NULL,
	    http_handle, srv,
	    MHD_OPTION_SOCK_ADDR, sa,
	    MHD_OPTION_NOTIFY_COMPLETED, http_completed, srv,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONNECTION_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
	    MHD_OPTION_CONNECTION_LIMIT, limit,
	    MHD_OPTION_THREAD_STACK_SIZE, (size_t)THREAD_STACK,
	    MHD_OPTION_END);
}

/* Check everything start-up would, without starting. */
static int
check_only(const struct config *cfg)
{
	char err[KEYFILE_ERRLEN > 512 ? KEYFILE_ERRLEN : 512];
	struct template_set *tpl;
	int n;

	if ((n = count_recipients(cfg, err, sizeof(err))) < 0) {
		log_msg("%s", err);
		return 1;
	}
	if ((tpl = template_load(cfg->templates_dir, err, sizeof(err))) == NULL) {
		log_msg("%s", err);
		return 1;
	}
	if (!template_has_lang(tpl, cfg->default_lang)) {
		log_msg("default_lang %s: no templates for it in %s",
		    cfg->default_lang, cfg->templates_dir);
		template_free(tpl);
		return 1;
	}
	template_free(tpl);
	printf("config OK: %d recipient%s\n", n, n == 1 ? "" : "s");
	return 0;
}

/* Everything the server needs before it listens. */
static int
server_init(struct server *srv, const struct config *cfg)
{
	char err[CONFIG_ERRLEN];

	memset(srv, 0, sizeof(*srv));
	srv->cfg = cfg;
	srv->broker_fd = -1;
	pthread_mutex_init(&srv->broker_mu, NULL);
	sem_init(&srv->workers, 0, cfg->max_workers);
	atomic_init(&srv->uploads, 0);
	/* First: before libmicrohttpd starts a thread, before any upload,
	 * and before the database and the form-token key exist, so the
	 * broker inherits no lock another thread holds, no source's
	 * plaintext or key, and as little else as can be. */
	if (broker_start(srv) != 0)
		return -1;
	if ((srv->tpl = template_load(cfg->templates_dir, err, sizeof(err))) ==
	    NULL) {
		log_msg("%s", err);
		return -1;
	}
	if (!template_has_lang(srv->tpl, cfg->default_lang)) {
		log_msg("default_lang %s: no templates for it", cfg->default_lang);
		return -1;
	}
	if (prepare_state(srv, cfg) != 0)
		return -1;
	if ((srv->csrf = csrf_new(CSRF_LIFETIME)) == NULL) {
		log_msg("out of memory");
		return -1;
	}
	return 0;
}

static void
server_free(struct server *srv)
{
	broker_stop(srv);
	csrf_free(srv->csrf);
	store_close(srv->store);
	template_free(srv->tpl);
	sem_destroy(&srv->workers);
	pthread_mutex_destroy(&srv->broker_mu);
}

/* Serve until SIGINT or SIGTERM. */
static int
serve(struct server *srv, const struct config *cfg, int nrecipients)
{
	struct MHD_Daemon *d;
	sigset_t sigs;
	int sig;

	/* Block the signals before the server's threads start, so that
	 * they inherit the mask and sigwait below receives them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if ((d = start_http(srv, cfg)) == NULL) {
		log_msg("cannot start the HTTP server");
		return -1;
	}
	if (cfg->listen_unix)
		log_msg("listening on unix:%s, %d recipient%s",
		    cfg->listen_path, nrecipients, nrecipients == 1 ? "" : "s");
	else
		log_msg("listening on %s:%d, %d recipient%s", cfg->listen_host,
		    cfg->listen_port, nrecipients, nrecipients == 1 ? "" : "s");
	sigwait(&sigs, &sig);
	log_msg("stopping (signal %d)", sig);
	MHD_stop_daemon(d);
	if (cfg->listen_unix)
		unlink(cfg->listen_path);
	return 0;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct config cfg;
	struct server srv;
	const char *path = NULL;
	char err[CONFIG_ERRLEN];
	int ch, check = 0, rc = 1, n;

	while ((ch = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		if (ch == 'c')
			path = optarg;
		else if (ch == 'k')
			check = 1;
		else
			usage();
	}
	if (path == NULL || optind != argc)
		usage();
	harden_process();
	if (sodium_init() < 0) {
		log_msg("libsodium failed to initialise");
		return 1;
	}
	config_defaults(&cfg);
	if (config_load(&cfg, path, err, sizeof(err)) != 0) {
		log_msg("%s", err);
		return 1;
	}
	if (check)
		return check_only(&cfg);
	if ((n = count_recipients(&cfg, err, sizeof(err))) < 0) {
		log_msg("%s", err);
		log_msg("refusing to start without a recipient: nothing could "
		    "be encrypted");
		return 1;
	}
	if (server_init(&srv, &cfg) == 0 && serve(&srv, &cfg, n) == 0)
		rc = 0;
	server_free(&srv);
	return rc;
}
