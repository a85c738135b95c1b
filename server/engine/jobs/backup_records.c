/*
 * server/engine/jobs/backup_records.c: backup records, read and rewritten (see backup_records.h).
 */
#include "server/engine/jobs/backup_records.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/arn.h"

static uint64_t json_u64(const ddb_json *obj, const char *key)
{
    const ddb_json *v = ddb_json_get(obj, key);
    return v != NULL && v->type == DDB_JSON_NUMBER ? strtoull(v->u.s, NULL, 10) : 0;
}

static int parse_record(ddb_arena *a, const char *id, const char *text, size_t len, ddb_backup *b)
{
    const ddb_json *r = ddb_json_parse(a, text, len);

    if (r == NULL || r->type != DDB_JSON_OBJECT)
        return -1;
    memset(b, 0, sizeof(*b));
    b->id = id;
    b->arn = ddb_json_get_str(r, "Arn");
    b->name = ddb_json_get_str(r, "Name");
    b->ns = ddb_json_get_str(r, "Ns");
    b->table = ddb_json_get_str(r, "Table");
    b->table_arn = ddb_json_get_str(r, "TableArn");
    b->table_uuid = ddb_json_get_str(r, "TableId");
    b->status = ddb_json_get_str(r, "Status");
    b->source_id = (uint32_t)json_u64(r, "SourceId");
    b->keyspace = (uint32_t)json_u64(r, "Keyspace");
    b->created_ms = json_u64(r, "Created");
    b->size = json_u64(r, "Size");
    b->items = json_u64(r, "Items");
    b->source = ddb_json_get(r, "Source");
    b->pitr = ddb_json_get_str(r, "Kind") != NULL && strcmp(ddb_json_get_str(r, "Kind"), "PITR") == 0;
    b->system = ddb_json_get_str(r, "Type") != NULL && strcmp(ddb_json_get_str(r, "Type"), "SYSTEM") == 0;
    b->expires_ms = json_u64(r, "Expires");
    b->snapshot = ddb_json_get_str(r, "Snapshot");
    if (b->arn == NULL || b->status == NULL || b->ns == NULL || b->source == NULL || b->keyspace == 0)
        return -1;
    return 0;
}

int ddb_backup_load(ddb_store *s, ddb_arena *a, const char *id, ddb_backup *out)
{
    const char *key = ddb_arena_sprintf(a, DDB_BACKUP_PREFIX "%s", id);
    char *val;
    size_t vlen;

    if (ddb_store_meta_get(s, a, key, strlen(key), &val, &vlen) != 0)
        return -1;
    if (val == NULL)
        return 1;
    return parse_record(a, ddb_arena_sprintf(a, "%s", id), val, vlen, out) == 0 ? 0 : -1;
}

const char *ddb_backup_id_of_arn(const char *arn)
{
    ddb_arn a;

    return arn != NULL && ddb_arn_parts(arn, strlen(arn), &a) == 0 && ddb_arn_is(&a, "backup") && a.id_len > 0 &&
                   memchr(a.id, '/', a.id_len) == NULL
               ? a.id
               : NULL;
}

int ddb_backup_each(ddb_store *s, const char *ns, const char *after, int (*fn)(void *ctx, const ddb_backup *b),
                    void *ctx)
{
    static const char hi[] = "backup0"; /* '/' + 1 */
    const char *lo = DDB_BACKUP_PREFIX;
    ddb_store_iter *it = ddb_store_meta_iter_open(s, lo, strlen(lo), hi, sizeof(hi) - 1);
    char from[128];
    size_t fromlen = 0;
    int rc = 0;

    if (after != NULL) {
        fromlen = (size_t)snprintf(from, sizeof(from), DDB_BACKUP_PREFIX "%s", after);
        if (fromlen >= sizeof(from))
            fromlen = 0;
    }
    for (ddb_store_iter_seek(it, fromlen ? from : NULL, fromlen); ddb_store_iter_valid(it) && rc == 0;
         ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *v = ddb_store_iter_val(it, &vlen);
        ddb_arena a;
        ddb_backup b;
        if (fromlen && klen == fromlen && memcmp(k, from, klen) == 0)
            continue;
        ddb_arena_init(&a);
        if (parse_record(&a, ddb_arena_strndup(&a, k + strlen(lo), klen - strlen(lo)), v, vlen, &b) == 0 &&
            (ns == NULL || strcmp(b.ns, ns) == 0))
            rc = fn(ctx, &b);
        ddb_arena_free(&a);
    }
    if (rc == 0 && ddb_store_iter_status(it) != DDB_STORE_OK)
        rc = -1;
    ddb_store_iter_close(it);
    return rc < 0 ? -1 : 0;
}

void ddb_backup_record_put(ddb_batch *out, ddb_arena *a, const ddb_backup *b)
{
    const char *key = ddb_arena_sprintf(a, DDB_BACKUP_PREFIX "%s", b->id);
    ddb_buf buf = {0};
    ddb_jw w;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "Arn", b->arn);
    ddb_jw_member_str(&w, "Name", b->name);
    ddb_jw_member_str(&w, "Ns", b->ns);
    ddb_jw_member_str(&w, "Table", b->table);
    ddb_jw_member_str(&w, "TableArn", b->table_arn);
    ddb_jw_member_str(&w, "TableId", b->table_uuid);
    ddb_jw_member_int(&w, "SourceId", b->source_id);
    ddb_jw_member_int(&w, "Keyspace", b->keyspace);
    ddb_jw_member_int(&w, "Created", (long long)b->created_ms);
    ddb_jw_member_str(&w, "Status", b->status);
    ddb_jw_key(&w, "Source");
    ddb_jw_json(&w, b->source);
    if (b->pitr)
        ddb_jw_member_str(&w, "Kind", "PITR");
    if (b->snapshot != NULL) /* whichever gateway copies it opens the snapshot by this name (storage.h) */
        ddb_jw_member_str(&w, "Snapshot", b->snapshot);
    if (b->system) {
        ddb_jw_member_str(&w, "Type", "SYSTEM");
        ddb_jw_member_int(&w, "Expires", (long long)b->expires_ms);
    }
    ddb_jw_obj_end(&w);
    ddb_batch_meta_put(out, key, strlen(key), ddb_arena_strndup(a, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
}

const char *ddb_backup_billing_mode(const ddb_backup *b)
{
    const char *m = ddb_json_get_str(b->source, "BillingMode");
    return m != NULL ? m : "PROVISIONED";
}

static int dropped(const char *key, const char *const *drop)
{
    for (; *drop != NULL; drop++)
        if (strcmp(key, *drop) == 0)
            return 1;
    return 0;
}

int ddb_backup_edit_begin(ddb_backup_edit *e, ddb_store *s, ddb_arena *a, const char *id, const char *const *drop)
{
    const ddb_json *r;
    char *val;
    size_t vlen;

    e->key = ddb_arena_sprintf(a, DDB_BACKUP_PREFIX "%s", id);
    if (ddb_store_meta_get(s, a, e->key, strlen(e->key), &val, &vlen) != 0 || val == NULL ||
        (r = ddb_json_parse(a, val, vlen)) == NULL || r->type != DDB_JSON_OBJECT)
        return -1;
    e->buf = (ddb_buf){0};
    ddb_jw_init(&e->w, &e->buf);
    ddb_jw_obj_begin(&e->w);
    for (uint32_t i = 0; i < r->n; i++) {
        const ddb_json_member *m = &r->u.members[i];
        if (dropped(m->key, drop))
            continue;
        ddb_jw_keyn(&e->w, m->key, m->klen);
        ddb_jw_json(&e->w, m->val);
    }
    return 0;
}

int ddb_backup_edit_end(ddb_backup_edit *e, ddb_store *s, ddb_arena *a)
{
    int rc;

    ddb_jw_obj_end(&e->w);
    rc = ddb_store_meta_set(s, a, e->key, ddb_arena_strndup(a, e->buf.data, e->buf.len), e->buf.len);
    ddb_buf_free(&e->buf);
    return rc == DDB_STORE_OK ? 0 : -1;
}
