/*
 * server/engine/table_stats_saved.h: the kept item counts (engine/table_stats.h) across a clean
 * stop, so that a restart need not count every table again.
 *
 * A clean stop, once nothing writes any more, saves every known table's figures under the
 * metadata key `stats/figures` (docs/storage-format.md). The next start loads them before anything
 * writes and deletes the key at once: a store that then stops without saving (kill -9, a crash,
 * power loss) has no saved figures at its next start, and its tables are counted in the background
 * (jobs/table_counts.h), as are those of a store written by a version that kept none (the
 * migration: nothing to convert). A store other gateways share (RADOS) keeps no figures, and
 * an in-memory one does not outlive the process: neither saves nor loads.
 */
#ifndef DDB_TABLE_STATS_SAVED_H
#define DDB_TABLE_STATS_SAVED_H

#include "server/engine/catalog/catalog.h"
#include "server/storage/storage.h"

/* At a clean stop, after the last write. */
void ddb_table_stats_save(ddb_store *store, ddb_catalog *c);
/* At start, after the catalog opened and before any write. */
void ddb_table_stats_load(ddb_store *store, ddb_catalog *c);

#endif
