/*
 * server/seed/readers/seed_tf.h: the tables of `terraform show -json` output (seed_tf.c; seed_template.h).
 */
#ifndef DDB_SEED_TF_H
#define DDB_SEED_TF_H

#include "server/seed/readers/seed_tpl.h"

/* Hands each aws_dynamodb_table of a plan's planned_values or a state's values to env->table. */
void seed_tf_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *doc);

#endif
