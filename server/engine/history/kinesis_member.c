/*
 * server/engine/history/kinesis_member.c: the table member "ddbdKinesis" (see kinesis_member.h).
 */
#include "server/engine/history/kinesis_member.h"

#include <string.h>

#include "server/engine/catalog/catalog_edit.h"

static const char *const status_names[] = {
#define X(s) #s,
    DDB_KDS_STATUSES(X)
#undef X
};

static const char *const precision_names[] = {
    NULL,
#define X(p) #p,
    DDB_KDS_PRECISIONS(X)
#undef X
};

#define MEMBER "ddbdKinesis"

const char *ddb_kds_status_name(ddb_kds_status s)
{
    return status_names[s];
}

const char *ddb_kds_precision_name(ddb_kds_precision p)
{
    return precision_names[p];
}

ddb_kds_precision ddb_kds_precision_parse(const char *name)
{
    for (size_t i = 1; name != NULL && i < sizeof(precision_names) / sizeof(precision_names[0]); i++)
        if (strcmp(name, precision_names[i]) == 0)
            return (ddb_kds_precision)i;
    return DDB_KDS_PRECISION_NONE;
}

static ddb_kds_status status_parse(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof(status_names) / sizeof(status_names[0]); i++)
        if (strcmp(name, status_names[i]) == 0)
            return (ddb_kds_status)i;
    return DDB_KDS_DISABLED;
}

int ddb_kds_live(ddb_kds_status s)
{
    return s == DDB_KDS_ENABLING || s == DDB_KDS_ACTIVE || s == DDB_KDS_UPDATING;
}

static void dest_read(const ddb_json *o, ddb_kds_dest *d)
{
    d->stream_arn = ddb_json_get_str(o, "StreamArn");
    d->status = status_parse(ddb_json_get_str(o, "Status"));
    d->precision = ddb_kds_precision_parse(ddb_json_get_str(o, "Precision"));
    d->description = ddb_json_get_str(o, "Description");
    d->log = (uint32_t)ddb_json_integer(ddb_json_get(o, "Log"), 0);
}

size_t ddb_table_kinesis(const ddb_table *t, ddb_arena *a, size_t room, ddb_kds_dest **out)
{
    const ddb_json *list = ddb_json_get(t->desc, MEMBER);
    size_t n = list != NULL && list->type == DDB_JSON_ARRAY ? list->n : 0;

    *out = DDB_NEW_ARRAY(a, ddb_kds_dest, n + room + 1);
    for (size_t i = 0; i < n; i++)
        dest_read(list->u.items[i], &(*out)[i]);
    return n;
}

/* The log of the live destination, 0 when none is live (t->kinesis_log). */
static void kinesis_read(ddb_table *t, const ddb_json *list)
{
    t->kinesis_log = 0;
    for (uint32_t i = 0; list != NULL && list->type == DDB_JSON_ARRAY && i < list->n; i++) {
        ddb_kds_dest d;
        dest_read(list->u.items[i], &d);
        if (ddb_kds_live(d.status)) {
            t->kinesis_log = d.log;
            return;
        }
    }
}

typedef struct kinesis_value {
    const ddb_kds_dest *d;
    size_t n;
} kinesis_value;

static void kinesis_write(ddb_jw *w, const ddb_member_edit *e)
{
    const ddb_kds_dest *d = ((const kinesis_value *)e->value)->d;
    size_t n = ((const kinesis_value *)e->value)->n;

    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "StreamArn", d[i].stream_arn);
        ddb_jw_member_str(w, "Status", ddb_kds_status_name(d[i].status));
        if (d[i].precision != DDB_KDS_PRECISION_NONE)
            ddb_jw_member_str(w, "Precision", ddb_kds_precision_name(d[i].precision));
        if (d[i].description != NULL)
            ddb_jw_member_str(w, "Description", d[i].description);
        ddb_jw_member_int(w, "Log", d[i].log);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

const ddb_table_member ddb_member_kinesis = {MEMBER, kinesis_read, kinesis_write};

void ddb_edit_kinesis(ddb_desc_edit *e, const ddb_kds_dest *d, size_t n)
{
    kinesis_value v = {d, n};

    ddb_edit_member(e, &ddb_member_kinesis, n > 0 ? &v : NULL, sizeof(v));
}
