/*
 * server/storage/rados/rados_lib.h: librados, loaded when the RADOS backend is opened.
 *
 * ddbd does not link librados: loading it (libceph-common, Boost, RDMA, ...) doubles a RocksDB
 * server's start-up time and idle memory, which every user would pay for a backend few select.
 * So `--backend rados` loads librados.so.2 with dlopen and resolves the functions below; the
 * backend's files call them by their usual names, which this header turns into calls through
 * the table. A function used anywhere in the backend must be on the list (a missing one fails
 * the link, as ddbd has no librados to link against).
 */
#ifndef DDB_RADOS_LIB_H
#define DDB_RADOS_LIB_H

#include <rados/librados.h>

#define DDB_RADOS_FUNCTIONS(X) \
    X(rados_aio_create_completion) \
    X(rados_aio_flush) \
    X(rados_aio_get_return_value) \
    X(rados_aio_get_version) \
    X(rados_aio_read_op_operate) \
    X(rados_aio_release) \
    X(rados_aio_remove) \
    X(rados_aio_wait_for_complete) \
    X(rados_aio_write_op_operate) \
    X(rados_buffer_free) \
    X(rados_conf_read_file) \
    X(rados_conf_set) \
    X(rados_connect) \
    X(rados_create) \
    X(rados_create_read_op) \
    X(rados_create_write_op) \
    X(rados_getxattr) \
    X(rados_ioctx_create) \
    X(rados_ioctx_destroy) \
    X(rados_ioctx_set_namespace) \
    X(rados_ioctx_snap_create) \
    X(rados_ioctx_snap_get_name) \
    X(rados_ioctx_snap_get_stamp) \
    X(rados_ioctx_snap_list) \
    X(rados_ioctx_snap_lookup) \
    X(rados_ioctx_snap_remove) \
    X(rados_ioctx_snap_set_read) \
    X(rados_lock_exclusive) \
    X(rados_nobjects_list_close) \
    X(rados_nobjects_list_next) \
    X(rados_nobjects_list_open) \
    X(rados_notify2) \
    X(rados_notify_ack) \
    X(rados_omap_get_end) \
    X(rados_omap_get_next2) \
    X(rados_pool_create) \
    X(rados_pool_lookup) \
    X(rados_read) \
    X(rados_read_op_omap_cmp2) \
    X(rados_read_op_omap_get_keys2) \
    X(rados_read_op_omap_get_vals2) \
    X(rados_read_op_omap_get_vals_by_keys2) \
    X(rados_read_op_operate) \
    X(rados_release_read_op) \
    X(rados_release_write_op) \
    X(rados_remove) \
    X(rados_shutdown) \
    X(rados_stat) \
    X(rados_unlock) \
    X(rados_unwatch2) \
    X(rados_wait_for_latest_osdmap) \
    X(rados_watch2) \
    X(rados_watch_flush) \
    X(rados_write_full) \
    X(rados_write_op_assert_exists) \
    X(rados_write_op_cmpxattr) \
    X(rados_write_op_create) \
    X(rados_write_op_omap_cmp2) \
    X(rados_write_op_omap_rm_keys2) \
    X(rados_write_op_omap_rm_range2) \
    X(rados_write_op_omap_set2) \
    X(rados_write_op_operate2) \
    X(rados_write_op_setxattr) \
    X(rados_write_op_write_full)

typedef struct ddb_rados_lib {
#define X(f) __typeof__(f) *f;
    DDB_RADOS_FUNCTIONS(X)
#undef X
} ddb_rados_lib;

extern ddb_rados_lib ddb_rados;

/* Loads librados once (thread-safe); 0, or -1 with *err a malloc'd message naming what failed. */
int ddb_rados_lib_load(char **err);

/*
 * The calls that go to the cluster, counted by kind where every call is made (the macros below),
 * so `ddbd_rados_ops_total` in /metrics is every round trip this process made, whichever file
 * made it (but the listing of a namespace's objects at open and at a snapshot, whose pages
 * librados fetches as it likes): bench/rados_gateways.sh divides its deltas by the requests to give the cost of each
 * request. `batched` counts the reads sent together with others (all in flight at once: one
 * round trip's latency for the lot), which are in `read` too. `sequential` counts the round trips
 * waited for one after another: every synchronous call, and once each group of asynchronous ones
 * sent together and waited for together (rs_waited); an asynchronous one nobody waits for (an
 * intent's removal after its applies) is in `write` only. A request's latency is about its
 * sequential round trips.
 */
#define DDB_RADOS_OP_KINDS(X) \
    X(READ, "read")            \
    X(WRITE, "write")          \
    X(NOTIFY, "notify")        \
    X(OTHER, "other")          \
    X(BATCHED, "batched")      \
    X(SEQUENTIAL, "sequential")

enum {
#define X(k, name) DDB_RADOS_OP_##k,
    DDB_RADOS_OP_KINDS(X)
#undef X
    DDB_RADOS_OP_NKINDS
};

/* This process's counts (one store per ddbd; the unit tests' several stores share them). */
extern unsigned long long ddb_rados_ops[DDB_RADOS_OP_NKINDS];

static inline int ddb_rados_count(int kind)
{
    __atomic_add_fetch(&ddb_rados_ops[kind], 1, __ATOMIC_RELAXED);
    return 0;
}

/* A synchronous call: its kind, and one round trip waited for. */
static inline int ddb_rados_sync(int kind)
{
    ddb_rados_count(kind);
    return ddb_rados_count(DDB_RADOS_OP_SEQUENTIAL);
}

#ifndef DDB_RADOS_LIB_IMPL
#define rados_aio_create_completion (ddb_rados.rados_aio_create_completion)
#define rados_aio_flush (ddb_rados.rados_aio_flush)
#define rados_aio_get_return_value (ddb_rados.rados_aio_get_return_value)
#define rados_aio_get_version (ddb_rados.rados_aio_get_version)
#define rados_aio_read_op_operate \
    (ddb_rados_count(DDB_RADOS_OP_READ), ddb_rados_count(DDB_RADOS_OP_BATCHED), ddb_rados.rados_aio_read_op_operate)
#define rados_aio_release (ddb_rados.rados_aio_release)
#define rados_aio_remove (ddb_rados_count(DDB_RADOS_OP_WRITE), ddb_rados.rados_aio_remove)
#define rados_aio_wait_for_complete (ddb_rados.rados_aio_wait_for_complete)
#define rados_aio_write_op_operate (ddb_rados_count(DDB_RADOS_OP_WRITE), ddb_rados.rados_aio_write_op_operate)
#define rados_buffer_free (ddb_rados.rados_buffer_free)
#define rados_conf_read_file (ddb_rados.rados_conf_read_file)
#define rados_conf_set (ddb_rados.rados_conf_set)
#define rados_connect (ddb_rados.rados_connect)
#define rados_create (ddb_rados.rados_create)
#define rados_create_read_op (ddb_rados.rados_create_read_op)
#define rados_create_write_op (ddb_rados.rados_create_write_op)
#define rados_getxattr (ddb_rados_sync(DDB_RADOS_OP_READ), ddb_rados.rados_getxattr)
#define rados_ioctx_create (ddb_rados.rados_ioctx_create)
#define rados_ioctx_destroy (ddb_rados.rados_ioctx_destroy)
#define rados_ioctx_set_namespace (ddb_rados.rados_ioctx_set_namespace)
#define rados_ioctx_snap_create (ddb_rados_sync(DDB_RADOS_OP_OTHER), ddb_rados.rados_ioctx_snap_create)
#define rados_ioctx_snap_get_name (ddb_rados.rados_ioctx_snap_get_name)
#define rados_ioctx_snap_get_stamp (ddb_rados.rados_ioctx_snap_get_stamp)
#define rados_ioctx_snap_list (ddb_rados.rados_ioctx_snap_list)
#define rados_ioctx_snap_lookup (ddb_rados.rados_ioctx_snap_lookup)
#define rados_ioctx_snap_remove (ddb_rados_sync(DDB_RADOS_OP_OTHER), ddb_rados.rados_ioctx_snap_remove)
#define rados_ioctx_snap_set_read (ddb_rados.rados_ioctx_snap_set_read)
#define rados_lock_exclusive (ddb_rados_sync(DDB_RADOS_OP_OTHER), ddb_rados.rados_lock_exclusive)
#define rados_nobjects_list_close (ddb_rados.rados_nobjects_list_close)
#define rados_nobjects_list_next (ddb_rados.rados_nobjects_list_next)
#define rados_nobjects_list_open (ddb_rados.rados_nobjects_list_open)
#define rados_notify2 (ddb_rados_sync(DDB_RADOS_OP_NOTIFY), ddb_rados.rados_notify2)
#define rados_notify_ack (ddb_rados_sync(DDB_RADOS_OP_NOTIFY), ddb_rados.rados_notify_ack)
#define rados_omap_get_end (ddb_rados.rados_omap_get_end)
#define rados_omap_get_next2 (ddb_rados.rados_omap_get_next2)
#define rados_pool_create (ddb_rados_sync(DDB_RADOS_OP_OTHER), ddb_rados.rados_pool_create)
#define rados_pool_lookup (ddb_rados.rados_pool_lookup)
#define rados_read (ddb_rados_sync(DDB_RADOS_OP_READ), ddb_rados.rados_read)
#define rados_read_op_omap_cmp2 (ddb_rados.rados_read_op_omap_cmp2)
#define rados_read_op_omap_get_keys2 (ddb_rados.rados_read_op_omap_get_keys2)
#define rados_read_op_omap_get_vals2 (ddb_rados.rados_read_op_omap_get_vals2)
#define rados_read_op_omap_get_vals_by_keys2 (ddb_rados.rados_read_op_omap_get_vals_by_keys2)
#define rados_read_op_operate (ddb_rados_sync(DDB_RADOS_OP_READ), ddb_rados.rados_read_op_operate)
#define rados_release_read_op (ddb_rados.rados_release_read_op)
#define rados_release_write_op (ddb_rados.rados_release_write_op)
#define rados_remove (ddb_rados_sync(DDB_RADOS_OP_WRITE), ddb_rados.rados_remove)
#define rados_shutdown (ddb_rados.rados_shutdown)
#define rados_stat (ddb_rados_sync(DDB_RADOS_OP_READ), ddb_rados.rados_stat)
#define rados_unlock (ddb_rados_sync(DDB_RADOS_OP_OTHER), ddb_rados.rados_unlock)
#define rados_unwatch2 (ddb_rados_sync(DDB_RADOS_OP_NOTIFY), ddb_rados.rados_unwatch2)
#define rados_wait_for_latest_osdmap (ddb_rados_sync(DDB_RADOS_OP_OTHER), ddb_rados.rados_wait_for_latest_osdmap)
#define rados_watch2 (ddb_rados_sync(DDB_RADOS_OP_NOTIFY), ddb_rados.rados_watch2)
#define rados_watch_flush (ddb_rados.rados_watch_flush)
#define rados_write_full (ddb_rados_sync(DDB_RADOS_OP_WRITE), ddb_rados.rados_write_full)
#define rados_write_op_assert_exists (ddb_rados.rados_write_op_assert_exists)
#define rados_write_op_cmpxattr (ddb_rados.rados_write_op_cmpxattr)
#define rados_write_op_create (ddb_rados.rados_write_op_create)
#define rados_write_op_omap_cmp2 (ddb_rados.rados_write_op_omap_cmp2)
#define rados_write_op_omap_rm_keys2 (ddb_rados.rados_write_op_omap_rm_keys2)
#define rados_write_op_omap_rm_range2 (ddb_rados.rados_write_op_omap_rm_range2)
#define rados_write_op_omap_set2 (ddb_rados.rados_write_op_omap_set2)
#define rados_write_op_operate2 (ddb_rados_sync(DDB_RADOS_OP_WRITE), ddb_rados.rados_write_op_operate2)
#define rados_write_op_setxattr (ddb_rados.rados_write_op_setxattr)
#define rados_write_op_write_full (ddb_rados.rados_write_op_write_full)
#endif

#endif
