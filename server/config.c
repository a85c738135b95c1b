/*
 * server/config.c: command-line parsing (see config.h). DynamoDB Local's single-dash spellings
 * are accepted too, so scripts written for it run unchanged.
 */
#include "server/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/cpus.h"
#include "ddb/ddb_version.h"
#include "server/base/log.h"
#include "server/storage/storage.h"

static const char usage[] =
    "Usage: ddbd [options]\n"
    "A DynamoDB-compatible server.\n"
    "\n"
    "Options:\n"
    "  --host ADDR        address to listen on (default 127.0.0.1)\n"
    "  --port N           port to listen on (default 8000)\n"
    "  --data-dir DIR     keep data in DIR (default ./ddbd-data)\n"
    "  --in-memory        keep data in memory only; nothing is written to disk\n"
    "  --backend B        rocksdb (default: --data-dir or --in-memory) or rados: a Ceph pool\n"
    "                     (one gateway per pool for now; docs/scale-out.md)\n"
    "  --rados-conf FILE  the Ceph cluster's ceph.conf (default: librados' own search)\n"
    "  --rados-pool P     the pool, POOL or POOL/NAMESPACE (default ddbd; created if missing)\n"
    "  --shards N         local shards that partitions are consistent-hashed onto (default: the\n"
    "                     count the data directory was created with; for a new one, the CPUs\n"
    "                     ddbd may use). A different N moves partitions at start-up.\n"
    "                     RADOS: partitions (objects) per table of a new pool (default 8)\n"
    "  --threads N        HTTP event-loop threads (default: the CPUs ddbd may use: the least of\n"
    "                     the cgroup CPU quota, rounded up, and the CPU affinity mask)\n"
    "  --log-level L      error, warn, info (default) or debug\n"
    "  --sync             acknowledge a write only once it is synced to disk (survives power loss;\n"
    "                     writes are synced in groups, off the HTTP threads)\n"
    "  --cors ORIGINS     allowed CORS origins, comma-separated (default *)\n"
    "  --item-collection-limit BYTES\n"
    "                     item collection size limit of tables with local secondary indexes\n"
    "                     (default 10737418240, DynamoDB's 10 GB; smaller values are for tests)\n"
    "  --transaction-conflict-rate F\n"
    "                     fail this fraction (0..1) of TransactWriteItems/TransactGetItems calls as\n"
    "                     DynamoDB does under contention (TransactionCanceledException, reason\n"
    "                     TransactionConflict), to test retry paths (default 0)\n"
    "  --write-conflict-rate F\n"
    "                     fail this fraction of PutItem/UpdateItem/DeleteItem calls\n"
    "                     with TransactionConflictException (default 0)\n"
    "  --idempotency-window SECONDS\n"
    "                     how long a TransactWriteItems ClientRequestToken is remembered\n"
    "                     (default 600, DynamoDB's 10 minutes; smaller values are for tests)\n"
    "  --ttl-interval SECONDS\n"
    "                     how often expired items (Time to Live) are looked for and deleted (default 5)\n"
    "  --stream-trigger TABLE=URL[,batch=N][,window=MS][,bisect]\n"
    "                     deliver the table's stream records to a local function speaking the Lambda\n"
    "                     Runtime Interface Emulator's invoke protocol at URL (repeatable)\n"
    "  --auth FILE        verify every request's SigV4 signature against the keys in FILE, one\n"
    "                     'ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID [SESSION_TOKEN]]' per line, optionally\n"
    "                     followed by name=USER allow=ACTIONS tables=PATTERNS (an access policy)\n"
    "                     (default: any signature is accepted, as by DynamoDB Local)\n"
    "  --namespaces       each account (the key's in --auth FILE) and each region has its own tables,\n"
    "                     as in DynamoDB (default: one namespace for all, like DynamoDB Local's -sharedDb)\n"
    "  --max-connections N\n"
    "                     open client connections at most; more are closed at once, with a log line\n"
    "                     (default 10000)\n"
    "  --min-free-disk BYTES\n"
    "                     refuse writes (InternalServerError) while the data directory's disk has less\n"
    "                     free, so it never fills; they resume when there is room (default 67108864)\n"
    "  --request-timeout SECONDS\n"
    "                     close a connection whose request (headers and body) takes longer than this\n"
    "                     to arrive, or that idles this long between requests (default 10)\n"
    "  --tls-cert FILE --tls-key FILE\n"
    "                     serve https with this certificate chain and private key (PEM)\n"
    "  --lenient-numbers  accept a number sent as a JSON string (\"3\") where DynamoDB's wire model wants\n"
    "                     a number, as DynamoDB Local does (dynamodb-admin's Create Table form sends\n"
    "                     ReadCapacityUnits \"3\"); DynamoDB answers SerializationException (default off)\n"
    "  --admin            serve ddbd's admin endpoints under /ddbd/: the clock, storage faults, and\n"
    "                     snapshots of the whole store restored in milliseconds, for tests (docs/admin.md)\n"
    "  --health-check [URL]\n"
    "                     check a running ddbd and exit: GET URL, exit 0 on a 200 answer, else 1\n"
    "                     (for Docker's HEALTHCHECK; default: the address and port of the ddbd that\n"
    "                     is the container's PID 1, else http://127.0.0.1:8000/)\n"

    "  --metrics-port N   serve GET /metrics on this port (plain http, same --host) instead of the API port\n"
    "  --access-log FILE  write one JSON line per API request to FILE ('-': standard output): time,\n"
    "                     request id, operation, table, status, error type, latency, capacity (default: off)\n"
    "  --seed FILE|DIR    before listening, create the tables and put the items of FILE, or of every\n"
    "                     *.json, *.jsonl and *.ndjson file in DIR (repeatable; docs/seeding.md)\n"
    "  --export-dir DIR   ExportTableToPointInTime and ImportTable read and write bucket B as the\n"
    "                     directory DIR/B, when it exists (docs/export-import.md)\n"
    "  --s3-endpoint URL  the S3-compatible object store of the other buckets, http://HOST:PORT,\n"
    "                     addressed path-style and signed with SigV4 (service s3)\n"
    "  --s3-access-key KEY --s3-secret-key SECRET --s3-region REGION\n"
    "                     its credentials (default: $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY) and\n"
    "                     region (default us-east-1)\n"
    "  --version          print the version and exit\n"
    "  --help             print this help and exit\n"
    "\n"
    "DynamoDB Local spellings are accepted: -port N, -inMemory, -dbPath DIR, -sharedDb (always on:\n"
    "all credentials and regions share one namespace), -cors ORIGINS, -delayTransientStatuses,\n"
    "-optimizeDbBeforeStartup, -disableTelemetry (accepted, no effect), -help, -version; and the\n"
    "JVM's arguments of DynamoDB Local's image (-jar FILE, -D..., -X...) are ignored, so a compose\n"
    "file's command for amazon/dynamodb-local works unchanged.\n";

static int parse_uint(const char *opt, const char *v, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    unsigned long n;

    if (v == NULL) {
        fprintf(stderr, "ddbd: %s needs a value\n", opt);
        return -1;
    }
    n = strtoul(v, &end, 10);
    if (*v == '\0' || *end != '\0' || n < min || n > max) {
        fprintf(stderr, "ddbd: %s must be a number from %u to %u\n", opt, min, max);
        return -1;
    }
    *out = (unsigned)n;
    return 0;
}

static int parse_rate(const char *opt, const char *v, double *out)
{
    char *end;

    if (v == NULL) {
        fprintf(stderr, "ddbd: %s needs a value\n", opt);
        return -1;
    }
    *out = strtod(v, &end);
    if (*v == '\0' || *end != '\0' || !(*out >= 0 && *out <= 1)) {
        fprintf(stderr, "ddbd: %s must be a fraction from 0 to 1\n", opt);
        return -1;
    }
    return 0;
}

static void set_defaults(ddb_config *cfg)
{
    /* the container's CPU quota, not the host's core count (cpus.h) */
    unsigned cpus = ddb_cpu_count();

    memset(cfg, 0, sizeof(*cfg));
    cfg->host = "127.0.0.1";
    cfg->port = 8000;
    cfg->data_dir = "./ddbd-data";
    cfg->shards = 0; /* the data directory's count: never rebalance because the host changed */
    cfg->default_shards = cpus > 256 ? 256 : cpus;
    cfg->threads = cpus > 256 ? 256 : cpus;
    cfg->log_level = DDB_LOG_INFO;
    cfg->cors = "*";
    cfg->max_body = 16 * 1024 * 1024;
    cfg->item_collection_limit = DDB_ITEM_COLLECTION_LIMIT;
    cfg->idempotency_window = 600;
    cfg->max_connections = 10000;
    cfg->request_timeout = 10;
    cfg->min_free_disk = 64ULL << 20;
    cfg->ttl_interval = 5;
    cfg->metrics_port = -1;
}

/* Strips one or two leading dashes so "--port" and "-port" compare alike. */
static const char *bare(const char *arg)
{
    if (arg[0] != '-')
        return NULL;
    return arg[1] == '-' ? arg + 2 : arg + 1;
}

int ddb_config_parse(ddb_config *cfg, int argc, char **argv)
{
    set_defaults(cfg);
    for (int i = 1; i < argc; i++) {
        const char *opt = bare(argv[i]);
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned n;

        /* amazon/dynamodb-local's entry point is java, so compose files pass the JVM's arguments
           ("-Djava.library.path=./DynamoDBLocal_lib -jar DynamoDBLocal.jar -sharedDb"): skipped */
        if (argv[i][0] == '-' && (argv[i][1] == 'D' || argv[i][1] == 'X') && argv[i][2] != '\0')
            continue;
        if (strcmp(argv[i], "-jar") == 0) {
            if (val == NULL)
                goto missing;
            i++;
            continue;
        }
        if (opt == NULL) {
            fprintf(stderr, "ddbd: unexpected argument '%s' (see --help)\n", argv[i]);
            return -1;
        }
        if (strcmp(opt, "help") == 0 || strcmp(opt, "h") == 0) {
            fputs(usage, stdout);
            return 1;
        } else if (strcmp(opt, "version") == 0) {
            printf("ddbd %s\n", DDB_VERSION_STRING);
            return 1;
        } else if (strcmp(opt, "host") == 0) {
            if (val == NULL)
                goto missing;
            cfg->host = val;
            i++;
        } else if (strcmp(opt, "port") == 0) {
            if (parse_uint(argv[i], val, 0, 65535, &n) != 0)
                return -1;
            cfg->port = (int)n;
            i++;
        } else if (strcmp(opt, "data-dir") == 0 || strcmp(opt, "dbPath") == 0) {
            if (val == NULL)
                goto missing;
            cfg->data_dir = val;
            i++;
        } else if (strcmp(opt, "in-memory") == 0 || strcmp(opt, "inMemory") == 0) {
            cfg->in_memory = 1;
        } else if (strcmp(opt, "backend") == 0) {
            if (val == NULL)
                goto missing;
            if (strcmp(val, "rocksdb") == 0) {
                cfg->backend = DDB_BACKEND_ROCKSDB;
            } else if (strcmp(val, "rados") == 0) {
                cfg->backend = DDB_BACKEND_RADOS;
            } else {
                fprintf(stderr, "ddbd: --backend: rocksdb or rados, not %s\n", val);
                return -1;
            }
            i++;
        } else if (strcmp(opt, "rados-conf") == 0) {
            if (val == NULL)
                goto missing;
            cfg->rados_conf = val;
            i++;
        } else if (strcmp(opt, "rados-pool") == 0) {
            if (val == NULL)
                goto missing;
            cfg->rados_pool = val;
            i++;
        } else if (strcmp(opt, "shards") == 0) {
            if (parse_uint(argv[i], val, 1, 256, &cfg->shards) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "threads") == 0) {
            if (parse_uint(argv[i], val, 1, 256, &cfg->threads) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "log-level") == 0) {
            if (val == NULL || (cfg->log_level = ddb_log_level_parse(val)) < 0) {
                fprintf(stderr, "ddbd: --log-level must be error, warn, info or debug\n");
                return -1;
            }
            i++;
        } else if (strcmp(opt, "sync") == 0) {
            cfg->sync_writes = 1;
        } else if (strcmp(opt, "cors") == 0) {
            if (val == NULL)
                goto missing;
            cfg->cors = val;
            i++;
        } else if (strcmp(opt, "item-collection-limit") == 0) {
            char *end;
            if (val == NULL)
                goto missing;
            cfg->item_collection_limit = strtoull(val, &end, 10);
            if (*val == '\0' || *end != '\0' || cfg->item_collection_limit == 0) {
                fprintf(stderr, "ddbd: --item-collection-limit must be a positive number of bytes\n");
                return -1;
            }
            i++;
        } else if (strcmp(opt, "transaction-conflict-rate") == 0) {
            if (parse_rate(argv[i], val, &cfg->transaction_conflict_rate) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "ttl-interval") == 0) {
            if (parse_uint(argv[i], val, 1, 86400, &cfg->ttl_interval) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "stream-trigger") == 0) {
            const char *why;
            if (val == NULL)
                goto missing;
            if (cfg->ntriggers == sizeof(cfg->triggers) / sizeof(cfg->triggers[0])) {
                fprintf(stderr, "ddbd: at most 16 --stream-trigger options\n");
                return -1;
            }
            if (ddb_trigger_parse(val, &cfg->triggers[cfg->ntriggers], &why) != 0) {
                fprintf(stderr, "ddbd: %s (got '%s')\n", why, val);
                return -1;
            }
            cfg->ntriggers++;
            i++;
        } else if (strcmp(opt, "admin") == 0) {
            cfg->admin = 1;
        } else if (strcmp(opt, "lenient-numbers") == 0) {
            cfg->lenient_numbers = 1;
        } else if (strcmp(opt, "namespaces") == 0) {
            cfg->namespaces = 1;
        } else if (strcmp(opt, "min-free-disk") == 0) {
            char *end;
            if (val == NULL || *val == '\0' || (cfg->min_free_disk = strtoull(val, &end, 10), *end != '\0')) {
                fprintf(stderr, "ddbd: --min-free-disk must be a number of bytes\n");
                return -1;
            }
            i++;
        } else if (strcmp(opt, "request-timeout") == 0) {
            if (parse_uint(argv[i], val, 1, 3600, &cfg->request_timeout) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "health-check") == 0) {
            cfg->health_check = 1;
            if (val != NULL && val[0] != '-') { /* the URL is optional */
                cfg->health_url = val;
                i++;
            }
        } else if (strcmp(opt, "metrics-port") == 0) {
            if (parse_uint(argv[i], val, 0, 65535, &n) != 0)
                return -1;
            cfg->metrics_port = (int)n;
            i++;
        } else if (strcmp(opt, "access-log") == 0) {
            if (val == NULL)
                goto missing;
            cfg->access_log = val;
            i++;
        } else if (strcmp(opt, "seed") == 0) {
            if (val == NULL)
                goto missing;
            if (cfg->nseeds == sizeof(cfg->seeds) / sizeof(cfg->seeds[0])) {
                fprintf(stderr, "ddbd: at most 16 --seed options\n");
                return -1;
            }
            cfg->seeds[cfg->nseeds++] = val;
            i++;
        } else if (strcmp(opt, "export-dir") == 0 || strcmp(opt, "s3-endpoint") == 0 ||
                   strcmp(opt, "s3-access-key") == 0 || strcmp(opt, "s3-secret-key") == 0 ||
                   strcmp(opt, "s3-region") == 0) {
            if (val == NULL)
                goto missing;
            if (opt[0] == 'e')
                cfg->export_dir = val;
            else if (strcmp(opt, "s3-endpoint") == 0)
                cfg->s3_endpoint = val;
            else if (strcmp(opt, "s3-access-key") == 0)
                cfg->s3_access_key = val;
            else if (strcmp(opt, "s3-secret-key") == 0)
                cfg->s3_secret_key = val;
            else
                cfg->s3_region = val;
            i++;
        } else if (strcmp(opt, "max-connections") == 0) {
            if (parse_uint(argv[i], val, 1, 1000000, &cfg->max_connections) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "tls-cert") == 0 || strcmp(opt, "tls-key") == 0) {
            if (val == NULL) {
                fprintf(stderr, "ddbd: --%s needs a file\n", opt);
                return -1;
            }
            *(opt[4] == 'c' ? &cfg->tls_cert : &cfg->tls_key) = val;
            i++;
        } else if (strcmp(opt, "auth") == 0) {
            if (val == NULL) {
                fprintf(stderr, "ddbd: --auth needs a key file\n");
                return -1;
            }
            cfg->auth_file = val;
            i++;
        } else if (strcmp(opt, "idempotency-window") == 0) {
            if (parse_uint(argv[i], val, 1, 86400, &cfg->idempotency_window) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "write-conflict-rate") == 0) {
            if (parse_rate(argv[i], val, &cfg->write_conflict_rate) != 0)
                return -1;
            i++;
        } else if (strcmp(opt, "sharedDb") == 0 || strcmp(opt, "delayTransientStatuses") == 0 ||
                   strcmp(opt, "optimizeDbBeforeStartup") == 0 || strcmp(opt, "disableTelemetry") == 0) {
            /* DynamoDB Local flags that describe what ddbd already does (or that do not apply) */
        } else {
            fprintf(stderr, "ddbd: unknown option '%s' (see --help)\n", argv[i]);
            return -1;
        }
        continue;
    missing:
        fprintf(stderr, "ddbd: %s needs a value\n", argv[i]);
        return -1;
    }
    if ((cfg->tls_cert == NULL) != (cfg->tls_key == NULL)) {
        fprintf(stderr, "ddbd: --tls-cert and --tls-key go together\n");
        return -1;
    }
    return 0;
}
