/*
 * server/engine/emulate/table_states.c: production's table states as a row of the engine
 * (table_states.h: ddb_feature_table_states; feature.h says what a row is): the tables' ends of
 * CREATING, read from the clock, and the DELETING descriptions of tables deleted under
 * --table-states.
 */
#include "server/engine/emulate/table_states.h"

#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"
#include "server/base/clock.h"
#include "server/base/list.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/catalog/catalog_edit.h"

/* One deleted table: few at a time (a test's), so a list searched whole is enough. */
typedef struct gone {
    struct gone *next;
    char *key;
    uint64_t due_ms;
    char *desc;
    size_t len;
} gone;

/* The tables deleted under --table-states whose DELETING lasts until their due time. */
typedef struct ddb_gone_tables {
    pthread_mutex_t lock;
    gone *head;
} ddb_gone_tables;

static ddb_gone_tables *gone_new(void)
{
    ddb_gone_tables *g = ddb_zalloc(sizeof(*g));

    pthread_mutex_init(&g->lock, NULL);
    return g;
}

static void gone_free(void *node)
{
    gone *x = node;

    free(x->key);
    free(x->desc);
    free(x);
}

static void gone_tables_free(ddb_gone_tables *g)
{
    if (g == NULL)
        return;
    ddb_list_free(g->head, offsetof(gone, next), gone_free);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

static void gone_add(ddb_gone_tables *g, const char *key, uint64_t due_ms, const char *desc, size_t len)
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

static int gone_get(ddb_gone_tables *g, const char *key, uint64_t now_ms, ddb_arena *a, const char **desc, size_t *len)
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

static size_t gone_names(ddb_gone_tables *g, const char *ns, uint64_t now_ms, ddb_arena *a, const char ***names)
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

/* ---- the row's state and hooks ---- */

/* --table-states' MS (the admin door may change it while requests run: read atomically) and the
   deleted tables still DELETING (NULL until MS is first set: published once, read without a lock). */
typedef struct ddb_table_states {
    unsigned ms;
    ddb_gone_tables *gone;
} ddb_table_states;

static ddb_gone_tables *gone_of(ddb_table_states *s)
{
    return __atomic_load_n(&s->gone, __ATOMIC_ACQUIRE);
}

/* MS, and the deleted tables' list made on its first use. */
static void states_set(ddb_table_states *s, unsigned ms)
{
    if (ms != 0 && gone_of(s) == NULL) {
        ddb_gone_tables *g = gone_new(), *none = NULL;
        if (!__atomic_compare_exchange_n(&s->gone, &none, g, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            gone_tables_free(g);
    }
    __atomic_store_n(&s->ms, ms, __ATOMIC_RELAXED);
}

ddb_table_states *ddb_table_states_new(unsigned ms)
{
    ddb_table_states *s = ddb_zalloc(sizeof(*s));

    states_set(s, ms);
    return s;
}

static void states_close(void *state)
{
    ddb_table_states *s = state;

    gone_tables_free(s->gone);
    free(s);
}

unsigned ddb_table_states_ms(const ddb_engine *eng)
{
    ddb_table_states *s = ddb_engine_feature(eng, &ddb_feature_table_states);

    return s != NULL ? __atomic_load_n(&s->ms, __ATOMIC_RELAXED) : 0;
}

void ddb_table_states_set(ddb_engine *eng, unsigned ms)
{
    ddb_table_states *s = ddb_engine_feature(eng, &ddb_feature_table_states);

    if (s != NULL)
        states_set(s, ms);
}

static uint64_t states_until(const ddb_feature_slot *f)
{
    unsigned ms = __atomic_load_n(&((ddb_table_states *)f->state)->ms, __ATOMIC_RELAXED);

    return ms != 0 ? ddb_clock_now_ms() + ms : 0;
}

/* One branch for a table or index the option never set; a due time stays due (clock.h). An index
   deleted while still due (a Delete cancels a build) is DELETING, not CREATING. */
static int states_creating(const ddb_feature_slot *f, const ddb_table *t, const ddb_index *ix)
{
    (void)f;
    if (ix == NULL)
        return t->active_at != 0 && ddb_clock_high_ms() < t->active_at;
    return ix->active_at != 0 && ix->state != DDB_IX_DELETING && ddb_clock_high_ms() < ix->active_at;
}

static void states_deleted(const ddb_feature_slot *f, const char *key, uint64_t until, const char *desc, size_t len)
{
    ddb_gone_tables *g = gone_of(f->state); /* (made when MS was set: `until` came from it) */

    if (g != NULL)
        gone_add(g, key, until, desc, len);
}

static int states_deleting(const ddb_feature_slot *f, const char *key, ddb_arena *a, const char **desc, size_t *len)
{
    ddb_gone_tables *g = gone_of(f->state);

    return g != NULL && gone_get(g, key, ddb_clock_high_ms(), a, desc, len);
}

static size_t states_deleting_names(const ddb_feature_slot *f, const char *ns, ddb_arena *a, const char ***names)
{
    ddb_gone_tables *g = gone_of(f->state);

    return g != NULL ? gone_names(g, ns, ddb_clock_high_ms(), a, names) : 0;
}

/* ---- its table member, "ddbdActiveAt" ---- */

/* The table's end of CREATING, and each index's from its own object (an index UpdateTable added). */
static void active_at_read(ddb_table *t, const ddb_json *v)
{
    t->active_at = ddb_member_u64(v);
    for (unsigned i = 0; i < t->nindexes; i++)
        t->indexes[i].active_at = ddb_member_u64(ddb_json_get(t->indexes[i].desc, DDB_MEMBER_ACTIVE_AT));
}

/* A new table's (a number with a fraction's point, as the description's other times are) and an
   added index's (a whole number), as each has been stored since the option was made. */
static void active_at_write(ddb_jw *w, const ddb_member_edit *e)
{
    ddb_jw_double(w, (double)*(const uint64_t *)e->value); /* exact: ms below 2^53 */
}

static void index_active_at_write(ddb_jw *w, const ddb_member_edit *e)
{
    ddb_jw_int(w, (long long)*(const uint64_t *)e->value);
}

static const ddb_table_member active_at = {DDB_MEMBER_ACTIVE_AT, active_at_read, active_at_write};
static const ddb_table_member index_active_at = {DDB_MEMBER_ACTIVE_AT, NULL, index_active_at_write};
static const ddb_table_member *const members[] = {&active_at, NULL};

static void states_creating_until(const ddb_feature_slot *f, ddb_desc_edit *e, int index, uint64_t until)
{
    (void)f;
    if (index)
        ddb_edit_add_index_member(e, &index_active_at, &until, sizeof(until));
    else
        ddb_edit_member(e, &active_at, &until, sizeof(until));
}

const ddb_feature ddb_feature_table_states = {.name = "table_states",
                                              .members = members,
                                              .close = states_close,
                                              .state_until = states_until,
                                              .creating_until = states_creating_until,
                                              .creating = states_creating,
                                              .deleted = states_deleted,
                                              .deleting = states_deleting,
                                              .deleting_names = states_deleting_names};
