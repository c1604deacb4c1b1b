#!/usr/bin/env bash
# History benchmark, one run, every figure next to its ceiling in the same run:
#  1. bulk ingest through the gateway (simulator fetch + the store's write path), rows/s;
#  2. the store's write path alone (HistoryWriteBench: one transaction per symbol, COPY into a
#     staging table + INSERT ... SELECT ... ON CONFLICT) next to psql's COPY and multi-row
#     INSERT of the same rows into a table of the same shape;
#  3. warm reads under wrk (16 connections): one year of daily bars and six-period charts,
#     next to pgbench running the plain SQL read of the same rows;
#  4. kill -9 of the gateway during a bulk-ingest job, restart on the same database: the job
#     listed as interrupted with its counts (checked against the rows in the store), resumed;
#  5. cold reads (the restarted gateway with its series cache off): every read from the store.
#
# usage (from the repository root):
#   app/bench/history-bench.sh [SYMBOLS=20] [RANGE=1y] [CONCURRENCY=16] [SECONDS=10]
# needs: PostgreSQL at 127.0.0.1:5432 (trust auth, database test, user postgres), psql, pgbench,
# wrk, python3. Works in a schema of its own (history_bench_<pid>), dropped at the end. Starts
# the gateway (with its embedded simulator) on free loopback ports, or on ports from
# QG_BENCH_PORTS="gateway simulator" when given, and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

SYMBOLS=${1:-20}
RANGE=${2:-1y}
CONCURRENCY=${3:-16}
SECONDS_RUN=${4:-10}
SCHEMA="history_bench_$$"
export PGOPTIONS="-c client_min_messages=warning"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test)
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
if [ -n "${QG_BENCH_PORTS:-}" ]; then read -r PORT SIM_PORT <<<"$QG_BENCH_PORTS"; else PORT=$(free_port); SIM_PORT=$(free_port); fi
TOKEN=bench-$$
GW_PID=
BASE="http://127.0.0.1:$PORT"
AUTH=(-H "authorization: Bearer $TOKEN")

cleanup() {
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS ${SCHEMA}_w CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

start_gateway() { # extra arguments are passed to the gateway
  java -jar app/target/quotegate-app-0.1.0-SNAPSHOT.jar \
    --server.port="$PORT" --quotegate.simulator.port="$SIM_PORT" --quotegate.admin.token="$TOKEN" \
    --quotegate.history.db-url=r2dbc:postgresql://127.0.0.1:5432/test --quotegate.history.db-username=postgres \
    --quotegate.history.db-schema="$SCHEMA" --logging.level.dev.quotegate=WARN \
    `# wrk's connections are one anonymous client (127.0.0.1): lift the per-IP limits, as run.sh does` \
    --quotegate.rate-limit.anonymous.requests-per-second=1000000 --quotegate.rate-limit.anonymous.burst=1000000 \
    "$@" >>"$WORK/gateway.log" 2>&1 &
  GW_PID=$!
  for _ in $(seq 1 240); do
    curl -sf "$BASE/actuator/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  echo "gateway did not start"; tail -20 "$WORK/gateway.log"; exit 1
}
job_field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(str(d.get(k)) for k in sys.argv[1:]))' "$@"; }
wait_job() { # id -> final status JSON on stdout
  local status state
  while :; do
    status=$(curl -s "$BASE/api/v1/admin/history/ingest/$1" "${AUTH[@]}")
    state=$(echo "$status" | job_field state)
    [ "$state" = running ] || break
    sleep 0.3
  done
  echo "$status"
}
pct_us() { # file of microsecond latencies (column 3 of pgbench's log) -> "p50 p99" in ms
  python3 - "$@" <<'PY'
import sys
v = []
for f in sys.argv[1:]:
    for line in open(f):
        parts = line.split()
        if len(parts) >= 3:
            v.append(int(parts[2]))
v.sort()
def p(q): return v[min(len(v) - 1, max(0, int(round(q * len(v))) - 1))] / 1000.0
print(f"{len(v)} {p(0.5):.2f} {p(0.99):.2f}")
PY
}
wrk_run() { # label paths... -> one line: requests/s, p50, p99 (after a 5 s pass that warms the JIT)
  local label=$1; shift
  wrk -t2 -c"$CONCURRENCY" -d5s -s app/bench/wrk-paths.lua "$BASE" -- "$@" >/dev/null 2>&1
  wrk -t2 -c"$CONCURRENCY" -d"${SECONDS_RUN}s" --latency -s app/bench/wrk-paths.lua "$BASE" -- "$@" >"$WORK/wrk.txt" 2>&1
  local rps p50 p99 non2xx
  rps=$(awk '/Requests\/sec/{print $2}' "$WORK/wrk.txt")
  p50=$(awk '/^ +50%/{print $2}' "$WORK/wrk.txt")
  p99=$(awk '/^ +99%/{print $2}' "$WORK/wrk.txt")
  non2xx=$(awk '/Non-2xx/{print $NF}' "$WORK/wrk.txt")
  echo "$label (wrk, $CONCURRENCY connections, ${SECONDS_RUN}s): ${rps} req/s, p50 ${p50}, p99 ${p99}, non-2xx ${non2xx:-0}"
}

./mvnw -q -B -ntp -pl app package -DskipTests
./mvnw -q -B -ntp -pl app test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); PostgreSQL $("${PSQL[@]}" -Atc 'show server_version'); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)"

start_gateway --quotegate.history.ingest.stale-after=3s --quotegate.history.ingest.heartbeat-interval=1s
ALL=$(curl -s "http://127.0.0.1:$SIM_PORT/v1/symbols" | python3 -c "import json,sys; print(','.join(s['symbol'] for s in json.load(sys.stdin)['symbols'][:$SYMBOLS + 40]))")
SYMS=$(echo "$ALL" | cut -d, -f1-"$SYMBOLS")
KILL_SYMS=$(echo "$ALL" | cut -d, -f$((SYMBOLS + 1))-)
json_list() { python3 -c "import sys; print(','.join('\"%s\"' % s for s in sys.argv[1].split(',')))" "$1"; }

# 1. Bulk ingest through the gateway.
ID=$(curl -s -X POST "$BASE/api/v1/admin/history/ingest" "${AUTH[@]}" -H 'content-type: application/json' \
  -d "{\"symbols\":[$(json_list "$SYMS")],\"interval\":\"1d\",\"range\":\"$RANGE\"}" | job_field id)
read -r STATE ROWS MS FAILED UPSTREAM < <(wait_job "$ID" | job_field state barsWritten elapsedMs failed upstreamRequests)
echo "ingest through the gateway: state=$STATE symbols=$SYMBOLS range=$RANGE rows=$ROWS failed=$FAILED upstreamRequests=$UPSTREAM elapsed=${MS}ms -> $(( ROWS * 1000 / (MS > 0 ? MS : 1) )) rows/s (simulator fetch + COPY, one transaction per symbol)"

# 2. The write path alone next to psql's ceiling, the same number of rows (5 years of daily bars per symbol).
PER_SYMBOL=1255
W_SYMBOLS=40
W_ROWS=$(( PER_SYMBOL * W_SYMBOLS ))
java -cp "app/target/test-classes:app/target/classes:$(cat "$WORK/cp.txt")" dev.quotegate.history.HistoryWriteBench \
  r2dbc:postgresql://127.0.0.1:5432/test postgres "${SCHEMA}_w" "$W_SYMBOLS" "$PER_SYMBOL" 4 500 symbol 2>/dev/null | grep rows/s
"${PSQL[@]}" -c "\\copy (SELECT * FROM ${SCHEMA}_w.bars) TO '$WORK/bars.csv' WITH (FORMAT csv)"
"${PSQL[@]}" -c "TRUNCATE ${SCHEMA}_w.bars"
java -cp "app/target/test-classes:app/target/classes:$(cat "$WORK/cp.txt")" dev.quotegate.history.HistoryWriteBench \
  r2dbc:postgresql://127.0.0.1:5432/test postgres "${SCHEMA}_w" "$W_SYMBOLS" "$PER_SYMBOL" 4 500 upsert 2>/dev/null | grep rows/s
"${PSQL[@]}" -c "CREATE TABLE ${SCHEMA}_w.ceiling (LIKE ${SCHEMA}_w.bars INCLUDING ALL)"
T0=$(date +%s%N)
"${PSQL[@]}" -c "\\copy ${SCHEMA}_w.ceiling FROM '$WORK/bars.csv' WITH (FORMAT csv)"
T1=$(date +%s%N)
COPY_MS=$(( (T1 - T0) / 1000000 ))
echo "ceiling COPY (psql \\copy into an empty table): rows=$W_ROWS elapsed=${COPY_MS}ms -> $(( W_ROWS * 1000 / (COPY_MS > 0 ? COPY_MS : 1) )) rows/s"
"${PSQL[@]}" -c "TRUNCATE ${SCHEMA}_w.ceiling"
python3 - "$WORK/bars.csv" "${SCHEMA}_w" > "$WORK/insert.sql" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1])))
def lit(v, i):
    if v == "":
        return "NULL"
    return "'" + v.replace("'", "''") + "'" if i in (0, 1, 9) else v
for k in range(0, len(rows), 500):
    vals = ",".join("(" + ",".join(lit(v, i) for i, v in enumerate(r)) + ")" for r in rows[k:k + 500])
    print(f"INSERT INTO {sys.argv[2]}.ceiling VALUES {vals} ON CONFLICT DO NOTHING;")
PY
T0=$(date +%s%N)
"${PSQL[@]}" -f "$WORK/insert.sql"
T1=$(date +%s%N)
INS_MS=$(( (T1 - T0) / 1000000 ))
echo "ceiling multi-row INSERT (psql, 500 rows/statement): rows=$W_ROWS elapsed=${INS_MS}ms -> $(( W_ROWS * 1000 / (INS_MS > 0 ? INS_MS : 1) )) rows/s"
"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS ${SCHEMA}_w CASCADE"

# 3. Warm reads: every series stored, read once to warm the gateway, then under wrk; pgbench
#    runs the plain SQL read of the same rows (one year of daily bars of a random symbol).
IFS=, read -r -a SYM_ARR <<<"$SYMS"
HIST_PATHS=(); CHART_PATHS=()
for s in "${SYM_ARR[@]}"; do
  HIST_PATHS+=("/api/v1/history/$s?interval=1d&range=1y")
  CHART_PATHS+=("/api/v1/charts/$s?periods=1D,5D,1M,6M,1Y,5Y")
done
for p in "${HIST_PATHS[@]}" "${CHART_PATHS[@]}"; do curl -s -o /dev/null "$BASE$p"; done
BYTES_H=$(curl -s "$BASE${HIST_PATHS[0]}" | wc -c); BYTES_C=$(curl -s "$BASE${CHART_PATHS[0]}" | wc -c)
wrk_run "warm 1y daily (${BYTES_H} B)" "${HIST_PATHS[@]}"
wrk_run "warm six-period charts (${BYTES_C} B)" "${CHART_PATHS[@]}"
FROM_MS=$(curl -s "$BASE${HIST_PATHS[0]}" | python3 -c 'import json,sys,datetime; d=json.load(sys.stdin); print(int(datetime.datetime.fromisoformat(d["from"].replace("Z","+00:00")).timestamp()*1000))')
"${PSQL[@]}" -c "CREATE TABLE $SCHEMA.bench_syms (id int primary key, symbol varchar(16)); INSERT INTO $SCHEMA.bench_syms SELECT row_number() OVER (), s FROM unnest(string_to_array('$SYMS', ',')) s"
cat > "$WORK/read.sql" <<SQL
\\set id random(1, $SYMBOLS)
SELECT ts_ms, open_price, high_price, low_price, close_price, volume, fetched_at_ms, source FROM $SCHEMA.bars WHERE symbol = (SELECT symbol FROM $SCHEMA.bench_syms WHERE id = :id) AND bar_interval = '1d' AND ts_ms >= $FROM_MS ORDER BY ts_ms;
SQL
(cd "$WORK" && pgbench -h 127.0.0.1 -U postgres -n -c "$CONCURRENCY" -j 2 -T "$SECONDS_RUN" -f read.sql -l --log-prefix=pglog test >pgbench.txt 2>&1)
read -r N P50 P99 < <(pct_us "$WORK"/pglog*)
echo "plain SQL read of the same rows (pgbench, $CONCURRENCY clients, ${SECONDS_RUN}s): $(awk '/^tps/{print $3; exit}' "$WORK/pgbench.txt") tx/s, p50 ${P50}ms, p99 ${P99}ms ($N transactions)"

# 4. kill -9 during a bulk-ingest job, restart on the same database.
curl -s -X PUT "http://127.0.0.1:$SIM_PORT/admin/faults" -H 'content-type: application/json' -d '{"latencyMs":100}' >/dev/null
KID=$(curl -s -X POST "$BASE/api/v1/admin/history/ingest" "${AUTH[@]}" -H 'content-type: application/json' \
  -d "{\"symbols\":[$(json_list "$KILL_SYMS")],\"interval\":\"1d\",\"range\":\"5y\"}" | job_field id)
while :; do
  DONE=$(curl -s "$BASE/api/v1/admin/history/ingest/$KID" "${AUTH[@]}" | job_field done)
  [ "$DONE" -ge 8 ] && break
  sleep 0.1
done
kill -9 "$GW_PID"; wait "$GW_PID" 2>/dev/null || true; GW_PID=
T_KILL=$(date +%s%N)
start_gateway --quotegate.history.cache.series-max-size=0 --quotegate.history.ingest.stale-after=3s --quotegate.history.ingest.heartbeat-interval=1s
while :; do
  read -r KSTATE KDONE KBARS KUP KNOTE < <(curl -s "$BASE/api/v1/admin/history/ingest/$KID" "${AUTH[@]}" | job_field state done barsWritten upstreamRequests note)
  [ "$KSTATE" != running ] && break
  sleep 0.2
done
T_SEEN=$(date +%s%N)
read -r DB_DONE DB_ROWS < <("${PSQL[@]}" -Atc "SELECT count(*), coalesce(sum(s.bars_written),0) FROM $SCHEMA.ingest_job_symbols s WHERE s.job_id = '$KID' AND s.state = 'done'" | tr '|' ' ')
STORED_DONE=$("${PSQL[@]}" -Atc "SELECT count(*) FROM $SCHEMA.bars b WHERE b.bar_interval = '1d' AND b.symbol IN (SELECT symbol FROM $SCHEMA.ingest_job_symbols WHERE job_id = '$KID' AND state = 'done')")
STORED_OTHER=$("${PSQL[@]}" -Atc "SELECT count(*) FROM $SCHEMA.bars b WHERE b.bar_interval = '1d' AND b.symbol IN (SELECT symbol FROM $SCHEMA.ingest_job_symbols WHERE job_id = '$KID' AND state <> 'done')")
echo "kill -9 during ingest: job $KID listed after restart as state=$KSTATE ($KNOTE) $(( (T_SEEN - T_KILL) / 1000000 ))ms after the kill (restart included); done=$KDONE barsWritten=$KBARS upstreamRequests=$KUP; in the store: $STORED_DONE rows of the $DB_DONE symbols marked done (their recorded bars: $DB_ROWS), $STORED_OTHER rows of the symbols not done (no partial series)"
curl -s -X PUT "http://127.0.0.1:$SIM_PORT/admin/faults" -H 'content-type: application/json' -d '{"latencyMs":100}' >/dev/null
curl -s -X POST "http://127.0.0.1:$SIM_PORT/admin/reset" >/dev/null
curl -s -o /dev/null -X POST "$BASE/api/v1/admin/history/ingest/$KID/resume" "${AUTH[@]}"
read -r RSTATE RDONE RBARS RUP RES < <(wait_job "$KID" | job_field state done barsWritten upstreamRequests resumes)
SIM_BARS=$(curl -s "http://127.0.0.1:$SIM_PORT/admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["byEndpoint"].get("bars",0))')
echo "resumed: state=$RSTATE done=$RDONE barsWritten=$RBARS upstreamRequests=$RUP (+$(( RUP - KUP )) by the resumed run; the simulator saw $SIM_BARS bar requests) resumes=$RES"
curl -s -X POST "http://127.0.0.1:$SIM_PORT/admin/reset?faults=true" >/dev/null

# 5. Cold reads: the restarted gateway runs with its series cache off, so every read goes to the store.
wrk_run "cold 1y daily, every read from PostgreSQL (series cache off)" "${HIST_PATHS[@]}"
echo "simulator bar requests since the restart: $(curl -s "http://127.0.0.1:$SIM_PORT/admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["byEndpoint"].get("bars",0))')"
