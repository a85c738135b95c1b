/*
 * server/doors/usage.c: the cost report (see usage.h).
 *
 * Each figure is worked from the units the meter charged (engine/usage.h), never estimated from
 * requests: a table's on-demand cost is its read units x the read request unit's price plus its
 * write units x the write request unit's, both of the table's class; the index lines are the part
 * of those units its indexes consumed (an index is billed at its table's prices). Projected to a
 * month: the window's cost x month / window. Storage: the items' bytes and their indexes', with the
 * 100 bytes of overhead per item AWS adds to each (the pricing page's "Data storage"), in GB of
 * 2^30 bytes. A provisioned table's (and its GSIs') capacity units cost their hourly price for the
 * window's hours and a month's, whatever was consumed.
 */
#include "server/doors/usage.h"

#include <stdlib.h>
#include <string.h>

#include "proto/arena.h"
#include "server/base/clock.h"
#include "server/doors/warnings.h"
#include "server/engine/catalog.h"
#include "server/doors/usage_hot.h"
#include "server/engine/table_stats.h"

#define ITEM_OVERHEAD_BYTES 100
#define GB (1024.0 * 1024 * 1024)

typedef struct price {
    const char *table_class;
    double read_million, write_million, rcu_hour, wcu_hour, gb_month;
} price;

static const price prices[] = {
#define X(cls, rru, wru, rcu, wcu, gb) {#cls, rru, wru, rcu, wcu, gb},
#include "server/doors/prices.def"
#undef X
};

static uint64_t window_start_ms;

void ddb_usage_window_start(uint64_t now_ms)
{
    window_start_ms = now_ms;
}

/* The table's class (STANDARD unless it says otherwise). */
static const price *price_of(const ddb_table *t)
{
    const char *cls = ddb_json_get_str(t->desc, "TableClass");

    for (size_t i = 0; cls != NULL && i < sizeof(prices) / sizeof(prices[0]); i++)
        if (strcmp(prices[i].table_class, cls) == 0)
            return &prices[i];
    return &prices[0];
}

/* What `write` write request units cost at table t's prices (the warnings': warnings.h). */
static double write_cost(const ddb_table *t, double write)
{
    return write * price_of(t)->write_million / 1e6;
}

typedef struct window {
    double seconds; /* at least 1: a report right after start does not divide by zero */
} window;

static double request_cost(const price *p, double read, double write)
{
    return read * p->read_million / 1e6 + write * p->write_million / 1e6;
}

/* "readUnits", "writeUnits", "cost", "monthlyCost" of units priced at p. */
static double write_units(ddb_jw *w, const price *p, const window *win, double read, double write)
{
    double cost = request_cost(p, read, write);

    ddb_jw_key(w, "readUnits");
    ddb_jw_double(w, read);
    ddb_jw_key(w, "writeUnits");
    ddb_jw_double(w, write);
    ddb_jw_key(w, "cost");
    ddb_jw_double(w, cost);
    ddb_jw_key(w, "monthlyCost");
    ddb_jw_double(w, cost * DDB_USAGE_MONTH_SECONDS / win->seconds);
    return cost;
}

static void write_operations(ddb_jw *w, const ddb_table_usage *u, const price *p, const window *win)
{
    ddb_jw_key(w, "operations");
    ddb_jw_arr_begin(w);
    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        double read, write;
        ddb_usage_get(&u->op[op], &read, &write);
        if (read == 0 && write == 0)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "operation");
        ddb_jw_str(w, ddb_op_name((ddb_op)op));
        write_units(w, p, win, read, write);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static void write_indexes(ddb_jw *w, const ddb_table *t, const ddb_table_usage *u, const price *p, const window *win)
{
    ddb_jw_key(w, "indexes");
    ddb_jw_arr_begin(w);
    for (unsigned i = 0; i < t->nindexes; i++) {
        const ddb_usage_units *iu = ddb_usage_of_index(u, t->indexes[i].id);
        double read, write;
        if (iu == NULL || t->indexes[i].kind == DDB_IX_VECTOR)
            continue;
        ddb_usage_get(iu, &read, &write);
        ddb_jw_obj_begin(w);
        ddb_jw_key(w, "index");
        ddb_jw_str(w, t->indexes[i].name);
        write_units(w, p, win, read, write);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
}

static double units_of(const ddb_json *desc, const char *name)
{
    const ddb_json *v = ddb_json_get(ddb_json_get(desc, "ProvisionedThroughput"), name);

    return v != NULL && v->type == DDB_JSON_NUMBER ? strtod(v->u.s, NULL) : 0;
}

/* A provisioned table's capacity: its own and its GSIs' units, at their hourly prices. */
static void write_provisioned(ddb_jw *w, const ddb_table *t, const price *p, const window *win)
{
    double rcu = units_of(t->desc, "ReadCapacityUnits"), wcu = units_of(t->desc, "WriteCapacityUnits"), hourly;

    for (unsigned i = 0; i < t->nindexes; i++) {
        if (t->indexes[i].kind == DDB_IX_GLOBAL) {
            rcu += units_of(t->indexes[i].desc, "ReadCapacityUnits");
            wcu += units_of(t->indexes[i].desc, "WriteCapacityUnits");
        }
    }
    hourly = rcu * p->rcu_hour + wcu * p->wcu_hour;
    ddb_jw_key(w, "provisioned");
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "readCapacityUnits");
    ddb_jw_double(w, rcu);
    ddb_jw_key(w, "writeCapacityUnits");
    ddb_jw_double(w, wcu);
    ddb_jw_key(w, "cost");
    ddb_jw_double(w, hourly * win->seconds / 3600);
    ddb_jw_key(w, "monthlyCost");
    ddb_jw_double(w, hourly * DDB_USAGE_MONTH_SECONDS / 3600);
    ddb_jw_obj_end(w);
}

static int provisioned(const ddb_table *t)
{
    const char *mode = ddb_json_get_str(t->desc, "BillingMode");

    return mode == NULL || strcmp(mode, "PAY_PER_REQUEST") != 0;
}

/* Billable bytes: the items' and their indexes', and 100 bytes an item. */
static double storage_bytes(const ddb_table_figures *f)
{
    double bytes = (double)f->bytes + ITEM_OVERHEAD_BYTES * (double)f->items;

    for (unsigned i = 0; i < f->nix; i++)
        bytes += (double)f->ix[i].bytes;
    return bytes;
}

/* One table's object; adds its on-demand cost to *total. */
static void write_table(ddb_jw *w, ddb_store *s, const ddb_table *t, const window *win, double *read, double *write)
{
    const price *p = price_of(t);
    const ddb_table_usage *u = &t->stats->usage;
    ddb_table_figures f;
    double r = 0, wr = 0;

    for (int op = DDB_OP_NONE + 1; op < DDB_OP__COUNT; op++) {
        double or, ow;
        ddb_usage_get(&u->op[op], &or, &ow);
        r += or;
        wr += ow;
    }
    *read += r;
    *write += wr;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "table");
    ddb_jw_str(w, t->name);
    ddb_jw_key(w, "tableClass");
    ddb_jw_str(w, p->table_class);
    ddb_jw_key(w, "billingMode");
    ddb_jw_str(w, provisioned(t) ? "PROVISIONED" : "PAY_PER_REQUEST");
    write_units(w, p, win, r, wr);
    if (ddb_table_stats_read(t->stats, s, t, &f) == DDB_STORE_OK) {
        ddb_jw_key(w, "storageBytes");
        ddb_jw_double(w, storage_bytes(&f));
        ddb_jw_key(w, "storageMonthlyCost");
        ddb_jw_double(w, storage_bytes(&f) / GB * p->gb_month);
    }
    if (provisioned(t))
        write_provisioned(w, t, p, win);
    write_operations(w, u, p, win);
    write_indexes(w, t, u, p, win);
    ddb_jw_obj_end(w);
}

int ddb_usage_admin(ddb_engine *eng, ddb_buf *out)
{
    ddb_arena a;
    const ddb_table **tables;
    uint64_t now = ddb_clock_now_ms();
    window win = {now > window_start_ms + 1000 ? (double)(now - window_start_ms) / 1e3 : 1.0};
    double read = 0, write = 0, cost = 0;
    size_t n;
    ddb_jw w;

    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(eng->catalog, &a, &tables);
    ddb_jw_init(&w, out);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "region");
    ddb_jw_str(&w, DDB_PRICES_REGION);
    ddb_jw_key(&w, "prices");
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "source");
    ddb_jw_str(&w, DDB_PRICES_SOURCE);
    ddb_jw_key(&w, "date");
    ddb_jw_str(&w, DDB_PRICES_DATE);
    ddb_jw_obj_end(&w);
    ddb_jw_key(&w, "windowSeconds");
    ddb_jw_double(&w, win.seconds);
    ddb_jw_key(&w, "monthSeconds");
    ddb_jw_double(&w, DDB_USAGE_MONTH_SECONDS);
    ddb_jw_key(&w, "tables");
    ddb_jw_arr_begin(&w);
    for (size_t i = 0; i < n; i++) {
        double r = 0, wr = 0;
        if (tables[i]->stats == NULL)
            continue;
        write_table(&w, eng->store, tables[i], &win, &r, &wr);
        read += r;
        write += wr;
        cost += request_cost(price_of(tables[i]), r, wr);
    }
    ddb_jw_arr_end(&w);
    ddb_jw_key(&w, "total");
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "readUnits");
    ddb_jw_double(&w, read);
    ddb_jw_key(&w, "writeUnits");
    ddb_jw_double(&w, write);
    ddb_jw_key(&w, "cost");
    ddb_jw_double(&w, cost);
    ddb_jw_key(&w, "monthlyCost");
    ddb_jw_double(&w, cost * DDB_USAGE_MONTH_SECONDS / win.seconds);
    ddb_jw_obj_end(&w);
    ddb_warnings_write(&w, tables, n, win.seconds, write_cost);
    ddb_usage_write_hot(&w, &a, eng, tables, n);
    ddb_jw_obj_end(&w);
    ddb_arena_free(&a);
    return 200;
}
