/*
 * server/main.c: start-up and shutdown. Parse the command line, open the store and catalog,
 * bind and start the HTTP threads, report readiness in one line, then wait for SIGINT/SIGTERM
 * and shut down in reverse order (in-flight requests finish, RocksDB is closed cleanly).
 * `--health-check` instead checks a running server and exits (healthcheck.h).
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include <sodium.h>

#include "ddb/ddb_version.h"
#include "server/api/faults/inject.h"
#include "server/base/clock.h"
#include "server/doors/admin.h"
#include "server/base/faults.h"
#include "server/base/log.h"
#include "server/base/otlp.h"
#include "server/config.h"
#include "server/healthcheck.h"
#include "server/http/http.h"
#include "server/mcp/mcp.h"
#include "server/doors/metrics.h"
#include "server/doors/prices.h"
#include "server/privileges.h"
#include "server/seed/seed.h"
#include "server/server.h"

/* Never runs: the signals stay blocked and sigwait takes them (see main). */
static void on_stop_signal(int sig)
{
    (void)sig;
}

/* Where the data is, for the log: the data directory, "in-memory", or the RADOS pool. */
static const char *data_name(const ddb_config *cfg)
{
    static char buf[300];

    if (ddb_backend_caps(cfg->backend) & DDB_BACKEND_CAP_SHARED) {
        snprintf(buf, sizeof(buf), "%s pool %s", ddb_backend_name(cfg->backend), cfg->rados_pool ? cfg->rados_pool : "ddbd");
        return buf;
    }
    return cfg->in_memory ? "in-memory" : cfg->data_dir;
}

/* ---- the HTTP front: its settings and the hooks it hands /metrics and /ddbd/ to ---- */

/* --otlp-endpoint's exporter, or NULL (started before the HTTP threads, stopped after them). */
static ddb_otlp *otlp;

static void metrics_hook(void *ctx, ddb_buf *out)
{
    ddb_metrics_render_engine(out, &((ddb_server *)ctx)->eng);
    ddb_inject_metrics(((ddb_server *)ctx)->api.inject, out);
    if (otlp != NULL)
        ddb_otlp_metrics_text(otlp, out);
}

/* The admin door (admin.h): it owns the namespace snapshots; opened after the server, closed before it. */
static ddb_admin admin;

static int admin_hook(void *ctx, const char *method, const char *path, size_t plen, const char *body, size_t blen,
                      ddb_buf *out)
{
    (void)ctx;
    return ddb_admin_handle(&admin, method, path, plen, body, blen, out);
}

/* --price-file: the cost report's prices (doors/prices.h), read before the data is opened. */
static int load_prices(const ddb_config *cfg)
{
    char msg[1024];

    if (cfg->price_file == NULL || ddb_prices_load(cfg->price_file, msg, sizeof(msg)) == 0)
        return 0;
    ddb_log(DDB_LOG_ERROR, "--price-file: %s", msg);
    return -1;
}

/* The door first, then the server. */
static void server_close(ddb_server *srv)
{
    ddb_admin_close(&admin);
    ddb_server_close(srv);
}

/* ---- the MCP server (mcp/mcp.h): its tools reach the pipeline, the admin snapshots and the figures ---- */

static ddb_mcp_env mcp_env;

static int mcp_hook(void *ctx, const ddb_auth_request *hr, const char *access_key, const char *region, unsigned slot,
                    ddb_arena *a, ddb_buf *out, const char **ctype)
{
    (void)ctx;
    return ddb_mcp_http(&mcp_env, hr, access_key, region, slot, a, out, ctype);
}

static void mcp_setup(ddb_server *srv, const ddb_config *cfg)
{
    mcp_env = (ddb_mcp_env){.api = &srv->api, .gate = srv->gate, .allow_writes = cfg->mcp_allow_writes,
                            .admin = admin_hook, .metrics = metrics_hook, .ctx = srv};
}

/* --mcp: standard input is the agent's; when it closes, the server stops as on SIGTERM. */
static void *mcp_stdio_main(void *arg)
{
    ddb_mcp_serve_stdio(&mcp_env);
    ddb_log(DDB_LOG_INFO, "mcp: standard input closed");
    pthread_kill(*(pthread_t *)arg, SIGTERM);
    return NULL;
}

static void http_env(ddb_server *srv, ddb_http_env *env)
{
    *env = (ddb_http_env){.api = &srv->api, .gate = srv->gate, .gc = ddb_store_groupcommit(srv->eng.store),
                          .otlp = otlp, .metrics = metrics_hook, .admin = admin_hook, .mcp = mcp_hook, .ctx = srv};
}

/* The HTTP server's options: the rows of options.def that say TO_HTTP (server/options_copy.h). */
static void http_options(const ddb_config *cfg, ddb_http_options *to)
{
    *to = (ddb_http_options){.max_body = cfg->max_body};
#define COPY_TO_ENGINE(member) COPY_SKIP
#define COPY_TO_HTTP(member) to->member = COPY_FROM
#define COPY_TO_STORE(member) COPY_SKIP
#include "server/options_copy.h"
}

/* --mcp: serves standard input and output (no HTTP) until they close, SIGINT or SIGTERM. */
static int serve_mcp_stdio(ddb_server *srv, const ddb_config *cfg, sigset_t *sigs, uint64_t t0)
{
    static pthread_t self; /* the reader's to signal, past this function's return */
    pthread_t reader;
    int sig;

    self = pthread_self();
    ddb_log(DDB_LOG_INFO, "ddbd %s serving MCP on standard input and output (%s), data %s, %zu tables, ready in %.1f ms",
            DDB_VERSION_STRING, cfg->mcp_allow_writes ? "writes allowed" : "read-only", data_name(cfg),
            ddb_catalog_count(srv->eng.catalog), ddb_clock_mono_since_ms(t0));
    if (pthread_create(&reader, NULL, mcp_stdio_main, &self) != 0) {
        server_close(srv);
        return 1;
    }
    pthread_detach(reader); /* it may sit in a read of standard input until the process ends */
    sigwait(sigs, &sig);
    server_close(srv);
    ddb_log(DDB_LOG_INFO, "stopped");
    return 0;
}

static ddb_otlp *start_otlp(const char *url)
{
    char err[160];
    ddb_otlp *o = ddb_otlp_start(url, "ddbd", err, sizeof(err));

    if (o == NULL)
        ddb_log(DDB_LOG_ERROR, "--otlp-endpoint %s: %s", url, err);
    else
        ddb_log(DDB_LOG_INFO, "request spans exported to %s (OTLP/HTTP JSON)", url);
    return o;
}

/* --clock frozen[@MS]: stopped before anything reads it, so every time the start stamps (the
   seeded tables' CreationDateTime) is the frozen one and two runs of one test stamp the same. */
static void start_clock(const ddb_config *cfg)
{
    uint64_t at;
    int frozen;

    (void)ddb_clock_parse_mode(cfg->clock, &frozen, &at); /* checked by config.c */
    if (!frozen)
        return;
    ddb_clock_start_frozen(at); /* not freeze, then set: that was a step back from the wall clock's time, and
                                   what reads the latest time shown (--table-states' due times) read that */
    ddb_log(DDB_LOG_INFO, "the clock is frozen at %llu ms since the epoch: POST /ddbd/clock moves it (--admin)",
            (unsigned long long)ddb_clock_now_ms());
}

/* --mcp without a server (its data could not be opened): standard input is still the agent's, and
   each of its requests is answered with `why` until it closes (or SIGINT, SIGTERM), exit status 1:
   an agent's client shows the reason, where a process that exited at once showed "Connection
   closed" and nothing else. */
static int refuse_mcp_stdio(const char *why, sigset_t *sigs)
{
    ddb_mcp_env env = {.unavailable = why};

    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    pthread_sigmask(SIG_UNBLOCK, sigs, NULL);
    ddb_mcp_serve_stdio(&env);
    return 1;
}

/* What the process sets up before it opens anything: the log level, libsodium, the signals (taken
   by sigwait; every thread inherits the mask), malloc's threshold, the user it runs as, the prices
   and the clock. 0, or 1 when the process cannot go on (said in the log). */
static int prepare_process(const ddb_config *cfg, sigset_t *sigs)
{
    const char *local_dir;

    ddb_log_threshold = (ddb_log_level)cfg->log_level;
    if (sodium_init() < 0) {
        ddb_log(DDB_LOG_ERROR, "libsodium failed to initialise");
        return 1;
    }
    /* As PID 1 of a container (docker stop sends SIGTERM) the kernel discards a signal whose
       disposition is SIG_DFL unless it is blocked; blocking is enough for sigwait, and the handler
       keeps the signal from being discarded should it ever arrive unblocked. */
    sigemptyset(sigs);
    sigaddset(sigs, SIGINT);
    sigaddset(sigs, SIGTERM);
    pthread_sigmask(SIG_BLOCK, sigs, NULL);
    signal(SIGINT, on_stop_signal);
    signal(SIGTERM, on_stop_signal);
    signal(SIGPIPE, SIG_IGN);
    /* With --in-memory the table files are heap buffers of megabytes, made and freed as compaction
       rewrites them. glibc serves a large block from mmap only below a threshold that it raises to
       the size of every mmap'd block freed (up to 32 MB), after which such buffers come from the
       heap, whose freed middle it never gives back: RSS after the benchmark's load was 259 MB with
       27 MB of stream files, against 101 MB with this (bench/README.md, "Memory after the load").
       A fixed threshold keeps them mmap'd, and a freed file is memory given back. */
    if (cfg->in_memory)
        mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    /* before anything is opened, so every file ddbd makes belongs to the user it runs as */
    local_dir = cfg->in_memory || !(ddb_backend_caps(cfg->backend) & DDB_BACKEND_CAP_LOCAL) ? NULL : cfg->data_dir;
    if (ddb_drop_privileges(cfg->user, local_dir) != 0 || load_prices(cfg) != 0)
        return 1;
    start_clock(cfg);
    return 0;
}

/* The HTTP front on an opened server: bound, logged, served until SIGINT or SIGTERM, then stopped
   and the server closed; the exit status. */
static int serve_http(ddb_server *srv, const ddb_config *cfg, sigset_t *sigs, uint64_t t0)
{
    ddb_http *http;
    ddb_http_options hopt;
    ddb_http_env henv;
    int sig;

    if (cfg->otlp_endpoint != NULL && (otlp = start_otlp(cfg->otlp_endpoint)) == NULL) {
        server_close(srv);
        return 1;
    }
    http_options(cfg, &hopt);
    http_env(srv, &henv);
    if ((http = ddb_http_bind(&hopt, &henv)) == NULL) {
        ddb_otlp_stop(otlp);
        server_close(srv);
        return 1;
    }
    if (cfg->lenient_numbers)
        ddb_log(DDB_LOG_INFO, "--lenient-numbers: numbers sent as JSON strings are accepted (DynamoDB refuses them)");
    /* logged before the loops start, so the line always precedes the first answer */
    ddb_log(DDB_LOG_INFO, "ddbd %s listening on %s://%s:%d, data %s, %u shards, %u threads, %zu tables, ready in %.1f ms",
            DDB_VERSION_STRING, cfg->tls_cert ? "https" : "http", cfg->host, ddb_http_port(http), data_name(cfg),
            ddb_store_nshards(srv->eng.store), cfg->threads, ddb_catalog_count(srv->eng.catalog), ddb_clock_mono_since_ms(t0));
    if (ddb_http_metrics_port(http) >= 0)
        ddb_log(DDB_LOG_INFO, "metrics on http://%s:%d/metrics", cfg->host, ddb_http_metrics_port(http));
    if (cfg->console)
        ddb_log(DDB_LOG_INFO, "console on %s://%s:%d/ddbd/console", cfg->tls_cert ? "https" : "http", cfg->host,
                ddb_http_port(http));
    if (ddb_http_start(http) != 0) {
        ddb_log(DDB_LOG_ERROR, "cannot start the HTTP threads");
        ddb_otlp_stop(otlp);
        server_close(srv);
        return 1;
    }
    sigwait(sigs, &sig);
    ddb_log(DDB_LOG_INFO, "received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
    __atomic_store_n(&srv->api.stopping, 1, __ATOMIC_RELEASE); /* a long door's work ends (the import's sample) */
    ddb_http_stop(http);
    ddb_otlp_stop(otlp); /* after the threads: no span comes after the last one is posted */
    server_close(srv);
    ddb_log(DDB_LOG_INFO, "stopped");
    return 0;
}

/* Runs the server the command line describes until SIGINT or SIGTERM; the exit status. */
static int serve(const ddb_config *cfg, uint64_t t0)
{
    ddb_server srv;
    sigset_t sigs;
    char *err = NULL;

    if (cfg->health_check)
        return ddb_health_check(cfg->health_url);
    if (cfg->nseed_requests > 0)
        return ddb_seed_print(cfg->seed_requests, cfg->nseed_requests, cfg->seed_params, cfg->nseed_params);
    if (prepare_process(cfg, &sigs) != 0)
        return 1;
    if (ddb_server_open(&srv, cfg, &err) != 0) {
        char why[1024];
        /* an option's own failure ("--auth FILE: ...") is not the data's: say it as it is */
        if (err != NULL && strncmp(err, "--", 2) == 0)
            snprintf(why, sizeof(why), "%s", err);
        else
            snprintf(why, sizeof(why), "cannot open %s: %s", data_name(cfg), err ? err : "unknown error");
        ddb_log(DDB_LOG_ERROR, "%s", why);
        free(err);
        return cfg->mcp ? refuse_mcp_stdio(why, &sigs) : 1;
    }
    ddb_admin_open(&admin, &srv);
    /* the seed is loaded before the port is bound: a client never sees a half-seeded server */
    if (cfg->nseeds > 0 && ddb_seed_load(&srv, cfg->seeds, cfg->nseeds, cfg->seed_params, cfg->nseed_params) != 0) {
        server_close(&srv);
        return 1;
    }
    /* crash points are for requests (faults.h): armed once the start's own writes are durable */
    ddb_server_settle(&srv);
    ddb_crash_points_init();
    mcp_setup(&srv, cfg);
    if (cfg->mcp)
        return serve_mcp_stdio(&srv, cfg, &sigs, t0);
    return serve_http(&srv, cfg, &sigs, t0);
}

int main(int argc, char **argv)
{
    uint64_t t0 = ddb_clock_mono_ns();
    ddb_config cfg;
    int rc;

    if ((rc = ddb_config_parse(&cfg, argc, argv)) != 0)
        return rc > 0 ? 0 : 2;
    rc = serve(&cfg, t0);
    ddb_config_free(&cfg);
    return rc;
}
