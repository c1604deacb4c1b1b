package dev.quotegate.quote;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.LocalCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteResult.Failed;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteResult.Origin;
import dev.quotegate.testsupport.FakeQuoteProvider;
import dev.quotegate.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.test.StepVerifier;

class QuoteServiceTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private FakeQuoteProvider provider;
  private QuoteService service;

  @BeforeEach
  void setUp() {
    provider = new FakeQuoteProvider(20, "AAPL", "MSFT", "NVDA");
    QuoteProperties props = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60),
        Duration.ofHours(1), Duration.ofSeconds(60), 1000, Duration.ofMillis(2), Duration.ofMillis(2), 1000, 1000, Duration.ZERO);
    LocalCache<Quote> cache = new LocalCache<>(CacheKind.QUOTE, 1000, props.staleMaxAge(), clock, registry);
    TtlPolicy ttl = new TtlPolicy(MarketCalendar.nyse(), props.ttlMarketOpen(), props.ttlMarketClosed());
    service = new QuoteService(provider, cache, ttl, props, clock, Schedulers.parallel(), registry);
  }

  @Test
  void fetchesMissesOnceThenServesFromCache() {
    StepVerifier.create(service.quotes(List.of("AAPL", "MSFT")))
        .assertNext(r -> assertThat(r).allSatisfy(x -> assertThat(((Found) x).origin()).isEqualTo(Origin.UPSTREAM)))
        .expectComplete()
        .verify(TIMEOUT);
    StepVerifier.create(service.quotes(List.of("MSFT", "AAPL")))
        .assertNext(r -> {
          assertThat(r).extracting(QuoteResult::symbol).containsExactly("MSFT", "AAPL");
          assertThat(r).allSatisfy(x -> assertThat(((Found) x).origin()).isEqualTo(Origin.CACHE));
        })
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(provider.symbolsRequested()).as("symbols asked upstream").isEqualTo(2);
  }

  @Test
  void refetchesAfterTheQuoteTurnsStale() {
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(6));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.UPSTREAM))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(provider.calls()).hasSize(2);
  }

  @Test
  void keepsRequestedOrderWithMixedHitsMissesAndUnknowns() {
    StepVerifier.create(service.quote("MSFT")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    StepVerifier.create(service.quotes(List.of("NVDA", "ZZZZ", "MSFT", "AAPL")))
        .assertNext(r -> {
          assertThat(r).extracting(QuoteResult::symbol).containsExactly("NVDA", "ZZZZ", "MSFT", "AAPL");
          assertThat(r.get(1)).isInstanceOfSatisfying(Failed.class,
              f -> assertThat(f.error()).isInstanceOf(GatewayException.NotFound.class));
          assertThat(((Found) r.get(2)).origin()).isEqualTo(Origin.CACHE);
        })
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void servesStaleQuoteMarkedStaleWhenProviderFails() {
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofSeconds(30));
    provider.failWith(new GatewayException.Upstream("fake", UpstreamFailure.UNAVAILABLE, "HTTP 503"));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(r).isInstanceOfSatisfying(Found.class, f -> {
          assertThat(f.stale()).isTrue();
          assertThat(f.entry().age(clock.instant())).isEqualTo(Duration.ofSeconds(30));
        }))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(registry.counter("quotegate.quotes.stale.served").count()).isEqualTo(1.0);
  }

  @Test
  void failsPerSymbolWhenProviderFailsAndNothingIsCached() {
    provider.failWith(new GatewayException.Upstream("fake", UpstreamFailure.TIMEOUT, "no answer"));
    StepVerifier.create(service.quotes(List.of("AAPL", "MSFT")))
        .assertNext(r -> assertThat(r).allSatisfy(x -> assertThat(x).isInstanceOfSatisfying(Failed.class,
            f -> assertThat(((GatewayException.Upstream) f.error()).kind()).isEqualTo(UpstreamFailure.TIMEOUT))))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void doesNotServeStaleValuesOlderThanTheMaximumAge() {
    StepVerifier.create(service.quote("AAPL")).expectNextCount(1).expectComplete().verify(TIMEOUT);
    clock.advance(Duration.ofMinutes(61));
    provider.failWith(new GatewayException.Upstream("fake", UpstreamFailure.UNAVAILABLE, "down"));
    StepVerifier.create(service.quote("AAPL"))
        .assertNext(r -> assertThat(r).isInstanceOf(Failed.class))
        .expectComplete()
        .verify(TIMEOUT);
  }

  @Test
  void remembersUnknownSymbolsForTheNotFoundTtl() {
    StepVerifier.create(service.quote("ZZZZ")).expectNextMatches(r -> r instanceof Failed).expectComplete().verify(TIMEOUT);
    StepVerifier.create(service.quote("ZZZZ")).expectNextMatches(r -> r instanceof Failed).expectComplete().verify(TIMEOUT);
    assertThat(provider.calls()).as("unknown symbol asked upstream once").hasSize(1);
  }

  @Test
  void failureIsNotCachedAndTheNextRequestRetriesUpstream() {
    provider.failWith(new GatewayException.Upstream("fake", UpstreamFailure.UNAVAILABLE, "down"));
    StepVerifier.create(service.quote("AAPL")).expectNextMatches(r -> r instanceof Failed).expectComplete().verify(TIMEOUT);
    provider.recover();
    StepVerifier.create(service.quote("AAPL")).expectNextMatches(r -> r instanceof Found).expectComplete().verify(TIMEOUT);
    assertThat(provider.calls()).hasSize(2);
  }

  @Test
  void coalescesConcurrentRequestsForTheSameColdSymbol() {
    // Long enough that all 200 subscribe while the fetch is in flight, even on a cold, loaded
    // JVM under BlockHound (subscribing them cold has been seen to take several hundred ms).
    provider.delay(Duration.ofSeconds(2));
    List<Mono<QuoteResult>> calls = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(service.quote("NVDA"));
    }
    StepVerifier.create(Flux.merge(calls).collectList())
        .assertNext(all -> assertThat(all).hasSize(200).allMatch(r -> r instanceof Found))
        .expectComplete()
        .verify(TIMEOUT);
    assertThat(provider.calls()).as("upstream calls").hasSize(1);
  }

  @Test
  void aSlowRefreshOfAnExpiredQuoteIsAnsweredStaleAndStillFillsTheCache() {
    QuoteProperties props = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60),
        Duration.ofHours(1), Duration.ofSeconds(60), 1000, Duration.ofMillis(2), Duration.ofMillis(2), 1000, 1000,
        Duration.ofMillis(200));
    LocalCache<Quote> cache = new LocalCache<>(CacheKind.QUOTE, 1000, props.staleMaxAge(), clock, registry);
    TtlPolicy ttl = new TtlPolicy(MarketCalendar.nyse(), props.ttlMarketOpen(), props.ttlMarketClosed());
    QuoteService slow = new QuoteService(provider, cache, ttl, props, clock, Schedulers.parallel(), registry);
    slow.quote("AAPL").block(TIMEOUT);
    clock.advance(Duration.ofSeconds(6)); // expired, well within stale-max-age
    provider.delay(Duration.ofSeconds(3)); // a provider that hangs past the budget
    // answered within the 200 ms budget, not after the provider's 3 s: the bound is generous
    // (a loaded machine), far below the delay
    StepVerifier.create(slow.quote("AAPL"))
        .assertNext(r -> assertThat(((Found) r).origin()).as("origin").isEqualTo(Origin.STALE))
        .expectComplete()
        .verify(Duration.ofMillis(2_500));
    assertThat(registry.get("quotegate.quotes.stale.slow").counter().count()).isEqualTo(1.0);
    // the fetch went on detached and filled the cache
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(slow.quote("AAPL").block(TIMEOUT)).satisfies(r -> assertThat(((Found) r).origin()).isEqualTo(Origin.CACHE)));
    assertThat(provider.calls()).as("batches asked upstream").hasSize(2);
  }
}
