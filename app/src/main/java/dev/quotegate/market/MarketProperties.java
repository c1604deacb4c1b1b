package dev.quotegate.market;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reference data (profiles, news, search) and market-wide views (movers, sectors).
 *
 * @param provider provider that serves profiles, news, search and the universe
 * @param profileTtl how long a company profile is cached
 * @param newsTtl how long a symbol's news list is cached
 * @param searchTtl how long a search result is cached
 * @param universeTtl how long the listed universe is cached
 * @param maxEntries most entries in each of the profile, news and search caches
 * @param maxUniverse most instruments movers and sectors are computed over
 * @param maxNews most articles one request may ask for
 * @param maxSearchResults most search hits one request may ask for
 */
@Validated
@ConfigurationProperties("quotegate.market")
public record MarketProperties(
    @DefaultValue("sim") @NotBlank String provider,
    @DefaultValue("6h") @NotNull Duration profileTtl,
    @DefaultValue("5m") @NotNull Duration newsTtl,
    @DefaultValue("10m") @NotNull Duration searchTtl,
    @DefaultValue("1h") @NotNull Duration universeTtl,
    @DefaultValue("10000") @Min(1) long maxEntries,
    @DefaultValue("2000") @Min(1) @Max(10000) int maxUniverse,
    @DefaultValue("50") @Min(1) @Max(200) int maxNews,
    @DefaultValue("25") @Min(1) @Max(100) int maxSearchResults) {}
