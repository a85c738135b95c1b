/*
 * server/doors/usage_marks.c: the report's counters and its marks (see usage_marks.h).
 */
#include "server/doors/usage_marks.h"

#include <stdlib.h>
#include <string.h>

#include "server/engine/table_stats.h"

struct ddb_usage_mark {
    char name[DDB_USAGE_MARK_NAME + 1];
    size_t len;
    uint64_t ms;
    ddb_usage_snap *tables;
    size_t n;
};

static void load(ddb_usage_units *to, const ddb_usage_units *from)
{
    to->read_milli = __atomic_load_n(&from->read_milli, __ATOMIC_RELAXED);
    to->write_milli = __atomic_load_n(&from->write_milli, __ATOMIC_RELAXED);
    to->requests = __atomic_load_n(&from->requests, __ATOMIC_RELAXED);
}

void ddb_usage_snap_take(const ddb_table *t, ddb_usage_snap *s)
{
    const ddb_table_usage *u = &t->stats->usage;
    const ddb_table_patterns *p = &t->stats->patterns;

    memset(s, 0, sizeof(*s));
    s->id = t->id;
    for (int op = 0; op < DDB_OP__COUNT; op++)
        load(&s->op[op], &u->op[op]);
    for (unsigned i = 0; i < DDB_MAX_INDEXES; i++) {
        s->ix_id[i] = __atomic_load_n(&u->ix[i].id, __ATOMIC_ACQUIRE);
        load(&s->ix[i], &u->ix[i].u);
    }
    for (unsigned i = 0; i < DDB_PATTERNS; i++) { /* a slot whose key is not written yet counts as free */
        s->slot_hash[i] = __atomic_load_n(&p->slot[i].ready, __ATOMIC_ACQUIRE) ? p->slot[i].hash : 0;
        load(&s->slot[i], &p->slot[i].u);
    }
    load(&s->other, &p->other);
    s->stream_reads = __atomic_load_n(&u->stream_reads, __ATOMIC_RELAXED);
    s->replicated_milli = __atomic_load_n(&u->replicated_milli, __ATOMIC_RELAXED);
}

/* a minus b; a left whole when it is below b anywhere: its counters started again since (a table
   restored by a whole-store restore keeps its id, not its figures), so all of it is since. */
static void sub(ddb_usage_units *a, const ddb_usage_units *b)
{
    if (a->read_milli < b->read_milli || a->write_milli < b->write_milli || a->requests < b->requests)
        return;
    a->read_milli -= b->read_milli;
    a->write_milli -= b->write_milli;
    a->requests -= b->requests;
}

void ddb_usage_snap_sub(ddb_usage_snap *s, const ddb_usage_snap *base)
{
    for (int op = 0; op < DDB_OP__COUNT; op++)
        sub(&s->op[op], &base->op[op]);
    for (unsigned i = 0; i < DDB_MAX_INDEXES; i++) /* a slot keeps its index once claimed */
        if (base->ix_id[i] != 0 && base->ix_id[i] == s->ix_id[i])
            sub(&s->ix[i], &base->ix[i]);
    for (unsigned i = 0; i < DDB_PATTERNS; i++)
        if (base->slot_hash[i] != 0 && base->slot_hash[i] == s->slot_hash[i])
            sub(&s->slot[i], &base->slot[i]);
    sub(&s->other, &base->other);
    s->stream_reads -= s->stream_reads >= base->stream_reads ? base->stream_reads : 0;
    s->replicated_milli -= s->replicated_milli >= base->replicated_milli ? base->replicated_milli : 0;
}

static void mark_free(ddb_usage_mark *m)
{
    if (m != NULL)
        free(m->tables);
    free(m);
}

/* Removes ms->m[i], keeping the order of the others. */
static void drop(ddb_usage_marks *ms, size_t i)
{
    mark_free(ms->m[i]);
    memmove(ms->m + i, ms->m + i + 1, (ms->n - i - 1) * sizeof(ms->m[0]));
    ms->n--;
}

static size_t find(const ddb_usage_marks *ms, const char *name, size_t len)
{
    for (size_t i = 0; i < ms->n; i++)
        if (ms->m[i]->len == len && memcmp(ms->m[i]->name, name, len) == 0)
            return i;
    return ms->n;
}

void ddb_usage_marks_free(ddb_usage_marks *ms)
{
    while (ms->n > 0)
        drop(ms, ms->n - 1);
}

void ddb_usage_mark_set(ddb_usage_marks *ms, const char *name, size_t len, const ddb_table *const *tables, size_t n,
                        uint64_t now_ms)
{
    ddb_usage_mark *m = calloc(1, sizeof(*m));
    size_t at;

    if (m == NULL || (m->tables = calloc(n > 0 ? n : 1, sizeof(m->tables[0]))) == NULL)
        abort();
    memcpy(m->name, name, len);
    m->len = len;
    m->ms = now_ms;
    for (size_t i = 0; i < n; i++)
        if (tables[i]->stats != NULL)
            ddb_usage_snap_take(tables[i], &m->tables[m->n++]);
    if ((at = find(ms, name, len)) < ms->n)
        drop(ms, at);
    if (ms->n == DDB_USAGE_MARKS)
        drop(ms, 0);
    ms->m[ms->n++] = m;
}

const ddb_usage_mark *ddb_usage_mark_find(const ddb_usage_marks *ms, const char *name, size_t len)
{
    size_t at = find(ms, name, len);

    return at < ms->n ? ms->m[at] : NULL;
}

uint64_t ddb_usage_mark_ms(const ddb_usage_mark *m)
{
    return m->ms;
}

const char *ddb_usage_mark_name(const ddb_usage_mark *m, size_t *len)
{
    *len = m->len;
    return m->name;
}

const ddb_usage_snap *ddb_usage_mark_table(const ddb_usage_mark *m, uint32_t id)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->tables[i].id == id)
            return &m->tables[i];
    return NULL;
}

void ddb_usage_marks_write(const ddb_usage_marks *ms, ddb_jw *w)
{
    ddb_jw_key(w, "marks");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < ms->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "name");
        ddb_jw_strn(w, ms->m[i]->name, ms->m[i]->len);
        ddb_jw_key(w, "timeMs");
        ddb_jw_int(w, (long long)ms->m[i]->ms);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}
