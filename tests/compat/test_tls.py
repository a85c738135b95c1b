"""Optional TLS (--tls-cert/--tls-key): ddbd serves https through h2o with a PEM certificate chain
and key, for clients that insist on https; the options go together and a certificate that cannot be
used stops start-up with a message. The certificate is a self-signed one made by the openssl CLI."""
import signal
import ssl
import subprocess
import time
import urllib.request

import boto3
import pytest
from botocore.config import Config

from conftest import DDBD_BIN, free_port


@pytest.fixture(scope="module")
def cert(tmp_path_factory):
    d = tmp_path_factory.mktemp("tls")
    key, crt = d / "key.pem", d / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(crt), "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return str(crt), str(key)


@pytest.fixture
def tls_server(cert):
    port = free_port()
    proc = subprocess.Popen([DDBD_BIN, "--in-memory", "--host", "127.0.0.1", "--port", str(port),
                             "--tls-cert", cert[0], "--tls-key", cert[1]],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    ctx = ssl.create_default_context(cafile=cert[0])
    url = "https://127.0.0.1:%d" % port
    for _ in range(400):
        try:
            with urllib.request.urlopen(url + "/", context=ctx, timeout=1) as r:
                assert r.read() == b"healthy: 127.0.0.1:%d " % port
                break
        except OSError:
            time.sleep(0.01)
    else:
        proc.kill()
        pytest.fail("ddbd with TLS did not answer: %s" % proc.stderr.read().decode())
    yield url, port
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 0


def test_https_serves_the_api(tls_server, cert):
    url, _ = tls_server
    ddb = boto3.client("dynamodb", endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKID",
                       aws_secret_access_key="s", verify=cert[0], config=Config(retries={"total_max_attempts": 1}))
    ddb.create_table(TableName="tls_table", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    ddb.put_item(TableName="tls_table", Item={"pk": {"S": "a"}})
    assert ddb.get_item(TableName="tls_table", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_plain_http_to_the_tls_port_gets_no_answer(tls_server):
    _, port = tls_server
    with pytest.raises(Exception):
        urllib.request.urlopen("http://127.0.0.1:%d/" % port, timeout=2).read()


def test_tls_options_go_together_and_must_be_usable(cert, tmp_path):
    out = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--tls-cert", cert[0]], capture_output=True,
                         text=True, timeout=10)
    assert out.returncode != 0 and "--tls-cert and --tls-key go together" in out.stderr
    bad = tmp_path / "bad.pem"
    bad.write_text("not a certificate\n")
    out = subprocess.run([DDBD_BIN, "--in-memory", "--port", "0", "--tls-cert", str(bad), "--tls-key", cert[1]],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode != 0 and "cannot be used" in out.stderr
