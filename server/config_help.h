/*
 * server/config_help.h: `ddbd --help` (config_help.c), written from server/options.def's rows.
 */
#ifndef DDB_CONFIG_HELP_H
#define DDB_CONFIG_HELP_H

#include <stdio.h>

/* Writes `ddbd --help`: the synopsis, every option of server/options.def. defaults[i]: the default
   of row i as the option takes it (config.c knows the rows' kinds), shown where the row says so. */
void ddb_config_help(FILE *out, const char *const *defaults);

#endif
