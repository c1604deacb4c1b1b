package dev.quotegate.calendar;


import static org.assertj.core.api.Assertions.assertThat;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class MarketCalendarTest {

  private final MarketCalendar calendar = MarketCalendar.nyse();

  @Test
  void regularSessionRunsFromNineThirtyToFourNewYorkTime() {
    LocalDate tuesday = LocalDate.of(2026, 11, 24);
    assertThat(calendar.zone()).isEqualTo(ZoneId.of("America/New_York"));
    assertThat(calendar.sessionOpen(tuesday)).contains(Instant.parse("2026-11-24T14:30:00Z"));
    assertThat(calendar.sessionClose(tuesday)).contains(Instant.parse("2026-11-24T21:00:00Z"));
  }

  @Test
  void sessionIsOpenAtTheOpeningInstantAndClosedAtTheClosingInstant() {
    assertThat(calendar.isOpen(Instant.parse("2026-11-24T14:29:59.999Z"))).isFalse();
    assertThat(calendar.isOpen(Instant.parse("2026-11-24T14:30:00Z"))).isTrue();
    assertThat(calendar.isOpen(Instant.parse("2026-11-24T20:59:59.999Z"))).isTrue();
    assertThat(calendar.isOpen(Instant.parse("2026-11-24T21:00:00Z"))).isFalse();
  }

  @Test
  void followsDaylightSavingTimeInSpring() {
    // DST starts Sunday 2026-03-08: the open moves from 14:30Z to 13:30Z.
    assertThat(calendar.sessionOpen(LocalDate.of(2026, 3, 6)))
        .contains(Instant.parse("2026-03-06T14:30:00Z"));
    assertThat(calendar.sessionOpen(LocalDate.of(2026, 3, 9)))
        .contains(Instant.parse("2026-03-09T13:30:00Z"));
    assertThat(calendar.nextOpen(Instant.parse("2026-03-06T21:00:00Z")))
        .isEqualTo(Instant.parse("2026-03-09T13:30:00Z"));
  }

  @Test
  void followsDaylightSavingTimeInAutumn() {
    // DST ends Sunday 2026-11-01: the close moves from 20:00Z to 21:00Z.
    assertThat(calendar.sessionClose(LocalDate.of(2026, 10, 30)))
        .contains(Instant.parse("2026-10-30T20:00:00Z"));
    assertThat(calendar.sessionClose(LocalDate.of(2026, 11, 2)))
        .contains(Instant.parse("2026-11-02T21:00:00Z"));
    assertThat(calendar.isOpen(Instant.parse("2026-11-02T20:30:00Z"))).isTrue();
    assertThat(calendar.isOpen(Instant.parse("2026-10-30T20:30:00Z"))).isFalse();
  }

  @Test
  void isClosedOnThanksgivingAndClosesAtOneTheDayAfter() {
    LocalDate thanksgiving = LocalDate.of(2026, 11, 26);
    LocalDate blackFriday = LocalDate.of(2026, 11, 27);
    assertThat(calendar.isTradingDay(thanksgiving)).isFalse();
    assertThat(calendar.sessionOpen(thanksgiving)).isEmpty();
    assertThat(calendar.isOpen(Instant.parse("2026-11-26T16:00:00Z"))).isFalse();

    assertThat(calendar.isTradingDay(blackFriday)).isTrue();
    assertThat(calendar.isEarlyClose(blackFriday)).isTrue();
    assertThat(calendar.sessionClose(blackFriday)).contains(Instant.parse("2026-11-27T18:00:00Z"));
    assertThat(calendar.isOpen(Instant.parse("2026-11-27T17:59:59Z"))).isTrue();
    assertThat(calendar.isOpen(Instant.parse("2026-11-27T18:00:00Z"))).isFalse();
  }

  @Test
  void nextOpenSkipsHolidaysAndWeekends() {
    // Wednesday after the close, Thursday is Thanksgiving.
    assertThat(calendar.nextOpen(Instant.parse("2026-11-25T22:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-27T14:30:00Z"));
    // Friday's early close, then the weekend.
    assertThat(calendar.nextOpen(Instant.parse("2026-11-27T18:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-30T14:30:00Z"));
    // Before the open on a trading day: the same day's open.
    assertThat(calendar.nextOpen(Instant.parse("2026-11-24T12:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-24T14:30:00Z"));
    // During a session: tomorrow's open (strictly after).
    assertThat(calendar.nextOpen(Instant.parse("2026-11-24T14:30:00Z")))
        .isEqualTo(Instant.parse("2026-11-25T14:30:00Z"));
  }

  @Test
  void nextCloseIsTheCloseOfTheSessionInProgressOrOfTheNextOne() {
    assertThat(calendar.nextClose(Instant.parse("2026-11-27T15:00:00Z")))
        .as("early close of the session in progress")
        .isEqualTo(Instant.parse("2026-11-27T18:00:00Z"));
    assertThat(calendar.nextClose(Instant.parse("2026-11-27T18:00:00Z")))
        .as("at the close the market is closed: next session's close")
        .isEqualTo(Instant.parse("2026-11-30T21:00:00Z"));
    assertThat(calendar.nextClose(Instant.parse("2026-11-28T12:00:00Z")))
        .isEqualTo(Instant.parse("2026-11-30T21:00:00Z"));
  }

  @Test
  void weekendsAreNotTradingDays() {
    LocalDate saturday = LocalDate.of(2026, 11, 21);
    assertThat(saturday.getDayOfWeek()).isEqualTo(DayOfWeek.SATURDAY);
    assertThat(calendar.isTradingDay(saturday)).isFalse();
    assertThat(calendar.isTradingDay(saturday.plusDays(1))).isFalse();
    assertThat(calendar.isOpen(Instant.parse("2026-11-21T16:00:00Z"))).isFalse();
    assertThat(calendar.previousTradingDay(LocalDate.of(2026, 11, 23)))
        .isEqualTo(LocalDate.of(2026, 11, 20));
    assertThat(calendar.nextTradingDay(LocalDate.of(2026, 11, 20)))
        .isEqualTo(LocalDate.of(2026, 11, 23));
  }

  @Test
  void knowsObservedHolidaysAndTheOneOffClosureOf2025() {
    assertThat(calendar.isTradingDay(LocalDate.of(2026, 7, 3))).as("July 4 2026 is a Saturday").isFalse();
    assertThat(calendar.isTradingDay(LocalDate.of(2027, 6, 18))).as("Juneteenth 2027 observed").isFalse();
    assertThat(calendar.isTradingDay(LocalDate.of(2027, 12, 24))).as("Christmas 2027 observed").isFalse();
    assertThat(calendar.isTradingDay(LocalDate.of(2025, 1, 9))).as("Carter day of mourning").isFalse();
    assertThat(calendar.isTradingDay(LocalDate.of(2024, 3, 29))).as("Good Friday 2024").isFalse();
    assertThat(calendar.isEarlyClose(LocalDate.of(2025, 7, 3))).isTrue();
    assertThat(calendar.isEarlyClose(LocalDate.of(2026, 12, 24))).isTrue();
    assertThat(calendar.isEarlyClose(LocalDate.of(2026, 7, 2))).isFalse();
  }

  @Test
  void hardCodedTableAgreesWithTheHolidayRules() {
    for (LocalDate d = LocalDate.of(2024, 1, 1); d.getYear() <= 2027; d = d.plusDays(1)) {
      if (d.equals(LocalDate.of(2025, 1, 9))) {
        continue; // unscheduled closure, not a rule
      }
      boolean weekday = d.getDayOfWeek() != DayOfWeek.SATURDAY
          && d.getDayOfWeek() != DayOfWeek.SUNDAY;
      assertThat(calendar.isTradingDay(d))
          .as("trading day %s", d)
          .isEqualTo(weekday && !MarketCalendar.RuleHolidays.isHoliday(d));
      assertThat(calendar.isEarlyClose(d))
          .as("early close %s", d)
          .isEqualTo(MarketCalendar.RuleHolidays.isEarlyClose(d));
    }
  }

  @Test
  void fallsBackToHolidayRulesOutsideTheTable() {
    assertThat(calendar.isTradingDay(LocalDate.of(2030, 11, 28))).as("Thanksgiving 2030").isFalse();
    assertThat(calendar.isEarlyClose(LocalDate.of(2030, 11, 29))).isTrue();
    assertThat(calendar.isTradingDay(LocalDate.of(2030, 4, 19))).as("Good Friday 2030").isFalse();
    assertThat(calendar.isTradingDay(LocalDate.of(2023, 1, 2))).as("New Year 2023 observed").isFalse();
    assertThat(calendar.isTradingDay(LocalDate.of(2021, 12, 31)))
        .as("a Saturday New Year's Day is not observed on Friday").isTrue();
    assertThat(calendar.isTradingDay(LocalDate.of(2019, 6, 19))).as("no Juneteenth before 2022").isTrue();
    assertThat(calendar.isEarlyClose(LocalDate.of(2023, 7, 3))).isTrue();
    assertThat(calendar.sessionOpen(LocalDate.of(2031, 1, 6)))
        .contains(Instant.parse("2031-01-06T14:30:00Z"));
  }

  @Test
  void currentOrPreviousSessionIsTheLastOneThatOpened() {
    assertThat(calendar.currentOrPreviousSession(Instant.parse("2026-11-26T16:00:00Z")).date())
        .as("Thanksgiving: Wednesday's session")
        .isEqualTo(LocalDate.of(2026, 11, 25));
    assertThat(calendar.currentOrPreviousSession(Instant.parse("2026-11-24T14:30:00Z")).date())
        .isEqualTo(LocalDate.of(2026, 11, 24));
    assertThat(calendar.currentOrPreviousSession(Instant.parse("2026-11-24T14:29:00Z")).date())
        .isEqualTo(LocalDate.of(2026, 11, 23));
  }
}
