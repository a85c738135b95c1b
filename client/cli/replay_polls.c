/*
 * client/cli/replay_polls.c: a poll's state against the recorded one (see replay_polls.h). A state
 * is its statuses' raw strings in the answer's order, each path of STATES walked by the scanner
 * (nothing copied but the statuses).
 */
#include "client/cli/replay_polls.h"

#include <stdlib.h>
#include <string.h>

#include "proto/buf.h"

/* What each poll's answer holds of its jobs' state: paths of members, "[]" after one that is an
   array of objects (each element's), from the API reference's Describe* and List* answers. */
static const struct state {
    const char *op, *path;
} STATES[] = {
    {"DescribeTable", "Table.TableStatus"},
    {"DescribeTable", "Table.GlobalSecondaryIndexes[].IndexStatus"},
    {"DescribeTable", "Table.Replicas[].ReplicaStatus"},
    {"DescribeBackup", "BackupDescription.BackupDetails.BackupStatus"},
    {"ListBackups", "BackupSummaries[].BackupStatus"},
    {"DescribeExport", "ExportDescription.ExportStatus"},
    {"ListExports", "ExportSummaries[].ExportStatus"},
    {"DescribeImport", "ImportTableDescription.ImportStatus"},
    {"ListImports", "ImportSummaryList[].ImportStatus"},
    {"DescribeBulkOperation", "BulkOperationDescription.BulkOperationStatus"},
    {"DescribeContinuousBackups", "ContinuousBackupsDescription.PointInTimeRecoveryDescription.PointInTimeRecoveryStatus"},
    {"DescribeTimeToLive", "TimeToLiveDescription.TimeToLiveStatus"},
    {"DescribeKinesisStreamingDestination", "KinesisDataStreamDestinations[].DestinationStatus"},
    {"DescribeContributorInsights", "ContributorInsightsStatus"},
    {"DescribeGlobalTable", "GlobalTableDescription.GlobalTableStatus"},
};

int rp_poll_is(ddb_jspan op)
{
    for (size_t i = 0; i < sizeof(STATES) / sizeof(STATES[0]); i++)
        if (ddb_jspan_is(op, STATES[i].op))
            return 1;
    return 0;
}

typedef struct walk {
    ddb_buf *out;
    const char *rest; /* the path still to walk (NULL: v is the status) */
    int busy;         /* a status in progress seen */
} walk;

static int in_progress(ddb_jspan s)
{
    return (s.n >= 3 && memcmp(s.p + s.n - 3, "ING", 3) == 0) || (s.n == 11 && memcmp(s.p, "IN_PROGRESS", 11) == 0);
}

static void walk_to(walk *w, ddb_jspan v);

static int each(void *arg, ddb_jspan elem)
{
    walk_to(arg, elem);
    return 0;
}

/* Walks w->rest's path from value v, each status at its end appended to w->out. */
static void walk_to(walk *w, ddb_jspan v)
{
    const char *rest = w->rest, *dot;
    char key[64];
    size_t n;
    int array;

    if (rest == NULL) {
        ddb_jspan s = ddb_jscan_string(v);
        if (s.p != NULL) {
            ddb_buf_append(w->out, s.p, s.n);
            ddb_buf_putc(w->out, ',');
            w->busy |= in_progress(s);
        }
        return;
    }
    dot = strchr(rest, '.');
    n = dot != NULL ? (size_t)(dot - rest) : strlen(rest);
    array = n > 2 && memcmp(rest + n - 2, "[]", 2) == 0;
    memcpy(key, rest, n - (array ? 2 : 0)); /* (STATES' members are short) */
    key[n - (array ? 2 : 0)] = '\0';
    v = ddb_jscan_member(v, key);
    w->rest = dot != NULL ? dot + 1 : NULL;
    if (v.p != NULL && array)
        ddb_jscan_each_element(v, each, w);
    else if (v.p != NULL)
        walk_to(w, v);
    w->rest = rest;
}

/* The answer's state into out; whether a status of it is in progress. */
static int state_of(ddb_jspan op, ddb_jspan answer, ddb_buf *out)
{
    walk w = {out, NULL, 0};

    for (size_t i = 0; i < sizeof(STATES) / sizeof(STATES[0]); i++) {
        if (!ddb_jspan_is(op, STATES[i].op))
            continue;
        w.rest = STATES[i].path;
        walk_to(&w, answer);
        ddb_buf_putc(out, ';'); /* (a path's statuses kept apart from the next's) */
    }
    return w.busy;
}

int rp_poll_compare(ddb_jspan op, ddb_jspan recorded, const char *body, size_t len)
{
    ddb_buf rec = {0}, rep = {0};
    int rec_busy = state_of(op, recorded, &rec), rep_busy = state_of(op, (ddb_jspan){body, len}, &rep), at;

    int same = rec.len == rep.len && (rec.len == 0 || memcmp(rec.data, rep.data, rec.len) == 0);

    at = rep_busy && !same ? RP_POLL_BEHIND : rec_busy ? RP_POLL_MOVING : RP_POLL_SAME;
    free(rec.data);
    free(rep.data);
    return at;
}
