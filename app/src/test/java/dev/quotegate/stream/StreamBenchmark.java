package dev.quotegate.stream;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * How many concurrent SSE connections one gateway instance holds on this machine, with
 * tick-to-client latency and heap per 1,000 connections, next to a peer in the same run: a
 * minimal Reactor Netty SSE server pushing one pre-serialized 20-quote payload per second to
 * every connection (the ceiling: no per-connection state, conflation or JSON encoding).
 *
 * <p>Everything in this JVM, traffic only to 127.0.0.1. For each server, steps of N
 * connections (default 1000, 2000, 4000), each subscribed to the same 20 symbols; per step:
 * open, wait until every connection got an event, measure for {@code --measure} seconds
 * (latency = receipt time minus the quote's {@code fetchedAt}, i.e. tick to client), then
 * heap used after GC minus the baseline. A step "holds" when every connection is open and
 * receiving and p99 stays under {@code --p99-limit-ms}. Run (from the repository root):
 *
 * <pre>
 * ./mvnw -q -pl app test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Xmx2g -cp app/target/test-classes:app/target/classes:$(cat app/target/cp.txt) \
 *      dev.quotegate.stream.StreamBenchmark --steps=1000,2000,4000 --measure=10
 * </pre>
 */
public final class StreamBenchmark {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  record Result(String server, int target, int open, double p50, double p99, double max, long samples,
      double heapMbPer1000, boolean holds) {}

  public static void main(String[] args) throws Exception {
    int[] steps = {1000, 2000, 4000};
    int measure = 10;
    double p99Limit = 1000;
    for (String a : args) {
      if (a.startsWith("--steps=")) {
        steps = Arrays.stream(a.substring(8).split(",")).mapToInt(Integer::parseInt).toArray();
      } else if (a.startsWith("--measure=")) {
        measure = Integer.parseInt(a.substring(10));
      } else if (a.startsWith("--p99-limit-ms=")) {
        p99Limit = Double.parseDouble(a.substring(15));
      } else {
        System.err.println("unknown option " + a + " (--steps=1000,2000 --measure=10 --p99-limit-ms=1000)");
        System.exit(2);
      }
    }
    Simulator sim = Simulator.create(SimulatorProperties.defaults().withPort(0)).start();
    List<String> symbols = new ArrayList<>(sim.universe().instruments().stream().limit(20).map(i -> i.symbol()).toList());
    List<Result> results = new ArrayList<>();
    try {
      ConfigurableApplicationContext gateway = new SpringApplicationBuilder(QuotegateApplication.class).run(
          "--server.port=0", "--spring.main.banner-mode=off", "--logging.level.root=WARN",
          "--quotegate.simulator.enabled=false", "--quotegate.providers.sim.base-url=" + sim.baseUrl(),
          "--quotegate.quotes.ttl-market-open=1s", "--quotegate.quotes.ttl-market-closed=1s",
          "--quotegate.streams.max-connections=100000");
      int port = Integer.parseInt(gateway.getEnvironment().getRequiredProperty("local.server.port"));
      String uri = "http://127.0.0.1:" + port + "/api/v1/stream/quotes?symbols=" + String.join(",", symbols);
      for (int n : steps) {
        Result r = step("quotegate", uri, n, measure, p99Limit);
        results.add(r);
        print(r);
        if (!r.holds()) {
          break;
        }
      }
      gateway.close();

      Peer peer = new Peer(sim, symbols);
      String peerUri = "http://127.0.0.1:" + peer.server.port() + "/sse";
      for (int n : steps) {
        Result r = step("reactor-netty-peer", peerUri, n, measure, p99Limit);
        results.add(r);
        print(r);
        if (!r.holds()) {
          break;
        }
      }
      peer.close();
    } finally {
      sim.stop();
    }
    System.out.println();
    System.out.println("| server | connections | open | p50 ms | p99 ms | max ms | samples | heap MB / 1,000 conns | holds |");
    System.out.println("|---|---|---|---|---|---|---|---|---|");
    for (Result r : results) {
      System.out.println(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.0f | %.0f | %d | %.1f | %s |",
          r.server(), r.target(), r.open(), r.p50(), r.p99(), r.max(), r.samples(), r.heapMbPer1000(), r.holds() ? "yes" : "no"));
    }
    System.exit(0);
  }

  private static void print(Result r) {
    System.out.println(r);
  }

  private static Result step(String server, String uri, int n, int measureSeconds, double p99Limit) {
    long baseline = heapAfterGc();
    HttpClient client = HttpClient.newConnection();
    AtomicInteger receiving = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicLong measuring = new AtomicLong(0);
    Latencies latencies = new Latencies(2_000_000);
    Disposable.Composite all = Disposables.composite();
    for (int i = 0; i < n; i++) {
      boolean[] first = {true};
      all.add(SseClient.connect(client, uri, null)
          .filter(e -> e.getValue().data() != null)
          .subscribe(e -> {
            long now = System.currentTimeMillis();
            if (first[0]) {
              first[0] = false;
              receiving.incrementAndGet();
            }
            if (measuring.get() == 1) {
              latencies.addAll(e.getValue().data(), now);
            }
          }, e -> failed.incrementAndGet()));
      if (i % 200 == 199) {
        LockSupport.parkNanos(Duration.ofMillis(50).toNanos()); // pace the ramp a little
      }
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (receiving.get() + failed.get() < n && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
    }
    measuring.set(1);
    LockSupport.parkNanos(Duration.ofSeconds(measureSeconds).toNanos());
    measuring.set(0);
    long heap = heapAfterGc() - baseline;
    int open = receiving.get() - failed.get();
    all.dispose();
    LockSupport.parkNanos(Duration.ofSeconds(3).toNanos()); // let sockets close
    double[] p = latencies.percentiles();
    boolean holds = open == n && failed.get() == 0 && latencies.count() > 0 && p[1] <= p99Limit;
    return new Result(server, n, open, p[0], p[1], p[2], latencies.count(), heap / 1e6 / n * 1000, holds);
  }

  private static long heapAfterGc() {
    MemoryMXBean mem = ManagementFactory.getMemoryMXBean();
    for (int i = 0; i < 3; i++) {
      System.gc();
      LockSupport.parkNanos(Duration.ofMillis(200).toNanos());
    }
    return mem.getHeapMemoryUsage().getUsed();
  }

  /** Tick-to-client latencies in ms: receipt minus each quote's fetchedAt. */
  static final class Latencies {
    private final long[] values;
    private final AtomicInteger n = new AtomicInteger();

    Latencies(int capacity) {
      values = new long[capacity];
    }

    void addAll(String data, long now) {
      JsonNode node = JSON.readTree(data);
      for (JsonNode q : node) {
        JsonNode f = q.get("fetchedAt");
        if (f != null) {
          int i = n.getAndIncrement();
          if (i < values.length) {
            values[i] = now - Instant.parse(f.asString()).toEpochMilli();
          }
        }
      }
    }

    long count() {
      return Math.min(n.get(), values.length);
    }

    double[] percentiles() {
      int c = (int) count();
      if (c == 0) {
        return new double[] {Double.NaN, Double.NaN, Double.NaN};
      }
      long[] sorted = Arrays.copyOf(values, c);
      Arrays.sort(sorted);
      return new double[] {sorted[(int) (c * 0.50)], sorted[Math.min(c - 1, (int) (c * 0.99))], sorted[c - 1]};
    }
  }

  /**
   * The ceiling: one hot flux, once a second one upstream call's worth of quotes (fetched
   * from the same simulator) serialized once, written to every connection as an SSE event.
   */
  static final class Peer {
    final DisposableServer server;
    final Disposable ticker;
    final reactor.core.publisher.Sinks.Many<String> events = reactor.core.publisher.Sinks.many().multicast().directBestEffort();

    Peer(Simulator sim, List<String> symbols) {
      HttpClient upstream = HttpClient.create().baseUrl(sim.baseUrl());
      this.ticker = Flux.interval(Duration.ofSeconds(1))
          .concatMap(t -> upstream.get().uri("/v1/quotes?symbols=" + String.join(",", symbols))
              .responseContent().aggregate().asString()
              .map(body -> {
                String fetchedAt = Instant.now().toString();
                StringBuilder sb = new StringBuilder("[");
                for (JsonNode q : JSON.readTree(body).get("quotes")) {
                  if (sb.length() > 1) {
                    sb.append(',');
                  }
                  ((tools.jackson.databind.node.ObjectNode) q).put("fetchedAt", fetchedAt);
                  sb.append(JSON.writeValueAsString(q));
                }
                return "event: quote\ndata: " + sb.append(']') + "\n\n";
              }))
          .subscribe(e -> {
            synchronized (events) {
              events.tryEmitNext(e);
            }
          });
      this.server = HttpServer.create().host("127.0.0.1").port(0)
          .route(r -> r.get("/sse", (req, res) -> res.sse()
              .sendString(events.asFlux(), StandardCharsets.UTF_8)))
          .bindNow();
    }

    void close() {
      ticker.dispose();
      server.disposeNow();
    }
  }
}
