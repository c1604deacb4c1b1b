package dev.quotegate.provider;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Resilience guards per provider: rate limits sized to the provider's plan, a daily quota,
 * a bulkhead, a circuit breaker, retry with exponential backoff and jitter, a per-attempt
 * timeout and the cool-down after a 429/503 with Retry-After. Every setting of {@code
 * providers.<name>} overrides the same setting of {@code defaults}, which overrides the
 * built-in value ({@link Policy#BUILT_IN}).
 *
 * @param defaults settings for every provider
 * @param providers settings for one provider, by its name ({@code sim}, {@code yahoo}, ...)
 */
@Validated
@ConfigurationProperties("quotegate.resilience")
public record ResilienceProperties(@Valid Policy defaults, Map<String, @Valid Policy> providers) {

  public ResilienceProperties {
    defaults = defaults == null ? Policy.EMPTY : defaults;
    providers = providers == null ? Map.of() : Map.copyOf(providers);
  }

  /** The effective policy of {@code provider}: its settings, then defaults, then built-ins. */
  public Policy policy(String provider) {
    return providers.getOrDefault(provider, Policy.EMPTY).or(defaults).or(Policy.BUILT_IN);
  }

  /**
   * One provider's guards. Unset (null) settings inherit; {@link #BUILT_IN} holds the values
   * used when nothing is configured.
   *
   * @param rateLimitWait longest a call waits for a rate-limit permit (on a timer, no thread
   *     waits) before it is refused and the next provider is asked. The limits themselves are
   *     the provider's plan: {@code quotegate.providers.<name>.requests-per-second},
   *     {@code -per-minute}, {@code -per-day}
   * @param quotaZone time zone whose midnight starts a new day of the plan's daily quota
   * @param maxConcurrentCalls bulkhead: most calls in flight to this provider at once
   * @param timeout longest one attempt may take; past it the attempt fails as a timeout
   * @param maxAttempts attempts per call including the first (1 = no retry). Only idempotent
   *     reads failing with a retryable error (5xx without Retry-After, connection failure)
   *     are retried; never 4xx, not-found, malformed bodies, rate limits or timeouts
   * @param retryBackoff wait before the first retry
   * @param retryMultiplier factor applied to the wait for each further retry
   * @param retryJitter randomization factor of each wait, 0 to 1 (0.5 = plus or minus 50 %)
   * @param retryMaxBackoff longest wait between two attempts
   * @param failureRateThreshold percentage of failed calls in the window that opens the circuit
   * @param slowCallDuration a call slower than this counts as slow
   * @param slowCallRateThreshold percentage of slow calls in the window that opens the circuit
   *     (100 = only when every call is slow)
   * @param slidingWindowSize calls the circuit breaker looks back on
   * @param minimumCalls calls needed in the window before the circuit may open
   * @param openDuration how long an open circuit refuses calls before it lets a few through
   * @param halfOpenCalls trial calls let through after {@code openDuration}
   * @param cooldownDefault cool-down after a 429 without Retry-After
   * @param cooldownMax longest cool-down honoured, whatever Retry-After says
   */
  public record Policy(
      Duration rateLimitWait,
      ZoneId quotaZone,
      @Min(1) @Max(100_000) Integer maxConcurrentCalls,
      Duration timeout,
      @Min(1) @Max(10) Integer maxAttempts,
      Duration retryBackoff,
      @DecimalMin("1.0") @DecimalMax("10.0") Double retryMultiplier,
      @DecimalMin("0.0") @DecimalMax("1.0") Double retryJitter,
      Duration retryMaxBackoff,
      @DecimalMin("1") @DecimalMax("100") Float failureRateThreshold,
      Duration slowCallDuration,
      @DecimalMin("1") @DecimalMax("100") Float slowCallRateThreshold,
      @Min(1) @Max(10_000) Integer slidingWindowSize,
      @Min(1) @Max(10_000) Integer minimumCalls,
      Duration openDuration,
      @Min(1) @Max(1000) Integer halfOpenCalls,
      Duration cooldownDefault,
      Duration cooldownMax) {

    /** Nothing set: inherits everything. */
    public static final Policy EMPTY =
        new Policy(null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null);

    /** The values used where nothing is configured. */
    public static final Policy BUILT_IN =
        new Policy(
            Duration.ofMillis(250),
            ZoneId.of("UTC"),
            50,
            Duration.ofSeconds(3),
            2,
            Duration.ofMillis(100),
            2.0,
            0.5,
            Duration.ofSeconds(1),
            50f,
            Duration.ofSeconds(2),
            // Half the window slower than 2 s opens the circuit: a hanging provider then stops
            // costing every request its timeout (docs/reliability.md).
            50f,
            20,
            10,
            Duration.ofSeconds(10),
            3,
            Duration.ofSeconds(1),
            Duration.ofMinutes(5));

    /**
     * Lets every call through once: one attempt, no waiting, a circuit that does not open, no
     * cool-down, a 30 s timeout. For a router over test fakes or a tool ({@link
     * ProviderRouter#single}); the guards' code still runs.
     */
    public static final Policy PASS_THROUGH =
        new Policy(
            Duration.ZERO,
            ZoneId.of("UTC"),
            100_000,
            Duration.ofSeconds(30),
            1,
            Duration.ofMillis(100),
            1.0,
            0.0,
            Duration.ofMillis(100),
            100f,
            Duration.ofSeconds(30),
            100f,
            10_000,
            10_000,
            Duration.ofSeconds(1),
            1,
            Duration.ZERO,
            Duration.ZERO);

    /** This policy with every unset setting taken from {@code fallback}. */
    public Policy or(Policy fallback) {
      return new Policy(
          pick(rateLimitWait, fallback.rateLimitWait),
          pick(quotaZone, fallback.quotaZone),
          pick(maxConcurrentCalls, fallback.maxConcurrentCalls),
          pick(timeout, fallback.timeout),
          pick(maxAttempts, fallback.maxAttempts),
          pick(retryBackoff, fallback.retryBackoff),
          pick(retryMultiplier, fallback.retryMultiplier),
          pick(retryJitter, fallback.retryJitter),
          pick(retryMaxBackoff, fallback.retryMaxBackoff),
          pick(failureRateThreshold, fallback.failureRateThreshold),
          pick(slowCallDuration, fallback.slowCallDuration),
          pick(slowCallRateThreshold, fallback.slowCallRateThreshold),
          pick(slidingWindowSize, fallback.slidingWindowSize),
          pick(minimumCalls, fallback.minimumCalls),
          pick(openDuration, fallback.openDuration),
          pick(halfOpenCalls, fallback.halfOpenCalls),
          pick(cooldownDefault, fallback.cooldownDefault),
          pick(cooldownMax, fallback.cooldownMax));
    }

    private static <T> T pick(T value, T fallback) {
      return value != null ? value : fallback;
    }
  }
}
