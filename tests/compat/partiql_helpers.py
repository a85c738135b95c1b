"""Helpers shared by the PartiQL suites (test_partiql.py, test_partiql_batch.py,
test_partiql_equivalence.py): the two module-scoped tables (h: hash key only, c: hash and range
key), statement runners, and error assertions. Not a test module.
"""
import json

import pytest
from botocore.exceptions import ClientError

from conftest import (ANY, B, N, S, all_pages, assert_client_error, body, norm, unique_name)  # noqa: F401
from helpers import get_item, make_table

MALFORMED = "Statement wasn't well formed, can't be processed: "
CCF = "The conditional request failed"
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
VE = "ValidationException"
get = get_item  # (the suites' name)


# ---------------------------------------------------------------------------------------------
# Tables and helpers
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def h(ddb):
    """A table keyed by pk (S); tests use their own unique partition keys."""
    name = make_table(ddb, unique_name("pqh"))
    yield name
    ddb.delete_table(TableName=name)


@pytest.fixture(scope="module")
def c(ddb):
    """A table keyed by pk (S) + sk (N), with a GSI `gsi` on gk (S, projection ALL)."""
    name = make_table(ddb, unique_name("pqc"), range_key=("sk", "N"), gsi=("gsi", "gk"))
    yield name
    ddb.delete_table(TableName=name)


def ex(ddb, stmt, params=None, **kw):
    if params is not None:
        kw["Parameters"] = params
    return body(ddb.execute_statement(Statement=stmt, **kw))


def ex_error(ddb, stmt, code, message, params=None, **kw):
    with pytest.raises(ClientError) as excinfo:
        ex(ddb, stmt, params, **kw)
    assert_client_error(excinfo, code, message)
    return excinfo


def ex_error_prefix(ddb, stmt, prefix, params=None, **kw):
    """For messages that end in a source position ("... at 1:27:3"): the type and the text before
    the position are exact, the position itself is only checked to be there."""
    with pytest.raises(ClientError) as excinfo:
        ex(ddb, stmt, params, **kw)
    err = excinfo.value.response["Error"]
    assert err["Code"] == VE, err
    assert err["Message"].startswith(prefix) and err["Message"][len(prefix):][:1].isdigit(), err
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def select_all(ddb, stmt, params=None, **kw):
    """Runs a SELECT following NextToken; returns every item of every page."""
    items, token = [], None
    for _ in range(1000):
        p = dict(kw)
        if token:
            p["NextToken"] = token
        resp = ex(ddb, stmt, params, **p)
        items.extend(resp["Items"])
        token = resp.get("NextToken")
        if not token:
            return items
    raise AssertionError("more than 1000 pages")


def canon(items):
    """Items as a sorted list of canonical JSON strings (set members sorted, binaries in hex)."""
    return sorted(json.dumps(norm(i), sort_keys=True, default=bytes.hex) for i in items)


def q(s):
    """A table name as a PartiQL quoted identifier."""
    return '"%s"' % s


