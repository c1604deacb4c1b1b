package dev.quotegate.provider;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * One quote as a provider reported it, in the gateway's common model.
 *
 * <p>Prices are {@link BigDecimal} as the provider sent them (no binary rounding). Fields a
 * provider does not report are null ({@code volume} too), and so is an open, high or low of
 * zero (what providers send for an index's fields they do not compute): no listed price is 0.
 * {@code asOf} is the provider's time of the price; {@code source} names the provider.
 *
 * <p>Prices in a currency's minor unit ({@code GBp}/{@code GBX} pence on the LSE, {@code ZAc}
 * South African cents, {@code ILA} agorot) are converted to the major unit (price, change,
 * open, high, low, previous close divided by 100; {@code currency} {@code GBP}, {@code ZAR},
 * {@code ILS}), and the unit the provider quoted in is kept in {@code quotedIn}.
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
    String source,
    String quotedIn) {


  public Quote {
    Objects.requireNonNull(symbol, "symbol");
    Objects.requireNonNull(price, "price");
    Objects.requireNonNull(asOf, "asOf");
    Objects.requireNonNull(source, "source");
    open = zeroIsNull(open);
    high = zeroIsNull(high);
    low = zeroIsNull(low);
    String major = Currencies.majorOf(currency);
    if (major != null) {
      quotedIn = currency;
      currency = major;
      price = hundredth(price);
      change = hundredth(change);
      open = hundredth(open);
      high = hundredth(high);
      low = hundredth(low);
      previousClose = hundredth(previousClose);
    }
  }

  /** A quote in the provider's unit as it came (normalised by the canonical constructor). */
  public Quote(String symbol, BigDecimal price, BigDecimal change, BigDecimal changePercent, BigDecimal open,
      BigDecimal high, BigDecimal low, BigDecimal previousClose, Long volume, String currency, Boolean marketOpen,
      Instant asOf, String source) {
    this(symbol, price, change, changePercent, open, high, low, previousClose, volume, currency, marketOpen, asOf,
        source, null);
  }

  /** This quote as served by provider {@code source}. */
  public Quote withSource(String source) {
    return new Quote(symbol, price, change, changePercent, open, high, low, previousClose, volume, currency, marketOpen,
        asOf, source, quotedIn);
  }

  private static BigDecimal zeroIsNull(BigDecimal v) {
    return v != null && v.signum() == 0 ? null : v;
  }

  private static BigDecimal hundredth(BigDecimal v) {
    return Currencies.toMajor(v);
  }
}
