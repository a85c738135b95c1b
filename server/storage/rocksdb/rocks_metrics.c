/*
 * server/storage/rocksdb/rocks_metrics.c: the RocksDB backend's figures for GET /metrics (storage.h).
 */
#include <stdlib.h>
#include <string.h>

#include "server/storage/rocksdb/rocks_internal.h"

/* A numeric property of one column family of database d (0 when it has none). */
static unsigned long long cf_property_in(ddb_store *s, unsigned d, rocksdb_column_family_handle_t *cf,
                                        const char *name)
{
    char *v = cf != NULL ? rocksdb_property_value_cf(db_at(s, d), cf, name) : NULL;
    unsigned long long n = v != NULL ? strtoull(v, NULL, 10) : 0;

    free(v);
    return n;
}

/* The same of database 0's (the metadata's, the sequenced puts'). */
static unsigned long long cf_property(ddb_store *s, rocksdb_column_family_handle_t *cf, const char *name)
{
    return cf_property_in(s, 0, cf, name);
}

/* A numeric property summed over the shards' column families (items and indexes), and with
   `all`, the metadata and the sequenced keys' families too (their memtables and files take memory
   as well; with --in-memory the files are in memory). */
static unsigned long long cf_property_sum_of(ddb_store *s, const char *name, int all)
{
    unsigned long long sum = all ? cf_property(s, s->meta, name) + cf_property(s, rocks_seq_cf(s, 0), name) : 0;

    pthread_mutex_lock(&s->cf_lock);
    for (unsigned i = 0; i < s->ncf; i++)
        sum += cf_property_in(s, db_index(s, (int)i), s->shards[i], name);
    pthread_mutex_unlock(&s->cf_lock);
    return sum;
}

static unsigned long long cf_property_sum(ddb_store *s, const char *name)
{
    return cf_property_sum_of(s, name, 1);
}

/* RocksDB's tickers this file reports (rocksdb/statistics.h), by their names in the statistics text. */
#define TICKERS(X)                                                                                                     \
    X(BLOCK_HIT, "rocksdb.block.cache.hit")                                                                            \
    X(BLOCK_MISS, "rocksdb.block.cache.miss")                                                                          \
    X(ROW_HIT, "rocksdb.row.cache.hit")                                                                                \
    X(ROW_MISS, "rocksdb.row.cache.miss")                                                                              \
    X(STALL_MICROS, "rocksdb.stall.micros")

enum {
#define X(id, name) T_##id,
    TICKERS(X)
#undef X
    T__COUNT
};

/*
 * The tickers' values, read from the statistics text ("<name> COUNT : <n>" lines): the C API of
 * RocksDB 7.8 has no getter for one ticker. A scrape parses a few kilobytes; requests never do.
 */
static void read_tickers(ddb_store *s, unsigned long long v[T__COUNT])
{
    static const char *const names[T__COUNT] = {
#define X(id, name) name,
        TICKERS(X)
#undef X
    };
    char *text = rocksdb_options_statistics_get_string(s->opts);

    memset(v, 0, sizeof(unsigned long long) * T__COUNT);
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        for (int i = 0; i < T__COUNT; i++) {
            size_t n = strlen(names[i]);
            if (strncmp(line, names[i], n) == 0 && strncmp(line + n, " COUNT : ", 9) == 0)
                v[i] = strtoull(line + n + 9, NULL, 10);
        }
        line = end != NULL ? end + 1 : NULL;
    }
    rocksdb_free(text);
}

static double ratio(unsigned long long hits, unsigned long long misses)
{
    return hits + misses > 0 ? (double)hits / (double)(hits + misses) : 0;
}

void rocks_metrics_text(ddb_store *s, ddb_buf *out)
{
    unsigned long long t[T__COUNT], delayed = 0;

    for (unsigned d = 0; d < MAX_DBS; d++) {
        char *rate = db_at(s, d) != NULL ? rocksdb_property_value(db_at(s, d), "rocksdb.actual-delayed-write-rate") : NULL;
        if (rate != NULL)
            delayed += strtoull(rate, NULL, 10);
        rocksdb_free(rate);
    }
    read_tickers(s, t);
    ddb_buf_printf(out,
                   "# HELP ddbd_store_memtable_bytes Bytes in RocksDB memtables.\n# TYPE ddbd_store_memtable_bytes gauge\n"
                   "ddbd_store_memtable_bytes %llu\n"
                   "# HELP ddbd_store_cache_bytes Bytes held by RocksDB's caches.\n# TYPE ddbd_store_cache_bytes gauge\n"
                   "ddbd_store_cache_bytes{cache=\"block\"} %zu\nddbd_store_cache_bytes{cache=\"row\"} %zu\n"
                   "# HELP ddbd_store_file_bytes Bytes of RocksDB's table files (in memory with --in-memory), "
                   "by what they hold: items, indexes and metadata (data), or sequenced records (stream records, point-in-time "
                   "and Kinesis logs).\n# TYPE ddbd_store_file_bytes gauge\n"
                   "ddbd_store_file_bytes{keys=\"data\"} %llu\nddbd_store_file_bytes{keys=\"sequenced\"} %llu\n"
                   "# HELP ddbd_store_pending_compaction_bytes RocksDB's estimate of bytes compaction still has "
                   "to rewrite.\n# TYPE ddbd_store_pending_compaction_bytes gauge\nddbd_store_pending_compaction_bytes %llu\n"
                   "# HELP ddbd_store_write_stopped Whether RocksDB stops writes (1) now.\n"
                   "# TYPE ddbd_store_write_stopped gauge\nddbd_store_write_stopped %llu\n",
                   cf_property_sum(s, "rocksdb.cur-size-all-mem-tables"), rocksdb_cache_get_usage(s->cache),
                   rocksdb_cache_get_usage(s->row_cache),
                   cf_property_sum_of(s, "rocksdb.total-sst-files-size", 0) + cf_property(s, s->meta, "rocksdb.total-sst-files-size"),
                   cf_property(s, rocks_seq_cf(s, 0), "rocksdb.total-sst-files-size"),
                   cf_property_sum(s, "rocksdb.estimate-pending-compaction-bytes"),
                   cf_property_sum(s, "rocksdb.is-write-stopped") ? 1ULL : 0ULL);
    ddb_buf_printf(out,
                   "# HELP ddbd_store_write_delayed Whether RocksDB slows writes down (1) now, as compaction falls behind.\n"
                   "# TYPE ddbd_store_write_delayed gauge\nddbd_store_write_delayed %d\n"
                   "# HELP ddbd_store_write_stall_seconds_total Time writes spent stalled or slowed down by RocksDB.\n"
                   "# TYPE ddbd_store_write_stall_seconds_total counter\nddbd_store_write_stall_seconds_total %.6f\n",
                   delayed > 0, (double)t[T_STALL_MICROS] / 1e6);
    ddb_buf_printf(out,
                   "# HELP ddbd_store_cache_hits_total Lookups RocksDB's caches answered.\n"
                   "# TYPE ddbd_store_cache_hits_total counter\n"
                   "ddbd_store_cache_hits_total{cache=\"block\"} %llu\nddbd_store_cache_hits_total{cache=\"row\"} %llu\n"
                   "# HELP ddbd_store_cache_misses_total Lookups RocksDB's caches missed.\n"
                   "# TYPE ddbd_store_cache_misses_total counter\n"
                   "ddbd_store_cache_misses_total{cache=\"block\"} %llu\nddbd_store_cache_misses_total{cache=\"row\"} %llu\n"
                   "# HELP ddbd_store_cache_hit_ratio Hits over lookups of RocksDB's caches since the store opened.\n"
                   "# TYPE ddbd_store_cache_hit_ratio gauge\n"
                   "ddbd_store_cache_hit_ratio{cache=\"block\"} %.6f\nddbd_store_cache_hit_ratio{cache=\"row\"} %.6f\n",
                   t[T_BLOCK_HIT], t[T_ROW_HIT], t[T_BLOCK_MISS], t[T_ROW_MISS], ratio(t[T_BLOCK_HIT], t[T_BLOCK_MISS]),
                   ratio(t[T_ROW_HIT], t[T_ROW_MISS]));
}
