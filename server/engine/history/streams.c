/*
 * server/engine/history/streams.c: stream records, shards and the registry (see streams.h).
 */
#include "server/engine/history/streams.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/base/arn.h"
#include "server/base/log.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/itemcodec.h"
#include "server/engine/keycodec.h"

/* ---- shards ---- */

/* murmur3's finaliser over the hash and the generation: independent choices per generation */
static uint64_t mix(uint64_t h, unsigned gen)
{
    h ^= (uint64_t)(gen + 1) * 0x9e3779b97f4a7c15ULL;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
}

/* Shards of generation g keep each old shard's partitions among its children j % n_old == index. */
static unsigned shard_in(const unsigned *counts, unsigned ngens, uint64_t part_hash)
{
    unsigned shard = (unsigned)(mix(part_hash, 0) % counts[0]);

    for (unsigned g = 1; g < ngens; g++) {
        unsigned prev = counts[g - 1], n = counts[g];
        if (n > prev) {
            unsigned children = (n - shard + prev - 1) / prev;
            shard += (unsigned)(mix(part_hash, g) % children) * prev;
        }
    }
    return shard;
}

unsigned ddb_stream_shard_of(const ddb_table *t, uint64_t part_hash, unsigned *gen)
{
    *gen = t->stream.ngens - 1;
    return shard_in(t->stream.counts, t->stream.ngens, part_hash);
}

void ddb_stream_prefix(uint32_t stream_id, unsigned gen, unsigned shard, char out[DDB_STREAM_PREFIX_BYTES])
{
    ddb_put_be(out, stream_id, 4);
    ddb_put_be(out + 4, (uint64_t)gen << 32 | shard, 8);
}

/* ---- records ---- */

/* The key attributes of an item, as a map. */
static void keys_of(ddb_arena *a, const ddb_table *t, const ddb_attr *item, ddb_attr *out)
{
    const char *names[2] = {t->hash_key, t->range_key};

    memset(out, 0, sizeof(*out));
    out->type = DDB_T_M;
    out->u.entries = DDB_NEW_ARRAY(a, ddb_entry, 2);
    for (int i = 0; i < 2 && names[i] != NULL; i++) {
        const ddb_attr *v = ddb_item_get(item, names[i], strlen(names[i]));
        if (v == NULL)
            continue;
        out->u.entries[out->len++] = (ddb_entry){names[i], (uint32_t)strlen(names[i]), *v};
    }
}

/* An image (u32 length, then the bytes; length 0 when absent) at *p, which moves past it. */
static void put_raw(char **p, const char *raw, size_t len)
{
    if (raw == NULL)
        len = 0;
    ddb_put_be(*p, len, 4);
    if (len > 0)
        memcpy(*p + 4, raw, len);
    *p += 4 + len;
}

void ddb_stream_record_put(ddb_arena *a, const ddb_table *t, const ddb_attr *keys_src, const char *old_raw,
                           size_t old_rawlen, const char *new_raw, size_t new_rawlen, int view, int flags,
                           uint64_t now_ms, unsigned hold_ms, const char *prefix, size_t plen, ddb_batch *out)
{
    int with_new = view == DDB_VIEW_NEW_IMAGE || view == DDB_VIEW_NEW_AND_OLD_IMAGES;
    int with_old = view == DDB_VIEW_OLD_IMAGE || view == DDB_VIEW_NEW_AND_OLD_IMAGES;
    int event = old_raw == NULL ? DDB_EV_INSERT : new_raw == NULL ? DDB_EV_REMOVE : DDB_EV_MODIFY;
    char *kenc, *rec, *p;
    size_t klen, len;
    ddb_attr keys;

    keys_of(a, t, keys_src, &keys);
    ddb_item_encode(a, &keys, ddb_item_size(&keys), &kenc, &klen);
    /* written once, in the arena: the head, the Keys, then the stored images as they are */
    len = 11 + 12 + klen + (with_new && new_raw ? new_rawlen : 0) + (with_old && old_raw ? old_rawlen : 0) + 4;
    rec = p = ddb_arena_alloc(a, len);
    p[0] = 1; /* the record format's version */
    p[1] = (char)event;
    p[2] = (char)(hold_ms > 0 ? flags | DDB_REC_HELD : flags);
    ddb_put_be(p + 3, now_ms, 8);
    p += 11;
    put_raw(&p, kenc, klen);
    put_raw(&p, with_new ? new_raw : NULL, new_rawlen);
    put_raw(&p, with_old ? old_raw : NULL, old_rawlen);
    if (hold_ms > 0) { /* a trailer older readers stop before */
        ddb_put_be(p, hold_ms, 4);
        p += 4;
    }
    ddb_batch_put_seq(out, prefix, plen, rec, (size_t)(p - rec));
}

void ddb_stream_add_record(ddb_arena *a, const ddb_table *t, const ddb_key *key, const ddb_attr *keys_src,
                           const char *old_raw, size_t old_rawlen, const char *new_raw, size_t new_rawlen, int flags,
                           uint64_t now_ms, unsigned hold_ms, ddb_batch *out)
{
    char *prefix = ddb_arena_alloc(a, DDB_STREAM_PREFIX_BYTES);
    unsigned gen, shard;

    if (t->stream.id == 0 || (old_raw == NULL && new_raw == NULL))
        return;
    shard = ddb_stream_shard_of(t, key->part_hash, &gen);
    ddb_stream_prefix(t->stream.id, gen, shard, prefix);
    ddb_stream_record_put(a, t, keys_src, old_raw, old_rawlen, new_raw, new_rawlen, t->stream.view, flags, now_ms,
                          hold_ms, prefix, DDB_STREAM_PREFIX_BYTES, out);
}

/* One image: u32 length, then the item (none when 0). */
static int get_image(ddb_arena *a, const char **p, const char *end, ddb_attr *out, int *present)
{
    size_t len;

    memset(out, 0, sizeof(*out));
    *present = 0;
    if (end - *p < 4)
        return -1;
    len = (size_t)ddb_get_be(*p, 4);
    *p += 4;
    if ((size_t)(end - *p) < len)
        return -1;
    if (len > 0) {
        if (ddb_item_decode(a, *p, len, out) != 0)
            return -1;
        *present = 1;
    }
    *p += len;
    return 0;
}

int ddb_stream_record_head(const char *key, size_t klen, const char *val, size_t vlen, uint64_t *seq,
                           uint64_t *created_ms)
{
    if (klen != DDB_STREAM_PREFIX_BYTES + 8 || vlen < 11 || val[0] != 1)
        return -1;
    *seq = ddb_get_be(key + DDB_STREAM_PREFIX_BYTES, 8);
    *created_ms = ddb_get_be(val + 3, 8);
    return 0;
}

int ddb_stream_record_decode(ddb_arena *a, const char *key, size_t klen, const char *val, size_t vlen,
                             ddb_stream_record *out)
{
    const char *p = val + 11, *end = val + vlen;
    int has_keys;

    memset(out, 0, sizeof(*out));
    if (klen != DDB_STREAM_PREFIX_BYTES + 8 || vlen < 11 || val[0] != 1)
        return -1;
    out->seq = ddb_get_be(key + DDB_STREAM_PREFIX_BYTES, 8);
    out->event = (ddb_stream_event)val[1];
    out->flags = (unsigned char)val[2];
    out->created_ms = ddb_get_be(val + 3, 8);
    if (get_image(a, &p, end, &out->keys, &has_keys) != 0 || get_image(a, &p, end, &out->new_image, &out->has_new) != 0 ||
        get_image(a, &p, end, &out->old_image, &out->has_old) != 0)
        return -1;
    if ((out->flags & DDB_REC_HELD) && end - p >= 4)
        out->hold_ms = (unsigned)ddb_get_be(p, 4);
    out->size_bytes = ddb_item_size(&out->keys) + (out->has_new ? ddb_item_size(&out->new_image) : 0) +
                      (out->has_old ? ddb_item_size(&out->old_image) : 0);
    return 0;
}

/* ---- the registry ---- */

static char *info_key(ddb_arena *a, uint32_t id)
{
    return ddb_arena_sprintf(a, "stream/%010u", id);
}

static uint64_t num_of(const ddb_json *v)
{
    return (uint64_t)ddb_json_integer(v, 0);
}

static int info_from_json(ddb_arena *a, uint32_t id, const ddb_json *j, ddb_stream_info *out)
{
    const ddb_json *gens = ddb_json_get(j, "Gens");

    memset(out, 0, sizeof(*out));
    if (j == NULL || j->type != DDB_JSON_OBJECT || gens == NULL || gens->type != DDB_JSON_ARRAY)
        return -1;
    out->id = id;
    out->table = ddb_json_get_str(j, "Table");
    out->label = ddb_json_get_str(j, "Label");
    out->view = ddb_stream_view_parse(ddb_json_get_str(j, "View"));
    out->key_schema = ddb_json_get(j, "KeySchema");
    out->created_ms = num_of(ddb_json_get(j, "Created"));
    out->disabled_ms = num_of(ddb_json_get(j, "Disabled"));
    out->ordered_ids = num_of(ddb_json_get(j, "Ids")) >= 2;
    out->continued = num_of(ddb_json_get(j, "Ids")) >= 3;
    for (uint32_t g = 0; g < gens->n && g < DDB_MAX_STREAM_GENS; g++) {
        const ddb_json *gj = gens->u.items[g], *ends = ddb_json_get(gj, "Ends");
        ddb_stream_gen *sg = &out->gens[out->ngens++];
        sg->nshards = (unsigned)num_of(ddb_json_get(gj, "N"));
        sg->started_ms = num_of(ddb_json_get(gj, "At"));
        if (ends != NULL && ends->type == DDB_JSON_ARRAY) {
            sg->ends = DDB_NEW_ARRAY(a, uint64_t, sg->nshards + 1);
            for (uint32_t i = 0; i < ends->n && i < sg->nshards; i++)
                sg->ends[i] = num_of(ends->u.items[i]);
        }
    }
    if (out->table == NULL || out->label == NULL || out->ngens == 0)
        return -1;
    return 0;
}

int ddb_stream_info_get(ddb_store *s, ddb_arena *a, uint32_t id, ddb_stream_info *out)
{
    char *key = info_key(a, id), *val;
    size_t vlen;
    const ddb_json *j;

    if (ddb_store_meta_get(s, a, key, strlen(key), &val, &vlen) != 0)
        return -1;
    if (val == NULL)
        return 1;
    j = ddb_json_parse(a, val, vlen);
    return info_from_json(a, id, j, out) == 0 ? 0 : -1;
}

long ddb_stream_info_list(ddb_store *s, ddb_arena *a, ddb_stream_info **out)
{
    static const char lo[] = "stream/", hi[] = "stream0";
    ddb_store_iter *it = ddb_store_meta_iter_open(s, lo, sizeof(lo) - 1, hi, sizeof(hi) - 1);
    size_t n = 0, cap = 8;
    int rc;

    if (it == NULL)
        return -1;
    *out = DDB_NEW_ARRAY(a, ddb_stream_info, cap);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, vlen;
        const char *k = ddb_store_iter_key(it, &klen), *v = ddb_store_iter_val(it, &vlen);
        uint32_t id = (uint32_t)strtoul(ddb_arena_strndup(a, k + 7, klen - 7), NULL, 10);
        DDB_ARENA_ROOM(a, *out, n, cap, 16);
        if (info_from_json(a, id, ddb_json_parse(a, ddb_arena_memdup(a, v, vlen), vlen), &(*out)[n]) == 0)
            n++;
    }
    rc = ddb_store_iter_status(it);
    ddb_store_iter_close(it);
    return rc == DDB_STORE_OK ? (long)n : -1;
}

void ddb_stream_info_put(ddb_batch *b, ddb_arena *a, const ddb_stream_info *info)
{
    ddb_buf buf = {0};
    ddb_jw w;
    char *key = info_key(a, info->id);

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    ddb_jw_member_str(&w, "Table", info->table);
    ddb_jw_member_str(&w, "Label", info->label);
    ddb_jw_member_str(&w, "View", ddb_stream_view_name(info->view));
    if (info->key_schema != NULL) {
        ddb_jw_key(&w, "KeySchema");
        ddb_jw_json(&w, info->key_schema);
    }
    ddb_jw_member_int(&w, "Created", (long long)info->created_ms);
    ddb_jw_member_int(&w, "Disabled", (long long)info->disabled_ms);
    if (info->ordered_ids)
        ddb_jw_member_int(&w, "Ids", info->continued ? 3 : 2);
    ddb_jw_key(&w, "Gens");
    ddb_jw_arr_begin(&w);
    for (unsigned g = 0; g < info->ngens; g++) {
        const ddb_stream_gen *sg = &info->gens[g];
        ddb_jw_obj_begin(&w);
        ddb_jw_member_int(&w, "N", sg->nshards);
        ddb_jw_member_int(&w, "At", (long long)sg->started_ms);
        if (sg->ends != NULL) {
            ddb_jw_key(&w, "Ends");
            ddb_jw_arr_begin(&w);
            for (unsigned i = 0; i < sg->nshards; i++)
                ddb_jw_int(&w, (long long)sg->ends[i]);
            ddb_jw_arr_end(&w);
        }
        ddb_jw_obj_end(&w);
    }
    ddb_jw_arr_end(&w);
    ddb_jw_obj_end(&w);
    ddb_batch_meta_put(b, key, strlen(key), ddb_arena_strndup(a, buf.data, buf.len), buf.len);
    ddb_buf_free(&buf);
}

void ddb_stream_info_delete(ddb_batch *b, ddb_arena *a, uint32_t id)
{
    char *key = info_key(a, id);

    ddb_batch_meta_delete(b, key, strlen(key));
}

const char *ddb_stream_arn(ddb_arena *a, const char *region, const char *account, const char *table,
                           const char *label)
{
    return ddb_arn_table(a, region, account != NULL ? account : "000000000000", table, "stream", label);
}

/* A shard's id: the generation's start time and a tag that names the stream, generation and shard
   (with ordered ids, led by the shard's index, so that the ids of one generation sort by it). */
static uint32_t shard_tag(const ddb_stream_info *info, unsigned gen, unsigned shard)
{
    uint32_t h = (uint32_t)(mix((uint64_t)info->id << 32 | (uint64_t)gen << 16 | shard, 7) & 0xffffffffu);

    return info->ordered_ids ? (uint32_t)(shard & 0xffffu) << 16 | (h & 0xffffu) : h;
}

const char *ddb_stream_shard_id(ddb_arena *a, const ddb_stream_info *info, unsigned gen, unsigned shard)
{
    return ddb_arena_sprintf(a, "shardId-%020llu-%08x", (unsigned long long)info->gens[gen].started_ms,
                             shard_tag(info, gen, shard));
}

int ddb_stream_shard_parse(const ddb_stream_info *info, const char *shard_id, unsigned *gen, unsigned *shard)
{
    unsigned long long ms;
    unsigned tag;
    char tail;

    if (shard_id == NULL || sscanf(shard_id, "shardId-%20llu-%8x%c", &ms, &tag, &tail) != 2 || strlen(shard_id) != 37)
        return -1;
    for (unsigned g = 0; g < info->ngens; g++) {
        if (info->gens[g].started_ms != ms)
            continue;
        for (unsigned i = 0; i < info->gens[g].nshards; i++) {
            if (shard_tag(info, g, i) == tag) {
                *gen = g;
                *shard = i;
                return 0;
            }
        }
    }
    return -1;
}

uint64_t ddb_stream_gen_base(const ddb_stream_info *info, unsigned gen)
{
    uint64_t base = 0;

    for (unsigned g = 0; info->continued && g < gen && g < info->ngens; g++) {
        uint64_t top = 0;
        for (unsigned i = 0; info->gens[g].ends != NULL && i < info->gens[g].nshards; i++)
            top = info->gens[g].ends[i] > top ? info->gens[g].ends[i] : top;
        base += top;
    }
    return base;
}

uint64_t ddb_stream_shard_last(ddb_store *s, const ddb_stream_info *info, unsigned gen, unsigned shard)
{
    char prefix[DDB_STREAM_PREFIX_BYTES];

    if (info->gens[gen].ends != NULL)
        return info->gens[gen].ends[shard];
    ddb_stream_prefix(info->id, gen, shard, prefix);
    return ddb_store_seq_last(s, prefix, sizeof(prefix));
}

uint64_t ddb_stream_shard_first(ddb_store *s, const ddb_stream_info *info, unsigned gen, unsigned shard)
{
    char lo[DDB_STREAM_PREFIX_BYTES], hi[DDB_STREAM_PREFIX_BYTES];
    ddb_store_iter *it;
    uint64_t last, first = ddb_stream_shard_last(s, info, gen, shard) + 1;

    ddb_stream_prefix(info->id, gen, shard, lo);
    ddb_stream_prefix(info->id, gen, shard + 1, hi);
    it = ddb_store_seq_iter_open(s, lo, sizeof(lo), hi, sizeof(hi), 0);
    ddb_store_iter_seek(it, NULL, 0);
    if (ddb_store_iter_valid(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        if (klen == DDB_STREAM_PREFIX_BYTES + 8)
            first = ddb_get_be(k + DDB_STREAM_PREFIX_BYTES, 8);
    }
    ddb_store_iter_close(it);
    /* a number above the visible one may have a gap below it that still fills */
    last = ddb_stream_shard_last(s, info, gen, shard);
    return first > last + 1 ? last + 1 : first;
}

const char *ddb_stream_label(ddb_arena *a, uint64_t ms)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    char buf[32];

    gmtime_r(&secs, &tm);
    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    return ddb_arena_sprintf(a, "%s.%03u", buf, (unsigned)(ms % 1000));
}

/* A record's eventID: 32 hex digits that name it (the stream, its shard and its number). */
static void event_id(ddb_store *s, const ddb_stream_info *info, unsigned gen, unsigned shard, uint64_t seq, char out[33])
{
    char raw[24];
    uint64_t h1, h2;

    ddb_put_be(raw, info->id, 4);
    ddb_put_be(raw + 4, gen, 4);
    ddb_put_be(raw + 8, shard, 4);
    ddb_put_be(raw + 12, seq, 8);
    ddb_put_be(raw + 20, 0x65766964, 4);
    h1 = ddb_store_secret_hash(s, raw, 20); /* a directory made before issue 52: as it was */
    h2 = ddb_store_secret_hash(s, raw, 24);
    snprintf(out, 33, "%016llx%016llx", (unsigned long long)h1, (unsigned long long)h2);
}

void ddb_stream_record_images_json(ddb_jw *w, const ddb_stream_record *r)
{
    ddb_jw_key(w, "Keys");
    ddb_item_write_json(w, &r->keys);
    if (r->has_new) {
        ddb_jw_key(w, "NewImage");
        ddb_item_write_json(w, &r->new_image);
    }
    if (r->has_old) {
        ddb_jw_key(w, "OldImage");
        ddb_item_write_json(w, &r->old_image);
    }
}

void ddb_stream_record_json(ddb_jw *w, ddb_store *s, const ddb_stream_info *info, unsigned gen, unsigned shard,
                            const ddb_stream_record *r, const char *region, const char *source_arn)
{
    static const char *const events[] = {"", "INSERT", "MODIFY", "REMOVE"};
    char id[33], seq[24];

    event_id(s, info, gen, shard, r->seq, id);
    snprintf(seq, sizeof(seq), "%021llu", (unsigned long long)(r->seq + ddb_stream_gen_base(info, gen)));
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "eventID", id);
    ddb_jw_member_str(w, "eventName", events[r->event <= DDB_EV_REMOVE ? r->event : 0]);
    ddb_jw_member_str(w, "eventVersion", "1.1");
    ddb_jw_member_str(w, "eventSource", "aws:dynamodb");
    ddb_jw_member_str(w, "awsRegion", region && region[0] ? region : "us-east-1");
    ddb_jw_key(w, "dynamodb");
    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "ApproximateCreationDateTime", (long long)(r->created_ms / 1000));
    ddb_stream_record_images_json(w, r);
    ddb_jw_member_str(w, "SequenceNumber", seq);
    ddb_jw_member_int(w, "SizeBytes", (long long)r->size_bytes);
    ddb_jw_member_str(w, "StreamViewType", ddb_stream_view_name(info->view));
    ddb_jw_obj_end(w);
    if (r->flags & DDB_REC_SERVICE) { /* a TTL delete: the service deleted it */
        ddb_jw_key(w, "userIdentity");
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "PrincipalId", "dynamodb.amazonaws.com");
        ddb_jw_member_str(w, "Type", "Service");
        ddb_jw_obj_end(w);
    }
    /* as Lambda delivers records */
    if (source_arn != NULL)
        ddb_jw_member_str(w, "eventSourceARN", source_arn);
    ddb_jw_obj_end(w);
}

/* ---- the table member "ddbdStream": {"Id", "Label", "View", "Enabled", "Shards": [...]} ---- */

static void stream_read(ddb_table *t, const ddb_json *st)
{
    const ddb_json *id, *shards;

    if (st == NULL || (id = ddb_json_get(st, "Id")) == NULL || id->type != DDB_JSON_NUMBER)
        return;
    t->stream.last_id = ddb_member_u32(id);
    t->stream.label = ddb_json_get_str(st, "Label");
    t->stream.view = ddb_stream_view_parse(ddb_json_get_str(st, "View"));
    shards = ddb_json_get(st, "Shards");
    for (uint32_t i = 0; shards != NULL && shards->type == DDB_JSON_ARRAY && i < shards->n && i < DDB_MAX_STREAM_GENS;
         i++)
        t->stream.counts[t->stream.ngens++] = (unsigned)strtoul(shards->u.items[i]->u.s, NULL, 10);
    if (ddb_member_true(ddb_json_get(st, "Enabled")) && t->stream.ngens > 0 && t->stream.view != DDB_VIEW_NONE)
        t->stream.id = t->stream.last_id;
}

static void stream_write(ddb_jw *w, const ddb_member_edit *e)
{
    const ddb_stream_member *s = e->value;

    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "Id", s->id);
    ddb_jw_member_str(w, "Label", s->label);
    ddb_jw_member_str(w, "View", ddb_stream_view_name(s->view));
    ddb_jw_member_bool(w, "Enabled", s->enabled);
    ddb_jw_key(w, "Shards");
    ddb_jw_arr_begin(w);
    for (unsigned g = 0; g < s->ngens; g++)
        ddb_jw_int(w, s->counts[g]);
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

const ddb_table_member ddb_member_stream = {DDB_MEMBER_STREAM, stream_read, stream_write};

/* StreamSpecification of an enabled stream (DynamoDB's member, written with the stream's): as
   stored while the stream stays the one enabled, else {"StreamEnabled": true, "StreamViewType"}. */
static void spec_write(ddb_jw *w, const ddb_member_edit *e)
{
    const ddb_stream_member *s = e->value;

    if (e->cur != NULL && e->base->stream.id != 0 && e->base->stream.id == s->id) {
        ddb_jw_json(w, e->cur);
        return;
    }
    ddb_jw_obj_begin(w);
    ddb_jw_member_bool(w, "StreamEnabled", 1);
    ddb_jw_member_str(w, "StreamViewType", ddb_stream_view_name(s->view));
    ddb_jw_obj_end(w);
}

/* Kept as stored (DescribeTable shows it so while the stream is enabled), typed once here. */
static void spec_read(ddb_table *t, const ddb_json *v)
{
    t->stream.spec = v;
}

const ddb_table_member ddb_member_stream_spec = {"StreamSpecification", spec_read, spec_write};

void ddb_edit_stream(ddb_desc_edit *e, const ddb_stream_member *s)
{
    ddb_edit_member(e, &ddb_member_stream_spec, s != NULL && s->enabled ? s : NULL, sizeof(*s));
    ddb_edit_member(e, &ddb_member_stream, s, sizeof(*s));
}

void ddb_edit_stream_generation(ddb_desc_edit *e, unsigned n)
{
    const ddb_table *t = ddb_desc_edit_base(e);
    ddb_stream_member s;

    if (t == NULL || t->stream.ngens >= sizeof(s.counts) / sizeof(s.counts[0])) {
        ddb_log(DDB_LOG_ERROR, "catalog: no room for another stream generation (ignored)");
        return;
    }
    memset(&s, 0, sizeof(s));
    s.id = t->stream.id;
    s.label = t->stream.label;
    s.view = t->stream.view;
    s.enabled = 1;
    memcpy(s.counts, t->stream.counts, sizeof(unsigned) * t->stream.ngens);
    s.counts[t->stream.ngens] = n;
    s.ngens = t->stream.ngens + 1;
    ddb_edit_member(e, &ddb_member_stream, &s, sizeof(s));
}
