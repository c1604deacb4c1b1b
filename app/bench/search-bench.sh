#!/usr/bin/env bash
# Search benchmark (issue 16): latency of GET /api/v1/search on the embedded default (the
# gateway with its simulator, Lucene index over the 500 listings), loopback, a fixed mix of
# queries (exact symbols, prefixes, names, typos, multi-word, industries, sectors).
#
# usage (from the repository root):
#   app/bench/search-bench.sh [DURATION=30s] [CONNECTIONS=4] [PORT=18300] [SIM_PORT=18301]
# needs: wrk, curl. Starts the packaged gateway and stops it at the end; every query is asked
# once before the measured run (index built, provider fallback of typos cached).
set -euo pipefail
cd "$(dirname "$0")/../.."

DURATION=${1:-30s}
CONNECTIONS=${2:-4}
PORT=${3:-18300}
SIM_PORT=${4:-18301}
WORK=$(mktemp -d)
GW_PID=
cleanup() {
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

QUERIES=(AAPL aapl MSFT GOO apple appel aple microsoft mircosoft "micro soft" nvidia nvdia amazon
  "alphabet class c" "advanced micro" intel semiconductor semiconductors "health care" bank
  software energy "oil gas" technologies pharma MA JPM tesla "coca cola" walmart)

[ -f app/target/quotegate-app-0.1.0-SNAPSHOT.jar ] || ./mvnw -q -B -pl app package -DskipTests
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1)"
java -jar app/target/quotegate-app-0.1.0-SNAPSHOT.jar \
  --server.port="$PORT" --quotegate.simulator.port="$SIM_PORT" \
  --quotegate.history.data-dir="$WORK/data" --logging.level.dev.quotegate=WARN \
  `# wrk's connections are one anonymous client (127.0.0.1): lift the per-IP limits, as run.sh does` \
  --quotegate.rate-limit.anonymous.requests-per-second=1000000 --quotegate.rate-limit.anonymous.burst=1000000 \
  >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/actuator/health/liveness" >/dev/null 2>&1 && break
  sleep 0.5
done

enc() { python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
LUA="$WORK/queries.lua"
{
  echo "local paths = {"
  for q in "${QUERIES[@]}"; do
    p="/api/v1/search?q=$(enc "$q")&limit=10"
    curl -sf "http://127.0.0.1:$PORT$p" >/dev/null
    echo "  \"$p\","
  done
  echo "}"
  echo 'local i = 0'
  echo 'request = function() i = i + 1; return wrk.format("GET", paths[(i % #paths) + 1]) end'
} >"$LUA"
echo "queries: ${#QUERIES[@]}, first hits:"
for q in appel "micro soft" semiconductor; do
  echo "  $q -> $(curl -s "http://127.0.0.1:$PORT/api/v1/search?q=$(enc "$q")&limit=3" | python3 -c 'import json,sys; print(",".join(r["symbol"] for r in json.load(sys.stdin)["results"]))')"
done
wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "http://127.0.0.1:$PORT" | tee "$WORK/wrk.txt"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
