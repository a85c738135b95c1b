/*
 * tests/unit/api/test_keyfile.c: the --auth key file parser (server/api/auth/keyfile.c). Every line it
 * accepts is read exactly and round-trips (formatted back and parsed again: the same key, no
 * truncation, no split), over generated lines: secrets holding '#', '=', ',' and bytes past ASCII,
 * lines far longer than the 4,095 bytes the old reader cut them at, every option in any order,
 * blanks and CRLF ends, and the same lines mutated at random. Every mistake it refuses is refused
 * with its reason and without quoting the secret.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/api/auth/keyfile.h"
#include "test.h"

static int parse(const char *line, ddb_auth_key *k, char **err)
{
    return ddb_keyfile_parse_line(line, strlen(line), k, err);
}

TEST(a_line_is_read_field_by_field)
{
    ddb_auth_key k;
    char *err;

    ASSERT_EQ(parse("  AKID\tse#cr=et,x 111122223333 tok/en== name=ci@x allow=read,dynamodb:Put* "
                    "tables=test_*,orders rights=metrics,admin\r",
                    &k, &err),
              1);
    ASSERT_STR_EQ(k.access_key, "AKID");
    ASSERT_STR_EQ(k.secret, "se#cr=et,x");
    ASSERT_STR_EQ(k.account, "111122223333");
    ASSERT_STR_EQ(k.token, "tok/en==");
    ASSERT_STR_EQ(k.user, "ci@x");
    ASSERT_EQ(k.nallow, 2);
    ASSERT_STR_EQ(k.allow[1], "dynamodb:Put*");
    ASSERT_EQ(k.ntables, 2);
    ASSERT_STR_EQ(k.tables[0], "test_*");
    ASSERT_EQ(k.rights, DDB_RIGHT_ADMIN | DDB_RIGHT_METRICS);
    ddb_keyfile_key_free(&k);
    ASSERT_EQ(parse("AKID s", &k, &err), 1);
    ASSERT(k.account == NULL && k.token == NULL && k.user == NULL && k.nallow == 0 && k.ntables == 0 &&
           k.rights == 0);
    ddb_keyfile_key_free(&k);
}

TEST(comments_and_blank_lines_are_skipped)
{
    static const char *const lines[] = {"", "   ", "\t", "\r", "#", "# AKID secret", "  \t# AKID secret tables="};
    ddb_auth_key k;
    char *err;

    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        ASSERT_EQ(parse(lines[i], &k, &err), 0);
}

TEST(mistakes_are_refused_with_their_reason)
{
    static const struct {
        const char *line, *why;
    } cases[] = {
        {"AKID", "SECRET_ACCESS_KEY is missing"},
        {"AKID SECRETMARK # a comment", "a comment is a line of its own"},
        {"AKID SECRETMARK 111122223333 #tok", "word 4 starts with '#'"},
        {"AKID SECRETMARK tables=", "tables= is empty"},
        {"AKID SECRETMARK allow=", "allow= is empty"},
        {"AKID SECRETMARK rights=", "rights= is empty"},
        {"AKID SECRETMARK name=", "name= is empty"},
        {"AKID SECRETMARK tables=a,,b", "has an empty item"},
        {"AKID SECRETMARK tables=a,", "has an empty item"},
        {"AKID SECRETMARK allow=,GetItem", "has an empty item"},
        {"AKID SECRETMARK tables=arn:aws:dynamodb:*", "is not a table name pattern"},
        {"AKID SECRETMARK tables=a?", "is not a table name pattern"},
        {"AKID SECRETMARK allow=s3:GetObject", "is not an action"},
        {"AKID SECRETMARK rights=root", "is not a right"},
        {"AKID SECRETMARK rights=admin,Admin", "is not a right"},
        {"AKID SECRETMARK name=a/b", "is not an IAM user name"},
        {"AKID SECRETMARK tabels=a", "unknown option 'tabels='"},
        {"AKID SECRETMARK tables=a tables=b", "tables= is given twice"},
        {"AKID SECRETMARK rights=admin rights=metrics", "rights= is given twice"},
        {"AKID SECRETMARK 12345", "ACCOUNT_ID (word 3) must be 12 digits"},
        {"AKID SECRETMARK 11112222333x", "ACCOUNT_ID (word 3) must be 12 digits"},
        {"AKID SECRETMARK 111122223333 tok more", "word 5 is one too many"},
        {"AKID SECRETMARK name=ci 111122223333", "comes after one"},
        {"AKID allow=read", "reads as the option allow=: is the secret missing?"},
        {"AKID Allow=read", "reads as the option allow=: is the secret missing?"},
        {"AKID SECRETMARK 111122223333 Tables=test_*", "word 4 reads as the option tables= in another case"},
        {"AKID SECRETMARK 111122223333 RIGHTS=admin", "word 4 reads as the option rights= in another case"},
        {"AKID SECRETMARK buckets=", "buckets= is empty"},
        {"AKID SECRETMARK buckets=a,,b", "has an empty item"},
        {"AKID SECRETMARK buckets=/prefix", "is not a bucket pattern"},
        {"AKID SECRETMARK buckets=b[0-9]", "is not a bucket pattern"},
        {"AKID SECRETMARK buckets=a buckets=b", "buckets= is given twice"},
        {"AKID SECRETMARK 111122223333 Buckets=a", "word 4 reads as the option buckets= in another case"},
        {"AKID SECRETMARK Tables=test_*", "word 3 reads as the option tables= in another case"},
        {"AKID SECRETMARK 111122223333 tables=a Name=ci", "word 5 reads as the option name= in another case"},
        {"AKID SECRETMARK 111122223333 Tabels=test_*", "SESSION_TOKEN (word 4) holds '=' before its end"},
        {"AKID SECRETMARK 111122223333 FwoG=ZXIv", "SESSION_TOKEN (word 4) holds '=' before its end"},
        {"AKID SECRETMARK 111122223333 tables:test_*", "word 4 reads as the option tables= misspelt"},
        {"AKID SECRETMARK 111122223333 TABLES", "word 4 reads as the option tables= misspelt"},
        {"AKID SECRETMARK 111122223333 rights", "word 4 reads as the option rights= misspelt"},
        {"AKID SECRETMARK 111122223333 FwoG:ZXIv", "SESSION_TOKEN (word 4) holds ':' (byte 5)"},
        {"AKID SECRETMARK 111122223333 tok*", "SESSION_TOKEN (word 4) holds '*' (byte 4)"},
        {"AK-ID SECRETMARK", "ACCESS_KEY_ID (word 1) must be letters and digits"},
        {"AKID SECRET\x01MARK", "control character (0x01)"},
        {"AKID SECRETMARK\x7f", "control character (0x7f)"},
    };
    ddb_auth_key k;
    char *err;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = parse(cases[i].line, &k, &err);
        if (rc != -1 || err == NULL || strstr(err, cases[i].why) == NULL || strstr(err, "SECRETMARK") != NULL)
            ddb_test_fail(__FILE__, __LINE__, "'%s': %d, %s", cases[i].line, rc, err ? err : "(no message)");
        ASSERT(k.access_key == NULL && k.secret == NULL); /* nothing left behind */
        free(err);
    }
    /* a NUL inside the line is a control character, not its end */
    ASSERT_EQ(ddb_keyfile_parse_line("AKID sec\0ret", 12, &k, &err), -1);
    ASSERT(strstr(err, "byte 9") != NULL);
    free(err);
}

/* buckets= (issue 51, finding 4): whole buckets or bucket/prefix places, with * and ? */
TEST(buckets_are_read_and_written_back)
{
    const char *line = "AKID SECRETMARK 111122223333 tables=test_* buckets=exp?rts,other/mine/*,x/a[b]";
    ddb_auth_key k, again;
    char *err = NULL, *text;

    ASSERT_EQ(parse(line, &k, &err), 1);
    ASSERT_EQ(k.nbuckets, 3);
    ASSERT_STR_EQ(k.buckets[0], "exp?rts");
    ASSERT_STR_EQ(k.buckets[1], "other/mine/*");
    ASSERT_STR_EQ(k.buckets[2], "x/a[b]"); /* a prefix's '[' is a character, never a class */
    text = ddb_keyfile_format(&k);
    ASSERT_STR_EQ(text, line);
    ASSERT_EQ(parse(text, &again, &err), 1);
    ASSERT(ddb_keyfile_key_equal(&k, &again));
    free(text);
    ddb_keyfile_key_free(&k);
    ddb_keyfile_key_free(&again);
}

/* ---------------------------------------------------------------- generated lines */

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static size_t below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* n random bytes of `alphabet` (NUL-terminated, malloc'd) */
static char *random_word(const char *alphabet, size_t n)
{
    size_t na = strlen(alphabet);
    char *s = malloc(n + 1);

    for (size_t i = 0; i < n; i++)
        s[i] = alphabet[below(na)];
    s[n] = 0;
    return s;
}

static const char ALNUM[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/* a secret's bytes: printable ASCII but blanks, '#', '=', ',' among them, and bytes past ASCII */
static const char SECRET_BYTES[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                                   "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~####====,,,,\xc3\xa9\xe2\x82\xac";

/* How long a secret is: mostly short, often past the 4,095 bytes the old reader cut a line at. */
static size_t secret_length(void)
{
    static const size_t around[] = {1, 40, 4000, 4080, 4095, 4096, 4100, 9000};
    size_t n = around[below(sizeof(around) / sizeof(around[0]))] + below(40);
    return n;
}

static char **random_list(const char *const *pool, size_t npool, size_t *n)
{
    char **v;

    *n = 1 + below(4);
    v = malloc(sizeof(*v) * *n);
    for (size_t i = 0; i < *n; i++)
        v[i] = strdup(pool[below(npool)]);
    return v;
}

/* A key the grammar can hold, every field drawn at random. */
static void random_key(ddb_auth_key *k)
{
    static const char *const actions[] = {"read", "*", "GetItem", "dynamodb:Query", "Describe*", "PartiQLSelect"};
    static const char *const tables[] = {"orders", "test_*", "*", "a.b-c_d", "*east*", "T1"};

    memset(k, 0, sizeof(*k));
    k->access_key = random_word(ALNUM, 1 + below(30));
    do {
        free(k->secret);
        k->secret = random_word(SECRET_BYTES, secret_length());
    } while (strncasecmp(k->secret, "name=", 5) == 0 || strncasecmp(k->secret, "allow=", 6) == 0 ||
             strncasecmp(k->secret, "tables=", 7) == 0 || strncasecmp(k->secret, "rights=", 7) == 0);
    if (below(2)) {
        k->account = random_word("0123456789", 12);
        if (below(2)) { /* a session token: base64, as STS's are, at most 5000 bytes, '=' only its padding */
            size_t n = 1 + below(5000), pad = below(3);
            k->token = random_word("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", n);
            k->token[0] = 'F';
            for (size_t i = 1; i <= pad && i < n; i++)
                k->token[n - i] = '=';
        }
    }
    if (below(2))
        k->user = random_word("abcXYZ019+=,.@_-", 1 + below(64));
    if (below(2))
        k->allow = random_list(actions, sizeof(actions) / sizeof(actions[0]), &k->nallow);
    if (below(2))
        k->tables = random_list(tables, sizeof(tables) / sizeof(tables[0]), &k->ntables);
    k->rights = (unsigned)below(4);
}

static void put_blanks(FILE *f, int at_least_one)
{
    size_t n = (size_t)at_least_one + below(3);

    for (size_t i = 0; i < n; i++)
        fputc(below(2) ? ' ' : '\t', f);
}

static void put_list(FILE *f, const char *name, char **v, size_t n)
{
    fprintf(f, "%s=", name);
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i ? "," : "", v[i]);
}

/* The key written as a person might: blanks of any kind and number, options in any order, the
   rights in either order, a CRLF end now and then. */
static char *render(const ddb_auth_key *k)
{
    char *out = NULL;
    size_t len = 0, order[4] = {0, 1, 2, 3};
    FILE *f = open_memstream(&out, &len);

    put_blanks(f, 0);
    fprintf(f, "%s", k->access_key);
    put_blanks(f, 1);
    fprintf(f, "%s", k->secret);
    if (k->account) {
        put_blanks(f, 1);
        fprintf(f, "%s", k->account);
    }
    if (k->token) {
        put_blanks(f, 1);
        fprintf(f, "%s", k->token);
    }
    for (size_t i = 3; i > 0; i--) {
        size_t j = below(i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (size_t i = 0; i < 4; i++) {
        int o = (int)order[i];
        if ((o == 0 && !k->user) || (o == 1 && !k->nallow) || (o == 2 && !k->ntables) || (o == 3 && !k->rights))
            continue;
        put_blanks(f, 1);
        if (o == 0)
            fprintf(f, "name=%s", k->user);
        else if (o == 1)
            put_list(f, "allow", k->allow, k->nallow);
        else if (o == 2)
            put_list(f, "tables", k->tables, k->ntables);
        else if (k->rights == 3)
            fprintf(f, below(2) ? "rights=admin,metrics" : "rights=metrics,admin");
        else
            fprintf(f, "rights=%s", k->rights == 1 ? "admin" : "metrics");
    }
    put_blanks(f, 0);
    if (below(8) == 0)
        fputc('\r', f);
    fclose(f);
    return out;
}

/* An accepted line: formatted back, it parses to the same key, and formats to the same text. */
static int round_trips(const ddb_auth_key *k)
{
    ddb_auth_key again;
    char *line = ddb_keyfile_format(k), *line2 = NULL, *err = NULL;
    int ok = line != NULL && parse(line, &again, &err) == 1;

    if (ok) {
        ok = ddb_keyfile_key_equal(k, &again) && (line2 = ddb_keyfile_format(&again)) != NULL &&
             strcmp(line, line2) == 0;
        ddb_keyfile_key_free(&again);
    }
    free(line);
    free(line2);
    free(err);
    return ok;
}

TEST(every_generated_line_is_read_exactly_and_round_trips)
{
    size_t longer = 0;

    for (int i = 0; i < 3000; i++) {
        ddb_auth_key want, got;
        char *line, *err = NULL;
        int rc;

        random_key(&want);
        line = render(&want);
        longer += strlen(line) > 4096;
        rc = parse(line, &got, &err);
        if (rc != 1 || !ddb_keyfile_key_equal(&want, &got))
            ddb_test_fail(__FILE__, __LINE__, "line %d (%zu bytes) not read exactly: %d %s", i, strlen(line), rc,
                          err ? err : "");
        ASSERT(rc == 1 && ddb_keyfile_key_equal(&want, &got));
        ASSERT(round_trips(&got));
        ddb_keyfile_key_free(&want);
        ddb_keyfile_key_free(&got);
        free(line);
    }
    ASSERT(longer > 300); /* the generator does reach past the old 4,095-byte cut */
}

/* The generated lines with bytes inserted, deleted or overwritten: whatever is accepted round-trips. */
TEST(mutated_lines_either_fail_or_round_trip)
{
    static const char noise[] = " \t#=,*:_AZaz09\xc3\r";
    size_t accepted = 0, refused = 0;

    for (int i = 0; i < 4000; i++) {
        ddb_auth_key k;
        char *line, *err = NULL;
        size_t len;
        int rc;

        random_key(&k);
        line = render(&k);
        ddb_keyfile_key_free(&k);
        len = strlen(line);
        line = realloc(line, len + 8);
        for (int m = 0, nm = 1 + (int)below(3); m < nm; m++) {
            size_t at = below(len + 1);
            switch (below(3)) {
            case 0: /* insert */
                memmove(line + at + 1, line + at, len - at + 1);
                line[at] = noise[below(sizeof(noise) - 1)];
                len++;
                break;
            case 1: /* delete */
                if (at < len) {
                    memmove(line + at, line + at + 1, len - at);
                    len--;
                }
                break;
            default: /* overwrite */
                if (at < len)
                    line[at] = noise[below(sizeof(noise) - 1)];
            }
            line = realloc(line, len + 8);
        }
        rc = ddb_keyfile_parse_line(line, len, &k, &err);
        if (rc == 1) {
            accepted++;
            ASSERT(round_trips(&k));
            ddb_keyfile_key_free(&k);
        } else if (rc == -1) {
            refused++;
            ASSERT(err != NULL);
        }
        free(err);
        free(line);
    }
    ASSERT(accepted > 100 && refused > 100);
}

/* ---------------------------------------------------------------- the file */

static int read_text(const char *text, ddb_auth_key **keys, size_t *n, char **err)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    int rc = ddb_keyfile_read(f, "keys.txt", keys, n, err);

    fclose(f);
    return rc;
}

TEST(a_file_of_keys_with_a_long_line)
{
    size_t n, slen = 6000;
    ddb_auth_key *keys;
    char *err = NULL, *secret = random_word(ALNUM, slen), *text;

    ASSERT(asprintf(&text, "# keys\n\nAKIDA a#b\r\n  # indented comment\nAKIDLONG %s 111122223333 allow=read\nAKIDB b",
                    secret) > 0);
    ASSERT_EQ(read_text(text, &keys, &n, &err), 0);
    ASSERT_EQ(n, 3);
    ASSERT_STR_EQ(keys[0].secret, "a#b");
    ASSERT_STR_EQ(keys[1].secret, secret); /* whole: no tail became a key of its own */
    ASSERT_EQ(keys[1].nallow, 1);
    ASSERT_STR_EQ(keys[2].access_key, "AKIDB");
    for (size_t i = 0; i < n; i++)
        ddb_keyfile_key_free(&keys[i]);
    free(keys);
    free(text);
    free(secret);
}

TEST(a_file_error_names_its_line)
{
    size_t n = 0;
    ddb_auth_key *keys = NULL;
    char *err = NULL;

    ASSERT_EQ(read_text("AKIDA a\n# c\nAKIDB b tables=\n", &keys, &n, &err), -1);
    ASSERT_STR_EQ(err, "--auth keys.txt:3: tables= is empty: name at least one item, or leave tables= out for every "
                       "table");
    free(err);
    ASSERT_EQ(read_text("AKIDA a\n\nAKIDA b\n", &keys, &n, &err), -1);
    ASSERT_STR_EQ(err, "--auth keys.txt:3: access key id AKIDA is already on line 1");
    free(err);
    ASSERT(keys == NULL && n == 0);
}
