#!/usr/bin/env python3
"""One wrk run against one server, with the server's CPU time measured over exactly that run.

usage: wrkcpu.py --pid PID --server NAME --url URL --lua FILE --workload W --conns C
                 --duration S [--threads 1] [--round R] [--raw FILE] [--jsonl FILE]
                 [--warmup]

* Before spawning wrk, and again right after it exits, it reads utime+stime+cutime+cstime
  (clock ticks) from /proc/<pid>/stat for PID and every descendant process (the per-process
  figures already include all threads).  The delta is the server's CPU time for the run.
* wrk's own CPU comes from getrusage(RUSAGE_CHILDREN) around the run (wrk is the only child).
* The whole machine's busy time (/proc/stat) is read too, so the CPU used by everything else
  on the box during the run ("other") can be shown.
* CPU us/request = server CPU delta / completed requests (wrk's summary.requests).

With --warmup nothing is recorded (the run only warms the server up).
Otherwise one JSON object is appended to --jsonl and a one-line summary is printed.
The Lua script must print the RESULT line of the shared harness (lua/common.lua).
"""
import argparse
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time

TCK = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid):
    with open(f"/proc/{pid}/stat") as f:
        s = f.read()
    return s[s.rindex(")") + 2:].split()   # fields from 'state' (field 3) on


def descendants(root):
    children = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                ppid = int(_stat_fields(d)[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def tree_cpu_ticks(root):
    """utime+stime+cutime+cstime summed over root and its descendants; None if root is gone."""
    total = 0
    alive = False
    for p in descendants(root):
        try:
            f = _stat_fields(p)
        except OSError:
            continue
        if p == root:
            alive = f[0] not in ("Z", "X")
        # fields 14..17 (1-based) = utime stime cutime cstime -> index 11..14 here
        total += int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])
    return total if alive else None


def machine_ticks():
    """(busy, steal) ticks over all CPUs: busy = user+nice+system+irq+softirq."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]] + [0] * 8
    return v[0] + v[1] + v[2] + v[5] + v[6], v[7]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--server", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--lua", required=True)
    ap.add_argument("--workload", required=True)
    ap.add_argument("--conns", type=int, required=True)
    ap.add_argument("--duration", type=float, required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--round", type=int, default=1)
    ap.add_argument("--raw")
    ap.add_argument("--jsonl")
    ap.add_argument("--warmup", action="store_true")
    a = ap.parse_args()

    def _bye(signum, frame):
        raise SystemExit(128 + signum)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, _bye)

    threads = max(1, min(a.threads, a.conns))
    dur = max(1, int(round(a.duration)))
    cmd = ["timeout", "-k", "5", str(dur + 60), "wrk", f"-t{threads}", f"-c{a.conns}", f"-d{dur}s",
           "--timeout", "10s", "--latency", "-s", a.lua, a.url]

    if tree_cpu_ticks(a.pid) is None:
        print(f"{a.server:9s} {a.workload:10s} c{a.conns:<3d} r{a.round}  FAILED: server pid {a.pid} is not running",
              flush=True)
        if a.jsonl and not a.warmup:
            with open(a.jsonl, "a") as f:
                f.write(json.dumps({"server": a.server, "workload": a.workload, "conns": a.conns,
                                    "round": a.round, "valid": False,
                                    "flags": ["server not running"]}) + "\n")
        return 3

    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy0, steal0 = machine_ticks()
    cpu0 = tree_cpu_ticks(a.pid)
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=dur + 90)
    finally:
        if proc.poll() is None:          # interrupted or hung: stop timeout+wrk (their own group)
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    t1 = time.monotonic()
    cpu1 = tree_cpu_ticks(a.pid)
    busy1, steal1 = machine_ticks()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)

    if a.raw:
        with open(a.raw, "w") as f:
            f.write(f"# {' '.join(cmd)}\n# exit={proc.returncode} wall_s={t1 - t0:.3f}\n")
            f.write(out)
    if a.warmup:
        return 0

    rec = {"server": a.server, "workload": a.workload, "conns": a.conns, "round": a.round,
           "threads": threads, "duration_s": dur, "wall_s": round(t1 - t0, 3),
           "wrk_exit": proc.returncode, "loadavg": open("/proc/loadavg").read().split()[:3],
           "valid": False, "flags": []}
    m = re.search(r"^RESULT (.*)$", out, re.M)
    if not m:
        rec["flags"].append("no RESULT line from wrk (see raw output)")
    else:
        kv = dict(x.split("=", 1) for x in m.group(1).split())
        reqs = int(kv["requests"])
        rec.update(requests=reqs, rps=float(kv["rps"]), p50_ms=float(kv["p50_ms"]),
                   p90_ms=float(kv["p90_ms"]), p99_ms=float(kv["p99_ms"]), max_ms=float(kv["max_ms"]),
                   non2xx=int(kv["non2xx"]), sockerr=int(kv["sockerr"]), timeouts=int(kv["timeouts"]),
                   codes=kv.get("codes", "-"))
        eb = re.search(r"^FIRST_ERROR_BODY (.*)$", out, re.M)
        if eb:
            rec["first_error_body"] = eb.group(1)[:300]
        wall = t1 - t0
        wrk_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        rec["wrk_cpu_s"] = round(wrk_cpu, 3)
        rec["wrk_cpu_pct"] = round(100 * wrk_cpu / wall, 1) if wall > 0 else None
        if cpu1 is None:
            rec["flags"].append("server died during the run")
        else:
            scpu = (cpu1 - cpu0) / TCK
            rec["server_cpu_s"] = round(scpu, 3)
            rec["server_cpu_pct"] = round(100 * scpu / wall, 1) if wall > 0 else None
            rec["cpu_us_per_req"] = round(scpu * 1e6 / reqs, 2) if reqs else None
            ncpu = os.cpu_count() or 1
            busy = (busy1 - busy0) / TCK
            rec["machine_busy_pct"] = round(100 * busy / wall, 1) if wall > 0 else None
            rec["other_cpu_pct"] = round(max(0.0, 100 * (busy - scpu - wrk_cpu) / wall), 1) if wall > 0 else None
            rec["steal_pct"] = round(100 * (steal1 - steal0) / TCK / wall, 1) if wall > 0 else None
            rec["ncpu"] = ncpu
        if reqs == 0:
            rec["flags"].append("no completed requests")
        if rec["non2xx"]:
            rec["flags"].append(f"{rec['non2xx']} non-2xx responses ({rec['codes']})")
        if rec["sockerr"] or rec["timeouts"]:
            rec["flags"].append(f"socket errors {rec['sockerr']}, timeouts {rec['timeouts']}")
        rec["valid"] = not rec["flags"]
        if rec.get("wrk_cpu_pct") and rec["wrk_cpu_pct"] >= 90 * threads:
            rec["client_bound"] = True
    if proc.returncode != 0 and "no RESULT" not in " ".join(rec["flags"]):
        rec["flags"].append(f"wrk exit status {proc.returncode}")
        rec["valid"] = False

    if a.jsonl:
        with open(a.jsonl, "a") as f:
            f.write(json.dumps(rec, sort_keys=True) + "\n")
    if "rps" in rec:
        print(f"{a.server:9s} {a.workload:10s} c{a.conns:<3d} r{a.round}  {rec['rps']:9.0f} req/s  "
              f"p50 {rec['p50_ms']:7.3f} ms  p99 {rec['p99_ms']:7.3f} ms  "
              f"cpu/req {rec.get('cpu_us_per_req') or float('nan'):8.1f} us  "
              f"server {rec.get('server_cpu_pct') or 0:5.1f}%  wrk {rec.get('wrk_cpu_pct') or 0:5.1f}%  "
              f"other {rec.get('other_cpu_pct') or 0:5.1f}%"
              + ("" if rec["valid"] else "  INVALID: " + "; ".join(rec["flags"]))
              + ("  CLIENT-BOUND" if rec.get("client_bound") else ""), flush=True)
    else:
        print(f"{a.server:9s} {a.workload:10s} c{a.conns:<3d} r{a.round}  FAILED: {'; '.join(rec['flags'])}",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
