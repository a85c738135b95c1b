"""A global table's replicas under --table-states MS (issue 72): a replica that UpdateTable's
ReplicaUpdates Create adds is CREATING (and the table UPDATING) for MS of the server's clock, as a
new table is, then ACTIVE; meanwhile UpdateTable refuses another change of the table, as the API
reference's UpdateTable says ("While it's UPDATING, you can't issue another UpdateTable request on
the base table nor any replicas"), nor DeleteTable (its DeleteTable: "If a table is in CREATING or
UPDATING states, then DynamoDB returns a ResourceInUseException"), and the writes made go on
reaching the replica: once ACTIVE it
holds every item written before and during its creation. The server's clock is frozen and stepped
(POST /ddbd/clock {"advance": ms}): a state holds a millisecond before its due time and ends at it.
Without the option a replica is ACTIVE once filled (test_global_tables.py).
"""
from helpers import admin_call, error_of, scan_all
from test_global_tables import EAST, EU, WEST, client, gateways, replica_list

MS = 5000
START_MS = 1893456000000  # 2030-01-01
IN_USE = ("ResourceInUseException", "The resource which you are attempting to change is in use.")
BEING_USED = ("ResourceInUseException", "Attempt to change a resource which is still in use: Table: orders is being used.")


def states_group(server_factory):
    """A server of frozen clock with --table-states MS and a table of us-east-1, ACTIVE: (step(ms),
    the regions' clients, the table). The clock stands at one instant ahead of the real time, the
    same for every gateway on RADOS (one before it would be a step back, and what came due before
    a step back stays due: docs/admin.md)."""
    server = gateways(server_factory, "--namespaces", "--admin", "--clock", "frozen@%d" % START_MS,
                      "--table-states", str(MS))

    def step(ms):
        for gw in getattr(server, "gateways", [server]):
            assert admin_call(gw.endpoint, "POST", "/ddbd/clock", {"advance": ms})[0] == 200

    cs = {r: client(server, r) for r in (EAST, WEST, EU)}
    name = "orders"
    cs[EAST].create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    step(MS)
    assert cs[EAST].describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    return step, cs, name


def put(c, name, keys):
    for k in keys:
        c.put_item(TableName=name, Item={"pk": {"S": k}, "v": {"S": "x"}})


def statuses(c, name):
    """(TableStatus, [(region, ReplicaStatus)...]) of the table as c's region describes it."""
    d = c.describe_table(TableName=name)["Table"]
    return d["TableStatus"], [(r["RegionName"], r["ReplicaStatus"]) for r in replica_list(d)]


def test_a_new_replica_is_creating_for_its_time_and_misses_no_write(server_factory):
    step, cs, name = states_group(server_factory)
    before = ["b%02d" % i for i in range(20)]
    put(cs[EAST], name, before)
    made = cs[EAST].update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    assert made["TableDescription"]["TableStatus"] == "UPDATING"
    assert replica_list(made["TableDescription"]) == [{"RegionName": WEST, "ReplicaStatus": "CREATING"}]
    during = ["d%02d" % i for i in range(20)]
    put(cs[EAST], name, during[:10])
    step(1)  # the replication worker's pass: filled, and still CREATING by the clock
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "CREATING")])
    scaling = cs[EAST].describe_table_replica_auto_scaling(TableName=name)["TableAutoScalingDescription"]
    assert (scaling["TableStatus"], [(r["RegionName"], r["ReplicaStatus"]) for r in scaling["Replicas"]]) == (
        "UPDATING", [(EAST, "ACTIVE"), (WEST, "CREATING")])
    # the replica's own table is CREATING in its region, serving nothing yet (as while it is filled)
    assert statuses(cs[WEST], name) == ("CREATING", [(EAST, "ACTIVE")])
    assert error_of(cs[WEST].get_item, TableName=name, Key={"pk": {"S": "b00"}}) == (
        "ResourceNotFoundException", "Requested resource not found: Table: %s not found" % name)
    # no other change of the table meanwhile, nor of its replicas
    assert error_of(cs[EAST].update_table, TableName=name, ReplicaUpdates=[{"Create": {"RegionName": EU}}]) == IN_USE
    assert error_of(cs[EAST].update_table, TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}]) == IN_USE
    assert error_of(cs[EAST].update_table, TableName=name,
                    AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
                    GlobalSecondaryIndexUpdates=[{"Create": {
                        "IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"}}}]) == IN_USE
    assert error_of(cs[EAST].update_table, TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS") == IN_USE
    assert error_of(cs[EAST].delete_table, TableName=name) == BEING_USED
    put(cs[EAST], name, during[10:])
    step(MS - 2)  # a millisecond short of its time
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "CREATING")])
    assert statuses(cs[WEST], name)[0] == "CREATING"
    step(1)  # at it: ACTIVE in both regions, with every item written before and during
    assert statuses(cs[EAST], name) == ("ACTIVE", [(WEST, "ACTIVE")])
    assert statuses(cs[WEST], name) == ("ACTIVE", [(EAST, "ACTIVE")])
    assert [i["pk"]["S"] for i in scan_all(cs[WEST], name, order="pk")] == sorted(before + during)
    # and the table takes changes again
    changed = cs[EAST].update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")["TableDescription"]
    assert changed["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"


def test_a_third_replica_is_creating_in_every_list(server_factory):
    """A replica added from the second region is CREATING in the first one's list too, for MS."""
    step, cs, name = states_group(server_factory)
    put(cs[EAST], name, ["k1", "k2"])
    cs[EAST].update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    step(MS)
    assert statuses(cs[WEST], name) == ("ACTIVE", [(EAST, "ACTIVE")])
    made = cs[WEST].update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": EU}}])
    assert made["TableDescription"]["TableStatus"] == "UPDATING"
    step(MS - 1)
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "ACTIVE"), (EU, "CREATING")])
    assert statuses(cs[WEST], name) == ("UPDATING", [(EAST, "ACTIVE"), (EU, "CREATING")])
    assert statuses(cs[EU], name)[0] == "CREATING"
    assert error_of(cs[EAST].update_table, TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS") == IN_USE
    step(1)
    assert statuses(cs[EAST], name) == ("ACTIVE", [(WEST, "ACTIVE"), (EU, "ACTIVE")])
    assert statuses(cs[EU], name) == ("ACTIVE", [(EAST, "ACTIVE"), (WEST, "ACTIVE")])
    assert [i["pk"]["S"] for i in scan_all(cs[EU], name, order="pk")] == ["k1", "k2"]


def test_a_deleted_replica_is_deleting_for_its_time(server_factory):
    """ReplicaUpdates Delete: the replica DELETING (the table UPDATING) for MS, its own region
    describing it DELETING as a deleted table is; then gone, and the table a table of its region."""
    step, cs, name = states_group(server_factory)
    put(cs[EAST], name, ["k1"])
    cs[EAST].update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    step(MS)
    out = cs[EAST].update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": WEST}}])["TableDescription"]
    assert out["TableStatus"] == "UPDATING"
    assert replica_list(out) == [{"RegionName": WEST, "ReplicaStatus": "DELETING"}]
    step(1)
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "DELETING")])
    assert cs[WEST].describe_table(TableName=name)["Table"]["TableStatus"] == "DELETING"
    assert name in cs[WEST].list_tables()["TableNames"]
    assert error_of(cs[WEST].get_item, TableName=name, Key={"pk": {"S": "k1"}}) == (
        "ResourceNotFoundException", "Requested resource not found")
    assert error_of(cs[WEST].create_table, TableName=name, BillingMode="PAY_PER_REQUEST",
                    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}]) == (
        "ResourceInUseException", "Attempt to change a resource which is still in use: Table is being deleted: %s" % name)
    assert error_of(cs[EAST].update_table, TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}]) == IN_USE
    assert error_of(cs[EAST].update_table, TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS") == IN_USE
    assert error_of(cs[EAST].delete_table, TableName=name) == BEING_USED
    put(cs[EAST], name, ["k2"])  # the table serves on
    step(MS - 2)
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "DELETING")])
    step(1)  # gone: a table of its region again
    east = cs[EAST].describe_table(TableName=name)["Table"]
    assert east["TableStatus"] == "ACTIVE" and "Replicas" not in east and "GlobalTableVersion" not in east
    assert error_of(cs[WEST].describe_table, TableName=name) == (
        "ResourceNotFoundException", "Requested resource not found: Table: %s not found" % name)
    assert name not in cs[WEST].list_tables()["TableNames"]
    made = cs[EAST].update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])["TableDescription"]
    assert replica_list(made) == [{"RegionName": WEST, "ReplicaStatus": "CREATING"}]
    step(MS)
    assert [i["pk"]["S"] for i in scan_all(cs[WEST], name, order="pk")] == ["k1", "k2"]


def test_a_replica_deleted_in_its_region_is_deleting_in_the_others_lists(server_factory):
    """DeleteTable in a replica's region: DELETING there (as any table deleted under the option) and
    in the other replicas' lists for MS, then out of the group."""
    step, cs, name = states_group(server_factory)
    cs[EAST].update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": WEST}}])
    step(MS)
    assert cs[WEST].delete_table(TableName=name)["TableDescription"]["TableStatus"] == "DELETING"
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "DELETING")])
    assert cs[WEST].describe_table(TableName=name)["Table"]["TableStatus"] == "DELETING"
    step(MS - 1)
    assert statuses(cs[EAST], name) == ("UPDATING", [(WEST, "DELETING")])
    step(1)
    east = cs[EAST].describe_table(TableName=name)["Table"]
    assert east["TableStatus"] == "ACTIVE" and "Replicas" not in east
    assert error_of(cs[WEST].describe_table, TableName=name)[0] == "ResourceNotFoundException"
