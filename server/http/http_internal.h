/*
 * server/http/http_internal.h: what the front's files share (http.c reads requests and runs the
 * loops; respond.c writes answers). Nothing outside server/http/ includes it.
 */
#ifndef DDB_HTTP_INTERNAL_H
#define DDB_HTTP_INTERNAL_H

#define H2O_USE_LIBUV 0
#include <h2o.h>

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#include "server/api/auth/auth.h"
#include "server/api/dispatch.h"
#include "server/api/req.h"
#include "server/base/groupcommit.h"
#include "server/base/held_lines.h"
#include "server/base/log_turn.h"
#include "server/base/trace.h"
#include "server/guard/guard.h"
#include "server/http/access_log.h"
#include "server/http/encoding.h"
#include "server/http/http.h"
#include "server/http/request_metrics.h"

#define REQUEST_ID_LEN 52

/* A traced request's span held for its loop's turn's end (server/base/held_lines.h says why). */
struct held_span {
    ddb_span span;
    int waits; /* its answer waits: it may go out as InternalServerError */
};

typedef struct http_thread {
    ddb_http *http;
    pthread_t tid;
    int fd;
    h2o_context_t ctx;
    h2o_accept_ctx_t accept_ctx;
    h2o_evloop_t *loop;
    h2o_socket_t *listener;
    ddb_arena arena;
    ddb_buf out;
    ddb_buf err;
    ddb_buf body;  /* a request body inflated (Content-Encoding: gzip) */
    ddb_buf zout;  /* an answer compressed (Accept-Encoding) */
    char id_prefix[REQUEST_ID_LEN - 12];
    uint64_t id_counter;
    ddb_metrics_thread metrics; /* this thread's request counters (metrics.h) */
    /* --sync: answers held until the writes they may reflect are durable (groupcommit.h), oldest
       first; the sync thread wakes the loop through wake_fd after each sync */
    h2o_linklist_t held;
    unsigned nheld; /* atomic: read by the sync thread */
    h2o_timeout_t later; /* a 1 ms tick for the answers an injected fault delays (respond.c) */
    int later_ready;     /* `later` is registered with the loop */
    int wake_fd;
    h2o_socket_t *wake;
    h2o_accept_ctx_t metrics_accept_ctx; /* thread 0 with --metrics-port: that port's connections */
    h2o_socket_t *metrics_listener;
    ddb_access_buf alog;        /* --access-log: this thread's pending lines */
    ddb_held_lines rec_held;    /* --record: lines whose answers wait for the turn's end (held_lines.h) */
    struct held_span *held_spans; /* --otlp-endpoint: spans of answers that wait for it, as their lines do */
    unsigned nheld_spans, held_spans_cap;
    int holding;                  /* an answer of this turn waits: lines and spans may be held with it */
    ddb_span span;              /* the traced request being served (base/trace.h) */
    ddb_buf trace_scratch;      /* its table list */
    /* its client connections (conns.h) */
    h2o_linklist_t conns;  /* least recently active first */
    h2o_linklist_t paused; /* bodies waiting for room, oldest first */
    h2o_linklist_t busy;   /* being answered */
    /* requests waiting their turn (conns.h, "the loop's time") */
    h2o_linklist_t ready;    /* light ones past their turn's budget, cheapest connection first */
    h2o_linklist_t deferred; /* heavy connections' (and new ones' first), by their place (conns.c) */
    uint64_t vtime_us;       /* the place of the last one taken: the heavy connections' virtual time */
    uint64_t heavy_avg_us;   /* a heavy request's loop time, on average (each one an eighth of it) */
    h2o_req_t *heavy_req;    /* the last one taken */
    uint64_t turn_us;        /* loop time requests took in this turn (from ddb_conn_turn) */
    int heavy_ran;           /* one of them ran in this turn */
    uint64_t debt_us;        /* loop time heavy requests took that the light clients have not had yet */
    uint64_t debt_at_us;     /* when it was last brought up to date (ddb_clock_mono_ns / 1000) */
    uint64_t light_at_us;    /* when a light request was last answered (ddb_clock_mono_ns / 1000) */
    uint64_t heavy_at_us;    /* ... and a heavy one (one that held the loop CONN_HEAVY_US or more) */
    size_t bodies;         /* bytes of the bodies admitted */
    size_t unsent;         /* bytes of the answers given and not yet taken by their clients */
    uint64_t swept_ms;
    int resume;
    h2o_multithread_receiver_t offload_rx; /* RADOS: the jobs done by the workers (offload.h) */
    h2o_multithread_receiver_t admin_rx;   /* --admin: the admin door's requests done by its workers */
    unsigned jobs;                         /* ... of this loop's requests, not yet back (both kinds) */
    h2o_req_t *last_req;   /* the request last handed to the handler, and its connection's record */
    void *last_conn;            /* room was made: admit waiting bodies */
} http_thread;

struct ddb_http {
    const ddb_http_options *cfg;
    const ddb_http_env *env;
    h2o_globalconf_t globalconf;
    unsigned nthreads;
    http_thread *threads;
    int port;
    SSL_CTX *ssl;   /* --tls-cert/--tls-key; NULL: plain http */
    ddb_groupcommit *gc; /* --sync: answers wait for durability; NULL otherwise */
    h2o_hostconf_t *api_hosts[2];     /* the API port's host (NULL-terminated) */
    h2o_hostconf_t *metrics_hosts[2]; /* --metrics-port's host, which serves /metrics alone */
    int metrics_fd, metrics_port;     /* -1: no --metrics-port */
    ddb_access_log *log;              /* --access-log; NULL: off */
    unsigned connections;      /* open client connections, across the threads (atomic) */
    uint64_t refused_logged_ms; /* when a refusal was last logged (one line a second at most) */
    size_t body_budget;         /* each thread's share of --max-pending-bodies */
    size_t unsent_budget;       /* each thread's share of --max-unsent-bytes */
    uint64_t header_timeout_ms; /* --header-timeout */
    struct ddb_offload *offload; /* --rados-inflight: the request workers (offload.h); NULL: none */
    /* --admin: the admin door's workers (offload.h's pool, ADMIN_WORKERS threads): a door's work (an
       import's sample reads a whole source) never holds a loop; NULL: no admin door */
    struct ddb_offload *admin;
    /* RocksDB: the large bodies' workers (http.c's large_api: offload.h's pool, one per loop), and
       the requests they have run (atomic; /metrics) */
    struct ddb_offload *large;
    unsigned long long large_bodies;
    ddb_door_hosts hosts;        /* the names a Host header may give (guard.h) */
    volatile int stopping;
};

/* At stop, the loop turns (25 ms each) that requests on the workers have to be answered. */
#define OFFLOAD_DRAIN_TURNS 200

/* The HTTP thread running this code (set once by each loop thread). */
extern __thread http_thread *ddb_http_current;

/* An API answer, sent at once or held (then its body lives in the request's pool). */
typedef struct held_answer {
    h2o_linklist_t link;
    h2o_req_t *req;
    const char *id; /* its x-amzn-RequestId (in the request's pool) */
    uint64_t until; /* sent once the group commit's durable count reaches this */
    int status;
    const char *ctype;
    const char *body;
    size_t len;
    uint64_t started; /* ddb_clock_mono_ns */
    int op, code;
    ddb_encoding enc; /* the coding the client accepts; NONE once compressed (or not to be) */
    const char *content_encoding; /* the body's coding, or NULL */
    int traced;                   /* trace_id is the request's (it becomes the latency's exemplar) */
    uint8_t trace_id[16];
    int conn_fault;               /* DDB_CONN_FAULT_*: an injected fault breaks it on the way (api/req.h) */
    int settled; /* what it reflects was in the log file when it was made (an answer an injected latency
                    delays: http.c): a later turn's log write is not its own, so it never waits for it */
} held_answer;

/* RADOS: one API request on the request workers (offload.h), from its loop to a worker and back;
   everything dispatch reads is in the job's own memory. */
typedef struct offload_job {
    h2o_multithread_message_t msg;  /* on its loop's receiver once done */
    struct offload_job *next;       /* the pool's queue or free list */
    h2o_multithread_receiver_t *to; /* its loop's receiver */
    h2o_req_t *req;                 /* NULL once the request is gone (its connection closed) */
    struct offload_job **ref;       /* in the request's pool: its destructor clears req */
    int fd;                         /* the client's socket, looked at once before the job runs (-1: none) */
    int gone;                       /* (atomic) the request's pool is cleared: its client has gone */
    int mcp;                        /* an MCP call (doors.c), not an API request */
    const char *method, *path;      /* an admin door's request (doors.c; the job's arena), or NULL */
    size_t plen;
    const char *access_key, *region; /* MCP: the key the doors' guard verified (the job's arena) */
    int status;                     /* MCP: the answer's HTTP status */
    const char *mcp_ctype;          /* MCP: its Content-Type, or NULL (no body) */
    ddb_req r;
    ddb_http_in in;
    ddb_auth_request ar;
    ddb_arena arena;
    ddb_buf raw, body, out, err; /* the body as sent and decoded; the answer or the error */
    ddb_span span;
    int traced;                  /* span is the request's */
    uint64_t started;            /* ddb_clock_mono_ns when its loop took it */
    double seconds;              /* from then to the end of its dispatch */
    const char *ctype;           /* the answer's Content-Type */
    ddb_encoding enc;            /* the coding the client accepts */
    ddb_encoding coding;         /* a large body's (http.c): its Content-Encoding, decoded by its worker */
} offload_job;

/* DynamoDB's message when it is overloaded: past --rados-inflight's bound, or a job skipped. */
#define DDB_HTTP_OVERLOADED "DynamoDB is currently unavailable. (This should be a temporary state.)"

/* ---- doors.c: MCP's calls on the request workers (RADOS), for http.c ---- */

/* doors.c: an MCP call's job, run on a worker (gate slot `slot`), then answered on its loop. */
void ddb_http_mcp_run(ddb_http *h, offload_job *j, unsigned slot);
void ddb_http_mcp_done(offload_job *j);
/* An MCP call skipped because its client has gone: its (unsent) answer. */
void ddb_http_mcp_skipped(offload_job *j);

/* ---- doors.c: the admin door's requests on its workers, for http.c ---- */

/* Its workers: two, so that one long request (an import's sample) leaves the others answered. */
#define ADMIN_WORKERS 2
/* Starts them (h->admin): 0, or -1. */
int ddb_http_admin_start(ddb_http *h);
/* A loop's receiver of the admin requests they ran: each answered (or dropped: its client gone). */
void ddb_http_admin_done(h2o_multithread_receiver_t *rx, h2o_linklist_t *done);

/* ---- bodies.c: a request's body, for http.c ---- */

/* A body of this size or more, as sent or inflated, is run on a large-body worker (RocksDB). */
#define LARGE_BODY (1024 * 1024)
/* ddb_http_decode_body's `tried` when nothing was inflated before it (else ddb_inflate's result,
   the body inflated into its `into`). */
#define DDB_HTTP_TRIED_NOT 1

/* ddb_inflate's result rc for a body inflated at most `limit` bytes into `into`: r's body, or
   in's body_error (503 when limit is a loop's room, below --max-body; 413; 500). */
void ddb_http_take_inflated(ddb_http *h, int rc, size_t limit, ddb_buf *into, ddb_req *r, ddb_http_in *in);
/* A request's Content-Encoding `ce` decoded: r's body inflated into `into`, counted against
   --max-pending-bodies, or in's body_error (on its loop). */
void ddb_http_decode_body(ddb_http *h, http_thread *t, h2o_req_t *req, ddb_buf *into, h2o_iovec_t ce, ddb_req *r,
                          ddb_http_in *in, int tried);
/* Whether req's body is LARGE_BODY or more, as sent or inflated (a compressed one inflated to
   that size at most, into t->body: *tried then ddb_inflate's result when it is not large). */
int ddb_http_large_body(ddb_http *h, http_thread *t, h2o_req_t *req, h2o_iovec_t ce, int *tried);

/* ---- req_read.c: for http.c and doors.c ---- */

/* The first header `name` (lower case) of req, or {NULL, 0}. */
h2o_iovec_t ddb_http_header_value(h2o_req_t *req, const char *name, size_t len);
/* How many headers `name` (lower case) req carries. */
unsigned ddb_http_header_count(h2o_req_t *req, const char *name, size_t len);
/* The Host the client sent (HTTP/2's :authority), or {NULL, 0}: h2o fills req->authority in with
   its host's own name when there is none (HTTP/1.0). */
h2o_iovec_t ddb_http_host(h2o_req_t *req);
/* The media type of a Content-Type (its parameters and blanks dropped). */
h2o_iovec_t ddb_http_media_type(h2o_iovec_t ct);
/* Whether req's head is refused before anything in it is looked at (400, connection closed): over
   16 KiB, its body framed two ways, or two Host headers (req_read.c). */
int ddb_http_head_refused(h2o_req_t *req);
/* The request as SigV4 signed it (--auth), in arena a. */
void ddb_http_auth_request_of(ddb_arena *a, h2o_req_t *req, ddb_auth_request *ar);

/* ---- respond.c ---- */

/* Adds response header `name` (not an h2o token) with value[0..len). */
void ddb_http_add_header(h2o_req_t *req, const char *name, const char *value, size_t len);
/* "Server: Server", as DynamoDB answers (respond.c). */
void ddb_http_add_server(h2o_req_t *req);
/* The thread's next x-amzn-RequestId, REQUEST_ID_LEN characters and a NUL, into out. */
void ddb_http_next_request_id(http_thread *t, char out[REQUEST_ID_LEN + 1]);
/* Sends the response with x-amzn-RequestId `id` (REQUEST_ID_LEN characters), or a new one when NULL;
   with `wrong`, an x-amz-crc32 that is not the body's (an injected BadCrc32). */
void ddb_http_send_body_crc(h2o_req_t *req, const char *id, int status, const char *reason, const char *ctype,
                            const char *body, size_t len, int wrong);
/* The same with the body's own x-amz-crc32. */
void ddb_http_send_body_id(h2o_req_t *req, const char *id, int status, const char *reason, const char *ctype,
                           const char *body, size_t len);
void ddb_http_send_body(h2o_req_t *req, int status, const char *reason, const char *ctype, const char *body,
                        size_t len);
/* Renders r's error into t->err as DynamoDB's error body. */
void ddb_http_render_error(http_thread *t, const ddb_req *r);
/* Sends an API answer (compressed when accepted), or holds it until its writes are durable (--sync). */
void ddb_http_answer(ddb_http *h, http_thread *t, h2o_req_t *req, const held_answer *given);
/* a's status, error and body InternalServerError's (rendered into t->err): an answer whose writes
   the log could not take. */
void ddb_http_internal_answer(http_thread *t, held_answer *a);
/* The end of a turn of t's loop: the log appends its requests owe written (server/base/log_turn.h),
   then the answers held for them sent. */
void ddb_http_turn_flush(http_thread *t);
static inline void ddb_http_turn_end(ddb_http *h, http_thread *t)
{
    if (h->gc == NULL && (ddb_log_turn_owed() || !h2o_linklist_is_empty(&t->held) || t->holding))
        ddb_http_turn_flush(t);
}
/* The same `ms` milliseconds from now (an injected fault's latency), the loop free meanwhile. */
void ddb_http_answer_later(ddb_http *h, http_thread *t, h2o_req_t *req, const held_answer *a, unsigned ms);
/* --sync: the loop's wake-up socket, and the group commit's hook that writes to it. */
void ddb_http_on_wake(h2o_socket_t *sock, const char *err);
void ddb_http_on_durable(void *arg);
/* The coding the client accepts for the answer (Accept-Encoding). */
ddb_encoding ddb_http_accepted_encoding(h2o_req_t *req);

/* cors.c: the door a path leads to (DDB_DOOR_API for the rest); the API door's CORS rule on a
   request's Origin (headers added when granted; DDB_ORIGIN_FOREIGN: refuse it with refuse_origin);
   an OPTIONS request's answer. */
ddb_door ddb_http_door_of(ddb_http *h, h2o_req_t *req);
ddb_origin_verdict ddb_http_cors(ddb_http *h, h2o_req_t *req, h2o_iovec_t origin, unsigned origins);
void ddb_http_refuse_origin(ddb_http *h, http_thread *t, h2o_req_t *req, h2o_iovec_t origin, unsigned origins);
void ddb_http_preflight(ddb_http *h, http_thread *t, h2o_req_t *req);

#endif
