/*
 * server/engine/jobs/ttl.c: the TTL sweep (see ttl.h).
 */
#include "server/engine/jobs/ttl.h"

#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "server/base/clock.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/engine/itemcodec.h"
#include "server/engine/jobs/replication.h"
#include "server/engine/keycodec.h"
#include "server/engine/mutation.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/history/streams.h"
#include "server/expr/expr.h"

/* name: {"N": "text"} */
static void number_value(ddb_jw *w, const char *name, const char *text)
{
    ddb_jw_key(w, name);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "N", text);
    ddb_jw_obj_end(w);
}

/* The condition "#t still names a time in (now - 5 years, now)", parsed once per table and sweep. */
static const ddb_expr *still_expired(ddb_arena *a, const char *attr, uint64_t now_ms)
{
    long long now = (long long)(now_ms / 1000);
    ddb_buf b = {0};
    ddb_jw w;
    const ddb_json *in;
    ddb_parsed parsed;

    ddb_jw_init(&w, &b);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "ConditionExpression", "#t < :now AND #t > :oldest");
    ddb_jw_key(&w, "ExpressionAttributeNames");
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "#t", attr);
    ddb_jw_obj_end(&w);
    ddb_jw_key(&w, "ExpressionAttributeValues");
    ddb_jw_obj_begin(&w);
    number_value(&w, ":now", ddb_arena_sprintf(a, "%lld", now));
    number_value(&w, ":oldest", ddb_arena_sprintf(a, "%lld", now - DDB_TTL_MAX_AGE_S));
    ddb_jw_obj_end(&w);
    ddb_jw_obj_end(&w);
    in = ddb_json_parse(a, ddb_arena_strndup(a, b.data, b.len), b.len);
    ddb_buf_free(&b);
    memset(&parsed, 0, sizeof(parsed));
    if (in == NULL || ddb_expr_prepare_into(a, ddb_op_flags(DDB_OP_DeleteItem), in, &parsed) != NULL)
        return NULL;
    return parsed.condition;
}

/* Whether an item's TTL attribute is a Number in (now - 5 years, now). */
static int expired(const ddb_attr *item, const char *attr, long long now)
{
    const ddb_attr *v = ddb_item_get(item, attr, strlen(attr));
    char buf[48];
    double t;

    if (v == NULL || v->type != DDB_T_N || v->len >= sizeof(buf))
        return 0;
    memcpy(buf, v->u.s, v->len);
    buf[v->len] = '\0';
    t = strtod(buf, NULL);
    return t < (double)now && t > (double)(now - DDB_TTL_MAX_AGE_S);
}

/* A global table's TTL delete consumes nothing in its own Region, but its other replicas apply it
   as a replicated write of the item ("the replica tables will get a replicated write of that delete
   operation and will incur replicated write unit costs": the developer guide, "Throughput capacity
   planning for DynamoDB global tables"): the usage report's replicatedWrites counts it as it counts
   a request's write (capacity/meter.c), its table's and indexes' units. */
static void count_replicated(const ddb_table *t, const ddb_mutation *m)
{
    ddb_capacity_table *ct = t->rep.nreplicas > 1 ? ddb_capacity_table_of(t) : NULL;

    if (ct != NULL)
        __atomic_add_fetch(&ct->usage.replicated_milli, (uint64_t)(ddb_mutation_units(m) * 1000 + 0.5),
                           __ATOMIC_RELAXED);
}

static long sweep_table(ddb_engine *eng, const ddb_table *t, uint64_t now_ms)
{
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    ddb_arena a, per;
    const ddb_expr *cond;
    ddb_store_iter *it;
    long deleted = 0;

    ddb_arena_init(&a);
    ddb_arena_init(&per);
    if ((cond = still_expired(&a, t->ttl.attr, now_ms)) == NULL) {
        ddb_arena_free(&a);
        return 0;
    }
    ddb_key_table_range(t->id, lo, hi);
    it = ddb_store_iter_open(eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && !ddb_table_retired(t); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        ddb_attr item;
        ddb_key key;
        ddb_mutation m;
        ddb_arena_reset(&per);
        if (ddb_item_decode(&per, ddb_arena_memdup(&per, v, vlen), vlen, &item) != 0 ||
            !expired(&item, t->ttl.attr, (long long)(now_ms / 1000)))
            continue;
        /* deleted under its lock only if still expired: a write since the read wins */
        ddb_key_from_stored(ddb_arena_memdup(&per, k, klen), klen, &key);
        ddb_mutation_init(&m, DDB_MUT_DELETE, t, &key);
        m.condition = cond;
        m.stream_flags = DDB_REC_SERVICE;
        if (ddb_mutate(eng, &per, &m) == 0 && m.out.had_old) {
            count_replicated(t, &m);
            deleted++;
        }
    }
    ddb_store_iter_close(it);
    ddb_arena_free(&per);
    ddb_arena_free(&a);
    return deleted;
}

/* The worker's sweep: deletes the expired items of every table with TTL enabled (the job keeps no
   state). On a frozen clock it runs at a step only, and holds replication off meanwhile: a global
   table with TTL on in two regions has each region's sweep delete its own copy (a record with the
   service's userIdentity in both streams, replicated units billed by both), where a pass running
   beside it could carry the first region's deletes to the second before its sweep got there, or
   not, by the machine's timing (model seed 6527: a recording's replay then differed). The step
   let replication catch up before it moved the clock (tasks.c), so each region holds what it was
   sent; the deletes go out once the sweep is done, and find the items gone. */
static void sweep(ddb_engine *eng, void *state, uint64_t now_ms)
{
    ddb_arena a;
    const ddb_table **tables;
    size_t n;
    long total = 0;
    ddb_replication *held = ddb_clock_frozen() ? ddb_replication_hold(eng) : NULL;

    (void)state;
    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    for (size_t i = 0; i < n; i++) {
        if (tables[i]->ttl.enabled)
            total += sweep_table(eng, tables[i], now_ms);
    }
    ddb_replication_unhold(held);
    ddb_arena_free(&a);
    if (total > 0)
        ddb_log(DDB_LOG_DEBUG, "ttl: deleted %ld expired items", total);
}

static uint64_t interval(ddb_engine *eng)
{
    return (uint64_t)eng->settings.ttl_interval * 1000;
}

const ddb_job ddb_job_ttl = {.name = "ttl", .sweep = sweep, .interval = interval, .steps_only_when_frozen = 1};

/* ---- the table member "ddbdTtl": {"Attr", "Enabled", "Changed"} ---- */

void ddb_ttl_facts_read(const ddb_json *ttl, ddb_ttl_facts *out)
{
    *out = (ddb_ttl_facts){0};
    if (ttl == NULL)
        return;
    out->attr = ddb_json_get_str(ttl, "Attr");
    out->enabled = out->attr != NULL && ddb_member_true(ddb_json_get(ttl, "Enabled"));
    out->changed_ms = ddb_member_u64(ddb_json_get(ttl, "Changed"));
}

void ddb_ttl_of_desc(const ddb_json *desc, ddb_ttl_facts *out)
{
    ddb_ttl_facts_read(ddb_json_get(desc, DDB_MEMBER_TTL), out);
}

static void ttl_read(ddb_table *t, const ddb_json *ttl)
{
    ddb_ttl_facts_read(ttl, &t->ttl);
}

static void ttl_write(ddb_jw *w, const ddb_member_edit *e)
{
    const ddb_ttl_facts *v = e->value;

    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "Attr", v->attr);
    ddb_jw_member_bool(w, "Enabled", v->enabled);
    ddb_jw_member_int(w, "Changed", (long long)v->changed_ms);
    ddb_jw_obj_end(w);
}

static const ddb_table_member ttl_member = {DDB_MEMBER_TTL, ttl_read, ttl_write};

void ddb_edit_ttl(ddb_desc_edit *e, const char *attr, int enabled, uint64_t changed_ms)
{
    ddb_ttl_facts v = {attr, enabled, changed_ms};

    ddb_edit_member(e, &ttl_member, &v, sizeof(v));
}

static const ddb_table_member *const members[] = {&ttl_member, NULL};

const ddb_feature ddb_feature_ttl = {.name = "ttl", .members = members};
