package dev.quotegate.provider;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.Calendars;
import dev.quotegate.calendar.TradingCalendar;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;

/**
 * The gateway's side of every provider's bar request, so each adapter only speaks its API:
 *
 * <ul>
 *   <li><b>Stamps.</b> A daily bar is stamped at its session's opening instant on the exchange the
 *       symbol trades on (London 08:00, Tokyo 09:00, New York 09:30 local), a weekly bar at the
 *       opening of its week's first session; providers stamp them their own way (Finnhub at
 *       00:00 UTC of the date, Polygon at midnight New York, Twelve Data and Alpha Vantage with a
 *       bare date, Yahoo at the session start), so an adapter reads the bar's trading date in
 *       the provider's convention and asks {@link #start} for the gateway's stamp.
 *   <li><b>Bounds.</b> A canonical range {@code [from, to)} covers the trading dates {@link
 *       #dates}; adapters ask their provider for one day more on each side (whatever the API's
 *       inclusive or exclusive bounds and time zone) and keep the bars inside {@code [from,
 *       to)}: the first and the last session are never cut off, and a one-session range is never
 *       an empty window.
 * </ul>
 */
public final class BarRequests {

  private BarRequests() {}

  /** The first and last trading dates of a canonical range, in the symbol's market zone. */
  public record Dates(LocalDate first, LocalDate last, ZoneId zone) {

    /** One day before {@code first}: the widened lower bound. */
    public LocalDate before() {
      return first.minusDays(1);
    }

    /** One day after {@code last}: the widened upper bound. */
    public LocalDate after() {
      return last.plusDays(1);
    }
  }

  /** The trading dates {@code [from, to)} covers on {@code symbol}'s market. */
  public static Dates dates(String symbol, Instant from, Instant to) {
    TradingCalendar c = Calendars.forSymbol(symbol);
    Instant last = to.isAfter(from) ? to.minusMillis(1) : from;
    return new Dates(c.dateOf(from), c.dateOf(last), c.zone());
  }

  /** The market zone of {@code symbol} (its trading dates and local times). */
  public static ZoneId zone(String symbol) {
    return Calendars.forSymbol(symbol).zone();
  }

  /**
   * The gateway's stamp of the {@code interval} bar of trading date {@code date} (daily), or of
   * the week containing it (weekly): the session's opening instant.
   */
  public static Instant start(String symbol, BarInterval interval, LocalDate date) {
    TradingCalendar c = Calendars.forSymbol(symbol);
    if (interval == BarInterval.W1) {
      LocalDate monday = date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
      for (LocalDate d = monday; d.isBefore(monday.plusDays(7)); d = d.plusDays(1)) {
        if (c.isTradingDay(d)) {
          return c.dailyBarStart(d);
        }
      }
      return c.dailyBarStart(monday);
    }
    return c.dailyBarStart(date);
  }

  /** As {@link #start}, for a provider stamp whose date is read in {@code stampZone}. */
  public static Instant start(String symbol, BarInterval interval, Instant stamp, ZoneId stampZone) {
    return start(symbol, interval, LocalDate.ofInstant(stamp, stampZone));
  }

  /**
   * Whether a daily range starting {@code first} needs more than a provider's latest {@code
   * compactBars} trading days (Alpha Vantage's {@code compact}): decided by how far back the
   * range starts, not by how long it is.
   */
  public static boolean olderThanLatest(String symbol, LocalDate first, int compactBars, Instant now) {
    TradingCalendar c = Calendars.forSymbol(symbol);
    LocalDate d = c.dateOf(now);
    int sessions = 0;
    // Count back trading days from today until the range's first date or the compact size.
    for (int i = 0; i < compactBars * 2 && sessions < compactBars; i++, d = d.minusDays(1)) {
      if (!d.isAfter(first)) {
        return false;
      }
      if (c.isTradingDay(d)) {
        sessions++;
      }
    }
    return true;
  }
}
