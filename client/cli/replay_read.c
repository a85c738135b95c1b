/*
 * client/cli/replay_read.c: `ddb replay`'s reading of a recording (replay.c): lines read into the
 * window of requests ordered by arrival, each parsed into a rec (its members, its times, its
 * request's body), and the heaps that order them.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_tree.h>

#include "client/cli/replay_internal.h"
#include "proto/record_line.h"

/* ---- heaps ---- */

static int less(const entry *x, const entry *y)
{
    return x->k1 != y->k1 ? x->k1 < y->k1 : x->k2 < y->k2;
}

/* r by (k1, k2): arrival (start, line), due (due, seq), prefix (prefix, seq); each exact in a double. */
void heap_push(heap *h, rec *r, double k1, uint64_t k2)
{
    entry e = {k1, k2, r};
    size_t i;

    if (h->n == h->cap && (h->a = realloc(h->a, (h->cap = h->cap * 2 + 64) * sizeof(entry))) == NULL)
        abort();
    for (i = h->n++; i > 0 && less(&e, &h->a[(i - 1) / 2]); i = (i - 1) / 2)
        h->a[i] = h->a[(i - 1) / 2];
    h->a[i] = e;
}

rec *heap_pop(heap *h)
{
    rec *top = h->a[0].r;
    entry last = h->a[--h->n];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && less(&h->a[c + 1], &h->a[c]))
            c++;
        if (!less(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n > 0)
        h->a[i] = last;
    return top;
}

/* ---- the recording read ---- */

/* Whether what a request needs was read: without --check the rest of a line is not scanned (the
   answer is read only to compare it, for what it hands out, a shard iterator or an id:
   replay_tokens.h, or for a poll's state: replay_polls.h; ddbd writes it after the rest, an SDK
   recorder too). */
static int enough(const ddb_rl_line *l, void *arg)
{
    const ddb_jspan *m = l->m;

    return !((replay *)arg)->o->check && m[DDB_RL_OP].p != NULL && m[DDB_RL_STATUS].p != NULL && m[DDB_RL_OUTCOME].p != NULL &&
           (m[DDB_RL_RESPONSE].p != NULL || !(rp_tokens_hands_out(ddb_jscan_string(m[DDB_RL_OP])) ||
                                               rp_poll_is(ddb_jscan_string(m[DDB_RL_OP])))) &&
           (m[DDB_RL_REQUEST].p != NULL || m[DDB_RL_REQUEST_TEXT].p != NULL) && m[DDB_RL_T].p != NULL &&
           m[DDB_RL_CONN].p != NULL && m[DDB_RL_START].p != NULL && m[DDB_RL_END].p != NULL &&
           (!ddb_rl_outcome_is(l, DDB_RLO_FAULT) || m[DDB_RL_RESPONSE].p != NULL);
}

/* A body that is not JSON, unescaped (yajl reads the string, and only it: the rest of the line, an
   answer however deep, is not made a tree; a rare line). */
static char *request_text(ddb_jspan text)
{
    char why[128], *json = strndup(text.p, text.n), *s = NULL;
    yajl_val doc = json != NULL ? yajl_tree_parse(json, why, sizeof(why)) : NULL;

    if (doc != NULL && doc->type == yajl_t_string)
        s = strdup(doc->u.string);
    yajl_tree_free(doc);
    free(json);
    return s;
}

/* A time ("t", ms since the epoch; "start", "end", µs) is an integer within +-2^53: exact in a
   double (the heaps' keys), and the difference of two never overflows. */
#define TIME_MAX 9007199254740992LL

/* *out: the time in v (dflt when absent); -1 after saying why on err when it is out of range. */
static int time_of(replay *rp, const rec *r, const char *name, ddb_jspan v, long long dflt, long long *out)
{
    long long x = ddb_jscan_int(v, dflt);

    if (x >= -TIME_MAX && x <= TIME_MAX) {
        *out = x;
        return 0;
    }
    fprintf(rp->err, "ddb: replay: line %d: \"%s\" is %.*s%s, out of range (a time is an integer from -2^53 to 2^53)\n",
            r->line, name, (int)(v.n > 40 ? 40 : v.n), v.p, v.n > 40 ? "..." : "");
    return -1;
}

/* A clock step's operation, to the order and the report: not an API operation, so it is ordered
   as an operation on everything (replay_order.h): after every request before it, before every
   request after it. */
static const ddb_jspan CLOCK_OP = {"\"/ddbd/clock\"", 13};

/* Whether a line was written by a recorder in the SDK ("recorder", or, from before that member, a
   connection named as the SDK recorders name theirs: py-PID-THREAD, js-PID-N): its start and end
   are its client's, so the order of requests on different connections at the server is not in it. */
static int unobserved(ddb_jspan recorder, ddb_jspan conn)
{
    ddb_jspan c = ddb_jscan_string(conn);

    if (recorder.p != NULL)
        return !ddb_jscan_is_string(recorder, "ddbd");
    return c.p != NULL && c.n > 3 && (memcmp(c.p, "py-", 3) == 0 || memcmp(c.p, "js-", 3) == 0);
}

/* A request an injected fault answered: sent as far as the recording's server carried it out
   (replay_faults.h): not at all after an injected error, a BatchWriteItem's written part. */
static void carried(replay *rp, rec *r, ddb_jspan fault)
{
    char *part;
    size_t plen;

    switch (rp_fault_carried(ddb_jscan_string(r->op), ddb_jscan_string(fault), r->request, r->response, &part, &plen)) {
    case RP_FAULT_NOT_RUN:
        r->body = NULL;
        rp->not_run++;
        break;
    case RP_FAULT_PART:
        free(r->request_text);
        r->request_text = part;
        r->body = part;
        r->blen = plen;
        r->request = (ddb_jspan){part, plen};
        break;
    }
}

/* The body a line's request is sent with (r->body, r->blen; NULL: none to send). */
static void body_of(replay *rp, rec *r, const ddb_rl_line *l)
{
    ddb_jspan text = l->m[DDB_RL_REQUEST_TEXT], clock = l->m[DDB_RL_CLOCK];

    free(r->request_text);
    r->request_text = NULL;
    if (r->request.p != NULL && r->request.p[0] == '{') {
        r->body = r->request.p;
        r->blen = r->request.n;
    } else if (ddb_jscan_string(text).p != NULL && (r->request_text = request_text(text)) != NULL) {
        r->body = r->request_text;
        r->blen = strlen(r->body);
        if (ddb_jscan_int(l->m[DDB_RL_REQUEST_LENGTH], 0) > (long long)r->blen) /* only its first bytes were kept: not replayed */
            r->body = NULL;
    } else {
        r->body = NULL;
    }
    r->clock = clock.p != NULL && clock.p[0] == '{';
    if (r->clock) { /* a step of the clock the recording's server took: it takes the same, in order */
        r->op = CLOCK_OP;
        r->body = clock.p;
        r->blen = clock.n;
    }
    if (ddb_rl_outcome_is(l, DDB_RLO_FAULT) && r->body != NULL && !r->clock)
        carried(rp, r, l->m[DDB_RL_FAULT]);
}

/* Reads r->text (line `line`) into r; -1 after saying why on err. */
static int parse_rec(replay *rp, rec *r, size_t len)
{
    ddb_rl_line l;
    ddb_jspan whole = {r->text, len}, v;

    if (ddb_rl_read(whole, &l, enough, rp) < 0) {
        fprintf(rp->err, "ddb: replay: line %d is not a recorded request (a JSON object)\n", r->line);
        return -1;
    }
    r->conn = l.m[DDB_RL_CONN];
    r->op = l.m[DDB_RL_OP];
    r->region = l.m[DDB_RL_REGION];
    r->key = ddb_jscan_string(l.m[DDB_RL_KEY]);
    r->request = l.m[DDB_RL_REQUEST];
    r->response = l.m[DDB_RL_RESPONSE];
    if ((v = l.m[DDB_RL_V]).p != NULL && ddb_jscan_int(v, 0) != DDB_RL_VERSION) {
        fprintf(rp->err, "ddb: replay: line %d is of format %lld; this ddb reads format %d\n", r->line,
                ddb_jscan_int(v, 0), DDB_RL_VERSION);
        return -1;
    }
    if (time_of(rp, r, "t", l.m[DDB_RL_T], 0, &r->t) != 0 ||
        time_of(rp, r, "start", l.m[DDB_RL_START], r->line * 2LL, &r->start) != 0 ||
        time_of(rp, r, "end", l.m[DDB_RL_END], r->start + 1, &r->end) != 0)
        return -1;
    if (r->end < r->start)
        r->end = r->start;
    r->status = (int)ddb_jscan_int(l.m[DDB_RL_STATUS], 0);
    r->draws = (unsigned)(ddb_jscan_int(l.m[DDB_RL_DRAWS], 0) > 0);
    if (r->response.p != NULL && r->response.n == 4 && memcmp(r->response.p, "null", 4) == 0)
        r->response = (ddb_jspan){NULL, 0};
    body_of(rp, r, &l);
    r->unobserved = unobserved(l.m[DDB_RL_RECORDER], r->conn);
    r->skip = ddb_jscan_string(r->op).p == NULL || r->body == NULL;
    r->unchecked = ddb_rl_outcome_is(&l, DDB_RLO_FAULT) || ddb_rl_outcome_is(&l, DDB_RLO_LOST) || r->status == 0;
    r->done = 0;
    r->waiting = 0;
    r->prefix = 0;
    r->nwaiters = 0;
    r->signed_at = 0;
    r->behind = r->conn_next = 0;
    r->conn_wait = r->sent = 0;
    r->token_from = 0;
    free(r->token_body);
    r->token_body = NULL;
    r->poll = !r->clock && !r->unchecked && r->status == 200 && r->response.p != NULL &&
              rp_poll_is(ddb_jscan_string(r->op));
    r->in_progress = 0;
    r->polls = 0;
    r->poll_until = 0;
    if (!r->skip && !r->clock)
        rp_order_learn(rp->order, r->op, r->request, r->status, ddb_rl_outcome_is(&l, DDB_RLO_THROTTLED));
    return 0;
}

rec *rec_take(replay *rp)
{
    rec *r = rp->npool > 0 ? rp->pool[--rp->npool] : calloc(1, sizeof(rec));

    if (r == NULL)
        abort();
    return r;
}

void rec_give(replay *rp, rec *r)
{
    if (r->cap > KEEP_BYTES) { /* memory given back line by line (1 MB lines held 3.4 GB) */
        free(r->text);
        r->text = NULL;
        r->cap = 0;
    }
    if (r->wire.cap > KEEP_BYTES)
        ddb_wire_free(&r->wire);
    if (rp->npool == rp->cappool &&
        (rp->pool = realloc(rp->pool, (rp->cappool = rp->cappool * 2 + 64) * sizeof(rec *))) == NULL)
        abort();
    rp->pool[rp->npool++] = r;
}

void rec_free(rec *r)
{
    free(r->text);
    free(r->request_text);
    free(r->token_body);
    free(r->waiters);
    ddb_wire_free(&r->wire);
    free(r);
}

/* The next line of the recording into r->text: its length, -1 at the end of the file, or -2 for a
   line past LINE_MAX_BYTES (read through, not kept). A line holding a NUL byte reads as cut there
   (no JSON holds one: it is then no recorded request). */
static ssize_t read_line(replay *rp, rec *r)
{
    size_t n = 0;

    for (;;) {
        if (r->cap - n < 2) {
            size_t cap = r->cap < 4096 ? 4096 : 2 * r->cap;
            if (cap > LINE_MAX_BYTES + 2)
                cap = LINE_MAX_BYTES + 2;
            if ((r->text = realloc(r->text, cap)) == NULL)
                abort();
            r->cap = cap;
        }
        if (fgets(r->text + n, (int)(r->cap - n), rp->in) == NULL)
            return n > 0 ? (ssize_t)n : -1;
        n += strlen(r->text + n);
        if (n > 0 && r->text[n - 1] == '\n')
            return (ssize_t)n;
        if (n > LINE_MAX_BYTES) {
            int c;
            while ((c = getc_unlocked(rp->in)) != EOF && c != '\n')
                ;
            free(r->text); /* (not kept for the next line) */
            r->text = NULL;
            r->cap = 0;
            return -2;
        }
    }
}

/* Reads lines until the window is full or the file ends: 0, or 2 (a line that is no request). */
int read_ahead(replay *rp)
{
    while (!rp->eof && rp->ahead.n < READ_AHEAD && (rp->ahead.n == 0 || rp->ahead_bytes < AHEAD_BYTES)) {
        rec *r = rec_take(rp);
        ssize_t n;

        do {
            n = read_line(rp, r);
            rp->line += n != -1;
            if (n == -2) {
                fprintf(rp->err, "ddb: replay: line %d is longer than 40 MiB (a request and its answer are at most "
                                 "16 MiB each): unreadable, not replayed\n", rp->line);
                rp->unreadable++;
            }
        } while (n == -2 || (n >= 0 && r->text[0] != '{' && r->text[strspn(r->text, " \t\r\n")] == '\0'));
        if (n < 0) {
            rp->eof = 1;
            rec_give(rp, r);
            break;
        }
        r->line = rp->line;
        if (parse_rec(rp, r, (size_t)n) != 0) {
            rec_give(rp, r);
            return 2;
        }
        r->len = (size_t)n;
        rp->ahead_bytes += r->len;
        heap_push(&rp->ahead, r, (double)r->start, (uint64_t)r->line);
    }
    return 0;
}
