/*
 * server/server.c: opens and closes a server's state (see server.h).
 */
#include "server/server.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/api/auth/auth.h"
#include "server/api/faults/inject.h"
#include "server/api/rates.h"
#include "server/api/record/record.h"
#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/base/groupcommit.h"
#include "server/base/log.h"
#include "server/base/workers.h"
#include "server/engine/emulate/conflicts.h"
#include "server/engine/emulate/consistency.h"
#include "server/engine/emulate/table_states.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/capacity/insights.h"
#include "server/engine/derive_index.h"
#include "server/engine/derive_write_time.h"
#include "server/engine/history/history.h"
#include "server/engine/idempotency.h"
#include "server/engine/capacity/meter.h"
#include "server/engine/jobs/backups.h"
#include "server/engine/jobs/budget.h"
#include "server/engine/jobs/expiry.h"
#include "server/engine/jobs/indexes.h"
#include "server/engine/jobs/pitr.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/jobs/streams_trim.h"
#include "server/engine/jobs/tasks.h"
#include "server/engine/jobs/triggers.h"
#include "server/engine/jobs/replication.h"
#include "server/engine/jobs/table_counts.h"
#include "server/engine/jobs/ttl.h"
#include "server/engine/keycodec.h"
#include "server/engine/history/retention.h"
#include "server/engine/history/streams.h"
#include "server/engine/clock_kept.h"
#include "server/engine/table_stats_saved.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/capacity/throttle.h"
#include "server/engine/vector/vector_feature.h"
#include "server/engine/xfer/xfer_job.h"
#include "server/ops/optable.h"
#include "server/ops/owners.h"

/*
 * The background worker's jobs, in the order each turn runs them (engine/jobs/tasks.h): the work
 * persisted records ask for, then the sweeps of what expired (TTL first).
 */
static const ddb_job *const JOBS[] = {
    &ddb_job_table_purge, &ddb_job_indexes, &ddb_job_backups, &ddb_job_xfer, &ddb_job_ttl,
    &ddb_job_tokens, &ddb_job_stream_trim, &ddb_job_pitr_trim, &ddb_job_backup_expiry,
    &ddb_job_table_counts, &ddb_job_budget,
};

/* A commit took a retained kind past its memory budget: the worker trims it (jobs/budget.h), and
   the Kinesis destinations' worker its logs (jobs/kinesis.h). The engine is the server's member
   (the history feature's over_budget: engine/history/history.h). */
static void over_budget(ddb_engine *eng)
{
    ddb_server *srv = (ddb_server *)(void *)((char *)eng - offsetof(ddb_server, eng));

    if (eng->tasks != NULL)
        ddb_tasks_kick(eng->tasks);
    ddb_kinesis_wake(srv->kinesis);
}

/* A commit wrote t's stream or Kinesis records: the followers that read them pass now, not at their
   next poll (the history feature's followed_write; replication is woken by its own feature row). */
static void followed_write(ddb_engine *eng, const ddb_table *t)
{
    ddb_server *srv = (ddb_server *)(void *)((char *)eng - offsetof(ddb_server, eng));

    if (t->stream.id != 0)
        ddb_triggers_nudge(srv->triggers, t->name);
    if (t->kinesis_log != 0)
        ddb_kinesis_nudge(srv->kinesis);
}

/* ---- the background workers (base/workers.h), in the order they start and halt ---- */

/* Each finds its worker where the rest of the server does (a test may swap the engine's tasks). */
static ddb_server *server_of(void *ctx)
{
    return ctx;
}

static void tasks_start(void *ctx)
{
    ddb_server *srv = server_of(ctx);
    srv->eng.tasks = ddb_tasks_start(&srv->eng, JOBS, sizeof(JOBS) / sizeof(JOBS[0]));
}
static void tasks_halt(void *ctx)
{
    ddb_worker_halt(ddb_tasks_worker(server_of(ctx)->eng.tasks));
}
static void tasks_release(void *ctx)
{
    ddb_worker_stop(ddb_tasks_worker(server_of(ctx)->eng.tasks));
    server_of(ctx)->eng.tasks = NULL;
}

static void triggers_start(void *ctx)
{
    ddb_server *srv = server_of(ctx);
    srv->triggers = ddb_triggers_start(&srv->eng, srv->config->triggers, srv->config->ntriggers);
}
static void triggers_halt(void *ctx)
{
    ddb_worker_halt(ddb_triggers_worker(server_of(ctx)->triggers));
}
static void triggers_release(void *ctx)
{
    ddb_worker_stop(ddb_triggers_worker(server_of(ctx)->triggers));
    server_of(ctx)->triggers = NULL;
}

static void kinesis_start(void *ctx)
{
    ddb_server *srv = server_of(ctx);
    srv->kinesis = ddb_kinesis_start(&srv->eng, &srv->kinesis_settings);
}
static void kinesis_halt(void *ctx)
{
    ddb_worker_halt(ddb_kinesis_worker(server_of(ctx)->kinesis));
}
static void kinesis_release(void *ctx)
{
    ddb_worker_stop(ddb_kinesis_worker(server_of(ctx)->kinesis));
    server_of(ctx)->kinesis = NULL;
}

static void replication_start(void *ctx)
{
    ddb_server *srv = server_of(ctx);
    ddb_replication_start(&srv->eng, srv->config->replication_lag); /* sets its feature row's state */
}
static void replication_halt(void *ctx)
{
    ddb_worker_halt(ddb_replication_worker(ddb_replication_of(&server_of(ctx)->eng)));
}
static void replication_release(void *ctx)
{
    /* clears its feature row's state */
    ddb_worker_stop(ddb_replication_worker(ddb_replication_of(&server_of(ctx)->eng)));
}

/* Replication last: the others' writes wake it. */
static const ddb_worker_kind WORKERS[] = {
    {"tasks", tasks_start, tasks_halt, tasks_release},
    {"triggers", triggers_start, triggers_halt, triggers_release},
    {"kinesis", kinesis_start, kinesis_halt, kinesis_release},
    {"replication", replication_start, replication_halt, replication_release},
};

static void workers_of(ddb_server *srv)
{
    for (size_t i = 0; i < sizeof(WORKERS) / sizeof(WORKERS[0]); i++)
        ddb_workers_add(&srv->workers, &WORKERS[i], srv);
}

/* ---- the engine's features (engine/feature.h), each opened from the command line ---- */

/* A row always on with no state of its own (its hooks read the table: write_time, index). */
static void *open_always(ddb_server *srv, const ddb_config *cfg)
{
    (void)srv;
    (void)cfg;
    return DDB_FEATURE_ALWAYS;
}
/* A row off at open: one whose table member only the catalog reads (ROWS; no hook runs: ttl,
   backups), or whose worker sets its state once started (replication: ddb_replication_start). */
static void *open_off(ddb_server *srv, const ddb_config *cfg)
{
    (void)srv;
    (void)cfg;
    return NULL;
}
static void *open_capacity(ddb_server *srv, const ddb_config *cfg)
{
    (void)srv;
    (void)cfg;
    return ddb_capacity_state_new();
}
static void *open_throttle(ddb_server *srv, const ddb_config *cfg)
{
    (void)srv;
    return cfg->enforce_capacity ? ddb_throttle_new() : NULL;
}
/* exact vector search reads memory; a store other gateways write is read where it lies */
static ddb_vector_cache *vector_cache_of(ddb_server *srv, const ddb_config *cfg)
{
    return ddb_store_shared(srv->eng.store) ? NULL : ddb_vector_cache_new(cfg->vector_ann, cfg->vector_ann_ef);
}
static void *open_vector(ddb_server *srv, const ddb_config *cfg)
{
    ddb_vectors *v = ddb_vectors_new(vector_cache_of(srv, cfg));

    if (v != NULL)
        v->search_threads = cfg->search_threads;
    return v;
}
static void *open_history(ddb_server *srv, const ddb_config *cfg)
{
    ddb_history *h = ddb_history_new();

    if (h == NULL)
        return NULL;
    /* in memory, retained history is memory: budgeted (a data directory's is on disk) */
    if (cfg->in_memory && (ddb_backend_caps(cfg->backend) & DDB_BACKEND_CAP_LOCAL)) {
        h->retention =
            ddb_retention_new(cfg->memory_budget == DDB_BUDGET_UNSET ? DDB_MEMORY_BUDGET_DEFAULT : cfg->memory_budget);
        h->over_budget = over_budget;
    }
    h->followed_write = followed_write;
    (void)srv;
    return h;
}

/* --write-conflict-rate, --transaction-conflict-rate (both 0: the row is off) */
static void *open_conflicts(ddb_server *srv, const ddb_config *cfg)
{
    (void)srv;
    return ddb_conflicts_new(cfg->write_conflict_rate, cfg->transaction_conflict_rate);
}

/* --index-lag, --stale-reads: every table's settings (without them the row stays off until
   /ddbd/consistency sets a table's, and the reads and writes never look: engine/emulate/consistency.h) */
static void *open_consistency(ddb_server *srv, const ddb_config *cfg)
{
    ddb_consist_settings d = {0, 0, cfg->stale_reads, cfg->consistency_seed};

    (void)srv;
    if (cfg->index_lag != NULL)
        (void)ddb_consist_parse_lag(cfg->index_lag, &d.lag_min_ms, &d.lag_max_ms); /* checked by config.c */
    return d.lag_max_ms > 0 || d.stale_ms > 0 ? ddb_consist_create(&d) : NULL;
}

/* --table-states' MS (0: ACTIVE and gone at once): always on, as a table stored with its end of
   CREATING stays CREATING until then whatever the command line (engine/emulate/table_states.h) */
static void *open_table_states(ddb_server *srv, const ddb_config *cfg)
{
    (void)srv;
    return ddb_table_states_new(cfg->table_states);
}

/* The rows of server/features.def, in its order: the engine walks them at each hook. */
static const struct {
    const ddb_feature *row;
    void *(*open)(ddb_server *srv, const ddb_config *cfg);
} FEATURES[] = {
#define DDB_FEATURE(name, open) {&ddb_feature_##name, open},
#include "server/features.def"
#undef DDB_FEATURE
};

/* The same rows for the catalog, which reads their table members (feature.h) on or off alike. */
static const ddb_feature *const ROWS[] = {
#define DDB_FEATURE(name, open) &ddb_feature_##name,
#include "server/features.def"
#undef DDB_FEATURE
};
static const ddb_feature_rows MEMBER_ROWS = {ROWS, sizeof(ROWS) / sizeof(ROWS[0])};

static void features_of(ddb_server *srv, const ddb_config *cfg)
{
    for (size_t i = 0; i < sizeof(FEATURES) / sizeof(FEATURES[0]); i++)
        if (ddb_engine_add_feature(&srv->eng, FEATURES[i].row, FEATURES[i].open(srv, cfg)) != 0)
            abort(); /* (features.def holds more rows than DDB_FEATURES_MAX: a build's mistake) */
}

/* The command line's settings the engine and its jobs act on: the rows of options.def that name
   a member of them (TO_ENGINE), and the peers' list and key. */
static void settings_of(const ddb_config *cfg, ddb_engine_settings *s)
{
    ddb_config_engine_settings(cfg, s);
    s->peers.specs = cfg->region_peers;
    s->peers.n = cfg->nregion_peers;
    s->peers.access_key = "ddbdpeer"; /* without --auth any signature is accepted */
    s->peers.secret_key = "ddbdpeer";
}

/* --kinesis-endpoint, signed with the environment's key when it has one (kinesalite checks none). */
static void kinesis_settings(ddb_server *srv, const ddb_config *cfg)
{
    const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");

    srv->kinesis_settings.endpoint = cfg->kinesis_endpoint;
    srv->kinesis_settings.access_key = key != NULL && secret != NULL ? key : "ddbd";
    srv->kinesis_settings.secret_key = key != NULL && secret != NULL ? secret : "ddbd";
}

/* --peer-key: the --auth key that signs requests to the peers and alone may send a peer's (ops_peer.c). */
static int peers_of(ddb_server *srv, const ddb_config *cfg, char **err)
{
    const ddb_auth_key *k;

    if (cfg->nregion_peers == 0)
        return 0;
    srv->api.peer = ddb_op_peer;
    if (srv->api.auth == NULL)
        return 0;
    if (cfg->peer_key == NULL || (k = ddb_auth_key_of(srv->api.auth, cfg->peer_key)) == NULL) {
        *err = strdup(cfg->peer_key == NULL ? "--region-peer with --auth needs --peer-key: the key that signs peer requests"
                                            : "--peer-key: no such key in --auth FILE");
        ddb_auth_free(srv->api.auth);
        srv->api.auth = NULL;
        return -1;
    }
    srv->api.peer_key = k->access_key;
    srv->eng.settings.peers.access_key = k->access_key;
    srv->eng.settings.peers.secret_key = k->secret;
    return 0;
}

/* --record-redact's rules and --record's recording (api/record/record.h), before anything else is opened:
   a file that cannot be read or opened stops the start with nothing to undo. */
static int recorder_of(ddb_server *srv, const ddb_config *cfg, char **err)
{
    ddb_record_rules *rules = NULL;
    ddb_record_limits limits;
    char why[512];

    if (cfg->record_redact != NULL) {
        FILE *f = fopen(cfg->record_redact, "rb");
        char text[65536];
        size_t n = f != NULL ? fread(text, 1, sizeof(text), f) : 0;

        if (f == NULL || ferror(f) || n == sizeof(text))
            snprintf(why, sizeof(why), "cannot read it%s", f != NULL && n == sizeof(text) ? " (over 64 KB)" : "");
        else
            rules = ddb_record_rules_parse(text, n, why, sizeof(why));
        if (f != NULL)
            fclose(f);
        if (rules == NULL) {
            if (asprintf(err, "--record-redact %s: %s", cfg->record_redact, why) < 0)
                abort();
            return -1;
        }
    }
    limits = (ddb_record_limits){cfg->record_max_bytes, cfg->min_free_disk, cfg->auth_file != NULL};
    srv->api.recorder = ddb_recorder_new(rules, &limits);
    if (cfg->record != NULL &&
        ddb_recorder_start(srv->api.recorder, &srv->api.recording, cfg->record, NULL, 0, why, sizeof(why)) != 0) {
        if (asprintf(err, "--record %s", why) < 0)
            abort();
        ddb_recorder_free(srv->api.recorder, &srv->api.recording);
        srv->api.recorder = NULL;
        return -1;
    }
    return 0;
}

/* The server's injected faults (api/faults/inject.h): --fault-seed and --fault's rules, checked by config.c,
   in force from now (their windows count from the open, on the clock as main.c set it). */
static void faults_of(ddb_server *srv, const ddb_config *cfg)
{
    char err[300];
    const char *bad;

    srv->api.inject = ddb_inject_new(&srv->api.inject_armed);
    if (cfg->fault_seed != 0)
        ddb_inject_seed(srv->api.inject, cfg->fault_seed);
    for (unsigned i = 0; i < cfg->nfaults; i++)
        if ((bad = ddb_inject_add_spec(srv->api.inject, cfg->faults[i], err, sizeof(err))) != NULL)
            ddb_log(DDB_LOG_WARN, "--fault '%s': %s", cfg->faults[i], bad); /* (config.c refused it) */
}

static void quiesce(ddb_server *srv);
static void resume(ddb_server *srv);

/* (server.h) The store's reopen in place after a full disk's resume hung runs as a snapshot restore
   does: with no request, no background work, and no other admin request (the clock door's step, on
   the engine's tasks, once ran on while the reopen freed them). */
int ddb_server_quiesced(void *ctx, void (*fn)(void *arg), void *arg)
{
    ddb_server *srv = ctx;
    int rc = -1;

    pthread_mutex_lock(&srv->admin_lock);
    if (srv->gate != NULL && !srv->closing) {
        quiesce(srv);
        fn(arg);
        resume(srv);
        rc = 0;
    }
    pthread_mutex_unlock(&srv->admin_lock);
    return rc;
}

int ddb_server_open(ddb_server *srv, const ddb_config *cfg, char **err)
{
    ddb_store_options o;

    memset(srv, 0, sizeof(*srv));
    srv->config = cfg;
    srv->opened_ms = ddb_clock_now_ms();
    settings_of(cfg, &srv->eng.settings);
    srv->api.ops = ddb_op_table;
    srv->api.charge = ddb_meter_charge;
    srv->api.lookups.policy_of = ddb_resource_policy_of;
    srv->api.lookups.owner_of = ddb_resource_owner_of;
    srv->api.lookups.account_of = ddb_resource_account_of;
    srv->api.lookups.sources_of = ddb_resource_sources_of;
    srv->api.lookups.namespaces = cfg->namespaces;
    srv->api.eng = &srv->eng;
    srv->api.namespaces = cfg->namespaces;
    srv->api.regions = cfg->regions;
    srv->api.lenient_numbers = cfg->lenient_numbers;
    if (recorder_of(srv, cfg, err) != 0)
        return -1;
    if (cfg->control_plane_rates && (srv->api.rates = ddb_rates_new()) == NULL)
        return -1;
    if (cfg->auth_file != NULL && (srv->api.auth = ddb_auth_load(cfg->auth_file, err)) == NULL)
        return -1;
    if (peers_of(srv, cfg, err) != 0)
        return -1;
    memset(&o, 0, sizeof(o));
    ddb_config_store_options(cfg, &o); /* the rows of options.def that say TO_STORE; --shards 0: the
                                          data directory's own count */
    o.default_nshards = cfg->default_shards;
    /* a backend's own partitions per table of a new store (RADOS: over the OSDs, not the
       gateway's CPUs; backends.def) */
    if (ddb_backend_parts(cfg->backend) != 0)
        o.default_nshards = ddb_backend_parts(cfg->backend);
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    o.quiesced = ddb_server_quiesced;
    o.quiesced_ctx = srv;
    pthread_mutex_init(&srv->admin_lock, NULL);
    if ((srv->eng.store = ddb_store_open(&o, err)) == NULL)
        return -1;
    if ((srv->eng.catalog = ddb_catalog_open(srv->eng.store, &MEMBER_ROWS, err)) == NULL) {
        ddb_store_close(srv->eng.store);
        return -1;
    }
    ddb_catalog_set_max_tables(srv->eng.catalog, cfg->max_tables);
    ddb_clock_high_restore(srv->eng.store); /* (before any request reads a table's state) */
    /* a store opened with more shards than a stream's last generation opens a new one */
    if (ddb_streams_reshard(&srv->eng, err) != 0) {
        ddb_catalog_close(srv->eng.catalog);
        ddb_store_close(srv->eng.store);
        return -1;
    }
    features_of(srv, cfg);
    ddb_catalog_watch(srv->eng.catalog, ddb_insights_watch, ddb_insights_of(&srv->eng));
    ddb_table_stats_load(srv->eng.store, srv->eng.catalog); /* before any write */
    srv->eng.tokens = ddb_tokens_new((uint64_t)cfg->idempotency_window * 1000);
    srv->eng.anon_keys = ddb_anon_keys_new();
    kinesis_settings(srv, cfg);
    pthread_mutex_lock(&srv->admin_lock); /* (a stuck resume's reopen reads it: storage/rocksdb's guard) */
    /* the loops', then the request workers' (RADOS) or the large bodies' workers, one a loop (http.c) */
    srv->gate = ddb_gate_new(cfg->threads + (cfg->rados_inflight != 0 ? cfg->rados_inflight : cfg->threads));
    pthread_mutex_unlock(&srv->admin_lock);
    ddb_catalog_set_gate(srv->eng.catalog, srv->gate); /* before anything else reads a table */
    faults_of(srv, cfg);
    workers_of(srv);
    ddb_workers_start(&srv->workers);
    return 0;
}

void ddb_server_settle(ddb_server *srv)
{
    struct ddb_groupcommit *g = ddb_store_groupcommit(srv->eng.store);
    const struct timespec tick = {0, 1000 * 1000};

    while (g != NULL && ddb_groupcommit_durable(g) < ddb_groupcommit_written(g))
        nanosleep(&tick, NULL);
}

void ddb_server_close(ddb_server *srv)
{
    pthread_mutex_lock(&srv->admin_lock); /* after a reopen under way, and none after */
    srv->closing = 1;
    pthread_mutex_unlock(&srv->admin_lock);
    ddb_workers_stop(&srv->workers);
    if (srv->eng.catalog != NULL) {
        ddb_gate_hold h;
        ddb_catalog_hold(srv->eng.catalog, &h);
        ddb_table_stats_save(srv->eng.store, srv->eng.catalog); /* after the last write */
        ddb_catalog_unhold(srv->eng.catalog, &h);
    }
    ddb_tokens_free(srv->eng.tokens);
    ddb_anon_keys_free(srv->eng.anon_keys); /* (zeroed) */
    ddb_auth_free(srv->api.auth);
    ddb_rates_free(srv->api.rates);
    ddb_inject_free(srv->api.inject);
    ddb_recorder_free(srv->api.recorder, &srv->api.recording); /* after the HTTP front: every line written */
    ddb_catalog_close(srv->eng.catalog);
    ddb_engine_close_features(&srv->eng); /* after the catalog: its tables no longer configure Insights */
    ddb_store_close(srv->eng.store);
    if (srv->gate != NULL)
        ddb_gate_free(srv->gate);
    pthread_mutex_destroy(&srv->admin_lock);
    free(srv->seed_views);
    memset(srv, 0, sizeof(*srv));
}

/* ---- snapshots ---- */

/* No request in flight or starting, no background work: the store is the caller's alone. */
static void quiesce(ddb_server *srv)
{
    ddb_gate_close(srv->gate);
    ddb_workers_stop(&srv->workers);
}

static void resume(ddb_server *srv)
{
    ddb_workers_start(&srv->workers);
    ddb_gate_open(srv->gate);
}

int ddb_server_snapshot_save(ddb_server *srv, const char *name)
{
    int rc;

    quiesce(srv);
    rc = ddb_store_checkpoint_save(srv->eng.store, name);
    resume(srv);
    return rc;
}

static int snapshot_exists(ddb_server *srv, const char *name)
{
    ddb_checkpoint_info *list;
    size_t n = ddb_store_checkpoint_list(srv->eng.store, &list);
    int found = 0;

    for (size_t i = 0; i < n && !found; i++)
        found = strcmp(list[i].name, name) == 0;
    free(list);
    return found;
}

int ddb_server_snapshot_restore(ddb_server *srv, const char *name)
{
    char *err = NULL;
    int rc;

    quiesce(srv);
    if (!snapshot_exists(srv, name)) {
        resume(srv);
        return DDB_CHECKPOINT_NOT_FOUND;
    }
    /* everything that read the store is rebuilt from the restored one */
    ddb_tokens_free(srv->eng.tokens);
    ddb_catalog_close(srv->eng.catalog);
    srv->eng.tokens = NULL;
    srv->eng.catalog = NULL;
    rc = ddb_store_checkpoint_restore(srv->eng.store, name);
    if (rc == DDB_CHECKPOINT_EIO || (srv->eng.catalog = ddb_catalog_open(srv->eng.store, &MEMBER_ROWS, &err)) == NULL ||
        ddb_streams_reshard(&srv->eng, &err) != 0) {
        ddb_log(DDB_LOG_ERROR, "snapshot: restoring %s failed (%s); stopping", name, err ? err : "see above");
        _exit(1); /* the store is closed or half open: nothing can be served (the next start completes it) */
    }
    ddb_catalog_set_max_tables(srv->eng.catalog, srv->config->max_tables);
    ddb_catalog_watch(srv->eng.catalog, ddb_insights_watch, ddb_insights_of(&srv->eng));
    srv->eng.tokens = ddb_tokens_new((uint64_t)srv->config->idempotency_window * 1000);
    ddb_budget_recount(&srv->eng); /* what the restored store holds */
    ddb_consist_forget(ddb_consistency_of(&srv->eng)); /* changes the restored store never saw */
    ddb_vector_cache_replace(&srv->eng, vector_cache_of(srv, srv->config)); /* its ids are the old store's */
    ddb_catalog_set_gate(srv->eng.catalog, srv->gate); /* (what ran above read tables with nothing else running) */
    resume(srv);
    return rc;
}

int ddb_server_snapshot_delete(ddb_server *srv, const char *name)
{
    return ddb_store_checkpoint_delete(srv->eng.store, name); /* requests never read a snapshot */
}

size_t ddb_server_snapshot_list(ddb_server *srv, ddb_checkpoint_info **out)
{
    return ddb_store_checkpoint_list(srv->eng.store, out);
}
