/*
 * server/engine/table_stats.c: per-table items, bytes and consumed capacity (see table_stats.h).
 */
#include "server/engine/table_stats.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/base/clock.h"
#include "server/base/log.h"

static unsigned keyspaces(const ddb_table *t, ddb_keyspace_figures *from, size_t nfrom, ddb_keyspace_figures *out);

/* Zeroed memory aligned for the striped members' cache lines (calloc's is not). */
static void *aligned_zalloc(size_t n)
{
    void *p = NULL;

    if (posix_memalign(&p, DDB_CACHE_LINE, n) != 0)
        abort();
    return memset(p, 0, n);
}

ddb_figures_epoch *ddb_figures_epoch_new(void)
{
    ddb_figures_epoch *e = aligned_zalloc(sizeof(*e));

    pthread_mutex_init(&e->turning, NULL);
    return e;
}

void ddb_figures_epoch_free(ddb_figures_epoch *e)
{
    if (e == NULL)
        return;
    pthread_mutex_destroy(&e->turning);
    free(e);
}

/* Where each row's figures go after the table's own (cache-line aligned); the bytes they take. */
static size_t lay_slots(const ddb_feature_rows *rows, unsigned off[DDB_FEATURES_MAX])
{
    size_t at = 0;

    for (unsigned i = 0; rows != NULL && i < rows->n && i < DDB_FEATURES_MAX; i++) {
        off[i] = (unsigned)at;
        at += (rows->row[i]->table_size + DDB_CACHE_LINE - 1) / DDB_CACHE_LINE * DDB_CACHE_LINE;
    }
    return at;
}

ddb_table_stats *ddb_table_stats_new(const ddb_table *t, int known, ddb_figures_epoch *shared,
                                     const ddb_feature_rows *rows)
{
    unsigned off[DDB_FEATURES_MAX] = {0};
    size_t slots = lay_slots(rows, off);
    ddb_table_stats *s = aligned_zalloc(sizeof(*s) + slots);

    s->rows = rows;
    memcpy(s->slot_off, off, sizeof(off));
    for (unsigned i = 0; rows != NULL && i < rows->n; i++)
        if (rows->row[i]->table_size != 0 && rows->row[i]->table_open != NULL)
            rows->row[i]->table_open(s->slots + off[i], t);
    pthread_mutex_init(&s->lock, NULL);
    pthread_mutex_init(&s->counting, NULL);
    s->known = known;
    s->shared = shared;
    s->nf = keyspaces(t, NULL, 0, s->f); /* a table just created: it and each index at zero */
    s->born_ms = known ? ddb_clock_now_ms() : 0;
    return s;
}

void ddb_table_stats_free(ddb_table_stats *s)
{
    if (s == NULL)
        return;
    for (unsigned i = 0; s->rows != NULL && i < s->rows->n; i++)
        if (s->rows->row[i]->table_size != 0 && s->rows->row[i]->table_close != NULL)
            s->rows->row[i]->table_close(s->slots + s->slot_off[i]);
    pthread_mutex_destroy(&s->lock);
    pthread_mutex_destroy(&s->counting);
    free(s->shown);
    free(s);
}

/* The figures of keyspace `id` among f[0..n), or NULL. */
static ddb_keyspace_figures *find(ddb_keyspace_figures *f, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (f[i].id == id)
            return &f[i];
    }
    return NULL;
}

static void add(ddb_keyspace_figures *f, size_t nf, const ddb_keyspace_figures *d, size_t n)
{
    f[0].items += d[0].items; /* the table's, whatever its id in a version not counted yet */
    f[0].bytes += d[0].bytes;
    for (size_t i = 1; i < n; i++) {
        ddb_keyspace_figures *x = find(f + 1, nf - 1, d[i].id);
        if (x != NULL) { /* else an index not counted yet (backfilling): counted once it is built */
            x->items += d[i].items;
            x->bytes += d[i].bytes;
        }
    }
}

static int unchanged(const ddb_keyspace_figures *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i].items != 0 || d[i].bytes != 0)
            return 0;
    }
    return 1;
}

void ddb_table_stats_change(ddb_table_stats *s, uint64_t epoch, const ddb_keyspace_figures *d, size_t n)
{
    if (s == NULL || n == 0 || unchanged(d, n))
        return; /* an overwrite of the same size, say: nothing to add, no lock to take */
    pthread_mutex_lock(&s->lock);
    if (epoch == s->epoch) {
        add(s->f, s->nf, d, n);
    } else if (s->checking && epoch + 1 == s->epoch) { /* in a check's snapshot: the count has it */
        add(s->f, s->nf, d, n);
        add(s->late, s->nf, d, n);
    }
    pthread_mutex_unlock(&s->lock);
}

void ddb_table_stats_charge(ddb_table_stats *s, double read_units, double write_units)
{
    if (s == NULL)
        return;
    /* units are multiples of 0.5: thousandths keep them exact in an integer counter */
    unsigned stripe = ddb_stripe_self();

    if (read_units > 0)
        __atomic_add_fetch(&s->charged[stripe].read_milli, (uint64_t)(read_units * 1000 + 0.5), __ATOMIC_RELAXED);
    if (write_units > 0)
        __atomic_add_fetch(&s->charged[stripe].write_milli, (uint64_t)(write_units * 1000 + 0.5), __ATOMIC_RELAXED);
}

void ddb_table_stats_charge_vector(ddb_table_stats *s, double search_bytes, double write_bytes)
{
    if (s == NULL)
        return;
    if (search_bytes > 0)
        __atomic_add_fetch(&s->vector_search_bytes, (uint64_t)search_bytes, __ATOMIC_RELAXED);
    if (write_bytes > 0)
        __atomic_add_fetch(&s->vector_write_bytes, (uint64_t)write_bytes, __ATOMIC_RELAXED);
}

int ddb_keyspace_count(ddb_store *store, const ddb_store_snapshot *snap, uint32_t id, unsigned long long *items,
                       unsigned long long *bytes)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_store_iter *it;
    int rc;

    *items = *bytes = 0;
    ddb_key_table_range(id, lo, hi);
    it = ddb_store_iter_open_at(store, snap, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t vlen;
        const char *v = ddb_store_iter_val(it, &vlen);
        (*items)++;
        *bytes += ddb_item_stored_size(v, vlen);
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc;
}

/* A keyspace of a table counted: its items tallied in e (NULL: a table without figures). */
static int count_tallied(ddb_figures_epoch *e, ddb_store *store, const ddb_store_snapshot *snap, uint32_t id,
                         unsigned long long *items, unsigned long long *bytes)
{
    int rc = ddb_keyspace_count(store, snap, id, items, bytes);

    if (e != NULL)
        __atomic_add_fetch(&e->items_counted, *items, __ATOMIC_RELAXED);
    return rc;
}

uint64_t ddb_figures_counted(ddb_figures_epoch *e)
{
    return __atomic_load_n(&e->items_counted, __ATOMIC_RELAXED);
}

typedef struct begin_ctx {
    ddb_table_stats *s;
    const ddb_table *t;
    ddb_store *store;
    ddb_store_snapshot *snap;
    int check;                                     /* the figures were known: this pass checks them */
    ddb_keyspace_figures had[DDB_STATS_KEYSPACES]; /* a check's: the figures at the snapshot */
} begin_ctx;

/* The keyspaces of t to count (the table's first), their figures taken from `from` (NULL: zero);
   returns how many, or 0 when `from` lacks one of them. */
static unsigned keyspaces(const ddb_table *t, ddb_keyspace_figures *from, size_t nfrom, ddb_keyspace_figures *out)
{
    unsigned n = 0;

    out[n++] = (ddb_keyspace_figures){t->id, from != NULL ? from[0].items : 0, from != NULL ? from[0].bytes : 0};
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_keyspace_figures *x = from != NULL ? find(from + 1, nfrom - 1, t->indexes[i].id) : NULL;
        if (!ddb_index_countable(&t->indexes[i]))
            continue;
        if (from != NULL && x == NULL)
            return 0;
        out[n++] = x != NULL ? *x : (ddb_keyspace_figures){t->indexes[i].id, 0, 0};
    }
    return n;
}

/*
 * With no commit between its decision and its write: a new epoch, and the snapshot it stands for.
 * Figures known for every keyspace of t make a check: they go on moving (readers need not wait),
 * and the changes decided before the snapshot but added after it are noted too (`late`), so that
 * the figures at the snapshot are known exactly. Else the figures restart from zero.
 */
static void begin_count(void *ctx)
{
    begin_ctx *b = ctx;
    ddb_table_stats *s = b->s;
    ddb_keyspace_figures f[DDB_STATS_KEYSPACES];
    unsigned n;

    pthread_mutex_lock(&s->lock);
    n = s->known ? keyspaces(b->t, s->f, s->nf, f) : 0;
    __atomic_store_n(&s->epoch, s->epoch + 1, __ATOMIC_RELEASE);
    s->checking = b->check = n > 0;
    if (n == 0) {
        n = keyspaces(b->t, NULL, 0, f);
        s->known = 0; /* a reader meanwhile waits for the pass (the counting lock) */
    }
    memcpy(s->f, f, n * sizeof(f[0]));
    memcpy(b->had, f, n * sizeof(f[0]));
    s->nf = n;
    for (unsigned i = 0; i < n; i++)
        s->late[i] = (ddb_keyspace_figures){f[i].id, 0, 0};
    pthread_mutex_unlock(&s->lock);
    b->snap = ddb_store_snapshot_take_light(b->store);
}

/* A check's end: each keyspace's figures move by what the count found that they lacked (logged). */
static void repair(ddb_table_stats *s, const begin_ctx *b, const ddb_keyspace_figures *counted)
{
    for (unsigned i = 0; i < s->nf; i++) {
        long long items = counted[i].items - b->had[i].items - s->late[i].items;
        long long bytes = counted[i].bytes - b->had[i].bytes - s->late[i].bytes;
        if (items == 0 && bytes == 0)
            continue;
        ddb_log(DDB_LOG_WARN, "table %s: the %s's item count was off by %lld items, %lld bytes (repaired)",
                b->t->name, i == 0 ? "table" : "index", -items, -bytes);
        s->f[i].items += items;
        s->f[i].bytes += bytes;
        s->repairs++;
    }
}

/* A commit's token: its stripe and the generation's parity it entered under. */
#define TOKEN(stripe, g) ((stripe) | ((g)&1u) << 8)

unsigned ddb_table_stats_enter(ddb_figures_epoch *e)
{
    unsigned stripe = ddb_stripe_self();

    for (;;) {
        unsigned g = __atomic_load_n(&e->generation, __ATOMIC_ACQUIRE);
        __atomic_add_fetch(&e->in_flight[stripe].n[g & 1], 1, __ATOMIC_SEQ_CST);
        if (__atomic_load_n(&e->generation, __ATOMIC_SEQ_CST) == g)
            return TOKEN(stripe, g);
        __atomic_sub_fetch(&e->in_flight[stripe].n[g & 1], 1, __ATOMIC_RELEASE); /* a check turned it meanwhile */
    }
}

void ddb_table_stats_leave(ddb_figures_epoch *e, unsigned token)
{
    __atomic_sub_fetch(&e->in_flight[token & 0xff].n[token >> 8], 1, __ATOMIC_RELEASE);
}

/* Waits until every commit that entered before this was called has added its change: one decided
   before a check's snapshot and added after would look like drift. Checks run one at a time
   (their tables' counting locks aside, `turning` keeps two from turning the generation at once).
   A commit enters and leaves on one stripe, so each stripe's count of the old parity reaches
   zero once those commits have left, and stays there (new ones enter under the new parity). */
static void wait_for_stragglers(ddb_figures_epoch *e)
{
    struct timespec ts = {0, 100 * 1000};
    unsigned old;

    pthread_mutex_lock(&e->turning);
    old = __atomic_fetch_add(&e->generation, 1, __ATOMIC_SEQ_CST);
    for (unsigned i = 0; i < DDB_STRIPES; i++) {
        while (__atomic_load_n(&e->in_flight[i].n[old & 1], __ATOMIC_ACQUIRE) != 0)
            nanosleep(&ts, NULL);
    }
    pthread_mutex_unlock(&e->turning);
}

static int count(ddb_table_stats *s, ddb_store *store, const ddb_table *t)
{
    begin_ctx b = {s, t, store, NULL, 0, {{0}}};
    ddb_keyspace_figures counted[DDB_STATS_KEYSPACES];
    unsigned n;
    int rc = DDB_STORE_OK;

    ddb_store_exclusive(store, begin_count, &b);
    pthread_mutex_lock(&s->lock);
    n = s->nf;
    memcpy(counted, s->f, n * sizeof(counted[0]));
    pthread_mutex_unlock(&s->lock);
    for (unsigned i = 0; i < n && rc == DDB_STORE_OK; i++) {
        unsigned long long items, bytes;
        rc = count_tallied(s->shared, store, b.snap, counted[i].id, &items, &bytes);
        counted[i].items = (long long)items;
        counted[i].bytes = (long long)bytes;
    }
    ddb_store_snapshot_release(store, b.snap);
    if (b.check)
        wait_for_stragglers(s->shared); /* after the snapshot: every commit it holds entered before */
    pthread_mutex_lock(&s->lock);
    if (rc == DDB_STORE_OK && s->checking) {
        repair(s, &b, counted);
    } else if (rc == DDB_STORE_OK) {
        for (unsigned i = 0; i < n; i++) { /* the count, plus what commits decided since added */
            s->f[i].items += counted[i].items;
            s->f[i].bytes += counted[i].bytes;
        }
        s->known = 1;
    } /* else a first count stays unknown (the next reader tries again), a check changes nothing */
    s->checking = 0;
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* Whether s lacks an index of t that has entries now (built since the figures were counted). */
static int missing_index(const ddb_table_stats *s, const ddb_table *t)
{
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (ddb_index_countable(&t->indexes[i]) &&
            find((ddb_keyspace_figures *)s->f + 1, s->nf - 1, t->indexes[i].id) == NULL)
            return 1;
    }
    return 0;
}

int ddb_table_stats_known(ddb_table_stats *s, const ddb_table *t)
{
    int known;

    pthread_mutex_lock(&s->lock);
    known = s->known && !missing_index(s, t);
    pthread_mutex_unlock(&s->lock);
    return known;
}

int ddb_table_stats_check(ddb_table_stats *s, ddb_store *store, const ddb_table *t)
{
    int rc;

    pthread_mutex_lock(&s->counting);
    rc = count(s, store, t);
    pthread_mutex_unlock(&s->counting);
    return rc;
}

int ddb_table_stats_learn(ddb_table_stats *s, ddb_store *store, const ddb_table *t)
{
    int rc = DDB_STORE_OK;

    if (!ddb_table_stats_known(s, t)) {
        pthread_mutex_lock(&s->counting);
        /* a reader or the background job may have counted while this one waited for the lock:
           counting again would be a needless pass over the whole table */
        if (!ddb_table_stats_known(s, t))
            rc = count(s, store, t);
        pthread_mutex_unlock(&s->counting);
    }
    return rc;
}

/* The figures kept of s into *out (its units too). */
static void copy_kept(ddb_table_stats *s, ddb_table_figures *out)
{
    out->items = s->f[0].items;
    out->bytes = s->f[0].bytes;
    out->nix = s->nf - 1;
    memcpy(out->ix, s->f + 1, out->nix * sizeof(out->ix[0]));
    out->read_units = out->write_units = 0;
    for (unsigned i = 0; i < DDB_STRIPES; i++) {
        out->read_units += (double)__atomic_load_n(&s->charged[i].read_milli, __ATOMIC_RELAXED) / 1000;
        out->write_units += (double)__atomic_load_n(&s->charged[i].write_milli, __ATOMIC_RELAXED) / 1000;
    }
    out->vector_search_bytes = __atomic_load_n(&s->vector_search_bytes, __ATOMIC_RELAXED);
    out->vector_write_bytes = __atomic_load_n(&s->vector_write_bytes, __ATOMIC_RELAXED);
}

int ddb_table_stats_read(ddb_table_stats *s, ddb_store *store, const ddb_table *t, ddb_table_figures *out)
{
    int rc = ddb_table_stats_learn(s, store, t);

    pthread_mutex_lock(&s->lock);
    copy_kept(s, out);
    pthread_mutex_unlock(&s->lock);
    return rc;
}

/* t's figures counted now, one pass per keyspace, kept nowhere. */
static int count_now(ddb_store *store, const ddb_table *t, ddb_table_figures *out)
{
    unsigned long long items = 0, bytes = 0;
    int rc = count_tallied(t->stats != NULL ? t->stats->shared : NULL, store, NULL, t->id, &items, &bytes);

    out->items = (long long)items, out->bytes = (long long)bytes;
    for (unsigned i = 0; rc == DDB_STORE_OK && i < t->nindexes; i++) {
        if (!ddb_index_countable(&t->indexes[i]))
            continue;
        items = bytes = 0;
        rc = count_tallied(t->stats != NULL ? t->stats->shared : NULL, store, NULL, t->indexes[i].id, &items, &bytes);
        out->ix[out->nix++] = (ddb_keyspace_figures){t->indexes[i].id, (long long)items, (long long)bytes};
    }
    return rc;
}

int ddb_table_figures_exact(ddb_store *store, const ddb_table *t, ddb_table_figures *out)
{
    memset(out, 0, sizeof(*out));
    if (t->stats != NULL && !ddb_store_shared(store))
        return ddb_table_stats_read(t->stats, store, t, out);
    return count_now(store, t, out);
}

int ddb_table_figures_peek(ddb_store *store, const ddb_table *t, ddb_table_figures *out)
{
    int kept = 0;

    memset(out, 0, sizeof(*out));
    if (t->stats != NULL && !ddb_store_shared(store)) {
        pthread_mutex_lock(&t->stats->lock);
        if ((kept = t->stats->known && !missing_index(t->stats, t)))
            copy_kept(t->stats, out);
        pthread_mutex_unlock(&t->stats->lock);
    }
    return kept ? DDB_STORE_OK : count_now(store, t, out);
}

/* The figures shown, if they are still current at `now` (copied into *out). Under s->lock. */
static int shown_current(ddb_table_stats *s, uint64_t now, uint64_t every_ms, ddb_table_figures *out)
{
    if (s->shown == NULL && s->born_ms != 0) { /* a table created in this run: empty when created */
        if ((s->shown = calloc(1, sizeof(*s->shown))) == NULL)
            abort();
        s->shown_ms = s->born_ms;
    }
    if (s->shown == NULL || now >= s->shown_ms + every_ms)
        return 0;
    *out = *s->shown;
    return 1;
}

/* Notes the indexes of t being built as the figures are taken (table_stats.h, `owed`). Under s->lock. */
static void note_owed(ddb_table_stats *s, const ddb_table *t)
{
    s->nowed = 0;
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (ddb_index_maintained(&t->indexes[i]) && !ddb_index_countable(&t->indexes[i]))
            s->owed[s->nowed++] = t->indexes[i].id;
    }
}

/* Index `id` of t if it is countable now (built), else NULL. */
static const ddb_index *built_index(const ddb_table *t, uint32_t id)
{
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].id == id)
            return ddb_index_countable(&t->indexes[i]) ? &t->indexes[i] : NULL;
    }
    return NULL;
}

/* Whether an index owed by the shown figures has been built since. Under s->lock. */
static int owed_built(const ddb_table_stats *s, const ddb_table *t)
{
    for (unsigned i = 0; i < s->nowed; i++) {
        if (built_index(t, s->owed[i]) != NULL)
            return 1;
    }
    return 0;
}

/* Adds to the shown figures those of each owed index now built, from `now` (exact figures taken
   since), and no longer owes them. Under s->lock. */
static void pay_owed(ddb_table_stats *s, const ddb_table *t, const ddb_table_figures *now)
{
    unsigned kept = 0;

    for (unsigned i = 0; i < s->nowed; i++) {
        if (built_index(t, s->owed[i]) == NULL)
            s->owed[kept++] = s->owed[i];
        else if (s->shown->nix < DDB_MAX_INDEXES)
            s->shown->ix[s->shown->nix++] = ddb_table_figures_index(now, s->owed[i]);
    }
    s->nowed = kept;
}

/* The shown figures, with any owed index built since taken now (one pass when one is). */
static int shown_paid(ddb_store *store, const ddb_table *t, ddb_table_figures *out)
{
    ddb_table_stats *s = t->stats;
    ddb_table_figures now;
    int owed, rc;

    pthread_mutex_lock(&s->lock);
    owed = owed_built(s, t);
    pthread_mutex_unlock(&s->lock);
    if (owed && (rc = ddb_table_figures_exact(store, t, &now)) != DDB_STORE_OK)
        return rc;
    pthread_mutex_lock(&s->lock);
    if (owed)
        pay_owed(s, t, &now); /* another reader may have paid them meanwhile: then nothing is owed */
    *out = *s->shown;
    pthread_mutex_unlock(&s->lock);
    return DDB_STORE_OK;
}

int ddb_table_figures_refreshed(ddb_store *store, const ddb_table *t, uint64_t every_ms, ddb_table_figures *out)
{
    ddb_table_stats *s = t->stats;
    uint64_t now = ddb_clock_now_ms();
    int rc, shown;

    if (s == NULL)
        return ddb_table_figures_exact(store, t, out);
    pthread_mutex_lock(&s->lock);
    shown = shown_current(s, now, every_ms, out);
    pthread_mutex_unlock(&s->lock);
    if (shown)
        return shown_paid(store, t, out);
    if ((rc = ddb_table_figures_exact(store, t, out)) != DDB_STORE_OK)
        return rc;
    pthread_mutex_lock(&s->lock);
    if (s->shown == NULL && (s->shown = calloc(1, sizeof(*s->shown))) == NULL)
        abort();
    if (now >= s->shown_ms + every_ms || s->shown_ms == 0) { /* else another reader refreshed them first */
        *s->shown = *out;
        s->shown_ms = now;
        note_owed(s, t);
    } else {
        *out = *s->shown;
    }
    pthread_mutex_unlock(&s->lock);
    return DDB_STORE_OK;
}

unsigned ddb_table_stats_get(ddb_table_stats *s, ddb_keyspace_figures f[DDB_STATS_KEYSPACES])
{
    unsigned n;

    pthread_mutex_lock(&s->lock);
    n = s->known ? s->nf : 0;
    memcpy(f, s->f, n * sizeof(f[0]));
    pthread_mutex_unlock(&s->lock);
    return n;
}

void ddb_table_stats_set(ddb_table_stats *s, const ddb_table *t, ddb_keyspace_figures *f, unsigned n)
{
    ddb_keyspace_figures k[DDB_STATS_KEYSPACES];
    unsigned nk = n > 0 && f[0].id == t->id ? keyspaces(t, f, n, k) : 0;

    if (nk == 0)
        return; /* an index built since, or another table: counted in the background */
    pthread_mutex_lock(&s->lock);
    memcpy(s->f, k, nk * sizeof(k[0]));
    s->nf = nk;
    s->known = 1;
    pthread_mutex_unlock(&s->lock);
}

ddb_keyspace_figures ddb_table_figures_index(const ddb_table_figures *f, uint32_t id)
{
    const ddb_keyspace_figures *x = find((ddb_keyspace_figures *)f->ix, f->nix, id);

    return x != NULL ? *x : (ddb_keyspace_figures){id, 0, 0};
}
