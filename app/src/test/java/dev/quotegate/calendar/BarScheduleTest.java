package dev.quotegate.calendar;


import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which bars exist by the NYSE calendar. */
class BarScheduleTest {

  final BarSchedule schedule = new BarSchedule(MarketCalendar.nyse());

  @Test
  void hourlyBarsAreAlignedOnTheOpenAndCutAtAnEarlyClose() {
    // Friday 2025-11-28, the day after Thanksgiving, closes at 13:00 New York.
    List<Instant> starts = schedule.starts(BarInterval.H1, Instant.parse("2025-11-28T05:00:00Z"), Instant.parse("2025-11-29T05:00:00Z"), 100);
    assertThat(starts).containsExactly(
        Instant.parse("2025-11-28T14:30:00Z"), Instant.parse("2025-11-28T15:30:00Z"),
        Instant.parse("2025-11-28T16:30:00Z"), Instant.parse("2025-11-28T17:30:00Z"));
    assertThat(schedule.end(BarInterval.H1, Instant.parse("2025-11-28T17:30:00Z"))).isEqualTo(Instant.parse("2025-11-28T18:00:00Z"));
    // A regular day: 7 hourly bars, the last one 15:30-16:00.
    assertThat(schedule.starts(BarInterval.H1, Instant.parse("2025-12-01T05:00:00Z"), Instant.parse("2025-12-02T05:00:00Z"), 100)).hasSize(7);
  }

  @Test
  void weekendsAndHolidaysHoldNoBars() {
    assertThat(schedule.starts(BarInterval.M1, Instant.parse("2025-12-25T00:00:00Z"), Instant.parse("2025-12-26T00:00:00Z"), 1000)).isEmpty();
    assertThat(schedule.starts(BarInterval.D1, Instant.parse("2025-12-27T00:00:00Z"), Instant.parse("2025-12-29T00:00:00Z"), 1000)).isEmpty();
  }

  @Test
  void aWeeklyBarStartsAtItsWeeksFirstSessionAndEndsAtItsLast() {
    // Week of Christmas 2025: Monday 22nd opens it; Friday 26th closes it.
    List<Instant> starts = schedule.starts(BarInterval.W1, Instant.parse("2025-12-20T00:00:00Z"), Instant.parse("2026-01-10T00:00:00Z"), 10);
    assertThat(starts).containsExactly(
        Instant.parse("2025-12-22T14:30:00Z"), Instant.parse("2025-12-29T14:30:00Z"), Instant.parse("2026-01-05T14:30:00Z"));
    assertThat(schedule.end(BarInterval.W1, starts.get(0))).isEqualTo(Instant.parse("2025-12-26T21:00:00Z"));
  }

  @Test
  void longRangesSplitIntoWindowsOfAtMostTheCap() {
    Instant from = Instant.parse("2025-01-01T00:00:00Z");
    Instant to = Instant.parse("2025-03-01T00:00:00Z");
    int total = schedule.count(BarInterval.M1, from, to, Integer.MAX_VALUE - 1);
    List<Instant[]> windows = schedule.split(BarInterval.M1, from, to, 5000);
    assertThat(windows).hasSize((total + 4999) / 5000);
    int sum = 0;
    for (Instant[] w : windows) {
      int n = schedule.starts(BarInterval.M1, w[0], w[1], Integer.MAX_VALUE).size();
      assertThat(n).isLessThanOrEqualTo(5000);
      sum += n;
    }
    assertThat(sum).isEqualTo(total);
    assertThatThrownBy(() -> schedule.starts(BarInterval.M1, from, to, 5000)).isInstanceOf(BarSchedule.TooManyBars.class);
  }

  @Test
  void shiftBackFindsTheStartOfTheNthEarlierBar() {
    Instant from = Instant.parse("2026-01-05T14:30:00Z"); // Monday
    // 3 sessions back: 31 Dec, 2 Jan... Friday 2 Jan, Wednesday 31 Dec, Tuesday 30 Dec
    assertThat(schedule.shiftBack(BarInterval.D1, from, 3)).isEqualTo(Instant.parse("2025-12-30T14:30:00Z"));
    assertThat(schedule.shiftBack(BarInterval.D1, from, 0)).isEqualTo(from);
  }
}
