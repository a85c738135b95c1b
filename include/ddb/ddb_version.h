/*
 * include/ddb/ddb_version.h: the version of ddbd and libddb.
 * Versions with the same MAJOR number are ABI compatible (functions are only ever added).
 */
#ifndef DDB_VERSION_H
#define DDB_VERSION_H

#define DDB_VERSION_MAJOR 0
#define DDB_VERSION_MINOR 1
#define DDB_VERSION_PATCH 0
#define DDB_VERSION_STRING "0.1.0"
#define DDB_VERSION_HEX ((DDB_VERSION_MAJOR << 16) | (DDB_VERSION_MINOR << 8) | DDB_VERSION_PATCH)

#endif
