/*
 * server/engine/jobs/kinesis.c: the Kinesis streaming destinations' worker (see kinesis.h): the
 * destinations' states, and their logs delivered with PutRecords.
 */
#include "server/engine/jobs/kinesis.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/base/alloc.h"
#include "server/base/aws_call.h"
#include "server/base/arn.h"
#include "server/base/be.h"
#include "server/base/clock.h"
#include "server/base/http_client.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/jobs/follow.h"
#include "server/engine/itemcodec.h"
#include "server/engine/history/kinesis_log.h"
#include "server/engine/history/retention.h"
#include "server/engine/history/streams.h"

#define TIMEOUT_S 5
#define MAX_RECORDS 500                  /* PutRecords' limit */
#define MAX_PAYLOAD (4 * 1024 * 1024)    /* under PutRecords' 5 MiB */
#define MAX_AGE_US (24 * 3600 * 1000000ULL)
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 30000
#define IDLE_MS 20
/* The nap when no table has a destination: a pass then reads the catalog and finds nothing, 50
   times a second at IDLE_MS for a server that has none (bench/README.md, "The one-thread ratchet").
   A table's first Enable is seen within it (its ENABLING lasts that long at most); a table with a
   destination is passed over every IDLE_MS, and its commits wake the worker at once. */
#define IDLE_NONE_MS 1000
#define SWEEP_MS 60000                   /* how often the logs of deleted tables are looked for */

/* DestinationStatusDescription's reasons, as DynamoDB gives them (ACK's quirks, DDB-TABLE-318) */
#define NO_PERMISSION "User does not have a permission to use kinesis stream"
#define NOT_ACTIVE "The kinesis Arn used to enable kinesis replication belongs to a stream which is not in Active state"
#define OTHER_REGION                                                                                                   \
    "The kinesis Arn used to enable kinesis replication belongs to a stream which is not in the current region"
#define NO_ENDPOINT "ddbd has no Kinesis endpoint to deliver to: start it with --kinesis-endpoint URL"

struct ddb_kinesis {
    ddb_engine *eng;
    const ddb_kinesis_settings *set;
    ddb_worker worker;
    uint64_t swept_ms; /* when deleted tables' logs were last dropped */
};

static int stopping(ddb_kinesis *k)
{
    return ddb_worker_stopping(&k->worker);
}

/* ---- the Kinesis API ---- */

/* Calls Kinesis_20131202.<op> in `region`; 0 with the answer, or -1 with the reason in err. */
static int call(ddb_kinesis *k, ddb_arena *a, const char *region, const char *op, const ddb_buf *body, int *status,
                ddb_buf *resp, char *err, size_t errlen)
{
    const ddb_aws_signer s = {"kinesis", region, k->set->access_key, k->set->secret_key};

    return ddb_aws_json_call(k->set->endpoint, &s, "application/x-amz-json-1.1",
                             ddb_arena_sprintf(a, "Kinesis_20131202.%s", op), NULL, 0, body->data, body->len, TIMEOUT_S,
                             op, status, resp, err, errlen);
}

/* "arn:<partition>:kinesis:<region>:<account>:stream/<name>": its region and name; -1 when not one. */
static int stream_of(ddb_arena *a, const char *arn, const char **region, const char **name)
{
    ddb_arn p;

    if (ddb_arn_parts(arn, strlen(arn), &p) != 0 || p.service_len != 7 || memcmp(p.service, "kinesis", 7) != 0 ||
        !ddb_arn_type_is(&p, "stream") || p.path_len == 0 || p.region_len == 0)
        return -1;
    *region = ddb_arena_strndup(a, p.region, p.region_len);
    *name = p.path;
    return 0;
}

/* ---- a destination's state, changed compare-and-swap ---- */

typedef struct move {
    ddb_engine *eng;
    ddb_arena *a;
    const char *key, *arn;
    ddb_kds_status from, to;
    const char *why;
} move;

static int move_build(void *ctx, ddb_desc_edit **e)
{
    move *m = ctx;
    const ddb_table *t = ddb_catalog_get(m->eng->catalog, m->key);
    ddb_kds_dest *d;
    size_t n, i;

    if (t == NULL)
        return 1;
    n = ddb_table_kinesis(t, m->a, 0, &d);
    for (i = 0; i < n && strcmp(d[i].stream_arn, m->arn) != 0; i++)
        ;
    if (i == n || d[i].status != m->from) /* an operation changed it meanwhile */
        return DDB_EDIT_NONE;
    d[i].status = m->to;
    d[i].description = m->why;
    if (!ddb_kds_live(m->to) && m->to != DDB_KDS_DISABLING)
        d[i].log = 0;
    *e = ddb_desc_edit_of(m->a, t);
    ddb_edit_kinesis(*e, d, n);
    return 0;
}

/* Deletes [lo, hi) of a log, and what it held from the memory budget's count (engine/history/retention.h);
   returns the bytes deleted. */
static uint64_t delete_records(ddb_kinesis *k, const char *lo, const char *hi, size_t len)
{
    ddb_retention *r = ddb_retention_of(k->eng);
    uint64_t bytes = r != NULL ? ddb_retention_count_seq_range(k->eng->store, lo, len, hi, len) : 0;

    if (ddb_store_delete_range_all(k->eng->store, lo, len, hi, len) != DDB_STORE_OK)
        return 0;
    ddb_retention_sub(r, DDB_RET_KINESIS, bytes);
    return bytes;
}

/* Drops a log: its records and its cursor. */
static void drop_log(ddb_kinesis *k, ddb_arena *a, uint32_t log)
{
    char lo[DDB_KINESIS_PREFIX_BYTES + 8], hi[DDB_KINESIS_PREFIX_BYTES + 8];
    const char *key = ddb_kinesis_cursor_key(a, log);
    ddb_batch b;

    ddb_kinesis_log_prefix(log, lo);
    memcpy(hi, lo, DDB_KINESIS_PREFIX_BYTES);
    memset(lo + DDB_KINESIS_PREFIX_BYTES, 0, 8);
    memset(hi + DDB_KINESIS_PREFIX_BYTES, 0xff, 8);
    delete_records(k, lo, hi, sizeof(lo));
    ddb_batch_init(&b, a);
    ddb_batch_meta_delete(&b, key, strlen(key));
    ddb_store_write(k->eng->store, &b);
}

static void set_status(ddb_kinesis *k, ddb_arena *a, const ddb_table *t, const ddb_kds_dest *d, ddb_kds_status to,
                       const char *why)
{
    move m = {k->eng, a, t->key, d->stream_arn, d->status, to, why};

    if (ddb_catalog_edit(k->eng->catalog, 0, move_build, &m, NULL) != 0)
        return;
    ddb_log(DDB_LOG_INFO, "kinesis: table %s, stream %s: %s%s%s", t->name, d->stream_arn, ddb_kds_status_name(to),
            why ? ": " : "", why ? why : "");
    if (d->log != 0 && !ddb_kds_live(to) && to != DDB_KDS_DISABLING)
        drop_log(k, a, d->log);
}

/* ---- ENABLING: is the stream there and ACTIVE? ---- */

/* 0 when decided (the state moved on), -1 when the endpoint could not tell (tried again). */
static int check_stream(ddb_kinesis *k, ddb_arena *a, const ddb_table *t, const ddb_kds_dest *d)
{
    const char *region, *name, *got;
    ddb_buf body = {0}, resp = {0};
    char err[160];
    int status = 0, rc;
    ddb_jw w;

    if (k->set->endpoint == NULL) {
        set_status(k, a, t, d, DDB_KDS_ENABLE_FAILED, NO_ENDPOINT);
        return 0;
    }
    if (stream_of(a, d->stream_arn, &region, &name) != 0) { /* not a stream's ARN: DDB-TABLE-318 */
        set_status(k, a, t, d, DDB_KDS_ENABLE_FAILED, NOT_ACTIVE);
        return 0;
    }
    if (strcmp(region, t->region) != 0) {
        set_status(k, a, t, d, DDB_KDS_ENABLE_FAILED, OTHER_REGION);
        return 0;
    }
    ddb_jw_init(&w, &body);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "StreamName", name);
    ddb_jw_member_int(&w, "Limit", 1);
    ddb_jw_obj_end(&w);
    rc = call(k, a, region, "DescribeStream", &body, &status, &resp, err, sizeof(err));
    if (rc == 0 && status == 200) {
        const ddb_json *sd = ddb_json_get(ddb_json_parse(a, resp.data, resp.len), "StreamDescription");
        got = ddb_json_get_str(sd, "StreamStatus");
        if (got != NULL && strcmp(got, "ACTIVE") == 0)
            set_status(k, a, t, d, DDB_KDS_ACTIVE, NULL);
        else
            set_status(k, a, t, d, DDB_KDS_ENABLE_FAILED, NOT_ACTIVE);
    } else if (rc == 0 && status == 400 && resp.len > 0 && strstr(resp.data, "ResourceNotFoundException") != NULL) {
        set_status(k, a, t, d, DDB_KDS_ENABLE_FAILED, NO_PERMISSION);
    } else {
        ddb_log(DDB_LOG_WARN, "kinesis: DescribeStream %s: %s", name, rc == 0 ? "refused" : err);
        rc = -1;
    }
    ddb_buf_free(&body);
    ddb_buf_free(&resp);
    return rc == 0 ? 0 : -1;
}

/* ---- delivery ---- */

static uint64_t cursor_get(ddb_kinesis *k, ddb_arena *a, uint32_t log)
{
    return ddb_store_meta_get_u64(k->eng->store, a, ddb_kinesis_cursor_key(a, log));
}

/* Records the cursor, then deletes the records below it (the last is kept: numbers never go back);
   returns the bytes deleted. */
static uint64_t cursor_put(ddb_kinesis *k, ddb_arena *a, uint32_t log, uint64_t seq)
{
    char lo[DDB_KINESIS_PREFIX_BYTES + 8], hi[DDB_KINESIS_PREFIX_BYTES + 8];

    ddb_store_meta_set_u64(k->eng->store, a, ddb_kinesis_cursor_key(a, log), seq);
    ddb_kinesis_log_prefix(log, lo);
    memcpy(hi, lo, DDB_KINESIS_PREFIX_BYTES);
    /* from number 0: left unset, these bytes were whatever the stack held, and a start above the
       end failed the delete and, in RocksDB's write group, the commits written with it */
    memset(lo + DDB_KINESIS_PREFIX_BYTES, 0, 8);
    ddb_put_be(hi + DDB_KINESIS_PREFIX_BYTES, seq, 8);
    return delete_records(k, lo, hi, sizeof(lo));
}

/* 32 hex digits of the item's key: one partition key, so one Kinesis shard and its order, per item. */
static void partition_key(ddb_arena *a, const ddb_attr *keys, char out[33])
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char h[16];
    char *enc;
    size_t len;

    ddb_item_encode(a, keys, ddb_item_size(keys), &enc, &len);
    crypto_generichash(h, sizeof(h), (const unsigned char *)enc, len, NULL, 0);
    for (int i = 0; i < 16; i++) {
        out[2 * i] = hex[h[i] >> 4];
        out[2 * i + 1] = hex[h[i] & 15];
    }
    out[32] = '\0';
}

static const char *base64(ddb_arena *a, const char *p, size_t n)
{
    size_t len = sodium_base64_encoded_len(n, sodium_base64_VARIANT_ORIGINAL);
    char *out = ddb_arena_alloc(a, len);

    return sodium_bin2base64(out, len, (const unsigned char *)p, n, sodium_base64_VARIANT_ORIGINAL);
}

/* A stable eventID (a resent record keeps its id), shaped as DynamoDB's: a UUID. */
static void event_id(ddb_kinesis *k, uint32_t log, uint64_t seq, char out[37])
{
    unsigned char raw[12];
    unsigned long long h1, h2;

    ddb_put_be((char *)raw, log, 4);
    ddb_put_be((char *)raw + 4, seq, 8);
    h1 = ddb_engine_hash(k->eng, raw, sizeof(raw));
    raw[0] ^= 0x5a;
    h2 = ddb_engine_hash(k->eng, raw, sizeof(raw));
    snprintf(out, 37, "%08llx-%04llx-%04llx-%04llx-%012llx", h1 >> 32, (h1 >> 16) & 0xffff, h1 & 0xffff, h2 >> 48,
             h2 & 0xffffffffffffULL);
}

/* DynamoDB's Kinesis record: the JSON document of one change (the developer guide's example). */
static void record_json(ddb_kinesis *k, ddb_jw *w, const ddb_table *t, const ddb_kds_dest *d,
                        const ddb_stream_record *r)
{
    static const char *const events[] = {"", "INSERT", "MODIFY", "REMOVE"};
    int micro = d->precision == DDB_KDS_MICROSECOND;
    char id[37];

    event_id(k, d->log, r->seq, id);
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "awsRegion", t->region);
    ddb_jw_member_str(w, "eventID", id);
    ddb_jw_member_str(w, "eventName", events[r->event <= DDB_EV_REMOVE ? r->event : 0]);
    ddb_jw_key(w, "userIdentity");
    if (r->flags & DDB_REC_SERVICE) { /* a TTL delete */
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "type", "Service");
        ddb_jw_member_str(w, "principalId", "dynamodb.amazonaws.com");
        ddb_jw_obj_end(w);
    } else {
        ddb_jw_null(w);
    }
    ddb_jw_member_str(w, "recordFormat", "application/json");
    ddb_jw_member_str(w, "tableName", t->name);
    ddb_jw_key(w, "dynamodb");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ApproximateCreationDateTime"); /* the log keeps microseconds */
    ddb_jw_int(w, (long long)(micro ? r->created_ms : r->created_ms / 1000));
    ddb_jw_member_str(w, "ApproximateCreationDateTimePrecision", micro ? "MICROSECOND" : "MILLISECOND");
    ddb_stream_record_images_json(w, r);
    ddb_jw_member_int(w, "SizeBytes", (long long)r->size_bytes);
    ddb_jw_obj_end(w);
    ddb_jw_member_str(w, "eventSource", "aws:dynamodb");
    ddb_jw_obj_end(w);
}

typedef struct batch {
    uint64_t seqs[MAX_RECORDS];
    size_t n;
    uint64_t skipped_to; /* the last record dropped for its age before the batch, 0: none */
} batch;

/* The PutRecords request of the records after `from` up to the visible `last`, into body. */
static void build_batch(ddb_kinesis *k, ddb_arena *a, const ddb_table *t, const ddb_kds_dest *d, const char *name,
                        uint64_t from, uint64_t last, ddb_buf *body, batch *out)
{
    char lo[DDB_KINESIS_PREFIX_BYTES + 8], hi[DDB_KINESIS_PREFIX_BYTES + 8], pk[33];
    uint64_t old = ddb_clock_now_us() - MAX_AGE_US;
    ddb_store_iter *it;
    ddb_jw w, rw;
    ddb_buf rec = {0};

    ddb_kinesis_log_prefix(d->log, lo);
    memcpy(hi, lo, DDB_KINESIS_PREFIX_BYTES);
    ddb_put_be(lo + DDB_KINESIS_PREFIX_BYTES, from, 8);
    ddb_put_be(hi + DDB_KINESIS_PREFIX_BYTES, last + 1, 8);
    ddb_jw_init(&w, body);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "StreamName", name);
    ddb_jw_key(&w, "Records");
    ddb_jw_arr_begin(&w);
    it = ddb_store_seq_iter_open(k->eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && out->n < MAX_RECORDS && body->len < MAX_PAYLOAD;
         ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *key = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        ddb_stream_record r;
        if (ddb_stream_record_decode(a, key, klen, ddb_arena_memdup(a, v, vlen), vlen, &r) != 0)
            break;
        if (r.created_ms < old && out->n == 0) { /* undeliverable for 24 hours: dropped */
            out->skipped_to = r.seq;
            continue;
        }
        rec.len = 0;
        ddb_jw_init(&rw, &rec);
        record_json(k, &rw, t, d, &r);
        partition_key(a, &r.keys, pk);
        ddb_jw_obj_begin(&w);
        ddb_jw_member_str(&w, "Data", base64(a, rec.data, rec.len));
        ddb_jw_member_str(&w, "PartitionKey", pk);
        ddb_jw_obj_end(&w);
        out->seqs[out->n++] = r.seq;
    }
    ddb_store_iter_close(it);
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    ddb_buf_free(&rec);
}

/* How many records PutRecords took before the first it refused (all: n). */
static size_t accepted(ddb_arena *a, const ddb_buf *resp, size_t n)
{
    const ddb_json *j = ddb_json_parse(a, resp->data, resp->len), *recs = ddb_json_get(j, "Records");

    if (ddb_json_integer(ddb_json_get(j, "FailedRecordCount"), 0) == 0)
        return n;
    for (size_t i = 0; recs != NULL && recs->type == DDB_JSON_ARRAY && i < recs->n && i < n; i++)
        if (ddb_json_get_str(recs->u.items[i], "ErrorCode") != NULL)
            return i;
    return 0;
}

/* One batch of d's log: 1 when records went out, 0 when there were none, -1 on a failure. */
static int deliver(ddb_kinesis *k, ddb_arena *a, const ddb_table *t, const ddb_kds_dest *d)
{
    char prefix[DDB_KINESIS_PREFIX_BYTES], err[160];
    const char *region, *name;
    uint64_t from, last;
    ddb_buf body = {0}, resp = {0};
    batch b = {.n = 0};
    int status = 0, rc = 0;
    size_t ok;

    ddb_kinesis_log_prefix(d->log, prefix);
    from = cursor_get(k, a, d->log) + 1;
    last = ddb_store_seq_last(k->eng->store, prefix, sizeof(prefix));
    if (from > last || k->set->endpoint == NULL || stream_of(a, d->stream_arn, &region, &name) != 0)
        return 0;
    build_batch(k, a, t, d, name, from, last, &body, &b);
    if (b.skipped_to != 0) {
        ddb_log(DDB_LOG_ERROR, "kinesis: table %s: records %llu to %llu were not delivered in 24 hours; dropped",
                t->name, (unsigned long long)from, (unsigned long long)b.skipped_to);
        cursor_put(k, a, d->log, b.skipped_to);
    }
    if (b.n > 0 && call(k, a, region, "PutRecords", &body, &status, &resp, err, sizeof(err)) == 0 && status == 200) {
        ok = accepted(a, &resp, b.n);
        if (ok > 0)
            cursor_put(k, a, d->log, b.seqs[ok - 1]);
        rc = ok == b.n ? 1 : -1;
        if (rc < 0)
            ddb_log(DDB_LOG_WARN, "kinesis: table %s: PutRecords refused %zu of %zu records; retrying", t->name,
                    b.n - ok, b.n);
    } else if (b.n > 0) {
        ddb_log(DDB_LOG_WARN, "kinesis: table %s: %zu records not delivered (%s); retrying", t->name, b.n,
                status ? "refused" : err);
        rc = -1;
    }
    ddb_buf_free(&body);
    ddb_buf_free(&resp);
    return rc != 0 ? rc : b.skipped_to != 0;
}

/* ---- the memory budget (engine/history/retention.h) ---- */

/* Drops d's oldest undelivered records until about `want` bytes, as records undelivered for 24
   hours are (the cursor moves past them); returns the bytes deleted. */
static uint64_t drop_oldest(ddb_kinesis *k, ddb_arena *a, const ddb_table *t, const ddb_kds_dest *d, uint64_t want)
{
    char lo[DDB_KINESIS_PREFIX_BYTES + 8], hi[DDB_KINESIS_PREFIX_BYTES + 8];
    uint64_t from = cursor_get(k, a, d->log) + 1, last, to = 0, taken = 0;
    ddb_store_iter *it;

    ddb_kinesis_log_prefix(d->log, lo);
    last = ddb_store_seq_last(k->eng->store, lo, DDB_KINESIS_PREFIX_BYTES);
    if (from > last)
        return 0;
    memcpy(hi, lo, DDB_KINESIS_PREFIX_BYTES);
    ddb_put_be(lo + DDB_KINESIS_PREFIX_BYTES, from, 8);
    ddb_put_be(hi + DDB_KINESIS_PREFIX_BYTES, last + 1, 8);
    it = ddb_store_seq_iter_open(k->eng->store, lo, sizeof(lo), hi, sizeof(hi), 0);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && taken < want; ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *key = ddb_store_iter_key(it, &klen);
        ddb_store_iter_val(it, &vlen);
        to = ddb_get_be(key + klen - 8, 8);
        taken += ddb_retention_record_bytes(klen, vlen);
    }
    ddb_store_iter_close(it);
    if (to == 0)
        return 0;
    ddb_log(DDB_LOG_WARN, "kinesis: table %s: records %llu to %llu dropped undelivered: Kinesis records passed "
            "their share of --memory-budget", t->name, (unsigned long long)from, (unsigned long long)to);
    return cursor_put(k, a, d->log, to);
}

/* Past its share of the budget, the oldest undelivered records of each destination in turn go. */
static void trim_budget(ddb_kinesis *k, ddb_arena *a, const ddb_table **tables, size_t nt)
{
    uint64_t want = ddb_retention_excess(ddb_retention_of(k->eng), DDB_RET_KINESIS);

    for (size_t i = 0; i < nt && want > 0; i++) {
        ddb_kds_dest *d;
        size_t n = ddb_table_kinesis(tables[i], a, 0, &d);
        for (size_t j = 0; j < n && want > 0; j++) {
            uint64_t got = d[j].log != 0 ? drop_oldest(k, a, tables[i], &d[j], want) : 0;
            want = got < want ? want - got : 0;
        }
    }
}

void ddb_kinesis_wake(ddb_kinesis *k)
{
    if (k != NULL)
        ddb_sleeper_wake(&k->worker.sleeper);
}

void ddb_kinesis_nudge(ddb_kinesis *k)
{
    if (k != NULL)
        ddb_sleeper_nudge(&k->worker.sleeper);
}

/* ---- the worker ---- */

/* Whether a table's destination has this log. */
static int named(ddb_arena *a, const ddb_table **tables, size_t nt, uint32_t log)
{
    for (size_t i = 0; i < nt; i++) {
        ddb_kds_dest *d;
        size_t n = ddb_table_kinesis(tables[i], a, 0, &d);
        for (size_t j = 0; j < n; j++)
            if (d[j].log == log)
                return 1;
    }
    return 0;
}

/*
 * Drops the logs no table names any more (a table deleted with a destination). The cursors are
 * read before the tables: an Enable writes its log's cursor and its table in one commit, so a
 * cursor seen here has its table in the later snapshot.
 */
static void sweep_orphans(ddb_kinesis *k, ddb_arena *a)
{
    static const char lo[] = "kinesis/", hi[] = "kinesis0";
    uint32_t logs[256];
    size_t nlogs = 0, nt;
    const ddb_table **tables;
    ddb_store_iter *it = ddb_store_meta_iter_open(k->eng->store, lo, sizeof(lo) - 1, hi, sizeof(hi) - 1);

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it) && nlogs < 256; ddb_store_iter_next(it)) {
        size_t klen;
        const char *key = ddb_store_iter_key(it, &klen);
        const char *id = ddb_arena_strndup(a, key + sizeof(lo) - 1, klen - (sizeof(lo) - 1));
        logs[nlogs++] = (uint32_t)strtoul(id, NULL, 10);
    }
    ddb_store_iter_close(it);
    nt = ddb_catalog_snapshot(k->eng->catalog, a, &tables);
    for (size_t i = 0; i < nlogs; i++)
        if (!named(a, tables, nt, logs[i]))
            drop_log(k, a, logs[i]);
}

/* Everything a destination needs now; -1 when the endpoint failed it. */
static int step(ddb_kinesis *k, ddb_arena *a, const ddb_table *t, const ddb_kds_dest *d, int *moved)
{
    int rc = 0;

    switch (d->status) {
    case DDB_KDS_ENABLING:
        return check_stream(k, a, t, d);
    case DDB_KDS_UPDATING: /* the new precision applies to the records sent from now on */
        set_status(k, a, t, d, DDB_KDS_ACTIVE, NULL);
        /* fall through */
    case DDB_KDS_ACTIVE:
    case DDB_KDS_DISABLING:
        while (!stopping(k) && (rc = deliver(k, a, t, d)) > 0)
            *moved = 1;
        if (rc == 0 && d->status == DDB_KDS_DISABLING) /* what was captured before the Disable is out */
            set_status(k, a, t, d, DDB_KDS_DISABLED, NULL);
        return rc < 0 ? -1 : 0;
    default:
        return 0;
    }
}

/* One pass over every table's destinations: 1 when records went out, 0 when none (*wait_ms
   lengthened when no table has one), -1 on a failure. */
static int pass(ddb_kinesis *k, uint64_t *swept_ms, unsigned *wait_ms)
{
    const ddb_table **tables;
    ddb_arena a;
    int failed = 0, moved = 0;
    size_t nt, ndest = 0;

    ddb_arena_init(&a);
    nt = ddb_catalog_snapshot(k->eng->catalog, &a, &tables);
    trim_budget(k, &a, tables, nt);
    for (size_t i = 0; i < nt && !stopping(k); i++) {
        ddb_kds_dest *d;
        size_t n = ddb_table_kinesis(tables[i], &a, 0, &d);
        ndest += n;
        for (size_t j = 0; j < n; j++)
            if (step(k, &a, tables[i], &d[j], &moved) != 0)
                failed = 1;
    }
    if (ndest == 0)
        *wait_ms = IDLE_NONE_MS;
    if (ddb_clock_now_ms() - *swept_ms >= SWEEP_MS) {
        sweep_orphans(k, &a);
        *swept_ms = ddb_clock_now_ms();
    }
    ddb_arena_free(&a);
    return failed ? -1 : moved;
}

static int follow_pass(void *ctx, unsigned *wait_ms)
{
    ddb_kinesis *k = ctx;

    return pass(k, &k->swept_ms, wait_ms);
}

static void *worker(void *arg)
{
    static const ddb_follow_pace pace = {IDLE_MS, BACKOFF_MIN_MS, BACKOFF_MAX_MS};
    ddb_kinesis *k = arg;

    ddb_follow_engine(k->eng, &k->worker, &pace, follow_pass, k);
    return NULL;
}

ddb_kinesis *ddb_kinesis_start(ddb_engine *eng, const ddb_kinesis_settings *settings)
{
    ddb_kinesis *k = ddb_zalloc(sizeof(*k));

    k->eng = eng;
    k->set = settings;
    ddb_worker_init(&k->worker);
    ddb_worker_own(&k->worker, k, NULL);
    if (ddb_worker_spawn(&k->worker, worker, k) != 0)
        abort();
    if (settings->endpoint != NULL)
        ddb_log(DDB_LOG_INFO, "kinesis: streaming destinations deliver to %s", settings->endpoint);
    return k;
}

ddb_worker *ddb_kinesis_worker(ddb_kinesis *k)
{
    return k != NULL ? &k->worker : NULL;
}
