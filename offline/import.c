/*
 * import.c — postern-open import BUNDLE -i IDENTITY… -o OUTDIR: verify a
 * bundle against the pinned server key, then unpack each submission into
 * a folder of its own (unpack.c), and write the receipt the admin carries
 * back for `postern-admin queue ack`.
 *
 * The whole bundle is refused, with nothing written, unless bundle_open
 * verifies it (signature, index, every item; docs/bundle.md). A
 * submission that cannot be imported is reported and leaves nothing
 * behind; the others still import, and the exit status is 1.
 *
 * OUTDIR/.postern-imported records the submissions imported there, one
 * line each, "<submission id> <folder>", after '#' comments; it is locked
 * while an import runs. A submission it lists, or whose folder is
 * already in place, is skipped and not imported twice. The receipt,
 * OUTDIR/receipt-<bundle id>.txt (then -2, -3… beside an older one),
 * lists every submission of the bundle imported now or before.
 *
 * Standard output: the receipt's path. Standard error: what happened to
 * each submission, and a progress line when it is a terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/bundle.h"
#include "postern/keyfile.h"
#include "postern-open.h"

#define RECORD_NAME ".postern-imported"
#define RECORD_MAX (64 * 1024 * 1024)
#define RECORD_HEAD "# postern-open: submissions imported into this folder\n"
#define RECEIPTS_MAX 1000

struct import {
	const char *bundle_path, *outdir, *trust_file;
	const char **ipaths;
	size_t nipaths;
	int passfd;
	uint8_t pk[SIGKEY_PUBLIC_BYTES];
	struct bundle *b;
	struct keyfile_identities ids;
	char (*keyids)[AGE_KEYID_STRLEN + 1];
	int outfd, recfd;
	char *record;       /* the record's text */
	const char **subs;  /* distinct submissions, in bundle order */
	size_t nsubs;
	const char **imported;
	size_t nimported, nnew, nalready, nfailed;
};

static int
parse_args(struct import *im, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "trust-file", required_argument, NULL, 'T' },
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 }
	};
	char err[OPEN_ERRLEN], *pos[1] = { NULL };
	size_t npos = 0;
	int ch;

	if ((im->ipaths = calloc((size_t)argc, sizeof(*im->ipaths))) == NULL) {
		open_fail("out of memory");
		return 1;
	}
	while ((ch = open_getopt(argc, argv, "+i:o:", lo, pos, 1,
	    &npos)) != -1) {
		if (ch == 'i')
			im->ipaths[im->nipaths++] = optarg;
		else if (ch == 'o')
			im->outdir = optarg;
		else if (ch == 'T')
			im->trust_file = optarg;
		else if (ch == 'P' && open_parse_fd(optarg, &im->passfd, err,
		    sizeof(err)) != 0) {
			open_fail("%s", err);
			return OPEN_EXIT_USAGE;
		} else if (ch != 'P')
			return open_usage();
	}
	if (npos != 1 || im->nipaths == 0 || im->outdir == NULL)
		return open_usage();
	im->bundle_path = pos[0];
	return 0;
}

/* The pinned key, then the bundle, verified whole against it. */
static int
verify(struct import *im)
{
	char path[PATH_MAX], err[OPEN_ERRLEN];
	size_t len = strlen(im->bundle_path);

	while (len > 1 && im->bundle_path[len - 1] == '/')
		len--;
	if (len >= 5 && strncmp(im->bundle_path + len - 5, ".part", 5) == 0) {
		open_fail("%s: an unfinished bundle (.part): refused",
		    im->bundle_path);
		return -1;
	}
	if (im->trust_file == NULL && trust_default_path(path, sizeof(path),
	    err, sizeof(err)) != 0) {
		open_fail("%s", err);
		return -1;
	}
	if (trust_load(im->trust_file ? im->trust_file : path, im->pk, err,
	    sizeof(err)) != 0 ||
	    (im->b = bundle_open(im->bundle_path, im->pk, err,
	    sizeof(err))) == NULL) {
		open_fail("%s", err);
		return -1;
	}
	return 0;
}

static int
load_identities(struct import *im)
{
	struct age_recipient *r;
	char err[OPEN_ERRLEN];
	size_t i;

	for (i = 0; i < im->nipaths; i++)
		if (identity_load(&im->ids, im->ipaths[i], im->passfd, err,
		    sizeof(err)) != 0) {
			open_fail("%s", err);
			return -1;
		}
	if ((im->keyids = calloc(im->ids.n, sizeof(*im->keyids))) == NULL) {
		open_fail("out of memory");
		return -1;
	}
	for (i = 0; i < im->ids.n; i++) {
		if ((r = age_identity_recipient(im->ids.v[i])) == NULL ||
		    age_recipient_keyid(r, im->keyids[i],
		    sizeof(im->keyids[i])) != 0)
			snprintf(im->keyids[i], sizeof(im->keyids[i]), "?");
		age_recipient_free(r);
	}
	return 0;
}

/* OUTDIR, made 0700 if missing, and its record, locked and read. */
static int
open_outdir(struct import *im)
{
	struct stat sb;
	ssize_t n;
	size_t len = 0;

	if (mkdir(im->outdir, 0700) != 0 && errno != EEXIST)
		goto fail;
	if ((im->outfd = open(im->outdir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) < 0)
		goto fail;
	im->recfd = openat(im->outfd, RECORD_NAME, O_RDWR | O_CREAT |
	    O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (im->recfd < 0 || fstat(im->recfd, &sb) != 0)
		goto fail_record;
	if (flock(im->recfd, LOCK_EX | LOCK_NB) != 0) {
		open_fail("%s: another import into this folder is running",
		    im->outdir);
		return -1;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > RECORD_MAX) {
		errno = EFBIG;
		goto fail_record;
	}
	if ((im->record = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail_record;
	while (len < (size_t)sb.st_size) {
		n = pread(im->recfd, im->record + len, (size_t)sb.st_size - len,
		    (off_t)len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			goto fail_record;
		len += (size_t)n;
	}
	im->record[len] = '\0';
	if (len == 0 && write(im->recfd, RECORD_HEAD, strlen(RECORD_HEAD)) !=
	    (ssize_t)strlen(RECORD_HEAD))
		goto fail_record;
	return 0;
fail_record:
	open_fail("%s/%s: %s", im->outdir, RECORD_NAME, strerror(errno));
	return -1;
fail:
	open_fail("%s: %s", im->outdir, strerror(errno));
	return -1;
}

/* The folder the record gives for sub, into name; 0 if it lists it. */
static int
recorded(const struct import *im, const char *sub, char *name)
{
	const char *p, *next;
	size_t n;

	for (p = im->record; *p != '\0'; p = next) {
		n = strcspn(p, "\n");
		next = p[n] == '\n' ? p + n + 1 : p + n;
		if (n < BUNDLE_ID_LEN || strncmp(p, sub, BUNDLE_ID_LEN) != 0 ||
		    (n > BUNDLE_ID_LEN && p[BUNDLE_ID_LEN] != ' '))
			continue;
		p += BUNDLE_ID_LEN + (n > BUNDLE_ID_LEN);
		n -= BUNDLE_ID_LEN + (n > BUNDLE_ID_LEN);
		snprintf(name, UNPACK_NAME_MAX, "%.*s", (int)(n <
		    UNPACK_NAME_MAX ? n : UNPACK_NAME_MAX - 1), p);
		return 0;
	}
	return -1;
}

static int
record_add(struct import *im, const char *sub, const char *name)
{
	char line[BUNDLE_ID_LEN + UNPACK_NAME_MAX + 3];
	int n = snprintf(line, sizeof(line), "%s %s\n", sub, name);

	if (write(im->recfd, line, (size_t)n) != n || fsync(im->recfd) != 0) {
		open_fail("%s/%s: %s", im->outdir, RECORD_NAME,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* The distinct submissions of the bundle, in order. */
static int
list_submissions(struct import *im)
{
	size_t i, j;

	if ((im->subs = calloc(im->b->nitems + 1, sizeof(*im->subs))) == NULL ||
	    (im->imported = calloc(im->b->nitems + 1,
	    sizeof(*im->imported))) == NULL) {
		open_fail("out of memory");
		return -1;
	}
	for (i = 0; i < im->b->nitems; i++) {
		for (j = 0; j < im->nsubs; j++)
			if (strcmp(im->subs[j], im->b->items[i].submission) == 0)
				break;
		if (j == im->nsubs)
			im->subs[im->nsubs++] = im->b->items[i].submission;
	}
	return 0;
}

/* One submission: skipped, imported, or failed (reported). */
static void
import_one(struct import *im, const struct unpack_ctx *c, const char *sub,
    size_t *idx)
{
	char name[UNPACK_NAME_MAX];
	enum unpack_result r;
	size_t i, n = 0;

	if (recorded(im, sub, name) == 0) {
		fprintf(stderr, "%s/%s: already imported, skipped\n",
		    im->outdir, name);
		im->nalready++;
		im->imported[im->nimported++] = sub;
		return;
	}
	for (i = 0; i < im->b->nitems; i++)
		if (strcmp(im->b->items[i].submission, sub) == 0)
			idx[n++] = i;
	r = unpack_submission(c, sub, idx, n, name);
	if (r == UNPACK_FAILED) {
		im->nfailed++;
		return;
	}
	if (record_add(im, sub, name) != 0)
		im->nfailed++;
	im->imported[im->nimported++] = sub;
	if (r == UNPACK_ALREADY) {
		im->nalready++;
		fprintf(stderr, "%s/%s: already imported, skipped\n",
		    im->outdir, name);
	} else {
		im->nnew++;
		fprintf(stderr, "%s/%s: imported\n", im->outdir, name);
	}
}

static int
import_all(struct import *im)
{
	struct unpack_ctx c = { im->b, im->ids.v, im->keyids, im->ids.n,
		im->outfd, im->outdir };
	int tty = isatty(STDERR_FILENO);
	size_t i, *idx;

	if ((idx = calloc(im->b->nitems + 1, sizeof(*idx))) == NULL) {
		open_fail("out of memory");
		return -1;
	}
	unpack_arm(1);
	for (i = 0; i < im->nsubs && !unpack_interrupted(); i++) {
		if (tty)
			fprintf(stderr, "importing %zu/%zu…\r", i + 1,
			    im->nsubs);
		import_one(im, &c, im->subs[i], idx);
	}
	unpack_arm(0);
	if (tty)
		fprintf(stderr, "%40s\r", "");
	free(idx);
	return 0;
}

static int
write_receipt(struct import *im)
{
	char name[BUNDLE_ID_LEN + 32], path[PATH_MAX], err[OPEN_ERRLEN];
	struct stat sb;
	int i;

	if (im->nimported == 0) {
		fprintf(stderr, "nothing imported: no receipt written\n");
		return 0;
	}
	for (i = 1; i <= RECEIPTS_MAX; i++) {
		if (i == 1)
			snprintf(name, sizeof(name), "receipt-%s.txt", im->b->id);
		else
			snprintf(name, sizeof(name), "receipt-%s-%d.txt",
			    im->b->id, i);
		if (fstatat(im->outfd, name, &sb, AT_SYMLINK_NOFOLLOW) != 0 &&
		    errno == ENOENT)
			break;
	}
	if (snprintf(path, sizeof(path), "%s/%s", im->outdir, name) >=
	    (int)sizeof(path) || i > RECEIPTS_MAX ||
	    receipt_write(path, im->b->id, im->imported, im->nimported, err,
	    sizeof(err)) != 0) {
		open_fail("%s", i > RECEIPTS_MAX ? "too many receipts for this "
		    "bundle already" : err);
		return -1;
	}
	fprintf(stderr, "%zu imported now, %zu imported before, %zu failed; "
	    "the receipt for postern-admin queue ack:\n", im->nnew,
	    im->nalready, im->nfailed);
	printf("%s\n", path);
	return 0;
}

static void
import_free(struct import *im)
{
	bundle_free(im->b);
	keyfile_identities_clear(&im->ids);
	free(im->keyids);
	free(im->ipaths);
	free(im->subs);
	free(im->imported);
	free(im->record);
	if (im->recfd >= 0)
		close(im->recfd);
	if (im->outfd >= 0)
		close(im->outfd);
}

int
import_main(int argc, char **argv)
{
	struct import im;
	int rc, sig;

	memset(&im, 0, sizeof(im));
	im.passfd = im.outfd = im.recfd = -1;
	if ((rc = parse_args(&im, argc, argv)) != 0)
		goto out;
	rc = 1;
	if (verify(&im) != 0 || load_identities(&im) != 0 ||
	    open_outdir(&im) != 0 || list_submissions(&im) != 0)
		goto out;
	unpack_remove_leftovers(im.outfd);
	if (import_all(&im) != 0)
		goto out;
	if ((sig = unpack_interrupted()) != 0) {
		import_free(&im);
		signal(sig, SIG_DFL);
		raise(sig);
		return 1;
	}
	if (write_receipt(&im) == 0 && im.nfailed == 0)
		rc = 0;
out:
	import_free(&im);
	return rc;
}
