#!/usr/bin/env bash
# deploy/docker-base.sh: makes the image that deploy/Dockerfile's build stage starts from, out of
# Debian's packages alone, so that building ddbd's image needs no container registry:
# `debootstrap --variant=minbase bookworm` into a temporary directory, then `docker import`.
#
#   deploy/docker-base.sh [TAG]    default ddbd-build-base:bookworm; does nothing when the image
#                                  exists already (FORCE=1 makes it anew)
#
# Needs root (debootstrap), debootstrap and a running Docker engine. The packages come from the
# mirror this machine's apt uses (DEBIAN_MIRROR=URL overrides), and the image gets this machine's
# apt sources, so apt-get in the build stage reaches what apt-get reaches here.
set -euo pipefail
TAG="${1:-ddbd-build-base:bookworm}"
SUITE=bookworm

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
  echo "docker-base: $TAG exists (FORCE=1 to make it anew)"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "docker-base: debootstrap needs root" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "docker-base: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }

# The first mirror of this machine's apt sources (deb822 or one-line format).
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
  mirror="$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null |
            grep -v security | head -n 1 || true)"
fi
if [ -z "$mirror" ]; then
  mirror="$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' \
            /etc/apt/sources.list 2>/dev/null || true)"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "docker-base: debootstrap $SUITE${mirror:+ from $mirror} (about a minute)"
debootstrap --variant=minbase "$SUITE" "$work/rootfs" ${mirror:+"$mirror"} >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  exit 1
}
# this machine's apt sources (its mirror and the security archive), in place of debootstrap's one line
if compgen -G "/etc/apt/sources.list.d/*.sources" >/dev/null; then
  cp /etc/apt/sources.list.d/*.sources "$work/rootfs/etc/apt/sources.list.d/"
  : >"$work/rootfs/etc/apt/sources.list"
elif [ -s /etc/apt/sources.list ]; then
  cp /etc/apt/sources.list "$work/rootfs/etc/apt/sources.list"
fi
# downloaded packages are not part of the base
rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
tar -C "$work/rootfs" --numeric-owner -c . |
  docker import --change 'ENV DEBIAN_FRONTEND=noninteractive' --change 'CMD ["/bin/bash"]' - "$TAG" >/dev/null
echo "docker-base: made $TAG ($(docker image inspect -f '{{.Size}}' "$TAG") bytes)"
