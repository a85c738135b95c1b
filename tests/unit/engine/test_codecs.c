/*
 * tests/unit/engine/test_codecs.c: item keys (server/engine/keycodec.c: built with a store's
 * partition hash) and the item value encoding (server/engine/itemcodec.c). (The shard ring:
 * tests/unit/storage/test_ring.c.)
 */
#include <stdio.h>
#include <stdlib.h>

#include "proto/attr.h"
#include "proto/json.h"
#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"
#include "test.h"
#include "test_store.h"

/* Keys read over [lo, hi), in order; each must equal want[i] (n of them). Returns the count read, or -1 when a
   key differs or the iterator ended on an error. */
static long read_range(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, const ddb_key *want,
                       size_t n)
{
    ddb_store_iter *it = ddb_store_iter_open(s, lo, lolen, hi, hilen, 0);
    long got = 0;

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it), got++) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if ((size_t)got >= n || klen != want[got].len || memcmp(k, want[got].bytes, klen) != 0) {
            got = -1;
            break;
        }
    }
    if (got >= 0 && ddb_store_iter_status(it) != DDB_STORE_OK)
        got = -1;
    ddb_store_iter_close(it);
    return got;
}

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

/* Keys of one partition sort as DynamoDB sorts the sort key, and a read of the partition's range (where the store
   placed the partition) returns them all, in that order. */
TEST(keys_sort_like_dynamodb_sort_keys)
{
    static const char *const numbers[] = {"-1E+10", "-100", "-1.5", "-1", "-0.5", "0", "0.001", "1", "1.5", "2", "10",
                                          "1E+100"};
    static const char *const strings[] = {"", "A", "Z", "a", "a\\u0000", "ab", "b", "\\u00e9", "\\uffff"};
    ddb_arena a;
    ddb_store *s = mem_store(3);
    ddb_key prev, cur, keys[ARRAY_LEN(numbers)];
    ddb_batch b;
    char *hi;

    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_attr pk = value(&a, "{\"S\":\"partition\"}");
    for (size_t i = 0; i < ARRAY_LEN(numbers); i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"N\":\"%s\"}", numbers[i]);
        ddb_attr sk = value(&a, json);
        ddb_key_build(&a, s, 7, &pk, &sk, &cur);
        if (i > 0) {
            size_t n = prev.len < cur.len ? prev.len : cur.len;
            int c = memcmp(prev.bytes, cur.bytes, n);
            ASSERT(c < 0 || (c == 0 && prev.len < cur.len));
            /* one partition: one hash, one prefix */
            ASSERT_EQ(prev.part_hash, cur.part_hash);
            ASSERT_EQ(prev.part_len, cur.part_len);
            ASSERT_MEM_EQ(prev.bytes, prev.part_len, cur.bytes, cur.part_len);
        }
        keys[i] = prev = cur;
        ddb_batch_put(&b, cur.bytes, cur.len, "v", 1);
    }
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    /* the partition's range [prefix, prefix + 1) is read where the store placed the partition */
    hi = ddb_arena_memdup(&a, keys[0].bytes, keys[0].part_len);
    hi[keys[0].part_len - 1]++; /* the prefix ends with "partition": no carry */
    ASSERT_EQ(read_range(s, keys[0].bytes, keys[0].part_len, hi, keys[0].part_len, keys, ARRAY_LEN(keys)),
              (long)ARRAY_LEN(keys));
    for (size_t i = 0; i < ARRAY_LEN(strings); i++) {
        char json[64];
        snprintf(json, sizeof(json), "{\"S\":\"%s\"}", strings[i]);
        ddb_attr sk = value(&a, json);
        ddb_key_build(&a, s, 7, &pk, &sk, &cur);
        if (i > 0) {
            size_t n = prev.len < cur.len ? prev.len : cur.len;
            int c = memcmp(prev.bytes, cur.bytes, n);
            ASSERT(c < 0 || (c == 0 && prev.len < cur.len));
        }
        prev = cur;
    }
    ddb_store_close(s);
    ddb_arena_free(&a);
}

TEST(key_layout_is_table_hash_length_pk_sk)
{
    ddb_arena a;
    ddb_store *s = mem_store(3);
    ddb_key k, k2;
    ddb_batch b;
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES], *v = NULL;
    size_t vlen = 0;

    ddb_arena_init(&a);
    ddb_attr pk = value(&a, "{\"S\":\"abc\"}"), sk = value(&a, "{\"B\":\"AAE=\"}");
    ddb_key_build(&a, s, 0x01020304, &pk, &sk, &k);
    ASSERT_EQ(k.len, 14 + 3 + 2);
    ASSERT_EQ(k.part_len, 14 + 3);
    ASSERT_MEM_EQ(k.bytes, 4, "\x01\x02\x03\x04", 4);
    ASSERT_EQ(ddb_key_part_hash(k.bytes, k.len), k.part_hash);
    ASSERT_EQ(ddb_store_hash(s, "abc", 3), k.part_hash); /* the hash covers the partition key only */
    ASSERT_MEM_EQ(k.bytes + 12, 2, "\x00\x03", 2);
    ASSERT_MEM_EQ(k.bytes + 14, 5, "abc\x00\x01", 5);
    ddb_key_table_range(0x01020304, lo, hi);
    ASSERT(memcmp(k.bytes, lo, 4) >= 0 && memcmp(k.bytes, hi, 4) < 0);
    /* a key read back from its stored bytes is the same key */
    ddb_key_from_stored(k.bytes, k.len, &k2);
    ASSERT_EQ(k2.len, k.len);
    ASSERT_EQ(k2.part_len, k.part_len);
    ASSERT_EQ(k2.part_hash, k.part_hash);
    /* the store places the key by the hash it carries: a point read and a read of the table's range find it */
    ddb_batch_init(&b, &a);
    ddb_batch_put(&b, k.bytes, k.len, "x", 1);
    ASSERT_EQ(ddb_store_write(s, &b), DDB_STORE_OK);
    ASSERT_EQ(ddb_store_get(s, &a, k.bytes, k.len, &v, &vlen), DDB_STORE_OK);
    ASSERT_MEM_EQ(v, vlen, "x", 1);
    ASSERT_EQ(read_range(s, lo, sizeof(lo), hi, sizeof(hi), &k, 1), 1);
    ddb_store_close(s);
    ddb_arena_free(&a);
}

/* The partition hash is the store's: equal for equal partition keys whatever the table or sort key, and it
   spreads distinct partition keys. */
TEST(partition_hash_is_the_stores_and_covers_the_partition_key_only)
{
    ddb_arena a;
    ddb_store *s = mem_store(2);
    ddb_key k1, k2, k3;
    uint64_t hashes[64];

    ddb_arena_init(&a);
    ddb_attr pk = value(&a, "{\"N\":\"-12.5\"}"), sk1 = value(&a, "{\"S\":\"one\"}");
    ddb_attr sk2 = value(&a, "{\"S\":\"two\"}");
    ddb_key_build(&a, s, 1, &pk, &sk1, &k1);
    ddb_key_build(&a, s, 2, &pk, &sk2, &k2);
    ddb_key_build(&a, s, 2, &pk, NULL, &k3);
    ASSERT_EQ(k1.part_hash, k2.part_hash);
    ASSERT_EQ(k1.part_hash, k3.part_hash);
    ASSERT_EQ(k3.len, k3.part_len); /* no sort key */
    for (int i = 0; i < 64; i++) {
        char json[64];
        ddb_key k;
        snprintf(json, sizeof(json), "{\"S\":\"user#%d\"}", i);
        ddb_attr p = value(&a, json);
        ddb_key_build(&a, s, 1, &p, NULL, &k);
        ASSERT_EQ(k.part_hash, ddb_store_hash(s, p.u.s, p.len));
        hashes[i] = k.part_hash;
        for (int j = 0; j < i; j++)
            ASSERT(hashes[j] != hashes[i]);
    }
    ddb_store_close(s);
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
