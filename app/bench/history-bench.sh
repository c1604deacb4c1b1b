#!/usr/bin/env bash
# History benchmark: bulk-ingest rows/s against PostgreSQL COPY and multi-row INSERT through
# psql (the ceiling, same rows, same table shape, same run), then the latency of one year of
# daily bars under concurrent load (served from the store).
#
# usage (from the repository root):
#   app/bench/history-bench.sh [SYMBOLS=100] [RANGE=5y] [CONCURRENCY=16] [REQUESTS=3000]
# needs: PostgreSQL at 127.0.0.1:5432 (trust auth, database test, user postgres), psql,
# python3. Works in a schema of its own (history_bench_<pid>), dropped at the end. Starts the
# gateway (with its embedded simulator) on free loopback ports and stops it at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."

SYMBOLS=${1:-100}
RANGE=${2:-5y}
CONCURRENCY=${3:-16}
REQUESTS=${4:-3000}
SCHEMA="history_bench_$$"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U postgres -d test)
WORK=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
PORT=$(free_port)
SIM_PORT=$(free_port)
TOKEN=bench-$$
GW_PID=

cleanup() {
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  "${PSQL[@]}" -c "DROP SCHEMA IF EXISTS ${SCHEMA}_w CASCADE" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

[ -f app/target/quotegate-app-0.1.0-SNAPSHOT.jar ] || ./mvnw -q -B -pl app package -DskipTests
./mvnw -q -B -pl app test-compile dependency:build-classpath -Dmdep.outputFile="$WORK/cp.txt" -Dmdep.includeScope=test
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); $("${PSQL[@]}" -Atc 'show server_version')"

java -jar app/target/quotegate-app-0.1.0-SNAPSHOT.jar \
  --server.port="$PORT" --quotegate.simulator.port="$SIM_PORT" --quotegate.admin.token="$TOKEN" \
  --quotegate.history.db-url=r2dbc:postgresql://127.0.0.1:5432/test --quotegate.history.db-username=postgres \
  --quotegate.history.db-schema="$SCHEMA" --logging.level.dev.quotegate=WARN >"$WORK/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 240); do
  curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -sf "http://127.0.0.1:$PORT/actuator/health" >/dev/null

SYMS=$(curl -s "http://127.0.0.1:$SIM_PORT/v1/symbols" | python3 -c "import json,sys; print(','.join(s['symbol'] for s in json.load(sys.stdin)['symbols'][:$SYMBOLS]))")
JSON_SYMS=$(python3 -c "import sys; print(','.join('\"%s\"' % s for s in sys.argv[1].split(',')))" "$SYMS")

# 1. Bulk ingest through the gateway (upstream fetch + batched upserts).
JOB=$(curl -s -X POST "http://127.0.0.1:$PORT/api/v1/admin/history/ingest" -H "authorization: Bearer $TOKEN" \
  -H 'content-type: application/json' -d "{\"symbols\":[$JSON_SYMS],\"interval\":\"1d\",\"range\":\"$RANGE\"}")
ID=$(echo "$JOB" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
while :; do
  STATUS=$(curl -s "http://127.0.0.1:$PORT/api/v1/admin/history/ingest/$ID" -H "authorization: Bearer $TOKEN")
  STATE=$(echo "$STATUS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  [ "$STATE" = running ] || break
  sleep 0.5
done
read -r ROWS MS FAILED < <(echo "$STATUS" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["barsWritten"], d["elapsedMs"], d["failed"])')
echo "ingest: state=$STATE symbols=$SYMBOLS range=$RANGE rows=$ROWS failed=$FAILED elapsed=${MS}ms -> $(( ROWS * 1000 / (MS > 0 ? MS : 1) )) rows/s (gateway: simulator fetch + R2DBC upserts)"

# 1b. The gateway's write path alone (R2dbcHistoryStore upserts of as many synthetic rows).
PER_SYMBOL=$(( ROWS / SYMBOLS ))
java -cp "app/target/test-classes:app/target/classes:$(cat "$WORK/cp.txt")" dev.quotegate.history.HistoryWriteBench \
  r2dbc:postgresql://127.0.0.1:5432/test postgres "${SCHEMA}_w" "$SYMBOLS" "$PER_SYMBOL" 4 500 2>/dev/null | grep rows/s
"${PSQL[@]}" -c "DROP SCHEMA IF EXISTS ${SCHEMA}_w CASCADE"

# 2. The ceiling: the same rows through psql into an empty table of the same shape.
"${PSQL[@]}" -c "\\copy (SELECT * FROM $SCHEMA.bars) TO '$WORK/bars.csv' WITH (FORMAT csv)"
"${PSQL[@]}" -c "CREATE TABLE $SCHEMA.ceiling (LIKE $SCHEMA.bars INCLUDING ALL)"
T0=$(date +%s%N)
"${PSQL[@]}" -c "\\copy $SCHEMA.ceiling FROM '$WORK/bars.csv' WITH (FORMAT csv)"
T1=$(date +%s%N)
COPY_MS=$(( (T1 - T0) / 1000000 ))
echo "ceiling COPY (psql \\copy): rows=$ROWS elapsed=${COPY_MS}ms -> $(( ROWS * 1000 / (COPY_MS > 0 ? COPY_MS : 1) )) rows/s"
"${PSQL[@]}" -c "TRUNCATE $SCHEMA.ceiling"
python3 - "$WORK/bars.csv" "$SCHEMA" > "$WORK/insert.sql" <<'PY'
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
echo "ceiling multi-row INSERT (psql, 500 rows/statement): rows=$ROWS elapsed=${INS_MS}ms -> $(( ROWS * 1000 / (INS_MS > 0 ? INS_MS : 1) )) rows/s"

# 3. One year of daily bars under concurrent load, every series stored (warm-up run first).
python3 app/bench/history-load.py "http://127.0.0.1:$PORT" "$SYMS" '/api/v1/history/{symbol}?interval=1d&range=1y' "$CONCURRENCY" 500 >/dev/null
echo -n "query 1y daily (PostgreSQL): "
python3 app/bench/history-load.py "http://127.0.0.1:$PORT" "$SYMS" '/api/v1/history/{symbol}?interval=1d&range=1y' "$CONCURRENCY" "$REQUESTS"
UP=$(curl -s "http://127.0.0.1:$SIM_PORT/admin/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["byEndpoint"].get("bars",0))')
echo "simulator bars requests in the whole run: $UP"
