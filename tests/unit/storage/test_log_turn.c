/*
 * tests/unit/storage/test_log_turn.c: a loop's log appends written once a turn
 * (server/base/log_turn.h, server/storage/rocksdb/rocks_log.c), read off the log files themselves.
 * A loop's write stays in the log's buffer, and owes a flush, until its turn ends; a thread that
 * does not defer writes its append at once, as RocksDB did by itself; a read that saw an append
 * still in a buffer owes its flush too (no answer may show a write a kill -9 could take back), and
 * one that saw none owes nothing; the first part of a write across databases is in its log file
 * at once, and a process killed before its turn's end comes back with the whole write. Several
 * writes across databases that one kill cuts short come back whole and in their order (keys placed
 * in chosen databases), and a write that read a buffered append of another database writes that
 * first, when it may depend on the read: in the read's commit or request. A meta commit (a catalog
 * change) is in its log file when it returns. Without the disk guard (--min-free-disk 0) nothing
 * is deferred.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "server/base/log_turn.h"
#include "server/storage/storage.h"
#include "store_keys.h"
#include "test.h"

#define KFMT "%04dkey"
#define open_at(path, nshards) open_guarded(path, nshards)
#define NKEYS 64 /* keys of one batch: with 3 databases, in all of them (placement by hash) */

/* A store of nshards at `path` (as store_open_at) with the disk guard on, as a server runs by default:
   appends are deferred only then (rocks.c). */
static ddb_store *open_guarded(const char *path, unsigned nshards)
{
    ddb_store_options o;
    char *err = NULL;
    ddb_store *s;

    memset(&o, 0, sizeof(o));
    o.path = path;
    o.nshards = nshards;
    o.default_nshards = nshards;
    o.key_hash = store_fnv_hash;
    o.partition_bytes = 6;
    o.open_now = 1;
    o.min_free_bytes = 1;
    if ((s = ddb_store_open(&o, &err)) == NULL)
        fprintf(stderr, "open %s: %s\n", path, err ? err : "?");
    free(err);
    return s;
}

/* Whether one of the write-ahead logs (*.log) directly in `dir` holds `needle`. */
static int log_in(const char *dir, const char *needle)
{
    DIR *dp = opendir(dir);
    struct dirent *e;
    int found = 0;

    if (dp == NULL)
        return 0;
    while (!found && (e = readdir(dp)) != NULL) {
        size_t n = strlen(e->d_name), len = 0;
        char path[1024], *text = NULL;
        FILE *f;
        if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if ((f = fopen(path, "rb")) == NULL)
            continue;
        text = malloc(1 << 22);
        len = fread(text, 1, 1 << 22, f);
        fclose(f);
        found = memmem(text, len, needle, strlen(needle)) != NULL;
        free(text);
    }
    closedir(dp);
    return found;
}

/* How many of the directory's databases (itself and db-1, db-2) have `needle` in their logs. */
static int logs_with(const char *dir, const char *needle)
{
    char sub[1024];
    int n = log_in(dir, needle);

    for (int d = 1; d < 3; d++) {
        snprintf(sub, sizeof(sub), "%s/db-%d", dir, d);
        n += log_in(sub, needle);
    }
    return n;
}

struct turn {
    ddb_store *s;
    const char *dir;
    const char *value; /* what the thread writes, or NULL */
    int nkeys;
    int owed_after;     /* ddb_log_turn_owed after its write or read */
    int in_log_before;  /* databases whose logs held the value before the turn's flush */
    int flush, flushed; /* flush at the end (its result) */
    int owed_at_end;
    int rc; /* the write's or read's */
};

/* A loop's turn on its own thread: a write of t->value (or a read of key 0), then, with t->flush,
   the turn's end. */
static void *loop_turn(void *arg)
{
    struct turn *t = arg;
    ddb_arena a;
    char *v = NULL;
    size_t vlen = 0;

    ddb_log_turn_defer();
    ddb_arena_init(&a);
    if (t->value != NULL)
        t->rc = store_keys_write(t->s, t->nkeys, KFMT, t->value);
    else
        t->rc = ddb_store_get(t->s, &a, "0000key", 7, &v, &vlen);
    t->owed_after = ddb_log_turn_owed();
    t->in_log_before = t->value != NULL ? logs_with(t->dir, t->value) : 0;
    if (t->flush)
        t->flushed = ddb_log_turn_flush();
    t->owed_at_end = ddb_log_turn_owed();
    ddb_arena_free(&a);
    return NULL;
}

static void run_turn(struct turn *t)
{
    pthread_t th;

    if (pthread_create(&th, NULL, loop_turn, t) != 0 || pthread_join(th, NULL) != 0)
        abort();
}

TEST(a_loops_write_reaches_its_log_file_at_its_turns_end)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    struct turn t = {0};

    ASSERT(dir != NULL);
    s = open_at(dir, 1);
    ASSERT(s != NULL);
    t = (struct turn){.s = s, .dir = dir, .value = "deferred-A", .nkeys = 1, .flush = 1};
    run_turn(&t);
    ASSERT_EQ(t.rc, DDB_STORE_OK);
    ASSERT_EQ(t.owed_after, 1);
    ASSERT_EQ(t.in_log_before, 0); /* in the buffer only */
    ASSERT_EQ(t.flushed, 0);
    ASSERT_EQ(t.owed_at_end, 0);
    ASSERT_EQ(logs_with(dir, "deferred-A"), 1);
    /* a thread that does not defer (this one) writes its append at once */
    ASSERT_EQ(store_keys_write(s, 1, KFMT, "direct-B"), DDB_STORE_OK);
    ASSERT_EQ(logs_with(dir, "direct-B"), 1);
    ASSERT_EQ(ddb_log_turn_owed(), 0);
    ddb_store_close(s);
    store_rm_dir(dir);
}

TEST(a_read_that_saw_an_append_still_buffered_owes_its_flush)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    struct turn w, r;

    ASSERT(dir != NULL);
    s = open_at(dir, 1);
    ASSERT(s != NULL);
    /* a loop writes and has not ended its turn (its thread gone: the append stays buffered) */
    w = (struct turn){.s = s, .dir = dir, .value = "seen-C", .nkeys = 1};
    run_turn(&w);
    ASSERT_EQ(w.owed_after, 1);
    ASSERT_EQ(logs_with(dir, "seen-C"), 0);
    /* another loop reads it: its answer owes that flush, which its turn's end makes */
    r = (struct turn){.s = s, .dir = dir, .flush = 1};
    run_turn(&r);
    ASSERT_EQ(r.rc, DDB_STORE_OK);
    ASSERT_EQ(r.owed_after, 1);
    ASSERT_EQ(r.flushed, 0);
    ASSERT_EQ(logs_with(dir, "seen-C"), 1);
    /* a read of a database with nothing buffered owes nothing: its answer is not held */
    r = (struct turn){.s = s, .dir = dir, .flush = 1};
    run_turn(&r);
    ASSERT_EQ(r.owed_after, 0);
    /* a thread that does not defer writes what its read saw at once */
    w = (struct turn){.s = s, .dir = dir, .value = "seen-D", .nkeys = 1};
    run_turn(&w);
    ASSERT_EQ(logs_with(dir, "seen-D"), 0);
    ASSERT_EQ(store_keys_differ(s, 1, KFMT, "seen-D"), 0);
    ASSERT_EQ(logs_with(dir, "seen-D"), 1);
    ddb_store_close(s);
    store_rm_dir(dir);
}

TEST(the_first_part_of_a_write_across_databases_is_in_its_log_at_once)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    struct turn t;

    ASSERT(dir != NULL);
    s = open_at(dir, 3);
    ASSERT(s != NULL);
    t = (struct turn){.s = s, .dir = dir, .value = "across-E", .nkeys = NKEYS, .flush = 1};
    run_turn(&t);
    ASSERT_EQ(t.rc, DDB_STORE_OK);
    /* the home part (with the intent, which holds the other parts) written, the others buffered */
    ASSERT_EQ(t.in_log_before, 1);
    ASSERT_EQ(t.flushed, 0);
    ASSERT_EQ(logs_with(dir, "across-E"), 3);
    ddb_store_close(s);
    store_rm_dir(dir);
}

TEST(a_loop_killed_before_its_turns_end_leaves_a_write_across_databases_whole)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    pid_t pid;
    int status = 0;

    ASSERT(dir != NULL);
    s = open_at(dir, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(store_keys_write(s, NKEYS, KFMT, "old"), DDB_STORE_OK);
    ddb_store_close(s);
    if ((pid = fork()) == 0) {
        s = open_at(dir, 3);
        if (s == NULL)
            _exit(3);
        ddb_log_turn_defer();
        if (store_keys_write(s, NKEYS, KFMT, "new") != DDB_STORE_OK || logs_with(dir, "new") != 1)
            _exit(4);
        raise(SIGKILL); /* before the turn's end: only the first part is in a log file */
        _exit(5);
    }
    ASSERT(waitpid(pid, &status, 0) == pid);
    ASSERT(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    s = open_at(dir, 3);
    ASSERT(s != NULL);
    ASSERT_EQ(store_keys_differ(s, NKEYS, KFMT, "new"), 0); /* completed from the intent at open */
    ddb_store_close(s);
    store_rm_dir(dir);
}

/* ---- writes across databases cut short together: placed by hand ---- */

/* The database (0-2) of `key` in the store at `dir`, found by a write of it that a thread that
   does not defer puts in its log file at once. */
static int db_of(ddb_store *s, const char *dir, const char *key)
{
    char probe[64], sub[1024];

    snprintf(probe, sizeof(probe), "probe-%s", key);
    if (store_keys_write(s, 1, key, probe) != DDB_STORE_OK) /* (the format has no %d: the key itself) */
        return -1;
    snprintf(probe, sizeof(probe), "probe-%s0", key);
    for (int d = 0; d < 3; d++) {
        if (d == 0)
            snprintf(sub, sizeof(sub), "%s", dir);
        else
            snprintf(sub, sizeof(sub), "%s/db-%d", dir, d);
        if (log_in(sub, probe))
            return d;
    }
    return -1;
}

/* Keys of each database: keys[d][0..n-1], "p000".. in order. */
static void keys_by_db(ddb_store *s, const char *dir, char keys[3][8][16], int n)
{
    int have[3] = {0};

    for (int i = 0; have[0] < n || have[1] < n || have[2] < n; i++) {
        char k[16];
        int d;
        snprintf(k, sizeof(k), "p%03d", i % 1000);
        d = db_of(s, dir, k);
        if (d >= 0 && have[d] < n)
            snprintf(keys[d][have[d]++], 16, "%s", k);
    }
}

/* One batch: a large value under `big` (so its database is the write's home, holding the intent)
   and `tag` under `small`. */
static int write_two(ddb_store *s, const char *big, const char *small, const char *tag)
{
    char large[256];
    ddb_arena a;
    ddb_batch b;
    int rc;

    memset(large, 'L', sizeof(large) - 1);
    large[sizeof(large) - 1] = '\0';
    ddb_arena_init(&a);
    ddb_batch_init(&b, &a);
    ddb_batch_put(&b, big, strlen(big), large, strlen(large));
    ddb_batch_put(&b, small, strlen(small), tag, strlen(tag));
    rc = ddb_store_write(s, &b);
    ddb_arena_free(&a);
    return rc;
}

static int reads_as(ddb_store *s, const char *key, const char *want)
{
    ddb_arena a;
    char *v = NULL;
    size_t vlen = 0;
    int ok;

    ddb_arena_init(&a);
    ok = ddb_store_get(s, &a, key, strlen(key), &v, &vlen) == DDB_STORE_OK && v != NULL && vlen == strlen(want) &&
         memcmp(v, want, vlen) == 0;
    ddb_arena_free(&a);
    return ok;
}

struct cut {
    ddb_store *s;
    const char *big, *small, *tag;
    int rc;
};

/* A loop's write on a thread of its own (its own slot), its turn never ended. */
static void *cut_turn(void *arg)
{
    struct cut *c = arg;

    ddb_log_turn_defer();
    c->rc = write_two(c->s, c->big, c->small, c->tag);
    return NULL;
}

/*
 * Writes w[0..n-1] in a child, each from a loop that never ends its turn (`threads`: each on its
 * own thread and slot, else all on one), which is then killed; the directory reopened.
 */
static ddb_store *cut_short(const char *dir, struct cut *w, int n, int threads)
{
    pid_t pid;
    int status = 0;

    if ((pid = fork()) == 0) {
        ddb_store *s = open_at(dir, 3);
        if (s == NULL)
            _exit(3);
        if (!threads)
            ddb_log_turn_defer();
        for (int i = 0; i < n; i++) {
            pthread_t th;
            w[i].s = s;
            if (threads) {
                if (pthread_create(&th, NULL, cut_turn, &w[i]) != 0 || pthread_join(th, NULL) != 0)
                    _exit(4);
            } else {
                w[i].rc = write_two(s, w[i].big, w[i].small, w[i].tag);
            }
            if (w[i].rc != DDB_STORE_OK)
                _exit(5);
        }
        raise(SIGKILL); /* before any turn's end */
        _exit(6);
    }
    if (waitpid(pid, &status, 0) != pid || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        return NULL;
    return open_at(dir, 3);
}

/* A fresh directory of 3 databases, keys[d][0..1] two keys of database d; NULL on failure. */
static char *placed_dir(char *tmpl, char keys[3][8][16])
{
    char *dir = mkdtemp(tmpl);
    ddb_store *s = dir != NULL ? open_at(dir, 3) : NULL;

    if (s == NULL)
        return NULL;
    keys_by_db(s, dir, keys, 2);
    ddb_store_close(s);
    return dir;
}

/* Of w[0..n-1] cut short together (cut_short), how many small keys do not read back as the last
   write of each left them; -1 when the reopen failed. */
static int cut_lost(const char *dir, struct cut *w, int n, int threads)
{
    ddb_store *s = cut_short(dir, w, n, threads);
    int lost = 0;

    if (s == NULL)
        return -1;
    for (int i = 0; i < n; i++) {
        int later = 0;
        for (int j = i + 1; j < n; j++)
            later |= strcmp(w[j].small, w[i].small) == 0;
        lost += !later && !reads_as(s, w[i].small, w[i].tag);
    }
    ddb_store_close(s);
    return lost;
}

/*
 * A slot keeps one intent a database: a loop's write whose home held the intent of an earlier one
 * of its turn would replace it while that write's other part was still buffered, and that part,
 * which a later marker then stands for, was lost (test_transact_crash's transfers lost money so).
 * Here the third write's two databases both hold such an intent (the first's, with a part in 0,
 * and the second's, with one in 0 too): its home's last parts are written first.
 */
TEST(a_loops_write_that_replaces_an_intent_of_its_turn_keeps_that_write_whole)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX", keys[3][8][16];
    char *dir = placed_dir(tmpl, keys);
    struct cut w[3];

    ASSERT(dir != NULL);
    w[0] = (struct cut){.big = keys[2][0], .small = keys[0][0], .tag = "first"};
    w[1] = (struct cut){.big = keys[1][0], .small = keys[0][1], .tag = "second"};
    w[2] = (struct cut){.big = keys[2][1], .small = keys[1][1], .tag = "third"};
    ASSERT_EQ(cut_lost(dir, w, 3, 0), 0);
    store_rm_dir(dir);
}

/*
 * A loop's two writes with homes in databases 2 and then 0, both with a part in 1: were the open
 * to complete intents database by database, the second's part (and marker) would go in first and
 * the first's part be taken as in. Intents complete in the order of their numbers.
 */
TEST(writes_cut_short_together_are_completed_in_their_order)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX", keys[3][8][16];
    char *dir = placed_dir(tmpl, keys);
    struct cut w[2];

    ASSERT(dir != NULL);
    w[0] = (struct cut){.big = keys[2][0], .small = keys[1][0], .tag = "first"};
    w[1] = (struct cut){.big = keys[0][0], .small = keys[1][1], .tag = "second"};
    ASSERT_EQ(cut_lost(dir, w, 2, 0), 0);
    store_rm_dir(dir);
}

/* Two loops (two slots) write one key in turn, in writes whose homes are databases 2 and then 0:
   the later value wins after the open, as it had. */
TEST(two_loops_writes_of_one_key_cut_short_together_keep_their_order)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX", keys[3][8][16];
    char *dir = placed_dir(tmpl, keys);
    struct cut w[2];

    ASSERT(dir != NULL);
    w[0] = (struct cut){.big = keys[2][0], .small = keys[1][0], .tag = "earlier"};
    w[1] = (struct cut){.big = keys[0][0], .small = keys[1][0], .tag = "later"};
    ASSERT_EQ(cut_lost(dir, w, 2, 1), 0);
    store_rm_dir(dir);
}

/* How a loop reads `read` and then writes `write` (read_then_write). */
enum how {
    GET_THEN_WRITE,   /* a read, then a write, in one request */
    NEXT_REQUEST,     /* a read, then a write in the loop's next request (log_turn.h) */
    IN_ONE_COMMIT,    /* one commit that reads `read` and writes `write` */
    NEXT_COMMIT,      /* a commit that reads and writes `read`, then one that writes `write` */
    EACH_OWN,         /* ddb_store_commit_each: a unit that reads `read` and writes `write`, and one of
                         another key of `write`'s database, written together */
    EACH_OTHER        /* ddb_store_commit_each: a unit that reads and writes `read`, and one that writes
                         `write` */
};

struct read_write {
    ddb_store *s;
    const char *dir, *read, *write, *seen; /* read `read`, then write `write`; `seen`: what the read saw */
    const char *also;                      /* another key of `write`'s database (EACH_OWN) */
    enum how how;
    int seen_in_log; /* whether `seen` was in a log file once the write was in */
};

/* A commit's decide: "after-the-read" under its last key (its first only read). */
static int write_last(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    (void)ctx;
    ddb_batch_put(out, keys[n - 1].key, keys[n - 1].klen, "after-the-read", 14);
    return 0;
}

static int commit_of(ddb_store *s, ddb_arena *a, const char *read, const char *write)
{
    ddb_store_key keys[2] = {{.key = read, .klen = strlen(read)}, {.key = write, .klen = write ? strlen(write) : 0}};

    return ddb_store_commit(s, a, keys, write != NULL ? 2 : 1, write_last, NULL);
}

/* Two units in one ddb_store_commit_each (EACH_OWN, EACH_OTHER: enum how). */
static int each_of(struct read_write *r, ddb_arena *a)
{
    ddb_store_key k0[2] = {{.key = r->read, .klen = strlen(r->read)}, {.key = r->write, .klen = strlen(r->write)}};
    ddb_store_key k1 = {.key = r->also, .klen = strlen(r->also)};
    ddb_store_unit u[2] = {{k0, r->how == EACH_OWN ? 2 : 1, write_last, NULL, -1}, {&k1, 1, write_last, NULL, -1}};

    if (r->how == EACH_OTHER)
        k1 = k0[1];
    if (ddb_store_commit_each(r->s, a, u, 2) != 2)
        return DDB_STORE_EIO;
    return u[0].rc != 0 ? u[0].rc : u[1].rc;
}

static void *read_then_write(void *arg)
{
    struct read_write *r = arg;
    ddb_arena a;
    char *v = NULL;
    size_t vlen = 0;
    int rc;

    ddb_log_turn_defer();
    ddb_log_turn_request();
    ddb_arena_init(&a);
    if (r->how == EACH_OWN || r->how == EACH_OTHER) {
        rc = each_of(r, &a);
    } else if (r->how == IN_ONE_COMMIT) {
        rc = commit_of(r->s, &a, r->read, r->write);
    } else if (r->how == NEXT_COMMIT) {
        rc = commit_of(r->s, &a, r->read, NULL);
        if (rc == DDB_STORE_OK)
            rc = commit_of(r->s, &a, r->write, NULL);
    } else {
        rc = ddb_store_get(r->s, &a, r->read, strlen(r->read), &v, &vlen);
        if (r->how == NEXT_REQUEST)
            ddb_log_turn_request();
        if (rc == DDB_STORE_OK)
            rc = store_keys_write(r->s, 1, r->write, "after-the-read");
    }
    if (rc == DDB_STORE_OK)
        r->seen_in_log = logs_with(r->dir, r->seen);
    else
        r->seen_in_log = -1;
    ddb_arena_free(&a);
    return NULL;
}

/* Whether another loop's append, still in its buffer, that a loop read `how` before writing a key
   of another database, was in its log file once that write was (-1: a read or write failed). */
static int read_buffered_then_write(enum how how)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX", keys[3][8][16];
    char *dir = mkdtemp(tmpl);
    ddb_store *s = dir != NULL ? open_at(dir, 3) : NULL;
    struct turn w;
    struct read_write r;
    pthread_t th;
    int d;

    if (s == NULL)
        return -1;
    keys_by_db(s, dir, keys, 2);
    d = db_of(s, dir, "0000key");
    /* a loop writes 0000key and never ends its turn */
    w = (struct turn){.s = s, .dir = dir, .value = "buffered-H", .nkeys = 1};
    run_turn(&w);
    if (d < 0 || w.rc != DDB_STORE_OK || logs_with(dir, "buffered-H") != 0)
        return -1;
    /* another reads it and writes a key of another database */
    r = (struct read_write){.s = s, .dir = dir, .read = "0000key", .write = keys[(d + 1) % 3][0], .seen = "buffered-H",
                            .how = how, .also = keys[(d + 1) % 3][1]};
    if (pthread_create(&th, NULL, read_then_write, &r) != 0 || pthread_join(th, NULL) != 0)
        abort();
    ddb_store_close(s);
    store_rm_dir(dir);
    return r.seen_in_log;
}

/* A loop's write after it read another loop's append still in a buffer of another database: that
   append is in its file before the write can be (else a kill -9 could keep the write that
   depended on it and lose it). */
TEST(a_write_after_a_read_of_a_buffered_append_of_another_database_writes_that_first)
{
    ASSERT_EQ(read_buffered_then_write(GET_THEN_WRITE), 1);
    ASSERT_EQ(read_buffered_then_write(IN_ONE_COMMIT), 1); /* (a commit's write depends on its reads) */
    ASSERT_EQ(read_buffered_then_write(EACH_OWN), 1);      /* (and a unit's, written with another) */
}

/* Only a write that may depend on the read waits for that append: not the write of a later commit
   (a BatchWriteItem's next item: decided from its own reads), nor of the loop's next request (no
   answer has left, so no client wrote from what it read). They wrote it 7 times a BatchWriteItem
   of 25 Puts at 2 threads (bench/README.md). */
TEST(a_later_commits_or_requests_write_does_not_wait_for_what_a_read_saw)
{
    ASSERT_EQ(read_buffered_then_write(NEXT_COMMIT), 0);
    ASSERT_EQ(read_buffered_then_write(NEXT_REQUEST), 0);
    ASSERT_EQ(read_buffered_then_write(EACH_OTHER), 0); /* another unit of one ddb_store_commit_each */
}

/* A meta commit's decide: the catalog-like record "ddbd-test/meta" = "meta-M". */
static int meta_put(void *ctx, ddb_store_key *keys, size_t n, ddb_batch *out)
{
    (void)ctx;
    (void)n;
    ddb_batch_meta_put(out, keys[0].key, keys[0].klen, "meta-M", 6);
    return 0;
}

static void *loop_meta_commit(void *arg)
{
    struct turn *t = arg;
    ddb_store_key k = {.key = "ddbd-test/meta", .klen = 14};
    ddb_arena a;

    ddb_log_turn_defer();
    ddb_arena_init(&a);
    t->rc = ddb_store_meta_commit(t->s, &a, &k, 1, meta_put, NULL);
    t->in_log_before = logs_with(t->dir, "meta-M");
    t->owed_after = ddb_log_turn_owed();
    ddb_arena_free(&a);
    return NULL;
}

/* A meta commit (a catalog change, which its caller then publishes in memory, where other loops
   read it owing nothing: a client could see the table and write to it) is in its log file when it
   returns, on a loop too, and leaves nothing owed. */
TEST(a_loops_meta_commit_is_in_its_log_file_when_it_returns)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    struct turn t;
    pthread_t th;

    ASSERT(dir != NULL);
    s = open_at(dir, 3);
    ASSERT(s != NULL);
    t = (struct turn){.s = s, .dir = dir};
    ASSERT(pthread_create(&th, NULL, loop_meta_commit, &t) == 0 && pthread_join(th, NULL) == 0);
    ASSERT_EQ(t.rc, DDB_STORE_OK);
    ASSERT_EQ(t.in_log_before, 1);
    ASSERT_EQ(t.owed_after, 0);
    ddb_store_close(s);
    store_rm_dir(dir);
}

TEST(without_the_disk_guard_a_loops_write_is_in_its_log_file_at_once)
{
    char tmpl[] = "/tmp/ddbd-turn-XXXXXX";
    char *dir = mkdtemp(tmpl);
    ddb_store *s;
    struct turn t;

    ASSERT(dir != NULL);
    s = store_open_at(dir, 1, 1, 6); /* --min-free-disk 0: a buffer could meet a full disk */
    ASSERT(s != NULL);
    t = (struct turn){.s = s, .dir = dir, .value = "unguarded-G", .nkeys = 1};
    run_turn(&t);
    ASSERT_EQ(t.rc, DDB_STORE_OK);
    ASSERT_EQ(t.owed_after, 0);
    ASSERT_EQ(t.in_log_before, 1);
    ddb_store_close(s);
    store_rm_dir(dir);
}
