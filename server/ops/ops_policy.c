/*
 * server/ops/ops_policy.c: PutResourcePolicy, GetResourcePolicy and DeleteResourcePolicy.
 *
 * A table has one policy slot and each of its streams one (DynamoDB: separate documents and
 * revision ids); they are the table description's "ddbdPolicies" (engine/catalog/catalog_edit.h:
 * ddb_edit_policies), so a policy goes with its table when the table is deleted, and a change is a
 * compare-and-swap edit of the description, recomputed from the winner when it loses a race.
 * CreateTable's ResourcePolicy fills the table's slot (table_create.c). DescribeTable shows none.
 *
 * DynamoDB, as captured (docs/compatibility.md, "Resource-based policies"):
 *  - a revision id is the epoch milliseconds of the change, in decimal; putting the document the
 *    slot already holds changes nothing and answers its revision id (ddbd compares the text);
 *  - ExpectedRevisionId "NO_POLICY" puts only into an empty slot; another value only over that
 *    revision; a mismatch is PolicyNotFoundException with the texts below;
 *  - DeleteResourcePolicy answers the removed policy's revision id, and {} for an empty slot;
 *  - a missing table is ResourceNotFoundException "Requested resource not found: Table: T not
 *    found"; a stream the table does not have, "... Stream: L not found for Table: T".
 * Differences (documented): DynamoDB refuses a second change within 15 s (ResourceInUse, then
 * ThrottlingException) and applies a change after ~2 s; ddbd applies each at once.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/base/clock.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/api/auth/auth.h"
#include "server/api/validate/validate.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"
#include "server/ops/optable.h"

#define MAX_TRIES 16
#define NOT_FOUND "Resource-based policy not found for the provided ResourceArn: "

typedef struct policy_op {
    ddb_req *req;
    const char *arn;
    ddb_policy_target tgt;
    const char *doc;      /* Put: the document; Delete: NULL */
    const char *expected; /* ExpectedRevisionId, or NULL */
    const char *revision; /* out: the revision id to answer, or NULL */
} policy_op;

/* The table (and stream) the ARN names, or NULL with ResourceNotFoundException recorded. */
static const ddb_table *target_table(ddb_req *req, const ddb_policy_target *tgt)
{
    const ddb_table *t = ddb_table_named(req, tgt->table);

    /* the ARN has the caller's account (ddb_policy_arn_split): a table another account owns is not
       the table it names (without --namespaces the two share the name) */
    if (t == NULL || strcmp(ddb_table_account(t), req->account != NULL ? req->account : DDB_DEFAULT_ACCOUNT) != 0) {
        ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found", tgt->table);
        return NULL;
    }
    if (tgt->stream_label != NULL && (t->stream.label == NULL || strcmp(t->stream.label, tgt->stream_label) != 0)) {
        ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Stream: %s not found for Table: %s",
                     tgt->stream_label, tgt->table);
        return NULL;
    }
    return t;
}

/* The slot's name in "ddbdPolicies": "" for the table, "stream/<label>" for a stream. */
static const char *slot_of(ddb_req *req, const ddb_policy_target *tgt)
{
    return tgt->stream_label == NULL ? "" : ddb_arena_sprintf(req->arena, "stream/%s", tgt->stream_label);
}

static long find(const ddb_policy *p, size_t n, const char *slot)
{
    for (size_t i = 0; i < n; i++)
        if (p[i].resource != NULL && strcmp(p[i].resource, slot) == 0)
            return (long)i;
    return -1;
}

/* What the mismatch texts call the resource: "table T" or "stream L". */
static const char *what(ddb_req *req, const ddb_policy_target *tgt)
{
    return tgt->stream_label == NULL ? ddb_arena_sprintf(req->arena, "table %s", tgt->table)
                                     : ddb_arena_sprintf(req->arena, "stream %s", tgt->stream_label);
}

/* ExpectedRevisionId against the slot (cur: its policy or NULL): 0, or -2 with the error recorded. */
static int expect(policy_op *o, const ddb_policy *cur)
{
    if (o->expected == NULL)
        return 0;
    if (strcmp(o->expected, "NO_POLICY") == 0 && o->doc != NULL) {
        if (cur == NULL)
            return 0;
        ddb_req_fail(o->req, DDB_E_POLICY_NOT_FOUND,
                     NOT_FOUND "Requested policy update expecting none to be present for %s, but a policy exists "
                               "with revision id %s.", what(o->req, &o->tgt), cur->revision);
        return -2;
    }
    if (cur == NULL) {
        ddb_req_fail(o->req, DDB_E_POLICY_NOT_FOUND,
                     NOT_FOUND "Requested update for policy with revision id %s, but %s has no associated policy.",
                     o->expected, what(o->req, &o->tgt));
        return -2;
    }
    if (strcmp(cur->revision, o->expected) != 0) {
        ddb_req_fail(o->req, DDB_E_POLICY_NOT_FOUND,
                     NOT_FOUND "Requested update for policy with revision id %s, but the policy associated to target "
                               "%s has revision id %s.", o->expected, what(o->req, &o->tgt), cur->revision);
        return -2;
    }
    return 0;
}

/* A revision id after `prev` (ids are change times in ms; two changes in one ms still differ). */
static const char *next_revision(ddb_req *req, const char *prev)
{
    unsigned long long now = (unsigned long long)ddb_clock_now_ms(), last = prev ? strtoull(prev, NULL, 10) : 0;

    return ddb_arena_sprintf(req->arena, "%llu", now > last ? now : last + 1);
}

static int policy_edit(void *ctx, ddb_desc_edit **e)
{
    policy_op *o = ctx;
    const ddb_table *t = target_table(o->req, &o->tgt);
    const char *slot = slot_of(o->req, &o->tgt);
    ddb_policy *p;
    size_t n;
    long at;

    if (t == NULL)
        return -2;
    n = ddb_table_policies(t, o->req->arena, 1, &p);
    at = find(p, n, slot);
    if (expect(o, at >= 0 ? &p[at] : NULL) != 0)
        return -2;
    if (o->doc == NULL) { /* Delete */
        o->revision = at >= 0 ? p[at].revision : NULL;
        if (at < 0)
            return DDB_EDIT_NONE;
        memmove(&p[at], &p[at + 1], (n - (size_t)at - 1) * sizeof(*p));
        n--;
    } else if (at >= 0 && strcmp(p[at].doc, o->doc) == 0) {
        o->revision = p[at].revision; /* the same document: nothing changes */
        return DDB_EDIT_NONE;
    } else {
        o->revision = next_revision(o->req, at >= 0 ? p[at].revision : NULL);
        if (at < 0)
            at = (long)n++;
        p[at] = (ddb_policy){slot, o->doc, o->revision};
    }
    *e = ddb_desc_edit_of(o->req->arena, t);
    ddb_edit_policies(*e, p, n);
    return 0;
}

/* Runs the edit and answers {RevisionId} (none when there is none to give). */
static int run(policy_op *o)
{
    ddb_req *req = o->req;
    int rc;

    if (ddb_policy_arn_split(req, o->arn, &o->tgt) != DDB_OK)
        return req->err.code;
    rc = ddb_catalog_edit(req->eng->catalog, MAX_TRIES, policy_edit, o, NULL);
    if (req->err.code != DDB_OK)
        return req->err.code;
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: Table: %s not found",
                            o->tgt.table);
    if (rc != 0)
        return ddb_req_fail_internal(req);
    ddb_jw_obj_begin(&req->out);
    if (o->revision != NULL) {
        ddb_jw_key(&req->out, "RevisionId");
        ddb_jw_str(&req->out, o->revision);
    }
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}

/*
 * With --auth: a document that would deny its own writer PutResourcePolicy is refused unless
 * ConfirmRemoveSelfResourceAccess is true (DynamoDB's self-lockout check; the account's root keeps
 * DeleteResourcePolicy, which ddbd's keys, users of the account, do not need: they are not denied it
 * by such a policy alone).
 */
static int self_lockout(ddb_req *req, const char *arn, const char *doc)
{
    const ddb_json *confirm = ddb_json_get(req->in, "ConfirmRemoveSelfResourceAccess");
    ddb_rbp_caller c;

    if ((confirm != NULL && confirm->type == DDB_JSON_BOOL && confirm->u.b) || req->auth == NULL ||
        ddb_auth_caller(req->auth, req, &c) != 0)
        return DDB_OK;
    if (ddb_rbp_decide(req->arena, doc, &c, "dynamodb:PutResourcePolicy", arn, !req->lookups->namespaces) == DDB_RBP_DENY)
        return ddb_req_fail(req, DDB_E_ACCESS_DENIED,
                            "The new resource policy will not allow you to update the resource policy in the future.");
    return DDB_OK;
}

int ddb_op_put_resource_policy(ddb_req *req)
{
    policy_op o = {req, ddb_json_get_str(req->in, "ResourceArn"), {0}, ddb_json_get_str(req->in, "Policy"),
                   ddb_json_get_str(req->in, "ExpectedRevisionId"), NULL};

    if (self_lockout(req, o.arn, o.doc) != DDB_OK)
        return req->err.code;
    return run(&o);
}

int ddb_op_delete_resource_policy(ddb_req *req)
{
    policy_op o = {req, ddb_json_get_str(req->in, "ResourceArn"), {0}, NULL,
                   ddb_json_get_str(req->in, "ExpectedRevisionId"), NULL};

    return run(&o);
}

const char *ddb_resource_policy_of(ddb_req *req, const char *table, const char *stream_label, const char **owner)
{
    const ddb_table *t = ddb_catalog_get(req->eng->catalog, ddb_ns_key(req->arena, req->ns, table));
    ddb_policy_target tgt = {table, stream_label};
    ddb_policy *p;
    size_t n;
    long at;

    *owner = t != NULL ? ddb_table_account(t) : NULL;
    if (t == NULL)
        return NULL;
    n = ddb_table_policies(t, req->arena, 0, &p);
    at = find(p, n, slot_of(req, &tgt));
    return at >= 0 ? p[at].doc : NULL;
}

int ddb_op_get_resource_policy(ddb_req *req)
{
    const char *arn = ddb_json_get_str(req->in, "ResourceArn");
    ddb_policy_target tgt;
    const ddb_table *t;
    ddb_policy *p;
    size_t n;
    long at;

    if (ddb_policy_arn_split(req, arn, &tgt) != DDB_OK || (t = target_table(req, &tgt)) == NULL)
        return req->err.code;
    n = ddb_table_policies(t, req->arena, 0, &p);
    if ((at = find(p, n, slot_of(req, &tgt))) < 0)
        return ddb_req_fail(req, DDB_E_POLICY_NOT_FOUND, NOT_FOUND "%s", arn);
    ddb_jw_obj_begin(&req->out);
    ddb_jw_key(&req->out, "Policy");
    ddb_jw_str(&req->out, p[at].doc);
    ddb_jw_key(&req->out, "RevisionId");
    ddb_jw_str(&req->out, p[at].revision);
    ddb_jw_obj_end(&req->out);
    return DDB_OK;
}
