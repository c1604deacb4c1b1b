package dev.quotegate.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotegate.calendar.MarketCalendar;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PriceModelTest {

  /** Tuesday 2026-11-24 11:07:13.5 New York, mid-session and off the 15 s lattice. */
  private static final Instant MIDDAY = Instant.parse("2026-11-24T16:07:13.500Z");
  private static final Instant DAY_START = Instant.parse("2026-11-24T14:30:00Z");
  private static final Instant DAY_END = Instant.parse("2026-11-24T21:00:00Z");

  private final MarketCalendar calendar = MarketCalendar.nyse();
  private final Universe universe = Universe.generate(42, 500);
  private final PriceModel model = new PriceModel(42, calendar);
  private final Instrument aapl = universe.find("AAPL").orElseThrow();

  @Test
  void sameSeedSymbolAndInstantGiveTheSamePrice() {
    PriceModel other = new PriceModel(42, calendar);
    for (Instrument i : universe.instruments().subList(0, 50)) {
      assertThat(other.price(i, MIDDAY)).isEqualTo(model.price(i, MIDDAY));
      assertThat(other.quote(i, MIDDAY)).isEqualTo(model.quote(i, MIDDAY));
    }
  }

  @Test
  void differentSeedsGiveDifferentPaths() {
    assertThat(new PriceModel(43, calendar).price(aapl, MIDDAY)).isNotEqualTo(model.price(aapl, MIDDAY));
  }

  @Test
  void priceMovesWhileTheMarketIsOpen() {
    assertThat(model.price(aapl, MIDDAY.plusSeconds(60))).isNotEqualTo(model.price(aapl, MIDDAY));
    assertThat(model.price(aapl, MIDDAY)).isBetween(aapl.basePrice() / 3, aapl.basePrice() * 3);
  }

  @Test
  void priceIsFrozenAtTheCloseWhileTheMarketIsClosed() {
    Instant fridayClose = Instant.parse("2026-11-20T21:00:00Z");
    double atClose = model.price(aapl, fridayClose);
    assertThat(model.price(aapl, Instant.parse("2026-11-21T12:00:00Z"))).isEqualTo(atClose);
    assertThat(model.price(aapl, Instant.parse("2026-11-23T14:29:59Z"))).isEqualTo(atClose);
    assertThat(model.price(aapl, Instant.parse("2026-11-26T16:00:00Z")))
        .as("Thanksgiving shows Wednesday's close")
        .isEqualTo(model.price(aapl, Instant.parse("2026-11-25T21:00:00Z")));
    Quote weekend = model.quote(aapl, Instant.parse("2026-11-21T12:00:00Z"));
    assertThat(weekend.marketOpen()).isFalse();
    assertThat(weekend.lastTrade()).isEqualTo(fridayClose);
  }

  @Test
  void latestBarClosesAtTheQuotePriceForEveryInterval() {
    Quote quote = model.quote(aapl, MIDDAY);
    assertThat(quote.marketOpen()).isTrue();
    for (BarInterval interval : BarInterval.values()) {
      List<Bar> bars = model.bars(aapl, interval, MIDDAY.minus(Duration.ofDays(8)), MIDDAY,
          MIDDAY, 5000);
      assertThat(bars).as(interval.code()).isNotEmpty();
      assertThat(bars.get(bars.size() - 1).close()).as(interval.code()).isEqualTo(quote.price());
    }
    List<Bar> daily = model.bars(aapl, BarInterval.ONE_DAY, DAY_START, DAY_END, MIDDAY, 10);
    assertThat(daily).hasSize(1);
    Bar today = daily.get(0);
    assertThat(today.open()).isEqualTo(quote.open());
    assertThat(today.high()).isEqualTo(quote.high());
    assertThat(today.low()).isEqualTo(quote.low());
    assertThat(today.volume()).isEqualTo(quote.volume());
  }

  @Test
  void quotePreviousCloseIsThePreviousDailyClose() {
    Quote quote = model.quote(aapl, MIDDAY);
    List<Bar> daily = model.bars(aapl, BarInterval.ONE_DAY, MIDDAY.minus(Duration.ofDays(5)),
        MIDDAY, MIDDAY, 10);
    assertThat(daily.get(daily.size() - 2).close()).isEqualTo(quote.previousClose());
    assertThat(quote.high()).isGreaterThanOrEqualTo(Math.max(quote.open(), quote.price()));
    assertThat(quote.low()).isLessThanOrEqualTo(Math.min(quote.open(), quote.price()));
  }

  @Test
  void barsAreWellFormedAscendingAndInsideSessions() {
    for (BarInterval interval : BarInterval.values()) {
      Instant from = interval.intraday() ? MIDDAY.minus(Duration.ofDays(10))
          : MIDDAY.minus(Duration.ofDays(400));
      List<Bar> bars = model.bars(aapl, interval, from, MIDDAY, MIDDAY, 5000);
      Instant previous = Instant.MIN;
      for (Bar b : bars) {
        assertThat(b.start()).as(interval.code()).isAfter(previous).isAfterOrEqualTo(from);
        previous = b.start();
        assertThat(b.high()).isGreaterThanOrEqualTo(Math.max(b.open(), b.close()));
        assertThat(b.low()).isLessThanOrEqualTo(Math.min(b.open(), b.close())).isPositive();
        assertThat(b.volume()).isNotNegative();
        if (interval != BarInterval.ONE_WEEK) {
          assertThat(calendar.sessionAt(b.start())).as("bar %s inside a session", b.start()).isPresent();
        } else {
          assertThat(b.start()).isEqualTo(calendar.sessionOpen(calendar.dateOf(b.start())).orElseThrow());
        }
      }
    }
  }

  @Test
  void dailyBarsSkipHolidaysAndWeekends() {
    List<Bar> bars = model.bars(aapl, BarInterval.ONE_DAY, Instant.parse("2026-11-23T00:00:00Z"),
        Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-02T00:00:00Z"), 50);
    assertThat(bars).extracting(b -> calendar.dateOf(b.start())).containsExactly(
        LocalDate.of(2026, 11, 23), LocalDate.of(2026, 11, 24), LocalDate.of(2026, 11, 25),
        LocalDate.of(2026, 11, 27), LocalDate.of(2026, 11, 30));
  }

  @Test
  void weeklyBarsStartAtTheWeeksFirstSessionAndAggregateItsDays() {
    Instant now = Instant.parse("2026-12-05T00:00:00Z");
    List<Bar> weekly = model.bars(aapl, BarInterval.ONE_WEEK, Instant.parse("2026-11-16T00:00:00Z"),
        now, now, 10);
    List<Bar> daily = model.bars(aapl, BarInterval.ONE_DAY, Instant.parse("2026-11-16T00:00:00Z"),
        now, now, 50);
    assertThat(weekly).hasSize(3);
    for (Bar week : weekly) {
      LocalDate monday = calendar.dateOf(week.start());
      assertThat(monday.getDayOfWeek()).isEqualTo(DayOfWeek.MONDAY);
      List<Bar> days = daily.stream()
          .filter(d -> !calendar.dateOf(d.start()).isBefore(monday)
              && calendar.dateOf(d.start()).isBefore(monday.plusDays(7)))
          .toList();
      assertThat(week.open()).isEqualTo(days.get(0).open());
      assertThat(week.close()).isEqualTo(days.get(days.size() - 1).close());
      assertThat(week.high()).isEqualTo(days.stream().mapToDouble(Bar::high).max().orElseThrow());
      assertThat(week.low()).isEqualTo(days.stream().mapToDouble(Bar::low).min().orElseThrow());
      assertThat(week.volume()).isEqualTo(days.stream().mapToLong(Bar::volume).sum());
    }
  }

  @Test
  void minuteBarsAggregateExactlyIntoLargerBars() {
    Instant now = DAY_END.plusSeconds(3600); // the session is complete
    List<Bar> minutes = model.bars(aapl, BarInterval.ONE_MINUTE, DAY_START, DAY_END, now, 5000);
    List<Bar> hours = model.bars(aapl, BarInterval.ONE_HOUR, DAY_START, DAY_END, now, 5000);
    Bar day = model.bars(aapl, BarInterval.ONE_DAY, DAY_START, DAY_END, now, 5).get(0);
    assertThat(minutes).hasSize(390);
    assertThat(hours).hasSize(7);
    for (int i = 1; i < minutes.size(); i++) {
      assertThat(minutes.get(i).open()).as("continuity").isEqualTo(minutes.get(i - 1).close());
    }
    for (Bar hour : hours) {
      List<Bar> inside = minutes.stream()
          .filter(m -> !m.start().isBefore(hour.start())
              && m.start().isBefore(hour.start().plus(Duration.ofHours(1))))
          .toList();
      assertThat(hour.open()).isEqualTo(inside.get(0).open());
      assertThat(hour.close()).isEqualTo(inside.get(inside.size() - 1).close());
      assertThat(hour.high()).isEqualTo(inside.stream().mapToDouble(Bar::high).max().orElseThrow());
      assertThat(hour.low()).isEqualTo(inside.stream().mapToDouble(Bar::low).min().orElseThrow());
      assertThat(hour.volume()).isEqualTo(inside.stream().mapToLong(Bar::volume).sum());
    }
    assertThat(day.high()).isEqualTo(minutes.stream().mapToDouble(Bar::high).max().orElseThrow());
    assertThat(day.low()).isEqualTo(minutes.stream().mapToDouble(Bar::low).min().orElseThrow());
    assertThat(day.volume()).isEqualTo(minutes.stream().mapToLong(Bar::volume).sum());
    assertThat(day.close()).isEqualTo(model.price(aapl, now));
  }

  @Test
  void pathAgreesBitForBitWithTheSampledLattice() {
    List<Bar> minutes = model.bars(aapl, BarInterval.ONE_MINUTE, DAY_START, DAY_END, MIDDAY, 5000);
    for (Bar m : minutes) {
      assertThat(model.price(aapl, m.start())).isEqualTo(m.open());
    }
  }

  @Test
  void volumeGrowsThroughTheSession() {
    long previous = -1;
    for (Instant t = DAY_START; !t.isAfter(DAY_END); t = t.plus(Duration.ofMinutes(13))) {
      long volume = model.quote(aapl, t).volume();
      assertThat(volume).isGreaterThanOrEqualTo(previous);
      previous = volume;
    }
    assertThat(previous).isBetween(aapl.averageVolume() / 4, aapl.averageVolume() * 4);
  }

  @Test
  void earlyCloseSessionHasShorterBars() {
    Instant now = Instant.parse("2026-11-28T00:00:00Z");
    List<Bar> hours = model.bars(aapl, BarInterval.ONE_HOUR, Instant.parse("2026-11-27T00:00:00Z"),
        now, now, 50);
    assertThat(hours).extracting(Bar::start).last()
        .isEqualTo(Instant.parse("2026-11-27T17:30:00Z"));
    assertThat(hours).hasSize(4);
  }

  @Test
  void refusesRangesWithTooManyBars() {
    assertThatThrownBy(() -> model.bars(aapl, BarInterval.ONE_MINUTE,
        MIDDAY.minus(Duration.ofDays(30)), MIDDAY, MIDDAY, 1000))
        .isInstanceOf(PriceModel.TooManyBarsException.class)
        .hasMessageContaining("1000");
  }

  @Test
  void neverReturnsFutureBars() {
    List<Bar> bars = model.bars(aapl, BarInterval.FIVE_MINUTES, DAY_START, DAY_END, MIDDAY, 500);
    assertThat(bars).allSatisfy(b -> assertThat(b.start()).isBeforeOrEqualTo(MIDDAY));
    assertThat(bars.get(bars.size() - 1).start()).isEqualTo(Instant.parse("2026-11-24T16:05:00Z"));
  }
}
