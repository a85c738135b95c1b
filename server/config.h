/*
 * server/config.h: the command line, parsed once into an immutable ddb_config. The options are
 * the rows of server/options.def.
 */
#ifndef DDB_CONFIG_H
#define DDB_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "server/engine/engine.h" /* DDB_ITEM_COLLECTION_LIMIT */
#include "server/engine/jobs/triggers.h"

#define DDB_BUDGET_UNSET (~0ULL) /* --memory-budget not given: --in-memory's default */
#define DDB_INFLIGHT_UNSET (~0u)  /* --rados-inflight not given: 64 per event loop on RADOS */
#define DDB_INFLIGHT_PER_LOOP 64
#define DDB_INFLIGHT_MAX 4096     /* --rados-inflight's largest (options.def) */

typedef struct ddb_config {
    const char *host;       /* default 127.0.0.1 */
    int port;               /* default 8000 */
    const char *data_dir;   /* default ./ddbd-data */
    int in_memory;
    unsigned long long memory_budget; /* --memory-budget (engine/retention.h); DDB_BUDGET_UNSET: not given */
    int backend;            /* --backend: DDB_BACKEND_ROCKSDB (default) or DDB_BACKEND_RADOS (storage.h) */
    const char *rados_conf; /* --rados-conf: the cluster's ceph.conf (NULL: librados' default search) */
    const char *rados_pool; /* --rados-pool: POOL or POOL/NAMESPACE (default ddbd) */
    unsigned rados_inflight; /* --rados-inflight: request workers (http/offload.h); 0: none; DDB_INFLIGHT_UNSET: not given */
    unsigned shards;        /* --shards; 0 (the default): the data directory's count, else default_shards */
    unsigned default_shards; /* the shard count of a new data directory: the CPUs we may use (cpus.h) */
    unsigned threads;       /* event-loop threads; default: the CPUs we may use (cpus.h) */
    unsigned search_threads; /* threads of one exact vector search; default: the same */
    unsigned vector_ann;    /* --vector-ann: items from which an index is searched approximately (0: never) */
    unsigned vector_ann_ef; /* --vector-ann-ef: the candidates an approximate search keeps (default 256) */
    int log_level;          /* ddb_log_level */
    int sync_writes;        /* fsync every write */
    const char *cors;       /* allowed origins ("*" by default) */
    const char *allowed_hosts; /* --allowed-hosts: more names for the Host header; NULL: none */
    size_t max_body;        /* 16 MiB */
    unsigned long long item_collection_limit; /* bytes; 0 means DynamoDB's 10 GB (settable for tests) */
    double transaction_conflict_rate; /* fraction of transactions cancelled with TransactionConflict (faults.h) */
    unsigned idempotency_window;      /* seconds a ClientRequestToken is remembered; default 600 */
    int admin;                        /* serve the admin endpoints (admin.h) */
    int console;                      /* serve the web console (server/console/console.h) */
    int mcp;                          /* --mcp: the Model Context Protocol on stdio, no HTTP (mcp/mcp.h) */
    int mcp_http;                     /* --mcp-http: it at /mcp on the API port */
    int mcp_allow_writes;             /* --mcp-allow-writes: its tools that change data */
    unsigned ttl_interval;            /* seconds between TTL sweeps (engine/ttl.h); default 5 */
    unsigned count_check_interval;    /* seconds between checks of the kept item counts (jobs/table_counts.h) */
    unsigned replication_lag;         /* --replication-lag: ms (engine/jobs/replication.h); default 0 */
    const char *index_lag;            /* --index-lag MS|MIN-MAX: GSI reads see a write that late (engine/consistency.h) */
    unsigned stale_reads;             /* --stale-reads MS: eventually consistent reads may miss writes this young */
    unsigned consistency_seed;        /* --consistency-seed N: the draws of both */
    const char *region_peers[16];     /* --region-peer REGION=URL (engine/jobs/peer.h) */
    unsigned nregion_peers;
    const char *peer_key;             /* --peer-key: the --auth key that signs peer requests */
    ddb_trigger_spec triggers[16];    /* --stream-trigger (engine/triggers.h) */
    const char *kinesis_endpoint;     /* --kinesis-endpoint URL (engine/jobs/kinesis.h) */
    unsigned ntriggers;
    double write_conflict_rate;       /* fraction of single-item writes failed with TransactionConflictException */
    const char *faults[16];           /* --fault SPEC: request faults (api/inject.h) */
    unsigned nfaults;
    unsigned fault_seed;              /* --fault-seed: their draws' seed (0: the default) */
    int enforce_capacity;             /* --enforce-capacity: tables throttle (engine/throttle.h) */
    const char *auth_file;            /* --auth FILE: verify SigV4 signatures against these keys (api/auth.h) */
    const char *tls_cert, *tls_key;   /* --tls-cert/--tls-key: serve https (http/http.c) */
    unsigned max_connections;         /* open connections at most; more are closed at once (default 10000) */
    unsigned long long min_free_disk; /* bytes the data directory's disk keeps free: writes stop short of it */
    int namespaces;                   /* each account and region has its own tables */
    const char *regions;              /* --regions LIST: the regions --namespaces serves (base/regions.h); NULL: AWS's */
    unsigned max_tables;              /* --max-tables: tables per namespace (engine/catalog.h); default 2500 */
    unsigned request_timeout;         /* seconds a request may take to arrive, or a connection idle (default 10) */
    unsigned header_timeout;          /* seconds a request head may take to arrive (default 5) */
    unsigned long long max_unsent;    /* --max-unsent-bytes: answers not yet read, at most (default 256 MiB) */
    unsigned long long max_pending_bodies; /* --max-pending-bodies: bodies being received, at most (default 256 MiB) */
    int lenient_numbers;              /* --lenient-numbers: numeric strings accepted as numbers (api/validate.h) */
    int health_check;                 /* --health-check: check a running server and exit (healthcheck.h) */
    const char *health_url;           /* its URL; NULL: the container's own server */
    const char *user;                 /* --user USER[:GROUP]: run as USER when started as root (privileges.h) */
    int metrics_port;                 /* --metrics-port: serve /metrics there only; -1 (default): on the API port */
    const char *access_log;           /* --access-log FILE|-: JSON lines, one per API request (http/access_log.h); NULL: off */
    const char *otlp_endpoint;        /* --otlp-endpoint URL: request spans exported there (base/otlp.h); NULL: off */
    const char *seeds[16];            /* --seed FILE|DIR: tables and items loaded before listening (seed.h) */
    unsigned nseeds;
    const char *seed_requests[16];    /* --seed-requests FILE|DIR: print the seed's requests and exit (seed.h) */
    unsigned nseed_requests;
    const char *seed_params[64];      /* --seed-param NAME=VALUE: the seed's templates' parameters */
    unsigned nseed_params;
    /* exports and imports (engine/objstore.h): bucket B is the directory <export_dir>/B when that
       exists, else an object store at s3_endpoint (path-style, SigV4 with these keys) */
    const char *export_dir;           /* --export-dir DIR */
    const char *s3_endpoint;          /* --s3-endpoint http://HOST:PORT */
    const char *s3_access_key, *s3_secret_key, *s3_region; /* --s3-access-key, --s3-secret-key, --s3-region */
    const char *price_file;           /* --price-file PATH: the cost report's prices (doors/prices.h) */
} ddb_config;

/*
 * Parses argv. Returns 0 to run, 1 when the caller should exit 0 (--help, --version printed),
 * -1 on a usage error (message printed to stderr).
 */
int ddb_config_parse(ddb_config *cfg, int argc, char **argv);
/* Frees what a successful ddb_config_parse allocated (the --stream-trigger specs' table names). */
void ddb_config_free(ddb_config *cfg);

#endif
