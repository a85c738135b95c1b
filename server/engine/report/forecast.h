/*
 * server/engine/report/forecast.h: the cost report at production's rate (issue 64, item 2):
 * GET /ddbd/usage?rate=RATE's "forecast" member, and the count of a GSI's partition key values
 * behind the "lowCardinalityIndexKey" warning (warnings.c). docs/usage.md, "Production's rate".
 *
 * A test's traffic never reaches production's limits, so the forecast scales it: each table's
 * requests, units, access patterns and keys keep their share of the traffic observed, at the rate
 * given. Computed when the report is asked for, from the usage counters (the report's window,
 * engine/capacity/usage.h, pattern.h) and the hot-partition model's shares of each key
 * (engine/capacity/hot.h); nothing is added on the request path but that model's second vote.
 *
 * RATE, in the query string (raw ',' and ':' separate; inside a name they are %2C and %3A):
 *   rate = N                          requests a second over all the tables, shared as observed
 *   rate = ITEM(,ITEM)*               ITEM = TABLE:N  or  TABLE/PATTERN:N
 * TABLE a table's name; PATTERN an access pattern's text as the report prints it
 * ("GetItem pk=USER#*"), percent-encoded; N requests a second, a decimal number > 0. A pattern's
 * rate sets its table's at the test's mix: the table's rate is N / the pattern's share of the
 * table's requests. A table named twice, an unknown table or pattern: 400.
 */
#ifndef DDB_USAGE_FORECAST_H
#define DDB_USAGE_FORECAST_H

#include <stddef.h>
#include <stdint.h>

#include "proto/arena.h"
#include "proto/json.h"
#include "server/engine/report/marks.h"
#include "server/engine/report/prices.h"
#include "server/engine/engine.h"

#define DDB_FORECAST_ITEMS 64 /* ITEMs of one rate */

/* One ITEM of a rate: a table's (and maybe one of its patterns') rate, or the overall one. */
typedef struct ddb_forecast_item {
    const char *table;   /* NULL: the overall rate */
    const char *pattern; /* NULL: the table's own */
    size_t tlen, plen;
    double rps;          /* requests a second */
} ddb_forecast_item;

typedef struct ddb_forecast {
    const char *text; /* the rate as given, percent-decoded (arena memory) */
    const ddb_prices *prices; /* what the forecast is priced at (the report's: set after the parse) */
    size_t n;
    ddb_forecast_item item[DDB_FORECAST_ITEMS];
} ddb_forecast;

/* Parses RATE (raw: the query's value, not yet percent-decoded) into *f (names in arena a) and
   checks its names against the report's tables; 0, or -1 with what is wrong in err. */
int ddb_forecast_parse(ddb_arena *a, const char *raw, size_t len, const ddb_table *const *tables, size_t n,
                       ddb_forecast *f, char *err, size_t errsize);

/* Writes "forecast": {...} into the open object: tables[i]'s counters over the report's window
   are snaps[i] (NULL: a table without them). */
void ddb_forecast_write(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_forecast *f,
                        const ddb_table *const *tables, ddb_usage_snap *const *snaps, size_t n);

/* What a GSI's stored entries hold of its partition key: its distinct values (counted up to
   max + 1), the entries looked at, the most of one value and that value's key form. */
typedef struct ddb_key_values {
    size_t values;
    uint64_t entries, hottest;
    char key[256]; /* [pk_len][pk], maybe truncated */
    size_t klen;
    int sampled;   /* the entries ran past the budget: later values are counted, not their entries */
} ddb_key_values;

/* Counts ix's partition key values in the store (stops past `max` values; read through the core's
   read path, engine/read.h); 0, or -1 on a store error. */
int ddb_index_key_values(ddb_engine *eng, const ddb_index *ix, size_t max, ddb_key_values *out);

#endif
