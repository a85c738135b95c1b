"""--price-file PATH (issue 53, section 2): the cost report's prices from a file of
server/doors/prices.def's format, for another Region or a negotiated rate, read at start; a file
that is not one is refused with its file, line and what is wrong (exit status 1, nothing served),
so a typo never turns into a price of zero."""
import json
import os
import subprocess
import urllib.request

import pytest

from conftest import DDBD_BIN, free_port, unique_name
from helpers import raw_call as call

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
HEAD = '#define DDB_PRICES_REGION "eu-west-1"\n#define DDB_PRICES_DATE "2026-11-26"\n#define DDB_PRICES_SOURCE "contract 42"\n'
STD = "X(STANDARD, 1.5, 3, 0.001, 0.002, 0.5, 3, 0.002, 0.4, 0.3, 0.2, 0.25, 0.35)\n"
IA = "X(STANDARD_INFREQUENT_ACCESS, 2, 4, 0.002, 0.004, 0.2, 4, 0.004, 0.4, 0.3, 0.2, 0.25, 0.35)\n"
PAD = "v" * 1500  # {"pk": "kN", "v": PAD}: 1,505 bytes, 2 write units, 1 read unit


def test_a_price_file_prices_the_report(server_factory, tmp_path):
    path = tmp_path / "eu.def"
    # comments and blank lines as prices.def has them; Windows line ends too
    path.write_text("/*\n * negotiated\n */\n\n" + HEAD + "// Standard\n" + STD + "  " + IA.replace("\n", "\r\n"))
    srv = server_factory(("--in-memory", "--admin", "--price-file", str(path)))
    e, name = srv.endpoint, unique_name("pf")
    call(e, "CreateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST",
                            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]})
    for i in range(10):  # 20 write units
        call(e, "PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}, "v": {"S": PAD}}})
    for i in range(4):  # 4 read units
        call(e, "GetItem", {"TableName": name, "Key": {"pk": {"S": "k%d" % i}}, "ConsistentRead": True})
    with urllib.request.urlopen(e + "/ddbd/usage", timeout=5) as r:
        report = json.loads(r.read())
    assert report["region"] == "eu-west-1"
    assert (report["prices"]["date"], report["prices"]["source"]) == ("2026-11-26", "contract 42")
    rows = {r["tableClass"]: r for r in report["prices"]["tableClasses"]}
    assert (rows["STANDARD"]["readRequestUnitsPerMillion"], rows["STANDARD"]["importGb"]) == (1.5, 0.35)
    assert rows["STANDARD_INFREQUENT_ACCESS"]["storageGbMonth"] == 0.2
    t = [t for t in report["tables"] if t["table"] == name][0]
    assert t["cost"] == pytest.approx(4 * 1.5e-6 + 20 * 3e-6)  # $0.000066, not us-east-1's $0.0000130
    # provisioned at the peak: at least 1 RCU and 1 WCU at the file's hourly prices
    assert t["provisionedAtPeak"]["monthlyCost"] >= (0.001 + 0.002) * 730


def test_prices_def_itself_is_a_valid_price_file(server_factory):
    """The file the server is built with is the format's example: a copy of it is a price file."""
    srv = server_factory(("--in-memory", "--admin", "--price-file", os.path.join(ROOT, "server/doors/prices.def")))
    with urllib.request.urlopen(srv.endpoint + "/ddbd/usage", timeout=5) as r:
        assert json.loads(r.read())["region"] == "us-east-1"


def refused(tmp_path, text):
    path = tmp_path / "p.def"
    path.write_text(text)
    proc = subprocess.run([DDBD_BIN, "--in-memory", "--port", str(free_port()), "--price-file", str(path)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1, proc
    line = proc.stderr.strip().splitlines()[-1]
    return line[line.index(" error ") + len(" error "):].replace(str(path), "P")


@pytest.mark.parametrize("text,message", [
    (HEAD + STD, "--price-file: P: no row for table class STANDARD_INFREQUENT_ACCESS"),
    (HEAD + IA, "--price-file: P: no row for table class STANDARD"),
    (STD + IA, "--price-file: P: no #define DDB_PRICES_REGION"),
    (HEAD + STD + STD.replace("1.5", "2") + IA, "--price-file: P:5: a second row for table class STANDARD"),
    (HEAD + "X(STANDARD, 1, 2)\n" + IA, "--price-file: P:4: too few prices: 12 expected, found 2"),
    (HEAD + STD.replace(")", ", 1)") + IA, "--price-file: P:4: too many prices: 12 expected"),
    (HEAD + STD.replace("1.5", "$1.5") + IA,
     "--price-file: P:4: not a price (a decimal number of dollars from 0 to 1000000, digits and one '.'): readRequestUnitsPerMillion"),
    (HEAD + STD.replace("0.35", "-0.35") + IA,
     "--price-file: P:4: not a price (a decimal number of dollars from 0 to 1000000, digits and one '.'): importGb"),
    (HEAD + STD.replace("0.4, 0.3", "0.4 0.3") + IA, "--price-file: P:4: expected ',' before price 9"),
    (HEAD + STD + "X(GLACIER, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)\n",
     "--price-file: P:5: unknown table class: expected STANDARD or STANDARD_INFREQUENT_ACCESS"),
    (HEAD + STD.replace(")\n", "\n") + IA, "--price-file: P:4: expected ')' after the 12th price"),
    (HEAD + "STANDARD = 0.125\n" + STD + IA,
     "--price-file: P:4: expected X(TableClass, 12 prices), #define DDB_PRICES_..., a comment or a blank line"),
    ('#define DDB_PRICES_CURRENCY "EUR"\n' + HEAD + STD + IA,
     "--price-file: P:1: unknown #define: expected DDB_PRICES_REGION, DDB_PRICES_DATE or DDB_PRICES_SOURCE"),
    ("#define DDB_PRICES_REGION eu-west-1\n", "--price-file: P:1: expected a quoted string after DDB_PRICES_REGION"),
    (HEAD + "/* not closed\n" + STD + IA, "--price-file: P:4: this comment is not closed"),
    (HEAD + "// " + "x" * 1100 + "\n" + STD + IA, "--price-file: P:4: line longer than 1024 bytes"),
], ids=lambda v: v.split(": ", 2)[-1][:48] if v.startswith("--price-file") else "")
def test_a_bad_price_file_is_refused_with_its_line(tmp_path, text, message):
    assert refused(tmp_path, text) == message


def test_a_missing_price_file_is_refused(tmp_path):
    proc = subprocess.run([DDBD_BIN, "--in-memory", "--port", str(free_port()), "--price-file", str(tmp_path / "none")],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith("error --price-file: %s: No such file or directory" % (tmp_path / "none"))
