/*
 * server/ops/ops_batch.c: BatchWriteItem and BatchGetItem.
 *
 * Every request of a batch is checked (tables exist, keys match their schemas, no key twice)
 * before any is executed, as DynamoDB does; each write is then its own mutation through the one
 * pipeline (engine/mutation.h), so a batch is not atomic as a whole (neither is DynamoDB's), though
 * its writes, of every table, are committed together where they can be (ddb_mutate_each). Left
 * unprocessed: what exceeds BatchGetItem's 16 MB response limit, and on RADOS a write that kept
 * losing to other gateways' commits (UnprocessedItems, where DynamoDB puts throttled writes: the
 * client sends them again, rather than the whole batch failing with TransactionConflict).
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/engine/engine.h"
#include "server/engine/index.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation.h"
#include "server/engine/read.h"
#include "server/expr/expr.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

#define BATCH_GET_RESPONSE_LIMIT (16 * 1024 * 1024)

typedef struct batch_write {
    const ddb_table *t;
    int is_delete;
    ddb_attr item; /* PutRequest.Item */
    ddb_key key;
    unsigned long long collection_size; /* after the write (tables with LSIs) */
    const ddb_json *request;             /* the WriteRequest as sent, for UnprocessedItems */
    int unprocessed;                     /* lost to other gateways' commits, or throttled: not written */
} batch_write;

/*
 * --enforce-capacity (engine/capacity/throttle.h): what a batch left unprocessed because it was throttled.
 * When nothing at all could be done for that reason, the batch fails with the throttling error,
 * as the API reference says of both batches ("If none of the items can be processed due to
 * insufficient provisioned throughput on all of the tables in the request, then BatchGetItem
 * returns a ProvisionedThroughputExceededException").
 */
typedef struct batch_throttle {
    long done, throttled;
    ddb_error err;
} batch_throttle;

static int all_throttled_or_ok(ddb_req *req, const batch_throttle *bt)
{
    if (bt->done > 0 || bt->throttled == 0)
        return DDB_OK;
    if (req->err.code == DDB_OK) /* with its ThrottlingReasons */
        req->err = bt->err;
    return req->err.code;
}

static int duplicate_key(const ddb_key *keys, size_t n, const ddb_key *k)
{
    for (size_t i = 0; i < n; i++) {
        if (keys[i].len == k->len && memcmp(keys[i].bytes, k->bytes, k->len) == 0)
            return 1;
    }
    return 0;
}

/* Decodes and checks one table's write requests into w[]; returns how many or -1 after failing the request. */
static long prepare_table_writes(ddb_req *req, const ddb_table *t, const ddb_json *list, batch_write *w)
{
    ddb_key *seen = ddb_arena_alloc(req->arena, sizeof(ddb_key) * (list->n ? list->n : 1));
    const char *msg;

    for (uint32_t i = 0; i < list->n; i++) {
        const ddb_json *put = ddb_json_get(ddb_json_get(list->u.items[i], "PutRequest"), "Item");
        const ddb_json *del = ddb_json_get(ddb_json_get(list->u.items[i], "DeleteRequest"), "Key");
        batch_write *b = &w[i];

        memset(b, 0, sizeof(*b));
        b->t = t;
        b->request = list->u.items[i];
        b->is_delete = put == NULL;
        if ((msg = ddb_item_from_json_as(req->arena, put ? put : del, req->values, &b->item)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg), -1;
        /* BatchWriteItem words every key mismatch, of puts too, as "The provided key element does not match the schema" */
        if (put ? ddb_item_key_generic_or_fail(req, t, &b->item, &b->key) : ddb_key_param_or_fail(req, t, &b->item, &b->key))
            return -1;
        if (duplicate_key(seen, i, &b->key))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Provided list of item keys contains duplicates"), -1;
        seen[i] = b->key;
        /* index keys are checked with the request, before anything is written (as DynamoDB does) */
        if (put && (msg = ddb_engine_check_item(req->eng, req->arena, t, &b->item, 0)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg), -1;
    }
    return list->n;
}

/* "ItemCollectionMetrics": {table: [metrics per partition written]} for tables with LSIs, when asked for. */
static void write_batch_collection_metrics(ddb_req *req, const ddb_table **tables, batch_write **writes,
                                           const long *counts, uint32_t ntables)
{
    ddb_jw *w = &req->out;
    int open = 0;

    if (!ddb_collection_metrics_asked(req))
        return;
    for (uint32_t i = 0; i < ntables; i++) {
        const ddb_table *t = tables[i];
        if (t->nlsi == 0 || counts[i] == 0)
            continue;
        ddb_collection_metrics_table(w, &open, ddb_batch_key_as_sent(req, i, t->name));
        for (long k = 0; k < counts[i]; k++) {
            const ddb_attr *pk = ddb_item_get(&writes[i][k].item, t->hash_key, strlen(t->hash_key));
            int later = writes[i][k].unprocessed;
            for (long j = k + 1; j < counts[i] && !later; j++) /* one entry per collection, as its last write left it */
                later = !writes[i][j].unprocessed && writes[i][j].key.part_len == writes[i][k].key.part_len &&
                        memcmp(writes[i][j].key.bytes, writes[i][k].key.bytes, writes[i][k].key.part_len) == 0;
            if (later || pk == NULL)
                continue;
            ddb_write_collection_metrics_obj(w, t, pk, writes[i][k].collection_size);
        }
        ddb_jw_arr_end(w);
    }
    if (open)
        ddb_jw_obj_end(w);
}

/* One write's outcome (ran by ddb_mutate_each): 0 done, 1 left unprocessed, or -1 after failing the request. */
static int write_outcome(ddb_req *req, batch_write *b, const ddb_mutation *m, ddb_consumed *used, batch_throttle *bt)
{
    int rc = m->out.err.code;

    /* other gateways' commits kept winning on this key (RADOS; storage.h), or it was throttled
       (--enforce-capacity): the rest goes on */
    if (rc == DDB_E_TRANSACTION_CONFLICT || rc == DDB_E_THROUGHPUT_EXCEEDED || rc == DDB_E_THROTTLING) {
        b->unprocessed = 1;
        if (rc != DDB_E_TRANSACTION_CONFLICT) {
            bt->throttled++;
            bt->err = m->out.err;
        }
        return 1;
    }
    if (rc != DDB_OK) {
        req->err = m->out.err;
        return -1;
    }
    ddb_consumed_add(used, m->t, ddb_mutation_table_units(m), m->out.index_units);
    b->collection_size = m->out.collection_size;
    bt->done++;
    return 0;
}

/* A mutation's write: its table's index in the request, and its place in that table's list. */
typedef struct write_of {
    uint32_t table;
    long k;
} write_of;

/*
 * Runs the batch's writes in request order, each its own mutation, committed together where the
 * engine can (ddb_mutate_each), whatever their tables (two tables' items are distinct items);
 * sets left[i], how many of table i's writes were left unprocessed. Returns -1 after failing the
 * request, else 0.
 */
static int run_writes(ddb_req *req, batch_write **writes, const long *counts, uint32_t ntables, ddb_consumed *used,
                      long *left, batch_throttle *bt)
{
    long total = 0;
    ddb_mutation *ms;
    write_of *of;
    size_t nm = 0, done = 0;

    for (uint32_t i = 0; i < ntables; i++)
        total += counts[i];
    ms = DDB_NEW_ARRAY_UNSET(req->arena, ddb_mutation, total > 0 ? total : 1); /* (ddb_mutation_init) */
    of = DDB_NEW_ARRAY_UNSET(req->arena, write_of, total > 0 ? total : 1);
    for (uint32_t i = 0; i < ntables; i++) {
        left[i] = 0;
        for (long k = 0; k < counts[i]; k++) {
            batch_write *b = &writes[i][k];
            ddb_mutation *m = &ms[nm];
            if (b->unprocessed) { /* held back by an injected fault (hold_back) */
                left[i]++;
                continue;
            }
            ddb_mutation_init(m, b->is_delete ? DDB_MUT_DELETE : DDB_MUT_PUT, b->t, &b->key);
            m->item = &b->item;
            m->request = DDB_REQUEST_ONE;
            m->repl_hold_ms = req->fault_repl_hold_ms;
            of[nm++] = (write_of){i, k};
        }
    }
    while (done < nm) {
        size_t ran = ddb_mutate_each(req->eng, req->arena, &ms[done], nm - done);
        for (size_t j = done; j < done + ran; j++) {
            uint32_t i = of[j].table;
            int rc = write_outcome(req, &writes[i][of[j].k], &ms[j], &used[i], bt);
            if (rc < 0)
                return -1;
            left[i] += rc;
        }
        done += ran;
    }
    return 0;
}

/* An injected fault (api/faults/inject.h): the last `hold` writes, in request order, are left unprocessed,
   as DynamoDB leaves what it could not do in time. */
static void hold_back(batch_write **writes, const long *counts, uint32_t ntables, uint32_t hold)
{
    for (uint32_t i = ntables; i-- > 0 && hold > 0;)
        for (long k = counts[i]; k-- > 0 && hold > 0; hold--)
            writes[i][k].unprocessed = 1;
}

/* "UnprocessedItems": per table as the request named it, its writes left unprocessed, as sent
   but for members the model does not have (a WriteRequest's, dropped as DynamoDB drops them). */
static void write_unprocessed_writes(ddb_req *req, const ddb_json *items, batch_write **writes, const long *counts,
                                     const long *left)
{
    ddb_jw *w = &req->out;
    /* RequestItems: a map of lists of WriteRequest */
    const ddb_field *request = ddb_v_field(ddb_spec_batch_write_item.fields, "RequestItems")->children->children;

    ddb_jw_key(w, "UnprocessedItems");
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < items->n; i++) {
        if (left[i] == 0)
            continue;
        ddb_jw_key(w, ddb_batch_key_as_sent(req, i, items->u.members[i].key));
        ddb_jw_arr_begin(w);
        for (long k = 0; k < counts[i]; k++) {
            if (writes[i][k].unprocessed)
                ddb_jw_json(w, ddb_v_known(req->arena, writes[i][k].request, request->children));
        }
        ddb_jw_arr_end(w);
    }
    ddb_jw_obj_end(w);
}

int ddb_op_batch_write_item(ddb_req *req)
{
    const ddb_json *items = ddb_json_get(req->in, "RequestItems");
    uint32_t ntables = items->n;
    const ddb_table **tables = ddb_arena_alloc(req->arena, sizeof(*tables) * ntables);
    ddb_consumed *used = ddb_arena_calloc(req->arena, sizeof(*used) * ntables);
    batch_write **writes = ddb_arena_alloc(req->arena, sizeof(*writes) * ntables);
    long *counts = ddb_arena_alloc(req->arena, sizeof(*counts) * ntables);
    long *left = ddb_arena_alloc(req->arena, sizeof(*left) * ntables);
    batch_throttle bt = {0};
    ddb_jw *w = &req->out;

    for (uint32_t i = 0; i < ntables; i++) {
        const ddb_json *list = items->u.members[i].val;
        if ((tables[i] = ddb_table_or_fail(req, items->u.members[i].key, 0)) == NULL)
            return req->err.code;
        writes[i] = ddb_arena_alloc(req->arena, sizeof(batch_write) * (list->n ? list->n : 1));
        if ((counts[i] = prepare_table_writes(req, tables[i], list, writes[i])) < 0)
            return req->err.code;
    }
    hold_back(writes, counts, ntables, req->fault_unprocessed);
    for (uint32_t i = 0; i < ntables; i++) {
        used[i].t = tables[i];
        used[i].name = ddb_batch_key_as_sent(req, i, NULL);
    }
    if (run_writes(req, writes, counts, ntables, used, left, &bt) < 0)
        return req->err.code;
    if (all_throttled_or_ok(req, &bt) != DDB_OK)
        return req->err.code;
    ddb_jw_obj_begin(w);
    write_unprocessed_writes(req, items, writes, counts, left);
    ddb_consumed_write_list(req, req->rcc, used, ntables);
    write_batch_collection_metrics(req, tables, writes, counts, ntables);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- BatchGetItem ---- */

typedef struct batch_get_table {
    const ddb_table *t;
    const ddb_json *entry;   /* the KeysAndAttributes object */
    ddb_key *keys;
    uint8_t *again; /* again[i]: keys[i] names the item an earlier key named (NULL: none can) */
    uint32_t nkeys;
    int consistent;
    const ddb_expr *projection; /* ProjectionExpression or AttributesToGet of this table's entry */
} batch_get_table;

/*
 * Keys that name one item in two spellings of a number ("1000" and "1e3": not duplicates to the
 * request's check, which compares numbers as sent) are one read: DynamoDB answers the item once
 * (docs/compatibility.md). Keys are canonical bytes, so only a number key attribute can make two
 * different texts one item; a table without one pays nothing here.
 */
static void mark_same_items(ddb_req *req, batch_get_table *g)
{
    if (g->t->hash_type != DDB_T_N && !(g->t->range_key != NULL && g->t->range_type == DDB_T_N))
        return;
    for (uint32_t i = 1; i < g->nkeys; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (g->keys[j].len != g->keys[i].len || memcmp(g->keys[j].bytes, g->keys[i].bytes, g->keys[i].len) != 0)
                continue;
            if (g->again == NULL)
                g->again = ddb_arena_calloc(req->arena, g->nkeys);
            g->again[i] = 1;
            break;
        }
    }
}

static int prepare_table_gets(ddb_req *req, batch_get_table *g)
{
    const ddb_json *keys = ddb_json_get(g->entry, "Keys");
    const ddb_json *cr = ddb_json_get(g->entry, "ConsistentRead");
    const char *msg;

    ddb_parsed parsed = {0};

    /* validation has checked every entry's expressions; parse again only to build a projection
       (each table has its own, with its own names), into the entry's own parsed context */
    if (ddb_json_get(g->entry, "ProjectionExpression") != NULL || ddb_json_get(g->entry, "AttributesToGet") != NULL) {
        if ((msg = ddb_expr_prepare_as(req->arena, ddb_op_flags(DDB_OP_BatchGetItem), req->values, g->entry, &parsed)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        g->projection = parsed.projection;
    }
    g->consistent = cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b;
    g->nkeys = keys ? keys->n : 0;
    g->keys = ddb_arena_alloc(req->arena, sizeof(ddb_key) * (g->nkeys ? g->nkeys : 1));
    for (uint32_t i = 0; i < g->nkeys; i++) {
        ddb_attr k;
        if ((msg = ddb_item_from_json_as(req->arena, keys->u.items[i], req->values, &k)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        /* duplicates as sent were refused with the request (validate_batch.c) */
        if (ddb_key_param_or_fail(req, g->t, &k, &g->keys[i]) != DDB_OK)
            return req->err.code;
    }
    mark_same_items(req, g);
    return DDB_OK;
}

/*
 * Re-emits the keys from `from` on as this table's UnprocessedKeys entry, under `key` as sent, with
 * the entry's other members as sent but for those the model does not have (KeysAndAttributes':
 * an unknown member is dropped as DynamoDB drops it, never echoed).
 */
static void write_unprocessed(ddb_req *req, const batch_get_table *g, uint32_t from, const char *key)
{
    ddb_jw *w = &req->out;
    const ddb_field *entry = ddb_v_field(ddb_spec_batch_get_item.fields, "RequestItems")->children;
    const ddb_json *keys = ddb_json_get(g->entry, "Keys"), *known = ddb_v_known(req->arena, g->entry, entry->children);

    ddb_jw_key(w, key);
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < known->n; i++) {
        const ddb_json_member *m = &known->u.members[i];
        if (strcmp(m->key, "Keys") == 0)
            continue;
        ddb_jw_keyn(w, m->key, m->klen);
        ddb_jw_json(w, m->val);
    }
    ddb_jw_key(w, "Keys");
    ddb_jw_arr_begin(w);
    for (uint32_t i = from; i < g->nkeys; i++)
        ddb_jw_json(w, keys->u.items[i]);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

int ddb_op_batch_get_item(ddb_req *req)
{
    const ddb_json *items = ddb_json_get(req->in, "RequestItems");
    uint32_t ntables = items->n;
    batch_get_table *g = ddb_arena_calloc(req->arena, sizeof(*g) * ntables);
    ddb_consumed *used = ddb_arena_calloc(req->arena, sizeof(*used) * ntables);
    uint32_t *done = ddb_arena_calloc(req->arena, sizeof(*done) * ntables);
    size_t total = 0;
    int full = 0;
    uint32_t keys = 0, serve = 0; /* an injected fault serves only the first `serve` keys (api/faults/inject.h) */
    batch_throttle bt = {0};
    ddb_jw *w = &req->out;

    for (uint32_t i = 0; i < ntables; i++) {
        g[i].entry = items->u.members[i].val;
        if ((g[i].t = used[i].t = ddb_table_or_fail(req, items->u.members[i].key, 0)) == NULL ||
            prepare_table_gets(req, &g[i]) != DDB_OK)
            return req->err.code;
        used[i].name = ddb_batch_key_as_sent(req, i, NULL);
        keys += g[i].nkeys;
    }
    serve = keys - (req->fault_unprocessed < keys ? req->fault_unprocessed : keys);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Responses");
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < ntables; i++) {
        ddb_jw_key(w, ddb_batch_key_as_sent(req, i, g[i].t->name));
        ddb_jw_arr_begin(w);
        for (; done[i] < g[i].nkeys && !full; done[i]++) {
            const ddb_key *k = &g[i].keys[done[i]];
            size_t size;
            ddb_attr item, out;
            int found;
            if (serve-- == 0) {
                full = 1; /* held back by an injected fault: this key and the rest come back unread */
                break;
            }
            if (g[i].again != NULL && g[i].again[done[i]])
                continue; /* read (and answered) under its first spelling */
            if (ddb_read_admitted(req, g[i].t, NULL, k->bytes, k->len, &bt.err) != 0) {
                bt.throttled++;
                break; /* this key and the table's others come back in UnprocessedKeys */
            }
            bt.done++;
            if (ddb_read_table_item(req->eng, req->arena, g[i].t, g[i].consistent, k, &item, &size, &found, &req->drawn) != 0)
                return ddb_req_fail_internal(req);
            if (found && total + size > BATCH_GET_RESPONSE_LIMIT) {
                full = 1; /* this key and the rest come back in UnprocessedKeys, unread and uncharged */
                break;
            }
            /* recorded key by key: the next key is admitted after this one's units are taken */
            used[i].table += ddb_read_units(size, g[i].consistent);
            ddb_consumed_record(req, &(ddb_consumed){.t = g[i].t, .table = ddb_read_units(size, g[i].consistent)});
            ddb_partition_record(req, g[i].t, NULL, 0, k->bytes, k->len, ddb_read_units(size, g[i].consistent));
            ddb_meter_note_read(&req->meter, req->arena, g[i].t, k->bytes, k->len, g[i].consistent);
            if (!found)
                continue;
            total += size;
            ddb_expr_project(req->arena, g[i].projection, &item, &out);
            ddb_item_write_json(w, &out);
        }
        ddb_jw_arr_end(w);
    }
    ddb_jw_obj_end(w);
    if (all_throttled_or_ok(req, &bt) != DDB_OK)
        return req->err.code;
    ddb_jw_key(w, "UnprocessedKeys");
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; i < ntables; i++) {
        if (done[i] < g[i].nkeys)
            write_unprocessed(req, &g[i], done[i], ddb_batch_key_as_sent(req, i, g[i].t->name));
    }
    ddb_jw_obj_end(w);
    ddb_consumed_render_list(req, req->rcc, used, ntables);
    ddb_jw_obj_end(w);
    return DDB_OK;
}
