/*
 * server/storage/rados/rados_key.c: the RADOS backend's keys and the objects that hold them: the
 * escaped form of a key as an omap key, and the names of a key's data object (its keyspace and
 * hash range) and sequence object (rados_store.h lists the objects). The bottom of the
 * backend: it calls no other file of it.
 */
#include <stdio.h>

#include "server/storage/rados/rados_store.h"

size_t rs_escape(const char *key, size_t klen, char *out)
{
    size_t n = 0;

    for (size_t i = 0; i < klen; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c <= 1) {
            out[n++] = 1;
            out[n++] = (char)(c + 1);
        } else {
            out[n++] = (char)c;
        }
    }
    return n;
}

size_t rs_unescape(char *key, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++) {
        if (key[i] == 1 && i + 1 < len)
            key[n++] = (char)(key[++i] - 1);
        else
            key[n++] = key[i];
    }
    return n;
}

static void hex(const char *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[(unsigned char)b[i] >> 4];
        out[2 * i + 1] = digits[(unsigned char)b[i] & 15];
    }
    out[2 * n] = '\0';
}

void rs_part_obj(const char *ks, size_t kslen, unsigned part, char oid[RS_OBJ_MAX])
{
    char h[9];

    hex(ks, kslen, h);
    snprintf(oid, RS_OBJ_MAX, "d.%s.%04x", h, part);
}

void rs_data_obj(const ddb_store *s, const char *key, size_t klen, char oid[RS_OBJ_MAX])
{
    uint64_t h = s->key_hash(key, klen);
    /* hash ranges, so a keyspace's partitions are contiguous in hash order */
    unsigned part = (unsigned)(((unsigned __int128)h * s->nparts) >> 64);

    rs_part_obj(key, klen < 4 ? klen : 4, part, oid);
}

void rs_seq_obj(const char *key, size_t klen, char oid[RS_OBJ_MAX])
{
    char h[9];

    hex(key, klen < 4 ? klen : 4, h);
    snprintf(oid, RS_OBJ_MAX, "q.%s.", h);
}
