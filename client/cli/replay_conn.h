/*
 * client/cli/replay_conn.h: the sender of `ddb replay`: many requests in flight from one thread, on
 * a bounded set of keep-alive connections with non-blocking I/O (epoll), each request signed
 * (SigV4) with a signing key derived once a day, ahead of its sending (off the path from one
 * answer to the next request), into the caller's reused buffer: no allocation a request once the
 * buffers have grown.
 *
 * Why its own sender rather than libddb's ddb_call: a call blocks its thread until the answer, so a
 * replay at a recording's rate (tens of thousands a second, from many connections) would take a
 * thread per request in flight and a wake-up per answer; here one epoll_wait collects every answer
 * that arrived.
 */
#ifndef DDB_CLI_REPLAY_CONN_H
#define DDB_CLI_REPLAY_CONN_H

#include <stddef.h>
#include <time.h>

#include "proto/buf.h"

typedef struct rp_sender rp_sender;

/* An answer: status 0 when none came (the connection failed; body then says why). */
typedef void rp_answered_fn(void *arg, void *req, int status, const char *body, size_t len);

/* A sender to endpoint (NULL: $AWS_ENDPOINT_URL_DYNAMODB, $AWS_ENDPOINT_URL, http://localhost:8000,
   as libddb) in region (given: every request's; NULL: a recorded line's region, else $AWS_REGION,
   $AWS_DEFAULT_REGION, us-east-1) with at most conns
   connections; NULL with why in err. Credentials: $AWS_ACCESS_KEY_ID, $AWS_SECRET_ACCESS_KEY
   (default "local"), $AWS_SESSION_TOKEN. */
rp_sender *rp_sender_new(const char *endpoint, const char *region, unsigned conns, char *err, size_t errlen);
void rp_sender_free(rp_sender *s);
/* Whether a connection is free for a request. */
int rp_sender_can_send(const rp_sender *s);
/* The HTTP request of operation op (its name) with body, signed now, into out (replaced): it may be
   sent within the signature's validity (AWS: 5 minutes). Signed for `region` (rlen bytes: the
   region its line records) unless the sender's region was given, or region is NULL. Returns the
   second it was signed at. */
time_t rp_sender_sign(rp_sender *s, const char *region, size_t rlen, const char *op, size_t oplen, const char *body,
                      size_t blen, ddb_buf *out);
/* The same for a call of ddbd's admin door (POST path with a JSON body: a clock step), unsigned as
   the door takes it. */
time_t rp_sender_door(rp_sender *s, const char *path, const char *body, size_t blen, ddb_buf *out);
/* Requests at most on one connection, each sent behind the one before without waiting for its
   answer (HTTP/1.1 pipelining: the server answers them in order, one after the other). */
#define RP_PIPE 16
/* An answer's head at most, and its body (DynamoDB's largest answer is 16 MiB): past them the
   answer is a failed one (its request's divergence says why), not memory without bound (an endless
   header held 443 MB, issue 73). */
#define RP_HEAD_MAX (64 * 1024)
#define RP_BODY_MAX (64LL << 20)

/* Sends a signed request (wire, len: kept by the caller until its answer) on a free connection;
   req is handed back with the answer. Returns the connection's number. It is written at the next
   rp_sender_flush (or poll), with whatever else was queued on its connection: one system call. */
unsigned rp_sender_send(rp_sender *s, void *req, const char *wire, size_t len);
/* Sends it on connection `conn`, behind the requests there, which the server executes and answers
   first: 0, or -1 when conn holds none (all answered) or RP_PIPE already. */
int rp_sender_send_behind(rp_sender *s, unsigned conn, void *req, const char *wire, size_t len);
/* Writes the requests queued since the last flush. */
void rp_sender_flush(rp_sender *s);
/* Requests sent and not answered. */
unsigned rp_sender_in_flight(const rp_sender *s);
/* Waits up to timeout_ms (-1: until an answer) and hands every answer that arrived to fn. */
void rp_sender_poll(rp_sender *s, int timeout_ms, rp_answered_fn *fn, void *arg);

#endif
