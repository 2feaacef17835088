/*
 * broker.c — the strip broker: the one process posternd forks, at start-up
 * and before any thread or upload exists, to start the sandboxed stripper
 * for each document.
 *
 * posternd itself never forks once it serves: it is multi-threaded, and it
 * holds other uploads' plaintext and temp-file keys in memory, which a
 * child forked from it would inherit. The broker is forked while posternd
 * holds no submission yet; it loads its own libmagic database, keeps one
 * control socket and closes every other descriptor, and dies with
 * posternd (PR_SET_PDEATHSIG, or the control socket's end of file).
 *
 * A job: posternd makes a socketpair and sends one end to the broker with
 * SCM_RIGHTS and the document's size. The broker forks a job process for
 * it and goes back to waiting (it reaps its jobs; it has no other child).
 * The job process runs lib/strip.c's sandboxed child on the document it
 * reads from the job socket, and writes back frames:
 *
 *     tag (1 byte) | length (4 bytes, host order) | bytes
 *     'D'  1..FRAME_MAX bytes of the cleaned document
 *     'O'  exactly sizeof(struct strip_outcome): the outcome, last
 *
 * The job process reads all `size` bytes before it waits for the outcome,
 * so posternd writes the document then reads the frames; it still reads
 * while it writes (a job that writes early must not block both sides),
 * and every wait has a deadline, so a stuck peer is an error, never a
 * hang. The outcome comes from our own code in the job process, not from
 * the sandboxed child (lib/strip.c validated the child's report); posternd
 * still checks its every field before use.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <magic.h>
#include <sodium.h>

#include "postern/sandbox.h"
#include "posternd.h"

#define FRAME_MAX (64 * 1024)	   /* bytes of one data frame */
#define FRAME_HDR 5
#define TAG_DATA 'D'
#define TAG_OUTCOME 'O'
#define CTL_FD 3		   /* the control socket in the broker */
#define JOB_IO_TIMEOUT 120	   /* s: the job process's socket timeouts */
#define READY_TIMEOUT_MS 10000	   /* the broker's start-up */
#define REAP_INTERVAL_MS 1000
/* posternd's deadline for a whole job: the sandbox's own wall-clock
 * watchdog for this size (strip_wall_seconds) and a margin for the
 * forks. */
#define JOB_MARGIN 30

_Static_assert(sizeof(struct strip_outcome) <= FRAME_MAX,
    "the outcome fits one frame");

/* The header of a job request on the control socket. */
struct job_req {
	uint64_t size;
};

/* ---- the job process ------------------------------------------------- */

static int
send_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, b, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
send_frame(int fd, char tag, const void *p, size_t n)
{
	uint8_t hdr[FRAME_HDR];
	uint32_t len = (uint32_t)n;

	hdr[0] = (uint8_t)tag;
	memcpy(hdr + 1, &len, sizeof(len));
	if (send_all(fd, hdr, sizeof(hdr)) != 0)
		return -1;
	return send_all(fd, p, n);
}

/* The stripper's sink in the job process: data frames to posternd. */
static int
job_sink(void *arg, const uint8_t *buf, size_t len)
{
	int fd = *(int *)arg;
	size_t n;

	while (len > 0) {
		n = len > FRAME_MAX ? FRAME_MAX : len;
		if (send_frame(fd, TAG_DATA, buf, n) != 0)
			return -1;
		buf += n;
		len -= n;
	}
	return 0;
}

/* Read the size bytes announced and feed them to the job; once the child
 * stops taking them, the rest is read and dropped. -1 when posternd's
 * side ended before sending them all. */
static int
job_feed(int fd, uint64_t size, struct strip_job *j)
{
	uint8_t *buf;
	uint64_t got = 0;
	ssize_t r;
	int taking = j != NULL, rc = -1;

	if ((buf = sodium_malloc(FRAME_MAX)) == NULL)
		return -1;
	while (got < size) {
		r = recv(fd, buf, size - got < FRAME_MAX ? (size_t)(size - got) :
		    FRAME_MAX, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			goto out;
		got += (uint64_t)r;
		if (taking && strip_feed(j, buf, (size_t)r) != 0)
			taking = 0;
		sodium_memzero(buf, (size_t)r);
	}
	rc = 0;
out:
	sodium_free(buf);
	return rc;
}

static void __attribute__((noreturn))
job_main(int fd, uint64_t size, magic_t magic)
{
	struct timeval tv = { JOB_IO_TIMEOUT, 0 };
	struct strip_outcome *o;
	struct strip_job *j;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	prctl(PR_SET_NAME, "postern-job", 0, 0, 0);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if ((o = calloc(1, sizeof(*o))) == NULL)
		_exit(1);
	if ((j = strip_start(magic, size, job_sink, &fd)) == NULL) {
		o->status = STRIP_NOT_CLEANED;
		snprintf(o->reason, sizeof(o->reason), "the sandbox could not "
		    "start: %s", strerror(errno));
		if (job_feed(fd, size, NULL) != 0)
			_exit(1);
	} else if (job_feed(fd, size, j) != 0) {
		strip_abort(j);
		_exit(1);
	} else
		strip_finish(j, o);
	if (send_frame(fd, TAG_OUTCOME, o, sizeof(*o)) != 0)
		_exit(1);
	shutdown(fd, SHUT_WR);
	_exit(0);
}

/* ---- the broker ------------------------------------------------------ */

/* One job request: the size and the job socket. -1 on a malformed one,
 * 0 on the control socket's end of file, 1 with *fd on success. */
static int
recv_job(int ctl, uint64_t *size, int *fd)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct job_req req;
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	while ((n = recvmsg(ctl, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR)
		;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	c = CMSG_FIRSTHDR(&msg);
	if (c == NULL || c->cmsg_level != SOL_SOCKET ||
	    c->cmsg_type != SCM_RIGHTS || c->cmsg_len != CMSG_LEN(sizeof(int)))
		return -1;
	memcpy(fd, CMSG_DATA(c), sizeof(int));
	if ((size_t)n != sizeof(req) || (msg.msg_flags & (MSG_TRUNC |
	    MSG_CTRUNC))) {
		close(*fd);
		return -1;
	}
	*size = req.size;
	return 1;
}

static void
reap(unsigned *jobs)
{
	while (*jobs > 0 && waitpid(-1, NULL, WNOHANG) > 0)
		(*jobs)--;
}

static void __attribute__((noreturn))
broker_loop(int ctl, magic_t magic, unsigned max_jobs)
{
	struct pollfd p = { ctl, POLLIN, 0 };
	unsigned jobs = 0;
	uint64_t size;
	pid_t pid;
	int fd, r;

	for (;;) {
		reap(&jobs);
		if (poll(&p, 1, REAP_INTERVAL_MS) <= 0)
			continue;
		if ((r = recv_job(ctl, &size, &fd)) == 0)
			_exit(0);
		if (r < 0)
			continue;
		/* posternd's worker pool bounds the jobs; this bounds a
		 * posternd gone wrong. Closing the socket fails that job. */
		if (jobs >= max_jobs || (pid = fork()) < 0) {
			close(fd);
			continue;
		}
		if (pid == 0) {
			close(ctl);
			job_main(fd, size, magic);
		}
		jobs++;
		close(fd);
	}
}

static void __attribute__((noreturn))
broker_main(int ctl, pid_t parent, unsigned max_jobs)
{
	magic_t magic;
	char ready = 'R';

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != parent)
		_exit(1);
	prctl(PR_SET_NAME, "postern-broker", 0, 0, 0);
	/* posternd stops on SIGINT or SIGTERM; the broker and its jobs end
	 * when it has closed the control socket, after the last upload. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	if (ctl != CTL_FD) {
		if (dup2(ctl, CTL_FD) < 0)
			_exit(1);
		ctl = CTL_FD;
	}
	/* stdin, stdout and stderr stay (stderr is posternd's log). */
	if (close_range(CTL_FD + 1, ~0U, 0) != 0)
		_exit(1);
	if ((magic = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS)) ==
	    NULL || magic_load(magic, NULL) != 0) {
		log_msg("strip broker: libmagic: %s", magic ?
		    magic_error(magic) : "cannot initialise");
		_exit(1);
	}
	if (send(ctl, &ready, 1, MSG_NOSIGNAL) != 1)
		_exit(1);
	broker_loop(ctl, magic, max_jobs);
}

int
broker_start(struct server *srv)
{
	struct pollfd p;
	char ready = 0;
	pid_t parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_msg("strip broker: socketpair: %s", strerror(errno));
		return -1;
	}
	if ((srv->broker_pid = fork()) < 0) {
		log_msg("strip broker: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (srv->broker_pid == 0) {
		close(sv[0]);
		broker_main(sv[1], parent, 2 * srv->cfg->max_workers + 2);
	}
	close(sv[1]);
	srv->broker_fd = sv[0];
	p = (struct pollfd){ sv[0], POLLIN, 0 };
	if (poll(&p, 1, READY_TIMEOUT_MS) != 1 ||
	    recv(sv[0], &ready, 1, 0) != 1 || ready != 'R') {
		log_msg("strip broker: did not start");
		broker_stop(srv);
		return -1;
	}
	return 0;
}

void
broker_stop(struct server *srv)
{
	if (srv->broker_fd >= 0)
		close(srv->broker_fd);
	srv->broker_fd = -1;
	if (srv->broker_pid > 0)
		while (waitpid(srv->broker_pid, NULL, 0) < 0 && errno == EINTR)
			;
	srv->broker_pid = 0;
}

/* ---- posternd's side of a job ------------------------------------------ */

struct bjob {
	int fd;
	strip_sink_fn sink;
	void *sink_arg;
	struct strip_outcome *out;
	struct timespec deadline;
	uint8_t hdr[FRAME_HDR];
	size_t hgot;		/* header bytes in hdr */
	uint8_t *body;		/* FRAME_MAX bytes, sodium_malloc'd */
	uint32_t blen;		/* the current frame's length */
	size_t bgot;
	uint64_t data;		/* cleaned bytes handed to the sink */
	int done;		/* the outcome arrived */
	int eof;
};

static int
ms_left(const struct bjob *j)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(j->deadline.tv_sec - now.tv_sec) * 1000 +
	    (j->deadline.tv_nsec - now.tv_nsec) / 1000000;
	return ms <= 0 ? 0 : ms > 60000 ? 60000 : (int)ms;
}

/* The outcome as sent: every string cut to its array, every count in
 * range. */
static int
outcome_take(struct bjob *j)
{
	struct strip_outcome *o = j->out;
	size_t i;

	memcpy(o, j->body, sizeof(*o));
	if (o->status != STRIP_CLEANED && o->status != STRIP_NOT_SUPPORTED &&
	    o->status != STRIP_NOT_CLEANED)
		return -1;
	if (o->nremoved > STRIP_OUT_REMOVED_MAX ||
	    o->nwarn > STRIP_OUT_WARN_MAX || o->nkept > STRIP_OUT_KEPT_MAX)
		return -1;
	o->type[sizeof(o->type) - 1] = '\0';
	o->format[sizeof(o->format) - 1] = '\0';
	o->reason[sizeof(o->reason) - 1] = '\0';
	for (i = 0; i < STRIP_OUT_REMOVED_MAX; i++)
		o->removed[i][sizeof(o->removed[i]) - 1] = '\0';
	for (i = 0; i < STRIP_OUT_WARN_MAX; i++)
		o->warn[i][sizeof(o->warn[i]) - 1] = '\0';
	for (i = 0; i < STRIP_OUT_KEPT_MAX; i++)
		o->kept[i][sizeof(o->kept[i]) - 1] = '\0';
	/* The cleaned document is exactly what reached the sink. */
	if (o->status == STRIP_CLEANED && o->out_bytes != j->data)
		return -1;
	j->done = 1;
	return 0;
}

static int
frame_done(struct bjob *j)
{
	int rc;

	if (j->hdr[0] == TAG_OUTCOME)
		return outcome_take(j);
	rc = j->sink(j->sink_arg, j->body, j->blen);
	j->data += j->blen;
	sodium_memzero(j->body, j->blen);
	return rc == 0 ? 0 : -1;
}

static int
frame_header(struct bjob *j)
{
	memcpy(&j->blen, j->hdr + 1, sizeof(j->blen));
	j->bgot = 0;
	if (j->hdr[0] == TAG_DATA)
		return j->blen > 0 && j->blen <= FRAME_MAX ? 0 : -1;
	if (j->hdr[0] == TAG_OUTCOME)
		return j->blen == sizeof(struct strip_outcome) ? 0 : -1;
	return -1;
}

/* Read what the job process has sent, without blocking. 0, or -1 on a
 * malformed frame, a frame after the outcome, or the sink's failure. */
static int
pump(struct bjob *j)
{
	ssize_t r;

	for (;;) {
		if (j->hgot < FRAME_HDR)
			r = recv(j->fd, j->hdr + j->hgot, FRAME_HDR - j->hgot,
			    MSG_DONTWAIT);
		else
			r = recv(j->fd, j->body + j->bgot, j->blen - j->bgot,
			    MSG_DONTWAIT);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		if (r == 0) {
			j->eof = 1;
			return 0;
		}
		if (j->done)
			return -1;
		if (j->hgot < FRAME_HDR) {
			j->hgot += (size_t)r;
			if (j->hgot == FRAME_HDR && frame_header(j) != 0)
				return -1;
			continue;
		}
		j->bgot += (size_t)r;
		if (j->bgot == j->blen) {
			j->hgot = 0;
			if (frame_done(j) != 0)
				return -1;
		}
	}
}

/* tempfile_read's callback: the plaintext to the job, reading its frames
 * meanwhile. */
static int
bjob_feed(void *arg, const uint8_t *buf, size_t len)
{
	struct bjob *j = arg;
	struct pollfd p;
	ssize_t w;
	int ms;

	while (len > 0) {
		if ((ms = ms_left(j)) == 0)
			return errno = ETIMEDOUT, -1;
		p = (struct pollfd){ j->fd, POLLIN | POLLOUT, 0 };
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -1;
		if ((p.revents & (POLLIN | POLLHUP | POLLERR)) &&
		    (pump(j) != 0 || j->eof || j->done))
			return errno = EPIPE, -1;
		if (!(p.revents & POLLOUT))
			continue;
		w = send(j->fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* After the document: the frames up to the outcome. */
static int
bjob_wait(struct bjob *j)
{
	struct pollfd p;
	int ms;

	while (!j->done) {
		if (j->eof)
			return errno = EPIPE, -1;
		if ((ms = ms_left(j)) == 0)
			return errno = ETIMEDOUT, -1;
		p = (struct pollfd){ j->fd, POLLIN, 0 };
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -1;
		if (p.revents != 0 && pump(j) != 0)
			return errno = EPROTO, -1;
	}
	/* Nothing may follow the outcome. */
	while (!j->eof) {
		if ((ms = ms_left(j)) == 0)
			return errno = ETIMEDOUT, -1;
		p = (struct pollfd){ j->fd, POLLIN, 0 };
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return -1;
		if (p.revents != 0 && pump(j) != 0)
			return errno = EPROTO, -1;
	}
	return 0;
}

/* Hand the job socket's other end to the broker, with the size. */
static int
send_job(struct server *srv, int fd, uint64_t size)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct job_req req = { size };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg;
	struct cmsghdr *c;
	ssize_t n;

	memset(&u, 0, sizeof(u));
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	pthread_mutex_lock(&srv->broker_mu);
	n = sendmsg(srv->broker_fd, &msg, MSG_NOSIGNAL);
	pthread_mutex_unlock(&srv->broker_mu);
	return n == (ssize_t)sizeof(req) ? 0 : -1;
}

static void
deadline_for(struct bjob *j, uint64_t size)
{
	clock_gettime(CLOCK_MONOTONIC, &j->deadline);
	j->deadline.tv_sec += (time_t)strip_wall_seconds(size) + JOB_MARGIN;
}

int
broker_strip(struct server *srv, struct upload *u, strip_sink_fn sink,
    void *sink_arg, struct strip_outcome *out)
{
	struct bjob j;
	int sv[2] = { -1, -1 }, rc = -1;

	memset(&j, 0, sizeof(j));
	j.fd = -1;
	j.sink = sink;
	j.sink_arg = sink_arg;
	j.out = out;
	deadline_for(&j, u->size);
	if ((j.body = sodium_malloc(FRAME_MAX)) == NULL)
		goto out;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		goto out;
	j.fd = sv[0];
	if (send_job(srv, sv[1], u->size) != 0) {
		log_msg("strip broker: cannot reach it: %s", strerror(errno));
		goto out;
	}
	close(sv[1]);
	sv[1] = -1;
	if (tempfile_read(u->tmp, bjob_feed, &j) != 0) {
		log_msg("strip job: sending the document failed: %s",
		    strerror(errno));
		goto out;
	}
	shutdown(j.fd, SHUT_WR);
	if (bjob_wait(&j) != 0) {
		log_msg("strip job: no outcome: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (sv[1] >= 0)
		close(sv[1]);
	if (j.fd >= 0)
		close(j.fd);
	if (j.body != NULL)
		sodium_free(j.body);
	return rc;
}
