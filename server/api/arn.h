/*
 * server/api/arn.h: DynamoDB's ARNs, split once, by one rule.
 *
 *   arn:<partition>:dynamodb:<region>:<account>:table/<name>[/<kind>/<id>]
 *   arn:<partition>:dynamodb::<account>:global-table/<name>
 *
 * <kind> is index, stream, backup, export, import or bulk-operation. The authorization decision
 * (policy.c) takes a table's name from here, never from the raw string, and checks the account
 * and region it names against the caller's.
 */
#ifndef DDB_ARN_H
#define DDB_ARN_H

#include <stddef.h>

typedef struct ddb_arn {
    const char *partition, *region, *account, *type, *name, *sub, *id; /* pointers into the text */
    size_t partition_len, region_len, account_len, type_len, name_len, sub_len, id_len;
} ddb_arn;

/* Splits `s` (n bytes) as a DynamoDB ARN of a table or global table and what lies under it; 0, or
   -1 when it is not one (another service, no name, an empty field where one is needed). */
int ddb_arn_split(const char *s, size_t n, ddb_arn *out);

/* Whether a split ARN's <kind> is `sub` ("stream", "backup", ...); a table's own ARN has none. */
int ddb_arn_is(const ddb_arn *a, const char *sub);

#endif
