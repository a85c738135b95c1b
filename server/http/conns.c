/*
 * server/http/conns.c: each client connection's bookkeeping (see conns.h).
 */
#include "server/http/conns.h"

#include "server/http/http_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <poll.h>
#include <sys/socket.h>

#include "server/api/auth/auth_precheck.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "proto/ops.h"

typedef struct http_conn {
    h2o_linklist_t lru;   /* in t->conns: least recently active first */
    h2o_linklist_t queue; /* in t->paused (a body waiting for room) or t->busy (being answered) */
    h2o_linklist_t turn;  /* in t->ready or t->deferred: its request waits its turn */
    h2o_req_t *waiting;   /* that request */
    http_thread *t;
    h2o_socket_t *sock;
    h2o_socket_cb read_cb; /* h2o's read callback, which conn_on_read wraps */
    uint64_t since;        /* ms: opened, answered last, or its request's first byte */
    uint64_t answered_at;  /* ms: when its unsent answer was given */
    size_t held;           /* input bytes of the request being read */
    size_t reserved;       /* bytes of t->bodies this request's body was admitted for */
    size_t unsent;         /* bytes of its answer counted in t->unsent */
    unsigned requests;
    uint64_t tag_us;       /* its heavy loop time, in the loop's virtual time: its place in t->deferred */
    unsigned cost_us;      /* its requests' loop time: the last one's when higher, else falling to it by a
                              quarter; the cheapest go first among light requests waiting their turn */
    unsigned heavy : 1;    /* its last request held the loop CONN_HEAVY_US or more */
    unsigned busy : 1;     /* a request is being answered */
    unsigned cut : 1;      /* shut down: h2o is closing it */
    unsigned paused : 1;   /* its body waits for room (not read) */
} http_conn;

#define SWEEP_MS 250

static void conn_on_read(h2o_socket_t *sock, const char *err);

static void unqueue(http_conn *c)
{
    if (h2o_linklist_is_linked(&c->queue))
        h2o_linklist_unlink(&c->queue);
    c->paused = 0;
}

/* Shuts the socket down: a reset for the client; h2o sees its read end (or its write fail) and
   closes and frees the connection through its own error path. A connection holding an answer its
   client has not taken is closed at once (c is freed on return): h2o reads nothing while it writes
   an answer, and a write blocked on a full socket is not retried, so it would learn of the cut only
   at its next loop turn, and one turn can build many answers (the clients' requests ready at once)
   while every cut one still holds its own. */
static void conn_cut(http_conn *c, const char *why)
{
    struct linger lg = {1, 0};
    int fd = h2o_socket_get_fd(c->sock);
    int holding = c->unsent != 0 || c->waiting != NULL;

    if (c->cut)
        return;
    if (c->waiting != NULL) { /* its request never runs */
        h2o_linklist_unlink(&c->turn);
        c->waiting = NULL;
    }
    c->cut = 1;
    c->t->unsent -= c->unsent;
    c->unsent = 0;
    ddb_log(DDB_LOG_DEBUG, "closing a client connection: %s", why);
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    shutdown(fd, SHUT_RDWR);
    if (holding && c->read_cb != NULL) {
        /* h2o's request reader closes the connection on a read error, its answer's pool with it */
        c->read_cb(c->sock, "connection cut by ddbd");
        return;
    }
    if (c->paused) { /* not read: read again, to see the end */
        unqueue(c);
        h2o_socket_read_start(c->sock, conn_on_read);
    }
}

void ddb_conns_cut_all(http_thread *t)
{
    for (h2o_linklist_t *n = t->conns.next, *next; n != &t->conns; n = next) {
        http_conn *c = H2O_STRUCT_FROM_MEMBER(http_conn, lru, n);
        next = n->next; /* (a cut that closes at once frees c) */
        conn_cut(c, "the server is stopping");
    }
}

static void release_body(http_conn *c)
{
    if (c->reserved != 0) {
        c->t->bodies -= c->reserved;
        c->reserved = 0;
        c->t->resume = 1;
    }
    c->held = 0;
}

static void on_conn_closed(void *data)
{
    http_conn *c = data;
    ddb_http *h = c->t->http;

    release_body(c);
    c->t->unsent -= c->unsent;
    if (c->t->last_conn == c)
        c->t->last_req = NULL;
    unqueue(c);
    if (h2o_linklist_is_linked(&c->turn))
        h2o_linklist_unlink(&c->turn);
    h2o_linklist_unlink(&c->lru);
    free(c);
    __atomic_sub_fetch(&h->connections, 1, __ATOMIC_RELAXED);
}

void ddb_conn_open(http_thread *t, h2o_socket_t *sock)
{
    http_conn *c = calloc(1, sizeof(*c));

    c->t = t;
    c->sock = sock;
    c->since = h2o_now(t->loop);
    h2o_linklist_insert(&t->conns, &c->lru);
    sock->on_close.cb = on_conn_closed;
    sock->on_close.data = c;
}

/* Wraps the socket's read callback when h2o has set a new one (it does at each request). */
static void wrap(http_conn *c)
{
    h2o_socket_cb cb = c->sock->_cb.read;

    if (cb != NULL && cb != conn_on_read && !c->cut) {
        c->read_cb = cb;
        c->sock->_cb.read = conn_on_read;
    }
}

void ddb_conn_started(h2o_socket_t *sock)
{
    wrap(sock->on_close.data);
}

/* ---- request heads, as received (h2o has lower-cased the names of a head it has parsed) ---- */

const char *ddb_head_next(const char **p, const char *end, const char *name, size_t nlen, size_t *vlen)
{
    while (*p < end) {
        const char *line = *p, *eol = memchr(line, '\n', (size_t)(end - line)), *v;
        if (eol == NULL)
            return NULL;
        *p = eol + 1;
        if (eol == line || (eol == line + 1 && *line == '\r')) { /* the head's end */
            *p = end;
            return NULL;
        }
        if ((size_t)(eol - line) <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
            continue;
        for (v = line + nlen + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
            ;
        while (eol > v && (eol[-1] == '\r' || eol[-1] == ' ' || eol[-1] == '\t'))
            eol--;
        *vlen = (size_t)(eol - v);
        return v;
    }
    return NULL;
}

/* The head held in the socket's input, from its request line; its end is found by the caller. */
static const char *head_end(const h2o_buffer_t *in)
{
    return in->bytes + (in->size < H2O_MAX_REQLEN ? in->size : H2O_MAX_REQLEN);
}

static int has_whole_head(const h2o_buffer_t *in)
{
    const char *end = head_end(in);

    for (const char *p = in->bytes; p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
        if ((end - p > 1 && p[1] == '\n') || (end - p > 2 && p[1] == '\r' && p[2] == '\n'))
            return 1;
    return 0;
}

/* The bytes the request's body will take: its Content-Length, or --max-body when not given. */
static size_t body_need(http_conn *c)
{
    const char *p = c->sock->input->bytes, *v;
    size_t vlen, n = 0, max = c->t->http->cfg->max_body;

    if ((v = ddb_head_next(&p, head_end(c->sock->input), "content-length", 14, &vlen)) == NULL || vlen == 0 || vlen > 12)
        return max;
    for (size_t i = 0; i < vlen; i++) {
        if (v[i] < '0' || v[i] > '9')
            return max;
        n = n * 10 + (size_t)(v[i] - '0');
    }
    return n < max ? n : max;
}

/* --auth: whether the head's Authorization header is plausible (its key known, its scope and date
   well formed and current) before its body is read. */
static int plausible_auth(http_conn *c)
{
    const ddb_auth *a = c->t->http->env->api->auth;
    const char *p = c->sock->input->bytes, *v;
    size_t vlen;

    if (a == NULL)
        return 1;
    if ((v = ddb_head_next(&p, head_end(c->sock->input), "authorization", 13, &vlen)) == NULL) {
        /* a presigned request (its signature in the query) is verified with its body, as before */
        const char *eol = memchr(c->sock->input->bytes, '\n', c->sock->input->size);
        return eol != NULL && memmem(c->sock->input->bytes, (size_t)(eol - c->sock->input->bytes), "X-Amz-Signature=", 16) != NULL;
    }
    return ddb_auth_precheck(a, v, vlen, ddb_clock_system_ms());
}

/* Admits c's body when it fits in the thread's share of --max-pending-bodies (or nothing else is
   admitted: a body never waits for ever). */
static int admit(http_conn *c, size_t need)
{
    http_thread *t = c->t;

    if (t->bodies != 0 && t->bodies + need > t->http->body_budget)
        return 0;
    t->bodies += need;
    c->reserved = need;
    return 1;
}

static void conn_on_read(h2o_socket_t *sock, const char *err)
{
    http_conn *c = sock->on_close.data;
    http_thread *t = c->t;

    if (err == NULL && !c->busy) {
        if (c->held == 0 && c->requests != 0)
            c->since = h2o_now(t->loop); /* a request's first byte on a kept-alive connection */
        c->held = sock->input->size;
        if (c->held > CONN_FREE_BYTES && c->reserved == 0 && !c->cut) {
            if (!plausible_auth(c)) {
                conn_cut(c, "a body whose Authorization header cannot be valid");
            } else if (!admit(c, body_need(c))) {
                h2o_socket_read_stop(sock);
                c->paused = 1;
                h2o_linklist_insert(&t->paused, &c->queue);
                return;
            }
        }
    }
    c->read_cb(sock, err);
}

static http_conn *conn_of_req(h2o_req_t *req);

size_t ddb_conn_body_room(http_thread *t, h2o_req_t *req)
{
    http_conn *c = t->last_req == req ? t->last_conn : conn_of_req(req);
    size_t others = t->bodies - (c != NULL ? c->reserved : 0);

    if (others == 0)
        return SIZE_MAX;
    return others < t->http->body_budget ? t->http->body_budget - others : 0;
}

void ddb_conn_inflated(http_thread *t, h2o_req_t *req, size_t len)
{
    http_conn *c = t->last_req == req ? t->last_conn : conn_of_req(req);

    if (c == NULL || c->cut)
        return;
    c->reserved += len;
    t->bodies += len;
}

/* Admits the waiting bodies that fit now, oldest first, and lets h2o read them on. */
static void resume_bodies(http_thread *t)
{
    t->resume = 0;
    while (!h2o_linklist_is_empty(&t->paused)) {
        http_conn *c = H2O_STRUCT_FROM_MEMBER(http_conn, queue, t->paused.next);
        if (!admit(c, body_need(c)))
            return;
        unqueue(c);
        h2o_socket_read_start(c->sock, conn_on_read);
        c->read_cb(c->sock, NULL); /* what was read before it waited */
    }
}

int ddb_conn_evict_idle(http_thread *t)
{
    for (h2o_linklist_t *l = t->conns.next; l != &t->conns; l = l->next) {
        http_conn *c = H2O_STRUCT_FROM_MEMBER(http_conn, lru, l);
        if (!c->busy && !c->cut) {
            conn_cut(c, "the least recently active idle connection, at --max-connections");
            return 1;
        }
    }
    return 0;
}

/* c's answer is sent (h2o reads its next request) or dropped. */
static void request_done(http_conn *c)
{
    http_thread *t = c->t;

    c->busy = 0;
    c->since = h2o_now(t->loop);
    t->unsent -= c->unsent;
    c->unsent = 0;
    release_body(c);
    unqueue(c);
    h2o_linklist_unlink(&c->lru);
    h2o_linklist_insert(&t->conns, &c->lru);
    wrap(c); /* h2o has set its read callback again, for the next request */
}

/* Whether the client has closed or reset its connection: asked only of pipelined requests (no SDK
   pipelines), whose answers h2o would otherwise compute in full for a socket that takes none. */
static int peer_gone(const http_conn *c)
{
    struct pollfd p = {.fd = h2o_socket_get_fd(c->sock), .events = 0};

    return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLERR)) != 0;
}

static http_conn *conn_of_req(h2o_req_t *req)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket != NULL ? req->conn->callbacks->get_socket(req->conn) : NULL;

    return sock != NULL && sock->on_close.cb == on_conn_closed ? sock->on_close.data : NULL;
}

/* ---- the loop's time: light requests first, one heavy request a turn, heavy ones a quarter of it ---- */

static int wait_in(http_conn *c, h2o_req_t *req, h2o_linklist_t *before)
{
    c->waiting = req;
    h2o_linklist_insert(before, &c->turn);
    return CONN_DEFERRED;
}

/* A light request past its turn's budget: it goes first at the next turn, the cheapest connection's
   first (one that looked light and then held the loop goes behind the truly light ones). */
static int wait_ready(http_thread *t, http_conn *c, h2o_req_t *req)
{
    h2o_linklist_t *at = &t->ready;

    while (at->prev != &t->ready && H2O_STRUCT_FROM_MEMBER(http_conn, turn, at->prev)->cost_us > c->cost_us)
        at = at->prev;
    return wait_in(c, req, at);
}

/* Whether c's request goes before `waiting`'s in the heavy ones' queue: a smaller place; or, when c
   comes back and `waiting` is new, a place less than half a heavy request past it. A burst of new
   connections all have one place (the virtual time stays there while they take their first turns),
   and a light connection slow once comes back at that time: behind them, it waited for every one's
   first request (35 s beside 64 under ASan on a loaded machine, 6 s in a release build), where the
   rule is about one. Slow twice (its request from this queue slow too: a GetItem preempted on a
   loaded machine), it came back a few milliseconds past their place, and waited for them all the
   same (9.6 s beside 64 in a release build; a sanitized CI run's GetItem unanswered in 20 s). */
static int goes_before(const http_thread *t, const http_conn *c, const http_conn *waiting)
{
    if (waiting->tag_us > c->tag_us)
        return 1;
    return waiting->requests == 1 && c->requests > 1 && c->tag_us - waiting->tag_us <= t->heavy_avg_us / 2;
}

/* A heavy (or new) connection's request, in start-time fair queueing among them: its place is the
   loop time its connection's requests taken from this queue have had, counted from the queue's
   virtual time (the place of the last one taken) when it comes back after a pause. So the heavy
   connections take turns in proportion to their requests' time, however many there are, and a
   light connection whose request was slow once (the machine's scheduler took the CPU) goes before
   those that had their turn, and before new ones: it waits about one heavy request, not all of them. */
static int wait_heavy(http_thread *t, http_conn *c, h2o_req_t *req)
{
    h2o_linklist_t *at = &t->deferred;
    /* a new connection's place is as if it had had a heavy request: after the ones coming back,
       which many new ones at once (each at the virtual time) would otherwise keep waiting */
    uint64_t least = t->vtime_us + (c->requests == 1 ? CONN_HEAVY_US : 0);

    if (c->tag_us < least)
        c->tag_us = least;
    while (at->prev != &t->deferred && goes_before(t, c, H2O_STRUCT_FROM_MEMBER(http_conn, turn, at->prev)))
        at = at->prev;
    return wait_in(c, req, at);
}

/* Whether light clients use the loop: one's request waits, or one was answered since the last heavy
   request ended. No window of time: a client's pauses (its own, its machine's) do not end it. */
static int light_active(http_thread *t)
{
    return !h2o_linklist_is_empty(&t->ready) || t->light_at_us > t->heavy_at_us;
}

/* The light clients' time still owed for the heavy requests' (CONN_LIGHT_SHARE times theirs), brought
   up to date: it is paid by the clock, the loop serving light requests or waiting for them. */
static uint64_t debt_us(http_thread *t, uint64_t now_us)
{
    uint64_t paid = now_us - t->debt_at_us;

    t->debt_at_us = now_us;
    t->debt_us = t->debt_us > paid ? t->debt_us - paid : 0;
    return t->debt_us;
}

/* Whether a heavy request may start now: none yet this turn, and the light clients are owed nothing
   (or are not using the loop). */
static int heavy_may_run(http_thread *t)
{
    uint64_t now_us;

    if (t->heavy_ran)
        return 0;
    if (t->debt_us == 0)
        return 1;
    now_us = ddb_clock_mono_ns() / 1000;
    return debt_us(t, now_us) == 0 || !light_active(t);
}

/* Whether the request's operation is bounded by one item: a new connection's first request is not
   known to be light otherwise (reconnecting for each request does not escape the heavy ones' turn). */
static int one_item(h2o_req_t *req)
{
    h2o_iovec_t target = ddb_http_header_value(req, H2O_STRLIT("x-amz-target"));

    return target.base != NULL && (ddb_op_flags(ddb_op_from_target(target.base, target.len)) & DDB_OPF_ONE_ITEM) != 0;
}

int ddb_conn_request(http_thread *t, h2o_req_t *req)
{
    http_conn *c = conn_of_req(req);

    t->last_req = req; /* its answer, given at once, finds c without asking h2o */
    t->last_conn = c;
    if (c == NULL)
        return 0;
    if (c->cut) /* pipelined behind a request whose connection was cut: served no more */
        return 1;
    if (c->busy) { /* the next of pipelined requests, read before this loop's tick saw the answer go */
        request_done(c); /* before a cut: c's answer is sent, and h2o is in c's next request */
        if (peer_gone(c)) {
            conn_cut(c, "pipelined requests of a client that has gone");
            return 1;
        }
    }
    c->busy = 1;
    c->requests++;
    h2o_linklist_insert(&c->t->busy, &c->queue);
    h2o_linklist_unlink(&c->lru);
    h2o_linklist_insert(&c->t->conns, &c->lru);
    if (c->heavy || (c->requests == 1 && !one_item(req)))
        return wait_heavy(t, c, req);
    /* served at once only within the turn's budget, by a connection cheap lately: one whose last
       request was cheap but the ones before were not goes after the truly light ones */
    if (t->turn_us >= CONN_TURN_US || !h2o_linklist_is_empty(&t->ready) || c->cost_us >= CONN_HEAVY_US)
        return wait_ready(t, c, req);
    return 0;
}

void ddb_conn_cost(http_thread *t, h2o_req_t *req, unsigned long long us, unsigned long long now_us)
{
    http_conn *c = t->last_req == req ? t->last_conn : conn_of_req(req);

    t->turn_us += us;
    if (c == NULL)
        return;
    c->cost_us = us >= c->cost_us ? (unsigned)(us < UINT_MAX ? us : UINT_MAX) : c->cost_us - (c->cost_us - (unsigned)us) / 4;
    if (req == t->heavy_req) /* its place in the heavy ones' queue moves by the time it took */
        c->tag_us += us;
    c->heavy = us >= CONN_HEAVY_US;
    if (c->heavy) {
        t->heavy_avg_us = t->heavy_avg_us == 0 ? us : t->heavy_avg_us - t->heavy_avg_us / 8 + us / 8;
        /* a light connection's single-item request slow once (served at once, not from the heavy
           ones' queue) comes back at the virtual time, whatever its slow ones before it: while a
           burst of new connections takes its first turns, that time stays, and those ones summed
           put it behind them all */
        if (req != t->heavy_req && one_item(req))
            c->tag_us = 0;
        /* owed to the light clients if they used the loop since the heavy request before */
        if (light_active(t))
            t->debt_us = debt_us(t, now_us) + CONN_LIGHT_SHARE * us;
        t->heavy_at_us = now_us;
    } else {
        t->light_at_us = now_us;
    }
}

void ddb_conn_turn(http_thread *t)
{
    t->turn_us = 0;
    t->heavy_ran = 0;
    t->heavy_req = NULL; /* its cost came in its turn, if it had one (not every request is the API's) */
}

static h2o_req_t *take(http_thread *t, h2o_linklist_t *q)
{
    http_conn *c = H2O_STRUCT_FROM_MEMBER(http_conn, turn, q->next);
    h2o_req_t *req = c->waiting;

    h2o_linklist_unlink(&c->turn);
    c->waiting = NULL;
    t->last_req = req;
    t->last_conn = c;
    return req;
}

h2o_req_t *ddb_conn_next_due(http_thread *t)
{
    if (!h2o_linklist_is_empty(&t->ready) && t->turn_us < CONN_TURN_US)
        return take(t, &t->ready);
    if (h2o_linklist_is_empty(&t->deferred) || !heavy_may_run(t))
        return NULL;
    t->heavy_ran = 1;
    t->vtime_us = H2O_STRUCT_FROM_MEMBER(http_conn, turn, t->deferred.next)->tag_us;
    return t->heavy_req = take(t, &t->deferred);
}

int ddb_conn_wait_ms(http_thread *t)
{
    uint64_t now_us;

    if (!h2o_linklist_is_empty(&t->ready))
        return 0;
    if (h2o_linklist_is_empty(&t->deferred))
        return 50;
    now_us = ddb_clock_mono_ns() / 1000;
    if (debt_us(t, now_us) == 0 || !light_active(t))
        return 0; /* a heavy request may run */
    /* the light clients' time: the loop sleeps until one's request comes or the debt is paid (it
       does not poll: on a busy machine a polling loop takes the CPU its clients need) */
    return (int)((t->debt_us + 999) / 1000);
}

void ddb_conn_answered(http_thread *cur, h2o_req_t *req, size_t len)
{
    http_conn *c = cur->last_req == req ? cur->last_conn : conn_of_req(req);
    http_thread *t;

    if (c == NULL || !c->busy || c->cut)
        return;
    t = c->t;
    c->answered_at = h2o_now(t->loop);
    t->unsent += len - c->unsent;
    c->unsent = len;
    /* past the thread's share of --max-unsent-bytes, the oldest answers' connections go */
    for (h2o_linklist_t *l = t->conns.next, *next; l != &t->conns && t->unsent > t->http->unsent_budget; l = next) {
        http_conn *o = H2O_STRUCT_FROM_MEMBER(http_conn, lru, l);
        next = l->next; /* o may be freed */
        if (o != c && o->unsent != 0)
            conn_cut(o, "its answer not taken, past --max-unsent-bytes");
    }
}

/* Closes c if it is past a timeout: an answer not taken within --request-timeout (c is freed: returns
   1), or a request head not whole within --header-timeout. */
static int check_timeouts(http_conn *c, uint64_t now)
{
    ddb_http *h = c->t->http;
    const h2o_buffer_t *in = c->sock->input;

    if (c->busy) {
        if (c->unsent != 0 && now - c->answered_at >= (uint64_t)h->cfg->request_timeout * 1000) {
            conn_cut(c, "its answer not taken within --request-timeout");
            return 1;
        }
        return 0;
    }
    if (now - c->since < h->header_timeout_ms || c->paused || c->reserved != 0)
        return 0;
    /* a kept-alive connection may idle (until --request-timeout); a new one must send a request */
    if (c->requests != 0 && in->size == 0)
        return 0;
    if (!has_whole_head(in))
        conn_cut(c, "no whole request head within --header-timeout");
    return 0;
}

void ddb_conn_tick(http_thread *t)
{
    uint64_t now = h2o_now(t->loop);

    /* h2o stops reading a connection while it answers, and reads again once the answer is sent
       (a connection it closes instead leaves through on_conn_closed) */
    for (h2o_linklist_t *l = t->busy.next, *next; l != &t->busy; l = next) {
        http_conn *c = H2O_STRUCT_FROM_MEMBER(http_conn, queue, l);
        next = l->next;
        if (c->sock->_cb.read != NULL)
            request_done(c);
    }
    if (t->resume)
        resume_bodies(t);
    if (now - t->swept_ms < SWEEP_MS)
        return;
    t->swept_ms = now;
    for (h2o_linklist_t *l = t->conns.next, *next; l != &t->conns; l = next) {
        http_conn *c = H2O_STRUCT_FROM_MEMBER(http_conn, lru, l);
        next = l->next;
        if (c->cut)
            continue;
        if (check_timeouts(c, now))
            continue;
        if (!c->paused)
            wrap(c); /* h2o set a callback of its own (TLS, 100-continue) */
    }
}
