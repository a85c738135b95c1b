/*
 * server/seed_template.c: which template a document is, CDK's cloud assembly, and the tables'
 * requests as the readers (seed_cfn.c, seed_tf.c) write them (see seed_template.h).
 */
#include "server/seed_template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/base/log.h"
#include "server/seed_yaml.h"

/* A cloud assembly nests stages' assemblies (cdk:cloud-assembly); deeper than this is a loop. */
#define CDK_MAX_NESTING 8

seed_template_kind seed_template_kind_of(const ddb_json *doc)
{
    if (doc == NULL || doc->type != DDB_JSON_OBJECT)
        return SEED_TPL_NONE;
    if ((ddb_json_get(doc, "Resources") != NULL && ddb_json_get(doc, "Resources")->type == DDB_JSON_OBJECT) ||
        ddb_json_get(doc, "AWSTemplateFormatVersion") != NULL)
        return SEED_TPL_CLOUDFORMATION;
    if (ddb_json_get_str(doc, "format_version") != NULL &&
        (ddb_json_get(doc, "planned_values") != NULL || ddb_json_get(doc, "values") != NULL ||
         ddb_json_get(doc, "terraform_version") != NULL))
        return SEED_TPL_TERRAFORM;
    if (ddb_json_get(doc, "artifacts") != NULL && ddb_json_get(doc, "version") != NULL)
        return SEED_TPL_CDK;
    return SEED_TPL_NONE;
}

/* ---- messages ---- */

void tpl_file_error(seed_tpl_env *env, const char *path, unsigned line, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    env->errors++;
    if (env->fail != NULL)
        env->fail(env->ctx, path, line, msg);
}

void tpl_warn(const seed_tpl_table *t, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    ddb_log(DDB_LOG_WARN, "seed: %s:%u: %s (table %s): %s", t->path, t->line, t->what, t->name, msg);
}

void tpl_error(seed_tpl_table *t, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    t->failed = 1;
    tpl_file_error(t->env, t->path, t->line, "%s: %s", t->what, msg);
}

unsigned tpl_line(const char *text, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    unsigned line = 1;

    if (text == NULL || n == 0)
        return 0;
    for (size_t i = 0; i + n <= len; i++) {
        if (text[i] == '\n')
            line++;
        else if (memcmp(text + i, needle, n) == 0)
            return line;
    }
    return 0;
}

/* ---- the requests ---- */

void tpl_begin(seed_tpl_table *t, seed_tpl_env *env, ddb_arena *a, const char *path, const char *text, size_t len,
               const char *name, const char *what, unsigned line)
{
    memset(t, 0, sizeof(*t));
    t->env = env;
    t->a = a;
    t->path = path;
    t->text = text;
    t->len = len;
    t->name = name;
    t->what = what;
    t->line = line;
    ddb_jw_init(&t->cw, &t->create);
    ddb_jw_obj_begin(&t->cw);
    ddb_jw_key(&t->cw, "TableName");
    ddb_jw_str(&t->cw, name);
    ddb_jw_init(&t->aw, &t->after);
    ddb_jw_arr_begin(&t->aw);
}

void tpl_call(seed_tpl_table *t, const char *op)
{
    ddb_jw_obj_begin(&t->aw);
    ddb_jw_key(&t->aw, "op");
    ddb_jw_str(&t->aw, op);
    ddb_jw_key(&t->aw, "request");
    ddb_jw_obj_begin(&t->aw);
    ddb_jw_key(&t->aw, "TableName");
    ddb_jw_str(&t->aw, t->name);
}

void tpl_call_end(seed_tpl_table *t)
{
    ddb_jw_obj_end(&t->aw);
    ddb_jw_obj_end(&t->aw);
}

void tpl_end(seed_tpl_table *t)
{
    const ddb_json *create, *after;

    ddb_jw_obj_end(&t->cw);
    ddb_jw_arr_end(&t->aw);
    if (!t->failed && !t->env->stopped) {
        create = ddb_json_parse(t->a, t->create.data, t->create.len);
        after = ddb_json_parse(t->a, t->after.data, t->after.len);
        if (t->env->table(t->env->ctx, t->path, t->line, t->name, create, after) != 0)
            t->env->stopped = 1;
    }
    ddb_buf_free(&t->create);
    ddb_buf_free(&t->after);
}

/* Members the API takes as numbers, and as booleans, which a template may give as strings. */
#define TPL_NUMBER_KEYS(X) X("ReadCapacityUnits") X("WriteCapacityUnits") X("MaxReadRequestUnits") \
    X("MaxWriteRequestUnits") X("ReadUnitsPerSecond") X("WriteUnitsPerSecond") X("RecoveryPeriodInDays")
#define TPL_BOOL_KEYS(X) X("Enabled") X("DeletionProtectionEnabled") X("PointInTimeRecoveryEnabled") X("StreamEnabled")

static int listed(const char *key, const char *const *keys)
{
    for (; key != NULL && *keys != NULL; keys++) {
        if (strcmp(key, *keys) == 0)
            return 1;
    }
    return 0;
}

void tpl_value(ddb_jw *w, const char *key, const ddb_json *v)
{
#define X(k) k,
    static const char *const numbers[] = {TPL_NUMBER_KEYS(X) NULL}, *const bools[] = {TPL_BOOL_KEYS(X) NULL};
#undef X
    if (v->type == DDB_JSON_STRING && listed(key, numbers) && seed_json_number(v->u.s, v->n)) {
        ddb_jw_raw_number(w, v->u.s);
    } else if (v->type == DDB_JSON_STRING && listed(key, bools) &&
               (strcmp(v->u.s, "true") == 0 || strcmp(v->u.s, "false") == 0)) {
        ddb_jw_bool(w, v->u.s[0] == 't');
    } else if (v->type == DDB_JSON_OBJECT) {
        ddb_jw_obj_begin(w);
        for (uint32_t i = 0; i < v->n; i++) {
            ddb_jw_key(w, v->u.members[i].key);
            tpl_value(w, v->u.members[i].key, v->u.members[i].val);
        }
        ddb_jw_obj_end(w);
    } else if (v->type == DDB_JSON_ARRAY) {
        ddb_jw_arr_begin(w);
        for (uint32_t i = 0; i < v->n; i++)
            tpl_value(w, NULL, v->u.items[i]);
        ddb_jw_arr_end(w);
    } else {
        ddb_jw_json(w, v);
    }
}

/* ---- CDK's cloud assembly ---- */

static unsigned line_of(const char *text, size_t at)
{
    unsigned line = 1;

    for (size_t i = 0; i < at; i++)
        line += text[i] == '\n';
    return line;
}

static char *sibling(const char *path, const char *name)
{
    const char *slash = strrchr(path, '/');
    char *full = NULL;

    if (name[0] == '/' || slash == NULL)
        return strdup(name);
    if (asprintf(&full, "%.*s/%s", (int)(slash - path), path, name) < 0)
        abort();
    return full;
}

static void cdk_manifest(seed_tpl_env *env, const char *path, const ddb_json *manifest, int depth);

/* A file the manifest names: a stack's template, or a nested assembly's manifest. */
static void cdk_file(seed_tpl_env *env, const char *manifest_path, const char *file, const char *stack, int depth)
{
    char *path = sibling(manifest_path, file), msg[256], *text;
    size_t len = 0, err_at = 0;
    ddb_arena a;
    const ddb_json *doc;

    if ((text = env->read(path, &len, msg, sizeof(msg))) == NULL) {
        tpl_file_error(env, path, 0, "named by %s: %s", manifest_path, msg);
        free(path);
        return;
    }
    ddb_arena_init(&a);
    if ((doc = ddb_json_parse_input(&a, text, len, &err_at)) == NULL)
        tpl_file_error(env, path, line_of(text, err_at), "%s", "not valid JSON");
    else if (stack == NULL)
        cdk_manifest(env, path, doc, depth + 1);
    else if (seed_template_kind_of(doc) != SEED_TPL_CLOUDFORMATION)
        tpl_file_error(env, path, 0, "named by %s as stack %s's template, but not a CloudFormation template",
                       manifest_path, stack);
    else
        seed_cfn_read(env, path, text, len, doc, stack);
    ddb_arena_free(&a);
    free(text);
    free(path);
}

static void cdk_manifest(seed_tpl_env *env, const char *path, const ddb_json *manifest, int depth)
{
    const ddb_json *artifacts = ddb_json_get(manifest, "artifacts");

    if (depth > CDK_MAX_NESTING) {
        tpl_file_error(env, path, 0, "cloud assemblies nested more than %d deep", CDK_MAX_NESTING);
        return;
    }
    if (artifacts == NULL || artifacts->type != DDB_JSON_OBJECT) {
        tpl_file_error(env, path, 0, "%s", "a CDK manifest without an \"artifacts\" object");
        return;
    }
    for (uint32_t i = 0; i < artifacts->n && !env->stopped; i++) {
        const ddb_json *art = artifacts->u.members[i].val, *props = ddb_json_get(art, "properties");
        const char *type = ddb_json_get_str(art, "type"), *file;
        if (type != NULL && strcmp(type, "aws:cloudformation:stack") == 0) {
            const char *stack = ddb_json_get_str(props, "stackName");
            if ((file = ddb_json_get_str(props, "templateFile")) == NULL)
                tpl_file_error(env, path, 0, "artifact %s: a stack without properties.templateFile",
                               artifacts->u.members[i].key);
            else
                cdk_file(env, path, file, stack ? stack : artifacts->u.members[i].key, depth);
        } else if (type != NULL && strcmp(type, "cdk:cloud-assembly") == 0 &&
                   (file = ddb_json_get_str(props, "directoryName")) != NULL) {
            char *nested = NULL;
            if (asprintf(&nested, "%s/manifest.json", file) < 0)
                abort();
            cdk_file(env, path, nested, NULL, depth);
            free(nested);
        }
        /* (other artifacts, the construct tree and the asset manifests, declare no table) */
    }
}

/* ---- entry points ---- */

static const char *stack_of(const char *path)
{
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    return base;
}

void seed_template_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *doc)
{
    ddb_arena a;
    char *stack;

    switch (seed_template_kind_of(doc)) {
    case SEED_TPL_CLOUDFORMATION:
        /* the stack's name: the file's up to its first dot (template.yaml: template) */
        ddb_arena_init(&a);
        stack = ddb_arena_strndup(&a, stack_of(path), strcspn(stack_of(path), "."));
        seed_cfn_read(env, path, text, len, doc, stack);
        ddb_arena_free(&a);
        break;
    case SEED_TPL_TERRAFORM:
        seed_tf_read(env, path, text, len, doc);
        break;
    case SEED_TPL_CDK:
        cdk_manifest(env, path, doc, 0);
        break;
    default:
        break;
    }
}

void seed_template_yaml(seed_tpl_env *env, const char *path, const char *text, size_t len)
{
    ddb_arena a;
    char err[512];
    unsigned line = 0;
    const ddb_json *doc;

    ddb_arena_init(&a);
    if ((doc = seed_yaml_parse(&a, text, len, err, sizeof(err), &line)) == NULL)
        tpl_file_error(env, path, line, "%s", err);
    else if (seed_template_kind_of(doc) != SEED_TPL_CLOUDFORMATION)
        tpl_file_error(env, path, 0, "%s", "a YAML seed is a CloudFormation or SAM template: no Resources in it");
    else
        seed_template_read(env, path, text, len, doc);
    ddb_arena_free(&a);
}
