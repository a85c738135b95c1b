/*
 * server/base/faults.h: faults a test or a user arms on purpose.
 *
 * Crash points prove durability claims by crashing at the worst moments
 * (tests/compat/test_transact_crash.py): DDBD_CRASH_POINT=<name> in the environment arms one
 * point, and the first request that reaches it ends the process with SIGKILL (no cleanup, nothing
 * flushed beyond what the storage already made durable). Unarmed (always, outside tests) a point
 * costs one pointer test. DDBD_DELAY_POINT=<name>:<ms> instead makes every request that reaches
 * the point sleep that long there (to hold a call in flight, e.g. for TransactionInProgress). The points:
 *   write-decided            a single-item write (PutItem, UpdateItem, DeleteItem, a batch's
 *                            write) decided under its table's description, not yet written
 *   write-unnoted            a write under --index-lag/--stale-reads committed, not yet noted in
 *                            its table's log for eventually consistent reads (engine/emulate/consistency.h)
 *   transact-before-commit   TransactWriteItems decided, its commit not yet written
 *   transact-after-commit    TransactWriteItems committed, its answer not yet sent
 *   xdb-between-parts        a write across RocksDB databases (storage/rocksdb/rocks_dbs.c) has
 *                            written its first part and intent, not yet its other parts
 *   groupcommit-before-sync  --sync: writes applied, the log sync that would make them durable
 *                            (and release their answers) not yet run (storage/groupcommit.h)
 *   sync-answer-held         --sync: an answer found its write not yet durable and is about to be
 *                            held (http/respond.c), not yet counted among the held ones
 *   rados-txn-before-commit  RADOS: a write over several objects has marked them all, its
 *                            intent's commit point is not yet written (storage/rados_txn.c)
 *   rados-txn-after-commit   RADOS: that commit point written, the objects not yet changed
 *   rados-commit-written     RADOS: a guarded commit (a conditional write, an ADD, a transaction)
 *                            written whole, its answer not yet sent (storage/rados_commit.c)
 *   rados-read-spread        RADOS: TransactGetItems' keys of several objects: before each
 *                            object's read but the first, and before each read again to confirm
 *                            (storage/rados_read.c): a delay there spreads its reads over time,
 *                            as a loaded cluster does, so that writes land between them
 *   rados-meta-announce      RADOS: a catalog change committed and in this gateway's copy, not
 *                            yet announced to the other gateways (rados_meta.c): they serve their
 *                            old copy meanwhile, but for a refusal (engine/catalog/catalog.c)
 *   rados-snapshot-paused    RADOS: a point-in-time snapshot's taker has paused every gateway's
 *                            writes, the pool snapshot not yet made (rados_snap.c)
 *   restore-fill             a restore's worker (a backup's, or to a point in time) about to fill
 *                            its table (engine/jobs/backups.c)
 *   index-backfill-batch     an index's backfill (a background task) about to read its next batch
 *                            of the table's items (engine/jobs/indexes.c)
 * DDBD_FAIL_POINT=<name> makes every pass through the named point fail as the disk would fail it, to
 * prove an error path no test can make a disk take on cue. The points:
 *   log-buffer-write         a write of a RocksDB log's buffer, which holds a loop's turn's appends
 *                            without --sync (storage/rocksdb/rocks_log.c), fails, the buffer kept:
 *                            the answers held for it go out as InternalServerError (http/respond.c)
 *
 * Injected conflicts let applications test their retry paths, which DynamoDB exercises only under
 * real contention: --transaction-conflict-rate and --write-conflict-rate (config.h) make that
 * fraction of transactions, or of single-item writes, fail as DynamoDB fails them when another
 * transaction holds an item (docs/compatibility.md).
 */
#ifndef DDB_FAULTS_H
#define DDB_FAULTS_H

#include <stddef.h>
#include <stdint.h>

extern const char *ddb_crash_armed; /* the armed point's name, or NULL (also when only a delay is armed) */

/* Reads DDBD_CRASH_POINT and DDBD_DELAY_POINT once, when the server is open and its own start-up
   writes are durable (main.c, ddb_server_settle): a point is for requests. */
void ddb_crash_points_init(void);
void ddb_crash_fire(const char *name);

static inline void ddb_crash_point(const char *name)
{
    if (__builtin_expect(ddb_crash_armed != 0, 0))
        ddb_crash_fire(name);
}

extern const char *ddb_fail_armed; /* DDBD_FAIL_POINT's name, or NULL */
int ddb_fail_is(const char *name);

/* Whether the step at point `name` is to fail (DDBD_FAIL_POINT). */
static inline int ddb_fail_point(const char *name)
{
    return __builtin_expect(ddb_fail_armed != 0, 0) && ddb_fail_is(name);
}

/*
 * Storage faults, armed through the admin API (POST /ddbd/faults, docs/admin.md) to prove that a
 * failing disk costs neither data nor the server: write errors make every storage write fail as an
 * I/O error would; free bytes (>= 0) is what the disk guard (storage/diskguard.h) reads instead of
 * the file system's free space (-1: the real figure); a stuck resume makes the guard's resume after
 * a full disk hang, as RocksDB 7.8's does now and then, until the guard counts it as stuck and
 * reopens the store in place (the path a real one takes, forced).
 */
int ddb_fault_write_errors(void);
long long ddb_fault_free_bytes(void);
int ddb_fault_stuck_resume(void);
void ddb_fault_set_storage(int write_errors, long long free_bytes, int stuck_resume);

/*
 * Deliberate bugs, armed by DDBD_BUG=<name>[,<name>...] at start-up (ddb_crash_points_init), each
 * breaking one promise the consistency checkers (tests/consistency/) or valgrind memcheck must then
 * catch: they prove the checkers have teeth against the real server, not only against hand-made
 * histories (ctest consistency.caught_*, memcheck.caught_*). Never armed outside those tests; unarmed, a bug costs one load and test.
 *   unsynced-ack       RocksDB item writes skip the write-ahead log, so an acknowledged write lives
 *                      only in the memtable and kill -9 loses it (durability)
 *   unlocked-commit    a commit reads, decides and writes without its keys' locks, a millisecond
 *                      between the read and the write (conditions, ADD and transactions race)
 *   torn-transaction   a commit of several keys is written one write at a time, a millisecond
 *                      apart, so a snapshot read (TransactGetItems) can see half of it (atomicity)
 *   unset-size         GetItem charges a size read from a heap block never written, and never frees
 *                      the block: what valgrind memcheck must catch (ctest memcheck.caught_unset_size:
 *                      an uninitialised value in a conditional, as issue 72's stale BatchGetItem
 *                      charge, and a definite leak)
 */
#define DDB_BUG_LIST(X)                                                                                    \
    X(UNSYNCED_ACK, "unsynced-ack")                                                                        \
    X(UNLOCKED_COMMIT, "unlocked-commit")                                                                  \
    X(TORN_TRANSACTION, "torn-transaction")                                                                \
    X(UNSET_SIZE, "unset-size")

typedef enum ddb_bug_id {
#define X(id, name) DDB_BUG_##id,
    DDB_BUG_LIST(X)
#undef X
} ddb_bug_id;

extern unsigned ddb_bugs_armed; /* a bit per ddb_bug_id */

static inline int ddb_bug(ddb_bug_id b)
{
    return __builtin_expect((ddb_bugs_armed >> b) & 1u, 0);
}

/* The unset-size bug's size: read from a fresh heap block never written, the block then dropped. */
size_t ddb_bug_unset_size(void);

/* 1 with probability `rate` (0 never draws), drawn from one seeded sequence (--fault-seed: the
   same seed and the same requests in the same order draw the same). Thread-safe. */
int ddb_fault_draw(double rate);
/* A uniform integer in [0, n), from the same sequence. */
unsigned ddb_fault_pick(unsigned n);
/* Restarts the sequence from `seed` (--fault-seed, /ddbd/faults' "seed"). */
void ddb_fault_seed(uint64_t seed);

#endif
