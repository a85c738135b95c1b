#!/bin/sh
# tests/go/run.sh BUILD_DIR: builds tests/go/sdkv2 offline with Debian's AWS SDK for Go v2
# (golang-go, golang-github-aws-aws-sdk-go-v2-dev) and runs it against $DDBD_BIN.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: run.sh BUILD_DIR}/go"
mkdir -p "$out/gopath" "$out/cache"
# GOPATH's first entry is a private, writable one; the SDK comes from /usr/share/gocode
(cd "$here" && GO111MODULE=off GOFLAGS= GOPATH="$out/gopath:/usr/share/gocode" GOCACHE="$out/cache" \
   go build -o "$out/sdkv2" ./sdkv2)
exec "$out/sdkv2"
