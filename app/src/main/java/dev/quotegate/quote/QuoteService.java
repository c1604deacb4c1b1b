package dev.quotegate.quote;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.Cached;
import dev.quotegate.cache.LocalCache;
import dev.quotegate.cache.TieredCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.fetch.CapacityExceededException;
import dev.quotegate.fetch.Coalescer;
import dev.quotegate.platform.CallerLoop;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.Upstream;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.provider.ProviderKind;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.Quote;
import dev.quotegate.provider.QuoteProvider;
import dev.quotegate.quote.QuoteResult.Failed;
import dev.quotegate.quote.QuoteResult.Found;
import dev.quotegate.quote.QuoteResult.Origin;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The quote path: cache, then one coalesced upstream fetch per symbol, batched with other
 * symbols' fetches into the provider's batch calls and routed along the symbol's provider
 * chain ({@link QuoteFetcher}), written back to the cache; when every provider fails the last
 * known value, marked stale.
 */
public final class QuoteService {

  private static final Logger log = LoggerFactory.getLogger(QuoteService.class);

  private final TieredCache<Quote> cache;
  private final QuoteProperties props;
  private final Clock clock;
  private final Coalescer<String, Cached<Quote>> coalescer;
  private final QuoteFetcher fetcher;
  private final Cache<String, Instant> notFound;
  private final Counter staleServed;
  private final Counter notFoundCached;
  private final Counter staleSlow;

  /** One provider behind a pass-through guard ({@link ProviderRouter#single}), in-process cache only (tests, tools). */
  public QuoteService(
      QuoteProvider provider,
      LocalCache<Quote> cache,
      TtlPolicy ttl,
      QuoteProperties props,
      Clock clock,
      Scheduler batchScheduler,
      MeterRegistry registry) {
    this(ProviderRouter.single(ProviderKind.QUOTES, clock, registry, Objects.requireNonNull(provider, "provider")),
        TieredCache.localOnly(CacheKind.QUOTE, cache, ttl, props.staleMaxAge(), clock), props, clock,
        batchScheduler, registry);
  }

  /** One provider behind a pass-through guard ({@link ProviderRouter#single}), over the given cache tiers (tests, tools). */
  public QuoteService(
      QuoteProvider provider,
      TieredCache<Quote> cache,
      QuoteProperties props,
      Clock clock,
      Scheduler batchScheduler,
      MeterRegistry registry) {
    this(ProviderRouter.single(ProviderKind.QUOTES, clock, registry, Objects.requireNonNull(provider, "provider")),
        cache, props, clock, batchScheduler, registry);
  }

  /**
   * Quotes routed along each symbol's provider chain, each provider behind its guards, over
   * the cache tiers (L1, and L2 in Redis when configured).
   */
  public QuoteService(
      ProviderRouter router,
      TieredCache<Quote> cache,
      QuoteProperties props,
      Clock clock,
      Scheduler batchScheduler,
      MeterRegistry registry) {
    this.cache = Objects.requireNonNull(cache, "cache");
    this.props = Objects.requireNonNull(props, "props");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.coalescer = new Coalescer<>("quotes", props.maxInFlight(), registry);
    this.fetcher = new QuoteFetcher(
        router, props.batchWindow(), props.refreshBatchWindow(), props.maxPending(), batchScheduler, registry);
    this.notFound =
        Caffeine.newBuilder()
            .maximumSize(10_000)
            .expireAfterWrite(props.notFoundTtl())
            .build();
    this.staleServed =
        Counter.builder("quotegate.quotes.stale.served")
            .description("Quotes served past their freshness because upstream failed")
            .register(registry);
    this.staleSlow =
        Counter.builder("quotegate.quotes.stale.slow")
            .description("Quotes served stale because their refresh took longer than stale-if-slow")
            .register(registry);
    this.notFoundCached =
        Counter.builder("quotegate.quotes.notfound.cached")
            .description("Unknown symbols answered from the negative cache")
            .register(registry);
  }

  /**
   * Quotes for {@code symbols} (validated, distinct), in the same order, one result per
   * symbol. Never fails as a whole: every per-symbol failure is a {@link Failed} result.
   */
  public Mono<List<QuoteResult>> quotes(List<String> symbols) {
    return cache.getAll(symbols).flatMap(
        hits -> {
          Instant now = clock.instant();
          QuoteResult[] results = new QuoteResult[symbols.size()];
          List<Integer> missing = new ArrayList<>();
          for (int i = 0; i < results.length; i++) {
            String symbol = symbols.get(i);
            Cached<Quote> hit = hits.get(symbol);
            if (hit != null && hit.isFresh(now)) {
              results[i] = new Found(symbol, hit, Origin.CACHE);
            } else if (hit != null && cache.serveStaleWhileRevalidating(symbol, hit, now, () -> refresh(symbol))) {
              // Stale-while-revalidate: the old value now, a refresh in the background.
              results[i] = new Found(symbol, hit, Origin.STALE);
            } else if (notFound.getIfPresent(symbol) != null) {
              notFoundCached.increment();
              results[i] = new Failed(symbol, unknown(symbol));
            } else {
              missing.add(i);
            }
          }
          if (missing.isEmpty()) {
            return Mono.just(Arrays.asList(results));
          }
          List<Mono<QuoteResult>> fetches = new ArrayList<>(missing.size());
          for (int i : missing) {
            String symbol = symbols.get(i);
            Cached<Quote> hit = hits.get(symbol);
            fetches.add(hit != null && cache.servableStale(hit, now) ? staleIfSlow(symbol, hit) : fetch(symbol));
          }
          // All misses fetched at once; results keep the requested order.
          return Flux.mergeSequential(fetches, fetches.size(), 1)
              .collectList()
              .map(
                  fetched -> {
                    for (int k = 0; k < fetched.size(); k++) {
                      results[missing.get(k)] = fetched.get(k);
                    }
                    return Arrays.asList(results);
                  });
        });
  }

  /**
   * Stale-if-slow: the refresh of an expired value that is still servable, answered with the
   * old value (marked stale) when it takes longer than {@code stale-if-slow}. The fetch goes on
   * detached (the coalescer shares it; no waiter cancels it) and fills the cache when it ends,
   * so a hanging provider costs clients the budget, not its timeout.
   */
  private Mono<QuoteResult> staleIfSlow(String symbol, Cached<Quote> stale) {
    Duration budget = props.staleIfSlow();
    if (budget.isZero()) {
      return fetch(symbol);
    }
    return fetch(symbol).timeout(budget, Mono.fromSupplier(() -> {
      staleSlow.increment();
      return new Found(symbol, stale, Origin.STALE);
    }));
  }

  /** One symbol's result. */
  public Mono<QuoteResult> quote(String symbol) {
    return quotes(List.of(symbol)).map(list -> list.get(0));
  }

  private Mono<QuoteResult> fetch(String symbol) {
    // Every waiter continues on its own event loop, not all on the one that read the answer.
    return CallerLoop.deliverOnCallerLoop(coalescer.get(symbol, () -> load(symbol, false)))
        .<QuoteResult>map(entry -> new Found(symbol, entry, Origin.UPSTREAM))
        .onErrorResume(e -> Mono.just(fallback(symbol, e)));
  }

  /**
   * A stale-while-revalidate refresh: the same single flight as {@link #fetch}, batched apart
   * over {@code refresh-batch-window} since no client waits for it (a client arriving past the
   * grace period joins it through the coalescer).
   */
  private Mono<Cached<Quote>> refresh(String symbol) {
    // Its errors reach the revalidator (counted as failed refreshes): no client waits on it,
    // so nothing is served stale for it either.
    return coalescer.get(symbol, () -> load(symbol, true));
  }

  /** The shared upstream fetch: runs once per symbol however many callers wait on it. */
  private Mono<Cached<Quote>> load(String symbol, boolean background) {
    // Once across instances (lease in Redis), routed along the provider chain, written to
    // both tiers.
    return cache
        .load(symbol, () -> fetcher.fetch(symbol, background))
        .switchIfEmpty(
            Mono.fromCallable(
                () -> {
                  notFound.put(symbol, clock.instant());
                  throw unknown(symbol);
                }));
  }

  private QuoteResult fallback(String symbol, Throwable e) {
    GatewayException error = toGatewayException(e);
    if (error instanceof GatewayException.NotFound) {
      return new Failed(symbol, error);
    }
    Cached<Quote> last = cache.peek(symbol);
    Instant now = clock.instant();
    if (last != null && cache.servableStale(last, now)) {
      staleServed.increment();
      log.debug("serving stale {} (age {}) after upstream failure: {}", symbol, last.age(now), error.getMessage());
      return new Found(symbol, last, Origin.STALE);
    }
    return new Failed(symbol, error);
  }

  private static GatewayException toGatewayException(Throwable e) {
    if (e instanceof GatewayException g) {
      return g;
    }
    if (e instanceof CapacityExceededException c) {
      return new GatewayException.Overloaded(c.getMessage(), Duration.ofSeconds(1));
    }
    log.warn("unexpected failure on the quote path", e);
    return Upstream.ofGateway(UpstreamFailure.UNAVAILABLE, "internal error on the quote path (logged)", e);
  }

  private static GatewayException.NotFound unknown(String symbol) {
    return new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
  }
}
