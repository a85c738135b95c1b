/*
 * server/engine/jobs/ttl.h: Time to Live.
 *
 * A table's TTL setting is in its catalog entry, "ddbdTtl": {"Attr": name, "Enabled": bool,
 * "Changed": ms} (UpdateTimeToLive: ops/ops_ttl.c), the member of the ttl row (server/features.def:
 * the catalog reads it into t->ttl, table.h's ddb_ttl_facts, once per table version, and every reader
 * asks that, never the member; ddb_edit_ttl writes it; the row has no other hook).
 * The background worker sweeps every table with TTL enabled every --ttl-interval seconds (and at once when the clock moves, clock.h): each item
 * whose TTL attribute is a Number of epoch seconds in the past (by the server's clock), and not
 * more than five years in the past (DynamoDB ignores those), is deleted through the mutation
 * pipeline under the condition that it is still expired, so an item updated meanwhile survives.
 * The delete's stream record is a service delete (userIdentity dynamodb.amazonaws.com). Until the
 * sweep reaches them, expired items are still read, as in DynamoDB.
 */
#ifndef DDB_TTL_H
#define DDB_TTL_H

#include "server/engine/jobs/tasks.h"

#include <stdint.h>

#include "server/engine/feature.h"


#define DDB_TTL_CHANGE_INTERVAL_MS (3600 * 1000ULL) /* one UpdateTimeToLive an hour; DISABLING lasts that long */
#define DDB_TTL_MAX_AGE_S (5LL * 365 * 24 * 3600)   /* older expiry times are not acted on */

#define DDB_MEMBER_TTL "ddbdTtl"
/* The row that owns "ddbdTtl" (its state: none, NULL). */
extern const ddb_feature ddb_feature_ttl;
struct ddb_desc_edit;
/* The table's TTL: the attribute (kept while disabled), whether enabled, when it last changed. */
void ddb_edit_ttl(struct ddb_desc_edit *e, const char *attr, int enabled, uint64_t changed_ms);

/* The member's value `ttl` (NULL: none, all zero) typed: what the catalog reads into t->ttl. */
void ddb_ttl_facts_read(const ddb_json *ttl, ddb_ttl_facts *out);
/* The TTL of a stored description that is not a table version (a backup's source table). */
void ddb_ttl_of_desc(const ddb_json *desc, ddb_ttl_facts *out);

/* The worker's sweep, every --ttl-interval seconds: deletes the expired items of every table with
   TTL enabled. */
extern const ddb_job ddb_job_ttl;

#endif
