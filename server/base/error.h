/*
 * server/base/error.h: an error as DynamoDB answers it (types from include/ddb/ddb_errors.def).
 */
#ifndef DDB_ERROR_H
#define DDB_ERROR_H

#include <stdint.h>

#include "proto/attr.h"

/* DDB_E_INTERNAL's message, the one text DynamoDB answers an InternalServerError with; written
   here once so that every layer that fails so (a handler, the engine, the HTTP front) says the
   same. */
#define DDB_MSG_INTERNAL "Internal server error"

/* One entry of TransactionCanceledException's "CancellationReasons", in action order. */
typedef struct ddb_cancel_reason {
    const char *code;     /* "None", "ConditionalCheckFailed", "ValidationError", "TransactionConflict", ... */
    const char *msg;      /* NULL for "None" (DynamoDB sends no Message then) */
    const ddb_attr *item; /* ReturnValuesOnConditionCheckFailure ALL_OLD: the item as it was */
} ddb_cancel_reason;

/*
 * An error as DynamoDB answers it: its type and message, plus the structured details some errors
 * carry. A request records one (api/req.h), and so does each mutation of the engine, whose error
 * becomes its request's. The renderer (http/http.c) writes every detail that is set, so an error
 * that needs one sets it here and nothing else learns the wire shape.
 */
typedef struct ddb_error {
    int code;             /* DDB_OK or a DDB_E_* */
    const char *msg;      /* NULL: the error has no message field; in the arena */
    const ddb_attr *item; /* ConditionalCheckFailedException's "Item" (ReturnValuesOnConditionCheckFailure) */
    const ddb_cancel_reason *reasons; /* TransactionCanceledException's "CancellationReasons" */
    uint32_t nreasons;
    /* a throttling error's "ThrottlingReasons" (one entry; NULL: none): the reason, as
       ResourceType+OperationType+LimitType (TableWriteKeyRangeThroughputExceeded, ...), and the
       ARN of the table or index throttled */
    const char *throttle_reason, *throttle_resource;
} ddb_error;

#endif
