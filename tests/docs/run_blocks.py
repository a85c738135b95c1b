#!/usr/bin/env python3
"""tests/docs/run_blocks.py SOURCE_DIR BUILD_DIR [FILE.md ...]: the docs, verbatim (ctest docs.blocks).

Runs every command block of README.md and docs/*.md, as a reader would type it, in a fresh copy of
the tree (the files git knows, as a clone has them), and fails when one fails. The convention
(docs/testing.md, "The docs' command blocks"):

  - every fence names its language; ```sh is a command block, run; anything else (text, console
    for a transcript with its output, json, python, ...) is not;
  - `<!-- not-run: REASON -->` on the line before a ```sh fence skips it, the reason saying why
    (a registry push, a pull from the internet, a Ceph cluster, ...) and, where there is one,
    which test runs it instead;
  - `<!-- run-with: COMMAND -->` before a ```sh fence starts COMMAND (say `ddbd --in-memory`) in
    the background first and runs the block once 127.0.0.1 answers on COMMAND's --port (8000 by
    default), as the text before such a block has the reader start a server.

How each block runs: `bash -e -o pipefail` in the copy's root, with a HOME of its own and no AWS_*
variable (a machine with no AWS configuration), `ddbd` and `ddb` on PATH (the build tree's: the
binaries `cmake --install` puts in bin/, not built again), and the variables the file's earlier
blocks exported (one terminal, followed from the top). Each block has a network namespace of its
own with only a loopback, so the docs' port 8000 is free whatever else runs, nothing reaches the
internet, and whatever a block started in the background is stopped after it (its process group).
Exit 77 (skipped) when no namespace can be made and 127.0.0.1:8000 is taken.
"""
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^(\s*)(`{3,})(.*)$")
MARK = re.compile(r"^\s*<!--\s*(not-run|run-with):(.*?)-->\s*$")
BLOCK_SECONDS = 180
KEPT_VARS = ("PATH", "LANG", "TERM", "TMPDIR")


class Block:
    def __init__(self, path, line, info, text, mark):
        self.path, self.line, self.info, self.text, self.mark = path, line, info, text, mark

    def where(self):
        return "%s:%d" % (self.path, self.line)


def parse(root, rel):
    """The fenced blocks of one file, and the convention's violations in it."""
    blocks, errors = [], []
    lines = open(os.path.join(root, rel), encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, ticks, info = m.group(1), m.group(2), m.group(3).strip()
        start, body = i + 1, []
        i += 1
        while i < len(lines) and lines[i].strip() != ticks:
            body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
            i += 1
        i += 1
        prev = start - 2
        while prev >= 0 and not lines[prev].strip():
            prev -= 1
        mk = MARK.match(lines[prev]) if prev >= 0 else None
        mark = (mk.group(1), mk.group(2).strip()) if mk else None
        b = Block(rel, start, info, "\n".join(body), mark)
        if not info:
            errors.append("%s: a fence without a language (sh for commands to run, text, console, ...)" % b.where())
        elif mark and info.split()[0] != "sh":
            errors.append("%s: <!-- %s --> before a %s block (only sh blocks run)" % (b.where(), mark[0], info))
        elif mark and not mark[1]:
            errors.append("%s: <!-- %s: --> says nothing (a reason, or the command)" % (b.where(), mark[0]))
        blocks.append(b)
    return blocks, errors


def fresh_copy(src, dest):
    """The tracked and untracked files git knows (no build directory, no node_modules)."""
    out = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=src,
                         check=True, capture_output=True).stdout.decode()
    for rel in filter(None, out.split("\0")):
        if "node_modules/" in rel + "/" or not os.path.lexists(os.path.join(src, rel)):
            continue
        os.makedirs(os.path.join(dest, os.path.dirname(rel)), exist_ok=True)
        shutil.copy2(os.path.join(src, rel), os.path.join(dest, rel), follow_symlinks=False)


def namespace():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "consistency"))
    from netns import Namespace, Unavailable
    try:
        return Namespace()
    except Unavailable:
        return None


def port_taken(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def answers(ns, port):
    """GET / on 127.0.0.1:port answered 200 (inside the namespace when there is one)."""
    s = ns.socket() if ns else socket.socket()
    try:
        s.settimeout(1)
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET / HTTP/1.0\r\n\r\n")
        return s.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False
    finally:
        s.close()


def group_alive(pgid):
    """Whether a process of group pgid still runs (zombies left to an init that does not reap
    them, as in a container, do not count)."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open("/proc/%s/stat" % pid).read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            return True
    return False


def stop_group(proc):
    """Stops what a block or its server left running: its whole process group."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        deadline = time.monotonic() + 5
        while group_alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if not group_alive(proc.pid):
            break
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def read_env(path, env):
    try:
        data = open(path, "rb").read().decode()
    except FileNotFoundError:
        return env
    out = {}
    for kv in filter(None, data.split("\0")):
        k, _, v = kv.partition("=")
        if k not in ("PWD", "OLDPWD", "SHLVL", "_"):
            out[k] = v
    return out


def run_block(b, copy, env, work):
    """Runs one block; returns (ok, output, the environment it left)."""
    ns = namespace()
    prefix = ns.prefix if ns else []
    log = os.path.join(work, "out.txt")
    envfile = os.path.join(work, "env")
    if os.path.exists(envfile):
        os.unlink(envfile)
    server = None
    try:
        with open(log, "wb") as out:
            if b.mark and b.mark[0] == "run-with":
                cmd = b.mark[1]
                m = re.search(r"-{1,2}port[ =](\d+)", cmd)
                port = int(m.group(1)) if m else 8000
                server = subprocess.Popen(prefix + ["bash", "-c", "exec " + cmd], cwd=copy, env=env,
                                          stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
                deadline = time.monotonic() + 20
                while not answers(ns, port):
                    if server.poll() is not None or time.monotonic() > deadline:
                        out.write(b"\n[run-with: %s did not answer on port %d]\n" % (cmd.encode(), port))
                        out.flush()
                        return False, open(log, errors="replace").read(), env
                    time.sleep(0.02)
            script = "trap 'env -0 > %s' EXIT\n%s\n" % (envfile, b.text)
            proc = subprocess.Popen(prefix + ["bash", "-e", "-o", "pipefail", "-c", script], cwd=copy, env=env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
            try:
                rc = proc.wait(timeout=BLOCK_SECONDS)
            except subprocess.TimeoutExpired:
                rc = "timed out after %d s" % BLOCK_SECONDS
            stop_group(proc)
            if server:
                stop_group(server)
        return rc == 0, open(log, errors="replace").read() + ("\n[exit: %s]" % rc if rc else ""), read_env(envfile, env)
    finally:
        if server and server.poll() is None:
            stop_group(server)
        if ns:
            ns.close()


def main():
    src, build = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    files = sys.argv[3:] or ["README.md"] + sorted("docs/" + f for f in os.listdir(os.path.join(src, "docs"))
                                                    if f.endswith(".md"))
    blocks, errors = [], []
    for rel in files:
        bs, es = parse(src, rel)
        blocks += bs
        errors += es
    if errors:
        print("\n".join(errors))
        return 1
    probe = namespace()
    if probe:
        probe.close()
    elif port_taken(8000) or port_taken(8001):
        print("skipped: no network namespace here, and 127.0.0.1:8000 or 8001 is taken")
        return 77
    work = tempfile.mkdtemp(prefix="ddbd-docs-")
    copy, home, bindir = (os.path.join(work, d) for d in ("tree", "home", "bin"))
    try:
        fresh_copy(src, copy)
        for d in (home, bindir):
            os.makedirs(d)
        for name in ("ddbd", "ddb"):
            os.symlink(os.path.join(build, name), os.path.join(bindir, name))
        base = {k: os.environ[k] for k in KEPT_VARS if k in os.environ}
        base.update(HOME=home, PATH=bindir + ":" + base.get("PATH", "/usr/bin:/bin"), LANG="C.UTF-8")
        failed, ran, skipped = [], 0, []
        env, current = dict(base), None
        for b in blocks:
            if b.info.split()[0] != "sh":
                continue
            if b.mark and b.mark[0] == "not-run":
                skipped.append("%s (%s)" % (b.where(), b.mark[1]))
                continue
            if b.path != current:  # each file from a fresh terminal
                env, current = dict(base), b.path
            t0 = time.monotonic()
            ok, output, env = run_block(b, copy, env, work)
            ran += 1
            print("%s %s (%.1f s)" % ("ok  " if ok else "FAIL", b.where(), time.monotonic() - t0), flush=True)
            if not ok:
                failed.append(b)
                print("  the block:\n" + "\n".join("    " + ln for ln in b.text.split("\n")))
                print("  its output:\n" + "\n".join("    " + ln for ln in output.rstrip().split("\n")[-40:]))
        print("%d blocks run, %d failed; %d not run:" % (ran, len(failed), len(skipped)))
        for s in skipped:
            print("  " + s)
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
