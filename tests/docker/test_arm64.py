"""The arm64 image (deploy/ddbd.sh image-arm64) and the multi-arch manifest (deploy/ddbd.sh
image-multiarch): run by tests/docker/arm64.sh after it built $DDBD_IMAGE_ARM64, on an amd64
machine whose kernel runs arm64 binaries through qemu-user-static (deploy/ddbd.sh deps-emulation).
Containers and registry images carry the label or name of this run; arm64.sh removes them."""
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import pytest

from test_image import (LIBRARIES, MAX_IMAGE_BYTES, Container, answers, check_configuration, check_files,
                        compressed_size, docker, free_port, image_files)

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "compat"))
from conftest import create_table_params, make_client  # noqa: E402

IMAGE = os.environ.get("DDBD_IMAGE_ARM64", "ddbd:test-arm64")
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# compressed as `docker push` sends the layers: 7.22 MB on 2026-11-24 (less than amd64's 7.93: its
# libm has no per-CPU variants and its binary is smaller), + 10 %
MAX_COMPRESSED_BYTES = 7.94 * 1000 * 1000
EM_AARCH64 = 183  # the ELF header's e_machine for arm64
NATIVE = {"x86_64": "amd64", "aarch64": "arm64"}[platform.machine()]
OTHER = "arm64" if NATIVE == "amd64" else "amd64"


def test_platform_and_configuration():
    info = check_configuration(IMAGE)
    assert (info["Os"], info["Architecture"], info.get("Variant")) == ("linux", "arm64", "v8")


def test_files_are_arm64_and_only_what_it_links():
    members = image_files(IMAGE)
    check_files(members, "lib/ld-linux-aarch64.so.1", "aarch64-linux-gnu")
    for name in ["ddbd"] + ["lib/aarch64-linux-gnu/" + lib for lib in LIBRARIES]:
        elf = members[name][1]
        assert elf[:4] == b"\x7fELF" and int.from_bytes(elf[18:20], "little") == EM_AARCH64, name


def test_compressed_size():
    total = compressed_size(IMAGE)
    assert total <= MAX_COMPRESSED_BYTES, "arm64 image is %d bytes compressed" % total
    assert json.loads(docker("image", "inspect", IMAGE).stdout)[0]["Size"] <= MAX_IMAGE_BYTES


def test_smoke_under_emulation():
    # the image as Docker runs it on an arm64 machine, here through qemu: start, one table, one
    # item written and read back, SIGTERM
    c = Container(["-inMemory"], docker_args=["--platform", "linux/arm64"], image=IMAGE)
    try:
        c.wait_answering(timeout=60)
        if NATIVE != "arm64":  # the container's process is the arm64 binary run by qemu (binfmt_misc's)
            assert "qemu-aarch64" in os.readlink("/proc/%d/exe" % c.state()["Pid"])
        ddb = make_client(c.endpoint)
        ddb.create_table(**create_table_params("arm64_smoke", ("pk", "S")))
        item = {"pk": {"S": "a"}, "n": {"N": "12.50"}, "b": {"B": b"\x00\xff"}}
        ddb.put_item(TableName="arm64_smoke", Item=item)
        got = ddb.get_item(TableName="arm64_smoke", Key={"pk": {"S": "a"}}, ConsistentRead=True)["Item"]
        assert got == {"pk": {"S": "a"}, "n": {"N": "12.5"}, "b": {"B": b"\x00\xff"}}
        code, _ = c.stop()
        assert code == 0 and "stopped" in c.logs(), c.logs()
    finally:
        c.remove()


@pytest.fixture
def registry():
    """Debian's registry (docker-registry) on a loopback port, its storage in a temporary directory."""
    binary = shutil.which("docker-registry")
    assert binary, "docker-registry is not installed (deploy/ddbd.sh deps-emulation)"
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        config = os.path.join(tmp, "config.yml")
        with open(config, "w") as f:
            f.write("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n"
                    "http:\n  addr: 127.0.0.1:%d\n" % (os.path.join(tmp, "data"), port))
        proc = subprocess.Popen([binary, "serve", config], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 15
            while True:
                try:
                    urllib.request.urlopen("http://127.0.0.1:%d/v2/" % port, timeout=1)
                    break
                except OSError:
                    assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                    time.sleep(0.1)
            yield "127.0.0.1:%d" % port
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def test_multiarch_manifest_pulls_each_platform(registry):
    ref = registry + "/ddbd:test"
    out = subprocess.run([os.path.join(ROOT, "deploy", "ddbd.sh"), "image-multiarch", ref], capture_output=True,
                         text=True, timeout=3600)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    listed = json.loads(docker("manifest", "inspect", "--insecure", ref).stdout)
    assert listed["mediaType"] == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert sorted((m["platform"]["os"], m["platform"]["architecture"], m["platform"].get("variant", ""))
                  for m in listed["manifests"]) == [("linux", "amd64", ""), ("linux", "arm64", "v8")]
    local = [ref, ref + "-amd64", ref + "-arm64"]
    try:
        # nothing of it left here: each pull takes its platform's image from the registry
        docker("rmi", *local, check=False)
        docker("pull", ref)
        assert docker("image", "inspect", "-f", "{{.Architecture}}", ref).stdout.strip() == NATIVE
        assert docker("run", "--rm", ref, "--version").stdout.startswith("ddbd ")
        docker("rmi", ref)
        docker("pull", "--platform", "linux/" + OTHER, ref)
        assert docker("image", "inspect", "-f", "{{.Architecture}}", ref).stdout.strip() == OTHER
        port = free_port()
        c = Container(["-inMemory"], docker_args=["--platform", "linux/" + OTHER], image=ref, port=port)
        try:
            c.wait_answering(timeout=60)
            assert answers(port)
            assert make_client(c.endpoint).list_tables()["TableNames"] == []
        finally:
            c.remove()
    finally:
        docker("rmi", *local, check=False)
