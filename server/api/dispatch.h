/*
 * server/api/dispatch.h: the steps every request goes through, in DynamoDB's order, and the type of
 * the operation table they dispatch through.
 */
#ifndef DDB_DISPATCH_H
#define DDB_DISPATCH_H

#include <stddef.h>

#include "proto/ops.h"
#include "server/api/auth/auth.h"
#include "server/api/req.h"
#include "server/api/validate/validate.h"

/* What http.c extracted from the HTTP request (plain strings, no h2o types). */
typedef struct ddb_http_in {
    const char *target;  /* X-Amz-Target, may be NULL */
    size_t target_len;
    const char *auth;    /* Authorization, may be NULL */
    size_t auth_len;
    int has_date;        /* an X-Amz-Date or Date header is present */
    const struct ddb_auth_request *http; /* with --auth: the whole request, to verify its signature */
    /* the body could not be decoded (Content-Encoding, http/encoding.h): this error, answered once
       the signature is verified, since the signature covers the body as sent; 0: none */
    int body_error;
    const char *body_error_msg;
    const char *peer;    /* x-ddbd-peer: a peer server's request, from this region (engine/jobs/peer.h); may be NULL */
    size_t peer_len;
} ddb_http_in;

/* One handler signature for every operation: read req->in / req->parsed, write req->out or fail. */
typedef int (*ddb_handler)(ddb_req *req);

/* One operation's entry: NULL and NULL for an operation ddbd does not serve (MISSING in proto/ops.def). */
typedef struct ddb_op_entry {
    ddb_handler handler;
    const ddb_spec *spec; /* the request's validation (server/api/validate/validate.h) */
} ddb_op_entry;

/*
 * What the pipeline runs requests against: handed to it by the wiring (server/server.c). The
 * operation table comes from the layer above (server/ops/optable.h), so the pipeline calls the
 * handlers without knowing them.
 */
typedef struct ddb_api {
    const ddb_op_entry *ops; /* DDB_OP__COUNT entries, indexed by ddb_op */
    struct ddb_engine *eng;  /* every request's req->eng */
    struct ddb_auth *auth;   /* --auth: the keys signatures are verified against and their policies; NULL: none */
    /* what --auth's decisions look up: resource-based policies and the tables of exports,
       imports, bulk operations and shard iterators (server/ops/; auth.h) */
    ddb_auth_lookups lookups;
    int namespaces;          /* --namespaces: each account and region its own tables */
    const char *regions;     /* with it, --regions LIST: the Regions served (base/regions.h; NULL: AWS's) */
    int lenient_numbers;     /* --lenient-numbers (validate.h) */
    /* --region-peer: a peer server's requests (x-ddbd-peer; server/ops/ops_peer.c), sent with
       peer_key (the key of --peer-key; NULL without --auth: any); NULL: no peers, refused */
    ddb_handler peer;
    const char *peer_key;
    /* charges what a handler recorded on req->meter, adding its units to *read and *write
       (engine/capacity/meter.h's ddb_meter_charge); NULL: nothing is charged */
    void (*charge)(struct ddb_meter *m, int op, double *read, double *write);
    /* the server's injected faults (api/faults/inject.h); the pipeline calls it only while inject_armed,
       which it sets (atomic) while a rule is in force; NULL and 0: none */
    struct ddb_inject *inject;
    int inject_armed;
    /* DynamoDB's per-account rates of control plane operations (rates.h); NULL:
       --control-plane-rates off */
    struct ddb_rates *rates;
    /* recordings of the traffic (record.h): the recorder, and the recording in progress, which the
       HTTP front loads (atomic) at each answer; NULL: none, the one test it costs */
    struct ddb_recorder *recorder;
    struct ddb_recording *recording;
    /* (atomic) set when the server is told to stop (SIGTERM, SIGINT), before its threads are
       joined: work that may run long on a door (the import's sample) ends when it sees it */
    int stopping;
} ddb_api;

/* op's entry in api's table; NULL for DDB_OP_NONE and values out of range. */
const ddb_op_entry *ddb_op_entry_of(const ddb_api *api, int op);

/*
 * Runs: JSON parse (SerializationException) -> operation lookup (UnknownOperationException) ->
 * authentication header (MissingAuthenticationToken/IncompleteSignature) -> field validation ->
 * the operation's rate (rates.h) -> an injected fault (inject.h) -> the handler. The outcome is in req->err (error) or req->out (success). An in-process request
 * (req->internal, with in->http NULL: --seed) skips authentication and --auth's policy; with
 * req->validate_only the handler is not run.
 */
void ddb_dispatch(const ddb_api *api, ddb_req *req, const ddb_http_in *in);

#endif
