/*
 * server/api/auth/policy.c: access policies of --auth keys (see auth.h): which operations a key may
 * call and on which resources, refused as IAM refuses them:
 *   AccessDeniedException "User: arn:aws:iam::123456789012:user/alice is not authorized to perform:
 *   dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders because no
 *   identity-based policy allows the dynamodb:PutItem action"
 *
 * Every resource a request names is found from the one list of resource-bearing members
 * (resources.def), resolved to the table it belongs to (a name, a table's, index's or stream's
 * ARN, a backup's ARN, an export's, import's or bulk operation's record, a shard iterator's
 * stream), and decided for the IAM actions the list gives it: the key's rules match the table's
 * name, never the raw text, and the table's resource-based policy is consulted on every path,
 * PartiQL's statements included (ddb_auth_allow). A table's ARN has its owner's account, and a
 * caller of another account is decided as IAM decides a cross-account request (decide); a text that
 * names no table (a malformed ARN, one of another account than the table's owner) is within no
 * tables= pattern. What an import or a bulk put reads is decided by decide_source. An operation that
 * names no resource (ListTables, DescribeLimits, ...) is decided on the action alone, against
 * resource `*`.
 */
#include <fnmatch.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/base/arn.h"
#include "server/api/auth/auth.h"
#include "server/api/auth/rbp.h"
#include "server/api/resources.h"
#include "server/api/validate/validate.h"

#define DEFAULT_ACCOUNT "000000000000"

/*
 * What `allow=read` stands for: the operations flagged DDB_OPF_READ in proto/ops.def, and
 * PartiQL's SELECT (an IAM action that is no operation; ops_partiql.c asks for it).
 */
static int read_action(const char *action)
{
    return strcmp(action, "PartiQLSelect") == 0 ||
           (ddb_op_flags(ddb_op_from_name(action, strlen(action))) & DDB_OPF_READ) != 0;
}

static int action_matches(const char *pattern, const char *action)
{
    if (strncmp(pattern, "dynamodb:", 9) == 0)
        pattern += 9;
    if (strcmp(pattern, "read") == 0)
        return read_action(action);
    return fnmatch(pattern, action, 0) == 0;
}

/* The key's own rules; `table` NULL: an operation on no table, or a text that names no table of
   the caller's account (within no tables= pattern). */
static int allowed(const ddb_auth_key *k, const char *action, const char *table, int any_table)
{
    int ok = k->nallow == 0;

    for (size_t i = 0; i < k->nallow && !ok; i++)
        ok = action_matches(k->allow[i], action);
    if (!ok || k->ntables == 0 || (table == NULL && any_table))
        return ok;
    for (size_t i = 0; table != NULL && i < k->ntables; i++)
        if (fnmatch(k->tables[i], table, 0) == 0)
            return 1;
    return 0;
}

/* One resource, resolved: the table it belongs to (NULL: none of this server's), a stream's label,
   the index it reads (its policy is the table's, its ARN table/T/index/I), the text that named it
   and the account its ARN names (NULL: a name); then, looked up once (settle), the table's
   resource-based policy and its owner account (NULL: no such table). */
typedef struct resource {
    const char *table, *label, *index, *text, *arn_account;
    const char *doc, *owner;
} resource;

static const char *account_of(const ddb_req *req, const ddb_auth_key *k)
{
    return req->account != NULL ? req->account : k->account ? k->account : DEFAULT_ACCOUNT;
}

static const char *caller_account(const ddb_auth_key *k)
{
    return k->account ? k->account : DEFAULT_ACCOUNT;
}

/* The table's ARN with its owner's account (the same for every caller, as DescribeTable gives it),
   or the caller's for a table that does not exist. */
static const char *table_arn(ddb_req *req, const ddb_auth_key *k, const resource *r)
{
    return ddb_arn_table(req->arena, req->region, r->owner ? r->owner : account_of(req, k), r->table,
                         r->label ? "stream" : NULL, r->label);
}

static const char *user_arn(ddb_req *req, const ddb_auth_key *k)
{
    return ddb_arena_sprintf(req->arena, "arn:aws:iam::%s:user/%s", k->account ? k->account : DEFAULT_ACCOUNT,
                             k->user ? k->user : k->access_key);
}

/* A table's name from a name or an ARN (its account into *account, checked against the table's
   owner once it is looked up: settle); `sub` the kind of ARN expected under the table ("stream",
   "backup", ...; NULL: the table's own, or an index's when `index_ok`). */
static const char *name_of(ddb_req *req, const char *text, const char *sub, int index_ok, const char **label,
                           const char **account)
{
    ddb_arn a;

    *label = NULL;
    if (!ddb_arn_like(text, strlen(text)))
        return sub == NULL ? text : NULL;
    if (ddb_arn_split(text, strlen(text), &a) != 0 || !ddb_arn_type_is(&a, "table"))
        return NULL;
    *account = ddb_arena_strndup(req->arena, a.account, a.account_len);
    if (sub != NULL ? !ddb_arn_is(&a, sub) : a.sub != NULL && !(index_ok && ddb_arn_is(&a, "index")))
        return NULL;
    if (sub != NULL && strcmp(sub, "stream") == 0)
        *label = ddb_arena_strndup(req->arena, a.id, a.id_len);
    return ddb_arena_strndup(req->arena, a.name, a.name_len);
}

/*
 * The table's policy and owner, looked up once per resource. An ARN names the table only with its
 * owner's account (a table that does not exist: the caller's); with another it names no table of
 * this server, and is within no tables= pattern.
 */
static void settle(ddb_req *req, const ddb_auth_key *k, resource *r)
{
    const ddb_auth_lookups *l = req->lookups;

    if (r->table != NULL && l != NULL && l->policy_of != NULL)
        r->doc = l->policy_of(req, r->table, r->label, &r->owner);
    if (r->table != NULL && r->arn_account != NULL &&
        strcmp(r->arn_account, r->owner != NULL ? r->owner : account_of(req, k)) != 0)
        r->table = r->doc = r->owner = NULL;
}

static void resolve(ddb_req *req, const ddb_auth_key *k, ddb_res_kind kind, const char *text, resource *r)
{
    const ddb_auth_lookups *l = req->lookups;
    const char *label = NULL, *account = NULL;

    switch (kind) {
    case DDB_RES_TABLE:
    case DDB_RES_GLOBAL: r->table = name_of(req, text, NULL, 0, &label, &account); break;
    case DDB_RES_ARN: /* a table's, an index's or a stream's */
        if ((r->table = name_of(req, text, NULL, 1, &label, &account)) == NULL || !ddb_arn_like(text, strlen(text)))
            r->table = name_of(req, text, "stream", 0, &label, &account);
        break;
    case DDB_RES_STREAM: r->table = name_of(req, text, "stream", 0, &label, &account); break;
    case DDB_RES_BACKUP: r->table = name_of(req, text, "backup", 0, &label, &account); break;
    case DDB_RES_XFER:
    case DDB_RES_ITERATOR: r->table = l != NULL && l->owner_of ? l->owner_of(req, kind, text, &label) : NULL; break;
    default: r->table = NULL; break;
    }
    r->label = label;
    r->text = text;
    r->arn_account = account;
}

/* The ARN a decision on r evaluates policies against and its refusal names: the table's (or its
   stream's), else the text as sent. Built only then: a request allowed by its key's rules alone
   formats nothing. */
static const char *arn_of(ddb_req *req, const ddb_auth_key *k, const resource *r)
{
    if (r->table != NULL && r->index != NULL)
        return ddb_arena_sprintf(req->arena, "%s/index/%s", table_arn(req, k, r), r->index);
    return r->table != NULL ? table_arn(req, k, r) : r->text;
}

static int deny(ddb_req *req, const ddb_auth_key *k, const char *action, const char *arn)
{
    return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                        "User: %s is not authorized to perform: dynamodb:%s on resource: %s because no "
                        "identity-based policy allows the dynamodb:%s action",
                        user_arn(req, k), action, arn ? arn : "*", action);
}

/*
 * One action on one resource, as IAM evaluates it ("Policy evaluation logic", and "Cross-account
 * policy evaluation logic"): an explicit Deny of its table's (or stream's) policy refuses it,
 * whoever asks. A caller of the table's owner account is then granted by its key's own rules or
 * the policy's Allow; a caller of another account (a table another account created, shared
 * without --namespaces) needs both: the policy's Allow naming it and its key's own rules, and is
 * refused as IAM refuses a cross-account request no resource-based policy allows. Without
 * --namespaces a table is the same table in every region, so its policy's Resource is matched
 * whatever region it names or the request is signed for.
 */
static int decide(const ddb_auth_key *k, ddb_req *req, const char *action, const resource *r)
{
    ddb_rbp_decision d = DDB_RBP_NONE;
    int cross = r->owner != NULL && strcmp(r->owner, caller_account(k)) != 0, own;

    if (r->doc != NULL) {
        ddb_rbp_caller c = {caller_account(k), user_arn(req, k)};
        const char *arn = arn_of(req, k, r);
        d = ddb_rbp_decide(req->arena, r->doc, &c, ddb_arena_sprintf(req->arena, "dynamodb:%s", action), arn,
                           !req->lookups->namespaces);
        if (d == DDB_RBP_DENY)
            return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                                "User: %s is not authorized to perform: dynamodb:%s on resource: %s with an explicit "
                                "deny in a resource-based policy",
                                c.arn, action, arn);
    }
    own = allowed(k, action, r->table, 0);
    if (cross ? d == DDB_RBP_ALLOW && own : d == DDB_RBP_ALLOW || own)
        return DDB_OK;
    if (cross && d != DDB_RBP_ALLOW)
        return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                            "User: %s is not authorized to perform: dynamodb:%s on resource: %s because no "
                            "resource-based policy allows the dynamodb:%s action",
                            user_arn(req, k), action, arn_of(req, k, r), action);
    return deny(req, k, action, arn_of(req, k, r));
}

int ddb_auth_caller(const ddb_auth *a, ddb_req *req, ddb_rbp_caller *out)
{
    const ddb_auth_key *k = a != NULL && req->access_key != NULL ? ddb_auth_key_of(a, req->access_key) : NULL;

    if (k == NULL)
        return -1;
    out->account = caller_account(k);
    out->arn = user_arn(req, k);
    return 0;
}

int ddb_auth_allow(const ddb_auth *a, ddb_req *req, const char *action, const char *table, const char *index)
{
    const ddb_auth_key *k = ddb_auth_key_of(a, req->access_key);
    resource r = {0};

    if (k == NULL)
        return DDB_OK;
    if (table == NULL)
        return allowed(k, action, NULL, 1) ? DDB_OK : deny(req, k, action, NULL);
    resolve(req, k, DDB_RES_TABLE, table, &r);
    settle(req, k, &r);
    r.index = index;
    return decide(k, req, action, &r);
}

/* `s` against a buckets= pattern: `*` any run of characters ('/' included), `?` one; no classes:
   IAM's wildcard, as a policy's Resource uses it, letters compared as they are. */
static int glob(const char *p, const char *s)
{
    return ddb_rbp_wild(p, NULL, s, 0);
}

/* The key's buckets= over the bucket (a pattern without '/') or the bucket/prefix place. */
static int bucket_allowed(ddb_req *req, const ddb_auth_key *k, const char *bucket, const char *prefix)
{
    const char *place = NULL;

    for (size_t i = 0; i < k->nbuckets; i++) {
        if (strchr(k->buckets[i], '/') == NULL) {
            if (glob(k->buckets[i], bucket))
                return 1;
            continue;
        }
        if (place == NULL)
            place = ddb_arena_sprintf(req->arena, "%s/%s", bucket, prefix);
        if (glob(k->buckets[i], place))
            return 1;
    }
    return 0;
}

/*
 * What an import or a bulk put reads (a SOURCE row: the bucket, and the S3KeyPrefix beside it), as
 * s3:GetObject on it would decide in AWS, where ddbd has no S3 identity (issue 51, finding 4): the
 * files of an export belong to its table, so every export whose place overlaps the read is decided
 * for GetItem and Scan on its table, like any read of that table (its key rules, its resource-based
 * policy, its owner); anything else the read may reach needs the key's buckets= or rights=admin.
 */
static int decide_source(const ddb_auth_key *k, ddb_req *req, const ddb_json *body, const ddb_res_member *m,
                         const char *bucket)
{
    static const char *const reads[] = {"GetItem", "Scan"};
    const ddb_auth_lookups *l = req->lookups;
    const char *dot = strchr(m->path, '.');
    const ddb_json *at = dot ? ddb_json_get(body, ddb_arena_strndup(req->arena, m->path, (size_t)(dot - m->path)))
                             : body;
    const char *prefix = ddb_json_get_str(at, "S3KeyPrefix");
    ddb_auth_export *x = NULL;
    size_t n = 0;
    int inside;

    prefix = prefix != NULL ? prefix : "";
    inside = l != NULL && l->sources_of != NULL ? l->sources_of(req, bucket, prefix, &x, &n) : 0;
    for (size_t i = 0; i < n; i++) {
        resource r = {0};
        if (x[i].other_ns) /* another namespace's table: no policy of it reaches this one */
            return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                                "User: %s is not authorized to perform: dynamodb:%s on resource: %s because no "
                                "resource-based policy allows the dynamodb:%s action",
                                user_arn(req, k), reads[0], x[i].arn, reads[0]);
        resolve(req, k, DDB_RES_TABLE, x[i].table, &r);
        settle(req, k, &r);
        for (size_t j = 0; j < sizeof(reads) / sizeof(reads[0]); j++)
            if (decide(k, req, reads[j], &r) != DDB_OK)
                return req->err.code;
    }
    if (inside || (k->rights & DDB_RIGHT_ADMIN) || bucket_allowed(req, k, bucket, prefix))
        return DDB_OK;
    return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                        "User: %s is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::%s/%s* because "
                        "no identity-based policy allows the s3:GetObject action",
                        user_arn(req, k), bucket, prefix);
}

typedef struct each_ctx {
    const ddb_auth_key *k;
    ddb_req *req;
    const ddb_json *body;
    int read_index; /* an INDEX row was decided: its TableName row is not (IAM decides the index alone) */
} each_ctx;

static int decide_member(void *ctx, const ddb_res_member *m, const char *text)
{
    each_ctx *c = ctx;
    resource r = {0};

    if (m->kind == DDB_RES_STATEMENT) /* decided by the handler, once parsed */
        return 0;
    if (m->kind == DDB_RES_SOURCE)
        return decide_source(c->k, c->req, c->body, m, text) != DDB_OK ? c->req->err.code : 0;
    if (m->kind == DDB_RES_TABLE && c->read_index)
        return 0;
    if (m->kind == DDB_RES_INDEX) {
        const ddb_json *t = ddb_json_get(c->body, "TableName");
        if (t == NULL || t->type != DDB_JSON_STRING) /* refused by validation: no table, nothing read */
            return 0;
        resolve(c->req, c->k, DDB_RES_TABLE, t->u.s, &r);
        r.index = text;
        c->read_index = 1;
    } else {
        resolve(c->req, c->k, m->kind, text, &r);
    }
    if (m->kind == DDB_RES_ITERATOR && r.table == NULL) /* not an iterator of this server: refused as one */
        return 0;
    settle(c->req, c->k, &r);
    for (const char *const *act = ddb_res_action_names(m->op, m->actions); *act != NULL; act++)
        if (decide(c->k, c->req, *act, &r) != DDB_OK)
            return c->req->err.code;
    return 0;
}

int ddb_auth_authorize(const ddb_auth *a, ddb_req *req, int op, const ddb_json *body)
{
    const ddb_auth_key *k = ddb_auth_key_of(a, req->access_key);
    each_ctx c = {k, req, body, 0};
    int named = 0, rc;

    if (k == NULL || (k->nallow == 0 && k->ntables == 0 && (req->lookups == NULL || req->lookups->policy_of == NULL)))
        return DDB_OK;
    if (body != NULL && body->type == DDB_JSON_OBJECT &&
        (rc = ddb_res_each((ddb_op)op, body, decide_member, &c, &named)) != 0)
        return rc;
    if (!named && !(ddb_op_flags((ddb_op)op) & DDB_OPF_POLICY_IN_HANDLER) && !allowed(k, ddb_op_name(op), NULL, 1))
        return deny(req, k, ddb_op_name(op), NULL);
    return DDB_OK;
}
