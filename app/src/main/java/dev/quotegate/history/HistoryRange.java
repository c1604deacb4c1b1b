package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.TradingCalendar;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.util.Locale;
import java.util.Optional;

/**
 * Named look-back ranges ({@code range=} of the history and indicator endpoints, and the
 * chart periods), each with the interval a chart of it needs when none is given.
 */
public enum HistoryRange {
  D1("1d", "1D", BarInterval.M5),
  D5("5d", "5D", BarInterval.M15),
  MO1("1mo", "1M", BarInterval.H1),
  MO3("3mo", "3M", BarInterval.D1),
  MO6("6mo", "6M", BarInterval.D1),
  YTD("ytd", "YTD", BarInterval.D1),
  Y1("1y", "1Y", BarInterval.D1),
  Y2("2y", "2Y", BarInterval.D1),
  Y5("5y", "5Y", BarInterval.W1),
  Y10("10y", "10Y", BarInterval.W1),
  MAX("max", "MAX", BarInterval.W1);

  private final String code;
  private final String period;
  private final BarInterval chartInterval;

  HistoryRange(String code, String period, BarInterval chartInterval) {
    this.code = code;
    this.period = period;
    this.chartInterval = chartInterval;
  }

  /** The {@code range=} name. */
  public String code() {
    return code;
  }

  /** The chart period name ({@code periods=}). */
  public String period() {
    return period;
  }

  /** The bar size a chart of this range uses. */
  public BarInterval chartInterval() {
    return chartInterval;
  }

  /**
   * Start of the range ending now: {@code 1d} is the current (or last) session, {@code 5d} the
   * last five sessions, month and year ranges go back by the calendar from the New York date,
   * {@code max} starts at {@code earliest}.
   */
  public Instant from(Instant now, TradingCalendar calendar, LocalDate earliest) {
    LocalDate today = calendar.dateOf(now);
    LocalDate start;
    switch (this) {
      case D1:
        return calendar.currentOrPreviousSession(now).open();
      case D5:
        LocalDate d = calendar.currentOrPreviousSession(now).date();
        for (int i = 1; i < 5; i++) {
          d = calendar.previousTradingDay(d);
        }
        return calendar.sessionOpen(d).orElseThrow();
      case MO1:
        start = today.minusMonths(1);
        break;
      case MO3:
        start = today.minusMonths(3);
        break;
      case MO6:
        start = today.minusMonths(6);
        break;
      case YTD:
        start = today.withDayOfYear(1);
        break;
      case Y1:
        start = today.minusYears(1);
        break;
      case Y2:
        start = today.minusYears(2);
        break;
      case Y5:
        start = today.minusYears(5);
        break;
      case Y10:
        start = today.minusYears(10);
        break;
      default:
        start = earliest;
        break;
    }
    return ZonedDateTime.of(start, java.time.LocalTime.MIDNIGHT, calendar.zone()).toInstant();
  }

  public static Optional<HistoryRange> parse(String code) {
    String c = code.trim().toLowerCase(Locale.ROOT);
    for (HistoryRange r : values()) {
      if (r.code.equals(c)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  public static Optional<HistoryRange> parsePeriod(String period) {
    String p = period.trim().toUpperCase(Locale.ROOT);
    for (HistoryRange r : values()) {
      if (r.period.equals(p)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }

  static String codes() {
    StringBuilder sb = new StringBuilder();
    for (HistoryRange r : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(r.code);
    }
    return sb.toString();
  }

  static String periods() {
    StringBuilder sb = new StringBuilder();
    for (HistoryRange r : values()) {
      sb.append(sb.length() == 0 ? "" : ", ").append(r.period);
    }
    return sb.toString();
  }
}
