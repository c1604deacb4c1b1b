package dev.quotegate.cache;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.redis.RedisUnavailableException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * One kind's cache: L1 in process ({@link LocalCache}), L2 in Redis when configured, the
 * loader (upstream) last. Reads: L1 hit, else one MGET for what L1 lacks, which fills L1.
 * Loads: once per key across the cluster (a lease in Redis; the instances that lost it wait for
 * the winner's result on pub/sub, then fetch themselves after {@code leaseWait}); the result is
 * written to both tiers. Stale-while-revalidate within the kind's {@code grace}; stale values
 * kept for {@code staleMaxAge} for stale-if-error.
 *
 * <p>Redis never fails a caller: every Redis error is counted, logged at debug, and the cache
 * carries on as if Redis held nothing (reads), as if this instance won the lease (loads), or
 * without writing L2 (writes). See docs/caching.md for each choice.
 *
 * <p>Callers must coalesce loads of one key in process (a {@link dev.quotegate.fetch.Coalescer}
 * in front of {@link #load}); the lease handles the other instances.
 *
 * <p>Meters (tag {@code kind}): {@code quotegate.cache.requests} ({@code tier=l1|l2},
 * {@code outcome=fresh|stale|miss}, l2 also {@code error}), {@code quotegate.cache.lease}
 * ({@code outcome=won|waited|woken|timeout|late_hit|skipped|unhealthy|error}),
 * {@code quotegate.cache.l2.failures} ({@code op=read|write|lease|evict, reason=unavailable|decode}),
 * the revalidation meters of {@link Revalidator}, and Redis latency in
 * {@code quotegate.redis.commands}.
 *
 * @param <V> the value type
 */
public final class TieredCache<V> implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TieredCache.class);

  /** Which tier an eviction applies to. */
  public enum Tier {
    L1,
    L2,
    ALL
  }

  /** Counts since start, for the admin endpoint. */
  public record Stats(
      String kind,
      long l1Size,
      long l1MaxEntries,
      Map<String, Long> l1,
      Map<String, Long> l2,
      Map<String, Long> lease,
      int revalidationsPending,
      boolean l2Enabled) {}

  /** What an eviction removed. */
  public record Eviction(String kind, String pattern, long l1Evicted, long l2Evicted, boolean l2Truncated, String l2Error) {}

  private final CacheKind kind;
  private final LocalCache<V> l1;
  private final long l1MaxEntries;
  private final RedisTier<V> l2;
  private final FillChannel fills;
  private final Freshness freshness;
  private final Duration grace;
  private final Duration staleMaxAge;
  private final Duration leaseWait;
  private final Clock clock;
  private final Revalidator revalidator;
  private final Map<String, Counter> l2Requests = new LinkedHashMap<>();
  private final Map<String, Counter> leases = new LinkedHashMap<>();
  private final MeterRegistry registry;

  TieredCache(
      CacheKind kind,
      LocalCache<V> l1,
      long l1MaxEntries,
      RedisTier<V> l2,
      FillChannel fills,
      Freshness freshness,
      Duration grace,
      Duration staleMaxAge,
      CacheProperties props,
      Clock clock,
      MeterRegistry registry) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.l1 = Objects.requireNonNull(l1, "l1");
    this.l1MaxEntries = l1MaxEntries;
    this.l2 = l2;
    this.fills = fills;
    this.freshness = Objects.requireNonNull(freshness, "freshness");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.staleMaxAge = Objects.requireNonNull(staleMaxAge, "staleMaxAge");
    this.leaseWait = props.leaseWait();
    this.clock = Objects.requireNonNull(clock, "clock");
    this.registry = registry;
    this.revalidator =
        grace.isZero() ? null : new Revalidator(kind, props.revalidateQueue(), props.revalidateConcurrency(), registry);
    for (String o : new String[] {"fresh", "stale", "miss", "error"}) {
      l2Requests.put(
          o,
          Counter.builder("quotegate.cache.requests")
              .description("Cache look-ups by kind, tier and outcome")
              .tag("kind", kind.tag())
              .tag("tier", "l2")
              .tag("outcome", o)
              .register(registry));
    }
    for (String o : new String[] {"won", "waited", "woken", "timeout", "late_hit", "skipped", "unhealthy", "error"}) {
      leases.put(
          o,
          Counter.builder("quotegate.cache.lease")
              .description("Cross-instance fetch leases by outcome")
              .tag("kind", kind.tag())
              .tag("outcome", o)
              .register(registry));
    }
  }

  /**
   * An in-process-only cache over an existing {@link LocalCache}, without stale-while-revalidate:
   * the cache of a gateway without Redis, as before the tiers existed.
   */
  public static <V> TieredCache<V> localOnly(
      CacheKind kind, LocalCache<V> l1, Freshness freshness, Duration staleMaxAge, Clock clock) {
    CacheProperties defaults = new CacheProperties(
        Duration.ofSeconds(5), Duration.ofSeconds(2), 1, 1, 1, 1, 1, 10, Map.of());
    return new TieredCache<>(kind, l1, -1, null, null, freshness, Duration.ZERO, staleMaxAge, defaults, clock,
        new SimpleMeterRegistry());
  }

  /**
   * An in-process-only cache over an existing {@link LocalCache} with stale-while-revalidate
   * for {@code grace} past expiry (tests, tools).
   */
  public static <V> TieredCache<V> localOnly(
      CacheKind kind, LocalCache<V> l1, Freshness freshness, Duration staleMaxAge, Duration grace, Clock clock) {
    CacheProperties defaults = new CacheProperties(
        Duration.ofSeconds(5), Duration.ofSeconds(2), 1, 1, 100, 4, 1, 10, Map.of());
    return new TieredCache<>(kind, l1, -1, null, null, freshness, grace, staleMaxAge, defaults, clock,
        new SimpleMeterRegistry());
  }

  public CacheKind kind() {
    return kind;
  }

  /** Whether this cache has a Redis tier. */
  public boolean l2Enabled() {
    return l2 != null;
  }

  /**
   * The entries present for {@code ids}, fresh or stale (the caller decides): L1, then one MGET
   * (per {@code l2MaxBatch}) for the ids L1 lacks or holds only stale; what L2 has fills L1.
   * Never fails: a Redis failure counts as a miss.
   */
  public Mono<Map<String, Cached<V>>> getAll(List<String> ids) {
    return Mono.defer(
        () -> {
          Map<String, Cached<V>> local = l1.getAll(ids);
          if (l2 == null) {
            return Mono.just(local);
          }
          Instant now = clock.instant();
          List<String> ask = new ArrayList<>();
          for (String id : ids) {
            Cached<V> hit = local.get(id);
            if (hit == null || !hit.isFresh(now)) {
              ask.add(id);
            }
          }
          if (ask.isEmpty()) {
            return Mono.just(local);
          }
          Map<String, Cached<V>> out = new HashMap<>(local);
          return l2.getAll(ask)
              .map(
                  raw -> {
                    int fresh = 0;
                    int stale = 0;
                    for (Map.Entry<String, byte[]> e : raw.entrySet()) {
                      Cached<V> v = decode(e.getValue(), "read");
                      if (v == null) {
                        continue;
                      }
                      Cached<V> mine = out.get(e.getKey());
                      if (mine == null || v.fetchedAt().isAfter(mine.fetchedAt())) {
                        out.put(e.getKey(), v);
                        l1.put(e.getKey(), v);
                      }
                      if (v.isFresh(now)) {
                        fresh++;
                      } else {
                        stale++;
                      }
                    }
                    l2Requests.get("fresh").increment(fresh);
                    l2Requests.get("stale").increment(stale);
                    l2Requests.get("miss").increment(ask.size() - fresh - stale);
                    return out;
                  })
              .onErrorResume(
                  e -> {
                    // Fail open: Redis down or slow reads as "Redis holds nothing".
                    l2Requests.get("error").increment(ask.size());
                    failure("read", "unavailable");
                    log.debug("cache {}: L2 read failed, serving L1 and upstream: {}", kind.tag(), e.getMessage());
                    return Mono.just(out);
                  });
        });
  }

  /** The entry for {@code id} in L1, fresh or stale, without counting a look-up. */
  public Cached<V> peek(String id) {
    return l1.peek(id);
  }

  /**
   * Stale-while-revalidate: whether {@code hit}, past its freshness, is still within the kind's
   * grace and may be served at once (marked stale). If so, a background refresh of {@code id}
   * through {@code refresh} is queued (once per key here; the lease makes it once per cluster).
   */
  public boolean serveStaleWhileRevalidating(String id, Cached<V> hit, Instant now, Supplier<Mono<?>> refresh) {
    if (revalidator == null || hit.isFresh(now) || now.isAfter(hit.expiresAt().plus(grace))) {
      return false;
    }
    revalidator.submit(id, refresh);
    return true;
  }

  /** Whether {@code hit} may be served, marked stale, after a failed refresh. */
  public boolean servableStale(Cached<V> hit, Instant now) {
    return hit.age(now).compareTo(staleMaxAge) <= 0;
  }

  /**
   * Loads {@code id} with {@code loader} once across the cluster and writes the result to both
   * tiers. Empty when the loader is (not found); the loader's error otherwise. An instance that
   * loses the lease returns the winner's outcome.
   */
  public Mono<Cached<V>> load(String id, Supplier<Mono<V>> loader) {
    Objects.requireNonNull(loader, "loader");
    if (l2 == null) {
      return Mono.defer(
          () -> {
            Cached<V> filled = freshInL1(id);
            return filled != null
                ? Mono.just(filled)
                : loader.get().map(this::wrap).doOnNext(entry -> l1.put(id, entry));
          });
    }
    return Mono.defer(
        () -> {
          Cached<V> filled = freshInL1(id);
          if (filled != null) {
            return Mono.just(filled);
          }
          String key = l2.key(id);
          if (!l2.leasesTrusted()) {
            // Redis unhealthy (breaker open or half-open) or recovering (leases this instance
            // may have left in Redis not yet freed): a lease could be held by nobody, so fetch
            // here at once rather than wait on it. The first load after recovery frees them.
            lease("unhealthy");
            Mono<Void> cleanUp =
                l2.breakerClosed()
                    ? l2.cleanOrphans()
                        .onErrorResume(
                            e -> {
                              failure("lease", "unavailable");
                              log.debug("cache {}: freeing left-behind leases failed: {}", kind.tag(), e.getMessage());
                              return Mono.empty();
                            })
                    : Mono.empty();
            return cleanUp.then(fetch(id, loader, null));
          }
          Sinks.One<FillChannel.Fill> waiter = fills.register(key);
          byte[] token = l2.newToken();
          return l2.lease(id, token)
              .onErrorResume(
                  e -> {
                    lease("error");
                    failure("lease", "unavailable");
                    if (!(e instanceof RedisUnavailableException r) || !r.notSent()) {
                      // The SET NX may still run in Redis, late: free it once Redis answers again.
                      l2.orphaned(id, token);
                    }
                    log.debug("cache {}: lease failed, fetching without it: {}", kind.tag(), e.getMessage());
                    return Mono.just(new RedisTier.Lease(false, null, null));
                  })
              .flatMap(
                  lease -> {
                    Instant now = clock.instant();
                    Cached<V> current = lease.current() == null ? null : decode(lease.current(), "lease");
                    if (current != null && current.isFresh(now)) {
                      // Another instance filled it between our read and the lease.
                      fills.unregister(key, waiter);
                      lease("late_hit");
                      l1.put(id, current);
                      Mono<Void> free = lease.won() ? release(id, lease.token()) : Mono.empty();
                      return free.thenReturn(current);
                    }
                    if (lease.won()) {
                      fills.unregister(key, waiter);
                      lease("won");
                      return fetch(id, loader, lease.token());
                    }
                    if (lease.token() == null || waiter == null) {
                      // Redis failed, or this instance cannot hear fills now: fetch ourselves.
                      fills.unregister(key, waiter);
                      if (lease.token() != null) {
                        lease("skipped");
                      }
                      return fetch(id, loader, null);
                    }
                    lease("waited");
                    return waiter
                        .asMono()
                        .timeout(leaseWait)
                        .flatMap(fill -> woken(id, fill, loader))
                        .onErrorResume(
                            TimeoutException.class,
                            e -> {
                              lease("timeout");
                              fills.unregister(key, waiter);
                              return fetch(id, loader, null);
                            });
                  });
        });
  }

  /**
   * A fresh L1 value of {@code id}: a load that filled it may have finished between the
   * caller's read and this load (the in-process coalescer frees a key once its load is done).
   */
  private Cached<V> freshInL1(String id) {
    Cached<V> v = l1.peek(id);
    return v != null && v.isFresh(clock.instant()) ? v : null;
  }

  private Mono<Cached<V>> woken(String id, FillChannel.Fill fill, Supplier<Mono<V>> loader) {
    lease("woken");
    if (fill.type() == FillChannel.VALUE) {
      Cached<V> v = decode(fill.payload(), "lease");
      if (v == null) {
        return fetch(id, loader, null);
      }
      l1.put(id, v);
      return Mono.just(v);
    }
    if (fill.type() == FillChannel.NOT_FOUND) {
      return Mono.empty();
    }
    if (fill.type() == FillChannel.RELEASED) {
      // The lease was freed without a fetch (Redis failed under it): fetch here.
      lease("unhealthy");
      return fetch(id, loader, null);
    }
    return Mono.error(peerFailure(new String(fill.payload(), StandardCharsets.UTF_8)));
  }

  /** Runs the loader, writes both tiers, tells the waiters, frees the lease ({@code token} null: none held). */
  private Mono<Cached<V>> fetch(String id, Supplier<Mono<V>> loader, byte[] token) {
    return Mono.defer(loader)
        .map(this::wrap)
        .flatMap(
            entry -> {
              l1.put(id, entry);
              if (token == null) {
                // Fetched without the lease: wake this instance's waiters of the key at once
                // (they may not hear it over Redis, which may be why there was no lease).
                fills.deliver(l2.key(id), new FillChannel.Fill(FillChannel.VALUE, l2.codec().encode(entry)));
              }
              return l2.fill(id, entry, staleMaxAge, clock.instant(), token)
                  .onErrorResume(e -> leaseLeftBehind(id, token, e))
                  .thenReturn(entry);
            })
        .switchIfEmpty(
            Mono.defer(
                () ->
                    token == null
                        ? Mono.empty()
                        : l2.fillFailed(id, FillChannel.NOT_FOUND, "", token)
                            .onErrorResume(e -> leaseLeftBehind(id, token, e))
                            .then(Mono.empty())))
        .onErrorResume(
            e -> {
              if (token == null) {
                return Mono.error(e);
              }
              return l2.fillFailed(id, FillChannel.FAILED, describe(e), token)
                  .onErrorResume(err -> leaseLeftBehind(id, token, err))
                  .then(Mono.error(e));
            });
  }

  private Mono<Void> release(String id, byte[] token) {
    return l2.release(id, token).onErrorResume(e -> leaseLeftBehind(id, token, e));
  }

  /**
   * A write that would have freed the lease {@code token} failed: the lease may stay held in
   * Redis by nobody, so it is remembered and freed once Redis answers again; meanwhile this
   * instance does not wait on leases.
   */
  private Mono<Void> leaseLeftBehind(String id, byte[] token, Throwable e) {
    if (token != null) {
      // Sent or skipped by the breaker, the release did not happen (as far as this instance knows).
      l2.orphaned(id, token);
    }
    return writeFailed(e);
  }

  private Mono<Void> writeFailed(Throwable e) {
    failure("write", "unavailable");
    log.debug("cache {}: L2 write failed (value kept in L1 only): {}", kind.tag(), e.getMessage());
    return Mono.empty();
  }

  /** Writes {@code entry} to both tiers, for callers that load without {@link #load}. */
  public Mono<Void> put(String id, Cached<V> entry) {
    return Mono.defer(
        () -> {
          l1.put(id, entry);
          return l2 == null
              ? Mono.empty()
              : l2.fill(id, entry, staleMaxAge, clock.instant(), null).onErrorResume(this::writeFailed);
        });
  }

  /**
   * Drops the entries whose id matches {@code glob} ({@code *}, {@code ?}) from the given
   * tiers; L2 by SCAN + UNLINK (bounded by {@code evictMaxKeys}), and every other instance is
   * told to drop its L1 copies too.
   */
  public Mono<Eviction> evict(String glob, Tier tier) {
    return Mono.defer(
        () -> {
          long local = tier == Tier.L2 ? 0 : l1.invalidateMatching(id -> CacheKeys.globMatches(glob, id));
          if (l2 == null || tier == Tier.L1) {
            return Mono.just(new Eviction(kind.tag(), glob, local, 0, false, null));
          }
          Mono<Void> broadcast =
              tier == Tier.ALL ? l2.broadcastEvict(glob).onErrorResume(this::writeFailed) : Mono.empty();
          return l2.evict(glob)
              .flatMap(r -> broadcast.thenReturn(new Eviction(kind.tag(), glob, local, r[0], r[1] == 1, null)))
              .onErrorResume(
                  e -> {
                    failure("evict", "unavailable");
                    return Mono.just(new Eviction(kind.tag(), glob, local, 0, false, e.getMessage()));
                  });
        });
  }

  /** Drops L1 entries matching {@code glob} (an eviction another instance broadcast). */
  void evictLocal(String glob) {
    l1.invalidateMatching(id -> CacheKeys.globMatches(glob, id));
  }

  public Stats stats() {
    Map<String, Long> l2Counts = new LinkedHashMap<>();
    l2Requests.forEach((k, c) -> l2Counts.put(k, (long) c.count()));
    Map<String, Long> leaseCounts = new LinkedHashMap<>();
    leases.forEach((k, c) -> leaseCounts.put(k, (long) c.count()));
    return new Stats(
        kind.tag(),
        l1.estimatedSize(),
        l1MaxEntries,
        l1.counts(),
        l2Counts,
        leaseCounts,
        revalidator == null ? 0 : revalidator.pending(),
        l2 != null);
  }

  private Cached<V> wrap(V value) {
    Instant now = clock.instant();
    return new Cached<>(value, now, freshness.expiresAt(now));
  }

  private Cached<V> decode(byte[] bytes, String op) {
    try {
      return l2.codec().decode(bytes);
    } catch (IllegalArgumentException e) {
      failure(op, "decode");
      log.debug("cache {}: undecodable L2 value treated as a miss: {}", kind.tag(), e.getMessage());
      return null;
    }
  }

  private void lease(String outcome) {
    leases.get(outcome).increment();
  }

  private void failure(String op, String reason) {
    Counter.builder("quotegate.cache.l2.failures")
        .description("Redis tier failures by operation and reason; the cache failed open")
        .tag("kind", kind.tag())
        .tag("op", op)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  private static String describe(Throwable e) {
    if (e instanceof GatewayException.Upstream u) {
      return u.provider() + "\n" + u.kind().tag() + "\n" + u.getMessage();
    }
    return "gateway\n" + UpstreamFailure.UNAVAILABLE.tag() + "\n" + e.getClass().getSimpleName();
  }

  private static GatewayException peerFailure(String payload) {
    String[] parts = payload.split("\n", 3);
    UpstreamFailure kind = UpstreamFailure.UNAVAILABLE;
    for (UpstreamFailure f : UpstreamFailure.values()) {
      if (parts.length > 1 && f.tag().equals(parts[1])) {
        kind = f;
      }
    }
    String provider = parts.length > 0 && !parts[0].isEmpty() ? parts[0] : "gateway";
    String message = parts.length > 2 ? parts[2] : "failed";
    return new GatewayException.Upstream(provider, kind, "fetched by another instance: " + message, null, null);
  }

  @Override
  public void close() {
    if (revalidator != null) {
      revalidator.close();
    }
  }
}
