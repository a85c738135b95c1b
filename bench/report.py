#!/usr/bin/env python3
"""Build the markdown report of a compare.sh results directory.

usage: report.py RESULTS_DIR [--ours ddbd]

Reads RESULTS_DIR/meta.json, RESULTS_DIR/results.jsonl (one JSON object per measured wrk
run, written by wrkcpu.py) and RESULTS_DIR/startup/<server>.txt (output of the shared
startup.py), writes RESULTS_DIR/report.md and prints it.

Per workload and connection count: medians over the valid rounds of each server, then
"ddbd vs faster peer" ratios (faster = higher median req/s among the peers).  Runs with
non-2xx responses, socket errors or timeouts are invalid: they are shown, flagged, and left
out of the medians and ratios.
"""
import argparse
import collections
import json
import os
import re
import statistics
import sys

TARGET_TPUT = 4.0       # ddbd throughput >= 4x the faster peer (TARGET_WORKLOADS)
TARGET_CPU = 0.25       # ddbd CPU/request <= 1/4 of the faster peer's
TARGET_START_MS = 10.0
TARGET_RSS_MB = 10.0
TARGET_WORKLOADS = ("getitem", "putitem", "query_gsi", "putitem_2gsi", "transact_write4", "transact_get4",
                    "pq_select", "pq_insert")
WORKLOAD_ORDER = ["getitem", "putitem", "updateitem", "query", "query_gsi", "putitem_nogsi", "putitem_2gsi",
                  "putitem_nostream", "putitem_stream", "transact_write4", "transact_get4", "pq_select", "pq_insert",
                  "batchget", "mixed"]
DESCR = {
    "query": "Query on bench_ts: pk = :p AND sk BETWEEN :a AND :b, Limit 20",
    "query_gsi": "Query IndexName=by_grp of bench_gsi (projection ALL): grp = :g, Limit 20 (100 partitions of 100 items)",
    "putitem_nogsi": "PutItem on bench_put0 (no index): overwrite a random key of 10,000, ~230 B item",
    "putitem_2gsi": "PutItem on bench_put2 (GSIs by_a ALL and by_b INCLUDE): the same items, both index keys "
                    "get new random values, so both index entries move",
    "putitem_nostream": "PutItem on bench_nostream (no stream): overwrite a random key of 10,000, ~200 B item",
    "putitem_stream": "PutItem on bench_stream (NEW_AND_OLD_IMAGES stream): the same items, each write records both images",
    "transact_write4": "TransactWriteItems of 4 Puts on random distinct keys of bench_kv (~200 B items)",
    "transact_get4": "TransactGetItems of 4 Gets on random distinct keys of bench_kv",
    "pq_select": "PartiQL ExecuteStatement `SELECT * FROM \"bench_kv\" WHERE pk = ?` with a random loaded key "
                 "as the Parameter (one ~200 B item, the PartiQL counterpart of getitem); dynalite has no PartiQL",
    "pq_insert": "PartiQL ExecuteStatement `INSERT INTO \"bench_pq\" VALUE {'pk': ?, 'v': ?}` with a fresh key per "
                 "request and a 160-character v (~200 B item, bench/setup_partiql.py); dynalite has no PartiQL",
}
# ddbd's cost of a feature: CPU/request with it / without it, and the target (x)
COST_PAIRS = [
    ("putitem_2gsi", "putitem_nogsi", "index maintenance: PutItem with two GSIs / PutItem without",
     "The same items on the same key schema; `putitem_2gsi` writes to a table with two GSIs (ALL and INCLUDE), "
     "`putitem_nogsi` to one without.", "two GSIs", 2.0),
    ("putitem_stream", "putitem_nostream", "stream records: PutItem with a NEW_AND_OLD_IMAGES stream / PutItem without",
     "The same items on the same key schema; `putitem_stream` writes to a table whose stream records both images, "
     "`putitem_nostream` to one without.", "a NEW_AND_OLD_IMAGES stream", 1.3),
]

med = statistics.median


def f0(x):
    return "-" if x is None else f"{x:,.0f}"


def f2(x):
    return "-" if x is None else (f"{x:.3f}" if x < 0.1 else f"{x:.2f}")


def f1(x):
    return "-" if x is None else f"{x:.1f}"


def ratio(x):
    if x is None:
        return "-"
    if x >= 10:
        return f"{x:.0f}"
    if x >= 0.995:
        return f"{x:.1f}"
    if x >= 0.01:
        return f"{x:.2f}"
    return f"{x:.3f}"


def verdict(ok):
    return "**PASS**" if ok else "**MISS**"


def mval(runs, key):
    v = [r[key] for r in runs if r.get(key) is not None]
    return med(v) if v else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--ours", default="ddbd")
    a = ap.parse_args()
    d = a.dir
    meta = {}
    if os.path.exists(os.path.join(d, "meta.json")):
        meta = json.load(open(os.path.join(d, "meta.json")))
    runs = []
    if os.path.exists(os.path.join(d, "results.jsonl")):
        runs = [json.loads(l) for l in open(os.path.join(d, "results.jsonl")) if l.strip()]
    servers = meta.get("servers") or list(dict.fromkeys(r["server"] for r in runs))
    ours = a.ours
    peers = [s for s in servers if s != ours]

    out = []
    w = out.append
    w("# ddbd vs peers — benchmark report\n")
    if meta:
        w(f"- date (UTC): {meta.get('date', '?')}; host: {meta.get('nproc', '?')} CPU(s), "
          f"{meta.get('cpu_model', '?')}, {meta.get('mem', '?')}")
        w(f"- load average at start: {meta.get('load_start', '?')}; at end: {meta.get('load_end', '?')}")
        w(f"- wrk: `-t{meta.get('threads', 1)}`, {meta.get('duration', '?')} s per run, "
          f"unrecorded c16 warm-up per server and workload: {meta.get('warmup1', '?')} s in round 1, "
          f"{meta.get('warmup', '?')} s in later rounds; "
          f"{meta.get('rounds', '?')} round(s), servers interleaved in the order {', '.join(servers)}"
          + ("; the servers not being measured are paused (SIGSTOP) during each run" if meta.get("pause_others") else ""))
        gsi = any("gsi" in x for x in meta.get("workloads", []))
        w(f"- data: setup.py (bench_kv {meta.get('kv_n', '?')} items of ~200 B, bench_ts "
          f"{meta.get('ts', '?')} items)"
          + (f"; bench/setup_gsi.py (bench_gsi {meta.get('ts', '?')} items with GSI by_grp, bench_put2 "
             f"{meta.get('kv_n', '?')} items with GSIs by_a and by_b, bench_put0 the same {meta.get('kv_n', '?')} "
             f"items without index)" if gsi else "")
          + ("; bench/setup_partiql.py (bench_pq, empty, for pq_insert)"
             if any(x.startswith("pq_") for x in meta.get("workloads", [])) else "")
          + f"; Lua workloads from `{meta.get('lua_dirs', '?')}`")
        for s in servers:
            if meta.get("server_info", {}).get(s):
                w(f"- {s}: {meta['server_info'][s]}")
        if meta.get("repo_rev"):
            w(f"- repo: {meta['repo_rev']}")
        if meta.get("quick"):
            w("- **--quick run: short durations, few rounds — a smoke test, not a measurement**")
    w("")
    w("Figures are medians over the valid rounds (n). CPU µs/req = server CPU time (utime+stime "
      "of the server process tree, all threads) during the wrk run / completed requests. "
      "server % and wrk % are CPU time / wall time (100 % = one core). "
      "On this box wrk and the server share the cores, so CPU µs/req is the fairer figure.\n")

    skipped, notes_by = {}, collections.defaultdict(list)
    for fn in ("skipped.tsv", "notes.tsv"):
        f = os.path.join(d, fn)
        if os.path.exists(f):
            for line in open(f):
                if "\t" in line:
                    k, v = line.rstrip("\n").split("\t", 1)
                    if fn == "skipped.tsv":
                        skipped[k] = v
                    else:
                        notes_by[k].append(v)
    for s, why in skipped.items():
        w(f"> **{s} was not measured under load: {why}**\n")
    for s, whys in notes_by.items():
        for why in whys:
            w(f"> note on {s}: {why}\n")

    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in runs:
        by[(r["workload"], r["conns"])][r["server"]].append(r)

    caveats = []
    summary = []
    medians = {}     # (workload, conns) -> {server: medians of the valid rounds}
    keys = sorted(by, key=lambda k: (WORKLOAD_ORDER.index(k[0]) if k[0] in WORKLOAD_ORDER else 99, k[0], -k[1]))
    for (wl, c) in keys:
        w(f"## {wl}, {c} connection{'s' if c != 1 else ''}\n")
        if wl in DESCR:
            w(f"{DESCR[wl]}.\n")
        w("| server | req/s | p50 ms | p99 ms | CPU µs/req | server % | wrk % | n | notes |")
        w("|---|---:|---:|---:|---:|---:|---:|---:|---|")
        med_by = {}
        for s in servers:
            rs = by[(wl, c)].get(s, [])
            if not rs:
                if s in skipped:
                    w(f"| {'**' + s + '**' if s == ours else s} | SKIPPED | - | - | - | - | - | 0 | {skipped[s][:120]} |")
                continue
            good = [r for r in rs if r.get("valid")]
            bad = [r for r in rs if not r.get("valid")]
            use = good if good else [r for r in rs if "rps" in r]
            notes = []
            if bad:
                notes.append(f"INVALID rounds {len(bad)}/{len(rs)}: " + "; ".join(sorted({x for r in bad for x in r['flags']}))[:200])
                for r in bad:
                    caveats.append(f"{s} {wl} c{c} round {r['round']}: invalid ({'; '.join(r['flags'])})"
                                   + (f" — first error body: `{r['first_error_body'][:160]}`" if r.get("first_error_body") else ""))
            cb = [r for r in use if r.get("client_bound")]
            if cb:
                notes.append(f"client-bound (wrk ≥ 90 % CPU) in {len(cb)}/{len(use)}")
            oth = mval(use, "other_cpu_pct")
            if oth is not None and oth > 20:
                notes.append(f"other load {oth:.0f} %")
            st = mval(use, "steal_pct")
            if st is not None and st > 5:
                notes.append(f"steal {st:.0f} %")
            if not use:
                w(f"| {s} | FAILED | - | - | - | - | - | 0 | {'; '.join(notes) or 'no result'} |")
                continue
            m = {k: mval(use, k) for k in ("rps", "p50_ms", "p99_ms", "cpu_us_per_req", "server_cpu_pct", "wrk_cpu_pct")}
            if good:
                med_by[s] = m
            label = f"**{s}**" if s == ours else s
            w(f"| {label} | {f0(m['rps'])} | {f2(m['p50_ms'])} | {f2(m['p99_ms'])} | {f1(m['cpu_us_per_req'])} | "
              f"{f0(m['server_cpu_pct'])} | {f0(m['wrk_cpu_pct'])} | {len(good) if good else 0}"
              f"{'' if good else ' (invalid)'} | {'; '.join(notes)} |")
        w("")
        medians[(wl, c)] = med_by
        valid_peers = [p for p in peers if p in med_by and med_by[p]["rps"]]
        if ours in med_by and valid_peers:
            fp = max(valid_peers, key=lambda p: med_by[p]["rps"])
            o, pm = med_by[ours], med_by[fp]
            tr = o["rps"] / pm["rps"] if pm["rps"] else None
            cr = (o["cpu_us_per_req"] / pm["cpu_us_per_req"]
                  if o["cpu_us_per_req"] is not None and pm["cpu_us_per_req"] else None)
            line = f"**{ours} vs faster peer ({fp}): throughput x {ratio(tr)}, CPU/req x {ratio(cr)}**"
            if wl in TARGET_WORKLOADS:
                line += (f" — targets: throughput ≥ x {TARGET_TPUT:.0f} {verdict(tr is not None and tr >= TARGET_TPUT)}, "
                         f"CPU/req ≤ x {TARGET_CPU:.2f} {verdict(cr is not None and cr <= TARGET_CPU)}")
            w(line + "\n")
            summary.append((wl, c, fp, tr, cr))
            if o.get("wrk_cpu_pct") and o["wrk_cpu_pct"] >= 90:
                caveats.append(f"{wl} c{c}: wrk used {o['wrk_cpu_pct']:.0f} % CPU against {ours} — its req/s is "
                               "bounded by the client; the throughput ratio understates the server, CPU/req does not.")
        elif ours in servers and peers:
            w(f"_no valid {ours}/peer pair for a ratio_\n")

    # ---- cost of a feature: PutItem with two GSIs, with a stream, / PutItem without ----
    cost_rows = []  # (pair, conns, server, rps with, rps without, cpu with, cpu without, tput ratio, cpu ratio)
    for pair in COST_PAIRS:
        with_wl, without_wl, title, what, short, target = pair
        rows = []
        for c in sorted({k[1] for k in medians if k[0] in (with_wl, without_wl)}, reverse=True):
            with_, without = medians.get((with_wl, c), {}), medians.get((without_wl, c), {})
            for s in servers:
                if s in with_ and s in without:
                    cw, c0 = with_[s]["cpu_us_per_req"], without[s]["cpu_us_per_req"]
                    rows.append((pair, c, s, with_[s]["rps"], without[s]["rps"], cw, c0,
                                 with_[s]["rps"] / without[s]["rps"] if without[s]["rps"] else None,
                                 cw / c0 if cw is not None and c0 else None))
        if not rows:
            continue
        cost_rows += rows
        w(f"## {title}\n")
        w(f"{what} Medians of the valid rounds.\n")
        w("| conns | server | req/s with · without | CPU µs/req with · without | throughput with / without | CPU/req with / without |")
        w("|---:|---|---:|---:|---:|---:|")
        for _, c, s, rw, r0, cw, c0, tr, cr in rows:
            w(f"| {c} | {'**' + s + '**' if s == ours else s} | {f0(rw)} · {f0(r0)} | {f1(cw)} · {f1(c0)} | "
              f"x {ratio(tr)} | x {ratio(cr)} |")
        w("")
        for _, c, s, rw, r0, cw, c0, tr, cr in rows:
            if s == ours:
                w(f"**{ours}, {c} connection{'s' if c != 1 else ''}: PutItem with {short} costs x {ratio(cr)} "
                  f"the CPU per request of PutItem without** — target ≤ x {target} "
                  f"{verdict(cr is not None and cr <= target)}\n")

    # ---- start-up / RSS --------------------------------------------------
    st = {}
    for s in servers:
        f = os.path.join(d, "startup", f"{s}.txt")
        if not os.path.exists(f):
            continue
        txt = open(f).read()
        m = re.search(r"STARTUP ready_ms=([\d.]+) \(min ([\d.]+) max ([\d.]+), n=(\d+)\) "
                      r"idle_rss_mb=([\d.]+) idle_tree_mb=([\d.]+)", txt)
        if m:
            st[s] = dict(ready=float(m.group(1)), lo=float(m.group(2)), hi=float(m.group(3)),
                         n=int(m.group(4)), rss=float(m.group(5)), tree=float(m.group(6)))
        else:
            st[s] = None
            last = txt.strip().splitlines()[-1:] or ["(empty)"]
            caveats.append(f"start-up measurement of {s} failed: `{last[0][:200]}`")
    if st:
        w("## start-up and idle memory\n")
        w("Start-up = spawn → first HTTP 200 to ListTables (polled every 2 ms, fresh connection each time), "
          "median over n spawns. Idle RSS = VmRSS of the server process 2 s after ready (tree = with children).\n")
        w("| server | start-up ms (median) | min–max ms | n | idle RSS MB | idle RSS tree MB |")
        w("|---|---:|---:|---:|---:|---:|")
        for s in servers:
            if s not in st:
                continue
            v = st[s]
            label = f"**{s}**" if s == ours else s
            if v is None:
                w(f"| {label} | FAILED | - | - | - | - |")
            else:
                w(f"| {label} | {f1(v['ready'])} | {f1(v['lo'])}–{f1(v['hi'])} | {v['n']} | {f1(v['rss'])} | {f1(v['tree'])} |")
        w("")
        vp = [p for p in peers if st.get(p)]
        if st.get(ours) and vp:
            o = st[ours]
            fp = min(vp, key=lambda p: st[p]["ready"])
            lp = min(vp, key=lambda p: st[p]["rss"])
            w(f"**{ours} vs faster-starting peer ({fp}): start-up x {ratio(o['ready'] / st[fp]['ready'])}; "
              f"vs leaner peer ({lp}): idle RSS x {ratio(o['rss'] / st[lp]['rss'])}** — targets: start-up < "
              f"{TARGET_START_MS:.0f} ms {verdict(o['ready'] < TARGET_START_MS)} ({o['ready']:.1f} ms), "
              f"idle RSS < {TARGET_RSS_MB:.0f} MB {verdict(o['rss'] < TARGET_RSS_MB)} ({o['rss']:.1f} MB)\n")

    ra = os.path.join(d, "logs", "rss-after.txt")
    if os.path.exists(ra):
        after = collections.defaultdict(dict)
        for line in open(ra):
            m = re.match(r"(\S+) after runs: (\w+): (\d+)", line)
            if m:
                after[m.group(1)][m.group(2)] = int(m.group(3))
        if after:
            w("## memory after loading and all runs\n")
            w("Long-running instance, after setup.py (20,000 items of ~100–200 B)"
              + (", setup_gsi.py (30,000 items, three indexes)" if any("gsi" in x for x in meta.get("workloads", [])) else "")
              + " and every wrk run.\n")
            w("| server | VmRSS MB | VmHWM MB | threads |")
            w("|---|---:|---:|---:|")
            for s in servers:
                if s in after:
                    a_ = after[s]
                    w(f"| {'**' + s + '**' if s == ours else s} | {a_.get('VmRSS', 0) / 1024:.1f} | "
                      f"{a_.get('VmHWM', 0) / 1024:.1f} | {a_.get('Threads', '-')} |")
            w("")

    if summary:
        w("## summary: ddbd vs faster peer\n")
        w(f"| workload | conns | {ours} req/s · CPU µs/req | faster peer | its req/s · CPU µs/req | throughput ratio | CPU/req ratio | targets |")
        w("|---|---:|---:|---|---:|---:|---:|---|")
        for wl, c, fp, tr, cr in summary:
            o, pm = medians[(wl, c)][ours], medians[(wl, c)][fp]
            tg = "-"
            if wl in TARGET_WORKLOADS:
                tg = (f"≥ x {TARGET_TPUT:.0f} {verdict(tr is not None and tr >= TARGET_TPUT)}, "
                      f"≤ x {TARGET_CPU:.2f} {verdict(cr is not None and cr <= TARGET_CPU)}")
            w(f"| {wl} | {c} | {f0(o['rps'])} · {f1(o['cpu_us_per_req'])} | {fp} | {f0(pm['rps'])} · "
              f"{f1(pm['cpu_us_per_req'])} | x {ratio(tr)} | x {ratio(cr)} | {tg} |")
        for pair, c, s, rw, r0, cw, c0, tr, cr in cost_rows:
            if s == ours:
                w(f"| {pair[0]} / {pair[1]} ({ours}) | {c} | {f0(rw)} · {f1(cw)} | (without) | "
                  f"{f0(r0)} · {f1(c0)} | x {ratio(tr)} | x {ratio(cr)} | CPU/req ≤ x {pair[5]} "
                  f"{verdict(cr is not None and cr <= pair[5])} |")
        w("")

    if caveats:
        w("## caveats\n")
        for cv in caveats:
            w(f"- {cv}")
        w("")

    if runs:
        w("## all runs\n")
        w("| server | workload | c | round | req/s | p50 ms | p99 ms | CPU µs/req | server % | wrk % | other % | steal % | load | valid |")
        w("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|")
        for r in runs:
            w(f"| {r['server']} | {r['workload']} | {r['conns']} | {r['round']} | {f0(r.get('rps'))} | "
              f"{f2(r.get('p50_ms'))} | {f2(r.get('p99_ms'))} | {f1(r.get('cpu_us_per_req'))} | "
              f"{f0(r.get('server_cpu_pct'))} | {f0(r.get('wrk_cpu_pct'))} | {f0(r.get('other_cpu_pct'))} | "
              f"{f0(r.get('steal_pct'))} | {' '.join(r.get('loadavg', []))} | "
              f"{'yes' if r.get('valid') else 'NO: ' + '; '.join(r.get('flags', []))} |")
        w("")
        w(f"Raw wrk output: `{os.path.join(d, 'raw')}/`; per-run records: `{os.path.join(d, 'results.jsonl')}`.")

    text = "\n".join(out) + "\n"
    with open(os.path.join(d, "report.md"), "w") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
