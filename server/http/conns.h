/*
 * server/http/conns.h: each client connection's bookkeeping, so that no client can take the memory
 * or the connections the others need (docs/security.md, "Connections and request bodies"):
 *
 * - a connection must send a whole request head within --header-timeout of opening (or of its
 *   request's first byte), and at --max-connections the least recently active idle connection is
 *   closed to make room for a new one;
 * - an answer the client does not take within --request-timeout closes its connection, and the
 *   answers not yet taken by their clients stay under --max-unsent-bytes (past it, the oldest one's
 *   connection is closed);
 * - request bodies past CONN_FREE_BYTES are admitted against --max-pending-bodies: a body that does
 *   not fit waits (its connection is not read, the client's send blocks) until others are done; a
 *   compressed body's inflated bytes count too, from its inflation until its answer is sent; with
 *   --auth, such a body is first looked at for a plausible Authorization header, else its
 *   connection is closed before the body is read;
 * - the loop's time (docs/security.md, "One heavy request at a time"): a connection whose last
 *   request held the loop CONN_HEAVY_US or more is heavy, and so is a new one whose first request is
 *   not bounded by one item (DDB_OPF_ONE_ITEM). A heavy request never runs from h2o's reader: it
 *   waits, unread, and a loop turn (an epoll that reads every client ready, light requests served
 *   as they are read, up to CONN_TURN_US of them) runs at most one of them, after the light ones.
 *   While light clients use the loop (one's request waits, or one was answered since the last heavy
 *   request ended), a heavy request also waits until they have had CONN_LIGHT_SHARE times the loop
 *   time heavy requests took (by the clock). So a light client waits at most about one heavy request,
 *   and keeps three quarters of the loop, however many heavy connections there are; heavy ones take
 *   turns fairly among themselves (start-time fair queueing), have the other quarter, and the whole
 *   loop when no light client uses it.
 *
 * h2o 2.2 reads a request's body whole before any handler sees it, so this works below it: the
 * socket's read callback (h2o's HTTP/1 reader) is wrapped, and a connection is closed by shutting
 * its socket down, which h2o's own error path then tears down and frees. All of it runs on the
 * connection's loop thread.
 */
#ifndef DDB_HTTP_CONNS_H
#define DDB_HTTP_CONNS_H

#include <stddef.h>

/* (declared, not included: http_internal.h includes http.h, whose http.c calls these) */
struct http_thread;
struct st_h2o_socket_t;
struct st_h2o_req_t;

/* A request may hold this much input (its head and a small body) without being admitted. */
#define CONN_FREE_BYTES (32 * 1024)
/* A request that held its loop this long (microseconds) makes its connection heavy. */
#define CONN_HEAVY_US 2000
/* Light requests a loop turn serves before it looks at the heavy ones (their loop time, us). */
#define CONN_TURN_US 2000
/* While light clients use the loop, they get this many times the heavy requests' time (heavy ones: a
   quarter of the loop). A back-to-back light client keeps less of its rate than of the loop's time
   (its requests find a sleeping loop, not a polling one, and a loaded machine slows it): 3 keeps it
   above the third the rule promises, with room (with 2, it kept 0.2 to 0.6 of it on the 2-core
   machine under a load of 9). */
#define CONN_LIGHT_SHARE 3

/* Starts tracking an accepted client socket (before h2o_accept). */
void ddb_conn_open(struct http_thread *t, struct st_h2o_socket_t *sock);
/* At the loop's end (a stop): cuts every client connection still open (an SDK's pool keeps its
   connections), so that h2o closes and frees each at the loop's next turns, and this tracking
   with it. Before, a connection open at SIGTERM was left, its state lost (memcheck's leak). */
void ddb_conns_cut_all(struct http_thread *t);
/* After h2o_accept: wraps h2o's read callback. */
void ddb_conn_started(struct st_h2o_socket_t *sock);
/* At --max-connections: closes this thread's least recently active idle connection. Returns whether
   one was. */
int ddb_conn_evict_idle(struct http_thread *t);
/* A request reached the handler of loop thread t. Returns 1 when its connection was cut (a
   timeout, a budget): h2o goes on to the requests the client pipelined behind the one whose answer
   it would not take, each read and answered in full only to fail on the closed socket (found by
   bench/soak_attacks.py's slow readers: both loops busy for as long as the buffered requests
   lasted, SIGTERM unheeded); such a request gets a short 400 that ends the connection instead. */
int ddb_conn_request(struct http_thread *t, struct st_h2o_req_t *req);
/* What ddb_conn_request returns for a heavy connection's request that waits its turn: the handler
   returns at once, and the request comes back from ddb_conn_next_due. */
#define CONN_DEFERRED 2
/* The bytes of --max-pending-bodies left (this thread's share) for what req's body inflates to
   (Content-Encoding): SIZE_MAX when no other connection's body is admitted, as a plain body past
   the share is admitted when nothing else is. */
size_t ddb_conn_body_room(struct http_thread *t, struct st_h2o_req_t *req);
/* req's body inflated to `len` bytes: they count against --max-pending-bodies with its body's
   (other bodies wait for room meanwhile) until its answer is sent or its connection closes. */
void ddb_conn_inflated(struct http_thread *t, struct st_h2o_req_t *req, size_t len);
/* The request took `us` microseconds of its loop's time (its dispatch), ending at `now_us`
   (ddb_clock_mono_ns / 1000). */
void ddb_conn_cost(struct http_thread *t, struct st_h2o_req_t *req, unsigned long long us, unsigned long long now_us);
/* A loop turn starts (before its epoll): its budgets start over. */
void ddb_conn_turn(struct http_thread *t);
/* The next waiting request whose turn has come, or NULL; the loop serves it. */
struct st_h2o_req_t *ddb_conn_next_due(struct http_thread *t);
/* How long the loop may wait for events (ms): 0 while requests wait their turn. */
int ddb_conn_wait_ms(struct http_thread *t);
/* Its answer (len bytes) is given to h2o to send, on loop thread t. */
void ddb_conn_answered(struct http_thread *t, struct st_h2o_req_t *req, size_t len);
/* The value of the next header `name` (nlen bytes, lower case) of the request head at *p, which
   it moves past; NULL at the head's end (an empty line) or at `end`. */
const char *ddb_head_next(const char **p, const char *end, const char *name, size_t nlen, size_t *vlen);
/* From the loop, between its runs: notes the answers sent, admits waiting bodies, and every 250 ms
   closes the connections past their timeouts. */
void ddb_conn_tick(struct http_thread *t);

#endif
