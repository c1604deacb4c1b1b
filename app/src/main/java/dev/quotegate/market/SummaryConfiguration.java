package dev.quotegate.market;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.calendar.Session;
import dev.quotegate.calendar.TradingCalendar;
import dev.quotegate.market.MarketSnapshot.MoverKind;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.quote.QuoteBatchView.SymbolError;
import dev.quotegate.quote.QuoteResult;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.quote.QuoteView;
import dev.quotegate.web.Problems;
import dev.quotegate.web.SymbolParams;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpHeaders;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Mono;

/**
 * {@code GET /api/v1/dashboard?symbols=...}: what a dashboard paints first, in one call. The
 * market's status from the calendar (no I/O), the index quotes and the watchlist's quotes in one
 * pass through the quote path (cache first, one batch for what is missing), and the top movers
 * from the market snapshot when one is already computed and fresh.
 */
@Configuration(proxyBeanMethods = false)
class SummaryConfiguration {

  /** The market's status now. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record MarketStatus(String calendar, boolean open, Instant sessionOpen, Instant sessionClose, Instant nextOpen,
      Instant nextClose) {}

  /** Gainers and losers. */
  record Movers(MarketSnapshot.Coverage coverage, List<MarketSnapshot.Mover> gainers, List<MarketSnapshot.Mover> losers) {}

  /** The answer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Summary(Instant asOf, MarketStatus market, List<QuoteView> indices, List<QuoteView> quotes,
      List<SymbolError> errors, Movers movers) {}

  @Bean
  RouterFunction<ServerResponse> summaryRoutes(
      QuoteService quotes, MarketService market, SummaryProperties props, Clock clock,
      io.micrometer.core.instrument.MeterRegistry registry) {
    io.micrometer.core.instrument.Counter skipped = io.micrometer.core.instrument.Counter
        .builder("quotegate.summary.movers.skipped")
        .description("Dashboard summaries answered without movers: no fresh market snapshot computed yet")
        .register(registry);
    List<String> indices = props.indices().stream().map(s -> SymbolParams.symbol("quotegate.summary.indices", s)).toList();
    return RouterFunctions.route()
        .GET("/api/v1/dashboard", r -> {
          long start = System.nanoTime();
          List<String> watch = r.queryParam("symbols").filter(s -> !s.isBlank()).isPresent()
              ? SymbolParams.symbols("symbols", r.queryParam("symbols").get(), props.maxSymbols())
              : List.of();
          Set<String> all = new LinkedHashSet<>(indices);
          all.addAll(watch);
          // Movers only from a snapshot already computed and fresh: the summary never starts the
          // market-wide computation (500 quotes); GET /api/v1/movers does, and the next summary
          // has them. Counted when absent.
          Optional<Movers> movers = props.movers() == 0 ? Optional.empty() : market.cachedSnapshot()
              .map(s -> new Movers(s.coverage(), s.movers(MoverKind.GAINERS, props.movers()).movers(),
                  s.movers(MoverKind.LOSERS, props.movers()).movers()));
          if (props.movers() > 0 && movers.isEmpty()) {
            skipped.increment();
          }
          return quotes.quotes(List.copyOf(all)).flatMap(results -> {
            Instant now = clock.instant();
            List<QuoteView> idx = new ArrayList<>();
            List<QuoteView> mine = new ArrayList<>();
            List<SymbolError> errors = new ArrayList<>();
            for (QuoteResult q : results) {
              if (q instanceof QuoteResult.Found f) {
                QuoteView v = QuoteView.of(f.entry(), f.stale(), now);
                if (indices.contains(q.symbol())) {
                  idx.add(v);
                }
                if (watch.contains(q.symbol())) {
                  mine.add(v);
                }
              } else {
                GatewayException e = ((QuoteResult.Failed) q).error();
                errors.add(new SymbolError(q.symbol(), Problems.status(e), Problems.code(e), Problems.detail(e)));
              }
            }
            Summary body = new Summary(now, status(MarketCalendar.nyse(), now), idx, mine,
                errors.isEmpty() ? null : errors, movers.orElse(null));
            // live values with their ages: revalidated every time, no validator
            return ServerResponse.ok().header(HttpHeaders.CACHE_CONTROL, "no-cache")
                .header("Server-Timing", dev.quotegate.web.Validators.serverTiming("computed", start)).bodyValue(body);
          });
        })
        .build();
  }

  static MarketStatus status(TradingCalendar calendar, Instant now) {
    Optional<Session> session = calendar.sessionAt(now);
    return new MarketStatus(calendar.id(), session.isPresent(), session.map(Session::open).orElse(null),
        session.map(Session::close).orElse(null), calendar.nextOpen(now), calendar.nextClose(now));
  }
}
