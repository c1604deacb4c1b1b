package dev.quotegate.portfolio;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;

/**
 * A portfolio whose performance to measure: holdings, a named {@code range} ({@code 1mo},
 * {@code 3mo}, {@code 6mo}, {@code ytd}, {@code 1y}, {@code 2y}, {@code 5y}) or {@code from}/{@code to}
 * dates, and a {@code benchmark} symbol (default {@code quotegate.portfolio.performance.benchmark}).
 */
public record PerformanceRequest(List<Holding> holdings, String range, LocalDate from, LocalDate to, String benchmark) {

  /**
   * One holding: {@code quantity} held from the start (0 when absent and trades are given),
   * changed by each trade on its date (executed at that day's close).
   */
  public record Holding(String symbol, BigDecimal quantity, List<Trade> trades) {}

  /** A trade: shares bought (positive) or sold (negative) on {@code date}. */
  public record Trade(LocalDate date, BigDecimal quantity) {}
}
