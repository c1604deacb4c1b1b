package dev.quotegate.market;

import dev.quotegate.history.HistoryService;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.SymbolParams;
import dev.quotegate.web.Validators;
import java.time.Clock;
import java.time.Duration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import tools.jackson.databind.json.JsonMapper;

/** {@code GET /api/v1/signals?symbols=...}: technical signals for a watchlist. */
@Configuration(proxyBeanMethods = false)
class SignalConfiguration {

  @Bean
  SignalService signalService(HistoryService history, QuoteService quotes, SignalProperties props, Clock clock) {
    return new SignalService(history, quotes, props, clock);
  }

  @Bean
  RouterFunction<ServerResponse> signalRoutes(SignalService service, SignalProperties props, JsonMapper json) {
    return RouterFunctions.route()
        .GET("/api/v1/signals", r -> {
          var symbols = SymbolParams.symbols("symbols", r.queryParam("symbols").orElse(null), props.maxSymbols());
          long start = System.nanoTime();
          // The conventions' validators (ETag over the answer, 304, Server-Timing); 5 s: the
          // latest quote's freshness while the market is open.
          // latest quote's freshness while the market is open. The ETag leaves out asOf (the
          // time of the answer).
          return service.signals(symbols).flatMap(v -> Validators.json(r, json.writeValueAsBytes(v),
              Validators.weakEtag(json.writeValueAsBytes(v.symbols())),
              Validators.cacheControl(Duration.ofSeconds(5), false), Validators.serverTiming("hit", start)));
        })
        .build();
  }
}
