package dev.quotegate.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.LocalCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.testsupport.FakeQuoteProvider;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.test.StepVerifier;
import reactor.test.scheduler.VirtualTimeScheduler;

/**
 * The hub in virtual time over the real quote path (cache, coalescer, batcher) and a fake
 * provider: one poll per TTL per symbol however many subscribers, grace periods.
 */
class QuoteStreamHubTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  /** Monday 2026-11-23 10:00 New York: the market is open, quote TTL 5 s. */
  private static final Instant OPEN = Instant.parse("2026-11-23T15:00:00Z");

  VirtualTimeScheduler vts;
  FakeQuoteProvider provider;
  QuoteStreamHub hub;

  /** A clock reading the virtual time. */
  static final class VirtualClock extends Clock {
    private final VirtualTimeScheduler vts;

    VirtualClock(VirtualTimeScheduler vts) {
      this.vts = vts;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(vts.now(TimeUnit.MILLISECONDS));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @BeforeEach
  void setUp() {
    vts = VirtualTimeScheduler.create();
    vts.advanceTimeTo(OPEN);
    Clock clock = new VirtualClock(vts);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    provider = new FakeQuoteProvider(20, "AAPL", "MSFT", "NVDA");
    QuoteProperties qp = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(1),
        Duration.ofSeconds(60), 1000, Duration.ofMillis(5), Duration.ofMillis(5), 1000, 1000, Duration.ZERO);
    QuoteService quotes = new QuoteService(provider, new LocalCache<>(CacheKind.QUOTE, 1000, qp.staleMaxAge(), clock, registry),
        new TtlPolicy(MarketCalendar.nyse(), qp.ttlMarketOpen(), qp.ttlMarketClosed()), qp, clock, vts, registry);
    LocalTickBus local = new LocalTickBus();
    hub = new QuoteStreamHub(quotes, local, local, StreamTesting.defaults(), clock, vts,
        new StreamMeters(registry, 100));
    hub.start();
  }

  @AfterEach
  void tearDown() {
    hub.stop();
    vts.dispose();
  }

  @Test
  void stoppingTheHubEndsEveryRegisteredConnectionAndOneRegisteredAfterAtOnce() {
    java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
    hub.onShutdown(ended::incrementAndGet);
    Disposable gone = hub.onShutdown(ended::incrementAndGet);
    gone.dispose(); // this connection ended before the hub stopped
    assertThat(ended).hasValue(0);
    hub.stop();
    assertThat(ended).as("only the open connection ended").hasValue(1);
    hub.onShutdown(ended::incrementAndGet);
    assertThat(ended).as("a connection arriving after the stop ends at once").hasValue(2);
  }

  @Test
  void aConnectionBeforeTheHubStartsIsNotEnded() {
    java.util.concurrent.atomic.AtomicInteger ended = new java.util.concurrent.atomic.AtomicInteger();
    hub.stop();
    hub.start(); // a started hub again, as one not started yet: the web server starts first
    hub.onShutdown(ended::incrementAndGet);
    assertThat(ended).as("not ended while the hub runs").hasValue(0);
    hub.stop();
    assertThat(ended).hasValue(1);
  }

  /**
   * With stale-while-revalidate on, the poll at expiry is answered with the old value (marked
   * stale) while the refresh runs: the feed must not send that stale tick followed by the
   * fresh one, only the fresh one, soon after the expiry.
   */
  @Test
  void withStaleWhileRevalidateAFeedSendsOnlyTheFreshTickAtExpiryNeverTheStaleOneFirst() {
    hub.stop();
    Clock clock = new VirtualClock(vts);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    QuoteProperties qp = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(1),
        Duration.ofSeconds(60), 1000, Duration.ofMillis(5), Duration.ofMillis(5), 1000, 1000, Duration.ZERO);
    TtlPolicy ttl = new TtlPolicy(MarketCalendar.nyse(), qp.ttlMarketOpen(), qp.ttlMarketClosed());
    dev.quotegate.cache.TieredCache<dev.quotegate.provider.Quote> swr = dev.quotegate.cache.TieredCache.localOnly(
        CacheKind.QUOTE, new LocalCache<>(CacheKind.QUOTE, 1000, qp.staleMaxAge(), clock, registry), ttl,
        qp.staleMaxAge(), Duration.ofSeconds(30), clock);
    QuoteService quotes = new QuoteService(provider, swr, qp, clock, vts, registry);
    LocalTickBus local = new LocalTickBus();
    hub = new QuoteStreamHub(quotes, local, local, StreamTesting.defaults(), clock, vts, new StreamMeters(registry, 100));
    hub.start();
    List<QuoteTick> ticks = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<Long> arrivals = new java.util.concurrent.CopyOnWriteArrayList<>();
    Disposable d = hub.ticks("AAPL").subscribe(t -> {
      ticks.add(t);
      arrivals.add(vts.now(TimeUnit.MILLISECONDS));
    });
    vts.advanceTimeBy(Duration.ofSeconds(16));
    d.dispose();
    assertThat(ticks).as("the first fetch, then one fresh tick per 5 s expiry").hasSize(4);
    assertThat(ticks).as("no stale tick before the fresh one").noneMatch(QuoteTick::stale);
    assertThat(ticks).extracting(QuoteTick::fetchedAt).isSorted().doesNotHaveDuplicates();
    for (int i = 1; i < ticks.size(); i++) {
      long expiredAt = ticks.get(i - 1).expiresAt().toEpochMilli();
      assertThat(arrivals.get(i) - expiredAt).as("tick %d: fresh value sent soon after the expiry", i)
          .isBetween(0L, 300L);
    }
    assertThat(provider.calls()).as("one upstream call per expiry").hasSize(4);
  }

  @Test
  void subscribersOfASymbolShareOnePollPerTtl() {
    List<QuoteTick> first = new java.util.concurrent.CopyOnWriteArrayList<>();
    List<QuoteTick> second = new java.util.concurrent.CopyOnWriteArrayList<>();
    Disposable a = hub.ticks("AAPL").subscribe(first::add);
    Disposable b = hub.ticks("AAPL").subscribe(second::add);
    vts.advanceTimeBy(Duration.ofMillis(200));
    assertThat(provider.calls()).as("one upstream call for two subscribers").hasSize(1);
    assertThat(first).hasSize(1);
    assertThat(second).hasSize(1);
    Disposable c = hub.ticks("AAPL").subscribe(second::add);
    assertThat(second).as("a late subscriber gets the latest tick at once").hasSize(2);
    // Polls when the cached quote expires, on the next 100 ms poll tick: at 0.1, 5.2, 10.3, 15.4 s.
    vts.advanceTimeBy(Duration.ofSeconds(17));
    assertThat(provider.calls()).as("one call per 5 s TTL (rounded up to the poll tick)").hasSize(4);
    assertThat(first).hasSize(4);
    assertThat(first).extracting(QuoteTick::version).isSorted().doesNotHaveDuplicates();
    a.dispose();
    b.dispose();
    c.dispose();
  }

  /** Records what a member of a group gets, and on which executor its rounds ran. */
  static final class Member implements TickListener {
    final List<QuoteTick> offered = new java.util.concurrent.CopyOnWriteArrayList<>();
    final List<TickBatch> rounds = new java.util.concurrent.CopyOnWriteArrayList<>();
    final java.util.concurrent.atomic.AtomicInteger onLoop = new java.util.concurrent.atomic.AtomicInteger();
    final java.util.concurrent.Executor loop;

    Member(java.util.concurrent.Executor target) {
      this.loop = target == null ? null : r -> {
        onLoop.incrementAndGet();
        target.execute(r);
      };
    }

    @Override
    public void offer(QuoteTick tick) {
      offered.add(tick);
    }

    @Override
    public void deliver(TickBatch round) {
      rounds.add(round);
    }

    @Override
    public java.util.concurrent.Executor executor() {
      return loop;
    }
  }

  @Test
  void connectionsFollowingTheSameSymbolsShareOneGroupAndOneRoundBatch() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    hub.stop();
    LocalTickBus local = new LocalTickBus();
    Clock clock = new VirtualClock(vts);
    QuoteProperties qp = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(1),
        Duration.ofSeconds(60), 1000, Duration.ofMillis(5), Duration.ofMillis(5), 1000, 1000, Duration.ZERO);
    QuoteService quotes = new QuoteService(provider, new LocalCache<>(CacheKind.QUOTE, 1000, qp.staleMaxAge(), clock, registry),
        new TtlPolicy(MarketCalendar.nyse(), qp.ttlMarketOpen(), qp.ttlMarketClosed()), qp, clock, vts, registry);
    hub = new QuoteStreamHub(quotes, local, local, StreamTesting.defaults(), clock, vts, new StreamMeters(registry, 100));
    hub.start();
    Member first = new Member(Runnable::run); // an "event loop" that runs tasks at once
    Member second = new Member(null);
    Member other = new Member(null);
    Disposable a = hub.join(List.of("AAPL", "MSFT"), first);
    Disposable b = hub.join(List.of("MSFT", "AAPL"), second); // same set, other order
    Disposable c = hub.join(List.of("AAPL"), other);
    assertThat(registry.get("quotegate.stream.groups").gauge().value()).as("two distinct lists").isEqualTo(2);
    vts.advanceTimeBy(Duration.ofMillis(200));
    assertThat(provider.calls()).as("one upstream call for everyone").hasSize(1);
    assertThat(first.rounds).hasSize(1);
    assertThat(second.rounds).as("the same batch instance (one encoding)").containsExactlyElementsOf(first.rounds);
    assertThat(first.rounds.get(0).ticks()).extracting(QuoteTick::symbol).containsExactlyInAnyOrder("AAPL", "MSFT");
    assertThat(other.rounds.get(0).ticks()).extracting(QuoteTick::symbol).containsExactly("AAPL");
    assertThat(first.onLoop).as("the round ran on the member's executor").hasPositiveValue();
    assertThat(registry.get("quotegate.stream.rounds.deliveries").counter().count())
        .as("counted per connection, not per group").isEqualTo(3);
    Member late = new Member(null);
    Disposable d = hub.join(List.of("AAPL", "MSFT"), late);
    assertThat(late.offered).as("a joiner of a running group gets the latest values at once")
        .extracting(QuoteTick::symbol).containsExactlyInAnyOrder("AAPL", "MSFT");
    a.dispose();
    b.dispose();
    d.dispose();
    d.dispose(); // leaving twice is harmless
    assertThat(registry.get("quotegate.stream.groups").gauge().value()).as("the emptied group is gone").isEqualTo(1);
    vts.advanceTimeBy(Duration.ofSeconds(31));
    assertThat(hub.symbols()).as("MSFT's feed stopped after the grace period; AAPL still followed").containsExactly("AAPL");
    c.dispose();
  }

  @Test
  void symbolsDueTogetherArePolledInOneBatch() {
    Disposable a = hub.ticks("AAPL").subscribe();
    Disposable b = hub.ticks("MSFT").subscribe();
    Disposable c = hub.ticks("NVDA").subscribe();
    vts.advanceTimeBy(Duration.ofSeconds(10).plusMillis(500));
    assertThat(provider.calls()).as("three symbols, three rounds, one batch each").hasSize(3)
        .allSatisfy(batch -> assertThat(batch).containsExactlyInAnyOrder("AAPL", "MSFT", "NVDA"));
    a.dispose();
    b.dispose();
    c.dispose();
  }

  @Test
  void feedKeepsPollingThroughTheGracePeriodThenStops() {
    Disposable a = hub.ticks("AAPL").subscribe();
    vts.advanceTimeBy(Duration.ofMillis(200));
    a.dispose();
    vts.advanceTimeBy(Duration.ofSeconds(29));
    assertThat(hub.symbols()).as("feed alive during the grace period").containsExactly("AAPL");
    Disposable back = hub.ticks("AAPL").subscribe();
    int calls = provider.calls().size();
    vts.advanceTimeBy(Duration.ofMillis(200));
    assertThat(provider.calls()).as("a returning subscriber finds the feed warm").hasSize(calls);
    back.dispose();
    vts.advanceTimeBy(Duration.ofSeconds(31));
    assertThat(hub.symbols()).as("feed stopped after the grace period").isEmpty();
    int after = provider.calls().size();
    vts.advanceTimeBy(Duration.ofMinutes(1));
    assertThat(provider.calls()).as("no polling without subscribers").hasSize(after);
  }

  @Test
  void upstreamFailureWithoutAStaleValueBecomesAnErrorTickAndPollingRetries() {
    provider.failWith(new dev.quotegate.platform.GatewayException.Upstream("fake",
        dev.quotegate.platform.GatewayException.UpstreamFailure.UNAVAILABLE, "down"));
    StepVerifier.withVirtualTime(() -> hub.ticks("MSFT"), () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .thenAwait(Duration.ofMillis(200))
        .assertNext(t -> {
          assertThat(t.isQuote()).isFalse();
          assertThat(t.error().status()).isEqualTo(503);
          assertThat(t.error().code()).isEqualTo("upstream-unavailable");
        })
        .then(provider::recover)
        .thenAwait(Duration.ofMillis(2100))
        .assertNext(t -> assertThat(t.isQuote()).as("recovered after the failure backoff").isTrue())
        .thenCancel()
        .verify(TIMEOUT);
  }

  @Test
  void unknownSymbolIsAnErrorTick() {
    StepVerifier.withVirtualTime(() -> hub.ticks("ZZZZ"), () -> vts, Long.MAX_VALUE)
        .expectSubscription()
        .thenAwait(Duration.ofMillis(200))
        .assertNext(t -> assertThat(t.error().status()).isEqualTo(404))
        .thenCancel()
        .verify(TIMEOUT);
  }
}
