/*
 * server/api/record/record.c: recordings of the API's traffic (see record.h): the recorder, its
 * recordings and their lines. The rules that rewrite attribute values are record_redact.c's.
 */
#include "server/api/record/record.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "proto/errors.h"
#include "proto/ops.h"
#include "proto/record_line.h"
#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/fdio.h"
#include "server/base/faults.h"
#include "server/base/log.h"

#define SLOTS 64 /* HTTP threads beyond it share slots (each slot has its lock) */
#define FLUSH_BYTES (64 * 1024)
#define FLUSH_AGE_NS (200 * 1000000ULL)
#define SLOT_KEEP (4 * FLUSH_BYTES) /* a slot's buffer past it, grown for a long line, is given back */

typedef struct record_slot {
    pthread_mutex_t lock;
    ddb_buf buf;
    uint64_t first_ns; /* monotonic time of the oldest pending line */
    uint64_t lines;    /* lines added to this slot */
    int closed;        /* the recording stopped: lines are no longer taken */
} record_slot;

struct ddb_recording {
    int fd;
    char *path;
    ddb_record_rules *rules; /* owned; NULL: none */
    pthread_mutex_t write_lock; /* one slot's buffer written at a time, so lines never interleave */
    int warned;
    uint64_t bytes;                  /* the file's: whole lines (under write_lock) */
    ddb_record_limits limits;
    const char *stopped;             /* the bound it reached ("record-max-bytes", "min-free-disk"), or NULL */
    ddb_recording *next; /* the recorder's list */
    record_slot slots[SLOTS];
};

/* Recordings are freed only with the recorder: a thread that loaded the pipeline's pointer just
   before a stop may still add its line (the slot, closed, drops it). */
struct ddb_recorder {
    pthread_mutex_t lock;
    ddb_record_rules *rules; /* --record-redact's */
    ddb_record_limits limits;
    ddb_recording *all;
};

ddb_recorder *ddb_recorder_new(ddb_record_rules *rules, const ddb_record_limits *limits)
{
    ddb_recorder *rc = ddb_zalloc(sizeof(*rc));

    pthread_mutex_init(&rc->lock, NULL);
    rc->rules = rules;
    if (limits != NULL)
        rc->limits = *limits;
    return rc;
}

static void recording_free(ddb_recording *rec)
{
    for (int i = 0; i < SLOTS; i++) {
        ddb_buf_free(&rec->slots[i].buf);
        pthread_mutex_destroy(&rec->slots[i].lock);
    }
    pthread_mutex_destroy(&rec->write_lock);
    ddb_record_rules_free(rec->rules);
    free(rec->path);
    free(rec);
}

void ddb_recorder_free(ddb_recorder *rc, ddb_recording **on)
{
    if (rc == NULL)
        return;
    (void)ddb_recorder_stop(rc, on);
    while (rc->all != NULL) {
        ddb_recording *next = rc->all->next;
        recording_free(rc->all);
        rc->all = next;
    }
    ddb_record_rules_free(rc->rules);
    pthread_mutex_destroy(&rc->lock);
    free(rc);
}

int ddb_recorder_start(ddb_recorder *rc, ddb_recording **on, const char *path, ddb_record_rules *rules, int fresh,
                       char *err, size_t errlen)
{
    ddb_recording *rec;
    int fd;

    pthread_mutex_lock(&rc->lock);
    if (__atomic_load_n(on, __ATOMIC_ACQUIRE) != NULL) {
        pthread_mutex_unlock(&rc->lock);
        snprintf(err, errlen, "a recording is in progress: stop it first");
        ddb_record_rules_free(rules);
        return -2;
    }
    /* 0600: a recording holds the items it saw; a file the user made keeps the mode they gave it */
    if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (fresh ? O_EXCL : O_TRUNC), 0600)) < 0) {
        int e = errno, exists = e == EEXIST;
        pthread_mutex_unlock(&rc->lock);
        if (exists)
            snprintf(err, errlen, "%s exists: a recording goes to a new file", path);
        else
            snprintf(err, errlen, "cannot open %s (%s)", path, strerror(e));
        ddb_record_rules_free(rules);
        return exists ? -3 : -1;
    }
    if ((rec = calloc(1, sizeof(*rec))) == NULL || (rec->path = strdup(path)) == NULL)
        abort();
    rec->fd = fd;
    rec->limits = rc->limits;
    rec->rules = rules;
    if (rules == NULL && rc->rules != NULL) /* the recorder's, copied: a recording owns its rules */
        rec->rules = ddb_record_rules_copy(rc->rules);
    pthread_mutex_init(&rec->write_lock, NULL);
    for (int i = 0; i < SLOTS; i++)
        pthread_mutex_init(&rec->slots[i].lock, NULL);
    rec->next = rc->all;
    rc->all = rec;
    __atomic_store_n(on, rec, __ATOMIC_RELEASE);
    pthread_mutex_unlock(&rc->lock);
    ddb_log(DDB_LOG_INFO, "recording API requests to %s%s", path, rec->rules != NULL ? " (redacted)" : "");
    return 0;
}

/* The bytes of data's leading whole lines (those of data[0..n)). */
static size_t whole_lines(const char *data, size_t n)
{
    while (n > 0 && data[n - 1] != '\n')
        n--;
    return n;
}

/* The free space of the file's file system (a test's pretended figure: faults.h). */
static uint64_t free_bytes(int fd)
{
    long long pretend = ddb_fault_free_bytes();
    struct statvfs st;

    if (pretend >= 0)
        return (uint64_t)pretend;
    if (fstatvfs(fd, &st) != 0)
        return UINT64_MAX; /* unknown: let the write try */
    return (uint64_t)st.f_bavail * st.f_frsize;
}

/* Of `len` bytes of whole lines, those the bounds let in: all, or the lines that fit, and then the
   recording stops (write_lock held). */
static size_t room_for(ddb_recording *rec, const char *data, size_t len)
{
    uint64_t room = UINT64_MAX, avail;
    const char *why = NULL;

    if (__atomic_load_n(&rec->stopped, __ATOMIC_ACQUIRE) != NULL)
        return 0;
    if (rec->limits.max_bytes > 0) {
        room = rec->limits.max_bytes > rec->bytes ? rec->limits.max_bytes - rec->bytes : 0;
        why = "record-max-bytes";
    }
    if (rec->limits.min_free > 0) {
        avail = free_bytes(rec->fd);
        avail = avail > rec->limits.min_free ? avail - rec->limits.min_free : 0;
        if (avail < room)
            room = avail, why = "min-free-disk";
    }
    if (len <= room)
        return len;
    __atomic_store_n(&rec->stopped, why, __ATOMIC_RELEASE);
    ddb_log(DDB_LOG_WARN, "--record %s: stopped at %llu bytes: the next lines would pass --%s", rec->path,
            (unsigned long long)(rec->bytes + whole_lines(data, (size_t)room)), why);
    return whole_lines(data, (size_t)room);
}

/* Writes whole lines (write_lock held). A write cut short (a full disk) is taken back to its last
   whole line, so the file never ends in half a line; the lines left are dropped. */
static void write_lines(ddb_recording *rec, const char *data, size_t len)
{
    size_t off = ddb_write_all(rec->fd, data, len), whole;
    int e = errno;

    if (off == len) {
        rec->bytes += len;
        return;
    }
    if ((whole = whole_lines(data, off)) < off &&
        (ftruncate(rec->fd, (off_t)(rec->bytes + whole)) != 0 ||
         lseek(rec->fd, (off_t)(rec->bytes + whole), SEEK_SET) < 0))
        e = errno;
    rec->bytes += whole;
    if (!rec->warned) /* the server goes on */
        ddb_log(DDB_LOG_WARN, "--record %s: write failed (%s); lines are dropped until writes succeed", rec->path,
                strerror(e));
    rec->warned = 1;
}

/* Writes a slot's buffer (its lock held), and gives back the room a long line made it take. */
static void write_out(ddb_recording *rec, record_slot *s)
{
    pthread_mutex_lock(&rec->write_lock);
    write_lines(rec, s->buf.data, room_for(rec, s->buf.data, s->buf.len));
    pthread_mutex_unlock(&rec->write_lock);
    s->buf.len = 0;
    if (s->buf.cap > SLOT_KEEP)
        ddb_buf_free(&s->buf);
}

/* Its lines, and the capacity its buffers hold (*held). */
static uint64_t lines_of(ddb_recording *rec, uint64_t *held)
{
    uint64_t n = 0;

    *held = 0;
    for (int i = 0; i < SLOTS; i++) {
        pthread_mutex_lock(&rec->slots[i].lock);
        n += rec->slots[i].lines;
        *held += rec->slots[i].buf.cap;
        pthread_mutex_unlock(&rec->slots[i].lock);
    }
    return n;
}

long long ddb_recorder_stop(ddb_recorder *rc, ddb_recording **on)
{
    ddb_recording *rec;
    uint64_t lines = 0;

    pthread_mutex_lock(&rc->lock);
    rec = __atomic_exchange_n(on, NULL, __ATOMIC_ACQ_REL);
    if (rec == NULL) {
        pthread_mutex_unlock(&rc->lock);
        return -1;
    }
    for (int i = 0; i < SLOTS; i++) {
        record_slot *s = &rec->slots[i];
        pthread_mutex_lock(&s->lock);
        if (s->buf.len > 0)
            write_out(rec, s);
        s->closed = 1;
        lines += s->lines;
        pthread_mutex_unlock(&s->lock);
    }
    close(rec->fd);
    rec->fd = -1;
    pthread_mutex_unlock(&rc->lock);
    ddb_log(DDB_LOG_INFO, "recording to %s stopped: %llu requests", rec->path, (unsigned long long)lines);
    return (long long)lines;
}

void ddb_recorder_state(ddb_recorder *rc, ddb_recording *const *on, ddb_jw *w)
{
    ddb_recording *rec;
    uint64_t held, lines;
    const char *stopped;

    pthread_mutex_lock(&rc->lock);
    rec = __atomic_load_n(on, __ATOMIC_ACQUIRE);
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "recording");
    ddb_jw_bool(w, rec != NULL);
    if (rec != NULL) {
        ddb_jw_key(w, "file");
        ddb_jw_str(w, rec->path);
        lines = lines_of(rec, &held);
        ddb_jw_key(w, "requests");
        ddb_jw_int(w, (long long)lines);
        ddb_jw_key(w, "redacted");
        ddb_jw_bool(w, rec->rules != NULL);
        pthread_mutex_lock(&rec->write_lock);
        ddb_jw_key(w, "bytes");
        ddb_jw_int(w, (long long)rec->bytes);
        pthread_mutex_unlock(&rec->write_lock);
        ddb_jw_key(w, "buffered");
        ddb_jw_int(w, (long long)held);
        ddb_jw_key(w, "stopped");
        if ((stopped = __atomic_load_n(&rec->stopped, __ATOMIC_ACQUIRE)) != NULL)
            ddb_jw_str(w, stopped);
        else
            ddb_jw_null(w);
    }
    ddb_jw_obj_end(w);
    pthread_mutex_unlock(&rc->lock);
}

/* ---- a line (proto/record_line.h writes its members) ---- */

/* A body the server did not take as a request: its first bytes, escaped, and its length. */
static void put_text(ddb_recording *rec, ddb_buf *out, const ddb_req *r)
{
    size_t n = r->body != NULL ? r->body_len : 0;

    if (rec->rules != NULL) /* ... not past the rules, which cannot read it */
        ddb_rl_null(out, DDB_RL_REQUEST_TEXT);
    else /* as a string (replayed as it came, when it is whole) */
        ddb_rl_text(out, DDB_RL_REQUEST_TEXT, r->body, n);
    ddb_rl_u64(out, DDB_RL_REQUEST_LENGTH, n);
}

/* A body as JSON: redacted (re-written from its tree), or as it came. One the rules cannot read is
   left out (null): its values would be there as they came. `unicode`: as ddb_rl_json's. */
static void put_body(ddb_recording *rec, ddb_arena *a, ddb_buf *out, ddb_rl_member m, const char *s, size_t n,
                     int unicode)
{
    ddb_json *doc;
    ddb_jw w;

    if (rec->rules == NULL) {
        ddb_rl_json(out, m, s, n, unicode);
        return;
    }
    if ((doc = ddb_json_parse_input(a, s, n, NULL)) == NULL) {
        ddb_rl_null(out, m);
        return;
    }
    ddb_record_redact(rec->rules, a, doc);
    ddb_rl_key(out, m);
    ddb_jw_init(&w, out);
    ddb_jw_json(&w, doc);
}

static ddb_rl_outcome outcome_of(const ddb_req *r)
{
    int code = r->err.code;

    if (r->fault != NULL)
        return DDB_RLO_FAULT;
    if (code == DDB_OK)
        return DDB_RLO_OK;
    return code == DDB_E_THROUGHPUT_EXCEEDED || code == DDB_E_THROTTLING || code == DDB_E_REQUEST_LIMIT_EXCEEDED
               ? DDB_RLO_THROTTLED
               : DDB_RLO_ERROR;
}

/* A line's beginning: the format, the server's clock, the connection, arrival and answer. */
static void put_head(ddb_buf *out, uint64_t conn, uint64_t start_ns, uint64_t now_ns)
{
    ddb_rl_begin(out);
    ddb_rl_u64(out, DDB_RL_T, ddb_clock_now_ms());
    ddb_rl_key(out, DDB_RL_CONN);
    ddb_buf_putc(out, '"');
    ddb_buf_put_u64(out, conn);
    ddb_buf_putc(out, '"');
    ddb_rl_u64(out, DDB_RL_START, start_ns / 1000);
    ddb_rl_u64(out, DDB_RL_END, now_ns / 1000);
}

/* The answer's status, outcome, error and fault: an answer of 200 without an error or a fault,
   most lines', in one copy (ddb_rl_answered_ok). */
static void put_outcome(ddb_buf *out, const ddb_req *r, int status)
{
    if (status == 200 && r->err.code == DDB_OK && r->fault == NULL) {
        ddb_rl_answered_ok(out);
        return;
    }
    ddb_rl_u64(out, DDB_RL_STATUS, (uint64_t)status);
    ddb_rl_name(out, DDB_RL_OUTCOME, ddb_rl_outcomes[outcome_of(r)]);
    ddb_rl_name(out, DDB_RL_ERROR, r->err.code != DDB_OK ? ddb_error_lookup(r->err.code)->type : NULL);
    if (r->fault != NULL)
        ddb_rl_name(out, DDB_RL_FAULT, r->fault);
}

/* (outcome, if not NULL: where the line's status begins and its response ends) */
static void put_line(ddb_recording *rec, ddb_buf *out, const ddb_req *r, const char *request_id, uint64_t conn,
                     int status, const char *answer, size_t len, uint64_t start_ns, uint64_t now_ns, size_t *outcome)
{
    put_head(out, conn, start_ns, now_ns);
    ddb_rl_name(out, DDB_RL_OP, r->op != DDB_OP_NONE ? ddb_op_name((ddb_op)r->op) : NULL);
    if (r->region != NULL && r->region[0] != '\0') /* signed for (--namespaces: a region of its own) */
        ddb_rl_string(out, DDB_RL_REGION, r->region, strlen(r->region));
    if (r->authenticated && r->access_key != NULL) /* --auth: the key whose rights it ran with */
        ddb_rl_string(out, DDB_RL_KEY, r->access_key, strlen(r->access_key));
    if (r->drawn > 0) /* --stale-reads: its reads' replicas were drawn (a replay keeps their order) */
        ddb_rl_u64(out, DDB_RL_DRAWS, r->drawn);
    if (r->in != NULL && r->body != NULL) /* JSON: a body the pipeline read, so Unicode (dispatch.c) */
        put_body(rec, r->arena, out, DDB_RL_REQUEST, r->body, r->body_len, 1);
    else
        put_text(rec, out, r);
    if (outcome != NULL)
        outcome[0] = out->len;
    put_outcome(out, r, status);
    if (len > 0)
        put_body(rec, r->arena, out, DDB_RL_RESPONSE, answer, len, 0);
    else
        ddb_rl_null(out, DDB_RL_RESPONSE);
    if (outcome != NULL)
        outcome[1] = out->len;
    ddb_rl_name(out, DDB_RL_REQUEST_ID, request_id);
    if (rec->rules != NULL)
        ddb_rl_true(out, DDB_RL_REDACTED);
    ddb_rl_end(out);
}

/* Slot's buffer, locked, for a line written at `now`; NULL (unlocked) when the recording stopped. */
static record_slot *slot_open(ddb_recording *rec, unsigned slot, uint64_t now)
{
    record_slot *s = &rec->slots[slot % SLOTS];

    pthread_mutex_lock(&s->lock);
    if (s->closed) {
        pthread_mutex_unlock(&s->lock);
        return NULL;
    }
    if (s->buf.len == 0)
        s->first_ns = now;
    return s;
}

/* A line was added to s: written out once the buffer is full; the lock released. */
static void slot_close(ddb_recording *rec, record_slot *s)
{
    if (s->buf.len >= FLUSH_BYTES)
        write_out(rec, s);
    pthread_mutex_unlock(&s->lock);
}

/* A line goes to its slot's buffer, or to the thread's held lines when its answer waits for its
   loop's turn (or lines do: held_lines.h); those of a recording stopped since go to it first (its
   slot, closed, drops them). One put_line call: the compiler keeps it inline. */
void ddb_record_add(ddb_recording *rec, unsigned slot, const ddb_req *r, const char *request_id, uint64_t conn,
                    int status, const char *answer, size_t len, uint64_t start_ns, ddb_held_lines *held, int waits)
{
    uint64_t now = ddb_clock_mono_ns();
    record_slot *s = NULL;
    size_t outcome[2];

    if ((rec->limits.auth_only && !r->authenticated) || __atomic_load_n(&rec->stopped, __ATOMIC_ACQUIRE) != NULL)
        return;
    if (held == NULL || !ddb_held_lines_take(held, waits)) {
        if ((s = slot_open(rec, slot, now)) == NULL)
            return;
    } else if (held->buf.len != 0 && held->of != rec) {
        ddb_record_release(held, slot, 0, 0, NULL, 0);
    }
    put_line(rec, s != NULL ? &s->buf : &held->buf, r, request_id, conn, status, answer, len, start_ns, now,
             s == NULL && waits ? outcome : NULL);
    if (s != NULL) {
        s->lines++;
        slot_close(rec, s);
        return;
    }
    held->of = rec;
    if (waits)
        ddb_held_lines_mark(held, outcome[0], outcome[1]);
    held->lines++;
}

void ddb_record_release(ddb_held_lines *held, unsigned slot, int status, int code, const char *answer, size_t len)
{
    ddb_recording *rec = held->of;
    ddb_buf instead = {0};
    record_slot *s;

    if (held->buf.len == 0)
        return;
    if (status != 0) { /* as put_outcome and put_line write an error's */
        ddb_rl_u64(&instead, DDB_RL_STATUS, (uint64_t)status);
        ddb_rl_name(&instead, DDB_RL_OUTCOME, ddb_rl_outcomes[DDB_RLO_ERROR]);
        ddb_rl_name(&instead, DDB_RL_ERROR, ddb_error_lookup(code)->type);
        ddb_rl_json(&instead, DDB_RL_RESPONSE, answer, len, 0);
    }
    if ((s = slot_open(rec, slot, ddb_clock_mono_ns())) == NULL) {
        ddb_held_lines_release(held, NULL, NULL, 0);
    } else {
        s->lines += held->lines;
        ddb_held_lines_release(held, &s->buf, status != 0 ? instead.data : NULL, instead.len);
        slot_close(rec, s);
    }
    ddb_buf_free(&instead);
}

/* Whether a slot's lines of len bytes, the oldest at first_ns, are to be written now. */
static int flush_due(size_t len, uint64_t first_ns, int idle)
{
    return len > 0 && (idle || len >= FLUSH_BYTES || ddb_clock_mono_ns() - first_ns >= FLUSH_AGE_NS);
}

void ddb_record_flush(ddb_recording *rec, unsigned slot, int idle)
{
    record_slot *s = &rec->slots[slot % SLOTS];

    /* asked first without the lock (only this thread adds to its slot, but for threads past SLOTS;
       a stop empties it): a loop turns about once an answer, and a lock at every turn to find the
       lines neither many nor old cost a recorded GetItem 110 instructions (issue 74) */
    if (!flush_due(__atomic_load_n(&s->buf.len, __ATOMIC_RELAXED), __atomic_load_n(&s->first_ns, __ATOMIC_RELAXED),
                   idle))
        return;
    pthread_mutex_lock(&s->lock);
    if (!s->closed && flush_due(s->buf.len, s->first_ns, idle))
        write_out(rec, s);
    pthread_mutex_unlock(&s->lock);
}

/* A clock step's line: "clock" its body (JSON the door read), "op" null (a reader of before clock
   steps skips it, as any line with no operation), "response" the clock's state. Not a request: not
   counted in the recording's requests. */
static void put_clock_line(ddb_buf *out, uint64_t conn, const char *body, size_t blen, const char *answer, size_t len,
                           uint64_t start_ns, uint64_t now_ns)
{
    put_head(out, conn, start_ns, now_ns);
    ddb_rl_null(out, DDB_RL_OP);
    ddb_rl_json(out, DDB_RL_CLOCK, body, blen, 0);
    ddb_rl_answered_ok(out);
    ddb_rl_json(out, DDB_RL_RESPONSE, answer, len, 0);
    ddb_rl_end(out);
}

void ddb_record_clock(ddb_recording *rec, unsigned slot, uint64_t conn, const char *body, size_t blen,
                      const char *answer, size_t len, uint64_t start_ns)
{
    uint64_t now = ddb_clock_mono_ns();
    record_slot *s;

    if (__atomic_load_n(&rec->stopped, __ATOMIC_ACQUIRE) != NULL || (s = slot_open(rec, slot, now)) == NULL)
        return;
    put_clock_line(&s->buf, conn, body, blen, answer, len, start_ns, now);
    slot_close(rec, s);
}
