package dev.quotegate.market;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Reference data (profiles, news, search) and market-wide views (movers, sectors). Which
 * providers serve them is {@code quotegate.routing.profile|news|search|universe}; how long
 * they are cached is {@code quotegate.cache.kinds.profile|news|search}.
 *
 * @param universeTtl how long the listed universe is kept
 * @param maxUniverse most instruments movers and sectors are computed over
 * @param maxNews most articles asked of a provider and kept per symbol
 * @param maxSearchResults most search hits asked of a provider and kept per query
 * @param maxInFlight most profile, news or search keys loading at once (each kind), beyond
 *     which a request is answered 503 at once
 * @param notFoundTtl how long "no such profile / no news / nothing matches" is remembered
 * @param maxNotFound most such keys remembered per kind
 * @param maxNewsSymbols most symbols one {@code GET /api/v1/news?symbols=} request may name
 */
@Validated
@ConfigurationProperties("quotegate.market")
public record MarketProperties(
    @DefaultValue("1h") @NotNull Duration universeTtl,
    @DefaultValue("2000") @Min(1) @Max(10000) int maxUniverse,
    @DefaultValue("50") @Min(1) @Max(200) int maxNews,
    @DefaultValue("25") @Min(1) @Max(100) int maxSearchResults,
    @DefaultValue("1000") @Min(1) @Max(100000) int maxInFlight,
    @DefaultValue("60s") @NotNull Duration notFoundTtl,
    @DefaultValue("10000") @Min(1) long maxNotFound,
    @DefaultValue("20") @Min(1) @Max(100) int maxNewsSymbols) {}
