#!/bin/sh
# tests/client/install_test.sh BUILD_DIR SOURCE_DIR: installs libddb into a temporary prefix with
# `cmake --install`, builds every program of examples/ against it through pkg-config with exactly
# the commands of docs/client.md (shared, and one against the static archive), and runs them and
# the installed `ddb` tool against a ddbd started on a free loopback port ($DDBD_BIN).
# The default prefix (/usr/local): always checks that its pkgconfig directory is on pkg-config's
# default path; with DDB_TEST_SYSTEM_INSTALL=1 (as root, on a throwaway machine, and only when no
# libddb is installed there already) also installs there, builds and runs an example with no
# environment variables, and removes every file it installed.
set -eu
build=$1
src=$2
tmp=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "install_test: $*" >&2; exit 1; }

libdir_rel=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:PATH=//p' "$build/CMakeCache.txt")
case ":$(pkg-config --variable pc_path pkg-config):" in
  *":/usr/local/$libdir_rel/pkgconfig:"*) ;;
  *) fail "/usr/local/$libdir_rel/pkgconfig is not on pkg-config's default path" ;;
esac
[ "$libdir_rel" = lib ] || fail "CMAKE_INSTALL_LIBDIR is $libdir_rel; docs/client.md documents P/lib"

# docs/client.md, "Installing into a prefix"
P=$tmp/prefix
cmake --install "$build" --prefix "$P" >/dev/null
export PKG_CONFIG_PATH="$P/lib/pkgconfig"
libdir=$(pkg-config --variable=libdir ddb)
[ -f "$libdir/libddb.a" ] || fail "no static library in $libdir"
[ -f "$P/include/ddb/ddb.h" ] || fail "no header installed"
"$P/bin/ddbd" --version >/dev/null || fail "no server installed in bin/"
echo "pkg-config --cflags --libs ddb: $(pkg-config --cflags --libs ddb)"

# pkg-config's flags alone: its Libs carry the rpath, so the program runs with no LD_LIBRARY_PATH
for ex in create_table put_get_query counter scan_pages; do
  cc -std=c11 -Wall -Wextra -Werror "$src/examples/$ex.c" $(pkg-config --cflags --libs ddb) \
     -o "$tmp/$ex" || fail "building $ex"
done
# ... and without the rpath, found through LD_LIBRARY_PATH
cc -std=c11 "$src/examples/counter.c" $(pkg-config --cflags ddb) -L"$libdir" -lddb -o "$tmp/counter_ldpath" ||
  fail "building"
# the static archive: libddb.a plus its private dependencies, no libddb.so at run time
cc -std=c11 "$src/examples/counter.c" $(pkg-config --cflags ddb) "$libdir/libddb.a" \
   $(pkg-config --static --libs ddb | sed 's/-lddb//') -o "$tmp/counter_static" || fail "static link"
if ldd "$tmp/counter_static" | grep -q libddb; then fail "counter_static loads libddb.so"; fi

ddb="$tmp/prefix/bin/ddb"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
endpoint="http://127.0.0.1:$port"
if "$ddb" --endpoint "$endpoint" health; then fail "health succeeded with no server"; fi
"$DDBD_BIN" --host 127.0.0.1 --port "$port" --in-memory --log-level error &
pid=$!
i=0
until "$ddb" --endpoint "$endpoint" health; do
  i=$((i + 1)); [ $i -lt 300 ] || fail "ddbd did not start"; sleep 0.02
done

export AWS_ENDPOINT_URL_DYNAMODB="$endpoint"
"$tmp/create_table" Music | grep -q "ACTIVE" || fail "create_table"
"$tmp/put_get_query" Music | grep -q "query: Somewhere Down The Road" || fail "put_get_query"
"$tmp/counter" Music | grep -q "limit reached at 3 plays" || fail "counter"
"$tmp/scan_pages" Music | grep -q "page 2:" || fail "scan_pages"
"$tmp/counter_static" Music | grep -q "limit reached at 3 plays" || fail "counter_static"
"$tmp/counter_ldpath" Music 2>/dev/null && fail "counter_ldpath ran without LD_LIBRARY_PATH"
LD_LIBRARY_PATH="$P/lib" "$tmp/counter_ldpath" Music | grep -q "limit reached at 3 plays" || fail "counter_ldpath"

# the command-line tool
# expect STATUS STDOUT STDERR ARGS...: one `ddb ARGS...` run's exact exit status, stdout and stderr
expect() {
  want_rc=$1 want_out=$2 want_err=$3; shift 3
  set +e; "$ddb" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; set -e
  [ "$rc" = "$want_rc" ] && [ "$(cat "$tmp/out")" = "$want_out" ] && [ "$(cat "$tmp/err")" = "$want_err" ] \
    || fail "ddb $*: exit $rc, stdout '$(cat "$tmp/out")', stderr '$(cat "$tmp/err")'"
}
"$ddb" tables | grep -qx Music || fail "ddb tables"
expect 0 "put 1 item into Music" "" put Music '{"Artist":{"S":"cli"},"SongTitle":{"S":"t1"},"n":{"N":"1.50"}}'
"$ddb" get Music '{"Artist":{"S":"cli"},"SongTitle":{"S":"t1"}}' | grep -q '"N":"1.5"' || fail "ddb get"
set +e
"$ddb" get Music '{"Artist":{"S":"cli"},"SongTitle":{"S":"none"}}'
[ $? -eq 3 ] || fail "ddb get of a missing item should exit 3"
"$ddb" get NoSuchTable '{"Artist":{"S":"cli"}}' 2>"$tmp/err"
[ $? -eq 1 ] && grep -q ResourceNotFoundException "$tmp/err" || fail "ddb error exit"
set -e
[ "$("$ddb" query Music 'Artist = :a' --values '{":a":{"S":"No One You Know"}}' | wc -l)" -eq 3 ] || fail "ddb query"
[ "$("$ddb" scan Music --limit 1 | wc -l)" -eq 4 ] || fail "ddb scan"
# search: a table with a EUCLIDEAN vector index (CreateTable through `ddb call`); from (1,0,0)
# a is at 0, d at 2, b at sqrt(5), c at 4
"$ddb" call CreateTable '{"TableName":"Vec","BillingMode":"PAY_PER_REQUEST",
  "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"},{"AttributeName":"cat","AttributeType":"S"}],
  "KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],
  "VectorIndexes":[{"IndexName":"vix","VectorAttribute":{"AttributeName":"emb"},"Dimensions":3,
    "DistanceFunction":"EUCLIDEAN","Projection":{"ProjectionType":"ALL"},
    "SearchSchema":[{"AttributeName":"cat","SearchSchemaElementType":"INLINE_FILTER"}]}]}' >/dev/null \
  || fail "ddb call CreateTable with a vector index"
i=0
until "$ddb" describe Vec | grep -q '"IndexStatus":"ACTIVE"'; do
  i=$((i + 1)); [ $i -lt 300 ] || fail "the vector index did not become ACTIVE"; sleep 0.02
done
for it in 'a x 1,0,0' 'b x 0,2,0' 'c y 1,0,4' 'd y 3,0,0'; do
  set -- $it
  emb=$(echo "$3" | sed 's/\([0-9]\)/{"N":"\1"}/g')
  "$ddb" put Vec >/dev/null "{\"id\":{\"S\":\"$1\"},\"cat\":{\"S\":\"$2\"},\"emb\":{\"L\":[$emb]}}" || fail "ddb put $1"
done
ids() { grep -o '"id":{"S":"[a-z]"}' | cut -c12 | tr -d '\n'; }
[ "$("$ddb" search Vec --index vix --vector '[1, 0, 0]' --top-k 3 | ids)" = adb ] || fail "ddb search"
[ "$("$ddb" search Vec --index vix --vector '[1.0,0,-0.0]' | ids)" = adbc ] || fail "ddb search (default --top-k)"
[ "$("$ddb" search Vec --index vix --vector '[1,0,0]' --top-k 5 --filter '#c = :c' --name '#c=cat' \
      --values '{":c":{"S":"x"}}' --projection id | tr -d '\n')" = '{"id":{"S":"a"}}{"id":{"S":"b"}}' ] \
  || fail "ddb search --filter --name --values --projection"
set +e
"$ddb" search Vec --index vix --vector '[1,0,0]' --top-k 0 2>"$tmp/err"
[ $? -eq 1 ] && grep -q "ValidationException: 1 validation error detected: Value at 'TopK' failed to satisfy constraint" "$tmp/err" \
  || fail "ddb search --top-k 0"
"$ddb" search Vec --index vix --vector '[1,x,0]' 2>/dev/null
[ $? -eq 2 ] || fail "ddb search of a vector that is not numbers should exit 2"
"$ddb" search Vec --vector '[1,0,0]' 2>/dev/null
[ $? -eq 2 ] || fail "ddb search without --index should exit 2"
set -e
"$ddb" describe Music | grep -q '"TableStatus":"ACTIVE"' || fail "ddb describe"
# create-table from the file `aws dynamodb create-table --cli-input-json file://...` takes; it waits for ACTIVE
cat >"$tmp/cli.json" <<'EOF'
{
    "TableName": "CliTable",
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "g", "AttributeType": "S"}],
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
    "GlobalSecondaryIndexes": [{"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"}, "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}}],
    "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
}
EOF
expect 0 "created table CliTable" "" create-table --cli-input-json "file://$tmp/cli.json"
"$ddb" describe CliTable | grep -q '"IndexStatus":"ACTIVE"' || fail "create-table returned before the index was ACTIVE"
expect 1 "" "ddb: CreateTable: ResourceInUseException: Table already exists: CliTable" create-table "$tmp/cli.json"
sed 's/CliTable/CliTable2/' "$tmp/cli.json" >"$tmp/cli2.json"
expect 0 "created table CliTable2" "" create-table "$tmp/cli2.json"
expect 2 "" "ddb: create-table: cannot read '$tmp/none.json': No such file or directory
ddb: see 'ddb help create-table'" create-table --cli-input-json "file://$tmp/none.json"
expect 2 "" "ddb: create-table takes FILE | --cli-input-json file://FILE
ddb: see 'ddb help create-table'" create-table
# update: the expression with its values; the --return attributes, else a confirmation
expect 0 "put 1 item into CliTable" "" put CliTable '{"pk":{"S":"a"},"n":{"N":"1"}}'
expect 0 '{"n":{"N":"3"}}' "" update CliTable '{"pk":{"S":"a"}}' 'SET n = n + :d' --values '{":d":{"N":"2"}}' \
  --return UPDATED_NEW
expect 0 "updated 1 item in CliTable" "" update CliTable '{"pk":{"S":"a"}}' 'SET #g = :g' --name '#g=g' \
  --values '{":g":{"S":"x"}}'
expect 0 '{"pk":{"S":"a"},"n":{"N":"3"},"g":{"S":"x"}}' "" put CliTable '{"pk":{"S":"a"}}' --return ALL_OLD
expect 1 "" "ddb: update: ConditionalCheckFailedException: The conditional request failed" \
  update CliTable '{"pk":{"S":"a"}}' 'SET n = :d' --condition 'attribute_exists(n)' --values '{":d":{"N":"1"}}'
expect 2 "" "ddb: update takes TABLE KEY UPDATE_EXPRESSION
ddb: see 'ddb help update'" update CliTable '{"pk":{"S":"a"}}'
expect 2 "" "ddb: update: the key is not DynamoDB JSON such as '{\"pk\":{\"S\":\"a\"}}'
ddb: see 'ddb help update'" update CliTable 'pk = a' 'SET n = :d'
# query: a key where the expression goes, and the argument errors: one line each and the hint, never the usage
expect 2 "" "ddb: query takes a key-condition expression such as 'pk = :p' with --values '{\":p\":{\"S\":\"a\"}}', not a key
ddb: see 'ddb help query'" query CliTable '{"pk":{"S":"a"}}'
expect 0 '{"pk":{"S":"a"}}' "" query CliTable 'pk = :p' --values '{":p":{"S":"a"}}'
expect 2 "" "ddb: --limit: 'abc' is not a positive integer
ddb: see 'ddb help scan'" scan CliTable --limit abc
expect 2 "" "ddb: --limit: '0' is not a positive integer
ddb: see 'ddb help query'" --limit 0 query CliTable 'pk = :p'
expect 2 "" "ddb: --limit needs a value
ddb: see 'ddb help scan'" scan CliTable --limit
expect 2 "" "ddb: --timeout: '5s' is not a positive integer
ddb: see 'ddb help tables'" --timeout 5s tables
expect 2 "" "ddb: scan does not take --return
ddb: see 'ddb help scan'" scan CliTable --return ALL_OLD
expect 2 "" "ddb: unknown option '--bogus'
ddb: see 'ddb help get'" get CliTable '{"pk":{"S":"a"}}' --bogus
expect 2 "" "ddb: --values: '{:p}' is not a DynamoDB JSON object such as '{\":p\":{\"S\":\"a\"}}'
ddb: see 'ddb help query'" query CliTable 'pk = :p' --values '{:p}'
expect 2 "" "ddb: --name: 'g' is not '#placeholder=attribute'
ddb: see 'ddb help scan'" scan CliTable --name g
expect 2 "" "ddb: unknown command 'frob'
ddb: see 'ddb help'" frob CliTable
expect 2 "" "ddb: no command
ddb: see 'ddb help'"
expect 2 "" "ddb: scan: unexpected argument 'e'
ddb: see 'ddb help scan'" scan a b c d e
"$ddb" help query >"$tmp/out" || fail "ddb help query"
head -1 "$tmp/out" | grep -qx "usage: ddb query TABLE KEY_CONDITION_EXPRESSION --values JSON" || fail "ddb help query: usage"
grep -q "KeyConditionExpression, not a key" "$tmp/out" || fail "ddb help query: what the expression is"
grep -qF "ddb query Music 'Artist = :a' --values '{\":a\":{\"S\":\"Acme\"}}'" "$tmp/out" || fail "ddb help query: example"
"$ddb" --help | grep -qF "query TABLE KEY_CONDITION_EXPRESSION --values JSON" || fail "ddb --help: query"
expect 2 "" "ddb: unknown command 'frob'
ddb: see 'ddb help'" help frob
if [ "${DDB_TEST_SYSTEM_INSTALL:-}" = 1 ] && [ "$(id -u)" = 0 ]; then
  sh "$src/tests/client/install_system_test.sh" "$build" "$src" "$tmp" || fail "default-prefix install"
elif [ "${DDB_TEST_SYSTEM_INSTALL:-}" = 1 ]; then
  echo "install_test: the default-prefix install needs root: skipped"
fi
echo "install_test: ok"
