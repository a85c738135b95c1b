/*
 * server/engine/xfer/xfer_job.h: the background worker's job for exports, imports and bulk puts: every record
 * IN_PROGRESS (xfer.h) is run to its end, one at a time (other work waits meanwhile), and run
 * again after a restart (from the beginning; a bulk put from its checkpoint).
 */
#ifndef DDB_XFER_JOB_H
#define DDB_XFER_JOB_H

#include "server/engine/jobs/tasks.h"

extern const ddb_job ddb_job_xfer;

#endif
