/*
 * client/cli/replay_order.c: what a replayed request waits for (replay_order.h has the rule).
 */
#include "client/cli/replay_order.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- hashing: FNV-1a, then a mixer; whitespace outside strings is not hashed ---- */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

static uint64_t hash_text(ddb_jspan s, uint64_t h)
{
    int in_string = 0;

    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (in_string && c == '\\' && i + 1 < s.n) {
            h = (h ^ c) * 0x100000001b3ull;
            c = (unsigned char)s.p[++i];
        } else if (c == '"') {
            in_string = !in_string;
        } else if (!in_string && (c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            continue;
        }
        h = (h ^ c) * 0x100000001b3ull;
    }
    return mix(h);
}

#define FNV0 0xcbf29ce484222325ull
#define TABLE_SALT 0x7461626c65ull /* a table's resource is not an item's */
#define STREAM_SALT 0x73747265616dull /* nor is its stream's */
#define CAPACITY_SALT 0x6361706163697479ull /* nor its capacity's */
#define DRAWS_SALT 0x6472617773ull /* nor its stale-read draws' */
#define EVERYTHING 0x2a2a2a2a2a2aull

/* ---- operations: how each touches what it names ---- */

/* ITEM_*: one item (Key, or Item by the table's key); BATCH_* and TX_*: theirs; TABLE_*: the whole
   table; anything else (no table, PartiQL, an operation not listed): everything. */
#define RP_OPS(X)                                                                                                      \
    X("GetItem", ITEM_READ)                                                                                            \
    X("PutItem", ITEM_WRITE)                                                                                           \
    X("UpdateItem", ITEM_WRITE)                                                                                        \
    X("DeleteItem", ITEM_WRITE)                                                                                        \
    X("BatchGetItem", BATCH_GET)                                                                                       \
    X("BatchWriteItem", BATCH_WRITE)                                                                                   \
    X("TransactGetItems", TX_GET)                                                                                      \
    X("TransactWriteItems", TX_WRITE)                                                                                  \
    X("Query", TABLE_READ)                                                                                             \
    X("Scan", TABLE_READ)                                                                                              \
    X("SearchVectors", TABLE_READ)                                                                                     \
    X("DescribeTable", TABLE_READ)                                                                                     \
    X("DescribeTimeToLive", TABLE_READ)                                                                                \
    X("DescribeContinuousBackups", TABLE_READ)                                                                         \
    X("DescribeContributorInsights", TABLE_READ)                                                                       \
    X("DescribeKinesisStreamingDestination", TABLE_READ)                                                               \
    X("DescribeTableReplicaAutoScaling", TABLE_READ)                                                                   \
    X("CreateTable", TABLE_WRITE)                                                                                      \
    X("UpdateTable", TABLE_WRITE)                                                                                      \
    X("DeleteTable", TABLE_WRITE)                                                                                      \
    X("UpdateTimeToLive", TABLE_WRITE)                                                                                 \
    X("UpdateContinuousBackups", TABLE_WRITE)                                                                          \
    X("UpdateContributorInsights", TABLE_WRITE)                                                                        \
    X("CreateBackup", TABLE_WRITE)

typedef enum { ITEM_READ, ITEM_WRITE, BATCH_GET, BATCH_WRITE, TX_GET, TX_WRITE, TABLE_READ, TABLE_WRITE, ALL } op_kind;

static const struct {
    const char *name;
    op_kind kind;
} OPS[] = {
#define X(name, kind) {name, kind},
    RP_OPS(X)
#undef X
};

static op_kind kind_of(ddb_jspan op)
{
    ddb_jspan s = ddb_jscan_string(op);

    for (size_t i = 0; s.p != NULL && i < sizeof(OPS) / sizeof(OPS[0]); i++)
        if (strlen(OPS[i].name) == s.n && memcmp(OPS[i].name, s.p, s.n) == 0)
            return OPS[i].kind;
    return ALL;
}

/* A transaction's actions, in the order tx_one reads them (0: Get, 1: Put). */
static const char *const TX_ACTIONS[] = {"Get", "Put", "Update", "Delete", "ConditionCheck"};

/* Access modes: read, write, and the intents an item's access takes on its table. */
enum { M_R, M_W, M_IR, M_IW, M__N };
static const unsigned char CONFLICT[M__N][M__N] = {
    /*        R  W  IR IW */
    /* R  */ {0, 1, 0, 1},
    /* W  */ {1, 1, 1, 1},
    /* IR */ {0, 1, 0, 0},
    /* IW */ {1, 1, 0, 0},
};

/* ---- resources ---- */

typedef struct access {
    uint64_t seq;
    long long start, end;
    int line;
    unsigned char mode;
} access;

typedef struct resource {
    uint64_t key; /* 0: a free slot */
    unsigned n;
    access a[RP_KEEP];
    uint64_t floor[M__N]; /* every request below floor[m] must be answered (an access of mode m folded) */
} resource;

typedef struct conn_last {
    uint64_t key, seq;
    int line;
} conn_last;

typedef struct table_keys {
    uint64_t key;   /* the table's hash; 0 free */
    char *names[2]; /* its key attributes (malloc'd), NULL unknown */
    int stream;     /* a stream enabled on it (its writes are ordered against each other) */
    int capacity;   /* a recorded answer of it was throttled (its charged requests are ordered) */
} table_keys;

struct rp_order {
    int (*is_done)(void *arg, uint64_t seq);
    void *arg;
    resource *res;
    size_t nres, capres;
    conn_last *conns;
    size_t nconns, capconns;
    table_keys *tables;
    size_t ntables, captables;
    resource everything;
};

rp_order *rp_order_new(int (*is_done)(void *arg, uint64_t seq), void *arg)
{
    rp_order *o = calloc(1, sizeof(*o));

    if (o == NULL)
        abort();
    o->is_done = is_done;
    o->arg = arg;
    return o;
}

void rp_order_free(rp_order *o)
{
    if (o == NULL)
        return;
    for (size_t i = 0; i < o->captables; i++) {
        free(o->tables[i].names[0]);
        free(o->tables[i].names[1]);
    }
    free(o->tables);
    free(o->res);
    free(o->conns);
    free(o);
}

size_t rp_order_connections(const rp_order *o)
{
    return o->nconns;
}

/* Whether a resource still matters: an access not answered again, or a floor not passed. */
static int live(rp_order *o, const resource *r)
{
    for (unsigned i = 0; i < r->n; i++)
        if (!o->is_done(o->arg, r->a[i].seq))
            return 1;
    for (int m = 0; m < M__N; m++)
        if (r->floor[m] > 0 && !o->is_done(o->arg, r->floor[m] - 1))
            return 1;
    return 0;
}

static resource *res_slot(resource *t, size_t cap, uint64_t key)
{
    size_t i = key & (cap - 1);

    while (t[i].key != 0 && t[i].key != key)
        i = (i + 1) & (cap - 1);
    return &t[i];
}

/* Grows the table, or sweeps it of finished resources when most are: amortised O(1) a lookup. */
static void res_rehash(rp_order *o)
{
    size_t live_n = 0, cap;
    resource *old = o->res, *t;

    for (size_t i = 0; i < o->capres; i++)
        if (old[i].key != 0 && live(o, &old[i]))
            live_n++;
    for (cap = 1024; cap < live_n * 4; cap *= 2)
        ;
    if ((t = calloc(cap, sizeof(resource))) == NULL)
        abort();
    for (size_t i = 0; i < o->capres; i++)
        if (old[i].key != 0 && live(o, &old[i]))
            *res_slot(t, cap, old[i].key) = old[i];
    free(old);
    o->res = t;
    o->capres = cap;
    o->nres = live_n;
}

static resource *res_get(rp_order *o, uint64_t key)
{
    resource *r;

    key |= 1; /* never 0 */
    if ((o->nres + 1) * 2 > o->capres)
        res_rehash(o);
    r = res_slot(o->res, o->capres, key);
    if (r->key == 0) {
        memset(r, 0, sizeof(*r));
        r->key = key;
        o->nres++;
    }
    return r;
}

static void wait_for(rp_waits *w, uint64_t seq, int line, unsigned char why)
{
    if (w->n == w->cap) {
        w->cap = w->cap * 2 + 16;
        if ((w->seq = realloc(w->seq, w->cap * sizeof(*w->seq))) == NULL ||
            (w->line = realloc(w->line, w->cap * sizeof(*w->line))) == NULL ||
            (w->why = realloc(w->why, w->cap)) == NULL)
            abort();
    }
    w->seq[w->n] = seq;
    w->line[w->n] = line;
    w->why[w->n++] = why;
}

/* Request r takes resource res in mode m: what it waits for into w, then (keep) its own access kept. */
static void take_or_look(rp_order *o, resource *res, unsigned char m, const rp_req *r, rp_waits *w, int keep)
{
    const access *stand = NULL; /* the latest write answered before r arrived */
    unsigned k = 0;

    for (unsigned i = 0; i < res->n; i++) {
        const access *a = &res->a[i];
        if (a->end < r->start && a->mode == M_W && (stand == NULL || a->start > stand->start))
            stand = a;
    }
    for (unsigned i = 0; i < res->n; i++) {
        access a = res->a[i];
        if (stand != NULL && a.seq != stand->seq && a.end < stand->start)
            continue; /* waited for by `stand`, which every later request waits for */
        if (CONFLICT[a.mode][m] && a.end < r->start) {
            if (o->is_done(o->arg, a.seq))
                continue; /* answered again: forgotten */
            wait_for(w, a.seq, a.line, RP_BY_CONFLICT);
        }
        res->a[k++] = a;
    }
    res->n = k;
    for (int f = 0; f < M__N; f++)
        if (CONFLICT[f][m] && res->floor[f] > w->prefix)
            w->prefix = res->floor[f];
    if (!keep)
        return;
    if (res->n == RP_KEEP) { /* full: the answered ones forgotten */
        k = 0;
        for (unsigned i = 0; i < res->n; i++)
            if (!o->is_done(o->arg, res->a[i].seq))
                res->a[k++] = res->a[i];
        res->n = k;
    }
    if (res->n == RP_KEEP) { /* still full: the oldest folded into its floor */
        access *old = &res->a[0];
        if (res->floor[old->mode] < old->seq + 1)
            res->floor[old->mode] = old->seq + 1;
        memmove(&res->a[0], &res->a[1], (RP_KEEP - 1) * sizeof(access));
        res->n--;
    }
    res->a[res->n++] = (access){r->seq, r->start, r->end, r->line, m};
}

static void take(rp_order *o, resource *res, unsigned char m, const rp_req *r, rp_waits *w)
{
    take_or_look(o, res, m, r, w, 1);
}

/* An operation on everything: after every request that arrived before it (prefix), and every later
   request looks at it (rp_order_add's end). */
static void take_all(rp_order *o, const rp_req *r, rp_waits *w)
{
    w->prefix = r->seq;
    take(o, &o->everything, M_W, r, w);
}

/* ---- tables' keys ---- */

static uint64_t table_hash(ddb_jspan name)
{
    return mix(hash_text(name, FNV0) ^ TABLE_SALT);
}

static table_keys *table_get(rp_order *o, uint64_t key, int add)
{
    size_t i;

    key |= 1;
    if (add && (o->ntables + 1) * 2 > o->captables) {
        size_t cap = o->captables ? o->captables * 2 : 64;
        table_keys *t = calloc(cap, sizeof(*t));
        if (t == NULL)
            abort();
        for (size_t j = 0; j < o->captables; j++)
            if (o->tables[j].key != 0) {
                for (i = o->tables[j].key & (cap - 1); t[i].key != 0; i = (i + 1) & (cap - 1))
                    ;
                t[i] = o->tables[j];
            }
        free(o->tables);
        o->tables = t;
        o->captables = cap;
    }
    if (o->captables == 0)
        return NULL;
    for (i = key & (o->captables - 1); o->tables[i].key != 0; i = (i + 1) & (o->captables - 1))
        if (o->tables[i].key == key)
            return &o->tables[i];
    if (!add)
        return NULL;
    o->tables[i].key = key;
    o->ntables++;
    return &o->tables[i];
}

typedef struct names {
    ddb_jspan n[3];
    int count;
} names;

static int key_name(void *arg, ddb_jspan key, ddb_jspan val)
{
    names *ns = arg;
    (void)val;
    if (ns->count < 3)
        ns->n[ns->count] = key;
    ns->count++;
    return 0;
}

static int schema_name(void *arg, ddb_jspan el)
{
    return key_name(arg, ddb_jscan_string(ddb_jscan_member(el, "AttributeName")), el);
}

/* (a member's value is its text alone: the scanner leaves out the whitespace around it) */
static int is_true(ddb_jspan v)
{
    return v.n == 4 && memcmp(v.p, "true", 4) == 0;
}

/* A successful CreateTable's or UpdateTable's StreamSpecification: whether the table has a stream
   from then on (learned in arrival order, unlike the key schema, which never changes). */
static void learn_stream(rp_order *o, ddb_jspan op, ddb_jspan request)
{
    ddb_jspan spec = ddb_jscan_member(request, "StreamSpecification");

    if (spec.p == NULL || !(ddb_jscan_is_string(op, "CreateTable") || ddb_jscan_is_string(op, "UpdateTable")))
        return;
    table_get(o, table_hash(ddb_jscan_member(request, "TableName")), 1)->stream =
        is_true(ddb_jscan_member(spec, "StreamEnabled"));
}

/* ---- capacity: a table that throttled ---- */

static int throttled_table(void *arg, ddb_jspan table, ddb_jspan val)
{
    (void)val;
    table_get(arg, table_hash((ddb_jspan){table.p - 1, table.n + 2}), 1)->capacity = 1;
    return 0;
}

static int throttled_action(void *arg, ddb_jspan el)
{
    for (size_t i = 0; i < sizeof(TX_ACTIONS) / sizeof(TX_ACTIONS[0]); i++) {
        ddb_jspan t = ddb_jscan_member(ddb_jscan_member(el, TX_ACTIONS[i]), "TableName");
        if (t.p != NULL)
            table_get(arg, table_hash(t), 1)->capacity = 1;
    }
    return 0;
}

/*
 * A throttled answer says the server enforces the tables' capacity (--enforce-capacity): whether a
 * request is throttled then depends on what the requests before it drew from the bucket, whatever
 * their items, so from then on each charged request of the tables it named takes their capacity
 * (one resource, written by each), and they keep their recorded order across connections (model
 * seed 5550632: a Scan and a GetItem of one table on two connections, replayed the other way
 * round, swapped which one was throttled). Learned from the recording read ahead, as the keys are.
 */
static void learn_capacity(rp_order *o, ddb_jspan request)
{
    ddb_jspan table = ddb_jscan_member(request, "TableName");

    if (table.p != NULL)
        table_get(o, table_hash(table), 1)->capacity = 1;
    ddb_jscan_each_member(ddb_jscan_member(request, "RequestItems"), throttled_table, o);
    ddb_jscan_each_element(ddb_jscan_member(request, "TransactItems"), throttled_action, o);
}

/* Request r's charge to the capacity of the table hashed `th`, where that capacity is enforced. */
static void take_capacity(rp_order *o, uint64_t th, const rp_req *r, rp_waits *w)
{
    const table_keys *t = table_get(o, th, 0);

    if (t != NULL && t->capacity)
        take(o, res_get(o, mix(th ^ CAPACITY_SALT)), M_W, r, w);
}

/*
 * Under --stale-reads each eventually consistent read of a table takes the next draw of the
 * table's sequence (which replica serves it: engine/emulate/consistency.h), whatever its item, so
 * a read that took draws when recorded (its line's `draws`) writes its tables' draws, and such
 * reads keep their recorded order across connections (model seed 1866905931: after a lost answer
 * the client's next read came on a new connection and was replayed before the reads queued on the
 * old one, and their draws swapped). Reads that overlapped when recorded race as they did.
 */
static void take_draws(rp_order *o, uint64_t th, const rp_req *r, rp_waits *w)
{
    if (r->draws)
        take(o, res_get(o, mix(th ^ DRAWS_SALT)), M_W, r, w);
}

void rp_order_learn(rp_order *o, ddb_jspan op, ddb_jspan request, int status, int throttled)
{
    op_kind k = kind_of(op);
    int create = ddb_jscan_is_string(op, "CreateTable");
    names ns = {0};
    table_keys *t;

    if (throttled)
        learn_capacity(o, request);
    if (status != 200 || !(create || k == ITEM_READ || (k == ITEM_WRITE && !ddb_jscan_is_string(op, "PutItem"))))
        return;
    if (create)
        ddb_jscan_each_element(ddb_jscan_member(request, "KeySchema"), schema_name, &ns);
    else
        ddb_jscan_each_member(ddb_jscan_member(request, "Key"), key_name, &ns);
    if (ns.count < 1 || ns.count > 2 || ns.n[0].p == NULL || (ns.count == 2 && ns.n[1].p == NULL))
        return;
    t = table_get(o, table_hash(ddb_jscan_member(request, "TableName")), 1);
    for (int i = 0; i < 2; i++) {
        free(t->names[i]);
        t->names[i] = i < ns.count ? strndup(ns.n[i].p, ns.n[i].n) : NULL;
    }
}

/* ---- a request's accesses ---- */

typedef struct item_key {
    const table_keys *t; /* NULL: every member is the key (a Key) */
    uint64_t h;
    int found;
} item_key;

static int key_part(void *arg, ddb_jspan key, ddb_jspan val)
{
    item_key *ik = arg;

    if (ik->t != NULL) {
        int is_key = 0;
        for (int i = 0; i < 2 && !is_key; i++)
            is_key = ik->t->names[i] != NULL && strlen(ik->t->names[i]) == key.n &&
                     memcmp(ik->t->names[i], key.p, key.n) == 0;
        if (!is_key)
            return 0;
    }
    ik->h += mix(hash_text(key, FNV0) * 31 + hash_text(val, FNV0)); /* members in any order */
    ik->found++;
    return 0;
}

typedef struct adding {
    rp_order *o;
    const rp_req *r;
    rp_waits *w;
    ddb_jspan table; /* the table of the member being read (BatchGetItem's, BatchWriteItem's) */
} adding;

/* Request r touches the item `key` (a Key, or an Item when is_item) of table `table` in mode m. */
static void touch_item(adding *ad, ddb_jspan table, ddb_jspan key, int is_item, unsigned char m)
{
    uint64_t th = table_hash(table);
    item_key ik = {NULL, th, 0};
    const table_keys *t = table_get(ad->o, th, 0);
    int known = 1;

    if (is_item) {
        ik.t = t;
        known = ik.t != NULL && ik.t->names[0] != NULL;
    }
    if (table.p == NULL) {
        take_all(ad->o, ad->r, ad->w);
        return;
    }
    /* a table's stream shows its writes in their commit order, whatever their items: writes of
       different items are ordered as recorded (one resource, the stream, written by each) */
    if (m == M_W && t != NULL && t->stream)
        take(ad->o, res_get(ad->o, mix(th ^ STREAM_SALT)), M_W, ad->r, ad->w);
    take_capacity(ad->o, th, ad->r, ad->w);
    take_draws(ad->o, th, ad->r, ad->w);
    if (known) {
        ddb_jscan_each_member(key, key_part, &ik);
        known = ik.found > 0 && (!is_item || ik.found == (ik.t->names[1] != NULL ? 2 : 1));
    }
    /* an item of a table whose key is not known yet: the whole table, written */
    take(ad->o, res_get(ad->o, th), known ? (m == M_W ? M_IW : M_IR) : M_W, ad->r, ad->w);
    if (known)
        take(ad->o, res_get(ad->o, mix(ik.h)), m, ad->r, ad->w);
}

static int batch_get_key(void *arg, ddb_jspan key)
{
    adding *ad = arg;
    touch_item(ad, ad->table, key, 0, M_R);
    return 0;
}

static int batch_get_table(void *arg, ddb_jspan table, ddb_jspan val)
{
    adding *ad = arg;
    ad->table = (ddb_jspan){table.p - 1, table.n + 2}; /* back to the string's JSON */
    ddb_jscan_each_element(ddb_jscan_member(val, "Keys"), batch_get_key, ad);
    return 0;
}

static int batch_write_one(void *arg, ddb_jspan req)
{
    adding *ad = arg;
    ddb_jspan put = ddb_jscan_member(req, "PutRequest"), del = ddb_jscan_member(req, "DeleteRequest");

    if (put.p != NULL)
        touch_item(ad, ad->table, ddb_jscan_member(put, "Item"), 1, M_W);
    else
        touch_item(ad, ad->table, ddb_jscan_member(del, "Key"), 0, M_W);
    return 0;
}

static int batch_write_table(void *arg, ddb_jspan table, ddb_jspan val)
{
    adding *ad = arg;
    ad->table = (ddb_jspan){table.p - 1, table.n + 2};
    ddb_jscan_each_element(val, batch_write_one, ad);
    return 0;
}

static int tx_one(void *arg, ddb_jspan el)
{
    adding *ad = arg;

    for (size_t i = 0; i < sizeof(TX_ACTIONS) / sizeof(TX_ACTIONS[0]); i++) {
        ddb_jspan act = ddb_jscan_member(el, TX_ACTIONS[i]);
        if (act.p == NULL)
            continue;
        if (i == 1)
            touch_item(ad, ddb_jscan_member(act, "TableName"), ddb_jscan_member(act, "Item"), 1, M_W);
        else /* a transaction's condition check is ordered as its writes are */
            touch_item(ad, ddb_jscan_member(act, "TableName"), ddb_jscan_member(act, "Key"), 0, i == 0 ? M_R : M_W);
        return 0;
    }
    take_all(ad->o, ad->r, ad->w);
    return 0;
}

/* The connection's previous request; r becomes its last. */
static void conn_order(rp_order *o, const rp_req *r, rp_waits *w)
{
    uint64_t key = hash_text(r->conn, FNV0) | 1;
    size_t i;

    if ((o->nconns + 1) * 2 > o->capconns) {
        size_t cap = o->capconns ? o->capconns * 2 : 256;
        conn_last *t = calloc(cap, sizeof(*t));
        if (t == NULL)
            abort();
        for (size_t j = 0; j < o->capconns; j++)
            if (o->conns[j].key != 0) {
                for (i = o->conns[j].key & (cap - 1); t[i].key != 0; i = (i + 1) & (cap - 1))
                    ;
                t[i] = o->conns[j];
            }
        free(o->conns);
        o->conns = t;
        o->capconns = cap;
    }
    for (i = key & (o->capconns - 1); o->conns[i].key != 0 && o->conns[i].key != key; i = (i + 1) & (o->capconns - 1))
        ;
    if (o->conns[i].key == 0) {
        o->conns[i].key = key;
        o->nconns++;
    } else if (!o->is_done(o->arg, o->conns[i].seq)) {
        wait_for(w, o->conns[i].seq, o->conns[i].line, RP_BY_CONN);
    }
    o->conns[i].seq = r->seq;
    o->conns[i].line = r->line;
}

void rp_order_add(rp_order *o, const rp_req *r, rp_waits *w)
{
    adding ad = {o, r, w, {NULL, 0}};
    ddb_jspan req = r->request, table = ddb_jscan_member(req, "TableName");
    op_kind k = kind_of(r->op);

    w->n = 0;
    w->prefix = 0;
    if (r->status == 200)
        learn_stream(o, r->op, req);
    conn_order(o, r, w);
    if (k != ALL && k != BATCH_GET && k != BATCH_WRITE && k != TX_GET && k != TX_WRITE && table.p == NULL)
        k = ALL;
    switch (k) {
    case ITEM_READ:
    case ITEM_WRITE:
        if (ddb_jscan_is_string(r->op, "PutItem"))
            touch_item(&ad, table, ddb_jscan_member(req, "Item"), 1, M_W);
        else
            touch_item(&ad, table, ddb_jscan_member(req, "Key"), 0, k == ITEM_READ ? M_R : M_W);
        break;
    case BATCH_GET:
        ddb_jscan_each_member(ddb_jscan_member(req, "RequestItems"), batch_get_table, &ad);
        break;
    case BATCH_WRITE:
        ddb_jscan_each_member(ddb_jscan_member(req, "RequestItems"), batch_write_table, &ad);
        break;
    case TX_GET:
    case TX_WRITE:
        ddb_jscan_each_element(ddb_jscan_member(req, "TransactItems"), tx_one, &ad);
        break;
    case TABLE_READ:
    case TABLE_WRITE:
        take(o, res_get(o, table_hash(table)), k == TABLE_READ ? M_R : M_W, r, w);
        if (ddb_jscan_is_string(r->op, "Query") || ddb_jscan_is_string(r->op, "Scan") ||
            ddb_jscan_is_string(r->op, "SearchVectors")) {
            take_capacity(o, table_hash(table), r, w);
            take_draws(o, table_hash(table), r, w);
        }
        break;
    case ALL:
        take_all(o, r, w);
        return;
    }
    /* an earlier operation on everything answered before this one arrived (looked at, not kept) */
    take_or_look(o, &o->everything, M_IR, r, w, 0);
}
