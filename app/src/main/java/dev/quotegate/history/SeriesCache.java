package dev.quotegate.history;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.function.Function;
import tools.jackson.core.io.SerializedString;

/**
 * Served series kept in memory per (symbol, interval, range window), with the encoded JSON of
 * their bars, so a warm read neither queries the store, nor walks the calendar bar by bar, nor
 * encodes its bars again (as {@code quote.QuoteJson} keeps quotes). Only stored series are
 * kept. Bounded by estimated bytes ({@code quotegate.history.cache.series-max-size}): half for
 * the series, half for their JSON; the JSON is keyed by the identity of a series' bar list, so
 * it lives exactly as long as that series is reachable and a changed series is encoded anew.
 */
final class SeriesCache {

  /** The window a series answers: {@code toMs} is -1 for a range that runs up to now. */
  record Key(String symbol, BarInterval interval, long fromMs, long toMs, int limit) {}

  private final Cache<Key, HistorySeries> series;
  private final Cache<List<Bar>, SerializedString> json;
  private final Counter hits;
  private final Counter refreshes;
  private final Counter misses;

  SeriesCache(HistoryCacheProperties props, MeterRegistry registry) {
    long max = props.seriesMaxSize().toBytes();
    if (max <= 0) {
      series = null;
      json = null;
    } else {
      series = Caffeine.newBuilder()
          .maximumWeight(Math.max(1, max / 2))
          .weigher((Key k, HistorySeries s) -> 256 + s.bars().size() * UnstoredBars.BAR_BYTES)
          .executor(Runnable::run)
          .build();
      json = Caffeine.newBuilder()
          .weakKeys() // identity of the bar list
          .maximumWeight(Math.max(1, max / 2))
          .weigher((List<Bar> k, SerializedString v) -> 64 + 2 * v.charLength()) // the text and its UTF-8
          .executor(Runnable::run)
          .build();
      Gauge.builder(HistoryMeters.SERIES_CACHE_BYTES, this, SeriesCache::bytes)
          .description("Estimated bytes of series and their JSON kept in memory")
          .baseUnit("bytes")
          .register(registry);
    }
    Gauge.builder(HistoryMeters.SERIES_CACHE_BYTES_MAX, () -> max)
        .description("Bound on the estimated bytes of series kept in memory (quotegate.history.cache.series-max-size)")
        .baseUnit("bytes")
        .register(registry);
    hits = outcome(registry, "hit");
    refreshes = outcome(registry, "refresh");
    misses = outcome(registry, "miss");
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder(HistoryMeters.SERIES_CACHE)
        .description("History reads by series cache outcome (refresh: only the bar in progress was read again)")
        .tag("outcome", outcome)
        .register(registry);
  }

  boolean enabled() {
    return series != null;
  }

  HistorySeries get(Key key) {
    return series == null ? null : series.getIfPresent(key);
  }

  void put(Key key, HistorySeries s) {
    if (series != null) {
      series.put(key, s);
    }
  }

  void hit() {
    hits.increment();
  }

  void refresh() {
    refreshes.increment();
  }

  void miss() {
    misses.increment();
  }

  /**
   * The encoded JSON array of {@code bars}, encoded by {@code encode} once per bar list and
   * kept with its UTF-8 bytes, so writing it is a byte copy.
   */
  SerializedString json(List<Bar> bars, Function<List<Bar>, String> encode) {
    if (json == null) {
      return utf8(encode.apply(bars));
    }
    return json.get(bars, b -> utf8(encode.apply(b)));
  }

  private static SerializedString utf8(String s) {
    SerializedString out = new SerializedString(s);
    out.asUnquotedUTF8(); // computed once, here, not on every response
    return out;
  }

  private long bytes() {
    long sum = 0;
    for (HistorySeries s : series.asMap().values()) {
      sum += 256 + (long) s.bars().size() * UnstoredBars.BAR_BYTES;
    }
    for (SerializedString j : json.asMap().values()) {
      sum += 64 + 2L * j.charLength();
    }
    return sum;
  }
}
