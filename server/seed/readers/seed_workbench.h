/*
 * server/seed/readers/seed_workbench.h: a NoSQL Workbench data model (its JSON export: "ModelName",
 * "ModelMetadata", "DataModel": [tables]) read as seed definitions and items (docs/seeding.md,
 * "NoSQL Workbench models"). Each table of the model becomes its CreateTable request (key
 * attributes, global secondary indexes with their projections, billing mode and capacity), and its
 * sample data (the table's TableData, and each facet's in the exports that keep it there) the items
 * put into it. Facets, access patterns and DataAccess are the modeler's views: not tables.
 */
#ifndef DDB_SEED_WORKBENCH_H
#define DDB_SEED_WORKBENCH_H

#include <stddef.h>

#include "proto/json.h"
#include "server/seed/readers/seed_tpl.h"

/* Whether a parsed document is a Workbench model: an object with a DataModel list and a
   ModelName or ModelMetadata (every export has both; a hand-trimmed one keeps one of them). */
int seed_workbench_is(const ddb_json *doc);

/* Reads the model's tables (env->item NULL) or its items (env->item set). */
void seed_workbench_read(seed_tpl_env *env, const char *path, const char *text, size_t len, const ddb_json *doc);

#endif
