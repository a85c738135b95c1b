"""Durability across restarts of a server with a data directory (its own servers, not the
session's in-memory one)."""
import signal

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, create_table_params, make_client

ITEMS = [
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "s": {"S": "hello"}, "n": {"N": "1.50"},
     "b": {"B": b"\x00\xff"}, "bool": {"BOOL": True}, "null": {"NULL": True},
     "ss": {"SS": ["x", "y"]}, "l": {"L": [{"S": "q"}, {"N": "2"}]},
     "m": {"M": {"k": {"S": "v"}}}},
    {"pk": {"S": "a"}, "sk": {"N": "2"}, "data": {"S": "x" * 5000}},
    {"pk": {"S": "b"}, "sk": {"N": "-3.5"}},
]


def canonical(item):
    out = dict(item)
    if "n" in out:
        out["n"] = {"N": "1.5"}
    if "ss" in out:
        out["ss"] = {"SS": sorted(out["ss"]["SS"])}
    return out


def read_back(ddb, table, item):
    key = {"pk": item["pk"], "sk": item["sk"]}
    got = ddb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item")
    if got and "ss" in got:
        got["ss"] = {"SS": sorted(got["ss"]["SS"])}
    return got


def populate(ddb):
    ddb.create_table(**create_table_params("persist_main", ("pk", "S"), ("sk", "N"),
                                           billing="PROVISIONED"))
    ddb.create_table(**create_table_params("Persist_Other", ("id", "B")))
    ddb.create_table(**create_table_params("persist_gone", ("pk", "S")))
    for item in ITEMS:
        ddb.put_item(TableName="persist_main", Item=item)
    ddb.put_item(TableName="Persist_Other", Item={"id": {"B": b"\x01"}, "v": {"S": "other"}})
    ddb.put_item(TableName="persist_main", Item={"pk": {"S": "gone"}, "sk": {"N": "0"}})
    ddb.delete_item(TableName="persist_main", Key={"pk": {"S": "gone"}, "sk": {"N": "0"}})
    ddb.delete_table(TableName="persist_gone")
    ddb.update_table(TableName="persist_main",
                     ProvisionedThroughput={"ReadCapacityUnits": 8, "WriteCapacityUnits": 9})
    return ddb.describe_table(TableName="persist_main")["Table"]


def verify(ddb, before):
    assert ddb.list_tables()["TableNames"] == ["Persist_Other", "persist_main"]
    for item in ITEMS:
        assert read_back(ddb, "persist_main", item) == canonical(item)
    assert "Item" not in ddb.get_item(TableName="persist_main",
                                      Key={"pk": {"S": "gone"}, "sk": {"N": "0"}})
    assert ddb.get_item(TableName="Persist_Other", Key={"id": {"B": b"\x01"}})["Item"] == {
        "id": {"B": b"\x01"}, "v": {"S": "other"}}
    after = ddb.describe_table(TableName="persist_main")["Table"]
    for field in ("TableName", "TableArn", "TableId", "CreationDateTime", "KeySchema",
                  "AttributeDefinitions", "ItemCount", "TableSizeBytes"):
        assert after[field] == before[field], field
    assert after["ProvisionedThroughput"]["ReadCapacityUnits"] == 8
    assert after["ProvisionedThroughput"]["WriteCapacityUnits"] == 9
    assert after["ItemCount"] == len(ITEMS)
    with pytest.raises(ClientError) as excinfo:
        ddb.describe_table(TableName="persist_gone")
    assert_client_error(excinfo, "ResourceNotFoundException",
                        "Requested resource not found: Table: persist_gone not found")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_restart_keeps_tables_and_items(server_factory, tmp_path, sig):
    data = tmp_path / "data"
    data.mkdir()
    first = server_factory(["--data-dir", str(data)])
    before = populate(make_client(first.endpoint))
    assert first.stop(sig) == 0, first.stderr_text()

    second = server_factory(["--data-dir", str(data)])
    ddb = make_client(second.endpoint)
    verify(ddb, before)

    # Still writable after the restart, and a third start sees the new write too.
    ddb.put_item(TableName="persist_main", Item={"pk": {"S": "c"}, "sk": {"N": "9"}})
    assert second.stop(signal.SIGTERM) == 0, second.stderr_text()
    third = server_factory(["--data-dir", str(data)])
    got = make_client(third.endpoint).get_item(
        TableName="persist_main", Key={"pk": {"S": "c"}, "sk": {"N": "9"}})
    assert got["Item"] == {"pk": {"S": "c"}, "sk": {"N": "9"}}
    assert third.stop(signal.SIGTERM) == 0


def test_restart_with_dynamodb_local_spellings(server_factory, tmp_path):
    data = tmp_path / "dblocal"
    data.mkdir()
    first = server_factory(raw_args=None, args=["-dbPath", str(data), "-sharedDb"])
    ddb = make_client(first.endpoint)
    ddb.create_table(**create_table_params("dblocal_tbl"))
    ddb.put_item(TableName="dblocal_tbl", Item={"pk": {"S": "k"}, "v": {"N": "1E+3"}})
    assert first.stop(signal.SIGTERM) == 0

    second = server_factory(args=["-dbPath", str(data), "-sharedDb"])
    ddb = make_client(second.endpoint)
    assert "dblocal_tbl" in ddb.list_tables()["TableNames"]
    assert ddb.get_item(TableName="dblocal_tbl", Key={"pk": {"S": "k"}})["Item"] == {
        "pk": {"S": "k"}, "v": {"N": "1000"}}


def test_data_directories_are_independent(server_factory, tmp_path):
    a_dir, b_dir = tmp_path / "a", tmp_path / "b"
    a_dir.mkdir()
    b_dir.mkdir()
    a = make_client(server_factory(["--data-dir", str(a_dir)]).endpoint)
    b = make_client(server_factory(["--data-dir", str(b_dir)]).endpoint)
    a.create_table(**create_table_params("only_in_a"))
    assert "only_in_a" not in b.list_tables()["TableNames"]
    b.create_table(**create_table_params("only_in_a", ("other", "N")))
    a.put_item(TableName="only_in_a", Item={"pk": {"S": "x"}})
    assert "Item" not in b.get_item(TableName="only_in_a", Key={"other": {"N": "1"}})


def test_in_memory_forgets_on_restart(server_factory):
    first = server_factory(["--in-memory"])
    make_client(first.endpoint).create_table(**create_table_params("volatile_tbl"))
    port = first.port
    assert first.stop(signal.SIGTERM) == 0
    second = server_factory(["--in-memory"], port=port)
    assert make_client(second.endpoint).list_tables()["TableNames"] == []


def _load_many(ddb, table, n):
    for start in range(0, n, 25):
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": "p%d" % (i % 40)}, "sk": {"N": str(i)},
                                     "v": {"S": "x" * (i % 7)}}}}
            for i in range(start, min(start + 25, n))]})


def _read_all(ddb, table, n):
    missing = []
    for i in range(n):
        got = ddb.get_item(TableName=table, Key={"pk": {"S": "p%d" % (i % 40)}, "sk": {"N": str(i)}})
        if got.get("Item") != {"pk": {"S": "p%d" % (i % 40)}, "sk": {"N": str(i)}, "v": {"S": "x" * (i % 7)}}:
            missing.append(i)
    return missing


def _scan_count(ddb, table):
    count, kwargs = 0, {}
    while True:
        page = ddb.scan(TableName=table, **kwargs)
        count += page["Count"]
        if "LastEvaluatedKey" not in page:
            return count
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


@pytest.mark.parametrize("shards", [[2, 3, 1, 5], [4, 4, 2]], ids=["grow-shrink", "same-then-shrink"])
def test_changing_shard_count_moves_partitions_and_loses_nothing(server_factory, tmp_path, shards):
    """--shards on an existing directory rebalances: every item stays readable by key and by Scan."""
    data = tmp_path / "data"
    data.mkdir()
    n = 400
    first = server_factory(["--data-dir", str(data), "--shards", str(shards[0])])
    ddb = make_client(first.endpoint)
    ddb.create_table(**create_table_params("sharded", ("pk", "S"), ("sk", "N")))
    _load_many(ddb, "sharded", n)
    assert first.stop(signal.SIGTERM) == 0
    for count in shards[1:]:
        server = server_factory(["--data-dir", str(data), "--shards", str(count)])
        ddb = make_client(server.endpoint)
        assert ("%d shards" % count) in server.stderr_text()
        assert _read_all(ddb, "sharded", n) == []
        assert _scan_count(ddb, "sharded") == n
        assert ddb.describe_table(TableName="sharded")["Table"]["ItemCount"] == n
        assert server.stop(signal.SIGTERM) == 0
