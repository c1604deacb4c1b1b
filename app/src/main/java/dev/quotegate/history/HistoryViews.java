package dev.quotegate.history;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.provider.Bar;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.util.RawValue;

/** Response bodies of the history endpoints. */
final class HistoryViews {

  private HistoryViews() {}

  /** One bar: start {@code t}, OHLC, volume {@code v} (absent where the provider has none). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record BarView(Instant t, BigDecimal o, BigDecimal h, BigDecimal l, BigDecimal c, Long v) {
    static BarView of(Bar b) {
      return new BarView(b.ts(), b.open(), b.high(), b.low(), b.close(), b.volume());
    }
  }

  /**
   * How fresh a series is: {@code asOf} when its newest bar was fetched from upstream,
   * {@code ageSeconds} how long ago, {@code settled} whether every bar is final,
   * {@code validUntil} until when it will not change.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Freshness(Instant asOf, Long ageSeconds, boolean settled, Instant validUntil) {
    static Freshness of(HistorySeries s, Instant now) {
      Long age = s.asOf() == null ? null : Math.max(0, Duration.between(s.asOf(), now).toSeconds());
      return new Freshness(s.asOf(), age, s.settled(), s.validUntil());
    }
  }

  /** The bars as the API shows them ({@link BarView}s), for encoding once per series. */
  static List<BarView> bars(List<Bar> bars) {
    List<BarView> out = new ArrayList<>(bars.size());
    for (Bar b : bars) {
      out.add(BarView.of(b));
    }
    return out;
  }

  /**
   * {@code GET /api/v1/history/{symbol}}. {@code bars} is the series' JSON array of
   * {@link BarView}s, encoded once per series by the application's mapper and written as is.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record HistoryView(
      String symbol, String interval, String range, Instant from, Instant to, String source, boolean stored,
      String served, Freshness freshness, int count, RawValue bars) {

    static HistoryView of(HistorySeries s, HistoryRange range, Instant now, tools.jackson.core.SerializableString barsJson) {
      return new HistoryView(s.symbol(), s.interval().code(), range == null ? null : range.code(), s.from(), s.to(),
          s.source(), s.stored(), s.served().code(), Freshness.of(s, now), s.bars().size(), new RawValue(barsJson));
    }
  }

  /** One chart period: its series, or why it failed. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PeriodView(
      String period, String interval, Instant from, Instant to, String source, Boolean stored, String served,
      Freshness freshness, Integer count, RawValue bars, PeriodError error) {}

  /** Why one chart period failed: HTTP status and problem code it would have had alone. */
  record PeriodError(int status, String code, String detail) {}

  /** {@code GET /api/v1/charts/{symbol}}. */
  record ChartView(String symbol, Instant asOf, List<PeriodView> periods) {}

  /** One indicator value. */
  record Point(Instant t, double value) {}

  /** One MACD value. */
  record MacdPoint(Instant t, double macd, double signal, double histogram) {}

  /** One Bollinger value. */
  record BandPoint(Instant t, double middle, double upper, double lower) {}

  /** {@code GET /api/v1/indicators/{symbol}}: each indicator's values, keyed by name and parameters. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record IndicatorsView(
      String symbol, String interval, String range, Instant from, Instant to, String source, boolean stored,
      String served, Freshness freshness, int count, int warmupBars, Map<String, List<?>> indicators) {}
}
