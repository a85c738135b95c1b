/*
 * server/seed/readers/seed_template.c: which template a document is, and CDK's cloud assembly (see
 * seed_template.h); the readers of each kind are seed_cfn.c and seed_tf.c.
 */
#include "server/seed/readers/seed_template.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "server/seed/readers/seed_cfn.h"
#include "server/seed/readers/seed_tf.h"
#include "server/seed/readers/seed_workbench.h"
#include "server/seed/readers/seed_yaml.h"

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
    if (seed_workbench_is(doc))
        return SEED_TPL_WORKBENCH;
    return SEED_TPL_NONE;
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

/* A stack's environment, aws://ACCOUNT/REGION: its region, or NULL when environment-agnostic
   (unknown-region: the stack's templates then Ref AWS::Region). */
static const char *env_region(const char *env, char *buf, size_t n)
{
    const char *slash = env != NULL && strncmp(env, "aws://", 6) == 0 ? strchr(env + 6, '/') : NULL;

    if (slash == NULL || slash[1] == '\0' || strcmp(slash + 1, "unknown-region") == 0 || strlen(slash + 1) >= n)
        return NULL;
    snprintf(buf, n, "%s", slash + 1);
    return buf;
}

/* A file the manifest names: a stack's template, or a nested assembly's manifest. */
static void cdk_file(seed_tpl_env *env, const char *manifest_path, const char *file, const char *stack,
                     const char *region, int depth)
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
        seed_cfn_read(env, path, text, len, doc, stack, region);
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
            char region[64];
            if ((file = ddb_json_get_str(props, "templateFile")) == NULL)
                tpl_file_error(env, path, 0, "artifact %s: a stack without properties.templateFile",
                               artifacts->u.members[i].key);
            else
                cdk_file(env, path, file, stack ? stack : artifacts->u.members[i].key,
                         env_region(ddb_json_get_str(art, "environment"), region, sizeof(region)), depth);
        } else if (type != NULL && strcmp(type, "cdk:cloud-assembly") == 0 &&
                   (file = ddb_json_get_str(props, "directoryName")) != NULL) {
            char *nested = NULL;
            if (asprintf(&nested, "%s/manifest.json", file) < 0)
                abort();
            cdk_file(env, path, nested, NULL, NULL, depth);
            free(nested);
        }
        /* (other artifacts, the construct tree and the asset manifests, declare no table) */
    }
}

/* ---- nested stacks ---- */

void seed_template_nested(seed_tpl_env *env, const char *parent, unsigned line, const char *what, const char *file,
                          const char *stack, const char *region, cfn_param *params, unsigned nparams)
{
    seed_tpl_env child = *env, *top = env->top != NULL ? env->top : env;
    char *path, msg[256], err[512], *text;
    size_t len = 0, err_at = 0;
    unsigned at = 0;
    struct stat st;
    const ddb_json *doc;
    ddb_arena a;

    if (env->depth >= SEED_MAX_STACK_NESTING) {
        tpl_file_error(env, parent, line, "%s: nested stacks nest more than %d deep (a stack that nests itself?)",
                       what, SEED_MAX_STACK_NESTING);
        return;
    }
    if (top->nested >= SEED_MAX_NESTED_STACKS) {
        tpl_file_error(env, parent, line, "%s: more than %d nested stacks' templates for one template", what,
                       SEED_MAX_NESTED_STACKS);
        return;
    }
    top->nested++;
    path = sibling(parent, file);
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > CFN_MAX_TEMPLATE_BYTES) {
        /* (refused unread: 200 of them read whole to 64 MiB before the quota's check would be a lot) */
        tpl_file_error(env, parent, line, "%s: its template %s: %llu bytes, more than CloudFormation takes (%u)",
                       what, path, (unsigned long long)st.st_size, CFN_MAX_TEMPLATE_BYTES);
        free(path);
        return;
    }
    if ((text = env->read(path, &len, msg, sizeof(msg))) == NULL) {
        tpl_file_error(env, parent, line, "%s: its template %s: %s", what, path, msg);
        free(path);
        return;
    }
    child.params = params;
    child.nparams = nparams;
    child.depth = env->depth + 1;
    child.top = top;
    child.errors = 0;
    ddb_arena_init(&a);
    if (!seed_cfn_within_quotas(&child, path, len, NULL))
        doc = NULL;
    else if ((doc = ddb_json_parse_input(&a, text, len, &err_at)) == NULL && text[strspn(text, " \t\r\n")] == '{')
        tpl_file_error(&child, path, line_of(text, err_at), "%s", "not valid JSON");
    else if (doc == NULL && (doc = seed_yaml_parse(&a, text, len, err, sizeof(err), &at)) == NULL)
        tpl_file_error(&child, path, at, "%s", err);
    if (doc != NULL && seed_template_kind_of(doc) != SEED_TPL_CLOUDFORMATION)
        tpl_file_error(&child, path, 0, "named by %s:%u as %s's template, but not a CloudFormation template", parent,
                       line, what);
    else if (doc != NULL)
        seed_cfn_read(&child, path, text, len, doc, stack, region);
    env->errors += child.errors;
    env->stopped |= child.stopped;
    ddb_arena_free(&a);
    free(text);
    free(path);
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

    if (env->item != NULL) { /* the walk of items: Terraform's and Workbench models alone declare some */
        if (seed_template_kind_of(doc) == SEED_TPL_TERRAFORM)
            seed_tf_read(env, path, text, len, doc);
        else if (seed_template_kind_of(doc) == SEED_TPL_WORKBENCH)
            seed_workbench_read(env, path, text, len, doc);
        return;
    }
    switch (seed_template_kind_of(doc)) {
    case SEED_TPL_CLOUDFORMATION:
        /* the stack's name: the file's up to its first dot (template.yaml: template) */
        ddb_arena_init(&a);
        stack = ddb_arena_strndup(&a, stack_of(path), strcspn(stack_of(path), "."));
        seed_cfn_read(env, path, text, len, doc, stack, NULL);
        ddb_arena_free(&a);
        break;
    case SEED_TPL_TERRAFORM:
        seed_tf_read(env, path, text, len, doc);
        break;
    case SEED_TPL_CDK:
        cdk_manifest(env, path, doc, 0);
        break;
    case SEED_TPL_WORKBENCH:
        seed_workbench_read(env, path, text, len, doc);
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

    if (!seed_cfn_within_quotas(env, path, len, NULL))
        return; /* (unparsed: a YAML seed is a CloudFormation template) */
    ddb_arena_init(&a);
    if ((doc = seed_yaml_parse(&a, text, len, err, sizeof(err), &line)) == NULL)
        tpl_file_error(env, path, line, "%s", err);
    else if (seed_template_kind_of(doc) != SEED_TPL_CLOUDFORMATION)
        tpl_file_error(env, path, 0, "%s", "a YAML seed is a CloudFormation or SAM template: no Resources in it");
    else
        seed_template_read(env, path, text, len, doc);
    ddb_arena_free(&a);
}
