/*
 * include/ddb/ddb_status.h: status codes shared by the server and the client library.
 * DDB_OK is 0; DDB_E_* come from ddb_errors.def in order; client-only codes start at 1000.
 */
#ifndef DDB_STATUS_H
#define DDB_STATUS_H

enum ddb_status {
    DDB_OK = 0,
#define X(code, type, ns, http, members) DDB_E_##code,
#include "ddb/ddb_errors.def"
#undef X
    DDB_E__SERVER_LAST,
    DDB_E_TRANSPORT = 1000, /**< connection failed, timed out or the reply was not HTTP */
    DDB_E_PROTOCOL,         /**< the reply was not the JSON the operation promises */
    DDB_E_INVALID_ARGUMENT, /**< the caller passed something the library cannot send */
    DDB_E_UNKNOWN_ERROR,    /**< the server answered with a __type this library does not know */
};

#endif
