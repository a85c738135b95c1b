/*
 * server/storage/rados/rados_result.c: what a librados call's outcome becomes in the RADOS backend: a
 * failure as a result class (logged), or a race lost to another gateway retried after a jittered,
 * doubling wait. At the bottom of the backend: it calls no other file of it.
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "server/storage/rados/rados_store.h"

int rs_check(int rc, const char *what, const char *oid)
{
    if (rc >= 0)
        return DDB_STORE_OK;
    ddb_log(DDB_LOG_ERROR, "rados %s %s: %s", what, oid ? oid : "", strerror(-rc));
    return DDB_STORE_EIO;
}

void rs_backoff(ddb_store *s, int attempt)
{
    /* jittered and doubling, so two gateways both progress */
    struct timespec ts = {0, (long)(randombytes_uniform(100000u << (attempt < 8 ? attempt : 8)))};

    __atomic_add_fetch(&s->n_retries, 1, __ATOMIC_RELAXED);
    nanosleep(&ts, NULL);
}
