package dev.quotegate.stream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Live quote streams (SSE and WebSocket): limits, conflation, heartbeats, slow consumers,
 * the per-symbol feeds and their cross-instance coordination.
 *
 * @param maxConnections most open stream connections (SSE and WebSocket together) one
 *     instance holds; beyond, a 503 problem with Retry-After
 * @param maxConnectionsPerClient most open stream connections one client (for now: one remote
 *     address) holds on this instance; beyond, a 429 problem with Retry-After
 * @param maxSymbols most symbols one connection may subscribe to
 * @param maxFeeds most distinct symbols this instance streams at once (one feed each);
 *     a subscription that would open more is refused with a 503
 * @param conflationInterval at most one event batch per connection per interval; updates in
 *     between are conflated to the latest value per symbol
 * @param heartbeatInterval a heartbeat (SSE comment, WebSocket ping) after this long without
 *     any event
 * @param maxLag how long a connection may stay unable to take more data (its transport
 *     buffer full) while updates wait, before it is disconnected as a slow consumer
 * @param snapshotTimeout longest wait for every symbol's first value before the initial
 *     snapshot goes out with what is there (the rest follows as updates)
 * @param gracePeriod how long a symbol's feed keeps polling after its last subscriber left
 *     (a reconnecting client finds it warm)
 * @param pollTick how often the feed loop looks for symbols whose cached quote is due for a
 *     refresh (the refresh itself follows the quote TTL)
 * @param failureBackoff wait before polling a symbol again after its poll failed
 * @param maxConcurrentPolls most poll rounds (each one {@code QuoteService} call) in flight
 * @param clientRetry reconnection delay suggested to SSE clients ({@code retry:} field)
 * @param retryAfter Retry-After sent with the 503 when the connection limit is reached
 * @param unwritableTimeout how long a stream connection's channel may stay unwritable (its
 *     Netty outbound buffer above {@code write-buffer-high}, i.e. the socket send buffer and
 *     the client's receive window full) before it is closed as a slow consumer (reason
 *     {@code unwritable}); checked by one sweep per instance every quarter of this (at most
 *     every second)
 * @param maxUnsent most bytes a stream connection may have queued in Netty, unsent, before it
 *     is closed as a slow consumer (reason {@code unsent-bytes}); writes wait for writability,
 *     so this is reached only when single events are large
 * @param sendBuffer SO_SNDBUF set on a stream's socket when the stream starts (HTTP/1.1; an
 *     HTTP/2 stream shares its connection): bounds the kernel memory a never-reading client
 *     can hold (Linux reserves twice this); {@code 0} leaves the kernel's autotuning (up to
 *     {@code net.ipv4.tcp_wmem} max, 4 MB)
 * @param writeBufferLow Netty low-water mark of a stream's channel: writable again below it
 * @param writeBufferHigh Netty high-water mark of a stream's channel: unwritable above it, so
 *     no more events are written (they conflate) until it drains
 * @param redis cross-instance coordination, used when {@code quotegate.redis.url} is set
 */
@Validated
@ConfigurationProperties("quotegate.streams")
public record StreamProperties(
    @DefaultValue("10000") @Min(1) int maxConnections,
    @DefaultValue("100") @Min(1) int maxConnectionsPerClient,
    @DefaultValue("50") @Min(1) @Max(1000) int maxSymbols,
    @DefaultValue("10000") @Min(1) int maxFeeds,
    @DefaultValue("250ms") @NotNull Duration conflationInterval,
    @DefaultValue("15s") @NotNull Duration heartbeatInterval,
    @DefaultValue("30s") @NotNull Duration maxLag,
    @DefaultValue("3s") @NotNull Duration snapshotTimeout,
    @DefaultValue("30s") @NotNull Duration gracePeriod,
    @DefaultValue("100ms") @NotNull Duration pollTick,
    @DefaultValue("2s") @NotNull Duration failureBackoff,
    @DefaultValue("4") @Min(1) @Max(64) int maxConcurrentPolls,
    @DefaultValue("3s") @NotNull Duration clientRetry,
    @DefaultValue("5s") @NotNull Duration retryAfter,
    @DefaultValue("10s") @NotNull Duration unwritableTimeout,
    @DefaultValue("256KB") @NotNull DataSize maxUnsent,
    @DefaultValue("32KB") @NotNull DataSize sendBuffer,
    @DefaultValue("16KB") @NotNull DataSize writeBufferLow,
    @DefaultValue("64KB") @NotNull DataSize writeBufferHigh,
    @DefaultValue @Valid @NotNull Redis redis) {

  public StreamProperties {
    positive("conflation-interval", conflationInterval);
    positive("heartbeat-interval", heartbeatInterval);
    positive("max-lag", maxLag);
    positive("poll-tick", pollTick);
    positive("failure-backoff", failureBackoff);
    positive("unwritable-timeout", unwritableTimeout);
    if (writeBufferLow != null && writeBufferHigh != null
        && (writeBufferLow.toBytes() < 0 || writeBufferHigh.toBytes() <= writeBufferLow.toBytes())) {
      throw new IllegalArgumentException("quotegate.streams.write-buffer-high must be above write-buffer-low: "
          + writeBufferLow + " / " + writeBufferHigh);
    }
    if (maxUnsent != null && writeBufferHigh != null && maxUnsent.toBytes() <= writeBufferHigh.toBytes()) {
      throw new IllegalArgumentException("quotegate.streams.max-unsent must be above write-buffer-high: "
          + maxUnsent + " / " + writeBufferHigh);
    }
    if (sendBuffer != null && (sendBuffer.toBytes() < 0 || sendBuffer.toBytes() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException("quotegate.streams.send-buffer out of range: " + sendBuffer);
    }
  }

  /**
   * How often the slow-consumer sweep (which also beats the heartbeats) runs: a quarter of the
   * unwritable timeout, a tenth of the heartbeat interval and of max-lag, at most every
   * second, at least every 10 ms.
   */
  Duration sweepInterval() {
    long ms = Math.min(unwritableTimeout.toMillis() / 4,
        Math.min(heartbeatInterval.toMillis(), maxLag.toMillis()) / 10);
    return Duration.ofMillis(Math.max(10, Math.min(1000, ms)));
  }

  private static void positive(String name, Duration d) {
    if (d != null && (d.isZero() || d.isNegative())) {
      throw new IllegalArgumentException("quotegate.streams." + name + " must be positive: " + d);
    }
  }

  /**
   * Cross-instance coordination over Redis (only when {@code quotegate.redis.url} is set).
   *
   * @param keyPrefix prefix of every key and channel the streams use
   *     ({@code <prefix>:stream:lease:<SYMBOL>}, {@code <prefix>:stream:last:<SYMBOL>},
   *     {@code <prefix>:stream:ticks:<SYMBOL>})
   * @param leaseTtl how long a symbol's poll lease lives without renewal; the holder renews it
   *     every third of this, another instance takes over at most this long after the holder
   *     died
   * @param lastTickTtl how long the last published tick of a symbol is kept for other
   *     instances' snapshots
   * @param timeout longest wait for one Redis command before the feed falls back to polling
   *     for itself
   */
  public record Redis(
      @DefaultValue("quotegate") @NotBlank String keyPrefix,
      @DefaultValue("5s") @NotNull Duration leaseTtl,
      @DefaultValue("1h") @NotNull Duration lastTickTtl,
      @DefaultValue("1s") @NotNull Duration timeout) {

    public Redis {
      positive("redis.lease-ttl", leaseTtl);
      positive("redis.timeout", timeout);
    }
  }
}
