/*
 * server/base/log.h: leveled logging to stderr, one line per event, with a timestamp.
 */
#ifndef DDB_LOG_H
#define DDB_LOG_H

typedef enum ddb_log_level {
    DDB_LOG_ERROR = 0,
    DDB_LOG_WARN,
    DDB_LOG_INFO,
    DDB_LOG_DEBUG,
} ddb_log_level;

extern ddb_log_level ddb_log_threshold;

/* Parses "error", "warn", "info", "debug"; returns -1 if unknown. */
int ddb_log_level_parse(const char *s);
/* The name ddb_log_level_parse takes for level (--help shows --log-level's default so). */
const char *ddb_log_level_name(ddb_log_level level);
void ddb_log(ddb_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
