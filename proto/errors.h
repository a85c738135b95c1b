/*
 * proto/errors.h: facts about each error type, generated from include/ddb/ddb_errors.def.
 */
#ifndef DDB_ERRORS_H
#define DDB_ERRORS_H

#include <stddef.h>

#include "ddb/ddb_status.h"

typedef struct ddb_error_info {
    const char *type;      /* "ValidationException" */
    const char *ns;        /* "com.amazon.coral.validate#" */
    int http_status;       /* 400, 413, 500, 503 */
    int capital_message;   /* the text field is "Message" rather than "message" */
} ddb_error_info;

/* Returns the info for a DDB_E_* server code, or the info of InternalServerError for anything else. */
const ddb_error_info *ddb_error_lookup(int code);
/* Static name of a status ("ValidationException", "OK", "TransportError"); never NULL. */
const char *ddb_strerror(int status);
/* Maps a wire `__type` (with or without namespace) back to a DDB_E_* code; DDB_E_UNKNOWN_ERROR if unknown. */
int ddb_error_from_type(const char *type, size_t len);

#endif
