/*
 * server/ops/ops_common.h: helpers every operation uses: table lookup, key extraction and checks,
 * capacity arithmetic and rendering, ReturnValues.
 */
#ifndef DDB_OPS_COMMON_H
#define DDB_OPS_COMMON_H

#include "server/api/req.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/keycodec.h"
#include "server/engine/capacity/meter.h" /* ddb_consumed */
#include "server/engine/engine.h"

/* ---- a table's life as long as production's: the row engine.h's ddb_engine_life finds answers
   (engine/feature.h's state_until ... deleting_names; --table-states'), and without one a table is
   ACTIVE and gone at once ---- */

/* Whether table t (ix NULL), or its index ix, is still CREATING by the clock. */
static inline int ddb_creating_now(const ddb_engine *eng, const ddb_table *t, const ddb_index *ix)
{
    const ddb_feature_slot *f = ddb_engine_life(eng);

    return f != NULL && f->row->creating(f, t, ix);
}

/* Whether t's index ix is CREATING with Backfilling: being built, or not yet due by the clock. */
static inline int ddb_backfilling_now(const ddb_engine *eng, const ddb_table *t, const ddb_index *ix)
{
    return (ix->state == DDB_IX_CREATING && ix->backfilling) || ddb_creating_now(eng, t, ix);
}

/* When a state a table or an index enters now (CREATING, DELETING) ends, server-clock ms; 0: at
   once, as for every request made in-process (--seed, a namespace snapshot's restore, a replica's
   table, MCP over standard input), which makes and deletes tables at once. */
uint64_t ddb_state_until(const ddb_req *req);
/* Writes `until` (ddb_state_until's, not 0) into edit e as the end of CREATING of the table it makes
   (`index` 0) or of the index it adds (1), in the row's own table member (feature.h's creating_until). */
void ddb_edit_creating(const ddb_req *req, struct ddb_desc_edit *e, int index, uint64_t until);

/*
 * The table named in the request, or NULL after recording ResourceNotFoundException:
 * "Requested resource not found" (data plane) or, with `name_in_message`,
 * "Requested resource not found: Table: <name> not found" (control plane).
 */
const ddb_table *ddb_table_or_fail(ddb_req *req, const char *name, int name_in_message);
/* Table `name` of the request's namespace, or NULL, for an operation that refuses it when absent or
   being restored: on a store other gateways share, confirmed with the stored description first
   (ddb_catalog_confirm: another gateway may serve it already). */
const ddb_table *ddb_table_named(ddb_req *req, const char *name);

/*
 * Checks a full item's key attributes against the schema (PutItem wording: "Missing the key pk in
 * the item", "Type mismatch for key ...", empty and oversize key values) and builds its key.
 */
int ddb_item_key_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *item, ddb_key *key);
/* The same with BatchWriteItem's wording: "The provided key element does not match the schema". */
int ddb_item_key_generic_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *item, ddb_key *key);
/* The same for a Key parameter (GetItem/DeleteItem wording: "The provided key element does not match the schema"). */
int ddb_key_param_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *keyattrs, ddb_key *key);
/* The key of a partition (Query): the hash key value alone; key->part_len == key->len. */
int ddb_partition_key_or_fail(ddb_req *req, const ddb_table *t, const ddb_attr *value, ddb_key *key);
/* The same, returning the message (NULL when the key is good) instead of recording it. */
const char *ddb_key_param_check(ddb_req *req, const ddb_table *t, const ddb_attr *keyattrs, ddb_key *key);

/* "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of
   the key" when an update expression sets or removes a key attribute of t; else NULL. */
struct ddb_expr;
const char *ddb_update_key_target_check(ddb_arena *a, const ddb_table *t, const struct ddb_expr *update);

/* Adds a mutation's (write) units; `index` is per index of `src` (the description the mutation ran under). */
void ddb_consumed_add(ddb_consumed *c, const ddb_table *src, double table, const double *index);
/* Writes one ConsumedCapacity object (TableName, CapacityUnits; with INDEXES, Table and the touched indexes). */
void ddb_consumed_write_obj(ddb_jw *w, ddb_rcc rcc, const ddb_consumed *c);
/*
 * What ddb_catalog_edit's result means for a change of the table TableName names: DDB_OK, the
 * error the edit recorded (-2), ResourceNotFoundException "Requested resource not found: Table:
 * <name> not found" when the table went away meanwhile (1), else InternalServerError.
 */
int ddb_table_edit_or_fail(ddb_req *req, int rc);
/* The same for ddb_table_create's result (table_create.h): table `name` that exists already (1)
   fails with `exists` "Table already exists: <name>" (CreateTable's ResourceInUseException, a
   restore's TableAlreadyExistsException). */
int ddb_table_created_or_fail(ddb_req *req, int rc, int exists, const char *name);

/* --enforce-capacity (engine/capacity/meter.h): DDB_OK, or the throttling error recorded (and the key told
   to Contributor Insights) when a read of t or its index ix, of the partition of the stored key
   (NULL or short for a Scan), is not let in. */
int ddb_read_throttled_or_fail(ddb_req *req, const ddb_table *t, const ddb_index *ix, const char *key, size_t klen);
/* The same, the error returned in *err instead of recorded (a batch's key comes back unprocessed,
   a transaction cancels). */
int ddb_read_admitted(ddb_req *req, const ddb_table *t, const ddb_index *ix, const char *key, size_t klen,
                      ddb_error *err);

/*
 * Records what a request consumed on the request (engine/capacity/meter.h), whatever ReturnConsumedCapacity
 * says, for dispatch to charge once after the handler returns (to its tables' figures for
 * /metrics, the access log, the trace span, --enforce-capacity's buckets), and writes
 * "ConsumedCapacity": {...} into req->out (nothing for NONE). Every operation that consumes
 * capacity calls this, or the list form, or records what it consumed with ddb_consumed_record.
 */
void ddb_consumed_write(ddb_req *req, ddb_rcc rcc, const ddb_consumed *c);
/* The record alone, nothing written: a write refused by its condition (DynamoDB charges it), a
   batch's or a transaction's read of one key. */
void ddb_consumed_record(ddb_req *req, const ddb_consumed *c);
/* The units the partition of the stored key `key` (of t, or of its index ix) served the request:
   a read's, or (`write`) a write's its condition refused; recorded for --enforce-capacity. */
void ddb_partition_record(ddb_req *req, const ddb_table *t, const ddb_index *ix, int write, const char *key,
                          size_t klen, double units);
/* Notes the access pattern of an item operation on t by its key (engine/capacity/pattern.h): the
   partition key value, when a string; nothing is copied (the key is request memory). */
void ddb_pattern_record_key(ddb_req *req, const ddb_table *t, const ddb_key *key);
/* Records each and writes "ConsumedCapacity": [{...}, ...], one per table: batches, transactions. */
void ddb_consumed_write_list(ddb_req *req, ddb_rcc rcc, const ddb_consumed *used, size_t n);
/* The list written alone, its units recorded already (key by key, ddb_consumed_record). */
void ddb_consumed_render_list(ddb_req *req, ddb_rcc rcc, const ddb_consumed *used, size_t n);
/* The key a batch answers RequestItems' member i under: as sent (req->items_as_sent), else `name`. */
const char *ddb_batch_key_as_sent(const ddb_req *req, uint32_t i, const char *name);
/* The entry of table t in used[0..*n), added (with `units`, see ddb_consumed) when it is not there yet. */
ddb_consumed *ddb_consumed_for(ddb_consumed *used, uint32_t *n, const ddb_table *t, char units);

/*
 * "ItemCollectionMetrics": {"ItemCollectionKey": {pk}, "SizeEstimateRangeGB": [lo, hi]} for a table
 * with local secondary indexes: the collection's size (engine/mutation.h) as the whole gigabytes
 * it lies between ([0.0, 1.0] below 1 GB).
 */
void ddb_write_collection_metrics(ddb_jw *w, const ddb_table *t, const ddb_attr *pk, unsigned long long size);
/* The metrics object alone (BatchWriteItem lists one per item collection). */
void ddb_write_collection_metrics_obj(ddb_jw *w, const ddb_table *t, const ddb_attr *pk, unsigned long long size);
/* Whether the request asks for them (ReturnItemCollectionMetrics SIZE): a batch's and a transaction's. */
int ddb_collection_metrics_asked(const ddb_req *req);
/* Batches and transactions: opens "ItemCollectionMetrics": { at the first table (*open tracks it),
   then the table's list, `name: [`; the caller writes the objects and closes the list. */
void ddb_collection_metrics_table(ddb_jw *w, int *open, const char *name);

/* "arn:aws:dynamodb:<region>:<owner>:table/<name>": the one ARN of table t, the same for every
   caller: its owner account (t->account: its namespace's, or the account that created it in the
   default namespace) and the request's region (without --namespaces a table is the same in every
   region). Every ARN of the table's things (index, stream, backup, export, import, bulk operation)
   is built on it. */
const char *ddb_table_arn(ddb_req *req, const ddb_table *t);
/* The owner account of table t, as its ARNs name it. */
const char *ddb_table_account(const ddb_table *t);

/* A time in ms as DynamoDB writes times: seconds since the epoch, with milliseconds ("1700000000.123"). */
void ddb_write_time_ms(ddb_jw *w, uint64_t ms);
/* Copies the members `names` (NULL-terminated) of obj that it has, in that order, into the open object. */
void ddb_write_members(ddb_jw *w, const ddb_json *obj, const char *const *names);
/* `key` and the array `list`, each object in it written with only the members `names` (as
   ddb_write_members); nothing when the list is absent or empty. */
void ddb_write_list_members(ddb_jw *w, const char *key, const ddb_json *list, const char *const *names);

#endif
