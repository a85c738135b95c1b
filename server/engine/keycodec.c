/*
 * server/engine/keycodec.c: item key encoding (layout in keycodec.h).
 */
#include "server/engine/keycodec.h"

#include <string.h>

#include "proto/number.h"

void ddb_key_form(ddb_arena *a, const ddb_attr *v, const char **out, size_t *len)
{
    if (v->type == DDB_T_N) {
        ddb_num n;
        uint8_t *buf = ddb_arena_alloc(a, DDB_NUM_KEY_MAX);
        ddb_num_parse(v->u.s, v->len, &n); /* stored numbers are canonical, so this cannot fail */
        *len = ddb_num_encode_key(&n, buf);
        *out = (const char *)buf;
        return;
    }
    *out = v->u.s;
    *len = v->len;
}

uint64_t ddb_key_hash(const ddb_store *s, const ddb_attr *v, const char *form, size_t flen)
{
    if (v->type == DDB_T_N && ddb_store_hash_alg(s) == DDB_HASH_MD5) {
        ddb_num n;
        uint8_t b[DDB_NUM_DYNAMODB_MAX];

        ddb_num_decode_key((const uint8_t *)form, flen, &n); /* our own encoding: cannot fail */
        return ddb_store_hash(s, b, ddb_num_encode_dynamodb(&n, b));
    }
    return ddb_store_hash(s, form, flen);
}

void ddb_key_build(ddb_arena *a, const ddb_store *s, uint32_t table_id, const ddb_attr *pk, const ddb_attr *sk,
                   ddb_key *out)
{
    const char *pkf, *skf = NULL;
    size_t pklen, sklen = 0;
    char *p;

    ddb_key_form(a, pk, &pkf, &pklen);
    if (sk != NULL)
        ddb_key_form(a, sk, &skf, &sklen);
    out->len = DDB_KEY_PREFIX_BYTES + pklen + sklen;
    out->part_len = DDB_KEY_PREFIX_BYTES + pklen;
    out->bytes = p = ddb_arena_alloc(a, out->len);
    out->part_hash = ddb_key_hash(s, pk, pkf, pklen);
    ddb_put_be(p, table_id, 4);
    ddb_put_be(p + 4, out->part_hash, 8);
    p[12] = (char)(pklen >> 8);
    p[13] = (char)(pklen & 0xff);
    memcpy(p + DDB_KEY_PREFIX_BYTES, pkf, pklen);
    if (sklen)
        memcpy(p + out->part_len, skf, sklen);
}

uint64_t ddb_key_part_hash(const char *key, size_t klen)
{
    return klen < 12 ? 0 : ddb_get_be(key + 4, 8);
}

void ddb_key_from_stored(const char *bytes, size_t len, ddb_key *out)
{
    size_t pklen = len >= DDB_KEY_PREFIX_BYTES ? ((size_t)(unsigned char)bytes[12] << 8) | (unsigned char)bytes[13] : 0;

    out->bytes = (char *)bytes;
    out->len = len;
    out->part_len = DDB_KEY_PREFIX_BYTES + pklen <= len ? DDB_KEY_PREFIX_BYTES + pklen : len;
    out->part_hash = ddb_key_part_hash(bytes, len);
}

void ddb_key_table_range(uint32_t table_id, char lo[DDB_KEY_TABLE_BYTES], char hi[DDB_KEY_TABLE_BYTES])
{
    ddb_put_be(lo, table_id, 4);
    ddb_put_be(hi, table_id + 1, 4);
}
