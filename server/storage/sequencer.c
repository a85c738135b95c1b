/*
 * server/storage/sequencer.c: per-prefix sequence numbers (see sequencer.h).
 */
#include "sequencer.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PREFIX 32

struct ddb_seq_entry {
    char prefix[MAX_PREFIX];
    size_t plen;
    pthread_mutex_t lock; /* held only to take or to complete numbers */
    uint64_t last;        /* the last number given */
    uint64_t visible;     /* every number up to this one is done */
    uint64_t *done;       /* numbers done above visible + 1 (few: the writes still in flight) */
    size_t ndone, cap;
    ddb_seq_entry *next;  /* hash chain */
};

#define BUCKETS 256

struct ddb_sequencer {
    pthread_mutex_t lock; /* inserts into the table of entries (entries are never removed) */
    ddb_seq_entry *buckets[BUCKETS];
    ddb_seq_load load;
    void *ctx;
};

ddb_sequencer *ddb_sequencer_new(ddb_seq_load load, void *ctx)
{
    ddb_sequencer *q = calloc(1, sizeof(*q));

    if (q == NULL)
        abort();
    pthread_mutex_init(&q->lock, NULL);
    q->load = load;
    q->ctx = ctx;
    return q;
}

void ddb_sequencer_free(ddb_sequencer *q)
{
    if (q == NULL)
        return;
    for (int i = 0; i < BUCKETS; i++) {
        for (ddb_seq_entry *e = q->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            pthread_mutex_destroy(&e->lock);
            free(e->done);
            free(e);
        }
    }
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static unsigned bucket_of(const char *p, size_t n)
{
    uint32_t h = 2166136261u;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 16777619u;
    return h % BUCKETS;
}

static ddb_seq_entry *find(ddb_seq_entry *e, const char *prefix, size_t plen)
{
    for (; e != NULL; e = __atomic_load_n(&e->next, __ATOMIC_ACQUIRE)) {
        if (e->plen == plen && memcmp(e->prefix, prefix, plen) == 0)
            return e;
    }
    return NULL;
}

/*
 * The entry of a prefix, made (its last number loaded from the store) on first use. Entries are
 * never removed and are published with a release store, so every write after the first finds its
 * entry without taking the table's lock.
 */
static ddb_seq_entry *entry_of(ddb_sequencer *q, const char *prefix, size_t plen)
{
    unsigned b = bucket_of(prefix, plen);
    ddb_seq_entry *e;

    if (plen > MAX_PREFIX)
        abort(); /* the engine's stream prefixes are 12 bytes */
    if ((e = find(__atomic_load_n(&q->buckets[b], __ATOMIC_ACQUIRE), prefix, plen)) != NULL)
        return e;
    pthread_mutex_lock(&q->lock);
    if ((e = find(q->buckets[b], prefix, plen)) == NULL) {
        if ((e = calloc(1, sizeof(*e))) == NULL)
            abort();
        memcpy(e->prefix, prefix, plen);
        e->plen = plen;
        e->last = e->visible = q->load(q->ctx, prefix, plen);
        pthread_mutex_init(&e->lock, NULL);
        e->next = q->buckets[b];
        __atomic_store_n(&q->buckets[b], e, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&q->lock);
    return e;
}

void ddb_sequencer_begin(ddb_sequencer *q, const ddb_batch *b, uint64_t *nums, ddb_seq_hold *h)
{
    h->entries = ddb_arena_calloc(b->arena, sizeof(*h->entries) * (b->n ? b->n : 1));
    h->nums = ddb_arena_calloc(b->arena, sizeof(*h->nums) * (b->n ? b->n : 1));
    h->n = 0;
    for (size_t i = 0; i < b->n; i++) {
        ddb_seq_entry *e;
        if (!b->ops[i].sequenced)
            continue;
        e = entry_of(q, b->ops[i].key, b->ops[i].klen);
        pthread_mutex_lock(&e->lock);
        nums[i] = ++e->last;
        pthread_mutex_unlock(&e->lock);
        h->entries[h->n] = e;
        h->nums[h->n++] = nums[i];
    }
}

/* Marks `num` done; the watermark moves over every contiguous done number. Under e->lock. */
static void complete(ddb_seq_entry *e, uint64_t num)
{
    if (num != e->visible + 1) {
        if (e->ndone == e->cap) {
            e->cap = e->cap ? 2 * e->cap : 16;
            if ((e->done = realloc(e->done, e->cap * sizeof(*e->done))) == NULL)
                abort();
        }
        e->done[e->ndone++] = num;
        return;
    }
    e->visible = num;
    for (size_t i = 0; i < e->ndone;) { /* the ones waiting just above may follow now */
        if (e->done[i] == e->visible + 1) {
            e->visible++;
            e->done[i] = e->done[--e->ndone];
            i = 0;
        } else {
            i++;
        }
    }
}

void ddb_sequencer_end(ddb_seq_hold *h)
{
    for (size_t k = 0; k < h->n; k++) {
        pthread_mutex_lock(&h->entries[k]->lock);
        complete(h->entries[k], h->nums[k]);
        pthread_mutex_unlock(&h->entries[k]->lock);
    }
    h->n = 0;
}

uint64_t ddb_sequencer_last(ddb_sequencer *q, const char *prefix, size_t plen)
{
    ddb_seq_entry *e = entry_of(q, prefix, plen);
    uint64_t visible;

    pthread_mutex_lock(&e->lock);
    visible = e->visible;
    pthread_mutex_unlock(&e->lock);
    return visible;
}

void ddb_sequencer_floor(ddb_sequencer *q, const char *prefix, size_t plen, uint64_t floor)
{
    ddb_seq_entry *e = entry_of(q, prefix, plen);

    pthread_mutex_lock(&e->lock);
    if (e->last < floor)
        e->last = floor;
    if (e->visible < floor && e->last == floor) /* nothing in flight above it */
        e->visible = floor;
    pthread_mutex_unlock(&e->lock);
}
