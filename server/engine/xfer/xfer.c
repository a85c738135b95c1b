/*
 * server/engine/xfer/xfer.c: the records of exports and imports, and the worker's turn (see xfer.h).
 */
#include "server/engine/xfer/xfer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/engine/engine.h"

void ddb_xfer_new_id(char out[32], uint64_t now_ms)
{
    /* ids sort as the records were created (ListExports and ListImports page in id order), also
       for several in one millisecond: the time part is made to grow by at least one. Process-wide on
       purpose (layers.check's allow-list): ids stay unique and ordered across engines too */
    static uint64_t last_ms;
    uint64_t prev = __atomic_load_n(&last_ms, __ATOMIC_RELAXED), ms;

    do {
        ms = now_ms > prev ? now_ms : prev + 1;
    } while (!__atomic_compare_exchange_n(&last_ms, &prev, ms, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED));
    snprintf(out, 32, "%014llu-%08x", (unsigned long long)ms, randombytes_random());
}

void ddb_xfer_iso_time(char out[32], double epoch_seconds)
{
    time_t s = (time_t)epoch_seconds;
    int ms = (int)((epoch_seconds - (double)s) * 1000.0 + 0.5);
    struct tm tm;

    if (ms >= 1000) {
        s++;
        ms -= 1000;
    }
    gmtime_r(&s, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + 19, 13, ".%03dZ", ms % 1000);
}

const ddb_json *ddb_xfer_load(ddb_store *s, ddb_arena *a, const char *prefix, const char *id)
{
    char *key = ddb_arena_sprintf(a, "%s%s", prefix, id), *val = NULL;
    size_t vlen = 0;
    const ddb_json *rec;

    if (ddb_store_meta_get(s, a, key, strlen(key), &val, &vlen) != 0 || val == NULL)
        return NULL;
    rec = ddb_json_parse(a, val, vlen);
    return rec != NULL && rec->type == DDB_JSON_OBJECT ? rec : NULL;
}

size_t ddb_xfer_ids(ddb_store *s, ddb_arena *a, const char *prefix, const char ***ids)
{
    size_t plen = strlen(prefix), n = 0, cap = 16;
    char *hi = ddb_arena_strndup(a, prefix, plen);
    ddb_store_iter *it;

    hi[plen - 1]++; /* "export/" -> "export0" */
    *ids = ddb_arena_alloc(a, cap * sizeof(**ids));
    it = ddb_store_meta_iter_open(s, prefix, plen, hi, plen);
    for (ddb_store_iter_seek(it, NULL, 0); ddb_store_iter_valid(it); ddb_store_iter_next(it)) {
        size_t klen;
        const char *k = ddb_store_iter_key(it, &klen);
        DDB_ARENA_ROOM(a, *ids, n, cap, 16);
        (*ids)[n++] = ddb_arena_strndup(a, k + plen, klen - plen);
    }
    ddb_store_iter_close(it);
    return n;
}

/* A record's number member (a JSON number or its decimal text), or 0. */
static double number_of(const ddb_json *rec, const char *name)
{
    const ddb_json *v = ddb_json_get(rec, name);

    return v != NULL && (v->type == DDB_JSON_NUMBER || v->type == DDB_JSON_STRING) ? strtod(v->u.s, NULL) : 0;
}

ddb_xfer_bill ddb_xfer_billed(ddb_store *s, ddb_arena *a, int import, uint64_t since_ms)
{
    const char *prefix = import ? DDB_IMPORT_PREFIX : DDB_EXPORT_PREFIX, **ids;
    size_t n = ddb_xfer_ids(s, a, prefix, &ids);
    ddb_xfer_bill bill = {0, 0};

    for (size_t i = 0; i < n; i++) {
        const ddb_json *rec = ddb_xfer_load(s, a, prefix, ids[i]);
        const char *status = ddb_json_get_str(rec, import ? "ImportStatus" : "ExportStatus");
        if (status == NULL || strcmp(status, "COMPLETED") != 0 || number_of(rec, "StartTime") * 1000 < (double)since_ms)
            continue;
        bill.count++;
        bill.bytes += number_of(rec, import ? "ProcessedSizeBytes" : "BilledSizeBytes");
    }
    return bill;
}

int ddb_xfer_store(ddb_store *s, const char *prefix, const char *id, const char *json, size_t len)
{
    ddb_arena a;
    int rc;

    ddb_arena_init(&a);
    rc = ddb_store_meta_set(s, &a, ddb_arena_sprintf(&a, "%s%s", prefix, id), json, len);
    ddb_arena_free(&a);
    return rc;
}

static int in_set(const ddb_xfer_set *set, size_t n, const char *name, size_t nlen)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(set[i].name) == nlen && memcmp(set[i].name, name, nlen) == 0)
            return 1;
    return 0;
}

int ddb_xfer_update(ddb_store *s, const char *prefix, const char *id, const ddb_json *old, const ddb_xfer_set *set,
                    size_t n)
{
    ddb_buf buf = {0};
    ddb_jw w;
    int rc;

    ddb_jw_init(&w, &buf);
    ddb_jw_obj_begin(&w);
    for (uint32_t i = 0; old != NULL && i < old->n; i++) {
        const ddb_json_member *m = &old->u.members[i];
        if (in_set(set, n, m->key, m->klen))
            continue;
        ddb_jw_keyn(&w, m->key, m->klen);
        ddb_jw_json(&w, m->val);
    }
    for (size_t i = 0; i < n; i++) {
        ddb_jw_key(&w, set[i].name);
        switch (set[i].kind) {
        case XS_STR:
            ddb_jw_str(&w, set[i].s);
            break;
        case XS_INT:
            ddb_jw_int(&w, set[i].i);
            break;
        case XS_TIME: {
            char t[32];
            snprintf(t, sizeof(t), "%.3f", set[i].t);
            ddb_jw_raw_number(&w, t);
            break;
        }
        case XS_RAW:
            ddb_jw_raw_number(&w, set[i].s);
            break;
        }
    }
    ddb_jw_obj_end(&w);
    rc = ddb_xfer_store(s, prefix, id, buf.data, buf.len);
    ddb_buf_free(&buf);
    return rc;
}

void ddb_xfer_render(ddb_jw *w, const ddb_json *rec)
{
    ddb_jw_obj_begin(w);
    for (uint32_t i = 0; rec != NULL && i < rec->n; i++) {
        const ddb_json_member *m = &rec->u.members[i];
        if (m->klen >= 4 && memcmp(m->key, "ddbd", 4) == 0)
            continue;
        ddb_jw_keyn(w, m->key, m->klen);
        ddb_jw_json(w, m->val);
    }
    ddb_jw_obj_end(w);
}
