"""Templates as seeds (docs/seeding.md, "Templates") are bounded like every seed file
(docs/security.md, "Seed files"): a YAML "billion laughs" (aliases of aliases) is refused at the
expanded-node limit without being expanded, a document nested past the limit is refused, conditions
that name each other in a circle are refused, and a FIFO named like a template is refused unread.
Each run is bounded in time and memory (test_seed_files.run_seed kills a server that is not).

A template's values cost what CloudFormation would let them (issue 61, item 4): each condition is
evaluated once and each table's name built once (a chain whose every link names the one before twice
costs a step a link, not 2^n), a string is refused as it grows past what it may be (a table name:
DynamoDB's 255 characters; any value: a template's 1 MB), all of a template's values together past
64 MiB are refused, and so is a template past CloudFormation's quotas. Each explosion is bounded by
memory (the server's peak RSS, read from /proc) and by a time only a regression to exponential
work can pass (SLOW: these start in milliseconds; before the fix they took minutes)."""
import os

import pytest

from conftest import SANITIZED, proc_status_kb, rss_within
from test_seed_files import MAX_RSS_KB, run_seed

SLOW = 30.0  # seconds: a bound no evaluation that is not exponential comes near (4726060: 60 s and more)
RSS_MB = 100  # ddbd's peak while reading any of these (it needs about 10 MB)
KILL_KB = MAX_RSS_KB if not SANITIZED else 8 << 20  # (ASan's shadow memory is no measure)

TABLE = """\
  T:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: tbl
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
"""


def refused(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text)
    code, err, rss = run_seed(p, KILL_KB, SLOW)
    assert code == 1, err
    assert "seed: nothing was loaded" in err
    assert rss_within(rss // 1024, RSS_MB), "peak RSS %d MB" % (rss // 1024)
    return p, err


def table(logical, name, extra=""):
    return TABLE.replace("  T:", "  %s:" % logical, 1).replace("TableName: tbl", "TableName: %s" % name) + extra


def test_billion_laughs_is_refused_unexpanded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):  # 10^10 nodes, were the aliases expanded
        lines.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
    p, err = refused(tmp_path, "laughs.yaml", "\n".join(lines) + "\nResources:\n" + TABLE)
    assert "seed: %s:" % p in err
    assert "the document expands to more than 1000000 nodes (aliases included)" in err


def test_aliases_of_a_long_string_are_refused_unexpanded(tmp_path):
    """10,000 aliases of a 500 KB string: 10,000 nodes, but 5 GB written into the table's request
    (killed at 200 MB on 4726060); a long scalar counts a node per 16 bytes."""
    tags = "".join("        - {Key: k%d, Value: *s}\n" % i for i in range(1, 10000))
    text = "Resources:\n" + TABLE + "      Tags:\n        - {Key: k0, Value: &s %s}\n%s" % ("x" * 500000, tags)
    assert len(text) < 1 << 20  # (within CloudFormation's size)
    p, err = refused(tmp_path, "long.yaml", text)
    assert "the document expands to more than 1000000 nodes (aliases included)" in err


def test_nesting_past_the_limit_is_refused(tmp_path):
    p, err = refused(tmp_path, "deep.yaml", "Resources: " + "[" * 200 + "]" * 200 + "\n")
    assert "seed: %s:1: the document nests deeper than 128 levels" % p in err


def test_conditions_in_a_circle_are_refused(tmp_path):
    p, err = refused(tmp_path, "circle.yaml", "Conditions:\n  A: !Condition B\n  B: !Condition A\n"
                     "Resources:\n" + TABLE.replace("    Type:", "    Condition: A\n    Type:", 1))
    assert "Resources.T: Circular dependency between conditions: [A, B]" in err


def test_an_alias_of_its_own_anchor_is_refused(tmp_path):
    p, err = refused(tmp_path, "self.yaml", "a: &x [1, *x]\nResources:\n" + TABLE)
    assert "the alias *x names no anchor before it" in err


def test_a_fifo_named_like_a_template_is_refused_unread(tmp_path):
    p = tmp_path / "template.yaml"
    os.mkfifo(p)
    code, err, _ = run_seed(p)
    assert code == 1
    assert "seed: %s: not a regular file but a FIFO: a seed is a file, or a directory of files" % p in err


def test_chained_conditions_are_each_evaluated_once(server_factory, tmp_path):
    """C(i) is C(i-1) and C(i-1): 2^30 evaluations were each not remembered (4726060: tens of
    seconds at 24 levels, 64 times that at 30; the evaluation's depth limit, 64, allows 31)."""
    lines = ["Conditions:", "  C0: !Equals [a, a]"]
    lines += ["  C%d: !And [{Condition: C%d}, {Condition: C%d}]" % (i, i - 1, i - 1) for i in range(1, 31)]
    p = tmp_path / "chain.yaml"
    p.write_text("\n".join(lines) + "\nResources:\n" + TABLE.replace("    Type:", "    Condition: C30\n    Type:", 1))
    srv = server_factory(["--in-memory", "--seed", str(p)], timeout=SLOW)
    assert "seed: 1 tables created" in srv.stderr_text()
    peak = proc_status_kb(srv.proc.pid, "VmHWM") // 1024
    assert rss_within(peak, RSS_MB), "peak RSS %d MB" % peak


def test_a_chain_of_false_conditions_is_evaluated_once(server_factory, tmp_path):
    """The same with Fn::Or of two false ones: no short cut ends an evaluation early."""
    lines = ["Conditions:", "  C0: !Equals [a, b]"]
    lines += ["  C%d: !Or [{Condition: C%d}, {Condition: C%d}]" % (i, i - 1, i - 1) for i in range(1, 31)]
    p = tmp_path / "chain.yaml"
    p.write_text("\n".join(lines) + "\nResources:\n" + TABLE.replace("    Type:", "    Condition: C30\n    Type:", 1)
                 + table("U", "other"))
    srv = server_factory(["--in-memory", "--seed", str(p)], timeout=SLOW)
    assert "Resources.T is not created: its condition C30 is false" in srv.stderr_text()
    assert "seed: 1 tables created" in srv.stderr_text()
    peak = proc_status_kb(srv.proc.pid, "VmHWM") // 1024
    assert rss_within(peak, RSS_MB), "peak RSS %d MB" % peak


@pytest.mark.parametrize("fn", ["!Join ['', [!Ref T%d, !Ref T%d]]", "!Sub '${T%d}${T%d}'"])
def test_names_built_of_names_are_refused_at_255_characters(tmp_path, fn):
    """Table i's name is table i-1's twice: 3 * 2^30 bytes by the last of 30 (> 60 s and 1.1 GB on
    4726060); each name is built once, and refused as it passes 255 characters (table 7's: 384)."""
    text = "Resources:\n" + table("T0", "abc")
    text += "".join(table("T%d" % i, fn % (i - 1, i - 1)) for i in range(1, 31))
    p, err = refused(tmp_path, "names.yaml", text)
    assert "Resources.T6" not in err  # 192 characters: a name
    fname = "Fn::Join" if "Join" in fn else "Fn::Sub"
    assert "Resources.T7: %s: the table name would be longer than 255 characters, DynamoDB's limit" % fname in err
    assert "Resources.T8: Ref T7: the table's name is refused (Resources.T7's error)" in err


def test_a_long_join_is_refused_as_it_grows(tmp_path):
    """A 1,000-character delimiter between 100,000 values: 100 MB (17 s and 500 MB on 4726060).
    As a table's name it stops at 255 characters; as any other value, at a template's 1 MB."""
    join = "!Join ['%s', [%s]]" % ("x" * 1000, ", ".join(["a"] * 100000))
    p, err = refused(tmp_path, "name.yaml", "Resources:\n" + table("T", join))
    assert "seed: %s:2: Resources.T: Fn::Join: the table name would be longer than 255 characters" % p in err
    p, err = refused(tmp_path, "tag.yaml", "Resources:\n" + table("T", "tbl", "      Tags: [{Key: k, Value: %s}]\n" % join))
    assert ("seed: %s:2: Resources.T: Fn::Join: the value would be longer than 1048576 bytes, a whole template's "
            "limit" % p) in err


def test_values_past_the_work_bound_are_refused(tmp_path):
    """200 values of 1 MB each (a YAML alias of one Join apiece): refused once 64 MiB are built."""
    big = "!Join ['%s', [%s]]" % ("x" * 1000, ", ".join(["a"] * 1000))
    tags = "".join("        - {Key: k%d, Value: *j}\n" % i for i in range(1, 200))
    text = "Resources:\n" + table("T", "tbl", "      Tags:\n        - {Key: k0, Value: &j %s}\n%s" % (big, tags))
    p, err = refused(tmp_path, "work.yaml", text)
    assert "Resources.T: the template's values take more than 64 MiB to build" in err


def test_tables_named_after_each_other_are_a_circle(tmp_path):
    text = "Resources:\n" + table("U", "!Sub '${V}-u'") + table("V", "!Join ['-', [!Ref U, v]]")
    p, err = refused(tmp_path, "circle.yaml", text)
    assert "Resources.U: Circular dependency between resources: [U, V]" in err
    assert "Resources.V: Circular dependency between resources: [U, V]" in err


@pytest.mark.parametrize("section,count", [("Resources", 501), ("Parameters", 201), ("Mappings", 201),
                                           ("Outputs", 201)])
def test_a_template_past_cloudformations_quotas_is_refused(tmp_path, section, count):
    body = {"Resources": "{Type: AWS::SQS::Queue}", "Parameters": "{Type: String, Default: x}",
            "Mappings": "{k: {a: b}}", "Outputs": "{Value: x}"}[section]
    text = "%s:\n%s" % (section, "".join("  X%d: %s\n" % (i, body) for i in range(count)))
    if section != "Resources":
        text += "Resources:\n" + TABLE
    p, err = refused(tmp_path, "quota.yaml", text)
    assert "seed: %s: %d %s: more than a CloudFormation template may declare (%d)" % (p, count, section, count - 1) in err


@pytest.mark.parametrize("name", ["big.yaml", "big.json"])
def test_a_template_past_cloudformations_size_is_refused(tmp_path, name):
    """1 MB (from S3), checked before a YAML template is parsed."""
    if name.endswith(".yaml"):
        text = "Resources:\n" + TABLE + "#" * (1 << 20)
    else:
        text = '{"Resources": {"T": {"Type": "AWS::DynamoDB::Table"}}}' + " " * (1 << 20)
    p, err = refused(tmp_path, name, text)
    assert "seed: %s: a template of %d bytes: more than CloudFormation takes (1048576 bytes, from S3)" % (p, len(text)) in err
