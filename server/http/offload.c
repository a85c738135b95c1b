/*
 * server/http/offload.c: the RADOS backend's request workers (see offload.h).
 */
#include "server/http/offload.h"

#include <poll.h>
#include <pthread.h>
#include <stdlib.h>

#include "server/base/log.h"
#include "server/base/wake.h"
#include "server/http/http_internal.h"

/* A job given back keeps buffers up to this size for the next request (larger ones are freed). */
#define KEEP_BYTES (1u << 20)

struct ddb_offload {
    pthread_mutex_t lock;
    pthread_cond_t work;      /* a job queued, or the pool stopping */
    offload_job *head, *tail; /* queued, oldest first */
    offload_job *free;        /* given back, most recent first (its memory is warm) */
    offload_job **all;        /* every job made, to free at the end */
    unsigned made, cap;       /* jobs made, and at most (the bound) */
    unsigned out;             /* jobs taken and not given back (atomic for readers) */
    unsigned long long skipped; /* jobs not run, their clients gone (atomic) */
    pthread_t *tids;
    unsigned nworkers, first_slot;
    int stopping;
    offload_run_fn run;
    void *ctx;
};

typedef struct worker_arg {
    ddb_offload *o;
    unsigned slot;
} worker_arg;

static offload_job *next_job(ddb_offload *o)
{
    offload_job *j;

    pthread_mutex_lock(&o->lock);
    while (o->head == NULL && !o->stopping)
        pthread_cond_wait(&o->work, &o->lock);
    if (o->stopping) { /* the loops are gone: what is queued is never answered */
        pthread_mutex_unlock(&o->lock);
        return NULL;
    }
    j = o->head;
    if ((o->head = j->next) == NULL)
        o->tail = NULL;
    pthread_mutex_unlock(&o->lock);
    return j;
}

/*
 * On a worker, before a job starts: whether its client has closed or reset its connection while
 * the job waited for a worker. h2o reads no HTTP/1 socket while its request is pending, so nothing
 * on the loop would tell; one poll(2) of the socket does (here: the loop is not held by it). The
 * socket may be closed by its loop meanwhile and its number given to another file: that only
 * misjudges a job whose client has gone anyway (h2o clears the request's pool, which sets `gone`,
 * before it closes the socket), and a poll takes nothing from any file. A client that shut down its
 * sending side and still reads looks gone too, as nginx judges it (it would get a 503, which SDKs
 * retry). One poll per job, on RADOS only (RocksDB has no workers).
 */
static int client_gone(const offload_job *j)
{
    struct pollfd p = {.fd = j->fd, .events = POLLRDHUP};

    if (__atomic_load_n(&j->gone, __ATOMIC_ACQUIRE))
        return 1;
    return j->fd >= 0 && poll(&p, 1, 0) == 1 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

static void *worker_main(void *arg)
{
    worker_arg w = *(worker_arg *)arg;
    offload_job *j;
    int gone;

    free(arg);
    while ((j = next_job(w.o)) != NULL) {
        if ((gone = client_gone(j)) != 0)
            __atomic_add_fetch(&w.o->skipped, 1, __ATOMIC_RELAXED);
        w.o->run(w.o->ctx, j, w.slot, gone);
        h2o_multithread_send_message(j->to, &j->msg);
    }
    return NULL;
}

ddb_offload *ddb_offload_start(unsigned workers, unsigned first_slot, offload_run_fn run, void *ctx)
{
    ddb_offload *o = calloc(1, sizeof(*o));

    if (o == NULL)
        return NULL;
    pthread_mutex_init(&o->lock, NULL);
    pthread_cond_init(&o->work, NULL);
    o->cap = workers * (1 + OFFLOAD_QUEUE_PER_WORKER);
    o->all = calloc(o->cap, sizeof(*o->all));
    o->tids = calloc(workers, sizeof(*o->tids));
    o->first_slot = first_slot;
    o->run = run;
    o->ctx = ctx;
    if (o->all == NULL || o->tids == NULL) {
        ddb_offload_stop(o);
        return NULL;
    }
    for (unsigned i = 0; i < workers; i++) {
        worker_arg *w = malloc(sizeof(*w));
        if (w == NULL)
            break;
        *w = (worker_arg){o, first_slot + i};
        if (pthread_create(&o->tids[i], NULL, worker_main, w) != 0) {
            free(w);
            break;
        }
        o->nworkers++;
    }
    if (o->nworkers != workers) {
        ddb_log(DDB_LOG_ERROR, "cannot start %u request workers", workers);
        ddb_offload_stop(o);
        return NULL;
    }
    return o;
}

offload_job *ddb_offload_take(ddb_offload *o)
{
    offload_job *j = NULL;

    pthread_mutex_lock(&o->lock);
    if (o->free != NULL) {
        j = o->free;
        o->free = j->next;
    } else if (o->made < o->cap && (j = calloc(1, sizeof(*j))) != NULL) {
        ddb_arena_init(&j->arena);
        o->all[o->made++] = j;
    }
    if (j != NULL)
        __atomic_add_fetch(&o->out, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&o->lock);
    return j;
}

/* The request's pool is cleared (its connection closed) while its job waits or runs: the answer is
   dropped, and a job not yet started is not run. */
static void job_req_gone(void *p)
{
    offload_job *j = *(offload_job **)p;

    if (j != NULL) {
        j->req = NULL;
        __atomic_store_n(&j->gone, 1, __ATOMIC_RELEASE); /* (read by the worker about to run it) */
    }
}

void ddb_offload_submit(ddb_offload *o, offload_job *j, h2o_req_t *req, h2o_multithread_receiver_t *to)
{
    h2o_socket_t *sock = req->conn->callbacks->get_socket != NULL ? req->conn->callbacks->get_socket(req->conn) : NULL;

    j->to = to;
    j->req = req;
    j->fd = sock != NULL ? h2o_socket_get_fd(sock) : -1;
    j->gone = 0;
    j->ref = h2o_mem_alloc_shared(&req->pool, sizeof(*j->ref), job_req_gone);
    *j->ref = j;
    j->next = NULL;
    pthread_mutex_lock(&o->lock);
    if (o->tail != NULL)
        o->tail->next = j;
    else
        o->head = j;
    o->tail = j;
    pthread_cond_signal(&o->work);
    pthread_mutex_unlock(&o->lock);
}

static void trim(ddb_buf *b)
{
    if (b->cap > KEEP_BYTES)
        ddb_buf_free(b);
}

void ddb_offload_give_back(ddb_offload *o, offload_job *j)
{
    ddb_arena_reset(&j->arena);
    trim(&j->raw);
    trim(&j->body);
    trim(&j->out);
    trim(&j->err);
    j->req = NULL;
    pthread_mutex_lock(&o->lock);
    j->next = o->free;
    o->free = j;
    __atomic_sub_fetch(&o->out, 1, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&o->lock);
}

void ddb_offload_metrics(ddb_offload *o, ddb_buf *out)
{
    ddb_buf_printf(out, "# HELP ddbd_rados_requests API requests and MCP calls on the request workers "
                        "(--rados-inflight): running, waiting for a worker, or done and not yet sent.\n"
                        "# TYPE ddbd_rados_requests gauge\n"
                        "ddbd_rados_requests %u\n# HELP ddbd_rados_request_workers The request workers "
                        "(--rados-inflight).\n# TYPE ddbd_rados_request_workers gauge\nddbd_rados_request_workers %u\n"
                        "# HELP ddbd_rados_requests_skipped_total Requests not run: their clients closed their "
                        "connections while they waited for a worker.\n"
                        "# TYPE ddbd_rados_requests_skipped_total counter\n"
                        "ddbd_rados_requests_skipped_total %llu\n",
                   __atomic_load_n(&o->out, __ATOMIC_RELAXED), o->nworkers,
                   __atomic_load_n(&o->skipped, __ATOMIC_RELAXED));
}

void ddb_offload_stop(ddb_offload *o)
{
    if (o == NULL)
        return;
    ddb_wake_raise(&o->lock, &o->work, &o->stopping);
    for (unsigned i = 0; i < o->nworkers; i++)
        pthread_join(o->tids[i], NULL);
    for (unsigned i = 0; i < o->made; i++) {
        offload_job *j = o->all[i];
        ddb_arena_free(&j->arena);
        ddb_buf_free(&j->raw);
        ddb_buf_free(&j->body);
        ddb_buf_free(&j->out);
        ddb_buf_free(&j->err);
        free(j);
    }
    pthread_mutex_destroy(&o->lock);
    pthread_cond_destroy(&o->work);
    free(o->all);
    free(o->tids);
    free(o);
}
