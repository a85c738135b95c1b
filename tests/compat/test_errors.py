"""Item operation errors: key schema, sizes, attribute values, numbers, sets, missing tables."""
import pytest
from botocore.exceptions import ClientError

from conftest import ANY, MAX_ITEM_SIZE, assert_client_error, enveloped, expect_error, padded_item, unique_name

INVALID = "One or more parameter values were invalid: "
KEY_MISMATCH = "The provided key element does not match the schema"
EMPTY_S_KEY = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
               "cannot contain an empty string value. Key: %s")
EMPTY_B_KEY = ("One or more parameter values are not valid. The AttributeValue for a key attribute "
               "cannot contain an empty binary value. Key: %s")
HASH_TOO_BIG = INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_TOO_BIG = INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"
ITEM_TOO_BIG = "Item size has exceeded the maximum allowed size"
RETURN_VALUES = "ReturnValues can only be ALL_OLD or NONE"
EMPTY_AV = "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
TOO_MANY_DIGITS = "Attempting to store more than 38 significant digits in a Number"
OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = ("Number underflow. Attempting to store a number with magnitude smaller than supported "
             "range")


@pytest.fixture(scope="module")
def tables(ddb):
    """Three tables shared by this module: hash S, hash S + range S, hash B."""
    names = {"hash": unique_name("err_h"), "range": unique_name("err_r"), "bin": unique_name("err_b")}
    specs = {"hash": [("pk", "S", "HASH")], "range": [("pk", "S", "HASH"), ("sk", "S", "RANGE")],
             "bin": [("pk", "B", "HASH")]}
    for kind, name in names.items():
        ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t, _ in specs[kind]],
            KeySchema=[{"AttributeName": a, "KeyType": k} for a, _, k in specs[kind]])
    yield names
    for name in names.values():
        ddb.delete_table(TableName=name)


# ---------------------------------------------------------------------------------------------
# PutItem
# ---------------------------------------------------------------------------------------------

PUT_ERRORS = [
    ("empty_item", "hash", {}, INVALID + "Missing the key pk in the item"),
    ("missing_hash_key", "hash", {"x": {"S": "a"}}, INVALID + "Missing the key pk in the item"),
    ("missing_range_key", "range", {"pk": {"S": "a"}}, INVALID + "Missing the key sk in the item"),
    ("hash_key_N_for_S", "hash", {"pk": {"N": "1"}},
     INVALID + "Type mismatch for key pk expected: S actual: N"),
    ("hash_key_B_for_S", "hash", {"pk": {"B": b"ab"}},
     INVALID + "Type mismatch for key pk expected: S actual: B"),
    ("hash_key_SS_for_S", "hash", {"pk": {"SS": ["a"]}},
     INVALID + "Type mismatch for key pk expected: S actual: SS"),
    ("range_key_N_for_S", "range", {"pk": {"S": "a"}, "sk": {"N": "1"}},
     INVALID + "Type mismatch for key sk expected: S actual: N"),
    ("hash_key_S_for_B", "bin", {"pk": {"S": "a"}},
     INVALID + "Type mismatch for key pk expected: B actual: S"),
    ("empty_string_hash_key", "hash", {"pk": {"S": ""}}, EMPTY_S_KEY % "pk"),
    ("empty_string_range_key", "range", {"pk": {"S": "a"}, "sk": {"S": ""}}, EMPTY_S_KEY % "sk"),
    ("empty_binary_hash_key", "bin", {"pk": {"B": b""}}, EMPTY_B_KEY % "pk"),
    ("hash_key_2049_bytes", "hash", {"pk": {"S": "a" * 2049}}, HASH_TOO_BIG),
    ("hash_key_2049_bytes_multibyte", "hash", {"pk": {"S": "\u00e9" * 1024 + "a"}}, HASH_TOO_BIG),
    ("binary_hash_key_2049_bytes", "bin", {"pk": {"B": b"\x01" * 2049}}, HASH_TOO_BIG),
    ("range_key_1025_bytes", "range", {"pk": {"S": "a"}, "sk": {"S": "b" * 1025}}, RANGE_TOO_BIG),
    ("empty_attribute_value", "hash", {"pk": {"S": "a"}, "x": {}}, EMPTY_AV),
    ("empty_string_set", "hash", {"pk": {"S": "a"}, "x": {"SS": []}},
     INVALID + "An string set  may not be empty"),
    # PutItem words values as AWS's 2026 layer does (proto/attr.h): members quoted
    ("duplicate_in_string_set", "hash", {"pk": {"S": "a"}, "x": {"SS": ["a", "a"]}},
     INVALID + 'Input collection ["a", "a"] contains duplicates.'),
    ("39_significant_digits", "hash", {"pk": {"S": "a"}, "x": {"N": "1" * 39}}, TOO_MANY_DIGITS),
    ("39_significant_digits_fraction", "hash",
     {"pk": {"S": "a"}, "x": {"N": "-1.23456789012345678901234567890123456789"}}, TOO_MANY_DIGITS),
    ("overflow", "hash", {"pk": {"S": "a"}, "x": {"N": "1E+126"}}, OVERFLOW),
    ("negative_overflow", "hash", {"pk": {"S": "a"}, "x": {"N": "-1e126"}}, OVERFLOW),
    ("underflow", "hash", {"pk": {"S": "a"}, "x": {"N": "1E-131"}}, UNDERFLOW),
    ("negative_underflow", "hash", {"pk": {"S": "a"}, "x": {"N": "-1e-131"}}, UNDERFLOW),
    ("overflow_in_list", "hash", {"pk": {"S": "a"}, "x": {"L": [{"N": "1e126"}]}}, OVERFLOW),
    ("overflow_in_number_set", "hash", {"pk": {"S": "a"}, "x": {"NS": ["1", "1e126"]}}, OVERFLOW),
]


@pytest.mark.parametrize("kind, item, message", [c[1:] for c in PUT_ERRORS],
                         ids=[c[0] for c in PUT_ERRORS])
def test_put_item_errors(ddb, tables, kind, item, message):
    expect_error(lambda: ddb.put_item(TableName=tables[kind], Item=item), enveloped("put_item", message))


@pytest.mark.parametrize("return_values", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_item_return_values_restricted(ddb, tables, return_values):
    expect_error(lambda: ddb.put_item(TableName=tables["hash"], Item={"pk": {"S": "a"}},
                                           ReturnValues=return_values), enveloped("put_item", RETURN_VALUES))


@pytest.mark.parametrize("return_values", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_delete_item_return_values_restricted(ddb, tables, return_values):
    # DeleteItem takes only NONE and ALL_OLD too. The exact wording for DeleteItem is not pinned
    # down by a reference we trust (PutItem's is), so only the error type is checked here.
    with pytest.raises(ClientError) as excinfo:
        ddb.delete_item(TableName=tables["hash"], Key={"pk": {"S": "a"}}, ReturnValues=return_values)
    assert_client_error(excinfo, "ValidationException", ANY)


def test_item_one_byte_over_limit(ddb, tables):
    item = padded_item({"pk": {"S": "big"}}, MAX_ITEM_SIZE + 1, pad_name="data")
    expect_error(lambda: ddb.put_item(TableName=tables["hash"], Item=item), ITEM_TOO_BIG)


def test_item_over_limit_with_long_attribute_name(ddb, tables):
    item = padded_item({"pk": {"S": "big"}}, MAX_ITEM_SIZE + 1, pad_name="b" * 27)
    expect_error(lambda: ddb.put_item(TableName=tables["hash"], Item=item), ITEM_TOO_BIG)
    item = padded_item({"pk": {"S": "big"}}, MAX_ITEM_SIZE, pad_name="b" * 27)
    ddb.put_item(TableName=tables["hash"], Item=item)


def test_failed_put_writes_nothing(ddb, tables):
    item = {"pk": {"S": "untouched"}, "x": {"N": "1e126"}}
    expect_error(lambda: ddb.put_item(TableName=tables["hash"], Item=item), enveloped("put_item", OVERFLOW))
    assert "Item" not in ddb.get_item(TableName=tables["hash"], Key={"pk": {"S": "untouched"}})


# ---------------------------------------------------------------------------------------------
# GetItem / DeleteItem keys
# ---------------------------------------------------------------------------------------------

KEY_ERRORS = [
    ("empty_key", "hash", {}, KEY_MISMATCH),
    ("wrong_attribute", "hash", {"x": {"S": "a"}}, KEY_MISMATCH),
    ("extra_attribute", "hash", {"pk": {"S": "a"}, "x": {"S": "a"}}, KEY_MISMATCH),
    ("N_for_S", "hash", {"pk": {"N": "1"}}, KEY_MISMATCH),
    ("B_for_S", "hash", {"pk": {"B": b"ab"}}, KEY_MISMATCH),
    ("SS_for_S", "hash", {"pk": {"SS": ["a"]}}, KEY_MISMATCH),
    ("S_for_B", "bin", {"pk": {"S": "a"}}, KEY_MISMATCH),
    ("missing_range_key", "range", {"pk": {"S": "a"}}, KEY_MISMATCH),
    ("range_key_wrong_type", "range", {"pk": {"S": "a"}, "sk": {"N": "1"}}, KEY_MISMATCH),
    ("empty_string_hash_key", "hash", {"pk": {"S": ""}}, EMPTY_S_KEY % "pk"),
    ("empty_string_range_key", "range", {"pk": {"S": "a"}, "sk": {"S": ""}}, EMPTY_S_KEY % "sk"),
    ("empty_binary_hash_key", "bin", {"pk": {"B": b""}}, EMPTY_B_KEY % "pk"),
    ("hash_key_2049_bytes", "hash", {"pk": {"S": "a" * 2049}}, HASH_TOO_BIG),
    ("range_key_1025_bytes", "range", {"pk": {"S": "a"}, "sk": {"S": "b" * 1025}}, RANGE_TOO_BIG),
    ("empty_attribute_value", "hash", {"pk": {}}, EMPTY_AV),
]


@pytest.mark.parametrize("op", ["get_item", "delete_item"])
@pytest.mark.parametrize("kind, key, message", [c[1:] for c in KEY_ERRORS],
                         ids=[c[0] for c in KEY_ERRORS])
def test_key_errors(ddb, tables, op, kind, key, message):
    expect_error(lambda: getattr(ddb, op)(TableName=tables[kind], Key=key), enveloped(op, message))


# ---------------------------------------------------------------------------------------------
# Missing tables, and what is checked before the table is looked up
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("op, params", [
    ("put_item", {"Item": {"pk": {"S": "a"}}}),
    ("put_item", {"Item": {}}),            # the key can only be checked against a table
    ("get_item", {"Key": {"pk": {"S": "a"}}}),
    ("get_item", {"Key": {}}),
    ("delete_item", {"Key": {"pk": {"S": "a"}}}),
], ids=["put", "put_empty_item", "get", "get_empty_key", "delete"])
def test_item_ops_on_missing_table(ddb, op, params):
    with pytest.raises(ClientError) as excinfo:
        getattr(ddb, op)(TableName=unique_name("missing"), **params)
    assert_client_error(excinfo, "ResourceNotFoundException", "Requested resource not found")


@pytest.mark.parametrize("op, params, message", [
    ("put_item", {"Item": {"pk": {"S": "a"}, "x": {"N": "1e126"}}}, OVERFLOW),
    ("put_item", {"Item": {"pk": {"S": "a"}}, "ReturnValues": "ALL_NEW"}, RETURN_VALUES),
    ("put_item", {"Item": {"pk": {"S": "a"}, "x": {}}}, EMPTY_AV),
    ("put_item", {"Item": padded_item({"pk": {"S": "a"}}, MAX_ITEM_SIZE + 1)}, ITEM_TOO_BIG),
    ("get_item", {"Key": {"pk": {"N": "1e-131"}}}, UNDERFLOW),
], ids=["overflow", "return_values", "empty_value", "too_big", "get_underflow"])
def test_request_validation_precedes_table_lookup(ddb, op, params, message):
    expect_error(lambda: getattr(ddb, op)(TableName=unique_name("missing"), **params), enveloped(op, message))


@pytest.mark.parametrize("op, params", [
    ("put_item", {"Item": {"pk": {"S": "a"}}}),
    ("get_item", {"Key": {"pk": {"S": "a"}}}),
    ("delete_item", {"Key": {"pk": {"S": "a"}}}),
])
def test_item_ops_table_name_validation(ddb, op, params):
    expect_error(
        lambda: getattr(ddb, op)(TableName="a;", **params),
        "2 validation errors detected: "
        "Value 'a;' at 'tableName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+; "
        "Value 'a;' at 'tableName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 3")
