#!/usr/bin/env bash
# Benchmark runner (issue 7): the gateway beside nginx's proxy_cache and a bare Reactor Netty
# server, under the same Gatling workloads, in one run on this machine.
#
#   app/bench/run.sh            full run (about 11 minutes), rewrites the
#                               '## Gateway vs nginx vs baseline' section of docs/benchmarks.md
#   app/bench/run.sh --quick    short smoke run (about 3 minutes), figures not written to docs
#   app/bench/run.sh --profile  also records a JFR profile of the gateway during the dashboard
#                               workload (target/bench/<run>/gateway-dashboard.jfr + summaries)
#   app/bench/run.sh --no-doc   full run without touching docs/benchmarks.md
#
# Every setting below can be overridden from the environment (e.g. DASH_USERS=500 app/bench/run.sh);
# WORKLOADS="stampede" (any of hot dashboard stampede stream) runs only those.
# Processes: simulator, gateway and baseline JVMs and an nginx master run as children of this
# script, bound to 127.0.0.1 only, and are stopped on exit (trap), whatever happens.
set -euo pipefail

# The whole script is one function, parsed before it runs: editing this file during a run
# cannot change the run.
main() {
APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(dirname "$APP_DIR")
cd "$ROOT_DIR"

QUICK=false PROFILE=false WRITE_DOC=true
for arg in "$@"; do
  case "$arg" in
    --quick) QUICK=true; WRITE_DOC=false ;;
    --profile) PROFILE=true ;;
    --no-doc) WRITE_DOC=false ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

# ---- settings -------------------------------------------------------------------------------
TTL=${TTL:-5}                          # quote TTL (s), gateway and nginx alike
SIM_LATENCY_MS=${SIM_LATENCY_MS:-20}   # simulator: fixed latency ...
SIM_JITTER_MS=${SIM_JITTER_MS:-30}     # ... plus uniform jitter: 20-50 ms per upstream call
SIM_BATCH_LIMIT=${SIM_BATCH_LIMIT:-50} # symbols per upstream call, gateway and nginx alike
QUOTE_GRACE=${QUOTE_GRACE:-5s}         # gateway stale-while-revalidate, the counterpart of nginx's
                                       # proxy_cache_use_stale updating + background_update (0s = off)
UNIVERSE=${UNIVERSE:-500}
SEED=${SEED:-42}
JVM_OPTS=${JVM_OPTS:--Xms512m -Xmx1g -XX:+UseG1GC}
GATLING_JVM_OPTS=${GATLING_JVM_OPTS:--Xms512m -Xmx1g -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxInlineLevel=20 -XX:MaxTrivialSize=12 --add-opens=java.base/java.lang=ALL-UNNAMED}
if $QUICK; then
  HOT_USERS=${HOT_USERS:-32} HOT_WARMUP=${HOT_WARMUP:-20} HOT_SECONDS=${HOT_SECONDS:-10}
  DASH_USERS=${DASH_USERS:-100} DASH_RAMP=${DASH_RAMP:-5} DASH_SECONDS=${DASH_SECONDS:-20}
  STAMPEDE_USERS=${STAMPEDE_USERS:-500} STAMPEDE_ROUNDS=${STAMPEDE_ROUNDS:-2}
  STREAM_USERS=${STREAM_USERS:-50} STREAM_RAMP=${STREAM_RAMP:-5} STREAM_HOLD=${STREAM_HOLD:-15}
else
  HOT_USERS=${HOT_USERS:-64} HOT_WARMUP=${HOT_WARMUP:-45} HOT_SECONDS=${HOT_SECONDS:-30}
  DASH_USERS=${DASH_USERS:-300} DASH_RAMP=${DASH_RAMP:-10} DASH_SECONDS=${DASH_SECONDS:-60}
  STAMPEDE_USERS=${STAMPEDE_USERS:-2000} STAMPEDE_ROUNDS=${STAMPEDE_ROUNDS:-3}
  STREAM_USERS=${STREAM_USERS:-200} STREAM_RAMP=${STREAM_RAMP:-20} STREAM_HOLD=${STREAM_HOLD:-30}
fi
STAMPEDE_SYMBOLS=${STAMPEDE_SYMBOLS:-4}
STAMPEDE_LATENCY_MS=${STAMPEDE_LATENCY_MS:-40} # fixed (no jitter) while stampeding, so added latency is exact
DASH_POOL=${DASH_POOL:-400}                     # dashboard symbols: universe[0..400); stampede: the rest
WORKLOADS=${WORKLOADS:-hot dashboard stampede stream} # a subset runs only those (e.g. WORKLOADS=stampede)
wants() { [[ " $WORKLOADS " == *" $1 "* ]]; }
GATEWAY_ARGS=${GATEWAY_ARGS:-}                  # more gateway options, e.g. --quotegate.cache.kinds.quote.grace=5s

STAMP=$(date -u +%Y%m%d-%H%M%S)
OUT="$APP_DIR/target/bench/$STAMP"
mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"
: > "$RESULTS"
STARTED=$(date +%s)
LOAD_AT_START=$(cut -d' ' -f1 /proc/loadavg)
log() { printf '%s bench: %s\n' "$(date -u +%H:%M:%S)" "$*" | tee -a "$OUT/run.log" >&2; }

# ---- processes, always cleaned up -----------------------------------------------------------
PIDS=()
cleanup() {
  local rc=$?
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [ "$rc" = 0 ] || log "failed (exit $rc); logs in $OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

wait_http() { # name url [seconds]
  local deadline=$(( $(date +%s) + ${3:-90} ))
  until curl -s -o /dev/null --max-time 2 "$2"; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "$1 did not answer on $2"; return 1; }
    sleep 0.5
  done
}

loadavg() { cut -d' ' -f1 /proc/loadavg; }

# CPU time (ms) used so far by a process and its direct children (nginx workers).
CLK_TCK=$(getconf CLK_TCK)
cpu_ms() {
  local total=0 p
  for p in "$1" $(ps -o pid= --ppid "$1" 2>/dev/null); do
    [ -r "/proc/$p/stat" ] || continue
    total=$(( total + $(sed 's/^.*) //' "/proc/$p/stat" | awk '{print $12 + $13}') ))
  done
  echo $(( total * 1000 / CLK_TCK ))
}
declare -gA SERVER_PID

# ---- build ----------------------------------------------------------------------------------
log "building the jar, the test classes and the Gatling class path"
./mvnw -q -B -pl app package -DskipTests
./mvnw -q -B -pl app dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" >/dev/null
JAR=$(ls "$APP_DIR"/target/quotegate-app-*.jar | grep -v original | head -n 1)
GATLING_CP="$APP_DIR/target/test-classes:$APP_DIR/target/classes:$(cat "$OUT/classpath.txt")"

if ! command -v nginx >/dev/null; then
  log "nginx is not installed: installing Debian's package (its service is not started)"
  apt-get install -y -qq nginx >/dev/null
fi

# ---- start the four servers ------------------------------------------------------------------
SIM_PORT=$(free_port) GW_PORT=$(free_port) NGX_PORT=$(free_port) BASE_PORT=$(free_port)
SIM="http://127.0.0.1:$SIM_PORT"

log "simulator on :$SIM_PORT (latency ${SIM_LATENCY_MS}+[0,${SIM_JITTER_MS}] ms, batch limit $SIM_BATCH_LIMIT)"
# shellcheck disable=SC2086
java $JVM_OPTS -cp "$JAR" -Dloader.main=dev.quotegate.simulator.SimulatorMain \
  org.springframework.boot.loader.launch.PropertiesLauncher \
  --host=127.0.0.1 --port="$SIM_PORT" --seed="$SEED" --universe-size="$UNIVERSE" \
  --batch-limit="$SIM_BATCH_LIMIT" --latency-ms="$SIM_LATENCY_MS" --jitter-ms="$SIM_JITTER_MS" \
  >"$OUT/simulator.log" 2>&1 &
PIDS+=($!)

log "gateway on :$GW_PORT -> $SIM (TTL ${TTL}s, stale-while-revalidate grace $QUOTE_GRACE, batch size $SIM_BATCH_LIMIT)"
# shellcheck disable=SC2086
java $JVM_OPTS -jar "$JAR" \
  --server.address=127.0.0.1 --server.port="$GW_PORT" \
  --quotegate.simulator.enabled=false \
  --quotegate.providers.sim.base-url="$SIM" \
  --quotegate.providers.sim.batch-size="$SIM_BATCH_LIMIT" \
  --quotegate.quotes.ttl-market-open="${TTL}s" --quotegate.quotes.ttl-market-closed="${TTL}s" \
  --quotegate.cache.kinds.quote.grace="$QUOTE_GRACE" \
  `# every virtual user comes from 127.0.0.1: lift the anonymous tier's per-IP limits (docs/api.md)` \
  --quotegate.rate-limit.anonymous.requests-per-second=1000000 --quotegate.rate-limit.anonymous.burst=1000000 \
  --quotegate.rate-limit.anonymous.max-streams=1000000 \
  --logging.level.root=WARN $GATEWAY_ARGS \
  >"$OUT/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=($GW_PID)
SERVER_PID[gateway]=$GW_PID

log "baseline (bare Reactor Netty) on :$BASE_PORT"
# shellcheck disable=SC2086
java $JVM_OPTS -cp "$JAR" -Dloader.path="$APP_DIR/target/test-classes" \
  -Dloader.main=dev.quotegate.load.BaselineServer \
  org.springframework.boot.loader.launch.PropertiesLauncher --port="$BASE_PORT" \
  >"$OUT/baseline.log" 2>&1 &
PIDS+=($!)
SERVER_PID[baseline]=$!

NGX="$OUT/nginx"
mkdir -p "$NGX/cache" "$NGX/tmp" "$NGX/logs"
NGX_USER=""
[ "$(id -u)" = 0 ] && NGX_USER="user root root;"
cat >"$NGX/nginx.conf" <<EOF
# nginx as a user would put it in front of the same upstream: a caching reverse proxy with
# one fetch per key at a time (proxy_cache_lock) and stale answers while it refreshes.
$NGX_USER
worker_processes auto;
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
  keepalive_timeout 75s;
  # Same compression as the gateway (web/GzipResponses: JSON from 2 KB, gzip level 6).
  gzip on;
  gzip_types application/json;
  gzip_min_length 2048;
  gzip_comp_level 6;

  proxy_cache_path $NGX/cache levels=1:2 keys_zone=quotes:32m max_size=256m inactive=10m use_temp_path=off;
  upstream sim {
    server 127.0.0.1:$SIM_PORT;
    keepalive 64;
  }
  server {
    listen 127.0.0.1:$NGX_PORT backlog=4096;
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_connect_timeout 2s;
    proxy_read_timeout 3s;   # = quotegate.resilience.providers.sim.timeout (built-in 3s)
    proxy_cache quotes;
    proxy_cache_valid 200 ${TTL}s;
    proxy_ignore_headers Cache-Control Expires Set-Cookie;
    proxy_cache_lock on;
    proxy_cache_lock_timeout 5s;
    proxy_cache_lock_age 5s;
    proxy_cache_use_stale updating error timeout http_500 http_502 http_503 http_504;
    proxy_cache_background_update on;
    add_header X-Cache-Status \$upstream_cache_status;

    # Local answer for connection warm-up, like the gateway's /actuator/health.
    location = /actuator/health {
      default_type application/json;
      return 200 '{"status":"UP"}';
    }
    # Gateway URL shapes rewritten to the simulator's.
    location ~ ^/api/v1/quotes/(?<sym>[^/]+)\$ {
      proxy_pass http://sim/v1/quotes?symbols=\$sym;
    }
    location = /api/v1/quotes {
      proxy_pass http://sim/v1/quotes\$is_args\$args;
    }
    location ~ ^/api/v1/history/(?<sym>[^/]+)\$ {
      proxy_pass http://sim/v1/bars/\$sym?interval=\$arg_interval;
    }
    location / {
      return 404;
    }
  }
}
EOF
log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on :$NGX_PORT, caching $SIM"
nginx -t -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" >"$NGX/logs/configtest.log" 2>&1
nginx -p "$NGX" -c "$NGX/nginx.conf" -e "$NGX/logs/error.log" -g 'daemon off;' >"$NGX/logs/stdout.log" 2>&1 &
PIDS+=($!)
SERVER_PID[nginx]=$!

wait_http simulator "$SIM/admin/stats"
wait_http baseline "http://127.0.0.1:$BASE_PORT/"
wait_http nginx "http://127.0.0.1:$NGX_PORT/actuator/health"
wait_http gateway "http://127.0.0.1:$GW_PORT/actuator/health" 180

# First calls through each proxy: a cold JVM on a loaded machine can miss the 3 s upstream
# timeout on its very first call (class loading, first HTTP/2 connection), so allow a few.
for check in "http://127.0.0.1:$GW_PORT/api/v1/quotes/AAPL" "http://127.0.0.1:$NGX_PORT/api/v1/quotes/AAPL"; do
  for attempt in $(seq 1 10); do
    code=$(curl -s -o "$OUT/first-call.txt" -w '%{http_code}' --max-time 10 "$check" || true)
    [ "$code" = 200 ] && break
    log "$check answered $code (attempt $attempt): $(head -c 200 "$OUT/first-call.txt")"
    sleep 1
  done
  [ "$code" = 200 ] || exit 1
done

# ---- one Gatling run --------------------------------------------------------------------------
# run WORKLOAD TARGET_LABEL TARGET_URL SIMULATION [record|warmup] -Dprop=value...
run() {
  local workload=$1 label=$2 url=$3 sim=$4 mode=$5
  shift 5
  local dir="$OUT/gatling/$label-$workload${mode:+-$mode}"
  local facts="$dir.facts"
  mkdir -p "$dir"
  curl -s -X POST "$SIM/admin/reset" >/dev/null
  local before rc=0 cpu_before
  before=$(loadavg)
  cpu_before=$(cpu_ms "${SERVER_PID[$label]}")
  log "$workload -> $label ($mode)"
  # shellcheck disable=SC2086
  java $GATLING_JVM_OPTS -cp "$GATLING_CP" -Dtarget="$url" -Dseed="$SEED" -Duniverse="$UNIVERSE" \
    -Dfacts="$facts" "$@" \
    io.gatling.app.Gatling -s "dev.quotegate.load.$sim" -rf "$dir" -rd "$workload against $label" \
    >"$dir.log" 2>&1 || rc=$?
  curl -s "$SIM/admin/stats" >"$dir.upstream.json"
  echo "serverCpuMs=$(( $(cpu_ms "${SERVER_PID[$label]}") - cpu_before ))" >>"$facts"
  if [ "$mode" = record ]; then
    python3 "$APP_DIR/bench/report.py" record "$RESULTS" "$label" "$workload" "$dir" "$dir.upstream.json" \
      "$facts" "$before" "$(loadavg)" "$rc"
    grep -E "^> (request count|response time (50|95|99)th|mean throughput)" "$dir.log" | sed "s/^/    $label $workload /" | tee -a "$OUT/run.log" >&2 || true
  fi
}

GW="http://127.0.0.1:$GW_PORT" NG="http://127.0.0.1:$NGX_PORT" BL="http://127.0.0.1:$BASE_PORT"

# Hot single quote: warm each target's JIT first, then measure.
wants hot && for t in gateway nginx baseline; do
  case $t in gateway) url=$GW ;; nginx) url=$NG ;; baseline) url=$BL ;; esac
  run hot "$t" "$url" HotQuoteSimulation warmup -Dusers="$HOT_USERS" -Dduration="$HOT_WARMUP"
  run hot "$t" "$url" HotQuoteSimulation record -Dusers="$HOT_USERS" -Dduration="$HOT_SECONDS"
done

# Dashboard watchlists (charts off: nginx cannot serve the gateway's chart endpoint; the
# simulation opens charts by default when run on its own).
wants dashboard && for t in gateway nginx; do
  case $t in gateway) url=$GW ;; nginx) url=$NG ;; esac
  if [ $t = gateway ] && $PROFILE; then
    jcmd "$GW_PID" JFR.start name=dashboard settings=profile filename="$OUT/gateway-dashboard.jfr" >/dev/null
  fi
  run dashboard "$t" "$url" DashboardSimulation record -Dusers="$DASH_USERS" -Dramp="$DASH_RAMP" \
    -Dduration="$DASH_SECONDS" -Dpool="$DASH_POOL" -DchartPct=0
  if [ $t = gateway ] && $PROFILE; then
    jcmd "$GW_PID" JFR.stop name=dashboard >/dev/null
    # Summarised after the last workload (jfr print takes minutes on a busy machine).
    log "profile: $OUT/gateway-dashboard.jfr (summary in gateway-dashboard.top.txt at the end)"
  fi
done

# Cold stampede: fixed upstream latency so "one upstream fetch" is a single figure.
curl -s -X PUT "$SIM/admin/faults" -H 'content-type: application/json' \
  -d "{\"latencyMs\":$STAMPEDE_LATENCY_MS,\"jitterMs\":0}" >/dev/null
FETCH_TIMES="$OUT/upstream-fetch-ms.txt"
: >"$FETCH_TIMES"
for i in $(seq 1 20); do
  curl -s -o /dev/null -w '%{time_total}\n' "$SIM/v1/quotes?symbols=AAPL" | awk '{printf "%.2f\n", $1 * 1000}' >>"$FETCH_TIMES"
done
cold_from=$DASH_POOL
wants stampede && for t in gateway nginx; do
  case $t in gateway) url=$GW ;; nginx) url=$NG ;; esac
  run stampede "$t" "$url" StampedeSimulation record -Dusers="$STAMPEDE_USERS" -Dsymbols="$STAMPEDE_SYMBOLS" \
    -Drounds="$STAMPEDE_ROUNDS" -DcoldFrom="$cold_from"
done
curl -s -X POST "$SIM/admin/reset?faults=true" >/dev/null

# SSE streams: only once the gateway serves them.
stream_code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$GW/api/v1/stream/quotes?symbols=AAPL" || true)
STREAM_NOTE=""
if ! wants stream; then
  :
elif [ "$stream_code" != 200 ]; then
  STREAM_NOTE="SSE stream workload skipped: GET /api/v1/stream/quotes answered $stream_code on this build."
  log "$STREAM_NOTE"
else
  run stream gateway "$GW" StreamSimulation record -Dusers="$STREAM_USERS" -Dramp="$STREAM_RAMP" -Dhold="$STREAM_HOLD"
fi

if $PROFILE; then
  jfr summary "$OUT/gateway-dashboard.jfr" >"$OUT/gateway-dashboard.summary.txt" || true
  python3 "$APP_DIR/bench/hot_methods.py" "$OUT/gateway-dashboard.jfr" 30 \
    "SymbolParams,QuoteHandler,QuoteView,QuoteService,LocalCache,Coalescer,Batcher,jackson,HttpContentCompressor,java.util.Formatter,java.util.regex,DefaultMeterObservationHandler" \
    >"$OUT/gateway-dashboard.top.txt" 2>&1 || true
fi

# ---- report -----------------------------------------------------------------------------------
ENDED=$(date +%s)
CMD="app/bench/run.sh${*:+ $*}"
python3 - "$OUT/meta.json" <<EOF
import json, os, platform, subprocess, sys
def sh(c):
    try:
        return subprocess.run(c, shell=True, capture_output=True, text=True).stdout.strip()
    except Exception:
        return "?"
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = next((l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal")), "0")
fetch = sorted(float(x) for x in open("$FETCH_TIMES") if x.strip())
meta = {
  "command": "$CMD",
  "date": sh("date -u '+%Y-%m-%d %H:%M UTC'"),
  "durationSeconds": $ENDED - $STARTED,
  "reports": "$OUT/gatling",
  "machine": {
    "CPU": f"{cpu}, nproc {os.cpu_count()}",
    "memory": f"{int(mem) / 1048576:.1f} GiB",
    "OS": sh("uname -sr") + ", " + sh(". /etc/os-release && echo \$PRETTY_NAME"),
    "Java": sh("java -version 2>&1 | head -n 2 | tail -n 1"),
    "nginx": sh("nginx -v 2>&1 | sed 's/.*: //'"),
    "Gatling": "3.15.1 (HTTP/1.1 keep-alive, one connection per virtual user, client cache off)",
    "stack": "Spring Boot 4.1.2, Reactor Netty 1.3.x, Netty 4.2.18 (epoll)",
    "load": "1-minute load average $LOAD_AT_START when the run started (the load generator shares the two cores with the servers); see the load column",
  },
  "settings": {
    "ttlSeconds": "$TTL", "quoteGrace": "$QUOTE_GRACE", "gatewayArgs": "$GATEWAY_ARGS", "simLatencyMs": "$SIM_LATENCY_MS", "simJitterMs": "$SIM_JITTER_MS",
    "batchLimit": "$SIM_BATCH_LIMIT", "jvm": "$JVM_OPTS", "gatlingJvm": "$GATLING_JVM_OPTS",
    "hot": "users=$HOT_USERS warmup=${HOT_WARMUP}s measure=${HOT_SECONDS}s symbol=AAPL",
    "dashboard": "users=$DASH_USERS ramp=${DASH_RAMP}s duration=${DASH_SECONDS}s pool=$DASH_POOL watchlists=10-50 zipf=1.0 poll=1s charts=off",
    "stampede": "users=$STAMPEDE_USERS symbols/round=$STAMPEDE_SYMBOLS rounds=$STAMPEDE_ROUNDS upstream latency=${STAMPEDE_LATENCY_MS}ms fixed",
    "stream": "users=$STREAM_USERS ramp=${STREAM_RAMP}s hold=${STREAM_HOLD}s",
  },
  "upstreamFetchMs": {"p50": fetch[len(fetch) // 2], "max": fetch[-1], "n": len(fetch)} if fetch else None,
  "notes": [n for n in ["$STREAM_NOTE"] if n],
}
json.dump(meta, open(sys.argv[1], "w"), indent=1)
EOF
if $WRITE_DOC; then
  python3 "$APP_DIR/bench/report.py" write "$RESULTS" "$ROOT_DIR/docs/benchmarks.md" "$OUT/meta.json"
  log "table written to docs/benchmarks.md"
else
  python3 "$APP_DIR/bench/report.py" write "$RESULTS" "$OUT/benchmarks.md" "$OUT/meta.json"
  log "table written to $OUT/benchmarks.md"
fi
log "done in $((ENDED - STARTED)) s; reports under $OUT/gatling"
}

main "$@"; exit $?
