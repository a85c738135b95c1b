/*
 * server/doors/door.h: what an admin door is handed (the rows of doors.def, walked by admin.c): one
 * signature for every door, ddb_door_fn, and the call it gets.
 */
#ifndef DDB_DOOR_H
#define DDB_DOOR_H

#include <stddef.h>

#include "proto/buf.h"
#include "server/api/dispatch.h"
#include "server/engine/engine.h"

struct ddb_server;
struct ddb_nssnaps;
struct ddb_usage_marks;

/* One admin request, as the walk hands it to the row that took it. */
typedef struct ddb_door_call {
    struct ddb_server *srv;         /* the server (a whole-store snapshot, the time it opened) */
    ddb_engine *eng;                /* its engine and API */
    ddb_api *api;
    struct ddb_nssnaps **nssnaps;   /* what the doors themselves own: the namespace snapshots (nssnap.h) */
    struct ddb_usage_marks *marks;  /* the cost report's marks (usage_marks.h) */
    const char *method;             /* "GET", "POST", ... */
    int post;                       /* method is POST */
    const char *path;               /* the whole path, its query too */
    size_t plen;
    const char *rest;               /* what follows the row's path in it */
    size_t rlen;
    const char *body;               /* NULL when none */
    size_t blen;
} ddb_door_call;

/* The answer to a path no door knows: the walk's, when no row takes a request, and a door's for a
   path below its own that it does not know. */
#define DDB_DOOR_UNKNOWN "no such admin endpoint"

/* A door: the answer's HTTP status, its JSON body appended to *out. */
typedef int ddb_door_fn(const ddb_door_call *c, ddb_buf *out);

#endif
