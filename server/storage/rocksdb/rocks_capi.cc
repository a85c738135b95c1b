/*
 * server/storage/rocksdb/rocks_capi.cc: the part of RocksDB's C API (<rocksdb/c.h>) that the
 * rocksdb backend calls, written here on its C++ API with c.h's prototypes and ownership rules
 * (strings returned with malloc, errors as a malloc'd message in *errptr, setters that copy what
 * they are given, rocksdb_block_based_options_set_filter_policy taking the policy).
 *
 * Why: RocksDB's own c.cc is one object whose single .text section refers to every utility the
 * C API exposes (transactions, backups, repair, SST ingestion, the trace tools...), so linking it
 * pulls all of them into ddbd, and Debian's archive is not built with -ffunction-sections for
 * --gc-sections to drop them. Defining the functions ddbd calls means the link never takes c.cc's
 * object from librocksdb.a: 255 KB less in the compressed image (docs/docker.md). A call to a
 * function not defined here brings c.cc's object back and fails the link with duplicate symbols,
 * so nothing is silently mixed. (With the shared library, -DDDB_STATIC_ROCKSDB=OFF, these
 * definitions come first and librocksdb.so's are not used.)
 *
 * RocksDB reports errors by Status, which every function here turns into *errptr; like c.cc's,
 * none catches an exception (only an allocation failure would throw: the process ends).
 */
#include <rocksdb/c.h>

#include <rocksdb/cache.h>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/listener.h>
#include <rocksdb/options.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

#include <sched.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using rocksdb::ColumnFamilyDescriptor;
using rocksdb::ColumnFamilyHandle;
using rocksdb::ColumnFamilyOptions;
using rocksdb::DB;
using rocksdb::DBOptions;
using rocksdb::Slice;
using rocksdb::Status;

struct rocksdb_t { DB *rep; };
struct rocksdb_options_t { rocksdb::Options rep; };
struct rocksdb_block_based_table_options_t { rocksdb::BlockBasedTableOptions rep; };
struct rocksdb_cache_t { std::shared_ptr<rocksdb::Cache> rep; };
struct rocksdb_filterpolicy_t { std::shared_ptr<const rocksdb::FilterPolicy> rep; };
struct rocksdb_env_t { rocksdb::Env *rep; };
struct rocksdb_column_family_handle_t { ColumnFamilyHandle *rep; };
struct rocksdb_readoptions_t {
    rocksdb::ReadOptions rep;
    Slice lower, upper; /* the bounds point into the caller's memory, as c.h says */
};
struct rocksdb_writeoptions_t { rocksdb::WriteOptions rep; };
struct rocksdb_writebatch_t { rocksdb::WriteBatch rep; };
struct rocksdb_iterator_t { rocksdb::Iterator *rep; };
struct rocksdb_snapshot_t { const rocksdb::Snapshot *rep; };
struct rocksdb_checkpoint_t { rocksdb::Checkpoint *rep; };
struct rocksdb_compactoptions_t { rocksdb::CompactRangeOptions rep; };

/* c.h's error convention: NULL while fine, else the message (a previous one is replaced). */
static bool failed(char **errptr, const Status &s)
{
    if (s.ok())
        return false;
    free(*errptr);
    *errptr = strdup(s.ToString().c_str());
    return true;
}

static char *copy_string(const std::string &s)
{
    char *p = static_cast<char *>(malloc(s.size() ? s.size() : 1));
    memcpy(p, s.data(), s.size());
    return p;
}

extern "C" {

void rocksdb_free(void *ptr) { free(ptr); }

/* options */

rocksdb_options_t *rocksdb_options_create(void) { return new rocksdb_options_t; }
rocksdb_options_t *rocksdb_options_create_copy(rocksdb_options_t *o) { return new rocksdb_options_t(*o); }
void rocksdb_options_destroy(rocksdb_options_t *o) { delete o; }
void rocksdb_options_set_create_if_missing(rocksdb_options_t *o, unsigned char v) { o->rep.create_if_missing = v; }
void rocksdb_options_set_create_missing_column_families(rocksdb_options_t *o, unsigned char v)
{
    o->rep.create_missing_column_families = v;
}
void rocksdb_options_set_info_log_level(rocksdb_options_t *o, int v)
{
    o->rep.info_log_level = static_cast<rocksdb::InfoLogLevel>(v);
}
void rocksdb_options_set_keep_log_file_num(rocksdb_options_t *o, size_t v) { o->rep.keep_log_file_num = v; }
void rocksdb_options_set_manifest_preallocation_size(rocksdb_options_t *o, size_t v) { o->rep.manifest_preallocation_size = v; }
void rocksdb_options_set_max_background_jobs(rocksdb_options_t *o, int v) { o->rep.max_background_jobs = v; }
void rocksdb_options_set_max_file_opening_threads(rocksdb_options_t *o, int v) { o->rep.max_file_opening_threads = v; }
void rocksdb_options_set_skip_stats_update_on_db_open(rocksdb_options_t *o, unsigned char v)
{
    o->rep.skip_stats_update_on_db_open = v;
}
void rocksdb_options_set_compression(rocksdb_options_t *o, int v)
{
    o->rep.compression = static_cast<rocksdb::CompressionType>(v);
}
/*
 * RocksDB's tickers and nothing else: what /metrics reads (rocks_metrics.c parses ToString's
 * "<name> COUNT : <n>" lines, as it did with CreateDBStatistics). RocksDB's own StatisticsImpl
 * also keeps every histogram per core, constructed at open: 12 % of a start's CPU and about
 * 0.5 MB of heap, for figures nothing reads (bench/README.md, "Footprint"); with
 * HistEnabledForType false RocksDB does not time what would feed them either. Counted in a few
 * per-CPU slots, as StatisticsImpl counts, so the event loops do not share cache lines.
 */
class TickerStatistics : public rocksdb::Statistics {
  public:
    const char *Name() const override { return "ddbd.TickerStatistics"; }
    uint64_t getTickerCount(uint32_t t) const override
    {
        uint64_t sum = 0;

        for (const Slot &s : slots_)
            sum += t < rocksdb::TICKER_ENUM_MAX ? s.v[t].load(std::memory_order_relaxed) : 0;
        return sum;
    }
    void histogramData(uint32_t, rocksdb::HistogramData *d) const override { *d = rocksdb::HistogramData(); }
    void recordTick(uint32_t t, uint64_t n) override
    {
        if (t < rocksdb::TICKER_ENUM_MAX)
            slot().v[t].fetch_add(n, std::memory_order_relaxed);
    }
    void setTickerCount(uint32_t t, uint64_t n) override
    {
        getAndResetTickerCount(t);
        recordTick(t, n);
    }
    uint64_t getAndResetTickerCount(uint32_t t) override
    {
        uint64_t sum = 0;

        for (Slot &s : slots_)
            sum += t < rocksdb::TICKER_ENUM_MAX ? s.v[t].exchange(0, std::memory_order_relaxed) : 0;
        return sum;
    }
    void reportTimeToHistogram(uint32_t, uint64_t) override {}
    void measureTime(uint32_t, uint64_t) override {}
    void recordInHistogram(uint32_t, uint64_t) override {}
    bool HistEnabledForType(uint32_t) const override { return false; }
    Status Reset() override
    {
        for (uint32_t t = 0; t < rocksdb::TICKER_ENUM_MAX; t++)
            getAndResetTickerCount(t);
        return Status::OK();
    }
    std::string ToString() const override
    {
        std::string out;

        for (const auto &t : rocksdb::TickersNameMap)
            out += t.second + " COUNT : " + std::to_string(getTickerCount(t.first)) + "\n";
        return out;
    }

  private:
    static constexpr unsigned NSLOTS = 8; /* a power of two */
    struct alignas(64) Slot {
        std::atomic<uint64_t> v[rocksdb::TICKER_ENUM_MAX] = {};
    };
    Slot slots_[NSLOTS];
    Slot &slot()
    {
        int cpu = sched_getcpu();
        return slots_[(unsigned)(cpu < 0 ? 0 : cpu) & (NSLOTS - 1)];
    }
};

void rocksdb_options_enable_statistics(rocksdb_options_t *o) { o->rep.statistics = std::make_shared<TickerStatistics>(); }
void rocksdb_options_set_stats_dump_period_sec(rocksdb_options_t *o, unsigned int v) { o->rep.stats_dump_period_sec = v; }
void rocksdb_options_set_stats_persist_period_sec(rocksdb_options_t *o, unsigned int v)
{
    o->rep.stats_persist_period_sec = v;
}
void rocksdb_options_set_write_buffer_size(rocksdb_options_t *o, size_t v) { o->rep.write_buffer_size = v; }
void rocksdb_options_set_manual_wal_flush(rocksdb_options_t *o, unsigned char v) { o->rep.manual_wal_flush = v; }
void rocksdb_options_set_db_write_buffer_size(rocksdb_options_t *o, size_t v) { o->rep.db_write_buffer_size = v; }
void rocksdb_options_set_memtable_prefix_bloom_size_ratio(rocksdb_options_t *o, double v)
{
    o->rep.memtable_prefix_bloom_size_ratio = v;
}
void rocksdb_options_set_memtable_whole_key_filtering(rocksdb_options_t *o, unsigned char v)
{
    o->rep.memtable_whole_key_filtering = v;
}
void rocksdb_options_set_level0_file_num_compaction_trigger(rocksdb_options_t *o, int v)
{
    o->rep.level0_file_num_compaction_trigger = v;
}
void rocksdb_options_set_row_cache(rocksdb_options_t *o, rocksdb_cache_t *cache)
{
    if (cache)
        o->rep.row_cache = cache->rep;
}
void rocksdb_options_set_env(rocksdb_options_t *o, rocksdb_env_t *env) { o->rep.env = env ? env->rep : nullptr; }
void rocksdb_options_set_block_based_table_factory(rocksdb_options_t *o, rocksdb_block_based_table_options_t *t)
{
    if (t)
        o->rep.table_factory.reset(rocksdb::NewBlockBasedTableFactory(t->rep));
}
char *rocksdb_options_statistics_get_string(rocksdb_options_t *o)
{
    rocksdb::Statistics *st = o->rep.statistics.get();
    return st ? strdup(st->ToString().c_str()) : nullptr;
}

/* block-based tables, caches, filters, environments */

rocksdb_block_based_table_options_t *rocksdb_block_based_options_create(void)
{
    return new rocksdb_block_based_table_options_t;
}
void rocksdb_block_based_options_destroy(rocksdb_block_based_table_options_t *t) { delete t; }
void rocksdb_block_based_options_set_block_cache(rocksdb_block_based_table_options_t *t, rocksdb_cache_t *cache)
{
    if (cache)
        t->rep.block_cache = cache->rep;
}
void rocksdb_block_based_options_set_cache_index_and_filter_blocks(rocksdb_block_based_table_options_t *t,
                                                                    unsigned char v)
{
    t->rep.cache_index_and_filter_blocks = v;
}
/* takes the policy, as c.h's does */
void rocksdb_block_based_options_set_filter_policy(rocksdb_block_based_table_options_t *t,
                                                   rocksdb_filterpolicy_t *policy)
{
    t->rep.filter_policy = policy ? policy->rep : nullptr;
    delete policy;
}
void rocksdb_block_based_options_set_index_type(rocksdb_block_based_table_options_t *t, int v)
{
    t->rep.index_type = static_cast<rocksdb::BlockBasedTableOptions::IndexType>(v);
}
void rocksdb_block_based_options_set_partition_filters(rocksdb_block_based_table_options_t *t, unsigned char v)
{
    t->rep.partition_filters = v;
}
void rocksdb_block_based_options_set_metadata_block_size(rocksdb_block_based_table_options_t *t, uint64_t v)
{
    t->rep.metadata_block_size = v;
}
void rocksdb_block_based_options_set_pin_top_level_index_and_filter(rocksdb_block_based_table_options_t *t,
                                                                    unsigned char v)
{
    t->rep.pin_top_level_index_and_filter = v;
}
void rocksdb_block_based_options_set_pin_l0_filter_and_index_blocks_in_cache(rocksdb_block_based_table_options_t *t,
                                                                             unsigned char v)
{
    t->rep.pin_l0_filter_and_index_blocks_in_cache = v;
}

rocksdb_filterpolicy_t *rocksdb_filterpolicy_create_bloom_full(double bits_per_key)
{
    return new rocksdb_filterpolicy_t{std::shared_ptr<const rocksdb::FilterPolicy>(
        rocksdb::NewBloomFilterPolicy(bits_per_key, false))};
}

rocksdb_cache_t *rocksdb_cache_create_lru(size_t capacity) { return new rocksdb_cache_t{rocksdb::NewLRUCache(capacity)}; }
void rocksdb_cache_destroy(rocksdb_cache_t *cache) { delete cache; }
size_t rocksdb_cache_get_usage(rocksdb_cache_t *cache) { return cache->rep->GetUsage(); }

rocksdb_env_t *rocksdb_create_mem_env(void) { return new rocksdb_env_t{rocksdb::NewMemEnv(rocksdb::Env::Default())}; }
void rocksdb_env_destroy(rocksdb_env_t *env)
{
    delete env->rep;
    delete env;
}

/* opening, column families */

static std::vector<ColumnFamilyDescriptor> descriptors(int n, const char *const *names,
                                                       const rocksdb_options_t *const *opts)
{
    std::vector<ColumnFamilyDescriptor> d;
    for (int i = 0; i < n; i++)
        d.emplace_back(std::string(names[i]), ColumnFamilyOptions(opts[i]->rep));
    return d;
}

static rocksdb_t *opened(const Status &s, DB *db, const std::vector<ColumnFamilyHandle *> &h,
                         rocksdb_column_family_handle_t **handles, char **errptr)
{
    if (failed(errptr, s))
        return nullptr;
    for (size_t i = 0; i < h.size(); i++)
        handles[i] = new rocksdb_column_family_handle_t{h[i]};
    return new rocksdb_t{db};
}

rocksdb_t *rocksdb_open_column_families(const rocksdb_options_t *options, const char *name, int n,
                                        const char *const *names, const rocksdb_options_t *const *cf_options,
                                        rocksdb_column_family_handle_t **handles, char **errptr)
{
    std::vector<ColumnFamilyHandle *> h;
    DB *db = nullptr;
    Status s = DB::Open(DBOptions(options->rep), std::string(name), descriptors(n, names, cf_options), &h, &db);
    return opened(s, db, h, handles, errptr);
}

rocksdb_t *rocksdb_open_for_read_only_column_families(const rocksdb_options_t *options, const char *name, int n,
                                                      const char *const *names,
                                                      const rocksdb_options_t *const *cf_options,
                                                      rocksdb_column_family_handle_t **handles,
                                                      unsigned char error_if_wal_file_exists, char **errptr)
{
    std::vector<ColumnFamilyHandle *> h;
    DB *db = nullptr;
    Status s = DB::OpenForReadOnly(DBOptions(options->rep), std::string(name), descriptors(n, names, cf_options), &h,
                                   &db, error_if_wal_file_exists);
    return opened(s, db, h, handles, errptr);
}

char **rocksdb_list_column_families(const rocksdb_options_t *options, const char *name, size_t *n, char **errptr)
{
    std::vector<std::string> names;
    *n = 0;
    if (failed(errptr, DB::ListColumnFamilies(DBOptions(options->rep), std::string(name), &names)))
        return nullptr;
    char **out = static_cast<char **>(malloc(sizeof(char *) * (names.empty() ? 1 : names.size())));
    for (size_t i = 0; i < names.size(); i++)
        out[i] = strdup(names[i].c_str());
    *n = names.size();
    return out;
}

void rocksdb_list_column_families_destroy(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

rocksdb_column_family_handle_t *rocksdb_create_column_family(rocksdb_t *db, const rocksdb_options_t *opts,
                                                             const char *name, char **errptr)
{
    ColumnFamilyHandle *h = nullptr;
    if (failed(errptr, db->rep->CreateColumnFamily(ColumnFamilyOptions(opts->rep), std::string(name), &h)))
        return nullptr;
    return new rocksdb_column_family_handle_t{h};
}

void rocksdb_drop_column_family(rocksdb_t *db, rocksdb_column_family_handle_t *cf, char **errptr)
{
    failed(errptr, db->rep->DropColumnFamily(cf->rep));
}

void rocksdb_column_family_handle_destroy(rocksdb_column_family_handle_t *cf)
{
    delete cf->rep;
    delete cf;
}

void rocksdb_close(rocksdb_t *db)
{
    delete db->rep;
    delete db;
}

void rocksdb_destroy_db(const rocksdb_options_t *options, const char *name, char **errptr)
{
    failed(errptr, rocksdb::DestroyDB(std::string(name), options->rep));
}

/* reads and writes */

rocksdb_readoptions_t *rocksdb_readoptions_create(void) { return new rocksdb_readoptions_t; }
void rocksdb_readoptions_destroy(rocksdb_readoptions_t *o) { delete o; }
void rocksdb_readoptions_set_snapshot(rocksdb_readoptions_t *o, const rocksdb_snapshot_t *snap)
{
    o->rep.snapshot = snap ? snap->rep : nullptr;
}
void rocksdb_readoptions_set_iterate_lower_bound(rocksdb_readoptions_t *o, const char *key, size_t keylen)
{
    o->lower = key ? Slice(key, keylen) : Slice();
    o->rep.iterate_lower_bound = key ? &o->lower : nullptr;
}
void rocksdb_readoptions_set_iterate_upper_bound(rocksdb_readoptions_t *o, const char *key, size_t keylen)
{
    o->upper = key ? Slice(key, keylen) : Slice();
    o->rep.iterate_upper_bound = key ? &o->upper : nullptr;
}

rocksdb_writeoptions_t *rocksdb_writeoptions_create(void) { return new rocksdb_writeoptions_t; }
void rocksdb_writeoptions_destroy(rocksdb_writeoptions_t *o) { delete o; }
void rocksdb_writeoptions_disable_WAL(rocksdb_writeoptions_t *o, int disable) { o->rep.disableWAL = disable; }
void rocksdb_writeoptions_set_sync(rocksdb_writeoptions_t *o, unsigned char v) { o->rep.sync = v; }

/* NULL and *vallen 0 when the key is absent (and no error) */
char *rocksdb_get_cf(rocksdb_t *db, const rocksdb_readoptions_t *options, rocksdb_column_family_handle_t *cf,
                     const char *key, size_t keylen, size_t *vallen, char **errptr)
{
    std::string v;
    Status s = db->rep->Get(options->rep, cf->rep, Slice(key, keylen), &v);
    *vallen = 0;
    if (!s.ok()) {
        if (!s.IsNotFound())
            failed(errptr, s);
        return nullptr;
    }
    *vallen = v.size();
    return copy_string(v);
}

void ddb_rocksdb_get_cf_into(rocksdb_t *db, const rocksdb_readoptions_t *options, rocksdb_column_family_handle_t *cf,
                             const char *key, size_t keylen, void *(*place)(void *ctx, size_t n), void *ctx,
                             char **val, size_t *vallen, char **errptr)
{
    static thread_local std::string buf; /* its capacity kept: at most an item's size */
    rocksdb::PinnableSlice v(&buf);
    Status s = db->rep->Get(options->rep, cf->rep, Slice(key, keylen), &v);

    *val = nullptr;
    *vallen = 0;
    if (!s.ok()) {
        if (!s.IsNotFound())
            failed(errptr, s);
        return;
    }
    *val = static_cast<char *>(place(ctx, v.size()));
    memcpy(*val, v.data(), v.size());
    *vallen = v.size();
}

void rocksdb_put_cf(rocksdb_t *db, const rocksdb_writeoptions_t *options, rocksdb_column_family_handle_t *cf,
                    const char *key, size_t keylen, const char *val, size_t vallen, char **errptr)
{
    failed(errptr, db->rep->Put(options->rep, cf->rep, Slice(key, keylen), Slice(val, vallen)));
}

void rocksdb_delete_cf(rocksdb_t *db, const rocksdb_writeoptions_t *options, rocksdb_column_family_handle_t *cf,
                       const char *key, size_t keylen, char **errptr)
{
    failed(errptr, db->rep->Delete(options->rep, cf->rep, Slice(key, keylen)));
}

void rocksdb_delete_range_cf(rocksdb_t *db, const rocksdb_writeoptions_t *options, rocksdb_column_family_handle_t *cf,
                             const char *start_key, size_t start_key_len, const char *end_key, size_t end_key_len,
                             char **errptr)
{
    failed(errptr, db->rep->DeleteRange(options->rep, cf->rep, Slice(start_key, start_key_len),
                                        Slice(end_key, end_key_len)));
}

void rocksdb_write(rocksdb_t *db, const rocksdb_writeoptions_t *options, rocksdb_writebatch_t *batch, char **errptr)
{
    failed(errptr, db->rep->Write(options->rep, &batch->rep));
}

/* The memory budget's reclaim (rocks_rw.c's rocks_reclaim): a range compacted now. c.h's function
   reports no error; neither does this (a compaction that fails leaves the range as it was). */
rocksdb_compactoptions_t *rocksdb_compactoptions_create(void) { return new rocksdb_compactoptions_t; }

void rocksdb_compactoptions_destroy(rocksdb_compactoptions_t *opt) { delete opt; }

void rocksdb_compactoptions_set_bottommost_level_compaction(rocksdb_compactoptions_t *opt, unsigned char v)
{
    opt->rep.bottommost_level_compaction = static_cast<rocksdb::BottommostLevelCompaction>(v);
}

void rocksdb_compact_range_cf_opt(rocksdb_t *db, rocksdb_column_family_handle_t *cf, rocksdb_compactoptions_t *opt,
                                  const char *start_key, size_t start_key_len, const char *limit_key,
                                  size_t limit_key_len)
{
    Slice a, b;

    (void)db->rep->CompactRange(opt->rep, cf->rep, start_key ? (a = Slice(start_key, start_key_len), &a) : nullptr,
                                limit_key ? (b = Slice(limit_key, limit_key_len), &b) : nullptr);
}

void rocksdb_flush_wal(rocksdb_t *db, unsigned char sync, char **errptr) { failed(errptr, db->rep->FlushWAL(sync)); }
uint64_t rocksdb_get_latest_sequence_number(rocksdb_t *db) { return db->rep->GetLatestSequenceNumber(); }

rocksdb_writebatch_t *rocksdb_writebatch_create(void) { return new rocksdb_writebatch_t; }
void rocksdb_writebatch_destroy(rocksdb_writebatch_t *b) { delete b; }
void rocksdb_writebatch_clear(rocksdb_writebatch_t *b) { b->rep.Clear(); }
void rocksdb_writebatch_put_cf(rocksdb_writebatch_t *b, rocksdb_column_family_handle_t *cf, const char *key,
                               size_t klen, const char *val, size_t vlen)
{
    b->rep.Put(cf->rep, Slice(key, klen), Slice(val, vlen));
}
void rocksdb_writebatch_delete_cf(rocksdb_writebatch_t *b, rocksdb_column_family_handle_t *cf, const char *key,
                                  size_t klen)
{
    b->rep.Delete(cf->rep, Slice(key, klen));
}
/* A trim's delete, written with its floor (rocks_rw.c's rocks_seq_trim). */
void rocksdb_writebatch_delete_range_cf(rocksdb_writebatch_t *b, rocksdb_column_family_handle_t *cf,
                                        const char *start_key, size_t start_key_len, const char *end_key,
                                        size_t end_key_len)
{
    b->rep.DeleteRange(cf->rep, Slice(start_key, start_key_len), Slice(end_key, end_key_len));
}

/* snapshots, iterators, checkpoints */

const rocksdb_snapshot_t *rocksdb_create_snapshot(rocksdb_t *db) { return new rocksdb_snapshot_t{db->rep->GetSnapshot()}; }
void rocksdb_release_snapshot(rocksdb_t *db, const rocksdb_snapshot_t *snap)
{
    db->rep->ReleaseSnapshot(snap->rep);
    delete snap;
}

rocksdb_iterator_t *rocksdb_create_iterator_cf(rocksdb_t *db, const rocksdb_readoptions_t *options,
                                               rocksdb_column_family_handle_t *cf)
{
    return new rocksdb_iterator_t{db->rep->NewIterator(options->rep, cf->rep)};
}
void rocksdb_iter_destroy(rocksdb_iterator_t *it)
{
    delete it->rep;
    delete it;
}
unsigned char rocksdb_iter_valid(const rocksdb_iterator_t *it) { return it->rep->Valid(); }
void rocksdb_iter_seek_to_first(rocksdb_iterator_t *it) { it->rep->SeekToFirst(); }
void rocksdb_iter_seek_to_last(rocksdb_iterator_t *it) { it->rep->SeekToLast(); }
void rocksdb_iter_seek(rocksdb_iterator_t *it, const char *k, size_t klen) { it->rep->Seek(Slice(k, klen)); }
void rocksdb_iter_seek_for_prev(rocksdb_iterator_t *it, const char *k, size_t klen)
{
    it->rep->SeekForPrev(Slice(k, klen));
}
void rocksdb_iter_next(rocksdb_iterator_t *it) { it->rep->Next(); }
void rocksdb_iter_prev(rocksdb_iterator_t *it) { it->rep->Prev(); }
const char *rocksdb_iter_key(const rocksdb_iterator_t *it, size_t *klen)
{
    Slice s = it->rep->key();
    *klen = s.size();
    return s.data();
}
const char *rocksdb_iter_value(const rocksdb_iterator_t *it, size_t *vlen)
{
    Slice s = it->rep->value();
    *vlen = s.size();
    return s.data();
}
void rocksdb_iter_get_error(const rocksdb_iterator_t *it, char **errptr) { failed(errptr, it->rep->status()); }

rocksdb_checkpoint_t *rocksdb_checkpoint_object_create(rocksdb_t *db, char **errptr)
{
    rocksdb::Checkpoint *cp = nullptr;
    if (failed(errptr, rocksdb::Checkpoint::Create(db->rep, &cp)))
        return nullptr;
    return new rocksdb_checkpoint_t{cp};
}
void rocksdb_checkpoint_create(rocksdb_checkpoint_t *cp, const char *dir, uint64_t log_size_for_flush, char **errptr)
{
    failed(errptr, cp->rep->CreateCheckpoint(std::string(dir), log_size_for_flush));
}
void rocksdb_checkpoint_object_destroy(rocksdb_checkpoint_t *cp)
{
    delete cp->rep;
    delete cp;
}

/* figures */

char *rocksdb_property_value(rocksdb_t *db, const char *name)
{
    std::string v;
    return db->rep->GetProperty(Slice(name), &v) ? strdup(v.c_str()) : nullptr;
}
char *rocksdb_property_value_cf(rocksdb_t *db, rocksdb_column_family_handle_t *cf, const char *name)
{
    std::string v;
    return db->rep->GetProperty(cf->rep, Slice(name), &v) ? strdup(v.c_str()) : nullptr;
}

/* ---- ddbd's own, beyond c.h (declared in rocks_internal.h) ---- */

} /* extern "C" */

namespace {
/* Leaves a full disk's error to ddbd: RocksDB's own recovery from it polls the free space every
   5 seconds, so writes went on failing that long after space returned (issue 41). */
class NoSpaceRecoveryByCaller : public rocksdb::EventListener {
  public:
    const char *Name() const override { return "ddbd-no-space-recovery"; }
    void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason, Status bg_error, bool *auto_recovery) override
    {
        if (bg_error.IsNoSpace())
            *auto_recovery = false;
        bg_error.PermitUncheckedError();
    }
};
} /* namespace */

extern "C" {

void ddb_rocksdb_options_recover_no_space_by_caller(rocksdb_options_t *o)
{
    o->rep.listeners.push_back(std::make_shared<NoSpaceRecoveryByCaller>());
}

void ddb_rocksdb_resume(rocksdb_t *db, char **errptr) { failed(errptr, db->rep->Resume()); }

/* Sets RocksDB's shutting-down flag and wakes its waits: DB::Resume's wait for a flush returns
   ShutdownInProgress (db_impl_compaction_flush.cc, WaitForFlushMemTables), the one way to end a
   resume that waits for a flush nothing will run (facebook/rocksdb#15030). With `wait`, returns
   once the background jobs under way ended (one that failed for want of space pauses a second). */
void ddb_rocksdb_cancel_background_work(rocksdb_t *db, int wait) { rocksdb::CancelAllBackgroundWork(db->rep, wait != 0); }

} /* extern "C" */
