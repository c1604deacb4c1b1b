package dev.quotegate.provider;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls left today for a provider with a daily plan limit. A new day (midnight in {@code zone})
 * starts from zero. Lock-free; counted per gateway instance.
 */
final class DailyQuota {

  private record Day(LocalDate date, int used) {}

  private final int limit;
  private final ZoneId zone;
  private final Clock clock;
  private final AtomicReference<Day> day;

  DailyQuota(int limit, ZoneId zone, Clock clock) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    this.limit = limit;
    this.zone = zone;
    this.clock = clock;
    this.day = new AtomicReference<>(new Day(today(), 0));
  }

  /** Takes one call from today's quota; false (and nothing taken) when it is spent. */
  boolean tryAcquire() {
    return tryAcquire(1);
  }

  /**
   * Takes {@code units} from today's quota (a call that costs one credit per symbol); false
   * (and nothing taken) when fewer are left.
   */
  boolean tryAcquire(int units) {
    LocalDate today = today();
    while (true) {
      Day current = day.get();
      Day base = current.date().equals(today) ? current : new Day(today, 0);
      if (base.used() + units > limit) {
        if (base != current) {
          day.compareAndSet(current, base);
        }
        return false;
      }
      if (day.compareAndSet(current, new Day(today, base.used() + units))) {
        return true;
      }
    }
  }

  /** Whether today's quota is spent. */
  boolean spent() {
    return used() >= limit;
  }

  /** Calls taken today. */
  int used() {
    Day current = day.get();
    return current.date().equals(today()) ? current.used() : 0;
  }

  int limit() {
    return limit;
  }

  /** Time until the quota renews. */
  Duration untilReset() {
    Instant now = clock.instant();
    Instant midnight = today().plusDays(1).atStartOfDay(zone).toInstant();
    return Duration.between(now, midnight);
  }

  void reset() {
    day.set(new Day(today(), 0));
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), zone);
  }
}
