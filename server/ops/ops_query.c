/*
 * server/ops/ops_query.c: Query and Scan.
 *
 * Both read one page: items in key order from RocksDB ranges (a partition's sort-key range for
 * Query, forward or reverse with no sort in memory; hash ranges of every shard for Scan), counting
 * items *evaluated* against Limit and DynamoDB's 1 MB page measure before the filter, then filter,
 * project, and stream the survivors straight into the response. Only one page is ever in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "expr.h"
#include "itemcodec.h"
#include "ops.h"
#include "ops_common.h"
#include "server.h"

#define PAGE_LIMIT_BYTES (1024 * 1024)

typedef struct page {
    ddb_req *req;
    const ddb_table *t;
    long limit;               /* 0: none */
    int consistent;
    int count_only;           /* Select COUNT */
    const ddb_expr *filter;
    const ddb_expr *projection;
    size_t scanned, count;
    size_t size;              /* the 1 MB page measure */
    size_t cap_bytes;         /* item bytes read, for capacity */
    /*
     * The last item evaluated, for LastEvaluatedKey: its key attributes only, copied here. The
     * decoded item points into the iterator's buffers, which RocksDB may release (a block evicted
     * from its cache) once the iterator moves on.
     */
    ddb_attr last;
    ddb_entry last_keys[2];
    char last_bytes[2048 + 1024]; /* the largest partition key plus the largest sort key */
    int has_last;
} page;

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

/* ---- the page loop ---- */

static int page_full(const page *p)
{
    return (p->limit > 0 && (long)p->scanned >= p->limit) || p->size >= PAGE_LIMIT_BYTES;
}

static void remember_last(page *p, const ddb_attr *item)
{
    const char *names[2] = {p->t->hash_key, p->t->range_key};
    size_t used = 0;

    p->last.type = DDB_T_M;
    p->last.len = 0;
    p->last.u.entries = p->last_keys;
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        size_t nlen = strlen(names[i]);
        const ddb_attr *v = ddb_item_get(item, names[i], nlen);
        ddb_entry *e;
        if (v == NULL || v->len > sizeof(p->last_bytes) - used)
            continue;
        e = &p->last_keys[p->last.len++];
        e->name = names[i];
        e->nlen = (uint32_t)nlen;
        e->val = *v;
        memcpy(p->last_bytes + used, v->u.s, v->len);
        e->val.u.s = p->last_bytes + used;
        used += v->len;
    }
    p->has_last = 1;
}

/* Evaluates one stored item: counts it, then filters, projects and writes it. */
static int page_take(page *p, const char *val, size_t vlen)
{
    ddb_req *req = p->req;
    ddb_attr item, out;

    if (ddb_item_decode(req->arena, val, vlen, &item) != 0)
        return ddb_req_fail(req, DDB_E_INTERNAL, "Internal server error");
    p->scanned++;
    p->cap_bytes += ddb_item_stored_size(val, vlen);
    p->size += page_item_size(&item, p->t->range_key);
    remember_last(p, &item);
    if (p->filter != NULL && !ddb_expr_eval_condition(p->filter, &item))
        return DDB_OK;
    p->count++;
    if (p->count_only)
        return DDB_OK;
    ddb_expr_project(req->arena, p->projection, &item, &out);
    ddb_item_write_json(&req->out, &out);
    return DDB_OK;
}

/*
 * Reads [lo, hi) of a shard, starting after `after` (exclusive) when given, until the page is full.
 * Returns 1 when the page filled, 0 when the range ran out, or an error code.
 */
static int page_read_range(page *p, int shard, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse,
                           const char *after, size_t afterlen)
{
    ddb_store_iter *it = ddb_store_iter_open(p->req->srv->store, shard, lo, lolen, hi, hilen, reverse);
    int rc = 0;

    ddb_store_iter_seek(it, after, afterlen);
    for (; ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        if (after != NULL && klen == afterlen && memcmp(k, after, klen) == 0)
            continue;
        if (page_full(p)) {
            rc = 1;
            break;
        }
        if (page_take(p, v, vlen) != DDB_OK) {
            rc = p->req->err.code;
            break;
        }
    }
    ddb_store_iter_close(it);
    return rc;
}

static void write_last_key(ddb_jw *w, const ddb_table *t, const ddb_attr *item)
{
    const char *names[2] = {t->hash_key, t->range_key};

    ddb_jw_key(w, "LastEvaluatedKey");
    ddb_jw_obj_begin(w);
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        const ddb_attr *v = ddb_item_get(item, names[i], strlen(names[i]));
        if (v == NULL)
            continue;
        ddb_jw_key(w, names[i]);
        ddb_attr_write_json(w, v);
    }
    ddb_jw_obj_end(w);
}

static void page_begin(page *p)
{
    ddb_jw_obj_begin(&p->req->out);
    if (!p->count_only) {
        ddb_jw_key(&p->req->out, "Items");
        ddb_jw_arr_begin(&p->req->out);
    }
}

/* Closes Items and writes Count, ScannedCount, LastEvaluatedKey (when the page filled) and ConsumedCapacity. */
static void page_end(page *p)
{
    ddb_jw *w = &p->req->out;
    size_t units = (p->cap_bytes + 4095) / 4096;

    if (!p->count_only)
        ddb_jw_arr_end(w);
    ddb_jw_key(w, "Count");
    ddb_jw_int(w, (long long)p->count);
    ddb_jw_key(w, "ScannedCount");
    ddb_jw_int(w, (long long)p->scanned);
    if (page_full(p) && p->has_last)
        write_last_key(w, p->t, &p->last);
    if (units == 0)
        units = 1;
    ddb_write_consumed(w, ddb_rcc_parse(p->req->in), p->t->name, p->consistent ? (double)units : (double)units / 2);
    ddb_jw_obj_end(w);
}

static void page_init(page *p, ddb_req *req, const ddb_table *t)
{
    const ddb_json *limit = ddb_json_get(req->in, "Limit");
    const ddb_json *cr = ddb_json_get(req->in, "ConsistentRead");
    const char *select = ddb_json_get_str(req->in, "Select");

    memset(p, 0, sizeof(*p));
    p->req = req;
    p->t = t;
    p->limit = limit && limit->type == DDB_JSON_NUMBER ? strtol(limit->u.s, NULL, 10) : 0;
    p->consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    p->count_only = select != NULL && strcmp(select, "COUNT") == 0;
    p->filter = req->parsed.filter;
    p->projection = req->parsed.projection;
}

/* ---- shared checks ---- */

/* IndexName: the index must exist; querying it needs index maintenance, which ddbd does not have yet. */
static int index_or_fail(ddb_req *req, const ddb_table *t)
{
    const char *name = ddb_json_get_str(req->in, "IndexName");
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};

    if (name == NULL)
        return DDB_OK;
    for (int l = 0; l < 2; l++) {
        const ddb_json *ixs = ddb_json_get(t->desc, lists[l]);
        for (uint32_t i = 0; ixs != NULL && ixs->type == DDB_JSON_ARRAY && i < ixs->n; i++) {
            const char *n = ddb_json_get_str(ixs->u.items[i], "IndexName");
            if (n != NULL && strcmp(n, name) == 0)
                return ddb_req_fail(req, DDB_E_VALIDATION,
                                    "ddbd does not maintain secondary indexes yet, so index %s cannot be read", name);
        }
    }
    if (ddb_json_get(req->in, "ExclusiveStartKey") != NULL && req->op == DDB_OP_Scan)
        return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key is invalid");
    return ddb_req_fail(req, DDB_E_VALIDATION, "The table does not have the specified index: %s", name);
}

static int is_key_attr(const ddb_table *t, const char *name, uint32_t nlen)
{
    return (strlen(t->hash_key) == nlen && memcmp(t->hash_key, name, nlen) == 0) ||
           (t->range_key && strlen(t->range_key) == nlen && memcmp(t->range_key, name, nlen) == 0);
}

/* "Key attributes must be scalars; ...": a document path may not go below a key attribute. */
static int nested_key_paths_or_fail(ddb_req *req, const ddb_table *t, const ddb_expr *e)
{
    const ddb_expr_path_ref *paths;
    size_t n = e ? ddb_expr_paths(e, &paths) : 0;

    for (size_t i = 0; i < n; i++) {
        if (paths[i].depth > 1 && is_key_attr(t, paths[i].name, paths[i].nlen))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "Key attributes must be scalars; list random access '[]' and map lookup '.' are not "
                                "allowed: Key: %.*s",
                                (int)paths[i].nlen, paths[i].name);
    }
    return DDB_OK;
}

/* "Filter Expression can only contain non-primary key attributes" (QueryFilter for the legacy form). */
static int filter_keys_or_fail(ddb_req *req, const ddb_table *t)
{
    const ddb_expr_path_ref *paths;
    size_t n;

    if (req->parsed.filter == NULL)
        return DDB_OK;
    n = ddb_expr_paths(req->parsed.filter, &paths);
    for (size_t i = 0; i < n; i++) {
        if (is_key_attr(t, paths[i].name, paths[i].nlen))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "%s can only contain non-primary key attributes: Primary key attribute: %.*s",
                                ddb_expr_is_legacy(req->parsed.filter) ? "QueryFilter" : "Filter Expression",
                                (int)paths[i].nlen, paths[i].name);
    }
    return DDB_OK;
}

/* Decodes ExclusiveStartKey (NULL when absent). */
static int start_key(ddb_req *req, ddb_attr **out)
{
    const ddb_json *esk = ddb_json_get(req->in, "ExclusiveStartKey");
    const char *msg;

    *out = NULL;
    if (esk == NULL)
        return DDB_OK;
    *out = DDB_NEW(req->arena, ddb_attr);
    if ((msg = ddb_item_from_json(req->arena, esk, *out)) != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    return DDB_OK;
}

/* ---- Query ---- */

typedef struct key_range {
    const ddb_key_cond *hash, *range;
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

/* dynalite's traverseKey rules for Query key conditions, in DynamoDB's order. */
static int key_conditions_or_fail(ddb_req *req, const ddb_table *t, key_range *kr)
{
    const ddb_key_cond *kc;
    size_t n = req->parsed.key_condition ? ddb_expr_key_conds(req->parsed.key_condition, &kc) : 0;
    const char *names[2] = {t->hash_key, t->range_key};
    ddb_type types[2] = {t->hash_type, t->range_type};

    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        const ddb_key_cond *c = cond_for(kc, n, names[i]);
        if (i == 0 && t->range_key == NULL && n > 1)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
        if (c == NULL) {
            if (i == 0 || n > 1)
                return ddb_req_fail(req, DDB_E_VALIDATION, "Query condition missed key schema element: %s", names[i]);
            continue;
        }
        if (c->not_indexable) /* legacy NE, IN, NULL, NOT_NULL, CONTAINS, NOT_CONTAINS: op and values are meaningless */
            return ddb_req_fail(req, DDB_E_VALIDATION, "Attempted conditional constraint is not an indexable operation");
        if (c->v[0]->type != types[i] || (c->op == DDB_KC_BETWEEN && c->v[1]->type != types[i]))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "One or more parameter values were invalid: Condition parameter type does not match schema type");
        if (i == 0 && c->op != DDB_KC_EQ)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Query key condition not supported");
        if (i == 0)
            kr->hash = c;
        else
            kr->range = c;
    }
    if (kr->hash == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Query condition missed key schema element: %s", t->hash_key);
    return DDB_OK;
}

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

/* ExclusiveStartKey rules for Query (dynalite's traverseKey order); fills *start with its encoded key. */
static int query_start_or_fail(ddb_req *req, const ddb_table *t, const key_range *kr, const ddb_attr *esk, ddb_key *start)
{
    const char *names[2] = {t->hash_key, t->range_key};
    ddb_type types[2] = {t->hash_type, t->range_type};
    const char *msg;
    const ddb_attr *hv, *rv;

    if (esk->len != (t->range_key ? 2u : 1u))
        return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key is invalid");
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        const ddb_attr *v = ddb_item_get(esk, names[i], strlen(names[i]));
        if (v == NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key is invalid");
        if (v->type != types[i])
            return ddb_req_fail(req, DDB_E_VALIDATION, "The provided key element does not match the schema");
    }
    if ((msg = ddb_key_param_check(req, t, esk, start)) != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key is invalid: %s", msg);
    hv = ddb_item_get(esk, t->hash_key, strlen(t->hash_key));
    if (kr->range == NULL) {
        if (!ddb_attr_equal(hv, kr->hash->v[0]))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "The provided starting key is outside query boundaries based on provided conditions");
        return DDB_OK;
    }
    rv = ddb_item_get(esk, t->range_key, strlen(t->range_key));
    if (!range_matches(kr->range, rv))
        return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key does not match the range key predicate");
    if (!ddb_attr_equal(hv, kr->hash->v[0]))
        return ddb_req_fail(req, DDB_E_VALIDATION, "The query can return at most one row and cannot be restarted");
    return DDB_OK;
}

int ddb_op_query(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    const ddb_json *fwd = ddb_json_get(req->in, "ScanIndexForward");
    int reverse = fwd != NULL && fwd->type == DDB_JSON_BOOL && !fwd->u.b;
    key_range kr = {NULL, NULL};
    ddb_attr *esk;
    ddb_key pk, start;
    bytes lo, hi;
    page p;
    int rc;

    if (t == NULL || index_or_fail(req, t) != DDB_OK || key_conditions_or_fail(req, t, &kr) != DDB_OK ||
        start_key(req, &esk) != DDB_OK)
        return req->err.code;
    if (esk != NULL && query_start_or_fail(req, t, &kr, esk, &start) != DDB_OK)
        return req->err.code;
    if (nested_key_paths_or_fail(req, t, req->parsed.projection) != DDB_OK || filter_keys_or_fail(req, t) != DDB_OK ||
        nested_key_paths_or_fail(req, t, req->parsed.filter) != DDB_OK)
        return req->err.code;
    if (ddb_partition_key_or_fail(req, t, kr.hash->v[0], &pk) != DDB_OK)
        return req->err.code;
    query_bounds(req->arena, &pk, kr.range, &lo, &hi);
    if (hi.p == NULL) { /* no upper bound below the table's own */
        char table_lo[DDB_KEY_TABLE_BYTES], table_hi[DDB_KEY_TABLE_BYTES];
        ddb_key_table_range(t->id, table_lo, table_hi);
        hi.p = ddb_arena_memdup(req->arena, table_hi, sizeof(table_hi));
        hi.n = sizeof(table_hi);
    }
    page_init(&p, req, t);
    page_begin(&p);
    rc = page_read_range(&p, (int)pk.shard, lo.p, lo.n, hi.p, hi.n, reverse, esk ? start.bytes : NULL,
                         esk ? start.len : 0);
    if (rc < 0 || (rc > 1))
        return req->err.code;
    page_end(&p);
    return DDB_OK;
}

/* ---- Scan ---- */

/* Segment s of n owns the partition hashes h with floor(h * n / 2^64) == s. */
static uint64_t segment_start(uint64_t s, uint64_t n)
{
    unsigned __int128 x = ((unsigned __int128)s << 64) + n - 1;

    return s == 0 ? 0 : (uint64_t)(x / n);
}

static void put_bound(char *out, uint32_t table_id, uint64_t hash)
{
    for (int i = 3; i >= 0; i--, table_id >>= 8)
        out[i] = (char)(table_id & 0xff);
    for (int i = 11; i >= 4; i--, hash >>= 8)
        out[i] = (char)(hash & 0xff);
}

typedef struct segment {
    long seg, total;
    char lo[12], hi[12];
    size_t lolen, hilen;
} segment;

static void segment_bounds(const ddb_table *t, segment *s)
{
    char tlo[DDB_KEY_TABLE_BYTES], thi[DDB_KEY_TABLE_BYTES];

    ddb_key_table_range(t->id, tlo, thi);
    if (s->total <= 1) {
        memcpy(s->lo, tlo, sizeof(tlo));
        memcpy(s->hi, thi, sizeof(thi));
        s->lolen = s->hilen = DDB_KEY_TABLE_BYTES;
        return;
    }
    put_bound(s->lo, t->id, segment_start((uint64_t)s->seg, (uint64_t)s->total));
    s->lolen = 12;
    if (s->seg + 1 == s->total) {
        memcpy(s->hi, thi, sizeof(thi));
        s->hilen = DDB_KEY_TABLE_BYTES;
    } else {
        put_bound(s->hi, t->id, segment_start((uint64_t)s->seg + 1, (uint64_t)s->total));
        s->hilen = 12;
    }
}

static int in_segment(const segment *s, const ddb_key *k)
{
    return memcmp(k->bytes, s->lo, s->lolen) >= 0 &&
           memcmp(k->bytes, s->hi, s->hilen < k->len ? s->hilen : k->len) < 0;
}

int ddb_op_scan(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, ddb_json_get_str(req->in, "TableName"), 0);
    const ddb_json *seg = ddb_json_get(req->in, "Segment"), *tot = ddb_json_get(req->in, "TotalSegments");
    unsigned nshards = ddb_store_nshards(req->srv->store);
    unsigned first = 0;
    segment s;
    ddb_attr *esk;
    ddb_key start;
    const char *msg;
    page p;

    if (t == NULL || index_or_fail(req, t) != DDB_OK || start_key(req, &esk) != DDB_OK)
        return req->err.code;
    s.seg = seg && seg->type == DDB_JSON_NUMBER ? strtol(seg->u.s, NULL, 10) : 0;
    s.total = tot && tot->type == DDB_JSON_NUMBER ? strtol(tot->u.s, NULL, 10) : 1;
    segment_bounds(t, &s);
    if (esk != NULL) {
        if (esk->len != (t->range_key ? 2u : 1u))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "The provided starting key is invalid: The provided key element does not match the schema");
        if ((msg = ddb_key_param_check(req, t, esk, &start)) != NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION, "The provided starting key is invalid: %s", msg);
        if (s.total > 1 && !in_segment(&s, &start))
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                                "ExclusiveStartKey with correct Segment. TotalSegments: %ld Segment: %ld",
                                s.total, s.seg);
        first = start.shard;
    }
    if (nested_key_paths_or_fail(req, t, req->parsed.projection) != DDB_OK ||
        nested_key_paths_or_fail(req, t, req->parsed.filter) != DDB_OK)
        return req->err.code;
    page_init(&p, req, t);
    page_begin(&p);
    /* shards in order; a resumed scan continues in the start key's shard, just after it */
    for (unsigned sh = first; sh < nshards; sh++) {
        int resume = esk != NULL && sh == first;
        int rc = page_read_range(&p, (int)sh, s.lo, s.lolen, s.hi, s.hilen, 0, resume ? start.bytes : NULL,
                                 resume ? start.len : 0);
        if (rc == 1)
            break;
        if (rc != 0)
            return req->err.code;
    }
    page_end(&p);
    return DDB_OK;
}
