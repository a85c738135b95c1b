/*
 * server/base/log_turn.h: a loop's log appends, written once a turn instead of once a write.
 *
 * A write acknowledged in the default mode (a data directory without --sync) is in the
 * write-ahead log in the OS's cache, where it survives the process's kill -9. A backend may let a
 * write's append wait in its log's buffer when the writing thread is a loop that said so
 * (ddb_log_turn_defer): it then says what that thread owes (ddb_log_turn_owe), and the loop, at
 * the end of each turn, writes it with ddb_log_turn_flush before it sends the answers it held
 * meanwhile (server/http/respond.c). So one write(2) a log carries a turn's requests, not one a
 * request (storage/rocksdb/rocks_log.c says what the backend keeps, bench/README.md what it saves).
 *
 * A read owes it too when it may have seen another thread's append still in a buffer: no answer
 * leaves that reflects a write a kill -9 could take back. A thread that never defers (a
 * background job, a test) is flushed by the backend at each write and read, as before.
 * Backend-independent (base): the backend gives its flush and its store; one owed at a time (a
 * second is flushed for the first, which a process of one store never needs).
 */
#ifndef DDB_LOG_TURN_H
#define DDB_LOG_TURN_H

#include <stddef.h>

/* The calling thread (a loop) defers its appends to its ddb_log_turn_flush calls. */
void ddb_log_turn_defer(void);
/* Whether the calling thread defers (for the backend). */
int ddb_log_turn_deferring(void);
/* The calling thread owes `flush(owner)` (for the backend; `flush` returns 0, or -1 when an append
   could not be written). */
void ddb_log_turn_owe(int (*flush)(void *owner), void *owner);
/* The calling thread's state (read inline: every answer asks). */
extern __thread struct ddb_log_turn {
    int defer;
    int (*flush)(void *owner);
    void *owner;
    unsigned request; /* the calling thread's requests begun (ddb_log_turn_request) */
    int failed;       /* a flush of this turn failed (ddb_log_turn_flush): until ddb_log_turn_end */
} ddb_log_turn_self;

/* The calling thread begins a request (the API's dispatch): what its earlier requests read orders
   none of this one's writes (a backend's reads owe a write only of their own request), since none
   of their answers has left before the turn's end. */
static inline void ddb_log_turn_request(void)
{
    ddb_log_turn_self.request++;
}

/* Whether the calling thread owes a flush: an answer given now must wait for it (or, after a
   failed flush this turn, fail with the turn's held answers). */
static inline int ddb_log_turn_owed(void)
{
    return ddb_log_turn_self.owner != NULL || ddb_log_turn_self.failed;
}
/* What the calling thread owes, written: 0, or -1 when it could not be, now or at an earlier flush
   of this turn (its writes may be lost: the answers held for it are failures). A flush before the
   turn's end (a catalog change, a door's answer) leaves a failure to the turn's end too. */
int ddb_log_turn_flush(void);
/* The turn's end: ddb_log_turn_flush, and the turn's failure, if any, reported once. */
int ddb_log_turn_end(void);

#endif
