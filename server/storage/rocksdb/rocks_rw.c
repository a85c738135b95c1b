/*
 * server/storage/rocksdb/rocks_rw.c: the RocksDB backend's reads, writes, sequenced puts, commits (the
 * one locking path), the barrier and read snapshots.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/alloc.h"
#include "server/base/be.h"
#include "server/storage/rocksdb/rocks_internal.h"

static void *arena_place(void *a, size_t n)
{
    return ddb_arena_alloc(a, n);
}

/* A point read, now or at a snapshot (NULL: now). */
static int get_with(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, int shard, const char *key,
                    size_t klen, char **val, size_t *vlen)
{
    rocksdb_column_family_handle_t *cf = cf_of(s, shard);
    unsigned d = db_index(s, shard);
    const rocksdb_readoptions_t *ro = snap != NULL ? snap->ropts[d] : s->ropts;
    char *err = NULL;

    *val = NULL;
    *vlen = 0;
    if (cf == NULL || ro == NULL) /* nothing was ever written to this shard (or its database, then) */
        return DDB_STORE_OK;
    ddb_rocksdb_get_cf_into(db_at(s, d), ro, cf, key, klen, arena_place, a, val, vlen, &err);
    if (snap == NULL) /* (a snapshot's reads owe what its take did) */
        rocks_log_read(s, d);
    return rocks_check(err, "get");
}

int rocks_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    return get_with(s, NULL, a, shard_of(s, key, klen), key, klen, val, vlen);
}

int rocks_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen)
{
    return get_with(s, NULL, a, -1, key, klen, val, vlen);
}

static int multi_get_with(ddb_store *s, const ddb_store_snapshot *ro, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    /* one Get per key: MultiGet measured no better for BatchGetItem (docs/architecture.md) */
    for (size_t i = 0; i < n; i++) { /* (a commit's metadata key: storage.h) */
        int shard = keys[i].meta ? -1 : shard_of(s, keys[i].key, keys[i].klen);
        int rc = get_with(s, ro, a, shard, keys[i].key, keys[i].klen, &keys[i].val, &keys[i].vlen);
        if (rc != DDB_STORE_OK)
            return rc;
    }
    return DDB_STORE_OK;
}

int rocks_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return multi_get_with(s, NULL, a, keys, n);
}

/* A sequenced put's key: its prefix and its number, big-endian (into `buf`, MAX 32 + 8 bytes). */
static size_t seq_key(const ddb_write_op *op, uint64_t num, char *buf)
{
    memcpy(buf, op->key, op->klen);
    ddb_put_be(buf + op->klen, num, 8);
    return op->klen + 8;
}

/* The write options of b: the store's, or, under the unsynced-ack bug (faults.h), none of the
   write-ahead log for a batch of items alone (the catalog's writes keep it, so the table survives
   the kill and only acknowledged items are lost). */
static const rocksdb_writeoptions_t *wopts_for(ddb_store *s, const ddb_batch *b)
{
    if (!ddb_bug(DDB_BUG_UNSYNCED_ACK))
        return s->wopts;
    for (size_t i = 0; i < b->n; i++) {
        if (b->ops[i].meta)
            return s->wopts;
    }
    return s->wopts_nowal;
}

/* The shard of a batch's op (XOP_META, XOP_SEQ: the metadata's and the sequenced puts' families). */
static int op_shard(const ddb_store *s, const ddb_write_op *op)
{
    return op->meta ? XOP_META : op->sequenced ? XOP_SEQ : shard_of(s, op->key, op->klen);
}

/* b as one WriteBatch (`shards`: each op's, or NULL to place them here), or NULL when a shard's
   column family cannot be made. */
static rocksdb_writebatch_t *writebatch_of(ddb_store *s, const ddb_batch *b, const uint64_t *nums, const int *shards)
{
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
    char kbuf[48];

    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *op = &b->ops[i];
        int shard = shards != NULL ? shards[i] : op_shard(s, op);
        rocksdb_column_family_handle_t *cf = shard == XOP_META  ? s->meta
                                             : shard == XOP_SEQ ? rocks_seq_cf(s, 1)
                                                                : rocks_cf_for_write(s, shard);
        if (cf == NULL) {
            rocksdb_writebatch_destroy(wb);
            return NULL;
        }
        if (op->sequenced)
            rocksdb_writebatch_put_cf(wb, cf, kbuf, seq_key(op, nums[i], kbuf), op->val, op->vlen);
        else if (op->is_delete)
            rocksdb_writebatch_delete_cf(wb, cf, op->key, op->klen);
        else
            rocksdb_writebatch_put_cf(wb, cf, op->key, op->klen, op->val, op->vlen);
    }
    return wb;
}

static int resume(void *ctx)
{
    ddb_store *s = ctx;

    for (unsigned d = 0; d < MAX_DBS; d++) {
        rocksdb_t *db = db_at(s, d);
        char *err = NULL;
        if (db == NULL)
            continue;
        ddb_rocksdb_resume(db, &err);
        if (err != NULL) {
            /* a log buffer that met the full disk (rocks_log.c) is never written again ("Seen
               error"): the reopen replays the log file, which holds every acknowledged write */
            int reopen = s->manual_flush && strstr(err, "Seen error") != NULL;
            ddb_log(DDB_LOG_ERROR, "rocksdb resume after a full disk: %s%s", err,
                    reopen ? " (a log's buffer could not be written: the store is reopened in place)" : "");
            rocksdb_free(err);
            return reopen ? -1 : 0;
        }
    }
    __atomic_store_n(&s->stopped, 0, __ATOMIC_SEQ_CST);
    rocks_drain_all(s); /* parts that the full disk left waiting (rocks_dbs.c); else the next writes */
    return 1;
}

static void cancel_work(void *ctx, int wait)
{
    ddb_store *s = ctx;

    for (unsigned d = 0; d < MAX_DBS; d++) {
        if (db_at(s, d) != NULL)
            ddb_rocksdb_cancel_background_work(db_at(s, d), wait);
    }
}

static int reopen(void *ctx)
{
    return rocks_reopen(ctx);
}

static const ddb_diskguard_engine rocks_engine = {resume, cancel_work, reopen};

/*
 * A write that failed for want of space stopped RocksDB's writes (its log may be torn), and its
 * own recovery would look for space only every 5 seconds (rocks_capi.cc turns it off). The guard
 * resumes it on a thread of its own as soon as the disk has room (diskguard.h), or reopens it when
 * the resume hangs (rocks_reopen); until then writes fail (InternalServerError, which clients
 * retry), in every database, nothing of them applied: a failed log write inserts nothing. (But for
 * a write across databases whose first part was in: it waits and lands whole, rocks_dbs.c.)
 */
void rocks_note_write_error(ddb_store *s, const char *err)
{
    if (strstr(err, "No space left on device") == NULL)
        return;
    __atomic_store_n(&s->stopped, 1, __ATOMIC_SEQ_CST);
    ddb_diskguard_stalled(s->guard, &rocks_engine, s);
}

/* b as ops of several databases (a sequenced put's key made in the batch's arena). */
static int write_across(ddb_store *s, const ddb_batch *b, const uint64_t *nums, const int *shards)
{
    rocks_xop *ops = ddb_arena_alloc(b->arena, b->n * sizeof(*ops));

    for (size_t i = 0; i < b->n; i++) {
        const ddb_write_op *op = &b->ops[i];
        rocks_xop *x = &ops[i];
        x->shard = shards[i];
        x->db = db_index(s, shards[i]);
        x->is_delete = op->is_delete;
        x->key = op->key;
        x->klen = op->klen;
        x->val = op->val;
        x->vlen = op->vlen;
        if (op->sequenced) {
            char *k = ddb_arena_alloc(b->arena, op->klen + 8);
            x->klen = seq_key(op, nums[i], k);
            x->key = k;
            x->is_delete = 0;
        }
    }
    return rocks_xwrite(s, ops, b->n, wopts_for(s, b));
}

/* b written, in the one database d, or across databases (`across`) behind the write gate;
   `shards`: each op's (with several databases), else NULL. */
static int write_ops(ddb_store *s, const ddb_batch *b, const uint64_t *nums, const int *shards, unsigned d,
                     int across)
{
    rocksdb_writebatch_t *wb;
    struct rocks_gate_stripe *g;
    char *err = NULL;
    int rc;

    if (ddb_fault_write_errors() || !ddb_diskguard_ok(s->guard, ddb_batch_only_removes(b)))
        return DDB_STORE_EIO; /* nothing applied: the caller answers InternalServerError */
    if (s->ndbs > 1 && __atomic_load_n(&s->stopped, __ATOMIC_ACQUIRE))
        return DDB_STORE_EIO; /* nothing applied: the full disk's stop (rocks_note_write_error) */
    if (across) {
        g = rocks_gate_enter(s);
        rc = write_across(s, b, nums, shards);
        rocks_gate_leave(g);
        if (s->gc != NULL && rc == DDB_STORE_OK)
            ddb_groupcommit_note(s->gc);
        return rc;
    }
    /* (what waits there from a write across databases goes first: rocks_dbs.c) */
    if (s->ndbs > 1 && __atomic_load_n(&s->npending, __ATOMIC_ACQUIRE) > 0 && rocks_drain(s, d) != DDB_STORE_OK)
        return DDB_STORE_EIO;
    if ((wb = writebatch_of(s, b, nums, shards)) == NULL)
        return DDB_STORE_EIO;
    g = s->ndbs > 1 ? rocks_gate_enter(s) : NULL;
    /* (what its reads saw in another database's buffer first: rocks_log.c) */
    if (g != NULL && rocks_log_settle_reads(s, 1u << d) != DDB_STORE_OK) {
        rocks_gate_leave(g);
        rocksdb_writebatch_destroy(wb);
        return DDB_STORE_EIO;
    }
    rocksdb_write(db_at(s, d), wopts_for(s, b), wb, &err);
    if (g != NULL)
        rocks_gate_leave(g);
    if (err != NULL)
        rocks_note_write_error(s, err);
    rocksdb_writebatch_destroy(wb);
    if (s->gc != NULL && err == NULL) {
        rocks_note_written(s, d);
        ddb_groupcommit_note(s->gc);
    }
    if (err == NULL)
        return rocks_log_wrote_alone(s, d);
    return rocks_check(err, "write");
}

/*
 * b written, numbered first where it has sequenced puts. With several databases each op is placed
 * once (which databases, then which family). A batch across databases written without a commit's
 * locks (`locked` 0: a background job's, the table figures') takes its keys' stripes, as a commit
 * does: in one database two batches over the same keys are each applied whole, one after the
 * other, and across databases only the stripes order their parts. It takes them before its
 * numbers, as a commit holds them when it numbers: numbered first, it could land after a commit
 * over the same keys that took a later number (a stream's records out of its items' order;
 * tests/unit/storage/test_databases.c).
 */
static int write_batch(ddb_store *s, const ddb_batch *b, int locked)
{
    int small[STACK_STRIPES], *shards = NULL, across = 0, rc;
    unsigned sst[STACK_STRIPES], *st = NULL, d = 0;
    uint64_t *nums = NULL;
    size_t ns = 0;
    ddb_seq_hold hold;

    if (s->ndbs > 1) {
        shards = b->n <= STACK_STRIPES ? small : ddb_arena_alloc(b->arena, b->n * sizeof(*shards));
        for (size_t i = 0; i < b->n; i++) {
            shards[i] = op_shard(s, &b->ops[i]);
            if (i == 0)
                d = db_index(s, shards[0]);
            else if (db_index(s, shards[i]) != d)
                across = 1;
        }
    }
    if (across && !locked) {
        st = b->n <= STACK_STRIPES ? sst : ddb_arena_alloc(b->arena, b->n * sizeof(*st));
        for (size_t i = 0; i < b->n; i++)
            st[i] = stripe_of(b->ops[i].key, b->ops[i].klen);
        ns = sort_stripes(st, b->n);
        for (size_t i = 0; i < ns; i++)
            pthread_mutex_lock(&s->locks[st[i]]);
    }
    for (size_t i = 0; i < b->n && nums == NULL; i++) {
        if (b->ops[i].sequenced)
            nums = ddb_arena_alloc(b->arena, sizeof(*nums) * b->n);
    }
    if (nums == NULL) {
        rc = write_ops(s, b, NULL, shards, d, across);
    } else { /* numbered, and the numbers reported done whether the write landed or not (sequencer.h) */
        ddb_sequencer_begin(s->seq, b, nums, &hold);
        rc = write_ops(s, b, nums, shards, d, across);
        ddb_sequencer_end(&hold);
    }
    for (size_t i = ns; i > 0; i--)
        pthread_mutex_unlock(&s->locks[st[i - 1]]);
    return rc;
}

int rocks_write(ddb_store *s, const ddb_batch *b)
{
    return write_batch(s, b, 0);
}

uint64_t rocks_seq_last(ddb_store *s, const char *prefix, size_t plen)
{
    return ddb_sequencer_last(s->seq, prefix, plen);
}

/* A trim writes the prefix's floor (ddb_sequencer_floor_key, which the sequencer's loader reads
   back) in the same write as its delete: database 0 holds both, so a crash keeps both or neither. */
int rocks_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen, uint64_t floor)
{
    rocksdb_writebatch_t *wb;
    char val[8], *k, *err = NULL;
    size_t klen;
    ddb_arena a;
    int rc;

    if (rocks_seq_cf(s, 0) == NULL)
        return DDB_STORE_OK; /* nothing was ever sequenced */
    ddb_sequencer_floor(s->seq, prefix, plen, floor); /* first: a write from now on numbers above it */
    ddb_arena_init(&a);
    k = ddb_sequencer_floor_key(&a, prefix, plen, &klen);
    ddb_put_be(val, floor, 8);
    wb = rocksdb_writebatch_create();
    rocksdb_writebatch_delete_range_cf(wb, s->seqcf, prefix, plen, stop, stoplen);
    rocksdb_writebatch_put_cf(wb, s->meta, k, klen, val, sizeof(val));
    rocksdb_write(s->db, s->wopts, wb, &err);
    rocksdb_writebatch_destroy(wb);
    ddb_arena_free(&a);
    if ((rc = rocks_check(err, "trim")) != DDB_STORE_OK)
        return rc;
    return rocks_log_wrote_alone(s, 0);
}

/* The floors of the prefixes in [lo, hi) go with their keys (a stream's end): deleted where there
   is one, so that a purge, which has none, leaves no range tombstone in the metadata family. */
static int forget_floors(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    ddb_arena a;
    size_t flo_len, fhi_len;
    char *flo, *fhi, *err = NULL;
    ddb_store_iter *it;
    int found, rc;

    ddb_arena_init(&a);
    flo = ddb_sequencer_floor_key(&a, lo, lolen, &flo_len);
    fhi = ddb_sequencer_floor_key(&a, hi, hilen, &fhi_len);
    it = rocks_meta_iter_open(s, flo, flo_len, fhi, fhi_len);
    ddb_store_iter_seek(it, NULL, 0);
    found = ddb_store_iter_valid(it);
    rc = found ? DDB_STORE_OK : ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    if (found) {
        rocksdb_delete_range_cf(s->db, s->wopts, s->meta, flo, flo_len, fhi, fhi_len, &err);
        if ((rc = rocks_check(err, "delete range")) == DDB_STORE_OK)
            rc = rocks_log_wrote_alone(s, 0);
    }
    ddb_arena_free(&a);
    return rc;
}

/* ---- commits: the one locking path (ddb_store_rmw is a commit of one key) ---- */


/* ---- the deliberate bugs of a commit (faults.h), for the consistency checkers to catch ---- */

static int bugged(void)
{
    return ddb_bug(DDB_BUG_UNLOCKED_COMMIT) || ddb_bug(DDB_BUG_TORN_TRANSACTION);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {0, ms * 1000000L};

    nanosleep(&ts, NULL);
}

/* unlocked-commit: a millisecond between the read and the write, as a slow disk would leave it,
   so that racing commits meet; torn-transaction: a commit of several keys written a write at a
   time, a millisecond apart. */
static int write_bugged(ddb_store *s, const ddb_batch *b, size_t nkeys)
{
    int rc = 0;

    if (ddb_bug(DDB_BUG_UNLOCKED_COMMIT))
        sleep_ms(1);
    if (!ddb_bug(DDB_BUG_TORN_TRANSACTION) || nkeys < 2)
        return write_batch(s, b, 1);
    for (size_t i = 0; i < b->n && rc == 0; i++) {
        ddb_batch one = *b;
        one.ops = &b->ops[i];
        one.n = one.cap = 1;
        if (i > 0)
            sleep_ms(1);
        rc = write_batch(s, &one, 1);
    }
    return rc;
}

/*
 * Locks the keys' distinct stripes in ascending order (every commit takes its locks in one
 * global order, so two commits cannot wait on each other), reads the keys, calls decide once
 * (holding the locks, nothing can change what it read, so it never needs to run again) and
 * writes its batch as one WriteBatch, then unlocks.
 */
int rocks_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx)
{
    unsigned small[STACK_STRIPES];
    unsigned *st = n <= STACK_STRIPES ? small : ddb_arena_alloc(a, n * sizeof(*st));
    size_t ns;
    ddb_batch b;
    int rc;
    uint32_t owed = rocks_log_reads_begin();

    for (size_t i = 0; i < n; i++)
        st[i] = stripe_of(keys[i].key, keys[i].klen);
    ns = n > 1 ? sort_stripes(st, n) : n;
    if (ddb_bug(DDB_BUG_UNLOCKED_COMMIT))
        ns = 0; /* the deliberate bug (faults.h): no locks at all */
    for (size_t i = 0; i < ns; i++)
        pthread_mutex_lock(&s->locks[st[i]]);
    rc = multi_get_with(s, NULL, a, keys, n);
    if (rc == DDB_STORE_OK) {
        ddb_batch_init(&b, a);
        rc = decide(ctx, keys, n, &b);
        if (rc == 0 && b.n > 0)
            rc = bugged() ? write_bugged(s, &b, n) : write_batch(s, &b, 1);
    }
    for (size_t i = ns; i > 0; i--)
        pthread_mutex_unlock(&s->locks[st[i - 1]]);
    rocks_log_reads_end(owed); /* (its reads owed its write only) */
    return rc;
}

/* The one database all of b's ops lie in, or -1 when they span several. */
static int batch_db(const ddb_store *s, const ddb_batch *b)
{
    int d = -1;

    if (s->ndbs == 1)
        return 0;
    for (size_t i = 0; i < b->n; i++) {
        int di = (int)db_index(s, op_shard(s, &b->ops[i]));
        if (d >= 0 && di != d)
            return -1;
        d = di;
    }
    return d < 0 ? 0 : d;
}

/* A write of units (`b` their joined batch): what their reads saw in other databases' buffers is
   written first (rocks_log.c), and only that: not what the call's other units read. */
static int write_owing(ddb_store *s, const ddb_batch *b, uint32_t owes, uint32_t before)
{
    int rc;

    rocks_log_reads_add(owes);
    rc = write_batch(s, b, 1);
    rocks_log_reads_end(before);
    return rc;
}

/*
 * The decided units' writes: those within one database joined into one write there (a write that
 * only removes apart from one that adds, as the disk guard treats them: diskguard.h), each other
 * alone (a unit across databases, whose parts the cross-database write keeps whole). Every unit's
 * rc is its write's result; owes[i] what unit i's reads owe.
 */
static void write_units(ddb_store *s, ddb_arena *a, ddb_store_unit *u, ddb_batch *b, const uint32_t *owes, size_t ok,
                        uint32_t before)
{
    int *group = ddb_arena_alloc(a, ok * sizeof(*group));
    size_t ngroups = 2 * (size_t)s->ndbs;

    for (size_t i = 0; i < ok; i++) {
        int d = b[i].n > 0 ? batch_db(s, &b[i]) : -2;
        group[i] = d < 0 ? d : 2 * d + ddb_batch_only_removes(&b[i]);
    }
    for (size_t g = 0; g < ngroups; g++) {
        ddb_batch joined;
        size_t first = ok, count = 0;
        uint32_t o = 0;
        int rc;
        for (size_t i = 0; i < ok; i++) {
            if (group[i] != (int)g)
                continue;
            if (count++ == 0) {
                first = i;
                ddb_batch_init(&joined, a);
            }
            ddb_batch_append(&joined, &b[i]);
            o |= owes[i];
        }
        if (count == 0)
            continue;
        rc = write_owing(s, count == 1 ? &b[first] : &joined, o, before);
        for (size_t i = first; i < ok; i++)
            if (group[i] == (int)g)
                u[i].rc = rc;
    }
    for (size_t i = 0; i < ok; i++)
        if (group[i] == -1)
            u[i].rc = write_owing(s, &b[i], owes[i], before);
}

/*
 * storage.h's ddb_store_commit_each: as rocks_commit of every unit, holding all their stripes at
 * once (taken in the one global order), so that the units decided can be written together, a write
 * a database rather than a write a unit. The deliberate bugs commit one unit at a time, as they
 * would have.
 */
size_t rocks_commit_each(ddb_store *s, ddb_arena *a, ddb_store_unit *u, size_t n)
{
    size_t nkeys = 0, ns, k = 0, ran = 0, ok = 0;
    unsigned *st;
    ddb_batch *b;
    uint32_t before, *owes;

    if (bugged()) {
        while (ran < n) {
            ddb_store_unit *x = &u[ran++];
            if ((x->rc = rocks_commit(s, a, x->keys, x->n, x->decide, x->ctx)) != 0)
                break;
        }
        return ran;
    }
    for (size_t i = 0; i < n; i++)
        nkeys += u[i].n;
    st = ddb_arena_alloc(a, nkeys * sizeof(*st));
    b = ddb_arena_alloc(a, n * sizeof(*b));
    owes = ddb_arena_alloc(a, n * sizeof(*owes));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < u[i].n; j++)
            st[k++] = stripe_of(u[i].keys[j].key, u[i].keys[j].klen);
    ns = sort_stripes(st, nkeys);
    before = rocks_log_reads_begin();
    for (size_t i = 0; i < ns; i++)
        pthread_mutex_lock(&s->locks[st[i]]);
    while (ran < n) {
        ddb_store_unit *x = &u[ran];
        ddb_batch_init(&b[ran], a);
        x->rc = multi_get_with(s, NULL, a, x->keys, x->n);
        owes[ran] = rocks_log_reads_owed(); /* (its own reads', then the next unit's: rocks_log.c) */
        rocks_log_reads_end(before);
        if (x->rc == DDB_STORE_OK)
            x->rc = x->decide(x->ctx, x->keys, x->n, &b[ran]);
        ran++;
        if (x->rc != 0)
            break;
        ok = ran;
    }
    write_units(s, a, u, b, owes, ok, before);
    for (size_t i = ns; i > 0; i--)
        pthread_mutex_unlock(&s->locks[st[i - 1]]);
    return ran;
}

/* Every rmw/commit holds all its stripes from before its reads until after its write (stripes.h). */
void rocks_barrier(ddb_store *s)
{
    stripes_barrier(s->locks);
}

void rocks_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx)
{
    stripes_exclusive(s->locks, fn, ctx);
}

/* ---- snapshots ---- */

/* Every database at one moment: the write gate closed while each takes its snapshot (a RocksDB
   snapshot is a sequence number: a few hundred nanoseconds each). */
ddb_store_snapshot *rocks_snapshot_take(ddb_store *s, int point_in_time)
{
    ddb_store_snapshot *snap = ddb_zalloc(sizeof(*snap));

    (void)point_in_time; /* a RocksDB snapshot is always one */
    if (s->ndbs > 1)
        rocks_gate_close(s);
    for (unsigned d = 0; d < MAX_DBS; d++) {
        rocksdb_t *db = db_at(s, d);
        if (db == NULL)
            continue;
        snap->snap[d] = rocksdb_create_snapshot(db);
        rocks_log_read(s, d);
        snap->ropts[d] = rocksdb_readoptions_create();
        rocksdb_readoptions_set_snapshot(snap->ropts[d], snap->snap[d]);
    }
    if (s->ndbs > 1)
        rocks_gate_open(s);
    return snap;
}

void rocks_snapshot_release(ddb_store *s, ddb_store_snapshot *snap)
{
    if (snap == NULL)
        return;
    for (unsigned d = 0; d < MAX_DBS; d++) {
        if (snap->snap[d] == NULL)
            continue;
        rocksdb_readoptions_destroy(snap->ropts[d]);
        rocksdb_release_snapshot(db_at(s, d), snap->snap[d]);
    }
    free(snap);
}

int rocks_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n)
{
    return multi_get_with(s, snap, a, keys, n);
}

int rocks_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    for (unsigned i = 0; i < MAX_SHARDS; i++) {
        rocksdb_column_family_handle_t *cf = cf_of(s, (int)i);
        char *err = NULL;
        int rc;
        if (cf == NULL)
            continue;
        rocksdb_delete_range_cf(db_at(s, db_index(s, (int)i)), s->wopts, cf, lo, lolen, hi, hilen, &err);
        if ((rc = rocks_check(err, "delete range")) != DDB_STORE_OK ||
            (rc = rocks_log_wrote_alone(s, db_index(s, (int)i))) != DDB_STORE_OK)
            return rc;
    }
    if (rocks_seq_cf(s, 0) != NULL) { /* sequenced keys too (stream records), and their floors */
        char *err = NULL;
        int rc;
        rocksdb_delete_range_cf(s->db, s->wopts, s->seqcf, lo, lolen, hi, hilen, &err);
        if (err != NULL)
            return rocks_check(err, "delete range");
        if ((rc = rocks_log_wrote_alone(s, 0)) != DDB_STORE_OK)
            return rc;
        return forget_floors(s, lo, lolen, hi, hilen);
    }
    return DDB_STORE_OK;
}

/* Compacts the range in every column family that may hold it: a range tombstone's keys are dropped
   only when a compaction reads both. Bottommost files are rewritten too (only those that the range
   overlaps), as they hold most of the deleted bytes. */
void rocks_reclaim(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    rocksdb_compactoptions_t *co = rocksdb_compactoptions_create();

    rocksdb_compactoptions_set_bottommost_level_compaction(co, 3 /* kForceOptimized */);
    for (unsigned i = 0; i < MAX_SHARDS; i++) {
        rocksdb_column_family_handle_t *cf = cf_of(s, (int)i);
        if (cf != NULL)
            rocksdb_compact_range_cf_opt(db_at(s, db_index(s, (int)i)), cf, co, lo, lolen, hi, hilen);
    }
    if (rocks_seq_cf(s, 0) != NULL)
        rocksdb_compact_range_cf_opt(s->db, s->seqcf, co, lo, lolen, hi, hilen);
    rocksdb_compactoptions_destroy(co);
}

/* ---- iterators ---- */
