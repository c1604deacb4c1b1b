package dev.quotegate.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.fetch.CapacityExceededException;
import dev.quotegate.fetch.Coalescer;
import dev.quotegate.platform.GatewayException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Read-through over one kind's {@link TieredCache}, for data fetched one key at a time
 * (profiles, news, search): a fresh hit at once; within the kind's grace the stale value at
 * once and a background refresh; else one load per key in this instance (a {@link Coalescer};
 * the cache's lease makes it one across instances), written to both tiers. When the load
 * fails the last value is served if younger than the kind's {@code staleMaxAge}; a not-found
 * answer is remembered for {@code notFoundTtl} so junk keys do not go upstream every time.
 *
 * <p>The caller tells stale from fresh by {@link Cached#isFresh}. Meters (tag {@code kind}):
 * {@code quotegate.cache.stale.served} (served after a failed load) and {@code
 * quotegate.cache.notfound.cached}, besides the cache's and the coalescer's own.
 *
 * @param <V> the value type
 */
public final class ReadThrough<V> {

  private static final Logger log = LoggerFactory.getLogger(ReadThrough.class);

  private final TieredCache<V> cache;
  private final Coalescer<String, Cached<V>> coalescer;
  private final Cache<String, Boolean> notFound;
  private final Clock clock;
  private final Counter staleServed;
  private final Counter notFoundHits;

  /**
   * @param maxInFlight most keys loading at once in this instance (beyond: 503 overloaded)
   * @param notFoundTtl how long a not-found answer is remembered
   * @param notFoundMax most not-found keys remembered
   */
  public ReadThrough(
      TieredCache<V> cache, int maxInFlight, Duration notFoundTtl, long notFoundMax, Clock clock, MeterRegistry registry) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.clock = Objects.requireNonNull(clock, "clock");
    String kind = cache.kind().tag();
    this.coalescer = new Coalescer<>(kind, maxInFlight, registry);
    Instant origin = clock.instant();
    this.notFound = Caffeine.newBuilder()
        .maximumSize(notFoundMax)
        .expireAfterWrite(notFoundTtl)
        .ticker(() -> Duration.between(origin, clock.instant()).toNanos()) // the gateway's clock
        .build();
    this.staleServed = Counter.builder("quotegate.cache.stale.served")
        .description("Values served past their freshness because their refresh failed")
        .tag("kind", kind)
        .register(registry);
    this.notFoundHits = Counter.builder("quotegate.cache.notfound.cached")
        .description("Keys answered not-found from the negative cache")
        .tag("kind", kind)
        .register(registry);
  }

  /**
   * The value of {@code id}: from the cache, or loaded once by {@code loader}. Empty when it
   * does not exist (the loader was empty or failed with not-found); the loader's error when it
   * failed and nothing servable is cached.
   */
  public Mono<Cached<V>> get(String id, Supplier<Mono<V>> loader) {
    return cache.getAll(List.of(id)).flatMap(hits -> {
      Cached<V> hit = hits.get(id);
      Instant now = clock.instant();
      if (hit != null && hit.isFresh(now)) {
        return Mono.just(hit);
      }
      // A refresh nobody waits on: its errors go to the revalidator's count, not to a client.
      if (hit != null && cache.serveStaleWhileRevalidating(id, hit, now, () -> load(id, loader))) {
        return Mono.just(hit);
      }
      if (notFound.getIfPresent(id) != null) {
        notFoundHits.increment();
        return Mono.empty();
      }
      return load(id, loader).onErrorResume(e -> fallback(id, e));
    });
  }

  private Mono<Cached<V>> load(String id, Supplier<Mono<V>> loader) {
    return coalescer.get(id, () -> cache.load(id, loader)
        .onErrorResume(GatewayException.NotFound.class, e -> Mono.empty())
        .switchIfEmpty(Mono.fromRunnable(() -> notFound.put(id, Boolean.TRUE))));
  }

  private Mono<Cached<V>> fallback(String id, Throwable e) {
    Cached<V> last = cache.peek(id);
    Instant now = clock.instant();
    if (last != null && cache.servableStale(last, now)) {
      staleServed.increment();
      log.debug("serving stale {} {} (age {}) after a failed load: {}", cache.kind().tag(), id, last.age(now), e.toString());
      return Mono.just(last);
    }
    if (e instanceof CapacityExceededException c) {
      return Mono.error(new GatewayException.Overloaded(c.getMessage(), Duration.ofSeconds(1)));
    }
    return Mono.error(e);
  }
}
