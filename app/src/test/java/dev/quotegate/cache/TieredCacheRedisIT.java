package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.platform.redis.RedisConnections;
import dev.quotegate.platform.redis.RedisProperties;
import dev.quotegate.provider.Quote;
import dev.quotegate.testsupport.FakeQuoteProvider;
import dev.quotegate.testsupport.MutableClock;
import dev.quotegate.testsupport.RedisKeys;
import dev.quotegate.testsupport.RequiresServices.Service;
import dev.quotegate.testsupport.RequiresServices;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The Redis tier against the real Redis at localhost: two "instances" (two {@link Caches}, each
 * with its own connections) under one key prefix unique to the run.
 */
@RequiresServices(Service.REDIS)
class TieredCacheRedisIT {

  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final MutableClock clock = MutableClock.marketOpen();
  private RedisKeys keys;
  private Instance a;
  private Instance b;

  /** One gateway's cache side: its own client, connections, fills channel and meters. */
  final class Instance implements AutoCloseable {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final RedisClient client;
    final RedisConnections redis;
    final Caches caches;
    final TieredCache<Quote> quotes;

    Instance(Duration grace) {
      RedisProperties props = new RedisProperties(URI.create(RedisKeys.LOCAL_URL), keys.prefix(),
          Duration.ofMillis(500), Duration.ofSeconds(2), Duration.ofSeconds(1), 1000, 20, Duration.ofSeconds(1));
      client = RedisClient.create();
      client.setOptions(dev.quotegate.platform.redis.RedisConfiguration.clientOptions(props));
      redis = new RedisConnections(client, RedisURI.create(RedisKeys.LOCAL_URL), props, registry);
      CacheProperties cacheProps = new CacheProperties(Duration.ofSeconds(5), Duration.ofMillis(400), 1000, 200,
          100, 4, 1000, 100, Map.of(CacheKind.QUOTE, new CacheProperties.Kind(null, grace, null, null)));
      caches = new Caches(cacheProps, redis, clock, registry);
      quotes = caches.create(CacheKind.QUOTE, Quote.class, Freshness.fixed(Duration.ofSeconds(5)),
          Duration.ofHours(1), 1000);
      caches.start();
      Awaitility.await().atMost(TIMEOUT).until(() -> caches.fillsListening());
    }

    double count(String name, String... tags) {
      var search = registry.find(name).tags(tags);
      return search.counters().stream().mapToDouble(c -> c.count()).sum();
    }

    @Override
    public void close() {
      caches.stop();
      redis.close();
      client.shutdown();
    }
  }

  @BeforeEach
  void setUp() {
    keys = new RedisKeys();
    a = new Instance(Duration.ZERO);
    b = new Instance(Duration.ZERO);
  }

  @AfterEach
  void tearDown() {
    a.close();
    b.close();
    keys.close();
  }

  private static Mono<Quote> counted(AtomicInteger calls, String symbol, Duration delay) {
    return Mono.defer(() -> {
      calls.incrementAndGet();
      return Mono.delay(delay).thenReturn(FakeQuoteProvider.quote(symbol, "101.50"));
    });
  }

  @Test
  void aValueLoadedOnOneInstanceIsServedFromRedisOnAnother() {
    AtomicInteger calls = new AtomicInteger();
    StepVerifier.create(a.quotes.load("AAPL", () -> counted(calls, "AAPL", Duration.ZERO)))
        .expectNextCount(1).expectComplete().verify(TIMEOUT);
    StepVerifier.create(b.quotes.getAll(List.of("AAPL")))
        .assertNext(found -> {
          assertThat(found).containsKey("AAPL");
          assertThat(found.get("AAPL").value().price()).isEqualByComparingTo("101.50");
          assertThat(found.get("AAPL").isFresh(clock.instant())).isTrue();
        })
        .expectComplete().verify(TIMEOUT);
    assertThat(calls).as("loader calls").hasValue(1);
    assertThat(b.count("quotegate.cache.requests", "tier", "l2", "outcome", "fresh")).isEqualTo(1.0);
    assertThat(b.quotes.peek("AAPL")).as("L2 hit filled L1").isNotNull();
  }

  @Test
  void aBatchReadIsOneMgetForTheKeysL1Lacks() {
    List<String> symbols = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      symbols.add("S" + i);
    }
    for (String s : symbols.subList(0, 40)) {
      StepVerifier.create(a.quotes.load(s, () -> counted(new AtomicInteger(), s, Duration.ZERO)))
          .expectNextCount(1).expectComplete().verify(TIMEOUT);
    }
    StepVerifier.create(b.quotes.getAll(symbols))
        .assertNext(found -> assertThat(found).hasSize(40))
        .expectComplete().verify(TIMEOUT);
    assertThat(b.registry.find("quotegate.redis.commands").tags("op", "cache.mget").timers()
        .stream().mapToLong(t -> t.count()).sum()).as("MGET calls for one 50-symbol read").isEqualTo(1);
    assertThat(b.count("quotegate.cache.requests", "tier", "l2", "outcome", "miss")).isEqualTo(10.0);
  }

  @Test
  void concurrentLoadsOnTwoInstancesCallTheLoaderOnceAndTheLoserIsWokenByPubSub() {
    AtomicInteger calls = new AtomicInteger();
    Mono<Cached<Quote>> onA = a.quotes.load("MSFT", () -> counted(calls, "MSFT", Duration.ofMillis(150)));
    Mono<Cached<Quote>> onB = b.quotes.load("MSFT", () -> counted(calls, "MSFT", Duration.ofMillis(150)));
    StepVerifier.create(Mono.zip(onA, onB))
        .assertNext(t -> assertThat(t.getT1().fetchedAt()).isEqualTo(t.getT2().fetchedAt()))
        .expectComplete().verify(TIMEOUT);
    assertThat(calls).as("loader calls across two instances").hasValue(1);
    double woken = a.count("quotegate.cache.lease", "outcome", "woken") + b.count("quotegate.cache.lease", "outcome", "woken");
    double won = a.count("quotegate.cache.lease", "outcome", "won") + b.count("quotegate.cache.lease", "outcome", "won");
    assertThat(won).as("lease wins").isEqualTo(1.0);
    assertThat(woken).as("instances woken by the winner's fill").isEqualTo(1.0);
  }

  @Test
  void theLoserFetchesItselfWhenTheWinnerNeverAnswers() {
    // A lease held by a "crashed" instance that will never publish.
    keys.sync().set(keys.prefix() + ":c1:quote:{NVDA}:lease", "ghost");
    AtomicInteger calls = new AtomicInteger();
    StepVerifier.create(b.quotes.load("NVDA", () -> counted(calls, "NVDA", Duration.ZERO)))
        .expectNextCount(1).expectComplete().verify(TIMEOUT);
    assertThat(calls).hasValue(1);
    assertThat(b.count("quotegate.cache.lease", "outcome", "timeout")).isEqualTo(1.0);
  }

  @Test
  void notFoundAndFailuresOfTheWinnerReachTheWaiters() {
    AtomicInteger calls = new AtomicInteger();
    Mono<Cached<Quote>> onA = a.quotes.load("ZZZZ", () -> Mono.defer(() -> {
      calls.incrementAndGet();
      return Mono.delay(Duration.ofMillis(150)).then(Mono.<Quote>empty());
    }));
    Mono<Cached<Quote>> onB = b.quotes.load("ZZZZ", () -> Mono.defer(() -> {
      calls.incrementAndGet();
      return Mono.delay(Duration.ofMillis(150)).then(Mono.<Quote>empty());
    }));
    StepVerifier.create(Mono.when(onA, onB).then(Mono.just(1))).expectNext(1).expectComplete().verify(TIMEOUT);
    assertThat(calls).as("loader calls for an unknown key").hasValue(1);
  }

  @Test
  void anUndecodableValueIsAMissNotAnError() {
    keys.sync().set(keys.prefix() + ":c1:quote:{BAD}", new String(new byte[] {9, 1, 2}, StandardCharsets.ISO_8859_1));
    StepVerifier.create(b.quotes.getAll(List.of("BAD")))
        .assertNext(found -> assertThat(found).isEmpty())
        .expectComplete().verify(TIMEOUT);
    assertThat(b.count("quotegate.cache.l2.failures", "reason", "decode")).isEqualTo(1.0);
  }

  @Test
  void staleWhileRevalidateRefreshesOnceAcrossInstances() {
    a.close();
    b.close();
    a = new Instance(Duration.ofSeconds(10));
    b = new Instance(Duration.ofSeconds(10));
    AtomicInteger calls = new AtomicInteger();
    StepVerifier.create(a.quotes.load("AMD", () -> counted(calls, "AMD", Duration.ZERO)))
        .expectNextCount(1).expectComplete().verify(TIMEOUT);
    StepVerifier.create(b.quotes.getAll(List.of("AMD"))).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(6));
    Cached<Quote> onA = a.quotes.peek("AMD");
    Cached<Quote> onB = b.quotes.peek("AMD");
    // Both instances serve the stale value at once and each queues a refresh.
    assertThat(a.quotes.serveStaleWhileRevalidating("AMD", onA, clock.instant(),
        () -> a.quotes.load("AMD", () -> counted(calls, "AMD", Duration.ofMillis(150))))).isTrue();
    assertThat(b.quotes.serveStaleWhileRevalidating("AMD", onB, clock.instant(),
        () -> b.quotes.load("AMD", () -> counted(calls, "AMD", Duration.ofMillis(150))))).isTrue();
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> {
      assertThat(a.quotes.peek("AMD").isFresh(clock.instant())).isTrue();
      assertThat(b.quotes.peek("AMD").isFresh(clock.instant())).isTrue();
    });
    assertThat(calls).as("loader calls: the first load and one refresh for the cluster").hasValue(2);
    // Past the grace: not served stale.
    clock.advance(Duration.ofSeconds(30));
    assertThat(a.quotes.serveStaleWhileRevalidating("AMD", a.quotes.peek("AMD"), clock.instant(), Mono::empty)).isFalse();
  }

  @Test
  void evictionByPatternDeletesMatchingKeysOnlyAndDropsOtherInstancesL1() {
    for (String s : List.of("AAPL", "AMZN", "MSFT")) {
      StepVerifier.create(a.quotes.load(s, () -> counted(new AtomicInteger(), s, Duration.ZERO)))
          .expectNextCount(1).expectComplete().verify(TIMEOUT);
    }
    StepVerifier.create(b.quotes.getAll(List.of("AAPL", "AMZN", "MSFT"))).expectNextCount(1).expectComplete().verify(TIMEOUT);
    StepVerifier.create(a.quotes.evict("A*", TieredCache.Tier.ALL))
        .assertNext(e -> {
          assertThat(e.l1Evicted()).isEqualTo(2);
          assertThat(e.l2Evicted()).isEqualTo(2);
          assertThat(e.l2Truncated()).isFalse();
        })
        .expectComplete().verify(TIMEOUT);
    assertThat(keys.sync().exists(keys.prefix() + ":c1:quote:{MSFT}")).isEqualTo(1L);
    assertThat(keys.sync().exists(keys.prefix() + ":c1:quote:{AAPL}")).isZero();
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(b.quotes.peek("AAPL")).isNull());
    assertThat(b.quotes.peek("MSFT")).isNotNull();
  }
}
