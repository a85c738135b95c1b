/*
 * server/base/md5.h: MD5 (RFC 1321), for the one thing that needs it: DynamoDB's partition hash,
 * MD5 of "Outliers" and the partition key's bytes (docs/storage-format.md, "Item keys"), which a
 * store made since issue 62 places and orders its partitions by. Not for anything secret.
 * libsodium has no MD5 and OpenSSL is linked only into the HTTP layer; this is small and allocates
 * nothing (the context is the caller's).
 */
#ifndef DDB_MD5_H
#define DDB_MD5_H

#include <stddef.h>
#include <stdint.h>

typedef struct ddb_md5 {
    uint32_t h[4];
    uint64_t len;          /* bytes fed so far */
    unsigned char buf[64]; /* the block being filled: len % 64 bytes */
} ddb_md5;

void ddb_md5_init(ddb_md5 *m);
void ddb_md5_update(ddb_md5 *m, const void *data, size_t len);
void ddb_md5_final(ddb_md5 *m, unsigned char out[16]);
/* MD5 of p1 || p2 at once; a message of up to 55 bytes (a short key after its prefix) is one block
   built on the stack, with none of the context's copying. */
void ddb_md5_two(const void *p1, size_t n1, const void *p2, size_t n2, unsigned char out[16]);

#endif
