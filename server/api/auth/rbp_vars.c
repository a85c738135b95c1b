/*
 * server/api/auth/rbp_vars.c: IAM's policy variables in a resource-based policy (see rbp.h).
 *
 * The IAM user guide's "IAM policy elements: Variables and tags": a document whose Version is
 * 2012-10-17 may hold `${key}` in the resource part of a Resource (after the ARN's fifth colon)
 * and in the values of the String and Arn condition operators; when a statement is evaluated,
 * each is replaced by the request's value of that context key (key names case-insensitive), or
 * by its default, `${key, 'text'}` ('' a quote in the text). A key the request does not hold and
 * no default: "any attempt to match it fails and causes the statement to be invalid" (rbp.c: the
 * statement does not apply). `${*}`, `${?}` and `${$}` are the characters themselves, never
 * wildcards; neither is anything a variable puts in (ddb_rbp_text's mask). Under another
 * Version, "variables like ${aws:username} are treated as literal strings". A `${` that forms no
 * variable (unclosed, no key, a default without its quotes) is refused at PutResourcePolicy, and
 * read as text in a document stored before. The keys a ddbd request holds are ddb_rbp_key_value's (also the conditions'); a
 * variable of any other key is refused at PutResourcePolicy (ddb_rbp_var_unknown), as a
 * condition on it is: unsubstituted, a Deny using it would deny no one.
 */
#include <string.h>
#include <strings.h>

#include "proto/buf.h"
#include "server/api/auth/auth.h"
#include "server/api/auth/rbp.h"

#define MAX_KEY 128

/* Keys IAM never puts in the context of a user's own request: known, and always absent. */
static const char *const ABSENT[] = {
    "aws:PrincipalOrgID",     "aws:PrincipalOrgPaths",    "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:SourceAccount",      "aws:SourceArn",            "aws:SourceVpc",            "aws:SourceVpce",
    "aws:SourceOrgID",        "aws:SourceOrgPaths",       "aws:Ec2InstanceSourceVpc", NULL};

/* The context of a request signed by an --auth key (docs/security.md's table). */
const char *ddb_rbp_key_value(const ddb_rbp_caller *c, const char *key, int *known)
{
    const char *user = c != NULL ? strstr(c->arn, ":user/") : NULL;

    *known = 1;
    if (strcasecmp(key, "aws:PrincipalAccount") == 0)
        return c ? c->account : "";
    if (strcasecmp(key, "aws:PrincipalArn") == 0)
        return c ? c->arn : "";
    if (strcasecmp(key, "aws:username") == 0)
        return user != NULL ? user + 6 : "";
    if (strcasecmp(key, "aws:PrincipalType") == 0)
        return "User";
    if (strcasecmp(key, "aws:PrincipalIsAWSService") == 0)
        return "false";
    for (int i = 0; ABSENT[i] != NULL; i++)
        if (strcasecmp(key, ABSENT[i]) == 0)
            return NULL;
    *known = 0;
    return NULL;
}


size_t ddb_rbp_resource_part(const char *arn)
{
    const char *p = arn;

    for (int i = 0; i < 5; i++) {
        if ((p = strchr(p, ':')) == NULL)
            return strlen(arn);
        p++;
    }
    return (size_t)(p - arn);
}

/* One variable at s ("${..."): its length, 0 when s does not start one (then it is text). *esc:
   the escaped character of ${*} ${?} ${$}, else 0; key [*key, *key + *klen); *def the default's
   opening quote or NULL. */
static size_t parse_var(const char *s, char *esc, const char **key, size_t *klen, const char **def)
{
    const char *p = s + 2;

    *esc = 0;
    *def = NULL;
    if (strchr("*?$", p[0]) != NULL && p[0] != '\0' && p[1] == '}') {
        *esc = p[0];
        return 4;
    }
    *key = p;
    while (*p != '\0' && *p != '}' && *p != ',')
        p++;
    *klen = (size_t)(p - *key);
    if (*klen == 0 || *p == '\0')
        return 0;
    if (*p == ',') {
        for (p++; *p == ' '; p++)
            ;
        if (*p != '\'')
            return 0;
        *def = p++;
        for (; *p != '\0' && !(p[0] == '\'' && p[1] != '\''); p += p[0] == '\'' ? 2 : 1)
            ;
        if (*p != '\'')
            return 0;
        for (p++; *p == ' '; p++)
            ;
        if (*p != '}')
            return 0;
    }
    return (size_t)(p + 1 - s);
}

/* The context value of a variable's key: *known 0 when ddbd does not know the key. */
static const char *key_value(const ddb_rbp_caller *c, const char *key, size_t klen, int *known)
{
    char name[MAX_KEY];

    *known = 0;
    if (klen >= sizeof(name))
        return NULL;
    memcpy(name, key, klen);
    name[klen] = '\0';
    return ddb_rbp_key_value(c, name, known);
}

static void put(ddb_buf *s, ddb_buf *lit, const char *text, size_t n, char literal)
{
    ddb_buf_append(s, text, n);
    for (size_t i = 0; i < n; i++)
        ddb_buf_putc(lit, literal);
}

/* A default's text, '' read as one quote. */
static void put_default(ddb_buf *s, ddb_buf *lit, const char *q)
{
    for (q++; !(q[0] == '\'' && q[1] != '\''); q += q[0] == '\'' ? 2 : 1)
        put(s, lit, q, 1, 1);
}

int ddb_rbp_subst(ddb_arena *a, const ddb_rbp_caller *c, const char *s, size_t from, ddb_rbp_text *out)
{
    ddb_buf b = {0}, lit = {0};
    const char *p = s + from, *run = s;
    int ok = 1;

    out->s = s;
    out->lit = NULL;
    if (strstr(p, "${") == NULL)
        return 1;
    while (ok && (p = strstr(p, "${")) != NULL) {
        const char *key, *def, *v;
        size_t klen = 0, n;
        char esc;
        int known;
        if ((n = parse_var(p, &esc, &key, &klen, &def)) == 0) {
            p += 2;
            continue;
        }
        put(&b, &lit, run, (size_t)(p - run), 0);
        if (esc != 0)
            put(&b, &lit, &esc, 1, 1);
        else if ((v = key_value(c, key, klen, &known)) != NULL)
            put(&b, &lit, v, strlen(v), 1);
        else if (known && def != NULL)
            put_default(&b, &lit, def);
        else
            ok = 0; /* no value, no default: the statement is invalid */
        p += n;
        run = p;
    }
    if (ok) {
        put(&b, &lit, run, strlen(run), 0);
        out->s = ddb_arena_strndup(a, b.data != NULL ? b.data : "", b.len);
        out->lit = ddb_arena_alloc(a, lit.len + 1);
        memcpy((char *)out->lit, lit.data != NULL ? lit.data : "", lit.len + 1);
    }
    ddb_buf_free(&b);
    ddb_buf_free(&lit);
    return ok;
}

const char *ddb_rbp_var_unknown(ddb_arena *a, const char *s, size_t from)
{
    for (const char *p = s + from; (p = strstr(p, "${")) != NULL;) {
        const char *key, *def;
        size_t klen = 0, n;
        char esc;
        int known = 1;
        if ((n = parse_var(p, &esc, &key, &klen, &def)) == 0) /* (IAM's pages give it no reading) */
            return ddb_arena_sprintf(a, "the policy variable '%s'", p);
        if (esc == 0)
            (void)key_value(NULL, key, klen, &known);
        if (!known)
            return ddb_arena_sprintf(a, "the policy variable '%.*s'", (int)n, p);
        p += n;
    }
    return NULL;
}
