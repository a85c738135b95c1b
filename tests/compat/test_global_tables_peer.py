"""Global tables across two ddbd servers (issue 26, item 3): `--region-peer REGION=URL` says which
server holds a region's tables, and a replica there is made, filled and kept in step over the
DynamoDB API itself (engine/jobs/peer.h: the same endpoint, X-Amz-Target and SigV4, with an
x-ddbd-peer header only --peer-key's key may send).

What must hold, each checked below through boto3 against two servers on loopback, A (us-east-1)
and B (eu-west-1), each the other's peer:
- ReplicaUpdates Create of the peer's region makes the replica there (CREATING, then ACTIVE once
  filled with every item), DescribeTable on both servers shows the group, writes in both converge;
- Delete of the peer's replica deletes its table there; DeleteTable there takes it out of A's group;
- a table of that name already on the peer leaves the replica CREATION_FAILED, and the peer's table
  untouched; STRONG consistency with a peer region, and a third region in a group across servers,
  are refused;
- either server killed with SIGKILL mid-stream and restarted loses nothing and applies nothing twice:
  the two converge item by item, and each replicated write makes exactly one stream record;
- with --auth, only --peer-key's key may send a peer's request (AccessDeniedException otherwise), a peer
  region not configured is refused and malformed peer bodies get ValidationException, and
  the options are checked at start.

On RADOS (tests/rados/run.sh, $DDBD_STORE_ARGS) each server is $DDBD_GATEWAYS gateways on a pool
namespace of its own, the clients alternating between them; a peer's URL is its first gateway, and
whichever gateway holds the lease "replication" pushes. The kill test kills every gateway of one
server and starts them again.
"""
import signal
import subprocess
import threading
import time

import pytest
from botocore.exceptions import ClientError

from conftest import DDBD_BIN, GATEWAYS, alternate, assert_client_error, free_port, store_args, unique_name
from helpers import eventually, key_client, make_table, scan_all
from test_global_tables import ON_RADOS, VECTOR_INDEX, _vector_names, _vector_status, raw, replica_list

A_REGION, B_REGION = "us-east-1", "eu-west-1"


def client(server, region, service="dynamodb", key=("AKIDPEERTEST", "secret")):
    """A client of `region`; a DynamoDB one alternates between the server's gateways (RADOS)."""
    c = key_client(server.endpoint, *key, region=region, service=service, parameter_validation=False, read_timeout=30)
    return alternate(c, server.peers) if service == "dynamodb" and len(server.peers) > 1 else c


def pair(server_factory, tmp_path=None, extra=()):
    """Servers A (us-east-1) and B (eu-west-1), each the other's --region-peer: in memory, on disk
    with tmp_path, or on RADOS each on a pool namespace of its own. Returns (A, B, start) where
    start(which) starts that one again on its ports and data; each server's .gateways are its
    processes and .peers their endpoints."""
    n = GATEWAYS if ON_RADOS else 1
    ports = {w: [free_port() for _ in range(max(n, 1))] for w in "ab"}
    spaces = {w: unique_name("gtp" + w) for w in "ab"}

    def args(which):
        other, region = ("b", B_REGION) if which == "a" else ("a", A_REGION)
        if ON_RADOS:
            store = store_args(spaces[which])
        else:
            store = ("--data-dir", str(tmp_path / which)) if tmp_path is not None else ("--in-memory",)
        return store + ("--namespaces", "--region-peer", "%s=http://127.0.0.1:%d" % (region, ports[other][0])) + \
            tuple(extra)

    def start(which):
        servers = [server_factory(args=args(which), port=p) for p in ports[which]]
        servers[0].peers = [s.endpoint for s in servers]
        servers[0].gateways = servers
        return servers[0]

    return start("a"), start("b"), start


def replicas(c, name):
    return {r["RegionName"]: r["ReplicaStatus"] for r in c.describe_table(TableName=name)["Table"].get("Replicas", [])}


def add_peer_replica(ca, cb, name):
    r = ca.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": B_REGION}}])
    assert replica_list(r["TableDescription"]) == [{"RegionName": B_REGION, "ReplicaStatus": "CREATING"}]

    def active():
        assert replicas(ca, name) == {B_REGION: "ACTIVE"}
        assert ca.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
        t = cb.describe_table(TableName=name)["Table"]
        assert t["TableStatus"] == "ACTIVE" and t["GlobalTableVersion"] == "2019.11.21"
        assert replica_list(t) == [{"RegionName": A_REGION, "ReplicaStatus": "ACTIVE"}]
    eventually(active)


def stream_records(c, cs, name):
    """Every record of the table's stream, from every shard, oldest first per shard."""
    arn = c.describe_table(TableName=name)["Table"]["LatestStreamArn"]
    out, start = [], None
    while True:
        kw = {"StreamArn": arn}
        if start:
            kw["ExclusiveStartShardId"] = start
        d = cs.describe_stream(**kw)["StreamDescription"]
        for shard in d["Shards"]:
            it = cs.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                       ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            while it:
                r = cs.get_records(ShardIterator=it, Limit=1000)
                out += r["Records"]
                if not r["Records"]:
                    break
                it = r.get("NextShardIterator")
        start = d.get("LastEvaluatedShardId")
        if not start:
            return out


def test_a_replica_on_the_peer_is_made_filled_and_kept_in_step(server_factory):
    a, b, _ = pair(server_factory)
    ca, cb = client(a, A_REGION), client(b, B_REGION)
    name = make_table(ca, gsi=True)
    for i in range(230):  # more than one push (100 changes a request)
        ca.put_item(TableName=name, Item={"pk": {"S": "k%03d" % i}, "g": {"S": "g%d" % (i % 7)}, "n": {"N": str(i)}})
    add_peer_replica(ca, cb, name)
    assert scan_all(cb, name, order="pk") == scan_all(ca, name, order="pk") and len(scan_all(cb, name, order="pk")) == 230
    # the peer's replica has the source's index and a NEW_AND_OLD_IMAGES stream
    t = cb.describe_table(TableName=name)["Table"]
    assert [g["IndexName"] for g in t["GlobalSecondaryIndexes"]] == ["byg"]
    assert t["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert cb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                    ExpressionAttributeValues={":g": {"S": "g3"}})["Count"] == 33
    # writes in both regions, updates and deletes, reach the other server
    ca.put_item(TableName=name, Item={"pk": {"S": "fromA"}})
    cb.put_item(TableName=name, Item={"pk": {"S": "fromB"}})
    cb.update_item(TableName=name, Key={"pk": {"S": "k001"}}, UpdateExpression="SET n = :n",
                   ExpressionAttributeValues={":n": {"N": "-1"}})
    ca.delete_item(TableName=name, Key={"pk": {"S": "k002"}})
    eventually(lambda: _assert(scan_all(ca, name, order="pk") == scan_all(cb, name, order="pk") and len(scan_all(ca, name, order="pk")) == 231))
    assert cb.get_item(TableName=name, Key={"pk": {"S": "fromA"}}, ConsistentRead=True)["Item"] == {"pk": {"S": "fromA"}}
    assert ca.get_item(TableName=name, Key={"pk": {"S": "k001"}}, ConsistentRead=True)["Item"]["n"] == {"N": "-1"}
    # a group across servers is two replicas: a third region is refused, on either server
    for c in (ca, cb):
        with pytest.raises(ClientError) as ex:
            c.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": "us-west-2"}}])
        assert_client_error(ex, "ValidationException",
                            "One or more parameter values were invalid: a global table with a replica on a "
                            "--region-peer server has two replicas, one on each server (docs/compatibility.md)")
    # a STRONG group cannot have a peer's region
    other = make_table(ca)
    with pytest.raises(ClientError) as ex:
        _raw_update(a, other, {"ReplicaUpdates": [{"Create": {"RegionName": B_REGION}},
                                                  {"Create": {"RegionName": "us-east-2"}}],
                               "MultiRegionConsistency": "STRONG"})
    assert_client_error(ex, "ValidationException",
                        "One or more parameter values were invalid: MultiRegionConsistency STRONG needs every replica "
                        "on this server; eu-west-1 is a --region-peer region (docs/compatibility.md)")


def test_vector_indexes_follow_the_table_to_the_peers_replica(server_factory):
    """The developer guide's "Using vector indexes with global tables", across servers: the peer's
    new replica has the source's vector indexes, and one created later on either server is
    created on the other's replica too, each indexing its own items (issue 42)."""
    a, b, _ = pair(server_factory)
    ca, cb = client(a, A_REGION), client(b, B_REGION)
    name = unique_name("gtpv")
    status, out = raw(a, A_REGION, "CreateTable", {
        "TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
        "VectorIndexes": [VECTOR_INDEX]}, key=("AKIDPEERTEST", "secret"))
    assert status == 200, out
    for k in ("a", "b"):
        ca.put_item(TableName=name, Item={"pk": {"S": k}, "emb": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]},
                                          "emb2": {"L": [{"N": "3"}, {"N": "2"}, {"N": "1"}]}})
    add_peer_replica(ca, cb, name)

    def found(server, region, index, keys):
        status, out = raw(server, region, "SearchVectors", {
            "TableName": name, "IndexName": index, "TopK": 5, "SearchVector": [{"N": "0"}, {"N": "0"}, {"N": "0"}]},
            key=("AKIDPEERTEST", "secret"))
        assert status == 200, out
        assert sorted(r["Item"]["pk"]["S"] for r in out["SearchResults"]) == keys
    eventually(lambda: found(b, B_REGION, "vix", ["a", "b"]))
    status, out = raw(b, B_REGION, "UpdateTable", {"TableName": name, "VectorIndexUpdates": [{"Create": dict(
        VECTOR_INDEX, IndexName="vix2", VectorAttribute={"AttributeName": "emb2"})}]}, key=("AKIDPEERTEST", "secret"))
    assert status == 200, out
    eventually(lambda: found(a, A_REGION, "vix2", ["a", "b"]))


def test_a_peers_replica_still_building_an_index_refuses_the_next_change(server_factory, monkeypatch):
    """test_global_tables.py's test_a_replica_still_building_an_index_refuses_the_next_change across
    servers: the next vector index change waited for this server's replicas only, and the peer
    refused it later (only logged there), so the replicas differed for good. The source now asks
    the peer's replica (its DescribeTable, x-ddbd-peer) first and refuses as DynamoDB's one-index-
    change rule does. B's backfills are slowed (a delay point before each batch) so A's ends first."""
    def factory(args=("--in-memory",), **kw):  # the delay point for B (its peer is A's region) only
        with monkeypatch.context() as m:
            if any(str(x).startswith(A_REGION + "=") for x in args):
                m.setenv("DDBD_DELAY_POINT", "index-backfill-batch:1500")
            return server_factory(args=args, **kw)
    a, b, _ = pair(factory)
    key = ("AKIDPEERTEST", "secret")
    ca, cb = client(a, A_REGION), client(b, B_REGION)
    name = unique_name("gtpb")
    status, out = raw(a, A_REGION, "CreateTable", {
        "TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
        "VectorIndexes": [VECTOR_INDEX]}, key=key)
    assert status == 200, out
    ca.put_item(TableName=name, Item={"pk": {"S": "a"}, "emb2": {"L": [{"N": "1"}, {"N": "2"}, {"N": "3"}]}})
    add_peer_replica(ca, cb, name)
    eventually(lambda: _assert(_vector_status(b, B_REGION, name, "vix") == "ACTIVE"))
    status, out = raw(a, A_REGION, "UpdateTable", {"TableName": name, "VectorIndexUpdates": [{"Create": dict(
        VECTOR_INDEX, IndexName="vix2", VectorAttribute={"AttributeName": "emb2"})}]}, key=key)
    assert status == 200, out
    eventually(lambda: _assert(_vector_status(a, A_REGION, name, "vix2") == "ACTIVE" and
                               _vector_status(b, B_REGION, name, "vix2") == "CREATING"), timeout=30)
    delete = {"TableName": name, "VectorIndexUpdates": [{"Delete": {"IndexName": "vix"}}]}
    status, out = raw(a, A_REGION, "UpdateTable", delete, key=key)
    assert (status, out.get("__type", "").split("#")[-1], out.get("message")) == (
        400, "LimitExceededException",
        "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"), out
    eventually(lambda: _assert(_vector_status(b, B_REGION, name, "vix2") == "ACTIVE"))
    status, out = raw(a, A_REGION, "UpdateTable", delete, key=key)
    assert status == 200, out
    for server, region in ((a, A_REGION), (b, B_REGION)):
        eventually(lambda s=server, r=region: _assert(_vector_names(s, r, name) == ["vix2"]))


def _assert(cond):
    assert cond
    return True


def _raw_update(server, name, members):
    """UpdateTable with members Debian's botocore lacks (MultiRegionConsistency), signed for us-east-1."""
    status, out = raw(server, A_REGION, "UpdateTable", dict(members, TableName=name))
    if status != 200:
        raise ClientError({"Error": {"Code": out["__type"].split("#")[-1], "Message": out.get("message", "")},
                           "ResponseMetadata": {"HTTPStatusCode": status}}, "UpdateTable")
    return out


def test_deleting_the_peers_replica_and_the_peer_deleting_it(server_factory):
    a, b, _ = pair(server_factory)
    ca, cb = client(a, A_REGION), client(b, B_REGION)
    # ReplicaUpdates Delete: the peer's table goes, the group with it
    name = make_table(ca)
    add_peer_replica(ca, cb, name)
    ca.update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": B_REGION}}])
    eventually(lambda: _assert("Replicas" not in ca.describe_table(TableName=name)["Table"]))

    def gone():
        with pytest.raises(ClientError) as ex:
            cb.describe_table(TableName=name)
        assert ex.value.response["Error"]["Code"] == "ResourceNotFoundException"
    eventually(gone)
    ca.put_item(TableName=name, Item={"pk": {"S": "still-here"}})  # A's table is a table of its own again
    assert "GlobalTableVersion" not in ca.describe_table(TableName=name)["Table"]
    # DeleteTable on the peer: A's group loses it
    name2 = make_table(ca)
    add_peer_replica(ca, cb, name2)
    cb.delete_table(TableName=name2)
    eventually(lambda: _assert("Replicas" not in ca.describe_table(TableName=name2)["Table"]))


def test_a_table_of_that_name_on_the_peer_leaves_the_replica_creation_failed(server_factory):
    a, b, _ = pair(server_factory)
    ca, cb = client(a, A_REGION), client(b, B_REGION)
    name = make_table(ca)
    make_table(cb, name)
    cb.put_item(TableName=name, Item={"pk": {"S": "b-own"}})
    ca.put_item(TableName=name, Item={"pk": {"S": "a-own"}})
    ca.update_table(TableName=name, ReplicaUpdates=[{"Create": {"RegionName": B_REGION}}])
    eventually(lambda: _assert(replicas(ca, name) == {B_REGION: "CREATION_FAILED"}))
    assert ca.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert "Replicas" not in cb.describe_table(TableName=name)["Table"]
    # the failed replica is deleted from the group; the peer's own table stays as it was
    ca.update_table(TableName=name, ReplicaUpdates=[{"Delete": {"RegionName": B_REGION}}])
    eventually(lambda: _assert("Replicas" not in ca.describe_table(TableName=name)["Table"]))
    assert scan_all(cb, name, order="pk") == [{"pk": {"S": "b-own"}}]


def _writer(c, name, prefix, n, acked, stop, errors):
    """Puts prefix-0 .. prefix-(n-1) in order, each once, remembering those acknowledged; stops at the
    first failure to reach the server (it was killed) or when told. An error the server answered is
    kept in `errors` (the test shows them if too few writes were acknowledged) and the put is tried
    again: on RADOS under load one answered a second put before the writer had 50 (CI, once)."""
    for i in range(n):
        key = "%s-%04d" % (prefix, i)
        while True:
            if stop.is_set():
                return
            try:
                c.put_item(TableName=name, Item={"pk": {"S": key}, "v": {"N": str(i)}})
                break
            except ClientError as e:
                errors.append("%s: %s" % (key, e))
                if len(errors) > 50:
                    return
                time.sleep(0.1)
            except Exception as e:  # (the server was killed; on the survivor, shown below if too few)
                errors.append("%s: %s: %s" % (key, type(e).__name__, e))
                return
        acked.append(key)


def test_either_server_killed_and_restarted_loses_nothing_and_applies_nothing_twice(server_factory, tmp_path,
                                                                                     monkeypatch):
    if ON_RADOS:  # a restarted gateway takes the replication over once the killed holder's lease ran out
        monkeypatch.setenv("DDBD_TASK_LEASE_MS", "2000")
    a, b, start = pair(server_factory, tmp_path)
    ca, cb = client(a, A_REGION), client(b, B_REGION)
    name = make_table(ca)
    add_peer_replica(ca, cb, name)
    acked, errors = {"a": [], "b": []}, []
    for victim in ("b", "a"):  # B killed while A pushes to it, then A while B pushes
        stop = threading.Event()
        ws = [threading.Thread(target=_writer, args=(ca, name, "a%s" % victim, 400, acked["a"], stop, errors)),
              threading.Thread(target=_writer, args=(cb, name, "b%s" % victim, 400, acked["b"], stop, errors))]
        base = (len(acked["a"]), len(acked["b"]))
        for w in ws:
            w.start()
        # killed once both writers are well under way (progress, not time: RADOS writes are slower)
        deadline = time.monotonic() + 120
        while (len(acked["a"]) - base[0] < 50 or len(acked["b"]) - base[1] < 50) and time.monotonic() < deadline:
            time.sleep(0.01)
        for g in (b if victim == "b" else a).gateways:
            g.proc.send_signal(signal.SIGKILL)
            g.proc.wait()
        time.sleep(0.3)  # the survivor's pushes fail meanwhile and are sent again later
        stop.set()
        for w in ws:
            w.join()
        if victim == "b":
            b = start("b")
            cb = client(b, B_REGION)
        else:
            a = start("a")
            ca = client(a, A_REGION)
    assert len(acked["a"]) >= 100 and len(acked["b"]) >= 100, (len(acked["a"]), len(acked["b"]), errors[-8:])

    def converged():
        ia, ib = scan_all(ca, name, order="pk"), scan_all(cb, name, order="pk")
        assert ia == ib
        keys = {i["pk"]["S"] for i in ia}
        assert set(acked["a"]) | set(acked["b"]) <= keys  # nothing acknowledged is lost
        return keys
    keys = eventually(converged)
    # each write made in one region is applied once in the other: one INSERT per key in each stream
    # (eventually: on RADOS a record past a killed gateway's unfilled sequence number is readable once
    # the gap is settled, storage.h)
    for c, streams, server in ((ca, client(a, A_REGION, "dynamodbstreams"), "A"),
                               (cb, client(b, B_REGION, "dynamodbstreams"), "B")):
        def one_record_per_key():
            per_key = {}
            for r in stream_records(c, streams, name):
                k = r["dynamodb"]["Keys"]["pk"]["S"]
                per_key[k] = per_key.get(k, 0) + 1
                assert r["eventName"] == "INSERT"
            assert [k for k, n in per_key.items() if n != 1] == [], server  # nothing applied twice
            assert set(per_key) == keys, (server, sorted(keys - set(per_key))[:10])
        eventually(one_record_per_key)


AUTH = """AKIDPEER peersecret 111122223333
AKIDUSER usersecret 111122223333
"""


def test_only_the_peer_key_may_send_a_peers_request(server_factory, tmp_path):
    keys = tmp_path / "keys"
    keys.write_text(AUTH)
    a, b, _ = pair(server_factory, extra=("--auth", str(keys), "--peer-key", "AKIDPEER"))
    user = ("AKIDUSER", "usersecret")
    ca, cb = client(a, A_REGION, key=user), client(b, B_REGION, key=user)
    name = make_table(ca)
    ca.put_item(TableName=name, Item={"pk": {"S": "x"}})
    add_peer_replica(ca, cb, name)  # the servers sign with AKIDPEER: the table is the account's on B too
    assert scan_all(cb, name, order="pk") == [{"pk": {"S": "x"}}]
    assert ":111122223333:" in cb.describe_table(TableName=name)["Table"]["TableArn"]
    # a user's request with the peer header is refused, whatever it asks
    body = {"TableName": name, "Changes": [{"Item": {"pk": {"S": "forged"}}, "Time": 1, "Region": A_REGION}]}
    status, out = raw(b, B_REGION, "BatchWriteItem", body, key=user, headers={"x-ddbd-peer": A_REGION})
    assert status == 400 and out == {
        "__type": "com.amazon.coral.service#AccessDeniedException",
        "message": "x-ddbd-peer is a peer server's request: this server has no --region-peer, or the request is "
                   "not signed with its --peer-key"}
    assert scan_all(cb, name, order="pk") == [{"pk": {"S": "x"}}]


def test_a_peers_request_from_an_unknown_region_or_malformed_is_refused(server_factory):
    a, b, _ = pair(server_factory)
    status, out = raw(b, B_REGION, "BatchWriteItem", {"TableName": "abc", "Changes": []},
                      headers={"x-ddbd-peer": "ap-south-1"})
    assert (status, out) == (400, {"__type": "com.amazon.coral.service#AccessDeniedException",
                                   "message": "x-ddbd-peer: ap-south-1 is not a --region-peer region of this server"})
    name = make_table(client(a, A_REGION))
    add_peer_replica(client(a, A_REGION), client(b, B_REGION), name)
    for body, message in (
            ({"TableName": name}, "x-ddbd-peer: BatchWriteItem wants Changes"),
            ({"TableName": name, "Changes": [{"Item": {"pk": {"S": "x"}}, "Region": A_REGION}]},
             "x-ddbd-peer: BatchWriteItem wants an Item or Key, a Time and a Region in each of Changes")):
        status, out = raw(b, B_REGION, "BatchWriteItem", body, headers={"x-ddbd-peer": A_REGION})
        assert (status, out) == (400, {"__type": "com.amazon.coral.validate#ValidationException", "message": message})
    status, out = raw(b, B_REGION, "BatchWriteItem", {"TableName": "nosuch", "Changes": []},
                      headers={"x-ddbd-peer": A_REGION})
    assert (status, out["__type"], out["message"]) == (
        400, "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "Requested resource not found: Table: nosuch not found")
    status, out = raw(b, B_REGION, "Query", {"TableName": name}, headers={"x-ddbd-peer": A_REGION})
    assert (status, out["message"]) == (400, "x-ddbd-peer: Query is not a peer's request")
    assert scan_all(client(b, B_REGION), name, order="pk") == []


def test_a_server_without_peers_refuses_a_peers_request(ddbd_server):
    status, out = raw(ddbd_server, A_REGION, "BatchWriteItem", {"TableName": "abc"}, headers={"x-ddbd-peer": B_REGION})
    assert status == 400 and out["__type"] == "com.amazon.coral.service#AccessDeniedException"


@pytest.mark.parametrize("args,message", [
    (["--region-peer", "eu-west-1=http://127.0.0.1:1"], "ddbd: --region-peer needs --namespaces (each region its own tables)"),
    (["--namespaces", "--region-peer", "eu-west-1"], "ddbd: --region-peer wants REGION=http://HOST:PORT (got 'eu-west-1')"),
    (["--namespaces", "--region-peer", "eu-west-1=https://x"],
     "ddbd: --region-peer wants REGION=http://HOST:PORT (got 'eu-west-1=https://x')"),
    (["--peer-key", "AKID"], "ddbd: --peer-key names a key of --auth FILE"),
])
def test_the_options_are_checked_at_start(args, message):
    p = subprocess.run([DDBD_BIN, "--in-memory"] + args, capture_output=True, text=True, timeout=10)
    assert p.returncode != 0 and message in p.stderr
