/*
 * tests/rados_conf.h: the test cluster of the RADOS backend's unit tests. tests/rados/run.sh
 * starts one (deploy/ceph-cluster.sh) and names its ceph.conf in DDBD_TEST_RADOS_CONF; without
 * it the RADOS cases skip.
 */
#ifndef DDB_TEST_RADOS_CONF_H
#define DDB_TEST_RADOS_CONF_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/storage/storage.h"

/* The cluster's ceph.conf, or NULL when no cluster runs. */
static inline const char *test_rados_conf(void)
{
    const char *c = getenv("DDBD_TEST_RADOS_CONF");

    return c != NULL && *c != '\0' ? c : NULL;
}

/* Returns from the test (skipped) when no cluster runs. */
#define NEEDS_CLUSTER()                                                                                                \
    do {                                                                                                               \
        if (test_rados_conf() == NULL) {                                                                               \
            fprintf(stderr, "  skipped: DDBD_TEST_RADOS_CONF is not set\n");                                          \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

/* FNV-1a of a key's first 12 bytes (keys sharing them are one partition), as the contract test's. */
static inline uint64_t test_rados_key_hash(const char *key, size_t klen)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < klen && i < 12; i++)
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3ULL;
    return h;
}

/* A gateway: a store on the namespace `ns` of pool ddbd, as a ddbd process opens one (aborts if
   it cannot: the cluster is there when this is called). */
static inline ddb_store *test_rados_gateway(const char *ns, unsigned nshards,
                                            uint64_t (*key_hash)(const char *, size_t), size_t partition_bytes)
{
    ddb_store_options o;
    char pool[128], *err = NULL;
    ddb_store *s;

    memset(&o, 0, sizeof(o));
    snprintf(pool, sizeof(pool), "ddbd/%s", ns);
    o.backend = DDB_BACKEND_RADOS;
    o.rados_conf = test_rados_conf();
    o.rados_pool = pool;
    o.default_nshards = nshards;
    o.key_hash = key_hash;
    o.partition_bytes = partition_bytes;
    if ((s = ddb_store_open(&o, &err)) == NULL) {
        fprintf(stderr, "cannot open a RADOS store: %s\n", err ? err : "?");
        abort();
    }
    return s;
}

#endif
