/*
 * server/seed/readers/seed_cfn_eval.h: a CloudFormation template's values as a deployment would see them: the
 * intrinsic functions a table definition uses resolved against the template's Parameters (their
 * Default, or a value given with --seed-param), its Mappings and Conditions, and the pseudo
 * parameters (docs/seeding.md, "Templates").
 *
 * Resolved: Ref (a parameter, a pseudo parameter, or a table of the template: its name),
 * Fn::Sub (both forms), Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap, Fn::If and the condition
 * functions (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition), Fn::ToJsonString, Fn::Length and
 * AWS::NoValue (the member or element is dropped). Anything only a deployment knows (Fn::GetAtt,
 * Fn::ImportValue, Fn::GetAZs, a Ref to another kind of resource, an SSM parameter) is an error
 * naming it, never a guess.
 *
 * Bounded as CloudFormation bounds a template (docs/security.md, "Seed files"): each condition is
 * evaluated once and each table's name built once (remembered, so a chain of conditions or names
 * that each name the one before twice costs a step a link, not 2^n), a circle among them is
 * CloudFormation's "Circular dependency" error, no string is built longer than a template may be
 * (a table name: longer than DynamoDB's 255 characters), and all a template's values together
 * cost at most CFN_MAX_WORK.
 */
#ifndef DDB_SEED_CFN_EVAL_H
#define DDB_SEED_CFN_EVAL_H

#include "proto/json.h"

typedef struct cfn_param {
    const char *name, *value; /* value NULL: a nested stack's parent passes what only a deployment knows */
    int used; /* a template declared it (used or not) */
} cfn_param;

/* CloudFormation's quotas of a template, which ddbd's seed holds it to (what it would refuse to
   deploy: "Understand CloudFormation quotas"): its body (from S3), and what it declares. */
#define CFN_MAX_TEMPLATE_BYTES (1u << 20)
#define CFN_MAX_RESOURCES 500
#define CFN_TEMPLATE_QUOTAS(X) X(Resources, CFN_MAX_RESOURCES) X(Parameters, 200) X(Outputs, 200) X(Mappings, 200)
/* Fn::ForEach loops in loops: CloudFormation's nesting quota (AWS::LanguageExtensions). */
#define CFN_MAX_FOREACH_NESTING 5
/* No value is built longer than the template that builds it may be; a table name, than DynamoDB's. */
#define CFN_MAX_STRING CFN_MAX_TEMPLATE_BYTES
#define CFN_MAX_TABLE_NAME 255
/* Bytes built and members looked through for one template's values, all together: ddbd's own
   bound (the size of a template file it reads, docs/security.md), far above a real template's. */
#define CFN_MAX_WORK ((size_t)64 << 20)

typedef struct cfn_memo cfn_memo;

typedef struct cfn_ctx {
    ddb_arena *a;
    const ddb_json *parameters, *mappings, *conditions, *resources;
    cfn_param *given; /* --seed-param NAME=VALUE (pseudo parameters too: AWS::Region=...) */
    unsigned ngiven;
    const char *stack;  /* AWS::StackName */
    const char *region; /* AWS::Region unless given: a CDK stack's environment's, or NULL (us-east-1) */
    int depth;          /* of the evaluation: conditions may refer to conditions */
    char err[512];      /* the first problem */
    /* set by cfn_prepare: what the evaluation remembers, and what it has cost */
    cfn_memo *conds;    /* per member of Conditions (sorted by name for the look-up: cond_order) */
    struct cfn_name *cond_order;
    cfn_memo *tables;   /* per member of Resources: a table's name */
    unsigned seq;       /* of the memos entered: a circle is read from them */
    size_t work;        /* against CFN_MAX_WORK */
    int naming;         /* the function evaluated next builds a table name (CFN_MAX_TABLE_NAME) */
    int unknown;        /* err is about a value only a deployment knows (Fn::GetAtt, Fn::ImportValue, ...) */
    /* cfn_eval gives a member or element (not an argument of a function) whose value only a
       deployment knows as an unknown (cfn_unknown_in) instead of failing: what the seed does not
       act on need not be known (a KinesisStreamSpecification's StreamArn: !GetAtt Stream.Arn) */
    int lenient;
} cfn_ctx;

/* Readies c, its template's sections set, for evaluation (the memos, from c->a). */
void cfn_prepare(cfn_ctx *c);

/* What AWS::NoValue evaluates to: the caller drops the member or element. */
extern const ddb_json cfn_novalue;

/* v with every intrinsic function resolved (allocated from c->a); NULL with c->err set. */
const ddb_json *cfn_eval(cfn_ctx *c, const ddb_json *v);
/* Counts n bytes of what is built against CFN_MAX_WORK: 0 (c->err set) once past it. */
int cfn_charge(cfn_ctx *c, size_t n);

/* Whether Resources holds an Fn::ForEach loop (AWS::LanguageExtensions); the section with each
   loop expanded (seed_cfn_foreach.c: the resources it makes, in order, at most 500), NULL with
   c->err set. c's sections are set and prepared (a collection may Ref a parameter). */
int cfn_has_foreach(const ddb_json *resources);
const ddb_json *cfn_foreach(cfn_ctx *c, const ddb_json *resources);

/* Condition `name` of the template: 1 true, 0 false, -1 with c->err set. */
int cfn_condition(cfn_ctx *c, const char *name);
/* The table name a Ref to the table resource `logical` gives (its TableName, or the name ddbd
   gives a table without one: its logical ID); NULL with c->err set. */
const char *cfn_table_name(cfn_ctx *c, const char *logical);

/* The seed's region: AWS::Region (given with --seed-param AWS::Region=..., else the CDK stack's
   environment's, else us-east-1). */
const char *cfn_region(cfn_ctx *c);

/* Why v holds a value only a deployment knows (the first such member or element, deep, but its
   member `but`), left by a lenient evaluation; NULL when it holds none. */
const char *cfn_unknown_in(const ddb_json *v, const char *but);

/* v as a string (a string, or a number's or boolean's text), or NULL. */
const char *cfn_str(const ddb_json *v);

#endif
