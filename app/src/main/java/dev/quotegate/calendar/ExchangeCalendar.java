package dev.quotegate.calendar;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.Year;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * The regular sessions of one exchange by rule: its zone, opening and closing times (and midday
 * break), trading weekdays, the dates it is closed ({@code closures}, per year) and the dates it
 * closes early. Closed dates of a year are computed once and kept (a year is a few dozen dates);
 * the years around today are computed when the calendar is built, at start-up, so a request
 * never waits for it.
 */
public final class ExchangeCalendar implements TradingCalendar {

  private static final int PRECOMPUTE_BACK = 40;
  private static final int PRECOMPUTE_AHEAD = 5;

  private final String id;
  private final String name;
  private final ZoneId zone;
  private final LocalTime open;
  private final LocalTime close;
  private final LocalTime breakStart;
  private final LocalTime breakEnd;
  private final Set<DayOfWeek> days;
  private final IntFunction<Set<LocalDate>> closures;
  private final Function<LocalDate, LocalTime> earlyClose;
  private final String holidaySource;
  private final Map<Integer, Set<LocalDate>> closedByYear = new ConcurrentHashMap<>();

  private ExchangeCalendar(Builder b) {
    this.id = Objects.requireNonNull(b.id, "id");
    this.name = Objects.requireNonNull(b.name, "name");
    this.zone = Objects.requireNonNull(b.zone, "zone");
    this.open = Objects.requireNonNull(b.open, "open");
    this.close = Objects.requireNonNull(b.close, "close");
    this.breakStart = b.breakStart;
    this.breakEnd = b.breakEnd;
    this.days = EnumSet.copyOf(b.days);
    this.closures = b.closures;
    this.earlyClose = b.earlyClose;
    this.holidaySource = b.holidaySource;
    int now = Year.now(zone).getValue();
    for (int y = now - PRECOMPUTE_BACK; y <= now + PRECOMPUTE_AHEAD; y++) {
      closed(y);
    }
  }

  /** A calendar with ISO 10383 {@code mic}, named {@code name}, in {@code zone}. */
  public static Builder builder(String mic, String name, ZoneId zone) {
    return new Builder(mic, name, zone);
  }

  @Override
  public String id() {
    return id;
  }

  /** The exchange's name. */
  public String name() {
    return name;
  }

  /** Where the closing dates come from (shown in docs and the calendar endpoint). */
  public String holidaySource() {
    return holidaySource;
  }

  @Override
  public ZoneId zone() {
    return zone;
  }

  /** Whether the exchange is closed all day on {@code date} though it is a trading weekday. */
  public boolean isHoliday(LocalDate date) {
    return closed(date.getYear()).contains(date);
  }

  @Override
  public boolean isTradingDay(LocalDate date) {
    return days.contains(date.getDayOfWeek()) && !isHoliday(date);
  }

  @Override
  public Optional<Session> session(LocalDate date) {
    if (!isTradingDay(date)) {
      return Optional.empty();
    }
    LocalTime end = close;
    LocalTime early = earlyClose.apply(date);
    if (early != null && early.isBefore(close)) {
      end = early;
    }
    Instant o = ZonedDateTime.of(date, open, zone).toInstant();
    Instant c = ZonedDateTime.of(date, end, zone).toInstant();
    if (breakStart != null && end.isAfter(breakEnd)) {
      return Optional.of(new Session(date, o, c,
          ZonedDateTime.of(date, breakStart, zone).toInstant(), ZonedDateTime.of(date, breakEnd, zone).toInstant()));
    }
    if (breakStart != null && !end.isAfter(breakStart)) {
      return Optional.of(new Session(date, o, c)); // a half day that ends at (or before) the break
    }
    return Optional.of(new Session(date, o, c));
  }

  private Set<LocalDate> closed(int year) {
    return closedByYear.computeIfAbsent(year, y -> Set.copyOf(closures.apply(y)));
  }

  @Override
  public String toString() {
    return "ExchangeCalendar[" + id + " " + name + ", " + zone + " " + open + "-" + close + "]";
  }

  /** Builds an {@link ExchangeCalendar}. */
  public static final class Builder {
    private final String id;
    private final String name;
    private final ZoneId zone;
    private LocalTime open;
    private LocalTime close;
    private LocalTime breakStart;
    private LocalTime breakEnd;
    private Set<DayOfWeek> days = EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY);
    private IntFunction<Set<LocalDate>> closures = y -> Set.of();
    private Function<LocalDate, LocalTime> earlyClose = d -> null;
    private String holidaySource = "weekends only";

    private Builder(String id, String name, ZoneId zone) {
      this.id = id;
      this.name = name;
      this.zone = zone;
    }

    /** The regular session's local opening and closing times. */
    public Builder hours(LocalTime open, LocalTime close) {
      this.open = open;
      this.close = close;
      return this;
    }

    /** A midday break, local times. */
    public Builder lunchBreak(LocalTime start, LocalTime end) {
      this.breakStart = start;
      this.breakEnd = end;
      return this;
    }

    /** The weekdays with sessions (Monday to Friday by default). */
    public Builder days(Set<DayOfWeek> days) {
      this.days = days;
      return this;
    }

    /** The dates the exchange is closed in a year, and where they come from. */
    public Builder closures(IntFunction<Set<LocalDate>> closures, String source) {
      this.closures = closures;
      this.holidaySource = source;
      return this;
    }

    /** The local closing time of a shortened session on a date, or null for a full one. */
    public Builder earlyClose(Function<LocalDate, LocalTime> earlyClose) {
      this.earlyClose = earlyClose;
      return this;
    }

    public ExchangeCalendar build() {
      return new ExchangeCalendar(this);
    }
  }
}
