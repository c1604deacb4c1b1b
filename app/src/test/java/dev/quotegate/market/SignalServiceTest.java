package dev.quotegate.market;

import static org.assertj.core.api.Assertions.assertThat;

import dev.quotegate.cache.Cached;
import dev.quotegate.calendar.Calendars;
import dev.quotegate.calendar.TradingCalendar;
import dev.quotegate.market.SignalService.Signal;
import dev.quotegate.market.SignalService.SymbolSignals;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteResult;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Each signal fires on the bar it should, with its value, on series built so the answer is known. */
class SignalServiceTest {

  private final SignalService service =
      new SignalService(null, null, new SignalProperties(50, 260, 5, 4, 70, 30, 2.0), java.time.Clock.systemUTC());
  private final TradingCalendar nyse = Calendars.forSymbol("AAPL");

  private List<LocalDate> days(int n) {
    List<LocalDate> out = new ArrayList<>();
    LocalDate d = LocalDate.of(2024, 1, 2);
    while (out.size() < n) {
      out.add(d);
      d = nyse.nextTradingDay(d);
    }
    return out;
  }

  /** {@code n} flat bars at 100 (volume 1000), then one bar at {@code last} with {@code lastVolume}. */
  private List<Bar> flatThen(int n, double last, long lastVolume) {
    List<LocalDate> d = days(n + 1);
    List<Bar> bars = new ArrayList<>();
    for (int i = 0; i <= n; i++) {
      BigDecimal c = BigDecimal.valueOf(i < n ? 100 : last);
      bars.add(new Bar(nyse.dailyBarStart(d.get(i)), c, c, c, c, i < n ? 1000L : lastVolume));
    }
    return bars;
  }

  private static Map<String, Signal> byDirection(SymbolSignals s) {
    return s.signals().stream().collect(Collectors.toMap(Signal::direction, x -> x));
  }

  @Test
  void aJumpOutOfAFlatSeriesFiresEveryBullishSignalOnTheLastBar() {
    List<Bar> bars = flatThen(229, 110, 5000);
    SymbolSignals s = service.evaluate("AAPL", bars, null);
    Map<String, Signal> got = byDirection(s);
    assertThat(got.keySet()).containsExactlyInAnyOrder("overbought", "bullish", "golden-cross", "breakout-up", "spike");
    LocalDate lastDay = nyse.dateOf(bars.get(bars.size() - 1).ts());
    assertThat(s.signals()).allSatisfy(x -> {
      assertThat(x.date()).isEqualTo(lastDay);
      assertThat(x.barsAgo()).isZero();
    });
    assertThat(got.get("overbought").value()).as("RSI after the only move, up").isEqualTo(100.0);
    assertThat(got.get("breakout-up").value()).isEqualTo(110.0);
    // The band over the 20 bars ending with the jump: mean 100.5, population sd sqrt(4.75).
    assertThat(got.get("breakout-up").threshold()).as("upper band")
        .isEqualTo(Math.round((100.5 + 2 * Math.sqrt(4.75)) * 10000) / 10000.0);
    assertThat(got.get("golden-cross").value()).as("SMA 50").isEqualTo(100.2);
    assertThat(got.get("golden-cross").threshold()).as("SMA 200").isEqualTo(100.05);
    assertThat(got.get("spike").value()).isEqualTo(5000.0);
    assertThat(got.get("spike").threshold()).isEqualTo(2000.0);
    assertThat(s.latest().sma200()).isEqualTo(100.05);
    assertThat(s.latest().fromQuote()).isFalse();
  }

  @Test
  void aDropFiresTheBearishSignalsAndNormalVolumeNoSpike() {
    SymbolSignals s = service.evaluate("AAPL", flatThen(229, 90, 1500), null);
    assertThat(byDirection(s).keySet()).containsExactlyInAnyOrder("oversold", "bearish", "death-cross", "breakout-down");
    assertThat(byDirection(s).get("oversold").value()).isEqualTo(0.0);
  }

  @Test
  void theLatestQuoteIsTheNewestBar() {
    List<Bar> bars = flatThen(229, 100, 1000);
    LocalDate lastDay = nyse.dateOf(bars.get(bars.size() - 1).ts());
    LocalDate next = nyse.nextTradingDay(lastDay);
    Instant at = nyse.sessionOpen(next).orElseThrow().plusSeconds(3600);
    Quote q = new Quote("AAPL", new BigDecimal("110"), null, null, null, null, null, null, 5000L, "USD", true, at, "sim", null);
    QuoteResult found = new QuoteResult.Found("AAPL", new Cached<>(q, at, at.plusSeconds(5)), QuoteResult.Origin.CACHE);
    SymbolSignals s = service.evaluate("AAPL", bars, found);
    assertThat(s.latest().fromQuote()).isTrue();
    assertThat(s.latest().date()).isEqualTo(next);
    assertThat(byDirection(s).keySet()).contains("breakout-up", "spike", "golden-cross");
    assertThat(s.signals()).allSatisfy(x -> assertThat(x.date()).isEqualTo(next));
  }

  @Test
  void aFlatSeriesFiresNothingAndTooShortHasNoLongAverage() {
    assertThat(service.evaluate("AAPL", flatThen(229, 100, 1000), null).signals()).isEmpty();
    SymbolSignals shortOne = service.evaluate("AAPL", flatThen(60, 100, 1000), null);
    assertThat(shortOne.latest().sma200()).isNull();
    assertThat(shortOne.latest().sma50()).isEqualTo(100.0);
  }
}
