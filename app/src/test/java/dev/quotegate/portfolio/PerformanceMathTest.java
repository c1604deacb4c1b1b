package dev.quotegate.portfolio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.quotegate.portfolio.PerformanceMath.Figures;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every figure against values computed independently (Python's statistics module, from the
 * textbook definitions, outside this code base) on one fixed series of 12 closes.
 */
class PerformanceMathTest {

  static final double[] P = {100, 102, 101, 105, 103, 99, 98, 104, 107, 106, 110, 108};
  static final double[] B = {50, 50.5, 50.2, 51, 50.8, 49.9, 49.5, 50.9, 51.5, 51.2, 52, 51.7};
  static final LocalDate START = LocalDate.of(2025, 3, 3);

  static double[] returns(double[] closes) {
    double[] r = new double[closes.length - 1];
    for (int i = 1; i < closes.length; i++) {
      r[i - 1] = closes[i] / closes[i - 1] - 1;
    }
    return r;
  }

  static List<LocalDate> dates(int n) {
    List<LocalDate> d = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      d.add(START.plusDays(i));
    }
    return d;
  }

  @Test
  void everyFigureMatchesTheTextbookValues() {
    Figures f = PerformanceMath.figures(returns(P), returns(B), dates(P.length), 0.04, 252);
    double eps = 1e-9;
    assertThat(f.periods()).isEqualTo(11);
    assertThat(f.timeWeightedReturn()).as("TWR").isCloseTo(0.08, within(eps));
    assertThat(f.annualizedReturn()).as("annualised").isCloseTo(4.8305275658972056, within(1e-7));
    assertThat(f.benchmarkReturn()).as("benchmark").isCloseTo(0.034, within(eps));
    assertThat(f.excessReturn()).as("excess").isCloseTo(0.046, within(eps));
    assertThat(f.volatility()).as("volatility").isCloseTo(0.4981497127302951, within(eps));
    assertThat(f.benchmarkVolatility()).as("benchmark volatility").isCloseTo(0.2202584236246663, within(eps));
    assertThat(f.sharpe()).as("Sharpe").isCloseTo(3.6951332548417435, within(1e-8));
    assertThat(f.sortino()).as("Sortino").isCloseTo(7.660064367097042, within(1e-8));
    assertThat(f.beta()).as("beta").isCloseTo(2.231830743800682, within(1e-8));
    assertThat(f.correlation()).as("correlation").isCloseTo(0.986810809811211, within(1e-9));
    assertThat(f.maxDrawdown().value()).as("max drawdown").isCloseTo(7.0 / 105, within(eps));
    assertThat(f.maxDrawdown().peak()).as("peak: the close of 105").isEqualTo(START.plusDays(3));
    assertThat(f.maxDrawdown().trough()).as("trough: the close of 98").isEqualTo(START.plusDays(6));
    assertThat(f.maxDrawdown().recovery()).as("recovery: first close at or above 105").isEqualTo(START.plusDays(8));
  }

  @Test
  void undefinedFiguresAreNullNotNaN() {
    Figures one = PerformanceMath.figures(new double[] {0.01}, new double[] {0.02}, dates(2), 0.04, 252);
    assertThat(one.volatility()).isNull();
    assertThat(one.sharpe()).isNull();
    assertThat(one.beta()).isNull();
    Figures flatBench = PerformanceMath.figures(new double[] {0.01, -0.01, 0.02}, new double[] {0, 0, 0}, dates(4), 0, 252);
    assertThat(flatBench.beta()).as("zero benchmark variance").isNull();
    assertThat(flatBench.correlation()).isNull();
    Figures rising = PerformanceMath.figures(new double[] {0.01, 0.02, 0.03}, new double[] {0.01, 0.01, 0.02}, dates(4), 0, 252);
    assertThat(rising.sortino()).as("no downside").isNull();
    assertThat(rising.maxDrawdown().value()).isZero();
    assertThat(rising.maxDrawdown().peak()).isNull();
  }

  @Test
  void unrecoveredDrawdownHasNoRecoveryDate() {
    Figures f = PerformanceMath.figures(returns(new double[] {10, 12, 9, 11}), returns(new double[] {1, 1.1, 1.2, 1.3}),
        dates(4), 0, 252);
    assertThat(f.maxDrawdown().value()).isCloseTo(0.25, within(1e-12));
    assertThat(f.maxDrawdown().peak()).isEqualTo(START.plusDays(1));
    assertThat(f.maxDrawdown().trough()).isEqualTo(START.plusDays(2));
    assertThat(f.maxDrawdown().recovery()).isNull();
  }
}
