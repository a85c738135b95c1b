/*
 * server/api/validate/validate_internal.h: what the spec files (validate_<family>.c, each defining its
 * operations' ddb_spec_<snake_name>) share. Not for other layers: they use validate.h.
 */
#ifndef DDB_VALIDATE_INTERNAL_H
#define DDB_VALIDATE_INTERNAL_H

#include <string.h>

#include "server/api/same_str.h"
#include "server/api/validate/validate.h"

#define INVALID "One or more parameter values were invalid: "
#define ENUM(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NAME_FLAGS (DDB_VF_NAME_RE | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX)
#define F_INDEX_NAME(flags) {"IndexName", DDB_V_STRING, (flags) | NAME_FLAGS, .len_min = 3, .len_max = 255}
/* the members exports and imports share (validate_export.c, validate_import.c) */
#define F_ARN(name, flags) {name, DDB_V_STRING, (flags) | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024}
#define F_CLIENT_TOKEN {"ClientToken", DDB_V_STRING, DDB_VF_TOKEN_RE | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 36}
#define F_NEXT_TOKEN {"NextToken", DDB_V_STRING, DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 1024}
#define F_BUCKET(flags) {"S3Bucket", DDB_V_STRING, (flags) | DDB_VF_LEN_MAX | DDB_VF_BUCKET_RE, .len_max = 255}
#define F_BUCKET_OWNER {"S3BucketOwner", DDB_V_STRING, DDB_VF_ACCOUNT_RE}
#define F_PREFIX(name) {name, DDB_V_STRING, DDB_VF_LEN_MAX, .len_max = 1024}
#define F_TABLE_OR_ARN {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_TABLE_ARN}

/* The members of a structure the spec does not describe (one it refuses whole: DDB_VF_REFUSED). */
static const ddb_field NO_MEMBERS[] = {{NULL}};

/* The element `i` of a list, or NULL. */
static inline const ddb_json *item_at(const ddb_json *list, uint32_t i)
{
    if (list == NULL || list->type != DDB_JSON_ARRAY || i >= list->n)
        return NULL;
    return ddb_v_present(list->u.items[i]) ? list->u.items[i] : NULL;
}

static inline uint32_t list_len(const ddb_json *list)
{
    return list != NULL && list->type == DDB_JSON_ARRAY ? list->n : 0;
}

/* The buffer's text copied into the arena; frees the buffer. */
static inline const char *take(ddb_arena *a, ddb_buf *b)
{
    const char *out = ddb_arena_strndup(a, b->data ? b->data : "", b->len);
    ddb_buf_free(b);
    return out;
}

/* A Long as dynalite prints it ("Given value 1000000000001 for ..."). */
static inline const char *long_text(ddb_arena *a, const ddb_json *v)
{
    ddb_buf b = {0};
    ddb_v_js_number(&b, ddb_v_number(v, 1));
    return take(a, &b);
}

/* ---- flags beyond validate.h's (fidelity sweep) ---- */

/*
 * A TableName that may be a table name or, since 2024, a table ARN (data-plane and table
 * operations other than CreateTable): the member is 1-1024 characters; a value not starting with
 * "arn:" must then be a name (pattern, 3-255). An empty value gets only the length-1 message.
 */
#define DDB_VF_TABLE_ARN 0x400
/*
 * Length and bound failures reported by DynamoDB's newer validation framework: the path keeps
 * its capitals ('RequestItems.t.member.Keys', 'Limit') and the value is not echoed
 * ("Value at 'Limit' failed to satisfy constraint: ...").
 */
#define DDB_VF_CAP_PATH 0x800
/*
 * A map whose keys' constraint gives way to the members checked before it: BatchWriteItem with an
 * unknown ReturnConsumedCapacity and a malformed table name reports the enum alone (captured in
 * us-east-1 and eu-west-2, 2026-10-09), where BatchGetItem reports both.
 */
#define DDB_VF_KEYS_YIELD 0x1000
/* An S3Bucket: DynamoDB's pattern for it (server/base/bucket.h), in the regex's place. */
#define DDB_VF_BUCKET_RE 0x4000
/* An S3BucketOwner: an account id, [0-9]{12} (the API reference's pattern, matched whole). */
#define DDB_VF_ACCOUNT_RE 0x8000
/* A ClientToken of an export, import or bulk put: ^[^\$]+$ (no '$'). */
#define DDB_VF_TOKEN_RE 0x10000

/* The account every ARN names (docs/compatibility.md: one namespace). */

/* Resolves the table ARNs of the members resources.def lists (TableName, a transaction's
 * TableName, BatchGetItem/BatchWriteItem RequestItems keys) to names, in the request tree, and
 * leaves the request's own TableName in req->table; DDB_OK or the error recorded on the request
 * (validate_arn.c). */
int ddb_resolve_table_arns(ddb_req *req, const ddb_json *in);
/* The name table ARN `arn` (n bytes) stands for, or NULL with the error recorded; `action` the IAM
   action its refusal names (NULL: the operation's). */
const char *ddb_resolve_table_arn(ddb_req *req, const char *arn, size_t n, const char *action);

/* validateExpressionParams for a structure without legacy parameters: "ExpressionAttributeNames can
 * only be specified when using expressions", ... (validate_data.c). */
const char *ddb_expression_params(ddb_arena *a, const ddb_json *in, const char *const *exprs);

/* ---- tags (validate_tags.c; the limit and its message: validate.h) ---- */

extern const ddb_field ddb_tag_member[]; /* a Tag: CreateTable's Tags and TagResource's */
/* CreateTable's Tags: each tag, duplicates, at most 50 (an empty list is accepted). */
const char *ddb_create_table_tag_rules(ddb_req *req, const ddb_json *in);

/* ---- resource-based policies (validate_policy.c) ---- */

/* A policy document for a table (stream 0) or a stream: NULL or the ValidationException message. */
/* `auth` (--auth's keys; NULL: none): a user ARN among the principals must name a user of the key
   file, as IAM refuses a principal naming no user at put time. */
const char *ddb_policy_doc_rules(ddb_arena *a, const char *doc, size_t len, int stream, const struct ddb_auth *auth);
/* CreateTable's ResourcePolicy, when it has one. */
const char *ddb_create_table_policy_rules(ddb_req *req, const ddb_json *in);

/* ---- indexes (validate_table.c), and vector indexes (validate_vector.c) ---- */

extern const ddb_field ddb_projection_fields[];
/* CreateTable's shapes the restores' overrides take too (validate_backups.c, validate_pitr.c) */
extern const ddb_field ddb_throughput_fields[];
extern const ddb_field ddb_gsi_member[];
extern const ddb_field ddb_lsi_member[];
extern const ddb_field ddb_sse_specification_fields[];

/* a replica named by its region alone: UpdateTable's Delete and witness actions, and the 2017.11.29
   global tables' Create and Delete (validate_update_table.c); and a list's member that creates or
   deletes one (UpdateTable's WitnessUpdates, UpdateGlobalTable's ReplicaUpdates) */
extern const ddb_field ddb_replica_region_fields[];
extern const ddb_field ddb_region_update_member[];

/* the input of the operations that take a table name or ARN alone (validate_control.c) */
extern const ddb_field ddb_table_or_arn_fields[];

/* the PartiQL operations' members (validate_partiql.c, validate_partiql_batch.c) */
extern const ddb_field ddb_partiql_parameter_member[];
#define F_STATEMENT {"Statement", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 8192}
#define F_PARAMETERS                                                                                                  \
    {"Parameters", DDB_V_LIST, DDB_VF_LEN_MIN, .len_min = 1, .children = ddb_partiql_parameter_member}
#define F_RETURN_CONSUMED {"ReturnConsumedCapacity", DDB_V_STRING, .one_of = ENUM("INDEXES", "TOTAL", "NONE")}
#define F_RETURN_ON_FAILURE {"ReturnValuesOnConditionCheckFailure", DDB_V_STRING, .one_of = ENUM("ALL_OLD", "NONE")}
 /* an index's Projection */
/* An index's Projection against its type (CreateTable's and UpdateTable's wording). */
const char *ddb_projection_rules(ddb_arena *a, const ddb_json *index);
extern const ddb_field ddb_vector_index_member[];        /* CreateTable's VectorIndexes */
extern const ddb_field ddb_vector_index_update_member[]; /* UpdateTable's VectorIndexUpdates */
/* CreateTable's vector index rules (after the GSIs' and LSIs', before unused definitions). */
const char *ddb_vector_create_table_rules(ddb_arena *a, const ddb_json *in);
/* UpdateTable's VectorIndexUpdates: the shapes and each Create's rules. */
const char *ddb_vector_update_table_rules(ddb_arena *a, const ddb_json *in);

#endif
