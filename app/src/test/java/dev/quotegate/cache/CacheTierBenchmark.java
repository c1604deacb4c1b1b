package dev.quotegate.cache;

import dev.quotegate.QuotegateApplication;
import dev.quotegate.provider.Quote;
import dev.quotegate.simulator.Simulator;
import dev.quotegate.simulator.SimulatorProperties;
import dev.quotegate.testsupport.RedisKeys;
import dev.quotegate.testsupport.SimulatorAdmin;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.cbor.CBORMapper;
import tools.jackson.dataformat.smile.SmileMapper;

/**
 * The cache-tier benchmark behind docs/benchmarks.md "Cache tiers" (not a test): value
 * encodings (JSON, Smile, CBOR), then L1-hit, L2-hit and miss latency and throughput over HTTP
 * for single and 50-symbol requests, against two gateways sharing Redis and one simulator.
 *
 * <p>Run: {@code app/scripts/cache-tiers-benchmark.sh} (needs Redis at {@code
 * QUOTEGATE_REDIS_URL}, default localhost:6379; it writes only under a key prefix of its own and
 * deletes it afterwards).
 */
public final class CacheTierBenchmark {

  private static final int SEQUENTIAL = Integer.getInteger("bench.sequential", 2000);
  private static final int CONCURRENT = Integer.getInteger("bench.concurrent", 5000);
  private static final int CONCURRENCY = Integer.getInteger("bench.concurrency", 32);
  private static final int UNIVERSE = 5000;

  private CacheTierBenchmark() {}

  public static void main(String[] args) {
    encodings();
    String url = System.getenv().getOrDefault("QUOTEGATE_REDIS_URL", RedisKeys.LOCAL_URL);
    Simulator simulator = Simulator.create(SimulatorProperties.defaults().withPort(0).withUniverseSize(UNIVERSE)).start();
    ConnectionProvider pool = ConnectionProvider.builder("bench").maxConnections(CONCURRENCY * 2).build();
    try (RedisKeys keys = new RedisKeys(url)) {
      ConfigurableApplicationContext a = gateway(simulator, url, keys.prefix());
      ConfigurableApplicationContext b = gateway(simulator, url, keys.prefix());
      try {
        List<String> symbols = new SimulatorAdmin(simulator.port()).symbols(UNIVERSE);
        HttpClient http = HttpClient.create(pool);
        tiers(http, port(a), port(b), a.getBean(Caches.class), b.getBean(Caches.class), symbols);
      } finally {
        a.close();
        b.close();
      }
    } finally {
      pool.dispose();
      simulator.stop();
    }
    System.exit(0);
  }

  static ConfigurableApplicationContext gateway(Simulator simulator, String url, String prefix) {
    return new SpringApplicationBuilder(QuotegateApplication.class, dev.quotegate.testsupport.IsolatedNetty.class)
        
        // command-line arguments: they win over application.yml (server.port: 8080)
        .run(
            "--server.port=0",
            "--spring.main.banner-mode=off",
            "--logging.level.root=WARN",
            "--quotegate.simulator.enabled=false",
            "--quotegate.providers.sim.base-url=http://127.0.0.1:" + simulator.port(),
            "--quotegate.redis.url=" + url,
            "--quotegate.redis.key-prefix=" + prefix,
            // Long freshness: hits stay hits for the whole run; misses are made by eviction.
            "--quotegate.quotes.ttl-market-open=30m",
            "--quotegate.quotes.ttl-market-closed=30m",
            "--quotegate.quotes.cache-max-entries=20000");
  }

  static int port(ConfigurableApplicationContext ctx) {
    return Integer.parseInt(ctx.getEnvironment().getRequiredProperty("local.server.port"));
  }

  // ---- value encodings -------------------------------------------------------------------

  static void encodings() {
    Quote q = new Quote("BRK.B", new BigDecimal("412.37"), new BigDecimal("-1.86"), new BigDecimal("-0.4490"),
        new BigDecimal("414.10"), new BigDecimal("415.02"), new BigDecimal("411.55"), new BigDecimal("414.23"),
        3_215_877L, "USD", true, Instant.parse("2026-11-23T15:42:17.250Z"), "sim");
    Cached<Quote> v = new Cached<>(q, Instant.parse("2026-11-23T15:42:17.301122Z"), Instant.parse("2026-11-23T15:42:22.301122Z"));
    System.out.println("\n| Encoding | Bytes per quote | Encode ns/op | Decode ns/op |");
    System.out.println("|---|---:|---:|---:|");
    codec("JSON", JsonMapper.builder().enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build(), v);
    codec("JSON (ISO-8601 times)", JsonMapper.builder().build(), v);
    codec("Smile", SmileMapper.builder().enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build(), v);
    codec("CBOR", CBORMapper.builder().enable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build(), v);
  }

  static void codec(String name, ObjectMapper mapper, Cached<Quote> v) {
    ValueCodec<Quote> codec = ValueCodec.of(mapper, (byte) 1, Quote.class);
    byte[] bytes = codec.encode(v);
    long sink = 0;
    for (int i = 0; i < 300_000; i++) { // warm-up
      sink += codec.encode(v).length + codec.decode(bytes).value().symbol().length();
    }
    int n = 1_000_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink += codec.encode(v).length;
    }
    long t1 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink += codec.decode(bytes).value().symbol().length();
    }
    long t2 = System.nanoTime();
    System.out.printf(Locale.ROOT, "| %s | %d | %d | %d |%n", name, bytes.length, (t1 - t0) / n, (t2 - t1) / n);
    if (sink == 42) {
      System.out.println();
    }
  }

  // ---- tiers over HTTP -----------------------------------------------------------------

  static void tiers(HttpClient http, int portA, int portB, Caches cachesA, Caches cachesB, List<String> symbols) {
    TieredCache<?> l1OfB = cachesB.get(dev.quotegate.cache.CacheKind.QUOTE);
    TieredCache<?> bothOfA = cachesA.get(dev.quotegate.cache.CacheKind.QUOTE);
    List<String> hot = symbols.subList(0, 50);
    String hotBatch = "/api/v1/quotes?symbols=" + String.join(",", hot);
    List<String> batches = new ArrayList<>();
    for (int i = 0; i + 50 <= symbols.size(); i += 50) {
      batches.add("/api/v1/quotes?symbols=" + String.join(",", symbols.subList(i, i + 50)));
    }
    // Warm-up: JIT, connections; every symbol into Redis through A.
    run(http, portA, SEQUENTIAL, 1, i -> batches.get(i % batches.size()));
    run(http, portA, SEQUENTIAL, CONCURRENCY, i -> "/api/v1/quotes/" + hot.get(i % hot.size()));
    run(http, portB, SEQUENTIAL, CONCURRENCY, i -> "/api/v1/quotes/" + hot.get(i % hot.size()));

    System.out.printf(Locale.ROOT, "%n| Path | Request | p50 ms | p99 ms | Throughput req/s (%d concurrent) | Symbols/s |%n", CONCURRENCY);
    System.out.println("|---|---|---:|---:|---:|---:|");
    // L1 hit: the 50 hot symbols, on A.
    report("L1 hit", "single", 1,
        run(http, portA, SEQUENTIAL, 1, i -> "/api/v1/quotes/" + hot.get(i % hot.size())),
        run(http, portA, CONCURRENT, CONCURRENCY, i -> "/api/v1/quotes/" + hot.get(i % hot.size())));
    report("L1 hit", "batch of 50", 50,
        run(http, portA, SEQUENTIAL / 4, 1, i -> hotBatch),
        run(http, portA, CONCURRENT / 4, CONCURRENCY, i -> hotBatch));
    // L2 hit: B with its L1 emptied before each pass; each symbol asked once per pass.
    evict(l1OfB, TieredCache.Tier.L1);
    Result l2Seq = run(http, portB, Math.min(SEQUENTIAL, symbols.size()), 1, i -> "/api/v1/quotes/" + symbols.get(i));
    evict(l1OfB, TieredCache.Tier.L1);
    Result l2Con = run(http, portB, Math.min(CONCURRENT, symbols.size()), CONCURRENCY, i -> "/api/v1/quotes/" + symbols.get(i));
    report("L2 hit (Redis)", "single", 1, l2Seq, l2Con);
    evict(l1OfB, TieredCache.Tier.L1);
    Result l2bSeq = run(http, portB, batches.size(), 1, batches::get);
    evict(l1OfB, TieredCache.Tier.L1);
    Result l2bCon = run(http, portB, batches.size(), CONCURRENCY, batches::get);
    report("L2 hit (Redis)", "batch of 50", 50, l2bSeq, l2bCon);
    // Miss: both tiers emptied on A before each pass; each symbol asked once per pass.
    evict(bothOfA, TieredCache.Tier.ALL);
    Result missSeq = run(http, portA, Math.min(SEQUENTIAL, symbols.size()), 1, i -> "/api/v1/quotes/" + symbols.get(i));
    evict(bothOfA, TieredCache.Tier.ALL);
    Result missCon = run(http, portA, Math.min(CONCURRENT, symbols.size()), CONCURRENCY, i -> "/api/v1/quotes/" + symbols.get(i));
    report("Miss (simulator, 0 ms latency)", "single", 1, missSeq, missCon);
    evict(bothOfA, TieredCache.Tier.ALL);
    Result missbSeq = run(http, portA, batches.size(), 1, batches::get);
    evict(bothOfA, TieredCache.Tier.ALL);
    Result missbCon = run(http, portA, batches.size(), CONCURRENCY, batches::get);
    report("Miss (simulator, 0 ms latency)", "batch of 50", 50, missbSeq, missbCon);
  }

  static void evict(TieredCache<?> cache, TieredCache.Tier tier) {
    TieredCache.Eviction e = cache.evict("*", tier).block(Duration.ofSeconds(60));
    if (e == null || e.l2Truncated() || e.l2Error() != null) {
      throw new IllegalStateException("eviction incomplete: " + e);
    }
  }

  record Result(long[] latenciesNs, long elapsedNs, int requests) {}

  static Result run(HttpClient http, int port, int requests, int concurrency, IntFunction<String> uri) {
    long[] lat = new long[requests];
    long start = System.nanoTime();
    Flux.range(0, requests)
        .flatMap(i -> Mono.defer(() -> {
          long t0 = System.nanoTime();
          return http.get().uri("http://127.0.0.1:" + port + uri.apply(i))
              .responseSingle((res, body) -> body.asByteArray().map(b -> {
                if (res.status().code() != 200) {
                  throw new IllegalStateException("HTTP " + res.status().code() + " for " + uri.apply(i));
                }
                return b.length;
              }))
              .doOnNext(n -> lat[i] = System.nanoTime() - t0);
        }), concurrency)
        .blockLast(Duration.ofMinutes(10));
    return new Result(lat, System.nanoTime() - start, requests);
  }

  static void report(String path, String request, int symbolsPerRequest, Result sequential, Result concurrent) {
    long[] l = sequential.latenciesNs().clone();
    Arrays.sort(l);
    double p50 = l[(int) (l.length * 0.50)] / 1e6;
    double p99 = l[Math.min(l.length - 1, (int) (l.length * 0.99))] / 1e6;
    double rps = concurrent.requests() / (concurrent.elapsedNs() / 1e9);
    System.out.printf(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.0f | %.0f |%n", path, request, p50, p99, rps, rps * symbolsPerRequest);
  }
}
