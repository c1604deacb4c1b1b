package dev.quotegate.provider.sim;

import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.BarSchedule;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.UpstreamClient;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.BarProvider;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.http.HttpProtocol;

/**
 * Bars from the simulated exchange ({@code GET /v1/bars/{symbol}?interval=&from=&to=}, epoch
 * seconds). The simulator refuses more than {@code max-bars} bars per call, so longer ranges
 * are split by the market calendar into windows that fit, fetched a few at a time and joined
 * in order.
 */
final class SimBarProvider implements BarProvider {

  /** Windows of one long range fetched at once. */
  private static final int WINDOW_CONCURRENCY = 2;

  private final UpstreamClient.Provider http;
  private final SimProviderProperties props;
  private final Supplier<URI> baseUrl;
  private final BarSchedule schedule = new BarSchedule(MarketCalendar.nyse());

  SimBarProvider(UpstreamClient client, SimProviderProperties props, Supplier<URI> baseUrl) {
    this.http = client.forProvider(SimQuoteProvider.NAME, HttpProtocol.H2C);
    this.props = props;
    this.baseUrl = baseUrl;
  }

  @Override
  public String name() {
    return SimQuoteProvider.NAME;
  }

  @Override
  public Mono<List<Bar>> bars(String symbol, BarInterval interval, Instant from, Instant to) {
    return Mono.defer(
        () -> {
          List<Instant[]> windows = schedule.split(interval, from, to, props.maxBarsPerCall());
          return Flux.fromIterable(windows)
              .flatMapSequential(w -> window(symbol, interval, w[0], w[1]), WINDOW_CONCURRENCY)
              .concatMapIterable(list -> list)
              .filter(b -> !b.ts().isBefore(from) && b.ts().isBefore(to))
              .collectList();
        });
  }

  private Mono<List<Bar>> window(String symbol, BarInterval interval, Instant from, Instant to) {
    // Seconds on the wire: round the start down and the end up, then trim to [from, to).
    long fromSec = Math.floorDiv(from.toEpochMilli(), 1000);
    long toSec = Math.floorDiv(to.toEpochMilli() + 999, 1000);
    return http.call(
        "bars",
        Mono.defer(
            () -> {
              URI uri =
                  baseUrl.get().resolve("/v1/bars/" + URLEncoder.encode(symbol, StandardCharsets.UTF_8)
                      + "?interval=" + interval.code() + "&from=" + fromSec + "&to=" + toSec);
              return http.get(uri, java.util.Map.of("accept", "application/json"), http.exchangeTimeout())
                  .map(
                      res -> {
                        http.checkStatus(res);
                        if (res.status() == 404) {
                          throw new GatewayException.NotFound(symbol, "unknown symbol: " + symbol);
                        }
                        if (res.status() != 200) {
                          throw http.malformed("unexpected HTTP " + res.status() + " for bars");
                        }
                        return toBars(http.decode(res.body(), SimBars.class));
                      });
            }));
  }

  private List<Bar> toBars(SimBars body) {
    if (body.bars() == null) {
      throw http.malformed("no bars array");
    }
    List<Bar> out = new ArrayList<>(body.bars().size());
    for (SimBar b : body.bars()) {
      if (b.t() == null || b.o() == null || b.h() == null || b.l() == null || b.c() == null) {
        throw http.malformed("bar without t, o, h, l or c");
      }
      out.add(new Bar(Instant.ofEpochSecond(b.t()), b.o(), b.h(), b.l(), b.c(), b.v()));
    }
    return out;
  }

  /** The simulator's bars answer. */
  record SimBars(String symbol, String interval, List<SimBar> bars) {}

  /** One simulator bar: start in epoch seconds, OHLC, volume. */
  record SimBar(Long t, BigDecimal o, BigDecimal h, BigDecimal l, BigDecimal c, Long v) {}
}
