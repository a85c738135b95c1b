/*
 * server/ops/ops_query.c: Query, on a table or on one of its indexes.
 *
 * A Query reads one partition's range of the keyspace (page.h): the partition prefix narrowed by
 * the sort-key condition, forward or reverse, with no sort in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/engine/engine.h"
#include "server/engine/index.h"
#include "server/ops/handlers.h"
#include "server/ops/page.h"

/* "Filter Expression can only contain non-primary key attributes" (QueryFilter for the legacy form). */
static int filter_keys_or_fail(ddb_req *req, const ddb_keyspace *ks)
{
    const ddb_expr_path_ref *paths;
    size_t n;

    if (req->parsed.filter == NULL)
        return DDB_OK;
    n = ddb_expr_paths(req->parsed.filter, &paths);
    for (size_t i = 0; i < n; i++) {
        if (ddb_keyspace_is_key(ks, paths[i].name, paths[i].nlen))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "%s can only contain non-primary key attributes: Primary key attribute: %.*s",
                                ddb_expr_is_legacy(req->parsed.filter) ? "QueryFilter" : "Filter Expression",
                                (int)paths[i].nlen, paths[i].name);
    }
    return DDB_OK;
}

/* ---- key conditions ---- */

/* The conditions of a Query, matched to the keyspace's key parts. */
typedef struct key_range {
    const ddb_key_cond *hash[DDB_MAX_KEY_PARTS];
    const ddb_key_cond *range[DDB_MAX_KEY_PARTS];
    unsigned nrange;          /* sort parts with a condition: a prefix of the sort key */
} key_range;

static const ddb_key_cond *cond_for(const ddb_key_cond *kc, size_t n, const char *name)
{
    size_t len = strlen(name);

    for (size_t i = 0; i < n; i++) {
        if (kc[i].nlen == len && memcmp(kc[i].name, name, len) == 0)
            return &kc[i];
    }
    return NULL;
}

/* More conditions than the key has attributes; on a one- or two-attribute key the legacy form's
   own count rule is the caller's ("Conditions can be of length 1 or 2 only"). */
static int too_many_conditions_or_fail(ddb_req *req, size_t n, unsigned nkey, int legacy_own_rule)
{
    if (n <= nkey || (legacy_own_rule && ddb_expr_is_legacy(req->parsed.key_condition)))
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_VALIDATION,
                        "The number of query conditions (%zu) exceeds the number of key attributes defined in the "
                        "schema (%u)",
                        n, nkey);
}

/* dynalite's traverseKey rules for a key of one partition attribute and at most one sort attribute, in DynamoDB's order. */
static int simple_key_conditions_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_key_cond *kc, size_t n,
                                         key_range *kr)
{
    const ddb_key_part *parts[2] = {&ks->hash[0], ks->nrange ? &ks->range[0] : NULL};

    /* more conditions than any key has (two on a hash-only key stay "Query key condition not supported") */
    if (n > 2 && too_many_conditions_or_fail(req, n, parts[1] ? 2u : 1u, 1) != DDB_OK)
        return req->err.code;
    if (n > 2)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Conditions can be of length 1 or 2 only");
    for (int i = 0; i < 2 && parts[i] != NULL; i++) {
        const ddb_key_cond *c = cond_for(kc, n, parts[i]->name);
        if (i == 0 && parts[1] == NULL && n > 1)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
        if (c == NULL) {
            if (i == 0 || n > 1)
                return ddb_req_fail(req, DDB_E_VALIDATION, "Query condition missed key schema element: %s",
                                    parts[i]->name);
            continue;
        }
        if (c->not_indexable) /* legacy NE, IN, NULL, NOT_NULL, CONTAINS, NOT_CONTAINS: op and values are meaningless */
            return ddb_req_fail(req, DDB_E_VALIDATION, "Attempted conditional constraint is not an indexable operation");
        if (c->v[0]->type != parts[i]->type || (c->op == DDB_KC_BETWEEN && c->v[1]->type != parts[i]->type))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        if (i == 0 && c->op != DDB_KC_EQ)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
        if (i == 0)
            kr->hash[0] = c;
        else
            kr->range[kr->nrange++] = c;
    }
    if (kr->hash[0] == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Query condition missed key schema element: %s", ks->hash[0].name);
    return DDB_OK;
}

/*
 * A condition on a sort attribute needs equalities on every sort attribute before it: "RANGE key
 * attributes a, b must have equality conditions specified in the query because a condition is
 * present on key attribute c" (captured against AWS by paritysuite's multiAttributeGsiKey tests).
 */
static int range_gap_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_key_cond *kc, size_t n)
{
    int last = -1;
    ddb_buf names = {0};
    int missing = 0;

    for (unsigned i = 0; i < ks->nrange; i++)
        if (cond_for(kc, n, ks->range[i].name) != NULL)
            last = (int)i;
    for (int i = 0; i < last; i++) {
        const ddb_key_cond *c = cond_for(kc, n, ks->range[i].name);
        if (c != NULL && c->op == DDB_KC_EQ && !c->not_indexable)
            continue;
        if (missing++)
            ddb_buf_puts(&names, ", ");
        ddb_buf_puts(&names, ks->range[i].name);
    }
    if (missing)
        ddb_req_fail(req, DDB_E_VALIDATION,
                     "RANGE key attributes %.*s must have equality conditions specified in the query because a "
                     "condition is present on key attribute %s",
                     (int)names.len, names.data, ks->range[last].name);
    ddb_buf_free(&names);
    return missing ? req->err.code : DDB_OK;
}

/* Whether any sort attribute of the keyspace has a condition. */
static int any_range_cond(const ddb_keyspace *ks, const ddb_key_cond *kc, size_t n)
{
    for (unsigned i = 0; i < ks->nrange; i++)
        if (cond_for(kc, n, ks->range[i].name) != NULL)
            return 1;
    return 0;
}

/*
 * Multi-attribute keys (GSIs with several partition or sort attributes): every partition
 * attribute with an equality, then the sort attributes from the first, equalities up to the last
 * one named, which may use any key operator.
 */
static int multi_key_conditions_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_key_cond *kc, size_t n,
                                        key_range *kr)
{
    size_t used = 0;

    /* legacy KeyConditions as KeyConditionExpression: the same rules, the same texts */
    if (too_many_conditions_or_fail(req, n, ks->nhash + ks->nrange, 0) != DDB_OK)
        return req->err.code;
    for (unsigned i = 0; i < ks->nhash; i++) {
        const ddb_key_cond *c = cond_for(kc, n, ks->hash[i].name);
        if (c == NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query condition missed key schema element: %s", ks->hash[i].name);
        if (c->not_indexable)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Attempted conditional constraint is not an indexable operation");
        if (c->v[0]->type != ks->hash[i].type)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        if (c->op != DDB_KC_EQ)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
        kr->hash[i] = c;
        used++;
    }
    /* a condition beyond the partition's on no sort attribute: the first sort attribute is
       missing, as a one-attribute sort key's is ("pk = :p AND x = :x": "... element: sk") */
    if (ks->nrange > 0 && n > used && !any_range_cond(ks, kc, n))
        return ddb_req_fail(req, DDB_E_VALIDATION, "Query condition missed key schema element: %s", ks->range[0].name);
    if (range_gap_or_fail(req, ks, kc, n) != DDB_OK)
        return req->err.code;
    for (unsigned i = 0; i < ks->nrange; i++) {
        const ddb_key_cond *c = cond_for(kc, n, ks->range[i].name);
        if (c == NULL)
            break;
        if (c->not_indexable)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Attempted conditional constraint is not an indexable operation");
        if (c->v[0]->type != ks->range[i].type || (c->op == DDB_KC_BETWEEN && c->v[1]->type != ks->range[i].type))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        if (kr->nrange > 0 && kr->range[kr->nrange - 1]->op != DDB_KC_EQ)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
        kr->range[kr->nrange++] = c;
        used++;
    }
    if (used != n) /* a condition on a non-key attribute, or on a sort attribute after a gap */
        return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
    return DDB_OK;
}

static int key_conditions_or_fail(ddb_req *req, const ddb_keyspace *ks, key_range *kr)
{
    const ddb_key_cond *kc = NULL;
    size_t n = req->parsed.key_condition ? ddb_expr_key_conds(req->parsed.key_condition, &kc) : 0;

    memset(kr, 0, sizeof(*kr));
    if (ks->nhash == 1 && ks->nrange <= 1)
        return simple_key_conditions_or_fail(req, ks, kc, n, kr);
    return multi_key_conditions_or_fail(req, ks, kc, n, kr);
}


/* ---- key ranges ---- */

/* The smallest byte string greater than every string that starts with `p` (NULL/0: no bound). */
static char *prefix_end(ddb_arena *a, const char *p, size_t n, size_t *outlen)
{
    char *e = ddb_arena_memdup(a, p, n);

    while (n > 0 && (unsigned char)e[n - 1] == 0xff)
        n--;
    if (n == 0) {
        *outlen = 0;
        return NULL;
    }
    e[n - 1] = (char)((unsigned char)e[n - 1] + 1);
    *outlen = n;
    return e;
}

typedef struct bytes {
    char *p;
    size_t n;
} bytes;

/* partition prefix + key form of v (+ a 0x00 to make an exclusive bound inclusive) */
static bytes with_sort(ddb_arena *a, const ddb_key *pk, const ddb_attr *v, int plus_zero)
{
    const char *form;
    size_t flen;
    bytes b;

    ddb_key_form(a, v, &form, &flen);
    b.n = pk->part_len + flen + (plus_zero ? 1 : 0);
    b.p = ddb_arena_alloc(a, b.n);
    memcpy(b.p, pk->bytes, pk->part_len);
    memcpy(b.p + pk->part_len, form, flen);
    if (plus_zero)
        b.p[b.n - 1] = 0;
    return b;
}

/* The key range of a Query: the partition, narrowed by the sort-key condition. */
static void query_bounds(ddb_arena *a, const ddb_key *pk, const ddb_key_cond *rc, bytes *lo, bytes *hi)
{
    lo->p = pk->bytes;
    lo->n = pk->part_len;
    hi->p = prefix_end(a, pk->bytes, pk->part_len, &hi->n);
    if (rc == NULL)
        return;
    switch (rc->op) {
    case DDB_KC_EQ:
        *lo = with_sort(a, pk, rc->v[0], 0);
        *hi = with_sort(a, pk, rc->v[0], 1);
        break;
    case DDB_KC_LT:
        *hi = with_sort(a, pk, rc->v[0], 0);
        break;
    case DDB_KC_LE:
        *hi = with_sort(a, pk, rc->v[0], 1);
        break;
    case DDB_KC_GT:
        *lo = with_sort(a, pk, rc->v[0], 1);
        break;
    case DDB_KC_GE:
        *lo = with_sort(a, pk, rc->v[0], 0);
        break;
    case DDB_KC_BETWEEN:
        *lo = with_sort(a, pk, rc->v[0], 0);
        *hi = with_sort(a, pk, rc->v[1], 1);
        break;
    case DDB_KC_BEGINS_WITH: {
        bytes b = with_sort(a, pk, rc->v[0], 0);
        *lo = b;
        hi->p = prefix_end(a, b.p, b.n, &hi->n);
        break;
    }
    }
}

static int range_matches(const ddb_key_cond *rc, const ddb_attr *v)
{
    int c0 = ddb_attr_cmp(v, rc->v[0]);

    switch (rc->op) {
    case DDB_KC_EQ:
        return c0 == 0;
    case DDB_KC_LT:
        return c0 < 0;
    case DDB_KC_LE:
        return c0 <= 0;
    case DDB_KC_GT:
        return c0 > 0;
    case DDB_KC_GE:
        return c0 >= 0;
    case DDB_KC_BETWEEN:
        return c0 >= 0 && ddb_attr_cmp(v, rc->v[1]) <= 0;
    case DDB_KC_BEGINS_WITH:
        return v->len >= rc->v[0]->len && memcmp(v->u.s, rc->v[0]->u.s, rc->v[0]->len) == 0;
    }
    return 0;
}

/* The range of an index partition: escaped sort parts (index.h), the last with its operator. */
static void index_bounds(ddb_arena *a, const ddb_key *pk, const key_range *kr, bytes *lo, bytes *hi)
{
    bytes base = {pk->bytes, pk->part_len}, x, y;
    const ddb_key_cond *last = kr->nrange ? kr->range[kr->nrange - 1] : NULL;

    for (unsigned i = 0; i + 1 < kr->nrange; i++) /* the leading equalities narrow the prefix */
        ddb_index_append_sort_part(a, base.p, base.n, kr->range[i]->v[0], 0, &base.p, &base.n);
    *lo = base;
    hi->p = prefix_end(a, base.p, base.n, &hi->n);
    if (last == NULL)
        return;
    ddb_index_append_sort_part(a, base.p, base.n, last->v[0], last->op == DDB_KC_BEGINS_WITH, &x.p, &x.n);
    switch (last->op) {
    case DDB_KC_EQ:
    case DDB_KC_BEGINS_WITH:
        *lo = x;
        hi->p = prefix_end(a, x.p, x.n, &hi->n);
        break;
    case DDB_KC_LT:
        *hi = x;
        break;
    case DDB_KC_LE:
        hi->p = prefix_end(a, x.p, x.n, &hi->n);
        break;
    case DDB_KC_GT:
        lo->p = prefix_end(a, x.p, x.n, &lo->n);
        break;
    case DDB_KC_GE:
        *lo = x;
        break;
    case DDB_KC_BETWEEN:
        *lo = x;
        ddb_index_append_sort_part(a, base.p, base.n, last->v[1], 0, &y.p, &y.n);
        hi->p = prefix_end(a, y.p, y.n, &hi->n);
        break;
    }
}

/* The end of a keyspace: the upper bound of a range that has none below it. */
static bytes keyspace_end(ddb_arena *a, const ddb_keyspace *ks)
{
    char ks_lo[DDB_KEY_TABLE_BYTES], ks_hi[DDB_KEY_TABLE_BYTES];
    bytes b;

    ddb_key_table_range(ks->id, ks_lo, ks_hi);
    b.p = ddb_arena_memdup(a, ks_hi, sizeof(ks_hi));
    b.n = sizeof(ks_hi);
    return b;
}

void ddb_keyspace_partition_range(ddb_arena *a, const ddb_keyspace *ks, const ddb_key *pk, const ddb_key_cond *rc,
                                  const char **lo, size_t *lolen, const char **hi, size_t *hilen)
{
    bytes l, h;

    if (ks->ix == NULL) {
        query_bounds(a, pk, rc, &l, &h);
    } else {
        key_range kr;
        memset(&kr, 0, sizeof(kr));
        kr.range[0] = rc;
        kr.nrange = rc != NULL;
        index_bounds(a, pk, &kr, &l, &h);
    }
    if (h.p == NULL)
        h = keyspace_end(a, ks);
    *lo = l.p;
    *lolen = l.n;
    *hi = h.p;
    *hilen = h.n;
}

/*
 * Whether a start key lies inside the key condition, on a table or an index alike (dynalite's
 * query cases): the sort conditions first, then the partition, which with a sort condition
 * DynamoDB words as a query that cannot be restarted.
 */
static int start_in_bounds_or_fail(ddb_req *req, const ddb_keyspace *ks, const key_range *kr, const ddb_attr *esk)
{
    for (unsigned i = 0; i < kr->nrange; i++) {
        if (!range_matches(kr->range[i], ddb_item_get(esk, ks->range[i].name, ks->range[i].nlen)))
            return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key does not match the range key predicate");
    }
    for (unsigned i = 0; i < ks->nhash; i++) {
        if (ddb_attr_equal(ddb_item_get(esk, ks->hash[i].name, ks->hash[i].nlen), kr->hash[i]->v[0]))
            continue;
        if (kr->nrange > 0)
            return ddb_req_fail(req, DDB_E_VALIDATION, "The query can return at most one row and cannot be restarted");
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "The provided starting key is outside query boundaries based on provided conditions");
    }
    return DDB_OK;
}

/* The partition's key: the table's (with its checks) or the index's. */
static int partition_or_fail(ddb_req *req, const ddb_keyspace *ks, const key_range *kr, ddb_key *pk)
{
    const ddb_attr *vals[DDB_MAX_KEY_PARTS];

    if (ks->ix == NULL)
        return ddb_partition_key_or_fail(req, ks->t, kr->hash[0]->v[0], pk);
    for (unsigned i = 0; i < ks->nhash; i++)
        vals[i] = kr->hash[i]->v[0];
    ddb_index_partition_key(req->arena, req->eng->store, ks->ix, vals, pk);
    return DDB_OK;
}

int ddb_query_key_rules_or_fail(ddb_req *req, const ddb_keyspace *ks)
{
    key_range kr;
    ddb_key pk;

    if (key_conditions_or_fail(req, ks, &kr) != DDB_OK ||
        ddb_nested_key_paths_or_fail(req, ks, req->parsed.projection) != DDB_OK || filter_keys_or_fail(req, ks) != DDB_OK ||
        ddb_nested_key_paths_or_fail(req, ks, req->parsed.filter) != DDB_OK)
        return req->err.code;
    return partition_or_fail(req, ks, &kr, &pk);
}

/* A string's bytes, or NULL. */
static const char *str_of(const ddb_attr *v, size_t *len)
{
    *len = v != NULL && v->type == DDB_T_S ? v->len : 0;
    return v != NULL && v->type == DDB_T_S ? v->u.s : NULL;
}

/* The Query's access pattern (engine/capacity/pattern.h): its partition key value and its (last)
   sort key condition, whose operand's prefix shows for = and begins_with. */
static void note_pattern(ddb_req *req, const ddb_keyspace *ks, const key_range *kr)
{
    const ddb_key_cond *rc = kr->nrange ? kr->range[kr->nrange - 1] : NULL;
    const char *pk, *sk = NULL;
    size_t pklen, sklen = 0;

    pk = str_of(kr->hash[0] != NULL ? kr->hash[0]->v[0] : NULL, &pklen);
    if (rc != NULL && (rc->op == DDB_KC_EQ || rc->op == DDB_KC_BEGINS_WITH))
        sk = str_of(rc->v[0], &sklen);
    ddb_meter_note_pattern(&req->meter, req->arena, ks->t, ks->ix, 1, pk, pklen,
                           rc != NULL ? (int)rc->op : DDB_PATTERN_SK_NONE, sk, sklen);
}

int ddb_op_query(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    const ddb_json *fwd = ddb_json_get(req->in, "ScanIndexForward");
    int reverse = fwd != NULL && fwd->type == DDB_JSON_BOOL && !fwd->u.b;
    ddb_keyspace ks;
    key_range kr;
    ddb_attr *esk;
    ddb_key pk, start;
    bytes lo, hi;
    ddb_page p;
    int rc;

    if (t == NULL || ddb_keyspace_or_fail(req, t, &ks) != DDB_OK || key_conditions_or_fail(req, &ks, &kr) != DDB_OK ||
        ddb_start_key_or_fail(req, &ks, &esk, &start) != DDB_OK)
        return req->err.code;
    if (esk != NULL && start_in_bounds_or_fail(req, &ks, &kr, esk) != DDB_OK)
        return req->err.code;
    if (ddb_nested_key_paths_or_fail(req, &ks, req->parsed.projection) != DDB_OK || filter_keys_or_fail(req, &ks) != DDB_OK ||
        ddb_nested_key_paths_or_fail(req, &ks, req->parsed.filter) != DDB_OK)
        return req->err.code;
    if (partition_or_fail(req, &ks, &kr, &pk) != DDB_OK)
        return req->err.code;
    note_pattern(req, &ks, &kr);
    if (ks.ix == NULL)
        query_bounds(req->arena, &pk, kr.nrange ? kr.range[0] : NULL, &lo, &hi);
    else
        index_bounds(req->arena, &pk, &kr, &lo, &hi);
    if (hi.p == NULL)
        hi = keyspace_end(req->arena, &ks);
    ddb_page_init(&p, req, &ks);
    ddb_page_begin(&p);
    rc = ddb_page_read_range(&p, lo.p, lo.n, hi.p, hi.n, reverse, esk ? start.bytes : NULL,
                             esk ? start.len : 0);
    if (rc < 0 || (rc > 1))
        return req->err.code;
    ddb_page_end(&p);
    return DDB_OK;
}
