/*
 * server/admin.c: the admin endpoints (see admin.h). http.c routes /ddbd/ paths here.
 */
#include "admin.h"

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "clock.h"
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

int ddb_admin_handle(ddb_server *srv, int is_post, const char *path, size_t plen, const char *body, size_t blen,
                     ddb_buf *out)
{
    if (plen == 11 && memcmp(path, "/ddbd/clock", 11) == 0)
        return is_post ? move_clock(srv, body, blen, out) : clock_state(out);
    return answer(out, 404, "no such admin endpoint", 0, 0);
}
