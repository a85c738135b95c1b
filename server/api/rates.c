/*
 * server/api/rates.c: DynamoDB's per-account rates of control plane operations (rates.h).
 */
#include "server/api/rates.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/base/clock.h"

enum {
#define X(op, per_s, source) RATE_##op,
#include "server/api/rates.def"
#undef X
    RATE__COUNT
};

static const unsigned PER_S[RATE__COUNT] = {
#define X(op, per_s, source) [RATE_##op] = per_s,
#include "server/api/rates.def"
#undef X
};

/* an operation's bucket, plus one; 0: it has no rate */
static const unsigned char SLOT_OF[DDB_OP__COUNT] = {
#define X(op, per_s, source) [DDB_OP_##op] = RATE_##op + 1,
#include "server/api/rates.def"
#undef X
};

/* A bucket holds thousandths of a request, so that a rate of 5 refills one request in 200 ms
   exactly, on a clock that moves in milliseconds. */
#define MILLI 1000u

typedef struct bucket {
    uint64_t milli; /* what is left, up to one second's worth */
    uint64_t at_ms; /* the clock reading it was last refilled at */
} bucket;

/* One account's buckets (with --namespaces, one account and Region's), named "account\nns". The
   accounts are --auth's (or the default one) and the namespaces the Regions served: few. */
typedef struct holder {
    char *name;
    bucket b[RATE__COUNT];
} holder;

struct ddb_rates {
    pthread_mutex_t lock; /* control plane calls only: a few a second */
    holder *h;
    size_t n, cap;
};

ddb_rates *ddb_rates_new(void)
{
    ddb_rates *r = calloc(1, sizeof(*r));

    if (r != NULL)
        pthread_mutex_init(&r->lock, NULL);
    return r;
}

void ddb_rates_free(ddb_rates *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->n; i++)
        free(r->h[i].name);
    free(r->h);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

/* name's holder, added with full buckets at now_ms; NULL when out of memory. Under r->lock. */
static holder *holder_of(ddb_rates *r, const char *account, const char *ns, uint64_t now_ms)
{
    size_t la = strlen(account), ln = strlen(ns);
    holder *h;

    for (size_t i = 0; i < r->n; i++)
        if (strncmp(r->h[i].name, account, la) == 0 && r->h[i].name[la] == '\n' && strcmp(r->h[i].name + la + 1, ns) == 0)
            return &r->h[i];
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 4;
        holder *grown = realloc(r->h, cap * sizeof(*grown));
        if (grown == NULL)
            return NULL;
        r->h = grown;
        r->cap = cap;
    }
    h = &r->h[r->n];
    if ((h->name = malloc(la + ln + 2)) == NULL)
        return NULL;
    memcpy(h->name, account, la);
    h->name[la] = '\n';
    memcpy(h->name + la + 1, ns, ln + 1);
    for (int k = 0; k < RATE__COUNT; k++)
        h->b[k] = (bucket){.milli = (uint64_t)PER_S[k] * MILLI, .at_ms = now_ms};
    r->n++;
    return h;
}

/* Refills b for the time since it was last refilled (none if the clock was set back) and takes one
   request if it holds one. */
static int take(bucket *b, unsigned per_s, uint64_t now_ms)
{
    uint64_t full = (uint64_t)per_s * MILLI;

    if (now_ms > b->at_ms) {
        uint64_t add = (now_ms - b->at_ms) * per_s; /* per_s per second is per_s thousandths a ms */
        b->milli = add >= full - b->milli ? full : b->milli + add;
        b->at_ms = now_ms;
    }
    if (b->milli < MILLI)
        return 0;
    b->milli -= MILLI;
    return 1;
}

int ddb_rates_take(ddb_rates *r, ddb_req *req)
{
    unsigned slot;
    uint64_t now_ms;
    holder *h;
    int ok;

    if (r == NULL || req->op <= DDB_OP_NONE || req->op >= DDB_OP__COUNT || (slot = SLOT_OF[req->op]) == 0)
        return DDB_OK;
    pthread_mutex_lock(&r->lock);
    now_ms = ddb_clock_now_ms(); /* under the lock: a bucket's readings never go back */
    h = holder_of(r, req->account != NULL ? req->account : "", req->ns != NULL ? req->ns : "", now_ms);
    ok = h == NULL || take(&h->b[slot - 1], PER_S[slot - 1], now_ms); /* out of memory: not refused for it */
    pthread_mutex_unlock(&r->lock);
    return ok ? DDB_OK : ddb_req_fail_msg(req, DDB_E_THROTTLING, DDB_RATE_TEXT);
}
