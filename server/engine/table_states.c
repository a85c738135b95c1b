/*
 * server/engine/table_states.c: the DELETING descriptions of tables deleted under --table-states
 * (see table_states.h).
 */
#include "server/engine/table_states.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine/catalog/catalog.h"

/* One deleted table: few at a time (a test's), so a list searched whole is enough. */
typedef struct gone {
    struct gone *next;
    char *key;
    uint64_t due_ms;
    char *desc;
    size_t len;
} gone;

struct ddb_gone_tables {
    pthread_mutex_t lock;
    gone *head;
};

ddb_gone_tables *ddb_gone_new(void)
{
    ddb_gone_tables *g = calloc(1, sizeof(*g));

    if (g == NULL)
        abort();
    pthread_mutex_init(&g->lock, NULL);
    return g;
}

static void gone_free(gone *x)
{
    free(x->key);
    free(x->desc);
    free(x);
}

void ddb_gone_free(ddb_gone_tables *g)
{
    if (g == NULL)
        return;
    while (g->head != NULL) {
        gone *x = g->head;
        g->head = x->next;
        gone_free(x);
    }
    pthread_mutex_destroy(&g->lock);
    free(g);
}

void ddb_gone_add(ddb_gone_tables *g, const char *key, uint64_t due_ms, const char *desc, size_t len)
{
    gone *x = calloc(1, sizeof(*x));

    if (x == NULL || (x->key = strdup(key)) == NULL || (x->desc = malloc(len + 1)) == NULL)
        abort();
    memcpy(x->desc, desc, len);
    x->desc[len] = '\0';
    x->len = len;
    x->due_ms = due_ms;
    pthread_mutex_lock(&g->lock);
    x->next = g->head;
    g->head = x;
    pthread_mutex_unlock(&g->lock);
}

int ddb_gone_get(ddb_gone_tables *g, const char *key, uint64_t now_ms, ddb_arena *a, const char **desc, size_t *len)
{
    int found = 0;

    pthread_mutex_lock(&g->lock);
    for (gone **p = &g->head; *p != NULL;) {
        gone *x = *p;
        if (now_ms >= x->due_ms) { /* gone for good: its name is free again */
            *p = x->next;
            gone_free(x);
            continue;
        }
        if (!found && strcmp(x->key, key) == 0) {
            found = 1;
            if (a != NULL) {
                *desc = ddb_arena_memdup(a, x->desc, x->len);
                *len = x->len;
            }
        }
        p = &x->next;
    }
    pthread_mutex_unlock(&g->lock);
    return found;
}

size_t ddb_gone_names(ddb_gone_tables *g, const char *ns, uint64_t now_ms, ddb_arena *a, const char ***names)
{
    size_t n = 0, cap = 0;
    const char *name;

    pthread_mutex_lock(&g->lock);
    for (gone *x = g->head; x != NULL; x = x->next)
        cap++;
    *names = ddb_arena_alloc(a, sizeof(char *) * (cap ? cap : 1));
    for (gone **p = &g->head; *p != NULL;) {
        gone *x = *p;
        if (now_ms >= x->due_ms) {
            *p = x->next;
            gone_free(x);
            continue;
        }
        if (ddb_key_in_ns(x->key, ns, &name))
            (*names)[n++] = ddb_arena_strndup(a, name, strlen(name));
        p = &x->next;
    }
    pthread_mutex_unlock(&g->lock);
    return n;
}

void ddb_table_states_set(ddb_engine *eng, unsigned ms, unsigned count_refresh_s)
{
    if (ms != 0 && ddb_gone_of(eng) == NULL) { /* published once: readers load it without a lock */
        ddb_gone_tables *g = ddb_gone_new(), *none = NULL;
        if (!__atomic_compare_exchange_n(&eng->gone, &none, g, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            ddb_gone_free(g);
    }
    __atomic_store_n(&eng->settings.table_states, ms, __ATOMIC_RELAXED);
    __atomic_store_n(&eng->settings.count_refresh, count_refresh_s, __ATOMIC_RELAXED);
}
