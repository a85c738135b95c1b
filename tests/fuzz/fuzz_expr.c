/*
 * tests/fuzz/fuzz_expr.c: libFuzzer target for the expression language. The first input byte
 * picks the expression kind, the rest is the expression text; it is parsed against a fixed set
 * of ExpressionAttributeNames/Values and, when it parses, evaluated, applied or projected on a
 * fixed item, so the checks, the evaluator and the update writer all see arbitrary trees.
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_expr -max_total_time=60
 */
#include "server/expr/expr_internal.h"

#include <stdlib.h>
#include <string.h>

static const char names_json[] = "{\"#a\":\"a\",\"#b\":\"b\",\"#n\":\"n\",\"#l\":\"l\",\"#m\":\"m\",\"#d\":\"[3]\"}";
static const char values_json[] =
    "{\":s\":{\"S\":\"x\"},\":n\":{\"N\":\"1\"},\":big\":{\"N\":\"9.9E+125\"},\":b\":{\"B\":\"AQ==\"},"
    "\":ss\":{\"SS\":[\"a\",\"b\"]},\":ns\":{\"NS\":[\"1\",\"2\"]},\":bs\":{\"BS\":[\"AQ==\"]},\":l\":{\"L\":[{\"S\":\"x\"}]},"
    "\":m\":{\"M\":{\"k\":{\"S\":\"v\"}}},\":t\":{\"BOOL\":true},\":z\":{\"NULL\":true},\":ty\":{\"S\":\"SS\"}}";
static const char item_json[] =
    "{\"a\":{\"S\":\"hello\"},\"b\":{\"N\":\"5\"},\"n\":{\"N\":\"9.9E+125\"},\"l\":{\"L\":[{\"S\":\"x\"},{\"L\":[{\"N\":\"1\"}]},"
    "{\"M\":{\"k\":{\"SS\":[\"a\"]}}}]},\"m\":{\"M\":{\"a\":{\"M\":{\"b\":{\"NS\":[\"1\"]}}},\"c\":{\"L\":[]}}},"
    "\"ss\":{\"SS\":[\"a\",\"b\"]},\"bin\":{\"B\":\"AQID\"}}";

static ddb_arena arena;
static const ddb_json *names, *values, *item_j;

static void setup(void)
{
    static int done;

    if (done)
        return;
    done = 1;
    ddb_arena_init(&arena);
}

/* The fixed inputs are parsed once per run into the arena's first chunk, before any reset. */
static ddb_attr *fixed_item(void)
{
    ddb_attr *item = DDB_NEW(&arena, ddb_attr);

    names = ddb_json_parse(&arena, names_json, strlen(names_json));
    values = ddb_json_parse(&arena, values_json, strlen(values_json));
    item_j = ddb_json_parse(&arena, item_json, strlen(item_json));
    if (names == NULL || values == NULL || item_j == NULL || ddb_item_from_json(&arena, item_j, item) != NULL)
        abort();
    return item;
}

static void exercise(ddb_expr_kind kind, const ddb_expr *e, const ddb_attr *item)
{
    ddb_attr out, proj;
    const char *msg = NULL;
    const ddb_key_cond *kc;

    switch (kind) {
    case DDB_EXPR_UPDATE:
        if (ddb_expr_apply_update(&arena, e, item, &out, &msg) == 0) {
            ddb_expr_project_updated(&arena, e, &out, &proj);
            ddb_expr_project_updated(&arena, e, item, &proj);
        } else if (msg == NULL) {
            abort();
        }
        ddb_expr_apply_update(&arena, e, NULL, &out, &msg);
        break;
    case DDB_EXPR_PROJECTION:
        ddb_expr_project(&arena, e, item, &out);
        break;
    case DDB_EXPR_KEY_CONDITION:
        if (ddb_expr_check_key_condition(&arena, (ddb_expr *)e) == NULL && ddb_expr_key_conds(e, &kc) == 0)
            abort();
        ddb_expr_eval_condition(e, item);
        break;
    default:
        ddb_expr_eval_condition(e, item);
        ddb_expr_eval_condition(e, NULL);
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ddb_expr_ctx *ctx;
    ddb_expr *e = NULL;
    ddb_attr *item;
    ddb_expr_kind kind;
    const char *err;

    setup();
    if (size < 1)
        return 0;
    kind = (ddb_expr_kind)(data[0] % 5);
    ddb_arena_reset(&arena);
    item = fixed_item();
    if (ddb_expr_ctx_new(&arena, names, values, &ctx) != NULL)
        abort();
    err = ddb_expr_parse(ctx, kind, (const char *)data + 1, size - 1, &e);
    if (err == NULL) {
        exercise(kind, e, item);
        ddb_expr_ctx_finish(ctx);
    } else if (strncmp(err, "Invalid ", 8) != 0) {
        abort(); /* every parse error carries the expression's label */
    }
    return 0;
}
