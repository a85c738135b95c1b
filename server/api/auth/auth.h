/*
 * server/api/auth/auth.h: SigV4 verification (--auth FILE), as DynamoDB verifies a request.
 *
 * The key file holds one key per line, `ACCESS_KEY_ID SECRET_ACCESS_KEY [ACCOUNT_ID [SESSION_TOKEN]]`
 * and options, read exactly by keyfile.c (whole-line `#` comments and blank lines skipped, any other
 * line a key or an error at start; docs/security.md "The key file"). With keys loaded, every request's Authorization header is
 * checked before its operation is looked at, in AWS's order: the header's shape
 * (IncompleteSignatureException), the date's form and the clock (X-Amz-Date within 5 minutes,
 * InvalidSignatureException "Signature expired: ..."), the access key
 * (UnrecognizedClientException), the credential scope (date, region, service `dynamodb`,
 * terminator), then the signature itself, rebuilt from the canonical request of what arrived (method,
 * path, query, the signed headers, the body's SHA-256) with proto/sigv4.h and compared in constant
 * time (InvalidSignatureException). Without --auth any signature is accepted, as DynamoDB Local
 * accepts any.
 */
#ifndef DDB_AUTH_H
#define DDB_AUTH_H

#include <stdint.h>

#include "proto/sigv4.h"
#include "server/api/auth/keyfile.h"
#include "server/api/req.h"

typedef struct ddb_auth ddb_auth;

/* One key of the file: ddb_auth_key and its rights, keyfile.h. */

/* The key with this access key id, or NULL. */
const ddb_auth_key *ddb_auth_key_of(const ddb_auth *a, const char *access_key);
/* Whether a key of the file is user `user` (its name=, or its access key id without one) of
   `account` ([account, +alen)): the users a principal ARN can name. */
int ddb_auth_user_known(const ddb_auth *a, const char *account, size_t alen, const char *user);

/* Loads the key file; NULL with *err set (malloc'd, "--auth FILE:LINE: ...") when it cannot be read
   or a line is not exact (keyfile.h). */
ddb_auth *ddb_auth_load(const char *path, char **err);
void ddb_auth_free(ddb_auth *a);

/*
 * The parameters of an Authorization header ("ALG Credential=..., SignedHeaders=..., Signature=..."),
 * in one pass: the first occurrence of each wins, and a parameter present but empty has length 0
 * and a non-NULL value. The dispatcher words a header's missing parts from it, the verifier
 * reads what it signs from it.
 */
typedef struct ddb_auth_header {
    const char *cred, *sh, *sig;
    size_t cred_len, sh_len, sig_len;
} ddb_auth_header;
void ddb_auth_header_parse(const char *authz, size_t len, ddb_auth_header *out);

/* What the verifier needs of an HTTP request (plain strings, no h2o types). */
typedef struct ddb_auth_request {
    const char *method;
    const char *path;                /* raw, as sent */
    const char *query;               /* raw, without '?'; NULL when none */
    const ddb_sigv4_header *headers; /* every header, Host included */
    size_t nheaders;
    const void *body;
    size_t body_len;
} ddb_auth_request;

/*
 * Verifies the request at `now_ms` (the server's clock; the date is checked on the wall clock).
 * Returns DDB_OK and sets req->access_key and req->region, or records DynamoDB's error on req.
 */
int ddb_auth_verify(const ddb_auth *a, ddb_req *req, const ddb_auth_request *hr, uint64_t now_ms);

/*
 * Access policies (policy.c). ddb_auth_authorize checks operation `op` of the verified key against
 * its allow= and tables= options and the resource-based policies, on every resource the request
 * names (the members of server/api/resources.def, each resolved to its table); ddb_auth_allow
 * checks one action on one table, or on one index of it (PartiQL statements, whose tables are known
 * once parsed: dynamodb:PartiQLSelect, ...). A request that reads an index (Query and Scan with
 * IndexName, SELECT FROM "T"."I") is decided, as IAM decides it, on the index's ARN
 * (table/T/index/I) alone: a table's Deny on table/T does not reach it, one on the index's ARN (or a
 * wildcard over the indexes) does. Both return DDB_OK or record AccessDeniedException as IAM words
 * it.
 */
/*
 * A table's (stream_label NULL) or a stream's resource-based policy document (arena text), or NULL
 * when it has none or does not exist; *owner: the table's owner account (NULL: no such table).
 */
typedef const char *(*ddb_policy_lookup)(ddb_req *req, const char *table, const char *stream_label,
                                         const char **owner);
/*
 * The table an export's, import's or bulk operation's ARN (kind DDB_RES_XFER) or a shard iterator
 * (DDB_RES_ITERATOR, and its stream's label into *label) belongs to; NULL when it names none.
 */
typedef const char *(*ddb_owner_lookup)(ddb_req *req, int kind, const char *text, const char **label);

/* An export whose files lie where an import or a bulk put reads (a DDB_RES_SOURCE member): its
   table's name and ARN, and whether that table is of another namespace than the request's. */
typedef struct ddb_auth_export {
    const char *table, *arn;
    int other_ns;
} ddb_auth_export;
/*
 * The exports whose places (<S3Prefix>/AWSDynamoDB/, where an export writes) overlap the keys under
 * `prefix` of `bucket`, one per table, into *out (arena memory), *n of them. Returns 1 when every
 * key under `prefix` lies in one of those places (the read is of exports alone), else 0.
 */
typedef int (*ddb_sources_lookup)(ddb_req *req, const char *bucket, const char *prefix, ddb_auth_export **out,
                                  size_t *n);

/* What the decisions look up in the layers above: handed to the pipeline by the wiring
   (ddb_api.lookups, then req->lookups). */
typedef struct ddb_auth_lookups {
    ddb_policy_lookup policy_of;
    ddb_owner_lookup owner_of;
    /* the owner account of a table of the request's namespace (NULL: no such table): what account a
       table ARN must name (validate_arn.c); set with or without --auth */
    const char *(*account_of)(ddb_req *req, const char *table);
    ddb_sources_lookup sources_of;
    int namespaces; /* --namespaces: a table lives in one region, which its policy's Resource names */
} ddb_auth_lookups;

int ddb_auth_authorize(const ddb_auth *a, ddb_req *req, int op, const ddb_json *body);
int ddb_auth_allow(const ddb_auth *a, ddb_req *req, const char *action, const char *table, const char *index);

/* ---- resource-based policies (rbp.c) ---- */

typedef enum ddb_rbp_decision { DDB_RBP_NONE, DDB_RBP_ALLOW, DDB_RBP_DENY } ddb_rbp_decision;
typedef struct ddb_rbp_caller {
    const char *account; /* its account id */
    const char *arn;     /* arn:aws:iam::<account>:user/<name> */
} ddb_rbp_caller;
/* What policy document `doc` says of `action` ("dynamodb:GetItem") by the caller on `resource`
   (an ARN): an applicable Deny, an applicable Allow, or nothing. `any_region`: the region fields of
   the statements' Resource and of `resource` are not compared (a server without --namespaces,
   where a table is the same in every region). */
ddb_rbp_decision ddb_rbp_decide(ddb_arena *a, const char *doc, const ddb_rbp_caller *c, const char *action,
                                const char *resource, int any_region);
/* Whether a statement's Condition (an OBJECT) holds for the caller (rbp_condition.c); `vars`: its
   String and Arn values' policy variables are substituted (Version 2012-10-17, rbp_vars.c). */
int ddb_rbp_condition_holds(ddb_arena *a, const ddb_json *cond, const ddb_rbp_caller *c, int vars);
/* What in a Condition ddbd does not evaluate ("the condition key 'aws:SourceIp'", "the policy
   variable '${aws:userid}'" when `vars`), or NULL: a document using it is refused, never stored to
   mean something else than in DynamoDB. */
const char *ddb_rbp_condition_unknown(ddb_arena *a, const ddb_json *cond, int vars);
/* The verified key of req as a policy's principal: 0, or -1 when the request has none. */
int ddb_auth_caller(const ddb_auth *a, ddb_req *req, ddb_rbp_caller *out);

#endif
