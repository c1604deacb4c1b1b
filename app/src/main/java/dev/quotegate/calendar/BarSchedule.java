package dev.quotegate.calendar;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Which bars exist, by the market calendar: intraday bars are aligned on the session open and
 * cut at the close (the last {@code 1h} bar of a 16:00 day starts at 15:30), a {@code 1d} bar
 * starts at its session's open, a {@code 1wk} bar at the open of its week's first session.
 * Weekends, holidays and the hours outside sessions hold no bars, so they are never gaps.
 *
 * <p>Pure and cheap (no I/O), safe on an event loop.
 */
public final class BarSchedule {

  /** Longest span scanned in one call: bounds every loop (the calendar starts in 1970). */
  private static final LocalDate FIRST_DAY = LocalDate.of(1970, 1, 1);

  private final TradingCalendar calendar;

  public BarSchedule(TradingCalendar calendar) {
    this.calendar = Objects.requireNonNull(calendar, "calendar");
  }

  public TradingCalendar calendar() {
    return calendar;
  }

  /**
   * Starts of the bars of {@code interval} that begin in {@code [from, to)}, ascending.
   *
   * @throws TooManyBars when there are more than {@code limit}
   */
  public List<Instant> starts(BarInterval interval, Instant from, Instant to, int limit) {
    List<Instant> out = new ArrayList<>();
    if (!from.isBefore(to)) {
      return out;
    }
    LocalDate first = calendar.dateOf(from);
    if (interval == BarInterval.W1) {
      first = first.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
    }
    LocalDate last = calendar.dateOf(to.minusMillis(1));
    LocalDate lastWeek = null;
    for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
      Optional<Session> session = calendar.session(d);
      if (session.isEmpty()) {
        continue;
      }
      Session s = session.get();
      if (interval.intraday()) {
        long step = interval.length().toMillis();
        long close = s.close().toEpochMilli();
        long lo = from.toEpochMilli();
        long hi = to.toEpochMilli();
        for (long t = s.open().toEpochMilli(); t < close && t < hi; t += step) {
          if (t >= lo && !s.inBreak(Instant.ofEpochMilli(t))) {
            add(out, Instant.ofEpochMilli(t), limit);
          }
        }
      } else if (interval == BarInterval.D1) {
        if (!s.open().isBefore(from) && s.open().isBefore(to)) {
          add(out, s.open(), limit);
        }
      } else {
        LocalDate monday = d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        if (!monday.equals(lastWeek)) {
          lastWeek = monday; // this is the week's first session
          if (!s.open().isBefore(from) && s.open().isBefore(to)) {
            add(out, s.open(), limit);
          }
        }
      }
    }
    return out;
  }

  /** How many bars of {@code interval} begin in {@code [from, to)}, counting at most {@code limit + 1}. */
  public int count(BarInterval interval, Instant from, Instant to, int limit) {
    try {
      return starts(interval, from, to, limit).size();
    } catch (TooManyBars e) {
      return limit + 1;
    }
  }

  /**
   * When the bar starting at {@code start} is complete: the end of its slot or the session
   * close (intraday), its session's close (daily), the close of its week's last session
   * (weekly). A bar fetched at or after this instant is final.
   */
  public Instant end(BarInterval interval, Instant start) {
    LocalDate date = calendar.dateOf(start);
    if (interval.intraday()) {
      Instant slotEnd = start.plus(interval.length());
      Instant close = calendar.sessionClose(date).orElse(slotEnd);
      return slotEnd.isBefore(close) ? slotEnd : close;
    }
    if (interval == BarInterval.D1) {
      return calendar.sessionClose(date).orElse(start.plus(interval.length()));
    }
    LocalDate sunday = date.with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY));
    for (LocalDate d = sunday; !d.isBefore(date); d = d.minusDays(1)) {
      Optional<Instant> close = calendar.sessionClose(d);
      if (close.isPresent()) {
        return close.get();
      }
    }
    return start.plus(interval.length());
  }

  /**
   * The start of the bar {@code n} bars before {@code from} (the earliest of the {@code n}
   * bars that begin before it), for indicator warm-up; {@code from} itself when {@code n} is 0.
   */
  public Instant shiftBack(BarInterval interval, Instant from, int n) {
    if (n <= 0) {
      return from;
    }
    // Windows of growing width until they hold n bars: a bounded number of tries.
    long spanDays = Math.max(7, (long) Math.ceil(n * perBarDays(interval) * 1.6) + 7);
    Instant earliest = FIRST_DAY.atStartOfDay(calendar.zone()).toInstant();
    for (int attempt = 0; attempt < 8; attempt++) {
      Instant start = calendar.dateOf(from).minusDays(spanDays).atStartOfDay(calendar.zone()).toInstant();
      if (start.isBefore(earliest)) {
        start = earliest;
      }
      List<Instant> before = starts(interval, start, from, Integer.MAX_VALUE);
      if (before.size() >= n || start.equals(earliest)) {
        return before.isEmpty() ? from : before.get(Math.max(0, before.size() - n));
      }
      spanDays *= 2;
    }
    return earliest;
  }

  /**
   * Splits {@code [from, to)} into consecutive ranges of at most {@code maxBars} bars each
   * (for providers that cap bars per call); one range when it fits.
   */
  public List<Instant[]> split(BarInterval interval, Instant from, Instant to, int maxBars) {
    List<Instant> all = starts(interval, from, to, Integer.MAX_VALUE);
    List<Instant[]> out = new ArrayList<>();
    if (all.size() <= maxBars) {
      out.add(new Instant[] {from, to});
      return out;
    }
    Instant chunkFrom = from;
    for (int i = maxBars; i < all.size(); i += maxBars) {
      Instant cut = all.get(i);
      out.add(new Instant[] {chunkFrom, cut});
      chunkFrom = cut;
    }
    out.add(new Instant[] {chunkFrom, to});
    return out;
  }

  /** The first bar start strictly after {@code instant}, looking at most 16 days ahead. */
  public Optional<Instant> nextStartAfter(BarInterval interval, Instant instant) {
    Instant from = instant.plusMillis(1);
    List<Instant> next = starts(interval, from, from.plus(java.time.Duration.ofDays(16)), Integer.MAX_VALUE);
    return next.isEmpty() ? Optional.empty() : Optional.of(next.get(0));
  }

  private static double perBarDays(BarInterval interval) {
    switch (interval) {
      case D1:
        return 1.5;
      case W1:
        return 7.5;
      default:
        // sessions of 6.5 hours on ~70% of days
        return interval.length().toMinutes() / (390.0 * 0.68);
    }
  }

  private static void add(List<Instant> out, Instant start, int limit) {
    if (out.size() >= limit) {
      throw new TooManyBars(limit);
    }
    out.add(start);
  }

  /** More bars than a caller's limit. */
  public static final class TooManyBars extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final int limit;

    TooManyBars(int limit) {
      super("more than " + limit + " bars", null, false, false);
      this.limit = limit;
    }

    public int limit() {
      return limit;
    }
  }
}
