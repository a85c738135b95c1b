/*
 * server/base/clock.c: the server's clock (see clock.h; the monotonic and system clocks are inline there).
 */
#include "server/base/clock.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static _Atomic int64_t offset_ms;
/* The frozen reading, ms since the epoch; -1: the clock runs (the wall clock plus offset_ms). A
   running clock costs its readers one more relaxed load than the offset alone. */
static _Atomic int64_t frozen_ms = -1;
/* Every step back the clock was moved, added up (ddb_clock_meter_ms). */
static _Atomic int64_t rewound_ms;
/* The latest reading before a step back (ddb_clock_high_ms). */
static _Atomic uint64_t high_ms;

/* Counts a move of the reading from `before` to where it stands now, when it went back. */
static void note_move(uint64_t before)
{
    uint64_t after = ddb_clock_now_ms();

    if (after < before) {
        atomic_fetch_add(&rewound_ms, (int64_t)(before - after));
        if (before > atomic_load(&high_ms))
            atomic_store(&high_ms, before);
    }
}

uint64_t ddb_clock_high_ms(void)
{
    uint64_t now = ddb_clock_now_ms(), high = atomic_load_explicit(&high_ms, memory_order_relaxed);

    return now > high ? now : high;
}

uint64_t ddb_clock_high_mark_ms(void)
{
    return atomic_load(&high_ms);
}

void ddb_clock_note_high(uint64_t ms)
{
    uint64_t cur = atomic_load(&high_ms);

    while (ms > cur && !atomic_compare_exchange_weak(&high_ms, &cur, ms))
        ;
}

uint64_t ddb_clock_meter_at(uint64_t now_ms)
{
    return now_ms + (uint64_t)atomic_load_explicit(&rewound_ms, memory_order_relaxed);
}

uint64_t ddb_clock_meter_ms(void)
{
    return ddb_clock_meter_at(ddb_clock_now_ms());
}

uint64_t ddb_clock_now_ms(void)
{
    int64_t f = atomic_load_explicit(&frozen_ms, memory_order_relaxed);

    if (f >= 0)
        return (uint64_t)f;
    return (uint64_t)((int64_t)ddb_clock_system_ms() + atomic_load_explicit(&offset_ms, memory_order_relaxed));
}

uint64_t ddb_clock_now_us(void)
{
    int64_t f = atomic_load_explicit(&frozen_ms, memory_order_relaxed);

    if (f >= 0)
        return (uint64_t)f * 1000u;
    return (uint64_t)((int64_t)(ddb_clock_system_ns() / 1000u) + atomic_load(&offset_ms) * 1000);
}

int64_t ddb_clock_offset_ms(void)
{
    int64_t f = atomic_load(&frozen_ms);

    return f >= 0 ? f - (int64_t)ddb_clock_system_ms() : atomic_load(&offset_ms);
}

void ddb_clock_set_offset_ms(int64_t offset)
{
    uint64_t before = ddb_clock_now_ms();

    if (atomic_load(&frozen_ms) >= 0)
        atomic_store(&frozen_ms, (int64_t)ddb_clock_system_ms() + offset);
    else
        atomic_store(&offset_ms, offset);
    note_move(before);
}

void ddb_clock_set_ms(uint64_t ms)
{
    uint64_t before = ddb_clock_now_ms();

    if (atomic_load(&frozen_ms) >= 0)
        atomic_store(&frozen_ms, (int64_t)ms);
    else
        atomic_store(&offset_ms, (int64_t)ms - (int64_t)ddb_clock_system_ms());
    note_move(before);
}

/* (a test moves the clock from one thread at a time: the admin door's; these need no lock) */
void ddb_clock_start_frozen(uint64_t ms)
{
    atomic_store(&frozen_ms, (int64_t)(ms != 0 ? ms : ddb_clock_now_ms()));
}

void ddb_clock_freeze(void)
{
    if (atomic_load(&frozen_ms) < 0)
        atomic_store(&frozen_ms, (int64_t)ddb_clock_now_ms());
}

void ddb_clock_run(void)
{
    int64_t f = atomic_load(&frozen_ms);

    if (f < 0)
        return;
    atomic_store(&offset_ms, f - (int64_t)ddb_clock_system_ms()); /* on from where it stood */
    atomic_store(&frozen_ms, -1);
}

int ddb_clock_frozen(void)
{
    return atomic_load(&frozen_ms) >= 0;
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

int ddb_clock_parse_mode(const char *s, int *frozen, uint64_t *at_ms)
{
    char *end;

    *frozen = 0;
    *at_ms = 0;
    if (s == NULL || strcmp(s, "running") == 0)
        return 0;
    if (strncmp(s, "frozen", 6) != 0)
        return -1;
    *frozen = 1;
    if (s[6] == '\0')
        return 0;
    if (s[6] != '@' || s[7] < '0' || s[7] > '9')
        return -1;
    *at_ms = strtoull(s + 7, &end, 10);
    return *end == '\0' && *at_ms <= 253402300799999ULL ? 0 : -1;
}
