"""A grammar fuzzer of DynamoDB's expression language and of PartiQL (issue 61, "Must show").

Where the byte-level fuzzers (tests/fuzz/fuzz_expr.c, fuzz_partiql.c) find what a parser does with
any text, this one writes requests the way the grammars do, drawn by a seeded random generator,
and pushes each rule to its extremes: parentheses nested hundreds deep, document paths of
hundreds of elements, list indexes past 2^64, IN lists past DynamoDB's 100 operands, names in
every script and placeholder names at their limits, long AND/OR chains, functions with the wrong
arity. Each request goes to a real server (raw HTTP, signed as an SDK signs), and each answer must
be DynamoDB's: 200, or 400 with a `__type` DynamoDB gives for it, never a 5xx, a hang or a crash.

Used by tests/security/test_grammar_fuzz.py (fixed seeds, a few thousand requests, in CI) and by
bench/grammar_fuzz.py (as long as asked, any seed).
"""
import json
import random

# what a fuzzed request may be answered with, beside 200
ALLOWED_TYPES = {
    "com.amazon.coral.validate#ValidationException",
    "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
    "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
    "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
    "com.amazonaws.dynamodb.v20120810#DuplicateItemException",
    "com.amazon.coral.service#SerializationException",
}

NAMES = ["a", "b", "l", "m", "pk", "n", "x_1", "\u00e4\u00e1\u00f6\u00fc", "\u540d\u524d", "\U0001F600", "k" * 255,
         "select", "size", "AND", "from", "value"]
SCALARS = [{"S": "x"}, {"S": ""}, {"N": "1"}, {"N": "-9.9E+125"}, {"N": "1E-130"}, {"B": "AQID"}, {"BOOL": True},
           {"NULL": True}, {"SS": ["a", "b"]}, {"NS": ["1", "2"]}, {"L": [{"S": "x"}]}, {"M": {"a": {"N": "1"}}},
           {"S": "\u00e4" * 100}]
COMPARATORS = ["=", "<>", "<", "<=", ">", ">="]
INDEXES = ["0", "1", "3", "99", "4294967296", "18446744073709551616", "99999999999999999999999999999", "-1", "01"]


class Gen:
    """One request's parts, drawn from `rng`; the placeholders it used go in names/values."""

    def __init__(self, rng, wild=True):
        self.rng = rng
        self.wild = wild  # at the limits and past them; else within them, to reach the evaluator
        self.names = {}
        self.values = {}

    def pick(self, seq):
        return self.rng.choice(seq)

    def extreme(self, small, big):
        """Mostly small, sometimes (wild) at or past a limit."""
        if not self.wild or self.rng.random() < 0.85:
            return self.rng.randint(0, small)
        return self.rng.randint(small, big)

    def name(self):
        r = self.rng.random()
        if not self.wild:
            if r < 0.6:
                ph = "#" + self.pick(["n", "a", "b", "x_1"])
                self.names[ph] = self.pick(NAMES)
                return ph
            return self.pick(["a", "b", "l", "m", "n", "x_1"])
        if r < 0.45:
            ph = "#" + self.pick(["n", "a", "b", "x" * self.extreme(3, 300), "\u00e4", "0", "_"])
            self.names[ph] = self.pick(NAMES)
            return ph
        if r < 0.5:
            return "#undeclared"
        return self.pick(NAMES[:7] + ["\u00e4", "a.b", "1a", "_x", "a-b"])

    def value(self):
        ph = ":" + self.pick(["v", "n", "s", "x" * self.extreme(3, 300), "\u00e4", "0"] if self.wild else ["v", "n", "s"])
        if not self.wild or self.rng.random() < 0.95:
            self.values[ph] = self.pick(SCALARS)
        return ph

    def path(self):
        parts = [self.name()]
        for _ in range(self.extreme(3, 400)):
            parts.append("." + self.name() if self.rng.random() < 0.6 else
                         "[" + self.pick(INDEXES if self.wild else INDEXES[:4]) + "]")
        return "".join(parts)

    def operand(self, depth):
        r = self.rng.random() * (1.0 if self.wild else 0.9)
        if r < 0.45:
            return self.path()
        if r < 0.8:
            return self.value()
        if r < 0.9:
            return "size(%s)" % self.path()
        return self.pick(["", "(", ")", "size()", "size(:v, :v)", ",", "1", "'s'"])

    def function(self):
        p = self.path()
        return self.pick(([] if self.wild else [
            "attribute_exists(%s)" % p, "attribute_not_exists(%s)" % p, "begins_with(%s, %s)" % (p, self.value()),
            "contains(%s, %s)" % (p, self.value())]) + [
            "attribute_exists(%s)" % p, "attribute_not_exists(%s)" % p,
            "attribute_type(%s, %s)" % (p, self.value()), "begins_with(%s, %s)" % (p, self.value()),
            "contains(%s, %s)" % (p, self.operand(0)), "size(%s) %s %s" % (p, self.pick(COMPARATORS), self.value()),
            "attribute_exists(%s, %s)" % (p, p), "begins_with(%s)" % p, "unknown_fn(%s)" % p,
            "ATTRIBUTE_EXISTS(%s)" % p,
        ][:None if self.wild else 6])

    def condition(self, depth=0):
        r = self.rng.random()
        if depth > 6 or r < 0.3:
            return self.atom(depth)
        if r < 0.5:
            return "%s %s %s" % (self.condition(depth + 1), self.pick(["AND", "OR", "and", "Or"]),
                                 self.condition(depth + 1))
        if r < 0.6:
            return "NOT " + self.condition(depth + 1)
        if r < 0.75:
            n = self.extreme(3, 400)
            return "(" * n + self.condition(depth + 1) + ")" * (n if self.rng.random() < 0.9 else n - 1)
        if r < 0.85:  # a long chain
            op = self.pick(["AND", "OR"])
            return (" %s " % op).join(self.atom(depth) for _ in range(self.extreme(3, 300)))
        return self.atom(depth)

    def atom(self, depth):
        r = self.rng.random()
        if r < 0.35:
            return "%s %s %s" % (self.operand(depth), self.pick(COMPARATORS), self.operand(depth))
        if r < 0.5:
            return "%s BETWEEN %s AND %s" % (self.operand(depth), self.operand(depth), self.operand(depth))
        if r < 0.65:
            return "%s IN (%s)" % (self.operand(depth),
                                   ", ".join(self.operand(depth) for _ in range(max(1, self.extreme(5, 150)))))
        return self.function()

    def update(self):
        clauses = []
        for kw in self.rng.sample(["SET", "REMOVE", "ADD", "DELETE", "SET"], self.rng.randint(1, 4)):
            n = max(1, self.extreme(2, 120))
            if kw == "SET":
                acts = ["%s = %s" % (self.path(), self.set_value()) for _ in range(n)]
            elif kw == "REMOVE":
                acts = [self.path() for _ in range(n)]
            else:
                acts = ["%s %s" % (self.path(), self.value()) for _ in range(n)]
            clauses.append(kw + " " + ", ".join(acts))
        return " ".join(clauses)

    def set_value(self):
        r = self.rng.random()
        if r < 0.4:
            return self.operand(0)
        if r < 0.6:
            return "%s %s %s" % (self.operand(0), self.pick(["+", "-"]), self.operand(0))
        if r < 0.8:
            return "if_not_exists(%s, %s)" % (self.path(), self.operand(0))
        return "list_append(%s, %s)" % (self.operand(0), self.operand(0))

    def projection(self):
        return ", ".join(self.path() for _ in range(max(1, self.extreme(4, 200))))

    def key_condition(self):
        cond = "%s = %s" % (self.pick(["pk", "#k"]), self.value())
        self.names.setdefault("#k", "pk")
        if self.rng.random() < 0.5:
            cond += " AND " + self.pick(["begins_with(sk, %s)" % self.value(), "sk BETWEEN %s AND %s" % (
                self.value(), self.value()), "sk %s %s" % (self.pick(COMPARATORS), self.value())])
        if self.rng.random() < 0.2:
            cond = "(" * self.extreme(2, 300) + cond + ")" * self.extreme(2, 300)
        return cond

    def attrs(self, body):
        if self.names or self.rng.random() < 0.1:
            body["ExpressionAttributeNames"] = dict(self.names)
        if self.values or self.rng.random() < 0.1:
            body["ExpressionAttributeValues"] = dict(self.values)
        return body


class PartiQL:
    """PartiQL statements by its grammar's rules, at their extremes."""

    def __init__(self, rng, table):
        self.rng = rng
        self.table = table
        self.params = 0

    def pick(self, seq):
        return self.rng.choice(seq)

    def extreme(self, small, big):
        return self.rng.randint(0, small) if self.rng.random() < 0.85 else self.rng.randint(small, big)

    def ident(self):
        r = self.rng.random()
        if r < 0.5:
            return self.pick(["a", "b", "pk", "sk", "m", "l"])
        if r < 0.8:
            return '"%s"' % self.pick(NAMES).replace('"', '""')
        return self.pick(['"a""b"', '""', "\u00e4", "select", '"' + "x" * 300 + '"'])

    def path(self):
        parts = [self.ident()]
        for _ in range(self.extreme(3, 300)):
            parts.append("." + self.ident() if self.rng.random() < 0.6 else "[%s]" % self.pick(INDEXES + ["'k'"]))
        return "".join(parts)

    def literal(self):
        r = self.rng.random()
        if r < 0.2:
            self.params += 1
            return "?"
        return self.pick(["'x'", "''", "1", "-9.9E+125", "1E-131", "TRUE", "NULL", "MISSING", "<<'a', 'b'>>",
                          "<<1, 2>>", "[1, 'x', [2]]", "{'a': 1, 'b': {'c': 'd'}}", "'\u00e4\u00e1'", "'it''s'",
                          "`1`", "0x01", "'" + "y" * 1000 + "'"])

    def operand(self):
        return self.path() if self.rng.random() < 0.5 else self.literal()

    def predicate(self, depth=0):
        r = self.rng.random()
        if depth > 6 or r < 0.35:
            return "%s %s %s" % (self.operand(), self.pick(COMPARATORS + ["!="]), self.operand())
        if r < 0.5:
            return "%s %s %s" % (self.predicate(depth + 1), self.pick(["AND", "OR"]), self.predicate(depth + 1))
        if r < 0.6:
            return "NOT " + self.predicate(depth + 1)
        if r < 0.72:
            n = self.extreme(3, 400)
            return "(" * n + self.predicate(depth + 1) + ")" * n
        if r < 0.84:
            return "%s IN [%s]" % (self.operand(), ", ".join(self.operand() for _ in range(max(1, self.extreme(5, 150)))))
        if r < 0.9:
            return "%s BETWEEN %s AND %s" % (self.operand(), self.operand(), self.operand())
        return self.pick(["begins_with(%s, %s)" % (self.path(), self.literal()), "attribute_type(%s, 'S')" % self.path(),
                          "%s IS MISSING" % self.path(), "contains(%s, %s)" % (self.path(), self.literal()),
                          "size(%s) > 1" % self.path(), "EXISTS(SELECT * FROM t)"])

    def statement(self):
        t = '"%s"' % self.table
        r = self.rng.random()
        if r < 0.45:
            what = "*" if self.rng.random() < 0.5 else ", ".join(self.path() for _ in range(max(1, self.extreme(3, 100))))
            s = "SELECT %s FROM %s" % (what, self.pick([t, t + '."idx"', '"no_such"']))
            if self.rng.random() < 0.9:
                s += " WHERE " + self.predicate()
            if self.rng.random() < 0.1:
                s += " ORDER BY pk " + self.pick(["ASC", "DESC"])
            return s
        if r < 0.6:
            return "INSERT INTO %s VALUE {'pk': %s, %s: %s}" % (t, self.literal(), "'" + self.pick(NAMES) + "'",
                                                                self.literal())
        if r < 0.8:
            sets = ", ".join("%s = %s" % (self.path(), self.operand()) for _ in range(max(1, self.extreme(3, 100))))
            return "UPDATE %s SET %s WHERE pk = %s" % (t, sets, self.literal()) + (
                " AND " + self.predicate() if self.rng.random() < 0.5 else "")
        if r < 0.9:
            return "DELETE FROM %s WHERE pk = %s" % (t, self.literal()) + (
                " AND " + self.predicate() if self.rng.random() < 0.5 else "")
        return self.pick(["SELECT", "SELECT * FROM", "UPDATE %s" % t, "(" * 500, "SELECT * FROM %s WHERE" % t,
                          "EXPLAIN SELECT * FROM %s" % t])

    def body(self):
        self.params = 0
        stmt = self.statement()
        body = {"Statement": stmt}
        n = self.params if self.rng.random() < 0.8 else self.rng.randint(0, 3)
        if n:
            body["Parameters"] = [self.pick(SCALARS) for _ in range(n)]
        return body


def requests(seed, table):
    """Endless (operation, body) pairs for the table `table` (pk S, sk S; an index "idx" on a)."""
    rng = random.Random(seed)
    while True:
        g = Gen(rng, wild=rng.random() < 0.5)
        key = {"pk": {"S": "k%d" % rng.randint(0, 5)}, "sk": {"S": "s"}}
        r = rng.random()
        if r < 0.2:
            yield "PutItem", g.attrs({"TableName": table, "Item": dict(key, a={"S": "x"}),
                                      "ConditionExpression": g.condition()})
        elif r < 0.4:
            body = {"TableName": table, "Key": key, "UpdateExpression": g.update()}
            if rng.random() < 0.5:
                body["ConditionExpression"] = g.condition()
            yield "UpdateItem", g.attrs(body)
        elif r < 0.5:
            yield "GetItem", g.attrs({"TableName": table, "Key": key, "ProjectionExpression": g.projection()})
        elif r < 0.65:
            body = {"TableName": table, "KeyConditionExpression": g.key_condition(), "Limit": rng.randint(1, 10)}
            if rng.random() < 0.6:
                body["FilterExpression"] = g.condition()
            if rng.random() < 0.3:
                body["ProjectionExpression"] = g.projection()
            yield "Query", g.attrs(body)
        elif r < 0.75:
            yield "Scan", g.attrs({"TableName": table, "FilterExpression": g.condition(), "Limit": rng.randint(1, 10)})
        elif r < 0.8:
            yield "DeleteItem", g.attrs({"TableName": table, "Key": key, "ConditionExpression": g.condition()})
        else:
            p = PartiQL(rng, table)
            yield "ExecuteStatement", p.body()


def table_params(table):
    return {"TableName": table, "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"},
                                     {"AttributeName": "a", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "GlobalSecondaryIndexes": [{"IndexName": "idx", "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}],
                                        "Projection": {"ProjectionType": "ALL"}}]}


def verdict(status, body):
    """None when the answer is DynamoDB's kind of answer, else what is wrong with it."""
    if status == 200:
        return None
    if status != 400:
        return "status %d: %s" % (status, body[:300])
    try:
        t = json.loads(body).get("__type")
    except ValueError:
        return "a 400 that is not JSON: %r" % body[:300]
    return None if t in ALLOWED_TYPES else "unexpected __type %s: %s" % (t, body[:300])
