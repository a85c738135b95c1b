/*
 * tests/unit/expr/test_expr.c: the expression language, table-driven: for each case the request
 * fields (JSON with ' for "), the item, and the expected result or DynamoDB's exact message.
 * Messages come from dynalite's tests (run against DynamoDB), AWS error reports and the AWS docs.
 */
#include "server/expr/expr_internal.h"

#include <stdlib.h>

#include "ddb/ddb_status.h"
#include "proto/ops.h"
#include "server/api/req.h" /* the cases keep their parsed trees in a request, as validation does */
#include "server/expr/reserved_words.h"
#include "test.h"

static ddb_arena A;
static int ncases;

/* JSON written with ' for " (a literal ' cannot appear; \" still can). */
static const char *js(const char *s)
{
    char *out = ddb_arena_strndup(&A, s, strlen(s));

    for (char *p = out; *p; p++) {
        if (*p == '\'')
            *p = '"';
    }
    return out;
}

static const ddb_json *json(const char *s)
{
    const char *t = js(s);
    const ddb_json *j = ddb_json_parse(&A, t, strlen(t));

    if (j == NULL) {
        fprintf(stderr, "bad test JSON: %s\n", t);
        abort();
    }
    return j;
}

static void item_of(const char *s, ddb_attr *out)
{
    const char *err = ddb_item_from_json(&A, json(s), out);

    if (err != NULL) {
        fprintf(stderr, "bad test item %s: %s\n", s, err);
        abort();
    }
}

static const char *item_text(const ddb_attr *item)
{
    ddb_buf b = {0};
    ddb_jw w;
    const char *out;

    ddb_jw_init(&w, &b);
    ddb_item_write_json(&w, item);
    out = ddb_arena_strndup(&A, b.data, b.len);
    ddb_buf_free(&b);
    return out;
}

/* Runs ddb_expr_prepare_into on "{fields}" with op's flags (callers reset the arena between cases). */
static const char *prepare(ddb_req *req, int op, const char *fields)
{
    const char *body = ddb_arena_sprintf(&A, "{%s}", fields);

    memset(req, 0, sizeof(*req));
    req->arena = &A;
    req->op = op;
    req->in = json(body);
    return ddb_expr_prepare_into(req->arena, ddb_op_flags((ddb_op)op), req->in, &req->parsed);
}

static void check_msg(const char *file, int line, const char *fields, const char *got, const char *want)
{
    ncases++;
    if (want == NULL && got == NULL)
        return;
    if (want != NULL && got != NULL && strcmp(want, got) == 0)
        return;
    ddb_test_fail(file, line, "{%s}\n    got:  %s\n    want: %s", fields, got ? got : "(ok)", want ? want : "(ok)");
}

/* Prefix match, for syntax errors whose "near" text is not the point of the case. */
static void check_prefix(const char *file, int line, const char *fields, const char *got, const char *prefix)
{
    ncases++;
    if (got != NULL && strncmp(got, prefix, strlen(prefix)) == 0)
        return;
    ddb_test_fail(file, line, "{%s}\n    got:  %s\n    want: %s...", fields, got ? got : "(ok)", prefix);
}

/* ================================================================ messages */

typedef struct msg_case {
    int op;
    const char *fields;
    const char *want; /* NULL: accepted */
} msg_case;

static void run_msgs(const msg_case *c, size_t n, const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        ddb_req req;

        ddb_arena_reset(&A);
        check_msg(file, line, c[i].fields, prepare(&req, c[i].op, c[i].fields), c[i].want);
    }
}
#define RUN_MSGS(cases) run_msgs(cases, ARRAY_LEN(cases), __FILE__, __LINE__)

#define PUT DDB_OP_PutItem
#define UPD DDB_OP_UpdateItem
#define SCAN DDB_OP_Scan
#define QUERY DDB_OP_Query
#define GET DDB_OP_GetItem

TEST(names_and_values)
{
    static const msg_case cases[] = {
        {PUT, "'ConditionExpression':'','ExpressionAttributeNames':{},'ExpressionAttributeValues':{}",
         "ExpressionAttributeNames must not be empty"},
        {PUT, "'ConditionExpression':'','ExpressionAttributeNames':{'a':'a'},'ExpressionAttributeValues':{}",
         "ExpressionAttributeNames contains invalid key: Syntax error; key: \"a\""},
        {PUT, "'ConditionExpression':'','ExpressionAttributeNames':{'#':'a'}",
         "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#\""},
        {PUT, "'ConditionExpression':'','ExpressionAttributeNames':{'#a-b':'a'}",
         "ExpressionAttributeNames contains invalid key: Syntax error; key: \"#a-b\""},
        {PUT, "'ConditionExpression':'a = :b','ExpressionAttributeNames':{'#a':''},'ExpressionAttributeValues':{':b':{'S':'x'}}",
         "ExpressionAttributeNames contains invalid value: Empty attribute name for key #a"},
        {PUT, "'ConditionExpression':'','ExpressionAttributeValues':{}", "ExpressionAttributeValues must not be empty"},
        {PUT, "'ConditionExpression':'','ExpressionAttributeValues':{':b':{'a':''},'b':{'S':'a'}}",
         "ExpressionAttributeValues contains invalid key: Syntax error; key: \"b\""},
        {PUT, "'ConditionExpression':'','ExpressionAttributeValues':{':b':{}}",
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must contain exactly one of "
         "the supported datatypes for key :b"},
        {PUT, "'ConditionExpression':'','ExpressionAttributeValues':{':b':{'S':'a','N':'1'}}",
         "ExpressionAttributeValues contains invalid value: Supplied AttributeValue has more than one datatypes set, must "
         "contain exactly one of the supported datatypes for key :b"},
        {PUT, "'ConditionExpression':'','ExpressionAttributeValues':{':b':{'NS':['1','1']}}",
         "ExpressionAttributeValues contains invalid value: Input collection contains duplicates for key :b"},
        {PUT, "'ConditionExpression':'','ExpressionAttributeValues':{':b':{'N':'b'}}",
         "ExpressionAttributeValues contains invalid value: The parameter cannot be converted to a numeric value: b for "
         "key :b"},
        {PUT, "'ConditionExpression':''", "Invalid ConditionExpression: The expression can not be empty;"},
        {UPD, "'ConditionExpression':'','UpdateExpression':''", "Invalid UpdateExpression: The expression can not be empty;"},
        {SCAN, "'FilterExpression':'','ProjectionExpression':'','ExpressionAttributeValues':{':0':{'S':'b'}}",
         "Invalid FilterExpression: The expression can not be empty;"},
        {SCAN, "'FilterExpression':'a > b','ProjectionExpression':''",
         "Invalid ProjectionExpression: The expression can not be empty;"},
        {QUERY, "'KeyConditionExpression':'','FilterExpression':'','ProjectionExpression':'','ExpressionAttributeValues':{':0':{'S':'b'}}",
         "Invalid KeyConditionExpression: The expression can not be empty;"},
        /* unused, listed in Java HashSet order */
        {UPD, "'UpdateExpression':'remove a set b = list_append(b, if_not_exists(a, :a))','ConditionExpression':'a = :b',"
              "'ExpressionAttributeValues':{':a':{'S':'a'},':b':{'S':'a'}},'ExpressionAttributeNames':{'#b':'b','#a':'a'}",
         "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"},
        {UPD, "'UpdateExpression':'remove a','ConditionExpression':'a = :b',"
              "'ExpressionAttributeValues':{':c':{'S':'a'},':b':{'S':'a'},':a':{'S':'a'}}",
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:a, :c}"},
        /* a name used only in the projection counts as used */
        {SCAN, "'FilterExpression':'a = :v','ProjectionExpression':'#p','ExpressionAttributeNames':{'#p':'p'},"
               "'ExpressionAttributeValues':{':v':{'S':'x'}}",
         NULL},
        /* GetItem takes no values: DynamoDB ignores them */
        {GET, "'ProjectionExpression':'a','ExpressionAttributeValues':{':v':{'S':'x'}}", NULL},
    };

    RUN_MSGS(cases);
}

TEST(expression_size_limit)
{
    char *big = malloc(5000), *ok = malloc(5000);
    const char *fields, *want;
    ddb_req req;

    /* 4096 bytes pass, 4097 do not, counted before substitution */
    memset(big, 'a', 4097);
    big[4097] = 0;
    memcpy(ok, big, 4096);
    ok[4096] = 0;
    fields = ddb_arena_sprintf(&A, "'ProjectionExpression':'%s'", ok);
    check_msg(__FILE__, __LINE__, "4096 bytes", prepare(&req, GET, fields), NULL);
    fields = ddb_arena_sprintf(&A, "'ProjectionExpression':'%s'", big);
    /* DynamoDB appends "; expression size: N" only for condition and filter expressions */
    want = "Invalid ProjectionExpression: Expression size has exceeded the maximum allowed size;";
    check_msg(__FILE__, __LINE__, "4097 bytes", prepare(&req, GET, fields), want);
    free(big);
    free(ok);
}

TEST(syntax_errors_exact)
{
    static const msg_case cases[] = {
        {PUT, "'ConditionExpression':'foo'", "Invalid ConditionExpression: Syntax error; token: \"<EOF>\", near: \"foo\""},
        {UPD, "'UpdateExpression':'SET path = VALUE 1'",
         "Invalid UpdateExpression: Syntax error; token: \"1\", near: \"VALUE 1\""},
        {UPD, "'UpdateExpression':'SET a = if_not_exists(b, 0)'",
         "Invalid UpdateExpression: Syntax error; token: \"0\", near: \", 0)\""},
        {UPD, "'UpdateExpression':'SET numx = numx / :v','ExpressionAttributeValues':{':v':{'N':'1'}}",
         "Invalid UpdateExpression: Syntax error; token: \"/\", near: \"numx / :v\""},
        {UPD, "'UpdateExpression':'SET a = b +'", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"+\""},
        {UPD, "'UpdateExpression':'SET'", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"SET\""},
        {QUERY, "'KeyConditionExpression':'#h = :hashId a','ExpressionAttributeNames':{'#h':'h'},"
                "'ExpressionAttributeValues':{':hashId':{'S':'x'}}",
         "Invalid KeyConditionExpression: Syntax error; token: \"a\", near: \":hashId a\""},
        {QUERY, "'KeyConditionExpression':'pk = :v AND __typename = :t'",
         "Invalid KeyConditionExpression: Syntax error; token: \"_\", near: \"AND __\""},
        {SCAN, "'FilterExpression':'s == :v'", "Invalid FilterExpression: Syntax error; token: \"=\", near: \"== :v\""},
        {SCAN, "'FilterExpression':'a in b, c'", "Invalid FilterExpression: Syntax error; token: \"b\", near: \"in b,\""},
        {SCAN, "'FilterExpression':'a > 4'", "Invalid FilterExpression: Syntax error; token: \"4\", near: \"> 4\""},
        {SCAN, "'FilterExpression':'ü > a'", "Invalid FilterExpression: Syntax error; token: \"ü\", near: \"ü >\""},
        {SCAN, "'FilterExpression':'a = b = c'", "Invalid FilterExpression: Syntax error; token: \"=\", near: \"b = c\""},
        {SCAN, "'FilterExpression':'(a = :v) = b'", "Invalid FilterExpression: Syntax error; token: \"=\", near: \") = b\""},
        {SCAN, "'FilterExpression':'a = :v AND b'", "Invalid FilterExpression: Syntax error; token: \"<EOF>\", near: \"b\""},
        {SCAN, "'FilterExpression':'   '", "Invalid FilterExpression: The expression can not be empty;"},
        /* keywords are keywords in every grammar */
        {SCAN, "'FilterExpression':'set = :v'", "Invalid FilterExpression: Syntax error; token: \"set\", near: \"set =\""},
        {UPD, "'UpdateExpression':'SET a = :v REMOVE'", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\", near: \"REMOVE\""},
        {GET, "'ProjectionExpression':'a,'", "Invalid ProjectionExpression: Syntax error; token: \"<EOF>\", near: \",\""},
        {GET, "'ProjectionExpression':'a.[1]'", "Invalid ProjectionExpression: Syntax error; token: \"[\", near: \".[1\""},
        {GET, "'ProjectionExpression':'a[01]'", "Invalid ProjectionExpression: Syntax error; token: \"1\", near: \"01]\""},
    };

    RUN_MSGS(cases);
}

/* Syntax errors from dynalite's tests: only "Syntax error; " is asserted there. */
TEST(syntax_errors_dynalite)
{
    static const char *const updates[] = {
        "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b", "delete a = b", "delete a b",
        "delete a if_not_exist(b)", "add abort b", "add a if_not_exist(b)", "remove a b", "set a b", "set :a = b",
        "add :a b", "delete :a b", "remove :a", "set a = b / c", "set a = b * c", "set a[1] = \\\"eight\\\"",
        "set a[1] = 1", "SET a = if_not_exist(a, 100)", "SET if_not_exist(a, b) = a", "set (a = (b + c))",
        "set a = (b.c).d + e", "set a = (b.c)[0] + e", "set a = b + c + d", "set a = ((b + c))",
    };
    static const char *const filters[] = {
        "things are not gonna be ok", "a > 4", "attribute_exists(Pictures-RearView)",
        "attribute_exists(\\\"Pictures.RearView\\\")", "attribute_exists(Pictures..RearView)",
        "attribute_exists(Pi#ctures.RearView)", "attribute_exists(asdf[a])", "a in b, c", "a > between", "a in b",
        "a in (b,c,)", "(a)between(b.(c.d))and(c)", "(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff",
        "b[:a] > a", "b[#_] > a", "ü > a", "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a", "(size(a)).b > a",
        "size(a)[0] > a", "(size(a))[0] > a", "attribute_not_exists(_c)", "attribute_not_exists(c._d)", "a.:b < c",
        "NOT a", "a = :v OR", "a = :v AND AND b = :v", "()", "a IN ()", "f()",
    };
    ddb_req req;

    for (size_t i = 0; i < ARRAY_LEN(updates); i++) {
        const char *f;

        ddb_arena_reset(&A);
        f = ddb_arena_sprintf(&A, "'UpdateExpression':'%s'", updates[i]);

        check_prefix(__FILE__, __LINE__, f, prepare(&req, UPD, f), "Invalid UpdateExpression: Syntax error; ");
    }
    for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
        const char *f;

        ddb_arena_reset(&A);
        f = ddb_arena_sprintf(&A, "'FilterExpression':'%s'", filters[i]);
        check_prefix(__FILE__, __LINE__, f, prepare(&req, SCAN, f), "Invalid FilterExpression: Syntax error; ");
    }
}

TEST(grammar_accepts)
{
    static const msg_case cases[] = {
        {UPD, "'UpdateExpression':'set a = (b + c)'", NULL},
        {UPD, "'UpdateExpression':'set a = (b) + c'", NULL},
        {UPD, "'UpdateExpression':'set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a',"
              "'ExpressionAttributeValues':{':a':{'N':'2'},':b':{'SS':['a']}}",
         NULL},
        {UPD, "'UpdateExpression':'SET created_at=if_not_exists(created_at,:c)','ExpressionAttributeValues':{':c':{'N':'1'}}",
         NULL},
        {UPD, "'UpdateExpression':'SET created_at = if_not_exists (created_at, :c)','ExpressionAttributeValues':{':c':{'N':'1'}}",
         NULL},
        {UPD, "'UpdateExpression':'  ADD #e :e,#d :d DELETE #c :c REMOVE #b SET #f = :f  ',"
              "'ExpressionAttributeValues':{':c':{'SS':['a','b']},':d':{'N':'5'},':e':{'SS':['a','b']},':f':{'L':[{'S':'a'}]}},"
              "'ExpressionAttributeNames':{'#b':'b','#c':'c','#d':'d','#e':'e','#f':'f'}",
         NULL},
        {UPD, "'UpdateExpression':'set a = list_append(if_not_exists(a, :l), :l)','ExpressionAttributeValues':{':l':{'L':[]}}",
         NULL},
        {SCAN, "'FilterExpression':'(a).b = :v AND (a.b)[1] = :v AND ((a).b).c = :v','ExpressionAttributeValues':{':v':{'N':'1'}}",
         NULL},
        {SCAN, "'FilterExpression':'((a) = :v)','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'NOT NOT a = :v','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'a . b [ 1 ] . c = :v','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'a between :v and :v and b in (:v)','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'(size(a)) > :v','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'a[0][1].b = :v','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'a = :v\\n\\tOR\\r\\nb = :v','ExpressionAttributeValues':{':v':{'N':'1'}}", NULL},
        {GET, "'ProjectionExpression':'a, b.c, d[0], #e.f[2]','ExpressionAttributeNames':{'#e':'e'}", NULL},
    };

    RUN_MSGS(cases);
}

TEST(redundant_parentheses)
{
    static const char *const filters[] = {
        "a=a and a > ((views))",        "(a)between(((b.c)).d)and(c)",       "a > whatever((:things), ((a)))",
        "a=a AND ((a=a AND a=a)) AND a=a", "a=a OR ((a=a OR a=a)) OR a=a", "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))", "((a = b))",
    };
    ddb_req req;

    for (size_t i = 0; i < ARRAY_LEN(filters); i++) {
        const char *f;

        ddb_arena_reset(&A);
        f = ddb_arena_sprintf(&A, "'FilterExpression':'%s'", filters[i]);
        check_msg(__FILE__, __LINE__, f, prepare(&req, SCAN, f), "Invalid FilterExpression: The expression has redundant parentheses;");
    }
}

TEST(condition_semantic_errors)
{
    static const msg_case cases[] = {
        /* function names (case-sensitive), before reserved words and undefined names */
        {SCAN, "'FilterExpression':'a=a and whatever((:things)) > a'", "Invalid FilterExpression: Invalid function name; function: whatever"},
        {SCAN, "'FilterExpression':'attRIbute_exIsts((views), #a)'", "Invalid FilterExpression: Invalid function name; function: attRIbute_exIsts"},
        {SCAN, "'FilterExpression':'if_not_exists(a, :v) = b'",
         "Invalid FilterExpression: The function is not allowed in a condition expression; function: if_not_exists"},
        {PUT, "'ConditionExpression':'list_append(a, b)'",
         "Invalid ConditionExpression: The function is not allowed in a condition expression; function: list_append"},
        /* functions used the wrong way */
        {SCAN, "'FilterExpression':'a=a and attribute_exists((views), (#a)) > b'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {SCAN, "'FilterExpression':'attribute_not_exists(things) > b'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_not_exists"},
        {SCAN, "'FilterExpression':'attribute_type(things, :a) > b'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_type"},
        {SCAN, "'FilterExpression':'begins_with(things, a) > b'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: begins_with"},
        {SCAN, "'FilterExpression':'contains(:things, c) > b'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: contains"},
        {SCAN, "'FilterExpression':'size(contains(a, b)) > a'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: contains"},
        {SCAN, "'FilterExpression':'size(things)'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"},
        {SCAN, "'FilterExpression':'a = b AND NOT size(things)'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: size"},
        {SCAN, "'FilterExpression':'a between b and attribute_exists(things)'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
        {SCAN, "'FilterExpression':'a in (b, attribute_exists(things))'",
         "Invalid FilterExpression: The function is not allowed to be used this way in an expression; function: attribute_exists"},
        /* reserved words, as written */
        {SCAN, "'FilterExpression':'attribute_exists(views, #a)'", "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: views"},
        {SCAN, "'FilterExpression':':a < abOrT'", "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: abOrT"},
        {SCAN, "'FilterExpression':'a.b.size = :v'", "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: size"},
        {SCAN, "'FilterExpression':'a[2147483648] = :v'", "Invalid FilterExpression: List index is not within the allowable range; index: [2147483648]"},
        /* undefined names and values */
        {SCAN, "'FilterExpression':'attribute_exists(#Pictures.RearView, :a) and a=a'",
         "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #Pictures"},
        {SCAN, "'FilterExpression':'begins_with(Pictures.#RearView)'",
         "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #RearView"},
        {SCAN, "'FilterExpression':'(#P between :lo and :hi) and (#PC in (:cat1, :cat2))'",
         "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #P"},
        {SCAN, "'FilterExpression':'#4g > a'", "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #4g"},
        {SCAN, "'FilterExpression':'#_ > a'", "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #_"},
        {SCAN, "'FilterExpression':'(a)between(b.c[45].#d)and(:a)'",
         "Invalid FilterExpression: An expression attribute name used in the document path is not defined; attribute name: #d"},
        {SCAN, "'FilterExpression':'begins_with(:hello, #a, #b)'",
         "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :hello"},
        {SCAN, "'FilterExpression':':a < :b'", "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :a"},
        {SCAN, "'FilterExpression':':_ > a'", "Invalid FilterExpression: An expression attribute value used in expression is not defined; attribute value: :_"},
        /* operand counts */
        {SCAN, "'FilterExpression':'attribute_exists(things, a) and a=a'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 2"},
        {SCAN, "'FilterExpression':'attribute_not_exists(things, b)'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_not_exists, number of operands: 2"},
        {SCAN, "'FilterExpression':'attribute_type(things)'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: attribute_type, number of operands: 1"},
        {SCAN, "'FilterExpression':'begins_with(things)'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 1"},
        {SCAN, "'FilterExpression':'begins_with(things, size(a), b)'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: begins_with, number of operands: 3"},
        {SCAN, "'FilterExpression':'contains(things)'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: contains, number of operands: 1"},
        {SCAN, "'FilterExpression':'size(things, a) > b'",
         "Invalid FilterExpression: Incorrect number of operands for operator or function; operator or function: size, number of operands: 2"},
        /* distinct operands */
        {SCAN, "'FilterExpression':'a = a AND #a = b AND :views > a','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
        {SCAN, "'FilterExpression':'#a <> a','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: <>, first operand: [a]"},
        {SCAN, "'FilterExpression':'a > #a','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: >, first operand: [a]"},
        {SCAN, "'FilterExpression':'((a=a) OR (a=a))','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: =, first operand: [a]"},
        {SCAN, "'FilterExpression':'contains(ab.bc[1].a, ab.bc[1].#a)','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: contains, first operand: [ab, bc, [1], a]"},
        {SCAN, "'FilterExpression':'attribute_type(ab.bc[1].#a, ab.bc[1].a)','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: attribute_type, first operand: [ab, bc, [1], a]"},
        {SCAN, "'FilterExpression':'begins_with(ab.bc[1].a, ab.bc[1].#a)','ExpressionAttributeNames':{'#a':'a'}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: begins_with, first operand: [ab, bc, [1], a]"},
        {SCAN, "'FilterExpression':':a > :a','ExpressionAttributeValues':{':a':{'N':'1'}}", NULL},
        {SCAN, "'FilterExpression':'n IN (:a, n)','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid FilterExpression: The first operand must be distinct from the remaining operands for this operator or function; operator: IN, first operand: [n]"},
        /* operand types */
        {SCAN, "'FilterExpression':'attribute_type(a, size(a)) and a=a and a=:a','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
        {SCAN, "'FilterExpression':'attribute_type(a, :a)','ExpressionAttributeValues':{':a':{'BOOL':true}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: BOOL"},
        {SCAN, "'FilterExpression':'attribute_type(a, b)'",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
        {SCAN, "'FilterExpression':'attribute_type(a, :a)','ExpressionAttributeValues':{':a':{'S':'1'}}",
         "Invalid FilterExpression: Invalid attribute type name found; type: 1, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}"},
        {SCAN, "'FilterExpression':'begins_with(a, size(a)) and a=:a','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: N"},
        {SCAN, "'FilterExpression':'begins_with(:a, a)','ExpressionAttributeValues':{':a':{'SS':['1']}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: begins_with, operand type: SS"},
        {SCAN, "'FilterExpression':'size(size(a)) > :a','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"},
        {SCAN, "'FilterExpression':'attribute_not_exists(size(:a))','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: N"},
        {SCAN, "'FilterExpression':'size(:a) > a','ExpressionAttributeValues':{':a':{'NULL':true}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: size, operand type: NULL"},
        {SCAN, "'FilterExpression':'a < :a','ExpressionAttributeValues':{':a':{'BOOL':true}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: <, operand type: BOOL"},
        {SCAN, "'FilterExpression':'a between :a and :b','ExpressionAttributeValues':{':a':{'L':[]},':b':{'L':[]}}",
         "Invalid FilterExpression: Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: L"},
        {SCAN, "'FilterExpression':'attribute_exists(:a) and a=a','ExpressionAttributeValues':{':a':{'S':'1'}}",
         "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_exists"},
        {SCAN, "'FilterExpression':'attribute_not_exists(size(:a))','ExpressionAttributeValues':{':a':{'S':'1'}}",
         "Invalid FilterExpression: Operator or function requires a document path; operator or function: attribute_not_exists"},
        /* BETWEEN bounds */
        {SCAN, "'FilterExpression':'a between :b and :a','ExpressionAttributeValues':{':a':{'S':'a'},':b':{'N':'1'}}",
         "Invalid FilterExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
        {SCAN, "'FilterExpression':'a between :b and :a','ExpressionAttributeValues':{':a':{'S':'a'},':b':{'S':'b'}}",
         "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
        {SCAN, "'FilterExpression':'a between :b and :a','ExpressionAttributeValues':{':a':{'N':'9'},':b':{'N':'10'}}",
         "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {N:10}, upper bound operand: AttributeValue: {N:9}"},
        {SCAN, "'FilterExpression':'a between :b and :a','ExpressionAttributeValues':{':a':{'B':'AQ=='},':b':{'B':'Ag=='}}",
         "Invalid FilterExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}, upper bound operand: AttributeValue: {B:java.nio.HeapByteBuffer[pos=0 lim=1 cap=1]}"},
        {SCAN, "'FilterExpression':'a between :a and :a','ExpressionAttributeValues':{':a':{'N':'1'}}", NULL},
    };

    RUN_MSGS(cases);
}

TEST(in_operand_limit)
{
    ddb_buf b = {0};
    ddb_req req;

    for (int n = 100; n <= 101; n++) {
        const char *want = n == 100 ? NULL
                                    : "Invalid FilterExpression: The IN operator is provided with too many operands; number "
                                      "of operands: 101";
        b.len = 0;
        ddb_buf_puts(&b, "'FilterExpression':'a IN (");
        for (int i = 0; i < n; i++)
            ddb_buf_printf(&b, "%s:v", i ? "," : "");
        ddb_buf_puts(&b, ")','ExpressionAttributeValues':{':v':{'S':'x'}}");
        ddb_buf_putc(&b, 0);
        ddb_arena_reset(&A);
        check_msg(__FILE__, __LINE__, "IN with n operands", prepare(&req, SCAN, b.data), want);
    }
    ddb_buf_free(&b);
}

TEST(operator_and_depth_limits)
{
    ddb_buf b = {0};
    ddb_req req;

    /* 151 comparisons and 150 ANDs: 301 operators */
    ddb_buf_puts(&b, "'FilterExpression':'a = :v");
    for (int i = 0; i < 150; i++)
        ddb_buf_puts(&b, " AND a = :v");
    ddb_buf_puts(&b, "','ExpressionAttributeValues':{':v':{'S':'x'}}");
    ddb_buf_putc(&b, 0);
    check_msg(__FILE__, __LINE__, "301 operators", prepare(&req, SCAN, b.data),
              "Invalid FilterExpression: The expression contains too many operators; operator count: 301");
    b.len = 0;
    ddb_buf_puts(&b, "'ProjectionExpression':'a");
    for (int i = 0; i < 32; i++)
        ddb_buf_puts(&b, ".a");
    ddb_buf_puts(&b, "'");
    ddb_buf_putc(&b, 0);
    check_msg(__FILE__, __LINE__, "33 levels", prepare(&req, GET, b.data),
              "Invalid ProjectionExpression: The document path has too many nesting levels; nesting levels: 33");
    ddb_buf_free(&b);
}

TEST(update_semantic_errors)
{
    static const msg_case cases[] = {
        {UPD, "'UpdateExpression':' set #c = :c set abOrt = true ','ExpressionAttributeValues':{':a':{'S':'a'}},'ExpressionAttributeNames':{'#a':'a'}",
         "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: abOrt"},
        {UPD, "'UpdateExpression':' remove Absolute '", "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: Absolute"},
        {UPD, "'UpdateExpression':'set #c = if_not_exist(:c) set c = d'", "Invalid UpdateExpression: Invalid function name; function: if_not_exist"},
        {UPD, "'UpdateExpression':'set a = attribute_exists(b)'",
         "Invalid UpdateExpression: The function is not allowed in an update expression; function: attribute_exists"},
        {UPD, "'UpdateExpression':'set a = size(b)'", "Invalid UpdateExpression: The function is not allowed in an update expression; function: size"},
        {UPD, "'UpdateExpression':'set a = #c set c = :d'", "Invalid UpdateExpression: The \"SET\" section can only be used once in an update expression;"},
        {UPD, "'UpdateExpression':'remove #d set a = b remove e'", "Invalid UpdateExpression: The \"REMOVE\" section can only be used once in an update expression;"},
        {UPD, "'UpdateExpression':'add #d :e set a = b add e :f'", "Invalid UpdateExpression: The \"ADD\" section can only be used once in an update expression;"},
        {UPD, "'UpdateExpression':'delete #d :e set a = b delete #e :f'", "Invalid UpdateExpression: The \"DELETE\" section can only be used once in an update expression;"},
        {UPD, "'UpdateExpression':'SET #c = if_not_exists(:c)','ExpressionAttributeValues':{':a':{'S':'a'}},'ExpressionAttributeNames':{'#a':'a'}",
         "Invalid UpdateExpression: An expression attribute name used in the document path is not defined; attribute name: #c"},
        {UPD, "'UpdateExpression':'SET #a = if_not_exists(:c)','ExpressionAttributeValues':{':a':{'S':'a'}},'ExpressionAttributeNames':{'#a':'a'}",
         "Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :c"},
        {UPD, "'UpdateExpression':'set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)','ExpressionAttributeNames':{'#c':'c','#d':'[3]'}",
         "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [1], a], path two: [c]"},
        {UPD, "'UpdateExpression':'set #c[3].#d = a, #c[3] = a','ExpressionAttributeNames':{'#c':'c','#d':'[3]'}",
         "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3]]"},
        {UPD, "'UpdateExpression':'set a = :v remove a','ExpressionAttributeValues':{':v':{'S':'a'}}",
         "Invalid UpdateExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a]"},
        {UPD, "'UpdateExpression':'set #c[3].#d = a, #c.#d[3] = if_not_exists(a)','ExpressionAttributeNames':{'#b':'b','#c':'c','#d':'[3]'}",
         "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [c, [3], [3]], path two: [c, [3], [3]]"},
        {UPD, "'UpdateExpression':'remove a.#c set a[1] = #d','ExpressionAttributeNames':{'#b':'b','#c':'c','#d':'[3]'}",
         "Invalid UpdateExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, c], path two: [a, [1]]"},
        {UPD, "'UpdateExpression':'set b = list_append(:a, a), c = if_not_exists(a) add a.b :a','ExpressionAttributeValues':{':a':{'S':'a'}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: STRING, typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {UPD, "'UpdateExpression':'delete a.b :a','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: NUMBER, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
        {UPD, "'UpdateExpression':'add a.b :a','ExpressionAttributeValues':{':a':{'M':{}}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: MAP, typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {UPD, "'UpdateExpression':'add a.b :a','ExpressionAttributeValues':{':a':{'L':[]}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: LIST, typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {UPD, "'UpdateExpression':'delete a.b :a','ExpressionAttributeValues':{':a':{'BOOL':false}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: DELETE, operand type: BOOLEAN, typeSet: ALLOWED_FOR_DELETE_OPERAND"},
        {UPD, "'UpdateExpression':'add a :a','ExpressionAttributeValues':{':a':{'B':'YQ=='}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: BINARY, typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {UPD, "'UpdateExpression':'add a :a','ExpressionAttributeValues':{':a':{'NULL':true}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator: ADD, operand type: NULL, typeSet: ALLOWED_FOR_ADD_OPERAND"},
        {UPD, "'UpdateExpression':'set a = if_not_exists(c)'",
         "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"},
        {UPD, "'UpdateExpression':'set a = list_append(c)'",
         "Invalid UpdateExpression: Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"},
        {UPD, "'UpdateExpression':'set a = if_not_exists(:a, c)','ExpressionAttributeValues':{':a':{'S':'a'}}",
         "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
        {UPD, "'UpdateExpression':'set a = if_not_exists(if_not_exists(a, b), c)'",
         "Invalid UpdateExpression: Operator or function requires a document path; operator or function: if_not_exists"},
        {UPD, "'UpdateExpression':'set a = list_append(:a, a)','ExpressionAttributeValues':{':a':{'S':'a'}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: S"},
        {UPD, "'UpdateExpression':'set a = list_append(a, :b)','ExpressionAttributeValues':{':b':{'N':'1'}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: N"},
        {UPD, "'UpdateExpression':'set a = list_append(:i, a)','ExpressionAttributeValues':{':i':{'M':{}}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: list_append, operand type: M"},
        {UPD, "'UpdateExpression':'set a = a + :a','ExpressionAttributeValues':{':a':{'S':'a'}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: S"},
        {UPD, "'UpdateExpression':'set a = :c - a','ExpressionAttributeValues':{':c':{'B':'YQ=='}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: B"},
        {UPD, "'UpdateExpression':'set a = a - :g','ExpressionAttributeValues':{':g':{'NS':['1']}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: -, operand type: NS"},
        {UPD, "'UpdateExpression':'set a = a + :j','ExpressionAttributeValues':{':j':{'L':[]}}",
         "Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: +, operand type: L"},
    };

    RUN_MSGS(cases);
}

TEST(key_condition_rules)
{
    static const msg_case cases[] = {
        {QUERY, "'KeyConditionExpression':'attribute_type(a, b)'",
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {NS,SS,L,BS,N,M,B,BOOL,NULL,S}"},
        {QUERY, "'KeyConditionExpression':'attribute_type(a, :a)','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
        {QUERY, "'KeyConditionExpression':'attribute_type(a, :a)','ExpressionAttributeValues':{':a':{'S':'S'}}",
         "Invalid operator used in KeyConditionExpression: attribute_type"},
        {QUERY, "'KeyConditionExpression':'a > b and size(b) > c or a > c'", "Invalid operator used in KeyConditionExpression: OR"},
        {QUERY, "'KeyConditionExpression':'a in (b, size(c), d)'", "Invalid operator used in KeyConditionExpression: IN"},
        {QUERY, "'KeyConditionExpression':'attribute_exists(a)'", "Invalid operator used in KeyConditionExpression: attribute_exists"},
        {QUERY, "'KeyConditionExpression':'attribute_not_exists(a)'", "Invalid operator used in KeyConditionExpression: attribute_not_exists"},
        {QUERY, "'KeyConditionExpression':'contains(a.d, b)'", "Invalid operator used in KeyConditionExpression: contains"},
        {QUERY, "'KeyConditionExpression':'not a > b'", "Invalid operator used in KeyConditionExpression: NOT"},
        {QUERY, "'KeyConditionExpression':'a <> b'", "Invalid operator used in KeyConditionExpression: <>"},
        {QUERY, "'KeyConditionExpression':':a between size(b) and size(a) and b > :b','ExpressionAttributeValues':{':a':{'S':'1'},':b':{'S':'1'}}",
         "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand"},
        {QUERY, "'KeyConditionExpression':'begins_with(:a, b) and a > :b','ExpressionAttributeValues':{':a':{'S':'1'},':b':{'S':'1'}}",
         "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand"},
        {QUERY, "'KeyConditionExpression':'size(b) > a AND a.b > b AND b > c'", "KeyConditionExpressions cannot contain nested operations"},
        {QUERY, "'KeyConditionExpression':'a > size(b.d)'", "KeyConditionExpressions cannot contain nested operations"},
        {QUERY, "'KeyConditionExpression':'a between size(b) and size(a)'", "KeyConditionExpressions cannot contain nested operations"},
        {QUERY, "'KeyConditionExpression':'b > a.b'", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {QUERY, "'KeyConditionExpression':'b between c[1] and d'", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {QUERY, "'KeyConditionExpression':'a between b and size(a)'", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {QUERY, "'KeyConditionExpression':'begins_with(a, b)'", "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition"},
        {QUERY, "'KeyConditionExpression':'b.d > a AND c.d > e.f'", "KeyConditionExpressions cannot have conditions on nested attributes"},
        {QUERY, "'KeyConditionExpression':'a.d > c'", "KeyConditionExpressions cannot have conditions on nested attributes"},
        {QUERY, "'KeyConditionExpression':'b[0] > a'", "KeyConditionExpressions cannot have conditions on nested attributes"},
        {QUERY, "'KeyConditionExpression':':b > :a AND a < :b','ExpressionAttributeValues':{':a':{'N':'1'},':b':{'N':'1'}}",
         "Invalid condition in KeyConditionExpression: No key attribute specified"},
        {QUERY, "'KeyConditionExpression':'b > :a AND b < :a and c = :a and d = :a','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
        {QUERY, "'KeyConditionExpression':'(a > :a and b > :a) and (b > :a and c > :a)','ExpressionAttributeValues':{':a':{'N':'1'}}",
         "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"},
        /* up to 8 conditions parse (multi-attribute GSI keys); the handler counts them against the key it reads */
        {QUERY, "'KeyConditionExpression':'(a > :a and b > :a) and (c > :a and d > :a) and (e > :a and f > :a) and "
                "(g = :a and h = :a and i = :a)','ExpressionAttributeValues':{':a':{'S':'a'}}",
         "Conditions can be of length 1 or 2 only"},
        {QUERY, "'KeyConditionExpression':'a between :b and :a','ExpressionAttributeValues':{':a':{'S':'a'},':b':{'N':'1'}}",
         "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"},
        {QUERY, "'KeyConditionExpression':'a between :b and :a','ExpressionAttributeValues':{':a':{'S':'a'},':b':{'S':'b'}}",
         "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"},
        /* a BOOL value is left to the handler ("Condition parameter type does not match schema type") */
        {QUERY, "'KeyConditionExpression':'a = :b','ExpressionAttributeValues':{':b':{'BOOL':true}}", NULL},
        /* the key condition is checked after the unused-name check, as in dynalite */
        {QUERY, "'KeyConditionExpression':'a <> :b','ExpressionAttributeValues':{':b':{'S':'x'},':c':{'S':'x'}}",
         "Value provided in ExpressionAttributeValues unused in expressions: keys: {:c}"},
        {QUERY, "'KeyConditionExpression':'#k = :k AND begins_with(r, :p)','ExpressionAttributeNames':{'#k':'k'},"
                "'ExpressionAttributeValues':{':k':{'S':'x'},':p':{'S':'y'}},'FilterExpression':'attribute_exists(z)'",
         NULL},
    };

    RUN_MSGS(cases);
}

TEST(key_conditions_converted)
{
    ddb_req req;
    const ddb_key_cond *kc;
    const char *err = prepare(&req, QUERY,
                              js("'KeyConditionExpression':':lo <= r AND #k = :k','ExpressionAttributeNames':{'#k':'k'},"
                                 "'ExpressionAttributeValues':{':k':{'S':'x'},':lo':{'N':'3'}}"));

    ASSERT_NULL(err);
    ASSERT_EQ(ddb_expr_key_conds(req.parsed.key_condition, &kc), 2);
    ASSERT_MEM_EQ(kc[0].name, kc[0].nlen, "r", 1);
    ASSERT_EQ(kc[0].op, DDB_KC_GE); /* :lo <= r is r >= :lo */
    ASSERT_MEM_EQ(kc[0].v[0]->u.s, kc[0].v[0]->len, "3", 1);
    ASSERT_MEM_EQ(kc[1].name, kc[1].nlen, "k", 1);
    ASSERT_EQ(kc[1].op, DDB_KC_EQ);
    err = prepare(&req, QUERY,
                  js("'KeyConditionExpression':'k = :k AND r BETWEEN :a AND :b',"
                     "'ExpressionAttributeValues':{':k':{'S':'x'},':a':{'N':'1'},':b':{'N':'2'}}"));
    ASSERT_NULL(err);
    ASSERT_EQ(ddb_expr_key_conds(req.parsed.key_condition, &kc), 2);
    ASSERT_EQ(kc[1].op, DDB_KC_BETWEEN);
    ASSERT_MEM_EQ(kc[1].v[1]->u.s, kc[1].v[1]->len, "2", 1);
    ncases += 2;
}

/* ================================================================ evaluation */

static const char *const ITEM =
    "'pk':{'S':'k'},'s':{'S':'hello'},'n':{'N':'5'},'b':{'B':'AQID'},'t':{'BOOL':true},'z':{'NULL':true},"
    "'ss':{'SS':['a','b']},'ns':{'NS':['1','2']},'bs':{'BS':['AQ==']},"
    "'l':{'L':[{'S':'x'},{'N':'1'},{'M':{'k':{'S':'v'}}}]},'m':{'M':{'a':{'N':'1'},'b':{'L':[{'S':'y'}]}}},"
    "'u':{'S':'\\u00fc\\u20ac\\ud83d\\ude00'},'e':{'S':''}";

static const char *const VALUES =
    "':one':{'N':'1'},':two':{'N':'2.0'},':five':{'N':'5.00'},':six':{'N':'6'},':three':{'N':'3'},':four':{'N':'4'},"
    "':a':{'S':'a'},':x':{'S':'x'},':he':{'S':'he'},':ell':{'S':'ell'},':hello':{'S':'hello'},':zz':{'S':'zz'},"
    "':b1':{'B':'AQ=='},':b23':{'B':'AgM='},':b9':{'B':'CQ=='},':v':{'S':'v'},':y':{'S':'y'},"
    "':tS':{'S':'S'},':tSS':{'S':'SS'},':tN':{'S':'N'},':tM':{'S':'M'},':tL':{'S':'L'},':tB':{'S':'B'},"
    "':tBOOL':{'S':'BOOL'},':tNULL':{'S':'NULL'},':tNS':{'S':'NS'},':tBS':{'S':'BS'},"
    "':ssab':{'SS':['b','a']},':mk':{'M':{'k':{'S':'v'}}},':true':{'BOOL':true},':null':{'NULL':true},':empty':{'S':''}";

typedef struct eval_case {
    const char *cond;
    int want;
} eval_case;

static int eval_on(const char *cond, const char *item, int op)
{
    ddb_req req;
    const char *fields = ddb_arena_sprintf(&A, "'%s':'%s','ExpressionAttributeValues':{%s}",
                                           op == SCAN ? "FilterExpression" : "ConditionExpression", cond, VALUES);
    ddb_attr it;
    const char *err;

    /* unused values are fine here: the table is shared by many cases */
    ddb_arena_reset(&A);
    memset(&req, 0, sizeof(req));
    req.arena = &A;
    req.op = op;
    {
        ddb_expr_ctx *ctx;
        const ddb_json *in = json(ddb_arena_sprintf(&A, "{%s}", fields));
        ddb_expr *e;

        err = ddb_expr_ctx_new(&A, NULL, ddb_json_get(in, "ExpressionAttributeValues"), &ctx);
        if (err == NULL)
            err = ddb_expr_parse(ctx, DDB_EXPR_FILTER, js(cond), strlen(cond), &e);
        if (err != NULL) {
            fprintf(stderr, "  %s: %s\n", cond, err);
            return -1;
        }
        if (item == NULL)
            return ddb_expr_eval_condition(e, NULL);
        item_of(ddb_arena_sprintf(&A, "{%s}", item), &it);
        return ddb_expr_eval_condition(e, &it);
    }
}

static void run_evals(const eval_case *c, size_t n, const char *item, const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        int got = eval_on(c[i].cond, item, SCAN);

        ncases++;
        if (got != c[i].want)
            ddb_test_fail(file, line, "%s: got %d, want %d", c[i].cond, got, c[i].want);
    }
}
#define RUN_EVALS(cases, item) run_evals(cases, ARRAY_LEN(cases), item, __FILE__, __LINE__)

TEST(eval_comparisons)
{
    static const eval_case cases[] = {
        {"n = :five", 1},     {"n = :six", 0},      {"n <> :five", 0},      {"nope <> :five", 1},  {"s <> :five", 1},
        {"nope = :five", 0},  {"n < :six", 1},      {"n <= :five", 1},      {"n > :five", 0},      {"n >= :five", 1},
        {"s < :five", 0},     {"s > :he", 1},       {"s < :zz", 1},         {"b > :b1", 1},        {"b < :b9", 1},
        {":one < n", 1},      {"n = n2", 0},        {"ss = :ssab", 1},      {"m.a = :one", 1},     {"l[1] = :one", 1},
        {"l[2].k = :v", 1},   {"m.b[0] = :y", 1},   {"l[5] = :one", 0},     {"l.k = :v", 0},       {"m[0] = :one", 0},
        {"l[2] = :mk", 1},    {"t = :true", 1},     {"z = :null", 1},       {"e = :empty", 1},     {"n <> n2", 1},
        {"n BETWEEN :four AND :six", 1},            {"n BETWEEN :one AND :four", 0},              {"s BETWEEN :a AND :zz", 1},
        {"n BETWEEN :a AND :zz", 0},                {"nope BETWEEN :one AND :six", 0},            {"n IN (:one, :five)", 1},
        {"n IN (:one, :six)", 0},                   {"nope IN (:one)", 0},                        {"s IN (:five, :hello)", 1},
    };

    RUN_EVALS(cases, ITEM);
}

TEST(eval_functions)
{
    static const eval_case cases[] = {
        {"attribute_exists(pk)", 1},     {"attribute_exists(nope)", 0},  {"attribute_not_exists(nope)", 1},
        {"attribute_exists(m.a)", 1},    {"attribute_exists(m.c)", 0},   {"attribute_exists(l[2].k)", 1},
        {"attribute_not_exists(pk)", 0}, {"size(s) = :five", 1},         {"size(u) = :four", 1},
        {"size(b) = :three", 1},         {"size(ss) = :two", 1},         {"size(l) = :three", 1},
        {"size(m) = :two", 1},           {"size(n) = :one", 0},          {"size(n) <> :one", 1},
        {"size(nope) < :one", 0},        {"size(e) < :one", 1},          {"size(t) = :one", 0},
        {"contains(s, :ell)", 1},        {"contains(s, :x)", 0},         {"contains(ss, :a)", 1},
        {"contains(ss, :x)", 0},         {"contains(ns, :two)", 1},      {"contains(ns, :six)", 0},
        {"contains(bs, :b1)", 1},        {"contains(l, :x)", 1},         {"contains(l, :one)", 1},
        {"contains(l, :mk)", 1},         {"contains(l, :v)", 0},         {"contains(b, :b23)", 1},
        {"contains(b, :b9)", 0},         {"contains(n, :five)", 0},      {"contains(ss, :one)", 0},
        {"contains(nope, :a)", 0},       {"begins_with(s, :he)", 1},     {"begins_with(s, :ell)", 0},
        {"begins_with(s, :hello)", 1},   {"begins_with(b, :b1)", 1},     {"begins_with(b, :b23)", 0},
        {"begins_with(n, :a)", 0},     {"begins_with(ss, :a)", 0},     {"begins_with(nope, :a)", 0},
        {"attribute_type(s, :tS)", 1},   {"attribute_type(s, :tN)", 0},  {"attribute_type(ss, :tSS)", 1},
        {"attribute_type(n, :tN)", 1},   {"attribute_type(m, :tM)", 1},  {"attribute_type(l, :tL)", 1},
        {"attribute_type(b, :tB)", 1},   {"attribute_type(t, :tBOOL)", 1}, {"attribute_type(z, :tNULL)", 1},
        {"attribute_type(ns, :tNS)", 1}, {"attribute_type(bs, :tBS)", 1}, {"attribute_type(nope, :tS)", 0},
    };

    RUN_EVALS(cases, ITEM);
}

TEST(eval_precedence)
{
    static const eval_case cases[] = {
        /* NOT binds tighter than AND, AND tighter than OR */
        {"attribute_exists(nope) AND attribute_exists(pk) OR attribute_exists(s)", 1},
        {"attribute_exists(pk) OR attribute_exists(nope) AND attribute_exists(nope)", 1},
        {"(attribute_exists(pk) OR attribute_exists(nope)) AND attribute_exists(nope)", 0},
        {"NOT attribute_exists(pk) OR attribute_exists(s)", 1},
        {"NOT (attribute_exists(pk) OR attribute_exists(s))", 0},
        {"NOT attribute_exists(nope) AND attribute_exists(nope)", 0},
        {"NOT NOT attribute_exists(pk)", 1},
        {"n = :five AND s = :hello AND NOT contains(ss, :x)", 1},
        {"n = :six or s = :x or m.a = :one", 1},
        {"n = :six or s = :x or m.a = :two", 0},
    };

    RUN_EVALS(cases, ITEM);
}

TEST(eval_without_item)
{
    static const eval_case cases[] = {
        {"attribute_not_exists(pk)", 1}, {"attribute_exists(pk)", 0}, {"pk <> :x", 1},
        {"pk = :x", 0},                  {"NOT pk = :x", 1},          {"size(pk) <> :one", 1},
    };

    RUN_EVALS(cases, NULL);
    ncases++;
    if (!ddb_expr_eval_condition(NULL, NULL))
        ddb_test_fail(__FILE__, __LINE__, "a NULL condition holds");
}

/* ================================================================ updates */

static const char *const BASE =
    "{'pk':{'S':'k'},'c':{'N':'1'},'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'}]},'m':{'M':{'x':{'N':'1'}}},"
    "'ss':{'SS':['a','b']},'ns':{'NS':['1','2']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'}}";

static const char *const UVALUES =
    "':one':{'N':'1'},':two':{'N':'2'},':z':{'S':'z'},':y':{'S':'y'},':lz':{'L':[{'S':'z'}]},':ssa':{'SS':['a']},"
    "':ssab':{'SS':['a','b']},':ssbc':{'SS':['b','c']},':ns3':{'NS':['3','1']},':mz':{'M':{'z':{'S':'z'}}},"
    "':bigv':{'N':'1E+125'},':tiny':{'N':'1E-130'}";

typedef struct upd_case {
    const char *update;
    const char *want; /* the new item (JSON, attributes in any order) or the error message */
} upd_case;

/* Parses and applies `update` to `base`; returns the error or NULL with *out set. */
static const char *apply(const char *update, const char *names, const char *base, ddb_attr *out, ddb_req *req)
{
    const char *fields = ddb_arena_sprintf(&A, "'UpdateExpression':'%s','ExpressionAttributeValues':{%s}%s%s", update,
                                           UVALUES, names ? "," : "", names ? names : "");
    ddb_expr_ctx *ctx;
    const ddb_json *in;
    const char *err, *msg = NULL;
    ddb_attr old;
    ddb_expr *e;

    ddb_arena_reset(&A);
    memset(req, 0, sizeof(*req));
    req->arena = &A;
    in = json(ddb_arena_sprintf(&A, "{%s}", fields));
    err = ddb_expr_ctx_new(&A, ddb_json_get(in, "ExpressionAttributeNames"), ddb_json_get(in, "ExpressionAttributeValues"),
                           &ctx);
    if (err == NULL)
        err = ddb_expr_parse(ctx, DDB_EXPR_UPDATE, js(update), strlen(update), &e);
    if (err != NULL)
        return ddb_arena_sprintf(&A, "parse: %s", err);
    req->parsed.update = e;
    if (base != NULL)
        item_of(base, &old);
    if (ddb_expr_apply_update(&A, e, base ? &old : NULL, out, &msg) != 0)
        return msg;
    return NULL;
}

static void run_updates(const upd_case *c, size_t n, const char *names, const char *base, const char *file, int line)
{
    for (size_t i = 0; i < n; i++) {
        ddb_req req;
        ddb_attr got, want;
        const char *err = apply(c[i].update, names, base, &got, &req);

        ncases++;
        if (c[i].want[0] != '{') {
            if (err == NULL || strcmp(err, c[i].want) != 0)
                ddb_test_fail(file, line, "%s:\n    got:  %s\n    want: %s", c[i].update, err ? err : item_text(&got), c[i].want);
            continue;
        }
        if (err != NULL) {
            ddb_test_fail(file, line, "%s: %s", c[i].update, err);
            continue;
        }
        item_of(c[i].want, &want);
        if (!ddb_attr_equal(&got, &want))
            ddb_test_fail(file, line, "%s:\n    got:  %s\n    want: %s", c[i].update, item_text(&got), item_text(&want));
    }
}
#define RUN_UPDATES(cases, names, base) run_updates(cases, ARRAY_LEN(cases), names, base, __FILE__, __LINE__)

#define B0 "'pk':{'S':'k'},'ss':{'SS':['a','b']},'ns':{'NS':['1','2']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'}"
#define BL "'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'}]}"
#define BM "'m':{'M':{'x':{'N':'1'}}}"
#define BC "'c':{'N':'1'}"

TEST(update_set)
{
    static const upd_case cases[] = {
        {"SET #c = #c + :one", "{" B0 "," BL "," BM ",'c':{'N':'2'}}"},
        {"SET c = c - :one", "{" B0 "," BL "," BM ",'c':{'N':'0'}}"},
        {"SET c = :two - c", "{" B0 "," BL "," BM ",'c':{'N':'1'}}"},
        {"SET n = :one", "{" B0 "," BL "," BM "," BC ",'n':{'N':'1'}}"},
        {"SET n = c", "{" B0 "," BL "," BM "," BC ",'n':{'N':'1'}}"},
        {"SET m.y = :one", "{" B0 "," BL "," BC ",'m':{'M':{'x':{'N':'1'},'y':{'N':'1'}}}}"},
        {"SET m.x = :two", "{" B0 "," BL "," BC ",'m':{'M':{'x':{'N':'2'}}}}"},
        {"SET m.x = m.x + :one, c = m.x", "{" B0 "," BL ",'c':{'N':'1'},'m':{'M':{'x':{'N':'2'}}}}"},
        {"SET l[1] = :z", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'z'},{'S':'c'}]}}"},
        {"SET l[10] = :z", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'},{'S':'z'}]}}"},
        {"SET l[5] = :y, l[4] = :z", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'},{'S':'z'},{'S':'y'}]}}"},
        {"SET x = if_not_exists(c, :two)", "{" B0 "," BL "," BM "," BC ",'x':{'N':'1'}}"},
        {"SET x = if_not_exists(nope, :two)", "{" B0 "," BL "," BM "," BC ",'x':{'N':'2'}}"},
        {"SET c = if_not_exists(nope, :two) + c", "{" B0 "," BL "," BM ",'c':{'N':'3'}}"},
        {"SET l = list_append(l, :lz)", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'},{'S':'z'}]}}"},
        {"SET l = list_append(:lz, l)", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'z'},{'S':'a'},{'S':'b'},{'S':'c'}]}}"},
        {"SET q = list_append(if_not_exists(q, :lz), :lz)", "{" B0 "," BL "," BM "," BC ",'q':{'L':[{'S':'z'},{'S':'z'}]}}"},
        {"SET m = :mz", "{" B0 "," BL "," BC ",'m':{'M':{'z':{'S':'z'}}}}"},
        {"SET c = big - big", "{" B0 "," BL "," BM ",'c':{'N':'0'}}"},
        /* errors */
        {"SET x = nope", "The provided expression refers to an attribute that does not exist in the item"},
        {"SET x = nope + :one", "The provided expression refers to an attribute that does not exist in the item"},
        {"SET x = list_append(nope, :lz)", "The provided expression refers to an attribute that does not exist in the item"},
        {"SET x = s + :one", "An operand in the update expression has an incorrect data type"},
        {"SET x = :one + s", "An operand in the update expression has an incorrect data type"},
        {"SET x = list_append(s, :lz)", "An operand in the update expression has an incorrect data type"},
        {"SET x = list_append(l, m)", "An operand in the update expression has an incorrect data type"},
        {"SET m.q.r = :one", "The document path provided in the update expression is invalid for update"},
        {"SET s.q = :one", "The document path provided in the update expression is invalid for update"},
        {"SET s[0] = :one", "The document path provided in the update expression is invalid for update"},
        {"SET m[0] = :one", "The document path provided in the update expression is invalid for update"},
        {"SET l.a = :one", "The document path provided in the update expression is invalid for update"},
        {"SET nope.a = :one", "The document path provided in the update expression is invalid for update"},
        {"SET nope[1] = :one", "The document path provided in the update expression is invalid for update"},
        {"SET c = big + :bigv", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
        /* an exact result needing more than 38 digits is an overflow in DynamoDB's arithmetic */
        {"SET c = :tiny - :bigv", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
        /* DynamoDB's order: a wrong parent, a wrong type, then per section from the last */
        {"SET x = nope, s.q = :one", "The document path provided in the update expression is invalid for update"},
        {"SET x = nope, y = s + :one", "An operand in the update expression has an incorrect data type"},
        {"SET x = nope REMOVE y.z", "The document path provided in the update expression is invalid for update"},
        {"REMOVE y.z SET x = nope", "The provided expression refers to an attribute that does not exist in the item"},
        {"SET c = big + :bigv, x = nope", "The provided expression refers to an attribute that does not exist in the item"},
    };

    RUN_UPDATES(cases, "'ExpressionAttributeNames':{'#c':'c'}", BASE);
}

TEST(update_remove_add_delete)
{
    static const upd_case cases[] = {
        {"REMOVE l[0], l[2]", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'b'}]}}"},
        {"REMOVE l[1] SET l[0] = :z", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'z'},{'S':'c'}]}}"},
        {"REMOVE l[10]", BASE},
        {"REMOVE l[1] SET l[7] = :z", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'c'},{'S':'z'}]}}"},
        {"REMOVE s, nope", "{'pk':{'S':'k'},'ss':{'SS':['a','b']},'ns':{'NS':['1','2']},'big':{'N':'9.9999999999999999999999999999999999999E+125'}," BL "," BM "," BC "}"},
        {"REMOVE m.x", "{" B0 "," BL "," BC ",'m':{'M':{}}}"},
        {"REMOVE m.nope", BASE},
        {"REMOVE nope.a", "The document path provided in the update expression is invalid for update"},
        {"REMOVE s.a", "The document path provided in the update expression is invalid for update"},
        {"ADD c :two", "{" B0 "," BL "," BM ",'c':{'N':'3'}}"},
        {"ADD newn :two", "{" B0 "," BL "," BM "," BC ",'newn':{'N':'2'}}"},
        {"ADD m.x :two", "{" B0 "," BL "," BC ",'m':{'M':{'x':{'N':'3'}}}}"},
        {"ADD ss :ssbc", "{'pk':{'S':'k'},'ns':{'NS':['1','2']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'},'ss':{'SS':['a','b','c']}," BL "," BM "," BC "}"},
        {"ADD ns :ns3", "{'pk':{'S':'k'},'ss':{'SS':['a','b']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'},'ns':{'NS':['1','2','3']}," BL "," BM "," BC "}"},
        {"ADD newss :ssbc", "{" B0 "," BL "," BM "," BC ",'newss':{'SS':['b','c']}}"},
        {"ADD l[5] :two", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'},{'N':'2'}]}}"},
        {"ADD s :one", "An operand in the update expression has an incorrect data type"},
        {"ADD ss :one", "An operand in the update expression has an incorrect data type"},
        {"ADD c :ssa", "An operand in the update expression has an incorrect data type"},
        {"ADD ns :ssa", "An operand in the update expression has an incorrect data type"},
        {"ADD big :bigv", "Number overflow. Attempting to store a number with magnitude larger than supported range"},
        {"ADD nope.x :one", "The document path provided in the update expression is invalid for update"},
        {"DELETE ss :ssa", "{'pk':{'S':'k'},'ns':{'NS':['1','2']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'},'ss':{'SS':['b']}," BL "," BM "," BC "}"},
        {"DELETE ss :ssab", "{'pk':{'S':'k'},'ns':{'NS':['1','2']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'}," BL "," BM "," BC "}"},
        {"DELETE ns :ns3", "{'pk':{'S':'k'},'ss':{'SS':['a','b']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'},'ns':{'NS':['2']}," BL "," BM "," BC "}"},
        {"DELETE nope :ssa", BASE},
        {"DELETE s :ssa", "An operand in the update expression has an incorrect data type"},
        {"DELETE ns :ssa", "An operand in the update expression has an incorrect data type"},
        {"DELETE l :ssa", "An operand in the update expression has an incorrect data type"},
    };

    RUN_UPDATES(cases, NULL, BASE);
}

TEST(update_creates_item)
{
    static const upd_case cases[] = {
        {"SET a = :one", "{'pk':{'S':'k'},'a':{'N':'1'}}"},
        {"ADD a :two, b :ssa", "{'pk':{'S':'k'},'a':{'N':'2'},'b':{'SS':['a']}}"},
        {"REMOVE b DELETE c :ssa ADD d :two SET f = :lz", "{'pk':{'S':'k'},'d':{'N':'2'},'f':{'L':[{'S':'z'}]}}"},
        {"SET b.a = :one", "The document path provided in the update expression is invalid for update"},
        {"SET b[1] = :one", "The document path provided in the update expression is invalid for update"},
        {"SET c = b", "The provided expression refers to an attribute that does not exist in the item"},
        {"SET b = if_not_exists(b, pk)", "{'pk':{'S':'k'},'b':{'S':'k'}}"},
    };

    RUN_UPDATES(cases, NULL, "{'pk':{'S':'k'}}");
}

TEST(update_nested_lists)
{
    static const upd_case cases[] = {
        {"SET l[0][5] = :z REMOVE l[2]", "{'l':{'L':[{'L':[{'N':'1'},{'N':'2'},{'N':'3'},{'S':'z'}]},{'M':{'x':{'N':'1'}}}]}}"},
        {"SET l[1].y = :z REMOVE l[0]", "{'l':{'L':[{'M':{'x':{'N':'1'},'y':{'S':'z'}}},{'S':'c'}]}}"},
        {"REMOVE l[0][0], l[1]", "{'l':{'L':[{'L':[{'N':'2'},{'N':'3'}]},{'S':'c'}]}}"},
        {"REMOVE l[0][0], l[0][2] SET l[0][1] = :y", "{'l':{'L':[{'L':[{'S':'y'}]},{'M':{'x':{'N':'1'}}},{'S':'c'}]}}"},
        {"ADD l[0][1] :two, l[1].x :one", "{'l':{'L':[{'L':[{'N':'1'},{'N':'4'},{'N':'3'}]},{'M':{'x':{'N':'2'}}},{'S':'c'}]}}"},
        {"DELETE l[3] :ssa", "{'l':{'L':[{'L':[{'N':'1'},{'N':'2'},{'N':'3'}]},{'M':{'x':{'N':'1'}}},{'S':'c'}]}}"},
        {"SET l[1][0] = :z", "The document path provided in the update expression is invalid for update"},
        {"SET l[0].x = :z", "The document path provided in the update expression is invalid for update"},
    };

    RUN_UPDATES(cases, NULL, "{'l':{'L':[{'L':[{'N':'1'},{'N':'2'},{'N':'3'}]},{'M':{'x':{'N':'1'}}},{'S':'c'}]}}");
}

/* dynalite's "should update nested attributes", run against DynamoDB. */
TEST(update_nested_dynalite)
{
    static const char *const base = "{'a':{'S':'K'},'b':{'M':{'a':{'N':'1'},'b':{'N':'2'},'c':{'N':'3'}}},'c':{'L':[{'N':'1'},{'N':'3'}]}}";
    static const char *const update =
        "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a";
    const char *fields = "'ExpressionAttributeValues':{':a':{'N':'2'},':b':{'SS':['a']}}";
    ddb_expr_ctx *ctx;
    ddb_expr *e;
    ddb_attr old, got, want, proj;
    const char *err, *msg = NULL;
    const ddb_json *in;

    ddb_arena_reset(&A);
    in = json(ddb_arena_sprintf(&A, "{%s}", fields));
    ASSERT_NULL(ddb_expr_ctx_new(&A, NULL, ddb_json_get(in, "ExpressionAttributeValues"), &ctx));
    err = ddb_expr_parse(ctx, DDB_EXPR_UPDATE, update, strlen(update), &e);
    ASSERT_NULL(err);
    item_of(base, &old);
    ASSERT_EQ(ddb_expr_apply_update(&A, e, &old, &got, &msg), 0);
    item_of("{'a':{'S':'K'},'b':{'M':{'a':{'S':'K'},'b':{'N':'2'},'c':{'N':'4'}}},"
            "'c':{'L':[{'N':'1'},{'S':'K'},{'N':'3'},{'N':'-1'},{'N':'2'},{'SS':['a']}]}}",
            &want);
    if (!ddb_attr_equal(&got, &want))
        ddb_test_fail(__FILE__, __LINE__, "got %s", item_text(&got));
    /* UPDATED_NEW: the new item projected onto the update's paths */
    ddb_expr_project_updated(&A, e, &got, &proj);
    item_of("{'b':{'M':{'a':{'S':'K'},'c':{'N':'4'}}},'c':{'L':[{'S':'K'},{'N':'3'},{'N':'2'}]}}", &want);
    if (!ddb_attr_equal(&proj, &want))
        ddb_test_fail(__FILE__, __LINE__, "UPDATED_NEW %s", item_text(&proj));
    /* UPDATED_OLD */
    ddb_expr_project_updated(&A, e, &old, &proj);
    item_of("{'b':{'M':{'a':{'N':'1'},'c':{'N':'3'}}},'c':{'L':[{'N':'3'}]}}", &want);
    if (!ddb_attr_equal(&proj, &want))
        ddb_test_fail(__FILE__, __LINE__, "UPDATED_OLD %s", item_text(&proj));
    ncases += 3;
}

TEST(update_shares_unchanged_values)
{
    static const char update[] = "SET c = c + :one";
    ddb_expr_ctx *ctx;
    ddb_expr *e;
    ddb_attr old, got;
    const char *msg = NULL;

    ddb_arena_reset(&A);
    ASSERT_NULL(ddb_expr_ctx_new(&A, NULL, json("{':one':{'N':'1'}}"), &ctx));
    ASSERT_NULL(ddb_expr_parse(ctx, DDB_EXPR_UPDATE, update, strlen(update), &e));
    item_of(BASE, &old);
    ASSERT_EQ(ddb_expr_apply_update(&A, e, &old, &got, &msg), 0);
    /* the untouched map is the old item's, not a copy; the old item is unchanged */
    ASSERT(ddb_item_get(&got, "m", 1)->u.entries == ddb_item_get(&old, "m", 1)->u.entries);
    ASSERT_MEM_EQ(ddb_item_get(&old, "c", 1)->u.s, 1, "1", 1);
    ASSERT_MEM_EQ(ddb_item_get(&got, "c", 1)->u.s, 1, "2", 1);
    ncases++;
}

TEST(update_targets_and_paths)
{
    ddb_req req;
    const ddb_expr_target *t;

    ddb_arena_reset(&A);
    const ddb_expr_path_ref *p;
    const char *err = prepare(&req, UPD,
                              js("'UpdateExpression':'SET a.b = :v, c = d REMOVE e[1] ADD f :n',"
                                 "'ExpressionAttributeValues':{':v':{'S':'x'},':n':{'N':'1'}}"));

    ASSERT_NULL(err);
    ASSERT_EQ(ddb_expr_update_targets(req.parsed.update, &t), 4);
    ASSERT_MEM_EQ(t[0].name, t[0].nlen, "a", 1);
    ASSERT_EQ(t[0].nested, 1);
    ASSERT_EQ(t[0].type, DDB_T_S);
    ASSERT_EQ(t[1].nested, 0);
    ASSERT_EQ(t[1].type, DDB_T_NONE);
    ASSERT_MEM_EQ(t[2].name, t[2].nlen, "e", 1);
    ASSERT_EQ(t[3].type, DDB_T_N);
    ASSERT_EQ(ddb_expr_paths(req.parsed.update, &p), 5);
    ASSERT_MEM_EQ(p[2].name, p[2].nlen, "d", 1);
    ASSERT_EQ(p[3].depth, 2);
    ncases++;
}

/* ================================================================ projections */

typedef struct proj_case {
    const char *proj;
    const char *want;
} proj_case;

TEST(projection)
{
    static const proj_case cases[] = {
        {"pk, s", "{'pk':{'S':'k'},'s':{'S':'hello'}}"},
        {"m.a", "{'m':{'M':{'a':{'N':'1'}}}}"},
        {"l[2].k, l[0]", "{'l':{'L':[{'S':'x'},{'M':{'k':{'S':'v'}}}]}}"},
        {"l[9], nope, m.nope, s.x, pk.x", "{}"},
        {"m.a, m.b[0]", "{'m':{'M':{'a':{'N':'1'},'b':{'L':[{'S':'y'}]}}}}"},
        {"#p, #m.#a", "{'pk':{'S':'k'},'m':{'M':{'a':{'N':'1'}}}}"},
        {"l[1], l[1]", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [l, [1]], path two: [l, [1]]"},
        {"m, m.a", "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [m], path two: [m, a]"},
        {"m.a, m[1]", "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [m, a], path two: [m, [1]]"},
        {"name", "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: name"},
        {"#x", "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #x"},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_req req;
        const char *fields, *err;
        ddb_attr item, out, want;

        ddb_arena_reset(&A);
        fields = ddb_arena_sprintf(&A, "'ProjectionExpression':'%s','ExpressionAttributeNames':{'#p':'pk','#m':'m','#a':'a'}",
                                   cases[i].proj);
        err = prepare(&req, GET, fields);
        ncases++;
        if (cases[i].want[0] != '{') {
            check_msg(__FILE__, __LINE__, fields, err, cases[i].want);
            continue;
        }
        if (err != NULL && strncmp(err, "Value provided", 14) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "%s: %s", cases[i].proj, err);
            continue;
        }
        if (err != NULL) {
            /* the case leaves some names unused: parse again without the check */
            ddb_expr_ctx *ctx;
            const ddb_json *in = json(ddb_arena_sprintf(&A, "{%s}", fields));

            ddb_expr_ctx_new(&A, ddb_json_get(in, "ExpressionAttributeNames"), NULL, &ctx);
            ddb_expr_parse(ctx, DDB_EXPR_PROJECTION, cases[i].proj, strlen(cases[i].proj), &req.parsed.projection);
        }
        item_of(ddb_arena_sprintf(&A, "{%s}", ITEM), &item);
        ddb_expr_project(&A, req.parsed.projection, &item, &out);
        item_of(cases[i].want, &want);
        if (!ddb_attr_equal(&out, &want))
            ddb_test_fail(__FILE__, __LINE__, "%s: got %s", cases[i].proj, item_text(&out));
    }
}

/* ================================================================ legacy parameters */

TEST(legacy_validation)
{
    static const msg_case cases[] = {
        {PUT, "'Expected':{'a':{}}", "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"},
        {PUT, "'Expected':{'a':{'Exists':true}}", "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"},
        {PUT, "'Expected':{'a':{'Exists':false,'Value':{'S':'a'}}}", "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"},
        {PUT, "'Expected':{'a':{'ComparisonOperator':'LT'}}",
         "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: LT for Attribute: a"},
        {PUT, "'Expected':{'a':{'Exists':true,'ComparisonOperator':'LT'}}",
         "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[{'S':'a'}],'Value':{'S':'a'},'ComparisonOperator':'LT'}}",
         "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[{'S':'a'}]}}",
         "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
        {PUT, "'Expected':{'a':{'Exists':true,'AttributeValueList':[{'S':'a'}]}}",
         "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[],'ComparisonOperator':'EQ'}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[{'S':'a'}],'ComparisonOperator':'NULL'}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[],'ComparisonOperator':'IN'}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the IN ComparisonOperator"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[{'N':'1'},{'N':'10'},{'N':'12'}],'ComparisonOperator':'BETWEEN'}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
        {PUT, "'Expected':{'a':{'Value':{'S':'a'},'ComparisonOperator':'NULL'}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator"},
        {PUT, "'Expected':{'a':{'Value':{'S':'a'},'ComparisonOperator':'BETWEEN'}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[{'S':'b'},{'N':'1'}],'ComparisonOperator':'IN'}}",
         "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
        {PUT, "'Expected':{'a':{'AttributeValueList':[{'S':'b'},{'S':'a'}],'ComparisonOperator':'BETWEEN'}}",
         "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"},
        {SCAN, "'ScanFilter':{'a':{'ComparisonOperator':'LT','AttributeValueList':[{'BOOL':true}]}}",
         "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type"},
        {SCAN, "'ScanFilter':{'a':{'ComparisonOperator':'CONTAINS','AttributeValueList':[{'SS':['a']}]}}",
         "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type"},
        {SCAN, "'ScanFilter':{'a':{'ComparisonOperator':'BEGINS_WITH','AttributeValueList':[{'N':'1'}]}}",
         "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type"},
        {SCAN, "'ScanFilter':{'a':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'M':{}},{'M':{}}]}}",
         "One or more parameter values were invalid: ComparisonOperator BETWEEN is not valid for M AttributeValue type"},
        {SCAN, "'ScanFilter':{'a':{'ComparisonOperator':'NE','AttributeValueList':[{'S':'a'},{'S':'a'}]}}",
         "One or more parameter values were invalid: Invalid number of argument(s) for the NE ComparisonOperator"},
        {SCAN, "'ScanFilter':{'a':{'ComparisonOperator':'EQ','AttributeValueList':[{'NS':['1','1']}]}}", "Input collection contains duplicates"},
        {UPD, "'AttributeUpdates':{'a':{'x':'whatever'}}",
         "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"},
        {UPD, "'AttributeUpdates':{'a':{'Action':'DELETE','Value':{'S':'1'}}}",
         "One or more parameter values were invalid: DELETE action with value is not supported for the type S"},
        {UPD, "'AttributeUpdates':{'a':{'Action':'DELETE','Value':{'L':[]}}}",
         "One or more parameter values were invalid: DELETE action with value is not supported for the type L"},
        {UPD, "'AttributeUpdates':{'a':{'Action':'ADD','Value':{'B':'Yg=='}}}",
         "One or more parameter values were invalid: ADD action is not supported for the type B"},
        {UPD, "'AttributeUpdates':{'a':{'Action':'ADD','Value':{'M':{}}}}",
         "One or more parameter values were invalid: ADD action is not supported for the type M"},
        {GET, "'AttributesToGet':['a','b','a']", "One or more parameter values were invalid: Duplicate value in attribute name: a"},
        {QUERY, "'KeyConditions':{'a':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'a'}]},"
                "'b':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'a'}]},'c':{'ComparisonOperator':'NULL'}}",
         "Conditions can be of length 1 or 2 only"},
        {QUERY, "'KeyConditions':{}", "Conditions can be of length 1 or 2 only"},
        {QUERY, "'KeyConditions':{'a':{'ComparisonOperator':'IN','AttributeValueList':[{'S':'b'},{'N':'1'}]}}",
         "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type"},
    };

    RUN_MSGS(cases);
}

typedef struct legacy_case {
    int op;
    const char *fields;
    int want;
} legacy_case;

TEST(legacy_conditions_evaluate)
{
    static const legacy_case cases[] = {
        {PUT, "'Expected':{'s':{'Value':{'S':'hello'}}}", 1},
        {PUT, "'Expected':{'s':{'Value':{'S':'x'}}}", 0},
        {PUT, "'Expected':{'s':{'Value':{'S':'hello'},'Exists':true}}", 1},
        {PUT, "'Expected':{'nope':{'Exists':false}}", 1},
        {PUT, "'Expected':{'s':{'Exists':false}}", 0},
        {PUT, "'Expected':{'s':{'ComparisonOperator':'NOT_NULL'}}", 1},
        {PUT, "'Expected':{'s':{'ComparisonOperator':'NULL'}}", 0},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'EQ','AttributeValueList':[{'N':'5.0'}]}}", 1},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'NE','AttributeValueList':[{'N':'5'}]}}", 0},
        {PUT, "'Expected':{'nope':{'ComparisonOperator':'NE','AttributeValueList':[{'N':'5'}]}}", 1},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'LT','AttributeValueList':[{'N':'6'}]}}", 1},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'LE','Value':{'N':'5'}}}", 1},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'5'}]}}", 0},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'GE','AttributeValueList':[{'N':'5'}]}}", 1},
        {PUT, "'Expected':{'s':{'ComparisonOperator':'CONTAINS','AttributeValueList':[{'S':'ell'}]}}", 1},
        {PUT, "'Expected':{'ss':{'ComparisonOperator':'CONTAINS','AttributeValueList':[{'S':'a'}]}}", 1},
        {PUT, "'Expected':{'ss':{'ComparisonOperator':'NOT_CONTAINS','AttributeValueList':[{'S':'a'}]}}", 0},
        /* NOT_CONTAINS needs the attribute to exist */
        {PUT, "'Expected':{'nope':{'ComparisonOperator':'NOT_CONTAINS','AttributeValueList':[{'S':'a'}]}}", 0},
        {PUT, "'Expected':{'s':{'ComparisonOperator':'BEGINS_WITH','AttributeValueList':[{'S':'he'}]}}", 1},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'IN','AttributeValueList':[{'N':'1'},{'N':'5'}]}}", 1},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'N':'1'},{'N':'4'}]}}", 0},
        {PUT, "'Expected':{'n':{'ComparisonOperator':'BETWEEN','AttributeValueList':[{'N':'5'},{'N':'9'}]}}", 1},
        {PUT, "'Expected':{'s':{'Value':{'S':'x'}},'n':{'Value':{'N':'5'}}},'ConditionalOperator':'OR'", 1},
        {PUT, "'Expected':{'s':{'Value':{'S':'x'}},'n':{'Value':{'N':'5'}}},'ConditionalOperator':'AND'", 0},
        {PUT, "'Expected':{'s':{'Value':{'S':'hello'}},'n':{'Value':{'N':'5'}}}", 1},
        {PUT, "'Expected':{}", 1},
        {SCAN, "'ScanFilter':{'n':{'ComparisonOperator':'GT','AttributeValueList':[{'N':'4'}]},"
               "'s':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'x'}]}},'ConditionalOperator':'OR'",
         1},
        {QUERY, "'KeyConditions':{'pk':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'k'}]}},"
                "'QueryFilter':{'l':{'ComparisonOperator':'CONTAINS','AttributeValueList':[{'N':'1'}]}}",
         1},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_req req;
        const char *err;
        const ddb_expr *cond;
        ddb_attr item;
        int got;

        ddb_arena_reset(&A);
        err = prepare(&req, cases[i].op, cases[i].fields);
        cond = cases[i].op == PUT ? req.parsed.condition : req.parsed.filter;
        ncases++;
        if (err != NULL) {
            ddb_test_fail(__FILE__, __LINE__, "%s: %s", cases[i].fields, err);
            continue;
        }
        item_of(ddb_arena_sprintf(&A, "{%s}", ITEM), &item);
        got = ddb_expr_eval_condition(cond, &item);
        if (got != cases[i].want || (cond != NULL && !ddb_expr_is_legacy(cond)))
            ddb_test_fail(__FILE__, __LINE__, "%s: got %d", cases[i].fields, got);
    }
}

TEST(legacy_attribute_updates)
{
    static const struct {
        const char *updates;
        const char *want;
    } cases[] = {
        {"'s':{'Value':{'S':'new'}}", "{" BL "," BM "," BC ",'pk':{'S':'k'},'ss':{'SS':['a','b']},'ns':{'NS':['1','2']},'s':{'S':'new'},'big':{'N':'9.9999999999999999999999999999999999999E+125'}}"},
        {"'c':{'Action':'ADD','Value':{'N':'3'}}", "{" B0 "," BL "," BM ",'c':{'N':'4'}}"},
        {"'q':{'Action':'ADD','Value':{'N':'3'}}", "{" B0 "," BL "," BM "," BC ",'q':{'N':'3'}}"},
        {"'ss':{'Action':'ADD','Value':{'SS':['b','c','d']}}", "{'pk':{'S':'k'},'ns':{'NS':['1','2']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'},'ss':{'SS':['a','b','c','d']}," BL "," BM "," BC "}"},
        {"'l':{'Action':'ADD','Value':{'L':[{'S':'d'}]}}", "{" B0 "," BM "," BC ",'l':{'L':[{'S':'a'},{'S':'b'},{'S':'c'},{'S':'d'}]}}"},
        {"'ns':{'Action':'DELETE','Value':{'NS':['1','4']}}", "{'pk':{'S':'k'},'ss':{'SS':['a','b']},'s':{'S':'str'},'big':{'N':'9.9999999999999999999999999999999999999E+125'},'ns':{'NS':['2']}," BL "," BM "," BC "}"},
        {"'s':{'Action':'DELETE'}", "{'pk':{'S':'k'},'ss':{'SS':['a','b']},'ns':{'NS':['1','2']},'big':{'N':'9.9999999999999999999999999999999999999E+125'}," BL "," BM "," BC "}"},
        {"'nope':{'Action':'DELETE','Value':{'SS':['a']}}", BASE},
        {"'ss':{'Action':'DELETE','Value':{'NS':['1']}}", "Type mismatch for attribute to update"},
        {"'c':{'Action':'DELETE','Value':{'NS':['1']}}", "Type mismatch for attribute to update"},
        {"'ss':{'Action':'ADD','Value':{'NS':['1']}}", "Type mismatch for attribute to update"},
        {"'ns':{'Action':'ADD','Value':{'N':'1'}}", "Type mismatch for attribute to update"},
    };

    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        ddb_req req;
        const char *fields, *err, *msg = NULL;
        ddb_attr old, got, want;

        ddb_arena_reset(&A);
        fields = ddb_arena_sprintf(&A, "'AttributeUpdates':{%s}", cases[i].updates);
        err = prepare(&req, UPD, fields);
        ncases++;
        if (err != NULL) {
            ddb_test_fail(__FILE__, __LINE__, "%s: %s", fields, err);
            continue;
        }
        item_of(BASE, &old);
        if (ddb_expr_apply_update(&A, req.parsed.update, &old, &got, &msg) != 0) {
            if (cases[i].want[0] == '{' || strcmp(msg, cases[i].want) != 0)
                ddb_test_fail(__FILE__, __LINE__, "%s: %s", fields, msg);
            continue;
        }
        if (cases[i].want[0] != '{') {
            ddb_test_fail(__FILE__, __LINE__, "%s: no error, want %s", fields, cases[i].want);
            continue;
        }
        item_of(cases[i].want, &want);
        if (!ddb_attr_equal(&got, &want))
            ddb_test_fail(__FILE__, __LINE__, "%s: got %s", fields, item_text(&got));
    }
}

TEST(legacy_projection_and_keys)
{
    ddb_req req;
    ddb_attr item, out, want;
    const ddb_key_cond *kc;

    ASSERT_NULL(prepare(&req, GET, js("'AttributesToGet':['s','nope','n']")));
    item_of(ddb_arena_sprintf(&A, "{%s}", ITEM), &item);
    ddb_expr_project(&A, req.parsed.projection, &item, &out);
    item_of("{'s':{'S':'hello'},'n':{'N':'5'}}", &want);
    ASSERT(ddb_attr_equal(&out, &want));
    ASSERT_NULL(prepare(&req, QUERY,
                        js("'KeyConditions':{'a':{'ComparisonOperator':'EQ','AttributeValueList':[{'S':'x'}]},"
                           "'b':{'ComparisonOperator':'NOT_NULL'}}")));
    ASSERT_EQ(ddb_expr_key_conds(req.parsed.key_condition, &kc), 2);
    ASSERT_EQ(kc[0].op, DDB_KC_EQ);
    ASSERT_EQ(kc[0].not_indexable, 0);
    ASSERT_EQ(kc[1].not_indexable, 1);
    ASSERT(kc[1].v[0] != NULL);
    ASSERT(ddb_expr_is_legacy(req.parsed.key_condition));
    ncases += 3;
}

/* ================================================================ pieces */

TEST(reserved_words_table)
{
    ASSERT_EQ(ddb_reserved_word_count(), 573);
    ASSERT(ddb_is_reserved_word("abort", 5));
    ASSERT(ddb_is_reserved_word("ZONE", 4));
    ASSERT(ddb_is_reserved_word("SiZe", 4));
    ASSERT(ddb_is_reserved_word("views", 5));
    ASSERT(!ddb_is_reserved_word("abortx", 6));
    ASSERT(!ddb_is_reserved_word("pk", 2));
    ASSERT(!ddb_is_reserved_word("", 0));
    ncases += 7;
}

TEST(lexer_tokens)
{
    ddb_lexed lx;
    static const char src[] = "a.b[10]<>:v AND #n<=0 _x";
    static const uint8_t want[] = {TK_IDENT, TK_DOT, TK_IDENT, TK_LBRACK, TK_INT, TK_RBRACK, TK_NE, TK_VALUE,
                                   TK_AND,   TK_NAME, TK_LE,   TK_INT,    TK_BAD, TK_IDENT, TK_EOF};

    ddb_arena_reset(&A);
    ddb_lex(&A, src, strlen(src), &lx);
    ASSERT_EQ(lx.n, ARRAY_LEN(want));
    for (uint32_t i = 0; i < lx.n; i++)
        ASSERT_EQ(lx.toks[i].type, want[i]);
    ncases++;
}

TEST(zz_case_count)
{
    printf("  %d expression cases\n", ncases);
}

__attribute__((constructor)) static void init_arena(void)
{
    ddb_arena_init(&A);
}
