package dev.quotegate.provider.sim;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.net.URI;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The simulated-exchange provider adapter.
 *
 * @param enabled whether the gateway uses the simulator as a provider
 * @param baseUrl the simulator's URL; empty means the embedded simulator on its bound port
 * @param batchSize most symbols per batch call (the simulator's batch limit)
 * @param requestsPerSecond most calls per second the gateway sends the simulator (its "plan");
 *     0 = unlimited
 * @param requestsPerMinute most calls per minute; 0 = unlimited
 * @param requestsPerDay most calls per day; 0 = unlimited
 * @param maxBarsPerCall most bars one {@code /v1/bars} call may return (the simulator's
 *     {@code max-bars}); longer ranges are split into several calls
 */
@Validated
@ConfigurationProperties("quotegate.providers.sim")
public record SimProviderProperties(
    @DefaultValue("true") boolean enabled,
    URI baseUrl,
    @DefaultValue("20") @Min(1) @Max(500) int batchSize,
    @DefaultValue("0") @Min(0) int requestsPerSecond,
    @DefaultValue("0") @Min(0) int requestsPerMinute,
    @DefaultValue("0") @Min(0) int requestsPerDay,
    @DefaultValue("5000") @Min(1) int maxBarsPerCall) {}
