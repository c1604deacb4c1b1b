package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.provider.Bar;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A served series of bars and where it came from.
 *
 * @param symbol the symbol
 * @param interval bar size
 * @param from requested start (inclusive)
 * @param to end of the served range (exclusive): the requested end, or just after now
 * @param bars the bars, ascending by start
 * @param source the provider the bars came from
 * @param stored whether every bar is now held by the store (false while the database is down)
 * @param served where the bars came from this time
 * @param gapFetches upstream range requests this read waited for (shared ones included)
 * @param fetchedBars bars received from upstream for this read
 * @param asOf when the newest of the bars was fetched from upstream (null with no bars)
 * @param settled whether every bar is final (none still in progress)
 * @param validUntil until when this series is known to stay as it is
 */
public record HistorySeries(
    String symbol,
    BarInterval interval,
    Instant from,
    Instant to,
    List<Bar> bars,
    String source,
    boolean stored,
    Served served,
    int gapFetches,
    int fetchedBars,
    Instant asOf,
    boolean settled,
    Instant validUntil) {

  public HistorySeries {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(bars, "bars");
    Objects.requireNonNull(served, "served");
    bars = List.copyOf(bars);
  }

  /** Where a series came from. */
  public enum Served {
    /** Every bar from the store: no upstream request. */
    STORE("store"),
    /** Stored bars plus the missing ranges fetched from upstream. */
    STORE_AND_UPSTREAM("store+upstream"),
    /** Straight from upstream (nothing stored yet, or the database is unavailable). */
    UPSTREAM("upstream"),
    /** Bars fetched earlier while the database was unavailable, held in memory: no upstream request. */
    MEMORY("memory");

    private final String code;

    Served(String code) {
      this.code = code;
    }

    public String code() {
      return code;
    }
  }
}
