/*
 * tests/unit/engine/emulate/test_consistency.c: the log of eventually consistent reads
 * (server/engine/emulate/consistency.c) stays within its one budget for every table, forgetting the
 * oldest changes of all tables first, and frees what a table turned off or a restore forgets.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/engine/emulate/consistency.h"
#include "test.h"

enum { TABLES = DDB_CONSIST_TABLES_MAX, IMAGE = 100 * 1024, PER_TABLE = 4 };

/* A table named t%03d, its id 1000 + i (all a table's notes need). */
static ddb_table table(int i, char name[16])
{
    ddb_table t;

    memset(&t, 0, sizeof(t));
    snprintf(name, 16, "t%03d", i);
    t.name = name;
    t.ns = "";
    t.id = 1000u + (unsigned)i;
    return t;
}

/* "changesKept": n of table `name` in the registry's description; -1: not listed. */
static long kept_of(struct ddb_consistency *c, const char *name)
{
    char *d = ddb_consist_describe(c), pat[64], *p;
    long n = -1;

    snprintf(pat, sizeof(pat), "\"table\": \"%s\", ", name);
    if (d != NULL && (p = strstr(d, pat)) != NULL && (p = strstr(p, "\"changesKept\": ")) != NULL)
        n = strtol(p + strlen("\"changesKept\": "), NULL, 10);
    free(d);
    return n;
}

TEST(many_tables_logs_stay_within_one_budget_oldest_forgotten_first)
{
    /* an hour's window: nothing ages out, only the budget forgets (256 tables x 4 x 100 KB = 100 MB) */
    ddb_consist_settings s = {3600000, 3600000, 3600000, 7};
    struct ddb_consistency *c = ddb_consist_create(NULL);
    static char names[TABLES][16];
    static ddb_table tables[TABLES];
    char *img = calloc(1, IMAGE), kb[32];
    size_t peak = 0;

    ASSERT(c != NULL && img != NULL);
    for (int i = 0; i < TABLES; i++) {
        tables[i] = table(i, names[i]);
        ASSERT_EQ(ddb_consist_set(c, names[i], &s), 0);
    }
    for (int k = 0; k < PER_TABLE; k++)
        for (int i = 0; i < TABLES; i++) {
            ddb_key key = {kb, (size_t)snprintf(kb, sizeof(kb), "key%d", k), 0, 0};
            ddb_consist_note(c, &tables[i], &key, img, IMAGE, img, IMAGE);
            if (ddb_consist_bytes(c) > peak)
                peak = ddb_consist_bytes(c);
        }
    ASSERT(peak <= DDB_CONSIST_BUDGET_BYTES);
    ASSERT(ddb_consist_bytes(c) > DDB_CONSIST_BUDGET_BYTES - 2 * IMAGE); /* full: not forgetting too much */
    /* the oldest notes were the first round's, table by table: forgotten first, whatever their table */
    ASSERT_EQ(kept_of(c, "t000"), PER_TABLE - 2);
    ASSERT_EQ(kept_of(c, "t255"), PER_TABLE - 1);
    /* a table turned off frees its log; a restore forgets them all */
    ASSERT_EQ(ddb_consist_set(c, "t255", &(ddb_consist_settings){0, 0, 0, 0}), 0);
    ASSERT_EQ(kept_of(c, "t255"), 0);
    ddb_consist_forget(c);
    ASSERT_EQ(ddb_consist_bytes(c), 0);
    ASSERT_EQ(kept_of(c, "t000"), 0);
    ddb_consist_free(c);
    free(img);
}

TEST(a_table_without_settings_logs_nothing)
{
    struct ddb_consistency *c = ddb_consist_create(NULL);
    char name[16], kb[] = "k";
    ddb_table t = table(1, name);
    ddb_key key = {kb, 1, 0, 0};

    ASSERT(c != NULL);
    ddb_consist_note(c, &t, &key, "x", 1, "y", 1);
    ASSERT_EQ(ddb_consist_bytes(c), 0);
    ddb_consist_free(c);
}

/* Writers on tables of their own, over budget together (their logs forgotten across tables, each
   under its own lock), beside a describer: no deadlock, and the budget holds when they are done. */
enum { WRITERS = 4, WRITER_TABLES = 16, WRITER_NOTES = 400 };

typedef struct writer_arg {
    struct ddb_consistency *c;
    int first;
    const char *img;
} writer_arg;

static ddb_table writer_tables[WRITERS * WRITER_TABLES];
static char writer_names[WRITERS * WRITER_TABLES][16];

static void *writer(void *p)
{
    const writer_arg *w = p;
    char kb[32];

    for (int k = 0; k < WRITER_NOTES; k++) {
        ddb_key key = {kb, (size_t)snprintf(kb, sizeof(kb), "key%d", k % 50), 0, 0};
        ddb_consist_note(w->c, &writer_tables[w->first + k % WRITER_TABLES], &key, w->img, IMAGE, NULL, 0);
    }
    return NULL;
}

TEST(concurrent_writers_keep_the_budget_without_a_global_lock)
{
    ddb_consist_settings s = {3600000, 3600000, 3600000, 1};
    struct ddb_consistency *c = ddb_consist_create(&s); /* every table on: states made by the notes */
    char *img = calloc(1, IMAGE);
    pthread_t th[WRITERS];
    writer_arg args[WRITERS];

    ASSERT(c != NULL && img != NULL);
    for (int i = 0; i < WRITERS * WRITER_TABLES; i++)
        writer_tables[i] = table(i, writer_names[i]);
    for (int i = 0; i < WRITERS; i++) {
        args[i] = (writer_arg){c, i * WRITER_TABLES, img};
        ASSERT_EQ(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    }
    for (int i = 0; i < 50; i++)
        free(ddb_consist_describe(c));
    for (int i = 0; i < WRITERS; i++)
        pthread_join(th[i], NULL);
    /* 1,600 notes of 100 KB: 160 MB written, at most 64 MiB kept */
    ASSERT(ddb_consist_bytes(c) <= DDB_CONSIST_BUDGET_BYTES);
    ASSERT(ddb_consist_bytes(c) > DDB_CONSIST_BUDGET_BYTES / 2);
    ddb_consist_free(c);
    free(img);
}
