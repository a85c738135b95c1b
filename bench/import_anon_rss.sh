#!/usr/bin/env bash
# bench/import_anon_rss.sh: an anonymised import (docs/import.md) streams an export of SIZE MB
# (default 256, of DynamoDB JSON before gzip) in bounded memory. Writes an export's data files
# (gzip, 32 MB of JSON each, ~1 KB items with names, emails, phones, dates and notes) into a
# directory bucket, starts ddbd on RocksDB (--data-dir: the items go to disk, so what is measured
# is the import, not an in-memory store holding them), runs `ddb import` with a strict rule file
# (hash, fake email/name/phone/date/number/text, redact, drop, keep) and reports the import's time
# and ddbd's peak RSS (VmHWM) before and after; the same for a plain ImportTable of the same
# export, and both for an export of SIZE/4 MB: the rules add nothing to the import's memory, and
# what the peak gains from SIZE/4 to SIZE is the store's (RocksDB's memtables and table readers,
# the plain import's alike), not the stream's. Not a ctest (a minute of CPU, a GB of disk).
#   Usage: bench/import_anon_rss.sh [SIZE_MB]   (DDBD_BIN, DDB_BIN: the binaries; default build/)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
SIZE="${1:-256}"
DDBD_BIN="${DDBD_BIN:-$ROOT/build/ddbd}"
DDB_BIN="${DDB_BIN:-$(dirname "$DDBD_BIN")/ddb}"
DIR="$(mktemp -d)"
PORT="${PORT:-18797}"
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; rm -rf "$DIR"' EXIT

# The export: SIZE MB of {"Item": ...} lines in gzip data files of 32 MB each.
write_export() { # DIR/buckets/exports/<name>/data/, SIZE_MB
  /usr/bin/python3 - "$1" "$2" <<'PY'
import gzip, json, os, sys
out, size = sys.argv[1], int(sys.argv[2]) << 20
os.makedirs(out, exist_ok=True)
first = ["Ann", "Bob", "Chloe", "Dmitri", "Esra", "Farid", "Gwen", "Hiro"]
written, i, part = 0, 0, 0
while written < size:
    with gzip.open(os.path.join(out, "part-%05d.json.gz" % part), "wt", compresslevel=1) as f:
        chunk = 0
        while chunk < (32 << 20) and written + chunk < size:
            item = {"pk": {"S": "cust-%09d" % i}, "sk": {"N": str(i % 97)},
                    "email": {"S": "%s.%d@corp.example" % (first[i % 8].lower(), i)},
                    "name": {"S": "%s Customer%d" % (first[i % 8], i)},
                    "phone": {"S": "+1 (555) %03d-%04d" % (i % 1000, i % 10000)},
                    "born": {"S": "19%02d-%02d-%02d" % (50 + i % 50, 1 + i % 12, 1 + i % 28)},
                    "spend": {"N": str(i % 5000)}, "iban": {"S": "DE%020d" % i},
                    "ssn": {"S": "%03d-%02d-%04d" % (i % 900, i % 99, i % 9999)},
                    "notes": {"S": ("note %d " % i) * 60}, "referrer": {"S": "cust-%09d" % (i // 2)},
                    "tags": {"SS": ["t%d" % (i % 7), "t%d" % (i % 11 + 7)]}, "plan": {"S": "pro"}}
            line = json.dumps({"Item": item}, separators=(",", ":")) + "\n"
            f.write(line)
            chunk += len(line)
            i += 1
        written += chunk
    part += 1
print(i)
PY
}

RULES='{"key": "bench key, 16 chars or more", "strict": true, "attributes": {
  "pk": "hash", "sk": "keep", "email": {"fake": "email"}, "name": {"fake": "name"}, "phone": {"fake": "phone"},
  "born": {"fake": "date", "min": "1940-01-01", "max": "2005-12-31"}, "spend": {"fake": "number", "min": 0, "max": 9999},
  "iban": {"fake": "text"}, "ssn": "redact", "notes": "drop", "referrer": "hash", "tags": "hash", "plan": "keep"}}'
echo "$RULES" >"$DIR/rules.json"

hwm() { awk '/^VmHWM/ {print int($2 / 1024)}' /proc/"$PID"/status; }

# One import of the export of $1 MB into a fresh server, anonymised by the rules ($2 = anon) or
# a plain ImportTable (plain): "items seconds peak_before peak_after".
run() {
  local mb="$1" mode="$2" name="e$1" items t0 t1 before after arn
  items=$(cat "$DIR/items-$mb")
  rm -rf "$DIR/data"
  "$DDBD_BIN" --host 127.0.0.1 --port "$PORT" --data-dir "$DIR/data" --admin --export-dir "$DIR/buckets" \
    --log-level warn >"$DIR/ddbd.log" 2>&1 &
  PID=$!
  until "$DDB_BIN" --endpoint "http://127.0.0.1:$PORT" health 2>/dev/null; do sleep 0.1; done
  before=$(hwm)
  cat >"$DIR/import.json" <<EOF
{"S3BucketSource": {"S3Bucket": "exports", "S3KeyPrefix": "$name/data/"}, "InputFormat": "DYNAMODB_JSON",
 "InputCompressionType": "GZIP", "TableCreationParameters": {"TableName": "$name", "BillingMode": "PAY_PER_REQUEST",
 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
 "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}]}}
EOF
  t0=$(date +%s.%N)
  if [ "$mode" = anon ]; then
    "$DDB_BIN" --endpoint "http://127.0.0.1:$PORT" import "$DIR/import.json" "$DIR/rules.json" >"$DIR/out.txt"
    grep -q "^COMPLETED: $items items imported" "$DIR/out.txt" || { cat "$DIR/out.txt" "$DIR/ddbd.log"; exit 1; }
  else
    arn=$("$DDB_BIN" --endpoint "http://127.0.0.1:$PORT" call ImportTable "$(cat "$DIR/import.json")" |
      jq -r .ImportTableDescription.ImportArn)
    until "$DDB_BIN" --endpoint "http://127.0.0.1:$PORT" call DescribeImport "{\"ImportArn\": \"$arn\"}" |
      jq -e --argjson n "$items" '.ImportTableDescription | .ImportStatus == "COMPLETED" and .ImportedItemCount == $n' \
        >/dev/null; do
      sleep 0.1
    done
  fi
  t1=$(date +%s.%N)
  after=$(hwm)
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=""
  echo "$items $(echo "$t1 - $t0" | bc) $before $after"
}

for mb in $((SIZE / 4)) "$SIZE"; do
  write_export "$DIR/buckets/exports/e$mb/data" "$mb" >"$DIR/items-$mb"
  for mode in anon plain; do
    read -r items secs before after < <(run "$mb" "$mode")
    printf '%4d MB export, %-5s import: %7d items in %5.1f s (%6.0f items/s); ddbd peak RSS %3d MB before, %3d MB after\n' \
      "$mb" "$mode" "$items" "$secs" "$(echo "$items / $secs" | bc -l)" "$before" "$after"
  done
  rm -rf "$DIR/buckets/exports/e$mb"
done
