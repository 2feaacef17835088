/*
 * test_b64.c — strict base64: what libsodium 1.0.18 alone lets through.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "postern/b64.h"

static void
test_accepts_canonical(void **state)
{
	uint8_t out[16];
	size_t n;

	(void)state;
	assert_int_equal(b64_decode(out, sizeof(out), "QUJD", 4, &n,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(out, "ABC", 3);
	assert_int_equal(b64_decode(out, sizeof(out), "QUI=", 4, &n,
	    sodium_base64_VARIANT_ORIGINAL), 0);
	assert_int_equal(n, 2);
	assert_int_equal(b64_decode(out, sizeof(out), "-_-_", 4, &n,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
	assert_int_equal(b64_decode(out, sizeof(out), "+/+/", 4, &n,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING), 0);
}

/* Every byte outside the alphabet, in every position, is refused. */
static void
test_refuses_foreign_bytes(void **state)
{
	static const int variants[] = {
		sodium_base64_VARIANT_ORIGINAL,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING,
		sodium_base64_VARIANT_URLSAFE,
		sodium_base64_VARIANT_URLSAFE_NO_PADDING,
	};
	const char *alpha[] = {
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
	};
	char in[5];
	uint8_t out[8];
	size_t n, v, pos;
	int c;

	(void)state;
	for (v = 0; v < 4; v++) {
		const char *a = alpha[v >= 2];
		for (c = 1; c < 256; c++) {
			if (strchr(a, c) != NULL)
				continue;
			for (pos = 0; pos < 4; pos++) {
				memcpy(in, "QUJD", 5);
				in[pos] = (char)c;
				if (b64_decode(out, sizeof(out), in, 4, &n,
				    variants[v]) == 0 && !(c == '=' &&
				    pos == 3 && (v == 0 || v == 2)))
					fail_msg("variant %zu: byte 0x%02x at "
					    "%zu accepted", v, c, pos);
			}
		}
	}
}

static void
test_refuses_noncanonical(void **state)
{
	uint8_t out[8];
	size_t n;

	(void)state;
	/* Trailing bits set, padding missing or extra. */
	assert_int_equal(b64_decode(out, sizeof(out), "QUl", 3, &n,
	    sodium_base64_VARIANT_ORIGINAL_NO_PADDING), -1);
	assert_int_equal(b64_decode(out, sizeof(out), "QUI", 3, &n,
	    sodium_base64_VARIANT_ORIGINAL), -1);
	assert_int_equal(b64_decode(out, sizeof(out), "QUJDRA=", 7, &n,
	    sodium_base64_VARIANT_ORIGINAL), -1);
	assert_int_equal(b64_decode(out, 2, "QUJD", 4, &n,
	    sodium_base64_VARIANT_ORIGINAL), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_canonical),
		cmocka_unit_test(test_refuses_foreign_bytes),
		cmocka_unit_test(test_refuses_noncanonical),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
