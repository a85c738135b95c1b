/*
 * server/engine/table_states.h: production's table states on demand (--table-states MS).
 *
 * DynamoDB makes a table CREATING for a while after CreateTable, a GSI UpdateTable adds CREATING
 * with Backfilling, and a deleted table DELETING before it is gone. ddbd's tables are ACTIVE at once
 * and gone at once; with --table-states each of these lasts MS of the server's clock
 * (base/clock.h), decided lazily: the time the state ends is stored with the table ("ddbdActiveAt"
 * of its description, or of the index's object: catalog_members.c), and the state holds while the
 * clock is before it. No timer: a frozen clock stepped by POST /ddbd/clock {"advance": ms} moves
 * it exactly, and nothing changes by itself while the clock is frozen.
 *
 * A deleted table leaves the catalog at once, as without the option (its keys are purged by the
 * worker); what stays for MS is its DELETING description, kept here in memory (a "gone" table:
 * DescribeTable answers it, ListTables lists it, CreateTable and DeleteTable of its name are
 * refused as in use). Not
 * kept across a restart, nor seen by another gateway of a shared RADOS pool (docs/compatibility.md).
 */
#ifndef DDB_TABLE_STATES_H
#define DDB_TABLE_STATES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/table.h"

/* Table t is still CREATING by the server's clock (one branch when the option never set it). */
static inline int ddb_table_creating_now(const ddb_table *t)
{
    return t->active_at != 0 && ddb_clock_high_ms() < t->active_at; /* (due stays due: clock.h) */
}

/* Index ix is still being created by the clock (its own "ddbdActiveAt"), whatever its build. */
static inline int ddb_index_pending_now(const ddb_index *ix)
{
    /* one deleted while still due (a Delete cancels a build) is DELETING, not CREATING */
    return ix->active_at != 0 && ix->state != DDB_IX_DELETING && ddb_clock_high_ms() < ix->active_at;
}

/* Index ix is CREATING with Backfilling: being built, or not yet due by the clock. */
static inline int ddb_index_backfilling_now(const ddb_index *ix)
{
    return (ix->state == DDB_IX_CREATING && ix->backfilling) || ddb_index_pending_now(ix);
}

/* The tables deleted under --table-states whose DELETING lasts until their due time. */
typedef struct ddb_gone_tables ddb_gone_tables;

/* The settings as they stand (the admin door may change them while requests run: read atomically):
   --table-states' ms (0: off), --count-refresh's seconds (0: always current), and the deleted
   tables still DELETING (NULL until the option is first on). */
static inline unsigned ddb_table_states_ms(const ddb_engine *eng)
{
    return __atomic_load_n(&eng->settings.table_states, __ATOMIC_RELAXED);
}

static inline unsigned ddb_count_refresh_s(const ddb_engine *eng)
{
    return __atomic_load_n(&eng->settings.count_refresh, __ATOMIC_RELAXED);
}

static inline ddb_gone_tables *ddb_gone_of(const ddb_engine *eng)
{
    return __atomic_load_n(&eng->gone, __ATOMIC_ACQUIRE);
}

/* The names of namespace `ns`'s tables still DELETING at `now_ms` (arena memory; ListTables lists
   them, as DynamoDB does); their number. */
size_t ddb_gone_names(ddb_gone_tables *g, const char *ns, uint64_t now_ms, ddb_arena *a, const char ***names);

/* Sets both at run time (POST /ddbd/table-states), making the deleted tables' list on first use. */
void ddb_table_states_set(ddb_engine *eng, unsigned ms, unsigned count_refresh_s);

ddb_gone_tables *ddb_gone_new(void);
void ddb_gone_free(ddb_gone_tables *g);
/* Table `key` (its catalog key) was deleted: DELETING until `due_ms` (server clock), described by
   `desc` (DescribeTable's whole answer, `len` bytes; copied). */
void ddb_gone_add(ddb_gone_tables *g, const char *key, uint64_t due_ms, const char *desc, size_t len);
/* Whether table `key` is still DELETING at `now_ms`; if so and `a` is given, *desc and *len (copied
   into a) its DescribeTable answer. Entries past their due time are dropped. */
int ddb_gone_get(ddb_gone_tables *g, const char *key, uint64_t now_ms, ddb_arena *a, const char **desc, size_t *len);

#endif
