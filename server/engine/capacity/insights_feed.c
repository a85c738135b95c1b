/*
 * server/engine/capacity/insights_feed.c: what the mutation pipeline and the read path tell Contributor
 * Insights (insights.h): each committed write's item key, and its key in each global secondary
 * index it is in; each point read's key; each range read's partition.
 */
#include "server/engine/capacity/insights_feed.h"

#include "server/engine/capacity/capacity.h"
#include "server/engine/capacity/insights.h"
#include "server/engine/keycodec.h"

/* DynamoDB's ConsumedThroughputUnits: 3 x write units + read units (the developer guide). */
#define WRITE_WEIGHT 3
/* A Query is one event whatever it returns (the developer guide's billing): one read unit */
#define QUERY_UNITS 1

static const ddb_attr *part_value(const ddb_attr *item, const ddb_key_part *p)
{
    const ddb_attr *v = ddb_item_get(item, p->name, p->nlen);
    return v != NULL && v->type == p->type ? v : NULL;
}

/* The item's key in a GSI (its first partition and sort attributes), if it is in it. */
static void feed_index(ddb_insights *ci, ddb_arena *a, const ddb_index *ix, const ddb_attr *item, double units)
{
    const ddb_attr *pk = part_value(item, &ix->hash[0]), *sk = NULL;
    const char *pform, *sform = NULL;
    size_t plen, slen = 0;

    if (pk == NULL || (ix->nrange > 0 && (sk = part_value(item, &ix->range[0])) == NULL))
        return;
    ddb_key_form(a, pk, &pform, &plen);
    if (sk != NULL)
        ddb_key_form(a, sk, &sform, &slen);
    ddb_insights_record_parts(ci, ix->id, pform, plen, sform, slen, units, 0);
}

void ddb_insights_write(ddb_insights *ci, ddb_arena *a, const ddb_table *t, const ddb_key *key, const ddb_attr *item,
                        double units, const double *index_units)
{
    if (!ddb_insights_on(ci))
        return;
    ddb_insights_record_stored(ci, key->bytes, key->len, WRITE_WEIGHT * units, 0);
    for (unsigned i = 0; item != NULL && i < t->nindexes; i++) {
        const ddb_index *ix = &t->indexes[i];
        if (ix->kind == DDB_IX_GLOBAL && index_units[i] > 0)
            feed_index(ci, a, ix, item, WRITE_WEIGHT * index_units[i]);
    }
}

void ddb_insights_read(ddb_insights *ci, const char *key, size_t klen, size_t stored_size)
{
    if (ddb_insights_on(ci))
        ddb_insights_record_stored(ci, key, klen, ddb_read_units(stored_size, 1), 0);
}

void ddb_insights_range(ddb_insights *ci, const char *lo, size_t lolen)
{
    size_t pk_end;

    if (!ddb_insights_on(ci) || lolen < DDB_KEY_PREFIX_BYTES)
        return;
    pk_end = DDB_KEY_PREFIX_BYTES + ddb_get_be(lo + DDB_KEY_PARTITION_BYTES, 2);
    if (lolen >= pk_end)
        ddb_insights_record_stored(ci, lo, pk_end, QUERY_UNITS, 0);
}

void ddb_insights_throttled(ddb_insights *ci, const char *key, size_t klen)
{
    if (ddb_insights_on(ci))
        ddb_insights_record_stored(ci, key, klen, 0, 1);
}
