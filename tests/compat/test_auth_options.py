"""The Authorization header's shape, the --cors and --sync options, and the table options
(DeletionProtectionEnabled, TableClass) as clients see them."""
import signal
import time

import pytest

from botocore.exceptions import ClientError

from conftest import create_table_params, make_client, raw_request, unique_name

AUTH = ("AWS4-HMAC-SHA256 Credential=%s/20260101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host;x-amz-date, Signature=abc")


def call(endpoint, auth, date=True):
    headers = {"Authorization": auth}
    if date:  # now: a date more than 5 minutes away is refused even without --auth
        headers["X-Amz-Date"] = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    return raw_request(endpoint, "ListTables", {}, sign=False, headers=headers)


def test_access_key_must_be_alphanumeric(endpoint):
    r = call(endpoint, AUTH % "AKID-1")
    assert r.status == 400
    # DynamoDB Local's words, and why (issue 76, item 5: a dashed key was refused without saying so)
    assert r.json() == {"__type": "com.amazon.coral.service#UnrecognizedClientException",
                        "message": "The Access Key ID or security token is invalid. An access key id is letters "
                                   "and digits only (as AWS's and DynamoDB Local's are); 'AKID-1' holds '-'"}
    assert call(endpoint, AUTH % "AKID1").status == 200


def test_incomplete_signature_names_what_is_missing(endpoint):
    auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request"
    r = call(endpoint, auth, date=False)
    assert r.status == 400
    assert r.json() == {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": "Authorization header requires 'Signature' parameter. Authorization header requires "
                   "'SignedHeaders' parameter. Authorization header requires existence of either a "
                   "'X-Amz-Date' or a 'Date' header. Authorization=" + auth}


CRED = "Credential=AKID/20260101/us-east-1/dynamodb/aws4_request"
REQUIRES = "Authorization header requires '%s' parameter. "


@pytest.mark.parametrize("params,missing", [
    # any order, commas with or without spaces
    ("SignedHeaders=host,Signature=abc," + CRED, []),
    ("Signature=abc , " + CRED + " ,SignedHeaders=host", []),
    # a parameter with an empty value is missing; the first occurrence of a name decides
    (CRED + ", SignedHeaders=host, Signature=", ["Signature"]),
    (CRED + ", SignedHeaders=, Signature=abc", ["SignedHeaders"]),
    (CRED + ", SignedHeaders=host, Signature=, Signature=abc", ["Signature"]),
    ("Credential=, SignedHeaders=host, Signature=abc", ["Credential"]),
    # names match whole parameters only
    (CRED + ", XSignature=abc, SignedHeaders=host", ["Signature"]),
    ("SignedHeaders=host, Signature=abc", ["Credential"]),
])
def test_authorization_parameters(endpoint, params, missing):
    auth = "AWS4-HMAC-SHA256 " + params
    r = call(endpoint, auth)
    if not missing:
        assert r.status == 200
        return
    assert r.status == 400
    assert r.json() == {"__type": "com.amazon.coral.service#IncompleteSignatureException",
                        "message": "".join(REQUIRES % m for m in missing) + "Authorization=" + auth}


def test_credential_must_have_five_parts(endpoint):
    auth = "AWS4-HMAC-SHA256 Credential=AKID/20260101, SignedHeaders=host, Signature=abc"
    r = call(endpoint, auth)
    assert r.status == 400
    assert r.json()["__type"] == "com.amazon.coral.service#IncompleteSignatureException"
    assert r.json()["message"] == ("Credential must have exactly 5 slash-delimited elements, e.g. "
                                   "keyid/date/region/service/term, got 'AKID/20260101'")


def test_cors_allow_list(server_factory):
    server = server_factory(["--in-memory", "--cors", "http://a.example,http://b.example"])
    ok = raw_request(server.endpoint, "ListTables", {}, headers={"Origin": "http://b.example"})
    assert ok.status == 200
    assert ok.headers["access-control-allow-origin"] == "http://b.example"
    other = raw_request(server.endpoint, "ListTables", {}, headers={"Origin": "http://c.example"})
    assert other.status == 403  # an origin --cors does not allow is refused (tests/security/test_cors.py)
    assert other.json()["__type"].endswith("#AccessDeniedException")
    assert "access-control-allow-origin" not in other.headers


def test_sync_writes_survive_restart(server_factory, tmp_path):
    first = server_factory(["--data-dir", str(tmp_path), "--sync"])
    ddb = make_client(first.endpoint)
    ddb.create_table(**create_table_params("synced"))
    ddb.put_item(TableName="synced", Item={"pk": {"S": "a"}})
    assert first.stop(signal.SIGTERM) == 0
    second = server_factory(["--data-dir", str(tmp_path)])
    assert make_client(second.endpoint).get_item(TableName="synced", Key={"pk": {"S": "a"}})["Item"] == {
        "pk": {"S": "a"}}


def test_deletion_protection(endpoint):
    """Debian's botocore predates DeletionProtectionEnabled, so this goes as signed raw requests."""
    name = unique_name("protected")
    r = raw_request(endpoint, "CreateTable", dict(create_table_params(name), DeletionProtectionEnabled=True))
    assert r.status == 200 and r.json()["TableDescription"]["DeletionProtectionEnabled"] is True
    r = raw_request(endpoint, "DeleteTable", {"TableName": name})
    assert r.status == 400
    assert r.json() == {"__type": "com.amazon.coral.validate#ValidationException",
                        "message": "Resource cannot be deleted as it is currently protected against deletion. "
                                   "Disable deletion protection first."}
    r = raw_request(endpoint, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    assert r.status == 200 and r.json()["TableDescription"]["DeletionProtectionEnabled"] is False
    r = raw_request(endpoint, "DeleteTable", {"TableName": name})
    assert r.status == 200 and r.json()["TableDescription"]["TableStatus"] == "DELETING"


def test_table_class_is_reported(ddb, endpoint):
    name = unique_name("cls")
    ddb.create_table(**create_table_params(name), TableClass="STANDARD_INFREQUENT_ACCESS")
    assert ddb.describe_table(TableName=name)["Table"]["TableClassSummary"] == {
        "TableClass": "STANDARD_INFREQUENT_ACCESS"}
    # a change of class comes alone, and is dated (TableClassSummary.LastUpdateDateTime)
    with pytest.raises(ClientError) as e:
        ddb.update_table(TableName=name, TableClass="STANDARD", BillingMode="PAY_PER_REQUEST")
    assert e.value.response["Error"] == {"Code": "ValidationException", "Message": "One or more parameter values were "
                                         "invalid: TableClass modification must be the only operation in the request"}
    r = raw_request(endpoint, "UpdateTable", {"TableName": name, "SSESpecification": {"Enabled": True},
                                                      "TableClass": "STANDARD"})
    assert r.status == 400 and "modification must be the only operation in the request" in r.json()["message"]
    r = raw_request(endpoint, "UpdateTable", {"TableName": name, "SSESpecification": {"Enabled": True},
                                                      "BillingMode": "PAY_PER_REQUEST"})
    assert r.json() == {"__type": "com.amazon.coral.validate#ValidationException", "message": "One or more parameter "
                        "values were invalid: Server-Side Encryption modification must be the only operation in the "
                        "request"}
    before = time.time()
    ddb.update_table(TableName=name, TableClass="STANDARD")
    summary = ddb.describe_table(TableName=name)["Table"]["TableClassSummary"]
    assert summary["TableClass"] == "STANDARD"
    assert before - 1 <= summary["LastUpdateDateTime"].timestamp() <= time.time() + 1
    ddb.delete_table(TableName=name)
