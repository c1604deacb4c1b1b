package dev.quotegate.cache;

import dev.quotegate.platform.redis.RedisConnections;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.context.SmartLifecycle;

/**
 * Makes and keeps the gateway's {@link TieredCache}s, one per {@link CacheKind}, all sharing
 * one Redis connection and one fills channel (when Redis is configured). A feature asks for
 * its cache once, at wiring time:
 *
 * <pre>
 *   TieredCache&lt;Profile&gt; profiles = caches.create(CacheKind.PROFILE, Profile.class);
 * </pre>
 *
 * <p>A lifecycle component: it subscribes the fills channel at start and stops the background
 * refresh loops on shutdown.
 */
public final class Caches implements SmartLifecycle {

  private final CacheProperties props;
  private final RedisConnections redis;
  private final CacheKeys keys;
  private final FillChannel fills;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<CacheKind, TieredCache<?>> caches = Collections.synchronizedMap(new EnumMap<>(CacheKind.class));
  private volatile boolean running;

  /**
   * @param redis the shared Redis, or null for a gateway without Redis (L1 only)
   */
  public Caches(CacheProperties props, RedisConnections redis, Clock clock, MeterRegistry registry) {
    this.props = Objects.requireNonNull(props, "props");
    this.redis = redis;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.keys = redis == null ? null : new CacheKeys(redis.keyPrefix());
    this.fills = redis == null ? null : new FillChannel(redis, keys, props.maxWaiters(), registry);
    if (fills != null) {
      fills.onEvict(
          (kindTag, glob) -> {
            CacheKind kind = CacheKind.ofTag(kindTag);
            TieredCache<?> cache = kind == null ? null : caches.get(kind);
            if (cache != null) {
              cache.evictLocal(glob);
            }
          });
      // Redis stopped answering: nobody waits out lease-wait for a fill that may never come.
      redis.onBreakerOpen(fills::abandonAll);
    }
  }

  /** The cache of {@code kind} with the configured (or built-in) settings of that kind. */
  public <V> TieredCache<V> create(CacheKind kind, Class<V> type) {
    CacheProperties.Kind k = props.kind(kind);
    return create(kind, type, Freshness.fixed(k.ttl()), k.staleMaxAge(), k.l1MaxEntries());
  }

  /**
   * The cache of {@code kind} with its freshness, stale retention and L1 size given by the
   * feature (quotes: market-hours aware); grace comes from {@code quotegate.cache.kinds}.
   */
  public <V> TieredCache<V> create(
      CacheKind kind, Class<V> type, Freshness freshness, Duration staleMaxAge, long l1MaxEntries) {
    Objects.requireNonNull(type, "type");
    CacheProperties.Kind k = props.kind(kind);
    LocalCache<V> l1 = new LocalCache<>(kind, l1MaxEntries, staleMaxAge, clock, registry);
    RedisTier<V> l2 = redis == null ? null : new RedisTier<>(kind, redis, keys, fills, ValueCodec.cbor(type), props);
    TieredCache<V> cache =
        new TieredCache<>(kind, l1, l1MaxEntries, l2, fills, freshness, k.grace(), staleMaxAge, props, clock, registry);
    synchronized (caches) {
      if (caches.containsKey(kind)) {
        cache.close();
        throw new IllegalStateException("a cache of kind " + kind.tag() + " exists already");
      }
      caches.put(kind, cache);
    }
    return cache;
  }

  /** The cache of {@code kind}, or null if no feature made one. */
  public TieredCache<?> get(CacheKind kind) {
    return caches.get(kind);
  }

  public Collection<TieredCache<?>> all() {
    synchronized (caches) {
      return java.util.List.copyOf(caches.values());
    }
  }

  /** The fills channel (null without Redis); tests pick keys by its shard channels. */
  FillChannel fillChannel() {
    return fills;
  }

  /** Whether this instance hears the other instances' fills now (false without Redis). */
  public boolean fillsListening() {
    return fills != null && fills.listening();
  }

  /** The shared Redis, or null. */
  public RedisConnections redis() {
    return redis;
  }

  @Override
  public void start() {
    if (fills != null) {
      fills.start();
    }
    running = true;
  }

  @Override
  public void stop() {
    if (fills != null) {
      fills.close();
    }
    for (TieredCache<?> c : all()) {
      c.close();
    }
    running = false;
  }

  @Override
  public boolean isRunning() {
    return running;
  }
}
