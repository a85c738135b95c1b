/*
 * server/base/batch.c: compound writes, built in an arena (see batch.h).
 */
#include <string.h>

#include "server/base/batch.h"

void ddb_batch_init(ddb_batch *b, ddb_arena *a)
{
    memset(b, 0, sizeof(*b));
    b->arena = a;
}

static ddb_write_op *batch_add(ddb_batch *b)
{
    DDB_ARENA_ROOM(b->arena, b->ops, b->n, b->cap, 4);
    return &b->ops[b->n++];
}

void ddb_batch_put(ddb_batch *b, const char *key, size_t klen, const char *val, size_t vlen)
{
    *batch_add(b) = (ddb_write_op){0, 0, key, klen, val, vlen, 0};
}

void ddb_batch_delete(ddb_batch *b, const char *key, size_t klen)
{
    *batch_add(b) = (ddb_write_op){0, 1, key, klen, NULL, 0, 0};
}

void ddb_batch_meta_put(ddb_batch *b, const char *key, size_t klen, const char *val, size_t vlen)
{
    *batch_add(b) = (ddb_write_op){1, 0, key, klen, val, vlen, 0};
}

void ddb_batch_meta_delete(ddb_batch *b, const char *key, size_t klen)
{
    *batch_add(b) = (ddb_write_op){1, 1, key, klen, NULL, 0, 0};
}

void ddb_batch_put_seq(ddb_batch *b, const char *prefix, size_t plen, const char *val, size_t vlen)
{
    *batch_add(b) = (ddb_write_op){0, 0, prefix, plen, val, vlen, 1};
}

void ddb_batch_append(ddb_batch *b, const ddb_batch *src)
{
    for (size_t i = 0; src != NULL && i < src->n; i++)
        *batch_add(b) = src->ops[i];
    if (src != NULL) {
        b->removes |= src->removes;
        b->adds |= src->adds;
    }
}
