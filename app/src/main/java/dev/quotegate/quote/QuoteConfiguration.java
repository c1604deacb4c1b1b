package dev.quotegate.quote;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.LocalCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.market.MarketCalendar;
import dev.quotegate.provider.ProviderRouter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.scheduler.Schedulers;

/** The quote feature: its service, cache tier and routes. */
@Configuration(proxyBeanMethods = false)
class QuoteConfiguration {

  @Bean
  LocalCache<Quote> quoteCache(QuoteProperties props, Clock clock, MeterRegistry registry) {
    return new LocalCache<>(CacheKind.QUOTE, props.cacheMaxEntries(), props.staleMaxAge(), clock, registry);
  }

  @Bean
  QuoteService quoteService(
      ProviderRouter router, LocalCache<Quote> quoteCache, QuoteProperties props, Clock clock, MeterRegistry registry) {
    TtlPolicy ttl = new TtlPolicy(MarketCalendar.nyse(), props.ttlMarketOpen(), props.ttlMarketClosed());
    return new QuoteService(router, quoteCache, ttl, props, clock, Schedulers.parallel(), registry);
  }

  @Bean
  RouterFunction<ServerResponse> quoteRoutes(QuoteService service, QuoteProperties props, Clock clock) {
    QuoteHandler handler = new QuoteHandler(service, props, clock);
    return RouterFunctions.route()
        .GET("/api/v1/quotes/{symbol}", handler::quote)
        .GET("/api/v1/quotes", handler::quotes)
        .build();
  }
}
