/*
 * server/ops/ops_partiql.c: ExecuteStatement, and the statement machinery the batch and
 * transaction forms share (ops_partiql.h).
 *
 * A statement is parsed with its Parameters into expression trees (expr/partiql.h) and then run
 * the way its expression twin runs:
 *   - SELECT reads as Query does when WHERE pins the partition key (`pk = v`, or `pk IN [...]`,
 *     one partition after another), narrowed by a sort-key condition among the top-level
 *     conjuncts, and as Scan does otherwise; the whole WHERE is the filter, and the page loop,
 *     Limit, the 1 MB page and the capacity are Query's and Scan's own (page.h). NextToken
 *     carries the partition and the last key read, bound to the statement and its parameters.
 *   - INSERT, UPDATE and DELETE are one mutation each through the one pipeline
 *     (engine/mutation.h): the key comes from WHERE's equalities, the rest of WHERE is the
 *     condition, INSERT refuses an existing key (DuplicateItemException) and UPDATE a missing
 *     item (ConditionalCheckFailedException), as DynamoDB does.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/ops/ops_partiql.h"
#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/engine/engine.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"
#include "server/engine/read.h"
#include "server/expr/expr.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"
#include "server/ops/page.h"

#define MAX_DECOMPOSED_READS 50

/* ---------------------------------------------------------------- statements */

int ddb_pq_authorize(ddb_req *req, const ddb_pq_stmt *s)
{
    static const char *const actions[] = {
        [DDB_PQ_SELECT] = "PartiQLSelect", [DDB_PQ_INSERT] = "PartiQLInsert", [DDB_PQ_UPDATE] = "PartiQLUpdate",
        [DDB_PQ_DELETE] = "PartiQLDelete", [DDB_PQ_EXISTS] = "PartiQLSelect",
    };

    return req->allow == NULL ? DDB_OK : req->allow(req->auth, req, actions[s->kind], s->table, s->index);
}

int ddb_pq_statement_or_fail(ddb_req *req, const ddb_json *obj, ddb_pq_stmt *s, int *param_error)
{
    const ddb_json *text = ddb_json_get(obj, "Statement"), *params = ddb_json_get(obj, "Parameters");
    uint32_t n = params != NULL && params->type == DDB_JSON_ARRAY ? params->n : 0;
    ddb_attr *vals = DDB_NEW_ARRAY(req->arena, ddb_attr, n ? n : 1);
    const char *msg;

    *param_error = 0;
    for (uint32_t i = 0; i < n; i++) {
        if ((msg = ddb_attr_from_json_as(req->arena, params->u.items[i], req->values, &vals[i])) != NULL) {
            *param_error = 1;
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        }
    }
    if ((msg = ddb_pq_parse(req->arena, text->u.s, text->n, vals, n, s)) != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    return ddb_pq_authorize(req, s);
}

/* ---------------------------------------------------------------- writes */

static const char *key_name(const ddb_table *t, int i)
{
    return i == 0 ? t->hash_key : t->range_key;
}

typedef enum key_pins { KEY_OK, KEY_MISSING, KEY_MULTIPLE } key_pins;

/*
 * The key attributes' values among WHERE's pins: one equality each (the same value twice is
 * fine) into *keyattrs, the conjuncts used into *used, the attribute at fault into *bad.
 */
static key_pins key_of_pins(ddb_arena *a, const ddb_pq_pin *pins, size_t n, const ddb_table *t, ddb_attr *keyattrs,
                            uint64_t *used, const char **bad)
{
    keyattrs->type = DDB_T_M;
    keyattrs->len = 0;
    keyattrs->u.entries = DDB_NEW_ARRAY(a, ddb_entry, 2);
    *used = 0;
    for (int k = 0; k < 2 && key_name(t, k) != NULL; k++) {
        const char *name = key_name(t, k);
        const ddb_attr *v = NULL;
        *bad = name;
        for (size_t i = 0; i < n; i++) {
            if (pins[i].nlen != strlen(name) || memcmp(pins[i].name, name, pins[i].nlen) != 0)
                continue;
            if (pins[i].nv != 1 || (v != NULL && !ddb_attr_equal(v, pins[i].v[0])))
                return KEY_MULTIPLE;
            v = pins[i].v[0];
            if (pins[i].conjunct < 64)
                *used |= 1ULL << pins[i].conjunct;
        }
        if (v == NULL)
            return KEY_MISSING;
        keyattrs->u.entries[keyattrs->len++] = (ddb_entry){name, (uint32_t)strlen(name), *v};
    }
    return KEY_OK;
}

/* The item a write names by WHERE's equalities; the rest of WHERE is its condition. */
static int key_from_where(ddb_req *req, const ddb_pq_stmt *s, const ddb_table *t, int txn, ddb_attr *keyattrs,
                          ddb_key *key, uint64_t *used)
{
    const ddb_pq_pin *pins;
    size_t n = ddb_pq_pins(req->arena, s, &pins);
    const char *msg, *bad;

    key_pins rc = key_of_pins(req->arena, pins, n, t, keyattrs, used, &bad);

    if (rc == KEY_MULTIPLE && !txn)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Multiple conditions on same key %s. Only single item Update/Insert/Delete are supported", bad);
    if (rc != KEY_OK) /* a transaction words both as TransactWriteItems words a bad key */
        return ddb_req_fail_msg(req, DDB_E_VALIDATION,
                                txn ? "The provided key element does not match the schema"
                                    : "Where clause does not contain a mandatory equality on all key attributes");
    if ((msg = ddb_key_param_check(req, t, keyattrs, key)) != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    return DDB_OK;
}

int ddb_pq_mutation_or_fail(ddb_req *req, const ddb_pq_stmt *s, const ddb_table *t, int txn, ddb_mutation *m)
{
    ddb_attr *keyattrs = DDB_NEW(req->arena, ddb_attr);
    ddb_expr *rest;
    uint64_t used;
    ddb_key key;
    const char *msg;

    if (s->index != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "This operation is not supported on an index");
    if (s->kind == DDB_PQ_INSERT) {
        if (ddb_item_key_or_fail(req, t, s->item, &key) != DDB_OK)
            return req->err.code;
        if (ddb_item_size(s->item) > DDB_MAX_ITEM_SIZE)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
        ddb_mutation_init(m, DDB_MUT_PUT, t, &key);
        m->item = s->item;
        m->insert = 1;
        m->request = DDB_REQUEST_ONE;
        m->repl_hold_ms = req->fault_repl_hold_ms;
        return DDB_OK;
    }
    if (key_from_where(req, s, t, txn, keyattrs, &key, &used) != DDB_OK)
        return req->err.code;
    rest = ddb_pq_where_without(req->arena, s, used);
    switch (s->kind) {
    case DDB_PQ_UPDATE:
        if ((msg = ddb_update_key_target_check(req->arena, t, s->update)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        ddb_mutation_init(m, DDB_MUT_UPDATE, t, &key);
        m->update = s->update;
        m->condition = ddb_pq_require_item(req->arena, rest, t->hash_key); /* UPDATE never creates */
        break;
    case DDB_PQ_DELETE:
        ddb_mutation_init(m, DDB_MUT_DELETE, t, &key);
        m->condition = ddb_pq_if_item(req->arena, rest, t->hash_key); /* no item: 0 deleted */
        break;
    default: /* EXISTS(SELECT ...): the item is there and the rest of WHERE holds */
        if (rest == NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "EXISTS() must contain a single item read with additional condition");
        ddb_mutation_init(m, DDB_MUT_CHECK, t, &key);
        m->condition = ddb_pq_require_item(req->arena, rest, t->hash_key);
        break;
    }
    m->keyattrs = keyattrs;
    m->request = DDB_REQUEST_ONE;
    m->repl_hold_ms = req->fault_repl_hold_ms;
    m->need_old = s->returning != DDB_PQ_RET_NONE;
    return DDB_OK;
}

const ddb_attr *ddb_pq_returned(ddb_req *req, const ddb_pq_stmt *s, const ddb_mutation *m)
{
    ddb_attr *out = DDB_NEW(req->arena, ddb_attr);
    const ddb_attr *v = NULL;

    switch (s->returning) {
    case DDB_PQ_RET_ALL_OLD:
        v = m->out.had_old ? &m->out.old : NULL;
        break;
    case DDB_PQ_RET_ALL_NEW:
        v = m->out.has_new ? &m->out.new_item : NULL;
        break;
    case DDB_PQ_RET_MODIFIED_OLD:
        if (m->out.had_old) {
            ddb_expr_project_updated(req->arena, m->update, &m->out.old, out);
            v = out;
        }
        break;
    case DDB_PQ_RET_MODIFIED_NEW:
        if (m->out.has_new) {
            ddb_expr_project_updated(req->arena, m->update, &m->out.new_item, out);
            v = out;
        }
        break;
    default:
        break;
    }
    return v != NULL && v->len > 0 ? v : NULL;
}

static int execute_write(ddb_req *req, const ddb_pq_stmt *s, const ddb_table *t)
{
    const char *rvf = ddb_json_get_str(req->in, "ReturnValuesOnConditionCheckFailure");
    ddb_consumed used = {.t = t};
    const ddb_attr *ret;
    ddb_mutation m;
    ddb_jw *w = &req->out;

    if (ddb_pq_mutation_or_fail(req, s, t, 0, &m) != DDB_OK)
        return req->err.code;
    m.old_on_failure = rvf != NULL && strcmp(rvf, "ALL_OLD") == 0;
    m.single_write = 1;
    if (ddb_mutate(req->eng, req->arena, &m) != DDB_OK) {
        req->err = m.out.err;
        return req->err.code;
    }
    ret = ddb_pq_returned(req, s, &m);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Items");
    ddb_jw_arr_begin(w);
    if (ret != NULL)
        ddb_item_write_json(w, ret);
    ddb_jw_arr_end(w);
    ddb_consumed_add(&used, m.t, ddb_mutation_table_units(&m), m.out.index_units);
    ddb_consumed_write(req, req->rcc, &used);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---------------------------------------------------------------- single-item reads */

int ddb_pq_single_item_key(ddb_req *req, const ddb_pq_stmt *s, const ddb_table *t, ddb_key *key)
{
    const ddb_pq_pin *pins;
    size_t n = ddb_pq_pins(req->arena, s, &pins);
    ddb_attr keyattrs;
    uint64_t used;
    const char *msg, *bad;

    if (s->index != NULL || s->where == NULL || n != ddb_pq_nconjuncts(s) ||
        key_of_pins(req->arena, pins, n, t, &keyattrs, &used, &bad) != KEY_OK)
        return -1;
    for (size_t i = 0; i < n; i++) /* nothing but the key */
        if (ddb_item_get(&keyattrs, pins[i].name, pins[i].nlen) == NULL)
            return -1;
    if ((msg = ddb_key_param_check(req, t, &keyattrs, key)) != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg), -2;
    return 0;
}

/* ---------------------------------------------------------------- SELECT */

typedef struct sel {
    ddb_req *req;
    const ddb_pq_stmt *s;
    const ddb_table *t;
    ddb_keyspace ks;
    ddb_req sub;              /* the request as Query and Scan see it (IndexName, Limit, ConsistentRead) */
    const ddb_attr **parts;   /* partition key values to read, in order; NULL: a scan */
    uint32_t nparts;
    ddb_key_cond rc;          /* the sort-key range, when has_rc */
    int has_rc;
    int reverse;              /* sort key descending */
} sel;

static ddb_json *json_str(ddb_arena *a, const char *s)
{
    ddb_json *j = DDB_NEW(a, ddb_json);

    j->type = DDB_JSON_STRING;
    j->u.s = s;
    j->n = (uint32_t)strlen(s);
    return j;
}

/* The members of the request a Query or Scan reads, for the page loop and the keyspace checks. */
static const ddb_json *sub_request(ddb_arena *a, const ddb_json *in, const char *index)
{
    ddb_json *o = DDB_NEW(a, ddb_json);
    static const char *const copy[] = {"Limit", "ConsistentRead", "ReturnConsumedCapacity"};

    o->type = DDB_JSON_OBJECT;
    o->u.members = DDB_NEW_ARRAY(a, ddb_json_member, 4);
    for (size_t i = 0; i < 3; i++) {
        const ddb_json *v = ddb_json_get(in, copy[i]);
        if (v != NULL)
            o->u.members[o->n++] = (ddb_json_member){copy[i], (uint32_t)strlen(copy[i]), (ddb_json *)v};
    }
    if (index != NULL)
        o->u.members[o->n++] = (ddb_json_member){"IndexName", 9, json_str(a, index)};
    return o;
}

static int consistent_read(const ddb_json *in)
{
    const ddb_json *cr = ddb_json_get(in, "ConsistentRead");

    return cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
}

/* The table and the keyspace (table or index) a SELECT reads, with DynamoDB's PartiQL wording. */
static int select_keyspace(sel *x)
{
    ddb_req *req = x->req;
    const ddb_index *ix;

    if ((x->t = ddb_table_or_fail(req, x->s->table, 0)) == NULL)
        return req->err.code;
    if (x->s->index != NULL) {
        if ((ix = ddb_table_index(x->t, x->s->index)) == NULL || ix->state == DDB_IX_DELETING)
            return ddb_req_fail(req, DDB_E_VALIDATION, "The table does not have the specified index");
        if (ix->kind == DDB_IX_VECTOR) /* (captured: docs/compatibility.md) */
            return ddb_req_fail(req, DDB_E_VALIDATION, "Scan operation not supported on this index type");
        if (ix->kind == DDB_IX_GLOBAL && consistent_read(req->in))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Strongly consistent read is not supported on Global Secondary Indexes");
    }
    x->sub = *req;
    x->sub.in = sub_request(req->arena, req->in, x->s->index);
    x->sub.op = DDB_OP_Query;
    memset(&x->sub.parsed, 0, sizeof(x->sub.parsed));
    x->sub.parsed.filter = x->s->where;
    x->sub.parsed.projection = x->s->projection;
    if (ddb_keyspace_or_fail(&x->sub, x->t, &x->ks) != DDB_OK) {
        req->err = x->sub.err;
        return req->err.code;
    }
    if (x->ks.nhash > 1 || x->ks.nrange > 1)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "PartiQL statements cannot be executed on tables with multi-attribute HASH keys or "
                            "multi-attribute RANGE keys.");
    return DDB_OK;
}

static int part_cmp(const void *a, const void *b)
{
    return ddb_attr_cmp(*(const ddb_attr *const *)a, *(const ddb_attr *const *)b);
}

/* The partitions WHERE pins: an equality, or the values of an IN (each read in turn). */
static int select_partitions(sel *x)
{
    ddb_req *req = x->req;
    const ddb_key_part *hk = &x->ks.hash[0];
    const ddb_pq_pin *pins, *pick = NULL;
    size_t n = ddb_pq_pins(req->arena, x->s, &pins);

    for (size_t i = 0; i < n; i++) {
        if (pins[i].nlen != hk->nlen || memcmp(pins[i].name, hk->name, hk->nlen) != 0)
            continue;
        for (uint32_t k = 0; k < pins[i].nv; k++)
            if (pins[i].v[k]->type != hk->type)
                return ddb_req_fail(req, DDB_E_VALIDATION,
                                    "Key attribute's data type should match its data type in table's schema: Key %s",
                                    hk->name);
        if (pick == NULL || (pick->in && !pins[i].in))
            pick = &pins[i];
    }
    if (pick == NULL)
        return DDB_OK;
    if (pick->nv > MAX_DECOMPOSED_READS)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Too many decomposed read operations for a given query.");
    x->parts = ddb_arena_memdup(req->arena, pick->v, sizeof(pick->v[0]) * pick->nv);
    x->nparts = pick->nv;
    qsort(x->parts, x->nparts, sizeof(x->parts[0]), part_cmp);
    for (uint32_t i = 1; i < x->nparts; i++)
        if (ddb_attr_equal(x->parts[i - 1], x->parts[i]))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Overlapping conditions with range keys are not supported in where clause");
    return DDB_OK;
}

/*
 * A read of an index partition filters on the index's own entries: an attribute the index does not
 * project cannot be filtered on ("Secondary index X does not project one or more filter
 * attributes: [a, b]", each attribute once, in statement order). A scan of an index just sees the
 * attribute absent.
 */
static int select_filter_projected(sel *x)
{
    const char *names;

    if (x->ks.ix == NULL || x->parts == NULL || x->ks.ix->projection == DDB_PROJ_ALL ||
        (names = ddb_unprojected(x->req->arena, x->t, x->ks.ix, x->s->where)) == NULL)
        return DDB_OK;
    return ddb_req_fail(x->req, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Secondary index %s does not project one or more "
                        "filter attributes: [%s]",
                        x->ks.ix->name, names);
}

static int is_part(const ddb_key_part *k, unsigned n, const char *name)
{
    return n > 0 && strcmp(k[0].name, name) == 0;
}

/* ORDER BY: key attributes only, a pinned partition, and the partition key first when several are read. */
static int select_order(sel *x)
{
    const ddb_pq_stmt *s = x->s;
    int hash_desc = 0;

    if (s->norder == 0)
        return DDB_OK;
    if (s->where == NULL)
        return ddb_req_fail(x->req, DDB_E_VALIDATION, "Must have WHERE clause in the statement when using ORDER BY clause.");
    for (uint32_t i = 0; i < s->norder; i++) {
        if (is_part(x->ks.hash, x->ks.nhash, s->order[i]))
            hash_desc = s->order_desc[i];
        else if (is_part(x->ks.range, x->ks.nrange, s->order[i]))
            x->reverse = s->order_desc[i];
        else
            return ddb_req_fail(x->req, DDB_E_VALIDATION, "Attribute %s in ORDER BY clause must be part of the primary key",
                                s->order[i]);
    }
    if (x->parts == NULL)
        return ddb_req_fail(x->req, DDB_E_VALIDATION,
                            "Must have at least one non-optional hash key condition in WHERE clause when using ORDER BY "
                            "clause.");
    if (x->nparts > 1 && !is_part(x->ks.hash, x->ks.nhash, s->order[0]))
        return ddb_req_fail(x->req, DDB_E_VALIDATION,
                            "Must have hash key in ORDER BY clause when more than one hash key condition specified in "
                            "WHERE clause.");
    for (uint32_t i = 0; hash_desc && i < x->nparts / 2; i++) {
        const ddb_attr *tmp = x->parts[i];
        x->parts[i] = x->parts[x->nparts - 1 - i];
        x->parts[x->nparts - 1 - i] = tmp;
    }
    return DDB_OK;
}

/* A sort-key condition among the conjuncts narrows each partition's range, as a key condition would. */
static void select_range(sel *x)
{
    const ddb_key_part *rk = &x->ks.range[0];

    if (x->ks.nrange != 1 || !ddb_pq_range_cond(x->s, rk->name, &x->rc))
        return;
    if (x->rc.v[0]->type != rk->type || (x->rc.op == DDB_KC_BETWEEN && x->rc.v[1]->type != rk->type) ||
        (x->rc.op == DDB_KC_BEGINS_WITH && rk->type == DDB_T_N))
        return;
    if (x->rc.op == DDB_KC_BETWEEN && ddb_attr_cmp(x->rc.v[0], x->rc.v[1]) > 0)
        return; /* an empty range: the filter answers it */
    x->has_rc = 1;
}

/* ---- NextToken: the partition and last key of a page, bound to its statement ---- */

static uint64_t statement_digest(const ddb_req *req)
{
    const ddb_json *text = ddb_json_get(req->in, "Statement"), *params = ddb_json_get(req->in, "Parameters");
    ddb_buf b = {0};
    ddb_jw w;
    uint64_t h = 1469598103934665603ULL;

    ddb_jw_init(&w, &b);
    ddb_jw_arr_begin(&w);
    ddb_jw_json(&w, text);
    if (params != NULL)
        ddb_jw_json(&w, params);
    ddb_jw_arr_end(&w);
    for (size_t i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.data[i]) * 1099511628211ULL;
    ddb_buf_free(&b);
    return h;
}

static void write_next_token(sel *x, const ddb_page *p, uint32_t part)
{
    ddb_buf b = {0};
    ddb_jw w;
    char *out, hex[17];
    size_t olen;

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)statement_digest(x->req));
    ddb_jw_key(&w, "h");
    ddb_jw_str(&w, hex);
    ddb_jw_key(&w, "p");
    ddb_jw_int(&w, part);
    ddb_jw_key(&w, "k");
    ddb_item_write_json(&w, &p->last);
    ddb_jw_obj_end(&w);
    olen = sodium_base64_encoded_len(b.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out = ddb_arena_alloc(x->req->arena, olen);
    sodium_bin2base64(out, olen, (const unsigned char *)b.data, b.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    ddb_buf_free(&b);
    ddb_jw_key(&x->req->out, "NextToken");
    ddb_jw_str(&x->req->out, out);
}

/* Where a NextToken says to go on: *part, and the key after which to read (*start, *has_start). */
static int read_next_token(sel *x, uint32_t *part, ddb_key *start, int *has_start)
{
    ddb_req *req = x->req;
    const char *tok = ddb_json_get_str(req->in, "NextToken");
    unsigned char *bin;
    size_t blen, cap;
    const ddb_json *j, *h, *pj;
    char want[17];
    ddb_attr esk;

    *part = 0;
    *has_start = 0;
    if (tok == NULL)
        return DDB_OK;
    cap = strlen(tok);
    bin = ddb_arena_alloc(req->arena, cap + 1);
    if (sodium_base642bin(bin, cap, tok, strlen(tok), NULL, &blen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        (j = ddb_json_parse(req->arena, (const char *)bin, blen)) == NULL || j->type != DDB_JSON_OBJECT ||
        (h = ddb_json_get(j, "h")) == NULL || h->type != DDB_JSON_STRING || (pj = ddb_json_get(j, "p")) == NULL ||
        pj->type != DDB_JSON_NUMBER || ddb_item_from_json_as(req->arena, ddb_json_get(j, "k"), req->values, &esk) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid NextToken");
    snprintf(want, sizeof(want), "%016llx", (unsigned long long)statement_digest(req));
    if (strcmp(h->u.s, want) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "NextToken does not match request");
    *part = (uint32_t)strtoul(pj->u.s, NULL, 10);
    if ((x->parts != NULL && *part >= x->nparts) || ddb_keyspace_start_key(&x->sub, &x->ks, &esk, start) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid NextToken");
    *has_start = 1;
    return DDB_OK;
}

static void project_statement(ddb_arena *a, const void *ctx, const ddb_attr *item, ddb_attr *out)
{
    ddb_pq_project(a, ctx, item, out);
}

/* Reads the partitions (or the keyspace) into one page; *last_part is the partition of the last key read. */
static int select_read(sel *x, ddb_page *p, uint32_t part, const ddb_key *start, int has_start, uint32_t *last_part)
{
    const char *after = has_start ? start->bytes : NULL;
    size_t afterlen = has_start ? start->len : 0;
    int rc = 0;

    *last_part = part;
    if (x->parts == NULL) {
        char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
        ddb_key_table_range(x->ks.id, lo, hi);
        return ddb_page_read_range(p, lo, sizeof(lo), hi, sizeof(hi), 0, after, afterlen);
    }
    for (; part < x->nparts; part++) {
        const char *lo, *hi;
        size_t lolen, hilen, before = p->scanned;
        ddb_key pk;
        const ddb_attr *v = x->parts[part];
        if (x->ks.ix == NULL) {
            if (ddb_partition_key_or_fail(&x->sub, x->t, v, &pk) != DDB_OK) {
                x->req->err = x->sub.err;
                return x->req->err.code;
            }
        } else {
            ddb_index_partition_key(x->req->arena, x->req->eng->store, x->ks.ix, &v, &pk);
        }
        ddb_keyspace_partition_range(x->req->arena, &x->ks, &pk, x->has_rc ? &x->rc : NULL, &lo, &lolen, &hi, &hilen);
        rc = ddb_page_read_range(p, lo, lolen, hi, hilen, x->reverse, after, afterlen);
        if (p->scanned > before)
            *last_part = part;
        if (rc != 0)
            return rc;
        after = NULL;
        afterlen = 0;
    }
    return 0;
}

/*
 * A SELECT that names one item of the table by its whole key reads it as GetItem does (a point
 * read, served by the row cache), then filters it with the rest of WHERE: the same answer and
 * units as the one-item Query it stands for, without a range scan.
 */
static int select_one_item(sel *x)
{
    ddb_req *req = x->req;
    ddb_attr keyattrs = {.type = DDB_T_M}, item, out;
    const char *msg;
    size_t size;
    int found;
    ddb_key key;
    ddb_consumed used = {.t = x->t};
    ddb_jw *w = &req->out;

    keyattrs.u.entries = DDB_NEW_ARRAY(req->arena, ddb_entry, 2);
    keyattrs.u.entries[keyattrs.len++] = (ddb_entry){x->t->hash_key, (uint32_t)strlen(x->t->hash_key), *x->parts[0]};
    if (x->t->range_key != NULL)
        keyattrs.u.entries[keyattrs.len++] = (ddb_entry){x->t->range_key, (uint32_t)strlen(x->t->range_key), *x->rc.v[0]};
    if ((msg = ddb_key_param_check(req, x->t, &keyattrs, &key)) != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    if (ddb_read_throttled_or_fail(req, x->t, NULL, key.bytes, key.len) != DDB_OK)
        return req->err.code;
    if (ddb_read_table_item(req->eng, req->arena, x->t, consistent_read(req->in), &key, &item, &size, &found,
                            &req->drawn) != 0)
        return ddb_req_fail_internal(req);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Items");
    ddb_jw_arr_begin(w);
    if (found && ddb_expr_eval_condition(x->s->where, &item)) {
        ddb_pq_project(req->arena, x->s, &item, &out);
        ddb_item_write_json(w, &out);
    }
    ddb_jw_arr_end(w);
    used.table = ddb_read_units(size, consistent_read(req->in));
    ddb_partition_record(req, x->t, NULL, 0, key.bytes, key.len, used.table);
    ddb_consumed_write(req, req->rcc, &used);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

static int execute_select(ddb_req *req, const ddb_pq_stmt *s)
{
    sel x = {.req = req, .s = s};
    uint32_t part, last_part;
    ddb_key start;
    int has_start, rc;
    ddb_page p;
    ddb_consumed used;

    if (select_keyspace(&x) != DDB_OK || select_partitions(&x) != DDB_OK || select_filter_projected(&x) != DDB_OK ||
        select_order(&x) != DDB_OK)
        return req->err.code;
    select_range(&x);
    if (x.ks.ix == NULL && x.nparts == 1 && (x.t->range_key == NULL || (x.has_rc && x.rc.op == DDB_KC_EQ)) &&
        ddb_json_get(req->in, "NextToken") == NULL)
        return select_one_item(&x);
    if (read_next_token(&x, &part, &start, &has_start) != DDB_OK)
        return req->err.code;
    ddb_page_init(&p, &x.sub, &x.ks);
    p.project = project_statement;
    p.project_ctx = s;
    ddb_page_begin(&p);
    rc = select_read(&x, &p, part, &start, has_start, &last_part);
    req->meter = x.sub.meter; /* the partitions the page read (ddb_page_read_range recorded them there) */
    if (rc < 0 || rc > 1) {
        if (req->err.code == DDB_OK)
            req->err = x.sub.err;
        return req->err.code;
    }
    ddb_page_close_items(&p);
    req->out = x.sub.out;
    if (ddb_page_more(&p))
        write_next_token(&x, &p, last_part);
    ddb_page_consumed(&p, &used);
    ddb_consumed_write(req, req->rcc, &used);
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}

/* ---------------------------------------------------------------- ExecuteStatement */

int ddb_op_execute_statement(ddb_req *req)
{
    ddb_pq_stmt s;
    const ddb_table *t;
    int param_error;

    if (ddb_pq_statement_or_fail(req, req->in, &s, &param_error) != DDB_OK)
        return req->err.code;
    if (s.kind == DDB_PQ_SELECT)
        return execute_select(req, &s);
    if (s.kind == DDB_PQ_EXISTS)
        return ddb_req_fail(req, DDB_E_VALIDATION, "EXISTS can only be used in ExecuteTransaction write requests.");
    if ((t = ddb_table_or_fail(req, s.table, 0)) == NULL)
        return req->err.code;
    return execute_write(req, &s, t);
}
