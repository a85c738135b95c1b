/*
 * server/doors/door_message.h: the answer every door gives in words, {"message": MSG}: a refusal
 * (400, 404, 409), or a plain acknowledgement. One writer for the doors' refusals, as the API's
 * errors carry their text in a "message" member too.
 */
#ifndef DDB_DOOR_MESSAGE_H
#define DDB_DOOR_MESSAGE_H

#include "proto/buf.h"

/* Appends {"message": msg} to out; returns status, for `return ddb_door_message(out, 400, ...)`. */
int ddb_door_message(ddb_buf *out, int status, const char *msg);

#endif
