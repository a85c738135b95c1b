/*
 * server/config_help.h: `ddbd --help` (config_help.c), written from server/options.def's rows.
 */
#ifndef DDB_CONFIG_HELP_H
#define DDB_CONFIG_HELP_H

#include <stdio.h>

/* Writes `ddbd --help`: the synopsis, every option of server/options.def. */
void ddb_config_help(FILE *out);

#endif
