/*
 * server/engine/consistency.c: eventual consistency on demand (consistency.h): the tables'
 * settings, their logs of recent changes, and the reads that overlay a log on the store.
 */
#include "server/engine/consistency.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"

/* One committed change (malloc'd copies). */
typedef struct change {
    uint32_t table_id; /* a table deleted and made again is another table: its changes are not its */
    uint64_t w_ms;     /* committed at */
    uint64_t v_ms;     /* its GSI entries visible from (w_ms + the drawn lag; never before the item's previous change's) */
    ddb_key key;
    char *old, *new_val; /* stored images; NULL: absent */
    size_t oldlen, newlen;
} change;

typedef struct table_state {
    char *name;
    int own;                 /* set through ddb_consist_set (else the defaults, in s) */
    ddb_consist_settings s;
    uint64_t nreads, nwrites; /* the draws taken: the sequence's position */
    change *log;
    size_t start, end, cap;
    size_t bytes;            /* the images and keys its log holds */
} table_state;

struct ddb_consistency {
    pthread_mutex_t mu;
    ddb_consist_settings defaults;
    table_state tables[DDB_CONSIST_TABLES_MAX];
    unsigned n;
};

static int settings_on(const ddb_consist_settings *s)
{
    return s->lag_max_ms > 0 || s->stale_ms > 0;
}

/* The draw number n of a sequence (splitmix64 of seed and n): the same seed, the same draws. */
static uint64_t draw(uint64_t seed, uint64_t salt, uint64_t n)
{
    uint64_t z = seed ^ (salt * 0xd1342543de82ef95ULL) ^ (n * 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

int ddb_consist_parse_lag(const char *s, unsigned *min_ms, unsigned *max_ms)
{
    char *end;
    unsigned long a, b;

    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    a = strtoul(s, &end, 10);
    b = a;
    if (*end == '-') {
        if (end[1] < '0' || end[1] > '9')
            return -1;
        b = strtoul(end + 1, &end, 10);
    }
    if (*end != '\0' || a > 3600000 || b > 3600000 || b < a)
        return -1;
    *min_ms = (unsigned)a;
    *max_ms = (unsigned)b;
    return 0;
}

struct ddb_consistency *ddb_consist_create(const ddb_consist_settings *defaults)
{
    struct ddb_consistency *c = calloc(1, sizeof(*c));

    if (c == NULL)
        return NULL;
    pthread_mutex_init(&c->mu, NULL);
    if (defaults != NULL)
        c->defaults = *defaults;
    return c;
}

static void change_free(change *ch)
{
    free(ch->key.bytes);
    free(ch->old);
    free(ch->new_val);
}

static size_t change_bytes(const change *ch)
{
    return ch->key.len + (ch->old != NULL ? ch->oldlen : 0) + (ch->new_val != NULL ? ch->newlen : 0);
}

static void log_clear(table_state *ts)
{
    for (size_t i = ts->start; i < ts->end; i++)
        change_free(&ts->log[i]);
    ts->start = ts->end = 0;
    ts->bytes = 0;
}

void ddb_consist_free(struct ddb_consistency *c)
{
    if (c == NULL)
        return;
    for (unsigned i = 0; i < c->n; i++) {
        log_clear(&c->tables[i]);
        free(c->tables[i].log);
        free(c->tables[i].name);
    }
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Table `name`'s state (under c->mu), made with the defaults when `make`; NULL when absent or full. */
static table_state *state_of(struct ddb_consistency *c, const char *name, int make)
{
    table_state *ts;

    for (unsigned i = 0; i < c->n; i++)
        if (strcmp(c->tables[i].name, name) == 0)
            return &c->tables[i];
    if (!make || c->n == DDB_CONSIST_TABLES_MAX || (name = strdup(name)) == NULL)
        return NULL;
    ts = &c->tables[c->n++];
    memset(ts, 0, sizeof(*ts));
    ts->name = (char *)name;
    ts->s = c->defaults;
    return ts;
}

/* The settings table t follows (under c->mu): its namespace's table's, its name's in any
   namespace, or the defaults; *ts its state (NULL: none yet). */
static const ddb_consist_settings *settings_of(struct ddb_consistency *c, const ddb_table *t, table_state **ts)
{
    char key[320];

    *ts = NULL;
    if ((size_t)snprintf(key, sizeof(key), "%s|%s", t->ns != NULL ? t->ns : "", t->name) < sizeof(key))
        *ts = state_of(c, key, 0); /* (the default namespace's: "|name") */
    if (*ts == NULL)
        *ts = state_of(c, t->name, 0);
    return *ts != NULL ? &(*ts)->s : &c->defaults;
}

int ddb_consist_set(struct ddb_consistency *c, const char *name, const ddb_consist_settings *s)
{
    table_state *ts;

    pthread_mutex_lock(&c->mu);
    ts = state_of(c, name, 1);
    if (ts != NULL) {
        ts->s = *s;
        ts->own = 1;
        ts->nreads = ts->nwrites = 0;
        if (!settings_on(s))
            log_clear(ts);
    }
    pthread_mutex_unlock(&c->mu);
    return ts != NULL ? 0 : -1;
}

void ddb_consist_forget(struct ddb_consistency *c)
{
    if (c == NULL)
        return;
    pthread_mutex_lock(&c->mu);
    for (unsigned i = 0; i < c->n; i++)
        log_clear(&c->tables[i]);
    pthread_mutex_unlock(&c->mu);
}

static void describe_settings(FILE *f, const ddb_consist_settings *s)
{
    fprintf(f, "\"indexLagMs\": \"%u-%u\", \"staleReadsMs\": %u, \"seed\": %llu", s->lag_min_ms, s->lag_max_ms,
            s->stale_ms, (unsigned long long)s->seed);
}

char *ddb_consist_describe(struct ddb_consistency *c)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);

    if (f == NULL)
        return NULL;
    fputs("{\"defaults\": {", f);
    if (c != NULL)
        pthread_mutex_lock(&c->mu);
    describe_settings(f, c != NULL ? &c->defaults : &(ddb_consist_settings){0, 0, 0, 0});
    fputs("}, \"tables\": [", f);
    for (unsigned i = 0, k = 0; c != NULL && i < c->n; i++) {
        const table_state *ts = &c->tables[i];
        if (!ts->own)
            continue;
        fprintf(f, "%s{\"table\": \"%s\", ", k++ ? ", " : "", ts->name);
        describe_settings(f, &ts->s);
        fprintf(f, ", \"changesKept\": %zu}", ts->end - ts->start);
    }
    if (c != NULL)
        pthread_mutex_unlock(&c->mu);
    fputs("]}", f);
    fclose(f);
    return out;
}

/* ---- the log ---- */

static void *dup_or_null(const void *p, size_t n)
{
    void *d;

    if (p == NULL)
        return NULL;
    d = malloc(n > 0 ? n : 1);
    if (d != NULL)
        memcpy(d, p, n);
    return d;
}

/* Forgets the changes no read can miss any more, and the oldest beyond the log's bound. */
static void log_trim(table_state *ts, uint64_t now)
{
    while (ts->start < ts->end) {
        const change *ch = &ts->log[ts->start];
        int missable = ch->w_ms + ts->s.stale_ms >= now || ch->v_ms >= now;
        if (missable && ts->end - ts->start < DDB_CONSIST_LOG_MAX && ts->bytes <= DDB_CONSIST_LOG_BYTES)
            break;
        ts->bytes -= change_bytes(&ts->log[ts->start]);
        change_free(&ts->log[ts->start++]);
    }
    if (ts->start == ts->end)
        ts->start = ts->end = 0;
}

/* Room for one more change at ts->log[ts->end]; 0, or -1 when memory ran out. */
static int log_room(table_state *ts)
{
    if (ts->end < ts->cap)
        return 0;
    if (ts->start > 0) {
        memmove(ts->log, ts->log + ts->start, (ts->end - ts->start) * sizeof(change));
        ts->end -= ts->start;
        ts->start = 0;
        if (ts->end < ts->cap)
            return 0;
    }
    size_t cap = ts->cap ? ts->cap * 2 : 64;
    change *log = realloc(ts->log, cap * sizeof(change));
    if (log == NULL)
        return -1;
    ts->log = log;
    ts->cap = cap;
    return 0;
}

static int same_key(const ddb_key *a, const ddb_key *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

void ddb_consist_note(struct ddb_consistency *c, const ddb_table *t, const ddb_key *key, const char *old,
                      size_t oldlen, const char *new_val, size_t newlen)
{
    uint64_t now = ddb_clock_now_ms();
    table_state *ts;
    change ch = {t->id, now, now, *key, NULL, NULL, oldlen, newlen};

    pthread_mutex_lock(&c->mu);
    if (!settings_on(settings_of(c, t, &ts)) || (ts == NULL && (ts = state_of(c, t->name, 1)) == NULL)) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    log_trim(ts, now);
    if (ts->s.lag_max_ms > 0)
        ch.v_ms = now + ts->s.lag_min_ms +
                  draw(ts->s.seed, 1, ts->nwrites++) % ((uint64_t)ts->s.lag_max_ms - ts->s.lag_min_ms + 1);
    /* an item's changes reach the index in order: never before its previous one */
    for (size_t i = ts->end; i > ts->start; i--) {
        const change *prev = &ts->log[i - 1];
        if (prev->table_id == t->id && same_key(&prev->key, key)) {
            if (prev->v_ms > ch.v_ms)
                ch.v_ms = prev->v_ms;
            break;
        }
    }
    ch.key.bytes = dup_or_null(key->bytes, key->len);
    ch.old = dup_or_null(old, oldlen);
    ch.new_val = dup_or_null(new_val, newlen);
    if (ch.key.bytes == NULL || (old != NULL && ch.old == NULL) || (new_val != NULL && ch.new_val == NULL) ||
        log_room(ts) != 0)
        change_free(&ch); /* out of memory: the change is simply seen at once */
    else {
        ts->bytes += change_bytes(&ch);
        ts->log[ts->end++] = ch;
    }
    pthread_mutex_unlock(&c->mu);
}

/* ---- the reads ---- */

/* A change a read misses, copied into the read's arena. */
typedef struct missed {
    size_t seq;
    ddb_key key;
    const char *old, *new_val;
    size_t oldlen, newlen;
} missed;

/* Whether a read of t (or its index ix) at `now`, by a replica `stale` ms behind, misses change ch. */
static int is_missed(const change *ch, const ddb_table *t, const ddb_index *ix, const ddb_key *only, uint64_t now,
                     uint64_t stale)
{
    int lagged = ix != NULL && ix->kind == DDB_IX_GLOBAL && ch->v_ms > now;

    return ch->table_id == t->id && (lagged || ch->w_ms + stale > now) && (only == NULL || same_key(only, &ch->key));
}

/*
 * The changes of t's items the read misses (arena copies, in commit order): those younger than
 * the read's replica lag (drawn: half the reads are current, half lag by stale/2..stale), and for
 * a GSI those whose entries are not visible yet. With `only`, that item's alone. -1: t is off.
 */
static long missed_changes(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix,
                           const ddb_key *only, missed **out)
{
    struct ddb_consistency *c = __atomic_load_n(&eng->consistency, __ATOMIC_ACQUIRE);
    uint64_t now = ddb_clock_now_ms(), stale = 0;
    const ddb_consist_settings *s;
    table_state *ts;
    long n = 0;

    pthread_mutex_lock(&c->mu);
    s = settings_of(c, t, &ts);
    if (!settings_on(s)) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    if (s->stale_ms > 0 && ts != NULL) {
        uint64_t d = draw(s->seed, 2, ts->nreads++);
        stale = (d & 1) ? 0 : s->stale_ms / 2 + (d >> 1) % (s->stale_ms - s->stale_ms / 2 + 1);
    }
    for (size_t i = ts != NULL ? ts->start : 0; ts != NULL && i < ts->end; i++)
        n += is_missed(&ts->log[i], t, ix, only, now, stale);
    *out = DDB_NEW_ARRAY(a, missed, n + 1);
    n = 0;
    for (size_t i = ts != NULL ? ts->start : 0; ts != NULL && i < ts->end; i++) {
        const change *ch = &ts->log[i];
        if (!is_missed(ch, t, ix, only, now, stale))
            continue;
        missed *m = &(*out)[n++];
        m->seq = i;
        m->key = ch->key;
        m->key.bytes = ddb_arena_memdup(a, ch->key.bytes, ch->key.len);
        m->old = ch->old != NULL ? ddb_arena_memdup(a, ch->old, ch->oldlen) : NULL;
        m->new_val = ch->new_val != NULL ? ddb_arena_memdup(a, ch->new_val, ch->newlen) : NULL;
        m->oldlen = ch->oldlen;
        m->newlen = ch->newlen;
    }
    pthread_mutex_unlock(&c->mu);
    return n;
}

int ddb_consist_read_item(ddb_engine *eng, const ddb_table *t, int consistent, ddb_arena *a, const ddb_key *key,
                          ddb_attr *item, size_t *size, int *found)
{
    missed *ms;
    long n;

    if (consistent || __atomic_load_n(&eng->consistency, __ATOMIC_RELAXED) == NULL ||
        (n = missed_changes(eng, a, t, NULL, key, &ms)) <= 0)
        return ddb_read_item(eng, a, key, item, size, found);
    /* the replica has the item as it was before the first change it misses */
    *found = ms[0].old != NULL;
    if (!*found)
        return 0;
    *size = ddb_item_stored_size(ms[0].old, ms[0].oldlen);
    return ddb_item_decode(a, ms[0].old, ms[0].oldlen, item) != 0 ? DDB_READ_FAILED : 0;
}

/* One entry of a read's overlay: the old entry shown in place of the store's (val NULL: the store's
   entry at key is hidden, the item's newer entry the read must not see yet). */
typedef struct overlay {
    const char *key, *val;
    size_t klen, vlen;
} overlay;

static int keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : alen < blen ? -1 : alen > blen;
}

static int cmp_missed(const void *x, const void *y)
{
    const missed *a = x, *b = y;
    int c = keycmp(a->key.bytes, a->key.len, b->key.bytes, b->key.len);
    return c != 0 ? c : a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int cmp_overlay(const void *x, const void *y)
{
    const overlay *a = x, *b = y;
    int c = keycmp(a->key, a->klen, b->key, b->klen);
    return c != 0 ? c : (b->val != NULL) - (a->val != NULL); /* an old entry before a hidden one */
}

/* The entry stored image `img` of item m->key has in the keyspace read (t's items, or ix's). */
static int entry_of(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, const missed *m,
                    const char *img, size_t len, overlay *e)
{
    ddb_attr item, proj;
    ddb_key k;
    char *enc;

    if (img == NULL)
        return 0;
    if (ix == NULL) {
        *e = (overlay){m->key.bytes, img, m->key.len, len};
        return 1;
    }
    if (ddb_item_decode(a, img, len, &item) != 0 || ddb_index_entry_key(a, eng->store, ix, &item, &m->key, &k) != 0)
        return 0;
    ddb_index_project(a, t, ix, &item, &proj);
    ddb_item_encode(a, &proj, ddb_item_size(&proj), &enc, &e->vlen);
    e->val = enc;
    e->key = k.bytes;
    e->klen = k.len;
    return 1;
}

typedef struct bounds {
    const char *lo, *hi, *after;
    size_t lolen, hilen, afterlen;
    int reverse;
} bounds;

static int in_bounds(const bounds *b, const overlay *e)
{
    int c;

    if (keycmp(e->key, e->klen, b->lo, b->lolen) < 0 || (b->hilen > 0 && keycmp(e->key, e->klen, b->hi, b->hilen) >= 0))
        return 0;
    if (b->after == NULL)
        return 1;
    c = keycmp(e->key, e->klen, b->after, b->afterlen);
    return b->reverse ? c < 0 : c > 0;
}

/* The read's overlay, in key order: per item it misses changes of, its entry before the first of
   them (if it had one) and its entry now hidden (if another). */
static size_t build_overlay(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, missed *ms,
                            size_t n, const bounds *b, overlay **out)
{
    overlay *ov = DDB_NEW_ARRAY(a, overlay, 2 * n + 1);
    size_t k = 0, kept = 0;

    qsort(ms, n, sizeof(*ms), cmp_missed);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && same_key(&ms[j].key, &ms[i].key);)
            j++;
        overlay was, now;
        int had = entry_of(eng, a, t, ix, &ms[i], ms[i].old, ms[i].oldlen, &was);
        int has = entry_of(eng, a, t, ix, &ms[j - 1], ms[j - 1].new_val, ms[j - 1].newlen, &now);
        if (had && in_bounds(b, &was))
            ov[k++] = was;
        if (has && in_bounds(b, &now))
            ov[k++] = (overlay){now.key, NULL, now.klen, 0};
    }
    qsort(ov, k, sizeof(*ov), cmp_overlay);
    for (size_t i = 0; i < k; i++) /* an old entry at the key of the hidden one replaces it */
        if (kept == 0 || keycmp(ov[i].key, ov[i].klen, ov[kept - 1].key, ov[kept - 1].klen) != 0)
            ov[kept++] = ov[i];
    *out = ov;
    return kept;
}

/* The store's range with the overlay merged in, in the read's order. */
typedef struct merge {
    const overlay *ov;
    size_t n, pos;
    int reverse;
    ddb_read_fn fn;
    void *ctx;
} merge;

static const overlay *merge_next(const merge *m)
{
    return m->pos < m->n ? &m->ov[m->reverse ? m->n - 1 - m->pos : m->pos] : NULL;
}

static int merge_entry(void *ctx, const char *k, size_t klen, const char *v, size_t vlen)
{
    merge *m = ctx;
    const overlay *e;
    int rc;

    while ((e = merge_next(m)) != NULL) {
        int c = keycmp(e->key, e->klen, k, klen);
        if (m->reverse)
            c = -c;
        if (c > 0)
            break;
        m->pos++;
        if (c == 0) /* the store's entry is the one the overlay replaces or hides */
            return e->val != NULL ? m->fn(m->ctx, e->key, e->klen, e->val, e->vlen) : 0;
        if (e->val != NULL && (rc = m->fn(m->ctx, e->key, e->klen, e->val, e->vlen)) != 0)
            return rc;
    }
    return m->fn(m->ctx, k, klen, v, vlen);
}

int ddb_consist_read_range(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, int consistent,
                           const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse, const char *after,
                           size_t afterlen, ddb_read_fn fn, void *ctx)
{
    bounds b = {lo, hi, after, lolen, hilen, afterlen, reverse};
    merge m = {NULL, 0, 0, reverse, fn, ctx};
    const overlay *e;
    missed *ms;
    long n;
    int rc;

    if (consistent || __atomic_load_n(&eng->consistency, __ATOMIC_RELAXED) == NULL ||
        (n = missed_changes(eng, a, t, ix, NULL, &ms)) <= 0)
        return ddb_read_range(eng, lo, lolen, hi, hilen, reverse, after, afterlen, fn, ctx);
    m.n = build_overlay(eng, a, t, ix, ms, (size_t)n, &b, (overlay **)&m.ov);
    rc = ddb_read_range(eng, lo, lolen, hi, hilen, reverse, after, afterlen, merge_entry, &m);
    while (rc == 0 && (e = merge_next(&m)) != NULL) { /* old entries past the store's last */
        m.pos++;
        if (e->val != NULL)
            rc = fn(ctx, e->key, e->klen, e->val, e->vlen);
    }
    return rc;
}
