package dev.quotegate.portfolio;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.quotegate.calendar.BarInterval;
import dev.quotegate.calendar.Calendars;
import dev.quotegate.calendar.TradingCalendar;
import dev.quotegate.history.HistoryRange;
import dev.quotegate.history.HistorySeries;
import dev.quotegate.history.HistoryService;
import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.portfolio.PerformanceMath.Drawdown;
import dev.quotegate.portfolio.PerformanceMath.Figures;
import dev.quotegate.portfolio.PerformanceRequest.Holding;
import dev.quotegate.portfolio.PerformanceRequest.Trade;
import dev.quotegate.portfolio.PortfolioValuation.Unpriced;
import dev.quotegate.provider.Bar;
import dev.quotegate.web.Problems;
import dev.quotegate.web.SymbolParams;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Performance of a portfolio over a range against a benchmark, from daily bars of the history
 * store ({@link HistoryService}: one read per symbol, coalesced, gaps backfilled along the bars
 * chain and stored, so a second request costs no upstream call).
 *
 * <p>The days are the benchmark market's sessions that have opened. A holding's close on a day
 * its own market had no session is its previous close (nothing traded); a day its market had a
 * session but the history has no bar is <em>missing</em>: the day is listed with the missing
 * symbols and no value, and the next complete day's return spans it (nothing is interpolated).
 * Trades execute at their day's close: the day's flow (shares traded times close) is taken out
 * of that day's return, so the chained return is time-weighted. Figures: {@link PerformanceMath}.
 */
public final class PerformanceService {

  private static final MathContext MC = MathContext.DECIMAL64;
  private static final List<String> RANGES = List.of("1mo", "3mo", "6mo", "ytd", "1y", "2y", "5y");

  private final HistoryService history;
  private final PortfolioProperties limits;
  private final PerformanceProperties props;
  private final Clock clock;

  public PerformanceService(HistoryService history, PortfolioProperties limits, PerformanceProperties props, Clock clock) {
    this.history = history;
    this.limits = limits;
    this.props = props;
    this.clock = clock;
  }

  /** One day of the answer's series. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Point(LocalDate date, BigDecimal value, BigDecimal flow, BigDecimal benchmark, Double index,
      Double benchmarkIndex, List<String> missing) {}

  /** The answer. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record PerformanceView(
      Instant asOf,
      LocalDate from,
      LocalDate to,
      String benchmark,
      boolean complete,
      int days,
      int missingDays,
      int periods,
      double riskFreeRate,
      Double timeWeightedReturn,
      Double annualizedReturn,
      Double benchmarkReturn,
      Double excessReturn,
      Double volatility,
      Double benchmarkVolatility,
      Double sharpe,
      Double sortino,
      Double beta,
      Double correlation,
      DrawdownView maxDrawdown,
      List<Point> series,
      List<Unpriced> unavailable) {}

  /** The maximum drawdown and its dates. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record DrawdownView(double value, LocalDate peak, LocalDate trough, LocalDate recovery) {}

  /** A validated holding: start quantity and trades by date. */
  private record Position(BigDecimal start, TreeMap<LocalDate, BigDecimal> trades) {
    BigDecimal at(LocalDate d) {
      BigDecimal q = start;
      for (BigDecimal t : trades.headMap(d, true).values()) {
        q = q.add(t);
      }
      return q;
    }

    BigDecimal tradedIn(LocalDate after, LocalDate upTo) {
      BigDecimal q = BigDecimal.ZERO;
      for (BigDecimal t : trades.subMap(after, false, upTo, true).values()) {
        q = q.add(t);
      }
      return q;
    }
  }

  private record Plan(Map<String, Position> positions, String benchmark, LocalDate from, LocalDate to) {}

  /** Validates, reads each symbol's daily bars once, and measures. */
  public Mono<PerformanceView> performance(PerformanceRequest request) {
    return Mono.defer(() -> {
      Instant now = clock.instant();
      Plan plan = validate(request, now);
      Set<String> symbols = new LinkedHashSet<>(plan.positions().keySet());
      symbols.add(plan.benchmark());
      TradingCalendar spine = Calendars.forSymbol(plan.benchmark());
      Instant fromI = plan.from().atStartOfDay(spine.zone()).toInstant();
      Instant toI = plan.to().plusDays(1).atStartOfDay(spine.zone()).toInstant();
      return Flux.fromIterable(symbols)
          .flatMap(s -> history.history(s, BarInterval.D1, fromI, toI)
              .map(h -> Map.entry(s, (Object) h))
              .onErrorResume(e -> e instanceof GatewayException && !(e instanceof InvalidRequest),
                  e -> Mono.just(Map.entry(s, (Object) e))),
              props.historyConcurrency())
          .collectMap(Map.Entry::getKey, Map.Entry::getValue)
          .map(read -> measure(plan, read, spine, now));
    });
  }

  private PerformanceView measure(Plan plan, Map<String, Object> read, TradingCalendar spine, Instant now) {
    Object bench = read.get(plan.benchmark());
    if (bench instanceof GatewayException.NotFound) {
      throw new InvalidRequest("benchmark", "no history for " + plan.benchmark());
    }
    if (bench instanceof GatewayException e) {
      throw e;
    }
    List<Unpriced> unavailable = new ArrayList<>();
    Map<String, Position> positions = new LinkedHashMap<>();
    Map<String, Map<LocalDate, BigDecimal>> closes = new HashMap<>();
    for (Map.Entry<String, Position> p : plan.positions().entrySet()) {
      Object r = read.get(p.getKey());
      if (r instanceof GatewayException e) {
        unavailable.add(new Unpriced(p.getKey(), Problems.status(e), Problems.code(e), Problems.detail(e)));
      } else {
        positions.put(p.getKey(), p.getValue());
        closes.put(p.getKey(), closesByDate((HistorySeries) r));
      }
    }
    Map<LocalDate, BigDecimal> benchCloses = closesByDate((HistorySeries) bench);
    // The days: the benchmark market's sessions in [from, to] that have opened.
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate d = plan.from(); !d.isAfter(plan.to()); d = d.plusDays(1)) {
      Optional<Instant> open = spine.sessionOpen(d);
      if (open.isPresent() && !open.get().isAfter(now)) {
        days.add(d);
      }
    }
    List<Point> series = new ArrayList<>(days.size());
    List<Double> r = new ArrayList<>();
    List<Double> b = new ArrayList<>();
    List<LocalDate> periodDates = new ArrayList<>();
    Map<String, BigDecimal> lastClose = new HashMap<>();
    LocalDate prevDay = null;
    BigDecimal prevValue = null;
    BigDecimal prevBench = null;
    double index = 1;
    double benchIndex = 1;
    int missingDays = 0;
    for (LocalDate d : days) {
      List<String> missing = new ArrayList<>();
      BigDecimal value = BigDecimal.ZERO;
      BigDecimal flow = BigDecimal.ZERO;
      for (Map.Entry<String, Position> e : positions.entrySet()) {
        String s = e.getKey();
        Position pos = e.getValue();
        BigDecimal qty = pos.at(d);
        BigDecimal traded = prevDay == null ? BigDecimal.ZERO : pos.tradedIn(prevDay, d);
        BigDecimal close = closes.get(s).get(d);
        if (close == null && !Calendars.forSymbol(s).isTradingDay(d)) {
          close = lastClose.get(s); // its market was closed: the price did not change
        }
        if (close == null) {
          if (qty.signum() != 0 || traded.signum() != 0) {
            missing.add(s);
          }
          continue;
        }
        lastClose.put(s, close);
        value = value.add(qty.multiply(close));
        flow = flow.add(traded.multiply(close));
      }
      BigDecimal bclose = benchCloses.get(d);
      if (bclose == null) {
        missing.add(plan.benchmark());
      }
      if (!missing.isEmpty()) {
        missingDays++;
        series.add(new Point(d, null, null, bclose, null, null, List.copyOf(missing)));
        continue;
      }
      if (prevValue != null && prevValue.signum() > 0) {
        double ret = value.subtract(flow).divide(prevValue, MC).doubleValue() - 1;
        double bret = bclose.divide(prevBench, MC).doubleValue() - 1;
        if (periodDates.isEmpty()) {
          periodDates.add(prevDay);
        }
        r.add(ret);
        b.add(bret);
        periodDates.add(d);
        index *= 1 + ret;
        benchIndex *= 1 + bret;
      }
      series.add(new Point(d, value, flow.signum() == 0 ? null : flow, bclose, round(index), round(benchIndex), null));
      prevDay = d;
      prevValue = value;
      prevBench = bclose;
    }
    if (periodDates.isEmpty()) {
      periodDates.add(prevDay != null ? prevDay : plan.from());
    }
    Figures f = PerformanceMath.figures(toArray(r), toArray(b), periodDates, props.riskFreeRate(), props.periodsPerYear());
    Drawdown dd = f.maxDrawdown();
    boolean any = f.periods() > 0;
    return new PerformanceView(now, plan.from(), plan.to(), plan.benchmark(), unavailable.isEmpty() && missingDays == 0,
        days.size(), missingDays, f.periods(), props.riskFreeRate(),
        any ? round(f.timeWeightedReturn()) : null, any ? round(f.annualizedReturn()) : null,
        any ? round(f.benchmarkReturn()) : null, any ? round(f.excessReturn()) : null,
        round(f.volatility()), round(f.benchmarkVolatility()), round(f.sharpe()), round(f.sortino()),
        round(f.beta()), round(f.correlation()),
        new DrawdownView(round(dd.value()), dd.peak(), dd.trough(), dd.recovery()),
        series, unavailable);
  }

  private static Map<LocalDate, BigDecimal> closesByDate(HistorySeries s) {
    TradingCalendar c = Calendars.forSymbol(s.symbol());
    Map<LocalDate, BigDecimal> out = new HashMap<>(s.bars().size() * 2);
    for (Bar bar : s.bars()) {
      out.put(c.dateOf(bar.ts()), bar.close());
    }
    return out;
  }

  private static double[] toArray(List<Double> list) {
    double[] out = new double[list.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = list.get(i);
    }
    return out;
  }

  private static Double round(Double x) {
    if (x == null || x.isNaN() || x.isInfinite()) {
      return null;
    }
    return BigDecimal.valueOf(x).setScale(8, RoundingMode.HALF_EVEN).doubleValue();
  }

  private Plan validate(PerformanceRequest request, Instant now) {
    if (request == null || request.holdings() == null || request.holdings().isEmpty()) {
      throw new InvalidRequest("holdings", "required: a non-empty list of {symbol, quantity, trades?}");
    }
    List<Holding> holdings = request.holdings();
    if (holdings.size() > limits.maxHoldings()) {
      throw new InvalidRequest("holdings", "at most " + limits.maxHoldings() + " holdings, got " + holdings.size());
    }
    List<InvalidParam> invalid = new ArrayList<>();
    String benchmark = props.benchmark();
    if (request.benchmark() != null) {
      try {
        benchmark = SymbolParams.symbol("benchmark", request.benchmark());
      } catch (InvalidRequest e) {
        invalid.addAll(e.params());
      }
    }
    TradingCalendar spine = Calendars.forSymbol(benchmark);
    LocalDate today = spine.dateOf(now);
    LocalDate from = null;
    LocalDate to = today;
    if (request.range() != null && (request.from() != null || request.to() != null)) {
      invalid.add(new InvalidParam("range", "give range or from/to, not both"));
    } else if (request.from() != null || request.to() != null) {
      if (request.from() == null) {
        invalid.add(new InvalidParam("from", "required with to"));
      } else {
        from = request.from();
        to = request.to() != null ? request.to() : today;
        if (to.isAfter(today)) {
          to = today;
        }
        if (from.isAfter(to)) {
          invalid.add(new InvalidParam("from", "must not be after to (or today)"));
        } else if (ChronoUnit.DAYS.between(from, to) > props.maxDays()) {
          invalid.add(new InvalidParam("from", "at most " + props.maxDays() + " days before to"));
        }
      }
    } else {
      String code = request.range() == null ? "1y" : request.range().trim().toLowerCase(java.util.Locale.ROOT);
      Optional<HistoryRange> range = RANGES.contains(code) ? HistoryRange.parse(code) : Optional.empty();
      if (range.isEmpty()) {
        invalid.add(new InvalidParam("range", "must be one of " + String.join(", ", RANGES)));
      } else {
        from = spine.dateOf(range.get().from(now, spine, LocalDate.of(1990, 1, 1)));
      }
    }
    int trades = 0;
    Map<String, Position> positions = new LinkedHashMap<>();
    for (int i = 0; i < holdings.size(); i++) {
      Holding h = holdings.get(i);
      String at = "holdings[" + i + "]";
      if (h == null) {
        invalid.add(new InvalidParam(at, "must be an object"));
        continue;
      }
      String symbol;
      try {
        symbol = SymbolParams.symbol(at + ".symbol", h.symbol());
      } catch (InvalidRequest e) {
        invalid.addAll(e.params());
        continue;
      }
      List<Trade> list = h.trades() == null ? List.of() : h.trades();
      BigDecimal start = h.quantity();
      if (start == null && list.isEmpty()) {
        invalid.add(new InvalidParam(at + ".quantity", "required (or trades)"));
        continue;
      }
      if (start == null) {
        start = BigDecimal.ZERO;
      } else {
        String q = PortfolioService.bounded(start, limits.maxQuantity(), limits.maxDecimals());
        if (q != null) {
          invalid.add(new InvalidParam(at + ".quantity", q));
          continue;
        }
        if (start.signum() == 0 && list.isEmpty()) {
          invalid.add(new InvalidParam(at + ".quantity", "required, non-zero (negative for a short)"));
          continue;
        }
      }
      trades += list.size();
      TreeMap<LocalDate, BigDecimal> byDate = new TreeMap<>();
      boolean ok = true;
      for (int j = 0; j < list.size() && trades <= props.maxTrades(); j++) {
        Trade t = list.get(j);
        String tat = at + ".trades[" + j + "]";
        if (t == null || t.date() == null) {
          invalid.add(new InvalidParam(tat + ".date", "required: YYYY-MM-DD"));
          ok = false;
          continue;
        }
        if (t.date().isAfter(today)) {
          invalid.add(new InvalidParam(tat + ".date", "must not be in the future"));
          ok = false;
          continue;
        }
        String q = t.quantity() == null || t.quantity().signum() == 0
            ? "required, non-zero (negative for a sale)"
            : PortfolioService.bounded(t.quantity(), limits.maxQuantity(), limits.maxDecimals());
        if (q != null) {
          invalid.add(new InvalidParam(tat + ".quantity", q));
          ok = false;
          continue;
        }
        byDate.merge(t.date(), t.quantity(), BigDecimal::add);
      }
      if (!ok) {
        continue;
      }
      Position prev = positions.get(symbol);
      if (prev == null) {
        positions.put(symbol, new Position(start, byDate));
      } else {
        TreeMap<LocalDate, BigDecimal> merged = new TreeMap<>(prev.trades());
        byDate.forEach((d, q) -> merged.merge(d, q, BigDecimal::add));
        positions.put(symbol, new Position(prev.start().add(start), merged));
      }
    }
    if (trades > props.maxTrades()) {
      invalid.add(new InvalidParam("holdings", "at most " + props.maxTrades() + " trades in all, got " + trades));
    }
    if (!invalid.isEmpty()) {
      throw new InvalidRequest(invalid.size() > 10 ? invalid.subList(0, 10) : invalid);
    }
    return new Plan(positions, benchmark, from, to);
  }
}
