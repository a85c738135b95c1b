/*
 * tests/test_store.h: a small in-memory store laid out as the engine lays out keys, for the C
 * tests that build keys (tests/unit/engine/, tests/unit/storage/test_sequencer.c).
 */
#ifndef DDB_TEST_STORE_H
#define DDB_TEST_STORE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine/keycodec.h"
#include "server/storage/storage.h"

static inline ddb_store *mem_store(unsigned nshards)
{
    ddb_store_options o;
    ddb_store *s;
    char *err = NULL;

    memset(&o, 0, sizeof(o));
    o.in_memory = 1;
    o.nshards = nshards;
    o.key_hash = ddb_key_part_hash;
    o.partition_bytes = DDB_KEY_PARTITION_BYTES;
    if ((s = ddb_store_open(&o, &err)) == NULL) {
        fprintf(stderr, "cannot open an in-memory store: %s\n", err ? err : "?");
        free(err);
        abort();
    }
    return s;
}

/* An in-memory store of one shard opened at once, with the store's own defaults (no engine key
   layout): for the tests of the storage layer's own slots and locks. NULL when it cannot open. */
static inline ddb_store *mem_store_plain(void)
{
    ddb_store_options o;
    char *err = NULL;
    ddb_store *s;

    memset(&o, 0, sizeof(o));
    o.in_memory = 1;
    o.nshards = 1;
    o.open_now = 1;
    s = ddb_store_open(&o, &err);
    free(err);
    return s;
}

#endif
