package dev.quotegate.provider;

/**
 * What a provider's plan allows, as configured under {@code quotegate.providers.<name>.*} (the
 * one place for them): the router sizes each provider's rate limiters and daily quota from
 * these, and the quote path its batches. Zero means "no limit of that kind" (not "nothing
 * allowed").
 *
 * @param requestsPerSecond most calls per second
 * @param requestsPerMinute most calls per minute
 * @param requestsPerDay most calls per day (the provider's day; UTC unless documented)
 * @param batchSize most symbols in one quote call (1 for providers without batch calls)
 * @param creditsPerSymbol whether a batch call costs one request per symbol it carries
 *     (Twelve Data) rather than one per call
 */
public record PlanLimits(
    int requestsPerSecond, int requestsPerMinute, int requestsPerDay, int batchSize, boolean creditsPerSymbol) {

  /** No limit of any kind, one symbol per call. */
  public static final PlanLimits NONE = new PlanLimits(0, 0, 0, 1, false);

  public PlanLimits {
    if (requestsPerSecond < 0 || requestsPerMinute < 0 || requestsPerDay < 0) {
      throw new IllegalArgumentException("request limits must be >= 0 (0 = unlimited)");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1");
    }
  }

  /** Requests one quote call for {@code symbols} symbols costs against these limits. */
  public int cost(int symbols) {
    return creditsPerSymbol ? Math.max(1, symbols) : 1;
  }
}
