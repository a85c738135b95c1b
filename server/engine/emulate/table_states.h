/*
 * server/engine/emulate/table_states.h: production's table states on demand (--table-states MS).
 *
 * DynamoDB makes a table CREATING for a while after CreateTable, a GSI UpdateTable adds CREATING
 * with Backfilling, and a deleted table DELETING before it is gone. ddbd's tables are ACTIVE at once
 * and gone at once; with --table-states each of these lasts MS of the server's clock
 * (base/clock.h), decided lazily: the time the state ends is stored with the table ("ddbdActiveAt"
 * of its description, or of the index's object: the row's own table member, which reads it into the
 * table's and its indexes' active_at), and the state holds while the clock is before it. No timer: a frozen clock
 * stepped by POST /ddbd/clock {"advance": ms} moves it exactly, and nothing changes by itself while
 * the clock is frozen.
 *
 * A deleted table leaves the catalog at once, as without the option (its keys are purged by the
 * worker); what stays for MS is its DELETING description, kept here in memory (a "gone" table:
 * DescribeTable answers it, ListTables lists it, CreateTable and DeleteTable of its name are
 * refused as in use). Not kept across a restart, nor seen by another gateway of a shared RADOS
 * pool (docs/compatibility.md).
 *
 * A row of server/features.def (ddb_feature_table_states, below), always on: a table stored with
 * its end of CREATING stays CREATING until then under any command line, as before the row. The
 * table operations name none of it: they ask the row's hooks of a table's life (engine/feature.h's
 * state_until ... deleting_names, through engine.h's ddb_engine_life), and the admin door
 * /ddbd/table-states sets its MS (ddb_table_states_set).
 */
#ifndef DDB_TABLE_STATES_H
#define DDB_TABLE_STATES_H

#include "server/engine/engine.h"

/* The row's table member: a table's or an added index's end of CREATING (docs/storage-format.md). */
#define DDB_MEMBER_ACTIVE_AT "ddbdActiveAt"

/* The row (feature.h): its state a struct ddb_table_states, made at open with --table-states' MS
   (server.c: ddb_table_states_new), freed by its close. */
extern const ddb_feature ddb_feature_table_states;

/* The state, --table-states' MS (0: ACTIVE and gone at once). */
struct ddb_table_states *ddb_table_states_new(unsigned ms);

/* The MS as it stands (the admin door may change it while requests run: read atomically); 0 when
   eng has no such row. */
unsigned ddb_table_states_ms(const ddb_engine *eng);
/* Sets it at run time (POST /ddbd/table-states). */
void ddb_table_states_set(ddb_engine *eng, unsigned ms);

#endif
