package dev.quotegate.platform;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The shared upstream HTTP client: one pooled Reactor Netty client for every provider.
 *
 * @param maxConnections most connections per upstream host (HTTP/2 multiplexes streams over them)
 * @param maxConcurrentStreams most concurrent HTTP/2 streams per connection
 * @param pendingAcquireMaxCount most requests waiting for a connection or stream; beyond it a
 *     request fails fast as overload
 * @param pendingAcquireTimeout longest wait for a connection or stream from the pool
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout longest wait for a response once the request is sent
 * @param maxResponseSize largest response body accepted; larger ones are malformed
 * @param maxIdleTime idle connections are closed after this
 * @param ioThreads event-loop threads of the upstream client's own; 0 shares the HTTP server's
 *     event loops. Its own loop reads an upstream answer at once even while thousands of
 *     client requests are queued on the server's loops (a cold stampede), instead of after them
 */
@Validated
@ConfigurationProperties("quotegate.http-client")
public record HttpClientProperties(
    @DefaultValue("8") @Min(1) int maxConnections,
    @DefaultValue("200") @Min(1) int maxConcurrentStreams,
    @DefaultValue("2000") @Min(1) int pendingAcquireMaxCount,
    @DefaultValue("2s") @NotNull Duration pendingAcquireTimeout,
    @DefaultValue("2s") @NotNull Duration connectTimeout,
    @DefaultValue("5s") @NotNull Duration responseTimeout,
    @DefaultValue("4MB") @NotNull DataSize maxResponseSize,
    @DefaultValue("30s") @NotNull Duration maxIdleTime,
    @DefaultValue("1") @Min(0) int ioThreads) {}
