package dev.quotegate.history;

import dev.quotegate.history.HistoryViews.BandPoint;
import dev.quotegate.history.HistoryViews.BarView;
import dev.quotegate.history.HistoryViews.ChartView;
import dev.quotegate.history.HistoryViews.Freshness;
import dev.quotegate.history.HistoryViews.HistoryView;
import dev.quotegate.history.HistoryViews.IndicatorsView;
import dev.quotegate.history.HistoryViews.MacdPoint;
import dev.quotegate.history.HistoryViews.PeriodError;
import dev.quotegate.history.HistoryViews.PeriodView;
import dev.quotegate.history.HistoryViews.Point;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.provider.Bar;
import dev.quotegate.web.Problems;
import dev.quotegate.web.SymbolParams;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.util.RawValue;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * History, chart and indicator endpoints: validate, call {@link HistoryService}, answer with
 * ETag, Cache-Control from the series' freshness, and Server-Timing.
 */
final class HistoryHandler {

  private static final String DEFAULT_PERIODS = "1D,5D,1M,6M,1Y,5Y";

  private final HistoryService service;
  private final HistoryProperties props;
  private final Clock clock;

  private final JsonMapper json;

  HistoryHandler(HistoryService service, HistoryProperties props, Clock clock, JsonMapper json) {
    this.json = json;
    this.service = service;
    this.props = props;
    this.clock = clock;
  }

  /** {@code GET /api/v1/history/{symbol}?interval=&range=|from=&to=}. */
  Mono<ServerResponse> history(ServerRequest request) {
    return Mono.defer(
        () -> {
          String symbol = SymbolParams.pathSymbol(request, "symbol");
          Instant now = clock.instant();
          HistoryParams.Window w = HistoryParams.window(request, now, service.schedule(symbol), props, HistoryRange.MO1);
          long start = System.nanoTime();
          return service
              .history(symbol, w.interval(), w.from(), w.to())
              .flatMap(s -> respond(request, HistoryView.of(s, w.range(), clock.instant(), barsJson(s)), List.of(s), start));
        });
  }

  /** {@code GET /api/v1/charts/{symbol}?periods=1D,5D,1M,6M,1Y,5Y}: every period at once. */
  Mono<ServerResponse> charts(ServerRequest request) {
    return Mono.defer(
        () -> {
          String symbol = SymbolParams.pathSymbol(request, "symbol");
          List<HistoryRange> periods = periods(request.queryParam("periods").orElse(DEFAULT_PERIODS));
          Instant now = clock.instant();
          long start = System.nanoTime();
          for (HistoryRange p : periods) {
            Instant from = p.from(now, service.schedule(symbol).calendar(), props.earliest());
            HistoryParams.checkCount(service.schedule(symbol), p.chartInterval(), from, now, now, props.maxBars(), "periods");
          }
          return Flux.fromIterable(periods)
              .flatMapSequential(
                  p -> service
                      .history(symbol, p.chartInterval(), p.from(now, service.schedule(symbol).calendar(), props.earliest()), now)
                      .map(s -> new Outcome(p, s, null))
                      .onErrorResume(GatewayException.class, e -> Mono.just(new Outcome(p, null, e))),
                  periods.size())
              .collectList()
              .flatMap(outcomes -> chartResponse(request, symbol, outcomes, start));
        });
  }

  /** The series' bars as a JSON array, encoded once per series by the application's mapper. */
  private tools.jackson.core.io.SerializedString barsJson(HistorySeries s) {
    return service.barsJson(s, bars -> json.writeValueAsString(HistoryViews.bars(bars)));
  }

  private record Outcome(HistoryRange period, HistorySeries series, GatewayException error) {}

  private Mono<ServerResponse> chartResponse(ServerRequest request, String symbol, List<Outcome> outcomes, long start) {
    Instant now = clock.instant();
    List<PeriodView> views = new ArrayList<>();
    List<HistorySeries> ok = new ArrayList<>();
    GatewayException firstError = null;
    for (Outcome o : outcomes) {
      if (o.series() != null) {
        HistorySeries s = o.series();
        ok.add(s);
        views.add(new PeriodView(o.period().period(), s.interval().code(), s.from(), s.to(), s.source(), s.stored(),
            s.served().code(), Freshness.of(s, now), s.bars().size(), new RawValue(barsJson(s)), null));
      } else {
        GatewayException e = o.error();
        if (e instanceof GatewayException.NotFound) {
          return Mono.error(e); // the symbol is unknown: the same for every period
        }
        if (firstError == null) {
          firstError = e;
        }
        views.add(new PeriodView(o.period().period(), o.period().chartInterval().code(), null, null, null, null, null,
            null, null, null, new PeriodError(Problems.status(e), Problems.code(e), Problems.detail(e))));
      }
    }
    if (ok.isEmpty() && firstError != null) {
      return Mono.error(firstError);
    }
    boolean partial = ok.size() < outcomes.size();
    return respond(request, new ChartView(symbol, now, views), ok, start, partial);
  }

  /** {@code GET /api/v1/indicators/{symbol}?interval=&range=&sma=&ema=&rsi=&macd=&bollinger=&vwap}. */
  Mono<ServerResponse> indicators(ServerRequest request) {
    return Mono.defer(
        () -> {
          String symbol = SymbolParams.pathSymbol(request, "symbol");
          Instant now = clock.instant();
          HistoryParams.Window w = HistoryParams.window(request, now, service.schedule(symbol), props, HistoryRange.Y1);
          List<Integer> sma = HistoryParams.periods(request, "sma", 1);
          List<Integer> ema = HistoryParams.periods(request, "ema", 1);
          List<Integer> rsi = HistoryParams.periods(request, "rsi", 2);
          int[] macd = HistoryParams.macd(request);
          HistoryParams.Bollinger bollinger = HistoryParams.bollinger(request);
          boolean vwap = HistoryParams.vwap(request);
          if (sma == null && ema == null && rsi == null && macd == null && bollinger == null && !vwap) {
            throw new InvalidRequest("indicators", "name at least one of sma, ema, rsi, macd, bollinger, vwap");
          }
          int warmup = 0;
          for (int n : orEmpty(sma)) {
            warmup = Math.max(warmup, n - 1);
          }
          for (int n : orEmpty(ema)) {
            warmup = Math.max(warmup, n - 1);
          }
          for (int n : orEmpty(rsi)) {
            warmup = Math.max(warmup, n);
          }
          if (macd != null) {
            warmup = Math.max(warmup, macd[1] + macd[2] - 2);
          }
          if (bollinger != null) {
            warmup = Math.max(warmup, bollinger.period() - 1);
          }
          int warm = warmup;
          Instant extended = service.schedule(symbol).shiftBack(w.interval(), w.from(), warm);
          long start = System.nanoTime();
          return service
              .history(symbol, w.interval(), extended, w.to(), props.maxBars() + warm)
              .flatMap(
                  s -> {
                    IndicatorsView body = indicatorsView(s, w, sma, ema, rsi, macd, bollinger, vwap, warm);
                    return respond(request, body, List.of(s), start);
                  });
        });
  }

  private IndicatorsView indicatorsView(
      HistorySeries s, HistoryParams.Window w, List<Integer> sma, List<Integer> ema, List<Integer> rsi,
      int[] macd, HistoryParams.Bollinger bollinger, boolean vwap, int warmup) {
    List<Bar> bars = s.bars();
    int anchor = 0;
    while (anchor < bars.size() && bars.get(anchor).ts().isBefore(w.from())) {
      anchor++;
    }
    double[] closes = Indicators.closes(bars);
    Map<String, List<?>> out = new LinkedHashMap<>();
    for (int n : orEmpty(sma)) {
      out.put("sma(" + n + ")", points(bars, Indicators.sma(closes, n), anchor));
    }
    for (int n : orEmpty(ema)) {
      out.put("ema(" + n + ")", points(bars, Indicators.ema(closes, n), anchor));
    }
    for (int n : orEmpty(rsi)) {
      out.put("rsi(" + n + ")", points(bars, Indicators.rsi(closes, n), anchor));
    }
    if (macd != null) {
      double[][] m = Indicators.macd(closes, macd[0], macd[1], macd[2]);
      List<MacdPoint> pts = new ArrayList<>();
      for (int i = anchor; i < bars.size(); i++) {
        if (!Double.isNaN(m[2][i])) {
          pts.add(new MacdPoint(bars.get(i).ts(), round(m[0][i]), round(m[1][i]), round(m[2][i])));
        }
      }
      out.put("macd(" + macd[0] + "," + macd[1] + "," + macd[2] + ")", pts);
    }
    if (bollinger != null) {
      double[][] b = Indicators.bollinger(closes, bollinger.period(), bollinger.k().doubleValue());
      List<BandPoint> pts = new ArrayList<>();
      for (int i = anchor; i < bars.size(); i++) {
        if (!Double.isNaN(b[0][i])) {
          pts.add(new BandPoint(bars.get(i).ts(), round(b[0][i]), round(b[1][i]), round(b[2][i])));
        }
      }
      out.put("bollinger(" + bollinger.period() + "," + bollinger.k().stripTrailingZeros().toPlainString() + ")", pts);
    }
    if (vwap) {
      double[] v = Indicators.vwap(bars, anchor, w.interval().intraday(), service.schedule(s.symbol()).calendar().zone());
      out.put("vwap", points(bars, v, anchor));
    }
    Instant now = clock.instant();
    return new IndicatorsView(s.symbol(), s.interval().code(), w.range() == null ? null : w.range().code(),
        w.from(), s.to(), s.source(), s.stored(), s.served().code(), Freshness.of(s, now), bars.size() - anchor,
        warmup, out);
  }

  private static List<Point> points(List<Bar> bars, double[] values, int anchor) {
    List<Point> pts = new ArrayList<>();
    for (int i = anchor; i < bars.size(); i++) {
      if (!Double.isNaN(values[i])) {
        pts.add(new Point(bars.get(i).ts(), round(values[i])));
      }
    }
    return pts;
  }

  /** Six decimals: far below any price tick, and stable JSON across platforms. */
  static double round(double v) {
    return Math.abs(v) < 1e9 ? Math.round(v * 1e6) / 1e6 : v;
  }

  private static List<Integer> orEmpty(List<Integer> l) {
    return l == null ? List.of() : l;
  }

  static List<HistoryRange> periods(String raw) {
    if (raw.isBlank()) {
      throw new InvalidRequest("periods", "a comma-separated list of " + HistoryRange.periods());
    }
    String[] parts = raw.split(",", -1);
    if (parts.length > HistoryRange.values().length) {
      throw new InvalidRequest("periods", "at most " + HistoryRange.values().length + " periods");
    }
    LinkedHashSet<HistoryRange> out = new LinkedHashSet<>();
    List<InvalidParam> invalid = new ArrayList<>();
    for (int i = 0; i < parts.length; i++) {
      final int index = i;
      HistoryRange.parsePeriod(parts[i]).ifPresentOrElse(out::add, () -> invalid.add(new InvalidParam(
          "periods[" + index + "]", "'" + HistoryParams.abbreviate(parts[index]) + "' is not one of " + HistoryRange.periods())));
    }
    if (!invalid.isEmpty()) {
      throw new InvalidRequest(invalid);
    }
    return List.copyOf(out);
  }

  // --- HTTP caching --------------------------------------------------------------------------

  private Mono<ServerResponse> respond(ServerRequest request, Object body, List<HistorySeries> series, long start) {
    return respond(request, body, series, start, false);
  }

  private Mono<ServerResponse> respond(
      ServerRequest request, Object body, List<HistorySeries> series, long start, boolean partial) {
    Instant now = clock.instant();
    String etag = etag(series, request.uri().getRawQuery());
    String cacheControl = partial ? "no-cache" : cacheControl(series, now);
    String timing = serverTiming(series, start);
    if (matches(request.headers().firstHeader(HttpHeaders.IF_NONE_MATCH), etag)) {
      return ServerResponse.status(HttpStatus.NOT_MODIFIED)
          .header(HttpHeaders.ETAG, etag)
          .header(HttpHeaders.CACHE_CONTROL, cacheControl)
          .header("Server-Timing", timing)
          .build();
    }
    return ServerResponse.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .header(HttpHeaders.ETAG, etag)
        .header(HttpHeaders.CACHE_CONTROL, cacheControl)
        .header("Server-Timing", timing)
        .bodyValue(body);
  }

  /** A weak validator over what the series are (range, bars' starts and last values, freshness), not the bytes. */
  static String etag(List<HistorySeries> series, String query) {
    long h = 0xcbf29ce484222325L;
    h = fnv(h, query == null ? "" : query);
    for (HistorySeries s : series) {
      h = fnv(h, s.symbol() + s.interval().code() + s.from().toEpochMilli() + ":" + s.bars().size() + s.stored());
      if (!s.bars().isEmpty()) {
        Bar first = s.bars().get(0);
        Bar last = s.bars().get(s.bars().size() - 1);
        h = fnv(h, first.ts().toEpochMilli() + ":" + last.ts().toEpochMilli() + ":" + last.close().toPlainString()
            + ":" + last.high().toPlainString() + ":" + last.low().toPlainString() + ":" + last.volume());
      }
    }
    return "W/\"" + Long.toHexString(h) + "\"";
  }

  private static long fnv(long h, String s) {
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= 0x1f;
    return h * 0x100000001b3L;
  }

  static boolean matches(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    String opaque = etag.substring(2);
    for (String candidate : ifNoneMatch.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || c.equals(etag) || c.equals(opaque) || (c.startsWith("W/") && c.substring(2).equals(opaque))) {
        return true;
      }
    }
    return false;
  }

  /** Cacheable until the first series may change; capped by {@code settled-max-age}. */
  String cacheControl(List<HistorySeries> series, Instant now) {
    if (series.isEmpty()) {
      return "no-cache";
    }
    Instant min = null;
    for (HistorySeries s : series) {
      if (min == null || s.validUntil().isBefore(min)) {
        min = s.validUntil();
      }
    }
    long seconds = Math.max(0, Math.min(Duration.between(now, min).toSeconds(), props.settledMaxAge().toSeconds()));
    return "public, max-age=" + seconds;
  }

  static String serverTiming(List<HistorySeries> series, long start) {
    boolean upstream = false;
    boolean store = false;
    int gaps = 0;
    boolean memory = false;
    for (HistorySeries s : series) {
      upstream |= s.served() == HistorySeries.Served.UPSTREAM || s.served() == HistorySeries.Served.STORE_AND_UPSTREAM;
      store |= s.served() == HistorySeries.Served.STORE || s.served() == HistorySeries.Served.STORE_AND_UPSTREAM;
      memory |= s.served() == HistorySeries.Served.MEMORY;
      gaps += s.gapFetches();
    }
    String desc = upstream ? (store ? "store+upstream" : "upstream") : store ? "store" : memory ? "memory" : "store";
    String dur = String.format(Locale.ROOT, "%.1f", (System.nanoTime() - start) / 1_000_000.0);
    StringBuilder sb = new StringBuilder("history;desc=\"").append(desc).append('"');
    if (upstream) {
      sb.append(", upstream;desc=\"").append(gaps).append(" range fetches\"");
    }
    return sb.append(", total;dur=").append(dur).toString();
  }
}
