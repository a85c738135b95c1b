/*
 * server/ops/ops_transact.c: TransactWriteItems and TransactGetItems.
 *
 * A request is taken in DynamoDB's order. The shape was checked by validate_transact.c; then:
 *   1. every action is decoded once: its item or key, the 400 KB item and 4 MB payload limits,
 *      and its expressions (each action has its own names and values). A problem here is a
 *      ValidationException for the whole request, as DynamoDB answers;
 *   2. tables are looked up (ResourceNotFoundException) and keys checked against their schemas:
 *      a bad key cancels the transaction with a ValidationError reason on that action and None on
 *      every other (DynamoDB stops at the first; ScyllaDB's test_transactions.py, run against
 *      DynamoDB); two actions on one item are a ValidationException;
 *   3. TransactWriteItems: the ClientRequestToken (engine/idempotency.h), then the mutations run
 *      as one transaction through the mutation pipeline (ddb_mutate_txn): one conditional commit
 *      over every item, so the writes, their index entries, the collection sizes and the token's
 *      record land together or not at all, serializable against every other write. Every
 *      condition is evaluated and each failure reported in action order.
 *      TransactGetItems: every key is read from one snapshot, so a read never sees part of a
 *      transaction; items whose answer would pass 4 MB fail the request (ValidationException).
 * Transactions cost twice the units of the same reads and writes on their tables; a write's index
 * entries cost what they cost outside a transaction (docs/usage.md, "Transactions and indexes").
 */
#include <string.h>

#include "server/ops/ops_transact.h"
#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/validate/validate.h"
#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/engine/engine.h"
#include "server/engine/idempotency.h"
#include "server/engine/itemcodec.h"
#include "server/engine/mutation.h"
#include "server/engine/history/retention.h"
#include "server/expr/expr.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

/* 4 MB: the actions' items and keys of a request, and the items a read answers */
#define TXN_PAYLOAD_LIMIT (4 * 1024 * 1024)
/* An empty string or binary key value is refused with the whole request (captured against AWS,
   October 2026: paritysuite's transactWriteItems tests), not as a cancellation reason. */
#define EMPTY_KEY_VALUE "The AttributeValue for a key attribute cannot contain an empty"

typedef enum action_kind { A_CHECK, A_PUT, A_DELETE, A_UPDATE, A_GET } action_kind;

/* Each action's member name, the single-item operation whose expressions it takes, its mutation. */
static const struct {
    const char *member;
    int op;
    ddb_mut_kind mut;
} KINDS[] = {
    [A_CHECK] = {"ConditionCheck", DDB_OP_DeleteItem, DDB_MUT_CHECK},
    [A_PUT] = {"Put", DDB_OP_PutItem, DDB_MUT_PUT},
    [A_DELETE] = {"Delete", DDB_OP_DeleteItem, DDB_MUT_DELETE},
    [A_UPDATE] = {"Update", DDB_OP_UpdateItem, DDB_MUT_UPDATE},
    [A_GET] = {"Get", DDB_OP_GetItem, DDB_MUT_PUT},
};

typedef struct action {
    action_kind kind;
    const ddb_json *in; /* the action's object */
    const ddb_table *t;
    ddb_attr attrs;     /* Put: the Item; else the Key */
    ddb_parsed parsed;
    ddb_key key;
} action;

/* ---- decoding ---- */

/*
 * The members an action's expressions read. Transaction actions have no legacy parameters
 * (Expected, AttributeUpdates, AttributesToGet): DynamoDB ignores such members, so they are left
 * out rather than converted as the single-item operations would.
 */
static const ddb_json *expression_members(ddb_arena *a, const ddb_json *in)
{
    static const char *const keep[] = {"ConditionExpression", "UpdateExpression", "ProjectionExpression",
                                       "ExpressionAttributeNames", "ExpressionAttributeValues"};
    ddb_json *out = DDB_NEW(a, ddb_json);

    out->type = DDB_JSON_OBJECT;
    out->u.members = DDB_NEW_ARRAY(a, ddb_json_member, in->n + 1);
    for (uint32_t i = 0; i < in->n; i++) {
        for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
            if (strcmp(in->u.members[i].key, keep[k]) == 0)
                out->u.members[out->n++] = in->u.members[i];
        }
    }
    return out;
}

static action_kind kind_of(const ddb_json *item, int get)
{
    if (get)
        return A_GET;
    for (int k = A_CHECK; k <= A_UPDATE; k++) {
        if (ddb_v_get(item, KINDS[k].member) != NULL)
            return (action_kind)k;
    }
    return A_CHECK; /* unreachable: validate_transact.c refused an item naming no action */
}

/* Step 1: items and keys decoded, sizes and expressions checked; any problem fails the request. */
static int decode_actions(ddb_req *req, const ddb_json *items, action *acts, int get)
{
    size_t payload = 0;

    for (uint32_t i = 0; i < items->n; i++) {
        action *x = &acts[i];
        const char *msg;
        size_t size;
        x->kind = kind_of(items->u.items[i], get);
        /* never NULL: validate_transact.c refused an item without its action ([null] reads as [{}]) */
        x->in = ddb_v_get(items->u.items[i], KINDS[x->kind].member);
        if ((msg = ddb_item_from_json_as(req->arena, ddb_v_get(x->in, x->kind == A_PUT ? "Item" : "Key"), req->values,
                                         &x->attrs)))
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        /* a Put's attribute names, in action order ("Empty attribute name": the conformance suite's
           captures, 2026-10-09, ten regions) */
        if (x->kind == A_PUT && (msg = ddb_item_names_check(&x->attrs)) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
        size = ddb_item_size(&x->attrs);
        if (x->kind == A_PUT && size > DDB_MAX_ITEM_SIZE)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Item size has exceeded the maximum allowed size");
        /* what DynamoDB calls the payload: the actions' items and keys, summed in order (DynamoDB Local 1.25) */
        payload += size;
        if (payload > TXN_PAYLOAD_LIMIT)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Transaction payload size cannot exceed 4MB. Payload Size: %zu",
                                payload);
        msg = ddb_expr_prepare_as(req->arena, ddb_op_flags(KINDS[x->kind].op), req->values,
                                  expression_members(req->arena, x->in), &x->parsed);
        if (msg != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    }
    return DDB_OK;
}

/* ---- cancellation ---- */

int ddb_transact_cancel_one(ddb_req *req, uint32_t n, uint32_t at, const char *code, const char *msg)
{
    ddb_cancel_reason *r = DDB_NEW_ARRAY(req->arena, ddb_cancel_reason, n);

    r[at].code = code;
    r[at].msg = msg;
    return ddb_req_fail_cancelled(req, r, n);
}

/* An injected conflict (a row's draw: mutation.h): one action found another transaction on its item. */
static int injected_conflict(ddb_req *req, uint32_t n)
{
    int at = ddb_mutation_txn_contended(req->eng, n);

    if (at < 0)
        return DDB_OK;
    return ddb_transact_cancel_one(req, n, (uint32_t)at, "TransactionConflict", "Transaction is ongoing for the item");
}

/* ---- tables and keys ---- */

/* The action's key checked against its table (the wording of its single-item operation), or the message. */
static const char *key_check(ddb_req *req, action *x)
{
    ddb_req scratch = *req;

    if (x->kind != A_PUT)
        return ddb_key_param_check(req, x->t, &x->attrs, &x->key);
    memset(&scratch.err, 0, sizeof(scratch.err));
    return ddb_item_key_or_fail(&scratch, x->t, &x->attrs, &x->key) == DDB_OK ? NULL : scratch.err.msg;
}

static int same_item(const action *acts, uint32_t n, const ddb_key *k)
{
    for (uint32_t i = 0; i < n; i++) {
        if (acts[i].key.len == k->len && memcmp(acts[i].key.bytes, k->bytes, k->len) == 0)
            return 1;
    }
    return 0;
}

/* As DynamoDB documents for Multi-Region strong consistency (its text was not recorded): a STRONG
   table's writes are mirrored one item at a time (mutation.h), never inside a transaction. */
static int strong_refused(ddb_req *req, const ddb_table *t)
{
    if (t->rep.strong && t->rep.nreplicas > 1)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: transactions are not supported on a global "
                            "table with MultiRegionConsistency set to STRONG (table: %s)",
                            t->name);
    return DDB_OK;
}

/* Step 2: tables and keys. */
static int resolve_actions(ddb_req *req, action *acts, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        action *x = &acts[i];
        const char *msg;
        if ((x->t = ddb_table_or_fail(req, ddb_json_get_str(x->in, "TableName"), 0)) == NULL)
            return req->err.code;
        if (strong_refused(req, x->t) != DDB_OK)
            return req->err.code;
        if ((msg = key_check(req, x)) != NULL && strstr(msg, EMPTY_KEY_VALUE) != NULL)
            return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg); /* refused up front, not a cancellation */
        if (msg != NULL ||
            (x->kind == A_UPDATE && (msg = ddb_update_key_target_check(req->arena, x->t, x->parsed.update)) != NULL))
            return ddb_transact_cancel_one(req, n, i, "ValidationError", msg);
        if (same_item(acts, i, &x->key))
            return ddb_req_fail(req, DDB_E_VALIDATION, "Transaction request cannot include multiple operations on one item");
    }
    return DDB_OK;
}

/* ---- TransactWriteItems ---- */

static void mutations_from_actions(const ddb_req *req, action *acts, ddb_mutation *ms, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        action *x = &acts[i];
        const char *rvf = ddb_json_get_str(x->in, "ReturnValuesOnConditionCheckFailure");
        ddb_mutation_init(&ms[i], KINDS[x->kind].mut, x->t, &x->key);
        ms[i].request = DDB_REQUEST_ONE;
        ms[i].repl_hold_ms = req->fault_repl_hold_ms;
        ms[i].condition = x->parsed.condition;
        ms[i].update = x->parsed.update;
        ms[i].item = x->kind == A_PUT ? &x->attrs : NULL;
        ms[i].keyattrs = x->kind == A_PUT ? NULL : &x->attrs;
        ms[i].old_on_failure = rvf != NULL && strcmp(rvf, "ALL_OLD") == 0;
    }
}

/* The reasons of a cancelled transaction: each mutation's own failure, or None. */
static int cancel_from_mutations(ddb_req *req, const ddb_mutation *ms, uint32_t n)
{
    ddb_cancel_reason *r = DDB_NEW_ARRAY(req->arena, ddb_cancel_reason, n);

    for (uint32_t i = 0; i < n; i++) {
        r[i].msg = ms[i].out.err.msg;
        switch (ms[i].out.err.code) {
        case DDB_OK:
            r[i].msg = NULL;
            break;
        case DDB_E_CONDITIONAL_CHECK_FAILED:
            r[i].code = "ConditionalCheckFailed";
            r[i].item = ms[i].out.err.item;
            break;
        case DDB_E_ITEM_COLLECTION_SIZE_LIMIT:
            r[i].code = "ItemCollectionSizeLimitExceeded";
            break;
        case DDB_E_TRANSACTION_CONFLICT:
            r[i].code = "TransactionConflict";
            break;
        case DDB_E_THROUGHPUT_EXCEEDED: /* --enforce-capacity (engine/capacity/throttle.h) */
            r[i].code = "ProvisionedThroughputExceeded";
            break;
        case DDB_E_THROTTLING:
            r[i].code = "ThrottlingError";
            break;
        case DDB_E_DUPLICATE_ITEM: /* a PartiQL INSERT of a key that exists */
            r[i].code = "DuplicateItem";
            break;
        case DDB_E_RESOURCE_NOT_FOUND: /* ExecuteTransaction: a statement's table is gone */
            r[i].code = "ResourceNotFound";
            break;
        default:
            r[i].code = "ValidationError";
            break;
        }
    }
    return ddb_req_fail_cancelled(req, r, n);
}

/* The units of each table, in the order the tables first appear; `kind` 'W' (2x the writes) or 'R'. */
static uint32_t consumed_per_table(ddb_req *req, const ddb_mutation *ms, uint32_t n, char kind, ddb_consumed *used)
{
    uint32_t nt = 0;

    for (uint32_t i = 0; i < n; i++) {
        double index[DDB_MAX_INDEXES];
        ddb_consumed *c = ddb_consumed_for(used, &nt, ms[i].t, kind);
        if (kind == 'R') { /* a replayed token: the stored result is read, 2 units an action */
            c->table += 2 * ddb_read_units(0, 1);
            continue;
        }
        /* the table's units twice (prepare and commit); its index entries' once, as DynamoDB charges
           them (written after the commit, outside the transaction: docs/usage.md, "Transactions and
           indexes"); a vector index's bytes once */
        for (unsigned x = 0; x < ms[i].t->nindexes; x++)
            index[x] = ms[i].out.index_units[x];
        ddb_consumed_add(c, ms[i].t, DDB_REQUEST_TXN * ddb_mutation_table_units(&ms[i]), index);
    }
    return nt;
}

/* "ItemCollectionMetrics": {table: [one per item collection written]} for tables with LSIs, when asked for. */
static void write_txn_collection_metrics(ddb_req *req, const ddb_mutation *ms, uint32_t n)
{
    ddb_jw *w = &req->out;
    int open = 0;

    if (!ddb_collection_metrics_asked(req))
        return;
    for (uint32_t i = 0; i < n; i++) {
        const ddb_table *t = ms[i].t;
        int first = 1;
        if (t->nlsi == 0)
            continue;
        for (uint32_t j = 0; j < i && first; j++) /* each table once, at its first action */
            first = ms[j].t->id != t->id;
        if (!first)
            continue;
        ddb_collection_metrics_table(w, &open, t->name);
        for (uint32_t k = i; k < n; k++) {
            const ddb_attr *src = ms[k].item ? ms[k].item : ms[k].keyattrs;
            const ddb_attr *pk = ddb_item_get(src, t->hash_key, strlen(t->hash_key));
            int later = 0;
            if (ms[k].t->id != t->id || ms[k].kind == DDB_MUT_CHECK || pk == NULL)
                continue;
            for (uint32_t j = k + 1; j < n && !later; j++) /* one entry per collection */
                later = ms[j].t->id == t->id && ms[j].kind != DDB_MUT_CHECK && ms[j].key.part_len == ms[k].key.part_len &&
                        memcmp(ms[j].key.bytes, ms[k].key.bytes, ms[k].key.part_len) == 0;
            if (!later)
                ddb_write_collection_metrics_obj(w, t, pk, ms[k].out.collection_size);
        }
        ddb_jw_arr_end(w);
    }
    if (open)
        ddb_jw_obj_end(w);
}

/* How a transaction answers: which member holds its actions, and whether an empty "Responses" leads. */
typedef struct txn_shape {
    const char *items;
    int responses;
} txn_shape;

static void write_txn_result(ddb_req *req, const ddb_mutation *ms, uint32_t n, char kind, const txn_shape *shape)
{
    ddb_rcc rcc = req->rcc;
    ddb_jw *w = &req->out;
    ddb_consumed *used = DDB_NEW_ARRAY(req->arena, ddb_consumed, n);

    ddb_jw_obj_begin(w);
    if (shape->responses) { /* ExecuteTransaction's writes answer an empty list */
        ddb_jw_key(w, "Responses");
        ddb_jw_arr_begin(w);
        ddb_jw_arr_end(w);
    }
    ddb_consumed_write_list(req, rcc, used, consumed_per_table(req, ms, n, kind, used)); /* charged even for NONE */
    if (kind == 'W')
        write_txn_collection_metrics(req, ms, n);
    ddb_jw_obj_end(w);
}

/* The answer to a call whose token was already used (st is not NEW): the result, or the error. */
static int token_answer(ddb_req *req, ddb_token_state st, const ddb_mutation *ms, uint32_t n, const txn_shape *shape)
{
    switch (st) {
    case DDB_TOKEN_REPLAY:
        write_txn_result(req, ms, n, 'R', shape);
        return DDB_OK;
    case DDB_TOKEN_MISMATCH:
        return ddb_req_fail(req, DDB_E_IDEMPOTENT_PARAMETER_MISMATCH,
                            "Request parameters do not match the original request that used this ClientRequestToken");
    case DDB_TOKEN_IN_PROGRESS:
        return ddb_req_fail(req, DDB_E_TRANSACTION_IN_PROGRESS,
                            "The transaction with the given request token is already in progress.");
    default:
        return ddb_req_fail_internal(req);
    }
}

/* The token's verdict before running: 1 to run (then the record joins the commit, which answers
   a replay or a mismatch), 0 answered here (a call with the token runs in this process). */
static int claim_token(ddb_req *req, const char *token, unsigned char *digest, const ddb_mutation *ms, uint32_t n,
                       const txn_shape *shape)
{
    ddb_token_state st;
    ddb_buf b = {0};
    ddb_jw w;

    /* the parameters are the actions: a retry that asks for other capacity details is the same request */
    ddb_jw_init(&w, &b);
    ddb_jw_json(&w, ddb_json_get(req->in, shape->items));
    ddb_token_digest(b.data, b.len, digest);
    ddb_buf_free(&b);
    st = ddb_token_begin(req->eng->tokens, token); /* its record: read by the commit (ddb_mutate_txn) */
    if (st == DDB_TOKEN_NEW)
        return 1;
    token_answer(req, st, ms, n, shape);
    return 0;
}

static int run_transaction(ddb_req *req, ddb_mutation *ms, uint32_t n, const txn_shape *shape)
{
    const char *token = ddb_json_get_str(req->in, "ClientRequestToken");
    unsigned char digest[DDB_TOKEN_DIGEST_BYTES];
    ddb_txn_token tok;
    ddb_error err;
    int rc;

    /* a token is an account's own (--namespaces): the same token in two namespaces is two transactions */
    if (token != NULL)
        token = ddb_ns_key(req->arena, req->ns, token);

    if (token != NULL && !claim_token(req, token, digest, ms, n, shape))
        return req->err.code;
    for (uint32_t i = 0; i < n; i++) /* --enforce-capacity takes their tables' units twice */
        ms[i].request = DDB_REQUEST_TXN;
    /* an injected latency holds the answer after the commit: the call runs, and its token stays in
       progress, until the answer goes (the server's clock: http/respond.c) */
    tok = (ddb_txn_token){token, digest, req->fault_delay_ms, DDB_TOKEN_NEW, 0};
    rc = ddb_mutate_txn(req->eng, req->arena, ms, n, token != NULL ? &tok : NULL, &err);
    if (token != NULL)
        ddb_token_end(req->eng->tokens, token,
                      rc == DDB_OK && tok.found == DDB_TOKEN_NEW && tok.hold_ms > 0 ? tok.commit_ms + tok.hold_ms : 0);
    if (rc == DDB_E_TRANSACTION_CANCELED)
        return cancel_from_mutations(req, ms, n);
    if (rc != DDB_OK) {
        req->err = err;
        return rc;
    }
    if (tok.found != DDB_TOKEN_NEW) /* the commit found the token's record: a replay, or a mismatch */
        return token_answer(req, tok.found, ms, n, shape);
    if (token != NULL) /* its record is history the memory budget counts (engine/history/retention.h) */
        ddb_engine_retain(req->eng, DDB_RET_TOKENS, ddb_token_record_bytes(token));
    ddb_crash_point("transact-after-commit");
    write_txn_result(req, ms, n, 'W', shape);
    return DDB_OK;
}

int ddb_transact_run_statements(ddb_req *req, ddb_mutation *ms, uint32_t n)
{
    static const txn_shape shape = {"TransactStatements", 1};

    for (uint32_t i = 0; i < n; i++)
        if (strong_refused(req, ms[i].t) != DDB_OK)
            return req->err.code;
    return run_transaction(req, ms, n, &shape);
}

/* Steps 1 and 2 of both operations (and an injected conflict): the actions, or NULL after failing. */
static action *prepare_actions(ddb_req *req, int get, uint32_t *n)
{
    const ddb_json *items = ddb_json_get(req->in, "TransactItems");
    action *acts = DDB_NEW_ARRAY(req->arena, action, items->n);

    *n = items->n;
    if (decode_actions(req, items, acts, get) != DDB_OK || resolve_actions(req, acts, *n) != DDB_OK ||
        injected_conflict(req, *n) != DDB_OK)
        return NULL;
    return acts;
}

int ddb_op_transact_write_items(ddb_req *req)
{
    uint32_t n;
    action *acts = prepare_actions(req, 0, &n);
    ddb_mutation *ms;

    if (acts == NULL)
        return req->err.code;
    ms = DDB_NEW_ARRAY(req->arena, ddb_mutation, n);
    mutations_from_actions(req, acts, ms, n);
    return run_transaction(req, ms, n, &(txn_shape){"TransactItems", 0});
}

/* ---- TransactGetItems ---- */

int ddb_transact_read_keys(ddb_req *req, ddb_read_slot *keys, uint32_t n)
{
    int rc = ddb_read_batch(req->eng, req->arena, keys, n);

    if (rc == DDB_READ_CONFLICT) /* writes of other gateways kept changing the items (RADOS) */
        return ddb_transact_cancel_one(req, n, 0, "TransactionConflict", "Transaction is ongoing for the item");
    if (rc != 0)
        return ddb_req_fail_internal(req);
    return DDB_OK;
}

int ddb_transact_answer_add(ddb_req *req, size_t *total, const ddb_attr *item)
{
    *total += 4 + (item != NULL ? ddb_item_size(item) : 0);
    if (*total > TXN_PAYLOAD_LIMIT)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Payload in response is too large.%zu", *total);
    return DDB_OK;
}

/* The items read, decoded and projected (NULL where absent), the answer's size checked before a
   byte of it is written. */
static ddb_attr **projected_items(ddb_req *req, action *acts, uint32_t n, const ddb_read_slot *keys)
{
    ddb_attr **items = DDB_NEW_ARRAY(req->arena, ddb_attr *, n);
    size_t total = 0;

    for (uint32_t i = 0; i < n; i++) {
        ddb_attr item;
        if (keys[i].val != NULL) {
            if (ddb_item_decode(req->arena, keys[i].val, keys[i].vlen, &item) != 0) {
                ddb_req_fail_internal(req);
                return NULL;
            }
            items[i] = DDB_NEW(req->arena, ddb_attr);
            ddb_expr_project(req->arena, acts[i].parsed.projection, &item, items[i]);
        }
        if (ddb_transact_answer_add(req, &total, items[i]) != DDB_OK)
            return NULL;
    }
    return items;
}

static int write_get_result(ddb_req *req, action *acts, uint32_t n, const ddb_read_slot *keys)
{
    ddb_rcc rcc = req->rcc;
    ddb_consumed *used = DDB_NEW_ARRAY(req->arena, ddb_consumed, n);
    uint32_t nt = 0;
    ddb_jw *w = &req->out;
    ddb_attr **items = projected_items(req, acts, n, keys);

    if (items == NULL)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Responses");
    ddb_jw_arr_begin(w);
    for (uint32_t i = 0; i < n; i++) {
        size_t size = keys[i].val ? ddb_item_stored_size(keys[i].val, keys[i].vlen) : 0;
        /* a transactional read: twice a consistent one */
        double units = 2 * ddb_read_units(size, 1);
        ddb_consumed_for(used, &nt, acts[i].t, 'R')->table += units;
        ddb_partition_record(req, acts[i].t, NULL, 0, acts[i].key.bytes, acts[i].key.len, units);
        ddb_jw_obj_begin(w);
        if (items[i] != NULL) {
            ddb_jw_key(w, "Item");
            ddb_item_write_json(w, items[i]);
        }
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_consumed_write_list(req, rcc, used, nt);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

int ddb_op_transact_get_items(ddb_req *req)
{
    uint32_t n;
    action *acts = prepare_actions(req, 1, &n);
    ddb_read_slot *keys;

    if (acts == NULL)
        return req->err.code;
    keys = DDB_NEW_ARRAY(req->arena, ddb_read_slot, n);
    for (uint32_t i = 0; i < n; i++) {
        ddb_error err;
        int code = ddb_read_admitted(req, acts[i].t, NULL, acts[i].key.bytes, acts[i].key.len, &err);
        if (code != 0) /* --enforce-capacity (engine/capacity/meter.h) */
            return ddb_transact_cancel_one(req, n, i, code == DDB_E_THROTTLING ? "ThrottlingError"
                                                                                : "ProvisionedThroughputExceeded",
                                           err.msg);
        keys[i] = (ddb_read_slot){acts[i].key.bytes, acts[i].key.len, NULL, 0};
    }
    if (ddb_transact_read_keys(req, keys, n) != DDB_OK)
        return req->err.code;
    return write_get_result(req, acts, n, keys);
}
