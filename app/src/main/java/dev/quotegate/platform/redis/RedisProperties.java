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
 * @param clusterNodes Redis Cluster seed nodes, comma-separated {@code host:port} (e.g.
 *     {@code 10.0.0.1:7000,10.0.0.2:7000}); set, the gateway speaks to the cluster through
 *     Lettuce's cluster client (sharded pub/sub, per-slot scripts) and {@code url} only lends its
 *     credentials, TLS and database-less options; unset, {@code url} is one node
 * @param topologyRefresh how often the cluster client re-reads the cluster's topology, on top of
 *     the adaptive refresh that MOVED/ASK redirects and lost connections trigger; also how often
 *     every sharded subscription is re-sent (SSUBSCRIBE is idempotent), so a subscription lost
 *     with a failed master moves to its promoted replica
 * @param shardChannels sharded pub/sub channels the cache's fill notices are spread over on a
 *     cluster (one slot each, so over the masters); every instance subscribes all of them
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
    @DefaultValue("1s") @NotNull Duration breakerOpenFor,
    @Pattern(regexp = "\\s*|[^,\\s]+:\\d{1,5}(\\s*,\\s*[^,\\s]+:\\d{1,5})*") String clusterNodes,
    @DefaultValue("5s") @NotNull Duration topologyRefresh,
    @DefaultValue("16") @Min(1) @Max(1024) int shardChannels) {

  /** The constructor configuration binds (the record has a second one). */
  @org.springframework.boot.context.properties.bind.ConstructorBinding
  public RedisProperties {}

  /** Single node, as before the cluster settings existed (tests build it so). */
  public RedisProperties(URI url, String keyPrefix, Duration commandTimeout, Duration connectTimeout,
      Duration reconnectDelayMax, int requestQueueSize, int breakerWindow, Duration breakerOpenFor) {
    this(url, keyPrefix, commandTimeout, connectTimeout, reconnectDelayMax, requestQueueSize, breakerWindow,
        breakerOpenFor, null, Duration.ofSeconds(5), 16);
  }

  /** Whether Redis Cluster seed nodes are configured. */
  public boolean cluster() {
    return clusterNodes != null && !clusterNodes.isBlank();
  }

  /** The seed nodes as {@code host:port} strings (empty when not a cluster). */
  public java.util.List<String> clusterNodeList() {
    if (!cluster()) {
      return java.util.List.of();
    }
    return java.util.Arrays.stream(clusterNodes.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
  }

  /** Whether a Redis URL or cluster nodes are configured. */
  public boolean enabled() {
    return (url != null && !url.toString().isBlank()) || cluster();
  }

  /** Scheme, host and port of {@link #url()} (or the cluster's seed nodes): safe to log. */
  public String safeUrl() {
    if (cluster()) {
      return "redis-cluster://" + String.join(",", clusterNodeList());
    }
    return enabled() ? safe(url) : "unset";
  }

  static String safe(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() >= 0 ? ":" + url.getPort() : "");
  }

  @Override
  public String toString() {
    return "RedisProperties[url=" + safeUrl() + ", keyPrefix=" + keyPrefix + ", commandTimeout=" + commandTimeout
        + ", connectTimeout=" + connectTimeout + ", reconnectDelayMax=" + reconnectDelayMax + ", requestQueueSize="
        + requestQueueSize + ", breakerWindow=" + breakerWindow + ", breakerOpenFor=" + breakerOpenFor
        + ", clusterNodes=" + clusterNodes + ", topologyRefresh=" + topologyRefresh + ", shardChannels=" + shardChannels + "]";
  }
}
