/*
 * server/http/offload.h: the RADOS backend's request workers (--rados-inflight N).
 *
 * On RADOS a request waits for the cluster (network round trips, milliseconds each) while it holds
 * whatever thread runs it. So the loops do not run such requests: a loop decodes the request into
 * a job (its own copies of the body and the headers dispatch reads: nothing of the h2o request is
 * touched off the loop), a pool of N worker threads runs the jobs (dispatch, with the job's own
 * arena and buffers, librados called synchronously as before), and each job's answer comes back to
 * its loop through h2o's multithread queue, where it is sent. One loop then has up to N requests at
 * the cluster at once instead of one.
 *
 * The bound: N workers (the requests of this gateway at the cluster at once), and at most 4 N more
 * jobs waiting for one (or done and not yet taken back by their loop). A request past that is
 * answered at once with DynamoDB's 503 ServiceUnavailable, which SDKs retry with backoff.
 *
 * The jobs live in the pool (made on first use, reused, at most 5 N), never in a request's pool: a
 * connection closed while its job runs frees the request, and the job, told so by a destructor in
 * the request's pool, drops its answer. A job whose client closed or reset its connection while it
 * waited for a worker is not run at all (offload.c's client_gone: one poll of the socket as a worker
 * takes it, since h2o reads no HTTP/1 socket while its request is pending): a write the client can
 * no longer hear of is not applied. One that has started runs to its end (writes are all or nothing).
 *
 * MCP's calls over HTTP (--mcp-http, server/http/doors.c) are jobs too: their tools dispatch as the
 * API's requests do, and would hold the loop as long.
 */
#ifndef DDB_HTTP_OFFLOAD_H
#define DDB_HTTP_OFFLOAD_H

/* (declared, not included, as conns.h does: http_internal.h includes http.h, whose http.c calls
   these; the job is http_internal.h's offload_job) */
struct offload_job;
struct ddb_buf;
struct st_h2o_req_t;
struct st_h2o_multithread_receiver_t;

/* Jobs waiting per worker, at most (past them: 503). */
#define OFFLOAD_QUEUE_PER_WORKER 4

typedef struct ddb_offload ddb_offload;

/* Runs a job on worker `slot` (the request gate's slot of that worker); `gone`: its client has gone
   before it started, so it only writes the answer no one hears (counted in /metrics). */
typedef void (*offload_run_fn)(void *ctx, struct offload_job *j, unsigned slot, int gone);

/* Starts `workers` threads whose gate slots are first_slot... . NULL on failure. */
ddb_offload *ddb_offload_start(unsigned workers, unsigned first_slot, offload_run_fn run, void *ctx);
/* A free job, or NULL past the bound (on a loop). */
struct offload_job *ddb_offload_take(ddb_offload *o);
/* Queues a job taken and filled for `req`; its answer comes back to `to` (its loop's receiver). */
void ddb_offload_submit(ddb_offload *o, struct offload_job *j, struct st_h2o_req_t *req,
                        struct st_h2o_multithread_receiver_t *to);
/* Gives back a job whose answer is sent or dropped (on its loop). */
void ddb_offload_give_back(ddb_offload *o, struct offload_job *j);
/* GET /metrics: the requests on the workers now, the workers, and the jobs skipped because their
   clients had gone (Prometheus' text). */
void ddb_offload_metrics(ddb_offload *o, struct ddb_buf *out);
/* After the loops have stopped: lets the running jobs end, drops the queued ones, joins the workers
   and frees every job. */
void ddb_offload_stop(ddb_offload *o);

#endif
