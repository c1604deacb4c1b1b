package dev.quotegate.platform.redis;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The shared Redis connection ({@code quotegate.redis.*}): the L2 cache tier, cross-instance
 * leases and pub/sub. Without {@code url} the gateway runs without Redis.
 *
 * @param url {@code redis://[[user]:password@]host[:port][/db]} or {@code rediss://...} for TLS;
 *     unset means no Redis (L1 cache only). The password is never logged.
 * @param keyPrefix first segment of every key and channel this gateway writes, so several
 *     deployments (or test runs) can share one Redis
 * @param commandTimeout longest one Redis command may take before the caller gives up and
 *     fails open (serves from L1 and upstream)
 * @param connectTimeout longest a TCP/TLS connect to Redis may take
 * @param reconnectDelayMax longest pause between two reconnect attempts after Redis is lost
 * @param requestQueueSize most commands queued on one connection; more are rejected at once
 * @param breakerWindow calls the circuit breaker around Redis judges the failure rate over
 * @param breakerOpenFor how long Redis is skipped after the breaker opened, before trial calls
 */
@Validated
@ConfigurationProperties("quotegate.redis")
public record RedisProperties(
    URI url,
    @DefaultValue("qg") @NotNull @Pattern(regexp = "[A-Za-z0-9_.-]{1,64}") String keyPrefix,
    @DefaultValue("250ms") @NotNull Duration commandTimeout,
    @DefaultValue("2s") @NotNull Duration connectTimeout,
    @DefaultValue("2s") @NotNull Duration reconnectDelayMax,
    @DefaultValue("10000") @Min(16) @Max(1_000_000) int requestQueueSize,
    @DefaultValue("20") @Min(2) @Max(1000) int breakerWindow,
    @DefaultValue("1s") @NotNull Duration breakerOpenFor) {

  /** Whether a Redis URL is configured. */
  public boolean enabled() {
    return url != null && !url.toString().isBlank();
  }

  /** Scheme, host and port of {@link #url()}: safe to log (no user, password or db). */
  public String safeUrl() {
    return enabled() ? safe(url) : "unset";
  }

  static String safe(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  @Override
  public String toString() {
    return "RedisProperties[url=" + safeUrl() + ", keyPrefix=" + keyPrefix + ", commandTimeout=" + commandTimeout
        + ", connectTimeout=" + connectTimeout + ", reconnectDelayMax=" + reconnectDelayMax + ", requestQueueSize="
        + requestQueueSize + ", breakerWindow=" + breakerWindow + ", breakerOpenFor=" + breakerOpenFor + "]";
  }
}
