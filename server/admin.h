/*
 * server/admin.h: ddbd's own admin endpoints, off the DynamoDB API's namespace (paths under
 * /ddbd/) and answered only when the server runs with --admin (docs/admin.md):
 *
 *   GET  /ddbd/clock                         {"now": <ms since the epoch>, "offset": <ms>}
 *   POST /ddbd/clock  {"advance": <ms>}      moves the server's clock (clock.h) forward
 *                     {"set": <epoch ms>}    sets it
 *                     {"offset": <ms>}       sets its offset from the wall clock (0: real time)
 * Moving the clock makes the background worker sweep at once, so what expired meanwhile (TTL,
 * stream records, tokens) goes right away.
 */
#ifndef DDB_ADMIN_H
#define DDB_ADMIN_H

#include <stddef.h>

#include "json.h"

struct ddb_server;

/* Handles one admin request; writes the JSON answer to `out` and returns the HTTP status. */
int ddb_admin_handle(struct ddb_server *srv, int is_post, const char *path, size_t plen, const char *body,
                     size_t blen, ddb_buf *out);

#endif
