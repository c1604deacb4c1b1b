package dev.quotegate.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.BarSchedule;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.BarProvider;
import dev.quotegate.provider.ProviderKind;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.test.StepVerifier;

/** Gap detection, refresh of bars in progress, coalescing and the database-down path. */
class HistoryServiceTest {

  static final Duration T = Duration.ofSeconds(5);

  MutableClock clock;
  FakeStore store;
  FakeBars provider;
  HistoryService service;
  BarSchedule schedule = new BarSchedule(MarketCalendar.nyse());

  @BeforeEach
  void setUp() {
    clock = MutableClock.marketOpen(); // Monday 2026-11-23 10:00 New York
    store = new FakeStore();
    provider = new FakeBars(schedule, clock);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    service = new HistoryService(store, ProviderRouter.single(ProviderKind.BARS, clock, registry, provider), schedule,
        props(), clock, registry);
  }

  static HistoryProperties props() {
    return new HistoryProperties(null, null, null, null, Path.of("target"), 0, 4, 100, Duration.ofSeconds(1),
        Duration.ofMinutes(1), Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(30),
        500, 5000, 16, 4, 1000, Duration.ofSeconds(15), Duration.ofDays(1), LocalDate.of(1990, 1, 1), 100, 2, 1, 10,
        Duration.ofSeconds(10));
  }

  @Test
  void fetchesEachMissingRangeOnceAndNeverASettledBarAgain() {
    Instant from = Instant.parse("2025-12-22T05:00:00Z");
    Instant to = Instant.parse("2026-01-09T05:00:00Z");
    StepVerifier.create(service.history("AAPL", BarInterval.D1, from, to))
        .assertNext(s -> {
          assertThat(s.bars()).as("22-24, 26, 29-31 Dec, 2, 5-8 Jan").hasSize(12);
          assertThat(s.served()).isEqualTo(HistorySeries.Served.UPSTREAM);
          assertThat(s.stored()).isTrue();
          assertThat(s.settled()).isTrue();
        })
        .expectComplete().verify(T);
    assertThat(provider.calls).hasSize(1);
    StepVerifier.create(service.history("AAPL", BarInterval.D1, from, to))
        .assertNext(s -> assertThat(s.served()).isEqualTo(HistorySeries.Served.STORE))
        .expectComplete().verify(T);
    assertThat(provider.calls).as("settled bars are not fetched again").hasSize(1);
    // A wider range: only the part before `from` is fetched.
    StepVerifier.create(service.history("AAPL", BarInterval.D1, Instant.parse("2025-12-15T05:00:00Z"), to))
        .assertNext(s -> assertThat(s.bars()).hasSize(17))
        .expectComplete().verify(T);
    assertThat(provider.calls).hasSize(2);
    assertThat(provider.calls.get(1)[0]).isEqualTo(Instant.parse("2025-12-15T14:30:00Z"));
    assertThat(provider.calls.get(1)[1]).as("ends after the last missing bar, Friday 19th")
        .isEqualTo(Instant.parse("2025-12-19T14:30:00.001Z"));
  }

  @Test
  void refreshesTheBarInProgressAfterItsTtlAndOnceMoreAfterItEnds() {
    Instant open = Instant.parse("2026-11-23T14:30:00Z");
    Instant close = Instant.parse("2026-11-23T21:00:00Z");
    StepVerifier.create(service.history("AAPL", BarInterval.M5, open, close))
        .assertNext(s -> {
          assertThat(s.bars()).as("bars from 9:30 to 10:00 New York").hasSize(7);
          assertThat(s.settled()).isFalse();
          assertThat(s.validUntil()).isEqualTo(clock.instant().plusSeconds(15));
        })
        .expectComplete().verify(T);
    assertThat(provider.calls).hasSize(1);

    clock.advance(Duration.ofSeconds(10));
    StepVerifier.create(service.history("AAPL", BarInterval.M5, open, close))
        .assertNext(s -> assertThat(s.served()).isEqualTo(HistorySeries.Served.STORE))
        .expectComplete().verify(T);
    assertThat(provider.calls).as("within the TTL of the bar in progress").hasSize(1);

    clock.advance(Duration.ofSeconds(10));
    StepVerifier.create(service.history("AAPL", BarInterval.M5, open, close))
        .assertNext(s -> assertThat(s.served()).isEqualTo(HistorySeries.Served.STORE_AND_UPSTREAM))
        .expectComplete().verify(T);
    assertThat(provider.calls).hasSize(2);
    assertThat(provider.calls.get(1)[0]).as("only the bar in progress, 10:00").isEqualTo(Instant.parse("2026-11-23T15:00:00Z"));

    clock.set(Instant.parse("2026-11-23T22:00:00Z")); // after the close
    StepVerifier.create(service.history("AAPL", BarInterval.M5, open, close))
        .assertNext(s -> {
          assertThat(s.bars()).hasSize(78);
          assertThat(s.settled()).isTrue();
        })
        .expectComplete().verify(T);
    assertThat(provider.calls.get(2)[0]).as("the bar fetched in progress is fetched once more, then the rest")
        .isEqualTo(Instant.parse("2026-11-23T15:00:00Z"));
    StepVerifier.create(service.history("AAPL", BarInterval.M5, open, close))
        .assertNext(s -> assertThat(s.served()).isEqualTo(HistorySeries.Served.STORE))
        .expectComplete().verify(T);
    assertThat(provider.calls).hasSize(3);
  }

  @Test
  void concurrentRequestsForTheSameMissingRangeShareOneUpstreamRequest() {
    Sinks.One<Boolean> gate = Sinks.one();
    provider.gate = gate.asMono();
    Instant from = Instant.parse("2025-06-02T04:00:00Z");
    Instant to = Instant.parse("2025-07-01T04:00:00Z");
    List<HistorySeries> results = new CopyOnWriteArrayList<>();
    for (int i = 0; i < 5; i++) {
      service.history("MSFT", BarInterval.D1, from, to).subscribe(results::add);
    }
    gate.tryEmitValue(true);
    assertThat(results).hasSize(5);
    assertThat(provider.calls).as("upstream requests for 5 concurrent identical reads").hasSize(1);
    assertThat(store.writes).as("one batch write").isEqualTo(1);
  }

  @Test
  void servesStraightFromTheProviderNotStoredWhenTheDatabaseFails() {
    store.failing = true;
    Instant from = Instant.parse("2025-06-02T04:00:00Z");
    Instant to = Instant.parse("2025-07-01T04:00:00Z");
    StepVerifier.create(service.history("MSFT", BarInterval.D1, from, to))
        .assertNext(s -> {
          assertThat(s.stored()).isFalse();
          assertThat(s.served()).isEqualTo(HistorySeries.Served.UPSTREAM);
          assertThat(s.bars()).as("June 2025 sessions, Juneteenth excluded").hasSize(20);
        })
        .expectComplete().verify(T);
  }

  @Test
  void whileTheDatabaseFailsEachSeriesIsFetchedOnceThenServedFromMemoryAndStoredWhenItIsBack() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    UnstoredBars held = new UnstoredBars(store, HistoryCacheProperties.defaults(), registry);
    HistoryService svc = new HistoryService(store, ProviderRouter.single(ProviderKind.BARS, clock, registry, provider),
        schedule, props(), HistoryCacheProperties.defaults(), held, clock, registry);
    store.failing = true;
    Instant from = Instant.parse("2025-06-02T04:00:00Z");
    Instant to = Instant.parse("2025-07-01T04:00:00Z");
    for (int i = 0; i < 5; i++) {
      boolean first = i == 0;
      StepVerifier.create(svc.history("MSFT", BarInterval.D1, from, to))
          .assertNext(s -> {
            assertThat(s.stored()).isFalse();
            assertThat(s.served()).isEqualTo(first ? HistorySeries.Served.UPSTREAM : HistorySeries.Served.MEMORY);
            assertThat(s.bars()).hasSize(20);
          })
          .expectComplete().verify(T);
    }
    // A narrower range inside the held one costs nothing either.
    StepVerifier.create(svc.history("MSFT", BarInterval.D1, from, Instant.parse("2025-06-10T04:00:00Z")))
        .assertNext(s -> assertThat(s.served()).isEqualTo(HistorySeries.Served.MEMORY))
        .expectComplete().verify(T);
    assertThat(provider.calls).as("upstream calls for six reads during the outage").hasSize(1);

    StepVerifier.create(held.flush()).expectNext(0L).expectComplete().verify(T); // still failing: kept
    store.failing = false;
    StepVerifier.create(held.flush()).expectNext(20L).expectComplete().verify(T);
    assertThat(held.isEmpty()).as("written bars are dropped from memory").isTrue();
    StepVerifier.create(svc.history("MSFT", BarInterval.D1, from, to))
        .assertNext(s -> {
          assertThat(s.stored()).isTrue();
          assertThat(s.served()).isEqualTo(HistorySeries.Served.STORE);
        })
        .expectComplete().verify(T);
    assertThat(provider.calls).as("upstream calls after the database is back").hasSize(1);
  }

  @Test
  void aWarmSeriesIsServedFromMemoryAndOnlyTheBarInProgressIsReadAgain() {
    // 5-minute bars of today's session up to now (10:00 New York): the last one is in progress.
    Instant from = Instant.parse("2026-11-23T14:30:00Z");
    Instant to = clock.instant().plus(Duration.ofDays(1));
    HistorySeries cold = service.history("AAPL", BarInterval.M5, from, to).block(T);
    assertThat(cold.settled()).as("the current bar is in progress").isFalse();
    int reads = store.reads.size();
    HistorySeries warm = service.history("AAPL", BarInterval.M5, from, to).block(T);
    assertThat(store.reads).as("store reads of a warm series").hasSize(reads);
    assertThat(warm.bars()).isEqualTo(cold.bars());
    assertThat(warm.served()).isEqualTo(HistorySeries.Served.STORE);
    assertThat(service.barsJson(warm, b -> "encoded " + b.size()).getValue()).isEqualTo("encoded " + cold.bars().size());
    assertThat(service.barsJson(warm, b -> "again").getValue()).as("JSON encoded once per series").isEqualTo("encoded " + cold.bars().size());

    clock.advance(Duration.ofMinutes(6)); // the bar in progress ended, a new one started
    int calls = provider.calls.size();
    HistorySeries later = service.history("AAPL", BarInterval.M5, from, to).block(T);
    Instant lastBefore = cold.bars().get(cold.bars().size() - 1).ts();
    assertThat(store.reads.get(store.reads.size() - 1)[0]).as("the refresh reads from the last cached bar on").isEqualTo(lastBefore);
    assertThat(provider.calls).hasSize(calls + 1);
    assertThat(provider.calls.get(provider.calls.size() - 1)[0]).as("only the tail is fetched").isEqualTo(lastBefore);
    assertThat(later.bars()).hasSize(cold.bars().size() + 1);
    assertThat(later.bars().subList(0, cold.bars().size() - 1)).isEqualTo(cold.bars().subList(0, cold.bars().size() - 1));
    assertThat(later.from()).isEqualTo(from);
  }

  @Test
  void aFailedWriteStillServesTheFetchedBarsMarkedNotStored() {
    store.failWrites = true;
    StepVerifier.create(service.history("MSFT", BarInterval.D1, Instant.parse("2025-06-02T04:00:00Z"), Instant.parse("2025-06-07T04:00:00Z")))
        .assertNext(s -> {
          assertThat(s.stored()).isFalse();
          assertThat(s.bars()).hasSize(5);
        })
        .expectComplete().verify(T);
  }

  @Test
  void weekendsAndHolidaysAloneNeedNoUpstreamRequest() {
    // Saturday 2025-12-27 to Sunday 2025-12-28: no session, nothing to fetch.
    StepVerifier.create(service.history("AAPL", BarInterval.D1, Instant.parse("2025-12-27T05:00:00Z"), Instant.parse("2025-12-29T05:00:00Z")))
        .assertNext(s -> assertThat(s.bars()).isEmpty())
        .expectComplete().verify(T);
    assertThat(provider.calls).isEmpty();
  }

  /** A provider that makes one bar per expected start, fetched "now". */
  /** A provider of London daily bars stamped as the adapters stamp them: at 08:00 London. */
  static final class LondonBars implements BarProvider {
    final List<Instant[]> calls = new CopyOnWriteArrayList<>();

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
      return Mono.fromCallable(() -> {
        calls.add(new Instant[] {from, to});
        List<Bar> out = new ArrayList<>();
        for (String d : List.of("2025-06-30", "2025-07-01", "2025-07-02")) {
          Instant t = dev.quotegate.provider.BarRequests.start(symbol, interval, java.time.LocalDate.parse(d));
          if (!t.isBefore(from) && t.isBefore(to)) {
            out.add(new Bar(t, BigDecimal.TEN, BigDecimal.TEN, BigDecimal.TEN, BigDecimal.TEN, 1000L));
          }
        }
        return out;
      });
    }
  }

  @Test
  void aLondonRangeReturnsEverySessionOnceStoredAndSettled() {
    MutableClock after = new MutableClock(Instant.parse("2025-07-03T18:00:00Z")); // after Thursday's close
    LondonBars london = new LondonBars();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    HistoryService s = new HistoryService(store, ProviderRouter.single(ProviderKind.BARS, after, registry, london),
        schedule, props(), after, registry);
    Instant from = Instant.parse("2025-06-30T00:00:00Z");
    Instant to = Instant.parse("2025-07-03T00:00:00Z");
    HistorySeries first = s.history("VOD.L", BarInterval.D1, from, to).block(T);
    assertThat(first.bars()).extracting(Bar::ts).as("three sessions, each once, at 08:00 London")
        .containsExactly(Instant.parse("2025-06-30T07:00:00Z"), Instant.parse("2025-07-01T07:00:00Z"),
            Instant.parse("2025-07-02T07:00:00Z"));
    assertThat(first.stored()).isTrue();
    assertThat(first.settled()).isTrue();
    HistorySeries second = s.history("VOD.L", BarInterval.D1, from, to).block(T);
    assertThat(second.bars()).hasSize(3);
    assertThat(second.served()).isEqualTo(HistorySeries.Served.STORE);
    assertThat(london.calls).as("upstream calls: one, then none").hasSize(1);
  }

  static final class FakeBars implements BarProvider {
    final List<Instant[]> calls = new CopyOnWriteArrayList<>();
    final BarSchedule schedule;
    final MutableClock clock;
    volatile Mono<Boolean> gate = Mono.just(true);

    FakeBars(BarSchedule schedule, MutableClock clock) {
      this.schedule = schedule;
      this.clock = clock;
    }

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
      return gate.then(Mono.fromCallable(() -> {
        calls.add(new Instant[] {from, to});
        Instant until = to.isAfter(clock.instant()) ? clock.instant().plusMillis(1) : to;
        List<Bar> out = new ArrayList<>();
        for (Instant t : schedule.starts(interval, from, until, Integer.MAX_VALUE)) {
          BigDecimal p = BigDecimal.valueOf(100 + (t.getEpochSecond() % 97));
          out.add(new Bar(t, p, p, p, p, 1000L));
        }
        return out;
      }));
    }
  }

  /** An in-memory store that can be told to fail. */
  static final class FakeStore implements HistoryStore {
    final Map<String, TreeMap<Instant, StoredBar>> rows = new ConcurrentHashMap<>();
    volatile boolean failing;
    volatile boolean failWrites;
    volatile int writes;
    final List<Instant[]> reads = new CopyOnWriteArrayList<>();

    @Override
    public boolean available() {
      return true;
    }

    @Override
    public Mono<List<StoredBar>> read(String symbol, BarInterval interval, Instant from, Instant to) {
      reads.add(new Instant[] {from, to});
      if (failing) {
        return Mono.error(new IllegalStateException("connection refused"));
      }
      TreeMap<Instant, StoredBar> m = rows.getOrDefault(symbol + interval, new TreeMap<>());
      return Mono.just(new ArrayList<>(m.subMap(from, true, to, false).values()));
    }

    @Override
    public Mono<Integer> upsert(String symbol, BarInterval interval, List<Bar> bars, String source, Instant fetchedAt) {
      if (failing || failWrites) {
        return Mono.error(new IllegalStateException("connection refused"));
      }
      writes++;
      TreeMap<Instant, StoredBar> m = rows.computeIfAbsent(symbol + interval, k -> new TreeMap<>());
      for (Bar b : bars) {
        m.put(b.ts(), new StoredBar(b, fetchedAt, source));
      }
      return Mono.just(bars.size());
    }

    @Override
    public Mono<Integer> writeSymbol(String symbol, BarInterval interval, List<HistoryService.Fetched> segments, boolean fresh,
        java.util.function.Function<io.r2dbc.spi.Connection, Mono<Void>> alsoInTransaction) {
      return reactor.core.publisher.Flux.fromIterable(segments)
          .concatMap(f -> upsert(symbol, interval, f.bars(), f.source(), f.fetchedAt()))
          .reduce(0, Integer::sum)
          .flatMap(n -> alsoInTransaction.apply(null).thenReturn(n));
    }
  }
}
