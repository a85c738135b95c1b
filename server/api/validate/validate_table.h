/*
 * server/api/validate/validate_table.h: what CreateTable's spec and rules (validate_table.c) share with
 * UpdateTable's (validate_update_table.c): the members' building blocks and the rules both apply.
 * Internal to server/api/validate/.
 */
#ifndef DDB_VALIDATE_TABLE_H
#define DDB_VALIDATE_TABLE_H

#include "server/api/validate/validate_internal.h"

extern const ddb_field ddb_vt_index_key_member[];
extern const ddb_field ddb_vt_attribute_definition_member[];
extern const ddb_field ddb_vt_stream_specification_fields[];

/* DescribeTable, DeleteTable and UpdateTable take a name or an ARN (DDB_VF_TABLE_ARN); CreateTable a
 * name of 3-255 characters, reported in the constraint form ("1 validation error detected: Value
 * 'ab' at 'tableName' failed to satisfy constraint: Member must have length greater than or equal
 * to 3", captured from DynamoDB by a public conformance suite), no longer dynalite's "TableName
 * must be at least 3 characters long and at most 255 characters long". */
#define F_TABLE_NAME_TABLE {"TableName", DDB_V_STRING, DDB_VF_REQUIRED | DDB_VF_TABLE_ARN}
#define F_GSI_KEY_SCHEMA                                                                                               \
    {"KeySchema", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN, .len_min = 1, .children = ddb_vt_index_key_member}
#define F_STREAM_SPECIFICATION {"StreamSpecification", DDB_V_STRUCT, .children = ddb_vt_stream_specification_fields}
/* Any string: an unknown class gets DynamoDB's own text from the rules, not an enum constraint. */
#define F_TABLE_CLASS {"TableClass", DDB_V_STRING}
/* validate_throughput.c judges their values */
#define F_ON_DEMAND {"OnDemandThroughput", DDB_V_STRUCT, .children = ddb_on_demand_fields}
#define F_WARM {"WarmThroughput", DDB_V_STRUCT, .children = ddb_warm_fields}
#define F_DELETION_PROTECTION {"DeletionProtectionEnabled", DDB_V_BOOLEAN}

/* Constraint errors gathered to be reported together ("N validation errors detected: ..."). */
typedef struct errors {
    ddb_buf msgs;
    int n;
} errors;

/* The AttributeName of each member of a KeySchema or AttributeDefinitions list. */
typedef struct ddb_vt_names {
    uint32_t n;
    const char **v;
} ddb_vt_names;

/* Booleans the handler stores as sent, made true Booleans. */
void ddb_vt_make_booleans(const ddb_json *in);
/* The NonKeyAttributes lengths of `member`'s indexes (the action's, when given) into `e`. */
void ddb_vt_nka_lengths_of(ddb_arena *a, errors *e, const ddb_json *list, const char *member, const char *action);
/* The gathered errors' message, or NULL when there are none. */
const char *ddb_vt_errors_text(ddb_arena *a, errors *e);
/* ProvisionedThroughput's bounds (an index's, when named). */
const char *ddb_vt_throughput_bounds(ddb_arena *a, const ddb_json *pt, const char *index);
ddb_vt_names ddb_vt_attribute_names(ddb_arena *a, const ddb_json *list);
int ddb_vt_names_has(ddb_vt_names ns, const char *s);
int ddb_vt_names_subset(ddb_vt_names sub, ddb_vt_names of);
/* The key attributes not among the definitions, in DynamoDB's words. */
const char *ddb_vt_undefined_keys(ddb_arena *a, ddb_vt_names keys, ddb_vt_names defns);
/* A global index's key schema: up to 4 HASH and 4 RANGE elements, HASH first. */
const char *ddb_vt_gsi_key_shape(const ddb_json *schema, ddb_vt_names keys);
/* StreamSpecification (create: CreateTable's rules, else UpdateTable's). */
const char *ddb_vt_stream_rules(const ddb_json *in, int create);
const char *ddb_vt_table_class_rule(const ddb_json *in);

#endif
