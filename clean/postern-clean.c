/*
 * postern-clean — remove identifying metadata from one document, with the
 * same sandboxed stripper posternd runs on every upload.
 *
 *     postern-clean IN OUT [--report FILE]
 *     postern-clean -d DIR [--reports] IN...
 *
 * Exit 0: OUT holds the cleaned document. 3: the type is not supported
 * (OUT is not written). 2: usage. 1: any other failure, with one line on
 * stderr; OUT is not written. The report (JSON: detected type, the names
 * of the removed fields, never their values, and warnings) is written
 * whenever the document was looked at, cleaned or not.
 *
 * With -d, each IN is cleaned into DIR under its own name (and its report
 * written as NAME.report.json with --reports); the status is the worst of
 * the files' (1 over 3 over 0), each failure with its line on stderr.
 *
 * OUT is written beside its final name and linked into place only when
 * complete, so a failure never leaves a partial file; an existing OUT or
 * report is never replaced, and a report that could not be written whole
 * is removed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <magic.h>
#include <sodium.h>

#include "postern/age.h"
#include "postern/strip.h"

#define EXIT_UNSUPPORTED 3
#define CHUNK 65536

static const char *prog = "postern-clean";

static void
usage(void)
{
	fprintf(stderr, "usage: %s IN OUT [--report FILE]\n"
	    "       %s -d DIR [--reports] IN...\n", prog, prog);
	exit(2);
}

/* The temp file OUT is written to, then linked into place. */
struct out {
	int fd;
	char tmp[PATH_MAX];
};

static int
out_open(struct out *o, const char *path)
{
	char copy[PATH_MAX];
	int n;

	if (snprintf(copy, sizeof(copy), "%s", path) >= (int)sizeof(copy))
		return errno = ENAMETOOLONG, -1;
	n = snprintf(o->tmp, sizeof(o->tmp), "%s/.postern-clean-XXXXXX",
	    dirname(copy));
	if (n < 0 || (size_t)n >= sizeof(o->tmp))
		return errno = ENAMETOOLONG, -1;
	if ((o->fd = mkostemp(o->tmp, O_CLOEXEC)) < 0)
		return -1;
	return 0;
}

static void
out_discard(struct out *o)
{
	if (o->fd >= 0) {
		close(o->fd);
		unlink(o->tmp);
		o->fd = -1;
	}
}

/* fsync, then link into place without replacing anything. */
static int
out_commit(struct out *o, const char *path)
{
	int rc = -1;

	if (fsync(o->fd) == 0 && link(o->tmp, path) == 0)
		rc = 0;
	out_discard(o);
	return rc;
}

static int
write_report(const char *path, const struct strip_outcome *oc)
{
	char *json = strip_outcome_json(oc);
	FILE *f = NULL;
	int fd, rc = -1;

	if (json == NULL)
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd >= 0 && (f = fdopen(fd, "w")) == NULL)
		close(fd);
	if (f != NULL && fprintf(f, "%s\n", json) > 0 && fflush(f) == 0)
		rc = 0;
	if (f != NULL && fclose(f) != 0)
		rc = -1;
	if (rc != 0 && fd >= 0)
		unlink(path);	/* no half-written report */
	free(json);
	return rc;
}

/* Feed the whole of in to the job; a child that stops reading early is
 * not an error here (strip_finish says how it ended). */
static int
feed(int in, struct strip_job *job)
{
	uint8_t *buf;
	ssize_t r;
	int rc = 0;

	if ((buf = sodium_malloc(CHUNK)) == NULL)
		return -1;
	for (;;) {
		r = read(in, buf, CHUNK);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			rc = r < 0 ? -1 : 0;
			break;
		}
		if (strip_feed(job, buf, (size_t)r) != 0)
			break;
	}
	sodium_memzero(buf, CHUNK);
	sodium_free(buf);
	return rc;
}

static magic_t
load_magic(void)
{
	magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);

	if (m != NULL && magic_load(m, NULL) != 0) {
		magic_close(m);
		m = NULL;
	}
	return m;
}

/* Refuse early, with a clear line, an OUT that already exists. */
static int
out_is_free(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0) {
		fprintf(stderr, "%s: %s: already exists\n", prog, path);
		return 0;
	}
	if (errno != ENOENT) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		return 0;
	}
	return 1;
}

static int
open_input(const char *path, struct stat *st)
{
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, st) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		fprintf(stderr, "%s: %s: not a regular file\n", prog, path);
		close(fd);
		return -1;
	}
	return fd;
}

/* Run the stripper on in; the outcome in *oc. -1 when it could not run. */
static int
run(int in, uint64_t size, magic_t magic, struct out *out,
    struct strip_outcome *oc, const char *in_path)
{
	struct strip_job *job;

	if ((job = strip_start(magic, size, age_sink_fd, &out->fd)) == NULL) {
		fprintf(stderr, "%s: cannot start the sandbox: %s\n", prog,
		    strerror(errno));
		return -1;
	}
	if (feed(in, job) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, in_path, strerror(errno));
		strip_abort(job);
		return -1;
	}
	strip_finish(job, oc);
	return 0;
}

/*
 * Clean in_path into out_path (report to report_path when not NULL).
 * Returns the exit status for this one file: 0, EXIT_UNSUPPORTED or 1.
 */
static int
clean_one(magic_t magic, const char *in_path, const char *out_path,
    const char *report_path)
{
	struct strip_outcome *oc = NULL;
	struct out out = { -1, "" };
	struct stat st;
	int in, status = 1;

	if ((in = open_input(in_path, &st)) < 0)
		return 1;
	if (!out_is_free(out_path) ||
	    (report_path != NULL && !out_is_free(report_path)))
		goto done;
	if ((oc = calloc(1, sizeof(*oc))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", prog);
		goto done;
	}
	if (out_open(&out, out_path) != 0) {
		fprintf(stderr, "%s: %s: cannot create a file beside it: %s\n",
		    prog, out_path, strerror(errno));
		goto done;
	}
	if (run(in, (uint64_t)st.st_size, magic, &out, oc, in_path) != 0)
		goto done;
	strip_note_claims(oc, in_path, NULL);
	if (report_path != NULL && write_report(report_path, oc) != 0) {
		fprintf(stderr, "%s: %s: cannot write the report: %s\n", prog,
		    report_path, strerror(errno));
		goto done;
	}
	if (oc->status == STRIP_NOT_SUPPORTED) {
		fprintf(stderr, "%s: %s: not supported: %s (%s)\n", prog,
		    in_path, oc->reason, oc->type[0] ? oc->type : "unknown type");
		status = EXIT_UNSUPPORTED;
	} else if (oc->status != STRIP_CLEANED)
		fprintf(stderr, "%s: %s: not cleaned: %s\n", prog, in_path,
		    oc->reason);
	else if (out_commit(&out, out_path) != 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, out_path,
		    strerror(errno));
		if (report_path != NULL)
			unlink(report_path);	/* it would describe no file */
	} else
		status = 0;
done:
	out_discard(&out);
	free(oc);
	close(in);
	return status;
}

/* DIR/base(in)[suffix] into buf; -1 if it does not fit. */
static int
path_in(char *buf, size_t len, const char *dir, const char *in,
    const char *suffix)
{
	const char *base = strrchr(in, '/');
	int n;

	base = base ? base + 1 : in;
	n = snprintf(buf, len, "%s/%s%s", dir, base, suffix);
	if (n < 0 || (size_t)n >= len || base[0] == '\0') {
		fprintf(stderr, "%s: %s: cannot name its output in %s\n", prog,
		    in, dir);
		return -1;
	}
	return 0;
}

/*
 * Batch mode: each IN into DIR under its own name, its report beside it
 * as NAME.report.json when asked. The worst status wins: 1 over 3 over 0.
 */
static int
clean_many(magic_t magic, const char *dir, int reports, char **in, int n)
{
	char out[PATH_MAX], rep[PATH_MAX];
	int i, rc, worst = 0;

	for (i = 0; i < n; i++) {
		if (path_in(out, sizeof(out), dir, in[i], "") != 0 ||
		    (reports && path_in(rep, sizeof(rep), dir, in[i],
		    ".report.json") != 0))
			rc = 1;
		else
			rc = clean_one(magic, in[i], out, reports ? rep : NULL);
		if (rc == 1 || (rc == EXIT_UNSUPPORTED && worst == 0))
			worst = rc;
	}
	return worst;
}

int
main(int argc, char **argv)
{
	const char *dir = NULL;
	magic_t magic;
	int status, reports = 0, first = 1;

	if (argc >= 3 && strcmp(argv[1], "-d") == 0) {
		dir = argv[2];
		first = 3;
		if (argc > first && strcmp(argv[first], "--reports") == 0) {
			reports = 1;
			first++;
		}
		if (argc == first)
			usage();
	} else if (!(argc == 3 || (argc == 5 &&
	    strcmp(argv[3], "--report") == 0)))
		usage();
	if (sodium_init() < 0) {
		fprintf(stderr, "%s: cannot initialise libsodium\n", prog);
		return 1;
	}
	if ((magic = load_magic()) == NULL) {
		fprintf(stderr, "%s: cannot load the libmagic database\n", prog);
		return 1;
	}
	if (dir != NULL)
		status = clean_many(magic, dir, reports, argv + first,
		    argc - first);
	else
		status = clean_one(magic, argv[1], argv[2],
		    argc == 5 ? argv[4] : NULL);
	magic_close(magic);
	return status;
}
