#!/usr/bin/env bash
# tests/rados/example.sh BUILD_DIR CEPH_CONF: deploy/rados-gateways.sh works (run by run.sh when
# socat is installed): a table created through the one address is written through both gateways
# (a new connection per client, round robin), and with one gateway stopped the address still serves.
set -euo pipefail
build=$1 conf=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir=$(mktemp -d /tmp/ddbd-gw-example-XXXXXX)
# three free ports in a row: the address, then one per gateway
port=$(python3 - <<'PY'
import random, socket
for _ in range(200):
    p = random.randrange(20000, 32000)  # below the ephemeral range: no outgoing socket takes it
    try:
        socks = []
        for q in (p, p + 1, p + 2):
            s = socket.socket()
            s.bind(("127.0.0.1", q))
            socks.append(s)
        print(p)
        break
    except OSError:
        pass
    finally:
        for s in socks:
            s.close()
PY
)
trap '"$root/deploy/rados-gateways.sh" stop "$dir"; rm -rf "$dir"' EXIT
export DDBD_BIN=$build/ddbd DDBD_PORT=$port DDBD_POOL=ddbd/example-$$
endpoint=$("$root/deploy/rados-gateways.sh" start "$dir" "$conf" | tail -n 1)
check() { # ITEMS: PutItem through fresh connections, then count them
  /usr/bin/python3 - "$endpoint" "$1" <<'PY'
import sys, boto3
ep, n = sys.argv[1], int(sys.argv[2])
def c():
    return boto3.client("dynamodb", endpoint_url=ep, region_name="us-east-1",
                        aws_access_key_id="a", aws_secret_access_key="b")
if n == 10:
    c().create_table(TableName="example", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
for i in range(n - 10, n):
    c().put_item(TableName="example", Item={"pk": {"S": str(i)}})
got = len(c().scan(TableName="example")["Items"])
assert got == n, (got, n)
PY
}
fail() { # what failed, then the gateways' and socat's logs (the directory goes with the trap)
  echo "$1"
  for f in "$dir"/*.log; do
    echo "== $f"
    tail -n 20 "$f"
  done
  exit 1
}
check 10 || fail "10 writes through the address"
for p in $((port + 1)) $((port + 2)); do # each gateway served some of the writes
  # the page is read whole first: `curl | grep -q` under pipefail fails when grep stops reading at
  # its match and curl, still writing a page grown past the pipe's buffer, gets SIGPIPE (CI saw it)
  page=$(curl -s "http://127.0.0.1:$p/metrics")
  grep -q 'ddbd_requests_total{operation="PutItem",outcome="ok"}' <<<"$page" ||
    fail "the gateway on port $p served no PutItem: $(curl -sS "http://127.0.0.1:$p/metrics" 2>&1 | grep -m 3 'PutItem\|curl')"
done
kill "$(cat "$dir/gateway1.pid")" || fail "gateway 1 had stopped"
sleep 0.5
check 20 || fail "10 more writes with gateway 1 stopped"
echo "the example's two gateways served one table; with one stopped, the other served alone"
