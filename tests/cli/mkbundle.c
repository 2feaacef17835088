/*
 * mkbundle — a test helper for tests/cli/7x-*.sh: makes server signing
 * keys and signed bundles with the same library code postern-admin uses
 * (lib/sigkey.c, lib/bundle.c), so postern-open import can be tested
 * without a server. Compiled by the test scripts into their temp dir:
 *
 *   cc -Iinclude -o mkbundle tests/cli/mkbundle.c $BUILD/lib/{...}.o -lsodium
 *
 *   mkbundle key KEYFILE
 *       a new key, written 0600 to KEYFILE; prints postern-server1…
 *   mkbundle make KEYFILE PARENT SPEC...
 *       a bundle in PARENT signed with KEYFILE; prints its path.
 *       SPEC is KIND:ITEM:SUBMISSION:HOUR:PATH, KIND manifest or file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "postern/bundle.h"
#include "postern/sigkey.h"

static int
make_key(const char *path)
{
	struct sigkey *k = sigkey_generate();
	uint8_t pk[SIGKEY_PUBLIC_BYTES];
	char s[SIGKEY_PUBLIC_STRLEN + 1], err[SIGKEY_ERRLEN];

	if (k == NULL || sigkey_write_file(path, k, err, sizeof(err)) != 0) {
		fprintf(stderr, "mkbundle: %s\n", k ? err : "out of memory");
		sigkey_free(k);
		return 1;
	}
	sigkey_public(k, pk);
	sigkey_format_public(pk, s, sizeof(s));
	printf("%s\n", s);
	sigkey_free(k);
	return 0;
}

/* KIND:ITEM:SUBMISSION:HOUR:PATH into it; the path stays in spec. */
static const char *
parse_spec(char *spec, struct bundle_item *it)
{
	char *f[5], *p = spec;
	int i;

	for (i = 0; i < 4; i++) {
		f[i] = p;
		if ((p = strchr(p, ':')) == NULL)
			return NULL;
		*p++ = '\0';
	}
	f[4] = p;
	memset(it, 0, sizeof(*it));
	it->kind = strcmp(f[0], "manifest") == 0 ? BUNDLE_MANIFEST :
	    BUNDLE_FILE;
	snprintf(it->id, sizeof(it->id), "%s", f[1]);
	snprintf(it->submission, sizeof(it->submission), "%s", f[2]);
	it->hour = strtoll(f[3], NULL, 10);
	return f[4];
}

static int
make_bundle(const char *keyfile, const char *parent, int n, char **specs)
{
	struct sigkey *k;
	struct bundle_writer *w;
	struct bundle_item it;
	uint8_t pk[SIGKEY_PUBLIC_BYTES];
	char err[BUNDLE_ERRLEN], out[4096];
	const char *path;
	int i;

	if ((k = sigkey_read_file(keyfile, err, sizeof(err))) == NULL) {
		fprintf(stderr, "mkbundle: %s\n", err);
		return 1;
	}
	sigkey_public(k, pk);
	if ((w = bundle_create(parent, pk, err, sizeof(err))) == NULL)
		goto fail;
	for (i = 0; i < n; i++) {
		if ((path = parse_spec(specs[i], &it)) == NULL) {
			snprintf(err, sizeof(err), "bad spec %s", specs[i]);
			bundle_abort(w);
			goto fail;
		}
		if (bundle_add(w, path, &it, err, sizeof(err)) != 0) {
			bundle_abort(w);
			goto fail;
		}
	}
	if (bundle_finish(w, k, out, sizeof(out), err, sizeof(err)) != 0)
		goto fail;
	printf("%s\n", out);
	sigkey_free(k);
	return 0;
fail:
	fprintf(stderr, "mkbundle: %s\n", err);
	sigkey_free(k);
	return 1;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0)
		return 1;
	if (argc == 3 && strcmp(argv[1], "key") == 0)
		return make_key(argv[2]);
	if (argc >= 4 && strcmp(argv[1], "make") == 0)
		return make_bundle(argv[2], argv[3], argc - 4, argv + 4);
	fprintf(stderr, "usage: mkbundle key KEYFILE\n"
	    "       mkbundle make KEYFILE PARENT KIND:ITEM:SUB:HOUR:PATH...\n");
	return 2;
}
