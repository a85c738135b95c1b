/*
 * server/engine/idempotency.c: ClientRequestToken records and calls in flight (see idempotency.h).
 */
#include "server/engine/idempotency.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto/grow.h"
#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/engine/keycodec.h"

#define PREFIX "txn/token/"
#define PREFIX_LEN (sizeof(PREFIX) - 1)
#define RECORD_LEN (8 + DDB_TOKEN_DIGEST_BYTES) /* a call over at its commit */
#define HELD_RECORD_LEN (RECORD_LEN + 8)         /* a held call's: and its end, ms */

/* Whether a value of vlen bytes is a token's record (either layout). */
static int is_record(size_t vlen)
{
    return vlen == RECORD_LEN || vlen == HELD_RECORD_LEN;
}

typedef struct inflight {
    char *token;       /* strdup'd */
    uint64_t until_ms; /* 0: its call runs; else its answer is held until then (server clock) */
} inflight;

struct ddb_tokens {
    pthread_mutex_t lock;
    inflight *inflight; /* the calls running now */
    size_t n, cap;
    uint64_t ttl_ms;
};

ddb_tokens *ddb_tokens_new(uint64_t ttl_ms)
{
    ddb_tokens *t = ddb_zalloc(sizeof(*t));

    pthread_mutex_init(&t->lock, NULL);
    t->ttl_ms = ttl_ms ? ttl_ms : DDB_TOKEN_TTL_MS;
    return t;
}

void ddb_tokens_free(ddb_tokens *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->inflight[i].token);
    free(t->inflight);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

uint64_t ddb_tokens_ttl(const ddb_tokens *t)
{
    return t->ttl_ms;
}

void ddb_token_digest(const void *body, size_t len, unsigned char out[DDB_TOKEN_DIGEST_BYTES])
{
    crypto_generichash(out, DDB_TOKEN_DIGEST_BYTES, body, len, NULL, 0);
}

static char *record_key(ddb_arena *a, const char *token, size_t *klen)
{
    *klen = PREFIX_LEN + strlen(token);
    return ddb_arena_sprintf(a, PREFIX "%s", token);
}

static long inflight_find(const ddb_tokens *t, const char *token)
{
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(t->inflight[i].token, token) == 0)
            return (long)i;
    }
    return -1;
}

static void inflight_add(ddb_tokens *t, const char *token)
{
    DDB_ROOM(t->inflight, t->n, t->cap, 16);
    t->inflight[t->n].until_ms = 0;
    if ((t->inflight[t->n++].token = strdup(token)) == NULL)
        abort();
}

static void inflight_remove(ddb_tokens *t, size_t i)
{
    free(t->inflight[i].token);
    t->inflight[i] = t->inflight[--t->n];
}

/* Forgets the calls whose held answers have gone by now. */
static void inflight_sweep(ddb_tokens *t, uint64_t now_ms)
{
    for (size_t i = t->n; i-- > 0;)
        if (t->inflight[i].until_ms != 0 && t->inflight[i].until_ms <= now_ms)
            inflight_remove(t, i);
}

void ddb_token_key(ddb_arena *a, const char *token, ddb_store_key *out)
{
    size_t klen;
    const char *key = record_key(a, token, &klen);

    *out = (ddb_store_key){key, klen, NULL, 0, 1};
}

/* The state a stored record gives the token (NEW when there is none or it expired). Until the call's
   end (its held answer's release) it is IN_PROGRESS, whatever the parameters: the gateway that runs
   the call knows it from its calls in flight, another gateway of the store only from the record. */
ddb_token_state ddb_token_state_of(const char *val, size_t vlen, const unsigned char digest[DDB_TOKEN_DIGEST_BYTES],
                                   uint64_t now_ms)
{
    if (val == NULL || !is_record(vlen) || ddb_get_be(val, 8) <= now_ms)
        return DDB_TOKEN_NEW;
    if (vlen == HELD_RECORD_LEN && now_ms < ddb_get_be(val + RECORD_LEN, 8))
        return DDB_TOKEN_IN_PROGRESS;
    return sodium_memcmp(val + 8, digest, DDB_TOKEN_DIGEST_BYTES) == 0 ? DDB_TOKEN_REPLAY : DDB_TOKEN_MISMATCH;
}

ddb_token_state ddb_token_begin(ddb_tokens *t, const char *token)
{
    ddb_token_state st = DDB_TOKEN_NEW;

    /* under the lock, so two first calls with one token cannot both see NEW */
    pthread_mutex_lock(&t->lock);
    inflight_sweep(t, ddb_clock_now_ms());
    if (inflight_find(t, token) >= 0)
        st = DDB_TOKEN_IN_PROGRESS;
    else
        inflight_add(t, token);
    pthread_mutex_unlock(&t->lock);
    return st;
}

void ddb_token_record(ddb_tokens *t, ddb_batch *b, ddb_arena *a, const char *token,
                      const unsigned char digest[DDB_TOKEN_DIGEST_BYTES], uint64_t commit_ms, uint64_t done_ms)
{
    size_t klen, vlen = done_ms > commit_ms ? HELD_RECORD_LEN : RECORD_LEN;
    char *key = record_key(a, token, &klen);
    unsigned char *val = ddb_arena_alloc(a, vlen);

    ddb_put_be((char *)val, done_ms + t->ttl_ms, 8);
    memcpy(val + 8, digest, DDB_TOKEN_DIGEST_BYTES);
    /* the end only when it is not the commit (an injected latency holds the answer): the records of
       every other call keep the layout older binaries read (they read a held one as no record) */
    if (vlen == HELD_RECORD_LEN)
        ddb_put_be((char *)val + RECORD_LEN, done_ms, 8);
    ddb_batch_meta_put(b, key, klen, (const char *)val, vlen);
}

void ddb_token_end(ddb_tokens *t, const char *token, uint64_t until_ms)
{
    long i;

    pthread_mutex_lock(&t->lock);
    if ((i = inflight_find(t, token)) >= 0 && until_ms == 0)
        inflight_remove(t, (size_t)i);
    else if (i >= 0)
        t->inflight[i].until_ms = until_ms;
    pthread_mutex_unlock(&t->lock);
}

uint64_t ddb_token_record_bytes(const char *token)
{
    return PREFIX_LEN + strlen(token) + RECORD_LEN;
}

uint64_t ddb_tokens_bytes(ddb_store *s)
{
    static const char hi[] = "txn/token0";
    ddb_store_iter *it = ddb_store_meta_iter_open(s, PREFIX, PREFIX_LEN, hi, sizeof(hi) - 1);
    uint64_t bytes = 0;

    if (it == NULL)
        return 0;
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        ddb_store_iter_key(it, &klen);
        ddb_store_iter_val(it, &vlen);
        bytes += klen + vlen;
    }
    ddb_store_iter_close(it);
    return bytes;
}

typedef struct live_token {
    uint64_t expires;
    const char *key;
    size_t klen, vlen;
} live_token;

static int by_expiry(const void *a, const void *b)
{
    uint64_t x = ((const live_token *)a)->expires, y = ((const live_token *)b)->expires;

    return x < y ? -1 : x > y;
}

/* Adds to b the deletes of the records that expire first, until `want` bytes; returns their bytes. */
static uint64_t delete_oldest(ddb_batch *b, live_token *live, size_t n, uint64_t want)
{
    uint64_t got = 0;

    qsort(live, n, sizeof(*live), by_expiry);
    for (size_t i = 0; i < n && got < want; i++) {
        ddb_batch_meta_delete(b, live[i].key, live[i].klen);
        got += live[i].klen + live[i].vlen;
    }
    return got;
}

/*
 * Holds the lock throughout and skips tokens in flight: a call that reuses an expired token
 * writes its new record while in flight, so the sweep never deletes a record it did not read.
 */
long ddb_tokens_expire(ddb_tokens *t, ddb_store *s, uint64_t now_ms, uint64_t oldest_bytes, uint64_t *freed)
{
    static const char hi[] = "txn/token0"; /* '0' follows '/': the end of the prefix's range */
    ddb_store_iter *it = ddb_store_meta_iter_open(s, PREFIX, PREFIX_LEN, hi, sizeof(hi) - 1);
    ddb_arena a;
    ddb_batch b;
    live_token *live = NULL;
    size_t nlive = 0, cap = 0;
    uint64_t bytes = 0;
    long n = 0;
    int rc;

    *freed = 0;
    if (it == NULL)
        return -1;
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    pthread_mutex_lock(&t->lock);
    inflight_sweep(t, now_ms);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *key = ddb_store_iter_key(it, &klen), *val = ddb_store_iter_val(it, &vlen);
        char *token = ddb_arena_strndup(&a, key + PREFIX_LEN, klen - PREFIX_LEN);
        if (inflight_find(t, token) >= 0)
            continue;
        if (is_record(vlen) && ddb_get_be(val, 8) > now_ms) {
            if (oldest_bytes == 0)
                continue;
            DDB_ARENA_ROOM(&a, live, nlive, cap, 64); /* the budget's trim: live records, sorted by expiry below */
            live[nlive++] = (live_token){ddb_get_be(val, 8), ddb_arena_memdup(&a, key, klen), klen, vlen};
            continue;
        }
        ddb_batch_meta_delete(&b, ddb_arena_memdup(&a, key, klen), klen);
        bytes += klen + vlen;
        n++;
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    if (rc == DDB_STORE_OK && oldest_bytes > bytes && nlive > 0) {
        size_t before = b.n;
        bytes += delete_oldest(&b, live, nlive, oldest_bytes - bytes);
        n += (long)(b.n - before);
    }
    if (rc == DDB_STORE_OK && b.n > 0)
        rc = ddb_store_write(s, &b);
    pthread_mutex_unlock(&t->lock);
    ddb_arena_free(&a);
    if (rc == DDB_STORE_OK)
        *freed = bytes;
    return rc == DDB_STORE_OK ? n : -1;
}
