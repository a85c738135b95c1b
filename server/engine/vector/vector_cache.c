/*
 * server/engine/vector/vector_cache.c: vector indexes in memory (see vector_cache.h).
 */
#include "server/engine/vector/vector_cache.h"

#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grow.h"
#include "server/base/alloc.h"
#include "server/base/list.h"
#include "server/base/log.h"
#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/engine/vector/vector.h"
#include "server/engine/vector/vector_ann.h"

#define ABSENT UINT32_MAX

/* One item of an index: its vector is row `i` of the index's array. */
typedef struct slot {
    char *base, *ekey, *val, *forms; /* one allocation: the item key, entry key, value, element forms */
    uint32_t blen, eklen, vlen, flen;
    float norm2;
    int live;
} slot;

/* The latest number applied for an item, and where it lives (slot -1: not in the index). */
typedef struct mapent {
    char *key; /* NULL: empty */
    uint32_t klen;
    long long slot;
    uint64_t seq;
} mapent;

typedef struct vix {
    uint32_t id;
    unsigned dims, nparts; /* nparts: the HASH element (if any), then the inline filters */
    ddb_vector_metric metric;
    char name[256]; /* for the log (index names are at most 255 bytes) */
    pthread_rwlock_t lock;
    int ready;
    uint64_t base_seq;
    float *vecs;
    slot *slots;
    size_t n, cap;
    size_t *free;
    size_t nfree;
    mapent *map;
    size_t mcap, mcount;
    /* The approximate graph (vector_ann.h), when the cache has a threshold and the index reached
       it: built on a thread of its own from a copy of the rows, the rows changed meanwhile noted
       in dirty[] and entered when it is installed; then kept in step with every row change. */
    ddb_ann *ann;
    int ann_state;
    uint64_t ann_gen;  /* bumped when the index is emptied: a build begun before is discarded */
    size_t *dirty, ndirty, dirtycap;
    pthread_t ann_thread;
    int ann_joinable;
    struct vix *next;
} vix;

enum { ANN_NONE, ANN_BUILDING, ANN_READY };

struct ddb_vector_cache {
    pthread_mutex_t lock;
    vix *list;
    uint64_t seq;
    size_t ann_min, ann_ef; /* the approximate search's threshold (0: never) and candidates */
    int closing;            /* set at free: a graph being built stops */
    uint64_t exact, approximate; /* the searches answered each way (GET /metrics) */
};

static void *xrealloc(void *p, size_t n)
{
    if ((p = realloc(p, n ? n : 1)) == NULL)
        abort();
    return p;
}

ddb_vector_cache *ddb_vector_cache_new(size_t ann_min, size_t ann_ef)
{
    ddb_vector_cache *c = ddb_zalloc(sizeof(*c));

    pthread_mutex_init(&c->lock, NULL);
    c->ann_min = ann_min;
    c->ann_ef = ann_ef;
    return c;
}

/* Frees the vectors, their slots and the id map (the index's and its ANN graph's are the caller's). */
static void vix_free_vectors(vix *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->slots[i].base);
    for (size_t i = 0; i < v->mcap; i++)
        free(v->map[i].key);
    free(v->vecs);
    free(v->slots);
    free(v->free);
    free(v->map);
}

static void vix_free(void *node)
{
    vix *v = node;

    if (v->ann_joinable)
        pthread_join(v->ann_thread, NULL);
    ddb_ann_free(v->ann);
    free(v->dirty);
    vix_free_vectors(v);
    pthread_rwlock_destroy(&v->lock);
    free(v);
}

void ddb_vector_cache_free(ddb_vector_cache *c)
{
    if (c == NULL)
        return;
    __atomic_store_n(&c->closing, 1, __ATOMIC_RELEASE);
    ddb_list_free(c->list, offsetof(vix, next), vix_free);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

void ddb_vector_cache_counts(ddb_vector_cache *c, uint64_t *exact, uint64_t *approximate)
{
    *exact = __atomic_load_n(&c->exact, __ATOMIC_RELAXED);
    *approximate = __atomic_load_n(&c->approximate, __ATOMIC_RELAXED);
}

uint64_t ddb_vector_cache_seq(ddb_vector_cache *c)
{
    return c != NULL ? __atomic_add_fetch(&c->seq, 1, __ATOMIC_ACQ_REL) : 0;
}

/* The index's cache; created (not ready) when `ix` is given, else NULL when it has none. */
static vix *find(ddb_vector_cache *c, uint32_t id, const ddb_index *ix)
{
    vix *v;

    pthread_mutex_lock(&c->lock);
    for (v = c->list; v != NULL && v->id != id; v = v->next)
        ;
    if (v == NULL && ix != NULL) {
        if ((v = calloc(1, sizeof(*v))) == NULL)
            abort();
        v->id = id;
        v->dims = ix->vec->dims;
        v->metric = ix->vec->metric;
        snprintf(v->name, sizeof(v->name), "%s", ix->name);
        v->nparts = ix->nhash + ix->vec->nfilters;
        pthread_rwlock_init(&v->lock, NULL);
        v->next = c->list;
        c->list = v;
    }
    pthread_mutex_unlock(&c->lock);
    return v;
}

/* Empties the index (kept in the list: a search may hold it, and ids are never reused). */
void ddb_vector_cache_drop(ddb_vector_cache *c, uint32_t index_id)
{
    vix *v = c != NULL ? find(c, index_id, NULL) : NULL;

    if (v == NULL)
        return;
    pthread_rwlock_wrlock(&v->lock);
    vix_free_vectors(v);
    v->vecs = NULL;
    v->slots = NULL;
    v->free = NULL;
    v->map = NULL;
    v->n = v->cap = v->nfree = v->mcap = v->mcount = 0;
    v->ready = 0;
    ddb_ann_free(v->ann);
    v->ann = NULL;
    v->ann_gen++;
    v->ndirty = 0;
    if (v->ann_state == ANN_READY)
        v->ann_state = ANN_NONE; /* (a build under way resets it when it finds the index emptied) */
    pthread_rwlock_unlock(&v->lock);
}

/* ---- the item map (open addressing, FNV-1a) ---- */

static uint64_t fnv(const char *p, size_t n)
{
    uint64_t h = 1469598103934665603ULL;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
    return h;
}

static mapent *map_find(vix *v, const char *k, size_t klen, int create)
{
    size_t i;

    if (create && (v->mcount + 1) * 4 > v->mcap * 3) {
        size_t ocap = v->mcap;
        mapent *old = v->map;
        v->mcap = ocap ? ocap * 2 : 1024;
        v->map = calloc(v->mcap, sizeof(*v->map));
        if (v->map == NULL)
            abort();
        for (size_t k2 = 0; k2 < ocap; k2++) {
            if (old[k2].key == NULL)
                continue;
            for (i = fnv(old[k2].key, old[k2].klen) & (v->mcap - 1); v->map[i].key != NULL; i = (i + 1) & (v->mcap - 1))
                ;
            v->map[i] = old[k2];
        }
        free(old);
    }
    if (v->mcap == 0)
        return NULL;
    for (i = fnv(k, klen) & (v->mcap - 1); v->map[i].key != NULL; i = (i + 1) & (v->mcap - 1)) {
        if (v->map[i].klen == klen && memcmp(v->map[i].key, k, klen) == 0)
            return &v->map[i];
    }
    if (!create)
        return NULL;
    v->map[i].key = malloc(klen ? klen : 1);
    if (v->map[i].key == NULL)
        abort();
    memcpy(v->map[i].key, k, klen);
    v->map[i].klen = (uint32_t)klen;
    v->map[i].slot = -1;
    v->map[i].seq = 0;
    v->mcount++;
    return &v->map[i];
}

/* ---- slots ---- */

/* The forms of the item's HASH and INLINE_FILTER attributes (ABSENT when it lacks one). */
const char *ddb_vector_cache_forms(ddb_arena *a, const ddb_index *ix, const ddb_attr *item, size_t *len)
{
    ddb_buf b = {0};
    char *out;

    for (unsigned p = 0; p < ix->nhash + ix->vec->nfilters; p++) {
        const ddb_key_part *kp = p < ix->nhash ? &ix->hash[p] : &ix->vec->filters[p - ix->nhash];
        const ddb_attr *v = ddb_item_get(item, kp->name, kp->nlen);
        uint32_t l = ABSENT;
        const char *f = NULL;
        size_t fl = 0;
        if (v != NULL && v->type == kp->type) {
            ddb_key_form(a, v, &f, &fl);
            l = (uint32_t)fl;
        }
        ddb_buf_append(&b, (const char *)&l, 4);
        if (l != ABSENT)
            ddb_buf_append(&b, f, fl);
    }
    out = ddb_arena_memdup(a, b.data ? b.data : "", b.len);
    *len = b.len;
    ddb_buf_free(&b);
    return out;
}

/* Row i changed: the graph follows it (or notes it, while being built). */
static void ann_note(vix *v, size_t i)
{
    if (v->ann_state == ANN_READY) {
        if (v->slots[i].live && ddb_ann_set(v->ann, i, v->vecs + i * v->dims) != 0)
            ddb_log(DDB_LOG_WARN, "vector index %s: no memory for its approximate graph", v->name);
        else if (!v->slots[i].live)
            ddb_ann_unset(v->ann, i);
    } else if (v->ann_state == ANN_BUILDING) {
        DDB_ROOM(v->dirty, v->ndirty, v->dirtycap, 256);
        v->dirty[v->ndirty++] = i;
    }
}

static void slot_clear(vix *v, size_t i)
{
    free(v->slots[i].base);
    memset(&v->slots[i], 0, sizeof(v->slots[i]));
    v->free = xrealloc(v->free, (v->nfree + 1) * sizeof(*v->free));
    v->free[v->nfree++] = i;
    ann_note(v, i);
}

static size_t slot_new(vix *v)
{
    if (v->nfree > 0)
        return v->free[--v->nfree];
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->slots = xrealloc(v->slots, v->cap * sizeof(*v->slots));
        v->vecs = xrealloc(v->vecs, v->cap * v->dims * sizeof(float));
    }
    memset(&v->slots[v->n], 0, sizeof(slot));
    return v->n++;
}

/* Sets slot i to an entry (value with its f32 trailer; forms: forms_of). */
static void slot_set(vix *v, size_t i, const char *base, size_t blen, const char *ekey,
                     size_t eklen, const char *val, size_t vlen, const char *forms, size_t flen)
{
    slot *s = &v->slots[i];
    size_t plen = vlen - (size_t)v->dims * 4;
    char *p;

    free(s->base);
    p = malloc(blen + eklen + plen + flen + 1);
    if (p == NULL)
        abort();
    s->base = p;
    memcpy(p, base, blen);
    s->ekey = p + blen;
    memcpy(s->ekey, ekey, eklen);
    s->val = s->ekey + eklen;
    memcpy(s->val, val, plen);
    s->forms = s->val + plen;
    memcpy(s->forms, forms, flen);
    s->blen = (uint32_t)blen;
    s->eklen = (uint32_t)eklen;
    s->vlen = (uint32_t)plen;
    s->flen = (uint32_t)flen;
    ddb_vector_trailer(val, vlen, v->dims, v->vecs + i * v->dims);
    s->norm2 = ddb_vector_norm2(v->vecs + i * v->dims, v->dims);
    s->live = 1;
    ann_note(v, i);
}

/* Puts (val != NULL) or removes the item's entry, if `seq` is newer than what the cache has. */
static void upsert(vix *v, uint64_t seq, const char *base, size_t blen, const char *ekey,
                   size_t eklen, const char *val, size_t vlen, const char *forms, size_t flen)
{
    mapent *e = map_find(v, base, blen, 1);

    if (seq != 0 && seq <= e->seq)
        return; /* an older commit of the item, applied late */
    e->seq = seq;
    if (val == NULL) {
        if (e->slot >= 0)
            slot_clear(v, (size_t)e->slot);
        e->slot = -1;
        return;
    }
    if (e->slot < 0)
        e->slot = (long long)slot_new(v);
    slot_set(v, (size_t)e->slot, base, blen, ekey, eklen, val, vlen, forms, flen);
}

/* ---- applying commits ---- */

void ddb_vector_cache_apply(ddb_vector_cache *c, uint64_t seq, const ddb_vector_change *ch, size_t n)
{
    for (size_t i = 0; c != NULL && i < n;) {
        vix *v = find(c, ch[i].index_id, NULL);
        size_t k = i;
        if (v == NULL) { /* not searched yet: its build will read the store */
            while (i < n && ch[i].index_id == ch[k].index_id)
                i++;
            continue;
        }
        pthread_rwlock_wrlock(&v->lock);
        /* one hold for a commit's changes to one index (a transaction's are adjacent: mutation.c) */
        for (; i < n && ch[i].index_id == ch[k].index_id; i++) {
            if (!v->ready || seq < v->base_seq)
                continue; /* in the snapshot the cache was built from */
            upsert(v, seq, ch[i].base, ch[i].blen, ch[i].ekey, ch[i].eklen, ch[i].val, ch[i].vlen, ch[i].forms,
                   ch[i].flen);
        }
        pthread_rwlock_unlock(&v->lock);
    }
}

/* ---- the top-k selection ---- */

/* Whether (sa, ba) ranks after (sb, bb): a worse score, or an equal one and a larger item key. */
static int worse(ddb_vector_metric m, float sa, const char *ba, size_t la, float sb, const char *bb, size_t lb)
{
    int c;

    if (sa != sb)
        return ddb_vector_better(m, sb, sa);
    c = memcmp(ba, bb, la < lb ? la : lb);
    return c > 0 || (c == 0 && la > lb);
}

static int hit_worse(const ddb_topk *t, const ddb_vector_hit *x, const ddb_vector_hit *y)
{
    return worse(t->m, x->score, x->base, x->blen, y->score, y->base, y->blen);
}

int ddb_topk_wants(const ddb_topk *t, float score, const char *base, size_t blen)
{
    return t->n < t->k || worse(t->m, t->h[0].score, t->h[0].base, t->h[0].blen, score, base, blen);
}

void ddb_topk_push(ddb_topk *t, const ddb_vector_hit *hit)
{
    size_t i;

    if (t->k == 0 || !ddb_topk_wants(t, hit->score, hit->base, hit->blen))
        return;
    if (t->n < t->k) { /* sift up */
        i = t->n++;
        while (i > 0 && hit_worse(t, hit, &t->h[(i - 1) / 2])) {
            t->h[i] = t->h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        t->h[i] = *hit;
        return;
    }
    i = 0; /* replace the worst, sift down */
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        const ddb_vector_hit *wh = hit;
        if (l < t->n && hit_worse(t, &t->h[l], wh))
            w = l, wh = &t->h[l];
        if (r < t->n && hit_worse(t, &t->h[r], wh))
            w = r, wh = &t->h[r];
        if (w == i)
            break;
        t->h[i] = t->h[w];
        i = w;
    }
    t->h[i] = *hit;
}

void ddb_topk_sort(ddb_topk *t)
{
    /* insertion sort: k is at most 100, and qsort has no context argument */
    for (size_t i = 1; i < t->n; i++) {
        ddb_vector_hit x = t->h[i];
        size_t j = i;
        while (j > 0 && worse(t->m, t->h[j - 1].score, t->h[j - 1].base, t->h[j - 1].blen, x.score, x.base, x.blen)) {
            t->h[j] = t->h[j - 1];
            j--;
        }
        t->h[j] = x;
    }
}

/* ---- building ---- */

typedef struct tie_ctx {
    ddb_vector_cache *c;
    ddb_store *s;
    uint64_t base;
    ddb_store_snapshot *snap;
} tie_ctx;

/* While no commit is between its decision and its write: the numbers before are in the snapshot. */
static void tie(void *ctx)
{
    tie_ctx *t = ctx;

    t->base = __atomic_load_n(&t->c->seq, __ATOMIC_ACQUIRE) + 1;
    t->snap = ddb_store_snapshot_take(t->s);
}

static int build(ddb_vector_cache *c, ddb_store *s, vix *v, const ddb_index *ix)
{
    tie_ctx t = {c, s, 0, NULL};
    char lo[4], hi[4];
    ddb_store_iter *it;
    ddb_arena a;
    int rc;
    size_t nread = 0;

    ddb_store_exclusive(s, tie, &t);
    ddb_key_table_range(ix->id, lo, hi);
    it = ddb_store_iter_open_at(s, t.snap, lo, 4, hi, 4, 0);
    ddb_arena_init(&a);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen, flen, plen;
        const char *k = ddb_store_iter_key(it, &klen), *val = ddb_store_iter_val(it, &vlen), *forms;
        ddb_attr item;
        if (klen < DDB_KEY_PREFIX_BYTES || vlen < (size_t)v->dims * 4)
            continue;
        plen = ddb_get_be(k + 12, 2);
        if (klen < DDB_KEY_PREFIX_BYTES + plen ||
            ddb_item_decode(&a, val, vlen - (size_t)v->dims * 4, &item) != 0)
            continue;
        forms = ddb_vector_cache_forms(&a, ix, &item, &flen);
        upsert(v, 0, k + DDB_KEY_PREFIX_BYTES + plen, klen - DDB_KEY_PREFIX_BYTES - plen, k, klen, val, vlen, forms,
               flen);
        if (++nread % 1024 == 0)
            ddb_arena_reset(&a);
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    ddb_arena_free(&a);
    ddb_store_snapshot_release(s, t.snap);
    if (rc != DDB_STORE_OK)
        return -1;
    v->base_seq = t.base;
    v->ready = 1;
    ddb_log(DDB_LOG_INFO, "vector index %s: %zu vectors in memory", ix->name, nread);
    return 0;
}

/* ---- scanning ---- */

typedef struct scan_part {
    const vix *v;
    const ddb_vector_search_args *q;
    size_t lo, hi;
    float qnorm2;
    ddb_topk top;
    size_t examined;
    pthread_t thread;
    int joinable; /* scanned by `thread` (else by the caller) */
} scan_part;

/* Whether slot s's element at `pos` has the form f. */
static int form_is(const slot *s, unsigned pos, const char *f, size_t flen)
{
    const char *p = s->forms, *end = s->forms + s->flen;

    for (unsigned i = 0; p + 4 <= end; i++) {
        uint32_t l;
        memcpy(&l, p, 4);
        p += 4;
        if (i == pos)
            return l != ABSENT && l == flen && memcmp(p, f, flen) == 0;
        if (l != ABSENT)
            p += l;
    }
    return 0;
}

static int matches(const slot *s, const ddb_vector_search_args *q)
{
    if (q->plen > 0 && (s->eklen < q->plen || memcmp(s->ekey, q->part_prefix, q->plen) != 0))
        return 0;
    for (unsigned i = 0; i < q->neq; i++)
        if (!q->eqs[i].is_hash && !form_is(s, q->eqs[i].pos, q->eqs[i].form, q->eqs[i].flen))
            return 0;
    return 1;
}

static void *scan(void *arg)
{
    scan_part *p = arg;
    const vix *v = p->v;
    ddb_vector_metric m = p->q->ix->vec->metric;

    for (size_t i = p->lo; i < p->hi; i++) {
        const slot *s = &v->slots[i];
        float score;
        if (!s->live || ((p->q->plen > 0 || p->q->neq > 0) && !matches(s, p->q)))
            continue;
        score = ddb_vector_score(m, p->q->q, p->qnorm2, v->vecs + i * v->dims, s->norm2, v->dims);
        p->examined++;
        if (ddb_topk_wants(&p->top, score, s->base, s->blen))
            ddb_topk_push(&p->top, &(ddb_vector_hit){score, s->base, s->blen, s->val, s->vlen,
                                                     v->vecs + i * v->dims});
    }
    return NULL;
}

/* Scans every slot in `nparts` ranges (threads beyond the first), merged into *top. */
static size_t scan_all(ddb_arena *a, const vix *v, const ddb_vector_search_args *q, ddb_topk *top)
{
    unsigned nparts = 1;
    scan_part *parts;
    float qnorm2 = ddb_vector_norm2(q->q, v->dims);
    size_t examined = 0;

    /* a thread pays for itself past a few MB of vectors (bench/vector_bench.py measures it) */
    if (q->threads > 1 && v->n * v->dims >= ((size_t)1 << 21))
        nparts = q->threads;
    parts = DDB_NEW_ARRAY(a, scan_part, nparts);
    for (unsigned i = 0; i < nparts; i++) {
        parts[i] = (scan_part){v, q, v->n * i / nparts, v->n * (i + 1) / nparts, qnorm2,
                               {DDB_NEW_ARRAY(a, ddb_vector_hit, top->k ? top->k : 1), 0, top->k, top->m}, 0, 0, 0};
        if (i > 0)
            parts[i].joinable = pthread_create(&parts[i].thread, NULL, scan, &parts[i]) == 0;
    }
    scan(&parts[0]);
    for (unsigned i = 1; i < nparts; i++) {
        if (parts[i].joinable)
            pthread_join(parts[i].thread, NULL);
        else
            scan(&parts[i]); /* no thread: this one does it */
    }
    for (unsigned i = 0; i < nparts; i++) {
        examined += parts[i].examined;
        for (size_t k = 0; k < parts[i].top.n; k++)
            ddb_topk_push(top, &parts[i].top.h[k]);
    }
    return examined;
}

/* ---- the approximate graph ---- */

/* A graph being built: the rows as they were when it began. */
typedef struct ann_job {
    ddb_vector_cache *c;
    vix *v;
    ddb_ann *g;
    float *vecs;
    unsigned char *live;
    size_t n, next;
    unsigned threads;
    uint64_t gen;
    int failed;
} ann_job;

static void *ann_insert(void *arg)
{
    ann_job *j = arg;

    for (;;) {
        size_t i = __atomic_fetch_add(&j->next, 1, __ATOMIC_RELAXED);
        if (i >= j->n || __atomic_load_n(&j->c->closing, __ATOMIC_ACQUIRE))
            return NULL;
        if (j->live[i] && ddb_ann_set(j->g, i, j->vecs + i * j->v->dims) != 0)
            __atomic_store_n(&j->failed, 1, __ATOMIC_RELAXED);
    }
}

/* Inserts the copied rows on `threads` threads, then installs the graph with the rows changed
   meanwhile, unless the index was emptied (or the cache is closing) in between. */
static void *ann_build(void *arg)
{
    ann_job *j = arg;
    vix *v = j->v;
    pthread_t *helpers = calloc(j->threads, sizeof(*helpers));
    unsigned started = 0;

    for (unsigned t = 1; helpers != NULL && t < j->threads; t++)
        if (pthread_create(&helpers[started], NULL, ann_insert, j) == 0)
            started++;
    ann_insert(j);
    for (unsigned t = 0; t < started; t++)
        pthread_join(helpers[t], NULL);
    free(helpers);
    pthread_rwlock_wrlock(&v->lock);
    if (j->gen != v->ann_gen || j->failed || __atomic_load_n(&j->c->closing, __ATOMIC_ACQUIRE)) {
        ddb_ann_free(j->g);
        v->ann_state = ANN_NONE;
    } else {
        for (size_t k = 0; k < v->ndirty; k++) {
            size_t i = v->dirty[k];
            if (i < v->n && v->slots[i].live)
                j->failed |= ddb_ann_set(j->g, i, v->vecs + i * v->dims) != 0;
            else
                ddb_ann_unset(j->g, i);
        }
        v->ann = j->g;
        v->ann_state = ANN_READY;
        ddb_log(DDB_LOG_INFO, "vector index %s: approximate graph of %zu vectors ready", v->name, v->n - v->nfree);
    }
    v->ndirty = 0;
    pthread_rwlock_unlock(&v->lock);
    free(j->vecs);
    free(j->live);
    free(j);
    return NULL;
}

/* Starts building the index's graph when it has reached the threshold and has none. */
static void ann_start(ddb_vector_cache *c, vix *v, unsigned threads)
{
    ann_job *j;

    pthread_rwlock_wrlock(&v->lock);
    if (v->ann_state != ANN_NONE || !v->ready || v->n - v->nfree < c->ann_min) {
        pthread_rwlock_unlock(&v->lock);
        return;
    }
    if (v->ann_joinable) /* an earlier build, discarded: it has left the lock for good */
        pthread_join(v->ann_thread, NULL);
    v->ann_joinable = 0;
    j = calloc(1, sizeof(*j));
    if (j == NULL || (j->g = ddb_ann_new(v->dims, v->metric, v->n, c->ann_ef)) == NULL ||
        (j->vecs = malloc(v->n * v->dims * sizeof(float) + 1)) == NULL || (j->live = malloc(v->n + 1)) == NULL)
        goto fail;
    memcpy(j->vecs, v->vecs, v->n * v->dims * sizeof(float));
    for (size_t i = 0; i < v->n; i++)
        j->live[i] = (unsigned char)v->slots[i].live;
    j->c = c;
    j->v = v;
    j->n = v->n;
    j->threads = threads ? threads : 1;
    j->gen = v->ann_gen;
    v->ann_state = ANN_BUILDING;
    v->ndirty = 0;
    if (pthread_create(&v->ann_thread, NULL, ann_build, j) != 0) {
        v->ann_state = ANN_NONE;
        goto fail;
    }
    v->ann_joinable = 1;
    pthread_rwlock_unlock(&v->lock);
    return;
fail:
    if (j != NULL) {
        ddb_ann_free(j->g);
        free(j->vecs);
        free(j->live);
        free(j);
    }
    pthread_rwlock_unlock(&v->lock);
    ddb_log(DDB_LOG_WARN, "vector index %s: could not build its approximate graph", v->name);
}

/* The graph's candidates, scored exactly. Returns what an exact search would have read: the
   capacity a search consumes does not depend on how the server finds the items. */
static size_t ann_scan(ddb_arena *a, const vix *v, const ddb_vector_search_args *q, ddb_topk *top)
{
    size_t *rows = DDB_NEW_ARRAY(a, size_t, q->topk), n = ddb_ann_search(v->ann, q->q, q->topk, rows);
    float qnorm2 = ddb_vector_norm2(q->q, v->dims);

    for (size_t k = 0; k < n; k++) {
        const slot *s = rows[k] < v->n ? &v->slots[rows[k]] : NULL;
        if (s == NULL || !s->live)
            continue;
        ddb_topk_push(top, &(ddb_vector_hit){ddb_vector_score(v->metric, q->q, qnorm2, v->vecs + rows[k] * v->dims,
                                                               s->norm2, v->dims),
                                              s->base, s->blen, s->val, s->vlen, v->vecs + rows[k] * v->dims});
    }
    return v->n - v->nfree;
}

int ddb_vector_cache_search(ddb_vector_cache *c, ddb_store *s, ddb_arena *a, const ddb_vector_search_args *q,
                            ddb_vector_hit *hits, size_t *n, size_t *examined)
{
    vix *v = find(c, q->ix->id, q->ix);
    ddb_topk top = {hits, 0, q->topk, q->ix->vec->metric};
    int want_ann;

    pthread_rwlock_rdlock(&v->lock);
    while (!v->ready) {
        int rc = 0;
        pthread_rwlock_unlock(&v->lock);
        pthread_rwlock_wrlock(&v->lock);
        if (!v->ready)
            rc = build(c, s, v, q->ix);
        pthread_rwlock_unlock(&v->lock);
        if (rc != 0)
            return -1;
        pthread_rwlock_rdlock(&v->lock);
    }
    /* the graph answers searches without a condition; a condition's matches are scanned exactly */
    if (v->ann_state == ANN_READY && q->plen == 0 && q->neq == 0) {
        *examined = ann_scan(a, v, q, &top);
        __atomic_add_fetch(&c->approximate, 1, __ATOMIC_RELAXED);
    } else {
        *examined = scan_all(a, v, q, &top);
        __atomic_add_fetch(&c->exact, 1, __ATOMIC_RELAXED);
    }
    want_ann = c->ann_min > 0 && v->ann_state == ANN_NONE && v->n - v->nfree >= c->ann_min;
    ddb_topk_sort(&top);
    for (size_t i = 0; i < top.n; i++) { /* copied while the lock holds them */
        float *vec = DDB_NEW_ARRAY(a, float, v->dims);
        memcpy(vec, top.h[i].vec, sizeof(float) * v->dims);
        top.h[i].vec = vec;
        top.h[i].base = ddb_arena_memdup(a, top.h[i].base, top.h[i].blen);
        top.h[i].val = ddb_arena_memdup(a, top.h[i].val, top.h[i].vlen);
    }
    pthread_rwlock_unlock(&v->lock);
    *n = top.n;
    if (want_ann)
        ann_start(c, v, q->threads);
    return 0;
}
