/*
 * client/cli/replay.h: `ddb replay FILE`: a recording (ddbd --record, /ddbd/record, or the SDK-side
 * recorders of integrations/record/; docs/record-replay.md) sent again to an endpoint, and with
 * --check its answers compared with the recorded ones.
 */
#ifndef DDB_CLI_REPLAY_H
#define DDB_CLI_REPLAY_H

#include <stdio.h>

#include "ddb/ddb.h"

typedef struct ddb_replay_opts {
    double speed;         /* the recorded pace times this (1: as recorded); 0: as fast as it goes */
    int check;            /* compare every answer with the recorded one */
    int dry_run;          /* print the schedule, send nothing */
    unsigned connections; /* at most this many in flight (--connections) */
    int no_pipelining;    /* a request waits for its connection's previous answer, never goes behind it */
    int one_region;       /* every request signed for db's region (--region given), not for its line's */
    const char *keys;     /* --keys: ddbd's --auth key file; a line's recorded key signs it (NULL: none) */
} ddb_replay_opts;

/* Replays the recording at path (streamed) to db's endpoint, with db's credentials (or, with
   o->keys, the key its line records, where the file has it), each request
   signed for the region its line records, else (and with one_region) db's region (on libddb's
   pipelined transport; db unused by a dry run). Exit status: 0; 1 a divergence (with --check) or a
   request that got no answer; 2 the recording cannot be read (said on err). */
int ddb_replay(ddb_client *db, const char *path, const ddb_replay_opts *o, FILE *out, FILE *err);

/* When the i-th request is due, in ms from the replay's start: (t - t0) / speed, 0 as fast as it
   goes (speed 0). */
double ddb_replay_due_ms(long long t, long long t0, double speed);

#endif
