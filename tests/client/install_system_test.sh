#!/bin/sh
# tests/client/install_system_test.sh BUILD_DIR SOURCE_DIR TMP: the default-prefix case of
# docs/client.md, run by install_test.sh when DDB_TEST_SYSTEM_INSTALL=1 with AWS_ENDPOINT_URL_DYNAMODB
# set: `cmake --install` to /usr/local, then an example built and run with no PKG_CONFIG_PATH and
# no LD_LIBRARY_PATH. Refuses to run over an existing libddb; removes every file it installed.
set -eu
build=$1
src=$2
tmp=$3
fail() { echo "install_system_test: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root"
for f in /usr/local/lib/libddb.so.0 /usr/local/lib/pkgconfig/ddb.pc /usr/local/include/ddb/ddb.h; do
  [ ! -e "$f" ] || fail "$f exists: not replacing an installed libddb"
done
uninstall() {
  xargs rm -f <"$build/install_manifest.txt"
  rmdir /usr/local/include/ddb 2>/dev/null || true
  ldconfig
}
trap uninstall EXIT
cmake --install "$build" >/dev/null
unset PKG_CONFIG_PATH LD_LIBRARY_PATH
cc -std=c11 "$src/examples/counter.c" $(pkg-config --cflags --libs ddb) -o "$tmp/counter_system" \
  || fail "building against /usr/local"
"$tmp/counter_system" Music | grep -q "limit reached at 3 plays" || fail "running counter_system"
echo "install_system_test: ok"
