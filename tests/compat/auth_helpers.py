"""Helpers shared by the signature suites (test_auth_sigv4.py, test_http_auth_fidelity.py,
tests/security/test_sigv4_holes.py).

Not a test module: AWS's texts for refused signatures, requests and presigned URLs signed by
botocore at a chosen time, and the check of DynamoDB's clock-skew answers (which the SDKs parse to correct their clock).
"""
import datetime
import re

from botocore.auth import SigV4Auth, SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from conftest import JSON_10, raw_request

MISMATCH = ("The request signature we calculated does not match the signature you provided. Check "
            "your AWS Secret Access Key and signing method. Consult the service documentation for "
            "details.")
INVALID_SIG = "com.amazon.coral.service#InvalidSignatureException"
UNRECOGNIZED = "com.amazon.coral.service#UnrecognizedClientException"
BAD_TOKEN = "The security token included in the request is invalid."


def write_keys(tmp_path_factory, keys):
    """A --auth key file holding `keys`; its path."""
    path = tmp_path_factory.mktemp("auth") / "keys"
    path.write_text(keys)
    return str(path)


def amz(t):
    return t.strftime("%Y%m%dT%H%M%SZ")


def skewed(minutes):
    """Now, moved by `minutes`."""
    return datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=minutes)


def signed(endpoint, body=b"{}", target="ListTables", ak="AKIDGOOD", sk="secretgood",
           service="dynamodb", region="us-east-1", when=None, extra=None, path="/"):
    """Headers for a POST to `path` signed by botocore at time `when` (default: now)."""
    headers = {"Content-Type": JSON_10, "X-Amz-Target": "DynamoDB_20120810." + target}
    headers.update(extra or {})
    req = AWSRequest(method="POST", url=endpoint + path, data=body, headers=headers)
    signer = SigV4Auth(Credentials(ak, sk), service, region)
    if when is None:
        signer.add_auth(req)
        return dict(req.headers.items())
    # botocore stamps the request with the current time; pin it to `when`
    req.context["timestamp"] = amz(when)
    if "X-Amz-Date" in req.headers:
        del req.headers["X-Amz-Date"]
    req.headers["X-Amz-Date"] = amz(when)
    sts = signer.string_to_sign(req, signer.canonical_request(req))
    signer._inject_signature_to_request(req, signer.signature(sts, req))
    return dict(req.headers.items())


def post(endpoint, headers, body=b"{}", path="/"):
    return raw_request(endpoint, None, body, headers=headers, sign=False, content_type=None, path=path)


def assert_skewed(r, when, later=False):
    """r is DynamoDB's answer to a request dated `when`, more than 5 minutes before now ("Signature
    expired") or, `later`, after it ("Signature not yet current")."""
    assert r.status == 400
    body = r.json()
    assert body["__type"] == INVALID_SIG
    text = (r"Signature not yet current: (\d{8}T\d{6}Z) is still later than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) \+ 5 min\.\)"
            if later else
            r"Signature expired: (\d{8}T\d{6}Z) is now earlier than (\d{8}T\d{6}Z) \((\d{8}T\d{6}Z) - 5 min\.\)")
    m = re.fullmatch(text, body["message"])
    assert m, body["message"]
    assert m.group(1) == amz(when)
    now = datetime.datetime.strptime(m.group(3), "%Y%m%dT%H%M%SZ")
    assert m.group(2) == amz(now + datetime.timedelta(minutes=5 if later else -5))


class _QueryAuth(SigV4QueryAuth):
    """botocore's query-string signer, its X-Amz-* parameters edited before it signs them: `drop`
    leaves X-Amz-Expires out, `algorithm` names another X-Amz-Algorithm (the signature stays
    AWS4-HMAC-SHA256's)."""

    def __init__(self, credentials, region, expires, drop=False, algorithm=None):
        super().__init__(credentials, "dynamodb", region, expires=expires)
        self._drop, self._algorithm = drop, algorithm

    def _modify_request_before_signing(self, request):
        super()._modify_request_before_signing(request)
        if self._drop:
            request.url = re.sub(r"&?X-Amz-Expires=[^&]*", "", request.url)
        if self._algorithm:
            request.url = request.url.replace("X-Amz-Algorithm=AWS4-HMAC-SHA256", "X-Amz-Algorithm=" + self._algorithm)


def presigned_url(endpoint, ak, sk, expires=60, when=None, region="us-east-1", drop_expires=False, algorithm=None):
    """A presigned POST to ListTables signed at `when` (default: now), valid `expires` seconds: its
    path and query, and its headers (the body stays empty)."""
    req = AWSRequest(method="POST", url=endpoint + "/", data=b"",
                     headers={"X-Amz-Target": "DynamoDB_20120810.ListTables"})
    signer = _QueryAuth(Credentials(ak, sk), region, expires, drop_expires, algorithm)
    req.context["timestamp"] = amz(when or datetime.datetime.now(datetime.timezone.utc))
    signer._modify_request_before_signing(req)
    canonical = signer.canonical_request(req)
    signer._inject_signature_to_request(req, signer.signature(signer.string_to_sign(req, canonical), req))
    return req.url[len(endpoint):], dict(req.headers.items())


def post_path(endpoint, path, headers):
    return raw_request(endpoint, None, b"", headers=headers, sign=False, content_type=None, path=path)
