package dev.quotegate.portfolio;

import java.math.BigDecimal;
import java.util.List;

/**
 * A portfolio to value: holdings with quantity (negative for a short) and, optionally, the
 * average cost per share.
 */
public record PortfolioRequest(List<Holding> holdings) {

  /** One position. */
  public record Holding(String symbol, BigDecimal quantity, BigDecimal costBasis) {}
}
