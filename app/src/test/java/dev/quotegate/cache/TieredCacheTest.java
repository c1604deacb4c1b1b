package dev.quotegate.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteResult.Origin;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.testsupport.FakeQuoteProvider;
import dev.quotegate.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

/** The tiered cache without Redis: L1 only, stale-while-revalidate, per-kind settings. */
class TieredCacheTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private Caches caches;

  private Caches caches(Duration quoteGrace) {
    CacheProperties props = new CacheProperties(Duration.ofSeconds(5), Duration.ofSeconds(2), 100, 200, 2, 4, 100, 100,
        Map.of(CacheKind.QUOTE, new CacheProperties.Kind(null, quoteGrace, null, null)));
    caches = new Caches(props, null, clock, registry);
    caches.start();
    return caches;
  }

  @AfterEach
  void tearDown() {
    if (caches != null) {
      caches.stop();
    }
  }

  private QuoteService service(FakeQuoteProvider provider, Duration grace) {
    QuoteProperties props = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60),
        Duration.ofHours(1), Duration.ofSeconds(60), 1000, Duration.ofMillis(2), Duration.ofMillis(2), 1000, 1000, Duration.ZERO);
    TieredCache<Quote> cache = caches(grace).create(CacheKind.QUOTE, Quote.class,
        Freshness.fixed(Duration.ofSeconds(5)), props.staleMaxAge(), 1000);
    return new QuoteService(provider, cache, props, clock, Schedulers.parallel(), registry);
  }

  @Test
  void withinTheGraceTheStaleQuoteIsServedAtOnceAndRefreshedInTheBackground() {
    FakeQuoteProvider provider = new FakeQuoteProvider(20, "AAPL");
    QuoteService service = service(provider, Duration.ofSeconds(10));
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(7));
    provider.delay(Duration.ofMillis(200));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(r).isInstanceOfSatisfying(Found.class, f -> {
          assertThat(f.origin()).isEqualTo(Origin.STALE);
          assertThat(f.entry().age(clock.instant())).isEqualTo(Duration.ofSeconds(7));
        }))
        .expectComplete()
        .verify(Duration.ofMillis(150 * 10));
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(provider.calls()).hasSize(2));
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() ->
        StepVerifier.create(service.quote("AAPL"))
            .assertNext(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.CACHE))
            .expectComplete().verify(TIMEOUT));
    assertThat(registry.counter("quotegate.cache.revalidations", "kind", "quote", "outcome", "succeeded").count())
        .isEqualTo(1.0);
  }

  @Test
  void refreshesNobodyWaitsForAreBatchedOverTheLongerRefreshWindow() {
    FakeQuoteProvider provider = new FakeQuoteProvider(20, "AAPL", "MSFT", "NVDA", "AMZN");
    QuoteProperties props = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60),
        Duration.ofHours(1), Duration.ofSeconds(60), 1000, Duration.ofMillis(2), Duration.ofMillis(500), 1000, 1000, Duration.ZERO);
    TieredCache<Quote> cache = caches(Duration.ofSeconds(10)).create(CacheKind.QUOTE, Quote.class,
        Freshness.fixed(Duration.ofSeconds(5)), props.staleMaxAge(), 1000);
    QuoteService service = new QuoteService(provider, cache, props, clock, Schedulers.parallel(), registry);
    // Two cold misses 100 ms apart: two calls (the 2 ms window; a client waits on each).
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    sleep(100);
    StepVerifier.create(service.quote("MSFT")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    assertThat(provider.calls()).hasSize(2);
    // Both stale now: requests 100 ms apart are answered at once, their refreshes share a call.
    clock.advance(Duration.ofSeconds(7));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.STALE)).expectComplete().verify(TIMEOUT);
    sleep(100);
    StepVerifier.create(service.quote("MSFT"))
        .assertNext(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.STALE)).expectComplete().verify(TIMEOUT);
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(provider.calls()).hasSize(3));
    assertThat(provider.calls().get(2)).containsExactlyInAnyOrder("AAPL", "MSFT");
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void pastTheGraceTheRequestWaitsForUpstream() {
    FakeQuoteProvider provider = new FakeQuoteProvider(20, "AAPL");
    QuoteService service = service(provider, Duration.ofSeconds(10));
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(16));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.UPSTREAM))
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void withoutGraceAStaleQuoteIsRefetchedAsBefore() {
    FakeQuoteProvider provider = new FakeQuoteProvider(20, "AAPL");
    QuoteService service = service(provider, Duration.ZERO);
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(6));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.UPSTREAM))
        .expectComplete().verify(TIMEOUT);
  }

  @Test
  void aKeyWaitingForRefreshIsQueuedOnceAndTheQueueIsBounded() {
    TieredCache<Quote> cache = caches(Duration.ofSeconds(10)).create(CacheKind.QUOTE, Quote.class,
        Freshness.fixed(Duration.ofSeconds(5)), Duration.ofHours(1), 100);
    Cached<Quote> old = new Cached<>(FakeQuoteProvider.quote("A", "1"), clock.instant().minusSeconds(6), clock.instant().minusSeconds(1));
    Sinks.Empty<Void> hold = Sinks.empty();
    AtomicInteger refreshes = new AtomicInteger();
    for (String key : List.of("A", "A", "B", "C", "D")) {
      assertThat(cache.serveStaleWhileRevalidating(key, old, clock.instant(), () -> {
        refreshes.incrementAndGet();
        return hold.asMono();
      })).isTrue();
    }
    // queue bound 2 (revalidateQueue): A and B; A again deduplicated; C and D rejected
    assertThat(refreshes).hasValue(2);
    assertThat(registry.counter("quotegate.cache.revalidations", "kind", "quote", "outcome", "deduplicated").count()).isEqualTo(1.0);
    assertThat(registry.counter("quotegate.cache.revalidations", "kind", "quote", "outcome", "rejected").count()).isEqualTo(2.0);
    hold.tryEmitEmpty();
    Awaitility.await().atMost(TIMEOUT).untilAsserted(() -> assertThat(cache.stats().revalidationsPending()).isZero());
  }

  @Test
  void kindsWithoutAFeatureSettingUseTheirBuiltInTtl() {
    CacheProperties props = new CacheProperties(Duration.ofSeconds(5), Duration.ofSeconds(2), 100, 200, 2, 4, 100, 100,
        Map.of(CacheKind.NEWS, new CacheProperties.Kind(Duration.ofSeconds(30), null, null, null)));
    assertThat(props.kind(CacheKind.NEWS).ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(props.kind(CacheKind.NEWS).grace()).isEqualTo(Duration.ofMinutes(1));
    assertThat(props.kind(CacheKind.PROFILE).ttl()).isEqualTo(Duration.ofHours(6));
    caches = new Caches(props, null, clock, registry);
    TieredCache<Quote> news = caches.create(CacheKind.NEWS, Quote.class);
    AtomicInteger loads = new AtomicInteger();
    StepVerifier.create(news.load("N1", () -> Mono.fromSupplier(() -> {
          loads.incrementAndGet();
          return FakeQuoteProvider.quote("N1", "1");
        })))
        .assertNext(c -> assertThat(c.expiresAt()).isEqualTo(clock.instant().plusSeconds(30)))
        .expectComplete().verify(TIMEOUT);
    StepVerifier.create(news.getAll(List.of("N1"))).assertNext(m -> assertThat(m).containsKey("N1")).expectComplete().verify(TIMEOUT);
    assertThat(loads).hasValue(1);
  }

}
