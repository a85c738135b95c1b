/*
 * server/ops/start_key.c: ExclusiveStartKey, as Query and Scan check it (see page.h).
 *
 * A start key names exactly the attributes a LastEvaluatedKey carries: the table's key and, on an
 * index, the index's key attributes. DynamoDB checks its shape first, then the types of the
 * keyspace's own key attributes, then the table's key and the values ("The provided starting key
 * is invalid: ..."). A Query words the shape and the keyspace's types on their own; a Scan words
 * every one of them "The provided starting key is invalid: The provided key element does not
 * match the schema" (docs/compatibility.md has the sources).
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/ops/page.h"

#define START_INVALID "The provided starting key is invalid"
#define KEY_MISMATCH "The provided key element does not match the schema"

/* The attribute names a start key must have: the table's key, then the index's (each once). */
static unsigned start_key_parts(const ddb_keyspace *ks, ddb_key_part *parts)
{
    const ddb_table *t = ks->t;
    unsigned n = 0;

    parts[n++] = (ddb_key_part){t->hash_key, (uint32_t)strlen(t->hash_key), t->hash_type};
    if (t->range_key != NULL)
        parts[n++] = (ddb_key_part){t->range_key, (uint32_t)strlen(t->range_key), t->range_type};
    for (unsigned i = 0; i < ks->nhash + ks->nrange; i++) {
        const ddb_key_part *p = i < ks->nhash ? &ks->hash[i] : &ks->range[i - ks->nhash];
        unsigned j = 0;
        while (j < n && !(parts[j].nlen == p->nlen && memcmp(parts[j].name, p->name, p->nlen) == 0))
            j++;
        if (j == n)
            parts[n++] = *p;
    }
    return n;
}

/*
 * The wrong set of names. A Query's table start key that is short of the partition key keeps
 * "Exclusive Start Key must have same size as table's key schema" (DynamoDB Local's text, pinned
 * against AWS by an application's suite); any other wrong set is "The provided starting key is
 * invalid" (dynalite's query cases; the conformance suite's captures).
 */
static int shape_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_attr *esk)
{
    ddb_key_part parts[DDB_PAGE_KEY_NAMES];
    unsigned n = start_key_parts(ks, parts), present = 0;

    for (unsigned i = 0; i < n; i++)
        present += ddb_item_get(esk, parts[i].name, parts[i].nlen) != NULL;
    if (req->op == DDB_OP_Scan && (present != n || esk->len != n))
        return ddb_req_fail(req, DDB_E_VALIDATION, START_INVALID ": " KEY_MISMATCH);
    if (esk->len < n && ks->ix == NULL && ddb_item_get(esk, parts[0].name, parts[0].nlen) == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Exclusive Start Key must have same size as table's key schema");
    /* the right size with a table key attribute missing is left to the table key's check below */
    for (unsigned i = 0; i < ks->nhash + ks->nrange && esk->len == n; i++) {
        const ddb_key_part *p = i < ks->nhash ? &ks->hash[i] : &ks->range[i - ks->nhash];
        if (ddb_item_get(esk, p->name, p->nlen) == NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, START_INVALID);
    }
    return esk->len == n ? DDB_OK : ddb_req_fail(req, DDB_E_VALIDATION, START_INVALID);
}

/* The keyspace's own key attributes in schema order, each present once the shape passed; the
   table's key comes after (prefixed, ddb_keyspace_start_key). */
static int types_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_attr *esk)
{
    for (unsigned i = 0; i < ks->nhash + ks->nrange; i++) {
        const ddb_key_part *p = i < ks->nhash ? &ks->hash[i] : &ks->range[i - ks->nhash];
        if (ddb_item_get(esk, p->name, p->nlen)->type == p->type)
            continue;
        if (req->op == DDB_OP_Scan)
            return ddb_req_fail(req, DDB_E_VALIDATION, START_INVALID ": " KEY_MISMATCH);
        return ddb_req_fail(req, DDB_E_VALIDATION, KEY_MISMATCH);
    }
    return DDB_OK;
}

/* The start key as DynamoDB echoes it, a Java map: "{p=AttributeValue: {S:x}, ...}". */
static const char *start_key_text(ddb_arena *a, const ddb_attr *esk)
{
    const char *text = "{";

    for (uint32_t i = 0; i < esk->len; i++) {
        const ddb_entry *e = &esk->u.entries[i];
        text = ddb_arena_sprintf(a, "%s%s%.*s=%s", text, i ? ", " : "", (int)e->nlen, e->name,
                                 ddb_bound_str(a, &e->val));
    }
    return ddb_arena_sprintf(a, "%s}", text);
}

/*
 * A Query of a table with no sort key: a partition holds one item, so nothing follows the key it
 * would start after, and DynamoDB refuses the key whole ("The provided exclusive start key is
 * invalid: ExclusiveStartKey: {p=AttributeValue: {S:KPQ4X3JE19}}", recorded in ScyllaDB's
 * test_query.py, commit c049992a93). Checked once the key is well formed; an index's partitions
 * hold many items, so a Query of one keeps its pages. ddb_page_end hands out no key such a Query
 * would refuse.
 */
static int restartable_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_attr *esk)
{
    if (ddb_restartable(req, ks))
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_VALIDATION, "The provided exclusive start key is invalid: ExclusiveStartKey: %s",
                        start_key_text(req->arena, esk));
}

int ddb_start_key_or_fail(ddb_req *req, const ddb_keyspace *ks, ddb_attr **esk, ddb_key *out)
{
    const ddb_json *j = ddb_json_get(req->in, "ExclusiveStartKey");
    const char *msg;

    *esk = NULL;
    if (j == NULL)
        return DDB_OK;
    *esk = DDB_NEW(req->arena, ddb_attr);
    if ((msg = ddb_item_from_json_as(req->arena, j, req->values, *esk)) != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    if (shape_or_fail(req, ks, *esk) != DDB_OK || types_or_fail(req, ks, *esk) != DDB_OK)
        return req->err.code;
    if ((msg = ddb_keyspace_start_key(req, ks, *esk, out)) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, START_INVALID ": %s", msg);
    return restartable_or_fail(req, ks, *esk);
}
