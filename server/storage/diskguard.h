/*
 * server/storage/diskguard.h: writes stop before the disk is full, and resume when space returns.
 *
 * A storage engine that meets a full disk mid-write is in trouble: RocksDB stops taking writes
 * on a failed log write until it is resumed. So the backend asks the guard before each write,
 * and refuses the write (an I/O error: InternalServerError, which clients retry) while the data
 * directory's file system has less than --min-free-disk free, except a write that only removes
 * (ddb_batch_only_removes: DeleteItem, a transaction or batch of deletes, DeleteTable,
 * DeleteBackup), so that a user can free space through the API. While writes are allowed the
 * guard reads the free space at most every 100 ms (statvfs), a clock read per write; while they
 * are refused it reads it at every write, so they resume as soon as there is room.
 *
 * When the disk filled all the same (another process wrote to it, or the reserve is 0), the
 * backend has its engine resumed through ddb_diskguard_stalled, on a thread of the guard's: within
 * 20 ms of the space returning, not on RocksDB's 5 s timer, and never holding an HTTP loop. A
 * resume that hangs (RocksDB 7.8's, now and then: diskguard.c) is ended after RESUME_STUCK_MS on
 * the server's clock and the engine reopened in place instead, which replays its log: writes come
 * back without a restart and nothing acknowledged is lost. A test can pretend any amount is free
 * and make every resume hang (faults.h: ddb_fault_free_bytes, ddb_fault_stuck_resume).
 */
#ifndef DDB_DISKGUARD_H
#define DDB_DISKGUARD_H

#include <stdint.h>

typedef struct ddb_diskguard ddb_diskguard;

/* NULL path: the free space is unknown (in memory), and only a test's pretended amount counts.
   reserve 0: writes are never refused. */
ddb_diskguard *ddb_diskguard_new(const char *path, uint64_t reserve);
void ddb_diskguard_free(ddb_diskguard *g);

/* 1 when a write may go ahead; `only_removes`: one that frees space, allowed below the reserve.
   Thread-safe. */
int ddb_diskguard_ok(ddb_diskguard *g, int only_removes);

/*
 * The engine's side of a stall, called on the guard's threads, one call at a time:
 *   resume  resumes it: 1 when it takes writes again, 0 when not (tried again later), -1 when
 *           only a reopen brings it back. It may hang (then see cancel).
 *   cancel  ends its background work, and with it a resume that hangs (which then fails), from
 *           another thread; `wait`: until its jobs have ended. The engine is left to be reopened:
 *           it runs no background work any more
 *   reopen  closes and opens it again in place, replaying its log (every acknowledged write is
 *           there), with the server quiesced (the engine's own doing, as a snapshot restore's,
 *           which is why it is never called inside a hold: see ddb_diskguard_hold): 1 when it
 *           takes writes again
 */
typedef struct ddb_diskguard_engine {
    int (*resume)(void *ctx);
    void (*cancel)(void *ctx, int wait);
    int (*reopen)(void *ctx);
} ddb_diskguard_engine;

/*
 * After a write failed for want of space (the engine stopped taking writes): the engine is resumed
 * on a thread of the guard's own (watched by another, started at the first stall, which reads the
 * free space every 20 ms while the disk lacks room), as soon as the disk has room again (the
 * reserve, and at least 1 MiB: a resume writes out what is in memory), and again a second after a
 * resume that failed; writes fail until one succeeds. A resume still running 5 s (RESUME_STUCK_MS) after
 * it began, on the server's clock (so a test steps it: docs/testing.md, "The frozen clock"), is
 * cancelled and the engine reopened. A resume waits for the engine's background jobs (up to a
 * second after one failed for want of space), so it never runs on a request's path. Thread-safe;
 * a stall already known is a no-op.
 */
void ddb_diskguard_stalled(ddb_diskguard *g, const ddb_diskguard_engine *e, void *ctx);

/*
 * Around a change of the engine's files that is not the guard's (a snapshot restore closing and
 * opening them, with the server quiesced): no attempt uses the engine in between. The hold ends
 * the resume under way, if any (cancel), and returns once it has returned; an attempt does not
 * start until the release. The engine was opened anew meanwhile, so a resume that the hold
 * cancelled is not followed by a reopen, and the next attempt resumes the new engine. An attempt
 * already past its resume, waiting to reopen, is not waited for: its reopen waits for the quiesce
 * the caller holds, and then reopens the new files, which loses nothing. A NULL guard is a no-op.
 */
void ddb_diskguard_hold(ddb_diskguard *g);
void ddb_diskguard_release(ddb_diskguard *g);

#endif
