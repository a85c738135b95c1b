/*
 * server/storage/stripes.c: sorting a commit's lock stripes (see stripes.h).
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
