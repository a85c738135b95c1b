/*
 * server/config_help.c: `ddbd --help`, written from the rows of server/options.def (the parser's
 * too, config.c): the synopsis (the README's, checked by tests/compat/test_options.py), a
 * paragraph per option, and DynamoDB Local's spellings.
 */
#include "server/config_help.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define HELP_WIDTH 100 /* lines at most */
#define HELP_COLUMN 21 /* where an option's help starts */

enum { SYN_NONE, SYN_OWN, SYN_OR, SYN_AND, SYN_LINE }; /* options.def's SYN */

/* What --help shows of an option: its row of options.def but how it is parsed and where it goes;
   its default is shown (after its help, with the note) when show is set. */
typedef struct option_doc {
    const char *name, *local, *arg;
    int syn;
    int show;
    const char *note, *help;
} option_doc;

#define HIDE_DEF 0, NULL
#define SHOW_DEF 1, ""
#define SHOW_DEF_NOTE(note) 1, note
static const option_doc docs[] = {
#define X(NAME, LOCAL, ARG, PARSE, SHOW, TO, SYN, HELP) {NAME, LOCAL, ARG, SYN, SHOW, HELP},
#include "server/options.def"
#undef X
};
#undef HIDE_DEF
#undef SHOW_DEF
#undef SHOW_DEF_NOTE

/* A line being filled: items go on it, separated by a space, until one would pass HELP_WIDTH;
   the next line starts at column indent. */
typedef struct help_line {
    FILE *out;
    int col, indent;
    int fresh; /* nothing on the line yet but its indent */
} help_line;

static void put_item(help_line *l, const char *item, size_t n)
{
    if (!l->fresh && l->col + 1 + (int)n > HELP_WIDTH) {
        fprintf(l->out, "\n%*s", l->indent, "");
        l->col = l->indent;
    } else if (!l->fresh) {
        fputc(' ', l->out);
        l->col++;
    }
    fwrite(item, 1, n, l->out);
    l->col += (int)n;
    l->fresh = 0;
}

static void put_words(help_line *l, const char *text)
{
    while (*(text += strspn(text, " ")) != '\0') {
        size_t n = strcspn(text, " ");

        put_item(l, text, n);
        text += n;
    }
}

/* Appends to the text of buf (size bytes, n used): cut short rather than overrun. */
static void appendf(char *buf, size_t size, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void appendf(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
    va_list ap;
    int k;

    va_start(ap, fmt);
    k = vsnprintf(buf + *n, size - *n, fmt, ap);
    va_end(ap);
    *n = k < 0 ? *n : *n + (size_t)k < size ? *n + (size_t)k : size - 1;
}

/* DASHES NAME[ ARG] */
static void append_spelling(char *buf, size_t size, size_t *n, const char *dashes, const char *name, const char *arg)
{
    appendf(buf, size, n, "%s%s%s%s", dashes, name, arg ? " " : "", arg ? arg : "");
}

/* `ddbd [--a A] [--b B | --c] [--d D --e E] ...`, then a line per one-shot option. */
static void print_synopsis(FILE *out)
{
    help_line l = {out, 4, 5, 0};
    char group[512];
    size_t n = 0;

    fputs("ddbd", out);
    for (size_t i = 0; i < NELEM(docs); i++) {
        const option_doc *d = &docs[i];

        if (d->syn == SYN_OWN || (n == 0 && (d->syn == SYN_OR || d->syn == SYN_AND))) {
            if (n > 0) {
                appendf(group, sizeof(group), &n, "]");
                put_item(&l, group, n);
            }
            n = 0;
            appendf(group, sizeof(group), &n, "[");
        } else if (d->syn == SYN_OR || d->syn == SYN_AND) {
            appendf(group, sizeof(group), &n, "%s", d->syn == SYN_OR ? " | " : " ");
        } else {
            continue;
        }
        append_spelling(group, sizeof(group), &n, "--", d->name, d->arg);
    }
    if (n > 0) {
        appendf(group, sizeof(group), &n, "]");
        put_item(&l, group, n);
    }
    fputc('\n', out);
    for (size_t i = 0; i < NELEM(docs); i++) {
        if (docs[i].syn == SYN_LINE) {
            n = 0;
            append_spelling(group, sizeof(group), &n, "ddbd --", docs[i].name, docs[i].arg);
            fprintf(out, "%s\n", group);
        }
    }
}

/* " (default D, note)": the row's default D, as ddb_config_parse sets it. */
static void put_default(help_line *l, const char *value, const char *note)
{
    char text[300];

    snprintf(text, sizeof(text), "(default %s%s)", value, note);
    put_words(l, text);
}

static void print_option(FILE *out, const option_doc *d, const char *value)
{
    char head[200];
    help_line l = {out, HELP_COLUMN, HELP_COLUMN, 1};
    size_t n = 0;

    append_spelling(head, sizeof(head), &n, "  --", d->name, d->arg);
    if (n + 2 <= HELP_COLUMN)
        fprintf(out, "%-*s", HELP_COLUMN, head);
    else
        fprintf(out, "%s\n%*s", head, HELP_COLUMN, "");
    put_words(&l, d->help);
    if (d->show)
        put_default(&l, value, d->note);
    fputc('\n', out);
}

static int same_note(const option_doc *a, const option_doc *b)
{
    return b != NULL && a->name == NULL && b->name == NULL && a->help != NULL && b->help != NULL &&
           strcmp(a->help, b->help) == 0;
}

/* DynamoDB Local's spellings; a note (a local-only row's help) follows the last of a run of rows
   that share it. */
static void print_local_spellings(FILE *out)
{
    help_line l = {out, 0, 0, 1};
    char item[300];

    put_words(&l, "A value may follow its option after '=' (--port=8000); a number of BYTES may end in K, M, G or T, "
                  "counted in 1024s (64MB, 1GiB). Every option may be spelled with one dash. DynamoDB Local's "
                  "spellings are accepted:");
    for (size_t i = 0; i < NELEM(docs); i++) {
        const option_doc *d = &docs[i], *next = NULL;
        size_t n = 0;

        if (d->local == NULL)
            continue;
        for (size_t j = i + 1; j < NELEM(docs) && next == NULL; j++)
            next = docs[j].local != NULL ? &docs[j] : NULL;
        append_spelling(item, sizeof(item), &n, "-", d->local, d->arg);
        if (d->name == NULL && d->help != NULL && !same_note(d, next)) {
            put_item(&l, item, n); /* a spelling is not broken across lines, its note is */
            n = 0;
            appendf(item, sizeof(item), &n, "(%s)%s", d->help, next != NULL ? "," : ";");
            put_words(&l, item);
        } else {
            appendf(item, sizeof(item), &n, "%s", next != NULL ? "," : ";");
            put_item(&l, item, n);
        }
    }
    put_words(&l, "and the JVM's arguments of DynamoDB Local's image (-jar FILE, -D..., -X...) are ignored, so a "
                  "compose file's command for amazon/dynamodb-local works unchanged.");
    fputc('\n', out);
}

void ddb_config_help(FILE *out, const char *const *defaults)
{
    fputs("Usage:\n", out);
    print_synopsis(out);
    fputs("\nA DynamoDB-compatible server.\n", out);
    for (size_t i = 0; i < NELEM(docs); i++) {
        if (docs[i].name != NULL && docs[i].help != NULL)
            print_option(out, &docs[i], defaults[i]);
        else if (docs[i].name == NULL && docs[i].local == NULL) /* a group's heading row */
            fprintf(out, "\n%s:\n", docs[i].help);
    }
    fputc('\n', out);
    print_local_spellings(out);
}
