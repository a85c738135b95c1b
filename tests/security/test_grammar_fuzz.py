"""The expression language and PartiQL fuzzed by their grammars on fixed seeds (issue 61, "Must
show"; tests/harness/grammar.py): parentheses hundreds deep, paths of hundreds of elements, list
indexes past 2^64, IN lists past 100 operands, names in every script, long AND/OR chains, wrong
arities, through a real server. Every answer is DynamoDB's kind (200, or 400 with a type DynamoDB
gives for it), never a 5xx, a hang or a crash; the data a condition guards stays as it was.
bench/grammar_fuzz.py runs the same generator as long as asked.
"""
import pytest

from conftest import make_client, raw_request, unique_name
import grammar

SEEDS = (1, 2, 3)
PER_SEED = 600


@pytest.fixture
def fuzzed(server_factory):
    server = server_factory(["--in-memory"])
    table = unique_name("grammar")
    ddb = make_client(server.endpoint)
    ddb.create_table(**grammar.table_params(table))
    ddb.put_item(TableName=table, Item={"pk": {"S": "guard"}, "sk": {"S": "s"}, "v": {"N": "1"}})
    return server, table, ddb


@pytest.mark.parametrize("seed", SEEDS)
def test_every_answer_is_dynamodbs_kind(fuzzed, seed):
    server, table, ddb = fuzzed
    wrong, kinds, evaluated = [], {}, 0
    gen = grammar.requests(seed, table)
    for i in range(PER_SEED):
        op, body = next(gen)
        r = raw_request(server.endpoint, op, body)
        kinds[r.status] = kinds.get(r.status, 0) + 1
        evaluated += r.status == 200 or b"ConditionalCheckFailed" in r.body
        why = grammar.verdict(r.status, r.body)
        if why is not None:
            wrong.append("seed %d request %d %s: %s" % (seed, i, op, why))
    assert wrong == [], "\n".join(wrong[:10])
    # the grammar reaches past the parser into the evaluator (served, or a condition evaluated false),
    # and most of the extremes are refused
    assert evaluated >= PER_SEED // 10 and kinds.get(400, 0) >= PER_SEED // 4, (evaluated, kinds)
    # the server is alive, and the item no fuzzed key names is untouched
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "guard"}, "sk": {"S": "s"}})["Item"]["v"] == {"N": "1"}
