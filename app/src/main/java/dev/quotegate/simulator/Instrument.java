package dev.quotegate.simulator;

import static java.util.Objects.requireNonNull;

/**
 * One listed equity of the simulated exchange, with the parameters that drive its price path.
 *
 * @param symbol ticker, upper case (e.g. {@code AAPL}, {@code BRK.B})
 * @param name company name
 * @param exchange listing venue, {@code NYSE} or {@code NASDAQ}
 * @param sector GICS sector
 * @param industry GICS sub-industry
 * @param currency trading currency, always {@code USD}
 * @param basePrice level the price path fluctuates around
 * @param dailyVolatility typical daily log-return standard deviation (0.015 = 1.5 %)
 * @param sharesOutstanding shares outstanding, for the market capitalisation
 * @param averageVolume typical shares traded per full session
 * @param employees head count
 * @param website company web site
 */
public record Instrument(
    String symbol,
    String name,
    String exchange,
    String sector,
    String industry,
    String currency,
    double basePrice,
    double dailyVolatility,
    long sharesOutstanding,
    long averageVolume,
    long employees,
    String website) {

  public Instrument {
    requireNonNull(symbol, "symbol");
    requireNonNull(name, "name");
    requireNonNull(exchange, "exchange");
    requireNonNull(sector, "sector");
    requireNonNull(industry, "industry");
    requireNonNull(currency, "currency");
    requireNonNull(website, "website");
    if (!(basePrice > 0) || !(dailyVolatility > 0)) {
      throw new IllegalArgumentException("basePrice and dailyVolatility must be > 0: " + symbol);
    }
  }

  /** Country of incorporation reported by the profile endpoint. */
  public String country() {
    return "US";
  }
}
