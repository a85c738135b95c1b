"""--auth caches each thread's last few signing keys (HMAC of the secret over date, region and
service, which changes once a day): requests from many keys and regions interleaved, more than the
cache holds, all verify; a wrong secret is refused whether or not its key and region are cached;
regions too long to be cached (and longer than any real one) still verify. Also the signed headers
the HTTP layer keeps apart (Content-Length, which the JavaScript SDK v3 signs) and a SignedHeaders
list that names one header over and over.
"""
import http.client
import itertools

import pytest

import test_auth_sigv4 as A

KEYS = """AKIDONE secretone
AKIDTWO secrettwo 123456789012
AKIDTHREE a/much+longer/secret-key-of-forty-chars!!
"""
SECRETS = {"AKIDONE": "secretone", "AKIDTWO": "secrettwo",
           "AKIDTHREE": "a/much+longer/secret-key-of-forty-chars!!"}
REGIONS = ["us-east-1", "eu-west-3", "ap-southeast-2", "local", "us-gov-west-1", "me-central-1"]


@pytest.fixture
def server(server_factory, tmp_path):
    path = tmp_path / "keys"
    path.write_text(KEYS)
    # one HTTP thread: every request meets the same cache
    return server_factory(args=("--in-memory", "--threads", "1", "--auth", str(path)))


def status(server, ak, region, sk=None):
    headers = A.signed(server.endpoint, ak=ak, sk=sk or SECRETS[ak], region=region)
    r = A.post(server.endpoint, headers)
    return r.status, (None if r.status == 200 else r.json()["__type"])


def test_many_keys_and_regions_interleaved(server):
    for _ in range(3):
        for ak, region in itertools.product(SECRETS, REGIONS):
            assert status(server, ak, region) == (200, None), (ak, region)


def test_wrong_secret_refused_cached_or_not(server):
    assert status(server, "AKIDONE", "us-east-1") == (200, None)   # cached now
    assert status(server, "AKIDONE", "us-east-1", sk="secrettwo") == (400, A.INVALID_SIG)
    assert status(server, "AKIDONE", "us-east-1") == (200, None)
    assert status(server, "AKIDTWO", "sa-east-1", sk="secretone") == (400, A.INVALID_SIG)  # not cached
    assert status(server, "AKIDTWO", "sa-east-1") == (200, None)


@pytest.mark.parametrize("length", [32, 33, 100])
def test_long_regions(server, length):
    region = ("x-" * length)[:length - 1] + "1"
    assert status(server, "AKIDTWO", region) == (200, None)
    assert status(server, "AKIDTWO", region, sk="secretone") == (400, A.INVALID_SIG)


def send(server, headers, body=b"{}"):
    host, port = server.endpoint.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    try:
        conn.request("POST", "/", body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


@pytest.mark.parametrize("body", [b"{}", b'{"Limit": 5}'])
def test_signed_content_length(server, body):
    """The JavaScript SDK v3 signs content-length (with amz-sdk-invocation-id, amz-sdk-request and
    x-amz-user-agent): it must verify, and a Content-Length other than the one signed must not."""
    extra = {"Content-Length": str(len(body)), "amz-sdk-invocation-id": "5b3c-41ad",
             "amz-sdk-request": "attempt=1; max=3", "x-amz-user-agent": "aws-sdk-js/3.0.0"}
    headers = A.signed(server.endpoint, body=body, ak="AKIDONE", sk=SECRETS["AKIDONE"], extra=extra)
    assert "content-length" in headers["Authorization"]
    assert send(server, headers, body)[0] == 200
    wrong = dict(A.signed(server.endpoint, body=body, ak="AKIDONE", sk=SECRETS["AKIDONE"],
                          extra=dict(extra, **{"Content-Length": str(len(body) + 1)})))
    wrong["Content-Length"] = str(len(body))
    assert send(server, wrong, body)[0] == 400


def test_signed_headers_naming_one_header_many_times(server):
    headers = A.signed(server.endpoint, ak="AKIDONE", sk=SECRETS["AKIDONE"])
    auth = headers["Authorization"]
    names = auth.split("SignedHeaders=")[1].split(",")[0]
    headers["Authorization"] = auth.replace("SignedHeaders=" + names, "SignedHeaders=" + ";".join(["host"] * 200))
    status, body = send(server, headers)
    assert status == 400 and b"InvalidSignatureException" in body
    assert status_of_ok(server)


def status_of_ok(server):
    return status(server, "AKIDONE", "us-east-1") == (200, None)
