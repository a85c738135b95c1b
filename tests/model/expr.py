"""tests/model/expr.py: the condition and update expressions the model generates, as trees, rendered
to DynamoDB's expression syntax and evaluated by the developer guide's rules
(Expressions.OperatorsAndFunctions, Expressions.UpdateExpressions).

Condition trees: ("exists", p) ("not_exists", p) ("cmp", op, p, v) ("between", p, lo, hi)
("in", p, [v...]) ("begins_with", p, v) ("size", op, p, n) ("type", p, T) ("and", c, c) ("or", c, c)
("not", c). A path p is an attribute name, or "f.x" (member x of map f).
Update actions: ("set", p, val) with val ("v", v) | ("plus", p2, v) | ("minus", p2, v) |
("ine", p2, v) | ("ine_plus", p2, v0, v) | ("append", p2, v) | ("prepend", v, p2);
("remove", p); ("add", p, v); ("delete", p, v).
"""
from values import SETS, compare, show

NO_ATTR = "The provided expression refers to an attribute that does not exist in the item"
OPERAND_TYPE = "An operand in the update expression has an incorrect data type"


class ModelError(Exception):
    """An error the model expects from DynamoDB: its type and message (None: any message)."""

    def __init__(self, type_, message=None):
        super().__init__("%s: %s" % (type_, message))
        self.type, self.message = type_, message


class Renderer:
    def __init__(self):
        self.names, self.values = {}, {}

    def name(self, path):
        out = []
        for part in path.split("."):
            key = "#" + part
            self.names[key] = part
            out.append(key)
        return ".".join(out)

    def value(self, v):
        from values import to_wire
        key = ":v%d" % len(self.values)
        self.values[key] = to_wire(v)
        return key

    def attach(self, req):
        if self.names:
            req["ExpressionAttributeNames"] = dict(self.names)
        if self.values:
            req["ExpressionAttributeValues"] = dict(self.values)
        return req


def get_path(item, path):
    if item is None:
        return None
    parts = path.split(".")
    v = item.get(parts[0])
    for part in parts[1:]:
        if v is None or v[0] != "M":
            return None
        v = dict(v[1]).get(part)
    return v


# ------------------------------------------------------------------------------------------------
# Conditions
# ------------------------------------------------------------------------------------------------

OPS = {"=": lambda c: c == 0, "<": lambda c: c < 0, "<=": lambda c: c <= 0, ">": lambda c: c > 0,
       ">=": lambda c: c >= 0}


def render_cond(c, r):
    k = c[0]
    if k == "exists":
        return "attribute_exists(%s)" % r.name(c[1])
    if k == "not_exists":
        return "attribute_not_exists(%s)" % r.name(c[1])
    if k == "cmp":
        return "%s %s %s" % (r.name(c[2]), c[1], r.value(c[3]))
    if k == "between":
        return "%s BETWEEN %s AND %s" % (r.name(c[1]), r.value(c[2]), r.value(c[3]))
    if k == "in":
        return "%s IN (%s)" % (r.name(c[1]), ", ".join(r.value(v) for v in c[2]))
    if k == "begins_with":
        return "begins_with(%s, %s)" % (r.name(c[1]), r.value(c[2]))
    if k == "size":
        return "size(%s) %s %s" % (r.name(c[2]), c[1], r.value(c[3]))
    if k == "type":
        return "attribute_type(%s, %s)" % (r.name(c[1]), r.value(("S", c[2])))
    if k in ("and", "or"):
        return "(%s) %s (%s)" % (render_cond(c[1], r), k.upper(), render_cond(c[2], r))
    if k == "not":
        return "NOT (%s)" % render_cond(c[1], r)
    raise ValueError(k)


def size_of(v):
    """size(): a string's or binary's length, a set's, list's or map's element count."""
    if v is None:
        return None
    t, x = v
    if t == "S":
        return len(x.encode("utf-8"))
    if t == "B":
        return len(x)
    if t in SETS or t in ("L", "M"):
        return len(x)
    return None


def eval_cond(c, item):
    k = c[0]
    if k == "exists":
        return get_path(item, c[1]) is not None
    if k == "not_exists":
        return get_path(item, c[1]) is None
    if k == "cmp":
        a = get_path(item, c[2])
        if c[1] == "=":
            return a is not None and a == c[3]
        cmpd = compare(a, c[3])
        return cmpd is not None and OPS[c[1]](cmpd)
    if k == "between":
        a = get_path(item, c[1])
        lo, hi = compare(a, c[2]), compare(a, c[3])
        return lo is not None and hi is not None and lo >= 0 and hi <= 0
    if k == "in":
        a = get_path(item, c[1])
        return a is not None and a in c[2]
    if k == "begins_with":
        a = get_path(item, c[1])
        if a is None or a[0] != c[2][0] or a[0] not in ("S", "B"):
            return False
        return a[1].startswith(c[2][1])
    if k == "size":
        n = size_of(get_path(item, c[2]))
        return n is not None and OPS[c[1]]((n > c[3][1]) - (n < c[3][1]))
    if k == "type":
        a = get_path(item, c[1])
        return a is not None and a[0] == c[2]
    if k == "and":
        return eval_cond(c[1], item) and eval_cond(c[2], item)
    if k == "or":
        return eval_cond(c[1], item) or eval_cond(c[2], item)
    if k == "not":
        return not eval_cond(c[1], item)
    raise ValueError(k)


def show_cond(c):
    k = c[0]
    if k in ("exists", "not_exists"):
        return "%s(%s)" % (k, c[1])
    if k == "cmp":
        return "%s %s %s" % (c[2], c[1], show(c[3]))
    if k == "between":
        return "%s between %s and %s" % (c[1], show(c[2]), show(c[3]))
    if k == "in":
        return "%s in (%s)" % (c[1], ",".join(show(v) for v in c[2]))
    if k == "begins_with":
        return "begins_with(%s, %s)" % (c[1], show(c[2]))
    if k == "size":
        return "size(%s) %s %s" % (c[2], c[1], show(c[3]))
    if k == "type":
        return "attribute_type(%s, %s)" % (c[1], c[2])
    if k in ("and", "or"):
        return "(%s %s %s)" % (show_cond(c[1]), k, show_cond(c[2]))
    return "not(%s)" % show_cond(c[1])


# ------------------------------------------------------------------------------------------------
# Updates
# ------------------------------------------------------------------------------------------------

def render_update(actions, r):
    groups = {"set": [], "remove": [], "add": [], "delete": []}
    for a in actions:
        k = a[0]
        if k == "set":
            groups["set"].append("%s = %s" % (r.name(a[1]), render_val(a[2], r)))
        elif k == "remove":
            groups["remove"].append(r.name(a[1]))
        else:
            groups[k].append("%s %s" % (r.name(a[1]), r.value(a[2])))
    return " ".join("%s %s" % (k.upper(), ", ".join(v)) for k, v in groups.items() if v)


def render_val(val, r):
    k = val[0]
    if k == "v":
        return r.value(val[1])
    if k == "plus":
        return "%s + %s" % (r.name(val[1]), r.value(val[2]))
    if k == "minus":
        return "%s - %s" % (r.name(val[1]), r.value(val[2]))
    if k == "ine":
        return "if_not_exists(%s, %s)" % (r.name(val[1]), r.value(val[2]))
    if k == "ine_plus":
        return "if_not_exists(%s, %s) + %s" % (r.name(val[1]), r.value(val[2]), r.value(val[3]))
    if k == "append":
        return "list_append(%s, %s)" % (r.name(val[1]), r.value(val[2]))
    if k == "prepend":
        return "list_append(%s, %s)" % (r.value(val[1]), r.name(val[2]))
    raise ValueError(k)


def eval_val(val, item):
    from values import num
    k = val[0]
    if k == "v":
        return val[1]
    if k in ("plus", "minus"):
        a = item.get(val[1])
        if a is None:
            raise ModelError("ValidationException", NO_ATTR)
        if a[0] != "N":
            raise ModelError("ValidationException", None)
        return num(a[1] + val[2][1] if k == "plus" else a[1] - val[2][1])
    if k == "ine":
        return item.get(val[1], val[2])
    if k == "ine_plus":
        base = item.get(val[1], val[2])
        return num(base[1] + val[3][1])
    if k == "append":
        a = item.get(val[1])
        if a is None:
            raise ModelError("ValidationException", NO_ATTR)
        return ("L", a[1] + val[2][1])
    if k == "prepend":
        a = item.get(val[2])
        if a is None:
            raise ModelError("ValidationException", NO_ATTR)
        return ("L", val[1][1] + a[1])
    raise ValueError(k)


def update_result(actions, old, key):
    """The item an UpdateItem of `actions` leaves (None: none). On a missing item, an update of
    REMOVE and DELETE actions only creates nothing (as DynamoDB: scylladb/scylladb#5862, found by
    testing against DynamoDB); any other creates the item from its key."""
    if old is None and all(a[0] in ("remove", "delete") for a in actions):
        return None
    return apply_update(actions, old or dict(key))


def apply_update(actions, old):
    """The item after `actions` (old: the item, or {} when there is none); raises ModelError."""
    from values import num
    item = dict(old)
    new_values = {}
    for a in actions:   # every SET operand reads the item as it was before the update
        if a[0] == "set":
            new_values[a[1]] = eval_val(a[2], old)
    for a in actions:
        k, p = a[0], a[1]
        if k == "set":
            item[p] = new_values[p]
        elif k == "remove":
            item.pop(p, None)
        elif k == "add":
            cur, v = old.get(p), a[2]
            if cur is None:
                item[p] = v
            elif v[0] == "N":
                item[p] = num(cur[1] + v[1])
            else:
                item[p] = (cur[0], cur[1] | v[1])
        elif k == "delete":
            cur, v = old.get(p), a[2]
            if cur is not None:
                rest = cur[1] - v[1]
                if rest:
                    item[p] = (cur[0], rest)
                else:
                    item.pop(p, None)
    return item


def updated_names(actions):
    return [a[1] for a in actions]


def show_update(actions):
    out = []
    for a in actions:
        if a[0] == "set":
            val = a[2]
            if val[0] == "v":
                rhs = show(val[1])
            elif val[0] == "ine_plus":
                rhs = "if_not_exists(%s,%s)+%s" % (val[1], show(val[2]), show(val[3]))
            elif val[0] == "prepend":
                rhs = "list_append(%s,%s)" % (show(val[1]), val[2])
            else:
                rhs = "%s(%s,%s)" % (val[0], val[1], show(val[2]))
            out.append("SET %s=%s" % (a[1], rhs))
        elif a[0] == "remove":
            out.append("REMOVE %s" % a[1])
        else:
            out.append("%s %s %s" % (a[0].upper(), a[1], show(a[2])))
    return ", ".join(out)
