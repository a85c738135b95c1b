/*
 * server/seed/seed_print.c: ddbd --seed-requests FILE|DIR: the requests a seed makes, printed instead of
 * applied, one JSON object a line ({"op": "CreateTable", "request": {...}}, then the calls after it,
 * then a PutItem or DeleteItem per item; a replica in another region marked {"replica": REGION}), so
 * the test fixtures (integrations/) can send them to
 * their worker's own namespace through the SDK, where --seed loads the default one. The files are
 * read as --seed reads them (seed_files.c, seed_template.h: warnings and errors alike); the
 * requests are checked by the server they are sent to, as any client's.
 */
#include <stdio.h>
#include <string.h>

#include "proto/json.h"
#include "server/base/log.h"
#include "server/seed/readers/seed_files.h"
#include "server/seed/seed.h"

typedef struct printer {
    ddb_buf line;
    unsigned long errors;
} printer;

static void put(printer *p, const char *op, const char *table, const char *member, const ddb_json *doc,
                const char *replica)
{
    ddb_jw w;

    p->line.len = 0;
    ddb_jw_init(&w, &p->line);
    ddb_jw_obj_begin(&w);
    ddb_jw_key(&w, "op");
    ddb_jw_str(&w, op);
    ddb_jw_key(&w, "request");
    if (member == NULL)
        ddb_jw_json(&w, doc);
    else
        ddb_seed_write_item_request(&w, table, member, doc);
    if (replica != NULL) { /* a replica in another region: a fixture's namespace is one region's */
        ddb_jw_key(&w, "replica");
        ddb_jw_str(&w, replica);
    }
    ddb_jw_obj_end(&w);
    ddb_buf_putc(&p->line, '\n');
    fwrite(p->line.data, 1, p->line.len, stdout);
}

static int on_table(void *ctx, const seed_record *r)
{
    if (r->kind == SEED_VIEW) /* (a model's view: no request) */
        return 0;
    put(ctx, "CreateTable", NULL, NULL, r->doc, NULL);
    for (uint32_t i = 0; r->after != NULL && i < r->after->n; i++) {
        const ddb_json *call = r->after->u.items[i];
        put(ctx, ddb_json_get_str(call, "op"), NULL, NULL, ddb_json_get(call, "request"), ddb_json_get_str(call, "replica"));
    }
    return 0;
}

static int on_item(void *ctx, const seed_record *r)
{
    if (r->table == NULL) /* (a .jsonl line naming no table: --seed reports it; so does this) */
        return 0;
    put(ctx, r->kind == SEED_PUT ? "PutItem" : "DeleteItem", r->table, r->kind == SEED_PUT ? "Item" : "Key", r->doc, NULL);
    return 0;
}

static void on_error(void *ctx, const char *path, unsigned line, const char *msg)
{
    ((printer *)ctx)->errors++;
    if (line > 0)
        ddb_log(DDB_LOG_ERROR, "seed: %s:%u: %s", path, line, msg);
    else
        ddb_log(DDB_LOG_ERROR, "seed: %s: %s", path, msg);
}

int ddb_seed_print(const char *const *paths, unsigned n, const char *const *param_args, unsigned nparams)
{
    printer p = {{0}, 0};
    cfn_param params[nparams > 0 ? nparams : 1];
    int rc = 1;

    memset(params, 0, sizeof(params));
    if (ddb_seed_params(param_args, nparams, params) == 0) {
        seed_walk(paths, n, 1, 0, on_table, on_error, &p, params, nparams);
        seed_walk(paths, n, 0, 1, on_item, on_error, &p, params, nparams);
        ddb_seed_params_unused(params, nparams);
        rc = p.errors > 0 || fflush(stdout) != 0 ? 1 : 0;
    }
    ddb_seed_params_free(params, nparams);
    ddb_buf_free(&p.line);
    return rc;
}
