/*
 * client/cli/replay_faults.h: what a recorded request answered by an injected fault had carried
 * out, so that `ddb replay` sends that and no more (replay_faults.c).
 */
#ifndef DDB_REPLAY_FAULTS_H
#define DDB_REPLAY_FAULTS_H

#include <stddef.h>

#include "client/cli/replay_order.h"

enum {
    RP_FAULT_WHOLE,   /* carried out whole: sent as recorded */
    RP_FAULT_NOT_RUN, /* an injected error answered before it ran: not sent */
    RP_FAULT_PART,    /* a batch that did part of its writes or reads: *out, that part (malloc'd) */
};

/* Of a request (op, its `request` text) whose recorded answer is `response` after injected fault
   `fault` (the line's "fault": the fault's name, a JSON string span). */
int rp_fault_carried(ddb_jspan op, ddb_jspan fault, ddb_jspan request, ddb_jspan response, char **out, size_t *outlen);

#endif
