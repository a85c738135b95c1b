/*
 * server/storage/rados_seq.c: sequenced puts (storage.h's ddb_batch_put_seq) on RADOS, numbered
 * in the store, so that any number of gateways can write one prefix.
 *
 * The sequence object q.<ks> keeps, per prefix, its counter: the omap key RS_SEQ_PREFIX (01 04,
 * which escaping never makes) + the escaped prefix, whose value is the last number taken (8 bytes,
 * big-endian). A write with sequenced puts reads the counter (`last`), numbers its puts last+1 ..
 * last+k, and commits, with its records, a compare of the counter with `last` and its new value
 * last+k: a number is taken by the same atomic step (one RADOS operation, or a two-phase commit's
 * apply) that writes its record. Two gateways that read the same `last` cannot both commit: the
 * second one's compare fails and it numbers again. In a two-phase commit the counter is marked like
 * every key the write changes, so no other write takes a number under the prefix until this one
 * is applied or rolled back (a write rolled back took no number: its numbers are given again).
 * So the counter is the watermark: every number up to it is written, none above it is, and a
 * reader (rs_seq_last) reads it from the store, whichever gateway wrote.
 *
 * Within a gateway, the writers of a prefix queue on its lock from numbering to the commit's
 * outcome, so they never lose to each other; and the gateway keeps the counter it last wrote, so
 * with one gateway writing a prefix no write reads it. A write whose kept counter was stale
 * (another gateway wrote meanwhile) loses its compare: the gateway then reads it for a while.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keycodec.h"
#include "rados_plan.h"

#define SEQ_MAX_PREFIX 32 /* the engine's prefixes are 12 bytes */
#define SEQ_BUCKETS 64
#define FRESH_MS 10000    /* how long a gateway reads a counter after finding its own copy stale */

typedef struct rs_seq_entry {
    char prefix[SEQ_MAX_PREFIX];
    size_t plen;
    pthread_mutex_t lock;   /* this gateway's writers of the prefix, from numbering to outcome */
    int known;              /* `last` is the stored counter (this gateway wrote it last); lock */
    uint64_t last;
    long long fresh_until;  /* read the counter until then (monotonic ms); lock */
    struct rs_seq_entry *next;
} rs_seq_entry;

struct rs_seqs {
    pthread_mutex_t lock; /* inserts (entries are never removed) */
    rs_seq_entry *buckets[SEQ_BUCKETS];
};

/* One write's prefixes: locked in prefix order (two writes with two prefixes each never deadlock). */
struct rs_seq_hold {
    rs_seq_entry **e;
    size_t n;
    uint64_t *last;  /* the counter the numbering started from */
    size_t *count;   /* the write's sequenced puts under it */
    int *absent;     /* no counter stored yet */
    int *cached;     /* `last` came from the entry, unread */
};

static long long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

rs_seqs *rs_seqs_new(void)
{
    rs_seqs *q = calloc(1, sizeof(*q));

    if (q == NULL)
        abort();
    pthread_mutex_init(&q->lock, NULL);
    return q;
}

void rs_seqs_free(rs_seqs *q)
{
    if (q == NULL)
        return;
    for (int i = 0; i < SEQ_BUCKETS; i++) {
        for (rs_seq_entry *e = q->buckets[i], *next; e != NULL; e = next) {
            next = e->next;
            pthread_mutex_destroy(&e->lock);
            free(e);
        }
    }
    pthread_mutex_destroy(&q->lock);
    free(q);
}

static rs_seq_entry *entry_of(rs_seqs *q, const char *prefix, size_t plen)
{
    uint32_t h = 2166136261u;
    rs_seq_entry *e;

    if (plen > SEQ_MAX_PREFIX)
        abort();
    for (size_t i = 0; i < plen; i++)
        h = (h ^ (unsigned char)prefix[i]) * 16777619u;
    pthread_mutex_lock(&q->lock);
    for (e = q->buckets[h % SEQ_BUCKETS]; e != NULL; e = e->next)
        if (e->plen == plen && memcmp(e->prefix, prefix, plen) == 0)
            break;
    if (e == NULL) {
        if ((e = calloc(1, sizeof(*e))) == NULL)
            abort();
        memcpy(e->prefix, prefix, plen);
        e->plen = plen;
        pthread_mutex_init(&e->lock, NULL);
        e->next = q->buckets[h % SEQ_BUCKETS];
        q->buckets[h % SEQ_BUCKETS] = e;
    }
    pthread_mutex_unlock(&q->lock);
    return e;
}

/* ---- the stored counter ---- */

/* The counter's omap key (escaped already) into `out` (2 * SEQ_MAX_PREFIX + 2 bytes); its length. */
static size_t counter_key(const char *prefix, size_t plen, char *out)
{
    memcpy(out, RS_SEQ_PREFIX, RS_SEQ_PREFIX_LEN);
    return RS_SEQ_PREFIX_LEN + rs_escape(prefix, plen, out + RS_SEQ_PREFIX_LEN);
}

/* The highest number stored under a prefix, for a prefix without a counter (written before
   counters were kept, or never written): its last key, read backwards. */
static int stored_max(ddb_store *s, const char *prefix, size_t plen, uint64_t *last)
{
    char hi[SEQ_MAX_PREFIX];
    size_t hilen = plen;
    ddb_store_iter *it;
    int rc;

    memcpy(hi, prefix, plen);
    while (hilen > 0 && (unsigned char)hi[hilen - 1] == 0xff)
        hilen--;
    if (hilen == 0)
        abort(); /* an all-0xff prefix has no upper bound: the engine never makes one */
    hi[hilen - 1]++;
    *last = 0;
    it = rs_seq_iter_open(s, prefix, plen, hi, hilen, 1);
    ddb_store_iter_seek(it, NULL, 0);
    if (ddb_store_iter_valid(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if (klen >= 8)
            *last = ddb_get_be(k + klen - 8, 8);
    }
    rc = ddb_store_iter_valid(it) ? DDB_STORE_OK : ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc;
}

/*
 * Reads a prefix's counter: *last (the stored records' highest number when there is no counter,
 * *absent then set), and in `mark` the name of the write intent whose marker holds it ("": none).
 */
static int counter_read(ddb_store *s, const char *prefix, size_t plen, uint64_t *last, int *absent,
                        char mark[RS_OBJ_MAX + 1])
{
    char oid[RS_OBJ_MAX], key[2 * SEQ_MAX_PREFIX + 2], mkey[2 * SEQ_MAX_PREFIX + 4];
    size_t kl = counter_key(prefix, plen, key), lens[2] = {kl, kl + RS_MARK_PREFIX_LEN};
    const char *keys[2] = {key, mkey};
    rados_read_op_t op = rados_create_read_op();
    rados_omap_iter_t it = NULL;
    int prval = 0, rc;

    memcpy(mkey, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN);
    memcpy(mkey + RS_MARK_PREFIX_LEN, key, kl);
    rs_seq_obj(prefix, plen, oid);
    *absent = 1;
    mark[0] = '\0';
    rados_read_op_omap_get_vals_by_keys2(op, keys, 2, lens, &it, &prval);
    rc = rados_read_op_operate(op, s->io, oid, 0);
    __atomic_add_fetch(&s->n_reads, 1, __ATOMIC_RELAXED);
    if (rc < 0 && rc != -ENOENT) {
        rados_release_read_op(op);
        return rs_check(rc, "read counter", oid);
    }
    for (; rc == 0 && prval == 0;) {
        char *k = NULL, *v = NULL;
        size_t l = 0, vl = 0;
        if (rados_omap_get_next2(it, &k, &v, &l, &vl) < 0 || k == NULL)
            break;
        if (l == kl && memcmp(k, key, kl) == 0 && vl == 9 && v[0] == 'v') {
            *last = ddb_get_be(v + 1, 8);
            *absent = 0;
        } else if (l == kl + RS_MARK_PREFIX_LEN && vl > 0 && vl <= RS_OBJ_MAX) {
            memcpy(mark, v, vl);
            mark[vl] = '\0';
        }
    }
    if (rc == 0)
        rados_omap_get_end(it);
    rados_release_read_op(op);
    if (rc == 0 && prval < 0)
        return rs_check(prval, "read counter", oid);
    return *absent ? stored_max(s, prefix, plen, last) : DDB_STORE_OK;
}

/* Adds an op on a prefix's counter to a plan (a compare with `val`, NULL: absent; or a put). */
static void counter_op(rs_plan *p, const char *prefix, size_t plen, int kind, const uint64_t *val)
{
    char oid[RS_OBJ_MAX], v[8], *key = ddb_arena_alloc(p->a, 2 * SEQ_MAX_PREFIX + 2);
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

    return rs_key_cmp(x->prefix, x->plen, y->prefix, y->plen);
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
    for (size_t j = 0; j < h->n; j++)
        pthread_mutex_lock(&h->e[j]->lock);
    return h;
}

static size_t hold_index(const rs_seq_hold *h, const char *prefix, size_t plen)
{
    size_t j = 0;

    while (h->e[j]->plen != plen || memcmp(h->e[j]->prefix, prefix, plen) != 0)
        j++;
    return j;
}

int rs_seq_number(ddb_store *s, rs_seq_hold *h, const ddb_batch *b, rs_plan *p, uint64_t *nums)
{
    char mark[RS_OBJ_MAX + 1];
    long long now = mono_ms();

    for (size_t j = 0; j < h->n; j++) {
        rs_seq_entry *e = h->e[j];
        h->count[j] = 0;
        h->cached[j] = e->known && now >= e->fresh_until;
        h->absent[j] = 0;
        if (h->cached[j]) {
            h->last[j] = e->last;
            continue;
        }
        int rc = counter_read(s, e->prefix, e->plen, &h->last[j], &h->absent[j], mark);
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
        counter_op(p, h->e[j]->prefix, h->e[j]->plen, OP_CMP, h->absent[j] ? NULL : &h->last[j]);
        counter_op(p, h->e[j]->prefix, h->e[j]->plen, OP_SET, &next);
    }
    return DDB_STORE_OK;
}

void rs_seq_settle(rs_seq_hold *h, int rc)
{
    for (size_t j = 0; j < h->n; j++) {
        rs_seq_entry *e = h->e[j];
        /* after any failure the stored counter is unknown (the write may yet be rolled forward) */
        e->known = rc == DDB_STORE_OK;
        e->last = h->last[j] + h->count[j];
        if (rc == DDB_STORE_ECONFLICT && h->cached[j])
            e->fresh_until = mono_ms() + FRESH_MS; /* another gateway writes this prefix */
    }
}

void rs_seq_end(rs_seq_hold *h)
{
    for (size_t j = h->n; j > 0; j--)
        pthread_mutex_unlock(&h->e[j - 1]->lock);
}

/* ---- readers and the trimmer ---- */

/* Whether intent `name` was written longer than the lease ago (or is gone, or unreadable). */
static int intent_old(ddb_store *s, const char *name)
{
    char t[24];
    struct timespec ts;
    int rc = rados_getxattr(s->io, name, RS_TIME_ATTR, t, sizeof(t) - 1);

    __atomic_add_fetch(&s->n_reads, 1, __ATOMIC_RELAXED);
    if (rc < 0)
        return 1;
    t[rc] = '\0';
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - atoll(t) >= rs_lease_ms();
}

/*
 * The counter from the store: every number up to it is written, whichever gateway wrote it. A
 * counter held by a write intent older than the lease is resolved first (rolled forward if its
 * gateway stopped after its commit point), so a stopped gateway's records do not stay invisible
 * until the next write; a younger one is its gateway's to finish (its records are not counted
 * yet, and readers do not race its gateway to apply it).
 */
uint64_t rs_seq_last(ddb_store *s, const char *prefix, size_t plen)
{
    char mark[RS_OBJ_MAX + 1], oid[RS_OBJ_MAX], mkey[2 * SEQ_MAX_PREFIX + 4];
    uint64_t last = 0;
    int absent;

    for (int i = 0; i < 2; i++) {
        if (counter_read(s, prefix, plen, &last, &absent, mark) != DDB_STORE_OK)
            return 0; /* nothing new is visible (logged); readers ask again */
        if (mark[0] == '\0' || i == 1 || !intent_old(s, mark))
            break;
        memcpy(mkey, RS_MARK_PREFIX, RS_MARK_PREFIX_LEN);
        size_t ml = RS_MARK_PREFIX_LEN + counter_key(prefix, plen, mkey + RS_MARK_PREFIX_LEN);
        rs_seq_obj(prefix, plen, oid);
        if (rs_mark_resolve(s, oid, mkey, ml, mark) != DDB_STORE_OK)
            break; /* pending within its lease: its numbers are not written yet */
    }
    return last;
}

/* Raises the stored counter to `floor` (a compare and set; the trimmer's floor is normally below it). */
void rs_seq_floor(ddb_store *s, const char *prefix, size_t plen, uint64_t floor)
{
    rs_seq_entry *e = entry_of(s->seqs, prefix, plen);
    char mark[RS_OBJ_MAX + 1];
    ddb_arena a;

    ddb_arena_init(&a);
    pthread_mutex_lock(&e->lock);
    e->known = 0;
    for (int attempt = 1; attempt <= RS_RETRIES; attempt++) {
        uint64_t last;
        int absent, rc;
        rs_plan p;
        memset(&p, 0, sizeof(p));
        p.a = &a;
        if (counter_read(s, prefix, plen, &last, &absent, mark) != DDB_STORE_OK || (!absent && last >= floor))
            break;
        if (last < floor) {
            counter_op(&p, prefix, plen, OP_CMP, absent ? NULL : &last);
            counter_op(&p, prefix, plen, OP_SET, &floor);
        } else {
            counter_op(&p, prefix, plen, OP_CMP, NULL); /* records without a counter: store theirs */
            counter_op(&p, prefix, plen, OP_SET, &last);
        }
        const char *oid = p.oids[0];
        if (rs_dir_add(s, &oid, 1) != DDB_STORE_OK)
            break;
        if ((rc = rs_apply_group(s, &p, 0, RS_FAST, NULL)) >= 0)
            break;
        if (rc != -ECANCELED) {
            rs_check(rc, "raise counter", oid);
            break;
        }
        if ((rc = rs_group_resolve(s, &p, 0)) < 0 && rc != RS_BUSY)
            break; /* (logged) */
        rs_backoff(s, attempt);
    }
    pthread_mutex_unlock(&e->lock);
    ddb_arena_free(&a);
}
