/*
 * server/base/clock.c: the server's clock (see clock.h; the monotonic and system clocks are inline there).
 */
#include "server/base/clock.h"

#include <stdatomic.h>

static _Atomic int64_t offset_ms;

uint64_t ddb_clock_now_ms(void)
{
    return (uint64_t)((int64_t)ddb_clock_system_ms() + atomic_load(&offset_ms));
}

uint64_t ddb_clock_now_us(void)
{
    return (uint64_t)((int64_t)(ddb_clock_system_ns() / 1000u) + atomic_load(&offset_ms) * 1000);
}

int64_t ddb_clock_offset_ms(void)
{
    return atomic_load(&offset_ms);
}

void ddb_clock_set_offset_ms(int64_t offset)
{
    atomic_store(&offset_ms, offset);
}

void ddb_clock_system_deadline(struct timespec *until, unsigned ms)
{
    clock_gettime(CLOCK_REALTIME, until);
    until->tv_sec += ms / 1000;
    until->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until->tv_nsec >= 1000000000L) {
        until->tv_sec++;
        until->tv_nsec -= 1000000000L;
    }
}
