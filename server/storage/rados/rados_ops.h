/*
 * server/storage/rados/rados_ops.h: the RADOS backend's operations, storage.h's calls as the
 * files above the two-phase commit implement them (rados.c puts them in its table), and what
 * those files lend each other. In the order of rados_store.h's list: a file calls only those
 * before it.
 */
#ifndef DDB_RADOS_OPS_H
#define DDB_RADOS_OPS_H

#include "server/storage/rados/rados_store.h"

/* ---- writes (rados_write.c) ---- */

/* rs_write_guarded's flags. RS_WRITE_GUESS: the guards are a guess, not a read (rados_commit.c):
   only a write of one object without sequenced puts is made (else RS_UNGUESSED, nothing
   written), and a failed compare is DDB_STORE_ECONFLICT at once, without looking for markers
   (the read that follows resolves them). RS_WRITE_ORDERED: a two-phase commit marks its
   objects one after another (a retry after a conflict: rados_txn.c). */
#define RS_WRITE_GUESS 1
#define RS_WRITE_ORDERED 2
#define RS_UNGUESSED (-101)

/* Applies a batch, guarded by the values `guards` had when read (a commit's; none for a plain
   write), numbering its sequenced puts (rados_seq.c). DDB_STORE_ECONFLICT: a guard failed,
   nothing was written. */
int rs_write_guarded(ddb_store *s, const ddb_batch *b, const ddb_store_key *guards, size_t ng, ddb_arena *a,
                     int flags);
int rs_write(ddb_store *s, const ddb_batch *b);
/* Removes the batch's keys (deletes) from one named object, wherever they place now (moves at open). */
int rs_remove_keys(ddb_store *s, const char *oid, const ddb_batch *b);
int rs_delete_range_all(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
int rs_seq_trim(ddb_store *s, const char *prefix, size_t plen, const char *stop, size_t stoplen, uint64_t floor);

/* ---- point reads (rados_read.c) ---- */

/* Reads keys, grouped by object, of the data space or (`meta`) the metadata object; *nobjects (if
   not NULL): how many objects it read. A key a write intent holds is resolved, then read again. */
int rs_read_keys(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, int meta, size_t *nobjects);
int rs_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
int rs_meta_get(ddb_store *s, ddb_arena *a, const char *key, size_t klen, char **val, size_t *vlen);
int rs_multi_get(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n);
int rs_multi_get_at(ddb_store *s, const ddb_store_snapshot *snap, ddb_arena *a, ddb_store_key *keys, size_t n);

/* ---- commits (rados_commit.c) ---- */

/* How often a data commit that lost to another gateway is decided again (RS_RETRIES, or
   DDBD_RADOS_COMMIT_RETRIES: tests lower it to make conflicts surface). */
int rs_commit_retries(void);
int rs_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);
/* This gateway's commits only (rs_barrier adds the others', through a notify). */
void rs_barrier_local(ddb_store *s);
void rs_exclusive(ddb_store *s, void (*fn)(void *ctx), void *ctx);

/* ---- range reads (rados_iter.c) ---- */

ddb_store_iter *rs_iter_open_at(ddb_store *s, const ddb_store_snapshot *snap, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse);
ddb_store_iter *rs_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int reverse);
ddb_store_iter *rs_meta_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen);
ddb_store_iter *rs_seq_iter_open(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen,
                                 int reverse);
/* A range read over the given objects (merged in key order), forward or reverse. */
ddb_store_iter *rs_iter_objects(ddb_store *s, char (*oids)[RS_OBJ_MAX], size_t n, const char *lo, size_t lolen,
                                const char *hi, size_t hilen, int reverse);

/* ---- point-in-time snapshots (rados_snap.c) ---- */

int rs_freeze_start(ddb_store *s);
void rs_freeze_stop(ddb_store *s);
/* Another gateway's notify asking this one to pause or resume its writes: 1 if `data` was one. */
int rs_freeze_notify(ddb_store *s, const char *data, size_t len);
ddb_store_snapshot *rs_snapshot_take(ddb_store *s, int point_in_time);
void rs_snapshot_release(ddb_store *s, ddb_store_snapshot *snap);
/* Snapshots shared by the gateways (storage.h). */
const char *rs_snapshot_name(const ddb_store_snapshot *snap);
ddb_store_snapshot *rs_snapshot_open(ddb_store *s, const char *name);
void rs_snapshot_detach(ddb_store *s, ddb_store_snapshot *snap);
/* Removes the pool snapshots of ddbd older than a day: their takers died before releasing them. */
void rs_snapshots_tidy(ddb_store *s);

/* ---- the store's settings (rados.c) ---- */

/* Reads (or, for a new store, writes) the store's hash key, format and partition count, moving
   keys when the count changed; 0, or -1 with *errout set. */
int rs_load_settings(ddb_store *s, const ddb_store_options *o, char **errout);

/* ---- the metadata space (rados_meta.c) ---- */

int rs_meta_commit(ddb_store *s, ddb_arena *a, ddb_store_key *keys, size_t n, ddb_commit_decide decide, void *ctx);
/* The watch on ddbd.meta: set up at open, removed at close. */
int rs_watch_start(ddb_store *s);
void rs_watch_stop(ddb_store *s);
void rs_on_meta_change(ddb_store *s, void (*fn)(void *ctx), void *ctx);
void rs_meta_changed(ddb_store *s);
/* Every gateway's commits: this one's (rs_barrier_local), then the others' through a notify. */
void rs_barrier(ddb_store *s);

#endif
