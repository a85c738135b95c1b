/*
 * server/doors/admin.c: the admin endpoints (see admin.h). http.c routes /ddbd/ paths here.
 */
#include "server/doors/admin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/arena.h"
#include "server/api/inject.h"
#include "server/doors/door_message.h"
#include "server/doors/record_door.h"
#include "server/base/clock.h"
#include "server/base/faults.h"
#include "server/base/gate.h"
#include "server/base/log.h"
#include "server/base/sleeper.h"
#include "server/engine/catalog.h"
#include "server/engine/jobs/tasks.h"
#include "server/doors/consistency_door.h"
#include "server/doors/states_door.h"
#include "server/doors/import_door.h"
#include "server/doors/insights_view.h"
#include "server/doors/usage.h"
#include "server/doors/usage_marks.h"
#include "server/doors/nssnap.h"
#include "server/server.h"

/* The namespace snapshots' view of the server (nssnap.h). */
#define SNAPS_ENV(adm) (&(ddb_nssnap_env){&(adm)->srv->eng, &(adm)->srv->api, &(adm)->nssnaps})

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

/* How long a step waits, in real time, for a background worker's pass (a destination that hangs). */
#define SETTLE_LIMIT_MS 10000
/* The most times a step stops on its way (each worker's next due time, in order). */
#define STEP_STOPS_MAX 10000

/* The background work sees the clock where it stands: sweeps (TTL, expiry) and every follower's pass. */
static void settle(ddb_admin *adm)
{
    unsigned late;

    ddb_tasks_sweep_now(adm->srv->eng.tasks);
    if ((late = ddb_sleepers_settle(SETTLE_LIMIT_MS)) > 0)
        ddb_log(DDB_LOG_WARN, "admin: the clock moved; %u background worker(s) still busy after %u ms", late,
                SETTLE_LIMIT_MS);
}

/*
 * Moves the clock to `to`. Forward, it stops first at each time a background worker said it has
 * work at (a replica's lag running out, a trigger's window), in time order, and lets the work
 * happen there: a step of an hour does what an hour of running would, in its order.
 */
static void step_to(ddb_admin *adm, int64_t to, int64_t offset)
{
    uint64_t at;

    for (unsigned i = 0; i < STEP_STOPS_MAX && (at = ddb_sleepers_next_due(ddb_clock_now_ms(), (uint64_t)to)) != 0;
         i++) {
        ddb_clock_set_ms(at);
        settle(adm);
    }
    if (ddb_clock_frozen())
        ddb_clock_set_ms((uint64_t)to);
    else
        ddb_clock_set_offset_ms(offset);
    settle(adm);
}

/* {"advance": ms} | {"set": epoch ms} | {"offset": ms} | {"freeze": true} | {"run": true} */
static int move_clock(ddb_admin *adm, const char *body, size_t blen, ddb_buf *out)
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
        step_to(adm, to, offset);
    if (run)
        ddb_clock_run();
    ddb_log(DDB_LOG_INFO, "admin: clock %s%s%s; now %lld, offset %lld ms", freeze ? "frozen" : "",
            what != NULL ? (freeze ? ", " : "") : "", what != NULL ? what : run ? "running" : "",
            (long long)ddb_clock_now_ms(), (long long)ddb_clock_offset_ms());
    return clock_state(out);
}

/* ---- snapshots ---- */

/* The answer of a failed snapshot call, by its ddb_checkpoint_rc. */
static int snapshot_error(ddb_buf *out, int rc, const char *name)
{
    char msg[160];

    switch (rc) {
    case DDB_CHECKPOINT_BAD_NAME:
        return ddb_door_message(out, 400, "a snapshot name is 1 to 64 of A-Z, a-z, 0-9, _ and -");
    case DDB_CHECKPOINT_EXISTS:
        snprintf(msg, sizeof(msg), "snapshot %s exists", name);
        return ddb_door_message(out, 409, msg);
    case DDB_CHECKPOINT_NOT_FOUND:
        snprintf(msg, sizeof(msg), "no snapshot named %s", name);
        return ddb_door_message(out, 404, msg);
    case DDB_CHECKPOINT_UNSUPPORTED:
        return ddb_door_message(out, 501, "snapshots are not supported by the RADOS backend yet (docs/scale-out.md)");
    default:
        return ddb_door_message(out, 500, "the snapshot call failed (see the server's log)");
    }
}

/* {"name": ..., "tookMs": ...} */
static int done(ddb_buf *out, const char *key, const char *name, double ms)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, key);
    ddb_jw_str(&w, name);
    ddb_jw_key(&w, "tookMs");
    ddb_jw_double(&w, (double)(long long)(ms * 1000) / 1000);
    ddb_jw_obj_end(&w);
    return 200;
}

static int list_snapshots(ddb_admin *adm, ddb_buf *out)
{
    ddb_checkpoint_info *list;
    size_t n = ddb_server_snapshot_list(adm->srv, &list);
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "snapshots");
    ddb_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "name");
        ddb_jw_str(&w, list[i].name);
        ddb_jw_key(&w, "createdAt");
        ddb_jw_int(&w, (long long)list[i].created_ms);
        ddb_jw_obj_end(&w);
    }
    ddb_nssnap_list(adm->nssnaps, &w);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    free(list);
    return 200;
}

static int name_taken(ddb_admin *adm, const char *name)
{
    ddb_checkpoint_info *list;
    size_t n = ddb_server_snapshot_list(adm->srv, &list);
    int found = ddb_nssnap_namespace(adm->nssnaps, name) != NULL;

    for (size_t i = 0; i < n && !found; i++)
        found = strcmp(list[i].name, name) == 0;
    free(list);
    return found;
}

static int valid_name(const char *name)
{
    size_t n = strlen(name);

    return n >= 1 && n <= DDB_CHECKPOINT_NAME_MAX &&
           strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

/* "" or "<account>:<region>" (the default account's us-east-1 is ""), into out; 0 if malformed. */
static int namespace_of(ddb_arena *a, const char *ns, const char **out)
{
    static const char OK[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *colon = strchr(ns, ':');

    if (ns[0] == '\0') {
        *out = ns;
        return 1;
    }
    if (colon == NULL || colon == ns || colon[1] == '\0' || strspn(ns, OK) != (size_t)(colon - ns) ||
        strspn(colon + 1, OK) != strlen(colon + 1))
        return 0;
    *out = ddb_ns_of(a, ddb_arena_strndup(a, ns, (size_t)(colon - ns)), colon + 1);
    return 1;
}

/* A namespace snapshot's save and restore read tables and run requests (nssnap.h) outside the
   gate: they hold the catalog (a whole-server snapshot closes it: it holds nothing). */
static int nssnap_save(ddb_admin *adm, const char *name, const char *ns, char *msg, size_t msglen)
{
    ddb_gate_hold h;
    int rc;

    ddb_catalog_hold(adm->srv->eng.catalog, &h);
    rc = ddb_nssnap_save(SNAPS_ENV(adm), name, ns, msg, msglen);
    ddb_catalog_unhold(adm->srv->eng.catalog, &h);
    return rc;
}

static int nssnap_restore(ddb_admin *adm, const char *name, char *msg, size_t msglen)
{
    ddb_gate_hold h;
    int rc;

    ddb_catalog_hold(adm->srv->eng.catalog, &h);
    rc = ddb_nssnap_restore(SNAPS_ENV(adm), name, msg, msglen);
    ddb_catalog_unhold(adm->srv->eng.catalog, &h);
    return rc;
}

/* POST /ddbd/snapshots {"name": "x", "namespace": "<account>:<region>"}: one namespace (nssnap.h). */
static int save_ns_snapshot(ddb_admin *adm, const char *name, const char *ns, ddb_buf *out)
{
    char msg[512];
    uint64_t t0 = ddb_clock_mono_ns();
    int rc;

    if (!valid_name(name))
        return snapshot_error(out, DDB_CHECKPOINT_BAD_NAME, name);
    if (ns[0] != '\0' && !adm->srv->api.namespaces)
        return ddb_door_message(out, 400, "a namespace snapshot of another account or region needs --namespaces");
    if (ddb_store_shared(adm->srv->eng.store))
        return snapshot_error(out, DDB_CHECKPOINT_UNSUPPORTED, name);
    if (name_taken(adm, name))
        return snapshot_error(out, DDB_CHECKPOINT_EXISTS, name);
    if ((rc = nssnap_save(adm, name, ns, msg, sizeof(msg))) != DDB_NSSNAP_OK)
        return rc == DDB_NSSNAP_FAILED ? ddb_door_message(out, 409, msg) : snapshot_error(out, DDB_CHECKPOINT_EIO, name);
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s of namespace \"%s\" saved in %.1f ms", name, ns, ddb_clock_mono_since_ms(t0));
    return done(out, "name", name, ddb_clock_mono_since_ms(t0));
}

/* POST /ddbd/snapshots {"name": "..."[, "namespace": "..."]} */
static int save_snapshot(ddb_admin *adm, const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *nsv;
    const char *name, *ns = NULL;
    char copy[DDB_CHECKPOINT_NAME_MAX + 2];
    uint64_t t0 = ddb_clock_mono_ns();
    int rc, bad_ns = 0;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    name = ddb_json_get_str(in, "name");
    snprintf(copy, sizeof(copy), "%s", name ? name : "");
    if (in != NULL && (nsv = ddb_json_get(in, "namespace")) != NULL)
        bad_ns = nsv->type != DDB_JSON_STRING || !namespace_of(&a, nsv->u.s, &ns);
    if (name != NULL && !bad_ns && ns != NULL) {
        rc = save_ns_snapshot(adm, copy, ns, out);
        ddb_arena_free(&a);
        return rc;
    }
    ddb_arena_free(&a);
    if (name == NULL)
        return ddb_door_message(out, 400, "expected {\"name\": \"<snapshot name>\"}");
    if (bad_ns)
        return ddb_door_message(out, 400,
                       "\"namespace\" is \"<account>:<region>\", or \"\" for the default account in us-east-1");
    if (ddb_nssnap_namespace(adm->nssnaps, copy) != NULL)
        return snapshot_error(out, DDB_CHECKPOINT_EXISTS, copy);
    if ((rc = ddb_server_snapshot_save(adm->srv, copy)) != DDB_CHECKPOINT_OK)
        return snapshot_error(out, rc, copy);
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s saved in %.1f ms", copy, ddb_clock_mono_since_ms(t0));
    return done(out, "name", copy, ddb_clock_mono_since_ms(t0));
}

static int restore_snapshot(ddb_admin *adm, const char *name, ddb_buf *out)
{
    uint64_t t0 = ddb_clock_mono_ns();
    char msg[512];
    int rc;

    if (ddb_nssnap_namespace(adm->nssnaps, name) != NULL) {
        if ((rc = nssnap_restore(adm, name, msg, sizeof(msg))) != DDB_NSSNAP_OK)
            return ddb_door_message(out, rc == DDB_NSSNAP_FAILED ? 409 : 500, msg);
    } else if ((rc = ddb_server_snapshot_restore(adm->srv, name)) != DDB_CHECKPOINT_OK) {
        return snapshot_error(out, rc, name);
    }
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s restored in %.1f ms", name, ddb_clock_mono_since_ms(t0));
    return done(out, "restored", name, ddb_clock_mono_since_ms(t0));
}

static int delete_snapshot(ddb_admin *adm, const char *name, ddb_buf *out)
{
    int rc = ddb_nssnap_namespace(adm->nssnaps, name) != NULL ? ddb_nssnap_delete(SNAPS_ENV(adm), name)
                                                               : ddb_server_snapshot_delete(adm->srv, name);

    if (rc != DDB_CHECKPOINT_OK)
        return snapshot_error(out, rc, name);
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s deleted", name);
    return done(out, "deleted", name, 0);
}

/* /ddbd/snapshots[/<name>[/restore]] */
static int snapshots(ddb_admin *adm, const char *method, const char *path, size_t plen, const char *body, size_t blen,
                     ddb_buf *out)
{
    const char *rest = path + 15, *slash;
    size_t rlen = plen - 15;
    char name[DDB_CHECKPOINT_NAME_MAX + 2];
    int post = strcmp(method, "POST") == 0;

    if (rlen == 0 || (rlen == 1 && *rest == '/')) {
        if (strcmp(method, "GET") == 0)
            return list_snapshots(adm, out);
        return post ? save_snapshot(adm, body, blen, out) : ddb_door_message(out, 405, "GET or POST /ddbd/snapshots");
    }
    if (*rest != '/')
        return ddb_door_message(out, 404, "no such admin endpoint");
    rest++;
    rlen--;
    slash = memchr(rest, '/', rlen);
    if ((size_t)((slash ? slash : rest + rlen) - rest) > DDB_CHECKPOINT_NAME_MAX)
        return snapshot_error(out, DDB_CHECKPOINT_BAD_NAME, "");
    snprintf(name, sizeof(name), "%.*s", (int)((slash ? slash : rest + rlen) - rest), rest);
    if (slash != NULL && (size_t)(rest + rlen - slash) == 8 && memcmp(slash, "/restore", 8) == 0)
        return post ? restore_snapshot(adm, name, out)
                    : ddb_door_message(out, 405, "POST /ddbd/snapshots/<name>/restore");
    if (slash == NULL && strcmp(method, "DELETE") == 0)
        return delete_snapshot(adm, name, out);
    return ddb_door_message(out, slash == NULL ? 405 : 404,
                            slash == NULL ? "DELETE /ddbd/snapshots/<name>" : "no such admin endpoint");
}

static int faults_state(ddb_admin *adm, ddb_buf *out)
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
    ddb_inject_list(adm->srv->api.inject, &w);
    ddb_jw_obj_end(&w);
    return 200;
}

/* {"faults": [{"operation": ..., "table": ..., "error": ..., "count": ...}, ...][, "seed": n]}:
   request faults (api/inject.h), added to those in force, all or none. */
static int add_request_faults(ddb_admin *adm, const ddb_json *in, ddb_buf *out)
{
    char err[300];
    const char *bad = ddb_inject_add_json(adm->srv->api.inject, in, err, sizeof(err));

    if (bad != NULL)
        return ddb_door_message(out, 400, bad);
    ddb_log(DDB_LOG_INFO, "admin: request faults added");
    return faults_state(adm, out);
}

/* {"write_errors": bool, "free_bytes": n | null, "stuck_resume": bool}: all three replace the current
   storage faults (absent: off); {"faults": [...]}: request faults instead. */
static int set_faults(ddb_admin *adm, const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *we, *fb, *sr;
    int ok;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    if (in != NULL && in->type == DDB_JSON_OBJECT && ddb_json_get(in, "faults") != NULL) {
        ok = add_request_faults(adm, in, out);
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
    return faults_state(adm, out);
}

/* DELETE /ddbd/faults: no fault of either kind any more. */
static int clear_faults(ddb_admin *adm, ddb_buf *out)
{
    ddb_inject_clear(adm->srv->api.inject);
    if (ddb_fault_write_errors() || ddb_fault_free_bytes() >= 0 || ddb_fault_stuck_resume())
        ddb_fault_set_storage(0, -1, 0);
    ddb_log(DDB_LOG_INFO, "admin: faults cleared");
    return faults_state(adm, out);
}

/* GET /ddbd/models: what the NoSQL Workbench models given to --seed show of their tables besides
   their items (facets, saved queries: docs/seeding.md), each named with its table and file. */
static int seed_models(ddb_admin *adm, ddb_buf *out)
{
    ddb_buf_puts(out, "{\"tables\": ");
    ddb_buf_puts(out, adm->srv->seed_views != NULL ? adm->srv->seed_views : "[]");
    ddb_buf_putc(out, '}');
    return 200;
}

#define CI_PATH "/ddbd/contributor-insights/"
#define CI_PATH_LEN (sizeof(CI_PATH) - 1)

int ddb_admin_handle(ddb_admin *adm, const char *method, const char *path, size_t plen, const char *body, size_t blen,
                     ddb_buf *out)
{
    int is_post = strcmp(method, "POST") == 0, status;
    ddb_gate_hold h; /* the doors below read tables outside the gate (a snapshot's own: snapshots()) */

    /* the import's sample may read a long source: under neither the lock nor the gate, so that the
       other doors are answered meanwhile (it takes the gate for its ImportTable) */
    if (plen == 12 && memcmp(path, "/ddbd/import", 12) == 0 && is_post)
        return ddb_import_door(&adm->srv->api, body, blen, out);
    pthread_mutex_lock(&adm->lock);
    if (plen >= 15 && memcmp(path, "/ddbd/snapshots", 15) == 0) {
        status = snapshots(adm, method, path, plen, body, blen, out);
        pthread_mutex_unlock(&adm->lock);
        return status;
    }
    ddb_catalog_hold(adm->srv->eng.catalog, &h);
    if (plen == 11 && memcmp(path, "/ddbd/clock", 11) == 0)
        status = is_post ? move_clock(adm, body, blen, out) : clock_state(out);
    else if (plen == 12 && memcmp(path, "/ddbd/faults", 12) == 0)
        status = is_post                         ? set_faults(adm, body, blen, out)
                 : strcmp(method, "DELETE") == 0 ? clear_faults(adm, out)
                                                 : faults_state(adm, out);
    else if (plen == 17 && memcmp(path, "/ddbd/consistency", 17) == 0)
        status = ddb_consistency_door(&adm->srv->eng, adm->srv->config->consistency_seed, is_post, body, blen, out);
    else if (plen == 12 && memcmp(path, "/ddbd/record", 12) == 0)
        status = ddb_record_door(&adm->srv->api, method, body, blen, out);
    else if (plen == 18 && memcmp(path, "/ddbd/table-states", 18) == 0)
        status = ddb_states_door(&adm->srv->eng, is_post, body, blen, out);
    else if (plen >= 11 && memcmp(path, "/ddbd/usage", 11) == 0 && (plen == 11 || path[11] == '?' || path[11] == '/'))
        status = ddb_usage_door(&adm->srv->eng, adm->marks, adm->srv->opened_ms, is_post, path, plen, body, blen, out);
    else if (plen == 12 && memcmp(path, "/ddbd/models", 12) == 0)
        status = is_post ? ddb_door_message(out, 405, "GET /ddbd/models") : seed_models(adm, out);
    else if (plen > CI_PATH_LEN && memcmp(path, CI_PATH, CI_PATH_LEN) == 0 && !is_post)
        status = ddb_insights_admin(&adm->srv->eng, path + CI_PATH_LEN, plen - CI_PATH_LEN, out);
    else
        status = ddb_door_message(out, 404, "no such admin endpoint");
    ddb_catalog_unhold(adm->srv->eng.catalog, &h);
    pthread_mutex_unlock(&adm->lock);
    return status;
}

void ddb_admin_open(ddb_admin *adm, ddb_server *srv)
{
    const char *budget = getenv("DDBD_USAGE_MARKS_BYTES"); /* (a test's smaller budget: usage_marks.h) */

    *adm = (ddb_admin){.srv = srv, .marks = calloc(1, sizeof(*adm->marks))};
    if (adm->marks == NULL)
        abort();
    adm->marks->budget = budget != NULL && atoll(budget) > 0 ? (size_t)atoll(budget) : 0;
    pthread_mutex_init(&adm->lock, NULL);
}

void ddb_admin_close(ddb_admin *adm)
{
    if (adm->srv == NULL)
        return;
    ddb_nssnaps_free(adm->nssnaps);
    ddb_usage_marks_free(adm->marks);
    free(adm->marks);
    pthread_mutex_destroy(&adm->lock);
    *adm = (ddb_admin){0};
}
