#ifndef DDB_GROW_H
#define DDB_GROW_H

#include <stdlib.h>

/*
 * Room for one more element in the malloc'd array `v` that holds `n` of `cap`: when it is full,
 * `v` is reallocated to twice the capacity (`first` when it had none); the new elements are not
 * initialised. A failed allocation aborts, as everywhere else in the server. The arena form is
 * DDB_ARENA_ROOM (proto/arena.h).
 */
#define DDB_ROOM(v, n, cap, first)                                                                                     \
    do {                                                                                                               \
        if ((n) == (cap)) {                                                                                            \
            size_t grown_ = (cap) ? (size_t)(cap) * 2 : (size_t)(first);                                               \
            void *moved_ = realloc((v), grown_ * sizeof(*(v)));                                                        \
            if (moved_ == NULL)                                                                                        \
                abort();                                                                                               \
            (v) = moved_;                                                                                              \
            (cap) = grown_;                                                                                            \
        }                                                                                                              \
    } while (0)

#endif
