/*
 * fuzz_xml.c — a libFuzzer target for xmlf_rewrite (lib/strip/xmlfilter.c).
 *
 * The first byte picks which rules apply (drop an element, drop or replace
 * attributes, replace text, drop namespace declarations, keep comments or
 * processing instructions) and the rest is the XML; an input that starts
 * with '<' (a plain XML seed) is all XML, under every rule but the two
 * keeps. When the rewrite
 * succeeds, its output must itself rewrite cleanly with no rules: the
 * filter never writes XML it could not read back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "postern/stripfmt.h"
#include "postern/xmlfilter.h"

#define FUZZ_OUT_MAX (8u << 20)

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	strip_xml_prep();
	return 0;
}

static enum xmlf_action
on_element(void *arg, const char *ns, const char *local, const char **attrs)
{
	(void)arg;
	(void)ns;
	if (strcmp(local, "metadata") == 0 || strcmp(local, "title") == 0)
		return XMLF_DROP;
	if (xmlf_attr(attrs, "", "drop") != NULL)
		return XMLF_DROP;
	return XMLF_KEEP;
}

static enum xmlf_action
on_attribute(void *arg, const char *elem_ns, const char *elem_local,
    const char *ns, const char *local, const char *value, const char **repl)
{
	(void)arg;
	(void)elem_ns;
	(void)elem_local;
	(void)value;
	if (ns[0] != '\0' && strcmp(local, "author") == 0)
		return XMLF_DROP;
	if (strcmp(local, "date") == 0) {
		*repl = "1980-01-01T00:00:00Z";
		return XMLF_REPLACE;
	}
	return XMLF_KEEP;
}

static enum xmlf_action
on_text(void *arg, const char *elem_ns, const char *elem_local,
    const char **repl)
{
	(void)arg;
	(void)elem_ns;
	if (strcmp(elem_local, "desc") == 0) {
		*repl = "";
		return XMLF_REPLACE;
	}
	return XMLF_KEEP;
}

static int
on_nsdecl(void *arg, const char *prefix, const char *uri)
{
	(void)arg;
	(void)prefix;
	return strstr(uri, "inkscape") != NULL;
}

static void
check_report(const struct strip_ctx *ctx, int rc)
{
	if (rc != STRIP_OK && rc != STRIP_FAIL && rc != STRIP_UNSUPPORTED)
		abort();
	if (rc != STRIP_OK && ctx->rep.fail == NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xmlf_rules rules, none;
	struct strip_ctx ctx, ctx2;
	struct sbuf out, again;
	uint8_t sel = 0x0f;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] != '<') {
		sel = data[0];
		data++;
		size--;
	}
	memset(&rules, 0, sizeof(rules));
	memset(&none, 0, sizeof(none));
	rules.element = sel & 1 ? on_element : NULL;
	rules.attribute = sel & 2 ? on_attribute : NULL;
	rules.text = sel & 4 ? on_text : NULL;
	rules.drop_nsdecl = sel & 8 ? on_nsdecl : NULL;
	rules.keep_comments = (sel & 16) != 0;
	rules.keep_pis = (sel & 32) != 0;
	none.keep_comments = none.keep_pis = 1;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out_max = FUZZ_OUT_MAX;
	ctx.expand_budget = FUZZ_OUT_MAX;
	sbuf_init(&out, FUZZ_OUT_MAX);
	rc = xmlf_rewrite(&ctx, data, size, &rules, &out);
	check_report(&ctx, rc);
	if (rc == STRIP_OK && !out.err) {
		memset(&ctx2, 0, sizeof(ctx2));
		ctx2.out_max = FUZZ_OUT_MAX;
		ctx2.expand_budget = FUZZ_OUT_MAX;
		sbuf_init(&again, FUZZ_OUT_MAX);
		/* Its own output must parse (an output that grew past the
		 * cap is the one excuse). */
		if (xmlf_rewrite(&ctx2, out.p, out.len, &none, &again) !=
		    STRIP_OK && !again.err)
			abort();
		sbuf_free(&again);
	}
	sbuf_free(&out);
	return 0;
}
