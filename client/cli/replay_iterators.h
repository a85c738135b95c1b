/*
 * client/cli/replay_iterators.h: a recording's shard iterators stood for by the replay's own
 * (docs/record-replay.md, "Streams").
 *
 * A shard iterator (GetShardIterator's ShardIterator, GetRecords' NextShardIterator) is a token of
 * the server that handed it out: the replayed server hands out others, and refuses the recorded
 * ones. So the iterator each recorded answer handed out is noted with the request that got it, and
 * when that request is answered again, with the one the replay got; a request that names a recorded
 * iterator (GetRecords' ShardIterator) waits for that answer, then goes with the replay's iterator
 * in its place. An iterator the recording did not hand out (its consumer began before the
 * recording), or one whose request got none again, goes as recorded.
 *
 * Bounded: the last RP_ITERS_KEEP iterators handed out are kept, an older one forgotten (a consumer
 * uses an iterator once, soon after it got it; ddbd's expire in 15 minutes, as DynamoDB's).
 */
#ifndef DDB_CLI_REPLAY_ITERATORS_H
#define DDB_CLI_REPLAY_ITERATORS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json_scan.h"

#define RP_ITERS_KEEP 4096

typedef struct rp_iters rp_iters;

rp_iters *rp_iters_new(void);
void rp_iters_free(rp_iters *it);
/* Whether operation `op` (its name, unquoted) hands out an iterator in its answer, which the replay
   then needs read even without --check. */
int rp_iters_hands_out(ddb_jspan op);
/* Request `seq` of operation op: the iterator its recorded answer handed out, noted as its. */
void rp_iters_handed(rp_iters *it, ddb_jspan op, ddb_jspan response, uint64_t seq);
/* The request (a body) names an iterator the recording handed out: 1 with the request that got it
   in *seq, and *known when the replay's stand-in is known already; else 0. */
int rp_iters_named(rp_iters *it, ddb_jspan request, uint64_t *seq, int *known);
/* Request seq answered again (status 200, answer body/len): the iterator in that answer stands for
   the one its recorded answer handed out. */
void rp_iters_answered(rp_iters *it, ddb_jspan op, ddb_jspan response, const char *body, size_t len);
/* The request (a body) with the iterator it names replaced by the replay's: malloc'd (*len set),
   or NULL when no stand-in is known (it goes as recorded). */
char *rp_iters_rewrite(rp_iters *it, ddb_jspan request, size_t *len);

#endif
