/*
 * server/ops/table_create.h: a table made as CreateTable makes it, for CreateTable, ImportTable
 * and the restores.
 */
#ifndef DDB_TABLE_CREATE_H
#define DDB_TABLE_CREATE_H

#include "server/engine/catalog/catalog_edit.h"
#include "server/ops/ops_common.h"

/*
 * Creates a table in the request's namespace from `in`, a CreateTable-shaped request (validated),
 * as CreateTable stores it; `more` (may be NULL) adds changes to the new description (a restore's
 * ddb_edit_restore). Only when `in` is the request itself is its StreamSpecification planned.
 * Returns 0, 1 when the name exists, -1 on storage failure, -2 with the error recorded on req (the
 * namespace's quota of tables reached among them: LimitExceededException, --max-tables).
 */
int ddb_table_create(ddb_req *req, const ddb_json *in, void (*more)(ddb_desc_edit *e, void *ctx), void *ctx,
                     const ddb_table **out);
/* DDB_OK, or LimitExceededException when namespace `ns` has its quota of tables: for a change that
   creates a table only after it has made others (a replica, after its source lists it). */
int ddb_table_room(ddb_req *req, const char *ns);

#endif
