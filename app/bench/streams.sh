#!/usr/bin/env bash
# Out-of-process stream benchmark (issue 20): the gateway and a bare Reactor Netty SSE/WebSocket
# peer in one server JVM (with the simulator both fetch from), clients in a JVM of their own
# per step, loopback only. Writes app/target/stream-bench.md (copy the figures into
# docs/benchmarks.md "Streams").
#
#   app/bench/streams.sh                         default steps (about 8-10 minutes)
#   SSE_STEPS=1000,2000 WS_STEPS= MEASURE=10 app/bench/streams.sh    a short run
#
# The open-files limit is raised to the hard limit (each server connection is a socket;
# the client JVM has its own limit). Every child process is stopped when the runner ends.
set -euo pipefail
APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ROOT_DIR=$(dirname "$APP_DIR")
cd "$ROOT_DIR"

SSE_STEPS=${SSE_STEPS-1000,5000,10000,19000}
WS_STEPS=${WS_STEPS-1000,10000}
H2_STEPS=${H2_STEPS-20000}
MEASURE=${MEASURE:-15}

ulimit -n "$(ulimit -Hn)"
echo "open files limit: $(ulimit -n)"

./mvnw -q -B -ntp -pl app test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
CP="app/target/test-classes:app/target/classes:$(cat app/target/cp.txt)"
exec java -Xmx256m -cp "$CP" dev.quotegate.stream.StreamBenchRunner \
  --sse-steps="$SSE_STEPS" --ws-steps="$WS_STEPS" --h2-steps="$H2_STEPS" --measure="$MEASURE" --out=app/target/stream-bench.md
