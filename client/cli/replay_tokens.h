/*
 * client/cli/replay_tokens.h: what a recorded server handed out, stood for by what the replayed
 * server hands out (docs/record-replay.md, "Tokens and ids").
 *
 * Some answers hand out a token or an id that later requests name: a shard iterator (GetShardIterator's
 * ShardIterator, GetRecords' NextShardIterator), a backup's ARN (CreateBackup, ListBackups), an
 * export's, an import's and a bulk operation's ARN (ExportTableToPointInTime, ImportTable,
 * StartBulkPutItems and their List operations), and those List operations' NextToken. The replayed
 * server hands out others (an iterator is its own token, an id has a random part) and refuses the
 * recorded ones. So each value a recorded answer handed out is noted with the request that got it,
 * and when that request is answered again, the replay's value in the same place of its answer; a
 * request that names a recorded value (GetRecords' ShardIterator, DescribeBackup's, DeleteBackup's
 * and RestoreTableFromBackup's BackupArn, ListBackups' ExclusiveStartBackupArn, DescribeExport's
 * ExportArn, DescribeImport's ImportArn, the bulk operations' BulkOperationArn, a NextToken) waits
 * for that answer, then goes with the replay's value in its place. A value the recording did not
 * hand out (a consumer that began before it, a backup made before it), or one whose request got
 * none again, goes as recorded. A value handed out again (a ListBackups lists every backup) is
 * stood for by the latest answer that handed it out.
 *
 * Bounded: the last RP_TOKENS_KEEP values handed out are kept, an older one forgotten (a consumer
 * uses an iterator once, soon after it got it; ddbd's expire in 15 minutes, as DynamoDB's).
 */
#ifndef DDB_CLI_REPLAY_TOKENS_H
#define DDB_CLI_REPLAY_TOKENS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json_scan.h"

#define RP_TOKENS_KEEP 4096

typedef struct rp_tokens rp_tokens;

rp_tokens *rp_tokens_new(void);
void rp_tokens_free(rp_tokens *t);
/* Whether operation `op` (its name, unquoted) hands out a value in its answer, which the replay
   then needs read even without --check. */
int rp_tokens_hands_out(ddb_jspan op);
/* Request `seq` of operation op: the values its recorded answer handed out, noted as its. */
void rp_tokens_handed(rp_tokens *t, ddb_jspan op, ddb_jspan response, uint64_t seq);
/* The request (a body) names a value the recording handed out: 1 with the request that got it in
   *seq, and *known when the replay's stand-in is known already; else 0. */
int rp_tokens_named(rp_tokens *t, ddb_jspan request, uint64_t *seq, int *known);
/* Request seq answered again (status 200, answer body/len): each value in that answer stands for
   the one its recorded answer handed out in the same place. */
void rp_tokens_answered(rp_tokens *t, ddb_jspan op, ddb_jspan response, const char *body, size_t len);
/* The request (a body) with the value it names replaced by the replay's: malloc'd (*len set), or
   NULL when no stand-in is known (it goes as recorded). */
char *rp_tokens_rewrite(rp_tokens *t, ddb_jspan request, size_t *len);

#endif
