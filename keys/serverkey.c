/*
 * serverkey.c — postern-admin server-key init | show.
 *
 * STATE/server.key holds the intake server's Ed25519 key, which signs
 * every exported bundle (lib/sigkey.c writes and reads the file: O_EXCL,
 * O_NOFOLLOW, mode 0600, never overwritten). Journalists pin its public
 * key with postern-open trust; the key id lets them compare it by eye.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "postern/age.h"

#include "admin.h"

static int
print_public(const struct sigkey *k)
{
	uint8_t pk[SIGKEY_PUBLIC_BYTES];
	char pub[SIGKEY_PUBLIC_STRLEN + 1], id[AGE_KEYID_STRLEN + 1];

	sigkey_public(k, pk);
	if (sigkey_format_public(pk, pub, sizeof(pub)) != 0 ||
	    age_keyid(pub, id, sizeof(id)) != 0) {
		admin_fail("cannot format the public key");
		return -1;
	}
	printf("%s\nkey id: %s\n", pub, id);
	return 0;
}

int
serverkey_init(struct admin *a, int argc, char **argv)
{
	struct sigkey *k = NULL;
	struct stat sb;
	char err[SIGKEY_ERRLEN];
	int rc = 1;

	if (getopt(argc, argv, "") != -1 || argc != optind)
		admin_usage();
	if (admin_load(a) != 0)
		return 1;
	/* Not made here: it must belong to posternd's user. */
	if (stat(a->cfg.state_dir, &sb) != 0) {
		admin_fail("%s: %s (posternd creates it at its first start)",
		    a->cfg.state_dir, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		admin_fail("%s: not a directory", a->cfg.state_dir);
		return 1;
	}
	if ((k = sigkey_generate()) == NULL) {
		admin_fail("out of memory");
		return 1;
	}
	if (sigkey_write_file(a->server_key, k, err, sizeof(err)) != 0) {
		admin_fail("%s", err);
		goto out;
	}
	printf("created %s\n", a->server_key);
	if (print_public(k) != 0)
		goto out;
	rc = 0;
out:
	sigkey_free(k);
	return rc;
}

struct sigkey *
serverkey_load(struct admin *a)
{
	struct sigkey *k;
	struct stat sb;
	char err[SIGKEY_ERRLEN];

	if (lstat(a->server_key, &sb) != 0 && errno == ENOENT) {
		admin_fail("%s: no server signing key; run postern-admin "
		    "server-key init first", a->server_key);
		return NULL;
	}
	if ((k = sigkey_read_file(a->server_key, err, sizeof(err))) == NULL)
		admin_fail("%s", err);
	return k;
}

int
serverkey_show(struct admin *a, int argc, char **argv)
{
	struct sigkey *k;
	int rc;

	if (getopt(argc, argv, "") != -1 || argc != optind)
		admin_usage();
	if (admin_load(a) != 0 || (k = serverkey_load(a)) == NULL)
		return 1;
	rc = print_public(k) == 0 ? 0 : 1;
	sigkey_free(k);
	return rc;
}
