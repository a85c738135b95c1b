/*
 * server/engine/clock_kept.c: the clock's high mark kept across a restart (see clock_kept.h). The
 * value is the mark in decimal milliseconds since the epoch.
 */
#include "server/engine/clock_kept.h"

#include "server/base/clock.h"
#include "server/base/log.h"

#define KEPT_KEY "ddbd/clock_high"

void ddb_clock_high_keep(ddb_store *store, uint64_t before)
{
    uint64_t high = ddb_clock_high_mark_ms();
    ddb_arena a;

    if (high <= before)
        return; /* (no step back: nothing new to keep) */
    ddb_arena_init(&a);
    if (ddb_store_meta_set_u64(store, &a, KEPT_KEY, high) != DDB_STORE_OK)
        ddb_log(DDB_LOG_WARN, "clock: its high mark not kept (after a restart a table may be CREATING again)");
    ddb_arena_free(&a);
}

void ddb_clock_high_restore(ddb_store *store)
{
    ddb_arena a;
    uint64_t ms;

    ddb_arena_init(&a);
    ms = ddb_store_meta_get_u64(store, &a, KEPT_KEY);
    ddb_arena_free(&a);
    if (ms != 0)
        ddb_clock_note_high(ms);
}
