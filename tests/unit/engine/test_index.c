/*
 * tests/unit/engine/test_index.c: secondary index entries (server/engine/index.c): entry keys sort
 * as DynamoDB sorts index keys (escaped, terminated sort parts, then the base key), sparse
 * indexes, LSI co-location, begins_with prefixes, projections and the checks of a written item's
 * index key attributes. Pure functions over hand-built table/index structs; a small in-memory store
 * gives the partition hash (and, for LSI co-location, placement).
 */
#include <stdio.h>
#include <stdlib.h>

#include "proto/attr.h"
#include "proto/json.h"
#include "server/engine/index.h"
#include "server/engine/keycodec.h"
#include "server/storage/storage.h"
#include "test.h"
#include "test_store.h"

/* ---- helpers ---- */

static ddb_attr value(ddb_arena *a, const char *json)
{
    ddb_attr v;
    const ddb_json *j = ddb_json_parse(a, json, strlen(json));

    if (j == NULL || ddb_attr_check_types(a, j) != NULL || ddb_attr_from_json(a, j, &v) != NULL)
        abort();
    return v;
}

static ddb_attr bytes_attr(ddb_arena *a, ddb_type type, const void *p, size_t n)
{
    ddb_attr v;

    memset(&v, 0, sizeof(v));
    v.type = (uint8_t)type;
    v.len = (uint32_t)n;
    v.u.s = ddb_arena_memdup(a, n ? p : "", n ? n : 1);
    return v;
}

static ddb_attr num_attr(ddb_arena *a, const char *text)
{
    char json[128];

    snprintf(json, sizeof(json), "{\"N\":\"%s\"}", text);
    return value(a, json);
}

/* An item (an M) with up to 10 members given as (name, value) pairs. */
typedef struct member {
    const char *name;
    ddb_attr val;
} member;

static ddb_attr make_item(ddb_arena *a, const member *m, size_t n)
{
    ddb_attr item;

    memset(&item, 0, sizeof(item));
    item.type = DDB_T_M;
    item.len = (uint32_t)n;
    item.u.entries = DDB_NEW_ARRAY(a, ddb_entry, n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        item.u.entries[i].name = m[i].name;
        item.u.entries[i].nlen = (uint32_t)strlen(m[i].name);
        item.u.entries[i].val = m[i].val;
    }
    return item;
}

static ddb_key_part part(const char *name, ddb_type type)
{
    ddb_key_part p = {name, (uint32_t)strlen(name), type};
    return p;
}

static ddb_index gsi(uint32_t id, const char *name, const ddb_key_part *hash, unsigned nhash, const ddb_key_part *range,
                     unsigned nrange)
{
    ddb_index ix;

    memset(&ix, 0, sizeof(ix));
    ix.name = name;
    ix.id = id;
    ix.kind = DDB_IX_GLOBAL;
    ix.state = DDB_IX_ACTIVE;
    for (unsigned i = 0; i < nhash; i++)
        ix.hash[i] = hash[i];
    ix.nhash = nhash;
    for (unsigned i = 0; i < nrange; i++)
        ix.range[i] = range[i];
    ix.nrange = nrange;
    ix.projection = DDB_PROJ_ALL;
    return ix;
}

/* memcmp order of byte strings, shorter first on a common prefix. */
static int bytes_order(const char *a, size_t alen, const char *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);

    if (c != 0)
        return c < 0 ? -1 : 1;
    return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int sign(int c)
{
    return c < 0 ? -1 : c > 0 ? 1 : 0;
}

static int key_order(const ddb_key *a, const ddb_key *b)
{
    return bytes_order(a->bytes, a->len, b->bytes, b->len);
}

/* The base key (table id 7, pk S "item<i>", no sort key) of item number i. */
static ddb_key base_key(ddb_arena *a, const ddb_store *st, int i, ddb_attr *pk_out)
{
    char pk[32];
    ddb_key k;

    snprintf(pk, sizeof(pk), "item%d", i);
    *pk_out = bytes_attr(a, DDB_T_S, pk, strlen(pk));
    ddb_key_build(a, st, 7, pk_out, NULL, &k);
    return k;
}

static int starts_with(const ddb_key *k, const char *prefix, size_t plen)
{
    return k->len >= plen && memcmp(k->bytes, prefix, plen) == 0;
}

/* Where ddb_index_entry_base finds the item's key in entry e (-1: not found). */
static long long base_at(const ddb_index *ix, const ddb_key *e)
{
    size_t off;

    return ddb_index_entry_base(ix, e->bytes, e->len, &off) == 0 ? (long long)off : -1;
}

/* ---- ordering ---- */

/*
 * Entries of items in one index partition, one sort value each (items i and i+n share value i):
 * for every pair, memcmp order of the entry keys is ddb_attr_cmp order of the values, and equal
 * values are ordered by the base key (the bytes after the sort part).
 */
static void check_sort_order(ddb_arena *a, const ddb_store *st, const ddb_attr *vals, size_t n, ddb_type type)
{
    ddb_key_part h = part("g", DDB_T_S), s = part("r", type);
    ddb_index ix = gsi(42, "ix", &h, 1, &s, 1);
    ddb_key *entries = DDB_NEW_ARRAY(a, ddb_key, 2 * n), *bases = DDB_NEW_ARRAY(a, ddb_key, 2 * n);
    ddb_attr g = bytes_attr(a, DDB_T_S, "P", 1);

    for (size_t i = 0; i < 2 * n; i++) {
        ddb_attr pk;
        bases[i] = base_key(a, st, (int)i, &pk);
        member m[] = {{"pk", pk}, {"g", g}, {"r", vals[i % n]}};
        ddb_attr item = make_item(a, m, 3);
        ASSERT_EQ(ddb_index_entry_key(a, st, &ix, &item, &bases[i], &entries[i]), 0);
        /* the entry ends with the base key without its table id */
        ASSERT(entries[i].len > bases[i].len - DDB_KEY_TABLE_BYTES);
        ASSERT_MEM_EQ(entries[i].bytes + entries[i].len - (bases[i].len - DDB_KEY_TABLE_BYTES),
                      bases[i].len - DDB_KEY_TABLE_BYTES, bases[i].bytes + DDB_KEY_TABLE_BYTES,
                      bases[i].len - DDB_KEY_TABLE_BYTES);
        ASSERT_MEM_EQ(entries[i].bytes, 4, "\x00\x00\x00\x2a", 4);
        ASSERT_EQ(base_at(&ix, &entries[i]), entries[i].len - (bases[i].len - DDB_KEY_TABLE_BYTES));
    }
    for (size_t i = 0; i < 2 * n; i++) {
        for (size_t j = 0; j < 2 * n; j++) {
            int want = sign(ddb_attr_cmp(&vals[i % n], &vals[j % n]));
            int got = key_order(&entries[i], &entries[j]);
            ASSERT_EQ(entries[i].part_hash, entries[j].part_hash); /* one partition */
            if (i == j) {
                ASSERT_EQ(got, 0);
                continue;
            }
            if (want == 0) /* equal index keys: distinct entries, in base key order */
                want = bytes_order(bases[i].bytes + 4, bases[i].len - 4, bases[j].bytes + 4, bases[j].len - 4);
            if (got != want) {
                ddb_test_fail(__FILE__, __LINE__, "type %s: values %zu and %zu: entry order %d, DynamoDB order %d",
                              ddb_type_name(type), i % n, j % n, got, want);
                return;
            }
        }
    }
}

TEST(entry_keys_sort_like_dynamodb_for_strings)
{
    /* in DynamoDB (byte) order; includes embedded 00 bytes and prefixes */
    static const struct {
        const char *s;
        size_t n;
    } strings[] = {
        {"\x00", 1},        {"\x00\x00", 2}, {"\x00\x01", 2}, {"\x00\xff", 2}, {"\x01", 1},
        {"A", 1},         {"a", 1},           {"a\x00", 2},    {"a\x00\x00", 3}, {"a\x00" "a", 3}, {"a\x00\xff", 3},
        {"a\x01", 2},     {"ab", 2},          {"ab\x00", 3},  {"abc", 3},     {"a\xff", 2},   {"b", 1},
        {"\xc3\xa9", 2},  {"\xef\xbf\xbf", 3}, {"\xff", 1},    {"\xff\x00", 2}, {"\xff\xff", 2},
    };
    ddb_arena a;
    ddb_store *st = mem_store(3);
    ddb_attr vals[ARRAY_LEN(strings)];

    ddb_arena_init(&a);
    for (size_t i = 0; i < ARRAY_LEN(strings); i++) {
        vals[i] = bytes_attr(&a, DDB_T_S, strings[i].s, strings[i].n);
        if (i > 0)
            ASSERT(ddb_attr_cmp(&vals[i - 1], &vals[i]) < 0); /* the list itself is in order */
    }
    check_sort_order(&a, st, vals, ARRAY_LEN(vals), DDB_T_S);
    ddb_store_close(st);
    ddb_arena_free(&a);
}

TEST(entry_keys_sort_like_dynamodb_for_random_binary)
{
    static const unsigned char alphabet[] = {0x00, 0x01, 0x02, 0x7f, 0xfe, 0xff};
    ddb_arena a;
    ddb_store *st = mem_store(3);
    ddb_attr vals[160];
    unsigned seed = 12345;

    ddb_arena_init(&a);
    for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
        unsigned char buf[6];
        size_t n = 1 + (size_t)(rand_r(&seed) % 5); /* empty values are never indexed */
        for (size_t k = 0; k < n; k++)
            buf[k] = alphabet[rand_r(&seed) % sizeof(alphabet)];
        vals[i] = bytes_attr(&a, DDB_T_B, buf, n);
    }
    check_sort_order(&a, st, vals, ARRAY_LEN(vals), DDB_T_B);
    ddb_store_close(st);
    ddb_arena_free(&a);
}

TEST(entry_keys_sort_like_dynamodb_for_numbers)
{
    static const char *const fixed[] = {
        "-1E+125", "-9.9999999999999999999999999999999999999E+125", "-1E+10", "-100", "-10", "-1.5", "-1",
        "-0.5", "-0.001", "-1E-130", "0", "1E-130", "0.001", "0.5", "1", "1.5", "2", "10", "100", "123456789012345678901234567890",
        "1E+10", "9.9999999999999999999999999999999999999E+125",
    };
    ddb_arena a;
    ddb_store *st = mem_store(2);
    ddb_attr vals[ARRAY_LEN(fixed) + 140];
    size_t n = 0;
    unsigned seed = 777;

    ddb_arena_init(&a);
    for (size_t i = 0; i < ARRAY_LEN(fixed); i++)
        vals[n++] = num_attr(&a, fixed[i]);
    while (n < ARRAY_LEN(vals)) { /* random mantissas and exponents, many of them close to each other */
        char text[64];
        int neg = rand_r(&seed) % 2, digits = rand_r(&seed) % 1000, exp = rand_r(&seed) % 13 - 6;
        snprintf(text, sizeof(text), "%s%d.%03dE%d", neg ? "-" : "", digits / 100, digits % 100, exp);
        vals[n++] = num_attr(&a, text);
    }
    check_sort_order(&a, st, vals, n, DDB_T_N);
    ddb_store_close(st);
    ddb_arena_free(&a);
}

/* Two to four sort parts: entries order lexicographically by part, each part by DynamoDB order. */
TEST(multi_part_sort_keys_order_lexicographically_by_part)
{
    static const char *const strs[] = {"\\u0000", "a", "a\\u0000", "ab", "b"};
    static const char *const nums[] = {"-2", "0", "0.5", "10"};
    static const char *const bins[] = {"AA==", "AAA=", "AAE=", "AQ=="}; /* 00, 00 00, 00 01, 01 */
    ddb_arena a;
    ddb_store *st = mem_store(4);
    unsigned seed = 99;

    ddb_arena_init(&a);
    for (unsigned nparts = 2; nparts <= 4; nparts++) {
        ddb_key_part h = part("g", DDB_T_S);
        ddb_key_part s[4] = {part("r1", DDB_T_S), part("r2", DDB_T_N), part("r3", DDB_T_B), part("r4", DDB_T_S)};
        ddb_index ix = gsi(50 + nparts, "multi", &h, 1, s, nparts);
        enum { N = 90 };
        ddb_attr tuples[N][4];
        ddb_key entries[N], bases[N];

        for (int i = 0; i < N; i++) {
            ddb_attr pk;
            member m[6];
            char json[64];
            bases[i] = base_key(&a, st, i, &pk);
            m[0] = (member){"pk", pk};
            m[1] = (member){"g", bytes_attr(&a, DDB_T_S, "P", 1)};
            snprintf(json, sizeof(json), "{\"S\":\"%s\"}", strs[rand_r(&seed) % ARRAY_LEN(strs)]);
            tuples[i][0] = value(&a, json);
            tuples[i][1] = num_attr(&a, nums[rand_r(&seed) % ARRAY_LEN(nums)]);
            snprintf(json, sizeof(json), "{\"B\":\"%s\"}", bins[rand_r(&seed) % ARRAY_LEN(bins)]);
            tuples[i][2] = value(&a, json);
            snprintf(json, sizeof(json), "{\"S\":\"%s\"}", strs[rand_r(&seed) % ARRAY_LEN(strs)]);
            tuples[i][3] = value(&a, json);
            for (unsigned p = 0; p < nparts; p++)
                m[2 + p] = (member){s[p].name, tuples[i][p]};
            ddb_attr item = make_item(&a, m, 2 + nparts);
            ASSERT_EQ(ddb_index_entry_key(&a, st, &ix, &item, &bases[i], &entries[i]), 0);
            /* sort parts with 00 bytes (escaped): the item's key is still found after them */
            ASSERT_EQ(base_at(&ix, &entries[i]), entries[i].len - (bases[i].len - DDB_KEY_TABLE_BYTES));
        }
        ddb_key cut = entries[0];
        cut.len = DDB_KEY_PREFIX_BYTES + 1; /* cut inside its first sort part: not an entry */
        ASSERT_EQ(base_at(&ix, &cut), -1);
        for (int i = 0; i < N; i++) {
            for (int j = 0; j < N; j++) {
                int want = 0;
                for (unsigned p = 0; p < nparts && want == 0; p++)
                    want = sign(ddb_attr_cmp(&tuples[i][p], &tuples[j][p]));
                if (want == 0)
                    want = bytes_order(bases[i].bytes + 4, bases[i].len - 4, bases[j].bytes + 4, bases[j].len - 4);
                if (key_order(&entries[i], &entries[j]) != want) {
                    ddb_test_fail(__FILE__, __LINE__, "%u parts: entries %d and %d out of order", nparts, i, j);
                    return;
                }
            }
        }
    }
    ddb_store_close(st);
    ddb_arena_free(&a);
}

/* Several partition-key parts: each tuple is its own partition (no two tuples share pk bytes). */
TEST(multi_part_partition_keys_are_distinct_partitions)
{
    ddb_arena a;
    ddb_store *st = mem_store(2);
    ddb_key_part h[2] = {part("h1", DDB_T_S), part("h2", DDB_T_S)};
    ddb_index ix = gsi(60, "mh", h, 2, NULL, 0);
    static const char *const pairs[][2] = {{"ab", "c"}, {"a", "bc"}, {"abc", "\\u0000"}, {"\\u0000", "abc"}, {"a\\u0000", "b"},
                                           {"a", "\\u0000b"}};
    ddb_key entries[ARRAY_LEN(pairs)];

    ddb_arena_init(&a);
    for (size_t i = 0; i < ARRAY_LEN(pairs); i++) {
        char j1[32], j2[32];
        ddb_attr pk, v1, v2;
        ddb_key base = base_key(&a, st, (int)i, &pk), prefix;
        snprintf(j1, sizeof(j1), "{\"S\":\"%s\"}", pairs[i][0]);
        snprintf(j2, sizeof(j2), "{\"S\":\"%s\"}", pairs[i][1]);
        v1 = value(&a, j1);
        v2 = value(&a, j2);
        member m[] = {{"pk", pk}, {"h1", v1}, {"h2", v2}};
        ddb_attr item = make_item(&a, m, 3);
        const ddb_attr *hv[2] = {&v1, &v2};
        ASSERT_EQ(ddb_index_entry_key(&a, st, &ix, &item, &base, &entries[i]), 0);
        /* the Query prefix of the partition is the entry's prefix up to the sort parts */
        ddb_index_partition_key(&a, st, &ix, hv, &prefix);
        ASSERT_EQ(prefix.len, entries[i].part_len);
        ASSERT(starts_with(&entries[i], prefix.bytes, prefix.len));
        ASSERT_EQ(prefix.part_hash, entries[i].part_hash);
        /* the partition hash is the store's hash of the partition bytes, and the key carries it (the store
           places the entry by it), so the Query prefix and the entry are one partition */
        ASSERT_EQ(entries[i].part_hash, ddb_store_hash(st, entries[i].bytes + DDB_KEY_PREFIX_BYTES,
                                                       entries[i].part_len - DDB_KEY_PREFIX_BYTES));
        ASSERT_EQ(ddb_key_part_hash(entries[i].bytes, entries[i].len), entries[i].part_hash);
        ASSERT_EQ(ddb_key_part_hash(prefix.bytes, prefix.len), ddb_key_part_hash(entries[i].bytes, entries[i].len));
    }
    for (size_t i = 0; i < ARRAY_LEN(pairs); i++)
        for (size_t j = i + 1; j < ARRAY_LEN(pairs); j++) {
            /* different tuples: different partition bytes (the hash may collide, the bytes may not) */
            ASSERT(entries[i].part_len != entries[j].part_len ||
                   memcmp(entries[i].bytes + 12, entries[j].bytes + 12, entries[i].part_len - 12) != 0);
        }
    ddb_store_close(st);
    ddb_arena_free(&a);
}

/* An index key attribute missing, or of another type, leaves the item out of the index. */
TEST(items_without_index_key_with_wrong_type_or_empty_are_not_indexed)
{
    ddb_arena a;
    ddb_store *st = mem_store(2);
    ddb_key_part h = part("g", DDB_T_S), s[2] = {part("r", DDB_T_N), part("r2", DDB_T_B)};
    ddb_index ix = gsi(70, "sparse", &h, 1, s, 2);
    ddb_attr pk;
    ddb_key base, e;

    ddb_arena_init(&a);
    base = base_key(&a, st, 1, &pk);
    ddb_attr gS = value(&a, "{\"S\":\"x\"}"), gN = value(&a, "{\"N\":\"1\"}"), rN = value(&a, "{\"N\":\"5\"}");
    ddb_attr rS = value(&a, "{\"S\":\"5\"}"), bB = value(&a, "{\"B\":\"AQ==\"}"), bS = value(&a, "{\"S\":\"AQ==\"}");
    ddb_attr ss = value(&a, "{\"SS\":[\"x\"]}"), gE = value(&a, "{\"S\":\"\"}"), bE = value(&a, "{\"B\":\"\"}");
    ddb_attr r0 = value(&a, "{\"N\":\"0\"}");
    struct {
        member m[4];
        size_t n;
        int want;
    } cases[] = {
        {{{"pk", pk}, {"g", gS}, {"r", rN}, {"r2", bB}}, 4, 0},
        {{{"pk", pk}, {"r", rN}, {"r2", bB}}, 3, 1},             /* no hash part */
        {{{"pk", pk}, {"g", gS}, {"r2", bB}}, 3, 1},             /* no first sort part */
        {{{"pk", pk}, {"g", gS}, {"r", rN}}, 3, 1},              /* no last sort part */
        {{{"pk", pk}, {"g", gN}, {"r", rN}, {"r2", bB}}, 4, 1},  /* hash N, declared S */
        {{{"pk", pk}, {"g", ss}, {"r", rN}, {"r2", bB}}, 4, 1},  /* hash SS */
        {{{"pk", pk}, {"g", gS}, {"r", rS}, {"r2", bB}}, 4, 1},  /* sort S, declared N */
        {{{"pk", pk}, {"g", gS}, {"r", rN}, {"r2", bS}}, 4, 1},  /* sort S, declared B */
        {{{"pk", pk}, {"g", gE}, {"r", rN}, {"r2", bB}}, 4, 1},  /* empty S: never indexed */
        {{{"pk", pk}, {"g", gS}, {"r", rN}, {"r2", bE}}, 4, 1},  /* empty B: never indexed */
        {{{"pk", pk}, {"g", gS}, {"r", r0}, {"r2", bB}}, 4, 0},  /* N zero is a value */
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_attr item = make_item(&a, cases[i].m, cases[i].n);
        int rc = ddb_index_entry_key(&a, st, &ix, &item, &base, &e);
        if (rc != cases[i].want) {
            ddb_test_fail(__FILE__, __LINE__, "case %zu: ddb_index_entry_key returned %d, want %d", i, rc, cases[i].want);
            return;
        }
    }
    ddb_store_close(st);
    ddb_arena_free(&a);
}

/* An LSI's partition is its table's: the same partition hash (the one the store reads back from the key and
   places by, so entries sit beside their items) and the same partition key bytes. A new store's hash is
   DynamoDB's, of the key's bytes as DynamoDB hashes them (a number's own encoding, not its key form):
   node -e "crypto.createHash('md5').update('Outliers').update(bytes).digest('hex').slice(0, 16)", a
   number's bytes from dynalite's numToBuffer. */
TEST(lsi_entries_are_colocated_with_their_items)
{
    static const char *const pks[] = {"{\"S\":\"user#1\"}", "{\"S\":\"\\u0000x\"}", "{\"N\":\"-12.5\"}",
                                      "{\"N\":\"0\"}", "{\"B\":\"AAEC\"}"};
    static const uint64_t dynamodb[] = {0x8b542929238862feULL, 0x4e1dc69caa11f9aaULL, 0xcd50d82986db9487ULL,
                                        0xce212d751674ab5dULL, 0xc0cfcbaef14758ceULL};
    ddb_arena a;
    ddb_store *st = mem_store(5);

    ddb_arena_init(&a);
    for (size_t i = 0; i < ARRAY_LEN(pks); i++) {
        ddb_attr pk = value(&a, pks[i]), sk = value(&a, "{\"N\":\"3\"}"), l = value(&a, "{\"S\":\"local\"}");
        ddb_key_part h = part("pk", (ddb_type)pk.type), s = part("l", DDB_T_S);
        ddb_index ix = gsi(80, "lsi", &h, 1, &s, 1);
        ddb_key base, e, prefix;
        const ddb_attr *hv[1] = {&pk};
        ix.kind = DDB_IX_LOCAL;
        ddb_key_build(&a, st, 9, &pk, &sk, &base);
        member m[] = {{"pk", pk}, {"sk", sk}, {"l", l}};
        ddb_attr item = make_item(&a, m, 3);
        ASSERT_EQ(ddb_index_entry_key(&a, st, &ix, &item, &base, &e), 0);
        ASSERT_EQ(e.part_hash, base.part_hash);
        ASSERT_EQ(ddb_key_part_hash(e.bytes, e.len), ddb_key_part_hash(base.bytes, base.len));
        ASSERT_EQ(ddb_key_part_hash(e.bytes, e.len), ddb_key_hash(st, &pk, base.bytes + DDB_KEY_PREFIX_BYTES,
                                                                   base.part_len - DDB_KEY_PREFIX_BYTES));
        ASSERT(base.part_hash == dynamodb[i]);
        ASSERT_EQ(e.part_len, base.part_len);
        ASSERT_MEM_EQ(e.bytes + 4, e.part_len - 4, base.bytes + 4, base.part_len - 4);
        ddb_index_partition_key(&a, st, &ix, hv, &prefix);
        ASSERT_MEM_EQ(prefix.bytes, prefix.len, e.bytes, e.part_len);
    }
    ddb_store_close(st);
    ddb_arena_free(&a);
}

/* begins_with: the open sort part is a prefix of exactly the entries whose value begins with it. */
TEST(open_sort_part_is_a_prefix_of_entries_beginning_with_the_value)
{
    static const struct {
        const char *s;
        size_t n;
    } vals[] = {{"a", 1},         {"a\x00", 2}, {"a\x00" "b", 3}, {"a\x00\x00", 3}, {"a\x01", 2},
                {"ab", 2},    {"ab\x00", 3},    {"abc", 3},   {"abd", 3},       {"b", 1},         {"\xff", 1},
                {"\xff\x00", 2}};
    ddb_arena a;
    ddb_store *st = mem_store(3);

    ddb_arena_init(&a);
    for (int type = 0; type < 2; type++) {
        ddb_type t = type == 0 ? DDB_T_S : DDB_T_B;
        ddb_key_part h = part("g", DDB_T_S), s[2] = {part("r", t), part("r2", t)};
        ddb_attr g = bytes_attr(&a, DDB_T_S, "P", 1);
        const ddb_attr *hv[1] = {&g};
        ddb_index one = gsi(90, "one", &h, 1, s, 1), two = gsi(91, "two", &h, 1, s, 2);
        ddb_key prefix1, prefix2, e1[ARRAY_LEN(vals)], e2[ARRAY_LEN(vals)][ARRAY_LEN(vals)];
        ddb_attr v[ARRAY_LEN(vals)];

        ddb_index_partition_key(&a, st, &one, hv, &prefix1);
        ddb_index_partition_key(&a, st, &two, hv, &prefix2);
        for (size_t i = 0; i < ARRAY_LEN(vals); i++)
            v[i] = bytes_attr(&a, t, vals[i].s, vals[i].n);
        for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
            ddb_attr pk;
            ddb_key base = base_key(&a, st, (int)i, &pk);
            member m[] = {{"pk", pk}, {"g", g}, {"r", v[i]}};
            ddb_attr item = make_item(&a, m, 3);
            ASSERT_EQ(ddb_index_entry_key(&a, st, &one, &item, &base, &e1[i]), 0);
            for (size_t j = 0; j < ARRAY_LEN(vals); j++) {
                member m2[] = {{"pk", pk}, {"g", g}, {"r", v[i]}, {"r2", v[j]}};
                ddb_attr item2 = make_item(&a, m2, 4);
                ASSERT_EQ(ddb_index_entry_key(&a, st, &two, &item2, &base, &e2[i][j]), 0);
            }
        }
        for (size_t q = 0; q < ARRAY_LEN(vals); q++) {
            char *open, *closed, *open2;
            size_t olen, clen, o2len;
            ddb_index_append_sort_part(&a, prefix1.bytes, prefix1.len, &v[q], 1, &open, &olen);
            ddb_index_append_sort_part(&a, prefix1.bytes, prefix1.len, &v[q], 0, &closed, &clen);
            for (size_t i = 0; i < ARRAY_LEN(vals); i++) {
                int begins = vals[i].n >= vals[q].n && memcmp(vals[i].s, vals[q].s, vals[q].n) == 0;
                int equal = vals[i].n == vals[q].n && begins;
                if (starts_with(&e1[i], open, olen) != begins) {
                    ddb_test_fail(__FILE__, __LINE__, "%s: begins_with(value %zu, value %zu) disagrees with the prefix",
                                  ddb_type_name(t), i, q);
                    return;
                }
                ASSERT_EQ(starts_with(&e1[i], closed, clen), equal); /* a closed part: equality */
            }
            /* first part equal to value q, second beginning with value p */
            ddb_index_append_sort_part(&a, prefix2.bytes, prefix2.len, &v[q], 0, &closed, &clen);
            for (size_t p = 0; p < ARRAY_LEN(vals); p++) {
                ddb_index_append_sort_part(&a, closed, clen, &v[p], 1, &open2, &o2len);
                for (size_t i = 0; i < ARRAY_LEN(vals); i++)
                    for (size_t j = 0; j < ARRAY_LEN(vals); j++) {
                        int want = i == q && vals[j].n >= vals[p].n && memcmp(vals[j].s, vals[p].s, vals[p].n) == 0;
                        ASSERT_EQ(starts_with(&e2[i][j], open2, o2len), want);
                    }
            }
        }
    }
    ddb_store_close(st);
    ddb_arena_free(&a);
}

/* ---- projections ---- */

static int has(const ddb_attr *item, const char *name)
{
    return ddb_item_get(item, name, strlen(name)) != NULL;
}

TEST(projection_keeps_keys_include_and_all)
{
    ddb_arena a;
    ddb_table t;
    ddb_key_part h = part("g", DDB_T_S), s = part("r", DDB_T_N);
    static const char *nonkey[] = {"a", "c"};
    static uint32_t nonkey_len[] = {1, 1};
    static const char *const names[] = {"pk", "sk", "g", "r", "a", "b", "c", "nested"};
    ddb_attr item, out;
    member m[ARRAY_LEN(names)];

    ddb_arena_init(&a);
    memset(&t, 0, sizeof(t));
    t.name = "tbl";
    t.hash_key = "pk";
    t.range_key = "sk";
    t.indexes[0] = gsi(100, "ix", &h, 1, &s, 1);
    t.nindexes = 1;
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        m[i] = (member){names[i], value(&a, i == 3 ? "{\"N\":\"1\"}" : "{\"S\":\"v\"}")};
    m[7].val = value(&a, "{\"M\":{\"a\":{\"S\":\"inner\"}}}");
    item = make_item(&a, m, ARRAY_LEN(m));

    t.indexes[0].projection = DDB_PROJ_KEYS_ONLY;
    ddb_index_project(&a, &t, &t.indexes[0], &item, &out);
    ASSERT_EQ(out.type, DDB_T_M);
    ASSERT_EQ(out.len, 4);
    ASSERT(has(&out, "pk") && has(&out, "sk") && has(&out, "g") && has(&out, "r"));
    ASSERT(!has(&out, "a") && !has(&out, "nested"));
    ASSERT_EQ(item.len, ARRAY_LEN(names)); /* the item itself is untouched */

    t.indexes[0].projection = DDB_PROJ_INCLUDE;
    t.indexes[0].nonkey = nonkey;
    t.indexes[0].nonkey_len = nonkey_len;
    t.indexes[0].nnonkey = 2;
    ddb_index_project(&a, &t, &t.indexes[0], &item, &out);
    ASSERT_EQ(out.len, 6);
    ASSERT(has(&out, "pk") && has(&out, "sk") && has(&out, "g") && has(&out, "r") && has(&out, "a") && has(&out, "c"));
    ASSERT(!has(&out, "b") && !has(&out, "nested"));
    ASSERT(ddb_index_projects(&t, &t.indexes[0], "c", 1));
    ASSERT(!ddb_index_projects(&t, &t.indexes[0], "cc", 2));
    ASSERT(!ddb_index_projects(&t, &t.indexes[0], "", 0));

    t.indexes[0].projection = DDB_PROJ_ALL;
    ddb_index_project(&a, &t, &t.indexes[0], &item, &out);
    ASSERT(ddb_attr_equal(&out, &item));

    /* a hash-only table, an item missing some projected attributes */
    t.range_key = NULL;
    t.indexes[0].projection = DDB_PROJ_KEYS_ONLY;
    {
        member m2[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"sk", value(&a, "{\"S\":\"not a key now\"}")},
                       {"g", value(&a, "{\"S\":\"x\"}")}};
        ddb_attr item2 = make_item(&a, m2, 3);
        ddb_index_project(&a, &t, &t.indexes[0], &item2, &out);
        ASSERT_EQ(out.len, 2);
        ASSERT(has(&out, "pk") && has(&out, "g") && !has(&out, "sk"));
    }
    ddb_arena_free(&a);
}

/* ---- checks of written items ---- */

TEST(check_item_messages_match_dynamodb)
{
    ddb_arena a;
    ddb_table t;
    ddb_key_part h = part("g", DDB_T_S), s = part("r", DDB_T_N), hb = part("bin", DDB_T_B);
    ddb_attr item;
    const char *msg;

    ddb_arena_init(&a);
    memset(&t, 0, sizeof(t));
    t.name = "tbl";
    t.hash_key = "pk";
    t.indexes[0] = gsi(110, "byG", &h, 1, &s, 1);
    t.indexes[1] = gsi(111, "byBin", &hb, 1, NULL, 0);
    t.nindexes = 2;

    {
        member m[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"g", value(&a, "{\"N\":\"1\"}")}};
        item = make_item(&a, m, 2);
        msg = ddb_index_check_item(&a, &t, &item, 0);
        ASSERT_STR_EQ(msg, "One or more parameter values were invalid: Type mismatch for Index Key g Expected: S "
                           "Actual: N IndexName: byG");
    }
    {
        member m[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"g", value(&a, "{\"S\":\"x\"}")},
                      {"r", value(&a, "{\"SS\":[\"1\"]}")}};
        item = make_item(&a, m, 3);
        msg = ddb_index_check_item(&a, &t, &item, 0);
        ASSERT_STR_EQ(msg, "One or more parameter values were invalid: Type mismatch for Index Key r Expected: N "
                           "Actual: SS IndexName: byG");
    }
    {
        member m[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"g", value(&a, "{\"S\":\"\"}")}};
        item = make_item(&a, m, 2);
        msg = ddb_index_check_item(&a, &t, &item, 0);
        ASSERT_STR_EQ(msg, "One or more parameter values are not valid. A value specified for a secondary index key is "
                           "not supported. The AttributeValue for a key attribute cannot contain an empty string "
                           "value. IndexName: byG, IndexKey: g");
        /* UpdateItem words it its own way */
        msg = ddb_index_check_item(&a, &t, &item, 1);
        ASSERT_STR_EQ(msg, "One or more parameter values are not valid. The update expression attempted to update a "
                           "secondary index key to a value that is not supported. The AttributeValue for a key "
                           "attribute cannot contain an empty string value.");
    }
    {
        member m[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"bin", value(&a, "{\"B\":\"\"}")}};
        item = make_item(&a, m, 2);
        msg = ddb_index_check_item(&a, &t, &item, 0);
        ASSERT_STR_EQ(msg, "One or more parameter values are not valid. A value specified for a secondary index key is "
                           "not supported. The AttributeValue for a key attribute cannot contain an empty binary "
                           "value. IndexName: byBin, IndexKey: bin");
        /* a DELETING index is no longer checked */
        t.indexes[1].state = DDB_IX_DELETING;
        ASSERT_NULL(ddb_index_check_item(&a, &t, &item, 0));
        t.indexes[1].state = DDB_IX_ACTIVE;
    }
    {
        member m[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"g", value(&a, "{\"N\":\"1\"}")}};
        item = make_item(&a, m, 2);
        t.indexes[0].state = DDB_IX_DELETING;
        ASSERT_NULL(ddb_index_check_item(&a, &t, &item, 0));
        t.indexes[0].state = DDB_IX_CREATING; /* a CREATING index is maintained, so checked */
        t.indexes[0].backfilling = 1;
        ASSERT(ddb_index_check_item(&a, &t, &item, 0) != NULL);
        t.indexes[0].state = DDB_IX_ACTIVE;
        t.indexes[0].backfilling = 0;
    }
    {
        /* absent index keys, right types, and a non-empty N (N may be "0") are fine */
        member m[] = {{"pk", value(&a, "{\"S\":\"k\"}")}, {"g", value(&a, "{\"S\":\"x\"}")}, {"r", value(&a, "{\"N\":\"0\"}")},
                      {"other", value(&a, "{\"S\":\"\"}")}};
        item = make_item(&a, m, 4);
        ASSERT_NULL(ddb_index_check_item(&a, &t, &item, 0));
        item = make_item(&a, m, 1);
        ASSERT_NULL(ddb_index_check_item(&a, &t, &item, 0));
    }
    ddb_arena_free(&a);
}
