/*
 * sandbox.h — run the parsing of an untrusted document in a forked child
 * that can do nothing but read its input, write its output and its report,
 * manage non-executable memory, and exit.
 *
 * The parent streams the document to the child (sandbox_feed) while it
 * drains the cleaned output into a sink and the report into a fixed buffer;
 * sandbox_finish says how the child ended. Only SANDBOX_OK means "cleaned":
 * every other outcome (a signal, a non-zero exit, output or report over its
 * cap, the wall-clock watchdog, a setup failure) means "not cleaned", and
 * whatever reached the sink must be discarded.
 *
 * The child, before the caller's fn runs:
 *   - signal handlers reset to SIG_DFL, mask cleared;
 *   - descriptors: 0, 1, 2 are /dev/null (stray stdio dies at the filter
 *     instead of landing in the document), SANDBOX_FD_IN a socket,
 *     SANDBOX_FD_OUT and SANDBOX_FD_REP pipes, every other one closed;
 *   - rlimits: RLIMIT_AS = the address space inherited at fork + mem_bytes
 *     (a daemon's threads and arenas can inherit hundreds of MiB; prep's
 *     mappings, such as magic_load's database, count in mem_bytes),
 *     RLIMIT_CPU = cpu_seconds (SIGXCPU, then SIGKILL one second later),
 *     RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_CORE = 0, RLIMIT_NOFILE = the six
 *     descriptors above + 1 (one slot for prep's transient opens);
 *   - PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE 0, PR_SET_PDEATHSIG SIGKILL,
 *     READ_IMPLIES_EXEC cleared, alarm(wall) as its own watchdog, glibc
 *     malloc told never to trim (trimming a thread arena needs openat and
 *     madvise);
 *   - prep(arg), then the seccomp filter (default: kill the process):
 *       read(SANDBOX_FD_IN), write(SANDBOX_FD_OUT), write(SANDBOX_FD_REP),
 *       brk, munmap, mremap,
 *       mmap with PROT_EXEC clear and MAP_ANONYMOUS set,
 *       mprotect with PROT_EXEC clear,
 *       getrandom, exit, exit_group.
 * If any step fails, the child writes one line to its report and exits with
 * SANDBOX_EXIT_SETUP before fn runs: the sandbox fails closed and no build
 * flag or setting turns it off.
 *
 * The caller's process must not reap children it did not start
 * (waitpid(-1, ...), or SIGCHLD set to SIG_IGN): the sandbox reaps its own.
 * Requires Linux >= 5.9 (pidfd_open, close_range) and sodium_init().
 */
#ifndef POSTERN_SANDBOX_H
#define POSTERN_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

/* Cap on the report; a longer one is SANDBOX_TOO_BIG. */
#define SANDBOX_REPORT_MAX 4096

/* The wall-clock watchdog: SANDBOX_WALL_FACTOR * cpu_seconds from
 * sandbox_start, for the whole run (feeding included). */
#define SANDBOX_WALL_FACTOR 3
/* Largest cpu_seconds accepted. */
#define SANDBOX_CPU_MAX 3600

/* Descriptor numbers in the child (fn is also given them as arguments). */
#define SANDBOX_FD_IN 3
#define SANDBOX_FD_OUT 4
#define SANDBOX_FD_REP 5

/* Exit status of a child whose setup failed (its report says which step);
 * fn did not run. */
#define SANDBOX_EXIT_SETUP 125

/* result.code for SANDBOX_TOO_BIG: which cap was passed. */
#define SANDBOX_TOO_BIG_OUTPUT 1
#define SANDBOX_TOO_BIG_REPORT 2

struct sandbox_limits {
	uint64_t mem_bytes;   /* address space the child may add to what
				 it inherits at fork (RLIMIT_AS) */
	unsigned cpu_seconds; /* RLIMIT_CPU, 1..SANDBOX_CPU_MAX; the wall
				 watchdog is SANDBOX_WALL_FACTOR times it */
	uint64_t out_max;     /* cap on cleaned output bytes; past it the
				 child is killed */
};

enum sandbox_outcome {
	SANDBOX_OK,	 /* exited 0 within every limit: cleaned */
	SANDBOX_EXIT,	 /* exited non-zero; code = the status */
	SANDBOX_SIGNAL,	 /* killed by a signal; code = its number
			    (SIGSYS: a forbidden system call; SIGXCPU or
			    SIGKILL: CPU time) */
	SANDBOX_TOO_BIG, /* output over out_max or report over
			    SANDBOX_REPORT_MAX; code = SANDBOX_TOO_BIG_* */
	SANDBOX_TIMEOUT, /* the wall watchdog ended it; code = the signal
			    (SIGKILL from the parent, SIGALRM its own) */
	SANDBOX_ERROR	 /* the caller's side failed (the sink, a system
			    call); code = errno */
};

struct sandbox_result {
	enum sandbox_outcome outcome;
	int code;	    /* see enum sandbox_outcome */
	uint64_t out_bytes; /* bytes handed to the sink */
	/* What the child wrote on its report descriptor, NUL-terminated, at
	 * most SANDBOX_REPORT_MAX bytes. Written by an untrusted process:
	 * it may hold any bytes, NULs included; validate before use. */
	char report[SANDBOX_REPORT_MAX + 1];
	size_t report_len;
};

/*
 * The child's work: read the document on in, write the cleaned document on
 * out and a short report on rep; return 0 for success (the child then
 * exits 0), non-zero otherwise (it exits 1). It runs under the filter: it
 * may only read(in), write(out or rep), allocate memory and return. It must
 * not call exit() (the parent's atexit handlers and stdio buffers are
 * inherited), printf, abort, time functions that need a system call, or
 * anything that starts a thread or takes a contended lock.
 */
typedef int (*sandbox_fn)(int in, int out, int rep, void *arg);

/*
 * Optional: runs in the child after the descriptors and limits are set and
 * before the filter, for warm-ups that need system calls the filter
 * forbids (libqpdf's first exception, expat's hash salt, tzset,
 * magic_load). It can open one file at a time.
 */
typedef void (*sandbox_prep_fn)(void *arg);

/* Receives the cleaned output as it arrives, at most out_max bytes in all;
 * buf is wiped after the call. Non-zero stops the run (SANDBOX_ERROR). */
typedef int (*sandbox_sink_fn)(void *sink_arg, const uint8_t *buf, size_t len);

struct sandbox;

/*
 * Fork the child and start the wall-clock watchdog. prep may be NULL.
 * NULL with errno on failure (EINVAL: a limit out of range). The caller
 * must end every sandbox with sandbox_finish or sandbox_abort.
 */
struct sandbox *sandbox_start(const struct sandbox_limits *,
    sandbox_prep_fn prep, sandbox_fn fn, void *arg, sandbox_sink_fn sink,
    void *sink_arg);

/*
 * Push len bytes of input to the child, draining its output into the sink
 * and its report meanwhile; never blocks past the watchdog, whatever the
 * child does. 0 when every byte was taken; -1 with errno otherwise: EPIPE
 * (the child stopped reading: it exited or died), ETIMEDOUT, EFBIG (a cap
 * was passed), or the sink's or a system call's failure. After -1, call
 * sandbox_finish for the outcome (or sandbox_abort). EPIPE followed by
 * SANDBOX_OK means fn returned 0 without reading everything (a parser that
 * stops at its format's end marker): the caller decides whether that is
 * acceptable. The caller's buffer is not copied or kept.
 */
int sandbox_feed(struct sandbox *, const uint8_t *buf, size_t len);

/*
 * No more input: close the child's input, drain, wait for its end (killing
 * it at the watchdog), fill *result, reap the child and free everything,
 * whatever the outcome. Returns 0 when result->outcome is SANDBOX_OK, -1
 * otherwise (result says why).
 */
int sandbox_finish(struct sandbox *, struct sandbox_result *result);

/* Kill and reap the child, free everything. NULL is fine. */
void sandbox_abort(struct sandbox *);

/* A short English phrase for an outcome, for logs and NOT CLEANED notes. */
const char *sandbox_strerror(enum sandbox_outcome);

#endif
