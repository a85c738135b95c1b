/*
 * server/http/respond.c: writing the front's answers: x-amzn-RequestId, x-amz-crc32 and
 * Content-Length on every one, DynamoDB's error body, the answer's compression (Accept-Encoding),
 * and, under --sync, answers held until the writes they may reflect are durable.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/crc32.h"
#include "proto/errors.h"
#include "server/api/record/record.h"
#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/base/groupcommit.h"
#include "server/base/log_turn.h"
#include "server/base/log.h"
#include "server/base/otlp.h"
#include "server/http/conns.h"
#include "server/http/http_internal.h"

__thread http_thread *ddb_http_current;

/*
 * Appends a header whose name outlives the answer (a literal). h2o_add_header_by_str would copy the
 * name into the pool twice, as the name and as its spelling as given: two h2o_strdup calls a header,
 * about 300 instructions of a GetItem's three (bench/callgrind_ab.py). With no spelling of its own
 * h2o writes the name as it is, case kept.
 */
static void add_named(h2o_req_t *req, h2o_iovec_t *name, const char *value, size_t len)
{
    h2o_header_t *slot;

    h2o_vector_reserve(&req->pool, &req->res.headers, req->res.headers.size + 1);
    slot = req->res.headers.entries + req->res.headers.size++;
    slot->name = name;
    slot->orig_name = NULL;
    slot->value = h2o_iovec_init(value, len);
}

void ddb_http_add_header(h2o_req_t *req, const char *name, const char *value, size_t len)
{
    h2o_iovec_t *n = h2o_mem_alloc_pool(&req->pool, sizeof(*n));

    *n = h2o_iovec_init(name, strlen(name)); /* every caller's name is a literal or a static table's */
    add_named(req, n, value, len);
}

/* The names of the headers on every answer, never written: shared by every loop's answers. */
static h2o_iovec_t name_server = {(char *)"Server", 6};
static h2o_iovec_t name_request_id = {(char *)"x-amzn-RequestId", 16};
static h2o_iovec_t name_crc32 = {(char *)"x-amz-crc32", 11};

/* "Server: Server", as DynamoDB answers. Added here rather than by h2o's server_name, which h2o
   writes with a sprintf of its own for every answer: about 1,400 instructions of a GetItem's ~36,000
   (bench/callgrind_ab.py). h2o's own answers (its 400s and 413s) go without it. */
void ddb_http_add_server(h2o_req_t *req)
{
    add_named(req, &name_server, "Server", 6);
}

void ddb_http_next_request_id(http_thread *t, char out[REQUEST_ID_LEN + 1])
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUV";
    uint64_t n = ++t->id_counter;

    memcpy(out, t->id_prefix, sizeof(t->id_prefix));
    for (int i = REQUEST_ID_LEN - 1; i >= (int)sizeof(t->id_prefix); i--, n >>= 5)
        out[i] = alphabet[n & 31];
    out[REQUEST_ID_LEN] = '\0';
}

/* Decimal text of v into out (at least 11 bytes); returns the length. */
static size_t format_u32(char *out, uint32_t v)
{
    char tmp[10];
    size_t n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return n;
}

/* Sends the response with x-amzn-RequestId `id` (REQUEST_ID_LEN characters), or a new one when NULL;
   its x-amz-crc32 the body's, or with `wrong` another (an injected BadCrc32). */
void ddb_http_send_body_crc(h2o_req_t *req, const char *id, int status, const char *reason, const char *ctype,
                            const char *body, size_t len, int wrong)
{
    char *crc = h2o_mem_alloc_pool(&req->pool, 16);
    size_t crclen = format_u32(crc, ddb_crc32(0, body, len) ^ (wrong ? 0x5a5a5a5au : 0));

    if (id == NULL) {
        char *fresh = h2o_mem_alloc_pool(&req->pool, REQUEST_ID_LEN + 1);
        ddb_http_next_request_id(ddb_http_current, fresh);
        id = fresh;
    }
    req->res.status = status;
    req->res.reason = reason;
    ddb_http_add_server(req);
    add_named(req, &name_request_id, id, REQUEST_ID_LEN);
    add_named(req, &name_crc32, crc, crclen);
    if (ctype != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, ctype, strlen(ctype));
    req->res.content_length = len;
    ddb_conn_answered(ddb_http_current, req, len);
    h2o_send_inline(req, body, len);
}

void ddb_http_send_body_id(h2o_req_t *req, const char *id, int status, const char *reason, const char *ctype,
                           const char *body, size_t len)
{
    ddb_http_send_body_crc(req, id, status, reason, ctype, body, len, 0);
}

/* A door's answer (MCP, the console, admin) is not held for its loop's turn (log_turn.h): what it
   may reflect is written to the logs now, and a failure answers 500 in its place. */
void ddb_http_send_body(h2o_req_t *req, int status, const char *reason, const char *ctype, const char *body, size_t len)
{
    static const char failed[] = "{\"message\":\"the write-ahead log could not be written\"}";

    if (ddb_log_turn_owed() && ddb_log_turn_flush() != 0) {
        ddb_http_send_body_id(req, NULL, 500, "Internal Server Error", "application/json", failed, sizeof(failed) - 1);
        return;
    }
    ddb_http_send_body_id(req, NULL, status, reason, ctype, body, len);
}

/* Renders req->err as DynamoDB's error body (api/req.h). */
void ddb_http_render_error(http_thread *t, const ddb_req *r)
{
    t->err.len = 0;
    ddb_req_render_error(r, &t->err);
}

/* ---- answers, held for durability under --sync ---- */

/* ---- answers an injected fault breaks (api/faults/inject.h: ConnectionReset, TruncatedBody, BadCrc32) ---- */

/* (a response whose generator is never asked for more: its one send is its last) */
static h2o_generator_t cut_generator = {NULL, NULL};

/*
 * Sends a's headers as they would be (Content-Length the whole body's) and then breaks the answer:
 * half the body and the connection closed, by a reset when `reset` (SO_LINGER 0: the kernel sends
 * RST rather than FIN, and drops what it had not sent yet).
 */
static void send_cut(h2o_req_t *req, const held_answer *a, const char *reason, int reset)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket != NULL ? req->conn->callbacks->get_socket(req->conn) : NULL;
    h2o_iovec_t half = h2o_iovec_init(a->body, a->len / 2);
    char *crc = h2o_mem_alloc_pool(&req->pool, 16);

    req->res.status = a->status;
    req->res.reason = reason;
    ddb_http_add_server(req);
    add_named(req, &name_request_id, a->id, REQUEST_ID_LEN);
    add_named(req, &name_crc32, crc, format_u32(crc, ddb_crc32(0, a->body, a->len)));
    if (a->ctype != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, a->ctype, strlen(a->ctype));
    req->res.content_length = a->len;
    if (reset && sock != NULL) {
        struct linger now = {1, 0};
        (void)setsockopt(h2o_socket_get_fd(sock), SOL_SOCKET, SO_LINGER, &now, sizeof(now));
    }
    ddb_conn_answered(ddb_http_current, req, a->len);
    h2o_start_response(req, &cut_generator);
    h2o_send(req, &half, 1, H2O_SEND_STATE_ERROR); /* an error ends the connection, not just the answer */
}

static void send_answer(http_thread *t, h2o_req_t *req, const held_answer *a)
{
    const char *reason = a->status == 200   ? "OK"
                         : a->status == 500 ? "Internal Server Error"
                         : a->status == 503 ? "Service Unavailable"
                                            : "Bad Request";

    ddb_metrics_record(&t->metrics, a->op, a->code, ddb_clock_mono_since_s(a->started),
                       a->traced ? a->trace_id : NULL);
    if (a->content_encoding != NULL)
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_ENCODING, NULL, a->content_encoding,
                       strlen(a->content_encoding));
    if (__builtin_expect(a->conn_fault != DDB_CONN_FAULT_NONE, 0)) {
        if (a->conn_fault == DDB_CONN_FAULT_BAD_CRC)
            ddb_http_send_body_crc(req, a->id, a->status, reason, a->ctype, a->body, a->len, 1);
        else
            send_cut(req, a, reason, a->conn_fault == DDB_CONN_FAULT_RESET);
        return;
    }
    ddb_http_send_body_id(req, a->id, a->status, reason, a->ctype, a->body, a->len);
}

/* The request's pool is cleared (its answer sent, or its connection closed while held). */
static void held_dispose(void *p)
{
    held_answer *a = p;

    if (h2o_linklist_is_linked(&a->link)) {
        h2o_linklist_unlink(&a->link);
        __atomic_sub_fetch(&ddb_http_current->nheld, 1, __ATOMIC_RELAXED);
    }
}

/*
 * Under --sync an answer must not reach the client before every write it may reflect is durable:
 * its own write, and any other write it read or whose effect decided it (a condition that failed
 * on an item written a moment ago). So an answer given while some write is not yet durable waits
 * for the write count read now: one group commit at most.
 */
static void release_held(ddb_http *h, http_thread *t);

/* a, kept in its request's pool until sent (with its count to wait for under --sync) */
static void hold(http_thread *t, h2o_req_t *req, const held_answer *a, uint64_t until)
{
    held_answer *held = h2o_mem_alloc_shared(&req->pool, sizeof(*held), held_dispose);

    *held = *a;
    memset(&held->link, 0, sizeof(held->link));
    held->req = req;
    held->until = until;
    held->body = h2o_mem_alloc_pool(&req->pool, a->len);
    memcpy((char *)held->body, a->body, a->len);
    h2o_linklist_insert(&t->held, &held->link);
    __atomic_add_fetch(&t->nheld, 1, __ATOMIC_RELAXED);
}

void ddb_http_answer(ddb_http *h, http_thread *t, h2o_req_t *req, const held_answer *given)
{
    uint64_t written;
    held_answer compressed;
    const held_answer *a = given;

    if (given->enc != DDB_ENC_NONE && given->len >= DDB_COMPRESS_MIN &&
        ddb_compress(given->enc, given->body, given->len, &t->zout) == 0) {
        compressed = *given;
        compressed.body = t->zout.data;
        compressed.len = t->zout.len;
        compressed.content_encoding = ddb_encoding_name(given->enc);
        a = &compressed;
    }

    if (h->gc == NULL) { /* until the turn's end when it reflects an append still in a log's buffer */
        if (ddb_log_turn_owed() && !a->settled)
            hold(t, req, a, 0);
        else
            send_answer(t, req, a);
        return;
    }
    if ((written = ddb_groupcommit_written(h->gc)) <= ddb_groupcommit_durable(h->gc)) {
        send_answer(t, req, a);
        return;
    }
    ddb_crash_point("sync-answer-held"); /* (a test widens the window the fence below closes) */
    hold(t, req, a, written);
    /* The sync may have made it durable between the check above and the count: its thread read
       nheld 0 and woke no one, and no later sync need come. Count, then look again; the sync
       thread publishes durable, then reads nheld (ddb_http_on_durable), so one of the two sees
       the other's write. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    release_held(h, t);
}

/* Sends the oldest held answer, or `instead` (its status and body) in its place. */
static void send_first_held(http_thread *t, const held_answer *instead)
{
    held_answer *a = H2O_STRUCT_FROM_MEMBER(held_answer, link, t->held.next);
    held_answer copy;

    h2o_linklist_unlink(&a->link);
    __atomic_sub_fetch(&t->nheld, 1, __ATOMIC_RELAXED);
    copy = *a; /* sending may clear the pool that holds `a` */
    if (instead != NULL) {
        copy.status = instead->status;
        copy.code = instead->code;
        copy.ctype = instead->ctype;
        copy.body = instead->body;
        copy.len = instead->len;
        copy.content_encoding = NULL;
    }
    send_answer(t, copy.req, &copy);
}

void ddb_http_internal_answer(http_thread *t, held_answer *a)
{
    ddb_req r;

    memset(&r, 0, sizeof(r));
    (void)ddb_req_fail_internal(&r);
    ddb_http_render_error(t, &r);
    a->status = ddb_error_lookup(DDB_E_INTERNAL)->http_status;
    a->code = DDB_E_INTERNAL;
    a->ctype = "application/x-amz-json-1.0";
    a->body = t->err.data;
    a->len = t->err.len;
}

/* The access log's and the recording's lines and the spans held for the turn (held_lines.h), each held
   answer's as it goes out: as written, or as `instead`. */
static void release_lines(http_thread *t, const held_answer *instead)
{
    ddb_http *h = t->http;

    if (t->alog.held.buf.len != 0)
        ddb_access_log_release(h->log, &t->alog, instead != NULL ? instead->status : 0,
                               instead != NULL ? ddb_error_lookup(instead->code)->type : NULL);
    if (t->rec_held.buf.len != 0)
        ddb_record_release(&t->rec_held, (unsigned)(t - h->threads), instead != NULL ? instead->status : 0,
                           instead != NULL ? instead->code : 0, instead != NULL ? instead->body : NULL,
                           instead != NULL ? instead->len : 0);
    for (unsigned i = 0; i < t->nheld_spans; i++) {
        ddb_span *s = &t->held_spans[i].span;
        if (instead != NULL && t->held_spans[i].waits) {
            s->status = instead->status;
            snprintf(s->error_type, sizeof(s->error_type), "%s", ddb_error_lookup(instead->code)->type);
        }
        ddb_otlp_submit(h->env->otlp, s);
    }
    t->nheld_spans = 0;
    t->holding = 0;
}

/*
 * The end of a loop's turn without --sync: the log appends its requests wrote or saw written to
 * the logs' files (log_turn.h), then the answers held for them sent; when that failed, each as
 * InternalServerError instead (DynamoDB's outcome unknown: a write it answers may or may not be
 * there, and a read must not show what may be lost).
 */
void ddb_http_turn_flush(http_thread *t)
{
    held_answer internal = {0};
    int failed;

    ddb_crash_point("turn-answers-held"); /* (a test kills the server here: nothing answered is lost) */
    if ((failed = ddb_log_turn_end() != 0))
        ddb_http_internal_answer(t, &internal);
    release_lines(t, failed ? &internal : NULL);
    while (!h2o_linklist_is_empty(&t->held))
        send_first_held(t, failed ? &internal : NULL);
}

/* Sends the held answers whose writes are durable now (oldest first: their counts only grow). */
static void release_held(ddb_http *h, http_thread *t)
{
    uint64_t durable = ddb_groupcommit_durable(h->gc);

    while (!h2o_linklist_is_empty(&t->held) &&
           H2O_STRUCT_FROM_MEMBER(held_answer, link, t->held.next)->until <= durable)
        send_first_held(t, NULL);
}

void ddb_http_on_wake(h2o_socket_t *sock, const char *err)
{
    http_thread *t = sock->data;

    if (err == NULL)
        h2o_buffer_consume(&sock->input, sock->input->size);
    release_held(t->http, t);
}

/* On the sync thread after each sync: wakes the loops that hold answers. */
void ddb_http_on_durable(void *arg)
{
    ddb_http *h = arg;
    uint64_t one = 1;

    __atomic_thread_fence(__ATOMIC_SEQ_CST); /* durable is published before nheld is read (ddb_http_answer) */
    for (unsigned i = 0; i < h->nthreads; i++) {
        if (__atomic_load_n(&h->threads[i].nheld, __ATOMIC_RELAXED) != 0 && write(h->threads[i].wake_fd, &one, 8) < 0)
            ddb_log(DDB_LOG_ERROR, "--sync: cannot wake an HTTP thread");
    }
}

/* ---- answers an injected fault delays (api/faults/inject.h: a rule's latency_ms) ---- */

typedef struct later_answer {
    h2o_timeout_entry_t entry; /* on its loop's 1 ms tick until due */
    held_answer a;
    uint64_t due_ms;           /* the server's clock (ddb_clock_now_ms) */
    ddb_http *h;
    http_thread *t;
} later_answer;

static void later_dispose(void *p)
{
    later_answer *l = p;

    if (h2o_timeout_is_linked(&l->entry))
        h2o_timeout_unlink(&l->entry);
}

static void later_tick(h2o_timeout_entry_t *entry)
{
    later_answer *l = H2O_STRUCT_FROM_MEMBER(later_answer, entry, entry);

    if (ddb_clock_now_ms() < l->due_ms) {
        h2o_timeout_link(l->t->loop, &l->t->later, &l->entry);
        return;
    }
    ddb_http_answer(l->h, l->t, l->a.req, &l->a); /* (may clear the pool that holds l) */
}

/*
 * The loop goes on with other requests meanwhile: a sleep would stall every connection it serves.
 * An injected latency is simulated time, part of the call (a transaction's token stays in progress
 * through it: engine/idempotency.h), so it runs on the server's clock: /ddbd/clock's advance
 * steps through it, and a frozen clock holds it.
 */
void ddb_http_answer_later(ddb_http *h, http_thread *t, h2o_req_t *req, const held_answer *a, unsigned ms)
{
    later_answer *l = h2o_mem_alloc_shared(&req->pool, sizeof(*l), later_dispose);

    memset(l, 0, sizeof(*l));
    l->entry.cb = later_tick;
    l->a = *a;
    l->a.req = req;
    l->a.body = h2o_mem_alloc_pool(&req->pool, a->len);
    memcpy((char *)l->a.body, a->body, a->len);
    l->due_ms = ddb_clock_now_ms() + ms;
    l->h = h;
    l->t = t;
    if (!t->later_ready) { /* registered at the first delayed answer: a loop's timeouts cost each turn */
        h2o_timeout_init(t->loop, &t->later, 1);
        t->later_ready = 1;
    }
    h2o_timeout_link(t->loop, &t->later, &l->entry);
}

/* The coding the client accepts for the answer: the first Accept-Encoding header's, as DynamoDB
   reads it when the header is sent more than once (docs/compatibility.md). */
ddb_encoding ddb_http_accepted_encoding(h2o_req_t *req)
{
    ssize_t i = h2o_find_header(&req->headers, H2O_TOKEN_ACCEPT_ENCODING, -1);

    if (i < 0)
        return DDB_ENC_NONE;
    return ddb_accept_encoding(req->headers.entries[i].value.base, req->headers.entries[i].value.len);
}
