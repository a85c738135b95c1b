/*
 * server/engine/report/text.c: the cost report's texts (see text.h).
 */
#include "server/engine/report/text.h"

#include <stdio.h>
#include <string.h>

#include "proto/ops.h"

/* A key prefix of a pattern's text: its bytes then "*" (JSON-escaped by ddb_jw_str). */
static char *shape_text(char *o, const char *prefix, unsigned len)
{
    memcpy(o, prefix, len);
    o[len] = '*';
    return o + len + 1;
}

static const char *const sk_ops[] = {"=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"};

void ddb_usage_pattern_text(const ddb_table *t, const ddb_pattern_key *k, const char **ix, char *buf, size_t size)
{
    char *o = buf;

    *ix = NULL;
    for (unsigned i = 0; k->ix != 0 && i < t->nindexes; i++)
        if (t->indexes[i].id == k->ix)
            *ix = t->indexes[i].name;
    o += snprintf(o, size, "%s%s%s", ddb_op_name((ddb_op)k->op), *ix != NULL ? " " : "", *ix != NULL ? *ix : "");
    if (k->keyed) {
        o = shape_text(o + snprintf(o, 5, " pk="), k->pk, k->pklen);
        if (k->skop < sizeof(sk_ops) / sizeof(sk_ops[0])) {
            o += snprintf(o, 20, " sk %s", sk_ops[k->skop]);
            if (k->skop == 0 || k->skop == 6) /* = and begins_with: the operand's prefix */
                o = shape_text(o + snprintf(o, 2, " "), k->sk, k->sklen);
        }
    }
    *o = 0;
}

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

long ddb_usage_query_decode(const char *q, size_t qlen, char *buf, size_t size)
{
    size_t n = 0;

    for (size_t i = 0; i < qlen; i++) {
        int c = (unsigned char)q[i];
        if (c == '%') {
            if (i + 2 >= qlen || hex(q[i + 1]) < 0 || hex(q[i + 2]) < 0)
                return -1;
            c = hex(q[i + 1]) * 16 + hex(q[i + 2]);
            i += 2;
        } else if (c == '+') {
            c = ' ';
        } else if (c == '&') {
            return -1; /* one parameter */
        }
        if (n == size)
            return -1;
        buf[n++] = (char)c;
    }
    return (long)n;
}

