/*
 * server/expr/expr_charge.c: what UpdateItem's 400 KB check charges for an UpdateExpression.
 *
 * DynamoDB's standalone UpdateItem does not only cap the finished item at 400 KB: it also sizes
 * the statement, what it writes plus a fixed cost per clause, and refuses it over 409,600 bytes
 * before the condition is evaluated. The key and the attributes the update leaves alone are not
 * in that figure, so at a short key the ceiling falls below 400 KB. The costs below were measured
 * against AWS byte by byte (bisected, every accepted item read back, the next byte refused) by the
 * public conformance suite (tier-3 limits/itemSizeBySurface, eu-west-2, 2026-08 to 2026-10); 31
 * of its 33 regions, us-east-1 among them, apply the rule by the 2026-10-07 sweep. It does not
 * apply to AttributeUpdates, PartiQL UPDATE or a transaction's Update, which size the finished
 * item only.
 *
 *   the update                        3
 *   SET target = operand              19 + target + operand
 *   ADD target :v                     19 + target + :v (a set: only the members it adds)
 *   REMOVE target, DELETE target :v   1 + target (nothing removed is charged)
 *   a target                          its first name, + 4 and the element per later element
 *   a path operand                    1, + 14 and the element per element (the value read is free)
 *   a value operand                   its size, at every use
 *   x + y / x - y                     34 / 37 + both operands
 *   if_not_exists(p, v)               39 + both operands, whether p exists or not
 *   list_append(x, y)                 37 + both operands
 *
 * An element is a name's bytes or a list index's decimal digits.
 */
#include "server/expr/expr_internal.h"

#include <stdio.h>

static size_t element_bytes(const ddb_pelem *e)
{
    char digits[16];

    if (e->kind == PE_INDEX)
        return (size_t)snprintf(digits, sizeof(digits), "%d", (int)e->index);
    return e->nlen;
}

static size_t target_cost(const ddb_path *p)
{
    size_t n = p->n > 0 ? element_bytes(&p->e[0]) : 0;

    for (uint32_t i = 1; i < p->n; i++)
        n += 4 + element_bytes(&p->e[i]);
    return n;
}

static size_t operand_cost(const ddb_node *n)
{
    size_t c = 0;

    switch (n->kind) {
    case NK_PATH:
        c = 1;
        for (uint32_t i = 0; i < n->path.n; i++)
            c += 14 + element_bytes(&n->path.e[i]);
        return c;
    case NK_VALUE:
        return n->value != NULL ? ddb_attr_size(n->value) : 0;
    case NK_ARITH:
        c = n->op == AR_PLUS ? 34 : 37;
        break;
    case NK_FUNC:
        c = n->op == FN_IF_NOT_EXISTS ? 39 : 37; /* if_not_exists; list_append */
        break;
    default:
        break;
    }
    for (uint32_t i = 0; i < n->nargs; i++)
        c += operand_cost(n->args[i]);
    return c;
}

static int is_set(const ddb_attr *v)
{
    return v != NULL && (v->type == DDB_T_SS || v->type == DDB_T_NS || v->type == DDB_T_BS);
}

/* ADD's value: a set added to a set of the item is charged only for the members that are new. */
static size_t added_cost(const ddb_node *value, const ddb_attr *item, const ddb_path *target)
{
    const ddb_attr *v = value->kind == NK_VALUE ? value->value : NULL;
    const ddb_attr *old = item != NULL ? ddb_path_get(item, target) : NULL;
    size_t c = 0;

    if (!is_set(v) || !is_set(old) || old->type != v->type)
        return operand_cost(value);
    for (uint32_t i = 0; i < v->len; i++) {
        int present = 0;
        for (uint32_t j = 0; j < old->len && !present; j++)
            present = ddb_attr_equal(&v->u.items[i], &old->u.items[j]);
        if (!present)
            c += ddb_attr_size(&v->u.items[i]);
    }
    return c;
}

size_t ddb_expr_update_charge(const ddb_expr *update, const ddb_attr *item)
{
    size_t c = 3;

    for (uint32_t i = 0; i < update->nacts; i++) {
        const ddb_action *act = &update->acts[i];

        switch (act->kind) {
        case ACT_SET:
            c += 19 + target_cost(&act->path) + (act->value != NULL ? operand_cost(act->value) : 0);
            break;
        case ACT_ADD:
            c += 19 + target_cost(&act->path) + (act->value != NULL ? added_cost(act->value, item, &act->path) : 0);
            break;
        default: /* REMOVE, DELETE */
            c += 1 + target_cost(&act->path);
            break;
        }
    }
    return c;
}
