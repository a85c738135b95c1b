/*
 * server/api/auth/keyfile.c: the --auth key file, read exactly (see keyfile.h).
 *
 * A key file is a security boundary written by hand: a mistake in it must stop ddbd with the line
 * that holds it, never widen a key. So the grammar is strict and every word has one reading:
 * the first two words are always the access key id and the secret; after them a word of the form
 * `lowercase=...` is an option (an unknown name is an error, so a misspelt option is never taken
 * for a session token; an option's name in another case, or any '=' inside a token, is an error
 * too, as no base64 token holds one), anything else is the account id (12 digits) or the session token, and they
 * come before the options. Values are checked for what they can mean: a table pattern holds only
 * the characters of a table name and `*`, an action only those of an operation name; an empty
 * value or list item is refused rather than read as "everything".
 */
#include "server/api/auth/keyfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/api/same_str.h"
#include "server/base/alloc.h"

#define GRAMMAR                                                                                                      \
    "expected ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID [SESSION_TOKEN]] [name=USER] [allow=ACTIONS] "             \
    "[tables=PATTERNS] [rights=RIGHTS] [buckets=PATTERNS]"
#define QUOTE_MAX 80 /* the longest value an error quotes */

typedef struct word {
    const char *p;
    size_t n;
} word;

enum { OPT_NAME, OPT_ALLOW, OPT_TABLES, OPT_RIGHTS, OPT_BUCKETS, OPT__COUNT };
static const char *const OPTION_NAMES[OPT__COUNT] = {"name", "allow", "tables", "rights", "buckets"};
static const struct right {
    const char *name;
    unsigned bit;
} RIGHTS[] = {{"admin", DDB_RIGHT_ADMIN}, {"metrics", DDB_RIGHT_METRICS}};
#define NRIGHTS (sizeof(RIGHTS) / sizeof(RIGHTS[0]))

static int fail(char **err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
        *err = NULL;
    va_end(ap);
    return -1;
}

static int quote_len(size_t n)
{
    return (int)(n < QUOTE_MAX ? n : QUOTE_MAX);
}

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Every byte of w is alnum or in `extra`, and w is not empty. */
static int only(word w, const char *extra)
{
    if (w.n == 0)
        return 0;
    for (size_t i = 0; i < w.n; i++)
        if (!is_alnum((unsigned char)w.p[i]) && (w.p[i] == 0 || strchr(extra, w.p[i]) == NULL))
            return 0;
    return 1;
}

/* The length of an option's name when w reads `lowercase=...`, else 0. */
static size_t option_form(word w)
{
    size_t i = 0;

    while (i < w.n && w.p[i] >= 'a' && w.p[i] <= 'z')
        i++;
    return i > 0 && i < w.n && w.p[i] == '=' ? i : 0;
}

static int option_index(const char *name, size_t n)
{
    for (int i = 0; i < OPT__COUNT; i++)
        if (strlen(OPTION_NAMES[i]) == n && memcmp(OPTION_NAMES[i], name, n) == 0)
            return i;
    return -1;
}

/* The option w names in any case (`Tables=...`, `RIGHTS=...`), else -1: such a word was once read
   as the session token, and a client sending it as its token had the key's rights without the
   option's limit (issue 51). */
static int option_in_any_case(word w)
{
    const char *eq = memchr(w.p, '=', w.n);
    size_t n = eq ? (size_t)(eq - w.p) : 0;

    for (int i = 0; n > 0 && i < OPT__COUNT; i++)
        if (strlen(OPTION_NAMES[i]) == n && strncasecmp(OPTION_NAMES[i], w.p, n) == 0)
            return i;
    return -1;
}

/* w holds a '=' followed by something else than '=': no base64 session token does (its '=' only
   pads its end), but a NAME=VALUE option does. */
static int inner_equals(word w)
{
    const char *eq = memchr(w.p, '=', w.n);

    while (eq != NULL && eq < w.p + w.n && *eq == '=')
        eq++;
    return eq != NULL && eq < w.p + w.n;
}

/* The option whose name, in any case, w is alone or begins with before a character other than a
   letter or digit (`TABLES`, `tables:test_*`, `Rights-admin`), else -1: such a word was read as
   the session token, and a client sending it had the key without the option's limit (issue 61). */
static int option_misspelt(word w)
{
    for (int i = 0; i < OPT__COUNT; i++) {
        size_t n = strlen(OPTION_NAMES[i]);
        if (w.n >= n && strncasecmp(OPTION_NAMES[i], w.p, n) == 0 && (w.n == n || !is_alnum((unsigned char)w.p[n])))
            return i;
    }
    return -1;
}

/* The first byte of w that no session token holds, or NULL: a token is base64 (an STS token's
   alphabet, letters, digits, '+' and '/', or the URL-safe one's '-' and '_'), '=' padding its end. */
static const char *not_base64(word w)
{
    size_t end = w.n;

    while (end > 0 && w.p[end - 1] == '=')
        end--;
    for (size_t i = 0; i < end; i++)
        if (!is_alnum((unsigned char)w.p[i]) && strchr("+/-_", w.p[i]) == NULL)
            return w.p + i;
    return NULL;
}

/* ---------------------------------------------------------------- values */

/* an operation or IAM action name, or `read`, with * wildcards, after an optional `dynamodb:` */
static int action_ok(word w)
{
    if (w.n > 9 && memcmp(w.p, "dynamodb:", 9) == 0)
        w.p += 9, w.n -= 9;
    return only(w, "*");
}

/* the characters of a table name (3 to 255 of [A-Za-z0-9_.-]) and * wildcards */
static int table_pattern_ok(word w)
{
    return only(w, "_.-*") && w.n <= 255;
}

/* a bucket's name (the characters DynamoDB's S3Bucket pattern allows) with * and ? wildcards,
   optionally followed by '/' and a key prefix of printable characters (no ',': the list's separator) */
static int bucket_pattern_ok(word w)
{
    const char *slash = memchr(w.p, '/', w.n);
    word bucket = {w.p, slash ? (size_t)(slash - w.p) : w.n};

    return only(bucket, "_.-*?") && w.n <= 1024 + 256;
}

static unsigned right_bit(word w)
{
    for (size_t i = 0; i < NRIGHTS; i++)
        if (strlen(RIGHTS[i].name) == w.n && memcmp(RIGHTS[i].name, w.p, w.n) == 0)
            return RIGHTS[i].bit;
    return 0;
}

static int right_ok(word w)
{
    return right_bit(w) != 0;
}

/* What each list option holds, to check an item and word the error. */
static const struct list_rule {
    int (*ok)(word);
    const char *what, *left_out;
} LIST_RULES[OPT__COUNT] = {
    [OPT_ALLOW] = {action_ok, "an action (an operation name or read, with * wildcards, optionally dynamodb:...)",
                   "every operation"},
    [OPT_TABLES] = {table_pattern_ok, "a table name pattern (letters, digits, '_', '.', '-' and * wildcards)",
                    "every table"},
    [OPT_RIGHTS] = {right_ok, "a right (admin, metrics)", "no right beyond the API"},
    [OPT_BUCKETS] = {bucket_pattern_ok,
                     "a bucket pattern (a bucket name with * and ? wildcards, optionally /PREFIX)",
                     "no bucket beyond the tables' exports"},
};

/* A comma-separated list: every item present and valid, else -1. Items are copied to *out, or
   with out NULL (rights=) or-ed into *bits. */
static int parse_list(int opt, word v, char ***out, size_t *n, unsigned *bits, char **err)
{
    const struct list_rule *r = &LIST_RULES[opt];
    const char *p = v.p, *end = v.p + v.n;

    if (v.n == 0)
        return fail(err, "%s= is empty: name at least one item, or leave %s= out for %s", OPTION_NAMES[opt],
                    OPTION_NAMES[opt], r->left_out);
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        word item = {p, (size_t)((comma ? comma : end) - p)};
        if (item.n == 0)
            return fail(err, "%s=%.*s has an empty item (two commas, or a comma at an end)", OPTION_NAMES[opt],
                        quote_len(v.n), v.p);
        if (!r->ok(item))
            return fail(err, "%s= item '%.*s' is not %s", OPTION_NAMES[opt], quote_len(item.n), item.p, r->what);
        if (out != NULL) {
            *out = realloc(*out, sizeof(**out) * (*n + 1));
            (*out)[(*n)++] = strndup(item.p, item.n);
        } else {
            *bits |= right_bit(item);
        }
        if (comma == NULL)
            return 0;
        p = comma + 1;
    }
}

/* name=: an IAM user name, 1 to 64 of [A-Za-z0-9+=,.@_-] (it is shown in AccessDeniedException's ARN) */
static int parse_name(word v, ddb_auth_key *k, char **err)
{
    if (v.n == 0)
        return fail(err, "name= is empty: give the IAM user name, or leave name= out for the access key id");
    if (!only(v, "+=,.@_-") || v.n > 64)
        return fail(err, "name= '%.*s' is not an IAM user name (1 to 64 letters, digits and +=,.@_-)", quote_len(v.n),
                    v.p);
    k->user = strndup(v.p, v.n);
    return 0;
}

static int parse_option(word w, size_t nlen, unsigned *seen, ddb_auth_key *k, char **err)
{
    int opt = option_index(w.p, nlen);
    word v = {w.p + nlen + 1, w.n - nlen - 1};

    if (opt < 0)
        return fail(err, "unknown option '%.*s=' (the options are name=, allow=, tables=, rights= and buckets=)",
                    quote_len(nlen), w.p);
    if (*seen & (1u << opt))
        return fail(err, "%s= is given twice", OPTION_NAMES[opt]);
    *seen |= 1u << opt;
    switch (opt) {
    case OPT_NAME:
        return parse_name(v, k, err);
    case OPT_ALLOW:
        return parse_list(opt, v, &k->allow, &k->nallow, NULL, err);
    case OPT_TABLES:
        return parse_list(opt, v, &k->tables, &k->ntables, NULL, err);
    case OPT_BUCKETS:
        return parse_list(opt, v, &k->buckets, &k->nbuckets, NULL, err);
    default:
        return parse_list(opt, v, NULL, NULL, &k->rights, err);
    }
}

/* ---------------------------------------------------------------- fields */

/* The third and fourth words: the account id and the session token. */
static int parse_positional(word w, size_t index, ddb_auth_key *k, char **err)
{
    if (w.p[0] == '#')
        return fail(err, "word %zu starts with '#': a comment is a line of its own (its first non-blank character "
                         "'#'), never the end of a key's line",
                    index + 1);
    if (index == 2) {
        size_t digits = 0;
        while (digits < w.n && w.p[digits] >= '0' && w.p[digits] <= '9')
            digits++;
        if (w.n != 12 || digits != 12)
            return fail(err, "ACCOUNT_ID (word 3) must be 12 digits (%s)", GRAMMAR);
        k->account = strndup(w.p, w.n);
        return 0;
    }
    if (index == 3) {
        const char *bad;
        int opt;
        if (inner_equals(w))
            return fail(err, "SESSION_TOKEN (word 4) holds '=' before its end: a session token is base64, whose '=' "
                             "only pads its end, and an option is lowercase NAME=VALUE (%s)",
                        GRAMMAR);
        if ((opt = option_misspelt(w)) >= 0)
            return fail(err, "word 4 reads as the option %s= misspelt: options are lowercase NAME=VALUE, write %s= "
                             "(%s)",
                        OPTION_NAMES[opt], OPTION_NAMES[opt], GRAMMAR);
        if ((bad = not_base64(w)) != NULL)
            return fail(err, "SESSION_TOKEN (word 4) holds '%c' (byte %zu): a session token is base64, letters, digits, "
                             "'+', '/' (or '-', '_') and '=' padding its end (%s)",
                        *bad, (size_t)(bad - w.p) + 1, GRAMMAR);
        k->token = strndup(w.p, w.n);
        return 0;
    }
    return fail(err, "word %zu is one too many: %s", index + 1, GRAMMAR);
}

/* The words of a line; -1 when it holds a byte no key file line holds. */
static int split_words(const char *line, size_t len, word **out, size_t *n, char **err)
{
    size_t i = 0;

    *out = NULL;
    *n = 0;
    for (size_t j = 0; j < len; j++) {
        unsigned char c = (unsigned char)line[j];
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(err, "byte %zu is a control character (0x%02x): a key's line holds printable characters, "
                             "spaces and tabs",
                        j + 1, c);
    }
    while (i < len) {
        size_t start;
        while (i < len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == len)
            break;
        start = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        *out = realloc(*out, sizeof(**out) * (*n + 1));
        (*out)[(*n)++] = (word){line + start, i - start};
    }
    return 0;
}

static int parse_words(const word *w, size_t n, ddb_auth_key *k, char **err)
{
    unsigned seen = 0;
    size_t nlen;
    int opt;

    if (!only(w[0], ""))
        return fail(err, "ACCESS_KEY_ID (word 1) must be letters and digits, as a signed request's is (%s)", GRAMMAR);
    if (n < 2)
        return fail(err, "%s: SECRET_ACCESS_KEY is missing", GRAMMAR);
    if ((opt = option_in_any_case(w[1])) >= 0)
        return fail(err, "SECRET_ACCESS_KEY (word 2) reads as the option %s=: is the secret missing? (%s)",
                    OPTION_NAMES[opt], GRAMMAR);
    k->access_key = strndup(w[0].p, w[0].n);
    k->secret = strndup(w[1].p, w[1].n);
    for (size_t i = 2; i < n; i++) {
        if ((nlen = option_form(w[i])) > 0) {
            if (parse_option(w[i], nlen, &seen, k, err) != 0)
                return -1;
        } else if ((opt = option_in_any_case(w[i])) >= 0) {
            return fail(err, "word %zu reads as the option %s= in another case: options are lowercase, write %s=",
                        i + 1, OPTION_NAMES[opt], OPTION_NAMES[opt]);
        } else if (seen != 0) {
            return fail(err, "word %zu is no option (NAME=VALUE) but comes after one: ACCOUNT_ID and SESSION_TOKEN "
                             "come right after the secret (%s)",
                        i + 1, GRAMMAR);
        } else if (parse_positional(w[i], i, k, err) != 0) {
            return -1;
        }
    }
    return 0;
}

int ddb_keyfile_parse_line(const char *line, size_t len, ddb_auth_key *out, char **err)
{
    word *w;
    size_t n;
    int rc;

    memset(out, 0, sizeof(*out));
    *err = NULL;
    if (len > 0 && line[len - 1] == '\r') /* a file written with CRLF line ends */
        len--;
    if (split_words(line, len, &w, &n, err) != 0)
        return -1;
    if (n == 0 || w[0].p[0] == '#') {
        free(w);
        return 0;
    }
    rc = parse_words(w, n, out, err);
    free(w);
    if (rc != 0) {
        ddb_keyfile_key_free(out);
        return -1;
    }
    return 1;
}

/* ---------------------------------------------------------------- the key as a line */

static void put_list(FILE *f, const char *opt, char *const *v, size_t n)
{
    if (n == 0)
        return;
    fprintf(f, " %s=", opt);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? "," : "", v[i]);
}

char *ddb_keyfile_format(const ddb_auth_key *k)
{
    char *out = NULL;
    size_t len = 0;
    FILE *f;

    if (k->access_key == NULL || k->secret == NULL || (k->token != NULL && k->account == NULL) ||
        (f = open_memstream(&out, &len)) == NULL)
        return NULL;
    fprintf(f, "%s %s", k->access_key, k->secret);
    if (k->account != NULL)
        fprintf(f, " %s", k->account);
    if (k->token != NULL)
        fprintf(f, " %s", k->token);
    if (k->user != NULL)
        fprintf(f, " name=%s", k->user);
    put_list(f, "allow", k->allow, k->nallow);
    put_list(f, "tables", k->tables, k->ntables);
    for (size_t i = 0, first = 1; i < NRIGHTS; i++)
        if (k->rights & RIGHTS[i].bit) {
            fprintf(f, "%s%s", first ? " rights=" : ",", RIGHTS[i].name);
            first = 0;
        }
    put_list(f, "buckets", k->buckets, k->nbuckets);
    if (fclose(f) != 0) {
        free(out);
        return NULL;
    }
    return out;
}

static int same_list(char *const *a, size_t na, char *const *b, size_t nb)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (strcmp(a[i], b[i]) != 0)
            return 0;
    return 1;
}

int ddb_keyfile_key_equal(const ddb_auth_key *a, const ddb_auth_key *b)
{
    return same_str(a->access_key, b->access_key) && same_str(a->secret, b->secret) &&
           same_str(a->account, b->account) && same_str(a->token, b->token) && same_str(a->user, b->user) &&
           same_list(a->allow, a->nallow, b->allow, b->nallow) &&
           same_list(a->tables, a->ntables, b->tables, b->ntables) && a->rights == b->rights &&
           same_list(a->buckets, a->nbuckets, b->buckets, b->nbuckets);
}

/* A secret's bytes are wiped before its memory is given back. */
static void free_secret(char *s)
{
    if (s != NULL) {
        explicit_bzero(s, strlen(s));
        free(s);
    }
}

void ddb_keyfile_key_free(ddb_auth_key *k)
{
    free(k->access_key);
    free_secret(k->secret);
    free(k->account);
    free_secret(k->token);
    free(k->user);
    ddb_free_strings(k->allow, k->nallow);
    ddb_free_strings(k->tables, k->ntables);
    ddb_free_strings(k->buckets, k->nbuckets);
    memset(k, 0, sizeof(*k));
}

/* ---------------------------------------------------------------- the file */

/* The line buffer, wiped (it held secrets) and freed. */
static void free_line(char *line, size_t cap)
{
    if (line != NULL) {
        explicit_bzero(line, cap);
        free(line);
    }
}

static int read_fail(char *line, size_t cap, ddb_auth_key *keys, size_t n, char **err, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (vasprintf(err, fmt, ap) < 0)
        *err = NULL;
    va_end(ap);
    free_line(line, cap);
    for (size_t i = 0; i < n; i++)
        ddb_keyfile_key_free(&keys[i]);
    free(keys);
    return -1;
}

int ddb_keyfile_read(FILE *f, const char *name, ddb_auth_key **keys, size_t *n, char **err)
{
    char *line = NULL, *why;
    size_t cap = 0, cnt = 0;
    unsigned long lineno = 0, *lines = NULL;
    ddb_auth_key *v = NULL, k;
    ssize_t len;

    while ((len = getline(&line, &cap, f)) >= 0) {
        int rc;
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            len--;
        if ((rc = ddb_keyfile_parse_line(line, (size_t)len, &k, &why)) < 0) {
            rc = read_fail(line, cap, v, cnt, err, "--auth %s:%lu: %s", name, lineno, why ? why : "out of memory");
            free(why);
            free(lines);
            return rc;
        }
        if (rc == 0)
            continue;
        for (size_t i = 0; i < cnt; i++)
            if (strcmp(v[i].access_key, k.access_key) == 0) {
                rc = read_fail(line, cap, v, cnt, err, "--auth %s:%lu: access key id %s is already on line %lu", name, lineno,
                               k.access_key, lines[i]);
                ddb_keyfile_key_free(&k);
                free(lines);
                return rc;
            }
        v = realloc(v, sizeof(*v) * (cnt + 1));
        lines = realloc(lines, sizeof(*lines) * (cnt + 1));
        lines[cnt] = lineno;
        v[cnt++] = k;
    }
    free(lines);
    if (ferror(f))
        return read_fail(line, cap, v, cnt, err, "--auth %s: %s", name, strerror(errno));
    free_line(line, cap);
    *keys = v;
    *n = cnt;
    return 0;
}
