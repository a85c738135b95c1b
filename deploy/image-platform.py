#!/usr/bin/env python3
"""deploy/image-platform.py: relabels an image's platform, `docker save` in, `docker load` out.

    docker save ddbd:arm64 | deploy/image-platform.py linux/arm64 | docker load

Docker's classic builder labels every image it builds with the build machine's platform, also one
whose files were cross-built for another (deploy/Dockerfile with ARCH=arm64), and the multi-arch
manifest and `docker run` go by that label. This sets the image config's "os", "architecture" and
"variant" (arm64's is v8) and nothing else: the layers are the same bytes, the config is renamed
by its new digest, which is the image's new ID, and the tags in manifest.json go with it.
"""
import hashlib
import io
import json
import sys
import tarfile

VARIANTS = {"arm64": "v8"}  # as `docker manifest inspect` shows Docker's own arm64 images


def main():
    if len(sys.argv) != 2 or sys.argv[1].count("/") != 1:
        sys.exit("usage: docker save IMAGE | image-platform.py OS/ARCH | docker load")
    os_name, arch = sys.argv[1].split("/")
    src = tarfile.open(fileobj=sys.stdin.buffer, mode="r|")
    members = [(m, src.extractfile(m).read() if m.isfile() else None) for m in src]
    files = {m.name: data for m, data in members}
    manifest = json.loads(files["manifest.json"])
    if len(manifest) != 1:
        sys.exit("image-platform: give one image (docker save saved %d)" % len(manifest))
    config = json.loads(files[manifest[0]["Config"]])
    config["os"], config["architecture"] = os_name, arch
    config.pop("variant", None)
    if arch in VARIANTS:
        config["variant"] = VARIANTS[arch]
    blob = json.dumps(config, separators=(",", ":")).encode()
    old_name = manifest[0]["Config"]
    manifest[0]["Config"] = hashlib.sha256(blob).hexdigest() + ".json"
    replaced = {old_name: (manifest[0]["Config"], blob),
                "manifest.json": ("manifest.json", json.dumps(manifest).encode())}

    out = tarfile.open(fileobj=sys.stdout.buffer, mode="w|")
    for m, data in members:
        if m.name in replaced:
            m.name, data = replaced[m.name]
            m.size = len(data)
        out.addfile(m, io.BytesIO(data) if data is not None else None)
    out.close()


if __name__ == "__main__":
    main()
