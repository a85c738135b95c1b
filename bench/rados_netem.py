#!/usr/bin/env python3
"""ddbd on RADOS behind a simulated network: the gateways' round trips to the cluster each pay an
added delay, and the synchronous request path (--rados-inflight 0) is measured beside the
asynchronous one (request workers), for 1, 2 and 4 gateways, in one run (issue 43; bench/README.md,
"On a simulated network"; docs/scale-out.md, "On a simulated network (added delay)").

usage: rados_netem.py [--conf CEPH_CONF] [--delays "0 0.25 1 2"] [--gateways "1 2 4"]
                      [--workloads "getitem putitem query transact_write4"] [--modes "sync async"]
                      [--conns-per-gateway 64] [--duration 4] [--warmup 1] [--one-client 3]
                      [--variant LABEL=BINARY[:extra args]]... [--report FILE] [--out DIR]
       rados_netem.py --from-results DIR/results.jsonl [the same options]   (the report again)

How: this kernel has no sch_netem, so bench/delay_proxy.c (built here with cc) makes a network
namespace whose only road to the machine's 127.0.0.1 is itself: it listens inside on the
monitor's port and Ceph's OSD/manager range (6800-7300) and forwards each connection to the same
port outside, holding every chunk D ms each way. The gateways AND the load generator run inside
that namespace (this script setns()es into it before starting them), so client <-> gateway stays
plain loopback and every gateway <-> cluster round trip costs 2 x D more. Delay 0 is the reference
row, without the proxy. The cluster (deploy/ceph-cluster.sh's, unless --conf) is loaded once
(shared setup.py, KV_N/TS_P/TS_S, default 20000/20/100: 256 transactions at once on
2,000 keys would mostly conflict) through a gateway outside.

For each delay and each variant (default: main = build/ddbd of this checkout; --variant
LABEL=BINARY[:extra gateway args], repeatable, to compare builds), max(--gateways) gateways per
mode are started (sync: --rados-inflight 0; async: the default bound), one at a time. For every
workload, each (variant, mode, G) cell runs wrk (1 thread, --conns-per-gateway connections per
gateway, one wrk per gateway) after an unrecorded warm-up, and then one client alone on one
gateway (the latency rows). Each cell records req/s, p50/p99 (the slowest gateway's wrk),
ddbd_rados_ops_total per request and the CPU (seconds per second) of the measured gateways, the
OSDs, mon + mgr, the delay proxy, wrk and the whole machine (bench/rados_measure.py's accounting).

Needs root (a network namespace), wrk, cc, Ceph's daemons and a ddbd built with librados.
"""
import argparse
import ctypes
import json
import os
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import rados_measure as rm  # noqa: E402  (proc_cpu, machine_busy, ceph_pids, rados_ops)

CLONE_NEWNET = 0x40000000
OSD_PORTS = "6800-7300"  # Ceph's ms_bind_port_min..max: the OSDs' and the manager's addresses
_libc = ctypes.CDLL(None, use_errno=True)
NAMES = {"getitem": "GetItem", "putitem": "PutItem", "query": "Query",
         "transact_write4": "TransactWriteItems (4 Puts)"}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def setns(fd):
    """Moves this (main) thread, and so every process it starts from now on, into namespace fd."""
    if _libc.setns(fd, CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, "setns: %s" % os.strerror(e))


class Proxy:
    """bench/delay_proxy.c at `delay_ms` each way; its namespace's fd while it runs."""

    def __init__(self, binary, delay_ms, mon_port, out):
        self.log = open(os.path.join(out, "proxy-%s.log" % delay_ms), "w")
        self.proc = subprocess.Popen([binary, str(delay_ms * 1000), str(mon_port), OSD_PORTS],
                                     stdout=subprocess.PIPE, stderr=self.log, text=True)
        if self.proc.stdout.readline().strip() != "READY":
            raise SystemExit("delay_proxy did not start (see %s)" % self.log.name)
        self.ns = os.open("/proc/%d/ns/net" % self.proc.pid, os.O_RDONLY)

    def stop(self):
        os.close(self.ns)
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Gateway:
    def __init__(self, binary, args, name, out):
        self.port = free_port()
        self.endpoint = "http://127.0.0.1:%d" % self.port
        self.logf = open(os.path.join(out, name + ".log"), "w")
        self.proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(self.port)] + args,
                                     stdout=self.logf, stderr=subprocess.STDOUT)
        for _ in range(600):
            try:
                urllib.request.urlopen(self.endpoint + "/", timeout=2).close()
                return
            except urllib.error.HTTPError:
                return  # it answers
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        raise SystemExit("gateway %s did not start: see %s" % (name, self.logf.name))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.logf.close()


def lua_path(workload, shared):
    mine = os.path.join(HERE, "lua", workload + ".lua")
    return mine if os.path.exists(mine) else os.path.join(shared, "lua", workload + ".lua")


def in_flight(gw):
    try:
        with urllib.request.urlopen(gw.endpoint + "/metrics", timeout=5) as resp:
            m = re.search(r"^ddbd_rados_requests (\d+)$", resp.read().decode(), re.M)
    except OSError:
        return 0
    return int(m.group(1)) if m else 0


def drain(gws, limit=60):
    """Waits until the gateways' request workers are idle: wrk closes its connections when its time
    is up, but the requests an asynchronous gateway has taken run to their end (on a busy cell, up
    to a few seconds of them), and would otherwise run into the next cell's figures."""
    deadline = time.monotonic() + limit
    while any(in_flight(g) for g in gws) and time.monotonic() < deadline:
        time.sleep(0.1)


def measure(cell, gws, conns, duration, lua, groups, proxy_pid, record=True):
    """One wrk per gateway at once; returns the cell's record (rm.run's, plus the proxy's CPU)."""
    groups = dict(groups, gateways=[g.proc.pid for g in gws], proxy=[proxy_pid] if proxy_pid else [])
    cpu0 = {k: sum(rm.proc_cpu(p) for p in ps) for k, ps in groups.items()}
    ops0 = [rm.rados_ops(g.endpoint) for g in gws]
    busy0, kids0, t0 = rm.machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    procs = [subprocess.Popen(["wrk", "-t1", "-c%d" % conns, "-d%ds" % duration, "--timeout", "30s", "-s", lua,
                               g.endpoint],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for g in gws]
    outs = [p.communicate()[0] for p in procs]
    wall, busy1, kids1 = time.monotonic() - t0, rm.machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1 = {k: sum(rm.proc_cpu(p) for p in ps) for k, ps in groups.items()}
    ops1 = [rm.rados_ops(g.endpoint) for g in gws]
    drain(gws)
    if not record:
        return None
    res = rm.wrk_results(outs)
    requests = sum(int(r["requests"]) for r in res)
    ops = rm.ops_delta(ops0, ops1)
    cpu = {k: (cpu1[k] - cpu0[k]) / wall for k in groups}
    cpu["wrk"] = (kids1.ru_utime + kids1.ru_stime - kids0.ru_utime - kids0.ru_stime) / wall
    cpu["machine"] = (busy1 - busy0) / wall
    rec = dict(cell, rps=sum(float(r["rps"]) for r in res),
               p50_ms=max(float(r["p50_ms"]) for r in res), p99_ms=max(float(r["p99_ms"]) for r in res),
               errors=sum(int(r["non2xx"]) + int(r["sockerr"]) for r in res), requests=requests, cpu=cpu,
               ops_per_req={k: v / max(requests, 1) for k, v in ops.items()})
    log("    %-5s %-8s %-6s G=%d c=%-4d %-15s %8.0f req/s  p50 %7.2f  p99 %7.2f ms  cpu gw %.2f osd %.2f "
        "proxy %.2f wrk %.2f all %.2f%s" % (
            "%gms" % cell["delay"], cell["variant"], cell["mode"], cell["gateways"], cell["conns"],
            cell["workload"], rec["rps"], rec["p50_ms"], rec["p99_ms"], cpu["gateways"], cpu.get("osd", 0),
            cpu["proxy"], cpu["wrk"], cpu["machine"], "  errors %d" % rec["errors"] if rec["errors"] else ""))
    return rec


def parse_variant(spec):
    label, _, rest = spec.partition("=")
    binary, _, extra = rest.partition(":")
    if not label or not binary:
        raise SystemExit("--variant LABEL=BINARY[:extra args], got %r" % spec)
    return label, os.path.abspath(binary), shlex.split(extra)


def mon_port(conf):
    m = re.search(r"^mon host = \[v2:127\.0\.0\.1:(\d+)\]", open(conf).read(), re.M)
    if not m:
        raise SystemExit("no 'mon host = [v2:127.0.0.1:PORT]' in %s (a deploy/ceph-cluster.sh cluster)" % conf)
    return int(m.group(1))


def run(a, out, conf, results):
    proxy_bin = os.path.join(out, "delay_proxy")
    subprocess.run(["cc", "-O2", "-Wall", "-o", proxy_bin, os.path.join(HERE, "delay_proxy.c")], check=True)
    run_dir = re.search(r"^run dir = (.*)$", open(conf).read(), re.M).group(1).strip()
    groups = rm.ceph_pids(run_dir)
    pool = "ddbd/netem-%d" % os.getpid()
    variants = [parse_variant(v) for v in a.variant] or [("main", os.path.join(ROOT, "build", "ddbd"), [])]
    base = ["--backend", "rados", "--rados-conf", conf, "--rados-pool", pool]
    mode_args = {"sync": ["--rados-inflight", "0"], "async": []}
    log("loading the tables (KV_N=%s TS_P=%s TS_S=%s)" % (os.environ["KV_N"], os.environ["TS_P"], os.environ["TS_S"]))
    g = Gateway(variants[0][1], base + variants[0][2], "load", out)
    try:
        subprocess.run([sys.executable, os.path.join(a.shared, "setup.py"), g.endpoint, "--quiet",
                        "--kv", os.environ["KV_N"], "--ts-partitions", os.environ["TS_P"],
                        "--ts-sorts", os.environ["TS_S"]], check=True)
    finally:
        g.stop()
    root_ns = os.open("/proc/self/ns/net", os.O_RDONLY)
    maxg = max(a.gateways)
    for delay in a.delays:
        proxy = Proxy(proxy_bin, delay, mon_port(conf), out) if delay > 0 else None
        try:
            if proxy:
                setns(proxy.ns)
            for label, binary, extra in variants:
                gws = {}
                try:
                    for mode in a.modes:  # one at a time: each resolves the intents it finds at open
                        gws[mode] = [Gateway(binary, base + mode_args[mode] + extra,
                                             "%s-%s-%s-%d" % (delay, label, mode, i), out) for i in range(maxg)]
                    for w in a.workloads:
                        lua = lua_path(w, a.shared)
                        for mode in a.modes:
                            for n in a.gateways:
                                cell = dict(delay=delay, variant=label, mode=mode, workload=w, gateways=n,
                                            conns=a.conns_per_gateway)
                                if a.warmup > 0:
                                    measure(cell, gws[mode][:n], a.conns_per_gateway, a.warmup, lua, groups,
                                            proxy and proxy.proc.pid, record=False)
                                results.append(measure(cell, gws[mode][:n], a.conns_per_gateway, a.duration,
                                                       lua, groups, proxy and proxy.proc.pid))
                            if a.one_client > 0:
                                cell = dict(delay=delay, variant=label, mode=mode, workload=w, gateways=1, conns=1)
                                results.append(measure(cell, gws[mode][:1], 1, a.one_client, lua, groups,
                                                       proxy and proxy.proc.pid))
                        with open(os.path.join(out, "results.jsonl"), "w") as f:
                            f.writelines(json.dumps(r) + "\n" for r in results)
                finally:
                    for ms in gws.values():
                        for gw in ms:
                            gw.stop()
        finally:
            setns(root_ns)
            if proxy:
                proxy.stop()


def fmt_cell(r):
    if not r:
        return "–"
    errors = " (%.1f%% errors)" % (100.0 * r["errors"] / max(r["requests"], 1)) if r["errors"] else ""
    return "%s · %.2f / %.2f%s" % ("{:,.0f}".format(r["rps"]), r["p50_ms"], r["p99_ms"], errors)


def report(results, a, meta):
    """The markdown: per delay, req/s · p50 / p99 of every (variant, mode) and async/sync; the CPU;
    the one-client latency against the delay."""
    by = {(r["delay"], r["variant"], r["mode"], r["workload"], r["gateways"], r["conns"]): r for r in results}
    variants = list(dict.fromkeys(r["variant"] for r in results))
    lines = [meta, ""]
    add = lines.append
    cols = [(v, m) for v in variants for m in a.modes]
    for delay in a.delays:
        add("### Added delay %s ms each way%s" % (
            "%g" % delay, " (no proxy: the reference)" if delay == 0 else " (RTT + %g ms)" % (2 * delay)))
        add("")
        add("req/s · p50 / p99 ms, %d connections per gateway:" % a.conns_per_gateway)
        add("")
        ratio_cols = [v for v in variants if {"sync", "async"} <= set(a.modes)]
        add("| workload | gateways | " + " | ".join("%s %s" % c for c in cols) +
            "".join(" | %s async/sync" % v for v in ratio_cols) + " |")
        add("|---|---:|" + "---:|" * (len(cols) + len(ratio_cols)))
        for w in a.workloads:
            for n in a.gateways:
                rs = [by.get((delay, v, m, w, n, a.conns_per_gateway)) for v, m in cols]
                ratios = []
                for v in ratio_cols:
                    s, y = by.get((delay, v, "sync", w, n, a.conns_per_gateway)), by.get(
                        (delay, v, "async", w, n, a.conns_per_gateway))
                    ratios.append("×%.1f" % (y["rps"] / s["rps"]) if s and y and s["rps"] > 0 else "–")
                add("| %s | %d | %s |%s" % (NAMES.get(w, w), n, " | ".join(fmt_cell(r) for r in rs),
                                           "".join(" %s |" % x for x in ratios)))
        add("")
        add("RADOS operations per request, reads + writes (ddbd_rados_ops_total; more than the one-client row:"
            " conflicts retried, markers met):")
        add("")
        add("| workload | gateways | " + " | ".join("%s %s" % c for c in cols) + " |")
        add("|---|---:|" + "---:|" * len(cols))
        for w in a.workloads:
            for n in a.gateways:
                cells = []
                for v, m in cols:
                    r = by.get((delay, v, m, w, n, a.conns_per_gateway))
                    o = r and r["ops_per_req"]
                    cells.append("%.2f + %.2f" % (o.get("read", 0), o.get("write", 0)) if o else "–")
                add("| %s | %d | %s |" % (NAMES.get(w, w), n, " | ".join(cells)))
        add("")
        add("CPU, cores (CPU seconds per second; the machine has %d): the gateways measured / the 3 OSDs / the "
            "delay proxy / wrk / the rest (mon + mgr, the idle gateways, anything else on the machine):"
            % os.cpu_count())
        add("")
        add("| workload | gateways | " + " | ".join("%s %s" % c for c in cols) + " |")
        add("|---|---:|" + "---|" * len(cols))
        for w in a.workloads:
            for n in a.gateways:
                cells = []
                for v, m in cols:
                    r = by.get((delay, v, m, w, n, a.conns_per_gateway))
                    c = r["cpu"] if r else None
                    rest = c and c["machine"] - c["gateways"] - c.get("osd", 0) - c["proxy"] - c["wrk"]
                    cells.append("%.2f / %.2f / %.2f / %.2f / %.2f" % (
                        c["gateways"], c.get("osd", 0), c["proxy"], c["wrk"], max(rest, 0)) if c else "–")
                add("| %s | %d | %s |" % (NAMES.get(w, w), n, " | ".join(cells)))
        add("")
    if a.one_client > 0:
        add("### One client alone, one gateway: p50 ms (its rise over delay 0 in round trips of 2 × delay;"
            " RADOS operations per request)")
        add("")
        add("| workload | variant mode | " + " | ".join("%g ms" % d for d in a.delays) + " |")
        add("|---|---|" + "---:|" * len(a.delays))
        for w in a.workloads:
            for v, m in cols:
                base = by.get((0, v, m, w, 1, 1)) if 0 in a.delays else None
                cells = []
                for d in a.delays:
                    r = by.get((d, v, m, w, 1, 1))
                    if not r:
                        cells.append("–")
                        continue
                    # "batched" and "sequential" count the same operations again (sent together;
                    # waited for in turn: a build since issue 43's round-trip work has the latter)
                    opr = r["ops_per_req"]
                    ops = sum(x for k, x in opr.items() if k not in ("batched", "sequential"))
                    rise = " (+%.2f RT)" % ((r["p50_ms"] - base["p50_ms"]) / (2 * d)) if base and d > 0 else ""
                    turns = ", %.1f in turn" % opr["sequential"] if "sequential" in opr else ""
                    cells.append("%.2f%s; %.1f ops%s" % (r["p50_ms"], rise, ops, turns))
                add("| %s | %s %s | %s |" % (NAMES.get(w, w), v, m, " | ".join(cells)))
        add("")
    errors = sum(r["errors"] for r in results)
    add("Errors (non-2xx or socket errors) over the whole run: %d." % errors)
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conf", help="a running deploy/ceph-cluster.sh cluster's ceph.conf (default: start one)")
    ap.add_argument("--delays", default="0 0.25 1 2", help="ms each way; 0 = no proxy")
    ap.add_argument("--gateways", default="1 2 4")
    ap.add_argument("--workloads", default="getitem putitem query transact_write4")
    ap.add_argument("--modes", default="sync async")
    ap.add_argument("--conns-per-gateway", type=int, default=64)
    ap.add_argument("--duration", type=int, default=4, help="whole seconds (wrk's unit)")
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--one-client", type=int, default=3, help="seconds of the one-client rows (0: none)")
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL=BINARY[:ARGS]")
    ap.add_argument("--report", help="also write the markdown report here")
    ap.add_argument("--out", help="results and logs (default: a new /tmp/ddbd-netem-*)")
    ap.add_argument("--from-results", metavar="JSONL", help="no run: the report of an earlier run's results.jsonl"
                    " (give the same --delays/--gateways/--workloads/--modes/--conns-per-gateway)")
    a = ap.parse_args()
    a.delays = [float(x) for x in a.delays.replace(",", " ").split()]
    a.gateways = [int(x) for x in a.gateways.split()]
    a.workloads, a.modes = a.workloads.split(), a.modes.split()
    a.shared = os.environ.get("BENCH_SHARED") or os.path.join(ROOT, "..", "shared", "bench")
    if not os.path.exists(os.path.join(a.shared, "setup.py")):
        a.shared = "/work/shared/bench"
    os.environ["BENCH_SHARED"] = a.shared  # bench/lua/transact_common.lua finds common.lua through it
    for k, v in (("KV_N", "20000"), ("TS_P", "20"), ("TS_S", "100")):
        os.environ.setdefault(k, v)
    for tool in ("wrk", "cc"):
        if not shutil.which(tool):
            raise SystemExit("missing tool: %s" % tool)
    if a.from_results:
        text = report([json.loads(line) for line in open(a.from_results)], a, "from %s" % a.from_results)
        print(text)
        if a.report:
            with open(a.report, "w") as f:
                f.write(text)
        return
    out = a.out or tempfile.mkdtemp(prefix="ddbd-netem-")
    os.makedirs(out, exist_ok=True)
    log("results and logs: %s" % out)
    ceph_dir, conf = None, a.conf
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # the finally blocks stop what was started
    results, t0 = [], time.time()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    try:
        if not conf:
            ceph_dir = os.path.join(out, "ceph")
            conf = subprocess.run([os.path.join(ROOT, "deploy", "ceph-cluster.sh"), "start", ceph_dir],
                                  check=True, stdout=subprocess.PIPE, text=True).stdout.strip().splitlines()[-1]
        run(a, out, conf, results)
    finally:
        if ceph_dir:
            subprocess.run([os.path.join(ROOT, "deploy", "ceph-cluster.sh"), "stop", ceph_dir],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], stdout=subprocess.PIPE,
                         text=True).stdout.strip()
    meta = ("`bench/rados_netem.py %s` at %s (%s, %.0f s in all; %g s cells after %g s warm-ups, one client %g s;"
            " %d cores)" % (" ".join(shlex.quote(x) for x in sys.argv[1:]), rev, started, time.time() - t0,
                            a.duration, a.warmup, a.one_client, os.cpu_count()))
    text = report(results, a, meta)
    print(text)
    with open(os.path.join(out, "report.md"), "w") as f:
        f.write(text)
    if a.report:
        with open(a.report, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
