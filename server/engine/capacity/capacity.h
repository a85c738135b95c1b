/*
 * server/engine/capacity/capacity.h: DynamoDB's capacity arithmetic, shared by the operations and the
 * mutation pipeline.
 */
#ifndef DDB_CAPACITY_H
#define DDB_CAPACITY_H

#include <stddef.h>

/* Write units per started KB, read units per started 4 KB (half when eventually consistent); at least one unit. */
double ddb_write_units(size_t bytes);
double ddb_read_units(size_t bytes, int consistent);

#endif
