/*
 * server/seed/readers/seed_tpl.h: what the template readers (seed_cfn.c, seed_tf.c) hand on, and how they
 * write it: each table's CreateTable request and the calls after it (seed_template.h), their
 * warnings and errors.
 */
#ifndef DDB_SEED_TPL_H
#define DDB_SEED_TPL_H

#include <stddef.h>

#include "proto/json.h"
#include "server/seed/readers/seed_cfn_eval.h"

typedef struct seed_tpl_env {
    cfn_param *params; /* --seed-param NAME=VALUE */
    unsigned nparams;
    /* a table: its region (a CloudFormation template's, the seed's AWS::Region; NULL: the server's
       default), its CreateTable request and the list of calls after it ({"op": ..., "request": ...});
       returns nonzero to stop */
    int (*table)(void *ctx, const char *path, unsigned line, const char *name, const char *region,
                 const ddb_json *create, const ddb_json *after);
    void (*fail)(void *ctx, const char *path, unsigned line, const char *msg);
    /* the text of another file a template names (cdk.out's templates); NULL with msg set */
    char *(*read)(const char *path, size_t *len, char *msg, size_t msglen);
    /* items (Terraform's aws_dynamodb_table_item): when set, a reader hands on items, not tables;
       returns nonzero to stop */
    int (*item)(void *ctx, const char *path, unsigned line, const char *table, const ddb_json *item);
    void *ctx;
    long errors;
    int stopped;
    /* nested stacks (seed_template_nested): how deep this template is; how many templates of
       nested stacks the top one's env has had read; that env (NULL in itself) */
    int depth;
    unsigned nested;
    struct seed_tpl_env *top;
    /* reads a nested stack's template (seed_template.h's seed_template_nested; NULL: not followed) */
    void (*nested_stack)(struct seed_tpl_env *env, const char *parent, unsigned line, const char *what,
                         const char *file, const char *stack, const char *region, cfn_param *params, unsigned nparams);
    /* a NoSQL Workbench model's view of a table (seed_workbench.h), in the walk of tables (NULL: not
       wanted); returns nonzero to stop */
    int (*view)(void *ctx, const char *path, unsigned line, const char *table, const ddb_json *view);
} seed_tpl_env;

/* One table being written: its CreateTable request and the calls after it. */
typedef struct seed_tpl_table {
    seed_tpl_env *env;
    ddb_arena *a;
    const char *path, *text;
    size_t len;
    const char *name, *what; /* the table's name; the resource, for messages ("Resources.Orders") */
    const char *region;      /* where a deployment makes it (NULL: not said), set by the reader */
    unsigned line;
    ddb_buf create, after;
    ddb_jw cw, aw;
    int failed;
} seed_tpl_table;

/* Starts a table: {"TableName": name, ... (the reader writes the rest into t->cw). */
void tpl_begin(seed_tpl_table *t, seed_tpl_env *env, ddb_arena *a, const char *path, const char *text, size_t len,
               const char *name, const char *what, unsigned line);
/* Starts a call after CreateTable: {"TableName": name, ... (the reader writes the rest into t->aw). */
void tpl_call(seed_tpl_table *t, const char *op);
void tpl_call_end(seed_tpl_table *t);
/* A replica of the table in `region`: UpdateTable's ReplicaUpdates Create, marked {"replica": region}
   (made only under --namespaces, where each region has its own tables: seed.c), and
   {"autoscaled": true} for a provisioned table whose write capacity the template auto scales
   (made as DynamoDB makes it once Application Auto Scaling manages that capacity). */
void tpl_replica(seed_tpl_table *t, const char *region, int autoscaled);
/* Hands the table to env->table (unless an error was reported) and frees its buffers. */
void tpl_end(seed_tpl_table *t);

void tpl_warn(const seed_tpl_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tpl_error(seed_tpl_table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A problem of the file, not of one table. */
void tpl_file_error(seed_tpl_env *env, const char *path, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The 1-based line where `needle` first occurs in text (0: nowhere). */
unsigned tpl_line(const char *text, size_t len, const char *needle);

/* Writes v, with the strings a template may give for numbers and booleans ("5", "true") as the
   JSON numbers and booleans the API takes, where the member named `key` is one. */
void tpl_value(ddb_jw *w, const char *key, const ddb_json *v);

#endif
