/*
 * server/storage/rados/rados_known.c: the values this gateway last read or wrote, for a few keys
 * of each lock stripe: the guess on which a one-key commit makes its first try without reading
 * (rados_commit.c). The guess is only ever a guess: the write compares the key's exact stored
 * value with it in the same operation, so a stale one (another gateway wrote the key, or this one
 * outside a commit) fails that compare and the commit reads and decides again. Nothing here needs
 * to be right; it only needs to be right often to save round trips.
 *
 * Each stripe keeps RS_KNOWN_WAYS keys (the least recently used replaced), each with its value
 * when key and value fit in RS_KNOWN_BYTES (else the key alone, marked big: a commit of it reads).
 * So the memory is bounded: LOCK_STRIPES x RS_KNOWN_WAYS x RS_KNOWN_BYTES (16 MB) at most. A
 * stripe's entries are touched only under that stripe's lock (s->locks), which every commit of
 * its keys holds.
 *
 * Whether guessing is worth it, by kind (absent, kept), is learnt from the guesses' outcomes and
 * from the reads made without one (what the guess would have been against what was read): a
 * gateway whose writes mostly overwrite items it has never seen (written by others, or before it
 * started) stops guessing "absent", so a wrong guess's extra round trip is not paid on each.
 */
#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"
#include "server/storage/rados/rados_known.h"

#define RS_KNOWN_WAYS 4
#define RS_KNOWN_BYTES 1024
#define RS_KNOWN_SCORE 32 /* a kind's score runs between -this and this */

typedef struct rs_known_entry {
    char *buf; /* the key, then the value (when kept); NULL: a free entry */
    size_t klen, vlen;
    int present; /* the key exists (its value is vlen bytes after the key, unless big) */
    int big;     /* the value is not kept */
    unsigned used; /* the stripe's clock when last used */
} rs_known_entry;

typedef struct rs_known_stripe {
    rs_known_entry e[RS_KNOWN_WAYS];
    unsigned clock;
} rs_known_stripe;

struct rs_known {
    rs_known_stripe stripes[LOCK_STRIPES];
    int score[RS_GUESS_KEPT + 1]; /* atomic */
};

rs_known *rs_known_new(void)
{
    return ddb_zalloc(sizeof(rs_known));
}

void rs_known_free(rs_known *k)
{
    if (k == NULL)
        return;
    for (size_t s = 0; s < LOCK_STRIPES; s++)
        for (int w = 0; w < RS_KNOWN_WAYS; w++)
            free(k->stripes[s].e[w].buf);
    free(k);
}

static rs_known_entry *find(rs_known_stripe *st, const char *key, size_t klen)
{
    for (int w = 0; w < RS_KNOWN_WAYS; w++) {
        rs_known_entry *e = &st->e[w];
        if (e->buf != NULL && e->klen == klen && memcmp(e->buf, key, klen) == 0)
            return e;
    }
    return NULL;
}

int rs_known_get(rs_known *k, unsigned st, const char *key, size_t klen, ddb_arena *a, char **val, size_t *vlen)
{
    rs_known_stripe *sp = &k->stripes[st % LOCK_STRIPES];
    rs_known_entry *e = find(sp, key, klen);

    *val = NULL;
    *vlen = 0;
    if (e == NULL)
        return RS_GUESS_ABSENT;
    e->used = ++sp->clock;
    if (e->big)
        return RS_GUESS_NONE;
    if (e->present) {
        *val = ddb_arena_memdup(a, e->buf + e->klen, e->vlen);
        *vlen = e->vlen;
    }
    return RS_GUESS_KEPT;
}

void rs_known_put(rs_known *k, unsigned st, const char *key, size_t klen, const char *val, size_t vlen)
{
    rs_known_stripe *sp = &k->stripes[st % LOCK_STRIPES];
    rs_known_entry *e = find(sp, key, klen);
    int big = val != NULL && klen + vlen > RS_KNOWN_BYTES;
    char *buf;

    if (klen > RS_KNOWN_BYTES)
        return; /* not kept: guessed absent, which the compare corrects */
    if (e == NULL) { /* a free entry, else the least recently used */
        e = &sp->e[0];
        for (int w = 0; w < RS_KNOWN_WAYS && e->buf != NULL; w++)
            if (sp->e[w].buf == NULL || sp->e[w].used < e->used)
                e = &sp->e[w];
    }
    buf = malloc(klen + (val != NULL && !big ? vlen : 0) + 1);
    if (buf == NULL)
        return;
    memcpy(buf, key, klen);
    if (val != NULL && !big && vlen > 0)
        memcpy(buf + klen, val, vlen);
    free(e->buf);
    e->buf = buf;
    e->klen = klen;
    e->vlen = val != NULL && !big ? vlen : 0;
    e->present = val != NULL;
    e->big = big;
    e->used = ++sp->clock;
}

void rs_known_forget(rs_known *k, unsigned st, const char *key, size_t klen)
{
    rs_known_entry *e = find(&k->stripes[st % LOCK_STRIPES], key, klen);

    if (e != NULL) {
        free(e->buf);
        memset(e, 0, sizeof(*e));
    }
}

int rs_known_worth(rs_known *k, int kind)
{
    return kind != RS_GUESS_NONE && __atomic_load_n(&k->score[kind], __ATOMIC_RELAXED) >= 0;
}

void rs_known_learn(rs_known *k, int kind, int right)
{
    int v = __atomic_load_n(&k->score[kind], __ATOMIC_RELAXED) + (right ? 1 : -1);

    /* (a lost update between two commits is harmless: the score is a tendency) */
    if (kind != RS_GUESS_NONE && v >= -RS_KNOWN_SCORE && v <= RS_KNOWN_SCORE)
        __atomic_store_n(&k->score[kind], v, __ATOMIC_RELAXED);
}
