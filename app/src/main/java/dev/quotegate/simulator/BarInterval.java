package dev.quotegate.simulator;

import java.time.Duration;
import java.util.Optional;

/** Bar sizes served by {@code /v1/bars}. Intraday bars are aligned on the session open. */
public enum BarInterval {
  ONE_MINUTE("1m", Duration.ofMinutes(1)),
  FIVE_MINUTES("5m", Duration.ofMinutes(5)),
  FIFTEEN_MINUTES("15m", Duration.ofMinutes(15)),
  ONE_HOUR("1h", Duration.ofHours(1)),
  ONE_DAY("1d", Duration.ofDays(1)),
  ONE_WEEK("1wk", Duration.ofDays(7));

  private final String code;
  private final Duration length;

  BarInterval(String code, Duration length) {
    this.code = code;
    this.length = length;
  }

  /** The wire code: {@code 1m, 5m, 15m, 1h, 1d, 1wk}. */
  public String code() {
    return code;
  }

  /** Nominal length (a daily bar spans one session, a weekly bar one week's sessions). */
  public Duration length() {
    return length;
  }

  /** Whether bars of this size split a session. */
  public boolean intraday() {
    return this != ONE_DAY && this != ONE_WEEK;
  }

  /** The interval with this wire code. */
  public static Optional<BarInterval> fromCode(String code) {
    for (BarInterval i : values()) {
      if (i.code.equals(code)) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }
}
