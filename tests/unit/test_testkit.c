/*
 * test_testkit.c — runs the official age test kit (C2SP/CCTV age/testdata)
 * against the age module.
 *
 * The vectors are read at run time from $SHARED/reference/age/testkit
 * (SHARED defaults to "../shared", relative to the repository root); they
 * are never copied into the repository. Each vector file becomes one
 * cmocka test named after the file. Vectors that need a post-quantum
 * identity (AGE-SECRET-KEY-PQ-…) are reported as SKIPPED; a last test
 * checks how many vectors ran and how many were skipped, so the harness
 * cannot quietly skip everything.
 *
 * Every vector is decrypted several times, fed in pieces of different
 * sizes (1 byte, 7919 bytes, a mix around the chunk size, all at once);
 * each run must give the same verdict and release the same plaintext.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#define ZLIB_CONST
#include <zlib.h>

#include "postern/age.h"

#define SHARED_DEFAULT "../shared"
#define TESTKIT_SUBDIR "/reference/age/testkit"
#define VECTOR_MAX (1024 * 1024)        /* cap on a vector file as stored */
#define INFLATED_MAX (64 * 1024 * 1024) /* cap on an inflated body */
#define VECTOR_IDS_MAX 16               /* identity + passphrase lines */
#define BYTEWISE_MAX (256 * 1024)       /* feed 1-byte pieces up to this */
#define MUST_RUN_MIN 124                /* testkit README: must-pass files */
#define PQ_SKIPS 19                     /* testkit README: PQ-only files */
#define PQ_PREFIX "AGE-SECRET-KEY-PQ-"

struct counts {
	size_t run;             /* vectors decrypted and checked */
	size_t pq_skipped;      /* skipped for a post-quantum identity */
	size_t unknown_skipped; /* skipped for an unknown header key */
};

/* What a vector's header says. */
struct expect {
	const char *name;        /* the expect: value */
	enum age_err_class cls;
	int has_payload;
	uint8_t payload[crypto_hash_sha256_BYTES];
	int compressed;
	int armored;
	int unknown_key;
	int pq;
};

/* One test: a vector file; what the test allocates, teardown frees. */
struct vector {
	char *name;
	char *path;
	struct counts *counts;
	uint8_t *file;
	size_t filelen;
	uint8_t *inflated;
	struct age_identity *ids[VECTOR_IDS_MAX];
	size_t nids;
};

/* The test that stands in for the kit when its directory is missing. */
struct missing {
	const char *shared;
	char *path;
	int errnum;
};

/* Plaintext released by the decryptor, hashed. */
struct sink {
	crypto_hash_sha256_state sha;
	size_t released;
	size_t calls;
};

/* How one decryption went. */
struct result {
	enum age_err err;
	uint8_t hash[crypto_hash_sha256_BYTES];
	size_t released;
	size_t calls;
	int header_ok;
};

/* Piece sizes, used in turn, to feed the body to the decryptor. */
struct schedule {
	const char *name;
	const size_t *sizes;
	size_t n;
};

static const size_t pieces_one[] = { 1 };
static const size_t pieces_prime[] = { 7919 };
static const size_t pieces_mixed[] = { 1, 16, 17, 65535, 65552, 3, 131104,
	65551 };
static const size_t pieces_whole[] = { SIZE_MAX };

static const struct schedule schedules[] = {
	{ "1-byte", pieces_one, 1 },
	{ "7919-byte", pieces_prime, 1 },
	{ "mixed", pieces_mixed, sizeof(pieces_mixed) / sizeof(pieces_mixed[0]) },
	{ "whole", pieces_whole, 1 },
};

static const struct {
	const char *name;
	enum age_err_class cls;
} expects[] = {
	{ "success", AGE_CLASS_OK },
	{ "header failure", AGE_CLASS_HEADER },
	{ "armor failure", AGE_CLASS_ARMOR },
	{ "payload failure", AGE_CLASS_PAYLOAD },
	{ "no match", AGE_CLASS_NO_MATCH },
	{ "HMAC failure", AGE_CLASS_HMAC },
};

static const char *
class_name(enum age_err_class c)
{
	switch (c) {
	case AGE_CLASS_OK:
		return "success";
	case AGE_CLASS_SYSTEM:
		return "system error";
	case AGE_CLASS_ARMOR:
		return "armor failure";
	case AGE_CLASS_HEADER:
		return "header failure";
	case AGE_CLASS_NO_MATCH:
		return "no match";
	case AGE_CLASS_HMAC:
		return "HMAC failure";
	case AGE_CLASS_PAYLOAD:
		return "payload failure";
	}
	return "unknown class";
}

static int
sink_hash(void *arg, const uint8_t *buf, size_t len)
{
	struct sink *s = arg;

	crypto_hash_sha256_update(&s->sha, buf, len);
	s->released += len;
	s->calls++;
	return 0;
}

static int
read_file(const char *path, uint8_t **out, size_t *outlen)
{
	FILE *f;
	uint8_t *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	if ((buf = malloc(VECTOR_MAX + 1)) == NULL) {
		fclose(f);
		return -1;
	}
	n = fread(buf, 1, VECTOR_MAX + 1, f);
	if (ferror(f) || n > VECTOR_MAX) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = buf;
	*outlen = n;
	return 0;
}

/* Inflate a zlib stream (RFC 1950), growing the output up to INFLATED_MAX. */
static int
inflate_body(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	z_stream zs;
	uint8_t *buf = NULL, *nbuf;
	size_t cap = 0;
	int ret;

	memset(&zs, 0, sizeof(zs));
	if (inlen > UINT32_MAX || inflateInit(&zs) != Z_OK)
		return -1;
	zs.next_in = in;
	zs.avail_in = (uInt)inlen;
	do {
		if (zs.total_out == cap) {
			if (cap == INFLATED_MAX)
				goto err;
			cap = cap == 0 ? 1024 * 1024 : cap * 2;
			if (cap > INFLATED_MAX)
				cap = INFLATED_MAX;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto err;
			buf = nbuf;
		}
		zs.next_out = buf + zs.total_out;
		zs.avail_out = (uInt)(cap - zs.total_out);
		ret = inflate(&zs, Z_NO_FLUSH);
		if (ret != Z_OK && ret != Z_STREAM_END)
			goto err;
	} while (ret != Z_STREAM_END);
	if (zs.avail_in != 0)
		goto err;
	*outlen = zs.total_out;
	*out = buf;
	inflateEnd(&zs);
	return 0;
err:
	inflateEnd(&zs);
	free(buf);
	return -1;
}

/*
 * Parse the vector header: "key: value" lines up to the first empty line.
 * Identities and passphrases are parsed into v->ids as they come. Returns
 * the offset of the body; fails the test on a malformed header.
 */
static size_t
parse_header(struct vector *v, struct expect *e)
{
	const char *p = (const char *)v->file;
	const char *end = p + v->filelen, *nl, *colon;
	char value[512];
	size_t klen, vlen, i;
	enum age_err rc;
	int have_expect = 0;

	memset(e, 0, sizeof(*e));
	for (;;) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			fail_msg("%s: vector header has no empty line", v->name);
		if (nl == p)
			break;
		colon = memchr(p, ':', (size_t)(nl - p));
		if (colon == NULL || colon + 1 == nl || colon[1] != ' ')
			fail_msg("%s: vector header line without \": \"",
			    v->name);
		klen = (size_t)(colon - p);
		vlen = (size_t)(nl - colon - 2);
		if (vlen >= sizeof(value))
			fail_msg("%s: vector header value too long", v->name);
		memcpy(value, colon + 2, vlen);
		value[vlen] = '\0';

#define KEY_IS(k) (klen == strlen(k) && memcmp(p, k, klen) == 0)
		if (KEY_IS("expect")) {
			for (i = 0; i < sizeof(expects) / sizeof(expects[0]);
			    i++)
				if (strcmp(value, expects[i].name) == 0)
					break;
			if (i == sizeof(expects) / sizeof(expects[0]))
				fail_msg("%s: unknown expect value \"%s\"",
				    v->name, value);
			e->name = expects[i].name;
			e->cls = expects[i].cls;
			have_expect = 1;
		} else if (KEY_IS("payload")) {
			if (vlen != 2 * sizeof(e->payload) ||
			    sodium_hex2bin(e->payload, sizeof(e->payload),
			    value, vlen, NULL, NULL, NULL) != 0)
				fail_msg("%s: bad payload hash \"%s\"",
				    v->name, value);
			e->has_payload = 1;
		} else if (KEY_IS("identity")) {
			if (v->nids == VECTOR_IDS_MAX)
				fail_msg("%s: too many identities", v->name);
			rc = age_identity_parse(&v->ids[v->nids], value);
			if (rc == AGE_OK)
				v->nids++;
			else if (strncmp(value, PQ_PREFIX,
			    strlen(PQ_PREFIX)) == 0)
				e->pq = 1;
			else
				fail_msg("%s: age_identity_parse(%s) failed: "
				    "%d %s", v->name, value, rc,
				    age_strerror(rc));
		} else if (KEY_IS("passphrase")) {
			if (v->nids == VECTOR_IDS_MAX)
				fail_msg("%s: too many identities", v->name);
			rc = age_identity_passphrase(&v->ids[v->nids], value,
			    vlen);
			if (rc != AGE_OK)
				fail_msg("%s: age_identity_passphrase(\"%s\") "
				    "failed: %d %s", v->name, value, rc,
				    age_strerror(rc));
			v->nids++;
		} else if (KEY_IS("compressed")) {
			if (strcmp(value, "zlib") != 0)
				fail_msg("%s: unknown compression \"%s\"",
				    v->name, value);
			e->compressed = 1;
		} else if (KEY_IS("armored")) {
			if (strcmp(value, "yes") != 0)
				fail_msg("%s: unknown armored value \"%s\"",
				    v->name, value);
			e->armored = 1;
		} else if (!KEY_IS("file key") && !KEY_IS("comment")) {
			print_message("%s: unknown header key \"%.*s\"\n",
			    v->name, (int)klen, p);
			e->unknown_key = 1;
		}
#undef KEY_IS
		p = nl + 1;
	}
	sodium_memzero(value, sizeof(value));
	if (!have_expect && !e->unknown_key)
		fail_msg("%s: vector header has no expect line", v->name);
	if ((e->cls == AGE_CLASS_OK || e->cls == AGE_CLASS_PAYLOAD) &&
	    !e->has_payload && !e->unknown_key)
		fail_msg("%s: \"%s\" vector without a payload hash", v->name,
		    e->name);
	return (size_t)(p + 1 - (const char *)v->file);
}

/* Decrypt body, fed in pieces as the schedule says. */
static void
run_decrypt(const struct vector *v, const uint8_t *body, size_t bodylen,
    const struct schedule *sch, struct result *r)
{
	struct age_decryptor *dec = NULL;
	struct sink s;
	size_t off = 0, i = 0, n;

	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(*r));
	crypto_hash_sha256_init(&s.sha);
	r->err = age_decrypt_new(&dec, v->ids, v->nids, sink_hash, &s);
	if (r->err != AGE_OK)
		fail_msg("%s: age_decrypt_new failed: %d %s", v->name,
		    r->err, age_strerror(r->err));
	while (off < bodylen && r->err == AGE_OK) {
		n = sch->sizes[i++ % sch->n];
		if (n > bodylen - off)
			n = bodylen - off;
		r->err = age_decrypt_update(dec, body + off, n);
		off += n;
	}
	if (r->err == AGE_OK)
		r->err = age_decrypt_final(dec);
	r->header_ok = age_decrypt_header_ok(dec);
	age_decrypt_free(dec);
	crypto_hash_sha256_final(&s.sha, r->hash);
	r->released = s.released;
	r->calls = s.calls;
}

static void
check_result(const struct vector *v, const struct expect *e,
    const struct schedule *sch, const struct result *r)
{
	enum age_err_class got = age_err_class(r->err);
	char want_hex[2 * crypto_hash_sha256_BYTES + 1];
	char got_hex[2 * crypto_hash_sha256_BYTES + 1];

	if (got != e->cls)
		fail_msg("%s [%s pieces]: expected %s, got %d \"%s\" (%s)",
		    v->name, sch->name, e->name, r->err,
		    age_strerror(r->err), class_name(got));
	if (e->has_payload) {
		if (sodium_memcmp(r->hash, e->payload, sizeof(r->hash)) != 0) {
			sodium_bin2hex(want_hex, sizeof(want_hex), e->payload,
			    sizeof(e->payload));
			sodium_bin2hex(got_hex, sizeof(got_hex), r->hash,
			    sizeof(r->hash));
			fail_msg("%s [%s pieces]: %s (%d \"%s\"): released "
			    "plaintext hash: expected %s, got %s (%zu bytes "
			    "released)", v->name, sch->name, e->name, r->err,
			    age_strerror(r->err), want_hex, got_hex,
			    r->released);
		}
	} else if (r->calls != 0 || r->released != 0) {
		fail_msg("%s [%s pieces]: %s (%d \"%s\"): expected nothing "
		    "released, got %zu bytes in %zu sink calls", v->name,
		    sch->name, e->name, r->err, age_strerror(r->err),
		    r->released, r->calls);
	}
	/*
	 * Only an authenticated header lets plaintext through. (An armor
	 * error can come after the header inside the armor checked out.)
	 */
	if ((e->cls == AGE_CLASS_OK || e->cls == AGE_CLASS_PAYLOAD) &&
	    r->header_ok != 1)
		fail_msg("%s [%s pieces]: %s: expected age_decrypt_header_ok "
		    "1, got %d", v->name, sch->name, e->name, r->header_ok);
	if ((e->cls == AGE_CLASS_NO_MATCH || e->cls == AGE_CLASS_HMAC) &&
	    r->header_ok != 0)
		fail_msg("%s [%s pieces]: %s: expected age_decrypt_header_ok "
		    "0, got %d", v->name, sch->name, e->name, r->header_ok);
}

static void
test_vector(void **state)
{
	struct vector *v = *state;
	struct expect e;
	struct result r;
	const uint8_t *body;
	size_t off, bodylen, i;

	if (read_file(v->path, &v->file, &v->filelen) == -1)
		fail_msg("%s: cannot read %s: %s", v->name, v->path,
		    strerror(errno));
	off = parse_header(v, &e);
	if (e.unknown_key) {
		v->counts->unknown_skipped++;
		print_message("%s: unknown header key, vector ignored\n",
		    v->name);
		skip();
	}
	if (e.pq) {
		v->counts->pq_skipped++;
		print_message("%s: post-quantum identity, not supported\n",
		    v->name);
		skip();
	}
	v->counts->run++;

	body = v->file + off;
	bodylen = v->filelen - off;
	if (e.compressed) {
		if (inflate_body(body, bodylen, &v->inflated, &bodylen) == -1)
			fail_msg("%s: the zlib body does not inflate (cap %d "
			    "bytes)", v->name, INFLATED_MAX);
		body = v->inflated;
	}
	for (i = 0; i < sizeof(schedules) / sizeof(schedules[0]); i++) {
		if (schedules[i].sizes == pieces_one && bodylen > BYTEWISE_MAX)
			continue;
		run_decrypt(v, body, bodylen, &schedules[i], &r);
		check_result(v, &e, &schedules[i], &r);
	}
}

static int
vector_teardown(void **state)
{
	struct vector *v = *state;
	size_t i;

	for (i = 0; i < v->nids; i++)
		age_identity_free(v->ids[i]);
	v->nids = 0;
	if (v->file != NULL)
		sodium_memzero(v->file, v->filelen);
	free(v->file);
	v->file = NULL;
	free(v->inflated);
	v->inflated = NULL;
	return 0;
}

static void
test_counts(void **state)
{
	const struct counts *c = *state;

	print_message("testkit: %zu vectors run, %zu skipped (post-quantum), "
	    "%zu ignored (unknown keys)\n", c->run, c->pq_skipped,
	    c->unknown_skipped);
	if (c->run < MUST_RUN_MIN)
		fail_msg("testkit: expected at least %d vectors run, got %zu",
		    MUST_RUN_MIN, c->run);
	if (c->pq_skipped != PQ_SKIPS)
		fail_msg("testkit: expected %d post-quantum vectors skipped, "
		    "got %zu", PQ_SKIPS, c->pq_skipped);
}

static void
test_missing(void **state)
{
	const struct missing *m = *state;

	fail_msg("the age test kit %s is missing (%s): %s is missing; "
	    "check out the shared folder as ../shared next to the repository "
	    "or set SHARED to its path", m->path, strerror(m->errnum),
	    m->shared);
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted names of the vector files in dir, or -1. */
static int
list_vectors(const char *dir, char ***out, size_t *outn)
{
	DIR *d;
	struct dirent *de;
	struct stat st;
	char **names = NULL, **nnames, path[4096];
	size_t n = 0, cap = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' || strcmp(de->d_name, "README.md") == 0)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || stat(path, &st) == -1 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (n == cap) {
			cap = cap == 0 ? 256 : cap * 2;
			if ((nnames = realloc(names, cap * sizeof(*names))) ==
			    NULL)
				goto err;
			names = nnames;
		}
		if ((names[n] = strdup(de->d_name)) == NULL)
			goto err;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	*out = names;
	*outn = n;
	return 0;
err:
	closedir(d);
	while (n > 0)
		free(names[--n]);
	free(names);
	errno = ENOMEM;
	return -1;
}

int
main(void)
{
	struct CMUnitTest *tests = NULL;
	struct vector *vectors = NULL;
	struct counts counts;
	struct missing missing;
	const char *shared;
	char dir[4096], **names = NULL, *path;
	size_t n = 0, i, pathlen;
	int failed = 1;

	if (sodium_init() < 0) {
		fprintf(stderr, "test_testkit: sodium_init failed\n");
		return 1;
	}
	if ((shared = getenv("SHARED")) == NULL || *shared == '\0')
		shared = SHARED_DEFAULT;
	if (snprintf(dir, sizeof(dir), "%s%s", shared, TESTKIT_SUBDIR) >=
	    (int)sizeof(dir)) {
		fprintf(stderr, "test_testkit: SHARED is too long\n");
		return 1;
	}

	if (list_vectors(dir, &names, &n) == -1) {
		const struct CMUnitTest missing_tests[] = {
			{ "testkit_directory", test_missing, NULL, NULL,
			    &missing },
		};

		missing.shared = shared;
		missing.path = dir;
		missing.errnum = errno;
		return cmocka_run_group_tests_name("testkit", missing_tests,
		    NULL, NULL);
	}

	memset(&counts, 0, sizeof(counts));
	tests = calloc(n + 1, sizeof(*tests));
	vectors = calloc(n + 1, sizeof(*vectors));
	if (tests == NULL || vectors == NULL) {
		fprintf(stderr, "test_testkit: out of memory\n");
		goto done;
	}
	for (i = 0; i < n; i++) {
		pathlen = strlen(dir) + strlen(names[i]) + 2;
		if ((path = malloc(pathlen)) == NULL ||
		    snprintf(path, pathlen, "%s/%s", dir, names[i]) !=
		    (int)pathlen - 1) {
			free(path);
			fprintf(stderr, "test_testkit: out of memory\n");
			goto done;
		}
		vectors[i].name = names[i];
		vectors[i].path = path;
		vectors[i].counts = &counts;
		tests[i].name = names[i];
		tests[i].test_func = test_vector;
		tests[i].teardown_func = vector_teardown;
		tests[i].initial_state = &vectors[i];
	}
	tests[n].name = "testkit_counts";
	tests[n].test_func = test_counts;
	tests[n].initial_state = &counts;

	failed = _cmocka_run_group_tests("testkit", tests, n + 1, NULL, NULL);
done:
	for (i = 0; i < n; i++) {
		if (vectors != NULL)
			free(vectors[i].path);
		free(names[i]);
	}
	free(names);
	free(vectors);
	free(tests);
	return failed;
}
