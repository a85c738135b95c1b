/*
 * server/engine/engine.h: the engine context: what the table engine, its background jobs and the
 * operations work on, in place of the whole server.
 *
 * The wiring (server/server.c) opens the store and the catalog, fills the settings from the
 * command line and starts the background work; everything below the wiring (engine/, its jobs/ and
 * xfer/, and the operations through req->eng) reaches the process's state only through this
 * struct, so none of it includes a header of a layer above it.
 */
#ifndef DDB_ENGINE_H
#define DDB_ENGINE_H

#include <pthread.h>
#include <stdint.h>

#include "server/engine/catalog/catalog.h"
#include "server/engine/feature.h"
#include "server/storage/storage.h"

/* DynamoDB's limit on an item collection (a partition key's items and their LSI entries). */
#define DDB_ITEM_COLLECTION_LIMIT (10ULL * 1024 * 1024 * 1024)

/* Where exports are written and imports read (engine/xfer/objstore.h): bucket B is the directory
   <export_dir>/B when that exists, else bucket B of the S3-compatible store at s3_endpoint. */
typedef struct ddb_objstore_settings {
    const char *export_dir;  /* --export-dir DIR, or NULL */
    const char *s3_endpoint; /* --s3-endpoint http://HOST:PORT, or NULL */
    const char *s3_access_key, *s3_secret_key, *s3_region; /* NULL: the AWS_* environment, us-east-1 */
} ddb_objstore_settings;

/* Regions served by other ddbd servers (engine/jobs/peer.h): --region-peer REGION=URL, and the
   key that signs requests to them (--peer-key's, from --auth FILE; a fixed one without --auth). */
typedef struct ddb_peer_settings {
    const char *const *specs; /* "REGION=URL" each */
    unsigned n;
    const char *access_key, *secret_key;
} ddb_peer_settings;

/* The command line's settings the engine and its jobs act on (server/config.h says each one). */
typedef struct ddb_engine_settings {
    unsigned long long item_collection_limit; /* bytes; 0: DynamoDB's 10 GB */
    unsigned ttl_interval;            /* seconds between TTL sweeps */
    unsigned count_check_interval;    /* seconds between checks of the kept item counts */
    unsigned count_refresh;           /* --count-refresh, s: DescribeTable's figures refreshed this often (0: live) */
    int namespaces;                   /* --namespaces: regions have their own tables (global tables need it) */
    unsigned replication_lag;         /* --replication-lag, ms: on a STRONG global table, how long another
                                         region's write keeps an item in flight (mutation.h) */
    ddb_objstore_settings objstore;
    ddb_peer_settings peers;
} ddb_engine_settings;

typedef struct ddb_engine {
    ddb_store *store;
    ddb_catalog *catalog;
    struct ddb_tokens *tokens; /* ClientRequestTokens in flight (engine/idempotency.h) */
    /* the background worker (engine/jobs/tasks.h); NULL while a snapshot is restored. The core
       never uses it: the operations and jobs that record work kick it. */
    struct ddb_tasks *tasks;
    /* the features (feature.h): rows the wiring hands the engine at open (server/features.def), in
       that order, each with its state; the core walks them at each hook and names none */
    ddb_features features;
    /* the keys of the anonymised imports under way, in memory only (engine/xfer/anon.h) */
    struct ddb_anon_keys *anon_keys;
    ddb_engine_settings settings;
} ddb_engine;

/* A keyed 64-bit hash (SipHash-2-4 under the data directory's secret: storage.h's
   ddb_store_secret_hash, not the partition hash's public key), for tokens the server signs, such as
   shard iterators. */
uint64_t ddb_engine_hash(const ddb_engine *eng, const void *data, size_t len);
/* The store's shard count: how many shards a new stream generation has (engine/history/streams.h). */
unsigned ddb_engine_nshards(const ddb_engine *eng);

/* Adds a feature's row and its state (NULL: off), after those added before (the wiring, at open,
   in features.def's order). 0, or -1 when the engine has DDB_FEATURES_MAX rows already. */
int ddb_engine_add_feature(ddb_engine *eng, const ddb_feature *row, void *state);
/* Replaces the state of `row` (a worker that starts after the engine opened, a cache rebuilt for
   a restored store), with no request running; returns the one it had (NULL: none, or no such row). */
void *ddb_engine_set_feature(ddb_engine *eng, const ddb_feature *row, void *state);
/* Turns `row` on while requests run (an admin door's first settings): its state becomes `state` if
   it had none, atomically (the hooks' walks see it whole). Returns the state in place
   after the call (`state`, or another caller's published first: the caller frees its own), NULL
   when eng has no such row. */
void *ddb_engine_publish_feature(ddb_engine *eng, const ddb_feature *row, void *state);
/* Closes every row's state (its row's close) and forgets the rows: the engine's close. */
void ddb_engine_close_features(ddb_engine *eng);
/* Every row's section of GET /metrics (its metrics hook), in features.def's order: /metrics names
   no feature. */
void ddb_engine_metrics(ddb_engine *eng, ddb_buf *out);
/* The store's section of GET /metrics: its backend's own figures and --sync's group commit, so that
   no door reads the store itself. */
void ddb_engine_store_metrics(ddb_engine *eng, ddb_buf *out);

/* --count-refresh as it stands (POST /ddbd/table-states may change it while requests run: read
   atomically), and its change. */
static inline unsigned ddb_count_refresh_s(const ddb_engine *eng)
{
    return __atomic_load_n(&eng->settings.count_refresh, __ATOMIC_RELAXED);
}
static inline void ddb_count_refresh_set(ddb_engine *eng, unsigned s)
{
    __atomic_store_n(&eng->settings.count_refresh, s, __ATOMIC_RELAXED);
}

/* The row that emulates a table's life (feature.h's state_until ... deleting_names: the first row
   that has them, when it is on), or NULL: what the table operations ask, naming none. */
static inline const ddb_feature_slot *ddb_engine_life(const ddb_engine *eng)
{
    return eng->features.nwith[DDB_HOOK_LIFE] > 0 ? ddb_features_on(&eng->features, DDB_HOOK_LIFE, 0) : NULL;
}

/* The state of feature `row` in eng past its first two rows (ddb_engine_feature). */
void *ddb_engine_feature_after(const ddb_engine *eng, const ddb_feature *row);

/* The state of feature `row` in eng (NULL: off, or not one of its rows): how a feature finds its
   own from above the core. The busiest rows come first in features.def (the meter asks capacity's
   and the throttle's on every request): their answer is two compares, inline. (A slot not added
   has a NULL row: the engine is zeroed before its rows are added.) */
static inline void *ddb_engine_feature(const ddb_engine *eng, const ddb_feature *row)
{
    if (eng->features.slot[0].row == row)
        return eng->features.slot[0].state;
    if (eng->features.slot[1].row == row)
        return eng->features.slot[1].state;
    return ddb_engine_feature_after(eng, row);
}

#endif
