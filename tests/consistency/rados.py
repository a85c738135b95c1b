"""The RADOS system under test: gateways (ddbd --backend rados) on one pool namespace of a loopback
Ceph cluster (deploy/ceph-cluster.sh), and the faults the nemesis injects into it, each chosen,
held and healed here (nemesis.py schedules them):

  kill       kill -9 of a gateway, then a restart on the same port (it resolves the intents it left)
  stop       SIGSTOP of a gateway past the intent lease and the task lease, then SIGCONT: the others
             roll its pending transactions back meanwhile, and it must find out at its commit point
  osd        kill -9 of an OSD, then its return (memstore: it comes back empty and is refilled from
             its two peers); healed once every placement group is active+clean again, so that the
             next fault never takes a second copy of data that has one
  partition  the last gateway, which runs in a network namespace of its own (netns.py), cut from
             the cluster (its calls stall where they are) past the leases, then healed: its held
             writes then arrive late, after the others rolled its transactions back

Clients reach every gateway, the partitioned one included (a call it cannot finish times out:
unknown). The leases are shortened for the run (DDBD_RADOS_INTENT_LEASE_MS, DDBD_TASK_LEASE_MS) so
that a short run holds each fault past them several times.
"""
import os
import signal
import subprocess
import time

from client import DdbdServer, free_port
import netns

FAULTS = ("kill", "stop", "osd", "partition")
ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CLUSTER_SH = os.path.join(ROOT, "deploy", "ceph-cluster.sh")


def ceph(conf, *args, timeout=30):
    """The ceph CLI's output ("" when it did not answer in time: `pg stat` waits for the manager)."""
    try:
        return subprocess.run(["ceph", "-c", conf, "--connect-timeout", "20"] + list(args), capture_output=True,
                              text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        return ""


class Cluster:
    """A loopback cluster: the one deploy/ceph-cluster.sh started under `ceph_dir`, or (ceph_dir None)
    one started here in `scratch` and stopped by stop()."""

    def __init__(self, ceph_dir, scratch):
        self.owned = ceph_dir is None
        self.dir = os.path.join(scratch, "ceph") if self.owned else os.path.abspath(ceph_dir)
        if self.owned:
            out = subprocess.run(["bash", CLUSTER_SH, "start", self.dir], capture_output=True, text=True)
            if out.returncode != 0:
                raise RuntimeError("the cluster did not start: %s" % out.stderr[-2000:])
        self.conf = os.path.join(self.dir, "ceph.conf")
        with open(self.conf) as f:
            self.mon_port = int(f.read().split("mon host = [v2:127.0.0.1:", 1)[1].split("]", 1)[0])
        self.osds = sorted(int(n[4:-4]) for n in os.listdir(os.path.join(self.dir, "run"))
                           if n.startswith("osd.") and n.endswith(".pid"))

    def osd_pid(self, n):
        with open(os.path.join(self.dir, "run", "osd.%d.pid" % n)) as f:
            return int(f.read().strip())

    def kill_osd(self, n):
        pid = self.osd_pid(n)
        os.kill(pid, signal.SIGKILL)
        while os.path.exists("/proc/%d" % pid) and _state(pid) != "Z":
            time.sleep(0.05)

    def start_osd(self, n):
        out = subprocess.run(["ceph-osd", "-c", self.conf, "-i", str(n)], capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError("osd.%d did not start again: %s" % (n, out.stderr[-2000:]))

    def wait_clean(self, deadline):
        """Until every OSD is up and every placement group active+clean (the state start left)."""
        while True:
            up = ceph(self.conf, "osd", "stat", "-f", "json")
            pgs = ceph(self.conf, "pg", "stat")
            n = len(self.osds)
            if '"num_up_osds":%d' % n in up.replace(" ", "") and _all_clean(pgs):
                return
            if time.monotonic() > deadline:
                raise RuntimeError("the cluster did not recover: %s / %s" % (up.strip(), pgs.strip()))
            time.sleep(0.5)

    def stop(self):
        if self.owned:
            subprocess.run(["bash", CLUSTER_SH, "stop", self.dir], capture_output=True)


def _state(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "X"


def _all_clean(pg_stat):
    """`ceph pg stat`: "17 pgs: 17 active+clean; ..." (every group in one state, that one)."""
    head = pg_stat.split(";", 1)[0]
    try:
        total, states = head.split(" pgs: ", 1)
    except ValueError:
        return False
    return states.strip() == "%s active+clean" % total.strip()


class RadosSystem:
    """`gateways` gateways on pool namespace `pool` (POOL/NAMESPACE) of the cluster; with
    `partition`, the last in a network namespace of its own (netns.Unavailable when none can be
    made: the caller drops the fault and says why)."""

    def __init__(self, cluster, gateways, pool, partition, lease_ms, delay_ms=0):
        self.cluster, self.lease_ms = cluster, lease_ms
        self.env = {"DDBD_RADOS_INTENT_LEASE_MS": str(lease_ms), "DDBD_TASK_LEASE_MS": str(lease_ms)}
        # the first gateway holds each transaction after deciding it (faults.h), so that a token's
        # call outlasts its client's timeout and is sent again elsewhere while it runs (promises.py)
        self.first_env = dict(self.env, DDBD_DELAY_POINT="transact-before-commit:%d" % delay_ms) if delay_ms else self.env
        self.args = ["--backend", "rados", "--rados-conf", cluster.conf, "--rados-pool", pool]
        self.ns = self.fwd = None
        if partition:
            self.ns = netns.Namespace()
            self.fwd = netns.Forwarder(self.ns, [cluster.mon_port] + list(netns.OSD_PORTS))
        self.gws, self.prefixes, self.logs = [], [], []
        for i in range(gateways):
            port, prefix = None, ()
            if self.ns is not None and i == gateways - 1:
                port, prefix = free_port(), self.ns.prefix
                self.fwd.http(port)
            self.gws.append(self._start(port, prefix, i))
            self.prefixes.append(prefix)
            self.logs.append([])
        self.endpoints = [g.endpoint for g in self.gws]

    def _start(self, port, prefix, i):
        env = self.first_env if i == 0 else self.env
        return DdbdServer(self.args, port=port, prefix=prefix, env=env).start(timeout=30)

    def target(self, fault, rng):
        if fault in ("kill", "stop"):
            return "gw%d" % rng.randrange(len(self.gws))
        if fault == "osd":
            return "osd.%d" % rng.choice(self.cluster.osds)
        return "gw%d" % (len(self.gws) - 1)

    def fault(self, fault, target, hold, halt, client_timeout):
        """Breaks `target`, holds about `hold` seconds (past the leases where the fault is about
        them), heals it; `halt` (the run's end) shortens only the hold."""
        past_lease = max(hold, self.lease_ms / 1000.0 + 1.0)
        if fault == "osd":
            n = int(target[4:])
            self.cluster.kill_osd(n)
            halt.wait(hold)
            self.cluster.start_osd(n)
            self.cluster.wait_clean(time.monotonic() + 180)
            return
        gw = self.gws[int(target[2:])]
        if fault == "kill":
            gw.kill()
            i = int(target[2:])
            self.logs[i].append(gw.stderr_text())
            halt.wait(min(hold, 0.5))
            self.gws[i] = self._start(gw.port, self.prefixes[i], i)
        elif fault == "stop":
            gw.proc.send_signal(signal.SIGSTOP)
            halt.wait(max(past_lease, 1.5 * client_timeout))
            gw.proc.send_signal(signal.SIGCONT)
        elif fault == "partition":
            self.fwd.cut()
            halt.wait(past_lease)
            self.fwd.heal()

    def stop(self):
        for g in self.gws:
            if g.proc is not None and g.proc.poll() is None:
                g.proc.send_signal(signal.SIGCONT)
        if self.fwd is not None:
            self.fwd.heal()
        codes = [g.stop() for g in self.gws]
        for i, g in enumerate(self.gws):
            self.logs[i].append(g.stderr_text())
        if self.fwd is not None:
            self.fwd.close()
        if self.ns is not None:
            self.ns.close()
        return codes

    def save_logs(self, path):
        """Every gateway's stderr, each run of it (a kill starts a new one), into `path`."""
        with open(path, "w") as f:
            for i, runs in enumerate(self.logs):
                for n, text in enumerate(runs):
                    f.write("==== gw%d, run %d\n%s" % (i, n + 1, text))

    def recoveries(self):
        """What the gateways' logs say they resolved of another's (or a dead run's) transactions."""
        text = "".join("".join(runs) for runs in self.logs)
        return {"rolled_back": text.count("rolling back abandoned write intent"),
                "rolled_forward": text.count("rolling forward committed write intent")}
