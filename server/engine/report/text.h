/*
 * server/engine/report/text.h: the cost report's texts, shared by the report (report.c), its door
 * (doors/usage.c) and its forecast (forecast.c): an access pattern's text and a query value's decoding.
 */
#ifndef DDB_USAGE_TEXT_H
#define DDB_USAGE_TEXT_H

#include <stddef.h>

#include "server/engine/capacity/pattern.h"
#include "server/engine/table.h"

/* The text of an access pattern ("Query GSI1 pk=ORG#* sk begins_with USER#*", docs/usage.md) into
   buf, and its index's name into *ix (NULL: the table). */
void ddb_usage_pattern_text(const ddb_table *t, const ddb_pattern_key *k, const char **ix, char *buf, size_t size);

/* A query value percent-decoded into buf ('+' is a space); its length, or -1 when malformed, too
   long or holding a raw '&'. */
long ddb_usage_query_decode(const char *q, size_t qlen, char *buf, size_t size);

#endif
