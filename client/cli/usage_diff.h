/*
 * client/cli/usage_diff.h: `ddb usage diff`, two cost reports compared as markdown (usage_diff.c).
 */
#ifndef DDB_CLI_USAGE_DIFF_H
#define DDB_CLI_USAGE_DIFF_H

#include <stddef.h>
#include <stdio.h>

#include "ddb/ddb.h"

/* Writes to out what HEAD's report changes from BASE's (both GET /ddbd/usage's JSON); 0, or -1
   with *bad "BASE" or "HEAD" when that one is not a cost report (nothing written). */
int ddb_usage_diff(const char *base_json, size_t base_len, const char *head_json, size_t head_len, FILE *out,
                   const char **bad);

#endif
