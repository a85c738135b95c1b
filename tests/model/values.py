"""tests/model/values.py: DynamoDB attribute values as the model holds them, their wire form, their
sizes by AWS's "Item sizes and formats" page, and the read and write units of AWS's capacity rules.

A value is a hashable tuple: ("S", str), ("N", Decimal), ("B", bytes), ("BOOL", bool),
("NULL", True), ("SS"|"NS"|"BS", frozenset), ("L", tuple of values), ("M", tuple of (name, value)
sorted by name). An item is a dict name -> value.
"""
import base64
import math
from decimal import Decimal

SETS = ("SS", "NS", "BS")
SCALAR_OF_SET = {"SS": "S", "NS": "N", "BS": "B"}


def num(x):
    return ("N", Decimal(x).normalize() if Decimal(x) != 0 else Decimal(0))


def num_text(d):
    d = d.normalize() if d != 0 else Decimal(0)
    return format(d, "f")


def to_wire(v):
    t, x = v
    if t == "S":
        return {"S": x}
    if t == "N":
        return {"N": num_text(x)}
    if t == "B":
        return {"B": base64.b64encode(x).decode()}
    if t == "BOOL":
        return {"BOOL": x}
    if t == "NULL":
        return {"NULL": True}
    if t == "SS":
        return {"SS": sorted(x)}
    if t == "NS":
        return {"NS": [num_text(d) for d in sorted(x)]}
    if t == "BS":
        return {"BS": [base64.b64encode(b).decode() for b in sorted(x)]}
    if t == "L":
        return {"L": [to_wire(e) for e in x]}
    if t == "M":
        return {"M": {k: to_wire(e) for k, e in x}}
    raise ValueError(t)


def from_wire(w):
    (t, x), = w.items()
    if t == "S":
        return ("S", x)
    if t == "N":
        return num(x)
    if t == "B":
        return ("B", base64.b64decode(x))
    if t == "BOOL":
        return ("BOOL", x)
    if t == "NULL":
        return ("NULL", True)
    if t == "SS":
        return ("SS", frozenset(x))
    if t == "NS":
        return ("NS", frozenset(num(e)[1] for e in x))
    if t == "BS":
        return ("BS", frozenset(base64.b64decode(e) for e in x))
    if t == "L":
        return ("L", tuple(from_wire(e) for e in x))
    if t == "M":
        return ("M", tuple(sorted((k, from_wire(e)) for k, e in x.items())))
    raise ValueError(t)


def item_to_wire(item):
    return {k: to_wire(v) for k, v in item.items()}


def item_from_wire(w):
    return {k: from_wire(v) for k, v in w.items()}


def show(v):
    """A short readable form for the printed sequences."""
    t, x = v
    if t == "N":
        return num_text(x)
    if t == "S":
        return repr(x if len(x) < 24 else x[:12] + "...(%d)" % len(x))
    if t == "B":
        return "b" + repr(x.hex())
    if t in SETS:
        return "%s{%s}" % (t, ",".join(sorted(show((SCALAR_OF_SET[t], e)) for e in x)))
    if t == "L":
        return "[%s]" % ",".join(show(e) for e in x)
    if t == "M":
        return "{%s}" % ",".join("%s:%s" % (k, show(e)) for k, e in x)
    return "%s:%s" % (t, x)


def show_item(item):
    if item is None:
        return "-"
    return "{%s}" % ", ".join("%s=%s" % (k, show(item[k])) for k in sorted(item))


# ------------------------------------------------------------------------------------------------
# Sizes: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html
# ------------------------------------------------------------------------------------------------

def number_size(d):
    """The page says "approximately 1 byte per two significant digits + 1"; the exact count, as
    measured against DynamoDB by dynalite: an exponent byte, then the digits in base-100 pairs
    (a leading zero pads an odd exponent), and one more byte for a negative number; zero is 1."""
    if d == 0:
        return 1
    sign, digits, e = d.normalize().as_tuple()
    n = len(digits)
    exp = n + e                      # value = 0.d1d2... x 10^exp
    return 1 + (n + exp % 2 + 1) // 2 + (1 if sign else 0)


def value_size(v):
    t, x = v
    if t == "S":
        return len(x.encode("utf-8"))
    if t == "N":
        return number_size(x)
    if t == "B":
        return len(x)
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(e.encode("utf-8")) for e in x)
    if t == "NS":
        return sum(number_size(e) for e in x)
    if t == "BS":
        return sum(len(e) for e in x)
    if t == "L":
        return 3 + sum(value_size(e) + 1 for e in x)
    if t == "M":
        return 3 + sum(len(k.encode("utf-8")) + value_size(e) + 1 for k, e in x)
    raise ValueError(t)


def item_size(item):
    if not item:
        return 0
    return sum(len(k.encode("utf-8")) + value_size(v) for k, v in item.items())


def read_units(size, consistent, per=4096):
    """One read unit per 4 KB, rounded up, at least one; half of it when eventually consistent."""
    units = max(1, math.ceil(size / per))
    return units if consistent else units / 2


def write_units(size):
    return max(1, math.ceil(size / 1024))


# ------------------------------------------------------------------------------------------------
# Ordering and comparison (DynamoDB: numbers by value, strings by UTF-8 bytes, binary by bytes)
# ------------------------------------------------------------------------------------------------

def sort_key(v):
    t, x = v
    if t == "S":
        return x.encode("utf-8")
    return x


def compare(a, b):
    """-1, 0, 1 for two scalars of one type (S, N, B); None when they cannot be ordered."""
    if a is None or b is None or a[0] != b[0] or a[0] not in ("S", "N", "B"):
        return None
    ka, kb = sort_key(a), sort_key(b)
    return (ka > kb) - (ka < kb)
