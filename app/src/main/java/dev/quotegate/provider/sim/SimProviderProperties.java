package dev.quotegate.provider.sim;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The simulated-exchange provider adapter.
 *
 * @param enabled whether the gateway uses the simulator as a provider
 * @param baseUrl the simulator's URL; empty means the embedded simulator on its bound port
 * @param batchSize most symbols per batch call (the simulator's batch limit)
 * @param timeout longest time one upstream call may take, queueing for a stream included
 * @param maxBarsPerCall most bars one {@code /v1/bars} call may return (the simulator's
 *     {@code max-bars}); longer ranges are split into several calls
 */
@Validated
@ConfigurationProperties("quotegate.providers.sim")
public record SimProviderProperties(
    @DefaultValue("true") boolean enabled,
    URI baseUrl,
    @DefaultValue("20") @Min(1) @Max(500) int batchSize,
    @DefaultValue("3s") @NotNull Duration timeout,
    @DefaultValue("5000") @Min(1) int maxBarsPerCall) {}
