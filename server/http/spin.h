/*
 * server/http/spin.h: whether a loop serving one connection polls after an answer or waits.
 *
 * A lone client in ping-pong (a test suite, a script, wrk -c1) sends its next request a few
 * microseconds after reading an answer. A loop that polls meanwhile (epoll without a wait) takes
 * it without sleeping, which pays where waking a sleeping thread is dear: on a quiet virtual
 * machine a vCPU with nothing to run halts. Elsewhere polling costs: the loop's CPU stays busy,
 * so the scheduler wakes the client on the other CPU, where a client and a server that sleep take
 * turns on one, and with other threads wanting the CPUs a polling loop is a busy thread that waits
 * its turn behind them instead of a sleeper woken at once. On this project's 2-vCPU machine
 * (bench/README.md, "GetItem at one connection"): quiet, GetItem at one connection made 20.4k/s
 * polling and 11k/s waiting; under other sessions' load 3.2-10k/s polling and 7-17k/s waiting,
 * and this trial chose waiting 27 times in 29 (answer to answer 40 us waiting, 69 polling).
 * So the loop measures it: a trial serves DDB_SPIN_TRIAL answers each way, in alternating blocks
 * of DDB_SPIN_BLOCK (so that a change of load hits both alike), and the loop keeps whichever gave
 * the shorter mean time from one answer to the next (the client's round trip, each capped at
 * DDB_SPIN_CAP_NS) for the next DDB_SPIN_KEEP answers, waiting unless polling was clearly shorter.
 */
#ifndef DDB_HTTP_SPIN_H
#define DDB_HTTP_SPIN_H

#include <stdint.h>

#define DDB_SPIN_NS 50000      /* how long a poll lasts after an answer */
#define DDB_SPIN_TRIAL 128     /* answers measured each way */
#define DDB_SPIN_BLOCK 16      /* answers served one way before the trial switches */
#define DDB_SPIN_KEEP 4096     /* answers served the chosen way before the next trial */
#define DDB_SPIN_CAP_NS 250000 /* a longer time between two answers counts as this long (a pause or a stall) */

typedef struct ddb_spin {
    uint64_t until;       /* polling until this time (ns), 0: not polling */
    uint64_t answered_at; /* the previous answer's time, 0: none on one connection */
    unsigned n;           /* answers in the current stretch */
    int keeping;          /* 0: in a trial (the first, from a zeroed struct); 1: serving the choice */
    int choice;           /* the choice polls after its answers */
    uint64_t sum[2];      /* the trial's answer-to-answer times, waiting [0] and polling [1] */
    unsigned count[2];
} ddb_spin;

/*
 * After one turn of the loop at `now` (CLOCK_MONOTONIC, ns): `answered` if it answered a request,
 * `one` if the loop serves exactly one connection. Returns whether the next turn polls (1) or
 * waits (0).
 */
int ddb_spin_next(ddb_spin *s, uint64_t now, int answered, int one);

#endif
