package dev.quotegate.portfolio;

import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.JsonBodies;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/** {@code POST /api/v1/portfolio/valuation}. */
@Configuration(proxyBeanMethods = false)
class PortfolioConfiguration {

  @Bean
  PortfolioService portfolioService(QuoteService quotes, Clock clock, PortfolioProperties props) {
    return new PortfolioService(quotes, clock, props);
  }

  @Bean
  RouterFunction<ServerResponse> portfolioRoutes(PortfolioService service, JsonBodies bodies) {
    return RouterFunctions.route()
        .POST("/api/v1/portfolio/valuation", request -> bodies
            .read(request, PortfolioRequest.class)
            .switchIfEmpty(Mono.fromSupplier(() -> new PortfolioRequest(null)))
            .flatMap(service::value)
            .flatMap(v -> ServerResponse.ok().header(HttpHeaders.CACHE_CONTROL, "no-store").bodyValue(v)))
        .build();
  }
}
