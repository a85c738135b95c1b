/*
 * server/ops/ops_vector.c: SearchVectors: the TopK items of a vector index nearest a vector.
 *
 * After validation (TopK's range and the vector's values: api/validate/validate_vector.c) the handler
 * finds the index (ACTIVE or not backfilling), checks the vector's dimensions and the search
 * condition against the index's SearchSchema (equalities on its HASH element, which a search of
 * an index with one must name, and on its INLINE_FILTER elements), and reads the exact top k
 * (engine/vector/vector_search.h). Results carry the index's projection without the vector attribute,
 * unless a ProjectionExpression names it (then as the index holds it, at f32 precision).
 *
 * Capacity: VectorSearchRequestBytes, which AWS defines only as growing with the dimensions, the
 * results and logarithmically with the items (developer guide, "Monitoring vector index
 * capacity"), is the model two live captures fit (search_bytes; docs/compatibility.md).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/number.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"
#include "server/engine/vector/vector.h"
#include "server/engine/vector/vector_feature.h"
#include "server/engine/vector/vector_search.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

#define MAX_RESPONSE_BYTES (16u * 1024 * 1024)

/* The SearchSchema element named `name` and its position, or NULL. */
static const ddb_key_part *schema_part(const ddb_index *ix, const char *name, uint32_t nlen, unsigned *pos, int *is_hash)
{
    for (unsigned i = 0; i < ix->nhash; i++)
        if (ix->hash[i].nlen == nlen && memcmp(ix->hash[i].name, name, nlen) == 0) {
            *pos = i;
            *is_hash = 1;
            return &ix->hash[i];
        }
    for (unsigned i = 0; i < ix->vec->nfilters; i++)
        if (ix->vec->filters[i].nlen == nlen && memcmp(ix->vec->filters[i].name, name, nlen) == 0) {
            *pos = ix->nhash + i;
            *is_hash = 0;
            return &ix->vec->filters[i];
        }
    return NULL;
}

/*
 * The search condition as the equalities the search applies; 1 when a value can match nothing
 * (another type than the element's, or two values for one element), else DDB_OK or the error.
 */
static int conditions_or_fail(ddb_req *req, const ddb_index *ix, ddb_vector_search_args *q, int *none)
{
    ddb_search_eq *eqs;
    size_t n;
    const char *err = ddb_expr_search_eqs(req->arena, req->parsed.search, &eqs, &n);
    ddb_vector_eq *out = DDB_NEW_ARRAY(req->arena, ddb_vector_eq, n ? n : 1);
    const ddb_attr *hash_value = NULL;

    if (err != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, err);
    *none = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned pos = 0;
        int is_hash = 0;
        const ddb_key_part *p = schema_part(ix, eqs[i].name, eqs[i].nlen, &pos, &is_hash);
        if (p == NULL)
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "SearchConditionExpression must not contain any attributes that is not in "
                                "SearchSchema. Invalid attribute: %.*s",
                                (int)eqs[i].nlen, eqs[i].name);
        if (eqs[i].v == NULL || eqs[i].v->type != p->type) {
            *none = 1; /* a value of another type equals no indexed value */
            continue;
        }
        out[q->neq] = (ddb_vector_eq){p, pos, NULL, 0, is_hash};
        ddb_key_form(req->arena, eqs[i].v, &out[q->neq].form, &out[q->neq].flen);
        for (unsigned k = 0; k < q->neq; k++) /* a = :x AND a = :y */
            if (out[k].pos == pos && (out[k].flen != out[q->neq].flen ||
                                      memcmp(out[k].form, out[q->neq].form, out[k].flen) != 0))
                *none = 1;
        if (is_hash)
            hash_value = eqs[i].v;
        q->neq++;
    }
    if (ix->nhash > 0 && hash_value == NULL && !*none)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "SearchConditionExpression must be provided when SearchSchema has a HASH key");
    if (hash_value != NULL) {
        ddb_key pk;
        ddb_index_partition_key(req->arena, req->eng->store, ix, &hash_value, &pk);
        q->part_prefix = pk.bytes;
        q->plen = pk.len;
    }
    q->eqs = out;
    return DDB_OK;
}

/* The search vector as f32s (validation checked every element is an N within f32's range). */
static float *query_vector(ddb_req *req, const ddb_json *sv)
{
    float *q = DDB_NEW_ARRAY(req->arena, float, sv->n);

    /* narrowed from the nearest double, as an item's vector is (engine/vector/vector.c) */
    for (uint32_t i = 0; i < sv->n; i++) {
        const char *s = ddb_json_get_str(sv->u.items[i], "N");
        q[i] = (float)ddb_num_to_double(s, strlen(s), NULL);
    }
    return q;
}

/* A float as DynamoDB's number text: the shortest decimal that reads back as the same f32, with
   ".0" after a whole number ("1" comes back as "1.0": the conformance suite's tier2
   vectorSearch/search.test.ts against DynamoDB, and Dynoxide's vector tests). */
static void f32_attr(ddb_arena *a, float f, ddb_attr *out)
{
    char buf[32], text[DDB_NUM_TEXT_MAX + 2];
    ddb_num num;
    size_t len;

    for (int p = 1; p <= 9; p++) {
        snprintf(buf, sizeof(buf), "%.*g", p, (double)f);
        if (strtof(buf, NULL) == f)
            break;
    }
    if (ddb_num_parse(buf, strlen(buf), &num) != DDB_NUM_OK)
        ddb_num_parse("0", 1, &num); /* a subnormal beyond DynamoDB's range reads as zero */
    len = ddb_num_format(&num, text);
    if (memchr(text, '.', len) == NULL && memchr(text, 'E', len) == NULL && memchr(text, 'e', len) == NULL) {
        memcpy(text + len, ".0", 2);
        len += 2;
    }
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_N;
    out->u.s = ddb_arena_strndup(a, text, len);
    out->len = (uint32_t)len;
}

/*
 * VectorSearchRequestBytes, fitted to two live captures (docs/compatibility.md, Vector search):
 * ExtendDB's sweep (us-east-1, 2026-08-11: 16 to 512 dimensions, small indexes, key-only items)
 * measured 30.6875 bytes a dimension, 72 a key-only result (65 and the item's bytes), 4 a
 * dimension of each vector returned and a 1,024 floor; a 15,000-item, 1,024-dimension index
 * (us-west-2, 2026-08-22) measured 60,559.8 + 565.5 x TopK. The developer guide says the bytes
 * examined grow by a constant each time the items double: 3.2075 a dimension a doubling past 32
 * items joins the two. `scope` is the number of vectors the search could return (its partition,
 * its filters), `returned` the results' bytes without the vector.
 */
static double search_bytes(unsigned dims, size_t scope, size_t nresults, size_t returned, size_t vectors)
{
    double doublings = scope > 32 ? log2((double)scope) - 5 : 0;
    double bytes = dims * (30.6875 + 3.2075 * doublings) + 65.0 * (double)nresults + (double)returned +
                   4.0 * dims * (double)vectors;

    return bytes < 1024 ? 1024 : floor(bytes);
}

/* A hit's item: the projection, and with a ProjectionExpression also the vector, then projected
   (*with_vector: the vector is in what is returned). */
static int hit_item(ddb_req *req, const ddb_index *ix, const ddb_vector_hit *h, ddb_attr *out, int *with_vector)
{
    ddb_attr item;

    *with_vector = 0;
    if (ddb_item_decode(req->arena, h->val, h->vlen, &item) != 0)
        return -1;
    if (req->parsed.projection == NULL) {
        *out = item;
        return 0;
    }
    {
        ddb_entry *e = DDB_NEW_ARRAY(req->arena, ddb_entry, item.len + 1);
        ddb_attr *list = DDB_NEW_ARRAY(req->arena, ddb_attr, ix->vec->dims);
        memcpy(e, item.u.entries, sizeof(ddb_entry) * item.len);
        for (unsigned i = 0; i < ix->vec->dims; i++)
            f32_attr(req->arena, h->vec[i], &list[i]);
        e[item.len].name = ix->vec->attr;
        e[item.len].nlen = ix->vec->alen;
        memset(&e[item.len].val, 0, sizeof(e[item.len].val));
        e[item.len].val.type = DDB_T_L;
        e[item.len].val.len = ix->vec->dims;
        e[item.len].val.u.items = list;
        item.u.entries = e;
        item.len++;
    }
    ddb_expr_project(req->arena, req->parsed.projection, &item, out);
    *with_vector = ddb_item_get(out, ix->vec->attr, ix->vec->alen) != NULL;
    return 0;
}

static int write_results(ddb_req *req, const ddb_table *t, const ddb_index *ix, const ddb_vector_hit *hits, size_t n,
                         size_t examined)
{
    ddb_consumed used = {.t = t};
    ddb_jw *w = &req->out;
    size_t returned = 0, entries = 0, vectors = 0, vector_bytes = ix->vec->alen + ddb_vector_trailer_bytes(ix);

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "SearchResults");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_attr item;
        int with_vector;
        size_t stored = ddb_item_stored_size(hits[i].val, hits[i].vlen);
        if (hit_item(req, ix, &hits[i], &item, &with_vector) != 0)
            return ddb_req_fail_internal(req);
        entries += stored > vector_bytes ? stored - vector_bytes : 0; /* the entry's size less its vector */
        vectors += (size_t)with_vector;
        if ((returned += ddb_item_size(&item)) > MAX_RESPONSE_BYTES) /* no pagination: refuse, never truncate */
            return ddb_req_fail(req, DDB_E_VALIDATION,
                                "The result of SearchVectors exceeds the response size limit of 16 MB; use a narrower "
                                "projection or a smaller TopK");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "Item");
        ddb_item_write_json(w, &item);
        ddb_jw_key(w, "Score");
        ddb_jw_double(w, hits[i].score); /* finite: scores saturate at +-FLT_MAX */
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    used.index[ix - t->indexes] = search_bytes(ix->vec->dims, examined, n, entries, vectors);
    ddb_consumed_record(req, &used); /* charged (/metrics' vector bytes) whatever ReturnConsumedCapacity says */
    if (req->rcc != DDB_RCC_NONE) {
        ddb_jw_key(w, "ConsumedCapacity");
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "VectorSearchRequestBytes");
        ddb_jw_double(w, used.index[ix - t->indexes]);
        ddb_jw_obj_end(w);
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

int ddb_op_search_vectors(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    const char *name = ddb_json_get_str(req->in, "IndexName");
    const ddb_json *sv = ddb_json_get(req->in, "SearchVector");
    const ddb_index *ix;
    ddb_vector_search_args q = {0};
    ddb_vector_hit *hits;
    size_t n = 0, examined = 0;
    int none = 0;

    if (t == NULL)
        return req->err.code;
    if ((ix = ddb_table_index(t, name)) == NULL || ix->kind != DDB_IX_VECTOR || ix->state == DDB_IX_DELETING)
        return ddb_req_fail(req, DDB_E_VALIDATION, "The table does not have the specified index: %s", name);
    if (ix->state == DDB_IX_CREATING && ix->backfilling)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Cannot search backfilling vector index: %s", name);
    if (sv->n != ix->vec->dims)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "Input search vector dimension %u does not match vector index dimension %u", sv->n,
                            ix->vec->dims);
    q.t = t;
    q.ix = ix;
    q.q = query_vector(req, sv);
    q.topk = (unsigned)ddb_json_integer(ddb_json_get(req->in, "TopK"), 1);
    q.threads = ddb_vector_search_threads(req->eng);
    if (conditions_or_fail(req, ix, &q, &none) != DDB_OK)
        return req->err.code;
    hits = DDB_NEW_ARRAY(req->arena, ddb_vector_hit, q.topk);
    if (!none && ddb_vector_search(req->eng, req->arena, &q, hits, &n, &examined) != 0)
        return ddb_req_fail_internal(req);
    return write_results(req, t, ix, hits, n, examined);
}
