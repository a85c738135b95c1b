/*
 * server/ops/ops_tags.c: TagResource, UntagResource and ListTagsOfResource.
 *
 * A table's tags are a member of its description (engine/catalog/catalog_edit.h: ddb_table_tags,
 * ddb_edit_tags), in the order they were first added (CreateTable's Tags first, ops_table.c), so
 * they go with the table when it is deleted. A change is an edit of the description committed
 * compare-and-swap (ddb_catalog_edit), recomputed from the winner when it loses a race, so
 * concurrent tag changes never lose one another. A change that changes nothing writes nothing.
 * The requests were validated first (api/validate/validate_tags.c); the ARN names a table of this region
 * and account.
 *
 * DynamoDB, as captured by a public conformance suite (2026-10): TagResource replaces the value
 * of a key it already has and appends new keys; at most 50 tags, counted after the merge
 * ("Number of Tags exceed the current limit for the provided ResourceArn", ValidationException,
 * and nothing applied); UntagResource of a key the table lacks is accepted; a missing table is
 * ResourceNotFoundException "Requested resource not found: ResourceArn: <arn> not found" (captured
 * for TagResource; assumed for the other two). DynamoDB applies tag changes about two seconds
 * later and refuses a second change meanwhile; ddbd applies them at once.
 *
 * ListTagsOfResource pages by TAGS_PAGE tags. That is the 50-tag limit, so every table's tags fit
 * one page and no NextToken is returned, as DynamoDB answers for 50 tags; a NextToken (the
 * position of the first tag of the page, in decimal) is accepted, and an unknown one refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "server/api/validate/validate.h"
#include "server/base/arn.h"
#include "server/engine/catalog/catalog_edit.h"
#include "server/engine/engine.h"
#include "server/ops/handlers.h"
#include "server/ops/ops_common.h"

#define TAGS_PAGE 50
#define MAX_TRIES 16

/* The table an ARN names (validate_tags.c let through a table's own ARN only), or NULL with
   ResourceNotFoundException. */
static const ddb_table *table_of(ddb_req *req, const char *arn)
{
    ddb_arn a;
    const ddb_table *t = ddb_arn_parts(arn, strlen(arn), &a) == 0 && a.name != NULL
                             ? ddb_table_named(req, ddb_arena_strndup(req->arena, a.name, a.name_len))
                             : NULL;

    if (t == NULL)
        ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found", arn);
    return t;
}

static long find(const ddb_tag *tags, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(tags[i].key, key) == 0)
            return (long)i;
    }
    return -1;
}

/* After the edit loop: 0 answers (an empty body, proto/ops.def), 1 the table went away, else a storage failure. */
static int finish(ddb_req *req, const char *arn, int rc)
{
    if (req->err.code != DDB_OK)
        return req->err.code;
    if (rc == 1)
        return ddb_req_fail(req, DDB_E_RESOURCE_NOT_FOUND, "Requested resource not found: ResourceArn: %s not found",
                            arn);
    if (rc != 0)
        return ddb_req_fail_internal(req);
    return DDB_OK;
}

typedef struct tag_change {
    ddb_req *req;
    const char *arn;
    const ddb_json *list; /* TagResource's Tags, or UntagResource's TagKeys */
} tag_change;

/* The edit that stores tags[n] as t's, or DDB_EDIT_NONE when they did not change. */
static int tags_edit(ddb_req *req, const ddb_table *t, const ddb_tag *tags, size_t n, int changed, ddb_desc_edit **e)
{
    if (!changed)
        return DDB_EDIT_NONE;
    *e = ddb_desc_edit_of(req->arena, t);
    ddb_edit_tags(*e, tags, n);
    return 0;
}

/* The merge into the live table's tags: its edit, DDB_EDIT_NONE, or -2 with the error recorded. */
static int tag_edit(void *ctx, ddb_desc_edit **e)
{
    const tag_change *c = ctx;
    const ddb_json *add = c->list;
    const ddb_table *t = table_of(c->req, c->arn);
    ddb_tag *tags;
    size_t n;
    int changed = 0;

    if (t == NULL)
        return -2;
    n = ddb_table_tags(t, c->req->arena, add->n, &tags);
    for (uint32_t i = 0; i < add->n; i++) {
        const char *key = ddb_json_get_str(add->u.items[i], "Key");
        const char *value = ddb_json_get_str(add->u.items[i], "Value");
        long at = find(tags, n, key);
        if (at < 0) {
            tags[n++] = (ddb_tag){key, value};
            changed = 1;
        } else if (strcmp(tags[at].value, value) != 0) {
            tags[at].value = value;
            changed = 1;
        }
    }
    if (n > DDB_MAX_TAGS) {
        ddb_req_fail(c->req, DDB_E_VALIDATION, DDB_TAGS_OVER_LIMIT);
        return -2;
    }
    return tags_edit(c->req, t, tags, n, changed, e);
}

int ddb_op_tag_resource(ddb_req *req)
{
    tag_change c = {req, ddb_json_get_str(req->in, "ResourceArn"), ddb_json_get(req->in, "Tags")};

    return finish(req, c.arn, ddb_catalog_edit(req->eng->catalog, MAX_TRIES, tag_edit, &c, NULL));
}

static int untag_edit(void *ctx, ddb_desc_edit **e)
{
    const tag_change *c = ctx;
    const ddb_json *keys = c->list;
    const ddb_table *t = table_of(c->req, c->arn);
    ddb_tag *tags;
    size_t n, kept = 0;

    if (t == NULL)
        return -2;
    n = ddb_table_tags(t, c->req->arena, 0, &tags);
    for (size_t i = 0; i < n; i++) {
        int removed = 0;
        for (uint32_t k = 0; k < keys->n && !removed; k++)
            removed = strcmp(tags[i].key, keys->u.items[k]->u.s) == 0;
        if (!removed)
            tags[kept++] = tags[i];
    }
    return tags_edit(c->req, t, tags, kept, kept != n, e);
}

int ddb_op_untag_resource(ddb_req *req)
{
    tag_change c = {req, ddb_json_get_str(req->in, "ResourceArn"), ddb_json_get(req->in, "TagKeys")};

    return finish(req, c.arn, ddb_catalog_edit(req->eng->catalog, MAX_TRIES, untag_edit, &c, NULL));
}

/* A NextToken's position: the decimal number ddbd gives (past the end: an empty page); else -1. */
static long token_position(const char *token)
{
    char *end;
    long at;

    if (token[0] < '1' || token[0] > '9' || strlen(token) > 9)
        return -1;
    at = strtol(token, &end, 10);
    return *end == '\0' ? at : -1;
}

int ddb_op_list_tags_of_resource(ddb_req *req)
{
    const char *arn = ddb_json_get_str(req->in, "ResourceArn");
    const char *token = ddb_json_get_str(req->in, "NextToken");
    const ddb_table *t = table_of(req, arn);
    ddb_jw *w = &req->out;
    ddb_tag *tags;
    size_t n, from = 0, to;

    if (t == NULL)
        return req->err.code;
    n = ddb_table_tags(t, req->arena, 0, &tags);
    if (token != NULL) {
        long at = token_position(token);
        if (at < 0)
            return ddb_req_fail(req, DDB_E_VALIDATION, "Invalid NextToken: %s", token);
        from = (size_t)at < n ? (size_t)at : n;
    }
    to = n - from > TAGS_PAGE ? from + TAGS_PAGE : n;
    ddb_jw_obj_begin(w);
    ddb_jw_key(w, "Tags");
    ddb_tags_write_list(w, to > from ? tags + from : tags, to - from);
    if (to < n) {
        char next[24];
        snprintf(next, sizeof(next), "%zu", to);
        ddb_jw_key(w, "NextToken");
        ddb_jw_str(w, next);
    }
    ddb_jw_obj_end(w);
    return DDB_OK;
}
