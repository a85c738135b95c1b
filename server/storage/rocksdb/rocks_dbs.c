/*
 * server/storage/rocksdb/rocks_dbs.c: a data directory's databases and writes that span them (the
 * write gate they are written in: rocks_gate.c).
 *
 * Why several databases: one RocksDB database has one write-ahead log and one write queue, and at
 * eight writers a write spent its time waiting in that queue for its group's leader (bench/README.md,
 * "Writes across cores"). Shard k's column family lives in database k % ndbs, each with its own
 * log, queue and memtables, so writers of different shards do not meet. Database 0 is the data
 * directory itself and also holds the metadata and the sequenced puts; database d > 0 is its
 * subdirectory db-<d>, made at its first write. ndbs is fixed when the directory is made
 * ("ddbd/dbs"); a directory made before has none and stays one database.
 *
 * What keeps ddbd's promises:
 * - A batch within one database is one WriteBatch, as before: atomic.
 * - A batch across databases (a transaction, an item and its index entries in other shards, an
 *   item and its stream record) is written part by part: first one part (the "home": choose_home),
 *   then the others in ascending order of database. The home part carries an intent:
 *   every other part's ops under a number. Each other part
 *   carries a marker of that number. The home part's write is the commit point: at open, an
 *   intent whose other part lacks its marker has that part written again. A slot (one a stripe
 *   of threads, one write at a time) reuses one intent key and one marker key a database; the
 *   numbers rise across all slots, so a marker at or above an intent's number says its part is in.
 *   A commit holds its keys' stripes from the first part to the last, so nothing later to those
 *   keys can be undone by a replay: a later write of a key is after the part in that key's
 *   database's log, and lost with it if it is.
 * - Under --sync the home part is synced before the others are written: the OS may otherwise
 *   make a later part durable and lose the intent. Without it, the home part is written to its
 *   log file before the others are written (rocks_log.c): they may wait in their logs' buffers,
 *   which RocksDB or any thread may write at any moment, and a kill -9 must not find one of them
 *   in a file without the intent.
 * - Since a loop's parts may wait in their logs' buffers, a crash may cut short several writes
 *   at once. So a slot's intent in a database is replaced only once the other parts of its write
 *   are in their files (settle_parts): a write cut short keeps its intent; the open completes
 *   the intents in the order of their numbers, which are taken under the keys' stripes, so two
 *   writes of one key land in their order; and a write that read a buffered append
 *   in another database writes that buffer first (rocks_log.c).
 * - In memory nothing survives the process: parts are written without intents.
 * - A reader of one item may see one part before another, as a reader of DynamoDB may see one
 *   item of a committing transaction before another (each read is serializable). A snapshot of the
 *   store (TransactGetItems, exports) closes the write gate, so it sees every database at one
 *   moment: every write is in the gate from its first part to its last.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/base/alloc.h"
#include "server/base/be.h"
#include "server/storage/rocksdb/rocks_internal.h"

#define XCF_NAME "intents"
#define SEQ_MARK (MAX_SHARDS + 1)  /* rocks_db_open's mark for the "seq" column family */
#define XCF_MARK (MAX_SHARDS + 2)  /* and for "intents" */
#define DEFAULT_MARK (MAX_SHARDS + 3)

static void *grow(void *p, size_t n)
{
    if ((p = realloc(p, n)) == NULL)
        abort();
    return p;
}

char *rocks_db_path(const ddb_store *s, unsigned d)
{
    char *p = NULL;

    if (d == 0)
        p = strdup(s->path);
    else if (asprintf(&p, "%s/db-%u", s->path, d) < 0)
        p = NULL;
    if (p == NULL)
        abort();
    return p;
}

/* RocksDB's words for an open that failed, or the words a person can act on where they exist: a
   directory whose LOCK another process holds (another ddbd serving it) is said as the lazy store
   says it of a new directory (lazy.c), not as "IO error: While lock file: .../LOCK: Resource
   temporarily unavailable" (malloc'd). */
static char *open_error(const char *path, const char *err)
{
    char msg[4096];

    if (strstr(err, "While lock file") == NULL || strstr(err, "temporarily unavailable") == NULL)
        return strdup(err);
    snprintf(msg, sizeof(msg), "the data directory %s is in use by another process (Resource temporarily unavailable)",
             path);
    return strdup(msg);
}

static unsigned cf_mark(const char *name)
{
    unsigned k;

    if (strcmp(name, "default") == 0)
        return DEFAULT_MARK;
    if (strcmp(name, "seq") == 0)
        return SEQ_MARK;
    if (strcmp(name, XCF_NAME) == 0)
        return XCF_MARK;
    if (sscanf(name, "shard-%u", &k) != 1 || k >= MAX_SHARDS)
        return UINT32_MAX;
    return k;
}

/* Opens database d with "default" plus the column families it has. */
int rocks_db_open(ddb_store *s, unsigned d, int create, char **errout)
{
    /* (a reopened database's numbers start again from what its files hold: rocks_log.c) */
    __atomic_store_n(&s->flushed[d].v, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&s->synced[d].v, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&s->alone[d].v, 0, __ATOMIC_RELEASE);
    char *err = NULL, *path = rocks_db_path(s, d);
    size_t nexist = 0, n = 1;
    char **existing = rocksdb_list_column_families(s->opts, path, &nexist, &err);
    const char *names[MAX_SHARDS + 3];
    unsigned mark[MAX_SHARDS + 3];
    const rocksdb_options_t *cfopts[MAX_SHARDS + 3];
    rocksdb_column_family_handle_t *handles[MAX_SHARDS + 3];
    rocksdb_t *db;

    if (err != NULL) { /* a new database has no column families yet */
        rocksdb_free(err);
        err = NULL;
        nexist = 0;
        if (!create) {
            free(path);
            return 0;
        }
    }
    if (d > 0 && !s->o.in_memory && mkdir(path, 0755) != 0 && errno != EEXIST) {
        *errout = strdup("cannot create a database's directory in the data directory");
        free(path);
        return -1;
    }
    names[0] = "default";
    mark[0] = DEFAULT_MARK;
    cfopts[0] = s->meta_opts;
    for (size_t i = 0; i < nexist && n < MAX_SHARDS + 3; i++) {
        unsigned m = cf_mark(existing[i]);
        if (m == UINT32_MAX || m == DEFAULT_MARK)
            continue;
        names[n] = existing[i];
        mark[n] = m;
        cfopts[n++] = m == SEQ_MARK ? s->seq_opts : m == XCF_MARK ? s->meta_opts : s->opts;
    }
    db = rocksdb_open_column_families(s->opts, path, (int)n, names, cfopts, handles, &err);
    if (existing != NULL)
        rocksdb_list_column_families_destroy(existing, nexist);
    if (err != NULL) {
        *errout = open_error(path, err);
        rocksdb_free(err);
        free(path);
        return -1;
    }
    free(path);
    for (size_t i = 0; i < n; i++) {
        if (mark[i] == DEFAULT_MARK) {
            if (d == 0)
                s->meta = handles[i];
            else
                rocksdb_column_family_handle_destroy(handles[i]); /* unused beyond database 0 */
        } else if (mark[i] == SEQ_MARK) {
            s->seqcf = handles[i];
        } else if (mark[i] == XCF_MARK) {
            s->xcf[d] = handles[i];
        } else {
            s->shards[mark[i]] = handles[i];
            if (mark[i] + 1 > s->ncf)
                __atomic_store_n(&s->ncf, mark[i] + 1, __ATOMIC_RELEASE);
        }
    }
    if (d == 0)
        s->db = db;
    __atomic_store_n(&s->dbs[d], db, __ATOMIC_RELEASE);
    return 0;
}

rocksdb_t *rocks_db_for_write_locked(ddb_store *s, unsigned d)
{
    char *err = NULL;

    if (s->dbs[d] != NULL)
        return s->dbs[d];
    if (rocks_db_open(s, d, 1, &err) != 0) {
        ddb_log(DDB_LOG_ERROR, "rocksdb: cannot create database %u: %s", d, err != NULL ? err : "?");
        free(err);
        return NULL;
    }
    return s->dbs[d];
}

/* The shard's column family for writing, created if it does not exist yet; NULL on failure. */
rocksdb_column_family_handle_t *rocks_cf_for_write(ddb_store *s, int shard)
{
    rocksdb_column_family_handle_t *cf = cf_of(s, shard);
    char name[24], *err = NULL;

    if (cf != NULL)
        return cf;
    pthread_mutex_lock(&s->cf_lock);
    if ((cf = s->shards[shard]) == NULL) {
        rocksdb_t *db = rocks_db_for_write_locked(s, db_index(s, shard));
        snprintf(name, sizeof(name), "shard-%d", shard);
        if (db != NULL)
            cf = rocksdb_create_column_family(db, s->opts, name, &err);
        if (db == NULL || rocks_check(err, "create column family") != 0)
            cf = NULL;
        else
            __atomic_store_n(&s->shards[shard], cf, __ATOMIC_RELEASE);
        if (cf != NULL && (unsigned)shard + 1 > s->ncf) /* read without the lock by iterators */
            __atomic_store_n(&s->ncf, (unsigned)shard + 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return cf;
}

/* The column family of sequenced puts, created if it does not exist yet; NULL on failure. */
rocksdb_column_family_handle_t *rocks_seq_cf(ddb_store *s, int create)
{
    rocksdb_column_family_handle_t *cf = __atomic_load_n(&s->seqcf, __ATOMIC_ACQUIRE);
    char *err = NULL;

    if (cf != NULL || !create)
        return cf;
    pthread_mutex_lock(&s->cf_lock);
    if ((cf = s->seqcf) == NULL) {
        cf = rocksdb_create_column_family(s->db, s->seq_opts, "seq", &err);
        if (rocks_check(err, "create column family") != 0)
            cf = NULL;
        else
            __atomic_store_n(&s->seqcf, cf, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return cf;
}

/* Database d's "intents" family, created if it does not exist yet; NULL on failure. */
static rocksdb_column_family_handle_t *xcf_for_write(ddb_store *s, unsigned d)
{
    rocksdb_column_family_handle_t *cf = __atomic_load_n(&s->xcf[d], __ATOMIC_ACQUIRE);
    char *err = NULL;
    rocksdb_t *db;

    if (cf != NULL)
        return cf;
    pthread_mutex_lock(&s->cf_lock);
    if ((cf = s->xcf[d]) == NULL && (db = rocks_db_for_write_locked(s, d)) != NULL) {
        cf = rocksdb_create_column_family(db, s->meta_opts, XCF_NAME, &err);
        if (rocks_check(err, "create column family") != 0)
            cf = NULL;
        else
            __atomic_store_n(&s->xcf[d], cf, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&s->cf_lock);
    return cf;
}

/* ---- writes across databases ---- */

/* An intent's and a marker's keys in the "intents" family: 'i' or 'm', then the slot. */
static size_t xkey(char *buf, char kind, unsigned slot)
{
    buf[0] = kind;
    buf[1] = (char)slot;
    return 2;
}

static rocksdb_column_family_handle_t *xop_cf(ddb_store *s, const rocks_xop *op)
{
    return op->shard == XOP_META ? s->meta : op->shard == XOP_SEQ ? rocks_seq_cf(s, 1) : rocks_cf_for_write(s, op->shard);
}

/* An intent's value: its number, then each op as [flags 1][shard + 2: 2][klen 4][key][vlen 4][val]. */
static char *intent_of(const rocks_xop *ops, size_t n, unsigned home, uint64_t id, size_t *len)
{
    size_t total = 8;
    char *buf, *p;

    for (size_t i = 0; i < n; i++) {
        if (ops[i].db != home)
            total += 11 + ops[i].klen + (ops[i].is_delete ? 0 : ops[i].vlen);
    }
    p = buf = grow(NULL, total);
    ddb_put_be(p, id, 8);
    p += 8;
    for (size_t i = 0; i < n; i++) {
        const rocks_xop *op = &ops[i];
        size_t vlen = op->is_delete ? 0 : op->vlen;
        if (op->db == home)
            continue;
        *p++ = (char)(op->is_delete ? 1 : 0);
        ddb_put_be(p, (uint64_t)(op->shard + 2), 2);
        ddb_put_be(p + 2, op->klen, 4);
        memcpy(p + 6, op->key, op->klen);
        p += 6 + op->klen;
        ddb_put_be(p, vlen, 4);
        if (vlen > 0)
            memcpy(p + 4, op->val, vlen);
        p += 4 + vlen;
    }
    *len = total;
    return buf;
}

static int add_op(ddb_store *s, rocksdb_writebatch_t *wb, const rocks_xop *op)
{
    rocksdb_column_family_handle_t *cf = xop_cf(s, op);

    if (cf == NULL)
        return -1;
    if (op->is_delete)
        rocksdb_writebatch_delete_cf(wb, cf, op->key, op->klen);
    else
        rocksdb_writebatch_put_cf(wb, cf, op->key, op->klen, op->val, op->vlen);
    return 0;
}

/* Part d of ops (the ops of database d), with its marker where `id` is not 0, into a fresh batch. */
static rocksdb_writebatch_t *part_of(ddb_store *s, const rocks_xop *ops, size_t n, unsigned d, unsigned slot,
                                     uint64_t id, const char *intent, size_t intent_len)
{
    rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
    rocksdb_column_family_handle_t *xcf = NULL;
    char k[2], v[8];

    for (size_t i = 0; i < n; i++) {
        if (ops[i].db == d && add_op(s, wb, &ops[i]) != 0)
            goto fail;
    }
    if (id != 0) {
        if ((xcf = xcf_for_write(s, d)) == NULL)
            goto fail;
        if (intent != NULL) {
            rocksdb_writebatch_put_cf(wb, xcf, k, xkey(k, 'i', slot), intent, intent_len);
        } else {
            ddb_put_be(v, id, 8);
            rocksdb_writebatch_put_cf(wb, xcf, k, xkey(k, 'm', slot), v, 8);
        }
    }
    return wb;
fail:
    rocksdb_writebatch_destroy(wb);
    return NULL;
}

static int write_part(ddb_store *s, unsigned d, rocksdb_writebatch_t *wb, const rocksdb_writeoptions_t *wo)
{
    char *err = NULL;

    rocksdb_write(s->dbs[d], wo, wb, &err);
    rocksdb_writebatch_destroy(wb);
    if (err != NULL && s->note_error != NULL)
        s->note_error(s, err);
    else if (err == NULL)
        rocks_note_written(s, d);
    if (err == NULL)
        return rocks_log_wrote(s, d);
    return rocks_check(err, "write");
}

/*
 * A part that failed after its write's first part was in (a full disk, a failing one) waits in
 * its database's queue, and every later write to that database first writes what waits there,
 * in order, or fails (so nothing later to those keys lands before it); as does the slot's next
 * write, whose intent would replace this one's. The first write after the guard's resume (the
 * disk has room again) empties the queues; a restart completes them from the intents. Its write
 * was answered as failed (InternalServerError: DynamoDB's outcome unknown), and lands whole.
 */
struct rocks_pending {
    struct rocks_pending *next;
    unsigned slot;
    uint64_t id;
    char *intent; /* the write's ops (intent_of), this database's among them */
    size_t len;
};

static rocks_xop *parse_intent(ddb_store *s, const char *v, size_t vlen, size_t *nout);

static void pend(ddb_store *s, unsigned d, unsigned slot, uint64_t id, const rocks_xop *ops, size_t n)
{
    struct rocks_pending *p = grow(NULL, sizeof(*p)), **tail;

    p->next = NULL;
    p->slot = slot;
    p->id = id;
    p->intent = intent_of(ops, n, MAX_DBS, id, &p->len); /* (every op: none is the home's) */
    pthread_mutex_lock(&s->pend_lock);
    for (tail = &s->pending[d]; *tail != NULL; tail = &(*tail)->next)
        ;
    *tail = p;
    __atomic_add_fetch(&s->npending, 1, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&s->xslots[slot].waiting, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_unlock(&s->pend_lock);
    ddb_log(DDB_LOG_ERROR, "rocksdb: a part of a write across databases failed after its first part was in; "
                           "it waits for database %u's next write (or the next start)", d);
}

int rocks_drain(ddb_store *s, unsigned d)
{
    int rc = DDB_STORE_OK;

    if (__atomic_load_n(&s->npending, __ATOMIC_ACQUIRE) == 0)
        return DDB_STORE_OK;
    pthread_mutex_lock(&s->pend_lock);
    while (s->pending[d] != NULL && rc == DDB_STORE_OK) {
        struct rocks_pending *p = s->pending[d];
        size_t n = 0;
        rocks_xop *ops = parse_intent(s, p->intent, p->len, &n);
        rocksdb_writebatch_t *wb = ops != NULL ? part_of(s, ops, n, d, p->slot, p->id, NULL, 0) : NULL;
        rc = wb != NULL ? write_part(s, d, wb, s->wopts) : DDB_STORE_EIO;
        /* in its file before the slot's next intent can be (settle_parts); if it cannot be, it
           stays here and is written again (its ops and marker are the same) */
        if (rc == DDB_STORE_OK)
            rc = rocks_log_settle(s, d, rocks_log_seq(s, d));
        free(ops);
        if (rc != DDB_STORE_OK)
            break;
        s->pending[d] = p->next;
        __atomic_sub_fetch(&s->npending, 1, __ATOMIC_SEQ_CST);
        __atomic_sub_fetch(&s->xslots[p->slot].waiting, 1, __ATOMIC_SEQ_CST);
        free(p->intent);
        free(p);
        ddb_log(DDB_LOG_WARN, "rocksdb: a part of a write across databases that had failed is in database %u", d);
    }
    pthread_mutex_unlock(&s->pend_lock);
    return rc;
}

int rocks_drain_all(ddb_store *s)
{
    int rc = DDB_STORE_OK;

    for (unsigned d = 0; d < MAX_DBS && __atomic_load_n(&s->npending, __ATOMIC_ACQUIRE) > 0; d++) {
        if (rocks_drain(s, d) != DDB_STORE_OK)
            rc = DDB_STORE_EIO;
    }
    return rc;
}

/*
 * The other parts of the write whose intent the slot keeps in `home` in their log files (synced
 * under --sync) before this write's intent replaces it there: a write that lacks a part after a
 * crash keeps its intent. A loop's parts wait in their logs' buffers until its turn's end
 * (rocks_log.c), so this writes them only where a slot's two writes of one turn share a home.
 */
static int settle_parts(ddb_store *s, struct rocks_xslot *x, unsigned home)
{
    uint64_t *parts = x->parts[home];

    for (unsigned d = 0; d < MAX_DBS; d++) {
        if (parts[d] == 0)
            continue;
        if (rocks_log_settle(s, d, parts[d]) != DDB_STORE_OK)
            return DDB_STORE_EIO;
        parts[d] = 0;
    }
    return DDB_STORE_OK;
}

/* The log files a write whose home is h would have to write first, beyond h's own: the parts of
   the write whose intent the slot keeps in h, and what the thread's reads owe elsewhere. */
static unsigned home_cost(ddb_store *s, const struct rocks_xslot *x, unsigned h)
{
    unsigned cost = (unsigned)__builtin_popcount(rocks_log_reads_owed() & ~(1u << h));

    for (unsigned d = 0; d < MAX_DBS; d++)
        cost += x->parts[h][d] != 0 && !rocks_log_settled(s, d, x->parts[h][d]);
    return cost;
}

/*
 * The home: of the databases the write touches, the one whose intent's write makes the fewest
 * other log files be written first (a database its reads owe is written with the intent; one
 * whose slot intent's write is still buffered elsewhere would make those be written), then the
 * part of the most bytes, so that the intent holds the least (an item's put, say, and not its
 * index entries' too). In memory there are no intents: the most bytes.
 */
static unsigned choose_home(ddb_store *s, const struct rocks_xslot *x, const size_t *bytes, int durable)
{
    unsigned home = MAX_DBS, best = ~0u;

    for (unsigned d = 0; d < MAX_DBS; d++) {
        unsigned c;
        if (bytes[d] == 0)
            continue;
        c = durable && s->manual_flush ? home_cost(s, x, d) : 0;
        if (home == MAX_DBS || c < best || (c == best && bytes[d] > bytes[home])) {
            home = d;
            best = c;
        }
    }
    return home;
}

int rocks_xwrite(ddb_store *s, const rocks_xop *ops, size_t n, const rocksdb_writeoptions_t *wo)
{
    unsigned home = 0, used[MAX_DBS] = {0}, slot = ddb_stripe_self();
    struct rocks_xslot *x = &s->xslots[slot];
    int durable = !s->o.in_memory, rc, waiting = 0;
    char *intent = NULL;
    size_t intent_len = 0, bytes[MAX_DBS] = {0};
    uint64_t id = 0;
    rocksdb_writebatch_t *wb;

    for (size_t i = 0; i < n; i++) {
        used[ops[i].db] = 1;
        bytes[ops[i].db] += ops[i].klen + (ops[i].is_delete ? 0 : ops[i].vlen) + 1;
    }
    pthread_mutex_lock(&x->m);
    home = choose_home(s, x, bytes, durable);
    /* the slot's last write must be whole before its intent is replaced; and this write's home
       database must have nothing waiting */
    if ((__atomic_load_n(&x->waiting, __ATOMIC_ACQUIRE) > 0 && rocks_drain_all(s) != DDB_STORE_OK) ||
        rocks_drain(s, home) != DDB_STORE_OK ||
        (durable && (settle_parts(s, x, home) != DDB_STORE_OK || rocks_log_settle_reads(s, 1u << home) != DDB_STORE_OK))) {
        pthread_mutex_unlock(&x->m);
        return DDB_STORE_EIO; /* nothing applied */
    }
    if (durable) {
        id = __atomic_add_fetch(&s->xlast, 1, __ATOMIC_SEQ_CST);
        intent = intent_of(ops, n, home, id, &intent_len);
    }
    wb = part_of(s, ops, n, home, slot, id, intent, intent_len);
    free(intent);
    if (wb == NULL) {
        pthread_mutex_unlock(&x->m);
        return DDB_STORE_EIO;
    }
    /* the commit point; under --sync durable before any other part can be */
    rc = write_part(s, home, wb, durable && s->wopts_sync != NULL && wo == s->wopts ? s->wopts_sync : wo);
    if (rc != DDB_STORE_OK) {
        pthread_mutex_unlock(&x->m);
        return rc; /* nothing applied */
    }
    /* in its log file before any other part can be (rocks_log.c); if it cannot be, the other parts
       wait as a failed part does, and a crash leaves none of the write */
    if (durable && rocks_log_flush_db(s, home) != DDB_STORE_OK) {
        for (unsigned d = 0; d < MAX_DBS; d++) {
            if (used[d] && d != home)
                pend(s, d, slot, id, ops, n);
        }
        pthread_mutex_unlock(&x->m);
        return DDB_STORE_EIO;
    }
    ddb_crash_point("xdb-between-parts");
    for (unsigned d = 0; d < MAX_DBS; d++) {
        if (!used[d] || d == home)
            continue;
        rc = rocks_drain(s, d);
        if (rc == DDB_STORE_OK)
            rc = (wb = part_of(s, ops, n, d, slot, id, NULL, 0)) != NULL ? write_part(s, d, wb, wo) : DDB_STORE_EIO;
        if (rc != DDB_STORE_OK) {
            pend(s, d, slot, id, ops, n);
            waiting = 1;
        } else if (durable) {
            x->parts[home][d] = rocks_log_seq(s, d); /* (at least this part's number) */
        }
    }
    pthread_mutex_unlock(&x->m);
    return waiting ? DDB_STORE_EIO : DDB_STORE_OK;
}

void rocks_pending_free(ddb_store *s)
{
    for (unsigned d = 0; d < MAX_DBS; d++) {
        while (s->pending[d] != NULL) {
            struct rocks_pending *p = s->pending[d];
            s->pending[d] = p->next;
            free(p->intent);
            free(p);
        }
    }
    s->npending = 0;
    for (unsigned i = 0; i < DDB_STRIPES; i++)
        s->xslots[i].waiting = 0;
}

/* ---- at open: the count, the other databases, and the intents a crash left ---- */

static uint64_t val_id(const char *v, size_t vlen)
{
    return vlen >= 8 ? ddb_get_be(v, 8) : 0;
}

/* The highest number in intents and markers, so that new ones are higher (a directory of a version
   before numbers were shared by the slots has each slot's own: above them all is above each). */
static void load_numbers(ddb_store *s)
{
    for (unsigned d = 0; d < MAX_DBS; d++) {
        rocksdb_iterator_t *it;
        if (s->dbs[d] == NULL || s->xcf[d] == NULL)
            continue;
        it = rocksdb_create_iterator_cf(s->dbs[d], s->ropts, s->xcf[d]);
        for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
            size_t klen, vlen;
            const char *k = rocksdb_iter_key(it, &klen), *v = rocksdb_iter_value(it, &vlen);
            uint64_t id = val_id(v, vlen);
            if (klen == 2 && (unsigned char)k[1] < DDB_STRIPES && id > s->xlast)
                s->xlast = id;
        }
        rocksdb_iter_destroy(it);
    }
}

/* An intent's ops back, pointing into `v` (NULL on a malformed one). */
static rocks_xop *parse_intent(ddb_store *s, const char *v, size_t vlen, size_t *nout)
{
    size_t n = 0, cap = 8, off = 8;
    rocks_xop *ops = grow(NULL, cap * sizeof(*ops));

    while (off < vlen) {
        rocks_xop *op;
        size_t klen, l;
        if (vlen - off < 7)
            goto bad;
        if (n == cap)
            ops = grow(ops, (cap *= 2) * sizeof(*ops));
        op = &ops[n++];
        op->is_delete = v[off] & 1;
        op->shard = (int)ddb_get_be(v + off + 1, 2) - 2;
        klen = ddb_get_be(v + off + 3, 4);
        off += 7;
        if (op->shard < XOP_SEQ || op->shard >= MAX_SHARDS || vlen - off < klen + 4)
            goto bad;
        op->key = v + off;
        op->klen = klen;
        off += klen;
        l = ddb_get_be(v + off, 4);
        off += 4;
        if (vlen - off < l)
            goto bad;
        op->val = v + off;
        op->vlen = l;
        off += l;
        op->db = op->shard < 0 ? 0 : db_index(s, op->shard);
    }
    *nout = n;
    return ops;
bad:
    free(ops);
    return NULL;
}

/* Writes again every part of the intent that lacks its marker; the count written, or -1. */
static int complete(ddb_store *s, unsigned home, unsigned slot, const char *v, size_t vlen)
{
    uint64_t id = val_id(v, vlen);
    size_t n = 0;
    rocks_xop *ops = parse_intent(s, v, vlen, &n);
    int written = 0;

    if (ops == NULL) {
        ddb_log(DDB_LOG_ERROR, "rocksdb: database %u holds a malformed intent (slot %u)", home, slot);
        return -1;
    }
    for (unsigned d = 0; d < MAX_DBS && written >= 0; d++) {
        rocksdb_column_family_handle_t *xcf;
        char k[2], *mv = NULL, *err = NULL;
        size_t mlen = 0, i;
        rocksdb_writebatch_t *wb;
        for (i = 0; i < n && ops[i].db != d; i++)
            ;
        if (d == home || i == n)
            continue;
        pthread_mutex_lock(&s->cf_lock);
        xcf = rocks_db_for_write_locked(s, d) != NULL ? s->xcf[d] : NULL;
        pthread_mutex_unlock(&s->cf_lock);
        if (xcf != NULL)
            mv = rocksdb_get_cf(s->dbs[d], s->ropts, xcf, k, xkey(k, 'm', slot), &mlen, &err);
        if (rocks_check(err, "get") != 0) {
            written = -1;
            break;
        }
        if (mv != NULL && val_id(mv, mlen) >= id) {
            rocksdb_free(mv);
            continue;
        }
        rocksdb_free(mv);
        if ((wb = part_of(s, ops, n, d, slot, id, NULL, 0)) == NULL ||
            write_part(s, d, wb, s->wopts_sync != NULL ? s->wopts_sync : s->wopts) != DDB_STORE_OK)
            written = -1;
        else
            written++;
    }
    free(ops);
    return written;
}

/* An intent found at open: where, whose, and its value (copied). */
struct found_intent {
    uint64_t id;
    unsigned home, slot;
    char *v;
    size_t vlen;
};

static int by_number(const void *a, const void *b)
{
    uint64_t x = ((const struct found_intent *)a)->id, y = ((const struct found_intent *)b)->id;

    return x < y ? -1 : x > y;
}

/*
 * Every intent completed, in the order of their numbers: since a loop's parts wait in their logs'
 * buffers (rocks_log.c), a crash may cut short several writes, of several slots, over the same
 * keys, and their parts must land in the order they were written (the numbers' order: each was
 * taken under the keys' stripes) for the last to win, as it did.
 */
static int replay(ddb_store *s)
{
    struct found_intent *f = NULL;
    size_t nf = 0, cap = 0;
    int done = 0;

    for (unsigned h = 0; h < MAX_DBS; h++) {
        rocksdb_iterator_t *it;
        if (s->dbs[h] == NULL || s->xcf[h] == NULL)
            continue;
        it = rocksdb_create_iterator_cf(s->dbs[h], s->ropts, s->xcf[h]);
        for (rocksdb_iter_seek_to_first(it); rocksdb_iter_valid(it); rocksdb_iter_next(it)) {
            size_t klen, vlen;
            const char *k = rocksdb_iter_key(it, &klen), *v = rocksdb_iter_value(it, &vlen);
            if (klen != 2 || k[0] != 'i' || (unsigned char)k[1] >= DDB_STRIPES)
                continue;
            if (nf == cap)
                f = grow(f, (cap = cap ? 2 * cap : 64) * sizeof(*f));
            f[nf].id = val_id(v, vlen);
            f[nf].home = h;
            f[nf].slot = (unsigned char)k[1];
            f[nf].v = grow(NULL, vlen ? vlen : 1);
            memcpy(f[nf].v, v, vlen);
            f[nf++].vlen = vlen;
        }
        rocksdb_iter_destroy(it);
    }
    if (nf > 1)
        qsort(f, nf, sizeof(*f), by_number);
    for (size_t i = 0; i < nf; i++) {
        int n = done >= 0 ? complete(s, f[i].home, f[i].slot, f[i].v, f[i].vlen) : 0;
        if (n < 0)
            done = -1;
        else if (n > 0) {
            ddb_log(DDB_LOG_WARN, "rocksdb: completed a write across databases that was cut short (a crash, or a full disk) "
                                  "(%d part%s written again)", n, n == 1 ? "" : "s");
            done++;
        }
        free(f[i].v);
    }
    free(f);
    return done < 0 ? -1 : 0;
}

int rocks_dbs_open(ddb_store *s, unsigned want_shards, char **errout)
{
    char *err = NULL, buf[16];
    size_t vlen = 0;
    char *v = rocksdb_get_cf(s->db, s->ropts, s->meta, "ddbd/dbs", 8, &vlen, &err);
    unsigned n;

    if (rocks_check(err, "get") != 0) {
        *errout = strdup("cannot read the data directory's database count");
        return -1;
    }
    if (v != NULL) {
        snprintf(buf, sizeof(buf), "%.*s", (int)(vlen < 15 ? vlen : 15), v);
        rocksdb_free(v);
        n = (unsigned)strtoul(buf, NULL, 10);
        if (n < 1 || n > MAX_DBS) {
            *errout = strdup("the data directory's database count (ddbd/dbs) is out of range");
            return -1;
        }
    } else {
        /* a directory made before several databases keeps its one; a new one gets one a shard */
        n = s->format_found != 0 ? 1 : want_shards < 1 ? 1 : want_shards > MAX_DBS ? MAX_DBS : want_shards;
        snprintf(buf, sizeof(buf), "%u", n);
        rocksdb_put_cf(s->db, s->wopts, s->meta, "ddbd/dbs", 8, buf, strlen(buf), &err);
        if (rocks_check(err, "put") != 0) {
            *errout = strdup("cannot write the data directory's database count");
            return -1;
        }
    }
    s->ndbs = n;
    for (unsigned k = 0; k < MAX_SHARDS; k++)
        s->shard_db[k] = (unsigned char)(k % n);
    for (unsigned d = 0; d < MAX_DBS; d++) /* --sync: what the open wrote is in the first group */
        s->unsynced[d].v = 1;
    /* the memtables' budget (rocks.c's 256 MB) shared by the other databases */
    if (n > 1)
        rocksdb_options_set_db_write_buffer_size(s->opts, (256u << 20) / n);
    for (unsigned d = 1; d < n; d++) {
        if (rocks_db_open(s, d, 0, errout) != 0)
            return -1;
    }
    s->stopped = 0; /* (a reopen after a stuck resume: every database takes writes again) */
    load_numbers(s);
    if (replay(s) != 0) {
        *errout = strdup("cannot complete a write across databases that a crash cut short (see the log)");
        return -1;
    }
    return 0;
}

void rocks_dbs_close(ddb_store *s)
{
    rocks_pending_free(s); /* (on disk the intents complete them at the next open) */
    for (unsigned d = 0; d < MAX_DBS; d++) {
        if (s->xcf[d] != NULL)
            rocksdb_column_family_handle_destroy(s->xcf[d]);
        s->xcf[d] = NULL;
    }
    for (unsigned d = 1; d < MAX_DBS; d++) {
        if (s->dbs[d] != NULL)
            rocksdb_close(s->dbs[d]);
        s->dbs[d] = NULL;
    }
}

void rocks_dbs_init(ddb_store *s)
{
    pthread_mutex_init(&s->gate_lock, NULL);
    pthread_mutex_init(&s->pend_lock, NULL);
    for (unsigned i = 0; i < DDB_STRIPES; i++)
        pthread_mutex_init(&s->xslots[i].m, NULL);
    s->ndbs = 1;
}

void rocks_dbs_destroy(ddb_store *s)
{
    pthread_mutex_destroy(&s->gate_lock);
    pthread_mutex_destroy(&s->pend_lock);
    for (unsigned i = 0; i < DDB_STRIPES; i++)
        pthread_mutex_destroy(&s->xslots[i].m);
}
