/*
 * client/opts.c: ddb_opts, the optional parameters of a call, and how they are written.
 *
 * Parameters are kept as text keyed by ddb_params.def; their kind decides how each is validated
 * when set and written on the wire, so adding a parameter is one line in the .def.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"

enum param_kind { STRING, BOOL, INT };

static const struct {
    const char *wire;
    enum param_kind kind;
} params[DDB_P__COUNT] = {
#define X(wire, kind) [DDB_P_##wire] = {#wire, kind},
#include "ddb/ddb_params.def"
#undef X
};

static char *xstrdup(const char *s)
{
    char *d = strdup(s);

    if (d == NULL)
        abort();
    return d;
}

ddb_opts *ddb_opts_new(void)
{
    ddb_opts *o = calloc(1, sizeof(*o));

    if (o == NULL)
        abort();
    return o;
}

ddb_opts *ddb_opts_dup(const ddb_opts *src)
{
    ddb_opts *o;

    if (src == NULL)
        return NULL;
    o = ddb_opts_new();
    for (int i = 0; i < DDB_P__COUNT; i++)
        o->params[i] = src->params[i] != NULL ? xstrdup(src->params[i]) : NULL;
    for (size_t i = 0; i < src->nnames; i++)
        ddb_opts_name(o, src->names[i].placeholder, src->names[i].name);
    o->values = ddb_item_dup(src->values);
    o->start_key = ddb_item_dup(src->start_key);
    return o;
}

void ddb_opts_free(ddb_opts *o)
{
    if (o == NULL)
        return;
    for (int i = 0; i < DDB_P__COUNT; i++)
        free(o->params[i]);
    for (size_t i = 0; i < o->nnames; i++) {
        free(o->names[i].placeholder);
        free(o->names[i].name);
    }
    free(o->names);
    ddb_item_free(o->values);
    ddb_item_free(o->start_key);
    free(o);
}

static int valid_int(const char *s)
{
    char *end;

    errno = 0;
    (void)strtoll(s, &end, 10);
    return *s != '\0' && *end == '\0' && errno == 0;
}

int ddb_opts_set(ddb_opts *o, ddb_param p, const char *value)
{
    if (o == NULL || (unsigned)p >= DDB_P__COUNT)
        return DDB_E_INVALID_ARGUMENT;
    if (value != NULL) {
        if (params[p].kind == BOOL && strcmp(value, "true") != 0 && strcmp(value, "false") != 0)
            return DDB_E_INVALID_ARGUMENT;
        if (params[p].kind == INT && !valid_int(value))
            return DDB_E_INVALID_ARGUMENT;
    }
    free(o->params[p]);
    o->params[p] = value != NULL ? xstrdup(value) : NULL;
    return DDB_OK;
}

int ddb_opts_set_int(ddb_opts *o, ddb_param p, long long v)
{
    char buf[32];

    if ((unsigned)p >= DDB_P__COUNT || params[p].kind == STRING)
        return DDB_E_INVALID_ARGUMENT;
    if (params[p].kind == BOOL)
        return ddb_opts_set(o, p, v ? "true" : "false");
    snprintf(buf, sizeof(buf), "%lld", v);
    return ddb_opts_set(o, p, buf);
}

int ddb_opts_name(ddb_opts *o, const char *placeholder, const char *name)
{
    opt_name *n;

    if (o == NULL || placeholder == NULL || name == NULL)
        return DDB_E_INVALID_ARGUMENT;
    for (size_t i = 0; i < o->nnames; i++) {
        if (strcmp(o->names[i].placeholder, placeholder) == 0) {
            free(o->names[i].name);
            o->names[i].name = xstrdup(name);
            return DDB_OK;
        }
    }
    n = realloc(o->names, sizeof(*n) * (o->nnames + 1));
    if (n == NULL)
        abort();
    o->names = n;
    o->names[o->nnames++] = (opt_name){xstrdup(placeholder), xstrdup(name)};
    return DDB_OK;
}

ddb_item *ddb_opts_values(ddb_opts *o)
{
    if (o == NULL)
        return NULL;
    if (o->values == NULL)
        o->values = ddb_item_new();
    return o->values;
}

int ddb_opts_start_key(ddb_opts *o, const ddb_item *key)
{
    if (o == NULL)
        return DDB_E_INVALID_ARGUMENT;
    ddb_item_free(o->start_key);
    o->start_key = ddb_item_dup(key);
    return DDB_OK;
}

const char *opts_get(const ddb_opts *o, ddb_param p)
{
    return o != NULL ? o->params[p] : NULL;
}

/* ---- writing ---- */

static void write_param(ddb_jw *w, const ddb_opts *o, int p)
{
    ddb_jw_key(w, params[p].wire);
    switch (params[p].kind) {
    case STRING:
        ddb_jw_str(w, o->params[p]);
        break;
    case BOOL:
        ddb_jw_bool(w, strcmp(o->params[p], "true") == 0);
        break;
    case INT:
        ddb_jw_raw_number(w, o->params[p]);
        break;
    }
}

static void write_names_values(ddb_jw *w, const ddb_opts *o)
{
    if (o->nnames > 0) {
        ddb_jw_key(w, "ExpressionAttributeNames");
        ddb_jw_obj_begin(w);
        for (size_t i = 0; i < o->nnames; i++) {
            ddb_jw_key(w, o->names[i].placeholder);
            ddb_jw_str(w, o->names[i].name);
        }
        ddb_jw_obj_end(w);
    }
    if (o->values != NULL && AS_CATTR(o->values)->len > 0) {
        ddb_jw_key(w, "ExpressionAttributeValues");
        ddb_item_write_json(w, AS_CATTR(o->values));
    }
}

void opts_write(ddb_jw *w, const ddb_opts *o)
{
    opts_write_but(w, o, DDB_P__COUNT);
}

void opts_write_but(ddb_jw *w, const ddb_opts *o, ddb_param skip)
{
    if (o == NULL)
        return;
    for (int p = 0; p < DDB_P__COUNT; p++) {
        if (o->params[p] != NULL && p != (int)skip)
            write_param(w, o, p);
    }
    write_names_values(w, o);
    if (o->start_key != NULL) {
        ddb_jw_key(w, "ExclusiveStartKey");
        ddb_item_write_json(w, AS_CATTR(o->start_key));
    }
}

void opts_write_action(ddb_jw *w, const ddb_opts *o, int skip_condition)
{
    static const ddb_param action_params[] = {DDB_P_ConditionExpression, DDB_P_ProjectionExpression,
                                              DDB_P_ReturnValuesOnConditionCheckFailure, DDB_P_ConsistentRead};

    if (o == NULL)
        return;
    for (size_t i = 0; i < sizeof(action_params) / sizeof(action_params[0]); i++) {
        if (o->params[action_params[i]] != NULL && !(skip_condition && action_params[i] == DDB_P_ConditionExpression))
            write_param(w, o, action_params[i]);
    }
    write_names_values(w, o);
}
