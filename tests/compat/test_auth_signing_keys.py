"""--auth caches each thread's last few signing keys (HMAC of the secret over date, region and
service, which changes once a day): requests from many keys and regions interleaved, more than the
cache holds, all verify; a wrong secret is refused whether or not its key and region are cached;
regions too long to be cached (and longer than any real one) still verify.
"""
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
