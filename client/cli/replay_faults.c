/*
 * client/cli/replay_faults.c: what the recording's server carried out of a request an injected
 * fault answered (server/api/faults/inject.h), so that the replay carries out the same and no more.
 *
 * An injected error (InternalServerError, ServiceUnavailableException, ThrottlingException,
 * ProvisionedThroughputExceededException, RequestLimitExceeded, a TransactionConflict) answers
 * before the operation runs: nothing was written, so nothing is sent. A BatchWriteItem answered
 * UnprocessedItems had its last writes held back (the last table's last first: ops_batch.c,
 * hold_back); a BatchGetItem answered UnprocessedKeys read its first keys only (and was charged for
 * them alone, which a bucket under --enforce-capacity counts). Under --enforce-capacity the answer
 * also holds what was throttled, which need not be last: a BatchGetItem's table whose key was
 * throttled leaves that key and the table's later ones unread, a BatchWriteItem's throttled write
 * is any of its writes. So the replay sends what the answer does not hold: of each table of a
 * BatchGetItem its first keys, as many as its UnprocessedKeys entry does not hold (the server reads
 * a table's keys in order and leaves a suffix); of a BatchWriteItem each write that is not one of
 * its table's UnprocessedItems (the same JSON but for whitespace: the server writes them back as
 * sent, less members it does not know). Where the answer's entries cannot all be found so, the
 * last ones are left out, as before throttles were known (model seed 2396: a key throttled first
 * had the replay read a held-back key in its place, and charge its table half the units). Every
 * other fault (latency, a lag, a connection cut or a bad checksum after the answer was made) left
 * the operation whole: it is sent as recorded. Found by tests/model: a replayed BatchWriteItem
 * wrote what its recorded fault had kept from being written.
 */
#include "client/cli/replay_faults.h"

#include <stdlib.h>
#include <string.h>

static const char *const NOT_RUN[] = {"InternalServerError",   "ServiceUnavailableException",
                                      "ThrottlingException",   "ProvisionedThroughputExceededException",
                                      "RequestLimitExceeded",  "TransactionConflict"};

static int span_is(ddb_jspan s, const char *text)
{
    return s.p != NULL && s.n == strlen(text) && memcmp(s.p, text, s.n) == 0;
}

/* ---- counting and copying a BatchWriteItem's writes ---- */

static int count_one(void *arg, ddb_jspan val)
{
    (void)val;
    ++*(size_t *)arg;
    return 0;
}

/* A table's entries: BatchWriteItem's list of writes, BatchGetItem's {"Keys": [...], ...}. */
static ddb_jspan entries_of(ddb_jspan val)
{
    return val.p != NULL && val.n > 0 && val.p[0] == '{' ? ddb_jscan_member(val, "Keys") : val;
}

static int count_table(void *arg, ddb_jspan key, ddb_jspan val)
{
    (void)key;
    return ddb_jscan_each_element(entries_of(val), count_one, arg) < 0 ? -1 : 0;
}

/* The writes (keys) of a RequestItems / UnprocessedItems (UnprocessedKeys) map, in all; -1 when it
   is no such map. */
static long writes_in(ddb_jspan map)
{
    size_t n = 0;

    return map.p != NULL && ddb_jscan_each_member(map, count_table, &n) == 0 ? (long)n : -1;
}

typedef struct copy {
    char *out;
    size_t len;
    long keep;      /* writes still to copy, in request order (by_answer: not used) */
    size_t taken;   /* of the table being copied */
    int tables;     /* tables written so far */
    const char *but; /* the member copy_member leaves out */
    /* by_answer: what the answer held back (UnprocessedItems, UnprocessedKeys) is left out, found
       in `held`; `left_out` counts it */
    int by_answer;
    ddb_jspan held;
    long left_out;
    ddb_jspan table_held; /* the table's entry of `held` being copied (its list, or its Keys) */
    long table_keep;      /* a BatchGetItem's table: its keys still to copy */
    unsigned char *used;  /* a BatchWriteItem's table: its held writes found already */
    size_t nused;
} copy;

static void put(copy *c, const char *p, size_t n)
{
    memcpy(c->out + c->len, p, n);
    c->len += n;
}

/* Whether a and b are the same JSON text but for whitespace outside strings. */
static int blank(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

static int same_json(ddb_jspan a, ddb_jspan b)
{
    size_t i = 0, j = 0;
    int in_string = 0; /* (the same in both: they are the same so far) */

    for (;;) {
        while (!in_string && i < a.n && blank(a.p[i]))
            i++;
        while (!in_string && j < b.n && blank(b.p[j]))
            j++;
        if (i == a.n || j == b.n)
            return i == a.n && j == b.n;
        if (a.p[i] != b.p[j])
            return 0;
        if (in_string && a.p[i] == '\\' && i + 1 < a.n && j + 1 < b.n) {
            if (a.p[++i] != b.p[++j])
                return 0;
        } else if (a.p[i] == '"') {
            in_string = !in_string;
        }
        i++, j++;
    }
}

typedef struct finding {
    copy *c;
    ddb_jspan write;
    size_t at;
    int found;
} finding;

static int find_held(void *arg, ddb_jspan held)
{
    finding *f = arg;

    if (f->at < f->c->nused && !f->c->used[f->at] && same_json(held, f->write)) {
        f->c->used[f->at] = 1;
        f->found = 1;
        return 1;
    }
    f->at++;
    return 0;
}

/* Whether write `val` is one the answer held back (each held entry found once). */
static int held_back(copy *c, ddb_jspan val)
{
    finding f = {c, val, 0, 0};

    if (c->table_held.p == NULL)
        return 0;
    ddb_jscan_each_element(c->table_held, find_held, &f);
    return f.found;
}

static int copy_write(void *arg, ddb_jspan val)
{
    copy *c = arg;

    if (c->by_answer) {
        if (c->used == NULL ? c->table_keep <= 0 : held_back(c, val)) {
            c->left_out++;
            return 0;
        }
        c->table_keep--;
    } else if (c->keep <= 0) {
        return 1;
    }
    if (c->taken++ > 0)
        put(c, ",", 1);
    put(c, val.p, val.n);
    c->keep--;
    return 0;
}

/* A member as sent, after a comma, unless it is c->but (the list being cut). */
static int copy_member(void *arg, ddb_jspan key, ddb_jspan val)
{
    copy *c = arg;

    if (key.n == strlen(c->but) && memcmp(key.p, c->but, key.n) == 0)
        return 0;
    put(c, ",\"", 2);
    put(c, key.p, key.n);
    put(c, "\":", 2);
    put(c, val.p, val.n);
    return 0;
}

typedef struct named {
    ddb_jspan key, val;
} named;

static int is_named(void *arg, ddb_jspan key, ddb_jspan val)
{
    named *n = arg;

    if (key.n != n->key.n || memcmp(key.p, n->key.p, key.n) != 0)
        return 0;
    n->val = val;
    return 1;
}

/* By the answer: what of table `key` (its entries `val`) is held back, and whether anything of
   it is left to send. */
static int table_by_answer(copy *c, ddb_jspan key, ddb_jspan val)
{
    named n = {key, {NULL, 0}};
    size_t total = 0, held = 0;

    ddb_jscan_each_member(c->held, is_named, &n);
    c->table_held = entries_of(n.val);
    ddb_jscan_each_element(entries_of(val), count_one, &total);
    if (c->table_held.p != NULL)
        ddb_jscan_each_element(c->table_held, count_one, &held);
    free(c->used);
    c->used = NULL;
    c->nused = 0;
    c->table_keep = (long)total; /* a BatchWriteItem's: every write not found held */
    if (val.p != NULL && val.n > 0 && val.p[0] == '{') { /* a BatchGetItem's: a suffix */
        c->table_keep = (long)total - (long)held;
    } else if (held > 0) {
        if ((c->used = calloc(held, 1)) == NULL)
            abort();
        c->nused = held;
    }
    if (held >= total) { /* nothing of it ran */
        c->left_out += (long)total;
        return 0;
    }
    return 1;
}

static int copy_table(void *arg, ddb_jspan key, ddb_jspan val)
{
    copy *c = arg;
    int get = val.p != NULL && val.n > 0 && val.p[0] == '{';

    if (c->by_answer ? !table_by_answer(c, key, val) : c->keep <= 0)
        return c->by_answer ? 0 : 1;
    if (c->tables++ > 0)
        put(c, ",", 1);
    put(c, "\"", 1);
    put(c, key.p, key.n);
    put(c, get ? "\":{\"Keys\":[" : "\":[", get ? 11 : 3);
    c->taken = 0;
    if (ddb_jscan_each_element(entries_of(val), copy_write, c) < 0)
        return -1;
    put(c, "]", 1);
    if (get) { /* its other members (ConsistentRead, ProjectionExpression, ...) */
        c->but = "Keys";
        if (ddb_jscan_each_member(val, copy_member, c) < 0)
            return -1;
        put(c, "}", 1);
    }
    return 0;
}


/* The BatchWriteItem (BatchGetItem) `request` without the `held` writes (keys) of the answer's map
   `unprocessed` (by_answer), or with its last `held` left out (malloc'd in *out); 0, or -1 when the
   request or the count is not what a recorded UnprocessedItems fault gives, or (by_answer) the
   held writes were not all found. */
static int written_part(ddb_jspan request, ddb_jspan unprocessed, long held, int by_answer, char **out,
                        size_t *outlen)
{
    ddb_jspan items = ddb_jscan_member(request, "RequestItems");
    long total = writes_in(items);
    copy c = {NULL, 0, total - held, 0, 0, "", by_answer, unprocessed, 0, {NULL, 0}, 0, NULL, 0};
    int rc;

    if (total <= 0 || held <= 0 || held >= total || (c.out = malloc(request.n + 32)) == NULL)
        return -1;
    put(&c, "{\"RequestItems\":{", 17);
    rc = ddb_jscan_each_member(items, copy_table, &c);
    free(c.used);
    if (rc < 0 || (by_answer && (c.left_out != held || c.tables == 0))) {
        free(c.out);
        return -1;
    }
    put(&c, "}", 1);
    c.but = "RequestItems"; /* the request's other members (ReturnConsumedCapacity, ...) */
    if (ddb_jscan_each_member(request, copy_member, &c) < 0) {
        free(c.out);
        return -1;
    }
    put(&c, "}", 1);
    *out = c.out;
    *outlen = c.len;
    return 0;
}

int rp_fault_carried(ddb_jspan op, ddb_jspan fault, ddb_jspan request, ddb_jspan response, char **out, size_t *outlen)
{
    ddb_jspan unprocessed;
    long held;

    *out = NULL;
    *outlen = 0;
    for (size_t i = 0; i < sizeof(NOT_RUN) / sizeof(NOT_RUN[0]); i++)
        if (span_is(fault, NOT_RUN[i]))
            return RP_FAULT_NOT_RUN;
    if (span_is(fault, "UnprocessedItems") && span_is(op, "BatchWriteItem"))
        unprocessed = ddb_jscan_member(response, "UnprocessedItems");
    else if (span_is(fault, "UnprocessedKeys") && span_is(op, "BatchGetItem"))
        unprocessed = ddb_jscan_member(response, "UnprocessedKeys");
    else
        return RP_FAULT_WHOLE;
    if ((held = writes_in(unprocessed)) <= 0)
        return RP_FAULT_WHOLE;
    if (held >= writes_in(ddb_jscan_member(request, "RequestItems")))
        return RP_FAULT_NOT_RUN;
    if (written_part(request, unprocessed, held, 1, out, outlen) == 0 ||
        written_part(request, unprocessed, held, 0, out, outlen) == 0)
        return RP_FAULT_PART;
    return RP_FAULT_WHOLE;
}
