/*
 * client/cli/replay.c: `ddb replay` (see replay.h; docs/record-replay.md).
 *
 * The recording is streamed: lines are read into a window of READ_AHEAD requests ordered by their
 * arrival (`start`: ddbd writes each HTTP thread's lines in batches, so the file is in arrival order
 * only roughly), taken from it in that order, given a sequence number and what they wait for
 * (replay_order.c: their connection's previous request and the earlier conflicting ones answered
 * before they arrived), and kept in a ring of IN_REPLAY requests until answered again. So memory is
 * bounded by READ_AHEAD + IN_REPLAY lines, whatever the recording's length; a line further out of
 * order than the window is replayed where it is taken (and counted in the report).
 *
 * One thread sends (libddb's pipelined transport, ddb/ddb_pipe.h): every request whose waits are over and whose time has come goes
 * at once on a free connection, and each answer releases the requests that wait for it. The wait for
 * a request's connection's previous one ends when that one is sent, not answered: the request goes
 * behind it on its connection (HTTP/1.1 pipelining), whose order the server keeps, and so do the
 * waits for the other requests of its connection. Pace: a
 * request is not sent before its recorded time ("t", the server's clock at its answer, less the
 * first request's), divided by --speed; --as-fast-as-possible drops that wait.
 *
 * --check compares each answer with the recorded one (replay_check.c); the first divergence of each
 * operation is printed with both answers, the rest are counted.
 */
#include "client/cli/replay.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/cli/replay_check.h"
#include "proto/buf.h"
#include "client/cli/replay_faults.h"
#include "client/cli/replay_order.h"

#include "client/cli/replay_internal.h"


double ddb_replay_due_ms(long long t, long long t0, double speed)
{
    if (speed <= 0 || t <= t0)
        return 0;
    return (double)(t - t0) / speed;
}

/* ---- the order kept ---- */

static int is_done(void *arg, uint64_t seq)
{
    replay *rp = arg;

    if (rp->dry_run)
        return 0; /* (a dry run answers nothing: every wait is shown) */
    return seq < rp->done_prefix || rp->ring[seq & (IN_REPLAY - 1)]->done;
}

static double now_ms(const replay *rp)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - rp->started.tv_sec) * 1e3 + (double)(now.tv_nsec - rp->started.tv_nsec) / 1e6;
}

static void print_schedule(replay *rp, const rec *r)
{
    const rp_waits *w = &rp->waits;
    ddb_jspan conn = ddb_jscan_string(r->conn), op = ddb_jscan_string(r->op);

    fprintf(rp->out, "{\"line\":%d,\"conn\":\"%.*s\",\"op\":", r->line, (int)conn.n, conn.p != NULL ? conn.p : "");
    if (op.p != NULL)
        fprintf(rp->out, "\"%.*s\"", (int)op.n, op.p);
    else
        fputs("null", rp->out);
    fprintf(rp->out, ",\"at\":%.3f,\"after\":[", ddb_replay_due_ms(r->t, rp->t0, rp->o->speed));
    for (size_t i = 0, printed = 0; !r->skip && i < w->n; i++) {
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++) /* (repeats printed once; a dry run is small) */
            seen = w->line[k] == w->line[i];
        if (!seen)
            fprintf(rp->out, "%s%d", printed++ ? "," : "", w->line[i]);
    }
    fprintf(rp->out, "]%s", r->skip ? ",\"skip\":true" : "");
    if (!r->skip && w->prefix > 0)
        fprintf(rp->out, ",\"behind\":%llu", (unsigned long long)w->prefix);
    fputs("}\n", rp->out);
}

/* Signs r's request (ddb_pipe_sign_as): ahead of its sending, when it is due soon; for the region its
   line records (a global table's recording from ddbd's --namespaces: each region a namespace of its
   own), unless --region named one for every request; with the key its line records where --keys
   has it (replay_keys.h), else the client's. */
static void sign(replay *rp, rec *r)
{
    ddb_jspan op = ddb_jscan_string(r->op);
    ddb_jspan region = rp->o->one_region ? (ddb_jspan){NULL, 0} : ddb_jscan_string(r->region);

    if (r->token_from != 0 && r->token_body == NULL) { /* the replay's value in the recorded one's place */
        size_t n;
        if ((r->token_body = rp_tokens_rewrite(rp->tokens, (ddb_jspan){r->body, r->blen}, &n)) != NULL) {
            r->body = r->token_body;
            r->blen = n;
        }
    }
    if (r->clock) /* the admin door's, signed with the client's key (docs/admin.md) */
        r->signed_at = ddb_pipe_door(rp->sender, "/ddbd/clock", r->body, r->blen, &r->wire);
    else
        r->signed_at = ddb_pipe_sign_as(rp->sender, region.p, region.n, rp_keys_find(rp->keys, rp->nkeys, r->key), op.p,
                                        op.n, r->body, r->blen, &r->wire);
}

/* Whether two requests came on one recorded connection (their ids, as recorded). */
static int same_conn(const rec *a, const rec *b)
{
    return a->conn.p != NULL && b->conn.p != NULL && a->conn.n == b->conn.n &&
           memcmp(a->conn.p, b->conn.p, a->conn.n) == 0;
}

/* r follows request seq on its connection: r may go once seq is sent, behind it. */
static void wait_on_conn(replay *rp, rec *r, uint64_t seq)
{
    rec *p;

    if (is_done(rp, seq))
        return;
    p = rp->ring[seq & (IN_REPLAY - 1)];
    p->conn_next = r->seq + 1;
    r->behind = seq + 1;
    rp->by_conn++;
    if (!p->sent) {
        r->conn_wait = 1;
        r->waiting++;
    }
}

static void wait_answer(replay *rp, rec *r, uint64_t seq, unsigned char why);

/* r waits for request seq's answer (unless answered, or already waited for). A request of r's own
   connection is not waited for: r goes after its connection's previous request, which went after
   it (sent behind it, or once it was answered), and the server keeps a connection's order. */
static void wait_on(replay *rp, rec *r, uint64_t seq, unsigned char why)
{
    if (is_done(rp, seq))
        return;
    if (r->behind != 0 && same_conn(rp->ring[seq & (IN_REPLAY - 1)], r))
        return;
    wait_answer(rp, r, seq, why);
}

/* r waits for request seq's answer, whatever its connection (a shard iterator or an id in it: tokens()). */
static void wait_answer(replay *rp, rec *r, uint64_t seq, unsigned char why)
{
    rec *p;

    if (is_done(rp, seq))
        return;
    p = rp->ring[seq & (IN_REPLAY - 1)];
    if (p->nwaiters > 0 && p->waiters[p->nwaiters - 1] == r->seq)
        return;
    if (p->nwaiters == p->capwaiters &&
        (p->waiters = realloc(p->waiters, (p->capwaiters = p->capwaiters * 2 + 4) * sizeof(uint64_t))) == NULL)
        abort();
    p->waiters[p->nwaiters++] = r->seq;
    r->waiting++;
    if (why == RP_BY_CONN)
        rp->by_conn++;
    else
        rp->by_conflict++;
}

/* r waits for nothing: behind its connection's previous request when that is in flight, else on a
   free connection. */
static void ready(replay *rp, rec *r)
{
    heap_push(r->behind != 0 && !is_done(rp, r->behind - 1) ? &rp->piped : &rp->ready, r, r->due, r->seq);
}

/* An SDK recorder's line: the first of its connections kept, to see whether there are others. */
static void note_unobserved(replay *rp, const rec *r)
{
    ddb_jspan c = ddb_jscan_string(r->conn);

    if (rp->unobserved_conns == 0) {
        if ((rp->unobserved_conn = strndup(c.p != NULL ? c.p : "", c.n)) == NULL)
            abort();
        rp->unobserved_conns = 1;
    } else if (strlen(rp->unobserved_conn) != c.n || (c.n > 0 && memcmp(rp->unobserved_conn, c.p, c.n) != 0)) {
        rp->unobserved_conns = 2;
    }
}

/* Tokens and ids (replay_tokens.h): a shard iterator or an id r names that the recording's server
   handed out makes it wait for the answer that is to hand out the replay's stand-in, even on its
   own connection (it is signed once that is known, not sent behind it); what r's recorded answer
   hands out is noted as r's. Whether its stand-in is known already. */
static int tokens(replay *rp, rec *r)
{
    ddb_jspan body = {r->body, r->blen}, op = ddb_jscan_string(r->op);
    uint64_t from;
    int known = 1;

    if (r->clock)
        return 1;
    if (rp_tokens_named(rp->tokens, body, &from, &known)) {
        r->token_from = from + 1;
        if (!known)
            wait_answer(rp, r, from, RP_BY_CONFLICT);
    }
    if (r->response.p != NULL && rp_tokens_hands_out(op))
        rp_tokens_handed(rp->tokens, op, r->response, r->seq);
    return known;
}

/* Whether request seq is a poll still in replay: what follows it on its connection waits for its
   answer, not sent behind it, as it may be sent again (replay_polls.h). */
static int after_poll(replay *rp, uint64_t seq)
{
    return !is_done(rp, seq) && rp->ring[seq & (IN_REPLAY - 1)]->poll;
}

/* Takes the next request by arrival: its number, its waits; ready when it has none. */
static void take_next(replay *rp)
{
    rec *r = heap_pop(&rp->ahead);
    rp_req q;

    rp->ahead_bytes -= r->len;
    if (r->start < rp->last_start)
        rp->late++;
    else
        rp->last_start = r->start;
    if (!rp->have_t0 || r->t < rp->t0) { /* (the first taken is near the first; a later, earlier t moves it) */
        rp->t0 = r->t;
        rp->have_t0 = 1;
    }
    if (r->unobserved && rp->unobserved_conns < 2)
        note_unobserved(rp, r);
    rp->clock_steps += r->clock;
    if (r->skip) {
        rp->skipped++;
        if (rp->dry_run)
            print_schedule(rp, r);
        rec_give(rp, r);
        return;
    }
    r->seq = rp->next_seq++;
    rp->ring[r->seq & (IN_REPLAY - 1)] = r;
    rp->ring_bytes += 2 * r->len; /* (its line and its signed request) */
    q = (rp_req){r->seq, r->line, r->start, r->end, r->conn, r->op, r->request, r->status, r->draws};
    rp_order_add(rp->order, &q, &rp->waits);
    if (rp->dry_run) {
        print_schedule(rp, r);
        r->done = 1;
        return;
    }
    for (size_t i = 0; i < rp->waits.n; i++) /* the connection's first: it makes its others needless */
        if (rp->waits.why[i] == RP_BY_CONN && !rp->o->no_pipelining && !after_poll(rp, rp->waits.seq[i]))
            wait_on_conn(rp, r, rp->waits.seq[i]);
        else if (rp->waits.why[i] == RP_BY_CONN) /* --no-pipelining: for its answer, then a free connection */
            wait_on(rp, r, rp->waits.seq[i], RP_BY_CONN);
    for (size_t i = 0; i < rp->waits.n; i++)
        if (rp->waits.why[i] != RP_BY_CONN)
            wait_on(rp, r, rp->waits.seq[i], rp->waits.why[i]);
    r->due = ddb_replay_due_ms(r->t, rp->t0, rp->o->speed);
    if (tokens(rp, r) && r->due < now_ms(rp) + SIGN_AHEAD_MS) /* signed now, while earlier requests are in flight */
        sign(rp, r);
    if (rp->waits.prefix > rp->done_prefix) {
        r->prefix = rp->waits.prefix;
        r->waiting++;
        rp->behind++;
        heap_push(&rp->prefixed, r, (double)r->prefix, r->seq);
    }
    if (r->waiting == 0)
        ready(rp, r);
}

static void release(replay *rp, rec *r)
{
    if (--r->waiting == 0)
        ready(rp, r);
}

/* Its connection's next request may go once r is sent (behind r) or answered, when it waits for
   nothing else. */
static void conn_release(replay *rp, rec *r)
{
    rec *q = r->conn_next != 0 ? rp->ring[(r->conn_next - 1) & (IN_REPLAY - 1)] : NULL;

    if (q != NULL && q->conn_wait) {
        q->conn_wait = 0;
        release(rp, q);
    }
}

/* A request of the ring answered (or shown), its line given back. */
static void ring_give(replay *rp, rec *r)
{
    rp->ring_bytes -= 2 * r->len;
    r->len = 0;
    rec_give(rp, r);
}

/* r was answered again: what waited for it goes on; the ring's answered head is freed. */
static void done(replay *rp, rec *r)
{
    r->done = 1;
    conn_release(rp, r);
    for (size_t i = 0; i < r->nwaiters; i++)
        release(rp, rp->ring[r->waiters[i] & (IN_REPLAY - 1)]);
    while (rp->done_prefix < rp->next_seq && rp->ring[rp->done_prefix & (IN_REPLAY - 1)]->done)
        ring_give(rp, rp->ring[rp->done_prefix++ & (IN_REPLAY - 1)]);
    while (rp->prefixed.n > 0 && rp->prefixed.a[0].r->prefix <= rp->done_prefix)
        release(rp, heap_pop(&rp->prefixed));
}

/* ---- answers ---- */

/* The most of a replayed answer a divergence shows (an answer of megabytes is cut short). */
#define SHOWN 4096

static void note_divergence(replay *rp, const rec *r, const char *why, const char *recorded, int status,
                            const char *body)
{
    ddb_jspan op = ddb_jscan_string(r->op), conn = ddb_jscan_string(r->conn);
    struct first_divergence *f = NULL;
    char *text = NULL;

    rp->divergences++;
    for (size_t i = 0; i < rp->nfirsts && f == NULL; i++)
        if (strlen(rp->firsts[i].op) == op.n && memcmp(rp->firsts[i].op, op.p, op.n) == 0)
            f = &rp->firsts[i];
    if (f != NULL) {
        f->count++;
        if (r->line > f->line)
            return;
        free(f->text); /* an earlier line's, answered later (another connection) */
    } else {
        if ((rp->firsts = realloc(rp->firsts, (rp->nfirsts + 1) * sizeof(*rp->firsts))) == NULL)
            abort();
        f = &rp->firsts[rp->nfirsts++];
        f->count = 1;
        if ((f->op = strndup(op.p, op.n)) == NULL)
            abort();
    }
    f->line = r->line;
    if (asprintf(&text, "divergence: %s (line %d, connection %.*s): %s\n  recorded: %d %s\n  replayed: %s%d %.*s%s\n",
                 f->op, r->line, (int)conn.n, conn.p, why, r->status, recorded, status == 0 ? "(no answer) " : "",
                 status, SHOWN, body[0] != '\0' ? body : "(no body)", strlen(body) > SHOWN ? "..." : "") < 0)
        abort();
    f->text = text;
}

static void check(replay *rp, rec *r, int status, const char *body, size_t len)
{
    char *answer = strndup(body, len), *recorded = NULL, *why = NULL, *rec_text = NULL;

    if (answer == NULL || (r->response.p != NULL && (recorded = strndup(r->response.p, r->response.n)) == NULL))
        abort();
    if (status == 0)
        note_divergence(rp, r, "no answer", "", 0, answer);
    else if (rp_check(r->status, recorded, status, answer, &why, &rec_text))
        note_divergence(rp, r, why, rec_text, status, answer);
    free(answer);
    free(recorded);
    free(why);
    free(rec_text);
}

/* A clock step is compared by its status: its answer is the clock's state, which a replay at
   another moment (a running clock) does not repeat. */
static void clock_diverges(replay *rp, const rec *r, int status, const char *body, size_t len)
{
    char *answer = strndup(body, len), why[64];

    if (answer == NULL)
        abort();
    snprintf(why, sizeof(why), "status %d, recorded %d", status, r->status);
    note_divergence(rp, r, why, "", status, answer);
    free(answer);
}

/* A poll whose replayed job is behind the recorded one goes again after POLL_PAUSE_MS, for up to
   POLL_FOR_MS (then its answer is compared as it is): whether it does. One recorded while its job
   was in progress is not compared (replay_polls.h). */
#define POLL_PAUSE_MS 10
#define POLL_FOR_MS 60000

static int poll_again(replay *rp, rec *r, int status, const char *body, size_t len)
{
    int at;

    if (!r->poll || status != 200)
        return 0;
    at = rp_poll_compare(ddb_jscan_string(r->op), r->response, body, len);
    if (at == RP_POLL_MOVING)
        r->in_progress = 1;
    if (at != RP_POLL_BEHIND)
        return 0;
    if (r->polls == 0)
        r->poll_until = now_ms(rp) + POLL_FOR_MS;
    else if (now_ms(rp) >= r->poll_until)
        return 0;
    r->polls++;
    rp->polled_again++;
    r->sent = 0;
    r->due = now_ms(rp) + POLL_PAUSE_MS;
    heap_push(&rp->ready, r, r->due, r->seq);
    return 1;
}

static void answered(void *arg, void *req, int status, const char *body, size_t len)
{
    replay *rp = arg;
    rec *r = req;

    if (poll_again(rp, r, status, body, len))
        return;
    if (status == 0)
        rp->lost++;
    if (r->clock && status != 200 && rp->clock_refused++ == 0)
        fprintf(rp->err, "ddb: replay: a clock step (line %d) was refused (status %d): replaying one needs the "
                         "target's admin door (ddbd --admin) and, under --auth, a key with rights=admin "
                         "($AWS_ACCESS_KEY_ID)\n", r->line, status);
    if (status == 200 && r->response.p != NULL && rp_tokens_hands_out(ddb_jscan_string(r->op)))
        rp_tokens_answered(rp->tokens, ddb_jscan_string(r->op), r->response, body, len);
    if (r->unchecked)
        rp->unchecked++;
    else if (r->in_progress)
        rp->polls_in_progress++;
    else if (r->clock && rp->o->check && status != r->status)
        clock_diverges(rp, r, status, body, len);
    else if (rp->o->check && !r->clock)
        check(rp, r, status, body, len);
    done(rp, r);
}

/* ---- the run ---- */

/* r went on connection ix. */
static void sent(replay *rp, rec *r, unsigned ix)
{
    r->sent = 1;
    r->conn_ix = ix;
    rp->sent += r->polls == 0; /* (a poll sent again is counted apart) */
    if (ddb_pipe_in_flight(rp->sender) > rp->max_in_flight)
        rp->max_in_flight = ddb_pipe_in_flight(rp->sender);
    conn_release(rp, r);
}

/* A poll's timeout for a wait of `wait` ms (> 0): at least 1, at most an int's (a --speed of 1e-300
   makes a due time no int holds). */
static int timeout_ms(double wait)
{
    return wait < 1 ? 1 : wait >= INT_MAX ? INT_MAX : (int)wait;
}

/* The ms until r is due (0 or less: now). */
static double due_in(replay *rp, const rec *r)
{
    return r->due > 0 ? r->due - now_ms(rp) : 0;
}

/* Signs r when it was not yet, or long enough ago that its signature is getting old. */
static void sign_fresh(replay *rp, rec *r)
{
    if (r->signed_at == 0 || time(NULL) - r->signed_at > SIGN_AHEAD_MS / 1000 || (r->token_from != 0 && r->token_body == NULL))
        sign(rp, r);
}

/* Sends the requests ready to go behind their connection's previous one whose time has come: how
   many; *timeout the ms until the next is due (unchanged when none waits). */
static size_t send_piped(replay *rp, int *timeout)
{
    size_t n = 0;

    while (rp->piped.n > 0) {
        rec *r = rp->piped.a[0].r, *p;
        double wait = due_in(rp, r);

        if (wait > 0) {
            *timeout = timeout_ms(wait);
            break;
        }
        heap_pop(&rp->piped);
        if (is_done(rp, r->behind - 1)) { /* answered meanwhile: a free connection */
            heap_push(&rp->ready, r, r->due, r->seq);
            continue;
        }
        p = rp->ring[(r->behind - 1) & (IN_REPLAY - 1)];
        sign_fresh(rp, r);
        if (ddb_pipe_send_behind(rp->sender, p->conn_ix, r, r->wire.data, r->wire.len) == DDB_OK) {
            rp->pipelined++;
            sent(rp, r, p->conn_ix);
            n++;
        } else { /* its connection is full: once p is answered */
            r->conn_wait = 1;
            r->waiting++;
        }
    }
    return n;
}

/* Sends every ready request whose time has come, behind its connection's previous request or while
   a connection is free (a request sent lets its connection's next go behind it: again until none
   goes), then writes them. The ms to wait (-1: none due). */
static int send_ready(replay *rp)
{
    int timeout = -1, more = 1;

    while (more) {
        more = send_piped(rp, &timeout) > 0;
        while (rp->ready.n > 0 && ddb_pipe_can_send(rp->sender)) {
            rec *r = rp->ready.a[0].r;
            double wait = due_in(rp, r);

            if (wait > 0) {
                int ms = timeout_ms(wait);
                timeout = timeout < 0 || ms < timeout ? ms : timeout;
                break;
            }
            heap_pop(&rp->ready);
            sign_fresh(rp, r);
            sent(rp, r, ddb_pipe_send(rp->sender, r, r->wire.data, r->wire.len));
            more = 1;
        }
    }
    ddb_pipe_flush(rp->sender);
    return timeout;
}

/* Whether the ring takes another request: IN_REPLAY of them and RING_BYTES at most, one always. */
static int ring_room(const replay *rp)
{
    return rp->next_seq == rp->done_prefix ||
           (rp->next_seq - rp->done_prefix < IN_REPLAY && rp->ring_bytes < RING_BYTES);
}

/* Takes requests while the ring has room (at most budget): 0, or 2 (a line that is no request). */
static int take_ready(replay *rp, size_t budget)
{
    int rc = read_ahead(rp);

    while (rc == 0 && budget-- > 0 && rp->ahead.n > 0 &&
           (rp->eof || rp->ahead.n >= READ_AHEAD || rp->ahead_bytes >= AHEAD_BYTES) && ring_room(rp)) {
        take_next(rp);
        if (rp->dry_run)
            while (rp->done_prefix < rp->next_seq) /* (nothing is sent: each is freed as shown) */
                ring_give(rp, rp->ring[rp->done_prefix++ & (IN_REPLAY - 1)]);
        rc = read_ahead(rp);
    }
    return rc;
}

/* The loop: what is ready goes first, then more is taken (and signed) while those are in flight,
   then the answers are awaited. */
static int run(replay *rp)
{
    clock_gettime(CLOCK_MONOTONIC, &rp->started);
    for (;;) {
        int in_flight = !rp->dry_run && ddb_pipe_in_flight(rp->sender) > 0, timeout, rc;

        if (!rp->dry_run)
            send_ready(rp);
        if ((rc = take_ready(rp, in_flight ? TAKE_BUDGET : SIZE_MAX)) != 0)
            return rc;
        if (rp->eof && rp->ahead.n == 0 && rp->done_prefix == rp->next_seq)
            return 0;
        if (rp->dry_run)
            continue;
        timeout = send_ready(rp);
        if (ddb_pipe_in_flight(rp->sender) == 0 && timeout < 0) {
            if (ring_room(rp) && rp->ahead.n > 0)
                continue; /* more to take */
            fprintf(rp->err, "ddb: replay: stuck with %llu requests waiting (a bug)\n",
                    (unsigned long long)(rp->next_seq - rp->done_prefix));
            return 1;
        }
        ddb_pipe_poll(rp->sender, timeout, answered, rp);
    }
}

static void report(replay *rp, size_t conns)
{
    for (size_t i = 0; i < rp->nfirsts; i++) { /* in the recording's order (one per operation: few) */
        size_t best = i;
        for (size_t k = i + 1; k < rp->nfirsts; k++)
            if (rp->firsts[k].line < rp->firsts[best].line)
                best = k;
        struct first_divergence tmp = rp->firsts[i];
        rp->firsts[i] = rp->firsts[best];
        rp->firsts[best] = tmp;
        fputs(rp->firsts[i].text, rp->out);
        if (rp->firsts[i].count > 1)
            fprintf(rp->out, "  (%zu more %s divergence%s)\n", rp->firsts[i].count - 1, rp->firsts[i].op,
                    rp->firsts[i].count == 2 ? "" : "s");
    }
    fprintf(rp->out, "replayed %zu request%s over %zu connection%s", rp->sent, rp->sent == 1 ? "" : "s", conns,
            conns == 1 ? "" : "s");
    if (rp->skipped > 0)
        fprintf(rp->out, " (%zu skipped: no operation, or a body kept only in part%s)", rp->skipped,
                rp->not_run > 0 ? ", or an injected error's, which never ran" : "");
    if (rp->unreadable > 0)
        fprintf(rp->out, ", %zu line%s unreadable (longer than 40 MiB)", rp->unreadable,
                rp->unreadable == 1 ? "" : "s");
    if (rp->lost > 0)
        fprintf(rp->out, ", %zu without an answer", rp->lost);
    if (rp->o->check) {
        fprintf(rp->out, ": %zu divergence%s", rp->divergences, rp->divergences == 1 ? "" : "s");
        if (rp->nfirsts > 0)
            fprintf(rp->out, " in %zu operation%s", rp->nfirsts, rp->nfirsts == 1 ? "" : "s");
        if (rp->unchecked > 0)
            fprintf(rp->out, " (%zu not compared: an injected fault's or no recorded answer)", rp->unchecked);
        if (rp->polls_in_progress > 0)
            fprintf(rp->out, " (%zu poll%s of a job recorded in progress: not compared)",
                    rp->polls_in_progress, rp->polls_in_progress == 1 ? "" : "s");
        if (rp->unobserved_conns > 1)
            fputs("; recorded by an SDK recorder, its order across connections was never observed: divergences "
                  "may be that order, not bugs",
                  rp->out);
    }
    if (rp->polled_again > 0)
        fprintf(rp->out, "; polls sent %zu more time%s, until their job got as far as recorded", rp->polled_again,
                rp->polled_again == 1 ? "" : "s");
    if (rp->clock_steps > 0)
        fprintf(rp->out, "; %zu clock step%s", rp->clock_steps, rp->clock_steps == 1 ? "" : "s");
    fprintf(rp->out, "\norder: at most %zu in flight; waits: %zu by connection, %zu by conflict, %zu behind every "
                     "earlier request",
            rp->max_in_flight, rp->by_conn, rp->by_conflict, rp->behind);
    fprintf(rp->out, "; %zu sent behind their connection's previous request", rp->pipelined);
    if (rp->late > 0)
        fprintf(rp->out, "; %zu line%s out of arrival order past the window", rp->late, rp->late == 1 ? "" : "s");
    fputs("\n", rp->out);
}

int ddb_replay(ddb_client *db, const char *path, const ddb_replay_opts *o, FILE *out, FILE *err)
{
    replay *rp = calloc(1, sizeof(*rp));
    int rc;

    if (rp == NULL)
        abort();
    *rp = (replay){.o = o, .out = out, .err = err, .dry_run = o->dry_run};
    rp->order = rp_order_new(is_done, rp);
    rp->tokens = rp_tokens_new();
    if (o->keys != NULL && rp_keys_load(o->keys, &rp->keys, &rp->nkeys, err) != 0) {
        rc = 2;
    } else if ((rp->in = fopen(path, "rb")) == NULL || setvbuf(rp->in, rp->inbuf, _IOFBF, sizeof(rp->inbuf)) != 0) {
        fprintf(err, "ddb: replay: cannot read '%s': %s\n", path, strerror(errno));
        rc = 2;
    } else {
        if (!o->dry_run)
            rp->sender = ddb_pipe_new(db, o->connections);
        rc = run(rp);
        if (rc == 0 && !o->dry_run) {
            report(rp, rp_order_connections(rp->order));
            rc = rp->divergences > 0 || rp->lost > 0 || rp->unreadable > 0 ? 1 : 0;
        }
    }
    if (rp->in != NULL)
        fclose(rp->in);
    ddb_pipe_free(rp->sender);
    rp_order_free(rp->order);
    rp_tokens_free(rp->tokens);
    rp_keys_free(rp->keys, rp->nkeys);
    for (uint64_t s = rp->done_prefix; s < rp->next_seq; s++)
        rec_free(rp->ring[s & (IN_REPLAY - 1)]);
    while (rp->ahead.n > 0)
        rec_free(heap_pop(&rp->ahead));
    for (size_t i = 0; i < rp->npool; i++)
        rec_free(rp->pool[i]);
    for (size_t i = 0; i < rp->nfirsts; i++) {
        free(rp->firsts[i].op);
        free(rp->firsts[i].text);
    }
    free(rp->firsts);
    free(rp->unobserved_conn);
    free(rp->pool);
    free(rp->ahead.a);
    free(rp->ready.a);
    free(rp->prefixed.a);
    free(rp->piped.a);
    free(rp->waits.seq);
    free(rp->waits.line);
    free(rp->waits.why);
    free(rp);
    return rc;
}
