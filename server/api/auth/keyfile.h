/*
 * server/api/auth/keyfile.h: the --auth key file, read exactly (docs/security.md, "The key file").
 *
 * One key a line: `ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID [SESSION_TOKEN]] [OPTION=VALUE ...]`,
 * words separated by spaces or tabs. A line whose first non-blank character is `#` is a comment;
 * a blank line is skipped; every other line is one key or an error: nothing is truncated, split,
 * guessed or defaulted from a value that is present but empty. A `#` inside a line is an ordinary
 * character (a secret may hold one); a line has no length limit.
 */
#ifndef DDB_KEYFILE_H
#define DDB_KEYFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * One key of the file. After the positional fields a line may carry options (policy.c), each at
 * most once and never empty (an empty list is an error, not "all"):
 *   name=USER        the IAM user name in AccessDeniedException's ARN (default: the access key id)
 *   allow=ACTIONS    the operations the key may call, comma-separated: GetItem, dynamodb:Query,
 *                    Describe*, read (the read-only operations DDB_OPF_READ marks in proto/ops.def,
 *                    and PartiQLSelect), * (left out: every operation; nallow is then 0)
 *   tables=PATTERNS  the tables it may touch, comma-separated, with * wildcards (left out: all;
 *                    ntables is then 0)
 *   rights=RIGHTS    the doors beside the DynamoDB API it may use, comma-separated: admin (the
 *                    /ddbd/ endpoints, MCP's whole-store tools; implies metrics), metrics (GET
 *                    /metrics, MCP's read_metrics). Never implied by allow= (default: none)
 *   buckets=PATTERNS the buckets, or bucket/prefix places, ImportTable and StartBulkPutItems may
 *                    read beyond the exports of tables the key may read (policy.c), comma-separated
 *                    globs with * and ? only (default: none; rights=admin: every one)
 */
typedef enum ddb_auth_right { DDB_RIGHT_ADMIN = 1u << 0, DDB_RIGHT_METRICS = 1u << 1 } ddb_auth_right;

typedef struct ddb_auth_key {
    char *access_key, *secret, *account, *token;
    char *user;
    char **allow;
    size_t nallow;
    char **tables;
    size_t ntables;
    char **buckets;
    size_t nbuckets;
    unsigned rights; /* ddb_auth_right bits */
} ddb_auth_key;

/*
 * Parses one line (without its '\n'; a final '\r' is dropped) of `len` bytes, which may hold any
 * byte. Returns 1 with the key in *out (free it with ddb_keyfile_key_free), 0 for a blank line or
 * a comment, or -1 with *err (malloc'd) saying what is wrong (never quoting the secret or the
 * session token). *out is all zero unless 1 is returned.
 */
int ddb_keyfile_parse_line(const char *line, size_t len, ddb_auth_key *out, char **err);

/* The key as the line that parses back to it exactly (malloc'd, without '\n'); NULL when no line
   can hold it (a session token without an account id, a field the parser would refuse). */
char *ddb_keyfile_format(const ddb_auth_key *k);

/* 1 when the two keys are the same in every field (lists in order, rights as bits), else 0. */
int ddb_keyfile_key_equal(const ddb_auth_key *a, const ddb_auth_key *b);

void ddb_keyfile_key_free(ddb_auth_key *k);

/*
 * Reads every line of `f` (named `name` in errors) into a malloc'd array of *n keys. Returns 0, or
 * -1 with *err (malloc'd) "--auth NAME:LINE: what" for the first line that is not exact, an access
 * key id given twice, or a read error; nothing is kept then.
 */
int ddb_keyfile_read(FILE *f, const char *name, ddb_auth_key **keys, size_t *n, char **err);

#endif
