/*
 * server/doors/prices.h: the price table the cost report works from (usage.c): prices.def's rows,
 * compiled in (us-east-1), or a file of the same format given to --price-file (another Region, a
 * negotiated rate), read once at start.
 */
#ifndef DDB_PRICES_H
#define DDB_PRICES_H

#include <stddef.h>

/* One list of a row's prices, in prices.def's column order: C(field, the report's JSON name). */
#define DDB_PRICE_COLUMNS(C)                                        \
    C(read_million, "readRequestUnitsPerMillion")                   \
    C(write_million, "writeRequestUnitsPerMillion")                 \
    C(rcu_hour, "readCapacityUnitHour")                             \
    C(wcu_hour, "writeCapacityUnitHour")                            \
    C(gb_month, "storageGbMonth")                                   \
    C(rwrite_million, "replicatedWriteRequestUnitsPerMillion")      \
    C(rwcu_hour, "replicatedWriteCapacityUnitHour")                 \
    C(stream_million, "streamsReadRequestUnitsPerMillion")          \
    C(pitr_gb_month, "pitrGbMonth")                                 \
    C(backup_gb_month, "backupGbMonth")                             \
    C(export_gb, "exportGb")                                        \
    C(import_gb, "importGb")

#define DDB_PRICE_MAX_CLASSES 8

typedef struct ddb_price {
    char table_class[64];
#define C(field, json) double field;
    DDB_PRICE_COLUMNS(C)
#undef C
} ddb_price;

typedef struct ddb_prices {
    char region[64], date[64], source[512];
    size_t n;
    ddb_price rows[DDB_PRICE_MAX_CLASSES];
} ddb_prices;

/* The table in use: prices.def's, or the file's once ddb_prices_load succeeded. */
const ddb_prices *ddb_prices_get(void);

/* The row of table class `cls` (NULL: STANDARD); the first row when the file has no such class. */
const ddb_price *ddb_prices_of(const char *cls);

/* Reads a price file (prices.def's format) and uses it from then on. 0, or -1 with a message
   "PATH:LINE: what is wrong" in err (the table in use unchanged). */
int ddb_prices_load(const char *path, char *err, size_t errlen);

#endif
