/*
 * server/api/rbp.h: what the resource-based policy files share among themselves (rbp.c decides,
 * rbp_condition.c evaluates a Condition, rbp_grammar.c refuses what IAM's grammar refuses,
 * rbp_match.c matches as IAM matches). The rest of the server sees only auth.h's ddb_rbp_*
 * functions and validate_policy.c.
 */
#ifndef DDB_RBP_H
#define DDB_RBP_H

#include "proto/json.h"

/* ---- rbp_match.c ---- */

/* IAM's wildcard match: `*` any run of characters, `?` any one, everything else itself (no
   character classes, no escapes: `[` is a bracket). `nocase`: ASCII letters folded (actions). */
int ddb_rbp_wild(const char *pattern, const char *text, int nocase);
/* ARN matching as IAM's Resource element and ArnLike do it: the six colon-separated fields are
   matched one by one (a wildcard never spans a colon of the first five), the last field with its
   own colons; `*` alone matches every ARN. `any_region`: the region fields are not compared. */
int ddb_rbp_arn_match(const char *pattern, const char *arn, int any_region);
/* A statement's member by name: element names are read case-insensitively, as IAM reads them
   (a document that names one twice, in any case, is refused: rbp_grammar.c). */
const ddb_json *ddb_rbp_member(const ddb_json *obj, const char *name);

/* Whether a Condition confines its statement to principals the owner named (rbp_condition.c). */
int ddb_rbp_condition_confines(const ddb_json *cond);

/* ---- rbp_grammar.c: NULL, or the text after "Invalid policy document: " ---- */

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
