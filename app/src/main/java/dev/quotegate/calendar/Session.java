package dev.quotegate.calendar;

import java.time.Instant;
import java.time.LocalDate;
import java.util.Objects;

/**
 * One regular session of an exchange: the trading day, its opening and closing instants and,
 * for exchanges that pause at midday (Tokyo, Hong Kong), the break. Half-open intervals: the
 * market is open at {@code open} and closed at {@code close} and during {@code [breakStart,
 * breakEnd)}.
 *
 * @param breakStart start of the midday break, or null
 * @param breakEnd end of the midday break, or null
 */
public record Session(LocalDate date, Instant open, Instant close, Instant breakStart, Instant breakEnd) {

  public Session {
    Objects.requireNonNull(date, "date");
    Objects.requireNonNull(open, "open");
    Objects.requireNonNull(close, "close");
    if ((breakStart == null) != (breakEnd == null)) {
      throw new IllegalArgumentException("a break needs a start and an end");
    }
  }

  /** A session without a break. */
  public Session(LocalDate date, Instant open, Instant close) {
    this(date, open, close, null, null);
  }

  /** Whether the market is open at {@code instant}: in {@code [open, close)} and not in the break. */
  public boolean contains(Instant instant) {
    return !instant.isBefore(open) && instant.isBefore(close) && !inBreak(instant);
  }

  /** Whether {@code instant} lies in the midday break. */
  public boolean inBreak(Instant instant) {
    return breakStart != null && !instant.isBefore(breakStart) && instant.isBefore(breakEnd);
  }
}
