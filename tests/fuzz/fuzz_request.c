/*
 * tests/fuzz/fuzz_request.c: libFuzzer target for the request decoders: arbitrary bytes go
 * through the JSON parser, every operation's declarative validation (which decodes Items, Keys
 * and expressions) and, for what decodes, the AttributeValue writer and the item codec. What
 * validation accepts must hold no null list member or map value along the spec: the handlers
 * dereference members without looking (issue 49: [null] statements were a SIGSEGV).
 * Build: CC=clang cmake -DDDB_FUZZ=ON ...; run: ./fuzz_request -max_total_time=60
 */
#include <stdint.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "proto/ops.h"
#include "server/api/validate/validate.h"
#include "server/engine/itemcodec.h"

/* The served operations in proto/ops.def's order (the first byte of an input picks one, as it
   picked among DDB_OP_* when every listed operation was served: the corpus keeps its meaning). */
static const struct {
    ddb_op op;
    const ddb_spec *spec;
} SERVED[] = {
#define X(camel, snake, svc, impl, flags) DDB_IF_HANDLED(impl, {DDB_OP_##camel, &ddb_spec_##snake},)
#include "proto/ops.def"
#undef X
};

static void roundtrip_item(ddb_arena *a, const ddb_json *obj)
{
    ddb_attr item, back;
    ddb_buf out = {0};
    ddb_jw w;
    char *enc;
    size_t len;

    if (ddb_item_check_types(a, obj) != NULL || ddb_item_from_json(a, obj, &item) != NULL)
        return;
    ddb_jw_init(&w, &out);
    ddb_item_write_json(&w, &item);
    ddb_item_encode(a, &item, ddb_item_size(&item), &enc, &len);
    if (ddb_item_decode(a, enc, len, &back) != 0 || !ddb_attr_equal(&item, &back))
        __builtin_trap(); /* the codec must round-trip whatever validation accepts */
    ddb_buf_free(&out);
}

static void no_null_members(const ddb_json *obj, const ddb_field *fields);

/* A value validation accepted, described by `f`: its list members and map values are never null. */
static void no_null_under(const ddb_json *v, const ddb_field *f)
{
    if (v == NULL || v->type == DDB_JSON_NULL)
        return;
    if (f->type == DDB_V_LIST && v->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < v->n; i++) {
            if (v->u.items[i]->type == DDB_JSON_NULL)
                __builtin_trap();
            no_null_under(v->u.items[i], &f->children[0]);
        }
    } else if (f->type == DDB_V_MAP && v->type == DDB_JSON_OBJECT) {
        for (uint32_t i = 0; i < v->n; i++) {
            if (v->u.members[i].val->type == DDB_JSON_NULL)
                __builtin_trap();
            no_null_under(v->u.members[i].val, &f->children[0]);
        }
    } else if (f->type == DDB_V_STRUCT && f->children != NULL) {
        no_null_members(v, f->children);
    }
}

static void no_null_members(const ddb_json *obj, const ddb_field *fields)
{
    for (const ddb_field *f = fields; f != NULL && f->name != NULL; f++)
        no_null_under(ddb_json_get(obj, f->name), f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ddb_arena a;
    const ddb_json *in;
    size_t pick;

    if (size < 1)
        return 0;
    pick = data[0] % (sizeof(SERVED) / sizeof(SERVED[0]));
    ddb_arena_init(&a);
    in = ddb_json_parse(&a, (const char *)data + 1, size - 1);
    if (in != NULL && in->type == DDB_JSON_OBJECT) {
        ddb_req req;
        memset(&req, 0, sizeof(req));
        req.arena = &a;
        req.op = SERVED[pick].op;
        if (ddb_validate(&req, SERVED[pick].spec, in) == DDB_OK)
            no_null_members(in, SERVED[pick].spec->fields);
        roundtrip_item(&a, in);
    }
    ddb_arena_free(&a);
    return 0;
}
