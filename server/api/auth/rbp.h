/*
 * server/api/auth/rbp.h: what the resource-based policy files share among themselves (rbp.c decides,
 * rbp_condition.c evaluates a Condition, rbp_grammar.c refuses what IAM's grammar refuses,
 * rbp_match.c matches as IAM matches, rbp_vars.c substitutes IAM's policy variables). The rest of the server sees only auth.h's ddb_rbp_*
 * functions and validate_policy.c, and policy.c, whose buckets= patterns are IAM's wildcards (ddb_rbp_wild).
 */
#ifndef DDB_RBP_H
#define DDB_RBP_H

#include "proto/json.h"
#include "server/api/auth/auth.h"

/* ---- rbp_match.c ---- */

/* IAM's wildcard match: `*` any run of characters, `?` any one, everything else itself (no
   character classes, no escapes: `[` is a bracket). `lit`: NULL, or a byte per character of the
   pattern, nonzero where a `*` or `?` is itself (a policy variable's work: ddb_rbp_subst).
   `nocase`: ASCII letters folded (actions). */
int ddb_rbp_wild(const char *pattern, const char *lit, const char *text, int nocase);
/* ARN matching as IAM's Resource element and ArnLike do it: the six colon-separated fields are
   matched one by one (a wildcard never spans a colon of the first five), the last field with its
   own colons; `*` alone matches every ARN. `any_region`: the region fields are not compared. */
int ddb_rbp_arn_match(const char *pattern, const char *lit, const char *arn, int any_region);
/* A statement's member by name: element names are read case-insensitively, as IAM reads them
   (a document that names one twice, in any case, is refused: rbp_grammar.c). */
const ddb_json *ddb_rbp_member(const ddb_json *obj, const char *name);

/* ---- rbp_vars.c: IAM's policy variables ---- */

/* A policy's string after substitution: `lit` NULL, or a byte per character, nonzero where the
   character is itself even if it is `*` or `?`. */
typedef struct ddb_rbp_text {
    const char *s, *lit;
} ddb_rbp_text;

/* Where an ARN's resource part starts (after its fifth colon; its length when it has fewer):
   IAM substitutes variables in a Resource from there on only. */
size_t ddb_rbp_resource_part(const char *arn);
/* s with its variables from byte `from` on replaced by the caller's values (ddb_rbp_key_value),
   defaults and escapes: 1, or 0 when a variable has no value and no default (IAM: the statement
   is invalid, so it does not apply). No "${": out is s itself, nothing allocated. */
int ddb_rbp_subst(ddb_arena *a, const ddb_rbp_caller *c, const char *s, size_t from, ddb_rbp_text *out);
/* The first variable of s (from `from`) whose key ddbd does not know, or a "${" that forms no
   variable: "the policy variable '${aws:userid}'", or NULL. */
const char *ddb_rbp_var_unknown(ddb_arena *a, const char *s, size_t from);

/* The request's value of a context key (a condition's or a variable's): NULL when the key is
   absent; *known 0 when ddbd does not know the key (then it is refused at PutResourcePolicy). */
const char *ddb_rbp_key_value(const ddb_rbp_caller *c, const char *key, int *known);

/* ---- rbp_condition.c ---- */
/* Whether every variable in a Condition's String and Arn values has a value for the caller. */
int ddb_rbp_condition_resolves(ddb_arena *a, const ddb_json *cond, const ddb_rbp_caller *c);

/* Whether a Condition confines its statement to principals the owner named (rbp_condition.c). */
int ddb_rbp_condition_confines(const ddb_json *cond);

/* ---- rbp_grammar.c: NULL, or the text after "Invalid policy document: " ---- */

/* IAM's words for a principal it does not take (its shape, or, under --auth, a user no key is). */
#define DDB_RBP_BAD_PRINCIPAL "Policy contains a statement with one or more invalid principals."

/* A member name repeated in an object anywhere in the document (case folded). */
const char *ddb_rbp_duplicates(ddb_arena *a, const ddb_json *root);
/* The document's top level: only Version, Id, Statement; a Version IAM knows. */
const char *ddb_rbp_doc_grammar(const ddb_json *root);
/* One statement's elements: known ones, of their types, an Effect, exactly one of Principal /
   NotPrincipal, of Action / NotAction, of Resource / NotResource. */
const char *ddb_rbp_statement_grammar(const ddb_json *st);
/* Whether an Allow statement grants access to everyone (Block Public Access's rule). */
int ddb_rbp_statement_public(const ddb_json *st);

#endif
