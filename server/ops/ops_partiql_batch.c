/*
 * server/ops/ops_partiql_batch.c: BatchExecuteStatement and ExecuteTransaction.
 *
 * BatchExecuteStatement runs up to 25 statements, all reads or all writes, each on its own: a
 * statement that fails answers its own slot with an Error (Code is the exception's name without
 * "Exception": ValidationError, ConditionalCheckFailed, DuplicateItem, ResourceNotFound) and the
 * others still run, as BatchWriteItem's writes are not atomic (and, as its items, the writes are
 * committed together where the engine can: ddb_mutate_each). A read names one item by its whole
 * primary key and answers {TableName, Item}; TableName is echoed on every slot whose statement
 * reached its table.
 *
 * ExecuteTransaction runs up to 100 statements all or nothing. Every statement is parsed and
 * checked before anything runs; a problem is a ValidationException prefixed with
 * "Validation failed in TransactStatements[i]: " (a Parameters value's is not prefixed, as
 * DynamoDB reports those before parsing). Reads name one item each and are read from one
 * snapshot, as TransactGetItems reads, and fail past its 4 MB answer; writes (INSERT, UPDATE,
 * DELETE and EXISTS condition checks) become mutations committed by TransactWriteItems' machinery
 * (ops_transact.h), with its ClientRequestToken idempotency and its cancellation reasons.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/errors.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"
#include "server/ops/ops_partiql.h"
#include "server/ops/ops_transact.h"

typedef struct bstmt {
    ddb_pq_stmt s;
    const ddb_json *in;      /* the statement's object */
    int parsed;
    int ready;               /* parsed, its table found and its key (or mutation) built */
    const ddb_table *t;
    ddb_error err;       /* the statement's own failure */
    int reached;             /* it got to its table: TableName is echoed */
    ddb_key key;             /* reads */
    ddb_mutation *m;         /* BatchExecuteStatement's writes: theirs, in one array (run_batch_writes) */
    const ddb_attr *item;    /* a read's item, or RETURNING's */
    double units;            /* reads: units consumed */
} bstmt;

/* Runs `check` on a scratch copy of the request and keeps its error in the statement. */
static ddb_req scratch_of(ddb_req *req)
{
    ddb_req r = *req;

    memset(&r.err, 0, sizeof(r.err));
    return r;
}

/* "ValidationError" for ValidationException: the Code of a batch slot or a cancellation reason.
   ThrottlingException's is "ThrottlingError" (the API reference's BatchStatementError and
   CancellationReason codes), not "Throttling", which no SDK's enum knows. */
static const char *short_code(ddb_arena *a, int code)
{
    const char *type = ddb_error_lookup(code)->type;
    size_t n = strlen(type);

    if (code == DDB_E_VALIDATION)
        return "ValidationError";
    if (code == DDB_E_THROTTLING)
        return "ThrottlingError";
    if (n > 9 && strcmp(type + n - 9, "Exception") == 0)
        n -= 9;
    return ddb_arena_strndup(a, type, n);
}

/* ---------------------------------------------------------------- reads by key */

static const char *select_key_rule(const char *api)
{
    return strcmp(api, "batch") == 0
               ? "Select statements within BatchExecuteStatement must specify the primary key in the where clause."
               : "Select statements within ExecuteTransaction must specify the primary key in the where clause.";
}

/* The item a read names; reads it when `read` (BatchExecuteStatement reads each on its own). */
static int read_by_key(ddb_req *r, bstmt *b, const char *api)
{
    int rc = ddb_pq_single_item_key(r, &b->s, b->t, &b->key);

    if (rc == -1)
        return ddb_req_fail(r, DDB_E_VALIDATION, "%s", select_key_rule(api));
    return rc == 0 ? DDB_OK : r->err.code;
}

static int decode_item(ddb_req *r, bstmt *b, const char *val, size_t vlen, int consistent, double factor)
{
    ddb_attr item, *out = DDB_NEW(r->arena, ddb_attr);

    b->units = factor * ddb_read_units(val ? ddb_item_stored_size(val, vlen) : 0, consistent);
    if (val == NULL)
        return DDB_OK;
    if (ddb_item_decode(r->arena, val, vlen, &item) != 0)
        return ddb_req_fail_internal(r);
    ddb_pq_project(r->arena, &b->s, &item, out);
    b->item = out;
    return DDB_OK;
}

/* ---------------------------------------------------------------- BatchExecuteStatement */

/* A read's table and key, or a write's mutation: DDB_OK when the statement can run. */
static int prepare_batch_statement(ddb_req *r, bstmt *b)
{
    if (ddb_pq_writes(&b->s) && b->s.kind != DDB_PQ_EXISTS) {
        if ((b->t = ddb_table_or_fail(r, b->s.table, 0)) == NULL ||
            ddb_pq_mutation_or_fail(r, &b->s, b->t, 0, b->m) != DDB_OK)
            return r->err.code;
        b->key = b->m->key;
        return DDB_OK;
    }
    if (b->s.kind == DDB_PQ_EXISTS)
        return ddb_req_fail(r, DDB_E_VALIDATION, "EXISTS can only be used in ExecuteTransaction write requests.");
    if ((b->t = ddb_table_or_fail(r, b->s.table, 0)) == NULL || read_by_key(r, b, "batch") != DDB_OK)
        return r->err.code;
    return DDB_OK;
}

static void run_batch_read(ddb_req *r, bstmt *b)
{
    const ddb_json *cr = ddb_json_get(b->in, "ConsistentRead");
    const char *val;
    size_t vlen;

    if (ddb_read_stored(r->eng, r->arena, &b->key, &val, &vlen) != 0) {
        ddb_req_fail_internal(r);
        return;
    }
    b->reached = 1;
    decode_item(r, b, val, vlen, cr != NULL && cr->type == DDB_JSON_BOOL && cr->u.b, 1);
}

/* A write's outcome, its mutation run. */
static void batch_write_outcome(ddb_req *req, bstmt *b)
{
    ddb_req r = scratch_of(req);

    b->reached = 1;
    if (b->m->out.err.code != DDB_OK) {
        b->err = b->m->out.err;
        b->err.item = NULL; /* a batch slot never carries the item (ReturnValuesOnConditionCheckFailure) */
        return;
    }
    b->item = ddb_pq_returned(&r, &b->s, b->m);
    b->err = r.err;
}

/* The writes that can run, in order, each on its own item and with its own outcome, committed
   together where the engine can (ddb_mutate_each: a batch's items, as BatchWriteItem's): each run
   of statements that are ready, their mutations side by side in ms (statement i's at ms[i]). */
static void run_batch_writes(ddb_req *req, bstmt *bs, ddb_mutation *ms, uint32_t n)
{
    for (uint32_t i = 0, end; i < n; i = end + 1) {
        for (end = i; end < n && bs[end].ready;)
            end++;
        while (i < end) {
            size_t ran = ddb_mutate_each(req->eng, req->arena, &ms[i], end - i);
            for (size_t k = i; k < i + ran; k++)
                batch_write_outcome(req, &bs[k]);
            i += (uint32_t)ran;
        }
    }
}

/* Whether statement i names the item of a statement before it that is ready to run too. */
static int names_an_earlier_item(const bstmt *bs, uint32_t i)
{
    for (uint32_t j = 0; j < i; j++)
        if (bs[j].ready && bs[j].key.len == bs[i].key.len && memcmp(bs[j].key.bytes, bs[i].key.bytes, bs[i].key.len) == 0)
            return 1;
    return 0;
}

static void write_batch_result(ddb_req *req, bstmt *bs, uint32_t n)
{
    ddb_jw *w = &req->out;
    ddb_rcc rcc = req->rcc;
    ddb_consumed *used = DDB_NEW_ARRAY(req->arena, ddb_consumed, n);
    uint32_t nt = 0;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Responses");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        bstmt *b = &bs[i];
        ddb_jw_obj_begin(w);
        if (b->err.code != DDB_OK) {
            ddb_jw_key(w, "Error");
            ddb_jw_obj_begin(w);
            ddb_jw_key(w, "Code");
            ddb_jw_str(w, short_code(req->arena, b->err.code));
            ddb_jw_key(w, "Message");
            ddb_jw_str(w, b->err.msg ? b->err.msg : "");
            ddb_jw_obj_end(w);
        }
        if (b->reached) {
            ddb_jw_key(w, "TableName");
            ddb_jw_str(w, b->t->name);
        }
        if (b->item != NULL && b->err.code == DDB_OK) {
            ddb_jw_key(w, "Item");
            ddb_item_write_json(w, b->item);
        }
        ddb_jw_obj_end(w);
        if (b->reached && ddb_pq_writes(&b->s) && b->err.code == DDB_OK)
            ddb_consumed_add(ddb_consumed_for(used, &nt, b->t, 0), b->m->t, ddb_mutation_table_units(b->m), b->m->out.index_units);
        else if (b->reached && !ddb_pq_writes(&b->s))
            ddb_consumed_for(used, &nt, b->t, 0)->table += b->units;
    }
    ddb_jw_arr_end(w);
    ddb_consumed_write_list(req, rcc, used, nt);
    ddb_jw_obj_end(w);
}

int ddb_op_batch_execute_statement(ddb_req *req)
{
    const ddb_json *list = ddb_json_get(req->in, "Statements");
    uint32_t n = list->n;
    bstmt *bs = DDB_NEW_ARRAY(req->arena, bstmt, n);
    ddb_mutation *ms = NULL;
    int reads = 0, writes = 0, param_error;

    for (uint32_t i = 0; i < n; i++) {
        ddb_req r = scratch_of(req);
        bs[i].in = list->u.items[i];
        bs[i].parsed = ddb_pq_statement_or_fail(&r, bs[i].in, &bs[i].s, &param_error) == DDB_OK;
        bs[i].err = r.err;
        if (bs[i].parsed) {
            reads += !ddb_pq_writes(&bs[i].s);
            writes += ddb_pq_writes(&bs[i].s) && bs[i].s.kind != DDB_PQ_EXISTS;
        }
    }
    if (reads > 0 && writes > 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Read and write requests together in the same batch is not supported.");
    if (writes > 0) { /* (each set before it is read: ddb_mutation_init) */
        ms = DDB_NEW_ARRAY_UNSET(req->arena, ddb_mutation, n);
        for (uint32_t i = 0; i < n; i++)
            bs[i].m = &ms[i];
    }
    /* every statement's item is known before any runs: two statements on one item refuse the
       whole batch, as BatchGetItem and BatchWriteItem (which DynamoDB runs them as) refuse it */
    for (uint32_t i = 0; i < n; i++) {
        ddb_req r = scratch_of(req);
        if (!bs[i].parsed)
            continue;
        bs[i].ready = prepare_batch_statement(&r, &bs[i]) == DDB_OK;
        bs[i].err = r.err;
        if (bs[i].ready && names_an_earlier_item(bs, i))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Provided list of item keys contains duplicates");
    }
    if (writes > 0)
        run_batch_writes(req, bs, ms, n);
    for (uint32_t i = 0; writes == 0 && i < n; i++) {
        ddb_req r = scratch_of(req);
        if (!bs[i].ready)
            continue;
        run_batch_read(&r, &bs[i]);
        bs[i].err = r.err;
    }
    write_batch_result(req, bs, n);
    return DDB_OK;
}

/* ---------------------------------------------------------------- ExecuteTransaction */

static int txn_fail(ddb_req *req, uint32_t i, const ddb_req *r)
{
    return ddb_req_fail(req, r->err.code, "Validation failed in TransactStatements[%u]: %s", i, r->err.msg ? r->err.msg : "");
}

/* Every statement parsed and shaped before anything runs; *writes tells which kind the transaction is. */
static int txn_parse(ddb_req *req, const ddb_json *list, bstmt *bs, int *writes)
{
    int reads = 0, param_error;

    *writes = 0;
    for (uint32_t i = 0; i < list->n; i++) {
        ddb_req r = scratch_of(req);
        bs[i].in = list->u.items[i];
        if (ddb_pq_statement_or_fail(&r, bs[i].in, &bs[i].s, &param_error) != DDB_OK) {
            if (param_error || r.err.code == DDB_E_ACCESS_DENIED) {
                req->err = r.err;
                return req->err.code;
            }
            return txn_fail(req, i, &r);
        }
        if (bs[i].s.returning != DDB_PQ_RET_NONE) {
            ddb_req_fail(&r, DDB_E_VALIDATION, "RETURNING clause is not supported in ExecuteTransaction.");
            return txn_fail(req, i, &r);
        }
        if (bs[i].s.kind == DDB_PQ_SELECT && bs[i].s.index != NULL) {
            ddb_req_fail(&r, DDB_E_VALIDATION, "Reads on indices are not supported within transactions.");
            return txn_fail(req, i, &r);
        }
        reads += !ddb_pq_writes(&bs[i].s);
        *writes += ddb_pq_writes(&bs[i].s);
    }
    if (reads > 0 && *writes > 0)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "ExecuteTransaction API does not support both read and write operations in the same request.");
    return DDB_OK;
}

static int same_item(const bstmt *bs, uint32_t n, const ddb_key *k)
{
    for (uint32_t i = 0; i < n; i++)
        if (bs[i].key.len == k->len && memcmp(bs[i].key.bytes, k->bytes, k->len) == 0)
            return 1;
    return 0;
}

static int txn_reads(ddb_req *req, bstmt *bs, uint32_t n)
{
    ddb_read_slot *keys = DDB_NEW_ARRAY(req->arena, ddb_read_slot, n);
    ddb_consumed *used = DDB_NEW_ARRAY(req->arena, ddb_consumed, n);
    uint32_t nt = 0;
    size_t total = 0;
    ddb_jw *w = &req->out;

    for (uint32_t i = 0; i < n; i++) {
        ddb_req r = scratch_of(req);
        if ((bs[i].t = ddb_table_or_fail(req, bs[i].s.table, 0)) == NULL)
            return req->err.code;
        if (read_by_key(&r, &bs[i], "transaction") != DDB_OK)
            return txn_fail(req, i, &r);
        if (same_item(bs, i, &bs[i].key))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Transaction request cannot include multiple operations on one item");
        keys[i] = (ddb_read_slot){bs[i].key.bytes, bs[i].key.len, NULL, 0};
    }
    if (ddb_transact_read_keys(req, keys, n) != DDB_OK)
        return req->err.code;
    /* every item decoded (transactional: twice a consistent read) and the answer's 4 MB checked
       before a byte of it is written */
    for (uint32_t i = 0; i < n; i++)
        if (decode_item(req, &bs[i], keys[i].val, keys[i].vlen, 1, 2) != DDB_OK ||
            ddb_transact_answer_add(req, &total, bs[i].item) != DDB_OK)
            return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Responses");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        ddb_consumed_for(used, &nt, bs[i].t, 'R')->table += bs[i].units;
        ddb_jw_obj_begin(w);
        if (bs[i].item != NULL) {
            ddb_jw_key(w, "Item");
            ddb_item_write_json(w, bs[i].item);
        }
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_consumed_write_list(req, req->rcc, used, nt);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

static int txn_writes(ddb_req *req, bstmt *bs, uint32_t n)
{
    ddb_mutation *ms = DDB_NEW_ARRAY(req->arena, ddb_mutation, n);
    const char *rvf;

    for (uint32_t i = 0; i < n; i++) {
        ddb_req r = scratch_of(req);
        if ((bs[i].t = ddb_table_or_fail(&r, bs[i].s.table, 0)) == NULL)
            return ddb_transact_cancel_one(req, n, i, "ResourceNotFound", r.err.msg);
        if (bs[i].s.index != NULL) {
            ddb_req_fail(&r, DDB_E_VALIDATION, "This operation is not supported on an index");
            return txn_fail(req, i, &r);
        }
        if (ddb_pq_mutation_or_fail(&r, &bs[i].s, bs[i].t, 1, &ms[i]) != DDB_OK) {
            if (r.err.msg != NULL && strncmp(r.err.msg, "EXISTS()", 8) == 0)
                return txn_fail(req, i, &r);
            return ddb_transact_cancel_one(req, n, i, short_code(req->arena, r.err.code), r.err.msg);
        }
        rvf = ddb_json_get_str(bs[i].in, "ReturnValuesOnConditionCheckFailure");
        ms[i].old_on_failure = rvf != NULL && strcmp(rvf, "ALL_OLD") == 0; /* the reason carries the item */
        bs[i].key = ms[i].key;
        if (same_item(bs, i, &bs[i].key))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Transaction request cannot include multiple operations on one item");
    }
    return ddb_transact_run_statements(req, ms, n);
}

int ddb_op_execute_transaction(ddb_req *req)
{
    const ddb_json *list = ddb_json_get(req->in, "TransactStatements");
    bstmt *bs = DDB_NEW_ARRAY(req->arena, bstmt, list->n);
    int writes;

    if (txn_parse(req, list, bs, &writes) != DDB_OK)
        return req->err.code;
    return writes ? txn_writes(req, bs, list->n) : txn_reads(req, bs, list->n);
}
