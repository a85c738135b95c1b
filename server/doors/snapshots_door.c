/*
 * server/doors/snapshots_door.c: /ddbd/snapshots (snapshots_door.h).
 */
#include "server/doors/snapshots_door.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/arena.h"
#include "proto/errors.h"
#include "server/api/dispatch.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/doors/door_message.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/xfer/keyspace_copy.h"
#include "server/engine/xfer/nssnap.h"
#include "server/server.h"

/* Runs `op` with body `body` in-process in namespace `ns`, as the API would (a namespace snapshot's
   restore deletes tables and enables streams so: nssnap.h); 0 or the failure in msg. */
static int run_op(const void *api, const char *ns, ddb_op op, const char *body, char *msg, size_t msglen)
{
    ddb_arena a;
    ddb_buf out = {0};
    ddb_req r;
    ddb_http_in in;
    char target[64];
    const char *colon = strchr(ns, ':');
    int rc;

    ddb_arena_init(&a);
    memset(&r, 0, sizeof(r));
    memset(&in, 0, sizeof(in));
    r.arena = &a;
    r.body = body;
    r.body_len = strlen(body);
    r.outbuf = &out;
    r.internal = 1;
    r.ns = ns;
    r.account = colon != NULL ? ddb_arena_strndup(&a, ns, (size_t)(colon - ns)) : NULL;
    r.region = colon != NULL ? colon + 1 : "us-east-1";
    ddb_jw_init(&r.out, &out);
    snprintf(target, sizeof(target), "DynamoDB_20120810.%s", ddb_op_name(op));
    in.target = target;
    in.target_len = strlen(target);
    ddb_dispatch(api, &r, &in);
    rc = r.err.code != DDB_OK;
    if (rc)
        snprintf(msg, msglen, "%s: %s: %s", ddb_op_name(op), ddb_error_lookup(r.err.code)->type,
                 r.err.msg ? r.err.msg : "(no message)");
    ddb_buf_free(&out);
    ddb_arena_free(&a);
    return rc;
}

/* The namespace snapshots' view of the server (nssnap.h). */
#define SNAPS_ENV(c) (&(ddb_nssnap_env){(c)->eng, run_op, (c)->api, (c)->nssnaps})

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

static int list_snapshots(const ddb_door_call *c, ddb_buf *out)
{
    ddb_checkpoint_info *list;
    size_t n = ddb_server_snapshot_list(c->srv, &list);
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
    ddb_nssnap_list(*c->nssnaps, &w);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    free(list);
    return 200;
}

static int name_taken(const ddb_door_call *c, const char *name)
{
    ddb_checkpoint_info *list;
    size_t n = ddb_server_snapshot_list(c->srv, &list);
    int found = ddb_nssnap_namespace(*c->nssnaps, name) != NULL;

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

/* POST /ddbd/snapshots {"name": "x", "namespace": "<account>:<region>"}: one namespace (nssnap.h). */
static int save_ns_snapshot(const ddb_door_call *c, const char *name, const char *ns, ddb_buf *out)
{
    char msg[512];
    uint64_t t0 = ddb_clock_mono_ns();
    int rc;

    if (!valid_name(name))
        return snapshot_error(out, DDB_CHECKPOINT_BAD_NAME, name);
    if (ns[0] != '\0' && !c->api->namespaces)
        return ddb_door_message(out, 400, "a namespace snapshot of another account or region needs --namespaces");
    if (!ddb_keyspace_copy_supported(c->eng))
        return snapshot_error(out, DDB_CHECKPOINT_UNSUPPORTED, name);
    if (name_taken(c, name))
        return snapshot_error(out, DDB_CHECKPOINT_EXISTS, name);
    if ((rc = ddb_nssnap_save(SNAPS_ENV(c), name, ns, msg, sizeof(msg))) != DDB_NSSNAP_OK)
        return rc == DDB_NSSNAP_FAILED ? ddb_door_message(out, 409, msg) : snapshot_error(out, DDB_CHECKPOINT_EIO, name);
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s of namespace \"%s\" saved in %.1f ms", name, ns, ddb_clock_mono_since_ms(t0));
    return done(out, "name", name, ddb_clock_mono_since_ms(t0));
}

/* POST /ddbd/snapshots {"name": "..."[, "namespace": "..."]} */
static int save_snapshot(const ddb_door_call *c, const char *body, size_t blen, ddb_buf *out)
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
        rc = save_ns_snapshot(c, copy, ns, out);
        ddb_arena_free(&a);
        return rc;
    }
    ddb_arena_free(&a);
    if (name == NULL)
        return ddb_door_message(out, 400, "expected {\"name\": \"<snapshot name>\"}");
    if (bad_ns)
        return ddb_door_message(out, 400,
                       "\"namespace\" is \"<account>:<region>\", or \"\" for the default account in us-east-1");
    if (ddb_nssnap_namespace(*c->nssnaps, copy) != NULL)
        return snapshot_error(out, DDB_CHECKPOINT_EXISTS, copy);
    if ((rc = ddb_server_snapshot_save(c->srv, copy)) != DDB_CHECKPOINT_OK)
        return snapshot_error(out, rc, copy);
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s saved in %.1f ms", copy, ddb_clock_mono_since_ms(t0));
    return done(out, "name", copy, ddb_clock_mono_since_ms(t0));
}

static int restore_snapshot(const ddb_door_call *c, const char *name, ddb_buf *out)
{
    uint64_t t0 = ddb_clock_mono_ns();
    char msg[512];
    int rc;

    if (ddb_nssnap_namespace(*c->nssnaps, name) != NULL) {
        if ((rc = ddb_nssnap_restore(SNAPS_ENV(c), name, msg, sizeof(msg))) != DDB_NSSNAP_OK)
            return ddb_door_message(out, rc == DDB_NSSNAP_FAILED ? 409 : 500, msg);
    } else if ((rc = ddb_server_snapshot_restore(c->srv, name)) != DDB_CHECKPOINT_OK) {
        return snapshot_error(out, rc, name);
    }
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s restored in %.1f ms", name, ddb_clock_mono_since_ms(t0));
    return done(out, "restored", name, ddb_clock_mono_since_ms(t0));
}

static int delete_snapshot(const ddb_door_call *c, const char *name, ddb_buf *out)
{
    int rc = ddb_nssnap_namespace(*c->nssnaps, name) != NULL ? ddb_nssnap_delete(SNAPS_ENV(c), name)
                                                               : ddb_server_snapshot_delete(c->srv, name);

    if (rc != DDB_CHECKPOINT_OK)
        return snapshot_error(out, rc, name);
    ddb_log(DDB_LOG_INFO, "admin: snapshot %s deleted", name);
    return done(out, "deleted", name, 0);
}

/* /ddbd/snapshots[/<name>[/restore]] */
int ddb_snapshots_door(const ddb_door_call *c, ddb_buf *out)
{
    const char *rest = c->rest, *slash;
    size_t rlen = c->rlen;
    char name[DDB_CHECKPOINT_NAME_MAX + 2];
    int post = c->post;

    if (rlen == 0 || (rlen == 1 && *rest == '/')) {
        if (strcmp(c->method, "GET") == 0)
            return list_snapshots(c, out);
        return post ? save_snapshot(c, c->body, c->blen, out)
                    : ddb_door_message(out, 405, "GET or POST /ddbd/snapshots");
    }
    if (*rest != '/')
        return ddb_door_message(out, 404, DDB_DOOR_UNKNOWN);
    rest++;
    rlen--;
    slash = memchr(rest, '/', rlen);
    if ((size_t)((slash ? slash : rest + rlen) - rest) > DDB_CHECKPOINT_NAME_MAX)
        return snapshot_error(out, DDB_CHECKPOINT_BAD_NAME, "");
    snprintf(name, sizeof(name), "%.*s", (int)((slash ? slash : rest + rlen) - rest), rest);
    if (slash != NULL && (size_t)(rest + rlen - slash) == 8 && memcmp(slash, "/restore", 8) == 0)
        return post ? restore_snapshot(c, name, out)
                    : ddb_door_message(out, 405, "POST /ddbd/snapshots/<name>/restore");
    if (slash == NULL && strcmp(c->method, "DELETE") == 0)
        return delete_snapshot(c, name, out);
    return ddb_door_message(out, slash == NULL ? 405 : 404,
                            slash == NULL ? "DELETE /ddbd/snapshots/<name>" : DDB_DOOR_UNKNOWN);
}

