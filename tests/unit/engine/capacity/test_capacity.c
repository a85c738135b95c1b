/*
 * tests/unit/engine/capacity/test_capacity.c: the capacity model (engine/capacity/capacity.h) over
 * the capacity the catalog types once per table version (table.h's ddb_capacity): a provisioned
 * table (BillingMode absent: CreateTable's default) and its GSI, an on-demand table with an
 * OnDemandThroughput maximum and a warm throughput, and what --enforce-capacity's buckets, the
 * hot-partition forecast, the usage report and DescribeTable's warm throughput are told of each.
 */
#include <stdlib.h>
#include <string.h>

#include "server/engine/capacity/capacity.h"
#include "server/engine/catalog/catalog.h"
#include "test.h"
#include "test_store.h"

#define DEF(n, t) "{\"AttributeName\":\"" n "\",\"AttributeType\":\"" t "\"}"
#define KEY(n, k) "{\"AttributeName\":\"" n "\",\"KeyType\":\"" k "\"}"
#define PT(r, w) "\"ProvisionedThroughput\":{\"ReadCapacityUnits\":" #r ",\"WriteCapacityUnits\":" #w "}"

/* No BillingMode: provisioned, 5 reads and 7 writes a second; its GSI 3 and 2, warm at 100 reads. */
#define PROVISIONED_DESC                                                                                               \
    "{\"AttributeDefinitions\":[" DEF("pk", "S") "," DEF("g", "S") "],\"KeySchema\":[" KEY("pk", "HASH") "]," PT(5, 7) \
    ",\"GlobalSecondaryIndexes\":[{\"IndexName\":\"byg\",\"KeySchema\":[" KEY("g", "HASH") "],"                        \
    "\"Projection\":{\"ProjectionType\":\"ALL\"}," PT(3, 2) ",\"WarmThroughput\":{\"ReadUnitsPerSecond\":100}}]}"

/* On demand, its reads at most 50 a second (a -1 maximum is none), its writes warm at 9,000. */
#define ON_DEMAND_DESC                                                                                                 \
    "{\"AttributeDefinitions\":[" DEF("pk", "S") "],\"KeySchema\":[" KEY("pk", "HASH") "],"                            \
    "\"BillingMode\":\"PAY_PER_REQUEST\"," PT(0, 0) ","                                                                \
    "\"OnDemandThroughput\":{\"MaxReadRequestUnits\":50,\"MaxWriteRequestUnits\":-1},"                                \
    "\"WarmThroughput\":{\"WriteUnitsPerSecond\":9000}}"

static const ddb_table *create(ddb_catalog *c, const char *name, const char *desc)
{
    const ddb_table *t = NULL;

    if (ddb_catalog_create(c, name, desc, strlen(desc), 1.0, NULL, &t) != 0)
        return NULL;
    return t;
}

TEST(a_provisioned_table_and_its_gsi)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, NULL, &err);
    const ddb_table *t;
    const ddb_index *ix;
    long long warm[2];
    double no_peak[2] = {0, 0};

    ASSERT(c != NULL);
    ASSERT((t = create(c, "prov", PROVISIONED_DESC)) != NULL);
    ASSERT((ix = ddb_table_index(t, "byg")) != NULL);
    /* typed once: the table's mode is its GSI's too */
    ASSERT(ddb_capacity_provisioned(t) && t->capacity.provisioned && ix->capacity.provisioned);
    ASSERT_EQ(ddb_capacity_units(t, NULL, 0), 5);
    ASSERT_EQ(ddb_capacity_units(t, NULL, 1), 7);
    ASSERT_EQ(ddb_capacity_units(t, ix, 0), 3);
    ASSERT_EQ(ddb_capacity_units(t, ix, 1), 2);
    /* the throttle's buckets fill at the provisioned rates */
    ASSERT_EQ(ddb_capacity_enforced_rate(t, NULL, 1), 7);
    ASSERT_EQ(ddb_capacity_enforced_rate(t, ix, 0), 3);
    /* warm throughput: what was set, never below the provisioned capacity */
    ddb_warm_throughput(t, NULL, warm);
    ASSERT(warm[0] == 5 && warm[1] == 7);
    ddb_warm_throughput(t, ix, warm);
    ASSERT(warm[0] == 100 && warm[1] == 2);
    /* partitions: the provisioned units (the peak does not count), then the size, 10 GB each */
    ASSERT_EQ(ddb_capacity_partitions(t, (double[2]){30000, 30000}, 0), 1);
    ASSERT_EQ(ddb_capacity_partitions(t, no_peak, 25.0 * 1024 * 1024 * 1024), 3);
    ddb_catalog_close(c);
    ddb_store_close(st);
    free(err);
}

TEST(an_on_demand_table)
{
    ddb_store *st = mem_store(2);
    char *err = NULL;
    ddb_catalog *c = ddb_catalog_open(st, NULL, &err);
    const ddb_table *t;
    long long warm[2];

    ASSERT(c != NULL);
    ASSERT((t = create(c, "ppr", ON_DEMAND_DESC)) != NULL);
    ASSERT(!ddb_capacity_provisioned(t));
    ASSERT_EQ(ddb_capacity_units(t, NULL, 0), 0);
    ASSERT_EQ(ddb_capacity_units(t, NULL, 1), 0);
    /* the throttle: its maximum, or no limit (0) where none is set */
    ASSERT_EQ(ddb_capacity_enforced_rate(t, NULL, 0), 50);
    ASSERT_EQ(ddb_capacity_enforced_rate(t, NULL, 1), 0);
    /* warm throughput: the initial 12,000 reads, the 9,000 writes set */
    ddb_warm_throughput(t, NULL, warm);
    ASSERT(warm[0] == DDB_ON_DEMAND_INITIAL_READ && warm[1] == 9000);
    /* the forecast: twice the previous peak, never below the initial throughput */
    ASSERT_EQ(ddb_capacity_on_demand_limit(1000, 1), DDB_ON_DEMAND_INITIAL_WRITE);
    ASSERT_EQ(ddb_capacity_on_demand_limit(3000, 1), 6000);
    ASSERT_EQ(ddb_capacity_on_demand_limit(0, 0), DDB_ON_DEMAND_INITIAL_READ);
    /* partitions: its observed peak, at least the initial throughput's four */
    ASSERT_EQ(ddb_capacity_partitions(t, (double[2]){0, 0}, 0), 4);
    ASSERT_EQ(ddb_capacity_partitions(t, (double[2]){30000, 0}, 0), 10);
    ddb_catalog_close(c);
    ddb_store_close(st);
    free(err);
}
