/*
 * server/seed/readers/seed_cfn.h: the tables of a CloudFormation or SAM template (seed_cfn.c; seed_template.h).
 */
#ifndef DDB_SEED_CFN_H
#define DDB_SEED_CFN_H

#include "server/seed/readers/seed_tpl.h"

/* Hands each table of `tpl` (parsed from `text`, the file's, for line numbers) to env->table;
   `stack` is AWS::StackName, `region` AWS::Region unless given (NULL: us-east-1). */
void seed_cfn_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *tpl,
                   const char *stack, const char *region);

/* 0, with an error reported, when the template is past CloudFormation's quotas (its size, its
   Resources, Parameters, Outputs and Mappings: CFN_TEMPLATE_QUOTAS); `tpl` may be NULL (the size alone). */
int seed_cfn_within_quotas(seed_tpl_env *env, const char *path, size_t len, const ddb_json *tpl);

#endif
