package dev.quotegate.market;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.BarSchedule;
import dev.quotegate.calendar.Calendars;
import dev.quotegate.calendar.TradingCalendar;
import dev.quotegate.history.HistorySeries;
import dev.quotegate.history.HistoryService;
import dev.quotegate.history.Indicators;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.provider.Bar;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteResult;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.Problems;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Technical signals for a watchlist in one call: daily bars from the history store (one read per
 * symbol, coalesced, backfilled once) with the latest quote as the current day's close, then
 * RSI(14) overbought/oversold, MACD(12,26,9) line crossing its signal line, SMA 50 crossing SMA
 * 200 (golden/death cross), a close outside the Bollinger(20, 2) bands, and a volume spike; each
 * signal that fired within the last {@code lookback} bars with the bar it fired on and its value.
 */
public final class SignalService {

  private final HistoryService history;
  private final QuoteService quotes;
  private final SignalProperties props;
  private final Clock clock;

  public SignalService(HistoryService history, QuoteService quotes, SignalProperties props, Clock clock) {
    this.history = history;
    this.quotes = quotes;
    this.props = props;
    this.clock = clock;
  }

  /** One signal that fired. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Signal(String type, String direction, LocalDate date, int barsAgo, double value, Double threshold,
      String detail) {}

  /** The indicators on the latest bar. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Latest(LocalDate date, BigDecimal close, boolean fromQuote, Double rsi, Double macd,
      Double macdSignal, Double sma50, Double sma200, Double bollingerUpper, Double bollingerLower, Long volume,
      Double averageVolume) {}

  /** One symbol's answer: its signals, or why there are none. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record SymbolSignals(String symbol, Latest latest, List<Signal> signals, Integer status, String code,
      String detail) {}

  /** The answer. */
  public record SignalsView(Instant asOf, int lookback, List<SymbolSignals> symbols) {}

  public Mono<SignalsView> signals(List<String> symbols) {
    return Mono.defer(() -> {
      Instant now = clock.instant();
      Mono<Map<String, QuoteResult>> latest = quotes.quotes(symbols).map(list -> {
        Map<String, QuoteResult> m = new HashMap<>();
        for (QuoteResult r : list) {
          m.put(r.symbol(), r);
        }
        return m;
      });
      Mono<Map<String, Object>> series = Flux.fromIterable(symbols)
          .flatMapSequential(s -> read(s, now).map(h -> Map.entry(s, (Object) h))
              .onErrorResume(GatewayException.class, e -> Mono.just(Map.entry(s, (Object) e))), props.concurrency())
          .collectMap(Map.Entry::getKey, Map.Entry::getValue);
      return Mono.zip(latest, series).map(t -> {
        List<SymbolSignals> out = new ArrayList<>(symbols.size());
        for (String s : symbols) {
          Object h = t.getT2().get(s);
          if (h instanceof GatewayException e) {
            out.add(new SymbolSignals(s, null, List.of(), Problems.status(e), Problems.code(e), Problems.detail(e)));
          } else {
            out.add(evaluate(s, ((HistorySeries) h).bars(), t.getT1().get(s)));
          }
        }
        return new SignalsView(now, props.lookback(), out);
      });
    });
  }

  private Mono<HistorySeries> read(String symbol, Instant now) {
    BarSchedule schedule = history.schedule(symbol);
    Instant from = schedule.shiftBack(BarInterval.D1, now, props.historyBars());
    return history.history(symbol, BarInterval.D1, from, now.plusMillis(1));
  }

  /** Signals of {@code bars} (ascending daily bars) with {@code quote} as the latest close. */
  SymbolSignals evaluate(String symbol, List<Bar> bars, QuoteResult quote) {
    TradingCalendar cal = Calendars.forSymbol(symbol);
    int n = bars.size();
    List<LocalDate> dates = new ArrayList<>(n + 1);
    List<Double> closes = new ArrayList<>(n + 1);
    List<Long> volumes = new ArrayList<>(n + 1);
    for (Bar b : bars) {
      dates.add(cal.dateOf(b.ts()));
      closes.add(b.close().doubleValue());
      volumes.add(b.volume());
    }
    boolean fromQuote = false;
    BigDecimal lastClose = n == 0 ? null : bars.get(n - 1).close();
    if (quote instanceof QuoteResult.Found f && f.entry().value().price() != null) {
      Quote q = f.entry().value();
      LocalDate qd = q.asOf() != null ? cal.dateOf(q.asOf()) : null;
      if (qd != null && (dates.isEmpty() || qd.isAfter(dates.get(dates.size() - 1)))) {
        dates.add(qd);
        closes.add(q.price().doubleValue());
        volumes.add(q.volume());
        fromQuote = true;
        lastClose = q.price();
      } else if (qd != null && qd.equals(dates.get(dates.size() - 1))) {
        closes.set(closes.size() - 1, q.price().doubleValue()); // the day's bar, in progress: the quote is newer
        if (q.volume() != null) {
          volumes.set(volumes.size() - 1, q.volume());
        }
        fromQuote = true;
        lastClose = q.price();
      }
    }
    int m = closes.size();
    if (m == 0) {
      return new SymbolSignals(symbol, null, List.of(), 404, "not-found", "no daily bars for " + symbol);
    }
    double[] x = new double[m];
    for (int i = 0; i < m; i++) {
      x[i] = closes.get(i);
    }
    double[] rsi = Indicators.rsi(x, 14);
    double[][] macd = Indicators.macd(x, 12, 26, 9);
    double[] sma50 = Indicators.sma(x, 50);
    double[] sma200 = Indicators.sma(x, 200);
    double[][] boll = Indicators.bollinger(x, 20, 2);
    double[] avgVol = new double[m];
    for (int i = 0; i < m; i++) {
      avgVol[i] = Double.NaN;
      if (i >= 20) {
        double s = 0;
        int c = 0;
        for (int j = i - 20; j < i; j++) {
          if (volumes.get(j) != null) {
            s += volumes.get(j);
            c++;
          }
        }
        avgVol[i] = c == 20 ? s / 20 : Double.NaN;
      }
    }
    List<Signal> signals = new ArrayList<>();
    int last = m - 1;
    for (int i = last; i > last - props.lookback() && i >= 1; i--) {
      LocalDate d = dates.get(i);
      int ago = last - i;
      if (crossedAbove(rsi, i, props.rsiOverbought())) {
        signals.add(new Signal("rsi", "overbought", d, ago, r(rsi[i]), props.rsiOverbought(), "RSI(14) rose above " + props.rsiOverbought()));
      }
      if (crossedBelow(rsi, i, props.rsiOversold())) {
        signals.add(new Signal("rsi", "oversold", d, ago, r(rsi[i]), props.rsiOversold(), "RSI(14) fell below " + props.rsiOversold()));
      }
      double[] hist = macd[2];
      if (ok(hist[i - 1], hist[i]) && hist[i - 1] <= 0 && hist[i] > 0) {
        signals.add(new Signal("macd", "bullish", d, ago, r(macd[0][i]), r(macd[1][i]), "MACD(12,26,9) crossed above its signal line"));
      }
      if (ok(hist[i - 1], hist[i]) && hist[i - 1] >= 0 && hist[i] < 0) {
        signals.add(new Signal("macd", "bearish", d, ago, r(macd[0][i]), r(macd[1][i]), "MACD(12,26,9) crossed below its signal line"));
      }
      if (ok(sma50[i - 1], sma200[i - 1]) && ok(sma50[i], sma200[i])) {
        if (sma50[i - 1] <= sma200[i - 1] && sma50[i] > sma200[i]) {
          signals.add(new Signal("sma-cross", "golden-cross", d, ago, r(sma50[i]), r(sma200[i]), "SMA 50 crossed above SMA 200"));
        }
        if (sma50[i - 1] >= sma200[i - 1] && sma50[i] < sma200[i]) {
          signals.add(new Signal("sma-cross", "death-cross", d, ago, r(sma50[i]), r(sma200[i]), "SMA 50 crossed below SMA 200"));
        }
      }
      if (ok(boll[1][i], boll[1][i - 1]) && x[i] > boll[1][i] && x[i - 1] <= boll[1][i - 1]) {
        signals.add(new Signal("bollinger", "breakout-up", d, ago, r(x[i]), r(boll[1][i]), "close above the upper Bollinger(20,2) band"));
      }
      if (ok(boll[2][i], boll[2][i - 1]) && x[i] < boll[2][i] && x[i - 1] >= boll[2][i - 1]) {
        signals.add(new Signal("bollinger", "breakout-down", d, ago, r(x[i]), r(boll[2][i]), "close below the lower Bollinger(20,2) band"));
      }
      Long v = volumes.get(i);
      if (v != null && !Double.isNaN(avgVol[i]) && avgVol[i] > 0 && v > props.volumeSpike() * avgVol[i]) {
        signals.add(new Signal("volume", "spike", d, ago, v, r(props.volumeSpike() * avgVol[i]),
            "volume over " + props.volumeSpike() + "x the 20-bar average"));
      }
    }
    Latest latest = new Latest(dates.get(last), lastClose, fromQuote, n(rsi[last]), n(macd[0][last]), n(macd[1][last]),
        n(sma50[last]), n(sma200[last]), n(boll[1][last]), n(boll[2][last]), volumes.get(last), n(avgVol[last]));
    return new SymbolSignals(symbol, latest, signals, null, null, null);
  }

  private static boolean crossedAbove(double[] x, int i, double level) {
    return ok(x[i - 1], x[i]) && x[i - 1] <= level && x[i] > level;
  }

  private static boolean crossedBelow(double[] x, int i, double level) {
    return ok(x[i - 1], x[i]) && x[i - 1] >= level && x[i] < level;
  }

  private static boolean ok(double a, double b) {
    return !Double.isNaN(a) && !Double.isNaN(b);
  }

  private static double r(double v) {
    return BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_EVEN).doubleValue();
  }

  private static Double n(double v) {
    return Double.isNaN(v) ? null : r(v);
  }
}
