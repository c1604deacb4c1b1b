package dev.quotegate.provider.finnhub;

import dev.quotegate.provider.AdapterProperties;
import dev.quotegate.provider.ApiKey;
import dev.quotegate.provider.Capability;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Finnhub adapter. Defaults are the free plan's limits.
 *
 * @param enabled whether the gateway uses Finnhub (needs {@code api-key})
 * @param baseUrl Finnhub's API root; override for a proxy or a test server
 * @param apiKey the API key, normally from {@code QUOTEGATE_PROVIDERS_FINNHUB_API_KEY}; sent
 *     in the {@code X-Finnhub-Token} header, never in a URL
 * @param requestsPerSecond most calls per second (30 on every plan); 0 = unlimited
 * @param requestsPerMinute most calls per minute (60 on the free plan); 0 = unlimited
 * @param requestsPerDay most calls per day; 0 = unlimited (Finnhub has no daily cap)
 * @param useFor what the gateway uses Finnhub for: any of quotes, bars (paid plans only),
 *     profile, news, search
 * @param newsLookback how far back company news is asked for
 * @param maxConcurrency most concurrent calls one multi-symbol quote request fans out to
 *     (Finnhub has no batch endpoint)
 */
@Validated
@ConfigurationProperties("quotegate.providers.finnhub")
public record FinnhubProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("https://finnhub.io/api/v1") @NotNull URI baseUrl,
    ApiKey apiKey,
    @DefaultValue("30") @Min(0) int requestsPerSecond,
    @DefaultValue("60") @Min(0) int requestsPerMinute,
    @DefaultValue("0") @Min(0) int requestsPerDay,
    @DefaultValue("quotes,profile,news,search") @NotNull Set<Capability> useFor,
    @DefaultValue("7d") @NotNull Duration newsLookback,
    @DefaultValue("4") @Min(1) @Max(32) int maxConcurrency) implements AdapterProperties {

  /** Enabled without a key is a startup error: the operator asked for Finnhub and gets none. */
  @AssertTrue(message = "is required when quotegate.providers.finnhub.enabled=true (set QUOTEGATE_PROVIDERS_FINNHUB_API_KEY)")
  public boolean isApiKeyPresentWhenEnabled() {
    return !enabled || ApiKey.present(apiKey);
  }
}
