/*
 * server/config.h: the command line, parsed once into an immutable ddb_config. The options are
 * the rows of server/options.def.
 */
#ifndef DDB_CONFIG_H
#define DDB_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "server/engine/engine.h" /* DDB_ITEM_COLLECTION_LIMIT */
#include "server/engine/jobs/triggers.h"

#define DDB_BUDGET_UNSET (~0ULL) /* --memory-budget not given: --in-memory's default */
#define DDB_INFLIGHT_UNSET (~0u)  /* --rados-inflight not given: 64 per event loop on RADOS */
#define DDB_INFLIGHT_PER_LOOP 64
#define DDB_INFLIGHT_MAX 4096     /* --rados-inflight's largest (options.def) */

/* The option kinds of options.def's PARSE, as fields: each row's field, of its kind's type. */
#define OPT_FLAG(f) int f;
#define OPT_STR(f, def) const char *f;
#define OPT_PATH(f, what) const char *f;
#define OPT_UINT(f, min, max, def) unsigned f;
#define OPT_INT(f, min, max, def) int f;
#define OPT_RATE(f, def) double f;
#define OPT_BYTES(f, min, def) unsigned long long f;
#define OPT_ENUM(f, names, def) int f;
#define OPT_LEVEL(f, def) int f;
#define OPT_LIST(f, cap) const char *f[cap]; unsigned n##f;
#define OPT_TRIGGERS(f, cap) ddb_trigger_spec f[cap]; unsigned n##f;
#define OPT_HEALTH(flag, f) int flag; const char *f;
#define OPT_HELP()
#define OPT_VERSION()
#define OPT_NOOP()
#define OPT_GROUP()

/* The command line: a field per row of options.def, named and typed by its PARSE (its HELP says
   what it means; a default such as --metrics-port's -1 or DDB_BUDGET_UNSET means "not given"),
   then what the parse derives. */
typedef struct ddb_config {
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP) PARSE
#include "server/options.def"
#undef X
    unsigned default_shards; /* the shard count of a new data directory: the CPUs we may use (cpus.h) */
    size_t max_body;         /* 16 MiB */
} ddb_config;

#include "server/options_undef.h"

/*
 * Parses argv. Returns 0 to run, 1 when the caller should exit 0 (--help, --version printed),
 * -1 on a usage error (message printed to stderr).
 */
int ddb_config_parse(ddb_config *cfg, int argc, char **argv);
/* The defaults of options.def's rows (only: those that depend on the machine are ddb_config_parse's). */
void ddb_config_defaults(ddb_config *cfg);
/* The values of the rows that name a member of the engine's settings or of the store's options
   (server/storage/storage.h), TO_ENGINE and TO_STORE, copied from cfg into to; the other members
   are left as they are. (TO_HTTP's are main.c's: server/options_copy.h.) */
void ddb_config_engine_settings(const ddb_config *cfg, ddb_engine_settings *to);
void ddb_config_store_options(const ddb_config *cfg, ddb_store_options *to);
/* Frees what a successful ddb_config_parse allocated (the --stream-trigger specs' table names). */
void ddb_config_free(ddb_config *cfg);

#endif
