/*
 * fuzz_strip.c — a libFuzzer target for one format module, through the
 * dispatcher: built once per format with -DFUZZ_FORMAT=SF_PNG (and so
 * on), so each parser has its own binary and its own corpus.
 *
 * The module runs outside the sandbox here, under ASan and UBSan: any
 * out-of-bounds read, overflow, leak or abort is a finding. Beyond that
 * the target checks the contract of include/postern/stripfmt.h: one of
 * the three return codes, a reason whenever the document was not
 * cleaned, an output within its cap, and report entries that are short
 * printable ASCII (the parent rejects anything else, and a report entry
 * made of document bytes would be a leak).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postern/stripfmt.h"

#ifndef FUZZ_FORMAT
#error "build with -DFUZZ_FORMAT=SF_<format>"
#endif

/* Modest limits, so that a balloon shows up as a refusal, not as an
 * out-of-memory kill of the fuzzer. */
#define FUZZ_OUT_MAX (8u << 20)
#define FUZZ_EXPAND (32u << 20)
#define FUZZ_MEMBERS 500u

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	strip_pdf_prep();
	strip_xml_prep();
	return 0;
}

static void
check_name(const char *s)
{
	size_t i, n;

	if (s == NULL)
		abort();
	n = strlen(s);
	if (n == 0 || n > 63)
		abort();
	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			abort();
}

static void
check_report(const struct strip_ctx *ctx, int rc)
{
	const struct strip_report *r = &ctx->rep;
	size_t i;

	if (r->nremoved > STRIP_REP_REMOVED_MAX || r->nwarn > STRIP_REP_WARN_MAX)
		abort();
	for (i = 0; i < r->nremoved; i++) {
		check_name(r->removed[i]);
		if (r->count[i] == 0)
			abort();
	}
	for (i = 0; i < r->nwarn; i++)
		check_name(r->warn[i]);
	if (rc != STRIP_OK && r->fail == NULL)
		abort();
	if (r->fail != NULL && strlen(r->fail) > 255)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strip_ctx ctx;
	struct sbuf out;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out_max = FUZZ_OUT_MAX;
	ctx.expand_budget = FUZZ_EXPAND;
	ctx.members_budget = FUZZ_MEMBERS;
	ctx.magic = NULL;
	sbuf_init(&out, ctx.out_max);
	rc = strip_document(&ctx, FUZZ_FORMAT, data, size, &out);
	if (rc != STRIP_OK && rc != STRIP_FAIL && rc != STRIP_UNSUPPORTED)
		abort();
	if (ctx.depth != 0)
		abort();
	if (rc == STRIP_OK && (out.err || out.len > FUZZ_OUT_MAX ||
	    (out.len > 0 && out.p == NULL)))
		abort();
	check_report(&ctx, rc);
	sbuf_free(&out);
	return 0;
}
