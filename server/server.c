/*
 * server/server.c: opens and closes the process-wide state (see server.h).
 */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "idempotency.h"
#include "keycodec.h"
#include "streams.h"
#include "triggers.h"
#include "tasks.h"

int ddb_server_open(ddb_server *srv, const ddb_config *cfg, char **err)
{
    ddb_store_options o;

    memset(srv, 0, sizeof(*srv));
    srv->config = cfg;
    if (cfg->auth_file != NULL && (srv->auth = ddb_auth_load(cfg->auth_file, err)) == NULL)
        return -1;
    memset(&o, 0, sizeof(o));
    o.path = cfg->data_dir;
    o.in_memory = cfg->in_memory;
    o.nshards = cfg->shards; /* 0: the data directory's own count */
    o.default_nshards = cfg->default_shards;
    o.sync_writes = cfg->sync_writes;
    o.min_free_bytes = cfg->min_free_disk;
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    if ((srv->store = ddb_store_open(&o, err)) == NULL)
        return -1;
    if ((srv->catalog = ddb_catalog_open(srv->store, err)) == NULL) {
        ddb_store_close(srv->store);
        return -1;
    }
    /* a store opened with more shards than a stream's last generation opens a new one */
    if (ddb_streams_reshard(srv, err) != 0) {
        ddb_catalog_close(srv->catalog);
        ddb_store_close(srv->store);
        return -1;
    }
    srv->tokens = ddb_tokens_new((uint64_t)cfg->idempotency_window * 1000);
    srv->tasks = ddb_tasks_start(srv);
    srv->triggers = ddb_triggers_start(srv);
    return 0;
}

void ddb_server_close(ddb_server *srv)
{
    ddb_triggers_stop(srv->triggers);
    ddb_tasks_stop(srv->tasks);
    ddb_tokens_free(srv->tokens);
    ddb_auth_free(srv->auth);
    ddb_catalog_close(srv->catalog);
    ddb_store_close(srv->store);
    memset(srv, 0, sizeof(*srv));
}
