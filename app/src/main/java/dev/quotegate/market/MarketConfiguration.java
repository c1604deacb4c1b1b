package dev.quotegate.market;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.cache.Cached;
import dev.quotegate.cache.Caches;
import dev.quotegate.market.MarketSnapshot.MoverKind;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.web.Fields;
import dev.quotegate.web.Pages;
import dev.quotegate.web.QueryParams;
import dev.quotegate.web.SymbolParams;
import dev.quotegate.web.Validators;
import io.micrometer.core.instrument.MeterRegistry;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.web.Problems;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/** Profiles, news, search, movers and sectors: service and routes. */
@Configuration(proxyBeanMethods = false)
class MarketConfiguration {

  @Bean
  SearchIndex searchIndex(SearchProperties props, MeterRegistry registry) {
    return new SearchIndex(props, registry);
  }

  @Bean
  MarketService marketService(
      ProviderRouter router, Caches caches, QuoteService quotes, QuoteProperties quoteProps, MarketProperties props,
      Clock clock, MeterRegistry registry, SearchIndex index, SearchProperties searchProps) {
    return new MarketService(router, caches, quotes, props, quoteProps.ttlMarketOpen(), clock, registry, index,
        searchProps);
  }

  /** One ranked search hit. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SearchResult(String symbol, String name, String exchange, String type, String sector, String industry,
      String mic, String source, double score) {}

  /** A page of search hits. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record SearchPage(String query, List<SearchResult> results, int total, int limit, String nextCursor, String next) {}

  /**
   * Each answer with the conventions' caching headers ({@link Validators}): profiles, news and
   * search cacheable for the freshness their cache entry has left, movers and sectors for the
   * least fresh quote of the snapshot; {@code no-cache} when stale or partial.
   */
  @Bean
  RouterFunction<ServerResponse> marketRoutes(
      MarketService service, MarketProperties props, SearchProperties searchProps, Clock clock, JsonMapper json) {
    return RouterFunctions.route()
        .GET("/api/v1/profiles/{symbol}", r -> {
          String symbol = SymbolParams.pathSymbol(r, "symbol");
          long start = System.nanoTime();
          return service.profile(symbol).flatMap(p -> cached(r, json, p.value(), p, start, clock));
        })
        .GET("/api/v1/news/{symbol}", r -> {
          String symbol = SymbolParams.pathSymbol(r, "symbol");
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxNews());
          long start = System.nanoTime();
          return service.news(symbol).flatMap(n -> cached(
              r, json, Map.of("symbol", symbol, "news", first(n.value().items(), limit)), n, start, clock));
        })
        .GET("/api/v1/news", r -> {
          List<String> symbols = SymbolParams.symbols("symbols", r.queryParam("symbols").orElse(null),
              props.maxNewsSymbols());
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxNews());
          String scope = "news|" + String.join(",", symbols);
          Optional<Pages.Position> after = Pages.cursor(r, scope);
          long start = System.nanoTime();
          return service.news(symbols).flatMap(all -> Validators.json(r,
              json.writeValueAsBytes(NewsPage.of(r, scope, symbols, all, after, limit)),
              Validators.cacheControl(Duration.ofSeconds(60), false), Validators.serverTiming("hit", start)));
        })
        .GET("/api/v1/search", r -> {
          String q = QueryParams.text(r, "q", 64);
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxSearchResults());
          String scope = "search|" + q.toLowerCase(Locale.ROOT);
          int offset = Pages.offset(r, scope, searchProps.maxResults());
          long start = System.nanoTime();
          return service.rankedSearch(q, offset, limit)
              .flatMap(found -> {
                List<SearchResult> results = new java.util.ArrayList<>(found.hits().size());
                for (SearchIndex.Ranked h : found.hits()) {
                  SearchHit s = h.hit();
                  results.add(new SearchResult(s.symbol(), s.name(), s.exchange(), s.type(), s.sector(), s.industry(),
                      s.mic(), s.source(), Math.round(h.score() * 1000) / 1000.0));
                }
                int end = offset + results.size();
                String cursor = end < found.total() && !results.isEmpty() ? Pages.encode(scope, end) : null;
                // the index is rebuilt from the listings at most every few minutes: a minute's caching
                return Validators.json(r, json.writeValueAsBytes(new SearchPage(q, results, found.total(), limit,
                        cursor, cursor == null ? null : Pages.next(r, cursor))),
                    Validators.cacheControl(Duration.ofSeconds(60), false), Validators.serverTiming("hit", start));
              });
        })
        .GET("/api/v1/movers", r -> {
          MoverKind kind = MoverKind.valueOf(
              QueryParams.oneOf(r, "type", "gainers", "gainers", "losers", "active").toUpperCase(Locale.ROOT));
          int limit = QueryParams.intParam(r, "limit", 10, 1, 100);
          Optional<Set<String>> fields = Fields.selected(r, MOVER_FIELDS);
          String scope = "movers|" + kind;
          int offset = Pages.offset(r, scope, MAX_MOVERS);
          long start = System.nanoTime();
          return service.snapshot().flatMap(s -> {
            MarketSnapshot.MoversView all = s.movers(kind, Math.min(MAX_MOVERS, offset + limit));
            List<MarketSnapshot.Mover> page = all.movers().subList(Math.min(offset, all.movers().size()), all.movers().size());
            int end = offset + page.size();
            String cursor = page.size() == limit && end < Math.min(MAX_MOVERS, s.coverage().quoted())
                ? Pages.encode(scope, end) : null;
            MoversPage body = new MoversPage(all.kind(), all.coverage(), page, limit, cursor,
                cursor == null ? null : Pages.next(r, cursor));
            return snapshot(r, json, fields.isPresent() ? Fields.select(json, body, "movers", fields.get()) : body,
                s, start, clock);
          });
        })
        .GET("/api/v1/sectors", r -> {
          long start = System.nanoTime();
          return service.snapshot().flatMap(s -> snapshot(r, json, s.sectors(), s, start, clock));
        })
        .build();
  }

  /** Movers ranked this deep at most (pages of {@code limit} within). */
  static final int MAX_MOVERS = 500;

  /** Names {@code fields=} may select of a mover. */
  static final List<String> MOVER_FIELDS = Fields.of(MarketSnapshot.Mover.class);

  /** A page of movers. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record MoversPage(String kind, MarketSnapshot.Coverage coverage, List<MarketSnapshot.Mover> movers, int limit,
      String nextCursor, String next) {}

  /** A page of merged news. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record NewsPage(List<String> symbols, List<NewsItem> news, List<Problem> errors, int limit, String nextCursor,
      String next) {

    /** One symbol whose news could not be read. */
    record Problem(String symbol, int status, String code, String detail) {}

    /**
     * Merged, de-duplicated by id (the symbols of every copy joined), newest first (ties by id),
     * from after the cursor's (publishedAt, id).
     */
    static NewsPage of(ServerRequest r, String scope, List<String> symbols, List<MarketService.SymbolNews> all,
        Optional<Pages.Position> after, int limit) {
      Map<String, NewsItem> byId = new LinkedHashMap<>();
      List<Problem> errors = new ArrayList<>();
      for (MarketService.SymbolNews n : all) {
        if (n.error() != null) {
          errors.add(new Problem(n.symbol(), Problems.status(n.error()), Problems.code(n.error()),
              Problems.detail(n.error())));
        }
        for (NewsItem item : n.items()) {
          byId.merge(item.id(), item, (a, b) -> {
            Set<String> joined = new LinkedHashSet<>(a.symbols());
            joined.addAll(b.symbols());
            return new NewsItem(a.id(), List.copyOf(joined), a.headline(), a.summary(), a.publisher(), a.url(),
                a.publishedAt(), a.source());
          });
        }
      }
      List<NewsItem> sorted = new ArrayList<>(byId.values());
      Comparator<NewsItem> order = Comparator.comparing(NewsItem::publishedAt).reversed()
          .thenComparing(NewsItem::id, Comparator.reverseOrder());
      sorted.sort(order);
      int start = 0;
      if (after.isPresent()) {
        List<String> parts = after.get().parts();
        NewsItem key;
        try {
          key = new NewsItem(new String(Base64.getUrlDecoder().decode(parts.get(1)), StandardCharsets.UTF_8),
              List.of(), "-", null, null, null, Instant.ofEpochMilli(Long.parseLong(parts.get(0))), "-");
        } catch (RuntimeException e) {
          throw new GatewayException.InvalidRequest("cursor", "not a cursor this endpoint answered");
        }
        while (start < sorted.size() && order.compare(sorted.get(start), key) <= 0) {
          start++;
        }
      }
      List<NewsItem> page = sorted.subList(start, Math.min(sorted.size(), start + limit));
      String cursor = null;
      if (start + page.size() < sorted.size() && !page.isEmpty()) {
        NewsItem last = page.get(page.size() - 1);
        cursor = Pages.encode(scope, last.publishedAt().toEpochMilli(),
            Base64.getUrlEncoder().withoutPadding().encodeToString(last.id().getBytes(StandardCharsets.UTF_8)));
      }
      return new NewsPage(symbols, List.copyOf(page), errors.isEmpty() ? null : errors, limit, cursor,
          cursor == null ? null : Pages.next(r, cursor));
    }
  }

  private static Mono<ServerResponse> cached(
      ServerRequest r, JsonMapper json, Object body, Cached<?> c, long start, Clock clock) {
    Instant now = clock.instant();
    boolean stale = !c.isFresh(now);
    // Fetched since this request began: a miss; else served from the cache.
    String desc = stale ? "stale" : c.age(now).toNanos() < System.nanoTime() - start ? "miss" : "hit";
    return Validators.json(r, json.writeValueAsBytes(body), Validators.cacheControl(c.remaining(now), stale),
        Validators.serverTiming(desc, start));
  }

  private static Mono<ServerResponse> snapshot(
      ServerRequest r, JsonMapper json, Object body, MarketSnapshot s, long start, Clock clock) {
    MarketSnapshot.Coverage coverage = s.coverage();
    boolean stale = coverage.stale() > 0;
    boolean partial = coverage.missing() > 0;
    Duration left = s.freshUntil() == null ? Duration.ZERO : Duration.between(clock.instant(), s.freshUntil());
    return Validators.json(r, json.writeValueAsBytes(body), Validators.cacheControl(left, stale || partial),
        Validators.serverTiming(stale ? "stale" : partial ? "partial" : "hit", start));
  }

  private static <T> List<T> first(List<T> list, int limit) {
    return list.size() > limit ? list.subList(0, limit) : list;
  }
}
