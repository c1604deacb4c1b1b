package dev.quotegate.quote;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.Caches;
import dev.quotegate.cache.TieredCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.provider.ProviderRouter;
import dev.quotegate.provider.Quote;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.scheduler.Schedulers;
import tools.jackson.databind.json.JsonMapper;

/** The quote feature: its service, cache tier and routes. */
@Configuration(proxyBeanMethods = false)
class QuoteConfiguration {

  /** L1 in process, L2 in Redis when configured; quote freshness is market-hours aware. */
  @Bean
  TieredCache<Quote> quoteCache(Caches caches, QuoteProperties props) {
    TtlPolicy ttl = new TtlPolicy(MarketCalendar.nyse(), props.ttlMarketOpen(), props.ttlMarketClosed());
    return caches.create(CacheKind.QUOTE, Quote.class, ttl, props.staleMaxAge(), props.cacheMaxEntries());
  }

  @Bean
  QuoteService quoteService(
      ProviderRouter router, TieredCache<Quote> quoteCache, QuoteProperties props, Clock clock, MeterRegistry registry) {
    return new QuoteService(router, quoteCache, props, clock, Schedulers.parallel(), registry);
  }

  /** Quote JSON, each fetched quote encoded once (REST answers and stream events). */
  @Bean
  QuoteJson quoteJson(JsonMapper json, QuoteProperties props, MeterRegistry registry) {
    return new QuoteJson(json, props.cacheMaxEntries(), registry);
  }

  /** First among the route beans: the most requested paths are matched before any other. */
  @Bean
  @Order(Ordered.HIGHEST_PRECEDENCE)
  RouterFunction<ServerResponse> quoteRoutes(QuoteService service, QuoteProperties props, Clock clock, QuoteJson json) {
    QuoteHandler handler = new QuoteHandler(service, props, clock, json);
    return RouterFunctions.route()
        .GET("/api/v1/quotes/{symbol}", handler::quote)
        .GET("/api/v1/quotes", handler::quotes)
        .build();
  }
}
