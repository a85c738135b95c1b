/*
 * server/console/assets.h: the files of assets/, as embed.cmake writes them into the build
 * tree (console_assets.c) at build time; sorted by name.
 */
#ifndef DDB_CONSOLE_ASSETS_H
#define DDB_CONSOLE_ASSETS_H

#include <stddef.h>

#include "server/console/console.h"

extern const ddb_console_file ddb_console_files[];
extern const size_t ddb_console_nfiles;

#endif
