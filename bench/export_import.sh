#!/usr/bin/env bash
# bench/export_import.sh: export and import throughput (items/s) of a table of N items (default
# 100000) with every attribute type, through an --export-dir bucket, measured from the call to
# COMPLETED with boto3. Usage: bench/export_import.sh [N]   (DDBD_BIN: the ddbd to measure)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
N="${1:-100000}"
DDBD_BIN="${DDBD_BIN:-$ROOT/build/ddbd}"
DIR="$(mktemp -d)"
PORT=18799
mkdir -p "$DIR/exports/local"
"$DDBD_BIN" --in-memory --port "$PORT" --export-dir "$DIR/exports" --log-level warn >"$DIR/ddbd.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
sleep 0.5
/usr/bin/python3 - "$PORT" "$N" <<'PY'
import sys, time, boto3
port, n = sys.argv[1], int(sys.argv[2])
c = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:%s" % port, region_name="us-east-1",
                 aws_access_key_id="a", aws_secret_access_key="b")
ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
ad = [{"AttributeName": "pk", "AttributeType": "S"}]
c.create_table(TableName="bench", KeySchema=ks, AttributeDefinitions=ad, BillingMode="PAY_PER_REQUEST")
batch = []
for i in range(n):
    batch.append({"PutRequest": {"Item": {"pk": {"S": "p%08d" % i}, "s": {"S": "x" * 100}, "n": {"N": str(i)},
        "b": {"B": b"\x00\x01\x02"}, "t": {"BOOL": True}, "l": {"L": [{"S": "a"}, {"N": "1"}]},
        "m": {"M": {"k": {"S": "v"}}}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]}}}})
    if len(batch) == 25:
        c.batch_write_item(RequestItems={"bench": batch}); batch = []
if batch:
    c.batch_write_item(RequestItems={"bench": batch})
arn = c.describe_table(TableName="bench")["Table"]["TableArn"]
for fmt in ("DYNAMODB_JSON", "ION"):
    t0 = time.time()
    d = c.export_table_to_point_in_time(TableArn=arn, S3Bucket="local", ExportFormat=fmt)["ExportDescription"]
    while d["ExportStatus"] == "IN_PROGRESS":
        time.sleep(0.02)
        d = c.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]
    te = time.time() - t0
    eid = d["ExportArn"].rsplit("/", 1)[1]
    t0 = time.time()
    i = c.import_table(S3BucketSource={"S3Bucket": "local", "S3KeyPrefix": "AWSDynamoDB/%s/data/" % eid},
                       InputFormat=fmt, InputCompressionType="GZIP",
                       TableCreationParameters={"TableName": "imp-" + fmt.lower(), "KeySchema": ks,
                                                "AttributeDefinitions": ad, "BillingMode": "PAY_PER_REQUEST"})["ImportTableDescription"]
    while i["ImportStatus"] == "IN_PROGRESS":
        time.sleep(0.05)
        i = c.describe_import(ImportArn=i["ImportArn"])["ImportTableDescription"]
    ti = time.time() - t0
    assert d["ItemCount"] == n and i["ImportedItemCount"] == n
    print("%-13s export %6.2fs %8.0f items/s   import %6.2fs %8.0f items/s" % (fmt, te, n / te, ti, n / ti))
PY
