/*
 * tests/unit/storage/test_store_slots.c: every slot a backend must fill (server/storage/backend.h,
 * DDB_STORE_SLOTS' MUST rows) is checked (issue 63, item 6): a real backend's table passes, and a
 * copy with any one of them planted NULL is named; the optional (MAY) ones may be NULL, but a store
 * that shares no metadata (no meta_commit) needs its own meta_lock (issue 63, item 4).
 */
#include "test.h"

#include <stdlib.h>
#include <string.h>

#include "server/storage/backend.h"
#include "test_store.h"

TEST(a_backends_table_fills_every_slot_it_must)
{
    ddb_store *s = mem_store_plain();
    const ddb_store_ops *ops;

    ASSERT(s != NULL);
    ops = *(const ddb_store_ops *const *)s;
    ASSERT_NULL(ddb_store_ops_missing(ops));
    ddb_store_close(s);
}

TEST(each_slot_left_out_is_named_the_optional_ones_are_not)
{
    ddb_store *s = mem_store_plain();
    ddb_store_ops planted;
    unsigned musts = 0, mays = 0;

    ASSERT(s != NULL);
#define MUST 1
#define MAY 0
#define X(need, slot, ret, params)                                                                                     \
    planted = **(const ddb_store_ops *const *)s;                                                                       \
    planted.slot = NULL;                                                                                               \
    if (need) {                                                                                                        \
        ASSERT_STR_EQ(ddb_store_ops_missing(&planted), #slot);                                                         \
        musts++;                                                                                                       \
    } else if (planted.meta_commit == NULL && planted.meta_lock == NULL) {                                             \
        ASSERT_STR_EQ(ddb_store_ops_missing(&planted), "meta_lock"); /* one of the two */                              \
        mays++;                                                                                                        \
    } else {                                                                                                           \
        ASSERT_NULL(ddb_store_ops_missing(&planted));                                                                  \
        mays++;                                                                                                        \
    }
    DDB_STORE_SLOTS(X)
#undef X
#undef MAY
#undef MUST
    ASSERT_EQ(musts, 29);
    ASSERT_EQ(mays, 9);
    ddb_store_close(s);
}
