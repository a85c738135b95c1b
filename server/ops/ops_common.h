/*
 * server/ops/ops_common.h: helpers every operation uses: table lookup, key extraction and checks,
 * capacity arithmetic and rendering, ReturnValues.
 */
#ifndef DDB_OPS_COMMON_H
#define DDB_OPS_COMMON_H

#include "server/api/req.h"
#include "server/engine/capacity.h"
#include "server/engine/catalog.h"
#include "server/engine/keycodec.h"

typedef enum ddb_rcc { DDB_RCC_NONE, DDB_RCC_TOTAL, DDB_RCC_INDEXES } ddb_rcc;

/*
 * The table named in the request, or NULL after recording ResourceNotFoundException:
 * "Requested resource not found" (data plane) or, with `name_in_message`,
 * "Requested resource not found: Table: <name> not found" (control plane).
 */
const ddb_table *ddb_table_or_fail(ddb_req *req, const char *name, int name_in_message);

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

ddb_rcc ddb_rcc_parse(const ddb_json *in);
/* Units a request consumed on a table and on each of its indexes (t->indexes order). */
typedef struct ddb_consumed {
    const ddb_table *t;
    double table;
    double index[DDB_MAX_INDEXES];
    /* 'R' or 'W': also name the units ReadCapacityUnits / WriteCapacityUnits, as DynamoDB's
       transactions do (they may charge reads and writes); 0: CapacityUnits alone */
    char units;
    double written;  /* the part of the units that writes consumed (ddb_consumed_add); the rest was read */
    int taken;       /* --enforce-capacity: its reads were taken from the buckets as they went (a batch) */
    const char *name; /* TableName as the request named the table (its ARN); NULL: t->name */
} ddb_consumed;
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

/* --enforce-capacity (engine/throttle.h): DDB_OK, or the throttling error recorded (and the key
   told to Contributor Insights) when a read of t or its index ix, of the partition of the stored
   key (NULL or short for a Scan), is throttled. */
int ddb_read_throttled_or_fail(ddb_req *req, const ddb_table *t, const ddb_index *ix, const char *key, size_t klen);

/*
 * Charges what a successful request consumed, whatever ReturnConsumedCapacity says (to its tables'
 * figures for /metrics, engine/table_stats.h, and to req->consumed_* for the access log), and
 * writes "ConsumedCapacity": {...} into req->out (nothing for NONE). Every operation that consumes
 * capacity calls this, or the list form, exactly once.
 */
void ddb_consumed_write(ddb_req *req, ddb_rcc rcc, const ddb_consumed *c);
/* The charge alone, nothing written: a write refused by its condition (DynamoDB charges it). */
void ddb_consumed_charge(ddb_req *req, const ddb_consumed *c);
/* The same with "ConsumedCapacity": [{...}, ...], one per table: batches, transactions. */
void ddb_consumed_write_list(ddb_req *req, ddb_rcc rcc, const ddb_consumed *used, size_t n);
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
