/*
 * client/internal.h: libddb's private types, shared by the files of client/.
 *
 * Every public value type (ddb_item, ddb_list, ddb_value) IS a proto ddb_attr in memory, so items
 * decoded from a reply by proto/attr.c are handed out without conversion and items built by the
 * caller are written by proto/attr.c's writer. An item the caller owns is the `root` of a
 * ddb_owned, whose pool holds everything reachable from it.
 *
 * Files: values.c (items, lists, views), opts.c (ddb_opts and the request writer helpers),
 * result.c (replies, errors, lazy decoding), transport.c (connections, HTTP, signing, retries),
 * transport_pipe.c (many raw requests in flight from one thread: include/ddb/ddb_pipe.h),
 * retry.c (the retry policy: which failures are retried, backoff, the retry quota), ops.c (one
 * function per operation), pager.c (paginators, batch and transaction builders and helpers),
 * tables.c (ddb_table_def), config.c (configuration and client lifecycle).
 */
#ifndef DDB_CLIENT_INTERNAL_H
#define DDB_CLIENT_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <stdint.h>

#include "ddb/ddb.h"
#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "proto/ops.h"

/* ---- values.c ---- */

/* A small-chunk bump allocator for caller-owned values (proto's arena starts at 64 KB a chunk). */
typedef struct vpool_chunk vpool_chunk;
typedef struct vpool {
    vpool_chunk *head;
    char *cur, *end;
} vpool;

void *vpool_alloc(vpool *p, size_t n);
void vpool_free(vpool *p);

typedef struct ddb_owned {
    vpool pool;
    ddb_attr root; /* type M (ddb_item) or L (ddb_list) */
} ddb_owned;

#define AS_ATTR(x) ((ddb_attr *)(x))
#define AS_CATTR(x) ((const ddb_attr *)(x))

ddb_owned *owned_new(ddb_type t);
void owned_free(ddb_owned *o);
ddb_owned *owned_of(const void *root);
/* Deep copy of src into pool `p`; returns the nesting depth of the value (a scalar is 1). */
int value_copy(vpool *p, const ddb_attr *src, ddb_attr *dst);

/* ---- opts.c ---- */

typedef struct opt_name {
    char *placeholder, *name;
} opt_name;

struct ddb_opts {
    char *params[DDB_P__COUNT]; /* malloc'd text, NULL when unset */
    opt_name *names;
    size_t nnames;
    ddb_item *values;    /* NULL until ddb_opts_values() */
    ddb_item *start_key; /* NULL unless set */
};

/* Writes every set parameter, the names, the values and the start key as members of the open object. */
void opts_write(ddb_jw *w, const ddb_opts *o);
/* The same without parameter `skip`, which the call writes from an argument of its own. */
void opts_write_but(ddb_jw *w, const ddb_opts *o, ddb_param skip);
/*
 * The same, but only the members a transaction or batch-get action takes (condition, projection,
 * ReturnValuesOnConditionCheckFailure, ConsistentRead, names, values); skip_condition leaves out
 * ConditionExpression when the caller wrote its own.
 */
void opts_write_action(ddb_jw *w, const ddb_opts *o, int skip_condition);
const char *opts_get(const ddb_opts *o, ddb_param p);

/* ---- result.c ---- */

typedef struct result_row {
    const char *table; /* BatchGetItem: the table; NULL for Items */
    ddb_attr item;     /* type M; type NONE for an empty TransactGetItems slot */
} result_row;

typedef struct result_reason {
    const char *code, *message;
    ddb_attr item; /* type NONE when absent */
} result_reason;

typedef struct rows {
    result_row *v;
    size_t n, cap;
} rows;

struct ddb_result {
    ddb_arena arena;
    int status, http_status;
    unsigned attempts;
    const char *message, *error_type;
    char *body;
    size_t body_len;
    ddb_json *json; /* the parsed body, or NULL */
    /* decoded on first use (flags say whether tried) */
    uint8_t have_item, have_items, have_last, have_tables, have_reasons, merged;
    ddb_attr item, last_key;
    rows items;  /* Items / Responses (transactions) / SearchResults */
    rows tables; /* BatchGetItem Responses */
    result_reason *reasons;
    size_t nreasons;
};

ddb_result *result_new(void);
/* Takes a copy of an HTTP reply body and decodes the error members when status != 200. */
void result_set_reply(ddb_result *r, int http_status, const char *body, size_t len);
/* Records a client-side failure (status DDB_E_TRANSPORT etc.) with a formatted message. */
void result_fail(ddb_result *r, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Appends a copy of `item` to r's Items (or its table rows when `table` is set), for merged results. */
void result_add_row(ddb_result *r, const char *table, const ddb_attr *item);
/* Member `key` of the top-level body object. */
const ddb_json *result_member(const ddb_result *r, const char *key);

/* ---- transport.c ---- */

/* How a call may be retried (see ddb_config_set_retries). */
typedef enum call_kind {
    CALL_READ,       /* never changes anything: always retryable */
    CALL_IDEMPOTENT, /* a second application changes nothing */
    CALL_ONCE,       /* must not be applied twice */
} call_kind;

typedef struct client_cfg {
    char *host;     /* for connect() */
    char *hostport; /* Host header, "127.0.0.1:8000" */
    char *port;
    char *region, *access_key, *secret_key, *token;
    unsigned connect_ms, io_ms, max_retries, connect_retries, base_delay_ms, max_delay_ms, pool_size;
    unsigned throttle_delay_ms, quota; /* quota 0: no retry quota */
    ddb_retry_mode mode;
    ddb_sleep_fn sleep_fn; /* NULL: nanosleep */
    void *sleep_arg;
} client_cfg;

typedef struct conn conn;

typedef struct signing_cache {
    char date8[9];
    uint8_t key[32];
} signing_cache;

struct ddb_client {
    client_cfg cfg;
    struct sockaddr_storage *addr;
    unsigned addrlen;
    uint64_t serial;      /* unique per client in this process (signing-key caches) */
    pthread_mutex_t lock; /* guards idle[] */
    conn **idle;
    size_t nidle;
    atomic_uint quota; /* retry quota tokens left (retry.c) */
};

/* (a request's X-Amz-Target: its operation after proto/ops.h's ddb_op_target_prefix, DynamoDB's
   or a DynamoDB Streams operation's own: transport.c, transport_pipe.c) */
#define CONTENT_TYPE "application/x-amz-json-1.0"

/* An answer's head, as transport_parse_head reads it. */
typedef struct reply {
    int http;
    size_t body_off, body_len;
    int has_crc, keep_alive;
    uint32_t crc;
    long long retry_after; /* x-amz-retry-after (ms), -1 when absent or not a number */
} reply;

/* A connection to c's endpoint: a non-blocking connect bounded by connect_ms, then a blocking
   socket with I/O timeouts (TCP_NODELAY). The fd, or -1 with err set. */
int transport_connect(ddb_client *c, char *err, size_t errlen);
/* Parses the status line and headers in p[0..end) (end: the head's end less its last CRLF);
   *content_length -1 when none. -1 when malformed or chunked (DynamoDB always sends a length). */
int transport_parse_head(const char *p, size_t end, reply *rp, long long *content_length);
/* The head of an unsigned request of ddbd's admin door into out (appended): GET `path` (len < 0),
   or POST `path` with a JSON body of len bytes. */
void transport_door_head(const ddb_client *c, ddb_buf *out, const char *path, long long len);
/* Sends one operation with `body` (JSON) and retries as `kind` allows; fills *out if not NULL. */
int transport_call(ddb_client *c, const char *op, const char *body, size_t len, call_kind kind, ddb_result **out);
/* GET / once; returns the HTTP status or 0 on a transport failure. */
int transport_health(ddb_client *c);
/* GET `path` once, its body appended to *body (when not NULL); the HTTP status or 0 as above. */
int transport_get(ddb_client *c, const char *path, ddb_buf *body);
/* POST `in` (JSON) to `path` once (in NULL: GET), as transport_get. */
int transport_send(ddb_client *c, const char *path, const char *in, size_t in_len, ddb_buf *body);
void transport_close_all(ddb_client *c);

/* ---- retry.c ---- */

/* How an attempt ended when no reply was read. */
typedef enum fail_kind {
    FAIL_NONE,       /* a reply was received */
    FAIL_CONNECT,    /* no connection: the server cannot have acted on it */
    FAIL_NOT_SENT,   /* send failed: the server cannot have acted on it */
    FAIL_MAYBE_SENT, /* sent, then no complete reply: it may have been applied */
} fail_kind;

/* What one attempt left, for the policy to decide on. */
typedef struct attempt_end {
    fail_kind fail;
    unsigned retry;          /* retries made so far (0 after the first attempt) */
    unsigned connect_fails;  /* attempts of this call that failed to connect */
    long long retry_after;   /* the reply's x-amz-retry-after in ms, or -1 (none or unreadable) */
} attempt_end;

/*
 * Whether the call whose attempt ended with `r` is retried: the delay to wait first (ms), or -1.
 * Takes the retry's cost from the client's quota and stores it in *cost (for retry_succeeded).
 */
long long retry_decide(ddb_client *c, const ddb_result *r, const attempt_end *e, call_kind kind, unsigned *cost);
/* A call succeeded: gives back to the quota the last retry's cost (`cost`), or 1 when it made none. */
void retry_succeeded(ddb_client *c, unsigned cost);
/* Sleeps `ms` (or calls the configured sleep function). */
void retry_sleep(const ddb_client *c, unsigned ms);
/* Sleeps the backoff before resend number `retry` (0-based) of requests a batch left unprocessed. */
void retry_backoff_unprocessed(const ddb_client *c, unsigned retry);

/* ---- ops.c ---- */

/* Begins a request body {"TableName": table (when not NULL), ... into b. */
void req_begin(ddb_jw *w, ddb_buf *b, const char *table);
/* Runs a built request; frees the buffer. */
int req_finish(ddb_client *c, const char *op, ddb_buf *b, call_kind kind, ddb_result **out);

#endif
