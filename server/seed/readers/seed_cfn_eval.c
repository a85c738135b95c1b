/*
 * server/seed/readers/seed_cfn_eval.c: CloudFormation's intrinsic functions, resolved as a deployment in the
 * seed's region would resolve them (see seed_cfn_eval.h).
 */
#include "server/seed/readers/seed_cfn_eval.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Conditions may name conditions, and table names Ref tables: deeper than this nests too deep (a
   circle is found before: the memos). */
#define MAX_DEPTH 64
#define ACCOUNT "000000000000"
#define DEFAULT_REGION "us-east-1"

const ddb_json cfn_novalue = {DDB_JSON_NULL, 0, {0}};
/* An unknown (c->lenient): a null whose n is this and whose s says why. */
#define UNKNOWN_MARK 0x554e4b4eu

/* What is remembered of a condition (its value) or of a table (its name): evaluated once. */
enum { MEMO_NONE, MEMO_BUSY, MEMO_DONE, MEMO_FAILED };
struct cfn_memo {
    int state, value;
    unsigned seq;  /* when it became busy: the busy ones, in order, are the evaluation's path */
    const char *s; /* a table's name, or the error it failed with */
};

/* A name of Conditions and its member's index, sorted by name: a look-up is a binary search. */
struct cfn_name {
    const char *key;
    uint32_t i;
};

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

/* A value only a deployment knows: an error that a lenient evaluation turns into an unknown. */
__attribute__((format(printf, 2, 3))) static const ddb_json *unknowable(cfn_ctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->err[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(c->err, sizeof(c->err), fmt, ap);
        va_end(ap);
        c->unknown = 1;
    }
    return NULL;
}

const char *cfn_unknown_in(const ddb_json *v, const char *but)
{
    const char *why = NULL;

    if (v == NULL)
        return NULL;
    if (v->type == DDB_JSON_NULL && v->n == UNKNOWN_MARK)
        return v->u.s;
    for (uint32_t i = 0; v->type == DDB_JSON_ARRAY && i < v->n && why == NULL; i++)
        why = cfn_unknown_in(v->u.items[i], NULL);
    for (uint32_t i = 0; v->type == DDB_JSON_OBJECT && i < v->n && why == NULL; i++) {
        if (but == NULL || strcmp(v->u.members[i].key, but) != 0)
            why = cfn_unknown_in(v->u.members[i].val, NULL);
    }
    return why;
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

/* Counts n against the template's CFN_MAX_WORK: 0 (c->err set) once past it. */
static int charge(cfn_ctx *c, size_t n)
{
    if ((c->work += n) <= CFN_MAX_WORK)
        return 1;
    fail(c, "the template's values take more than %zu MiB to build (a deployable template's take far less)",
         CFN_MAX_WORK >> 20);
    return 0;
}

int cfn_charge(cfn_ctx *c, size_t n)
{
    return charge(c, n);
}

/* Function fn would build a string longer than it may: a table name (naming), or any value. */
static const ddb_json *too_long(cfn_ctx *c, const char *fn, int naming)
{
    if (naming)
        return fail(c, "%s: the table name would be longer than %d characters, DynamoDB's limit", fn,
                    CFN_MAX_TABLE_NAME);
    return fail(c, "%s: the value would be longer than %u bytes, a whole template's limit (CloudFormation's)", fn,
                CFN_MAX_STRING);
}

static ddb_json *str_node(cfn_ctx *c, const char *s, size_t n)
{
    ddb_json *v;

    if (!charge(c, sizeof(ddb_json) + n + 1))
        return NULL;
    v = DDB_NEW(c->a, ddb_json);

    v->type = DDB_JSON_STRING;
    v->u.s = ddb_arena_strndup(c->a, s, n);
    v->n = (uint32_t)n;
    return v;
}

static ddb_json *list_node(cfn_ctx *c, size_t n)
{
    ddb_json *v;

    if (!charge(c, sizeof(ddb_json) + n * sizeof(ddb_json *)))
        return NULL;
    v = DDB_NEW(c->a, ddb_json);

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
    if ((list = list_node(c, n)) == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *end = slen > 0 ? strstr(s, sep) : NULL;
        size_t len = end != NULL ? (size_t)(end - s) : strlen(s);
        if ((list->u.items[i] = str_node(c, s, len)) == NULL)
            return NULL;
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
    if (p != NULL && p->value == NULL) /* (a nested stack's, from its parent: cfn_param) */
        return unknowable(c, "parameter %s: its parent stack passes a value known only after a deployment", name);
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

/* The index of resource `logical` (the last of that name, as ddb_json_get), or -1. */
static long res_index(cfn_ctx *c, const char *logical)
{
    for (uint32_t i = c->resources->n; i-- > 0;) { /* (at most 500: CFN_TEMPLATE_QUOTAS) */
        if (strcmp(c->resources->u.members[i].key, logical) == 0)
            return (long)i;
    }
    return -1;
}

/* A Ref of table `name` failed: says which (its name's error may not); `before`: it had failed
   already, and said why in its own error (each link of a chain says one step, not the chain). */
static const ddb_json *refer(cfn_ctx *c, const char *name, int before)
{
    char why[sizeof(c->err)];

    if (before && strncmp(c->err, "Circular dependency", 19) != 0) {
        c->err[0] = '\0';
        c->unknown = 0;
        return fail(c, "Ref %s: the table's name is refused (Resources.%s's error)", name, name);
    }
    if (strncmp(c->err, "Circular dependency", 19) != 0) {
        snprintf(why, sizeof(why), "%s", c->err);
        if (snprintf(c->err, sizeof(c->err), "Ref %s: %s", name, why) >= (int)sizeof(c->err))
            c->err[sizeof(c->err) - 1] = '\0'; /* (cut short: its start names the cause) */
    }
    return NULL;
}

static const ddb_json *ref(cfn_ctx *c, const char *name)
{
    const ddb_json *decl = ddb_json_get(c->parameters, name);

    if (strncmp(name, "AWS::", 5) == 0)
        return pseudo(c, name);
    if (decl != NULL)
        return parameter(c, name, decl);
    if (ddb_json_get(c->resources, name) != NULL) {
        int before = c->tables[res_index(c, name)].state == MEMO_FAILED;
        const char *t = cfn_table_name(c, name);
        return t != NULL ? str_node(c, t, strlen(t)) : refer(c, name, before);
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
        return (const char *)unknowable(c, "Fn::Sub ${%s}: an attribute is known only after a deployment", name);
    else
        v = ref(c, name);
    if (v == NULL)
        return NULL;
    if ((s = cfn_str(v)) == NULL)
        fail(c, "Fn::Sub ${%s}: not a string", name);
    return s;
}

/* Appends n bytes of s to out unless that makes it longer than the limit (0: too long). */
static int put(ddb_buf *out, const char *s, size_t n, int naming)
{
    if (out->len + n > (naming ? CFN_MAX_TABLE_NAME : CFN_MAX_STRING))
        return 0;
    ddb_buf_append(out, s, n);
    return 1;
}

static const ddb_json *sub(cfn_ctx *c, const ddb_json *a, int naming)
{
    const ddb_json *vars = a->type == DDB_JSON_ARRAY ? arg(a, 1) : NULL;
    const char *s = a->type == DDB_JSON_ARRAY ? cfn_str(arg(a, 0)) : cfn_str(a);
    ddb_buf out = {0};
    const ddb_json *r = NULL;

    if (s == NULL)
        return fail(c, "%s", "Fn::Sub: expected a string, or [string, {variables}]");
    ddb_buf_puts(&out, "");
    while (*s != '\0') {
        const char *open = strstr(s, "${"), *close = NULL, *v;
        int fits;
        if (open == NULL) {
            fits = put(&out, s, strlen(s), naming);
        } else if ((close = strchr(open, '}')) == NULL) {
            fits = put(&out, s, strlen(s), naming);
        } else if (!put(&out, s, (size_t)(open - s), naming)) {
            fits = 0;
        } else if (open[2] == '!') { /* ${!Literal} is the text ${Literal} */
            fits = put(&out, "${", 2, naming) && put(&out, open + 3, (size_t)(close - open - 2), naming);
        } else if ((v = sub_var(c, ddb_arena_strndup(c->a, open + 2, (size_t)(close - open - 2)), vars)) != NULL) {
            fits = put(&out, v, strlen(v), naming);
        } else {
            goto done;
        }
        if (!fits) {
            too_long(c, "Fn::Sub", naming);
            goto done;
        }
        if (open == NULL || close == NULL)
            break;
        s = close + 1;
    }
    r = str_node(c, out.data, out.len);
done:
    ddb_buf_free(&out);
    return r;
}

static const ddb_json *join(cfn_ctx *c, const ddb_json *a, int naming)
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
        if ((k++ > 0 && !put(&out, sep, strlen(sep), naming)) || !put(&out, s, strlen(s), naming)) {
            ddb_buf_free(&out);
            return too_long(c, "Fn::Join", naming);
        }
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
    v = ddb_json_get(c->mappings, map); /* (at most 200: CFN_TEMPLATE_QUOTAS) */
    if (v != NULL && v->type == DDB_JSON_OBJECT && !charge(c, v->n))
        return NULL;
    v = ddb_json_get(v, top);
    if (v != NULL && v->type == DDB_JSON_OBJECT && !charge(c, v->n))
        return NULL;
    if ((v = ddb_json_get(v, second)) != NULL)
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
        fail(c, "Conditions nest deeper than %d levels", MAX_DEPTH);
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

/* "Circular dependency between conditions: [A, B]", CloudFormation's words: the busy memos of
   `section` from memo[at] on, in the order they were entered. */
static void circle(cfn_ctx *c, const cfn_memo *memo, const ddb_json *section, uint32_t at, const char *what)
{
    char list[sizeof(c->err) - 64];
    size_t n = 0;
    unsigned last = memo[at].seq - 1;

    list[0] = '\0';
    for (;;) {
        uint32_t next = UINT32_MAX;
        for (uint32_t i = 0; i < section->n; i++) {
            if (memo[i].state == MEMO_BUSY && memo[i].seq > last && (next == UINT32_MAX || memo[i].seq < memo[next].seq))
                next = i;
        }
        if (next == UINT32_MAX)
            break;
        last = memo[next].seq;
        if (n < sizeof(list))
            n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", n ? ", " : "", section->u.members[next].key);
    }
    fail(c, "Circular dependency between %s: [%s]", what, list);
}

/* The memo's value: a failure is the error it failed with again; a busy one, a circle. 1: done. */
static int recalled(cfn_ctx *c, const cfn_memo *memo, const ddb_json *section, uint32_t i, const char *what)
{
    if (memo[i].state == MEMO_FAILED)
        fail(c, "%s", memo[i].s);
    else if (memo[i].state == MEMO_BUSY)
        circle(c, memo, section, i, what);
    return memo[i].state == MEMO_DONE;
}

static void remember(cfn_ctx *c, cfn_memo *m, int ok, int value, const char *s)
{
    m->state = ok ? MEMO_DONE : MEMO_FAILED;
    m->value = value;
    m->s = ok ? s : ddb_arena_strndup(c->a, c->err, strlen(c->err));
}

static int by_name(const void *x, const void *y)
{
    const struct cfn_name *a = x, *b = y;
    int d = strcmp(a->key, b->key);
    return d != 0 ? d : a->i < b->i ? -1 : a->i > b->i;
}

/* The index of condition `name` (the last of that name, as ddb_json_get), or -1. */
static long cond_index(cfn_ctx *c, const char *name)
{
    uint32_t lo = 0, hi = c->conditions != NULL && c->conditions->type == DDB_JSON_OBJECT ? c->conditions->n : 0;

    while (lo < hi) { /* the first one greater than name */
        uint32_t mid = lo + (hi - lo) / 2;
        if (strcmp(c->cond_order[mid].key, name) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && strcmp(c->cond_order[lo - 1].key, name) == 0 ? (long)c->cond_order[lo - 1].i : -1;
}

int cfn_condition(cfn_ctx *c, const char *name)
{
    long i = cond_index(c, name);
    int r;

    if (i < 0) {
        fail(c, "Condition %s: no such condition in the template's Conditions", name);
        return -1;
    }
    if (c->conds[i].state != MEMO_NONE)
        return recalled(c, c->conds, c->conditions, (uint32_t)i, "conditions") ? c->conds[i].value : -1;
    c->conds[i].state = MEMO_BUSY;
    c->conds[i].seq = ++c->seq;
    r = cond_expr(c, c->conditions->u.members[i].val);
    remember(c, &c->conds[i], r >= 0, r, NULL);
    return r;
}

static const ddb_json *if_fn(cfn_ctx *c, const ddb_json *a, int naming)
{
    const char *name = cfn_str(arg(a, 0));
    int r;

    if (name == NULL || a->n != 3)
        return fail(c, "%s", "Fn::If: expected [condition name, value if true, value if false]");
    if ((r = cfn_condition(c, name)) < 0)
        return NULL;
    c->naming = naming; /* (the value chosen is the name) */
    return cfn_eval(c, arg(a, r ? 1 : 2));
}

static const ddb_json *to_json_string(cfn_ctx *c, const ddb_json *a, int naming)
{
    const ddb_json *v = cfn_eval(c, a), *r;
    ddb_buf out = {0};
    ddb_jw w;

    if (v == NULL)
        return NULL;
    ddb_jw_init(&w, &out);
    ddb_jw_json(&w, v); /* (v's strings were each bounded, and charged, as they were built) */
    r = out.len > (naming ? CFN_MAX_TABLE_NAME : CFN_MAX_STRING) ? too_long(c, "Fn::ToJsonString", naming)
                                                                  : str_node(c, out.data, out.len);
    ddb_buf_free(&out);
    return r;
}

/* Function fn of arguments a; `naming`: its value is a table name (bounded so as it is built). */
static const ddb_json *function(cfn_ctx *c, const char *fn, const ddb_json *a, int naming)
{
    const ddb_json *v;

    if (strcmp(fn, "Ref") == 0)
        return cfn_str(a) != NULL ? ref(c, cfn_str(a)) : fail(c, "%s", "Ref: expected a name");
    if (strcmp(fn, "Fn::Sub") == 0)
        return sub(c, a, naming);
    if (strcmp(fn, "Fn::Join") == 0)
        return join(c, a, naming);
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
        return if_fn(c, a, naming);
    if (strcmp(fn, "Fn::ToJsonString") == 0)
        return to_json_string(c, a, naming);
    if (strcmp(fn, "Fn::Length") == 0) {
        char *n;
        if ((v = cfn_eval(c, a)) == NULL || v->type != DDB_JSON_ARRAY)
            return c->err[0] ? NULL : fail(c, "%s", "Fn::Length: expected a list");
        n = ddb_arena_sprintf(c->a, "%u", v->n);
        ddb_json *num = str_node(c, n, strlen(n));
        if (num != NULL)
            num->type = DDB_JSON_NUMBER;
        return num;
    }
    if (strcmp(fn, "Fn::GetAtt") == 0)
        return unknowable(c, "Fn::GetAtt %s%s%s is known only after a deployment", cfn_str(arg(a, 0)) ? cfn_str(arg(a, 0)) : "",
                    cfn_str(arg(a, 1)) ? "." : "", cfn_str(arg(a, 1)) ? cfn_str(arg(a, 1)) : "");
    if (strcmp(fn, "Fn::ImportValue") == 0 || strcmp(fn, "Fn::GetAZs") == 0) /* (another stack's, the account's) */
        return unknowable(c, "%s is not resolved by ddbd's seed (docs/seeding.md, Templates)", fn);
    return fail(c, "%s is not resolved by ddbd's seed (docs/seeding.md, Templates)", fn);
}

/* The error just made (a value only a deployment knows) as an unknown, the evaluation going on. */
static const ddb_json *unknown_node(cfn_ctx *c)
{
    ddb_json *v = DDB_NEW(c->a, ddb_json);

    v->type = DDB_JSON_NULL;
    v->n = UNKNOWN_MARK;
    v->u.s = ddb_arena_strndup(c->a, c->err, strlen(c->err));
    c->err[0] = '\0';
    c->unknown = 0;
    return v;
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
    int naming;

    naming = c->naming;
    c->naming = 0; /* (what a function's arguments build is not the name) */
    if (c->err[0] != '\0')
        return NULL;
    if (v == NULL)
        return fail(c, "%s", "an intrinsic function is missing an argument");
    if (v->type != DDB_JSON_OBJECT && v->type != DDB_JSON_ARRAY)
        return v;
    if (is_function(v)) {
        const ddb_json *r;
        if (++c->depth > MAX_DEPTH)
            return fail(c, "the template's values nest deeper than %d levels", MAX_DEPTH);
        r = charge(c, sizeof(ddb_json)) ? function(c, v->u.members[0].key, v->u.members[0].val, naming) : NULL;
        c->depth--;
        return r;
    }
    if (!charge(c, sizeof(ddb_json) + v->n * sizeof(ddb_json_member)))
        return NULL;
    out = DDB_NEW(c->a, ddb_json);
    out->type = v->type;
    if (v->type == DDB_JSON_ARRAY)
        out->u.items = v->n ? ddb_arena_alloc(c->a, v->n * sizeof(ddb_json *)) : NULL;
    else
        out->u.members = v->n ? ddb_arena_alloc(c->a, v->n * sizeof(ddb_json_member)) : NULL;
    for (uint32_t i = 0; i < v->n; i++) {
        const ddb_json *e = cfn_eval(c, v->type == DDB_JSON_ARRAY ? v->u.items[i] : v->u.members[i].val);
        if (e == NULL && c->lenient && c->unknown && c->depth == 0) /* (not a function's argument) */
            e = unknown_node(c);
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
    const char *type = ddb_json_get_str(res, "Type"), *s;
    const ddb_json *name;
    cfn_memo *m;

    if (type == NULL || (strcmp(type, "AWS::DynamoDB::Table") != 0 && strcmp(type, "AWS::DynamoDB::GlobalTable") != 0 &&
                         strcmp(type, "AWS::Serverless::SimpleTable") != 0))
        return (const char *)unknowable(c, "Ref %s: a %s, whose value is known only after a deployment", logical,
                                  type ? type : "resource without a Type");
    if ((name = ddb_json_get(ddb_json_get(res, "Properties"), "TableName")) == NULL)
        return logical;
    m = &c->tables[res_index(c, logical)];
    if (m->state != MEMO_NONE)
        return recalled(c, c->tables, c->resources, (uint32_t)(m - c->tables), "resources") ? m->s : NULL;
    m->state = MEMO_BUSY;
    m->seq = ++c->seq;
    if (++c->depth > MAX_DEPTH) {
        name = fail(c, "the template's values nest deeper than %d levels", MAX_DEPTH);
    } else {
        c->naming = 1;
        name = cfn_eval(c, name);
        c->naming = 0;
    }
    c->depth--;
    s = cfn_str(name);
    if (name != NULL && s == NULL)
        fail(c, "%s.TableName: not a string", logical);
    else if (s != NULL && strlen(s) > CFN_MAX_TABLE_NAME) /* (a literal, or a parameter's value) */
        fail(c, "%s.TableName: %zu characters, longer than DynamoDB's %d", logical, strlen(s), CFN_MAX_TABLE_NAME);
    remember(c, m, c->err[0] == '\0', 0, s);
    return c->err[0] == '\0' ? s : NULL;
}

void cfn_prepare(cfn_ctx *c)
{
    uint32_t nc = c->conditions != NULL && c->conditions->type == DDB_JSON_OBJECT ? c->conditions->n : 0;
    uint32_t nr = c->resources != NULL && c->resources->type == DDB_JSON_OBJECT ? c->resources->n : 0;

    c->conds = DDB_NEW_ARRAY(c->a, cfn_memo, nc + 1);
    c->cond_order = DDB_NEW_ARRAY(c->a, struct cfn_name, nc + 1);
    c->tables = DDB_NEW_ARRAY(c->a, cfn_memo, nr + 1);
    for (uint32_t i = 0; i < nc; i++)
        c->cond_order[i] = (struct cfn_name){c->conditions->u.members[i].key, i};
    qsort(c->cond_order, nc, sizeof(*c->cond_order), by_name);
    for (unsigned i = 0; i < c->ngiven; i++) { /* declared is enough: no table need use it (issue 62) */
        if (ddb_json_get(c->parameters, c->given[i].name) != NULL)
            c->given[i].used = 1;
    }
}
