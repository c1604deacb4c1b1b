package dev.quotegate.provider.twelvedata;

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
 * The Twelve Data adapter. Defaults are the free plan's limits: 8 credits a minute, 800 a
 * day, and every symbol of a batch quote costs one credit.
 *
 * @param enabled whether the gateway uses Twelve Data (needs {@code api-key})
 * @param baseUrl the API root; override for a proxy or a test server
 * @param apiKey the API key, normally from {@code QUOTEGATE_PROVIDERS_TWELVEDATA_API_KEY};
 *     sent as {@code Authorization: apikey ...}, never in a URL
 * @param requestsPerSecond most credits per second; 0 = unlimited
 * @param requestsPerMinute most credits per minute (8 on the free plan); 0 = unlimited
 * @param requestsPerDay most credits per day (800 on the free plan); 0 = unlimited
 * @param batchSize most symbols per quote call (each costs a credit: keep it at or under the
 *     per-minute credits)
 * @param useFor what the gateway uses Twelve Data for: any of quotes, bars, search
 */
@Validated
@ConfigurationProperties("quotegate.providers.twelvedata")
public record TwelveDataProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("https://api.twelvedata.com") @NotNull URI baseUrl,
    ApiKey apiKey,
    @DefaultValue("0") @Min(0) int requestsPerSecond,
    @DefaultValue("8") @Min(0) int requestsPerMinute,
    @DefaultValue("800") @Min(0) int requestsPerDay,
    @DefaultValue("8") @Min(1) @Max(120) int batchSize,
    @DefaultValue("quotes,bars,search") @NotNull Set<Capability> useFor) implements AdapterProperties {

  /** Twelve Data charges one credit per symbol, batch or not. */
  @Override
  public boolean creditsPerSymbol() {
    return true;
  }

  /** Enabled without a key is a startup error. */
  @AssertTrue(message = "is required when quotegate.providers.twelvedata.enabled=true (set QUOTEGATE_PROVIDERS_TWELVEDATA_API_KEY)")
  public boolean isApiKeyPresentWhenEnabled() {
    return !enabled || ApiKey.present(apiKey);
  }
}
