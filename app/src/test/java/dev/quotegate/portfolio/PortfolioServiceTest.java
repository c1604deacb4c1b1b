package dev.quotegate.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.quotegate.cache.CacheKind;
import dev.quotegate.cache.LocalCache;
import dev.quotegate.cache.TtlPolicy;
import dev.quotegate.calendar.MarketCalendar;
import dev.quotegate.platform.GatewayException.InvalidParam;
import dev.quotegate.platform.GatewayException.InvalidRequest;
import dev.quotegate.portfolio.PortfolioRequest.Holding;
import dev.quotegate.provider.Quote;
import dev.quotegate.quote.QuoteProperties;
import dev.quotegate.quote.QuoteService;
import dev.quotegate.testsupport.FakeQuoteProvider;
import dev.quotegate.testsupport.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.scheduler.Schedulers;

class PortfolioServiceTest {

  private final MutableClock clock = MutableClock.marketOpen();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  // FakeQuoteProvider prices every known symbol at 100.25 with change 1.25, currency USD.
  private final FakeQuoteProvider provider = new FakeQuoteProvider(20, "AAPL", "MSFT");
  private final PortfolioService service = new PortfolioService(quoteService(), clock,
      new PortfolioProperties(5, new java.math.BigDecimal("1000000000000"), new java.math.BigDecimal("1000000000"), 8));

  private QuoteService quoteService() {
    QuoteProperties props = new QuoteProperties(100, Duration.ofSeconds(5), Duration.ofSeconds(60),
        Duration.ofHours(1), Duration.ofSeconds(60), 1000, Duration.ofMillis(1), Duration.ofMillis(1), 1000, 1000, Duration.ZERO);
    return new QuoteService(provider, new LocalCache<Quote>(CacheKind.QUOTE, 100, props.staleMaxAge(), clock, registry),
        new TtlPolicy(MarketCalendar.nyse(), props.ttlMarketOpen(), props.ttlMarketClosed()), props, clock,
        Schedulers.parallel(), registry);
  }

  private static Holding h(String symbol, String qty, String cost) {
    return new Holding(symbol, qty == null ? null : new BigDecimal(qty), cost == null ? null : new BigDecimal(cost));
  }

  private PortfolioValuation value(Holding... holdings) {
    return service.value(new PortfolioRequest(Arrays.asList(holdings))).block(Duration.ofSeconds(5));
  }

  @Test
  void valuesPositionsExactlyAndTotalsThem() {
    PortfolioValuation v = value(h("AAPL", "10", "90"), h("MSFT", "30", null));
    assertThat(v.complete()).isTrue();
    assertThat(v.stale()).isFalse();
    PortfolioValuation.Position aapl = v.positions().get(0);
    assertThat(aapl.marketValue()).isEqualByComparingTo("1002.50");
    assertThat(aapl.unrealizedPnl()).isEqualByComparingTo("102.50");
    assertThat(aapl.unrealizedPnlPercent()).isEqualByComparingTo("11.3889");
    assertThat(aapl.dayChange()).isEqualByComparingTo("12.50");
    assertThat(aapl.weight()).as("1002.5 / 4010").isEqualByComparingTo("0.25");
    PortfolioValuation.Totals usd = v.totals().get("USD");
    assertThat(usd.marketValue()).isEqualByComparingTo("4010.00");
    assertThat(usd.dayChange()).isEqualByComparingTo("50.00");
    assertThat(usd.previousValue()).isEqualByComparingTo("3960.00");
    assertThat(usd.dayChangePercent()).isEqualByComparingTo("1.2626");
    assertThat(usd.costBasis()).as("only positions with a cost basis").isEqualByComparingTo("900");
    assertThat(usd.unrealizedPnl()).isEqualByComparingTo("102.50");
    assertThat(usd.positions()).isEqualTo(2);
  }

  @Test
  void mergesLotsOfTheSameSymbolWithWeightedCost() {
    PortfolioValuation v = value(h("aapl", "10", "90"), h("AAPL", "30", "110"));
    assertThat(v.positions()).hasSize(1);
    assertThat(v.positions().get(0).quantity()).isEqualByComparingTo("40");
    assertThat(v.positions().get(0).costBasis()).as("(900 + 3300) / 40").isEqualByComparingTo("105");
    assertThat(provider.symbolsRequested()).isEqualTo(1);
  }

  @Test
  void shortPositionsHaveNegativeValueAndPositiveWeight() {
    PortfolioValuation v = value(h("AAPL", "-10", "110"));
    assertThat(v.positions().get(0).marketValue()).isEqualByComparingTo("-1002.50");
    assertThat(v.positions().get(0).unrealizedPnl()).as("sold at 110, now 100.25").isEqualByComparingTo("97.50");
    assertThat(v.positions().get(0).weight()).isEqualByComparingTo("1");
  }

  @Test
  void reportsUnpricedPositionsAndIsIncomplete() {
    PortfolioValuation v = value(h("AAPL", "1", null), h("ZZZZ", "1", null));
    assertThat(v.complete()).isFalse();
    assertThat(v.unpriced()).singleElement().satisfies(u -> {
      assertThat(u.symbol()).isEqualTo("ZZZZ");
      assertThat(u.status()).isEqualTo(404);
    });
    assertThat(v.totals().get("USD").marketValue()).isEqualByComparingTo("100.25");
  }

  @Test
  void rejectsBadHoldingsNamingEachFieldAndCallsNoProvider() {
    assertThatThrownBy(() -> value(h("A;B", "1", null), h("AAPL", "0", null), h("MSFT", null, null), h("MSFT", "1", "-5")))
        .isInstanceOfSatisfying(InvalidRequest.class, e -> assertThat(e.params()).extracting(InvalidParam::name)
            .containsExactly("holdings[0].symbol", "holdings[1].quantity", "holdings[2].quantity", "holdings[3].costBasis"));
    assertThatThrownBy(() -> service.value(new PortfolioRequest(List.of())).block(Duration.ofSeconds(5)))
        .isInstanceOf(InvalidRequest.class).hasMessageStartingWith("holdings: required");
    assertThatThrownBy(() -> value(h("A", "1", null), h("B", "1", null), h("C", "1", null), h("D", "1", null),
        h("E", "1", null), h("F", "1", null)))
        .isInstanceOf(InvalidRequest.class).hasMessageContaining("at most 5");
    assertThat(provider.calls()).isEmpty();
  }
}
