/*
 * server/doors/faults_door.c: /ddbd/faults (faults_door.h).
 */
#include "server/doors/faults_door.h"

#include <string.h>

#include "proto/arena.h"
#include "server/api/faults/inject.h"
#include "server/base/faults.h"
#include "server/base/log.h"
#include "server/doors/door_message.h"

static int faults_state(ddb_api *api, ddb_buf *out)
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
    ddb_jw_key(&w, "stuck_resume");
    ddb_jw_bool(&w, ddb_fault_stuck_resume());
    ddb_inject_list(api->inject, &w);
    ddb_jw_obj_end(&w);
    return 200;
}

/* {"faults": [{"operation": ..., "table": ..., "error": ..., "count": ...}, ...][, "seed": n]}:
   request faults (api/faults/inject.h), added to those in force, all or none. */
static int add_request_faults(ddb_api *api, const ddb_json *in, ddb_buf *out)
{
    char err[300];
    const char *bad = ddb_inject_add_json(api->inject, in, err, sizeof(err));

    if (bad != NULL)
        return ddb_door_message(out, 400, bad);
    ddb_log(DDB_LOG_INFO, "admin: request faults added");
    return faults_state(api, out);
}

/* {"write_errors": bool, "free_bytes": n | null, "stuck_resume": bool}: all three replace the current
   storage faults (absent: off); {"faults": [...]}: request faults instead. */
static int set_faults(ddb_api *api, const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *we, *fb, *sr;
    int ok;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    if (in != NULL && in->type == DDB_JSON_OBJECT && ddb_json_get(in, "faults") != NULL) {
        ok = add_request_faults(api, in, out);
        ddb_arena_free(&a);
        return ok;
    }
    we = in != NULL ? ddb_json_get(in, "write_errors") : NULL;
    fb = in != NULL ? ddb_json_get(in, "free_bytes") : NULL;
    sr = in != NULL ? ddb_json_get(in, "stuck_resume") : NULL;
    ok = in != NULL && in->type == DDB_JSON_OBJECT && (we == NULL || we->type == DDB_JSON_BOOL) &&
         (fb == NULL || fb->type == DDB_JSON_NULL || (fb->type == DDB_JSON_NUMBER && fb->u.s[0] != '-')) &&
         (sr == NULL || sr->type == DDB_JSON_BOOL);
    if (ok)
        ddb_fault_set_storage(we != NULL && we->u.b, fb != NULL && fb->type == DDB_JSON_NUMBER ? ddb_json_integer(fb, 0) : -1,
                              sr != NULL && sr->u.b);
    ddb_arena_free(&a);
    if (!ok)
        return ddb_door_message(out, 400, "expected {\"write_errors\": true|false, \"free_bytes\": n|null, "
                                "\"stuck_resume\": true|false}");
    return faults_state(api, out);
}

/* DELETE /ddbd/faults: no fault of either kind any more. */
static int clear_faults(ddb_api *api, ddb_buf *out)
{
    ddb_inject_clear(api->inject);
    if (ddb_fault_write_errors() || ddb_fault_free_bytes() >= 0 || ddb_fault_stuck_resume())
        ddb_fault_set_storage(0, -1, 0);
    ddb_log(DDB_LOG_INFO, "admin: faults cleared");
    return faults_state(api, out);
}

int ddb_faults_door(const ddb_door_call *c, ddb_buf *out)
{
    if (c->post)
        return set_faults(c->api, c->body, c->blen, out);
    return strcmp(c->method, "DELETE") == 0 ? clear_faults(c->api, out) : faults_state(c->api, out);
}
