/*
 * zipfile.h — read a zip archive held in memory and write a new one, for
 * the OOXML, ODF and ZIP strippers, inside the sandbox.
 *
 * The reader trusts nothing: it works from the central directory, checks
 * every offset and size against the buffer, checks that each local header
 * agrees with its central entry, refuses encrypted entries, zip64 it cannot
 * verify, duplicate names and overlapping entries, and inflates only
 * within ctx->expand_budget (a member's declared size is never believed:
 * inflation stops at min(declared, budget) and a mismatch fails).
 *
 * The writer emits no extra fields, no comments, no data descriptors, the
 * same fixed time for every entry (1980-01-01 00:00), version-made-by
 * "MS-DOS" (no Unix permissions or owner), and no zip64 unless needed.
 */
#ifndef POSTERN_ZIPFILE_H
#define POSTERN_ZIPFILE_H

#include <stddef.h>
#include <stdint.h>

#include "postern/stripfmt.h"

#define ZIP_MEMBERS_MAX 10000	/* entries in one archive */
#define ZIP_NAME_MAX 1024	/* bytes in an entry name */

struct zip_entry {
	char *name;		/* NUL-terminated; names holding a NUL are
				   refused */
	size_t name_len;
	uint16_t method;	/* 0 stored, 8 deflate; others refused when
				   inflated or copied */
	uint16_t flags;		/* general purpose flags as read */
	uint32_t crc;
	uint64_t csize;		/* compressed bytes, at cdata */
	uint64_t usize;		/* declared uncompressed size */
	const uint8_t *cdata;	/* inside the input buffer */
	int is_dir;		/* name ends in '/' */
};

struct zip_reader;

/* Parse the archive; STRIP_OK or STRIP_FAIL (reason in ctx). Counts the
 * entries against ctx->members_budget. */
int zip_open(struct strip_ctx *, const uint8_t *in, size_t len,
    struct zip_reader **out);
size_t zip_count(const struct zip_reader *);
const struct zip_entry *zip_entry_at(const struct zip_reader *, size_t i);
/* Index of the entry with this exact name, or -1. */
long zip_find(const struct zip_reader *, const char *name);
/* The archive comment was non-empty (for the report). */
int zip_had_comment(const struct zip_reader *);
/* Some entry carried extra fields (times, uid/gid, NTFS). */
int zip_had_extra(const struct zip_reader *);
/* Inflate (or copy, if stored) one entry into out, checking its size and
 * CRC, charging ctx->expand_budget. STRIP_OK or STRIP_FAIL. */
int zip_read_entry(struct strip_ctx *, const struct zip_entry *,
    struct sbuf *out);
void zip_close(struct zip_reader *);

struct zip_writer {
	struct sbuf *out;
	struct sbuf cdir;	/* the central directory, appended at the end */
	uint64_t count;
};

void zip_writer_init(struct zip_writer *, struct sbuf *out, size_t max);
/* Copy an entry's compressed bytes as they are (no recompression), with
 * fresh headers. */
int zip_add_raw(struct zip_writer *, const struct zip_entry *);
/* Add data under name: deflated (compress != 0) or stored. */
int zip_add(struct zip_writer *, const char *name, const uint8_t *data,
    size_t len, int compress);
/* Central directory and end record; no comment. STRIP_OK or STRIP_FAIL. */
int zip_writer_finish(struct zip_writer *);
void zip_writer_free(struct zip_writer *);

#endif
