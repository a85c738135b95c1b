/*
 * server/engine/capacity/insights.c: Contributor Insights' sketches (see insights.h).
 *
 * Space-Saving (Metwally et al.): a summary of DDB_CI_SLOTS counters per kind; a new key takes
 * the lightest counter's place and inherits its weight, so any key heavier than 1/SLOTS of the
 * traffic a shard saw is certainly in it. Shards are merged by adding the weights of equal keys.
 */
#include "server/engine/capacity/insights.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"
#include "server/base/alloc.h"
#include "server/base/be.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/keycodec.h"

#define SHARDS 4

typedef struct counter {
    uint64_t hash;
    double weight;
    uint16_t klen;
    char key[DDB_CI_KEY_MAX];
} counter;

typedef struct summary {
    counter c[DDB_CI_SLOTS];
    unsigned n;
} summary;

typedef struct shard {
    pthread_spinlock_t lock;
    uint64_t start_ms; /* the current generation's start */
    summary cur[DDB_CI_NKINDS], prev[DDB_CI_NKINDS];
} __attribute__((aligned(64))) shard;

typedef struct ddb_ci_sketch {
    uint32_t id;
    int mode; /* ddb_ci_mode, read relaxed */
    shard shards[SHARDS];
} sketch;

ddb_insights *ddb_insights_new(void)
{
    ddb_insights *ci = ddb_zalloc(sizeof(*ci));

    pthread_mutex_init(&ci->configure_lock, NULL);
    return ci;
}

void ddb_insights_free(ddb_insights *ci)
{
    if (ci == NULL)
        return;
    for (unsigned i = 0; i < DDB_CI_MAX_SKETCHES && ci->sketches[i] != NULL; i++)
        free(ci->sketches[i]);
    pthread_mutex_destroy(&ci->configure_lock);
    free(ci);
}

static const struct {
    const char *rule, *what;
    int sorted;
} KINDS[] = {
#define X(kind, rule, what, sort) {rule, what, sort},
    DDB_CI_KINDS(X)
#undef X
};

const char *ddb_ci_kind_rule(ddb_ci_kind k)
{
    return KINDS[k].rule;
}

const char *ddb_ci_kind_what(ddb_ci_kind k)
{
    return KINDS[k].what;
}

int ddb_ci_kind_sorted(ddb_ci_kind k)
{
    return KINDS[k].sorted;
}

static sketch *find(ddb_insights *ci, uint32_t id)
{
    for (unsigned i = 0; i < DDB_CI_MAX_SKETCHES; i++) {
        sketch *s = __atomic_load_n(&ci->sketches[i], __ATOMIC_ACQUIRE);
        if (s == NULL || s->id == id)
            return s;
    }
    return NULL;
}

static sketch *make(ddb_insights *ci, uint32_t id)
{
    sketch *s = ddb_zalloc(sizeof(*s));

    s->id = id;
    for (int i = 0; i < SHARDS; i++)
        pthread_spin_init(&s->shards[i].lock, PTHREAD_PROCESS_PRIVATE);
    for (unsigned i = 0; i < DDB_CI_MAX_SKETCHES; i++) {
        if (ci->sketches[i] == NULL) {
            __atomic_store_n(&ci->sketches[i], s, __ATOMIC_RELEASE);
            return s;
        }
    }
    free(s); /* full: this one is not recorded (the registry holds more than any realistic session) */
    return NULL;
}

static void clear(sketch *s)
{
    for (int i = 0; i < SHARDS; i++) {
        pthread_spin_lock(&s->shards[i].lock);
        memset(s->shards[i].cur, 0, sizeof(s->shards[i].cur));
        memset(s->shards[i].prev, 0, sizeof(s->shards[i].prev));
        pthread_spin_unlock(&s->shards[i].lock);
    }
}

void ddb_insights_configure(ddb_insights *ci, uint32_t id, ddb_ci_mode mode)
{
    sketch *s;
    int before, n = 0;

    if (ci == NULL)
        return;
    pthread_mutex_lock(&ci->configure_lock);
    s = find(ci, id);
    if (s == NULL && mode != DDB_CI_OFF)
        s = make(ci, id);
    if (s != NULL) {
        before = __atomic_load_n(&s->mode, __ATOMIC_RELAXED);
        if (before == DDB_CI_OFF && mode != DDB_CI_OFF)
            clear(s); /* a new enable starts a new record */
        __atomic_store_n(&s->mode, (int)mode, __ATOMIC_RELAXED);
    }
    for (unsigned i = 0; i < DDB_CI_MAX_SKETCHES && ci->sketches[i] != NULL; i++)
        n += __atomic_load_n(&ci->sketches[i]->mode, __ATOMIC_RELAXED) != DDB_CI_OFF;
    __atomic_store_n(&ci->enabled, n, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&ci->configure_lock);
}

/* FNV-1a: keys are short, and equal keys must hash equally in every shard */
static uint64_t hash_of(const char *p, size_t n)
{
    uint64_t h = 14695981039346656037ull;

    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)p[i]) * 1099511628211ull;
    return h;
}

/* Space-Saving's update: the key's counter, else a free one, else the lightest one's place */
static void summary_add(summary *sm, uint64_t h, const char *key, size_t klen, double w)
{
    counter *c = NULL, *min = NULL;

    for (unsigned i = 0; i < sm->n && c == NULL; i++) {
        if (sm->c[i].hash == h)
            c = &sm->c[i];
        else if (min == NULL || sm->c[i].weight < min->weight)
            min = &sm->c[i];
    }
    if (c == NULL) {
        c = sm->n < DDB_CI_SLOTS ? &sm->c[sm->n++] : min;
        if (c != min)
            c->weight = 0;
        c->hash = h;
        c->klen = (uint16_t)(klen < DDB_CI_KEY_MAX ? klen : DDB_CI_KEY_MAX);
        memcpy(c->key, key, c->klen);
    }
    c->weight += w;
}

/* Moves the shard to the generation of `now` (the caller holds its lock). */
static void roll(shard *sh, uint64_t now)
{
    if (now - sh->start_ms < DDB_CI_WINDOW_MS)
        return;
    if (now - sh->start_ms < 2 * DDB_CI_WINDOW_MS)
        memcpy(sh->prev, sh->cur, sizeof(sh->cur));
    else
        memset(sh->prev, 0, sizeof(sh->prev));
    memset(sh->cur, 0, sizeof(sh->cur));
    sh->start_ms = now - (now - sh->start_ms) % DDB_CI_WINDOW_MS;
}

/* Each thread keeps to one shard, chosen round-robin at its first record. Process-wide on purpose
   (layers.check's allow-list): a thread's shard index only spreads threads over a sketch's shards,
   of whichever engine; it holds no engine's figures. */
static shard *my_shard(sketch *s)
{
    static unsigned next;
    static __thread unsigned mine = ~0u;

    if (mine == ~0u)
        mine = __atomic_fetch_add(&next, 1, __ATOMIC_RELAXED) % SHARDS;
    return &s->shards[mine];
}

/* `key` is [pk_len][pk][sk]; pk_end the bytes up to the partition key's end. */
static void record(sketch *s, const char *key, size_t klen, size_t pk_end, double units, int throttled)
{
    int mode = __atomic_load_n(&s->mode, __ATOMIC_RELAXED);
    int base = throttled ? DDB_CI_PKT : DDB_CI_PKC;
    double w = throttled ? 1 : units;
    shard *sh;

    if (mode == DDB_CI_OFF || (!throttled && mode != DDB_CI_ACCESSED_AND_THROTTLED_KEYS))
        return;
    sh = my_shard(s);
    pthread_spin_lock(&sh->lock);
    roll(sh, ddb_clock_now_ms());
    summary_add(&sh->cur[base], hash_of(key, pk_end), key, pk_end, w);
    if (klen > pk_end)
        summary_add(&sh->cur[base + 1], hash_of(key, klen), key, klen, w);
    pthread_spin_unlock(&sh->lock);
}

void ddb_insights_record_stored(ddb_insights *ci, const char *key, size_t klen, double units, int throttled)
{
    sketch *s;
    size_t pk_end;

    if (!ddb_insights_on(ci) || klen < DDB_KEY_PREFIX_BYTES || (s = find(ci, (uint32_t)ddb_get_be(key, 4))) == NULL)
        return;
    pk_end = DDB_KEY_PREFIX_BYTES + ddb_get_be(key + DDB_KEY_PARTITION_BYTES, 2);
    key += DDB_KEY_PARTITION_BYTES;
    klen -= DDB_KEY_PARTITION_BYTES;
    pk_end -= DDB_KEY_PARTITION_BYTES;
    record(s, key, klen, pk_end < klen ? pk_end : klen, units, throttled);
}

void ddb_insights_record_parts(ddb_insights *ci, uint32_t id, const char *pk, size_t pklen, const char *sk,
                               size_t sklen, double units, int throttled)
{
    char key[DDB_CI_KEY_MAX + 2];
    size_t n = 0;
    sketch *s;

    if (!ddb_insights_on(ci) || (s = find(ci, id)) == NULL)
        return;
    /* beyond DDB_CI_KEY_MAX only the hash tells keys apart: keep the hashed bytes whole */
    if (2 + pklen + sklen > sizeof(key)) {
        char *big = malloc(2 + pklen + sklen);
        if (big == NULL)
            return;
        ddb_put_be(big, pklen, 2);
        memcpy(big + 2, pk, pklen);
        memcpy(big + 2 + pklen, sk, sklen);
        record(s, big, 2 + pklen + sklen, 2 + pklen, units, throttled);
        free(big);
        return;
    }
    ddb_put_be(key, pklen, 2);
    memcpy(key + 2, pk, pklen);
    n = 2 + pklen;
    if (sk != NULL) {
        memcpy(key + n, sk, sklen);
        n += sklen;
    }
    record(s, key, n, 2 + pklen, units, throttled);
}

/* Adds a summary's counters to the merged list (out[0..*n), up to cap). */
static void merge(const summary *sm, ddb_ci_top *out, size_t *n, size_t cap)
{
    for (unsigned i = 0; i < sm->n; i++) {
        const counter *c = &sm->c[i];
        size_t j = 0;
        while (j < *n && out[j].hash != c->hash)
            j++;
        if (j == *n) {
            if (*n == cap)
                continue;
            out[(*n)++] = (ddb_ci_top){.hash = c->hash, .klen = c->klen};
            memcpy(out[j].key, c->key, c->klen);
        }
        out[j].weight += c->weight;
    }
}

static int heavier_first(const void *a, const void *b)
{
    double x = ((const ddb_ci_top *)a)->weight, y = ((const ddb_ci_top *)b)->weight;

    return x < y ? 1 : x > y ? -1 : 0;
}

size_t ddb_insights_top(ddb_insights *ci, uint32_t id, ddb_ci_kind k, ddb_ci_top *out, size_t max)
{
    enum { CAP = SHARDS * 2 * DDB_CI_SLOTS };
    ddb_ci_top all[CAP];
    uint64_t now = ddb_clock_now_ms();
    sketch *s = ci != NULL ? find(ci, id) : NULL;
    size_t n = 0;

    if (s == NULL || __atomic_load_n(&s->mode, __ATOMIC_RELAXED) == DDB_CI_OFF)
        return 0;
    for (int i = 0; i < SHARDS; i++) {
        shard *sh = &s->shards[i];
        pthread_spin_lock(&sh->lock);
        roll(sh, now);
        merge(&sh->cur[k], all, &n, CAP);
        merge(&sh->prev[k], all, &n, CAP);
        pthread_spin_unlock(&sh->lock);
    }
    qsort(all, n, sizeof(all[0]), heavier_first);
    n = n < max ? n : max;
    memcpy(out, all, n * sizeof(all[0]));
    return n;
}

/* A key-form value as an AttributeValue of type t (N is decoded back to its text). */
static void value_of(ddb_arena *a, const char *form, size_t len, ddb_type t, ddb_attr *v)
{
    *v = (ddb_attr){.type = (uint8_t)t, .len = (uint32_t)len, .u.s = form};
    if (t == DDB_T_N) {
        ddb_num num;
        char *text = ddb_arena_alloc(a, DDB_NUM_TEXT_MAX);
        ddb_num_decode_key((const uint8_t *)form, len, &num);
        v->len = (uint32_t)ddb_num_format(&num, text);
        v->u.s = text;
    }
}

void ddb_insights_values(ddb_arena *a, const ddb_ci_top *top, ddb_type pk_type, ddb_type sk_type, ddb_attr *pk,
                         ddb_attr *sk)
{
    size_t pklen = top->klen >= 2 ? ddb_get_be(top->key, 2) : 0;
    size_t have = top->klen - 2;

    pklen = pklen < have ? pklen : have;
    value_of(a, top->key + 2, pklen, pk_type, pk);
    *sk = (ddb_attr){.type = DDB_T_NONE};
    if (top->klen > 2 + pklen && sk_type != DDB_T_NONE)
        value_of(a, top->key + 2 + pklen, top->klen - 2 - pklen, sk_type, sk);
}

void ddb_insights_watch(void *ctx, const ddb_table *t, int on)
{
    ddb_insights *ci = ctx;

    ddb_insights_configure(ci, t->id, on ? (ddb_ci_mode)t->ci.mode : DDB_CI_OFF);
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind == DDB_IX_GLOBAL || !on)
            ddb_insights_configure(ci, t->indexes[i].id, on ? (ddb_ci_mode)t->indexes[i].ci.mode : DDB_CI_OFF);
}

/* ---- the table member "ddbdInsights": {"Table": state, "Indexes": {name: state}}, a state
   {"Mode", "Changed", "Enabled"} (Mode absent while disabled) ---- */

typedef struct insights_value {
    const char *index; /* the GSI whose state changes; NULL: the table's */
    ddb_ci_state st;
} insights_value;

static void insights_state_read(const ddb_json *o, ddb_ci_state *st)
{
    if (o == NULL)
        return;
    st->mode = (int)ddb_ci_mode_from_name(ddb_json_get_str(o, "Mode"));
    st->changed_ms = ddb_member_u64(ddb_json_get(o, "Changed"));
    st->enabled_ms = ddb_member_u64(ddb_json_get(o, "Enabled"));
}

/* t's and its GSIs' states (after its indexes: feature.h) */
static void insights_read(ddb_table *t, const ddb_json *ci)
{
    const ddb_json *ixs = ddb_json_get(ci, "Indexes");

    insights_state_read(ddb_json_get(ci, "Table"), &t->ci);
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind == DDB_IX_GLOBAL)
            insights_state_read(ddb_json_get(ixs, t->indexes[i].name), &t->indexes[i].ci);
}

static void insights_state_write(ddb_jw *w, const char *key, const ddb_ci_state *st)
{
    if (st->changed_ms == 0)
        return;
    ddb_jw_key(w, key);
    ddb_jw_obj_begin(w);
    if (st->mode != DDB_CI_OFF) {
        ddb_jw_key(w, "Mode");
        ddb_jw_str(w, ddb_ci_mode_name((ddb_ci_mode)st->mode));
    }
    ddb_jw_key(w, "Changed");
    ddb_jw_int(w, (long long)st->changed_ms);
    ddb_jw_key(w, "Enabled");
    ddb_jw_int(w, (long long)st->enabled_ms);
    ddb_jw_obj_end(w);
}

/* t's states with that of the value's index (NULL: the table's) changed */
static void insights_write(ddb_jw *w, const ddb_member_edit *e)
{
    const insights_value *v = e->value;
    const ddb_table *t = e->base;

    ddb_jw_obj_begin(w);
    insights_state_write(w, "Table", v->index == NULL ? &v->st : &t->ci);
    ddb_jw_key(w, "Indexes");
    ddb_jw_obj_begin(w);
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind == DDB_IX_GLOBAL)
            insights_state_write(w, ix->name, v->index != NULL && strcmp(v->index, ix->name) == 0 ? &v->st : &ix->ci);
    }
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

const ddb_table_member ddb_member_insights = {DDB_MEMBER_INSIGHTS, insights_read, insights_write};

void ddb_edit_insights(ddb_desc_edit *e, const char *index, const ddb_ci_state *st)
{
    insights_value v = {index, *st};

    ddb_edit_member(e, &ddb_member_insights, &v, sizeof(v));
}
