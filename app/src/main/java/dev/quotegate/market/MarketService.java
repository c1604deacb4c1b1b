package dev.quotegate.market;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.provider.NewsProvider;
import dev.quotegate.provider.Profile;
import dev.quotegate.provider.ProfileProvider;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.provider.SearchProvider;
import dev.quotegate.provider.UniverseProvider;
import dev.quotegate.quote.QuoteResult;
import dev.quotegate.quote.QuoteService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import reactor.core.publisher.Mono;

/**
 * Reference data and market-wide views. Profiles, news and search are cached per key in
 * bounded Caffeine async caches, which also single-flight concurrent loads of one key; a
 * failed load is not cached. Movers and sectors are computed over the provider's universe
 * from the quote path (so they share its cache, coalescing and batching) into one snapshot
 * that is itself shared while the quotes in it are fresh.
 */
public final class MarketService {

  private final ProfileProvider profiles;
  private final NewsProvider news;
  private final SearchProvider search;
  private final UniverseProvider universe;
  private final QuoteService quotes;
  private final MarketProperties props;
  private final AsyncCache<String, Profile> profileCache;
  private final AsyncCache<String, List<NewsItem>> newsCache;
  private final AsyncCache<String, List<SearchHit>> searchCache;
  private final Mono<List<SearchHit>> universeMono;
  private final Mono<MarketSnapshot> snapshotMono;

  public MarketService(
      ProfileProvider profiles,
      NewsProvider news,
      SearchProvider search,
      UniverseProvider universe,
      QuoteService quotes,
      MarketProperties props,
      Duration snapshotTtl,
      MeterRegistry registry) {
    this.profiles = Objects.requireNonNull(profiles, "profiles");
    this.news = Objects.requireNonNull(news, "news");
    this.search = Objects.requireNonNull(search, "search");
    this.universe = Objects.requireNonNull(universe, "universe");
    this.quotes = Objects.requireNonNull(quotes, "quotes");
    this.props = Objects.requireNonNull(props, "props");
    this.profileCache = cache("l1.profile", props.profileTtl(), registry);
    this.newsCache = cache("l1.news", props.newsTtl(), registry);
    this.searchCache = cache("l1.search", props.searchTtl(), registry);
    // Reactor's TTL cache: one load shared by concurrent subscribers, errors not kept.
    this.universeMono =
        Mono.defer(universe::universe)
            .map(list -> list.size() > props.maxUniverse() ? List.copyOf(list.subList(0, props.maxUniverse())) : list)
            .cache(v -> props.universeTtl(), e -> Duration.ZERO, () -> Duration.ZERO);
    this.snapshotMono =
        Mono.defer(this::computeSnapshot).cache(v -> snapshotTtl, e -> Duration.ZERO, () -> Duration.ZERO);
  }

  private <V> AsyncCache<String, V> cache(String name, Duration ttl, MeterRegistry registry) {
    AsyncCache<String, V> cache =
        Caffeine.newBuilder().maximumSize(props.maxEntries()).expireAfterWrite(ttl).recordStats().buildAsync();
    CaffeineCacheMetrics.monitor(registry, cache, name);
    return cache;
  }

  /** A company profile, or NotFound. */
  public Mono<Profile> profile(String symbol) {
    return load(profileCache, symbol, profiles::profile)
        .switchIfEmpty(Mono.error(() -> new GatewayException.NotFound(symbol, "no profile for " + symbol)));
  }

  /** Recent news about {@code symbol}, newest first, at most {@code limit}. */
  public Mono<List<NewsItem>> news(String symbol, int limit) {
    return load(newsCache, symbol, s -> news.news(s, props.maxNews()))
        .defaultIfEmpty(List.of())
        .map(list -> list.size() > limit ? list.subList(0, limit) : list);
  }

  /** Instruments matching {@code query}, best first, at most {@code limit}. */
  public Mono<List<SearchHit>> search(String query, int limit) {
    String key = query.toLowerCase(Locale.ROOT);
    return load(searchCache, key, q -> search.search(q, props.maxSearchResults()))
        .defaultIfEmpty(List.of())
        .map(list -> list.size() > limit ? list.subList(0, limit) : list);
  }

  /** The universe with one quote result each, shared while fresh. */
  public Mono<MarketSnapshot> snapshot() {
    return snapshotMono;
  }

  private Mono<MarketSnapshot> computeSnapshot() {
    return universeMono.flatMap(
        listed -> {
          List<String> symbols = new ArrayList<>(listed.size());
          for (SearchHit h : listed) {
            symbols.add(h.symbol());
          }
          return quotes.quotes(symbols).map(results -> MarketSnapshot.of(listed, results));
        });
  }

  /**
   * Get-or-load through an async cache: concurrent callers share one load; a client that
   * cancels does not cancel it; a failed or empty load is not kept.
   */
  private static <V> Mono<V> load(AsyncCache<String, V> cache, String key, Function<String, Mono<V>> loader) {
    return Mono.defer(
        () -> {
          CompletableFuture<V> future = cache.get(key, (k, executor) -> loader.apply(k).toFuture());
          return Mono.fromFuture(future, true);
        });
  }

  /** Exposed for movers/sector views. */
  static boolean hasQuote(QuoteResult r) {
    return r instanceof QuoteResult.Found;
  }
}
