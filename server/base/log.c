/*
 * server/base/log.c: leveled logging (see log.h).
 *
 * Every line is written with its control characters escaped (\n, \r, \t, \xHH): the values a
 * message carries (a bucket name, a table name, an error's text) come from clients, and a newline
 * in one would otherwise start a line of the client's choosing in the server's log.
 */
#include "server/base/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/base/clock.h"

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

const char *ddb_log_level_name(ddb_log_level level)
{
    return level <= DDB_LOG_DEBUG ? level_names[level] : "?";
}

/* src with its control characters escaped into out (cut to size, at a character's end). */
static void escape(const char *src, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)src; *p != '\0'; p++) {
        char e[4];
        size_t n = 1;
        e[0] = (char)*p;
        if (*p < 0x20 || *p == 0x7f) {
            e[0] = '\\';
            e[1] = *p == '\n' ? 'n' : *p == '\r' ? 'r' : *p == '\t' ? 't' : 'x';
            n = 2;
            if (e[1] == 'x') {
                e[2] = hex[*p >> 4];
                e[3] = hex[*p & 15];
                n = 4;
            }
        }
        if (o + n >= size)
            break;
        memcpy(out + o, e, n);
        o += n;
    }
    out[o] = '\0';
}

void ddb_log(ddb_log_level level, const char *fmt, ...)
{
    char line[1024], stamp[32], safe[4 * sizeof(line)];
    uint64_t now;
    time_t sec;
    struct tm tm;
    va_list ap;
    int n;

    if (level > ddb_log_threshold)
        return;
    now = ddb_clock_system_ms(); /* the system's clock, as every other log on the machine (clock.h) */
    sec = (time_t)(now / 1000);
    gmtime_r(&sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "%s.%03uZ %s ", stamp, (unsigned)(now % 1000), level_names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    va_end(ap);
    /* one write per line so concurrent threads never interleave within a line */
    escape(line, safe, sizeof(safe));
    fprintf(stderr, "%s\n", safe);
}
