package dev.quotegate.provider.polygon;

import dev.quotegate.provider.AdapterProperties;
import dev.quotegate.provider.ApiKey;
import dev.quotegate.provider.Capability;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Polygon.io (Massive) adapter. Defaults are the free plan's limits (5 calls a minute,
 * 15-minute delayed data, no snapshot endpoint).
 *
 * @param enabled whether the gateway uses Polygon (needs {@code api-key})
 * @param baseUrl the API root ({@code https://api.polygon.io} or {@code https://api.massive.com});
 *     override for a proxy or a test server
 * @param apiKey the API key, normally from {@code QUOTEGATE_PROVIDERS_POLYGON_API_KEY}; sent as
 *     {@code Authorization: Bearer}, never in a URL
 * @param requestsPerSecond most calls per second; 0 = unlimited
 * @param requestsPerMinute most calls per minute (5 on the free plan); 0 = unlimited
 * @param requestsPerDay most calls per day; 0 = unlimited
 * @param batchSize most tickers per snapshot call
 * @param maxPages most pages of aggregates followed through {@code next_url} for one request
 * @param useFor what the gateway uses Polygon for: any of quotes (snapshot: paid plans),
 *     bars, profile, news, search
 */
@Validated
@ConfigurationProperties("quotegate.providers.polygon")
public record PolygonProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("https://api.polygon.io") @NotNull URI baseUrl,
    ApiKey apiKey,
    @DefaultValue("0") @Min(0) int requestsPerSecond,
    @DefaultValue("5") @Min(0) int requestsPerMinute,
    @DefaultValue("0") @Min(0) int requestsPerDay,
    @DefaultValue("100") @Min(1) @Max(1000) int batchSize,
    @DefaultValue("10") @Min(1) @Max(100) int maxPages,
    @DefaultValue("quotes,bars,profile,news,search") @NotNull Set<Capability> useFor) implements AdapterProperties {

  /** Enabled without a key is a startup error. */
  @AssertTrue(message = "is required when quotegate.providers.polygon.enabled=true (set QUOTEGATE_PROVIDERS_POLYGON_API_KEY)")
  public boolean isApiKeyPresentWhenEnabled() {
    return !enabled || ApiKey.present(apiKey);
  }
}
