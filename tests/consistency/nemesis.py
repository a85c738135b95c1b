"""The nemesis: faults one at a time on a seeded schedule, each recorded in the history as a nemesis
event (with its target) when it starts and when it is healed. What a fault does is the system's:
RocksServer below (one ddbd on a --data-dir), rados.py's RadosSystem (gateways on a Ceph pool).

RocksDB's faults:
  kill   kill -9, then a restart on the same --data-dir and port (the default sync mode promises
         that every acknowledged write survives this: README, --sync)
  stop   SIGSTOP past the clients' timeout, then SIGCONT (their calls end unknown)
  disk   a full disk: the --min-free-disk guard reads 0 bytes free (POST /ddbd/faults, docs/admin.md)
         and every write is refused with a 500, then room again
"""
import json
import signal
import threading
import urllib.request

from client import DdbdServer

FAULTS = ("kill", "stop", "disk")


class RocksServer:
    """One ddbd on a data directory, restarted on the same port after a kill. amnesia (a known
    violation for --inject): the store is --in-memory, so every kill loses every acknowledged write;
    `after_restart` then creates the table again. bug: a deliberate bug armed in the server
    (DDBD_BUG, server/base/faults.h), another known violation."""

    def __init__(self, data_dir, amnesia=False, after_restart=None, bug=None):
        self.args = (["--in-memory"] if amnesia else ["--data-dir", data_dir]) + ["--admin"]
        self.env = {"DDBD_BUG": bug} if bug else None  # a deliberate bug (server/base/faults.h)
        if bug:  # the races need requests served at once: connections spread over 4 loops, not
            self.args += ["--threads", "4"]  # all on one of a 2-core machine's 2 by chance
        self.srv = DdbdServer(self.args, env=self.env).start()
        self.port, self.endpoint, self.after_restart = self.srv.port, self.srv.endpoint, after_restart

    def kill9(self):
        self.srv.proc.send_signal(signal.SIGKILL)
        self.srv.proc.wait()

    def restart(self):
        self.srv = DdbdServer(self.args, port=self.port, env=self.env).start()
        if self.after_restart:
            self.after_restart(self.endpoint)

    def signal(self, sig):
        self.srv.proc.send_signal(sig)

    def disk_full(self, full):
        body = json.dumps({"free_bytes": 0} if full else {}).encode()
        req = urllib.request.Request(self.endpoint + "/ddbd/faults", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()

    def target(self, fault, rng):
        return "ddbd"

    def fault(self, fault, target, hold, halt, client_timeout):
        """Breaks the server, holds about `hold` seconds, heals it (`halt`, the run's end, shortens the hold)."""
        if fault == "kill":
            self.kill9()
            halt.wait(min(hold, 0.5))
            self.restart()
        elif fault == "stop":
            self.signal(signal.SIGSTOP)
            halt.wait(max(hold, 1.5 * client_timeout))  # past the timeout: calls end unknown
            self.signal(signal.SIGCONT)
        elif fault == "disk":
            self.disk_full(True)
            halt.wait(hold)
            self.disk_full(False)

    def stop(self):
        self.srv.proc.send_signal(signal.SIGCONT)
        return self.srv.stop()


class Nemesis(threading.Thread):
    """About every `interval` seconds one fault, held about `hold` seconds, then healed: the
    faults in turn, each round in a seeded order, so that a short run still has each of them."""

    def __init__(self, server, faults, rng, recorder, interval=4.0, hold=1.5, client_timeout=1.0):
        super().__init__(daemon=True)
        self.server, self.faults, self.rng, self.rec = server, list(faults), rng, recorder
        self.interval, self.hold, self.client_timeout = interval, hold, client_timeout
        self.halt = threading.Event()
        self.count = {f: 0 for f in self.faults}
        self.error = None

    def run(self):
        order = []
        try:
            while self.faults and not self.halt.wait(self.interval * (0.5 + self.rng.random())):
                if not order:
                    order = self.rng.sample(self.faults, len(self.faults))
                self.inject(order.pop())
        except BaseException as e:  # a restart that failed (conftest raises pytest.fail): the run reports it
            self.error = "%s: %s" % (type(e).__name__, e)

    def inject(self, fault):
        self.count[fault] += 1
        hold = self.hold * (0.5 + self.rng.random())
        target = self.server.target(fault, self.rng)
        self.rec.add(type="nemesis", f=fault, value="start", target=target)
        self.server.fault(fault, target, hold, self.halt, self.client_timeout)
        self.rec.add(type="nemesis", f=fault, value="healed", target=target)
