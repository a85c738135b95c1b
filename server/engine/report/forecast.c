/*
 * server/engine/report/forecast.c: the cost report at production's rate (see forecast.h).
 *
 * A table's rate R (requests a second) scales its window's counters by k = R / its requests: each
 * figure a second is the window's figure x k, so the test's duration and speed drop out and only
 * its mix counts. A key's units a second are its share of its table's (or GSI's) keyed units, as
 * the hot-partition model's all-time vote bounds it from below (hot.h), x the table's (or GSI's)
 * units a second: a key whose rate passes one partition's limit (capacity.h: adaptive capacity
 * gives a hot key a partition of its own, no more) would throttle, by its rate less the limit,
 * whatever capacity the table has. The table's (or GSI's) own rate is compared with what it may
 * serve: its provisioned units, or on demand its warm throughput (a new table's initial
 * throughput, until its peaks raise it) and its OnDemandThroughput maximum. The provisioned
 * capacity that carries the rate is sized as the report's provisionedAtPeak is (the rate at the
 * target utilisation, units.h), per table and GSI; the month's cost is the rate's for 730 hours.
 */
#include "server/engine/report/forecast.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine/report/hot_report.h"
#include "server/engine/report/units.h"
#include "server/engine/report/text.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/capacity/hot.h"
#include "server/engine/read.h"
#include "server/engine/table_stats.h"

/* Entries of a GSI read for its values' counts; past them values are counted, not their entries. */
#define KEY_VALUES_BUDGET 100000
/* The most requests a second a rate may name. */
#define MAX_RATE 1e12

static int fail(char *err, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t size, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, size, fmt, ap);
    va_end(ap);
    return -1;
}

static const ddb_table *table_named(const ddb_table *const *tables, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (ddb_capacity_table_of(tables[i]) != NULL && strlen(tables[i]->name) == len &&
            memcmp(tables[i]->name, name, len) == 0)
            return tables[i];
    return NULL;
}

/* The pattern slot of t whose text is `text`, or -1. */
static int pattern_slot(const ddb_table *t, const char *text, size_t len)
{
    char buf[512];
    const char *ix;

    for (int i = 0; i < DDB_PATTERNS; i++) {
        const ddb_pattern_slot *s = &ddb_capacity_table_of(t)->patterns.slot[i];
        if (__atomic_load_n(&s->ready, __ATOMIC_ACQUIRE) == 0)
            continue;
        ddb_usage_pattern_text(t, &s->key, &ix, buf, sizeof(buf));
        if (strlen(buf) == len && memcmp(buf, text, len) == 0)
            return i;
    }
    return -1;
}

/* N: a decimal number of requests a second, > 0. */
static int parse_rate(const char *s, size_t len, double *out)
{
    char buf[64], *end;

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    if (strspn(buf, "0123456789.eE+-") != len)
        return -1;
    *out = strtod(buf, &end);
    return *end == 0 && isfinite(*out) && *out > 0 && *out <= MAX_RATE ? 0 : -1;
}

/* One ITEM, [TARGET:]N, raw. */
static int parse_item(ddb_arena *a, const char *raw, size_t len, const ddb_table *const *tables, size_t n,
                      ddb_forecast_item *it, char *err, size_t errsize)
{
    const char *colon = memchr(raw, ':', len), *slash;
    char *target;
    long tlen;

    memset(it, 0, sizeof(*it));
    if (colon != NULL && memchr(colon + 1, ':', len - (size_t)(colon + 1 - raw)) != NULL)
        return fail(err, errsize, "rate: '%.*s' has two ':' (a ':' in a name is %%3A)", (int)len, raw);
    if (parse_rate(colon != NULL ? colon + 1 : raw, colon != NULL ? len - (size_t)(colon + 1 - raw) : len, &it->rps) != 0)
        return fail(err, errsize, "rate: '%.*s' is not [TABLE[/PATTERN]:]N, N requests a second (a number > 0)",
                    (int)len, raw);
    if (colon == NULL)
        return 0;
    target = ddb_arena_alloc(a, (size_t)(colon - raw) + 1);
    tlen = ddb_usage_query_decode(raw, (size_t)(colon - raw), target, (size_t)(colon - raw) + 1);
    if (tlen <= 0)
        return fail(err, errsize, "rate: '%.*s' names no table", (int)len, raw);
    target[tlen] = 0;
    slash = memchr(target, '/', (size_t)tlen);
    it->table = target;
    it->tlen = slash != NULL ? (size_t)(slash - target) : (size_t)tlen;
    const ddb_table *t = table_named(tables, n, target, it->tlen);
    if (t == NULL)
        return fail(err, errsize, "rate: no table named %.*s", (int)it->tlen, target);
    if (slash != NULL) {
        it->pattern = slash + 1;
        it->plen = (size_t)(target + tlen - it->pattern);
        if (pattern_slot(t, it->pattern, it->plen) < 0)
            return fail(err, errsize, "rate: table %s has no access pattern \"%.*s\" (its accessPatterns[].pattern)",
                        t->name, (int)it->plen, it->pattern);
    }
    return 0;
}

int ddb_forecast_parse(ddb_arena *a, const char *raw, size_t len, const ddb_table *const *tables, size_t n,
                       ddb_forecast *f, char *err, size_t errsize)
{
    char *text = ddb_arena_alloc(a, len + 1);
    long tlen = ddb_usage_query_decode(raw, len, text, len + 1);

    memset(f, 0, sizeof(*f));
    if (tlen <= 0)
        return fail(err, errsize, "rate: expected N or TABLE[/PATTERN]:N,..., percent-encoded");
    text[tlen] = 0;
    f->text = text;
    for (size_t at = 0; at <= len;) {
        const char *comma = memchr(raw + at, ',', len - at);
        size_t ilen = comma != NULL ? (size_t)(comma - (raw + at)) : len - at;
        if (f->n == DDB_FORECAST_ITEMS)
            return fail(err, errsize, "rate: %d items at most", DDB_FORECAST_ITEMS);
        if (parse_item(a, raw + at, ilen, tables, n, &f->item[f->n], err, errsize) != 0)
            return -1;
        for (size_t i = 0; i < f->n; i++)
            if (f->item[i].table != NULL && f->item[f->n].table != NULL && f->item[i].tlen == f->item[f->n].tlen &&
                memcmp(f->item[i].table, f->item[f->n].table, f->item[i].tlen) == 0)
                return fail(err, errsize, "rate: table %.*s is given two rates", (int)f->item[i].tlen,
                            f->item[i].table);
        f->n++;
        at += ilen + 1;
    }
    for (size_t i = 0; i < f->n; i++)
        if (f->item[i].table == NULL && f->n > 1)
            return fail(err, errsize, "rate: an overall rate N stands alone (or name each table: TABLE:N,...)");
    return 0;
}

/* ---- the forecast ---- */

/* A table's window and its rate. */
typedef struct fc {
    const ddb_table *t;
    const ddb_usage_snap *u;
    const ddb_price *p;
    const ddb_forecast_item *by; /* the item its rate comes from (the overall one: table NULL) */
    double requests, read, write; /* the window's */
    double rps, k;                /* its rate, and the rate per request of the window */
} fc;

/* A would-be throttle: a key's (keyed), or the table's or GSI's own limit. */
typedef struct row {
    const ddb_index *ix;
    int write, keyed;
    const char *limit;
    uint64_t hash;
    double share, units, limit_units;
} row;

/* Rows of one table (arena memory): at most, for the table and each GSI, reads and writes, every
   bucket's key and two limits of its own. */
typedef struct rows {
    row *r;
    size_t n;
    size_t keyed;
} rows;

static void rows_init(rows *rs, ddb_arena *a, const ddb_table *t)
{
    rs->r = ddb_arena_alloc(a, sizeof(row) * 2 * (t->nindexes + 1) * (DDB_HOT_BUCKETS + 2));
    rs->n = rs->keyed = 0;
}

static void sums(const ddb_usage_snap *u, double *requests, double *read, double *write)
{
    *requests = *read = *write = 0;
    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        double r, w;
        ddb_usage_get(&u->op[op], &r, &w);
        *read += r;
        *write += w;
        *requests += ddb_usage_requests(&u->op[op]);
    }
}

static const ddb_usage_units *index_units(const ddb_usage_snap *u, uint32_t id)
{
    for (unsigned i = 0; i < DDB_MAX_INDEXES && u->ix_id[i] != 0; i++)
        if (u->ix_id[i] == id)
            return &u->ix[i];
    return NULL;
}

/* Units a second of t's GSI ix at the rate (0, 0 when it was never charged). */
static void index_rates(const fc *c, const ddb_index *ix, double out[2])
{
    const ddb_usage_units *iu = index_units(c->u, ix->id);

    out[0] = out[1] = 0;
    if (iu != NULL) {
        ddb_usage_get(iu, &out[0], &out[1]);
        out[0] *= c->k;
        out[1] *= c->k;
    }
}

/* The table's next GSI from its index *i on, with its rates in ix; *i moves past it. NULL after the
   last: `for (unsigned i = 0; (g = next_gsi(c, &i, ix)) != NULL;)` walks them. */
static const ddb_index *next_gsi(const fc *c, unsigned *i, double ix[2])
{
    while (*i < c->t->nindexes) {
        const ddb_index *g = &c->t->indexes[(*i)++];
        if (g->kind == DDB_IX_GLOBAL) {
            index_rates(c, g, ix);
            return g;
        }
    }
    return NULL;
}

/* The table's own units a second (its LSIs' included: their partitions are its own). */
static void own_rates(const fc *c, double out[2])
{
    double ix[2];

    out[0] = c->read * c->k;
    out[1] = c->write * c->k;
    for (unsigned i = 0; next_gsi(c, &i, ix) != NULL;) {
        out[0] -= ix[0];
        out[1] -= ix[1];
    }
    out[0] = out[0] > 0 ? out[0] : 0;
    out[1] = out[1] > 0 ? out[1] : 0;
}

static row *add_row(rows *rs, const ddb_index *ix, int write, const char *limit, double units, double limit_units)
{
    row *r = &rs->r[rs->n++];

    memset(r, 0, sizeof(*r));
    r->ix = ix;
    r->write = write;
    r->limit = limit;
    r->units = units;
    r->limit_units = limit_units;
    return r;
}

/* The keys of the table (ix NULL) or GSI ix whose share of `rate` passes a partition's limit, and
   its own limits; the hottest key's row into *hot (hot->units 0: no key seen). */
static void throttles(ddb_engine *eng, const ddb_table *t, const ddb_index *ix, int write, double rate, rows *rs,
                      row *hot)
{
    ddb_hot_share sh[DDB_HOT_BUCKETS];
    double total, part = write ? DDB_PARTITION_WRITE_UNITS : DDB_PARTITION_READ_UNITS, limit;
    size_t n = ddb_hot_shares_of(ddb_hot_of(eng), ix != NULL ? ix->id : t->id, write, sh, &total);
    long long warm[2];

    memset(hot, 0, sizeof(*hot));
    for (size_t i = 0; i < n && total > 0 && rate > 0; i++) {
        double share = sh[i].units / total, units = share * rate;
        if (units > hot->units) {
            *hot = (row){ix, write, 1, "KeyRangeThroughputExceeded", sh[i].hash, share, units, part};
        }
        if (units > part) {
            row *r = add_row(rs, ix, write, "KeyRangeThroughputExceeded", units, part);
            r->keyed = 1;
            r->hash = sh[i].hash;
            r->share = share;
            rs->keyed++;
        }
    }
    if (ddb_capacity_provisioned(t)) {
        if (rate > (limit = ddb_capacity_units(t, ix, write)))
            add_row(rs, ix, write, "ProvisionedThroughputExceeded", rate, limit);
        return;
    }
    ddb_warm_throughput(t, ix, warm);
    if (rate > (double)warm[write])
        add_row(rs, ix, write, "KeyRangeThroughputExceeded", rate, (double)warm[write]);
    limit = ddb_capacity_enforced_rate(t, ix, write);
    if (limit > 0 && rate > limit)
        add_row(rs, ix, write, "MaxOnDemandThroughputExceeded", rate, limit);
}

/* The partition key of keyspace `id` whose partition hash is h | 1, from its first stored key (an
   item's, an index entry's); 0 when none is stored. */
static int key_of(ddb_engine *eng, uint32_t id, uint64_t h, ddb_ci_top *top)
{
    top->klen = ddb_read_partition_key(eng, id, h, top->key, DDB_CI_KEY_MAX);
    top->hash = h;
    top->weight = 0;
    return top->klen > 0;
}

static void write_key(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const row *r)
{
    ddb_ci_top top;
    ddb_attr pk, sk;

    if (key_of(eng, r->ix != NULL ? r->ix->id : t->id, r->hash, &top)) {
        ddb_insights_values(a, &top, r->ix != NULL ? r->ix->hash[0].type : t->hash_type, DDB_T_NONE, &pk, &sk);
        ddb_jw_key(w, "partitionKey");
        ddb_attr_write_json(w, &pk);
    } else { /* nothing stored under it (reads of a missing key, deleted items): its hash */
        ddb_jw_member_str(w, "partitionHash", ddb_arena_sprintf(a, "%016llx", (unsigned long long)(r->hash & ~1ULL)));
    }
}

static void write_row(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_table *t, const row *r, int throttle)
{
    ddb_jw_obj_begin(w);
    if (r->ix != NULL)
        ddb_jw_member_str(w, "index", r->ix->name);
    ddb_jw_member_str(w, "operation", r->write ? "Write" : "Read");
    if (throttle) {
        ddb_jw_key(w, "reason"); /* as ThrottlingReasons would name it */
        ddb_jw_str(w, ddb_arena_sprintf(a, "%s%s%s", r->ix != NULL ? "Index" : "Table", r->write ? "Write" : "Read",
                                        r->limit));
    }
    if (r->keyed) {
        write_key(w, a, eng, t, r);
        ddb_jw_member_double(w, "share", r->share);
    }
    ddb_jw_member_double(w, "unitsPerSecond", r->units);
    ddb_jw_member_double(w, "limitUnitsPerSecond", r->limit_units);
    if (throttle) {
        ddb_jw_member_double(w, "excessUnitsPerSecond", r->units - r->limit_units);
        ddb_jw_key(w, "throttledShare"); /* of its requests, at a steady rate */
        ddb_jw_double(w, (r->units - r->limit_units) / r->units);
    }
    ddb_jw_obj_end(w);
}

/* The keys first (the partitions that throttle), then the table's and GSIs' own limits; the most
   units first in each. */
static int by_units_desc(const void *a, const void *b)
{
    const row *x = a, *y = b;

    if (x->keyed != y->keyed)
        return y->keyed - x->keyed;
    return x->units < y->units ? 1 : x->units > y->units ? -1 : 0;
}

static double request_cost(const ddb_price *p, double read, double write)
{
    return read * p->read_million / 1e6 + write * p->write_million / 1e6;
}

static void write_units_pair(ddb_jw *w, const char *rk, const char *wk, const double v[2])
{
    ddb_jw_member_double(w, rk, v[0]);
    ddb_jw_member_double(w, wk, v[1]);
}

/* "accessPatterns" at the rate: each pattern's requests and units a second. */
static void write_patterns(ddb_jw *w, const fc *c)
{
    char text[512];
    const char *ix;

    ddb_jw_key(w, "accessPatterns");
    ddb_jw_arr_begin(w);
    for (int i = 0; i < DDB_PATTERNS; i++) {
        double req = ddb_usage_requests(&c->u->slot[i]), u[2];
        if (c->u->slot_hash[i] == 0 || req == 0)
            continue;
        ddb_usage_get(&c->u->slot[i], &u[0], &u[1]);
        u[0] *= c->k;
        u[1] *= c->k;
        ddb_usage_pattern_text(c->t, &ddb_capacity_table_of(c->t)->patterns.slot[i].key, &ix, text,
                               sizeof(text));
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "pattern", text);
        ddb_jw_member_double(w, "requestsPerSecond", req * c->k);
        ddb_jw_member_double(w, "share", req / c->requests);
        write_units_pair(w, "readUnitsPerSecond", "writeUnitsPerSecond", u);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* "provisioned": the capacity that carries the rate (each of the table and its GSIs at the target
   utilisation), its month's cost; returns that cost. */
static double write_provisioned(ddb_jw *w, const fc *c, const double own[2], int carries)
{
    const ddb_index *g;
    double hourly = 0, ix[2];

    ddb_jw_key(w, "provisioned");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "targetUtilization", DDB_USAGE_TARGET_UTILIZATION);
    ddb_jw_member_double(w, "readCapacityUnits", ddb_usage_sized(own[0]));
    ddb_jw_member_double(w, "writeCapacityUnits", ddb_usage_sized(own[1]));
    hourly += ddb_usage_sized(own[0]) * c->p->rcu_hour + ddb_usage_sized(own[1]) * c->p->wcu_hour;
    ddb_jw_key(w, "indexes");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; (g = next_gsi(c, &i, ix)) != NULL;) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "index", g->name);
        ddb_jw_member_double(w, "readCapacityUnits", ddb_usage_sized(ix[0]));
        ddb_jw_member_double(w, "writeCapacityUnits", ddb_usage_sized(ix[1]));
        ddb_jw_obj_end(w);
        hourly += ddb_usage_sized(ix[0]) * c->p->rcu_hour + ddb_usage_sized(ix[1]) * c->p->wcu_hour;
    }
    ddb_jw_arr_end(w);
    ddb_jw_key(w, "carriesHotKeys"); /* no capacity carries a key past a partition's limit */
    ddb_jw_bool(w, carries);
    ddb_jw_member_double(w, "monthlyCost", hourly * DDB_USAGE_MONTH_SECONDS / 3600);
    ddb_jw_obj_end(w);
    return hourly * DDB_USAGE_MONTH_SECONDS / 3600;
}

/* The throttles and hottest keys of the table and each GSI at the rate. */
static void collect(ddb_engine *eng, const fc *c, const double own[2], rows *rs, rows *hot)
{
    for (int wr = 0; wr < 2; wr++) {
        const ddb_index *g;
        double ix[2];
        row h;

        throttles(eng, c->t, NULL, wr, own[wr], rs, &h);
        if (h.units > 0)
            hot->r[hot->n++] = h;
        for (unsigned i = 0; (g = next_gsi(c, &i, ix)) != NULL;) {
            throttles(eng, c->t, g, wr, ix[wr], rs, &h);
            if (h.units > 0)
                hot->r[hot->n++] = h;
        }
    }
    qsort(rs->r, rs->n, sizeof(rs->r[0]), by_units_desc);
    qsort(hot->r, hot->n, sizeof(hot->r[0]), by_units_desc);
}

/* One table's forecast; adds its month's costs to cost[0] (on demand) and cost[1] (provisioned). */
static void write_table(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const fc *c, double *cost)
{
    rows rs_, hot_, *rs = &rs_, *hot = &hot_;
    double own[2], all[2] = {c->read * c->k, c->write * c->k}, ix[2], bytes = 0, od;
    const ddb_index *g;
    ddb_table_figures f;

    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "table", c->t->name);
    ddb_jw_key(w, "rateFrom"); /* which part of the rate set it */
    ddb_jw_str(w, c->by->table == NULL ? "overall" : c->by->pattern == NULL ? "table" : "pattern");
    if (c->by->pattern != NULL) {
        ddb_jw_key(w, "pattern");
        ddb_jw_strn(w, c->by->pattern, c->by->plen);
    }
    ddb_jw_member_double(w, "observedRequests", c->requests);
    if (c->requests == 0 || c->rps == 0) {
        ddb_jw_member_str(w, "message", "no requests observed to scale (of the table, or of the pattern named)");
        ddb_jw_obj_end(w);
        return;
    }
    own_rates(c, own);
    rows_init(rs, a, c->t);
    rows_init(hot, a, c->t);
    collect(eng, c, own, rs, hot);
    if (ddb_table_stats_read(c->t->stats, eng->store, c->t, &f) == DDB_STORE_OK)
        bytes = (double)f.bytes;
    ddb_jw_member_double(w, "requestsPerSecond", c->rps);
    write_units_pair(w, "readUnitsPerSecond", "writeUnitsPerSecond", all);
    write_units_pair(w, "tableReadUnitsPerSecond", "tableWriteUnitsPerSecond", own);
    ddb_jw_member_double(w, "estimatedPartitions", ddb_capacity_partitions_for(own[0], own[1], bytes));
    ddb_jw_key(w, "indexes");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; (g = next_gsi(c, &i, ix)) != NULL;) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "index", g->name);
        write_units_pair(w, "readUnitsPerSecond", "writeUnitsPerSecond", ix);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    write_patterns(w, c);
    ddb_jw_key(w, "hottestKeys"); /* the hottest key of the table's and each GSI's reads and writes */
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < hot->n; i++)
        write_row(w, a, eng, c->t, &hot->r[i], 0);
    ddb_jw_arr_end(w);
    ddb_jw_key(w, "throttled");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < rs->n; i++)
        write_row(w, a, eng, c->t, &rs->r[i], 1);
    ddb_jw_arr_end(w);
    ddb_jw_member_int(w, "throttledPartitions", (long long)rs->keyed);
    cost[1] += write_provisioned(w, c, own, rs->keyed == 0);
    od = request_cost(c->p, all[0], all[1]) * DDB_USAGE_MONTH_SECONDS;
    cost[0] += od;
    ddb_jw_key(w, "onDemand");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "monthlyCost", od);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

/* t's rate by the forecast's items: the item that names it (or the overall one); 0: none. */
static const ddb_forecast_item *item_of(const ddb_forecast *f, const ddb_table *t)
{
    size_t len = strlen(t->name);

    for (size_t i = 0; i < f->n; i++)
        if (f->item[i].table == NULL ||
            (f->item[i].tlen == len && memcmp(f->item[i].table, t->name, len) == 0))
            return &f->item[i];
    return NULL;
}

/* c's rate and scale: the overall rate's share, the table's own, or its pattern's at its mix. */
static void rate_of(fc *c, const ddb_forecast_item *it, double all_requests)
{
    c->rps = 0;
    if (it->table == NULL) {
        c->rps = all_requests > 0 ? it->rps * c->requests / all_requests : 0;
    } else if (it->pattern == NULL) {
        c->rps = it->rps;
    } else {
        int s = pattern_slot(c->t, it->pattern, it->plen);
        double req = s >= 0 ? ddb_usage_requests(&c->u->slot[s]) : 0;
        c->rps = req > 0 ? it->rps * c->requests / req : 0;
    }
    c->k = c->requests > 0 ? c->rps / c->requests : 0;
}

void ddb_forecast_write(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const ddb_forecast *f,
                        const ddb_table *const *tables, ddb_usage_snap *const *snaps, size_t n)
{
    fc *cs = ddb_arena_alloc(a, sizeof(*cs) * (n + 1));
    double all_requests = 0, cost[2] = {0, 0};
    size_t nc = 0;

    for (size_t i = 0; i < n; i++) {
        fc *c = &cs[nc];
        if (snaps[i] == NULL)
            continue;
        c->t = tables[i];
        c->u = snaps[i];
        c->p = ddb_price_of_table(f->prices, tables[i]);
        sums(c->u, &c->requests, &c->read, &c->write);
        all_requests += c->requests;
        if ((c->by = item_of(f, tables[i])) != NULL && (c->by->table != NULL || c->requests > 0))
            nc++;
    }
    ddb_jw_key(w, "forecast");
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "rate", f->text);
    ddb_usage_model_begin(w);
    ddb_jw_member_double(w, "targetUtilization", DDB_USAGE_TARGET_UTILIZATION);
    ddb_jw_member_double(w, "monthSeconds", DDB_USAGE_MONTH_SECONDS);
    ddb_jw_obj_end(w);
    ddb_jw_key(w, "tables");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < nc; i++) {
        rate_of(&cs[i], cs[i].by, all_requests);
        write_table(w, a, eng, &cs[i], cost);
    }
    ddb_jw_arr_end(w);
    ddb_jw_key(w, "total");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "onDemandMonthlyCost", cost[0]);
    ddb_jw_member_double(w, "provisionedMonthlyCost", cost[1]);
    ddb_jw_obj_end(w);
    ddb_jw_obj_end(w);
}

/* ---- a GSI's partition key values ---- */

typedef struct values_walk {
    ddb_key_values *out;
    size_t max;
} values_walk;

/* One partition of the GSI: one more value; stops past the most values asked for. */
static int add_value(void *ctx, const ddb_partition *p)
{
    values_walk *v = ctx;
    ddb_key_values *out = v->out;

    if (++out->values > v->max)
        return 1;
    out->sampled |= !p->counted;
    out->entries += p->entries;
    if (p->entries > out->hottest) {
        out->hottest = p->entries;
        memcpy(out->key, p->pk, out->klen = p->pklen < sizeof(out->key) ? p->pklen : sizeof(out->key));
    }
    return 0;
}

int ddb_index_key_values(ddb_engine *eng, const ddb_index *ix, size_t max, ddb_key_values *out)
{
    values_walk v = {out, max};

    memset(out, 0, sizeof(*out));
    return ddb_read_partitions(eng, ix->id, KEY_VALUES_BUDGET, add_value, &v) == DDB_READ_FAILED ? -1 : 0;
}
