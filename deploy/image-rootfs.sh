#!/usr/bin/env bash
# deploy/image-rootfs.sh: lays out the file tree of ddbd's FROM-scratch image (deploy/Dockerfile).
#
#   deploy/image-rootfs.sh BINARY DEST
#
# DEST gets: /ddbd (BINARY, stripped), exactly the shared objects it links (as ldd lists them)
# at the paths the loader searches, the loader itself, /etc/passwd and /etc/group naming the
# user ddbd (uid and gid 1000), /data and /home/dynamodblocal owned by it, and /tmp.
# Nothing else: no shell, no libc tools. Run as root (it sets owners).
set -euo pipefail
bin="$1"; dest="$2"
UID_GID=1000

[ -x "$bin" ] || { echo "image-rootfs: $bin is not an executable" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/etc" "$dest/data" "$dest/home/dynamodblocal/data" "$dest/tmp"
strip --strip-all -o "$dest/ddbd" "$bin"

# "libssl.so.3 => /lib/x86_64-linux-gnu/libssl.so.3 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)":
# each copied (the file, not the symlink) to the same path, which the loader searches by default
# (there is no ld.so.cache in the image)
ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u | while read -r lib; do
  mkdir -p "$dest$(dirname "$lib")"
  cp -L "$lib" "$dest$lib"
done
if ldd "$bin" | grep -q "not found"; then
  echo "image-rootfs: a shared object of $bin is missing:" >&2
  ldd "$bin" | grep "not found" >&2
  exit 1
fi

# a non-root user; the home directory is DynamoDB Local's working directory, so compose files
# written for its image (-dbPath ./data with a volume at /home/dynamodblocal/data) work unchanged
echo "ddbd:x:$UID_GID:$UID_GID:ddbd:/home/dynamodblocal:/sbin/nologin" >"$dest/etc/passwd"
echo "ddbd:x:$UID_GID:" >"$dest/etc/group"
chown "$UID_GID:$UID_GID" "$dest/data" "$dest/home/dynamodblocal" "$dest/home/dynamodblocal/data"
chmod 0755 "$dest/data" "$dest/home/dynamodblocal" "$dest/home/dynamodblocal/data"
chmod 1777 "$dest/tmp"
du -sb "$dest" | awk '{ printf "image-rootfs: %s bytes in %s\n", $1, $2 }'
