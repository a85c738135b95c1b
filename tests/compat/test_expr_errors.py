"""Validation of ConditionExpression and UpdateExpression (and their ExpressionAttributeNames /
ExpressionAttributeValues) with DynamoDB's exact messages: syntax errors with token and position,
reserved words, undefined and unused names and values, empty expressions, clauses used twice,
overlapping and conflicting paths, operand types and counts of operators and functions, invalid
function names, functions used in the wrong place, redundant parentheses, the 4 KB expression
limit, the IN / operator / nesting limits, and mixing expression with legacy parameters.

Sources for the wording: dynalite's test suite (test/updateItem.js, putItem.js, deleteItem.js,
getItem.js, scan.js: messages recorded from DynamoDB), DynamoDB Local's validator (its message
table and how it formats "; key: value" details), the dynamodb-conformance captures of DynamoDB
(us-east-1 wording, without the "1 validation error detected: " envelope some regions add),
and reports of real DynamoDB responses for the ADD/DELETE operand types and the BETWEEN bounds.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, enveloped, N, S, unique_name

C = "Invalid ConditionExpression: "
U = "Invalid UpdateExpression: "
OVERLAP = "Two document paths overlap with each other; must remove or rewrite one of these paths; "
CONFLICT = ("Two document paths conflict with each other; must remove or rewrite one of these "
            "paths; ")
OPERAND_TYPE = "Incorrect operand type for operator or function; "
OPERAND_COUNT = "Incorrect number of operands for operator or function; "


@pytest.fixture(scope="module")
def table(ddb):
    name = unique_name("experr")
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "a": {"N": "1"}})
    yield name
    try:
        ddb.delete_table(TableName=name)
    except Exception:
        pass


KEY = {"pk": {"S": "k"}}


def call(ddb, table, op, params):
    params = dict(params, TableName=table)
    if op == "put_item":
        params.setdefault("Item", dict(KEY, a=N(1)))
    else:
        params.setdefault("Key", KEY)
    return getattr(ddb, op)(**params)


def expect(ddb, table, op, params, message):
    with pytest.raises(ClientError) as excinfo:
        call(ddb, table, op, params)
    assert_client_error(excinfo, "ValidationException", enveloped(op, message))
    # nothing was written
    assert ddb.get_item(TableName=table, Key=KEY, ConsistentRead=True)["Item"] == dict(KEY,
                                                                                       a=N(1))


def cond(expr, values=None, names=None):
    p = {"ConditionExpression": expr}
    if values is not None:
        p["ExpressionAttributeValues"] = values
    if names is not None:
        p["ExpressionAttributeNames"] = names
    return p


def upd(expr, values=None, names=None, **extra):
    p = {"UpdateExpression": expr}
    if values is not None:
        p["ExpressionAttributeValues"] = values
    if names is not None:
        p["ExpressionAttributeNames"] = names
    p.update(extra)
    return p


V1 = {":v": N(1)}

# (id, operation, parameters, exact message)
CASES = [
    # --- empty expressions ---
    ("condition_empty", "put_item", cond(""), C + "The expression can not be empty;"),
    ("condition_blank", "delete_item", cond("  \t "), C + "The expression can not be empty;"),
    ("update_empty", "update_item", upd(""), U + "The expression can not be empty;"),
    ("update_empty_with_condition", "update_item",
     dict(upd(""), ConditionExpression="attribute_exists(a)"),
     U + "The expression can not be empty;"),
    # --- syntax errors: the offending token and the text around it ---
    ("update_first_token", "update_item", upd("INVALID SYNTAX HERE", V1),
     U + 'Syntax error; token: "INVALID", near: "INVALID SYNTAX"'),
    ("update_double_equals", "update_item", upd("SET a = = :v", V1),
     U + 'Syntax error; token: "=", near: "= = :v"'),
    ("update_dash_in_name", "update_item", upd("SET user-id = :v", V1),
     U + 'Syntax error; token: "-", near: "user-id"'),
    ("update_trailing_comma", "update_item", upd("SET a = :v,", V1),
     U + 'Syntax error; token: "<EOF>", near: ","'),
    ("update_set_alone", "update_item", upd("SET"),
     U + 'Syntax error; token: "<EOF>", near: "SET"'),
    ("update_missing_value", "update_item", upd("SET a"),
     U + 'Syntax error; token: "<EOF>", near: "a"'),
    ("update_remove_with_value", "update_item", upd("REMOVE a = :v", V1),
     U + 'Syntax error; token: "=", near: "a = :v"'),
    ("update_multiply", "update_item", upd("SET a = a * :v", V1),
     U + 'Syntax error; token: "*", near: "a * :v"'),
    ("condition_dangling_and", "put_item", cond("a = :v AND", V1),
     C + 'Syntax error; token: "<EOF>", near: "AND"'),
    ("condition_unclosed_function", "put_item", cond("attribute_exists(a"),
     C + 'Syntax error; token: "<EOF>", near: "a"'),
    ("condition_no_operands", "put_item", cond("attribute_type()"),
     C + 'Syntax error; token: ")", near: "()"'),
    ("condition_in_empty_list", "put_item", cond("a IN ()"),
     C + 'Syntax error; token: ")", near: "()"'),
    ("condition_bare_path", "put_item", cond("a"), C + 'Syntax error; token: "<EOF>", near: "a"'),
    # --- reserved words used bare (case as written) ---
    ("condition_reserved", "put_item", cond("status = :v", V1),
     C + "Attribute name is a reserved keyword; reserved keyword: status"),
    ("condition_reserved_in_function", "delete_item", cond("attribute_exists(Data)"),
     C + "Attribute name is a reserved keyword; reserved keyword: Data"),
    ("condition_reserved_nested", "put_item", cond("a.size = :v", V1),
     C + "Attribute name is a reserved keyword; reserved keyword: size"),
    ("update_reserved", "update_item", upd("SET #c = :v SET abOrt = :v", V1, {"#c": "c"}),
     U + "Attribute name is a reserved keyword; reserved keyword: abOrt"),
    ("update_reserved_remove", "update_item", upd("REMOVE Absolute"),
     U + "Attribute name is a reserved keyword; reserved keyword: Absolute"),
    ("update_reserved_value_side", "update_item", upd("SET a = #n + counter", None, {"#n": "n"}),
     U + "Attribute name is a reserved keyword; reserved keyword: counter"),
    # --- undefined names and values ---
    ("condition_undefined_name", "put_item", cond("#nope = :v", V1),
     C + "An expression attribute name used in the document path is not defined; "
         "attribute name: #nope"),
    ("condition_undefined_value", "put_item", cond("a = :nope"),
     C + "An expression attribute value used in expression is not defined; "
         "attribute value: :nope"),
    ("update_undefined_value", "update_item", upd("SET a = :v"),
     U + "An expression attribute value used in expression is not defined; attribute value: :v"),
    ("update_undefined_name", "update_item", upd("SET a.#b = :v", V1),
     U + "An expression attribute name used in the document path is not defined; "
         "attribute name: #b"),
    # --- unused names and values (across both expressions of a request) ---
    ("unused_value_put", "put_item", cond("a = :v", {":v": N(1), ":x": N(2)}),
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
    ("unused_name_delete", "delete_item", cond("#a = :v", V1, {"#a": "a", "#zz": "zz"}),
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#zz}"),
    ("unused_value_update", "update_item", upd("SET a = :v", {":v": N(1), ":unused": S("x")}),
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"),
    ("unused_name_update", "update_item", upd("SET a = :v", V1, {"#unused": "x"}),
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"),
    ("value_used_only_in_condition", "update_item",
     dict(upd("SET a = :v", {":v": N(1), ":w": N(2), ":x": N(3)}), ConditionExpression="a = :w"),
     "Value provided in ExpressionAttributeValues unused in expressions: keys: {:x}"),
    ("names_empty_map", "put_item", cond("a = :v", V1, {}),
     "ExpressionAttributeNames must not be empty"),
    ("values_empty_map", "put_item", cond("attribute_exists(a)", {}),
     "ExpressionAttributeValues must not be empty"),
    ("names_bad_key", "put_item", cond("a = :v", V1, {"a": "a"}),
     'ExpressionAttributeNames contains invalid key: Syntax error; key: "a"'),
    ("values_bad_key", "put_item", cond("a = :v", {":v": N(1), "v": N(1)}),
     'ExpressionAttributeValues contains invalid key: Syntax error; key: "v"'),
    # UpdateItem reports a value's number error bare since 2026 (proto/attr.h); Scan keeps the wrapper
    ("values_bad_number", "update_item", upd("SET a = :v", {":v": N("b")}),
     "The parameter cannot be converted to a numeric value: b"),
    # a set's own errors are bare too: "1 validation error detected: One or more parameter values
    # were invalid: An string set  may not be empty" (UpdateItem, verified against AWS 2026-08)
    ("values_empty_set", "update_item", upd("SET a = :v", {":v": {"SS": []}}),
     "One or more parameter values were invalid: An string set  may not be empty"),
    ("values_empty_number_set", "update_item", upd("SET a = :v", {":v": {"NS": []}}),
     "One or more parameter values were invalid: An number set  may not be empty"),
    ("values_empty_binary_set", "update_item", upd("SET a = :v", {":v": {"BS": []}}),
     "One or more parameter values were invalid: Binary sets should not be empty"),
    ("values_empty_set_in_condition", "put_item", cond("a = :v", {":v": {"SS": []}}),
     "One or more parameter values were invalid: An string set  may not be empty"),
    ("values_empty_set_in_delete_condition", "delete_item", cond("a = :v", {":v": {"SS": []}}),
     "One or more parameter values were invalid: An string set  may not be empty"),
    ("values_empty_attribute_value", "update_item", upd("SET a = :v", {":v": {}}),
     "ExpressionAttributeValues contains invalid value: Supplied AttributeValue is empty, must "
     "contain exactly one of the supported datatypes for key :v"),
    # --- names or values without an expression ---
    ("values_without_expression_put", "put_item", {"ExpressionAttributeValues": V1},
     "ExpressionAttributeValues can only be specified when using expressions: "
     "ConditionExpression is null"),
    ("values_without_expression_delete", "delete_item", {"ExpressionAttributeValues": V1},
     "ExpressionAttributeValues can only be specified when using expressions: "
     "ConditionExpression is null"),
    ("values_without_expression_update", "update_item", {"ExpressionAttributeValues": V1},
     "ExpressionAttributeValues can only be specified when using expressions: "
     "UpdateExpression and ConditionExpression are null"),
    ("names_without_expression_update", "update_item", {"ExpressionAttributeNames": {"#a": "a"}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    ("names_without_expression_put", "put_item", {"ExpressionAttributeNames": {"#a": "a"}},
     "ExpressionAttributeNames can only be specified when using expressions"),
    # --- a clause used twice ---
    *[("clause_twice_%s" % clause, "update_item", upd(expr, values, {"#a": "a", "#b": "b"}),
       U + 'The "%s" section can only be used once in an update expression;' % clause)
      for clause, expr, values in [
          ("SET", "SET #a = :v SET #b = :v", V1),
          ("REMOVE", "REMOVE #a SET #b = :v REMOVE c", V1),
          ("ADD", "ADD #a :v SET #b = :v ADD c :v", V1),
          ("DELETE", "DELETE #a :s SET #b = :v DELETE c :s", {":v": N(1), ":s": {"SS": ["x"]}}),
      ]],
    # --- overlapping and conflicting paths (path one is the one written first) ---
    ("overlap_same_attribute_set_remove", "update_item", upd("SET a = :v REMOVE a", V1),
     U + OVERLAP + "path one: [a], path two: [a]"),
    ("overlap_same_attribute_twice", "update_item", upd("SET a = :v, a = :v", V1),
     U + OVERLAP + "path one: [a], path two: [a]"),
    ("overlap_remove_twice", "update_item", upd("REMOVE a, b, a"),
     U + OVERLAP + "path one: [a], path two: [a]"),
    ("overlap_child_then_parent", "update_item", upd("SET m.x.y = :v, m = :v", V1),
     U + OVERLAP + "path one: [m, x, y], path two: [m]"),
    ("overlap_parent_then_child", "update_item", upd("REMOVE c, #c.a", None, {"#c": "c"}),
     U + OVERLAP + "path one: [c], path two: [c, a]"),
    ("overlap_list_element", "update_item", upd("SET l[3].x = :v, l[3] = :v", V1),
     U + OVERLAP + "path one: [l, [3], x], path two: [l, [3]]"),
    ("overlap_add_and_set", "update_item", upd("SET a = :v ADD a :v", V1),
     U + OVERLAP + "path one: [a], path two: [a]"),
    ("conflict_map_member_vs_index", "update_item", upd("REMOVE a.#c SET a[1] = :v", V1,
                                                        {"#c": "c"}),
     U + CONFLICT + "path one: [a, c], path two: [a, [1]]"),
    ("conflict_index_vs_member", "update_item", upd("SET l[0] = :v, l.x = :v", V1),
     U + CONFLICT + "path one: [l, [0]], path two: [l, x]"),
    # --- ADD / DELETE operand types ---
    *[("add_%s" % t, "update_item", upd("ADD a.b :v", {":v": v}),
       U + OPERAND_TYPE + "operator: ADD, operand type: %s, typeSet: ALLOWED_FOR_ADD_OPERAND" % t)
      for t, v in [("STRING", S("a")), ("BINARY", {"B": b"a"}), ("BOOLEAN", {"BOOL": True}),
                   ("NULL", {"NULL": True}), ("MAP", {"M": {}}), ("LIST", {"L": [N(1)]})]],
    *[("delete_%s" % t, "update_item", upd("DELETE a.b :v", {":v": v}),
       U + OPERAND_TYPE + "operator: DELETE, operand type: %s, typeSet: ALLOWED_FOR_DELETE_OPERAND"
       % t)
      for t, v in [("STRING", S("a")), ("NUMBER", N(1)), ("BINARY", {"B": b"a"}),
                   ("BOOLEAN", {"BOOL": True}), ("NULL", {"NULL": True}), ("MAP", {"M": {}}),
                   ("LIST", {"L": [N(1)]})]],
    # --- arithmetic and list_append operand types (values known at validation) ---
    *[("%s_%s" % (name, t), "update_item", upd(expr, {":v": v}),
       U + OPERAND_TYPE + "operator or function: %s, operand type: %s" % (op, t))
      for name, op, expr in [("plus", "+", "SET a = a + :v"), ("minus", "-", "SET a = :v - a")]
      for t, v in [("S", S("a")), ("B", {"B": b"a"}), ("BOOL", {"BOOL": True}),
                   ("NULL", {"NULL": True}), ("SS", {"SS": ["a"]}), ("NS", {"NS": ["1"]}),
                   ("BS", {"BS": [b"a"]}), ("M", {"M": {}}), ("L", {"L": []})]],
    *[("list_append_%s" % t, "update_item", upd("SET a = list_append(:v, a)", {":v": v}),
       U + OPERAND_TYPE + "operator or function: list_append, operand type: %s" % t)
      for t, v in [("S", S("a")), ("N", N(1)), ("B", {"B": b"a"}), ("BOOL", {"BOOL": True}),
                   ("NULL", {"NULL": True}), ("SS", {"SS": ["a"]}), ("NS", {"NS": ["1"]}),
                   ("BS", {"BS": [b"a"]}), ("M", {"M": {}})]],
    # --- update functions ---
    ("update_invalid_function", "update_item", upd("SET a = if_not_exist(a, :v)", V1),
     U + "Invalid function name; function: if_not_exist"),
    ("update_function_case_sensitive", "update_item", upd("SET a = List_Append(a, :v)",
                                                          {":v": {"L": []}}),
     U + "Invalid function name; function: List_Append"),
    ("if_not_exists_one_operand", "update_item", upd("SET a = if_not_exists(c)"),
     U + OPERAND_COUNT + "operator or function: if_not_exists, number of operands: 1"),
    ("list_append_one_operand", "update_item", upd("SET a = list_append(c)"),
     U + OPERAND_COUNT + "operator or function: list_append, number of operands: 1"),
    ("list_append_three_operands", "update_item", upd("SET a = list_append(b, c, d)"),
     U + OPERAND_COUNT + "operator or function: list_append, number of operands: 3"),
    ("if_not_exists_value_first", "update_item", upd("SET a = if_not_exists(:v, c)", V1),
     U + "Operator or function requires a document path; operator or function: if_not_exists"),
    ("if_not_exists_nested_first", "update_item",
     upd("SET a = if_not_exists(if_not_exists(a, b), c)"),
     U + "Operator or function requires a document path; operator or function: if_not_exists"),
    ("condition_function_in_update", "update_item", upd("SET a = size(b)"),
     U + "The function is not allowed in an update expression; function: size"),
    # --- condition functions ---
    ("condition_invalid_function", "put_item", cond("a = a2 and whatever(b) > c"),
     C + "Invalid function name; function: whatever"),
    ("condition_function_case_sensitive", "put_item", cond("attRIbute_exIsts(a)"),
     C + "Invalid function name; function: attRIbute_exIsts"),
    *[("operands_%s_%d" % (fn, n), "put_item", cond(expr),
       C + OPERAND_COUNT + "operator or function: %s, number of operands: %d" % (fn, n))
      for fn, n, expr in [("attribute_exists", 2, "attribute_exists(a, b)"),
                          ("attribute_not_exists", 2, "attribute_not_exists(a, b)"),
                          ("attribute_type", 1, "attribute_type(a)"),
                          ("begins_with", 1, "begins_with(a)"),
                          ("begins_with", 3, "begins_with(a, b, c)"),
                          ("contains", 1, "contains(a)"),
                          ("size", 2, "size(a, b) > c")]],
    ("exists_needs_path", "put_item", cond("attribute_exists(:v)", V1),
     C + "Operator or function requires a document path; operator or function: attribute_exists"),
    ("not_exists_needs_path", "put_item", cond("attribute_not_exists(:v)", V1),
     C + "Operator or function requires a document path; "
         "operator or function: attribute_not_exists"),
    ("size_alone", "put_item", cond("size(a)"),
     C + "The function is not allowed to be used this way in an expression; function: size"),
    ("exists_in_comparison", "put_item", cond("attribute_not_exists(a) > b"),
     C + "The function is not allowed to be used this way in an expression; "
         "function: attribute_not_exists"),
    ("contains_in_size", "put_item", cond("size(contains(a, b)) > c"),
     C + "The function is not allowed to be used this way in an expression; function: contains"),
    ("exists_in_between", "put_item", cond("a BETWEEN b AND attribute_exists(c)"),
     C + "The function is not allowed to be used this way in an expression; "
         "function: attribute_exists"),
    ("exists_in_in", "put_item", cond("a IN (b, attribute_exists(c))"),
     C + "The function is not allowed to be used this way in an expression; "
         "function: attribute_exists"),
    *[("%s_operand_%s" % (fn, t), "put_item", cond(expr, {":v": v}),
       C + OPERAND_TYPE + "operator or function: %s, operand type: %s" % (fn, t))
      for fn, expr, t, v in [
          ("begins_with", "begins_with(a, :v)", "N", N(1)),
          ("begins_with", "begins_with(a, :v)", "BOOL", {"BOOL": True}),
          ("begins_with", "begins_with(a, :v)", "SS", {"SS": ["a"]}),
          ("begins_with", "begins_with(a, :v)", "L", {"L": []}),
          ("begins_with", "begins_with(:v, a)", "M", {"M": {}}),
          ("begins_with", "begins_with(:v, a)", "NULL", {"NULL": True}),
          ("attribute_type", "attribute_type(a, :v)", "N", N(1)),
          ("attribute_type", "attribute_type(a, :v)", "BS", {"BS": [b"a"]}),
          ("size", "size(:v) > a", "BOOL", {"BOOL": True}),
          ("size", "size(:v) > a", "NULL", {"NULL": True}),
          ("size", "size(:v) > a", "N", N(1)),
          ("<", "a < :v", "L", {"L": [N(1)]}),
          ("<", ":v < a", "M", {"M": {}}),
          (">=", "a >= :v", "BOOL", {"BOOL": True}),
          ("BETWEEN", "a BETWEEN :v AND :v", "SS", {"SS": ["a"]}),
      ]],
    ("attribute_type_second_operand_path", "put_item", cond("attribute_type(a, b)"),
     "REGEX:^" + C + OPERAND_TYPE + r"operator or function: attribute_type, operand type: "
                                   r"\{((B|NULL|SS|BOOL|L|BS|N|NS|S|M),?){10}\}$"),
    ("update_function_in_condition", "put_item", cond("if_not_exists(a, b) = c"),
     C + "The function is not allowed in a condition expression; function: if_not_exists"),
    ("list_append_in_condition", "put_item", cond("list_append(a, b) = c"),
     C + "The function is not allowed in a condition expression; function: list_append"),
    # --- the first operand must differ from the others ---
    *[("distinct_%s" % name, "put_item", cond(expr, None, {"#a": "a"}),
       C + "The first operand must be distinct from the remaining operands for this operator or "
           "function; operator: %s, first operand: %s" % (op, path))
      for name, expr, op, path in [
          ("eq", "#a = a", "=", "[a]"),
          ("ne", "a <> #a", "<>", "[a]"),
          ("gt", "#a > #a", ">", "[a]"),
          ("contains", "contains(x.y[1].a, x.y[1].#a)", "contains", "[x, y, [1], a]"),
          ("begins_with", "begins_with(#a, a)", "begins_with", "[a]"),
      ]],
    ("redundant_parentheses", "put_item", cond("((attribute_not_exists(pk)))"),
     C + "The expression has redundant parentheses;"),
    ("redundant_parentheses_inner", "put_item", cond("a = b AND ((c = d))"),
     C + "The expression has redundant parentheses;"),
    ("redundant_parentheses_operand", "put_item", cond("a > ((c))"),
     C + "The expression has redundant parentheses;"),
    # --- BETWEEN bounds given as values ---
    ("between_reversed", "put_item", cond("a BETWEEN :hi AND :lo", {":hi": N(5), ":lo": N(4)}),
     C + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
         "lower bound operand: AttributeValue: {N:5}, upper bound operand: AttributeValue: {N:4}"),
    ("between_reversed_strings", "put_item",
     cond("a between :b and :a", {":a": S("a"), ":b": S("b")}),
     C + "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
         "lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"),
    ("between_types_differ", "put_item",
     cond("a between :b and :a", {":a": S("a"), ":b": N(1)}),
     C + "The BETWEEN operator requires same data type for lower and upper bounds; "
         "lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"),
    # --- attribute_type with an unknown type name ---
    ("attribute_type_unknown", "put_item", cond("attribute_type(a, :t)", {":t": S("DOG")}),
     "REGEX:^" + C + r"Invalid attribute type name found; type: DOG, "
     r"valid types: \{((B|NULL|SS|BOOL|L|BS|N|NS|S|M),?){10}\}$"),
    ("attribute_type_lowercase", "put_item", cond("attribute_type(a, :t)", {":t": S("s")}),
     "REGEX:^" + C + r"Invalid attribute type name found; type: s, "
     r"valid types: \{((B|NULL|SS|BOOL|L|BS|N|NS|S|M),?){10}\}$"),
    # --- mixing expression and legacy parameters ---
    ("mix_put", "put_item", dict(cond("attribute_not_exists(pk)"),
                                 Expected={"pk": {"Exists": False}}),
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
    ("mix_delete", "delete_item", dict(cond("attribute_exists(pk)"),
                                       Expected={"pk": {"Exists": False}}),
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
    ("mix_update_attribute_updates", "update_item",
     dict(upd("SET a = :v", V1), AttributeUpdates={"a": {"Action": "PUT", "Value": N(2)}}),
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}"),
    ("mix_update_all", "update_item",
     dict(upd("SET a = :v", V1), ConditionExpression="a = :v",
          AttributeUpdates={"a": {"Action": "PUT", "Value": N(2)}},
          Expected={"a": {"Exists": False}}),
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributeUpdates, Expected} "
     "Expression parameters: {UpdateExpression, ConditionExpression}"),
    ("mix_update_expected_with_update_expression", "update_item",
     dict(upd("SET a = :v", V1), Expected={"a": {"Exists": False}}),
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {Expected} Expression parameters: {UpdateExpression}"),
    ("mix_update_condition_with_attribute_updates", "update_item",
     dict(cond("a = :v", V1), AttributeUpdates={"a": {"Action": "PUT", "Value": N(2)}}),
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributeUpdates} Expression parameters: {ConditionExpression}"),
    ("mix_get", "get_item", {"ProjectionExpression": "a", "AttributesToGet": ["a"]},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
]


@pytest.mark.parametrize("op, params, message", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_expression_errors(ddb, table, op, params, message):
    if message.startswith("REGEX:"):
        import re
        with pytest.raises(ClientError) as excinfo:
            call(ddb, table, op, params)
        err = excinfo.value.response["Error"]
        assert err["Code"] == "ValidationException"
        prefix = re.escape(enveloped(op, "")) if op in ("put_item", "update_item", "delete_item") else ""
        assert re.match(prefix + message[len("REGEX:"):].lstrip("^"), err["Message"]), err["Message"]
        return
    expect(ddb, table, op, params, message)


def test_ids_are_unique():
    ids = [c[0] for c in CASES]
    assert len(ids) == len(set(ids))


# ---------------------------------------------------------------------------------------------
# Syntax errors whose exact position text is not pinned here: the prefix is
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("expr", [
    "whatever", "set a", "add a", "delete a", "set a=set", "remove a = b", "add a = b",
    "delete a = b", "delete a b", "delete a if_not_exists(b)", "add a if_not_exists(b)",
    "remove a b", "set a b", "set :a = b", "add :a b", "delete :a b", "remove :a",
    "set a = b / c", "set a = b * c", "set a[1] = \"eight\"", "SET if_not_exists(a, b) = a",
    "set (a = (b + c))", "set a = (b.c).d + e", "set a = (b.c)[0] + e", "set a = b + c + d",
    "SET a = :v REMOVE", "SET a = :v,, b = :v", "SET a[-1] = :v", "SET a[x] = :v",
])
def test_update_syntax_errors(ddb, table, expr):
    with pytest.raises(ClientError) as excinfo:
        call(ddb, table, "update_item", {"UpdateExpression": expr})
    err = excinfo.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"].startswith(enveloped("update_item", U + "Syntax error; token: ")), err["Message"]


@pytest.mark.parametrize("expr", [
    "things are not gonna be ok", "a > 4", "attribute_exists(Pictures-RearView)",
    "attribute_exists(\"Pictures.RearView\")", "attribute_exists(Pictures..RearView)",
    "attribute_exists(Pi#ctures.RearView)", "attribute_exists(asdf[a])", "a in b, c",
    "a > between", "a in b", "a in (b,c,)", "(a)between(b.(c.d))and(c)",
    "(a)between(b.c.d)and((c)", "#$.b > a", "a > :things.stuff", "b[:a] > a", "b[#_] > a",
    "\u00fc > a", "(a)between(b.c[4.5].#d)and(:a)", "size(a).b > a", "(size(a)).b > a",
    "size(a)[0] > a", "(size(a))[0] > a", "a = b AND", "NOT", "a = b OR OR c = d", "a == b",
    "a != b", "a =< b", "()",
])
def test_condition_syntax_errors(ddb, table, expr):
    with pytest.raises(ClientError) as excinfo:
        call(ddb, table, "put_item", {"ConditionExpression": expr})
    err = excinfo.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"].startswith(enveloped("put_item", C + "Syntax error; token: ")), err["Message"]


# ---------------------------------------------------------------------------------------------
# Limits: 4 KB per expression (raw text), 300 operators, 32 nesting levels, 100 IN operands
# ---------------------------------------------------------------------------------------------

def test_condition_expression_size_limit(ddb, table):
    at_limit = "attribute_not_exists(%s)" % ("a" + "z" * (4096 - 23))
    assert len(at_limit) == 4096
    call(ddb, table, "put_item", {"ConditionExpression": at_limit})
    over = at_limit[:-1] + "z)"
    assert len(over) == 4097
    expect(ddb, table, "put_item", {"ConditionExpression": over},
           C + "Expression size has exceeded the maximum allowed size; expression size: 4097")


def test_update_expression_size_limit(ddb, table):
    name = "a" + "z" * (4096 - len("SET  = :v") - 1)
    at_limit = "SET %s = :v" % name
    assert len(at_limit) == 4096
    call(ddb, table, "update_item", {"UpdateExpression": at_limit, "ExpressionAttributeValues": V1})
    ddb.update_item(TableName=table, Key=KEY, UpdateExpression="REMOVE #n",
                    ExpressionAttributeNames={"#n": name})
    expect(ddb, table, "update_item", {"UpdateExpression": "SET %sz = :v" % name,
                                       "ExpressionAttributeValues": V1},
           U + "Expression size has exceeded the maximum allowed size;")


def test_expression_size_is_measured_before_substitution(ddb, table):
    # 700 #names expanding to long attribute names: short text, long substitution
    names = {"#n%d" % i: "attribute_with_a_rather_long_name_%d" % i for i in range(120)}
    expr = " OR ".join("attribute_exists(%s)" % n for n in list(names)[:120])
    used = {n: names[n] for n in list(names)[:120]}
    assert len(expr) + sum(len(v) - len(k) for k, v in used.items()) > 4096
    assert len(expr) < 4096
    call(ddb, table, "put_item", {"ConditionExpression": expr + " OR attribute_exists(pk)",
                                  "ExpressionAttributeNames": used})


def test_too_many_operators(ddb, table):
    ok = " OR ".join(["a = :v"] * 100)  # 199 operators
    call(ddb, table, "put_item", {"ConditionExpression": ok, "ExpressionAttributeValues": V1})
    over = " OR ".join(["a = :v"] * 200)  # 399 operators
    with pytest.raises(ClientError) as excinfo:
        call(ddb, table, "put_item", {"ConditionExpression": over,
                                      "ExpressionAttributeValues": V1})
    err = excinfo.value.response["Error"]
    assert err["Code"] == "ValidationException"
    assert err["Message"].startswith(enveloped("put_item", C + "The expression contains too many operators; "
                                                        "operator count: ")), err["Message"]


@pytest.mark.parametrize("op, params", [
    ("put_item", {"ConditionExpression": "attribute_not_exists(%s)"}),
    ("update_item", {"UpdateExpression": "SET a = if_not_exists(%s, :v)"}),
])
def test_nesting_limit(ddb, table, op, params):
    (field, template), = params.items()
    prefix = C if field == "ConditionExpression" else U
    ok = ".".join(["m"] * 32)
    extra = {"ExpressionAttributeValues": V1} if op == "update_item" else {}
    call(ddb, table, op, dict(extra, **{field: template % ok}))
    expect(ddb, table, op, dict(extra, **{field: template % (ok + ".m")}),
           prefix + "The document path has too many nesting levels; nesting levels: 33")
