#!/usr/bin/env bash
# bench/container_start.sh: ddbd's image side by side with DynamoDB Local's, on this machine:
# image size, `docker run` to the first HTTP answer, to the first successful ListTables, the
# resident memory right after, and `docker stop` (SIGTERM to exit). Medians over --reps runs.
#
#   bench/container_start.sh [--reps N] [--no-ddblocal]
#
# ddbd: the image deploy/ddbd.sh image builds (tag ddbd:bench; DDBD_IMAGE=TAG uses a built one).
# DynamoDB Local: amazon/dynamodb-local when the engine has it (it cannot be pulled here);
# otherwise the same jar as bench/compare.sh's peer (Amazon DynamoDB Local 1.25.1, installed by
# ../shared/peers/peer) in a comparable image built here: the debootstrap base of
# deploy/docker-base.sh plus Debian's openjdk-17-jre-headless. Every container runs on the host's
# network, bound to loopback (the engine here has no bridge network), with its data in memory
# (-inMemory for both, so the figures compare the servers, not their disks).
set -euo pipefail
HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
REPO="$(cd "$HERE/.." && pwd)"
REPS=5; DDBLOCAL=1
while [ $# -gt 0 ]; do
  case "$1" in
    --reps) REPS="$2"; shift 2 ;;
    --no-ddblocal) DDBLOCAL=0; shift ;;
    *) sed -n '2,14p' "$0"; exit 2 ;;
  esac
done
PEER="${PEER:-}"
for p in "$REPO/../shared/peers/peer" /work/shared/peers/peer; do
  [ -z "$PEER" ] && [ -x "$p" ] && PEER="$p"
done
PEERS_HOME="${PEERS_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/ddbd-peers}"
export PEERS_HOME
PY=/usr/bin/python3
BASE=ddbd-build-base:bookworm
LABEL="ddbd-bench=$$"

"$REPO/deploy/ddbd.sh" docker-engine
cleanup() {
  local ids
  ids="$(docker ps -aq --filter "label=$LABEL" 2>/dev/null || true)"
  [ -z "$ids" ] || docker rm -f -v $ids >/dev/null 2>&1 || true
}
trap cleanup EXIT

DDBD_IMAGE="${DDBD_IMAGE:-ddbd:bench}"
if ! docker image inspect "$DDBD_IMAGE" >/dev/null 2>&1; then
  echo "building $DDBD_IMAGE (deploy/ddbd.sh image)" >&2
  "$REPO/deploy/ddbd.sh" image "$DDBD_IMAGE" >/dev/null
fi

# name|image|arguments after the image ({PORT} stands for the port)|description
SERVERS=("ddbd|$DDBD_IMAGE|--host 127.0.0.1 --port {PORT} -inMemory|ddbd $(docker run --rm --entrypoint /ddbd "$DDBD_IMAGE" --version | awk '{print $2}') (FROM scratch)")

if [ "$DDBLOCAL" = 1 ]; then
  if docker image inspect amazon/dynamodb-local >/dev/null 2>&1; then
    # its own image binds every address; on the host's network that is still only reached on loopback here
    SERVERS+=("ddblocal|amazon/dynamodb-local|-jar DynamoDBLocal.jar -inMemory -port {PORT}|amazon/dynamodb-local")
  elif [ -n "$PEER" ]; then
    emulator="$PEERS_HOME/ddblocal/node_modules/amplify-dynamodb-simulator/emulator"
    "$PEER" cmd ddblocal >/dev/null   # installs the jar and compiles the loopback launcher on first use
    if ! docker image inspect ddblocal-debian:bench >/dev/null 2>&1; then
      echo "building ddblocal-debian:bench (DynamoDB Local's jar on Debian's OpenJDK 17)" >&2
      [ -n "$(docker images -q "$BASE")" ] || "$REPO/deploy/docker-base.sh" "$BASE" >/dev/null
      ctx="$(mktemp -d)"
      cp -r "$emulator" "$ctx/emulator"
      cp -r "$PEERS_HOME/ddblocal/launcher" "$ctx/launcher"
      cat >"$ctx/Dockerfile" <<EOF
FROM $BASE
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
COPY emulator /home/dynamodblocal
COPY launcher /home/dynamodblocal/launcher
WORKDIR /home/dynamodblocal
# LoopbackRunner (../shared/peers/ddblocal) is DynamoDB Local's ServerRunner bound to 127.0.0.1
ENTRYPOINT ["java", "-Djava.library.path=./DynamoDBLocal_lib", "-cp", "DynamoDBLocal.jar:launcher", "LoopbackRunner"]
CMD ["-inMemory"]
EOF
      docker build --network host -t ddblocal-debian:bench "$ctx" >"$ctx/build.log" 2>&1 ||
        { tail -n 30 "$ctx/build.log" >&2; rm -rf "$ctx"; exit 1; }
      rm -rf "$ctx"
    fi
    SERVERS+=("ddblocal|ddblocal-debian:bench|-inMemory -port {PORT} -disableTelemetry|DynamoDB Local 1.25.1 (Debian bookworm + OpenJDK 17 JRE)")
  else
    echo "no DynamoDB Local: neither amazon/dynamodb-local nor ../shared/peers/peer is here" >&2
  fi
fi

printf '%s\n' "${SERVERS[@]}" | REPS="$REPS" LABEL="$LABEL" "$PY" -c '
import http.client, json, os, socket, statistics, subprocess, sys, time
import boto3
from botocore.config import Config

reps, label = int(os.environ["REPS"]), os.environ["LABEL"]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def http_answers(port):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
        return True  # any status: DynamoDB Local answers GET / with 400
    except OSError:
        return False
    finally:
        conn.close()

def docker(*args):
    return subprocess.run(["docker", *args], check=True, capture_output=True, text=True).stdout.strip()

def rss_mb(name):
    pid = docker("inspect", "-f", "{{.State.Pid}}", name)
    with open("/proc/%s/status" % pid) as f:
        return [int(l.split()[1]) for l in f if l.startswith("VmRSS:")][0] / 1024

def one(image, args):
    port = free_port()
    name = "ddbd-bench-%d-%d" % (os.getpid(), port)
    argv = ["run", "-d", "--name", name, "--label", label, "--network", "host", image] + \
        args.replace("{PORT}", str(port)).split()
    ddb = boto3.client("dynamodb", endpoint_url="http://127.0.0.1:%d" % port, region_name="us-east-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench",
                       config=Config(retries={"total_max_attempts": 1}, connect_timeout=1, read_timeout=5))
    t0 = time.monotonic()
    subprocess.run(["docker", *argv], check=True, capture_output=True)
    while not http_answers(port):
        if time.monotonic() - t0 > 120:
            raise SystemExit("%s: no answer in 120 s: %s" % (image, docker("logs", name)))
        time.sleep(0.002)
    t_http = time.monotonic() - t0
    while True:
        try:
            ddb.list_tables()
            break
        except Exception:
            if time.monotonic() - t0 > 120:
                raise
            time.sleep(0.002)
    t_api = time.monotonic() - t0
    rss = rss_mb(name)
    t1 = time.monotonic()
    docker("stop", "-t", "30", name)
    t_stop = time.monotonic() - t1
    code = docker("inspect", "-f", "{{.State.ExitCode}}", name)
    docker("rm", "-f", "-v", name)
    return t_http * 1e3, t_api * 1e3, rss, t_stop * 1e3, code

rows = []
for line in sys.stdin.read().splitlines():
    key, image, args, desc = line.split("|", 3)
    size = int(docker("image", "inspect", "-f", "{{.Size}}", image))
    one(image, args)  # unrecorded: the first run after a build pages the image in
    runs = [one(image, args) for _ in range(reps)]
    med = [statistics.median(r[i] for r in runs) for i in range(4)]
    codes = sorted(set(r[4] for r in runs))
    rows.append((desc, size / 1e6, med, ",".join(codes)))
    print("%s: %d runs done" % (key, reps), file=sys.stderr)

names = ["[%d]" % (i + 1) for i in range(len(rows))]
w = 14
print("container start, medians of %d runs (docker run -> ..., on this machine, %s)" % (reps, time.strftime("%Y-%m-%d")))
print("%-34s" % "" + "".join("%*s" % (w, n) for n in names))
fmt = lambda label, vals: print("%-34s" % label + "".join("%*s" % (w, v) for v in vals))
fmt("image size (MB)", ["%.1f" % r[1] for r in rows])
fmt("start to first HTTP answer (ms)", ["%.0f" % r[2][0] for r in rows])
fmt("start to first ListTables (ms)", ["%.0f" % r[2][1] for r in rows])
fmt("resident memory then (MB)", ["%.1f" % r[2][2] for r in rows])
fmt("docker stop (ms)", ["%.0f" % r[2][3] for r in rows])
fmt("exit code after SIGTERM", [r[3] for r in rows])
for i, r in enumerate(rows):
    print("[%d] %s" % (i + 1, r[0]))
'
