/*
 * server/engine/table.c: the questions asked of a parsed table (see table.h).
 */
#include "server/engine/table.h"

#include <string.h>

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
#define X(n) #n,
        DDB_VECTOR_METRICS(X)
#undef X
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
#define X(n) #n,
        DDB_INDEX_STATES(X)
#undef X
    };
    return names[s];
}

const char *ddb_replica_state_name(ddb_replica_state s)
{
    static const char *const names[] = {
#define X(n) #n,
        DDB_REPLICA_STATES(X)
#undef X
    };
    return names[s];
}

const ddb_replica *ddb_table_replica(const ddb_table *t, const char *region)
{
    for (unsigned i = 0; region != NULL && i < t->nreplicas; i++)
        if (strcmp(t->replicas[i].region, region) == 0)
            return &t->replicas[i];
    return NULL;
}
