/*
 * server/seed/readers/seed_cfn_foreach.c: Fn::ForEach (the AWS::LanguageExtensions transform) in a template's
 * Resources, expanded as CloudFormation expands it before anything else is read (see
 * seed_cfn_eval.h): `Fn::ForEach::LoopName: [Identifier, Collection, {OutputKey: OutputValue}]`
 * makes, for each value of the collection (a list, or what evaluates to one: a Ref to a
 * CommaDelimitedList), the fragment with every ${Identifier} and &{Identifier} (the value without
 * its non-alphanumeric characters) in its keys and strings replaced by the value, and a
 * {Ref: Identifier} by the value itself. A fragment may hold loops of its own.
 *
 * Bounded as the rest of the evaluation (issue 61): the expanded section holds at most
 * CloudFormation's 500 resources (its quotas are of the resultant template), loops nest at most
 * CFN_MAX_FOREACH_NESTING deep, and every node built is charged to the template's CFN_MAX_WORK.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "server/seed/readers/seed_cfn_eval.h"

#define FOREACH_PREFIX "Fn::ForEach::"

typedef struct expansion {
    cfn_ctx *c;
    ddb_json_member *out;
    uint32_t n, cap;
} expansion;

/* s with ${id} as value and &{id} as value's letters and digits; NULL when over the work bound. */
static const char *replace(cfn_ctx *c, const char *s, const char *id, const char *value)
{
    size_t idlen = strlen(id);
    ddb_buf b = {0};
    const char *r;

    if (strstr(s, id) == NULL) /* (the usual case: nothing to build) */
        return s;
    ddb_buf_puts(&b, "");
    while (*s != '\0') {
        if ((s[0] == '$' || s[0] == '&') && s[1] == '{' && strncmp(s + 2, id, idlen) == 0 && s[2 + idlen] == '}') {
            for (const char *v = value; *v != '\0'; v++) {
                if (s[0] == '$' || isalnum((unsigned char)*v))
                    ddb_buf_putc(&b, *v);
            }
            s += idlen + 3;
        } else {
            ddb_buf_putc(&b, *s++);
        }
        if (b.len > CFN_MAX_STRING) {
            ddb_buf_free(&b);
            cfn_charge(c, CFN_MAX_WORK + 1);
            return NULL;
        }
    }
    r = cfn_charge(c, b.len + 1) ? ddb_arena_strndup(c->a, b.data, b.len) : NULL;
    ddb_buf_free(&b);
    return r;
}

static ddb_json *string(cfn_ctx *c, const char *s)
{
    ddb_json *v = DDB_NEW(c->a, ddb_json);

    v->type = DDB_JSON_STRING;
    v->u.s = s;
    v->n = (uint32_t)strlen(s);
    return v;
}

/* v with the identifier replaced (see above); NULL with c->err set. */
static const ddb_json *fill(cfn_ctx *c, const ddb_json *v, const char *id, const char *value)
{
    ddb_json *out;

    if (!cfn_charge(c, sizeof(ddb_json)))
        return NULL;
    if (v->type == DDB_JSON_STRING) {
        const char *s = replace(c, v->u.s, id, value);
        return s == NULL ? NULL : s == v->u.s ? v : string(c, s);
    }
    if (v->type != DDB_JSON_OBJECT && v->type != DDB_JSON_ARRAY)
        return v;
    if (v->type == DDB_JSON_OBJECT && v->n == 1 && strcmp(v->u.members[0].key, "Ref") == 0 &&
        cfn_str(v->u.members[0].val) != NULL && strcmp(cfn_str(v->u.members[0].val), id) == 0)
        return string(c, value);
    if (!cfn_charge(c, v->n * sizeof(ddb_json_member)))
        return NULL;
    out = DDB_NEW(c->a, ddb_json);
    *out = *v;
    if (v->type == DDB_JSON_ARRAY)
        out->u.items = v->n ? ddb_arena_alloc(c->a, v->n * sizeof(ddb_json *)) : NULL;
    else
        out->u.members = v->n ? ddb_arena_alloc(c->a, v->n * sizeof(ddb_json_member)) : NULL;
    for (uint32_t i = 0; i < v->n; i++) {
        const ddb_json *e = fill(c, v->type == DDB_JSON_ARRAY ? v->u.items[i] : v->u.members[i].val, id, value);
        if (e == NULL)
            return NULL;
        if (v->type == DDB_JSON_ARRAY) {
            out->u.items[i] = (ddb_json *)e;
        } else {
            const char *k = replace(c, v->u.members[i].key, id, value);
            if (k == NULL)
                return NULL;
            out->u.members[i] = (ddb_json_member){k, (uint32_t)strlen(k), (ddb_json *)e};
        }
    }
    return out;
}

static int add(expansion *x, const char *key, const ddb_json *val)
{
    cfn_ctx *c = x->c;

    for (uint32_t i = 0; i < x->n; i++) { /* (at most 500) */
        if (strcmp(x->out[i].key, key) == 0) {
            snprintf(c->err, sizeof(c->err), "Fn::ForEach: resource %s is declared twice", key);
            return 0;
        }
    }
    if (x->n == CFN_MAX_RESOURCES) {
        snprintf(c->err, sizeof(c->err), "Fn::ForEach: more than the %d resources a CloudFormation template may "
                 "declare", CFN_MAX_RESOURCES);
        return 0;
    }
    if (x->n == x->cap) {
        ddb_json_member *grown = ddb_arena_alloc(c->a, (x->cap = x->cap ? 2 * x->cap : 16) * sizeof(*grown));
        if (x->n > 0)
            memcpy(grown, x->out, x->n * sizeof(*grown));
        x->out = grown;
    }
    x->out[x->n++] = (ddb_json_member){key, (uint32_t)strlen(key), (ddb_json *)val};
    return 1;
}

static int section(expansion *x, const ddb_json *s, int depth);

/* One loop: its fragment for each value of its collection. */
static int loop(expansion *x, const char *name, const ddb_json *spec, int depth)
{
    cfn_ctx *c = x->c;
    const char *id = spec->type == DDB_JSON_ARRAY && spec->n == 3 ? cfn_str(spec->u.items[0]) : NULL;
    const ddb_json *fragment = id != NULL ? spec->u.items[2] : NULL, *list;

    if (id == NULL || id[0] == '\0' || fragment->type != DDB_JSON_OBJECT) {
        snprintf(c->err, sizeof(c->err), "%s: expected [Identifier, Collection, {OutputKey: OutputValue}]", name);
        return 0;
    }
    if (depth > CFN_MAX_FOREACH_NESTING) {
        snprintf(c->err, sizeof(c->err), "%s: Fn::ForEach loops nest more than %d deep", name,
                 CFN_MAX_FOREACH_NESTING);
        return 0;
    }
    if ((list = cfn_eval(c, spec->u.items[1])) == NULL)
        return 0;
    if (list->type != DDB_JSON_ARRAY) {
        snprintf(c->err, sizeof(c->err), "%s: its Collection is not a list", name);
        return 0;
    }
    for (uint32_t i = 0; i < list->n; i++) {
        const char *value = cfn_str(list->u.items[i]);
        const ddb_json *made;
        if (value == NULL) {
            snprintf(c->err, sizeof(c->err), "%s: its Collection holds a value that is not a string", name);
            return 0;
        }
        if ((made = fill(c, fragment, id, value)) == NULL || !section(x, made, depth + 1))
            return 0;
    }
    return 1;
}

static int section(expansion *x, const ddb_json *s, int depth)
{
    for (uint32_t i = 0; i < s->n; i++) {
        const char *k = s->u.members[i].key;
        if (strncmp(k, FOREACH_PREFIX, strlen(FOREACH_PREFIX)) == 0 ? !loop(x, k, s->u.members[i].val, depth)
                                                                      : !add(x, k, s->u.members[i].val))
            return 0;
    }
    return 1;
}

int cfn_has_foreach(const ddb_json *resources)
{
    for (uint32_t i = 0; resources != NULL && resources->type == DDB_JSON_OBJECT && i < resources->n; i++) {
        if (strncmp(resources->u.members[i].key, FOREACH_PREFIX, strlen(FOREACH_PREFIX)) == 0)
            return 1;
    }
    return 0;
}

const ddb_json *cfn_foreach(cfn_ctx *c, const ddb_json *resources)
{
    expansion x = {c, NULL, 0, 0};
    ddb_json *out;

    if (!section(&x, resources, 1)) {
        if (c->err[0] == '\0')
            snprintf(c->err, sizeof(c->err), "%s", "Fn::ForEach: the expansion failed");
        return NULL;
    }
    out = DDB_NEW(c->a, ddb_json);
    out->type = DDB_JSON_OBJECT;
    out->n = x.n;
    out->u.members = x.out;
    return out;
}
