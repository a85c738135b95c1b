/*
 * server/storage/stripes.c: sorting a commit's lock stripes, and the sweeps over all of them (see stripes.h).
 */
#include "server/storage/stripes.h"

#include <stdlib.h>

static int cmp_unsigned(const void *a, const void *b)
{
    unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
    return x < y ? -1 : x > y;
}

size_t sort_stripes(unsigned *st, size_t n)
{
    size_t out = 0;

    if (n <= STACK_STRIPES) {
        for (size_t i = 1; i < n; i++) { /* insertion sort: n is small */
            unsigned v = st[i];
            size_t j = i;
            for (; j > 0 && st[j - 1] > v; j--)
                st[j] = st[j - 1];
            st[j] = v;
        }
    } else {
        qsort(st, n, sizeof(*st), cmp_unsigned);
    }
    for (size_t i = 0; i < n; i++) {
        if (out == 0 || st[out - 1] != st[i])
            st[out++] = st[i];
    }
    return out;
}

void stripes_barrier(pthread_mutex_t *locks)
{
    for (int i = 0; i < LOCK_STRIPES; i++) {
        pthread_mutex_lock(&locks[i]);
        pthread_mutex_unlock(&locks[i]);
    }
}

void stripes_exclusive(pthread_mutex_t *locks, void (*fn)(void *ctx), void *ctx)
{
    for (int i = 0; i < LOCK_STRIPES; i++)
        pthread_mutex_lock(&locks[i]);
    fn(ctx);
    for (int i = LOCK_STRIPES; i > 0; i--)
        pthread_mutex_unlock(&locks[i - 1]);
}
