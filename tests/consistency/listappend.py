"""Serializability of list-append transactions, in the manner of Elle (Kingsbury and Alvaro, 2020).

Each transaction appends values, unique per key, to lists and reads whole lists. Because a list
keeps its order, every read reveals the order of every append before it (the key's version order),
so the dependencies between transactions are inferred, not guessed:
  ww  T1 appended the element just before T2's in a key's version order
  wr  T2 read a list whose last element T1 appended
  rw  T1 read a list that stops just before the element T2 appended (T2 overwrote what T1 saw)
  rt  T1 returned before T2 was invoked (with realtime=True: strict serializability)
A cycle in that graph is an anomaly, named as Adya names it by the edges it needs: G0 (ww only),
G1c (ww and wr), G-single (exactly one rw), G2 (several rw); with rt edges in it the same names
with "-realtime". Checked directly as well:
  G1a                an aborted (certainly failed) append was read
  G1b                a read ends in an append that is not its transaction's last to that key
  incompatible-order two reads of a key that are not prefixes of one another
  duplicate-elements an element twice in one list
  lost-append        an acknowledged append missing from a read invoked after it was acknowledged
A transaction with an unknown outcome is in the graph only if one of its appends was read (then it
committed), as Jepsen does.
"""
import bisect
from collections import defaultdict

ANOMALY_ORDER = ("G0", "G1c", "G-single", "G2")


def _micro(op):
    return [tuple(m) for m in op.value]


def _reads(txns):
    """(op, key, list) for every read of an acknowledged transaction (list None: no item)."""
    for op in txns:
        if op.status == "ok":
            for f, k, v in _micro(op):
                if f == "r":
                    yield op, k, v


def _version_orders(txns, anomalies):
    """The longest read of each key, and who read it, after checking every read is a prefix of it
    (so a duplicate or an aborted element in any read is in the longest one too)."""
    longest, reader = {}, {}
    for op, k, v in _reads(txns):
        cur = longest.get(k, [])
        if v and len(v) > len(cur):
            short, cur = cur, v
            longest[k], reader[k] = v, op
        else:
            short = v or []
        if cur[:len(short)] != short:
            anomalies.append({"anomaly": "incompatible-order", "key": k, "reads": [short, cur],
                              "op": op.as_dict()})
    for k, v in longest.items():
        if len(set(v)) != len(v):
            anomalies.append({"anomaly": "duplicate-elements", "key": k, "op": reader[k].as_dict()})
    return longest, reader


def _writers(txns):
    """(key, element) -> the transaction that appended it, and each transaction's last append per key."""
    writer, last = {}, {}
    for op in txns:
        for f, k, v in _micro(op):
            if f == "append":
                writer[(k, v)] = op
                last[(op.id, k)] = v
    return writer, last


def _direct_anomalies(txns, writer, last, order, reader, anomalies):
    for k, elems in order.items():
        for e in elems:
            w = writer.get((k, e))
            if w is not None and w.status == "fail":
                anomalies.append({"anomaly": "G1a", "key": k, "element": e, "op": reader[k].as_dict(),
                                  "writer": w.as_dict()})
    for op, k, v in _reads(txns):
        w = writer.get((k, v[-1])) if v else None
        if w is not None and w is not op and last[(w.id, k)] != v[-1]:
            anomalies.append({"anomaly": "G1b", "key": k, "element": v[-1], "op": op.as_dict(),
                              "writer": w.as_dict()})
    _lost_appends(txns, order, anomalies)


def _lost_appends(txns, order, anomalies):
    """Every read invoked after an append was acknowledged must contain it."""
    acked = defaultdict(list)  # key -> [(completion, element, op)]
    reads = defaultdict(list)  # key -> [(invoke, list, op)]
    for op in txns:
        if op.status != "ok":
            continue
        for f, k, v in _micro(op):
            if f == "append":
                acked[k].append((op.complete, v, op))
            else:
                reads[k].append((op.invoke, v or [], op))
    for k, rs in reads.items():
        ws = sorted(acked.get(k, []), key=lambda t: t[0])
        pos = {e: i for i, e in enumerate(order.get(k, []))}
        j, need, need_op = 0, -1, None  # need: the furthest position an acknowledged append holds
        for invoke, lst, op in sorted(rs, key=lambda t: t[0]):
            while j < len(ws) and ws[j][0] < invoke:
                p = pos.get(ws[j][1], float("inf"))
                if p > need:
                    need, need_op = p, ws[j]
                j += 1
            if need >= len(lst):
                anomalies.append({"anomaly": "lost-append", "key": k, "element": need_op[1],
                                  "writer": need_op[2].as_dict(), "op": op.as_dict()})


def _graph(txns, writer, order, realtime):
    """Edges {from_id: {to_id: type}}, over the transactions known to have committed."""
    g, ids = defaultdict(dict), {op.id for op in txns}

    def edge(a, b, t):
        if a.id != b.id and a.id in ids and b.id in ids:
            g[a.id].setdefault(b.id, t)

    for k, elems in order.items():
        for a, b in zip(elems, elems[1:]):
            wa, wb = writer.get((k, a)), writer.get((k, b))
            if wa is not None and wb is not None:
                edge(wa, wb, "ww")
    for op, k, v in _reads(txns):
        elems = order.get(k, [])
        if v and (k, v[-1]) in writer:
            edge(writer[(k, v[-1])], op, "wr")
        if len(v or []) < len(elems) and (k, elems[len(v or [])]) in writer:
            edge(op, writer[(k, elems[len(v or [])])], "rw")
    if realtime:
        _realtime_edges(txns, edge)
    return g


def _realtime_edges(txns, edge):
    """T1 -> T2 when T1 returned before T2 was invoked, transitively reduced: only from the
    transactions that returned after the latest invoke of any transaction that returned before T2's
    invoke (an earlier one reaches T2 through that one)."""
    done = sorted((op for op in txns if op.status == "ok"), key=lambda op: op.complete)
    ends = [op.complete for op in done]
    max_inv, m = [], -1  # max_inv[i]: the latest invoke among done[:i+1]
    for op in done:
        m = max(m, op.invoke)
        max_inv.append(m)
    for t2 in txns:
        i = bisect.bisect_left(ends, t2.invoke)  # done[:i] returned before t2's invoke
        if i == 0:
            continue
        floor = max_inv[i - 1]
        for t1 in done[bisect.bisect_left(ends, floor):i]:
            edge(t1, t2, "rt")


def _scc(nodes, succ):
    """The strongly connected components of more than one node (Kosaraju's, iterative: the
    graphs of long runs are deeper than Python's recursion)."""
    order, seen = [], set()
    for root in nodes:
        if root in seen:
            continue
        seen.add(root)
        work = [(root, iter(succ(root)))]
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is None:
                work.pop()
                order.append(v)
            elif w not in seen:
                seen.add(w)
                work.append((w, iter(succ(w))))
    pred = defaultdict(list)
    for v in order:
        for w in succ(v):
            pred[w].append(v)
    out, done = [], set()
    for root in reversed(order):
        if root in done:
            continue
        comp, todo = [], [root]
        done.add(root)
        while todo:
            v = todo.pop()
            comp.append(v)
            for w in pred[v]:
                if w not in done:
                    done.add(w)
                    todo.append(w)
        if len(comp) > 1:
            out.append(comp)
    return out


def _cycle_in(comp, succ):
    """A shortest cycle through comp[0] inside the component (breadth-first)."""
    inside, start = set(comp), comp[0]
    parent, frontier = {start: None}, [start]
    while frontier:
        nxt = []
        for v in frontier:
            for w in succ(v):
                if w == start:
                    path = [v]
                    while parent[path[-1]] is not None:
                        path.append(parent[path[-1]])
                    return list(reversed(path)) + [start]
                if w in inside and w not in parent:
                    parent[w] = v
                    nxt.append(w)
        frontier = nxt
    return None


def _name(types):
    rw = types.count("rw")
    base = "G0" if set(types) <= {"ww", "rt"} else "G1c" if rw == 0 else "G-single" if rw == 1 else "G2"
    return base + ("-realtime" if "rt" in types else "")


def _cycles(g, by_id):
    """Cycles, searched first among the weaker edge sets so each is named by the least it needs."""
    found, seen = [], set()
    for allowed in ({"ww"}, {"ww", "wr"}, {"ww", "wr", "rw"}, {"ww", "wr", "rw", "rt"}):
        def succ(v, allowed=allowed):
            return [w for w, t in g.get(v, {}).items() if t in allowed]
        for comp in _scc(list(g), succ):
            if seen & set(comp):
                continue
            cyc = _cycle_in(comp, succ)
            seen.update(comp)
            types = [g[a][b] for a, b in zip(cyc, cyc[1:])]
            found.append({"anomaly": _name(types), "cycle": [by_id[i].as_dict() for i in cyc[:-1]],
                          "edges": types})
    return found


def check(txns, realtime=True):
    """Verdict for the transaction operations (history.Op with f "txn")."""
    anomalies = []
    order, reader = _version_orders(txns, anomalies)
    writer, last = _writers(txns)
    _direct_anomalies(txns, writer, last, order, reader, anomalies)
    observed = {writer[(k, e)].id for k, elems in order.items() for e in elems if (k, e) in writer}
    committed = [op for op in txns if op.status == "ok" or (op.status == "info" and op.id in observed)]
    g = _graph(committed, writer, order, realtime)
    anomalies += _cycles(g, {op.id: op for op in txns})
    return {"valid": not anomalies, "ops": len(txns), "committed": len(committed),
            "anomalies": anomalies[:20], "anomaly_types": sorted({a["anomaly"] for a in anomalies})}
