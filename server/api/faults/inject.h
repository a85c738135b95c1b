/*
 * server/api/faults/inject.h: faults injected into DynamoDB requests on purpose, chosen by operation and
 * table, so that an application's retry and back-off paths run as they do against DynamoDB under
 * load or failure (issue 54; docs/testing.md, "Injected faults").
 *
 * A rule names an operation ("PutItem", "read", "write" or any), a table (or any), what happens
 * (one of DDB_INJECT_KINDS, and/or added latency), how often (a probability, drawn from the rule's
 * own generator seeded by --fault-seed, so a run repeats exactly), how many times (a count: "the
 * next 3 PutItems on Orders") and when (a window on the server's clock, clock.h: /ddbd/clock moves
 * it). Rules come from --fault SPEC at start and from /ddbd/faults (doors/faults_door.c) at run time.
 *
 * The decision is one step of the pipeline (dispatch.c), after validation and before the handler:
 * a request DynamoDB would refuse is refused as before, and a fault stands for what goes wrong
 * once DynamoDB has taken the request. With no rule, the step is one load and one test.
 */
#ifndef DDB_INJECT_H
#define DDB_INJECT_H

#include <stddef.h>

#include "proto/json.h"
#include "server/api/req.h"

/*
 * What a rule injects: X(ID, "name", error code). The name is what a rule, /metrics and the
 * access log call it: the error's own __type name, but for the kinds that are no error of their
 * own (an error code of 0):
 *   TransactionConflict  a transaction (TransactWriteItems, TransactGetItems, ExecuteTransaction)
 *                        is cancelled with one action's reason TransactionConflict, as DynamoDB
 *                        reports another transaction on its item; any other operation fails with
 *                        TransactionConflictException, as a single-item write does then
 *   UnprocessedItems     BatchWriteItem/BatchGetItem leave the second half of their requests (in
 *                        request order) unprocessed, really unwritten or unread, and answer them in
 *                        UnprocessedItems/UnprocessedKeys; a batch of one item is left alone
 *   StreamLag            GetRecords answers no records yet, and an iterator at the same place, as
 *                        while a stream's records are late: a lag spike as long as the rule's count
 *                        or window (other operations are left alone)
 *   ReplicationLag       an item write (PutItem, UpdateItem, DeleteItem, BatchWriteItem,
 *                        TransactWriteItems, PartiQL's) reaches the global table's other replicas
 *                        only the rule's latency_ms after its write, as when DynamoDB's
 *                        ReplicationLatency spikes: each of its changes' stream records carries
 *                        that hold (DDB_REC_HELD, engine/history/streams.h) and replication, in
 *                        order per stream shard, waits for it (engine/jobs/replication.h), so a
 *                        replica is never more than latency_ms behind a steady writer; the answer
 *                        itself is not delayed (other operations are left alone)
 *   Latency              nothing but the rule's latency
 * and the faults of the connection, not of DynamoDB's answer: the request is carried out (its
 * writes applied, its capacity charged) and its answer is broken on the way back, as a network or
 * a load balancer breaks one, so that the client's retry of an applied request is what runs:
 *   ConnectionReset      the connection is reset (TCP RST) instead of the answer's end: the SDK
 *                        sees a connection error
 *   TruncatedBody        the answer's body is cut after half of its Content-Length and the
 *                        connection closed: the SDK sees an incomplete read
 *   BadCrc32             the answer's x-amz-crc32 is not its body's: the SDK refuses it as corrupt
 *                        (botocore's "CRC32 check failed", the JS SDK's, the Go SDK's) and retries
 * (http/respond.c acts on them: req->fault_conn)
 */
#define DDB_INJECT_KINDS(X)                                                                                \
    X(INTERNAL, "InternalServerError", DDB_E_INTERNAL)                                                     \
    X(UNAVAILABLE, "ServiceUnavailableException", DDB_E_SERVICE_UNAVAILABLE)                               \
    X(THROTTLING, "ThrottlingException", DDB_E_THROTTLING)                                                 \
    X(THROUGHPUT, "ProvisionedThroughputExceededException", DDB_E_THROUGHPUT_EXCEEDED)                     \
    X(REQUEST_LIMIT, "RequestLimitExceeded", DDB_E_REQUEST_LIMIT_EXCEEDED)                                 \
    X(CONFLICT, "TransactionConflict", 0)                                                                  \
    X(UNPROCESSED, "UnprocessedItems", 0)                                                                  \
    X(STREAM_LAG, "StreamLag", 0)                                                                          \
    X(REPLICATION_LAG, "ReplicationLag", 0)                                                                \
    X(LATENCY, "Latency", 0)                                                                               \
    X(CONN_RESET, "ConnectionReset", 0)                                                                    \
    X(TRUNCATED, "TruncatedBody", 0)                                                                       \
    X(BAD_CRC, "BadCrc32", 0)

typedef enum ddb_inject_kind {
#define X(id, name, code) DDB_INJECT_##id,
    DDB_INJECT_KINDS(X)
#undef X
    DDB_INJECT__COUNT
} ddb_inject_kind;

#define DDB_INJECT_MAX_RULES 64

/*
 * One server's rules, their seed and the counts of what they injected: a server's own, made when it
 * opens and freed when it closes (server.c; ddb_api.inject), so that two servers in one process
 * (the in-process tests, an embedding) share none of them. Everything that reads or changes them
 * (/ddbd/faults, and through it the MCP tools and the console; /metrics; --fault and --fault-seed)
 * is handed its server's. The conflict rates' draws (base/faults.h) are still the process's.
 */
typedef struct ddb_inject ddb_inject;

/* A server's state, no rule in force. `armed` is where the pipeline looks (ddb_api.inject_armed):
   set while a rule is in force, so that a request with none costs one load and one test. */
ddb_inject *ddb_inject_new(int *armed);
void ddb_inject_free(ddb_inject *in);

/* The pipeline's step (dispatch.c, when its armed flag is set): the first rule that matches req and
   fires decides. It records its error on req (ddb_req_fail), or sets req->fault_unprocessed,
   fault_stream_lag or fault_repl_hold_ms, and req->fault/fault_delay_ms. */
void ddb_inject_decide(ddb_inject *in, ddb_req *req);

/* --fault-seed: the seed of the rules' draws from now on (each rule's generator starts from it and
   the rule's place among those added since the last clear). */
void ddb_inject_seed(ddb_inject *in, unsigned long long seed);

/* --fault's "key=value,key=value" form: NULL if it is a whole rule, or what is wrong (static text or
   written into err). config.c checks the command line's with it; the server adds them when it opens
   (ddb_inject_add_spec), so their windows count from then, on the server's clock as main.c set it
   (--clock frozen@MS), and two runs of one test see the same windows. */
const char *ddb_inject_check_spec(const char *spec, char *err, size_t errlen);
const char *ddb_inject_add_spec(ddb_inject *in, const char *spec, char *err, size_t errlen);
/* Adds the rules of {"faults": [{...}, ...][, "seed": n]}, all or none; NULL, or what is wrong. */
const char *ddb_inject_add_json(ddb_inject *inj, const ddb_json *in, char *err, size_t errlen);
/* Removes every rule (the injected counts in /metrics stay: they are counters). */
void ddb_inject_clear(ddb_inject *in);
/* Writes "faults": [...] (each rule with its remaining count and times injected) and "seed" as members
   of the object w is in. */
void ddb_inject_list(ddb_inject *in, ddb_jw *w);
/* ddbd_faults_injected_total{operation,error}, for /metrics. */
void ddb_inject_metrics(ddb_inject *in, ddb_buf *out);

#endif
