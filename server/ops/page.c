/*
 * server/ops/page.c: keyspaces and the page loop shared by Query and Scan (see page.h).
 */
#include "server/ops/page.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/engine/engine.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"
#include "server/engine/read.h"

#define PAGE_LIMIT_BYTES (1024 * 1024)

/* ---- DynamoDB's page-size measure (dynalite's compressed itemSize, measured against DynamoDB) ---- */

static size_t stored_size(const ddb_attr *v, int compress);

static size_t value_size(const ddb_attr *v, int compress)
{
    size_t n = 3;

    switch (v->type) {
    case DDB_T_L:
        for (uint32_t i = 0; i < v->len; i++)
            n += 1 + stored_size(&v->u.items[i], compress);
        return n;
    case DDB_T_M:
        n += v->len;
        for (uint32_t i = 0; i < v->len; i++)
            n += stored_size(&v->u.entries[i].val, compress) + (compress ? 1 : v->u.entries[i].nlen);
        return n;
    default:
        return ddb_attr_size(v);
    }
}

static size_t stored_size(const ddb_attr *v, int compress)
{
    size_t n = value_size(v, compress);

    if (!compress)
        return n;
    switch (v->type) {
    case DDB_T_S:
        return n + (n < 128 ? 1 : n < 16384 ? 2 : 3);
    case DDB_T_B:
    case DDB_T_N:
        return n + 1;
    case DDB_T_SS:
    case DDB_T_NS:
    case DDB_T_BS:
        return n + v->len + 1;
    case DDB_T_NULL:
        return 0;
    case DDB_T_BOOL:
        return 1;
    default:
        return n;
    }
}

static size_t page_item_size(const ddb_attr *item, const char *range_key)
{
    size_t size = 0, rk = 0, rklen = range_key ? strlen(range_key) : 0;

    for (uint32_t i = 0; i < item->len; i++) {
        const ddb_entry *e = &item->u.entries[i];
        if (range_key != NULL && e->nlen == rklen && memcmp(e->name, range_key, rklen) == 0)
            rk = stored_size(&e->val, 0);
        else
            size += stored_size(&e->val, 1) + 1;
    }
    return 2 + size + (1 + (1 + size) / 3072) * (18 + rk);
}

/* ---- keyspaces ---- */

static void keyspace_of_table(ddb_keyspace *ks, const ddb_table *t)
{
    memset(ks, 0, sizeof(*ks));
    ks->t = t;
    ks->id = t->id;
    ks->hash[0] = (ddb_key_part){t->hash_key, (uint32_t)strlen(t->hash_key), t->hash_type};
    ks->nhash = 1;
    if (t->range_key != NULL) {
        ks->range[0] = (ddb_key_part){t->range_key, (uint32_t)strlen(t->range_key), t->range_type};
        ks->nrange = 1;
    }
}

static void keyspace_of_index(ddb_keyspace *ks, const ddb_table *t, const ddb_index *ix)
{
    memset(ks, 0, sizeof(*ks));
    ks->t = t;
    ks->ix = ix;
    ks->id = ix->id;
    memcpy(ks->hash, ix->hash, sizeof(ix->hash));
    ks->nhash = ix->nhash;
    memcpy(ks->range, ix->range, sizeof(ix->range));
    ks->nrange = ix->nrange;
}

int ddb_keyspace_is_key(const ddb_keyspace *ks, const char *name, uint32_t nlen)
{
    for (unsigned i = 0; i < ks->nhash; i++)
        if (ks->hash[i].nlen == nlen && memcmp(ks->hash[i].name, name, nlen) == 0)
            return 1;
    for (unsigned i = 0; i < ks->nrange; i++)
        if (ks->range[i].nlen == nlen && memcmp(ks->range[i].name, name, nlen) == 0)
            return 1;
    return 0;
}

const char *ddb_unprojected(ddb_arena *a, const ddb_table *t, const ddb_index *ix, const ddb_expr *e)
{
    const ddb_expr_path_ref *paths;
    size_t n = e ? ddb_expr_paths(e, &paths) : 0;
    ddb_buf names = {0};
    const char *out = NULL;
    int missing = 0;

    for (size_t i = 0; i < n; i++) {
        int seen = 0;
        if (ddb_index_projects(t, ix, paths[i].name, paths[i].nlen))
            continue;
        for (size_t k = 0; k < i && !seen; k++) /* each attribute once, in request order */
            seen = paths[k].nlen == paths[i].nlen && memcmp(paths[k].name, paths[i].name, paths[i].nlen) == 0;
        if (seen)
            continue;
        if (missing++)
            ddb_buf_puts(&names, ", ");
        ddb_buf_append(&names, paths[i].name, paths[i].nlen);
    }
    if (missing)
        out = ddb_arena_strndup(a, names.data, names.len);
    ddb_buf_free(&names);
    return out;
}

/* "Global secondary index X does not project [a, b]": a GSI cannot read the table's item. */
static int not_projected_or_fail(ddb_req *req, const ddb_table *t, const ddb_index *ix)
{
    const char *names = ddb_unprojected(req->arena, t, ix, req->parsed.projection);

    if (names == NULL)
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_VALIDATION,
                        "One or more parameter values were invalid: Global secondary index %s does not project [%s]",
                        ix->name, names);
}

/*
 * Whether index ix, backfilling in this gateway's copy of t, is built in the stored description:
 * another gateway's backfill finished, its announcement still on its way (ddb_catalog_confirm;
 * docs/scale-out.md). Its entries are in the store, and its id, keys and projection are the same
 * from one version to the next, so the read goes on with this copy's. One metadata read, on the
 * way to a refusal only; one process: never.
 */
static int built_elsewhere(ddb_req *req, const ddb_table *t, const ddb_index *ix)
{
    const ddb_table *now = ddb_catalog_confirm(req->eng->catalog, t->key);
    const ddb_index *nix;

    if (now == NULL || now == t || now->id != t->id || (nix = ddb_table_index(now, ix->name)) == NULL)
        return 0;
    return nix->id == ix->id && nix->state == DDB_IX_ACTIVE && !ddb_backfilling_now(req->eng, now, nix);
}

int ddb_keyspace_or_fail(ddb_req *req, const ddb_table *t, ddb_keyspace *ks)
{
    const char *name = ddb_json_get_str(req->in, "IndexName");
    const char *select = ddb_json_get_str(req->in, "Select");
    const ddb_json *cr = ddb_json_get(req->in, "ConsistentRead");
    const ddb_index *ix;

    keyspace_of_table(ks, t);
    if (name == NULL)
        return DDB_OK;
    if ((ix = ddb_table_index(t, name)) == NULL || ix->state == DDB_IX_DELETING) {
        if (ddb_json_get(req->in, "ExclusiveStartKey") != NULL && req->op == DDB_OP_Scan)
            return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key is invalid");
        return ddb_req_fail(req, DDB_E_VALIDATION, "The table does not have the specified index: %s", name);
    }
    /* vector indexes are read by SearchVectors only (captured texts: docs/compatibility.md); a Query's
       key condition and ConsistentRead are checked first, a Scan's ConsistentRead after */
    if (ix->kind == DDB_IX_VECTOR && req->op == DDB_OP_Scan)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Scan operation not supported on this index type");
    if (ix->kind == DDB_IX_VECTOR && cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Consistent reads are not supported on global secondary indexes");
    if (ix->kind == DDB_IX_VECTOR)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Query operation not supported on this index type.");
    if (ix->kind == DDB_IX_GLOBAL) {
        if (cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Consistent reads are not supported on global secondary indexes");
        if (select != NULL && strcmp(select, "ALL_ATTRIBUTES") == 0 && ix->projection != DDB_PROJ_ALL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported "
                                "for global secondary index %s because its projection type is not ALL",
                                name);
    }
    if (ix->kind == DDB_IX_GLOBAL && not_projected_or_fail(req, t, ix) != DDB_OK)
        return req->err.code;
    if (ddb_backfilling_now(req->eng, t, ix) && !built_elsewhere(req, t, ix)) /* built, or still due by --table-states' clock */
        return ddb_req_fail(req, DDB_E_VALIDATION, "Cannot read from backfilling %s secondary index: %s",
                            ix->kind == DDB_IX_GLOBAL ? "global" : "local", name); /* LSIs: after a format-1 upgrade */
    keyspace_of_index(ks, t, ix);
    return DDB_OK;
}

int ddb_nested_key_paths_or_fail(ddb_req *req, const ddb_keyspace *ks, const ddb_expr *e)
{
    const ddb_expr_path_ref *paths;
    size_t n = e ? ddb_expr_paths(e, &paths) : 0;

    for (size_t i = 0; i < n; i++) {
        if (paths[i].depth > 1 && ddb_keyspace_is_key(ks, paths[i].name, paths[i].nlen))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                                "allowed: Key: %.*s",
                                (int)paths[i].nlen, paths[i].name);
    }
    return DDB_OK;
}

/* The table's key attributes of an item (an index entry or an index's start key carries more). */
static void table_key_of(ddb_arena *a, const ddb_table *t, const ddb_attr *item, ddb_attr *out)
{
    const char *names[2] = {t->hash_key, t->range_key};

    out->type = DDB_T_M;
    out->len = 0;
    out->u.entries = DDB_NEW_ARRAY(a, ddb_entry, 2);
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        const ddb_attr *v = ddb_item_get(item, names[i], strlen(names[i]));
        if (v != NULL)
            out->u.entries[out->len++] = (ddb_entry){names[i], (uint32_t)strlen(names[i]), *v};
    }
}

const char *ddb_keyspace_start_key(ddb_req *req, const ddb_keyspace *ks, const ddb_attr *esk, ddb_key *out)
{
    const ddb_table *t = ks->t;
    ddb_attr tkey;
    ddb_key base;
    const char *msg;

    if (ks->ix != NULL)
        table_key_of(req->arena, t, esk, &tkey);
    if ((msg = ddb_key_param_check(req, t, ks->ix != NULL ? &tkey : esk, &base)) != NULL)
        return msg;
    if (ks->ix == NULL) {
        *out = base;
        return NULL;
    }
    if (ddb_index_entry_key(req->arena, req->eng->store, ks->ix, esk, &base, out) != 0)
        return "The provided key element does not match the schema";
    return NULL;
}

/* Whether every attribute an expression reads is projected into the index (LSI reads fetch the rest). */
static int reads_only_projected(const ddb_keyspace *ks, const ddb_expr *e)
{
    const ddb_expr_path_ref *paths;
    size_t n = e ? ddb_expr_paths(e, &paths) : 0;

    for (size_t i = 0; i < n; i++) {
        if (!ddb_index_projects(ks->t, ks->ix, paths[i].name, paths[i].nlen))
            return 0;
    }
    return 1;
}

/* ---- the page loop ---- */

static void add_key_name(ddb_page *p, const char *name)
{
    for (unsigned i = 0; i < p->nkey_names; i++)
        if (strcmp(p->key_names[i], name) == 0)
            return;
    p->key_names[p->nkey_names++] = name;
}

void ddb_page_init(ddb_page *p, ddb_req *req, const ddb_keyspace *ks)
{
    const ddb_json *limit = ddb_json_get(req->in, "Limit");
    const ddb_json *cr = ddb_json_get(req->in, "ConsistentRead");
    const char *select = ddb_json_get_str(req->in, "Select");

    memset(p, 0, offsetof(ddb_page, last_bytes));
    p->req = req;
    p->ks = ks;
    p->limit = ddb_json_integer(limit, 0);
    p->consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    p->count_only = select != NULL && strcmp(select, "COUNT") == 0;
    p->filter = req->parsed.filter;
    p->projection = req->parsed.projection;
    /* LastEvaluatedKey: the table's key, then the index's */
    add_key_name(p, ks->t->hash_key);
    if (ks->t->range_key != NULL)
        add_key_name(p, ks->t->range_key);
    for (unsigned i = 0; ks->ix != NULL && i < ks->nhash; i++)
        add_key_name(p, ks->hash[i].name);
    for (unsigned i = 0; ks->ix != NULL && i < ks->nrange; i++)
        add_key_name(p, ks->range[i].name);
    /* an LSI answers for attributes it does not project by reading the table's item (DynamoDB
       charges that read to the table); a GSI cannot, so they are simply absent there */
    if (ks->ix != NULL && ks->ix->kind == DDB_IX_LOCAL && ks->ix->projection != DDB_PROJ_ALL)
        p->fetch_base = (select != NULL && strcmp(select, "ALL_ATTRIBUTES") == 0) ||
                        !reads_only_projected(ks, p->projection) || !reads_only_projected(ks, p->filter);
}

static int page_full(const ddb_page *p)
{
    return (p->limit > 0 && (long)p->scanned >= p->limit) || p->size >= PAGE_LIMIT_BYTES;
}

static void remember_last(ddb_page *p, const ddb_attr *item)
{
    size_t used = 0;

    p->last.type = DDB_T_M;
    p->last.len = 0;
    p->last.u.entries = p->last_keys;
    for (unsigned i = 0; i < p->nkey_names; i++) {
        size_t nlen = strlen(p->key_names[i]);
        const ddb_attr *v = ddb_item_get(item, p->key_names[i], nlen);
        ddb_entry *e;
        if (v == NULL || v->len > sizeof(p->last_bytes) - used)
            continue;
        e = &p->last_keys[p->last.len++];
        e->name = p->key_names[i];
        e->nlen = (uint32_t)nlen;
        e->val = *v;
        memcpy(p->last_bytes + used, v->u.s, v->len);
        e->val.u.s = p->last_bytes + used;
        used += v->len;
    }
    p->has_last = 1;
}

/* The table's item behind an LSI entry (NULL if it vanished between the two reads). */
static int fetch_base(ddb_page *p, const ddb_attr *entry, ddb_attr *item, int *found)
{
    ddb_req *req = p->req;
    ddb_key key;
    size_t size;
    ddb_attr tkey;

    *found = 0;
    table_key_of(req->arena, p->ks->t, entry, &tkey);
    if (ddb_key_param_check(req, p->ks->t, &tkey, &key) != NULL)
        return DDB_OK;
    if (ddb_read_item(req->eng, req->arena, &key, item, &size, found) != 0)
        return ddb_req_fail_internal(req);
    if (!*found)
        return DDB_OK;
    /* Each fetch from the table is its own read, rounded up to 4 KB (so at least one unit), unlike the
     * index entries, which are summed: captured by Dynoxide against DynamoDB ("three rows served this
     * way reported total 2, table 1.5, lsi 0.5", eventually consistent) */
    p->base_bytes += size > 0 ? (size + 4095) / 4096 * 4096 : 4096;
    *found = 1;
    return DDB_OK;
}

/* Evaluates one stored entry: counts it, then filters, projects and writes it. */
static int page_take(ddb_page *p, const char *val, size_t vlen)
{
    ddb_req *req = p->req;
    ddb_attr item, out, base;
    const ddb_attr *src = &item;
    int found;

    if (ddb_item_decode(req->arena, val, vlen, &item) != 0)
        return ddb_req_fail_internal(req);
    p->scanned++;
    p->cap_bytes += ddb_item_stored_size(val, vlen);
    p->size += page_item_size(&item, p->ks->t->range_key);
    remember_last(p, &item);
    if (p->fetch_base) {
        if (fetch_base(p, &item, &base, &found) != DDB_OK)
            return req->err.code;
        if (found)
            src = &base;
    }
    if (p->filter != NULL && !ddb_expr_eval_condition(p->filter, src))
        return DDB_OK;
    p->count++;
    if (p->count_only)
        return DDB_OK;
    if (p->project != NULL)
        p->project(req->arena, p->project_ctx, src, &out);
    else
        ddb_expr_project(req->arena, p->projection, src, &out);
    ddb_item_write_json(&req->out, &out);
    return DDB_OK;
}

/* One entry of the range: 1 when the page is full (it stays for the next page), else taken. */
static int range_entry(void *ctx, const char *k, size_t klen, const char *v, size_t vlen)
{
    ddb_page *p = ctx;

    (void)k, (void)klen;
    if (page_full(p))
        return 1;
    return page_take(p, v, vlen) != DDB_OK ? p->req->err.code : 0;
}

int ddb_page_read_range(ddb_page *p, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse,
                        const char *after, size_t afterlen)
{
    size_t before = p->cap_bytes;
    const ddb_read_bounds b = {lo, hi, after, lolen, hilen, afterlen, reverse};
    int rc;

    if (ddb_read_throttled_or_fail(p->req, p->ks->t, p->ks->ix, lo, lolen) != DDB_OK)
        return p->req->err.code;
    rc = ddb_read_table_range(p->req->eng, p->req->arena, p->ks->t, p->ks->ix, p->consistent, &b, range_entry, p,
                              &p->req->drawn);
    /* a Query's units from its partition (a Scan's range has none) */
    ddb_partition_record(p->req, p->ks->t, p->ks->ix, 0, lo, lolen, ddb_read_units(p->cap_bytes - before, p->consistent));

    return rc < 0 ? ddb_req_fail_internal(p->req) : rc;
}

static void write_last_key(ddb_jw *w, const ddb_page *p)
{
    ddb_jw_key(w, "LastEvaluatedKey");
    ddb_jw_obj_begin(w);
    for (unsigned i = 0; i < p->nkey_names; i++) {
        const ddb_attr *v = ddb_item_get(&p->last, p->key_names[i], strlen(p->key_names[i]));
        if (v == NULL)
            continue;
        ddb_jw_key(w, p->key_names[i]);
        ddb_attr_write_json(w, v);
    }
    ddb_jw_obj_end(w);
}

void ddb_page_begin(ddb_page *p)
{
    ddb_jw_obj_begin(&p->req->out);
    if (!p->count_only) {
        ddb_jw_key(&p->req->out, "Items");
        ddb_jw_arr_begin(&p->req->out);
    }
}

void ddb_page_close_items(ddb_page *p)
{
    if (!p->count_only)
        ddb_jw_arr_end(&p->req->out);
}

int ddb_restartable(const ddb_req *req, const ddb_keyspace *ks)
{
    return req->op != DDB_OP_Query || ks->ix != NULL || ks->t->range_key != NULL;
}

int ddb_page_more(const ddb_page *p)
{
    return page_full(p) && p->has_last;
}

void ddb_page_consumed(const ddb_page *p, ddb_consumed *used)
{
    memset(used, 0, sizeof(*used));
    used->t = p->ks->t;
    if (p->ks->ix == NULL) {
        used->table = ddb_read_units(p->cap_bytes, p->consistent);
    } else {
        used->index[p->ks->ix - p->ks->t->indexes] = ddb_read_units(p->cap_bytes, p->consistent);
        if (p->base_bytes > 0)
            used->table = ddb_read_units(p->base_bytes, p->consistent);
    }
}

void ddb_page_end(ddb_page *p)
{
    ddb_jw *w = &p->req->out;
    ddb_consumed used;

    ddb_page_close_items(p);
    ddb_jw_key(w, "Count");
    ddb_jw_int(w, (long long)p->count);
    ddb_jw_key(w, "ScannedCount");
    ddb_jw_int(w, (long long)p->scanned);
    if (ddb_page_more(p) && ddb_restartable(p->req, p->ks))
        write_last_key(w, p);
    ddb_page_consumed(p, &used);
    ddb_consumed_write(p->req, p->req->rcc, &used);
    ddb_meter_note_page(&p->req->meter, p->req->arena, p->ks->t, p->scanned, p->count, p->filter != NULL);
    ddb_jw_obj_end(w);
}
