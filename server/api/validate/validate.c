/*
 * server/api/validate/validate.c: runs an operation's ddb_spec over a parsed request body (see validate.h).
 *
 * The behaviour mirrors dynalite's validations/index.js (checkTypes, checkValidations,
 * validateFns, valueStr), which reproduces DynamoDB's own validation: a type pass that yields
 * SerializationException texts, the "required" and table-name checks, up to ten constraint
 * messages joined into one ValidationException, then the operation's custom rules.
 *
 * dynalite works on a copy of the request made by its type pass ("the checked view"): unknown
 * and null members of structures are dropped, structures are re-ordered into spec order,
 * Integer/Long numbers are floor()ed and Boolean strings become true/false. We never build that
 * copy; the renderers below produce the same text from the original tree.
 */
#include "server/api/validate/validate.h"
#include "server/api/validate/validate_internal.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ddb/ddb_status.h"
#include "server/base/arn.h"
#include "server/base/bucket.h"

#define MAX_ERRORS 10
#define NAME_PATTERN "[a-zA-Z0-9_.-]+"

/* ---- phase 1: the type pass (SerializationException) ---- */

static const char *const TRUNCATING = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";

static int is_scalar(const ddb_json *v)
{
    return v->type == DDB_JSON_BOOL || v->type == DDB_JSON_NUMBER || v->type == DDB_JSON_STRING;
}

/* The two messages every scalar type gives for a list or an object. */
static const char *container_error(const ddb_json *v)
{
    if (v->type == DDB_JSON_ARRAY)
        return "Start of list found where not expected";
    if (v->type == DDB_JSON_OBJECT)
        return "Start of structure or map found where not expected.";
    return NULL;
}

static const char *check_boolean(ddb_arena *a, const ddb_json *v)
{
    if (v->type == DDB_JSON_NUMBER)
        return ddb_arena_sprintf(a, "%s can not be converted to an Boolean", TRUNCATING);
    if (v->type == DDB_JSON_STRING) {
        static const char *const ok[] = {"TRUE", "1", "YES", "FALSE", "0", "NO"};
        char *up = ddb_arena_strndup(a, v->u.s, v->n);
        for (char *c = up; *c; c++) {
            if (*c >= 'a' && *c <= 'z')
                *c = (char)(*c - 'a' + 'A');
        }
        for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
            if (strcmp(up, ok[i]) == 0)
                return NULL;
        }
        return ddb_arena_sprintf(a, "'%s' can not be converted to an Boolean", up);
    }
    return container_error(v);
}

static const char *check_number(ddb_arena *a, const ddb_json *v, const char *type)
{
    if (v->type == DDB_JSON_BOOL)
        return ddb_arena_sprintf(a, "class java.lang.Boolean can not be converted to an %s", type);
    if (v->type == DDB_JSON_STRING)
        return ddb_arena_sprintf(a, "class java.lang.String can not be converted to an %s", type);
    return container_error(v);
}

static const char *check_string(ddb_arena *a, const ddb_json *v)
{
    if (v->type == DDB_JSON_BOOL)
        return "class java.lang.Boolean can not be converted to an String";
    if (v->type == DDB_JSON_NUMBER)
        return ddb_arena_sprintf(a, "%s can not be converted to an String", TRUNCATING);
    return container_error(v);
}

static int b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : 63;
}

/* Whether decoding and re-encoding gives the same text (dynalite's last Blob test). */
static int b64_canonical(const char *s, size_t n)
{
    size_t pads = 0, data;
    while (pads < n && s[n - 1 - pads] == '=')
        pads++;
    data = n - pads;
    if (pads > 2 || data % 4 == 1)
        return 0;
    if (data % 4 == 2)
        return (b64_value((unsigned char)s[data - 1]) & 0x0f) == 0;
    if (data % 4 == 3)
        return (b64_value((unsigned char)s[data - 1]) & 0x03) == 0;
    return 1;
}

static const char *check_blob(ddb_arena *a, const ddb_json *v)
{
    const char *s = v->u.s;
    if (v->type == DDB_JSON_BOOL)
        return "class java.lang.Boolean can not be converted to a Blob";
    if (v->type == DDB_JSON_NUMBER)
        return ddb_arena_sprintf(a, "%s can not be converted to a Blob", TRUNCATING);
    if (v->type != DDB_JSON_STRING)
        return container_error(v);
    if (ddb_utf16_len(s, v->n) % 4)
        return ddb_arena_sprintf(a, "'%s' can not be converted to a Blob: Base64 encoded length is expected a multiple "
                                    "of 4 bytes but found: %zu", s, ddb_utf16_len(s, v->n));
    for (uint32_t i = 0; i < v->n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!b64_char(c) && c != '=')
            return ddb_arena_sprintf(a, "'%s' can not be converted to a Blob: Invalid Base64 character: '%c'", s, c);
        if (c == '=' && i + 1 < v->n && s[i + 1] != '=')
            return ddb_arena_sprintf(a, "'%s' can not be converted to a Blob: Invalid Base64 character: '='", s);
    }
    if (!b64_canonical(s, v->n))
        return ddb_arena_sprintf(a, "'%s' can not be converted to a Blob: Invalid last non-pad Base64 character "
                                    "dectected", s);
    return NULL;
}

static const char *check_type(ddb_arena *a, const ddb_json *v, const ddb_field *f);

/*
 * A null list member or map value where the model has a structure, map, list or AttributeValue
 * reads as that shape empty, as DynamoDB reads it (DynamoDB Local 1.25.1 answers
 * ExecuteTransaction, BatchExecuteStatement, TransactGetItems, BatchGetItem and BatchWriteItem
 * with [null] exactly as with [{}]). Done here, in the pass that sees every member, so that the
 * constraints below the member (NOT_NULL on Statement, Get, Key...) run and no handler ever meets
 * a null member. The node is the request's own (arena), rewritten in place.
 */
static void null_as_empty(const ddb_json *v, const ddb_field *member)
{
    ddb_json *e = (ddb_json *)v;

    if (e == NULL || e->type != DDB_JSON_NULL)
        return;
    if (member->type == DDB_V_LIST)
        e->type = DDB_JSON_ARRAY;
    else if (member->type == DDB_V_MAP || member->type == DDB_V_STRUCT || member->type == DDB_V_ATTR)
        e->type = DDB_JSON_OBJECT;
    else
        return; /* a scalar: check_null_members() refuses it */
    e->n = 0;
    e->u.items = NULL;
}

static const char *check_list(ddb_arena *a, const ddb_json *v, const ddb_field *f)
{
    if (is_scalar(v))
        return "Expected list or null";
    if (v->type == DDB_JSON_OBJECT)
        return "Start of structure or map found where not expected.";
    for (uint32_t i = 0; i < v->n; i++) {
        const char *msg;
        null_as_empty(v->u.items[i], &f->children[0]);
        if ((msg = check_type(a, v->u.items[i], &f->children[0])) != NULL)
            return msg;
    }
    return NULL;
}

static const char *check_map(ddb_arena *a, const ddb_json *v, const ddb_field *f)
{
    uint32_t n;
    ddb_json_member *m;

    if (is_scalar(v))
        return "Expected map or null";
    if (v->type == DDB_JSON_ARRAY)
        return "Start of list found where not expected";
    m = ddb_v_map_entries(a, v, &n);
    for (uint32_t i = 0; i < n; i++) {
        const char *msg;
        null_as_empty(m[i].val, &f->children[0]);
        if ((msg = check_type(a, m[i].val, &f->children[0])) != NULL)
            return msg;
    }
    return NULL;
}

/* Structure members are checked in spec order, not document order, as checkTypes does. */
static const char *check_fields(ddb_arena *a, const ddb_json *obj, const ddb_field *fields)
{
    for (const ddb_field *f = fields; f != NULL && f->name != NULL; f++) {
        const char *msg = check_type(a, ddb_json_get(obj, f->name), f);
        if (msg != NULL)
            return msg;
    }
    return NULL;
}

static const char *check_struct(ddb_arena *a, const ddb_json *v, const ddb_field *f)
{
    if (is_scalar(v))
        return "Expected null";
    if (v->type == DDB_JSON_ARRAY)
        return "Start of list found where not expected";
    return check_fields(a, v, f->children);
}

static const char *check_type(ddb_arena *a, const ddb_json *v, const ddb_field *f)
{
    if (!ddb_v_present(v))
        return NULL;
    switch (f->type) {
    case DDB_V_BOOLEAN:
        return check_boolean(a, v);
    case DDB_V_INTEGER:
        return check_number(a, v, "Integer");
    case DDB_V_LONG:
        return check_number(a, v, "Long");
    case DDB_V_DOUBLE:
        return check_number(a, v, "Double");
    case DDB_V_STRING:
        return check_string(a, v);
    case DDB_V_BLOB:
        return check_blob(a, v);
    case DDB_V_LIST:
        return check_list(a, v, f);
    case DDB_V_MAP:
        return check_map(a, v, f);
    case DDB_V_STRUCT:
        return check_struct(a, v, f);
    case DDB_V_ATTR:
        return ddb_attr_check_types(a, v);
    }
    return NULL;
}

/* ---- phase 2: required parameters and table-name length ---- */

static const char *check_required(const ddb_json *const *vals, const ddb_field *fields, ddb_arena *a)
{
    for (const ddb_field *f = fields; f->name != NULL; f++) {
        const ddb_json *v = ddb_v_present(vals[f - fields]) ? vals[f - fields] : NULL;
        if ((f->flags & DDB_VF_REQUIRED) && v == NULL)
            return ddb_arena_sprintf(a, "The parameter '%s' is required but was not present in the request", f->name);
        if ((f->flags & DDB_VF_TABLE_NAME) && v != NULL && v->type == DDB_JSON_STRING) {
            size_t len = ddb_utf16_len(v->u.s, v->n);
            if (len < 3 || len > 255)
                return ddb_arena_sprintf(a, "%s must be at least 3 characters long and at most 255 characters long",
                                         f->name);
        }
    }
    return NULL;
}

/* ---- value rendering (valueStr and JSON.stringify of the checked view) ---- */

static void js_string(ddb_buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    ddb_buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        switch (c) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        }
        if (esc != NULL) {
            ddb_buf_puts(b, esc);
        } else if (c < 0x20) {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            ddb_buf_puts(b, u);
        } else {
            ddb_buf_putc(b, (char)c);
        }
    }
    ddb_buf_putc(b, '"');
}

static int is_integral(ddb_vtype t)
{
    return t == DDB_V_INTEGER || t == DDB_V_LONG;
}

/* The shape of an AttributeValue as dynalite's type pass sees it ("AttrStructure"). */
static const ddb_field ATTR_BLOB_LIST[] = {{"member", DDB_V_BLOB}};
static const ddb_field ATTR_STRING_LIST[] = {{"member", DDB_V_STRING}};
static const ddb_field ATTR_ATTR[] = {{"member", DDB_V_ATTR}};
#define SHAPE_STRING(n) {n, DDB_V_STRING},
#define SHAPE_BLOB(n) {n, DDB_V_BLOB},
#define SHAPE_BOOLEAN(n) {n, DDB_V_BOOLEAN},
#define SHAPE_BLOBS(n) {n, DDB_V_LIST, .children = ATTR_BLOB_LIST},
#define SHAPE_STRINGS(n) {n, DDB_V_LIST, .children = ATTR_STRING_LIST},
#define SHAPE_LIST(n) {n, DDB_V_LIST, .children = ATTR_ATTR},
#define SHAPE_MAP(n) {n, DDB_V_MAP, .children = ATTR_ATTR},
static const ddb_field ATTR_FIELDS[] = {
#define X(name, tag, shape) SHAPE_##shape(#name)
    DDB_ATTR_TYPES(X)
#undef X
    {NULL},
};

static void stringify(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f);
static void java_str(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f);

typedef void value_writer(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f);

/* The list v (of field f) as "[x<sep>y]", each item written by `item` (JSON, Java's toString(),
   dynalite's valueStr). */
static void list_str(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f, const char *sep,
                     value_writer *item)
{
    ddb_buf_putc(b, '[');
    for (uint32_t i = 0; i < v->n; i++) {
        if (i > 0)
            ddb_buf_puts(b, sep);
        item(a, b, v->u.items[i], &f->children[0]);
    }
    ddb_buf_putc(b, ']');
}

static void stringify_fields(ddb_arena *a, ddb_buf *b, const ddb_json *obj, const ddb_field *fields)
{
    int first = 1;
    ddb_buf_putc(b, '{');
    for (const ddb_field *f = fields; f->name != NULL; f++) {
        const ddb_json *v = ddb_v_get(obj, f->name);
        if (v == NULL)
            continue;
        if (!first)
            ddb_buf_putc(b, ',');
        first = 0;
        js_string(b, f->name, strlen(f->name));
        ddb_buf_putc(b, ':');
        stringify(a, b, v, f);
    }
    ddb_buf_putc(b, '}');
}

static void stringify_map(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f)
{
    uint32_t n;
    ddb_json_member *m = ddb_v_map_entries(a, v, &n);
    ddb_buf_putc(b, '{');
    for (uint32_t i = 0; i < n; i++) {
        if (i > 0)
            ddb_buf_putc(b, ',');
        js_string(b, m[i].key, m[i].klen);
        ddb_buf_putc(b, ':');
        stringify(a, b, m[i].val, &f->children[0]);
    }
    ddb_buf_putc(b, '}');
}

static void stringify(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f)
{
    if (!ddb_v_present(v)) {
        ddb_buf_puts(b, "null");
        return;
    }
    switch (f->type) {
    case DDB_V_BOOLEAN:
        ddb_buf_puts(b, ddb_v_bool(v) ? "true" : "false");
        return;
    case DDB_V_INTEGER:
    case DDB_V_LONG:
    case DDB_V_DOUBLE:
        ddb_v_js_number(b, ddb_v_number(v, is_integral(f->type)));
        return;
    case DDB_V_STRING:
    case DDB_V_BLOB:
        js_string(b, v->u.s, v->n);
        return;
    case DDB_V_LIST:
        list_str(a, b, v, f, ",", stringify);
        return;
    case DDB_V_MAP:
        stringify_map(a, b, v, f);
        return;
    case DDB_V_STRUCT:
        stringify_fields(a, b, v, f->children);
        return;
    case DDB_V_ATTR:
        stringify_fields(a, b, v, ATTR_FIELDS);
        return;
    }
}

/*
 * The service's own class for a structure DynamoDB echoes in Java form, known by its members
 * (captured: "[KeySchemaElement(attributeName=pk, keyType=HASH), ...]" at 'keySchema').
 */
static const char *java_class(const ddb_field *f)
{
    static const struct {
        const char *first, *second, *name;
    } classes[] = {
        {"AttributeName", "KeyType", "KeySchemaElement"},
        {"AttributeName", "AttributeType", "AttributeDefinition"},
        {"DeleteRequest", "PutRequest", "WriteRequest"},
        {"Key", NULL, "DeleteRequest"},
        {"Item", NULL, "PutRequest"},
    };
    const ddb_field *c = f->children;

    if (f->type != DDB_V_STRUCT || c == NULL || c[0].name == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
        if (strcmp(c[0].name, classes[i].first) == 0 &&
            same_str(c[1].name, classes[i].second))
            return classes[i].name;
    }
    return NULL;
}

/* A member name as a Java field: first letter lower-cased ("attributeName", "sS"). */
static void java_field(ddb_buf *b, const char *name)
{
    ddb_buf_putc(b, name[0] >= 'A' && name[0] <= 'Z' ? (char)(name[0] - 'A' + 'a') : name[0]);
    ddb_buf_puts(b, name + 1);
}

static void java_fields(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *fields, int all)
{
    int first = 1;
    for (const ddb_field *c = fields; c->name != NULL; c++) {
        const ddb_json *m = ddb_v_get(v, c->name);
        if (m == NULL && !all)
            continue;
        if (!first)
            ddb_buf_puts(b, ", ");
        first = 0;
        java_field(b, c->name);
        ddb_buf_putc(b, '=');
        java_str(a, b, m, c);
    }
}

/* toString() of the service's model objects: Class(field=value, ...), [a, b], {k=v}. */
static void java_str(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f)
{
    const char *cls = java_class(f);

    if (!ddb_v_present(v)) {
        ddb_buf_puts(b, "null");
    } else if (f->type == DDB_V_STRUCT || f->type == DDB_V_ATTR) {
        ddb_buf_puts(b, f->type == DDB_V_ATTR ? "AttributeValue" : cls ? cls : "Object");
        ddb_buf_putc(b, '(');
        java_fields(a, b, v, f->type == DDB_V_ATTR ? ATTR_FIELDS : f->children, f->type == DDB_V_STRUCT);
        ddb_buf_putc(b, ')');
    } else if (f->type == DDB_V_LIST) {
        list_str(a, b, v, f, ", ", java_str);
    } else if (f->type == DDB_V_MAP) {
        ddb_buf_putc(b, '{');
        for (uint32_t i = 0; i < v->n; i++) {
            if (i > 0)
                ddb_buf_puts(b, ", ");
            ddb_buf_append(b, v->u.members[i].key, v->u.members[i].klen);
            ddb_buf_putc(b, '=');
            java_str(a, b, v->u.members[i].val, &f->children[0]);
        }
        ddb_buf_putc(b, '}');
    } else if (v->type == DDB_JSON_STRING) {
        ddb_buf_append(b, v->u.s, v->n);
    } else {
        ddb_buf_append(b, v->u.s, v->type == DDB_JSON_NUMBER ? v->n : 0);
        if (v->type == DDB_JSON_BOOL)
            ddb_buf_puts(b, v->u.b ? "true" : "false");
    }
}

/* dynalite's valueStr: strings raw, lists "[a, b]", objects as JSON, null as "null"; the
 * structures DynamoDB echoes in Java form (java_class) as it does. */
static void value_str(ddb_arena *a, ddb_buf *b, const ddb_json *v, const ddb_field *f)
{
    if (ddb_v_present(v) && java_class(f) != NULL) {
        java_str(a, b, v, f);
        return;
    }
    if (!ddb_v_present(v)) {
        ddb_buf_puts(b, "null");
    } else if (f->type == DDB_V_LIST) {
        list_str(a, b, v, f, ", ", value_str);
    } else if (f->type == DDB_V_MAP || f->type == DDB_V_STRUCT || f->type == DDB_V_ATTR) {
        stringify(a, b, v, f);
    } else if (f->type == DDB_V_STRING || f->type == DDB_V_BLOB) {
        ddb_buf_append(b, v->u.s, v->n);
    } else {
        stringify(a, b, v, f); /* numbers and booleans print as in JSON */
    }
}

/* ---- phase 3: constraints ---- */

typedef struct vstate {
    ddb_arena *a;
    ddb_buf msgs; /* "a; b; c" */
    int n;
} vstate;

/*
 * Where a value sits, as a chain rendered only when a message needs it ("key.3.member"): most
 * requests are valid, and building every path eagerly cost more than the checks themselves.
 */
typedef struct vpath {
    const struct vpath *parent;
    const char *seg;  /* a map key, or NULL */
    size_t seglen;
    uint32_t index;   /* a list member's 1-based number when seg is NULL, or 0 */
    const char *name; /* the member name; its first letter is lower-cased */
} vpath;

/* `caps`: the newer framework's form, which keeps each member's own capital letter. */
static void path_render(ddb_buf *b, const vpath *p, int caps)
{
    if (p->parent != NULL) {
        path_render(b, p->parent, caps);
        ddb_buf_putc(b, '.');
    }
    if (p->seg != NULL) {
        ddb_buf_append(b, p->seg, p->seglen);
        ddb_buf_putc(b, '.');
    } else if (p->index > 0) {
        ddb_buf_printf(b, "%u.", p->index);
    }
    if (caps)
        ddb_buf_putc(b, p->name[0]);
    else
        ddb_buf_putc(b, p->name[0] >= 'A' && p->name[0] <= 'Z' ? (char)(p->name[0] - 'A' + 'a') : p->name[0]);
    ddb_buf_puts(b, p->name + 1);
}

/* How a failure echoes its value. */
typedef enum echo {
    ECHO_VALUE, /* valueStr: strings raw, maps as JSON */
    ECHO_JAVA,  /* the service's Java rendering: {t=[WriteRequest(...)]} */
    ECHO_NONE,  /* the newer framework: no value, capitalised path */
} echo;

/* Records "Value 'v' at 'path' failed to satisfy constraint: <what>". */
static void fail_as(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f, const char *what, echo how)
{
    if (st->n > 0)
        ddb_buf_puts(&st->msgs, "; ");
    ddb_buf_puts(&st->msgs, "Value ");
    if (how == ECHO_NONE) {
        ddb_buf_puts(&st->msgs, "at '");
    } else if (ddb_v_present(v)) {
        ddb_buf_putc(&st->msgs, '\'');
        if (how == ECHO_JAVA)
            java_str(st->a, &st->msgs, v, f);
        else
            value_str(st->a, &st->msgs, v, f);
        ddb_buf_puts(&st->msgs, "' at '");
    } else {
        ddb_buf_puts(&st->msgs, "null at '");
    }
    path_render(&st->msgs, path, how == ECHO_NONE);
    ddb_buf_printf(&st->msgs, "' failed to satisfy constraint: %s", what);
    st->n++;
}

static void fail(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f, const char *what)
{
    fail_as(st, path, v, f, what, ECHO_VALUE);
}

/* A bound or length failure: newer-framework fields leave the value out (DDB_VF_CAP_PATH). */
static void fail_bound(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f, const char *what)
{
    fail_as(st, path, v, f, what, (f->flags & DDB_VF_CAP_PATH) ? ECHO_NONE : ECHO_VALUE);
}

/* Length as validateFns.length* measure it: characters, list members or distinct map keys. */
static long long value_length(ddb_arena *a, const ddb_json *v)
{
    uint32_t n;
    if (v->type == DDB_JSON_STRING)
        return (long long)ddb_utf16_len(v->u.s, v->n);
    if (v->type == DDB_JSON_ARRAY)
        return v->n;
    if (v->type == DDB_JSON_OBJECT) {
        ddb_v_map_entries(a, v, &n);
        return n;
    }
    return 0;
}

static int in_enum(const char *const *set, const ddb_json *v)
{
    for (; *set != NULL; set++) {
        if (v->type == DDB_JSON_STRING && strcmp(*set, v->u.s) == 0)
            return 1;
    }
    return 0;
}

static const char *enum_text(ddb_arena *a, const char *const *set)
{
    ddb_buf b = {0};
    const char *out;
    ddb_buf_puts(&b, "Member must satisfy enum value set: [");
    for (int i = 0; set[i] != NULL; i++) {
        if (i > 0)
            ddb_buf_puts(&b, ", ");
        ddb_buf_puts(&b, set[i]);
    }
    ddb_buf_putc(&b, ']');
    out = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return out;
}

/*
 * TableName as a name or an ARN (DDB_VF_TABLE_ARN). The member is TableArn-shaped (1-1024
 * characters), so an empty value is one message where the name rules gave two; a value that is
 * not an ARN is then checked as a name, in the constraint form DynamoDB still uses for those
 * (captured: DescribeTable 'ab' and 'bad/name!' give "Value 'ab' at 'tableName' ...").
 */
static void check_table_or_arn(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f)
{
    size_t len = ddb_utf16_len(v->u.s, v->n);

    if (len == 0) {
        fail(st, path, v, f, "Member must have length greater than or equal to 1");
    } else if (len > 1024) {
        fail(st, path, v, f, "Member must have length less than or equal to 1024");
    } else if (!ddb_arn_like(v->u.s, v->n)) {
        if (!ddb_v_name_chars_ok(v->u.s, v->n))
            fail(st, path, v, f, "Member must satisfy regular expression pattern: " NAME_PATTERN);
        if (len < 3 && st->n < MAX_ERRORS)
            fail(st, path, v, f, "Member must have length greater than or equal to 3");
        if (len > 255 && st->n < MAX_ERRORS)
            fail(st, path, v, f, "Member must have length less than or equal to 255");
    }
}

/* Whether s is twelve digits (an account id). */
static int account_id(const char *s, size_t n)
{
    if (n != 12)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/* notNull, min, max, regex, lenMin, lenMax, enum: dynalite's key order in every spec. */
static void check_scalar_constraints(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f)
{
    char what[96];
    double num = ddb_v_number(v, is_integral(f->type));
    int numeric = v->type == DDB_JSON_NUMBER;

    if ((f->flags & DDB_VF_TABLE_ARN) && v->type == DDB_JSON_STRING) {
        check_table_or_arn(st, path, v, f);
        return;
    }
    if ((f->flags & DDB_VF_MIN) && st->n < MAX_ERRORS && numeric && !(num >= (double)f->min)) {
        snprintf(what, sizeof(what), "Member must have value greater than or equal to %lld", f->min);
        fail_bound(st, path, v, f, what);
    }
    if ((f->flags & DDB_VF_MAX) && st->n < MAX_ERRORS && numeric && !(num <= (double)f->max)) {
        snprintf(what, sizeof(what), "Member must have value less than or equal to %lld", f->max);
        fail_bound(st, path, v, f, what);
    }
    if ((f->flags & DDB_VF_NAME_RE) && st->n < MAX_ERRORS && v->type == DDB_JSON_STRING && !ddb_v_name_chars_ok(v->u.s, v->n))
        fail(st, path, v, f, "Member must satisfy regular expression pattern: " NAME_PATTERN);
    if ((f->flags & DDB_VF_BUCKET_RE) && st->n < MAX_ERRORS && v->type == DDB_JSON_STRING &&
        (strlen(v->u.s) != v->n || !ddb_bucket_pattern_ok(v->u.s)))
        fail(st, path, v, f, "Member must satisfy regular expression pattern: " DDB_BUCKET_PATTERN);
    if ((f->flags & DDB_VF_ACCOUNT_RE) && st->n < MAX_ERRORS && v->type == DDB_JSON_STRING && !account_id(v->u.s, v->n))
        fail(st, path, v, f, "Member must satisfy regular expression pattern: [0-9]{12}");
    if ((f->flags & DDB_VF_TOKEN_RE) && st->n < MAX_ERRORS && v->type == DDB_JSON_STRING &&
        (v->n == 0 || memchr(v->u.s, '$', v->n) != NULL))
        fail(st, path, v, f, "Member must satisfy regular expression pattern: ^[^\\$]+$");
    if ((f->flags & DDB_VF_LEN_MIN) && st->n < MAX_ERRORS && value_length(st->a, v) < f->len_min) {
        snprintf(what, sizeof(what), "Member must have length greater than or equal to %lld", f->len_min);
        fail_bound(st, path, v, f, what);
    }
    if ((f->flags & DDB_VF_LEN_MAX) && st->n < MAX_ERRORS && value_length(st->a, v) > f->len_max) {
        snprintf(what, sizeof(what), "Member must have length less than or equal to %lld", f->len_max);
        fail_bound(st, path, v, f, what);
    }
    if (f->one_of != NULL && st->n < MAX_ERRORS && !in_enum(f->one_of, v))
        fail(st, path, v, f, enum_text(st->a, f->one_of));
}

/*
 * validateFns.keys and .values: one message per offending entry, naming the whole map. They do
 * not look at the ten-message cap while looping, so (like dynalite) they can push past it.
 */
static void check_map_entries(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f)
{
    uint32_t n;
    ddb_json_member *m = ddb_v_map_entries(st->a, v, &n);
    char what[192];

    if ((f->flags & DDB_VF_MAP_KEYS) && st->n < MAX_ERRORS && !((f->flags & DDB_VF_KEYS_YIELD) && st->n > 0)) {
        for (uint32_t i = 0; i < n; i++) {
            size_t len = ddb_utf16_len(m[i].key, m[i].klen);
            if (len <= 255 && len >= 3 && ddb_v_name_chars_ok(m[i].key, m[i].klen))
                continue;
            if (len <= 1024 && ddb_arn_like(m[i].key, m[i].klen))
                continue; /* a table ARN: validate_arn.c */
            fail(st, path, v, f,
                 "Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must "
                 "have length greater than or equal to 3, Member must satisfy regular expression pattern: " NAME_PATTERN
                 "]");
        }
    }
    if ((f->flags & DDB_VF_MAP_VALUES) && st->n < MAX_ERRORS) {
        snprintf(what, sizeof(what),
                 "Map value must satisfy constraint: [Member must have length less than or equal to %lld, Member must "
                 "have length greater than or equal to %lld]", f->max, f->min);
        for (uint32_t i = 0; i < n; i++) {
            const ddb_json *e = m[i].val;
            /* a null value makes dynalite's length test throw, which it reports as a failure */
            if (ddb_v_present(e) && value_length(st->a, e) <= f->max && value_length(st->a, e) >= f->min)
                continue;
            /* echoed as the service's Java map, "{t=[WriteRequest(...)]}" (captured envelope) */
            fail_as(st, path, v, f, what, ECHO_JAVA);
        }
    }
}

static int scalar_shape(ddb_vtype t)
{
    return t != DDB_V_LIST && t != DDB_V_MAP && t != DDB_V_STRUCT && t != DDB_V_ATTR;
}

/*
 * A null list member or map value where the model has a string, number, boolean or blob: the
 * service's member constraint, once for the list or map ("Value '[a, null]' at 'attributesToGet'
 * failed to satisfy constraint: Member must satisfy constraint: [Member must not be null]", the
 * form Coral services give for a null list member). Null members of other shapes were read as
 * empty by the type pass (null_as_empty), so no handler meets a null member either way.
 */
static void check_null_members(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f)
{
    if (f->type == DDB_V_LIST) {
        for (uint32_t i = 0; i < v->n; i++) {
            if (!ddb_v_present(v->u.items[i])) {
                fail(st, path, v, f, "Member must satisfy constraint: [Member must not be null]");
                return;
            }
        }
    } else if (f->type == DDB_V_MAP) {
        uint32_t n;
        ddb_json_member *m = ddb_v_map_entries(st->a, v, &n); /* a repeated key: its last value */
        for (uint32_t i = 0; i < n; i++) {
            if (!ddb_v_present(m[i].val)) {
                fail_as(st, path, v, f, "Map value must satisfy constraint: [Member must not be null]", ECHO_JAVA);
                return;
            }
        }
    }
}

static void check_field(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f);

static void check_children(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f)
{
    if (f->type == DDB_V_LIST) {
        for (uint32_t i = 0; i < v->n && st->n < MAX_ERRORS; i++) {
            vpath p = {path, NULL, 0, i + 1, "member"};
            check_field(st, &p, v->u.items[i], &f->children[0]);
        }
    } else if (f->type == DDB_V_MAP) {
        uint32_t n;
        ddb_json_member *m = ddb_v_map_entries(st->a, v, &n);
        /* dynalite walks map members in reverse ("TODO: Always reverse?"), and so does DynamoDB */
        for (uint32_t i = n; i-- > 0 && st->n < MAX_ERRORS;) {
            vpath p = {path, m[i].key, m[i].klen, 0, "member"};
            check_field(st, &p, m[i].val, &f->children[0]);
        }
    } else if (f->type == DDB_V_STRUCT) {
        for (const ddb_field *c = f->children; c->name != NULL && st->n < MAX_ERRORS; c++) {
            vpath p = {path, NULL, 0, 0, c->name};
            check_field(st, &p, ddb_json_get(v, c->name), c);
        }
    }
}

/* Whether anything under `f` can produce a constraint message (skips walking big Items). */
static int has_constraints(const ddb_field *f)
{
    if (f->flags & ~(unsigned)(DDB_VF_REQUIRED | DDB_VF_TABLE_NAME | DDB_VF_REFUSED))
        return 1;
    if (f->one_of != NULL)
        return 1;
    if (f->type == DDB_V_LIST || f->type == DDB_V_MAP) /* scalars: their null members (check_null_members) */
        return scalar_shape(f->children[0].type) || has_constraints(&f->children[0]);
    if (f->type == DDB_V_STRUCT) {
        for (const ddb_field *c = f->children; c->name != NULL; c++) {
            if (has_constraints(c))
                return 1;
        }
    }
    return 0;
}

static void check_field(vstate *st, const vpath *path, const ddb_json *v, const ddb_field *f)
{
    if (!has_constraints(f) || st->n >= MAX_ERRORS)
        return;
    if (!ddb_v_present(v)) {
        if (f->flags & DDB_VF_NOT_NULL)
            fail(st, path, v, f, "Member must not be null");
        return;
    }
    check_scalar_constraints(st, path, v, f);
    if (f->type == DDB_V_MAP)
        check_map_entries(st, path, v, f);
    if ((f->type == DDB_V_LIST || f->type == DDB_V_MAP) && scalar_shape(f->children[0].type) && st->n < MAX_ERRORS)
        check_null_members(st, path, v, f);
    if (f->children != NULL && st->n < MAX_ERRORS)
        check_children(st, path, v, f);
}

/* ---- phase 3b: members refused until implemented (DDB_VF_REFUSED) ---- */

static int has_refused(const ddb_field *f)
{
    if (f->flags & DDB_VF_REFUSED)
        return 1;
    if (f->children == NULL)
        return 0;
    if (f->type == DDB_V_LIST || f->type == DDB_V_MAP)
        return has_refused(&f->children[0]);
    for (const ddb_field *c = f->children; f->type == DDB_V_STRUCT && c->name != NULL; c++) {
        if (has_refused(c))
            return 1;
    }
    return 0;
}

/* The first refused member sent under `v` (described by `f`, at `path`), as its message. */
static const char *refused_in(ddb_arena *a, const char *path, const ddb_json *v, const ddb_field *f)
{
    const char *msg = NULL;

    if (!ddb_v_present(v) || !has_refused(f))
        return NULL;
    if (f->flags & DDB_VF_REFUSED)
        return ddb_arena_sprintf(a, INVALID "%s is not supported by ddbd (docs/compatibility.md)", path);
    if (f->type == DDB_V_LIST && v->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < v->n && msg == NULL; i++)
            msg = refused_in(a, path, v->u.items[i], &f->children[0]);
    } else if (f->type == DDB_V_MAP && v->type == DDB_JSON_OBJECT) {
        for (uint32_t i = 0; i < v->n && msg == NULL; i++)
            msg = refused_in(a, path, v->u.members[i].val, &f->children[0]);
    } else if (f->type == DDB_V_STRUCT) {
        for (const ddb_field *c = f->children; c->name != NULL && msg == NULL; c++)
            msg = refused_in(a, ddb_arena_sprintf(a, "%s.%s", path, c->name), ddb_json_get(v, c->name), c);
    }
    return msg;
}

static const char *check_refused(ddb_arena *a, const ddb_json *const *vals, const ddb_field *fields)
{
    const char *msg = NULL;

    for (const ddb_field *f = fields; f->name != NULL && msg == NULL; f++)
        msg = refused_in(a, f->name, vals[f - fields], f);
    return msg;
}

static const char *check_constraints(ddb_arena *a, const ddb_json *const *vals, const ddb_field *fields,
                                     const char *under)
{
    vstate st = {a, {0}, 0};
    const char *msg = NULL;
    vpath root = {NULL, NULL, 0, 0, under};

    for (const ddb_field *f = fields; f->name != NULL; f++) {
        vpath p = {under != NULL ? &root : NULL, NULL, 0, 0, f->name};
        check_field(&st, &p, vals[f - fields], f);
    }
    if (st.n > 0)
        msg = ddb_arena_sprintf(a, "%d validation error%s detected: %.*s", st.n, st.n > 1 ? "s" : "", (int)st.msgs.len,
                                st.msgs.data);
    ddb_buf_free(&st.msgs);
    return msg;
}

/* ---- the four phases ---- */

int ddb_validate(ddb_req *req, const ddb_spec *spec, const ddb_json *in)
{
    return ddb_validate_under(req, spec, in, NULL);
}

int ddb_validate_under(ddb_req *req, const ddb_spec *spec, const ddb_json *in, const char *under)
{
    const ddb_json *stack_vals[32], **vals = stack_vals;
    const char *msg;
    size_t n = 0;

    if (spec == NULL || spec->fields == NULL)
        return DDB_OK;
    /* each top-level member looked up once for the phases below (a spec has up to ~25) */
    while (spec->fields[n].name != NULL)
        n++;
    if (n > sizeof(stack_vals) / sizeof(stack_vals[0]))
        vals = DDB_NEW_ARRAY(req->arena, const ddb_json *, n);
    for (size_t i = 0; i < n; i++)
        vals[i] = ddb_json_get(in, spec->fields[i].name);
    msg = NULL;
    for (size_t i = 0; i < n && msg == NULL; i++) /* check_fields, in spec order */
        msg = check_type(req->arena, vals[i], &spec->fields[i]);
    if (msg != NULL)
        return ddb_req_fail_msg(req, DDB_E_SERIALIZATION, msg);
    msg = check_required(vals, spec->fields, req->arena);
    if (msg == NULL && spec->first != NULL)
        msg = spec->first(req, in);
    if (msg == NULL)
        msg = check_constraints(req->arena, vals, spec->fields, under);
    /* before the cross-field rules: UpdateTable with a refused member alone is not "nothing to update" */
    if (msg == NULL)
        msg = check_refused(req->arena, vals, spec->fields);
    if (msg == NULL && ddb_resolve_table_arns(req, in) != DDB_OK)
        return req->err.code;
    if (msg == NULL && spec->custom != NULL)
        msg = spec->custom(req, in);
    if (msg != NULL)
        return ddb_req_fail_msg(req, DDB_E_VALIDATION, msg);
    return DDB_OK;
}
