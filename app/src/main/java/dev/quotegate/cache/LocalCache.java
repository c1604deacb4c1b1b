package dev.quotegate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The in-process tier (L1): a bounded Caffeine cache of {@link Cached} values for one
 * {@link CacheKind}.
 *
 * <p>Entries stay past their freshness for {@code staleRetention}, so the last value can be
 * served (marked stale) when upstream fails; after that they are evicted. Size-bounded by
 * {@code maxEntries} (W-TinyLFU). Meters: Caffeine's own ({@code cache.gets},
 * {@code cache.evictions}, {@code cache.size} with {@code cache=l1.<kind>}) and
 * {@code quotegate.cache.requests} by kind, tier and logical outcome (fresh, stale, miss).
 */
public final class LocalCache<V> {

  private final Cache<String, Cached<V>> cache;
  private final Clock clock;
  private final Counter fresh;
  private final Counter stale;
  private final Counter miss;

  public LocalCache(
      CacheKind kind, long maxEntries, Duration staleRetention, Clock clock, MeterRegistry registry) {
    Objects.requireNonNull(kind, "kind");
    this.clock = Objects.requireNonNull(clock, "clock");

    this.cache =
        Caffeine.newBuilder()
            .maximumSize(maxEntries)
            .expireAfter(
                Expiry.<String, Cached<V>>writing(
                    (key, value) -> {
                      Duration fresh = Duration.between(clock.instant(), value.expiresAt());
                      return (fresh.isNegative() ? Duration.ZERO : fresh).plus(staleRetention);
                    }))
            .recordStats()
            .build();
    CaffeineCacheMetrics.monitor(registry, cache, "l1." + kind.tag());
    this.fresh = requests(registry, kind, "fresh");
    this.stale = requests(registry, kind, "stale");
    this.miss = requests(registry, kind, "miss");
  }

  private static Counter requests(MeterRegistry registry, CacheKind kind, String outcome) {
    return Counter.builder("quotegate.cache.requests")
        .description("Cache look-ups by kind, tier and outcome")
        .tag("kind", kind.tag())
        .tag("tier", "l1")
        .tag("outcome", outcome)
        .register(registry);
  }

  /**
   * The entries present for {@code keys}, fresh or stale (the caller decides), counting
   * each key's outcome.
   */
  public Map<String, Cached<V>> getAll(Collection<String> keys) {
    // One getIfPresent per key into one map: Caffeine's getAllPresent builds a LinkedHashMap,
    // its entry set and an unmodifiable copy per call, the largest allocation site of the
    // quote path in the benchmark's profiles (docs/benchmarks.md).
    Map<String, Cached<V>> found = new HashMap<>(keys.size() * 2);
    Instant now = clock.instant();
    int freshCount = 0;
    for (String key : keys) {
      Cached<V> c = cache.getIfPresent(key);
      if (c != null) {
        found.put(key, c);
        if (c.isFresh(now)) {
          freshCount++;
        }
      }
    }
    fresh.increment(freshCount);
    stale.increment(found.size() - freshCount);
    miss.increment(keys.size() - found.size());
    return found;
  }

  /** The entry for {@code key} without counting a look-up (for stale fallbacks). */
  public Cached<V> peek(String key) {
    return cache.getIfPresent(key);
  }

  public void put(String key, Cached<V> value) {
    cache.put(key, value);
  }

  public void invalidate(String key) {
    cache.invalidate(key);
  }

  public long estimatedSize() {
    return cache.estimatedSize();
  }

  /** Drops every entry whose key matches; returns how many. */
  public long invalidateMatching(Predicate<String> keys) {
    long n = 0;
    for (String key : cache.asMap().keySet()) {
      if (keys.test(key) && cache.asMap().remove(key) != null) {
        n++;
      }
    }
    return n;
  }

  /** Look-ups since start by outcome (fresh, stale, miss). */
  public Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    out.put("fresh", (long) fresh.count());
    out.put("stale", (long) stale.count());
    out.put("miss", (long) miss.count());
    return out;
  }
}
