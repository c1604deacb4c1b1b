package dev.quotegate.calendar;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/** Bar sizes the gateway serves and stores, with their API names. */
public enum BarInterval {
  M1("1m", Duration.ofMinutes(1)),
  M5("5m", Duration.ofMinutes(5)),
  M15("15m", Duration.ofMinutes(15)),
  H1("1h", Duration.ofHours(1)),
  D1("1d", Duration.ofDays(1)),
  W1("1wk", Duration.ofDays(7));

  private final String code;
  private final Duration length;

  BarInterval(String code, Duration length) {
    this.code = code;
    this.length = length;
  }

  /** The API and storage name: {@code 1m, 5m, 15m, 1h, 1d, 1wk}. */
  public String code() {
    return code;
  }

  /** Nominal length of one bar. */
  public Duration length() {
    return length;
  }

  public boolean intraday() {
    return length.compareTo(Duration.ofDays(1)) < 0;
  }

  public static Optional<BarInterval> parse(String code) {
    if (code == null) {
      return Optional.empty();
    }
    String c = code.trim().toLowerCase(Locale.ROOT);
    for (BarInterval i : values()) {
      if (i.code.equals(c)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
