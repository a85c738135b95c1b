/*
 * server/base/gate.h: the request gate, which lets an admin operation run with no request in flight
 * (a snapshot restore swaps the store and the catalog under the requests' feet otherwise).
 *
 * Each HTTP thread has a slot it marks while it runs a request (one store and one load of a flag
 * of its own, no lock, on the hot path). Closing the gate makes new requests wait and waits until
 * every slot is clear; opening it lets them go. Closers are serialised: one admin operation at a
 * time holds the gate from close to open.
 */
#ifndef DDB_GATE_H
#define DDB_GATE_H

typedef struct ddb_gate ddb_gate;

ddb_gate *ddb_gate_new(unsigned slots);
void ddb_gate_free(ddb_gate *g);

/* A request starts on thread `slot` (waits while the gate is closed), and ends. */
void ddb_gate_enter(ddb_gate *g, unsigned slot);
void ddb_gate_leave(ddb_gate *g, unsigned slot);

/* Stops new requests and waits until none is in flight (not from inside a request). */
void ddb_gate_close(ddb_gate *g);
void ddb_gate_open(ddb_gate *g);

#endif
