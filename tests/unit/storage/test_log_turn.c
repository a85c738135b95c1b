/*
 * tests/unit/storage/test_log_turn.c: a loop's log appends written once a turn
 * (server/base/log_turn.h, server/storage/rocksdb/rocks_log.c), read off the log files themselves.
 * A loop's write stays in the log's buffer, and owes a flush, until its turn ends; a thread that
 * does not defer writes its append at once, as RocksDB did by itself; a read that saw an append
 * still in a buffer owes its flush too (no answer may show a write a kill -9 could take back), and
 * one that saw none owes nothing; the first part of a write across databases is in its log file
 * at once, and a process killed before its turn's end comes back with the whole write. Without the
 * disk guard (--min-free-disk 0) nothing is deferred.
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
