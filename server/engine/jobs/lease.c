/*
 * server/engine/jobs/lease.c: leases on shared work (see lease.h).
 */
#include "server/engine/jobs/lease.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "proto/arena.h"
#include "server/base/clock.h"
#include "server/base/log.h"

void ddb_lease_init(ddb_lease *l, ddb_store *s, const char *name)
{
    unsigned char rnd[16];
    const char *env = getenv("DDBD_TASK_LEASE_MS");

    memset(l, 0, sizeof(*l));
    l->store = s;
    snprintf(l->key, sizeof(l->key), "lease/%s", name);
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(l->owner, sizeof(l->owner), rnd, sizeof(rnd));
    l->term_ms = env != NULL && atoll(env) > 0 ? (uint64_t)atoll(env) : DDB_LEASE_MS;
}

typedef struct {
    ddb_lease *l;
    uint64_t now;
    int release;
} take;

/* Parses "<owner> <expiry>"; 0 when the value is not a lease (then anyone may take it). */
static int parse(const char *v, size_t len, char *owner, uint64_t *expiry)
{
    char buf[96];

    if (v == NULL || len >= sizeof(buf))
        return 0;
    memcpy(buf, v, len);
    buf[len] = '\0';
    return sscanf(buf, "%32s %lu", owner, (unsigned long *)expiry) == 2;
}

/* Takes or renews the lease when it is free, expired or ours (release: deletes it when ours). */
static int take_decide(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    take *t = ctx;
    char owner[33] = "", *val;
    uint64_t expiry = 0;
    int ours, valid = parse(keys[0].val, keys[0].vlen, owner, &expiry);

    (void)n;
    ours = valid && strcmp(owner, t->l->owner) == 0;
    if (t->release) {
        if (!ours)
            return 1;
        ddb_batch_meta_delete(out, t->l->key, strlen(t->l->key));
        return 0;
    }
    if (valid && !ours && expiry > t->now)
        return 1; /* another process holds it */
    /* the batch keeps pointers: the value lives in its arena */
    val = ddb_arena_sprintf(out->arena, "%s %lu", t->l->owner, (unsigned long)(t->now + t->l->term_ms));
    ddb_batch_meta_put(out, t->l->key, strlen(t->l->key), val, strlen(val));
    return 0;
}

static int commit(ddb_lease *l, take *t)
{
    ddb_arena a;
    ddb_store_key k = {0};
    int rc;

    ddb_arena_init(&a);
    k.key = l->key;
    k.klen = strlen(l->key);
    rc = ddb_store_meta_commit(l->store, &a, &k, 1, take_decide, t);
    ddb_arena_free(&a);
    return rc;
}

int ddb_lease_hold(ddb_lease *l)
{
    uint64_t now;
    take t;
    int rc;

    if (!ddb_store_shared(l->store))
        return 1;
    now = ddb_clock_system_ms();
    /* renewed a third of the way into its term: two chances more before it could expire */
    if (l->renewed_ms != 0 && now < l->renewed_ms + l->term_ms / 3)
        return 1;
    t = (take){l, now, 0};
    rc = commit(l, &t);
    if (rc == DDB_STORE_OK) {
        if (l->renewed_ms == 0)
            ddb_log(DDB_LOG_INFO, "tasks: this gateway holds %s and runs the shared background work", l->key);
        l->renewed_ms = now;
        return 1;
    }
    if (l->renewed_ms != 0)
        ddb_log(DDB_LOG_WARN, "tasks: %s was lost (%s): another gateway runs the shared background work", l->key,
                rc > 0 ? "taken over" : "storage error");
    l->renewed_ms = 0;
    return 0;
}

void ddb_lease_release(ddb_lease *l)
{
    take t = {l, ddb_clock_system_ms(), 1};

    if (!ddb_store_shared(l->store) || l->renewed_ms == 0)
        return;
    (void)commit(l, &t);
    l->renewed_ms = 0;
}
