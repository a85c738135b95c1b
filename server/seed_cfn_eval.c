/*
 * server/seed_cfn_eval.c: CloudFormation's intrinsic functions, resolved as a deployment in the
 * seed's region would resolve them (see seed_cfn_eval.h).
 */
#include "server/seed_cfn_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conditions may name conditions, and table names Ref parameters: deeper than this is a circle. */
#define MAX_DEPTH 64
#define ACCOUNT "000000000000"
#define DEFAULT_REGION "us-east-1"

const ddb_json cfn_novalue = {DDB_JSON_NULL, 0, {0}};

__attribute__((format(printf, 2, 3))) static const ddb_json *fail(cfn_ctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->err[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(c->err, sizeof(c->err), fmt, ap);
        va_end(ap);
    }
    return NULL;
}

const char *cfn_str(const ddb_json *v)
{
    if (v == NULL || v == &cfn_novalue)
        return NULL;
    if (v->type == DDB_JSON_STRING || v->type == DDB_JSON_NUMBER)
        return v->u.s;
    if (v->type == DDB_JSON_BOOL)
        return v->u.b ? "true" : "false";
    return NULL;
}

static ddb_json *str_node(cfn_ctx *c, const char *s, size_t n)
{
    ddb_json *v = DDB_NEW(c->a, ddb_json);

    v->type = DDB_JSON_STRING;
    v->u.s = ddb_arena_strndup(c->a, s, n);
    v->n = (uint32_t)n;
    return v;
}

static ddb_json *list_node(cfn_ctx *c, size_t n)
{
    ddb_json *v = DDB_NEW(c->a, ddb_json);

    v->type = DDB_JSON_ARRAY;
    v->n = (uint32_t)n;
    v->u.items = n ? ddb_arena_calloc(c->a, n * sizeof(ddb_json *)) : NULL;
    return v;
}

/* "a,b,c" split at `sep` into a list of strings. */
static ddb_json *split(cfn_ctx *c, const char *s, const char *sep)
{
    size_t n = 1, slen = strlen(sep);
    ddb_json *list;

    for (const char *p = s; slen > 0 && (p = strstr(p, sep)) != NULL; p += slen)
        n++;
    list = list_node(c, n);
    for (size_t i = 0; i < n; i++) {
        const char *end = slen > 0 ? strstr(s, sep) : NULL;
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        list->u.items[i] = str_node(c, s, len);
        s += len + slen;
    }
    return list;
}

static cfn_param *given(cfn_ctx *c, const char *name)
{
    for (unsigned i = 0; i < c->ngiven; i++) {
        if (strcmp(c->given[i].name, name) == 0)
            return &c->given[i];
    }
    return NULL;
}

static const ddb_json *pseudo(cfn_ctx *c, const char *name)
{
    cfn_param *p = given(c, name);
    const char *region = cfn_region(c);

    if (p != NULL) { /* --seed-param AWS::Region=eu-west-1 (or another) */
        p->used = 1;
        return str_node(c, p->value, strlen(p->value));
    }
    if (strcmp(name, "AWS::NoValue") == 0)
        return &cfn_novalue;
    if (strcmp(name, "AWS::Region") == 0)
        return str_node(c, region, strlen(region));
    if (strcmp(name, "AWS::AccountId") == 0)
        return str_node(c, ACCOUNT, strlen(ACCOUNT));
    if (strcmp(name, "AWS::Partition") == 0)
        return str_node(c, "aws", 3);
    if (strcmp(name, "AWS::URLSuffix") == 0)
        return str_node(c, "amazonaws.com", 13);
    if (strcmp(name, "AWS::StackName") == 0)
        return str_node(c, c->stack, strlen(c->stack));
    if (strcmp(name, "AWS::StackId") == 0) {
        char *id = ddb_arena_sprintf(c->a, "arn:aws:cloudformation:%s:" ACCOUNT ":stack/%s/00000000-0000-0000-0000-000000000000",
                                     region, c->stack);
        return str_node(c, id, strlen(id));
    }
    if (strcmp(name, "AWS::NotificationARNs") == 0)
        return list_node(c, 0);
    return fail(c, "Ref %s: no such pseudo parameter", name);
}

static int allowed(const ddb_json *values, const char *v)
{
    if (values == NULL || values->type != DDB_JSON_ARRAY)
        return 1;
    for (uint32_t i = 0; i < values->n; i++) {
        const char *s = cfn_str(values->u.items[i]);
        if (s != NULL && strcmp(s, v) == 0)
            return 1;
    }
    return 0;
}

/* A parameter's value: given with --seed-param, or its Default, typed as it declares. */
static const ddb_json *parameter(cfn_ctx *c, const char *name, const ddb_json *decl)
{
    cfn_param *p = given(c, name);
    const char *type = ddb_json_get_str(decl, "Type"), *value;

    if (p != NULL)
        p->used = 1;
    value = p != NULL ? p->value : cfn_str(ddb_json_get(decl, "Default"));
    if (value == NULL && type != NULL && strncmp(type, "AWS::SSM::Parameter::", 21) == 0)
        return fail(c, "parameter %s is read from SSM Parameter Store at deployment: give its value with "
                    "--seed-param %s=VALUE", name, name);
    if (value == NULL)
        return fail(c, "parameter %s has no Default: give its value with --seed-param %s=VALUE", name, name);
    if (!allowed(ddb_json_get(decl, "AllowedValues"), value))
        return fail(c, "parameter %s: '%s' is not one of its AllowedValues", name, value);
    if (type != NULL && (strcmp(type, "CommaDelimitedList") == 0 || strncmp(type, "List<", 5) == 0))
        return split(c, value, ",");
    return str_node(c, value, strlen(value));
}

static const ddb_json *ref(cfn_ctx *c, const char *name)
{
    const ddb_json *decl = ddb_json_get(c->parameters, name);

    if (strncmp(name, "AWS::", 5) == 0)
        return pseudo(c, name);
    if (decl != NULL)
        return parameter(c, name, decl);
    if (ddb_json_get(c->resources, name) != NULL) {
        const char *t = cfn_table_name(c, name);
        return t != NULL ? str_node(c, t, strlen(t)) : NULL;
    }
    return fail(c, "Ref %s: neither a parameter nor a resource of the template", name);
}

static const ddb_json *arg(const ddb_json *list, uint32_t i)
{
    return list != NULL && list->type == DDB_JSON_ARRAY && i < list->n ? list->u.items[i] : NULL;
}

/* ${Name} in Fn::Sub: the variables given beside the string, else a Ref. */
static const char *sub_var(cfn_ctx *c, const char *name, const ddb_json *vars)
{
    const ddb_json *v = ddb_json_get(vars, name);
    const char *s;

    if (v != NULL)
        v = cfn_eval(c, v);
    else if (strchr(name, '.') != NULL)
        return (const char *)fail(c, "Fn::Sub ${%s}: an attribute is known only after a deployment", name);
    else
        v = ref(c, name);
    if (v == NULL)
        return NULL;
    if ((s = cfn_str(v)) == NULL)
        fail(c, "Fn::Sub ${%s}: not a string", name);
    return s;
}

static const ddb_json *sub(cfn_ctx *c, const ddb_json *a)
{
    const ddb_json *vars = a->type == DDB_JSON_ARRAY ? arg(a, 1) : NULL;
    const char *s = a->type == DDB_JSON_ARRAY ? cfn_str(arg(a, 0)) : cfn_str(a);
    ddb_buf out = {0};
    const ddb_json *r = NULL;

    if (s == NULL)
        return fail(c, "%s", "Fn::Sub: expected a string, or [string, {variables}]");
    ddb_buf_puts(&out, "");
    while (*s != '\0') {
        const char *open = strstr(s, "${"), *close, *v;
        if (open == NULL) {
            ddb_buf_puts(&out, s);
            break;
        }
        ddb_buf_append(&out, s, (size_t)(open - s));
        if ((close = strchr(open, '}')) == NULL) {
            ddb_buf_puts(&out, open);
            break;
        }
        if (open[2] == '!') { /* ${!Literal} is the text ${Literal} */
            ddb_buf_puts(&out, "${");
            ddb_buf_append(&out, open + 3, (size_t)(close - open - 2));
        } else if ((v = sub_var(c, ddb_arena_strndup(c->a, open + 2, (size_t)(close - open - 2)), vars)) != NULL) {
            ddb_buf_puts(&out, v);
        } else {
            goto done;
        }
        s = close + 1;
    }
    r = str_node(c, out.data, out.len);
done:
    ddb_buf_free(&out);
    return r;
}

static const ddb_json *join(cfn_ctx *c, const ddb_json *a)
{
    const char *sep = cfn_str(cfn_eval(c, arg(a, 0)));
    const ddb_json *list = cfn_eval(c, arg(a, 1));
    ddb_buf out = {0};
    const ddb_json *r;

    if (sep == NULL || list == NULL || list->type != DDB_JSON_ARRAY)
        return c->err[0] ? NULL : fail(c, "%s", "Fn::Join: expected [delimiter, [values]]");
    ddb_buf_puts(&out, "");
    for (uint32_t i = 0, k = 0; i < list->n; i++) {
        const char *s = cfn_str(list->u.items[i]);
        if (list->u.items[i] == &cfn_novalue)
            continue;
        if (s == NULL) {
            ddb_buf_free(&out);
            return fail(c, "%s", "Fn::Join: a value is not a string");
        }
        if (k++ > 0)
            ddb_buf_puts(&out, sep);
        ddb_buf_puts(&out, s);
    }
    r = str_node(c, out.data, out.len);
    ddb_buf_free(&out);
    return r;
}

static const ddb_json *select_fn(cfn_ctx *c, const ddb_json *a)
{
    const char *idx = cfn_str(cfn_eval(c, arg(a, 0)));
    const ddb_json *list = cfn_eval(c, arg(a, 1));
    char *end;
    long i = idx != NULL ? strtol(idx, &end, 10) : -1;

    if (list == NULL || list->type != DDB_JSON_ARRAY || idx == NULL || *end != '\0')
        return c->err[0] ? NULL : fail(c, "%s", "Fn::Select: expected [index, [values]]");
    if (i < 0 || (unsigned long)i >= list->n)
        return fail(c, "Fn::Select: index %ld is outside the list's %u values", i, list->n);
    return list->u.items[i];
}

static const ddb_json *find_in_map(cfn_ctx *c, const ddb_json *a)
{
    const char *map = cfn_str(cfn_eval(c, arg(a, 0))), *top = cfn_str(cfn_eval(c, arg(a, 1)));
    const char *second = cfn_str(cfn_eval(c, arg(a, 2)));
    const ddb_json *v;

    if (map == NULL || top == NULL || second == NULL)
        return c->err[0] ? NULL : fail(c, "%s", "Fn::FindInMap: expected [map, top-level key, second-level key]");
    if ((v = ddb_json_get(ddb_json_get(ddb_json_get(c->mappings, map), top), second)) != NULL)
        return cfn_eval(c, v);
    if ((v = ddb_json_get(arg(a, 3), "DefaultValue")) != NULL) /* AWS::LanguageExtensions */
        return cfn_eval(c, v);
    return fail(c, "Fn::FindInMap: Mappings has no %s.%s.%s", map, top, second);
}

/* A condition expression: Fn::Equals/And/Or/Not, {"Condition": name}, or a boolean. */
static int cond_expr(cfn_ctx *c, const ddb_json *v)
{
    const char *fn = v != NULL && v->type == DDB_JSON_OBJECT && v->n == 1 ? v->u.members[0].key : NULL;
    const ddb_json *a = fn != NULL ? v->u.members[0].val : NULL;
    int r = -1;

    if (++c->depth > MAX_DEPTH) {
        fail(c, "%s", "Conditions refer to each other in a circle (or nest too deep)");
    } else if (v != NULL && v->type == DDB_JSON_BOOL) {
        r = v->u.b;
    } else if (fn != NULL && strcmp(fn, "Condition") == 0 && cfn_str(a) != NULL) {
        r = cfn_condition(c, cfn_str(a));
    } else if (fn != NULL && strcmp(fn, "Fn::Equals") == 0 && a->type == DDB_JSON_ARRAY && a->n == 2) {
        const char *x = cfn_str(cfn_eval(c, a->u.items[0])), *y = cfn_str(cfn_eval(c, a->u.items[1]));
        r = c->err[0] ? -1 : x != NULL && y != NULL && strcmp(x, y) == 0;
    } else if (fn != NULL && (strcmp(fn, "Fn::And") == 0 || strcmp(fn, "Fn::Or") == 0) && a->type == DDB_JSON_ARRAY) {
        int is_and = strcmp(fn, "Fn::And") == 0;
        r = is_and;
        for (uint32_t i = 0; i < a->n && r == is_and; i++)
            r = cond_expr(c, a->u.items[i]);
    } else if (fn != NULL && strcmp(fn, "Fn::Not") == 0 && arg(a, 0) != NULL) {
        r = cond_expr(c, arg(a, 0));
        r = r < 0 ? r : !r;
    } else {
        fail(c, "%s", "a condition is Fn::Equals, Fn::And, Fn::Or, Fn::Not or {Condition: name}");
    }
    c->depth--;
    return r;
}

int cfn_condition(cfn_ctx *c, const char *name)
{
    const ddb_json *v = ddb_json_get(c->conditions, name);

    if (v == NULL) {
        fail(c, "Condition %s: no such condition in the template's Conditions", name);
        return -1;
    }
    return cond_expr(c, v);
}

static const ddb_json *if_fn(cfn_ctx *c, const ddb_json *a)
{
    const char *name = cfn_str(arg(a, 0));
    int r;

    if (name == NULL || a->n != 3)
        return fail(c, "%s", "Fn::If: expected [condition name, value if true, value if false]");
    if ((r = cfn_condition(c, name)) < 0)
        return NULL;
    return cfn_eval(c, arg(a, r ? 1 : 2));
}

static const ddb_json *to_json_string(cfn_ctx *c, const ddb_json *a)
{
    const ddb_json *v = cfn_eval(c, a), *r;
    ddb_buf out = {0};
    ddb_jw w;

    if (v == NULL)
        return NULL;
    ddb_jw_init(&w, &out);
    ddb_jw_json(&w, v);
    r = str_node(c, out.data, out.len);
    ddb_buf_free(&out);
    return r;
}

static const ddb_json *function(cfn_ctx *c, const char *fn, const ddb_json *a)
{
    const ddb_json *v;

    if (strcmp(fn, "Ref") == 0)
        return cfn_str(a) != NULL ? ref(c, cfn_str(a)) : fail(c, "%s", "Ref: expected a name");
    if (strcmp(fn, "Fn::Sub") == 0)
        return sub(c, a);
    if (strcmp(fn, "Fn::Join") == 0)
        return join(c, a);
    if (strcmp(fn, "Fn::Select") == 0)
        return select_fn(c, a);
    if (strcmp(fn, "Fn::Split") == 0) {
        const char *sep = cfn_str(cfn_eval(c, arg(a, 0))), *s = cfn_str(cfn_eval(c, arg(a, 1)));
        return sep != NULL && s != NULL ? split(c, s, sep)
                                        : c->err[0] ? NULL : fail(c, "%s", "Fn::Split: expected [delimiter, string]");
    }
    if (strcmp(fn, "Fn::FindInMap") == 0)
        return find_in_map(c, a);
    if (strcmp(fn, "Fn::If") == 0)
        return if_fn(c, a);
    if (strcmp(fn, "Fn::ToJsonString") == 0)
        return to_json_string(c, a);
    if (strcmp(fn, "Fn::Length") == 0) {
        char *n;
        if ((v = cfn_eval(c, a)) == NULL || v->type != DDB_JSON_ARRAY)
            return c->err[0] ? NULL : fail(c, "%s", "Fn::Length: expected a list");
        n = ddb_arena_sprintf(c->a, "%u", v->n);
        ddb_json *num = str_node(c, n, strlen(n));
        num->type = DDB_JSON_NUMBER;
        return num;
    }
    if (strcmp(fn, "Fn::GetAtt") == 0)
        return fail(c, "Fn::GetAtt %s%s%s is known only after a deployment", cfn_str(arg(a, 0)) ? cfn_str(arg(a, 0)) : "",
                    cfn_str(arg(a, 1)) ? "." : "", cfn_str(arg(a, 1)) ? cfn_str(arg(a, 1)) : "");
    return fail(c, "%s is not resolved by ddbd's seed (docs/seeding.md, Templates)", fn);
}

static int is_function(const ddb_json *v)
{
    const char *k = v->type == DDB_JSON_OBJECT && v->n == 1 ? v->u.members[0].key : NULL;
    return k != NULL && (strcmp(k, "Ref") == 0 || strncmp(k, "Fn::", 4) == 0);
}

const ddb_json *cfn_eval(cfn_ctx *c, const ddb_json *v)
{
    ddb_json *out;
    uint32_t n = 0;

    if (c->err[0] != '\0')
        return NULL;
    if (v == NULL)
        return fail(c, "%s", "an intrinsic function is missing an argument");
    if (v->type != DDB_JSON_OBJECT && v->type != DDB_JSON_ARRAY)
        return v;
    if (is_function(v)) {
        const ddb_json *r;
        if (++c->depth > MAX_DEPTH)
            return fail(c, "%s", "the template's values refer to each other in a circle (or nest too deep)");
        r = function(c, v->u.members[0].key, v->u.members[0].val);
        c->depth--;
        return r;
    }
    out = DDB_NEW(c->a, ddb_json);
    out->type = v->type;
    if (v->type == DDB_JSON_ARRAY)
        out->u.items = v->n ? ddb_arena_alloc(c->a, v->n * sizeof(ddb_json *)) : NULL;
    else
        out->u.members = v->n ? ddb_arena_alloc(c->a, v->n * sizeof(ddb_json_member)) : NULL;
    for (uint32_t i = 0; i < v->n; i++) {
        const ddb_json *e = cfn_eval(c, v->type == DDB_JSON_ARRAY ? v->u.items[i] : v->u.members[i].val);
        if (e == NULL)
            return NULL;
        if (e == &cfn_novalue)
            continue;
        if (v->type == DDB_JSON_ARRAY)
            out->u.items[n++] = (ddb_json *)e;
        else
            out->u.members[n++] = (ddb_json_member){v->u.members[i].key, v->u.members[i].klen, (ddb_json *)e};
    }
    out->n = n;
    return out;
}

const char *cfn_region(cfn_ctx *c)
{
    cfn_param *r = given(c, "AWS::Region");
    return r != NULL ? r->value : c->region != NULL ? c->region : DEFAULT_REGION;
}

const char *cfn_table_name(cfn_ctx *c, const char *logical)
{
    const ddb_json *res = ddb_json_get(c->resources, logical);
    const char *type = ddb_json_get_str(res, "Type");
    const ddb_json *name;

    if (type == NULL || (strcmp(type, "AWS::DynamoDB::Table") != 0 && strcmp(type, "AWS::DynamoDB::GlobalTable") != 0 &&
                         strcmp(type, "AWS::Serverless::SimpleTable") != 0))
        return (const char *)fail(c, "Ref %s: a %s, whose value is known only after a deployment", logical,
                                  type ? type : "resource without a Type");
    if ((name = ddb_json_get(ddb_json_get(res, "Properties"), "TableName")) == NULL)
        return logical;
    if (++c->depth > MAX_DEPTH)
        return (const char *)fail(c, "%s", "the template's values refer to each other in a circle");
    name = cfn_eval(c, name);
    c->depth--;
    if (name != NULL && cfn_str(name) == NULL)
        fail(c, "%s.TableName: not a string", logical);
    return name != NULL ? cfn_str(name) : NULL;
}
