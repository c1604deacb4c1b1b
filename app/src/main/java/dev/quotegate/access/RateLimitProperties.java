package dev.quotegate.access;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Per-client rate limits: a token bucket per API key, and per client IP for anonymous callers,
 * kept in Redis when {@code quotegate.redis.url} is set (shared by every instance), else in this
 * instance (docs/api.md "Authentication, limits, CORS, headers").
 *
 * @param enabled whether API requests are rate-limited at all
 * @param anonymous the anonymous tier (requests without a key), per client IP: {@code
 *     requests-per-second} (default 50), {@code burst} (200), {@code max-streams} (20)
 * @param keyDefaults limits of keys that do not set their own: {@code requests-per-second}
 *     (default 100), {@code burst} (400), {@code max-streams} (50)
 * @param symbolsPerToken a request for N symbols ({@code symbols=A,B,...}) costs {@code 1 + N /
 *     symbolsPerToken} tokens (integer division): with 10, one to nine symbols cost 1, a batch
 *     of 100 costs 11
 * @param onRedisFailure what a request is decided by while Redis fails: {@code local} (an
 *     in-process bucket per instance, the same limits), {@code allow} (no limit) or {@code
 *     refuse} (503)
 * @param localMaxClients most clients whose in-process buckets are kept (least recently used
 *     dropped beyond; a dropped bucket starts full again)
 * @param localIdle an in-process bucket unused this long is dropped (it would be full anyway)
 * @param streamRetryAfter Retry-After of the 429 for a client over its concurrent-stream limit
 */
@Validated
@ConfigurationProperties("quotegate.rate-limit")
public record RateLimitProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue @Valid Tier anonymous,
    @DefaultValue @Valid Tier keyDefaults,
    @DefaultValue("10") @Min(1) @Max(1000) int symbolsPerToken,
    @DefaultValue("local") @NotNull OnRedisFailure onRedisFailure,
    @DefaultValue("100000") @Min(1) int localMaxClients,
    @DefaultValue("10m") @NotNull Duration localIdle,
    @DefaultValue("5s") @NotNull Duration streamRetryAfter) {

  /** Defaults of the anonymous tier: 50 tokens/s, burst 200, 20 streams. */
  static final Tier ANONYMOUS = new Tier(50.0, 200, 20);
  /** Defaults of keys without limits of their own: 100 tokens/s, burst 400, 50 streams. */
  static final Tier KEY_DEFAULTS = new Tier(100.0, 400, 50);

  public RateLimitProperties {
    anonymous = Tier.or(anonymous, ANONYMOUS);
    keyDefaults = Tier.or(keyDefaults, KEY_DEFAULTS);
  }

  /**
   * The limits of one tier.
   *
   * @param requestsPerSecond tokens added to the bucket per second (the sustained rate)
   * @param burst size of the bucket (a burst of this many one-token requests passes at once)
   * @param maxStreams most concurrent streams (SSE and WebSocket) per client, per instance
   */
  public record Tier(Double requestsPerSecond, @Min(1) Integer burst, @Min(0) Integer maxStreams) {
    public Tier {
      if (requestsPerSecond != null && (!(requestsPerSecond > 0) || Double.isInfinite(requestsPerSecond))) {
        throw new IllegalArgumentException("requests-per-second must be a positive number: " + requestsPerSecond);
      }
    }

    /** {@code t} with each unset limit taken from {@code defaults}. */
    static Tier or(Tier t, Tier defaults) {
      if (t == null) {
        return defaults;
      }
      return new Tier(
          t.requestsPerSecond() != null ? t.requestsPerSecond() : defaults.requestsPerSecond(),
          t.burst() != null ? t.burst() : defaults.burst(),
          t.maxStreams() != null ? t.maxStreams() : defaults.maxStreams());
    }
  }

  /** What decides a request while Redis fails. */
  public enum OnRedisFailure {
    /** An in-process bucket per instance with the same limits: N instances admit up to N times the rate. */
    LOCAL,
    /** No limit until Redis is back. */
    ALLOW,
    /** 503 with Retry-After until Redis is back. */
    REFUSE
  }
}
