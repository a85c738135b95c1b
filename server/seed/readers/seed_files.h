/*
 * server/seed/readers/seed_files.h: the seed files read into records (seed_files.c), which seed.c validates and
 * applies. See seed.h and docs/seeding.md for the formats.
 */
#ifndef DDB_SEED_FILES_H
#define DDB_SEED_FILES_H

#include <stddef.h>

#include "proto/json.h"
#include "server/seed/readers/seed_cfn_eval.h"

/* VIEW: what a NoSQL Workbench model shows of a table besides its items (its facets, saved
   queries: seed_workbench.h), handed on in the walk of tables, never applied */
#define SEED_RECORD_KINDS(X) X(TABLE) X(PUT) X(DELETE) X(VIEW)
typedef enum seed_kind {
#define X(k) SEED_##k,
    SEED_RECORD_KINDS(X)
#undef X
} seed_kind;

/* Where a record is, so an error can name its line (found only when needed: seed_line). */
typedef struct seed_loc {
    const char *path;
    const char *text;   /* the document: a .json file's text, or one line of a .jsonl file */
    size_t len;
    unsigned line;      /* the line of text[0] */
    int top;            /* its index in a top-level array, or -1 */
    int wrapped;        /* under "RequestItems" */
    const char *table;  /* the RequestItems member it is in, or NULL */
    int elem;           /* its index in that member's list, or -1 */
} seed_loc;

typedef struct seed_record {
    seed_kind kind;
    const char *table;   /* the table it names (NULL: a definition without a TableName string) */
    const ddb_json *doc; /* TABLE: the CreateTable request; PUT: the item; DELETE: the key; VIEW: the view */
    const ddb_json *after; /* TABLE from a template: the calls after CreateTable, [{"op", "request"}], or NULL */
    seed_loc loc;
    const char *region;  /* TABLE from a CloudFormation template: the region it is made in (NULL: the default) */
} seed_record;

/* A visitor returns nonzero to stop the walk. */
typedef int (*seed_visit)(void *ctx, const seed_record *r);
/* Receives a file's structural error (unreadable, not JSON, a shape that is neither a table nor items). */
typedef void (*seed_fail)(void *ctx, const char *path, unsigned line, const char *msg);

/*
 * Visits the records of every seed path in order (a directory's *.json, *.jsonl, *.ndjson, *.yaml
 * and *.yml files by name, or a CDK cloud assembly's stacks when it holds a CDK manifest.json; a
 * .json document's records in document order; a .jsonl file's lines in order): definitions when
 * `tables`, puts and deletes when `items`. A record and its document live until the visitor
 * returns. Structural errors go to `fail` (NULL: not reported): a seed file's in a walk of items,
 * a template's (seed_template.h, which declares tables only) in a walk of tables; the walk goes on
 * with the next file. `params` are the templates' --seed-param values (marked used when declared).
 * Returns the number of structural errors, or -1 when the visitor stopped the walk.
 */
long seed_walk(const char *const *paths, unsigned n, int tables, int items, seed_visit visit, seed_fail fail,
               void *ctx, cfn_param *params, unsigned nparams);

/* The 1-based line of a record in its file. */
unsigned seed_line(const seed_loc *loc);

#endif
