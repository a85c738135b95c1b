/*
 * server/doors/record_door.c: /ddbd/record (see record_door.h).
 */
#include "server/doors/record_door.h"

#include <stdlib.h>
#include <string.h>

#include "server/api/record/record.h"
#include "server/doors/door_message.h"


static int state(ddb_api *api, ddb_buf *out)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_recorder_state(api->recorder, &api->recording, &w);
    return 200;
}

static int start(ddb_api *api, const char *body, size_t blen, ddb_buf *out)
{
    ddb_arena a;
    const ddb_json *in, *file, *redact;
    ddb_record_rules *rules = NULL;
    char err[512];
    int rc = 0;

    ddb_arena_init(&a);
    in = blen > 0 ? ddb_json_parse_input(&a, body, blen, NULL) : NULL;
    file = in != NULL && in->type == DDB_JSON_OBJECT ? ddb_json_get(in, "file") : NULL;
    redact = in != NULL && in->type == DDB_JSON_OBJECT ? ddb_json_get(in, "redact") : NULL;
    if (file == NULL || file->type != DDB_JSON_STRING || file->n == 0) {
        ddb_arena_free(&a);
        return ddb_door_message(out, 400,
                                "expected {\"file\": PATH[, \"redact\": {\"key\": ..., \"attributes\": {...}}]}");
    }
    if (redact != NULL && (rules = ddb_record_rules_of(redact, err, sizeof(err))) == NULL) {
        ddb_arena_free(&a);
        return ddb_door_message(out, 400, err);
    }
    rc = ddb_recorder_start(api->recorder, &api->recording, file->u.s, rules, 1, err, sizeof(err));
    ddb_arena_free(&a);
    if (rc != 0) /* one on already, or the file exists: a conflict; a path it cannot open: a bad request */
        return ddb_door_message(out, rc == -1 ? 400 : 409, err);
    return state(api, out);
}

static int stop(ddb_api *api, ddb_buf *out)
{
    ddb_jw w;
    long long lines = ddb_recorder_stop(api->recorder, &api->recording);

    if (lines < 0)
        return ddb_door_message(out, 404, "no recording is in progress");
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "recording");
    ddb_jw_bool(&w, 0);
    ddb_jw_key(&w, "requests");
    ddb_jw_int(&w, lines);
    ddb_jw_obj_end(&w);
    return 200;
}

int ddb_record_door(const ddb_door_call *c, ddb_buf *out)
{
    if (c->post)
        return start(c->api, c->body, c->blen, out);
    if (strcmp(c->method, "DELETE") == 0)
        return stop(c->api, out);
    if (strcmp(c->method, "GET") == 0)
        return state(c->api, out);
    return ddb_door_message(out, 405, "GET, POST or DELETE /ddbd/record");
}
