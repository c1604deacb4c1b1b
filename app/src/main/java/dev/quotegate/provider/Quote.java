package dev.quotegate.provider;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One quote as a provider reported it, in the gateway's common model.
 *
 * <p>Prices are {@link BigDecimal} as the provider sent them (no binary rounding). Fields a
 * provider does not report are null ({@code volume} too). {@code asOf} is the provider's
 * time of the price; {@code source} names the provider.
 */
public record Quote(
    String symbol,
    BigDecimal price,
    BigDecimal change,
    BigDecimal changePercent,
    BigDecimal open,
    BigDecimal high,
    BigDecimal low,
    BigDecimal previousClose,
    Long volume,
    String currency,
    Boolean marketOpen,
    Instant asOf,
    String source) {

  public Quote {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(source, "source");
  }
}
