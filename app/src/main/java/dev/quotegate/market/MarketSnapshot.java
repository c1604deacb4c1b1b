package dev.quotegate.market;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.provider.Quote;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.quote.QuoteResult;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The listed universe with the quote of each instrument at one moment: the input of movers
 * and sector statistics. Instruments without a quote are counted, never silently dropped.
 */
public final class MarketSnapshot {

  /** One instrument with its quote. */
  record Entry(SearchHit listing, QuoteResult.Found quote) {
    Quote q() {
      return quote.entry().value();
    }
  }

  private final List<Entry> entries;
  private final int universeSize;
  private final int missing;
  private final int stale;
  private final Instant oldestFetchedAt;
  private final Instant freshUntil;

  private MarketSnapshot(
      List<Entry> entries, int universeSize, int missing, int stale, Instant oldestFetchedAt, Instant freshUntil) {
    this.entries = entries;
    this.universeSize = universeSize;
    this.missing = missing;
    this.stale = stale;
    this.oldestFetchedAt = oldestFetchedAt;
    this.freshUntil = freshUntil;
  }

  static MarketSnapshot of(List<SearchHit> listed, List<QuoteResult> results) {
    List<Entry> entries = new ArrayList<>(listed.size());
    int missing = 0;
    int stale = 0;
    Instant oldest = null;
    Instant freshUntil = null;
    for (int i = 0; i < listed.size(); i++) {
      QuoteResult r = results.get(i);
      if (r instanceof QuoteResult.Found f && f.entry().value().changePercent() != null) {
        entries.add(new Entry(listed.get(i), f));
        if (f.stale()) {
          stale++;
        }
        Instant fetched = f.entry().fetchedAt();
        if (oldest == null || fetched.isBefore(oldest)) {
          oldest = fetched;
        }
        Instant expires = f.entry().expiresAt();
        if (freshUntil == null || expires.isBefore(freshUntil)) {
          freshUntil = expires;
        }
      } else {
        missing++;
      }
    }
    return new MarketSnapshot(List.copyOf(entries), listed.size(), missing, stale, oldest, freshUntil);
  }

  /** Which movers. */
  public enum MoverKind {
    GAINERS,
    LOSERS,
    ACTIVE
  }

  /** One mover. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Mover(
      String symbol,
      String name,
      String sector,
      BigDecimal price,
      BigDecimal change,
      BigDecimal changePercent,
      Long volume,
      String source,
      Instant asOf,
      boolean stale) {}

  /** What the snapshot covers: honest about gaps and staleness. */
  public record Coverage(int universe, int quoted, int missing, int stale, Instant oldestFetchedAt) {}

  /** The movers answer. */
  public record MoversView(String kind, Coverage coverage, List<Mover> movers) {}

  /** One sector's statistics (equal-weighted). */
  public record SectorStats(
      String sector,
      int instruments,
      int advancers,
      int decliners,
      int unchanged,
      BigDecimal averageChangePercent,
      BigDecimal medianChangePercent,
      long totalVolume,
      Extreme best,
      Extreme worst) {}

  /** A sector's best or worst instrument by change % (docs/api.md). */
  public record Extreme(String symbol, BigDecimal changePercent) {}

  /** The sectors answer. */
  public record SectorsView(Coverage coverage, List<SectorStats> sectors) {}

  /** When the least fresh quote of the snapshot stops being fresh; null without any quote. */
  public Instant freshUntil() {
    return freshUntil;
  }

  public Coverage coverage() {
    return new Coverage(universeSize, entries.size(), missing, stale, oldestFetchedAt);
  }

  public MoversView movers(MoverKind kind, int limit) {
    Comparator<Entry> order =
        switch (kind) {
          case GAINERS -> Comparator.comparing((Entry e) -> e.q().changePercent()).reversed();
          case LOSERS -> Comparator.comparing((Entry e) -> e.q().changePercent());
          case ACTIVE -> Comparator.comparing((Entry e) -> e.q().volume() == null ? 0L : e.q().volume()).reversed();
        };
    List<Mover> out = entries.stream().sorted(order.thenComparing(e -> e.listing().symbol())).limit(limit).map(MarketSnapshot::mover).toList();
    return new MoversView(kind.name().toLowerCase(java.util.Locale.ROOT), coverage(), out);
  }

  public SectorsView sectors() {
    Map<String, List<Entry>> bySector = new TreeMap<>();
    for (Entry e : entries) {
      String sector = e.listing().sector() != null ? e.listing().sector() : "Unknown";
      bySector.computeIfAbsent(sector, s -> new ArrayList<>()).add(e);
    }
    List<SectorStats> out = new ArrayList<>(bySector.size());
    for (Map.Entry<String, List<Entry>> s : bySector.entrySet()) {
      List<Entry> list = new ArrayList<>(s.getValue());
      list.sort(Comparator.comparing((Entry e) -> e.q().changePercent()));
      int adv = 0;
      int dec = 0;
      long volume = 0;
      BigDecimal sum = BigDecimal.ZERO;
      for (Entry e : list) {
        int sign = e.q().changePercent().signum();
        if (sign > 0) {
          adv++;
        } else if (sign < 0) {
          dec++;
        }
        sum = sum.add(e.q().changePercent());
        volume += e.q().volume() == null ? 0 : e.q().volume();
      }
      int n = list.size();
      BigDecimal avg = sum.divide(BigDecimal.valueOf(n), MathContext.DECIMAL64).setScale(4, RoundingMode.HALF_EVEN);
      BigDecimal median =
          n % 2 == 1
              ? list.get(n / 2).q().changePercent()
              : list.get(n / 2 - 1).q().changePercent().add(list.get(n / 2).q().changePercent())
                  .divide(BigDecimal.valueOf(2), MathContext.DECIMAL64);
      out.add(new SectorStats(s.getKey(), n, adv, dec, n - adv - dec, avg, median.setScale(4, RoundingMode.HALF_EVEN),
          volume, extreme(list.get(n - 1)), extreme(list.get(0))));
    }
    return new SectorsView(coverage(), out);
  }

  private static Extreme extreme(Entry e) {
    return new Extreme(e.q().symbol(), e.q().changePercent());
  }

  private static Mover mover(Entry e) {
    Quote q = e.q();
    return new Mover(q.symbol(), e.listing().name(), e.listing().sector(), q.price(), q.change(), q.changePercent(),
        q.volume(), q.source(), q.asOf(), e.quote().stale());
  }
}
