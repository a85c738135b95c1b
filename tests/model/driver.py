"""tests/model/driver.py: one seeded run (a server with the seed's modes, the seed's tables, the
seed's operations, each answer checked), and the shrinking of a failing run to a minimal sequence.

The servers are compat's DdbdServer (tests/compat/conftest.py), so its wrappers ($DDBD_BIN, the
memcheck prefix) apply here too."""
import importlib.util
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import backend  # noqa: E402
from client import error_message, error_type  # noqa: E402
from gen import START_MS, Gen, table_shapes  # noqa: E402
from model import Model  # noqa: E402
from partiql import PartiQL  # noqa: E402
from pitr import Pitr  # noqa: E402
from reads import Reads  # noqa: E402
from streams import Streams  # noqa: E402
from runner import BLIND, Mismatch, NoEffect, Runner  # noqa: E402
from show import show_op  # noqa: E402



def compat():
    mod = sys.modules.get("compat_conftest")
    if mod is None:
        path = os.path.join(HERE, "..", "compat", "conftest.py")
        sys.path.insert(0, os.path.dirname(path))
        spec = importlib.util.spec_from_file_location("compat_conftest", path)
        mod = importlib.util.module_from_spec(spec)
        sys.modules["compat_conftest"] = mod
        spec.loader.exec_module(mod)
    return mod


class Checker(PartiQL, Reads, Streams, Pitr, Runner):
    pass


def draw_modes(seed, allowed):
    """The seed's combination of server modes (`allowed`: the names that may be drawn)."""
    rng = random.Random(seed * 7919 + 1)
    modes = {"tolerate": tuple(x for x in os.environ.get("DDB_MODEL_TOLERATE", "").split(",") if x)}
    if "stale" in allowed and rng.random() < 0.4:
        modes["stale_ms"] = rng.choice([500, 2000])
    if "lag" in allowed and rng.random() < 0.4:
        lo = rng.choice([0, 100])
        modes["lag"] = (lo, lo + rng.choice([200, 1500]))
        modes["lag_max"] = modes["lag"][1]
    if modes:
        modes["consistency_seed"] = rng.randint(0, 1 << 30)
    if "ttl" in allowed and rng.random() < 0.5:
        modes["ttl"] = True
    if "enforce" in allowed and rng.random() < 0.3:
        modes["enforce"] = rng.choice([1, 2, 5])   # the tables' and GSIs' RCU and WCU
    if "faults" in allowed and rng.random() < 0.3:
        kinds = rng.sample(["InternalServerError", "ServiceUnavailableException", "ThrottlingException",
                            "ProvisionedThroughputExceededException", "RequestLimitExceeded",
                            "TransactionConflict", "UnprocessedItems"], rng.randint(1, 3))
        modes["faults"] = [("*", k, rng.choice([0.05, 0.1, 0.2])) for k in kinds]
        if rng.random() < 0.3:
            # a lost answer is settled by looking (Runner.admitted) or taken as carried out; under
            # --enforce-capacity it may have been a throttle, which the server's count of the
            # throttles it answered tells (Runner.call); every write the model sends but a batch
            # loses answers then, as a batch's throttle is partial (UnprocessedItems)
            kind = rng.choice(["ConnectionReset", "TruncatedBody"])
            ops = UNBATCHED_WRITES if modes.get("enforce") else ("write",)
            modes["faults"] += [(o, kind, 0.05) for o in ops]
            modes["conn_faults"] = True
        modes["fault_throttles"] = any(k in ("ThrottlingException", "ProvisionedThroughputExceededException",
                                             "RequestLimitExceeded") for _, k, _ in modes["faults"])
        modes["fault_seed"] = rng.randint(0, 1 << 30)
    if "states" in allowed and rng.random() < 0.3:
        modes["table_states"] = rng.choice([1000, 5000])
    if "count" in allowed and rng.random() < 0.3:
        modes["count_refresh"] = rng.choice([1, 60, 3600])
    if "auth" in allowed and rng.random() < 0.25:
        modes["auth"] = True
    # (under --auth, each line naming its key, which the replay signs it with: --keys; under
    # --stale-reads, each read's line saying it drew, and the replay keeping such reads of a table
    # in their recorded order across connections (docs/record-replay.md, "Order"): the reader's
    # (--auth) on a connection of its own, and after a connection fault the model's on a new one
    # while the replay may still send the old one's (seed 1866905931); with injected
    # UnprocessedItems/Keys under --enforce-capacity, the replay sending what a faulted batch's
    # answer did not hold back, throttled or held (seed 2396: docs/record-replay.md, "Injected faults"))
    if "record" in allowed and rng.random() < 0.25 and not (
            "faults" in modes and "replay-faults" in modes["tolerate"]) and not (   # (replayed, it applies)
            "table_states" in modes and "replay-clock" in modes["tolerate"]):   # (CREATING ends by a step)
        modes["record"] = True
    # a replica of every table in us-west-2 (--namespaces), with any of the modes above; one seed in
    # 7 (a replicated run costs 3 plain ones under memcheck: 24.5 s and 8.1 s for 300 operations)
    if "replica" in allowed and rng.random() < 0.15:
        modes["replica"] = True
        if modes.get("ttl") and rng.random() < 0.5:
            modes["ttl_west"] = True   # (TTL set in us-west-2 too: both regions sweep)
    # a data directory (RocksDB) rather than memory, with or without --sync, and restarts among the
    # operations (SIGTERM or SIGKILL): drawn apart, so the draws above stay each seed's own
    disk = random.Random(seed * 7919 + 2)
    if "disk" in allowed and disk.random() < 0.3:
        modes["disk"] = "sync" if disk.random() < 0.5 else "async"
    # streams on the tables, each of a view type drawn (Run), read whole at the end (streams.py):
    # drawn apart too. With a replica, every table's is NEW_AND_OLD_IMAGES (a global table's), and
    # the replica's stream is read too. Recorded, the stream's reads are replayed with the replay's
    # own shard iterators (docs/record-replay.md, "Streams"), and with connection faults too: a lost
    # answer moves the model's next requests to a new connection, and the replay orders a streamed
    # table's writes across connections (seed 726526134). Where both regions sweep TTL, each sweeps
    # its own copies with replication held off (which sweep came first was a race: seed 6527)
    streams = random.Random(seed * 7919 + 3)
    if "streams" in allowed and streams.random() < 0.5:
        modes["streams"] = streams.randint(0, 1 << 30)
    return modes


# the operations of the fault rules' class "write" the model sends, but BatchWriteItem and
# BatchExecuteStatement
UNBATCHED_WRITES = ("PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "ExecuteStatement", "UpdateTable",
                    "UpdateTimeToLive", "CreateTable", "DeleteTable", "CreateBackup", "RestoreTableFromBackup",
                    "RestoreTableToPointInTime", "UpdateContinuousBackups")
STREAM_VIEWS = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
ALL_MODES = ("stale", "lag", "ttl", "enforce", "faults", "record", "auth", "states", "count", "replica", "disk",
             "streams")
KEYS = ("AKIDMODEL secret 000000000000 name=model rights=admin,metrics\n"
        "AKIDREAD secret2 000000000000 name=reader allow=read tables=tm0\n")


def keys_path():
    """The --auth key file of this process's servers (and of its replays' --keys)."""
    return os.path.join(tempfile.gettempdir(), "ddb-model-keys-%d" % os.getpid())


def server_args(modes, record=None, data_dir=None):
    args = backend.store_args(compat(), data_dir) + ["--admin", "--clock", "frozen@%d" % START_MS]   # (a new RADOS namespace)
    if data_dir and modes.get("disk") == "sync":
        args += ["--sync"]
    if modes.get("auth"):
        with open(keys_path(), "w") as f:
            f.write(KEYS)
        args += ["--auth", keys_path()]
    if modes.get("enforce"):
        args += ["--enforce-capacity"]
    if modes.get("replica"):
        args += ["--namespaces"]
    if modes.get("table_states"):
        args += ["--table-states", str(modes["table_states"])]
    if modes.get("count_refresh"):
        args += ["--count-refresh", str(modes["count_refresh"])]

    if "stale_ms" in modes:
        args += ["--stale-reads", str(modes["stale_ms"])]
    if "lag" in modes:
        args += ["--index-lag", "%d-%d" % modes["lag"]]
    if "consistency_seed" in modes:
        args += ["--consistency-seed", str(modes["consistency_seed"])]
    if record:
        args += ["--record", record]
    return args


def create_tables(client, specs, provisioned=0, on_demand=False):
    """`provisioned` units of read and write capacity for the tables and their GSIs; with
    `on_demand` (a global table: DynamoDB refuses a replica of a provisioned table that does not
    auto scale) the same figures as on-demand maximums (OnDemandThroughput), which
    --enforce-capacity enforces alike (docs/compatibility.md, "Capacity enforcement")."""
    for s in specs:
        attrs = {s["hash"][0]: s["hash"][1]}
        ks = [{"AttributeName": s["hash"][0], "KeyType": "HASH"}]
        if s["range"]:
            attrs[s["range"][0]] = s["range"][1]
            ks.append({"AttributeName": s["range"][0], "KeyType": "RANGE"})
        req = {"TableName": s["name"], "KeySchema": ks, "BillingMode": "PAY_PER_REQUEST"}
        pt = {"ReadCapacityUnits": provisioned, "WriteCapacityUnits": provisioned}
        member = "OnDemandThroughput" if on_demand else "ProvisionedThroughput"
        if on_demand:
            pt = {"MaxReadRequestUnits": provisioned, "MaxWriteRequestUnits": provisioned}
        if provisioned:
            if not on_demand:
                req["BillingMode"] = "PROVISIONED"
            req[member] = pt
        for part, key in (("gsis", "GlobalSecondaryIndexes"), ("lsis", "LocalSecondaryIndexes")):
            out = []
            for ix in s[part]:
                iks = [{"AttributeName": ix["hash"][0], "KeyType": "HASH"}]
                attrs[ix["hash"][0]] = ix["hash"][1]
                if ix["range"]:
                    iks.append({"AttributeName": ix["range"][0], "KeyType": "RANGE"})
                    attrs[ix["range"][0]] = ix["range"][1]
                proj = {"ProjectionType": ix["proj"][0]}
                if ix["proj"][1]:
                    proj["NonKeyAttributes"] = list(ix["proj"][1])
                out.append({"IndexName": ix["name"], "KeySchema": iks, "Projection": proj})
                if provisioned and part == "gsis":
                    out[-1][member] = pt
            if out:
                req[key] = out
        req["AttributeDefinitions"] = [{"AttributeName": k, "AttributeType": v} for k, v in sorted(attrs.items())]
        if s.get("stream"):
            req["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": s["stream"]}
        status, ans = client.call("CreateTable", req)
        if status != 200:
            raise Mismatch("CreateTable %s: %s %s %s" % (s["name"], status, error_type(ans), error_message(ans)))


def add_replicas(checker, client, west, specs):
    """A replica of each table in us-west-2, ACTIVE there before the first operation: a replica
    with indexes is CREATING until its copy is made, which a clock step waits for; under
    --table-states for MS of the clock too, its table UPDATING meanwhile (docs/compatibility.md,
    "Global tables"), then ACTIVE after a step of MS."""
    for i, s in enumerate(specs):
        status, ans = client.call("UpdateTable", {"TableName": s["name"], "ReplicaUpdates": [
            {"Create": {"RegionName": "us-west-2"}}]})
        if status != 200:
            raise Mismatch("UpdateTable %s ReplicaUpdates Create: %s %s" % (s["name"], status, ans))
        checker.figures_read(i)   # (its answer describes the table: --count-refresh's figures read)
    # a step first: the copy is made in the background, and a DescribeTable before any step would
    # find it made or not as the machine goes, which a replay of the recording cannot repeat
    checker.op_clock({"op": "clock", "ms": 1})
    if checker.modes.get("table_states"):
        replicas_creating(checker, client, west, specs)
        checker.op_clock({"op": "clock", "ms": checker.modes["table_states"] - 1})   # (at their time)
    for s in specs:
        for _ in range(5):
            status, ans = west.call("DescribeTable", {"TableName": s["name"]})
            if status != 200 or ans["Table"]["TableStatus"] != "CREATING":
                break
            checker.op_clock({"op": "clock", "ms": 1})
        if status != 200 or ans["Table"]["TableStatus"] != "ACTIVE":
            raise Mismatch("DescribeTable %s in us-west-2: %s %s" % (s["name"], status, ans.get("Table", ans).get("TableStatus", ans)))


def replicas_creating(checker, client, west, specs):
    """--table-states: each new replica CREATING in its region and in the table's list, filled or
    not, the table UPDATING, until the clock reaches the option's time."""
    for i, s in enumerate(specs):
        status, ans = west.call("DescribeTable", {"TableName": s["name"]})
        if status != 200 or ans["Table"]["TableStatus"] != "CREATING":
            raise Mismatch("DescribeTable %s in us-west-2 under --table-states: %s %s, model CREATING" % (
                s["name"], status, ans.get("Table", ans).get("TableStatus", ans)))
        status, ans = client.call("DescribeTable", {"TableName": s["name"]})
        checker.figures_read(i)
        got = (ans.get("Table", {}).get("TableStatus"),
               [(r["RegionName"], r["ReplicaStatus"]) for r in ans.get("Table", {}).get("Replicas", [])])
        if status != 200 or got != ("UPDATING", [("us-west-2", "CREATING")]):
            raise Mismatch("DescribeTable %s with its replica under --table-states: %s %s, model %s" % (
                s["name"], status, got if status == 200 else ans, ("UPDATING", [("us-west-2", "CREATING")])))


def enable_ttl(clients, specs):
    """TTL on attribute t. A global table's is set in one region or in both: DynamoDB keeps the
    setting in step across the regions and an item's expiry "can be done in any Region", its delete
    replicated to the others (the developer guide, "Throughput capacity planning for DynamoDB
    global tables"); ddbd keeps it with the region it is set in (docs/compatibility.md, Global
    tables), so both are drawn: one region's sweep, or each region's own racing the replicated
    deletes."""
    for client in clients:
        for s in specs:
            status, ans = client.call("UpdateTimeToLive", {"TableName": s["name"], "TimeToLiveSpecification":
                                                           {"Enabled": True, "AttributeName": "t"}})
            if status != 200:
                raise Mismatch("UpdateTimeToLive %s: %s %s" % (s["name"], status, ans))


class Run:
    """One seed: its tables, its modes, its operations."""

    def __init__(self, seed, n_ops, allowed=ALL_MODES):
        self.seed = seed
        rng = random.Random(seed)
        self.specs = table_shapes(rng)
        self.modes = backend.drawn(draw_modes(seed, backend.allowed(allowed)))
        if self.modes.get("streams"):   # (a table in five without one)
            views = random.Random(self.modes["streams"])
            for s in self.specs:
                s["stream"] = views.choice(STREAM_VIEWS) if views.random() < 0.8 else None
                if self.modes.get("replica"):   # (a global table's stream)
                    s["stream"] = "NEW_AND_OLD_IMAGES"
        # "clock-back" tolerated: no step back where the eventual modes are on (a defect being fixed)
        back = not ("clock-back" in self.modes["tolerate"] and any(
            k in self.modes for k in ("stale_ms", "lag", "table_states")))
        # "replay-clock" tolerated: a recorded run steps no clock (a step is not recorded, so not replayed)
        clock = not (self.modes.get("record") and "replay-clock" in self.modes["tolerate"])
        gen = Gen(seed + 1, self.specs, ttl=self.modes.get("ttl", False), clock=clock, back=back)
        gen.cap_always = bool(self.modes.get("faults") or self.modes.get("enforce"))
        gen.reader = bool(self.modes.get("auth"))
        gen.replica = bool(self.modes.get("replica"))
        gen.restart = self.modes.get("disk") if not self.modes.get("record") else None   # (a recording is one server's)
        # backups and restores (and point-in-time recovery with them: then the clock also steps a
        # day, so a window slides and a stream's oldest records are trimmed, which its check allows;
        # with a replica on a data directory it found a stream shard the trim emptied numbering from
        # 1 again after a restart, below replication's checkpoint: seed 1142746203), with every mode:
        # a restored table is ACTIVE when its restore is done (--table-states times a CreateTable's
        # and an added GSI's CREATING only), its buckets its own and full; an answer lost to a
        # connection fault is settled by looking (Runner.admitted); recorded, the replay stands its
        # own backup ARNs in for the recorded ones and polls a restore again until it got as far as
        # recorded (docs/record-replay.md, "Tokens and ids", "Polls")
        gen.backups = True
        gen.days = gen.backups
        self.ops = [gen.op() for _ in range(n_ops)]

    def describe(self):
        lines = ["modes: %s" % ({k: v for k, v in self.modes.items() if v and k != "tolerate"} or "none")]
        for s in self.specs:
            lines.append("table %s: hash %s%s; %s" % (
                s["name"], s["hash"], " range %s" % (s["range"],) if s["range"] else "",
                "; ".join("%s %s/%s %s" % (ix["name"], ix["hash"], ix["range"], ix["proj"])
                          for ix in s["gsis"] + s["lsis"]) or "no indexes") +
                ("; stream %s" % s["stream"] if s.get("stream") else ""))
        return lines

    def execute(self, ops, keep_server=False):
        """Runs `ops` on a fresh server: (None or (index, message), checker)."""
        record = None
        if self.modes.get("record"):
            fd, record = tempfile.mkstemp(prefix="ddb-model-", suffix=".jsonl")
            os.close(fd)
        data_dir = tempfile.mkdtemp(prefix="ddb-model-data-") if self.modes.get("disk") else None
        server = backend.Servers(compat(), server_args(self.modes, record, data_dir))
        if self.modes.get("count_refresh"):
            server.pinned = backend.DESCRIBING
        client = server.client()
        model = Model(self.specs)
        model.now = model.start = model.created = model.peak = START_MS
        checker = Checker(client, model, [s["name"] for s in self.specs], dict(self.modes))
        checker.servers = server
        if self.modes.get("auth"):
            checker.reader = server.client("AKIDREAD", "secret2")
        checker.west = server.client(region="us-west-2") if self.modes.get("replica") else None
        failure = None
        try:
            create_tables(client, self.specs, self.modes.get("enforce", 0), bool(self.modes.get("replica")))
            if self.modes.get("table_states"):   # (a CREATING table takes no ReplicaUpdates)
                self.creating(checker, client)
            if self.modes.get("replica"):
                add_replicas(checker, client, checker.west, self.specs)
                checker.m.start = checker.m.now
            if self.modes.get("ttl"):
                enable_ttl([client] + ([checker.west] if self.modes.get("ttl_west") else []), self.specs)
            checker.post_faults()   # set once the tables are made
            for n, op in enumerate(ops):
                BLIND[0] = False
                checker.current = op
                try:
                    getattr(checker, "op_" + op["op"].replace("pscan", "scan"))(op)
                    checker.checked += 1
                except NoEffect:
                    checker.checked += 1
                    checker.no_effect += 1
                except Mismatch as e:
                    failure = (n, str(e))
                    break
            if failure is None:
                failure = self.final_checks(checker, client)
            if failure is None and self.modes.get("streams"):
                try:
                    message = checker.check_streams()
                except Mismatch as e:
                    message = str(e)
                failure = (len(ops), message) if message else None
        finally:
            client.close()
            if checker.reader:
                checker.reader.close()
            if checker.west:
                checker.west.close()
            code = server.stop()
            if failure is None and code not in (0,):
                failure = (len(ops), "ddbd exited %s on SIGTERM; stderr:\n%s" % (code, server.stderr_text()[-3000:]))
            if data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)
        if record:
            if failure is None:
                failure = self.replay(record, len(ops))
            os.unlink(record)
        return failure, checker

    def replay(self, record, n):
        """`ddb replay --check` of the run's recording into a fresh server of the same modes:
        every answer as recorded (docs/record-replay.md)."""
        data_dir = tempfile.mkdtemp(prefix="ddb-model-data-") if self.modes.get("disk") else None
        server = compat().DdbdServer(server_args(self.modes, data_dir=data_dir)).start()
        try:
            bin_ = os.environ.get("DDB_REPLAY_BIN") or os.path.join(os.path.dirname(compat().DDBD_BIN), "ddb")
            # under --auth each line with its own key (--keys), the clock steps with the admin's
            keys = ["--keys", keys_path()] if self.modes.get("auth") else []
            env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDMODEL", AWS_SECRET_ACCESS_KEY="secret")
            p = subprocess.run([bin_, "replay", record, "--endpoint", server.endpoint, "--check",
                                "--as-fast-as-possible"] + keys, capture_output=True, text=True, timeout=600, env=env)
        finally:
            server.stop()
            if data_dir:
                shutil.rmtree(data_dir, ignore_errors=True)
        if p.returncode != 0:
            return (n, "ddb replay --check of the recording: exit %d\n%s" % (p.returncode, (p.stdout + p.stderr)[-3000:]))
        return None

    def creating(self, checker, client):
        """--table-states MS: the tables are CREATING, their items refused, until the clock has
        moved MS; then ACTIVE (docs/testing.md, "Table states")."""
        name = self.specs[0]["name"]
        status, ans = client.call("DescribeTable", {"TableName": name})
        if status != 200 or ans["Table"]["TableStatus"] != "CREATING":
            raise Mismatch("DescribeTable %s under --table-states: %s %s, model CREATING" % (name, status, ans.get("Table", ans).get("TableStatus", ans)))
        status, ans = client.call("GetItem", {"TableName": name, "Key": {"pk": {self.specs[0]["hash"][1]: "AA==" if self.specs[0]["hash"][1] == "B" else "1"}, **({"sk": {self.specs[0]["range"][1]: "AA==" if self.specs[0]["range"][1] == "B" else "1"}} if self.specs[0]["range"] else {})}})
        if status != 400 or error_type(ans) != "ResourceNotFoundException" or error_message(ans) != "Requested resource not found":
            raise Mismatch("GetItem of a CREATING table: %s %s, model ResourceNotFoundException" % (status, ans))
        checker.op_clock({"op": "clock", "ms": self.modes["table_states"]})
        checker.m.start = checker.m.now
        status, ans = client.call("DescribeTable", {"TableName": name})
        if status != 200 or ans["Table"]["TableStatus"] != "ACTIVE":
            raise Mismatch("DescribeTable %s once its CREATING ended: %s %s" % (name, status, ans.get("Table", ans).get("TableStatus")))
        checker.figures_read(0)   # (that read refreshed the figures)

    def final_checks(self, checker, client):
        """The usage report (GET /ddbd/usage, docs/usage.md) against the model's charges: each
        table's read and write units, the sum of what the answers' ConsumedCapacity said and what
        the model says the others (no ReturnConsumedCapacity, refused conditions) consumed."""
        status, ans = client.admin("GET", "/ddbd/usage")
        if status != 200:
            return (len(self.ops), "GET /ddbd/usage: %s %s" % (status, ans))
        got = {}   # by name: a global table's regions are listed under its one name, summed
        for t in ans.get("tables", []):
            g = got.setdefault(t["table"], {"readUnits": 0.0, "writeUnits": 0.0})
            g["readUnits"] += float(t.get("readUnits", 0))
            g["writeUnits"] += float(t.get("writeUnits", 0))
        for t in ans.get("tables", []):
            g = got[t["table"]]
            g["replicated"] = g.get("replicated", 0.0) + float(t.get("replicatedWrites", {}).get("replicatedWriteUnits", 0))
        for name, want in sorted(checker.m.charges.items()):
            t = got.get(name, {})
            g = t.get("replicated", 0.0)
            if self.modes.get("replica") and not (
                    want["replicated"] - 1e-6 <= g <= want["replicated"] + want["replicated_slack"] + 1e-6):
                return (checker.checked, "GET /ddbd/usage: table %s replicatedWriteUnits %s, model %s" % (
                    name, g, want["replicated"]))
            for kind in ("read", "write"):
                if kind == "read" and "stale-batch-charge" in checker.modes.get("tolerated", ()):
                    continue
                g = float(t.get(kind + "Units", 0))
                if not want[kind] - 1e-6 <= g <= want[kind] + want.get(kind + "_slack", 0.0) + 1e-6:
                    return (checker.checked, "GET /ddbd/usage: table %s %sUnits %s, model %s (the answers' "
                            "ConsumedCapacity summed: %s)" % (name, kind, g, want[kind],
                                                              checker.reported.get(name, {}).get(kind)))
        return None


def shrink(run, ops, failure, deadline):
    """Delta debugging (ddmin) over the operations: the smallest sequence found that still fails
    (any mismatch counts), within the deadline."""
    ops = ops[:failure[0] + 1]
    n = 2
    while len(ops) >= 2 and time.monotonic() < deadline:
        chunk = max(1, len(ops) // n)
        reduced = False
        for start in range(0, len(ops), chunk):
            if time.monotonic() >= deadline:
                break
            trial = ops[:start] + ops[start + chunk:]
            f, _ = run.execute(trial)
            if f is not None:
                ops, failure = trial[:f[0] + 1], f
                n = max(n - 1, 2)
                reduced = True
                break
        if not reduced:
            if chunk == 1:
                break
            n = min(len(ops), n * 2)
    return ops, failure


def report(run, ops, failure, n_ops):
    lines = ["model mismatch (seed %d), minimal sequence of %d operations:" % (run.seed, len(ops))]
    lines += ["  " + line for line in run.describe()]
    for n, op in enumerate(ops):
        lines.append("  %3d. %s" % (n + 1, show_op(op, run.specs)))
    lines.append("  -> %s" % failure[1])
    tol = ",".join(run.modes.get("tolerate", ()))
    lines.append("to repeat: DDB_MODEL_SEED=%d DDB_MODEL_OPS=%d%s (tests/model/test_random.py)"
                 % (run.seed, n_ops, " DDB_MODEL_TOLERATE=" + tol if tol else ""))
    return "\n".join(lines)



def campaign(master, seconds, ops_per_run, max_ops=None, modes=ALL_MODES, shrink_s=180, log=print):
    """Seeds master, master+1, ... each a fresh server and ops_per_run operations, until `seconds`
    have passed (or max_ops operations are checked): (operations checked, runs, failure report or
    None). The first failure is shrunk and reported."""
    t0 = time.monotonic()
    checked = runs = 0
    seed = master
    while time.monotonic() - t0 < seconds and (max_ops is None or checked < max_ops):
        run = Run(seed, ops_per_run, modes)
        failure, checker = run.execute(run.ops)
        checked += checker.checked
        runs += 1
        if failure is not None:
            log("seed %d failed after %d operations; shrinking" % (seed, failure[0]))
            ops, failure = shrink(run, run.ops, failure, time.monotonic() + shrink_s)
            return checked, runs, report(run, ops, failure, ops_per_run)
        seed += 1
    return checked, runs, None
