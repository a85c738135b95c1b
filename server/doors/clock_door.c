/*
 * server/doors/clock_door.c: /ddbd/clock (clock_door.h).
 */
#include "server/doors/clock_door.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/arena.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/doors/door_message.h"
#include "server/engine/jobs/tasks.h"

/* The clock's state: {"now": ms, "offset": ms, "frozen": bool}, 200. */
static int clock_state(ddb_buf *out)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "now");
    ddb_jw_int(&w, (long long)ddb_clock_now_ms());
    ddb_jw_key(&w, "offset");
    ddb_jw_int(&w, (long long)ddb_clock_offset_ms());
    ddb_jw_key(&w, "frozen");
    ddb_jw_bool(&w, ddb_clock_frozen());
    ddb_jw_obj_end(&w);
    return 200;
}

/* The latest clock an admin may set, in ms since the epoch: the end of year 9999. Every reader of the
   clock (ms, and µs as a signed 64-bit count) holds it and anything it is added to without overflow;
   a number past it (a fuzzer's max long) once overflowed ddb_clock_now_ms() and stopped the server. */
#define CLOCK_MAX_MS 253402300799999LL

/*
 * Where {"advance": n} | {"set": n} | {"offset": n} moves the clock: its reading `to`, and for a
 * running clock (where the reading moves on) the offset it lands on, *offset, exact whatever the
 * move takes (an advance adds n to the offset, not to a reading taken a moment before). 0, -2 when
 * n is no whole number, or -1 when it is no 64-bit integer or the reading lies outside
 * 0 .. CLOCK_MAX_MS.
 */
static int requested_move(const char *what, const char *num, int64_t *to, int64_t *offset)
{
    int64_t n, sys = (int64_t)ddb_clock_system_ms();
    /* a frozen clock's offset from this one reading of the system clock: read apart, the two
       would straddle a millisecond's tick now and then and land an advance of n on n - 1 */
    int64_t cur = ddb_clock_frozen() ? (int64_t)ddb_clock_now_ms() - sys : ddb_clock_offset_ms();
    char *end;

    errno = 0;
    n = strtoll(num, &end, 10);
    if (*end != '\0') /* 1.5 or 1e3 is no step of 1 */
        return -2;
    if (errno != 0)
        return -1;
    if (strcmp(what, "advance") == 0) {
        if (__builtin_add_overflow(cur, n, offset))
            return -1;
    } else if (strcmp(what, "set") == 0) {
        if (__builtin_sub_overflow(n, sys, offset))
            return -1;
    } else {
        *offset = n;
    }
    if (__builtin_add_overflow(sys, *offset, to))
        return -1;
    return *to < 0 || *to > CLOCK_MAX_MS ? -1 : 0;
}

/* {"advance": ms} | {"set": epoch ms} | {"offset": ms} | {"freeze": true} | {"run": true} */
static int move_clock(ddb_engine *eng, const char *body, size_t blen, ddb_buf *out)
{
    static const char *const FORMS[] = {"advance", "set", "offset"};
    ddb_arena a;
    const ddb_json *in, *v = NULL;
    const char *what = NULL;
    int64_t to = 0, offset = 0;
    int bad = 0, freeze = 0, run = 0;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    for (size_t i = 0; in != NULL && what == NULL && i < sizeof(FORMS) / sizeof(FORMS[0]); i++) {
        if ((v = ddb_json_get(in, FORMS[i])) != NULL && v->type == DDB_JSON_NUMBER) {
            what = FORMS[i];
            bad = requested_move(what, v->u.s, &to, &offset);
        }
    }
    freeze = in != NULL && (v = ddb_json_get(in, "freeze")) != NULL && v->type == DDB_JSON_BOOL && v->u.b;
    run = in != NULL && (v = ddb_json_get(in, "run")) != NULL && v->type == DDB_JSON_BOOL && v->u.b;
    ddb_arena_free(&a);
    if ((what == NULL && !freeze && !run) || (freeze && run))
        return ddb_door_message(out, 400,
                                "expected {\"advance\": ms}, {\"set\": epoch ms}, {\"offset\": ms}, "
                                "{\"freeze\": true} or {\"run\": true}");
    if (bad)
        return ddb_door_message(out, 400,
                                bad == -2 ? "the clock moves by whole milliseconds"
                                          : "the clock must stay between the epoch and the end of year 9999 "
                                            "(0 to 253402300799999 ms since the epoch)");
    if (freeze)
        ddb_clock_freeze(); /* first: an advance with it steps a clock that stands */
    if (what != NULL)
        ddb_tasks_step_clock(eng->tasks, to, offset); /* the background work done on the way */
    if (run)
        ddb_clock_run();
    ddb_log(DDB_LOG_INFO, "admin: clock %s%s%s; now %lld, offset %lld ms", freeze ? "frozen" : "",
            what != NULL ? (freeze ? ", " : "") : "", what != NULL ? what : run ? "running" : "",
            (long long)ddb_clock_now_ms(), (long long)ddb_clock_offset_ms());
    return clock_state(out);
}

int ddb_clock_door(const ddb_door_call *c, ddb_buf *out)
{
    return c->post ? move_clock(c->eng, c->body, c->blen, out) : clock_state(out);
}
