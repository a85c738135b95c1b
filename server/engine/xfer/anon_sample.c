/*
 * server/engine/xfer/anon_sample.c: what an import's rules do to a sample of its source (anon.h):
 * the dry run's report, and the attributes a strict import would refuse.
 *
 * The sample is the source's first items, read as the import reads them (its objects in key
 * order, decompressed, DYNAMODB_JSON or ION lines, an incremental export's new images), a record
 * at a time in an arena reset for each: its memory is the reader's window and the report's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/alloc.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/xfer/objstore.h"
#include "server/engine/xfer/reader.h"


typedef struct attr_stat {
    char *name;
    char rule[32];
    int covered;
    size_t items, nexamples;
    ddb_buf examples; /* {"before","after"} objects, comma-separated */
} attr_stat;

typedef struct sample {
    const ddb_anon *an;
    attr_stat *attrs;
    size_t n, cap, items, max, examples;
    /* the attributes by name: an open-addressed table of attrs' indices + 1 (0: free), at most half
       full. A search of the list per name made the sample quadratic in the names the source has:
       a 2 MB source of distinct names held the server for minutes (issue 73) */
    uint32_t *slots;
    size_t nslots;
} sample;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static void slots_grow(sample *s)
{
    size_t n = s->nslots ? 2 * s->nslots : 64;
    uint32_t *t = calloc(n, sizeof(*t));

    if (t == NULL)
        abort();
    for (size_t i = 0; i < s->n; i++) {
        size_t j = name_hash(s->attrs[i].name) & (n - 1);
        while (t[j] != 0)
            j = (j + 1) & (n - 1);
        t[j] = (uint32_t)(i + 1);
    }
    free(s->slots);
    s->slots = t;
    s->nslots = n;
}

static attr_stat *stat_of(sample *s, const char *name)
{
    size_t j;

    if (2 * (s->n + 1) > s->nslots)
        slots_grow(s);
    for (j = name_hash(name) & (s->nslots - 1); s->slots[j] != 0; j = (j + 1) & (s->nslots - 1))
        if (strcmp(s->attrs[s->slots[j] - 1].name, name) == 0)
            return &s->attrs[s->slots[j] - 1];
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        if ((s->attrs = realloc(s->attrs, s->cap * sizeof(*s->attrs))) == NULL)
            abort();
    }
    s->attrs[s->n] = (attr_stat){.name = strdup(name)};
    if (s->attrs[s->n].name == NULL)
        abort();
    s->slots[j] = (uint32_t)(s->n + 1);
    return &s->attrs[s->n++];
}

/* One item's attributes into the report. */
static void add_item(sample *s, ddb_arena *a, const ddb_json *item)
{
    s->items++;
    for (uint32_t i = 0; i < item->n; i++) {
        const ddb_json_member *m = &item->u.members[i];
        const ddb_anon_rule *r = ddb_anon_rule_of(s->an, m->key);
        attr_stat *st = stat_of(s, m->key);
        const ddb_json *after = NULL;
        const char *e;
        char name[32];
        ddb_jw w;

        st->items++;
        st->covered = r != NULL;
        if (r == NULL || st->nexamples >= s->examples)
            continue;
        snprintf(st->rule, sizeof(st->rule), "%s", ddb_anon_rule_name(r, name, sizeof(name)));
        e = ddb_anon_value(s->an, r, a, m->key, m->val, &after);
        if (st->nexamples++ > 0)
            ddb_buf_append(&st->examples, ",", 1);
        ddb_jw_init(&w, &st->examples);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "before");
        ddb_jw_json(&w, m->val);
        ddb_jw_key(&w, e != NULL ? "error" : "after");
        if (e != NULL)
            ddb_jw_str(&w, e);
        else if (after != NULL)
            ddb_jw_json(&w, after);
        else
            ddb_jw_null(&w); /* dropped */
        ddb_jw_obj_end(&w);
    }
}

static int by_name(const void *x, const void *y)
{
    return strcmp(((const attr_stat *)x)->name, ((const attr_stat *)y)->name);
}

static void report(sample *s, ddb_jw *w, size_t *uncovered)
{
    if (s->n > 1) /* an empty source's sample has no attribute, and no array: qsort takes none */
        qsort(s->attrs, s->n, sizeof(*s->attrs), by_name);
    ddb_jw_obj_begin(w);
    ddb_jw_member_int(w, "sampledItems", (long long)s->items);
    ddb_jw_key(w, "attributes");
    ddb_jw_arr_begin(w);
    for (size_t i = 0; i < s->n; i++) {
        attr_stat *st = &s->attrs[i];
        if (!st->covered)
            continue;
        ddb_jw_obj_begin(w);
        ddb_jw_member_str(w, "attribute", st->name);
        ddb_jw_member_str(w, "rule", st->rule);
        ddb_jw_member_int(w, "items", (long long)st->items);
        ddb_jw_key(w, "examples");
        ddb_jw_arr_begin(w);
        if (st->examples.len > 0) {
            ddb_buf_append(w->out, st->examples.data, st->examples.len); /* (written by a writer of its own) */
            w->need_comma = 1;
        }
        ddb_jw_arr_end(w);
        ddb_jw_obj_end(w);
    }
    ddb_jw_arr_end(w);
    ddb_jw_key(w, "uncovered");
    ddb_jw_arr_begin(w);
    *uncovered = 0;
    for (size_t i = 0; i < s->n; i++)
        if (!s->attrs[i].covered) {
            ddb_jw_str(w, s->attrs[i].name);
            ++*uncovered;
        }
    ddb_jw_arr_end(w);
    ddb_jw_obj_end(w);
}

/* Reads one object's items into the sample until it holds s->max: 0, or -1 (err). */
static int read_object(sample *s, ddb_objstore *os, const char *key, const ddb_anon_source *src, ddb_arena *a,
                       ddb_buf *scratch, char *err, size_t err_len)
{
    ddb_xfer_object o = {0};
    const char *code = NULL, *line;
    size_t len;
    int too_long, rc = 0;

    if (ddb_xfer_object_open(os, key, (ddb_xfer_comp)src->comp, &o, &code, err, err_len) != 0) {
        ddb_xfer_object_free(&o);
        return -1;
    }
    while (s->items < s->max && ddb_xfer_object_line(&o, &line, &len, &too_long)) {
        const ddb_json *doc = NULL, *item;
        const char *msg;
        char e[256];
        if (src->stop != NULL && __atomic_load_n(src->stop, __ATOMIC_ACQUIRE)) {
            snprintf(err, err_len, "%s", DDB_ANON_SAMPLE_STOPPED);
            rc = -1;
            break;
        }
        ddb_arena_reset(a);
        if (too_long)
            continue;
        msg = ddb_xfer_line_doc(src->ion, line, len, a, scratch, &doc, e, sizeof(e));
        if (src->ion && msg != NULL && strstr(msg, DDB_ANON_ION_NO_ITEM) != NULL)
            ddb_anon_ion_incremental(a, scratch, line, len, &doc);
        if ((item = ddb_anon_item_of(doc)) != NULL)
            add_item(s, a, item);
    }
    if (rc == 0 && o.code != NULL) {
        snprintf(err, err_len, "%s: %s", key, o.failure);
        rc = -1;
    }
    ddb_xfer_object_free(&o);
    return rc;
}

int ddb_anon_sample(const ddb_anon *an, const ddb_anon_source *src, size_t max, size_t examples, ddb_jw *w,
                    size_t *uncovered, char *err, size_t err_len)
{
    sample s = {.an = an, .max = max, .examples = examples};
    ddb_objstore os;
    ddb_arena a;
    ddb_buf scratch = {0};
    char **keys = NULL;
    size_t n = 0;
    int rc;

    ddb_arena_init(&a);
    if ((rc = ddb_objstore_open(&os, src->store, src->bucket)) != DDB_OBJ_OK ||
        (rc = ddb_objstore_list(&os, src->prefix ? src->prefix : "", &keys, &n)) != DDB_OBJ_OK)
        snprintf(err, err_len, "%s", os.err);
    for (size_t i = 0; rc == 0 && i < n && s.items < max; i++)
        if (strncmp(keys[i], DDB_XFER_ERROR_LOG_DIR, strlen(DDB_XFER_ERROR_LOG_DIR)) != 0)
            rc = read_object(&s, &os, keys[i], src, &a, &scratch, err, err_len);
    if (rc == 0)
        report(&s, w, uncovered);
    ddb_free_strings(keys, n);
    for (size_t i = 0; i < s.n; i++) {
        free(s.attrs[i].name);
        ddb_buf_free(&s.attrs[i].examples);
    }
    free(s.attrs);
    free(s.slots);
    ddb_objstore_close(&os);
    ddb_buf_free(&scratch);
    ddb_arena_free(&a);
    return rc == 0 ? 0 : -1;
}
