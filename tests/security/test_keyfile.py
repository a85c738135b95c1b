"""The --auth key file read exactly: a line ddbd cannot read exactly stops it at start with the file
and the line (exit code non-zero, the reason on stderr), and a line it accepts means exactly what
it says, however long and whatever its secret holds (issue 40, finding 5).

Each refusal is checked by starting ddbd on the file: a server that starts instead is then asked
what the mistake let a restricted key do (read a table outside its `tables=`, write with an
`allow=read` key), and the test fails with that widening. The key file's grammar and its errors:
docs/security.md, "The key file".
"""
import http.client
import subprocess
import time

import pytest
from botocore.exceptions import ClientError

from conftest import DDBD_BIN, free_port
from helpers import key_client

ADMIN = ("AKIDADMIN", "adminsecret")
ADMIN_LINE = "AKIDADMIN adminsecret 111122223333\n"
PRIVATE = "private"   # a table outside every restricted key's tables=test_*
OWN = "test_own"      # a table inside them


def code_of(call):
    """The error code of a call, or "OK" when it succeeds."""
    try:
        call()
        return "OK"
    except ClientError as e:
        return e.response["Error"]["Code"]


class Started:
    """A ddbd that did start on the key file (a refusal test failing: this is what it allowed)."""

    def __init__(self, proc, port):
        self.proc, self.endpoint = proc, "http://127.0.0.1:%d" % port

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def start(keyfile, timeout=10.0):
    """Starts ddbd on `keyfile`: (exit code, stderr) when it stops by itself, else a Started."""
    port = free_port()
    proc = subprocess.Popen([DDBD_BIN, "--in-memory", "--host", "127.0.0.1", "--port", str(port), "--auth",
                             str(keyfile)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return proc.returncode, proc.stderr.read()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return Started(proc, port)
        except OSError:
            pass
        finally:
            conn.close()
        time.sleep(0.02)
    proc.kill()
    proc.wait()
    pytest.fail("ddbd neither started nor stopped within %.0f s" % timeout)


def tables(endpoint):
    """The admin key's tables, one item each: PRIVATE and OWN."""
    admin = key_client(endpoint, *ADMIN)
    for t in (PRIVATE, OWN):
        admin.create_table(TableName=t, BillingMode="PAY_PER_REQUEST",
                           AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                           KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        admin.put_item(TableName=t, Item={"pk": {"S": "a"}})


def what_it_allowed(server, keys):
    """What each (access key, secret) may do on the started server, in words."""
    tables(server.endpoint)
    seen = []
    for ak, sk in keys:
        c = key_client(server.endpoint, ak, sk)
        read = code_of(lambda: c.get_item(TableName=PRIVATE, Key={"pk": {"S": "a"}}))
        write = code_of(lambda: c.put_item(TableName=PRIVATE, Item={"pk": {"S": "w"}}))
        seen.append("%s/%s...: GetItem on %s %s, PutItem %s" % (ak, sk[:12], PRIVATE, read, write))
    return "; ".join(seen)


def assert_refused(path, line, why, keys):
    """ddbd refuses to start on `path`, naming its line `line` and `why`; if it starts, the test
    fails with what `keys` could then do."""
    got = start(path)
    if isinstance(got, Started):
        try:
            allowed = what_it_allowed(got, keys)
        finally:
            got.stop()
        pytest.fail("ddbd started on a key file it cannot read exactly (line %d); the keys then: %s"
                    % (line, allowed))
    code, err = got
    assert code != 0, err
    assert "--auth %s:%d: " % (path, line) in err, err
    assert why in err, err


def keyfile(tmp_path, text):
    path = tmp_path / "keys"
    path.write_text(text)
    return path


# ---- the three reported mistakes ----

def test_a_hash_inside_a_secret_is_part_of_the_secret(tmp_path):
    """`#` inside a secret once ended the line: the secret became its prefix and the rules after it
    were dropped. It is an ordinary character now: the whole secret signs, the prefix does not, and
    the rules hold."""
    path = keyfile(tmp_path, ADMIN_LINE + "AKIDHASH ci#secret 111122223333 name=ci allow=read tables=test_*\n")
    got = start(path)
    assert isinstance(got, Started), got
    try:
        tables(got.endpoint)
        prefix = key_client(got.endpoint, "AKIDHASH", "ci")
        assert code_of(lambda: prefix.put_item(TableName=PRIVATE, Item={"pk": {"S": "w"}})) == \
            "InvalidSignatureException", "the secret's prefix before '#' signed a PutItem on %s" % PRIVATE
        whole = key_client(got.endpoint, "AKIDHASH", "ci#secret")
        assert whole.get_item(TableName=OWN, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
        assert code_of(lambda: whole.get_item(TableName=PRIVATE, Key={"pk": {"S": "a"}})) == "AccessDeniedException"
        assert code_of(lambda: whole.put_item(TableName=OWN, Item={"pk": {"S": "w"}})) == "AccessDeniedException"
    finally:
        got.stop()


def test_a_hash_word_after_the_fields_is_refused(tmp_path):
    """A word starting with `#` after the fields is no comment (one that dropped the rules after it
    left the key unrestricted): only a line whose first non-blank character is `#` is a comment."""
    path = keyfile(tmp_path, "# keys\n" + ADMIN_LINE + "AKIDCI cisecret #ci allow=read tables=test_*\n")
    assert_refused(path, 3, "a comment is a line of its own", [("AKIDCI", "cisecret")])


def test_a_line_over_4095_bytes_is_read_whole(tmp_path):
    """A line was read 4,095 bytes at a time: the key kept a cut secret and lost its rules, and the
    rest of the line became a key of its own. The line is read whole now."""
    secret = "k" * (4095 - len("AKIDLONG ")) + "AKIDTAIL"   # the old cut falls just before AKIDTAIL
    line = "AKIDLONG %s 111122223333 name=ci allow=read tables=test_*\n" % secret
    got = start(keyfile(tmp_path, ADMIN_LINE + line))
    assert isinstance(got, Started), got
    try:
        tables(got.endpoint)
        tail = key_client(got.endpoint, "AKIDTAIL", "111122223333")
        assert code_of(lambda: tail.get_item(TableName=PRIVATE, Key={"pk": {"S": "a"}})) == \
            "UnrecognizedClientException", "the line's tail became the key AKIDTAIL"
        cut = key_client(got.endpoint, "AKIDLONG", secret[:4086])
        assert code_of(lambda: cut.put_item(TableName=PRIVATE, Item={"pk": {"S": "w"}})) == \
            "InvalidSignatureException", "the secret cut at 4,095 bytes signed a PutItem on %s" % PRIVATE
        whole = key_client(got.endpoint, "AKIDLONG", secret)
        assert whole.get_item(TableName=OWN, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
        assert code_of(lambda: whole.put_item(TableName=OWN, Item={"pk": {"S": "w"}})) == "AccessDeniedException"
        assert code_of(lambda: whole.get_item(TableName=PRIVATE, Key={"pk": {"S": "a"}})) == "AccessDeniedException"
    finally:
        got.stop()


def test_an_empty_tables_option_is_refused(tmp_path):
    """`tables=` with nothing after it meant every table."""
    path = keyfile(tmp_path, "# keys\n" + ADMIN_LINE + "AKIDEMPTY emptysecret 111122223333 name=ci tables=\n")
    assert_refused(path, 3, "tables= is empty", [("AKIDEMPTY", "emptysecret")])


# ---- every other value ddbd cannot read exactly ----

@pytest.mark.parametrize("line, why", [
    ("AKIDBAD badsecret tables=test_a,,test_b", "has an empty item"),
    ("AKIDBAD badsecret allow=", "allow= is empty"),
    ("AKIDBAD badsecret tabels=test_*", "unknown option 'tabels='"),
    ("AKIDBAD badsecret allow=read allow=*", "allow= is given twice"),
    ("AKIDBAD badsecret rights=root", "is not a right"),
    ("AKIDBAD badsecret 111122223333 tok name=ci alow=read", "unknown option 'alow='"),
    ("AKIDBAD allow=read tables=test_*", "is the secret missing?"),
    ("AKIDBAD badsecret tables=arn:aws:dynamodb:us-east-1:111122223333:table/test_*", "is not a table name pattern"),
])
def test_a_malformed_option_is_refused(tmp_path, line, why):
    path = keyfile(tmp_path, ADMIN_LINE + line + "\n")
    assert_refused(path, 2, why, [("AKIDBAD", "badsecret")])


def test_an_access_key_id_given_twice_is_refused(tmp_path):
    path = keyfile(tmp_path, ADMIN_LINE + "AKIDTWO one 111122223333 tables=test_*\n\nAKIDTWO two\n")
    assert_refused(path, 4, "access key id AKIDTWO is already on line 2", [("AKIDTWO", "one"), ("AKIDTWO", "two")])


def test_a_long_valid_secret_signs(tmp_path):
    """A secret of 10,000 bytes, with a session token: read whole, it signs."""
    secret = ("a#b=c/d+" * 1250)
    path = keyfile(tmp_path, ADMIN_LINE + "AKIDBIG %s 111122223333 FwoGZXIvYXdz== rights=metrics\n" % secret)
    got = start(path)
    assert isinstance(got, Started), got
    try:
        assert key_client(got.endpoint, "AKIDBIG", secret, token="FwoGZXIvYXdz==").list_tables()["TableNames"] == []
        cut = key_client(got.endpoint, "AKIDBIG", secret[:4000], token="FwoGZXIvYXdz==")
        assert code_of(cut.list_tables) == "InvalidSignatureException"
    finally:
        got.stop()


def test_the_error_quotes_no_secret(tmp_path):
    path = keyfile(tmp_path, "AKIDQ topsecretvalue 12345\n")
    got = start(path)
    if isinstance(got, Started):
        got.stop()
        pytest.fail("ddbd started with an account id of 5 digits")
    code, err = got
    assert code != 0 and "--auth %s:1: ACCOUNT_ID (word 3) must be 12 digits" % path in err, err
    assert "topsecretvalue" not in err, err


# ---- an option in another case is no session token (issue 51, finding 6) ----

@pytest.mark.parametrize("word, why", [
    ("Tables=test_*", "word 4 reads as the option tables= in another case: options are lowercase"),
    ("ALLOW=read", "word 4 reads as the option allow= in another case"),
    ("Tabels=test_*", "SESSION_TOKEN (word 4) holds '=' before its end"),
])
def test_an_option_looking_token_is_refused(tmp_path, word, why):
    """`Tables=test_*` after the account id was read as the session token: the key started with no
    table limit, and a client sending the word as its token read and wrote every table. A session
    token is base64 ('=' only pads its end), so a word with '=' inside is an option or a mistake."""
    path = keyfile(tmp_path, ADMIN_LINE + "AKIDCAP capsecret 111122223333 %s\n" % word)
    got = start(path)
    if isinstance(got, Started):
        try:
            tables(got.endpoint)
            c = key_client(got.endpoint, "AKIDCAP", "capsecret", token=word)
            allowed = "GetItem on %s %s, PutItem %s" % (
                PRIVATE, code_of(lambda: c.get_item(TableName=PRIVATE, Key={"pk": {"S": "a"}})),
                code_of(lambda: c.put_item(TableName=PRIVATE, Item={"pk": {"S": "w"}})))
        finally:
            got.stop()
        pytest.fail("ddbd started with %r as the session token; sending it: %s" % (word, allowed))
    code, err = got
    assert code != 0, err
    assert "--auth %s:2: %s" % (path, why) in err, err


@pytest.mark.parametrize("word, why", [
    ("tables:test_*", "word 4 reads as the option tables= misspelt: options are lowercase NAME=VALUE"),
    ("TABLES", "word 4 reads as the option tables= misspelt"),
    ("allow:read", "word 4 reads as the option allow= misspelt"),
    ("Rights", "word 4 reads as the option rights= misspelt"),
    ("test_*", "SESSION_TOKEN (word 4) holds '*' (byte 6): a session token is base64"),
    ("arn:aws:iam::111122223333:user/ci", "SESSION_TOKEN (word 4) holds ':' (byte 4)"),
])
def test_a_malformed_token_is_refused(tmp_path, word, why):
    """`tables:test_*` and a bare `TABLES` still became the session token (issue 61, item 6): the
    key started without the table limit its writer meant, and a client sending the word as its token
    had every table. A word 4 that names an option, or holds what no base64 token does, stops ddbd."""
    test_an_option_looking_token_is_refused(tmp_path, word, why)


def test_a_base64_token_with_padding_is_still_a_token(tmp_path):
    """The refusal is no wider than the mistake: '=' padding at a token's end is base64's own."""
    path = keyfile(tmp_path, ADMIN_LINE + "AKIDPAD padsecret 111122223333 FwoGZX+IvY/Xdz== tables=test_*\n")
    got = start(path)
    assert isinstance(got, Started), got
    try:
        tables(got.endpoint)
        c = key_client(got.endpoint, "AKIDPAD", "padsecret", token="FwoGZX+IvY/Xdz==")
        assert c.get_item(TableName=OWN, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
        assert code_of(lambda: c.get_item(TableName=PRIVATE, Key={"pk": {"S": "a"}})) == "AccessDeniedException"
    finally:
        got.stop()
