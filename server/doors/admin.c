/*
 * server/doors/admin.c: the admin endpoints (see admin.h): the rows of doors.def, walked. http.c
 * routes /ddbd/ paths here.
 */
#include "server/doors/admin.h"

#include <stdlib.h>
#include <string.h>

#include "server/base/gate.h"
#include "server/doors/clock_door.h"
#include "server/doors/consistency_door.h"
#include "server/doors/door_message.h"
#include "server/doors/faults_door.h"
#include "server/doors/import_door.h"
#include "server/doors/insights_view.h"
#include "server/doors/record_door.h"
#include "server/doors/snapshots_door.h"
#include "server/doors/states_door.h"
#include "server/doors/usage.h"
#include "server/doors/usage_marks.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/xfer/nssnap.h"
#include "server/guard/guard.h"
#include "server/server.h"

/* The cost report's door in the one signature (its own takes its marks and the server's opening time). */
static int usage_door(const ddb_door_call *c, ddb_buf *out)
{
    return ddb_usage_door(c->eng, c->marks, c->srv->opened_ms, c->post, c->path, c->plen, c->body, c->blen, out);
}

/* GET /ddbd/models: what the NoSQL Workbench models given to --seed show of their tables besides
   their items (facets, saved queries: docs/seeding.md), each named with its table and file. */
static int models_door(const ddb_door_call *c, ddb_buf *out)
{
    if (c->post)
        return ddb_door_message(out, 405, "GET /ddbd/models");
    ddb_buf_puts(out, "{\"tables\": ");
    ddb_buf_puts(out, c->srv->seed_views != NULL ? c->srv->seed_views : "[]");
    ddb_buf_putc(out, '}');
    return 200;
}

/* What may follow a row's path (doors.def). */
typedef enum door_match { MATCH_ALONE, MATCH_ANY_REST, MATCH_QUERY_OR_SUB, MATCH_BELOW } door_match;

/* The methods a row takes (doors.def): every door that serves several tells them apart itself. */
typedef enum door_methods { METHODS_ANY, METHODS_POST, METHODS_NOT_POST } door_methods;

/* What the walk holds while a row's door runs (doors.def). */
typedef enum door_hold { HOLD_UNLOCKED, HOLD_LOCKED, HOLD_HELD } door_hold;

typedef struct door_row {
    const char *path;
    size_t len;
    door_match match;
    door_methods methods;
    door_hold hold;
    ddb_door_fn *fn;
} door_row;

/* Every row's guard is the admin door's: the HTTP front sends only /ddbd/ here, and guards it as that
   (http.c: door_of); a row of another kind would need the front to guard its path so first. */
#define DOOR(path, match, methods, hold, guard, fn)                                                                  \
    _Static_assert(DDB_DOOR_##guard == DDB_DOOR_ADMIN, "the HTTP front guards " path " as the admin door");
#include "server/doors/doors.def"
#undef DOOR

static const door_row DOORS[] = {
#define DOOR(path, match, methods, hold, guard, fn)                                                                  \
    {path, sizeof(path) - 1, MATCH_##match, METHODS_##methods, HOLD_##hold, fn},
#include "server/doors/doors.def"
#undef DOOR
};

static int method_taken(door_methods methods, int post)
{
    return methods == METHODS_ANY || (methods == METHODS_POST) == (post != 0);
}

/* Whether `path` (its query too) is the row's, as its match says. */
static int path_matches(const door_row *r, const char *path, size_t plen)
{
    if (plen < r->len || memcmp(path, r->path, r->len) != 0)
        return 0;
    switch (r->match) {
    case MATCH_ALONE:
        return plen == r->len;
    case MATCH_QUERY_OR_SUB:
        return plen == r->len || path[r->len] == '?' || path[r->len] == '/';
    case MATCH_BELOW:
        return plen > r->len;
    default:
        return 1;
    }
}

/* The first row that takes the request, or NULL. */
static const door_row *row_of(int post, const char *path, size_t plen)
{
    for (size_t i = 0; i < sizeof(DOORS) / sizeof(DOORS[0]); i++) {
        if (method_taken(DOORS[i].methods, post) && path_matches(&DOORS[i], path, plen))
            return &DOORS[i];
    }
    return NULL;
}

/* The row's door under what its row holds; no row: the 404 every unknown request gets. */
static int run_row(ddb_admin *adm, const door_row *row, const ddb_door_call *c, ddb_buf *out)
{
    ddb_gate_hold h; /* a HELD door reads tables outside the gate */
    int status;

    if (row != NULL && row->hold == HOLD_UNLOCKED)
        return row->fn(c, out);
    pthread_mutex_lock(&adm->srv->admin_lock); /* (a store's reopen waits meanwhile) */
    if (row != NULL && row->hold == HOLD_LOCKED) {
        status = row->fn(c, out);
    } else {
        ddb_catalog_hold(adm->srv->eng.catalog, &h);
        status = row != NULL ? row->fn(c, out) : ddb_door_message(out, 404, DDB_DOOR_UNKNOWN);
        ddb_catalog_unhold(adm->srv->eng.catalog, &h);
    }
    pthread_mutex_unlock(&adm->srv->admin_lock);
    return status;
}

int ddb_admin_handle(ddb_admin *adm, const char *method, const char *path, size_t plen, const char *body, size_t blen,
                     ddb_buf *out)
{
    int post = strcmp(method, "POST") == 0;
    const door_row *row = row_of(post, path, plen);
    ddb_door_call c = {.srv = adm->srv, .eng = &adm->srv->eng, .api = &adm->srv->api, .nssnaps = &adm->nssnaps,
                       .marks = adm->marks, .method = method, .post = post, .path = path,
                       .plen = plen, .rest = row != NULL ? path + row->len : NULL,
                       .rlen = row != NULL ? plen - row->len : 0, .body = body, .blen = blen};

    return run_row(adm, row, &c, out);
}

void ddb_admin_open(ddb_admin *adm, ddb_server *srv)
{
    const char *budget = getenv("DDBD_USAGE_MARKS_BYTES"); /* (a test's smaller budget: usage_marks.h) */

    *adm = (ddb_admin){.srv = srv, .marks = calloc(1, sizeof(*adm->marks))};
    if (adm->marks == NULL)
        abort();
    adm->marks->budget = budget != NULL && atoll(budget) > 0 ? (size_t)atoll(budget) : 0;
}

void ddb_admin_close(ddb_admin *adm)
{
    if (adm->srv == NULL)
        return;
    ddb_nssnaps_free(adm->nssnaps);
    ddb_usage_marks_free(adm->marks);
    free(adm->marks);
    *adm = (ddb_admin){0};
}
