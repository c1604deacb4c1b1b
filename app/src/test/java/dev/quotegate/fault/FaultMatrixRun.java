package dev.quotegate.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.SimulatorAdmin;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The upstream rows of the fault matrix (not a test of the normal build: its name matches
 * neither *Test nor *IT): the whole gateway against the embedded simulator over HTTP/2, a
 * closed loop of clients on 127.0.0.1 polling cached symbols whose freshness runs out every
 * second, while the simulator (a) hangs every request, (b) is down, (c) answers every request
 * 429. Each row: requests, non-2xx, p50/p99, upstream calls, and how long until health told
 * the truth. Writes {@code target/fault-matrix-upstream.txt}; {@code app/bench/fault-matrix.sh}
 * runs it with the other rows and docs/reliability.md holds the figures.
 *
 * <pre>./mvnw -q -B -pl app verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=FaultMatrixRun -Dquotegate.faults.seconds=20</pre>
 */
@EnabledIfSystemProperty(named = "quotegate.faults.seconds", matches = "\\d+")
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.admin.token=faults",
      // cached values run out every second, so every phase refreshes them all the time
      "quotegate.quotes.ttl-market-open=1s",
      "quotegate.quotes.ttl-market-closed=1s",
      "quotegate.load-shedding.max-in-flight=100000"
    })
// Runs as long as its rows of quotegate.faults.seconds take: not under the suite-wide 5 min default of junit-platform.properties.
@Timeout(value = 12, unit = TimeUnit.HOURS)
class FaultMatrixRun {

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String NO_FAULTS = "{\"latencyMs\":0,\"jitterMs\":0,\"errorRate\":0,"
      + "\"rateLimitPerSecond\":0,\"hangRate\":0,\"malformedRate\":0,\"outage\":false}";

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired dev.quotegate.provider.ProviderRouter router;

  record Row(String fault, long requests, long non2xx, double p50, double p99, long upstream, String health, String note) {}

  @Test
  void upstreamRows() throws IOException {
    int seconds = Integer.getInteger("quotegate.faults.seconds", 20);
    int clients = Integer.getInteger("quotegate.faults.clients", 32);
    SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    List<String> symbols = sim.symbols(100);
    HttpClient gateway = HttpClient.create(ConnectionProvider.builder("faults").maxConnections(clients).build())
        .baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(Duration.ofSeconds(30));
    List<Row> rows = new ArrayList<>();
    rows.add(phase("none (baseline)", NO_FAULTS, gateway, sim, symbols, seconds, clients));
    rows.add(phase("upstream hangs (every request)", "{\"hangRate\":1.0}", gateway, sim, symbols, seconds, clients));
    rows.add(phase("upstream outage (503)", "{\"outage\":true}", gateway, sim, symbols, seconds, clients));
    rows.add(phase("429 storm (1/s allowed)", "{\"rateLimitPerSecond\":1}", gateway, sim, symbols, seconds, clients));
    sim.faults(NO_FAULTS);

    StringBuilder report = new StringBuilder("| Fault | Requests | Non-2xx | p50 ms | p99 ms | Upstream calls | Health | Note |\n"
        + "|---|---|---|---|---|---|---|---|\n");
    for (Row r : rows) {
      report.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.1f | %.1f | %,d | %s | %s |%n",
          r.fault(), r.requests(), r.non2xx(), r.p50(), r.p99(), r.upstream(), r.health(), r.note()));
    }
    System.out.println("FAULT MATRIX (upstream rows)\n" + report);
    Files.writeString(Path.of("target", "fault-matrix-upstream.txt"), report);
    for (Row r : rows) {
      assertThat(r.non2xx()).as(r.fault() + ": non-2xx for cached symbols").isZero();
    }
  }

  private Row phase(String name, String faults, HttpClient gateway, SimulatorAdmin sim, List<String> symbols,
      int seconds, int clients) {
    sim.faults(NO_FAULTS);
    reset(gateway);
    // warm: every symbol cached (the phase's clients then poll values that expire each second)
    Flux.fromIterable(symbols).flatMap(s -> get(gateway, "/api/v1/quotes/" + s), 16).blockLast(Duration.ofMinutes(1));
    sim.reset();
    sim.faults(faults);
    long start = System.nanoTime();
    long end = start + Duration.ofSeconds(seconds).toNanos();
    ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
    LongAdder non2xx = new LongAdder();
    // health watched meanwhile, with the admin token: when does it stop saying UP?
    String[] firstNotUp = {null};
    long[] notUpAfterMs = {-1};
    // its own connections: the load holds every connection of the clients' pool
    HttpClient watcher = HttpClient.create(ConnectionProvider.builder("faults-health").maxConnections(2).build())
        .baseUrl("http://127.0.0.1:" + port).responseTimeout(Duration.ofSeconds(5));
    // ticks dropped while a health call is slow (a loaded machine): an interval without
    // demand would otherwise end the watch with an overflow error, and the row would say
    // "UP throughout" for want of a look
    reactor.core.Disposable watch = Flux.interval(Duration.ofMillis(200))
        .onBackpressureDrop()
        .concatMap(i -> health(watcher), 1)
        .subscribe(status -> {
          if (firstNotUp[0] == null && !"UP".equals(status) && !"?".equals(status)) {
            firstNotUp[0] = status;
            notUpAfterMs[0] = (System.nanoTime() - start) / 1_000_000;
          }
        });
    try {
      Flux.range(0, clients)
          .flatMap(c -> Flux.<Integer>generate(s -> s.next(1))
              .takeWhile(x -> System.nanoTime() < end)
              .concatMap(x -> {
                long t0 = System.nanoTime();
                return get(gateway, "/api/v1/quotes/" + symbols.get(ThreadLocalRandom.current().nextInt(symbols.size())))
                    .doOnNext(status -> {
                      latencies.add(System.nanoTime() - t0);
                      if (status < 200 || status >= 300) {
                        non2xx.increment();
                      }
                    });
              }), clients)
          .blockLast(Duration.ofSeconds(seconds + 120));
    } finally {
      watch.dispose();
    }
    long upstream = sim.requests();
    sim.faults(NO_FAULTS);
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    String health = firstNotUp[0] == null ? "UP throughout" : firstNotUp[0] + " after " + notUpAfterMs[0] + " ms";
    String circuit = circuit(watcher);
    return new Row(name, sorted.length, non2xx.sum(), pct(sorted, 0.50), pct(sorted, 0.99), upstream, health,
        "circuit at the end: " + circuit);
  }

  private static double pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static Mono<Integer> get(HttpClient gateway, String uri) {
    return gateway.get().uri(uri)
        .responseSingle((res, body) -> body.asByteArray().defaultIfEmpty(new byte[0]).thenReturn(res.status().code()))
        .onErrorResume(e -> Mono.just(-1));
  }

  private static Mono<String> health(HttpClient gateway) {
    return gateway.headers(h -> h.set("authorization", "Bearer faults")).get().uri("/actuator/health")
        .responseSingle((res, body) -> body.asString())
        .map(b -> JSON.readTree(b).at("/components/upstream/status").asString())
        .onErrorResume(e -> Mono.just("?"));
  }

  private static String circuit(HttpClient gateway) {
    String body = gateway.headers(h -> h.set("authorization", "Bearer faults")).get().uri("/actuator/health")
        .responseSingle((res, b) -> b.asString()).block(Duration.ofSeconds(10));
    JsonNode sim = JSON.readTree(body).at("/components/upstream/details/sim");
    return sim.path("circuit").asString("?") + (sim.has("reason") ? " (" + sim.path("reason").asString() + ")" : "");
  }

  /** Closes circuits and ends cool-downs between phases, so each starts from a healthy provider. */
  private void reset(HttpClient gateway) {
    router.reset();
  }
}
