package dev.quotegate.provider.yahoo;

import dev.quotegate.provider.AdapterProperties;
import dev.quotegate.provider.Capability;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.net.URI;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Yahoo Finance adapter (unofficial API, no key). Yahoo documents no limits; the defaults
 * are deliberately modest.
 *
 * @param enabled whether the gateway uses Yahoo Finance
 * @param baseUrl the API host (quotes, charts, search, quoteSummary, crumb); override for a
 *     proxy or a test server
 * @param cookieUrl the page fetched once per session for Yahoo's session cookie
 * @param userAgent the browser-like User-Agent sent on every call (without one Yahoo answers
 *     429)
 * @param requestsPerSecond most calls per second; 0 = unlimited
 * @param requestsPerMinute most calls per minute; 0 = unlimited
 * @param requestsPerDay most calls per day; 0 = unlimited
 * @param batchSize most symbols per v7 quote call (longer lists are split into chunks)
 * @param maxConcurrency most chunks of one quote call in flight at once
 * @param useFor what the gateway uses Yahoo for: any of quotes, bars, profile, news, search
 */
@Validated
@ConfigurationProperties("quotegate.providers.yahoo")
public record YahooProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("https://query1.finance.yahoo.com") @NotNull URI baseUrl,
    @DefaultValue("https://fc.yahoo.com") @NotNull URI cookieUrl,
    @DefaultValue("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
        @NotBlank String userAgent,
    @DefaultValue("5") @Min(0) int requestsPerSecond,
    @DefaultValue("120") @Min(0) int requestsPerMinute,
    @DefaultValue("0") @Min(0) int requestsPerDay,
    @DefaultValue("50") @Min(1) @Max(200) int batchSize,
    @DefaultValue("2") @Min(1) @Max(16) int maxConcurrency,
    @DefaultValue("quotes,bars,profile,news,search") @NotNull Set<Capability> useFor) implements AdapterProperties {}
