/*
 * server/base/regions.h: which Regions exist (regions.def) and which a server serves (--regions).
 *
 * A --regions LIST is comma-separated; each entry is a Region's name, "aws" for every Region of
 * regions.def, or a prefix ending in '*' for every name that starts with it (the test-runner
 * modules' per-worker namespaces: "ddbd-*"). Without --regions a server serves regions.def's.
 */
#ifndef DDB_REGIONS_H
#define DDB_REGIONS_H

#include <stddef.h>

/* Whether `name` (n bytes) is an AWS Region with a DynamoDB endpoint. */
int ddb_region_is_aws(const char *name, size_t n);
/* The i-th Region where global tables may have a replica, in DynamoDB's order; NULL past the last. */
const char *ddb_region_global_tables(unsigned i);

/* Whether `list` (a --regions LIST; NULL: "aws") serves Region `name` (n bytes). */
int ddb_region_served(const char *list, const char *name, size_t n);
/* NULL when `list` is a valid --regions LIST, else what is wrong with it (static text). */
const char *ddb_regions_check(const char *list);

#endif
