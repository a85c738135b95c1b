/*
 * server/api/record/record.h: recordings of the API's traffic (--record FILE, POST /ddbd/record;
 * docs/record-replay.md has the format and `ddb replay`, which sends a recording again and checks
 * its answers). One JSON line per answered API request, its members proto/record_line.def's
 * rows, written by proto/record_line.h's writer:
 *
 *   {"v":1,"t":1767225600000,"conn":"7","start":81234567,"end":81234699,"op":"PutItem",
 *    "region":"us-east-1","request":{...},"status":200,"outcome":"ok","error":null,
 *    "response":{...},"requestId":"..."}
 *
 * "t" is the server's clock at the answer (clock.h: what the pace of a replay follows; frozen in
 * tests), "start" and "end" the request's arrival and answer in microseconds of one monotonic clock
 * (a replay sends a request only after every request answered before it arrived has been answered
 * again: the order a client could see), "conn" the connection, "outcome" ok | error | throttled |
 * fault (an injected fault: "fault" then names it), "region" the region it was signed for (a
 * replay signs it for the same: with --namespaces a region is a namespace), "error" the __type's
 * name without its namespace. "request" is the body as sent; a body the server did not take as a
 * request (not JSON, not read, refused before it was: "requestText", its first DDB_RL_TEXT_MAX
 * bytes as a string, and "requestLength", its length in bytes), "response" the answer's body (null
 * when it has none).
 * With redaction rules, attribute values are rewritten in both ("redacted": true; record_redact.c).
 * Every line is valid UTF-8: a byte that is not (a header echoed in an error, a body that is not
 * text) is written as U+FFFD.
 *
 * The file is created with mode 0600 (a recording holds the items it saw), or truncated and its
 * mode kept. Cheap when on: each HTTP thread appends its lines to its own slot's buffer, under the
 * slot's lock (uncontended but for a stop), and writes it with one write(2) when it holds 64 KB
 * or its oldest line is 200 ms old, or when its loop's last turn answered nothing (traffic stopped;
 * not at every wait: under load a loop waits after every few answers). Off, the HTTP front tests one
 * pointer (ddb_api.recording) per answer. A body that is plain ASCII without a newline (most) is
 * copied as it is after one SSE2 pass (proto/record_line.c: ddb_rl_json). A slot's buffer that grew
 * past SLOT_KEEP for a long line is given back once written. A write the disk cuts short (ENOSPC) is
 * truncated back to its last whole line: the file is JSON lines whatever happens.
 */
#ifndef DDB_RECORD_H
#define DDB_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "proto/json.h"
#include "server/api/record/record_redact.h"
#include "server/api/req.h"
#include "server/base/held_lines.h"

typedef struct ddb_recorder ddb_recorder;   /* the server's: its default rules, its recordings */
typedef struct ddb_recording ddb_recording; /* one file being written */

/* What bounds every recording of a recorder (issue 73): a recording of strangers' requests was a
   way to fill the disk from outside (a 16 KB gzip body became 100 MB of escaped text).
     max_bytes  the file's size it stops before (--record-max-bytes; 0: none)
     min_free   the free space of its file system it leaves (--min-free-disk; 0: none)
     auth_only  (--auth) only requests whose signature was verified are recorded
   A recording that reaches a bound stops taking lines, saying so once in the log and in its state
   ("stopped"); its file ends with a whole line. */
typedef struct ddb_record_limits {
    uint64_t max_bytes;
    uint64_t min_free;
    int auth_only;
} ddb_record_limits;

/* `rules` (owned; NULL: none): what a recording started without rules of its own redacts. */
ddb_recorder *ddb_recorder_new(ddb_record_rules *rules, const ddb_record_limits *limits);
/* Stops the recording in *on, if any, then frees everything. */
void ddb_recorder_free(ddb_recorder *rc, ddb_recording **on);
/* Starts recording to `path` into *on (the pipeline's pointer, set atomically) with `rules` (owned;
   NULL: the recorder's); `fresh`: only into a new file (the admin door's: it overwrites nothing).
   0, or <0 with err set: -2 one is on already, -3 the file exists (fresh), -1 it cannot be opened. */
int ddb_recorder_start(ddb_recorder *rc, ddb_recording **on, const char *path, ddb_record_rules *rules, int fresh,
                       char *err, size_t errlen);
/* Stops the recording in *on: every thread's pending lines written, the file closed. Returns the
   lines it holds, or -1 when none was on. */
long long ddb_recorder_stop(ddb_recorder *rc, ddb_recording **on);
/* {"recording": bool, "file": ..., "requests": n, "redacted": bool, "bytes": n, "buffered": n,
   "stopped": null | "record-max-bytes" | "min-free-disk"}; "buffered": the capacity its buffers hold */
void ddb_recorder_state(ddb_recorder *rc, ddb_recording *const *on, ddb_jw *w);

/* One answered request: its line into `slot`'s buffer (the HTTP thread's index). conn: its
   connection's id; answer: the body sent (len 0: none); start_ns: its arrival (ddb_clock_mono_ns).
   `held` (the thread's, or NULL): where the line waits instead when its answer waits for the loop's
   turn's end (`waits`: server/base/log_turn.h) or lines do (server/base/held_lines.h), until
   ddb_record_release. */
void ddb_record_add(ddb_recording *rec, unsigned slot, const ddb_req *r, const char *request_id, uint64_t conn,
                    int status, const char *answer, size_t len, uint64_t start_ns, ddb_held_lines *held, int waits);
/* The turn's end: held's lines into their recording's `slot`, each held answer's as it went out:
   as added, or (status not 0: the turn's log write failed) with that status, the error `code` and
   the body answer[0, len) in its place. */
void ddb_record_release(ddb_held_lines *held, unsigned slot, int status, int code, const char *answer, size_t len);
/* A step of the server's clock taken through the admin door (POST /ddbd/clock, answered 200): its
   body and answer (the clock's state) as a line of its own, {"clock": BODY, "op": null, ...}, that
   `ddb replay` sends to the target's admin door in its place among the requests, so what the step
   did (TTL deletes, expiries) happens there too. */
void ddb_record_clock(ddb_recording *rec, unsigned slot, uint64_t conn, const char *body, size_t blen,
                      const char *answer, size_t len, uint64_t start_ns);
/* Writes slot's pending lines if `idle`, or they are many or old enough. */
void ddb_record_flush(ddb_recording *rec, unsigned slot, int idle);

#endif
