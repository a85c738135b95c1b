/*
 * server/engine/report/prices.h: a price table, what the cost report works from
 * (report.h): a row of prices per table class, read from a file of server/doors/prices.def's
 * format. The table in use is the server's (doors/prices.h: prices.def's, compiled in, or
 * --price-file's), handed to each report (report.h's ddb_usage_query).
 */
#ifndef DDB_PRICES_H
#define DDB_PRICES_H

#include <stddef.h>

#include "server/engine/table.h"

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

/* The row of table class `cls` (NULL: STANDARD) of p; the first row when p has no such class. */
const ddb_price *ddb_price_row(const ddb_prices *p, const char *cls);
/* The row of t's class (its TableClass; STANDARD unless it says otherwise) of p. */
const ddb_price *ddb_price_of_table(const ddb_prices *p, const ddb_table *t);

/* Reads a price file (prices.def's format) into *into. 0, or -1 with a message "PATH:LINE: what is
   wrong" in err (*into unchanged). */
int ddb_prices_read(const char *path, ddb_prices *into, char *err, size_t errlen);

#endif
