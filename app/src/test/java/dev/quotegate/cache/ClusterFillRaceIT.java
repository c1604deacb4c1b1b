package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.quotegate.platform.redis.RedisConfiguration;
import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.platform.redis.RedisProperties;
import dev.quotegate.provider.Quote;
import dev.quotegate.testsupport.FakeQuoteProvider;
import dev.quotegate.testsupport.MutableClock;
import dev.quotegate.testsupport.PrivateRedisCluster;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/**
 * Cross-instance fill coalescing on a real Redis Cluster ({@link PrivateRedisCluster}), at the
 * cache level: two "instances" (two {@link Caches}, each with its own cluster client). The race
 * made deterministic here: the winner's fill notice travels to the fill channel's shard while
 * its value write, on another node, is still queued; an instance that starts waiting in between
 * loses the lease (still held) and sees no value yet. Were the notice sent before the value is
 * written, that waiter would never hear it and fetch a second time after {@code lease-wait}.
 */
class ClusterFillRaceIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration LEASE_WAIT = Duration.ofSeconds(5);

  static PrivateRedisCluster cluster;
  static String prefix;
  static Instance a;
  static Instance b;
  static final MutableClock clock = MutableClock.marketOpen();

  /** One gateway's cache side on the cluster. */
  static final class Instance implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final RedisClusterClient client;
    final RedisConnections redis;
    final Caches caches;
    final TieredCache<Quote> quotes;

    Instance() {
      RedisProperties props = new RedisProperties(null, prefix, Duration.ofSeconds(2), Duration.ofSeconds(2),
          Duration.ofSeconds(1), 1000, 20, Duration.ofSeconds(1), cluster.nodes(), Duration.ofSeconds(2), 16);
      client = RedisClusterClient.create(cluster.ports().stream()
          .map(p -> RedisURI.create("127.0.0.1", p)).toList());
      client.setOptions(RedisConfiguration.clusterOptions(props));
      redis = new RedisConnections(client, props, registry);
      CacheProperties cacheProps = new CacheProperties(Duration.ofSeconds(35), LEASE_WAIT, 1000, 200,
          100, 4, 1000, 100, Map.of());
      caches = new Caches(cacheProps, redis, clock, registry);
      quotes = caches.create(CacheKind.QUOTE, Quote.class, Freshness.fixed(Duration.ofMinutes(10)),
          Duration.ofHours(1), 1000);
      caches.start();
      await().atMost(TIMEOUT).until(caches::fillsListening);
    }

    double lease(String outcome) {
      return registry.find("quotegate.cache.lease").tags("outcome", outcome).counters().stream()
          .mapToDouble(c -> c.count()).sum();
    }

    @Override
    public void close() throws Exception {
      caches.stop();
      redis.close();
      // Closed before the client's shutdown closes what is left (it warns of any closed twice).
      await().atMost(TIMEOUT).until(() -> !redis.isConnected() && !caches.fillsListening());
      client.shutdown();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    cluster = PrivateRedisCluster.startOrSkip();
    prefix = "qgrace-" + UUID.randomUUID().toString().substring(0, 8);
    a = new Instance();
    b = new Instance();
  }

  @AfterAll
  static void stop() throws Exception {
    if (a != null) {
      a.close();
    }
    if (b != null) {
      b.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void aWaiterThatStartsWhileTheWinnersValueIsInFlightIsWokenAndDoesNotFetchAgain() throws Exception {
    CacheKeys keys = new CacheKeys(prefix);
    FillChannel channels = a.caches.fillChannel();
    // A symbol whose value lives on another master than its fill channel's shard.
    String symbol = null;
    for (String s : List.of("AAPL", "MSFT", "NVDA", "AMZN", "GOOGL", "META", "TSLA", "JPM", "V", "XOM", "KO", "PEP")) {
      String valueKey = keys.value(CacheKind.QUOTE, s);
      if (cluster.masterOf(valueKey) != cluster.masterOf(channels.channelFor(valueKey))) {
        symbol = s;
        break;
      }
    }
    assertThat(symbol).as("a symbol whose value and fill channel sit on different masters").isNotNull();
    String sym = symbol;
    String valueKey = keys.value(CacheKind.QUOTE, sym);
    int valueNode = cluster.masterOf(valueKey);

    AtomicInteger fetches = new AtomicInteger();
    Sinks.One<Quote> upstream = Sinks.one();
    Mono<Cached<Quote>> winner = a.quotes.load(sym, () -> {
      fetches.incrementAndGet();
      return upstream.asMono();
    });
    Disposable running = winner.subscribe();
    try {
      await().atMost(TIMEOUT).until(() -> a.lease("won") == 1 && fetches.get() == 1);

      // Hold A's connection to the value's node: a blocking pop on a key of the same slot (hash
      // tag), so A's value write queues behind it on that connection for a second.
      String block = prefix + ":block:{" + sym + "}";
      Disposable blocking = a.redis.commands().flatMap(c -> c.blpop(1.0, block)).subscribe();
      await().atMost(TIMEOUT).until(() -> cluster.cli(valueNode, "client", "list").contains("cmd=blpop"));

      // A's fetch ends: its value write waits behind the pop; a notice sent alongside would be
      // out at once, before B asks (it reaches B with nobody waiting on B).
      upstream.tryEmitValue(FakeQuoteProvider.quote(sym, "101.50"));
      await().pollDelay(Duration.ofMillis(300)).atMost(TIMEOUT).until(() -> true);

      // B misses, loses the lease (A still holds it) and sees no value yet: it must be woken.
      AtomicInteger bFetches = new AtomicInteger();
      long started = System.nanoTime();
      StepVerifier.create(b.quotes.load(sym, () -> {
            bFetches.incrementAndGet();
            return Mono.just(FakeQuoteProvider.quote(sym, "99.00"));
          }))
          .assertNext(v -> assertThat(v.value().price()).as("the winner's value").isEqualByComparingTo("101.50"))
          .expectComplete()
          .verify(TIMEOUT);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      blocking.dispose();
      System.out.printf("FIGURES cluster fill race: waiter answered in %d ms; A won %.0f, B woken %.0f waited %.0f"
          + " late_hit %.0f timeout %.0f%n", took.toMillis(), a.lease("won"), b.lease("woken"), b.lease("waited"),
          b.lease("late_hit"), b.lease("timeout"));
      assertThat(bFetches).as("fetches by the instance that waited on the lease").hasValue(0);
      assertThat(b.lease("timeout")).as("B's waits that ran out (lease-wait %s)", LEASE_WAIT).isZero();
      assertThat(took).as("B's answer: the winner's fill, not lease-wait").isLessThan(LEASE_WAIT);
      assertThat(fetches).as("upstream fetches across both instances").hasValue(1);
    } finally {
      running.dispose();
    }
  }
}
