/**
 * @file ddb_pipe.h
 * @brief libddb's pipelined transport: many raw requests in flight from one thread.
 *
 * A ddb_call (ddb.h) blocks its thread until the answer. A program that sends requests it already
 * holds as JSON, at the rate they were recorded (`ddb replay`: tens of thousands a second, from
 * many connections), would need a thread per request in flight and a wake-up per answer. A
 * ddb_pipe sends them on a bounded set of the client's keep-alive connections with non-blocking
 * I/O under one epoll, each request written whole (signed ahead of its sending, into the caller's
 * reused buffer) and the requests waiting on a connection in one sendmsg; one ddb_pipe_poll hands
 * every answer that arrived to a callback, its body as it came (no decoding, no retry: what to do
 * with an answer is the caller's).
 *
 * The endpoint, region and credentials are the client's (ddb_client_new); the pipe borrows the
 * client, which must outlive it. A pipe is used by one thread at a time. HTTP/1.1 pipelining: a
 * connection carries up to DDB_PIPE_DEPTH requests, each sent behind the one before without
 * waiting for its answer; the server executes and answers them in order. A connection the server
 * closed while it idled is found when its next request gets no byte back: its requests are sent
 * once more on a new one. An answer is read until its Content-Length (DynamoDB always sends one).
 */
#ifndef DDB_PIPE_H
#define DDB_PIPE_H

#include <stddef.h>
#include <time.h>

#include "ddb/ddb.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Requests at most on one connection (HTTP/1.1 pipelining). */
#define DDB_PIPE_DEPTH 16
/** An answer's head at most, and its body (DynamoDB's largest answer is 16 MiB): past them the
    answer is a failed one (status 0, the body says why), not memory without bound. */
#define DDB_PIPE_HEAD_MAX (64 * 1024)
#define DDB_PIPE_BODY_MAX (64LL << 20)
/** Regions (and keys) whose signing keys a pipe keeps (ddb_pipe_sign_in, ddb_pipe_sign_as). */
#define DDB_PIPE_REGIONS 16

/** A request written for the wire, head and body (malloc'd, reused by the caller from request to
    request: it only grows; ddb_wire_free gives it back). */
typedef struct ddb_wire {
    char *data;
    size_t len, cap;
} ddb_wire;

DDB_EXTERN void ddb_wire_free(ddb_wire *w);

typedef struct ddb_pipe ddb_pipe;

/** An answer to the request `req` (the caller's pointer, handed back): status is its HTTP status,
    or 0 when none came (the connection failed; body then says why). body is lent until fn returns. */
typedef void ddb_pipe_answer_fn(void *arg, void *req, int status, const char *body, size_t len);

/** A pipe of at most `conns` connections (0: 1) to the client's endpoint. */
DDB_EXTERN ddb_pipe *ddb_pipe_new(ddb_client *c, unsigned conns);
DDB_EXTERN void ddb_pipe_free(ddb_pipe *p);

/** The HTTP request of operation op (its name, oplen bytes) with body (JSON, sent as it is),
    signed now (SigV4, as ddb_call signs), into out (replaced): it may be sent within the
    signature's validity (AWS: 5 minutes). Returns the second it was signed at. */
DDB_EXTERN time_t ddb_pipe_sign(ddb_pipe *p, const char *op, size_t oplen, const char *body, size_t blen, ddb_wire *out);
/** The same, signed for `region` (rlen bytes; NULL or empty: the client's): a request recorded in
    another region (ddbd's --namespaces: a region is a namespace of its own). The signing keys of
    DDB_PIPE_REGIONS regions are kept (the client's among them), each derived once a day; a region
    past them takes the last one's place (its key derived again when it comes back). */
DDB_EXTERN time_t ddb_pipe_sign_in(ddb_pipe *p, const char *region, size_t rlen, const char *op, size_t oplen,
                                   const char *body, size_t blen, ddb_wire *out);
/** A key to sign with other than the client's: its access key id, secret and session token (NULL:
    none), strings borrowed until the pipe is freed, by which the pipe knows the key again (the
    same strings, the same key). */
typedef struct ddb_pipe_key {
    const char *access_key, *secret, *token;
} ddb_pipe_key;
/** The same, signed with `key` (NULL: the client's): a request recorded with another key (ddbd's
    --auth: each key its own rights). Each region and key has its signing state kept, up to
    DDB_PIPE_REGIONS of them together. */
DDB_EXTERN time_t ddb_pipe_sign_as(ddb_pipe *p, const char *region, size_t rlen, const ddb_pipe_key *key,
                                   const char *op, size_t oplen, const char *body, size_t blen, ddb_wire *out);
/** The same for a call of ddbd's admin door (POST path with a JSON body), signed with the
    client's key (under ddbd's --auth a door takes a key with rights=admin; without, it reads no
    signature). */
DDB_EXTERN time_t ddb_pipe_door(ddb_pipe *p, const char *path, const char *body, size_t blen, ddb_wire *out);

/** Whether a connection is free for a request. */
DDB_EXTERN int ddb_pipe_can_send(const ddb_pipe *p);
/** Sends a written request (wire, len: kept by the caller until its answer) on a free connection
    (ddb_pipe_can_send first); req is handed back with the answer. Returns the connection's number.
    It is written at the next ddb_pipe_flush (or poll), with whatever else was queued on its
    connection: one system call. */
DDB_EXTERN unsigned ddb_pipe_send(ddb_pipe *p, void *req, const char *wire, size_t len);
/** Sends it on connection `conn`, behind the requests there, which the server executes and answers
    first: DDB_OK, or DDB_E_INVALID_ARGUMENT when conn holds none (all answered) or DDB_PIPE_DEPTH
    already. */
DDB_EXTERN int ddb_pipe_send_behind(ddb_pipe *p, unsigned conn, void *req, const char *wire, size_t len);
/** Writes the requests queued since the last flush. */
DDB_EXTERN void ddb_pipe_flush(ddb_pipe *p);
/** Requests sent and not answered. */
DDB_EXTERN unsigned ddb_pipe_in_flight(const ddb_pipe *p);
/** Waits up to timeout_ms (-1: until an answer) and hands every answer that arrived to fn. */
DDB_EXTERN void ddb_pipe_poll(ddb_pipe *p, int timeout_ms, ddb_pipe_answer_fn *fn, void *arg);

#ifdef __cplusplus
}
#endif

#endif
