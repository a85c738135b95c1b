/*
 * server/base/clock.h: the server's clocks, the one place that reads the time.
 *
 * Three clocks, for three kinds of use; pick by what the time is compared with:
 *
 *   ddb_clock_now_*     THE SERVER'S CLOCK: the wall clock plus an offset that a test moves through
 *                       the admin endpoint (--admin, POST /ddbd/clock: doors/clock_door.c, docs/admin.md),
 *                       or, frozen (--clock frozen, {"freeze": true}), a time that moves only when a
 *                       test steps it: then nothing that depends on it happens by itself, and a step
 *                       runs what came due in time order (ddb_sleepers_settle, sleeper.h).
 *                       Everything a client sees or that expires by it: timestamps in answers
 *                       (CreationDateTime, StartTime/EndTime of bulk puts, imports and exports,
 *                       backups), TTL deletes, stream records and their 24-hour trim, shard
 *                       iterators' 15 minutes, ClientRequestToken windows, PITR windows. A suite
 *                       can advance a day and see a day's expiry happen at once; no other
 *                       emulator can.
 *                       What ddbd simulates of production runs on it too: hot-partition seconds,
 *                       replication lag, injected faults' windows and their added latency; and,
 *                       through ddb_clock_meter_ms (durations: a step back takes nothing back),
 *                       capacity buckets and burst, index lag and stale reads; through
 *                       ddb_clock_high_ms (what came due stays due), table states.
 *   ddb_clock_mono_*    THE MONOTONIC CLOCK: never moves with the admin clock nor with the system's
 *                       clock being set. What the server measures of itself: durations, timeouts,
 *                       intervals and latency (request seconds, checkpoint and sweep intervals).
 *   ddb_clock_system_*  THE SYSTEM'S WALL CLOCK, never offset: for what another machine or program
 *                       compares with its own clock: SigV4 dates of calls to S3, Kinesis and peers,
 *                       log and access-log lines, trace spans, leases and intents shared with other
 *                       gateways, and pthread_cond_timedwait deadlines (ddb_clock_system_deadline).
 *
 * Nothing else in server/ calls clock_gettime, time() or gettimeofday (tests/layers holds it).
 */
#ifndef DDB_CLOCK_H
#define DDB_CLOCK_H

#include <stdint.h>
#include <time.h>

/* ---- the server's clock (movable) ---- */

/* Milliseconds since the epoch, as the server sees them. */
uint64_t ddb_clock_now_ms(void);
/* Microseconds (Kinesis destinations' MICROSECOND precision). */
uint64_t ddb_clock_now_us(void);
/* Seconds, to the millisecond, as DynamoDB's answers give times (CreationDateTime, StartTime). */
static inline double ddb_clock_now_s(void)
{
    return (double)ddb_clock_now_ms() / 1e3;
}
/* The offset from the system's wall clock (0 unless moved; frozen: the reading's, now). */
int64_t ddb_clock_offset_ms(void);
void ddb_clock_set_offset_ms(int64_t offset);
/* Sets the reading to ms since the epoch (frozen: it stays there; else it runs on from there). */
void ddb_clock_set_ms(uint64_t ms);
/* Stops the clock where it stands, or lets it run on from where it stands. */
void ddb_clock_freeze(void);
/* The server starts with its clock frozen at ms (0: where it stands). No step: the time it read
   before it started is no time it has shown (ddb_clock_high_ms, ddb_clock_meter_ms), so a clock
   frozen in the past starts with nothing come due by the wall clock's later time. */
void ddb_clock_start_frozen(uint64_t ms);
void ddb_clock_run(void);
/* The server's clock with every step back it was moved taken out: it moves forward with the clock
   and stands still while the clock is moved back, so it never goes back. What measures a rate
   runs on it (capacity buckets, engine/capacity/bucket.h): a clock moved back an hour neither
   leaves a bucket an hour in its future (refusing every write until the clock caught up) nor
   fills one; a step forward fills buckets as the time passing would. Never shown to a client. */
uint64_t ddb_clock_meter_ms(void);
/* The meter clock at the server's clock's reading now_ms (one reading for a caller that needs both:
   the hot-partition model's seconds and its buckets). */
uint64_t ddb_clock_meter_at(uint64_t now_ms);
/* The latest time the clock has shown (it, or its reading before a step back). What has come due
   stays due by it: a table ACTIVE (or gone) once its --table-states time passed is not CREATING
   (or DELETING) again after the clock is moved back. */
uint64_t ddb_clock_high_ms(void);
/* The mark alone: the latest reading before a step back (0: never stepped back). */
uint64_t ddb_clock_high_mark_ms(void);
/* Raises the mark to ms (a mark kept from before a restart: engine/clock_kept.h). */
void ddb_clock_note_high(uint64_t ms);
/* Whether it is frozen. */
int ddb_clock_frozen(void);
/* Parses --clock's "running", "frozen" or "frozen@MS" (MS since the epoch, at most the end of year
   9999): *frozen, and *at_ms the reading to freeze at (0: the start's); 0, or -1 when it is none. */
int ddb_clock_parse_mode(const char *s, int *frozen, uint64_t *at_ms);

/* ---- the monotonic clock (durations; never moves) ---- */

/* (the clocks' one reading, in ns) */
static inline uint64_t ddb_clock_read_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline uint64_t ddb_clock_mono_ns(void)
{
    return ddb_clock_read_ns(CLOCK_MONOTONIC);
}

static inline uint64_t ddb_clock_mono_ms(void)
{
    return ddb_clock_mono_ns() / 1000000u;
}

static inline double ddb_clock_mono_s(void)
{
    return (double)ddb_clock_mono_ns() / 1e9;
}

/* Seconds elapsed since t0_ns (a ddb_clock_mono_ns reading). */
static inline double ddb_clock_mono_since_s(uint64_t t0_ns)
{
    return (double)(ddb_clock_mono_ns() - t0_ns) / 1e9;
}

/* Milliseconds elapsed since t0_ns, with their fraction (for logs: "saved in 1.5 ms"). */
static inline double ddb_clock_mono_since_ms(uint64_t t0_ns)
{
    return (double)(ddb_clock_mono_ns() - t0_ns) / 1e6;
}

/* Milliseconds, coarse (to the kernel's tick, a few ms) and cheaper: for checks on every write. */
static inline uint64_t ddb_clock_mono_coarse_ms(void)
{
    return ddb_clock_read_ns(CLOCK_MONOTONIC_COARSE) / 1000000u;
}

/* ---- the system's wall clock (never offset) ---- */

static inline uint64_t ddb_clock_system_ns(void)
{
    return ddb_clock_read_ns(CLOCK_REALTIME);
}

static inline uint64_t ddb_clock_system_ms(void)
{
    return ddb_clock_system_ns() / 1000000u;
}

static inline time_t ddb_clock_system_s(void)
{
    return (time_t)(ddb_clock_system_ns() / 1000000000u);
}

/* The system time ms milliseconds from now, for pthread_cond_timedwait (whose default clock it is). */
void ddb_clock_system_deadline(struct timespec *until, unsigned ms);

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar (a day past the month's end
   counts on into the next month, as timegm normalises it): SigV4's X-Amz-Date, the anonymiser's dates. */
static inline int64_t ddb_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    int64_t era;
    unsigned yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = (unsigned)(y - era * 400);
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

#endif
