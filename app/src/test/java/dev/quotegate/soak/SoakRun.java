package dev.quotegate.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.testsupport.SimulatorAdmin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.core.env.Environment;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * The soak run (not a test of the normal build: its name matches neither *Test nor *IT). The
 * whole gateway against the embedded simulator for {@code quotegate.soak.duration} (default 5
 * minutes) under a fixed cycle of faults set through {@code PUT /admin/faults}, with a closed
 * loop of {@code quotegate.soak.clients} concurrent clients on 127.0.0.1. Prints and writes
 * {@code app/target/soak-report.txt}: requests, statuses, upstream calls, provider outcomes,
 * heap after a GC before and after. Command (docs/reliability.md):
 *
 * <pre>./mvnw -q -B -pl app verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *   -Dit.test=SoakRun -Dquotegate.soak.duration=PT5M</pre>
 */
@EnabledIfSystemProperty(named = "quotegate.soak.duration", matches = "P.+")
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "quotegate.simulator.port=0",
      "quotegate.quotes.ttl-market-open=1s",
      "quotegate.quotes.ttl-market-closed=1s",
      "quotegate.resilience.providers.sim.timeout=1s",
      "quotegate.providers.sim.requests-per-second=50",
      "quotegate.resilience.providers.sim.open-duration=5s",
      "logging.level.dev.quotegate.provider=WARN"
    })
// Runs as long as quotegate.soak.duration asks: not under the suite-wide 5 min default of junit-platform.properties.
@Timeout(value = 12, unit = TimeUnit.HOURS)
class SoakRun {

  /** The fault cycle: each phase lasts {@link #PHASE}, then the next one is set. */
  private static final List<Map.Entry<String, String>> PHASES = List.of(
      Map.entry("clean", "{}"),
      Map.entry("50% errors", "{\"errorRate\":0.5}"),
      Map.entry("latency 300ms+jitter", "{\"latencyMs\":300,\"jitterMs\":200}"),
      Map.entry("429 storm (10/s)", "{\"rateLimitPerSecond\":10}"),
      Map.entry("20% hangs", "{\"hangRate\":0.2}"),
      Map.entry("30% malformed", "{\"malformedRate\":0.3}"),
      Map.entry("outage", "{\"outage\":true}"),
      Map.entry("mixed", "{\"errorRate\":0.2,\"hangRate\":0.05,\"malformedRate\":0.05,\"latencyMs\":50,\"jitterMs\":100}"));
  private static final Duration PHASE = Duration.ofSeconds(20);
  private static final String NO_FAULTS = "{\"latencyMs\":0,\"jitterMs\":0,\"errorRate\":0,"
      + "\"rateLimitPerSecond\":0,\"hangRate\":0,\"malformedRate\":0,\"outage\":false}";

  @LocalServerPort int port;
  @Autowired Environment env;
  @Autowired MeterRegistry registry;

  @Test
  void soak() throws IOException {
    Duration duration = Duration.parse(System.getProperty("quotegate.soak.duration"));
    int clients = Integer.getInteger("quotegate.soak.clients", 32);
    SimulatorAdmin sim = new SimulatorAdmin(Integer.parseInt(env.getRequiredProperty("local.simulator.port")));
    List<String> universe = sim.symbols(200);
    HttpClient gateway = HttpClient.create(ConnectionProvider.builder("soak").maxConnections(clients).build())
        .baseUrl("http://127.0.0.1:" + port)
        .responseTimeout(Duration.ofSeconds(30));

    // warm up, then measure from a collected heap
    Flux.range(0, 200).flatMap(i -> request(gateway, universe), clients).blockLast(Duration.ofMinutes(2));
    sim.reset();
    long heapBefore = usedHeapAfterGc();

    Map<String, LongAdder> statuses = new ConcurrentHashMap<>();
    LongAdder stale = new LongAdder();
    AtomicLong requests = new AtomicLong();
    long start = System.nanoTime();
    long end = start + duration.toNanos();
    // the fault cycle: a background loop owned by this test, disposed at the end
    Disposable faults = Flux.interval(Duration.ZERO, PHASE)
        .publishOn(Schedulers.boundedElastic())
        .subscribe(i -> {
          sim.faults(NO_FAULTS);
          sim.faults(PHASES.get((int) (i % PHASES.size())).getValue());
        });
    try {
      Flux.range(0, clients)
          .flatMap(c -> Flux.<Integer>generate(s -> s.next(1))
              .takeWhile(x -> System.nanoTime() < end)
              .concatMap(x -> request(gateway, universe)), clients)
          .doOnNext(r -> {
            requests.incrementAndGet();
            statuses.computeIfAbsent(r.status(), k -> new LongAdder()).increment();
            if (r.stale()) {
              stale.increment();
            }
          })
          .blockLast(duration.plusMinutes(2));
    } finally {
      faults.dispose();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    sim.faults(NO_FAULTS);
    long upstream = sim.requests();
    long heapAfter = usedHeapAfterGc();

    long ok = statuses.getOrDefault("200", new LongAdder()).sum();
    StringBuilder report = new StringBuilder();
    report.append(String.format(Locale.ROOT, "duration: %.0f s, clients: %d, phases of %d s: %s%n",
        seconds, clients, PHASE.toSeconds(), PHASES.stream().map(Map.Entry::getKey).toList()));
    report.append(String.format(Locale.ROOT, "requests: %d (%.0f/s), 200: %d (of which stale: %d), failures (non-200): %d%n",
        requests.get(), requests.get() / seconds, ok, stale.sum(), requests.get() - ok));
    Map<String, Long> byStatus = new TreeMap<>();
    statuses.forEach((k, v) -> byStatus.put(k, v.sum()));
    report.append("by status: ").append(byStatus).append('\n');
    report.append(String.format(Locale.ROOT, "upstream calls (simulator /admin/stats): %d (%.1f/s)%n", upstream, upstream / seconds));
    Map<String, Long> outcomes = new TreeMap<>();
    registry.find("quotegate.provider.calls").counters().forEach(
        c -> outcomes.merge(c.getId().getTag("outcome"), (long) c.count(), Long::sum));
    report.append("provider call outcomes (incl. warm-up): ").append(outcomes).append('\n');
    Map<String, Long> transitions = new TreeMap<>();
    registry.find("quotegate.provider.circuit.transitions").counters().forEach(
        c -> transitions.merge(c.getId().getTag("to"), (long) c.count(), Long::sum));
    report.append("circuit transitions: ").append(transitions).append('\n');
    Counter stalePath = registry.find("quotegate.quotes.stale.served").counter();
    report.append("stale quotes served: ").append(stalePath == null ? 0 : (long) stalePath.count()).append('\n');
    report.append(String.format(Locale.ROOT, "heap used after GC: before %.1f MB, after %.1f MB%n",
        heapBefore / 1048576.0, heapAfter / 1048576.0));
    System.out.println("SOAK REPORT\n" + report);
    Files.writeString(Path.of("target", "soak-report.txt"), report);

    assertThat(byStatus.keySet()).as("statuses seen").allMatch(s -> s.equals("200") || s.equals("503") || s.equals("504"));
  }

  private record Result(String status, boolean stale) {}

  private static Mono<Result> request(HttpClient gateway, List<String> universe) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    String uri;
    if (r.nextInt(4) == 0) {
      int from = r.nextInt(universe.size() - 5);
      uri = "/api/v1/quotes?symbols=" + String.join(",", universe.subList(from, from + 5));
    } else {
      uri = "/api/v1/quotes/" + universe.get(r.nextInt(universe.size()));
    }
    return gateway.get().uri(uri)
        .responseSingle((res, body) -> body.asString().defaultIfEmpty("")
            .map(b -> new Result(Integer.toString(res.status().code()), b.contains("\"stale\":true"))))
        .onErrorResume(e -> Mono.just(new Result("client-error:" + e.getClass().getSimpleName(), false)));
  }

  private static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
