/*
 * proto/arena.c: the bump allocator behind every request (see arena.h).
 *
 * Where a request's memory goes afterwards: a request needing more than the first chunk grows the
 * arena by chunks of twice the size each time up to 8 MiB (a 197 MB JSON tree takes 31, not 3,000),
 * and the chunks from 128 KiB up are mapped by the arena itself, so that the reset unmaps them and
 * the memory is the system's again. Freed to malloc instead, 64 KiB chunks stayed in the thread's malloc
 * heap for good: a 30 KB gzip body inflating to a 15 MB item left 235 MB of RSS on each HTTP
 * thread (issue 49). The first chunk and the next ones up to DDB_ARENA_KEEP bytes are kept for the
 * next requests, so a request that needs up to ~200 KiB makes no system call once its thread has
 * served one like it; a request that fits in the first chunk (GetItem, PutItem, Query of
 * ordinary size) runs exactly as before: this costs it one comparison at the reset.
 */
#include "proto/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* LeakSanitizer scans malloc's blocks, not the arena's own mappings: a malloc'd chunk whose only
   reference is the `next` of a mapped one would be reported as leaked. Mapped chunks are registered
   as root regions in the sanitizer builds (gcc says __SANITIZE_ADDRESS__, clang __has_feature). */
#if defined(__SANITIZE_ADDRESS__)
#define ARENA_LSAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARENA_LSAN 1
#endif
#endif
#ifdef ARENA_LSAN
#include <sanitizer/lsan_interface.h>
#define ARENA_ROOT(p, n) __lsan_register_root_region((p), (n))
#define ARENA_UNROOT(p, n) __lsan_unregister_root_region((p), (n))
#else
#define ARENA_ROOT(p, n) ((void)0)
#define ARENA_UNROOT(p, n) ((void)0)
#endif

#define ARENA_CHUNK_MIN (64 * 1024)
/* the doubling stops here: past it a chunk is a fixed size (or what one allocation needs) */
#define ARENA_CHUNK_MAX (8 * 1024 * 1024)
/* glibc's default mmap threshold: chunks this large or larger are mmap'd by the arena itself, as
   glibc would map them only while its threshold has not been raised (it raises it to the size of
   each mapped block freed, up to 32 MB, and the heap it then serves them from is not given back) */
#define ARENA_MAP_MIN (128 * 1024)
#define ARENA_PAGE 4096

struct ddb_arena_chunk {
    ddb_arena_chunk *next;
    size_t size;   /* usable bytes after the header */
    size_t mapped; /* bytes mmap'd for it, header included; 0: malloc'd */
    max_align_t data[];
};

static void out_of_memory(void)
{
    fputs("ddbd: out of memory\n", stderr);
    abort();
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n);

    if (p == NULL)
        out_of_memory();
    return p;
}

static ddb_arena_chunk *chunk_new(size_t size)
{
    size_t bytes = sizeof(ddb_arena_chunk) + size;
    ddb_arena_chunk *c;

    if (bytes < ARENA_MAP_MIN) {
        c = xmalloc(bytes);
        c->mapped = 0;
        c->size = size;
        return c;
    }
    bytes = (bytes + ARENA_PAGE - 1) & ~(size_t)(ARENA_PAGE - 1);
    c = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (c == MAP_FAILED)
        out_of_memory();
    c->mapped = bytes;
    c->size = bytes - sizeof(*c);
    ARENA_ROOT(c, bytes);
    return c;
}

static void chunk_free(ddb_arena_chunk *c)
{
    if (c->mapped != 0) {
        ARENA_UNROOT(c, c->mapped);
        munmap(c, c->mapped);
    } else {
        free(c);
    }
}

void ddb_arena_init(ddb_arena *a)
{
    memset(a, 0, sizeof(*a));
}

/* A chunk with room for `need`: a kept one that is large enough, else a new one, twice the size of
   the current one (or ARENA_CHUNK_MIN for the first), ARENA_CHUNK_MAX at most unless `need` is more.
   Out of line: ddb_arena_alloc stays small enough to be inlined into calloc, strndup and the rest
   (inlined here, this made every request 200-500 instructions dearer, bench/callgrind_ab.py). */
__attribute__((noinline, cold)) static void arena_grow(ddb_arena *a, size_t need)
{
    ddb_arena_chunk *c = a->spare;

    if (c != NULL && c->size >= need) {
        a->spare = c->next;
    } else {
        size_t size = a->head != NULL ? a->head->size * 2 : ARENA_CHUNK_MIN;
        if (size > ARENA_CHUNK_MAX)
            size = ARENA_CHUNK_MAX;
        c = chunk_new(size > need ? size : need);
    }
    c->next = a->head;
    a->head = c;
    a->cur = (char *)c->data;
    a->end = a->cur + c->size;
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

/* The chunks after `c` (the oldest) kept as spares while they fit in DDB_ARENA_KEEP, the others
   given back; returns `c`, or NULL when it is too large to keep (given back too). */
__attribute__((noinline)) static ddb_arena_chunk *keep_chunks(ddb_arena *a, ddb_arena_chunk *c)
{
    size_t kept = 0;

    for (ddb_arena_chunk *s = a->spare; s != NULL; s = s->next)
        kept += s->size;
    while (c->next != NULL) {
        ddb_arena_chunk *next = c->next;
        if (kept + c->size <= DDB_ARENA_KEEP) {
            c->next = a->spare;
            a->spare = c;
            kept += c->size;
        } else {
            chunk_free(c);
        }
        c = next;
    }
    if (c->size > DDB_ARENA_KEEP) {
        chunk_free(c);
        return NULL;
    }
    return c;
}

void ddb_arena_reset(ddb_arena *a)
{
    ddb_arena_chunk *c = a->head;

    if (c == NULL)
        return;
    /* one chunk of the common size: the request fitted in it (the hot path) */
    if ((c->next != NULL || c->size > DDB_ARENA_KEEP) && (c = keep_chunks(a, c)) == NULL) {
        a->head = NULL;
        a->cur = a->end = NULL;
        a->total = 0;
        return;
    }
    a->head = c;
    a->cur = (char *)c->data;
    a->end = a->cur + c->size;
    a->total = 0;
}

static void free_list(ddb_arena_chunk *c)
{
    while (c != NULL) {
        ddb_arena_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
}

void ddb_arena_free(ddb_arena *a)
{
    free_list(a->head);
    free_list(a->spare);
    memset(a, 0, sizeof(*a));
}
