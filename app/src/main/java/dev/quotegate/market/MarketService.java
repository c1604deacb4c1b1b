package dev.quotegate.market;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.Cached;
import dev.quotegate.cache.Caches;
import dev.quotegate.cache.ReadThrough;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.provider.NewsProvider;
import dev.quotegate.provider.Profile;
import dev.quotegate.provider.ProfileProvider;
import dev.quotegate.provider.ProviderKind;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.provider.SearchProvider;
import dev.quotegate.provider.UniverseProvider;
import dev.quotegate.quote.QuoteService;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * Reference data and market-wide views. Profiles, news and search are read through their
 * cache kinds ({@code quotegate.cache.kinds.profile|news|search}: L1, Redis when configured,
 * stale-while-revalidate, stale-if-error, one load per key) and fetched along their provider
 * chains ({@code quotegate.routing.profile|news|search}), each provider behind its guards.
 * Movers and sectors are computed over the listed universe ({@code quotegate.routing.universe})
 * from the quote path (so they share its cache, coalescing and batching) into one snapshot
 * that is itself shared while the quotes in it are fresh.
 */
public final class MarketService {

  private static final Logger log = LoggerFactory.getLogger(MarketService.class);

  /** A symbol's news as one cached value. */
  public record NewsList(List<NewsItem> items) {
    public NewsList {
      items = items == null ? List.of() : List.copyOf(items);
    }
  }

  /** One query's hits as one cached value. */
  public record SearchResults(List<SearchHit> hits) {
    public SearchResults {
      hits = hits == null ? List.of() : List.copyOf(hits);
    }
  }

  private final ProviderRouter router;
  private final QuoteService quotes;
  private final MarketProperties props;
  private final ReadThrough<Profile> profiles;
  private final ReadThrough<NewsList> news;
  private final ReadThrough<SearchResults> search;
  private final Mono<List<SearchHit>> universeMono;
  private final Mono<MarketSnapshot> snapshotMono;
  private final SearchIndex index;
  private final Clock clock;
  private final Duration snapshotTtl;
  private final java.util.concurrent.atomic.AtomicReference<Cached<MarketSnapshot>> lastSnapshot =
      new java.util.concurrent.atomic.AtomicReference<>();
  private final SearchProperties searchProps;
  private final Counter universeFailures;

  public MarketService(
      ProviderRouter router,
      Caches caches,
      QuoteService quotes,
      MarketProperties props,
      Duration snapshotTtl,
      Clock clock,
      MeterRegistry registry,
      SearchIndex index,
      SearchProperties searchProps) {
    this.index = Objects.requireNonNull(index, "index");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.snapshotTtl = Objects.requireNonNull(snapshotTtl, "snapshotTtl");
    this.searchProps = Objects.requireNonNull(searchProps, "searchProps");
    this.universeFailures = Counter.builder("quotegate.search.universe.failures")
        .description("Searches answered without the universe because listing it failed").register(registry);
    this.router = Objects.requireNonNull(router, "router");
    this.quotes = Objects.requireNonNull(quotes, "quotes");
    this.props = Objects.requireNonNull(props, "props");
    this.profiles = new ReadThrough<>(caches.create(CacheKind.PROFILE, Profile.class), props.maxInFlight(),
        props.notFoundTtl(), props.maxNotFound(), clock, registry);
    this.news = new ReadThrough<>(caches.create(CacheKind.NEWS, NewsList.class), props.maxInFlight(),
        props.notFoundTtl(), props.maxNotFound(), clock, registry);
    this.search = new ReadThrough<>(caches.create(CacheKind.SEARCH, SearchResults.class), props.maxInFlight(),
        props.notFoundTtl(), props.maxNotFound(), clock, registry);
    // Reactor's TTL cache: one load shared by concurrent subscribers, errors not kept.
    this.universeMono =
        Mono.defer(() -> router.call(ProviderKind.UNIVERSE, null, UniverseProvider::universe))
            .map(list -> list.size() > props.maxUniverse() ? List.copyOf(list.subList(0, props.maxUniverse())) : list)
            .cache(v -> props.universeTtl(), e -> Duration.ZERO, () -> Duration.ZERO);
    this.snapshotMono =
        Mono.defer(this::computeSnapshot).cache(v -> snapshotTtl, e -> Duration.ZERO, () -> Duration.ZERO);
  }

  /** A company profile, or NotFound. Its industry and description are taught to the search index. */
  public Mono<Cached<Profile>> profile(String symbol) {
    return profiles.get(symbol, () -> router.call(ProviderKind.PROFILE, symbol, (ProfileProvider p) -> p.profile(symbol)))
        .doOnNext(c -> {
          Profile p = c.value();
          index.learn(List.of(new SearchIndex.Listing(new SearchHit(p.symbol(), p.name(), p.exchange(), null,
              p.sector(), p.source(), null, p.industry()), p.description())));
        })
        .switchIfEmpty(Mono.error(() -> new GatewayException.NotFound(symbol, "no profile for " + symbol)));
  }

  /** Recent news about {@code symbol}, newest first (at most {@code max-news}). */
  public Mono<Cached<NewsList>> news(String symbol) {
    return news.get(symbol,
            () -> router.call(ProviderKind.NEWS, symbol, (NewsProvider p) -> p.news(symbol, props.maxNews()).map(NewsList::new)))
        .switchIfEmpty(Mono.error(() -> new GatewayException.NotFound(symbol, "no news for " + symbol)));
  }

  /**
   * Instruments matching {@code query}, ranked by the search index over the universe and the
   * listings learnt from providers, from {@code offset}, at most {@code limit}. A query the
   * index answers with nothing is asked of the search chain (when
   * {@code quotegate.search.provider-fallback}); its hits are indexed, and answered in the
   * provider's order when the index still ranks none of them.
   */
  Mono<SearchIndex.Results> rankedSearch(String query, int offset, int limit) {
    Mono<Void> indexed = universeMono
        .flatMap(index::ensureUniverse)
        .onErrorResume(e -> {
          // Fail open: the learnt listings and the provider's search still answer.
          universeFailures.increment();
          log.debug("search without the universe: {}", e.toString());
          return Mono.empty();
        });
    return indexed
        .then(Mono.fromCallable(() -> index.search(query, offset, limit)))
        .flatMap(found -> found.total() > 0 || !searchProps.providerFallback()
            ? Mono.just(found)
            : providerSearch(query, offset, limit));
  }

  private Mono<SearchIndex.Results> providerSearch(String query, int offset, int limit) {
    return search(query)
        .flatMap(c -> {
          List<SearchHit> hits = c.value().hits();
          List<SearchIndex.Listing> listings = new ArrayList<>(hits.size());
          for (SearchHit h : hits) {
            listings.add(new SearchIndex.Listing(h, null));
          }
          Mono<Void> ready = index.learn(listings) ? index.caughtUp() : Mono.empty();
          return ready.then(Mono.fromCallable(() -> {
            SearchIndex.Results again = index.search(query, offset, limit);
            if (again.total() > 0) {
              return again;
            }
            List<SearchIndex.Ranked> raw = new ArrayList<>();
            for (int i = offset; i < hits.size() && raw.size() < limit; i++) {
              raw.add(new SearchIndex.Ranked(hits.get(i), 0f));
            }
            return new SearchIndex.Results(raw, hits.size());
          }));
        })
        .onErrorResume(GatewayException.NotFound.class, e -> Mono.just(new SearchIndex.Results(List.of(), 0)));
  }

  /** Symbols' news read at once for one merged answer (each a cache read, a provider call on a miss). */
  private static final int NEWS_CONCURRENCY = 4;

  /** One symbol's news or why there is none, for the merged answer. */
  record SymbolNews(String symbol, List<NewsItem> items, GatewayException error) {}

  /**
   * News of several symbols, each read through its cache as {@link #news(String)}; a symbol
   * without news contributes nothing, one whose read failed is answered with its error.
   */
  Mono<List<SymbolNews>> news(List<String> symbols) {
    return reactor.core.publisher.Flux.fromIterable(symbols)
        .flatMapSequential(s -> news(s)
            .map(c -> new SymbolNews(s, c.value().items(), null))
            .onErrorResume(GatewayException.NotFound.class, e -> Mono.just(new SymbolNews(s, List.of(), null)))
            .onErrorResume(GatewayException.class, e -> Mono.just(new SymbolNews(s, List.of(), e))), NEWS_CONCURRENCY)
        .collectList();
  }

  /** The search chain's hits for {@code query}, cached (at most {@code max-search-results}). */
  public Mono<Cached<SearchResults>> search(String query) {
    String key = query.toLowerCase(Locale.ROOT);
    return search.get(key,
            () -> router.call(ProviderKind.SEARCH, null,
                (SearchProvider p) -> p.search(key, props.maxSearchResults()).map(SearchResults::new)))
        .switchIfEmpty(Mono.error(() -> new GatewayException.NotFound(query, "nothing matches " + query)));
  }

  /** The universe with one quote result each, shared while fresh. */
  public Mono<MarketSnapshot> snapshot() {
    return snapshotMono;
  }

  /** The last snapshot computed, while it is fresh; never computes one. */
  public java.util.Optional<MarketSnapshot> cachedSnapshot() {
    Cached<MarketSnapshot> c = lastSnapshot.get();
    return c != null && c.expiresAt().isAfter(clock.instant()) ? java.util.Optional.of(c.value()) : java.util.Optional.empty();
  }

  private Mono<MarketSnapshot> computeSnapshot() {
    return universeMono.<MarketSnapshot>flatMap(
        listed -> {
          List<String> symbols = new ArrayList<>(listed.size());
          for (SearchHit h : listed) {
            symbols.add(h.symbol());
          }
          return quotes.quotes(symbols).map(results -> MarketSnapshot.of(listed, results));
        })
        .doOnNext(s -> {
          Instant now = clock.instant();
          lastSnapshot.set(new Cached<>(s, now, now.plus(snapshotTtl)));
        });
  }
}
