/*
 * server/api/validate/validate_arn.c: table ARNs where DynamoDB takes a table name.
 *
 * Since 2024 (resource-based policies) every operation that names an existing table accepts its
 * ARN, "arn:<partition>:dynamodb:<region>:<account>:table/<name>", in TableName and as a
 * BatchGetItem/BatchWriteItem RequestItems key. The constraint pass (validate.c) has checked the
 * member's length; here an ARN is resolved, once, into the plain name in the request's own
 * (arena) tree, so every handler and every message after this point sees the name. The
 * transactions' TableName members (TransactItems[].Put, Update, Delete, ConditionCheck, Get) take
 * an ARN too (API reference: "You can also provide the Amazon Resource Name (ARN) of the table").
 * The members are resources.def's (ddb_res_places walks it), the list --auth decides on, so a new
 * operation's TableName is resolved by its row; the request's own TableName is left in req->table,
 * where its handler reads it.
 *
 *  - malformed (not a table ARN, an index or stream ARN, a bad name) or naming another region:
 *    ValidationException "Invalid TableArn: Invalid ResourceArn provided as input <arn>", DynamoDB's
 *    text for a bad table ARN (dynalite's tag validations, and ScyllaDB's test_tag.py quoting
 *    DynamoDB for an index ARN). Another region is refused the same way, as the resource-policy
 *    operations refuse it; not confirmed for data-plane operations (docs/compatibility.md).
 *  - another account: AccessDeniedException in the form DynamoDB uses for a cross-account request
 *    no resource-based policy allows. A table's ARN has its owner's account (the account that
 *    created it, or its namespace's: ddb_table_arn), the same for every caller; an ARN of any other
 *    account names no table of this server and is refused for every member that takes one. A table
 *    that does not exist is named with the caller's account (its --auth key's, the key file's third
 *    column, else 000000000000, DynamoDB Local's). Whether a caller of another account than the
 *    owner's may reach the table is --auth's decision (policy.c), made before this.
 */
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/auth/auth.h"
#include "server/api/resources.h"
#include "server/api/validate/validate_internal.h"
#include "server/base/arn.h"

static int name_ok(const char *s, size_t n)
{
    return n >= 3 && n <= 255 && ddb_v_name_chars_ok(s, n);
}

/* Whether `a` is a table's own ARN (not an index's, a stream's, a global table's) with a good name. */
static int table_arn(const char *s, size_t n, ddb_arn *a)
{
    return ddb_arn_split(s, n, a) == 0 && ddb_arn_type_is(a, "table") && a->sub == NULL && a->path_len == a->name_len &&
           name_ok(a->name, a->name_len);
}

static const char *caller_account(const ddb_req *req)
{
    return req->account != NULL ? req->account : DDB_DEFAULT_ACCOUNT;
}

/* `action` is the IAM action the member is authorized by: the operation's own, or a transaction
   action's (the developer guide, "Using IAM with DynamoDB transactions": Put, Update, Delete and
   Get by PutItem, UpdateItem, DeleteItem and GetItem, ConditionCheck by ConditionCheckItem). */
static int refuse_account(ddb_req *req, const char *arn, size_t n, const char *action)
{
    const char *op = action != NULL ? action : ddb_op_name((ddb_op)req->op);
    ddb_rbp_caller c;

    /* the caller as IAM names it: its --auth key's user (as every other refusal names it), else
       its account's root (no --auth: no user) */
    if (ddb_auth_caller(req->auth, req, &c) != 0)
        c.arn = ddb_arena_sprintf(req->arena, "arn:aws:iam::%s:root", caller_account(req));
    return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                        "User: %s is not authorized to perform: dynamodb:%s on resource: "
                        "%.*s because no resource-based policy allows the dynamodb:%s action",
                        c.arn, op, (int)n, arn, op);
}

static int same_account(const ddb_req *req, const char *account, size_t len)
{
    return len == strlen(caller_account(req)) && memcmp(account, caller_account(req), len) == 0;
}

/* The account table `name` has in its ARNs: its owner's, or the caller's when there is no such
   table. */
static int owner_account(ddb_req *req, const ddb_arn *a)
{
    const char *owner = NULL;

    if (req->lookups != NULL && req->lookups->account_of != NULL)
        owner = req->lookups->account_of(req, ddb_arena_strndup(req->arena, a->name, a->name_len));
    if (owner == NULL)
        return same_account(req, a->account, a->account_len);
    return a->account_len == strlen(owner) && memcmp(a->account, owner, a->account_len) == 0;
}

int ddb_arn_check_account(ddb_req *req, const char *arn, size_t n)
{
    ddb_arn a;

    return ddb_arn_parts(arn, n, &a) != 0 || owner_account(req, &a)
               ? DDB_OK
               : refuse_account(req, arn, n, NULL);
}

const char *ddb_resolve_table_arn(ddb_req *req, const char *arn, size_t n, const char *action)
{
    ddb_arn a;
    const char *region = req->region != NULL && req->region[0] ? req->region : "us-east-1";

    if (!table_arn(arn, n, &a) || a.region_len != strlen(region) || memcmp(a.region, region, a.region_len) != 0) {
        ddb_req_fail(req, DDB_E_VALIDATION, "Invalid TableArn: Invalid ResourceArn provided as input %.*s", (int)n, arn);
        return NULL;
    }
    if (!owner_account(req, &a)) {
        refuse_account(req, arn, n, action);
        return NULL;
    }
    return ddb_arena_strndup(req->arena, a.name, a.name_len);
}

/* The same table twice in RequestItems (by its name and its ARN, or one key twice): one entry, at
   the position of its first mention holding its last, as ddb_v_map_entries reads an object, and
   answered under the key of the entry kept. DynamoDB collapses a name and its ARN so (a suite run
   against DynamoDB, docs/compatibility.md); which of the two keys it answers under is not known. */
static void collapse_items(ddb_json *items, const char **sent)
{
    uint32_t n = 0;

    for (uint32_t i = 0; i < items->n; i++) {
        ddb_json_member *m = &items->u.members[i];
        uint32_t k = 0;
        while (k < n && !(items->u.members[k].klen == m->klen && memcmp(items->u.members[k].key, m->key, m->klen) == 0))
            k++;
        if (sent != NULL)
            sent[k] = sent[i];
        items->u.members[k] = *m;
        n += k == n;
    }
    items->n = n;
}

/*
 * The members that take an existing table's name or its ARN: resources.def's TABLE rows that are a
 * TableName at the top or in a list's element (a transaction's action), or a map's key
 * (RequestItems). The others name a table to be made (ImportTable's TableCreationParameters: an
 * ARN there is refused as a bad name, as CreateTable refuses it) or take the ARN itself (TableArn,
 * SourceTableArn), read by their handlers.
 */
static int takes_arn(const ddb_res_member *m)
{
    size_t n = strlen(m->path);

    if (m->kind != DDB_RES_TABLE)
        return 0;
    if (strcmp(m->path, "TableName") == 0 || (n > 2 && strcmp(m->path + n - 2, "{}") == 0))
        return 1;
    return strstr(m->path, "[].") != NULL && n > 10 && strcmp(m->path + n - 10, ".TableName") == 0;
}

typedef struct resolving {
    ddb_req *req;
    ddb_json *items;    /* RequestItems, once a key of it was seen */
    const char **sent;  /* its keys as sent, where an ARN was resolved (req->items_as_sent) */
} resolving;

/* A RequestItems key resolved in place; its key as sent kept in r->sent. */
static int resolve_key(resolving *r, ddb_json *items, uint32_t i)
{
    ddb_json_member *m = &items->u.members[i];
    const char *plain;

    r->items = items;
    if (!ddb_arn_like(m->key, m->klen))
        return DDB_OK;
    if ((plain = ddb_resolve_table_arn(r->req, m->key, m->klen, NULL)) == NULL)
        return r->req->err.code;
    if (r->sent == NULL)
        r->sent = ddb_arena_calloc(r->req->arena, sizeof(*r->sent) * items->n);
    r->sent[i] = m->key;
    m->key = plain;
    m->klen = (uint32_t)strlen(plain);
    return DDB_OK;
}

/* One resource-bearing member (resources.h's ddb_res_places): a TableName resolved in place (an
   ARN becomes its name; the request's own keeps the ARN in req->table_as_sent and its name in
   req->table for the handler). `action`: the IAM action a transaction's member is authorized by
   (the developer guide, "Using IAM with DynamoDB transactions"); NULL, the operation's own. */
static int resolve_place(void *ctx, const ddb_res_member *m, ddb_json *obj, uint32_t i, int key)
{
    resolving *r = ctx;
    ddb_req *req = r->req;
    ddb_json *name = obj->u.members[i].val;
    const char *plain = NULL;
    int own = strcmp(m->path, "TableName") == 0;

    /* the request's own TableName (every item call's) decided without takes_arn's scans */
    if (!(own ? m->kind == DDB_RES_TABLE : takes_arn(m)))
        return DDB_OK;
    if (key)
        return resolve_key(r, obj, i);
    if (ddb_arn_like(name->u.s, name->n)) {
        const char *action = m->actions == DDB_RES_OP ? NULL : ddb_res_action_names((ddb_op)req->op, m->actions)[0];
        if ((plain = ddb_resolve_table_arn(req, name->u.s, name->n, action)) == NULL)
            return req->err.code;
        if (own)
            req->table_as_sent = name->u.s;
        name->u.s = plain;
        name->n = (uint32_t)strlen(plain);
    }
    if (own)
        req->table = name->u.s;
    return DDB_OK;
}

int ddb_resolve_table_arns(ddb_req *req, const ddb_json *in)
{
    resolving r = {req, NULL, NULL};

    if (ddb_res_places((ddb_op)req->op, (ddb_json *)in, resolve_place, &r) != DDB_OK)
        return req->err.code;
    if (r.items != NULL) {
        collapse_items(r.items, r.sent);
        req->items_as_sent = r.sent;
    }
    return DDB_OK;
}
