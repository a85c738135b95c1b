/*
 * server/api/record_redact.c: a recording's redaction rules (record_redact.h; docs/record-replay.md,
 * "Redaction"), the same rules and results as the SDK-side recorders' (integrations/record/):
 *
 *   {"key": "a secret", "attributes": {"email": "hash", "ssn": "redact", "notes": "drop", "*": "keep"}}
 *
 * A rule names an attribute (top-level: its whole value, nested ones included) or "*", any other.
 * It applies wherever items are: the members named in ITEM_MEMBERS (Item, Key, Items, ...), and
 * ExpressionAttributeValues, whose ":name" takes the rule of attribute "name". PartiQL's positional
 * Parameters take the "*" rule alone (they have no name). hash: HMAC-SHA256 with "key" of
 * "<type>:<value as sent>", an S its first 32 hex digits, an N the first 7 bytes as a decimal
 * number, a B the first 16 bytes (base64), so that equal values stay equal (keys still join, a
 * replay of a redacted recording is answered as it was); redact: S "REDACTED", N "0", B the bytes
 * of "REDACTED", a set one such element; drop: the attribute is left out. BOOL and NULL stay.
 */
#include "server/api/record_redact.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum { R_KEEP, R_HASH, R_REDACT, R_DROP } rule_action;

static const char *const ACTIONS[] = {"keep", "hash", "redact", "drop"};

struct ddb_record_rules {
    char *text; /* the rules as given (a copy re-reads them) */
    unsigned char *key;
    size_t klen;
    size_t n;
    char **names;
    rule_action *acts;
    rule_action any; /* "*" */
};

/* The members whose value is an item, or an array of items. */
static const char *const ITEM_MEMBERS[] = {"Item", "Key", "Keys", "Items", "Attributes", "ExclusiveStartKey",
                                           "LastEvaluatedKey", "ItemCollectionKey", "NewImage", "OldImage",
                                           "ExpressionAttributeValues"};

void ddb_record_rules_free(ddb_record_rules *rules)
{
    if (rules == NULL)
        return;
    for (size_t i = 0; i < rules->n; i++)
        free(rules->names[i]);
    free(rules->names);
    free(rules->acts);
    if (rules->key != NULL)
        sodium_memzero(rules->key, rules->klen);
    free(rules->key);
    free(rules->text);
    free(rules);
}

static int action_of(const ddb_json *v)
{
    for (int i = 0; v != NULL && v->type == DDB_JSON_STRING && i < 4; i++)
        if (strcmp(v->u.s, ACTIONS[i]) == 0)
            return i;
    return -1;
}

ddb_record_rules *ddb_record_rules_of(const ddb_json *v, char *err, size_t errlen)
{
    const ddb_json *key = v != NULL && v->type == DDB_JSON_OBJECT ? ddb_json_get(v, "key") : NULL;
    const ddb_json *attrs = v != NULL && v->type == DDB_JSON_OBJECT ? ddb_json_get(v, "attributes") : NULL;
    ddb_record_rules *rules;

    if (v == NULL || v->type != DDB_JSON_OBJECT || attrs == NULL || attrs->type != DDB_JSON_OBJECT) {
        snprintf(err, errlen, "redaction rules are an object with \"attributes\": {\"NAME\": \"hash\"|\"redact\"|\"drop\"|\"keep\", ...}");
        return NULL;
    }
    for (uint32_t i = 0; i < v->n; i++)
        if (strcmp(v->u.members[i].key, "key") != 0 && strcmp(v->u.members[i].key, "attributes") != 0) {
            snprintf(err, errlen, "redaction rules: unknown member \"%s\" (they take \"key\" and \"attributes\")",
                     v->u.members[i].key);
            return NULL;
        }
    if (key != NULL && key->type != DDB_JSON_STRING) {
        snprintf(err, errlen, "redaction rules: \"key\" is a string");
        return NULL;
    }
    if ((rules = calloc(1, sizeof(*rules))) == NULL || (rules->names = calloc(attrs->n + 1, sizeof(char *))) == NULL ||
        (rules->acts = calloc(attrs->n + 1, sizeof(rule_action))) == NULL)
        abort();
    for (uint32_t i = 0; i < attrs->n; i++) {
        int act = action_of(attrs->u.members[i].val);
        if (act < 0) {
            snprintf(err, errlen, "redaction rules: attribute \"%s\": the action is \"hash\", \"redact\", \"drop\" or \"keep\"",
                     attrs->u.members[i].key);
            ddb_record_rules_free(rules);
            return NULL;
        }
        if (strcmp(attrs->u.members[i].key, "*") == 0) {
            rules->any = (rule_action)act;
            continue;
        }
        if ((rules->names[rules->n] = strdup(attrs->u.members[i].key)) == NULL)
            abort();
        rules->acts[rules->n++] = (rule_action)act;
    }
    if (key != NULL && key->n > 0) {
        if ((rules->key = malloc(key->n)) == NULL)
            abort();
        memcpy(rules->key, key->u.s, key->n);
        rules->klen = key->n;
    }
    return rules;
}

ddb_record_rules *ddb_record_rules_parse(const char *text, size_t len, char *err, size_t errlen)
{
    ddb_arena a;
    ddb_record_rules *rules;
    ddb_json *v;

    ddb_arena_init(&a);
    v = ddb_json_parse(&a, text, len);
    if (v == NULL) {
        snprintf(err, errlen, "redaction rules: not JSON");
        rules = NULL;
    } else {
        rules = ddb_record_rules_of(v, err, errlen);
    }
    if (rules != NULL && (rules->text = strndup(text, len)) == NULL)
        abort();
    ddb_arena_free(&a);
    return rules;
}

ddb_record_rules *ddb_record_rules_copy(const ddb_record_rules *rules)
{
    char err[256];

    return rules != NULL && rules->text != NULL ? ddb_record_rules_parse(rules->text, strlen(rules->text), err, sizeof(err))
                                                : NULL;
}

/* The rule of attribute `name` (an ExpressionAttributeValues placeholder ":name": name's). */
static rule_action rule_of(const ddb_record_rules *rules, const char *name)
{
    if (name != NULL && name[0] == ':')
        name++;
    for (size_t i = 0; name != NULL && i < rules->n; i++)
        if (strcmp(rules->names[i], name) == 0)
            return rules->acts[i];
    return rules->any;
}

/* A scalar's replacement: type is 'S', 'N' or 'B'. */
static const char *scalar(const ddb_record_rules *rules, ddb_arena *a, char type, const char *s, size_t n,
                          rule_action act, uint32_t *len)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    char prefix[2] = {type, ':'}, *out;

    if (act == R_REDACT) {
        out = type == 'S' ? "REDACTED" : type == 'N' ? "0" : "UkVEQUNURUQ=";
        *len = (uint32_t)strlen(out);
        return out;
    }
    crypto_auth_hmacsha256_init(&st, rules->key != NULL ? rules->key : (const unsigned char *)"", rules->klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)prefix, 2);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)s, n);
    crypto_auth_hmacsha256_final(&st, mac);
    if (type == 'S') {
        out = ddb_arena_alloc(a, 33);
        sodium_bin2hex(out, 33, mac, 16);
    } else if (type == 'N') {
        unsigned long long v = 0;
        for (int i = 0; i < 7; i++)
            v = v << 8 | mac[i];
        out = ddb_arena_sprintf(a, "%llu", v);
    } else {
        out = ddb_arena_alloc(a, sodium_base64_encoded_len(16, sodium_base64_VARIANT_ORIGINAL));
        sodium_bin2base64(out, sodium_base64_encoded_len(16, sodium_base64_VARIANT_ORIGINAL), mac, 16,
                          sodium_base64_VARIANT_ORIGINAL);
    }
    *len = (uint32_t)strlen(out);
    return out;
}

static void rewrite_string(const ddb_record_rules *rules, ddb_arena *a, ddb_json *v, char type, rule_action act)
{
    if (v->type == DDB_JSON_STRING)
        v->u.s = scalar(rules, a, type, v->u.s, v->n, act, &v->n);
}

/* One AttributeValue rewritten by `act` (hash or redact). */
static void rewrite_value(const ddb_record_rules *rules, ddb_arena *a, ddb_json *av, rule_action act)
{
    const char *tag;
    ddb_json *v;

    if (av == NULL || av->type != DDB_JSON_OBJECT || av->n != 1)
        return;
    tag = av->u.members[0].key;
    v = av->u.members[0].val;
    if (strcmp(tag, "S") == 0 || strcmp(tag, "N") == 0 || strcmp(tag, "B") == 0) {
        rewrite_string(rules, a, v, tag[0], act);
    } else if ((strcmp(tag, "SS") == 0 || strcmp(tag, "NS") == 0 || strcmp(tag, "BS") == 0) && v->type == DDB_JSON_ARRAY) {
        if (act == R_REDACT && v->n > 1)
            v->n = 1; /* a set of one: its elements would all be the same */
        for (uint32_t i = 0; i < v->n; i++)
            rewrite_string(rules, a, v->u.items[i], tag[0], act);
    } else if (strcmp(tag, "L") == 0 && v->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < v->n; i++)
            rewrite_value(rules, a, v->u.items[i], act);
    } else if (strcmp(tag, "M") == 0 && v->type == DDB_JSON_OBJECT) {
        for (uint32_t i = 0; i < v->n; i++)
            rewrite_value(rules, a, v->u.members[i].val, act);
    }
}

/* An item (name -> AttributeValue): each attribute by its rule. */
static void redact_item(const ddb_record_rules *rules, ddb_arena *a, ddb_json *item)
{
    uint32_t kept = 0;

    if (item == NULL || item->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t i = 0; i < item->n; i++) {
        rule_action act = rule_of(rules, item->u.members[i].key);
        if (act == R_DROP)
            continue;
        if (act != R_KEEP)
            rewrite_value(rules, a, item->u.members[i].val, act);
        item->u.members[kept++] = item->u.members[i];
    }
    item->n = kept;
}

static int item_member(const char *key)
{
    for (size_t i = 0; i < sizeof(ITEM_MEMBERS) / sizeof(ITEM_MEMBERS[0]); i++)
        if (strcmp(key, ITEM_MEMBERS[i]) == 0)
            return 1;
    return 0;
}

static void items(const ddb_record_rules *rules, ddb_arena *a, ddb_json *v)
{
    if (v->type == DDB_JSON_OBJECT)
        redact_item(rules, a, v);
    else if (v->type == DDB_JSON_ARRAY)
        for (uint32_t i = 0; i < v->n; i++)
            redact_item(rules, a, v->u.items[i]);
}

void ddb_record_redact(const ddb_record_rules *rules, ddb_arena *a, ddb_json *doc)
{
    if (doc == NULL)
        return;
    if (doc->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < doc->n; i++)
            ddb_record_redact(rules, a, doc->u.items[i]);
        return;
    }
    if (doc->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t i = 0; i < doc->n; i++) {
        const char *key = doc->u.members[i].key;
        ddb_json *v = doc->u.members[i].val;

        if (item_member(key)) {
            items(rules, a, v);
        } else if (strcmp(key, "Responses") == 0 && v->type == DDB_JSON_OBJECT) { /* BatchGetItem: table -> items */
            for (uint32_t t = 0; t < v->n; t++)
                items(rules, a, v->u.members[t].val);
        } else if (strcmp(key, "Parameters") == 0 && v->type == DDB_JSON_ARRAY) { /* PartiQL's: no names */
            for (uint32_t p = 0; rules->any == R_HASH || rules->any == R_REDACT ? p < v->n : 0; p++)
                rewrite_value(rules, a, v->u.items[p], rules->any);
        } else {
            ddb_record_redact(rules, a, v);
        }
    }
}
