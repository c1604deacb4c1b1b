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
import dev.quotegate.web.Pages;
import dev.quotegate.web.QueryParams;
import dev.quotegate.web.SymbolParams;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

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

  @Bean
  RouterFunction<ServerResponse> marketRoutes(
      MarketService service, MarketProperties props, SearchProperties searchProps, Clock clock) {
    return RouterFunctions.route()
        .GET("/api/v1/profiles/{symbol}", r -> {
          String symbol = SymbolParams.pathSymbol(r, "symbol");
          return service.profile(symbol).flatMap(p -> json(p.value(), maxAge(p, clock)));
        })
        .GET("/api/v1/news/{symbol}", r -> {
          String symbol = SymbolParams.pathSymbol(r, "symbol");
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxNews());
          return service.news(symbol).flatMap(n -> json(
              Map.of("symbol", symbol, "news", first(n.value().items(), limit)), maxAge(n, clock)));
        })
        .GET("/api/v1/search", r -> {
          String q = QueryParams.text(r, "q", 64);
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxSearchResults());
          String scope = "search|" + q.toLowerCase(Locale.ROOT);
          int offset = Pages.offset(r, scope, searchProps.maxResults());
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
                return json(new SearchPage(q, results, found.total(), limit, cursor,
                    cursor == null ? null : Pages.next(r, cursor)), 60);
              });
        })
        .GET("/api/v1/movers", r -> {
          MoverKind kind = MoverKind.valueOf(
              QueryParams.oneOf(r, "type", "gainers", "gainers", "losers", "active").toUpperCase(Locale.ROOT));
          int limit = QueryParams.intParam(r, "limit", 10, 1, 100);
          return service.snapshot().flatMap(s -> json(s.movers(kind, limit), 5));
        })
        .GET("/api/v1/sectors", r -> service.snapshot().flatMap(s -> json(s.sectors(), 5)))
        .build();
  }

  private static long maxAge(Cached<?> c, Clock clock) {
    return c.remaining(clock.instant()).toSeconds();
  }

  private static <T> List<T> first(List<T> list, int limit) {
    return list.size() > limit ? list.subList(0, limit) : list;
  }

  private static Mono<ServerResponse> json(Object body, long maxAgeSeconds) {
    return ServerResponse.ok()
        .header(HttpHeaders.CACHE_CONTROL, "public, max-age=" + maxAgeSeconds)
        .bodyValue(body);
  }

}
