package dev.quotegate.market;

import dev.quotegate.market.MarketSnapshot.MoverKind;
import dev.quotegate.platform.GatewayException.UpstreamFailure;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.NewsItem;
import dev.quotegate.provider.NewsProvider;
import dev.quotegate.provider.Profile;
import dev.quotegate.provider.ProfileProvider;
import dev.quotegate.provider.SearchHit;
import dev.quotegate.provider.SearchProvider;
import dev.quotegate.provider.UniverseProvider;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.QueryParams;
import dev.quotegate.web.SymbolParams;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
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

  private static final Logger log = LoggerFactory.getLogger(MarketConfiguration.class);

  @Bean
  MarketService marketService(
      ObjectProvider<ProfileProvider> profiles,
      ObjectProvider<NewsProvider> news,
      ObjectProvider<SearchProvider> search,
      ObjectProvider<UniverseProvider> universe,
      QuoteService quotes,
      QuoteProperties quoteProps,
      MarketProperties props,
      MeterRegistry registry) {
    String p = props.provider();
    return new MarketService(
        named(profiles.orderedStream().toList(), ProfileProvider::name, props.provider(), "profiles",
            new ProfileProvider() {
              public String name() { return p; }
              public Mono<Profile> profile(String symbol) { return Mono.error(notConfigured(p, "profiles")); }
            }),
        named(news.orderedStream().toList(), NewsProvider::name, props.provider(), "news",
            new NewsProvider() {
              public String name() { return p; }
              public Mono<List<NewsItem>> news(String symbol, int limit) { return Mono.error(notConfigured(p, "news")); }
            }),
        named(search.orderedStream().toList(), SearchProvider::name, props.provider(), "search",
            new SearchProvider() {
              public String name() { return p; }
              public Mono<List<SearchHit>> search(String q, int limit) { return Mono.error(notConfigured(p, "search")); }
            }),
        named(universe.orderedStream().toList(), UniverseProvider::name, props.provider(), "movers and sectors",
            new UniverseProvider() {
              public String name() { return p; }
              public Mono<List<SearchHit>> universe() { return Mono.error(notConfigured(p, "movers and sectors")); }
            }),
        quotes,
        props,
        quoteProps.ttlMarketOpen(),
        registry);
  }

  /**
   * The provider named {@code wanted}. None (e.g. the simulator is off and no real provider
   * is configured for it): the gateway still starts, and these endpoints answer 503 naming
   * the missing configuration, logged once here.
   */
  private static <T> T named(List<T> candidates, Function<T, String> name, String wanted, String what, T missing) {
    for (T c : candidates) {
      if (name.apply(c).equals(wanted)) {
        return c;
      }
    }
    log.warn("quotegate.market.provider={} but no enabled provider of that name serves {}: {} requests will answer 503",
        wanted, what, what);
    return missing;
  }

  private static GatewayException.Upstream notConfigured(String provider, String what) {
    return new GatewayException.Upstream(provider, UpstreamFailure.UNSUPPORTED,
        "no enabled provider serves " + what + " (quotegate.market.provider)");
  }

  @Bean
  RouterFunction<ServerResponse> marketRoutes(MarketService service, MarketProperties props) {
    return RouterFunctions.route()
        .GET("/api/v1/profiles/{symbol}", r -> {
          String symbol = SymbolParams.pathSymbol(r, "symbol");
          return service.profile(symbol).flatMap(p -> json(p, 3600));
        })
        .GET("/api/v1/news/{symbol}", r -> {
          String symbol = SymbolParams.pathSymbol(r, "symbol");
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxNews());
          return service.news(symbol, limit).flatMap(items -> json(Map.of("symbol", symbol, "news", items), 60));
        })
        .GET("/api/v1/search", r -> {
          String q = QueryParams.text(r, "q", 64);
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxSearchResults());
          return service.search(q, limit).flatMap(hits -> json(Map.of("query", q, "results", hits), 300));
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

  private static Mono<ServerResponse> json(Object body, int maxAgeSeconds) {
    return ServerResponse.ok()
        .header(HttpHeaders.CACHE_CONTROL, "public, max-age=" + maxAgeSeconds)
        .bodyValue(body);
  }

}
