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

typedef struct fields {
    rec *r;
    int check;
    rp_span v, t, start, end, status, outcome, text, length, clock, recorder, fault;
} fields;

static int field(void *arg, rp_span key, rp_span val)
{
    fields *f = arg;
    rec *r = f->r;
#define IS(name) (key.n == sizeof(name) - 1 && memcmp(key.p, name, key.n) == 0)
    if (IS("v"))
        f->v = val;
    else if (IS("t"))
        f->t = val;
    else if (IS("conn"))
        r->conn = val;
    else if (IS("start"))
        f->start = val;
    else if (IS("end"))
        f->end = val;
    else if (IS("op"))
        r->op = val;
    else if (IS("region"))
        r->region = val;
    else if (IS("request"))
        r->request = val;
    else if (IS("requestText"))
        f->text = val;
    else if (IS("requestLength"))
        f->length = val;
    else if (IS("status"))
        f->status = val;
    else if (IS("outcome"))
        f->outcome = val;
    else if (IS("response"))
        r->response = val;
    else if (IS("clock"))
        f->clock = val;
    else if (IS("recorder"))
        f->recorder = val;
    else if (IS("fault"))
        f->fault = val;
#undef IS
    /* the answer is read only to compare it: without --check the rest of a line is not scanned once
       what a request needs was read (ddbd writes the answer after it; an SDK recorder too) */
    return !f->check && r->op.p != NULL && f->status.p != NULL && f->outcome.p != NULL &&
           (r->request.p != NULL || f->text.p != NULL) && f->t.p != NULL && r->conn.p != NULL &&
           f->start.p != NULL && f->end.p != NULL && (!rp_is_string(f->outcome, "fault") || r->response.p != NULL);
}

/* A body that is not JSON, unescaped (yajl reads the string, and only it: the rest of the line, an
   answer however deep, is not made a tree; a rare line). */
static char *request_text(rp_span text)
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
static int time_of(replay *rp, const rec *r, const char *name, rp_span v, long long dflt, long long *out)
{
    long long x = rp_int(v, dflt);

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
static const rp_span CLOCK_OP = {"\"/ddbd/clock\"", 13};

/* Whether a line was written by a recorder in the SDK ("recorder", or, from before that member, a
   connection named as the SDK recorders name theirs: py-PID-THREAD, js-PID-N): its start and end
   are its client's, so the order of requests on different connections at the server is not in it. */
static int unobserved(rp_span recorder, rp_span conn)
{
    rp_span c = rp_string(conn);

    if (recorder.p != NULL)
        return !rp_is_string(recorder, "ddbd");
    return c.p != NULL && c.n > 3 && (memcmp(c.p, "py-", 3) == 0 || memcmp(c.p, "js-", 3) == 0);
}

/* A request an injected fault answered: sent as far as the recording's server carried it out
   (replay_faults.h): not at all after an injected error, a BatchWriteItem's written part. */
static void carried(replay *rp, rec *r, rp_span fault)
{
    char *part;
    size_t plen;

    switch (rp_fault_carried(rp_string(r->op), rp_string(fault), r->request, r->response, &part, &plen)) {
    case RP_FAULT_NOT_RUN:
        r->body = NULL;
        rp->not_run++;
        break;
    case RP_FAULT_PART:
        free(r->request_text);
        r->request_text = part;
        r->body = part;
        r->blen = plen;
        r->request = (rp_span){part, plen};
        break;
    }
}

/* Reads r->text (line `line`) into r; -1 after saying why on err. */
static int parse_rec(replay *rp, rec *r, size_t len)
{
    fields f = {r, rp->o->check, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}, {0}};
    rp_span whole = {r->text, len};

    r->conn = r->op = r->request = r->response = r->region = (rp_span){NULL, 0};
    if (rp_each_member(whole, field, &f) < 0) {
        fprintf(rp->err, "ddb: replay: line %d is not a recorded request (a JSON object)\n", r->line);
        return -1;
    }
    if (f.v.p != NULL && rp_int(f.v, 0) != 1) {
        fprintf(rp->err, "ddb: replay: line %d is of format %lld; this ddb reads format 1\n", r->line, rp_int(f.v, 0));
        return -1;
    }
    if (time_of(rp, r, "t", f.t, 0, &r->t) != 0 || time_of(rp, r, "start", f.start, r->line * 2LL, &r->start) != 0 ||
        time_of(rp, r, "end", f.end, r->start + 1, &r->end) != 0)
        return -1;
    if (r->end < r->start)
        r->end = r->start;
    r->status = (int)rp_int(f.status, 0);
    if (r->response.p != NULL && r->response.n == 4 && memcmp(r->response.p, "null", 4) == 0)
        r->response = (rp_span){NULL, 0};
    free(r->request_text);
    r->request_text = NULL;
    if (r->request.p != NULL && r->request.p[0] == '{') {
        r->body = r->request.p;
        r->blen = r->request.n;
    } else if (rp_string(f.text).p != NULL && (r->request_text = request_text(f.text)) != NULL) {
        r->body = r->request_text;
        r->blen = strlen(r->body);
        if (rp_int(f.length, 0) > (long long)r->blen) /* only its first bytes were kept: not replayed */
            r->body = NULL;
    } else {
        r->body = NULL;
    }
    r->clock = f.clock.p != NULL && f.clock.p[0] == '{';
    if (r->clock) { /* a step of the clock the recording's server took: it takes the same, in order */
        r->op = CLOCK_OP;
        r->body = f.clock.p;
        r->blen = f.clock.n;
    }
    if (rp_is_string(f.outcome, "fault") && r->body != NULL && !r->clock)
        carried(rp, r, f.fault);
    r->unobserved = unobserved(f.recorder, r->conn);
    r->skip = rp_string(r->op).p == NULL || r->body == NULL;
    r->unchecked = rp_is_string(f.outcome, "fault") || rp_is_string(f.outcome, "lost") || r->status == 0;
    r->done = 0;
    r->waiting = 0;
    r->prefix = 0;
    r->nwaiters = 0;
    r->signed_at = 0;
    r->behind = r->conn_next = 0;
    r->conn_wait = r->sent = 0;
    if (!r->skip && !r->clock)
        rp_order_learn(rp->order, r->op, r->request, r->status);
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
        ddb_buf_free(&r->wire);
    if (rp->npool == rp->cappool &&
        (rp->pool = realloc(rp->pool, (rp->cappool = rp->cappool * 2 + 64) * sizeof(rec *))) == NULL)
        abort();
    rp->pool[rp->npool++] = r;
}

void rec_free(rec *r)
{
    free(r->text);
    free(r->request_text);
    free(r->waiters);
    ddb_buf_free(&r->wire);
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
