/*
 * server/seed_cfn_eval.h: a CloudFormation template's values as a deployment would see them: the
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
 */
#ifndef DDB_SEED_CFN_EVAL_H
#define DDB_SEED_CFN_EVAL_H

#include "proto/json.h"

typedef struct cfn_param {
    const char *name, *value;
    int used; /* a template declared it */
} cfn_param;

typedef struct cfn_ctx {
    ddb_arena *a;
    const ddb_json *parameters, *mappings, *conditions, *resources;
    cfn_param *given; /* --seed-param NAME=VALUE (pseudo parameters too: AWS::Region=...) */
    unsigned ngiven;
    const char *stack;  /* AWS::StackName */
    const char *region; /* AWS::Region unless given: a CDK stack's environment's, or NULL (us-east-1) */
    int depth;          /* of the evaluation: conditions may refer to conditions */
    char err[512];      /* the first problem */
} cfn_ctx;

/* What AWS::NoValue evaluates to: the caller drops the member or element. */
extern const ddb_json cfn_novalue;

/* v with every intrinsic function resolved (allocated from c->a); NULL with c->err set. */
const ddb_json *cfn_eval(cfn_ctx *c, const ddb_json *v);
/* Condition `name` of the template: 1 true, 0 false, -1 with c->err set. */
int cfn_condition(cfn_ctx *c, const char *name);
/* The table name a Ref to the table resource `logical` gives (its TableName, or the name ddbd
   gives a table without one: its logical ID); NULL with c->err set. */
const char *cfn_table_name(cfn_ctx *c, const char *logical);

/* The seed's region: AWS::Region (given with --seed-param AWS::Region=..., else the CDK stack's
   environment's, else us-east-1). */
const char *cfn_region(cfn_ctx *c);

/* v as a string (a string, or a number's or boolean's text), or NULL. */
const char *cfn_str(const ddb_json *v);

#endif
