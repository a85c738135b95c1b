/*
 * server/storage/diskguard.h: writes stop before the disk is full, and resume when space returns.
 *
 * A storage engine that meets a full disk mid-write is in trouble: RocksDB turns read-only on a
 * failed log write and, through its C API, cannot be resumed without reopening. So the backend
 * asks the guard before each write, and refuses the write (an I/O error: InternalServerError, which
 * clients retry) while the data directory's file system has less than --min-free-disk free. The
 * guard reads the free space at most every 100 ms (statvfs), so it costs a clock read per write.
 * A test can pretend any amount is free (faults.h: ddb_fault_free_bytes).
 */
#ifndef DDB_DISKGUARD_H
#define DDB_DISKGUARD_H

#include <stdint.h>

typedef struct ddb_diskguard ddb_diskguard;

/* NULL path or reserve 0: a guard that always allows. */
ddb_diskguard *ddb_diskguard_new(const char *path, uint64_t reserve);
void ddb_diskguard_free(ddb_diskguard *g);

/* 1 when a write may go ahead. Thread-safe. */
int ddb_diskguard_ok(ddb_diskguard *g);

#endif
