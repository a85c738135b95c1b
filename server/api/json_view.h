/*
 * server/api/json_view.h: a request's JSON as DynamoDB's deserializer and dynalite's checked view
 * see it: a null member is an absent one, an object's duplicate keys resolve to the last value,
 * numbers are read (and printed) as JavaScript reads them, and lengths are counted as Java counts
 * them. The validation (validate.c, the specs) and the operations read requests through these.
 */
#ifndef DDB_JSON_VIEW_H
#define DDB_JSON_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"

/* dynalite's `data[key] == null`: absent and JSON null are the same thing. */
static inline int ddb_v_present(const ddb_json *v)
{
    return v != NULL && v->type != DDB_JSON_NULL;
}

/* A member that is present and not null, else NULL. Inline, as ddb_json_get is, so a literal
   name's length is the compiler's (a PutItem's handler reads eight members so). */
static inline const ddb_json *ddb_v_get(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);

    return ddb_v_present(v) ? v : NULL;
}
/* An object's members with duplicates resolved as DynamoDB's deserializer does. */
ddb_json_member *ddb_v_map_entries(ddb_arena *a, const ddb_json *obj, uint32_t *n);
int ddb_v_bool(const ddb_json *v);
double ddb_v_number(const ddb_json *v, int integral);
/* A number as JavaScript prints it (for dynalite-compatible "Value '...'" texts). */
void ddb_v_js_number(ddb_buf *b, double v);
/* Non-empty and every byte of [a-zA-Z0-9_.-] (table and index names). */
int ddb_v_name_chars_ok(const char *s, size_t n);

#endif
