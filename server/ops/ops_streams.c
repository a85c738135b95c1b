/*
 * server/ops/ops_streams.c: the DynamoDB Streams API: ListStreams, DescribeStream,
 * GetShardIterator and GetRecords, over the records and registry of engine/history/streams.h.
 *
 * A shard iterator is "<stream arn>|1|<base64url>", the base64 of the stream id, generation,
 * shard, next number to read and creation time, followed by a SipHash of them under the data
 * directory's secret (ddb_engine_hash), so an iterator cannot be forged or moved to another shard.
 * Iterators expire 15 minutes after they were made, by the server's clock (clock.h). DescribeStream
 * lists a stream's shards in ShardId order, which is their creation order (engine/history/streams.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/base/arn.h"
#include "server/base/clock.h"
#include "server/engine/engine.h"
#include "server/engine/read.h"
#include "server/engine/history/streams.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"
#include "server/ops/owners.h"

#define ITERATOR_TTL_MS (15 * 60 * 1000ULL)
#define GET_RECORDS_BYTES (1024 * 1024)
#define PAYLOAD 28 /* id 4, gen 4, shard 4, next 8, created 8 */

/* ---- ARNs and lookups ---- */

/* The table name and label of "arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>". */
static int arn_parse(ddb_arena *a, const char *arn, const char **table, const char **label)
{
    ddb_arn p;

    if (arn == NULL || ddb_arn_parts(arn, strlen(arn), &p) != 0 || !ddb_arn_type_is(&p, "table") ||
        p.name_len == 0 || !ddb_arn_is(&p, "stream") || p.id_len == 0)
        return -1;
    *table = ddb_arena_strndup(a, p.name, p.name_len);
    *label = p.id;
    return 0;
}

/* The registry's streams of the request's namespace (catalog.h), each named by its table's plain
   name; -1 when the registry cannot be read. */
static long ns_streams(ddb_req *req, ddb_stream_info **out)
{
    ddb_stream_info *all;
    long n = ddb_stream_info_list(req->eng->store, req->arena, &all), kept = 0;
    const char *name;

    for (long i = 0; i < n; i++) {
        if (ddb_key_in_ns(all[i].table, req->ns, &name)) {
            all[kept] = all[i];
            all[kept++].table = name;
        }
    }
    *out = all;
    return n < 0 ? n : kept;
}

/* The registry entry an ARN names; fails the request (ValidationException for a malformed ARN,
   ResourceNotFoundException for an unknown stream) and returns -1 otherwise. */
static int find_stream(ddb_req *req, const char *arn, ddb_stream_info *out)
{
    const char *table, *label;
    ddb_stream_info *all;
    long n;

    if (arn_parse(req->arena, arn, &table, &label) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid StreamArn"), -1;
    if ((n = ns_streams(req, &all)) < 0)
        return ddb_req_fail_internal(req), -1;
    for (long i = 0; i < n; i++) {
        if (strcmp(all[i].table, table) == 0 && strcmp(all[i].label, label) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %s not found", arn), -1;
}

/* A stream's ARN has its table's owner account, as the table's has (ddb_table_arn); a stream that
   outlived its table has the caller's. */
static const char *arn_of(ddb_req *req, const ddb_stream_info *info)
{
    const ddb_table *t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, info->table));

    return ddb_stream_arn(req->arena, req->region, t != NULL ? ddb_table_account(t) : req->account, info->table,
                          info->label);
}

/* A GetRecords call that answered: recorded on the request's meter with no units (no read
   capacity is consumed), for the cost report's streams read request units (engine/capacity/usage.h). */
static void record_stream_read(ddb_req *req, const ddb_stream_info *info)
{
    ddb_consumed c = {0};

    c.t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, info->table));
    if (c.t != NULL)
        ddb_consumed_record(req, &c);
}

/* Whether a shard takes no more records: its generation was closed, or the stream disabled. */
static int shard_closed(const ddb_stream_info *info, unsigned gen)
{
    return info->gens[gen].ends != NULL || info->disabled_ms != 0;
}

static const char *seq_text(ddb_arena *a, uint64_t seq)
{
    return ddb_arena_sprintf(a, "%021llu", (unsigned long long)seq);
}

/* ---- ListStreams ---- */

static int stream_order(const void *x, const void *y)
{
    const ddb_stream_info *a = x, *b = y;
    int c = strcmp(a->table, b->table);

    return c != 0 ? c : strcmp(b->label, a->label); /* a table's newest stream first */
}

int ddb_op_list_streams(ddb_req *req)
{
    const char *table = req->table;
    const char *start = ddb_json_get_str(req->in, "ExclusiveStartStreamArn");
    const ddb_json *lim = ddb_v_get(req->in, "Limit"); /* a null Limit is no Limit */
    long limit = lim ? (long)ddb_v_number(lim, 1) : 100, n, i = 0, shown = 0, last_shown = -1;
    const char *st, *sl;
    ddb_stream_info *all;
    ddb_jw *w = &req->out;

    if (start != NULL && arn_parse(req->arena, start, &st, &sl) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid ExclusiveStartStreamArn");
    if (table != NULL && ddb_table_or_fail(req, table, 1) == NULL)
        return req->err.code;
    if ((n = ns_streams(req, &all)) < 0)
        return ddb_req_fail_internal(req);
    qsort(all, (size_t)n, sizeof(*all), stream_order);
    if (start != NULL) {
        ddb_stream_info key = {.table = st, .label = sl};
        while (i < n && stream_order(&all[i], &key) <= 0)
            i++;
    }
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Streams");
    ddb_jw_arr_begin(w);
    for (; i < n && shown < limit; i++) {
        if (table != NULL && strcmp(all[i].table, table) != 0)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "StreamArn");
        ddb_jw_str(w, arn_of(req, &all[i]));
        ddb_jw_key(w, "TableName");
        ddb_jw_str(w, all[i].table);
        ddb_jw_key(w, "StreamLabel");
        ddb_jw_str(w, all[i].label);
        ddb_jw_obj_end(w);
        shown++;
        last_shown = i;
    }
    ddb_jw_arr_end(w);
    while (i < n && table != NULL && strcmp(all[i].table, table) != 0)
        i++;
    if (i < n && last_shown >= 0) { /* more follow */
        ddb_jw_key(w, "LastEvaluatedStreamArn");
        ddb_jw_str(w, arn_of(req, &all[last_shown]));
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- DescribeStream ---- */

static void write_shard(ddb_req *req, ddb_jw *w, const ddb_stream_info *info, unsigned g, unsigned s)
{
    ddb_store *store = req->eng->store;
    uint64_t base = ddb_stream_gen_base(info, g);
    uint64_t first = ddb_stream_shard_first(store, info, g, s) + base, last = ddb_stream_shard_last(store, info, g, s) + base;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ShardId");
    ddb_jw_str(w, ddb_stream_shard_id(req->arena, info, g, s));
    ddb_jw_key(w, "SequenceNumberRange");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "StartingSequenceNumber");
    ddb_jw_str(w, seq_text(req->arena, first));
    if (shard_closed(info, g)) {
        ddb_jw_key(w, "EndingSequenceNumber");
        ddb_jw_str(w, seq_text(req->arena, last));
    }
    ddb_jw_obj_end(w);
    if (g > 0) {
        ddb_jw_key(w, "ParentShardId");
        ddb_jw_str(w, ddb_stream_shard_id(req->arena, info, g - 1, s % info->gens[g - 1].nshards));
    }
    ddb_jw_obj_end(w);
}

/* Whether shard (g, s) passes ShardFilter CHILD_SHARDS of `parent` (NULL: no filter). */
static int shard_wanted(ddb_req *req, const ddb_stream_info *info, unsigned g, unsigned s, const char *parent)
{
    if (parent == NULL)
        return 1;
    return g > 0 && strcmp(ddb_stream_shard_id(req->arena, info, g - 1, s % info->gens[g - 1].nshards), parent) == 0;
}

typedef struct shard_ref {
    const char *id;
    unsigned g, s;
} shard_ref;

static int shard_ref_order(const void *x, const void *y)
{
    return strcmp(((const shard_ref *)x)->id, ((const shard_ref *)y)->id);
}

/* The stream's shards in ShardId order, which DescribeStream lists and pages by: creation order,
   parents first (ddb_stream_shard_id); sorted, so a stream made before ordered ids lists the same
   way. Returns how many. */
static size_t shards_in_order(ddb_req *req, const ddb_stream_info *info, shard_ref **out)
{
    size_t n = 0;

    for (unsigned g = 0; g < info->ngens; g++)
        n += info->gens[g].nshards;
    *out = DDB_NEW_ARRAY(req->arena, shard_ref, n + 1);
    n = 0;
    for (unsigned g = 0; g < info->ngens; g++) {
        for (unsigned s = 0; s < info->gens[g].nshards; s++)
            (*out)[n++] = (shard_ref){ddb_stream_shard_id(req->arena, info, g, s), g, s};
    }
    qsort(*out, n, sizeof(**out), shard_ref_order);
    return n;
}

static void write_shards(ddb_req *req, ddb_jw *w, const ddb_stream_info *info)
{
    const ddb_json *lim = ddb_v_get(req->in, "Limit"); /* a null Limit is no Limit */
    const char *start = ddb_json_get_str(req->in, "ExclusiveStartShardId");
    const ddb_json *filter = ddb_json_get(req->in, "ShardFilter");
    const char *parent = filter ? ddb_json_get_str(filter, "ShardId") : NULL;
    long limit = lim ? (long)ddb_v_number(lim, 1) : 100, shown = 0;
    const char *last = NULL;
    shard_ref *all;
    size_t n = shards_in_order(req, info, &all);

    ddb_jw_key(w, "Shards");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        /* the shards after the start's place in ShardId order (it need not exist: a trimmed shard) */
        if ((start != NULL && strcmp(all[i].id, start) <= 0) || !shard_wanted(req, info, all[i].g, all[i].s, parent))
            continue;
        if (shown == limit) {
            ddb_jw_arr_end(w);
            ddb_jw_key(w, "LastEvaluatedShardId");
            ddb_jw_str(w, last);
            return;
        }
        write_shard(req, w, info, all[i].g, all[i].s);
        last = all[i].id;
        shown++;
    }
    ddb_jw_arr_end(w);
}

int ddb_op_describe_stream(ddb_req *req)
{
    ddb_stream_info info;
    ddb_jw *w = &req->out;

    if (find_stream(req, ddb_json_get_str(req->in, "StreamArn"), &info) != 0)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "StreamDescription");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "StreamArn");
    ddb_jw_str(w, arn_of(req, &info));
    ddb_jw_key(w, "StreamLabel");
    ddb_jw_str(w, info.label);
    ddb_jw_key(w, "StreamStatus");
    ddb_jw_str(w, info.disabled_ms ? "DISABLED" : "ENABLED");
    ddb_jw_key(w, "StreamViewType");
    ddb_jw_str(w, ddb_stream_view_name(info.view));
    ddb_jw_key(w, "CreationRequestDateTime");
    ddb_jw_double(w, (double)info.created_ms / 1e3);
    ddb_jw_key(w, "TableName");
    ddb_jw_str(w, info.table);
    if (info.key_schema != NULL) {
        ddb_jw_key(w, "KeySchema");
        ddb_jw_json(w, info.key_schema);
    }
    write_shards(req, w, &info);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- iterators ---- */

typedef struct iterator {
    uint32_t id;
    unsigned gen, shard;
    uint64_t next, created_ms;
} iterator;

static const char *iterator_text(ddb_req *req, const ddb_stream_info *info, const iterator *it)
{
    char raw[PAYLOAD + 8];
    char b64[sodium_base64_ENCODED_LEN(PAYLOAD + 8, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];

    ddb_put_be(raw, it->id, 4);
    ddb_put_be(raw + 4, it->gen, 4);
    ddb_put_be(raw + 8, it->shard, 4);
    ddb_put_be(raw + 12, it->next, 8);
    ddb_put_be(raw + 20, it->created_ms, 8);
    ddb_put_be(raw + PAYLOAD, ddb_engine_hash(req->eng, raw, PAYLOAD), 8);
    sodium_bin2base64(b64, sizeof(b64), (const unsigned char *)raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return ddb_arena_sprintf(req->arena, "%s|1|%s", arn_of(req, info), b64);
}

/* An iterator's payload, authenticated by the directory's key: 0, or -1 when `text` is not one. (The
   stream ARN before it is not authenticated: only the payload says which stream it reads.) */
static int iterator_decode(ddb_req *req, const char *text, iterator *out)
{
    const char *bar = text ? strrchr(text, '|') : NULL;
    char raw[PAYLOAD + 8];
    size_t len;

    if (bar == NULL || bar - text < 2 || strncmp(bar - 2, "|1", 2) != 0 ||
        sodium_base642bin((unsigned char *)raw, sizeof(raw), bar + 1, strlen(bar + 1), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
        len != sizeof(raw) || ddb_get_be(raw + PAYLOAD, 8) != ddb_engine_hash(req->eng, raw, PAYLOAD))
        return -1;
    out->id = (uint32_t)ddb_get_be(raw, 4);
    out->gen = (unsigned)ddb_get_be(raw + 4, 4);
    out->shard = (unsigned)ddb_get_be(raw + 8, 4);
    out->next = ddb_get_be(raw + 12, 8);
    out->created_ms = ddb_get_be(raw + 20, 8);
    return 0;
}

static int iterator_parse(ddb_req *req, const char *text, iterator *out)
{
    if (iterator_decode(req, text, out) != 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid ShardIterator");
    return DDB_OK;
}

const char *ddb_streams_iterator_owner(ddb_req *req, const char *text, const char **label)
{
    ddb_stream_info info;
    iterator it;

    if (iterator_decode(req, text, &it) != 0 || ddb_stream_info_get(req->eng->store, req->arena, it.id, &info) != 0)
        return NULL;
    *label = info.label;
    return info.table;
}

/* A SequenceNumber: decimal digits only, as DynamoDB makes them. */
static int seq_parse(const char *s, uint64_t *out)
{
    char *end;

    if (s == NULL || s[0] < '0' || s[0] > '9')
        return -1;
    *out = strtoull(s, &end, 10);
    return *end == '\0' ? 0 : -1;
}

static int trimmed(ddb_req *req)
{
    return ddb_req_fail(req, DDB_E_TRIMMED_DATA_ACCESS, "The data you are trying to access has been trimmed.");
}

/* A time as the message of an expired iterator writes it: Java's Date, "Tue Nov 24 02:17:29 UTC 2026". */
static const char *java_date(ddb_arena *a, uint64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    char buf[40];

    gmtime_r(&secs, &tm);
    strftime(buf, sizeof(buf), "%a %b %d %H:%M:%S UTC %Y", &tm);
    return ddb_arena_strndup(a, buf, strlen(buf));
}

/* The iterator-age text of the Kinesis service DynamoDB Streams runs on, with Streams' 15 minutes
   (docs/compatibility.md: not captured from DynamoDB). */
static int expired(ddb_req *req, uint64_t created_ms, uint64_t now)
{
    return ddb_req_fail(req, DDB_E_EXPIRED_ITERATOR,
                        "Iterator expired. The iterator was created at time %s while right now it is %s which is "
                        "further in the future than the tolerated delay of %llu milliseconds.",
                        java_date(req->arena, created_ms), java_date(req->arena, now),
                        (unsigned long long)ITERATOR_TTL_MS);
}

/* Where an iterator of `type` starts in shard (g, s), or fails the request. */
static int iterator_start(ddb_req *req, const ddb_stream_info *info, unsigned g, unsigned s, uint64_t *next)
{
    const char *type = ddb_json_get_str(req->in, "ShardIteratorType");
    const char *seqs = ddb_json_get_str(req->in, "SequenceNumber");
    int by_seq = strcmp(type, "AT_SEQUENCE_NUMBER") == 0 || strcmp(type, "AFTER_SEQUENCE_NUMBER") == 0;
    uint64_t first = ddb_stream_shard_first(req->eng->store, info, g, s);
    uint64_t last = ddb_stream_shard_last(req->eng->store, info, g, s), seq, base;

    if (!by_seq && seqs != NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: SequenceNumber should not be passed for this "
                            "iterator type");
    if (by_seq && seqs == NULL)
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "One or more parameter values were invalid: SequenceNumber must be passed for this "
                            "iterator type");
    if (!by_seq) {
        *next = strcmp(type, "TRIM_HORIZON") == 0 ? first : last + 1;
        return DDB_OK;
    }
    /* the shard's StartingSequenceNumber is a position even before a record has it (an empty
       shard's is last + 1, the number its next record gets); a number at or below the
       generation's base is below the shard's range, as one below its first record is */
    if (seq_parse(seqs, &seq) != 0 || seq == 0)
        return ddb_req_fail(req, DDB_E_VALIDATION, "One or more parameter values were invalid: Invalid SequenceNumber");
    base = ddb_stream_gen_base(info, g);
    if (seq > base && (seq - base > last && seq - base != first))
        return ddb_req_fail(req, DDB_E_VALIDATION, "One or more parameter values were invalid: Invalid SequenceNumber");
    if (seq <= base || seq - base < first)
        return trimmed(req);
    seq -= base;
    *next = strcmp(type, "AT_SEQUENCE_NUMBER") == 0 ? seq : seq + 1;
    return DDB_OK;
}

int ddb_op_get_shard_iterator(ddb_req *req)
{
    ddb_stream_info info;
    unsigned g, s;
    iterator it;
    ddb_jw *w = &req->out;

    if (find_stream(req, ddb_json_get_str(req->in, "StreamArn"), &info) != 0)
        return req->err.code;
    if (ddb_stream_shard_parse(&info, ddb_json_get_str(req->in, "ShardId"), &g, &s) != 0)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Shard: %s not found",
                            ddb_json_get_str(req->in, "ShardId"));
    it = (iterator){info.id, g, s, 0, ddb_clock_now_ms()};
    if (iterator_start(req, &info, g, s, &it.next) != DDB_OK)
        return req->err.code;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "ShardIterator");
    ddb_jw_str(w, iterator_text(req, &info, &it));
    ddb_jw_obj_end(w);
    return DDB_OK;
}

/* ---- GetRecords ---- */

typedef struct reading {
    ddb_req *req;
    ddb_jw *w;
    const ddb_stream_info *info;
    iterator *it;
    long limit, n;
    size_t bytes;
} reading;

/* One record, written, while the page has room (1: it has not, or the record is unreadable). */
static int record_entry(void *ctx, const char *k, size_t klen, const char *v, size_t vlen)
{
    reading *rd = ctx;
    ddb_stream_record r;

    if (rd->n >= rd->limit || rd->bytes >= GET_RECORDS_BYTES ||
        ddb_stream_record_decode(rd->req->arena, k, klen, v, vlen, &r) != 0)
        return 1;
    ddb_stream_record_json(rd->w, rd->req->eng->store, rd->info, rd->it->gen, rd->it->shard, &r, rd->req->region, NULL);
    rd->bytes += r.size_bytes;
    rd->it->next = r.seq + 1;
    rd->n++;
    return 0;
}

/* Reads up to `limit` records (and 1 MB) from it->next on; it->next moves past what was read. */
static int read_records(ddb_req *req, ddb_jw *w, const ddb_stream_info *info, iterator *it, long limit,
                        uint64_t visible)
{
    char lo[DDB_STREAM_PREFIX_BYTES + 8], hi[DDB_STREAM_PREFIX_BYTES + 8];
    reading rd = {req, w, info, it, limit, 0, 0};

    /* [next, visible]: numbers above the visible one may still have gaps that fill (storage.h) */
    ddb_stream_prefix(it->id, it->gen, it->shard, lo);
    memcpy(hi, lo, DDB_STREAM_PREFIX_BYTES);
    ddb_put_be(lo + DDB_STREAM_PREFIX_BYTES, it->next, 8);
    ddb_put_be(hi + DDB_STREAM_PREFIX_BYTES, visible + 1, 8);
    return ddb_read_seq_range(req->eng, lo, sizeof(lo), hi, sizeof(hi), record_entry, &rd) < 0
               ? ddb_req_fail_internal(req)
               : DDB_OK;
}

int ddb_op_get_records(ddb_req *req)
{
    const ddb_json *lim = ddb_v_get(req->in, "Limit"); /* a null Limit is no Limit */
    /* an injected stream lag (api/faults/inject.h): no record yet, the next iterator where this one is */
    long limit = req->fault_stream_lag ? 0 : lim ? (long)ddb_v_number(lim, 1) : 1000;
    uint64_t now = ddb_clock_now_ms(), first, last;
    ddb_stream_info info;
    iterator it = {0};
    ddb_jw *w = &req->out;
    int rc;

    if (iterator_parse(req, ddb_json_get_str(req->in, "ShardIterator"), &it) != DDB_OK)
        return req->err.code;
    if (now > it.created_ms + ITERATOR_TTL_MS)
        return expired(req, it.created_ms, now);
    if ((rc = ddb_stream_info_get(req->eng->store, req->arena, it.id, &info)) != 0 || it.gen >= info.ngens ||
        it.shard >= info.gens[it.gen].nshards)
        return rc < 0 ? ddb_req_fail_internal(req)
                      : ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Stream not found");
    first = ddb_stream_shard_first(req->eng->store, &info, it.gen, it.shard);
    last = ddb_stream_shard_last(req->eng->store, &info, it.gen, it.shard);
    if (it.next < first && it.next <= last)
        return trimmed(req); /* records it would read next are gone */
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Records");
    ddb_jw_arr_begin(w);
    if (read_records(req, w, &info, &it, limit, last) != DDB_OK)
        return req->err.code;
    ddb_jw_arr_end(w);
    /* a closed shard read to its end has no next iterator: the reader moves on to its children */
    if (!(shard_closed(&info, it.gen) && it.next > last)) {
        it.created_ms = now;
        ddb_jw_key(w, "NextShardIterator");
        ddb_jw_str(w, iterator_text(req, &info, &it));
    }
    ddb_jw_obj_end(w);
    record_stream_read(req, &info);
    return DDB_OK;
}
