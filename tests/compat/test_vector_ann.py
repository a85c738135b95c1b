"""Approximate vector search (ddbd --vector-ann ITEMS, --vector-ann-ef N): an index of at least ITEMS
items gets an HNSW graph in memory, built in the background after a search finds it that large;
searches without a SearchConditionExpression are then answered from it. What must hold:

- the graph is used only once built and only past the threshold (GET /metrics counts the searches
  answered each way: ddbd_vector_searches_total{mode=...});
- its answers score every returned item exactly (the f32 score an exact search gives), best first,
  with recall@10 against a brute-force answer well above chance, and the same ConsumedCapacity as an
  exact search;
- it follows every write after it was built (deleted items never come back, new and moved ones are
  found), and writes made while it was being built;
- searches with a condition stay exact; deleting the index (or the table) while a graph exists or
  is being built is safe.

Raw HTTP: Debian's boto3 does not know SearchVectors (tests/js/vectors.test.mjs drives the rest).
"""
import json
import random
import re
import struct
import time
import urllib.request

from conftest import raw_request

DIMS = 16


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def call(endpoint, op, body):
    r = raw_request(endpoint, op, body)
    return r.status, (json.loads(r.body) if r.body else None)


def ok(endpoint, op, body):
    status, out = call(endpoint, op, body)
    assert status == 200, (op, out)
    return out


def searches(endpoint):
    text = urllib.request.urlopen(endpoint + "/metrics", timeout=5).read().decode()
    found = dict(re.findall(r'^ddbd_vector_searches_total\{mode="(\w+)"\} (\d+)$', text, re.M))
    return int(found.get("exact", -1)), int(found.get("approximate", -1))


def make_vector_table(endpoint, name, fn="EUCLIDEAN", schema=True):
    """A table with a vector index vix on emb (DIMS, `fn`), filterable on cat when `schema`, made
    through raw HTTP as the rest of this file (helpers.make_table makes a plain table through boto3)."""
    ix = {"IndexName": "vix", "VectorAttribute": {"AttributeName": "emb"}, "Dimensions": DIMS,
          "DistanceFunction": fn, "Projection": {"ProjectionType": "KEYS_ONLY"}}
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if schema:
        ix["SearchSchema"] = [{"AttributeName": "cat", "SearchSchemaElementType": "INLINE_FILTER"}]
        defs.append({"AttributeName": "cat", "AttributeType": "S"})
    ok(endpoint, "CreateTable", {"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                 "AttributeDefinitions": defs, "BillingMode": "PAY_PER_REQUEST",
                                 "VectorIndexes": [ix]})


def clustered(rng, n, centres=20):
    """Embedding-like data: points around a few centres (uniform noise has no neighbours to find)."""
    cs = [[rng.gauss(0, 1) for _ in range(DIMS)] for _ in range(centres)]
    return [[round(c + rng.gauss(0, 0.3), 4) for c in cs[i % centres]] for i in range(n)]


def put(endpoint, table, items):
    """items: {pk: (vector, cat)}"""
    keys = list(items)
    for i in range(0, len(keys), 25):
        reqs = [{"PutRequest": {"Item": {"pk": {"S": k}, "cat": {"S": items[k][1]},
                                         "emb": {"L": [{"N": str(x)} for x in items[k][0]]}}}}
                for k in keys[i:i + 25]]
        out = ok(endpoint, "BatchWriteItem", {"RequestItems": {table: reqs}})
        assert not out.get("UnprocessedItems")


def search(endpoint, table, q, k=10, **extra):
    body = {"TableName": table, "IndexName": "vix", "TopK": k, "SearchVector": [{"N": repr(x)} for x in q],
            "ReturnConsumedCapacity": "TOTAL"}
    body.update(extra)
    out = ok(endpoint, "SearchVectors", body)
    return [(r["Item"]["pk"]["S"], float(r["Score"])) for r in out["SearchResults"]], out["ConsumedCapacity"]


def score(fn, q, v):
    """The score as ddbd computes it, in f32 (approximately: the sum's order differs)."""
    q = [f32(x) for x in q]
    v = [f32(x) for x in v]
    if fn == "EUCLIDEAN":
        return sum((a - b) ** 2 for a, b in zip(q, v)) ** 0.5
    dot = sum(a * b for a, b in zip(q, v))
    if fn == "DOT_PRODUCT":
        return dot
    nq, nv = sum(a * a for a in q) ** 0.5, sum(b * b for b in v) ** 0.5
    return 1.0 if nq == 0 or nv == 0 else 1 - dot / (nq * nv)


def brute(fn, items, q, k=10, cat=None):
    ranked = sorted((score(fn, q, v), pk) for pk, (v, c) in items.items() if cat is None or c == cat)
    if fn == "DOT_PRODUCT":
        ranked = sorted(ranked, key=lambda t: (-t[0], t[1]))
    return [pk for _, pk in ranked[:k]]


def wait_graph(endpoint, table, q, timeout=30):
    """Searches until one is answered from the graph (it is built after a search finds the index
    large enough)."""
    deadline = time.monotonic() + timeout
    _, approx0 = searches(endpoint)
    while time.monotonic() < deadline:
        search(endpoint, table, q)
        if searches(endpoint)[1] > approx0:
            return
        time.sleep(0.05)
    raise AssertionError("no search was answered from the approximate graph within %d s" % timeout)


def test_exact_below_threshold_and_without_the_option(server_factory):
    rng = random.Random(1)
    for args in (["--in-memory"], ["--in-memory", "--vector-ann", "1000"]):
        srv = server_factory(args)
        make_vector_table(srv.endpoint, "small")
        items = {"k%04d" % i: (v, "a") for i, v in enumerate(clustered(rng, 300))}
        put(srv.endpoint, "small", items)
        for _ in range(20):
            q = [rng.gauss(0, 1) for _ in range(DIMS)]
            got, _ = search(srv.endpoint, "small", q)
            assert [pk for pk, _ in got] == brute("EUCLIDEAN", items, q)
        time.sleep(0.3)  # a graph, were one wrongly started, would be built by now
        search(srv.endpoint, "small", q)
        assert searches(srv.endpoint) == (21, 0)


def test_approximate_answers_scored_exactly_with_high_recall(server_factory):
    rng = random.Random(2)
    srv = server_factory(["--in-memory", "--vector-ann", "500", "--vector-ann-ef", "128"])
    ep = srv.endpoint
    make_vector_table(ep, "big")
    items = {"k%04d" % i: (v, "ab"[i % 2]) for i, v in enumerate(clustered(rng, 1200))}
    put(ep, "big", items)
    q0 = [rng.gauss(0, 1) for _ in range(DIMS)]
    exact_hits, exact_cc = search(ep, "big", q0)
    assert searches(ep) == (1, 0)
    wait_graph(ep, "big", q0)

    found = total = 0
    for i in range(40):
        q = items["k%04d" % rng.randrange(1200)][0] if i % 2 else [rng.gauss(0, 1) for _ in range(DIMS)]
        got, cc = search(ep, "big", q)
        assert cc == exact_cc  # capacity does not depend on how the items were found
        assert len(got) == 10
        for pk, s in got:  # every score exact
            assert abs(s - score("EUCLIDEAN", q, items[pk][0])) <= 1e-4 * max(1.0, s)
        assert [s for _, s in got] == sorted(s for _, s in got)
        want = brute("EUCLIDEAN", items, q)
        found += len(set(pk for pk, _ in got) & set(want))
        total += 10
    assert found / total >= 0.95, found / total

    # a search with a condition is answered exactly
    exact_before, approx_before = searches(ep)
    q = [rng.gauss(0, 1) for _ in range(DIMS)]
    got, _ = search(ep, "big", q, SearchConditionExpression="cat = :c", ExpressionAttributeValues={":c": {"S": "b"}})
    assert [pk for pk, _ in got] == brute("EUCLIDEAN", items, q, cat="b")
    assert searches(ep) == (exact_before + 1, approx_before)


def test_graph_follows_writes(server_factory):
    rng = random.Random(3)
    srv = server_factory(["--in-memory", "--vector-ann", "400", "--vector-ann-ef", "128"])
    ep = srv.endpoint
    make_vector_table(ep, "moving")
    items = {"k%04d" % i: (v, "a") for i, v in enumerate(clustered(rng, 800))}
    put(ep, "moving", items)
    q = items["k0007"][0]
    wait_graph(ep, "moving", q)

    # deleted items never come back
    got, _ = search(ep, "moving", q, k=20)
    gone = [pk for pk, _ in got[:10]]
    for pk in gone:
        ok(ep, "DeleteItem", {"TableName": "moving", "Key": {"pk": {"S": pk}}})
        del items[pk]
    got, _ = search(ep, "moving", q, k=20)
    assert not set(gone) & set(pk for pk, _ in got)

    # a new item at the query's place is found first; one moved away is no longer found
    far = [100.0] * DIMS
    ok(ep, "PutItem", {"TableName": "moving", "Item": {"pk": {"S": "new"}, "cat": {"S": "a"},
                                                       "emb": {"L": [{"N": repr(x)} for x in q]}}})
    moved = [pk for pk, _ in got[:3]]
    for pk in moved:
        ok(ep, "PutItem", {"TableName": "moving", "Item": {"pk": {"S": pk}, "cat": {"S": "a"},
                                                           "emb": {"L": [{"N": "100"}] * DIMS}}})
    got, _ = search(ep, "moving", q, k=20)
    assert got[0] == ("new", 0.0)
    assert not set(moved) & set(pk for pk, _ in got)
    got, _ = search(ep, "moving", far, k=3)
    assert sorted(pk for pk, _ in got) == sorted(moved)
    # a slot freed by a delete and taken by another item: the graph holds the new vector
    ok(ep, "DeleteItem", {"TableName": "moving", "Key": {"pk": {"S": "new"}}})
    ok(ep, "PutItem", {"TableName": "moving", "Item": {"pk": {"S": "newer"}, "cat": {"S": "a"},
                                                       "emb": {"L": [{"N": repr(x)} for x in far]}}})
    got, _ = search(ep, "moving", q, k=5)
    assert "new" not in [pk for pk, _ in got] and "newer" not in [pk for pk, _ in got]
    assert searches(ep)[1] >= 4


def test_writes_while_the_graph_is_built(server_factory):
    """Writes racing the background build are entered when the graph is installed."""
    rng = random.Random(4)
    srv = server_factory(["--in-memory", "--vector-ann", "1000", "--vector-ann-ef", "128"])
    ep = srv.endpoint
    make_vector_table(ep, "racing")
    items = {"k%05d" % i: (v, "a") for i, v in enumerate(clustered(rng, 3000))}
    put(ep, "racing", items)
    q = [rng.gauss(0, 1) for _ in range(DIMS)]
    search(ep, "racing", q)  # starts the build
    late = {}
    for i in range(50):  # most of these land while it runs
        v = [round(x + rng.gauss(0, 0.01), 4) for x in q]
        late["late%02d" % i] = (v, "a")
    put(ep, "racing", late)
    for pk in list(items)[:200]:
        ok(ep, "DeleteItem", {"TableName": "racing", "Key": {"pk": {"S": pk}}})
        del items[pk]
    wait_graph(ep, "racing", q)
    got, _ = search(ep, "racing", q, k=50)
    assert len(set(pk for pk, _ in got) & set(late)) >= 45
    assert not any(pk in ("k%05d" % i for i in range(200)) for pk, _ in got)


def test_every_distance_function(server_factory):
    rng = random.Random(5)
    srv = server_factory(["--in-memory", "--vector-ann", "300", "--vector-ann-ef", "200"])
    ep = srv.endpoint
    for fn in ("COSINE", "DOT_PRODUCT", "EUCLIDEAN"):
        name = "fn_" + fn.lower()
        make_vector_table(ep, name, fn=fn, schema=False)
        items = {"k%04d" % i: (v, "a") for i, v in enumerate(clustered(rng, 600))}
        put(ep, name, items)
        wait_graph(ep, name, items["k0001"][0])
        found = 0
        for i in range(20):
            q = items["k%04d" % rng.randrange(600)][0]
            got, _ = search(ep, name, q)
            ranked = [s for _, s in got]
            assert ranked == sorted(ranked, reverse=(fn == "DOT_PRODUCT"))
            found += len(set(pk for pk, _ in got) & set(brute(fn, items, q)))
        assert found >= 0.9 * 200, (fn, found)


def test_dropping_an_index_with_a_graph(server_factory):
    rng = random.Random(6)
    srv = server_factory(["--in-memory", "--vector-ann", "300"])
    ep = srv.endpoint
    make_vector_table(ep, "dropped", schema=False)
    items = {"k%04d" % i: (v, "a") for i, v in enumerate(clustered(rng, 2000))}
    put(ep, "dropped", items)
    search(ep, "dropped", items["k0000"][0])  # a build begins; the index goes away under it
    ok(ep, "UpdateTable", {"TableName": "dropped", "VectorIndexUpdates": [{"Delete": {"IndexName": "vix"}}]})
    ok(ep, "DeleteTable", {"TableName": "dropped"})
    # the server is unharmed and a new table of the same name starts from nothing
    deadline = time.monotonic() + 10
    while True:
        status, out = call(ep, "DescribeTable", {"TableName": "dropped"})
        if status == 400:
            break
        assert time.monotonic() < deadline, out
        time.sleep(0.05)
    make_vector_table(ep, "dropped", schema=False)
    put(ep, "dropped", {"only": ([1.0] * DIMS, "a")})
    got, _ = search(ep, "dropped", [1.0] * DIMS)
    assert got == [("only", 0.0)]
    srv.stop()
    assert srv.proc.returncode == 0, srv.stderr_text()


def test_exact_scan_on_several_threads(server_factory):
    """An index past a few MB of vectors is scanned on --search-threads threads: each scans a range
    of rows and their selections merge. Racing searches must each get the single-thread answer
    (a thread joined too early would return part of it, or read freed memory)."""
    import threading
    dims, n = 768, 3000  # 2.3 M floats: past the 2^21 at which a scan is split (vector_cache.c)
    rng = random.Random(7)
    srv = server_factory(["--in-memory", "--search-threads", "2"])
    ep = srv.endpoint
    ok(ep, "CreateTable", {"TableName": "wide", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                           "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                           "BillingMode": "PAY_PER_REQUEST",
                           "VectorIndexes": [{"IndexName": "vix", "VectorAttribute": {"AttributeName": "emb"},
                                              "Dimensions": dims, "DistanceFunction": "DOT_PRODUCT",
                                              "Projection": {"ProjectionType": "KEYS_ONLY"}}]})
    # small integers: every product and sum is exact in f32, so the expected order is exact too
    vecs = {"k%04d" % i: [rng.randint(-3, 3) for _ in range(dims)] for i in range(n)}
    keys = list(vecs)
    for i in range(0, n, 25):
        reqs = [{"PutRequest": {"Item": {"pk": {"S": k}, "emb": {"L": [{"N": str(x)} for x in vecs[k]]}}}}
                for k in keys[i:i + 25]]
        assert not ok(ep, "BatchWriteItem", {"RequestItems": {"wide": reqs}}).get("UnprocessedItems")
    queries = [[rng.randint(-3, 3) for _ in range(dims)] for _ in range(4)]
    want = []
    for q in queries:
        scored = sorted(((-sum(a * b for a, b in zip(q, vecs[k])), k) for k in keys))
        want.append(scored[:10])
    body = lambda q: {"TableName": "wide", "IndexName": "vix", "TopK": 10,
                      "SearchVector": [{"N": str(x)} for x in q]}
    errors = []

    def searcher(j):
        try:
            for r in range(6):
                q = (j + r) % len(queries)
                out = ok(ep, "SearchVectors", body(queries[q]))
                got = [(-float(x["Score"]), x["Item"]["pk"]["S"]) for x in out["SearchResults"]]
                # equal scores: the item key breaks the tie in the server (as stored), so compare
                # the scores in order and the keys as a set per score
                assert [s for s, _ in got] == [s for s, _ in want[q]], (q, got, want[q])
                top_score = want[q][-1][0]
                assert {k for s, k in got if s != top_score} == {k for s, k in want[q] if s != top_score}
        except Exception as e:  # noqa: BLE001 (reported below)
            errors.append(e)

    ts = [threading.Thread(target=searcher, args=(j,)) for j in range(4)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert not errors, errors[0]
    srv.stop()
    assert srv.proc.returncode == 0, srv.stderr_text()
