/*
 * server/doors/prices.h: the server's price table, the one each cost report is priced at
 * (engine/report/prices.h): prices.def's rows, compiled in (us-east-1), or a file of the
 * same format given to --price-file (another Region, a negotiated rate), read once at start.
 */
#ifndef DDB_DOORS_PRICES_H
#define DDB_DOORS_PRICES_H

#include <stddef.h>

#include "server/engine/report/prices.h"

/* The table in use: prices.def's, or the file's once ddb_prices_load succeeded. */
const ddb_prices *ddb_prices_get(void);

/* Reads a price file (prices.def's format) and uses it from then on. 0, or -1 with a message
   "PATH:LINE: what is wrong" in err (the table in use unchanged). */
int ddb_prices_load(const char *path, char *err, size_t errlen);

#endif
