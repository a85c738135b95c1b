/*
 * server/engine/jobs/purge.c: the keys of deleted tables deleted, on the background worker (see purge.h).
 */
#include "server/engine/jobs/purge.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/log.h"
#include "server/engine/keycodec.h"
#include "server/engine/history/retention.h"

#define PURGE_PREFIX "task/purge/"

void ddb_task_purge_record(ddb_batch *b, ddb_arena *a, const uint32_t *ids, size_t n)
{
    ddb_buf buf = {0};
    char *key = ddb_arena_sprintf(a, PURGE_PREFIX "%010u", ids[0]);
    char *val;

    for (size_t i = 0; i < n; i++)
        ddb_buf_printf(&buf, "%s%u", i ? "," : "", ids[i]);
    val = ddb_arena_strndup(a, buf.data, buf.len);
    ddb_buf_free(&buf);
    ddb_batch_meta_put(b, key, strlen(key), val, strlen(val));
}


void ddb_task_purge_table(ddb_batch *b, ddb_arena *a, const ddb_table *t)
{
    uint32_t ids[3 + DDB_MAX_INDEXES];
    size_t n = 0;

    if (t->pitr.log == 0)
        ids[n++] = t->id;
    for (unsigned i = 0; i < t->nindexes; i++)
        ids[n++] = t->indexes[i].id;
    if (t->collections_id != 0)
        ids[n++] = t->collections_id;
    if (t->rep.id != 0)
        ids[n++] = t->rep.id;
    ddb_task_purge_record(b, a, ids, n);
}

int ddb_purge_keyspace(ddb_store *s, uint32_t id)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];

    ddb_key_table_range(id, lo, hi);
    return ddb_store_delete_range_all(s, lo, sizeof(lo), hi, sizeof(hi));
}

/* Runs every recorded table purge; returns how many ran. */
static int run_purges(ddb_engine *eng, void *state, int (*stopping)(void *ctx), void *sctx)
{
    (void)state, (void)stopping, (void)sctx;
    ddb_store *s = eng->store;
    ddb_store_iter *it = ddb_store_meta_iter_open(s, PURGE_PREFIX, strlen(PURGE_PREFIX), "task/purge0", 11);
    int done = 0;

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        char ids[512], key[64];
        ddb_arena a;
        ddb_batch b;
        int rc = 0;

        if (vlen >= sizeof(ids) || klen >= sizeof(key))
            continue;
        memcpy(ids, v, vlen);
        ids[vlen] = '\0';
        memcpy(key, k, klen);
        /* the record is committed before the table is retired, under the catalog's lock: once that
           is done, a writer either saw the table retired or holds its locks, which the barrier waits for */
        ddb_catalog_sync(eng->catalog);
        ddb_store_barrier(s);
        for (char *p = ids; *p != '\0' && rc == 0;) {
            char *end;
            unsigned long id = strtoul(p, &end, 10);
            /* the only sequenced records a purge deletes are a point-in-time history's (a stream's
               and a Kinesis log's go by their own jobs): the memory budget counts them off */
            uint64_t bytes = ddb_retention_of(eng) != NULL ? ddb_retention_count_seq(s, (uint32_t)id) : 0;
            if ((rc = ddb_purge_keyspace(s, (uint32_t)id)) == 0)
                ddb_retention_sub(ddb_retention_of(eng), DDB_RET_PITR, bytes);
            p = *end == ',' ? end + 1 : end;
        }
        if (rc != 0) {
            ddb_log(DDB_LOG_ERROR, "tasks: purge of keyspaces %s failed; retried at the next start", ids);
            continue;
        }
        ddb_arena_init(&a);
        ddb_batch_init(&b, &a);
        ddb_batch_meta_delete(&b, key, klen);
        for (char *p = ids; *p != '\0';) { /* and the cursors of backfills the deletion cut short */
            char *end, *cursor = ddb_arena_sprintf(&a, DDB_BACKFILL_PREFIX "%010lu", strtoul(p, &end, 10));
            ddb_batch_meta_delete(&b, cursor, strlen(cursor));
            p = *end == ',' ? end + 1 : end;
        }
        b.removes = 1; /* frees space: allowed on a disk short of it (diskguard.h) */
        ddb_store_write(s, &b);
        ddb_arena_free(&a);
        ddb_log(DDB_LOG_INFO, "tasks: purged the keys of a deleted table (keyspaces %s)", ids);
        done++;
    }
    ddb_store_iter_close(it);
    return done;
}

const ddb_job ddb_job_table_purge = {.name = "table purge", .work = run_purges};
