/*
 * proto/arena.c: the bump allocator behind every request (see arena.h).
 */
#include "proto/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_MIN (64 * 1024)

struct ddb_arena_chunk {
    ddb_arena_chunk *next;
    size_t size; /* usable bytes after the header */
    max_align_t data[];
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL) {
        fputs("ddbd: out of memory\n", stderr);
        abort();
    }
    return p;
}

void ddb_arena_init(ddb_arena *a)
{
    memset(a, 0, sizeof(*a));
}

static void arena_grow(ddb_arena *a, size_t need)
{
    size_t size = need > ARENA_CHUNK_MIN ? need : ARENA_CHUNK_MIN;
    ddb_arena_chunk *c = xmalloc(sizeof(*c) + size);

    c->size = size;
    c->next = a->head;
    a->head = c;
    a->cur = (char *)c->data;
    a->end = a->cur + size;
}

void *ddb_arena_alloc(ddb_arena *a, size_t n)
{
    void *p;

    n = (n + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if ((size_t)(a->end - a->cur) < n)
        arena_grow(a, n);
    p = a->cur;
    a->cur += n;
    a->total += n;
    return p;
}

void *ddb_arena_calloc(ddb_arena *a, size_t n)
{
    void *p = ddb_arena_alloc(a, n);

    memset(p, 0, n);
    return p;
}

void *ddb_arena_grow(ddb_arena *a, const void *v, size_t n, size_t cap, size_t size)
{
    char *q = ddb_arena_alloc(a, cap * size);

    if (n != 0)
        memcpy(q, v, n * size);
    memset(q + n * size, 0, (cap - n) * size);
    return q;
}

void *ddb_arena_memdup(ddb_arena *a, const void *p, size_t n)
{
    void *q = ddb_arena_alloc(a, n);

    if (n != 0)
        memcpy(q, p, n);
    return q;
}

char *ddb_arena_strndup(ddb_arena *a, const char *s, size_t n)
{
    char *q = ddb_arena_alloc(a, n + 1);

    if (n != 0)
        memcpy(q, s, n);
    q[n] = '\0';
    return q;
}

char *ddb_arena_sprintf(ddb_arena *a, const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    s = ddb_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

void ddb_arena_reset(ddb_arena *a)
{
    ddb_arena_chunk *c = a->head;

    if (c == NULL)
        return;
    /* keep the oldest chunk (the last in the list): it is the one sized for the common case */
    while (c->next != NULL) {
        ddb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    a->head = c;
    a->cur = (char *)c->data;
    a->end = a->cur + c->size;
    a->total = 0;
}

void ddb_arena_free(ddb_arena *a)
{
    ddb_arena_chunk *c = a->head;

    while (c != NULL) {
        ddb_arena_chunk *next = c->next;
        free(c);
        c = next;
    }
    memset(a, 0, sizeof(*a));
}
