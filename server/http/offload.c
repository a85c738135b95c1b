/*
 * server/http/offload.c: the RADOS backend's request workers (see offload.h).
 */
#include "server/http/offload.h"

#include <pthread.h>
#include <stdlib.h>

#include "server/base/log.h"
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

static void *worker_main(void *arg)
{
    worker_arg w = *(worker_arg *)arg;
    offload_job *j;

    free(arg);
    while ((j = next_job(w.o)) != NULL) {
        w.o->run(w.o->ctx, j, w.slot);
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
        ddb_log(DDB_LOG_ERROR, "--rados-inflight %u: cannot start the request workers", workers);
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

void ddb_offload_submit(ddb_offload *o, offload_job *j)
{
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
    ddb_buf_printf(out, "# HELP ddbd_rados_requests API requests on the request workers (--rados-inflight): running, "
                        "waiting for a worker, or done and not yet sent.\n# TYPE ddbd_rados_requests gauge\n"
                        "ddbd_rados_requests %u\n# HELP ddbd_rados_request_workers The request workers "
                        "(--rados-inflight).\n# TYPE ddbd_rados_request_workers gauge\nddbd_rados_request_workers %u\n",
                   __atomic_load_n(&o->out, __ATOMIC_RELAXED), o->nworkers);
}

void ddb_offload_stop(ddb_offload *o)
{
    if (o == NULL)
        return;
    pthread_mutex_lock(&o->lock);
    o->stopping = 1;
    pthread_cond_broadcast(&o->work);
    pthread_mutex_unlock(&o->lock);
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
