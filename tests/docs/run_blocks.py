#!/usr/bin/env python3
"""tests/docs/run_blocks.py SOURCE_DIR BUILD_DIR [FILE.md ...]: the docs, verbatim (ctest docs.blocks).

Runs every code block of README.md and docs/*.md, in every language, as a reader would type or
paste it, in a fresh copy of the tree (the files git knows, as a clone has them), and fails when
one fails. The convention (docs/testing.md, "The docs' code blocks"):

  - every fence names its language. A code block (sh, console, python, js, go, c, java, ...) is
    run unless marked; a data block (text, json, yaml, ini, markdown, ...) is not. A fence without
    a language, or in one this script does not know, fails the test;
  - `<!-- not-run: REASON -->` on the line before a fence: not meant to run here (a fragment, an
    output sample, a registry push, a Ceph cluster, ...), the reason saying why and, where there
    is one, which test runs those calls instead;
  - `<!-- run-with: COMMAND -->` before a fence starts COMMAND (say `ddbd --in-memory`) in the
    background first and runs the block once 127.0.0.1 answers on COMMAND's --port (8000 by
    default): the server that the text before the block has the reader start;
  - `<!-- run-by: TEST_FILE -->` before a fence: TEST_FILE (a path from the root; it must name the
    page) runs the block as printed, with what this script does not have (a pytest or vitest
    project of several blocks and a fixture, a Go test package).

How each block runs: sh as `bash -e -o pipefail`; console, the commands after its `$ ` prompts;
python with this script's interpreter (boto3); js as an ES module under node, the packages of
tests/js, tests/tools and integrations/node (the JavaScript SDK v3, ...) installed beside the tree;
go as a `package main`, built offline in GOPATH mode against Debian's SDK as integrations.go
builds; c compiled against this build's libddb and run. Each in the copy's root, with a HOME of
its own and no AWS_* variable (a machine with no AWS configuration), `ddbd` and `ddb` on PATH (the
build tree's: the binaries `cmake --install` puts in bin/, not built again), and the variables the
file's earlier sh blocks exported (one terminal, followed from the top). Each block has a network
namespace of its own with only a loopback, so the docs' port 8000 is free whatever else runs,
nothing reaches the internet, and whatever a block started in the background is stopped after it
(its process group). Exit 77 (skipped) when no namespace can be made and 127.0.0.1:8000 is taken.
A block whose toolchain is missing here (node, go and Debian's SDK, cc and libddb) is listed as
skipped. DOCS_BLOCKS_VERBOSE=1 prints the output of the blocks that pass too.
"""
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

FENCE = re.compile(r"^(\s*)(`{3,})(.*)$")
MARK = re.compile(r"^\s*<!--\s*(not-run|run-with|run-by):(.*?)-->\s*$")
BLOCK_SECONDS = 180
KEPT_VARS = ("PATH", "LANG", "TERM", "TMPDIR")
# The languages. A code block's is run (RUNNERS: the language's way to run it) unless marked; a data
# block's never is. A language in neither fails the test, so no block slips by under a new name.
RUNNERS = {"sh": "sh", "bash": "sh", "shell": "sh", "console": "console", "python": "python", "py": "python",
           "js": "js", "javascript": "js", "mjs": "js", "go": "go", "c": "c"}
NO_RUNNER = ("java", "kotlin", "ts", "typescript", "rust", "dockerfile", "hcl")  # code, always marked
DATA = ("text", "json", "jsonl", "yaml", "yml", "ini", "toml", "markdown", "md", "csv", "diff", "xml", "http",
        "properties", "proto", "sql")
JS_MODULES = ("tests/js", "tests/tools", "integrations/node")  # their node_modules; the first one wins
GO_SDK = "/usr/share/gocode"  # Debian's golang-github-aws-aws-sdk-go-v2-dev (GOPATH mode, offline)


class Block:
    def __init__(self, path, line, info, text, mark):
        self.path, self.line, self.info, self.text, self.mark = path, line, info, text, mark
        self.lang = info.split()[0].lower() if info else ""
        self.kind = RUNNERS.get(self.lang)

    def where(self):
        return "%s:%d" % (self.path, self.line)

    def runs(self):
        return self.kind is not None and not (self.mark and self.mark[0] in ("not-run", "run-by"))


def check(root, b):
    """What block b does against the convention, or None."""
    if not b.info:
        return "a fence without a language (sh for commands to run, python, js, text, json, ...)"
    if b.kind is None and b.lang not in NO_RUNNER + DATA:
        return "a %s block: a language tests/docs/run_blocks.py does not know (RUNNERS, NO_RUNNER, DATA)" % b.lang
    if not b.mark:
        if b.lang in NO_RUNNER:
            return "a %s block, which nothing here runs: <!-- not-run: REASON --> or <!-- run-by: TEST -->" % b.lang
        return None
    what, arg = b.mark
    if not arg:
        return "<!-- %s: --> says nothing (a reason, a command or a test file)" % what
    if what == "run-with" and b.kind is None:
        return "<!-- run-with --> before a %s block, which is not run" % b.lang
    if what == "run-by":
        test = os.path.join(root, arg)
        if not os.path.isfile(test):
            return "<!-- run-by: %s -->: no such file" % arg
        if b.path not in open(test, encoding="utf-8", errors="replace").read():
            return "<!-- run-by: %s -->: that file does not name %s" % (arg, b.path)
    return None


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
        err = check(root, b)
        if err:
            errors.append("%s: %s" % (b.where(), err))
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


def console_commands(text):
    """A transcript's commands: each line after a `$ ` prompt, with its `\\`-continued lines."""
    cmds, more = [], False
    for line in text.split("\n"):
        if more or line.startswith("$ "):
            cmds.append(line if more else line[2:])
            more = line.endswith("\\")
    return "\n".join(cmds)


class Toolchains:
    """How this machine runs each language's blocks, and why a language cannot run here."""

    def __init__(self, src, build, work):
        self.src, self.build, self.work = src, build, work
        self.missing = {}
        if shutil.which("node") is None:
            self.missing["js"] = "no node"
        else:
            self.node_modules()
        if shutil.which("go") is None or not os.path.isdir(os.path.join(GO_SDK, "src/github.com/aws/aws-sdk-go-v2")):
            self.missing["go"] = "no go, or not Debian's golang-github-aws-aws-sdk-go-v2-dev"
        else:
            os.makedirs(os.path.join(build, "go-integration", "cache"), exist_ok=True)
        if shutil.which("cc") is None or not os.path.exists(os.path.join(build, "libddb.so")):
            self.missing["c"] = "no cc, or no libddb.so in the build"

    def node_modules(self):
        """The packages a reader's `npm install` would give, beside (above) the copy: node looks
        for node_modules in each directory up from the block's file."""
        farm = os.path.join(self.work, "node_modules")
        os.makedirs(farm)
        for d in JS_MODULES:
            mods = os.path.realpath(os.path.join(self.src, d, "node_modules"))
            if not os.path.isdir(mods):
                continue
            for name in os.listdir(mods):
                names = [name + "/" + n for n in os.listdir(os.path.join(mods, name))] if name.startswith("@") \
                    else [] if name.startswith(".") else [name]
                for n in names:
                    dest = os.path.join(farm, n)
                    if not os.path.lexists(dest):
                        os.makedirs(os.path.dirname(dest), exist_ok=True)
                        os.symlink(os.path.join(mods, n), dest)
        if not os.path.isdir(os.path.join(farm, "@aws-sdk", "client-dynamodb")):
            self.missing["js"] = "no @aws-sdk/client-dynamodb in %s (deploy/ddbd.sh deps)" % ", ".join(JS_MODULES)

    def write(self, rel, text):
        path = os.path.join(self.work, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text + "\n")
        return path

    def script(self, b, copy):
        """The bash script that runs block b as printed, or (None, why it cannot run here)."""
        if b.kind in self.missing:
            return None, self.missing[b.kind]
        q = shlex.quote
        if b.kind == "sh":
            return b.text, None
        if b.kind == "console":
            return console_commands(b.text), None
        if b.kind == "python":
            return "%s %s" % (q(sys.executable), q(self.write("code/block.py", b.text))), None
        if b.kind == "js":  # in the copy's root, so that './integrations/node/ddbd.mjs' is found
            path = os.path.join(copy, ".docs-block.mjs")
            with open(path, "w", encoding="utf-8") as f:
                f.write(b.text + "\n")
            return "node .docs-block.mjs", None
        if b.kind == "go":
            main = self.write("go/src/docsblock/main.go", b.text)
            gopath, exe = os.path.join(self.work, "go"), os.path.join(self.work, "go", "block")
            cache = os.path.join(self.build, "go-integration", "cache")  # integrations.go's: the SDK built once
            return ("(cd %s && GO111MODULE=off GOFLAGS= GOPATH=%s:%s GOCACHE=%s go build -o %s .)\n%s"
                    % (q(os.path.dirname(main)), q(gopath), GO_SDK, q(cache), q(exe), q(exe))), None
        if b.kind == "c":
            src, exe = self.write("c/block.c", b.text), os.path.join(self.work, "c", "block")
            return ("cc -std=c11 -Wall -Wextra -Werror -I include %s -L %s -lddb -Wl,-rpath,%s -o %s\n%s"
                    % (q(src), q(self.build), q(self.build), q(exe), q(exe))), None
        raise AssertionError(b.kind)


def run_block(b, script, copy, env, work):
    """Runs one block's script; returns (ok, output, the environment it left)."""
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
                server = subprocess.Popen(prefix + ["bash", "-c", cmd], cwd=copy, env=env,
                                          stdin=subprocess.DEVNULL, stdout=out, stderr=out, start_new_session=True)
                deadline = time.monotonic() + 20
                while not answers(ns, port):
                    if server.poll() is not None or time.monotonic() > deadline:
                        out.write(b"\n[run-with: %s did not answer on port %d]\n" % (cmd.encode(), port))
                        out.flush()
                        return False, open(log, errors="replace").read(), env
                    time.sleep(0.02)
            script = "trap 'env -0 > %s' EXIT\n%s\n" % (envfile, script)
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
        print("blocks that follow no part of the convention (docs/testing.md, \"The docs' code blocks\"):")
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
        tools = Toolchains(src, build, work)
        base = {k: os.environ[k] for k in KEPT_VARS if k in os.environ}
        base.update(HOME=home, PATH=bindir + ":" + base.get("PATH", "/usr/bin:/bin"), LANG="C.UTF-8")
        failed, ran, not_run, run_by, skipped = [], {}, [], [], []
        env, current = dict(base), None
        for b in blocks:
            if b.mark and b.mark[0] == "not-run":
                not_run.append("%s %s (%s)" % (b.where(), b.lang, b.mark[1]))
            elif b.mark and b.mark[0] == "run-by":
                run_by.append("%s %s (%s)" % (b.where(), b.lang, b.mark[1]))
            if not b.runs():
                continue
            if b.path != current:  # each file from a fresh terminal
                env, current = dict(base), b.path
            script, why = tools.script(b, copy)
            if script is None:
                skipped.append("%s %s (%s)" % (b.where(), b.lang, why))
                continue
            t0 = time.monotonic()
            ok, output, env = run_block(b, script, copy, env, work)
            if os.path.exists(os.path.join(copy, ".docs-block.mjs")):
                os.unlink(os.path.join(copy, ".docs-block.mjs"))
            ran[b.lang] = ran.get(b.lang, 0) + 1
            print("%s %s %s (%.1f s)" % ("ok  " if ok else "FAIL", b.where(), b.lang, time.monotonic() - t0), flush=True)
            if ok and os.environ.get("DOCS_BLOCKS_VERBOSE"):
                print("\n".join("    " + ln for ln in output.rstrip().split("\n")[-20:]))
            if not ok:
                failed.append(b)
                print("  the block:\n" + "\n".join("    " + ln for ln in b.text.split("\n")))
                print("  its output:\n" + "\n".join("    " + ln for ln in output.rstrip().split("\n")[-40:]))
                print("  (a fragment or a sample, not meant to run? <!-- not-run: REASON --> on the line before its fence)")
        print("%d blocks run (%s), %d failed; %d run by other tests, %d not run, %d skipped here:" % (
            sum(ran.values()), ", ".join("%s %d" % kv for kv in sorted(ran.items())), len(failed), len(run_by),
            len(not_run), len(skipped)))
        for s in run_by:
            print("  run by: " + s)
        for s in not_run:
            print("  not run: " + s)
        for s in skipped:
            print("  skipped: " + s)
        return 1 if failed else 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
