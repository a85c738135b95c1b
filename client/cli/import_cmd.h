/*
 * client/cli/import_cmd.h: `ddb import`, an ImportTable of a DynamoDB export anonymised by a rule
 * file, through ddbd's admin door (POST /ddbd/import: docs/import.md), kept in its own file.
 */
#ifndef DDB_CLI_IMPORT_CMD_H
#define DDB_CLI_IMPORT_CMD_H

#include "ddb/ddb.h"

#define DDB_CLI_IMPORT_ARGS "REQUEST.json RULES.json [dry-run]"
#define DDB_CLI_IMPORT_SUMMARY "ImportTable of an export, anonymised by RULES (needs ddbd --admin); waits for its end"
#define DDB_CLI_IMPORT_DETAILS                                                                                         \
    "  REQUEST is an ImportTable request (as `aws dynamodb import-table --cli-input-json file://REQUEST`:\n"           \
    "  S3BucketSource, InputFormat DYNAMODB_JSON or ION, InputCompressionType, TableCreationParameters);\n"          \
    "  a file, file://FILE, or the JSON itself. RULES is the rule file (docs/import.md): a \"key\" (or\n"              \
    "  $DDB_IMPORT_KEY), \"strict\" or \"default\", and per attribute keep, drop, hash, redact or\n"                   \
    "  {\"fake\": name|email|phone|text|date|number}.\n"                                                              \
    "  `dry-run`: prints what the rules make of each attribute of the export's first items (JSON); nothing\n"       \
    "  is created. Else prints the ImportArn, waits, and prints the counts; exit 1 unless COMPLETED.\n"               \
    "  ddb import import.json rules.json dry-run | jq '.attributes[] | {attribute, rule, examples}'\n"                \
    "  DDB_IMPORT_KEY=\"$(cat key)\" ddb import import.json rules.json\n"

/* `ddb import`: args are the command's arguments (its name excluded). The exit status: 0, 1 (the
   import failed or was refused), 2 (usage). */
int ddb_cli_import(ddb_client *db, const char *const *args, int nargs);

#endif
