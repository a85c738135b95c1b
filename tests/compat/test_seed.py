"""--seed FILE|DIR: tables (CreateTable's JSON) and items (DynamoDB JSON lines, BatchWriteItem's
RequestItems) loaded through the API's pipeline before the server listens; idempotent on restart;
bad input named by file and line, with nothing loaded and a non-zero exit."""
import json
import subprocess

import pytest

from conftest import DDBD_BIN, make_client


def users_table(name="users", gsi=True):
    d = {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
         "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "email", "AttributeType": "S"}],
         "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}
    if gsi:
        d["GlobalSecondaryIndexes"] = [{"IndexName": "by_email",
                                        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]
    else:
        d["AttributeDefinitions"] = d["AttributeDefinitions"][:1]
    return d


def orders_table():
    return {"TableName": "orders", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "user", "AttributeType": "S"},
                                     {"AttributeName": "n", "AttributeType": "N"}],
            "KeySchema": [{"AttributeName": "user", "KeyType": "HASH"}, {"AttributeName": "n", "KeyType": "RANGE"}]}


def write(path, text):
    path.write_text(text if isinstance(text, str) else json.dumps(text, indent=2))
    return path


def lines(*objs):
    return "".join(json.dumps(o) + "\n" for o in objs)


def scan_all(ddb, table):
    return sorted((json.dumps(i, sort_keys=True) for i in ddb.scan(TableName=table, ConsistentRead=True)["Items"]))


def run_ddbd(args, timeout=20):
    return subprocess.run([DDBD_BIN, "--port", "0"] + args, capture_output=True, timeout=timeout, text=True)


@pytest.fixture
def seed_dir(tmp_path):
    d = tmp_path / "seed"
    d.mkdir()
    write(d / "users.json", users_table())
    write(d / "orders.json", [orders_table(),
                              {"RequestItems": {"orders": [{"PutRequest": {"Item": {"user": {"S": "u1"}, "n": {"N": "1"}}}},
                                                           {"PutRequest": {"Item": {"user": {"S": "u1"}, "n": {"N": "2"}}}}]}}])
    write(d / "users.jsonl", lines({"pk": {"S": "u1"}, "email": {"S": "a@x"}},
                                   {"Item": {"pk": {"S": "u2"}, "email": {"S": "b@x"}}},
                                   {"TableName": "orders", "Item": {"user": {"S": "u2"}, "n": {"N": "7"}}}) + "\n")
    write(d / "users.more.ndjson", lines({"pk": {"S": "u3"}, "tags": {"SS": ["x", "y"]}}))
    # a bare RequestItems map (aws dynamodb batch-write-item --request-items), read before users.jsonl:
    # the duplicate key is written in order, and the delete runs before u1 is put
    write(d / "batch.json", {"users": [{"PutRequest": {"Item": {"pk": {"S": "u4"}, "v": {"N": "1"}}}},
                                       {"PutRequest": {"Item": {"pk": {"S": "u4"}, "v": {"N": "2"}}}},
                                       {"DeleteRequest": {"Key": {"pk": {"S": "u1"}}}}]})
    write(d / "README.txt", "not a seed file: ignored in a directory")
    return d


def test_seed_directory_loads_tables_and_items_before_listening(server_factory, seed_dir):
    srv = server_factory(["--in-memory", "--seed", str(seed_dir)])
    ddb = make_client(srv.endpoint)
    assert sorted(ddb.list_tables()["TableNames"]) == ["orders", "users"]
    users = {i["pk"]["S"]: i for i in ddb.scan(TableName="users")["Items"]}
    assert sorted(users) == ["u1", "u2", "u3", "u4"]
    assert users["u4"]["v"] == {"N": "2"}
    assert users["u3"]["tags"]["SS"] == ["x", "y"]
    got = ddb.query(TableName="users", IndexName="by_email", KeyConditionExpression="email = :e",
                    ExpressionAttributeValues={":e": {"S": "b@x"}})["Items"]
    assert [i["pk"]["S"] for i in got] == ["u2"]
    assert sorted((i["user"]["S"], i["n"]["N"]) for i in ddb.scan(TableName="orders")["Items"]) == \
        [("u1", "1"), ("u1", "2"), ("u2", "7")]
    log = srv.stderr_text()
    assert "seed: 2 tables created, 0 kept, 9 items written" in log
    assert log.index("seed: 2 tables created") < log.index("listening on")


def test_seed_restart_keeps_tables_and_puts_items_again(server_factory, seed_dir, tmp_path):
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data, "--seed", str(seed_dir)])
    ddb = make_client(srv.endpoint)
    ddb.put_item(TableName="users", Item={"pk": {"S": "u2"}, "email": {"S": "changed@x"}})
    ddb.put_item(TableName="users", Item={"pk": {"S": "api"}})
    assert srv.stop() == 0
    srv = server_factory(["--data-dir", data, "--seed", str(seed_dir)])
    ddb = make_client(srv.endpoint)
    assert "seed: 0 tables created, 2 kept, 9 items written" in srv.stderr_text()
    users = {i["pk"]["S"]: i for i in ddb.scan(TableName="users")["Items"]}
    assert sorted(users) == ["api", "u1", "u2", "u3", "u4"]  # items of the API stay
    assert users["u2"]["email"] == {"S": "b@x"}               # seeded items are put again
    assert len(ddb.scan(TableName="orders")["Items"]) == 3


def test_seed_single_file(server_factory, tmp_path):
    f = write(tmp_path / "all.json", [users_table(gsi=False),
                                      {"RequestItems": {"users": [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}}])
    srv = server_factory(["--in-memory", "--seed", str(f)])
    assert make_client(srv.endpoint).get_item(TableName="users", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_seed_bad_items_named_by_file_and_line_and_nothing_loaded(seed_dir, tmp_path):
    write(seed_dir / "users.bad.jsonl", lines({"pk": {"S": "fine"}}, {"pk": {"N": "1"}}) + "\n"
          + lines({"email": {"S": "no key"}}) + "{not json\n" + lines({"pk": {"S": "x"}, "email": {"N": "5"}}))
    write(seed_dir / "zz.json", '{"RequestItems": {\n  "users": [\n    {"PutRequest": {"Item": {"pk": {"S": "ok"}}}},\n'
                                '    {"PutRequest": {"Item": {"pk": {"S": ""}}}}\n  ],\n'
                                '  "ghost": [{"PutRequest": {"Item": {"pk": {"S": "x"}}}}]\n}}\n')
    data = str(tmp_path / "data")
    proc = run_ddbd(["--data-dir", data, "--seed", str(seed_dir)])
    assert proc.returncode != 0
    err = proc.stderr
    bad, zz = str(seed_dir / "users.bad.jsonl"), str(seed_dir / "zz.json")
    assert "seed: %s:2: ValidationException: One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N" % bad in err
    assert "seed: %s:4: ValidationException: One or more parameter values were invalid: Missing the key pk in the item" % bad in err
    assert "seed: %s:5: not valid JSON" % bad in err
    assert "seed: %s:6: ValidationException: One or more parameter values were invalid: Type mismatch for Index Key email" % bad in err
    assert "seed: %s:4: ValidationException:" % zz in err and "empty string" in err
    assert "seed: %s:6: table ghost neither exists nor is defined by the seed" % zz in err
    assert ":1:" not in err.replace(str(seed_dir), "")  # the good lines are not reported
    assert "nothing was loaded" in err and "listening" not in err
    # nothing half-loaded: the data directory holds no table
    proc = run_ddbd(["--data-dir", data, "--seed", str(tmp_path / "empty.json")])
    assert "cannot open it" in proc.stderr
    write(tmp_path / "t.json", users_table(name="probe", gsi=False))
    srv_check = subprocess.Popen([DDBD_BIN, "--port", "0", "--data-dir", data, "--seed", str(tmp_path / "t.json")],
                                 stderr=subprocess.PIPE, text=True)
    try:
        line = ""
        while "listening" not in line:
            line = srv_check.stderr.readline()
            assert line, "ddbd exited"
        assert ", 1 tables," in line  # only the probe table: the failed seed created none
    finally:
        srv_check.terminate()
        srv_check.wait(10)


def test_seed_bad_definitions(tmp_path):
    d = tmp_path / "defs"
    d.mkdir()
    bad = users_table(gsi=False)
    bad["KeySchema"] = [{"AttributeName": "missing", "KeyType": "HASH"}]
    write(d / "a.json", bad)
    write(d / "b.json", users_table(name="twice", gsi=False))
    write(d / "c.json", users_table(name="twice", gsi=False))
    write(d / "d.json", '{\n  "TableName": "broken",\n  "KeySchema": [\n}\n')
    write(d / "e.json", {"Tables": "x"})
    proc = run_ddbd(["--in-memory", "--seed", str(d)])
    assert proc.returncode != 0
    err = proc.stderr
    assert "seed: %s:1: ValidationException:" % (d / "a.json") in err
    assert "seed: %s:1: table twice is defined twice (first in %s:1)" % (d / "c.json", d / "b.json") in err
    assert "seed: %s:4: not valid JSON" % (d / "d.json") in err
    assert "seed: %s:1: neither a CreateTable request" % (d / "e.json") in err
    assert "nothing was loaded" in err


def test_seed_existing_table_with_another_key_schema_is_refused(server_factory, tmp_path):
    data = str(tmp_path / "data")
    srv = server_factory(["--data-dir", data])
    ddb = make_client(srv.endpoint)
    ddb.create_table(TableName="users", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.put_item(TableName="users", Item={"id": {"N": "1"}})
    assert srv.stop() == 0
    f = write(tmp_path / "users.json", users_table(gsi=False))
    proc = run_ddbd(["--data-dir", data, "--seed", str(f)])
    assert proc.returncode != 0
    assert "seed: %s:1: table users exists with another key schema" % f in proc.stderr
    srv = server_factory(["--data-dir", data])
    assert make_client(srv.endpoint).get_item(TableName="users", Key={"id": {"N": "1"}})["Item"]


def test_seed_large_reports_progress(server_factory, tmp_path):
    d = tmp_path / "big"
    d.mkdir()
    write(d / "big.json", users_table(name="big", gsi=False))
    with open(d / "big.jsonl", "w") as f:
        for i in range(12000):
            f.write('{"pk": {"S": "k%05d"}, "n": {"N": "%d"}}\n' % (i, i))
    srv = server_factory(["--in-memory", "--seed", str(d)], timeout=60)
    log = srv.stderr_text()
    assert "seed: checked 1 tables and 12000 items in" in log
    assert "seed: 1 tables created, 0 kept, 12000 items written" in log
    ddb = make_client(srv.endpoint)
    assert ddb.describe_table(TableName="big")["Table"]["ItemCount"] == 12000
