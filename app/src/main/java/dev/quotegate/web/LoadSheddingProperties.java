package dev.quotegate.web;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Load shedding at the edge: a bound on requests in flight in this instance.
 *
 * @param enabled whether requests beyond {@code maxInFlight} are refused
 * @param maxInFlight most requests in flight at once; the next one is answered 503 at once. A
 *     request in flight is mostly one waiting for an upstream fetch it shares with others (a
 *     few KB), so the bound sits well above the thousands of clients a cold stampede brings
 * @param retryAfter what a refused client is told to wait (Retry-After)
 * @param excludedPaths path patterns never counted nor refused: health probes must keep
 *     working under load, and long-lived streams are bounded by their own limits
 */
@Validated
@ConfigurationProperties("quotegate.load-shedding")
public record LoadSheddingProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("5000") @Min(1) int maxInFlight,
    @DefaultValue("1s") @NotNull Duration retryAfter,
    @DefaultValue({"/actuator/health", "/actuator/health/**", "/api/v1/stream/**"}) @NotNull List<String> excludedPaths) {}
