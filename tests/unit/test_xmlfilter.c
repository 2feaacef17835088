/*
 * test_xmlfilter.c — the XML rewriter: prefixes and namespace
 * declarations kept, escaping, drops and replacements, refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "postern/xmlfilter.h"

#define NS_X "urn:x"

static int
run(const char *in, const struct xmlf_rules *r, char *got, size_t gotlen)
{
	struct strip_ctx ctx;
	struct sbuf out;
	int rc;

	memset(&ctx, 0, sizeof(ctx));
	ctx.out_max = 1 << 20;
	sbuf_init(&out, ctx.out_max);
	rc = xmlf_rewrite(&ctx, (const uint8_t *)in, strlen(in), r, &out);
	got[0] = '\0';
	if (rc == STRIP_OK) {
		assert_true(out.len < gotlen);
		memcpy(got, out.p, out.len);
		got[out.len] = '\0';
	}
	sbuf_free(&out);
	return rc;
}

static void
expect(const char *in, const struct xmlf_rules *r, const char *want)
{
	char got[4096];

	assert_int_equal(run(in, r, got, sizeof(got)), STRIP_OK);
	if (strcmp(got, want) != 0)
		fail_msg("in:   %s\nwant: %s\ngot:  %s", in, want, got);
}

static void
test_identity(void **state)
{
	struct xmlf_rules r = { 0 };

	(void)state;
	expect("<a/>", &r, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>");
	expect("<?xml version='1.0' standalone='yes'?>\r\n"
	       "<p:a xmlns:p='urn:p' xmlns='urn:d' p:k='v' k2=\"w\">"
	       "<b>t</b><p:c/></p:a>",
	    &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
	    "<p:a xmlns:p=\"urn:p\" xmlns=\"urn:d\" p:k=\"v\" k2=\"w\">"
	    "<b>t</b><p:c/></p:a>");
	/* Escaping, character references, CDATA as text, undeclaration. */
	expect("<a k='&quot;&lt;&amp;&#9;&#10;&#13;&gt;'>&lt;&amp;&gt;&#13;"
	       "<![CDATA[<x>&]]>\"'</a>",
	    &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a k=\"&quot;&lt;&amp;&#9;&#10;&#13;&gt;\">&lt;&amp;&gt;&#13;"
	    "&lt;x&gt;&amp;\"'</a>");
	expect("<a xmlns='urn:d'><b xmlns=''/></a>", &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a xmlns=\"urn:d\"><b xmlns=\"\"/></a>");
	/* DOCTYPE without internal subset dropped; comments and PIs too. */
	expect("<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' "
	       "'http://x/y.dtd'>"
	       "<a><!-- c --><?pi data?>x</a>",
	    &r, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a>x</a>");
	r.keep_comments = 1;
	r.keep_pis = 1;
	expect("<a><!-- c --><?pi data?><?q?>x</a>", &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a><!-- c --><?pi data?><?q?>x</a>");
}

static enum xmlf_action
el_rule(void *arg, const char *ns, const char *local, const char **attrs)
{
	(void)arg;
	if (strcmp(ns, NS_X) == 0 && strcmp(local, "drop") == 0)
		return XMLF_DROP;
	if (strcmp(local, "cond") == 0 &&
	    xmlf_attr(attrs, NS_X, "gone") != NULL)
		return XMLF_DROP;
	return XMLF_KEEP;
}

static enum xmlf_action
at_rule(void *arg, const char *ens, const char *elocal, const char *ns,
    const char *local, const char *value, const char **repl)
{
	(void)arg;
	(void)ens;
	(void)elocal;
	(void)value;
	if (strcmp(ns, NS_X) == 0 && strcmp(local, "secret") == 0)
		return XMLF_DROP;
	if (strcmp(ns, "") == 0 && strcmp(local, "author") == 0) {
		*repl = "";
		return XMLF_REPLACE;
	}
	return XMLF_KEEP;
}

static enum xmlf_action
tx_rule(void *arg, const char *ns, const char *local, const char **repl)
{
	(void)arg;
	if (strcmp(ns, NS_X) == 0 && strcmp(local, "name") == 0) {
		*repl = "anon";
		return XMLF_REPLACE;
	}
	if (strcmp(local, "hide") == 0)
		return XMLF_DROP;
	return XMLF_KEEP;
}

static int
ns_rule(void *arg, const char *prefix, const char *uri)
{
	(void)arg;
	(void)prefix;
	return strcmp(uri, NS_X) == 0;
}

static void
test_rules(void **state)
{
	struct xmlf_rules r = { 0 };

	(void)state;
	r.element = el_rule;
	r.attribute = at_rule;
	r.text = tx_rule;
	/* Any prefix matches by namespace; subtrees go with their root. */
	expect("<a xmlns:q='urn:x'><q:drop><b>in</b><q:drop/></q:drop>"
	       "<y:drop xmlns:y='urn:x'/><c author='me' q:secret='s' k='v'/>"
	       "<cond q:gone='1'>z</cond><q:name>Jo<br/>Doe</q:name>"
	       "<hide>h<i>i</i></hide></a>",
	    &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a xmlns:q=\"urn:x\"><c author=\"\" k=\"v\"/>"
	    "<q:name>anon<br/>anon</q:name><hide><i>i</i></hide></a>");
	/* A dropped declaration still in use is declared again where used. */
	r.drop_nsdecl = ns_rule;
	expect("<a xmlns:q='urn:x' xmlns:p='urn:p'><q:name>n</q:name>"
	       "<b q:k='1' q:j='2'/><p:c/></a>",
	    &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a xmlns:p=\"urn:p\"><q:name xmlns:q=\"urn:x\">anon</q:name>"
	    "<b xmlns:q=\"urn:x\" q:k=\"1\" q:j=\"2\"/><p:c/></a>");
	expect("<a xmlns:q='urn:x'/>", &r,
	    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a/>");
}

static void
test_refusals(void **state)
{
	static const char *bad[] = {
		"<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
		"<!DOCTYPE a [<!ENTITY % p SYSTEM 'file:///etc/passwd'> %p;]>"
		"<a/>",
		"<!DOCTYPE a SYSTEM 'file:///etc/passwd'><a>&undef;</a>",
		"<!DOCTYPE a [ ]><a/>",
		"<a>&undef;</a>",
		"<a><b></a>",
		"<p:a/>",
		"",
		"<a/><b/>",
	};
	struct xmlf_rules r = { 0 };
	char deep[7 * (XMLF_DEPTH_MAX + 1) + 1], got[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (run(bad[i], &r, got, sizeof(got)) != STRIP_FAIL)
			fail_msg("accepted: %s", bad[i]);
	deep[0] = '\0';
	for (i = 0; i < XMLF_DEPTH_MAX + 1; i++)
		strcat(deep, "<a>");
	for (i = 0; i < XMLF_DEPTH_MAX + 1; i++)
		strcat(deep, "</a>");
	assert_int_equal(run(deep, &r, got, sizeof(got)), STRIP_FAIL);
}

/* UTF-16 and ISO-8859-1 in, UTF-8 out. */
static void
test_utf16(void **state)
{
	static const uint8_t u16[] = { 0xff, 0xfe, '<', 0, 'a', 0, '>', 0, 0xe9,
		0, '<', 0, '/', 0, 'a', 0, '>', 0 };
	struct xmlf_rules r = { 0 };
	struct strip_ctx ctx;
	struct sbuf out;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out_max = 4096;
	sbuf_init(&out, ctx.out_max);
	assert_int_equal(
	    xmlf_rewrite(&ctx, u16, sizeof(u16), &r, &out), STRIP_OK);
	assert_int_equal(out.len, 39 + 9);
	assert_memory_equal(out.p + 39, "<a>\xc3\xa9</a>", 9);
	sbuf_free(&out);
	/* A declared single-byte encoding is honoured too. */
	expect("<?xml version='1.0' encoding='ISO-8859-1'?><a k='\xe9'>\xe9</a>",
	    &r, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<a k=\"\xc3\xa9\">\xc3\xa9</a>");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_utf16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
