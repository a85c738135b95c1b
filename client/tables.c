/*
 * client/tables.c: ddb_table_def and the two calls that take one, CreateTable and UpdateTable.
 * AttributeDefinitions are derived from the key schemas, so callers never list them.
 */
#include <stdlib.h>
#include <string.h>

#include "client/internal.h"

typedef struct tdef_index {
    char *name, *hash, *range, *projection;
    ddb_value_type htype, rtype;
    int local, drop;
} tdef_index;

struct ddb_table_def {
    char *table, *hash, *range;
    ddb_value_type htype, rtype;
    int provisioned;
    long long rcu, wcu;
    tdef_index *idx;
    size_t nidx;
};

static char *xdup(const char *s)
{
    char *d = s != NULL ? strdup(s) : NULL;

    if (s != NULL && d == NULL)
        abort();
    return d;
}

static int key_type_ok(ddb_value_type t)
{
    return t == DDB_TYPE_S || t == DDB_TYPE_N || t == DDB_TYPE_B;
}

static const char *type_text(ddb_value_type t)
{
    return t == DDB_TYPE_N ? "N" : t == DDB_TYPE_B ? "B" : "S";
}

ddb_table_def *ddb_table_def_new(const char *table)
{
    ddb_table_def *d;

    if (table == NULL)
        return NULL;
    d = calloc(1, sizeof(*d));
    if (d == NULL)
        abort();
    d->table = xdup(table);
    return d;
}

void ddb_table_def_free(ddb_table_def *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->nidx; i++) {
        free(d->idx[i].name);
        free(d->idx[i].hash);
        free(d->idx[i].range);
        free(d->idx[i].projection);
    }
    free(d->idx);
    free(d->table);
    free(d->hash);
    free(d->range);
    free(d);
}

int ddb_table_def_key(ddb_table_def *d, const char *hash, ddb_value_type hash_type, const char *range,
                      ddb_value_type range_type)
{
    if (d == NULL || hash == NULL || !key_type_ok(hash_type) || (range != NULL && !key_type_ok(range_type)))
        return DDB_E_INVALID_ARGUMENT;
    free(d->hash);
    free(d->range);
    d->hash = xdup(hash);
    d->range = xdup(range);
    d->htype = hash_type;
    d->rtype = range_type;
    return DDB_OK;
}

int ddb_table_def_throughput(ddb_table_def *d, long long read_units, long long write_units)
{
    if (d == NULL || read_units <= 0 || write_units <= 0)
        return DDB_E_INVALID_ARGUMENT;
    d->provisioned = 1;
    d->rcu = read_units;
    d->wcu = write_units;
    return DDB_OK;
}

static tdef_index *add_index(ddb_table_def *d, const char *name)
{
    tdef_index *v = realloc(d->idx, sizeof(*v) * (d->nidx + 1));

    if (v == NULL)
        abort();
    d->idx = v;
    memset(&v[d->nidx], 0, sizeof(*v));
    v[d->nidx].name = xdup(name);
    return &v[d->nidx++];
}

int ddb_table_def_gsi(ddb_table_def *d, const char *index, const char *hash, ddb_value_type hash_type,
                      const char *range, ddb_value_type range_type, const char *projection)
{
    tdef_index *x;

    if (d == NULL || index == NULL || hash == NULL || !key_type_ok(hash_type) ||
        (range != NULL && !key_type_ok(range_type)))
        return DDB_E_INVALID_ARGUMENT;
    x = add_index(d, index);
    x->hash = xdup(hash);
    x->range = xdup(range);
    x->htype = hash_type;
    x->rtype = range_type;
    x->projection = xdup(projection != NULL ? projection : "ALL");
    return DDB_OK;
}

int ddb_table_def_lsi(ddb_table_def *d, const char *index, const char *range, ddb_value_type range_type,
                      const char *projection)
{
    tdef_index *x;

    if (d == NULL || index == NULL || range == NULL || !key_type_ok(range_type))
        return DDB_E_INVALID_ARGUMENT;
    x = add_index(d, index);
    x->local = 1;
    x->range = xdup(range);
    x->rtype = range_type;
    x->projection = xdup(projection != NULL ? projection : "ALL");
    return DDB_OK;
}

int ddb_table_def_delete_gsi(ddb_table_def *d, const char *index)
{
    if (d == NULL || index == NULL)
        return DDB_E_INVALID_ARGUMENT;
    add_index(d, index)->drop = 1;
    return DDB_OK;
}

/* ---- writing ---- */

static void write_key_schema(ddb_jw *w, const char *hash, const char *range)
{
    ddb_jw_key(w, "KeySchema");
    ddb_jw_arr_begin(w);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "AttributeName");
    ddb_jw_str(w, hash);
    ddb_jw_key(w, "KeyType");
    ddb_jw_str(w, "HASH");
    ddb_jw_obj_end(w);
    if (range != NULL) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "AttributeName");
        ddb_jw_str(w, range);
        ddb_jw_key(w, "KeyType");
        ddb_jw_str(w, "RANGE");
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* "ALL", "KEYS_ONLY" or "INCLUDE:a,b,c". */
static void write_projection(ddb_jw *w, const char *p)
{
    ddb_jw_key(w, "Projection");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ProjectionType");
    if (strncmp(p, "INCLUDE:", 8) == 0) {
        ddb_jw_str(w, "INCLUDE");
        ddb_jw_key(w, "NonKeyAttributes");
        ddb_jw_arr_begin(w);
        for (const char *s = p + 8; *s != '\0';) {
            size_t n = strcspn(s, ",");

            ddb_jw_strn(w, s, n);
            s += n + (s[n] == ',');
        }
        ddb_jw_arr_end(w);
    } else {
        ddb_jw_str(w, p);
    }
    ddb_jw_obj_end(w);
}

static void write_throughput(ddb_jw *w, const ddb_table_def *d)
{
    ddb_jw_key(w, "ProvisionedThroughput");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ReadCapacityUnits");
    ddb_jw_int(w, d->rcu);
    ddb_jw_key(w, "WriteCapacityUnits");
    ddb_jw_int(w, d->wcu);
    ddb_jw_obj_end(w);
}

static void write_billing(ddb_jw *w, const ddb_table_def *d)
{
    ddb_jw_key(w, "BillingMode");
    ddb_jw_str(w, d->provisioned ? "PROVISIONED" : "PAY_PER_REQUEST");
    if (d->provisioned)
        write_throughput(w, d);
}

/* One AttributeDefinitions entry unless `name` was already written (names[] remembers them). */
static void write_attr_def(ddb_jw *w, const char **names, size_t *n, const char *name, ddb_value_type t)
{
    if (name == NULL)
        return;
    for (size_t i = 0; i < *n; i++) {
        if (strcmp(names[i], name) == 0)
            return;
    }
    names[(*n)++] = name;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "AttributeName");
    ddb_jw_str(w, name);
    ddb_jw_key(w, "AttributeType");
    ddb_jw_str(w, type_text(t));
    ddb_jw_obj_end(w);
}

static void write_attr_defs(ddb_jw *w, const ddb_table_def *d)
{
    const char **names = calloc(2 + 2 * d->nidx, sizeof(*names));
    size_t n = 0;

    if (names == NULL)
        abort();
    ddb_jw_key(w, "AttributeDefinitions");
    ddb_jw_arr_begin(w);
    write_attr_def(w, names, &n, d->hash, d->htype);
    write_attr_def(w, names, &n, d->range, d->rtype);
    for (size_t i = 0; i < d->nidx; i++) {
        if (!d->idx[i].drop) {
            write_attr_def(w, names, &n, d->idx[i].hash, d->idx[i].htype);
            write_attr_def(w, names, &n, d->idx[i].range, d->idx[i].rtype);
        }
    }
    ddb_jw_arr_end(w);
    free(names);
}

/* The body of one index: IndexName, KeySchema, Projection (+ throughput for a provisioned GSI). */
static void write_index(ddb_jw *w, const ddb_table_def *d, const tdef_index *x)
{
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "IndexName");
    ddb_jw_str(w, x->name);
    write_key_schema(w, x->local ? d->hash : x->hash, x->range);
    write_projection(w, x->projection);
    if (!x->local && d->provisioned)
        write_throughput(w, d);
    ddb_jw_obj_end(w);
}

static void write_indexes(ddb_jw *w, const ddb_table_def *d, int local, const char *member)
{
    size_t n = 0;

    for (size_t i = 0; i < d->nidx; i++)
        n += d->idx[i].local == local && !d->idx[i].drop;
    if (n == 0)
        return;
    ddb_jw_key(w, member);
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < d->nidx; i++) {
        if (d->idx[i].local == local && !d->idx[i].drop)
            write_index(w, d, &d->idx[i]);
    }
    ddb_jw_arr_end(w);
}

static int refuse(ddb_result **out)
{
    if (out != NULL) {
        *out = result_new();
        result_fail(*out, DDB_E_INVALID_ARGUMENT, "client and a table definition with a key are required");
    }
    return DDB_E_INVALID_ARGUMENT;
}

int ddb_create_table(ddb_client *c, const ddb_table_def *d, ddb_result **out)
{
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || d == NULL || d->hash == NULL)
        return refuse(out);
    req_begin(&w, &b, d->table);
    write_attr_defs(&w, d);
    write_key_schema(&w, d->hash, d->range);
    write_billing(&w, d);
    write_indexes(&w, d, 0, "GlobalSecondaryIndexes");
    write_indexes(&w, d, 1, "LocalSecondaryIndexes");
    ddb_jw_obj_end(&w);
    return req_finish(c, "CreateTable", &b, CALL_ONCE, out);
}

static void write_gsi_updates(ddb_jw *w, const ddb_table_def *d)
{
    if (d->nidx == 0)
        return;
    ddb_jw_key(w, "GlobalSecondaryIndexUpdates");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < d->nidx; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, d->idx[i].drop ? "Delete" : "Create");
        if (d->idx[i].drop) {
            ddb_jw_obj_begin(w);
            ddb_jw_key(w, "IndexName");
            ddb_jw_str(w, d->idx[i].name);
            ddb_jw_obj_end(w);
        } else {
            write_index(w, d, &d->idx[i]);
        }
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

int ddb_update_table(ddb_client *c, const ddb_table_def *d, ddb_result **out)
{
    int creates = 0;
    ddb_buf b;
    ddb_jw w;

    if (c == NULL || d == NULL)
        return refuse(out);
    for (size_t i = 0; i < d->nidx; i++)
        creates += !d->idx[i].drop;
    req_begin(&w, &b, d->table);
    if (creates > 0)
        write_attr_defs(&w, d);
    if (d->provisioned)
        write_billing(&w, d);
    write_gsi_updates(&w, d);
    ddb_jw_obj_end(&w);
    return req_finish(c, "UpdateTable", &b, CALL_ONCE, out);
}
