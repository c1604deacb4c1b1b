package dev.quotegate.provider;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One OHLCV bar: {@code ts} is the bar's start. {@code volume} may be null where a provider
 * does not report it (indices, FX).
 */
public record Bar(Instant ts, BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal close, Long volume) {

  public Bar {
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(open, "open");
    Objects.requireNonNull(high, "high");
    Objects.requireNonNull(low, "low");
    Objects.requireNonNull(close, "close");
  }
}
