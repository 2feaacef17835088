/*
 * pipeline.c — the stages after intake: strip and seal each file, seal
 * the manifest, store.
 *
 * Each file goes through the sandboxed stripper (broker.c), and what comes
 * back is encrypted into the spool as it arrives: the cleaned plaintext is
 * never on disk. Only a STRIP_CLEANED outcome keeps that item; otherwise
 * it is discarded and, as the config says, the original is sealed in its
 * place and marked NOT CLEANED (uncleanable = store) or the submission is
 * refused (uncleanable = refuse). With keep_original the original of each
 * cleaned file is sealed too, as an item of its own.
 *
 * Files reach the spool in two steps: sealed into ".<item>.tmp" (written,
 * fsync'ed), then all renamed to "<item>.age" and the directory fsync'ed,
 * then the SQLite commit. A crash before the commit leaves files that no
 * row names; pipeline_recover deletes them at the next start. So a
 * receipt means the submission is durable, and no receipt means no trace.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/keyfile.h"
#include "postern/manifest.h"
#include "posternd.h"

static int
spool_path(char *buf, size_t len, const struct server *srv, const char *item,
    int tmp)
{
	int n = tmp ? snprintf(buf, len, "%s/.%s.tmp", srv->spool_dir, item) :
	    snprintf(buf, len, "%s/%s.age", srv->spool_dir, item);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* A sink that writes to a file and counts. */
struct fd_sink {
	int fd;
	uint64_t n;
};

static int
sink_write(void *arg, const uint8_t *buf, size_t len)
{
	struct fd_sink *k = arg;

	if (age_sink_fd(&k->fd, buf, len) != 0)
		return -1;
	k->n += len;
	return 0;
}

struct seal_src {
	struct tempfile *tmp;   /* a file, or */
	const char *buf;        /* a buffer */
	size_t len;
};

static int
feed(void *arg, const uint8_t *buf, size_t len)
{
	return age_encrypt_update(arg, buf, len) == AGE_OK ? 0 : -1;
}

/* A spool temp file being written: the age encryptor and its file. */
struct sealer {
	struct age_encryptor *enc;
	struct fd_sink k;
};

/* Create u's spool temp file and start encrypting to the recipients. */
static int
seal_open(struct submission *s, struct upload *u,
    const struct keyfile_recipients *rl, struct sealer *z)
{
	char path[PATH_MAX];

	z->enc = NULL;
	z->k = (struct fd_sink){ -1, 0 };
	if (spool_path(path, sizeof(path), s->srv, u->item, 1) != 0)
		return -1;
	z->k.fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (z->k.fd < 0) {
		log_msg("%s: %s", path, strerror(errno));
		return -1;
	}
	u->sealed = 1;
	if (age_encrypt_new(&z->enc, rl->v, rl->n, sink_write, &z->k) !=
	    AGE_OK) {
		log_msg("sealing into the spool failed: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The last chunk, fsync, close. rc: whether the writing went well so
 * far; the sealer is freed either way. */
static int
seal_close(struct upload *u, struct sealer *z, int rc)
{
	if (rc == 0 && (age_encrypt_final(z->enc) != AGE_OK ||
	    fsync(z->k.fd) != 0))
		rc = -1;
	if (rc != 0)
		log_msg("sealing into the spool failed: %s", strerror(errno));
	else
		u->sealed_size = z->k.n;
	age_encrypt_free(z->enc);
	if (z->k.fd >= 0)
		close(z->k.fd);
	z->enc = NULL;
	z->k.fd = -1;
	return rc;
}

/* Throw away what was sealed so far for u. */
static void
seal_drop(struct submission *s, struct upload *u, struct sealer *z)
{
	char path[PATH_MAX];

	age_encrypt_free(z->enc);
	if (z->k.fd >= 0)
		close(z->k.fd);
	z->enc = NULL;
	z->k.fd = -1;
	if (u->sealed && spool_path(path, sizeof(path), s->srv, u->item,
	    1) == 0 && unlink(path) != 0 && errno != ENOENT)
		log_msg("%s: %s", path, strerror(errno));
	u->sealed = 0;
}

/* Encrypt src to the recipients into the spool temp file of u. */
static int
seal_one(struct submission *s, struct upload *u, const struct seal_src *src,
    const struct keyfile_recipients *rl)
{
	struct sealer z;
	int rc = -1;

	if (seal_open(s, u, rl, &z) == 0)
		rc = src->tmp != NULL ? tempfile_read(src->tmp, feed, z.enc) :
		    age_encrypt_update(z.enc, src->buf, src->len) == AGE_OK ?
		    0 : -1;
	return seal_close(u, &z, rc);
}

/* What the stripper said, in the fields the manifest and the receipt
 * use. The claims (name, Content-Type) only add warnings. */
static void
describe(struct upload *u)
{
	struct strip_outcome *o = u->strip;

	strip_note_claims(o, u->name, u->claimed_type[0] ? u->claimed_type :
	    NULL);
	snprintf(u->type, sizeof(u->type), "%s", o->type[0] ? o->type :
	    "application/octet-stream");
	u->cleaned = o->status == STRIP_CLEANED;
	if (strip_outcome_text(o, u->report, sizeof(u->report)) != 0)
		snprintf(u->report, sizeof(u->report), "%s", u->cleaned ?
		    "cleaned (the list of what was removed is too long to "
		    "show here)" : "NOT CLEANED");
}

/* keep_original: the original of a cleaned file, as its own item. */
static int
seal_original(struct submission *s, struct upload *u,
    const struct keyfile_recipients *rl)
{
	struct seal_src src = { u->tmp, NULL, 0 };

	if ((u->original = sodium_malloc(sizeof(*u->original))) == NULL)
		return -1;
	memset(u->original, 0, sizeof(*u->original));
	store_new_id(u->original->item);
	u->original->size = u->size;
	return seal_one(s, u->original, &src, rl);
}

/*
 * strip + seal one file: the cleaned stream into u's item, or, when it
 * cannot be cleaned, the original as uploaded (or the refusal).
 */
static int
strip_one(struct submission *s, struct upload *u,
    const struct keyfile_recipients *rl)
{
	const struct config *cfg = s->srv->cfg;
	struct seal_src src = { u->tmp, NULL, 0 };
	struct sealer z;

	if ((u->strip = calloc(1, sizeof(*u->strip))) == NULL)
		return -1;
	if (seal_open(s, u, rl, &z) != 0 ||
	    broker_strip(s->srv, u, feed, z.enc, u->strip) != 0) {
		seal_drop(s, u, &z);
		return -1;
	}
	describe(u);
	if (u->cleaned) {
		if (seal_close(u, &z, 0) != 0)
			return -1;
		return cfg->keep_original ? seal_original(s, u, rl) : 0;
	}
	seal_drop(s, u, &z);
	if (cfg->uncleanable == CONFIG_UNCLEANABLE_REFUSE) {
		log_msg("refused a submission: a file could not be cleaned "
		    "(uncleanable = refuse)");
		s->err = IE_UNCLEANABLE;
		s->refused = u;
		return -1;
	}
	return seal_one(s, u, &src, rl);
}

static int
seal_manifest(struct submission *s, const struct keyfile_recipients *rl)
{
	struct manifest_file *mf;
	struct manifest m;
	struct seal_src src = { NULL, NULL, 0 };
	char *json;
	size_t i, len;
	int rc = -1;

	if ((mf = calloc(s->nfiles ? s->nfiles : 1, sizeof(*mf))) == NULL)
		return -1;
	for (i = 0; i < s->nfiles; i++) {
		struct upload *u = s->files[i];
		mf[i] = (struct manifest_file){ u->item, u->name, u->size,
		    u->type, u->claimed_type[0] ? u->claimed_type : NULL,
		    u->cleaned, u->report, u->strip,
		    u->original ? u->original->item : NULL };
	}
	m = (struct manifest){ s->id, time(NULL) / 3600 * 3600, s->message,
	    s->message_len, mf, s->nfiles };
	if ((json = manifest_json(&m, &len)) != NULL) {
		src.buf = json;
		src.len = len;
		rc = seal_one(s, &s->manifest, &src, rl);
		sodium_free(json);
	}
	free(mf);
	return rc;
}

/* strip and seal every file, then the manifest, to every active
 * recipient. The recipients file is read for each submission, so a key
 * added or retired takes effect from the next one. */
static int
seal(struct submission *s, struct keyfile_recipients *rl)
{
	char err[KEYFILE_ERRLEN];
	size_t i;

	if (keyfile_read_recipients(rl, s->srv->cfg->recipients_file, err,
	    sizeof(err)) != 0) {
		log_msg("cannot encrypt: %s", err);
		return -1;
	}
	for (i = 0; i < s->nfiles; i++) {
		if (strip_one(s, s->files[i], rl) != 0)
			return -1;
		/* The plaintext is no longer needed: free its blocks now. */
		tempfile_free(s->files[i]->tmp);
		s->files[i]->tmp = NULL;
	}
	return seal_manifest(s, rl);
}

static int
fsync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

static int
place(struct submission *s, struct upload *u)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (spool_path(from, sizeof(from), s->srv, u->item, 1) != 0 ||
	    spool_path(to, sizeof(to), s->srv, u->item, 0) != 0)
		return -1;
	if (rename(from, to) != 0) {
		log_msg("%s: %s", to, strerror(errno));
		return -1;
	}
	u->placed = 1;
	return 0;
}

/* store: into place, durable, then the one commit that makes it count. */
static int
store(struct submission *s, const struct keyfile_recipients *rl)
{
	struct store_item *items;
	char (*ids)[AGE_KEYID_STRLEN + 1] = NULL;
	const char **keyids = NULL;
	size_t i, k, n = s->nfiles + 1;
	int rc = -1;

	for (i = 0; i < s->nfiles; i++)
		n += s->files[i]->original != NULL;
	items = calloc(n, sizeof(*items));
	ids = calloc(rl->n, sizeof(*ids));
	keyids = calloc(rl->n, sizeof(*keyids));
	if (items == NULL || ids == NULL || keyids == NULL)
		goto out;
	for (i = 0; i < rl->n; i++) {
		if (age_recipient_keyid(rl->v[i], ids[i], sizeof(ids[i])) != 0)
			goto out;
		keyids[i] = ids[i];
	}
	for (i = k = 0; i < s->nfiles; i++) {
		struct upload *u = s->files[i], *o = u->original;
		if (place(s, u) != 0 || (o != NULL && place(s, o) != 0))
			goto out;
		items[k++] = (struct store_item){ u->item, "file",
		    u->sealed_size };
		if (o != NULL)
			items[k++] = (struct store_item){ o->item, "file",
			    o->sealed_size };
	}
	if (place(s, &s->manifest) != 0)
		goto out;
	items[k] = (struct store_item){ s->manifest.item, "manifest",
	    s->manifest.sealed_size };
	if (fsync_dir(s->srv->spool_dir) != 0) {
		log_msg("%s: fsync: %s", s->srv->spool_dir, strerror(errno));
		goto out;
	}
	if (store_add_submission(s->srv->store, s->id, time(NULL) / 3600 * 3600,
	    items, n, keyids, rl->n) != 0) {
		log_msg("recording a submission in the database failed");
		goto out;
	}
	rc = 0;
out:
	free(keyids);
	free(ids);
	free(items);
	return rc;
}

static void
discard_one(struct submission *s, struct upload *u)
{
	char path[PATH_MAX];

	if ((u->placed || u->sealed) &&
	    spool_path(path, sizeof(path), s->srv, u->item, !u->placed) == 0 &&
	    unlink(path) != 0 && errno != ENOENT)
		log_msg("%s: %s", path, strerror(errno));
	u->placed = u->sealed = 0;
}

/* Undo: no spool file of a submission that was not recorded survives. */
static void
discard(struct submission *s)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		discard_one(s, s->files[i]);
		if (s->files[i]->original != NULL)
			discard_one(s, s->files[i]->original);
	}
	discard_one(s, &s->manifest);
	fsync_dir(s->srv->spool_dir);
}

int
pipeline_run(struct submission *s)
{
	struct keyfile_recipients rl = { NULL, 0 };
	int rc = -1;

	if (seal(s, &rl) == 0 && store(s, &rl) == 0)
		rc = 0;
	else
		discard(s);
	keyfile_recipients_clear(&rl);
	return rc;
}

static int
is_item_name(const char *name, const char *suffix, int dot)
{
	size_t i, slen = strlen(suffix);

	if (dot && *name++ != '.')
		return 0;
	for (i = 0; i < STORE_ID_LEN; i++)
		if (!((name[i] >= '0' && name[i] <= '9') ||
		    (name[i] >= 'a' && name[i] <= 'f')))
			return 0;
	return strcmp(name + STORE_ID_LEN, suffix) == 0 && slen > 0;
}

int
pipeline_recover(struct server *srv)
{
	char path[PATH_MAX], item[STORE_ID_LEN + 1];
	struct dirent *de;
	DIR *d;
	int removed = 0, rc = 0, known;

	if ((d = opendir(srv->spool_dir)) == NULL) {
		log_msg("%s: %s", srv->spool_dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (is_item_name(de->d_name, ".tmp", 1))
			known = 0;
		else if (is_item_name(de->d_name, ".age", 0)) {
			memcpy(item, de->d_name, STORE_ID_LEN);
			item[STORE_ID_LEN] = '\0';
			if ((known = store_has_item(srv->store, item)) < 0) {
				rc = -1;
				break;
			}
		} else
			continue;
		if (known)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", srv->spool_dir,
		    de->d_name) >= (int)sizeof(path))
			rc = -1;
		else if (unlink(path) == 0)
			removed++;
		else
			rc = -1;
	}
	closedir(d);
	if (removed > 0)
		log_msg("removed %d spool files of submissions that were never "
		    "completed", removed);
	fsync_dir(srv->spool_dir);
	return rc;
}
