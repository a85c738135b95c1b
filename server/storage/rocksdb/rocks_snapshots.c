/*
 * server/storage/rocksdb/rocks_snapshots.c: the RocksDB backend's checkpoints, the admin API's named
 * snapshots (storage.h).
 *
 * On disk a checkpoint is a RocksDB checkpoint in <data-dir>/ddbd-snapshots/<name>: memtables are
 * flushed, then the table files are hard-linked (they are immutable) and the small files (MANIFEST,
 * OPTIONS, CURRENT) copied, so saving costs a flush and a few links whatever the store's size.
 * RocksDB ignores the subdirectory: it only ever touches files whose names it parses. A restore
 * closes the database, deletes its files, links the checkpoint's table files back and copies the
 * rest, then reopens: the time of an open plus a few links. A marker file,
 * ddbd-snapshots/.restoring, holds the name while the files are being replaced, and the next
 * start completes a restore a crash interrupted before it opens anything.
 *
 * With --in-memory everything is in RocksDB's memory env, which has no directory listing in the C
 * API: a checkpoint goes to /ddbd-snapshots/<name> in the env (its files share memory with the
 * store's until compaction rewrites them), the names are kept here, and a restore opens the
 * checkpoint read-only and checkpoints it again into the store's emptied path.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "server/storage/rocksdb/rocks_internal.h"

#include "proto/grow.h"
#include "server/base/clock.h"

#define SNAP_DIR "ddbd-snapshots"
#define MEM_SNAP_ROOT "/ddbd-snapshots"
#define MARKER ".restoring"

struct rocks_snap {
    char name[DDB_CHECKPOINT_NAME_MAX + 1];
    uint64_t created_ms;
};

static int valid_name(const char *name)
{
    size_t n = strlen(name);

    if (n == 0 || n > DDB_CHECKPOINT_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* <root>/<name>, malloc'd; root is the snapshots directory (on disk, under the data directory). */
static char *snap_path(ddb_store *s, const char *name)
{
    char *p = NULL;

    int n = s->o.in_memory ? asprintf(&p, MEM_SNAP_ROOT "/%s", name) : asprintf(&p, "%s/" SNAP_DIR "/%s", s->path, name);

    if (n < 0)
        abort();
    return p;
}

/* Options for calls on a closed database (destroy, list, read-only open): the store's env. */
static rocksdb_options_t *plain_options(ddb_store *s)
{
    rocksdb_options_t *o = rocksdb_options_create();

    if (s->env != NULL)
        rocksdb_options_set_env(o, s->env);
    rocksdb_options_set_info_log_level(o, 4 /* HEADER_LEVEL */);
    return o;
}

static int checkpoint(rocksdb_t *db, const char *dir, uint64_t log_size_for_flush)
{
    char *err = NULL;
    rocksdb_checkpoint_t *cp = rocksdb_checkpoint_object_create(db, &err);

    if (rocks_check(err, "checkpoint") != 0)
        return DDB_CHECKPOINT_EIO;
    rocksdb_checkpoint_create(cp, dir, log_size_for_flush, &err);
    rocksdb_checkpoint_object_destroy(cp);
    return rocks_check(err, "checkpoint") != 0 ? DDB_CHECKPOINT_EIO : DDB_CHECKPOINT_OK;
}

static struct rocks_snap *mem_find(ddb_store *s, const char *name)
{
    for (size_t i = 0; i < s->nsnaps; i++) {
        if (strcmp(s->snaps[i].name, name) == 0)
            return &s->snaps[i];
    }
    return NULL;
}

static int exists(ddb_store *s, const char *name)
{
    char *p, *current = NULL;
    struct stat st;
    int found;

    if (s->o.in_memory)
        return mem_find(s, name) != NULL;
    p = snap_path(s, name);
    found = asprintf(&current, "%s/CURRENT", p) > 0 && stat(current, &st) == 0;
    free(current);
    free(p);
    return found;
}

int rocks_checkpoint_save(ddb_store *s, const char *name)
{
    char *dir, *root = NULL;
    int rc;

    if (!valid_name(name))
        return DDB_CHECKPOINT_BAD_NAME;
    if (exists(s, name))
        return DDB_CHECKPOINT_EXISTS;
    if (rocks_log_flush_all(s) != DDB_STORE_OK) /* (a checkpoint copies the log files, not their buffers) */
        return DDB_CHECKPOINT_EIO;
    if (!s->o.in_memory) {
        if (asprintf(&root, "%s/" SNAP_DIR, s->path) < 0)
            abort();
        if (mkdir(root, 0755) != 0 && errno != EEXIST) {
            ddb_log(DDB_LOG_ERROR, "snapshot: cannot create %s: %s", root, strerror(errno));
            free(root);
            return DDB_CHECKPOINT_EIO;
        }
        free(root);
    }
    dir = snap_path(s, name);
    /* 0: memtables are flushed first, so the checkpoint needs no log (in memory there is none).
       Database d > 0 goes to db-<d> inside database 0's checkpoint, as in the data directory; the
       gate closed, so that they hold one moment (rocks_dbs.c). */
    if (s->ndbs > 1)
        rocks_gate_close(s);
    rc = checkpoint(s->db, dir, 0);
    for (unsigned d = 1; d < MAX_DBS && rc == DDB_CHECKPOINT_OK; d++) {
        char *sub = NULL;
        if (s->dbs[d] == NULL)
            continue;
        if (asprintf(&sub, "%s/db-%u", dir, d) < 0)
            abort();
        rc = checkpoint(s->dbs[d], sub, 0);
        free(sub);
    }
    if (s->ndbs > 1)
        rocks_gate_open(s);
    free(dir);
    if (rc == DDB_CHECKPOINT_OK && s->o.in_memory) {
        if ((s->snaps = realloc(s->snaps, (s->nsnaps + 1) * sizeof(*s->snaps))) == NULL)
            abort();
        snprintf(s->snaps[s->nsnaps].name, sizeof(s->snaps[0].name), "%s", name);
        s->snaps[s->nsnaps++].created_ms = ddb_clock_system_ms(); /* as the on-disk ones' mtimes */
    }
    return rc;
}

/* ---- on disk: replacing the database's files ---- */

/*
 * Files are synced only with --sync: by default ddbd's writes survive the process being killed, not
 * a power loss (the log is not synced either), and the marker makes a restore a killed process
 * left half done complete at the next start. A sync costs milliseconds each on many disks, which
 * is most of a restore's time.
 */
static int sync_dir(const ddb_store *s, const char *dir)
{
    int fd, rc;

    if (!s->o.sync_writes)
        return 0;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

static int copy_file(const ddb_store *s, const char *from, const char *to)
{
    char buf[1 << 16];
    int in = open(from, O_RDONLY | O_CLOEXEC), out = -1, rc = -1;
    ssize_t n = -1;

    if (in >= 0)
        out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    while (out >= 0 && (n = read(in, buf, sizeof(buf))) > 0) {
        if (write(out, buf, (size_t)n) != n)
            break;
    }
    if (out >= 0 && n == 0 && (!s->o.sync_writes || fsync(out) == 0))
        rc = 0;
    if (in >= 0)
        close(in);
    if (out >= 0)
        close(out);
    return rc;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Whether a data directory's entry is one of RocksDB's files (db/filename.cc's names). */
static int rocksdb_file(const char *n)
{
    static const char *const prefixes[] = {"CURRENT", "IDENTITY", "LOCK", "LOG", "MANIFEST-", "OPTIONS-"};
    static const char *const suffixes[] = {".sst", ".log", ".blob", ".dbtmp"};

    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        if (strncmp(n, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    }
    for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
        if (has_suffix(n, suffixes[i]))
            return 1;
    }
    return 0;
}

/* Deletes the closed database's files (RocksDB's DestroyDB takes 10-20 ms locking and syncing;
   a few unlinks take well under one): ddbd-snapshots/ and anything not RocksDB's stay. */
static int remove_db_files(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int rc = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL) {
        char *p = NULL;
        if (!rocksdb_file(e->d_name))
            continue;
        if (asprintf(&p, "%s/%s", dir, e->d_name) < 0)
            abort();
        if (unlink(p) != 0 && errno != ENOENT) {
            ddb_log(DDB_LOG_ERROR, "restore: cannot delete %s: %s", p, strerror(errno));
            rc = -1;
        }
        free(p);
    }
    closedir(d);
    return rc;
}

/* Deletes one database's files in `dst` and puts those of `src` in their place (table files
   linked); a database the checkpoint does not have is left with no files. */
static int replace_dir(ddb_store *s, const char *src, const char *dst)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int rc = 0;

    if (stat(dst, &st) == 0 && remove_db_files(dst) != 0)
        return -1;
    if ((d = opendir(src)) == NULL)
        return errno == ENOENT ? 0 : -1;
    if (mkdir(dst, 0755) != 0 && errno != EEXIST) {
        closedir(d);
        return -1;
    }
    while (rc == 0 && (e = readdir(d)) != NULL) {
        char *from = NULL, *to = NULL;
        struct stat fst;
        if (e->d_name[0] == '.' || strcmp(e->d_name, "LOCK") == 0 || strncmp(e->d_name, "LOG", 3) == 0)
            continue;
        if (asprintf(&from, "%s/%s", src, e->d_name) < 0 || asprintf(&to, "%s/%s", dst, e->d_name) < 0)
            abort();
        /* (a database's checkpoint inside database 0's: its own call) */
        if (stat(from, &fst) == 0 && S_ISDIR(fst.st_mode)) {
            free(from);
            free(to);
            continue;
        }
        /* table files never change once written: a link is a copy; the others are rewritten in place */
        if (!(has_suffix(e->d_name, ".sst") && link(from, to) == 0) && copy_file(s, from, to) != 0) {
            ddb_log(DDB_LOG_ERROR, "restore: cannot copy %s to %s: %s", from, to, strerror(errno));
            rc = -1;
        }
        free(from);
        free(to);
    }
    closedir(d);
    return rc == 0 ? sync_dir(s, dst) : rc;
}

/* Every database's files replaced by the checkpoint's. */
static int replace_files(ddb_store *s, const char *name)
{
    char *src = snap_path(s, name);
    int rc = replace_dir(s, src, s->path);

    for (unsigned d = 1; d < MAX_DBS && rc == 0; d++) {
        char *from = NULL, *to = NULL;
        if (asprintf(&from, "%s/db-%u", src, d) < 0 || asprintf(&to, "%s/db-%u", s->path, d) < 0)
            abort();
        rc = replace_dir(s, from, to);
        free(from);
        free(to);
    }
    free(src);
    return rc;
}

static char *marker_path(ddb_store *s)
{
    char *p = NULL;

    if (asprintf(&p, "%s/" SNAP_DIR "/" MARKER, s->path) < 0)
        abort();
    return p;
}

static int write_marker(ddb_store *s, const char *name)
{
    char *p = marker_path(s), *root = NULL;
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), rc = -1;

    if (fd >= 0 && write(fd, name, strlen(name)) == (ssize_t)strlen(name) && (!s->o.sync_writes || fsync(fd) == 0) &&
        asprintf(&root, "%s/" SNAP_DIR, s->path) > 0 && sync_dir(s, root) == 0)
        rc = 0;
    if (fd >= 0)
        close(fd);
    free(root);
    free(p);
    return rc;
}

static void remove_marker(ddb_store *s)
{
    char *p = marker_path(s);

    unlink(p);
    free(p);
}

int rocks_finish_restore(ddb_store *s, char **errout)
{
    char *p = marker_path(s), name[DDB_CHECKPOINT_NAME_MAX + 2];
    int fd = open(p, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    free(p);
    if (fd < 0)
        return 0; /* no restore was under way */
    n = read(fd, name, sizeof(name) - 1);
    close(fd);
    name[n > 0 ? n : 0] = '\0';
    if (!valid_name(name) || !exists(s, name)) {
        *errout = strdup("an interrupted snapshot restore names a snapshot that is not there (ddbd-snapshots/.restoring)");
        return -1;
    }
    ddb_log(DDB_LOG_WARN, "snapshot: completing the restore of %s that was interrupted", name);
    if (replace_files(s, name) != 0) {
        *errout = strdup("cannot complete an interrupted snapshot restore (see the log)");
        return -1;
    }
    remove_marker(s);
    return 0;
}

/* ---- in memory: a checkpoint of the checkpoint ---- */

/* The checkpoint at `src` put at `dst` (emptied before); where `must` is 0, nothing when the
   checkpoint has no such database. */
static int mem_copy_db(ddb_store *s, const char *src, const char *dst, int must)
{
    rocksdb_options_t *o = plain_options(s);
    char *err = NULL, **names = NULL;
    size_t n = 0;
    rocksdb_t *ro = NULL;
    int rc = DDB_CHECKPOINT_EIO;

    names = rocksdb_list_column_families(o, src, &n, &err);
    if (!must && err != NULL) { /* the checkpoint has none of this database */
        rocksdb_free(err);
        rocksdb_options_destroy(o);
        return DDB_CHECKPOINT_OK;
    }
    if (names != NULL && rocks_check(err, "restore: list") == 0) {
        const rocksdb_options_t **cfo = calloc(n, sizeof(*cfo));
        rocksdb_column_family_handle_t **h = calloc(n, sizeof(*h));
        for (size_t i = 0; i < n; i++)
            cfo[i] = o;
        ro = rocksdb_open_for_read_only_column_families(o, src, (int)n, (const char *const *)names, cfo, h, 0, &err);
        if (rocks_check(err, "restore: open the snapshot") == 0) {
            /* read-only: nothing to flush (UINT64_MAX), and nothing in memtables either */
            rc = checkpoint(ro, dst, UINT64_MAX);
            for (size_t i = 0; i < n; i++)
                rocksdb_column_family_handle_destroy(h[i]);
            rocksdb_close(ro);
        }
        free(cfo);
        free(h);
    }
    if (names != NULL)
        rocksdb_list_column_families_destroy(names, n);
    rocksdb_options_destroy(o);
    return rc;
}

/* Every database emptied (the others first: they are inside database 0's directory, and the
   memory env takes a path with files below it for a directory that exists), then database 0
   put back from the checkpoint, then each other one it has. */
static int mem_replace(ddb_store *s, const char *name)
{
    rocksdb_options_t *o = plain_options(s);
    char *src = snap_path(s, name), *err = NULL;
    int rc;

    for (unsigned d = 1; d < MAX_DBS; d++) {
        char *p = NULL;
        if (asprintf(&p, "%s/db-%u", s->path, d) < 0)
            abort();
        rocksdb_destroy_db(o, p, &err);
        rocksdb_free(err); /* (a database never made) */
        err = NULL;
        free(p);
    }
    rocksdb_destroy_db(o, s->path, &err);
    rocksdb_options_destroy(o);
    rc = rocks_check(err, "restore: delete the database") == 0 ? mem_copy_db(s, src, s->path, 1) : DDB_CHECKPOINT_EIO;
    for (unsigned d = 1; d < MAX_DBS && rc == DDB_CHECKPOINT_OK; d++) {
        char *from = NULL, *to = NULL;
        if (asprintf(&from, "%s/db-%u", src, d) < 0 || asprintf(&to, "%s/db-%u", s->path, d) < 0)
            abort();
        rc = mem_copy_db(s, from, to, 0);
        free(from);
        free(to);
    }
    free(src);
    return rc;
}

int rocks_checkpoint_restore(ddb_store *s, const char *name)
{
    char *err = NULL;
    int rc;

    if (!valid_name(name))
        return DDB_CHECKPOINT_BAD_NAME;
    if (!exists(s, name))
        return DDB_CHECKPOINT_NOT_FOUND;
    if (!s->o.in_memory && write_marker(s, name) != 0) {
        ddb_log(DDB_LOG_ERROR, "snapshot: cannot write the restore marker: %s", strerror(errno));
        return DDB_CHECKPOINT_EIO; /* nothing was touched */
    }
    /* a full disk's resume under way uses the files: ended first (diskguard.h) */
    ddb_diskguard_hold(s->guard);
    rocks_close_files(s);
    rc = s->o.in_memory ? mem_replace(s, name) : replace_files(s, name);
    if (rc == 0 && !s->o.in_memory)
        remove_marker(s);
    if (rc == 0 && rocks_open_files(s, &err) != 0) {
        ddb_log(DDB_LOG_ERROR, "snapshot: cannot reopen the store after restoring %s: %s", name, err ? err : "");
        free(err);
        rc = DDB_CHECKPOINT_EIO;
    }
    ddb_diskguard_release(s->guard);
    return rc == 0 ? DDB_CHECKPOINT_OK : DDB_CHECKPOINT_EIO;
}

/* ---- list and delete ---- */

static int by_name(const void *a, const void *b)
{
    return strcmp(((const ddb_checkpoint_info *)a)->name, ((const ddb_checkpoint_info *)b)->name);
}

size_t rocks_checkpoint_list(ddb_store *s, ddb_checkpoint_info **out)
{
    size_t n = 0, cap = 8;
    ddb_checkpoint_info *list = malloc(cap * sizeof(*list));
    char *root = NULL;
    DIR *d;
    struct dirent *e;

    if (list == NULL)
        abort();
    for (size_t i = 0; s->o.in_memory && i < s->nsnaps; i++) {
        DDB_ROOM(list, n, cap, 8);
        memcpy(list[n].name, s->snaps[i].name, sizeof(list[n].name));
        list[n++].created_ms = s->snaps[i].created_ms;
    }
    if (!s->o.in_memory && asprintf(&root, "%s/" SNAP_DIR, s->path) > 0 && (d = opendir(root)) != NULL) {
        while ((e = readdir(d)) != NULL) {
            struct stat st;
            char *p = NULL;
            /* a name RocksDB is still writing ends in .tmp, which is not a valid name */
            if (!valid_name(e->d_name) || !exists(s, e->d_name) || asprintf(&p, "%s/%s", root, e->d_name) < 0 ||
                stat(p, &st) != 0) {
                free(p);
                continue;
            }
            DDB_ROOM(list, n, cap, 8);
            memcpy(list[n].name, e->d_name, strlen(e->d_name) + 1); /* valid_name: at most 64 */
            list[n++].created_ms = (uint64_t)st.st_mtim.tv_sec * 1000 + (uint64_t)st.st_mtim.tv_nsec / 1000000;
            free(p);
        }
        closedir(d);
    }
    free(root);
    qsort(list, n, sizeof(*list), by_name);
    *out = list;
    return n;
}

/* Deletes a checkpoint's directory and the databases' directories in it (`depth` levels). */
static int remove_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d != NULL && (e = readdir(d)) != NULL) {
        char *p = NULL;
        struct stat st;
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 || asprintf(&p, "%s/%s", dir, e->d_name) < 0)
            continue;
        if (depth > 1 && lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p, depth - 1);
        else
            unlink(p);
        free(p);
    }
    if (d != NULL)
        closedir(d);
    return rmdir(dir);
}

int rocks_checkpoint_delete(ddb_store *s, const char *name)
{
    char *dir, *err = NULL;
    int rc = DDB_CHECKPOINT_OK;

    if (!valid_name(name))
        return DDB_CHECKPOINT_BAD_NAME;
    if (!exists(s, name))
        return DDB_CHECKPOINT_NOT_FOUND;
    dir = snap_path(s, name);
    if (s->o.in_memory) {
        rocksdb_options_t *o = plain_options(s);
        struct rocks_snap *snap = mem_find(s, name);
        for (unsigned d = 1; d < MAX_DBS; d++) { /* (a database the snapshot lacks: nothing to destroy) */
            char *sub = NULL, *e2 = NULL;
            if (asprintf(&sub, "%s/db-%u", dir, d) < 0)
                abort();
            rocksdb_destroy_db(o, sub, &e2);
            rocksdb_free(e2);
            free(sub);
        }
        rocksdb_destroy_db(o, dir, &err);
        rocksdb_options_destroy(o);
        if (rocks_check(err, "snapshot delete") != 0)
            rc = DDB_CHECKPOINT_EIO;
        *snap = s->snaps[--s->nsnaps];
    } else {
        if (remove_tree(dir, 2) != 0) {
            ddb_log(DDB_LOG_ERROR, "snapshot: cannot delete %s: %s", dir, strerror(errno));
            rc = DDB_CHECKPOINT_EIO;
        }
    }
    free(dir);
    return rc;
}

void rocks_snapshots_free(ddb_store *s)
{
    free(s->snaps);
    s->snaps = NULL;
    s->nsnaps = 0;
}
