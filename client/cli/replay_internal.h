/*
 * client/cli/replay_internal.h: what replay.c and replay_read.c share: a recorded request (rec), the
 * replay's state, their bounds, the heaps, and the reading of the recording.
 */
#ifndef DDB_REPLAY_INTERNAL_H
#define DDB_REPLAY_INTERNAL_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <time.h>

#include "client/cli/replay.h"
#include "client/cli/replay_check.h"
#include "client/cli/replay_faults.h"
#include "client/cli/replay_keys.h"
#include "client/cli/replay_polls.h"
#include "client/cli/replay_tokens.h"
#include "client/cli/replay_order.h"
#include "ddb/ddb_pipe.h"
#include "proto/buf.h"

/* Lines read ahead and reordered by arrival: ddbd's HTTP threads write a batch when it holds 64 KB,
   some hundred lines, so a line is rarely more than a few batches out of place. */
#define READ_AHEAD 4096
/* Requests taken and not yet answered again (a power of two): far more than are ever in flight
   (--connections), and few enough that their lines stay in the caches and an access answered long
   ago is forgotten before a later request looks. */
#define IN_REPLAY 2048
/* A request due this soon is signed when taken, off the path from an answer to what waited for it;
   one signed longer ago than SIGN_AHEAD_MS is signed again when sent (AWS takes 5 minutes). */
#define SIGN_AHEAD_MS 60000
/* Requests taken (read, ordered, signed) between two looks at the answers while some are in flight. */
#define TAKE_BUDGET 256
/* A recorded line at most: DynamoDB's largest request (16 MiB, ddbd's --max-body) and largest
   answer (16 MiB, a BatchGetItem's), with 8 MiB for the line's other members and escapes. A longer
   line is read through without being kept, reported unreadable, and the replay goes on: a 400 MB
   line was read whole (864 MB), issue 73. */
#define LINE_MAX_BYTES (40u << 20)
/* The bytes of the lines read ahead, and of those taken and not yet answered with their signed
   requests, at most each (besides READ_AHEAD and IN_REPLAY lines): 4,096 lines of 1 MB held 3.4 GB.
   One line always goes. */
#define AHEAD_BYTES (64u << 20)
#define RING_BYTES (64u << 20)
/* A free line's buffers keep up to this much for the next line (a longer one's are freed). */
#define KEEP_BYTES (16u * 1024)

typedef struct rec {
    char *text; /* the line (its buffer, reused by the next line read into this rec up to KEEP_BYTES) */
    size_t cap;
    size_t len; /* its bytes, counted in the replay's ahead_bytes or ring_bytes */
    int line;
    uint64_t seq;
    long long t, start, end;
    int status;
    unsigned draws;     /* --stale-reads draws its reads took (ddbd's recordings), or 0 */
    ddb_jspan conn, op, request, response;
    ddb_jspan region;   /* the region it was signed for (ddbd's recordings), or none */
    ddb_jspan key;      /* the access key --auth verified it with (ddbd's recordings), or none */
    char *request_text; /* a body that is not JSON (requestText), unescaped (malloc'd) */
    const char *body;
    size_t blen;
    int skip, unchecked, done;
    int clock;          /* a clock step (POST /ddbd/clock's body in body), not an API request */
    int unobserved;     /* an SDK recorder's line: its order across connections was never seen */
    unsigned waiting;   /* requests (and one for the prefix) it still waits for */
    uint64_t prefix;    /* waits until every request below it is answered */
    uint64_t *waiters;  /* requests waiting for it (reused buffer) */
    size_t nwaiters, capwaiters;
    double due;
    ddb_wire wire;      /* the HTTP request, signed (reused buffer) */
    time_t signed_at;   /* 0: not signed yet */
    /* its connection's order: the previous request (behind) and the next (conn_next), each its
       seq + 1 (0: none). It may go once the previous is sent, behind it on its connection, which
       the server answers in order (ddb/ddb_pipe.h); conn_wait: that one is not sent yet (one of
       `waiting`), or it was and its connection was full (then until it is answered) */
    uint64_t behind, conn_next;
    int conn_wait, sent;
    unsigned conn_ix; /* the connection it went on (the pipe's number) */
    /* a value it names that the recording's server handed out, a shard iterator or an id
       (replay_tokens.h): the request that got it, its seq + 1 (0: none); its body with the
       replay's value in its place */
    uint64_t token_from;
    char *token_body;
    /* a poll of a job's state (replay_polls.h): sent again (polls times, until poll_until) while the
       replayed job is behind the recorded one; in_progress: recorded so, not compared */
    int poll, in_progress;
    unsigned polls;
    double poll_until;
} rec;

/* A binary min-heap of recs by (k1, k2), the keys beside the pointers: a comparison reads no rec. */
typedef struct entry {
    double k1;
    uint64_t k2;
    rec *r;
} entry;

typedef struct heap {
    entry *a;
    size_t n, cap;
} heap;

typedef struct replay {
    const ddb_replay_opts *o;
    FILE *out, *err, *in;
    rp_order *order;
    ddb_pipe_key *keys; /* --keys: the key file's keys (their strings malloc'd) */
    size_t nkeys;
    rp_tokens *tokens; /* what the recording's server handed out and the replay's stand-ins */
    ddb_pipe *sender; /* libddb's pipelined transport */
    rp_waits waits;
    heap ahead, ready, prefixed;
    heap piped; /* ready to go behind their connection's previous request, which is in flight */
    rec *ring[IN_REPLAY];
    rec **pool; /* free recs */
    size_t npool, cappool;
    uint64_t next_seq, done_prefix;
    size_t ahead_bytes, ring_bytes; /* the lines' bytes in ahead; in the ring, with their signed requests */
    size_t unreadable;              /* lines past LINE_MAX_BYTES, passed over */
    int line, eof, dry_run;
    long long t0;
    int have_t0;
    struct timespec started;
    char inbuf[1 << 20]; /* the recording's read buffer: a read a megabyte */
    /* the report */
    size_t sent, skipped, not_run, lost, unchecked, divergences, late, max_in_flight;
    size_t polled_again, polls_in_progress; /* polls sent again; polls recorded in progress (replay_polls.h) */
    size_t by_conn, by_conflict, behind, pipelined;
    size_t clock_steps, clock_refused;
    char *unobserved_conn; /* the first connection of an SDK recorder's line, */
    int unobserved_conns;  /* ... and whether another was seen (2): the order across them is unknown */
    long long last_start;
    struct first_divergence {
        char *op;
        int line;
        char *text;
        size_t count;
    } *firsts;
    size_t nfirsts;
} replay;

/* r by (k1, k2): arrival (start, line), due (due, seq), prefix (prefix, seq); each exact in a double. */
void heap_push(heap *h, rec *r, double k1, uint64_t k2);
rec *heap_pop(heap *h);
/* A free rec (a line's buffers kept for the next), given back when its request is done. */
rec *rec_take(replay *rp);
void rec_give(replay *rp, rec *r);
void rec_free(rec *r);
/* Reads lines until the window is full or the file ends: 0, or 2 (a line that is no request). */
int read_ahead(replay *rp);

#endif
