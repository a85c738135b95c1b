/*
 * server/api/validate/validate_table.c: the specs and cross-field rules of CreateTable, DeleteTable,
 * DescribeTable and ListTables (see validate.h for the phases), what UpdateTable's
 * (validate_update_table.c) shares with them (validate_table.h), and the shapes the restores'
 * overrides share with CreateTable (validate_internal.h).
 *
 * The base is dynalite's validations/createTable.js and updateTable.js (the later revision with
 * BillingMode). What DynamoDB added since (TableClass, DeletionProtectionEnabled, stream
 * specifications, multi-attribute GSI keys, the NonKeyAttributes limits, the newer texts) follows
 * captures of real DynamoDB in other projects' suites; where a text or an order could not be
 * confirmed, the comment says so. Rules that need the stored table (an index that already
 * exists, key types against the table's definitions, throughput against its billing mode) are
 * the handler's (ops_table.c).
 */
#include <stdlib.h>
#include <string.h>

#include "server/api/validate/validate_table.h"

#define MAX_CAPACITY 1000000000000.0
#define MAX_KEY_ATTRIBUTES 4          /* HASH, and RANGE, elements of a GSI key (multi-attribute keys) */
#define MAX_PROJECTED_ATTRIBUTES 100 /* NonKeyAttributes summed over all of a table's indexes */
#define MAX_ERRORS 10

#define TABLE_CLASS_TEXT                                                                                               \
    "Invalid table-class parameter provided. Please try again with a valid table-class value: "                        \
    "[STANDARD, STANDARD_INFREQUENT_ACCESS]."

/* ---- field building blocks ---- */


#define F_TABLE_NAME_CREATE {"TableName", DDB_V_STRING, DDB_VF_REQUIRED | NAME_FLAGS, .len_min = 3, .len_max = 255}
/* Key attribute names are 1-255 characters (KeySchemaAttributeName); DynamoDB reports the length
 * before any consistency rule between definitions and key schemas. */
#define F_KEY_ATTRIBUTE_NAME                                                                                           \
    {"AttributeName", DDB_V_STRING, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 255}

/* ProvisionedThroughput: WriteCapacityUnits is first in dynalite, so it is reported first. */
const ddb_field ddb_throughput_fields[] = {
    {"WriteCapacityUnits", DDB_V_LONG, DDB_VF_NOT_NULL | DDB_VF_MIN, .min = 1},
    {"ReadCapacityUnits", DDB_V_LONG, DDB_VF_NOT_NULL | DDB_VF_MIN, .min = 1},
    {NULL},
};


/* Index key schemas check KeyType's value as the table's does: "Value 'SORT' at
 * 'globalSecondaryIndexes.1.member.keySchema.2.member.keyType' ... enum value set: [HASH, RANGE]",
 * before the attributes are looked at (moto's test_create_table__specify_non_key_column, verified
 * against AWS, for a GSI and an LSI; dynalite checked only its presence). */
static const ddb_field INDEX_KEY_FIELDS[] = {
    F_KEY_ATTRIBUTE_NAME,
    {"KeyType", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("HASH", "RANGE")},
    {NULL},
};
const ddb_field ddb_vt_index_key_member[] = {{"member", DDB_V_STRUCT, .children = INDEX_KEY_FIELDS}};
/* A local index has the table's key shape; a global one up to 4 HASH and 4 RANGE elements,
 * which the rules count (the list itself has no upper bound). */
#define F_LSI_KEY_SCHEMA                                                                                               \
    {"KeySchema", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 2,         \
     .children = ddb_vt_index_key_member}

static const ddb_field ATTRIBUTE_DEFINITION_FIELDS[] = {
    F_KEY_ATTRIBUTE_NAME,
    {"AttributeType", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("B", "N", "S")},
    {NULL},
};
const ddb_field ddb_vt_attribute_definition_member[] = {
    {"member", DDB_V_STRUCT, .children = ATTRIBUTE_DEFINITION_FIELDS}};

const ddb_field ddb_vt_stream_specification_fields[] = {
    {"StreamEnabled", DDB_V_BOOLEAN, DDB_VF_NOT_NULL},
    /* DynamoDB's own order of the set (captured twice) */
    {"StreamViewType", DDB_V_STRING, .one_of = ENUM("OLD_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "NEW_IMAGE")},
    {NULL},
};

/* ---- CreateTable ---- */

static const ddb_field TABLE_KEY_FIELDS[] = {
    F_KEY_ATTRIBUTE_NAME,
    {"KeyType", DDB_V_STRING, DDB_VF_NOT_NULL, .one_of = ENUM("HASH", "RANGE")},
    {NULL},
};
static const ddb_field TABLE_KEY_MEMBER[] = {{"member", DDB_V_STRUCT, .children = TABLE_KEY_FIELDS}};

static const ddb_field LSI_FIELDS[] = {
    F_INDEX_NAME(DDB_VF_NOT_NULL),
    F_LSI_KEY_SCHEMA,
    {"Projection", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = ddb_projection_fields},
    {NULL},
};
const ddb_field ddb_lsi_member[] = {{"member", DDB_V_STRUCT, .children = LSI_FIELDS}};

static const ddb_field GSI_FIELDS[] = {
    F_INDEX_NAME(DDB_VF_NOT_NULL),
    F_GSI_KEY_SCHEMA,
    {"Projection", DDB_V_STRUCT, DDB_VF_NOT_NULL, .children = ddb_projection_fields},
    {"ProvisionedThroughput", DDB_V_STRUCT, .children = ddb_throughput_fields},
    F_ON_DEMAND,
    F_WARM,
    {NULL},
};
const ddb_field ddb_gsi_member[] = {{"member", DDB_V_STRUCT, .children = GSI_FIELDS}};

/* CreateTable's and UpdateTable's SSESpecification, the restores' SSESpecificationOverride (stored,
   and described as SSEDescription: docs/compatibility.md, "Encryption at rest") */
const ddb_field ddb_sse_specification_fields[] = {
    {"Enabled", DDB_V_BOOLEAN},
    {"KMSMasterKeyId", DDB_V_STRING},
    {"SSEType", DDB_V_STRING, .one_of = ENUM("AES256", "KMS")},
    {NULL},
};

/* DynamoDB reports a GSI's constraint errors before an LSI's, whatever the request's order. */
static const ddb_field CREATE_TABLE_FIELDS[] = {
    {"AttributeDefinitions", DDB_V_LIST, DDB_VF_NOT_NULL, .children = ddb_vt_attribute_definition_member},
    F_TABLE_NAME_CREATE,
    {"BillingMode", DDB_V_STRING, .one_of = ENUM("PROVISIONED", "PAY_PER_REQUEST")},
    {"ProvisionedThroughput", DDB_V_STRUCT, .children = ddb_throughput_fields},
    {"KeySchema", DDB_V_LIST, DDB_VF_NOT_NULL | DDB_VF_LEN_MIN | DDB_VF_LEN_MAX, .len_min = 1, .len_max = 2,
     .children = TABLE_KEY_MEMBER},
    {"GlobalSecondaryIndexes", DDB_V_LIST, .children = ddb_gsi_member},
    {"LocalSecondaryIndexes", DDB_V_LIST, .children = ddb_lsi_member},
    F_STREAM_SPECIFICATION,
    {"VectorIndexes", DDB_V_LIST, .children = ddb_vector_index_member},
    {"Tags", DDB_V_LIST, .children = ddb_tag_member}, /* the model's order; validate_tags.c */
    F_TABLE_CLASS,
    F_DELETION_PROTECTION,
    F_WARM,
    {"ResourcePolicy", DDB_V_STRING}, /* validate_policy.c */
    F_ON_DEMAND,
    {"SSESpecification", DDB_V_STRUCT, .children = ddb_sse_specification_fields},
    /* multi-account global tables: not implemented yet (docs/compatibility.md, Global tables) */
    {"GlobalTableSourceArn", DDB_V_STRING, DDB_VF_REFUSED},
    {"GlobalTableSettingsReplicationMode", DDB_V_STRING, DDB_VF_REFUSED},
    {NULL},
};

/* ---- DeleteTable, DescribeTable, ListTables ---- */

static const ddb_field TABLE_NAME_ONLY_FIELDS[] = {
    F_TABLE_NAME_TABLE,
    {NULL},
};

static const ddb_field LIST_TABLES_FIELDS[] = {
    {"Limit", DDB_V_INTEGER, DDB_VF_MIN | DDB_VF_MAX, .min = 1, .max = 100},
    {"ExclusiveStartTableName", DDB_V_STRING, NAME_FLAGS, .len_min = 3, .len_max = 255},
    {NULL},
};

/* ---- Booleans the handler stores as sent ---- */

/*
 * The type pass reads the strings TRUE/FALSE/YES/NO/1/0 (any case) as Booleans, as DynamoDB's
 * parser does. CreateTable and UpdateTable store these members verbatim and later read them as
 * JSON Booleans, so a string that passed is turned into the Boolean it stands for, in the
 * request's own (arena) tree: otherwise "false" would be stored and read as true.
 */
static void make_boolean(const ddb_json *v)
{
    ddb_json *w = (ddb_json *)v;
    int value;

    if (v == NULL || v->type != DDB_JSON_STRING)
        return;
    value = ddb_v_bool(v);
    w->type = DDB_JSON_BOOL;
    w->n = 0;
    w->u.b = value;
}

void ddb_vt_make_booleans(const ddb_json *in)
{
    make_boolean(ddb_v_get(in, "DeletionProtectionEnabled"));
    make_boolean(ddb_v_get(ddb_v_get(in, "StreamSpecification"), "StreamEnabled"));
    make_boolean(ddb_v_get(ddb_v_get(in, "SSESpecification"), "Enabled"));
}

/* ---- NonKeyAttributes members: the one constraint the field specs cannot express ---- */


/* A list of strings as DynamoDB prints it in a constraint message: "[a, b]". */
static void list_text(ddb_buf *b, const ddb_json *list)
{
    ddb_buf_putc(b, '[');
    for (uint32_t i = 0; i < list_len(list); i++) {
        const ddb_json *s = list->u.items[i];
        if (i > 0)
            ddb_buf_puts(b, ", ");
        if (ddb_v_present(s) && s->type == DDB_JSON_STRING)
            ddb_buf_append(b, s->u.s, s->n);
        else
            ddb_buf_puts(b, "null");
    }
    ddb_buf_putc(b, ']');
}

/*
 * Each name is 1-255 characters (NonKeyAttributeName). A list member's constraint is reported on
 * the list, as the map-key constraints are on the map, one message per offending member.
 */
static void nka_lengths(errors *e, const ddb_json *index, const char *path)
{
    const ddb_json *nka = ddb_v_get(ddb_v_get(index, "Projection"), "NonKeyAttributes");

    for (uint32_t i = 0; i < list_len(nka) && e->n < MAX_ERRORS; i++) {
        const ddb_json *s = nka->u.items[i];
        size_t len;
        if (!ddb_v_present(s) || s->type != DDB_JSON_STRING)
            continue;
        len = ddb_utf16_len(s->u.s, s->n);
        if (len >= 1 && len <= 255)
            continue;
        if (e->n++ > 0)
            ddb_buf_puts(&e->msgs, "; ");
        ddb_buf_puts(&e->msgs, "Value '");
        list_text(&e->msgs, nka);
        ddb_buf_printf(&e->msgs, "' at '%s.projection.nonKeyAttributes' failed to satisfy constraint: Member must "
                                 "satisfy constraint: [Member must have length less than or equal to 255, Member "
                                 "must have length greater than or equal to 1]", path);
    }
}

void ddb_vt_nka_lengths_of(ddb_arena *a, errors *e, const ddb_json *list, const char *member, const char *action)
{
    for (uint32_t i = 0; i < list_len(list); i++) {
        const ddb_json *idx = item_at(list, i);
        if (action != NULL)
            idx = ddb_v_get(idx, action);
        nka_lengths(e, idx, ddb_arena_sprintf(a, "%s.%u.member%s%s", member, i + 1, action ? "." : "",
                                              action ? "create" : ""));
    }
}

const char *ddb_vt_errors_text(ddb_arena *a, errors *e)
{
    const char *msg = NULL;
    if (e->n > 0)
        msg = ddb_arena_sprintf(a, "%d validation error%s detected: %.*s", e->n, e->n > 1 ? "s" : "",
                                (int)e->msgs.len, e->msgs.data);
    ddb_buf_free(&e->msgs);
    return msg;
}

/* ---- shared rules ---- */

/* "Given value N for ReadCapacityUnits is out of bounds[ for index X]". */
const char *ddb_vt_throughput_bounds(ddb_arena *a, const ddb_json *pt, const char *index)
{
    static const char *const units[] = {"ReadCapacityUnits", "WriteCapacityUnits"};
    for (int i = 0; i < 2; i++) {
        const ddb_json *v = ddb_v_get(pt, units[i]);
        if (v != NULL && ddb_v_number(v, 1) > MAX_CAPACITY)
            return ddb_arena_sprintf(a, "Given value %s for %s is out of bounds%s%s", long_text(a, v), units[i],
                                     index != NULL ? " for index " : "", index != NULL ? index : "");
    }
    return NULL;
}

static const char *billing_rules(ddb_arena *a, const ddb_json *in)
{
    const ddb_json *pt = ddb_v_get(in, "ProvisionedThroughput");
    if (same_str(ddb_json_get_str(in, "BillingMode"), "PAY_PER_REQUEST")) {
        if (pt != NULL)
            return INVALID "Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is "
                           "PAY_PER_REQUEST";
        return NULL;
    }
    if (pt == NULL || ddb_v_number(ddb_v_get(pt, "ReadCapacityUnits"), 1) == 0 ||
        ddb_v_number(ddb_v_get(pt, "WriteCapacityUnits"), 1) == 0)
        return INVALID "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is "
                       "PROVISIONED";
    return ddb_vt_throughput_bounds(a, pt, NULL);
}


ddb_vt_names ddb_vt_attribute_names(ddb_arena *a, const ddb_json *list)
{
    ddb_vt_names out = {list_len(list), NULL};
    out.v = DDB_NEW_ARRAY(a, const char *, out.n + 1);
    for (uint32_t i = 0; i < out.n; i++)
        out.v[i] = ddb_json_get_str(item_at(list, i), "AttributeName");
    return out;
}

int ddb_vt_names_has(ddb_vt_names ns, const char *s)
{
    for (uint32_t i = 0; i < ns.n; i++) {
        if (same_str(ns.v[i], s))
            return 1;
    }
    return 0;
}

int ddb_vt_names_subset(ddb_vt_names sub, ddb_vt_names of)
{
    for (uint32_t i = 0; i < sub.n; i++) {
        if (!ddb_vt_names_has(of, sub.v[i]))
            return 0;
    }
    return 1;
}

/* The first name that occurs twice, or NULL. */
static const char *names_duplicate(ddb_vt_names ns)
{
    for (uint32_t i = 1; i < ns.n; i++) {
        for (uint32_t j = 0; j < i; j++) {
            if (ns.v[i] != NULL && same_str(ns.v[i], ns.v[j]))
                return ns.v[i];
        }
    }
    return NULL;
}

static void names_join(ddb_buf *b, ddb_vt_names ns)
{
    for (uint32_t i = 0; i < ns.n; i++) {
        if (i > 0)
            ddb_buf_puts(b, ", ");
        ddb_buf_puts(b, ns.v[i] != NULL ? ns.v[i] : "");
    }
}

/* "<head>[first]<middle>[second]": the message naming two lists of attributes that do not match
   (head and middle end with their list's opening bracket). */
static const char *two_lists(ddb_arena *a, const char *head, ddb_vt_names first, const char *middle,
                             ddb_vt_names second)
{
    ddb_buf b = {0};
    ddb_buf_puts(&b, head);
    names_join(&b, first);
    ddb_buf_puts(&b, middle);
    names_join(&b, second);
    ddb_buf_putc(&b, ']');
    return take(a, &b);
}

const char *ddb_vt_undefined_keys(ddb_arena *a, ddb_vt_names keys, ddb_vt_names defns)
{
    return two_lists(a, INVALID "Some index key attributes are not defined in AttributeDefinitions. Keys: [", keys,
                     "], AttributeDefinitions: [", defns);
}

static const char *key_type(const ddb_json *schema, uint32_t i)
{
    return ddb_json_get_str(item_at(schema, i), "KeyType");
}

/* Hash first, range second, distinct names: the table's key and every local index's. */
static const char *key_schema_shape(const ddb_json *schema, ddb_vt_names keys)
{
    if (item_at(schema, 1) != NULL && keys.n > 1 && same_str(keys.v[0], keys.v[1]))
        return "Both the Hash Key and the Range Key element in the KeySchema have the same name";
    if (!same_str(key_type(schema, 0), "HASH"))
        return "Invalid KeySchema: The first KeySchemaElement is not a HASH key type";
    if (item_at(schema, 1) != NULL && !same_str(key_type(schema, 1), "RANGE"))
        return "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type";
    return NULL;
}

/*
 * A global index's key: up to 4 HASH elements, then up to 4 RANGE elements (multi-attribute
 * keys, November 2025), distinct names. The two-element texts are the classic ones. The order of
 * the four newer checks among themselves is not confirmed. Every KeyType is HASH or RANGE here
 * (the constraint pass refused any other).
 */
const char *ddb_vt_gsi_key_shape(const ddb_json *schema, ddb_vt_names keys)
{
    uint32_t n = list_len(schema), hashes = 1, ranges = 0;
    int after_range = 0, misordered = 0;

    if (n == 2 && item_at(schema, 1) != NULL && same_str(keys.v[0], keys.v[1]))
        return "Both the Hash Key and the Range Key element in the KeySchema have the same name";
    if (!same_str(key_type(schema, 0), "HASH"))
        return "Invalid KeySchema: The first KeySchemaElement is not a HASH key type";
    for (uint32_t i = 1; i < n; i++) {
        const char *t = key_type(schema, i);
        if (same_str(t, "HASH")) {
            hashes++;
            misordered |= after_range;
        } else {
            ranges++;
            after_range = 1;
        }
    }
    if (hashes > MAX_KEY_ATTRIBUTES)
        return INVALID "The KeySchema exceeds the maximum allowed number of HASH key attributes";
    if (ranges > MAX_KEY_ATTRIBUTES)
        return INVALID "The KeySchema exceeds the maximum allowed number of RANGE key attributes";
    if (misordered)
        return INVALID "All HASH key attributes must precede RANGE key attributes in the KeySchema";
    if (names_duplicate(keys) != NULL)
        return "The KeySchema contains multiple key attributes with the same name";
    return NULL;
}

/* ProjectionType present; NonKeyAttributes exactly with INCLUDE, without repeats. */

/* DynamoDB's two stream rules; create: CreateTable's wording, else UpdateTable's. */
const char *ddb_vt_stream_rules(const ddb_json *in, int create)
{
    const ddb_json *spec = ddb_v_get(in, "StreamSpecification");
    int enabled, typed;

    if (spec == NULL)
        return NULL;
    enabled = ddb_v_bool(ddb_v_get(spec, "StreamEnabled"));
    typed = ddb_v_get(spec, "StreamViewType") != NULL;
    if (enabled && !typed)
        return create ? INVALID "Table is being created with a stream enabled, UpdateViewType is required"
                      : INVALID "If stream is being enabled then UpdateViewType is required";
    if (!enabled && typed)
        return create ? INVALID "Table is being created with a stream disabled, UpdateViewType should not be specified"
                      : INVALID "If stream is being disabled, then UpdateViewType must not be specified";
    return NULL;
}

/* The order of this rule among the others is not confirmed. */
const char *ddb_vt_table_class_rule(const ddb_json *in)
{
    const char *c = ddb_json_get_str(in, "TableClass");
    if (ddb_v_get(in, "TableClass") == NULL || same_str(c, "STANDARD") || same_str(c, "STANDARD_INFREQUENT_ACCESS"))
        return NULL;
    return TABLE_CLASS_TEXT;
}


/* ---- CreateTable ---- */

static const char *index_name_unique(ddb_arena *a, ddb_vt_names *seen, const char *name)
{
    if (ddb_vt_names_has(*seen, name))
        return ddb_arena_sprintf(a, INVALID "Duplicate index name: %s", name);
    seen->v[seen->n++] = name;
    return NULL;
}

/* What an index's rules depend on besides the index: an LSI's the table's hash key, a GSI's the
   billing mode. */
typedef struct index_kind {
    int lsi;                /* an LSI, else a GSI */
    const char *table_hash; /* an LSI's: the table's hash key */
    int on_demand;          /* a GSI's: the table is PAY_PER_REQUEST */
} index_kind;

/* An LSI's keys: a range key, and the table's hash key leading. */
static const char *lsi_keys(ddb_arena *a, ddb_vt_names keys, const char *table_hash, const char *name)
{
    if (keys.n != 2)
        return ddb_arena_sprintf(a, INVALID "Index KeySchema does not have a range key for index: %s", name);
    if (!same_str(keys.v[0], table_hash))
        return ddb_arena_sprintf(a, INVALID "Index KeySchema does not have the same leading hash key as table "
                                            "KeySchema for index: %s. index hash key: %s, table hash key: %s",
                                 name, keys.v[0], table_hash);
    return NULL;
}

/* A GSI's ProvisionedThroughput: there exactly when the table is provisioned. */
static const char *gsi_throughput(ddb_arena *a, const ddb_json *idx, int on_demand, const char *name)
{
    if (on_demand && ddb_v_get(idx, "ProvisionedThroughput") != NULL)
        return ddb_arena_sprintf(a, INVALID "ProvisionedThroughput should not be specified for index: %s when "
                                            "BillingMode is PAY_PER_REQUEST", name);
    if (!on_demand && ddb_v_get(idx, "ProvisionedThroughput") == NULL)
        return ddb_arena_sprintf(a, INVALID "ProvisionedThroughput is not specified for index: %s", name);
    return NULL;
}

/* One LSI's or GSI's rules, in DynamoDB's order: keys defined, key shape, (an LSI's keys),
   projection, (a GSI's throughput), a name not used before. */
static const char *index_one(ddb_arena *a, const ddb_json *idx, ddb_vt_names defns, index_kind k, ddb_vt_names *seen)
{
    const ddb_json *schema = ddb_v_get(idx, "KeySchema");
    const char *name = ddb_json_get_str(idx, "IndexName");
    ddb_vt_names keys = ddb_vt_attribute_names(a, schema);
    const char *msg;

    if (!ddb_vt_names_subset(keys, defns))
        return ddb_vt_undefined_keys(a, keys, defns);
    if (k.lsi) {
        if ((msg = key_schema_shape(schema, keys)) != NULL || (msg = lsi_keys(a, keys, k.table_hash, name)) != NULL)
            return msg;
    } else if ((msg = ddb_vt_gsi_key_shape(schema, keys)) != NULL) {
        return msg;
    }
    if ((msg = ddb_projection_rules(a, idx)) != NULL)
        return msg;
    if (!k.lsi && (msg = gsi_throughput(a, idx, k.on_demand, name)) != NULL)
        return msg;
    return index_name_unique(a, seen, name);
}

static const char *lsi_rules(ddb_arena *a, const ddb_json *in, ddb_vt_names defns, ddb_vt_names keys,
                             ddb_vt_names *seen)
{
    const ddb_json *lsis = ddb_v_get(in, "LocalSecondaryIndexes");
    if (lsis == NULL)
        return NULL;
    if (list_len(lsis) == 0)
        return INVALID "List of LocalSecondaryIndexes is empty";
    if (keys.n != 2)
        return INVALID "Table KeySchema does not have a range key, which is required when specifying a "
                       "LocalSecondaryIndex";
    for (uint32_t i = 0; i < list_len(lsis); i++) {
        const ddb_json *idx = lsis->u.items[i]; /* never null: the type pass read [null] as [{}] */
        const char *msg = index_one(a, idx, defns, (index_kind){1, keys.v[0], 0}, seen);
        if (msg != NULL)
            return msg;
    }
    if (list_len(lsis) > 5)
        return INVALID "Number of LocalSecondaryIndexes exceeds per-table limit of 5";
    return NULL;
}

static const char *gsi_rules(ddb_arena *a, const ddb_json *in, ddb_vt_names defns, ddb_vt_names *seen)
{
    const ddb_json *gsis = ddb_v_get(in, "GlobalSecondaryIndexes");
    int on_demand = same_str(ddb_json_get_str(in, "BillingMode"), "PAY_PER_REQUEST");
    if (gsis == NULL)
        return NULL;
    if (list_len(gsis) == 0)
        return INVALID "List of GlobalSecondaryIndexes is empty";
    for (uint32_t i = 0; i < list_len(gsis); i++) {
        const ddb_json *idx = gsis->u.items[i];
        const char *msg = index_one(a, idx, defns, (index_kind){0, NULL, on_demand}, seen);
        if (msg != NULL)
            return msg;
    }
    if (list_len(gsis) > 20)
        return INVALID "GlobalSecondaryIndex count exceeds the per-table limit of 20";
    return NULL;
}

/* Java's String.hashCode over UTF-16 code units. */
static uint32_t java_hash(const char *s)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0';) {
        uint32_t cp = *p++;
        int more = cp >= 0xf0 ? 3 : cp >= 0xe0 ? 2 : cp >= 0xc0 ? 1 : 0;
        if (more > 0)
            cp &= 0x3fu >> more;
        for (; more > 0 && (*p & 0xc0) == 0x80; more--)
            cp = (cp << 6) | (*p++ & 0x3fu);
        if (cp >= 0x10000) {
            h = 31 * h + (0xd800 + ((cp - 0x10000) >> 10));
            cp = 0xdc00 + ((cp - 0x10000) & 0x3ff);
        }
        h = 31 * h + cp;
    }
    return h;
}

typedef struct hashed_name {
    const char *name;
    uint32_t bucket, order;
} hashed_name;

static int hashed_cmp(const void *x, const void *y)
{
    const hashed_name *a = x, *b = y;
    if (a->bucket != b->bucket)
        return a->bucket < b->bucket ? -1 : 1;
    return a->order < b->order ? -1 : a->order > b->order;
}

/*
 * The distinct names in the order a java.util.HashSet filled in this order iterates them: by
 * bucket (the spread hash modulo the table size, 16 doubling past 3/4 full), then by insertion.
 * DynamoDB prints its "keys used" set so ("keys used: [a, sk, pk]").
 */
static void java_set_order(ddb_arena *a, ddb_vt_names *ns)
{
    hashed_name *h = DDB_NEW_ARRAY(a, hashed_name, ns->n + 1);
    uint32_t n = 0, cap = 16;

    for (uint32_t i = 0; i < ns->n; i++) {
        int dup = 0;
        for (uint32_t j = 0; j < n && !dup; j++)
            dup = same_str(h[j].name, ns->v[i]);
        if (dup || ns->v[i] == NULL)
            continue;
        h[n].name = ns->v[i];
        h[n].order = n;
        h[n].bucket = java_hash(ns->v[i]);
        h[n].bucket ^= h[n].bucket >> 16;
        if (++n > cap / 4 * 3)
            cap *= 2;
    }
    for (uint32_t i = 0; i < n; i++)
        h[i].bucket &= cap - 1;
    qsort(h, n, sizeof(*h), hashed_cmp);
    for (uint32_t i = 0; i < n; i++)
        ns->v[i] = h[i].name;
    ns->n = n;
}

static void add_key_names(ddb_arena *a, ddb_vt_names *used, const ddb_json *schema)
{
    ddb_vt_names k = ddb_vt_attribute_names(a, schema);
    for (uint32_t i = 0; i < k.n; i++)
        used->v[used->n++] = k.v[i];
}

/* With indexes, every definition must be some key's: "Some AttributeDefinitions are not used". */
static const char *unused_definitions(ddb_arena *a, const ddb_json *in, ddb_vt_names defns)
{
    const ddb_json *lsis = ddb_v_get(in, "LocalSecondaryIndexes"), *gsis = ddb_v_get(in, "GlobalSecondaryIndexes");
    uint32_t cap = 2 + list_len(lsis) * 2;
    ddb_vt_names used = {0, NULL};
    const ddb_json *vis = ddb_v_get(in, "VectorIndexes");

    for (uint32_t i = 0; i < list_len(gsis); i++)
        cap += list_len(ddb_v_get(item_at(gsis, i), "KeySchema"));
    for (uint32_t i = 0; i < list_len(vis); i++)
        cap += list_len(ddb_v_get(item_at(vis, i), "SearchSchema"));
    used.v = DDB_NEW_ARRAY(a, const char *, cap + 1);
    add_key_names(a, &used, ddb_v_get(in, "KeySchema"));
    for (uint32_t i = 0; i < list_len(lsis); i++)
        add_key_names(a, &used, ddb_v_get(item_at(lsis, i), "KeySchema"));
    for (uint32_t i = 0; i < list_len(gsis); i++)
        add_key_names(a, &used, ddb_v_get(item_at(gsis, i), "KeySchema"));
    for (uint32_t i = 0; i < list_len(vis); i++) /* a vector index's SearchSchema attributes are declared */
        add_key_names(a, &used, ddb_v_get(item_at(vis, i), "SearchSchema"));
    if (ddb_vt_names_subset(defns, used))
        return NULL;
    java_set_order(a, &used);
    return two_lists(a, INVALID "Some AttributeDefinitions are not used. AttributeDefinitions: [", defns,
                     "], keys used: [", used);
}

/* The documented limit of 100 NonKeyAttributes over all indexes; the text is ours (not confirmed). */
static const char *projected_total(const ddb_json *in)
{
    static const char *const lists[] = {"LocalSecondaryIndexes", "GlobalSecondaryIndexes"};
    uint32_t total = 0;

    for (int l = 0; l < 2; l++) {
        const ddb_json *list = ddb_v_get(in, lists[l]);
        for (uint32_t i = 0; i < list_len(list); i++)
            total += list_len(ddb_v_get(ddb_v_get(item_at(list, i), "Projection"), "NonKeyAttributes"));
    }
    if (total > MAX_PROJECTED_ATTRIBUTES)
        return INVALID "Number of NonKeyAttributes summed across all secondary indexes exceeds per-table limit of 100";
    return NULL;
}

static const char *create_table_keys(ddb_arena *a, const ddb_json *in, ddb_vt_names defns, ddb_vt_names keys)
{
    const ddb_json *schema = ddb_v_get(in, "KeySchema");
    int indexed = ddb_v_get(in, "LocalSecondaryIndexes") != NULL || ddb_v_get(in, "GlobalSecondaryIndexes") != NULL ||
                  ddb_v_get(in, "VectorIndexes") != NULL;
    const char *dup = names_duplicate(defns), *msg;

    if (dup != NULL)
        return ddb_arena_sprintf(a, "Attribute Name is duplicated: %s", dup);
    if (keys.n > defns.n)
        return "Invalid KeySchema: Some index key attribute have no definition";
    if (!ddb_vt_names_subset(keys, defns))
        return ddb_vt_undefined_keys(a, keys, defns);
    if ((msg = key_schema_shape(schema, keys)) != NULL)
        return msg;
    if (!indexed && keys.n != defns.n)
        return INVALID "Number of attributes in KeySchema does not exactly match number of attributes defined in "
                       "AttributeDefinitions";
    return NULL; /* with indexes, unused definitions are checked after the indexes (below) */
}

static const char *create_table_rules(ddb_req *req, const ddb_json *in)
{
    ddb_arena *a = req->arena;
    ddb_vt_names defns = ddb_vt_attribute_names(a, ddb_v_get(in, "AttributeDefinitions"));
    ddb_vt_names keys = ddb_vt_attribute_names(a, ddb_v_get(in, "KeySchema")), seen;
    errors e = {{0}, 0};
    const char *msg;

    ddb_vt_make_booleans(in);
    ddb_vt_nka_lengths_of(a, &e, ddb_v_get(in, "GlobalSecondaryIndexes"), "globalSecondaryIndexes", NULL);
    ddb_vt_nka_lengths_of(a, &e, ddb_v_get(in, "LocalSecondaryIndexes"), "localSecondaryIndexes", NULL);
    /* a vector index's Projection is the same model shape: the same constraint (issue 52) */
    ddb_vt_nka_lengths_of(a, &e, ddb_v_get(in, "VectorIndexes"), "vectorIndexes", NULL);
    if ((msg = ddb_vt_errors_text(a, &e)) != NULL)
        return msg;
    /* the throughput members after the billing rules they depend on (their place is not confirmed) */
    if ((msg = billing_rules(a, in)) != NULL || (msg = ddb_create_table_throughput_rules(a, in)) != NULL ||
        (msg = create_table_keys(a, in, defns, keys)) != NULL)
        return msg;
    seen.n = 0;
    seen.v = DDB_NEW_ARRAY(a, const char *,
                           list_len(ddb_v_get(in, "LocalSecondaryIndexes")) +
                               list_len(ddb_v_get(in, "GlobalSecondaryIndexes")) + 1);
    /* an empty index list, an index's own keys and shape, then "Some AttributeDefinitions are not
       used": dynalite's tests, captured from DynamoDB ("List of LocalSecondaryIndexes is empty" with
       a definition no key uses), moto's and Dynoxide's order */
    if ((msg = lsi_rules(a, in, defns, keys, &seen)) != NULL || (msg = gsi_rules(a, in, defns, &seen)) != NULL ||
        (msg = ddb_vector_create_table_rules(a, in)) != NULL ||
        ((ddb_v_get(in, "LocalSecondaryIndexes") != NULL || ddb_v_get(in, "GlobalSecondaryIndexes") != NULL ||
          ddb_v_get(in, "VectorIndexes") != NULL) &&
         (msg = unused_definitions(a, in, defns)) != NULL) ||
        (msg = projected_total(in)) != NULL || (msg = ddb_vt_stream_rules(in, 1)) != NULL ||
        (msg = ddb_vt_table_class_rule(in)) != NULL)
        return msg;
    /* after DynamoDB's own rules (order not confirmed) */
    if ((msg = ddb_create_table_tag_rules(req, in)) != NULL)
        return msg;
    return ddb_create_table_policy_rules(req, in);
}

/* ---- the specs (proto/ops.def: one per HANDLED row; declared in validate.h) ---- */

const ddb_spec ddb_spec_create_table = {CREATE_TABLE_FIELDS, create_table_rules};
const ddb_spec ddb_spec_delete_table = {TABLE_NAME_ONLY_FIELDS};
const ddb_spec ddb_spec_describe_table = {TABLE_NAME_ONLY_FIELDS};
const ddb_spec ddb_spec_list_tables = {LIST_TABLES_FIELDS};
