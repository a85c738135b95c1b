/*
 * server/engine/report/units.h: the two figures every usage report sizes and projects by, the month
 * (730 hours, as AWS's pricing pages count one) and provisioned capacity's target utilisation. Its
 * own header, below the report (report.c), its forecast (forecast.c) and its warnings
 * (warnings.c), which all read them.
 */
#ifndef DDB_USAGE_UNITS_H
#define DDB_USAGE_UNITS_H

#include <math.h>

#define DDB_USAGE_MONTH_SECONDS (730.0 * 3600)
/* Provisioned capacity sized from the observed peak is peak / 70 %: DynamoDB auto scaling's
   default target utilisation (docs/usage.md). */
#define DDB_USAGE_TARGET_UTILIZATION 0.7

/* Capacity units for a peak of `peak` units a second at the target utilisation (at least 1). */
static inline double ddb_usage_sized(double peak)
{
    double units = ceil(peak / DDB_USAGE_TARGET_UTILIZATION - 1e-9);

    return units < 1 ? 1 : units;
}

#endif
