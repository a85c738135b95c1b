"""tests/model/streams.py: each table's stream read whole at the end of a run and checked against
the model's changes, item by item: a record for every change and none for a write that changed
nothing (the same item put again, an update to the same values, a delete of an absent item),
INSERT, MODIFY or REMOVE, the images the table's view type carries, a TTL delete's userIdentity,
and an item's records in the order of its changes, whatever the modes did meanwhile (transactions,
batches, PartiQL, injected faults, throttles, restarts with SIGKILL and other --shards, the clock
moved back, a day's step). The stream is read as a consumer reads it: shard by shard in
DescribeStream's order (parents before children), each in its numbers' order, and an item's
numbers must increase in that order (a child's numbers are above its parent's). An item's first
changes may be missing where they are older than a day before the clock's latest (the trim takes
a shard's oldest records, and a child's only after its parents'), never a later one. Sources: the developer guide's "Change data
capture for DynamoDB Streams" ("DynamoDB Streams writes a stream record ... only if the item is
modified"; each record appears once, in the sequence of the item's modifications), "Streams and
TTL" (the Service userIdentity); ddbd's docs/compatibility.md, Streams."""
from client import STREAMS, error_message, error_type
from model import ident
from runner import NO_EFFECT, Mismatch
from values import item_from_wire, show_item

DAY_MS = 24 * 3600 * 1000
TTL_IDENTITY = {"PrincipalId": "dynamodb.amazonaws.com", "Type": "Service"}


def expected(view, old, new, ttl):
    """The record a change makes, as compared: (eventName, OldImage, NewImage, userIdentity)."""
    name = "INSERT" if old is None else "REMOVE" if new is None else "MODIFY"
    return (name, old if view in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") else None,
            new if view in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") else None, TTL_IDENTITY if ttl else None)


class Streams:
    def streams_call(self, op, body):
        """A Streams API call with the current client's key and region, sent again past injected
        errors (each a no-op)."""
        for _ in range(100):
            status, ans = self.c.call(op, body, target=STREAMS)
            if status == 200:
                return ans
            if not (self.modes.get("faults") and error_type(ans) in NO_EFFECT):
                raise Mismatch("%s: status %s (%s: %s), model success" % (op, status, error_type(ans),
                                                                          error_message(ans)))
        raise Mismatch(op + ": refused 100 times by injected faults")

    def stream_records(self, arn):
        """Every record of the stream, of every shard (each drained, closed or open)."""
        shards, req = [], {"StreamArn": arn}
        while True:
            desc = self.streams_call("DescribeStream", req)["StreamDescription"]
            shards += [s["ShardId"] for s in desc.get("Shards", [])]
            if "LastEvaluatedShardId" not in desc:
                break
            req = {"StreamArn": arn, "ExclusiveStartShardId": desc["LastEvaluatedShardId"]}
        records = []   # (a shard's place in the listing: parents before children, docs/compatibility.md)
        for place, shard in enumerate(shards):
            it = self.streams_call("GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                                        "ShardIteratorType": "TRIM_HORIZON"})["ShardIterator"]
            for _ in range(100000):
                ans = self.streams_call("GetRecords", {"ShardIterator": it, "Limit": 1000})
                records += [((place, shard), r) for r in ans.get("Records", [])]
                it = ans.get("NextShardIterator")
                if it is None or not ans.get("Records"):   # (closed and drained, or open and read to its end)
                    break
        return records

    def check_streams(self):
        """The failure message of the first table whose stream the model does not allow, or None.
        With a replica, the replica's stream too: every change replicated, each once, in the item's
        order (a clock step first, which waits for the replication's pass)."""
        if self.west is None:
            return self.check_region_streams("us-east-1")
        self.op_clock({"op": "clock", "ms": 1})
        home = self.c
        try:
            for region, c in (("us-east-1", home), ("us-west-2", self.west)):
                self.c = c
                message = self.check_region_streams(region)
                if message is not None:
                    return message
        finally:
            self.c = home
        return None

    def ttl_identities(self, region):
        """The userIdentity a TTL delete's record may carry in `region`: the Service where that
        region's sweep made it, none where it was replicated from the other's (a plain delete there:
        docs/compatibility.md, "Global tables"). With a replica and TTL on in us-west-2 too, both
        regions sweep, each its own copy (a step holds replication off while it sweeps)."""
        if self.west is None or self.modes.get("ttl_west"):
            return (TTL_IDENTITY,)
        return (TTL_IDENTITY,) if region == "us-east-1" else (None,)

    def check_region_streams(self, region):
        where = "" if self.west is None else " in %s" % region
        who = self.ttl_identities(region)
        for n, tm in enumerate(self.m.tables):
            view = tm.spec.get("stream")
            if view is None:
                continue
            name = self.tname(n)
            arn = self.admitted("DescribeTable", {"TableName": name})["Table"].get("LatestStreamArn")
            if arn is None:
                return "DescribeTable %s%s: no LatestStreamArn, model a %s stream" % (name, where, view)
            name += where
            got = {}
            for (place, shard), r in self.stream_records(arn):
                d = r.get("dynamodb", {})
                if r.get("eventSource") != "aws:dynamodb" or d.get("StreamViewType") != view:
                    return "stream of %s, shard %s: record %s, model eventSource aws:dynamodb, view %s" % (
                        name, shard, r, view)
                key = item_from_wire(d.get("Keys", {}))
                if sorted(key) != ["pk"] + (["sk"] if tm.spec["range"] else []):
                    return "stream of %s, shard %s: Keys %s, model the table's key" % (name, shard, show_item(key))
                rec = (r.get("eventName"), item_from_wire(d["OldImage"]) if "OldImage" in d else None,
                       item_from_wire(d["NewImage"]) if "NewImage" in d else None, r.get("userIdentity"))
                # an item's records in the order a reader that drains a parent before its children
                # meets them, whose numbers must increase too (a child's are above its parent's)
                got.setdefault(ident(tm.spec, key), []).append(((place, int(d.get("SequenceNumber", "0"))), rec, key))
            for i in set(got) | set(tm.changes):
                mine = sorted(got.get(i, []), key=lambda x: x[0])
                numbers = [seq for (_, seq), _, _ in mine]
                if any(a >= b for a, b in zip(numbers, numbers[1:])):
                    return "stream of %s, item %s: SequenceNumbers %s in the order a reader meets them" % (
                        name, i, numbers)
                have = [(rec, key) for _, rec, key in mine]
                changes = tm.changes.get(i, [])
                # the trim takes a shard's records older than a day before the clock (its latest,
                # with a minute's room), from the shard's oldest on: an item's first changes may be gone
                gone = 0
                while gone < len(changes) - len(have) and changes[gone][3] < self.m.peak - DAY_MS + 60000:
                    gone += 1
                want = [expected(view, old, new, ttl) for old, new, ttl, _ in changes[gone:]]
                for k, (h, w) in enumerate(zip([h for h, _ in have], want)):
                    if w[3] is not None and h[3] in who:
                        w = w[:3] + (h[3],)   # (a TTL delete: made here or replicated)
                    if h != w:
                        return ("stream of %s, item %s: change %d of %d is %s, model %s" % (
                            name, i, gone + k + 1, len(changes), show_record(h), show_record(w)))
                if len(have) != len(want):
                    extra = have[len(want):]
                    return ("stream of %s, item %s: %d records, model %d changes (%d of them trimmed)%s" % (
                        name, i, len(have), len(changes), gone,
                        "; the first extra: %s" % show_record(extra[0][0]) if extra else
                        "; the first missing: %s" % show_record(want[len(have)])))
                for h, key in have:
                    if key != {k: v for k, v in (h[1] or h[2] or key).items() if k in key}:
                        return "stream of %s, item %s: Keys %s, images %s" % (name, i, show_item(key), show_record(h))
        return None


def show_record(r):
    name, old, new, who = r
    return "%s old %s new %s%s" % (name, show_item(old), show_item(new), " by %s" % who if who else "")
