/*
 * server/api/auth/rbp_match.c: the matching IAM's policies use (see rbp.h): its two wildcards, ARNs
 * field by field, element names case-folded. Shared by the evaluator (rbp.c, rbp_condition.c) and
 * the grammar (rbp_grammar.c, validate_policy.c).
 */
#include <string.h>
#include <strings.h>

#include "server/api/auth/rbp.h"

const ddb_json *ddb_rbp_member(const ddb_json *obj, const char *name)
{
    for (uint32_t i = 0; obj != NULL && obj->type == DDB_JSON_OBJECT && i < obj->n; i++)
        if (strcasecmp(obj->u.members[i].key, name) == 0)
            return obj->u.members[i].val;
    return NULL;
}

static int same(char p, char t, int nocase)
{
    if (nocase && p >= 'A' && p <= 'Z')
        p = (char)(p - 'A' + 'a');
    if (nocase && t >= 'A' && t <= 'Z')
        t = (char)(t - 'A' + 'a');
    return p == t;
}

/* Whether the pattern character at p is the wildcard w (not one a variable made literal). */
#define WILD(p, w) (*(p) == (w) && (lit == NULL || !lit[(p) - p0]))

/* The glob of one field: [p0, pe) against [t, te), lit (or NULL) p0's mask. The last `*` seen is
   retried one character further on a mismatch (a match never needs an earlier star moved):
   len(pattern) x len(text) steps at worst, no recursion. */
static int wild_n(const char *p0, const char *pe, const char *lit, const char *t, const char *te, int nocase)
{
    const char *p = p0, *star = NULL, *resume = NULL;

    while (t < te) {
        if (p < pe && WILD(p, '*')) {
            star = p++;
            resume = t;
        } else if (p < pe && (WILD(p, '?') || same(*p, *t, nocase))) {
            p++;
            t++;
        } else if (star != NULL) {
            p = star + 1;
            t = ++resume;
        } else {
            return 0;
        }
    }
    while (p < pe && WILD(p, '*'))
        p++;
    return p == pe;
}

int ddb_rbp_wild(const char *pattern, const char *lit, const char *text, int nocase)
{
    return wild_n(pattern, pattern + strlen(pattern), lit, text, text + strlen(text), nocase);
}

/* The six fields of an ARN: starts in f[0..5], f[6] one past the end; 0 when it has fewer. */
static int arn_fields(const char *s, const char *f[7])
{
    f[0] = s;
    for (int i = 1; i < 6; i++) {
        const char *c = strchr(f[i - 1], ':');
        if (c == NULL)
            return 0;
        f[i] = c + 1;
    }
    f[6] = f[5] + strlen(f[5]) + 1;
    return 1;
}

int ddb_rbp_arn_match(const char *pattern, const char *lit, const char *arn, int any_region)
{
    const char *p[7], *t[7];

    if (strcmp(pattern, "*") == 0 && (lit == NULL || !lit[0]))
        return 1;
    if (!arn_fields(pattern, p) || !arn_fields(arn, t))
        return 0;
    for (int i = 0; i < 6; i++)
        if (!(any_region && i == 3) &&
            !wild_n(p[i], p[i + 1] - 1, lit != NULL ? lit + (p[i] - pattern) : NULL, t[i], t[i + 1] - 1, 0))
            return 0;
    return 1;
}
