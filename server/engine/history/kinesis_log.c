/*
 * server/engine/history/kinesis_log.c: Kinesis streaming destinations in the catalog and their change log
 * (see kinesis_log.h).
 */
#include "server/engine/history/kinesis_log.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/be.h"
#include "server/engine/history/streams.h"

void ddb_kinesis_log_prefix(uint32_t log, char out[DDB_KINESIS_PREFIX_BYTES])
{
    ddb_put_be(out, log, 4);
    ddb_put_be(out + 4, 0, 8);
}

const char *ddb_kinesis_cursor_key(ddb_arena *a, uint32_t log)
{
    return ddb_arena_sprintf(a, "kinesis/%010u", log);
}

void ddb_kinesis_add_record(ddb_arena *a, const ddb_table *t, const ddb_attr *keys_src, const char *old_raw,
                            size_t old_rawlen, const char *new_raw, size_t new_rawlen, int flags, uint64_t now_us,
                            ddb_batch *out)
{
    char *prefix = ddb_arena_alloc(a, DDB_KINESIS_PREFIX_BYTES);

    if (t->kinesis_log == 0 || (old_raw == NULL && new_raw == NULL))
        return;
    /* one prefix for the whole table: one order for all its items, which keeps each item's */
    ddb_kinesis_log_prefix(t->kinesis_log, prefix);
    ddb_stream_record_put(a, t, keys_src, old_raw, old_rawlen, new_raw, new_rawlen, DDB_VIEW_NEW_AND_OLD_IMAGES,
                          flags, now_us, 0, prefix, DDB_KINESIS_PREFIX_BYTES, out);
}
