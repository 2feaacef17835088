/*
 * fuzz_zipfile.c — a libFuzzer target for the zip reader and writer
 * (lib/strip/zipfile.c).
 *
 * Opens the input as an archive, reads every entry within a budget, and
 * writes a new archive from it (half the entries copied raw, half
 * re-added from their inflated bytes). What the writer produced must open
 * again with the same number of entries: the writer never emits an
 * archive its own reader refuses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postern/stripfmt.h"
#include "postern/zipfile.h"

#define FUZZ_OUT_MAX (8u << 20)
#define FUZZ_EXPAND (32u << 20)
#define FUZZ_MEMBERS 500u

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
ctx_init(struct strip_ctx *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->out_max = FUZZ_OUT_MAX;
	ctx->expand_budget = FUZZ_EXPAND;
	ctx->members_budget = FUZZ_MEMBERS;
}

/* Copy or re-add entry i to w; -1 when the writer refused. */
static int
copy_entry(struct strip_ctx *ctx, struct zip_writer *w,
    const struct zip_entry *e, size_t i)
{
	struct sbuf data;
	int rc;

	if (i % 2 == 0)
		return zip_add_raw(w, e) == 0 ? 0 : -1;
	sbuf_init(&data, FUZZ_OUT_MAX);
	rc = zip_read_entry(ctx, e, &data);
	if (rc == STRIP_OK)
		rc = zip_add(w, e->name, data.p, data.len, i % 4 == 1) == 0 ?
		    0 : -1;
	else
		rc = -1;
	sbuf_free(&data);
	return rc;
}

static void
reopen(const struct sbuf *out, size_t want)
{
	struct zip_reader *z = NULL;
	struct strip_ctx ctx;

	ctx_init(&ctx);
	if (zip_open(&ctx, out->p, out->len, &z) != STRIP_OK)
		abort();
	if (zip_count(z) != want)
		abort();
	zip_close(z);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zip_reader *z = NULL;
	struct zip_writer w;
	struct strip_ctx ctx;
	struct sbuf out;
	size_t i, n;
	int ok = 1;

	ctx_init(&ctx);
	if (zip_open(&ctx, data, size, &z) != STRIP_OK) {
		if (ctx.rep.fail == NULL)
			abort();
		return 0;
	}
	n = zip_count(z);
	sbuf_init(&out, FUZZ_OUT_MAX);
	zip_writer_init(&w, &out, FUZZ_OUT_MAX);
	for (i = 0; i < n && ok; i++)
		if (copy_entry(&ctx, &w, zip_entry_at(z, i), i) != 0)
			ok = 0;
	if (ok && zip_writer_finish(&w) == STRIP_OK && !out.err)
		reopen(&out, n);
	zip_writer_free(&w);
	sbuf_free(&out);
	zip_close(z);
	return 0;
}
