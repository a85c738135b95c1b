/*
 * server/engine/history/pitr_log.c: point-in-time recovery's log records, written and read (see pitr_log.h).
 */
#include "server/engine/history/pitr_log.h"

#include <string.h>

#include "server/engine/catalog/catalog_edit.h"

void ddb_pitr_log_prefix(uint32_t log, char out[DDB_PITR_PREFIX_BYTES])
{
    memset(out, 0, DDB_PITR_PREFIX_BYTES);
    ddb_put_be(out, log, 4);
}

void ddb_pitr_add_record(ddb_arena *a, const ddb_table *t, const ddb_key *key, const char *new_raw, size_t new_rawlen,
                         uint64_t now_ms, ddb_batch *out)
{
    char *prefix = ddb_arena_alloc(a, DDB_PITR_PREFIX_BYTES), *rec, *p;
    size_t klen = key->len > 4 ? key->len - 4 : 0;
    size_t vlen = new_raw != NULL ? new_rawlen : 0;

    if (t->pitr.log == 0)
        return;
    rec = p = ddb_arena_alloc(a, 1 + 8 + 4 + klen + 4 + vlen);
    *p++ = 1; /* the record format's version */
    ddb_put_be(p, now_ms, 8);
    p += 8;
    ddb_put_be(p, klen, 4);
    p += 4;
    memcpy(p, key->bytes + 4, klen);
    p += klen;
    ddb_put_be(p, vlen, 4);
    p += 4;
    if (vlen)
        memcpy(p, new_raw, vlen);
    p += vlen;
    ddb_pitr_log_prefix(t->pitr.log, prefix);
    ddb_batch_put_seq(out, prefix, DDB_PITR_PREFIX_BYTES, rec, (size_t)(p - rec));
}

int ddb_pitr_record_parse(const char *v, size_t vlen, ddb_pitr_record *r)
{
    if (vlen < 13 || v[0] != 1)
        return -1;
    r->when = ddb_get_be(v + 1, 8);
    r->klen = (size_t)ddb_get_be(v + 9, 4);
    if (vlen < 17 + r->klen)
        return -1;
    r->key = v + 13;
    r->ilen = (size_t)ddb_get_be(v + 13 + r->klen, 4);
    if (vlen < 17 + r->klen + r->ilen)
        return -1;
    r->img = r->ilen > 0 ? v + 17 + r->klen : NULL;
    return 0;
}

/* ---- the table member "ddbdPitr": {"Log", "Base", "Days"}, present only while enabled ---- */

static void pitr_read(ddb_table *t, const ddb_json *p)
{
    t->pitr.log = ddb_member_u32(ddb_json_get(p, "Log"));
    t->pitr.base = ddb_json_get_str(p, "Base");
    t->pitr.days = ddb_json_integer(ddb_json_get(p, "Days"), 0);
}

static void pitr_write(ddb_jw *w, const ddb_member_edit *e)
{
    const ddb_pitr_facts *p = e->value;

    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "Log", p->log);
    ddb_jw_member_str(w, "Base", p->base);
    ddb_jw_member_int(w, "Days", p->days);
    ddb_jw_obj_end(w);
}

const ddb_table_member ddb_member_pitr = {DDB_MEMBER_PITR, pitr_read, pitr_write};

void ddb_edit_pitr(ddb_desc_edit *e, uint32_t log, const char *base, long long days)
{
    ddb_pitr_facts v = {log, base, days};

    ddb_edit_member(e, &ddb_member_pitr, &v, sizeof(v));
}

void ddb_edit_pitr_clear(ddb_desc_edit *e)
{
    ddb_edit_member(e, &ddb_member_pitr, NULL, 0);
}
