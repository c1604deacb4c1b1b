package dev.quotegate.market;

import dev.quotegate.cache.Cached;
import dev.quotegate.cache.Caches;
import dev.quotegate.market.MarketSnapshot.MoverKind;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteService;
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
  MarketService marketService(
      ProviderRouter router, Caches caches, QuoteService quotes, QuoteProperties quoteProps, MarketProperties props,
      Clock clock, MeterRegistry registry) {
    return new MarketService(router, caches, quotes, props, quoteProps.ttlMarketOpen(), clock, registry);
  }

  @Bean
  RouterFunction<ServerResponse> marketRoutes(MarketService service, MarketProperties props, Clock clock) {
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
          return service.search(q)
              .onErrorResume(GatewayException.NotFound.class, e -> Mono.empty())
              .map(c -> (Object) Map.of("query", q, "results", first(c.value().hits(), limit)))
              .defaultIfEmpty(Map.of("query", q, "results", List.of()))
              .flatMap(body -> json(body, 60));
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
