/*
 * tests/fuzz/fuzz_partiql.c: libFuzzer target for the PartiQL parser. The input is a statement;
 * it is parsed with three fixed Parameters and, when it parses, everything the handlers read from
 * a statement is exercised on a fixed item: WHERE evaluated (with and without its key
 * equalities), the pins and sort-key ranges, the projection, and the update applied.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_partiql -max_total_time=60
 */
#include "server/expr/expr_internal.h"
#include "server/expr/partiql.h"

#include <stdlib.h>
#include <string.h>

static const char params_json[] = "[{\"S\":\"x\"},{\"N\":\"1\"},{\"SS\":[\"a\",\"b\"]}]";
static const char item_json[] =
    "{\"pk\":{\"S\":\"x\"},\"sk\":{\"N\":\"1\"},\"a\":{\"S\":\"hello\"},\"l\":{\"L\":[{\"S\":\"x\"},{\"L\":[{\"N\":\"1\"}]}]},"
    "\"m\":{\"M\":{\"a\":{\"M\":{\"b\":{\"NS\":[\"1\"]}}}}},\"ss\":{\"SS\":[\"a\",\"b\"]},\"z\":{\"NULL\":true}}";

static ddb_arena arena;
static ddb_attr params[3], item;

/* The fixed inputs, parsed anew after each reset (the arena's memory is reused). */
static void fixed_inputs(void)
{
    const ddb_json *pj, *ij;

    pj = ddb_json_parse(&arena, params_json, strlen(params_json));
    ij = ddb_json_parse(&arena, item_json, strlen(item_json));
    if (pj == NULL || ij == NULL || ddb_item_from_json(&arena, ij, &item) != NULL)
        abort();
    for (int i = 0; i < 3; i++)
        if (ddb_attr_from_json(&arena, pj->u.items[i], &params[i]) != NULL)
            abort();
}

static void exercise(const ddb_pq_stmt *s)
{
    const ddb_pq_pin *pins;
    size_t n = ddb_pq_pins(&arena, s, &pins);
    uint64_t skip = 0;
    ddb_key_cond kc;
    ddb_attr out;
    const char *msg;

    for (size_t i = 0; i < n; i++)
        skip |= pins[i].conjunct < 64 ? 1ULL << pins[i].conjunct : 0;
    ddb_expr_eval_condition(s->where, &item);
    ddb_expr_eval_condition(s->where, NULL);
    ddb_expr_eval_condition(ddb_pq_where_without(&arena, s, skip), &item);
    ddb_expr_eval_condition(ddb_pq_require_item(&arena, ddb_pq_where_without(&arena, s, skip), "pk"), &item);
    ddb_pq_range_cond(s, "sk", &kc);
    ddb_pq_project(&arena, s, &item, &out);
    if (s->update != NULL && ddb_expr_apply_update(&arena, s->update, &item, &out, &msg) == 0)
        ddb_expr_project_updated(&arena, s->update, &out, &out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    ddb_pq_stmt s;
    const char *err;

    if (!init) {
        ddb_arena_init(&arena);
        init = 1;
    }
    if (size > 8192)
        return 0;
    ddb_arena_reset(&arena);
    fixed_inputs();
    err = ddb_pq_parse(&arena, (const char *)data, size, params, 3, &s);
    if (err == NULL)
        exercise(&s);
    else if (*err == 0)
        abort(); /* every refusal has a message */
    return 0;
}
