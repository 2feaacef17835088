/*
 * test_sandbox.c — the sandboxed child: what it is given comes back byte
 * for byte; every system call off the allow-list kills it with SIGSYS at
 * that call; the CPU, memory, output, report and wall-clock limits stop it;
 * the parent never blocks, never dies of SIGPIPE, and leaves neither a
 * zombie nor a descriptor behind (every test checks both in its teardown);
 * the filter fails closed. The last test measures the cost of one run.
 *
 * Children that must die at a given call first write "before\n" on their
 * report: the report proves the child got that far, so its death is the
 * call's doing and not a setup failure.
 */
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <seccomp.h>
#include <sodium.h>

#include "postern/sandbox.h"

#define KIB 1024
#define MIB (1024 * 1024)
#define BIG (50 * MIB)
#define PIECE (64 * KIB)

static uint8_t *pattern; /* BIG bytes of seeded random data */
static pid_t test_pid;	 /* ours, for children to aim at (getppid is
			    itself forbidden) */

/* ASan's allocator calls madvise(MADV_NOHUGEPAGE) on the blocks it maps,
 * which the filter (rightly) forbids: tests whose children allocate more
 * than a little are skipped in an ASan build. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#else
#define UNDER_ASAN 0
#endif

#define skip_under_asan() \
	do { \
		if (UNDER_ASAN) { \
			print_message("    skipped: ASan's allocator needs " \
				      "madvise\n"); \
			skip(); \
		} \
	} while (0)

/* Ordinary runs; the timing tests use cpu_seconds = 1 (wall: 3 s). */
static const struct sandbox_limits lim_std = { 256 * MIB, 2, 2 * BIG };
static const struct sandbox_limits lim_fast = { 256 * MIB, 1, 2 * BIG };

/* ---- fixtures --------------------------------------------------------- */

static int
count_fds(void)
{
	struct dirent *e;
	DIR *d;
	int n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int collect(void *arg, const uint8_t *buf, size_t len);

static int fds_before;

/* Sandboxes a test has started and not finished: a failed assertion
 * leaves them to teardown, which aborts them so that the next test starts
 * clean. */
static struct sandbox *live[2];

static struct sandbox *
start_at(const char *file, int line, const struct sandbox_limits *lim,
    sandbox_prep_fn prep, sandbox_fn fn, void *arg, void *sink_arg)
{
	struct sandbox *sb;
	size_t i;

	if ((sb = sandbox_start(lim, prep, fn, arg, collect, sink_arg)) ==
	    NULL) {
		print_error("sandbox_start\nexpected: a sandbox\n"
			    "got: NULL (%s)\n",
		    strerror(errno));
		_fail(file, line);
	}
	for (i = 0; i < 2; i++)
		if (live[i] == NULL) {
			live[i] = sb;
			break;
		}
	return sb;
}
#define start(lim, prep, fn, arg, sink_arg) \
	start_at(__FILE__, __LINE__, lim, prep, fn, arg, sink_arg)

static int
finish(struct sandbox *sb, struct sandbox_result *res)
{
	size_t i;

	for (i = 0; i < 2; i++)
		if (live[i] == sb)
			live[i] = NULL;
	return sandbox_finish(sb, res);
}

/* A test that hangs (a watchdog that does not fire) is killed by SIGALRM
 * after GUARD seconds: a failure, never a stuck run. */
#define GUARD 30

/* Under valgrind the sandbox cannot run: valgrind 3.19 lacks pidfd_open
 * (sandbox_start fails closed with ENOSYS), and its JIT would need
 * system calls the filter forbids. There, main runs only this. */
static int
under_valgrind(void)
{
	const char *p = getenv("LD_PRELOAD");

	return p != NULL && strstr(p, "vgpreload") != NULL;
}

static void
test_skipped_under_valgrind(void **state)
{
	(void)state;
	print_message("    the sandbox cannot run under valgrind\n");
	skip();
}

static int
setup(void **state)
{
	(void)state;
	fds_before = count_fds();
	alarm(GUARD);
	return 0;
}

/* No zombie, no leaked descriptor, after every test. */
static int
teardown(void **state)
{
	pid_t p;
	int st, fds = count_fds();

	(void)state;
	alarm(0);
	for (st = 0; st < 2; st++)
		if (live[st] != NULL) {
			sandbox_abort(live[st]);
			live[st] = NULL;
		}
	errno = 0;
	p = waitpid(-1, &st, WNOHANG);
	if (p != -1 || errno != ECHILD) {
		print_error("waitpid(-1, WNOHANG) after the test\n"
			    "expected: -1 ECHILD (no child left)\n"
			    "got: %d (%s)\n",
		    (int)p, strerror(errno));
		return -1;
	}
	if (fds != fds_before) {
		print_error("open descriptors\nexpected: %d (as before)\n"
			    "got: %d\n",
		    fds_before, fds);
		return -1;
	}
	return 0;
}

static int
group_setup(void **state)
{
	static const uint8_t seed[randombytes_SEEDBYTES] = { 's', 'b' };
	struct sigaction sa;

	(void)state;
	if (sodium_init() < 0)
		return -1;
	test_pid = getpid();
	if ((pattern = malloc(BIG)) == NULL)
		return -1;
	randombytes_buf_deterministic(pattern, BIG, seed);
	/* A SIGPIPE must be able to kill us, or the EPIPE tests prove
	 * nothing. */
	if (sigaction(SIGPIPE, NULL, &sa) != 0 || sa.sa_handler != SIG_DFL) {
		fprintf(stderr, "test_sandbox: SIGPIPE is not SIG_DFL\n");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	free(pattern);
	return 0;
}

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- the parent's side: a sink and one whole run ---------------------- */

struct collect {
	uint8_t *buf;
	size_t len, cap;
	size_t calls;
	size_t fail_at; /* return -1 on this call (1-based); 0: never */
};

static int
collect(void *arg, const uint8_t *buf, size_t len)
{
	struct collect *c = arg;
	size_t cap;
	uint8_t *nb;

	if (++c->calls == c->fail_at) {
		errno = ENOSPC;
		return -1;
	}
	if (len > c->cap - c->len) {
		cap = c->cap ? c->cap : 64 * KIB;
		while (cap - c->len < len)
			cap *= 2;
		if ((nb = realloc(c->buf, cap)) == NULL)
			return -1;
		c->buf = nb;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, buf, len);
	c->len += len;
	return 0;
}

struct run {
	struct sandbox_result res;
	struct collect out;
	int finish_rc;
	int feed_rc, feed_errno; /* the first failing sandbox_feed */
	size_t fed;		 /* bytes fed before it */
	double secs;
};

/* Start, feed in[0..len) in pieces, finish. Fails the test if the sandbox
 * cannot start. The caller frees r->out.buf. */
static void
run_at(const char *file, int line, struct run *r,
    const struct sandbox_limits *lim, sandbox_prep_fn prep, sandbox_fn fn,
    void *arg, const uint8_t *in, size_t len, size_t piece)
{
	struct sandbox *sb;
	size_t n;
	double t0 = now();

	memset(r, 0, sizeof(*r));
	sb = start_at(file, line, lim, prep, fn, arg, &r->out);
	while (r->fed < len) {
		n = len - r->fed < piece ? len - r->fed : piece;
		if (sandbox_feed(sb, in + r->fed, n) != 0) {
			r->feed_rc = -1;
			r->feed_errno = errno;
			break;
		}
		r->fed += n;
	}
	r->finish_rc = finish(sb, &r->res);
	r->secs = now() - t0;
}
#define run(r, lim, prep, fn, arg, in, len, piece) \
	run_at(__FILE__, __LINE__, r, lim, prep, fn, arg, in, len, piece)

static const char *
outcome_name(enum sandbox_outcome o)
{
	static const char *names[] = { "SANDBOX_OK", "SANDBOX_EXIT",
		"SANDBOX_SIGNAL", "SANDBOX_TOO_BIG", "SANDBOX_TIMEOUT",
		"SANDBOX_ERROR" };

	return (unsigned)o < 6 ? names[o] : "?";
}

/* The outcome, and the code unless code < 0; the finish return agrees. */
static void
expect_at(const char *file, int line, const struct run *r,
    enum sandbox_outcome o, int code)
{
	if (r->res.outcome != o || (code >= 0 && r->res.code != code) ||
	    r->finish_rc != (o == SANDBOX_OK ? 0 : -1)) {
		print_error("sandbox_finish\nexpected: %s code %d, returns %d\n"
			    "got: %s code %d (%s), returns %d\n"
			    "report: %.*s\n",
		    outcome_name(o), code, o == SANDBOX_OK ? 0 : -1,
		    outcome_name(r->res.outcome), r->res.code,
		    r->res.outcome == SANDBOX_SIGNAL ? strsignal(r->res.code)
						     : "-",
		    r->finish_rc, (int)r->res.report_len, r->res.report);
		_fail(file, line);
	}
}
#define expect(r, o, code) expect_at(__FILE__, __LINE__, r, o, code)

static void
expect_report_at(
    const char *file, int line, const struct run *r, const char *want)
{
	if (r->res.report_len != strlen(want) ||
	    memcmp(r->res.report, want, strlen(want)) != 0 ||
	    r->res.report[r->res.report_len] != '\0') {
		print_error("report\nexpected: \"%s\"\ngot: \"%.*s\" (%zu "
			    "bytes)"
			    "\n",
		    want, (int)r->res.report_len, r->res.report,
		    r->res.report_len);
		_fail(file, line);
	}
}
#define expect_report(r, want) expect_report_at(__FILE__, __LINE__, r, want)

/* ---- the children's side (runs under the filter) ----------------------- */

static int
put_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
say(int fd, const char *s)
{
	return put_all(fd, s, strlen(s));
}

/* Decimal without stdio. */
static void
say_num(int fd, uint64_t v)
{
	char b[24];
	int i = (int)sizeof(b);

	do
		b[--i] = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	(void)put_all(fd, b + i, sizeof(b) - (size_t)i);
}

/* Write every page of p[0..n) and let p escape, so that no compiler
 * (clang elides a malloc whose memory is never read) removes the
 * allocation the test is about. */
static void *volatile escaped;

static void
touch(void *p, size_t n)
{
	volatile uint8_t *v = p;
	size_t i;

	for (i = 0; i < n; i += 4096)
		v[i] = 0xa5;
	if (n > 0)
		v[n - 1] = 0xa5;
	escaped = p;
}

static int
child_copy(int in, int out, int rep, void *arg)
{
	static uint8_t buf[PIECE];
	uint64_t total = 0;
	ssize_t n;

	(void)arg;
	while ((n = read(in, buf, sizeof(buf))) > 0) {
		if (put_all(out, buf, (size_t)n) != 0)
			return 1;
		total += (uint64_t)n;
	}
	if (n < 0)
		return 1;
	say(rep, "copied ");
	say_num(rep, total);
	return 0;
}

static int
child_empty(int in, int out, int rep, void *arg)
{
	(void)in;
	(void)out;
	(void)rep;
	(void)arg;
	return 0;
}

/* ---- copying --------------------------------------------------------- */

static void
copy_size(size_t len)
{
	struct run r;
	char want[64];

	run(&r, &lim_std, NULL, child_copy, NULL, pattern, len, PIECE);
	expect(&r, SANDBOX_OK, 0);
	assert_int_equal(r.feed_rc, 0);
	assert_int_equal(r.res.out_bytes, len);
	assert_int_equal(r.out.len, len);
	if (len > 0)
		assert_memory_equal(r.out.buf, pattern, len);
	snprintf(want, sizeof(want), "copied %zu", len);
	expect_report(&r, want);
	if (len == BIG)
		print_message("    50 MiB through the sandbox: %.0f ms "
			      "(%.0f MiB/s)\n",
		    r.secs * 1e3, 50 / r.secs);
	free(r.out.buf);
}

static void
test_copy_0(void **state)
{
	(void)state;
	copy_size(0);
}

static void
test_copy_1(void **state)
{
	(void)state;
	copy_size(1);
}

static void
test_copy_1mib(void **state)
{
	(void)state;
	copy_size(MIB);
}

static void
test_copy_50mib(void **state)
{
	(void)state;
	copy_size(BIG);
}

/* Odd piece sizes and a big single feed arrive the same. */
static void
test_copy_odd_pieces(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_std, NULL, child_copy, NULL, pattern, 3 * MIB + 7, 4093);
	expect(&r, SANDBOX_OK, 0);
	assert_int_equal(r.out.len, 3 * MIB + 7);
	assert_memory_equal(r.out.buf, pattern, 3 * MIB + 7);
	free(r.out.buf);
	run(&r, &lim_std, NULL, child_copy, NULL, pattern, 8 * MIB, 8 * MIB);
	expect(&r, SANDBOX_OK, 0);
	assert_int_equal(r.out.len, 8 * MIB);
	assert_memory_equal(r.out.buf, pattern, 8 * MIB);
	free(r.out.buf);
}

static int
child_report(int in, int out, int rep, void *arg)
{
	(void)in;
	(void)arg;
	if (say(rep, "removed: Author\n") != 0 || say(out, "doc") != 0 ||
	    say(rep, "removed: GPSLatitude\n") != 0)
		return 1;
	return 0;
}

static void
test_report(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_std, NULL, child_report, NULL, pattern, 100, PIECE);
	expect(&r, SANDBOX_OK, 0);
	expect_report(&r, "removed: Author\nremoved: GPSLatitude\n");
	assert_int_equal(r.out.len, 3);
	assert_memory_equal(r.out.buf, "doc", 3);
	free(r.out.buf);
}

static int
child_report_n(int in, int out, int rep, void *arg)
{
	static char buf[SANDBOX_REPORT_MAX + 1];
	size_t n = *(size_t *)arg;

	(void)in;
	(void)out;
	memset(buf, 'r', n);
	return put_all(rep, buf, n);
}

/* Exactly SANDBOX_REPORT_MAX bytes is fine; one more is SANDBOX_TOO_BIG. */
static void
test_report_cap(void **state)
{
	struct run r;
	size_t n = SANDBOX_REPORT_MAX;

	(void)state;
	run(&r, &lim_std, NULL, child_report_n, &n, NULL, 0, PIECE);
	expect(&r, SANDBOX_OK, 0);
	assert_int_equal(r.res.report_len, SANDBOX_REPORT_MAX);
	assert_int_equal(r.res.report[SANDBOX_REPORT_MAX], '\0');
	n = SANDBOX_REPORT_MAX + 1;
	run(&r, &lim_std, NULL, child_report_n, &n, NULL, 0, PIECE);
	expect(&r, SANDBOX_TOO_BIG, SANDBOX_TOO_BIG_REPORT);
	assert_int_equal(r.res.report_len, SANDBOX_REPORT_MAX);
	assert_int_equal(r.res.report[SANDBOX_REPORT_MAX], '\0');
}

static int
child_fails(int in, int out, int rep, void *arg)
{
	(void)in;
	(void)out;
	(void)arg;
	say(rep, "not a PDF");
	return 7;
}

static void
test_nonzero_return(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_std, NULL, child_fails, NULL, pattern, 10, PIECE);
	expect(&r, SANDBOX_EXIT, 1);
	expect_report(&r, "not a PDF");
}

/* ---- the allow-list: what a child may do ------------------------------ */

static int
child_allowed(int in, int out, int rep, void *arg)
{
	uint8_t b[16], *p, *q, *h;
	size_t i;

	(void)arg;
	if (read(in, b, 4) != 4 || say(out, "out ") != 0)
		return 1;
	p = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
	    -1, 0);
	if (p == MAP_FAILED)
		return 2;
	touch(p, MIB);
	if (mprotect(p, 4096, PROT_READ) != 0 ||
	    mprotect(p, 4096, PROT_READ | PROT_WRITE) != 0)
		return 3;
	if ((q = mremap(p, MIB, 4 * MIB, MREMAP_MAYMOVE)) == MAP_FAILED)
		return 4;
	touch(q, 4 * MIB);
	if (munmap(q, 4 * MIB) != 0)
		return 5;
	if (getrandom(b, sizeof(b), 0) != sizeof(b))
		return 6;
	/* malloc: brk (main arena), mmap (large), free, realloc. */
	for (i = 0; i < 200; i++) {
		if ((h = malloc(i * 3000 + 1)) == NULL)
			return 7;
		touch(h, i * 3000 + 1);
		free(h);
	}
	if ((h = malloc(4 * MIB)) == NULL)
		return 8;
	touch(h, 4 * MIB);
	if ((h = realloc(h, 16 * MIB)) == NULL)
		return 9;
	touch(h, 16 * MIB);
	free(h);
	return say(rep, "all allowed");
}

static void
test_allowed_calls(void **state)
{
	struct run r;

	(void)state;
	skip_under_asan();
	run(&r, &lim_std, NULL, child_allowed, NULL, pattern, 4, PIECE);
	expect(&r, SANDBOX_OK, 0);
	expect_report(&r, "all allowed");
	assert_int_equal(r.out.len, 4);
	free(r.out.buf);
}

/* ---- the allow-list: what kills a child ------------------------------- */

/* The forbidden call's result: never seen, the child is dead by then. */
static void
ignore(ssize_t r)
{
	(void)r;
}

struct forbidden {
	const char *name;
	void (*call)(int in, int out, int rep);
};

static void
do_open(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)open("/etc/hostname", O_RDONLY);
}

static void
do_openat(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)syscall(SYS_openat, AT_FDCWD, "/etc/hostname", O_RDONLY);
}

static void
do_socket(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)socket(AF_INET, SOCK_STREAM, 0);
}

static void
do_execve(int in, int out, int rep)
{
	char *argv[] = { "/bin/true", NULL }, *envp[] = { NULL };

	(void)in, (void)out, (void)rep;
	(void)execve(argv[0], argv, envp);
}

static void
do_fork(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	if (fork() == 0)
		_exit(0); /* not reached under the filter */
}

static void
do_mprotect_exec(int in, int out, int rep)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)in, (void)out, (void)rep;
	if (p != MAP_FAILED)
		(void)mprotect(p, 4096, PROT_READ | PROT_EXEC);
}

static void
do_mmap_rwx(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void
do_mmap_file(int in, int out, int rep)
{
	(void)out, (void)rep;
	(void)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, in, 0);
}

static void
do_write_stderr(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	ignore(write(2, "x", 1));
}

static void
do_write_stdout(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	ignore(write(1, "x", 1));
}

static void
do_write_in(int in, int out, int rep)
{
	(void)out, (void)rep;
	ignore(write(in, "x", 1));
}

static void
do_read_rep(int in, int out, int rep)
{
	char c;

	(void)in, (void)out;
	ignore(read(rep, &c, 1));
}

/* The kernel would truncate the descriptor to 4 (out): the filter
 * compares all 64 bits. */
static void
do_write_high_bits(int in, int out, int rep)
{
	(void)in, (void)rep;
	(void)syscall(SYS_write, 0x100000000L | (long)out, "x", 1L);
}

/* The x32 ABI's write, on the report descriptor. */
static void
do_x32_write(int in, int out, int rep)
{
	(void)in, (void)out;
	(void)syscall(0x40000000L | SYS_write, (long)rep, "x", 1L);
}

/* The i386 ABI's getpid through int $0x80. */
static void
do_int80(int in, int out, int rep)
{
	long ret = 20; /* __NR_getpid on i386 */

	(void)in, (void)out, (void)rep;
	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
}

static void
do_close(int in, int out, int rep)
{
	(void)out, (void)rep;
	(void)close(in);
}

static void
do_madvise(int in, int out, int rep)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)in, (void)out, (void)rep;
	if (p != MAP_FAILED)
		(void)madvise(p, 4096, MADV_DONTNEED);
}

static void
do_kill_parent(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)syscall(SYS_kill, (long)test_pid, 0L);
}

static void
do_ptrace(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)ptrace(PTRACE_TRACEME, 0, NULL, NULL);
}

static void
do_prctl(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
}

/* Raising a limit back, cancelling the watchdog, ignoring its signal. */
static void
do_setrlimit(int in, int out, int rep)
{
	struct rlimit r = { RLIM_INFINITY, RLIM_INFINITY };

	(void)in, (void)out, (void)rep;
	(void)setrlimit(RLIMIT_CPU, &r);
}

static void
do_alarm(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)alarm(0);
}

static void
do_sigaction(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)signal(SIGALRM, SIG_IGN);
}

static void
do_nanosleep(int in, int out, int rep)
{
	struct timespec ts = { 0, 1000 };

	(void)in, (void)out, (void)rep;
	(void)syscall(SYS_nanosleep, &ts, NULL);
}

static void
do_futex(int in, int out, int rep)
{
	int word = 0;

	(void)in, (void)out, (void)rep;
	(void)syscall(SYS_futex, &word, 1 /* FUTEX_WAKE */, 1, NULL, NULL, 0);
}

static void
do_io_uring(int in, int out, int rep)
{
	char params[120] = { 0 };

	(void)in, (void)out, (void)rep;
	(void)syscall(425 /* io_uring_setup */, 1L, params);
}

static void
do_userfaultfd(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	(void)syscall(SYS_userfaultfd, 0L);
}

static void
do_printf(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	printf("stdio\n");
	fflush(stdout);
}

static void
do_abort(int in, int out, int rep)
{
	(void)in, (void)out, (void)rep;
	abort();
}

static const struct forbidden forbidden[] = {
	{ "open", do_open },
	{ "openat", do_openat },
	{ "socket", do_socket },
	{ "execve", do_execve },
	{ "fork", do_fork },
	{ "mprotect(PROT_EXEC)", do_mprotect_exec },
	{ "mmap(RWX)", do_mmap_rwx },
	{ "mmap of a file", do_mmap_file },
	{ "write(2) stderr", do_write_stderr },
	{ "write(1) stdout", do_write_stdout },
	{ "write on the input", do_write_in },
	{ "read on the report", do_read_rep },
	{ "write, fd with high bits", do_write_high_bits },
	{ "x32 write", do_x32_write },
	{ "int $0x80 getpid", do_int80 },
	{ "close", do_close },
	{ "madvise", do_madvise },
	{ "kill(parent, 0)", do_kill_parent },
	{ "ptrace", do_ptrace },
	{ "prctl", do_prctl },
	{ "setrlimit", do_setrlimit },
	{ "alarm(0)", do_alarm },
	{ "sigaction", do_sigaction },
	{ "nanosleep", do_nanosleep },
	{ "futex", do_futex },
	{ "io_uring_setup", do_io_uring },
	{ "userfaultfd", do_userfaultfd },
	{ "printf", do_printf },
	{ "abort", do_abort },
};
#define NFORBIDDEN (sizeof(forbidden) / sizeof(forbidden[0]))

static int
child_forbidden(int in, int out, int rep, void *arg)
{
	const struct forbidden *f = arg;

	if (say(rep, "before\n") != 0)
		return 1;
	f->call(in, out, rep);
	say(rep, "after\n");
	return 0;
}

static void
test_forbidden(void **state)
{
	const struct forbidden *f = *state;
	struct run r;

	/* The ASan build's filter allows madvise (see sandbox.c). */
	if (UNDER_ASAN && strcmp(f->name, "madvise") == 0) {
		print_message("    skipped: the ASan build allows madvise\n");
		skip();
	}
	run(&r, &lim_std, NULL, child_forbidden, (void *)f, pattern, 10, PIECE);
	if (r.res.outcome != SANDBOX_SIGNAL || r.res.code != SIGSYS)
		print_error("%s: expected death by SIGSYS\n", f->name);
	expect(&r, SANDBOX_SIGNAL, SIGSYS);
	expect_report(&r, "before\n");
	assert_int_equal(r.out.len, 0);
}

/* ---- limits ----------------------------------------------------------- */

static int
child_spin(int in, int out, int rep, void *arg)
{
	volatile uint64_t n = 0;

	(void)in, (void)out, (void)arg;
	say(rep, "spinning");
	for (;;)
		n++;
	return 0;
}

/* RLIMIT_CPU stops a loop: SIGXCPU after 1 s of CPU, before the 3 s
 * watchdog. */
static void
test_cpu_limit(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_fast, NULL, child_spin, NULL, pattern, 0, PIECE);
	expect(&r, SANDBOX_SIGNAL, -1);
	if (r.res.code != SIGXCPU && r.res.code != SIGKILL)
		fail_msg(
		    "expected SIGXCPU or SIGKILL, got signal %d", r.res.code);
	/* SANDBOX_SIGNAL, not SANDBOX_TIMEOUT: the CPU limit, not the
	 * watchdog; and not before a second of CPU. */
	if (r.secs < 0.9)
		fail_msg("expected 1 s of CPU first, took %.2f s", r.secs);
	expect_report(&r, "spinning");
}

/* Read until EOF: blocks while the parent holds the input open. */
static int
child_reader(int in, int out, int rep, void *arg)
{
	uint8_t b[256];

	(void)out, (void)arg;
	say(rep, "reading");
	while (read(in, b, sizeof(b)) > 0)
		;
	return 0;
}

/* The parent stops feeding but does not close the input: the child waits
 * in read() and uses no CPU; the wall watchdog (3 s) ends it. */
static void
test_wall_timeout(void **state)
{
	struct sandbox *sb;
	struct sandbox_result res;
	struct collect c = { 0 };
	struct timespec ts = { 3, 300000000 };
	double t0 = now();
	int rc;

	(void)state;
	sb = start(&lim_fast, NULL, child_reader, NULL, &c);
	assert_int_equal(sandbox_feed(sb, pattern, 1000), 0);
	nanosleep(&ts, NULL);
	rc = sandbox_feed(sb, pattern, 1000);
	assert_int_equal(rc, -1);
	assert_true(errno == ETIMEDOUT || errno == EPIPE);
	assert_int_equal(finish(sb, &res), -1);
	assert_int_equal(res.outcome, SANDBOX_TIMEOUT);
	if (now() - t0 > 4.5)
		fail_msg("the timeout took %.2f s", now() - t0);
}

/* A child that prep stops (SIGSTOP) with SIGALRM blocked: only the
 * parent's watchdog can end it, from sandbox_finish. */
static void
prep_stop_blocking_alarm(void *arg)
{
	sigset_t s;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, NULL);
	raise(SIGSTOP);
}

static void
test_parent_watchdog(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_fast, prep_stop_blocking_alarm, child_copy, NULL, pattern,
	    0, PIECE);
	expect(&r, SANDBOX_TIMEOUT, SIGKILL);
	if (r.secs < 2.9 || r.secs > 4.0)
		fail_msg("expected the 3 s watchdog, took %.2f s", r.secs);
}

/* The parent stops feeding and calls nothing: the child's own alarm
 * (SIGALRM at the 3 s wall limit) ends it meanwhile. */
static void
test_child_alarm(void **state)
{
	struct sandbox *sb;
	struct sandbox_result res;
	struct collect c = { 0 };
	struct timespec ts = { 3, 300000000 };
	siginfo_t si;

	(void)state;
	sb = start(&lim_fast, NULL, child_reader, NULL, &c);
	assert_int_equal(sandbox_feed(sb, pattern, 1000), 0);
	nanosleep(&ts, NULL);
	/* Look without reaping: the child must already be dead. */
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT), 0);
	if (si.si_pid == 0 || si.si_code != CLD_KILLED ||
	    si.si_status != SIGALRM)
		fail_msg("expected the child killed by SIGALRM, got pid %d "
			 "code %d status %d",
		    (int)si.si_pid, si.si_code, si.si_status);
	assert_int_equal(finish(sb, &res), -1);
	assert_int_equal(res.outcome, SANDBOX_TIMEOUT);
}

/* The caller comes back after the deadline with the child (SIGALRM
 * blocked) still waiting for input: closing the input would let it finish
 * late, but the run is over: SANDBOX_TIMEOUT. */
static void
prep_block_alarm(void *arg)
{
	sigset_t s;

	(void)arg;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	sigprocmask(SIG_BLOCK, &s, NULL);
}

static void
test_finish_after_deadline(void **state)
{
	struct sandbox *sb;
	struct sandbox_result res;
	struct collect c = { 0 };
	struct timespec ts = { 3, 200000000 };

	(void)state;
	sb = start(&lim_fast, prep_block_alarm, child_reader, NULL, &c);
	assert_int_equal(sandbox_feed(sb, pattern, 1000), 0);
	nanosleep(&ts, NULL);
	assert_int_equal(finish(sb, &res), -1);
	assert_int_equal(res.outcome, SANDBOX_TIMEOUT);
	assert_int_equal(res.code, SIGKILL);
}

static int
child_balloon(int in, int out, int rep, void *arg)
{
	uint64_t mib = 0;
	uint8_t *p;

	(void)in, (void)out, (void)arg;
	while ((p = malloc(MIB)) != NULL) {
		touch(p, MIB);
		mib++;
	}
	say(rep, "MiB: ");
	say_num(rep, mib);
	return 1;
}

/* RLIMIT_AS: malloc fails past mem_bytes (64 MiB), the child says so.
 * It may first reuse free space in the heap it inherited (a few MiB). */
static void
test_memory_limit(void **state)
{
	const struct sandbox_limits lim = { 64 * MIB, 5, MIB };
	struct run r;
	long mib;

	(void)state;
	skip_under_asan();
	run(&r, &lim, NULL, child_balloon, NULL, NULL, 0, PIECE);
	expect(&r, SANDBOX_EXIT, 1);
	assert_int_equal(strncmp(r.res.report, "MiB: ", 5), 0);
	mib = strtol(r.res.report + 5, NULL, 10);
	if (mib < 32 || mib > 96)
		fail_msg(
		    "expected 32-96 MiB before malloc failed, got %ld", mib);
}

static int
child_flood(int in, int out, int rep, void *arg)
{
	static uint8_t b[PIECE];

	(void)in, (void)rep, (void)arg;
	for (;;)
		if (put_all(out, b, sizeof(b)) != 0)
			return 1;
}

/* Output past out_max: SANDBOX_TOO_BIG, the child killed at once (its
 * flood never ends by itself), the sink never given more than out_max. */
static void
test_output_cap(void **state)
{
	const struct sandbox_limits lim = { 64 * MIB, 5, MIB + 1 };
	struct run r;

	(void)state;
	run(&r, &lim, NULL, child_flood, NULL, NULL, 0, PIECE);
	expect(&r, SANDBOX_TOO_BIG, SANDBOX_TOO_BIG_OUTPUT);
	assert_true(r.out.len <= MIB + 1);
	assert_int_equal(r.res.out_bytes, r.out.len);
	if (r.secs > 2.5)
		fail_msg("the flood was stopped after %.2f s", r.secs);
	free(r.out.buf);
}

/* Exactly out_max bytes is fine. */
static void
test_output_cap_exact(void **state)
{
	const struct sandbox_limits lim = { 64 * MIB, 5, MIB };
	struct run r;

	(void)state;
	run(&r, &lim, NULL, child_copy, NULL, pattern, MIB, PIECE);
	expect(&r, SANDBOX_OK, 0);
	assert_int_equal(r.out.len, MIB);
	free(r.out.buf);
	run(&r, &lim, NULL, child_copy, NULL, pattern, MIB + 1, PIECE);
	expect(&r, SANDBOX_TOO_BIG, SANDBOX_TOO_BIG_OUTPUT);
	free(r.out.buf);
}

/* ---- no deadlock, no SIGPIPE ------------------------------------------ */

static int
child_ignores_input(int in, int out, int rep, void *arg)
{
	(void)in, (void)out, (void)arg;
	return say(rep, "done");
}

/* The child never reads and exits: feeding 50 MiB ends promptly with
 * EPIPE (and no SIGPIPE); the child's own outcome stands. */
static void
test_never_reads(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_std, NULL, child_ignores_input, NULL, pattern, BIG, PIECE);
	assert_int_equal(r.feed_rc, -1);
	assert_int_equal(r.feed_errno, EPIPE);
	assert_true(r.fed < BIG);
	expect(&r, SANDBOX_OK, 0);
	expect_report(&r, "done");
	if (r.secs > 2.5)
		fail_msg("took %.2f s", r.secs);
}

/* The child writes 8 MiB before it reads anything, while the parent feeds
 * 50 MiB: both pipes full at once unless the parent drains as it feeds. */
static int
child_writes_first(int in, int out, int rep, void *arg)
{
	uint64_t n = 0;
	ssize_t k;
	uint8_t b[PIECE];

	(void)arg;
	if (put_all(out, pattern, 8 * MIB) != 0)
		return 1;
	while ((k = read(in, b, sizeof(b))) > 0)
		n += (uint64_t)k;
	say(rep, "read ");
	say_num(rep, n);
	return 0;
}

static void
test_no_deadlock(void **state)
{
	struct run r;
	char want[32];

	(void)state;
	run(&r, &lim_std, NULL, child_writes_first, NULL, pattern, BIG, PIECE);
	expect(&r, SANDBOX_OK, 0);
	assert_int_equal(r.feed_rc, 0);
	assert_int_equal(r.out.len, 8 * MIB);
	assert_memory_equal(r.out.buf, pattern, 8 * MIB);
	snprintf(want, sizeof(want), "read %d", BIG);
	expect_report(&r, want);
	free(r.out.buf);
}

/* Reads 1 MiB, then a forbidden call: dies mid-feed. */
static int
child_dies_midway(int in, int out, int rep, void *arg)
{
	uint8_t b[PIECE];
	size_t got = 0;
	ssize_t k;

	(void)out, (void)arg;
	while (got < MIB && (k = read(in, b, sizeof(b))) > 0)
		got += (size_t)k;
	say(rep, "before\n");
	(void)open("/etc/hostname", O_RDONLY);
	return 0;
}

static void
test_dies_mid_feed(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_std, NULL, child_dies_midway, NULL, pattern, BIG, PIECE);
	/* We are still here: no SIGPIPE. */
	assert_int_equal(r.feed_rc, -1);
	assert_int_equal(r.feed_errno, EPIPE);
	assert_true(r.fed >= MIB && r.fed < BIG);
	expect(&r, SANDBOX_SIGNAL, SIGSYS);
	expect_report(&r, "before\n");
}

/* Reads exactly 1000 bytes, then a forbidden call. Its input socket
 * holds no unread byte when it dies, so the next send gets EPIPE, which
 * without MSG_NOSIGNAL would raise SIGPIPE in the parent (with unread
 * bytes it is ECONNRESET, which raises none). */
static int
child_reads_1000(int in, int out, int rep, void *arg)
{
	uint8_t b[1000];
	size_t got = 0;
	ssize_t k;

	(void)out, (void)arg;
	while (got < sizeof(b) && (k = read(in, b, sizeof(b) - got)) > 0)
		got += (size_t)k;
	say(rep, "before\n");
	(void)open("/etc/hostname", O_RDONLY);
	return 0;
}

static void
test_no_sigpipe(void **state)
{
	struct sandbox *sb;
	struct sandbox_result res;
	struct collect c = { 0 };
	struct timespec ts = { 0, 300000000 };

	(void)state;
	sb = start(&lim_std, NULL, child_reads_1000, NULL, &c);
	assert_int_equal(sandbox_feed(sb, pattern, 1000), 0);
	nanosleep(&ts, NULL); /* it reads them and dies meanwhile */
	assert_int_equal(sandbox_feed(sb, pattern, 1000), -1);
	assert_int_equal(errno, EPIPE);
	assert_int_equal(finish(sb, &res), -1);
	assert_int_equal(res.outcome, SANDBOX_SIGNAL);
	assert_int_equal(res.code, SIGSYS);
}

/* The sink refuses: SANDBOX_ERROR with its errno, the child killed. */
static void
test_sink_failure(void **state)
{
	struct sandbox *sb;
	struct sandbox_result res;
	struct collect c = { 0 };
	int rc;

	(void)state;
	c.fail_at = 2;
	sb = start(&lim_std, NULL, child_flood, NULL, &c);
	while ((rc = sandbox_feed(sb, pattern, PIECE)) == 0)
		;
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(finish(sb, &res), -1);
	assert_int_equal(res.outcome, SANDBOX_ERROR);
	assert_int_equal(res.code, ENOSPC);
	free(c.buf);
}

/* ---- setup of the child ------------------------------------------------ */

/* In prep (before the filter): report the descriptors, limits and
 * process flags the child runs with. */
static void
prep_inspect(void *arg)
{
	static const int res[] = { RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_NOFILE,
		RLIMIT_NPROC, RLIMIT_CORE };
	struct rlimit rl;
	struct stat st;
	sigset_t mask;
	int fd, rep = SANDBOX_FD_REP;
	size_t i;

	(void)arg;
	say(rep, "fds:");
	for (fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) >= 0) {
			say(rep, " ");
			say_num(rep, (uint64_t)fd);
		}
	say(rep, "\nnull:");
	for (fd = 0; fd < 3; fd++)
		say(rep,
		    fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
			    st.st_rdev == makedev(1, 3)
			? " y"
			: " n");
	say(rep, "\nlimits:");
	for (i = 0; i < sizeof(res) / sizeof(res[0]); i++) {
		getrlimit(res[i], &rl);
		say(rep, " ");
		say_num(rep, rl.rlim_cur);
		say(rep, "/");
		say_num(rep, rl.rlim_max);
	}
	say(rep, "\nnnp ");
	say_num(rep, (uint64_t)prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	say(rep, " dumpable ");
	say_num(rep, (uint64_t)prctl(PR_GET_DUMPABLE, 0, 0, 0, 0));
	sigprocmask(SIG_SETMASK, NULL, &mask);
	say(rep, sigisemptyset(&mask) ? " mask empty" : " mask set");
	say(rep,
	    signal(SIGSEGV, SIG_DFL) == SIG_DFL ? " segv dfl\n"
						: " segv handled\n");
}

static void
on_segv(int sig)
{
	(void)sig;
}

/* The parent has a stray inheritable descriptor, a blocked signal and a
 * handler: the child has none of them. */
static void
test_child_setup(void **state)
{
	struct sigaction sa, old_sa;
	sigset_t block, old_mask;
	struct run r;
	int stray;

	(void)state;
	stray = fcntl(0, F_DUPFD, 100); /* no FD_CLOEXEC */
	assert_true(stray >= 100);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_segv;
	sigaction(SIGSEGV, &sa, &old_sa);
	sigemptyset(&block);
	sigaddset(&block, SIGXCPU);
	sigprocmask(SIG_BLOCK, &block, &old_mask);
	run(&r, &lim_fast, prep_inspect, child_empty, NULL, NULL, 0, PIECE);
	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	sigaction(SIGSEGV, &old_sa, NULL);
	close(stray);
	expect(&r, SANDBOX_OK, 0);
	expect_report(&r,
	    "fds: 0 1 2 3 4 5\nnull: y y y\n"
	    "limits: 1/2 0/0 7/7 0/0 0/0\n"
	    "nnp 1 dumpable 0 mask empty segv dfl\n");
}

/* prep leaves the child unable to install a filter (its own filter
 * answers seccomp() and prctl() with EPERM): the child must exit with
 * SANDBOX_EXIT_SETUP before fn runs — fail closed. */
static void
prep_block_seccomp(void *arg)
{
	scmp_filter_ctx f = seccomp_init(SCMP_ACT_ALLOW);

	(void)arg;
	if (f == NULL ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(seccomp), 0) ||
	    seccomp_rule_add(f, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(prctl), 0) ||
	    seccomp_load(f) != 0)
		_exit(99);
}

static int
child_escapes(int in, int out, int rep, void *arg)
{
	(void)in, (void)rep, (void)arg;
	say(out, "UNFILTERED");
	return 0;
}

static void
test_fails_closed(void **state)
{
	struct run r;

	(void)state;
	run(&r, &lim_std, prep_block_seccomp, child_escapes, NULL, pattern, 10,
	    PIECE);
	expect(&r, SANDBOX_EXIT, SANDBOX_EXIT_SETUP);
	assert_int_equal(r.out.len, 0);
	assert_non_null(strstr(r.res.report, "seccomp"));
}

/* A forked worker thread's malloc arena grows with mprotect and (without
 * the child's trim setting) shrinks with madvise after an openat: a child
 * forked from a thread must still allocate and free. Other threads with
 * their own arenas make the inherited address space several times
 * mem_bytes, which RLIMIT_AS must allow for. */
struct thread_job {
	struct run r;
	int ok;
};

static int
child_churn(int in, int out, int rep, void *arg)
{
	void *p[256];
	size_t i, round;

	(void)in, (void)out, (void)arg;
	for (round = 0; round < 20; round++) {
		for (i = 0; i < 256; i++) {
			if ((p[i] = malloc(1000 + i * 500)) == NULL)
				return 1;
			touch(p[i], 1000 + i * 500);
		}
		for (i = 0; i < 256; i++)
			free(p[i]);
	}
	return say(rep, "churned");
}

static void *
thread_sandbox(void *arg)
{
	const struct sandbox_limits lim = { 64 * MIB, 5, MIB };
	struct thread_job *j = arg;
	struct sandbox *sb;
	void *volatile warm;

	/* This thread's own arena, in use before the fork. */
	warm = malloc(200 * KIB);
	free(warm);
	memset(&j->r, 0, sizeof(j->r));
	if ((sb = sandbox_start(
		 &lim, NULL, child_churn, NULL, collect, &j->r.out)) == NULL)
		return NULL;
	j->r.finish_rc = sandbox_finish(sb, &j->r.res);
	j->ok = 1;
	return NULL;
}

static pthread_barrier_t hold;

static void *
thread_hog(void *arg)
{
	void *volatile p = malloc(100 * KIB);

	(void)arg;
	pthread_barrier_wait(&hold);
	pthread_barrier_wait(&hold);
	free(p);
	return NULL;
}

static uint64_t
vsz_now(void)
{
	unsigned long pages = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f != NULL) {
		if (fscanf(f, "%lu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return (uint64_t)pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void
test_thread_fork(void **state)
{
	pthread_t hogs[6], t;
	struct thread_job *j;
	uint64_t vsz;
	size_t i;

	(void)state;
	skip_under_asan();
	/* Earlier tests freed big blocks, which raised glibc's dynamic trim
	 * threshold to 64 MiB in this process (and so in its children):
	 * back to the default, so that the child's churn would shrink its
	 * arena if the sandbox did not prevent it. */
	assert_int_equal(mallopt(M_TRIM_THRESHOLD, 128 * KIB), 1);
	assert_non_null(j = calloc(1, sizeof(*j)));
	pthread_barrier_init(&hold, NULL, 7);
	for (i = 0; i < 6; i++)
		assert_int_equal(
		    pthread_create(&hogs[i], NULL, thread_hog, NULL), 0);
	pthread_barrier_wait(&hold);
	vsz = vsz_now();
	assert_int_equal(pthread_create(&t, NULL, thread_sandbox, j), 0);
	pthread_join(t, NULL);
	pthread_barrier_wait(&hold);
	for (i = 0; i < 6; i++)
		pthread_join(hogs[i], NULL);
	pthread_barrier_destroy(&hold);
	print_message("    inherited address space: %llu MiB, "
		      "mem_bytes 64 MiB\n",
	    (unsigned long long)(vsz / MIB));
	assert_true(vsz > 64 * MIB);
	assert_true(j->ok);
	expect(&j->r, SANDBOX_OK, 0);
	expect_report(&j->r, "churned");
	free(j);
}

/* ---- API edges --------------------------------------------------------- */

static void
test_bad_arguments(void **state)
{
	struct sandbox_limits lim = lim_std;
	struct collect c = { 0 };

	(void)state;
	lim.cpu_seconds = 0;
	errno = 0;
	assert_null(sandbox_start(&lim, NULL, child_empty, NULL, collect, &c));
	assert_int_equal(errno, EINVAL);
	lim.cpu_seconds = SANDBOX_CPU_MAX + 1;
	assert_null(sandbox_start(&lim, NULL, child_empty, NULL, collect, &c));
	lim = lim_std;
	lim.mem_bytes = 0;
	assert_null(sandbox_start(&lim, NULL, child_empty, NULL, collect, &c));
	assert_null(sandbox_start(NULL, NULL, child_empty, NULL, collect, &c));
	assert_null(sandbox_start(&lim_std, NULL, NULL, NULL, collect, &c));
	assert_null(sandbox_start(&lim_std, NULL, child_empty, NULL, NULL, &c));
	sandbox_abort(NULL);
}

/* Abort mid-run: the child is killed and reaped (teardown checks). */
static void
test_abort(void **state)
{
	struct sandbox *sb;
	struct collect c = { 0 };
	double t0 = now();

	(void)state;
	sb = start(&lim_std, NULL, child_reader, NULL, &c);
	assert_int_equal(sandbox_feed(sb, pattern, MIB), 0);
	live[0] = NULL;
	sandbox_abort(sb);
	assert_true(now() - t0 < 2.5);
}

/* Two at once, fed in turn: neither sees the other's bytes or waits on
 * the other's descriptors. */
static void
test_two_at_once(void **state)
{
	struct sandbox *a, *b;
	struct sandbox_result ra, rb;
	struct collect ca = { 0 }, cb = { 0 };
	size_t off;

	(void)state;
	a = start(&lim_std, NULL, child_copy, NULL, &ca);
	b = start(&lim_std, NULL, child_copy, NULL, &cb);
	for (off = 0; off < 4 * MIB; off += PIECE) {
		assert_int_equal(sandbox_feed(a, pattern + off, PIECE), 0);
		assert_int_equal(
		    sandbox_feed(b, pattern + BIG - 4 * MIB + off, PIECE), 0);
	}
	assert_int_equal(finish(b, &rb), 0);
	assert_int_equal(finish(a, &ra), 0);
	assert_int_equal(ca.len, 4 * MIB);
	assert_int_equal(cb.len, 4 * MIB);
	assert_memory_equal(ca.buf, pattern, 4 * MIB);
	assert_memory_equal(cb.buf, pattern + BIG - 4 * MIB, 4 * MIB);
	free(ca.buf);
	free(cb.buf);
}

static void
test_strerror(void **state)
{
	int o;

	(void)state;
	for (o = SANDBOX_OK; o <= SANDBOX_ERROR; o++)
		assert_true(strlen(sandbox_strerror(o)) > 0);
	assert_string_equal(sandbox_strerror(SANDBOX_OK), "cleaned");
}

/* ---- cost --------------------------------------------------------------- */

/* fork + limits + filter + exit with an empty document, 200 times, beside
 * a bare fork + _exit + waitpid from the same process: fork's cost grows
 * with the parent's resident memory (this one holds 50 MiB of pattern),
 * the sandbox's own share should not. */
static void
test_cost(void **state)
{
	struct run r;
	double t0, per, bare;
	int i, n = 200;
	pid_t p;

	(void)state;
	t0 = now();
	for (i = 0; i < n; i++) {
		if ((p = fork()) == 0)
			_exit(0);
		assert_true(p > 0);
		assert_int_equal(waitpid(p, NULL, 0), p);
	}
	bare = (now() - t0) / n;
	t0 = now();
	for (i = 0; i < n; i++) {
		run(&r, &lim_std, NULL, child_empty, NULL, NULL, 0, PIECE);
		expect(&r, SANDBOX_OK, 0);
	}
	per = (now() - t0) / n;
	print_message("    one empty run: %.3f ms; a bare fork+exit here: "
		      "%.3f ms (means of %d)\n",
	    per * 1e3, bare * 1e3, n);
	/* A figure, not a timed test: the runs above must all succeed; how
	 * long they take is reported, and only an absurd cost (a second a
	 * run, a sign of something hanging) fails. */
	if (per - bare > 1.0)
		fail_msg(
		    "the sandbox added %.3f ms to a fork", (per - bare) * 1e3);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_copy_0),
		T(test_copy_1),
		T(test_copy_1mib),
		T(test_copy_50mib),
		T(test_copy_odd_pieces),
		T(test_report),
		T(test_report_cap),
		T(test_nonzero_return),
		T(test_allowed_calls),
		T(test_cpu_limit),
		T(test_wall_timeout),
		T(test_parent_watchdog),
		T(test_child_alarm),
		T(test_finish_after_deadline),
		T(test_memory_limit),
		T(test_output_cap),
		T(test_output_cap_exact),
		T(test_never_reads),
		T(test_no_deadlock),
		T(test_dies_mid_feed),
		T(test_no_sigpipe),
		T(test_sink_failure),
		T(test_child_setup),
		T(test_fails_closed),
		T(test_thread_fork),
		T(test_bad_arguments),
		T(test_abort),
		T(test_two_at_once),
		T(test_strerror),
		T(test_cost),
	};
	/* One group, so that tests/run reads one summary: the fixed tests,
	 * then one named test per forbidden call (the table entry is its
	 * initial state). */
	struct CMUnitTest all[sizeof(tests) / sizeof(tests[0]) + NFORBIDDEN];
	char names[NFORBIDDEN][64];
	size_t i, n = sizeof(tests) / sizeof(tests[0]);

	if (under_valgrind()) {
		const struct CMUnitTest none[] = {
			cmocka_unit_test(test_skipped_under_valgrind),
		};
		return cmocka_run_group_tests(none, NULL, NULL);
	}
	memcpy(all, tests, sizeof(tests));
	for (i = 0; i < NFORBIDDEN; i++) {
		snprintf(names[i], sizeof(names[i]), "dies_at_%s",
		    forbidden[i].name);
		all[n + i] = (struct CMUnitTest){ names[i], test_forbidden,
			setup, teardown, (void *)&forbidden[i] };
	}
	return _cmocka_run_group_tests(
	    "sandbox", all, n + NFORBIDDEN, group_setup, group_teardown);
}
