package dev.quotegate.portfolio;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A portfolio valued at current prices: one line per position, totals per currency (amounts
 * in different currencies are never added together), and the positions that could not be
 * priced. {@code complete} is false when any position is missing; {@code stale} is true
 * when any price was served stale.
 */
public record PortfolioValuation(
    Instant asOf,
    boolean complete,
    boolean stale,
    Map<String, Totals> totals,
    List<Position> positions,
    List<Unpriced> unpriced) {

  /** One valued position. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Position(
      String symbol,
      BigDecimal quantity,
      String currency,
      BigDecimal price,
      BigDecimal marketValue,
      BigDecimal weight,
      BigDecimal dayChange,
      BigDecimal costBasis,
      BigDecimal unrealizedPnl,
      BigDecimal unrealizedPnlPercent,
      String source,
      Instant priceAsOf,
      boolean stale) {}

  /** Totals in one currency. Cost and P&L cover only positions with a cost basis. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Totals(
      BigDecimal marketValue,
      BigDecimal previousValue,
      BigDecimal dayChange,
      BigDecimal dayChangePercent,
      BigDecimal costBasis,
      BigDecimal unrealizedPnl,
      BigDecimal unrealizedPnlPercent,
      int positions) {}

  /** A position without a price, and why. */
  public record Unpriced(String symbol, int status, String code, String detail) {}
}
