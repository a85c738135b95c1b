/*
 * server/storage/rocksdb/rocks_iter.c: the RocksDB backend's range reads, merged across shards.
 */
#include <stdlib.h>
#include <string.h>

#include "server/storage/range.h"
#include "server/storage/rocksdb/rocks_internal.h"


/*
 * A range read over the shards that may hold the range, merged in key order (the keys of
 * different shards are disjoint): one sub-iterator for a range within one partition, one per
 * shard for a wider one. `cur` is the sub-iterator at the current key.
 */
struct ddb_store_iter {
    const ddb_iter_ops *ops; /* first: store.c dispatches through it (backend.h) */
    /* a database's, shared by its sub-iterators: bounds (and snapshot); NULL where none reads it */
    rocksdb_readoptions_t *ropts[MAX_DBS];
    ddb_store_range r;
    rocksdb_t *db[MAX_DBS];
    /* a merge's own snapshot of each database: one view across its shards, and with several
       databases taken at one moment (iter_open); a Scan's pages are not one moment, in DynamoDB
       either */
    const rocksdb_snapshot_t *own[MAX_DBS];
    unsigned dbs;                 /* bit d: database d has read options here (its slots above are set) */
    int cur;                      /* -1: not valid */
    unsigned n;
    rocksdb_iterator_t *sub[];
};


_Static_assert(MAX_DBS <= 32, "an iterator's databases are bits of an unsigned");

static const ddb_iter_ops rocks_iter_ops = {
    .seek = rocks_iter_seek,
    .valid = rocks_iter_valid,
    .next = rocks_iter_next,
    .key = rocks_iter_key,
    .val = rocks_iter_val,
    .close = rocks_iter_close,
    .status = rocks_iter_status,
};

static int key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c != 0 ? c : (alen > blen) - (alen < blen);
}

/* Points `cur` at the sub-iterator with the smallest key (reverse: the largest). */
static void iter_pick(ddb_store_iter *it)
{
    const char *best = NULL;
    size_t bestlen = 0;

    it->cur = -1;
    for (unsigned i = 0; i < it->n; i++) {
        const char *k;
        size_t klen;
        int c;
        if (!rocksdb_iter_valid(it->sub[i]))
            continue;
        k = rocksdb_iter_key(it->sub[i], &klen);
        c = best == NULL ? -1 : key_cmp(k, klen, best, bestlen);
        if (best == NULL || (it->r.reverse ? c > 0 : c < 0)) {
            best = k;
            bestlen = klen;
            it->cur = (int)i;
        }
    }
}

/* The shards that may hold [lo, hi): the partition's own when both bounds are in one partition. */
static unsigned iter_shards(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int *shards)
{
    unsigned n = 0, ncf = __atomic_load_n(&s->ncf, __ATOMIC_ACQUIRE);
    size_t pb = s->partition_bytes;

    if (pb > 0 && lolen >= pb && hilen >= pb && memcmp(lo, hi, pb) == 0) {
        shards[0] = shard_of(s, lo, lolen);
        return cf_of(s, shards[0]) != NULL;
    }
    for (unsigned i = 0; i < ncf && i < MAX_SHARDS; i++) {
        if (cf_of(s, (int)i) != NULL)
            shards[n++] = (int)i;
    }
    return n;
}

static ddb_store_iter *iter_new(unsigned n, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse)
{
    ddb_store_iter *it = calloc(1, sizeof(*it) + n * sizeof(it->sub[0]));

    if (it == NULL)
        abort();
    it->ops = &rocks_iter_ops;
    ddb_store_range_copy(&it->r, lo, lolen, hi, hilen, reverse);
    it->cur = -1;
    return it;
}

/* Database d's read options for the iterator (made at its first sub-iterator there): the bounds,
   and the store snapshot's moment, or with `own` one of its own; NULL where the snapshot was taken
   before the database was made. */
static rocksdb_readoptions_t *iter_ropts(ddb_store_iter *it, ddb_store *s, unsigned d, const ddb_store_snapshot *snap,
                                         int own)
{
    rocksdb_readoptions_t *ro = it->ropts[d];

    if (ro != NULL)
        return ro;
    if (snap != NULL && snap->snap[d] == NULL)
        return NULL;
    ro = it->ropts[d] = rocksdb_readoptions_create();
    it->dbs |= 1u << d;
    it->db[d] = db_at(s, d);
    rocksdb_readoptions_set_iterate_lower_bound(ro, it->r.lo, it->r.lolen);
    rocksdb_readoptions_set_iterate_upper_bound(ro, it->r.hi, it->r.hilen);
    if (snap != NULL) {
        rocksdb_readoptions_set_snapshot(ro, snap->snap[d]);
    } else if (own) {
        it->own[d] = rocksdb_create_snapshot(it->db[d]);
        rocksdb_readoptions_set_snapshot(ro, it->own[d]);
    }
    return ro;
}

/* After its iterators are made, each database the iterator reads (rocks_log.c): those of `dbs`,
   one or two of MAX_DBS's slots for most reads (a loop over all 16 was a Query's +0.24 %). */
static void owe_reads(ddb_store_iter *it, ddb_store *s)
{
    for (unsigned m = it->dbs; m != 0; m &= m - 1)
        rocks_log_read(s, (unsigned)__builtin_ctz(m));
}

static ddb_store_iter *iter_open(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                 const char *hi, size_t hilen, int reverse)
{
    int shards[MAX_SHARDS], across = 0;
    unsigned n = iter_shards(s, lo, lolen, hi, hilen, shards);
    ddb_store_iter *it = iter_new(n, lo, lolen, hi, hilen, reverse);

    /* A merge over several databases sees them at one moment, as a store snapshot does: its own
       snapshots taken with the write gate closed, so that a write across them (an item and its
       index entries, a transaction) is in all of them or none; else a GSI Scan could show an item
       both under its old index key and its new one (tests/compat/test_consistency_overlay.py). */
    for (unsigned i = 1; i < n && snap == NULL && !across; i++)
        across = db_index(s, shards[i]) != db_index(s, shards[0]);
    if (across) {
        rocks_gate_close(s);
        for (unsigned i = 0; i < n; i++)
            (void)iter_ropts(it, s, db_index(s, shards[i]), NULL, 1);
        rocks_gate_open(s);
    }
    /* (with n > 1 the shards' iterators of a database would each pin their own moment) */
    for (unsigned i = 0; i < n; i++) { /* shards never written to hold nothing and are left out */
        unsigned d = db_index(s, shards[i]);
        rocksdb_readoptions_t *ro = iter_ropts(it, s, d, snap, n > 1);
        if (ro != NULL)
            it->sub[it->n++] = rocksdb_create_iterator_cf(it->db[d], ro, cf_of(s, shards[i]));
    }
    if (snap == NULL) /* what it may see owes a flush (a store snapshot's was owed at its take) */
        owe_reads(it, s);
    return it;
}

ddb_store_iter *rocks_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                    int reverse)
{
    return iter_open(s, NULL, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *rocks_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                        int reverse)
{
    rocksdb_column_family_handle_t *cf = rocks_seq_cf(s, 0);
    ddb_store_iter *it = iter_new(1, lo, lolen, hi, hilen, reverse);

    if (cf != NULL) /* none yet: nothing to read */
        it->sub[it->n++] = rocksdb_create_iterator_cf(s->db, iter_ropts(it, s, 0, NULL, 0), cf);
    owe_reads(it, s);
    return it;
}

ddb_store_iter *rocks_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                       const char *hi, size_t hilen, int reverse)
{
    return iter_open(s, snap, lo, lolen, hi, hilen, reverse);
}

ddb_store_iter *rocks_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_store_iter *it = iter_new(1, lo, lolen, hi, hilen, 0);

    it->sub[it->n++] = rocksdb_create_iterator_cf(s->db, iter_ropts(it, s, 0, NULL, 0), s->meta);
    owe_reads(it, s);
    return it;
}

void rocks_iter_seek(ddb_store_iter *it, const char *from, size_t fromlen)
{
    for (unsigned i = 0; i < it->n; i++) {
        if (from == NULL && it->r.reverse)
            rocksdb_iter_seek_to_last(it->sub[i]);
        else if (from == NULL)
            rocksdb_iter_seek_to_first(it->sub[i]);
        else if (it->r.reverse)
            rocksdb_iter_seek_for_prev(it->sub[i], from, fromlen);
        else
            rocksdb_iter_seek(it->sub[i], from, fromlen);
    }
    iter_pick(it);
}

int rocks_iter_valid(ddb_store_iter *it)
{
    return it->cur >= 0;
}

void rocks_iter_next(ddb_store_iter *it)
{
    if (it->r.reverse)
        rocksdb_iter_prev(it->sub[it->cur]);
    else
        rocksdb_iter_next(it->sub[it->cur]);
    if (it->n == 1) /* one place: no merge */
        it->cur = rocksdb_iter_valid(it->sub[0]) ? 0 : -1;
    else
        iter_pick(it);
}

const char *rocks_iter_key(ddb_store_iter *it, size_t *len)
{
    return rocksdb_iter_key(it->sub[it->cur], len);
}

const char *rocks_iter_val(ddb_store_iter *it, size_t *len)
{
    return rocksdb_iter_value(it->sub[it->cur], len);
}

int rocks_iter_status(ddb_store_iter *it)
{
    for (unsigned i = 0; i < it->n; i++) {
        char *err = NULL;
        int rc;
        rocksdb_iter_get_error(it->sub[i], &err);
        if ((rc = rocks_check(err, "iterate")) != DDB_STORE_OK)
            return rc;
    }
    return DDB_STORE_OK;
}

void rocks_iter_close(ddb_store_iter *it)
{
    if (it == NULL)
        return;
    for (unsigned i = 0; i < it->n; i++)
        rocksdb_iter_destroy(it->sub[i]);
    for (unsigned m = it->dbs; m != 0; m &= m - 1) {
        unsigned d = (unsigned)__builtin_ctz(m);
        if (it->own[d] != NULL)
            rocksdb_release_snapshot(it->db[d], it->own[d]);
        rocksdb_readoptions_destroy(it->ropts[d]);
    }
    ddb_store_range_free(&it->r);
    free(it);
}

