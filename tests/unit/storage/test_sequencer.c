/*
 * tests/unit/storage/test_sequencer.c: the storage contract's sequenced puts (storage.h,
 * ddb_batch_put_seq): numbers start at 1 and grow per prefix, prefixes are independent, one
 * compound write may number several puts and prefixes, numbers become visible in order while
 * writers race (up to ddb_store_seq_last a reader sees every number, with no hole), the last
 * number survives a reopen, and a trim's floor keeps numbering monotonic after the keys are
 * deleted, also across a reopen, until the prefix is dropped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "test.h"
#include "test_store.h"

#define PLEN 12

static void prefix_of(char *p, unsigned stream, unsigned shard)
{
    memset(p, 0, PLEN);
    for (int i = 0; i < 4; i++)
        p[3 - i] = (char)((stream >> (8 * i)) & 0xff);
    for (int i = 0; i < 4; i++)
        p[11 - i] = (char)((shard >> (8 * i)) & 0xff);
}

static uint64_t num_of(const char *key)
{
    uint64_t v = 0;

    for (int i = 0; i < 8; i++)
        v = v << 8 | (unsigned char)key[PLEN + i];
    return v;
}

/* The numbers under a prefix, in key order, into out[]; returns how many. */
static size_t numbers(ddb_store *s, const char *prefix, uint64_t *out, size_t max)
{
    char hi[PLEN];
    size_t n = 0;
    ddb_store_iter *it;

    memcpy(hi, prefix, PLEN);
    hi[PLEN - 1]++;
    it = ddb_store_seq_iter_open(s, prefix, PLEN, hi, PLEN, 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && n < max; ddb_store_iter_next(it)) {
        size_t klen;
        out[n++] = num_of(ddb_store_iter_key(it, &klen));
    }
    ddb_store_iter_close(it);
    return n;
}

static int put_seq(ddb_store *s, const char *prefix, const char *val)
{
    ddb_arena a;
    ddb_batch b;
    int rc;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_put_seq(&b, prefix, PLEN, val, strlen(val));
    rc = ddb_store_write(s, &b);
    ddb_arena_free(&a);
    return rc;
}

TEST(seq_numbers_grow_per_prefix)
{
    ddb_store *s = mem_store(3);
    char p1[PLEN], p2[PLEN];
    uint64_t got[16];
    ddb_arena a;
    ddb_batch b;

    prefix_of(p1, 7, 0);
    prefix_of(p2, 7, 1);
    ASSERT_EQ(ddb_store_seq_last(s, p1, PLEN), 0);
    ASSERT_EQ(put_seq(s, p1, "a"), DDB_STORE_OK);
    ASSERT_EQ(put_seq(s, p1, "b"), DDB_STORE_OK);
    ASSERT_EQ(put_seq(s, p2, "c"), DDB_STORE_OK);
    /* one compound write: two numbers under p1, one under p2, and an ordinary put */
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_put_seq(&b, p2, PLEN, "d", 1);
    ddb_batch_put(&b, "plainkey", 8, "x", 1);
    ddb_batch_put_seq(&b, p1, PLEN, "e", 1);
    ddb_batch_put_seq(&b, p1, PLEN, "f", 1);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ASSERT_EQ(numbers(s, p1, got, 16), 4);
    ASSERT(got[0] == 1 && got[1] == 2 && got[2] == 3 && got[3] == 4);
    ASSERT_EQ(numbers(s, p2, got, 16), 2);
    ASSERT(got[0] == 1 && got[1] == 2);
    ASSERT_EQ(ddb_store_seq_last(s, p1, PLEN), 4);
    {
        /* numbered in the batch's order; placed beside the batch's data key, wherever that is */
        char lo[PLEN + 8], hi[PLEN + 8];
        size_t vlen;
        ddb_store_iter *it;
        memcpy(lo, p1, PLEN);
        memset(lo + PLEN, 0, 8);
        memcpy(hi, lo, sizeof(hi));
        lo[PLEN + 7] = 3;
        hi[PLEN + 7] = 4;
        it = ddb_store_seq_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
        ddb_store_iter_seek(it, NULL, 0);
        ASSERT(ddb_store_iter_valid(it));
        ASSERT(memcmp(ddb_store_iter_val(it, &vlen), "e", 1) == 0 && vlen == 1);
        ddb_store_iter_close(it);
    }
    ddb_arena_free(&a);
    ddb_store_close(s);
}

typedef struct race {
    ddb_store *s;
    char prefix[PLEN];
    atomic_int stop;
    atomic_long bad;
    long writes;
} race;

static void *race_writer(void *p)
{
    race *r = p;

    for (long i = 0; i < r->writes; i++)
        put_seq(r->s, r->prefix, "v");
    return NULL;
}

/* Up to the visible number a reader sees 1..k with no hole, and k never goes back. */
static void *race_reader(void *p)
{
    race *r = p;
    uint64_t *got = malloc(sizeof(uint64_t) * 20000);
    uint64_t seen = 0;

    while (!atomic_load(&r->stop)) {
        uint64_t last = ddb_store_seq_last(r->s, r->prefix, PLEN);
        size_t n = numbers(r->s, r->prefix, got, 20000);
        size_t below = 0;
        for (size_t i = 0; i < n && got[i] <= last; i++, below++) {
            if (got[i] != i + 1)
                atomic_fetch_add(&r->bad, 1);
        }
        if (below != last || last < seen)
            atomic_fetch_add(&r->bad, 1);
        seen = last;
    }
    free(got);
    return NULL;
}

TEST(seq_numbers_become_visible_in_order_under_racing_writers)
{
    race r = {.s = mem_store(2), .writes = 1500};
    pthread_t w[4], rd;
    uint64_t got[8000];

    prefix_of(r.prefix, 9, 3);
    pthread_create(&rd, NULL, race_reader, &r);
    for (int i = 0; i < 4; i++)
        pthread_create(&w[i], NULL, race_writer, &r);
    for (int i = 0; i < 4; i++)
        pthread_join(w[i], NULL);
    atomic_store(&r.stop, 1);
    pthread_join(rd, NULL);
    ASSERT_EQ(atomic_load(&r.bad), 0);
    ASSERT_EQ(numbers(r.s, r.prefix, got, 8000), 6000);
    ASSERT_EQ(got[5999], 6000);
    ddb_store_close(r.s);
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

TEST(seq_last_survives_reopen_and_a_trims_floor_keeps_numbers_monotonic_across_one)
{
    char tmpl[] = "/tmp/ddbd-seq-XXXXXX", *dir = mkdtemp(tmpl), *err = NULL;
    ddb_store_options o;
    ddb_store *s;
    char p[PLEN], hi[PLEN];
    uint64_t got[8];

    memset(&o, 0, sizeof(o));
    o.path = dir;
    o.nshards = 2;
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    prefix_of(p, 5, 1);
    ASSERT((s = ddb_store_open(&o, &err)) != NULL);
    for (int i = 0; i < 3; i++)
        ASSERT_EQ(put_seq(s, p, "v"), DDB_STORE_OK);
    ddb_store_close(s);
    ASSERT((s = ddb_store_open(&o, &err)) != NULL);
    ASSERT_EQ(ddb_store_seq_last(s, p, PLEN), 3);
    ASSERT_EQ(put_seq(s, p, "w"), DDB_STORE_OK);
    ASSERT_EQ(numbers(s, p, got, 8), 4);
    ASSERT_EQ(got[3], 4);
    /* all deleted (a trim): with the floor, the next number is still 5 */
    memcpy(hi, p, PLEN);
    hi[PLEN - 1]++;
    ASSERT_EQ(ddb_store_seq_trim(s, p, PLEN, hi, PLEN, 4), DDB_STORE_OK);
    ASSERT_EQ(numbers(s, p, got, 8), 0);
    ASSERT_EQ(put_seq(s, p, "x"), DDB_STORE_OK);
    ASSERT_EQ(numbers(s, p, got, 8), 1);
    ASSERT_EQ(got[0], 5);
    /* trimmed again, to nothing, then reopened: the floor was stored with the delete */
    ASSERT_EQ(ddb_store_seq_trim(s, p, PLEN, hi, PLEN, 5), DDB_STORE_OK);
    ddb_store_close(s);
    ASSERT((s = ddb_store_open(&o, &err)) != NULL);
    ASSERT_EQ(numbers(s, p, got, 8), 0);
    ASSERT_EQ(ddb_store_seq_last(s, p, PLEN), 5);
    ASSERT_EQ(put_seq(s, p, "y"), DDB_STORE_OK);
    ASSERT_EQ(put_seq(s, p, "z"), DDB_STORE_OK);
    /* a trim below a stop keeps what is above it */
    {
        char stop[PLEN + 8];
        memcpy(stop, p, PLEN);
        for (int i = 0; i < 8; i++)
            stop[PLEN + i] = (char)(i == 7 ? 7 : 0);
        ASSERT_EQ(ddb_store_seq_trim(s, p, PLEN, stop, sizeof(stop), 6), DDB_STORE_OK);
    }
    ASSERT_EQ(numbers(s, p, got, 8), 1);
    ASSERT_EQ(got[0], 7);
    /* the prefix dropped (a stream's end): its floor goes with it, and numbering starts over */
    prefix_of(hi, 6, 0); /* [stream 5, stream 6): every shard of stream 5 */
    ASSERT_EQ(ddb_store_delete_range_all(s, p, 4, hi, 4), DDB_STORE_OK);
    ddb_store_close(s);
    ASSERT((s = ddb_store_open(&o, &err)) != NULL);
    ASSERT_EQ(ddb_store_seq_last(s, p, PLEN), 0);
    ddb_store_close(s);
    nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
