#!/usr/bin/env bash
# Load benchmark of `gradus serve` on loopback with wrk (Debian: apt-get install wrk).
#   bench/serve-load.sh [DURATION_S=30] [SOAK_S=300] [ROUNDS=3]
# Serves the Fashion-MNIST MLP (examples/fashion-mlp.yaml, trained for one epoch unless
# $MODEL_DIR names a saved model) and POSTs one test image as a KServe v2 JSON request to
# /v2/models/fashion-mlp/infer with 64 connections, with dynamic batching on and off (--max-batch-size 1)
# in alternating rounds (a fresh server each time; timing here swings, so only the interleaved ratio
# counts). Then the target's rate: each connection waits PACE_MS (default 11) after each answer, about
# 5,000 requests/s in all, with batching on. Then a soak with batching on, reporting the server's RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${1:-30}; SOAK=${2:-300}; ROUNDS=${3:-3}; CONNECTIONS=64; PORT=${PORT:-18080}
command -v wrk >/dev/null || { echo "serve-load: wrk is missing (apt-get install wrk)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/gradus-serve-load.XXXXXX)
SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
./mvnw -q -B -DskipTests package -pl cli -am >&2
mkdir -p "$WORK/models/fashion-mlp"
if [[ -n "${MODEL_DIR:-}" ]]; then
  cp -r "$MODEL_DIR" "$WORK/models/fashion-mlp/1"
else
  ./gradus train examples/fashion-mlp.yaml --out "$WORK/run" --epochs 1 --no-progress >&2
  cp -r "$WORK/run/model" "$WORK/models/fashion-mlp/1"
fi

# One test image as the request (pixels / 255; the model's own scaling is the client's job on /v2).
python3 - "$WORK/request.json" <<'PY'
import gzip, json, os, sys
path = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz"
if os.path.exists(path):
    with gzip.open(path) as f:
        f.read(16); pixels = list(f.read(784))
else:
    pixels = [(i * 37) % 256 for i in range(784)]
body = {"inputs": [{"name": "input", "shape": [1, 1, 28, 28], "datatype": "FP32", "data": [round(p / 255, 4) for p in pixels]}]}
open(sys.argv[1], "w").write(json.dumps(body))
PY
cat > "$WORK/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/request.json", "r"); wrk.body = f:read("*a"); f:close()
LUA
{ cat "$WORK/post.lua"; echo "function delay() return ${PACE_MS:-11} end"; } > "$WORK/paced.lua"
URL="http://127.0.0.1:$PORT/v2/models/fashion-mlp/infer"

start_server() { # $1 = max batch size
  # A fixed, pre-touched heap: RSS then shows growth outside the heap instead of the heap being committed.
  GRADUS_JAVA_OPTS="-Xms512m -Xmx512m -XX:+AlwaysPreTouch ${SERVER_JAVA_OPTS:-}" ./gradus serve --models "$WORK/models" --port "$PORT" --no-access-log --reload-ms 0 \
    --max-batch-size "$1" ${SERVE_OPTS:-} > "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$PORT/v2/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  curl -fs -X POST -H 'Content-Type: application/json' --data @"$WORK/request.json" "$URL" >/dev/null
  wrk -t2 -c"$CONNECTIONS" -d5s -s "$WORK/post.lua" "$URL" >/dev/null # warm-up (JIT)
}
stop_server() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }
java_pid() { pgrep -P "$SERVER_PID" java || echo "$SERVER_PID"; } # the launcher execs java; pgrep covers a wrapper
cpu_ticks() { awk '{print $14 + $15}' "/proc/$(java_pid)/stat"; } # user + system, in clock ticks
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$(java_pid)/status"; }

run_wrk() { # $1 = label, $2 = seconds, $3 = script (default post.lua) → one summary line
  local t0 out t1; t0=$(cpu_ticks)
  out=$(wrk -t2 -c"$CONNECTIONS" -d"${2}s" --latency -s "$WORK/${3:-post.lua}" "$URL")
  t1=$(cpu_ticks)
  echo "$out" > "$WORK/wrk-$1.txt"
  local rps p99 non2xx sockerr
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out"); non2xx=${non2xx:-0}
  sockerr=$(awk -F'[ ,]+' '/Socket errors/ {print $4 + $6 + $8 + $10}' <<<"$out"); sockerr=${sockerr:-0}
  local total; total=$(awk '/requests in/ {print $1}' <<<"$out")
  # CPU per request tells what the server costs even when other processes share the cores.
  local cpu_us; cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$(getconf CLK_TCK)" -v n="$total" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  printf '%-13s %10s req/s   p99 %8s   errors %s (non-2xx %s, socket %s)   server CPU %s us/request\n' \
    "$1" "$rps" "$p99" $((non2xx + sockerr)) "$non2xx" "$sockerr" "$cpu_us"
  echo "$rps" > "$WORK/rps-$1"
}

echo "gradus serve load: fashion-mlp via /v2 infer, $CONNECTIONS connections, ${DURATION}s, $(nproc) cores, load average $(cut -d' ' -f1 /proc/loadavg)"
ratios=()
for round in $(seq 1 "$ROUNDS"); do
  start_server 64;  run_wrk batching-on "$DURATION";  stop_server
  start_server 1;   run_wrk batching-off "$DURATION"; stop_server
  ratios+=("$(awk -v on="$(cat "$WORK/rps-batching-on")" -v off="$(cat "$WORK/rps-batching-off")" 'BEGIN {printf "%.2f", on / off}')")
  echo "round $round: batching on/off throughput ratio ${ratios[-1]}"
done
echo "batching on/off throughput ratio per round: ${ratios[*]} (median $(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'))"

start_server 64; run_wrk paced-5000 "$DURATION" paced.lua; stop_server

if (( SOAK > 0 )); then
  start_server 64
  before=$(rss_mb)
  run_wrk soak "$SOAK"
  after=$(rss_mb)
  echo "soak ${SOAK}s: RSS ${before} MB after warm-up, ${after} MB at the end"
  stop_server
fi
