/*
 * server/engine/report/marks.h: the counters the cost report reads (GET /ddbd/usage), and marks:
 * named moments of them, so that a test or a pull request's run reads what happened since
 * (POST /ddbd/usage/mark {"name": NAME}, GET /ddbd/usage?since=NAME; docs/usage.md, "Per test
 * and per pull request").
 *
 * The report reads each table's counters once, into a ddb_usage_snap (relaxed atomic loads of
 * the live ones: engine/capacity/usage.h, pattern.h); a report since a mark subtracts the mark's
 * snap of the same table (by its id: a table created after the mark has none, so all of it
 * counts). An access pattern's slot keeps its place and key until the server restarts, so a slot
 * is matched by its place and its hash. A mark holds one snap per table, packed (its non-zero
 * counters only: 32 bytes for an idle table, up to about 4.5 KB for one whose every operation,
 * index and pattern counted); at most DDB_USAGE_MARKS are kept and DDB_USAGE_MARKS_BYTES in all,
 * the whole server's (every namespace's tables: with --namespaces each account and Region has its
 * own table quota, so the server's tables have no bound of their own), the oldest dropped first to
 * make room, a mark that alone would pass the budget refused, and a mark set again under its name
 * replaces it. Marks are a server's admin door's (doors/admin.c, doors/usage.c): it sets and reads them one request
 * at a time, under its lock.
 */
#ifndef DDB_USAGE_MARKS_H
#define DDB_USAGE_MARKS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "server/engine/engine.h"
#include "server/engine/capacity/pattern.h"
#include "server/engine/capacity/usage.h"
#include "server/engine/table.h"

#define DDB_USAGE_MARKS 128
#define DDB_USAGE_MARKS_BYTES (64u << 20) /* what the marks hold in all, at most */
#define DDB_USAGE_MARK_NAME 256 /* bytes at most */

/* One table's counters at one moment (plain values: the units in thousandths, as usage.h keeps them). */
typedef struct ddb_usage_snap {
    uint32_t id;                           /* the table's (t->id) */
    ddb_usage_units op[DDB_OP__COUNT];     /* by ddb_op */
    uint32_t ix_id[DDB_MAX_INDEXES];       /* the index slots' ids (0: free), as usage.h's */
    ddb_usage_units ix[DDB_MAX_INDEXES];
    uint64_t slot_hash[DDB_PATTERNS];      /* the pattern slots' hashes (0: free), as pattern.h's */
    ddb_usage_units slot[DDB_PATTERNS];
    ddb_usage_units other;
    uint64_t stream_reads;
    uint64_t replicated_milli;
} ddb_usage_snap;

/* t's live counters (t->stats not NULL). */
void ddb_usage_snap_take(const ddb_table *t, ddb_usage_snap *s);
/* s minus base: what was counted between them. */
void ddb_usage_snap_sub(ddb_usage_snap *s, const ddb_usage_snap *base);

typedef struct ddb_usage_mark ddb_usage_mark;

/* A server's marks, the oldest first (its admin door's: zero-filled is none; ddb_usage_marks_free). */
typedef struct ddb_usage_marks {
    ddb_usage_mark *m[DDB_USAGE_MARKS];
    size_t n;
    size_t bytes;  /* what they hold */
    size_t budget; /* at most (0: DDB_USAGE_MARKS_BYTES; $DDBD_USAGE_MARKS_BYTES, for tests: admin.c) */
} ddb_usage_marks;

void ddb_usage_marks_free(ddb_usage_marks *ms);
/* Sets mark `name` (len bytes) of ms at now_ms on the `n` tables' counters (those with figures):
   0, or -1 when that mark alone would hold more than the budget (nothing changed). */
int ddb_usage_mark_set(ddb_usage_marks *ms, const char *name, size_t len, const ddb_table *const *tables, size_t n,
                        uint64_t now_ms);
/* The same on eng's tables now; *ntables: how many there are. */
int ddb_usage_mark_engine(ddb_engine *eng, ddb_usage_marks *ms, const char *name, size_t len, uint64_t now_ms,
                          size_t *ntables);
/* The bytes the marks may hold in all. */
size_t ddb_usage_marks_budget(const ddb_usage_marks *ms);
/* The mark of ms named so, or NULL. */
const ddb_usage_mark *ddb_usage_mark_find(const ddb_usage_marks *ms, const char *name, size_t len);
/* When it was set (the server's clock, ms). */
uint64_t ddb_usage_mark_ms(const ddb_usage_mark *m);
/* Its name (*len bytes, not NUL-terminated). */
const char *ddb_usage_mark_name(const ddb_usage_mark *m, size_t *len);
/* Its snap of table `id` into *s: 0, or -1 when it has none (a table created after it). */
int ddb_usage_mark_table(const ddb_usage_mark *m, uint32_t id, ddb_usage_snap *s);
/* "marks": [{"name", "timeMs"}] of ms, the oldest first, into the object w is in. */
void ddb_usage_marks_write(const ddb_usage_marks *ms, ddb_jw *w);

#endif
