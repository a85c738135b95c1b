/*
 * server/engine/report/warnings.c: the cost report's access-pattern warnings (see warnings.h).
 *
 * Each warning is one row of WARNINGS: its name and the function that writes it when its rule
 * holds, from the table's observations (engine/capacity/access_warn.h) and its usage counters
 * (engine/capacity/usage.h). docs/usage.md lists the rules, their thresholds and why.
 */
#include "server/engine/report/warnings.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/report/units.h"
#include "server/engine/report/forecast.h"
#include "server/engine/capacity/insights.h"
#include "server/engine/table_stats.h"

/* Scans' share of the table's read units from which they are reported. */
#define SCAN_SHARE 0.10
/* A GSI's partition key of at most LOW_CARDINALITY_VALUES distinct values is reported once it
   holds LOW_CARDINALITY_PER_VALUE entries a value or more (a handful of items says nothing). */
#define LOW_CARDINALITY_VALUES 8
#define LOW_CARDINALITY_PER_VALUE 10

/* Filters: reported when they returned less than 1 item in FILTER_KEPT_1_IN of those read, over
   FILTER_MIN_SCANNED items read at least. */
#define FILTER_KEPT_1_IN 5
#define FILTER_MIN_SCANNED 100

typedef unsigned long long ull;

/* What a warning's function writes from: the report's writer, the table, the window, the prices. */
typedef struct view {
    ddb_jw *w;
    ddb_engine *eng;
    const ddb_table *t;
    double window_s;
    const ddb_prices *prices;
} view;

/* {"warning": name, "table": ..., ("index": ...,) "counts": {, left open for the counts. */
static void begin_index(ddb_jw *w, const char *name, const ddb_table *t, const char *index)
{
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "warning", name);
    ddb_jw_member_str(w, "table", t->name);
    if (index != NULL)
        ddb_jw_member_str(w, "index", index);
    ddb_jw_key(w, "counts");
    ddb_jw_obj_begin(w);
}

static void begin(ddb_jw *w, const char *name, const ddb_table *t)
{
    begin_index(w, name, t, NULL);
}

static void vmessage(ddb_jw *w, const char *fmt, va_list ap)
{
    char msg[768];

    vsnprintf(msg, sizeof(msg), fmt, ap);
    ddb_jw_member_str(w, "message", msg);
    ddb_jw_obj_end(w);
}

/* "message" after the counts are closed (and members of the warning's own written): closes the warning. */
static void message(ddb_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void message(ddb_jw *w, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vmessage(w, fmt, ap);
    va_end(ap);
}

/* Closes the counts, then "message": what was seen and what to change. */
static void end(ddb_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void end(ddb_jw *w, const char *fmt, ...)
{
    va_list ap;

    ddb_jw_obj_end(w);
    va_start(ap, fmt);
    vmessage(w, fmt, ap);
    va_end(ap);
}

static double table_read_units(const ddb_table_usage *u)
{
    double total = 0, r, wr;

    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        ddb_usage_get(&u->op[op], &r, &wr);
        total += r;
    }
    return total;
}

static void scan(const view *v)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    const ddb_access_warn *a = &ddb_capacity_table_of(t)->warn;
    const ddb_table_usage *u = &ddb_capacity_table_of(t)->usage;
    uint64_t scans = ddb_access_get(&a->scans);
    double read = table_read_units(u), scanned, ignored;

    ddb_usage_get(&u->op[DDB_OP_Scan], &scanned, &ignored);
    if (scans == 0 || read <= 0 || scanned < SCAN_SHARE * read)
        return;
    begin(w, "scan", t);
    ddb_jw_member_int(w, "scans", scans);
    ddb_jw_member_double(w, "scanReadUnits", scanned);
    ddb_jw_member_double(w, "readUnits", read);
    end(w,
        "%llu Scans consumed %.0f%% of the table's read units (%g of %g): a Scan reads every item of the table "
        "or index, and is charged for all it reads. Query by key instead (add a global secondary index for "
        "the access pattern), or keep the result where it is needed.",
        (ull)scans, 100 * scanned / read, scanned, read);
}

static void filter(const view *v)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    const ddb_access_warn *a = &ddb_capacity_table_of(t)->warn;
    uint64_t n = ddb_access_get(&a->filtered), read = ddb_access_get(&a->filtered_scanned),
             kept = ddb_access_get(&a->filtered_returned);

    if (read < FILTER_MIN_SCANNED || kept * FILTER_KEPT_1_IN >= read)
        return;
    begin(w, "filter", t);
    ddb_jw_member_int(w, "requests", n);
    ddb_jw_member_int(w, "scannedCount", read);
    ddb_jw_member_int(w, "count", kept);
    end(w,
        "Filters discarded %.0f%% of the items read (%llu requests read %llu items and returned %llu): a filter "
        "applies after the read, and the read is what is charged. Make the filtered attribute part of the key "
        "(the sort key, or a global secondary index's) so the request reads only what it returns.",
        100.0 * (double)(read - kept) / (double)read, (ull)n, (ull)read, (ull)kept);
}

static void large_items(const view *v)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    const ddb_access_warn *a = &ddb_capacity_table_of(t)->warn;
    uint64_t n = ddb_access_get(&a->large_items), largest = ddb_access_get(&a->largest_bytes);

    if (n == 0)
        return;
    begin(w, "largeItems", t);
    ddb_jw_member_int(w, "items", n);
    ddb_jw_member_int(w, "largestBytes", largest);
    end(w,
        "%llu writes of items of %d KB or more (the largest %llu bytes), near DynamoDB's 400 KB item limit: "
        "each costs a write unit per KB, and every read of it up to 100 read units. Keep large attributes in "
        "S3 with a pointer in the item, compress them, or split the item.",
        (ull)n, DDB_ACCESS_LARGE_ITEM_BYTES / 1024, (ull)largest);
}

static void ttl(const view *v)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    const ddb_access_warn *a = &ddb_capacity_table_of(t)->warn;
    uint64_t all = ddb_access_get(&a->ttl_writes), ms = ddb_access_get(&a->ttl_ms),
             strs = ddb_access_get(&a->ttl_strings);
    const char *attr = t->ttl.attr != NULL ? t->ttl.attr : "";

    if (ms > 0) {
        begin(w, "ttlMilliseconds", t);
        ddb_jw_member_int(w, "writes", all);
        ddb_jw_member_int(w, "milliseconds", ms);
        end(w,
            "%llu of %llu writes set the TTL attribute %s to a number above 1e11: milliseconds, not seconds "
            "since the epoch, so DynamoDB expires those items a thousand times later than meant. Store "
            "seconds (the milliseconds divided by 1000).",
            (ull)ms, (ull)all, attr);
    }
    if (strs > 0) {
        begin(w, "ttlString", t);
        ddb_jw_member_int(w, "writes", all);
        ddb_jw_member_int(w, "strings", strs);
        end(w,
            "%llu of %llu writes set the TTL attribute %s to a string: DynamoDB expires only items whose TTL "
            "attribute is a Number, so these never expire. Store the expiry time as a Number of seconds "
            "since the epoch.",
            (ull)strs, (ull)all, attr);
    }
}

static void index_unread(const view *v, const ddb_index *ix, double write)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    double cost = write * ddb_price_of_table(v->prices, t)->write_million / 1e6;

    begin_index(w, "unreadIndex", t, ix->name);
    ddb_jw_member_double(w, "writeUnits", write);
    ddb_jw_member_double(w, "writeCost", cost);
    ddb_jw_member_double(w, "monthlyCost", cost * DDB_USAGE_MONTH_SECONDS / v->window_s);
    end(w,
        "Global secondary index %s was written (%g write units) but never read: every write to the table "
        "that changes its attributes is billed again to it. Delete it if no access pattern queries it, or "
        "project fewer attributes into it.",
        ix->name, write);
}

static void unread_indexes(const view *v)
{
    const ddb_table *t = v->t;

    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_usage_units *iu = ddb_usage_of_index(&ddb_capacity_table_of(t)->usage, t->indexes[i].id);
        double read, write;
        if (iu == NULL || t->indexes[i].kind != DDB_IX_GLOBAL)
            continue;
        ddb_usage_get(iu, &read, &write);
        if (write > 0 && read == 0)
            index_unread(v, &t->indexes[i], write);
    }
}

static void sorted_load(const view *v)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    const ddb_access_warn *a = &ddb_capacity_table_of(t)->warn;
    uint64_t loads = ddb_access_get(&a->sorted_loads), writes = ddb_access_get(&a->sorted_writes);

    if (loads == 0)
        return;
    begin(w, "sortedLoad", t);
    ddb_jw_member_int(w, "loads", loads);
    ddb_jw_member_int(w, "writes", writes);
    end(w,
        "%llu bulk loads wrote items in partition key order, one key's items after another's (%llu writes in "
        "runs of %d or more): DynamoDB keeps a partition key's items in one partition, so such a load writes "
        "one partition at a time, at 1,000 write units a second at most. Shuffle the load, or interleave "
        "partition keys (one item of each key in turn).",
        (ull)loads, (ull)writes, DDB_ACCESS_SORTED_RUN);
}

static void read_after_write(const view *v)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    const ddb_access_warn *a = &ddb_capacity_table_of(t)->warn;
    uint64_t n = ddb_access_get(&a->fresh_reads);

    if (n == 0)
        return;
    begin(w, "readAfterWrite", t);
    ddb_jw_member_int(w, "reads", n);
    end(w,
        "%llu eventually consistent reads of an item written less than %d ms before: DynamoDB may return the "
        "item as it was before the write. Read with ConsistentRead where the write must be seen, or use "
        "the write's own response (ReturnValues).",
        (ull)n, DDB_ACCESS_FRESH_MS);
}

/* One GSI whose partition key has few values (the developer guide's "Designing partition keys to
   distribute your workload": a low-cardinality key sends each value's writes to one partition). */
static void index_few_values(const view *v, const ddb_index *ix, const ddb_key_values *kv)
{
    ddb_jw *w = v->w;
    const ddb_table *t = v->t;
    ddb_ci_top top = {.klen = kv->klen < DDB_CI_KEY_MAX ? kv->klen : DDB_CI_KEY_MAX};
    ddb_arena a;
    ddb_attr pk, sk;
    double share = kv->entries > 0 ? (double)kv->hottest / (double)kv->entries : 0;

    memcpy(top.key, kv->key, top.klen);
    begin_index(w, "lowCardinalityIndexKey", t, ix->name);
    ddb_jw_member_int(w, "distinctValues", kv->values);
    ddb_jw_member_int(w, "items", kv->entries);
    ddb_jw_member_int(w, "hottestValueItems", kv->hottest);
    ddb_jw_member_double(w, "hottestValueShare", share);
    ddb_jw_obj_end(w);
    ddb_arena_init(&a);
    ddb_insights_values(&a, &top, ix->hash[0].type, DDB_T_NONE, &pk, &sk);
    ddb_jw_key(w, "hottestValue");
    ddb_attr_write_json(w, &pk);
    ddb_arena_free(&a);
    ddb_jw_member_bool(w, "sampled", kv->sampled);
    message(w,
            "Global secondary index %s's partition key has %zu distinct value%s over %llu items (the most common "
            "holds %.0f %%): DynamoDB keeps each value's entries in one partition, so the index serves %zu x "
            "1,000 write units a second at most, and the table's writes throttle on it (IndexWriteKeyRange"
            "ThroughputExceeded) whatever its capacity. Choose a key of many values, or add a suffix to spread "
            "one (write sharding).",
            ix->name, kv->values, kv->values == 1 ? "" : "s", (ull)kv->entries, share * 100, kv->values);
}

static void low_cardinality(const view *v)
{
    const ddb_table *t = v->t;
    ddb_key_values kv;

    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].kind != DDB_IX_GLOBAL ||
            ddb_index_key_values(v->eng, &t->indexes[i], LOW_CARDINALITY_VALUES, &kv) != 0)
            continue;
        if (kv.values > 0 && kv.values <= LOW_CARDINALITY_VALUES &&
            kv.entries >= (uint64_t)LOW_CARDINALITY_PER_VALUE * kv.values)
            index_few_values(v, &t->indexes[i], &kv);
    }
}

/* The warnings, in the order the report lists a table's. */
#define WARNINGS(X)                                                                                                    \
    X(scan)                                                                                                            \
    X(filter)                                                                                                          \
    X(large_items)                                                                                                     \
    X(unread_indexes)                                                                                                  \
    X(low_cardinality)                                                                                                 \
    X(ttl)                                                                                                             \
    X(sorted_load)                                                                                                     \
    X(read_after_write)

void ddb_warnings_write(ddb_jw *w, ddb_engine *eng, const ddb_table *const *tables, size_t n, double window_s,
                        const ddb_prices *prices)
{
    ddb_jw_key(w, "warnings");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        view v = {w, eng, tables[i], window_s, prices};
        if (ddb_capacity_table_of(tables[i]) == NULL)
            continue;
#define X(fn) fn(&v);
        WARNINGS(X)
#undef X
    }
    ddb_jw_arr_end(w);
}
