package dev.quotegate.cache;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The tiered cache ({@code quotegate.cache.*}): per-kind freshness, cross-instance leases,
 * background revalidation and admin bounds. Quotes keep their freshness, stale retention and L1
 * size under {@code quotegate.quotes.*}; only {@code kinds.quote.grace} applies to them here.
 *
 * @param leaseTtl how long a cross-instance fetch lease is held at most: longer than the slowest
 *     chain of providers can take (at most {@code quotegate.routing.deadline}, 30 s), so a second
 *     instance does not fetch while the first still may; checked at start-up. A lease is
 *     released as soon as its fetch ends, and waiters give up after {@code leaseWait}, so a long
 *     TTL costs nothing but after a crash
 * @param leaseWait how long an instance that lost the lease waits for the winner's result
 *     before it fetches itself
 * @param maxWaiters most keys one instance waits on for another instance's fetch at once;
 *     beyond, it fetches itself
 * @param l2MaxBatch most keys in one MGET; larger reads are split
 * @param revalidateQueue most keys waiting for a background refresh, per kind
 * @param revalidateConcurrency most background refreshes running at once, per kind
 * @param evictMaxKeys most Redis keys one admin eviction deletes
 * @param scanCount COUNT hint of each SCAN step of an admin eviction
 * @param kinds per-kind overrides of the built-in settings (keys: profile, news, search, and
 *     quote for {@code grace} only: a quote's freshness, stale retention and L1 size are
 *     {@code quotegate.quotes.*}, and setting them here is a start-up error)
 */
@Validated
@ConfigurationProperties("quotegate.cache")
public record CacheProperties(
    @DefaultValue("35s") @NotNull Duration leaseTtl,
    @DefaultValue("2s") @NotNull Duration leaseWait,
    @DefaultValue("10000") @Min(1) @Max(1_000_000) int maxWaiters,
    @DefaultValue("200") @Min(1) @Max(10_000) int l2MaxBatch,
    @DefaultValue("1000") @Min(1) @Max(1_000_000) int revalidateQueue,
    @DefaultValue("8") @Min(1) @Max(1024) int revalidateConcurrency,
    @DefaultValue("10000") @Min(1) @Max(10_000_000) int evictMaxKeys,
    @DefaultValue("500") @Min(10) @Max(100_000) int scanCount,
    Map<CacheKind, Kind> kinds) {

  public CacheProperties {
    kinds = kinds == null ? Map.of() : Map.copyOf(kinds);
  }

  /**
   * Settings of one kind; unset fields keep the built-in default of that kind.
   *
   * @param ttl how long a value stays fresh
   * @param grace stale-while-revalidate: how long after expiry the old value is still served at
   *     once (marked stale) while a background refresh runs; 0 turns it off
   * @param staleMaxAge stale-if-error: oldest value served, marked stale, when a refresh fails
   *     (also how long past expiry the value stays in L1 and Redis)
   * @param l1MaxEntries most values of this kind in the in-process tier
   */
  public record Kind(Duration ttl, Duration grace, Duration staleMaxAge, Long l1MaxEntries) {}

  /** Built-in settings per kind, before overrides. */
  static final Map<CacheKind, Kind> DEFAULTS = defaults();

  private static Map<CacheKind, Kind> defaults() {
    Map<CacheKind, Kind> m = new EnumMap<>(CacheKind.class);
    // Quote freshness and retention come from quotegate.quotes.*; SWR is off unless configured,
    // so a gateway without this setting serves quotes exactly as before.
    m.put(CacheKind.QUOTE, new Kind(Duration.ofSeconds(5), Duration.ZERO, Duration.ofHours(1), 100_000L));
    m.put(CacheKind.PROFILE, new Kind(Duration.ofHours(6), Duration.ofHours(1), Duration.ofDays(7), 10_000L));
    m.put(CacheKind.NEWS, new Kind(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofHours(1), 5_000L));
    m.put(CacheKind.SEARCH, new Kind(Duration.ofMinutes(10), Duration.ofMinutes(5), Duration.ofDays(1), 5_000L));
    return m;
  }

  /** The settings of {@code kind}: built-in defaults with the configured overrides applied. */
  public Kind kind(CacheKind kind) {
    Kind d = DEFAULTS.get(kind);
    Kind o = kinds.get(kind);
    if (o == null) {
      return d;
    }
    return new Kind(
        o.ttl() != null ? o.ttl() : d.ttl(),
        o.grace() != null ? o.grace() : d.grace(),
        o.staleMaxAge() != null ? o.staleMaxAge() : d.staleMaxAge(),
        o.l1MaxEntries() != null ? o.l1MaxEntries() : d.l1MaxEntries());
  }
}
