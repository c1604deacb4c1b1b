#!/usr/bin/env bash
# Cache tiers benchmark (docs/benchmarks.md, "Cache tiers"): value encodings, then L1-hit,
# L2-hit and miss latency/throughput over HTTP against two gateways sharing Redis.
# Needs Redis at QUOTEGATE_REDIS_URL (default redis://127.0.0.1:6379); writes only under a key
# prefix of its own and deletes it afterwards. Options: -Dbench.sequential=N
# -Dbench.concurrent=N -Dbench.concurrency=N (passed as JAVA_OPTS).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -B -pl app test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
exec java ${JAVA_OPTS:-} -cp "app/target/test-classes:app/target/classes:$(cat app/target/bench.classpath)" \
  dev.quotegate.cache.CacheTierBenchmark
