/*
 * server/seed/readers/seed_template.h: tables declared by infrastructure code, read as seed definitions
 * (docs/seeding.md, "Templates"): CloudFormation and SAM templates (JSON or YAML, seed_cfn.c),
 * CDK's cloud assembly (cdk.out's manifest.json and the stack templates it names) and
 * `terraform show -json` of a plan or a state (seed_tf.c), and NoSQL Workbench's data models, which
 * declare items too (seed_workbench.c).
 *
 * Each table becomes what the API would be sent to make it: a CreateTable request, then the calls
 * a deployment makes after it (UpdateTimeToLive, UpdateContinuousBackups,
 * UpdateContributorInsights), which seed.c runs through the same pipeline. A property ddbd does not
 * act on is named in a warning (logged when the template is read) or, when a table without it
 * would not be the table declared, an error; never dropped in silence.
 */
#ifndef DDB_SEED_TEMPLATE_H
#define DDB_SEED_TEMPLATE_H

#include <stddef.h>

#include "proto/json.h"
#include "server/seed/readers/seed_tpl.h"

#define SEED_TEMPLATE_KINDS(X) X(NONE) X(CLOUDFORMATION) X(TERRAFORM) X(CDK) X(WORKBENCH)
typedef enum seed_template_kind {
#define X(k) SEED_TPL_##k,
    SEED_TEMPLATE_KINDS(X)
#undef X
} seed_template_kind;

/* What a parsed document is: a template of one of the kinds, or NONE (a seed document). */
seed_template_kind seed_template_kind_of(const ddb_json *doc);

/* Reads the tables of a template already parsed (`text` is its file's, for line numbers). */
void seed_template_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *doc);

/* Nested stacks: deeper than this is a stack that nests itself; more than so many templates read
   for one top-level template, a template that multiplies them (each is at most 1 MB). */
#define SEED_MAX_STACK_NESTING 8
#define SEED_MAX_NESTED_STACKS 200

/* (seed_tpl_env.nested_stack) A nested stack's template (AWS::CloudFormation::Stack's TemplateURL, CDK's asset,
   AWS::Serverless::Application's Location) that is a local file, `file` relative to the folder of
   its parent's template `parent` (`what`: the resource, for messages): read as stack `stack` in
   `region` with the parameters its parent passes, `params` (and the seed's pseudo ones). */
void seed_template_nested(seed_tpl_env *env, const char *parent, unsigned line, const char *what, const char *file,
                          const char *stack, const char *region, cfn_param *params, unsigned nparams);

/* Reads a YAML template file's text (a CloudFormation or SAM template). */
void seed_template_yaml(seed_tpl_env *env, const char *path, const char *text, size_t len);

#endif
