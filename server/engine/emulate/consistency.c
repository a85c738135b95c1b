/*
 * server/engine/emulate/consistency.c: eventual consistency on demand (consistency.h): the tables'
 * settings, their logs of recent changes, and the reads that overlay a log on the store.
 */
#include "server/engine/emulate/consistency.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/clock.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"

/*
 * One committed change, in one allocation with its key and old image. It is in two lists: its
 * table's log (oldest first: what the budget and the windows forget first) and its item's changes
 * still logged (the item map holds each item's newest: a point read walks back from it).
 */
typedef struct change {
    struct change *older, *newer;           /* the table's log */
    struct change *same_older, *same_newer; /* the item's previous and next change still logged */
    struct change *hnext;                   /* the item map's bucket (while it is its item's newest) */
    uint64_t seq;                           /* the notes' order over every table: the budget's */
    uint64_t w_ms;                          /* committed at */
    uint64_t v_ms; /* its GSI entries visible from (w_ms + the drawn lag; never before the item's previous change's) */
    uint64_t hash; /* of table_id and key: the item map's */
    uint32_t table_id; /* a table deleted and made again is another table: its changes are not its */
    ddb_key key;
    const char *old; /* the stored image before (NULL: absent) */
    size_t oldlen;
    size_t bytes;    /* what it counts against the budget */
} change;

typedef struct table_state {
    pthread_mutex_t mu; /* all below but name (set before the state is published, never changed) */
    const char *name;
    int own;            /* set through ddb_consist_set (else the defaults, in s) */
    ddb_consist_settings s;
    /* The stale-read draws taken, per table (its id): each table of the state, in each region,
       has its own sequence of reads. (A write's index lag is drawn from the change itself,
       lag_draw.) A few tables a state: a short array. */
    struct draws {
        uint32_t table_id;
        uint64_t nreads;
    } *draws, spill; /* spill: every table's when the array could not grow (out of memory) */
    size_t ndraws, capdraws;
    change *oldest, *newest;
    size_t nchanges;
    uint64_t head_seq;  /* atomic: oldest's seq (UINT64_MAX: empty), read by the budget without mu */
    uint64_t max_delay; /* the most a logged change's GSI entries trail its write: how far back reads look */
    int disordered;     /* the clock was stepped back under the log: a range read walks all of it */
    change **buckets;   /* the item map: each item's newest change, chained by hnext */
    size_t nbuckets, nitems;
} table_state;

struct ddb_consistency {
    pthread_mutex_t mu;        /* adds a table's state (readers find them without it: n is published) */
    pthread_mutex_t budget_mu; /* one forgetter at a time when the logs are over budget */
    ddb_consist_settings defaults;
    uint64_t bytes;            /* atomic: what every log holds, against DDB_CONSIST_BUDGET_BYTES */
    uint64_t seq;              /* atomic: the next note's */
    unsigned n;                /* atomic: the states published */
    table_state tables[DDB_CONSIST_TABLES_MAX];
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

/*
 * A write's index lag: the draw of the change itself (its table, key and new image), not the n-th
 * of a sequence. So it does not depend on the order in which the writes of different items reach
 * the table: a global table's replica is written whenever replication reaches it, its items in
 * any order (each item's changes in theirs), and a seeded run still repeats; so do writes from
 * several clients at once. The same change of the same item draws the same lag.
 */
static uint64_t lag_draw(uint64_t seed, uint64_t key_hash, const char *img, size_t len)
{
    uint64_t h = key_hash;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)img[i]) * 0x100000001b3ULL;
    return draw(seed, 1, h);
}

/* Table table_id's draws in ts (ts->mu held). */
static struct draws *draws_of(table_state *ts, uint32_t table_id)
{
    for (size_t i = 0; i < ts->ndraws; i++)
        if (ts->draws[i].table_id == table_id)
            return &ts->draws[i];
    if (ts->ndraws == ts->capdraws) {
        size_t cap = ts->capdraws ? ts->capdraws * 2 : 4;
        struct draws *d = realloc(ts->draws, cap * sizeof(*d));
        if (d == NULL)
            return &ts->spill;
        ts->draws = d;
        ts->capdraws = cap;
    }
    ts->draws[ts->ndraws] = (struct draws){table_id, 0};
    return &ts->draws[ts->ndraws++];
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
    pthread_mutex_init(&c->budget_mu, NULL);
    if (defaults != NULL)
        c->defaults = *defaults;
    return c;
}

/* ---- a table's log and item map (under its mu) ---- */

static uint64_t key_hash(uint32_t table_id, const ddb_key *k)
{
    uint64_t h = 0xcbf29ce484222325ULL ^ table_id;

    for (size_t i = 0; i < k->len; i++)
        h = (h ^ (unsigned char)k->bytes[i]) * 0x100000001b3ULL;
    return h;
}

static int same_key(const ddb_key *a, const ddb_key *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* The bucket link that holds the item's newest change (*link NULL: the item has none logged). */
static change **map_slot(table_state *ts, uint32_t table_id, const ddb_key *key, uint64_t h)
{
    change **link = &ts->buckets[h & (ts->nbuckets - 1)];

    while (*link != NULL && !((*link)->hash == h && (*link)->table_id == table_id && same_key(&(*link)->key, key)))
        link = &(*link)->hnext;
    return link;
}

/* Room in the map for one more item (doubling it past one item a bucket); -1: out of memory. */
static int map_room(table_state *ts)
{
    size_t n = ts->nbuckets ? ts->nbuckets * 2 : 64;
    change **b;

    if (ts->nbuckets > 0 && ts->nitems < ts->nbuckets)
        return 0;
    if ((b = calloc(n, sizeof(*b))) == NULL)
        return ts->nbuckets > 0 ? 0 : -1; /* a full map only chains longer */
    for (size_t i = 0; i < ts->nbuckets; i++)
        for (change *ch = ts->buckets[i], *next; ch != NULL; ch = next) {
            next = ch->hnext;
            ch->hnext = b[ch->hash & (n - 1)];
            b[ch->hash & (n - 1)] = ch;
        }
    free(ts->buckets);
    ts->buckets = b;
    ts->nbuckets = n;
    return 0;
}

/* Appends ch to the log and makes it its item's newest. */
static void log_push(struct ddb_consistency *c, table_state *ts, change *ch)
{
    change **link = map_slot(ts, ch->table_id, &ch->key, ch->hash);

    if ((ch->same_older = *link) != NULL) { /* ch takes its item's place in the bucket */
        ch->same_older->same_newer = ch;
        ch->hnext = ch->same_older->hnext;
    } else {
        ts->nitems++;
    }
    *link = ch;
    ch->older = ts->newest;
    if (ts->newest != NULL)
        ts->newest->newer = ch;
    else
        ts->oldest = ch;
    ts->newest = ch;
    ts->nchanges++;
    if (ch->v_ms - ch->w_ms > ts->max_delay)
        ts->max_delay = ch->v_ms - ch->w_ms;
    if (ch->older != NULL && ch->w_ms < ch->older->w_ms)
        ts->disordered = 1;
    __atomic_store_n(&ts->head_seq, ts->oldest->seq, __ATOMIC_RELAXED);
    __atomic_add_fetch(&c->bytes, ch->bytes, __ATOMIC_RELAXED);
}

/* Forgets the log's oldest change (the oldest of its item too). */
static void log_pop(struct ddb_consistency *c, table_state *ts)
{
    change *ch = ts->oldest;

    if ((ts->oldest = ch->newer) != NULL)
        ts->oldest->older = NULL;
    else
        ts->newest = NULL;
    if (ch->same_newer != NULL) {
        ch->same_newer->same_older = NULL;
    } else { /* its item's only change: out of the map */
        change **link = map_slot(ts, ch->table_id, &ch->key, ch->hash);
        *link = ch->hnext;
        ts->nitems--;
    }
    ts->nchanges--;
    if (ts->oldest == NULL) {
        ts->max_delay = 0;
        ts->disordered = 0;
    }
    __atomic_store_n(&ts->head_seq, ts->oldest != NULL ? ts->oldest->seq : UINT64_MAX, __ATOMIC_RELAXED);
    __atomic_sub_fetch(&c->bytes, ch->bytes, __ATOMIC_RELAXED);
    free(ch);
}

static void log_clear(struct ddb_consistency *c, table_state *ts)
{
    while (ts->oldest != NULL)
        log_pop(c, ts);
}

/* Forgets the changes no read can miss any more (their windows passed). */
static void log_trim(struct ddb_consistency *c, table_state *ts, uint64_t now)
{
    while (ts->oldest != NULL && ts->oldest->w_ms + ts->s.stale_ms < now && ts->oldest->v_ms < now)
        log_pop(c, ts);
}

/* Past the budget, forgets the oldest changes of every table, oldest first (taking one table's mu
   at a time, never while holding another's). */
static void budget_keep(struct ddb_consistency *c)
{
    if (__atomic_load_n(&c->bytes, __ATOMIC_RELAXED) <= DDB_CONSIST_BUDGET_BYTES)
        return;
    pthread_mutex_lock(&c->budget_mu);
    while (__atomic_load_n(&c->bytes, __ATOMIC_RELAXED) > DDB_CONSIST_BUDGET_BYTES) {
        unsigned n = __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
        table_state *pick = NULL;
        uint64_t best = UINT64_MAX;

        for (unsigned i = 0; i < n; i++) {
            uint64_t h = __atomic_load_n(&c->tables[i].head_seq, __ATOMIC_RELAXED);
            if (h < best) {
                best = h;
                pick = &c->tables[i];
            }
        }
        if (pick == NULL)
            break;
        pthread_mutex_lock(&pick->mu);
        if (pick->oldest != NULL && pick->oldest->seq == best)
            log_pop(c, pick);
        pthread_mutex_unlock(&pick->mu);
    }
    pthread_mutex_unlock(&c->budget_mu);
}

void ddb_consist_free(struct ddb_consistency *c)
{
    if (c == NULL)
        return;
    for (unsigned i = 0; i < c->n; i++) {
        log_clear(c, &c->tables[i]);
        free(c->tables[i].buckets);
        free((char *)c->tables[i].name);
        free(c->tables[i].draws);
        pthread_mutex_destroy(&c->tables[i].mu);
    }
    pthread_mutex_destroy(&c->budget_mu);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* ---- the tables' states ---- */

/* Table `name`'s state, NULL when it has none. The states are found without a lock: one is
   published (c->n) whole and stays until ddb_consist_free. */
static table_state *state_find(struct ddb_consistency *c, const char *name)
{
    unsigned n = __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);

    for (unsigned i = 0; i < n; i++)
        if (strcmp(c->tables[i].name, name) == 0)
            return &c->tables[i];
    return NULL;
}

/* Table `name`'s state, made with the defaults when it has none; NULL when the states are full. */
static table_state *state_make(struct ddb_consistency *c, const char *name)
{
    table_state *ts;
    char *copy;

    pthread_mutex_lock(&c->mu);
    if ((ts = state_find(c, name)) == NULL && c->n < DDB_CONSIST_TABLES_MAX && (copy = strdup(name)) != NULL) {
        ts = &c->tables[c->n];
        memset(ts, 0, sizeof(*ts));
        pthread_mutex_init(&ts->mu, NULL);
        ts->name = copy;
        ts->s = c->defaults;
        ts->head_seq = UINT64_MAX;
        __atomic_store_n(&c->n, c->n + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&c->mu);
    return ts;
}

/* The state whose settings table t follows: its namespace's table's, or its name's in any
   namespace; NULL: none (the defaults, with nothing logged yet). */
static table_state *state_of(struct ddb_consistency *c, const ddb_table *t)
{
    table_state *ts = NULL;
    char key[320];

    if ((size_t)snprintf(key, sizeof(key), "%s|%s", t->ns != NULL ? t->ns : "", t->name) < sizeof(key))
        ts = state_find(c, key); /* (the default namespace's: "|name") */
    return ts != NULL ? ts : state_find(c, t->name);
}

int ddb_consist_set(struct ddb_consistency *c, const char *name, const ddb_consist_settings *s)
{
    table_state *ts = state_make(c, name);

    if (ts == NULL)
        return -1;
    pthread_mutex_lock(&ts->mu);
    ts->s = *s;
    ts->own = 1;
    ts->ndraws = 0;
    ts->spill = (struct draws){0, 0};
    if (!settings_on(s))
        log_clear(c, ts);
    pthread_mutex_unlock(&ts->mu);
    return 0;
}

void ddb_consist_forget(struct ddb_consistency *c)
{
    unsigned n;

    if (c == NULL)
        return;
    n = __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
    for (unsigned i = 0; i < n; i++) {
        pthread_mutex_lock(&c->tables[i].mu);
        log_clear(c, &c->tables[i]);
        pthread_mutex_unlock(&c->tables[i].mu);
    }
}

size_t ddb_consist_bytes(struct ddb_consistency *c)
{
    return c != NULL ? (size_t)__atomic_load_n(&c->bytes, __ATOMIC_RELAXED) : 0;
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
    unsigned n = c != NULL ? __atomic_load_n(&c->n, __ATOMIC_ACQUIRE) : 0;

    if (f == NULL)
        return NULL;
    fputs("{\"defaults\": {", f);
    describe_settings(f, c != NULL ? &c->defaults : &(ddb_consist_settings){0, 0, 0, 0});
    fprintf(f, "}, \"budgetBytes\": %llu, \"bytesKept\": %zu, \"tables\": [",
            (unsigned long long)DDB_CONSIST_BUDGET_BYTES, ddb_consist_bytes(c));
    for (unsigned i = 0, k = 0; i < n; i++) {
        table_state *ts = &c->tables[i];
        pthread_mutex_lock(&ts->mu);
        if (ts->own) {
            fprintf(f, "%s{\"table\": \"%s\", ", k++ ? ", " : "", ts->name);
            describe_settings(f, &ts->s);
            fprintf(f, ", \"changesKept\": %zu}", ts->nchanges);
        }
        pthread_mutex_unlock(&ts->mu);
    }
    fputs("]}", f);
    fclose(f);
    return out;
}

/* ---- the log ---- */

/* A change of t's item at `key` (its old image only: a read shows the item as it was before the
   first change it misses), or NULL when memory ran out (the change is then simply seen at once). */
static change *change_new(struct ddb_consistency *c, const ddb_table *t, const ddb_key *key, const char *old,
                          size_t oldlen, uint64_t now)
{
    size_t bytes = sizeof(change) + key->len + (old != NULL ? oldlen : 0);
    change *ch = malloc(bytes);

    if (ch == NULL)
        return NULL;
    memset(ch, 0, sizeof(*ch));
    ch->seq = __atomic_fetch_add(&c->seq, 1, __ATOMIC_RELAXED);
    ch->w_ms = ch->v_ms = now;
    ch->table_id = t->id;
    ch->key = *key;
    ch->key.bytes = (char *)(ch + 1);
    memcpy(ch->key.bytes, key->bytes, key->len);
    ch->hash = key_hash(t->id, key);
    if (old != NULL) {
        ch->old = ch->key.bytes + key->len;
        memcpy((char *)ch->old, old, oldlen);
        ch->oldlen = oldlen;
    }
    ch->bytes = bytes + sizeof(change *); /* and its share of the item map */
    return ch;
}

void ddb_consist_note(struct ddb_consistency *c, const ddb_table *t, const ddb_key *key, const char *old,
                      size_t oldlen, const char *new_val, size_t newlen)
{
    uint64_t now = ddb_clock_meter_ms(); /* (lags and windows are durations: clock.h's meter) */
    table_state *ts = state_of(c, t);
    change *ch, *prev;

    if (ts == NULL && (!settings_on(&c->defaults) || (ts = state_make(c, t->name)) == NULL))
        return;
    pthread_mutex_lock(&ts->mu);
    if (!settings_on(&ts->s) || map_room(ts) != 0 || (ch = change_new(c, t, key, old, oldlen, now)) == NULL) {
        pthread_mutex_unlock(&ts->mu);
        return;
    }
    log_trim(c, ts, now);
    if (ts->s.lag_max_ms > 0)
        ch->v_ms = now + ts->s.lag_min_ms +
                   lag_draw(ts->s.seed, ch->hash, new_val, newlen) % ((uint64_t)ts->s.lag_max_ms - ts->s.lag_min_ms + 1);
    /* an item's changes reach the index in order: never before its previous one */
    if ((prev = *map_slot(ts, t->id, key, ch->hash)) != NULL && prev->v_ms > ch->v_ms)
        ch->v_ms = prev->v_ms;
    log_push(c, ts, ch);
    pthread_mutex_unlock(&ts->mu);
    budget_keep(c);
}

/* ---- the reads ---- */

/* What one read misses: the replica it is served by (a draw), and for a GSI the entries not visible yet. */
typedef struct view {
    uint32_t table_id;
    int gsi;
    uint64_t now, stale;
} view;

/* Whether the read misses change ch. An item's changes a read misses are its newest ones (a replica
   applies them in order; w_ms and v_ms grow along them, unless the clock was stepped back). */
static int is_missed(const change *ch, const view *v)
{
    return (v->gsi && ch->v_ms > v->now) || ch->w_ms + v->stale > v->now;
}

/* Locks t's state and takes the read's view (drawn: half the reads are current, half lag by
   stale/2..stale; the draw counted in *drawn). NULL: t is off, or has nothing logged yet (nothing
   locked). */
static table_state *view_of(struct ddb_consistency *c, const ddb_table *t, const ddb_index *ix, view *v,
                            unsigned *drawn)
{
    table_state *ts = state_of(c, t);

    if (ts == NULL)
        return NULL;
    pthread_mutex_lock(&ts->mu);
    if (!settings_on(&ts->s)) {
        pthread_mutex_unlock(&ts->mu);
        return NULL;
    }
    *v = (view){t->id, ix != NULL && ix->kind == DDB_IX_GLOBAL, ddb_clock_meter_ms(), 0};
    if (ts->s.stale_ms > 0) {
        uint64_t d = draw(ts->s.seed, 2, draws_of(ts, t->id)->nreads++);
        ++*drawn;
        v->stale = (d & 1) ? 0 : ts->s.stale_ms / 2 + (d >> 1) % (ts->s.stale_ms - ts->s.stale_ms / 2 + 1);
    }
    return ts;
}

/* The first change of the item the read misses, walking back from its newest; NULL: none. */
static const change *first_missed(const change *newest, const view *v)
{
    const change *first = NULL;

    for (const change *ch = newest; ch != NULL && is_missed(ch, v); ch = ch->same_older)
        first = ch;
    return first;
}

int ddb_consist_read_item(struct ddb_consistency *c, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                          const ddb_key *key, ddb_attr *item, size_t *size, int *found, unsigned *drawn)
{
    const change *first;
    table_state *ts;
    const char *old;
    size_t oldlen;
    view v;

    if ((ts = view_of(c, t, NULL, &v, drawn)) == NULL)
        return ddb_read_item(eng, a, key, item, size, found);
    first = ts->nbuckets > 0 ? first_missed(*map_slot(ts, t->id, key, key_hash(t->id, key)), &v) : NULL;
    old = first != NULL && first->old != NULL ? ddb_arena_memdup(a, first->old, first->oldlen) : NULL;
    oldlen = first != NULL ? first->oldlen : 0;
    pthread_mutex_unlock(&ts->mu);
    if (first == NULL)
        return ddb_read_item(eng, a, key, item, size, found);
    /* the replica has the item as it was before the first change it misses (absent: no size, so
       the read is charged as a read of no item, as ddb_read_item charges one) */
    *found = old != NULL;
    *size = 0;
    if (!*found)
        return 0;
    *size = ddb_item_stored_size(old, oldlen);
    return ddb_item_decode(a, old, oldlen, item) != 0 ? DDB_READ_FAILED : 0;
}

/* An item whose changes a range read misses (arena copies): its key without the table id, and its
   stored image before the first of them (NULL: absent). */
typedef struct missed {
    const char *id, *old;
    size_t idlen, oldlen;
    ddb_key key;
} missed;

/*
 * The items of t whose changes the read misses (unlocks ts): those whose newest change it misses,
 * each as before the first of its newest changes it misses (as a point read: first_missed). The
 * log is walked back from its newest change only as far as a read can miss one: the oldest younger
 * than the read's window (stale, or for a GSI the longest lag logged).
 */
static size_t missed_items(ddb_arena *a, table_state *ts, const view *v, missed **out)
{
    uint64_t reach = v->stale > (v->gsi ? ts->max_delay : 0) ? v->stale : v->gsi ? ts->max_delay : 0;
    size_t n = 0, k = 0;
    const change *ch;

    for (ch = ts->newest; ch != NULL && (ch->w_ms + reach > v->now || ts->disordered); ch = ch->older)
        n++;
    *out = DDB_NEW_ARRAY(a, missed, n + 1);
    for (ch = ts->newest; n-- > 0; ch = ch->older) {
        const change *first;
        if (ch->table_id != v->table_id || ch->same_newer != NULL || (first = first_missed(ch, v)) == NULL)
            continue;
        missed *m = &(*out)[k++];
        m->key = ch->key;
        m->key.bytes = ddb_arena_memdup(a, ch->key.bytes, ch->key.len);
        m->id = m->key.bytes + DDB_KEY_TABLE_BYTES;
        m->idlen = ch->key.len - DDB_KEY_TABLE_BYTES;
        m->old = first->old != NULL ? ddb_arena_memdup(a, first->old, first->oldlen) : NULL;
        m->oldlen = first->oldlen;
    }
    pthread_mutex_unlock(&ts->mu);
    return k;
}

/* An entry the read shows in place of its item's entries in the store: the item as before the
   first change the read misses, at its key in the keyspace read. */
typedef struct shown {
    const char *key, *val;
    size_t klen, vlen;
} shown;

static int keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : alen < blen ? -1 : alen > blen;
}

static int cmp_missed(const void *x, const void *y)
{
    const missed *a = x, *b = y;
    return keycmp(a->id, a->idlen, b->id, b->idlen);
}

static int cmp_shown(const void *x, const void *y)
{
    const shown *a = x, *b = y;
    return keycmp(a->key, a->klen, b->key, b->klen);
}

/* The entry item m had before the changes the read misses, in the keyspace read; 0: none. */
static int entry_of(ddb_engine *eng, ddb_arena *a, const ddb_table *t, const ddb_index *ix, const missed *m,
                    shown *e)
{
    ddb_attr item, proj;
    ddb_key k;
    char *enc;

    if (m->old == NULL)
        return 0;
    if (ix == NULL) {
        *e = (shown){m->key.bytes, m->old, m->key.len, m->oldlen};
        return 1;
    }
    if (ddb_item_decode(a, m->old, m->oldlen, &item) != 0 ||
        ddb_index_entry_key(a, eng->store, ix, &item, &m->key, &k) != 0)
        return 0;
    ddb_index_project(a, t, ix, &item, &proj);
    ddb_item_encode(a, &proj, ddb_item_size(&proj), &enc, &e->vlen);
    e->val = enc;
    e->key = k.bytes;
    e->klen = k.len;
    return 1;
}

static int in_bounds(const ddb_read_bounds *b, const shown *e)
{
    int c;

    if (keycmp(e->key, e->klen, b->lo, b->lolen) < 0 || (b->hilen > 0 && keycmp(e->key, e->klen, b->hi, b->hilen) >= 0))
        return 0;
    if (b->after == NULL)
        return 1;
    c = keycmp(e->key, e->klen, b->after, b->afterlen);
    return b->reverse ? c < 0 : c > 0;
}

/* The store's range with the read's overlay: every store entry of an item in `items` hidden
   (whatever its key: the store may hold a newer one than the log knows, another gateway's or a
   write not noted yet), the entries in `show` merged in, in the read's order. */
typedef struct merge {
    const ddb_index *ix;
    const missed *items;
    size_t nitems;
    const shown *show;
    size_t nshow, pos;
    int reverse;
    ddb_read_fn fn;
    void *ctx;
} merge;

static const shown *merge_next(const merge *m)
{
    return m->pos < m->nshow ? &m->show[m->reverse ? m->nshow - 1 - m->pos : m->pos] : NULL;
}

/* Whether store entry `k` is of an item the read misses changes of (found by its key's suffix). */
static int hidden(const merge *m, const char *k, size_t klen)
{
    missed probe;
    size_t off = DDB_KEY_TABLE_BYTES;

    if (m->ix != NULL && ddb_index_entry_base(m->ix, k, klen, &off) != 0)
        return 0;
    if (off > klen)
        return 0;
    probe.id = k + off;
    probe.idlen = klen - off;
    return bsearch(&probe, m->items, m->nitems, sizeof(*m->items), cmp_missed) != NULL;
}

static int merge_entry(void *ctx, const char *k, size_t klen, const char *v, size_t vlen)
{
    merge *m = ctx;
    const shown *e;
    int rc;

    while ((e = merge_next(m)) != NULL) {
        int c = keycmp(e->key, e->klen, k, klen);
        if (m->reverse ? c < 0 : c > 0)
            break;
        m->pos++;
        if ((rc = m->fn(m->ctx, e->key, e->klen, e->val, e->vlen)) != 0)
            return rc;
    }
    return hidden(m, k, klen) ? 0 : m->fn(m->ctx, k, klen, v, vlen);
}

int ddb_consist_read_range(struct ddb_consistency *c, ddb_engine *eng, ddb_arena *a, const ddb_table *t,
                           const ddb_index *ix, const ddb_read_bounds *b, ddb_read_fn fn, void *ctx, unsigned *drawn)
{
    merge m = {ix, NULL, 0, NULL, 0, 0, b->reverse, fn, ctx};
    missed *items;
    shown *show;
    const shown *e;
    table_state *ts;
    view v;
    int rc;

    if ((ts = view_of(c, t, ix, &v, drawn)) == NULL || (m.nitems = missed_items(a, ts, &v, &items)) == 0)
        return ddb_read_range(eng, b->lo, b->lolen, b->hi, b->hilen, b->reverse, b->after, b->afterlen, fn, ctx);
    qsort(items, m.nitems, sizeof(*items), cmp_missed);
    show = DDB_NEW_ARRAY(a, shown, m.nitems);
    for (size_t i = 0; i < m.nitems; i++)
        if (entry_of(eng, a, t, ix, &items[i], &show[m.nshow]) && in_bounds(b, &show[m.nshow]))
            m.nshow++;
    qsort(show, m.nshow, sizeof(*show), cmp_shown);
    m.items = items;
    m.show = show;
    rc = ddb_read_range(eng, b->lo, b->lolen, b->hi, b->hilen, b->reverse, b->after, b->afterlen, merge_entry, &m);
    while (rc == 0 && (e = merge_next(&m)) != NULL) { /* shown entries past the store's last */
        m.pos++;
        rc = fn(ctx, e->key, e->klen, e->val, e->vlen);
    }
    return rc;
}
