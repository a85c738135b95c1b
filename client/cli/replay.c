/*
 * client/cli/replay.c: `ddb replay` (see replay.h; docs/record-replay.md).
 *
 * Order: each connection's requests go in their recorded order, one thread per connection, and a
 * request is sent only once every request answered before it arrived (its recorded "end" before
 * its "start") has been answered again: what one client could have seen before it sent it is
 * there when it is sent again, and requests that overlapped may overlap again. Ranking the
 * requests by (end, line) makes that "the first K of the ranking are done", K the request's own
 * count, and a request waits only for requests ranked before it: no wait is ever circular.
 *
 * Pace: a request is also not sent before its recorded time ("t", the server's clock at its
 * answer, less the first request's), divided by --speed; --as-fast-as-possible drops that wait.
 *
 * --check compares each answer with the recorded one, both written canonically: object members
 * sorted, the members that legitimately differ left out (IGNORED: times, ids, stream positions,
 * ARNs), the elements of sets (SS, NS, BS) and of the lists whose order DynamoDB leaves open
 * (BatchGetItem's Responses of a table, ConsumedCapacity) sorted, numbers as their value. An
 * error is compared by its status and __type (its message is not). The first divergence of each
 * operation is printed with both answers; the rest are counted.
 */
#include "client/cli/replay.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_tree.h>

/* Members whose values differ between two runs of the same requests. */
static const char *const IGNORED[] = {"TableId", "LatestStreamLabel", "StreamLabel", "SequenceNumber",
                                      "ShardIterator", "NextShardIterator", "eventID", "ResponseMetadata"};

typedef struct sbuf {
    char *p;
    size_t n, cap;
} sbuf;

static void sb_put(sbuf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        if ((b->p = realloc(b->p, b->cap)) == NULL)
            abort();
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sbuf *b, const char *s)
{
    sb_put(b, s, strlen(s));
}

typedef struct rec {
    int line;
    const char *conn, *op, *outcome;
    char *body; /* the request as sent (malloc'd) */
    size_t blen;
    long long t, start, end;
    int status;
    yajl_val doc;      /* the line */
    yajl_val response; /* its recorded answer (in doc), or NULL */
    size_t rank;       /* its place by (end, line) */
    size_t after;      /* requests ranked first that must be answered before it is sent */
    int skip;          /* not sent: no operation */
    int unchecked;     /* sent, not compared: an injected fault's answer, or none recorded */
} rec;

typedef struct replay {
    ddb_client *db;
    const ddb_replay_opts *o;
    rec *recs;
    size_t n;
    rec **by_conn; /* conn, then start, then line */
    pthread_mutex_t lock;
    pthread_cond_t moved;
    unsigned char *done; /* by rank */
    size_t prefix;       /* ranks 0..prefix-1 done */
    struct timespec started;
    long long t0;
    size_t sent, divergences, lost, unchecked;
    /* the first divergence of each operation: its report */
    struct first {
        const char *op;
        int line;
        char *text;
        size_t count;
    } *firsts;
    size_t nfirsts;
} replay;

double ddb_replay_due_ms(long long t, long long t0, double speed)
{
    if (speed <= 0 || t <= t0)
        return 0;
    return (double)(t - t0) / speed;
}

/* ---- JSON written back, plainly or canonically ---- */

static void put_string(sbuf *b, const char *s)
{
    sb_put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            sb_put(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof(esc), "\\u%04x", *p);
            sb_put(b, esc, 6);
        } else {
            sb_put(b, (const char *)p, 1);
        }
    }
    sb_put(b, "\"", 1);
}

static int ignored(const char *key)
{
    size_t n = strlen(key);

    for (size_t i = 0; i < sizeof(IGNORED) / sizeof(IGNORED[0]); i++)
        if (strcmp(key, IGNORED[i]) == 0)
            return 1;
    /* times (CreationDateTime, ...) and ARNs (an account's, a stream's or a backup's time in them) */
    return (n >= 8 && strcmp(key + n - 8, "DateTime") == 0) || (n >= 3 && strcmp(key + n - 3, "Arn") == 0);
}

static void emit(sbuf *b, yajl_val v, int canon, int unordered);

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_key(const void *a, const void *b, void *obj)
{
    yajl_val o = obj;
    return strcmp(o->u.object.keys[*(const size_t *)a], o->u.object.keys[*(const size_t *)b]);
}

static void emit_object(sbuf *b, yajl_val v, int canon)
{
    size_t n = v->u.object.len, *order = malloc((n + 1) * sizeof(size_t)), k = 0;
    int responses_of_tables = 0;

    if (order == NULL)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!canon || !ignored(v->u.object.keys[i]))
            order[k++] = i;
    if (canon)
        qsort_r(order, k, sizeof(size_t), cmp_key, v);
    sb_put(b, "{", 1);
    for (size_t i = 0; i < k; i++) {
        const char *key = v->u.object.keys[order[i]];
        yajl_val val = v->u.object.values[order[i]];
        int unordered = canon && (strcmp(key, "SS") == 0 || strcmp(key, "NS") == 0 || strcmp(key, "BS") == 0 ||
                                  strcmp(key, "ConsumedCapacity") == 0);

        if (i > 0)
            sb_put(b, ",", 1);
        put_string(b, key);
        sb_put(b, ":", 1);
        if (canon && strcmp(key, "Responses") == 0 && val->type == yajl_t_object)
            responses_of_tables = 1; /* BatchGetItem: each table's items in no order */
        if (responses_of_tables) {
            sb_put(b, "{", 1);
            for (size_t t = 0; t < val->u.object.len; t++) {
                if (t > 0)
                    sb_put(b, ",", 1);
                put_string(b, val->u.object.keys[t]);
                sb_put(b, ":", 1);
                emit(b, val->u.object.values[t], canon, 1);
            }
            sb_put(b, "}", 1);
            responses_of_tables = 0;
        } else {
            emit(b, val, canon, unordered);
        }
    }
    sb_put(b, "}", 1);
    free(order);
}

static void emit_array(sbuf *b, yajl_val v, int canon, int unordered)
{
    size_t n = v->u.array.len;

    sb_put(b, "[", 1);
    if (canon && unordered && n > 1) {
        char **parts = malloc(n * sizeof(char *));
        if (parts == NULL)
            abort();
        for (size_t i = 0; i < n; i++) {
            sbuf e = {0};
            emit(&e, v->u.array.values[i], canon, 0);
            parts[i] = e.p != NULL ? e.p : strdup("");
        }
        qsort(parts, n, sizeof(char *), cmp_str);
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                sb_put(b, ",", 1);
            sb_puts(b, parts[i]);
            free(parts[i]);
        }
        free(parts);
    } else {
        for (size_t i = 0; i < n; i++) {
            if (i > 0)
                sb_put(b, ",", 1);
            emit(b, v->u.array.values[i], canon, 0);
        }
    }
    sb_put(b, "]", 1);
}

static void emit(sbuf *b, yajl_val v, int canon, int unordered)
{
    char num[64];

    if (v == NULL) {
        sb_puts(b, "null");
        return;
    }
    switch (v->type) {
    case yajl_t_string:
        put_string(b, v->u.string);
        break;
    case yajl_t_number: /* canonically its value: 1.0 and 1 are one number */
        if (canon && (v->u.number.flags & YAJL_NUMBER_DOUBLE_VALID)) {
            snprintf(num, sizeof(num), "%.17g", v->u.number.d);
            sb_puts(b, num);
        } else {
            sb_puts(b, v->u.number.r);
        }
        break;
    case yajl_t_object:
        emit_object(b, v, canon);
        break;
    case yajl_t_array:
        emit_array(b, v, canon, unordered);
        break;
    case yajl_t_true:
        sb_puts(b, "true");
        break;
    case yajl_t_false:
        sb_puts(b, "false");
        break;
    default:
        sb_puts(b, "null");
    }
}

static char *canonical(yajl_val v)
{
    sbuf b = {0};

    emit(&b, v, 1, 0);
    return b.p;
}

/* ---- the recording read ---- */

static yajl_val member(yajl_val obj, const char *key)
{
    for (size_t i = 0; obj != NULL && obj->type == yajl_t_object && i < obj->u.object.len; i++)
        if (strcmp(obj->u.object.keys[i], key) == 0)
            return obj->u.object.values[i];
    return NULL;
}

static const char *str_of(yajl_val obj, const char *key, const char *dflt)
{
    yajl_val v = member(obj, key);
    return v != NULL && v->type == yajl_t_string ? v->u.string : dflt;
}

static long long int_of(yajl_val obj, const char *key, long long dflt)
{
    yajl_val v = member(obj, key);
    return v != NULL && v->type == yajl_t_number ? (v->u.number.flags & YAJL_NUMBER_INT_VALID ? v->u.number.i
                                                                                               : (long long)v->u.number.d)
                                                 : dflt;
}

/* One line into r; -1 after saying why on err. */
static int read_line(rec *r, char *text, int line, FILE *err)
{
    char why[256];
    yajl_val req, v;

    r->line = line;
    if ((r->doc = yajl_tree_parse(text, why, sizeof(why))) == NULL || r->doc->type != yajl_t_object) {
        fprintf(err, "ddb: replay: line %d is not a recorded request (a JSON object): %s\n", line, why);
        return -1;
    }
    if ((v = member(r->doc, "v")) != NULL && int_of(r->doc, "v", 0) != 1) {
        fprintf(err, "ddb: replay: line %d is of format %lld; this ddb reads format 1\n", line, int_of(r->doc, "v", 0));
        return -1;
    }
    r->conn = str_of(r->doc, "conn", "");
    r->op = str_of(r->doc, "op", NULL);
    r->outcome = str_of(r->doc, "outcome", "ok");
    r->t = int_of(r->doc, "t", 0);
    r->start = int_of(r->doc, "start", line * 2LL);
    r->end = int_of(r->doc, "end", r->start + 1);
    if (r->end < r->start) /* (a request ranked after its own start would wait for itself) */
        r->end = r->start;
    r->status = (int)int_of(r->doc, "status", 0);
    r->response = member(r->doc, "response");
    if (r->response != NULL && r->response->type == yajl_t_null)
        r->response = NULL;
    if ((req = member(r->doc, "request")) != NULL && req->type == yajl_t_object) {
        sbuf b = {0};
        emit(&b, req, 0, 0);
        r->body = b.p;
        r->blen = b.n;
    } else if ((r->body = (char *)str_of(r->doc, "requestText", NULL)) != NULL) {
        r->body = strdup(r->body);
        r->blen = strlen(r->body);
    }
    r->skip = r->op == NULL || r->body == NULL;
    r->unchecked = strcmp(r->outcome, "fault") == 0 || strcmp(r->outcome, "lost") == 0 || r->status == 0;
    return 0;
}

static int cmp_rank(const void *a, const void *b)
{
    const rec *x = *(rec *const *)a, *y = *(rec *const *)b;
    if (x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->line - y->line;
}

static int cmp_conn(const void *a, const void *b)
{
    const rec *x = *(rec *const *)a, *y = *(rec *const *)b;
    int c = strcmp(x->conn, y->conn);
    if (c != 0)
        return c;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->line - y->line;
}

/* Ranks, and each request's count of requests to wait for: those ranked before (its start, line). */
static void order(replay *rp)
{
    rec **ranked = malloc((rp->n + 1) * sizeof(rec *));

    if (ranked == NULL || (rp->by_conn = malloc((rp->n + 1) * sizeof(rec *))) == NULL ||
        (rp->done = calloc(rp->n + 1, 1)) == NULL)
        abort();
    for (size_t i = 0; i < rp->n; i++)
        ranked[i] = rp->by_conn[i] = &rp->recs[i];
    qsort(ranked, rp->n, sizeof(rec *), cmp_rank);
    qsort(rp->by_conn, rp->n, sizeof(rec *), cmp_conn);
    rp->t0 = rp->n > 0 ? rp->recs[0].t : 0;
    for (size_t i = 0; i < rp->n; i++) {
        rec *r = &rp->recs[i];
        size_t lo = 0, hi = rp->n;

        ranked[i]->rank = i;
        if (r->t < rp->t0)
            rp->t0 = r->t;
        while (lo < hi) { /* the first ranked at or after (start, line) */
            size_t mid = (lo + hi) / 2;
            const rec *m = ranked[mid];
            if (m->end < r->start || (m->end == r->start && m->line < r->line))
                lo = mid + 1;
            else
                hi = mid;
        }
        r->after = lo;
    }
    free(ranked);
}

/* ---- sending and comparing ---- */

static void mark_done(replay *rp, rec *r)
{
    pthread_mutex_lock(&rp->lock);
    rp->done[r->rank] = 1;
    while (rp->prefix < rp->n && rp->done[rp->prefix])
        rp->prefix++;
    pthread_cond_broadcast(&rp->moved);
    pthread_mutex_unlock(&rp->lock);
}

static void wait_turn(replay *rp, rec *r)
{
    double due = ddb_replay_due_ms(r->t, rp->t0, rp->o->speed);

    pthread_mutex_lock(&rp->lock);
    while (rp->prefix < r->after)
        pthread_cond_wait(&rp->moved, &rp->lock);
    pthread_mutex_unlock(&rp->lock);
    if (due > 0) { /* the recorded pace: sleep until due, from the replay's start */
        struct timespec now, at;
        double elapsed;
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = (double)(now.tv_sec - rp->started.tv_sec) * 1e3 + (double)(now.tv_nsec - rp->started.tv_nsec) / 1e6;
        if (due > elapsed) {
            double wait = due - elapsed;
            at.tv_sec = (time_t)(wait / 1e3);
            at.tv_nsec = (long)((wait - (double)at.tv_sec * 1e3) * 1e6);
            while (nanosleep(&at, &at) != 0 && errno == EINTR)
                ;
        }
    }
}

static const char *short_type(yajl_val body)
{
    const char *t = str_of(body, "__type", "");
    const char *hash = strrchr(t, '#');
    return hash != NULL ? hash + 1 : t;
}

/* The first path at which two canonical answers differ, into path. */
static void first_difference(yajl_val a, yajl_val b, sbuf *path)
{
    char *ca, *cb, idx[32];
    int same;

    if (a == NULL || b == NULL || a->type != b->type || (a->type != yajl_t_object && a->type != yajl_t_array))
        return;
    if (a->type == yajl_t_array) {
        if (a->u.array.len != b->u.array.len) {
            snprintf(idx, sizeof(idx), " (%zu vs %zu elements)", a->u.array.len, b->u.array.len);
            sb_puts(path, idx);
            return;
        }
        for (size_t i = 0; i < a->u.array.len; i++) {
            ca = canonical(a->u.array.values[i]);
            cb = canonical(b->u.array.values[i]);
            same = strcmp(ca, cb) == 0;
            free(ca);
            free(cb);
            if (!same) {
                snprintf(idx, sizeof(idx), "[%zu]", i);
                sb_puts(path, idx);
                first_difference(a->u.array.values[i], b->u.array.values[i], path);
                return;
            }
        }
        return;
    }
    for (int side = 0; side < 2; side++) {
        yajl_val x = side == 0 ? a : b, y = side == 0 ? b : a;
        for (size_t i = 0; i < x->u.object.len; i++) {
            const char *key = x->u.object.keys[i];
            yajl_val other = member(y, key);
            if (ignored(key))
                continue;
            ca = canonical(x->u.object.values[i]);
            cb = other != NULL ? canonical(other) : NULL;
            same = cb != NULL && strcmp(ca, cb) == 0;
            free(ca);
            free(cb);
            if (!same) {
                sb_puts(path, ".");
                sb_puts(path, key);
                if (other != NULL)
                    first_difference(side == 0 ? x->u.object.values[i] : other,
                                     side == 0 ? other : x->u.object.values[i], path);
                return;
            }
        }
    }
}

/* Whether the replayed answer (status, body text) diverges; if so, what and where in *why. */
static int diverges(const rec *r, int status, const char *body, sbuf *why)
{
    char err[128];
    yajl_val got = body != NULL && body[0] != '\0' ? yajl_tree_parse(body, err, sizeof(err)) : NULL;
    char *ca = NULL, *cb = NULL;
    int differs;

    if (status != r->status) {
        char s[64];
        snprintf(s, sizeof(s), "status %d, recorded %d", status, r->status);
        sb_puts(why, s);
        differs = 1;
    } else if (status >= 400) {
        differs = strcmp(short_type(got), short_type(r->response)) != 0;
        if (differs)
            sb_puts(why, "__type");
    } else {
        ca = canonical(r->response);
        cb = canonical(got);
        differs = strcmp(ca, cb) != 0;
        if (differs) {
            sb_puts(why, "at ");
            first_difference(r->response, got, why);
            if (why->n == 3)
                sb_puts(why, "the answer");
        }
    }
    free(ca);
    free(cb);
    yajl_tree_free(got);
    return differs;
}

static void note_divergence(replay *rp, const rec *r, const char *why, const char *got)
{
    struct first *f = NULL;
    sbuf rb = {0}, text = {0};
    char head[512];

    pthread_mutex_lock(&rp->lock);
    rp->divergences++;
    for (size_t i = 0; i < rp->nfirsts && f == NULL; i++)
        if (strcmp(rp->firsts[i].op, r->op) == 0)
            f = &rp->firsts[i];
    if (f != NULL) {
        f->count++;
        if (r->line > f->line) {
            pthread_mutex_unlock(&rp->lock);
            return;
        }
        free(f->text); /* an earlier line's, found later (another connection) */
    } else {
        if ((rp->firsts = realloc(rp->firsts, (rp->nfirsts + 1) * sizeof(*rp->firsts))) == NULL)
            abort();
        f = &rp->firsts[rp->nfirsts++];
        f->count = 1;
        f->op = r->op;
    }
    f->line = r->line;
    emit(&rb, r->response, 0, 0);
    snprintf(head, sizeof(head), "divergence: %s (line %d, connection %s): %s\n  recorded: %d ", r->op, r->line,
             r->conn, why, r->status);
    sb_puts(&text, head);
    sb_puts(&text, rb.p != NULL ? rb.p : "(no body)");
    sb_puts(&text, "\n  replayed: ");
    sb_puts(&text, got);
    sb_puts(&text, "\n");
    f->text = text.p;
    free(rb.p);
    pthread_mutex_unlock(&rp->lock);
}

static void send_one(replay *rp, rec *r)
{
    ddb_result *res = NULL;
    int rc = ddb_call(rp->db, r->op, r->body, r->blen, &res);
    int status = ddb_result_http_status(res);
    const char *body = ddb_result_body(res, NULL);
    sbuf why = {0}, got = {0};

    pthread_mutex_lock(&rp->lock);
    rp->sent++;
    if (status == 0)
        rp->lost++;
    if (r->unchecked)
        rp->unchecked++;
    pthread_mutex_unlock(&rp->lock);
    if (rp->o->check && !r->unchecked) {
        if (status == 0) {
            char s[160];
            snprintf(s, sizeof(s), "no answer (%s: %s)", ddb_status_name(rc), ddb_result_message(res));
            note_divergence(rp, r, "no answer", s);
        } else if (diverges(r, status, body, &why)) {
            char s[16];
            snprintf(s, sizeof(s), "%d ", status);
            sb_puts(&got, s);
            sb_puts(&got, body[0] != '\0' ? body : "(no body)");
            note_divergence(rp, r, why.p, got.p);
        }
    }
    free(why.p);
    free(got.p);
    ddb_result_free(res);
}

typedef struct conn_run {
    replay *rp;
    size_t from, to; /* its slice of by_conn */
} conn_run;

static void *run_conn(void *arg)
{
    conn_run *c = arg;

    for (size_t i = c->from; i < c->to; i++) {
        rec *r = c->rp->by_conn[i];
        if (r->skip)
            continue; /* done from the start */
        wait_turn(c->rp, r);
        send_one(c->rp, r);
        mark_done(c->rp, r);
    }
    return NULL;
}

static void print_schedule(const replay *rp, FILE *out)
{
    for (size_t i = 0; i < rp->n; i++) {
        const rec *r = &rp->recs[i];
        fprintf(out, "{\"line\":%d,\"conn\":\"%s\",\"op\":%s%s%s,\"at\":%.3f,\"after\":%zu%s}\n", r->line, r->conn,
                r->op ? "\"" : "", r->op ? r->op : "null", r->op ? "\"" : "", ddb_replay_due_ms(r->t, rp->t0, rp->o->speed),
                r->after, r->skip ? ",\"skip\":true" : "");
    }
}

/* Runs one thread per connection; the exit status. */
static int run(replay *rp, FILE *out)
{
    conn_run *runs = calloc(rp->n + 1, sizeof(conn_run));
    pthread_t *tids = calloc(rp->n + 1, sizeof(pthread_t));
    size_t nruns = 0, skipped = 0;

    if (runs == NULL || tids == NULL)
        abort();
    for (size_t i = 0; i < rp->n; i++) {
        if (rp->recs[i].skip) {
            skipped++;
            mark_done(rp, &rp->recs[i]);
        }
        if (i == 0 || strcmp(rp->by_conn[i]->conn, rp->by_conn[i - 1]->conn) != 0)
            runs[nruns++] = (conn_run){rp, i, i};
        runs[nruns - 1].to = i + 1;
    }
    clock_gettime(CLOCK_MONOTONIC, &rp->started);
    for (size_t i = 0; i < nruns; i++)
        if (pthread_create(&tids[i], NULL, run_conn, &runs[i]) != 0)
            abort();
    for (size_t i = 0; i < nruns; i++)
        pthread_join(tids[i], NULL);
    for (size_t i = 0; i < rp->nfirsts; i++) { /* in the recording's order */
        size_t best = i;
        for (size_t k = i + 1; k < rp->nfirsts; k++)
            if (rp->firsts[k].line < rp->firsts[best].line)
                best = k;
        struct first tmp = rp->firsts[i];
        rp->firsts[i] = rp->firsts[best];
        rp->firsts[best] = tmp;
        fputs(rp->firsts[i].text, out);
        if (rp->firsts[i].count > 1)
            fprintf(out, "  (%zu more %s divergence%s)\n", rp->firsts[i].count - 1, rp->firsts[i].op,
                    rp->firsts[i].count == 2 ? "" : "s");
        free(rp->firsts[i].text);
    }
    fprintf(out, "replayed %zu request%s over %zu connection%s", rp->sent, rp->sent == 1 ? "" : "s", nruns,
            nruns == 1 ? "" : "s");
    if (skipped > 0)
        fprintf(out, " (%zu skipped: no operation)", skipped);
    if (rp->lost > 0)
        fprintf(out, ", %zu without an answer", rp->lost);
    if (rp->o->check) {
        fprintf(out, ": %zu divergence%s", rp->divergences, rp->divergences == 1 ? "" : "s");
        if (rp->nfirsts > 0)
            fprintf(out, " in %zu operation%s", rp->nfirsts, rp->nfirsts == 1 ? "" : "s");
        if (rp->unchecked > 0)
            fprintf(out, " (%zu not compared: an injected fault's or no recorded answer)", rp->unchecked);
    }
    fputs("\n", out);
    free(runs);
    free(tids);
    free(rp->firsts);
    return rp->divergences > 0 || rp->lost > 0 ? 1 : 0;
}

int ddb_replay(ddb_client *db, char *text, const ddb_replay_opts *o, FILE *out, FILE *err)
{
    replay rp = {.db = db, .o = o};
    size_t cap = 0;
    int line = 0, rc = 0;

    for (char *p = text, *nl; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
        nl = strchr(p, '\n');
        if (nl != NULL)
            *nl = '\0';
        line++;
        if (p[strspn(p, " \t\r")] == '\0')
            continue;
        if (rp.n == cap && (rp.recs = realloc(rp.recs, (cap = cap * 2 + 64) * sizeof(rec))) == NULL)
            abort();
        memset(&rp.recs[rp.n], 0, sizeof(rec));
        if (read_line(&rp.recs[rp.n++], p, line, err) != 0) {
            rc = 2;
            break;
        }
    }
    if (rc == 0) {
        pthread_mutex_init(&rp.lock, NULL);
        pthread_cond_init(&rp.moved, NULL);
        order(&rp);
        if (o->dry_run)
            print_schedule(&rp, out);
        else
            rc = run(&rp, out);
        pthread_mutex_destroy(&rp.lock);
        pthread_cond_destroy(&rp.moved);
    }
    for (size_t i = 0; i < rp.n; i++) {
        yajl_tree_free(rp.recs[i].doc);
        free(rp.recs[i].body);
    }
    free(rp.recs);
    free(rp.by_conn);
    free(rp.done);
    return rc;
}
