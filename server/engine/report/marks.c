/*
 * server/engine/report/marks.c: the report's counters and its marks (see usage_marks.h).
 */
#include "server/engine/report/marks.h"

#include <stdlib.h>
#include <string.h>

#include "proto/buf.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/table_stats.h"

/*
 * A mark's snaps, packed: a table's counters that are all zero take no room (most tables of a
 * large server are idle between two marks; a full ddb_usage_snap is 3.5 KB, and 128 marks of
 * 2,500 tables held 1.1 GB, issue 73). Per table a head, then its non-zero units, each with the
 * index slot's id or the pattern slot's hash it is counted under; an index of (id, offset) sorted
 * by id finds a table's. A unit that is zero subtracts nothing, so dropping it changes no report.
 */
typedef struct packed_head {
    uint32_t id, n; /* the table's, and its units that follow */
    uint64_t stream_reads, replicated_milli;
} packed_head;

typedef struct packed_unit {
    uint32_t at; /* in the snap's units, in order: op[], ix[], slot[], other */
    uint32_t ix_id;
    uint64_t slot_hash;
    ddb_usage_units u;
} packed_unit;

typedef struct packed_at {
    uint32_t id;
    uint32_t off; /* of its head in the mark's bytes */
} packed_at;

#define N_OP DDB_OP__COUNT
#define N_UNITS (N_OP + DDB_MAX_INDEXES + DDB_PATTERNS + 1)

struct ddb_usage_mark {
    char name[DDB_USAGE_MARK_NAME + 1];
    size_t len;
    uint64_t ms;
    unsigned char *bytes; /* the packed snaps */
    size_t nbytes;
    packed_at *at; /* by id */
    size_t n;
    size_t cost; /* what it holds, counted against the marks' budget */
};

static void load(ddb_usage_units *to, const ddb_usage_units *from)
{
    to->read_milli = __atomic_load_n(&from->read_milli, __ATOMIC_RELAXED);
    to->write_milli = __atomic_load_n(&from->write_milli, __ATOMIC_RELAXED);
    to->requests = __atomic_load_n(&from->requests, __ATOMIC_RELAXED);
}

void ddb_usage_snap_take(const ddb_table *t, ddb_usage_snap *s)
{
    const ddb_table_usage *u = &ddb_capacity_table_of(t)->usage;
    const ddb_table_patterns *p = &ddb_capacity_table_of(t)->patterns;

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
    if (m != NULL) {
        free(m->bytes);
        free(m->at);
    }
    free(m);
}

/* Removes ms->m[i], keeping the order of the others. */
static void drop(ddb_usage_marks *ms, size_t i)
{
    ms->bytes -= ms->m[i]->cost;
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

static ddb_usage_units *unit_of(ddb_usage_snap *s, uint32_t at)
{
    return at < N_OP ? &s->op[at]
           : at < N_OP + DDB_MAX_INDEXES ? &s->ix[at - N_OP]
           : at < N_UNITS - 1 ? &s->slot[at - N_OP - DDB_MAX_INDEXES]
                              : &s->other;
}

/* s packed at the end of buf: 0, or -1 when buf would pass `budget` bytes. */
static int pack(ddb_buf *buf, ddb_usage_snap *s, size_t budget)
{
    packed_head h = {s->id, 0, s->stream_reads, s->replicated_milli};
    size_t head_at = buf->len;

    if (buf->len + sizeof(h) > budget)
        return -1;
    ddb_buf_append(buf, &h, sizeof(h));
    for (uint32_t at = 0; at < N_UNITS; at++) {
        const ddb_usage_units *u = unit_of(s, at);
        packed_unit p = {at, 0, 0, *u};
        if (u->read_milli == 0 && u->write_milli == 0 && u->requests == 0)
            continue;
        if (at >= N_OP && at < N_OP + DDB_MAX_INDEXES)
            p.ix_id = s->ix_id[at - N_OP];
        else if (at >= N_OP + DDB_MAX_INDEXES && at < N_UNITS - 1)
            p.slot_hash = s->slot_hash[at - N_OP - DDB_MAX_INDEXES];
        if (buf->len + sizeof(p) > budget)
            return -1;
        ddb_buf_append(buf, &p, sizeof(p));
        h.n++;
    }
    memcpy(buf->data + head_at, &h, sizeof(h));
    return 0;
}

static int by_id(const void *x, const void *y)
{
    uint32_t a = ((const packed_at *)x)->id, b = ((const packed_at *)y)->id;

    return a < b ? -1 : a > b;
}

/* The mark of the tables' counters, or NULL when it would pass `budget` bytes. */
static ddb_usage_mark *mark_of(const ddb_table *const *tables, size_t n, size_t budget)
{
    ddb_usage_mark *m = calloc(1, sizeof(*m));
    ddb_buf buf = {0};
    ddb_usage_snap s;

    if (m == NULL || (m->at = calloc(n > 0 ? n : 1, sizeof(m->at[0]))) == NULL)
        abort();
    m->cost = sizeof(*m) + n * sizeof(m->at[0]);
    for (size_t i = 0; i < n; i++) {
        if (ddb_capacity_table_of(tables[i]) == NULL)
            continue;
        ddb_usage_snap_take(tables[i], &s);
        m->at[m->n] = (packed_at){s.id, (uint32_t)buf.len};
        if (m->cost > budget || pack(&buf, &s, budget - m->cost) != 0) {
            ddb_buf_free(&buf);
            mark_free(m);
            return NULL;
        }
        m->n++;
    }
    qsort(m->at, m->n, sizeof(m->at[0]), by_id);
    m->bytes = (unsigned char *)buf.data;
    m->nbytes = buf.len;
    m->cost += buf.cap;
    return m;
}

int ddb_usage_mark_engine(ddb_engine *eng, ddb_usage_marks *ms, const char *name, size_t len, uint64_t now_ms,
                          size_t *ntables)
{
    ddb_arena a;
    const ddb_table **tables;
    int rc;

    ddb_arena_init(&a);
    *ntables = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    rc = ddb_usage_mark_set(ms, name, len, tables, *ntables, now_ms);
    ddb_arena_free(&a);
    return rc;
}

size_t ddb_usage_marks_budget(const ddb_usage_marks *ms)
{
    return ms->budget != 0 ? ms->budget : DDB_USAGE_MARKS_BYTES;
}

int ddb_usage_mark_set(ddb_usage_marks *ms, const char *name, size_t len, const ddb_table *const *tables, size_t n,
                       uint64_t now_ms)
{
    size_t budget = ddb_usage_marks_budget(ms), at;
    ddb_usage_mark *m = mark_of(tables, n, budget);

    if (m == NULL)
        return -1;
    memcpy(m->name, name, len);
    m->len = len;
    m->ms = now_ms;
    if ((at = find(ms, name, len)) < ms->n)
        drop(ms, at);
    /* the oldest go first: at most DDB_USAGE_MARKS, and the budget's bytes in all */
    while (ms->n > 0 && (ms->n == DDB_USAGE_MARKS || ms->bytes + m->cost > budget))
        drop(ms, 0);
    ms->m[ms->n++] = m;
    ms->bytes += m->cost;
    return 0;
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

int ddb_usage_mark_table(const ddb_usage_mark *m, uint32_t id, ddb_usage_snap *s)
{
    packed_at key = {id, 0};
    const packed_at *at = m->n ? bsearch(&key, m->at, m->n, sizeof(key), by_id) : NULL;
    packed_head h;

    if (at == NULL)
        return -1;
    memcpy(&h, m->bytes + at->off, sizeof(h));
    memset(s, 0, sizeof(*s));
    s->id = h.id;
    s->stream_reads = h.stream_reads;
    s->replicated_milli = h.replicated_milli;
    for (uint32_t i = 0; i < h.n; i++) {
        packed_unit p;
        memcpy(&p, m->bytes + at->off + sizeof(h) + i * sizeof(p), sizeof(p));
        *unit_of(s, p.at) = p.u;
        if (p.at >= N_OP && p.at < N_OP + DDB_MAX_INDEXES)
            s->ix_id[p.at - N_OP] = p.ix_id;
        else if (p.at >= N_OP + DDB_MAX_INDEXES && p.at < N_UNITS - 1)
            s->slot_hash[p.at - N_OP - DDB_MAX_INDEXES] = p.slot_hash;
    }
    return 0;
}

void ddb_usage_marks_write(const ddb_usage_marks *ms, ddb_jw *w)
{
    ddb_jw_key(w, "marks");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < ms->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "name");
        ddb_jw_strn(w, ms->m[i]->name, ms->m[i]->len);
        ddb_jw_member_int(w, "timeMs", (long long)ms->m[i]->ms);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}
