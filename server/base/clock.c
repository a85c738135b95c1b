/*
 * server/clock.c: the server's clock (see clock.h).
 */
#include "server/base/clock.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_ms;

uint64_t ddb_clock_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&offset_ms));
}

uint64_t ddb_clock_now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)((int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 + atomic_load(&offset_ms) * 1000);
}

int64_t ddb_clock_offset_ms(void)
{
    return atomic_load(&offset_ms);
}

void ddb_clock_set_offset_ms(int64_t offset)
{
    atomic_store(&offset_ms, offset);
}
