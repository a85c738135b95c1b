/*
 * proto/attr.c: AttributeValues (see attr.h): the two-phase JSON decode with DynamoDB's exact
 * messages (phase 1 mirrors dynalite's checkTypes for AttrStructure, phase 2 its
 * validateAttributeValue with today's DynamoDB texts); writing, sizing, comparing and copying
 * decoded values is proto/attr_value.c's.
 */
#include "proto/attr.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/number.h"

/*
 * The members of an AttributeValue in the order dynalite's checkTypes rebuilds the object, which
 * is the order both phases visit them in (and so decides which error is reported first).
 */
static const ddb_type member_order[] = {
#define X(name, tag, shape) DDB_T_##name,
    DDB_ATTR_TYPES(X)
#undef X
};
#define NMEMBERS (sizeof(member_order) / sizeof(member_order[0]))

/*
 * An AttributeValue object's members by type, in one pass over its keys: slot[t] is member t, or
 * NULL when absent or JSON null (both are ignored). A repeated key keeps its last value.
 */
static void av_members(const ddb_json *v, const ddb_json *slot[DDB_T_MAX + 1])
{
    memset(slot, 0, sizeof(slot[0]) * (DDB_T_MAX + 1));
    for (uint32_t i = 0; i < v->n; i++) {
        const ddb_json_member *m = &v->u.members[i];
        ddb_type t = ddb_type_from_name(m->key, m->klen);
        if (t != DDB_T_NONE)
            slot[t] = m->val->type != DDB_JSON_NULL ? m->val : NULL;
    }
}

/* ---- JSON object members without duplicates ---- */

typedef struct member_ref {
    const ddb_json_member *m;
    uint32_t idx;
} member_ref;

static int key_cmp(const ddb_json_member *a, const ddb_json_member *b)
{
    int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);

    if (c != 0)
        return c;
    return (a->klen > b->klen) - (a->klen < b->klen);
}

/* By key, then by position, so each run of equal keys starts with the first occurrence. */
static int member_ref_cmp(const void *pa, const void *pb)
{
    const member_ref *a = pa, *b = pb;
    int c = key_cmp(a->m, b->m);

    return c != 0 ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Up to this many members, a repeated key is looked for pair by pair (a few compares of lengths),
   where sorting them cost ~250 instructions for an item of three attributes: most maps are small
   and have none. */
#define FEW_MEMBERS 16

/* Whether the object's n (<= FEW_MEMBERS) members repeat a key. */
static int few_repeat(const ddb_json *obj, uint32_t n)
{
    const ddb_json_member *ms = obj->u.members;

    for (uint32_t i = 1; i < n; i++)
        for (uint32_t j = 0; j < i; j++)
            if (ms[i].klen == ms[j].klen &&
                (ms[i].klen == 0 || (ms[i].key[0] == ms[j].key[0] && memcmp(ms[i].key, ms[j].key, ms[i].klen) == 0)))
                return 1;
    return 0;
}

/*
 * An object's members as a JavaScript object or a Java LinkedHashMap sees them: each key once,
 * at the position of its first occurrence, with the value of its last. Returns the count and
 * fills *out with (key of first, value of last) member pointers.
 */
static uint32_t unique_members(ddb_arena *a, const ddb_json *obj, const ddb_json_member ***out)
{
    uint32_t n = obj->n, k = 0;
    const ddb_json_member **res = DDB_NEW_ARRAY(a, const ddb_json_member *, n);
    member_ref *refs;
    const ddb_json_member **last;

    *out = res;
    if (n <= FEW_MEMBERS && !few_repeat(obj, n)) { /* each key once: the members as they are */
        for (uint32_t i = 0; i < n; i++)
            res[i] = &obj->u.members[i];
        return n;
    }
    refs = DDB_NEW_ARRAY(a, member_ref, n);
    last = DDB_NEW_ARRAY(a, const ddb_json_member *, n);
    for (uint32_t i = 0; i < n; i++) {
        refs[i].m = &obj->u.members[i];
        refs[i].idx = i;
    }
    qsort(refs, n, sizeof(*refs), member_ref_cmp);
    for (uint32_t i = 0; i < n;) {
        uint32_t j = i;

        while (j + 1 < n && key_cmp(refs[i].m, refs[j + 1].m) == 0)
            j++;
        last[refs[i].idx] = refs[j].m;
        i = j + 1;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (last[i] != NULL)
            res[k++] = last[i];
    }
    return k;
}

/* ---- phase 1: types (SerializationException) ---- */

enum check_kind { K_STRING, K_BLOB, K_BOOL, K_ATTR, K_LIST, K_MAP };

static const char *const MSG_START_MAP = "Start of structure or map found where not expected.";
static const char *const MSG_START_LIST = "Start of list found where not expected";

static const char *container_error(const ddb_json *v)
{
    return v->type == DDB_JSON_ARRAY ? MSG_START_LIST : MSG_START_MAP;
}

static const char *check_string(const ddb_json *v)
{
    switch (v->type) {
    case DDB_JSON_BOOL:
        return "class java.lang.Boolean can not be converted to an String";
    case DDB_JSON_NUMBER:
        return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String";
    case DDB_JSON_ARRAY:
    case DDB_JSON_OBJECT:
        return container_error(v);
    default:
        return NULL;
    }
}

/* How DynamoDB reads a string where a Boolean belongs: 1 true, 0 false, -1 not a boolean. */
static int string_to_bool(const char *s, size_t n)
{
    static const char *const words[] = {"TRUE", "1", "YES", "FALSE", "0", "NO"};

    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        if (strlen(words[i]) == n && strncasecmp(words[i], s, n) == 0)
            return i < 3;
    }
    return -1;
}

/* ASCII upper-casing; JavaScript's toUpperCase also maps non-ASCII letters, which we leave. */
static char *ascii_upper(ddb_arena *a, const char *s, size_t n)
{
    char *u = ddb_arena_strndup(a, s, n);

    for (size_t i = 0; i < n; i++) {
        if (u[i] >= 'a' && u[i] <= 'z')
            u[i] = (char)(u[i] - 'a' + 'A');
    }
    return u;
}

static const char *check_bool(ddb_arena *a, const ddb_json *v)
{
    switch (v->type) {
    case DDB_JSON_NUMBER:
        return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an Boolean";
    case DDB_JSON_STRING:
        if (string_to_bool(v->u.s, v->n) < 0)
            return ddb_arena_sprintf(a, "'%s' can not be converted to an Boolean", ascii_upper(a, v->u.s, v->n));
        return NULL;
    case DDB_JSON_ARRAY:
    case DDB_JSON_OBJECT:
        return container_error(v);
    default:
        return NULL;
    }
}

static int is_b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
           c == '=';
}

/*
 * The first match of /[^a-zA-Z0-9+\/=]|=[^=]/: a character outside the alphabet, or a '='
 * followed by anything but '='. Returns its offset and its byte length, or -1.
 */
static long b64_bad_char(const char *s, size_t n, size_t *clen)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];

        if (!is_b64_char(c)) {
            size_t k = 1;

            while (c >= 0x80 && i + k < n && ((unsigned char)s[i + k] & 0xC0) == 0x80)
                k++;
            *clen = k;
            return (long)i;
        }
        if (c == '=' && i + 1 < n && s[i + 1] != '=') {
            *clen = 1;
            return (long)i;
        }
    }
    return -1;
}

/*
 * Decodes strict base64 into the arena. Returns the byte count, or -1 when the text is not the
 * canonical encoding of its bytes (what the reference re-encoding check rejects).
 */
static long b64_decode(ddb_arena *a, const char *s, size_t n, const char **out)
{
    size_t cap = n / 4 * 3 + 1, len = 0, elen;
    unsigned char *bin = ddb_arena_alloc(a, cap);
    const char *end = NULL;
    char *check;

    *out = (const char *)bin;
    if (n == 0)
        return 0;
    if (sodium_base642bin(bin, cap, s, n, NULL, &len, &end, sodium_base64_VARIANT_ORIGINAL) != 0 || end != s + n)
        return -1;
    elen = sodium_base64_encoded_len(len, sodium_base64_VARIANT_ORIGINAL);
    check = ddb_arena_alloc(a, elen);
    sodium_bin2base64(check, elen, bin, len, sodium_base64_VARIANT_ORIGINAL);
    if (strlen(check) != n || memcmp(check, s, n) != 0)
        return -1;
    return (long)len;
}

static const char *check_blob_text(ddb_arena *a, const char *s, size_t n)
{
    size_t u16 = ddb_utf16_len(s, n), clen = 0;
    long bad;
    const char *bytes;

    if (u16 % 4 != 0)
        return ddb_arena_sprintf(a,
                                 "'%.*s' can not be converted to a Blob: Base64 encoded length is expected a multiple "
                                 "of 4 bytes but found: %zu",
                                 (int)n, s, u16);
    bad = b64_bad_char(s, n, &clen);
    if (bad >= 0)
        return ddb_arena_sprintf(a, "'%.*s' can not be converted to a Blob: Invalid Base64 character: '%.*s'", (int)n,
                                 s, (int)clen, s + bad);
    if (b64_decode(a, s, n, &bytes) < 0)
        return ddb_arena_sprintf(
            a, "'%.*s' can not be converted to a Blob: Invalid last non-pad Base64 character dectected", (int)n, s);
    return NULL;
}

static const char *check_blob(ddb_arena *a, const ddb_json *v)
{
    switch (v->type) {
    case DDB_JSON_BOOL:
        return "class java.lang.Boolean can not be converted to a Blob";
    case DDB_JSON_NUMBER:
        return "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to a Blob";
    case DDB_JSON_ARRAY:
    case DDB_JSON_OBJECT:
        return container_error(v);
    case DDB_JSON_STRING:
        return check_blob_text(a, v->u.s, v->n);
    default:
        return NULL;
    }
}

static const char *check_kind(ddb_arena *a, const ddb_json *v, enum check_kind k, enum check_kind child);

static const char *check_list(ddb_arena *a, const ddb_json *v, enum check_kind child)
{
    const char *err;

    switch (v->type) {
    case DDB_JSON_BOOL:
    case DDB_JSON_NUMBER:
    case DDB_JSON_STRING:
        return "Expected list or null";
    case DDB_JSON_OBJECT:
        return MSG_START_MAP;
    case DDB_JSON_ARRAY:
        for (uint32_t i = 0; i < v->n; i++) {
            if ((err = check_kind(a, v->u.items[i], child, child)) != NULL)
                return err;
        }
        return NULL;
    default:
        return NULL;
    }
}

static const char *check_map(ddb_arena *a, const ddb_json *v)
{
    const ddb_json_member **ms;
    uint32_t n;
    const char *err;

    switch (v->type) {
    case DDB_JSON_BOOL:
    case DDB_JSON_NUMBER:
    case DDB_JSON_STRING:
        return "Expected map or null";
    case DDB_JSON_ARRAY:
        return MSG_START_LIST;
    case DDB_JSON_OBJECT:
        n = unique_members(a, v, &ms);
        for (uint32_t i = 0; i < n; i++) {
            if ((err = ddb_attr_check_types(a, ms[i]->val)) != NULL)
                return err;
        }
        return NULL;
    default:
        return NULL;
    }
}

static const char *check_kind(ddb_arena *a, const ddb_json *v, enum check_kind k, enum check_kind child)
{
    if (v == NULL || v->type == DDB_JSON_NULL)
        return NULL;
    switch (k) {
    case K_STRING:
        return check_string(v);
    case K_BLOB:
        return check_blob(a, v);
    case K_BOOL:
        return check_bool(a, v);
    case K_ATTR:
        return ddb_attr_check_types(a, v);
    case K_LIST:
        return check_list(a, v, child);
    case K_MAP:
        return check_map(a, v);
    }
    return NULL;
}

/* What each AttributeValue member must hold (dynalite's AttrStructure children). */
static const char *check_member(ddb_arena *a, const ddb_json *m, ddb_type t)
{
    switch (t) {
    case DDB_T_S:
    case DDB_T_N:
        return check_kind(a, m, K_STRING, K_STRING);
    case DDB_T_B:
        return check_kind(a, m, K_BLOB, K_BLOB);
    case DDB_T_BOOL:
    case DDB_T_NULL:
        return check_kind(a, m, K_BOOL, K_BOOL);
    case DDB_T_BS:
        return check_kind(a, m, K_LIST, K_BLOB);
    case DDB_T_NS:
    case DDB_T_SS:
        return check_kind(a, m, K_LIST, K_STRING);
    case DDB_T_L:
        return check_kind(a, m, K_LIST, K_ATTR);
    case DDB_T_M:
        return check_kind(a, m, K_MAP, K_ATTR);
    default:
        return NULL;
    }
}

const char *ddb_attr_check_types(ddb_arena *a, const ddb_json *v)
{
    const char *err;
    const ddb_json *slot[DDB_T_MAX + 1];

    if (v == NULL || v->type == DDB_JSON_NULL)
        return NULL;
    if (v->type == DDB_JSON_ARRAY)
        return MSG_START_LIST;
    if (v->type != DDB_JSON_OBJECT)
        return "Expected null";
    av_members(v, slot);
    for (size_t i = 0; i < NMEMBERS; i++) {
        const ddb_json *m = slot[member_order[i]];

        if (m != NULL && (err = check_member(a, m, member_order[i])) != NULL)
            return err;
    }
    return NULL;
}

const char *ddb_item_check_types(ddb_arena *a, const ddb_json *obj)
{
    return check_kind(a, obj, K_MAP, K_ATTR);
}

/* ---- phase 2: values (ValidationException) ---- */

static const char *const MSG_EMPTY_AV =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
static const char *const MSG_MULTI_AV =
    "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
static const char *const MSG_NESTING =
    "Nesting Levels have exceeded supported limits: Attributes in the item have nested levels beyond supported limit";
#define INVALID_PARAMS "One or more parameter values were invalid: "

static const char *attr_from(ddb_arena *a, const ddb_json *v, int depth, ddb_value_dialect dialect, ddb_attr *out);

/* A JSON string as an attr of type t, copied into the arena. */
static void set_bytes(ddb_arena *a, ddb_attr *out, ddb_type t, const char *s, size_t n)
{
    out->type = (uint8_t)t;
    out->len = (uint32_t)n;
    out->u.s = ddb_arena_strndup(a, s, n);
}

/* Parses and canonicalises an N (or NS member); NULL or the DynamoDB message. */
/* ---- the two wordings of value errors (attr.h: ddb_value_dialect) ---- */

int ddb_attr_layer_message(const char *msg)
{
    static const char *const prefixes[] = {"The parameter cannot be converted", "Number overflow", "Number underflow",
                                           "Attempting to store more than"};
    /* a set's own errors: its duplicates, and (UpdateItem, verified against AWS 2026-08: "1
       validation error detected: One or more parameter values were invalid: An string set  may not
       be empty") an empty set or a null member */
    static const char *const sets[] = {"contains duplicates", "set  may not be empty",
                                       "Binary sets should not be empty", "may not have a empty string as a member",
                                       "Binary sets may not contain null"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(msg, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++)
        if (strstr(msg, sets[i]) != NULL)
            return 1;
    return 0;
}

/*
 * The 2026 layer reads a number's exponent as a 64-bit whole number: an exponent past 32 bits is
 * out of range rather than unreadable (past 64 bits it is unreadable), and a zero is range-checked by the exponent it is written with
 * (0e126 overflows). Returns the status for text ddb_num_parse refused or read as zero.
 */
static ddb_num_status exponent_status(const char *s, size_t n, ddb_num_status parsed)
{
    size_t i = 0;
    int nonzero = 0, digits = 0, esign = 1;
    long long e = 0;

    if (i < n && (s[i] == '+' || s[i] == '-'))
        i++;
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.'); i++) {
        digits += s[i] != '.';
        nonzero |= s[i] >= '1' && s[i] <= '9';
    }
    if (digits == 0 || i == n || (s[i] != 'e' && s[i] != 'E'))
        return parsed;
    if (++i < n && (s[i] == '+' || s[i] == '-'))
        esign = s[i++] == '-' ? -1 : 1;
    if (i == n)
        return parsed;
    for (; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return parsed;
        if (e > (INT64_MAX - (s[i] - '0')) / 10)
            return parsed; /* past 64 bits the exponent cannot be read at all */
        e = e * 10 + (s[i] - '0');
    }
    e *= esign;
    if (nonzero)
        return parsed == DDB_NUM_INVALID ? (e > 0 ? DDB_NUM_OVERFLOW : DDB_NUM_UNDERFLOW) : parsed;
    return e > 125 ? DDB_NUM_OVERFLOW : e < -130 ? DDB_NUM_UNDERFLOW : parsed;
}

static const char *number_from(ddb_arena *a, const ddb_json *v, ddb_value_dialect dialect, ddb_attr *out)
{
    ddb_num num;
    ddb_num_status st;
    char text[DDB_NUM_TEXT_MAX];
    size_t len;

    if (v == NULL || v->type == DDB_JSON_NULL || (v->type == DDB_JSON_STRING && v->n == 0))
        return dialect == DDB_VALUES_2026 ? "The parameter cannot be converted to a numeric value: "
                                          : ddb_num_status_message(DDB_NUM_INVALID);
    if (v->type != DDB_JSON_STRING)
        return check_string(v); /* phase 1 was skipped */
    st = ddb_num_parse(v->u.s, v->n, &num);
    if (dialect == DDB_VALUES_2026 && (st == DDB_NUM_INVALID || (st == DDB_NUM_OK && num.sign == 0)))
        st = exponent_status(v->u.s, v->n, st);
    if (st == DDB_NUM_INVALID)
        return ddb_arena_sprintf(a, "%s: %.*s", ddb_num_status_message(st), (int)v->n, v->u.s);
    if (st != DDB_NUM_OK)
        return ddb_num_status_message(st);
    len = ddb_num_format(&num, text);
    set_bytes(a, out, DDB_T_N, text, len);
    return NULL;
}

/* A Boolean member after the deserializer's conversions (JSON bool, or TRUE/1/YES/FALSE/0/NO). */
static int json_bool(const ddb_json *v)
{
    if (v->type == DDB_JSON_STRING)
        return string_to_bool(v->u.s, v->n) > 0;
    return v->type == DDB_JSON_BOOL && v->u.b;
}

static const char *binary_from(ddb_arena *a, const ddb_json *v, ddb_attr *out)
{
    const char *bytes;
    long n;

    if (v->type != DDB_JSON_STRING)
        return check_blob(a, v); /* phase 1 was skipped */
    n = b64_decode(a, v->u.s, v->n, &bytes);
    if (n < 0)
        return check_blob_text(a, v->u.s, v->n);
    out->type = DDB_T_B;
    out->len = (uint32_t)n;
    out->u.s = bytes;
    return NULL;
}

/* Byte-wise ordering of S/B/N payloads, used to find set duplicates by sorting. */
static int payload_cmp(const void *pa, const void *pb)
{
    const ddb_attr *a = *(const ddb_attr *const *)pa, *b = *(const ddb_attr *const *)pb;
    uint32_t n = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->u.s, b->u.s, n);

    if (c != 0)
        return c;
    return (a->len > b->len) - (a->len < b->len);
}

/* Whether a decoded set has two equal members (N members are canonical, so bytes decide). */
static int set_has_duplicate(ddb_arena *a, const ddb_attr *set)
{
    const ddb_attr **p = DDB_NEW_ARRAY(a, const ddb_attr *, set->len);

    for (uint32_t i = 0; i < set->len; i++)
        p[i] = &set->u.items[i];
    qsort(p, set->len, sizeof(*p), payload_cmp);
    for (uint32_t i = 1; i < set->len; i++) {
        if (payload_cmp(&p[i - 1], &p[i]) == 0)
            return 1;
    }
    return 0;
}

/* dynalite's valueStr of a list of strings: "[a, b, c]", members as sent. */
static char *list_text(ddb_arena *a, const ddb_json *arr)
{
    size_t len = 2, k = 0;
    char *s;

    for (uint32_t i = 0; i < arr->n; i++)
        len += arr->u.items[i]->n + (i ? 2 : 0);
    s = ddb_arena_alloc(a, len + 1);
    s[k++] = '[';
    for (uint32_t i = 0; i < arr->n; i++) {
        if (i) {
            memcpy(s + k, ", ", 2);
            k += 2;
        }
        memcpy(s + k, arr->u.items[i]->u.s, arr->u.items[i]->n);
        k += arr->u.items[i]->n;
    }
    s[k++] = ']';
    s[k] = '\0';
    return s;
}

/*
 * The 2026 layer's listing of a set holding a duplicate: its members as a sorted set takes them in
 * the order sent, up to and including the first repeat, quoted as sent, e.g. ["a", "b", "b"] for
 * ["b", "a", "b"]. `sep` is ", " for SS and "," for BS.
 */
static char *dup_listing(ddb_arena *a, const ddb_json *arr, const ddb_attr *members, const char *sep)
{
    uint32_t *order = DDB_NEW_ARRAY(a, uint32_t, arr->n), n = 0, dup = UINT32_MAX;
    ddb_buf b = {0};
    char *out;

    for (uint32_t i = 0; i < arr->n && dup == UINT32_MAX; i++) {
        uint32_t at = 0;
        int c = 1;
        while (at < n && (c = ddb_attr_cmp(&members[order[at]], &members[i])) < 0)
            at++;
        if (at < n && c == 0) {
            dup = i;
            break;
        }
        memmove(order + at + 1, order + at, sizeof(*order) * (n - at));
        order[at] = i;
        n++;
    }
    ddb_buf_putc(&b, '[');
    for (uint32_t k = 0; k <= n && dup != UINT32_MAX; k++) {
        const ddb_json *m = arr->u.items[k < n ? order[k] : dup];
        if (k)
            ddb_buf_puts(&b, sep);
        ddb_buf_putc(&b, '"');
        ddb_buf_append(&b, m->u.s, m->n);
        ddb_buf_putc(&b, '"');
    }
    ddb_buf_putc(&b, ']');
    out = ddb_arena_strndup(a, b.data, b.len);
    ddb_buf_free(&b);
    return out;
}

static int has_null_member(const ddb_json *arr)
{
    for (uint32_t i = 0; i < arr->n; i++) {
        if (arr->u.items[i]->type == DDB_JSON_NULL)
            return 1;
    }
    return 0;
}

static const char *string_set_from(ddb_arena *a, const ddb_json *v, ddb_value_dialect dialect, ddb_attr *out)
{
    if (v->type != DDB_JSON_ARRAY)
        return check_list(a, v, K_STRING); /* phase 1 was skipped */
    if (v->n == 0)
        return INVALID_PARAMS "An string set  may not be empty";
    /* Empty strings are allowed in sets since 2020; a null member still is not a string. */
    if (has_null_member(v))
        return INVALID_PARAMS "An string set may not have a empty string as a member";
    out->type = DDB_T_SS;
    out->len = v->n;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, v->n);
    for (uint32_t i = 0; i < v->n; i++) {
        if (v->u.items[i]->type != DDB_JSON_STRING)
            return check_string(v->u.items[i]);
        set_bytes(a, &out->u.items[i], DDB_T_S, v->u.items[i]->u.s, v->u.items[i]->n);
    }
    if (set_has_duplicate(a, out))
        return ddb_arena_sprintf(a, INVALID_PARAMS "Input collection %s contains duplicates.",
                                 dialect == DDB_VALUES_2026 ? dup_listing(a, v, out->u.items, ", ") : list_text(a, v));
    ddb_set_sort(out); /* members in DynamoDB's order: bytes, numbers by value */
    return NULL;
}

static const char *number_set_from(ddb_arena *a, const ddb_json *v, ddb_value_dialect dialect, ddb_attr *out)
{
    const char *err;

    if (v->type != DDB_JSON_ARRAY)
        return check_list(a, v, K_STRING); /* phase 1 was skipped */
    if (v->n == 0)
        return INVALID_PARAMS "An number set  may not be empty";
    out->type = DDB_T_NS;
    out->len = v->n;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, v->n);
    for (uint32_t i = 0; i < v->n; i++) {
        if ((err = number_from(a, v->u.items[i], dialect, &out->u.items[i])) != NULL)
            return err;
    }
    if (set_has_duplicate(a, out))
        return dialect == DDB_VALUES_2026 ? INVALID_PARAMS "Input collection contains duplicates."
                                          : "Input collection contains duplicates";
    ddb_set_sort(out); /* members in DynamoDB's order: bytes, numbers by value */
    return NULL;
}

static const char *binary_set_from(ddb_arena *a, const ddb_json *v, ddb_value_dialect dialect, ddb_attr *out)
{
    const char *err;

    if (v->type != DDB_JSON_ARRAY)
        return check_list(a, v, K_BLOB); /* phase 1 was skipped */
    if (v->n == 0)
        return INVALID_PARAMS "Binary sets should not be empty";
    if (has_null_member(v))
        return INVALID_PARAMS "Binary sets may not contain null or empty values";
    out->type = DDB_T_BS;
    out->len = v->n;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, v->n);
    for (uint32_t i = 0; i < v->n; i++) {
        if ((err = binary_from(a, v->u.items[i], &out->u.items[i])) != NULL)
            return err;
    }
    if (set_has_duplicate(a, out))
        return ddb_arena_sprintf(a, INVALID_PARAMS "Input collection %sof type BS contains duplicates.",
                                 dialect == DDB_VALUES_2026 ? dup_listing(a, v, out->u.items, ",") : list_text(a, v));
    ddb_set_sort(out); /* members in DynamoDB's order: bytes, numbers by value */
    return NULL;
}

/*
 * DynamoDB allows 32 levels including the leaf: a value holding its 32nd enclosing M or L is
 * too deep. `depth` counts the M/L levels above `v`.
 */
static int too_deep(int depth)
{
    return depth + 1 >= DDB_MAX_NESTING;
}

static const char *list_from(ddb_arena *a, const ddb_json *v, int depth, ddb_value_dialect dialect, ddb_attr *out)
{
    const char *err;

    if (v->type != DDB_JSON_ARRAY)
        return check_list(a, v, K_ATTR); /* phase 1 was skipped */
    if (too_deep(depth))
        return MSG_NESTING;
    out->type = DDB_T_L;
    out->len = v->n;
    out->u.items = DDB_NEW_ARRAY(a, ddb_attr, v->n);
    for (uint32_t i = 0; i < v->n; i++) {
        if ((err = attr_from(a, v->u.items[i], depth + 1, dialect, &out->u.items[i])) != NULL)
            return err;
    }
    return NULL;
}

static const char *map_from(ddb_arena *a, const ddb_json *v, int depth, ddb_value_dialect dialect, ddb_attr *out)
{
    const ddb_json_member **ms;
    uint32_t n;
    const char *err;

    if (v->type != DDB_JSON_OBJECT)
        return check_map(a, v); /* phase 1 was skipped */
    if (depth >= 0 && too_deep(depth))
        return MSG_NESTING;
    n = unique_members(a, v, &ms);
    out->type = DDB_T_M;
    out->len = n;
    out->u.entries = DDB_NEW_ARRAY(a, ddb_entry, n);
    for (uint32_t i = 0; i < n; i++) {
        ddb_entry *e = &out->u.entries[i];

        e->name = ddb_arena_strndup(a, ms[i]->key, ms[i]->klen);
        e->nlen = ms[i]->klen;
        if ((err = attr_from(a, ms[i]->val, depth + 1, dialect, &e->val)) != NULL)
            return err;
    }
    return NULL;
}

static const char *string_from(const ddb_json *m, ddb_arena *a, ddb_attr *out)
{
    if (m->type != DDB_JSON_STRING)
        return check_string(m); /* phase 1 was skipped */
    set_bytes(a, out, DDB_T_S, m->u.s, m->n);
    return NULL;
}

/* BOOL, or NULL (which must be true). */
static const char *bool_from(ddb_arena *a, const ddb_json *m, ddb_type t, ddb_attr *out)
{
    const char *err = check_bool(a, m);

    if (err != NULL)
        return err; /* phase 1 was skipped */
    out->type = (uint8_t)t;
    out->boolean = (uint8_t)(t == DDB_T_NULL ? 1 : json_bool(m));
    if (t == DDB_T_NULL && !json_bool(m))
        return INVALID_PARAMS "Null attribute value types must have the value of true";
    return NULL;
}

/* One member of an AttributeValue, with validateAttributeValue's checks for that type. */
static const char *member_from(ddb_arena *a, const ddb_json *m, ddb_type t, int depth, ddb_value_dialect dialect,
                               ddb_attr *out)
{
    switch (t) {
    case DDB_T_S:
        return string_from(m, a, out);
    case DDB_T_B:
        return binary_from(a, m, out);
    case DDB_T_N:
        return number_from(a, m, dialect, out);
    case DDB_T_BOOL:
    case DDB_T_NULL:
        return bool_from(a, m, t, out);
    case DDB_T_BS:
        return binary_set_from(a, m, dialect, out);
    case DDB_T_NS:
        return number_set_from(a, m, dialect, out);
    case DDB_T_SS:
        return string_set_from(a, m, dialect, out);
    case DDB_T_L:
        return list_from(a, m, depth, dialect, out);
    case DDB_T_M:
        return map_from(a, m, depth, dialect, out);
    default:
        return NULL;
    }
}

static const char *attr_from(ddb_arena *a, const ddb_json *v, int depth, ddb_value_dialect dialect, ddb_attr *out)
{
    size_t count = 0;
    const char *err;
    const ddb_json *slot[DDB_T_MAX + 1];

    memset(out, 0, sizeof(*out));
    /* A null where an AttributeValue belongs is an AttributeValue with nothing set. */
    if (v == NULL || v->type == DDB_JSON_NULL)
        return MSG_EMPTY_AV;
    if (v->type != DDB_JSON_OBJECT)
        return ddb_attr_check_types(a, v); /* phase 1 was skipped */
    av_members(v, slot);
    for (size_t i = 0; i < NMEMBERS; i++) {
        const ddb_json *m = slot[member_order[i]];

        if (m == NULL)
            continue;
        count++;
        if ((err = member_from(a, m, member_order[i], depth, dialect, out)) != NULL)
            return err;
    }
    if (count == 0)
        return MSG_EMPTY_AV;
    return count > 1 ? MSG_MULTI_AV : NULL;
}

const char *ddb_attr_from_json_as(ddb_arena *a, const ddb_json *v, ddb_value_dialect d, ddb_attr *out)
{
    return attr_from(a, v, 0, d, out);
}

const char *ddb_item_from_json_as(ddb_arena *a, const ddb_json *obj, ddb_value_dialect d, ddb_attr *out)
{
    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    if (obj == NULL || obj->type == DDB_JSON_NULL)
        return NULL;
    /* The item itself is not a nesting level: its attribute values are at depth 0. */
    return map_from(a, obj, -1, d, out);
}

const char *ddb_attr_from_json(ddb_arena *a, const ddb_json *v, ddb_attr *out)
{
    return ddb_attr_from_json_as(a, v, DDB_VALUES_CLASSIC, out);
}

const char *ddb_item_from_json(ddb_arena *a, const ddb_json *obj, ddb_attr *out)
{
    return ddb_item_from_json_as(a, obj, DDB_VALUES_CLASSIC, out);
}

/*
 * An item's attribute names: not empty, under 64 KB. DynamoDB's own texts (its ErrorFactory, as
 * DynamoDB Local 1.25 answers them); ScyllaDB's test_limits.py confirms 65535 bytes pass and
 * 65536 do not.
 */
const char *ddb_item_names_check(const ddb_attr *item)
{
    for (uint32_t i = 0; i < item->len; i++) {
        if (item->u.entries[i].nlen == 0 || ddb_attr_has_empty_map_key(&item->u.entries[i].val))
            return "Empty attribute name";
        if (item->u.entries[i].nlen > DDB_ATTR_NAME_MAX)
            return DDB_ATTR_NAME_TOO_LARGE;
    }
    return NULL;
}
