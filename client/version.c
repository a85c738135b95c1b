/*
 * client/version.c: libddb's version and status names.
 */
#include "ddb/ddb.h"

#include "proto/errors.h"

unsigned ddb_version(void)
{
    return DDB_VERSION_HEX;
}

const char *ddb_status_name(int status)
{
    return ddb_strerror(status);
}
