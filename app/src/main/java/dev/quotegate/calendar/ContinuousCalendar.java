package dev.quotegate.calendar;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * A market that trades around the clock on its trading days: crypto every day (UTC dates), FX
 * Monday to Friday (London dates). Each trading date is one session from its local midnight to
 * the next; a daily bar starts at that midnight.
 */
public final class ContinuousCalendar implements TradingCalendar {

  /** Crypto: every day, UTC. */
  public static final ContinuousCalendar CRYPTO =
      new ContinuousCalendar("CRYPTO", "crypto (24x7)", ZoneId.of("UTC"), EnumSet.allOf(DayOfWeek.class));

  /** FX: Monday to Friday, London dates. */
  public static final ContinuousCalendar FX =
      new ContinuousCalendar("FX", "foreign exchange (24x5)", ZoneId.of("Europe/London"),
          EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY));

  private final String id;
  private final String name;
  private final ZoneId zone;
  private final Set<DayOfWeek> days;

  private ContinuousCalendar(String id, String name, ZoneId zone, Set<DayOfWeek> days) {
    this.id = id;
    this.name = name;
    this.zone = zone;
    this.days = days;
  }

  @Override
  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  @Override
  public ZoneId zone() {
    return zone;
  }

  @Override
  public Optional<Session> session(LocalDate date) {
    if (!days.contains(date.getDayOfWeek())) {
      return Optional.empty();
    }
    return Optional.of(new Session(date, date.atStartOfDay(zone).toInstant(), date.plusDays(1).atStartOfDay(zone).toInstant()));
  }

  @Override
  public String toString() {
    return "ContinuousCalendar[" + id + ", " + zone + "]";
  }
}
