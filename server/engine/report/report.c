/*
 * server/engine/report/report.c: the cost report (see report.h).
 *
 * Each figure is worked from the units the meter charged (engine/capacity/usage.h), never estimated from
 * requests: a table's on-demand cost is its read units x the read request unit's price plus its
 * write units x the write request unit's, both of the table's class; the index lines are the part
 * of those units its indexes consumed (an index is billed at its table's prices). Projected to a
 * month: the window's cost x month / window. Storage: the items' bytes and their indexes', with the
 * 100 bytes of overhead per item AWS adds to each (the pricing page's "Data storage") and per index
 * item (the developer guide's GSI and LSI "Storage considerations"), 48 more per item of a global
 * table (its item sizes page), in GB of 2^30 bytes. A provisioned table's (and its GSIs') capacity units cost their hourly price for the
 * window's hours and a month's, whatever was consumed.
 */
#include "server/engine/report/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/arena.h"
#include "server/base/clock.h"
#include "server/engine/report/prices.h"
#include "server/engine/report/warnings.h"
#include "server/engine/report/units.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/capacity/capacity.h"
#include "server/engine/capacity/capacity_feature.h"
#include "server/engine/capacity/hot.h"
#include "server/engine/jobs/backup_records.h"
#include "server/engine/xfer/xfer.h"
#include "server/engine/report/forecast.h"
#include "server/engine/report/text.h"
#include "server/engine/report/hot_report.h"
#include "server/engine/report/marks.h"
#include "server/engine/table_stats.h"

#define ITEM_OVERHEAD_BYTES 100
#define GLOBAL_ITEM_OVERHEAD_BYTES 48 /* more, an item of a table with replicas: its system attributes */
#define GB (1024.0 * 1024 * 1024)

typedef ddb_price price;

typedef struct window {
    double seconds;              /* at least 1: a report right after start does not divide by zero */
    ddb_hot *hot;                /* the engine's hot-partition model: each table's and GSI's peak second */
    uint64_t start_ms;           /* the server's open (its own: two in one process have their own), or the mark's time */
    const ddb_usage_mark *since; /* the counters are those since this mark (NULL: since the start) */
    const ddb_prices *prices;    /* the table the report is priced at */
} window;

/* The table's row of prices: its class's (STANDARD unless it says otherwise). */
static const price *price_of(const window *win, const ddb_table *t)
{
    return ddb_price_of_table(win->prices, t);
}

static double request_cost(const price *p, double read, double write)
{
    return read * p->read_million / 1e6 + write * p->write_million / 1e6;
}

/* "readUnits", "writeUnits", "cost", "monthlyCost" of units priced at p; with `requests` (>= 0; an
   index's units have none), "requests" and, when there was one, "costPer1000Requests". */
static double write_units(ddb_jw *w, const price *p, const window *win, double read, double write, double requests)
{
    double cost = request_cost(p, read, write);

    if (requests >= 0)
        ddb_jw_member_double(w, "requests", requests);
    ddb_jw_member_double(w, "readUnits", read);
    ddb_jw_member_double(w, "writeUnits", write);
    ddb_jw_member_double(w, "cost", cost);
    if (requests > 0)
        ddb_jw_member_double(w, "costPer1000Requests", cost / requests * 1000);
    ddb_jw_member_double(w, "monthlyCost", cost * DDB_USAGE_MONTH_SECONDS / win->seconds);
    return cost;
}

static void write_operations(ddb_jw *w, const ddb_usage_snap *u, const price *p, const window *win)
{
    ddb_jw_key(w, "operations");
    ddb_jw_arr_begin(w);
    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        double read, write;
        ddb_usage_get(&u->op[op], &read, &write);
        if (read == 0 && write == 0)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "operation", ddb_op_name((ddb_op)op));
        write_units(w, p, win, read, write, ddb_usage_requests(&u->op[op]));
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* Index `id`'s units in u, or NULL when it was never charged. */
static const ddb_usage_units *index_units(const ddb_usage_snap *u, uint32_t id)
{
    for (unsigned i = 0; i < DDB_MAX_INDEXES && u->ix_id[i] != 0; i++)
        if (u->ix_id[i] == id)
            return &u->ix[i];
    return NULL;
}

static void write_indexes(ddb_jw *w, const ddb_table *t, const ddb_usage_snap *u, const price *p, const window *win)
{
    ddb_jw_key(w, "indexes");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_usage_units *iu = index_units(u, t->indexes[i].id);
        double read, write;
        if (iu == NULL || t->indexes[i].kind == DDB_IX_VECTOR)
            continue;
        ddb_usage_get(iu, &read, &write);
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "index", t->indexes[i].name);
        write_units(w, p, win, read, write, -1);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

/* A provisioned table's capacity: its own and its GSIs' units, at their hourly prices. */
static void write_provisioned(ddb_jw *w, const ddb_table *t, const price *p, const window *win)
{
    double rcu = ddb_capacity_units(t, NULL, 0), wcu = ddb_capacity_units(t, NULL, 1), hourly;

    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].kind == DDB_IX_GLOBAL) {
            rcu += ddb_capacity_units(t, &t->indexes[i], 0);
            wcu += ddb_capacity_units(t, &t->indexes[i], 1);
        }
    }
    hourly = rcu * p->rcu_hour + wcu * p->wcu_hour;
    ddb_jw_key(w, "provisioned");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "readCapacityUnits", rcu);
    ddb_jw_member_double(w, "writeCapacityUnits", wcu);
    ddb_jw_member_double(w, "cost", hourly * win->seconds / 3600);
    ddb_jw_member_double(w, "monthlyCost", hourly * DDB_USAGE_MONTH_SECONDS / 3600);
    ddb_jw_obj_end(w);
}

/* Units for one table's or GSI's peak (its hot-partition slot: engine/capacity/hot.h); adds the hourly cost. */
static void write_sized(ddb_jw *w, ddb_hot *hot, uint32_t id, const price *p, double *hourly)
{
    ddb_hot_view v;
    double r, wr;

    if (!ddb_hot_view_of(hot, id, &v))
        v.peak[0] = v.peak[1] = 0;
    r = ddb_usage_sized(v.peak[0]);
    wr = ddb_usage_sized(v.peak[1]);
    ddb_jw_member_double(w, "peakReadUnitsPerSecond", v.peak[0]);
    ddb_jw_member_double(w, "peakWriteUnitsPerSecond", v.peak[1]);
    ddb_jw_member_double(w, "readCapacityUnits", r);
    ddb_jw_member_double(w, "writeCapacityUnits", wr);
    *hourly += r * p->rcu_hour + wr * p->wcu_hour;
}

/* What provisioned capacity would cost, sized from the observed peak a second of the table and of
   each GSI (an LSI's are its table's) at the target utilisation, beside the on-demand figure. */
static void write_at_peak(ddb_jw *w, const ddb_table *t, const price *p, const window *win)
{
    double hourly = 0;

    ddb_jw_key(w, "provisionedAtPeak");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "targetUtilization", DDB_USAGE_TARGET_UTILIZATION);
    write_sized(w, win->hot, t->id, p, &hourly);
    ddb_jw_key(w, "indexes");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].kind != DDB_IX_GLOBAL)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "index", t->indexes[i].name);
        write_sized(w, win->hot, t->indexes[i].id, p, &hourly);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_member_double(w, "cost", hourly * win->seconds / 3600);
    ddb_jw_member_double(w, "monthlyCost", hourly * DDB_USAGE_MONTH_SECONDS / 3600);
    ddb_jw_obj_end(w);
}

/* Billable bytes: the items' and their indexes', and 100 bytes an item and an index item (a GSI's
   or an LSI's entry: the developer guide's "Storage considerations" of both, "100 bytes of
   overhead per index item"; a vector index's are not known to carry it), 48 more an item of a
   table with replicas (the developer guide's "DynamoDB item sizes and formats": "global tables
   requires an additional 48 bytes of storage overhead"). */
static double storage_bytes(const ddb_table *t, const ddb_table_figures *f)
{
    double per_item = ITEM_OVERHEAD_BYTES + (t->rep.nreplicas >= 2 ? GLOBAL_ITEM_OVERHEAD_BYTES : 0);
    double bytes = (double)f->bytes + per_item * (double)f->items;

    for (unsigned i = 0; i < f->nix; i++)
        bytes += (double)f->ix[i].bytes;
    for (unsigned i = 0; i < t->nindexes; i++)
        if (t->indexes[i].kind != DDB_IX_VECTOR)
            bytes += ITEM_OVERHEAD_BYTES * (double)ddb_table_figures_index(f, t->indexes[i].id).items;
    return bytes;
}

/* A table with point-in-time recovery on: its billable storage at the PITR GB-month price (AWS
   charges PITR on the table's size for as long as it is on), for the month and the window. */
static void write_pitr(ddb_jw *w, const ddb_table *t, const price *p, const window *win, double bytes)
{
    double monthly = bytes / GB * p->pitr_gb_month;

    if (t->pitr.log == 0)
        return;
    ddb_jw_key(w, "pitr");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "storageBytes", bytes);
    ddb_jw_member_double(w, "cost", monthly * win->seconds / DDB_USAGE_MONTH_SECONDS);
    ddb_jw_member_double(w, "monthlyCost", monthly);
    ddb_jw_obj_end(w);
}

typedef struct backup_sum {
    double backups, bytes;
} backup_sum;

static int add_backup(void *ctx, const ddb_backup *b)
{
    backup_sum *sum = ctx;

    if (!b->pitr && !b->system && strcmp(b->status, "AVAILABLE") == 0) {
        sum->backups++;
        sum->bytes += (double)b->size;
    }
    return 0;
}

/* "backups": the default namespace's on-demand (USER) backups now, their BackupSizeBytes at the
   backup GB-month price (the same for both table classes); only when there is one. */
static void write_backups(ddb_jw *w, ddb_store *s, const window *win)
{
    backup_sum sum = {0, 0};
    double monthly;

    if (ddb_backup_each(s, "", NULL, add_backup, &sum) != 0 || sum.backups == 0)
        return;
    monthly = sum.bytes / GB * ddb_price_row(win->prices, NULL)->backup_gb_month;
    ddb_jw_key(w, "backups");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "backups", sum.backups);
    ddb_jw_member_double(w, "bytes", sum.bytes);
    ddb_jw_member_double(w, "cost", monthly * win->seconds / DDB_USAGE_MONTH_SECONDS);
    ddb_jw_member_double(w, "monthlyCost", monthly);
    ddb_jw_obj_end(w);
}

/* A global table's replicated writes: each write made here is written again in every other
   replica's Region, billed there as replicated write request units of the same size (a
   transaction's not doubled: a replica applies plain writes). The table's write units (its GSIs'
   included) with a transaction's table units once (counted as they are charged: meter.c), times
   the other replicas, at the class's rWRU price. */
static void write_replicated(ddb_jw *w, const ddb_table *t, const ddb_usage_snap *u, const price *p,
                             const window *win)
{
    double units = (double)u->replicated_milli / 1000, cost;

    if (t->rep.nreplicas < 2)
        return;
    units *= (double)(t->rep.nreplicas - 1);
    cost = units * p->rwrite_million / 1e6;
    ddb_jw_key(w, "replicatedWrites");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "region"); /* which replica this is: every replica is a table of the report */
    ddb_jw_str(w, t->region != NULL ? t->region : "");
    ddb_jw_member_double(w, "replicas", (double)(t->rep.nreplicas - 1));
    ddb_jw_member_double(w, "replicatedWriteUnits", units);
    ddb_jw_member_double(w, "cost", cost);
    ddb_jw_member_double(w, "monthlyCost", cost * DDB_USAGE_MONTH_SECONDS / win->seconds);
    ddb_jw_obj_end(w);
}

/* "streams": the GetRecords calls on the table's stream (each a streams read request unit, up to
   1 MB), at the streams price, when there was one. Not counted: ddbd's own readers (stream
   triggers, global tables' replication), as AWS does not charge Lambda's or replication's. */
static void write_streams(ddb_jw *w, const ddb_usage_snap *u, const price *p, const window *win)
{
    double calls = (double)u->stream_reads, cost = calls * p->stream_million / 1e6;

    if (calls == 0)
        return;
    ddb_jw_key(w, "streams");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "readRequestUnits", calls);
    ddb_jw_member_double(w, "cost", cost);
    ddb_jw_member_double(w, "monthlyCost", cost * DDB_USAGE_MONTH_SECONDS / win->seconds);
    ddb_jw_obj_end(w);
}

/* "exports" or "imports": the COMPLETED ones the window saw start, their billed bytes (an
   export's BilledSizeBytes, an import's ProcessedSizeBytes: the uncompressed source) at the per-GB
   price, once each (not a monthly charge: "monthlyCost" is the window's at its rate); only when
   there is one. */
static void write_transfers(ddb_jw *w, ddb_arena *a, ddb_store *s, const window *win, int import)
{
    ddb_xfer_bill bill = ddb_xfer_billed(s, a, import, win->start_ms);
    const price *p = ddb_price_row(win->prices, NULL);
    double cost;

    if (bill.count == 0)
        return;
    cost = bill.bytes / GB * (import ? p->import_gb : p->export_gb);
    ddb_jw_key(w, import ? "imports" : "exports");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, import ? "imports" : "exports", bill.count);
    ddb_jw_member_double(w, "bytes", bill.bytes);
    ddb_jw_member_double(w, "cost", cost);
    ddb_jw_member_double(w, "monthlyCost", cost * DDB_USAGE_MONTH_SECONDS / win->seconds);
    ddb_jw_obj_end(w);
}

typedef struct pattern_row {
    const ddb_pattern_slot *slot; /* NULL: "other" */
    double read, write, cost, requests;
} pattern_row;

static int by_cost_desc(const void *a, const void *b)
{
    const pattern_row *x = a, *y = b;

    return x->cost < y->cost ? 1 : x->cost > y->cost ? -1 : 0;
}

static void write_pattern(ddb_jw *w, const ddb_table *t, const pattern_row *r, const price *p, const window *win)
{
    char text[512]; /* an operation, an index name (255 bytes at most) and two prefixes */
    const char *ix = NULL;

    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "pattern");
    if (r->slot != NULL)
        ddb_usage_pattern_text(t, &r->slot->key, &ix, text, sizeof(text));
    ddb_jw_str(w, r->slot != NULL ? text : "other");
    if (r->slot != NULL)
        ddb_jw_member_str(w, "operation", ddb_op_name((ddb_op)r->slot->key.op));
    if (ix != NULL)
        ddb_jw_member_str(w, "index", ix);
    write_units(w, p, win, r->read, r->write, r->requests);
    ddb_jw_obj_end(w);
}

/* "accessPatterns": the table's units by access pattern (engine/capacity/pattern.h), the dearest
   first, and "other" (the patterns past the table's DDB_PATTERNS) when it has units. */
static void write_patterns(ddb_jw *w, const ddb_table *t, const ddb_usage_snap *u, const price *p, const window *win)
{
    const ddb_table_patterns *tp = &ddb_capacity_table_of(t)->patterns;
    pattern_row rows[DDB_PATTERNS + 1];
    size_t n = 0;

    for (unsigned i = 0; i < DDB_PATTERNS; i++) { /* a slot's key: the live one's (it keeps it) */
        if (u->slot_hash[i] == 0)
            continue;
        rows[n].slot = &tp->slot[i];
        ddb_usage_get(&u->slot[i], &rows[n].read, &rows[n].write);
        rows[n].requests = ddb_usage_requests(&u->slot[i]);
        rows[n].cost = request_cost(p, rows[n].read, rows[n].write);
        n += rows[n].requests > 0 || rows[n].read > 0 || rows[n].write > 0; /* since a mark: what it saw */
    }
    rows[n].slot = NULL;
    ddb_usage_get(&u->other, &rows[n].read, &rows[n].write);
    rows[n].requests = ddb_usage_requests(&u->other);
    rows[n].cost = request_cost(p, rows[n].read, rows[n].write);
    n += rows[n].read > 0 || rows[n].write > 0;
    qsort(rows, n, sizeof(rows[0]), by_cost_desc);
    ddb_jw_key(w, "accessPatterns");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++)
        write_pattern(w, t, &rows[i], p, win);
    ddb_jw_arr_end(w);
}

/* "account" and "region" of a table outside the default namespace (--namespaces: a global table's
   replica in another region, another account's table), whose name alone would repeat another's. */
static void write_namespace(ddb_jw *w, const ddb_table *t)
{
    const char *colon = t->ns != NULL ? strchr(t->ns, ':') : NULL;

    if (colon == NULL)
        return;
    ddb_jw_key(w, "account");
    ddb_jw_strn(w, t->ns, (size_t)(colon - t->ns));
    ddb_jw_member_str(w, "region", colon + 1);
}

/* One table's object, of the counters u (the whole run's, or since a mark); adds its units and
   requests to sum[0..2]. */
static void write_table(ddb_jw *w, ddb_store *s, const ddb_table *t, const ddb_usage_snap *u, const window *win,
                        double *sum)
{
    const price *p = price_of(win, t);
    ddb_table_figures f;
    double r = 0, wr = 0, requests = 0;

    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        double or, ow;
        ddb_usage_get(&u->op[op], &or, &ow);
        r += or;
        wr += ow;
        requests += ddb_usage_requests(&u->op[op]);
    }
    sum[0] += r;
    sum[1] += wr;
    sum[2] += requests;
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "table", t->name);
    write_namespace(w, t);
    ddb_jw_member_str(w, "tableClass", p->table_class);
    ddb_jw_member_str(w, "billingMode", ddb_capacity_provisioned(t) ? "PROVISIONED" : "PAY_PER_REQUEST");
    write_units(w, p, win, r, wr, requests);
    if (ddb_table_figures_peek(s, t, &f) == DDB_STORE_OK) { /* read-only: a report repairs nothing */
        double bytes = storage_bytes(t, &f);
        ddb_jw_member_double(w, "storageBytes", bytes);
        ddb_jw_member_double(w, "storageMonthlyCost", bytes / GB * p->gb_month);
        write_pitr(w, t, p, win, bytes);
    }
    if (ddb_capacity_provisioned(t))
        write_provisioned(w, t, p, win);
    write_at_peak(w, t, p, win);
    write_replicated(w, t, u, p, win);
    write_streams(w, u, p, win);
    write_operations(w, u, p, win);
    write_indexes(w, t, u, p, win);
    write_patterns(w, t, u, p, win);
    ddb_jw_obj_end(w);
}

/* "region" and "prices": the table in use (prices.def's or --price-file's), every row. */
static void write_prices(ddb_jw *w, const ddb_prices *p)
{
    ddb_jw_member_str(w, "region", p->region);
    ddb_jw_key(w, "prices");
    ddb_jw_obj_begin(w);
    ddb_jw_member_str(w, "source", p->source);
    ddb_jw_member_str(w, "date", p->date);
    ddb_jw_key(w, "tableClasses");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < p->n; i++) {
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "tableClass", p->rows[i].table_class);
#define C(field, json)         \
    ddb_jw_key(w, json);       \
    ddb_jw_double(w, p->rows[i].field);
        DDB_PRICE_COLUMNS(C)
#undef C
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

/* "projection": how every "monthlyCost" is made (the window's cost x month / window), said as
   one, with the window's length: a short window's month is a guess, not a bill. */
static void write_projection(ddb_jw *w, const window *win)
{
    char text[256];
    int short_window = win->seconds < DDB_USAGE_SHORT_WINDOW_SECONDS;

    snprintf(text, sizeof(text), "monthlyCost is a projection from %g second%s of traffic to a 730-hour month (x %.0f)%s",
             win->seconds, win->seconds == 1 ? "" : "s", DDB_USAGE_MONTH_SECONDS / win->seconds,
             short_window ? ": a window under an hour says little about a month" : "");
    ddb_jw_key(w, "projection");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "fromSeconds", win->seconds);
    ddb_jw_member_double(w, "monthSeconds", DDB_USAGE_MONTH_SECONDS);
    ddb_jw_member_bool(w, "shortWindow", short_window);
    ddb_jw_member_str(w, "text", text);
    ddb_jw_obj_end(w);
}

/* "since": the mark the report's counters start at. */
static void write_since(ddb_jw *w, const ddb_usage_mark *m)
{
    size_t len;
    const char *name = ddb_usage_mark_name(m, &len);

    ddb_jw_key(w, "since");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "mark");
    ddb_jw_strn(w, name, len);
    ddb_jw_member_int(w, "timeMs", (long long)ddb_usage_mark_ms(m));
    ddb_jw_obj_end(w);
}

/* "tables": each table's object, of its counters over the window (snaps[i]: NULL for a table
   without counters); the requests, units and cost of them all into sum[0..3]. */
static void write_tables(ddb_jw *w, ddb_arena *a, ddb_store *s, const ddb_table *const *tables, size_t n,
                         const window *win, ddb_usage_snap **snaps, double *sum)
{
    ddb_jw_key(w, "tables");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < n; i++) {
        double t[3] = {0, 0, 0};
        ddb_usage_snap *u, base;
        snaps[i] = NULL;
        if (ddb_capacity_table_of(tables[i]) == NULL)
            continue;
        snaps[i] = u = ddb_arena_alloc(a, sizeof(*u));
        ddb_usage_snap_take(tables[i], u);
        if (win->since != NULL && ddb_usage_mark_table(win->since, tables[i]->id, &base) == 0)
            ddb_usage_snap_sub(u, &base);
        write_table(w, s, tables[i], u, win, t);
        for (int k = 0; k < 3; k++)
            sum[k] += t[k];
        sum[3] += request_cost(price_of(win, tables[i]), t[0], t[1]);
    }
    ddb_jw_arr_end(w);
}

/* "total": the tables' units, requests and cost (sum: read, write, requests, cost). */
static void write_total(ddb_jw *w, const double *sum, const window *win)
{
    ddb_jw_key(w, "total");
    ddb_jw_obj_begin(w);
    ddb_jw_member_double(w, "requests", sum[2]);
    ddb_jw_member_double(w, "readUnits", sum[0]);
    ddb_jw_member_double(w, "writeUnits", sum[1]);
    ddb_jw_member_double(w, "cost", sum[3]);
    if (sum[2] > 0)
        ddb_jw_member_double(w, "costPer1000Requests", sum[3] / sum[2] * 1000);
    ddb_jw_member_double(w, "monthlyCost", sum[3] * DDB_USAGE_MONTH_SECONDS / win->seconds);
    ddb_jw_obj_end(w);
}

/* The report's members, of the n tables (the forecast's, fc, when asked). */
static void write_report(ddb_jw *w, ddb_arena *a, ddb_engine *eng, const window *win, const ddb_table **tables,
                         size_t n, const ddb_forecast *fc)
{
    ddb_usage_snap **snaps = ddb_arena_alloc(a, sizeof(*snaps) * (n + 1));
    double sum[4] = {0, 0, 0, 0};

    ddb_jw_obj_begin(w);
    write_prices(w, win->prices);
    if (win->since != NULL)
        write_since(w, win->since);
    ddb_jw_member_double(w, "windowSeconds", win->seconds);
    ddb_jw_member_double(w, "monthSeconds", DDB_USAGE_MONTH_SECONDS);
    write_projection(w, win);
    write_tables(w, a, eng->store, tables, n, win, snaps, sum);
    write_total(w, sum, win);
    write_backups(w, eng->store, win);
    write_transfers(w, a, eng->store, win, 0);
    write_transfers(w, a, eng->store, win, 1);
    ddb_warnings_write(w, eng, tables, n, win->seconds, win->prices);
    ddb_usage_write_hot(w, a, eng, tables, n);
    if (fc != NULL)
        ddb_forecast_write(w, a, eng, fc, tables, snaps, n);
    ddb_jw_obj_end(w);
}

int ddb_usage_report(ddb_engine *eng, const ddb_usage_query *q, ddb_jw *w, char *err, size_t errsize)
{
    ddb_arena a;
    const ddb_table **tables;
    ddb_forecast *fc = NULL;
    uint64_t now = ddb_clock_now_ms(), start = q->since != NULL ? ddb_usage_mark_ms(q->since) : q->opened_ms;
    window win = {now > start + 1000 ? (double)(now - start) / 1e3 : 1.0, ddb_hot_of(eng), start, q->since,
                  q->prices};
    size_t n;

    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    if (q->rate != NULL) {
        fc = ddb_arena_alloc(&a, sizeof(*fc));
        if (ddb_forecast_parse(&a, q->rate, q->rate_len, tables, n, fc, err, errsize) != 0) {
            ddb_arena_free(&a);
            return -1;
        }
        fc->prices = q->prices;
    }
    write_report(w, &a, eng, &win, tables, n, fc);
    ddb_arena_free(&a);
    return 0;
}
