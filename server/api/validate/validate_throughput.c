/*
 * server/api/validate/validate_throughput.c: OnDemandThroughput and WarmThroughput, the table's and each
 * GSI's: their shapes and the rules DynamoDB applies to them (declared in validate.h, since
 * UpdateTable's handler applies them against the stored table).
 *
 * The texts are DynamoDB's as a public record of captures against it keeps them (ACK's DynamoDB
 * controller quirk notes, DDB-TABLE-039, -059, -128, -155 and -280, verified 2026-10-08): the
 * table's "... for table is outside of valid range", "... for index : <name> is ..." for an index
 * (with its space before the colon), and the WarmThroughput texts. The index variant of the
 * PROVISIONED rule and the provisioned GSI's WarmThroughput text follow the table's (see
 * docs/compatibility.md).
 */
#include <stdio.h>

#include "server/api/validate/validate_internal.h"

#define WARM_ON_DEMAND_DOC                                                                                             \
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html"                    \
    "#on-demand-capacity-mode-initial"

/* The API model's Longs, without bounds: the rules below judge the values. */
const ddb_field ddb_on_demand_fields[] = {
    {"MaxReadRequestUnits", DDB_V_LONG},
    {"MaxWriteRequestUnits", DDB_V_LONG},
    {NULL},
};
const ddb_field ddb_warm_fields[] = {
    {"ReadUnitsPerSecond", DDB_V_LONG},
    {"WriteUnitsPerSecond", DDB_V_LONG},
    {NULL},
};

static const char *const ODT_UNITS[] = {"MaxReadRequestUnits", "MaxWriteRequestUnits"};
static const char *const WARM_UNITS[] = {"ReadUnitsPerSecond", "WriteUnitsPerSecond"};

/* A member of `obj` that was sent (null is not), or NULL. */
static const ddb_json *sent(const ddb_json *obj, const char *name)
{
    const ddb_json *v = ddb_v_get(obj, name);

    return ddb_v_present(v) ? v : NULL;
}

/* "table" or "index <name>", with DynamoDB's `sep` between the word and the name. */
static const char *subject(ddb_arena *a, const char *index, const char *sep)
{
    return index == NULL ? "table" : ddb_arena_sprintf(a, "index%s%s", sep, index);
}

const char *ddb_on_demand_rules(ddb_arena *a, const ddb_json *odt, int ppr, const char *index, int update)
{
    if (odt == NULL)
        return NULL;
    for (int i = 0; i < 2 && !ppr; i++)
        if (sent(odt, ODT_UNITS[i]) != NULL)
            return ddb_arena_sprintf(a, INVALID "%s for OnDemandThroughput%s%s cannot be specified when the table "
                                                "BillingMode is PROVISIONED",
                                     ODT_UNITS[i], index != NULL ? " for index: " : "", index != NULL ? index : "");
    for (int i = 0; i < 2; i++) {
        const ddb_json *v = sent(odt, ODT_UNITS[i]);
        double n = v != NULL ? ddb_v_number(v, 1) : 1;
        if (n >= 1 || (update && n == -1)) /* -1 removes a maximum: only a change can */
            continue;
        return ddb_arena_sprintf(a, INVALID "Requested %s for OnDemandThroughput for %s is outside of valid range",
                                 ODT_UNITS[i], subject(a, index, " : "));
    }
    return NULL;
}

const char *ddb_warm_create_rules(ddb_arena *a, const ddb_json *warm, int ppr, const ddb_json *pt, const char *index)
{
    static const char *const capacity[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    static const double on_demand[] = {12000, 4000};

    for (int i = 0; i < 2 && warm != NULL; i++) {
        const ddb_json *v = sent(warm, WARM_UNITS[i]), *floor = sent(pt, capacity[i]);
        double n = v != NULL ? ddb_v_number(v, 1) : 0;
        if (v == NULL || n >= (ppr ? on_demand[i] : floor != NULL ? ddb_v_number(floor, 1) : 1))
            continue;
        if (ppr)
            return ddb_arena_sprintf(a, INVALID "Requested %s for WarmThroughput for %s is lower than initial "
                                                "throughput for OnDemand. See: " WARM_ON_DEMAND_DOC,
                                     WARM_UNITS[i], subject(a, index, " "));
        return ddb_arena_sprintf(a, INVALID "Requested %s for WarmThroughput for %s is lower than %s of "
                                            "ProvisionedThroughput",
                                 WARM_UNITS[i], subject(a, index, " "), capacity[i]);
    }
    return NULL;
}

const char *ddb_warm_update_rules(ddb_arena *a, const ddb_json *warm, const long long cur[2], const char *index)
{
    for (int i = 0; i < 2 && warm != NULL; i++) {
        const ddb_json *v = sent(warm, WARM_UNITS[i]);
        if (v == NULL || ddb_v_number(v, 1) >= (double)cur[i])
            continue;
        return ddb_arena_sprintf(a, INVALID "Requested %s for WarmThroughput for %s is lower than current "
                                            "WarmThroughput, decreasing WarmThroughput is not supported",
                                 WARM_UNITS[i], subject(a, index, " "));
    }
    return NULL;
}

/* CreateTable's (and ImportTable's, and a restore's): the table's members, then each GSI's. */
const char *ddb_create_table_throughput_rules(ddb_arena *a, const ddb_json *in)
{
    const ddb_json *gsis = ddb_v_get(in, "GlobalSecondaryIndexes");
    int ppr = same_str(ddb_json_get_str(in, "BillingMode"), "PAY_PER_REQUEST");
    const char *msg;

    if ((msg = ddb_on_demand_rules(a, sent(in, "OnDemandThroughput"), ppr, NULL, 0)) != NULL ||
        (msg = ddb_warm_create_rules(a, sent(in, "WarmThroughput"), ppr, sent(in, "ProvisionedThroughput"), NULL)))
        return msg;
    for (uint32_t i = 0; i < list_len(gsis); i++) {
        const ddb_json *ix = item_at(gsis, i);
        const char *name = ddb_json_get_str(ix, "IndexName");
        if ((msg = ddb_on_demand_rules(a, sent(ix, "OnDemandThroughput"), ppr, name, 0)) != NULL ||
            (msg = ddb_warm_create_rules(a, sent(ix, "WarmThroughput"), ppr, sent(ix, "ProvisionedThroughput"), name)))
            return msg;
    }
    return NULL;
}
