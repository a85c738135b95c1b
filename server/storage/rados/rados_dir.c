/*
 * server/storage/rados/rados_dir.c: which objects of the RADOS backend may hold keys: the directory
 * ddbd.dir, where an object is recorded before its first write, and the objects a key range
 * reads (one partition's object, a keyspace's partitions, or the directory's objects of a wider
 * range). Calls only the bottom: rados_key.c, rados_result.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grow.h"
#include "server/storage/rados/rados_store.h"

/* ---- the directory of objects ---- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Under dir_lock: whether this process already recorded `oid`. */
static int dir_known(ddb_store *s, const char *oid)
{
    const char *k = oid;

    return s->ndir_known > 0 && bsearch(&k, s->dir_known, s->ndir_known, sizeof(char *), cmp_str) != NULL;
}

static void dir_remember(ddb_store *s, const char *oid)
{
    size_t i = 0;

    if (dir_known(s, oid))
        return;
    DDB_ROOM(s->dir_known, s->ndir_known, s->dir_cap, 64);
    while (i < s->ndir_known && strcmp(s->dir_known[i], oid) < 0)
        i++;
    memmove(&s->dir_known[i + 1], &s->dir_known[i], (s->ndir_known - i) * sizeof(char *));
    s->dir_known[i] = strdup(oid);
    s->ndir_known++;
}

/*
 * An object is recorded in ddbd.dir before its first write (an idempotent omap set), so a range
 * read that needs the directory (one spanning keyspaces) finds every object that may hold keys,
 * also those another gateway created. Entries are never removed (a purged table leaves a few
 * bytes per partition; removing them safely needs the next stage's catalog watch).
 */
int rs_dir_add(ddb_store *s, const char *const *oids, size_t n)
{
    const char *todo[64];
    size_t lens[64], vlens[64], m = 0;
    const char *vals[64];
    int rc = 0;

    pthread_mutex_lock(&s->dir_lock);
    for (size_t i = 0; i < n && m < 64; i++) {
        if (oids[i][0] == 'i' || strcmp(oids[i], RS_META_OBJ) == 0 || dir_known(s, oids[i]))
            continue;
        todo[m] = oids[i];
        lens[m] = strlen(oids[i]);
        vals[m] = "";
        vlens[m++] = 0;
    }
    pthread_mutex_unlock(&s->dir_lock);
    if (m == 0)
        return DDB_STORE_OK;
    rados_write_op_t op = rados_create_write_op();
    rados_write_op_omap_set2(op, todo, vals, lens, vlens, m);
    rc = rados_write_op_operate2(op, s->io, RS_DIR_OBJ, NULL, 0);
    rados_release_write_op(op);
    if (rc < 0)
        return rs_check(rc, "write", RS_DIR_OBJ);
    pthread_mutex_lock(&s->dir_lock);
    for (size_t i = 0; i < m; i++)
        dir_remember(s, todo[i]);
    pthread_mutex_unlock(&s->dir_lock);
    return n > 64 ? rs_dir_add(s, oids + 64, n - 64) : DDB_STORE_OK;
}

/* ---- which objects a range reads ---- */

/* Whether every key of [lo, hi) begins with lo's first 4 bytes (one keyspace). */
static int one_keyspace(const char *lo, size_t lolen, const char *hi, size_t hilen)
{
    char next[4];
    int i;

    if (lolen < 4 || hilen < 4)
        return 0;
    if (memcmp(lo, hi, 4) == 0)
        return 1;
    if (hilen != 4)
        return 0;
    memcpy(next, lo, 4); /* hi == lo's prefix + 1: the keyspace's own end */
    for (i = 3; i >= 0 && (unsigned char)next[i] == 0xff; i--)
        next[i] = 0;
    if (i < 0)
        return 0;
    next[i]++;
    return memcmp(next, hi, 4) == 0;
}

static int unhex(const char *h, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        int v = 0;
        for (int j = 0; j < 2; j++) {
            char c = h[2 * i + j];
            v = v * 16 + (c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1000);
        }
        if (v < 0)
            return -1;
        out[i] = (char)v;
    }
    return 0;
}

/* The directory's objects of the kind ('d' or 'q') whose keyspace may hold keys of [lo, hi). */
static int dir_objects(ddb_store *s, char kind, const char *lo, size_t lolen, const char *hi, size_t hilen,
                       char (**out)[RS_OBJ_MAX], size_t *n)
{
    size_t cap = 0;
    char *after = strdup("");
    unsigned char more = 1;
    int rc = DDB_STORE_OK;

    *out = NULL;
    *n = 0;
    while (more && rc == DDB_STORE_OK) {
        rados_read_op_t op = rados_create_read_op();
        rados_omap_iter_t iter = NULL;
        int prval = 0;
        more = 0;
        rados_read_op_omap_get_keys2(op, after, 1024, &iter, &more, &prval);
        int r = rados_read_op_operate(op, s->io, RS_DIR_OBJ, 0);
        if (r == -ENOENT) {
            rados_release_read_op(op);
            break;
        }
        if (r < 0 || prval < 0) {
            rc = rs_check(r < 0 ? r : prval, "list", RS_DIR_OBJ);
            rados_release_read_op(op);
            break;
        }
        for (;;) {
            char *k = NULL, *v = NULL, ks[4];
            size_t kl = 0, vl = 0, kslen;
            const char *dot;
            if (rados_omap_get_next2(iter, &k, &v, &kl, &vl) < 0 || k == NULL)
                break;
            free(after);
            after = strndup(k, kl);
            if (kl < 3 || k[0] != kind || k[1] != '.' || kl >= RS_OBJ_MAX || (dot = memchr(k + 2, '.', kl - 2)) == NULL)
                continue;
            kslen = (size_t)(dot - (k + 2)) / 2;
            if (kslen > 4 || unhex(k + 2, kslen, ks) != 0)
                continue;
            /* keys of a 4-byte keyspace all begin with it; a shorter one is one key, itself */
            if (rs_key_cmp(ks, kslen, hi, hilen) >= 0 || rs_key_cmp(ks, kslen, lo, lolen < 4 ? lolen : 4) < 0)
                continue;
            DDB_ROOM(*out, *n, cap, 64);
            memcpy((*out)[*n], k, kl);
            (*out)[(*n)++][kl] = '\0';
        }
        rados_omap_get_end(iter);
        rados_release_read_op(op);
    }
    free(after);
    return rc;
}

int rs_range_objects(ddb_store *s, const char *lo, size_t lolen, const char *hi, size_t hilen, int seq,
                     char (**out)[RS_OBJ_MAX], size_t *n)
{
    size_t pb = s->partition_bytes;

    if (seq && one_keyspace(lo, lolen, hi, hilen)) {
        *out = malloc(RS_OBJ_MAX);
        rs_seq_obj(lo, lolen, (*out)[0]);
        *n = 1;
        return DDB_STORE_OK;
    }
    if (!seq && pb > 0 && lolen >= pb && hilen >= pb && memcmp(lo, hi, pb) == 0) { /* one partition */
        *out = malloc(RS_OBJ_MAX);
        rs_data_obj(s, lo, lolen, (*out)[0]);
        *n = 1;
        return DDB_STORE_OK;
    }
    if (!seq && one_keyspace(lo, lolen, hi, hilen)) { /* a table or an index: its partitions */
        *out = malloc((size_t)s->nparts * RS_OBJ_MAX);
        for (unsigned p = 0; p < s->nparts; p++)
            rs_part_obj(lo, 4, p, (*out)[p]);
        *n = s->nparts;
        return DDB_STORE_OK;
    }
    return dir_objects(s, seq ? 'q' : 'd', lo, lolen, hi, hilen, out, n);
}
