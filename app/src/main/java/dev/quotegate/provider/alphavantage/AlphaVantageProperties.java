package dev.quotegate.provider.alphavantage;

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
 * The Alpha Vantage adapter. Defaults are the free plan's limits (25 requests a day): route
 * to it only what nothing else serves.
 *
 * @param enabled whether the gateway uses Alpha Vantage (needs {@code api-key})
 * @param baseUrl the API root (its one endpoint is {@code /query}); override for a proxy or a
 *     test server
 * @param apiKey the API key, normally from {@code QUOTEGATE_PROVIDERS_ALPHAVANTAGE_API_KEY};
 *     Alpha Vantage only takes it as the {@code apikey} query parameter, so URLs of this
 *     provider are never logged or tagged
 * @param requestsPerSecond most calls per second (about 1 on the free plan); 0 = unlimited
 * @param requestsPerMinute most calls per minute; 0 = unlimited
 * @param requestsPerDay most calls per day (25 on the free plan); 0 = unlimited
 * @param maxConcurrency most concurrent calls one multi-symbol quote request fans out to (no
 *     batch endpoint)
 * @param useFor what the gateway uses Alpha Vantage for: any of quotes, bars, profile, search
 */
@Validated
@ConfigurationProperties("quotegate.providers.alphavantage")
public record AlphaVantageProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("https://www.alphavantage.co") @NotNull URI baseUrl,
    ApiKey apiKey,
    @DefaultValue("1") @Min(0) int requestsPerSecond,
    @DefaultValue("0") @Min(0) int requestsPerMinute,
    @DefaultValue("25") @Min(0) int requestsPerDay,
    @DefaultValue("1") @Min(1) @Max(16) int maxConcurrency,
    @DefaultValue("quotes,bars,profile,search") @NotNull Set<Capability> useFor) implements AdapterProperties {

  /** Enabled without a key is a startup error. */
  @AssertTrue(message = "is required when quotegate.providers.alphavantage.enabled=true (set QUOTEGATE_PROVIDERS_ALPHAVANTAGE_API_KEY)")
  public boolean isApiKeyPresentWhenEnabled() {
    return !enabled || ApiKey.present(apiKey);
  }
}
