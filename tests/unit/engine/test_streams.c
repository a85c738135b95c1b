/*
 * tests/unit/engine/test_streams.c: stream shards (engine/history/streams.h). Every generation's shard of
 * a partition is a child of its shard in the generation before (the parent of shard j is
 * j % n_old), so a reader that drains parents before children keeps each item's order; shards are
 * all used; ShardIds sort in creation order and name their shard; a record survives encoding
 * with its images, event, flags and size; and encodings are equal by value (what decides that a
 * write changed nothing).
 */
#include <stdlib.h>
#include <string.h>

#include "server/engine/itemcodec.h"
#include "server/engine/history/streams.h"
#include "test.h"
#include "test_store.h"

static uint64_t next_hash(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return *state;
}

TEST(stream_shards_split_under_their_parents)
{
    static const unsigned counts[] = {2, 4, 7, 7, 16, 17};
    ddb_table t;
    uint64_t state = 88172645463325252ULL;
    unsigned used[17] = {0};

    memset(&t, 0, sizeof(t));
    for (unsigned g = 0; g < sizeof(counts) / sizeof(counts[0]); g++)
        t.stream.counts[t.stream.ngens++] = counts[g];
    for (int i = 0; i < 20000; i++) {
        uint64_t h = next_hash(&state);
        unsigned gen, prev_gen, shard, prev = 0;
        for (unsigned g = 1; g <= t.stream.ngens; g++) {
            ddb_table cut = t;
            cut.stream.ngens = g;
            shard = ddb_stream_shard_of(&cut, h, &gen);
            ASSERT_EQ(gen, g - 1);
            ASSERT(shard < counts[g - 1]);
            if (g > 1)
                ASSERT_EQ(shard % counts[g - 2], prev); /* a child of its shard one generation before */
            prev = shard;
            prev_gen = gen;
        }
        (void)prev_gen;
        used[prev]++;
    }
    for (unsigned s = 0; s < 17; s++)
        ASSERT(used[s] > 0); /* every shard of the last generation gets partitions */
}

TEST(stream_shard_ids_sort_in_creation_order)
{
    static const unsigned counts[] = {3, 7, 300};
    ddb_arena a;
    ddb_stream_info info;
    const char *prev = "";
    unsigned g2, s2;

    ddb_arena_init(&a);
    memset(&info, 0, sizeof(info));
    info.id = 42;
    info.ordered_ids = 1;
    for (unsigned g = 0; g < 3; g++)
        info.gens[info.ngens++] = (ddb_stream_gen){counts[g], 1700000000000ULL + g, NULL};
    for (unsigned g = 0; g < info.ngens; g++) {
        for (unsigned s = 0; s < counts[g]; s++) {
            const char *id = ddb_stream_shard_id(&a, &info, g, s);
            ASSERT_EQ(strlen(id), 37);
            ASSERT(strcmp(prev, id) < 0); /* generation, then shard: parents first */
            ASSERT(ddb_stream_shard_parse(&info, id, &g2, &s2) == 0 && g2 == g && s2 == s);
            prev = id;
        }
    }
    info.ordered_ids = 0; /* a stream made before keeps its ids, and they still name their shards */
    for (unsigned s = 0; s < counts[1]; s++)
        ASSERT(ddb_stream_shard_parse(&info, ddb_stream_shard_id(&a, &info, 1, s), &g2, &s2) == 0 && g2 == 1 && s2 == s);
    ddb_arena_free(&a);
}

/* A generation's numbers continue above every number of the ones before it (continued streams). */
TEST(stream_generations_number_above_the_ones_before)
{
    uint64_t ends0[] = {5, 9}, ends1[] = {0, 4, 2};
    ddb_stream_info info;

    memset(&info, 0, sizeof(info));
    info.gens[0] = (ddb_stream_gen){2, 1000, ends0};
    info.gens[1] = (ddb_stream_gen){3, 1001, ends1};
    info.gens[2] = (ddb_stream_gen){3, 1002, NULL}; /* open */
    info.ngens = 3;
    ASSERT_EQ(ddb_stream_gen_base(&info, 2), 0); /* a stream made before: each shard from 1 */
    info.continued = 1;
    ASSERT_EQ(ddb_stream_gen_base(&info, 0), 0);
    ASSERT_EQ(ddb_stream_gen_base(&info, 1), 9);      /* above shard 1's 9 */
    ASSERT_EQ(ddb_stream_gen_base(&info, 2), 9 + 4);  /* generation 1's numbers were 10 to 13 */
}

/* The encoding of a JSON item (DynamoDB JSON). */
static void encoded(ddb_arena *a, const char *json, char **out, size_t *len)
{
    const ddb_json *j = ddb_json_parse(a, json, strlen(json));
    ddb_attr item;

    ASSERT(j != NULL && ddb_item_from_json(a, j, &item) == NULL);
    ddb_item_encode(a, &item, ddb_item_size(&item), out, len);
}

TEST(item_encodings_equal_by_value)
{
    static const char *const same[][2] = {
        {"{\"m\":{\"M\":{\"a\":{\"N\":\"1\"},\"b\":{\"S\":\"x\"}}}}", "{\"m\":{\"M\":{\"b\":{\"S\":\"x\"},\"a\":{\"N\":\"1.0\"}}}}"},
        {"{\"s\":{\"SS\":[\"p\",\"q\"]},\"n\":{\"NS\":[\"1\",\"2\"]}}", "{\"n\":{\"NS\":[\"2\",\"1\"]},\"s\":{\"SS\":[\"q\",\"p\"]}}"},
    };
    static const char *const differ[][2] = {
        {"{\"l\":{\"L\":[{\"N\":\"1\"},{\"N\":\"2\"}]}}", "{\"l\":{\"L\":[{\"N\":\"2\"},{\"N\":\"1\"}]}}"},
        {"{\"m\":{\"M\":{\"a\":{\"N\":\"1\"}}}}", "{\"m\":{\"M\":{\"b\":{\"N\":\"1\"}}}}"},
        {"{\"a\":{\"S\":\"x\"}}", "{\"a\":{\"S\":\"xy\"}}"},
    };
    ddb_arena a;
    char *x, *y;
    size_t xl, yl;

    ddb_arena_init(&a);
    for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
        encoded(&a, same[i][0], &x, &xl);
        encoded(&a, same[i][1], &y, &yl);
        ASSERT(xl == yl && memcmp(x, y, xl) != 0); /* other bytes, the same length */
        ASSERT(ddb_item_encodings_equal(&a, x, xl, y, yl));
    }
    for (size_t i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
        encoded(&a, differ[i][0], &x, &xl);
        encoded(&a, differ[i][1], &y, &yl);
        ASSERT(!ddb_item_encodings_equal(&a, x, xl, y, yl));
    }
    ASSERT(ddb_item_encodings_equal(&a, x, xl, x, xl));
    ddb_arena_free(&a);
}

TEST(stream_record_round_trip)
{
    ddb_store *s = mem_store(1);
    ddb_arena a;
    ddb_table t;
    ddb_attr old_item, new_item;
    ddb_batch b;
    ddb_key key;
    ddb_stream_record r;
    char *oval, *nval;
    size_t olen, nlen;

    ddb_arena_init(&a);
    memset(&t, 0, sizeof(t));
    t.hash_key = "pk";
    t.stream.id = 9;
    t.stream.view = DDB_VIEW_NEW_AND_OLD_IMAGES;
    t.stream.counts[0] = 1;
    t.stream.ngens = 1;
    static const char j1[] = "{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"1\"}}", j2[] = "{\"pk\":{\"S\":\"a\"},\"v\":{\"N\":\"2\"}}";
    const ddb_json *p1, *p2;

    ASSERT((p1 = ddb_json_parse(&a, j1, sizeof(j1) - 1)) != NULL && (p2 = ddb_json_parse(&a, j2, sizeof(j2) - 1)) != NULL);
    ASSERT(ddb_item_from_json(&a, p1, &old_item) == NULL && old_item.len == 2);
    ASSERT(ddb_item_from_json(&a, p2, &new_item) == NULL && new_item.len == 2);
    ddb_item_encode(&a, &old_item, ddb_item_size(&old_item), &oval, &olen);
    ddb_item_encode(&a, &new_item, ddb_item_size(&new_item), &nval, &nlen);
    memset(&key, 0, sizeof(key));
    ddb_batch_init(&b, &a);
    ddb_stream_add_record(&a, &t, &key, &new_item, oval, olen, nval, nlen, DDB_REC_SERVICE, 123456, 0, &b);
    ASSERT_EQ(b.n, 1);
    ASSERT(b.ops[0].sequenced && b.ops[0].klen == DDB_STREAM_PREFIX_BYTES);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    {
        char lo[DDB_STREAM_PREFIX_BYTES], hi[DDB_STREAM_PREFIX_BYTES];
        ddb_store_iter *it;
        size_t klen, vlen;
        const char *k, *v;
        memcpy(lo, b.ops[0].key, DDB_STREAM_PREFIX_BYTES);
        memcpy(hi, lo, sizeof(hi));
        hi[sizeof(hi) - 1]++;
        ASSERT_EQ(ddb_store_seq_last(s, lo, sizeof(lo)), 1); /* the first number */
        it = ddb_store_seq_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
        ddb_store_iter_seek(it, NULL, 0);
        ASSERT(ddb_store_iter_valid(it));
        k = ddb_store_iter_key(it, &klen);
        v = ddb_store_iter_val(it, &vlen);
        ASSERT_EQ(ddb_stream_record_decode(&a, ddb_arena_memdup(&a, k, klen), klen, ddb_arena_memdup(&a, v, vlen), vlen,
                                           &r), 0);
        ddb_store_iter_close(it);
    }
    ASSERT_EQ(r.seq, 1);
    ASSERT_EQ(r.event, DDB_EV_MODIFY);
    ASSERT_EQ(r.flags, DDB_REC_SERVICE);
    ASSERT_EQ(r.created_ms, 123456);
    ASSERT(r.has_new && r.has_old);
    ASSERT(ddb_attr_equal(&r.new_image, &new_item) && ddb_attr_equal(&r.old_image, &old_item));
    ASSERT_EQ(r.keys.len, 1);
    ASSERT_EQ(r.size_bytes, ddb_item_size(&r.keys) + ddb_item_size(&new_item) + ddb_item_size(&old_item));
    ASSERT_EQ(r.hold_ms, 0);
    {
        /* a held change (an injected ReplicationLag): flag 4 and its hold in a trailer after the
           images, which a reader of the images alone stops before */
        ddb_batch h;
        ddb_stream_record held;
        ddb_batch_init(&h, &a);
        ddb_stream_add_record(&a, &t, &key, &new_item, oval, olen, nval, nlen, 0, 123456, 1500, &h);
        ASSERT_EQ(h.ops[0].vlen, b.ops[0].vlen + 4);
        ASSERT_EQ(ddb_stream_record_decode(&a, "0123456789ab\0\0\0\0\0\0\0\2", DDB_STREAM_PREFIX_BYTES + 8,
                                           h.ops[0].val, h.ops[0].vlen, &held), 0);
        ASSERT_EQ(held.flags, DDB_REC_HELD);
        ASSERT_EQ(held.hold_ms, 1500);
        ASSERT(ddb_attr_equal(&held.new_image, &new_item) && ddb_attr_equal(&held.old_image, &old_item));
    }
    ddb_arena_free(&a);
    ddb_store_close(s);
}
