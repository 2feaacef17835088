/*
 * xmlfilter.h — rewrite an XML document through expat, dropping the
 * elements, attributes, comments and processing instructions a set of
 * rules names, and writing everything else back. Used by the SVG, OOXML
 * and ODF strippers, inside the sandbox.
 *
 * Names are namespace-aware: a rule sees the namespace URI ("" when none)
 * and the local name, so "w:author" matches however the document spells
 * its prefix. The output keeps each element's original prefix and the
 * namespace declarations the document made (except those the nsdecl rule
 * drops).
 *
 * Hostile input: a DOCTYPE with an internal subset (entity declarations:
 * billion laughs, external entities) is refused with STRIP_FAIL; external
 * entities are never loaded; depth and size are capped.
 */
#ifndef POSTERN_XMLFILTER_H
#define POSTERN_XMLFILTER_H

#include <stddef.h>
#include <stdint.h>

#include "postern/stripfmt.h"

/* Deepest element nesting accepted. */
#define XMLF_DEPTH_MAX 256

enum xmlf_action {
	XMLF_KEEP = 0,
	XMLF_DROP,	/* an element: with its whole subtree */
	XMLF_REPLACE	/* an attribute value or a text run: with *repl */
};

struct xmlf_rules {
	/* An element starts. attrs are expat's namespace-triplet pairs;
	 * read them with xmlf_attr. NULL: keep every element. */
	enum xmlf_action (*element)(void *arg, const char *ns,
	    const char *local, const char **attrs);
	/* An attribute of a kept element. *repl, for XMLF_REPLACE, must
	 * outlive the call (a static string). NULL: keep every one. */
	enum xmlf_action (*attribute)(void *arg, const char *elem_ns,
	    const char *elem_local, const char *ns, const char *local,
	    const char *value, const char **repl);
	/* Character data directly inside a kept element. NULL: keep. */
	enum xmlf_action (*text)(void *arg, const char *elem_ns,
	    const char *elem_local, const char **repl);
	/* A namespace declaration (xmlns:prefix="uri"; prefix "" for the
	 * default namespace). Non-zero drops it. NULL: keep every one. */
	int (*drop_nsdecl)(void *arg, const char *prefix, const char *uri);
	int keep_comments;	/* 0: comments are removed */
	int keep_pis;		/* 0: processing instructions are removed
				   (the XML declaration is always written) */
	void *arg;
};

/* The value of the attribute (ns, local) in an element callback's attrs,
 * or NULL. */
const char *xmlf_attr(const char **attrs, const char *ns, const char *local);

/* Rewrite in[0..len) into out under rules. STRIP_OK, or STRIP_FAIL with
 * the reason in ctx (malformed XML, an internal DTD subset, too deep). */
int xmlf_rewrite(struct strip_ctx *, const uint8_t *in, size_t len,
    const struct xmlf_rules *, struct sbuf *out);

#endif
