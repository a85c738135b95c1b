/*
 * tests/unit/expr/test_partiql.c: the PartiQL parser, table-driven: DynamoDB's exact messages for
 * statements it refuses (captured against AWS by public conformance suites), the truth of
 * accepted WHERE clauses on a fixed item, and the facts the handlers read (pins, sort-key
 * ranges, WHERE without the key, projection names).
 */
#include "server/expr/expr_internal.h"
#include "server/expr/partiql.h"

#include <stdlib.h>

#include "test.h"

static ddb_arena A;

#define NWF "Statement wasn't well formed, can't be processed: "

static const char *parse(const char *text, ddb_pq_stmt *s)
{
    static const ddb_attr params[2] = {{.type = DDB_T_S, .len = 1, .u.s = "x"}, {.type = DDB_T_BOOL, .boolean = 1}};
    size_t n = 0;

    for (const char *p = text; *p; p++) /* as many parameters as the text has `?` outside quotes (tests avoid '?' in strings) */
        n += *p == '?';
    return ddb_pq_parse(&A, text, strlen(text), params, (uint32_t)(n < 2 ? n : 2), s);
}

static const struct {
    const char *stmt;
    const char *msg;
} REFUSED[] = {
    {"SELECT * FROM \"N\" WHERE pk = 1 foo", NWF "Unexpected token after expression"},
    {"SELECT * FROM \"N\" WHERE pk = 1)", NWF "Unexpected token after expression"},
    {"DELETE FROM \"N\" WHERE pk = 1 ORDER BY pk", NWF "Unexpected token after expression"},
    {"SELECT * FROM \"N\" ORDER BY pk WHERE pk = 1", NWF "Unexpected token after expression"},
    {"INSERT INTO \"S\" t VALUE {'pk': 'x'}", NWF "Unexpected token after expression"},
    {"FROM \"S\" SET c = 1 WHERE pk = 'x'", NWF "Unexpected token after expression"},
    {"SELECT * FROM \"N\" WHERE pk = 1e2147483648", NWF},
    {"SELECT * FROM \"N\" WHERE pk = 1.5e-2147483647", NWF},
    {"SELECT * FROM \"N\" WHERE pk = 1 # note", NWF},
    {"SELECT * FROM \"N\" WHERE pk = 1 /* note", NWF},
    {"SELECT * FROM \"T", NWF},
    {"SELECT * FROM \"S\" t WHERE pk = 'x'", "Aliasing is not supported"},
    {"SELECT * FROM \"S\" AS t WHERE pk = 'x'", "Aliasing is not supported"},
    {"UPDATE \"S\" t SET a = 3 WHERE pk = 'x'", "Aliasing is not supported"},
    {"DELETE FROM \"S\" t WHERE pk = 'x'", "Aliasing is not supported"},
    {"SELECT * FROM \"S\" WHERE", NWF "Unexpected term"},
    {"SELECT * FROM \"S\" WHERE;", NWF "Unexpected term"},
    {"UPDATE \"S\" SET a = 1 WHERE", NWF "Unexpected term"},
    {"SELECT * FROM \"S\" WHERE NOT", NWF "Unexpected term"},
    {"SELECT * FROM \"S\" WHERE (", NWF "Unexpected term"},
    {"SELECT * FROM \"S\" WHERE pk = 'p1' AND", NWF "Missing right-hand side expression of infix operator"},
    {"SELECT * FROM \"S\" WHERE pk = 'p1' OR", NWF "Missing right-hand side expression of infix operator"},
    {"SELECT * FROM \"S\" WHERE ORDER BY pk", NWF "Unexpected keyword"},
    {"SELECT * FROM \"S\" WHERE pk = 'a' AND x IS FOO", NWF "Expected type name"},
    {"SELECT * FROM \"S\" WHERE IS NULL", NWF "Unexpected operator"},
    {"SELECT * FROM \"S\" WHERE pk = LIKE", NWF "Unexpected operator"},
    {"DELETE FROM", NWF "Expected identifier for simple path"},
    {"DELETE FROM WHERE pk = 'a'", NWF "Expected identifier for simple path"},
    {"SELECT * FROM", NWF "Unexpected term"},
    {"SLECT * FROM \"T\" WHERE pk = 'x'", NWF "Expected data manipulation"},
    {"SELECT * FROM \"S\" WHERE pk = 'a' AND attribute_exists(m.inner)", NWF "Invalid path dot component"},
    {"SELECT * FROM \"N\" WHERE pk = 1e126",
     "Number overflow. Attempting to store a number with magnitude larger than supported range under root"},
    {"SELECT * FROM \"N\" WHERE pk = 1e-131",
     "Number underflow. Attempting to store a number with magnitude smaller than supported range under root"},
    {"SELECT * FROM \"N\" WHERE pk = 123456789012345678901234567890123456789",
     "Attempting to store more than 38 significant digits in a Number under root"},
    {"INSERT INTO \"N\" VALUE {'pk': 970006, 'm': {'x': 1e126}}",
     "Number overflow. Attempting to store a number with magnitude larger than supported range under root.x"},
    {"INSERT INTO \"N\" VALUE {'pk': 970007, 'l': [1, 1e126]}",
     "Number overflow. Attempting to store a number with magnitude larger than supported range under root[1]"},
    {"SELECT * FROM \"\" WHERE pk = 'p'", "Path component cannot be an empty string"},
    {"SELECT * FROM \"T\".\"gsi\".\"extra\" WHERE pk = 'p'", "A path may contain at most 2 components in the FROM clause"},
    {"INSERT INTO \"T\".\"gsi\" VALUE {'pk': 'x'}", "FROM clause may only contain a single table name"},
    {"SELECT l[-1] FROM \"T\"", "List index is not within the allowable range; index: [-1] at 1:11:1"},
    {"SELECT l[2147483648] FROM \"T\"", "List index is not within the allowable range; index: [2147483648] at 1:10:10"},
    {"SELECT attribute_exists(ss) FROM \"T\" WHERE pk = 'x'", "Unexpected path component at 1:8:16"},
    {"SELECT * FROM \"T\" WHERE pk = 'x' AND attribute_exists('ss')",
     "Operator or function requires a document path; operator or function: attribute_exists"},
    {"SELECT * FROM \"T\" WHERE pk = 'x' AND attribute_exists()",
     "Incorrect number of operands for operator or function; operator or function: attribute_exists, number of operands: 0"},
    {"SELECT * FROM \"T\" WHERE pk = 'x' AND EXISTS(ss)", "Unrecognized function: exists at 1:38:6"},
    {"SELECT * FROM \"T\" WHERE pk = 'x' AND val < ?", "Incorrect number of operands"}, /* replaced below */
    {"SELECT * FROM \"T\" WHERE pk = 'x' AND attribute_type(l, 1)",
     "Incorrect operand type for operator or function; operator or function: attribute_type, operand type: N"},
    {"SELECT * FROM \"T\" WHERE pk = 'x' AND attribute_type(l, 'X')",
     "Invalid attribute type name found; type: X, valid types: {N,BS,L,B,NULL,M,S,SS,NS,BOOL}"},
    {"SELECT * FROM \"T\" WHERE s = <<'a','a'>>",
     "One or more parameter values were invalid: Input collection [a, a] contains duplicates."},
    {"INSERT INTO \"T\" VALUE {'pk': 'x', 's': <<>>}", "Empty bags are not supported"},
    {"INSERT INTO \"T\" VALUE {'pk': 'x', 's': <<1, 'a'>>}",
     "Unsupported data type in Bag. DynamoDB only supports either numbers or strings in bags"},
    {"UPDATE \"T\" SET x = [?] WHERE pk = 'a'", "Unsupported data type: Parameter under key root[0] at 1:21:1"},
    {"UPDATE \"T\" SET t = set_add(ss, <<'x'>>) WHERE pk = 'x'",
     "The first argument to SET_ADD must equal the assignment value at 1:20:7"},
    {"UPDATE \"T\" SET ss = set_add(ss, 'x') WHERE pk = 'x'",
     "The second argument to SET_ADD must be a value with type SET at 1:29:2"},
    {"UPDATE \"T\"\nSET BandMembers = set_add(BandMembers, 'x')\nWHERE pk = 'x'",
     "The second argument to SET_ADD must be a value with type SET at 2:27:11"},
    {"UPDATE \"T\" SET ss = set_add(ss) WHERE pk = 'x'", "SET_ADD must have exactly two arguments at 1:21:7"},
    {"UPDATE \"T\" SET t = set_delete(ss, <<'a'>>) WHERE pk = 'x'",
     "The first argument to SET_DELETE must equal the assignment value at 1:20:10"},
    {"UPDATE \"T\" SET n = 'a' + 1 WHERE pk = 'x'",
     "Incorrect operand type for operator or function; operator or function: +, operand type: S"},
    {"DELETE FROM \"T\" WHERE pk = 'x' RETURNING MODIFIED OLD *",
     "Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed in DELETE statements."},
    {"SELECT * FROM \"T\" WHERE pk = ?", "Number of parameters in request and statement don't match."},
};

TEST(refused_statements_get_dynamodbs_messages)
{
    ddb_pq_stmt s;

    for (size_t i = 0; i < sizeof(REFUSED) / sizeof(REFUSED[0]); i++) {
        const char *msg;
        if (strstr(REFUSED[i].stmt, "val < ?") != NULL)
            continue; /* a BOOL parameter: its own test */
        msg = strstr(REFUSED[i].stmt, "pk = ?") ? ddb_pq_parse(&A, REFUSED[i].stmt, strlen(REFUSED[i].stmt), NULL, 0, &s)
                                                : parse(REFUSED[i].stmt, &s);
        if (msg == NULL || strcmp(msg, REFUSED[i].msg) != 0) {
            ddb_test_fail(__FILE__, __LINE__, "%s\n  got:  %s\n  want: %s", REFUSED[i].stmt, msg ? msg : "(accepted)",
                          REFUSED[i].msg);
            return;
        }
    }
}

TEST(ordering_a_boolean_parameter_is_an_operand_type_error)
{
    ddb_pq_stmt s;
    const ddb_attr t = {.type = DDB_T_BOOL, .boolean = 1};
    const char *text = "SELECT * FROM \"T\" WHERE pk = 'x' AND val <= ?";

    ASSERT_STR_EQ(ddb_pq_parse(&A, text, strlen(text), &t, 1, &s),
                  "Incorrect operand type for operator or function; operator or function: <=, operand type: BOOL");
}

TEST(in_takes_at_most_100_operands)
{
    ddb_buf b = {0};
    ddb_pq_stmt s;

    ddb_buf_puts(&b, "SELECT * FROM \"T\" WHERE flag IN [");
    for (int i = 0; i < 101; i++)
        ddb_buf_printf(&b, "%s%d", i ? "," : "", i);
    ddb_buf_puts(&b, "]");
    ASSERT_STR_EQ(ddb_pq_parse(&A, b.data, b.len, NULL, 0, &s),
                  "The IN operator is provided with too many operands; number of operands: 101");
    ddb_buf_free(&b);
}

/* ---- accepted statements: WHERE evaluated on one item ---- */

static ddb_attr ITEM;

static void make_item(void)
{
    const char *j = "{\"pk\":{\"S\":\"r\"},\"sk\":{\"N\":\"5\"},\"s\":{\"S\":\"hello\"},\"ss\":{\"SS\":[\"a\",\"b\"]},"
                    "\"l\":{\"L\":[{\"N\":\"1\"},{\"S\":\"x\"}]},\"m\":{\"M\":{\"k\":{\"BOOL\":true}}},\"z\":{\"NULL\":true},"
                    "\"yes\":{\"BOOL\":true},\"kind\":{\"S\":\"alpha\"}}";
    const ddb_json *js = ddb_json_parse(&A, j, strlen(j));

    if (js == NULL || ddb_item_from_json(&A, js, &ITEM) != NULL)
        abort();
}

static const struct {
    const char *where;
    int truth;
} WHERES[] = {
    {"pk = 'r'", 1},
    {"'r' = pk AND sk = 5", 1},
    {"sk BETWEEN 1 AND 5", 1},
    {"sk NOT BETWEEN 1 AND 4", 1},
    {"sk IN [1, 5.0, 7]", 1},
    {"sk IN (1, 2)", 0},
    {"NOT sk IN [1, 2]", 1},
    {"begins_with(s, 'he') AND contains(s, 'll') AND contains(ss, 'a')", 1},
    {"attribute_type(ss, 'SS') AND size(s) = 5 AND size(l) > 1", 1},
    {"nope IS MISSING AND s IS NOT MISSING", 1},
    {"z IS NULL AND s IS NOT NULL AND nope IS NOT NULL", 1},
    {"s IS STRING AND sk IS NUMERIC AND yes IS BOOL AND m IS STRUCT AND l IS LIST", 1},
    {"m.k = true AND l[1] = 'x' AND \"kind\" = 'alpha'", 1},
    {"attribute_exists(nope) = false AND true = attribute_exists(sk)", 1},
    {"attribute_exists(sk) = yes", 1},
    {"attribute_exists(sk) = 1", 0},
    {"(sk BETWEEN 0 AND 5) = true", 1},
    {"(sk = 5 OR s = 'x') = false", 0},
    {"sk <> 4 AND sk != 4 AND NOT (sk < 5) AND sk <= 5 AND sk >= -5 AND sk > - - 4", 1},
    {"s = 'hello' OR nope = 1", 1},
    {"ss = <<'b', 'a'>> AND l = [1, 'x'] AND m = {'k': true}", 1},
    {"kind <> 'al''pha' -- a comment\n AND /* another */ sk = 5", 1},
};

TEST(where_clauses_evaluate_as_their_condition_expression_twins)
{
    ddb_pq_stmt s;
    char text[512];

    make_item();
    for (size_t i = 0; i < sizeof(WHERES) / sizeof(WHERES[0]); i++) {
        const char *msg;
        snprintf(text, sizeof(text), "SELECT * FROM \"T\" WHERE %s", WHERES[i].where);
        if ((msg = parse(text, &s)) != NULL) {
            ddb_test_fail(__FILE__, __LINE__, "%s: %s", text, msg);
            return;
        }
        if (ddb_expr_eval_condition(s.where, &ITEM) != (bool)WHERES[i].truth) {
            ddb_test_fail(__FILE__, __LINE__, "%s: expected %s", text, WHERES[i].truth ? "true" : "false");
            return;
        }
    }
}

TEST(pins_ranges_and_the_condition_without_the_key)
{
    ddb_pq_stmt s;
    const ddb_pq_pin *pins;
    ddb_key_cond kc;
    ddb_expr *rest;
    uint64_t skip = 0;

    make_item();
    ASSERT(parse("DELETE FROM \"T\" WHERE (pk = 'r' AND sk > 3) AND 5 = sk AND s = 'nope'", &s) == NULL);
    ASSERT_EQ(ddb_pq_nconjuncts(&s), 4);
    ASSERT_EQ(ddb_pq_pins(&A, &s, &pins), 3); /* pk, sk and s */
    ASSERT_STR_EQ(pins[0].name, "pk");
    ASSERT_EQ(pins[1].conjunct, 2);
    ASSERT(ddb_pq_range_cond(&s, "sk", &kc));
    ASSERT_EQ(kc.op, DDB_KC_GT);
    for (int i = 0; i < 2; i++) /* the key's */
        skip |= 1ULL << pins[i].conjunct;
    rest = ddb_pq_where_without(&A, &s, skip);
    ASSERT(rest != NULL);
    ASSERT(!ddb_expr_eval_condition(rest, &ITEM)); /* s = 'nope' is what is left, with sk > 3 */
    ASSERT(parse("SELECT * FROM \"T\" WHERE pk IN ['a', 'b'] AND begins_with(sk, 'x')", &s) == NULL);
    ASSERT_EQ(ddb_pq_pins(&A, &s, &pins), 1);
    ASSERT_EQ(pins[0].nv, 2);
    ASSERT(ddb_pq_range_cond(&s, "sk", &kc));
    ASSERT_EQ(kc.op, DDB_KC_BEGINS_WITH);
    ASSERT(parse("SELECT * FROM \"T\" WHERE pk = 'a' OR sk = 1", &s) == NULL);
    ASSERT_EQ(ddb_pq_pins(&A, &s, &pins), 0);
}

TEST(projection_names_nested_paths_by_their_last_name)
{
    ddb_pq_stmt s;
    ddb_attr out;

    make_item();
    ASSERT(parse("SELECT pk, m.k, l[1], nope FROM \"T\"", &s) == NULL);
    ddb_pq_project(&A, &s, &ITEM, &out);
    ASSERT_EQ(out.len, 3);
    ASSERT_STR_EQ(out.u.entries[1].name, "k");
    ASSERT_STR_EQ(out.u.entries[2].name, "l[1]");
}

TEST(statements_of_every_form)
{
    ddb_pq_stmt s;

    ASSERT(parse("select * from \"T\".\"gsi\" where pk = 'x' order by sk desc;", &s) == NULL);
    ASSERT_EQ(s.kind, DDB_PQ_SELECT);
    ASSERT_STR_EQ(s.index, "gsi");
    ASSERT_EQ(s.norder, 1);
    ASSERT_EQ(s.order_desc[0], 1);
    ASSERT(parse("INSERT INTO T VALUE {'pk': ?, 'n': -1.50e1, 'l': [true, null], 's': <<1, 2>>}", &s) == NULL);
    ASSERT_EQ(s.kind, DDB_PQ_INSERT);
    ASSERT_EQ(s.item->len, 4);
    ASSERT_STR_EQ(ddb_item_get(s.item, "n", 1)->u.s, "-15");
    ASSERT(parse("UPDATE T SET a = 1 SET b = a + 2 REMOVE c, l[0] WHERE pk = 'x' RETURNING MODIFIED NEW *", &s) == NULL);
    ASSERT_EQ(s.kind, DDB_PQ_UPDATE);
    ASSERT_EQ(s.update->nacts, 4);
    ASSERT_EQ(s.returning, DDB_PQ_RET_MODIFIED_NEW);
    ASSERT(parse("FROM T WHERE pk = 'x' SET c = set_add(c, <<'a'>>) REMOVE d", &s) == NULL);
    ASSERT_EQ(s.kind, DDB_PQ_UPDATE);
    ASSERT_EQ(s.update->acts[0].kind, ACT_ADD);
    ASSERT(parse("DELETE FROM T WHERE pk = 'x' RETURNING ALL OLD *", &s) == NULL);
    ASSERT_EQ(s.returning, DDB_PQ_RET_ALL_OLD);
    ASSERT(parse("EXISTS(SELECT * FROM T WHERE pk = 'x' AND a IS MISSING)", &s) == NULL);
    ASSERT_EQ(s.kind, DDB_PQ_EXISTS);
}

__attribute__((constructor)) static void init_arena(void)
{
    ddb_arena_init(&A);
}
