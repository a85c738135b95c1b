/*
 * tests/unit/api/test_rbp.c: the resource-based policy evaluator (server/api/auth/rbp.c,
 * rbp_condition.c) walked against IAM's "Policy evaluation logic" and "IAM JSON policy elements"
 * pages as a table (one row: statements, caller, action, resource, decision), and the grammar
 * PutResourcePolicy and CreateTable refuse (rbp_grammar.c through validate_policy.c) as another
 * (one row: document, answer). Written for issue 51 (item 3); tests/security/test_policy_grammar.py
 * runs a handful of rows end to end.
 *
 * Quotes: the rows write JSON with ' for " (q() turns them back), to stay readable.
 */
#include <string.h>

#include "server/api/auth/auth.h"
#include "server/api/auth/rbp.h"
#include "server/api/validate/validate_internal.h"
#include "test.h"

#define ALICE "arn:aws:iam::111122223333:user/alice"
#define BOB "arn:aws:iam::444455556666:user/bob"
#define T "arn:aws:dynamodb:us-east-1:111122223333:table/T"
#define ALL "'Principal': '*'"
#define ON_T "'Resource': '" T "'"

enum { NONE = DDB_RBP_NONE, ALLOW = DDB_RBP_ALLOW, DENY = DDB_RBP_DENY };

typedef struct row {
    const char *name, *statements; /* the Statement list's members */
    int bob;                       /* the caller: bob of 444455556666, else alice of 111122223333 */
    const char *action, *resource; /* NULL: dynamodb:GetItem on table T */
    int any_region, expected;
} row;

/* A Deny of everything on T to all but the NotPrincipal's AWS names; an Allow of GetItem likewise. */
#define NP(names) "{'Effect': 'Deny', 'NotPrincipal': {'AWS': [" names "]}, 'Action': '*', " ON_T "}"
#define NPA(names) "{'Effect': 'Allow', 'NotPrincipal': {'AWS': [" names "]}, 'Action': 'dynamodb:GetItem', " ON_T "}"
/* A Deny of GetItem to everyone on this resource, or with this condition. */
#define DENY_ON(res) "{'Effect': 'Deny', " ALL ", 'Action': 'dynamodb:GetItem', 'Resource': '" res "'}"
#define DENY_IF(cond) "{'Effect': 'Deny', " ALL ", 'Action': 'dynamodb:GetItem', " ON_T ", 'Condition': " cond "}"
#define TABLES "arn:aws:dynamodb:us-east-1:111122223333:table/"

/* An Allow of GetItem on T to everyone, with this condition. */
#define IF(cond) "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:GetItem', " ON_T ", 'Condition': " cond "}"

static const row ROWS[] = {
    /* Effect: explicit deny wins whatever the order, allow, else implicit deny */
    {"allow", "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:GetItem', " ON_T "}", 0, 0, 0, 0, ALLOW},
    {"deny", "{'Effect': 'Deny', " ALL ", 'Action': 'dynamodb:GetItem', " ON_T "}", 0, 0, 0, 0, DENY},
    {"deny after allow", "{'Effect': 'Allow', " ALL ", 'Action': '*', 'Resource': '*'}, {'Effect': 'Deny', " ALL
     ", 'Action': 'dynamodb:GetItem', " ON_T "}", 0, 0, 0, 0, DENY},
    {"deny before allow", "{'Effect': 'Deny', " ALL ", 'Action': 'dynamodb:Get*', " ON_T "}, {'Effect': 'Allow', " ALL
     ", 'Action': '*', 'Resource': '*'}", 0, 0, 0, 0, DENY},
    {"implicit deny", "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:PutItem', " ON_T "}", 0, 0, 0, 0, NONE},
    {"effect is case sensitive", "{'Effect': 'deny', " ALL ", 'Action': '*', " ON_T "}", 0, 0, 0, 0, NONE},
    /* Action: case-insensitive, * and ? only */
    {"action case folded", "{'Effect': 'Allow', " ALL ", 'Action': 'DynamoDB:getITEM', " ON_T "}", 0, 0, 0, 0, ALLOW},
    {"action *", "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:Get*', " ON_T "}", 0, 0, 0, 0, ALLOW},
    {"action * other", "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:Get*', " ON_T "}", 0, "dynamodb:PutItem", 0, 0,
     NONE},
    {"action ?", "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:?etItem', " ON_T "}", 0, 0, 0, 0, ALLOW},
    {"action [ is a bracket", "{'Effect': 'Allow', " ALL ", 'Action': 'dynamodb:[GP]etItem', " ON_T "}", 0, 0, 0, 0,
     NONE},
    {"action list", "{'Effect': 'Allow', " ALL ", 'Action': ['dynamodb:Query', 'dynamodb:GetItem'], " ON_T "}", 0, 0, 0,
     0, ALLOW},
    {"NotAction other", "{'Effect': 'Deny', " ALL ", 'NotAction': 'dynamodb:GetItem', " ON_T "}", 0, "dynamodb:PutItem",
     0, 0, DENY},
    {"NotAction listed", "{'Effect': 'Deny', " ALL ", 'NotAction': ['dynamodb:Get*'], " ON_T "}", 0, 0, 0, 0, NONE},
    /* Resource: ARNs field by field, case-sensitive, * and ? only */
    {"resource *", "{'Effect': 'Allow', " ALL ", 'Action': '*', 'Resource': '*'}", 0, 0, 0, 0, ALLOW},
    {"resource [ is a bracket", "{'Effect': 'Allow', " ALL ", 'Action': '*', 'Resource': "
     "'arn:aws:dynamodb:us-east-1:111122223333:table/[ST]'}", 0, 0, 0, 0, NONE},
    {"resource case", "{'Effect': 'Allow', " ALL ", 'Action': '*', 'Resource': "
     "'arn:aws:dynamodb:us-east-1:111122223333:table/t'}", 0, 0, 0, 0, NONE},
    {"resource * spans no colon", "{'Effect': 'Allow', " ALL ", 'Action': '*', 'Resource': "
     "'arn:aws:dynamodb:us-east-1*:table/T'}", 0, 0, 0, 0, NONE},
    {"resource * in a field", "{'Effect': 'Allow', " ALL ", 'Action': '*', 'Resource': "
     "'arn:aws:dynamodb:*:1111?2223333:table/*'}", 0, 0, 0, 0, ALLOW},
    {"table/T is not its index", "{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}", 0, 0, T "/index/gsi1", 0, NONE},
    {"table/T* reaches its index", "{'Effect': 'Deny', " ALL ", 'Action': '*', 'Resource': '" T "*'}", 0, 0,
     T "/index/gsi1", 0, DENY},
    {"another region", "{'Effect': 'Deny', " ALL ", 'Action': '*', 'Resource': "
     "'arn:aws:dynamodb:us-west-2:111122223333:table/T'}", 0, 0, 0, 0, NONE},
    {"another region, any_region", "{'Effect': 'Deny', " ALL ", 'Action': '*', 'Resource': "
     "'arn:aws:dynamodb:us-west-2:111122223333:table/T'}", 0, 0, 0, 1, DENY},
    {"NotResource other", "{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotResource': "
     "'arn:aws:dynamodb:us-east-1:111122223333:table/U'}", 0, 0, 0, 0, DENY},
    {"NotResource listed", "{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotResource': ['" T "']}", 0, 0, 0, 0, NONE},
    /* Principal: *, the account, its root, the user's ARN (case-sensitive), NotPrincipal */
    /* an Allow naming its own account delegates to the account's users' own permissions (issue 61) */
    {"principal account", "{'Effect': 'Allow', 'Principal': {'AWS': '111122223333'}, 'Action': '*', " ON_T "}", 0, 0, 0,
     0, NONE},
    {"principal root", "{'Effect': 'Allow', 'Principal': {'AWS': ['arn:aws:iam::111122223333:root']}, 'Action': '*', "
     ON_T "}", 0, 0, 0, 0, NONE},
    {"principal account, deny", "{'Effect': 'Deny', 'Principal': {'AWS': '111122223333'}, 'Action': '*', " ON_T "}", 0,
     0, 0, 0, DENY},
    {"principal root, deny", "{'Effect': 'Deny', 'Principal': {'AWS': 'arn:aws:iam::111122223333:root'}, 'Action': '*', "
     ON_T "}", 0, 0, 0, 0, DENY},
    {"principal user", "{'Effect': 'Allow', 'Principal': {'AWS': '" ALICE "'}, 'Action': '*', " ON_T "}", 0, 0, 0, 0,
     ALLOW},
    {"principal case", "{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::111122223333:user/Alice'}, "
     "'Action': '*', " ON_T "}", 0, 0, 0, 0, NONE},
    {"principal a service", "{'Effect': 'Allow', 'Principal': {'Service': 'dynamodb.amazonaws.com'}, 'Action': '*', "
     ON_T "}", 0, 0, 0, 0, NONE},
    /* NotPrincipal in a Deny (issue 61): a user is two identities, its ARN and its account; it is
       exempt only when both are listed (IAM's "NotPrincipal" page, Bob and 444455556666:root) */
    {"NotPrincipal the user alone", "{'Effect': 'Deny', 'NotPrincipal': {'AWS': '" ALICE "'}, 'Action': '*', " ON_T "}",
     0, 0, 0, 0, DENY},
    {"NotPrincipal the user and its root", NP("'" ALICE "', 'arn:aws:iam::111122223333:root'"), 0, 0, 0, 0, NONE},
    {"NotPrincipal the user and its account id", NP("'111122223333', '" ALICE "'"), 0, 0, 0, 0, NONE},
    {"NotPrincipal another user and the root", NP("'arn:aws:iam::111122223333:user/admin', "
                                                  "'arn:aws:iam::111122223333:root'"), 0, 0, 0, 0, DENY},
    {"NotPrincipal the root alone", NP("'arn:aws:iam::111122223333:root'"), 0, 0, 0, 0, DENY},
    {"NotPrincipal *", "{'Effect': 'Deny', 'NotPrincipal': '*', 'Action': '*', " ON_T "}", 0, 0, 0, 0, NONE},
    {"NotPrincipal other", "{'Effect': 'Deny', 'NotPrincipal': {'AWS': '" ALICE "'}, 'Action': '*', " ON_T "}", 1, 0, 0,
     0, DENY},
    {"NotPrincipal another account's user and root", NP("'" ALICE "', 'arn:aws:iam::111122223333:root'"), 1, 0, 0, 0,
     DENY},
    /* an Allow's NotPrincipal grants only a caller it names as neither identity (stricter than IAM) */
    {"Allow NotPrincipal the user", NPA("'" ALICE "'"), 0, 0, 0, 0, NONE},
    {"Allow NotPrincipal the root", NPA("'arn:aws:iam::111122223333:root'"), 0, 0, 0, 0, NONE},
    {"Allow NotPrincipal another user", NPA("'arn:aws:iam::111122223333:user/admin'"), 0, 0, 0, 0, ALLOW},
    /* cross-account: another account's caller is named by its own account only */
    {"cross-account not named", "{'Effect': 'Allow', 'Principal': {'AWS': '111122223333'}, 'Action': '*', " ON_T "}", 1,
     0, 0, 0, NONE},
    {"cross-account root", "{'Effect': 'Allow', 'Principal': {'AWS': 'arn:aws:iam::444455556666:root'}, 'Action': '*', "
     ON_T "}", 1, 0, 0, 0, ALLOW},
    {"cross-account deny *", "{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}", 1, 0, 0, 0, DENY},
    /* Condition: OR over values, AND over keys and operators */
    {"StringEquals list", IF("{'StringEquals': {'aws:username': ['bob', 'alice']}}"), 0, 0, 0, 0, ALLOW},
    {"StringEquals none", IF("{'StringEquals': {'aws:username': ['bob', 'ALICE']}}"), 0, 0, 0, 0, NONE},
    {"StringNotEquals listed", IF("{'StringNotEquals': {'aws:username': ['bob', 'alice']}}"), 0, 0, 0, 0, NONE},
    {"StringNotEquals other", IF("{'StringNotEquals': {'aws:username': ['bob', 'carol']}}"), 0, 0, 0, 0, ALLOW},
    {"StringEqualsIgnoreCase", IF("{'StringEqualsIgnoreCase': {'aws:username': ['BOB', 'ALICE']}}"), 0, 0, 0, 0, ALLOW},
    {"StringNotEqualsIgnoreCase", IF("{'StringNotEqualsIgnoreCase': {'aws:username': 'ALICE'}}"), 0, 0, 0, 0, NONE},
    {"StringLike list", IF("{'StringLike': {'aws:PrincipalArn': ['*:user/bob', '*:user/al?ce']}}"), 0, 0, 0, 0, ALLOW},
    {"StringLike [ is a bracket", IF("{'StringLike': {'aws:username': '[a]lice'}}"), 0, 0, 0, 0, NONE},
    {"StringNotLike", IF("{'StringNotLike': {'aws:username': ['b*', 'c*']}}"), 0, 0, 0, 0, ALLOW},
    {"StringNotLike listed", IF("{'StringNotLike': {'aws:username': ['b*', 'a*']}}"), 0, 0, 0, 0, NONE},
    {"ArnEquals", IF("{'ArnEquals': {'aws:PrincipalArn': ['" BOB "', '" ALICE "']}}"), 0, 0, 0, 0, ALLOW},
    {"ArnLike per field", IF("{'ArnLike': {'aws:PrincipalArn': 'arn:aws:iam::*:user/*'}}"), 0, 0, 0, 0, ALLOW},
    {"ArnLike * spans no colon", IF("{'ArnLike': {'aws:PrincipalArn': 'arn:aws:iam:*'}}"), 0, 0, 0, 0, NONE},
    {"ArnNotEquals", IF("{'ArnNotEquals': {'aws:PrincipalArn': '" BOB "'}}"), 0, 0, 0, 0, ALLOW},
    {"ArnNotLike listed", IF("{'ArnNotLike': {'aws:PrincipalArn': ['arn:aws:iam::111122223333:*']}}"), 0, 0, 0, 0,
     NONE},
    {"Bool", IF("{'Bool': {'aws:PrincipalIsAWSService': 'false'}}"), 0, 0, 0, 0, ALLOW},
    {"Bool JSON", IF("{'Bool': {'aws:PrincipalIsAWSService': false}}"), 0, 0, 0, 0, ALLOW},
    {"Bool mismatch", IF("{'Bool': {'aws:PrincipalIsAWSService': 'true'}}"), 0, 0, 0, 0, NONE},
    {"Null absent", IF("{'Null': {'aws:SourceVpc': 'true'}}"), 0, 0, 0, 0, ALLOW},
    {"Null present", IF("{'Null': {'aws:SourceVpc': 'false'}}"), 0, 0, 0, 0, NONE},
    {"Null list, second value", IF("{'Null': {'aws:SourceVpc': ['false', 'true']}}"), 0, 0, 0, 0, ALLOW},
    {"Null list on a present key", IF("{'Null': {'aws:username': ['true', 'false']}}"), 0, 0, 0, 0, ALLOW},
    {"Null list, none", IF("{'Null': {'aws:username': ['true', 'TRUE']}}"), 0, 0, 0, 0, NONE},
    {"absent key, positive", IF("{'StringEquals': {'aws:SourceVpc': 'vpc-1'}}"), 0, 0, 0, 0, NONE},
    {"absent key, negated", IF("{'StringNotEquals': {'aws:SourceVpc': 'vpc-1'}}"), 0, 0, 0, 0, ALLOW},
    {"IfExists absent", IF("{'StringEqualsIfExists': {'aws:SourceVpc': 'vpc-1'}}"), 0, 0, 0, 0, ALLOW},
    {"IfExists present", IF("{'StringEqualsIfExists': {'aws:username': 'bob'}}"), 0, 0, 0, 0, NONE},
    {"ArnLikeIfExists absent", IF("{'ArnLikeIfExists': {'aws:SourceArn': 'arn:aws:s3:::b'}}"), 0, 0, 0, 0, ALLOW},
    {"ForAnyValue", IF("{'ForAnyValue:StringEquals': {'aws:username': ['x', 'alice']}}"), 0, 0, 0, 0, ALLOW},
    {"ForAnyValue absent", IF("{'ForAnyValue:StringEquals': {'aws:SourceVpc': 'vpc-1'}}"), 0, 0, 0, 0, NONE},
    {"ForAllValues absent", IF("{'ForAllValues:StringEquals': {'aws:SourceVpc': 'vpc-1'}}"), 0, 0, 0, 0, ALLOW},
    {"ForAllValues present", IF("{'ForAllValues:StringLike': {'aws:username': 'b*'}}"), 0, 0, 0, 0, NONE},
    {"AND over keys", IF("{'StringEquals': {'aws:username': 'alice', 'aws:PrincipalAccount': '444455556666'}}"), 0, 0,
     0, 0, NONE},
    {"AND over operators", IF("{'StringEquals': {'aws:username': 'alice'}, 'Bool': {'aws:PrincipalIsAWSService': "
                              "'true'}}"), 0, 0, 0, 0, NONE},
    {"all hold", IF("{'StringEquals': {'aws:username': 'alice'}, 'StringLike': {'aws:PrincipalAccount': '1111*'}}"), 0,
     0, 0, 0, ALLOW},
    {"key names case folded", IF("{'StringEquals': {'AWS:USERNAME': 'alice'}}"), 0, 0, 0, 0, ALLOW},
    {"account as a number", IF("{'StringEquals': {'aws:PrincipalAccount': 111122223333}}"), 0, 0, 0, 0, ALLOW},
    /* policy variables (issue 61): substituted in the resource part and String/Arn values */
    {"${aws:username} in a Resource", DENY_ON(TABLES "${aws:username}"), 0, 0, TABLES "alice", 0, DENY},
    {"${aws:username} in a Resource, another table", DENY_ON(TABLES "${aws:username}"), 0, 0, 0, 0, NONE},
    {"a variable's value is no wildcard", DENY_ON(TABLES "${aws:username}"), 0, 0, TABLES "a*", 0, NONE},
    {"${*} is a star, not a wildcard", DENY_ON(TABLES "T${*}"), 0, 0, TABLES "T*", 0, DENY},
    {"${*} matches no other name", DENY_ON(TABLES "T${*}"), 0, 0, TABLES "Tx", 0, NONE},
    {"${?} and ${$}", DENY_ON(TABLES "${?}${$}"), 0, 0, TABLES "?$", 0, DENY},
    {"not before the fifth colon", DENY_ON("arn:aws:dynamodb:us-east-1:${aws:PrincipalAccount}:table/T"), 0, 0, 0, 0,
     NONE},
    {"StringEquals a variable", DENY_IF("{'StringEquals': {'aws:PrincipalArn': "
                                        "'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}'}}"), 0, 0, 0, 0, DENY},
    {"StringLike a variable", DENY_IF("{'StringLike': {'aws:PrincipalArn': '*:user/${aws:username}'}}"), 0, 0, 0, 0,
     DENY},
    {"ArnEquals a variable", DENY_IF("{'ArnEquals': {'aws:PrincipalArn': '${aws:PrincipalArn}'}}"), 0, 0, 0, 0, DENY},
    {"StringNotEquals a variable", DENY_IF("{'StringNotEquals': {'aws:username': '${aws:username}'}}"), 0, 0, 0, 0,
     NONE},
    {"a variable is case folded", DENY_IF("{'StringEquals': {'aws:username': '${AWS:UserName}'}}"), 0, 0, 0, 0, DENY},
    {"Bool takes no variable", DENY_IF("{'Bool': {'aws:PrincipalIsAWSService': '${aws:PrincipalIsAWSService}'}}"), 0, 0,
     0, 0, NONE},
    {"no value: the statement is invalid", DENY_IF("{'StringNotEquals': {'aws:username': '${aws:SourceVpc}'}}"), 0, 0,
     0, 0, NONE},
    {"no value in a NotResource", "{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotResource': '" TABLES
     "${aws:SourceVpc}'}", 0, 0, 0, 0, NONE},
    {"a default", DENY_IF("{'StringEquals': {'aws:username': '${aws:SourceVpc, \\u0027alice\\u0027}'}}"), 0, 0, 0, 0,
     DENY},
    {"a default with a quote", DENY_ON(TABLES "${aws:SourceVpc, \\u0027a\\u0027\\u0027b\\u0027}"), 0, 0,
     TABLES "a'b", 0, DENY},
    {"an unclosed variable is text", DENY_IF("{'StringEquals': {'aws:username': '${aws:username'}}"), 0, 0, 0, 0, NONE},
    {"malformed variables are text (stored before)", DENY_IF("{'StringLike': {'aws:username': ['${}', '${', '$', '${$', '${*', "
                                             "'${aws:username, \\u0027x', '${aws:username,}', "
                                             "'${aws:username, \\u0027x\\u0027 y}']}}"), 0, 0, 0, 0, NONE},
    {"text around variables", DENY_IF("{'StringEquals': {'aws:PrincipalArn': "
                                      "'arn:aws:iam::${aws:PrincipalAccount}:user/${aws:SourceVpc, \\u0027\\u0027}alice'}}"),
     0, 0, 0, 0, DENY},
    {"conditional deny misses", "{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T ", 'Condition': {'StringEquals': "
     "{'aws:username': 'bob'}}}, " IF("{'StringEquals': {'aws:username': 'alice'}}"), 0, 0, 0, 0, ALLOW},
};

/* ' for " */
static char *q(ddb_arena *a, const char *text)
{
    char *s = ddb_arena_strndup(a, text, strlen(text));
    for (char *p = s; *p; p++)
        if (*p == '\'')
            *p = '"';
    return s;
}

TEST(every_row_of_the_evaluation_table)
{
    ddb_arena a;

    ddb_arena_init(&a);
    for (size_t i = 0; i < sizeof(ROWS) / sizeof(ROWS[0]); i++) {
        const row *r = &ROWS[i];
        ddb_rbp_caller c = {r->bob ? "444455556666" : "111122223333", r->bob ? BOB : ALICE};
        const char *doc = ddb_arena_sprintf(&a, "{'Version': '2012-10-17', 'Statement': [%s]}", r->statements);
        int got = ddb_rbp_decide(&a, q(&a, doc), &c, r->action ? r->action : "dynamodb:GetItem",
                                 r->resource ? r->resource : T, r->any_region);
        TEST_COUNT_ASSERT();
        if (got != r->expected)
            ddb_test_fail(__FILE__, __LINE__, "row '%s': %d, expected %d", r->name, got, r->expected);
    }
    ddb_arena_free(&a);
}

#define BAD "One or more parameter values were invalid: Invalid policy document: "
#define SYNTAX BAD "Syntax errors in policy."
#define PUBLIC                                                                                                         \
    "Resource-based policy grants unbounded access in one or more elements. Please revise the policy to ensure "      \
    "least-privilege form of access"
#define OPEN(cond) "{'Statement': [" IF(cond) "]}"
#define ONE(st) "{'Version': '2012-10-17', 'Statement': [" st "]}"

static const struct {
    const char *name, *doc, *answer; /* NULL: accepted */
} GRAMMAR[] = {
    {"a plain policy", ONE("{'Effect': 'Allow', 'Principal': {'AWS': '111122223333'}, 'Action': '*', " ON_T "}"), NULL},
    {"Allow with NotPrincipal", ONE("{'Effect': 'Allow', 'NotPrincipal': {'AWS': '" BOB "'}, 'Action': '*', " ON_T "}"),
     PUBLIC},
    {"Deny with NotPrincipal", ONE("{'Effect': 'Deny', 'NotPrincipal': {'AWS': '" BOB "'}, 'Action': '*', " ON_T "}"),
     NULL},
    {"no Principal", ONE("{'Effect': 'Deny', 'Action': '*', " ON_T "}"), BAD "Missing required field Principal"},
    {"Principal and NotPrincipal", ONE("{'Effect': 'Deny', " ALL ", 'NotPrincipal': '*', 'Action': '*', " ON_T "}"),
     SYNTAX},
    {"Action and NotAction", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotAction': 'dynamodb:GetItem', " ON_T
                                 "}"), SYNTAX},
    {"Resource and NotResource", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotResource': '*', " ON_T "}"),
     SYNTAX},
    {"NotResource alone", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotResource': '" T "/index/*'}"), NULL},
    {"no Action", ONE("{'Effect': 'Deny', " ALL ", " ON_T "}"), BAD "Missing required field Action"},
    {"no Resource", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*'}"), BAD "Missing required field Resource"},
    {"no Effect", ONE("{" ALL ", 'Action': '*', " ON_T "}"), BAD "Missing required field Effect"},
    {"Effect allow", ONE("{'Effect': 'allow', " ALL ", 'Action': '*', " ON_T "}"), SYNTAX},
    {"Effect not a string", ONE("{'Effect': true, " ALL ", 'Action': '*', " ON_T "}"), SYNTAX},
    {"an unknown element", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T ", 'Actions': 'x'}"), SYNTAX},
    {"an unknown top-level element", "{'Statement': [{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}], 'Foo': 1}",
     SYNTAX},
    {"a bad Version", "{'Version': '2012-10-18', 'Statement': [{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}]}",
     SYNTAX},
    {"an old Version", "{'Version': '2008-10-17', 'Statement': [{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}]}",
     NULL},
    {"an empty Action list", ONE("{'Effect': 'Deny', " ALL ", 'Action': [], " ON_T "}"), SYNTAX},
    {"a number as Resource", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'Resource': 5}"), SYNTAX},
    {"an empty Statement", "{'Statement': []}", BAD "Could not parse the policy: Statement is empty!"},
    {"Statement twice", "{'Statement': [], 'Statement': [{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}]}",
     BAD "This policy contains invalid Json"},
    {"Effect twice, in two cases", ONE("{'Effect': 'Deny', 'effect': 'Allow', " ALL ", 'Action': '*', " ON_T "}"),
     BAD "This policy contains invalid Json"},
    {"a condition key twice", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T ", 'Condition': {'StringEquals': "
                                  "{'aws:username': 'a', 'aws:UserName': 'b'}}}"), BAD "This policy contains invalid Json"},
    {"a partial wildcard principal", ONE("{'Effect': 'Deny', 'Principal': {'AWS': 'arn:aws:iam::*:root'}, 'Action': "
                                         "'*', " ON_T "}"),
     BAD "Policy contains a statement with one or more invalid principals."},
    {"a principal not *", ONE("{'Effect': 'Deny', 'Principal': '111122223333', 'Action': '*', " ON_T "}"),
     BAD "Policy contains a statement with one or more invalid principals."},
    {"an unknown principal kind", ONE("{'Effect': 'Deny', 'Principal': {'User': 'x'}, 'Action': '*', " ON_T "}"),
     BAD "Policy contains a statement with one or more invalid principals."},
    {"Null with a list", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T ", 'Condition': {'Null': "
                             "{'aws:SourceVpc': ['true', 'false']}}}"), NULL},
    /* Block Public Access: a condition every caller meets does not make an Allow * private */
    {"public: StringLike *", OPEN("{'StringLike': {'aws:PrincipalArn': '*'}}"), PUBLIC},
    {"public: Null", OPEN("{'Null': {'aws:SourceVpc': 'true'}}"), PUBLIC},
    {"public: IfExists", OPEN("{'StringEqualsIfExists': {'aws:PrincipalAccount': '111122223333'}}"), PUBLIC},
    {"public: negated", OPEN("{'StringNotEquals': {'aws:PrincipalAccount': '444455556666'}}"), PUBLIC},
    {"public: ForAllValues", OPEN("{'ForAllValues:StringEquals': {'aws:PrincipalAccount': '111122223333'}}"), PUBLIC},
    {"public: a variable", OPEN("{'StringEquals': {'aws:PrincipalArn': 'arn:aws:iam::111122223333:user/${aws:username}'"
                                "}}"), PUBLIC},
    {"public: ? in an ARN", OPEN("{'ArnLike': {'aws:PrincipalArn': 'arn:aws:iam::11112222333?:user/alice'}}"), PUBLIC},
    {"public: an untrusted key", OPEN("{'StringEquals': {'aws:username': 'alice'}}"), PUBLIC},
    {"public: not a service", OPEN("{'Bool': {'aws:PrincipalIsAWSService': 'false'}}"), PUBLIC},
    {"public: * among the principals", ONE("{'Effect': 'Allow', 'Principal': {'AWS': ['111122223333', '*']}, 'Action': "
                                           "'*', " ON_T "}"), PUBLIC},
    {"private: an account", OPEN("{'StringEquals': {'aws:PrincipalAccount': ['111122223333', '444455556666']}}"), NULL},
    {"private: an ARN", OPEN("{'ArnEquals': {'aws:PrincipalArn': '" ALICE "'}}"), NULL},
    {"private: ForAnyValue", OPEN("{'ForAnyValue:StringEquals': {'aws:PrincipalAccount': '111122223333'}}"), NULL},
    {"private: a service", OPEN("{'Bool': {'aws:PrincipalIsAWSService': 'true'}}"), NULL},
    {"private: one of two", OPEN("{'Null': {'aws:SourceVpc': 'true'}, 'StringEquals': {'aws:SourceVpc': 'vpc-1'}}"),
     NULL},
    /* blank or padded names (issue 61): IAM refuses them */
    {"a padded account", ONE("{'Effect': 'Deny', 'Principal': {'AWS': ' 111122223333'}, 'Action': '*', " ON_T "}"),
     BAD "Policy contains a statement with one or more invalid principals."},
    {"a padded NotPrincipal", ONE("{'Effect': 'Deny', 'NotPrincipal': {'AWS': ['" ALICE " ']}, 'Action': '*', " ON_T
                                  "}"), BAD "Policy contains a statement with one or more invalid principals."},
    {"an empty principal", ONE("{'Effect': 'Deny', 'Principal': {'AWS': ''}, 'Action': '*', " ON_T "}"),
     BAD "Policy contains a statement with one or more invalid principals."},
    {"a principal neither account nor ARN", ONE("{'Effect': 'Deny', 'Principal': {'AWS': 'user/plain'}, 'Action': '*', "
                                                ON_T "}"), BAD "Policy contains a statement with one or more invalid principals."},
    {"a padded resource", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'Resource': '" T " '}"), SYNTAX},
    {"an empty resource", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'Resource': ['" T "', '']}"), SYNTAX},
    {"a padded NotResource", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', 'NotResource': ' " T "'}"), SYNTAX},
    /* policy variables: ddbd's keys only, where IAM substitutes them */
    {"a variable ddbd has", ONE(DENY_ON(TABLES "${aws:username}")), NULL},
    {"a variable ddbd lacks", ONE(DENY_ON(TABLES "${aws:userid}")),
     BAD "ddbd does not evaluate the policy variable '${aws:userid}' (docs/security.md lists what it does)"},
    {"a variable ddbd lacks in a condition", ONE(DENY_IF("{'StringLike': {'aws:PrincipalArn': '*/${aws:PrincipalTag/x}'}}")),
     BAD "ddbd does not evaluate the policy variable '${aws:PrincipalTag/x}' (docs/security.md lists what it does)"},
    {"a malformed variable", ONE(DENY_IF("{'StringNotEquals': {'aws:username': 'x${aws:username'}}")),
     BAD "ddbd does not evaluate the policy variable '${aws:username' (docs/security.md lists what it does)"},
    {"a malformed variable in a Resource", ONE(DENY_ON(TABLES "${}")),
     BAD "ddbd does not evaluate the policy variable '${}' (docs/security.md lists what it does)"},
    {"escapes and a default", ONE(DENY_ON(TABLES "${*}${?}${$}${aws:SourceVpc, \\u0027a\\u0027\\u0027b\\u0027}")),
     NULL},
    {"a variable of an absent key", ONE(DENY_IF("{'StringEquals': {'aws:username': '${aws:SourceVpc}'}}")), NULL},
    {"a variable under Version 2008 is text", "{'Version': '2008-10-17', 'Statement': [" DENY_ON(TABLES "${aws:userid}")
                                              "]}", NULL},
    {"a Deny to everyone", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}"), NULL},
    {"one statement, not a list", "{'Statement': {'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}}", NULL},
    {"a Sid not a string", ONE("{'Sid': 1, 'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}"), SYNTAX},
    {"a grammar error in the second statement", ONE("{'Effect': 'Deny', " ALL ", 'Action': '*', " ON_T "}, {'Effect': "
                                                    "'Deny', " ALL ", 'Action': '*', 'NotAction': '*', " ON_T "}"),
     SYNTAX},
};

TEST(every_row_of_the_grammar_table)
{
    ddb_arena a;

    ddb_arena_init(&a);
    for (size_t i = 0; i < sizeof(GRAMMAR) / sizeof(GRAMMAR[0]); i++) {
        const char *doc = q(&a, GRAMMAR[i].doc), *got = ddb_policy_doc_rules(&a, doc, strlen(doc), 0, NULL);
        const char *want = GRAMMAR[i].answer;
        TEST_COUNT_ASSERT();
        if ((got == NULL) != (want == NULL) || (got != NULL && strcmp(got, want) != 0))
            ddb_test_fail(__FILE__, __LINE__, "row '%s': %s, expected %s", GRAMMAR[i].name, got ? got : "accepted",
                          want ? want : "accepted");
    }
    ddb_arena_free(&a);
}

#define ddb_rbp_wild_t(p, t, nocase) ddb_rbp_wild(p, NULL, t, nocase)
#define ddb_rbp_arn_match_t(p, t, any) ddb_rbp_arn_match(p, NULL, t, any)

/* The matcher itself: IAM's two wildcards, linear backtracking, nothing else special. */
TEST(the_wildcard_matcher)
{
    ASSERT(ddb_rbp_wild_t("*", "", 0));
    ASSERT(ddb_rbp_wild_t("a*b*c", "axxbyyc", 0));
    ASSERT(!ddb_rbp_wild_t("a*b*c", "axxbyy", 0));
    ASSERT(ddb_rbp_wild_t("a?c", "abc", 0));
    ASSERT(!ddb_rbp_wild_t("a?c", "ac", 0));
    ASSERT(ddb_rbp_wild_t("[a]", "[a]", 0));
    ASSERT(!ddb_rbp_wild_t("[a]", "a", 0));
    ASSERT(ddb_rbp_wild_t("a\\*", "a\\xyz", 0)); /* no escapes */
    ASSERT(ddb_rbp_wild_t("GETitem", "getItem", 1));
    ASSERT(!ddb_rbp_wild_t("GETitem", "getItem", 0));
    ASSERT(ddb_rbp_wild_t("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", 0));
    ASSERT(!ddb_rbp_wild_t("*a*a*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0));
    ASSERT(ddb_rbp_arn_match_t("arn:aws:dynamodb:*:*:table/T/*", T "/index/x:y", 0));
    ASSERT(!ddb_rbp_arn_match_t("arn:aws:*", T, 0));
    ASSERT(!ddb_rbp_arn_match_t("*:table/T", T, 0));
    /* a mask: what a policy variable made literal is itself */
    ASSERT(ddb_rbp_wild("a*", "\0\1", "a*", 0));
    ASSERT(!ddb_rbp_wild("a*", "\0\1", "ab", 0));
    ASSERT(ddb_rbp_wild("a*?", "\0\0\1", "ab?", 0));
    ASSERT(!ddb_rbp_arn_match("*", "\1", T, 0));
}
