/*
 * tests/rados_conf.h: the test cluster of the RADOS backend's unit tests. tests/rados/run.sh
 * starts one (deploy/ceph-cluster.sh) and names its ceph.conf in DDBD_TEST_RADOS_CONF; without
 * it the RADOS cases skip.
 */
#ifndef DDB_TEST_RADOS_CONF_H
#define DDB_TEST_RADOS_CONF_H

#include <stdio.h>
#include <stdlib.h>

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

#endif
