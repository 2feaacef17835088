/*
 * keygen.c — postern-open keygen: a new X25519 identity, written in the
 * format of age-keygen ("# created:", "# public key: age1…",
 * "AGE-SECRET-KEY-1…") and, unless --unprotected, encrypted with a
 * passphrase as a binary age scrypt file (work factor 2^18, as age -p
 * writes), which stock `age -d` opens too.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "postern/age.h"
#include "postern/passphrase.h"
#include "postern-open.h"

#define KEYGEN_TEXT_MAX 512

/* The identity file's text, in locked memory (sodium_free wipes it). */
static char *
identity_text(const struct age_identity *id, const char *rs)
{
	char when[32], *text;
	time_t now = time(NULL);
	struct tm tm;
	int n;

	if ((text = sodium_malloc(KEYGEN_TEXT_MAX)) == NULL)
		return NULL;
	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	n = snprintf(text, KEYGEN_TEXT_MAX, "# created: %s\n# public key: %s\n",
	    when, rs);
	if (n < 0 || n >= KEYGEN_TEXT_MAX - AGE_IDENTITY_STRLEN - 2 ||
	    age_identity_format(id, text + n, KEYGEN_TEXT_MAX - (size_t)n) !=
	    0) {
		sodium_free(text);
		return NULL;
	}
	strcat(text, "\n");
	return text;
}

/* Encrypt text to the passphrase, into fd. */
static int
write_protected(int fd, const char *text, const char *pass,
    const char *outname)
{
	struct age_recipient *r = NULL;
	struct age_encryptor *enc = NULL;
	enum age_err e;
	int rc = -1;

	if ((e = age_recipient_passphrase(&r, pass, strlen(pass),
	    AGE_SCRYPT_LOGN_DEFAULT)) != AGE_OK ||
	    (e = age_encrypt_new(&enc, &r, 1, age_sink_fd, &fd)) != AGE_OK ||
	    (e = age_encrypt_update(enc, text, strlen(text))) != AGE_OK ||
	    (e = age_encrypt_final(enc)) != AGE_OK)
		open_fail("%s: %s", outname, e == AGE_ERR_SINK ?
		    strerror(errno) : age_strerror(e));
	else
		rc = 0;
	age_encrypt_free(enc);
	age_recipient_free(r);
	return rc;
}

struct keygen_opts {
	const char *out; /* NULL or "-": standard output */
	int passfd;
	int unprotected;
};

/* 0, or the exit status of a usage error. */
static int
parse_args(struct keygen_opts *o, int argc, char **argv)
{
	static const struct option lo[] = {
		{ "passphrase-fd", required_argument, NULL, 'P' },
		{ "unprotected", no_argument, NULL, 'U' },
		{ NULL, 0, NULL, 0 }
	};
	char err[OPEN_ERRLEN], *pos[1];
	size_t npos = 0;
	int ch;

	o->out = NULL;
	o->passfd = -1;
	o->unprotected = 0;
	while ((ch = open_getopt(argc, argv, "+o:", lo, pos, 0, &npos)) != -1) {
		if (ch == 'o')
			o->out = optarg;
		else if (ch == 'U')
			o->unprotected = 1;
		else if (ch == 'P' && open_parse_fd(optarg, &o->passfd, err,
		    sizeof(err)) != 0) {
			open_fail("%s", err);
			return OPEN_EXIT_USAGE;
		} else if (ch != 'P')
			return open_usage();
	}
	if (o->unprotected && o->passfd >= 0)
		return open_usage();
	return 0;
}

/* A new identity, and its text (locked memory) with its recipient. */
static int
generate(struct age_identity **id, char **text, char *rs, char *kid)
{
	struct age_recipient *r = NULL;
	int rc = -1;

	if (age_identity_generate(id) == AGE_OK &&
	    (r = age_identity_recipient(*id)) != NULL &&
	    age_recipient_format(r, rs, AGE_RECIPIENT_STRLEN + 1) == 0 &&
	    age_recipient_keyid(r, kid, AGE_KEYID_STRLEN + 1) == 0 &&
	    (*text = identity_text(*id, rs)) != NULL)
		rc = 0;
	else
		open_fail("could not generate a key: out of memory");
	age_recipient_free(r);
	return rc;
}

int
keygen_main(int argc, char **argv)
{
	struct keygen_opts opt;
	struct age_identity *id = NULL;
	struct output o = { NULL, -1 };
	char rs[AGE_RECIPIENT_STRLEN + 1], kid[AGE_KEYID_STRLEN + 1];
	char err[OPEN_ERRLEN], *text = NULL, *pass = NULL;
	const char *outname;
	int rc;

	if ((rc = parse_args(&opt, argc, argv)) != 0)
		return rc;
	rc = 1;
	outname = opt.out == NULL || strcmp(opt.out, "-") == 0 ?
	    "standard output" : opt.out;
	if (!opt.unprotected && outname != opt.out && isatty(STDOUT_FILENO)) {
		open_fail("refusing to write binary output to a terminal; "
		    "use -o");
		return 1;
	}
	/* The name is checked (and held) before the passphrase is asked. */
	if (output_open(&o, opt.out, 0) != 0)
		return 1;
	if (!opt.unprotected && (pass = passphrase_read("Passphrase for the "
	    "new identity file: ", opt.passfd, 1, err, sizeof(err))) == NULL) {
		open_fail("%s", err);
		goto fail;
	}
	if (generate(&id, &text, rs, kid) != 0)
		goto fail;
	if (opt.unprotected && age_sink_fd(&o.fd, (const uint8_t *)text,
	    strlen(text)) != 0) {
		open_fail("%s: %s", outname, strerror(errno));
		goto fail;
	}
	if (!opt.unprotected && write_protected(o.fd, text, pass,
	    outname) != 0)
		goto fail;
	if (output_commit(&o) != 0)
		goto out;
	if (opt.unprotected)
		open_fail("warning: %s is not protected by a passphrase: "
		    "anyone who can read it can open what is sent to this key",
		    outname);
	fprintf(stderr, "Public key: %s\nKey id: %s\n", rs, kid);
	rc = 0;
	goto out;
fail:
	output_abort(&o);
out:
	if (text != NULL)
		sodium_free(text);
	if (pass != NULL)
		sodium_free(pass);
	age_identity_free(id);
	return rc;
}
