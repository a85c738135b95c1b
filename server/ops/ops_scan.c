/*
 * server/ops/ops_scan.c: Scan, on a table or on one of its indexes, whole or as one segment of
 * a parallel scan.
 *
 * The keyspace is read in key order, which is partition-hash order (page.h); a parallel-scan
 * segment is a range of partition hashes, and a resumed scan continues just after its start key.
 */
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/engine/engine.h"
#include "server/ops/handlers.h"
#include "server/ops/page.h"

/*
 * Where segment s of n starts: up to 4,096 segments, the first 12 bits p of the partition hash
 * choose, segment s owning ceil(4096 s / n) <= p < ceil(4096 (s + 1) / n), as DynamoDB's segments
 * fall (dynalite's scan.js, whose 4,096-segment cases were recorded against DynamoDB); beyond,
 * the hashes h with floor(h * n / 2^64) == s, so that every segment owns some.
 */
static uint64_t segment_start(uint64_t s, uint64_t n)
{
    unsigned __int128 x = ((unsigned __int128)s << 64) + n - 1;

    if (n <= 4096)
        return ((4096 * s + n - 1) / n) << 52;
    return s == 0 ? 0 : (uint64_t)(x / n);
}

static void put_bound(char *out, uint32_t table_id, uint64_t hash)
{
    for (int i = 3; i >= 0; i--, table_id >>= 8)
        out[i] = (char)(table_id & 0xff);
    for (int i = 11; i >= 4; i--, hash >>= 8)
        out[i] = (char)(hash & 0xff);
}

typedef struct segment {
    long seg, total;
    char lo[12], hi[12];
    size_t lolen, hilen;
} segment;

static void segment_bounds(uint32_t id, segment *s)
{
    char tlo[DDB_KEY_TABLE_BYTES], thi[DDB_KEY_TABLE_BYTES];

    ddb_key_table_range(id, tlo, thi);
    if (s->total <= 1) {
        memcpy(s->lo, tlo, sizeof(tlo));
        memcpy(s->hi, thi, sizeof(thi));
        s->lolen = s->hilen = DDB_KEY_TABLE_BYTES;
        return;
    }
    put_bound(s->lo, id, segment_start((uint64_t)s->seg, (uint64_t)s->total));
    s->lolen = 12;
    if (s->seg + 1 == s->total) {
        memcpy(s->hi, thi, sizeof(thi));
        s->hilen = DDB_KEY_TABLE_BYTES;
    } else {
        put_bound(s->hi, id, segment_start((uint64_t)s->seg + 1, (uint64_t)s->total));
        s->hilen = 12;
    }
}

static int in_segment(const segment *s, const ddb_key *k)
{
    return memcmp(k->bytes, s->lo, s->lolen) >= 0 &&
           memcmp(k->bytes, s->hi, s->hilen < k->len ? s->hilen : k->len) < 0;
}

int ddb_op_scan(ddb_req *req)
{
    const ddb_table *t = ddb_table_or_fail(req, req->table, 0);
    const ddb_json *seg = ddb_json_get(req->in, "Segment"), *tot = ddb_json_get(req->in, "TotalSegments");
    ddb_keyspace ks;
    segment s;
    ddb_attr *esk;
    ddb_key start;
    ddb_page p;
    int rc;

    if (t == NULL || ddb_keyspace_or_fail(req, t, &ks) != DDB_OK || ddb_start_key_or_fail(req, &ks, &esk, &start) != DDB_OK)
        return req->err.code;
    s.seg = ddb_json_integer(seg, 0);
    s.total = ddb_json_integer(tot, 1);
    segment_bounds(ks.id, &s);
    if (esk != NULL && s.total > 1 && !in_segment(&s, &start))
        return ddb_req_fail(req, DDB_E_VALIDATION,
                            "The provided starting key is invalid: Invalid ExclusiveStartKey. Please use "
                            "ExclusiveStartKey with correct Segment. TotalSegments: %ld Segment: %ld",
                            s.total, s.seg);
    if (ddb_nested_key_paths_or_fail(req, &ks, req->parsed.projection) != DDB_OK ||
        ddb_nested_key_paths_or_fail(req, &ks, req->parsed.filter) != DDB_OK)
        return req->err.code;
    ddb_meter_note_pattern(&req->meter, req->arena, t, ks.ix, 0, NULL, 0, DDB_PATTERN_SK_NONE, NULL, 0);
    ddb_page_init(&p, req, &ks);
    ddb_page_begin(&p);
    rc = ddb_page_read_range(&p, s.lo, s.lolen, s.hi, s.hilen, 0, esk != NULL ? start.bytes : NULL,
                             esk != NULL ? start.len : 0);
    if (rc < 0 || rc > 1)
        return req->err.code;
    ddb_page_end(&p);
    return DDB_OK;
}
