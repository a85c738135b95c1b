/*
 * server/log.c: leveled logging (see log.h).
 */
#include "server/base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

ddb_log_level ddb_log_threshold = DDB_LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int ddb_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0)
            return i;
    }
    return -1;
}

void ddb_log(ddb_log_level level, const char *fmt, ...)
{
    char line[1024], stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;
    int n;

    if (level > ddb_log_threshold)
        return;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "%s.%03ldZ %s ", stamp, ts.tv_nsec / 1000000, level_names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    /* one write per line so concurrent threads never interleave within a line */
    fprintf(stderr, "%s\n", line);
}
