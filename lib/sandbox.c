/*
 * sandbox.c — a forked, rlimited, seccomp-filtered child for parsing
 * untrusted documents. See sandbox.h.
 *
 * Channels. Input goes over one end of an AF_UNIX socketpair, written
 * with send(MSG_NOSIGNAL | MSG_DONTWAIT): a child that dies mid-feed gives
 * EPIPE, never a SIGPIPE in the daemon, and no process-wide signal
 * disposition is touched. Output and report come back on two pipes whose
 * read ends are non-blocking. The parent waits with poll() on the three of
 * them and on a pidfd, always with the watchdog's time left as timeout, so
 * it never blocks for longer than the wall limit whatever the child does;
 * the child is always reaped (sandbox_finish and sandbox_abort wait for it
 * after SIGKILL, which an unprivileged child stuck in a pipe read or write
 * cannot outlive).
 *
 * Why the allow-list holds mprotect and the child raises malloc's trim
 * threshold: posternd forks from worker threads, and a thread's glibc
 * malloc arena grows with mprotect(PROT_READ | PROT_WRITE) and shrinks
 * with madvise(MADV_DONTNEED) after an openat of
 * /proc/sys/vm/overcommit_memory. mprotect is allowed only without
 * PROT_EXEC; with M_TRIM_THRESHOLD at its maximum the heap never shrinks,
 * so neither madvise nor openat is needed (a child forked from the main
 * thread uses brk and needs neither). tests/unit/test_sandbox.c forks from
 * a thread to keep this true.
 */
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <seccomp.h>
#include <sodium.h>

#include "postern/sandbox.h"

/* Output is read up to CHUNK bytes at a time; the output pipe and the
 * input socket ask for PIPE_BYTES of buffer. */
#define CHUNK 65536
#define PIPE_BYTES (1 << 20)

/* In sodium_malloc memory: buf and report hold document bytes. */
struct sandbox {
	pid_t pid; /* -1 once reaped */
	int pidfd;
	int in, out, rep; /* the parent's ends; -1 once closed */
	int exited;	  /* the pidfd said the child has ended */
	int killed;	  /* we sent SIGKILL */
	int stopped;	  /* the parent decided the outcome (fate) */
	enum sandbox_outcome fate;
	int fate_code;
	int feed_errno; /* what sandbox_feed returns from now on */
	struct timespec deadline;
	uint64_t out_max, out_bytes;
	sandbox_sink_fn sink;
	void *sink_arg;
	size_t report_len;
	char report[SANDBOX_REPORT_MAX + 1];
	uint8_t buf[CHUNK];
};

/* What the child needs, on the forking thread's stack. */
struct child {
	const struct sandbox_limits *lim;
	sandbox_prep_fn prep;
	sandbox_fn fn;
	void *arg;
	int in, out, rep; /* the child's ends, wherever they were opened */
	pid_t ppid;
	unsigned wall;
};

/* ---- the child ------------------------------------------------------- */

static void
put(int fd, const char *s)
{
	ssize_t r = write(fd, s, strlen(s));

	(void)r; /* best effort: the exit status says it failed anyway */
}

/* The exit_group system call itself: no atexit handler, no stdio flush
 * (the parent's buffers are inherited), and no sanitizer exit hook (a
 * leak check needs system calls the filter forbids). */
static _Noreturn void
child_exit(int status)
{
	(void)syscall(SYS_exit_group, status);
	_exit(status); /* not reached */
}

/* One line on the report, then exit: fn never runs. */
static _Noreturn void
child_fail(int rep, const char *step)
{
	char num[16];
	int e = errno, i = (int)sizeof(num) - 1;

	num[i] = '\0';
	do
		num[--i] = (char)('0' + e % 10);
	while ((e /= 10) > 0 && i > 0);
	put(rep, "sandbox: setup failed: ");
	put(rep, step);
	put(rep, " (errno ");
	put(rep, num + i);
	put(rep, ")\n");
	child_exit(SANDBOX_EXIT_SETUP);
}

/* Handlers would need rt_sigreturn; a blocked SIGXCPU or SIGALRM would
 * defeat the limits. Start from the defaults, nothing blocked. */
static void
reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL); /* EINVAL for KILL, STOP, … */
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The address space inherited at fork, from /proc/self/statm. */
static int
inherited_vsz(uint64_t *vsz)
{
	char b[64];
	ssize_t n;
	uint64_t pages = 0;
	int fd, i;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	if (n <= 0 || b[0] < '0' || b[0] > '9') {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < n && b[i] >= '0' && b[i] <= '9'; i++)
		pages = pages * 10 + (uint64_t)(b[i] - '0');
	*vsz = pages * (uint64_t)sysconf(_SC_PAGESIZE);
	return 0;
}

/* 0, 1, 2: /dev/null; then in, out, rep; nothing else. The pipes are first
 * copied above every target so that no dup2 overwrites a source. */
static int
arrange_fds(const struct child *c)
{
	int src[3] = { c->in, c->out, c->rep };
	int dst[3] = { SANDBOX_FD_IN, SANDBOX_FD_OUT, SANDBOX_FD_REP };
	int hi[3], nul, i;

	for (i = 0; i < 3; i++)
		if ((hi[i] = fcntl(src[i], F_DUPFD, SANDBOX_FD_REP + 1)) < 0)
			return -1;
	if ((nul = open("/dev/null", O_RDWR)) < 0)
		return -1;
	for (i = 0; i < 3; i++)
		if (nul != i && dup2(nul, i) < 0)
			return -1;
	for (i = 0; i < 3; i++)
		if (dup2(hi[i], dst[i]) < 0)
			return -1;
	return close_range(SANDBOX_FD_REP + 1, ~0U, 0);
}

static int
limit(int resource, uint64_t soft, uint64_t hard)
{
	struct rlimit r;

	r.rlim_cur = (rlim_t)soft;
	r.rlim_max = (rlim_t)hard;
	return setrlimit(resource, &r);
}

static int
set_limits(const struct sandbox_limits *lim, uint64_t vsz)
{
	uint64_t as = vsz + lim->mem_bytes;

	if (as < vsz || as >= (uint64_t)RLIM_INFINITY)
		as = (uint64_t)RLIM_INFINITY - 1;
	/* CPU: SIGXCPU at the soft limit, SIGKILL a second later. */
	if (limit(RLIMIT_AS, as, as) != 0 ||
	    limit(RLIMIT_CPU, lim->cpu_seconds, lim->cpu_seconds + 1) != 0 ||
	    limit(RLIMIT_FSIZE, 0, 0) != 0 ||
	    limit(RLIMIT_NOFILE, SANDBOX_FD_REP + 2, SANDBOX_FD_REP + 2) != 0 ||
	    limit(RLIMIT_NPROC, 0, 0) != 0 || limit(RLIMIT_CORE, 0, 0) != 0 ||
	    limit(RLIMIT_MEMLOCK, 0, 0) != 0)
		return -1;
	return 0;
}

/* Process flags, and the child's own watchdog. Exits on failure. */
static void
lock_down(const struct child *c)
{
	int pers;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		child_fail(SANDBOX_FD_REP, "PR_SET_NO_NEW_PRIVS");
	/* Not dumpable: no core dump even through a core_pattern pipe
	 * (which ignores RLIMIT_CORE), no ptrace, no /proc/PID/mem. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		child_fail(SANDBOX_FD_REP, "PR_SET_DUMPABLE");
	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0)
		child_fail(SANDBOX_FD_REP, "PR_SET_PDEATHSIG");
	if (getppid() != c->ppid) { /* the parent died before PDEATHSIG */
		errno = ESRCH;
		child_fail(SANDBOX_FD_REP, "checking the parent");
	}
	/* READ_IMPLIES_EXEC would make every PROT_READ mapping executable. */
	if ((pers = personality(0xffffffff)) < 0 ||
	    ((pers & READ_IMPLIES_EXEC) &&
		personality((unsigned long)pers &
		    ~(unsigned long)READ_IMPLIES_EXEC) < 0))
		child_fail(SANDBOX_FD_REP, "personality");
	(void)alarm(c->wall); /* SIGALRM kills it at the wall limit */
	/* Never trim (see the top of this file). Best effort: where it
	 * fails (a malloc that is not glibc's, as under ASan) a shrinking
	 * heap can only kill the child, which fails closed. */
	(void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
}

/* "Argument 0 is this descriptor", all 64 bits of it (the kernel would
 * truncate a larger value to an int). */
static struct scmp_arg_cmp
fd_is(int fd)
{
	struct scmp_arg_cmp c;

	memset(&c, 0, sizeof(c));
	c.arg = 0;
	c.op = SCMP_CMP_EQ;
	c.datum_a = (scmp_datum_t)fd;
	return c;
}

/* The allow-list; anything else, or another architecture's system call
 * (int $0x80, x32), kills the process. */
static scmp_filter_ctx
build_filter(void)
{
	scmp_filter_ctx f;
	int rc;

	if ((f = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
#define ALLOW(name, n, ...) \
	seccomp_rule_add(f, SCMP_ACT_ALLOW, SCMP_SYS(name), n, ##__VA_ARGS__)
	rc =
	    seccomp_attr_set(f, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (rc == 0)
		rc = ALLOW(read, 1, fd_is(SANDBOX_FD_IN));
	if (rc == 0)
		rc = ALLOW(write, 1, fd_is(SANDBOX_FD_OUT));
	if (rc == 0)
		rc = ALLOW(write, 1, fd_is(SANDBOX_FD_REP));
	if (rc == 0)
		rc = ALLOW(mmap, 2, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0),
		    SCMP_A3(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS, MAP_ANONYMOUS));
	if (rc == 0)
		rc = ALLOW(
		    mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	if (rc == 0)
		rc = ALLOW(brk, 0);
	if (rc == 0)
		rc = ALLOW(munmap, 0);
	if (rc == 0)
		rc = ALLOW(mremap, 0);
	if (rc == 0)
		rc = ALLOW(getrandom, 0);
	if (rc == 0)
		rc = ALLOW(exit, 0);
	if (rc == 0)
		rc = ALLOW(exit_group, 0);
#if defined(__SANITIZE_ADDRESS__)
	/* Only in the AddressSanitizer build (make check-asan): its
	 * allocator advises the kernel about huge pages and releases shadow
	 * memory with madvise, and on every C++ throw it asks sigaltstack
	 * where the signal stack is. Neither can open, send or run
	 * anything; release builds never allow them. */
	if (rc == 0)
		rc = ALLOW(madvise, 0);
	if (rc == 0)
		rc = ALLOW(sigaltstack, 0);
#endif
#undef ALLOW
	if (rc != 0) {
		seccomp_release(f);
		errno = -rc;
		return NULL;
	}
	return f;
}

static _Noreturn void
child_run(const struct child *c)
{
	scmp_filter_ctx f;
	uint64_t vsz;
	int rc;

	reset_signals();
	if (inherited_vsz(&vsz) != 0)
		child_fail(c->rep, "reading /proc/self/statm");
	if (arrange_fds(c) != 0)
		child_fail(c->rep, "arranging descriptors");
	if (set_limits(c->lim, vsz) != 0)
		child_fail(SANDBOX_FD_REP, "setting rlimits");
	lock_down(c);
	if ((f = build_filter()) == NULL)
		child_fail(SANDBOX_FD_REP, "building the seccomp filter");
	if (c->prep != NULL)
		c->prep(c->arg);
	if ((rc = seccomp_load(f)) != 0) {
		errno = -rc;
		child_fail(SANDBOX_FD_REP, "loading the seccomp filter");
	}
	/* f is not released: the process ends soon, and free() is the one
	 * thing not worth risking here. */
	rc = c->fn(SANDBOX_FD_IN, SANDBOX_FD_OUT, SANDBOX_FD_REP, c->arg);
	child_exit(rc == 0 ? 0 : 1);
}

/* ---- the parent ------------------------------------------------------ */

static void
close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Milliseconds to the deadline, rounded up; 0 once it has passed. */
static int
ms_left(const struct sandbox *sb)
{
	struct timespec now;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (int64_t)(sb->deadline.tv_sec - now.tv_sec) * 1000000000 +
	    (sb->deadline.tv_nsec - now.tv_nsec);
	if (ns <= 0)
		return 0;
	if (ns / 1000000 >= INT_MAX)
		return INT_MAX;
	return (int)((ns + 999999) / 1000000);
}

static int
outcome_errno(enum sandbox_outcome fate, int code)
{
	switch (fate) {
	case SANDBOX_TIMEOUT:
		return ETIMEDOUT;
	case SANDBOX_TOO_BIG:
		return EFBIG;
	default:
		return code != 0 ? code : EIO;
	}
}

/* The parent has decided the run failed: record why (the first reason
 * wins), kill the child, stop listening to it. Sets errno for the caller. */
static void
stop(struct sandbox *sb, enum sandbox_outcome fate, int code)
{
	if (!sb->stopped) {
		sb->stopped = 1;
		sb->fate = fate;
		sb->fate_code = code;
		sb->feed_errno = outcome_errno(fate, code);
	}
	if (!sb->killed && sb->pid > 0) {
		(void)kill(sb->pid, SIGKILL); /* not reaped yet: still ours */
		sb->killed = 1;
	}
	close_fd(&sb->in);
	close_fd(&sb->out);
	close_fd(&sb->rep);
	errno = sb->feed_errno;
}

/* Read once from the output pipe into the sink. 1: nothing there now;
 * 0: progress or EOF; -1: the run stopped. */
static int
drain_out(struct sandbox *sb)
{
	ssize_t n;
	int rc, e;

	if ((n = read(sb->out, sb->buf, sizeof(sb->buf))) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 1;
		stop(sb, SANDBOX_ERROR, errno);
		return -1;
	}
	if (n == 0) {
		close_fd(&sb->out);
		return 0;
	}
	if ((uint64_t)n > sb->out_max - sb->out_bytes) {
		sodium_memzero(sb->buf, (size_t)n);
		stop(sb, SANDBOX_TOO_BIG, SANDBOX_TOO_BIG_OUTPUT);
		return -1;
	}
	errno = 0;
	rc = sb->sink(sb->sink_arg, sb->buf, (size_t)n);
	e = errno != 0 ? errno : ECANCELED;
	sodium_memzero(sb->buf, (size_t)n);
	if (rc != 0) {
		stop(sb, SANDBOX_ERROR, e);
		return -1;
	}
	sb->out_bytes += (uint64_t)n;
	return 0;
}

/* The same for the report, which is kept (one byte of room past the cap
 * tells an over-long report). */
static int
drain_rep(struct sandbox *sb)
{
	ssize_t n;

	n = read(sb->rep, sb->report + sb->report_len,
	    sizeof(sb->report) - sb->report_len);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 1;
		stop(sb, SANDBOX_ERROR, errno);
		return -1;
	}
	if (n == 0) {
		close_fd(&sb->rep);
		return 0;
	}
	sb->report_len += (size_t)n;
	if (sb->report_len > SANDBOX_REPORT_MAX) {
		sb->report_len = SANDBOX_REPORT_MAX;
		stop(sb, SANDBOX_TOO_BIG, SANDBOX_TOO_BIG_REPORT);
		return -1;
	}
	return 0;
}

/*
 * One round: wait (at most until the watchdog) for room on the input (if
 * want_in), bytes on the output or report, or the child's end; drain what
 * is readable. *writable: the input can take bytes (or has failed: send
 * will say). -1 with errno when the run has stopped.
 */
static int
step(struct sandbox *sb, int want_in, int *writable)
{
	struct pollfd pf[4];
	int ms;

	*writable = 0;
	if ((ms = ms_left(sb)) == 0) {
		stop(sb, SANDBOX_TIMEOUT, SIGKILL);
		return -1;
	}
	pf[0].fd = want_in ? sb->in : -1;
	pf[0].events = POLLOUT;
	pf[1].fd = sb->out;
	pf[1].events = POLLIN;
	pf[2].fd = sb->rep;
	pf[2].events = POLLIN;
	pf[3].fd = sb->exited ? -1 : sb->pidfd;
	pf[3].events = POLLIN;
	if (poll(pf, 4, ms) < 0) {
		if (errno == EINTR)
			return 0;
		stop(sb, SANDBOX_ERROR, errno);
		return -1;
	}
	if (pf[1].revents != 0 && drain_out(sb) < 0)
		return -1;
	if (pf[2].revents != 0 && drain_rep(sb) < 0)
		return -1;
	if (pf[3].revents != 0)
		sb->exited = 1;
	*writable = pf[0].revents != 0;
	return 0;
}

/* Kill the child unless it has ended, and reap it; *status gets its wait
 * status. -1 with errno if it could not be reaped (someone else did:
 * SIGCHLD ignored, or a waitpid(-1) elsewhere in the process). */
static int
reap(struct sandbox *sb, int *status)
{
	int rc = 0;

	*status = 0;
	if (sb->pid > 0) {
		if (!sb->exited && !sb->killed)
			(void)kill(sb->pid, SIGKILL);
		while ((rc = waitpid(sb->pid, status, 0)) < 0 && errno == EINTR)
			;
		sb->pid = -1;
	}
	return rc < 0 ? -1 : 0;
}

/* Reap, close, wipe and free. */
static void
destroy(struct sandbox *sb)
{
	int status;

	(void)reap(sb, &status);
	close_fd(&sb->pidfd);
	close_fd(&sb->in);
	close_fd(&sb->out);
	close_fd(&sb->rep);
	sodium_free(sb); /* wipes the report and buffer */
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

/* Best effort, for throughput only: bigger buffers on the input socket
 * and the output pipe (a plain copy runs 2-3 times as fast). The kernel
 * caps both (net.core.wmem_max, fs.pipe-max-size). */
static void
widen(int sock, int pipe_w)
{
	int sz = PIPE_BYTES;

	(void)setsockopt(sock, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	(void)fcntl(pipe_w, F_SETPIPE_SZ, PIPE_BYTES);
}

static int
valid_limits(const struct sandbox_limits *lim)
{
	return lim != NULL && lim->mem_bytes > 0 && lim->cpu_seconds > 0 &&
	    lim->cpu_seconds <= SANDBOX_CPU_MAX;
}

struct sandbox *
sandbox_start(const struct sandbox_limits *lim, sandbox_prep_fn prep,
    sandbox_fn fn, void *arg, sandbox_sink_fn sink, void *sink_arg)
{
	struct sandbox *sb;
	struct child c;
	int sv[2] = { -1, -1 }, op[2] = { -1, -1 }, rp[2] = { -1, -1 }, saved;

	if (!valid_limits(lim) || fn == NULL || sink == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((sb = sodium_malloc(sizeof(*sb))) == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	memset(sb, 0, sizeof(*sb));
	sb->pid = -1;
	sb->pidfd = sb->in = sb->out = sb->rep = -1;
	sb->out_max = lim->out_max;
	sb->sink = sink;
	sb->sink_arg = sink_arg;
	/* O_CLOEXEC: nothing else the daemon starts may hold these. */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0 ||
	    shutdown(sv[1], SHUT_WR) != 0 || pipe2(op, O_CLOEXEC) != 0 ||
	    pipe2(rp, O_CLOEXEC) != 0 || set_nonblock(op[0]) != 0 ||
	    set_nonblock(rp[0]) != 0)
		goto err;
	widen(sv[0], op[1]);
	c = (struct child){ lim, prep, fn, arg, sv[1], op[1], rp[1], getpid(),
		lim->cpu_seconds * SANDBOX_WALL_FACTOR };
	clock_gettime(CLOCK_MONOTONIC, &sb->deadline);
	sb->deadline.tv_sec += (time_t)c.wall;
	if ((sb->pid = fork()) < 0)
		goto err;
	if (sb->pid == 0)
		child_run(&c);
	sb->in = sv[0];
	sb->out = op[0];
	sb->rep = rp[0];
	sv[0] = op[0] = rp[0] = -1;
	if ((sb->pidfd = pidfd_open(sb->pid, 0)) < 0)
		goto err;
	close_fd(&sv[1]);
	close_fd(&op[1]);
	close_fd(&rp[1]);
	return sb;
err:
	saved = errno;
	close_fd(&sv[0]);
	close_fd(&sv[1]);
	close_fd(&op[0]);
	close_fd(&op[1]);
	close_fd(&rp[0]);
	close_fd(&rp[1]);
	destroy(sb);
	errno = saved;
	return NULL;
}

int
sandbox_feed(struct sandbox *sb, const uint8_t *buf, size_t len)
{
	ssize_t w;
	int writable;

	while (len > 0) {
		if (sb->feed_errno != 0) {
			errno = sb->feed_errno;
			return -1;
		}
		if (step(sb, 1, &writable) != 0)
			return -1;
		if (!writable)
			continue;
		w = send(sb->in, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR)
				continue;
			/* EPIPE, ECONNRESET: the child stopped reading. */
			sb->feed_errno = EPIPE;
			close_fd(&sb->in);
			continue;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* After the child's end: what is left in the pipes, without waiting.
 * Bounded by the caps (and the watchdog) even if something still writes. */
static void
drain_rest(struct sandbox *sb)
{
	while (sb->out >= 0 && ms_left(sb) > 0 && drain_out(sb) == 0)
		;
	while (sb->rep >= 0 && ms_left(sb) > 0 && drain_rep(sb) == 0)
		;
}

static void
fill(struct sandbox_result *res, const struct sandbox *sb, int status)
{
	res->out_bytes = sb->out_bytes;
	res->report_len = sb->report_len;
	memcpy(res->report, sb->report, sb->report_len);
	res->report[sb->report_len] = '\0';
	if (sb->stopped) {
		res->outcome = sb->fate;
		res->code = sb->fate_code;
	} else if (WIFSIGNALED(status)) {
		res->code = WTERMSIG(status);
		res->outcome =
		    res->code == SIGALRM ? SANDBOX_TIMEOUT : SANDBOX_SIGNAL;
	} else if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
		res->outcome = SANDBOX_EXIT;
		res->code = WEXITSTATUS(status);
	} else if (WIFEXITED(status)) {
		res->outcome = SANDBOX_OK;
		res->code = 0;
	} else {
		res->outcome = SANDBOX_ERROR;
		res->code = ECHILD;
	}
}

int
sandbox_finish(struct sandbox *sb, struct sandbox_result *res)
{
	int status, writable;

	memset(res, 0, sizeof(*res));
	/* The watchdog first: EOF on its input would let a late child off. */
	if (ms_left(sb) == 0)
		stop(sb, SANDBOX_TIMEOUT, SIGKILL);
	close_fd(&sb->in);
	while (!sb->exited && !sb->killed)
		if (step(sb, 0, &writable) != 0)
			break;
	if (!sb->killed)
		drain_rest(sb);
	if (reap(sb, &status) != 0 && !sb->stopped) {
		sb->stopped = 1;
		sb->fate = SANDBOX_ERROR;
		sb->fate_code = errno;
	}
	fill(res, sb, status);
	destroy(sb);
	return res->outcome == SANDBOX_OK ? 0 : -1;
}

void
sandbox_abort(struct sandbox *sb)
{
	if (sb != NULL)
		destroy(sb);
}

const char *
sandbox_strerror(enum sandbox_outcome o)
{
	switch (o) {
	case SANDBOX_OK:
		return "cleaned";
	case SANDBOX_EXIT:
		return "the parser failed";
	case SANDBOX_SIGNAL:
		return "the parser was killed (a forbidden system call, "
		       "a crash or its CPU limit)";
	case SANDBOX_TOO_BIG:
		return "the parser's output or report was over its limit";
	case SANDBOX_TIMEOUT:
		return "the parser ran out of time";
	case SANDBOX_ERROR:
		return "the sandbox failed on the server's side";
	}
	return "unknown sandbox outcome";
}
