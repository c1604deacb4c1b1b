package dev.quotegate.market;

import dev.quotegate.history.HistoryService;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.SymbolParams;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/** {@code GET /api/v1/signals?symbols=...}: technical signals for a watchlist. */
@Configuration(proxyBeanMethods = false)
class SignalConfiguration {

  @Bean
  SignalService signalService(HistoryService history, QuoteService quotes, SignalProperties props, Clock clock) {
    return new SignalService(history, quotes, props, clock);
  }

  @Bean
  RouterFunction<ServerResponse> signalRoutes(SignalService service, SignalProperties props) {
    return RouterFunctions.route()
        .GET("/api/v1/signals", r -> {
          var symbols = SymbolParams.symbols("symbols", r.queryParam("symbols").orElse(null), props.maxSymbols());
          long start = System.nanoTime();
          // computed afresh from the bars and the latest quote, stamped asOf: no validator
          return service.signals(symbols).flatMap(v -> ServerResponse.ok()
              .header(HttpHeaders.CACHE_CONTROL, "public, max-age=5")
              .header("Server-Timing", dev.quotegate.web.Validators.serverTiming("computed", start)).bodyValue(v));
        })
        .build();
  }
}
