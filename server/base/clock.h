/*
 * server/clock.h: the server's notion of now.
 *
 * Everything that expires follows this clock, not the system's: TTL deletes, stream record times
 * and their 24-hour trim, shard iterators' 15 minutes, ClientRequestToken windows. It is the wall
 * clock plus an offset that a test moves through the admin endpoint (http.c, --admin), so a
 * suite can advance a day and see a day's expiry happen at once; no other emulator can.
 */
#ifndef DDB_CLOCK_H
#define DDB_CLOCK_H

#include <stdint.h>

/* Milliseconds since the epoch, as the server sees them. */
uint64_t ddb_clock_now_ms(void);
/* Microseconds (Kinesis destinations' MICROSECOND precision). */
uint64_t ddb_clock_now_us(void);
/* The offset from the wall clock (0 unless moved). */
int64_t ddb_clock_offset_ms(void);
void ddb_clock_set_offset_ms(int64_t offset);

#endif
