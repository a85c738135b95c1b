/*
 * server/http/access_log.c: the structured access log (see access_log.h).
 */
#include "server/http/access_log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/errors.h"
#include "proto/ops.h"
#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/fdio.h"
#include "server/base/log.h"

#define FLUSH_BYTES (32 * 1024)
#define FLUSH_AGE_NS (200 * 1000000ULL)

struct ddb_access_log {
    int fd;
    int own_fd;           /* opened here (closed at close), not standard output */
    pthread_mutex_t lock; /* one buffer written at a time, so lines never interleave */
    int warned;           /* a failed write was logged (once) */
};

ddb_access_log *ddb_access_log_open(const char *path)
{
    ddb_access_log *log = ddb_zalloc(sizeof(*log));
    int fd = strcmp(path, "-") == 0 ? STDOUT_FILENO : open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);

    if (fd < 0) {
        ddb_log(DDB_LOG_ERROR, "--access-log %s: cannot open (%s)", path, strerror(errno));
        free(log);
        return NULL;
    }
    log->fd = fd;
    log->own_fd = fd != STDOUT_FILENO;
    pthread_mutex_init(&log->lock, NULL);
    return log;
}

void ddb_access_log_close(ddb_access_log *log)
{
    if (log == NULL)
        return;
    if (log->own_fd)
        close(log->fd);
    pthread_mutex_destroy(&log->lock);
    free(log);
}

/* v with exactly `decimals` digits after the point (v >= 0, scaled by 10^decimals). */
static void put_fixed(ddb_buf *out, uint64_t scaled, unsigned decimals, uint64_t scale)
{
    char frac[8];
    uint64_t f = scaled % scale;

    ddb_buf_put_u64(out, scaled / scale);
    ddb_buf_putc(out, '.');
    for (unsigned i = decimals; i > 0; i--, f /= 10)
        frac[i - 1] = (char)('0' + f % 10);
    ddb_buf_append(out, frac, decimals);
}

/* Capacity units: whole or halves as "2" and "0.5" (what DynamoDB charges); anything else to 3 decimals. */
static void put_units(ddb_buf *out, double u)
{
    uint64_t halves = (uint64_t)(u * 2 + 0.5);

    if (u < 0 || (double)halves != u * 2) {
        put_fixed(out, (uint64_t)(u * 1000 + 0.5), 3, 1000);
        return;
    }
    ddb_buf_put_u64(out, halves / 2);
    if (halves % 2)
        ddb_buf_append(out, ".5", 2);
}

/* "time": ISO 8601 UTC to the millisecond; the date part is formatted once a second. */
static void put_time(ddb_access_buf *b)
{
    uint64_t now = ddb_clock_system_ms(); /* the system's, as the log's own lines (clock.h) */
    time_t sec = (time_t)(now / 1000);
    unsigned milli = (unsigned)(now % 1000);
    struct tm tm;
    char ms[4];

    if (sec != b->stamp_sec || b->stamp[0] == '\0') {
        gmtime_r(&sec, &tm);
        strftime(b->stamp, sizeof(b->stamp), "%Y-%m-%dT%H:%M:%S.", &tm);
        b->stamp_sec = sec;
    }
    ms[0] = (char)('0' + milli / 100);
    ms[1] = (char)('0' + milli / 10 % 10);
    ms[2] = (char)('0' + milli % 10);
    ms[3] = 'Z';
    ddb_buf_append(&b->buf, "{\"time\":\"", 9);
    ddb_buf_append(&b->buf, b->stamp, strlen(b->stamp));
    ddb_buf_append(&b->buf, ms, 4);
    ddb_buf_putc(&b->buf, '"');
}

/* Appends `name` to the comma-separated list unless it is there already. */
static void add_table(ddb_buf *list, const char *name)
{
    size_t n = strlen(name), at = 0;

    while (at < list->len) {
        const char *p = list->data + at, *e = memchr(p, ',', list->len - at);
        size_t len = e ? (size_t)(e - p) : list->len - at;
        if (len == n && memcmp(p, name, n) == 0)
            return;
        at += len + 1;
    }
    if (list->len > 0)
        ddb_buf_putc(list, ',');
    ddb_buf_append(list, name, n);
}

void ddb_access_log_tables(const ddb_json *in, ddb_buf *list)
{
    const ddb_json *v;
    const char *name;

    if (in == NULL)
        return;
    if ((name = ddb_json_get_str(in, "TableName")) != NULL) {
        add_table(list, name);
    } else if ((v = ddb_json_get(in, "RequestItems")) != NULL && v->type == DDB_JSON_OBJECT) {
        for (uint32_t i = 0; i < v->n; i++)
            add_table(list, v->u.members[i].key);
    } else if ((v = ddb_json_get(in, "TransactItems")) != NULL && v->type == DDB_JSON_ARRAY) {
        for (uint32_t i = 0; i < v->n; i++) {
            const ddb_json *act = v->u.items[i];
            for (uint32_t k = 0; act->type == DDB_JSON_OBJECT && k < act->n; k++) {
                if ((name = ddb_json_get_str(act->u.members[k].val, "TableName")) != NULL)
                    add_table(list, name);
            }
        }
    }
}

/* ,"key":"s" or ,"key":null; s is escaped unless `plain` (request ids and operation names need none). */
static void put_str(ddb_buf *out, const char *key, const char *s, size_t n, int plain)
{
    ddb_buf_append(out, ",\"", 2);
    ddb_buf_append(out, key, strlen(key));
    ddb_buf_append(out, "\":", 2);
    if (s == NULL) {
        ddb_buf_append(out, "null", 4);
        return;
    }
    ddb_buf_putc(out, '"');
    if (plain)
        ddb_buf_append(out, s, n);
    else
        ddb_json_escape(out, s, n);
    ddb_buf_putc(out, '"');
}

/* Written with plain appends rather than printf: formatting is most of a line's cost. */
void ddb_access_log_add(ddb_access_log *log, ddb_access_buf *b, const ddb_req *r, const char *request_id,
                        const char *trace_id, int status, double seconds, int waits)
{
    int held = ddb_held_lines_take(&b->held, waits);
    ddb_buf *tables = &b->scratch, *out = held ? &b->held.buf : &b->buf;
    const char *op = r->op != DDB_OP_NONE ? ddb_op_name((ddb_op)r->op) : NULL;
    const char *type = r->err.code != DDB_OK ? ddb_error_lookup(r->err.code)->type : NULL;
    size_t outcome;

    if (b->buf.len == 0 && !held)
        b->first_ns = ddb_clock_mono_ns();
    tables->len = 0;
    ddb_access_log_tables(r->in, tables);
    put_time(b);
    put_str(out, "requestId", request_id, strlen(request_id), 1);
    put_str(out, "traceId", trace_id, trace_id ? strlen(trace_id) : 0, 1);
    put_str(out, "operation", op, op ? strlen(op) : 0, 1);
    put_str(out, "table", tables->len ? tables->data : NULL, tables->len, 0);
    outcome = out->len;
    ddb_buf_append(out, ",\"status\":", 10);
    ddb_buf_put_u64(out, (uint64_t)status);
    put_str(out, "errorType", type, type ? strlen(type) : 0, 1);
    if (waits)
        ddb_held_lines_mark(&b->held, outcome, out->len);
    ddb_buf_append(out, ",\"latencyMs\":", 13);
    put_fixed(out, (uint64_t)(seconds * 1e6 + 0.5), 3, 1000);
    ddb_buf_append(out, ",\"readUnits\":", 13);
    put_units(out, r->consumed_read);
    ddb_buf_append(out, ",\"writeUnits\":", 14);
    put_units(out, r->consumed_write);
    if (r->fault != NULL) /* an injected fault (api/faults/inject.h): only then, so other lines stay as they were */
        put_str(out, "fault", r->fault, strlen(r->fault), 1);
    ddb_buf_append(out, "}\n", 2);
    if (!held && out->len >= FLUSH_BYTES)
        ddb_access_log_flush(log, b, 1);
}

void ddb_access_log_release(ddb_access_log *log, ddb_access_buf *b, int status, const char *error_type)
{
    ddb_buf instead = {0};

    if (b->held.buf.len == 0)
        return;
    if (status != 0) { /* as ddb_access_log_add writes them */
        ddb_buf_append(&instead, ",\"status\":", 10);
        ddb_buf_put_u64(&instead, (uint64_t)status);
        put_str(&instead, "errorType", error_type, strlen(error_type), 1);
    }
    if (b->buf.len == 0)
        b->first_ns = ddb_clock_mono_ns();
    ddb_held_lines_release(&b->held, &b->buf, status != 0 ? instead.data : NULL, instead.len);
    ddb_buf_free(&instead);
    if (b->buf.len >= FLUSH_BYTES)
        ddb_access_log_flush(log, b, 1);
}

void ddb_access_log_flush(ddb_access_log *log, ddb_access_buf *b, int idle)
{
    if (log == NULL || b->buf.len == 0 || (!idle && b->buf.len < FLUSH_BYTES && ddb_clock_mono_ns() - b->first_ns < FLUSH_AGE_NS))
        return;
    pthread_mutex_lock(&log->lock);
    if (ddb_write_all(log->fd, b->buf.data, b->buf.len) < b->buf.len) {
        /* a full disk or a closed pipe: the lines are dropped, the server goes on */
        if (!log->warned)
            ddb_log(DDB_LOG_WARN, "--access-log: write failed (%s); lines are dropped until writes succeed",
                    strerror(errno));
        log->warned = 1;
    }
    pthread_mutex_unlock(&log->lock);
    b->buf.len = 0;
}

void ddb_access_buf_free(ddb_access_buf *b)
{
    ddb_buf_free(&b->buf);
    ddb_buf_free(&b->scratch);
    ddb_held_lines_free(&b->held);
}
