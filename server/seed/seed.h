/*
 * server/seed/seed.h: --seed FILE|DIR, tables and items loaded at start, before the server listens
 * (docs/seeding.md for the file formats).
 *
 * Everything goes through the API's own pipeline, in-process: each table definition is a
 * CreateTable request and each item a PutItem (or DeleteItem) request, dispatched with their
 * validation; items are then written as BatchWriteItem requests of 25. Nothing is written until
 * the whole seed has been checked: first every definition (CreateTable's validation, and against
 * an existing table of the same name), then every item (PutItem's validation, then its key and
 * index key types against the table it will go to, as PutItem's handler checks them). A restart
 * with the same seed keeps the tables it finds with the same key schema and puts the items again.
 * Tables may also come from infrastructure code (CloudFormation, SAM, CDK, Terraform:
 * seed_template.h), each with the calls a deployment makes after CreateTable.
 */
#ifndef DDB_SEED_H
#define DDB_SEED_H

#include "server/seed/readers/seed_cfn_eval.h"

struct ddb_server;

/* Loads the seed paths (templates' parameters: NAME=VALUE strings, --seed-param). Returns 0, or -1
   after logging each problem with its file and line. */
int ddb_seed_load(struct ddb_server *srv, const char *const *paths, unsigned n, const char *const *params,
                  unsigned nparams);

/* --seed-requests: prints the requests the seed paths make, one JSON object a line (seed_print.c).
   Returns the exit status: 0, or 1 after logging each problem. */
int ddb_seed_print(const char *const *paths, unsigned n, const char *const *params, unsigned nparams);

/* --seed-param NAME=VALUE strings into out[n] (names malloc'd: ddb_seed_params_free); -1 after
   logging a malformed one. */
int ddb_seed_params(const char *const *given, unsigned n, cfn_param *out);
/* Warns of each parameter no template declared (pseudo parameters aside). */
void ddb_seed_params_unused(const cfn_param *params, unsigned n);
void ddb_seed_params_free(cfn_param *params, unsigned n);

/* An item request's body, {"TableName": table, "<member>": doc} (member "Item" or "Key"): what
   the seed sends (seed.c) and what --seed-requests prints (seed_print.c). */
void ddb_seed_write_item_request(ddb_jw *w, const char *table, const char *member, const ddb_json *doc);

#endif
