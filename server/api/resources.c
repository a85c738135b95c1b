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
    void *ctx;
    int *named;
} walk;

static int found(walk *w, const char *text)
{
    *w->named = 1;
    return w->fn(w->ctx, w->m, text);
}

/* The texts at `path` under `at`, the value of a member (`end` what follows its name). */
static int visit_member(walk *w, const ddb_json *at, const char *end);

/*
 * The texts at `path` under v: a member name, "[]" for each element, "{}" for each key. A member
 * sent twice is visited each time: the JSON reader keeps both, and a handler reads the last
 * (ddb_json_get) where this once read the first, so {"TableName": "mine", "TableName": "theirs"}
 * was decided on "mine" and served from "theirs".
 */
static int visit(walk *w, const ddb_json *v, const char *path)
{
    const char *end = path + strcspn(path, ".[{");
    size_t n = (size_t)(end - path);
    int rc = 0;

    if (v == NULL || v->type != DDB_JSON_OBJECT)
        return 0;
    for (uint32_t i = 0; i < v->n && rc == 0; i++)
        if (v->u.members[i].klen == n && memcmp(v->u.members[i].key, path, n) == 0)
            rc = visit_member(w, v->u.members[i].val, end);
    return rc;
}

static int visit_member(walk *w, const ddb_json *at, const char *end)
{
    int rc = 0;

    if (*end == '\0')
        return at->type == DDB_JSON_STRING ? found(w, at->u.s) : 0;
    if (end[0] == '{') { /* "A{}": the map's keys */
        for (uint32_t i = 0; at->type == DDB_JSON_OBJECT && i < at->n && rc == 0; i++)
            rc = found(w, at->u.members[i].key);
        return rc;
    }
    if (end[0] == '[') { /* "A[].B": each element */
        for (uint32_t i = 0; at->type == DDB_JSON_ARRAY && i < at->n && rc == 0; i++)
            rc = visit(w, at->u.items[i], end + 3);
        return rc;
    }
    return visit(w, at, end + 1);
}

int ddb_res_each(ddb_op op, const ddb_json *body, ddb_res_fn fn, void *ctx, int *named)
{
    int rc = 0;

    *named = 0;
    if ((unsigned)op >= DDB_OP__COUNT)
        return 0;
    for (unsigned i = rows[op].first; i < (unsigned)rows[op].first + rows[op].count && rc == 0; i++) {
        walk w = {&members[i], fn, ctx, named};
        if (members[i].kind != DDB_RES_NONE)
            rc = visit(&w, body, members[i].path);
    }
    return rc;
}
