#!/usr/bin/env bash
# Idle-connection flood against `gradus serve` on loopback (issue 13, item 1).
#   bench/idle-connections.sh [CONNECTIONS=3000] [IDLE_TIMEOUT_MS=5000]
# Starts the server with an open-files limit of 1024 (prlimit), opens CONNECTIONS sockets that never send a
# byte, and measures: how long a new request waits while they are open, how long the server takes to close
# them all (its idle timeout; those beyond its connection cap are accepted and closed in turn), and how long a
# new request takes once they are gone (the target: under 1 s). Before the fix the listener died at about 1,100.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-3000}; IDLE_MS=${2:-5000}; PORT=${PORT:-18090}
WORK=$(mktemp -d /tmp/gradus-idle.XXXXXX)
SERVER_PID=""
cleanup() { [[ -n "$SERVER_PID" ]] && kill "$SERVER_PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"; }
trap cleanup EXIT

export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
[[ -n "${SKIP_BUILD:-}" ]] || ./mvnw -q -B -o -DskipTests package -pl cli -am >&2
mkdir -p "$WORK/models"
prlimit --nofile=1024:1024 ./gradus serve --models "$WORK/models" --port "$PORT" --no-access-log --reload-ms 0 \
  --idle-timeout-ms "$IDLE_MS" > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do curl -fs "http://127.0.0.1:$PORT/v2/health/live" >/dev/null 2>&1 && break; sleep 0.5; done
echo "server: open-files limit $(awk '/Max open files/ {print $4}' /proc/"$(pgrep -P "$SERVER_PID" java || echo "$SERVER_PID")"/limits)"

ulimit -n $((CONNECTIONS + 1024)) # the client side holds every socket
python3 - "$PORT" "$CONNECTIONS" "$IDLE_MS" <<'PY'
import http.client, selectors, socket, sys, time
port, n, idle_ms = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def request(timeout=60):
    t = time.monotonic()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", "/v2/health/live"); status = c.getresponse().status; c.close()
    return status, time.monotonic() - t

sel = selectors.DefaultSelector()
t0 = time.monotonic()
for _ in range(n):
    s = socket.socket(); s.setblocking(False); s.connect_ex(("127.0.0.1", port))
    sel.register(s, selectors.EVENT_READ)
print(f"{n} idle sockets opened in {time.monotonic() - t0:.2f} s")
status, took = request()
print(f"a new request while they are open: HTTP {status} after {took:.2f} s")
open_, t1, last = n, time.monotonic(), 0
while open_ > 0 and time.monotonic() - t1 < 600:
    for key, _ in sel.select(timeout=1):
        try: data = key.fileobj.recv(1)
        except BlockingIOError: continue
        except OSError: data = b""
        if not data:
            sel.unregister(key.fileobj); key.fileobj.close(); open_ -= 1
    if time.monotonic() - last > 5:
        last = time.monotonic(); print(f"  {time.monotonic() - t0:6.1f} s: {open_} still open")
print(f"all idle sockets closed by the server {time.monotonic() - t0:.1f} s after the flood began" if open_ == 0
      else f"{open_} sockets still open after 600 s")
worst = 0
for _ in range(20):
    status, took = request(5); worst = max(worst, took)
    assert status == 200, status
print(f"20 new requests once they are gone: all HTTP 200, slowest {worst * 1000:.0f} ms (target < 1000 ms)")
PY
kill -0 "$SERVER_PID" && echo "server still running"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; sleep 1 # its stderr passes through a pipe
grep -ah "connections instead of\|restarting\|terminating" "$WORK/server.log" || true
