"""Production's table states on demand (--table-states MS, --count-refresh SECONDS), on the server's
clock (docs/testing.md, "Table states"): CreateTable's table is CREATING, a deleted one DELETING and
a GSI UpdateTable adds CREATING with Backfilling, each for MS of the server's clock; DescribeTable's
ItemCount and TableSizeBytes are those of their last refresh, refreshed every SECONDS as DynamoDB's
about every six hours. The servers' clocks are frozen (--clock frozen) and stepped through the
admin door (POST /ddbd/clock {"advance": ms}); nothing sleeps waiting for time to pass: each state
holds a millisecond before its due time and ends exactly at it, never by itself. Without the
options tables are ACTIVE and gone at once and the figures current (the last test; the rest of the
suite runs that way too).
"""
import os
import signal

import botocore.exceptions
import pytest

from conftest import DdbdServer, create_table_params, make_client, unique_name
from helpers import admin_call, advance, clock, error_of
from index_helpers import wait_index_active, wait_index_gone

DELAY_MS = 3600 * 1000  # an hour, of a frozen clock: only an advance ends a state
SIX_HOURS_S = 6 * 3600
EARLY_MS = 1  # how far short of a due time a state is checked still to hold: the clock is frozen
FROZEN = ["--in-memory", "--admin", "--clock", "frozen"]
BUILD_DELAY = "index-backfill-batch:1000"  # each batch of a GSI's build waits there (faults.h): 2 s for 3 items


def waiter_passes(c, name, which):
    """One poll of boto3's waiter (`table_exists` or `table_not_exists`): whether it is satisfied."""
    try:
        c.get_waiter(which).wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 1})
        return True
    except botocore.exceptions.WaiterError:
        return False


@pytest.fixture(scope="module")
def states(request):
    """One server for the module's state tests, started once."""
    server = DdbdServer(FROZEN + ["--table-states", str(DELAY_MS)]).start()
    request.addfinalizer(server.stop)
    return server


@pytest.fixture(scope="module")
def c(states):
    return make_client(states.endpoint)


def gsi_params(name):
    return create_table_params(name, AttributeDefinitions=[
        {"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])


def test_create_table_is_creating_until_the_clock_reaches_it(states, c):
    name = unique_name("creating")
    made = c.create_table(**gsi_params(name))["TableDescription"]
    assert made["TableStatus"] == "CREATING"
    desc = c.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "CREATING"
    # an index made with its table is CREATING with it, with nothing to backfill
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "CREATING"
    assert "Backfilling" not in desc["GlobalSecondaryIndexes"][0]
    assert name in c.list_tables()["TableNames"]
    # DynamoDB serves no item on a CREATING table, and refuses to change or delete it
    key = {"pk": {"S": "a"}}
    assert error_of(c.put_item, TableName=name, Item=dict(key, g={"S": "x"})) == \
        ("ResourceNotFoundException", "Requested resource not found")
    assert error_of(c.get_item, TableName=name, Key=key) == ("ResourceNotFoundException", "Requested resource not found")
    assert error_of(c.query, TableName=name, KeyConditionExpression="pk = :p",
                    ExpressionAttributeValues={":p": {"S": "a"}})[0] == "ResourceNotFoundException"
    assert error_of(c.delete_table, TableName=name) == (
        "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: %s" % name)
    assert error_of(c.update_table, TableName=name, BillingMode="PROVISIONED",
                    ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}) == (
        "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being created: %s" % name)
    assert not waiter_passes(c, name, "table_exists")  # boto3's waiter polls DescribeTable: CREATING, not yet

    advance(states.endpoint, DELAY_MS - EARLY_MS)  # a millisecond short of it: still CREATING
    assert c.describe_table(TableName=name)["Table"]["TableStatus"] == "CREATING"
    advance(states.endpoint, EARLY_MS)
    assert waiter_passes(c, name, "table_exists")
    desc = c.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE"
    assert desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    c.put_item(TableName=name, Item=dict(key, g={"S": "x"}))
    assert c.get_item(TableName=name, Key=key, ConsistentRead=True)["Item"]["g"] == {"S": "x"}


def make_active(states, c, params):
    c.create_table(**params)
    advance(states.endpoint, DELAY_MS)
    assert c.describe_table(TableName=params["TableName"])["Table"]["TableStatus"] == "ACTIVE"


def test_a_clock_frozen_in_the_past_keeps_the_states(server_factory):
    """--clock frozen@MS of a time before the wall clock's: the states run on that clock. Freezing
    then setting it was a step back from the wall clock's time, which the states' due times read as
    the latest time shown: every table was ACTIVE at once, the option silently off."""
    past = 1700000000000   # 2023-11-14, before any machine's wall clock this test runs on
    srv = server_factory(["--in-memory", "--admin", "--clock", "frozen@%d" % past, "--table-states", "5000"])
    cl = make_client(srv.endpoint)
    name = unique_name("pastclock")
    assert cl.create_table(**create_table_params(name))["TableDescription"]["TableStatus"] == "CREATING"
    advance(srv, 4999)
    assert cl.describe_table(TableName=name)["Table"]["TableStatus"] == "CREATING"
    assert admin_call(srv.endpoint, "GET", "/ddbd/clock")[1]["now"] == past + 4999
    advance(srv, 1)
    assert cl.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"


def test_what_came_due_before_a_step_back_stays_due_across_a_restart(server_factory, tmp_path):
    """A table and its GSI ACTIVE once their --table-states time passed stay ACTIVE after the clock
    is moved back (the clock's high mark), and after a kill -9 and a start with the clock before
    that time: the data directory keeps the mark (docs/admin.md, "The clock"). It was kept in memory
    only, so the restarted server had the table CREATING again and refused its items, until the
    clock passed its time once more (found by the model-based test's restarts)."""
    past = 1700000000000
    args = ["--data-dir", str(tmp_path / "d"), "--sync", "--admin", "--clock", "frozen@%d" % past,
            "--table-states", "5000"]
    srv = server_factory(args)
    cl = make_client(srv.endpoint)
    name = unique_name("markkept")
    cl.create_table(**gsi_params(name))
    advance(srv, 5000)
    cl.put_item(TableName=name, Item={"pk": {"S": "a"}, "g": {"S": "x"}})
    assert clock(srv, set=past + 2000)["now"] == past + 2000   # back, before the table's time
    assert cl.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"

    assert srv.stop(signal.SIGKILL) == -signal.SIGKILL
    srv.start()   # its clock frozen at `past` again, 5 s before the table's time
    assert cl.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}, "g": {"S": "x"}}
    assert clock(srv, set=past + 2000)["now"] == past + 2000
    desc = cl.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "ACTIVE" and desc["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert cl.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "x"}})["Count"] == 1


def test_delete_table_is_deleting_until_the_clock_reaches_it(states, c):
    name = unique_name("deleting")
    make_active(states, c, create_table_params(name))
    c.put_item(TableName=name, Item={"pk": {"S": "a"}})
    gone = c.delete_table(TableName=name)["TableDescription"]
    assert gone["TableStatus"] == "DELETING"
    desc = c.describe_table(TableName=name)["Table"]
    assert desc["TableStatus"] == "DELETING"
    assert desc["TableName"] == name and desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert error_of(c.get_item, TableName=name, Key={"pk": {"S": "a"}})[0] == "ResourceNotFoundException"
    in_use = ("ResourceInUseException", "Attempt to change a resource which is still in use: Table is being deleted: %s" % name)
    assert error_of(c.create_table, **create_table_params(name)) == in_use
    assert error_of(c.delete_table, TableName=name) == in_use
    assert not waiter_passes(c, name, "table_not_exists")
    # ListTables lists it while DELETING, as DynamoDB does, in order and across pages
    assert name in c.list_tables()["TableNames"]
    pages, start = [], {}
    while True:
        page = c.list_tables(Limit=1, **start)
        pages += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        start = {"ExclusiveStartTableName": page["LastEvaluatedTableName"]}
    assert pages == sorted(pages) and name in pages and pages == c.list_tables()["TableNames"]

    advance(states.endpoint, DELAY_MS - EARLY_MS)
    assert c.describe_table(TableName=name)["Table"]["TableStatus"] == "DELETING"
    advance(states.endpoint, EARLY_MS)
    assert waiter_passes(c, name, "table_not_exists")
    assert name not in c.list_tables()["TableNames"]
    assert error_of(c.describe_table, TableName=name) == (
        "ResourceNotFoundException", "Requested resource not found: Table: %s not found" % name)
    # the name is free again: a new table, empty and CREATING
    assert c.create_table(**create_table_params(name))["TableDescription"]["TableStatus"] == "CREATING"
    advance(states.endpoint, DELAY_MS)
    assert c.scan(TableName=name, ConsistentRead=True)["Items"] == []


def test_gsi_is_backfilling_until_the_clock_reaches_it(states, c):
    name = unique_name("backfill")
    make_active(states, c, create_table_params(name))
    for i in range(3):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "g": {"S": "same"}})
    create = {"Create": {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                         "Projection": {"ProjectionType": "ALL"}}}
    out = c.update_table(TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[create])["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    ix = out["GlobalSecondaryIndexes"][0]
    assert (ix["IndexStatus"], ix["Backfilling"]) == ("CREATING", True)
    query = dict(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "same"}})
    advance(states.endpoint, DELAY_MS - EARLY_MS)  # whatever the build did meanwhile, still CREATING by the clock
    desc = c.describe_table(TableName=name)["Table"]
    ix = desc["GlobalSecondaryIndexes"][0]
    assert (desc["TableStatus"], ix["IndexStatus"], ix["Backfilling"], ix["ItemCount"]) == ("UPDATING", "CREATING", True, 0)
    assert error_of(c.query, **query) == ("ValidationException", "Cannot read from backfilling global secondary index: byg")
    # one online index change at a time, as while DynamoDB builds one
    second = {"Create": dict(create["Create"], IndexName="byg2")}
    assert error_of(c.update_table, TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                    GlobalSecondaryIndexUpdates=[second])[0] == "LimitExceededException"
    # the table's own items are served meanwhile
    assert c.get_item(TableName=name, Key={"pk": {"S": "k0"}})["Item"]["g"] == {"S": "same"}

    advance(states.endpoint, EARLY_MS)
    seen = wait_index_active(c, name, "byg")  # the build's end: the clock has nothing more to say
    assert seen[-1] == ("ACTIVE", "ACTIVE", None)
    assert len(c.query(**query)["Items"]) == 3


BYG = {"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}
G_DEFINED = [{"AttributeName": "g", "AttributeType": "S"}]
NO_BYG = ("ValidationException", "The table does not have the specified index: byg")


def held_build(request, args, prefix):
    """A server whose GSI builds wait at BUILD_DELAY, a client, and a table of 3 items, g "same"."""
    server = DdbdServer(args, env={"DDBD_DELAY_POINT": BUILD_DELAY}).start()
    request.addfinalizer(server.stop)
    c = make_client(server.endpoint)
    name = unique_name(prefix)
    c.create_table(**create_table_params(name))
    for i in range(3):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "g": {"S": "same"}})
    return server, c, name


def delete_while_backfilling(c, name):
    """Deletes byg, CREATING with Backfilling: DynamoDB's API reference says such an index can be
    deleted (GlobalSecondaryIndexDescription, Backfilling); it was refused (LimitExceededException)."""
    ix = c.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert (ix["IndexStatus"], ix["Backfilling"]) == ("CREATING", True)
    out = c.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byg"}}])
    assert out["TableDescription"]["GlobalSecondaryIndexes"][0]["IndexStatus"] == "DELETING"
    assert set(wait_index_gone(c, name, "byg")) <= {"DELETING"}
    query = dict(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                 ExpressionAttributeValues={":g": {"S": "same"}})
    assert error_of(c.query, **query) == NO_BYG
    assert "GlobalSecondaryIndexes" not in c.describe_table(TableName=name)["Table"]
    return query


def test_a_backfilling_gsi_can_be_deleted(states, c):
    name = unique_name("cancel")
    make_active(states, c, create_table_params(name))
    for i in range(3):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "g": {"S": "same"}})
    c.update_table(TableName=name, AttributeDefinitions=G_DEFINED, GlobalSecondaryIndexUpdates=[{"Create": BYG}])
    query = delete_while_backfilling(c, name)  # CREATING by the clock, whatever the build did
    # another index of the same name is a new build, from the start
    c.update_table(TableName=name, AttributeDefinitions=G_DEFINED, GlobalSecondaryIndexUpdates=[{"Create": BYG}])
    advance(states.endpoint, DELAY_MS)
    wait_index_active(c, name, "byg")
    assert len(c.query(**query)["Items"]) == 3


def test_a_gsi_deleted_mid_build_stops_its_build(request):
    """The build itself under way (held at a delay point), not only the clock's CREATING: the Delete
    stops it, the entries it wrote go, and a new index of the name is built whole."""
    _, c, name = held_build(request, ["--in-memory"], "midbuild")
    c.update_table(TableName=name, AttributeDefinitions=G_DEFINED, GlobalSecondaryIndexUpdates=[{"Create": BYG}])
    query = delete_while_backfilling(c, name)
    c.update_table(TableName=name, AttributeDefinitions=G_DEFINED, GlobalSecondaryIndexUpdates=[{"Create": BYG}])
    wait_index_active(c, name, "byg")
    assert len(c.query(**query)["Items"]) == 3


@pytest.fixture(scope="module")
def counts(request):
    server = DdbdServer(FROZEN + ["--count-refresh", str(SIX_HOURS_S)]).start()
    request.addfinalizer(server.stop)
    return server


def figures(c, name):
    desc = c.describe_table(TableName=name)["Table"]
    gsi = desc.get("GlobalSecondaryIndexes", [{}])[0]
    return desc["ItemCount"], desc["TableSizeBytes"] > 0, gsi.get("ItemCount")


def test_counts_refreshed_every_six_hours_of_the_clock(counts):
    c = make_client(counts.endpoint)
    name = unique_name("counts")
    c.create_table(**gsi_params(name))
    assert figures(c, name) == (0, False, 0)
    for i in range(3):
        c.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "g": {"S": "x"}})
    assert figures(c, name) == (0, False, 0)  # as DynamoDB: not yet refreshed
    advance(counts.endpoint, SIX_HOURS_S * 1000 - EARLY_MS)
    assert figures(c, name) == (0, False, 0)
    advance(counts.endpoint, EARLY_MS)  # six hours after the table was made
    assert figures(c, name) == (3, True, 3)
    c.delete_item(TableName=name, Key={"pk": {"S": "k0"}})
    assert figures(c, name) == (3, True, 3)  # kept until the next refresh, six hours on
    advance(counts.endpoint, SIX_HOURS_S * 1000)
    assert figures(c, name) == (2, True, 2)


def test_an_index_built_across_a_refresh_shows_its_figures_once_built(request):
    """A GSI UpdateTable adds is built in real time while the refresh follows the server's clock: a
    refresh taken while it is being built (held at a delay point here, as a large table's would be)
    owes it its figures, taken when it is first read built, so it shows the same whether its build
    ended before or after the refresh (it showed 0 for six hours when after)."""
    server, c, name = held_build(request, FROZEN + ["--count-refresh", str(SIX_HOURS_S)], "owed")
    advance(server.endpoint, SIX_HOURS_S * 1000)  # a refresh is due: taken by the next read, the build under way
    c.update_table(TableName=name, AttributeDefinitions=G_DEFINED, GlobalSecondaryIndexUpdates=[{"Create": BYG}])
    ix = c.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"][0]
    assert (ix["IndexStatus"], ix["Backfilling"], ix["ItemCount"]) == ("CREATING", True, 0)
    wait_index_active(c, name, "byg")
    assert figures(c, name) == (3, True, 3)
    c.put_item(TableName=name, Item={"pk": {"S": "late"}, "g": {"S": "same"}})
    assert figures(c, name) == (3, True, 3)  # kept until the next refresh
    advance(server.endpoint, SIX_HOURS_S * 1000)
    assert figures(c, name) == (4, True, 4)


def door(endpoint, body=None):
    return admin_call(endpoint, "POST" if body is not None else "GET", "/ddbd/table-states", body)


def test_the_admin_door_turns_them_on_and_off_at_run_time(server_factory):
    server = server_factory(FROZEN)
    c = make_client(server.endpoint)
    assert door(server.endpoint) == (200, {"tableStatesMs": 0, "countRefreshSeconds": 0})
    before = unique_name("before")
    assert c.create_table(**create_table_params(before))["TableDescription"]["TableStatus"] == "ACTIVE"
    assert door(server.endpoint, {"tableStatesMs": DELAY_MS, "countRefreshSeconds": SIX_HOURS_S}) == (
        200, {"tableStatesMs": DELAY_MS, "countRefreshSeconds": SIX_HOURS_S})
    on = unique_name("on")
    assert c.create_table(**create_table_params(on))["TableDescription"]["TableStatus"] == "CREATING"
    assert c.delete_table(TableName=before)["TableDescription"]["TableStatus"] == "DELETING"
    assert c.describe_table(TableName=before)["Table"]["TableStatus"] == "DELETING"
    # off again: new tables are ACTIVE at once; those made meanwhile keep their due times
    assert door(server.endpoint, {"tableStatesMs": 0})[1] == {"tableStatesMs": 0, "countRefreshSeconds": SIX_HOURS_S}
    off = unique_name("off")
    assert c.create_table(**create_table_params(off))["TableDescription"]["TableStatus"] == "ACTIVE"
    assert c.describe_table(TableName=on)["Table"]["TableStatus"] == "CREATING"
    assert c.describe_table(TableName=before)["Table"]["TableStatus"] == "DELETING"
    c.put_item(TableName=off, Item={"pk": {"S": "a"}})
    assert c.describe_table(TableName=off)["Table"]["ItemCount"] == 0  # the counts' refresh is still on
    advance(server.endpoint, DELAY_MS)
    assert c.describe_table(TableName=on)["Table"]["TableStatus"] == "ACTIVE"
    assert error_of(c.describe_table, TableName=before)[0] == "ResourceNotFoundException"
    # refused as a whole: a misspelt member, a value out of the options' bounds
    for bad in ({"tableStates": 5}, {"tableStatesMs": 86400001}, {"countRefreshSeconds": -1}, {"tableStatesMs": "5"}):
        status, answer = door(server.endpoint, bad)
        assert status == 400 and "tableStatesMs" in answer["message"], (bad, status, answer)
    assert door(server.endpoint)[1] == {"tableStatesMs": 0, "countRefreshSeconds": SIX_HOURS_S}


def test_seeded_tables_are_active_at_once(server_factory):
    """--seed makes the tables a test starts from: they exist before the server listens, as
    tables made long ago would, so the states do not hold them (nor their items)."""
    seed = os.path.join(os.path.dirname(__file__), "..", "..", "examples", "seed")
    server = server_factory(["--in-memory", "--table-states", str(DELAY_MS), "--seed", seed])
    c = make_client(server.endpoint)
    assert c.describe_table(TableName="Products")["Table"]["TableStatus"] == "ACTIVE"
    assert c.scan(TableName="Products")["Items"]


def test_without_the_options_states_and_counts_are_immediate(ddb):
    name = unique_name("plain")
    assert ddb.create_table(**create_table_params(name))["TableDescription"]["TableStatus"] == "ACTIVE"
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    desc = ddb.describe_table(TableName=name)["Table"]
    assert (desc["TableStatus"], desc["ItemCount"]) == ("ACTIVE", 1)
    assert ddb.delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    assert error_of(ddb.describe_table, TableName=name)[0] == "ResourceNotFoundException"
    ddb.create_table(**create_table_params(name))  # the name is free at once
    ddb.delete_table(TableName=name)
