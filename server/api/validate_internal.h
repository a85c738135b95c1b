/*
 * server/api/validate_internal.h: what the two spec files share (validate_specs.c: the table of
 * specs and the item, query and batch operations; validate_tables.c: the table operations).
 * Not for other layers: they use validate.h.
 */
#ifndef DDB_VALIDATE_INTERNAL_H
#define DDB_VALIDATE_INTERNAL_H

#include <string.h>

#include "validate.h"

#define INVALID "One or more parameter values were invalid: "
#define ENUM(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NAME_FLAGS (DDB_VF_NAME_RE | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX)
#define F_INDEX_NAME(flags) {"IndexName", DDB_V_STRING, (flags) | NAME_FLAGS, .len_min = 3, .len_max = 255}

/* Stands in for a null list member, which dynalite would dereference (and crash on). */
static const ddb_json EMPTY_OBJECT = {.type = DDB_JSON_OBJECT};

/* JavaScript's `==` on two possibly-undefined strings. */
static inline int same_str(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    return strcmp(a, b) == 0;
}

/* The element `i` of a list, or NULL. */
static inline const ddb_json *item_at(const ddb_json *list, uint32_t i)
{
    if (list == NULL || list->type != DDB_JSON_ARRAY || i >= list->n)
        return NULL;
    return ddb_v_present(list->u.items[i]) ? list->u.items[i] : NULL;
}

static inline uint32_t list_len(const ddb_json *list)
{
    return list != NULL && list->type == DDB_JSON_ARRAY ? list->n : 0;
}

/* The buffer's text copied into the arena; frees the buffer. */
static inline const char *take(ddb_arena *a, ddb_buf *b)
{
    const char *out = ddb_arena_strndup(a, b->data ? b->data : "", b->len);
    ddb_buf_free(b);
    return out;
}

/* A Long as dynalite prints it ("Given value 1000000000001 for ..."). */
static inline const char *long_text(ddb_arena *a, const ddb_json *v)
{
    ddb_buf b = {0};
    ddb_v_js_number(&b, ddb_v_number(v, 1));
    return take(a, &b);
}

/* ---- the table operations (validate_tables.c) ---- */

extern const ddb_field ddb_create_table_fields[];
extern const ddb_field ddb_update_table_fields[];
extern const ddb_field ddb_table_name_only_fields[]; /* DeleteTable, DescribeTable */
extern const ddb_field ddb_list_tables_fields[];

const char *ddb_create_table_rules(ddb_req *req, const ddb_json *in);
const char *ddb_update_table_rules(ddb_req *req, const ddb_json *in);

#endif
