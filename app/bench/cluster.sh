#!/usr/bin/env bash
# Scale-out benchmark (issue 21): gateways sharing a private Redis Cluster (3 masters + 3
# replicas) behind nginx (least_conn), 1 and then 3 instances, under the dashboard workload of
# app/bench/run.sh; a cold stampede across the 3 instances (upstream fetches counted per
# symbol); a Redis master and a gateway instance killed (kill -9) mid-run, the latter with SSE
# subscribers open on every instance (ClusterStreamWatch) and the poll-lease holder the victim.
#
#   flock /tmp/quotegate-bench.lock app/bench/cluster.sh
#                                  one run (about 6-8 minutes); figures under
#                                  app/target/bench/cluster-<stamp>/ (summary.md), docs untouched
#
# Settings can be overridden from the environment (DASH_USERS=200 app/bench/cluster.sh).
# Everything runs on 127.0.0.1: the simulator, six redis-server nodes (random free ports in
# 20000-29999 whose bus port +10000 is free too), three gateway JVMs and nginx (ports in
# PORT_FROM..PORT_TO), and Gatling; all started processes are stopped on exit (trap).
set -euo pipefail

main() {
APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(dirname "$APP_DIR")
cd "$ROOT_DIR"
case "${1:-}" in -h|--help) sed -n '2,13p' "$0"; exit 0 ;; esac

# ---- settings -------------------------------------------------------------------------------
TTL=${TTL:-5}
SIM_LATENCY_MS=${SIM_LATENCY_MS:-30}         # fixed upstream latency (no jitter)
STAMPEDE_LATENCY_MS=${STAMPEDE_LATENCY_MS:-40}
SIM_BATCH_LIMIT=${SIM_BATCH_LIMIT:-50}
QUOTE_GRACE=${QUOTE_GRACE:-5s}
UNIVERSE=${UNIVERSE:-500} SEED=${SEED:-42}
DASH_USERS=${DASH_USERS:-100} DASH_RAMP=${DASH_RAMP:-5} DASH_SECONDS=${DASH_SECONDS:-30} DASH_POOL=${DASH_POOL:-400}
FAIL_SECONDS=${FAIL_SECONDS:-40} KILL_AFTER=${KILL_AFTER:-18} # failover runs: duration, kill at (s after Gatling start)
STAMPEDE_USERS=${STAMPEDE_USERS:-600} STAMPEDE_SYMBOLS=${STAMPEDE_SYMBOLS:-4} STAMPEDE_ROUNDS=${STAMPEDE_ROUNDS:-3}
# gateway-kill: SSE subscribers per instance (direct to each gateway), symbols they stream (the
# universe's last ones: outside the dashboard pool and the stampede's cold symbols)
STREAM_PER_INSTANCE=${STREAM_PER_INSTANCE:-100} STREAM_SYMBOLS=${STREAM_SYMBOLS:-20}
STREAM_LEASE_TTL=${STREAM_LEASE_TTL:-5s}     # quotegate.streams.redis.lease-ttl (renewed every third of it)
NODE_TIMEOUT_MS=${NODE_TIMEOUT_MS:-1500}     # cluster-node-timeout: failover within a few seconds
PORT_FROM=${PORT_FROM:-18700} PORT_TO=${PORT_TO:-18799}
JVM_OPTS=${JVM_OPTS:--Xms256m -Xmx512m -XX:+UseG1GC}
GATLING_JVM_OPTS=${GATLING_JVM_OPTS:--Xms512m -Xmx1g -XX:+UseG1GC --add-opens=java.base/java.lang=ALL-UNNAMED}

STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT="$APP_DIR/target/bench/cluster-$STAMP"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"; : >"$RESULTS"
EVENTS="$OUT/events.txt"; : >"$EVENTS"
STARTED=$(date +%s)
log() { printf '%s cluster-bench: %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
echo "loadStart=$(loadavg)" >>"$EVENTS"

# ---- processes, always cleaned up -----------------------------------------------------------
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ "$rc" = 0 ] || log "failed (exit $rc); logs in $OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1]))); s.close()' "$1" 2>/dev/null; }
NEXT_PORT=$PORT_FROM
range_port() { # PORT=next free port of PORT_FROM..PORT_TO (no subshell: NEXT_PORT must advance)
  while [ "$NEXT_PORT" -le "$PORT_TO" ]; do
    local p=$NEXT_PORT; NEXT_PORT=$((NEXT_PORT + 1))
    if port_free "$p"; then PORT=$p; return; fi
  done
  log "no free port left in $PORT_FROM-$PORT_TO"; return 1
}
redis_port() { # random free port in 20000-29999 whose bus port is free too
  local p
  while :; do
    p=$((20000 + RANDOM % 10000))
    port_free "$p" && port_free $((p + 10000)) && [[ " ${REDIS_PORTS[*]:-} " != *" $p "* ]] && { echo "$p"; return; }
  done
}
wait_http() { # name url [seconds]
  local deadline=$(( $(date +%s) + ${3:-120} ))
  until curl -s -o /dev/null --max-time 2 "$2"; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "$1 did not answer on $2"; return 1; }
    sleep 0.5
  done
}

# ---- build ----------------------------------------------------------------------------------
JAR=$(ls "$APP_DIR"/target/quotegate-app-*.jar 2>/dev/null | grep -v original | head -n 1 || true)
if [ -z "$JAR" ] || [ ! -d "$APP_DIR/target/test-classes/dev/quotegate/load" ]; then
  log "building the jar and the test classes"
  ./mvnw -q -B -ntp -pl app package -DskipTests
  JAR=$(ls "$APP_DIR"/target/quotegate-app-*.jar | grep -v original | head -n 1)
fi
CP_FILE="$APP_DIR/target/bench/classpath.txt"
[ -s "$CP_FILE" ] || ./mvnw -q -B -ntp -pl app dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$CP_FILE" >/dev/null
GATLING_CP="$APP_DIR/target/test-classes:$APP_DIR/target/classes:$(cat "$CP_FILE")"

# ---- simulator ------------------------------------------------------------------------------
range_port; SIM_PORT=$PORT; SIM="http://127.0.0.1:$SIM_PORT"
log "simulator on :$SIM_PORT (fixed latency ${SIM_LATENCY_MS} ms, batch limit $SIM_BATCH_LIMIT)"
# shellcheck disable=SC2086
java $JVM_OPTS -cp "$JAR" -Dloader.main=dev.quotegate.simulator.SimulatorMain \
  org.springframework.boot.loader.launch.PropertiesLauncher \
  --host=127.0.0.1 --port="$SIM_PORT" --seed="$SEED" --universe-size="$UNIVERSE" \
  --batch-limit="$SIM_BATCH_LIMIT" --latency-ms="$SIM_LATENCY_MS" --jitter-ms=0 \
  >"$OUT/simulator.log" 2>&1 &
PIDS+=($!)

# ---- private Redis Cluster: 3 masters + 3 replicas ------------------------------------------
REDIS_PORTS=()
declare -gA REDIS_PID
for i in 1 2 3 4 5 6; do
  p=$(redis_port); REDIS_PORTS+=("$p")
  mkdir -p "$OUT/redis/$p"
  redis-server --port "$p" --bind 127.0.0.1 --cluster-enabled yes --cluster-config-file nodes.conf \
    --cluster-node-timeout "$NODE_TIMEOUT_MS" --dir "$OUT/redis/$p" --save '' --appendonly no \
    --protected-mode no >"$OUT/redis/$p/redis.log" 2>&1 &
  PIDS+=($!); REDIS_PID[$p]=$!
done
for p in "${REDIS_PORTS[@]}"; do
  for _ in $(seq 1 50); do redis-cli -p "$p" ping >/dev/null 2>&1 && break; sleep 0.2; done
done
NODES=$(printf '127.0.0.1:%s,' "${REDIS_PORTS[@]}"); NODES=${NODES%,}
# shellcheck disable=SC2046
redis-cli --cluster create $(printf '127.0.0.1:%s ' "${REDIS_PORTS[@]}") --cluster-replicas 1 --cluster-yes \
  >"$OUT/redis/create.log" 2>&1
grep -q 'All 16384 slots covered' "$OUT/redis/create.log" || { log "cluster create failed: $(tail -5 "$OUT/redis/create.log")"; exit 1; }
cluster_ok() { # every reachable node agrees: state ok, 3 masters not failed
  local p n=0
  for p in "${REDIS_PORTS[@]}"; do
    redis-cli -p "$p" ping >/dev/null 2>&1 || continue
    redis-cli -p "$p" cluster info 2>/dev/null | grep -q 'cluster_state:ok' || return 1
    [ "$(redis-cli -p "$p" cluster nodes 2>/dev/null | awk '$3 ~ /master/ && $3 !~ /fail/ && NF >= 9 {n++} END {print n+0}')" -ge 3 ] || return 1
    n=$((n + 1))
  done
  [ "$n" -gt 0 ]
}
for _ in $(seq 1 120); do cluster_ok && break; sleep 0.5; done
cluster_ok || { log "cluster did not become healthy"; exit 1; }
log "redis cluster 3+3 on $NODES (cluster-node-timeout ${NODE_TIMEOUT_MS} ms), redis $(redis-server --version | sed 's/.*v=\([^ ]*\).*/\1/')"

# ---- gateways --------------------------------------------------------------------------------
GW_PORTS=() GW_PIDS=()
for i in 1 2 3; do
  range_port; gp=$PORT; GW_PORTS+=("$gp")
  # shellcheck disable=SC2086
  java $JVM_OPTS -jar "$JAR" \
    --server.address=127.0.0.1 --server.port="$gp" \
    --quotegate.simulator.enabled=false \
    --quotegate.redis.cluster-nodes="$NODES" \
    --quotegate.providers.sim.base-url="$SIM" \
    --quotegate.providers.sim.batch-size="$SIM_BATCH_LIMIT" \
    --quotegate.quotes.ttl-market-open="${TTL}s" --quotegate.quotes.ttl-market-closed="${TTL}s" \
    --quotegate.cache.kinds.quote.grace="$QUOTE_GRACE" \
    --quotegate.rate-limit.anonymous.requests-per-second=1000000 --quotegate.rate-limit.anonymous.burst=1000000 \
    --quotegate.rate-limit.anonymous.max-streams=1000000 --quotegate.streams.max-connections-per-client=1000000 \
    --quotegate.streams.redis.lease-ttl="$STREAM_LEASE_TTL" \
    --logging.level.root=WARN \
    >"$OUT/gateway-$i.log" 2>&1 &
  PIDS+=($!); GW_PIDS+=($!)
done
log "gateways on :${GW_PORTS[*]} (TTL ${TTL}s, grace $QUOTE_GRACE)"

# ---- nginx: :NG1 -> gateway 1 only, :NG3 -> all three (least_conn) -----------------------------
range_port; NG1_PORT=$PORT; range_port; NG3_PORT=$PORT
NGX="$OUT/nginx"; mkdir -p "$NGX/tmp" "$NGX/logs"
NGX_USER=""; [ "$(id -u)" = 0 ] && NGX_USER="user root root;"
cat >"$NGX/nginx.conf" <<EOF
$NGX_USER
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/logs/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path $NGX/tmp/body;
  proxy_temp_path $NGX/tmp/proxy;
  fastcgi_temp_path $NGX/tmp/fastcgi;
  uwsgi_temp_path $NGX/tmp/uwsgi;
  scgi_temp_path $NGX/tmp/scgi;
  keepalive_requests 1000000;
  upstream one {
    least_conn;
    server 127.0.0.1:${GW_PORTS[0]} max_fails=1 fail_timeout=10s;
    keepalive 64;
  }
  upstream three {
    least_conn;
    server 127.0.0.1:${GW_PORTS[0]} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${GW_PORTS[1]} max_fails=1 fail_timeout=10s;
    server 127.0.0.1:${GW_PORTS[2]} max_fails=1 fail_timeout=10s;
    keepalive 64;
  }
  proxy_http_version 1.1;
  proxy_set_header Connection "";
  proxy_connect_timeout 1s;
  proxy_read_timeout 10s;
  # GETs are retried on the next instance when one fails (nginx's default: error timeout)
  proxy_next_upstream error timeout http_502 http_503;
  proxy_next_upstream_tries 3;
  server { listen 127.0.0.1:$NG1_PORT backlog=4096; location / { proxy_pass http://one; } }
  server { listen 127.0.0.1:$NG3_PORT backlog=4096; location / { proxy_pass http://three; } }
}
EOF
nginx -t -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" >"$NGX/logs/configtest.log" 2>&1
nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" -g 'daemon off;' >"$NGX/logs/stdout.log" 2>&1 &
PIDS+=($!)
log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on :$NG1_PORT (1 instance) and :$NG3_PORT (3 instances, least_conn)"

wait_http simulator "$SIM/admin/stats"
for gp in "${GW_PORTS[@]}"; do wait_http "gateway :$gp" "http://127.0.0.1:$gp/actuator/health" 240; done
for gp in "${GW_PORTS[@]}"; do # first call of each JVM (class loading, first HTTP/2 connection)
  for attempt in $(seq 1 10); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "http://127.0.0.1:$gp/api/v1/quotes/AAPL" || true)
    [ "$code" = 200 ] && break; sleep 1
  done
  [ "$code" = 200 ] || { log "gateway :$gp answered $code"; exit 1; }
done
curl -s "http://127.0.0.1:${GW_PORTS[0]}/actuator/health" >"$OUT/health-start.json" || true

# ---- one Gatling run ---------------------------------------------------------------------------
# gatling LABEL URL SIMULATION -Dprop... (in the background: GATLING_PID)
gatling() {
  local label=$1 url=$2 sim=$3; shift 3
  local dir="$OUT/gatling/$label"
  mkdir -p "$dir"
  curl -s -X POST "$SIM/admin/reset" >/dev/null
  echo "$label.loadBefore=$(loadavg)" >>"$EVENTS"
  echo "$label.start=$(date +%s.%N)" >>"$EVENTS"
  log "$label: $sim -> $url"
  # shellcheck disable=SC2086
  java $GATLING_JVM_OPTS -cp "$GATLING_CP" -Dtarget="$url" -Dseed="$SEED" -Duniverse="$UNIVERSE" \
    -Dfacts="$dir.facts" "$@" io.gatling.app.Gatling -s "dev.quotegate.load.$sim" -rf "$dir" -rd "$label" \
    >"$dir.log" 2>&1 &
  GATLING_PID=$!
  PIDS+=($GATLING_PID)
}
finish() { # label: wait for Gatling, record
  local label=$1 dir="$OUT/gatling/$1" rc=0
  wait "$GATLING_PID" || rc=$?
  curl -s "$SIM/admin/stats" >"$dir.upstream.json"
  echo "$label.end=$(date +%s.%N)" >>"$EVENTS"
  echo "$label.loadAfter=$(loadavg)" >>"$EVENTS"
  python3 "$APP_DIR/bench/report.py" record "$RESULTS" "$label" "$label" "$dir" "$dir.upstream.json" \
    "$dir.facts" "-" "-" "$rc"
  grep -E "^> (request count|response time (50|99)th|failed)" "$dir.log" | sed "s/^/    $label /" | tee -a "$OUT/run.log" >&2 || true
}
prom() { # LABEL: the gateways' lease, Redis-command and stream-poll meters now (prom/LABEL-gw<i>.txt)
  mkdir -p "$OUT/prom"
  local i=0 gp
  for gp in "${GW_PORTS[@]}"; do
    i=$((i + 1))
    curl -s --max-time 5 "http://127.0.0.1:$gp/actuator/prometheus" 2>/dev/null \
      | grep -E '^quotegate_(cache_lease_total|redis_commands_seconds_count|stream_symbols_polled|stream_clients)[ {]' \
      >"$OUT/prom/$1-gw$i.txt" || true
  done
}
polled() { # PORT: symbols that gateway polls (holds the stream poll lease of); -1 when it does not answer
  curl -s --max-time 2 "http://127.0.0.1:$1/actuator/prometheus" 2>/dev/null \
    | awk '/^quotegate_stream_symbols_polled[ {]/ {printf "%d", $NF; found=1} END {if (!found) printf "-1"}'
}
stats_at() { # label: simulator stats now, with a timestamp
  echo "$1.at=$(date +%s.%N)" >>"$EVENTS"
  echo "$1.stats=$(curl -s "$SIM/admin/stats" | tr -d '\n')" >>"$EVENTS"
}
DASH=(-Dusers="$DASH_USERS" -Dramp="$DASH_RAMP" -Dpool="$DASH_POOL" -DchartPct=0)
NG1="http://127.0.0.1:$NG1_PORT" NG3="http://127.0.0.1:$NG3_PORT"

# 1. dashboard, 1 instance
gatling dash-1 "$NG1" DashboardSimulation "${DASH[@]}" -Dduration="$DASH_SECONDS"; finish dash-1
sleep $((TTL * 2)) # let the first run's values expire everywhere (TTL + grace)
# 2. dashboard, 3 instances
gatling dash-3 "$NG3" DashboardSimulation "${DASH[@]}" -Dduration="$DASH_SECONDS"; finish dash-3

# 3. cold stampede across the 3 instances (fixed upstream latency)
curl -s -X PUT "$SIM/admin/faults" -H 'content-type: application/json' \
  -d "{\"latencyMs\":$STAMPEDE_LATENCY_MS,\"jitterMs\":0}" >/dev/null
prom stampede-3.before
gatling stampede-3 "$NG3" StampedeSimulation -Dusers="$STAMPEDE_USERS" -Dsymbols="$STAMPEDE_SYMBOLS" \
  -Drounds="$STAMPEDE_ROUNDS" -DcoldFrom="$DASH_POOL"; finish stampede-3
prom stampede-3.after
curl -s -X POST "$SIM/admin/reset?faults=true" >/dev/null
sleep $((TTL * 2))

# 4. a Redis master killed (kill -9) mid-run; its replica is promoted
gatling master-kill "$NG3" DashboardSimulation "${DASH[@]}" -Dduration="$FAIL_SECONDS"
sleep "$KILL_AFTER"
VICTIM=""
for p in "${REDIS_PORTS[@]}"; do
  if redis-cli -p "$p" role 2>/dev/null | head -n 1 | grep -q master; then VICTIM=$p; break; fi
done
stats_at master-kill.kill
kill -KILL "${REDIS_PID[$VICTIM]}"
log "master-kill: killed redis master :$VICTIM (pid ${REDIS_PID[$VICTIM]})"
OTHER=$(for p in "${REDIS_PORTS[@]}"; do [ "$p" != "$VICTIM" ] && echo "$p" && break; done)
victim_failed() { redis-cli -p "$OTHER" cluster nodes 2>/dev/null | awk -v v="127.0.0.1:$VICTIM@" 'index($2, v) == 1 && $3 ~ /(^|,)fail(,|$)/ {ok=1} END {exit !ok}'; }
for _ in $(seq 1 240); do victim_failed && break; sleep 0.1; done
stats_at master-kill.failed
for _ in $(seq 1 240); do cluster_ok && break; sleep 0.1; done
stats_at master-kill.promoted
MASTERS=$(redis-cli -p "$OTHER" cluster nodes | awk '$3 ~ /master/ && $3 !~ /fail/ && NF >= 9 {split($2,a,"@"); print a[1]}' | tr '\n' ' ')
log "master-kill: cluster ok again, masters now: $MASTERS"
echo "master-kill.mastersAfter=$MASTERS" >>"$EVENTS"
finish master-kill
KEYS_AFTER=0
for p in "${REDIS_PORTS[@]}"; do
  [ "$p" = "$VICTIM" ] && continue
  redis-cli -p "$p" role 2>/dev/null | head -n 1 | grep -q master || continue
  KEYS_AFTER=$((KEYS_AFTER + $(redis-cli -p "$p" dbsize)))
done
echo "master-kill.victim=$VICTIM" >>"$EVENTS"
echo "master-kill.keysOnMastersAfter=$KEYS_AFTER" >>"$EVENTS"
curl -s "http://127.0.0.1:${GW_PORTS[0]}/actuator/health" >"$OUT/health-after-master-kill.json" || true
sleep $((TTL * 2))

# 5. a gateway instance killed (kill -9) mid-run: the one holding the stream poll leases, with
#    SSE subscribers on every instance; the dashboard through nginx meanwhile
STREAM_LIST=$(curl -s "$SIM/v1/symbols" | python3 -c 'import json,sys; s=[i["symbol"] for i in json.load(sys.stdin)["symbols"]]; print(",".join(s[-int(sys.argv[1]):]))' "$STREAM_SYMBOLS")
SPATH="/api/v1/stream/quotes?symbols=$STREAM_LIST"
echo "gateway-kill.streamSymbols=$STREAM_LIST" >>"$EVENTS"
# One subscriber on gateway 3 first: it takes every poll lease (the others follow the bus).
curl -sN --max-time $((FAIL_SECONDS + 120)) "http://127.0.0.1:${GW_PORTS[2]}$SPATH" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do [ "$(polled "${GW_PORTS[2]}")" = "$STREAM_SYMBOLS" ] && break; sleep 0.5; done
BASES=$(printf 'http://127.0.0.1:%s,' "${GW_PORTS[@]}"); BASES=${BASES%,}
# shellcheck disable=SC2086
java -Xms64m -Xmx256m -cp "$GATLING_CP" dev.quotegate.stream.ClusterStreamWatch --bases="$BASES" --path="$SPATH" \
  --per-instance="$STREAM_PER_INSTANCE" --seconds=$((FAIL_SECONDS + 10)) --out="$OUT/streams.txt" \
  >"$OUT/stream-watch.log" 2>&1 &
WATCH_PID=$!; PIDS+=($WATCH_PID)
for _ in $(seq 1 120); do grep -q '^READY' "$OUT/stream-watch.log" && break; sleep 0.5; done
log "gateway-kill: stream subscribers $(grep '^READY' "$OUT/stream-watch.log" || echo 'not ready'), polled per gateway: $(for gp in "${GW_PORTS[@]}"; do printf '%s ' "$(polled "$gp")"; done)"
echo "gateway-kill.streamReady=$(date +%s%3N)" >>"$EVENTS"
prom gateway-kill.before
gatling gateway-kill "$NG3" DashboardSimulation "${DASH[@]}" -Dduration="$FAIL_SECONDS"
sleep "$KILL_AFTER"
HOLDER=0 MOST=-1
for i in 0 1 2; do n=$(polled "${GW_PORTS[$i]}"); [ "$n" -gt "$MOST" ] && { MOST=$n; HOLDER=$i; }; done
echo "gateway-kill.polledAtKill=$(for gp in "${GW_PORTS[@]}"; do printf '%s ' "$(polled "$gp")"; done)" >>"$EVENTS"
stats_at gateway-kill.kill
echo "gateway-kill.killMs=$(date +%s%3N)" >>"$EVENTS"
kill -KILL "${GW_PIDS[$HOLDER]}"
echo "gateway-kill.victim=$((HOLDER + 1))" >>"$EVENTS"
log "gateway-kill: killed gateway $((HOLDER + 1)) :${GW_PORTS[$HOLDER]} (pid ${GW_PIDS[$HOLDER]}), it polled $MOST of $STREAM_SYMBOLS stream symbols"
# Takeover as the survivors' meters show it: every stream symbol polled again by one of them.
for _ in $(seq 1 300); do
  sum=0
  for i in 0 1 2; do [ "$i" = "$HOLDER" ] && continue; n=$(polled "${GW_PORTS[$i]}"); [ "$n" -gt 0 ] && sum=$((sum + n)); done
  [ "$sum" -ge "$STREAM_SYMBOLS" ] && break
  sleep 0.1
done
echo "gateway-kill.takeoverMs=$(date +%s%3N)" >>"$EVENTS"
echo "gateway-kill.polledAfter=$(for i in 0 1 2; do [ "$i" = "$HOLDER" ] && continue; printf '%s ' "$(polled "${GW_PORTS[$i]}")"; done)" >>"$EVENTS"
log "gateway-kill: survivors poll $sum of $STREAM_SYMBOLS stream symbols"
finish gateway-kill
wait "$WATCH_PID" || log "gateway-kill: the stream watcher ended with $?"
grep -c 'upstream' "$NGX/logs/error.log" >"$OUT/nginx-upstream-errors.txt" || true

echo "loadEnd=$(loadavg)" >>"$EVENTS"
echo "durationSeconds=$(( $(date +%s) - STARTED ))" >>"$EVENTS"
python3 - "$OUT" "$TTL" <<'EOF'
import json, math, os, sys
out, ttl = sys.argv[1], float(sys.argv[2])
rows = {}
for line in open(os.path.join(out, "results.jsonl")):
    r = json.loads(line); rows[r["target"]] = r
ev = {}
for line in open(os.path.join(out, "events.txt")):
    k, _, v = line.rstrip("\n").partition("="); ev[k] = v
def f(v, d=0): return "–" if v is None else (f"{v:,.{d}f}")
L = [f"Run: {os.path.basename(out)}, {ev.get('durationSeconds')} s; load average (1/5/15 min) at start {ev.get('loadStart')}, at end {ev.get('loadEnd')}", ""]
L.append("| Run | requests | failed | p50 ms | p99 ms | upstream requests | upstream symbols | ideal minimum | × ideal | load before → after |")
L.append("|---|---|---|---|---|---|---|---|---|---|")
for name, r in rows.items():
    g = r["gatling"].get("ALL", {}); up = r["upstream"] or {}
    main = r["gatling"].get("watchlist") or r["gatling"].get("cold") or g
    ideal = None
    fa = r["facts"]
    if "distinctSymbols" in fa:
        ideal = float(fa["distinctSymbols"]) * math.ceil(float(fa["windowSeconds"]) / ttl)
    syms = up.get("symbolsRequested")
    L.append(f"| {name} | {f(g.get('total'))} | {f(g.get('ko'))} | {f(main.get('p50'))} | {f(main.get('p99'))} | "
             f"{f(up.get('requests'))} | {f(syms)} | {f(ideal)} | {f(syms / ideal, 2) if ideal and syms is not None else '–'} | "
             f"{ev.get(name + '.loadBefore', '?').split()[0]} → {ev.get(name + '.loadAfter', '?').split()[0]} |")
L.append("")
s = rows.get("stampede-3")
if s:
    fa = s["facts"]; up = s["upstream"] or {}
    n = fa.get("coldSymbols", "").count(",") + 1
    c = s["gatling"].get("cold", {})
    L.append(f"- Cold stampede: {f(c.get('total'))} cold requests on {n} fresh symbols, {f(up.get('requests'))} upstream requests, "
             f"{f(up.get('symbolsRequested'))} upstream symbols (target: {n}); cold p50 {f(c.get('p50'))} ms, p99 {f(c.get('p99'))} ms.")
for run in ("master-kill", "gateway-kill"):
    r = rows.get(run)
    if not r: continue
    t0 = float(ev[run + ".start"]); t1 = float(ev[run + ".end"])
    marks = [(t0, {"symbolsRequested": 0, "requests": 0})]
    for m in ("kill", "failed", "promoted"):
        if run + "." + m + ".at" in ev:
            marks.append((float(ev[run + "." + m + ".at"]), json.loads(ev[run + "." + m + ".stats"])))
    marks.append((t1, r["upstream"]))
    distinct = float(r["facts"].get("distinctSymbols", "nan"))
    parts = []
    names = ["start → kill", "kill → master marked failed", "failed → replica promoted (cluster ok)", "promoted → end"] if run == "master-kill" else ["start → kill", "kill → end"]
    for (a, sa), (b, sb), nm in zip(marks, marks[1:], names):
        d = sb["symbolsRequested"] - sa["symbolsRequested"]
        parts.append(f"{nm} ({b - a:.1f} s): {d} upstream symbols, {d / (b - a):.1f}/s")
    L.append(f"- {run}: failed requests {f(r['gatling'].get('ALL', {}).get('ko'))}; " + "; ".join(parts) +
             f"; the ideal steady rate is {distinct:.0f} distinct symbols / {ttl:.0f} s TTL = {distinct / ttl:.1f}/s"
             " (Gatling's ramp and first fetches inflate the first window).")
import datetime, glob, re
def prom(label):
    """Sums over the gateways of meter{labels} values in prom/LABEL-gw*.txt: {(name, frozenset(labels)): value}."""
    out = {}
    for path in glob.glob(os.path.join(out_dir, "prom", label + "-gw*.txt")):
        for line in open(path):
            m = re.match(r'(\w+)\{([^}]*)\} (\S+)', line)
            if not m: continue
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', m.group(2)))
            k = (m.group(1), labels); out[k] = out.get(k, 0.0) + float(m.group(3))
    return out
def delta(a, b, name, **want):
    w = set(want.items()); tot = 0.0
    for (n, labels), v in b.items():
        if n == name and w <= set(labels): tot += v - a.get((n, labels), 0.0)
    return tot
out_dir = out
if s:
    by = (s["upstream"] or {}).get("quotesBySymbol") or {}
    cold_syms = fa.get("coldSymbols", "").split(",")
    counts = [int(by.get(c, 0)) for c in cold_syms]
    dup = {c: int(by.get(c, 0)) for c in cold_syms if int(by.get(c, 0)) != 1}
    cached = fa.get("cachedSymbol", "AAPL")
    others = {k: v for k, v in by.items() if k not in cold_syms and k != cached}
    L.append(f"- Cold stampede per symbol (simulator `quotesBySymbol`): the {len(cold_syms)} cold symbols were fetched "
             f"{sum(counts)} times in all, max {max(counts) if counts else 0} per symbol"
             + (f"; not once: {dup}" if dup else " (each exactly once)")
             + f"; the cached symbol {cached} {int(by.get(cached, 0))} times (its TTL refreshes between the bursts)"
             + (f"; other symbols {others}" if others else "") + ".")
    a, b = prom("stampede-3.before"), prom("stampede-3.after")
    if a and b:
        lease = {o: int(delta(a, b, "quotegate_cache_lease_total", kind="quote", outcome=o))
                 for o in ("won", "waited", "woken", "timeout", "late_hit", "skipped", "unhealthy", "error")}
        tmo = int(delta(a, b, "quotegate_redis_commands_seconds_count", outcome="timeout"))
        rej = int(delta(a, b, "quotegate_redis_commands_seconds_count", outcome="rejected"))
        ok = int(delta(a, b, "quotegate_redis_commands_seconds_count", outcome="success"))
        L.append(f"- Stampede, the three gateways' quote leases (sum of deltas): {lease}; Redis commands: {ok} answered, "
                 f"{tmo} timed out, {rej} skipped by an open breaker.")
w = rows.get("gateway-kill")
wf = os.path.join(out, "streams.txt")
if w and os.path.exists(wf) and "gateway-kill.killMs" in ev:
    kill = int(ev["gateway-kill.killMs"]); victim = int(ev["gateway-kill.victim"])
    takeover = int(ev.get("gateway-kill.takeoverMs", kill)); ready = int(ev.get("gateway-kill.streamReady", kill))
    subs = []
    for line in open(wf):
        f = line.split()
        if len(f) < 4: continue
        ev_t = [tuple(map(int, x.split(":"))) for x in f[4:]]
        subs.append({"instance": int(f[0]), "ended": int(f[2]), "reason": f[3], "events": ev_t})
    end_t = max([t for sb in subs for t, _ in sb["events"]] + [kill])
    def pct(xs, p):
        xs = sorted(xs); return xs[min(len(xs) - 1, int(p / 100 * len(xs)))] if xs else float("nan")
    surv = [sb for sb in subs if sb["instance"] != victim]
    dead = [sb for sb in subs if sb["instance"] == victim]
    lost = [sb for sb in surv if sb["ended"] != -1]
    first_after, gaps, before_q, after_q, base_gap = [], [], [], [], []
    pre_a, pre_b = ready + 3000, kill
    post_a = takeover + 3000; post_b = end_t
    for sb in surv:
        ts_ = [t for t, _ in sb["events"]]
        nxt = [t for t in ts_ if t > kill]
        prev = [t for t in ts_ if t <= kill]
        if nxt: first_after.append(nxt[0] - kill)
        if nxt and prev: gaps.append(nxt[0] - prev[-1])
        pre = [t for t in ts_ if pre_a <= t < pre_b]
        base_gap += [y - x for x, y in zip(pre, pre[1:])]
        if pre_b > pre_a: before_q.append(sum(n for t, n in sb["events"] if pre_a <= t < pre_b) / ((pre_b - pre_a) / 1000))
        if post_b > post_a: after_q.append(sum(n for t, n in sb["events"] if post_a <= t < post_b) / ((post_b - post_a) / 1000))
    med = lambda xs: pct(xs, 50)
    L.append(f"- gateway-kill streams: {len(subs)} SSE subscribers ({len(surv)} on the survivors, {len(dead)} on the victim, "
             f"gateway {victim}, which polled {ev.get('gateway-kill.polledAtKill', '?').split()[victim - 1] if ev.get('gateway-kill.polledAtKill') else '?'} "
             f"of the {len(ev.get('gateway-kill.streamSymbols', '').split(','))} stream symbols; polled per gateway at the kill: {ev.get('gateway-kill.polledAtKill', '?').strip()}). "
             f"Takeover by the survivors' meters (every symbol polled again, `quotegate.stream.symbols.polled`) {takeover - kill} ms after the kill "
             f"(polled after: {ev.get('gateway-kill.polledAfter', '?').strip()}). "
             f"Survivors' next quote event after the kill: p50 {med(first_after):.0f} ms, p95 {pct(first_after, 95):.0f} ms, max {max(first_after) if first_after else float('nan'):.0f} ms "
             f"({len(first_after)} of {len(surv)} got one); longest silence across the kill p50 {med(gaps):.0f} ms, max {max(gaps) if gaps else float('nan'):.0f} ms "
             f"(between two quote events before the kill: p50 {med(base_gap):.0f} ms, p99 {pct(base_gap, 99):.0f} ms). "
             f"Quotes per second per survivor subscriber: {med(before_q):.2f} before the kill (p50), {med(after_q):.2f} from 3 s after the takeover to the end. "
             f"Survivor streams ended: {len(lost)}" + (f" ({sorted(set(sb['reason'] for sb in lost))})" if lost else "")
             + f"; victim streams ended: {sum(1 for sb in dead if sb['ended'] != -1)} of {len(dead)}.")
def ts(line):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+)Z", line)
    return datetime.datetime.fromisoformat(m.group(1)).replace(tzinfo=datetime.timezone.utc).timestamp() if m else None
opens = []
for log in sorted(glob.glob(os.path.join(out, "gateway-*.log"))):
    for line in open(log, errors="replace"):
        if "circuit breaker open" in line and ts(line):
            opens.append((ts(line), os.path.basename(log)))
for name in rows:
    a, b = float(ev[name + ".start"]), float(ev[name + ".end"])
    hits = [g for t, g in opens if a <= t <= b]
    if hits:
        L.append(f"- {name}: gateway Redis circuit breaker opened {len(hits)} time(s) during the run "
                 f"({', '.join(sorted(set(hits)))}; leases off meanwhile, each instance fetches for itself).")
if "master-kill.keysOnMastersAfter" in ev:
    L.append(f"- After the master kill: victim :{ev['master-kill.victim']}, keys on the live masters at the end {ev['master-kill.keysOnMastersAfter']}.")
open(os.path.join(out, "summary.md"), "w").write("\n".join(L) + "\n")
print("\n".join(L))
EOF
log "done in $(( $(date +%s) - STARTED )) s; summary in $OUT/summary.md"
}

main "$@"; exit $?
