package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.BarSchedule;
import dev.quotegate.calendar.Calendars;
import dev.quotegate.calendar.TradingCalendar;
import dev.quotegate.fetch.CapacityExceededException;
import dev.quotegate.fetch.Coalescer;
import dev.quotegate.history.HistorySeries.Served;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.BarProvider;
import dev.quotegate.provider.ProviderKind;
import dev.quotegate.provider.ProviderRouter;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Price history: serves a range from the store, finds the bars it lacks by the market
 * calendar (closed hours, weekends and holidays are never gaps), fetches only those ranges
 * from the provider (one coalesced request per (symbol, interval, range)), upserts them in
 * batches and returns the merged series.
 *
 * <p>A bar fetched after its end is final and never fetched again; a bar still in progress
 * (the current session's, day's or week's) is served from the store for
 * {@code current-bar-ttl} and then fetched again. When the database is unavailable the
 * series comes from the provider, marked {@code stored=false}, and its bars are held in memory
 * ({@link UnstoredBars}): later reads are served from there ({@code served=memory}), so an
 * outage costs each series one upstream fetch, and the bars are written when the database is
 * back. Fetches during an outage are coalesced like any other and rate-limited
 * ({@code quotegate.history.cache.unstored-fetch-rate}).
 */
public final class HistoryService {

  private final HistoryStore store;
  private final ProviderRouter router;
  private final BarSchedule schedule;
  private final Map<String, BarSchedule> schedules = new java.util.concurrent.ConcurrentHashMap<>();
  private final HistoryProperties props;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Coalescer<GapKey, Fetched> coalescer;
  private final Counter rowsWritten;
  private final Counter backfillBars;
  private final Map<String, Counter> backfillRequests = new HashMap<>();
  private final UnstoredBars unstored;
  private final SeriesCache seriesCache;
  private final RateLimiter outageLimit;
  private final Counter outageLimited;

  HistoryService(
      HistoryStore store,
      ProviderRouter router,
      BarSchedule schedule,
      HistoryProperties props,
      Clock clock,
      MeterRegistry registry) {
    this(store, router, schedule, props, HistoryCacheProperties.defaults(), null, clock, registry);
  }

  HistoryService(
      HistoryStore store,
      ProviderRouter router,
      BarSchedule schedule,
      HistoryProperties props,
      HistoryCacheProperties cacheProps,
      UnstoredBars unstored,
      Clock clock,
      MeterRegistry registry) {
    this.store = Objects.requireNonNull(store, "store");
    this.unstored = unstored != null ? unstored : new UnstoredBars(store, cacheProps, registry);
    this.seriesCache = new SeriesCache(cacheProps, registry);
    // Upstream fetches while the database is down: each series once (held bars serve the
    // rest), and at most this many per second, so an outage cannot burn a paid plan.
    this.outageLimit = RateLimiter.of("history-outage", RateLimiterConfig.custom()
        .limitForPeriod(cacheProps.unstoredFetchRate())
        .limitRefreshPeriod(Duration.ofSeconds(1))
        .timeoutDuration(Duration.ZERO)
        .build());
    this.outageLimited = Counter.builder(HistoryMeters.UNSTORED_LIMITED)
        .description("Upstream range fetches refused while the database was down (quotegate.history.cache.unstored-fetch-rate)")
        .register(registry);
    this.router = Objects.requireNonNull(router, "router");
    Calendars.init(); // every exchange's holidays, read at start-up rather than on a request
    this.schedule = Objects.requireNonNull(schedule, "schedule");
    this.props = Objects.requireNonNull(props, "props");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.coalescer = new Coalescer<>("history", props.maxInFlight(), registry);
    this.rowsWritten =
        Counter.builder(HistoryMeters.ROWS_WRITTEN).description("Bar rows written to the store").register(registry);
    this.backfillBars =
        Counter.builder(HistoryMeters.BACKFILL_BARS).description("Bars received from providers by backfills").register(registry);
    for (String outcome : List.of("success", "not_found", "error")) {
      backfillRequests.put(
          outcome,
          Counter.builder(HistoryMeters.BACKFILL_REQUESTS)
              .description("Upstream range fetches for missing bars, by outcome")
              .tag("outcome", outcome)
              .register(registry));
    }
  }

  /** The NYSE schedule: bounds of requests that name no one symbol (ingest jobs). */
  public BarSchedule schedule() {
    return schedule;
  }

  /** The bar schedule of the market {@code symbol} trades on ({@link Calendars#forSymbol}). */
  public BarSchedule schedule(String symbol) {
    TradingCalendar c = Calendars.forSymbol(symbol);
    return c.id().equals(schedule.calendar().id()) ? schedule : schedules.computeIfAbsent(c.id(), id -> new BarSchedule(c));
  }

  /**
   * Bars of {@code interval} for {@code symbol} (validated) starting in {@code [from, to)};
   * {@code to} past now means "up to now". At most {@code max-bars} bars, else a 400.
   */
  public Mono<HistorySeries> history(String symbol, BarInterval interval, Instant from, Instant to) {
    return history(symbol, interval, from, to, props.maxBars());
  }

  /** The encoded JSON array of a served series' bars, encoded once per series (see {@link SeriesCache}). */
  tools.jackson.core.io.SerializedString barsJson(HistorySeries series, java.util.function.Function<List<Bar>, String> encode) {
    return seriesCache.json(series.bars(), encode);
  }

  /**
   * As {@link #history(String, BarInterval, Instant, Instant)} with an explicit bar limit.
   * Served from the series cache while the cached series is valid; once it is not, a range
   * that runs up to now reads (and, when needed, fetches) only from its last bar on (the bar in
   * progress, and any that started since) and splices that onto the cached bars.
   */
  Mono<HistorySeries> history(String symbol, BarInterval interval, Instant from, Instant to, int limit) {
    return Mono.defer(
        () -> {
          Instant now = clock.instant();
          // A range "up to now" (the handler's now, a moment ago): its series changes when the
          // next bar starts, and it is one cache entry whatever the instant it was asked at.
          boolean open = !to.isBefore(now.minus(OPEN_SLACK));
          Instant end = open ? now.plus(OPEN_HORIZON) : to;
          if (!seriesCache.enabled()) {
            return uncached(symbol, interval, from, end, limit);
          }
          long start = System.nanoTime();
          SeriesCache.Key key = new SeriesCache.Key(symbol, interval, from.toEpochMilli(), open ? -1 : to.toEpochMilli(), limit);
          HistorySeries hit = seriesCache.get(key);
          if (hit != null && now.isBefore(hit.validUntil())) {
            seriesCache.hit();
            record(start, "cache", "success");
            return Mono.just(hit);
          }
          if (hit != null && open && !hit.bars().isEmpty() && hit.bars().size() < limit) {
            seriesCache.refresh();
            List<Bar> cached = hit.bars();
            Instant tailFrom = cached.get(cached.size() - 1).ts();
            return uncached(symbol, interval, tailFrom, end, limit)
                .map(tail -> splice(hit, tail, tailFrom))
                .doOnNext(s -> keep(key, s));
          }
          seriesCache.miss();
          return uncached(symbol, interval, from, end, limit).doOnNext(s -> keep(key, s));
        });
  }

  /** A {@code to} this close to now means "up to now". */
  private static final Duration OPEN_SLACK = Duration.ofSeconds(2);
  /** Where a range up to now ends for the calendar (any instant past the next bar's start). */
  private static final Duration OPEN_HORIZON = Duration.ofDays(400);

  /** Keeps a stored series as a later read would see it: from the store, nothing fetched. */
  private void keep(SeriesCache.Key key, HistorySeries s) {
    if (s.stored()) {
      seriesCache.put(key, new HistorySeries(s.symbol(), s.interval(), s.from(), s.to(), s.bars(), s.source(), true,
          Served.STORE, 0, 0, s.asOf(), s.settled(), s.validUntil()));
    }
  }

  /** The cached bars before {@code tailFrom} followed by the freshly read tail. */
  private static HistorySeries splice(HistorySeries cached, HistorySeries tail, Instant tailFrom) {
    List<Bar> bars = new ArrayList<>(cached.bars().size() + tail.bars().size());
    for (Bar b : cached.bars()) {
      if (b.ts().isBefore(tailFrom)) {
        bars.add(b);
      }
    }
    bars.addAll(tail.bars());
    Instant asOf = cached.asOf() == null || (tail.asOf() != null && tail.asOf().isAfter(cached.asOf())) ? tail.asOf() : cached.asOf();
    Served served = tail.served() == Served.UPSTREAM ? Served.STORE_AND_UPSTREAM : tail.served();
    return new HistorySeries(cached.symbol(), cached.interval(), cached.from(), tail.to(), bars, tail.source(),
        cached.stored() && tail.stored(), served, tail.gapFetches(), tail.fetchedBars(), asOf, tail.settled(),
        tail.validUntil());
  }

  /** The series from the store (and upstream for what it lacks), bypassing the series cache. */
  private Mono<HistorySeries> uncached(String symbol, BarInterval interval, Instant from, Instant to, int limit) {
    return Mono.defer(
        () -> {
          long start = System.nanoTime();
          Instant now = clock.instant();
          Instant until = to.isAfter(now) ? now.plusMillis(1) : to;
          List<Instant> expected;
          try {
            expected = schedule(symbol).starts(interval, from, until, limit);
          } catch (BarSchedule.TooManyBars e) {
            throw new InvalidRequest("range", "more than " + limit + " bars of " + interval.code()
                + " in the range: narrow it or use a larger interval");
          }
          Mono<HistorySeries> series;
          if (!store.available()) {
            series = fromMemory(symbol, interval, from, until, to, expected, now);
          } else {
            series =
                store
                    .read(symbol, interval, from, until)
                    .map(java.util.Optional::of)
                    // The store logged and counted the failure: fail open to memory, then the provider.
                    .onErrorResume(e -> Mono.just(java.util.Optional.empty()))
                    .flatMap(
                        stored ->
                            stored.isPresent()
                                ? complete(symbol, interval, from, until, to, expected,
                                    withHeld(symbol, interval, from, until, stored.get()), false, now)
                                : fromMemory(symbol, interval, from, until, to, expected, now));
          }
          return series
              .doOnSuccess(s -> record(start, s.served().code(), "success"))
              .doOnError(e -> record(start, "none", "error"));
        });
  }

  private void record(long startNanos, String served, String outcome) {
    Timer.builder(HistoryMeters.REQUESTS)
        .description("History reads by where the bars came from and outcome")
        .tag("served", served.replace('+', '_'))
        .tag("outcome", outcome)
        .publishPercentileHistogram()
        .register(registry)
        .record(Duration.ofNanos(System.nanoTime() - startNanos));
  }

  /** The store is unavailable: bars held in memory, the missing ones fetched (and held). */
  private Mono<HistorySeries> fromMemory(
      String symbol, BarInterval interval, Instant from, Instant until, Instant to, List<Instant> expected, Instant now) {
    return complete(symbol, interval, from, until, to, expected,
        new Known(unstored.read(symbol, interval, from, until), false), true, now);
  }

  /**
   * Stored bars merged with bars held in memory since an outage and not yet written (the newer
   * fetch of a bar wins), so a read right after the database is back costs no upstream call.
   */
  private Known withHeld(String symbol, BarInterval interval, Instant from, Instant until, List<StoredBar> stored) {
    if (unstored.isEmpty()) {
      return new Known(stored, true);
    }
    List<StoredBar> held = unstored.read(symbol, interval, from, until);
    if (held.isEmpty()) {
      return new Known(stored, true);
    }
    TreeMap<Instant, StoredBar> m = new TreeMap<>();
    for (StoredBar b : stored) {
      m.put(b.bar().ts(), b);
    }
    for (StoredBar b : held) {
      StoredBar prev = m.get(b.bar().ts());
      if (prev == null || !prev.fetchedAt().isAfter(b.fetchedAt())) {
        m.put(b.bar().ts(), b);
      }
    }
    return new Known(new ArrayList<>(m.values()), false);
  }

  /** Bars known before any fetch, and whether all of them are in the store. */
  private record Known(List<StoredBar> bars, boolean stored) {}

  private Mono<HistorySeries> complete(
      String symbol, BarInterval interval, Instant from, Instant until, Instant to,
      List<Instant> expected, Known known, boolean memory, Instant now) {
    List<StoredBar> stored = known.bars();
    Map<Instant, StoredBar> byStart = new HashMap<>(stored.size() * 2);
    for (StoredBar b : stored) {
      byStart.put(b.bar().ts(), b);
    }
    List<Boolean> missing = new ArrayList<>(expected.size());
    boolean any = false;
    for (Instant e : expected) {
      boolean m = needsFetch(byStart.get(e), schedule(symbol), interval, e, now);
      missing.add(m);
      any |= m;
    }
    if (!any) {
      return Mono.just(series(symbol, interval, from, until, to, stored, List.of(), known.stored() && !memory,
          memory && !stored.isEmpty() ? Served.MEMORY : Served.STORE, 0, now));
    }
    List<Instant[]> runs = limit(runs(expected, missing), props.maxGapFetches());
    return fetchAll(symbol, interval, runs)
        .map(
            fetched -> {
              boolean allStored = known.stored() && !memory && fetched.stream().allMatch(Fetched::stored);
              return series(symbol, interval, from, until, to, stored, fetched, allStored,
                  stored.isEmpty() || memory ? Served.UPSTREAM : Served.STORE_AND_UPSTREAM, runs.size(), now);
            })
        // The outage rate limit refused a fetch: what memory holds is better than a 503.
        .onErrorResume(e -> memory && e instanceof GatewayException.Overloaded && !stored.isEmpty(),
            e -> Mono.just(series(symbol, interval, from, until, to, stored, List.of(), false, Served.MEMORY, 0, now)));
  }

  private Mono<List<Fetched>> fetchAll(String symbol, BarInterval interval, List<Instant[]> runs) {
    return Flux.fromIterable(runs)
        .flatMapSequential(
            r -> coalescer.get(new GapKey(symbol, interval, r[0], r[1]), () -> load(symbol, interval, r[0], r[1])),
            props.gapConcurrency())
        .collectList()
        .onErrorMap(CapacityExceededException.class,
            e -> new GatewayException.Overloaded(e.getMessage(), Duration.ofSeconds(1)));
  }

  /** The shared upstream fetch of one missing range, written to the store when it is up. */
  private Mono<Fetched> load(String symbol, BarInterval interval, Instant from, Instant to) {
    return load(symbol, interval, from, to, true, null);
  }

  /** As {@link #load(String, BarInterval, Instant, Instant)}; {@code write=false} leaves writing to the caller. */
  private Mono<Fetched> load(String symbol, BarInterval interval, Instant from, Instant to, boolean write, AtomicLong sent) {
    if (!store.available() && !outageLimit.acquirePermission()) {
      outageLimited.increment();
      return Mono.error(new GatewayException.Overloaded(
          "history fetches are rate-limited while the history database is unavailable", Duration.ofSeconds(1)));
    }
    // Along the bars chain (quotegate.routing.bars), each provider behind its guards.
    return router
        .call(ProviderKind.BARS, symbol,
            (BarProvider p) -> Mono.defer(() -> {
              // Subscribed only once the provider's guards let the call through: a request sent.
              if (sent != null) {
                sent.incrementAndGet();
              }
              return p.bars(symbol, interval, from, to);
            }).map(list -> new Sourced(p.name(), list)))
        .doOnError(e -> backfillRequests.get(e instanceof GatewayException.NotFound ? "not_found" : "error").increment())
        .flatMap(
            sourced -> {
              List<Bar> raw = sourced.bars();
              String source = sourced.provider();
              backfillRequests.get("success").increment();
              backfillBars.increment(raw.size());
              Instant fetchedAt = clock.instant();
              List<Bar> bars = new ArrayList<>(raw.size());
              for (Bar b : raw) {
                if (!b.ts().isBefore(from) && b.ts().isBefore(to)) {
                  bars.add(b);
                }
              }
              if (!write) {
                return Mono.just(new Fetched(bars, fetchedAt, false, source));
              }
              if (!store.available()) {
                // Held for later reads and written when the database is back.
                unstored.add(symbol, interval, bars, fetchedAt, source);
                return Mono.just(new Fetched(bars, fetchedAt, false, source));
              }
              return store
                  .upsert(symbol, interval, bars, source, fetchedAt)
                  .map(
                      n -> {
                        rowsWritten.increment(n);
                        return new Fetched(bars, fetchedAt, true, source);
                      })
                  // The store logged and counted the failure: serve the bars unstored, held.
                  .onErrorResume(e -> {
                    unstored.add(symbol, interval, bars, fetchedAt, source);
                    return Mono.just(new Fetched(bars, fetchedAt, false, source));
                  });
            });
  }

  /** Whether the bar starting at {@code start} must be fetched (absent, or in progress and old). */
  private boolean needsFetch(StoredBar stored, BarSchedule schedule, BarInterval interval, Instant start, Instant now) {
    if (stored == null) {
      return true;
    }
    Instant end = schedule.end(interval, start);
    if (!stored.fetchedAt().isBefore(end)) {
      return false; // settled: final, never fetched again
    }
    if (!now.isBefore(end)) {
      return true; // it has completed since it was fetched
    }
    return !stored.fetchedAt().plus(props.currentBarTtl()).isAfter(now);
  }

  /** Consecutive missing expected bars as {@code [firstStart, lastStart + 1ms)} ranges. */
  static List<Instant[]> runs(List<Instant> expected, List<Boolean> missing) {
    List<Instant[]> runs = new ArrayList<>();
    int i = 0;
    while (i < expected.size()) {
      if (!missing.get(i)) {
        i++;
        continue;
      }
      int j = i;
      while (j + 1 < expected.size() && missing.get(j + 1)) {
        j++;
      }
      runs.add(new Instant[] {expected.get(i), expected.get(j).plusMillis(1)});
      i = j + 1;
    }
    return runs;
  }

  /** At most {@code max} runs: the two closest neighbours are merged until it fits. */
  static List<Instant[]> limit(List<Instant[]> runs, int max) {
    List<Instant[]> out = new ArrayList<>(runs);
    while (out.size() > max) {
      int best = 0;
      long bestGap = Long.MAX_VALUE;
      for (int k = 0; k + 1 < out.size(); k++) {
        long gap = out.get(k + 1)[0].toEpochMilli() - out.get(k)[1].toEpochMilli();
        if (gap < bestGap) {
          bestGap = gap;
          best = k;
        }
      }
      out.set(best, new Instant[] {out.get(best)[0], out.get(best + 1)[1]});
      out.remove(best + 1);
    }
    return out;
  }

  private HistorySeries series(
      String symbol, BarInterval interval, Instant from, Instant until, Instant to,
      List<StoredBar> stored, List<Fetched> fetched, boolean isStored, Served served, int gaps, Instant now) {
    TreeMap<Instant, Bar> bars = new TreeMap<>();
    Map<Instant, Instant> fetchedAt = new HashMap<>();
    String source = null;
    for (StoredBar b : stored) {
      bars.put(b.bar().ts(), b.bar());
      fetchedAt.put(b.bar().ts(), b.fetchedAt());
      source = b.source();
    }
    int fetchedBars = 0;
    for (Fetched f : fetched) {
      for (Bar b : f.bars()) {
        if (!b.ts().isBefore(from) && b.ts().isBefore(until)) {
          bars.put(b.ts(), b);
          fetchedAt.put(b.ts(), f.fetchedAt());
          fetchedBars++;
        }
      }
      if (f.source() != null) {
        source = f.source();
      }
    }
    Instant asOf = null;
    boolean settled = true;
    Instant validUntil = null;
    for (Map.Entry<Instant, Instant> e : fetchedAt.entrySet()) {
      Instant at = e.getValue();
      if (asOf == null || at.isAfter(asOf)) {
        asOf = at;
      }
      if (at.isBefore(schedule(symbol).end(interval, e.getKey()))) {
        settled = false;
        Instant refresh = at.plus(props.currentBarTtl());
        if (validUntil == null || refresh.isBefore(validUntil)) {
          validUntil = refresh;
        }
      }
    }
    if (validUntil == null) {
      // Every bar is final: the series changes only when a new bar starts inside the range.
      Instant horizon = now.plus(props.settledMaxAge());
      validUntil = horizon;
      if (to.isAfter(now)) {
        Instant next = schedule(symbol).nextStartAfter(interval, now).orElse(horizon);
        if (next.isBefore(to) && next.isBefore(horizon)) {
          validUntil = next;
        }
      }
    }
    if (validUntil.isBefore(now)) {
      validUntil = now;
    }
    return new HistorySeries(symbol, interval, from, until, new ArrayList<>(bars.values()),
        source != null ? source : firstProvider(symbol), isStored, served, gaps, fetchedBars, asOf, settled, validUntil);
  }

  /**
   * Bulk ingestion of one symbol: the bars of {@code [from, to)} the store lacks (settled
   * stored bars are skipped, windows of at most {@code max-bars} read one after the other) are
   * fetched (coalesced with any read of the same range), collected, and written in one
   * transaction together with {@code alsoInTransaction} (the job's record of the symbol), so a
   * symbol is either wholly stored and counted, or neither. At most {@code maxSymbolBars}
   * bars are collected (else a 400 naming {@code range}). Every upstream range request this
   * call sends (not those it joins) is counted in {@code upstream}, across retries.
   * Emits the number of bars written.
   */
  Mono<Integer> ingest(String symbol, BarInterval interval, Instant from, Instant to, int maxSymbolBars,
      AtomicLong upstream, BiFunction<io.r2dbc.spi.Connection, Integer, Mono<Void>> alsoInTransaction) {
    return Mono.defer(
        () -> {
          Instant now = clock.instant();
          Instant until = to.isAfter(now) ? now.plusMillis(1) : to;
          BarSchedule sch = schedule(symbol);
          if (sch.count(interval, from, until, maxSymbolBars) > maxSymbolBars) {
            throw new InvalidRequest("range", "more than " + maxSymbolBars + " bars of " + interval.code()
                + " for one symbol: narrow the range or use a larger interval");
          }
          if (!store.available()) {
            throw new GatewayException.Upstream("history-db", GatewayException.UpstreamFailure.UNAVAILABLE,
                "the history database is unavailable: bulk ingestion needs it", Duration.ofSeconds(5), null);
          }
          java.util.concurrent.atomic.AtomicBoolean fresh = new java.util.concurrent.atomic.AtomicBoolean(true);
          return Flux.fromIterable(sch.split(interval, from, until, props.maxBars()))
              .concatMap(w -> missing(symbol, interval, w[0], w[1], now, upstream, fresh))
              .collectList()
              .flatMap(fetched -> {
                int bars = 0;
                for (Fetched f : fetched) {
                  bars += f.bars().size();
                }
                int n = bars;
                return store.writeSymbol(symbol, interval, fetched, fresh.get(), c -> alsoInTransaction.apply(c, n))
                    .doOnNext(rowsWritten::increment)
                    .thenReturn(n);
              });
        });
  }

  /** The bars of one window the store lacks, fetched and not written (the caller writes them). */
  private Flux<Fetched> missing(String symbol, BarInterval interval, Instant from, Instant until, Instant now, AtomicLong upstream,
      java.util.concurrent.atomic.AtomicBoolean fresh) {
    return store.read(symbol, interval, from, until)
        .flatMapMany(stored -> {
          if (!stored.isEmpty()) {
            fresh.set(false); // some bars are stored: merge, never a plain load
          }
          Map<Instant, StoredBar> byStart = new HashMap<>(stored.size() * 2);
          for (StoredBar b : stored) {
            byStart.put(b.bar().ts(), b);
          }
          List<Instant> expected = schedule(symbol).starts(interval, from, until, Integer.MAX_VALUE);
          List<Boolean> missing = new ArrayList<>(expected.size());
          for (Instant e : expected) {
            missing.add(needsFetch(byStart.get(e), schedule(symbol), interval, e, now));
          }
          return Flux.fromIterable(limit(runs(expected, missing), props.maxGapFetches()))
              .concatMap(r -> coalescer.get(new GapKey(symbol, interval, r[0], r[1]),
                  () -> load(symbol, interval, r[0], r[1], false, upstream)))
              .onErrorMap(CapacityExceededException.class,
                  e -> new GatewayException.Overloaded(e.getMessage(), Duration.ofSeconds(1)));
        });
  }

  /** One coalesced backfill. */
  record GapKey(String symbol, BarInterval interval, Instant from, Instant to) {}

  /** Bars one backfill received, when, and whether they were stored. */
  /** The name of the first provider of {@code symbol}'s bars chain: the source of an empty series. */
  private String firstProvider(String symbol) {
    List<BarProvider> chain = router.chain(ProviderKind.BARS, symbol);
    return chain.isEmpty() ? "none" : chain.get(0).name();
  }

  record Fetched(List<Bar> bars, Instant fetchedAt, boolean stored, String source) {}

  /** Bars with the name of the provider that served them. */
  private record Sourced(String provider, List<Bar> bars) {}
}
