/*
 * proto/errors.h: facts about each error type, generated from include/ddb/ddb_errors.def.
 */
#ifndef DDB_ERRORS_H
#define DDB_ERRORS_H

#include <stddef.h>

#include "ddb/ddb_status.h"

/*
 * The members an error's body may carry beside "__type", one bit each (DDB_EM_message, ...), the
 * name as written on the wire: ddb_errors.def declares which ones each type has, under the
 * spelling DynamoDB's model gives that type.
 */
#define DDB_ERROR_MEMBERS(X)                                                                                           \
    X(message) X(Message) X(Item) X(CancellationReasons) X(ThrottlingReasons) X(throttlingReasons)

enum {
#define X(name) DDB_EM_BIT_##name,
    DDB_ERROR_MEMBERS(X)
#undef X
    DDB_EM__COUNT
};

enum {
#define X(name) DDB_EM_##name = 1u << DDB_EM_BIT_##name,
    DDB_ERROR_MEMBERS(X)
#undef X
};

typedef struct ddb_error_info {
    const char *type;      /* "ValidationException" */
    const char *ns;        /* "com.amazon.coral.validate#" */
    int http_status;       /* 400, 413, 500, 503 */
    unsigned members;      /* DDB_EM_* the body may carry */
} ddb_error_info;

/* The name e gives the one of `either` (DDB_EM_* bits) it declares, or NULL when it declares none:
   ddb_error_member(e, DDB_EM_message | DDB_EM_Message) is "message" or "Message". */
const char *ddb_error_member(const ddb_error_info *e, unsigned either);
/* The wire name of member bit DDB_EM_BIT_<name> (< DDB_EM__COUNT). */
const char *ddb_error_member_name(unsigned bit);

/* Returns the info for a DDB_E_* server code, or the info of InternalServerError for anything else. */
const ddb_error_info *ddb_error_lookup(int code);
/* Static name of a status ("ValidationException", "OK", "TransportError"); never NULL. */
const char *ddb_strerror(int status);
/* Maps a wire `__type` (with or without namespace) back to a DDB_E_* code; DDB_E_UNKNOWN_ERROR if unknown. */
int ddb_error_from_type(const char *type, size_t len);

#endif
