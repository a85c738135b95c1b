"""The command line as a whole (server/options.def, server/config.c): every option is accepted with a
valid value, values and spellings are refused with their exact messages and exit status 2, DynamoDB
Local's spellings and its image's JVM arguments work, and --help's synopsis is the README's.

Parsing is probed without a server where it can be: the options are parsed in order and --version
exits 0 as soon as it is reached, so `ddbd ARGS --version` exits 0 exactly when ARGS parse."""
import difflib
import os
import re
import signal
import subprocess
import time

import pytest

from conftest import DDBD_BIN, free_port, make_client

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")


def run(args, timeout=10):
    if not os.path.exists(DDBD_BIN):
        pytest.fail("ddbd binary not found at %s (set DDBD_BIN)" % DDBD_BIN)
    return subprocess.run([DDBD_BIN] + list(args), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def version_line():
    with open(os.path.join(ROOT, "include", "ddb", "ddb_version.h")) as f:
        for line in f:
            if line.startswith("#define DDB_VERSION_STRING "):
                return "ddbd %s\n" % line.split('"')[1]
    raise AssertionError("no DDB_VERSION_STRING")


def parses(args):
    """True when ARGS parse (ddbd ARGS --version prints the version), False when they are refused
    (exit 2 with a message); anything else fails the test."""
    proc = run(list(args) + ["--version"])
    if proc.returncode == 0:
        assert proc.stdout == version_line() and proc.stderr == "", proc
        return True
    assert proc.returncode == 2 and proc.stdout == "" and proc.stderr.startswith("ddbd: "), proc
    return False


def refused(args):
    """The one-line message ARGS are refused with (exit status 2, nothing on stdout)."""
    proc = run(args)
    assert proc.returncode == 2, (args, proc)
    assert proc.stdout == "", proc.stdout
    assert proc.stderr.count("\n") == 1, proc.stderr
    return proc.stderr


# ---------------------------------------------------------------------------------------------
# Every option with a valid value: the server starts and answers
# ---------------------------------------------------------------------------------------------

def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return str(path)


def mkdir(path):
    path.mkdir()
    return str(path)


def valid_args(name, tmp):
    """A valid use of option NAME (spelled --NAME), with whatever else it needs to serve."""
    data = str(tmp / "data")
    mem = ["--in-memory"]
    table = {
        "host": ["--host", "127.0.0.1"] + mem,
        "port": mem,  # every server is given --port
        "data-dir": ["--data-dir", data],
        "in-memory": mem,
        "backend": ["--backend", "rocksdb"] + mem,
        "rados-conf": ["--rados-conf", write(tmp / "ceph.conf", "")] + mem,  # stored; RocksDB ignores it
        "rados-pool": ["--rados-pool", "ddbd/test"] + mem,
        "rados-inflight": ["--rados-inflight", "8"] + mem,  # RocksDB has no request workers
        "shards": ["--shards", "2"] + mem,
        "threads": ["--threads", "1"] + mem,
        "search-threads": ["--search-threads", "1"] + mem,
        "vector-ann": ["--vector-ann", "1000"] + mem,
        "vector-ann-ef": ["--vector-ann-ef", "64"] + mem,
        "log-level": ["--log-level", "warn"] + mem,
        "sync": ["--sync", "--data-dir", data],
        "cors": ["--cors", "http://a.example,http://b.example"] + mem,
        "allowed-hosts": ["--allowed-hosts", "ddbd.test,[::1],10.0.0.5"] + mem,
        "item-collection-limit": ["--item-collection-limit", "1048576"] + mem,
        "transaction-conflict-rate": ["--transaction-conflict-rate", "0.5"] + mem,
        "write-conflict-rate": ["--write-conflict-rate", "0.25"] + mem,
        "fault": ["--fault", "operation=PutItem,table=Orders,error=InternalServerError,count=3",
                  "--fault", "operation=read,error=ThrottlingException,probability=0.1"] + mem,
        "fault-seed": ["--fault-seed", "42", "--fault", "operation=PutItem,table=Orders,error=InternalServerError,probability=0.5"] + mem,
        "table-states": ["--table-states", "2000"] + mem,
        "count-refresh": ["--count-refresh", "21600"] + mem,
        "idempotency-window": ["--idempotency-window", "60"] + mem,
        "ttl-interval": ["--ttl-interval", "1"] + mem,
        "count-check-interval": ["--count-check-interval", "1"] + mem,
        "replication-lag": ["--replication-lag", "250"] + mem,
        "index-lag": ["--index-lag", "100-300"] + mem,
        "stale-reads": ["--stale-reads", "1000"] + mem,
        "consistency-seed": ["--consistency-seed", "42", "--stale-reads", "500"] + mem,
        "region-peer": ["--region-peer", "eu-west-1=http://127.0.0.1:9", "--namespaces"] + mem,
        "peer-key": ["--auth", write(tmp / "peer-keys.txt", "AKIDEXAMPLE secret\nAKIDPEER secret\n"), "--peer-key", "AKIDPEER",
                     "--region-peer", "eu-west-1=http://127.0.0.1:9", "--namespaces"] + mem,
        "stream-trigger": ["--stream-trigger", "orders=http://127.0.0.1:9,batch=10,window=5,bisect",
                           "--stream-trigger", "users=http://127.0.0.1:9/"] + mem,
        "kinesis-endpoint": ["--kinesis-endpoint", "http://127.0.0.1:9"] + mem,
        "auth": ["--auth", write(tmp / "keys.txt", "AKIDEXAMPLE secret\n")] + mem,
        "namespaces": ["--namespaces"] + mem,
        "regions": ["--namespaces", "--regions", "aws,ddbd-*"] + mem,
        "max-tables": ["--max-tables", "10000"] + mem,
        "max-connections": ["--max-connections", "100"] + mem,
        "min-free-disk": ["--min-free-disk", "0", "--data-dir", data],
        "memory-budget": ["--memory-budget", "1048576"] + mem,
        "request-timeout": ["--request-timeout", "30"] + mem,
        "header-timeout": ["--header-timeout", "7"] + mem,
        "max-unsent-bytes": ["--max-unsent-bytes", "67108864"] + mem,
        "max-pending-bodies": ["--max-pending-bodies", "67108864"] + mem,
        "lenient-numbers": ["--lenient-numbers"] + mem,
        "enforce-capacity": ["--enforce-capacity"] + mem,
        "control-plane-rates": ["--control-plane-rates", "on"] + mem,
        "mcp-http": ["--auth", write(tmp / "mcp-keys.txt", "AKIDEXAMPLE secret\n"), "--mcp-http"] + mem,
        "mcp-allow-writes": ["--auth", write(tmp / "mcp-keys.txt", "AKIDEXAMPLE secret\n"), "--mcp-http",
                             "--mcp-allow-writes"] + mem,
        "admin": ["--admin"] + mem,
        "clock": ["--clock", "frozen@1700000000000", "--admin"] + mem,
        "console": ["--console"] + mem,
        "metrics-port": ["--metrics-port", str(free_port())] + mem,
        "access-log": ["--access-log", str(tmp / "access.log")] + mem,
        "record": ["--record", str(tmp / "traffic.jsonl")] + mem,
        "record-redact": ["--record", str(tmp / "traffic.jsonl"), "--record-redact",
                          write(tmp / "rules.json", '{"key": "8c1f0e5b7a9d2c4e6f80", "attributes": {"email": "hash"}}')] + mem,
        "record-max-bytes": ["--record", str(tmp / "traffic.jsonl"), "--record-max-bytes", "1M"] + mem,
        "otlp-endpoint": ["--otlp-endpoint", "http://127.0.0.1:9"] + mem,
        "seed": ["--seed", mkdir(tmp / "empty"), "--seed", write(tmp / "t.json", '{"TableName": "seeded", "KeySchema": '
                 '[{"AttributeName": "pk", "KeyType": "HASH"}], "AttributeDefinitions": [{"AttributeName": '
                 '"pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}')] + mem,
        "seed-param": ["--seed", write(tmp / "t.yaml", "Parameters:\n  Name: {Type: String, Default: other}\n"
                                       "Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
                                       "      TableName: !Ref Name\n      BillingMode: PAY_PER_REQUEST\n"
                                       "      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]\n"
                                       "      KeySchema: [{AttributeName: pk, KeyType: HASH}]\n"),
                       "--seed-param", "Name=seeded"] + mem,
        "export-dir": ["--export-dir", str(tmp)] + mem,
        "s3-endpoint": ["--s3-endpoint", "http://127.0.0.1:9"] + mem,
        "s3-access-key": ["--s3-access-key", "AKID"] + mem,
        "s3-secret-key": ["--s3-secret-key", "secret"] + mem,
        "s3-region": ["--s3-region", "eu-west-1"] + mem,
        "price-file": ["--price-file", write(tmp / "prices.def", '#define DDB_PRICES_REGION "eu-west-1"\n'
                       '#define DDB_PRICES_DATE "2026-11-26"\n#define DDB_PRICES_SOURCE "contract"\n'
                       'X(STANDARD, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)\n'
                       'X(STANDARD_INFREQUENT_ACCESS, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1)\n')] + mem,
        "user": ["--user", "65534:65534"] + mem,
    }
    return table[name]


SERVING = ["host", "port", "data-dir", "in-memory", "backend", "rados-conf", "rados-pool", "rados-inflight", "shards", "threads",
           "search-threads", "vector-ann", "vector-ann-ef", "log-level", "sync", "cors", "allowed-hosts", "item-collection-limit", "transaction-conflict-rate",
           "write-conflict-rate", "fault", "fault-seed", "enforce-capacity", "control-plane-rates", "idempotency-window", "ttl-interval", "count-check-interval", "replication-lag", "index-lag", "stale-reads", "consistency-seed", "table-states", "count-refresh", "region-peer", "peer-key", "stream-trigger", "kinesis-endpoint", "auth", "namespaces",
           "regions", "max-tables", "max-connections", "min-free-disk", "memory-budget", "request-timeout", "header-timeout", "max-unsent-bytes",
           "max-pending-bodies", "lenient-numbers", "mcp-http", "mcp-allow-writes", "admin", "clock", "console", "metrics-port",
           "access-log", "record", "record-redact", "record-max-bytes", "otlp-endpoint", "seed", "seed-param", "export-dir", "s3-endpoint", "s3-access-key", "s3-secret-key", "s3-region", "price-file", "user"]
ONE_SHOT = ["health-check", "seed-requests", "version", "help"]  # seed-requests: test_seed_templates.py
TLS = ["tls-cert", "tls-key"]
STDIO = ["mcp"]  # serves standard input, not the port: tests/js/mcp.test.mjs


def single_dash(args):
    return [a[1:] if a.startswith("--") else a for a in args]


@pytest.mark.parametrize("dashes", ["--", "-"])
@pytest.mark.parametrize("name", SERVING)
def test_option_is_accepted_and_the_server_answers(server_factory, tmp_path, name, dashes):
    port = free_port()
    args = valid_args(name, tmp_path) + ["--port", str(port)]
    if dashes == "-":  # every option may be spelled with one dash, as DynamoDB Local's are
        args = single_dash(args)
    server = server_factory(raw_args=args, port=port)
    assert make_client(server.endpoint).list_tables()["TableNames"] == (["seeded"] if name in ("seed", "seed-param") else [])
    assert server.stop(signal.SIGTERM) == 0, server.stderr_text()


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(crt), "-days", "1", "-subj", "/CN=127.0.0.1"], check=True, capture_output=True)
    return str(crt), str(key)


@pytest.mark.parametrize("dashes", ["--", "-"])
def test_tls_options_are_accepted_and_the_server_serves_https(cert, dashes):
    port = free_port()
    args = ["--in-memory", "--port", str(port), "--tls-cert", cert[0], "--tls-key", cert[1]]
    proc = subprocess.Popen([DDBD_BIN] + (single_dash(args) if dashes == "-" else args),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "listening on https://127.0.0.1:%d" % port in line, line
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0


@pytest.mark.parametrize("flag", ["--version", "-version"])
def test_version_prints_the_version_and_exits_0(flag):
    proc = run([flag])
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, version_line(), "")


@pytest.mark.parametrize("flag", ["--help", "-help", "-h", "--h"])
def test_help_spellings_print_the_help_and_exit_0(flag):
    proc = run([flag])
    assert (proc.returncode, proc.stderr) == (0, "")
    assert proc.stdout == run(["--help"]).stdout and proc.stdout.endswith("\n")


def help_sections():
    """--help's parts: the synopsis (the lines under "Usage:"), the options' headings (their spellings
    and arguments, in order) and the closing paragraph, as one string."""
    proc = run(["--help"])
    lines = proc.stdout.split("\n")
    assert lines[0] == "Usage:", lines[:3]
    synopsis = lines[1:lines.index("", 1)]
    start = lines.index(GROUPS[0] + ":") + 1
    end = next(i for i, line in enumerate(lines) if line.startswith("A value may follow"))
    headings = [line.split("  ")[1] for line in lines[start:end] if line.startswith("  --")]
    return synopsis, headings, " ".join(lines[end:]).strip()


# --help's groups, in order (issue 56: a first reader looks for the basics, then what a test needs)
GROUPS = ["Basics", "Testing", "Security", "Observability", "Storage"]


def test_help_groups_the_options():
    lines = run(["--help"]).stdout.split("\n")
    titles = [line[:-1] for line in lines if line.endswith(":") and not line.startswith(" ") and line != "Usage:"]
    assert titles == GROUPS, titles
    group = {}
    for line in lines[lines.index("Basics:"):]:
        if line[:-1] in GROUPS:
            title = line[:-1]
        elif line.startswith("  --"):
            group[line.split()[0]] = title
    assert [group[o] for o in ("--port", "--in-memory", "--seed", "--auth", "--metrics-port", "--backend")] == \
        ["Basics", "Basics", "Testing", "Security", "Observability", "Storage"]


def test_help_lists_exactly_the_options_tested_here():
    # a new row of server/options.def needs a valid use in valid_args (or the one-shot/TLS tests)
    _, headings, _ = help_sections()
    names = [h.split(" ")[0][2:] for h in headings]
    assert len(set(names)) == len(names), names
    assert sorted(names) == sorted(SERVING + ONE_SHOT + TLS + STDIO)


def test_synopsis_shows_every_option_listed():
    synopsis, headings, _ = help_sections()
    text = " ".join(synopsis)
    for heading in headings:
        assert heading in text, heading
    assert sorted(set(w.strip("[]|") for w in text.split() if w.strip("[]").startswith("--"))) == \
        sorted(h.split(" ")[0] for h in headings)


def test_help_lists_the_common_options_first_and_the_rados_ones_together_after():
    # the RADOS backend's options are for a Ceph cluster only: one group, after every other option
    _, headings, _ = help_sections()
    names = [h.split(" ")[0] for h in headings]
    rados = ["--backend", "--rados-conf", "--rados-pool", "--rados-inflight"]
    serving = [n for n in names if n not in ("--health-check", "--seed-requests", "--version", "--help")]
    assert serving[-len(rados):] == rados, names
    assert names.index("--shards") < names.index("--backend") and names.index("--threads") < names.index("--backend")
    text = " ".join(run(["--help"]).stdout.split())
    assert "served by any number of ddbd gateways at once" in text and "for now" not in text


def test_help_fits_in_100_columns():
    assert max(len(line) for line in run(["--help"]).stdout.split("\n")) <= 100


def readme_synopsis():
    with open(os.path.join(ROOT, "README.md")) as f:
        text = f.read()
    running = text.index("\n## Running\n")
    start = text.index("\n", text.index("```", running)) + 1  # past the fence and its language
    return text[start:text.index("```\n", start)].split("\n")[:-1]


def test_readme_synopsis_is_the_help_synopsis():
    synopsis, _, _ = help_sections()
    readme = readme_synopsis()
    diff = "\n".join(difflib.unified_diff(readme, synopsis, "README.md (## Running)", "ddbd --help (Usage:)",
                                          lineterm=""))
    assert readme == synopsis, "the README's synopsis is not ddbd --help's; paste --help's:\n" + diff


def test_dynamodb_local_spellings_listed_by_help_are_accepted():
    _, _, closing = help_sections()
    listed = re.search(r"DynamoDB Local's spellings are accepted: (.*?); and", closing).group(1)
    spellings = [re.sub(r" \(.*", "", s) for s in re.split(r", (?=-)", listed)]
    assert sorted(s.split(" ")[0] for s in spellings) == sorted(
        ["-port", "-dbPath", "-inMemory", "-cors"] + DBLOCAL_NOOPS + ["-help", "-version"])
    for s in spellings:
        args = s.split(" ")
        if args[0] in ("-help", "-version"):
            assert run(args).returncode == 0
        else:
            assert parses([args[0]] + ["1" if a == "N" else "x" for a in args[1:]]), s


def test_one_shot_options_act_where_they_are_met():
    assert run(["--help", "--no-such-option"]).returncode == 0
    assert run(["--version", "--port", "x"]).stdout == version_line()
    assert run(["--tls-cert", "x", "--version"]).returncode == 0  # the pair is checked after the whole line
    assert refused(["--no-such-option", "--help"]) == "ddbd: unknown option '--no-such-option' (see --help)\n"
    assert refused(["--port", "x", "--version"]) == "ddbd: --port must be a number from 0 to 65535\n"


def test_health_check_takes_an_optional_url(server_factory):
    server = server_factory(["--in-memory"])
    for flag in ("--health-check", "-health-check"):
        proc = run([flag, server.endpoint + "/"])
        assert (proc.returncode, proc.stdout) == (0, ""), proc
    proc = run(["--health-check", "http://127.0.0.1:%d/" % free_port()])
    assert proc.returncode == 1 and "cannot connect" in proc.stderr
    # a following option is not taken for the URL: it is parsed (and here refused)
    assert refused(["--health-check", "--port", "x"]) == "ddbd: --port must be a number from 0 to 65535\n"
    assert refused(["--health-check", server.endpoint, "extra"]) == "ddbd: unexpected argument 'extra' (see --help)\n"
    assert server.stop(signal.SIGTERM) == 0


# ---------------------------------------------------------------------------------------------
# DynamoDB Local's spellings, and its image's JVM arguments
# ---------------------------------------------------------------------------------------------

DBLOCAL_NOOPS = ["-sharedDb", "-delayTransientStatuses", "-optimizeDbBeforeStartup", "-disableTelemetry"]


def test_dynamodb_local_spellings_serve(server_factory, tmp_path):
    port = free_port()
    server = server_factory(raw_args=["-port", str(port), "-inMemory", "-cors", "*"] + DBLOCAL_NOOPS, port=port)
    make_client(server.endpoint).create_table(
        TableName="dblocal", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert server.stop(signal.SIGTERM) == 0
    port = free_port()
    data = tmp_path / "db"
    data.mkdir()
    server = server_factory(raw_args=["--dbPath", str(data), "--port", str(port), "--sharedDb"], port=port)
    make_client(server.endpoint).create_table(
        TableName="dblocal", BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    assert server.stop(signal.SIGTERM) == 0
    assert (data / "CURRENT").exists()  # (a new directory's database is made by its first write)


def test_dynamodb_local_image_command_is_skipped(server_factory, tmp_path, monkeypatch):
    port = free_port()
    (tmp_path / "data").mkdir()
    monkeypatch.chdir(tmp_path)
    server = server_factory(raw_args=["-Djava.library.path=./DynamoDBLocal_lib", "-Xmx256m", "-XX:+UseG1GC",
                                      "-jar", "DynamoDBLocal.jar", "-inMemory", "-port", str(port)], port=port)
    assert server.stop(signal.SIGTERM) == 0


@pytest.mark.parametrize("args", [
    ["-Dx=1"], ["-Xss1m"], ["-D-"], ["-jar", "DynamoDBLocal.jar"], ["-jar", "--port"],
    ["-inMemory", "--inMemory", "-in-memory"], ["-dbPath", "d", "--dbPath", "d", "-data-dir", "d"],
    DBLOCAL_NOOPS, ["--" + a[1:] for a in DBLOCAL_NOOPS],
], ids=lambda a: " ".join(a))
def test_dynamodb_local_and_jvm_arguments_parse(args):
    assert parses(args)


@pytest.mark.parametrize("args,message", [
    (["-jar"], "ddbd: -jar needs a value\n"),
    (["--jar", "x"], "ddbd: unknown option '--jar' (see --help)\n"),
    (["-D"], "ddbd: unknown option '-D' (see --help)\n"),
    (["-X"], "ddbd: unknown option '-X' (see --help)\n"),
    (["--Dx=1"], "ddbd: unknown option '--Dx=1' (see --help)\n"),
    (["-dbPath"], "ddbd: -dbPath needs a value\n"),
    (["-sharedDb=true"], "ddbd: -sharedDb takes no value\n"),
    (["-shareddb"], "ddbd: unknown option '-shareddb' (see --help)\n"),
], ids=lambda a: " ".join(a) if isinstance(a, list) else None)
def test_dynamodb_local_spellings_refused(args, message):
    assert refused(args) == message


# ---------------------------------------------------------------------------------------------
# Values: accepted and refused, with today's messages (exit status 2)
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    ["--port", "0"], ["--port", "65535"], ["--port", "+80"], ["--port", " 80"], ["--port", "-0"], ["--port", "080"],
    ["--metrics-port", "0"], ["--metrics-port", "65535"],
    ["--shards", "1"], ["--shards", "256"], ["--threads", "1"], ["--threads", "256"], ["--search-threads", "1"],
    ["--vector-ann", "1"], ["--vector-ann", "4000000000"], ["--vector-ann-ef", "1"], ["--vector-ann-ef", "10000"],
    ["--ttl-interval", "86400"], ["--count-check-interval", "604800"], ["--table-states", "0"],
    ["--table-states", "86400000"], ["--count-refresh", "0"], ["--count-refresh", "604800"], ["--idempotency-window", "1"], ["--idempotency-window", "86400"],
    ["--request-timeout", "1"], ["--request-timeout", "3600"],
    ["--max-connections", "1"], ["--max-connections", "1000000"],
    ["--max-tables", "1"], ["--max-tables", "1000000"], ["--namespaces", "--regions", "*"],
    ["--transaction-conflict-rate", "0"], ["--transaction-conflict-rate", "1"],
    ["--transaction-conflict-rate", "1e-1"], ["--write-conflict-rate", " 0.5"], ["--write-conflict-rate", "0x0.8"],
    ["--item-collection-limit", "1"], ["--item-collection-limit", "-1"],
    ["--item-collection-limit", "18446744073709551615"],
    ["--min-free-disk", "0"], ["--min-free-disk", "-5"], ["--min-free-disk", "18446744073709551615"],
    ["--in-memory", "--memory-budget", "0"], ["--memory-budget", "1", "--in-memory"],
    ["--log-level", "error"], ["--log-level", "warn"], ["--log-level", "info"], ["--log-level", "debug"],
    ["--backend", "rocksdb"], ["--backend", "rados"],
    ["--cors", ""], ["--data-dir", "-x"],
    # issue 56: `--NAME=VALUE`, and sizes as people write them (K, M, G, T count 1024s)
    ["--port=8000"], ["-port=0"], ["--data-dir=d"], ["--host=127.0.0.1", "--port", "1"], ["--health-check=http://h:1/"],
    ["--in-memory", "--memory-budget", "64MB"], ["--in-memory", "--memory-budget=1g"], ["--min-free-disk", "1k"],
    ["--min-free-disk", "2KiB"], ["--min-free-disk", "5b"], ["--max-unsent-bytes", "16M"],
    ["--item-collection-limit", "10GB"], ["--min-free-disk", "16777215T"],
    ["--tls-cert", "c", "--tls-key", "k"], ["--tls-key", "k", "--tls-cert", "c"],
    ["--seed", "a"] * 16, ["--stream-trigger", "t=http://h:1"] * 16,
    ["--stream-trigger", "t=http://h:1,batch=10000,window=0,bisect"],
    ["--port", "1", "--port", "2"], ["--in-memory", "--in-memory"],
    ["--sync", "--admin", "--namespaces", "--lenient-numbers"],
], ids=lambda a: " ".join(a)[:60])
def test_values_accepted(args):
    assert parses(args)


BYTES = "number of bytes (a suffix K, M, G or T counts 1024s: 64MB)\n"


@pytest.mark.parametrize("args,message", [
    # ranges of the unsigned options
    (["--port", "65536"], "ddbd: --port must be a number from 0 to 65535\n"),
    (["-port", "70000"], "ddbd: -port must be a number from 0 to 65535\n"),
    (["--port", "-1"], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--port", ""], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--port", " "], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--port", "80x"], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--port", "0x50"], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--port", "99999999999999999999999"], "ddbd: --port must be a number from 0 to 65535\n"),
    # an option where a value belongs: the value was forgotten (issue 56)
    (["--port", "--help"], "ddbd: --port needs a value\n"),
    (["--port", "--in-memory"], "ddbd: --port needs a value\n"),
    (["-port", "-inMemory"], "ddbd: -port needs a value\n"),
    (["--host", "--port"], "ddbd: --host needs a value\n"),
    (["--metrics-port", "65536"], "ddbd: --metrics-port must be a number from 0 to 65535\n"),
    (["--shards", "0"], "ddbd: --shards must be a number from 1 to 256\n"),
    (["--shards", "257"], "ddbd: --shards must be a number from 1 to 256\n"),
    (["--shards", "1.5"], "ddbd: --shards must be a number from 1 to 256\n"),
    (["-threads", "0"], "ddbd: -threads must be a number from 1 to 256\n"),
    (["--vector-ann", "0"], "ddbd: --vector-ann must be a number from 1 to 4000000000\n"),
    (["--vector-ann", "4000000001"], "ddbd: --vector-ann must be a number from 1 to 4000000000\n"),
    (["--vector-ann-ef", "10001"], "ddbd: --vector-ann-ef must be a number from 1 to 10000\n"),
    (["--ttl-interval", "0"], "ddbd: --ttl-interval must be a number from 1 to 86400\n"),
    (["--count-check-interval", "0"], "ddbd: --count-check-interval must be a number from 1 to 604800\n"),
    (["--table-states", "86400001"], "ddbd: --table-states must be a number from 0 to 86400000\n"),
    (["--count-refresh", "604801"], "ddbd: --count-refresh must be a number from 0 to 604800\n"),
    (["--idempotency-window", "86401"], "ddbd: --idempotency-window must be a number from 1 to 86400\n"),
    (["--request-timeout", "3601"], "ddbd: --request-timeout must be a number from 1 to 3600\n"),
    (["--max-connections", "0"], "ddbd: --max-connections must be a number from 1 to 1000000\n"),
    (["--max-connections", "1000001"], "ddbd: --max-connections must be a number from 1 to 1000000\n"),
    (["--max-tables", "0"], "ddbd: --max-tables must be a number from 1 to 1000000\n"),
    (["--max-tables", "1000001"], "ddbd: --max-tables must be a number from 1 to 1000000\n"),
    # fractions
    (["--transaction-conflict-rate", "1.5"], "ddbd: --transaction-conflict-rate must be a fraction from 0 to 1\n"),
    (["--transaction-conflict-rate", "-0.1"], "ddbd: --transaction-conflict-rate must be a fraction from 0 to 1\n"),
    (["--write-conflict-rate", "nan"], "ddbd: --write-conflict-rate must be a fraction from 0 to 1\n"),
    (["--write-conflict-rate", "inf"], "ddbd: --write-conflict-rate must be a fraction from 0 to 1\n"),
    (["-write-conflict-rate", ""], "ddbd: -write-conflict-rate must be a fraction from 0 to 1\n"),
    (["--write-conflict-rate", "0.5x"], "ddbd: --write-conflict-rate must be a fraction from 0 to 1\n"),
    # byte counts
    (["--item-collection-limit", "0"], "ddbd: --item-collection-limit must be a positive " + BYTES),
    (["--item-collection-limit", "10x"], "ddbd: --item-collection-limit must be a positive " + BYTES),
    (["--item-collection-limit", ""], "ddbd: --item-collection-limit must be a positive " + BYTES),
    (["--item-collection-limit", "0MB"], "ddbd: --item-collection-limit must be a positive " + BYTES),
    (["--min-free-disk", "x"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--min-free-disk", "16777216T"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--min-free-disk", "1.5G"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--min-free-disk", "1 G"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--min-free-disk", "G"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--min-free-disk", "1GiBs"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--min-free-disk", "1iB"], "ddbd: --min-free-disk must be a " + BYTES),
    (["--memory-budget", "x"], "ddbd: --memory-budget must be a " + BYTES),
    (["--memory-budget", "1000"],
     "ddbd: --memory-budget goes with --in-memory (a data directory keeps its history on disk)\n"),
    (["--data-dir", "d", "-memory-budget", "0"],
     "ddbd: --memory-budget goes with --in-memory (a data directory keeps its history on disk)\n"),
    (["--min-free-disk", ""], "ddbd: --min-free-disk must be a " + BYTES),
    (["-min-free-disk", "1x"], "ddbd: --min-free-disk must be a " + BYTES),
    # names
    (["--allowed-hosts", "a.example,,b.example"], "ddbd: --allowed-hosts 'a.example,,b.example': an empty name (two "
     "commas, or a comma at an end): name the hosts, or give * for any\n"),
    (["--allowed-hosts", "a.example:8000"], "ddbd: --allowed-hosts 'a.example:8000': a name holds letters, digits, "
     "'.', '-', '_' (an IPv6 address: [ ] and ':'), and no port\n"),
    # words
    (["--log-level", "loud"], "ddbd: --log-level must be error, warn, info or debug\n"),
    (["--log-level", "INFO"], "ddbd: --log-level must be error, warn, info or debug\n"),
    (["--backend", "mysql"], "ddbd: --backend: rocksdb or rados, not mysql\n"),
    (["-backend", ""], "ddbd: --backend: rocksdb or rados, not \n"),
    # repeated options
    (["--seed", "a"] * 17, "ddbd: at most 16 --seed options\n"),
    (["--stream-trigger", "t=http://h:1"] * 17, "ddbd: at most 16 --stream-trigger options\n"),
    (["--stream-trigger", "bad"],
     "ddbd: --stream-trigger wants TABLE=http://HOST:PORT[,batch=N][,window=MS][,bisect] (got 'bad')\n"),
    (["--stream-trigger", "t=http://h:1,batch=0"],
     "ddbd: --stream-trigger: batch must be from 1 to 10000 (got 't=http://h:1,batch=0')\n"),
    # pairs
    (["--tls-cert", "c"], "ddbd: --tls-cert and --tls-key go together\n"),
    (["-tls-key", "k"], "ddbd: --tls-cert and --tls-key go together\n"),
    # spellings
    (["--no-such-option"], "ddbd: unknown option '--no-such-option' (see --help)\n"),
    (["--port=x"], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--port="], "ddbd: --port must be a number from 0 to 65535\n"),
    (["--in-memory=1"], "ddbd: --in-memory takes no value\n"),
    (["--nosuch=1"], "ddbd: unknown option '--nosuch=1' (see --help)\n"),
    (["--prot=8000"], "ddbd: unknown option '--prot=8000' (did you mean --port?)\n"),
    # a near miss is named (issue 56): at most 2 edits, fewer than a third of the letters
    (["---port", "1"], "ddbd: unknown option '---port' (did you mean --port?)\n"),
    (["--Port", "1"], "ddbd: unknown option '--Port' (did you mean --port?)\n"),
    (["--inmemory"], "ddbd: unknown option '--inmemory' (did you mean --in-memory?)\n"),
    (["--in_memory"], "ddbd: unknown option '--in_memory' (did you mean --in-memory?)\n"),
    (["--memroy-budget", "1"], "ddbd: unknown option '--memroy-budget' (did you mean --memory-budget?)\n"),
    (["--datadir", "d"], "ddbd: unknown option '--datadir' (did you mean --data-dir?)\n"),
    (["--xyz"], "ddbd: unknown option '--xyz' (see --help)\n"),
    (["-"], "ddbd: unknown option '-' (see --help)\n"),
    (["--"], "ddbd: unknown option '--' (see --help)\n"),
    (["8000"], "ddbd: unexpected argument '8000' (see --help)\n"),
    (["--in-memory", "yes"], "ddbd: unexpected argument 'yes' (see --help)\n"),
], ids=lambda a: " ".join(a)[:60] if isinstance(a, list) else None)
def test_values_refused(args, message):
    assert refused(args) == message


# The message for a value-taking option given last, without its value; the spelling as typed
# unless the message names the option itself.
MISSING = {
    "host": None, "port": None, "data-dir": None, "backend": None, "rados-conf": None, "rados-pool": None,
    "rados-inflight": None,
    "shards": None, "threads": None, "search-threads": None, "vector-ann": None, "vector-ann-ef": None, "cors": None, "allowed-hosts": None,
    "item-collection-limit": None,
    "transaction-conflict-rate": None, "write-conflict-rate": None, "idempotency-window": None,
    "ttl-interval": None, "count-check-interval": None, "stream-trigger": None, "max-connections": None, "request-timeout": None,
    "regions": None, "max-tables": None,
    "header-timeout": None, "max-unsent-bytes": None, "max-pending-bodies": None,
    "metrics-port": None, "access-log": None, "record": None, "record-redact": None, "otlp-endpoint": None, "seed": None, "seed-param": None, "seed-requests": None, "export-dir": None, "s3-endpoint": None,
    "s3-access-key": None, "s3-secret-key": None, "s3-region": None, "dbPath": None,
    "log-level": "ddbd: --log-level must be error, warn, info or debug\n",
    "min-free-disk": "ddbd: --min-free-disk must be a number of bytes (a suffix K, M, G or T counts 1024s: 64MB)\n",
    "record-max-bytes": "ddbd: --record-max-bytes must be a number of bytes (a suffix K, M, G or T counts 1024s: 64MB)\n",
    "memory-budget": "ddbd: --memory-budget must be a number of bytes (a suffix K, M, G or T counts 1024s: 64MB)\n",
    "tls-cert": "ddbd: --tls-cert needs a file\n",
    "tls-key": "ddbd: --tls-key needs a file\n",
    "auth": "ddbd: --auth needs a key file\n",
}


@pytest.mark.parametrize("dashes", ["--", "-"])
@pytest.mark.parametrize("name", sorted(MISSING))
def test_missing_value_is_refused(name, dashes):
    spelled = dashes + name
    assert refused(["--in-memory", spelled]) == (MISSING[name] or "ddbd: %s needs a value\n" % spelled)
