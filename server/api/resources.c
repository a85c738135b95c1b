/*
 * server/api/resources.c: the resources a request names (resources.h), walked from resources.def.
 */
#include "server/api/resources.h"

#include <string.h>

static const ddb_res_member members[] = {
#define R(OP, PATH, KIND, ACTS) {DDB_OP_##OP, PATH, DDB_RES_##KIND, DDB_RES_##ACTS},
#include "server/api/resources.def"
#undef R
};
#define NMEMBERS (sizeof(members) / sizeof(members[0]))

/* Per operation, its rows [first, first + count) (an operation's rows stand together in the list:
   test_resources checks it), and its action lists: built once, before any request (a constructor),
   so the request path finds them without a scan. */
static struct {
    unsigned char first, count;
} rows[DDB_OP__COUNT];
static const char *own[DDB_OP__COUNT][2];
static const char *restored[DDB_OP__COUNT][9];

__attribute__((constructor)) static void index_rows(void)
{
    static const char *const rw[] = {"PutItem", "UpdateItem", "DeleteItem", "GetItem", "Query", "Scan",
                                     "BatchWriteItem"};

    _Static_assert(NMEMBERS < 256, "resources.def outgrew its index");
    for (size_t i = NMEMBERS; i-- > 0;) {
        rows[members[i].op].first = (unsigned char)i;
        rows[members[i].op].count++;
    }
    for (int op = 0; op < DDB_OP__COUNT; op++) {
        own[op][0] = restored[op][0] = ddb_op_name((ddb_op)op);
        for (size_t i = 0; i < 7; i++)
            restored[op][i + 1] = rw[i];
    }
}

const ddb_res_member *ddb_res_list(size_t *n)
{
    *n = NMEMBERS;
    return members;
}

const ddb_res_member *ddb_res_of(ddb_op op, size_t *n)
{
    *n = (unsigned)op < DDB_OP__COUNT ? rows[op].count : 0;
    return *n > 0 ? &members[rows[op].first] : NULL;
}

const char *const *ddb_res_action_names(ddb_op op, ddb_res_actions acts)
{
    static const char *const put[] = {"PutItem", NULL}, *const update[] = {"UpdateItem", NULL},
                             *const del[] = {"DeleteItem", NULL}, *const check[] = {"ConditionCheckItem", NULL},
                             *const get[] = {"GetItem", NULL};

    switch (acts) {
    case DDB_RES_PUT: return put;
    case DDB_RES_UPDATE: return update;
    case DDB_RES_DELETE: return del;
    case DDB_RES_CHECK: return check;
    case DDB_RES_GET: return get;
    case DDB_RES_RESTORED: return restored[op];
    case DDB_RES_OP:
    default: return own[op];
    }
}

typedef struct walk {
    const ddb_res_member *m;
    ddb_res_fn fn;
    ddb_res_place_fn place; /* instead of fn: ddb_res_places */
    void *ctx;
    int *named;
} walk;

/* The text of member `i` of `obj`: its value, or its key when `key` (a map's key, "A{}"). */
static int found(walk *w, ddb_json *obj, uint32_t i, int key)
{
    const ddb_json_member *at = &obj->u.members[i];

    *w->named = 1;
    if (w->place != NULL)
        return w->place(w->ctx, w->m, obj, i, key);
    return w->fn(w->ctx, w->m, key ? at->key : at->val->u.s);
}

/* The texts at `path` under member i of `obj` (`end` what follows its name in the path). */
static int visit_member(walk *w, ddb_json *obj, uint32_t i, const char *end);

/* Whether member i of `obj` is followed by another of its name (a handler reads the last). */
static int shadowed(const ddb_json *obj, uint32_t i)
{
    const ddb_json_member *m = &obj->u.members[i];

    for (uint32_t j = i + 1; j < obj->n; j++)
        if (obj->u.members[j].klen == m->klen && memcmp(obj->u.members[j].key, m->key, m->klen) == 0)
            return 1;
    return 0;
}

/*
 * The texts at `path` under v: a member name, "[]" for each element, "{}" for each key. A member
 * sent twice is visited each time: the JSON reader keeps both, and a handler reads the last
 * (ddb_json_get) where this once read the first, so {"TableName": "mine", "TableName": "theirs"}
 * was decided on "mine" and served from "theirs". ddb_res_places visits only the member a
 * handler reads, the last.
 */
static int visit(walk *w, ddb_json *v, const char *path)
{
    const char *end = path + strcspn(path, ".[{");
    size_t n = (size_t)(end - path);
    int rc = 0;

    if (v == NULL || v->type != DDB_JSON_OBJECT)
        return 0;
    for (uint32_t i = 0; i < v->n && rc == 0; i++)
        if (v->u.members[i].klen == n && memcmp(v->u.members[i].key, path, n) == 0 &&
            (w->place == NULL || !shadowed(v, i)))
            rc = visit_member(w, v, i, end);
    return rc;
}

static int visit_member(walk *w, ddb_json *obj, uint32_t i, const char *end)
{
    ddb_json *at = obj->u.members[i].val;
    int rc = 0;

    if (*end == '\0')
        return at->type == DDB_JSON_STRING ? found(w, obj, i, 0) : 0;
    if (end[0] == '{') { /* "A{}": the map's keys */
        for (uint32_t k = 0; at->type == DDB_JSON_OBJECT && k < at->n && rc == 0; k++)
            rc = found(w, at, k, 1);
        return rc;
    }
    if (end[0] == '[') { /* "A[].B": each element */
        for (uint32_t k = 0; at->type == DDB_JSON_ARRAY && k < at->n && rc == 0; k++)
            rc = visit(w, at->u.items[k], end + 3);
        return rc;
    }
    return visit(w, at, end + 1);
}

static int each(ddb_op op, const ddb_json *body, walk *w)
{
    int rc = 0;

    *w->named = 0;
    if ((unsigned)op >= DDB_OP__COUNT)
        return 0;
    for (unsigned i = rows[op].first; i < (unsigned)rows[op].first + rows[op].count && rc == 0; i++) {
        w->m = &members[i];
        if (members[i].kind != DDB_RES_NONE)
            rc = visit(w, (ddb_json *)body, members[i].path);
    }
    return rc;
}

int ddb_res_each(ddb_op op, const ddb_json *body, ddb_res_fn fn, void *ctx, int *named)
{
    walk w = {NULL, fn, NULL, ctx, named};

    return each(op, body, &w);
}

int ddb_res_places(ddb_op op, ddb_json *body, ddb_res_place_fn fn, void *ctx)
{
    int named;
    walk w = {NULL, NULL, fn, ctx, &named};

    return each(op, body, &w);
}
