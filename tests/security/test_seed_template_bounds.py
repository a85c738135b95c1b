"""Templates as seeds (docs/seeding.md, "Templates") are bounded like every seed file
(docs/security.md, "Seed files"): a YAML "billion laughs" (aliases of aliases) is refused at the
expanded-node limit without being expanded, a document nested past the limit is refused, conditions
that name each other in a circle are refused, and a FIFO named like a template is refused unread.
Each run is bounded in time and memory (test_seed_files.run_seed kills a server that is not)."""
import os

from test_seed_files import run_seed

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
    code, err, _ = run_seed(p)
    assert code == 1, err
    assert "seed: nothing was loaded" in err
    return p, err


def test_billion_laughs_is_refused_unexpanded(tmp_path):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):  # 10^10 nodes, were the aliases expanded
        lines.append("a%d: &a%d [%s]" % (i, i, ", ".join(["*a%d" % (i - 1)] * 10)))
    p, err = refused(tmp_path, "laughs.yaml", "\n".join(lines) + "\nResources:\n" + TABLE)
    assert "seed: %s:" % p in err
    assert "the document expands to more than 1000000 nodes (aliases included)" in err


def test_nesting_past_the_limit_is_refused(tmp_path):
    p, err = refused(tmp_path, "deep.yaml", "Resources: " + "[" * 200 + "]" * 200 + "\n")
    assert "seed: %s:1: the document nests deeper than 128 levels" % p in err


def test_conditions_in_a_circle_are_refused(tmp_path):
    p, err = refused(tmp_path, "circle.yaml", "Conditions:\n  A: !Condition B\n  B: !Condition A\n"
                     "Resources:\n" + TABLE.replace("    Type:", "    Condition: A\n    Type:", 1))
    assert "Conditions refer to each other in a circle (or nest too deep)" in err


def test_an_alias_of_its_own_anchor_is_refused(tmp_path):
    p, err = refused(tmp_path, "self.yaml", "a: &x [1, *x]\nResources:\n" + TABLE)
    assert "the alias *x names no anchor before it" in err


def test_a_fifo_named_like_a_template_is_refused_unread(tmp_path):
    p = tmp_path / "template.yaml"
    os.mkfifo(p)
    code, err, _ = run_seed(p)
    assert code == 1
    assert "seed: %s: not a regular file but a FIFO: a seed is a file, or a directory of files" % p in err
