#!/usr/bin/env bash
# deploy/image-rootfs.sh: lays out the file tree of ddbd's FROM-scratch image (deploy/Dockerfile).
#
#   deploy/image-rootfs.sh BINARY DEST
#
# DEST gets: /ddbd (BINARY, stripped), exactly the shared objects it needs (its DT_NEEDED entries
# and theirs, found where the loader looks) at the paths the loader searches, the loader itself,
# /etc/passwd and /etc/group naming the user ddbd (uid and gid 1000), /data and
# /home/dynamodblocal owned by it, and /tmp. Nothing else: no shell, no libc tools. Run as root
# (it sets owners). BINARY may be of another architecture (a cross build, deploy/ddbd.sh
# image-arm64): everything is read from its ELF headers, nothing is run.
set -euo pipefail
bin="$1"; dest="$2"
UID_GID=1000

[ -x "$bin" ] || { echo "image-rootfs: $bin is not an executable" >&2; exit 1; }
rm -rf "$dest"
mkdir -p "$dest/etc" "$dest/data" "$dest/home/dynamodblocal/data" "$dest/tmp"

# The binary's Debian multiarch triplet, from its ELF header: its libraries are in /lib/TRIPLET
# (and /usr/lib/TRIPLET), and a cross build's strip is TRIPLET-strip.
machine="$(readelf -h "$bin" | sed -n 's/^ *Machine: *//p')"
case "$machine" in
  *X86-64*) triplet=x86_64-linux-gnu ;;
  AArch64) triplet=aarch64-linux-gnu ;;
  *) echo "image-rootfs: $bin is for $machine, which this script does not know" >&2; exit 1 ;;
esac
strip=strip
[ "$triplet" = "$(gcc -dumpmachine 2>/dev/null || true)" ] || strip="$triplet-strip"
"$strip" --strip-all -o "$dest/ddbd" "$bin"

# The loader (PT_INTERP: /lib64/ld-linux-x86-64.so.2, /lib/ld-linux-aarch64.so.1), then every
# DT_NEEDED name, breadth first, each copied (the file, not a symlink) to /lib/TRIPLET/NAME, where
# the loader looks by default (the image has no ld.so.cache). libc's own NEEDED entry for the
# loader is the loader, already there.
interp="$(readelf -l "$bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')"
[ -n "$interp" ] || { echo "image-rootfs: $bin has no program interpreter (not dynamically linked?)" >&2; exit 1; }
mkdir -p "$dest$(dirname "$interp")" "$dest/lib/$triplet"
cp -L "$interp" "$dest$interp"
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p'; }
queue=("$bin") seen=" $(basename "$interp") "
while [ "${#queue[@]}" -gt 0 ]; do
  obj="${queue[0]}"; queue=("${queue[@]:1}")
  for name in $(needed "$obj"); do
    case "$seen" in *" $name "*) continue ;; esac
    seen="$seen$name "
    found=""
    for dir in "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib; do
      if [ -e "$dir/$name" ]; then found="$dir/$name"; break; fi
    done
    [ -n "$found" ] || { echo "image-rootfs: $name (needed by $obj) is not installed for $triplet" >&2; exit 1; }
    cp -L "$found" "$dest/lib/$triplet/$name"
    queue+=("$found")
  done
done

# a non-root user; the home directory is DynamoDB Local's working directory, so compose files
# written for its image (-dbPath ./data with a volume at /home/dynamodblocal/data) work unchanged
echo "ddbd:x:$UID_GID:$UID_GID:ddbd:/home/dynamodblocal:/sbin/nologin" >"$dest/etc/passwd"
echo "ddbd:x:$UID_GID:" >"$dest/etc/group"
chown "$UID_GID:$UID_GID" "$dest/data" "$dest/home/dynamodblocal" "$dest/home/dynamodblocal/data"
chmod 0755 "$dest/data" "$dest/home/dynamodblocal" "$dest/home/dynamodblocal/data"
chmod 1777 "$dest/tmp"
du -sb "$dest" | awk '{ printf "image-rootfs: %s bytes in %s\n", $1, $2 }'
