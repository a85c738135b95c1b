"""tests/model/show.py: an operation as one readable line, for the printed minimal sequences."""
from expr import show_cond, show_update
from values import show, show_item


def _key(k):
    return show_item(k)


def _cond(c):
    return " if %s" % show_cond(c) if c is not None else ""


def show_op(op, specs):
    return ("[reader] " if op.get("as") == "reader" else "") + show_one(op, specs)


def show_one(op, specs):
    k = op["op"]
    t = specs[op["t"]]["name"] if "t" in op else ""
    cap = " cap=%s" % op["cap"] if op.get("cap", "NONE") != "NONE" else ""
    if k == "put":
        return "PutItem %s %s%s rv=%s%s%s" % (t, show_item(op["item"]), _cond(op["cond"]), op["rv"],
                                              " rvf" if op["rvf"] else "", cap)
    if k == "get":
        return "GetItem %s %s %s%s%s" % (t, _key(op["key"]), "strong" if op["consistent"] else "eventual",
                                         " proj=%s" % op["proj"] if op["proj"] else "", cap)
    if k == "update":
        return "UpdateItem %s %s %s%s rv=%s%s%s" % (t, _key(op["key"]), show_update(op["acts"]), _cond(op["cond"]),
                                                   op["rv"], " rvf" if op["rvf"] else "", cap)
    if k == "delete":
        return "DeleteItem %s %s%s rv=%s%s" % (t, _key(op["key"]), _cond(op["cond"]), op["rv"], cap)
    if k == "batch_write":
        return "BatchWriteItem [%s]%s" % ("; ".join("%s %s %s" % (kind, specs[i]["name"], show_item(b))
                                                    for i, kind, b in op["reqs"]), cap)
    if k == "batch_get":
        return "BatchGetItem %s [%s]%s" % ("strong" if op["consistent"] else "eventual",
                                           "; ".join("%s %s" % (specs[i]["name"], _key(kk)) for i, kk in op["keys"]), cap)
    if k == "twrite":
        parts = []
        for a in op["acts"]:
            body = show_item(a["item"]) if a["kind"] == "put" else _key(a["key"])
            if a["kind"] == "update":
                body += " " + show_update(a["acts"])
            parts.append("%s %s %s%s" % (a["kind"], specs[a["t"]]["name"], body, _cond(a["cond"])))
        return "TransactWriteItems [%s]%s" % ("; ".join(parts), cap)
    if k == "tget":
        return "TransactGetItems [%s]%s" % ("; ".join("%s %s" % (specs[i]["name"], _key(kk)) for i, kk in op["keys"]), cap)
    if k == "query":
        return "Query %s%s %s%s%s %s limit=%s%s%s" % (
            t, "." + op["index"] if op["index"] else "", show(op["hv"]),
            " and " + show_cond(op["rc"]) if op["rc"] else "",
            " filter " + show_cond(op["filter"]) if op["filter"] else "",
            "fwd" if op["forward"] else "back", op["limit"], " strong" if op["consistent"] else "", cap)
    if k in ("scan", "pscan"):
        return "Scan %s%s segments=%d limit=%s%s%s%s" % (
            t, "." + op["index"] if op["index"] else "", op["segments"], op["limit"],
            " filter " + show_cond(op["filter"]) if op["filter"] else "", " strong" if op["consistent"] else "", cap)
    if k == "replica":
        return "clock +1 ms, then Scan %s in us-west-2 limit=%s strong%s" % (t, op["limit"], cap)
    if k == "describe":
        return "DescribeTable %s" % t
    if k == "clock":
        return "clock %+d ms" % op["ms"]
    if k == "backup":
        return "CreateBackup %s" % t
    if k == "restore":
        return "RestoreTableFromBackup (backup %.2f of those made), Scan of it" % op["pick"]
    if k == "pitr":
        return "UpdateContinuousBackups %s %s%s" % (t, "on" if op["on"] else "off",
                                                    " days=%s" % op["days"] if op["on"] and op["days"] else "")
    if k == "pitr_restore":
        return "RestoreTableToPointInTime %s%s to %s%s, Scan of it" % (
            t, " (by ARN)" if op["arn"] else "", op["when"], " %.2f" % op["pick"] if op["when"] in ("pick", "write") else "")
    if k == "restart":
        return "restart (%s%s)" % ("kill -9" if op["kill"] else "SIGTERM",
                                   ", --shards %d" % op["shards"] if op.get("shards") else "")
    if k == "pql":
        return "ExecuteStatement %s%s%s" % (show_stmt(op, specs), " strong" if op["consistent"] and op["kind"] == "select" else "", cap)
    if k == "pql_batch":
        return "BatchExecuteStatement%s [%s]%s" % (" strong" if op["consistent"] else "",
                                                    "; ".join(show_stmt(s, specs) for s in op["stmts"]), cap)
    return repr(op)


def show_stmt(s, specs):
    t = specs[s["t"]]["name"]
    where = _key(s["key"]) + (" and " + show_cond(s["where"]) if s.get("where") else "")
    if s["kind"] == "select":
        return "SELECT %s %s" % (t, where)
    if s["kind"] == "insert":
        return "INSERT %s %s" % (t, show_item(s["item"]))
    if s["kind"] == "update":
        return "UPDATE %s %s where %s" % (t, show_update(s["acts"]), where)
    return "DELETE %s where %s" % (t, where)
