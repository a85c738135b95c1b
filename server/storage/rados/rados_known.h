/*
 * server/storage/rados/rados_known.h: what this gateway last read or wrote for a few keys of each
 * lock stripe (rados_known.c), the guess a one-key commit makes its first try on instead of
 * reading (rados_commit.c). Included by rados_commit.c and rados_backend.c.
 */
#ifndef DDB_RADOS_KNOWN_H
#define DDB_RADOS_KNOWN_H

#include "server/storage/rados/rados_store.h"

typedef struct rs_known rs_known;

/* What rs_known_get answers. */
enum {
    RS_GUESS_NONE,   /* the key's value is big (not kept): read it */
    RS_GUESS_ABSENT, /* nothing known about the key: guess it absent (a new item) */
    RS_GUESS_KEPT,   /* the value (or absence) this gateway last read or wrote */
};

rs_known *rs_known_new(void);
void rs_known_free(rs_known *k);
/* The guess for `key` of stripe `st` (its lock held): *val an arena copy, NULL when absent. */
int rs_known_get(rs_known *k, unsigned st, const char *key, size_t klen, ddb_arena *a, char **val, size_t *vlen);
/* Records the key's value as read or written (val NULL: absent), or forgets it (forget). */
void rs_known_put(rs_known *k, unsigned st, const char *key, size_t klen, const char *val, size_t vlen);
void rs_known_forget(rs_known *k, unsigned st, const char *key, size_t klen);
/* Whether a guess of that kind is worth making (most of the recent ones of its kind, made or
   learnt from a read, were right), and learning whether one was. */
int rs_known_worth(rs_known *k, int kind);
void rs_known_learn(rs_known *k, int kind, int right);

#endif
