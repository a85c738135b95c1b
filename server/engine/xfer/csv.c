/*
 * server/engine/xfer/csv.c: CSV records made PutItem bodies (see csv.h).
 */
#include "server/engine/xfer/csv.h"

#include <stdlib.h>
#include <string.h>

#include "server/engine/xfer/reader.h"

void ddb_xfer_csv_init(ddb_xfer_csv *c, char delim, const ddb_json *header_list, const ddb_json *defs)
{
    memset(c, 0, sizeof(*c));
    c->delim = delim;
    c->header_list = header_list;
    c->defs = defs;
    if ((c->hstarts = calloc(4 * DDB_CSV_MAX_COLUMNS, sizeof(size_t))) == NULL)
        abort();
    c->hlens = c->hstarts + DDB_CSV_MAX_COLUMNS;
    c->starts = c->hlens + DDB_CSV_MAX_COLUMNS;
    c->lens = c->starts + DDB_CSV_MAX_COLUMNS;
}

void ddb_xfer_csv_free(ddb_xfer_csv *c)
{
    ddb_buf_free(&c->header);
    ddb_buf_free(&c->rec);
    free(c->hstarts);
}

/* The declared type of attribute `name` (AttributeDefinitions), or 'S'. */
static char declared_type(const ddb_xfer_csv *c, const char *name, size_t n)
{
    for (uint32_t i = 0; c->defs != NULL && c->defs->type == DDB_JSON_ARRAY && i < c->defs->n; i++) {
        const char *a = ddb_json_get_str(c->defs->u.items[i], "AttributeName");
        const char *t = ddb_json_get_str(c->defs->u.items[i], "AttributeType");
        if (a != NULL && t != NULL && strlen(a) == n && memcmp(a, name, n) == 0)
            return t[0];
    }
    return 'S';
}

/* One CSV record from p (advanced past it) into fields (unquoted, in `store`); returns the count.
   *whole is 1 when it ended at a newline, 0 when at `end` (then, unless the object ends there, the
   record goes on past the text read so far). */
static size_t csv_record(const char **p, const char *end, char delim, ddb_buf *store, size_t *starts, size_t *lens,
                         size_t max, int *whole)
{
    size_t n = 0;

    store->len = 0;
    for (;;) {
        size_t start = store->len;
        if (*p < end && **p == '"') { /* (a delimiter last in the text read: a field after it, not a byte) */
            (*p)++;
            while (*p < end) {
                if (**p == '"' && *p + 1 < end && (*p)[1] == '"') {
                    ddb_buf_putc(store, '"');
                    *p += 2;
                } else if (**p == '"') {
                    (*p)++;
                    break;
                } else {
                    ddb_buf_putc(store, *(*p)++);
                }
            }
        }
        while (*p < end && **p != delim && **p != '\n' && !(**p == '\r' && *p + 1 < end && (*p)[1] == '\n'))
            ddb_buf_putc(store, *(*p)++);
        if (n < max) {
            starts[n] = start;
            lens[n++] = store->len - start;
        }
        if (*p < end && **p == delim) {
            (*p)++;
            continue;
        }
        if (*p < end && **p == '\r')
            (*p)++;
        *whole = *p < end && **p == '\n';
        if (*whole)
            (*p)++;
        return n;
    }
}

int ddb_xfer_csv_header(ddb_xfer_csv *c, const char **p, const char *end, int eof)
{
    const char *start = *p;
    int whole = 1;

    c->nh = 0;
    c->header.len = 0;
    if (c->header_list != NULL) {
        for (uint32_t i = 0; i < c->header_list->n && c->nh < DDB_CSV_MAX_COLUMNS; i++) {
            const ddb_json *h = c->header_list->u.items[i];
            c->hstarts[c->nh] = c->header.len;
            c->hlens[c->nh++] = h->n;
            ddb_buf_append(&c->header, h->u.s, h->n);
        }
    } else if (*p < end) {
        c->nh = csv_record(p, end, c->delim, &c->header, c->hstarts, c->hlens, DDB_CSV_MAX_COLUMNS, &whole);
    } else {
        whole = eof;
    }
    if (!whole && !eof) {
        *p = start;
        return -1;
    }
    return 1;
}

int ddb_xfer_csv_next(ddb_xfer_csv *c, const char **p, const char *end, int eof, const char *table, ddb_buf *body,
                      const char **msg)
{
    const char *start;
    size_t n;
    int whole;
    ddb_jw w;

    while (*p < end && (**p == '\n' || (**p == '\r' && *p + 1 < end && (*p)[1] == '\n'))) /* empty lines */
        *p += **p == '\r' ? 2 : 1;
    if (*p >= end)
        return eof ? 0 : -1;
    start = *p;
    n = csv_record(p, end, c->delim, &c->rec, c->starts, c->lens, DDB_CSV_MAX_COLUMNS, &whole);
    if (!whole && !eof) {
        *p = start;
        return -1;
    }
    *msg = n > c->nh && c->nh > 0 ? "The CSV record has more fields than the header" : NULL;
    if (table == NULL || *msg != NULL)
        return 1;
    ddb_xfer_body_begin(body, &w, table);
    ddb_jw_obj_begin(&w);
    for (size_t i = 0; i < n && i < c->nh; i++) {
        const char *name = c->header.data + c->hstarts[i], *v = c->rec.data + c->starts[i];
        char type[2] = {declared_type(c, name, c->hlens[i]), '\0'};
        if (c->lens[i] == 0)
            continue;
        ddb_jw_keyn(&w, name, c->hlens[i]);
        ddb_jw_tagged_str(&w, type, v, c->lens[i]);
    }
    ddb_jw_obj_end(&w);
    ddb_jw_obj_end(&w);
    return 1;
}
