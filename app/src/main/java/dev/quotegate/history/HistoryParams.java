package dev.quotegate.history;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.BarSchedule;
import dev.quotegate.calendar.TradingCalendar;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.web.reactive.function.server.ServerRequest;

/**
 * Parses and validates the query parameters of the history endpoints; every failure is a 400
 * naming the parameter.
 */
final class HistoryParams {

  private static final Pattern EPOCH_SECONDS = Pattern.compile("\\d{1,11}");
  private static final Pattern INT_LIST = Pattern.compile("\\d{1,6}(,\\d{1,6})*");
  private static final Instant FIRST = Instant.EPOCH;
  static final int MAX_PERIOD = 1000;
  static final int MAX_LIST = 8;

  private HistoryParams() {}

  /** A validated bar window: the interval and {@code [from, to)}, {@code to} at most now. */
  record Window(BarInterval interval, Instant from, Instant to, HistoryRange range) {}

  /**
   * {@code interval} plus {@code range} or {@code from}/{@code to}. Without either,
   * {@code defaultRange}; without an interval, the range's chart interval ({@code 1d} for
   * from/to).
   */
  static Window window(
      ServerRequest request, Instant now, BarSchedule schedule, HistoryProperties props, HistoryRange defaultRange) {
    Optional<String> rawInterval = request.queryParam("interval");
    Optional<String> rawRange = request.queryParam("range");
    Optional<String> rawFrom = request.queryParam("from");
    Optional<String> rawTo = request.queryParam("to");
    BarInterval interval = rawInterval.map(HistoryParams::interval).orElse(null);
    HistoryRange range = null;
    Instant from;
    Instant to;
    if (rawRange.isPresent()) {
      if (rawFrom.isPresent() || rawTo.isPresent()) {
        throw new InvalidRequest("range", "give either range or from/to, not both");
      }
      range = range(rawRange.get());
    } else if (rawFrom.isEmpty()) {
      if (rawTo.isPresent()) {
        throw new InvalidRequest("from", "required with to");
      }
      range = defaultRange;
    }
    if (range != null) {
      from = range.from(now, schedule.calendar(), props.earliest());
      to = now;
      if (interval == null) {
        interval = range.chartInterval();
      }
    } else {
      from = instant("from", rawFrom.get(), false, schedule.calendar());
      to = rawTo.isPresent() ? instant("to", rawTo.get(), true, schedule.calendar()) : now;
      if (interval == null) {
        interval = BarInterval.D1;
      }
      if (from.isBefore(FIRST)) {
        throw new InvalidRequest("from", "must not be before 1970-01-01");
      }
      if (!from.isBefore(to)) {
        throw new InvalidRequest("from", "must be before to");
      }
      if (from.isAfter(now)) {
        throw new InvalidRequest("from", "is in the future");
      }
      if (to.isAfter(now)) {
        to = now;
      }
    }
    checkCount(schedule, interval, from, to, now, props.maxBars(), range != null ? "range" : "from");
    return new Window(interval, from, to, range);
  }

  static void checkCount(BarSchedule schedule, BarInterval interval, Instant from, Instant to, Instant now, int max, String field) {
    Instant until = to.isBefore(now) ? to : now.plusMillis(1);
    // Bars start at least one interval apart (plus one at each edge): a range that short needs
    // no walk of the calendar bar by bar, which warm reads would otherwise pay on every request.
    long span = Math.max(0, until.toEpochMilli() - from.toEpochMilli());
    if (span / interval.length().toMillis() + 2 <= max) {
      return;
    }
    int n = schedule.count(interval, from, until, max);
    if (n > max) {
      throw new InvalidRequest(field, "more than " + max + " bars of " + interval.code()
          + " in the range: narrow it or use a larger interval");
    }
  }

  static BarInterval interval(String raw) {
    return BarInterval.parse(raw)
        .orElseThrow(() -> new InvalidRequest("interval", "'" + abbreviate(raw) + "' is not one of 1m, 5m, 15m, 1h, 1d, 1wk"));
  }

  static HistoryRange range(String raw) {
    return HistoryRange.parse(raw)
        .orElseThrow(() -> new InvalidRequest("range", "'" + abbreviate(raw) + "' is not one of " + HistoryRange.codes()));
  }

  /**
   * An instant: epoch seconds, an ISO-8601 date-time with offset ({@code 2025-03-01T14:30:00Z}),
   * or an ISO date (midnight New York; for {@code to}, the end of that day).
   */
  static Instant instant(String field, String raw, boolean endOfDay, TradingCalendar calendar) {
    String s = raw.trim();
    if (s.isEmpty()) {
      throw new InvalidRequest(field, "must not be empty");
    }
    if (EPOCH_SECONDS.matcher(s).matches()) {
      return Instant.ofEpochSecond(Long.parseLong(s));
    }
    if (s.chars().allMatch(Character::isDigit)) {
      throw new InvalidRequest(field, "epoch time must be in seconds (at most 11 digits), got '" + abbreviate(raw) + "'");
    }
    try {
      if (s.indexOf('T') >= 0) {
        return OffsetDateTime.parse(s).toInstant();
      }
      LocalDate date = LocalDate.parse(s);
      return ZonedDateTime.of(endOfDay ? date.plusDays(1) : date, java.time.LocalTime.MIDNIGHT, calendar.zone()).toInstant();
    } catch (DateTimeException e) {
      throw new InvalidRequest(field, "'" + abbreviate(raw)
          + "' is not epoch seconds, an ISO-8601 date-time with offset (2025-03-03T14:30:00Z) or a date (2025-03-03)");
    }
  }

  /** A list of 1 to {@value #MAX_LIST} periods, each in {@code [min, MAX_PERIOD]}; null when absent. */
  static List<Integer> periods(ServerRequest request, String field, int min) {
    Optional<String> raw = request.queryParam(field);
    if (raw.isEmpty()) {
      return null;
    }
    String s = raw.get().trim();
    if (!INT_LIST.matcher(s).matches()) {
      throw new InvalidRequest(field, "a comma-separated list of periods, e.g. " + field + "=20,50");
    }
    String[] parts = s.split(",");
    if (parts.length > MAX_LIST) {
      throw new InvalidRequest(field, "at most " + MAX_LIST + " periods");
    }
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      int p = Integer.parseInt(parts[i]);
      if (p < min || p > MAX_PERIOD) {
        throw new InvalidRequest(field + "[" + i + "]", "period must be in [" + min + ", " + MAX_PERIOD + "], got " + p);
      }
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return out;
  }

  /** {@code macd=fast,slow,signal} (empty value: 12,26,9); null when absent. */
  static int[] macd(ServerRequest request) {
    Optional<String> raw = request.queryParam("macd");
    if (raw.isEmpty()) {
      return null;
    }
    String s = raw.get().trim();
    if (s.isEmpty() || s.equalsIgnoreCase("true")) {
      return new int[] {12, 26, 9};
    }
    if (!INT_LIST.matcher(s).matches() || s.split(",").length != 3) {
      throw new InvalidRequest("macd", "fast,slow,signal periods, e.g. macd=12,26,9");
    }
    String[] p = s.split(",");
    int fast = Integer.parseInt(p[0]);
    int slow = Integer.parseInt(p[1]);
    int signal = Integer.parseInt(p[2]);
    for (int v : new int[] {fast, slow, signal}) {
      if (v < 1 || v > MAX_PERIOD) {
        throw new InvalidRequest("macd", "periods must be in [1, " + MAX_PERIOD + "]");
      }
    }
    if (fast >= slow) {
      throw new InvalidRequest("macd", "the fast period must be shorter than the slow one");
    }
    return new int[] {fast, slow, signal};
  }

  /** {@code bollinger=period,k} (empty value: 20,2); null when absent. */
  static Bollinger bollinger(ServerRequest request) {
    Optional<String> raw = request.queryParam("bollinger");
    if (raw.isEmpty()) {
      return null;
    }
    String s = raw.get().trim();
    if (s.isEmpty() || s.equalsIgnoreCase("true")) {
      return new Bollinger(20, new BigDecimal("2"));
    }
    String[] p = s.split(",", -1);
    if (p.length != 2 || !p[0].matches("\\d{1,6}") || !p[1].matches("\\d{1,2}(\\.\\d{1,4})?")) {
      throw new InvalidRequest("bollinger", "period,k e.g. bollinger=20,2");
    }
    int period = Integer.parseInt(p[0]);
    BigDecimal k = new BigDecimal(p[1]);
    if (period < 2 || period > MAX_PERIOD) {
      throw new InvalidRequest("bollinger", "period must be in [2, " + MAX_PERIOD + "]");
    }
    if (k.signum() <= 0 || k.compareTo(BigDecimal.TEN) > 0) {
      throw new InvalidRequest("bollinger", "k must be in (0, 10]");
    }
    return new Bollinger(period, k);
  }

  record Bollinger(int period, BigDecimal k) {}

  /** {@code vwap} present (empty or true) or {@code vwap=false}. */
  static boolean vwap(ServerRequest request) {
    Optional<String> raw = request.queryParam("vwap");
    if (raw.isEmpty()) {
      return false;
    }
    String s = raw.get().trim();
    if (s.isEmpty() || s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new InvalidRequest("vwap", "no value, true or false");
  }

  static String abbreviate(String raw) {
    String clean = raw.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 32 ? clean : clean.substring(0, 32) + "...";
  }
}
