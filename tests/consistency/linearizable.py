"""Linearizability of a register with compare-and-set, one key at a time.

The search is Wing and Gong's with Lowe's improvements, as Porcupine and Knossos run it: the calls
and returns of a key's operations in time order in a linked list; at a call, try to take that
operation as the next linearization point (the model says whether it is legal and the state it
leaves); take it if the pair (set of operations taken, state) was not reached before (the cache
that makes the search tractable), lift its call and return out of the list and start again from the
head; at a return whose operation was not taken yet, backtrack. Keys are independent (P-
compositionality), so each is searched alone.

Unknown outcomes (Jepsen's :info) return at +infinity: such a write may take effect at any point
after its invoke or never. "Never" needs no branch of its own: the history is linearizable as soon
as every operation with a known outcome is taken, whatever unknown ones are left. Unknown
operations with the same effect are interchangeable (they never return, so the earlier invoked one
can stand wherever the later one does): they are taken in invoke order only, which keeps a history
with many of them (a run of timeouts during a SIGSTOP) from exploding into all their subsets.

The model, on a register whose state is the value read (None when the item is absent):
  read v     legal iff state == v
  write v    state := v
  cas [o, n] ok: legal iff state == o, state := n; refused (ConditionalCheckFailedException):
             legal iff state != o, no change (a refused condition is a read that saw something else)
A call that failed otherwise (a connection refused) had no effect and is left out.
"""
INF = float("inf")
REFUSED = "400 ConditionalCheckFailedException"
CALL, RET = 0, 1


def step(state, op):
    """(legal, next state) of one operation on the register."""
    if op.f == "read":
        return state == op.value, state
    if op.f == "write":
        return True, op.value
    old, new = op.value
    if op.status == "fail":  # relevant() kept only the refused conditions
        return state != old, state
    return state == old, new


def relevant(op):
    """Reads count only when they returned; writes unless they certainly did not happen; a
    refused cas is kept (it observed the state)."""
    if op.f == "read":
        return op.status == "ok"
    if op.status == "fail":
        return op.f == "cas" and (op.error or "").startswith(REFUSED)
    return True


class Verdict:
    def __init__(self, valid, key=None, ops=0, detail=None):
        self.valid, self.key, self.ops, self.detail = valid, key, ops, detail

    def as_dict(self):
        d = {"valid": self.valid, "key": self.key, "ops": self.ops}
        if self.detail:
            d.update(self.detail)
        return d


def _entries(ops):
    ev = []
    for i, op in enumerate(ops):
        ev.append((op.invoke, CALL, i))
        ev.append((op.complete if op.complete is not None else INF, RET, i))
    ev.sort()  # at equal times calls come first: the two overlap
    return ev


def check_key(ops, init=None, max_steps=5_000_000):
    """Verdict for the operations on one key (history.Op, any order)."""
    ops = [op for op in ops if relevant(op)]
    ev = _entries(ops)
    m = len(ev)
    head = m  # the sentinel node before the first entry; -1 ends the list
    nxt = list(range(1, m)) + [-1, 0 if m else -1]
    prv = [head] + list(range(0, m - 1)) + [-1]
    ret_node = {}
    for node, (_, kind, i) in enumerate(ev):
        if kind == RET:
            ret_node[i] = node

    def unlink(node):
        p, n = prv[node], nxt[node]
        nxt[p] = n
        if n != -1:
            prv[n] = p

    def relink(node):
        p, n = prv[node], nxt[node]
        nxt[p] = node
        if n != -1:
            prv[n] = node

    known_left = sum(1 for op in ops if op.complete is not None)
    cls, rank, taken_in = _unknown_classes(ops, ev)
    state, taken, cache, stack = init, 0, set(), []
    best = (0, taken, state)
    node, steps = nxt[head], 0
    while known_left:
        steps += 1
        if steps > max_steps:
            return Verdict(None, ops=len(ops), detail={"error": "search exceeded %d steps" % max_steps})
        _, kind, i = ev[node]
        if kind == CALL:
            legal, after = step(state, ops[i])
            if legal and (i not in cls or rank[i] == taken_in[cls[i]]) and (taken | 1 << i, after) not in cache:
                cache.add((taken | 1 << i, after))
                stack.append((node, state))
                state, taken = after, taken | 1 << i
                known_left -= ops[i].complete is not None
                if i in cls:
                    taken_in[cls[i]] += 1
                unlink(node)
                unlink(ret_node[i])
                if len(stack) > best[0]:
                    best = (len(stack), taken, state)
                node = nxt[head]
                continue
            node = nxt[node]
            continue
        if not stack:  # the return of an operation no order can take
            return Verdict(False, ops=len(ops), detail=_explain(ops, best))
        node, state = stack.pop()
        i = ev[node][2]
        taken &= ~(1 << i)
        known_left += ops[i].complete is not None
        if i in cls:
            taken_in[cls[i]] -= 1
        relink(ret_node[i])
        relink(node)
        node = nxt[node]
    return Verdict(True, ops=len(ops))


def _unknown_classes(ops, ev):
    """The unknown operations grouped by effect: op index -> class, its rank in the class by
    invoke order, and how many of each class are taken (always its first ones)."""
    cls, rank, taken_in = {}, {}, {}
    for _, kind, i in ev:
        if kind == CALL and ops[i].complete is None:
            c = (ops[i].f, repr(ops[i].value))
            rank[i] = taken_in.get(c, 0)
            taken_in[c] = rank[i] + 1
            cls[i] = c
    return cls, rank, dict.fromkeys(taken_in, 0)


def _explain(ops, best):
    """The deepest linearization reached, and the first operation (by return) it could not take:
    with the operations overlapping it: the piece of history to read first."""
    _, taken, state = best
    pending = [(op.complete, i) for i, op in enumerate(ops) if not taken >> i & 1 and op.complete is not None]
    _, stuck = min(pending)
    s = ops[stuck]
    overlapping = [op.as_dict() for j, op in enumerate(ops)
                   if j != stuck and op.invoke <= s.complete and (op.complete is None or op.complete >= s.invoke)]
    del overlapping[:-30]  # the unknown ones overlap everything after them: the latest only
    return {"anomaly": "nonlinearizable", "state_before": state, "op": s.as_dict(),
            "overlapping": overlapping, "linearized": bin(taken).count("1")}


def check(ops, max_steps=5_000_000):
    """Verdict per key of register operations: {"valid", "ops", "keys", "failures": [...]}."""
    by_key = {}
    for op in ops:
        by_key.setdefault(op.key, []).append(op)
    failures, total, unknown = [], 0, False
    for key in sorted(by_key):
        v = check_key(by_key[key], max_steps=max_steps)
        v.key = key
        total += v.ops
        if v.valid is None:
            unknown = True
        if v.valid is not True:
            failures.append(v.as_dict())
    valid = False if any(f["valid"] is False for f in failures) else (None if unknown else True)
    return {"valid": valid, "ops": total, "keys": len(by_key), "failures": failures}
