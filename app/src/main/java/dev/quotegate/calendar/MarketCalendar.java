package dev.quotegate.calendar;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Month;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Trading calendar of the US equities regular session (NYSE / Nasdaq): 09:30–16:00
 * America/New_York, Monday to Friday, minus exchange holidays, with 13:00 early closes.
 *
 * <p>Sessions are half-open intervals {@code [open, close)}: the market is open at the opening
 * instant and closed at the closing instant. All methods are pure, thread-safe and cheap (no I/O,
 * no locks), so they may be called on an event loop.
 *
 * <p>For 2024–2027 the holidays and early closes come from a hard-coded table transcribed from the
 * NYSE's published holiday calendar (nyse.com/markets/hours-calendars), which includes the
 * one-off closure of 2025-01-09 (national day of mourning for President Carter). Outside that
 * range the standard NYSE rules are applied (New Year's Day, Martin Luther King Jr. Day,
 * Washington's Birthday, Good Friday, Memorial Day, Juneteenth from 2022, Independence Day, Labor
 * Day, Thanksgiving, Christmas, with the Saturday-to-Friday / Sunday-to-Monday observance; early
 * closes on July 3, the day after Thanksgiving and Christmas Eve). Unscheduled closures outside
 * the table (e.g. 2012's hurricane Sandy) are not known to this class.
 */
public final class MarketCalendar implements TradingCalendar {

  private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
  private static final LocalTime OPEN = LocalTime.of(9, 30);
  private static final LocalTime CLOSE = LocalTime.of(16, 0);
  private static final LocalTime EARLY_CLOSE = LocalTime.of(13, 0);
  private static final int TABLE_FIRST_YEAR = 2024;
  private static final int TABLE_LAST_YEAR = 2027;

  // NYSE holiday calendar 2024-2027 as published on nyse.com/markets/hours-calendars.
  private static final Set<LocalDate> HOLIDAYS =
      Set.of(
          // 2024
          LocalDate.of(2024, 1, 1),
          LocalDate.of(2024, 1, 15),
          LocalDate.of(2024, 2, 19),
          LocalDate.of(2024, 3, 29),
          LocalDate.of(2024, 5, 27),
          LocalDate.of(2024, 6, 19),
          LocalDate.of(2024, 7, 4),
          LocalDate.of(2024, 9, 2),
          LocalDate.of(2024, 11, 28),
          LocalDate.of(2024, 12, 25),
          // 2025 (01-09: national day of mourning for President Jimmy Carter)
          LocalDate.of(2025, 1, 1),
          LocalDate.of(2025, 1, 9),
          LocalDate.of(2025, 1, 20),
          LocalDate.of(2025, 2, 17),
          LocalDate.of(2025, 4, 18),
          LocalDate.of(2025, 5, 26),
          LocalDate.of(2025, 6, 19),
          LocalDate.of(2025, 7, 4),
          LocalDate.of(2025, 9, 1),
          LocalDate.of(2025, 11, 27),
          LocalDate.of(2025, 12, 25),
          // 2026 (07-03: Independence Day observed, July 4 is a Saturday)
          LocalDate.of(2026, 1, 1),
          LocalDate.of(2026, 1, 19),
          LocalDate.of(2026, 2, 16),
          LocalDate.of(2026, 4, 3),
          LocalDate.of(2026, 5, 25),
          LocalDate.of(2026, 6, 19),
          LocalDate.of(2026, 7, 3),
          LocalDate.of(2026, 9, 7),
          LocalDate.of(2026, 11, 26),
          LocalDate.of(2026, 12, 25),
          // 2027 (06-18, 07-05, 12-24: observed, the holiday falls on a weekend)
          LocalDate.of(2027, 1, 1),
          LocalDate.of(2027, 1, 18),
          LocalDate.of(2027, 2, 15),
          LocalDate.of(2027, 3, 26),
          LocalDate.of(2027, 5, 31),
          LocalDate.of(2027, 6, 18),
          LocalDate.of(2027, 7, 5),
          LocalDate.of(2027, 9, 6),
          LocalDate.of(2027, 11, 25),
          LocalDate.of(2027, 12, 24));

  // Early closes (13:00 ET) from the same NYSE calendar.
  private static final Set<LocalDate> EARLY_CLOSES =
      Set.of(
          LocalDate.of(2024, 7, 3),
          LocalDate.of(2024, 11, 29),
          LocalDate.of(2024, 12, 24),
          LocalDate.of(2025, 7, 3),
          LocalDate.of(2025, 11, 28),
          LocalDate.of(2025, 12, 24),
          LocalDate.of(2026, 11, 27),
          LocalDate.of(2026, 12, 24),
          LocalDate.of(2027, 11, 26));

  private static final MarketCalendar NYSE = new MarketCalendar();

  private MarketCalendar() {}

  /** The US equities regular-session calendar (NYSE holidays, America/New_York). */
  public static MarketCalendar nyse() {
    return NYSE;
  }

  @Override
  public String id() {
    return "XNYS";
  }

  /** The calendar's time zone, America/New_York. */
  @Override
  public ZoneId zone() {
    return NEW_YORK;
  }

  /** Whether the exchange holds a regular session on {@code date} (weekday and no holiday). */
  @Override
  public boolean isTradingDay(LocalDate date) {
    Objects.requireNonNull(date, "date");
    DayOfWeek dow = date.getDayOfWeek();
    if (dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY) {
      return false;
    }
    return !isHoliday(date);
  }

  /** Whether {@code date} is a trading day that closes at 13:00 instead of 16:00. */
  public boolean isEarlyClose(LocalDate date) {
    if (!isTradingDay(date)) {
      return false;
    }
    return inTable(date) ? EARLY_CLOSES.contains(date) : ruleEarlyClose(date);
  }

  /** The session held on {@code date}, or empty when it is not a trading day. */
  @Override
  public Optional<Session> session(LocalDate date) {
    if (!isTradingDay(date)) {
      return Optional.empty();
    }
    LocalTime close = isEarlyClose(date) ? EARLY_CLOSE : CLOSE;
    return Optional.of(
        new Session(
            date,
            ZonedDateTime.of(date, OPEN, NEW_YORK).toInstant(),
            ZonedDateTime.of(date, close, NEW_YORK).toInstant()));
  }

  @Override
  public String toString() {
    return "MarketCalendar[NYSE regular session, " + NEW_YORK + "]";
  }



  private static boolean inTable(LocalDate date) {
    return date.getYear() >= TABLE_FIRST_YEAR && date.getYear() <= TABLE_LAST_YEAR;
  }

  private static boolean isHoliday(LocalDate date) {
    return inTable(date) ? HOLIDAYS.contains(date) : RuleHolidays.isHoliday(date);
  }

  private static boolean ruleEarlyClose(LocalDate date) {
    return RuleHolidays.isEarlyClose(date);
  }

  /**
   * The standing NYSE holiday rules, used outside the hard-coded table (and checked against it by
   * the tests). Package-private for those tests.
   */
  static final class RuleHolidays {

    private RuleHolidays() {}

    /** Rule holidays precomputed for the years anyone is likely to ask about. */
    private static final Map<Integer, Set<LocalDate>> PRECOMPUTED = precompute(1970, 2100);

    /** A Saturday New Year's Day is not observed on the preceding Friday (NYSE rule 7.2). */
    static boolean isHoliday(LocalDate date) {
      Set<LocalDate> days = PRECOMPUTED.get(date.getYear());
      return days != null ? days.contains(date) : holidaysOf(date.getYear()).containsKey(date);
    }

    private static Map<Integer, Set<LocalDate>> precompute(int fromYear, int toYearExclusive) {
      java.util.HashMap<Integer, Set<LocalDate>> byYear = new java.util.HashMap<>();
      for (int y = fromYear; y < toYearExclusive; y++) {
        byYear.put(y, Set.copyOf(holidaysOf(y).keySet()));
      }
      return Map.copyOf(byYear);
    }

    static boolean isEarlyClose(LocalDate date) {
      DayOfWeek dow = date.getDayOfWeek();
      if (dow == DayOfWeek.SATURDAY || dow == DayOfWeek.SUNDAY || isHoliday(date)) {
        return false;
      }
      int year = date.getYear();
      LocalDate thanksgiving = nthWeekday(year, Month.NOVEMBER, DayOfWeek.THURSDAY, 4);
      if (date.equals(thanksgiving.plusDays(1))) {
        return true;
      }
      // July 3 and December 24 close early when they are Monday-Thursday trading days
      // (a Friday July 3 or December 24 is the observed holiday itself).
      boolean monToThu = dow != DayOfWeek.FRIDAY;
      return monToThu
          && (date.equals(LocalDate.of(year, 7, 3)) || date.equals(LocalDate.of(year, 12, 24)));
    }

    /** Holidays observed within {@code year}, keyed by the observed date. */
    static Map<LocalDate, String> holidaysOf(int year) {
      java.util.HashMap<LocalDate, String> days = new java.util.HashMap<>();
      LocalDate newYear = LocalDate.of(year, 1, 1);
      if (newYear.getDayOfWeek() == DayOfWeek.SUNDAY) {
        days.put(newYear.plusDays(1), "New Year's Day (observed)");
      } else if (newYear.getDayOfWeek() != DayOfWeek.SATURDAY) {
        days.put(newYear, "New Year's Day");
      }
      days.put(nthWeekday(year, Month.JANUARY, DayOfWeek.MONDAY, 3), "Martin Luther King Jr. Day");
      days.put(nthWeekday(year, Month.FEBRUARY, DayOfWeek.MONDAY, 3), "Washington's Birthday");
      days.put(easterSunday(year).minusDays(2), "Good Friday");
      days.put(
          LocalDate.of(year, 5, 31).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)),
          "Memorial Day");
      if (year >= 2022) {
        days.put(observed(LocalDate.of(year, 6, 19)), "Juneteenth");
      }
      days.put(observed(LocalDate.of(year, 7, 4)), "Independence Day");
      days.put(nthWeekday(year, Month.SEPTEMBER, DayOfWeek.MONDAY, 1), "Labor Day");
      days.put(nthWeekday(year, Month.NOVEMBER, DayOfWeek.THURSDAY, 4), "Thanksgiving Day");
      days.put(observed(LocalDate.of(year, 12, 25)), "Christmas Day");
      return days;
    }

    private static LocalDate observed(LocalDate date) {
      return switch (date.getDayOfWeek()) {
        case SATURDAY -> date.minusDays(1);
        case SUNDAY -> date.plusDays(1);
        default -> date;
      };
    }

    private static LocalDate nthWeekday(int year, Month month, DayOfWeek dow, int n) {
      return LocalDate.of(year, month, 1)
          .with(TemporalAdjusters.firstInMonth(dow))
          .plusWeeks(n - 1L);
    }

    /** Anonymous Gregorian algorithm (Meeus/Jones/Butcher). */
    static LocalDate easterSunday(int year) {
      int a = year % 19;
      int b = year / 100;
      int c = year % 100;
      int d = b / 4;
      int e = b % 4;
      int f = (b + 8) / 25;
      int g = (b - f + 1) / 3;
      int h = (19 * a + b - d - g + 15) % 30;
      int i = c / 4;
      int k = c % 4;
      int l = (32 + 2 * e + 2 * i - h - k) % 7;
      int m = (a + 11 * h + 22 * l) / 451;
      int month = (h + l - 7 * m + 114) / 31;
      int day = ((h + l - 7 * m + 114) % 31) + 1;
      return LocalDate.of(year, month, day);
    }
  }
}
