/*
 * server/api/validate/validate.h: declarative request validation in DynamoDB's order and wording.
 *
 * Each operation has a ddb_spec: its fields in the order DynamoDB checks them (dynalite's
 * validations/<op>.js order), each with a wire type and constraints. ddb_validate() runs:
 *   1. the type check of every present field (SerializationException, e.g. "class java.lang.String
 *      can not be converted to an Integer", "Start of structure or map found where not expected.");
 *   2. "The parameter 'X' is required but was not present in the request" and table-name length
 *      checks, which stop at the first failure;
 *   3. constraint checks, collecting up to 10 "Value 'v' at 'path' failed to satisfy constraint:
 *      Member must ..." messages into one "N validation error(s) detected: a; b" ValidationException;
 *   then any member the spec refuses (DDB_VF_REFUSED) that was sent;
 *   4. the operation's custom check (cross-field rules such as "ReturnValues can only be ALL_OLD or NONE").
 */
#ifndef DDB_VALIDATE_H
#define DDB_VALIDATE_H

#include "proto/ops.h"
#include "server/api/json_view.h"
#include "server/api/req.h"

/* A resource's tags: at most 50, checked on the request (validate_tags.c) and on TagResource's
   merge with the tags the table has (ops/ops_tags.c), with one message. */
#define DDB_MAX_TAGS 50
#define DDB_TAGS_OVER_LIMIT "Number of Tags exceed the current limit for the provided ResourceArn"

typedef enum ddb_vtype {
    DDB_V_STRING,
    DDB_V_BOOLEAN,
    DDB_V_INTEGER,
    DDB_V_LONG,
    DDB_V_DOUBLE,
    DDB_V_BLOB,
    DDB_V_LIST,   /* children[0] describes each member */
    DDB_V_MAP,    /* children[0] describes each value */
    DDB_V_STRUCT, /* children: the member fields, NULL-name terminated */
    DDB_V_ATTR,   /* an AttributeValue (checked with ddb_attr_check_types) */
} ddb_vtype;

/* Field flags. */
#define DDB_VF_REQUIRED 0x01   /* "The parameter 'X' is required but was not present in the request" */
#define DDB_VF_NOT_NULL 0x02   /* "Member must not be null" */
#define DDB_VF_TABLE_NAME 0x04 /* "TableName must be at least 3 characters long and at most 255 characters long" */
#define DDB_VF_MIN 0x08        /* value >= min */
#define DDB_VF_MAX 0x10        /* value <= max */
#define DDB_VF_LEN_MIN 0x20    /* length >= len_min (strings: characters; lists and maps: members) */
#define DDB_VF_LEN_MAX 0x40    /* length <= len_max */
#define DDB_VF_NAME_RE 0x80    /* matches [a-zA-Z0-9_.-]+ */
#define DDB_VF_MAP_KEYS 0x100  /* every map key: length 3..255 and [a-zA-Z0-9_.-]+ (table names) */
#define DDB_VF_MAP_VALUES 0x200 /* every map value: length between the field's min and max */
/* A member DynamoDB acts on and ddbd does not implement yet: after the constraint checks, one sent
   (not null) is refused with "...: <path> is not supported by ddbd (docs/compatibility.md)" rather
   than accepted and dropped; tests/js/sdk_members.test.mjs counts it as handled. */
#define DDB_VF_REFUSED 0x2000
/* A structure whose members another operation's spec checks (ImportTable's TableCreationParameters,
   CreateTable's): its fields name only some of them, and a body's parse builds all it holds. */
#define DDB_VF_ELSEWHERE 0x20000
/* A list whose length another field checks (BatchWriteItem's list of a table, which RequestItems
   bounds with DDB_VF_MAP_VALUES): len_max is not checked here, only no more than len_max + 1 of it
   built (ddb_v_parse_known). */
#define DDB_VF_BUILT_MAX 0x40000

typedef struct ddb_field ddb_field;

struct ddb_field {
    const char *name; /* NULL ends a list */
    ddb_vtype type;
    unsigned flags;
    long long min, max;
    long long len_min, len_max;
    const char *const *one_of; /* enum values, NULL-terminated; "Member must satisfy enum value set: [A, B]" */
    const ddb_field *children;
};

typedef struct ddb_spec {
    const ddb_field *fields;
    /* Cross-field rules after the field checks; returns NULL or a ValidationException message. */
    const char *(*custom)(ddb_req *req, const ddb_json *in);
    /* Checks DynamoDB's newer framework makes ahead of the member constraints, reported alone and
       as they are (no "N validation errors detected: " count); may be NULL. */
    const char *(*first)(ddb_req *req, const ddb_json *in);
} ddb_spec;

/* Runs the steps above; returns DDB_OK or the recorded error's code. */
int ddb_validate(ddb_req *req, const ddb_spec *spec, const ddb_json *in);
/* The same for a structure checked by another operation's spec: its members' constraint failures
   are reported under member `under` ("tableCreationParameters.keySchema": ImportTable's
   TableCreationParameters, checked by CreateTable's spec). */
int ddb_validate_under(ddb_req *req, const ddb_spec *spec, const ddb_json *in, const char *under);
/* An operation flagged DDB_OPF_SERDE (proto/ops.h): req->body read as AWS's serde_json front end reads
   it into the structure `fields` describes, its member types and required members, with its texts
   and positions (validate_serde.c). Runs before anything else looks at the members. */
int ddb_validate_serde(ddb_req *req, const ddb_field *fields);

/*
 * `obj`, a structure described by `fields`, as DynamoDB's model sees it (validate_view.c): a copy
 * with only the members the model has, present and not null, in the order sent, each pruned
 * the same way (lists and maps member by member); other values are shared. For what an answer
 * echoes or the catalog keeps of a request: an unknown member is never written back. Needs a
 * validated tree (run after ddb_validate).
 */
const ddb_json *ddb_v_known(ddb_arena *a, const ddb_json *obj, const ddb_field *fields);
/*
 * A request's body parsed as ddb_json_parse_input parses it (NULL: not JSON to ddbd), but with only
 * the members the model has built, in structures described by `fields` and below: an unknown
 * member is read as JSON and left out, as DynamoDB's deserializer leaves it. A large body's tree
 * then holds what its operation reads and no more (issue 61: an unknown member of 15 MB of numbers
 * held a loop 5 s). Members of a known member of the wrong type are all built (the type pass
 * refuses it). And within the request's own bounds (issue 73): a list past its length constraint
 * is built to one element past it, and an item, a key or an AttributeValue to just past DynamoDB's
 * 400 KB (DDB_JSON_AV_BUILT), the rest read and not built. *cut is set when an AttributeValue was
 * left unbuilt: the tree is then not the request, only good for the checks that refuse it.
 */
ddb_json *ddb_v_parse_known(ddb_arena *a, const char *text, size_t len, const ddb_field *fields, int *cut);
/*
 * The same with only the members on `paths` built (resources.def's syntax: "A.B", "A[].B" each
 * element's B, "A{}" a map's keys, its values left unbuilt), each within its bounds as above: what
 * --auth decides on, read before anything else of the body is built (dispatch.c). NULL: not JSON.
 */
ddb_json *ddb_v_parse_paths(ddb_arena *a, const char *text, size_t len, const ddb_field *fields,
                            const char *const *paths, size_t n);
/* The field `name` of a spec's list, or NULL. */
const ddb_field *ddb_v_field(const ddb_field *fields, const char *name);

/*
 * ddbd --lenient-numbers (off by default): every string where the spec wants an Integer, Long or
 * Double and that holds a JSON number ("3", "-2.5e1") becomes that number in the tree, as
 * DynamoDB Local's deserializer accepts it (dynamodb-admin's Create Table form sends
 * ReadCapacityUnits "3"). Other strings are left as they are, so the type pass still answers
 * DynamoDB's SerializationException for them. Run before ddb_validate().
 */
void ddb_v_coerce_numbers(ddb_json *in, const ddb_spec *spec);

/*
 * A resource-based policy's ResourceArn (validate_policy.c): the table it names and, for a stream's
 * ARN, the stream's label (else NULL), arena strings; or the ValidationException recorded.
 */
typedef struct ddb_policy_target {
    const char *table, *stream_label;
} ddb_policy_target;
int ddb_policy_arn_split(ddb_req *req, const char *arn, ddb_policy_target *out);

/*
 * A table ARN's account (its fifth field) against the caller's (validate_arn.c): DDB_OK when they
 * are the same or the ARN has no account field to compare, else AccessDeniedException as DynamoDB
 * words a cross-account request that no resource-based policy allows, recorded on req. For the
 * members the pipeline does not resolve into a name (ExportTableToPointInTime's TableArn,
 * RestoreTableToPointInTime's SourceTableArn).
 */
int ddb_arn_check_account(ddb_req *req, const char *arn, size_t n);

/*
 * OnDemandThroughput and WarmThroughput (validate_throughput.c): their shapes, and DynamoDB's rules,
 * each returning NULL or a ValidationException message. `index` names a GSI (NULL: the table);
 * `ppr` is the billing mode the table will have.
 */
extern const ddb_field ddb_on_demand_fields[];
extern const ddb_field ddb_warm_fields[];
/* Maximums only on demand, each at least 1 (or -1, no maximum, when `update` changes them). */
const char *ddb_on_demand_rules(ddb_arena *a, const ddb_json *odt, int ppr, const char *index, int update);
/* A new table's or GSI's: at least where it starts (12,000/4,000 on demand, else `pt`'s capacity). */
const char *ddb_warm_create_rules(ddb_arena *a, const ddb_json *warm, int ppr, const ddb_json *pt, const char *index);
/* A change: never below the current warm throughput `cur` (reads, writes). */
const char *ddb_warm_update_rules(ddb_arena *a, const ddb_json *warm, const long long cur[2], const char *index);
/* CreateTable's request: the table's members, then each GSI's. */
const char *ddb_create_table_throughput_rules(ddb_arena *a, const ddb_json *in);

/*
 * The spec of each operation ddbd serves (a HANDLED row of proto/ops.def), ddb_spec_<snake_name>,
 * defined in the validate_<family>.c of its operation (an operation that takes no members has
 * one too, with no fields).
 */
#define X(camel, snake, svc, impl, flags) DDB_IF_HANDLED(impl, extern const ddb_spec ddb_spec_##snake;)
#include "proto/ops.def"
#undef X

#endif
