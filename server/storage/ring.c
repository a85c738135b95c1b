/*
 * server/storage/ring.c: the consistent-hash ring of local shards (see ring.h).
 */
#include "server/storage/ring.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "server/base/md5.h"

const unsigned char ddb_ring_fixed_key[DDB_HASH_KEY_BYTES] = {'d', 'd', 'b', 'd', ' ', 'p', 'a', 'r',
                                                               't', 'i', 't', 'i', 'o', 'n', 's', '1'};

static uint64_t load_u64le(const unsigned char *p)
{
    uint64_t v = 0;

    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

uint64_t ddb_ring_hash(const ddb_ring *r, const void *pk, size_t len)
{
    unsigned char h[crypto_shorthash_BYTES];

    crypto_shorthash(h, pk, len, r->key);
    return load_u64le(h);
}

uint64_t ddb_md5_partition_hash(const void *pk, size_t len)
{
    unsigned char d[16];

    ddb_md5_two("Outliers", 8, pk, len, d);
    return (uint64_t)d[0] << 56 | (uint64_t)d[1] << 48 | (uint64_t)d[2] << 40 | (uint64_t)d[3] << 32 |
           (uint64_t)d[4] << 24 | (uint64_t)d[5] << 16 | (uint64_t)d[6] << 8 | d[7];
}

static int point_cmp(const void *a, const void *b)
{
    const ddb_ring_point *x = a, *y = b;

    if (x->pos != y->pos)
        return x->pos < y->pos ? -1 : 1;
    return x->shard < y->shard ? -1 : x->shard > y->shard;
}

int ddb_ring_init(ddb_ring *r, unsigned nshards, const unsigned char key[DDB_HASH_KEY_BYTES])
{
    memset(r, 0, sizeof(*r));
    memcpy(r->key, key, DDB_HASH_KEY_BYTES);
    r->nshards = nshards;
    r->npoints = (size_t)nshards * DDB_RING_VNODES;
    r->points = calloc(r->npoints, sizeof(*r->points));
    if (r->points == NULL)
        return -1;
    for (unsigned s = 0; s < nshards; s++) {
        for (unsigned v = 0; v < DDB_RING_VNODES; v++) {
            /* a point's position depends only on (shard, vnode), so adding a shard leaves the others in place */
            unsigned char id[8] = {'v', 'n', (unsigned char)(s >> 8), (unsigned char)s, (unsigned char)(v >> 8),
                                   (unsigned char)v, 0, 0};
            ddb_ring_point *p = &r->points[(size_t)s * DDB_RING_VNODES + v];
            p->pos = ddb_ring_hash(r, id, sizeof(id));
            p->shard = s;
        }
    }
    qsort(r->points, r->npoints, sizeof(*r->points), point_cmp);
    return 0;
}

void ddb_ring_free(ddb_ring *r)
{
    free(r->points);
    r->points = NULL;
}

unsigned ddb_ring_owner(const ddb_ring *r, uint64_t hash)
{
    size_t lo = 0, hi = r->npoints;

    if (r->nshards <= 1)
        return 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->points[mid].pos < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    return r->points[lo == r->npoints ? 0 : lo].shard;
}
