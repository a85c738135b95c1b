/*
 * client/cli/replay_order.h: what a replayed request waits for (docs/record-replay.md, "Order"),
 * read with proto/json_scan.h's scanner.
 *
 * A request waits for its connection's previous request, and for every earlier request it
 * conflicts with that was answered before it arrived (recorded `end` before its `start`). Two
 * requests conflict when they touch one resource and one of them writes it: an item (table and
 * key), a table (Query, Scan and the Describe* read it; the control plane writes it; item
 * operations take it in an intent mode, so that a Scan is ordered against the puts of its table
 * and two puts of different items are not ordered, unless their table has a stream: then each
 * write also writes the table's stream, whose shards show writes in their commit order; once
 * a throttled answer of the table was read ahead, each charged request writes its capacity; and a
 * request whose line says its reads took --stale-reads draws writes its tables' draws), and
 * everything (an operation without a table,
 * PartiQL's, one this file does not know: it waits for every request that arrived before it, and
 * every later request waits for it once it was answered). Requests are added in arrival order
 * (their `start`), each given the next sequence number; every wait is on a smaller one, so no wait
 * is circular.
 *
 * Cost: a resource keeps its last RP_KEEP accesses; an older one is folded into a floor (wait until
 * every request up to it is answered: conservative, never wrong). Accesses already answered again
 * are dropped, and a write answered before a request arrived stands for every access it waited
 * for. So each access is O(RP_KEEP), the resources live in one open-addressed table that is swept
 * of the finished ones, and no step looks at the recording as a whole.
 */
#ifndef DDB_CLI_REPLAY_ORDER_H
#define DDB_CLI_REPLAY_ORDER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json_scan.h"

/* ---- the order ---- */

#define RP_KEEP 8

/* Why a request waits for another: its connection's order, or a conflict. */
enum { RP_BY_CONN, RP_BY_CONFLICT };

typedef struct rp_order rp_order;

/* One request, as the order sees it. */
typedef struct rp_req {
    uint64_t seq; /* given in arrival order, from 0 */
    int line;
    long long start, end;
    ddb_jspan conn, op, request;
    int status; /* the recorded answer's */
    int draws;  /* its reads took --stale-reads draws (the line's `draws`): its tables' draws it takes */
} rp_req;

/* What one request waits for: `n` requests (repeats possible), and every request below `prefix`. */
typedef struct rp_waits {
    uint64_t *seq;
    int *line;
    unsigned char *why;
    size_t n, cap;
    uint64_t prefix; /* 0: none */
} rp_waits;

/* is_done(arg, seq): whether request seq was answered again (lets the order forget it). */
rp_order *rp_order_new(int (*is_done)(void *arg, uint64_t seq), void *arg);
void rp_order_free(rp_order *o);
/* Learns a table's key attributes from a request read ahead (a successful CreateTable's KeySchema,
   a successful GetItem's, UpdateItem's or DeleteItem's Key): a PutItem's item is known by them.
   And, from one whose answer was `throttled`, that its tables' capacity is enforced: from then
   on their charged requests (the item operations, Query, Scan) keep their order. */
void rp_order_learn(rp_order *o, ddb_jspan op, ddb_jspan request, int status, int throttled);
/* Adds request r (seq one more than the last) and fills w with what it waits for. */
void rp_order_add(rp_order *o, const rp_req *r, rp_waits *w);
/* The recorded connections seen. */
size_t rp_order_connections(const rp_order *o);

#endif
