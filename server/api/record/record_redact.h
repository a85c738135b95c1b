/*
 * server/api/record/record_redact.h: a recording's redaction rules (record.h; record_redact.c says what
 * they do; docs/record-replay.md, "Redaction").
 */
#ifndef DDB_RECORD_REDACT_H
#define DDB_RECORD_REDACT_H

#include <stddef.h>

#include "proto/json.h"

typedef struct ddb_record_rules ddb_record_rules;

/* Rules from their JSON text ({"key": "...", "attributes": {"email": "hash", ...}}) or tree, or
   NULL with err set. */
ddb_record_rules *ddb_record_rules_parse(const char *text, size_t len, char *err, size_t errlen);
ddb_record_rules *ddb_record_rules_of(const ddb_json *v, char *err, size_t errlen);
ddb_record_rules *ddb_record_rules_copy(const ddb_record_rules *rules);
void ddb_record_rules_free(ddb_record_rules *rules);
/* Rewrites the attribute values of a request's or an answer's tree (arena-owned, changed in place). */
void ddb_record_redact(const ddb_record_rules *rules, ddb_arena *a, ddb_json *doc);

#endif
