/**
 * @file ddb.h
 * @brief libddb: the C client library for ddbd (and DynamoDB).
 *
 * Anything not declared here (or in ddb_version.h / ddb_status.h) is private.
 * - Handles are opaque. Every *_new has a *_free; *_free(NULL) is a harmless no-op.
 * - Functions return DDB_OK (0) or a ddb_status.
 * - Strings returned by the library are static or borrowed, as each function says.
 *
 * This release carries only the version and status helpers; the operations arrive with the
 * client-library issue, as functions added to this header (never changed).
 */
#ifndef DDB_H
#define DDB_H

#include "ddb/ddb_status.h"
#include "ddb/ddb_version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define DDB_EXTERN __attribute__((visibility("default")))
#else
#define DDB_EXTERN
#endif

/** Version of the linked library, as DDB_VERSION_HEX; compare with the header you compiled against. */
DDB_EXTERN unsigned ddb_version(void);

/** Static name of a status, e.g. "ConditionalCheckFailedException" or "TransportError"; never NULL. */
DDB_EXTERN const char *ddb_status_name(int status);

#ifdef __cplusplus
}
#endif
#endif /* DDB_H */
