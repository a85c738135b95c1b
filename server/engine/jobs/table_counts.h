/*
 * server/engine/jobs/table_counts.h: the background side of the item counts the write path keeps
 * (engine/table_stats.h).
 *
 * At start every table's figures are unknown (they are not stored): this job counts each one
 * once, in the background, soon after start (and any whose new index finished its backfill), so
 * that DescribeTable and /metrics find them known and answer in O(1). Every
 * --count-check-interval seconds it counts every table again as a check: a difference from the
 * figures kept is logged and repaired. A store other gateways write too (RADOS shared by
 * several) keeps no figures: DescribeTable counts there, and this job does nothing.
 */
#ifndef DDB_TABLE_COUNTS_H
#define DDB_TABLE_COUNTS_H

#include "server/engine/jobs/tasks.h"

extern const ddb_job ddb_job_table_counts;

#endif
