#!/usr/bin/env bash
# The fault matrix as one bounded, loopback-only run (issue 18): every row starts its own
# gateway (random ports, its own data folder) and, where the row breaks a dependency, its own
# private Redis or a TCP proxy in front of PostgreSQL, so nothing shared is stopped.
#
#   app/bench/fault-matrix.sh [SECONDS=15]      run every row, rewrite the generated part of
#                                               docs/reliability.md "## Fault matrix"
#   NO_DOC=1 app/bench/fault-matrix.sh          run without touching docs
#   ROWS="FaultMatrixRun" app/bench/fault-matrix.sh   only some rows
#
# Each row is a JUnit class outside the normal build (its name matches neither *Test nor *IT)
# or an integration test, run by failsafe; each writes app/target/fault-matrix-<row>.txt, a
# Markdown table fragment (| Fault | Requests | Non-2xx | p50 ms | p99 ms | Upstream calls |
# Health | Note |), which this script gathers. Needs: a JDK, Redis at localhost:6379 and
# PostgreSQL at 5432 for the rows that use them (as the integration tests do), redis-server on
# the PATH for the Redis freeze row.
set -euo pipefail
cd "$(dirname "$0")/../.."

SECONDS_PER_ROW=${1:-15}
ROWS=${ROWS:-FaultMatrixRun,SlowConsumerIT,RedisFreezeIT,HistoryOutageIT,IngestRestartIT}
DOC=docs/reliability.md
START=$(date -u +%Y-%m-%dT%H:%MZ)
LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)

rm -f app/target/fault-matrix-*.txt
echo "fault-matrix: rows ${ROWS}, ${SECONDS_PER_ROW} s per phase"
T0=$(date +%s)
./mvnw -q -B -ntp -pl app verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfailsafe.failIfNoSpecifiedTests=false -Dit.test="${ROWS}" \
  -Dquotegate.faults.seconds="${SECONDS_PER_ROW}" || STATUS=$?
STATUS=${STATUS:-0}
WALL=$(( $(date +%s) - T0 ))
LOAD_AFTER=$(cut -d' ' -f1 /proc/loadavg)

TABLE=$(mktemp)
{
  echo "| Fault | Requests | Non-2xx | p50 ms | p99 ms | Upstream calls | Health | Note |"
  echo "|---|---|---|---|---|---|---|---|"
  for f in app/target/fault-matrix-*.txt; do
    [ -f "$f" ] || continue
    grep '^| ' "$f" | grep -v '^| Fault |' || true
  done
} > "$TABLE"
cat "$TABLE"
echo "fault-matrix: done in ${WALL} s (exit ${STATUS})"

if [ -z "${NO_DOC:-}" ] && [ "$STATUS" = 0 ]; then
  python3 - "$DOC" "$TABLE" "$START" "$WALL" "$LOAD_BEFORE" "$LOAD_AFTER" "$ROWS" "$SECONDS_PER_ROW" <<'PY'
import re, subprocess, sys
doc, table, start, wall, lb, la, rows, secs = sys.argv[1:]
java = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()[0]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
body = (f"One run of `app/bench/fault-matrix.sh {secs}` on {start} ({wall} s wall; rows {rows}). "
        f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, "
        f"{java}; 1-minute load average {lb} before, {la} after. Generated; re-run the command.\n\n"
        + open(table).read())
s = open(doc).read()
b, e = "<!-- app/bench/fault-matrix.sh: generated figures begin -->", "<!-- app/bench/fault-matrix.sh: generated figures end -->"
if b not in s:
    raise SystemExit(f"{doc}: markers missing")
s = re.sub(re.escape(b) + ".*?" + re.escape(e), lambda m: b + "\n" + body + e, s, flags=re.S)
open(doc, "w").write(s)
print(f"fault-matrix: {doc} updated")
PY
fi
exit "$STATUS"
