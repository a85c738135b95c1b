"""--seed MODEL.json: a NoSQL Workbench data model (its JSON export) as it is. Real public models
(seed_workbench/README.md names each one's source) are seeded one at a time, and every table, index
and item the server then describes and scans is compared with the model file; the real models whose
sample data is not DynamoDB JSON, and models broken on purpose, are refused with DynamoDB's message
at the line of what is wrong, nothing loaded."""
import json
import os

import pytest

from conftest import make_client
from helpers import admin_call
from test_seed import run_ddbd, write

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.join(HERE, "seed_workbench")

# The real models whose tables load (each file, its tables' names).
LOADED = {
    "AnOnlineShop_14.json": ["OnlineShop"],          # Workbench 1.0, items in the table's TableData, 2 GSIs
    "AnOnlineShop_facets.json": ["OnlineShop"],      # Workbench 1.0, items in each facet's TableData
    "DeviceStateLog_7.json": ["DeviceStateLog"],
    "ChatSystemSchema.json": ["Chat"],               # Workbench 3.0: BillingMode, ProvisionedCapacitySettings
    "ComplaintManagementSchema.json": ["Complaint_management_system"],
    "SessionManagementSchema.json": ["session_store"],
    "SocialNetworkSchema.json": ["SNS"],
    "RecurringPaymentsSchema.json": ["ReoccuringPayments"],  # INCLUDE projections, facets' items
    "BankModel.json": ["PaymentScheduler", "TransactionHistory"],  # Workbench 2.0, two tables
    "CartModel.json": ["CartTable"],
    "FlightsFares.json": ["data"],                   # the workshops' visualizer: ModelSchema, SavedQuery
    "Hospital.json": ["data"],                       # four GSIs
    "HotelReservations.json": ["data"],
}


def model_of(name):
    with open(os.path.join(MODELS, name)) as f:
        return json.load(f)


def key_schema(keys):
    ks = [{"AttributeName": keys["PartitionKey"]["AttributeName"], "KeyType": "HASH"}]
    if "SortKey" in keys:
        ks.append({"AttributeName": keys["SortKey"]["AttributeName"], "KeyType": "RANGE"})
    return ks


def definitions(t):
    defs = set()
    for keys in [t["KeyAttributes"]] + [g["KeyAttributes"] for g in t.get("GlobalSecondaryIndexes", [])]:
        for k in ("PartitionKey", "SortKey"):
            if k in keys:
                defs.add((keys[k]["AttributeName"], keys[k]["AttributeType"]))
    return defs


def capacity(t):
    """The model's capacity as DescribeTable shows it (none said: the Workbench's 5 and 5)."""
    if t.get("BillingMode", "PROVISIONED") != "PROVISIONED":
        return None
    pt = t.get("ProvisionedCapacitySettings", {}).get("ProvisionedThroughput",
                                                      {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    return (int(pt["ReadCapacityUnits"]), int(pt["WriteCapacityUnits"]))


def described_capacity(d):
    pt = d.get("ProvisionedThroughput", {})
    return (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) if pt.get("ReadCapacityUnits") else None


def model_items(t):
    """The items a table gets: its TableData's, then each facet's, a later one of a key replacing it."""
    key = [k["AttributeName"] for k in key_schema(t["KeyAttributes"])]
    out = {}
    for item in t.get("TableData", []) + [i for f in t.get("TableFacets", []) for i in f.get("TableData", [])]:
        out[json.dumps([item[k] for k in key], sort_keys=True)] = item
    return sorted(json.dumps(i, sort_keys=True) for i in out.values())


def scanned(ddb, table):
    items, kw = [], {"TableName": table, "ConsistentRead": True}
    while True:
        page = ddb.scan(**kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(json.dumps(i, sort_keys=True) for i in items)
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def check_table(ddb, t, items=None):
    """The table as described and scanned against the model's (its items: `items` when given)."""
    d = ddb.describe_table(TableName=t["TableName"])["Table"]
    assert d["KeySchema"] == key_schema(t["KeyAttributes"])
    assert {(a["AttributeName"], a["AttributeType"]) for a in d["AttributeDefinitions"]} == definitions(t)
    assert d.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == t.get("BillingMode", "PROVISIONED")
    assert described_capacity(d) == capacity(t)
    got = {g["IndexName"]: g for g in d.get("GlobalSecondaryIndexes", [])}
    want = t.get("GlobalSecondaryIndexes", [])
    assert sorted(got) == sorted(g["IndexName"] for g in want)
    for g in want:
        idx = got[g["IndexName"]]
        assert idx["KeySchema"] == key_schema(g["KeyAttributes"])
        proj = g.get("Projection", {"ProjectionType": "ALL"})
        assert idx["Projection"]["ProjectionType"] == proj["ProjectionType"]
        assert sorted(idx["Projection"].get("NonKeyAttributes", [])) == sorted(proj.get("NonKeyAttributes", []))
        assert described_capacity(idx) == capacity(t)
    items = model_items(t) if items is None else items
    assert items, "each model compared has sample data"
    assert scanned(ddb, t["TableName"]) == items
    return len(items)


@pytest.mark.parametrize("name", sorted(LOADED))
def test_real_model_seeds_exactly_its_tables_indexes_and_items(server_factory, name):
    model = model_of(name)
    srv = server_factory(["--in-memory", "--seed", os.path.join(MODELS, name)])
    ddb = make_client(srv.endpoint)
    assert sorted(ddb.list_tables()["TableNames"]) == sorted(LOADED[name])
    assert [t["TableName"] for t in model["DataModel"]] == LOADED[name]
    for t in model["DataModel"]:
        check_table(ddb, t)


def test_an_index_query_reads_the_model_items_it_projects(server_factory):
    """AnOnlineShop's GSI1 (Samaneh Utter's access pattern "shipments of an order"): the items whose
    GSI1-PK is the shipment, as the model's data has them."""
    model = model_of("AnOnlineShop_14.json")
    srv = server_factory(["--in-memory", "--seed", os.path.join(MODELS, "AnOnlineShop_14.json")])
    ddb = make_client(srv.endpoint)
    want = sorted(json.dumps(i, sort_keys=True) for i in model["DataModel"][0]["TableData"]
                  if i.get("GSI1-PK") == {"S": "sh#98765"})
    got = ddb.query(TableName="OnlineShop", IndexName="GSI1", KeyConditionExpression="#p = :p",
                    ExpressionAttributeNames={"#p": "GSI1-PK"},
                    ExpressionAttributeValues={":p": {"S": "sh#98765"}})["Items"]
    assert len(want) >= 2
    assert sorted(json.dumps(i, sort_keys=True) for i in got) == want


def test_seed_requests_prints_the_model_as_create_table_and_puts():
    r = run_ddbd(["--seed-requests", os.path.join(MODELS, "RecurringPaymentsSchema.json")])
    assert r.returncode == 0, r.stderr
    reqs = [json.loads(line) for line in r.stdout.splitlines()]
    assert [q["op"] for q in reqs] == ["CreateTable", "PutItem", "PutItem"]
    create = reqs[0]["request"]
    assert create["BillingMode"] == "PROVISIONED"
    assert create["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert [g["Projection"] for g in create["GlobalSecondaryIndexes"]] == \
        [g["Projection"] for g in model_of("RecurringPaymentsSchema.json")["DataModel"][0]["GlobalSecondaryIndexes"]]
    # the model's auto scaling is named, not dropped in silence
    assert "AutoScalingRead/AutoScalingWrite is not acted on" in r.stderr


def errors_of(r):
    return [line.split(" error ", 1)[1] for line in r.stderr.splitlines() if " error " in line]


def test_real_models_with_values_that_are_not_dynamodb_json_are_refused(tmp_path):
    """Two real models hold sample data DynamoDB would refuse ("is_enabled": true inside an M, an
    M holding {"M": {...}}): the seed refuses them at the item's line, nothing loaded."""
    path = os.path.join(MODELS, "GamePlayerProfilesSchema.json")
    r = run_ddbd(["--in-memory", "--seed", path])
    assert r.returncode == 1
    empty = "ValidationException: 1 validation error detected: Supplied AttributeValue is empty, must contain " \
            "exactly one of the supported datatypes"
    assert errors_of(r)[:4] == [f"seed: {path}:{n}: {empty}" for n in (263, 292, 321, 372)]
    assert errors_of(r)[-1] == "seed: nothing was loaded"
    path = os.path.join(MODELS, "ConnectedVehiclesSchema.json")
    r = run_ddbd(["--in-memory", "--seed", path])
    assert r.returncode == 1
    assert errors_of(r)[0] == f"seed: {path}:117: SerializationException: Expected null"
    assert errors_of(r)[-1] == "seed: nothing was loaded"


def broken(tmp_path, change):
    model = model_of("ChatSystemSchema.json")
    change(model["DataModel"][0])
    return str(write(tmp_path / "model.json", model))


def table_line(path):
    """The line of the model's first table (written by write(): indented by 2)."""
    return open(path).read().splitlines().index('  "DataModel": [') + 2


BROKEN = [
    # a key type DynamoDB does not have: CreateTable's own message
    (lambda t: t["KeyAttributes"]["SortKey"].update(AttributeType="X"),
     "ValidationException: 1 validation error detected: Value 'X' at 'attributeDefinitions.2.member.attributeType' "
     "failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]"),
    # an index without its key attributes
    (lambda t: t["GlobalSecondaryIndexes"][0].pop("KeyAttributes"),
     "ValidationException: 1 validation error detected: Value null at "
     "'globalSecondaryIndexes.1.member.keySchema' failed to satisfy constraint: Member must not be null"),
    (lambda t: t.update(BillingMode="ON_DEMAND"),
     "ValidationException: 1 validation error detected: Value 'ON_DEMAND' at 'billingMode' failed to satisfy "
     "constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]"),
    # the model's one capacity is its indexes' too
    (lambda t: t["ProvisionedCapacitySettings"]["ProvisionedThroughput"].update(ReadCapacityUnits=0),
     "ValidationException: 2 validation errors detected: Value '0' at 'provisionedThroughput.readCapacityUnits' "
     "failed to satisfy constraint: Member must have value greater than or equal to 1; Value '0' at "
     "'globalSecondaryIndexes.1.member.provisionedThroughput.readCapacityUnits' failed to satisfy constraint: "
     "Member must have value greater than or equal to 1"),
    (lambda t: t["GlobalSecondaryIndexes"][0].update(Projection={"ProjectionType": "INCLUDE"}),
     "ValidationException: One or more parameter values were invalid: ProjectionType is INCLUDE, but "
     "NonKeyAttributes is not specified"),
    # DynamoDB's limits: 20 GSIs a table, a name of 255 characters
    (lambda t: t.update(GlobalSecondaryIndexes=[dict(t["GlobalSecondaryIndexes"][0], IndexName=f"index{i}")
                                                for i in range(21)]),
     "ValidationException: One or more parameter values were invalid: GlobalSecondaryIndex count exceeds the "
     "per-table limit of 20"),
    (lambda t: t.update(TableName="t" * 256),
     f"ValidationException: 1 validation error detected: Value '{'t' * 256}' at 'tableName' failed to satisfy "
     "constraint: Member must have length less than or equal to 255"),
]


@pytest.mark.parametrize("change,message", BROKEN, ids=["key type", "index keys", "billing", "capacity", "include",
                                                         "21 indexes", "long name"])
def test_a_malformed_model_table_is_refused_with_dynamodbs_message(tmp_path, change, message):
    path = broken(tmp_path, change)
    r = run_ddbd(["--in-memory", "--seed", path])
    assert r.returncode == 1
    errors = errors_of(r)
    assert errors[0] == f"seed: {path}:{table_line(path)}: {message}"
    # (then each of its items, whose table is not made)
    assert errors[1:-1] and all(e.endswith(" neither exists nor is defined by the seed") for e in errors[1:-1])
    assert errors[-1] == "seed: nothing was loaded"


def test_a_model_item_refused_names_its_line(tmp_path):
    def change(t):
        t["TableData"][2]["SK"] = {"N": "1"}           # the sort key is a string
        t["TableData"][5]["big"] = {"S": "x" * 410_000}  # over the item size limit
    path = broken(tmp_path, change)
    text = open(path).read().splitlines()
    starts = [i + 1 for i, line in enumerate(text) if line == "        {" and '"PK"' in text[i + 1]]
    r = run_ddbd(["--in-memory", "--seed", path])
    assert r.returncode == 1
    assert errors_of(r) == [
        f"seed: {path}:{starts[2]}: ValidationException: One or more parameter values were invalid: Type mismatch "
        "for key SK expected: S actual: N",
        f"seed: {path}:{starts[5]}: ValidationException: Item size has exceeded the maximum allowed size",
        "seed: nothing was loaded"]


def line_of(path, text):
    return open(path).read().splitlines().index(text) + 1


@pytest.mark.parametrize("change,message,at", [
    (lambda t: t.pop("TableName"), "DataModel[0]: TableName: expected a string", '    {'),
    (lambda t: t.update(TableData={"PK": {"S": "a"}}), "DataModel[0].TableData: expected a list of items in DynamoDB "
     "JSON", '      "TableData": {'),
    (lambda t: t["TableData"].__setitem__(1, ["PK", "a"]),
     "DataModel[0].TableData[1]: expected an item in DynamoDB JSON (an object)", '        ['),
], ids=["no name", "data not a list", "item not an object"])
def test_what_is_not_a_model_table_is_named_at_its_line(tmp_path, change, message, at):
    path = broken(tmp_path, change)
    r = run_ddbd(["--in-memory", "--seed", path])
    assert r.returncode == 1
    assert errors_of(r) == [f"seed: {path}:{line_of(path, at)}: {message}", "seed: nothing was loaded"]


def test_a_model_table_given_twice_is_refused(tmp_path):
    model = model_of("CartModel.json")
    model["DataModel"].append(model["DataModel"][0])
    path = str(write(tmp_path / "twice.json", model))
    lines = open(path).read().splitlines()
    first, second = [i + 1 for i, line in enumerate(lines) if line == '      "TableName": "CartTable",']
    r = run_ddbd(["--in-memory", "--seed", path])
    assert r.returncode == 1
    assert errors_of(r) == [f"seed: {path}:{second - 1}: table CartTable is defined twice (first in {path}:{first - 1})",
                            "seed: nothing was loaded"]


def test_a_model_beside_item_files_and_on_restart(server_factory, tmp_path):
    """A model in a seed directory is one seed file among others (its table filled by a .jsonl
    too); on a restart with the same seed its tables are kept and its items put again."""
    d = tmp_path / "seed"
    d.mkdir()
    model = model_of("BankModel.json")
    write(d / "bank.json", model)
    (d / "TransactionHistory.jsonl").write_text(json.dumps(
        {"AccountID": {"S": "Account3"}, "Timestamp": {"S": "2019-09-26T000000"}}) + "\n")
    args = ["--data-dir", str(tmp_path / "data"), "--seed", str(d)]
    srv = server_factory(args)
    ddb = make_client(srv.endpoint)
    history = model["DataModel"][1]
    want = sorted(model_items(history) + [json.dumps({"AccountID": {"S": "Account3"},
                                                      "Timestamp": {"S": "2019-09-26T000000"}}, sort_keys=True)])
    check_table(ddb, history, items=want)
    ddb.delete_item(TableName="TransactionHistory", Key={"AccountID": {"S": "Account1"},
                                                         "Timestamp": {"S": "2019-09-24T010101"}})
    srv.stop()
    srv = server_factory(args)
    ddb = make_client(srv.endpoint)
    check_table(ddb, model["DataModel"][0])
    check_table(ddb, history, items=want)


def test_admin_door_lists_each_model_tables_facets_and_saved_queries(server_factory):
    """GET /ddbd/models: what each seeded model shows of its tables besides the items (its facets,
    without their items, and the workshops' visualizer's saved queries), named with table and file."""
    facets_file = os.path.join(MODELS, "AnOnlineShop_facets.json")
    flights_file = os.path.join(MODELS, "FlightsFares.json")
    srv = server_factory(["--in-memory", "--admin", "--seed", flights_file, "--seed", facets_file,
                          "--seed", os.path.join(MODELS, "BankModel.json")])
    status, got = admin_call(srv.endpoint, "GET", "/ddbd/models")
    assert status == 200
    shop, flights = model_of("AnOnlineShop_facets.json"), model_of("FlightsFares.json")
    bank = model_of("BankModel.json")
    assert got == {"tables": [
        {"table": "data", "file": flights_file, "model": "Reservations", "facets": [],
         "savedQueries": flights["DataModel"][0]["SavedQuery"]},
        {"table": "OnlineShop", "file": facets_file, "model": "AnOnlineShop",
         "facets": [{k: v for k, v in f.items() if k != "TableData"} for f in shop["DataModel"][0]["TableFacets"]]},
    ] + [{"table": t["TableName"], "file": os.path.join(MODELS, "BankModel.json"), "model": "Bank",
          "facets": t.get("TableFacets", [])} for t in bank["DataModel"]]}
    assert [f["FacetName"] for f in got["tables"][1]["facets"]][:3] == ["customer", "product", "warehouse"]
    assert admin_call(srv.endpoint, "POST", "/ddbd/models", {})[0] == 405


def test_admin_door_lists_no_model_without_one(server_factory):
    srv = server_factory(["--in-memory", "--admin"])
    assert admin_call(srv.endpoint, "GET", "/ddbd/models") == (200, {"tables": []})
