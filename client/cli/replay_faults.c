/*
 * client/cli/replay_faults.c: what the recording's server carried out of a request an injected
 * fault answered (server/api/faults/inject.h), so that the replay carries out the same and no more.
 *
 * An injected error (InternalServerError, ServiceUnavailableException, ThrottlingException,
 * ProvisionedThroughputExceededException, RequestLimitExceeded, a TransactionConflict) answers
 * before the operation runs: nothing was written, so nothing is sent. A BatchWriteItem answered
 * UnprocessedItems had its last writes held back (the last table's last first: ops_batch.c,
 * hold_back): the replay sends the writes it made, as many as the answer's UnprocessedItems do
 * not hold; a BatchGetItem answered UnprocessedKeys read its first keys only (and was charged for
 * them alone, which a bucket under --enforce-capacity counts): the replay sends those. Every other
 * fault (latency, a lag, a connection cut or a bad checksum after the answer was made) left the
 * operation whole: it is sent as recorded. Found by tests/model: a replayed BatchWriteItem wrote
 * what its recorded fault had kept from being written.
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
    long keep;      /* writes still to copy, in request order */
    size_t taken;   /* of the table being copied */
    int tables;     /* tables written so far */
    const char *but; /* the member copy_member leaves out */
} copy;

static void put(copy *c, const char *p, size_t n)
{
    memcpy(c->out + c->len, p, n);
    c->len += n;
}

static int copy_write(void *arg, ddb_jspan val)
{
    copy *c = arg;

    if (c->keep <= 0)
        return 1;
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

static int copy_table(void *arg, ddb_jspan key, ddb_jspan val)
{
    copy *c = arg;
    int get = val.p != NULL && val.n > 0 && val.p[0] == '{';

    if (c->keep <= 0)
        return 1;
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


/* The BatchWriteItem (BatchGetItem) `request` with its last `held` writes (keys) left out (malloc'd in *out); 0, or -1
   when the request or the count is not what a recorded UnprocessedItems fault gives. */
static int written_part(ddb_jspan request, long held, char **out, size_t *outlen)
{
    ddb_jspan items = ddb_jscan_member(request, "RequestItems");
    long total = writes_in(items);
    copy c = {NULL, 0, total - held, 0, 0, ""};

    if (total <= 0 || held <= 0 || held >= total || (c.out = malloc(request.n + 32)) == NULL)
        return -1;
    put(&c, "{\"RequestItems\":{", 17);
    if (ddb_jscan_each_member(items, copy_table, &c) < 0) {
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
    long held;

    *out = NULL;
    *outlen = 0;
    for (size_t i = 0; i < sizeof(NOT_RUN) / sizeof(NOT_RUN[0]); i++)
        if (span_is(fault, NOT_RUN[i]))
            return RP_FAULT_NOT_RUN;
    if (span_is(fault, "UnprocessedItems") && span_is(op, "BatchWriteItem"))
        held = writes_in(ddb_jscan_member(response, "UnprocessedItems"));
    else if (span_is(fault, "UnprocessedKeys") && span_is(op, "BatchGetItem"))
        held = writes_in(ddb_jscan_member(response, "UnprocessedKeys"));
    else
        return RP_FAULT_WHOLE;
    if (held <= 0)
        return RP_FAULT_WHOLE;
    if (held >= writes_in(ddb_jscan_member(request, "RequestItems")))
        return RP_FAULT_NOT_RUN;
    return written_part(request, held, out, outlen) == 0 ? RP_FAULT_PART : RP_FAULT_WHOLE;
}
