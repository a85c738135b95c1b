/*
 * server/storage/rocksdb/rocks_log.c: a write's log append, written to the log file once a loop
 * turn and not once a write (a data directory without --sync).
 *
 * Why: every write acknowledged in the default mode is in the write-ahead log in the OS's cache
 * (docs/compatibility.md, "Durability"), and RocksDB wrote it there with a write(2) of its own,
 * one a database a write touches: a GSI write or a transaction in 2.3 and 3.1 databases of 8 made
 * as many system calls (bench/README.md, "Log appends a write, counted"). With RocksDB's
 * manual_wal_flush the append stays in the log's buffer until FlushWAL writes the buffer, which
 * an HTTP loop does at the end of its turn for the databases its requests wrote or read, before
 * their answers leave (server/base/log_turn.h; server/http holds them until then), so one write(2)
 * a database carries the turn's requests.
 *
 * What keeps the promise (no answer reflects a write that a kill -9 could take back):
 * - flushed[d] is a sequence number of database d read before a FlushWAL that returned: every
 *   write at or below it was in the buffer (RocksDB publishes a write's number after its append)
 *   and so is in the file. A write or read whose database's latest number is above it owes a
 *   flush; at or below, it owes none (a GetItem of a database nobody is writing holds nothing).
 * - A read owes what it may have seen: its database's latest number read after the read is at
 *   least that of anything it saw.
 * - The first part of a write across databases (its intent: rocks_dbs.c) is written to its file
 *   at once, before any other part is written: the OS must never hold a part without its intent;
 *   and an intent that would replace one whose write's parts are still buffered writes those
 *   first (rocks_log_settle).
 * - A write that read another loop's buffered append in another database writes that buffer
 *   first (rocks_log_settle_reads): the log's order keeps them together only within a database.
 *   Only a write that may depend on the read owes it: a commit's reads owe its own write only
 *   (rocks_log_reads_end: what a commit writes is decided from what it read under its keys'
 *   locks, so the next item of a BatchWriteItem owes nothing for them; items committed together
 *   owe each write the reads of its own items: rocks_rw.c's commit_each), and a request's reads
 *   owe nothing to a later request's writes (log_turn.h's count: no answer of the turn has left,
 *   so no client wrote from what it read). Reads outside a commit are owed by the rest of their
 *   request.
 * - A thread that is not a loop's (a background job, the open's replay) flushes at each write,
 *   and at each read that owes one, as RocksDB did by itself.
 * - RocksDB itself writes the buffer when it fills or its memtable switches; a close, a reopen and
 *   a checkpoint flush every database first, and a loop's flush runs in the write gate, which the
 *   close of the files closes, so it never meets a database being closed.
 */
#include "server/base/faults.h"
#include "server/base/log_turn.h"
#include "server/storage/rocksdb/rocks_internal.h"

/* The databases the calling thread owes a flush (of the store log_turn.h's owner names); of them,
   those it owes for what its reads saw, in its request `reads_in` (log_turn.h's count). */
static __thread uint32_t owed_dbs, owed_reads;
static __thread unsigned reads_in;

/* What the calling thread's reads of its current request owe (an earlier request's: nothing). */
static uint32_t reads_now(void)
{
    if (reads_in != ddb_log_turn_self.request) {
        reads_in = ddb_log_turn_self.request;
        owed_reads = 0;
    }
    return owed_reads;
}

static uint64_t latest(rocksdb_t *db)
{
    return rocksdb_get_latest_sequence_number(db);
}

static void at_least(uint64_t *p, uint64_t seq)
{
    uint64_t cur = __atomic_load_n(p, __ATOMIC_ACQUIRE);

    while (cur < seq && !__atomic_compare_exchange_n(p, &cur, seq, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        ;
}

uint64_t rocks_log_seq(ddb_store *s, unsigned d)
{
    rocksdb_t *db = db_at(s, d);

    return db != NULL ? latest(db) : 0;
}

int rocks_log_flush_db(ddb_store *s, unsigned d)
{
    rocksdb_t *db = db_at(s, d);
    char *err = NULL;
    uint64_t seq;

    if (db == NULL || !s->manual_flush)
        return DDB_STORE_OK;
    seq = latest(db);
    if (seq <= __atomic_load_n(&s->flushed[d].v, __ATOMIC_ACQUIRE))
        return DDB_STORE_OK;
    if (ddb_fail_point("log-buffer-write"))
        return DDB_STORE_EIO;
    rocksdb_flush_wal(db, 0, &err);
    if (err != NULL) {
        if (s->note_error != NULL)
            s->note_error(s, err);
        return rocks_check(err, "write the log");
    }
    at_least(&s->flushed[d].v, seq);
    return DDB_STORE_OK;
}

int rocks_log_sync_db(ddb_store *s, unsigned d)
{
    rocksdb_t *db = db_at(s, d);
    char *err = NULL;
    uint64_t seq;

    if (db == NULL)
        return DDB_STORE_OK;
    seq = latest(db);
    rocksdb_flush_wal(db, 1, &err);
    if (err != NULL)
        return rocks_check(err, "sync the log");
    at_least(&s->synced[d].v, seq);
    return DDB_STORE_OK;
}

int rocks_log_settled(ddb_store *s, unsigned d, uint64_t seq)
{
    if (s->wopts_sync != NULL)
        return seq <= __atomic_load_n(&s->synced[d].v, __ATOMIC_ACQUIRE);
    return !s->manual_flush || seq <= __atomic_load_n(&s->flushed[d].v, __ATOMIC_ACQUIRE);
}

uint32_t rocks_log_reads_owed(void)
{
    return reads_now();
}

int rocks_log_settle(ddb_store *s, unsigned d, uint64_t seq)
{
    if (rocks_log_settled(s, d, seq))
        return DDB_STORE_OK;
    return s->wopts_sync != NULL ? rocks_log_sync_db(s, d) : rocks_log_flush_db(s, d);
}

static int flush_owed(void *owner)
{
    return rocks_log_flush(owner) == DDB_STORE_OK ? 0 : -1;
}

static void owe(ddb_store *s, unsigned d)
{
    ddb_log_turn_owe(flush_owed, s); /* (first: it may flush another store's, whose databases these were) */
    owed_dbs |= 1u << d;
}

int rocks_log_wrote(ddb_store *s, unsigned d)
{
    if (!s->manual_flush)
        return DDB_STORE_OK;
    if (!ddb_log_turn_deferring())
        return rocks_log_flush_db(s, d);
    owe(s, d);
    return DDB_STORE_OK;
}

int rocks_log_wrote_alone(ddb_store *s, unsigned d)
{
    rocksdb_t *db;

    if (s->manual_flush && s->ndbs > 1 && ddb_log_turn_deferring() && (db = db_at(s, d)) != NULL)
        at_least(&s->alone[d].v, latest(db));
    return rocks_log_wrote(s, d);
}

void rocks_log_read_seen(ddb_store *s, unsigned d)
{
    rocksdb_t *db;

    if ((db = db_at(s, d)) == NULL ||
        latest(db) <= __atomic_load_n(&s->flushed[d].v, __ATOMIC_ACQUIRE))
        return;
    if (ddb_log_turn_deferring()) {
        owe(s, d);
        if (__atomic_load_n(&s->alone[d].v, __ATOMIC_ACQUIRE) > __atomic_load_n(&s->flushed[d].v, __ATOMIC_ACQUIRE))
            owed_reads = reads_now() | 1u << d;
    } else
        (void)rocks_log_flush_db(s, d); /* (a failure stops the database's writes: rocks_rw.c) */
}

/*
 * A write that read an append still in a buffer (a condition on an item another request of this
 * turn or another loop's is writing) depends on it: were the write in a log file and the append
 * not, a kill -9 would keep the one without the other, a state no order of the two gives. In its
 * own database the log's order keeps them together; a part of a write across databases has its
 * intent in a file, which the open completes first (its number is lower); an append of a write of
 * one database alone in another is written first. Rare: such a read is of a database with such a
 * write buffered, and a write of another database.
 */
int rocks_log_settle_reads(ddb_store *s, uint32_t written)
{
    uint32_t m = reads_now() & ~written;

    if (m == 0)
        return DDB_STORE_OK;
    for (unsigned d = 0; d < MAX_DBS; d++) {
        if ((m & (1u << d)) != 0 && rocks_log_flush_db(s, d) != DDB_STORE_OK)
            return DDB_STORE_EIO;
    }
    owed_reads &= ~m;
    return DDB_STORE_OK;
}

void rocks_log_reads_add(uint32_t m)
{
    owed_reads = reads_now() | m;
}

void rocks_log_reads_end(uint32_t before)
{
    owed_reads &= before; /* (a database flushed meanwhile stays cleared) */
}

int rocks_log_flush_all(ddb_store *s)
{
    int rc = DDB_STORE_OK;

    for (unsigned d = 0; d < MAX_DBS; d++) {
        if (rocks_log_flush_db(s, d) != DDB_STORE_OK)
            rc = DDB_STORE_EIO;
    }
    return rc;
}

int rocks_log_flush(ddb_store *s)
{
    uint32_t m = owed_dbs;
    struct rocks_gate_stripe *g;
    int rc = DDB_STORE_OK;

    owed_dbs = owed_reads = 0;
    if (m == 0)
        return DDB_STORE_OK;
    g = rocks_gate_enter(s);
    for (unsigned d = 0; d < MAX_DBS; d++) {
        if ((m & (1u << d)) != 0 && rocks_log_flush_db(s, d) != DDB_STORE_OK)
            rc = DDB_STORE_EIO;
    }
    rocks_gate_leave(g);
    return rc;
}
