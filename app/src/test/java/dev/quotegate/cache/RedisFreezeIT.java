package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.FaultMatrixRow;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.testsupport.PrivateRedis;
import dev.quotegate.testsupport.SimulatorAdmin;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Redis frozen under load (SIGSTOP a private redis-server for a few seconds, then SIGCONT): the
 * lease commands sent during the freeze run when Redis resumes and leave leases held by nobody.
 * Loads after the freeze must not wait on them (issue 18, item 4): they fetch at once while the
 * breaker is not closed, the instance frees the leases it left behind, and leases are used again
 * afterwards. Figures printed for docs/reliability.md.
 */
class RedisFreezeIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(120);
  private static final Duration FREEZE = Duration.ofSeconds(4);

  /** One answered request: when it started (ns), how long it took (ms), its status. */
  record Sample(long startedAt, double ms, int status) {}

  @Test
  void afterAFreezeColdRequestsDoNotWaitOnLeasesNobodyHolds() throws Exception {
    try (PrivateRedis redis = PrivateRedis.startOrSkip()) {
      ConfigurableApplicationContext ctx = new SpringApplicationBuilder(QuotegateApplication.class)
          .run(
              "--server.port=0",
              "--quotegate.simulator.port=0",
              "--quotegate.redis.url=" + redis.url(),
              "--quotegate.redis.command-timeout=200ms",
              "--quotegate.redis.breaker-open-for=500ms",
              // Short freshness: the load keeps loading, so it keeps taking leases.
              "--quotegate.quotes.ttl-market-open=300ms",
              "--quotegate.quotes.ttl-market-closed=300ms");
      ConnectionProvider pool = ConnectionProvider.builder("redis-freeze").maxConnections(64).build();
      Disposable load = null;
      try {
        int port = Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
        SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.simulator.port")));
        MeterRegistry meters = ctx.getBean(MeterRegistry.class);
        Caches caches = ctx.getBean(Caches.class);
        Awaitility.await().atMost(TIMEOUT).until(caches::fillsListening);
        List<String> symbols = sim.symbols(80);
        HttpClient http = HttpClient.create(pool).baseUrl("http://127.0.0.1:" + port);
        Queue<Sample> samples = new ConcurrentLinkedQueue<>();
        load = Flux.range(0, Integer.MAX_VALUE)
            .flatMap(i -> Mono.defer(() -> {
              long start = System.nanoTime();
              return http.get().uri("/api/v1/quotes/" + symbols.get(i % symbols.size()))
                  .responseSingle((res, body) -> body.then(Mono.just(res.status().code())))
                  .timeout(Duration.ofSeconds(10))
                  .onErrorReturn(-1)
                  .map(status -> new Sample(start, (System.nanoTime() - start) / 1e6, status));
            }), 8)
            .subscribe(samples::add);

        Awaitility.await().atMost(TIMEOUT).until(() -> samples.size() > 200);
        long warmedAt = System.nanoTime(); // JIT and first connections behind
        Awaitility.await().atMost(TIMEOUT).until(() -> samples.size() > 500);
        long frozenAt = System.nanoTime();
        redis.freeze();
        Awaitility.await().pollDelay(FREEZE).atMost(FREEZE.plusSeconds(5)).until(() -> true);
        redis.resume();
        long resumedAt = System.nanoTime();
        Awaitility.await().atMost(TIMEOUT).until(() -> caches.redis().breakerClosed());
        double timeoutsBefore = lease(meters, "timeout");
        double wonBefore = lease(meters, "won");
        long closedAt = System.nanoTime();
        Awaitility.await().atMost(TIMEOUT).until(() -> samples.stream().filter(s -> s.startedAt() > closedAt).count() > 800);
        load.dispose();

        List<Sample> before = new ArrayList<>();
        List<Sample> after = new ArrayList<>();
        for (Sample s : samples) {
          if (s.startedAt() > warmedAt && s.startedAt() + (long) (s.ms() * 1e6) < frozenAt) {
            before.add(s);
          } else if (s.startedAt() > closedAt) {
            after.add(s);
          }
        }
        double p99Before = p99(before);
        double p99After = p99(after);
        System.out.printf(
            "FIGURES redis freeze %d s: requests %d, non-200 %d; p99 before %.1f ms, after recovery %.1f ms (%d requests);"
                + " breaker closed %.0f ms after resume; leases unhealthy %.0f, waited %.0f, timeout %.0f, won after recovery %.0f%n",
            FREEZE.toSeconds(), samples.size(), samples.stream().filter(s -> s.status() != 200).count(), p99Before,
            p99After, after.size(), (closedAt - resumedAt) / 1e6, lease(meters, "unhealthy"), lease(meters, "waited"),
            lease(meters, "timeout"), lease(meters, "won") - wonBefore);

        assertThat(samples).as("client statuses across the freeze").extracting(Sample::status).containsOnly(200);
        assertThat(lease(meters, "unhealthy")).as("loads that fetched at once instead of taking a lease").isPositive();
        assertThat(lease(meters, "timeout") - timeoutsBefore).as("lease waits that timed out after the freeze").isZero();
        assertThat(lease(meters, "won") - wonBefore).as("leases taken again after the recovery").isPositive();
        // A wait on a lease nobody holds costs lease-wait (2 s) before the fetch even starts.
        assertThat(p99After).as("p99 (ms) of requests after the recovery (before the freeze %.1f ms)", p99Before)
            .isLessThan(2000);
        long[] all = samples.stream().mapToLong(x -> (long) (x.ms() * 1e6)).sorted().toArray();
        new FaultMatrixRow("Redis frozen " + FREEZE.toSeconds() + " s (SIGSTOP), then resumed", samples.size(), 0,
            FaultMatrixRow.quantileMs(all, 0.5), FaultMatrixRow.quantileMs(all, 0.99), sim.requests(), "not watched",
            String.format(java.util.Locale.ROOT, "upstream calls include the warm-up; p99 before %.0f ms, after recovery %.0f ms; lease waits timed out after: 0; "
                + "no data lost (a cache)", p99Before, p99After)).write("redis-freeze");
      } finally {
        if (load != null) {
          load.dispose();
        }
        pool.dispose();
        ctx.close();
      }
    }
  }

  private static double lease(MeterRegistry meters, String outcome) {
    return meters.find("quotegate.cache.lease").tags("kind", "quote", "outcome", outcome).counters()
        .stream().mapToDouble(c -> c.count()).sum();
  }

  private static double p99(List<Sample> samples) {
    double[] ms = samples.stream().mapToDouble(Sample::ms).sorted().toArray();
    return ms.length == 0 ? Double.NaN : ms[(int) Math.min(ms.length - 1, Math.ceil(ms.length * 0.99) - 1)];
  }
}
