/*
 * server/api/record/record_redact.c: a recording's redaction rules (record_redact.h; docs/record-replay.md,
 * "Redaction"), the same rules and results as the SDK-side recorders' (integrations/record/):
 *
 *   {"key": "a secret", "attributes": {"email": "hash", "ssn": "redact", "notes": "drop", "*": "keep"}}
 *
 * A rule names an attribute (top-level: its whole value, nested ones included) or "*", any other.
 * It applies wherever items are: the members named in ITEM_MEMBERS (Item, Key, Items, ...), the
 * legacy members by the attribute each entry names (LEGACY_MEMBERS), and ExpressionAttributeValues,
 * whose placeholders take the rule of the attributes the expressions compare them with
 * (placeholder_rule; ":name" alone: attribute name's). A hash rule needs a key of real strength
 * (key_strong: without one, a value is found again by hashing guesses). PartiQL's positional
 * Parameters take the "*" rule alone (they have no name). hash: HMAC-SHA256 with "key" of
 * "<type>:<value as sent>", an S its first 32 hex digits, an N the first 7 bytes as a decimal
 * number, a B the first 16 bytes (base64), so that equal values stay equal (keys still join, a
 * replay of a redacted recording is answered as it was); redact: S "REDACTED", N "0", B the bytes
 * of "REDACTED", a set one such element; drop: the attribute is left out. BOOL and NULL stay.
 */
#include "server/api/record/record_redact.h"

#include "proto/secret_key.h"
#include "server/base/alloc.h"

#include <ctype.h>
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

#define WEAK_KEY_MSG                                                                                          \
    "redaction rules: \"hash\" needs a \"key\" of 16 bytes or more, of 6 different characters or more, not "   \
    "blank and not an example of the docs (without one, a value is found again by hashing guesses; make one: " \
    "openssl rand -hex 32)"

/* The members whose value is an item, or an array of items. */
static const char *const ITEM_MEMBERS[] = {"Item", "Key", "Keys", "Items", "Attributes", "ExclusiveStartKey",
                                           "LastEvaluatedKey", "ItemCollectionKey", "NewImage", "OldImage"};

/* The legacy members: attribute name -> a condition or an update whose "Value" and
   "AttributeValueList" hold that attribute's values. */
static const char *const LEGACY_MEMBERS[] = {"AttributeUpdates", "Expected", "ScanFilter", "QueryFilter", "KeyConditions"};

/* The expressions that name attributes beside ExpressionAttributeValues' placeholders. */
static const char *const EXPRESSIONS[] = {"ConditionExpression", "KeyConditionExpression", "FilterExpression",
                                          "UpdateExpression"};

void ddb_record_rules_free(ddb_record_rules *rules)
{
    if (rules == NULL)
        return;
    ddb_free_strings(rules->names, rules->n);
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

/* Whether a hash key has real strength (proto/secret_key.h: the import's rule, the SDK recorders'). */
static int key_strong(const ddb_json *key)
{
    return key != NULL && key->type == DDB_JSON_STRING && ddb_secret_key_weakness(key->u.s, key->n) == NULL;
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
        if (act == R_HASH && (key == NULL || !key_strong(key))) {
            snprintf(err, errlen, WEAK_KEY_MSG);
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

/* The rule of attribute s[0..n). */
static rule_action rule_of_n(const ddb_record_rules *rules, const char *s, size_t n)
{
    for (size_t i = 0; i < rules->n; i++)
        if (strlen(rules->names[i]) == n && memcmp(rules->names[i], s, n) == 0)
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
    crypto_auth_hmacsha256_init(&st, rules->key, rules->klen); /* (a hash rule has its key: rules_of) */
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

/*
 * A placeholder's rule: that of the attributes an expression of its request compares it with,
 * wherever it uses it (":u" in "uid = :u" takes uid's), the strictest when they are several (keep,
 * hash, redact, drop, in that order); its own name's (":uid" uid's) when no expression names an
 * attribute beside it. An expression is read as tokens, enough to cut it into its comparisons: a
 * comparison, a function's call, BETWEEN's two bounds and IN's list are one each; AND, OR, NOT,
 * SET, REMOVE, ADD, DELETE, a grouping parenthesis and a comma outside a call separate them. The
 * SDK recorders read expressions the same way (integrations/record/).
 */
typedef struct scan {
    const ddb_record_rules *rules;
    const ddb_json *names; /* ExpressionAttributeNames */
    const char *p;         /* the placeholder */
    int has_p, most, best, between;
} scan;

/* The end of one comparison. */
static void cut(scan *sc)
{
    if (sc->has_p && sc->most > sc->best)
        sc->best = sc->most;
    sc->has_p = sc->between = 0;
    sc->most = -1;
}

/* Attribute s[0..n) named in the comparison (a #name: the name it stands for). */
static void attribute(scan *sc, const char *s, size_t n)
{
    const ddb_json *real;
    char name[256];
    int act;

    if (s[0] == '#' && n < sizeof(name) && sc->names != NULL && sc->names->type == DDB_JSON_OBJECT) {
        memcpy(name, s, n);
        name[n] = '\0';
        if ((real = ddb_json_get(sc->names, name)) != NULL && real->type == DDB_JSON_STRING)
            s = real->u.s, n = real->n;
    }
    act = (int)rule_of_n(sc->rules, s, n);
    if (act > sc->most)
        sc->most = act;
}

static int word_char(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

static int keyword(const char *s, size_t n, const char *kw)
{
    return strlen(kw) == n && strncasecmp(s, kw, n) == 0;
}

/* A word (a name, a keyword, a function's name) at x[i..j). prev: the previous token's kind. */
static char word(scan *sc, const char *x, size_t i, size_t j, size_t n, char prev)
{
    size_t k = j;

    while (k < n && isspace((unsigned char)x[k]))
        k++;
    if (keyword(x + i, j - i, "AND")) {
        if (sc->between)
            sc->between = 0;
        else
            cut(sc);
    } else if (keyword(x + i, j - i, "OR") || keyword(x + i, j - i, "NOT") || keyword(x + i, j - i, "SET") ||
               keyword(x + i, j - i, "REMOVE") || keyword(x + i, j - i, "ADD") || keyword(x + i, j - i, "DELETE")) {
        cut(sc);
    } else if (keyword(x + i, j - i, "BETWEEN")) {
        sc->between = 1;
    } else if (keyword(x + i, j - i, "IN")) {
        return 'i';
    } else if (k < n && x[k] == '(') {
        return 'f';
    } else if (prev != '.' && !isdigit((unsigned char)x[i])) { /* (a.b: b is a's, not an attribute) */
        attribute(sc, x + i, j - i);
    }
    return 'n';
}

static void scan_expression(scan *sc, const char *x, size_t n)
{
    char calls[64]; /* per open parenthesis: 'c' a call's or IN's list, 'g' a group */
    int depth = 0;
    char prev = 0;

    for (size_t i = 0, j; i < n; i = j) {
        j = i + 1;
        if (x[i] == ':' || x[i] == '#' || word_char(x[i])) {
            while (j < n && word_char(x[j]))
                j++;
            if (x[i] == ':')
                sc->has_p |= strlen(sc->p) == j - i && memcmp(sc->p, x + i, j - i) == 0, prev = 'v';
            else if (x[i] == '#')
                prev = prev != '.' ? (attribute(sc, x + i, j - i), 'n') : 'n';
            else
                prev = word(sc, x, i, j, n, prev);
        } else if (x[i] == '(') {
            char kind = prev == 'f' || prev == 'i' ? 'c' : 'g';
            if (depth < (int)sizeof(calls))
                calls[depth] = kind;
            depth++;
            if (kind == 'g')
                cut(sc);
            prev = '(';
        } else if (x[i] == ')') {
            if (depth == 0 || --depth >= (int)sizeof(calls) || calls[depth] == 'g')
                cut(sc);
            prev = ')';
        } else if (x[i] == ',') {
            if (depth == 0 || depth > (int)sizeof(calls) || calls[depth - 1] == 'g')
                cut(sc);
            prev = ',';
        } else if (!isspace((unsigned char)x[i])) {
            prev = x[i] == '.' ? '.' : 'o';
        }
    }
    cut(sc);
}

static rule_action placeholder_rule(const ddb_record_rules *rules, const ddb_json *req, const char *p)
{
    scan sc = {rules, ddb_json_get(req, "ExpressionAttributeNames"), p, 0, -1, -1, 0};
    const ddb_json *x;

    for (size_t i = 0; i < sizeof(EXPRESSIONS) / sizeof(EXPRESSIONS[0]); i++)
        if ((x = ddb_json_get(req, EXPRESSIONS[i])) != NULL && x->type == DDB_JSON_STRING)
            scan_expression(&sc, x->u.s, x->n);
    return sc.best >= 0 ? (rule_action)sc.best : rule_of(rules, p);
}

/* An item (name -> AttributeValue): each attribute by its rule; a placeholder ("ExpressionAttributeValues"
   of `req`, non-NULL) by the rule of the attributes its request's expressions compare it with. */
static void redact_item(const ddb_record_rules *rules, ddb_arena *a, ddb_json *item, const ddb_json *req)
{
    uint32_t kept = 0;

    if (item == NULL || item->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t i = 0; i < item->n; i++) {
        rule_action act = req != NULL ? placeholder_rule(rules, req, item->u.members[i].key)
                                      : rule_of(rules, item->u.members[i].key);
        if (act == R_DROP)
            continue;
        if (act != R_KEEP)
            rewrite_value(rules, a, item->u.members[i].val, act);
        item->u.members[kept++] = item->u.members[i];
    }
    item->n = kept;
}

static int member_of(const char *key, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(key, set[i]) == 0)
            return 1;
    return 0;
}

#define MEMBER_OF(key, set) member_of(key, set, sizeof(set) / sizeof(set[0]))

static void items(const ddb_record_rules *rules, ddb_arena *a, ddb_json *v)
{
    if (v->type == DDB_JSON_OBJECT)
        redact_item(rules, a, v, NULL);
    else if (v->type == DDB_JSON_ARRAY)
        for (uint32_t i = 0; i < v->n; i++)
            redact_item(rules, a, v->u.items[i], NULL);
}

/* o's member `key` (changed in place), or NULL. */
static ddb_json *member(ddb_json *o, const char *key)
{
    for (uint32_t i = 0; i < o->n; i++)
        if (strcmp(o->u.members[i].key, key) == 0)
            return o->u.members[i].val;
    return NULL;
}

/* A legacy member (attribute name -> {"Value": AV, "AttributeValueList": [AV, ...], ...}): each
   attribute's values by its rule; "drop" leaves the attribute's entry out, as it leaves it out of
   an item. */
static void legacy(const ddb_record_rules *rules, ddb_arena *a, ddb_json *v)
{
    uint32_t kept = 0;

    if (v->type != DDB_JSON_OBJECT)
        return;
    for (uint32_t i = 0; i < v->n; i++) {
        rule_action act = rule_of_n(rules, v->u.members[i].key, strlen(v->u.members[i].key));
        ddb_json *cond = v->u.members[i].val, *list;

        if (act == R_DROP)
            continue;
        if (act != R_KEEP && cond != NULL && cond->type == DDB_JSON_OBJECT) {
            rewrite_value(rules, a, member(cond, "Value"), act);
            if ((list = member(cond, "AttributeValueList")) != NULL && list->type == DDB_JSON_ARRAY)
                for (uint32_t k = 0; k < list->n; k++)
                    rewrite_value(rules, a, list->u.items[k], act);
        }
        v->u.members[kept++] = v->u.members[i];
    }
    v->n = kept;
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

        if (MEMBER_OF(key, ITEM_MEMBERS)) {
            items(rules, a, v);
        } else if (strcmp(key, "ExpressionAttributeValues") == 0) {
            redact_item(rules, a, v, doc);
        } else if (MEMBER_OF(key, LEGACY_MEMBERS)) {
            legacy(rules, a, v);
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
