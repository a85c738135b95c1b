/*
 * server/engine/xfer/anon.c: an import's anonymisation rules, read and applied (see anon.h).
 *
 * No message here quotes a value: an error names the attribute and the rule, and the rule file's
 * own errors name the member that is wrong, so the server log and the import's error records hold
 * nothing of the data (docs/import.md).
 */
#include "server/engine/xfer/anon.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/number.h"
#include "proto/secret_key.h"
#include "server/base/clock.h"
#include "server/engine/xfer/ion.h"
#include "server/engine/xfer/reader.h"

#define REDACTED "REDACTED"
#define REDACTED_B64 "UkVEQUNURUQ=" /* "REDACTED" as B */
#define HASH_S_BYTES 16         /* a hashed S: 32 hex digits */
#define HASH_N_MASK ((1ULL << 53) - 1) /* a hashed N: a whole number every JSON reader holds exactly */
#define DATE_MIN "1970-01-01"   /* fake date's default range */
#define DATE_MAX "2029-12-31"
#define NUMBER_LIMIT 1000000000000000LL /* fake number's range within +-10^15 */

/* ---- the rule file ---- */

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
    return -1;
}

static int cmp_rule(const void *x, const void *y)
{
    return strcmp(((const ddb_anon_rule *)x)->attr, ((const ddb_anon_rule *)y)->attr);
}

/* "YYYY-MM-DD" as days since the epoch; -1 when it is no such date. */
static int parse_day(const char *s, long long *days)
{
    unsigned y, m, d;
    char tail;

    if (s == NULL || strlen(s) != 10 || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return -1;
    *days = ddb_days_from_civil(y, m, d);
    return 0;
}

static const char *const fake_names[] = {
#define X(n) #n,
    DDB_ANON_FAKES(X)
#undef X
};

/* A fake's range: fake number's "min" and "max" (required), fake date's (optional, dates). */
static int fake_range(ddb_anon_rule *r, const ddb_json *v, const char *attr, char *err, size_t len)
{
    const ddb_json *lo = ddb_json_get(v, "min"), *hi = ddb_json_get(v, "max");

    if (r->fake == DDB_FAKE_number) {
        if (lo == NULL || hi == NULL || lo->type != DDB_JSON_NUMBER || hi->type != DDB_JSON_NUMBER ||
            strpbrk(lo->u.s, ".eE") || strpbrk(hi->u.s, ".eE"))
            return fail(err, len, "attribute \"%s\": fake number needs whole numbers \"min\" and \"max\"", attr);
        r->min = ddb_json_integer(lo, 0);
        r->max = ddb_json_integer(hi, 0);
        if (r->min > r->max || r->min < -NUMBER_LIMIT || r->max > NUMBER_LIMIT)
            return fail(err, len, "attribute \"%s\": fake number needs min <= max, both within +-10^15", attr);
        return 0;
    }
    if (r->fake == DDB_FAKE_date) {
        const char *l = lo != NULL ? ddb_json_get_str(v, "min") : DATE_MIN;
        const char *h = hi != NULL ? ddb_json_get_str(v, "max") : DATE_MAX;
        if (parse_day(l, &r->min) != 0 || parse_day(h, &r->max) != 0 || r->min > r->max)
            return fail(err, len,
                        "attribute \"%s\": fake date's \"min\" and \"max\" are dates YYYY-MM-DD, min <= max", attr);
        return 0;
    }
    if (lo != NULL || hi != NULL)
        return fail(err, len, "attribute \"%s\": only fake number and fake date take \"min\" and \"max\"", attr);
    return 0;
}

/* One RULE (anon.h) into *r. */
static int parse_rule(ddb_anon_rule *r, const ddb_json *v, const char *attr, char *err, size_t len)
{
    static const char *const actions[] = {"keep", "drop", "hash", "redact"};
    const char *fake = ddb_json_get_str(v, "fake");

    if (v->type == DDB_JSON_STRING) {
        for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
            if (strcmp(v->u.s, actions[i]) == 0) {
                r->action = (ddb_anon_action)i;
                return 0;
            }
    } else if (v->type == DDB_JSON_OBJECT && fake != NULL) {
        for (uint32_t i = 0; i < v->n; i++)
            if (strcmp(v->u.members[i].key, "fake") != 0 && strcmp(v->u.members[i].key, "min") != 0 &&
                strcmp(v->u.members[i].key, "max") != 0)
                return fail(err, len, "attribute \"%s\": unknown member \"%s\" in its rule", attr, v->u.members[i].key);
        for (size_t i = 0; i < sizeof(fake_names) / sizeof(fake_names[0]); i++)
            if (strcmp(fake, fake_names[i]) == 0) {
                r->action = DDB_ANON_FAKE;
                r->fake = (ddb_anon_fake)i;
                return fake_range(r, v, attr, err, len);
            }
    }
    return fail(err, len,
                "attribute \"%s\": a rule is \"keep\", \"drop\", \"hash\", \"redact\" or {\"fake\": "
                "\"name\"|\"email\"|\"phone\"|\"text\"|\"date\"|\"number\"}", attr);
}

/* The table's key attributes' types (KeySchema by AttributeDefinitions): what a key's rule may do. */
static int check_key(const ddb_anon *an, const char *name, char type, char *err, size_t len)
{
    ddb_anon_rule k = {.attr = name};
    const ddb_anon_rule *r = an->n ? bsearch(&k, an->rules, an->n, sizeof(k), cmp_rule) : NULL;

    if (r == NULL && an->strict)
        return 0; /* (the sample, or the item, says it has no rule) */
    if (r == NULL)
        r = &an->dflt;
    if (r->action == DDB_ANON_DROP || r->action == DDB_ANON_REDACT)
        return fail(err, len, "attribute \"%s\" is a key of the table: it may not be %s (keep, hash or fake it)", name,
                    r->action == DDB_ANON_DROP ? "dropped" : "redacted");
    if (r->action == DDB_ANON_FAKE &&
        (type == 'B' || (type == 'N' && (r->fake == DDB_FAKE_name || r->fake == DDB_FAKE_email))))
        return fail(err, len, "attribute \"%s\": fake %s of a key of type %c would change its type (hash it)", name,
                    fake_names[r->fake], type);
    return 0;
}

static int check_keys(ddb_anon *an, const ddb_json *table, char *err, size_t len)
{
    const ddb_json *ks = ddb_json_get(table, "KeySchema"), *defs = ddb_json_get(table, "AttributeDefinitions");

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *name = ddb_json_get_str(ks->u.items[i], "AttributeName"), *type = "S";
        for (uint32_t j = 0; defs != NULL && defs->type == DDB_JSON_ARRAY && j < defs->n; j++)
            if (name != NULL && ddb_json_get_str(defs->u.items[j], "AttributeName") != NULL &&
                strcmp(ddb_json_get_str(defs->u.items[j], "AttributeName"), name) == 0 &&
                ddb_json_get_str(defs->u.items[j], "AttributeType") != NULL)
                type = ddb_json_get_str(defs->u.items[j], "AttributeType");
        if (name != NULL && check_key(an, name, type[0], err, len) != 0)
            return -1;
    }
    return 0;
}

static int compile_attributes(ddb_anon *an, const ddb_json *attrs, char *err, size_t len)
{
    if (attrs == NULL)
        return 0;
    if (attrs->type != DDB_JSON_OBJECT)
        return fail(err, len, "\"attributes\" must be an object of attribute names to rules");
    an->rules = DDB_NEW_ARRAY(&an->arena, ddb_anon_rule, attrs->n + 1);
    for (uint32_t i = 0; i < attrs->n; i++) {
        ddb_anon_rule *r = &an->rules[an->n];
        r->attr = attrs->u.members[i].key;
        if (parse_rule(r, attrs->u.members[i].val, r->attr, err, len) != 0)
            return -1;
        an->n++;
    }
    /* sorted, a name given two rules is next to itself: n log n, where a search per rule was
       quadratic in a rule file of many names */
    qsort(an->rules, an->n, sizeof(*an->rules), cmp_rule);
    for (size_t i = 1; i < an->n; i++)
        if (strcmp(an->rules[i - 1].attr, an->rules[i].attr) == 0)
            return fail(err, len, "attribute \"%s\" has two rules", an->rules[i].attr);
    return 0;
}

/* The rules' secret: the door's "key" (checked), or a stored import's, kept in memory (stored). */
static int compile_key(ddb_anon *an, const ddb_json *rules, const unsigned char *stored, char *err, size_t len)
{
    const char *key = ddb_json_get_str(rules, "key"), *weak;

    if (stored != NULL) {
        memcpy(an->key, stored, sizeof(an->key));
        return 0;
    }
    if (key == NULL)
        return fail(err, len, "the rules need a \"key\" of at least 16 bytes: the secret of hash and fake");
    if ((weak = ddb_secret_key_weakness(key, strlen(key))) != NULL)
        return fail(err, len,
                    "the rules' \"key\" is %s: a guessable key lets a dictionary undo every hash and fake; use a "
                    "random secret of 16 bytes or more (openssl rand -hex 16)", weak);
    ddb_anon_key_of(key, an->key);
    return 0;
}

static int compile(ddb_anon *an, const ddb_json *rules, const ddb_json *table, const unsigned char *stored, char *err,
                   size_t len)
{
    const ddb_json *strict = ddb_json_get(rules, "strict"), *dflt = ddb_json_get(rules, "default");

    memset(an, 0, sizeof(*an));
    ddb_arena_init(&an->arena);
    if (rules == NULL || rules->type != DDB_JSON_OBJECT)
        return fail(err, len, "the rules must be a JSON object (docs/import.md)");
    for (uint32_t i = 0; i < rules->n; i++) {
        const char *m = rules->u.members[i].key;
        if (strcmp(m, "key") != 0 && strcmp(m, "strict") != 0 && strcmp(m, "default") != 0 &&
            strcmp(m, "attributes") != 0)
            return fail(err, len, "unknown member \"%s\" in the rules (key, strict, default, attributes)", m);
    }
    if (compile_key(an, rules, stored, err, len) != 0)
        return -1;
    if (strict != NULL && strict->type != DDB_JSON_BOOL)
        return fail(err, len, "\"strict\" must be true or false");
    an->strict = strict != NULL && strict->u.b;
    if (an->strict && dflt != NULL)
        return fail(err, len, "\"strict\" and \"default\" exclude each other: strict refuses what no rule names");
    if (dflt != NULL && parse_rule(&an->dflt, dflt, "(default)", err, len) != 0)
        return -1;
    if (compile_attributes(an, ddb_json_get(rules, "attributes"), err, len) != 0)
        return -1;
    return check_keys(an, table, err, len);
}

int ddb_anon_compile(ddb_anon *an, const ddb_json *rules, const ddb_json *table, char *err, size_t len)
{
    return compile(an, rules, table, NULL, err, len);
}

int ddb_anon_compile_stored(ddb_anon *an, const ddb_json *rules, const ddb_json *table, const unsigned char key[32],
                            char *err, size_t len)
{
    return compile(an, rules, table, key, err, len);
}

void ddb_anon_key_of(const char *key, unsigned char out[32])
{
    crypto_hash_sha256(out, (const unsigned char *)key, strlen(key));
}

void ddb_anon_free(ddb_anon *an)
{
    sodium_memzero(an->key, sizeof(an->key));
    ddb_arena_free(&an->arena);
    an->rules = NULL;
    an->n = 0;
}

const ddb_anon_rule *ddb_anon_rule_of(const ddb_anon *an, const char *attr)
{
    ddb_anon_rule k = {.attr = attr};
    const ddb_anon_rule *r = an->n ? bsearch(&k, an->rules, an->n, sizeof(k), cmp_rule) : NULL;

    return r != NULL ? r : an->strict ? NULL : &an->dflt;
}

const char *ddb_anon_rule_name(const ddb_anon_rule *r, char *buf, size_t len)
{
    static const char *const names[] = {"keep", "drop", "hash", "redact"};

    if (r->action != DDB_ANON_FAKE)
        return names[r->action];
    snprintf(buf, len, "fake %s", fake_names[r->fake]);
    return buf;
}

/* ---- applying them ---- */

void ddb_anon_hash(const ddb_anon *an, char type, const char *v, size_t n, unsigned char out[32])
{
    crypto_auth_hmacsha256_state st;
    unsigned char tag[2] = {(unsigned char)type, ':'};

    crypto_auth_hmacsha256_init(&st, an->key, sizeof(an->key));
    crypto_auth_hmacsha256_update(&st, tag, 2);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)v, n);
    crypto_auth_hmacsha256_final(&st, out);
}

static ddb_json *str_node(ddb_arena *a, ddb_json_type t, const char *s)
{
    ddb_json *j = DDB_NEW(a, ddb_json);

    j->type = t;
    j->u.s = s;
    j->n = (uint32_t)strlen(s);
    return j;
}

/* {"<tag>": v} */
static ddb_json *tagged(ddb_arena *a, const char *tag, ddb_json *v)
{
    ddb_json *j = DDB_NEW(a, ddb_json);

    j->type = DDB_JSON_OBJECT;
    j->n = 1;
    j->u.members = DDB_NEW(a, ddb_json_member);
    j->u.members[0] = (ddb_json_member){tag, (uint32_t)strlen(tag), v};
    return j;
}

/* A scalar of type S, N or B (its text: B's is base64) by rule r, in *out. */
static const char *scalar(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr, char type,
                          const char *v, size_t n, const char **out)
{
    unsigned char h[32];
    char *s, canon[DDB_NUM_TEXT_MAX];
    ddb_num num;

    if (r->action == DDB_ANON_REDACT) {
        *out = type == 'S' ? REDACTED : type == 'N' ? "0" : REDACTED_B64;
        return NULL;
    }
    if (type == 'N') { /* by value: 1.50 and 15E-1 are one number, as an ION export may spell it */
        if (ddb_num_parse(v, n, &num) != DDB_NUM_OK)
            return ddb_arena_sprintf(a, "attribute \"%s\": a value of type N is not a number", attr);
        n = ddb_num_format(&num, canon);
        v = canon;
    }
    ddb_anon_hash(an, type, v, n, h);
    if (r->action == DDB_ANON_FAKE && type != 'B')
        return ddb_anon_fake_value(r, a, attr, type, v, n, h, out);
    if (type == 'S') { /* hash */
        s = ddb_arena_alloc(a, 2 * HASH_S_BYTES + 1);
        sodium_bin2hex(s, 2 * HASH_S_BYTES + 1, h, HASH_S_BYTES);
    } else if (type == 'N') {
        uint64_t x = 0;
        for (int i = 0; i < 8; i++)
            x = x << 8 | h[i];
        s = ddb_arena_sprintf(a, "%llu", (unsigned long long)(x & HASH_N_MASK));
    } else { /* a B is hashed by fake too: no fake makes bytes look like bytes */
        size_t b64 = sodium_base64_ENCODED_LEN(HASH_S_BYTES, sodium_base64_VARIANT_ORIGINAL);
        s = ddb_arena_alloc(a, b64);
        sodium_bin2base64(s, b64, h, HASH_S_BYTES, sodium_base64_VARIANT_ORIGINAL);
    }
    *out = s;
    return NULL;
}

static const char *value(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr,
                         const ddb_json *v, const ddb_json **out);

/* A set's elements one by one, each output once (two may come out the same). */
static const char *set(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr, char type,
                       const ddb_json *v, ddb_json **out)
{
    ddb_json *arr = DDB_NEW(a, ddb_json);
    const char *e, *s;

    arr->type = DDB_JSON_ARRAY;
    arr->u.items = DDB_NEW_ARRAY(a, ddb_json *, v->n ? v->n : 1);
    for (uint32_t i = 0; i < v->n; i++) {
        int dup = 0;
        if (v->u.items[i]->type != DDB_JSON_STRING)
            return ddb_arena_sprintf(a, "attribute \"%s\": a set's element is not a string", attr);
        if ((e = scalar(an, r, a, attr, type, v->u.items[i]->u.s, v->u.items[i]->n, &s)) != NULL)
            return e;
        for (uint32_t j = 0; j < arr->n && !dup; j++)
            dup = strcmp(arr->u.items[j]->u.s, s) == 0;
        if (!dup)
            arr->u.items[arr->n++] = str_node(a, DDB_JSON_STRING, s);
        if (r->action == DDB_ANON_REDACT)
            break; /* one element: {"SS": ["REDACTED"]} */
    }
    *out = arr;
    return NULL;
}

/* A list's or a map's values, all the way down. */
static const char *container(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr,
                             const ddb_json *v, ddb_json **out)
{
    ddb_json *c = DDB_NEW(a, ddb_json);
    const char *e;

    *c = *v;
    if (r->action == DDB_ANON_REDACT) {
        c->n = 0; /* [] or {} */
    } else if (v->type == DDB_JSON_ARRAY) {
        c->u.items = DDB_NEW_ARRAY(a, ddb_json *, v->n ? v->n : 1);
        for (uint32_t i = 0; i < v->n; i++)
            if ((e = value(an, r, a, attr, v->u.items[i], (const ddb_json **)&c->u.items[i])) != NULL)
                return e;
    } else {
        c->u.members = DDB_NEW_ARRAY(a, ddb_json_member, v->n ? v->n : 1);
        for (uint32_t i = 0; i < v->n; i++) {
            c->u.members[i] = v->u.members[i];
            if ((e = value(an, r, a, attr, v->u.members[i].val, (const ddb_json **)&c->u.members[i].val)) != NULL)
                return e;
        }
    }
    *out = c;
    return NULL;
}

/* One AttributeValue {"<type>": x} by rule r (not keep, not drop). */
static const char *value(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr,
                         const ddb_json *v, const ddb_json **out)
{
    const char *tag, *e, *s;
    const ddb_json *x;
    ddb_json *made = NULL;

    if (v == NULL || v->type != DDB_JSON_OBJECT || v->n != 1)
        return ddb_arena_sprintf(a, "attribute \"%s\": a value is not an AttributeValue", attr);
    tag = v->u.members[0].key;
    x = v->u.members[0].val;
    if ((strcmp(tag, "S") == 0 || strcmp(tag, "N") == 0 || strcmp(tag, "B") == 0) && x->type == DDB_JSON_STRING) {
        if ((e = scalar(an, r, a, attr, tag[0], x->u.s, x->n, &s)) != NULL)
            return e;
        *out = tagged(a, tag, str_node(a, DDB_JSON_STRING, s));
    } else if ((strcmp(tag, "SS") == 0 || strcmp(tag, "NS") == 0 || strcmp(tag, "BS") == 0) &&
               x->type == DDB_JSON_ARRAY) {
        if ((e = set(an, r, a, attr, tag[0], x, &made)) != NULL)
            return e;
        *out = tagged(a, tag, made);
    } else if ((strcmp(tag, "L") == 0 && x->type == DDB_JSON_ARRAY) ||
               (strcmp(tag, "M") == 0 && x->type == DDB_JSON_OBJECT)) {
        if ((e = container(an, r, a, attr, x, &made)) != NULL)
            return e;
        *out = tagged(a, tag, made);
    } else if (strcmp(tag, "BOOL") == 0 || strcmp(tag, "NULL") == 0) {
        *out = v; /* a flag says little: hash and fake keep it, */
        if (r->action == DDB_ANON_REDACT) { /* but redact says nothing at all: {"NULL": true} */
            made = DDB_NEW(a, ddb_json);
            made->type = DDB_JSON_BOOL;
            made->u.b = 1;
            *out = tagged(a, "NULL", made);
        }
    } else {
        return ddb_arena_sprintf(a, "attribute \"%s\": a value is not an AttributeValue", attr);
    }
    return NULL;
}

const char *ddb_anon_value(const ddb_anon *an, const ddb_anon_rule *r, ddb_arena *a, const char *attr,
                           const ddb_json *v, const ddb_json **out)
{
    *out = r->action == DDB_ANON_DROP ? NULL : v;
    return r->action == DDB_ANON_DROP || r->action == DDB_ANON_KEEP ? NULL : value(an, r, a, attr, v, out);
}

const char *ddb_anon_ion_incremental(ddb_arena *a, ddb_buf *scratch, const char *line, size_t len,
                                     const ddb_json **doc)
{
    const char *p = line, *end = line + len, *e;
    const ddb_json *rec = NULL, *item, *keys, *image;
    ddb_buf wrapped = {0};
    ddb_json *out;
    ddb_jw w;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p >= 8 && memcmp(p, "$ion_1_0", 8) == 0)
        p += 8;
    /* {Item: <the record's struct>}: its members, Keys and NewImage among them, read as maps */
    ddb_buf_append(&wrapped, "{Item:", 6);
    ddb_buf_append(&wrapped, p, (size_t)(end - p));
    ddb_buf_append(&wrapped, "}", 1);
    scratch->len = 0;
    ddb_jw_init(&w, scratch);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "Item");
    e = ddb_ion_read_item(wrapped.data, wrapped.len, &w);
    ddb_buf_free(&wrapped);
    if (e != NULL)
        return ddb_arena_sprintf(a, "Invalid Ion: %s", e);
    ddb_jw_obj_end(&w);
    ddb_xfer_parse_record(a, scratch->data, scratch->len, &rec);
    item = ddb_json_get(rec, "Item");
    keys = ddb_json_get(ddb_json_get(item, "Keys"), "M");
    image = ddb_json_get(ddb_json_get(item, "NewImage"), "M");
    if (keys == NULL)
        return DDB_XFER_NO_ITEM;
    out = DDB_NEW(a, ddb_json);
    out->type = DDB_JSON_OBJECT;
    out->u.members = DDB_NEW_ARRAY(a, ddb_json_member, 2);
    out->u.members[out->n++] = (ddb_json_member){"Keys", 4, (ddb_json *)keys};
    if (image != NULL)
        out->u.members[out->n++] = (ddb_json_member){"NewImage", 8, (ddb_json *)image};
    *doc = out;
    return NULL;
}

const ddb_json *ddb_anon_item_of(const ddb_json *doc)
{
    const ddb_json *item = ddb_json_get(doc, "Item");

    if (item == NULL)
        item = ddb_json_get(doc, "NewImage");
    return item != NULL && item->type == DDB_JSON_OBJECT ? item : NULL;
}

const char *ddb_anon_apply(const ddb_anon *an, ddb_arena *a, const ddb_json *doc, const ddb_json **out)
{
    const ddb_json *item = ddb_anon_item_of(doc);
    ddb_json *copy, *wrap;
    const char *e;

    if (item == NULL)
        return ddb_json_get(doc, "Keys") != NULL ? DDB_ANON_SKIPPED : DDB_XFER_NO_ITEM;
    copy = DDB_NEW(a, ddb_json);
    copy->type = DDB_JSON_OBJECT;
    copy->u.members = DDB_NEW_ARRAY(a, ddb_json_member, item->n ? item->n : 1);
    for (uint32_t i = 0; i < item->n; i++) {
        const ddb_json_member *m = &item->u.members[i];
        const ddb_anon_rule *r = ddb_anon_rule_of(an, m->key);
        ddb_json_member *to = &copy->u.members[copy->n];
        if (r == NULL)
            return ddb_arena_sprintf(a, "attribute \"%s\" has no rule and the rules are strict", m->key);
        if (r->action == DDB_ANON_DROP)
            continue;
        *to = *m;
        if (r->action != DDB_ANON_KEEP && (e = value(an, r, a, m->key, m->val, (const ddb_json **)&to->val)) != NULL)
            return e;
        copy->n++;
    }
    wrap = tagged(a, "Item", copy);
    *out = wrap;
    return NULL;
}
