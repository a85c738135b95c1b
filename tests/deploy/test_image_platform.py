"""deploy/image-platform.py, without Docker: a `docker save` archive made here (a manifest, a
config, one layer) goes through it, and what comes out is what `docker load` would take as the
same image labelled linux/arm64/v8 (ctest deploy.image_platform, in CI; the real images are
relabelled by deploy/ddbd.sh image-arm64, tested by tests/docker/arm64.sh)."""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "deploy", "image-platform.py")
LAYER = b"layer bytes \x00\xff" * 100
CONFIG = {"architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["/ddbd"]},
          "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(LAYER).hexdigest()]}}


def saved(config):
    """A `docker save` archive of one image tagged ddbd:x."""
    blob = json.dumps(config).encode()
    name = hashlib.sha256(blob).hexdigest() + ".json"
    files = [("abc/layer.tar", LAYER), (name, blob),
             ("manifest.json", json.dumps([{"Config": name, "RepoTags": ["ddbd:x"], "Layers": ["abc/layer.tar"]}]).encode()),
             ("repositories", b'{"ddbd":{"x":"abc"}}')]
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as t:
        dir_info = tarfile.TarInfo("abc")
        dir_info.type = tarfile.DIRTYPE
        t.addfile(dir_info)
        for n, data in files:
            info = tarfile.TarInfo(n)
            info.size = len(data)
            t.addfile(info, io.BytesIO(data))
    return out.getvalue()


def relabel(archive, platform):
    return subprocess.run([sys.executable, SCRIPT, platform], input=archive, capture_output=True, timeout=30)


def members(archive):
    with tarfile.open(fileobj=io.BytesIO(archive)) as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()}


def test_relabels_the_config_and_renames_it_by_its_digest():
    out = relabel(saved(CONFIG), "linux/arm64")
    assert out.returncode == 0, out.stderr
    files = members(out.stdout)
    manifest = json.loads(files["manifest.json"])
    assert manifest[0]["RepoTags"] == ["ddbd:x"] and manifest[0]["Layers"] == ["abc/layer.tar"]
    blob = files[manifest[0]["Config"]]
    assert manifest[0]["Config"] == hashlib.sha256(blob).hexdigest() + ".json"  # the image's new ID
    config = json.loads(blob)
    assert (config["os"], config["architecture"], config["variant"]) == ("linux", "arm64", "v8")
    assert {k: v for k, v in config.items() if k not in ("architecture", "variant")} == \
        {k: v for k, v in CONFIG.items() if k != "architecture"}
    # the layer is the same bytes, and the old config is gone
    assert files["abc/layer.tar"] == LAYER and "abc" in files
    assert sorted(n for n in files if n.endswith(".json") and n != "manifest.json") == [manifest[0]["Config"]]


def test_back_to_amd64_drops_the_variant():
    arm = members(relabel(saved(CONFIG), "linux/arm64").stdout)
    back = relabel(saved(json.loads(arm[json.loads(arm["manifest.json"])[0]["Config"]])), "linux/amd64")
    files = members(back.stdout)
    config = json.loads(files[json.loads(files["manifest.json"])[0]["Config"]])
    assert config["architecture"] == "amd64" and "variant" not in config
    assert config == CONFIG  # nothing else of the config changed on the way


def test_refuses_a_platform_without_os():
    out = relabel(saved(CONFIG), "arm64")
    assert out.returncode != 0 and b"usage" in out.stderr
