/*
 * server/base/faults.c: crash points and injected conflicts (see faults.h).
 */
#include "server/base/faults.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <stdatomic.h>

#include "server/base/log.h"

const char *ddb_crash_armed;
const char *ddb_fail_armed;
static const char *crash_name; /* DDBD_CRASH_POINT */
static char delay_name[64];    /* DDBD_DELAY_POINT's name, and its milliseconds */
static unsigned delay_ms;

unsigned ddb_bugs_armed;

static const char *const bug_names[] = {
#define X(id, name) name,
    DDB_BUG_LIST(X)
#undef X
};

/* DDBD_BUG's comma-separated names; an unknown one is logged and ignored (a test that misspells a
   bug then finds no anomaly, and fails). */
static void bugs_init(const char *v)
{
    while (v != NULL && *v != '\0') {
        size_t n = strcspn(v, ",");
        size_t i = 0;
        while (i < sizeof(bug_names) / sizeof(bug_names[0]) && !(strlen(bug_names[i]) == n && memcmp(bug_names[i], v, n) == 0))
            i++;
        if (i < sizeof(bug_names) / sizeof(bug_names[0])) {
            ddb_bugs_armed |= 1u << i;
            ddb_log(DDB_LOG_WARN, "deliberate bug %s armed (DDBD_BUG): this server breaks a promise on purpose",
                    bug_names[i]);
        } else {
            ddb_log(DDB_LOG_WARN, "DDBD_BUG: no bug named %.*s", (int)n, v);
        }
        v += n + (v[n] == ',');
    }
}

size_t ddb_bug_unset_size(void)
{
    /* volatile: the compiler cannot follow the pointer to the block, so it does not refuse the read
       that is the bug (-Wmaybe-uninitialized) */
    size_t *volatile block = malloc(sizeof *block);

    return block != NULL ? *block : 0;
}

void ddb_crash_points_init(void)
{
    const char *v = getenv("DDBD_CRASH_POINT"), *d = getenv("DDBD_DELAY_POINT"), *colon;

    crash_name = v != NULL && v[0] != '\0' ? v : NULL;
    if (crash_name != NULL)
        ddb_log(DDB_LOG_WARN, "crash point %s armed (DDBD_CRASH_POINT): the server will kill itself there", crash_name);
    if (d != NULL && (colon = strchr(d, ':')) != NULL && (size_t)(colon - d) < sizeof(delay_name)) {
        memcpy(delay_name, d, (size_t)(colon - d));
        delay_ms = (unsigned)strtoul(colon + 1, NULL, 10);
        ddb_log(DDB_LOG_WARN, "delay point %s armed (DDBD_DELAY_POINT): %u ms there", delay_name, delay_ms);
    }
    ddb_crash_armed = crash_name != NULL || delay_ms > 0 ? (crash_name ? crash_name : delay_name) : NULL;
    if ((v = getenv("DDBD_FAIL_POINT")) != NULL && v[0] != '\0') {
        ddb_fail_armed = v;
        ddb_log(DDB_LOG_WARN, "fail point %s armed (DDBD_FAIL_POINT): every step there fails", v);
    }
    bugs_init(getenv("DDBD_BUG"));
}

int ddb_fail_is(const char *name)
{
    return strcmp(name, ddb_fail_armed) == 0;
}

void ddb_crash_fire(const char *name)
{
    if (crash_name != NULL && strcmp(name, crash_name) == 0)
        raise(SIGKILL);
    if (delay_ms > 0 && strcmp(name, delay_name) == 0) {
        struct timespec ts = {delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) /* a signal cut the sleep short: sleep the rest */
            ;
    }
}

static int write_errors;        /* atomic */
static long long free_override = -1; /* atomic */
static int stuck_resume;        /* atomic */

int ddb_fault_write_errors(void)
{
    return __atomic_load_n(&write_errors, __ATOMIC_RELAXED);
}

long long ddb_fault_free_bytes(void)
{
    return __atomic_load_n(&free_override, __ATOMIC_RELAXED);
}

int ddb_fault_stuck_resume(void)
{
    return __atomic_load_n(&stuck_resume, __ATOMIC_RELAXED);
}

void ddb_fault_set_storage(int errors, long long free_bytes, int stuck)
{
    __atomic_store_n(&write_errors, errors, __ATOMIC_RELAXED);
    __atomic_store_n(&free_override, free_bytes, __ATOMIC_RELAXED);
    __atomic_store_n(&stuck_resume, stuck, __ATOMIC_RELAXED);
    if (free_bytes < 0)
        ddb_log(DDB_LOG_WARN, "storage faults: write errors %s, the disk's real free space%s", errors ? "on" : "off",
                stuck ? ", resumes after a full disk stuck" : "");
    else
        ddb_log(DDB_LOG_WARN, "storage faults: write errors %s, %lld bytes free pretended%s", errors ? "on" : "off",
                free_bytes, stuck ? ", resumes after a full disk stuck" : "");
}

/* The conflict rates' draws: one sequence, the n-th draw a function of the seed and n alone
   (splitmix64), so the same seed and the same requests in the same order draw the same. */
static _Atomic uint64_t draw_seed = 0x6464626466617531ull; /* "ddbdfau1", as --fault's without --fault-seed */
static _Atomic uint64_t draws;

void ddb_fault_seed(uint64_t seed)
{
    atomic_store(&draw_seed, seed);
    atomic_store(&draws, 0);
}

static uint64_t next_draw(void)
{
    uint64_t z = atomic_load_explicit(&draw_seed, memory_order_relaxed) ^
                 (atomic_fetch_add(&draws, 1) + 1) * 0x9e3779b97f4a7c15ull;

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

int ddb_fault_draw(double rate)
{
    if (rate <= 0)
        return 0;
    return rate >= 1 || (double)(next_draw() >> 11) * 0x1.0p-53 < rate;
}

unsigned ddb_fault_pick(unsigned n)
{
    return n > 1 ? (unsigned)(next_draw() % n) : 0;
}
