/*
 * server/ops/history.c: a table's backups and point-in-time history as the operations make and read
 * them (see history.h).
 */
#include "server/ops/history.h"

#include <string.h>

#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/jobs/purge.h"
#include "server/engine/xfer/xfer.h"
#include "server/ops/table_desc.h"

#define DAY_MS 86400000ULL

void ddb_backup_of_table(ddb_req *req, const ddb_table *t, const char *id, const char *name, uint64_t now,
                         uint32_t keyspace, ddb_backup *b)
{
    memset(b, 0, sizeof(*b));
    b->id = id;
    b->arn = ddb_arena_sprintf(req->arena, "%s/backup/%s", ddb_table_arn(req, t), id);
    b->name = name;
    b->ns = req->ns;
    b->table = t->name;
    b->table_arn = ddb_table_arn(req, t);
    b->table_uuid = ddb_json_get_str(t->desc, "TableId");
    b->status = "CREATING";
    b->source_id = t->id;
    b->keyspace = keyspace;
    b->created_ms = now;
    b->source = t->desc;
}

/*
 * DeleteTable of a table with point-in-time recovery keeps its items as a SYSTEM backup,
 * "<table>$DeletedTableBackup", for DDB_SYSTEM_BACKUP_DAYS, as DynamoDB does. Nothing is copied:
 * the table's own keyspace becomes the backup's (the caller leaves it out of the purge), and the
 * record joins the catalog change's write, so no crash can lose the items or keep them unowned.
 * The worker then counts them and marks the backup AVAILABLE.
 */
void ddb_backup_system_record(ddb_req *req, const ddb_table *t, ddb_batch *out)
{
    uint64_t now = ddb_clock_now_ms();
    char *id = ddb_arena_alloc(req->arena, 32);
    ddb_backup b;

    ddb_xfer_new_id(id, now);
    ddb_backup_of_table(req, t, id, ddb_arena_sprintf(req->arena, "%s$DeletedTableBackup", t->name), now, t->id, &b);
    b.system = 1;
    b.expires_ms = now + (uint64_t)DDB_SYSTEM_BACKUP_DAYS * 86400000ull;
    ddb_backup_record_put(out, req->arena, &b);
}

int ddb_pitr_window_of(ddb_req *req, const ddb_table *t, ddb_pitr_window *w)
{
    uint64_t now = ddb_clock_now_ms(), since;
    ddb_backup b;

    if (t->pitr.log == 0 || (w->base = t->pitr.base) == NULL ||
        ddb_backup_load(req->eng->store, req->arena, w->base, &b) != 0)
        return 1;
    w->days = t->pitr.days;
    since = b.created_ms; /* the clock read after the base's snapshot was taken */
    w->earliest = now > (uint64_t)w->days * DAY_MS && now - (uint64_t)w->days * DAY_MS > since
                      ? now - (uint64_t)w->days * DAY_MS
                      : since;
    /* never in the clock's future: a clock moved back before the window began (a test's step back)
       leaves it [now, now], not a window no restore can name until the clock catches up */
    if (w->earliest > now)
        w->earliest = now;
    w->latest = now;
    return 0;
}

void ddb_pitr_purge_record(ddb_req *req, const ddb_table *t, ddb_batch *b)
{
    const char *base = t->pitr.base;
    uint32_t ids[2];
    size_t n = 0;
    ddb_backup bk;

    if (t->pitr.log == 0)
        return;
    ids[n++] = t->pitr.log; /* the purge's range covers the log's sequenced keys too */
    if (base != NULL && ddb_backup_load(req->eng->store, req->arena, base, &bk) == 0) {
        const char *key = ddb_arena_sprintf(req->arena, DDB_BACKUP_PREFIX "%s", base);
        ddb_batch_meta_delete(b, key, strlen(key));
        ids[n++] = bk.keyspace;
    }
    ddb_task_purge_record(b, req->arena, ids, n);
}
