"""The two workloads of issue 50, for several RADOS gateways (run.py adds them with --backend rados),
and their checkers:

- tokens retried across gateways: a TransactWriteItems with a ClientRequestToken appends a value
  unique to the run to a token list ("k0", "k1"); when its outcome is unknown (the client's short
  timeout, --token-timeout: a gateway stopped, killed, cut, slow, or held at the delay point that
  rados.py arms on the first gateway) the client sends it again, same token, to the next gateway,
  up to TOKEN_TRIES calls (TransactionInProgressException, the first call still running there, is
  sent again too). Each call is its own op in the history (f "tappend"). Checked on the final
  reads (f "tread"): no value twice (token-applied-twice), every acknowledged one there
  (token-lost), nothing never sent (token-phantom).
- back-and-forth transfers audited: four accounts of START each; a client moves an amount from one
  to another and straight back (A->B->A), others audit all four with TransactGetItems, which must
  add up to the total every time (audit-sum), none below zero.
"""
import itertools
import threading

from workload import TABLE, key

FS = ("tappend", "tread", "transfer", "audit")  # the history's f of these workloads
TOKEN_LISTS = ["k0", "k1"]
TOKEN_TRIES = 4
ACCOUNTS = ["b%d" % i for i in range(4)]
START = 100
TOTAL = START * len(ACCOUNTS)

_values = itertools.count(1)
_lock = threading.Lock()


def setup_bodies():
    """PutItems of the accounts, before the run."""
    return [("PutItem", {"TableName": TABLE, "Item": dict(key(a), bal={"N": str(START)})}) for a in ACCOUNTS]


def token_append(rng, seed):
    """(invoke, op, body, read) of one token's append, its body the same for every call."""
    with _lock:
        v = next(_values)
    k = rng.choice(TOKEN_LISTS)
    body = {"ClientRequestToken": "tok-%d-%d" % (seed, v), "TransactItems": [{"Update": {
        "TableName": TABLE, "Key": key(k), "UpdateExpression": "SET l = list_append(if_not_exists(l, :e), :v)",
        "ExpressionAttributeValues": {":e": {"L": []}, ":v": {"L": [{"N": str(v)}]}}}}]}
    return ({"f": "tappend", "key": k, "value": v}, "TransactWriteItems", body, lambda a: v)


def retry_token(outcome_status, error):
    """Whether a token's call is sent again (to the next gateway): its outcome unknown, or the call
    with that token still running where it went."""
    return outcome_status == "info" or "TransactionInProgressException" in (error or "")


def read_token_list(k):
    return ({"f": "tread", "key": k}, "GetItem", {"TableName": TABLE, "Key": key(k), "ConsistentRead": True},
            lambda a: [int(e["N"]) for e in (a.get("Item") or {}).get("l", {}).get("L", [])])


def transfer(src, dst, amount):
    body = {"TransactItems": [
        {"Update": {"TableName": TABLE, "Key": key(src), "UpdateExpression": "SET bal = bal - :a",
                    "ConditionExpression": "bal >= :a", "ExpressionAttributeValues": {":a": {"N": str(amount)}}}},
        {"Update": {"TableName": TABLE, "Key": key(dst), "UpdateExpression": "SET bal = bal + :a",
                    "ExpressionAttributeValues": {":a": {"N": str(amount)}}}}]}
    return ({"f": "transfer", "value": [src, dst, amount]}, "TransactWriteItems", body, lambda a: [src, dst, amount])


def audit():
    body = {"TransactItems": [{"Get": {"TableName": TABLE, "Key": key(a)}} for a in ACCOUNTS]}
    return ({"f": "audit"}, "TransactGetItems", body,
            lambda a: [int((r.get("Item") or {}).get("bal", {"N": "-1"})["N"]) for r in a["Responses"]])


def bank_ops(rng):
    """An audit, or a transfer there and back (two calls)."""
    if rng.random() < 0.5:
        return [audit()]
    src, dst = rng.sample(ACCOUNTS, 2)
    amount = rng.randrange(1, 30)
    return [transfer(src, dst, amount), transfer(dst, src, amount)]


def final_reads():
    return [read_token_list(k) for k in TOKEN_LISTS] + [audit()]


def check(ops):
    """The verdict on the tokens' appends and the audits."""
    errors = []
    acked = {op.value for op in ops if op.f == "tappend" and op.status == "ok"}
    sent = {op.value for op in ops if op.f == "tappend"}
    finals = {}
    for op in ops:  # the last successful read of each list: the final reads come last
        if op.f == "tread" and op.status == "ok":
            finals[op.key] = op.value or []
    seen = [v for vals in finals.values() for v in vals]
    for v in sorted({v for v in seen if seen.count(v) > 1}):
        errors.append({"anomaly": "token-applied-twice", "value": v})
    for v in sorted(acked - set(seen)):
        errors.append({"anomaly": "token-lost", "value": v})
    for v in sorted(set(seen) - sent):
        errors.append({"anomaly": "token-phantom", "value": v})
    audits = [op for op in ops if op.f == "audit" and op.status == "ok"]
    for op in audits:
        if sum(op.value) != TOTAL or min(op.value) < 0:
            errors.append({"anomaly": "audit-sum", "balances": op.value, "op": op.as_dict()})
    return {"valid": not errors, "tokens": len(sent), "token_calls": sum(1 for op in ops if op.f == "tappend"),
            "tokens_acked": len(acked), "audits": len(audits),
            "transfers": sum(1 for op in ops if op.f == "transfer" and op.status == "ok"), "errors": errors[:20]}
