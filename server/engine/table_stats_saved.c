/*
 * server/engine/table_stats_saved.c: the kept item counts across a clean stop (see
 * table_stats_saved.h). The value is text: "1\n" (its version), then a line per table,
 * "<keyspaces> <id> <items> <bytes> ..." (the table's keyspace first, then each index's).
 */
#include "server/engine/table_stats_saved.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/batch.h"
#include "server/base/log.h"
#include "server/engine/table_stats.h"

#define SAVED_KEY "stats/figures"

/* Whether figures are kept for the store at all (an in-memory store saves what nobody loads). */
static int kept(ddb_store *store)
{
    return !ddb_store_shared(store);
}

static int saved_before(ddb_store *store, ddb_arena *a)
{
    char *v = NULL;
    size_t vlen;

    return ddb_store_meta_get(store, a, SAVED_KEY, strlen(SAVED_KEY), &v, &vlen) != DDB_STORE_OK || v != NULL;
}

void ddb_table_stats_save(ddb_store *store, ddb_catalog *c)
{
    ddb_arena a;
    const ddb_table **tables;
    ddb_buf text = {0};
    ddb_batch b;
    size_t n;

    if (!kept(store))
        return;
    ddb_arena_init(&a);
    n = ddb_catalog_snapshot(c, &a, &tables);
    ddb_buf_puts(&text, "1\n");
    for (size_t i = 0; i < n; i++) {
        ddb_keyspace_figures f[DDB_STATS_KEYSPACES];
        unsigned nf = tables[i]->stats != NULL ? ddb_table_stats_get(tables[i]->stats, f) : 0;
        if (nf == 0)
            continue; /* not counted yet: counted after the next start */
        ddb_buf_printf(&text, "%u", nf);
        for (unsigned k = 0; k < nf; k++)
            ddb_buf_printf(&text, " %u %lld %lld", f[k].id, f[k].items, f[k].bytes);
        ddb_buf_putc(&text, '\n');
    }
    ddb_batch_init(&b, &a);
    ddb_batch_meta_put(&b, SAVED_KEY, strlen(SAVED_KEY), text.data, text.len);
    if (text.len == 2 && !saved_before(store, &a))
        ; /* nothing to keep, nor to overwrite: no write (a store never written is not opened for it) */
    else if (ddb_store_write(store, &b) != DDB_STORE_OK)
        ddb_log(DDB_LOG_WARN, "item counts: not saved (the tables are counted after the next start)");
    ddb_buf_free(&text);
    ddb_arena_free(&a);
}

/* Parses one table's line at *p into f; returns how many keyspaces (0: malformed). */
static unsigned parse_line(char **p, ddb_keyspace_figures f[DDB_STATS_KEYSPACES])
{
    char *end;
    unsigned long nf = strtoul(*p, &end, 10);

    if (end == *p || nf == 0 || nf > DDB_STATS_KEYSPACES)
        return 0;
    for (unsigned long k = 0; k < nf; k++) {
        f[k].id = (uint32_t)strtoul(end, &end, 10);
        f[k].items = strtoll(end, &end, 10);
        f[k].bytes = strtoll(end, &end, 10);
    }
    if (*end != '\n')
        return 0;
    *p = end + 1;
    return (unsigned)nf;
}

/* The table of keyspace id `id` among tables[0..n), or NULL. */
static const ddb_table *table_of(const ddb_table **tables, size_t n, uint32_t id)
{
    for (size_t i = 0; i < n; i++) {
        if (tables[i]->id == id)
            return tables[i];
    }
    return NULL;
}

void ddb_table_stats_load(ddb_store *store, ddb_catalog *c)
{
    ddb_arena a;
    const ddb_table **tables;
    char *val = NULL, *p;
    size_t vlen, n;
    ddb_batch b;
    ddb_keyspace_figures f[DDB_STATS_KEYSPACES];
    unsigned nf;

    if (!kept(store))
        return;
    ddb_arena_init(&a);
    if (ddb_store_meta_get(store, &a, SAVED_KEY, strlen(SAVED_KEY), &val, &vlen) != DDB_STORE_OK || val == NULL ||
        vlen < 2 || memcmp(val, "1\n", 2) != 0) {
        ddb_arena_free(&a);
        return; /* none saved (not stopped cleanly, or by an older version): counted in the background */
    }
    /* gone before the first write: a stop that does not save leaves none to trust */
    ddb_batch_init(&b, &a);
    ddb_batch_meta_delete(&b, SAVED_KEY, strlen(SAVED_KEY));
    if (ddb_store_write(store, &b) != DDB_STORE_OK) {
        ddb_log(DDB_LOG_WARN, "item counts: the saved figures could not be removed (counted instead)");
        ddb_arena_free(&a);
        return;
    }
    p = ddb_arena_strndup(&a, val + 2, vlen - 2);
    n = ddb_catalog_snapshot(c, &a, &tables);
    while (*p != '\0' && (nf = parse_line(&p, f)) > 0) {
        const ddb_table *t = table_of(tables, n, f[0].id);
        if (t != NULL && t->stats != NULL)
            ddb_table_stats_set(t->stats, t, f, nf);
    }
    ddb_arena_free(&a);
}
