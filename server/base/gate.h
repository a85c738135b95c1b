/*
 * server/base/gate.h: the request gate, which lets an admin operation run with no request in flight
 * (a snapshot restore swaps the store and the catalog under the requests' feet otherwise), and
 * tells the catalog when what it replaced can be freed (grace periods).
 *
 * Each HTTP thread has a slot it marks while it runs a request (one store and one load of a
 * counter of its own, no lock, on the hot path). Closing the gate makes new requests wait and waits
 * until every slot is clear; opening it lets them go. Closers are serialised: one admin operation
 * at a time holds the gate from close to open.
 *
 * Grace periods. A slot counts its requests' starts and ends (odd: one in flight), so a mark of
 * every slot's count says which requests were in flight then, and a later look says whether each
 * has ended since (its count moved). A thread that reads tables outside a request (a background
 * job's pass, an admin door, the seed) takes a hold for the time it uses what it read: holds are
 * numbered as they start, so a mark also says which holds it waits for. The catalog unlinks a
 * replaced description, marks, and frees the description once the mark has passed
 * (engine/catalog/catalog.c): nothing that could have read the pointer is still running. Nothing
 * waits: the catalog looks again at its next change.
 */
#ifndef DDB_GATE_H
#define DDB_GATE_H

#include <stdint.h>

typedef struct ddb_gate ddb_gate;

ddb_gate *ddb_gate_new(unsigned slots);
void ddb_gate_free(ddb_gate *g);

/* A request starts on thread `slot` (waits while the gate is closed), and ends. */
void ddb_gate_enter(ddb_gate *g, unsigned slot);
void ddb_gate_leave(ddb_gate *g, unsigned slot);

/* Stops new requests and waits until none is in flight (not from inside a request). */
void ddb_gate_close(ddb_gate *g);
void ddb_gate_open(ddb_gate *g);

/* A thread's use of tables outside a request (on its stack; nested holds are fine). A NULL gate: nothing. */
typedef struct ddb_gate_hold {
    uint64_t seq;
    struct ddb_gate_hold *prev, *next;
} ddb_gate_hold;
void ddb_gate_hold_begin(ddb_gate *g, ddb_gate_hold *h);
void ddb_gate_hold_end(ddb_gate *g, ddb_gate_hold *h);

/* Whether this thread is inside a request or a hold now (of any gate: a thread-local depth). */
extern _Thread_local unsigned ddb_gate_depth;
static inline int ddb_gate_inside(void)
{
    return ddb_gate_depth != 0;
}

/* What was in flight at one moment (ddb_gate_mark_now); made with ddb_gate_mark_new. */
typedef struct ddb_gate_mark ddb_gate_mark;
ddb_gate_mark *ddb_gate_mark_new(const ddb_gate *g);
void ddb_gate_mark_free(ddb_gate_mark *m);
/* Records the requests and holds in flight now. */
void ddb_gate_mark_now(ddb_gate *g, ddb_gate_mark *m);
/* Whether every request and hold in flight at the mark has ended. */
int ddb_gate_passed(ddb_gate *g, const ddb_gate_mark *m);

#endif
