package dev.quotegate.portfolio;

import dev.quotegate.platform.GatewayException;
import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.portfolio.PortfolioRequest.Holding;
import dev.quotegate.portfolio.PortfolioValuation.Position;
import dev.quotegate.portfolio.PortfolioValuation.Totals;
import dev.quotegate.portfolio.PortfolioValuation.Unpriced;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteResult;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.web.Problems;
import dev.quotegate.web.SymbolParams;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import reactor.core.publisher.Mono;

/**
 * Values a list of holdings at the prices of the quote path (so it shares its cache,
 * coalescing and batching). Money is {@link BigDecimal}: values are exact products of the
 * provider's price and the quantity; percentages and weights are rounded to 4 decimals.
 */
public final class PortfolioService {

  private static final MathContext MC = MathContext.DECIMAL64;
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

  private final QuoteService quotes;
  private final Clock clock;
  private final PortfolioProperties props;
  private final int maxHoldings;

  public PortfolioService(QuoteService quotes, Clock clock, PortfolioProperties props) {
    this.quotes = quotes;
    this.clock = clock;
    this.props = props;
    this.maxHoldings = props.maxHoldings();
  }

  /** Validates, merges positions in the same symbol, prices and values them. */
  public Mono<PortfolioValuation> value(PortfolioRequest request) {
    return Mono.defer(
        () -> {
          Map<String, Merged> merged = validate(request);
          return quotes.quotes(List.copyOf(merged.keySet())).map(results -> valuate(merged, results));
        });
  }

  private record Merged(BigDecimal quantity, BigDecimal cost) {}

  private Map<String, Merged> validate(PortfolioRequest request) {
    if (request == null || request.holdings() == null || request.holdings().isEmpty()) {
      throw new InvalidRequest("holdings", "required: a non-empty list of {symbol, quantity, costBasis?}");
    }
    List<Holding> holdings = request.holdings();
    if (holdings.size() > maxHoldings) {
      throw new InvalidRequest("holdings", "at most " + maxHoldings + " holdings, got " + holdings.size());
    }
    List<InvalidParam> invalid = new ArrayList<>();
    Map<String, Merged> merged = new LinkedHashMap<>();
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
      if (h.quantity() == null || h.quantity().signum() == 0) {
        invalid.add(new InvalidParam(at + ".quantity", "required, non-zero (negative for a short)"));
        continue;
      }
      String q = bounded(h.quantity(), props.maxQuantity());
      if (q != null) {
        invalid.add(new InvalidParam(at + ".quantity", q));
        continue;
      }
      if (h.costBasis() != null && h.costBasis().signum() < 0) {
        invalid.add(new InvalidParam(at + ".costBasis", "must not be negative"));
        continue;
      }
      String c = h.costBasis() == null ? null : bounded(h.costBasis(), props.maxCostBasis());
      if (c != null) {
        invalid.add(new InvalidParam(at + ".costBasis", c));
        continue;
      }
      // Same symbol twice: one position, quantity summed, cost basis quantity-weighted
      // (unknown if any lot lacks one).
      Merged prev = merged.get(symbol);
      BigDecimal lotCost = h.costBasis() == null ? null : h.costBasis().multiply(h.quantity());
      if (prev == null) {
        merged.put(symbol, new Merged(h.quantity(), lotCost));
      } else {
        BigDecimal cost = prev.cost() == null || lotCost == null ? null : prev.cost().add(lotCost);
        merged.put(symbol, new Merged(prev.quantity().add(h.quantity()), cost));
      }
    }
    if (!invalid.isEmpty()) {
      throw new InvalidRequest(invalid.size() > 10 ? invalid.subList(0, 10) : invalid);
    }
    return merged;
  }

  /**
   * Why {@code value} is out of bounds, or null. Decided from precision and scale alone, so a
   * value such as {@code 1e3000000} is refused without ever being expanded.
   */
  private String bounded(BigDecimal value, BigDecimal max) {
    return bounded(value, max, props.maxDecimals());
  }

  /** As {@link #bounded(BigDecimal, BigDecimal)} with the decimal places allowed. */
  static String bounded(BigDecimal value, BigDecimal max, int maxDecimals) {
    int integerDigits = value.precision() - value.scale();
    int maxDigits = max.precision() - max.scale();
    if (integerDigits > maxDigits || (integerDigits == maxDigits && value.abs().compareTo(max) > 0)) {
      return "at most " + max.toPlainString() + " in absolute value";
    }
    if (value.scale() > maxDecimals && value.stripTrailingZeros().scale() > maxDecimals) {
      return "at most " + maxDecimals + " decimal places";
    }
    return null;
  }

  private PortfolioValuation valuate(Map<String, Merged> merged, List<QuoteResult> results) {
    List<Position> positions = new ArrayList<>();
    List<Unpriced> unpriced = new ArrayList<>();
    Map<String, Acc> byCurrency = new TreeMap<>();
    boolean stale = false;
    for (QuoteResult r : results) {
      Merged m = merged.get(r.symbol());
      if (!(r instanceof QuoteResult.Found f)) {
        GatewayException e = ((QuoteResult.Failed) r).error();
        unpriced.add(new Unpriced(r.symbol(), Problems.status(e), Problems.code(e), Problems.detail(e)));
        continue;
      }
      Quote q = f.entry().value();
      stale |= f.stale();
      String currency = q.currency() != null ? q.currency() : "UNKNOWN";
      BigDecimal value = q.price().multiply(m.quantity());
      BigDecimal dayChange = q.change() != null ? q.change().multiply(m.quantity()) : null;
      BigDecimal pnl = m.cost() != null ? value.subtract(m.cost()) : null;
      BigDecimal perShareCost = m.cost() != null ? m.cost().divide(m.quantity(), MC) : null;
      positions.add(new Position(q.symbol(), m.quantity(), currency, q.price(), value, null, dayChange,
          perShareCost, pnl, percent(pnl, m.cost() == null ? null : m.cost().abs()), q.source(), q.asOf(), f.stale()));
      byCurrency.computeIfAbsent(currency, c -> new Acc()).add(value, dayChange, m.cost(), pnl);
    }
    // Weights within each currency, by absolute exposure.
    List<Position> weighted = new ArrayList<>(positions.size());
    for (Position p : positions) {
      BigDecimal gross = byCurrency.get(p.currency()).gross;
      BigDecimal weight = gross.signum() == 0 ? null : p.marketValue().abs().divide(gross, MC).setScale(4, RoundingMode.HALF_EVEN);
      weighted.add(new Position(p.symbol(), p.quantity(), p.currency(), p.price(), p.marketValue(), weight, p.dayChange(),
          p.costBasis(), p.unrealizedPnl(), p.unrealizedPnlPercent(), p.source(), p.priceAsOf(), p.stale()));
    }
    Map<String, Totals> totals = new TreeMap<>();
    byCurrency.forEach((c, a) -> totals.put(c, a.totals()));
    return new PortfolioValuation(clock.instant(), unpriced.isEmpty(), stale, totals, weighted, unpriced);
  }

  private static BigDecimal percent(BigDecimal part, BigDecimal whole) {
    if (part == null || whole == null || whole.signum() == 0) {
      return null;
    }
    return part.multiply(HUNDRED).divide(whole, MC).setScale(4, RoundingMode.HALF_EVEN);
  }

  private static final class Acc {
    BigDecimal value = BigDecimal.ZERO;
    BigDecimal gross = BigDecimal.ZERO;
    BigDecimal dayChange = BigDecimal.ZERO;
    boolean dayChangeKnown = true;
    BigDecimal cost = BigDecimal.ZERO;
    BigDecimal pnl = BigDecimal.ZERO;
    boolean anyCost;
    int positions;

    void add(BigDecimal v, BigDecimal day, BigDecimal c, BigDecimal p) {
      value = value.add(v);
      gross = gross.add(v.abs());
      if (day == null) {
        dayChangeKnown = false;
      } else {
        dayChange = dayChange.add(day);
      }
      if (c != null) {
        anyCost = true;
        cost = cost.add(c);
        pnl = pnl.add(p);
      }
      positions++;
    }

    Totals totals() {
      BigDecimal day = dayChangeKnown ? dayChange : null;
      BigDecimal previous = day != null ? value.subtract(day) : null;
      return new Totals(value, previous, day, percent(day, previous == null ? null : previous.abs()),
          anyCost ? cost : null, anyCost ? pnl : null, anyCost ? percent(pnl, cost.abs()) : null, positions);
    }
  }
}
