package dev.quotegate.portfolio;

import dev.quotegate.history.HistoryService;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.Fields;
import dev.quotegate.web.JsonBodies;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** {@code POST /api/v1/portfolio/valuation} and {@code POST /api/v1/portfolio/performance}. */
@Configuration(proxyBeanMethods = false)
class PortfolioConfiguration {

  @Bean
  PortfolioService portfolioService(QuoteService quotes, Clock clock, PortfolioProperties props) {
    return new PortfolioService(quotes, clock, props);
  }

  /** Names {@code fields=} may select of a valued position. */
  private static final List<String> POSITION_FIELDS = Fields.of(PortfolioValuation.Position.class);

  @Bean
  PerformanceService performanceService(
      HistoryService history, PortfolioProperties limits, PerformanceProperties props, Clock clock) {
    return new PerformanceService(history, limits, props, clock);
  }

  @Bean
  RouterFunction<ServerResponse> portfolioRoutes(
      PortfolioService service, PerformanceService performance, JsonBodies bodies, JsonMapper mapper) {
    return RouterFunctions.route()
        .POST("/api/v1/portfolio/valuation", request -> {
          Optional<Set<String>> fields = Fields.selected(request, POSITION_FIELDS);
          return bodies
              .read(request, PortfolioRequest.class)
              .switchIfEmpty(Mono.fromSupplier(() -> new PortfolioRequest(null)))
              .flatMap(service::value)
              .flatMap(v -> ServerResponse.ok().header(HttpHeaders.CACHE_CONTROL, "no-store")
                  .bodyValue(fields.isPresent() ? Fields.select(mapper, v, "positions", fields.get()) : v));
        })
        .POST("/api/v1/portfolio/performance", request -> bodies
            .read(request, PerformanceRequest.class)
            .switchIfEmpty(Mono.fromSupplier(() -> new PerformanceRequest(null, null, null, null, null)))
            .flatMap(performance::performance)
            .flatMap(v -> ServerResponse.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").bodyValue(v)))
        .build();
  }
}
