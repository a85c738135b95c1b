/*
 * server/engine/capacity/usage.c: consumed capacity by operation and index (see usage.h).
 */
#include "server/engine/capacity/usage.h"

void ddb_usage_add_index(ddb_table_usage *u, uint32_t id, double read, double write)
{
    for (unsigned i = 0; i < DDB_MAX_INDEXES; i++) {
        uint32_t cur = __atomic_load_n(&u->ix[i].id, __ATOMIC_ACQUIRE), zero = 0;
        if (cur == id || (cur == 0 && (__atomic_compare_exchange_n(&u->ix[i].id, &zero, id, 0, __ATOMIC_ACQ_REL,
                                                                    __ATOMIC_ACQUIRE) || zero == id))) {
            ddb_usage_add(&u->ix[i].u, read, write);
            return;
        }
    }
}

void ddb_usage_get(const ddb_usage_units *u, double *read, double *write)
{
    *read = (double)__atomic_load_n(&u->read_milli, __ATOMIC_RELAXED) / 1000;
    *write = (double)__atomic_load_n(&u->write_milli, __ATOMIC_RELAXED) / 1000;
}

const ddb_usage_units *ddb_usage_of_index(const ddb_table_usage *u, uint32_t id)
{
    for (unsigned i = 0; i < DDB_MAX_INDEXES; i++) {
        uint32_t cur = __atomic_load_n(&u->ix[i].id, __ATOMIC_ACQUIRE);
        if (cur == id)
            return &u->ix[i].u;
        if (cur == 0)
            return NULL;
    }
    return NULL;
}
