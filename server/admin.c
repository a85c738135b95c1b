/*
 * server/admin.c: the admin endpoints (see admin.h). http.c routes /ddbd/ paths here.
 */
#include "admin.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
#include "faults.h"
#include "log.h"
#include "server.h"
#include "tasks.h"

static int answer(ddb_buf *out, int status, const char *fmt_key, long long a, long long b)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    if (fmt_key != NULL) {
        ddb_jw_key(&w, "message");
        ddb_jw_str(&w, fmt_key);
    } else {
        ddb_jw_key(&w, "now");
        ddb_jw_int(&w, a);
        ddb_jw_key(&w, "offset");
        ddb_jw_int(&w, b);
    }
    ddb_jw_obj_end(&w);
    return status;
}

static int clock_state(ddb_buf *out)
{
    return answer(out, 200, NULL, (long long)ddb_clock_now_ms(), (long long)ddb_clock_offset_ms());
}

/* {"advance": ms} | {"set": epoch ms} | {"offset": ms} */
static int move_clock(ddb_server *srv, const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *v;
    int status = 400;
    const char *what = NULL;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse(&a, body, blen) : NULL;
    if (in != NULL && (v = ddb_json_get(in, "advance")) != NULL && v->type == DDB_JSON_NUMBER) {
        ddb_clock_set_offset_ms(ddb_clock_offset_ms() + strtoll(v->u.s, NULL, 10));
        what = "advanced";
    } else if (in != NULL && (v = ddb_json_get(in, "set")) != NULL && v->type == DDB_JSON_NUMBER) {
        ddb_clock_set_offset_ms(ddb_clock_offset_ms() + (strtoll(v->u.s, NULL, 10) - (long long)ddb_clock_now_ms()));
        what = "set";
    } else if (in != NULL && (v = ddb_json_get(in, "offset")) != NULL && v->type == DDB_JSON_NUMBER) {
        ddb_clock_set_offset_ms(strtoll(v->u.s, NULL, 10));
        what = "offset";
    }
    ddb_arena_free(&a);
    if (what == NULL)
        return answer(out, status, "expected {\"advance\": ms}, {\"set\": epoch ms} or {\"offset\": ms}", 0, 0);
    ddb_log(DDB_LOG_INFO, "admin: clock %s; offset now %lld ms", what, (long long)ddb_clock_offset_ms());
    ddb_tasks_sweep_now(srv->tasks);
    return clock_state(out);
}

static int faults_state(ddb_buf *out)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "write_errors");
    ddb_jw_bool(&w, ddb_fault_write_errors());
    ddb_jw_key(&w, "free_bytes");
    if (ddb_fault_free_bytes() < 0)
        ddb_jw_null(&w);
    else
        ddb_jw_int(&w, ddb_fault_free_bytes());
    ddb_jw_obj_end(&w);
    return 200;
}

/* {"write_errors": bool, "free_bytes": n | null}: both replace the current faults (absent: off). */
static int set_faults(const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *we, *fb;
    int ok;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse(&a, body, blen) : NULL;
    we = in != NULL ? ddb_json_get(in, "write_errors") : NULL;
    fb = in != NULL ? ddb_json_get(in, "free_bytes") : NULL;
    ok = in != NULL && in->type == DDB_JSON_OBJECT && (we == NULL || we->type == DDB_JSON_BOOL) &&
         (fb == NULL || fb->type == DDB_JSON_NULL || (fb->type == DDB_JSON_NUMBER && fb->u.s[0] != '-'));
    if (ok)
        ddb_fault_set_storage(we != NULL && we->u.b, fb != NULL && fb->type == DDB_JSON_NUMBER ? ddb_json_integer(fb, 0) : -1);
    ddb_arena_free(&a);
    if (!ok)
        return answer(out, 400, "expected {\"write_errors\": true|false, \"free_bytes\": n|null}", 0, 0);
    return faults_state(out);
}

int ddb_admin_handle(ddb_server *srv, int is_post, const char *path, size_t plen, const char *body, size_t blen,
                     ddb_buf *out)
{
    if (plen == 12 && memcmp(path, "/ddbd/faults", 12) == 0)
        return is_post ? set_faults(body, blen, out) : faults_state(out);
    if (plen == 11 && memcmp(path, "/ddbd/clock", 11) == 0)
        return is_post ? move_clock(srv, body, blen, out) : clock_state(out);
    return answer(out, 404, "no such admin endpoint", 0, 0);
}
