/*
 * server/base/deferred_init.c: runs the static initialisers deferred_init.ld set aside
 * (deferred_init.h says why).
 */
#include <pthread.h>
#include <stdatomic.h>

#include "server/base/deferred_init.h"

typedef void (*init_fn)(void);

/* Defined by deferred_init.ld when it is linked in; otherwise weak and absent (NULL). */
extern const init_fn __ddb_deferred_init_start[] __attribute__((weak, visibility("hidden")));
extern const init_fn __ddb_deferred_init_end[] __attribute__((weak, visibility("hidden")));

static pthread_once_t once = PTHREAD_ONCE_INIT;
static atomic_int done;

static void run_all(void)
{
    const init_fn *f = __ddb_deferred_init_start;

    /* forward, as the loader runs .init_array: a library's constructors after those it uses */
    for (; f != NULL && f < __ddb_deferred_init_end; f++)
        (*f)();
    atomic_store_explicit(&done, 1, memory_order_release);
}

void ddb_deferred_init(void)
{
    pthread_once(&once, run_all);
}

size_t ddb_deferred_init_count(void)
{
    const init_fn *start = __ddb_deferred_init_start, *end = __ddb_deferred_init_end;

    return start == NULL ? 0 : (size_t)(end - start);
}

int ddb_deferred_init_done(void)
{
    return atomic_load_explicit(&done, memory_order_acquire);
}
