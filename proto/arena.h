/*
 * proto/arena.h: a bump allocator for request-lifetime memory.
 *
 * Every decoder in proto/ and every operation handler in server/ allocates from the request's
 * arena, so one ddb_arena_reset() releases a whole request and handlers have no cleanup paths.
 * Allocation never fails: on out-of-memory the process aborts (as h2o_mem_alloc_pool does).
 */
#ifndef DDB_ARENA_H
#define DDB_ARENA_H

#include <stddef.h>
#include <stdint.h>

typedef struct ddb_arena_chunk ddb_arena_chunk;

typedef struct ddb_arena {
    ddb_arena_chunk *head; /* current chunk; older chunks follow ->next */
    char *cur;             /* next free byte in head */
    char *end;             /* end of head */
    size_t total;          /* bytes handed out since the last reset (for limits and stats) */
    ddb_arena_chunk *spare; /* chunks kept at a reset for the next requests, smallest first */
} ddb_arena;

void ddb_arena_init(ddb_arena *a);
/* Releases everything handed out. The first chunk and the next ones up to DDB_ARENA_KEEP bytes in
   all are kept for the next requests; the memory of the others goes back to the system. */
void ddb_arena_reset(ddb_arena *a);
/* Bytes of chunks an arena keeps across resets, at most (its first chunk aside): a request of up to
   ~200 KiB of arena reuses them without a system call, and the RADOS request workers' jobs (64 per
   HTTP thread by default, an arena each) keep 80 MiB at most in all with 4 threads. */
#define DDB_ARENA_KEEP (256 * 1024)
/* Frees everything. */
void ddb_arena_free(ddb_arena *a);

/* Returns `n` bytes aligned to 8; contents are undefined. */
void *ddb_arena_alloc(ddb_arena *a, size_t n);
/* Returns `n` zeroed bytes. */
void *ddb_arena_calloc(ddb_arena *a, size_t n);
void *ddb_arena_memdup(ddb_arena *a, const void *p, size_t n);
/* Copies `n` bytes and appends a NUL. */
char *ddb_arena_strndup(ddb_arena *a, const char *s, size_t n);
char *ddb_arena_sprintf(ddb_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define DDB_NEW(a, type) ((type *)ddb_arena_calloc((a), sizeof(type)))
#define DDB_NEW_ARRAY(a, type, n) ((type *)ddb_arena_calloc((a), sizeof(type) * (size_t)(n)))
/* The same, not zeroed: for an array whose every element is set before it is read (a batch's
   25 mutations are 20 KB to zero for nothing). */
#define DDB_NEW_ARRAY_UNSET(a, type, n) ((type *)ddb_arena_alloc((a), sizeof(type) * (size_t)(n)))

/* A new array of `cap` elements of `size` bytes: the `n` of `v` copied, the rest zeroed. */
void *ddb_arena_grow(ddb_arena *a, const void *v, size_t n, size_t cap, size_t size);
/*
 * Room for one more element in the arena array `v` that holds `n` of `cap`: when it is full, `v`
 * moves to a new array of twice the capacity (`first` when it had none), its elements copied and
 * the new ones zeroed. The arrays growing one element at a time (a parser's nodes, a batch's
 * writes, a listing) grow this way: the old array stays in the arena until its reset.
 */
#define DDB_ARENA_ROOM(a, v, n, cap, first)                                                                           \
    do {                                                                                                               \
        if ((n) == (cap)) {                                                                                            \
            size_t grown_ = (cap) ? (size_t)(cap) * 2 : (size_t)(first);                                               \
            (v) = ddb_arena_grow((a), (v), (size_t)(n), grown_, sizeof(*(v)));                                         \
            (cap) = grown_;                                                                                            \
        }                                                                                                              \
    } while (0)

#endif
