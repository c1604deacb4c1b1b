package dev.quotegate.history;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Bars fetched from upstream while the database is down (or a write to it failed): kept in a
 * bounded in-memory cache per (symbol, interval), served to later reads so an outage costs each
 * series one upstream fetch rather than one per read, and written to the store once it is
 * available again (a background loop owned by this component, every
 * {@code unstored-flush-interval}).
 *
 * <p>Bounded by an estimate of bytes ({@code unstored-max-size}); a series dropped to stay under
 * the bound is counted ({@code quotegate.history.unstored.evicted}) and logged, and is fetched
 * again when read (nothing is lost that upstream does not still hold). Entries are immutable:
 * an addition replaces the entry, so a flush removes exactly what it wrote.
 */
final class UnstoredBars implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(UnstoredBars.class);
  /** Estimated heap of one held bar: the Bar record, its BigDecimals, the map node. */
  static final int BAR_BYTES = 320;
  private static final int ENTRY_BYTES = 200;

  private final HistoryStore store;
  private final Duration flushInterval;
  private final Cache<Key, Entry> cache;
  private final AtomicReference<Disposable> loop = new AtomicReference<>();
  private final Counter added;
  private final Counter evicted;
  private final Counter flushedBars;
  private final Counter flushFailures;
  private volatile boolean running;

  UnstoredBars(HistoryStore store, HistoryCacheProperties props, MeterRegistry registry) {
    this.store = Objects.requireNonNull(store, "store");
    this.flushInterval = props.unstoredFlushInterval();
    long max = props.unstoredMaxSize().toBytes();
    this.evicted = Counter.builder(HistoryMeters.UNSTORED_EVICTED)
        .description("Series of unstored bars dropped to stay under quotegate.history.cache.unstored-max-size")
        .register(registry);
    this.cache = Caffeine.newBuilder()
        .maximumWeight(max)
        .weigher((Key k, Entry e) -> e.weight())
        .executor(Runnable::run)
        .removalListener((Key k, Entry e, RemovalCause cause) -> {
          if (cause.wasEvicted()) {
            evicted.increment();
            log.debug("unstored bars of {} {} dropped ({}): fetched again when read", k.symbol(), k.interval().code(), cause);
          }
        })
        .build();
    this.added = Counter.builder(HistoryMeters.UNSTORED_ADDED)
        .description("Bars fetched while the database was unavailable, held in memory")
        .register(registry);
    this.flushedBars = Counter.builder(HistoryMeters.UNSTORED_FLUSHED)
        .description("Bars held in memory written to the store once it was back")
        .register(registry);
    this.flushFailures = Counter.builder(HistoryMeters.UNSTORED_FLUSH_FAILURES)
        .description("Attempts to write held bars to the store that failed (kept and retried)")
        .register(registry);
    Gauge.builder(HistoryMeters.UNSTORED_BYTES, this, UnstoredBars::bytes)
        .description("Estimated bytes of bars held in memory, not yet stored")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder(HistoryMeters.UNSTORED_BYTES_MAX, () -> max)
        .description("Bound on the estimated bytes of bars held in memory")
        .baseUnit("bytes")
        .register(registry);
    Gauge.builder(HistoryMeters.UNSTORED_SERIES, cache, c -> c.estimatedSize())
        .description("Series with bars held in memory, not yet stored")
        .register(registry);
  }

  /** Whether nothing is held (the cheap check on every read while the store is up). */
  boolean isEmpty() {
    return cache.estimatedSize() == 0;
  }

  /** Held bars of the series starting in {@code [from, to)}, ascending. */
  List<StoredBar> read(String symbol, BarInterval interval, Instant from, Instant to) {
    Entry e = cache.getIfPresent(new Key(symbol, interval));
    if (e == null || !from.isBefore(to)) {
      return List.of();
    }
    return new ArrayList<>(e.bars().subMap(from, true, to, false).values());
  }

  /** Holds {@code bars} fetched at {@code fetchedAt} (a newer fetch of a bar replaces an older one). */
  void add(String symbol, BarInterval interval, List<Bar> bars, Instant fetchedAt, String source) {
    if (bars.isEmpty()) {
      return;
    }
    cache.asMap().compute(new Key(symbol, interval), (k, old) -> {
      TreeMap<Instant, StoredBar> m = old == null ? new TreeMap<>() : new TreeMap<>(old.bars());
      for (Bar b : bars) {
        StoredBar prev = m.get(b.ts());
        if (prev == null || !prev.fetchedAt().isAfter(fetchedAt)) {
          m.put(b.ts(), new StoredBar(b, fetchedAt, source));
        }
      }
      return new Entry(Collections.unmodifiableNavigableMap(m));
    });
    added.increment(bars.size());
  }

  /** Estimated bytes held. */
  long bytes() {
    long sum = 0;
    for (Entry e : cache.asMap().values()) {
      sum += e.weight();
    }
    return sum;
  }

  /**
   * Writes every held series to the store (one series at a time), each group of bars with the
   * time and source of its fetch; a series written whole is dropped from memory unless it was
   * added to meanwhile. Emits the number of bars written; failures are counted, logged at debug
   * (the store logs the outage) and left for the next round.
   */
  Mono<Long> flush() {
    return Mono.defer(() -> {
      if (isEmpty() || !store.available()) {
        return Mono.just(0L);
      }
      List<Map.Entry<Key, Entry>> snapshot = new ArrayList<>(cache.asMap().entrySet());
      return Flux.fromIterable(snapshot)
          .concatMap(kv -> write(kv.getKey(), kv.getValue())
              .doOnNext(n -> {
                cache.asMap().remove(kv.getKey(), kv.getValue());
                flushedBars.increment(n);
              })
              .onErrorResume(e -> {
                flushFailures.increment();
                log.debug("writing held bars of {} failed, kept for the next round: {}",
                    kv.getKey().symbol(), HistoryDatabase.rootMessage(e));
                return Mono.empty();
              }))
          .reduce(0L, Long::sum)
          .doOnNext(n -> {
            if (n > 0) {
              log.info("history database back: {} bars fetched during the outage written to the store", n);
            }
          });
    });
  }

  private Mono<Long> write(Key key, Entry entry) {
    // Grouped by (fetchedAt, source): the store keeps when and from whom each bar came.
    Map<List<Object>, List<Bar>> groups = new LinkedHashMap<>();
    for (StoredBar b : entry.bars().values()) {
      groups.computeIfAbsent(List.of(b.fetchedAt(), b.source()), g -> new ArrayList<>()).add(b.bar());
    }
    return Flux.fromIterable(groups.entrySet())
        .concatMap(g -> store.upsert(key.symbol(), key.interval(), g.getValue(), (String) g.getKey().get(1),
            (Instant) g.getKey().get(0)))
        .reduce(0L, (a, n) -> a + n);
  }

  @Override
  public void start() {
    running = true;
    Disposable d = Flux.interval(flushInterval, flushInterval, Schedulers.parallel())
        .onBackpressureDrop()
        .concatMap(t -> flush(), 1)
        .subscribe(n -> {}, e -> log.error("the loop writing held history bars ended unexpectedly", e));
    Disposable previous = loop.getAndSet(d);
    if (previous != null) {
      previous.dispose();
    }
  }

  @Override
  public void stop() {
    running = false;
    Disposable d = loop.getAndSet(null);
    if (d != null) {
      d.dispose();
    }
    long held = cache.estimatedSize();
    if (held > 0) {
      log.warn("stopping with bars of {} series fetched during a database outage not stored: they are fetched again when read", held);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  record Key(String symbol, BarInterval interval) {}

  record Entry(NavigableMap<Instant, StoredBar> bars) {
    int weight() {
      return ENTRY_BYTES + bars.size() * BAR_BYTES;
    }
  }
}
