#!/bin/sh
# integrations/go/run.sh BUILD_DIR: `go test` of the ddbdtest package against $DDBD_BIN, offline,
# with Debian's AWS SDK for Go v2 (golang-github-aws-aws-sdk-go-v2-dev), as tests/go/run.sh builds.
set -eu
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: run.sh BUILD_DIR}/go-integration"
mkdir -p "$out/gopath" "$out/cache"
cd "$here" && GO111MODULE=off GOFLAGS= GOPATH="$out/gopath:/usr/share/gocode" GOCACHE="$out/cache" \
  exec go test -count=1 -v ./ddbdtest
