"""tests/model/backend.py: the store the model's servers keep their tables in (issue 72: both
backends). `--in-memory`, or $DDBD_STORE_ARGS as the compatibility suite takes it
(tests/compat/conftest.py; tests/rados/run.sh sets `--backend rados --rados-conf C --rados-pool
ddbd/NS`): then each server (each run, each shrinking trial, each replay) is on a pool namespace of
its own, NS and a unique suffix, so runs never see each other's tables. $DDBD_GATEWAYS=2 on RADOS
starts two gateways on that namespace and sends each request to the other than the one before, as
conftest's `alternate` does for boto3's clients."""
import os
import signal
import uuid

import client
from client import Client

STORE_ARGS = os.environ.get("DDBD_STORE_ARGS", "")
ON_RADOS = "--backend rados" in STORE_ARGS
GATEWAYS = max(int(os.environ.get("DDBD_GATEWAYS", "1")), 1) if ON_RADOS else 1

# On one RADOS gateway every mode is drawn: what RADOS refuses (admin snapshots) or lacks (a
# --data-dir's restarts and disk faults) the model does not use (docs/scale-out.md). On several,
# what a gateway keeps in memory is its own (docs/testing.md, "One seed, one run"), so these are
# left out of the draw:
NOT_ON_GATEWAYS = {
    # each gateway records the requests it serves: the run's recording would be two files whose
    # order between them is not kept
    "record": "--record",
}


# Under --count-refresh each gateway refreshes its own figures, on the descriptions it serves, and
# counts a table another gateway made at its first read: the model's one refresh is the first
# gateway's, so every request whose answer describes a table goes there (Servers.pinned)
DESCRIBING = ("CreateTable", "DescribeTable", "UpdateTable")


def drawn(modes):
    """The seed's modes as this backend runs them. On several gateways TTL is set in one region only
    (not "ttl_west"): a clock step waits for its own gateway's workers, so where one gateway
    replicates and another sweeps, a replica's sweep may run before its copy of an item has caught
    up with the newer write, and expire the older copy (docs/testing.md, "One seed, one run")."""
    if GATEWAYS > 1:
        modes.pop("ttl_west", None)
    return modes


def allowed(modes):
    """The modes of `modes` that may be drawn on this backend (a data directory: not on RADOS)."""
    return tuple(m for m in modes if (GATEWAYS == 1 or m not in NOT_ON_GATEWAYS) and not (ON_RADOS and m == "disk"))


def describe():
    if not ON_RADOS:
        return "in memory"
    return "RADOS, %d gateway%s (DDBD_STORE_ARGS=%r DDBD_GATEWAYS=%d)" % (
        GATEWAYS, "s" if GATEWAYS > 1 else "", STORE_ARGS, GATEWAYS)


def store_args(compat, data_dir=None):
    """A new server's store arguments: on RADOS a pool namespace no other server has; in memory,
    or on `data_dir` (the "disk" mode's: tests/model/driver.py)."""
    args = compat.store_args()
    if not ON_RADOS:
        return ["--data-dir", data_dir] if data_dir else list(args)
    pool = args[list(args).index("--rados-pool") + 1]
    return list(compat.store_args("%s-%s" % (pool.partition("/")[2] or "model", uuid.uuid4().hex[:12])))


class Servers:
    """The gateways of one store, started with `args`: one, or $DDBD_GATEWAYS on RADOS."""

    def __init__(self, compat, args):
        self.servers = []
        self.pinned = ()   # operations every client of several gateways sends to the first
        self.made = []   # (client, server): each client made, to follow its server's restarts
        for _ in range(GATEWAYS):
            self.servers.append(compat.DdbdServer(args).start())
        self.endpoint = self.servers[0].endpoint

    def client(self, *args, **kwargs):
        clients = [Client(s.endpoint, *args, **kwargs) for s in self.servers]
        self.made += list(zip(clients, self.servers))
        return clients[0] if len(clients) == 1 else Alternating(clients, self.pinned)

    def restart(self, kill=False, shards=None):
        """Each stopped (SIGTERM; SIGKILL with `kill`) and started again with its arguments (its data
        directory), with `--shards` set to `shards` when given: the first exit code that is not the
        signal's (0, or -9), else that."""
        want = -signal.SIGKILL if kill else 0
        codes = [s.stop(signal.SIGKILL if kill else signal.SIGTERM) for s in self.servers]
        for s in self.servers:
            if shards:
                if "--shards" in s.argv:
                    s.argv[s.argv.index("--shards") + 1] = str(shards)
                else:
                    s.argv[s.argv.index("--data-dir"):s.argv.index("--data-dir")] = ["--shards", str(shards)]
            client.UNCHARGED_SEEN.pop(s.port, None)
            s.start()
            client.UNCHARGED_SEEN.pop(s.port, None)   # (its metrics start again)
        for c, s in self.made:   # (a port taken meanwhile: start() chose another)
            c.close()
            c.endpoint, c.port = s.endpoint, s.port
        return next((c for c in codes if c != want), want)

    def stop(self):
        """SIGTERM to each: the first exit code that is not 0 (None: killed), else 0."""
        codes = [s.stop() for s in self.servers]
        return next((c for c in codes if c != 0), 0)

    def stderr_text(self):
        return "".join("--- gateway %d:\n%s" % (n, s.stderr_text()) if len(self.servers) > 1 else s.stderr_text()
                       for n, s in enumerate(self.servers))


class Alternating:
    """Clients of the gateways of one store (client.Client's calls): each API request to the next
    gateway. The admin door's calls go to every gateway, since what they set (the frozen clock,
    fault rules) and what they report (GET /ddbd/usage: the requests a gateway served) is each
    gateway's own; the usage reports' tables are listed together, which the driver sums by name
    (as it does a global table's regions). An operation of `pinned` goes to the first gateway."""

    def __init__(self, clients, pinned=()):
        self.clients = clients
        self.pinned = pinned
        self.turn = 0
        self.last = clients[0]   # the client of the latest call

    def call(self, op, body, **kw):
        if op in self.pinned:
            self.last = self.clients[0]
        else:
            self.last = self.clients[self.turn % len(self.clients)]
            self.turn += 1
        return self.last.call(op, body, **kw)

    def lost_was_uncharged(self):
        return self.last.lost_was_uncharged()

    def admin(self, method, path, body=None):
        answers = [c.admin(method, path, body) for c in self.clients]
        refused = [a for a in answers if a[0] != 200]
        if refused:
            return refused[0]
        if method == "GET" and path == "/ddbd/usage":
            merged = dict(answers[0][1])
            merged["tables"] = [t for _, a in answers for t in a.get("tables", [])]
            return 200, merged
        return answers[0]

    def close(self):
        for c in self.clients:
            c.close()
