/*
 * server/storage/diskguard.c: the free-space check before writes (see diskguard.h).
 */
#include "server/storage/diskguard.h"

#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>

#include "server/base/faults.h"
#include "server/base/log.h"

#define RECHECK_MS 100

struct ddb_diskguard {
    char *path;
    uint64_t reserve;
    uint64_t checked_ms; /* atomic: when the free space was last read */
    int ok;              /* atomic: the last reading's verdict */
    int pretended;       /* atomic: the last reading was a test's (faults.h), not to be reused */
};

static uint64_t mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

ddb_diskguard *ddb_diskguard_new(const char *path, uint64_t reserve)
{
    ddb_diskguard *g = calloc(1, sizeof(*g));

    if (g == NULL)
        return NULL;
    g->path = path != NULL && reserve > 0 ? strdup(path) : NULL;
    g->reserve = reserve;
    g->ok = 1;
    return g;
}

void ddb_diskguard_free(ddb_diskguard *g)
{
    if (g == NULL)
        return;
    free(g->path);
    free(g);
}

static uint64_t free_bytes(const ddb_diskguard *g)
{
    long long pretend = ddb_fault_free_bytes();
    struct statvfs st;

    if (pretend >= 0)
        return (uint64_t)pretend;
    if (g->path == NULL || statvfs(g->path, &st) != 0)
        return UINT64_MAX; /* unknown: let the write try */
    return (uint64_t)st.f_bavail * st.f_frsize;
}

int ddb_diskguard_ok(ddb_diskguard *g)
{
    uint64_t now, avail;
    int ok, was;

    if (g == NULL || (g->path == NULL && ddb_fault_free_bytes() < 0))
        return 1;
    now = mono_ms();
    if (now - __atomic_load_n(&g->checked_ms, __ATOMIC_RELAXED) < RECHECK_MS && ddb_fault_free_bytes() < 0 &&
        !__atomic_load_n(&g->pretended, __ATOMIC_RELAXED))
        return __atomic_load_n(&g->ok, __ATOMIC_RELAXED);
    __atomic_store_n(&g->checked_ms, now, __ATOMIC_RELAXED);
    __atomic_store_n(&g->pretended, ddb_fault_free_bytes() >= 0, __ATOMIC_RELAXED);
    avail = free_bytes(g);
    ok = avail >= g->reserve;
    was = __atomic_exchange_n(&g->ok, ok, __ATOMIC_RELAXED);
    if (was && !ok)
        ddb_log(DDB_LOG_ERROR, "disk nearly full: %llu bytes free, --min-free-disk is %llu; refusing writes "
                               "(InternalServerError) until there is room again",
                (unsigned long long)avail, (unsigned long long)g->reserve);
    else if (!was && ok)
        ddb_log(DDB_LOG_WARN, "disk has room again (%llu bytes free): writes resume", (unsigned long long)avail);
    return ok;
}
