/*
 * server/engine/catalog.c: the table catalog (see catalog.h).
 *
 * Reads take a shared lock and binary-search a sorted array of tables; control-plane writes take
 * the exclusive lock, persist first, then swap the in-memory entry.
 */
#include "catalog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keycodec.h"
#include "log.h"

struct ddb_catalog {
    ddb_store *store;
    pthread_rwlock_t lock;
    ddb_table **tables; /* sorted by name (byte order, case-sensitive) */
    size_t n, cap;
    ddb_table **retired; /* replaced or deleted tables, freed at close */
    size_t nretired, capretired;
    uint32_t next_id;
};

#define TABLE_PREFIX "table/"
#define NEXT_ID_KEY "ddbd/next_table_id"

static void table_free(ddb_table *t)
{
    ddb_arena_free(&t->arena);
    free(t);
}

static const char *key_attr(const ddb_json *desc, const char *key_type)
{
    const ddb_json *ks = ddb_json_get(desc, "KeySchema");

    for (uint32_t i = 0; ks != NULL && ks->type == DDB_JSON_ARRAY && i < ks->n; i++) {
        const char *kt = ddb_json_get_str(ks->u.items[i], "KeyType");
        if (kt != NULL && strcmp(kt, key_type) == 0)
            return ddb_json_get_str(ks->u.items[i], "AttributeName");
    }
    return NULL;
}

static ddb_type attr_type(const ddb_json *desc, const char *name)
{
    const ddb_json *defs = ddb_json_get(desc, "AttributeDefinitions");

    for (uint32_t i = 0; name != NULL && defs != NULL && i < defs->n; i++) {
        const char *n = ddb_json_get_str(defs->u.items[i], "AttributeName");
        const char *t = ddb_json_get_str(defs->u.items[i], "AttributeType");
        if (n != NULL && t != NULL && strcmp(n, name) == 0)
            return ddb_type_from_name(t, strlen(t));
    }
    return DDB_T_NONE;
}

/* Builds a table from its stored JSON; NULL if the JSON is not a usable description. */
static ddb_table *table_from_json(const char *name, const char *text, size_t len)
{
    ddb_table *t = calloc(1, sizeof(*t));
    const ddb_json *id;

    if (t == NULL)
        abort();
    ddb_arena_init(&t->arena);
    t->desc_text = ddb_arena_strndup(&t->arena, text, len);
    t->desc_len = len;
    t->desc = ddb_json_parse(&t->arena, t->desc_text, len);
    id = ddb_json_get(t->desc, "ddbdTableId");
    if (t->desc == NULL || id == NULL || id->type != DDB_JSON_NUMBER) {
        table_free(t);
        return NULL;
    }
    t->name = ddb_arena_strndup(&t->arena, name, strlen(name));
    t->id = (uint32_t)strtoul(id->u.s, NULL, 10);
    t->hash_key = key_attr(t->desc, "HASH");
    t->range_key = key_attr(t->desc, "RANGE");
    t->hash_type = attr_type(t->desc, t->hash_key);
    t->range_type = attr_type(t->desc, t->range_key);
    if (t->hash_key == NULL || t->hash_type == DDB_T_NONE) {
        table_free(t);
        return NULL;
    }
    return t;
}

static void retire(ddb_catalog *c, ddb_table *t)
{
    if (c->nretired == c->capretired) {
        c->capretired = c->capretired ? c->capretired * 2 : 16;
        c->retired = realloc(c->retired, c->capretired * sizeof(*c->retired));
        if (c->retired == NULL)
            abort();
    }
    c->retired[c->nretired++] = t;
}

/* Index of `name`, or of where it would be inserted (with *found = 0). */
static size_t find(ddb_catalog *c, const char *name, int *found)
{
    size_t lo = 0, hi = c->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(c->tables[mid]->name, name);
        if (cmp == 0) {
            *found = 1;
            return mid;
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = 0;
    return lo;
}

static void insert_at(ddb_catalog *c, size_t i, ddb_table *t)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->tables = realloc(c->tables, c->cap * sizeof(*c->tables));
        if (c->tables == NULL)
            abort();
    }
    memmove(&c->tables[i + 1], &c->tables[i], (c->n - i) * sizeof(*c->tables));
    c->tables[i] = t;
    c->n++;
}

static int load(ddb_catalog *c)
{
    ddb_arena a;
    char *v;
    size_t vlen;
    ddb_store_iter *it = ddb_store_iter_open(c->store, -1, TABLE_PREFIX, 6, "table0", 6, 0);

    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen, len;
        const char *k = ddb_store_iter_key(it, &klen);
        const char *text = ddb_store_iter_val(it, &len);
        char name[300];
        int found;
        ddb_table *t;

        if (klen - 6 >= sizeof(name))
            continue;
        memcpy(name, k + 6, klen - 6);
        name[klen - 6] = '\0';
        if ((t = table_from_json(name, text, len)) == NULL) {
            ddb_log(DDB_LOG_ERROR, "catalog: table %s has an unreadable description; skipped", name);
            continue;
        }
        insert_at(c, find(c, name, &found), t);
    }
    ddb_store_iter_close(it);
    ddb_arena_init(&a);
    c->next_id = 1;
    if (ddb_store_meta_get(c->store, &a, NEXT_ID_KEY, strlen(NEXT_ID_KEY), &v, &vlen) == 0 && v != NULL)
        c->next_id = (uint32_t)strtoul(ddb_arena_strndup(&a, v, vlen), NULL, 10);
    ddb_arena_free(&a);
    return 0;
}

ddb_catalog *ddb_catalog_open(ddb_store *store, char **err)
{
    ddb_catalog *c = calloc(1, sizeof(*c));

    if (c == NULL)
        abort();
    c->store = store;
    pthread_rwlock_init(&c->lock, NULL);
    if (load(c) != 0) {
        *err = strdup("cannot read the table catalog");
        ddb_catalog_close(c);
        return NULL;
    }
    return c;
}

void ddb_catalog_close(ddb_catalog *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        table_free(c->tables[i]);
    for (size_t i = 0; i < c->nretired; i++)
        table_free(c->retired[i]);
    free(c->tables);
    free(c->retired);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

size_t ddb_catalog_count(ddb_catalog *c)
{
    size_t n;

    pthread_rwlock_rdlock(&c->lock);
    n = c->n;
    pthread_rwlock_unlock(&c->lock);
    return n;
}

const ddb_table *ddb_catalog_get(ddb_catalog *c, const char *name)
{
    const ddb_table *t = NULL;
    int found;
    size_t i;

    pthread_rwlock_rdlock(&c->lock);
    i = find(c, name, &found);
    if (found)
        t = c->tables[i];
    pthread_rwlock_unlock(&c->lock);
    return t;
}

/* Adds the catalog's own fields to a description object's JSON text. */
static char *with_ids(ddb_arena *a, const char *desc_json, size_t len, uint32_t id, double created)
{
    /* desc_json is "{...}"; insert our fields after the brace */
    const char *body = desc_json + 1;
    int empty = len <= 2;

    return ddb_arena_sprintf(a, "{\"ddbdTableId\":%u,\"CreationDateTime\":%.3f%s%.*s", id, created, empty ? "" : ",",
                             (int)(len - 1), body);
}

static int persist(ddb_catalog *c, ddb_arena *a, const char *name, const char *text, size_t len, int with_next_id)
{
    ddb_batch b;
    char *key = ddb_arena_sprintf(a, TABLE_PREFIX "%s", name);

    ddb_batch_init(&b, a);
    ddb_batch_put(&b, -1, key, strlen(key), text, len);
    if (with_next_id) {
        char *next = ddb_arena_sprintf(a, "%u", c->next_id);
        ddb_batch_put(&b, -1, NEXT_ID_KEY, strlen(NEXT_ID_KEY), next, strlen(next));
    }
    return ddb_store_write(c->store, &b);
}

int ddb_catalog_create(ddb_catalog *c, const char *name, const char *desc_json, size_t len, double now,
                       const ddb_table **out)
{
    ddb_arena a;
    int found, rc = 0;
    size_t i;
    ddb_table *t;
    char *text;

    ddb_arena_init(&a);
    pthread_rwlock_wrlock(&c->lock);
    i = find(c, name, &found);
    if (found) {
        rc = 1;
        goto done;
    }
    text = with_ids(&a, desc_json, len, c->next_id, now);
    if ((t = table_from_json(name, text, strlen(text))) == NULL) {
        rc = -1;
        goto done;
    }
    c->next_id++;
    if (persist(c, &a, name, text, strlen(text), 1) != 0) {
        table_free(t);
        rc = -1;
        goto done;
    }
    insert_at(c, i, t);
    *out = t;
done:
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_free(&a);
    return rc;
}

int ddb_catalog_update(ddb_catalog *c, const char *name, const char *desc_json, size_t len, const ddb_table **out)
{
    ddb_arena a;
    int found, rc = 0;
    size_t i;
    ddb_table *t, *old;
    char *text;
    const ddb_json *created;

    ddb_arena_init(&a);
    pthread_rwlock_wrlock(&c->lock);
    i = find(c, name, &found);
    if (!found) {
        rc = 1;
        goto done;
    }
    old = c->tables[i];
    created = ddb_json_get(old->desc, "CreationDateTime");
    text = with_ids(&a, desc_json, len, old->id, created ? strtod(created->u.s, NULL) : 0);
    if ((t = table_from_json(name, text, strlen(text))) == NULL || persist(c, &a, name, text, strlen(text), 0) != 0) {
        if (t != NULL)
            table_free(t);
        rc = -1;
        goto done;
    }
    c->tables[i] = t;
    retire(c, old);
    *out = t;
done:
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_free(&a);
    return rc;
}

int ddb_catalog_delete(ddb_catalog *c, const char *name)
{
    ddb_arena a;
    ddb_batch b;
    int found, rc = 0;
    size_t i;
    char lo[DDB_KEY_TABLE_BYTES], hi[DDB_KEY_TABLE_BYTES];
    char *key;

    ddb_arena_init(&a);
    pthread_rwlock_wrlock(&c->lock);
    i = find(c, name, &found);
    if (!found) {
        rc = 1;
        goto done;
    }
    key = ddb_arena_sprintf(&a, TABLE_PREFIX "%s", name);
    ddb_batch_init(&b, &a);
    ddb_batch_delete(&b, -1, key, strlen(key));
    ddb_key_table_range(c->tables[i]->id, lo, hi);
    /* the description goes first: if the range delete then fails, the items are unreachable garbage, not a half table */
    if (ddb_store_write(c->store, &b) != 0) {
        rc = -1;
        goto done;
    }
    ddb_store_delete_range_all(c->store, lo, sizeof(lo), hi, sizeof(hi));
    retire(c, c->tables[i]);
    memmove(&c->tables[i], &c->tables[i + 1], (c->n - i - 1) * sizeof(*c->tables));
    c->n--;
done:
    pthread_rwlock_unlock(&c->lock);
    ddb_arena_free(&a);
    return rc;
}

size_t ddb_catalog_list(ddb_catalog *c, ddb_arena *a, const char *exclusive_start, size_t limit, const char ***names,
                        int *more)
{
    size_t start = 0, n = 0;
    int found;

    pthread_rwlock_rdlock(&c->lock);
    if (exclusive_start != NULL) {
        start = find(c, exclusive_start, &found);
        if (found)
            start++;
    }
    *names = ddb_arena_alloc(a, sizeof(char *) * (limit ? limit : 1));
    for (size_t i = start; i < c->n && n < limit; i++)
        (*names)[n++] = ddb_arena_strndup(a, c->tables[i]->name, strlen(c->tables[i]->name));
    *more = start + n < c->n;
    pthread_rwlock_unlock(&c->lock);
    return n;
}
