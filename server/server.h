/*
 * server/server.h: the process-wide state every request can reach through req->srv.
 */
#ifndef DDB_SERVER_H
#define DDB_SERVER_H

#include "catalog.h"
#include "config.h"
#include "storage.h"

typedef struct ddb_server ddb_server;

struct ddb_server {
    const ddb_config *config;
    ddb_store *store;
    ddb_catalog *catalog;
    struct ddb_tasks *tasks; /* the background worker (engine/tasks.h) */
    struct ddb_tokens *tokens; /* ClientRequestTokens in flight (engine/idempotency.h) */
    struct ddb_triggers *triggers; /* stream triggers to local functions (engine/triggers.h) */
    struct ddb_auth *auth;   /* --auth: the keys signatures are verified against (api/auth.h); NULL: none */
};

/* Opens the store and the catalog for `cfg`; returns 0 or -1 with *err set (malloc'd). */
int ddb_server_open(ddb_server *srv, const ddb_config *cfg, char **err);
void ddb_server_close(ddb_server *srv);

#endif
