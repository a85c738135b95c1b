/*
 * server/engine/jobs/triggers.c: stream triggers to local functions (see triggers.h).
 */
#include "server/engine/jobs/triggers.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "server/base/clock.h"
#include "server/base/http_client.h"
#include "server/base/log.h"
#include "server/engine/engine.h"
#include "server/engine/keycodec.h"
#include "server/engine/history/streams.h"
#include "server/engine/jobs/follow.h"

#define INVOKE_PATH "/2015-03-31/functions/function/invocations"
#define MAX_PAYLOAD (5 * 1024 * 1024) /* under Lambda's 6 MB */
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 30000
#define IDLE_MS 50

/* ---- the option ---- */

static int parse_url(const char *url, size_t n, ddb_trigger_spec *out)
{
    const char *p = url, *end = url + n, *colon, *slash;

    if (n < 8 || strncmp(p, "http://", 7) != 0)
        return -1;
    p += 7;
    slash = memchr(p, '/', (size_t)(end - p));
    if (slash == NULL)
        slash = end;
    colon = memchr(p, ':', (size_t)(slash - p));
    if ((size_t)((colon ? colon : slash) - p) >= sizeof(out->host) || (colon ? colon : slash) == p)
        return -1;
    memcpy(out->host, p, (size_t)((colon ? colon : slash) - p));
    out->port = colon ? atoi(colon + 1) : 80;
    if (out->port <= 0 || out->port > 65535)
        return -1;
    /* the base URL (a trailing slash or not), then the invoke path */
    snprintf(out->path, sizeof(out->path), "%.*s%s", (int)(end - slash - (end > slash && end[-1] == '/')), slash,
             INVOKE_PATH);
    return 0;
}

static int trigger_parse(const char *text, ddb_trigger_spec *out, const char **err)
{
    const char *eq = strchr(text, '='), *comma;
    char *table;

    memset(out, 0, sizeof(*out));
    out->batch = 100;
    *err = "--stream-trigger wants TABLE=http://HOST:PORT[,batch=N][,window=MS][,bisect]";
    if (eq == NULL || eq == text)
        return -1;
    if ((table = strndup(text, (size_t)(eq - text))) == NULL)
        abort();
    out->table = table;
    comma = strchr(eq + 1, ',');
    if (parse_url(eq + 1, comma ? (size_t)(comma - eq - 1) : strlen(eq + 1), out) != 0)
        return -1;
    while (comma != NULL) {
        const char *opt = comma + 1;
        comma = strchr(opt, ',');
        if (strncmp(opt, "batch=", 6) == 0)
            out->batch = (unsigned)strtoul(opt + 6, NULL, 10);
        else if (strncmp(opt, "window=", 7) == 0)
            out->window_ms = (unsigned)strtoul(opt + 7, NULL, 10);
        else if (strncmp(opt, "bisect", 6) == 0 && (opt[6] == ',' || opt[6] == '\0'))
            out->bisect = 1;
        else
            return -1;
    }
    if (out->batch < 1 || out->batch > 10000) {
        *err = "--stream-trigger: batch must be from 1 to 10000";
        return -1;
    }
    return 0;
}

int ddb_trigger_parse(const char *text, ddb_trigger_spec *out, const char **err)
{
    int rc = trigger_parse(text, out, err);

    if (rc != 0) { /* a refused option leaves nothing allocated */
        free((char *)out->table);
        memset(out, 0, sizeof(*out));
    }
    return rc;
}

/* ---- invoking the function ---- */

/* POSTs the event; 0 when the function succeeded (2xx and no X-Amz-Function-Error), else -1. */
static int invoke(const ddb_trigger_spec *spec, const char *body, size_t len, char *why, size_t whylen)
{
    char head[1536], port[8], flag[64];
    ddb_buf answer = {0};
    int fd, status = 0, hl, rc;

    snprintf(port, sizeof(port), "%d", spec->port);
    if ((fd = ddb_http_connect(spec->host, port, 30, why, whylen)) < 0)
        return -1;
    hl = snprintf(head, sizeof(head),
                  "POST %s HTTP/1.1\r\nHost: %s:%d\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                  "Connection: close\r\n\r\n",
                  spec->path, spec->host, spec->port, len);
    if (ddb_http_send_all(fd, head, (size_t)hl) != 0 || ddb_http_send_all(fd, body, len) != 0) {
        close(fd);
        snprintf(why, whylen, "sending failed");
        return -1;
    }
    /* the status and headers are all that decide; the body is the function's business */
    rc = ddb_http_read_answer(fd, &status, &answer, NULL, why, whylen);
    close(fd);
    if (rc == 0 && ddb_http_header(&answer, "x-amz-function-error", flag, sizeof(flag))) {
        snprintf(why, whylen, "the function failed (X-Amz-Function-Error)");
        rc = -1;
    } else if (rc == 0 && (status < 200 || status > 299)) {
        snprintf(why, whylen, "HTTP %d", status);
        rc = -1;
    }
    ddb_buf_free(&answer);
    return rc;
}

/* ---- one trigger's worker ---- */

typedef struct trigger {
    ddb_engine *eng;
    const ddb_trigger_spec *spec;
    uint32_t stream_id;      /* the stream being followed */
    struct ddb_triggers *owner; /* its engine's triggers: their worker says when to stop */
    int said;                /* what was last logged of why nothing is delivered (trigger_state) */
} trigger;

/* Why a trigger has nothing to deliver, said once each time it changes (a trigger on a table
   without a stream delivered nothing and said nothing: issue 76, item 5). */
enum trigger_state { TRIGGER_FOLLOWS, TRIGGER_NO_TABLE, TRIGGER_NO_STREAM };

struct ddb_triggers {
    trigger *all;
    unsigned n;
    ddb_worker worker; /* one thread per trigger */
};

static int stopping(const trigger *tr)
{
    return ddb_worker_stopping(&tr->owner->worker);
}

static char *checkpoint_key(ddb_arena *a, const trigger *tr, unsigned g, unsigned s)
{
    return ddb_arena_sprintf(a, "trigger/%s/%010u/%u/%u", tr->spec->table, tr->stream_id, g, s);
}

static uint64_t checkpoint_get(trigger *tr, ddb_arena *a, unsigned g, unsigned s)
{
    return ddb_store_meta_get_u64(tr->eng->store, a, checkpoint_key(a, tr, g, s));
}

static void checkpoint_put(trigger *tr, ddb_arena *a, unsigned g, unsigned s, uint64_t seq)
{
    ddb_store_meta_set_u64(tr->eng->store, a, checkpoint_key(a, tr, g, s), seq);
}

typedef struct batch {
    ddb_stream_record *recs;
    size_t n;
} batch;

/* Up to spec->batch records of shard (g, s) numbered from `from` to `last` (the visible one). */
static void read_batch(trigger *tr, ddb_arena *a, const ddb_stream_info *info, unsigned g, unsigned s, uint64_t from,
                       uint64_t last, batch *out)
{
    char lo[DDB_STREAM_PREFIX_BYTES + 8], hi[DDB_STREAM_PREFIX_BYTES + 8];
    ddb_store_iter *it;
    size_t bytes = 0;

    out->recs = DDB_NEW_ARRAY(a, ddb_stream_record, tr->spec->batch);
    out->n = 0;
    ddb_stream_prefix(info->id, g, s, lo);
    memcpy(hi, lo, DDB_STREAM_PREFIX_BYTES);
    ddb_put_be(lo + DDB_STREAM_PREFIX_BYTES, from, 8);
    ddb_put_be(hi + DDB_STREAM_PREFIX_BYTES, last + 1, 8);
    it = ddb_store_seq_iter_open(tr->eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && out->n < tr->spec->batch && bytes < MAX_PAYLOAD / 2;
         ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        if (ddb_stream_record_decode(a, k, klen, ddb_arena_memdup(a, v, vlen), vlen, &out->recs[out->n]) != 0)
            break;
        bytes += out->recs[out->n++].size_bytes;
    }
    ddb_store_iter_close(it);
}

/* Delivers recs[lo, hi) (split in halves on failure with bisect); the checkpoint follows each success. */
static int deliver(trigger *tr, ddb_arena *a, const ddb_stream_info *info, unsigned g, unsigned s, const batch *b,
                   size_t lo, size_t hi)
{
    const ddb_table *t = ddb_catalog_get(tr->eng->catalog, tr->spec->table); /* its owner's account */
    const char *arn = ddb_stream_arn(a, NULL, t != NULL ? t->account : NULL, info->table, info->label);
    ddb_buf body = {0};
    ddb_jw w;
    char why[160];
    int rc;

    ddb_jw_init(&w, &body);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "Records");
    ddb_jw_arr_begin(&w);
    for (size_t i = lo; i < hi; i++)
        ddb_stream_record_json(&w, tr->eng->store, info, g, s, &b->recs[i], NULL, arn);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    rc = invoke(tr->spec, body.data, body.len, why, sizeof(why));
    ddb_buf_free(&body);
    if (rc == 0) {
        checkpoint_put(tr, a, g, s, b->recs[hi - 1].seq);
        return 0;
    }
    ddb_log(DDB_LOG_WARN, "trigger %s: %zu records not delivered (%s); retrying", tr->spec->table, hi - lo, why);
    if (tr->spec->bisect && hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (deliver(tr, a, info, g, s, b, lo, mid) != 0)
            return -1;
        return deliver(tr, a, info, g, s, b, mid, hi);
    }
    return -1;
}

/*
 * One step on shard (g, s): 1 when records went out, 0 when there was nothing (or the batching
 * window is still open), -1 on a failed delivery. *done is set once a closed shard is drained.
 */
static int step_shard(trigger *tr, ddb_arena *a, const ddb_stream_info *info, unsigned g, unsigned s, int *done)
{
    uint64_t next = checkpoint_get(tr, a, g, s) + 1;
    uint64_t first = ddb_stream_shard_first(tr->eng->store, info, g, s);
    uint64_t last = ddb_stream_shard_last(tr->eng->store, info, g, s);
    int closed = info->gens[g].ends != NULL || info->disabled_ms != 0;
    batch b;

    *done = closed && next > last;
    if (next > last)
        return 0;
    if (next < first) {
        ddb_log(DDB_LOG_ERROR, "trigger %s: records %llu to %llu expired (24 hours) before they could be delivered",
                tr->spec->table, (unsigned long long)next, (unsigned long long)first - 1);
        checkpoint_put(tr, a, g, s, first - 1);
        next = first;
    }
    read_batch(tr, a, info, g, s, next, last, &b);
    if (b.n == 0)
        return 0;
    if (b.n < tr->spec->batch && tr->spec->window_ms > 0 &&
        ddb_clock_now_ms() < b.recs[0].created_ms + tr->spec->window_ms)
        return 0; /* the batching window is still open */
    return deliver(tr, a, info, g, s, &b, 0, b.n) == 0 ? 1 : -1;
}

/* One pass over the stream's shards, generation by generation (parents before children). */
static int pass(trigger *tr, ddb_arena *a, const ddb_stream_info *info)
{
    int moved = 0;

    for (unsigned g = 0; g < info->ngens; g++) {
        int gen_done = 1;
        for (unsigned s = 0; s < info->gens[g].nshards; s++) {
            int done, rc;
            while ((rc = step_shard(tr, a, info, g, s, &done)) > 0 && !stopping(tr))
                moved = 1;
            if (rc < 0)
                return -1;
            gen_done &= done;
        }
        if (!gen_done) /* children wait for their parents */
            break;
    }
    return moved;
}

/* Logs, once a change, a table that is missing or has no stream enabled: then nothing is delivered. */
static void say_state(trigger *tr, const ddb_table *t)
{
    int now = t == NULL ? TRIGGER_NO_TABLE : t->stream.id == 0 ? TRIGGER_NO_STREAM : TRIGGER_FOLLOWS;

    if (now == tr->said)
        return;
    tr->said = now;
    if (now == TRIGGER_NO_TABLE)
        ddb_log(DDB_LOG_WARN, "trigger %s: there is no table %s (yet): nothing to deliver until it is created with a "
                "stream", tr->spec->table, tr->spec->table);
    else if (now == TRIGGER_NO_STREAM)
        ddb_log(DDB_LOG_WARN, "trigger %s: the table has no stream enabled, so its changes reach no trigger; enable "
                "one (StreamSpecification {StreamEnabled: true, StreamViewType: NEW_AND_OLD_IMAGES}, at CreateTable "
                "or UpdateTable) and the trigger delivers what is written from then on", tr->spec->table);
    else
        ddb_log(DDB_LOG_INFO, "trigger %s: the table's stream is enabled; its records are delivered", tr->spec->table);
}

/* One pass over the table's current stream (none yet: nothing found). */
static int follow_pass(void *ctx, unsigned *wait_ms)
{
    trigger *tr = ctx;
    ddb_arena a;
    const ddb_table *t = ddb_catalog_get(tr->eng->catalog, tr->spec->table);
    ddb_stream_info info;
    int rc = 0;

    (void)wait_ms;
    say_state(tr, t);
    ddb_arena_init(&a);
    if (t != NULL && t->stream.last_id != 0) {
        tr->stream_id = t->stream.last_id;
        if (ddb_stream_info_get(tr->eng->store, &a, tr->stream_id, &info) == 0)
            rc = pass(tr, &a, &info);
    }
    ddb_arena_free(&a);
    return rc;
}

static void *worker(void *arg)
{
    static const ddb_follow_pace pace = {IDLE_MS, BACKOFF_MIN_MS, BACKOFF_MAX_MS};
    trigger *tr = arg;

    ddb_follow_engine(tr->eng, &tr->owner->worker, &pace, follow_pass, tr);
    return NULL;
}

void ddb_triggers_nudge(ddb_triggers *t, const char *table)
{
    if (t == NULL)
        return;
    for (unsigned i = 0; i < t->n; i++)
        if (strcmp(t->all[i].spec->table, table) == 0) {
            ddb_sleeper_nudge(&t->worker.sleeper);
            return;
        }
}

/* The worker's teardown, its threads joined (ddb_worker_stop frees ts). */
static void finish(void *owner)
{
    ddb_triggers *ts = owner;

    free(ts->all);
}

ddb_triggers *ddb_triggers_start(ddb_engine *eng, const ddb_trigger_spec *specs, unsigned n)
{
    ddb_triggers *ts;

    if (n == 0)
        return NULL;
    if ((ts = calloc(1, sizeof(*ts))) == NULL || (ts->all = calloc(n, sizeof(trigger))) == NULL)
        abort();
    ddb_worker_init(&ts->worker);
    ddb_worker_own(&ts->worker, ts, finish);
    ts->n = n;
    for (unsigned i = 0; i < ts->n; i++) {
        ts->all[i].eng = eng;
        ts->all[i].spec = &specs[i];
        ts->all[i].owner = ts;
        if (ddb_worker_spawn(&ts->worker, worker, &ts->all[i]) != 0)
            abort();
        ddb_log(DDB_LOG_INFO, "trigger: the stream of table %s invokes http://%s:%d%s", specs[i].table,
                specs[i].host, specs[i].port, specs[i].path);
    }
    return ts;
}

ddb_worker *ddb_triggers_worker(ddb_triggers *ts)
{
    return ts != NULL ? &ts->worker : NULL;
}
