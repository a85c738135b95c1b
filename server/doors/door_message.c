/*
 * server/doors/door_message.c: {"message": MSG}, a door's answer in words (door_message.h).
 */
#include "server/doors/door_message.h"

#include "proto/json.h"

int ddb_door_message(ddb_buf *out, int status, const char *msg)
{
    ddb_jw w;

    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "message");
    ddb_jw_str(&w, msg);
    ddb_jw_obj_end(&w);
    return status;
}
