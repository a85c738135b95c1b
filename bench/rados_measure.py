#!/usr/bin/env python3
"""One measurement of bench/rados_gateways.sh, and its report (bench/README.md, "RADOS").

usage: rados_measure.py run --config NAME --workload W --lua FILE --conns N --duration S
                            --out FILE --ceph-run DIR --gateway-pids P,P.. ENDPOINT...
       rados_measure.py report FILE WORKLOADS CONFIGS

run: one wrk per endpoint at once (N split among them), and over exactly that time
  * the CPU time (utime+stime, /proc/PID/stat) of the gateways (--gateway-pids), of the OSDs and
    of the monitor and manager (the pid files in the cluster's run directory, --ceph-run), of
    the wrk processes (getrusage of this process's children) and of the whole machine
    (/proc/stat), in seconds of CPU per second of run: on 2 cores, 2.0 is everything;
  * each endpoint's RADOS round trips (ddbd_rados_ops_total in GET /metrics, every call to the
    cluster: rados_lib.h) before and after, divided by the requests wrk completed: the cost of a
    request, read, write and batched (reads in flight together) apart. The gateways' background
    work (lease checks, ~2-5 reads a second each) is in it, negligible at these rates.
  Appends one JSON object to --out.

report: medians over the rounds of every (workload, config) in FILE: req/s, p50 and p99 (of the
  slowest gateway's wrk), RADOS operations per request, and where the CPU went.
"""
import argparse
import collections
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import urllib.request

TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TCK  # utime, stime
    except (OSError, ValueError):
        return 0.0


def machine_busy():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) / TCK  # all but idle and iowait


def ceph_pids(run_dir):
    """{'osd': [pids], 'mon+mgr': [pids]} from the cluster's pid files."""
    out = collections.defaultdict(list)
    for name in sorted(os.listdir(run_dir)) if run_dir and os.path.isdir(run_dir) else []:
        if not name.endswith(".pid"):
            continue
        try:
            with open(os.path.join(run_dir, name)) as f:
                pid = int(f.read().strip())
        except (OSError, ValueError):
            continue
        out["osd" if name.startswith("osd.") else "mon+mgr"].append(pid)
    return out


def rados_ops(endpoint):
    try:
        with urllib.request.urlopen(endpoint + "/metrics", timeout=5) as resp:
            text = resp.read().decode()
    except OSError:
        return {}
    return {k: int(v) for k, v in re.findall(r'^ddbd_rados_ops_total\{op="(\w+)"\} (\d+)$', text, re.M)}


def wrk_results(outs):
    """The RESULT line (bench/lua's done()) of each wrk's output, as a dict of its key=value pairs."""
    results = []
    for out in outs:
        line = next((l for l in out.splitlines() if l.startswith("RESULT ")), None)
        if line is None:
            sys.exit("wrk gave no RESULT line: %s" % out[-500:])
        results.append(dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv))
    return results


def ops_delta(ops0, ops1):
    """ddbd_rados_ops_total's increase per kind, summed over the gateways (rados_ops before, after)."""
    ops = collections.Counter()
    for before, after in zip(ops0, ops1):
        for k, v in after.items():
            ops[k] += v - before.get(k, 0)
    return ops


def run(a):
    groups = ceph_pids(a.ceph_run)
    groups["gateways"] = [int(p) for p in a.gateway_pids.split(",") if p]
    n = len(a.endpoints)
    conns = max(1, a.conns // n)
    cpu0 = {g: sum(proc_cpu(p) for p in ps) for g, ps in groups.items()}
    ops0 = [rados_ops(ep) for ep in a.endpoints]
    busy0, kids0, t0 = machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
    procs = [subprocess.Popen(["wrk", "-t1", "-c%d" % conns, "-d%ss" % a.duration, "-s", a.lua, ep],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for ep in a.endpoints]
    outs = [p.communicate()[0] for p in procs]
    wall, busy1, kids1 = time.monotonic() - t0, machine_busy(), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu1 = {g: sum(proc_cpu(p) for p in ps) for g, ps in groups.items()}
    ops1 = [rados_ops(ep) for ep in a.endpoints]
    results = wrk_results(outs)
    requests = sum(int(r["requests"]) for r in results)
    ops = ops_delta(ops0, ops1)
    cpu = {g: (cpu1[g] - cpu0[g]) / wall for g in groups}
    cpu["wrk"] = (kids1.ru_utime + kids1.ru_stime - kids0.ru_utime - kids0.ru_stime) / wall
    cpu["machine"] = (busy1 - busy0) / wall
    rec = {"config": a.config, "workload": a.workload, "gateways": n,
           "rps": sum(float(r["rps"]) for r in results),
           "p50_ms": max(float(r["p50_ms"]) for r in results),  # the slower gateway's percentile
           "p99_ms": max(float(r["p99_ms"]) for r in results),
           "errors": sum(int(r["non2xx"]) + int(r["sockerr"]) for r in results),
           "requests": requests, "cpu": cpu}
    if ops:
        per = {k: v / max(requests, 1) for k, v in ops.items()}
        rec["ops_per_req"] = per
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("    %-8s %-15s %8.0f req/s  p50 %6.2f ms  p99 %7.2f ms%s" % (
        a.config, a.workload, rec["rps"], rec["p50_ms"], rec["p99_ms"],
        "  errors %d" % rec["errors"] if rec["errors"] else ""), file=sys.stderr)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def report(path, workloads, configs):
    recs = collections.defaultdict(list)
    for line in open(path):
        r = json.loads(line)
        recs[(r["workload"], r["config"])].append(r)
    rounds = max((len(v) for v in recs.values()), default=0)
    print("medians of %d rounds" % rounds)
    print()
    print("| workload | config | req/s | p50 ms | p99 ms | errors | x of 1 gateway |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for w in workloads:
        one = med([r["rps"] for r in recs.get((w, "rados-1"), [])])
        for c in configs:
            rs = recs.get((w, c))
            if not rs:
                continue
            rps = med([r["rps"] for r in rs])
            scale = "x%.2f" % (rps / one) if c.startswith("rados-") and one == one and one > 0 else ""
            print("| %s | %s | %.0f | %.2f | %.2f | %d | %s |" % (
                w, c, rps, med([r["p50_ms"] for r in rs]), med([r["p99_ms"] for r in rs]),
                sum(r["errors"] for r in rs), scale))
    print()
    print("RADOS operations per request (ddbd_rados_ops_total deltas / requests; batched: reads in flight"
          " together, in read too)")
    print()
    print("| workload | config | read | batched | write | notify + other | total |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for w in workloads:
        for c in configs:
            rs = [r for r in recs.get((w, c), []) if "ops_per_req" in r]
            if not rs:
                continue
            g = lambda k: med([r["ops_per_req"].get(k, 0.0) for r in rs])  # noqa: E731
            total = g("read") + g("write") + g("notify") + g("other")
            print("| %s | %s | %.2f | %.2f | %.2f | %.3f | %.2f |" % (
                w, c, g("read"), g("batched"), g("write"), g("notify") + g("other"), total))
    print()
    print("CPU during the runs, in cores (CPU seconds per second; the machine has %d; anything else: the"
          " rest of the machine's busy time, other servers and users)" % os.cpu_count())
    print()
    print("| workload | config | gateways | OSDs | mon + mgr | wrk | anything else | machine |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for w in workloads:
        for c in configs:
            rs = recs.get((w, c))
            if not rs:
                continue
            g = lambda k: med([r["cpu"].get(k, 0.0) for r in rs])  # noqa: E731
            ours = g("gateways") + g("osd") + g("mon+mgr") + g("wrk")
            print("| %s | %s | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |" % (
                w, c, g("gateways"), g("osd"), g("mon+mgr"), g("wrk"), max(0.0, g("machine") - ours), g("machine")))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--config", required=True)
    r.add_argument("--workload", required=True)
    r.add_argument("--lua", required=True)
    r.add_argument("--conns", type=int, required=True)
    r.add_argument("--duration", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--ceph-run", default="")
    r.add_argument("--gateway-pids", default="")
    r.add_argument("endpoints", nargs="+")
    p = sub.add_parser("report")
    p.add_argument("file")
    p.add_argument("workloads")
    p.add_argument("configs")
    a = ap.parse_args()
    if a.cmd == "run":
        run(a)
    else:
        report(a.file, a.workloads.split(), a.configs.split())


if __name__ == "__main__":
    main()
