/*
 * server/api/req.h: one DynamoDB request as the operations see it.
 *
 * http.c builds a ddb_req from the HTTP request; dispatch.c parses and validates it and calls the
 * operation's handler; the handler writes its JSON result through req->out or records an error
 * with ddb_req_fail(); http.c renders either one. Memory comes from req->arena.
 */
#ifndef DDB_REQ_H
#define DDB_REQ_H

#include <stdint.h>

#include "proto/arena.h"
#include "proto/attr.h"
#include "proto/json.h"
#include "server/base/error.h"
#include "server/expr/expr.h" /* ddb_parsed */

struct ddb_engine;
struct ddb_auth;
struct ddb_meter;

#define DDB_DEFAULT_ACCOUNT "000000000000"

/* ReturnConsumedCapacity (NONE when absent) */
typedef enum ddb_rcc { DDB_RCC_NONE, DDB_RCC_TOTAL, DDB_RCC_INDEXES } ddb_rcc;

typedef struct ddb_req {
    ddb_arena *arena;
    struct ddb_engine *eng; /* what the operation works on (engine/engine.h); set by dispatch */
    /* --auth's policy for what only the handler can name (a PartiQL statement's action and table):
       allow(auth, req, action, table, index) returns DDB_OK or records AccessDeniedException; index
       non-NULL: the statement reads that index of the table ("T"."I"); NULL: no policy */
    int (*allow)(const struct ddb_auth *auth, struct ddb_req *req, const char *action, const char *table,
                 const char *index);
    const struct ddb_auth *auth;
    const struct ddb_auth_lookups *lookups; /* what --auth's decisions look up (auth.h); set with auth */
    int op;                 /* ddb_op */
    ddb_value_dialect values; /* the wording of its AttributeValues' errors (proto/attr.h), from its op */
    const char *body;       /* raw request body */
    size_t body_len;
    const ddb_json *in;     /* the parsed request (an OBJECT) once dispatch has parsed it */
    ddb_jw out;             /* the handler's JSON result; an empty body means "{}" */
    ddb_buf *outbuf;
    ddb_error err;
    ddb_parsed parsed;      /* what validation decoded and parsed for the handler (server/expr/expr.h) */
    const char *access_key; /* from the Authorization header's Credential */
    const char *region;
    /* --namespaces: the account ARNs carry (DDB_DEFAULT_ACCOUNT unless namespaces are on and the key
       names one) and the catalog namespace of the request's tables ("" the default; catalog.h) */
    const char *account;
    const char *ns;
    /* the table ARNs validation resolved to names (validate_arn.c), kept because DynamoDB answers
       under the key as sent: TableName's (ConsumedCapacity), and RequestItems' by member (Responses,
       Unprocessed*, ConsumedCapacity, ItemCollectionMetrics); NULL where a name was sent */
    const char *table_as_sent;
    const char **items_as_sent;
    /* the request's TableName, an ARN resolved to its name (validate_arn.c; a sub-request made
       in-process: ddb_req_internal), for the handler; NULL where none was sent */
    const char *table;
    /* its ReturnConsumedCapacity, read once by dispatch after validation checked it (or by
       ddb_req_internal from the sub-request's own) */
    ddb_rcc rcc;
    uint64_t now_ms;        /* wall clock at arrival */
    /* what the handler consumed, recorded as it went (engine/capacity/meter.h; NULL: nothing), charged once
       by dispatch after the handler returns, which sets the units it consumed (access log, span) */
    struct ddb_meter *meter;
    double consumed_read, consumed_write;
    int internal;           /* made in-process (--seed): no Authorization header, no --auth policy */
    int authenticated;      /* --auth verified its signature (a recording with --auth takes no other) */
    unsigned drawn;         /* the --stale-reads draws its eventually consistent reads took (read.h) */
    int lenient_numbers;    /* --lenient-numbers: its numbers may come as strings (api/validate/validate.h) */
    int validate_only;      /* stop after validation, before the handler (--seed checks everything first) */
    /* --seed of a template whose provisioned table's write capacity is auto scaled (CloudFormation's
       GlobalTable): its ReplicaUpdates are made, as Application Auto Scaling's registration lets
       DynamoDB make them (ops_replicas.c); never set by a client's request */
    int write_autoscaled;
    /* an ImportTable of the admin door's POST /ddbd/import (doors/import_door.c): its anonymisation
       rules (engine/xfer/anon.h), which its record keeps; never set by a client's request */
    const ddb_json *import_rules;
    const char *peer;       /* a peer server's request (--region-peer): the region it comes from */
    /* an injected fault (api/faults/inject.h): its name (metrics, the access log), the latency added to
       the answer (http/respond.c), the batch's requests left unprocessed (ops_batch.c), GetRecords'
       records held back (ops_streams.c), how long its item writes wait before they replicate
       (ReplicationLag: each write's mutation carries it, engine/mutation_types.h's repl_hold_ms),
       and how its answer is broken on the way (DDB_CONN_FAULT_*, http/respond.c) */
    const char *fault;
    unsigned fault_delay_ms;
    uint32_t fault_unprocessed;
    int fault_stream_lag;
    unsigned fault_repl_hold_ms;
    int fault_conn;
} ddb_req;

/* How an injected fault breaks an answer on its way (api/faults/inject.h's connection faults). */
enum { DDB_CONN_FAULT_NONE, DDB_CONN_FAULT_RESET, DDB_CONN_FAULT_TRUNCATE, DDB_CONN_FAULT_BAD_CRC };

/* ReturnConsumedCapacity of a request `in` whose spec checked it (DDB_RCC_NONE when absent). */
ddb_rcc ddb_rcc_parse(const ddb_json *in);

/*
 * Records the first failure of a request and returns its code, so callers write
 * `return ddb_req_fail(req, DDB_E_VALIDATION, "...");`. A later failure never overwrites an
 * earlier one. fmt NULL means the error has no message field.
 */
int ddb_req_fail(ddb_req *req, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with an already formatted message (not copied; must outlive the request). */
int ddb_req_fail_msg(ddb_req *req, int code, const char *msg);
/* The same for an internal error: DDB_E_INTERNAL with its one message (DDB_MSG_INTERNAL). */
int ddb_req_fail_internal(ddb_req *req);
/* TransactionCanceledException with one reason per action, in action order (a NULL code is
   "None"), in DynamoDB's words: "Transaction cancelled, please refer cancellation reasons for
   specific reasons [None, ConditionalCheckFailed]". reasons is kept: it must outlive the request. */
int ddb_req_fail_cancelled(ddb_req *req, ddb_cancel_reason *reasons, uint32_t n);

/* Appends req->err as DynamoDB's error body: {"__type": "<namespace>#<Type>", "message": ..., and
   each detail set: the Item a condition returned, the CancellationReasons, the ThrottlingReasons}. */
void ddb_req_render_error(const ddb_req *r, ddb_buf *out);

/*
 * `sub`, a request a handler runs in-process on parent's engine (ImportTable's CreateTable, a
 * replica's CreateTable or DeleteTable): operation `op` on the parsed `in`, its answer written
 * into `out`, in the namespace `ns` of `account` and `region`; internal, so no --auth policy.
 */
void ddb_req_internal(ddb_req *sub, const ddb_req *parent, ddb_arena *a, int op, const ddb_json *in, ddb_buf *out,
                      const char *account, const char *region, const char *ns);

#endif
