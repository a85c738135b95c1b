/*
 * server/engine/catalog/catalog.c: the typed table catalog (see catalog.h).
 *
 * Reads take a shared lock and binary-search a sorted array of tables; control-plane writes take
 * the exclusive lock, commit guarded against what is stored (the version they were computed from,
 * the id counter: several RADOS gateways share the catalog), then swap the in-memory entry and
 * retire the old one, and tell the other gateways, which reload (the store's meta-change hook).
 *
 * A retired version is freed after a grace period (base/gate.h): the versions retired since the
 * last mark wait for the next one, and a mark's batch is freed once every request and hold that
 * was in flight at it has ended. Each change looks (never waits), so at most two batches are kept:
 * a stream of TagResource calls keeps one or two descriptions, not every one (issue 61). A
 * deleted table's figures go with its last version.
 */
#include "server/engine/catalog/catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grow.h"
#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/gate.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_members.h"
#include "server/engine/catalog/catalog_decode.h"
#include "server/engine/table_stats.h"

/* A retired version, and whether its figures go with it (the table's last version). */
typedef struct retired_one {
    ddb_table *t;
    int owns_stats;
} retired_one;

struct ddb_catalog {
    ddb_store *store;
    pthread_rwlock_t lock;
    ddb_table **tables; /* sorted by name (byte order, case-sensitive) */
    size_t n, cap;
    /* replaced or deleted versions: `fresh` since the mark, `waiting` for the mark to pass (both
       freed at close too); without a gate (tools, unit tests) everything waits for the close */
    retired_one *fresh, *waiting;
    size_t nfresh, capfresh, nwaiting, capwaiting;
    ddb_gate *gate;      /* the requests and holds in flight (ddb_catalog_set_gate) */
    ddb_gate_mark *mark; /* what was in flight when `waiting` was retired */
    int marked;
    int leaky;           /* a table was read outside a request or a hold: nothing is freed any more */
    uint32_t next_id;
    unsigned max_tables; /* per namespace (--max-tables); 0: no limit */
    ddb_table_watch watch;         /* told of each table held and dropped (ddb_catalog_watch), or NULL */
    void *watch_ctx;
    ddb_figures_epoch *figures;    /* what every table's figures share (table_stats.h) */
    ddb_feature_rows rows;         /* the features whose members every table version reads */
    uint64_t generation;           /* moved by every change of this copy (ddb_catalog_confirm) */
};

#define TABLE_PREFIX "table/"
#define NEXT_ID_KEY "ddbd/next_table_id"

const char *ddb_ns_key(ddb_arena *a, const char *ns, const char *name)
{
    return ns == NULL || ns[0] == '\0' ? name : ddb_arena_sprintf(a, "%s/%s", ns, name);
}

const char *ddb_ns_of(ddb_arena *a, const char *account, const char *region)
{
    if (strcmp(account, "000000000000") == 0 && strcmp(region, "us-east-1") == 0)
        return "";
    return ddb_arena_sprintf(a, "%s:%s", account, region);
}

const char *ddb_replica_key(ddb_arena *a, const ddb_table *t, const char *region)
{
    return ddb_ns_key(a, ddb_ns_of(a, t->account, region), t->name);
}

int ddb_key_in_ns(const char *key, const char *ns, const char **name)
{
    const char *slash = strchr(key, '/');
    size_t nslen = ns != NULL ? strlen(ns) : 0;

    if (nslen == 0 ? slash != NULL : slash == NULL || (size_t)(slash - key) != nslen || memcmp(key, ns, nslen) != 0)
        return 0;
    *name = slash != NULL ? slash + 1 : key;
    return 1;
}

/* Retires t, replaced or deleted (`owns_stats`: the table's last version, deleted or followed by
   another table of its name). Lock held; freed by reclaim once nothing can hold it. */
static void retire(ddb_catalog *c, ddb_table *t, int owns_stats)
{
    __atomic_store_n(&t->retired, 1, __ATOMIC_RELEASE);
    DDB_ROOM(c->fresh, c->nfresh, c->capfresh, 16);
    c->fresh[c->nfresh++] = (retired_one){t, owns_stats};
}

static void free_retired(retired_one *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (r[i].owns_stats)
            ddb_table_stats_free(r[i].t->stats);
        ddb_table_free(r[i].t);
    }
}

/*
 * Frees the waiting batch once its mark has passed, then marks for the versions retired since
 * (unlinked already: a change calls this when it is complete). Lock held (exclusive).
 */
static void reclaim(ddb_catalog *c)
{
    retired_one *swap;
    size_t cap;

    if (c->gate == NULL || __atomic_load_n(&c->leaky, __ATOMIC_RELAXED))
        return;
    if (c->marked) {
        if (!ddb_gate_passed(c->gate, c->mark))
            return;
        free_retired(c->waiting, c->nwaiting);
        c->nwaiting = 0;
        c->marked = 0;
    }
    if (c->nfresh == 0)
        return;
    swap = c->waiting, cap = c->capwaiting;
    c->waiting = c->fresh, c->nwaiting = c->nfresh, c->capwaiting = c->capfresh;
    c->fresh = swap, c->nfresh = 0, c->capfresh = cap;
    ddb_gate_mark_now(c->gate, c->mark);
    c->marked = 1;
}

/* A table read outside a request or a hold (a path that takes neither: a bug), which a grace period
   cannot see: from then on nothing retired is freed, so that pointer stays valid. Lock held (shared). */
static void __attribute__((noinline, cold)) read_outside(ddb_catalog *c)
{
    if (!__atomic_exchange_n(&c->leaky, 1, __ATOMIC_RELAXED))
        ddb_log(DDB_LOG_ERROR, "catalog: a table was read outside a request or a hold; replaced table "
                               "descriptions are kept until shutdown from now on");
}

static inline void check_inside(ddb_catalog *c)
{
    if (!ddb_gate_inside() && c->gate != NULL)
        read_outside(c);
}

/* Gives t new figures (known zero for a table just created, to be counted for one loaded). */
static void new_stats(ddb_catalog *c, ddb_table *t, int known)
{
    t->stats = ddb_table_stats_new(t, known, c->figures, &c->rows);
}

/* Index of catalog key `key`, or of where it would be inserted (with *found = 0). */
static size_t find(ddb_catalog *c, const char *key, int *found)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->tables[mid]->key, key);
        if (cmp == 0) {
            *found = 1;
            return mid;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static void insert_at(ddb_catalog *c, size_t i, ddb_table *t)
{
    DDB_ROOM(c->tables, c->n, c->cap, 16);
    memmove(&c->tables[i + 1], &c->tables[i], (c->n - i) * sizeof(*c->tables));
    c->tables[i] = t;
    c->n++;
}

/* ---- descriptions ---- */

/*
 * An index object with the catalog's fields: an index without ddbdIndexId gets a new id, and,
 * when it has no IndexStatus either (declared by a data directory of format 1, which did not
 * maintain indexes), CREATING with Backfilling, so the background task indexes existing items.
 */
static void write_index(ddb_catalog *c, ddb_jw *w, const ddb_json *ix)
{
    int has_id = ddb_json_get(ix, "ddbdIndexId") != NULL, has_status = ddb_json_get(ix, "IndexStatus") != NULL;

    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < ix->n; i++) {
        ddb_jw_keyn(w, ix->u.members[i].key, ix->u.members[i].klen);
        ddb_jw_json(w, ix->u.members[i].val);
    }
    if (!has_id)
        ddb_member_write_index_id(w, c->next_id++);
    if (!has_status)
        ddb_member_write_index_state(w, DDB_IX_CREATING, 1);
    ddb_jw_obj_end(w);
}

static int needs_collections(const ddb_json *desc)
{
    const ddb_json *lsis = ddb_json_get(desc, "LocalSecondaryIndexes");
    return lsis != NULL && lsis->type == DDB_JSON_ARRAY && lsis->n > 0 && ddb_json_get(desc, "ddbdCollectionsId") == NULL;
}

/* The stored text of a description: its members, index ids filled in, then the catalog's own fields. */
static char *finalize(ddb_catalog *c, ddb_arena *a, const ddb_json *desc, uint32_t id, const ddb_json *created,
                      double now, uint64_t version)
{
    ddb_buf buf = {0};
    ddb_jw w;
    char *text;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "ddbdTableId");
    ddb_jw_int(&w, id);
    ddb_jw_key(&w, "ddbdVersion");
    ddb_jw_int(&w, (long long)version);
    ddb_jw_key(&w, "CreationDateTime");
    if (created != NULL)
        ddb_jw_json(&w, created);
    else
        ddb_jw_raw_number(&w, ddb_arena_sprintf(a, "%.3f", now));
    if (needs_collections(desc)) { /* a table with LSIs keeps its item collection sizes (mutation.h) */
        ddb_jw_key(&w, "ddbdCollectionsId");
        ddb_jw_int(&w, c->next_id++);
    }
    for (uint32_t i = 0; i < desc->n; i++) {
        const ddb_json_member *m = &desc->u.members[i];
        if (ddb_member_is_catalogs(m->key))
            continue;
        ddb_jw_keyn(&w, m->key, m->klen);
        if (!ddb_member_is_index_list(m->key) || m->val->type != DDB_JSON_ARRAY) {
            ddb_jw_json(&w, m->val);
            continue;
        }
        ddb_jw_arr_begin(&w);
        for (uint32_t k = 0; k < m->val->n; k++)
            write_index(c, &w, m->val->u.items[k]);
        ddb_jw_arr_end(&w);
    }
    ddb_jw_obj_end(&w);
    text = ddb_arena_strndup(a, buf.data, buf.len);
    ddb_buf_free(&buf);
    return text;
}

static int needs_ids(const ddb_table *t)
{
    if (t->nlsi > 0 && t->collections_id == 0)
        return 1;
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].id == 0)
            return 1;
    }
    return 0;
}

/*
 * ---- guarded changes: several gateways share the catalog (RADOS) ----
 *
 * A change is one guarded meta commit (storage.h) of the description key and the id counter:
 * both are read, the change is decided from what is stored (not from this gateway's copy), and
 * the write compares them, so two gateways never both create one name, never lose an update and
 * never hand out one id twice. The decision may run again (another gateway changed a key).
 */
typedef struct change {
    ddb_catalog *c;
    ddb_arena *a;
    const char *key;          /* the catalog key */
    const ddb_table *expected; /* update or delete: the version it was computed from; NULL: create */
    const ddb_json *desc;     /* the new description; NULL: delete */
    double now;
    const ddb_batch *extra;
    char *text;               /* the stored text decided (NULL: deleted) */
    uint32_t id;              /* the table's id */
    const char *stored;       /* a lost race: the description as stored (NULL: none), and its length */
    size_t stored_len;
} change;

static uint32_t stored_next_id(const ddb_store_key *k)
{
    char buf[16];

    if (k->val == NULL || k->vlen == 0 || k->vlen >= sizeof(buf))
        return 1;
    memcpy(buf, k->val, k->vlen);
    buf[k->vlen] = '\0';
    return (uint32_t)strtoul(buf, NULL, 10);
}

/* keys[0]: the description, keys[1]: the id counter. 1: the name is taken (create) or gone;
   2: the stored description is not `expected` (the caller's copy is stale). */
static int change_decide(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    change *ch = ctx;
    ddb_catalog *c = ch->c;
    const ddb_table *x = ch->expected;
    char *next;

    (void)n;
    ch->stored = keys[0].val;
    ch->stored_len = keys[0].vlen;
    c->next_id = stored_next_id(&keys[1]);
    if (x == NULL) {
        if (keys[0].val != NULL)
            return 1;
        ch->id = c->next_id++;
        /* a table a namespace snapshot brings back keeps its creation time (server/engine/xfer/nssnap.h) */
        ch->text = finalize(c, ch->a, ch->desc, ch->id, ddb_json_get(ch->desc, "CreationDateTime"), ch->now, 1);
    } else {
        if (keys[0].val == NULL)
            return 1;
        if (keys[0].vlen != x->desc_len || memcmp(keys[0].val, x->desc_text, x->desc_len) != 0)
            return 2;
        ch->id = x->id;
        ch->text = ch->desc == NULL ? NULL
                                    : finalize(c, ch->a, ch->desc, x->id, ddb_json_get(x->desc, "CreationDateTime"),
                                               0, x->version + 1);
    }
    if (ch->text != NULL)
        ddb_batch_meta_put(out, keys[0].key, keys[0].klen, ch->text, strlen(ch->text));
    else
        ddb_batch_meta_delete(out, keys[0].key, keys[0].klen);
    next = ddb_arena_sprintf(ch->a, "%u", c->next_id);
    ddb_batch_meta_put(out, NEXT_ID_KEY, strlen(NEXT_ID_KEY), next, strlen(next));
    ddb_batch_append(out, ch->extra);
    return 0;
}

/* Commits a change decided by change_decide; its result, or -1 on a storage failure. The caller
   holds the lock (the decision uses c->next_id). */
static int commit_change(change *ch)
{
    ddb_store_key keys[2] = {{0}};
    char *dkey = ddb_arena_sprintf(ch->a, TABLE_PREFIX "%s", ch->key);
    int rc;

    keys[0].key = dkey;
    keys[0].klen = strlen(dkey);
    keys[1].key = NEXT_ID_KEY;
    keys[1].klen = strlen(NEXT_ID_KEY);
    rc = ddb_store_meta_commit(ch->c->store, ch->a, keys, 2, change_decide, ch);
    return rc < 0 ? -1 : rc;
}

/* Tells the watcher (ddb_catalog_watch) of a table version held (`on`) or dropped. Lock held. */
static void watch(ddb_catalog *c, const ddb_table *t, int on)
{
    if (c->watch != NULL)
        c->watch(c->watch_ctx, t, on);
}

/* Gives ids to the indexes a format-1 directory declared (once; logged). */
static ddb_table *migrate(ddb_catalog *c, ddb_table *t)
{
    ddb_arena a;
    ddb_table *n = NULL;
    change ch = {0};

    ddb_arena_init(&a);
    ch.c = c, ch.a = &a, ch.key = t->key, ch.expected = t, ch.desc = t->desc;
    if (commit_change(&ch) == 0 && (n = ddb_table_decode(t->key, ch.text, strlen(ch.text), &c->rows)) != NULL) {
        ddb_log(DDB_LOG_INFO, "catalog: table %s: %u secondary indexes will be built from its items", t->name,
                n->nindexes);
        n->stats = t->stats;
        watch(c, n, 1);
        ddb_table_free(t);
        t = n;
    }
    ddb_arena_free(&a);
    return t;
}

/* Puts a description into this gateway's copy (replacing the table's previous version, which
   is retired; the same table keeps its figures). NULL if the text is unreadable. Lock held. */
static ddb_table *install(ddb_catalog *c, const char *key, const char *text, size_t len, int created)
{
    int found;
    size_t i;
    ddb_table *t = ddb_table_decode(key, text, len, &c->rows), *old;

    if (t == NULL)
        return NULL;
    watch(c, t, 1);
    c->generation++;
    i = find(c, key, &found);
    old = found ? c->tables[i] : NULL;
    if (old != NULL && old->id == t->id) {
        t->stats = old->stats;
        t->made_meter_ms = old->made_meter_ms;
    } else {
        new_stats(c, t, created);
        t->made_meter_ms = created ? ddb_clock_meter_ms() : 0;
    }
    if (old != NULL) {
        c->tables[i] = t;
        retire(c, old, old->stats != t->stats);
    } else {
        insert_at(c, i, t);
    }
    return t;
}

/* Makes this gateway's copy of catalog key `key` what is stored (`text`; NULL: no table), after
   another gateway's change (a lost race, a reload). Lock held. */
static void refresh(ddb_catalog *c, const char *key, const char *text, size_t len)
{
    int found;
    size_t i = find(c, key, &found);

    if (text == NULL) {
        if (found) {
            c->generation++;
            watch(c, c->tables[i], 0);
            retire(c, c->tables[i], 1);
            memmove(&c->tables[i], &c->tables[i + 1], (c->n - i - 1) * sizeof(*c->tables));
            c->n--;
        }
        return;
    }
    if (found && c->tables[i]->desc_len == len && memcmp(c->tables[i]->desc_text, text, len) == 0)
        return;
    if (install(c, key, text, len, 0) == NULL)
        ddb_log(DDB_LOG_ERROR, "catalog: table %s has an unreadable description; skipped", key);
}

/* Forgets the tables of this gateway's copy whose keys are not among `keys` (sorted). Lock held. */
static void forget_others(ddb_catalog *c, char **keys, size_t nkeys)
{
    size_t k = 0;

    for (size_t i = 0; i < c->n;) {
        while (k < nkeys && strcmp(keys[k], c->tables[i]->key) < 0)
            k++;
        if (k < nkeys && strcmp(keys[k], c->tables[i]->key) == 0)
            i++;
        else
            refresh(c, c->tables[i]->key, NULL, 0); /* removes tables[i]: i now names the next */
    }
}

/* Reads every stored description into the catalog; with `all` (a reload), also forgets the
   tables no longer stored. Lock held. */
static int load_tables(ddb_catalog *c, int all)
{
    ddb_store_iter *it = ddb_store_meta_iter_open(c->store, TABLE_PREFIX, 6, "table0", 6);
    ddb_arena a;
    char **keys = NULL;
    size_t nkeys = 0, cap = 0;
    int rc;

    ddb_arena_init(&a);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, len, i;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *text = ddb_store_iter_val(it, &len);
        char *name;
        int found;

        if (klen - 6 >= 300)
            continue;
        name = ddb_arena_strndup(&a, k + 6, klen - 6);
        refresh(c, name, text, len);
        i = find(c, name, &found);
        if (found && !all && needs_ids(c->tables[i]))
            c->tables[i] = migrate(c, c->tables[i]); /* at open: nothing holds the old one yet */
        DDB_ROOM(keys, nkeys, cap, 64);
        keys[nkeys++] = name;
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    if (all && rc == DDB_STORE_OK)
        forget_others(c, keys, nkeys);
    free(keys);
    ddb_arena_free(&a);
    return rc == DDB_STORE_OK ? 0 : -1;
}

/* The store's hook (storage.h): another gateway changed the catalog, or the watch was lost. */
static void reload(void *ctx)
{
    ddb_catalog *c = ctx;

    pthread_rwlock_wrlock(&c->lock);
    if (load_tables(c, 1) != 0)
        ddb_log(DDB_LOG_ERROR, "catalog: reloading after another gateway's change failed");
    reclaim(c);
    pthread_rwlock_unlock(&c->lock);
}

ddb_catalog *ddb_catalog_open(ddb_store *store, const ddb_feature_rows *rows, char **err)
{
    ddb_catalog *c = ddb_zalloc(sizeof(*c));
    int rc;

    c->store = store;
    if (rows != NULL)
        c->rows = *rows;
    c->next_id = 1;
    c->figures = ddb_figures_epoch_new();
    pthread_rwlock_init(&c->lock, NULL);
    /* the hook first: a change another gateway makes while this one loads is reloaded after it */
    ddb_store_on_meta_change(store, reload, c);
    pthread_rwlock_wrlock(&c->lock);
    rc = load_tables(c, 0);
    pthread_rwlock_unlock(&c->lock);
    if (rc != 0) {
        *err = strdup("cannot read the table catalog");
        ddb_catalog_close(c);
        return NULL;
    }
    return c;
}

ddb_figures_epoch *ddb_catalog_figures(ddb_catalog *c)
{
    return c->figures;
}

void ddb_catalog_watch(ddb_catalog *c, ddb_table_watch fn, void *ctx)
{
    pthread_rwlock_wrlock(&c->lock);
    c->watch = fn;
    c->watch_ctx = ctx;
    for (size_t i = 0; i < c->n; i++)
        watch(c, c->tables[i], 1);
    pthread_rwlock_unlock(&c->lock);
}

void ddb_catalog_close(ddb_catalog *c)
{
    if (c == NULL)
        return;
    ddb_store_on_meta_change(c->store, NULL, NULL); /* waits for a reload under way */
    for (size_t i = 0; i < c->n; i++) {
        ddb_table_stats_free(c->tables[i]->stats);
        ddb_table_free(c->tables[i]);
    }
    free_retired(c->waiting, c->nwaiting);
    free_retired(c->fresh, c->nfresh);
    ddb_figures_epoch_free(c->figures);
    ddb_gate_mark_free(c->mark);
    free(c->tables);
    free(c->waiting);
    free(c->fresh);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

void ddb_catalog_set_gate(ddb_catalog *c, struct ddb_gate *g)
{
    pthread_rwlock_wrlock(&c->lock);
    if (c->gate == NULL && g != NULL) {
        c->mark = ddb_gate_mark_new(g);
        __atomic_store_n(&c->gate, g, __ATOMIC_RELEASE);
    }
    pthread_rwlock_unlock(&c->lock);
}

void ddb_catalog_hold(ddb_catalog *c, ddb_gate_hold *h)
{
    ddb_gate_hold_begin(__atomic_load_n(&c->gate, __ATOMIC_ACQUIRE), h);
}

void ddb_catalog_unhold(ddb_catalog *c, ddb_gate_hold *h)
{
    ddb_gate_hold_end(__atomic_load_n(&c->gate, __ATOMIC_ACQUIRE), h);
}

void ddb_catalog_set_max_tables(ddb_catalog *c, unsigned max)
{
    __atomic_store_n(&c->max_tables, max, __ATOMIC_RELAXED);
}

unsigned ddb_catalog_max_tables(ddb_catalog *c)
{
    return __atomic_load_n(&c->max_tables, __ATOMIC_RELAXED);
}

size_t ddb_catalog_count(ddb_catalog *c)
{
    size_t n;

    pthread_rwlock_rdlock(&c->lock);
    n = c->n;
    pthread_rwlock_unlock(&c->lock);
    return n;
}

const ddb_table *ddb_catalog_get(ddb_catalog *c, const char *name)
{
    const ddb_table *t = NULL;
    int found;
    size_t i;

    pthread_rwlock_rdlock(&c->lock);
    check_inside(c);
    i = find(c, name, &found);
    if (found)
        t = c->tables[i];
    pthread_rwlock_unlock(&c->lock);
    return t;
}

/*
 * A change another gateway made reaches this one by its announcement, which the other gateway's
 * copy does not wait for: a restore or a backfill finished there (a worker's change) is served
 * there while the announcement is on its way. A client that polled DescribeTable there until
 * ACTIVE and then writes here must not be told the table is not there (model seed 5019 on two
 * gateways), so a refusal reads the stored description first: an error path's one metadata read.
 * A reload that ran meanwhile holds what is stored as late or later, so the read is dropped then.
 */
const ddb_table *ddb_catalog_confirm(ddb_catalog *c, const char *key)
{
    ddb_arena a;
    char *text = NULL;
    size_t len = 0;
    uint64_t seen;
    const char *mkey;
    int rc;

    if (!ddb_store_shared(c->store))
        return ddb_catalog_get(c, key);
    pthread_rwlock_rdlock(&c->lock);
    seen = c->generation;
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_init(&a);
    mkey = ddb_arena_sprintf(&a, TABLE_PREFIX "%s", key);
    rc = ddb_store_meta_get(c->store, &a, mkey, strlen(mkey), &text, &len);
    pthread_rwlock_wrlock(&c->lock);
    if (rc == DDB_STORE_OK && c->generation == seen)
        refresh(c, key, text, len);
    reclaim(c);
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_free(&a);
    return ddb_catalog_get(c, key);
}

const ddb_table *ddb_catalog_get_by_id(ddb_catalog *c, uint32_t id)
{
    const ddb_table *t = NULL;

    pthread_rwlock_rdlock(&c->lock);
    check_inside(c);
    for (size_t i = 0; i < c->n && t == NULL; i++) {
        if (c->tables[i]->id == id)
            t = c->tables[i];
    }
    pthread_rwlock_unlock(&c->lock);
    return t;
}

/* The id counter, advanced by one in a guarded commit (ids are never handed out twice). */
static int next_id_decide(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    ddb_catalog *c = ctx;
    char next[16];

    (void)n;
    c->next_id = stored_next_id(&keys[0]);
    snprintf(next, sizeof(next), "%u", c->next_id + 1);
    ddb_batch_meta_put(out, NEXT_ID_KEY, strlen(NEXT_ID_KEY), ddb_arena_strndup(out->arena, next, strlen(next)),
                       strlen(next));
    return 0;
}

uint32_t ddb_catalog_new_id(ddb_catalog *c)
{
    ddb_arena a;
    ddb_store_key k = {NEXT_ID_KEY, strlen(NEXT_ID_KEY), NULL, 0};
    uint32_t id = 0;

    ddb_arena_init(&a);
    pthread_rwlock_wrlock(&c->lock);
    if (ddb_store_meta_commit(c->store, &a, &k, 1, next_id_decide, c) == DDB_STORE_OK)
        id = c->next_id++;
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_free(&a);
    return id;
}

/*
 * Whether the namespace of catalog key `key` already has its quota of tables (the lock held, so two
 * creates never both take the last place). Counted on this gateway's copy, which other gateways'
 * changes reach when the store announces them. A namespace's keys share the prefix "<ns>/" and lie
 * together in the sorted array; the default namespace's keys have no '/' and lie among them.
 */
static int namespace_full(ddb_catalog *c, ddb_arena *a, const char *key)
{
    const char *slash = strchr(key, '/');
    size_t n = 0, i, plen;
    char *prefix;
    int found;
    unsigned max = ddb_catalog_max_tables(c);

    if (max == 0)
        return 0;
    if (slash == NULL) {
        for (i = 0; i < c->n && n < max; i++)
            n += strchr(c->tables[i]->key, '/') == NULL;
        return n >= max;
    }
    plen = (size_t)(slash - key) + 1;
    prefix = ddb_arena_strndup(a, key, plen);
    for (i = find(c, prefix, &found); i < c->n && n < max && strncmp(c->tables[i]->key, prefix, plen) == 0; i++)
        n++;
    return n >= max;
}

int ddb_catalog_room_for(ddb_catalog *c, ddb_arena *a, const char *key)
{
    int full;

    pthread_rwlock_rdlock(&c->lock);
    full = namespace_full(c, a, key);
    pthread_rwlock_unlock(&c->lock);
    return !full;
}

/*
 * A change (create, update, delete): committed guarded, then applied to this gateway's copy;
 * when the stored description was not the one expected, the copy is refreshed from it instead
 * (the caller recomputes). Once committed, the other gateways are told (after the lock is
 * released: their reload may wait for ours to acknowledge). Returns commit_change's result.
 */
static int apply_change(change *ch, const ddb_table **out)
{
    ddb_catalog *c = ch->c;
    int rc;
    ddb_table *t = NULL;

    pthread_rwlock_wrlock(&c->lock);
    if (ch->expected == NULL && namespace_full(c, ch->a, ch->key)) {
        pthread_rwlock_unlock(&c->lock);
        return DDB_CATALOG_FULL;
    }
    rc = commit_change(ch);
    if (rc > 0) {
        int found;
        size_t i;
        refresh(c, ch->key, ch->stored, ch->stored_len);
        i = find(c, ch->key, &found);
        if (rc == 2 && (!found || c->tables[i]->id != ch->expected->id))
            rc = 1; /* gone, or the name holds another table now (deleted and created again) */
    } else if (rc == 0 && ch->text == NULL) {
        refresh(c, ch->key, NULL, 0);
    } else if (rc == 0 && (t = install(c, ch->key, ch->text, strlen(ch->text), ch->expected == NULL)) == NULL) {
        rc = -1; /* cannot happen: the text was just made from a parsed description */
    } else if (rc == 0 && out != NULL) {
        *out = t;
    }
    reclaim(c);
    pthread_rwlock_unlock(&c->lock);
    if (rc == 0)
        ddb_store_meta_changed(c->store);
    return rc;
}

int ddb_catalog_create(ddb_catalog *c, const char *name, const char *desc_json, size_t len, double now,
                       const ddb_batch *extra, const ddb_table **out)
{
    ddb_arena a;
    change ch = {0};
    int rc;

    ddb_arena_init(&a);
    ch.c = c, ch.a = &a, ch.key = name, ch.now = now, ch.extra = extra;
    if ((ch.desc = ddb_json_parse(&a, desc_json, len)) == NULL || ch.desc->type != DDB_JSON_OBJECT)
        rc = -1;
    else if (ddb_catalog_get(c, name) != NULL)
        rc = 1; /* known here already: no round trip */
    else
        rc = apply_change(&ch, out);
    ddb_arena_free(&a);
    return rc;
}

int ddb_catalog_update(ddb_catalog *c, const ddb_table *expected, const char *desc_json, size_t len,
                       const ddb_batch *extra, const ddb_table **out)
{
    ddb_arena a;
    change ch = {0};
    int rc;

    ddb_arena_init(&a);
    ch.c = c, ch.a = &a, ch.key = expected->key, ch.expected = expected, ch.extra = extra;
    if ((ch.desc = ddb_json_parse(&a, desc_json, len)) == NULL || ch.desc->type != DDB_JSON_OBJECT)
        rc = -1;
    else
        rc = apply_change(&ch, out);
    ddb_arena_free(&a);
    return rc;
}

int ddb_catalog_delete(ddb_catalog *c, const ddb_table *expected, const ddb_batch *extra)
{
    ddb_arena a;
    change ch = {0};
    int rc;

    ddb_arena_init(&a);
    /* the description and the purge task's record go together: the items are never unreachable and forgotten */
    ch.c = c, ch.a = &a, ch.key = expected->key, ch.expected = expected, ch.extra = extra;
    rc = apply_change(&ch, NULL);
    ddb_arena_free(&a);
    return rc;
}

void ddb_catalog_sync(ddb_catalog *c)
{
    /* changes persist and swap under the write lock: once the read lock is ours, none is half done */
    pthread_rwlock_rdlock(&c->lock);
    pthread_rwlock_unlock(&c->lock);
}

ddb_table *ddb_catalog_preview(ddb_catalog *c, const char *name, const char *desc_json, size_t len)
{
    ddb_arena a;
    const ddb_json *desc;
    ddb_table *t = NULL;
    uint32_t saved_next;

    ddb_arena_init(&a);
    pthread_rwlock_wrlock(&c->lock);
    saved_next = c->next_id; /* finalize numbers the indexes; the numbers are given back */
    if ((desc = ddb_json_parse(&a, desc_json, len)) != NULL && desc->type == DDB_JSON_OBJECT) {
        char *text = finalize(c, &a, desc, 0, NULL, 0, 1);
        t = ddb_table_decode(name, text, strlen(text), &c->rows);
    }
    c->next_id = saved_next;
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_free(&a);
    return t;
}

void ddb_table_preview_free(ddb_table *t)
{
    if (t != NULL)
        ddb_table_free(t);
}

size_t ddb_catalog_list(ddb_catalog *c, const char *ns, ddb_arena *a, const char *exclusive_start, size_t limit,
                        const char ***names, int *more)
{
    size_t start = 0, n = 0, i;
    int found;
    const char *name;

    pthread_rwlock_rdlock(&c->lock);
    if (exclusive_start != NULL) {
        start = find(c, ddb_ns_key(a, ns, exclusive_start), &found);
        if (found)
            start++;
    }
    *names = ddb_arena_alloc(a, sizeof(char *) * (limit ? limit : 1));
    *more = 0;
    /* a namespace's keys share their prefix, so they are adjacent (the default's are spread among
       the others', which a local server's few tables make cheap to skip) */
    for (i = start; i < c->n; i++) {
        if (!ddb_key_in_ns(c->tables[i]->key, ns, &name))
            continue;
        if (n == limit) {
            *more = 1;
            break;
        }
        (*names)[n++] = ddb_arena_strndup(a, name, strlen(name));
    }
    pthread_rwlock_unlock(&c->lock);
    return n;
}

size_t ddb_catalog_snapshot(ddb_catalog *c, ddb_arena *a, const ddb_table ***tables)
{
    size_t n;

    pthread_rwlock_rdlock(&c->lock);
    check_inside(c);
    n = c->n;
    *tables = DDB_NEW_ARRAY(a, const ddb_table *, n ? n : 1);
    for (size_t i = 0; i < n; i++)
        (*tables)[i] = c->tables[i];
    pthread_rwlock_unlock(&c->lock);
    return n;
}
