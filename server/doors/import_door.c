/*
 * server/doors/import_door.c: POST /ddbd/import, an anonymised ImportTable (see import_door.h).
 */
#include "server/doors/import_door.h"

#include <stdio.h>
#include <string.h>

#include "ddb/ddb_status.h"
#include "proto/errors.h"
#include "proto/ops.h"
#include "server/api/dispatch.h"
#include "server/base/gate.h"
#include "server/base/log.h"
#include "server/doors/door_message.h"
#include "server/engine/catalog/catalog.h"
#include "server/engine/engine.h"
#include "server/engine/xfer/anon.h"
#include "server/engine/xfer/reader.h"

#define DRY_RUN_SAMPLE 10    /* a dry run's items unless "Sample" says */
#define MAX_SAMPLE 1000      /* and at most */
#define STRICT_SAMPLE 1000   /* what a strict import reads before it starts */
#define EXAMPLES 3           /* a dry run's examples per attribute */

static int refuse(ddb_buf *out, int status, const char *msg)
{
    out->len = 0; /* a dry run's sample may have been written */
    return ddb_door_message(out, strcmp(msg, DDB_ANON_SAMPLE_STOPPED) == 0 ? 503 : status, msg);
}

/* The request's members: 0, or a refusal's message in msg. */
static int check_request(const ddb_json *in, char *msg, size_t len)
{
    const ddb_json *it = ddb_json_get(in, "ImportTable"), *sample = ddb_json_get(in, "Sample");
    const ddb_json *dry = ddb_json_get(in, "DryRun");
    const char *fmt = ddb_json_get_str(it, "InputFormat");

    if (in == NULL || in->type != DDB_JSON_OBJECT)
        return snprintf(msg, len, "the body must be a JSON object: {\"ImportTable\": {...}, \"Rules\": {...}}"), -1;
    for (uint32_t i = 0; i < in->n; i++) {
        const char *k = in->u.members[i].key;
        if (strcmp(k, "ImportTable") != 0 && strcmp(k, "Rules") != 0 && strcmp(k, "DryRun") != 0 &&
            strcmp(k, "Sample") != 0)
            return snprintf(msg, len, "unknown member \"%s\" (ImportTable, Rules, DryRun, Sample)", k), -1;
    }
    if (it == NULL || it->type != DDB_JSON_OBJECT)
        return snprintf(msg, len, "\"ImportTable\" must be the ImportTable request, an object"), -1;
    if (ddb_json_get(in, "Rules") == NULL)
        return snprintf(msg, len, "\"Rules\" is missing: an anonymised import needs its rule file"), -1;
    if (dry != NULL && dry->type != DDB_JSON_BOOL)
        return snprintf(msg, len, "\"DryRun\" must be true or false"), -1;
    if (sample != NULL && (sample->type != DDB_JSON_NUMBER || ddb_json_integer(sample, 0) < 1 ||
                           ddb_json_integer(sample, 0) > MAX_SAMPLE || strpbrk(sample->u.s, ".eE")))
        return snprintf(msg, len, "\"Sample\" must be a whole number from 1 to %d", MAX_SAMPLE), -1;
    if (fmt == NULL || (strcmp(fmt, "DYNAMODB_JSON") != 0 && strcmp(fmt, "ION") != 0))
        return snprintf(msg, len, "an anonymised import reads DynamoDB's exports: InputFormat DYNAMODB_JSON or ION"),
               -1;
    return 0;
}

/* Runs the ImportTable in-process, as the API would, its record keeping the rules. */
static int run_import(const ddb_api *api, const ddb_json *it, const ddb_json *rules, ddb_buf *out)
{
    static const char target[] = "DynamoDB_20120810.ImportTable";
    ddb_arena a;
    ddb_buf body = {0}, res = {0};
    ddb_req r;
    ddb_http_in in;
    ddb_gate_hold h;
    ddb_jw w;
    int status = 200;

    ddb_arena_init(&a);
    memset(&r, 0, sizeof(r));
    memset(&in, 0, sizeof(in));
    ddb_jw_init(&w, &body);
    ddb_jw_json(&w, it);
    r.arena = &a;
    r.body = body.data;
    r.body_len = body.len;
    r.outbuf = &res;
    r.internal = 1;
    r.ns = "";
    r.region = "us-east-1";
    r.import_rules = rules;
    ddb_jw_init(&r.out, &res);
    in.target = target;
    in.target_len = sizeof(target) - 1;
    ddb_catalog_hold(api->eng->catalog, &h); /* (the sample before it reads no table) */
    ddb_dispatch(api, &r, &in);
    ddb_catalog_unhold(api->eng->catalog, &h);
    out->len = 0;
    if (r.err.code != DDB_OK) {
        const ddb_error_info *e = ddb_error_lookup(r.err.code);
        ddb_jw_init(&w, out);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "__type"); /* as the API answers it */
        ddb_jw_str(&w, ddb_arena_sprintf(&a, "%s%s", e->ns, e->type));
        ddb_jw_key(&w, "message");
        ddb_jw_str(&w, r.err.msg ? r.err.msg : "");
        ddb_jw_obj_end(&w);
        status = 400;
    } else {
        ddb_buf_append(out, res.len ? res.data : "{}", res.len ? res.len : 2);
    }
    ddb_buf_free(&body);
    ddb_buf_free(&res);
    ddb_arena_free(&a);
    return status;
}

/* A strict import's check of its sample: 0, or the refusal written (its status returned). */
static int strict_check(const ddb_anon *an, const ddb_anon_source *src, ddb_buf *out)
{
    ddb_buf rep = {0};
    ddb_arena a;
    ddb_jw w;
    size_t uncovered = 0;
    char err[700];
    int status = 0;

    ddb_jw_init(&w, &rep);
    ddb_log(DDB_LOG_INFO, "admin: a strict import's sample started (%d items at most)", STRICT_SAMPLE);
    if (ddb_anon_sample(an, src, STRICT_SAMPLE, 0, &w, &uncovered, err, sizeof(err)) != 0) {
        status = refuse(out, 400, err);
    } else if (uncovered > 0) {
        const ddb_json *names;
        ddb_arena_init(&a);
        names = ddb_json_get(ddb_json_parse(&a, rep.data, rep.len), "uncovered");
        out->len = 0;
        ddb_jw_init(&w, out);
        ddb_jw_obj_begin(&w);
        ddb_jw_key(&w, "message");
        ddb_jw_str(&w, "the rules are strict and no rule names some attributes of the source's first items: add "
                       "a rule for each (keep, drop, hash, redact or fake)");
        ddb_jw_key(&w, "uncovered");
        ddb_jw_json(&w, names);
        ddb_jw_obj_end(&w);
        ddb_arena_free(&a);
        status = 400;
    }
    ddb_buf_free(&rep);
    return status;
}

int ddb_import_door(const ddb_door_call *c, ddb_buf *out)
{
    const ddb_api *api = c->api;
    const char *body = c->body;
    size_t blen = c->blen;
    const ddb_engine *eng = api->eng;
    ddb_arena a;
    const ddb_json *in, *it, *src_m;
    const char *fmt;
    ddb_anon an;
    ddb_anon_source src;
    char msg[700];
    int status = 0;
    ddb_jw w;

    ddb_arena_init(&a);
    in = ddb_json_parse_input(&a, body ? body : "", blen, NULL);
    it = ddb_json_get(in, "ImportTable");
    src_m = ddb_json_get(it, "S3BucketSource");
    fmt = ddb_json_get_str(it, "InputFormat");
    src = (ddb_anon_source){&eng->settings.objstore, ddb_json_get_str(src_m, "S3Bucket"),
                            ddb_json_get_str(src_m, "S3KeyPrefix"), fmt != NULL && strcmp(fmt, "ION") == 0,
                            (int)ddb_xfer_comp_of(ddb_json_get_str(it, "InputCompressionType")), &api->stopping};
    memset(&an, 0, sizeof(an));
    if (check_request(in, msg, sizeof(msg)) != 0) {
        status = refuse(out, 400, msg);
    } else if (ddb_anon_compile(&an, ddb_json_get(in, "Rules"), ddb_json_get(it, "TableCreationParameters"), msg,
                                sizeof(msg)) != 0) {
        status = refuse(out, 400, msg);
    } else if (ddb_json_get(in, "DryRun") != NULL && ddb_json_get(in, "DryRun")->u.b) {
        size_t uncovered, max = (size_t)ddb_json_integer(ddb_json_get(in, "Sample"), DRY_RUN_SAMPLE);
        ddb_log(DDB_LOG_INFO, "admin: a dry run's sample started (%zu items at most)", max);
        out->len = 0;
        ddb_jw_init(&w, out);
        status = ddb_anon_sample(&an, &src, max, EXAMPLES, &w, &uncovered, msg, sizeof(msg)) == 0
                     ? 200
                     : refuse(out, 400, msg);
    } else if (!an.strict || (status = strict_check(&an, &src, out)) == 0) {
        status = run_import(api, it, ddb_json_get(in, "Rules"), out);
        if (status == 200)
            ddb_log(DDB_LOG_INFO, "admin: an anonymised import started (%zu attribute rules%s)", an.n,
                    an.strict ? ", strict" : "");
    }
    ddb_anon_free(&an);
    ddb_arena_free(&a);
    return status;
}
