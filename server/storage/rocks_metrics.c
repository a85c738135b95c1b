/*
 * server/storage/rocks_metrics.c: the RocksDB backend's figures for GET /metrics (storage.h).
 */
#include <stdlib.h>

#include "rocks_internal.h"

/* A numeric property summed over the shards' column families. */
static unsigned long long cf_property_sum(ddb_store *s, const char *name)
{
    unsigned long long sum = 0;

    pthread_mutex_lock(&s->cf_lock);
    for (unsigned i = 0; i < s->ncf; i++) {
        char *v = s->shards[i] ? rocksdb_property_value_cf(s->db, s->shards[i], name) : NULL;
        if (v != NULL)
            sum += strtoull(v, NULL, 10);
        free(v);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return sum;
}

void ddb_store_metrics_text(ddb_store *s, ddb_buf *out)
{
    ddb_buf_printf(out,
                   "# HELP ddbd_store_memtable_bytes Bytes in RocksDB memtables.\n# TYPE ddbd_store_memtable_bytes gauge\n"
                   "ddbd_store_memtable_bytes %llu\n"
                   "# HELP ddbd_store_cache_bytes Bytes held by RocksDB's caches.\n# TYPE ddbd_store_cache_bytes gauge\n"
                   "ddbd_store_cache_bytes{cache=\"block\"} %zu\nddbd_store_cache_bytes{cache=\"row\"} %zu\n"
                   "# HELP ddbd_store_pending_compaction_bytes RocksDB's estimate of bytes compaction still has "
                   "to rewrite.\n# TYPE ddbd_store_pending_compaction_bytes gauge\nddbd_store_pending_compaction_bytes %llu\n"
                   "# HELP ddbd_store_write_stopped Whether RocksDB stops writes (1) now.\n"
                   "# TYPE ddbd_store_write_stopped gauge\nddbd_store_write_stopped %llu\n",
                   cf_property_sum(s, "rocksdb.cur-size-all-mem-tables"), rocksdb_cache_get_usage(s->cache),
                   rocksdb_cache_get_usage(s->row_cache), cf_property_sum(s, "rocksdb.estimate-pending-compaction-bytes"),
                   cf_property_sum(s, "rocksdb.is-write-stopped") ? 1ULL : 0ULL);
}

