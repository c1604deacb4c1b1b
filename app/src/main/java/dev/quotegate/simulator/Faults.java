package dev.quotegate.simulator;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * Faults the simulator injects into {@code /v1/*} answers. Zero (or {@code false}) turns a fault
 * off. Immutable; validated when built.
 *
 * @param latency fixed delay before every answer
 * @param jitter extra delay drawn uniformly from {@code [0, jitter]}
 * @param errorRate fraction of requests answered 500, 502 or 503
 * @param rateLimitPerSecond requests allowed per wall-clock second before 429s; 0 = unlimited
 * @param hangRate fraction of requests never answered
 * @param malformedRate fraction of requests answered 200 with a truncated, unparseable body
 * @param outage whether every request is answered 503 with {@code Retry-After: 5}
 */
public record Faults(
    Duration latency,
    Duration jitter,
    double errorRate,
    int rateLimitPerSecond,
    double hangRate,
    double malformedRate,
    boolean outage) {

  /** Upper bound for latency and jitter. */
  public static final Duration MAX_DELAY = Duration.ofMinutes(1);

  /** No faults at all. */
  public static final Faults NONE = new Faults(Duration.ZERO, Duration.ZERO, 0, 0, 0, 0, false);

  public Faults {
    requireNonNull(latency, "latency");
    requireNonNull(jitter, "jitter");
    checkDelay("latency", latency);
    checkDelay("jitter", jitter);
    checkRate("errorRate", errorRate);
    checkRate("hangRate", hangRate);
    checkRate("malformedRate", malformedRate);
    if (rateLimitPerSecond < 0) {
      throw new IllegalArgumentException("rateLimitPerSecond must be >= 0: " + rateLimitPerSecond);
    }
  }

  /** A copy with a different latency. */
  public Faults withLatency(Duration value) {
    return new Faults(value, jitter, errorRate, rateLimitPerSecond, hangRate, malformedRate, outage);
  }

  /** A copy with a different jitter. */
  public Faults withJitter(Duration value) {
    return new Faults(latency, value, errorRate, rateLimitPerSecond, hangRate, malformedRate, outage);
  }

  /** A copy with a different error rate. */
  public Faults withErrorRate(double value) {
    return new Faults(latency, jitter, value, rateLimitPerSecond, hangRate, malformedRate, outage);
  }

  /** A copy with a different rate limit. */
  public Faults withRateLimitPerSecond(int value) {
    return new Faults(latency, jitter, errorRate, value, hangRate, malformedRate, outage);
  }

  /** A copy with a different hang rate. */
  public Faults withHangRate(double value) {
    return new Faults(latency, jitter, errorRate, rateLimitPerSecond, value, malformedRate, outage);
  }

  /** A copy with a different malformed-body rate. */
  public Faults withMalformedRate(double value) {
    return new Faults(latency, jitter, errorRate, rateLimitPerSecond, hangRate, value, outage);
  }

  /** A copy with the outage switched on or off. */
  public Faults withOutage(boolean value) {
    return new Faults(latency, jitter, errorRate, rateLimitPerSecond, hangRate, malformedRate, value);
  }

  private static void checkDelay(String name, Duration d) {
    if (d.isNegative() || d.compareTo(MAX_DELAY) > 0) {
      throw new IllegalArgumentException(name + " must be in [0, 60000] ms: " + d.toMillis());
    }
  }

  private static void checkRate(String name, double rate) {
    if (!(rate >= 0 && rate <= 1)) {
      throw new IllegalArgumentException(name + " must be in [0.0, 1.0]: " + rate);
    }
  }
}
