"""The two wordings of value errors DynamoDB gives, by operation (proto/attr.h). PutItem, UpdateItem,
DeleteItem, GetItem, BatchGetItem and Query use AWS's 2026 layer: an empty number keeps its colon, an
exponent past 32 bits is out of range rather than unreadable, a zero written with an exponent out of
range is refused, a set's duplicates are listed quoted in sorted-set order up to the repeat, and an
ExpressionAttributeValues number or set error is reported bare. BatchWriteItem, TransactWriteItems and
Scan keep the classic wording. Expectations: paritysuite's valueLayers and numberExponent suites,
captured against AWS in October 2026.
"""
import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, enveloped

OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
NOT_NUMERIC = "The parameter cannot be converted to a numeric value: "
INVALID = "One or more parameter values were invalid: "


def refused(call, message, **kw):
    with pytest.raises(ClientError) as e:
        call(**kw)
    assert_client_error(e, "ValidationException", enveloped(getattr(call, "__name__", ""), message))


@pytest.mark.parametrize("n, message", [
    ("1e99999999999", OVERFLOW), ("-1e99999999999", OVERFLOW), ("1e-99999999999", UNDERFLOW),
    ("1e2147483648", OVERFLOW), ("1e-2147483648", UNDERFLOW), ("0e126", OVERFLOW), ("0e-131", UNDERFLOW),
    ("", NOT_NUMERIC), ("abc", NOT_NUMERIC + "abc"), ("1e126", OVERFLOW),
    ("1e9223372036854775808", NOT_NUMERIC + "1e9223372036854775808"),
])
def test_numbers_in_the_2026_layer(ddb, make_table, n, message):
    t = make_table()
    refused(ddb.put_item, message, TableName=t, Item={"pk": {"S": "a"}, "n": {"N": n}})
    refused(ddb.update_item, message, TableName=t, Key={"pk": {"S": "a"}}, UpdateExpression="SET n = :v",
            ExpressionAttributeValues={":v": {"N": n}})
    refused(ddb.query, message, TableName=t, KeyConditionExpression="pk = :p", FilterExpression="n = :v",
            ExpressionAttributeValues={":p": {"S": "a"}, ":v": {"N": n}})


def test_zero_in_range_is_still_zero(ddb, make_table):
    t = make_table()
    ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "n": {"N": "0e125"}, "m": {"N": "-0.0e-130"}})
    item = ddb.get_item(TableName=t, Key={"pk": {"S": "a"}})["Item"]
    assert item["n"] == {"N": "0"} and item["m"] == {"N": "0"}


@pytest.mark.parametrize("value, message", [
    ({"SS": ["b", "a", "b"]}, INVALID + 'Input collection ["a", "b", "b"] contains duplicates.'),
    ({"BS": [b"\xff", b"\x00", b"\x00"]}, INVALID + 'Input collection ["AA==","/w==","AA=="]of type BS '
                                                   "contains duplicates."),
    ({"NS": ["2", "1", "2"]}, INVALID + "Input collection contains duplicates."),
])
def test_duplicate_set_members_in_the_2026_layer(ddb, make_table, value, message):
    t = make_table()
    refused(ddb.put_item, message, TableName=t, Item={"pk": {"S": "a"}, "s": value})
    refused(ddb.delete_item, message, TableName=t, Key={"pk": {"S": "a"}},
            ConditionExpression="attribute_not_exists(pk) OR s = :t", ExpressionAttributeValues={":t": value})


def test_classic_layer_operations_keep_their_wording(ddb, make_table):
    t = make_table()
    refused(ddb.batch_write_item, NOT_NUMERIC + "1e99999999999",
            RequestItems={t: [{"PutRequest": {"Item": {"pk": {"S": "a"}, "n": {"N": "1e99999999999"}}}}]})
    refused(ddb.scan, "ExpressionAttributeValues contains invalid value: " + NOT_NUMERIC + "abc for key :v",
            TableName=t, FilterExpression="n = :v", ExpressionAttributeValues={":v": {"N": "abc"}})
    refused(ddb.batch_write_item, INVALID + "Input collection [b, a, b] contains duplicates.",
            RequestItems={t: [{"PutRequest": {"Item": {"pk": {"S": "a"}, "s": {"SS": ["b", "a", "b"]}}}}]})


def test_query_start_key_values_in_the_2026_layer(ddb, make_table):
    t = make_table()
    refused(ddb.query, INVALID + 'Input collection ["a", "b", "b"] contains duplicates.', TableName=t,
            KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "a"}},
            ExclusiveStartKey={"pk": {"SS": ["b", "a", "b"]}})
    # Scan keeps the classic wording
    refused(ddb.scan, "The provided starting key is invalid: " + INVALID + "Input collection [b, a, b] contains "
            "duplicates.", TableName=t, ExclusiveStartKey={"pk": {"SS": ["b", "a", "b"]}})
