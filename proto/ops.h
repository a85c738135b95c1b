/*
 * proto/ops.h: the operations of DynamoDB and DynamoDB Streams (one row each in proto/ops.def),
 * their identifiers and flags, and X-Amz-Target parsing.
 *
 * A row of proto/ops.def is X(CamelName, snake_name, service, implemented, flags):
 *   CamelName    the operation's name on the wire (X-Amz-Target, IAM actions): DDB_OP_<CamelName>.
 *   snake_name   what ddbd's code calls it: the handler ddb_op_<snake_name>() (server/ops/handlers.h)
 *                and the request spec ddb_spec_<snake_name> (server/api/validate/validate.h).
 *   service      DYNAMODB (X-Amz-Target prefix "DynamoDB_20120810.") or STREAMS
 *                ("DynamoDBStreams_20120810.").
 *   implemented  HANDLED: ddbd serves it; the handler and the spec must exist, or the build fails
 *                (server/ops/optable.c names both). MISSING: DynamoDB has it and ddbd does not
 *                serve it yet; it answers UnknownOperationException "ddbd does not implement the
 *                DynamoDB operation <CamelName> yet" (an unknown name gets no message).
 *                DDB_IF_HANDLED and DDB_HANDLED_OR_NULL below turn the column into code.
 *   flags        DDB_OPF_* below, or'ed; 0 for none.
 *
 * The flags: facts of an operation that the layers read instead of switching on the operation.
 *
 *   DDB_OPF_READ               `allow=read` in an --auth key allows it (server/api/auth/policy.c). The
 *                              set is client-visible and kept as it was first published: some
 *                              operations that change nothing are not in it (DescribeExport,
 *                              ListExports, DescribeImport, ListImports). PartiQL's SELECT, an IAM
 *                              action that is no operation, is read as well (policy.c names it).
 *   DDB_OPF_VALUES_2026        Its AttributeValues are checked by AWS's 2026 value layer
 *                              (DDB_VALUES_2026, proto/attr.h); without it, the classic one.
 *   DDB_OPF_ENVELOPE           AWS's 2026 request layer: the validation errors it finds before it
 *                              looks at the table are answered inside "1 validation error
 *                              detected: " (server/api/dispatch.c, envelope_request_checks).
 *   DDB_OPF_POLICY_IN_HANDLER  Its IAM actions depend on what the request holds (PartiQL: one
 *                              action per statement, PartiQLSelect, PartiQLInsert, ...), so --auth's
 *                              policy is checked by the handler, not by the pipeline.
 *   DDB_OPF_NO_OUTPUT          Its output shape has no members (the SDK models' `Unit`: TagResource,
 *                              UntagResource), and DynamoDB answers it with an empty body,
 *                              Content-Length 0, not `{}` (server/http/http.c).
 *   DDB_OPF_WHILE_CREATING     It is served on a table still CREATING (a restore or a new replica
 *                              filling it): DescribeTable, DeleteTable. Other operations find no
 *                              such table (server/ops/ops_common.c, ddb_table_or_fail).
 *   DDB_OPF_CHANGES_TABLE      It changes a table's definition or loads it, so a table a restore is
 *                              still filling refuses it as in use (ResourceInUseException), not as
 *                              missing: UpdateTable, StartBulkPutItems.
 *   DDB_OPF_AS_MODELED         Its handler keeps or echoes parts of its request (the catalog, a
 *                              backup's or a job's record, the answer), so it sees the request as
 *                              DynamoDB's model knows it: after validation, every member its spec
 *                              does not describe is dropped, at any depth (server/api/dispatch.c,
 *                              ddb_v_known), as DynamoDB's deserializer drops it; nothing a client
 *                              adds is stored or written back. The item operations go without (their
 *                              requests are large and kept only as decoded items; BatchGetItem's and
 *                              BatchWriteItem's echoes prune themselves), and so does ImportTable,
 *                              whose TableCreationParameters its own spec leaves to CreateTable's.
 *
 *   The expression parameters it takes (server/expr/expr.h, ddb_expr_prepare_into, which is given
 *   the flags and reads only these bits; members of other operations are ignored, as DynamoDB's
 *   deserializer ignores them). ExpressionAttributeNames comes with any of them, and
 *   ExpressionAttributeValues with any but ProjectionExpression.
 *   DDB_OPF_EXPR_UPDATE           UpdateExpression
 *   DDB_OPF_EXPR_CONDITION        ConditionExpression
 *   DDB_OPF_EXPR_KEY_CONDITION    KeyConditionExpression
 *   DDB_OPF_EXPR_FILTER           FilterExpression
 *   DDB_OPF_EXPR_PROJECTION       ProjectionExpression
 *   DDB_OPF_EXPR_SEARCH_CONDITION SearchConditionExpression (SearchVectors: equalities joined by AND)
 *   The legacy parameters it converts into the same trees (server/expr/expr_legacy.c):
 *   DDB_OPF_LEGACY_EXPECTED           Expected (with ConditionalOperator): the condition
 *   DDB_OPF_LEGACY_ATTRIBUTE_UPDATES  AttributeUpdates: the update
 *   DDB_OPF_LEGACY_ATTRIBUTES_TO_GET  AttributesToGet: the projection
 *   DDB_OPF_LEGACY_KEY_CONDITIONS     KeyConditions: the key condition
 *   DDB_OPF_LEGACY_QUERY_FILTER       QueryFilter (with ConditionalOperator): the filter
 *   DDB_OPF_LEGACY_SCAN_FILTER        ScanFilter (with ConditionalOperator): the filter
 *
 *   DDB_OPF_SERDE                 Its requests are read by AWS's newer front end, a strict JSON
 *                                 deserializer (serde_json's) that refuses a member of the wrong type or
 *                                 a null in a required one with its own text and position, and a missing
 *                                 required member as a ValidationException "missing field `X` at line L
 *                                 column C", before any member constraint (server/api/validate/validate_serde.c):
 *                                 SearchVectors (the conformance suite, eu-west-2 and us-east-1,
 *                                 2026-10-09). Other operations keep the classic "Value null at ..." form.
 *
 *   DDB_OPF_ONE_ITEM              Its work is bounded by one item (400 KB): GetItem, PutItem,
 *                                 UpdateItem, DeleteItem. A new connection's first request of it is
 *                                 served as a light one; any other waits with the heavy ones until its
 *                                 cost is known (server/http/conns.c, "the loop's time").
 *
 * Not flags, because they are one handler's behaviour rather than a fact the pipeline or another
 * layer needs: which operations serve a table a restore is still filling (ops_common.c), Scan's
 * "The provided starting key is invalid" for an unknown index (page.c), the single-item operation
 * whose expressions a transaction action takes (ops_transact.c).
 */
#ifndef DDB_OPS_H
#define DDB_OPS_H

#include <stddef.h>

#define DDB_OPF_READ (1u << 0)
#define DDB_OPF_VALUES_2026 (1u << 1)
#define DDB_OPF_ENVELOPE (1u << 2)
#define DDB_OPF_POLICY_IN_HANDLER (1u << 3)
#define DDB_OPF_EXPR_UPDATE (1u << 4)
#define DDB_OPF_EXPR_CONDITION (1u << 5)
#define DDB_OPF_EXPR_KEY_CONDITION (1u << 6)
#define DDB_OPF_EXPR_FILTER (1u << 7)
#define DDB_OPF_EXPR_PROJECTION (1u << 8)
#define DDB_OPF_LEGACY_EXPECTED (1u << 9)
#define DDB_OPF_LEGACY_ATTRIBUTE_UPDATES (1u << 10)
#define DDB_OPF_LEGACY_ATTRIBUTES_TO_GET (1u << 11)
#define DDB_OPF_LEGACY_KEY_CONDITIONS (1u << 12)
#define DDB_OPF_LEGACY_QUERY_FILTER (1u << 13)
#define DDB_OPF_LEGACY_SCAN_FILTER (1u << 14)
#define DDB_OPF_EXPR_SEARCH_CONDITION (1u << 15)
#define DDB_OPF_NO_OUTPUT (1u << 16)
#define DDB_OPF_WHILE_CREATING (1u << 17)
#define DDB_OPF_CHANGES_TABLE (1u << 18)
#define DDB_OPF_AS_MODELED (1u << 19)
/* ExportTableToPointInTime's FilterSpecification takes Query's expressions: checked by its spec
   (server/api/validate/validate_export.c), parsed again by the export (server/engine/xfer/export.c). */
#define DDB_OPF_EXPORT_FILTER (DDB_OPF_EXPR_KEY_CONDITION | DDB_OPF_EXPR_FILTER | DDB_OPF_EXPR_PROJECTION)
#define DDB_OPF_ONE_ITEM (1u << 20)
#define DDB_OPF_SERDE (1u << 21)

/* The service column. */
#define DDB_SVC_DYNAMODB 0
#define DDB_SVC_STREAMS 1

/*
 * The implemented column in X-macros: DDB_IF_HANDLED(impl, text) is text on a HANDLED row and
 * nothing on a MISSING one; DDB_HANDLED_OR_NULL(impl, x) is x or NULL. (Token pasting, so the
 * names a MISSING row would form, ddb_op_<snake> and ddb_spec_<snake>, never reach the compiler.)
 */
#define DDB_IF_HANDLED(impl, ...) DDB_IF_HANDLED_##impl(__VA_ARGS__)
#define DDB_IF_HANDLED_HANDLED(...) __VA_ARGS__
#define DDB_IF_HANDLED_MISSING(...)
#define DDB_HANDLED_OR_NULL(impl, x) DDB_HANDLED_OR_NULL_##impl(x)
#define DDB_HANDLED_OR_NULL_HANDLED(x) x
#define DDB_HANDLED_OR_NULL_MISSING(x) NULL

typedef enum ddb_op {
    DDB_OP_NONE = 0,
#define X(camel, snake, svc, impl, flags) DDB_OP_##camel,
#include "proto/ops.def"
#undef X
    DDB_OP__COUNT
} ddb_op;

/* "PutItem" for DDB_OP_PutItem; "" for DDB_OP_NONE. */
const char *ddb_op_name(ddb_op op);
/* The row's DDB_OPF_* flags; 0 for DDB_OP_NONE. */
unsigned ddb_op_flags(ddb_op op);
/* The operation named `name` ("PutItem", either service); DDB_OP_NONE if none is. */
ddb_op ddb_op_from_name(const char *name, size_t len);
/* Parses "DynamoDB_20120810.PutItem" (or the Streams prefix); DDB_OP_NONE if unknown. */
ddb_op ddb_op_from_target(const char *target, size_t len);
/* The X-Amz-Target prefix of the operation named `name` ("DynamoDBStreams_20120810." for a
   Streams one), "DynamoDB_20120810." for any other name: what a client sends it with. */
const char *ddb_op_target_prefix(const char *name, size_t len);

#endif
