/*
 * server/engine/table.c: the questions asked of a parsed table (see table.h).
 */
#include "server/engine/table.h"

#include <string.h>

#include "server/base/clock.h"

/* An X-macro list's row (table.h: DDB_INDEX_STATES, DDB_CI_MODES...) as its name, for the names tables. */
#define NAME(n) #n,

const ddb_index *ddb_table_index(const ddb_table *t, const char *name)
{
    for (unsigned i = 0; name != NULL && i < t->nindexes; i++) {
        if (strcmp(t->indexes[i].name, name) == 0)
            return &t->indexes[i];
    }
    return NULL;
}

const char *ddb_vector_metric_name(ddb_vector_metric m)
{
    static const char *const names[] = {
        DDB_VECTOR_METRICS(NAME)
    };
    return names[m];
}

int ddb_vector_metric_from_name(const char *name)
{
    for (int m = 0; name != NULL && m <= DDB_VEC_EUCLIDEAN; m++)
        if (strcmp(name, ddb_vector_metric_name((ddb_vector_metric)m)) == 0)
            return m;
    return -1;
}

const char *ddb_index_state_name(ddb_index_state s)
{
    static const char *const names[] = {
        DDB_INDEX_STATES(NAME)
    };
    return names[s];
}

const char *ddb_replica_state_name(ddb_replica_state s)
{
    static const char *const names[] = {
        DDB_REPLICA_STATES(NAME)
    };
    return names[s];
}

ddb_replica_state ddb_replica_state_now(const ddb_replica *r)
{
    if (r->state == DDB_REPLICA_ACTIVE && r->active_at != 0 && ddb_clock_high_ms() < r->active_at)
        return DDB_REPLICA_CREATING;
    return r->state;
}

const ddb_replica *ddb_table_replica(const ddb_table *t, const char *region)
{
    for (unsigned i = 0; region != NULL && i < t->rep.nreplicas; i++)
        if (strcmp(t->rep.replicas[i].region, region) == 0)
            return &t->rep.replicas[i];
    return NULL;
}

const char *ddb_ci_mode_name(ddb_ci_mode m)
{
    static const char *const names[] = {
        NULL,
        DDB_CI_MODES(NAME)
    };
    return names[m];
}

ddb_ci_mode ddb_ci_mode_from_name(const char *name)
{
    for (int m = DDB_CI_OFF + 1; name != NULL && m <= DDB_CI_THROTTLED_KEYS; m++)
        if (strcmp(name, ddb_ci_mode_name((ddb_ci_mode)m)) == 0)
            return (ddb_ci_mode)m;
    return DDB_CI_OFF;
}

static const char *const VIEW_NAMES[] = {
    NULL,
    DDB_STREAM_VIEWS(NAME)
};

const char *ddb_stream_view_name(int view)
{
    return view > DDB_VIEW_NONE && view <= DDB_VIEW_NEW_AND_OLD_IMAGES ? VIEW_NAMES[view] : "";
}

int ddb_stream_view_parse(const char *name)
{
    for (int v = DDB_VIEW_NONE + 1; name != NULL && v <= DDB_VIEW_NEW_AND_OLD_IMAGES; v++) {
        if (strcmp(name, VIEW_NAMES[v]) == 0)
            return v;
    }
    return DDB_VIEW_NONE;
}

double ddb_write_units(size_t bytes)
{
    size_t units = (bytes + 1023) / 1024;

    return units ? (double)units : 1.0;
}

double ddb_read_units(size_t bytes, int consistent)
{
    size_t units = (bytes + 4095) / 4096;

    if (units == 0)
        units = 1;
    return consistent ? (double)units : (double)units / 2;
}
