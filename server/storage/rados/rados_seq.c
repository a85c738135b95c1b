/*
 * server/storage/rados/rados_seq.c: sequenced puts (storage.h's ddb_batch_put_seq) on RADOS, numbered
 * in the store, so that any number of gateways can write one prefix.
 *
 * The sequence object q.<ks> keeps, per prefix, its counter: the omap key RS_SEQ_PREFIX (01 04,
 * which escaping never makes) + the escaped prefix, whose value is the last number taken (8 bytes,
 * big-endian). A write with sequenced puts reads the counter (`last`), numbers its puts last+1 ..
 * last+k, and writes, in the operation that marks its records (a two-phase commit's phase 1) or
 * writes them (a single-object write), a compare of the counter with `last` and its new value
 * last+k: a number is taken exactly when its record is marked or written, and two gateways that
 * read the same `last` cannot both take it (the second one's compare fails: it numbers again).
 *
 * A reader's watermark (rs_seq_last) is the counter, or just below the lowest number whose
 * record is still marked (a write between its phase 1 and its apply): every number up to it is
 * written or lost for good (a write rolled back after its phase 1 leaves a gap, which the
 * contract allows), so no record can still appear below it. A marker older than the lease is
 * resolved first (its gateway stopped: rolled forward or back), so a stopped gateway does not
 * hold the readers back for longer.
 *
 * Within a gateway, the writers of a prefix queue on its lock from numbering until their
 * objects are marked (not until the write is applied: their two-phase commits overlap), so they
 * never lose to each other; the gateway keeps the counter it last wrote, so with one gateway
 * writing a prefix no write reads it. A write whose kept counter was stale (another gateway
 * wrote meanwhile) loses its compare: the gateway then reads the counter for a while.
 *
 * Below rados_write.c, which numbers its writes here; calls rados_txn.c (a stale marker
 * resolved), rados_plan.c (the counters' compares and puts), rados_dir.c and the bottom.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/storage/rados/rados_seq.h"
#include "server/base/alloc.h"
#include "server/base/be.h"
#include "server/base/clock.h"
#include "server/storage/rados/rados_txn.h"
#include "server/storage/prefix_map.h"
#include "server/storage/sequencer.h"

#define SEQ_MAX_PREFIX DDB_PREFIX_MAX
#define FRESH_MS 10000    /* how long a gateway reads a counter after finding its own copy stale */

typedef struct rs_seq_entry {
    ddb_prefix_entry head;  /* its lock: this gateway's writers of the prefix, from numbering until marked */
    int known;              /* `last` is the stored counter (this gateway wrote it last); head.lock */
    uint64_t last;
    long long fresh_until;  /* read the counter until then (monotonic ms); head.lock */
} rs_seq_entry;

struct rs_seqs {
    ddb_prefix_map entries;
};

/* One write's prefixes: locked in prefix order (two writes with two prefixes each never deadlock). */
struct rs_seq_hold {
    rs_seq_entry **e;
    size_t n;
    int locked;
    uint64_t *last;  /* the counter the numbering started from */
    size_t *count;   /* the write's sequenced puts under it */
    int *absent;     /* no counter stored yet */
    int *cached;     /* `last` came from the entry, unread */
};

rs_seqs *rs_seqs_new(void)
{
    rs_seqs *q = ddb_zalloc(sizeof(*q));

    ddb_prefix_map_init(&q->entries);
    return q;
}

void rs_seqs_free(rs_seqs *q)
{
    if (q == NULL)
        return;
    ddb_prefix_map_destroy(&q->entries, NULL);
    free(q);
}

static rs_seq_entry *entry_of(rs_seqs *q, const char *prefix, size_t plen)
{
    return (rs_seq_entry *)ddb_prefix_map_get(&q->entries, prefix, plen, sizeof(rs_seq_entry), NULL, NULL);
}

/* ---- the stored counter ---- */

/* The counter's omap key (escaped already) into `out` (2 * SEQ_MAX_PREFIX + 2 bytes); its length. */
static size_t counter_key(const char *prefix, size_t plen, char *out)
{
    memcpy(out, RS_SEQ_PREFIX, RS_SEQ_PREFIX_LEN);
    return RS_SEQ_PREFIX_LEN + rs_escape(prefix, plen, out + RS_SEQ_PREFIX_LEN);
}


/* A prefix's lowest marked record, from a read of its markers: *num (0: none) and the marker. */
typedef struct seq_pending {
    uint64_t num;
    char key[RS_MARK_PREFIX_LEN + 2 * (SEQ_MAX_PREFIX + 8) + 1]; /* its marker key */
    size_t kl;
    char intent[RS_OBJ_MAX + 1];                                 /* the intent it names */
} seq_pending;

static void pending_parse(rados_omap_iter_t it, size_t plen, seq_pending *pd)
{
    char *k = NULL, *v = NULL, raw[sizeof(pd->key)];
    size_t kl = 0, vl = 0, rl;

    pd->num = 0;
    if (rados_omap_get_next2(it, &k, &v, &kl, &vl) < 0 || k == NULL || kl >= sizeof(pd->key) || vl == 0 ||
        vl > RS_OBJ_MAX)
        return;
    memcpy(raw, k + RS_MARK_PREFIX_LEN, kl - RS_MARK_PREFIX_LEN);
    if ((rl = rs_unescape(raw, kl - RS_MARK_PREFIX_LEN)) != plen + 8)
        return;
    pd->num = ddb_get_be(raw + plen, 8);
    memcpy(pd->key, k, kl);
    pd->kl = kl;
    memcpy(pd->intent, v, vl);
    pd->intent[vl] = '\0';
}

/*
 * Reads a prefix's counter: *last (the stored records' highest number when there is no counter,
 * *absent then set); with `pd`, in the same operation, its lowest record still marked.
 */
static int counter_read(ddb_store *s, const char *prefix, size_t plen, uint64_t *last, int *absent,
                        seq_pending *pd)
{
    char oid[RS_OBJ_MAX], key[2 * SEQ_MAX_PREFIX + 3], mpre[2 * SEQ_MAX_PREFIX + 3];
    size_t kl = counter_key(prefix, plen, key);
    const char *keys[1] = {key};
    rados_read_op_t op = rados_create_read_op();
    rados_omap_iter_t it = NULL, mit = NULL;
    unsigned char more = 0;
    int prval = 0, mprval = 0, rc;

    rs_seq_obj(prefix, plen, oid);
    *absent = 1;
    rados_read_op_omap_get_vals_by_keys2(op, keys, 1, &kl, &it, &prval);
    if (pd != NULL) { /* the markers of the prefix's records: 01 03 + the escaped prefix + ... */
        memcpy(mpre, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN);
        mpre[RS_MARK_PREFIX_LEN + rs_escape(prefix, plen, mpre + RS_MARK_PREFIX_LEN)] = '\0';
        rados_read_op_omap_get_vals2(op, mpre, mpre, 1, &mit, &more, &mprval);
        pd->num = 0;
    }
    rc = rados_read_op_operate(op, s->io, oid, 0);
    if (rc == 0 && (prval < 0 || mprval < 0))
        rc = prval < 0 ? prval : mprval;
    if (rc < 0 && rc != -ENOENT) {
        rados_release_read_op(op);
        return rs_check(rc, "read counter", oid);
    }
    if (rc == 0) {
        char *k = NULL, *v = NULL;
        size_t l = 0, vl = 0;
        if (rados_omap_get_next2(it, &k, &v, &l, &vl) == 0 && k != NULL && vl == 9 && v[0] == 'v') {
            *last = ddb_get_be(v + 1, 8);
            *absent = 0;
        }
        rados_omap_get_end(it);
        if (pd != NULL) {
            pending_parse(mit, plen, pd);
            rados_omap_get_end(mit);
        }
    }
    rados_release_read_op(op);
    return *absent ? ddb_sequencer_stored_max(s, prefix, plen, last) : DDB_STORE_OK;
}

/* Adds an op on a prefix's counter to a plan (a compare with `val`, NULL: absent; or a put). */
static void counter_op(rs_plan *p, const char *prefix, size_t plen, int kind, const uint64_t *val)
{
    char oid[RS_OBJ_MAX], v[8], *key = ddb_arena_alloc(p->a, 2 * SEQ_MAX_PREFIX + 3);
    rs_op *o;

    rs_seq_obj(prefix, plen, oid);
    if (val != NULL)
        ddb_put_be(v, *val, 8);
    rs_plan_add(p, oid, kind, "", 0, val != NULL ? v : NULL, 8);
    o = &p->ops[p->n - 1]; /* the key is already escaped (01 04 must stay as it is) */
    o->k = key;
    o->kl = counter_key(prefix, plen, key);
}

/* ---- numbering a write ---- */

static int cmp_entry(const void *a, const void *b)
{
    const rs_seq_entry *x = *(rs_seq_entry *const *)a, *y = *(rs_seq_entry *const *)b;

    return rs_key_cmp(x->head.prefix, x->head.plen, y->head.prefix, y->head.plen);
}

rs_seq_hold *rs_seq_begin(ddb_store *s, const ddb_batch *b, ddb_arena *a)
{
    rs_seq_hold *h = NULL;

    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *op = &b->ops[i];
        size_t j;
        if (!op->sequenced)
            continue;
        if (h == NULL) {
            h = ddb_arena_calloc(a, sizeof(*h));
            h->e = ddb_arena_calloc(a, b->n * sizeof(*h->e));
        }
        rs_seq_entry *e = entry_of(s->seqs, op->key, op->klen);
        for (j = 0; j < h->n && h->e[j] != e; j++)
            ;
        if (j == h->n)
            h->e[h->n++] = e;
    }
    if (h == NULL)
        return NULL;
    qsort(h->e, h->n, sizeof(*h->e), cmp_entry);
    h->last = ddb_arena_calloc(a, h->n * sizeof(*h->last));
    h->count = ddb_arena_calloc(a, h->n * sizeof(*h->count));
    h->absent = ddb_arena_calloc(a, h->n * sizeof(*h->absent));
    h->cached = ddb_arena_calloc(a, h->n * sizeof(*h->cached));
    return h;
}

static size_t hold_index(const rs_seq_hold *h, const char *prefix, size_t plen)
{
    size_t j = 0;

    while (h->e[j]->head.plen != plen || memcmp(h->e[j]->head.prefix, prefix, plen) != 0)
        j++;
    return j;
}

/* The attempt's outcome (ok: its counters are written, so this gateway knows them), then unlocked. */
static void settle(rs_seq_hold *h, int ok)
{
    for (size_t j = h->n; j > 0; j--) {
        rs_seq_entry *e = h->e[j - 1];
        /* after a failure the stored counter is unknown (an unknown outcome, another gateway's) */
        e->known = ok;
        e->last = h->last[j - 1] + h->count[j - 1];
        if (!ok && h->cached[j - 1])
            e->fresh_until = (long long)ddb_clock_mono_ms() + FRESH_MS; /* another gateway may write this prefix */
        pthread_mutex_unlock(&e->head.lock);
    }
    h->locked = 0;
}

static void on_marked(void *ctx, int ok)
{
    rs_seq_hold *h = ctx;

    if (h->locked)
        settle(h, ok);
}

int rs_seq_number(ddb_store *s, rs_seq_hold *h, const ddb_batch *b, rs_plan *p, uint64_t *nums)
{
    long long now = (long long)ddb_clock_mono_ms();

    for (size_t j = 0; j < h->n; j++)
        pthread_mutex_lock(&h->e[j]->head.lock);
    h->locked = 1;
    for (size_t j = 0; j < h->n; j++) {
        rs_seq_entry *e = h->e[j];
        h->count[j] = 0;
        h->cached[j] = e->known && now >= e->fresh_until;
        h->absent[j] = 0;
        if (h->cached[j]) {
            h->last[j] = e->last;
            continue;
        }
        int rc = counter_read(s, e->head.prefix, e->head.plen, &h->last[j], &h->absent[j], NULL);
        if (rc != DDB_STORE_OK)
            return rc;
    }
    for (size_t i = 0; i < b->n; i++) {
        if (b->ops[i].sequenced) {
            size_t j = hold_index(h, b->ops[i].key, b->ops[i].klen);
            nums[i] = h->last[j] + ++h->count[j];
        }
    }
    for (size_t j = 0; j < h->n; j++) {
        uint64_t next = h->last[j] + h->count[j];
        counter_op(p, h->e[j]->head.prefix, h->e[j]->head.plen, OP_CTR_CMP, h->absent[j] ? NULL : &h->last[j]);
        counter_op(p, h->e[j]->head.prefix, h->e[j]->head.plen, OP_CTR_SET, &next);
    }
    p->marked = on_marked;
    p->marked_ctx = h;
    return DDB_STORE_OK;
}

void rs_seq_end(rs_seq_hold *h)
{
    if (h->locked)
        settle(h, 0);
}

/* ---- readers and the trimmer ---- */

/* Whether intent `name` was written longer than the lease ago (or is gone, or unreadable). */
static int intent_old(ddb_store *s, const char *name)
{
    char t[24];
    int rc = rados_getxattr(s->io, name, RS_TIME_ATTR, t, sizeof(t) - 1);

    if (rc < 0)
        return 1;
    t[rc] = '\0';
    return (long long)ddb_clock_system_ms() - atoll(t) >= rs_lease_ms(); /* written by any gateway */
}

/*
 * The watermark from the store: the counter, or below the lowest record still marked (whichever
 * gateway writes it). A marker older than the lease is resolved first (rolled forward if its
 * gateway stopped after its commit point, back if before); a younger one is its gateway's to
 * finish, and readers do not race it.
 */
uint64_t rs_seq_last(ddb_store *s, const char *prefix, size_t plen)
{
    char oid[RS_OBJ_MAX];
    seq_pending pd;
    uint64_t last = 0;
    int absent;

    rs_seq_obj(prefix, plen, oid);
    for (int i = 0; i < 2; i++) {
        int rc;
        if (counter_read(s, prefix, plen, &last, &absent, &pd) != DDB_STORE_OK)
            return 0; /* nothing new is visible (logged); readers ask again */
        if (pd.num == 0 || i == 1 || !intent_old(s, pd.intent))
            break;
        rs_write_begin(s); /* resolving writes (not while a snapshot pauses them: rados_snap.c) */
        rc = rs_mark_resolve(s, oid, pd.key, pd.kl, pd.intent);
        rs_write_end(s);
        if (rc != DDB_STORE_OK)
            break;
    }
    return pd.num > 0 && pd.num <= last ? pd.num - 1 : last;
}

/* Raises the stored counter to `floor` (a compare and set; the trimmer's floor is normally below it). */
int rs_seq_floor(ddb_store *s, const char *prefix, size_t plen, uint64_t floor)
{
    rs_seq_entry *e = entry_of(s->seqs, prefix, plen);
    int out = DDB_STORE_EIO;
    ddb_arena a;

    ddb_arena_init(&a);
    pthread_mutex_lock(&e->head.lock);
    e->known = 0;
    for (int attempt = 1; attempt <= RS_RETRIES; attempt++) {
        uint64_t last;
        int absent, rc;
        rs_plan p;
        memset(&p, 0, sizeof(p));
        p.a = &a;
        if ((rc = counter_read(s, prefix, plen, &last, &absent, NULL)) != DDB_STORE_OK) {
            out = rc;
            break;
        }
        if (!absent && last >= floor) {
            out = DDB_STORE_OK;
            break;
        }
        if (last < floor) {
            counter_op(&p, prefix, plen, OP_CTR_CMP, absent ? NULL : &last);
            counter_op(&p, prefix, plen, OP_CTR_SET, &floor);
        } else {
            counter_op(&p, prefix, plen, OP_CTR_CMP, NULL); /* records without a counter: store theirs */
            counter_op(&p, prefix, plen, OP_CTR_SET, &last);
        }
        const char *oid = p.oids[0];
        if ((out = rs_dir_add(s, &oid, 1)) != DDB_STORE_OK)
            break;
        if ((rc = rs_apply_group(s, &p, 0, RS_FAST, NULL)) >= 0) {
            out = DDB_STORE_OK;
            break;
        }
        if (rc != -ECANCELED) {
            out = rs_check(rc, "raise counter", oid);
            break;
        }
        out = DDB_STORE_EIO;
        rs_backoff(s, attempt); /* another gateway took numbers meanwhile: read again */
    }
    pthread_mutex_unlock(&e->head.lock);
    ddb_arena_free(&a);
    return out;
}
