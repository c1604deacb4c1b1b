package dev.quotegate.quote;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The quote path: request limits, cache freshness, coalescing and batching bounds.
 *
 * @param maxSymbols most symbols one request may name (entries counted before duplicates are
 *     removed)
 * @param ttlMarketOpen how long a quote stays fresh while the market is open
 * @param ttlMarketClosed how long a quote stays fresh while the market is closed (never past
 *     the next open)
 * @param staleMaxAge oldest value served, marked stale, when upstream fails
 * @param notFoundTtl how long a symbol the provider does not know is answered 404 without
 *     asking again
 * @param cacheMaxEntries most quotes held in the in-process cache
 * @param batchWindow how long a batch stays open for more symbols before it goes upstream
 * @param refreshBatchWindow the same for background refreshes (stale-while-revalidate), on
 *     which no client waits: a longer window gathers the symbols that expired together into
 *     fewer, fuller provider calls
 * @param maxInFlight most distinct symbols being fetched upstream at once
 * @param maxPending most symbols waiting in open or unanswered batches
 * @param staleIfSlow stale-if-slow: when the refresh of an expired quote that is still within
 *     {@code staleMaxAge} takes longer than this, the old value is answered (marked stale)
 *     and the fetch goes on for the cache; 0 turns it off
 */
@Validated
@ConfigurationProperties("quotegate.quotes")
public record QuoteProperties(
    @DefaultValue("100") @Min(1) @Max(1000) int maxSymbols,
    @DefaultValue("5s") @NotNull Duration ttlMarketOpen,
    @DefaultValue("60s") @NotNull Duration ttlMarketClosed,
    @DefaultValue("1h") @NotNull Duration staleMaxAge,
    @DefaultValue("60s") @NotNull Duration notFoundTtl,
    @DefaultValue("100000") @Min(1) long cacheMaxEntries,
    @DefaultValue("5ms") @NotNull Duration batchWindow,
    @DefaultValue("50ms") @NotNull Duration refreshBatchWindow,
    @DefaultValue("10000") @Min(1) int maxInFlight,
    @DefaultValue("10000") @Min(1) int maxPending,
    @DefaultValue("250ms") @NotNull Duration staleIfSlow) {}
