/*
 * server/engine/capacity/capacity.c: capacity arithmetic (see capacity.h).
 */
#include "server/engine/capacity/capacity.h"

double ddb_write_units(size_t bytes)
{
    size_t units = (bytes + 1023) / 1024;

    return units ? (double)units : 1.0;
}

double ddb_read_units(size_t bytes, int consistent)
{
    size_t units = (bytes + 4095) / 4096;

    if (units == 0)
        units = 1;
    return consistent ? (double)units : (double)units / 2;
}
