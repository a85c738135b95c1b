/*
 * server/api/resources.h: the resources a request names, from the list of resource-bearing members
 * (resources.def): what the authorization decision (policy.c) decides, member by member.
 */
#ifndef DDB_RESOURCES_H
#define DDB_RESOURCES_H

#include <stddef.h>

#include "proto/json.h"
#include "proto/ops.h"

typedef enum ddb_res_kind {
    DDB_RES_NONE,
    DDB_RES_TABLE,
    DDB_RES_ARN,
    DDB_RES_STREAM,
    DDB_RES_GLOBAL,
    DDB_RES_BACKUP,
    DDB_RES_XFER,
    DDB_RES_ITERATOR,
    DDB_RES_STATEMENT,
    DDB_RES_INDEX,
    DDB_RES_SOURCE,
} ddb_res_kind;

/* The actions a resource is decided for (resources.def's ACTIONS column). */
typedef enum ddb_res_actions {
    DDB_RES_OP,
    DDB_RES_PUT,
    DDB_RES_UPDATE,
    DDB_RES_DELETE,
    DDB_RES_CHECK,
    DDB_RES_GET,
    DDB_RES_RESTORED,
} ddb_res_actions;

typedef struct ddb_res_member {
    ddb_op op;
    const char *path;
    ddb_res_kind kind;
    ddb_res_actions actions;
} ddb_res_member;

/* The IAM actions (without "dynamodb:") of `acts` for operation `op`: a NULL-terminated list. */
const char *const *ddb_res_action_names(ddb_op op, ddb_res_actions acts);

/* Calls fn(ctx, member, text) for every resource text of `body` (an OBJECT) that operation `op`
   names, in the list's order; stops at the first non-zero return and returns it. Returns 0, and
   sets *named to whether any resource was found. */
typedef int (*ddb_res_fn)(void *ctx, const ddb_res_member *m, const char *text);
int ddb_res_each(ddb_op op, const ddb_json *body, ddb_res_fn fn, void *ctx, int *named);

/* The same walk for who rewrites what it finds (validate_arn.c resolves table ARNs in place):
   fn(ctx, member, obj, i, key) with the text's place, member i of `obj`: its value, or its key
   when `key` (a map's key, "A{}"). Only the member a handler reads is visited (of a name sent
   twice, the last), as the handler would find it. */
typedef int (*ddb_res_place_fn)(void *ctx, const ddb_res_member *m, ddb_json *obj, uint32_t i, int key);
int ddb_res_places(ddb_op op, ddb_json *body, ddb_res_place_fn fn, void *ctx);

/* Operation op's rows of the list (*n of them; NULL when none). */
const ddb_res_member *ddb_res_of(ddb_op op, size_t *n);

/* The whole list, for ddb_spec_dump --resources: *n entries. */
const ddb_res_member *ddb_res_list(size_t *n);

#endif
