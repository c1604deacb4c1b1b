package dev.quotegate.cache;

import dev.quotegate.calendar.MarketCalendar;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Market-hours-aware freshness: prices move while the market is open and stand still while
 * it is closed, so a closed-market quote may be kept longer, though never past the next open.
 */
public final class TtlPolicy implements Freshness {

  private final MarketCalendar calendar;
  private final Duration open;
  private final Duration closed;

  public TtlPolicy(MarketCalendar calendar, Duration open, Duration closed) {
    this.calendar = Objects.requireNonNull(calendar, "calendar");
    this.open = Objects.requireNonNull(open, "open");
    this.closed = Objects.requireNonNull(closed, "closed");
  }

  /** When a value fetched at {@code now} stops being fresh. */
  @Override
  public Instant expiresAt(Instant now) {
    if (calendar.isOpen(now)) {
      return now.plus(open);
    }
    Instant capped = now.plus(closed);
    Instant nextOpen = calendar.nextOpen(now);
    return nextOpen.isBefore(capped) ? nextOpen : capped;
  }
}
