/*
 * tests/unit/storage/rados/test_seq.c: sequenced puts (storage.h's ddb_batch_put_seq) across
 * RADOS gateways (server/storage/rados/rados_seq.c): two stores opened on one pool namespace, as two
 * ddbd processes, write records under one prefix at once, alone and beside a data key (a
 * two-phase commit, as a stream record beside its item), while a reader on each reads the prefix
 * up to ddb_store_seq_last. Every acknowledged record is there exactly once, the numbers run
 * 1..N, and no reader ever sees a number below its watermark appear or change later. And a
 * number taken by a write that stopped before applying its record (made by hand) holds the
 * readers below it until a reader resolves it after the lease: its record rolled forward, or a gap.
 *
 * Runs when DDBD_TEST_RADOS_CONF names a cluster's ceph.conf (tests/rados/run.sh starts one).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "rados_conf.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"
#include "test.h"

#define PARTITION_BYTES 12
#define PLEN 12
#define WRITERS 2    /* per gateway */
#define WRITES 60    /* per writer */
#define MAXN (2 * WRITERS * WRITES * 2 + 16)

static ddb_store *gateway(const char *ns)
{
    return test_rados_gateway(ns, 4, test_rados_key_hash, PARTITION_BYTES);
}

static const char PREFIX[PLEN] = {0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 1};

/* The records of PREFIX numbered [1, upto]: numbers and values (malloc'd), in key order; -1 on error. */
static long read_records(ddb_store *s, uint64_t upto, uint64_t *nums, char **vals, long max)
{
    char lo[PLEN + 8], hi[PLEN + 8];
    ddb_store_iter *it;
    long n = 0;

    memcpy(lo, PREFIX, PLEN);
    memcpy(hi, PREFIX, PLEN);
    ddb_put_be(lo + PLEN, 1, 8);
    ddb_put_be(hi + PLEN, upto + 1, 8);
    it = ddb_store_seq_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && n < max; ddb_store_iter_next(it), n++) {
        size_t kl, vl;
        const char *k = ddb_store_iter_key(it, &kl), *v = ddb_store_iter_val(it, &vl);
        nums[n] = kl == PLEN + 8 ? ddb_get_be(k + PLEN, 8) : 0;
        vals[n] = strndup(v, vl);
    }
    if (ddb_store_iter_status(it) != DDB_STORE_OK)
        n = -1;
    ddb_store_iter_close(it);
    return n;
}

typedef struct writer {
    ddb_store *s;
    int id;
    int acked, errors;
} writer;

/* Writes of one, two records, or one beside a data key of its own partition (a two-phase commit). */
static void *write_loop(void *arg)
{
    writer *w = arg;
    ddb_arena a;

    ddb_arena_init(&a);
    for (int i = 0; i < WRITES; i++) {
        ddb_batch b;
        char *v1 = ddb_arena_sprintf(&a, "w%d-%d-a", w->id, i), *v2 = ddb_arena_sprintf(&a, "w%d-%d-b", w->id, i);
        char *k = ddb_arena_sprintf(&a, "item%08d/%d", w->id * 1000 + i, i);
        ddb_batch_init(&b, &a);
        ddb_batch_put_seq(&b, PREFIX, PLEN, v1, strlen(v1));
        if (i % 3 == 1)
            ddb_batch_put_seq(&b, PREFIX, PLEN, v2, strlen(v2));
        if (i % 3 == 2)
            ddb_batch_put(&b, k, strlen(k), "x", 1);
        if (ddb_store_write(w->s, &b) == DDB_STORE_OK)
            w->acked += 1 + (i % 3 == 1);
        else
            w->errors++;
        ddb_arena_reset(&a);
    }
    ddb_arena_free(&a);
    return NULL;
}

typedef struct reader {
    ddb_store *s;
    atomic_int stop;
    long passes, bad;
    uint64_t last;
    char *seen[MAXN + 1]; /* the value read under each number up to `last` (NULL: none) */
} reader;

/* One pass: the watermark never goes back, numbers increase, and below the previous watermark
   nothing appeared, went or changed since the previous pass. */
static void read_pass(reader *r)
{
    static __thread uint64_t nums[MAXN];
    static __thread char *vals[MAXN];
    uint64_t last = ddb_store_seq_last(r->s, PREFIX, PLEN);
    long n = last > MAXN ? -1 : read_records(r->s, last, nums, vals, MAXN);

    if (n < 0 || last < r->last) {
        r->bad++;
        return;
    }
    for (long i = 0, j = 1; i < n; i++) {
        if (i > 0 && nums[i] <= nums[i - 1])
            r->bad++;
        for (; j < (long)nums[i] && (uint64_t)j <= r->last; j++)
            r->bad += r->seen[j] != NULL; /* a number that was there went */
        if (nums[i] <= r->last && (r->seen[nums[i]] == NULL || strcmp(r->seen[nums[i]], vals[i]) != 0))
            r->bad++; /* appeared below the watermark, or changed */
        if (nums[i] > r->last && nums[i] <= MAXN)
            r->seen[nums[i]] = strdup(vals[i]);
        j = (long)nums[i] + 1;
        free(vals[i]);
    }
    r->last = last;
    r->passes++;
}

static void *read_loop(void *arg)
{
    reader *r = arg;

    while (!atomic_load(&r->stop))
        read_pass(r);
    read_pass(r);
    return NULL;
}

TEST(rados_two_gateways_number_one_prefix_once_and_in_order)
{
    char ns[64], *vals[MAXN];
    uint64_t nums[MAXN];
    ddb_store *g[2];
    writer w[2 * WRITERS];
    reader *r[2];
    pthread_t tw[2 * WRITERS], tr[2];
    long n, acked = 0;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-seq", (long)getpid());
    g[0] = gateway(ns);
    g[1] = gateway(ns);
    for (int i = 0; i < 2; i++) {
        r[i] = calloc(1, sizeof(*r[i]));
        r[i]->s = g[i];
        pthread_create(&tr[i], NULL, read_loop, r[i]);
    }
    for (int i = 0; i < 2 * WRITERS; i++) {
        w[i] = (writer){.s = g[i % 2], .id = i};
        pthread_create(&tw[i], NULL, write_loop, &w[i]);
    }
    for (int i = 0; i < 2 * WRITERS; i++) {
        pthread_join(tw[i], NULL);
        ASSERT_EQ(w[i].errors, 0);
        acked += w[i].acked;
    }
    for (int i = 0; i < 2; i++) {
        atomic_store(&r[i]->stop, 1);
        pthread_join(tr[i], NULL);
        fprintf(stderr, "  reader %d: %ld passes, up to %llu\n", i, r[i]->passes, (unsigned long long)r[i]->last);
        ASSERT_EQ(r[i]->bad, 0);
        ASSERT_EQ(r[i]->last, acked); /* both gateways' watermark: every record */
    }
    /* every acknowledged record once, numbered 1..N with no gap (no write failed) */
    n = read_records(g[0], UINT64_MAX - 1, nums, vals, MAXN);
    ASSERT_EQ(n, acked);
    for (long i = 0; i < n; i++) {
        ASSERT_EQ(nums[i], i + 1);
        for (long j = 0; j < i; j++)
            ASSERT(strcmp(vals[i], vals[j]) != 0);
    }
    for (int i = 0; i < 2 * WRITERS; i++) {
        for (int k = 0; k < WRITES; k++) {
            char want[32];
            long found = 0;
            snprintf(want, sizeof(want), "w%d-%d-a", i, k);
            for (long j = 0; j < n; j++)
                found += strcmp(vals[j], want) == 0;
            ASSERT_EQ(found, 1);
        }
    }
    for (long i = 0; i < n; i++)
        free(vals[i]);
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j <= MAXN; j++)
            free(r[i]->seen[j]);
        free(r[i]);
        ddb_store_close(g[i]);
    }
}

/* The counter is the store's: a gateway opened later continues it, and a trim's floor raises it for all. */
TEST(rados_seq_numbers_continue_on_another_gateway_and_floor_holds)
{
    char ns[64], *vals[8], stop[PLEN + 8];
    uint64_t nums[8];
    ddb_store *g1, *g2;
    ddb_arena a;
    ddb_batch b;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-seqfloor", (long)getpid());
    g1 = gateway(ns);
    ddb_arena_init(&a);
    for (int i = 0; i < 3; i++) {
        ddb_batch_init(&b, &a);
        ddb_batch_put_seq(&b, PREFIX, PLEN, "v", 1);
        ASSERT_EQ(ddb_store_write(g1, &b), DDB_STORE_OK);
    }
    g2 = gateway(ns);
    ASSERT_EQ(ddb_store_seq_last(g2, PREFIX, PLEN), 3);
    memcpy(stop, PREFIX, PLEN);
    ddb_put_be(stop + PLEN, 3, 8); /* records 1 and 2 trimmed, with a floor above what is left */
    ASSERT_EQ(ddb_store_seq_trim(g2, PREFIX, PLEN, stop, sizeof(stop), 10), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_seq_last(g1, PREFIX, PLEN), 10);
    ddb_batch_init(&b, &a);
    ddb_batch_put_seq(&b, PREFIX, PLEN, "w", 1); /* g1 kept 3 as its counter: stale, numbered again */
    ASSERT_EQ(ddb_store_write(g1, &b), DDB_STORE_OK);
    ASSERT_EQ(read_records(g2, 100, nums, vals, 8), 2);
    ASSERT_EQ(nums[0], 3);
    ASSERT_EQ(nums[1], 11);
    for (int i = 0; i < 2; i++)
        free(vals[i]);
    ddb_arena_free(&a);
    ddb_store_close(g1);
    ddb_store_close(g2);
}

#ifdef DDB_HAVE_RADOS
#include <errno.h>
#include <time.h>

#include "server/storage/rados/rados_lib.h"

/* The store's escaping of omap keys (storage-format.md): 00 -> 01 01, 01 -> 01 02. */
static size_t esc(const char *k, size_t n, char *out)
{
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)k[i] <= 1)
            out[o++] = 1, out[o++] = (char)(k[i] + 1);
        else
            out[o++] = k[i];
    }
    return o;
}

/*
 * By hand, a write of another gateway that took number n under PREFIX and stopped after marking
 * its record: the counter raised to n, the record's marker naming intent `name`, and the intent
 * (state, creation time in ms, one put of the record: rados_write.c's format).
 */
static int left_write(rados_ioctx_t io, uint64_t n, const char *name, const char *state, long long t_ms)
{
    char rec[PLEN + 8], rk[64], mk[66], ck[40], cv[9], body[160], ts[24];
    size_t rl, cl, off = 0;
    const char *keys[2] = {mk, ck}, *vals[2] = {name, cv};
    size_t klens[2], vlens[2] = {strlen(name), 9};
    rados_write_op_t op;
    int rc;

    memcpy(rec, PREFIX, PLEN);
    ddb_put_be(rec + PLEN, n, 8);
    rl = esc(rec, sizeof(rec), rk);
    memcpy(mk, "\x01\x03", 2);
    memcpy(mk + 2, rk, rl);
    memcpy(ck, "\x01\x04", 2);
    cl = 2 + esc(PREFIX, PLEN, ck + 2);
    cv[0] = 'v';
    ddb_put_be(cv + 1, n, 8);
    klens[0] = rl + 2, klens[1] = cl;
    op = rados_create_write_op();
    rados_write_op_omap_set2(op, keys, vals, klens, vlens, 2);
    rc = rados_write_op_operate2(op, io, "q.00000007.", NULL, 0);
    rados_release_write_op(op);
    ddb_put_be(body, 1, 4), off = 4;
    body[off++] = 0; /* a put */
    body[off++] = 11;
    memcpy(body + off, "q.00000007.", 11), off += 11;
    ddb_put_be(body + off, rl, 4), off += 4;
    memcpy(body + off, rk, rl), off += rl;
    ddb_put_be(body + off, 3, 4), off += 4;
    memcpy(body + off, "vx", 2), off += 2;
    body[off++] = (char)('0' + n);
    snprintf(ts, sizeof(ts), "%lld", t_ms);
    op = rados_create_write_op();
    rados_write_op_write_full(op, body, off);
    rados_write_op_setxattr(op, "ddbd.state", state, strlen(state));
    rados_write_op_setxattr(op, "ddbd.t", ts, strlen(ts));
    rc = rc < 0 ? rc : rados_write_op_operate2(op, io, name, NULL, 0);
    rados_release_write_op(op);
    return rc;
}

/* An intent's state and creation time (ms) rewritten. */
static int intent_set(rados_ioctx_t io, const char *name, const char *state, const char *t)
{
    rados_write_op_t op = rados_create_write_op();
    int rc;

    rados_write_op_setxattr(op, "ddbd.state", state, strlen(state));
    rados_write_op_setxattr(op, "ddbd.t", t, strlen(t));
    rc = rados_write_op_operate2(op, io, name, NULL, 0);
    rados_release_write_op(op);
    return rc;
}

static int put_one(ddb_store *s)
{
    ddb_arena a;
    ddb_batch b;
    int rc;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_put_seq(&b, PREFIX, PLEN, "v", 1);
    rc = ddb_store_write(s, &b);
    ddb_arena_free(&a);
    return rc;
}

/*
 * A number taken by a write that has not applied its record yet holds readers below it (it may
 * still appear); once that write's gateway is gone for the lease, a reader resolves it: rolled
 * forward if it had committed (its record appears), back if not (its number is a gap for good).
 * A gateway whose kept counter went stale numbers after the other gateway's numbers.
 */
TEST(rados_seq_readers_stop_at_a_pending_number_until_it_is_resolved)
{
    char ns[64], *vals[8];
    uint64_t nums[8];
    struct timespec now;
    rados_t cluster;
    rados_ioctx_t io;
    ddb_store *g;
    uint64_t size;
    time_t mtime;
    long n;

    NEEDS_CLUSTER();
    snprintf(ns, sizeof(ns), "g%ld-seqpending", (long)getpid());
    g = gateway(ns);
    ASSERT_EQ(put_one(g), DDB_STORE_OK);
    ASSERT_EQ(put_one(g), DDB_STORE_OK);
    ASSERT_EQ(ddb_rados_lib_load(NULL), 0);
    ASSERT_EQ(rados_create(&cluster, NULL), 0);
    ASSERT_EQ(rados_conf_read_file(cluster, test_rados_conf()), 0);
    ASSERT_EQ(rados_connect(cluster), 0);
    ASSERT_EQ(rados_ioctx_create(cluster, "ddbd", &io), 0);
    rados_ioctx_set_namespace(io, ns);
    clock_gettime(CLOCK_REALTIME, &now);
    /* number 3 taken, not applied, its gateway alive (within the lease) */
    ASSERT_EQ(left_write(io, 3, "i.00000000000000aa.0000000000000003", "p", now.tv_sec * 1000LL), 0);
    ASSERT_EQ(put_one(g), DDB_STORE_OK); /* g kept 2: numbered again, after 3 */
    ASSERT_EQ(ddb_store_seq_last(g, PREFIX, PLEN), 2);
    ASSERT_EQ(read_records(g, 100, nums, vals, 8), 3);
    ASSERT_EQ(nums[2], 4);
    for (int i = 0; i < 3; i++)
        free(vals[i]);
    /* it had committed, and its gateway is gone: the reader rolls it forward */
    ASSERT_EQ(intent_set(io, "i.00000000000000aa.0000000000000003", "c", "1"), 0);
    ASSERT_EQ(ddb_store_seq_last(g, PREFIX, PLEN), 4);
    /* number 5 taken by a write that never committed, its lease over: rolled back, a gap */
    ASSERT_EQ(left_write(io, 5, "i.00000000000000aa.0000000000000005", "p", 1), 0);
    ASSERT_EQ(ddb_store_seq_last(g, PREFIX, PLEN), 5);
    ASSERT_EQ(put_one(g), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_seq_last(g, PREFIX, PLEN), 6);
    n = read_records(g, 100, nums, vals, 8);
    ASSERT_EQ(n, 5);
    ASSERT_EQ(nums[2], 3);
    ASSERT_MEM_EQ(vals[2], strlen(vals[2]), "x3", 2);
    ASSERT_EQ(nums[3], 4);
    ASSERT_EQ(nums[4], 6);
    for (long i = 0; i < n; i++)
        free(vals[i]);
    ASSERT_EQ(rados_stat(io, "i.00000000000000aa.0000000000000003", &size, &mtime), -ENOENT);
    ASSERT_EQ(rados_stat(io, "i.00000000000000aa.0000000000000005", &size, &mtime), -ENOENT);
    ddb_store_close(g);
    rados_ioctx_destroy(io);
    rados_shutdown(cluster);
}
#endif
