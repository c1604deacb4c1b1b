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
import dev.quotegate.web.Validators;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
  MarketService marketService(
      ProviderRouter router, Caches caches, QuoteService quotes, QuoteProperties quoteProps, MarketProperties props,
      Clock clock, MeterRegistry registry) {
    return new MarketService(router, caches, quotes, props, quoteProps.ttlMarketOpen(), clock, registry);
  }

  /**
   * Each answer with the conventions' caching headers ({@link Validators}): profiles, news and
   * search cacheable for the freshness their cache entry has left, movers and sectors for the
   * least fresh quote of the snapshot; {@code no-cache} when stale or partial.
   */
  @Bean
  RouterFunction<ServerResponse> marketRoutes(MarketService service, MarketProperties props, Clock clock, JsonMapper json) {
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
        .GET("/api/v1/search", r -> {
          String q = QueryParams.text(r, "q", 64);
          int limit = QueryParams.intParam(r, "limit", 10, 1, props.maxSearchResults());
          long start = System.nanoTime();
          return service.search(q)
              .flatMap(c -> cached(r, json, Map.of("query", q, "results", first(c.value().hits(), limit)), c, start, clock))
              // Nothing matches: remembered as not found for not-found-ttl, so cacheable as long.
              .onErrorResume(GatewayException.NotFound.class, e -> Validators.json(r,
                  json.writeValueAsBytes(Map.of("query", q, "results", List.of())),
                  Validators.cacheControl(props.notFoundTtl(), false), Validators.serverTiming("hit", start)));
        })
        .GET("/api/v1/movers", r -> {
          MoverKind kind = MoverKind.valueOf(
              QueryParams.oneOf(r, "type", "gainers", "gainers", "losers", "active").toUpperCase(Locale.ROOT));
          int limit = QueryParams.intParam(r, "limit", 10, 1, 100);
          long start = System.nanoTime();
          return service.snapshot().flatMap(s -> snapshot(r, json, s.movers(kind, limit), s, start, clock));
        })
        .GET("/api/v1/sectors", r -> {
          long start = System.nanoTime();
          return service.snapshot().flatMap(s -> snapshot(r, json, s.sectors(), s, start, clock));
        })
        .build();
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
