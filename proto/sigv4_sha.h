/*
 * proto/sigv4_sha.h: SHA-256 and keyed HMAC-SHA256 states through OpenSSL's low-level API, for
 * SigV4's hot paths: ddbd's verifier (server/api/auth/auth.c) and `ddb replay`'s signer
 * (libddb's pipelined transport, client/transport_pipe.c). OpenSSL's SHA-256 uses the CPU's SHA extensions, about 5x libsodium's
 * portable code, and its contexts copy as plain structs, so an HMAC keyed once is two struct copies
 * a message. Header only: a target that includes this links libcrypto (ddbd; libddb, whose
 * blocking calls still sign with proto/sigv4.c on libsodium).
 */
#ifndef DDB_SIGV4_SHA_H
#define DDB_SIGV4_SHA_H

#ifndef OPENSSL_SUPPRESS_DEPRECATED
#define OPENSSL_SUPPRESS_DEPRECATED /* (the low-level API is deprecated in 3.0, and still there) */
#endif
#include <openssl/sha.h>
#include <sodium.h>
#include <stdint.h>
#include <string.h>

/* An HMAC-SHA256 key as the hash states after its inner and outer pad blocks (RFC 2104). */
typedef struct ddb_hmac_sha256 {
    SHA256_CTX in, out;
} ddb_hmac_sha256;

static inline void ddb_hmac_sha256_init(ddb_hmac_sha256 *h, const uint8_t key[32])
{
    uint8_t pad[SHA256_CBLOCK];

    memset(pad, 0x36, sizeof(pad));
    for (int i = 0; i < 32; i++)
        pad[i] ^= key[i];
    SHA256_Init(&h->in);
    SHA256_Update(&h->in, pad, sizeof(pad));
    memset(pad, 0x5c, sizeof(pad));
    for (int i = 0; i < 32; i++)
        pad[i] ^= key[i];
    SHA256_Init(&h->out);
    SHA256_Update(&h->out, pad, sizeof(pad));
    sodium_memzero(pad, sizeof(pad));
}

/* The MAC of what went into h->in since the key (h is used up). */
static inline void ddb_hmac_sha256_final(ddb_hmac_sha256 *h, uint8_t mac[32])
{
    SHA256_Final(mac, &h->in);
    SHA256_Update(&h->out, mac, 32);
    SHA256_Final(mac, &h->out);
}

#endif
