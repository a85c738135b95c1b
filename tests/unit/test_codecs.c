/*
 * tests/unit/test_codecs.c: the shard ring (server/storage/ring.c), item keys (server/storage/keycodec.c) and the
 * item value encoding (server/storage/itemcodec.c).
 */
#include <stdlib.h>

#include "attr.h"
#include "itemcodec.h"
#include "json.h"
#include "keycodec.h"
#include "ring.h"
#include "test.h"

static const unsigned char hash_key[DDB_HASH_KEY_BYTES] = "0123456789abcdef";

static ddb_attr parse_item(ddb_arena *a, const char *json)
{
    ddb_attr item;
    const ddb_json *j = ddb_json_parse(a, json, strlen(json));

    if (j == NULL || ddb_item_check_types(a, j) != NULL || ddb_item_from_json(a, j, &item) != NULL)
        abort();
    return item;
}

static ddb_attr value(ddb_arena *a, const char *json)
{
    ddb_attr v;
    const ddb_json *j = ddb_json_parse(a, json, strlen(json));

    if (j == NULL || ddb_attr_check_types(a, j) != NULL || ddb_attr_from_json(a, j, &v) != NULL)
        abort();
    return v;
}

TEST(ring_spreads_partitions_over_every_shard)
{
    ddb_ring r;
    unsigned counts[4] = {0};

    ASSERT_EQ(ddb_ring_init(&r, 4, hash_key), 0);
    for (int i = 0; i < 40000; i++) {
        char pk[16];
        int n = snprintf(pk, sizeof(pk), "user#%d", i);
        counts[ddb_ring_owner(&r, ddb_ring_hash(&r, pk, (size_t)n))]++;
    }
    for (int s = 0; s < 4; s++) /* 128 virtual nodes keep every shard within 25% of its share */
        ASSERT(counts[s] > 7500 && counts[s] < 12500);
    ddb_ring_free(&r);
}

TEST(ring_growth_moves_only_partitions_to_the_new_shard)
{
    ddb_ring r3, r4;
    int moved = 0, n = 30000;

    ASSERT_EQ(ddb_ring_init(&r3, 3, hash_key), 0);
    ASSERT_EQ(ddb_ring_init(&r4, 4, hash_key), 0);
    for (int i = 0; i < n; i++) {
        char pk[16];
        int len = snprintf(pk, sizeof(pk), "k%d", i);
        uint64_t h = ddb_ring_hash(&r3, pk, (size_t)len);
        unsigned a = ddb_ring_owner(&r3, h), b = ddb_ring_owner(&r4, h);
        if (a != b) {
            ASSERT_EQ(b, 3); /* a partition only ever moves to the added shard */
            moved++;
        }
    }
    ASSERT(moved > n / 4 * 3 / 4 && moved < n / 4 * 5 / 4); /* about 1/(n+1) of them */
    ddb_ring_free(&r3);
    ddb_ring_free(&r4);
}

TEST(ring_single_shard_owns_everything)
{
    ddb_ring r;

    ASSERT_EQ(ddb_ring_init(&r, 1, hash_key), 0);
    ASSERT_EQ(ddb_ring_owner(&r, 0), 0);
    ASSERT_EQ(ddb_ring_owner(&r, UINT64_MAX), 0);
    ddb_ring_free(&r);
}

/* Keys of one partition sort as DynamoDB sorts the sort key. */
TEST(keys_sort_like_dynamodb_sort_keys)
{
    static const char *const numbers[] = {"-1E+10", "-100", "-1.5", "-1", "-0.5", "0", "0.001", "1", "1.5", "2", "10",
                                          "1E+100"};
    static const char *const strings[] = {"", "A", "Z", "a", "a\\u0000", "ab", "b", "\\u00e9", "\\uffff"};
    ddb_arena a;
    ddb_ring r;
    ddb_key prev, cur;

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_ring_init(&r, 2, hash_key), 0);
    ddb_attr pk = value(&a, "{\"S\":\"partition\"}");
    for (size_t i = 0; i < ARRAY_LEN(numbers); i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"N\":\"%s\"}", numbers[i]);
        ddb_attr sk = value(&a, json);
        ddb_key_build(&a, &r, 7, &pk, &sk, &cur);
        if (i > 0) {
            size_t n = prev.len < cur.len ? prev.len : cur.len;
            int c = memcmp(prev.bytes, cur.bytes, n);
            ASSERT(c < 0 || (c == 0 && prev.len < cur.len));
            ASSERT_EQ(prev.part_hash, cur.part_hash);
            ASSERT_EQ(prev.shard, cur.shard);
        }
        prev = cur;
    }
    for (size_t i = 0; i < ARRAY_LEN(strings); i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"S\":\"%s\"}", strings[i]);
        ddb_attr sk = value(&a, json);
        ddb_key_build(&a, &r, 7, &pk, &sk, &cur);
        if (i > 0) {
            size_t n = prev.len < cur.len ? prev.len : cur.len;
            int c = memcmp(prev.bytes, cur.bytes, n);
            ASSERT(c < 0 || (c == 0 && prev.len < cur.len));
        }
        prev = cur;
    }
    ddb_ring_free(&r);
    ddb_arena_free(&a);
}

TEST(key_layout_is_table_hash_length_pk_sk)
{
    ddb_arena a;
    ddb_ring r;
    ddb_key k;
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];

    ddb_arena_init(&a);
    ASSERT_EQ(ddb_ring_init(&r, 3, hash_key), 0);
    ddb_attr pk = value(&a, "{\"S\":\"abc\"}"), sk = value(&a, "{\"B\":\"AAE=\"}");
    ddb_key_build(&a, &r, 0x01020304, &pk, &sk, &k);
    ASSERT_EQ(k.len, 14 + 3 + 2);
    ASSERT_EQ(k.part_len, 14 + 3);
    ASSERT_MEM_EQ(k.bytes, 4, "\x01\x02\x03\x04", 4);
    ASSERT_EQ(ddb_key_part_hash(k.bytes, k.len), k.part_hash);
    ASSERT_EQ(ddb_ring_hash(&r, "abc", 3), k.part_hash); /* the hash covers the partition key only */
    ASSERT_MEM_EQ(k.bytes + 12, 2, "\x00\x03", 2);
    ASSERT_MEM_EQ(k.bytes + 14, 5, "abc\x00\x01", 5);
    ASSERT_EQ(k.shard, ddb_ring_owner(&r, k.part_hash));
    ddb_key_table_range(0x01020304, lo, hi);
    ASSERT(memcmp(k.bytes, lo, 4) >= 0 && memcmp(k.bytes, hi, 4) < 0);
    ddb_ring_free(&r);
    ddb_arena_free(&a);
}

TEST(item_encoding_round_trips_every_type)
{
    static const char item_json[] =
        "{\"s\":{\"S\":\"h\\u00e9llo\"},\"e\":{\"S\":\"\"},\"n\":{\"N\":\"-12.50\"},\"b\":{\"B\":\"AP8=\"},"
        "\"t\":{\"BOOL\":true},\"f\":{\"BOOL\":false},\"z\":{\"NULL\":true},"
        "\"m\":{\"M\":{\"x\":{\"L\":[{\"N\":\"1\"},{\"M\":{}},{\"SS\":[\"a\",\"b\"]}]}}},"
        "\"ns\":{\"NS\":[\"1\",\"2.5\"]},\"bs\":{\"BS\":[\"AQ==\",\"Ag==\"]},\"l\":{\"L\":[]}}";
    ddb_arena a;
    ddb_attr item, back;
    char *buf;
    size_t len;

    ddb_arena_init(&a);
    item = parse_item(&a, item_json);
    ddb_item_encode(&a, &item, ddb_item_size(&item), &buf, &len);
    ASSERT_EQ(buf[0], DDB_ITEM_FORMAT_VERSION);
    ASSERT_EQ(ddb_item_stored_size(buf, len), ddb_item_size(&item));
    ASSERT_EQ(ddb_item_decode(&a, buf, len, &back), 0);
    ASSERT(ddb_attr_equal(&item, &back));
    /* the decoded value writes the same JSON (numbers canonical) */
    {
        ddb_buf x = {0}, y = {0};
        ddb_jw w1, w2;
        ddb_jw_init(&w1, &x);
        ddb_jw_init(&w2, &y);
        ddb_item_write_json(&w1, &item);
        ddb_item_write_json(&w2, &back);
        ASSERT_STR_EQ(x.data, y.data);
        ASSERT(strstr(x.data, "\"N\":\"-12.5\"") != NULL);
        ddb_buf_free(&x);
        ddb_buf_free(&y);
    }
    ddb_arena_free(&a);
}

TEST(item_decoding_rejects_corrupt_values)
{
    ddb_arena a;
    ddb_attr item, back;
    char *buf;
    size_t len;

    ddb_arena_init(&a);
    item = parse_item(&a, "{\"k\":{\"S\":\"value\"},\"l\":{\"L\":[{\"N\":\"1\"}]}}");
    ddb_item_encode(&a, &item, ddb_item_size(&item), &buf, &len);
    for (size_t cut = 0; cut < len; cut++) /* every truncation is detected */
        ASSERT_EQ(ddb_item_decode(&a, buf, cut, &back), -1);
    buf[0] = 9; /* unknown format version */
    ASSERT_EQ(ddb_item_decode(&a, buf, len, &back), -1);
    ASSERT_EQ(ddb_item_stored_size(buf, len), 0);
    ddb_arena_free(&a);
}
