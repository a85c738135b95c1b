/*
 * server/expr/expr_facts.c: the facts a handler reads from a parsed tree without walking it (the
 * top-level attributes it names, an update's targets and their static types, the path tree),
 * collected once after parsing.
 */
#include "server/expr/expr_internal.h"

#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"

/* ---------------------------------------------------------------- facts */

typedef struct refvec {
    ddb_expr_path_ref *v;
    uint32_t n, cap;
} refvec;

static void ref_push(ddb_arena *a, refvec *rv, const ddb_path *p)
{
    if (p->n == 0 || p->e[0].name == NULL)
        return;
    DDB_ARENA_ROOM(a, rv->v, rv->n, rv->cap, 8);
    rv->v[rv->n++] = (ddb_expr_path_ref){p->e[0].name, p->e[0].nlen, p->n};
}

static void refs_of_tree(ddb_arena *a, refvec *rv, const ddb_node *n)
{
    if (n->kind == NK_PATH)
        ref_push(a, rv, &n->path);
    for (uint32_t i = 0; i < n->nargs; i++)
        refs_of_tree(a, rv, n->args[i]);
}

static void collect_targets(ddb_arena *a, ddb_expr *e)
{
    e->targets = DDB_NEW_ARRAY(a, ddb_expr_target, e->nacts ? e->nacts : 1);
    e->ntargets = e->nacts;
    for (uint32_t i = 0; i < e->nacts; i++) {
        const ddb_action *act = &e->acts[i];
        ddb_expr_target *t = &e->targets[i];

        t->name = act->path.e[0].name;
        t->nlen = act->path.e[0].nlen;
        t->nested = act->path.n > 1;
        t->type = (uint8_t)(act->value ? ddb_node_static_type(act->value) : DDB_T_NONE);
    }
}

void ddb_expr_collect_facts(ddb_arena *a, ddb_expr *e)
{
    refvec rv = {0};

    if (e->root)
        refs_of_tree(a, &rv, e->root);
    for (uint32_t i = 0; i < e->nacts; i++) {
        ref_push(a, &rv, &e->acts[i].path);
        if (e->acts[i].value)
            refs_of_tree(a, &rv, e->acts[i].value);
    }
    for (uint32_t i = 0; i < e->npaths; i++)
        ref_push(a, &rv, &e->paths[i]);
    e->refs = rv.v;
    e->nrefs = rv.n;
    if (e->kind == DDB_EXPR_UPDATE)
        collect_targets(a, e);
    if (e->kind == DDB_EXPR_UPDATE || e->kind == DDB_EXPR_PROJECTION)
        ddb_expr_build_ptree(a, e);
}

size_t ddb_expr_update_targets(const ddb_expr *update, const ddb_expr_target **out)
{
    *out = update ? update->targets : NULL;
    return update ? update->ntargets : 0;
}

size_t ddb_expr_paths(const ddb_expr *e, const ddb_expr_path_ref **out)
{
    *out = e ? e->refs : NULL;
    return e ? e->nrefs : 0;
}

bool ddb_expr_is_legacy(const ddb_expr *e)
{
    return e != NULL && e->legacy;
}
