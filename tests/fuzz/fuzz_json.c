/*
 * tests/fuzz/fuzz_json.c: libFuzzer target for the JSON codec and the AttributeValue model. The
 * input is parsed as JSON, as a client's request is (ddb_json_parse_input: Unicode checked); a
 * document that parses is written back, must be Unicode too, and is parsed again (the writer's
 * output must parse to the same text), and decoded as an item and as an AttributeValue in both
 * value dialects, whose canonical JSON must decode again to an equal value. A parse that leaves
 * members unbuilt (ddb_json_parse_input_filtered: here those whose name starts with an odd byte, at
 * every level), or arrays past a bound and values past a size, accepts exactly what the whole
 * parse accepts.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_json -max_total_time=60
 */
#include <stdlib.h>
#include <string.h>

#include "proto/attr.h"
#include "proto/json.h"

static void round_trip(ddb_arena *a, const ddb_attr *v, int item)
{
    ddb_buf b = {0};
    ddb_jw w;
    const ddb_json *j;
    ddb_attr again;

    ddb_jw_init(&w, &b);
    if (item)
        ddb_item_write_json(&w, v);
    else
        ddb_attr_write_json(&w, v);
    if ((j = ddb_json_parse(a, b.data, b.len)) == NULL ||
        (item ? ddb_item_from_json(a, j, &again) : ddb_attr_from_json(a, j, &again)) != NULL)
        abort(); /* what ddbd writes, it reads back */
    if (!item && !ddb_attr_equal(v, &again))
        abort();
    ddb_buf_free(&b);
}

static const void *skip_odd(const void *obj, const char *key, size_t klen, int *skip)
{
    if (klen > 0 && (key[0] & 1))
        *skip = 1;
    return obj;
}

static const void *same(const void *arr)
{
    return arr;
}

static const ddb_json_filter ODD = {&ODD, skip_odd, same, NULL, NULL, NULL};

static const void *keep_all(const void *obj, const char *key, size_t klen, int *skip)
{
    (void)key, (void)klen, (void)skip;
    return obj;
}

static uint32_t two(const void *arr)
{
    (void)arr;
    return 2;
}

static int every_value(const void *desc)
{
    (void)desc;
    return DDB_JSON_CUT_VALUE;
}

/* every array bounded at 2, every value counted as an AttributeValue (issue 73) */
static int bounded_cut;
static const ddb_json_filter BOUNDED = {&BOUNDED, keep_all, same, two, every_value, &bounded_cut};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ddb_arena arena;
    static int init;
    const ddb_json *j;
    ddb_buf b1 = {0}, b2 = {0};
    ddb_jw w;
    ddb_attr v;

    if (!init) {
        ddb_arena_init(&arena);
        init = 1;
    }
    ddb_arena_reset(&arena);
    j = ddb_json_parse_input(&arena, (const char *)data, size, NULL);
    if ((j != NULL) != (ddb_json_parse_input_filtered(&arena, (const char *)data, size, NULL, &ODD) != NULL))
        abort(); /* what is left unbuilt is checked as JSON all the same */
    if ((j != NULL) != (ddb_json_parse_input_filtered(&arena, (const char *)data, size, NULL, &BOUNDED) != NULL))
        abort(); /* and so is what a bound leaves unbuilt */
    if (j == NULL)
        return 0;
    ddb_jw_init(&w, &b1);
    ddb_jw_json(&w, j);
    {
        const ddb_json *j2 = ddb_json_parse_input(&arena, b1.data, b1.len, NULL);
        if (j2 == NULL)
            abort();
        ddb_jw_init(&w, &b2);
        ddb_jw_json(&w, j2);
        if (b1.len != b2.len || memcmp(b1.data, b2.data, b1.len) != 0)
            abort(); /* writing is a fixed point after one round */
    }
    ddb_buf_free(&b1);
    ddb_buf_free(&b2);
    for (int d = 0; d < 2; d++) {
        ddb_value_dialect dialect = d ? DDB_VALUES_2026 : DDB_VALUES_CLASSIC;
        if (ddb_item_from_json_as(&arena, j, dialect, &v) == NULL)
            round_trip(&arena, &v, 1);
        if (ddb_attr_from_json_as(&arena, j, dialect, &v) == NULL)
            round_trip(&arena, &v, 0);
    }
    return 0;
}
