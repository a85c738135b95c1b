/*
 * server/api/validate/validate_vector.c: vector indexes in requests: CreateTable's VectorIndexes,
 * UpdateTable's VectorIndexUpdates, and SearchVectors' spec.
 *
 * Members are in the API model's order (@aws-sdk/client-dynamodb 3.1162). Messages are DynamoDB's
 * as captured by the suites docs/compatibility.md names; where none was captured the text is ours
 * and the document says so.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"
#include "server/api/validate/validate_internal.h"

#define MAX_VECTOR_INDEXES 5
#define MAX_DIMS 4096
#define MAX_INLINE_FILTERS 18
#define MAX_TOPK 100
#define MAX_PROJECTED 20 /* projected attributes of one index */

static const ddb_field STRING_ATTR_NAME_FIELDS[] = {
    {"AttributeName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255},
    {NULL},
};

static const ddb_field SEARCH_SCHEMA_ELEMENT_FIELDS[] = {
    {"AttributeName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255},
    {"SearchSchemaElementType", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("HASH", "INLINE_FILTER")},
    {NULL},
};
static const ddb_field SEARCH_SCHEMA_MEMBER[] = {{"member", DDB_V_STRUCT, .children = SEARCH_SCHEMA_ELEMENT_FIELDS}};

/* VectorIndex and CreateVectorIndexAction: IndexName, VectorAttribute, Projection, Dimensions,
   DistanceFunction, SearchSchema. Dimensions' upper bound is a rule of its own (its own text). */
static const ddb_field VECTOR_INDEX_FIELDS[] = {
    F_INDEX_NAME(DDB_VF_NOT_NULL),
    {"VectorAttribute", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = STRING_ATTR_NAME_FIELDS},
    {"Projection", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = ddb_projection_fields},
    {"Dimensions", DDB_V_INTEGER, DDB_VF_NOT_NULL | DDB_VF_MIN, .min = 1},
    {"DistanceFunction", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("DOT_PRODUCT", "COSINE", "EUCLIDEAN")},
    {"SearchSchema", DDB_V_LIST, DDB_VF_LEN_MIN, .len_min = 1, .children = SEARCH_SCHEMA_MEMBER},
    {NULL},
};
const ddb_field ddb_vector_index_member[] = {{"member", DDB_V_STRUCT, .children = VECTOR_INDEX_FIELDS}};

static const ddb_field VECTOR_DELETE_FIELDS[] = {
    F_INDEX_NAME(DDB_VF_NOT_NULL),
    {NULL},
};
static const ddb_field VECTOR_UPDATE_FIELDS[] = {
    {"Create", DDB_V_STRUCT, .children = VECTOR_INDEX_FIELDS},
    {"Delete", DDB_V_STRUCT, .children = VECTOR_DELETE_FIELDS},
    {NULL},
};
const ddb_field ddb_vector_index_update_member[] = {{"member", DDB_V_STRUCT, .children = VECTOR_UPDATE_FIELDS}};

/* ---- the rules of one index (CreateTable's and UpdateTable's Create) ---- */

static int defined(const ddb_json *defs, const char *name)
{
    for (uint32_t i = 0; name != NULL && i < list_len(defs); i++)
        if (same_str(ddb_json_get_str(item_at(defs, i), "AttributeName"), name))
            return 1;
    return 0;
}

static const char *schema_rules(ddb_arena *a, const ddb_json *ix, const ddb_json *defs)
{
    const ddb_json *schema = ddb_v_get(ix, "SearchSchema");
    unsigned hashes = 0, filters = 0;

    for (uint32_t i = 0; i < list_len(schema); i++) {
        const char *role = ddb_json_get_str(item_at(schema, i), "SearchSchemaElementType");
        hashes += same_str(role, "HASH");
        filters += same_str(role, "INLINE_FILTER");
    }
    if (hashes > 1)
        return ddb_arena_sprintf(a, INVALID "Value '%u' at 'SearchSchema' failed to satisfy constraint: Member must "
                                            "have HASH count less than or equal to 1",
                                 hashes);
    if (filters > MAX_INLINE_FILTERS)
        return ddb_arena_sprintf(a, INVALID "Value '%u' at 'SearchSchema' failed to satisfy constraint: Member must "
                                            "have INLINE_FILTER count less than or equal to %d",
                                 filters, MAX_INLINE_FILTERS);
    for (uint32_t i = 1; i < list_len(schema); i++) /* captured (Dynoxide's vector tests, 2026-08-12) */
        for (uint32_t j = 0; j < i; j++)
            if (same_str(ddb_json_get_str(item_at(schema, i), "AttributeName"),
                         ddb_json_get_str(item_at(schema, j), "AttributeName")))
                return INVALID "SearchSchema contains a duplicate AttributeName";
    for (uint32_t i = 0; i < list_len(schema); i++)
        if (!defined(defs, ddb_json_get_str(item_at(schema, i), "AttributeName")))
            return INVALID "One element in SearchSchema is not defined in attribute definitions";
    return NULL;
}

/* Whether the string member `key` of obj holds a NUL character (its text would end there). */
static int has_nul(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_v_get(obj, key);

    return v != NULL && v->type == DDB_JSON_STRING && strlen(v->u.s) != v->n;
}

/* A SearchSchema attribute named with a NUL: refused (our text, docs/compatibility.md), as its
   AttributeDefinitions entry is matched by name. The VectorAttribute may hold one, as DynamoDB's
   does (alternator's test_vector_attribute_allowed_chars): the index keeps the name's length. */
static int nul_named(const ddb_json *ix)
{
    const ddb_json *schema = ddb_v_get(ix, "SearchSchema");

    for (uint32_t i = 0; i < list_len(schema); i++)
        if (has_nul(item_at(schema, i), "AttributeName"))
            return 1;
    return 0;
}

/* The VectorAttribute's name, NUL characters and all (its JSON node), or NULL. */
static const ddb_json *vector_attr(const ddb_json *ix)
{
    const ddb_json *v = ddb_v_get(ddb_v_get(ix, "VectorAttribute"), "AttributeName");

    return v != NULL && v->type == DDB_JSON_STRING ? v : NULL;
}

static int same_attr(const ddb_json *x, const ddb_json *y)
{
    return x != NULL && y != NULL && x->n == y->n && memcmp(x->u.s, y->u.s, x->n) == 0;
}

/* An index projects at most 20 attributes, and a vector index's own attribute is one of them: 19
   NonKeyAttributes at most, whatever the key (alternator's test_vector_new.py, run against
   DynamoDB: 19 accepted, 20 refused with a message naming "projected attributes"; the text is
   ours). The table's keys may be listed: accepted, as a GSI's are. */
static const char *projected_count(ddb_arena *a, const ddb_json *ix)
{
    uint32_t n = list_len(ddb_v_get(ddb_v_get(ix, "Projection"), "NonKeyAttributes"));

    if (n + 1 <= MAX_PROJECTED)
        return NULL;
    return ddb_arena_sprintf(a, INVALID "Number of projected attributes in vector index %s exceeds limit of %d (its "
                                        "NonKeyAttributes and its VectorAttribute), provided: %u",
                             ddb_json_get_str(ix, "IndexName"), MAX_PROJECTED, n + 1);
}

/* One vector index: its dimensions, its attribute (not a declared one), its schema, its projection. */
static const char *index_rules(ddb_arena *a, const ddb_json *ix, const ddb_json *defs)
{
    const ddb_json *attr = vector_attr(ix);
    const char *msg;

    if (ddb_v_number(ddb_v_get(ix, "Dimensions"), 1) > MAX_DIMS)
        return INVALID "Number of dimensions must be between 1 and 4096 inclusive.";
    if (nul_named(ix))
        return INVALID "The attribute names of a vector index's SearchSchema must not contain the NUL character "
                       "(U+0000)";
    for (uint32_t i = 0; attr != NULL && i < list_len(defs); i++)
        if (same_attr(ddb_v_get(item_at(defs, i), "AttributeName"), attr))
            return ddb_arena_sprintf(a, INVALID "Conflicting attribute definition for '%s'. An attribute cannot be "
                                                "defined in AttributeDefinitions when used as a VectorAttribute.",
                                     attr->u.s);
    if ((msg = schema_rules(a, ix, defs)) != NULL || (msg = ddb_projection_rules(a, ix)) != NULL)
        return msg;
    return projected_count(a, ix);
}

/* Indexes on one attribute must agree on their dimensions (the API reference; the text captured by
   the conformance suite's tier3 error-messages/vectorIndexes.test.ts, eu-west-2, 2026-08-11). */
static const char *same_dims(ddb_arena *a, const ddb_json *x, const ddb_json *y)
{
    if (same_attr(vector_attr(x), vector_attr(y)) &&
        ddb_v_number(ddb_v_get(x, "Dimensions"), 1) != ddb_v_number(ddb_v_get(y, "Dimensions"), 1))
        return ddb_arena_sprintf(a, INVALID "Conflicting attribute definition for '%s'. All VectorIndexes on the same "
                                            "vector attribute must use the same dimensions.",
                                 vector_attr(x)->u.s);
    return NULL;
}

const char *ddb_vector_create_table_rules(ddb_arena *a, const ddb_json *in)
{
    const ddb_json *vis = ddb_v_get(in, "VectorIndexes"), *defs = ddb_v_get(in, "AttributeDefinitions");
    static const char *const others[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    const char *msg;

    if (vis == NULL)
        return NULL;
    if (list_len(vis) == 0)
        return INVALID "List of VectorIndexes is empty"; /* (our text, as the GSI list's) */
    if (!same_str(ddb_json_get_str(in, "BillingMode"), "PAY_PER_REQUEST"))
        return INVALID "Vector indexes are only supported for PAY_PER_REQUEST tables";
    if (list_len(vis) > MAX_VECTOR_INDEXES)
        return INVALID "VectorIndex count exceeds the per-table limit of 5";
    for (uint32_t i = 0; i < list_len(vis); i++) {
        const ddb_json *ix = vis->u.items[i]; /* never null: the type pass read [null] as [{}] */
        const char *name = ddb_json_get_str(ix, "IndexName");
        for (uint32_t j = 0; j < i; j++) {
            if (same_str(ddb_json_get_str(item_at(vis, j), "IndexName"), name))
                return ddb_arena_sprintf(a, INVALID "Duplicate index name: %s", name);
            if ((msg = same_dims(a, item_at(vis, j), ix)) != NULL)
                return msg;
        }
        for (int l = 0; l < 2; l++)
            for (uint32_t j = 0; j < list_len(ddb_v_get(in, others[l])); j++)
                if (same_str(ddb_json_get_str(item_at(ddb_v_get(in, others[l]), j), "IndexName"), name))
                    return ddb_arena_sprintf(a, INVALID "Duplicate index name: %s", name);
        if ((msg = index_rules(a, ix, defs)) != NULL)
            return msg;
    }
    return NULL;
}

/* UpdateTable: each action has Create or Delete (one); a Create's SearchSchema is defined in the
   request itself, as a new GSI's keys are. The table's side (the handler's): one index change at a
   time, the count, the billing mode, names in use. */
const char *ddb_vector_update_table_rules(ddb_arena *a, const ddb_json *in)
{
    const ddb_json *updates = ddb_v_get(in, "VectorIndexUpdates");
    const char *msg;

    if (updates != NULL && list_len(updates) == 0)
        return INVALID "List of VectorIndexUpdates is empty"; /* (our text) */
    for (uint32_t i = 0; i < list_len(updates); i++) {
        const ddb_json *u = updates->u.items[i];
        const ddb_json *cre = ddb_v_get(u, "Create"), *del = ddb_v_get(u, "Delete");
        if (cre != NULL && del != NULL) /* captured (Dynoxide's vector tests, eu-west-2 and us-east-1, 2026-08-12) */
            return INVALID "Only one vector index action is allowed per VectorIndexUpdate object";
        if (cre == NULL && del == NULL) /* (our text, as the GSI list's) */
            return INVALID "One of VectorIndexUpdate.Create, VectorIndexUpdate.Delete must not be null";
        if (cre != NULL && (msg = index_rules(a, cre, ddb_v_get(in, "AttributeDefinitions"))) != NULL)
            return msg;
    }
    return NULL;
}

/* ---- SearchVectors ---- */

static const ddb_field ATTR_MEMBER[] = {{"member", DDB_V_ATTR}};
static const ddb_field STRING_MEMBER[] = {{"member", DDB_V_STRING}};

/* The API model's order. SearchVector's length is checked against the index by the handler. */
static const ddb_field SEARCH_VECTORS_FIELDS[] = {
    {"TableName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_TABLE_ARN},
    F_INDEX_NAME(DDB_VF_NOT_NULL),
    {"SearchVector", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = MAX_DIMS,
     .children = ATTR_MEMBER},
    /* below 1: the newer framework's form, "Value at 'TopK'" with no value echoed (issue 62's
       recording; docs/compatibility.md) */
    {"TopK", DDB_V_INTEGER, DDB_VF_NOT_NULL | DDB_VF_MIN | DDB_VF_CAP_PATH, .min = 1},
    {"ReturnConsumedCapacity", DDB_V_STRING, .one_of = ENUM("INDEXES", "TOTAL", "NONE")},
    {"ExpressionAttributeNames", DDB_V_MAP, .children = STRING_MEMBER},
    {"ExpressionAttributeValues", DDB_V_MAP, .children = ATTR_MEMBER},
    {"ProjectionExpression", DDB_V_STRING},
    {"SearchConditionExpression", DDB_V_STRING},
    {NULL},
};

/* Whether every element is {"N": a number within f32's range}. */
static int f32_vector(const ddb_json *v)
{
    for (uint32_t i = 0; i < list_len(v); i++) {
        const ddb_json *e = v->u.items[i], *n;
        double d;
        int whole;
        if (e == NULL || e->type != DDB_JSON_OBJECT || e->n != 1 || (n = ddb_json_get(e, "N")) == NULL ||
            n->type != DDB_JSON_STRING)
            return 0;
        d = ddb_num_to_double(n->u.s, strlen(n->u.s), &whole);
        if (!whole || !(d >= -(double)FLT_MAX && d <= (double)FLT_MAX))
            return 0;
    }
    return 1;
}

/* TopK and the vector's values, before the table is looked up (captured: docs/compatibility.md). */
static const char *search_vectors_rules(ddb_req *req, const ddb_json *in)
{
    const ddb_json *topk = ddb_v_get(in, "TopK");
    long long k = (long long)ddb_v_number(topk, 1);

    /* (a fraction never comes here: the deserializer refuses it as an i32, validate_serde.c) */
    if (k < 1 || k > MAX_TOPK)
        return ddb_arena_sprintf(req->arena,
                                 "Provided TopK value '%lld' is out of valid range. The value must be between 1 and %d "
                                 "inclusive",
                                 k, MAX_TOPK);
    if (!f32_vector(ddb_v_get(in, "SearchVector")))
        return "Search vector contains invalid values. All values in the search vector must be a 32-bit "
               "floating-point number attribute";
    /* the names, values and expressions, as every operation's (the trees go to req->parsed) */
    return ddb_expr_prepare_as(req->arena, ddb_op_flags(DDB_OP_SearchVectors), req->values, in, &req->parsed);
}

const ddb_spec ddb_spec_search_vectors = {SEARCH_VECTORS_FIELDS, search_vectors_rules};
