/*
 * tests/unit/storage/test_store_format.c: a store's "ddbd/format" marker read as both backends read
 * it (server/storage/backend.h's ddb_store_format_of): a version the backend opens is taken, and
 * anything else (newer, older, not a number) is refused with the message naming what was written.
 */
#include "test.h"

#include <stdlib.h>

#include "server/storage/backend.h"

TEST(a_format_the_backend_opens_is_its_version)
{
    char *err = NULL;

    ASSERT_EQ(ddb_store_format_of("1", 1, 4, "the pool", &err), 1);
    ASSERT_EQ(ddb_store_format_of("4", 1, 4, "the pool", &err), 4);
    ASSERT_NULL(err);
}

TEST(another_format_is_refused_naming_what_was_written)
{
    static const char *const refused[] = {"5", "0", "", "4x", "x"};

    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        char *err = NULL;
        ASSERT_EQ(ddb_store_format_of(refused[i], 1, 4, "the data directory", &err), -1);
        ASSERT_STR_EQ(err, "the data directory was written by an incompatible version of ddbd (format version differs)");
        free(err);
    }
}
