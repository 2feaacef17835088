/*
 * passphrase.c — see passphrase.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/passphrase.h"

/*
 * The signals that would otherwise end or stop the process while the
 * terminal's echo is off (the way OpenBSD's readpassphrase handles them):
 * each is caught, the read stops, the terminal is restored, and then the
 * signal is raised again with its old disposition. The flag is the one
 * mutable global here: a signal handler can set nothing else.
 */
static const int tty_signals[] = { SIGALRM, SIGHUP, SIGINT, SIGPIPE,
	SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU };
#define NTTY_SIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))
static volatile sig_atomic_t caught;

static void
catch_signal(int sig)
{
	caught = sig;
}

/* Read one line from fd into buf (cap bytes incl. NUL). 0, or -1 with err. */
static int
read_line(int fd, char *buf, size_t cap, char *err, size_t errlen)
{
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		if ((r = read(fd, &c, 1)) < 0) {
			if (errno == EINTR && caught != 0) {
				snprintf(err, errlen, "interrupted");
				return -1;
			}
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "reading the passphrase: %s",
			    strerror(errno));
			return -1;
		}
		if (r == 0 || c == '\n')
			break;
		if (n + 1 >= cap) {
			snprintf(err, errlen, "the passphrase is longer than %d "
			    "bytes", PASSPHRASE_MAX);
			return -1;
		}
		buf[n++] = c;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	c = 0;
	if (n == 0) {
		snprintf(err, errlen, "the passphrase is empty");
		return -1;
	}
	return 0;
}

static void
catch_signals(struct sigaction *saved)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = catch_signal;	/* no SA_RESTART: read stops */
	caught = 0;
	for (i = 0; i < NTTY_SIGNALS; i++)
		sigaction(tty_signals[i], &sa, &saved[i]);
}

/* Put the old handlers back, then deliver what was caught. */
static void
release_signals(const struct sigaction *saved)
{
	size_t i;
	int sig = caught;

	for (i = 0; i < NTTY_SIGNALS; i++)
		sigaction(tty_signals[i], &saved[i], NULL);
	caught = 0;
	if (sig != 0)
		kill(getpid(), sig);
}

static int
read_tty(int tty, const char *prompt, char *buf, size_t cap, char *err,
    size_t errlen)
{
	struct sigaction saved[NTTY_SIGNALS];
	struct termios old, quiet;
	int rc;

	if (tcgetattr(tty, &old) != 0) {
		snprintf(err, errlen, "no terminal to ask for the passphrase "
		    "(use --passphrase-fd)");
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	catch_signals(saved);
	if (write(tty, prompt, strlen(prompt)) < 0 ||
	    tcsetattr(tty, TCSAFLUSH, &quiet) != 0) {
		snprintf(err, errlen, "cannot turn off terminal echo");
		tcsetattr(tty, TCSAFLUSH, &old);
		release_signals(saved);
		return -1;
	}
	rc = read_line(tty, buf, cap, err, errlen);
	tcsetattr(tty, TCSAFLUSH, &old);
	if (write(tty, "\n", 1) < 0)
		rc = -1;
	release_signals(saved);
	return rc;
}

char *
passphrase_read(const char *prompt, int fd, int confirm, char *err,
    size_t errlen)
{
	char *a, *b = NULL;
	int tty = -1;

	if ((a = sodium_malloc(PASSPHRASE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (fd >= 0) {
		if (read_line(fd, a, PASSPHRASE_MAX + 1, err, errlen) != 0)
			goto fail;
		return a;
	}
	if ((tty = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) < 0) {
		snprintf(err, errlen, "no terminal to ask for the passphrase "
		    "(use --passphrase-fd)");
		goto fail;
	}
	if (read_tty(tty, prompt, a, PASSPHRASE_MAX + 1, err, errlen) != 0)
		goto fail;
	if (confirm) {
		if ((b = sodium_malloc(PASSPHRASE_MAX + 1)) == NULL ||
		    read_tty(tty, "Confirm passphrase: ", b, PASSPHRASE_MAX + 1,
		    err, errlen) != 0)
			goto fail;
		if (strcmp(a, b) != 0) {
			snprintf(err, errlen, "the passphrases do not match");
			goto fail;
		}
		sodium_free(b);
	}
	close(tty);
	return a;
fail:
	if (tty >= 0)
		close(tty);
	if (b != NULL)
		sodium_free(b);
	sodium_free(a);
	return NULL;
}
