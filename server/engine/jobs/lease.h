/*
 * server/engine/jobs/lease.h: one process at a time runs a piece of work that several processes could
 * find (RADOS gateways sharing a pool all see the same persisted tasks: tasks.h).
 *
 * A lease is a metadata record "lease/<name>" = "<owner> <expiry ms>", taken and renewed by
 * guarded meta commits (storage.h), so two gateways never both believe they hold it. The holder
 * renews it well before it expires; a holder that dies (or stalls past the expiry) loses it to the
 * next gateway that asks, which resumes the persisted work. Expiry times are wall-clock
 * milliseconds compared across gateways: their clocks must agree to well under the lease (NTP), as
 * for the write intents (docs/scale-out.md). On a store one process owns (RocksDB) a lease is
 * always held and costs nothing.
 */
#ifndef DDB_LEASE_H
#define DDB_LEASE_H

#include <stdint.h>

#include "server/storage/storage.h"

#define DDB_LEASE_MS 10000 /* default term; DDBD_TASK_LEASE_MS overrides it (tests) */

typedef struct ddb_lease {
    ddb_store *store;
    char key[64];
    char owner[33];       /* random, per process and lease */
    uint64_t term_ms;
    uint64_t renewed_ms;  /* wall-clock ms of the last successful take or renewal; 0: not held */
} ddb_lease;

void ddb_lease_init(ddb_lease *l, ddb_store *s, const char *name);
/* 1 while this process holds the lease (taking or renewing it when due), 0 while another does;
   a storage error counts as not held. Cheap when held and not due (a clock read). */
int ddb_lease_hold(ddb_lease *l);
/* Gives the lease up (if held), so another process takes over at once instead of at expiry. */
void ddb_lease_release(ddb_lease *l);

#endif
