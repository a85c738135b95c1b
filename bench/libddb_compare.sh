#!/bin/sh
# bench/libddb_compare.sh [BUILD_DIR] [SECONDS]: GetItem and PutItem at 16 concurrent requests
# through libddb (bench/libddb_bench.c), boto3 and the AWS SDK for JavaScript v3, against one
# ddbd --in-memory on a free loopback port. Prints one line per client and operation: requests/s
# and the client process's CPU per request (user, system, total; microseconds).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build-client}
secs=${2:-5}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ep="http://127.0.0.1:$port"
"$build/ddbd" --host 127.0.0.1 --port "$port" --in-memory --log-level error &
pid=$!
trap 'kill $pid; wait $pid 2>/dev/null' EXIT
until "$build/ddb" --endpoint "$ep" health; do sleep 0.05; done
"$build/ddb" --endpoint "$ep" call CreateTable '{"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
  "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}' >/dev/null
for op in put get; do
  "$build/libddb_bench" "$ep" bench $op 16 "$secs"
  /usr/bin/python3 "$here/libddb_compare_boto3.py" "$ep" bench $op 16 "$secs"
  node "$here/libddb_compare_js.mjs" "$ep" bench $op 16 "$secs"
done
