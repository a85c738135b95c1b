"""SigV4 with --auth, the holes of issue 40 (finding 8): a presigned URL dated 2099 was good (with
X-Amz-Expires its date was never held against the clock), one without X-Amz-Expires, or with one
that is no number or negative, was taken for a signed header and its 5 minutes instead of refused,
and an Authorization header naming AWS4-HMAC-SHA1 (or any algorithm starting AWS4-) was verified
as AWS4-HMAC-SHA256. Now X-Amz-Expires is required, 1 to 604800 seconds (7 days), the URL expires
X-Amz-Expires seconds after X-Amz-Date and is refused as a header is when dated more than 5
minutes ahead, and any algorithm other than AWS4-HMAC-SHA256 is refused as DynamoDB refuses it.

Requests are raw HTTP signed by botocore (its header signer, its query-string presigner with the
parameters edited before signing), so each is a correctly signed request apart from what is tested.
"""
import datetime

import pytest

from auth_helpers import INVALID_SIG, assert_skewed, post, post_path, presigned_url, signed, skewed

INCOMPLETE = "com.amazon.coral.service#IncompleteSignatureException"
SERIALIZATION = "com.amazon.coral.service#SerializationException"  # authenticated: the empty body is next
KEY = ("AKIDGOOD", "secretgood")
YEAR_2099 = datetime.datetime(2099, 1, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from conftest import DdbdServer
    path = tmp_path_factory.mktemp("auth") / "keys"
    path.write_text("AKIDGOOD secretgood 111122223333\n")
    srv = DdbdServer(("--in-memory", "--auth", str(path))).start()
    yield srv
    srv.stop()
    srv.kill()


def presigned(server, **kw):
    path, headers = presigned_url(server.endpoint, *KEY, **kw)
    return post_path(server.endpoint, path, headers)


def incomplete(message):
    return {"__type": INCOMPLETE, "message": message}


# ---- presigned URLs: X-Amz-Date and X-Amz-Expires ----

def test_a_presigned_url_dated_2099_is_not_yet_current(server):
    for expires in (60, 604800):
        r = presigned(server, expires=expires, when=YEAR_2099)
        assert r.json()["__type"] != SERIALIZATION, "a URL dated 2099 (X-Amz-Expires=%d) was accepted" % expires
        assert_skewed(r, YEAR_2099, later=True)
    # within the 5 minutes, as a header's date may be
    assert presigned(server, when=skewed(4)).json()["__type"] == SERIALIZATION
    # good from its date until X-Amz-Expires seconds later, however long ago (up to 7 days)
    six_days_ago = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=6)
    assert presigned(server, expires=604800, when=six_days_ago).json()["__type"] == SERIALIZATION
    r = presigned(server, expires=86400, when=six_days_ago)
    assert (r.status, r.json()["__type"]) == (400, INVALID_SIG)
    assert r.json()["message"].startswith("Signature expired: %s is now earlier than " % six_days_ago.strftime(
        "%Y%m%dT%H%M%SZ")) and r.json()["message"].endswith(" - 86400 sec.)"), r.json()
    r = presigned(server, expires=0, when=skewed(-1))
    assert (r.status, r.json()["__type"]) == (400, INVALID_SIG)


def test_x_amz_expires_is_required(server):
    for when in (YEAR_2099, None):
        r = presigned(server, when=when, drop_expires=True)
        assert r.json()["__type"] != SERIALIZATION, "a URL without X-Amz-Expires dated %s was accepted" % when
        assert (r.status, r.json()) == (400, incomplete(
            "AWS query-string parameters must include 'X-Amz-Expires'. Re-examine the query-string parameters."))


@pytest.mark.parametrize("expires, message", [
    ("forever", "X-Amz-Expires should be a number"),
    ("", "X-Amz-Expires should be a number"),
    ("1e9", "X-Amz-Expires should be a number"),
    ("-60", "X-Amz-Expires must be non-negative"),
    ("604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be "
               "less than 604800 seconds"),
    ("99999999999999999999999", "X-Amz-Expires must be less than a week (in seconds); that is, the given "
                                "X-Amz-Expires must be less than 604800 seconds"),
])
def test_x_amz_expires_out_of_range(server, expires, message):
    r = presigned(server, expires=expires, when=skewed(-60 * 24 * 30))  # a month old
    assert r.json()["__type"] != SERIALIZATION, "a month-old URL with X-Amz-Expires=%r was accepted" % expires
    assert (r.status, r.json()) == (400, incomplete(message))


# ---- the algorithm ----

def unsupported(algorithm):
    return incomplete("Unsupported AWS 'algorithm': '%s' (only AWS4-HMAC-SHA256 for now). " % algorithm)


@pytest.mark.parametrize("algorithm", ["AWS4-HMAC-SHA1", "AWS4-HMAC-SHA512", "AWS4-ECDSA-P256-SHA256",
                                       "AWS4-HMAC-SHA256X"])
def test_only_aws4_hmac_sha256_is_an_algorithm(server, algorithm):
    headers = signed(server.endpoint, ak=KEY[0], sk=KEY[1])
    headers["Authorization"] = headers["Authorization"].replace("AWS4-HMAC-SHA256", algorithm, 1)
    r = post(server.endpoint, headers)
    assert r.status != 200, "Authorization: %s ... was verified as AWS4-HMAC-SHA256 and answered" % algorithm
    assert (r.status, r.json()) == (400, unsupported(algorithm))
    r = presigned(server, algorithm=algorithm)
    assert (r.status, r.json()) == (400, unsupported(algorithm))
    # DynamoDB's order, as dynalite recorded it: the date's form and clock, then the algorithm
    when = skewed(-20)
    headers = signed(server.endpoint, ak=KEY[0], sk=KEY[1], when=when)
    headers["Authorization"] = headers["Authorization"].replace("AWS4-HMAC-SHA256", algorithm, 1)
    assert_skewed(post(server.endpoint, headers), when)
