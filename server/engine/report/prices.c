/*
 * server/engine/report/prices.c: a price table's rows (see prices.h), and a file of
 * prices.def's format read by the rules a reader of prices.def sees: an X row per table class,
 * three #defines, comments (C's block and line ones) and blank lines; anything else is refused
 * with its file and line, so a typo never turns into a price of zero.
 */
#include "server/engine/report/prices.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NCOLUMNS 12
#define LINE_MAX_BYTES 1024

static const char *const class_names[] = {"STANDARD", "STANDARD_INFREQUENT_ACCESS"};

const ddb_price *ddb_price_row(const ddb_prices *p, const char *cls)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->rows[i].table_class, cls != NULL ? cls : "STANDARD") == 0)
            return &p->rows[i];
    return &p->rows[0];
}

const ddb_price *ddb_price_of_table(const ddb_prices *p, const ddb_table *t)
{
    return ddb_price_row(p, ddb_json_get_str(t->desc, "TableClass"));
}

typedef struct reader {
    const char *path;
    int line, comment_line; /* the line read; the line of the block comment still open */
    char *err;
    size_t errlen;
} reader;

static int fail(reader *r, const char *msg, const char *arg)
{
    if (r->line > 0)
        snprintf(r->err, r->errlen, "%s:%d: %s%s", r->path, r->line, msg, arg);
    else
        snprintf(r->err, r->errlen, "%s: %s%s", r->path, msg, arg);
    return -1;
}

static char *skip_space(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* `#define DDB_PRICES_X "value"`. */
static int read_define(reader *r, char *s, ddb_prices *out)
{
    char *name = skip_space(s + strlen("#define")), *end, *q;
    char *field;
    size_t size;

    end = name;
    while (*end && !isspace((unsigned char)*end))
        end++;
    if (end - name == 17 && strncmp(name, "DDB_PRICES_REGION", 17) == 0)
        field = out->region, size = sizeof(out->region);
    else if (end - name == 15 && strncmp(name, "DDB_PRICES_DATE", 15) == 0)
        field = out->date, size = sizeof(out->date);
    else if (end - name == 17 && strncmp(name, "DDB_PRICES_SOURCE", 17) == 0)
        field = out->source, size = sizeof(out->source);
    else
        return fail(r, "unknown #define: expected DDB_PRICES_REGION, DDB_PRICES_DATE or DDB_PRICES_SOURCE", "");
    q = skip_space(end);
    *end = '\0'; /* the name alone, for the message (q is past it) */
    if (*q != '"' || (end = strchr(q + 1, '"')) == NULL || *skip_space(end + 1) != '\0')
        return fail(r, "expected a quoted string after ", name);
    if ((size_t)(end - q - 1) >= size || end == q + 1)
        return fail(r, "the quoted string is empty or too long", "");
    memcpy(field, q + 1, (size_t)(end - q - 1));
    field[end - q - 1] = '\0';
    return 0;
}

static const char *const column_names[] = {
#define C(field, json) json,
    DDB_PRICE_COLUMNS(C)
#undef C
};

/* A price past which a file is surely wrong: DynamoDB's dearest (a WCU-hour, a GB-month) are under
   a dollar, and a report's sums of figures this size stay exact enough in a double. */
#define PRICE_MAX 1000000.0

/* A price as a person writes one: digits with at most one '.' (12, 0.125, .5), nothing else. strtod
   alone took 0x10 (16), 1e308 (a report of inf and NaN sums), inf and nan. */
static int read_price(const char *p, char **end, double *out)
{
    const char *q = p;
    size_t digits = 0;

    while (isdigit((unsigned char)*q))
        q++, digits++;
    if (*q == '.')
        for (q++; isdigit((unsigned char)*q); q++)
            digits++;
    if (digits == 0 || q - p > 32)
        return -1;
    errno = 0;
    *out = strtod(p, end);
    return *end == q && errno == 0 && *out <= PRICE_MAX ? 0 : -1;
}

/* `X(CLASS, p1, ..., p12)`. */
static int read_row(reader *r, char *s, ddb_prices *out)
{
    char *p = skip_space(s + 2), *end = p;
    ddb_price row;
    double *col[NCOLUMNS] = {
#define C(field, json) &row.field,
        DDB_PRICE_COLUMNS(C)
#undef C
    };
    size_t k;

    while (isalnum((unsigned char)*end) || *end == '_')
        end++;
    for (k = 0; k < sizeof(class_names) / sizeof(class_names[0]); k++)
        if (strlen(class_names[k]) == (size_t)(end - p) && strncmp(class_names[k], p, (size_t)(end - p)) == 0)
            break;
    if (k == sizeof(class_names) / sizeof(class_names[0]))
        return fail(r, "unknown table class: expected STANDARD or STANDARD_INFREQUENT_ACCESS", "");
    memset(&row, 0, sizeof(row));
    memcpy(row.table_class, p, (size_t)(end - p));
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->rows[i].table_class, row.table_class) == 0)
            return fail(r, "a second row for table class ", row.table_class);
    p = end;
    for (int c = 0; c < NCOLUMNS; c++) {
        char num[64];
        p = skip_space(p);
        if (*p != ',') {
            snprintf(num, sizeof(num), "%d", *p == ')' ? c : c + 1);
            return fail(r, *p == ')' ? "too few prices: 12 expected, found " : "expected ',' before price ", num);
        }
        p = skip_space(p + 1);
        if (read_price(p, &end, col[c]) != 0)
            return fail(r, "not a price (a decimal number of dollars from 0 to 1000000, digits and one '.'): ",
                        column_names[c]);
        p = end;
    }
    p = skip_space(p);
    if (*p == ',')
        return fail(r, "too many prices: 12 expected", "");
    if (*p != ')' || *skip_space(p + 1) != '\0')
        return fail(r, "expected ')' after the 12th price", "");
    out->rows[out->n++] = row;
    return 0;
}

/* One line (its newline removed); *in_comment carries a block comment over lines. */
static int read_line(reader *r, char *s, int *in_comment, ddb_prices *out)
{
    char *close;

    s = skip_space(s);
    if (*in_comment) {
        if ((close = strstr(s, "*/")) == NULL)
            return 0;
        *in_comment = 0;
        s = skip_space(close + 2);
    }
    if (strncmp(s, "/*", 2) == 0) {
        if ((close = strstr(s + 2, "*/")) == NULL) {
            *in_comment = 1;
            r->comment_line = r->line;
            return 0;
        }
        s = skip_space(close + 2);
    }
    if (*s == '\0' || strncmp(s, "//", 2) == 0)
        return 0;
    if (strncmp(s, "#define", 7) == 0 && isspace((unsigned char)s[7]))
        return read_define(r, s, out);
    if (strncmp(s, "X(", 2) == 0)
        return read_row(r, s, out);
    return fail(r, "expected X(TableClass, 12 prices), #define DDB_PRICES_..., a comment or a blank line", "");
}

static int check_complete(reader *r, const ddb_prices *out)
{
    r->line = 0;
    for (size_t k = 0; k < sizeof(class_names) / sizeof(class_names[0]); k++) {
        size_t i = 0;
        while (i < out->n && strcmp(out->rows[i].table_class, class_names[k]) != 0)
            i++;
        if (i == out->n)
            return fail(r, "no row for table class ", class_names[k]);
    }
    if (out->region[0] == '\0')
        return fail(r, "no #define DDB_PRICES_REGION", "");
    if (out->date[0] == '\0')
        return fail(r, "no #define DDB_PRICES_DATE", "");
    if (out->source[0] == '\0')
        return fail(r, "no #define DDB_PRICES_SOURCE", "");
    return 0;
}

/*
 * The file, opened only when it is a regular one: a FIFO's open waits for a writer (start hung
 * forever, and SIGTERM, blocked from the start for the sigwait that comes after, did not end it),
 * and a device or a directory is no price file either. O_NONBLOCK makes the open itself return at
 * once; fstat then decides, on what was opened.
 */
static FILE *open_regular(reader *r, const char *path)
{
    struct stat st;
    FILE *f;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);

    if (fd < 0) {
        fail(r, strerror(errno), "");
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        fail(r, "not a regular file (a FIFO, a device or a directory is no price file)", "");
        return NULL;
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0 || (f = fdopen(fd, "r")) == NULL) {
        fail(r, strerror(errno), "");
        close(fd);
        return NULL;
    }
    return f;
}

int ddb_prices_read(const char *path, ddb_prices *into, char *err, size_t errlen)
{
    reader r = {path, 0, 0, err, errlen};
    ddb_prices out;
    char line[LINE_MAX_BYTES + 2];
    int in_comment = 0, rc = 0;
    FILE *f = open_regular(&r, path);

    if (f == NULL)
        return -1;
    memset(&out, 0, sizeof(out));
    while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
        size_t len = strlen(line);
        r.line++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(f))
            rc = fail(&r, "line longer than 1024 bytes", "");
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (rc == 0)
            rc = read_line(&r, line, &in_comment, &out);
    }
    fclose(f);
    if (rc == 0 && in_comment) {
        r.line = r.comment_line;
        rc = fail(&r, "this comment is not closed", "");
    }
    if (rc == 0)
        rc = check_complete(&r, &out);
    if (rc != 0)
        return -1;
    *into = out;
    return 0;
}
