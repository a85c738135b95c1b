/*
 * server/base/arn.h: ARNs, split once, by one rule, for every layer that reads one.
 *
 *   arn:<partition>:<service>:<region>:<account>:<type>/<name>[/<kind>/<id>]
 *   arn:<partition>:dynamodb:<region>:<account>:table/<name>[/<kind>/<id>]
 *   arn:<partition>:dynamodb::<account>:global-table/<name>
 *
 * ddb_arn_parts splits any ARN into its fields and leaves every judgement to the caller, which
 * picks the error text its operation answers (the tag, policy, stream and backup operations each
 * have DynamoDB's own). ddb_arn_split is the strict rule of a DynamoDB table ARN and what lies
 * under it (<kind>: index, stream, backup, export, import or bulk-operation); the authorization
 * decision (api/auth/policy.c) takes a table's name from there, never from the raw string.
 */
#ifndef DDB_ARN_H
#define DDB_ARN_H

#include <stddef.h>

#include "proto/arena.h"

typedef struct ddb_arn {
    /* pointers into the text; a field the ARN lacks is NULL with length 0 */
    const char *partition, *service, *region, *account, *resource; /* resource: all after the 5th ':' */
    const char *type, *path;     /* resource = "<type>/<path>", path = "<name>[/<kind>[/<id>]]" */
    const char *name, *sub, *id; /* path split at its first two '/' (id: the rest, '/' and all) */
    size_t partition_len, service_len, region_len, account_len, resource_len, type_len, path_len, name_len, sub_len,
        id_len;
} ddb_arn;

/* Whether `s` (n bytes) starts as an ARN does ("arn:"): the test that tells an ARN from a name
   (inline: the request path asks it of every TableName). */
static inline int ddb_arn_like(const char *s, size_t n)
{
    return n >= 4 && s[0] == 'a' && s[1] == 'r' && s[2] == 'n' && s[3] == ':';
}

/* Splits `s` as any ARN: "arn:" and five ':'-separated fields (empty ones kept empty); the
   resource split at its '/'s as above. 0, or -1 when it is not "arn:" with six fields. */
int ddb_arn_parts(const char *s, size_t n, ddb_arn *out);

/* Splits `s` as a DynamoDB ARN of a table or global table and what lies under it; 0, or -1 when
   it is not one (another service, no name, an empty field where one is needed, a <kind> without
   its <id>). */
int ddb_arn_split(const char *s, size_t n, ddb_arn *out);

/* Whether a split ARN's <kind> is `sub` ("stream", "backup", ...); a table's own ARN has none. */
int ddb_arn_is(const ddb_arn *a, const char *sub);

/* Whether the ARN's resource type is `type` ("table", "stream", ...). */
int ddb_arn_type_is(const ddb_arn *a, const char *type);

/* The ARN of table `name` of `account` in `region` (NULL or "": us-east-1), in arena a:
   "arn:aws:dynamodb:<region>:<account>:table/<name>", and "/<kind>/<id>" after it when kind is not
   NULL (an index's, a stream's). The one place a table's ARN is written: the description, the
   authorization decision, a throttling error's resource and a stream's ARN all name it so. */
const char *ddb_arn_table(ddb_arena *a, const char *region, const char *account, const char *name, const char *kind,
                          const char *id);

#endif
